/* Tests of rolling deployments (service.c, events.c, sim.c step 6): the
 * ECS and EKS rounding rules, the docs' worked example, health checks
 * gating the rollout, the stuck configuration, the circuit breaker's two
 * stages and its rollback, the throttle reset by a new revision, scale-in
 * suspension during a deployment, tag -> digest resolution and immutable
 * tags, and what the tables show (reference §2.1, §2.2, §2.4, §4, §5.4). */
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

/* Round numbers: a task is RUNNING 43 s after launch (6 + 25 + 10 + 2),
 * healthy 40 s later without a load balancer. */
static const char base_yaml[] =
    "name: t\n"
    "seed: 7\n"
    "duration: 1h\n"
    "image: {name: shop-web, tag: \"1.0\", size_mb: 250, build_time: 2m}\n"
    "registry: {push: true, push_mb_per_s: 10, pull_mb_per_s: 10}\n"
    "service:\n"
    "  platform: fargate\n"
    "  provision_time: 60s\n"
    "  desired: 6\n"
    "  task: {provisioning_time: 6s, start_time: 10s, activating_time: 2s, capacity_rps: 100}\n"
    "load: {profile: [{until: 1h, rps: 100}]}\n"
    "autoscaler: {policy: none}\n";

#include "sim_helpers.h"

/* ---- rounding ------------------------------------------------------------------------------ */

static void bounds(const char *const *sets, size_t nsets, int desired, int *min_healthy, int *max_tasks)
{
    ecsim_scenario *sc = load(NULL, sets, nsets);
    ecsim_sim *sim = ecsim_sim_create(sc, 1, stderr);
    assert_non_null(sim);
    service_rollout_bounds(&sc->service.deployment, sc->service.platform == ECSIM_PLATFORM_EKS,
                           desired, min_healthy, max_tasks);
    ecsim_sim_destroy(sim);
    ecsim_scenario_free(sc);
}

static void test_ecs_rounding(void **state)
{
    (void)state;
    int lo, hi;
    /* reference §2.1 examples: min 50 %, desired 4 -> may stop 2 */
    const char *a[] = {"service.deployment.min_healthy_percent=50"};
    bounds(a, 1, 4, &lo, &hi);
    assert_int_equal(lo, 2);
    assert_int_equal(hi, 8); /* max 200 %, desired 4 -> 4 extra */
    /* min 75 %, desired 2 -> ceil(1.5) = 2: can't stop any */
    const char *b[] = {"service.deployment.min_healthy_percent=75"};
    bounds(b, 1, 2, &lo, &hi);
    assert_int_equal(lo, 2);
    /* max 125 %, desired 3 -> floor(3.75) = 3: can't start extra */
    const char *c[] = {"service.deployment.max_percent=125"};
    bounds(c, 1, 3, &lo, &hi);
    assert_int_equal(hi, 3);
    assert_int_equal(lo, 3);
    /* min 50 %, desired 5 -> ceil(2.5) = 3 */
    bounds(a, 1, 5, &lo, &hi);
    assert_int_equal(lo, 3);
}

static void test_eks_rounding(void **state)
{
    (void)state;
    int lo, hi;
    const char *eks[] = {"service.platform=eks"};
    /* 25 % / 25 % of 10: surge ceil(2.5) = 3, unavailable floor(2.5) = 2 (reference §5.4) */
    bounds(eks, 1, 10, &lo, &hi);
    assert_int_equal(hi, 13);
    assert_int_equal(lo, 8);
    /* desired 1: surge ceil(0.25) = 1, unavailable floor(0.25) = 0 */
    bounds(eks, 1, 1, &lo, &hi);
    assert_int_equal(hi, 2);
    assert_int_equal(lo, 1);
    /* absolute counts */
    const char *abs_counts[] = {"service.platform=eks", "service.deployment.max_surge=0",
                                "service.deployment.max_unavailable=2"};
    bounds(abs_counts, 3, 4, &lo, &hi);
    assert_int_equal(hi, 4);
    assert_int_equal(lo, 2);
    /* percentages that both round to 0: maxUnavailable becomes 1 */
    const char *zero[] = {"service.platform=eks", "service.deployment.max_surge=0%",
                          "service.deployment.max_unavailable=10%"};
    bounds(zero, 3, 4, &lo, &hi);
    assert_int_equal(hi, 4);
    assert_int_equal(lo, 3);
}

