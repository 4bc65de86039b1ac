/* Tests of the simulation core (sim.c, service.c, registry.c, lifecycle.c):
 * lifecycle timing derived from the scenario, the image-not-pushed failure,
 * the circuit breaker and the service throttle, the registry's tags and
 * digests, launch-rate limits, step-by-step advance and determinism. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ecsim/ecsim.h"
#include "ecsim/sim.h"
#include "model/eventlog.h"
#include "model/sim_parts.h"
#include "cli/run_error.h"

/* A scenario with round numbers: build 120 s, push 250 MB at 10 MB/s (25 s),
 * provision 60 s, task provisioning 6 s + pull 25 s + start 10 s +
 * activating 2 s = 43 s. */
static ecsim_scenario *base_scenario(void)
{
    ecsim_scenario *sc = ecsim_scenario_create_default();
    assert_non_null(sc);
    snprintf(sc->name, sizeof sc->name, "t");
    snprintf(sc->image.name, sizeof sc->image.name, "shop-web");
    snprintf(sc->service.name, sizeof sc->service.name, "shop-web");
    snprintf(sc->image.tag, sizeof sc->image.tag, "1.0");
    sc->duration_s = 1800;
    sc->image.build_time_s = 120;
    sc->image.size_mb = 250;
    sc->registry.push = true;
    sc->registry.push_mb_per_s = 10;
    sc->registry.pull_mb_per_s = 10;
    sc->service.provision_time_s = 60;
    sc->service.desired = 2;
    sc->service.task.provisioning_time_s = 6;
    sc->service.task.start_time_s = 10;
    sc->service.task.activating_time_s = 2;
    sc->autoscaler.policy = ECSIM_POLICY_NONE;
    sc->monitoring.period_s = 60;
    sc->monitoring.lag_min_s = 30;
    sc->monitoring.lag_max_s = 150;
    return sc;
}

static ecsim_sim *run(const ecsim_scenario *sc, uint64_t seed)
{
    ecsim_sim *sim = ecsim_sim_create(sc, seed, stderr);
    assert_non_null(sim);
    assert_int_equal(ecsim_sim_run(sim), 0);
    assert_true(ecsim_sim_done(sim));
    return sim;
}

/* ---- the engine guard through a whole run (issue 10 point 3) ------------------ */

static void schedule_into_the_past(ecsim_engine *eng, void *ctx, uint64_t arg)
{
    (void)ctx;
    (void)arg;
    (void)ecsim_engine_schedule(eng, ecsim_engine_now(eng) - 1.0, schedule_into_the_past, NULL, 0);
}

static void test_internal_error_stops_the_run_with_exit_70(void **state)
{
    (void)state;
    ecsim_scenario *sc = base_scenario();
    ecsim_sim *sim = ecsim_sim_create(sc, 42, stderr);
    assert_non_null(sim);
    ecsim_engine *eng = sim_parts_engine(sim);
    assert_int_not_equal(ecsim_engine_schedule(eng, 300, schedule_into_the_past, NULL, 0), 0);
    /* No abort, no endless loop: the run returns the internal error. */
    assert_int_equal(ecsim_sim_run(sim), ECSIM_EINTERNAL);
    assert_false(ecsim_sim_done(sim));
    double now_s, at_s;
    assert_true(ecsim_sim_fault(sim, &now_s, &at_s));
    assert_true(now_s == 300.0 && at_s == 299.0);
    assert_int_equal(ecsim_sim_run(sim), ECSIM_EINTERNAL);
    char *msg = NULL;
    size_t len = 0;
    FILE *err = open_memstream(&msg, &len);
    assert_non_null(err);
    assert_int_equal(ecsim_cli_simulation_failed(sim, ECSIM_EINTERNAL, "ecsim", err),
                     ECSIM_EXIT_SOFTWARE);
    fclose(err);
    assert_non_null(strstr(msg, "ecsim: internal error: at simulated time 00:05:00"));
    assert_non_null(strstr(msg, "event time of 299 s, which is before the clock"));
    assert_non_null(strstr(msg, "(scenario `t`, seed 42)"));
    free(msg);
    ecsim_sim_destroy(sim);
    ecsim_scenario_free(sc);
}

static double step_time(const ecsim_sim *sim, int step)
{
    return ecsim_sim_step_record(sim, step)->time_s;
}

