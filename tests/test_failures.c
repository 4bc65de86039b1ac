/* Tests of the failures a scenario can inject (events.c, service.c,
 * registry.c): the agent's pull backoff, a registry outage and the service
 * throttle, crashing and unhealthy versions, killed tasks, an AZ outage,
 * Fargate Spot interruptions, manual scaling, fail_instances, and each
 * shipped failure scenario's tables (reference §2.2-§2.4, §5.4). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ecsim/ecsim.h"
#include "ecsim/loader.h"
#include "ecsim/sim.h"
#include "model/sim_parts.h"

/* A task is RUNNING 43 s after launch (6 + 25 + 10 + 2), healthy 40 s later. */
static const char base_yaml[] =
    "name: t\n"
    "seed: 11\n"
    "duration: 1h\n"
    "image: {name: shop-web, tag: \"1.0\", size_mb: 250, build_time: 2m}\n"
    "registry: {push: true, push_mb_per_s: 10, pull_mb_per_s: 10}\n"
    "service:\n"
    "  platform: fargate\n"
    "  provision_time: 60s\n"
    "  desired: 4\n"
    "  availability_zones: 2\n"
    "  task: {provisioning_time: 6s, start_time: 10s, activating_time: 2s, capacity_rps: 100}\n"
    "load: {profile: [{until: 1h, rps: 100}]}\n"
    "autoscaler: {policy: none}\n";

#include "sim_helpers.h"

static const ecsim_step_record *step6(const ecsim_sim *sim)
{
    return ecsim_sim_step_record(sim, ECSIM_STEP_MONITOR);
}

/* ---- pulls and the registry (reference §2.4) ------------------------------------------------ */

static void test_pull_backoff_sequence(void **state)
{
    (void)state;
    /* min 1.1 s, x2, max 5 s, jitter 0.2 (CODE [D14]) */
    static const double expect[] = {1.1, 2.2, 4.4, 5.0, 5.0};
    for (int i = 0; i < 5; i++) {
        assert_float_equal(service_pull_backoff_s(i + 1, 0.5), expect[i], 1e-12);
        assert_float_equal(service_pull_backoff_s(i + 1, 0.0), expect[i] * 0.8, 1e-12);
        assert_true(service_pull_backoff_s(i + 1, 0.999999) < expect[i] * 1.2);
    }
}

static void test_registry_outage_retries_then_throttle(void **state)
{
    (void)state;
    ecsim_scenario *sc = load("events:\n"
                              "  - {at: 20m, action: registry_outage, duration: 10m}\n"
                              "  - {at: 21m, action: kill_tasks, count: 2}\n",
                              NULL, 0);
    ecsim_sim *sim = run(sc);
    const service *s = sim_parts_service(sim);
    int failed = 0;
    double prev_gap = 0, prev_launch = NAN;
    for (size_t i = 4; i < service_task_count(s); i++) {
        const service_task *t = service_task_at(s, i);
        if (t->stop_code && strcmp(t->stop_code, "TaskFailedToStart") == 0) {
            failed++;
            /* 1 attempt + 5 retries: 6 s provisioning + backoffs of 17.7 s +- 20 % */
            double pending = t->stopped_s - t->launched_s - 6.0;
            assert_true(pending >= 0.8 * 17.7 - 1e-9 && pending <= 1.2 * 17.7 + 1e-9);
            assert_int_equal(t->pull_attempt, 6);
            assert_non_null(strstr(t->stop_reason, "retried 5 time(s)"));
            assert_non_null(strstr(t->stop_reason, "i/o timeout"));
        }
        /* the throttle: launches one at a time, further and further apart */
        if (i >= 6 && t->launched_s < 1800.0) {
            double gap = t->launched_s - prev_launch;
            assert_true(gap >= prev_gap - 1e-9);
            prev_gap = gap;
        }
        prev_launch = t->launched_s;
    }
    assert_true(failed >= 4);
    assert_int_equal(ecsim_sim_summary(sim)->tasks_failed, failed);
    assert_int_equal(log_count(sim, "is unable to consistently start tasks successfully"), 1);
    /* after the outage a launch succeeds and the service recovers */
    assert_int_equal(ecsim_sim_step_record(sim, ECSIM_STEP_END)->after.running, 4);
    const ecsim_step_record *r = step6(sim);
    assert_true(r->reached);
    assert_true(r->failed);
    assert_non_null(strstr(r->result, "ECR unreachable"));
    assert_non_null(strstr(r->fix, "VPC endpoints"));
    assert_int_equal(marker_count(sim, "registry_outage"), 1);
    ecsim_sim_destroy(sim);
    ecsim_scenario_free(sc);
}

/* ---- defective versions ------------------------------------------------------------------ */