/* ---- the docs' worked example (reference §2.1, [D11]) --------------------------------------- */

static const char deploy_at_20m[] = "events: [{at: 20m, action: deploy, tag: \"1.1\"}]\n";

/* The deploy event builds (120 s) and pushes (25 s): the rollout starts here. */
#define ROLLOUT_T0 (1200.0 + 145.0)

static void test_worked_example_min_50(void **state)
{
    (void)state;
    /* 6 tasks, room for 8 (max 134 % -> floor(8.04) = 8), min 50 % -> 3:
     * stop 3, start 5, stop 3, start 1. */
    const char *sets[] = {"service.deployment.min_healthy_percent=50",
                          "service.deployment.max_percent=134"};
    ecsim_scenario *sc = load(deploy_at_20m, sets, 2);
    ecsim_sim *sim = run(sc);
    const service *s = sim_parts_service(sim);
    assert_int_equal((int)service_deployment_count(s), 2);
    assert_int_equal(service_deployment_at(s, 1)->rollout, ROLLOUT_COMPLETED);
    int old_first = 0, old_later = 0, new_first = 0, new_later = 0;
    double second_stop = INFINITY;
    for (size_t i = 0; i < service_task_count(s); i++) {
        const service_task *t = service_task_at(s, i);
        if (t->deployment == 0) {
            assert_true(isfinite(t->stopped_s));
            if (t->stopped_s <= ROLLOUT_T0 + 2.0 + 1e-9)
                old_first++;
            else {
                old_later++;
                second_stop = fmin(second_stop, t->stopped_s);
            }
        }
    }
    for (size_t i = 0; i < service_task_count(s); i++) {
        const service_task *t = service_task_at(s, i);
        if (t->deployment != 1)
            continue;
        if (t->launched_s <= ROLLOUT_T0 + 1e-9)
            new_first++;
        else {
            new_later++;
            /* started as the second 3 were told to stop (2 s before they
             * stopped), not after: draining tasks do not count */
            assert_float_equal(t->launched_s, second_stop - 2.0, 1e-9);
        }
    }
    assert_int_equal(old_first, 3);
    assert_int_equal(new_first, 5);
    assert_int_equal(old_later, 3);
    assert_int_equal(new_later, 1);
    /* first batch: all 5 at once (8 - 3 RUNNING; the 3 draining do not
     * count toward maximumPercent, reference §2.1) */
    for (size_t i = 6; i < 11; i++)
        assert_float_equal(service_task_at(s, i)->launched_s, ROLLOUT_T0, 1e-9);
    ecsim_sim_destroy(sim);
    ecsim_scenario_free(sc);
}

static void test_worked_example_two_at_a_time(void **state)
{
    (void)state;
    /* defaults but room for 8: "2 new at a time" */
    const char *sets[] = {"service.deployment.max_percent=134"};
    ecsim_scenario *sc = load(deploy_at_20m, sets, 1);
    ecsim_sim *sim = run(sc);
    const service *s = sim_parts_service(sim);
    assert_int_equal(service_deployment_at(s, 1)->rollout, ROLLOUT_COMPLETED);
    /* new tasks come in waves of two, each wave after the previous is healthy */
    double waves[8];
    int nw = 0, per[8] = {0};
    for (size_t i = 0; i < service_task_count(s); i++) {
        const service_task *t = service_task_at(s, i);
        if (t->deployment != 1)
            continue;
        if (nw == 0 || t->launched_s > waves[nw - 1] + 1e-9)
            waves[nw++] = t->launched_s;
        per[nw - 1]++;
    }
    assert_int_equal(nw, 3);
    for (int w = 0; w < nw; w++)
        assert_int_equal(per[w], 2);
    /* each wave waits for the previous one: RUNNING 43 s + healthy 40 s + stop 2 s */
    assert_true(waves[1] - waves[0] >= 83.0 - 1e-9);
    /* min 100 %: never fewer than 6 healthy tasks during the rollout */
    ecsim_sim_destroy(sim);
    ecsim_scenario_free(sc);
}