static void test_lifecycle_times_follow_the_scenario(void **state)
{
    (void)state;
    ecsim_scenario *sc = base_scenario();
    ecsim_sim *sim = run(sc, 1);
    assert_float_equal(step_time(sim, 1), 120.0, 1e-9);
    assert_float_equal(step_time(sim, 2), 145.0, 1e-9);
    assert_float_equal(step_time(sim, 3), 205.0, 1e-9);
    assert_float_equal(step_time(sim, 4), 248.0, 1e-9);
    /* no load balancer: healthy 40 s after RUNNING (reference §2.1) */
    assert_float_equal(step_time(sim, 5), 288.0, 1e-9);
    /* first datapoint of a period after steady state: period ending 300 s,
     * published 30..150 s later (reference §7) */
    assert_true(step_time(sim, 6) >= 330.0 && step_time(sim, 6) <= 450.0);
    assert_float_equal(step_time(sim, 7), 1800.0, 1e-9);
    for (int s = 1; s <= ECSIM_STEP_COUNT; s++) {
        assert_true(ecsim_sim_step_record(sim, s)->reached);
        assert_false(ecsim_sim_step_record(sim, s)->failed);
    }
    assert_string_equal(ecsim_sim_summary(sim)->outcome, "running");
    assert_int_equal(ecsim_sim_step_record(sim, 7)->after.running, 2);
    ecsim_sim_destroy(sim);
    ecsim_scenario_free(sc);
}

/* The seed's Status Tracker values, column by column. */
static void test_tracked_variables_match_the_seed(void **state)
{
    (void)state;
    static const char *const image[] = {"None", "Created", "Stored in AWS Registry",
                                        "Ready for deployment", "Deployed to service",
                                        "Running on AWS", "Running and scalable"};
    static const char *const infra[] = {"Not used", "Not used", "Not used",
                                        "Provisioned for service", "Running containers",
                                        "Scaling as needed", "Managed and monitored"};
    ecsim_scenario *sc = base_scenario();
    ecsim_sim *sim = run(sc, 1);
    assert_string_equal(ecsim_sim_start_state(sim)->image, image[0]);
    assert_string_equal(ecsim_sim_start_state(sim)->infrastructure, infra[0]);
    for (int s = 1; s <= 6; s++) {
        assert_string_equal(ecsim_sim_step_record(sim, s)->after.image, image[s]);
        assert_string_equal(ecsim_sim_step_record(sim, s)->after.infrastructure, infra[s]);
    }
    assert_string_equal(ecsim_sim_step_record(sim, 1)->action, "Package app in container image");
    assert_string_equal(ecsim_sim_step_record(sim, 2)->role, "AWS stores image securely");
    assert_string_equal(ecsim_sim_step_record(sim, 4)->result, "App starts running inside containers");
    assert_string_equal(ecsim_sim_step_record(sim, 7)->action, "End");
    ecsim_sim_destroy(sim);
    ecsim_scenario_free(sc);
}

static void test_load_balancer_health_threshold(void **state)
{
    (void)state;
    ecsim_scenario *sc = base_scenario();
    sc->service.load_balancer.enable = true;
    sc->service.load_balancer.health_check_interval_s = 30;
    sc->service.load_balancer.healthy_threshold = 5;
    ecsim_sim *sim = run(sc, 1);
    /* 30 s x 5 = 150 s before the target is healthy (reference §2.1) */
    assert_float_equal(step_time(sim, 5) - step_time(sim, 4), 150.0, 1e-9);
    ecsim_sim_destroy(sim);
    ecsim_scenario_free(sc);
}

static int log_contains(const ecsim_sim *sim, const char *needle)
{
    int n = 0;
    for (size_t i = 0; i < ecsim_sim_log_count(sim); i++)
        n += strstr(ecsim_sim_log_line(sim, i), needle) != NULL;
    return n;
}

static void test_image_not_pushed_with_circuit_breaker(void **state)
{
    (void)state;
    ecsim_scenario *sc = base_scenario();
    sc->registry.push = false;
    sc->service.deployment.circuit_breaker.enable = true;
    sc->service.deployment.circuit_breaker.min_threshold = 3;
    ecsim_sim *sim = run(sc, 1);
    const ecsim_summary *s = ecsim_sim_summary(sim);
    assert_string_equal(s->outcome, "deployment_failed");
    assert_true(ecsim_sim_step_record(sim, 2)->failed);
    assert_true(ecsim_sim_step_record(sim, 4)->reached);
    assert_true(ecsim_sim_step_record(sim, 4)->failed);
    assert_false(ecsim_sim_step_record(sim, 5)->reached);
    assert_false(ecsim_sim_step_record(sim, 6)->reached);
    assert_true(ecsim_sim_step_record(sim, 7)->reached);
    /* desired 2: threshold clamp(ceil(1), 3, 200) = 3 failed tasks, then no
     * more launches (reference §2.2) */
    assert_int_equal(s->tasks_failed, 3);
    assert_int_equal(s->tasks_started, 3);
    assert_int_equal(s->deployments_failed, 1);
    assert_int_equal(ecsim_sim_step_record(sim, 7)->after.running, 0);
    assert_non_null(strstr(ecsim_sim_step_record(sim, 4)->result, "CannotPullContainerError"));
    assert_int_equal(log_contains(sim, "stopped (TaskFailedToStart): CannotPullContainerError"), 3);
    assert_int_equal(log_contains(sim, "retried 1 time(s): failed to resolve ref"), 3);
    assert_int_equal(log_contains(sim, "deployment failed: tasks failed to start"), 1);
    assert_string_equal(ecsim_sim_step_record(sim, 7)->result, "App never ran: deployment failed at step 4");
    assert_true(ecsim_sim_step_record(sim, 4)->fix[0] != '\0');
    ecsim_sim_destroy(sim);
    ecsim_scenario_free(sc);
}