static void test_crash_no_throttle(void **state)
{
    (void)state;
    ecsim_scenario *sc = load("events: [{at: 10m, action: deploy, tag: \"2.0\", defect: crash}]\n", NULL, 0);
    ecsim_sim *sim = run(sc);
    const service *s = sim_parts_service(sim);
    int crashed = 0;
    for (size_t i = 0; i < service_task_count(s); i++) {
        const service_task *t = service_task_at(s, i);
        if (t->deployment != 1 || !t->stop_code)
            continue;
        crashed++;
        assert_string_equal(t->stop_code, "EssentialContainerExited");
        assert_float_equal(t->stopped_s - t->running_s, 5.0, 1e-9);
    }
    assert_true(crashed >= 20);
    /* RUNNING-then-die does not throttle (reference §2.4 item 4) */
    assert_int_equal(log_count(sim, "operations are being throttled"), 0);
    assert_int_equal(ecsim_sim_summary(sim)->tasks_failed, 0);
    assert_true(ecsim_sim_summary(sim)->tasks_replaced >= 20);
    /* min 100 %: the old tasks keep serving; the update never completes */
    assert_int_equal(service_deployment_at(s, 1)->rollout, ROLLOUT_IN_PROGRESS);
    assert_int_equal(ecsim_sim_step_record(sim, ECSIM_STEP_END)->after.running >= 4, 1);
    assert_non_null(strstr(step6(sim)->result, "still under way"));
    assert_true(marker_count(sim, ECSIM_MARK_TASK_FAILED) >= 1);
    ecsim_sim_destroy(sim);
    ecsim_scenario_free(sc);
}

static void test_crash_with_breaker_rolls_back(void **state)
{
    (void)state;
    const char *sets[] = {"service.deployment.circuit_breaker.enable=true",
                          "service.deployment.circuit_breaker.rollback=true"};
    ecsim_scenario *sc = load("events: [{at: 10m, action: deploy, tag: \"2.0\", defect: crash}]\n", sets, 2);
    ecsim_sim *sim = run(sc);
    const service *s = sim_parts_service(sim);
    /* desired 4 -> threshold 3; crashes after RUNNING count in stage 2 */
    assert_int_equal(service_deployment_at(s, 1)->failed_tasks, 3);
    assert_true(service_deployment_at(s, 1)->breaker_stage2);
    assert_int_equal(service_deployment_at(s, 1)->rollout, ROLLOUT_FAILED);
    assert_true(service_deployment_at(s, 2)->is_rollback);
    assert_int_equal(service_deployment_at(s, 2)->rollout, ROLLOUT_COMPLETED);
    assert_non_null(strstr(step6(sim)->result, "rolled back to 1.0"));
    assert_string_equal(step6(sim)->after.deployment, "Rolled back");
    assert_non_null(strstr(step6(sim)->fix, "crash"));
    ecsim_sim_destroy(sim);
    ecsim_scenario_free(sc);
}

static void test_unhealthy_timing(void **state)
{
    (void)state;
    /* grace 60 s, then 2 failed checks 30 s apart (reference §2.1, [D10]) */
    const char *sets[] = {"service.load_balancer.enable=true",
                          "service.load_balancer.unhealthy_threshold=2",
                          "service.load_balancer.health_check_interval=30s",
                          "service.load_balancer.deregistration_delay=30s",
                          "service.task.health_check_grace=60s"};
    ecsim_scenario *sc =
        load("events: [{at: 10m, action: deploy, tag: \"2.0\", defect: unhealthy}]\n", sets, 5);
    ecsim_sim *sim = run(sc);
    const service *s = sim_parts_service(sim);
    int n = 0;
    for (size_t i = 0; i < service_task_count(s); i++) {
        const service_task *t = service_task_at(s, i);
        if (t->deployment != 1 || !t->stop_code)
            continue;
        n++;
        assert_string_equal(t->stop_code, "ServiceSchedulerInitiated");
        assert_non_null(strstr(t->stop_reason, "Task failed ELB health checks"));
        /* unhealthy at +120 s, drained 30 s, stopped 2 s later */
        assert_float_equal(t->stopped_s - t->running_s, 120.0 + 30.0 + 2.0, 1e-9);
    }
    assert_true(n >= 4);
    assert_true(log_count(sim, "is unhealthy in (target-group shop-web)") >= 4);
    ecsim_sim_destroy(sim);
    ecsim_scenario_free(sc);
}

/* ---- faults ------------------------------------------------------------------------------ */