static void test_defaults_start_all_at_once(void **state)
{
    (void)state;
    ecsim_scenario *sc = load(deploy_at_20m, NULL, 0);
    ecsim_sim *sim = run(sc);
    const service *s = sim_parts_service(sim);
    int new_tasks = 0;
    for (size_t i = 0; i < service_task_count(s); i++)
        if (service_task_at(s, i)->deployment == 1) {
            assert_float_equal(service_task_at(s, i)->launched_s, ROLLOUT_T0, 1e-9);
            new_tasks++;
        }
    assert_int_equal(new_tasks, 6); /* max 200 %: 12 - 6 = room for all 6 */
    /* no old task stopped before the new ones were healthy (43 + 40 s) */
    for (size_t i = 0; i < service_task_count(s); i++)
        if (service_task_at(s, i)->deployment == 0)
            assert_true(service_task_at(s, i)->stopped_s >= ROLLOUT_T0 + 83.0 - 1e-9);
    /* step 6 shows the update and its duration: 145 s + 83 s + 2 s stop */
    const ecsim_step_record *r = ecsim_sim_step_record(sim, ECSIM_STEP_MONITOR);
    assert_true(r->reached);
    assert_false(r->failed);
    assert_string_equal(r->result, "Rolled out 1.1 in 3 min 50 s");
    assert_float_equal(r->time_s, 1200.0 + 230.0, 1e-9);
    assert_string_equal(r->after.deployment, "Completed");
    assert_string_equal(r->after.image, "Running 1.1");
    assert_int_equal(ecsim_sim_summary(sim)->deployments, 2);
    assert_int_equal(ecsim_sim_summary(sim)->updates, 1);
    assert_int_equal(marker_count(sim, ECSIM_MARK_DEPLOYMENT), 2); /* started, rolled out */
    ecsim_sim_destroy(sim);
    ecsim_scenario_free(sc);
}

static void test_health_checks_gate_progress(void **state)
{
    (void)state;
    /* behind a load balancer a new target is healthy after 30 s x 5 = 150 s,
     * and old targets drain for the deregistration delay (reference §2.1) */
    const char *sets[] = {"service.load_balancer.enable=true",
                          "service.load_balancer.deregistration_delay=60s"};
    ecsim_scenario *sc = load(deploy_at_20m, sets, 2);
    ecsim_sim *sim = run(sc);
    const service *s = sim_parts_service(sim);
    for (size_t i = 0; i < service_task_count(s); i++)
        if (service_task_at(s, i)->deployment == 0)
            /* stop requested at +43 + 150 s, drained 60 s, stopped 2 s later */
            assert_float_equal(service_task_at(s, i)->stopped_s, ROLLOUT_T0 + 193.0 + 62.0, 1e-9);
    ecsim_sim_destroy(sim);
    ecsim_scenario_free(sc);
}

static void test_stuck_configuration(void **state)
{
    (void)state;
    /* min 100 %, max 100 %: can neither stop an old task nor start a new one */
    const char *sets[] = {"service.deployment.max_percent=100"};
    ecsim_scenario *sc = load(deploy_at_20m, sets, 1);
    ecsim_sim *sim = run(sc);
    assert_int_equal(log_count(sim, "was unable to stop or start tasks during a deployment because "
                                    "of the service deployment configuration"),
                     1);
    assert_int_equal(service_deployment_at(sim_parts_service(sim), 1)->rollout, ROLLOUT_IN_PROGRESS);
    assert_int_equal(service_count(sim_parts_service(sim), TASK_RUNNING), 6);
    assert_string_equal(ecsim_sim_step_record(sim, ECSIM_STEP_END)->after.deployment,
                        "Stuck (min/max)");
    ecsim_sim_destroy(sim);
    ecsim_scenario_free(sc);
}

/* ---- the circuit breaker (reference §2.2) ------------------------------------------------- */