static void test_image_not_pushed_throttle_without_breaker(void **state)
{
    (void)state;
    ecsim_scenario *sc = base_scenario();
    sc->registry.push = false;
    sc->service.deployment.circuit_breaker.enable = false;
    sc->duration_s = 6 * 3600;
    ecsim_sim *sim = ecsim_sim_create(sc, 1, stderr);
    assert_non_null(sim);
    assert_int_equal(ecsim_sim_run(sim), 0);
    /* ECS never stops retrying; launches are spaced out further and further,
     * never more than 15 minutes apart (reference §2.4 item 4). */
    const service *svc = sim_parts_service(sim);
    assert_true(service_task_count(svc) >= 8);
    double prev_gap = 0;
    for (size_t i = 2; i < service_task_count(svc); i++) {
        double gap = service_task_at(svc, i)->launched_s - service_task_at(svc, i - 1)->launched_s;
        assert_true(gap >= prev_gap - 1e-9);
        assert_true(gap <= 900.0 + 6.0 + 1e-9); /* 15 min + the failed attempt itself */
        prev_gap = gap;
    }
    assert_float_equal(service_throttle_delay(svc), 900.0, 1e-9);
    assert_int_equal(ecsim_sim_summary(sim)->tasks_failed, (int)service_task_count(svc));
    assert_true(log_contains(sim, "unable to consistently start tasks successfully") == 1);
    assert_string_equal(ecsim_sim_summary(sim)->outcome, "deployment_failed");
    ecsim_sim_destroy(sim);
    ecsim_scenario_free(sc);
}

static void test_breaker_threshold(void **state)
{
    (void)state;
    /* reference §2.2: desired 25 -> 13, 400 -> 200, 800 -> 200; MIN 3 or 10 */
    assert_int_equal(service_breaker_threshold(2, 3), 3);
    assert_int_equal(service_breaker_threshold(25, 3), 13);
    assert_int_equal(service_breaker_threshold(400, 3), 200);
    assert_int_equal(service_breaker_threshold(800, 3), 200);
    assert_int_equal(service_breaker_threshold(10, 10), 10);
    assert_int_equal(service_breaker_threshold(7, 3), 4);
}

static void test_registry_tags_and_digests(void **state)
{
    (void)state;
    registry *r = registry_create("shop-web", false);
    assert_non_null(r);
    assert_string_equal(registry_repository(r), "shop-web");
    assert_null(registry_resolve(r, "1.0"));
    assert_int_equal(registry_push(r, "1.0", 250, 10), REGISTRY_PUSHED);
    char first[80];
    snprintf(first, sizeof first, "%s", registry_resolve(r, "1.0")->digest);
    assert_int_equal(strncmp(first, "sha256:", 7), 0);
    assert_int_equal(strlen(first), 7 + 64);
    /* re-push moves the tag; the old digest stays pullable (reference §4) */
    assert_int_equal(registry_push(r, "1.0", 260, 20), REGISTRY_PUSHED);
    assert_string_not_equal(registry_resolve(r, "1.0")->digest, first);
    assert_non_null(registry_by_digest(r, first));
    assert_float_equal(registry_by_digest(r, first)->size_mb, 250, 0);
    assert_float_equal(registry_resolve(r, "1.0")->size_mb, 260, 0);
    assert_null(registry_by_digest(r, "sha256:0000"));
    /* many pushes: the hashed lookups keep every tag and digest */
    for (int i = 0; i < 500; i++) {
        char tag[16];
        snprintf(tag, sizeof tag, "v%d", i);
        assert_int_equal(registry_push(r, tag, i, 30 + i), REGISTRY_PUSHED);
    }
    assert_int_equal(registry_image_count(r), 502);
    assert_float_equal(registry_resolve(r, "v317")->size_mb, 317, 0);
    const registry_image *img = registry_image_at(r, 2 + 499);
    assert_string_equal(img->tag, "v499");
    assert_ptr_equal(registry_by_digest(r, img->digest), img);
    assert_int_equal(registry_image_index(r, img), 501);
    assert_non_null(registry_by_digest(r, first));
    /* an outage: unreachable in [from, until) */
    assert_true(registry_reachable(r, 100));
    registry_set_outage(r, 100, 160);
    assert_false(registry_reachable(r, 100));
    assert_false(registry_reachable(r, 159.9));
    assert_true(registry_reachable(r, 160));
    assert_float_equal(registry_outage_until(r), 160, 0);
    registry_destroy(r);

    r = registry_create("shop-web", true);
    assert_int_equal(registry_push(r, "1.0", 250, 10), REGISTRY_PUSHED);
    assert_int_equal(registry_push(r, "1.0", 250, 20), REGISTRY_TAG_EXISTS);
    assert_int_equal(registry_push(r, "1.1", 250, 20), REGISTRY_PUSHED);
    registry_destroy(r);
}