static void test_kill_tasks_replaced(void **state)
{
    (void)state;
    ecsim_scenario *sc = load("events: [{at: 20m, action: kill_tasks, count: 2}]\n", NULL, 0);
    ecsim_sim *sim = run(sc);
    const service *s = sim_parts_service(sim);
    assert_int_equal((int)service_task_count(s), 6);
    int killed = 0;
    for (size_t i = 0; i < 4; i++)
        if (service_task_at(s, i)->stop_code) {
            killed++;
            assert_string_equal(service_task_at(s, i)->stop_code, "EssentialContainerExited");
            assert_float_equal(service_task_at(s, i)->stopped_s, 1200.0, 1e-9);
        }
    assert_int_equal(killed, 2);
    assert_float_equal(service_task_at(s, 4)->launched_s, 1200.0, 1e-9);
    assert_int_equal(ecsim_sim_summary(sim)->tasks_replaced, 2);
    const ecsim_step_record *r = step6(sim);
    assert_false(r->failed);
    assert_float_equal(r->time_s, 1200.0 + 83.0, 1e-9);
    assert_string_equal(r->result, "2 tasks killed (EssentialContainerExited) and replaced: 4 healthy "
                                   "again after 1 min 23 s");
    assert_int_equal(marker_count(sim, "kill_tasks"), 1);
    ecsim_sim_destroy(sim);
    ecsim_scenario_free(sc);
}

static void test_az_outage_relaunches_elsewhere(void **state)
{
    (void)state;
    ecsim_scenario *sc = load("events: [{at: 20m, action: az_outage, az: 1, duration: 10m}]\n", NULL, 0);
    ecsim_sim *sim = run(sc);
    const service *s = sim_parts_service(sim);
    int lost = 0;
    for (size_t i = 0; i < 4; i++)
        if (service_task_at(s, i)->az == 1) {
            lost++;
            assert_string_equal(service_task_at(s, i)->stop_code, "TerminationNotice");
        }
    assert_int_equal(lost, 2);
    for (size_t i = 4; i < service_task_count(s); i++)
        if (service_task_at(s, i)->launched_s < 1800.0)
            assert_int_equal(service_task_at(s, i)->az, 2);
    assert_int_equal(ecsim_sim_step_record(sim, ECSIM_STEP_END)->after.running, 4);
    assert_non_null(strstr(step6(sim)->result, "AZ 1 outage: 2 tasks lost"));
    assert_int_equal(marker_count(sim, ECSIM_MARK_AZ_OUTAGE), 1);
    assert_int_equal(log_count(sim, "availability zone 1 is available again"), 1);
    ecsim_sim_destroy(sim);
    ecsim_scenario_free(sc);
}

static void test_spot_two_minute_notice(void **state)
{
    (void)state;
    ecsim_scenario *sc = load("events: [{at: 20m, action: spot_interruption, count: 2}]\n", NULL, 0);
    ecsim_sim *sim = run(sc);
    const service *s = sim_parts_service(sim);
    int hit = 0;
    for (size_t i = 0; i < 4; i++)
        if (service_task_at(s, i)->stop_code) {
            hit++;
            assert_string_equal(service_task_at(s, i)->stop_code, "SpotInterruption");
            assert_float_equal(service_task_at(s, i)->stopped_s, 1200.0 + 120.0, 1e-9);
        }
    assert_int_equal(hit, 2);
    /* replacements start at the notice */
    assert_int_equal((int)service_task_count(s), 6);
    assert_float_equal(service_task_at(s, 4)->launched_s, 1200.0, 1e-9);
    assert_float_equal(service_task_at(s, 5)->launched_s, 1200.0, 1e-9);
    assert_non_null(strstr(step6(sim)->result, "2 Fargate Spot interruptions"));
    assert_int_equal(marker_count(sim, "spot_interruption"), 1);
    ecsim_sim_destroy(sim);
    ecsim_scenario_free(sc);
}

static void test_manual_scale_and_fail_instances(void **state)
{
    (void)state;
    /* fail_instances on Fargate is refused by the loader (issue 10 point 8). */
    char text[4096];
    snprintf(text, sizeof text, "%s%s", base_yaml,
             "events:\n  - {at: 25m, action: fail_instances, count: 1}\n");
    ecsim_diags d;
    ecsim_diags_init(&d);
    assert_null(ecsim_scenario_load_string(text, strlen(text), "test.yaml", NULL, 0, &d));
    assert_int_equal(d.errors, 1);
    assert_non_null(strstr(d.items[0].message, "fail_instances cannot act on fargate"));
    ecsim_diags_free(&d);
    ecsim_scenario *sc = load("events:\n"
                              "  - {at: 20m, action: scale, desired: 6}\n",
                              NULL, 0);
    ecsim_sim *sim = run(sc);
    assert_int_equal(ecsim_sim_step_record(sim, ECSIM_STEP_END)->after.desired, 6);
    assert_int_equal(ecsim_sim_step_record(sim, ECSIM_STEP_END)->after.running, 6);
    assert_int_equal(ecsim_sim_summary(sim)->max_desired, 6);
    assert_int_equal(log_count(sim, "set from 4 to 6 by hand"), 1);
    assert_non_null(strstr(step6(sim)->result, "Desired count set to 6 by hand: reached in 1 min 23 s"));
    ecsim_sim_destroy(sim);
    ecsim_scenario_free(sc);
}