static void test_breaker_stage1_and_rollback(void **state)
{
    (void)state;
    const char *sets[] = {"service.deployment.circuit_breaker.enable=true",
                          "service.deployment.circuit_breaker.rollback=true"};
    ecsim_scenario *sc =
        load("events: [{at: 20m, action: deploy, tag: \"9.9\", build: false}]\n", sets, 2);
    ecsim_sim *sim = run(sc);
    const service *s = sim_parts_service(sim);
    assert_int_equal((int)service_deployment_count(s), 3);
    const service_deployment *bad = service_deployment_at(s, 1), *rb = service_deployment_at(s, 2);
    /* desired 6: threshold clamp(ceil(3), 3, 200) = 3, all in stage 1 */
    assert_int_equal(bad->breaker_threshold, 3);
    assert_int_equal(bad->failed_tasks, 3);
    assert_false(bad->breaker_stage2);
    assert_int_equal(bad->rollout, ROLLOUT_FAILED);
    assert_true(rb->is_rollback);
    assert_int_equal(rb->revision, service_deployment_at(s, 0)->revision);
    assert_string_equal(rb->digest, service_deployment_at(s, 0)->digest);
    assert_int_equal(rb->rollout, ROLLOUT_COMPLETED);
    const ecsim_summary *sum = ecsim_sim_summary(sim);
    assert_int_equal(sum->rollbacks, 1);
    assert_int_equal(sum->deployments_failed, 1);
    assert_int_equal(sum->updates_failed, 1);
    assert_int_equal(log_count(sim, "rolling back to deployment ecs-svc/1"), 1);
    /* min 100 %: the 1.0 tasks served throughout */
    for (size_t i = 0; i < 6; i++)
        assert_false(isfinite(service_task_at(s, i)->stopped_s));
    const ecsim_step_record *r = ecsim_sim_step_record(sim, ECSIM_STEP_MONITOR);
    assert_true(r->failed);
    assert_non_null(strstr(r->result, "Update to 9.9 failed (tasks failed to start"));
    assert_non_null(strstr(r->result, "rolled back to 1.0"));
    assert_string_equal(r->after.deployment, "Rolled back");
    assert_string_equal(r->after.image, "Running 1.0 (rolled back)");
    assert_true(r->fix[0] != '\0');
    assert_int_equal(marker_count(sim, ECSIM_MARK_DEPLOYMENT_FAILED), 1);
    assert_true(marker_count(sim, ECSIM_MARK_ROLLBACK) >= 1);
    ecsim_sim_destroy(sim);
    ecsim_scenario_free(sc);
}

static void test_breaker_stage2_unhealthy(void **state)
{
    (void)state;
    /* desired 10: threshold ceil(5) = 5; the tasks run, then fail their
     * health checks: counted in stage 2. No rollback: FAILED. */
    const char *sets[] = {"service.desired=10", "service.deployment.circuit_breaker.enable=true",
                          "service.deployment.max_percent=150"};
    ecsim_scenario *sc = load("events: [{at: 20m, action: deploy, tag: \"1.1\", defect: unhealthy}]\n",
                              sets, 3);
    ecsim_sim *sim = run(sc);
    const service_deployment *bad = service_deployment_at(sim_parts_service(sim), 1);
    assert_int_equal(bad->breaker_threshold, 5);
    assert_int_equal(bad->failed_tasks, 5);
    assert_true(bad->breaker_stage2);
    assert_int_equal(bad->rollout, ROLLOUT_FAILED);
    assert_int_equal((int)service_deployment_count(sim_parts_service(sim)), 2); /* no rollback */
    assert_int_equal(log_count(sim, "deployment failed: tasks failed health checks"), 1);
    const ecsim_step_record *r = ecsim_sim_step_record(sim, ECSIM_STEP_MONITOR);
    assert_true(r->failed);
    assert_string_equal(r->after.deployment, "Failed");
    assert_string_equal(r->after.image, "Running 1.0; 1.1 failed");
    /* the old revision keeps serving */
    assert_int_equal(ecsim_sim_step_record(sim, ECSIM_STEP_END)->after.running, 10);
    ecsim_sim_destroy(sim);
    ecsim_scenario_free(sc);
}

/* ---- throttle reset, scale-in suspension -------------------------------------------------- */