static void test_fargate_launch_rate(void **state)
{
    (void)state;
    ecsim_scenario *sc = base_scenario();
    sc->service.desired = 150;
    sc->autoscaler.max = 200;
    ecsim_sim *sim = run(sc, 1);
    /* token bucket: 100 at once, then 20 per second (reference §2.5) */
    const service *svc = sim_parts_service(sim);
    assert_true(service_task_count(svc) >= 150);
    assert_float_equal(service_task_at(svc, 99)->launched_s, 205.0, 1e-9);
    assert_float_equal(service_task_at(svc, 100)->launched_s, 205.05, 1e-9);
    assert_float_equal(service_task_at(svc, 149)->launched_s, 207.5, 1e-9);
    ecsim_sim_destroy(sim);
    ecsim_scenario_free(sc);
}

/* The account's Fargate vCPU quota stops launches (reference §2.6). */
static void test_vcpu_quota(void **state)
{
    (void)state;
    ecsim_scenario *sc = base_scenario();
    sc->service.desired = 10;
    sc->autoscaler.max = 10;
    sc->service.task.vcpu = 1;
    sc->service.launch_limits.vcpu_quota = 4;
    ecsim_sim *sim = run(sc, 1);
    assert_int_equal(ecsim_sim_step_record(sim, 7)->after.running, 4);
    assert_int_equal(ecsim_sim_step_record(sim, 7)->after.desired, 10);
    assert_int_equal((int)service_task_count(sim_parts_service(sim)), 4);
    assert_int_equal(log_contains(sim, "You've reached the limit on the number of vCPUs you can run "
                                       "concurrently (quota 4 vCPU, 4 in use)"), 1);
    ecsim_sim_destroy(sim);
    ecsim_scenario_free(sc);
}

/* The service scheduler's pace: at most tasks_per_minute per minute
 * (reference §2.5), as a bucket of that many refilled over a minute. */
static void test_scheduler_tasks_per_minute(void **state)
{
    (void)state;
    ecsim_scenario *sc = base_scenario();
    sc->service.desired = 520;
    sc->autoscaler.max = 600;
    sc->service.launch_limits.fargate_burst = 100000;
    sc->service.launch_limits.fargate_rate_per_s = 100000;
    sc->service.launch_limits.tasks_per_minute = 500;
    ecsim_sim *sim = run(sc, 1);
    const service *svc = sim_parts_service(sim);
    assert_true(service_task_count(svc) >= 520);
    assert_float_equal(service_task_at(svc, 499)->launched_s, 205.0, 1e-9);
    assert_float_equal(service_task_at(svc, 500)->launched_s, 205.0 + 60.0 / 500, 1e-6);
    assert_float_equal(service_task_at(svc, 519)->launched_s, 205.0 + 20 * 60.0 / 500, 1e-6);
    ecsim_sim_destroy(sim);
    ecsim_scenario_free(sc);
}