/* ECS on EC2: a failed instance takes its tasks with it; the replacements
 * wait PENDING until the Auto Scaling group's new instance registers. */
static void test_fail_instances_on_ec2(void **state)
{
    (void)state;
    ecsim_diags d;
    ecsim_diags_init(&d);
    ecsim_scenario *sc = ecsim_scenario_load("scenarios/fail-instances.yaml", NULL, 0, &d);
    ecsim_diags_free(&d);
    assert_non_null(sc);
    ecsim_sim *sim = run(sc);
    assert_int_equal(ecsim_sim_summary(sim)->tasks_replaced, 2);
    assert_int_equal(ecsim_sim_step_record(sim, ECSIM_STEP_END)->after.running, 8);
    assert_int_equal(log_count(sim, "lost: 2 tasks on it stopped (TerminationNotice)"), 1);
    assert_int_equal(log_count(sim, "was unable to place a task because no container instance met all "
                                    "of its requirements"), 2);
    assert_true(log_count(sim, "registered after") >= 1);
    assert_true(step6(sim)->reached);
    assert_false(step6(sim)->failed);
    ecsim_sim_destroy(sim);
    ecsim_scenario_free(sc);
}

/* ---- the shipped scenarios ---------------------------------------------------------------------- */

static void check_scenario(const char *file, bool failed, const char *result_part, const char *deployment)
{
    char path[256];
    snprintf(path, sizeof path, "scenarios/%s.yaml", file);
    ecsim_diags d;
    ecsim_diags_init(&d);
    ecsim_scenario *sc = ecsim_scenario_load(path, NULL, 0, &d);
    if (!sc)
        ecsim_diags_print(&d, stderr);
    ecsim_diags_free(&d);
    assert_non_null(sc);
    ecsim_sim *sim = run(sc);
    const ecsim_step_record *r = step6(sim);
    if (!strstr(r->result, result_part))
        fprintf(stderr, "%s: step 6 result: %s\n", file, r->result);
    assert_true(r->reached);
    assert_int_equal(r->failed, failed);
    assert_non_null(strstr(r->result, result_part));
    assert_string_equal(ecsim_sim_step_record(sim, ECSIM_STEP_END)->after.deployment, deployment);
    if (failed)
        assert_true(r->fix[0] != '\0');
    ecsim_sim_destroy(sim);
    ecsim_scenario_free(sc);
}

static void test_shipped_scenarios(void **state)
{
    (void)state;
    check_scenario("deploy-rolling", false, "Rolled out 1.1 in", "Completed");
    check_scenario("deploy-rollback", true, "rolled back to 1.0", "Rolled back");
    check_scenario("fail-tag-missing", true, "Update to 1.1 failed (tasks failed to start", "Rolled back");
    check_scenario("fail-registry-outage", true, "ECR unreachable", "Completed");
    check_scenario("fail-crash-loop", false, "still under way", "In progress");
    check_scenario("fail-unhealthy", true, "Update to 1.1 failed (tasks failed health checks", "Failed");
    check_scenario("fail-kill-tasks", false, "2 tasks killed", "Completed");
    check_scenario("fail-az-outage", false, "AZ 1 outage: 2 tasks lost", "Completed");
    check_scenario("fail-spot", false, "2 Fargate Spot interruptions", "Completed");
    check_scenario("fail-immutable-tag", true, "push rejected (ImageTagAlreadyExistsException", "Completed");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pull_backoff_sequence),
        cmocka_unit_test(test_registry_outage_retries_then_throttle),
        cmocka_unit_test(test_crash_no_throttle),
        cmocka_unit_test(test_crash_with_breaker_rolls_back),
        cmocka_unit_test(test_unhealthy_timing),
        cmocka_unit_test(test_kill_tasks_replaced),
        cmocka_unit_test(test_az_outage_relaunches_elsewhere),
        cmocka_unit_test(test_spot_two_minute_notice),
        cmocka_unit_test(test_manual_scale_and_fail_instances),
        cmocka_unit_test(test_fail_instances_on_ec2),
        cmocka_unit_test(test_shipped_scenarios),
    };
    return cmocka_run_group_tests_name("failures", tests, NULL, NULL);
}