static void test_new_revision_resets_throttle(void **state)
{
    (void)state;
    /* no breaker: 9.9 fails forever, the throttle grows; deploying 1.0 again
     * (a new revision) resets it: the new tasks launch at once */
    ecsim_scenario *sc = load("events:\n"
                              "  - {at: 10m, action: deploy, tag: \"9.9\", build: false}\n"
                              "  - {at: 30m, action: deploy, tag: \"1.0\", build: false}\n",
                              NULL, 0);
    ecsim_sim *s2 = ecsim_sim_create(sc, sc->seed, stderr);
    assert_int_equal(ecsim_sim_run_until(s2, 1799.0), 0);
    assert_true(service_throttle_delay(sim_parts_service(s2)) >= 160.0);
    assert_true(service_start_failures(sim_parts_service(s2)) >= 5);
    assert_int_equal(ecsim_sim_run(s2), 0);
    const service *s = sim_parts_service(s2);
    assert_int_equal((int)service_deployment_count(s), 3);
    int launched_at_once = 0;
    for (size_t i = 0; i < service_task_count(s); i++)
        if (service_task_at(s, i)->deployment == 2 && fabs(service_task_at(s, i)->launched_s - 1800.0) < 1e-9)
            launched_at_once++;
    assert_int_equal(launched_at_once, 6);
    assert_int_equal(service_deployment_at(s, 2)->rollout, ROLLOUT_COMPLETED);
    assert_float_equal(service_throttle_delay(s), 0.0, 0);
    ecsim_sim_destroy(s2);
    ecsim_scenario_free(sc);
}

static void test_scale_in_suspended_during_deployment(void **state)
{
    (void)state;
    /* 6 tasks for 100 rps: target tracking wants to scale in. A deployment
     * that never completes (crash, no breaker) suspends scale-in (§1.1). */
    const char *tt[] = {"autoscaler.policy=target_tracking", "autoscaler.min=1", "autoscaler.max=10"};
    ecsim_scenario *quiet = load(NULL, tt, 3);
    ecsim_sim *a = run(quiet);
    assert_true(ecsim_sim_summary(a)->scale_ins > 0);
    ecsim_sim_destroy(a);
    ecsim_scenario_free(quiet);

    ecsim_scenario *sc = load("events: [{at: 5m, action: deploy, tag: \"2.0\", defect: crash}]\n", tt, 3);
    ecsim_sim *b = run(sc);
    assert_int_equal(service_deployment_at(sim_parts_service(b), 1)->rollout, ROLLOUT_IN_PROGRESS);
    assert_int_equal(ecsim_sim_summary(b)->scale_ins, 0);
    ecsim_sim_destroy(b);
    ecsim_scenario_free(sc);
}

/* ---- tags and digests (reference §2.4 item 6, §4) ------------------------------------------- */

static void test_repush_does_not_change_running_deployment(void **state)
{
    (void)state;
    ecsim_scenario *sc = load("events: [{at: 30m, action: kill_tasks, count: 2}]\n", NULL, 0);
    ecsim_sim *sim = ecsim_sim_create(sc, sc->seed, stderr);
    assert_int_equal(ecsim_sim_run_until(sim, 1200.0), 0);
    char first[80];
    snprintf(first, sizeof first, "%s", service_deployment_at(sim_parts_service(sim), 0)->digest);
    /* someone re-pushes 1.0: the tag moves */
    assert_int_equal(registry_push(sim_parts_registry(sim), "1.0", 300, 1200.0), REGISTRY_PUSHED);
    assert_string_not_equal(registry_resolve(sim_parts_registry(sim), "1.0")->digest, first);
    assert_int_equal(ecsim_sim_run(sim), 0);
    /* the replacements of the killed tasks run the digest resolved at deployment start */
    const service *s = sim_parts_service(sim);
    assert_int_equal((int)service_task_count(s), 8);
    for (size_t i = 6; i < service_task_count(s); i++) {
        assert_int_equal(service_task_at(s, i)->deployment, 0);
        assert_int_equal(service_task_at(s, i)->state, TASK_RUNNING);
    }
    assert_string_equal(service_deployment_at(s, 0)->digest, first);
    ecsim_sim_destroy(sim);
    ecsim_scenario_free(sc);
}