static void test_advance_one_step_at_a_time(void **state)
{
    (void)state;
    ecsim_scenario *sc = base_scenario();
    ecsim_sim *sim = ecsim_sim_create(sc, 1, stderr);
    int step = 0;
    for (int want = 1; want <= 7; want++) {
        assert_int_equal(ecsim_sim_advance(sim, &step), 1);
        assert_int_equal(step, want);
    }
    assert_true(ecsim_sim_done(sim));
    assert_int_equal(ecsim_sim_advance(sim, &step), 0);
    ecsim_sim_destroy(sim);

    sc->registry.push = false;
    sc->service.deployment.circuit_breaker.enable = true;
    sim = ecsim_sim_create(sc, 1, stderr);
    static const int expect[] = {1, 2, 3, 4, 7};
    for (size_t i = 0; i < sizeof expect / sizeof expect[0]; i++) {
        assert_int_equal(ecsim_sim_advance(sim, &step), 1);
        assert_int_equal(step, expect[i]);
    }
    assert_true(ecsim_sim_done(sim));
    ecsim_sim_destroy(sim);
    ecsim_scenario_free(sc);
}

static void test_deterministic(void **state)
{
    (void)state;
    ecsim_scenario *sc = base_scenario();
    ecsim_sim *a = run(sc, 99), *b = run(sc, 99);
    assert_int_equal(ecsim_sim_log_count(a), ecsim_sim_log_count(b));
    for (size_t i = 0; i < ecsim_sim_log_count(a); i++)
        assert_string_equal(ecsim_sim_log_line(a, i), ecsim_sim_log_line(b, i));
    assert_float_equal(step_time(a, 6), step_time(b, 6), 0);
    ecsim_sim_destroy(a);
    ecsim_sim_destroy(b);
    ecsim_scenario_free(sc);
}

static void test_out_of_memory_is_reported(void **state)
{
    (void)state;
    ecsim_scenario *sc = base_scenario();
    for (long n = 1; n < 400; n++) {
        long before = ecsim_alloc_live();
        ecsim_alloc_fail_after(n);
        ecsim_sim *sim = ecsim_sim_create(sc, 1, stderr);
        int rc = sim ? ecsim_sim_run(sim) : ECSIM_ENOMEM;
        ecsim_alloc_fail_after(0);
        assert_true(rc == 0 || rc == ECSIM_ENOMEM);
        ecsim_sim_destroy(sim);
        assert_int_equal(ecsim_alloc_live(), before);
        if (rc == 0)
            break;
    }
    ecsim_scenario_free(sc);
}

/* The event log keeps a bounded amount of text in memory: older lines
 * spill to a temporary file and read back the same, in order and at random. */
static void test_eventlog_spills_and_reads_back(void **state)
{
    (void)state;
    eventlog *log = eventlog_create();
    assert_non_null(log);
    const size_t n = 30000;
    char msg[160], want[200];
    for (size_t i = 0; i < n; i++) {
        snprintf(msg, sizeof msg, "line %zu of a long run, padded to spill the arena sooner ......", i);
        char clock[32];
        assert_int_equal(eventlog_add(log, ecsim_fmt_clock(clock, sizeof clock, (double)i), msg), 0);
    }
    assert_int_equal(eventlog_count(log), n);
    for (size_t i = 0; i < n; i++) {
        snprintf(want, sizeof want, "line %zu of", i);
        const char *line = eventlog_line(log, i);
        assert_non_null(line);
        assert_non_null(strstr(line, want));
    }
    static const size_t probes[] = {29999, 0, 15000, 1, 2047, 29998};
    for (size_t k = 0; k < sizeof probes / sizeof probes[0]; k++) {
        snprintf(want, sizeof want, "  line %zu of", probes[k]);
        assert_non_null(strstr(eventlog_line(log, probes[k]), want));
    }
    assert_string_equal(eventlog_line(log, 0),
                        "00:00:00    line 0 of a long run, padded to spill the arena sooner ......");
    assert_null(eventlog_line(log, n));
    eventlog_destroy(log);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lifecycle_times_follow_the_scenario),
        cmocka_unit_test(test_internal_error_stops_the_run_with_exit_70),
        cmocka_unit_test(test_tracked_variables_match_the_seed),
        cmocka_unit_test(test_load_balancer_health_threshold),
        cmocka_unit_test(test_image_not_pushed_with_circuit_breaker),
        cmocka_unit_test(test_image_not_pushed_throttle_without_breaker),
        cmocka_unit_test(test_breaker_threshold),
        cmocka_unit_test(test_registry_tags_and_digests),
        cmocka_unit_test(test_fargate_launch_rate),
        cmocka_unit_test(test_vcpu_quota),
        cmocka_unit_test(test_scheduler_tasks_per_minute),
        cmocka_unit_test(test_advance_one_step_at_a_time),
        cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_out_of_memory_is_reported),
        cmocka_unit_test(test_eventlog_spills_and_reads_back),
    };
    return cmocka_run_group_tests_name("sim", tests, NULL, NULL);
}