static void test_immutable_tag_rejects_push(void **state)
{
    (void)state;
    const char *sets[] = {"registry.immutable_tags=true"};
    ecsim_scenario *sc = load("events: [{at: 20m, action: deploy, tag: \"1.0\"}]\n", sets, 1);
    ecsim_sim *sim = run(sc);
    assert_int_equal(log_count(sim, "ImageTagAlreadyExistsException"), 1);
    assert_int_equal((int)service_deployment_count(sim_parts_service(sim)), 1);
    const ecsim_summary *s = ecsim_sim_summary(sim);
    assert_int_equal(s->updates, 1);
    assert_int_equal(s->updates_failed, 1);
    const ecsim_step_record *r = ecsim_sim_step_record(sim, ECSIM_STEP_MONITOR);
    assert_true(r->failed);
    assert_non_null(strstr(r->result, "push rejected (ImageTagAlreadyExistsException"));
    assert_string_equal(r->after.deployment, "Failed (push rejected)");
    assert_non_null(strstr(r->fix, "new tag"));
    assert_int_equal(marker_count(sim, ECSIM_MARK_DEPLOYMENT_FAILED), 1);
    ecsim_sim_destroy(sim);
    ecsim_scenario_free(sc);
}

/* ---- EKS (reference §5.4) ------------------------------------------------------------------ */

static void test_eks_crash_loop_and_progress_deadline(void **state)
{
    (void)state;
    const char *sets[] = {"service.platform=eks", "service.desired=4"};
    ecsim_scenario *sc = load("events: [{at: 10m, action: deploy, tag: \"2.0\", defect: crash}]\n", sets, 2);
    ecsim_sim *sim = run(sc);
    const service *s = sim_parts_service(sim);
    /* surge ceil(1) = 1, unavailable floor(1) = 1: two new pods, three old */
    int new_pods = 0, old_alive = 0;
    for (size_t i = 0; i < service_task_count(s); i++) {
        new_pods += service_task_at(s, i)->deployment == 1;
        old_alive += service_task_at(s, i)->deployment == 0 && service_task_at(s, i)->state != TASK_STOPPED;
    }
    assert_int_equal(new_pods, 2);
    assert_int_equal(old_alive, 3);
    /* CrashLoopBackOff: 10 s doubling, capped at 300 s */
    static const char *const backoff[] = {"restart 1; Back-off restarting failed container "
                                          "(CrashLoopBackOff): next start in 10 s",
                                          "restart 2; Back-off restarting failed container "
                                          "(CrashLoopBackOff): next start in 20 s",
                                          "restart 3; Back-off restarting failed container "
                                          "(CrashLoopBackOff): next start in 40 s",
                                          "restart 6; Back-off restarting failed container "
                                          "(CrashLoopBackOff): next start in 300 s"};
    for (size_t i = 0; i < 4; i++)
        assert_true(log_count(sim, backoff[i]) >= 1);
    assert_int_equal(log_count(sim, "next start in 320 s"), 0);
    /* no progress for 600 s -> ProgressDeadlineExceeded; no automatic rollback */
    assert_int_equal(log_count(sim, "reason ProgressDeadlineExceeded"), 1);
    assert_int_equal(service_deployment_at(s, 1)->rollout, ROLLOUT_FAILED);
    assert_float_equal(service_deployment_at(s, 1)->finished_s, 600.0 + 145.0 + 600.0, 1e-9);
    assert_int_equal((int)service_deployment_count(s), 2);
    const ecsim_step_record *r = ecsim_sim_step_record(sim, ECSIM_STEP_MONITOR);
    assert_non_null(strstr(r->result, "ProgressDeadlineExceeded"));
    ecsim_sim_destroy(sim);
    ecsim_scenario_free(sc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ecs_rounding),
        cmocka_unit_test(test_eks_rounding),
        cmocka_unit_test(test_worked_example_min_50),
        cmocka_unit_test(test_worked_example_two_at_a_time),
        cmocka_unit_test(test_defaults_start_all_at_once),
        cmocka_unit_test(test_health_checks_gate_progress),
        cmocka_unit_test(test_stuck_configuration),
        cmocka_unit_test(test_breaker_stage1_and_rollback),
        cmocka_unit_test(test_breaker_stage2_unhealthy),
        cmocka_unit_test(test_new_revision_resets_throttle),
        cmocka_unit_test(test_scale_in_suspended_during_deployment),
        cmocka_unit_test(test_repush_does_not_change_running_deployment),
        cmocka_unit_test(test_immutable_tag_rejects_push),
        cmocka_unit_test(test_eks_crash_loop_and_progress_deadline),
    };
    return cmocka_run_group_tests_name("deploy", tests, NULL, NULL);
}
