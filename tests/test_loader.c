/* Tests of the scenario loader (sim/input/loader.c, sim/input/schema.c, sim/core/sha256.c):
 * durations, every default, a full scenario round trip, --set, clone/free,
 * allocation-failure injection, the field reference and SHA-256. The
 * bad-input corpus has its own suite (tests/test_bad_corpus.c). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ecsim/alloc.h"
#include "ecsim/error.h"
#include "ecsim/loader.h"
#include "ecsim/output.h"

#define FULL "tests/data/loader/full.yaml"

/* cmocka < 1.1.6 has no assert_double_equal. */
#ifndef assert_double_equal
#define assert_double_equal(a, b, eps)                                                       \
    do {                                                                                     \
        double a_ = (a), b_ = (b);                                                           \
        if (!(fabs(a_ - b_) <= (eps)))                                                       \
            fail_msg("%s is %.17g, expected %.17g", #a, a_, b_);                             \
    } while (0)
#endif

/* Load `text` with `sets`; the printed diagnostics go to `out` (if non-NULL). */
static ecsim_scenario *load_text(const char *text, const char *const *sets, size_t nsets,
                                 char *out, size_t out_size)
{
    ecsim_diags d;
    ecsim_diags_init(&d);
    ecsim_scenario *sc = ecsim_scenario_load_string(text, strlen(text), "t.yaml", sets, nsets, &d);
    if (out) {
        FILE *fp = fmemopen(out, out_size, "w");
        assert_non_null(fp);
        ecsim_diags_print(&d, fp);
        fclose(fp);
    }
    ecsim_diags_free(&d);
    return sc;
}

static ecsim_scenario *load_full(const char *const *sets, size_t nsets)
{
    ecsim_diags d;
    ecsim_diags_init(&d);
    ecsim_scenario *sc = ecsim_scenario_load(FULL, sets, nsets, &d);
    if (!sc)
        ecsim_diags_print(&d, stderr);
    ecsim_diags_free(&d);
    return sc;
}

/* ---- durations ---- */

static void test_durations(void **state)
{
    (void)state;
    static const struct { const char *text; double s; } good[] = {
        {"90s", 90}, {"5m", 300}, {"1h30m", 5400}, {"2d", 172800}, {"1.5", 1.5},
        {"20ms", 0.02}, {"0", 0}, {"90", 90}, {"1d2h3m4s5ms", 93784.005}, {"1.5h", 5400},
        {"0s", 0}, {"366d", 31622400}};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        double v = -1;
        assert_int_equal(ecsim_parse_duration(good[i].text, &v), 0);
        assert_double_equal(v, good[i].s, 1e-9);
    }
    static const char *const bad[] = {"5 minutes", "-3s", "1h30", "", "abc", "30m1h", "1hh",
                                      "inf", "nan", "-1", "1e400", " 5s", "5s ", "1h-30m",
                                      "h", "5x", "1m1m", ".inf", "0x10"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        double v = 42;
        assert_int_equal(ecsim_parse_duration(bad[i], &v), ECSIM_EINVAL);
        assert_double_equal(v, 42, 0);
    }
}

static void test_duration_fields(void **state)
{
    (void)state;
    ecsim_scenario *sc = load_text("name: x\nduration: 1h30m\nimage: {build_time: 90}\n", NULL,
                                   0, NULL, 0);
    assert_non_null(sc);
    assert_double_equal(sc->duration_s, 5400, 0);
    assert_double_equal(sc->image.build_time_s, 90, 0);
    ecsim_scenario_free(sc);
    char out[2048];
    sc = load_text("name: x\nduration: 367d\n", NULL, 0, out, sizeof out);
    assert_null(sc);
    assert_string_equal(out, "t.yaml:2:11: error: duration: expected a duration >= 1s and <= 366d "
                             "(seconds, or e.g. 90s, 5m, 1h30m, 2d, 20ms), got \"367d\"\n");
}

/* ---- defaults ---- */

static void check_defaults(const ecsim_scenario *sc)
{
    assert_string_equal(sc->description, "");
    assert_true(sc->seed == 1);
    assert_double_equal(sc->duration_s, 3600, 0);
    assert_string_equal(sc->image.name, "app");
    assert_string_equal(sc->image.tag, "1.0");
    assert_double_equal(sc->image.size_mb, 250, 0);
    assert_double_equal(sc->image.build_time_s, 120, 0);
    assert_true(sc->registry.push);
    assert_double_equal(sc->registry.push_mb_per_s, 10, 0);
    assert_double_equal(sc->registry.pull_mb_per_s, 10, 0);
    assert_false(sc->registry.immutable_tags);
    const ecsim_service_spec *sv = &sc->service;
    assert_string_equal(sv->name, "app");
    assert_int_equal(sv->platform, ECSIM_PLATFORM_FARGATE);
    assert_double_equal(sv->provision_time_s, 60, 0);
    assert_int_equal(sv->desired, 2);
    assert_int_equal(sv->availability_zones, 3);
    assert_double_equal(sv->task.vcpu, 0.5, 0);
    assert_double_equal(sv->task.memory_gb, 1, 0);
    assert_double_equal(sv->task.provisioning_time_s, 6, 0);
    assert_double_equal(sv->task.start_time_s, 10, 0);
    assert_double_equal(sv->task.activating_time_s, 2, 0);
    assert_double_equal(sv->task.stop_timeout_s, 30, 0);
    assert_double_equal(sv->task.capacity_rps, 100, 0);
    assert_double_equal(sv->task.health_check_grace_s, 0, 0);
    assert_double_equal(sv->task.cpu_idle_pct, 2, 0);
    assert_double_equal(sv->task.memory_idle_pct, 30, 0);
    assert_double_equal(sv->task.memory_busy_pct, 60, 0);
    assert_false(sv->load_balancer.enable);
    assert_double_equal(sv->load_balancer.health_check_interval_s, 30, 0);
    assert_int_equal(sv->load_balancer.healthy_threshold, 5);
    assert_int_equal(sv->load_balancer.unhealthy_threshold, 2);
    assert_double_equal(sv->load_balancer.deregistration_delay_s, 300, 0);
    assert_double_equal(sv->deployment.min_healthy_percent, 100, 0);
    assert_double_equal(sv->deployment.max_percent, 200, 0);
    assert_false(sv->deployment.circuit_breaker.enable);
    assert_false(sv->deployment.circuit_breaker.rollback);
    assert_int_equal(sv->deployment.circuit_breaker.min_threshold, 3);
    assert_double_equal(sv->deployment.max_surge.value, 25, 0);
    assert_true(sv->deployment.max_surge.percent);
    assert_double_equal(sv->deployment.max_unavailable.value, 25, 0);
    assert_true(sv->deployment.max_unavailable.percent);
    assert_double_equal(sv->deployment.progress_deadline_s, 600, 0);
    assert_string_equal(sv->cluster.instance_type, "m5.large");
    assert_double_equal(sv->cluster.vcpu, 2, 0);
    assert_double_equal(sv->cluster.memory_gb, 8, 0);
    assert_int_equal(sv->cluster.instances, 2);
    assert_int_equal(sv->cluster.min_instances, 0);
    assert_int_equal(sv->cluster.max_instances, 10);
    assert_double_equal(sv->cluster.boot_time_s, 60, 0);
    assert_double_equal(sv->cluster.boot_time_p95_s, 180, 0);
    assert_int_equal(sv->cluster.placement, ECSIM_PLACEMENT_BINPACK);
    assert_true(sv->cluster.managed_scaling.enable);
    assert_double_equal(sv->cluster.managed_scaling.target_capacity, 100, 0);
    assert_int_equal(sv->cluster.managed_scaling.min_step, 1);
    assert_int_equal(sv->cluster.managed_scaling.max_step, 10000);
    assert_double_equal(sv->cluster.managed_scaling.warmup_s, 300, 0);
    assert_double_equal(sv->throttle.initial_s, 10, 0);
    assert_double_equal(sv->throttle.multiplier, 2, 0);
    assert_double_equal(sv->throttle.max_s, 900, 0);
    assert_double_equal(sv->launch_limits.fargate_burst, 100, 0);
    assert_double_equal(sv->launch_limits.fargate_rate_per_s, 20, 0);
    assert_double_equal(sv->launch_limits.tasks_per_minute, 0, 0);
    const ecsim_load_spec *ld = &sc->load;
    assert_int_equal(ld->mode, ECSIM_LOAD_FLUID);
    assert_null(ld->profile);
    assert_int_equal(ld->profile_count, 0);
    assert_string_equal(ld->trace, "");
    assert_double_equal(ld->noise.cv, 0, 0);
    assert_double_equal(ld->noise.interval_s, 60, 0);
    assert_int_equal(ld->requests.dist, ECSIM_DIST_EXPONENTIAL);
    assert_double_equal(ld->requests.mean_s, 0.01, 1e-15);
    assert_double_equal(ld->requests.cv, 1, 0);
    assert_double_equal(ld->requests.min_s, 0, 0);
    assert_double_equal(ld->requests.max_s, 0.02, 1e-15);
    assert_string_equal(ld->requests.empirical_file, "");
    assert_int_equal(ld->requests.concurrency, 1);
    assert_int_equal(ld->requests.queue_limit, 100);
    assert_int_equal(ld->requests.routing, ECSIM_ROUTING_LEAST_OUTSTANDING);
    assert_double_equal(ld->requests.timeout_s, 5, 0);
    const ecsim_autoscaler_spec *as = &sc->autoscaler;
    assert_int_equal(as->policy, ECSIM_POLICY_NONE);
    assert_int_equal(as->min, 1);
    assert_int_equal(as->max, 10);
    assert_int_equal(as->metric, ECSIM_METRIC_CPU);
    assert_double_equal(as->target, 60, 0);
    assert_double_equal(as->scale_out_cooldown_s, 300, 0);
    assert_double_equal(as->scale_in_cooldown_s, 300, 0);
    assert_false(as->disable_scale_in);
    assert_double_equal(sc->monitoring.period_s, 60, 0);
    assert_double_equal(sc->monitoring.lag_min_s, 30, 0);
    assert_double_equal(sc->monitoring.lag_max_s, 150, 0);
    assert_null(sc->events);
    assert_int_equal(sc->event_count, 0);
    assert_double_equal(sc->pricing.fargate_vcpu_hour, 0.04048, 0);
    assert_double_equal(sc->pricing.fargate_gb_hour, 0.004445, 0);
    assert_double_equal(sc->pricing.instance_hour, 0.096, 0);
    assert_double_equal(sc->pricing.registry_gb_month, 0.10, 0);
    assert_double_equal(sc->pricing.spot_discount, 0.70, 0);
}

static void test_defaults_minimal(void **state)
{
    (void)state;
    ecsim_diags d;
    ecsim_diags_init(&d);
    ecsim_scenario *sc = ecsim_scenario_load("tests/data/loader/minimal.yaml", NULL, 0, &d);
    assert_non_null(sc);
    assert_int_equal(d.count, 0);
    assert_string_equal(sc->name, "x");
    check_defaults(sc);
    assert_string_equal(sc->source_path, "tests/data/loader/minimal.yaml");
    /* sha256sum of "name: x\n" */
    assert_string_equal(sc->sha256,
                        "a2a79ea37edb1963efaae29281523ab441a8a99df048d204f22f3f413e325afc");
    ecsim_scenario_free(sc);
    ecsim_diags_free(&d);

    sc = ecsim_scenario_create_default();
    assert_non_null(sc);
    assert_string_equal(sc->name, "scenario");
    check_defaults(sc);
    ecsim_scenario_free(sc);
}

/* The data files are read when the scenario is loaded, relative to it;
 * quoted CSV fields are fine; the scenario owns the rows and a clone
 * copies them. */
static void test_data_files_read_at_load(void **state)
{
    (void)state;
    long baseline = ecsim_alloc_live();
    ecsim_diags d;
    ecsim_diags_init(&d);
    ecsim_scenario *sc = ecsim_scenario_load("tests/data/loader/quoted_trace.yaml", NULL, 0, &d);
    assert_non_null(sc);
    assert_int_equal(d.count, 0);
    assert_int_equal(sc->load.trace_data.count, 3);
    assert_true(sc->load.trace_data.t[1] == 60 && sc->load.trace_data.rps[1] == 200);
    ecsim_scenario *copy = ecsim_scenario_clone(sc);
    assert_non_null(copy);
    assert_true(copy->load.trace_data.t != sc->load.trace_data.t);
    assert_memory_equal(copy->load.trace_data.rps, sc->load.trace_data.rps, 3 * sizeof(double));
    ecsim_scenario_free(sc);
    ecsim_scenario_free(copy);

    sc = ecsim_scenario_load("tests/data/loader/quoted_files.yaml", NULL, 0, &d);
    assert_non_null(sc);
    const ecsim_requests_spec *rq = &sc->load.requests;
    assert_int_equal(rq->arrival_count, 3);
    assert_true(rq->arrival_times[0] == 0.5 && rq->arrival_times[2] == 4.25);
    assert_int_equal(rq->empirical_count, 2);
    assert_true(rq->empirical_s[0] == 0.5 && rq->empirical_s[1] == 1.5);
    ecsim_scenario_free(sc);

    /* Arrivals at or after the duration are not kept (nor read further). */
    const char *sets[] = {"duration=3s"};
    sc = ecsim_scenario_load("tests/data/loader/quoted_files.yaml", sets, 1, &d);
    assert_non_null(sc);
    assert_int_equal(sc->load.requests.arrival_count, 2);
    ecsim_scenario_free(sc);

    /* In fluid mode the service times are not used, so not read. */
    const char *fluid[] = {"load.mode=fluid", "load.requests.service_time.file=none.csv"};
    sc = ecsim_scenario_load("tests/data/loader/quoted_files.yaml", fluid, 2, &d);
    assert_non_null(sc);
    assert_int_equal(sc->load.requests.empirical_count, 0);
    ecsim_scenario_free(sc);
    assert_int_equal(d.count, 0);
    ecsim_diags_free(&d);
    assert_int_equal(ecsim_alloc_live(), baseline);
}

static void test_computed_defaults(void **state)
{
    (void)state;
    ecsim_scenario *sc = load_text("name: x\nimage: {name: shop}\n"
                                   "service: {platform: eks, task: {capacity_rps: 50}}\n"
                                   "autoscaler: {policy: hpa}\n",
                                   NULL, 0, NULL, 0);
    assert_non_null(sc);
    assert_string_equal(sc->service.name, "shop");
    assert_double_equal(sc->load.requests.mean_s, 0.02, 1e-15);
    assert_double_equal(sc->load.requests.max_s, 0.04, 1e-15);
    assert_double_equal(sc->autoscaler.target, 80, 0); /* reference §5.1 */
    ecsim_scenario_free(sc);
    sc = load_text("name: x\nservice: {platform: eks}\nautoscaler: {policy: hpa, target: 50}\n"
                   "load: {requests: {service_time: {mean: 100ms}}}\n", NULL, 0, NULL, 0);
    assert_non_null(sc);
    assert_double_equal(sc->autoscaler.target, 50, 0);
    assert_double_equal(sc->load.requests.max_s, 0.2, 1e-15);
    ecsim_scenario_free(sc);
}

/* ---- the full scenario ---- */

static void check_full(const ecsim_scenario *sc)
{
    assert_string_equal(sc->name, "full-scenario_1.0");
    assert_string_equal(sc->description, "every field set");
    assert_true(sc->seed == UINT64_MAX);
    assert_double_equal(sc->duration_s, 5 * 3600, 0);
    assert_string_equal(sc->image.name, "shop-web");
    assert_string_equal(sc->image.tag, "2.1");
    assert_double_equal(sc->image.size_mb, 300, 0);
    assert_double_equal(sc->image.build_time_s, 180, 0);
    assert_false(sc->registry.push);
    assert_double_equal(sc->registry.push_mb_per_s, 40, 0);
    assert_double_equal(sc->registry.pull_mb_per_s, 80, 0);
    assert_true(sc->registry.immutable_tags);
    const ecsim_service_spec *sv = &sc->service;
    assert_string_equal(sv->name, "shop-service");
    assert_int_equal(sv->platform, ECSIM_PLATFORM_EC2);
    assert_double_equal(sv->provision_time_s, 90, 0);
    assert_int_equal(sv->desired, 4);
    assert_int_equal(sv->availability_zones, 2);
    assert_double_equal(sv->task.vcpu, 1, 0);
    assert_double_equal(sv->task.memory_gb, 2, 0);
    assert_double_equal(sv->task.provisioning_time_s, 7, 0);
    assert_double_equal(sv->task.start_time_s, 15, 0);
    assert_double_equal(sv->task.activating_time_s, 3, 0);
    assert_double_equal(sv->task.stop_timeout_s, 45, 0);
    assert_double_equal(sv->task.capacity_rps, 200, 0);
    assert_double_equal(sv->task.health_check_grace_s, 30, 0);
    assert_double_equal(sv->task.cpu_idle_pct, 3, 0);
    assert_double_equal(sv->task.memory_idle_pct, 25, 0);
    assert_double_equal(sv->task.memory_busy_pct, 70, 0);
    assert_true(sv->load_balancer.enable);
    assert_double_equal(sv->load_balancer.health_check_interval_s, 10, 0);
    assert_int_equal(sv->load_balancer.healthy_threshold, 3);
    assert_int_equal(sv->load_balancer.unhealthy_threshold, 4);
    assert_double_equal(sv->load_balancer.deregistration_delay_s, 60, 0);
    assert_double_equal(sv->deployment.min_healthy_percent, 50, 0);
    assert_double_equal(sv->deployment.max_percent, 150, 0);
    assert_true(sv->deployment.circuit_breaker.enable);
    assert_true(sv->deployment.circuit_breaker.rollback);
    assert_int_equal(sv->deployment.circuit_breaker.min_threshold, 10);
    assert_double_equal(sv->deployment.max_surge.value, 2, 0);
    assert_false(sv->deployment.max_surge.percent);
    assert_double_equal(sv->deployment.max_unavailable.value, 10, 0);
    assert_true(sv->deployment.max_unavailable.percent);
    assert_double_equal(sv->deployment.progress_deadline_s, 300, 0);
    assert_string_equal(sv->cluster.instance_type, "c5.xlarge");
    assert_double_equal(sv->cluster.vcpu, 4, 0);
    assert_double_equal(sv->cluster.memory_gb, 8, 0);
    assert_int_equal(sv->cluster.instances, 3);
    assert_int_equal(sv->cluster.min_instances, 1);
    assert_int_equal(sv->cluster.max_instances, 20);
    assert_double_equal(sv->cluster.boot_time_s, 45, 0);
    assert_double_equal(sv->cluster.boot_time_p95_s, 120, 0);
    assert_int_equal(sv->cluster.placement, ECSIM_PLACEMENT_SPREAD);
    assert_false(sv->cluster.managed_scaling.enable);
    assert_double_equal(sv->cluster.managed_scaling.target_capacity, 90, 0);
    assert_int_equal(sv->cluster.managed_scaling.min_step, 2);
    assert_int_equal(sv->cluster.managed_scaling.max_step, 50);
    assert_double_equal(sv->cluster.managed_scaling.warmup_s, 200, 0);
    assert_double_equal(sv->throttle.initial_s, 20, 0);
    assert_double_equal(sv->throttle.multiplier, 3, 0);
    assert_double_equal(sv->throttle.max_s, 600, 0);
    assert_double_equal(sv->launch_limits.fargate_burst, 50, 0);
    assert_double_equal(sv->launch_limits.fargate_rate_per_s, 10, 0);
    assert_double_equal(sv->launch_limits.tasks_per_minute, 100, 0);
    const ecsim_load_spec *ld = &sc->load;
    assert_int_equal(ld->mode, ECSIM_LOAD_REQUESTS);
    assert_int_equal(ld->profile_count, 6);
    const ecsim_load_segment *p = ld->profile;
    assert_int_equal(p[0].shape, ECSIM_SHAPE_CONSTANT);
    assert_double_equal(p[0].until_s, 1800, 0);
    assert_double_equal(p[0].rps, 100, 0);
    assert_int_equal(p[1].shape, ECSIM_SHAPE_RAMP);
    assert_double_equal(p[1].until_s, 3600, 0);
    assert_double_equal(p[1].ramp_to, 800, 0);
    assert_int_equal(p[2].shape, ECSIM_SHAPE_SINE);
    assert_double_equal(p[2].sine.mean, 500, 0);
    assert_double_equal(p[2].sine.amplitude, 300, 0);
    assert_double_equal(p[2].sine.period_s, 1800, 0);
    assert_double_equal(p[2].sine.phase_s, 300, 0);
    assert_int_equal(p[3].shape, ECSIM_SHAPE_DIURNAL);
    assert_double_equal(p[3].diurnal.min, 50, 0);
    assert_double_equal(p[3].diurnal.max, 900, 0);
    assert_double_equal(p[3].diurnal.peak_at_s, 15 * 3600, 0);
    assert_int_equal(p[4].shape, ECSIM_SHAPE_SPIKE);
    assert_double_equal(p[4].spike.base, 100, 0);
    assert_double_equal(p[4].spike.peak, 1000, 0);
    assert_double_equal(p[4].spike.at_s, 3.5 * 3600, 0);
    assert_double_equal(p[4].spike.duration_s, 120, 0);
    assert_int_equal(p[5].shape, ECSIM_SHAPE_STEP);
    assert_double_equal(p[5].until_s, 5 * 3600, 0);
    assert_double_equal(p[5].step.from, 200, 0);
    assert_double_equal(p[5].step.to, 400, 0);
    assert_double_equal(p[5].step.at_s, 4.5 * 3600, 0);
    assert_string_equal(ld->trace, "");
    assert_double_equal(ld->noise.cv, 0.1, 0);
    assert_double_equal(ld->noise.interval_s, 30, 0);
    assert_int_equal(ld->requests.dist, ECSIM_DIST_UNIFORM);
    assert_double_equal(ld->requests.mean_s, 0.02, 1e-15);
    assert_double_equal(ld->requests.cv, 0.5, 0);
    assert_double_equal(ld->requests.min_s, 0.005, 1e-15);
    assert_double_equal(ld->requests.max_s, 0.04, 1e-15);
    assert_string_equal(ld->requests.empirical_file, "times.csv");
    assert_int_equal(ld->requests.concurrency, 4);
    assert_int_equal(ld->requests.queue_limit, 50);
    assert_int_equal(ld->requests.routing, ECSIM_ROUTING_ROUND_ROBIN);
    assert_double_equal(ld->requests.timeout_s, 2, 0);
    const ecsim_autoscaler_spec *as = &sc->autoscaler;
    assert_int_equal(as->policy, ECSIM_POLICY_STEP_SCALING);
    assert_int_equal(as->min, 2);
    assert_int_equal(as->max, 30);
    assert_int_equal(as->metric, ECSIM_METRIC_MEMORY);
    assert_double_equal(as->target, 70, 0);
    assert_double_equal(as->scale_out_cooldown_s, 120, 0);
    assert_double_equal(as->scale_in_cooldown_s, 600, 0);
    assert_true(as->disable_scale_in);
    assert_double_equal(sc->monitoring.period_s, 30, 0);
    assert_double_equal(sc->monitoring.lag_min_s, 10, 0);
    assert_double_equal(sc->monitoring.lag_max_s, 100, 0);
    /* Events are stable-sorted by time: the two at 1h keep their file order. */
    assert_int_equal(sc->event_count, 7);
    const ecsim_event_spec *e = sc->events;
    assert_int_equal(e[0].action, ECSIM_ACTION_KILL_TASKS);
    assert_double_equal(e[0].at_s, 3600, 0);
    assert_int_equal(e[0].count, 2);
    assert_int_equal(e[1].action, ECSIM_ACTION_SCALE);
    assert_int_equal(e[1].desired, 6);
    assert_int_equal(e[2].action, ECSIM_ACTION_DEPLOY);
    assert_double_equal(e[2].at_s, 7200, 0);
    assert_string_equal(e[2].tag, "2.2");
    assert_false(e[2].build);
    assert_int_equal(e[2].defect, ECSIM_DEFECT_UNHEALTHY);
    assert_int_equal(e[3].action, ECSIM_ACTION_AZ_OUTAGE);
    assert_int_equal(e[3].az, 2);
    assert_double_equal(e[3].duration_s, 900, 0);
    assert_int_equal(e[4].action, ECSIM_ACTION_REGISTRY_OUTAGE);
    assert_double_equal(e[4].duration_s, 300, 0);
    assert_int_equal(e[5].action, ECSIM_ACTION_FAIL_INSTANCES);
    assert_int_equal(e[5].count, 1);
    assert_int_equal(e[6].action, ECSIM_ACTION_KILL_TASKS); /* spot_interruption needs fargate */
    assert_int_equal(e[6].count, 3);
    assert_double_equal(e[6].at_s, 3 * 3600 + 40 * 60, 0);
    /* Defaults of event fields that were not given. */
    assert_true(e[0].build);
    assert_int_equal(e[0].defect, ECSIM_DEFECT_NONE);
    assert_double_equal(e[0].duration_s, 600, 0);
    assert_double_equal(sc->pricing.fargate_vcpu_hour, 0.05, 0);
    assert_double_equal(sc->pricing.fargate_gb_hour, 0.005, 0);
    assert_double_equal(sc->pricing.instance_hour, 0.17, 0);
    assert_double_equal(sc->pricing.registry_gb_month, 0.2, 0);
    assert_double_equal(sc->pricing.spot_discount, 0.5, 0);
}

static void test_full_roundtrip(void **state)
{
    (void)state;
    ecsim_scenario *sc = load_full(NULL, 0);
    assert_non_null(sc);
    check_full(sc);
    assert_string_equal(sc->source_path, FULL);
    assert_int_equal(strlen(sc->sha256), 64);
    ecsim_scenario_free(sc);
}

/* ---- --set ---- */

static void test_set_values(void **state)
{
    (void)state;
    const char *sets[] = {"autoscaler.target=65", "load.profile[1].ramp_to=900", "events[0].at=2h",
                          "service.task.vcpu=2", "image.tag='3.0'", "load.profile[0].sine.mean=7",
                          "events[1]={at: 10m, action: scale, desired: 8}",
                          "service.deployment.max_surge=50%"};
    ecsim_scenario *sc = load_full(sets, sizeof sets / sizeof sets[0]);
    assert_non_null(sc);
    assert_double_equal(sc->autoscaler.target, 65, 0);
    assert_double_equal(sc->load.profile[1].ramp_to, 900, 0);
    assert_double_equal(sc->service.task.vcpu, 2, 0);
    assert_string_equal(sc->image.tag, "3.0");
    /* Setting a shape key changes the segment's shape. */
    assert_int_equal(sc->load.profile[0].shape, ECSIM_SHAPE_SINE);
    assert_double_equal(sc->load.profile[0].sine.mean, 7, 0);
    assert_true(sc->load.profile[0].sine.amplitude == 0);
    /* events[0] (deploy at 2h, file order) stays at 2h; events[1] became a
     * scale at 10m, sorted first. */
    assert_int_equal(sc->events[0].action, ECSIM_ACTION_SCALE);
    assert_double_equal(sc->events[0].at_s, 600, 0);
    assert_int_equal(sc->events[0].desired, 8);
    assert_double_equal(sc->service.deployment.max_surge.value, 50, 0);
    assert_true(sc->service.deployment.max_surge.percent);
    char sha_with_sets[65];
    memcpy(sha_with_sets, sc->sha256, 65);
    ecsim_scenario_free(sc);

    /* The hash covers the file and then "\n--set " + each assignment. */
    sc = load_full(NULL, 0);
    assert_non_null(sc);
    assert_string_not_equal(sc->sha256, sha_with_sets);
    ecsim_scenario_free(sc);
    FILE *fp = fopen(FULL, "rb");
    assert_non_null(fp);
    static char buf[1 << 16];
    size_t len = fread(buf, 1, sizeof buf, fp);
    fclose(fp);
    ecsim_sha256 h;
    ecsim_sha256_init(&h);
    ecsim_sha256_update(&h, buf, len);
    for (size_t i = 0; i < sizeof sets / sizeof sets[0]; i++) {
        ecsim_sha256_update(&h, "\n--set ", 7);
        ecsim_sha256_update(&h, sets[i], strlen(sets[i]));
    }
    char hex[65];
    ecsim_sha256_hex(&h, hex);
    assert_string_equal(hex, sha_with_sets);
}

static void test_set_errors(void **state)
{
    (void)state;
    char out[4096];
    const char *sets[] = {"autoscaler.targt=60", "load.profile[3].rps=1", "service.desired=abc",
                          "noequals", "service.task=5", "service.desired[0]=1",
                          "events[0].tag=1.1", "autoscaler.policy=target_tracking",
                          "service.desired=50"};
    ecsim_scenario *sc = load_text("name: x\nload: {profile: [{until: 1h, rps: 5}, {until: 2h, rps: 6}]}\n"
                                   "events: [{at: 1m, action: scale, desired: 3}]\n",
                                   sets, sizeof sets / sizeof sets[0], out, sizeof out);
    assert_null(sc);
    assert_string_equal(
        out,
        "--set autoscaler.targt=60: error: unknown field `autoscaler.targt` (did you mean "
        "`autoscaler.target`?)\n"
        "--set load.profile[3].rps=1: error: load.profile[3]: index out of range (`load.profile` "
        "has 2 entries)\n"
        "--set service.desired=abc: error: service.desired: expected an integer >= 0 and <= "
        "10000, got \"abc\"\n"
        "--set noequals: error: expected KEY=VALUE, e.g. autoscaler.target=60\n"
        "--set service.task=5: error: service.task: expected a mapping of fields, got \"5\"\n"
        "--set service.desired[0]=1: error: `service.desired` is not a list; it cannot be "
        "indexed\n"
        "--set service.desired=50: error: service.desired (50) must be between autoscaler.min "
        "(1) and autoscaler.max (10) when autoscaler.policy is target_tracking\n"
        "--set events[0].tag=1.1: error: events[0].tag: not used by action scale (it uses "
        "desired)\n");
}

/* A --set can repair a file error? No: the file's errors stand; but a valid
 * file plus a --set that breaks a cross-field rule is rejected. */
static void test_set_cross_field_rerun(void **state)
{
    (void)state;
    const char *ok_sets[] = {"autoscaler.min=3", "autoscaler.max=3", "service.desired=3"};
    ecsim_scenario *sc = load_text("name: x\nautoscaler: {policy: target_tracking}\n", ok_sets, 3,
                                   NULL, 0);
    assert_non_null(sc);
    assert_int_equal(sc->autoscaler.min, 3);
    ecsim_scenario_free(sc);
    char out[1024];
    const char *bad_sets[] = {"monitoring.lag_min=5m"};
    sc = load_text("name: x\nmonitoring:\n  lag_max: 2m\n", bad_sets, 1, out, sizeof out);
    assert_null(sc);
    assert_string_equal(out, "--set monitoring.lag_min=5m: error: monitoring.lag_min (5m) must be "
                             "<= monitoring.lag_max (2m)\n");
}

/* ---- clone / free ---- */

static void test_clone_free(void **state)
{
    (void)state;
    long live = ecsim_alloc_live();
    ecsim_scenario *sc = load_full(NULL, 0);
    assert_non_null(sc);
    ecsim_scenario *copy = ecsim_scenario_clone(sc);
    assert_non_null(copy);
    assert_ptr_not_equal(copy->events, sc->events);
    assert_ptr_not_equal(copy->load.profile, sc->load.profile);
    assert_memory_equal(copy->events, sc->events, sc->event_count * sizeof *sc->events);
    assert_memory_equal(copy->load.profile, sc->load.profile,
                        sc->load.profile_count * sizeof *sc->load.profile);
    ecsim_scenario_free(sc);
    check_full(copy); /* the copy survives its original */
    ecsim_scenario_free(copy);
    ecsim_scenario_free(NULL);
    assert_int_equal(ecsim_alloc_live(), live);

    /* Clone under allocation failure: NULL and nothing leaked. */
    sc = load_full(NULL, 0);
    assert_non_null(sc);
    for (long n = 1; n < 10; n++) {
        long before = ecsim_alloc_live();
        ecsim_alloc_fail_after(n);
        copy = ecsim_scenario_clone(sc);
        ecsim_alloc_fail_after(0);
        if (copy) {
            check_full(copy);
            ecsim_scenario_free(copy);
            break;
        }
        assert_int_equal(ecsim_alloc_live(), before);
    }
    ecsim_scenario_free(sc);
    assert_int_equal(ecsim_alloc_live(), live);
}

/* ---- allocation failures ---- */

static void test_oom_loop(void **state)
{
    (void)state;
    const char *sets[] = {"events=[{at: 1m, action: scale, desired: 3}]", "autoscaler.target=61"};
    long baseline = ecsim_alloc_live();
    long failures = 0;
    bool succeeded = false;
    for (long n = 1; n < 100000 && !succeeded; n++) {
        ecsim_diags d;
        ecsim_diags_init(&d);
        ecsim_alloc_fail_after(n);
        ecsim_scenario *sc = ecsim_scenario_load(FULL, sets, 2, &d);
        ecsim_alloc_fail_after(0);
        if (sc) {
            succeeded = true;
            assert_int_equal(sc->event_count, 1);
            assert_double_equal(sc->autoscaler.target, 61, 0);
            ecsim_scenario_free(sc);
        } else {
            failures++;
            assert_true(d.oom);
        }
        ecsim_diags_free(&d);
        assert_int_equal(ecsim_alloc_live(), baseline);
    }
    assert_true(succeeded);
    assert_true(failures > 10);
    /* Same for an invalid file: errors or OOM, never a crash or a leak. */
    for (long n = 1; n < 200; n++) {
        ecsim_diags d;
        ecsim_diags_init(&d);
        ecsim_alloc_fail_after(n);
        ecsim_scenario *sc = ecsim_scenario_load("tests/bad/several_errors.yaml", NULL, 0, &d);
        ecsim_alloc_fail_after(0);
        assert_null(sc);
        assert_true(d.errors > 0 || d.oom);
        ecsim_diags_free(&d);
        assert_int_equal(ecsim_alloc_live(), baseline);
    }
}

/* ---- the field reference ---- */

static void test_field_reference(void **state)
{
    (void)state;
    char *text = NULL;
    size_t size = 0;
    FILE *fp = open_memstream(&text, &size);
    assert_non_null(fp);
    ecsim_scenario_field_reference(fp);
    fclose(fp);
    /* Every path of include/ecsim/scenario.h, written out by hand so that a
     * member without a schema row is noticed. */
    static const char *const paths[] = {
        "name", "description", "seed", "duration", "image", "image.name", "image.tag",
        "image.size_mb", "image.build_time", "registry.push", "registry.push_mb_per_s",
        "registry.pull_mb_per_s", "registry.immutable_tags", "service.name", "service.platform",
        "service.provision_time", "service.desired", "service.availability_zones",
        "service.task.vcpu", "service.task.memory_gb", "service.task.provisioning_time",
        "service.task.start_time", "service.task.activating_time", "service.task.stop_timeout",
        "service.task.capacity_rps", "service.task.health_check_grace",
        "service.task.cpu_idle_pct", "service.task.memory_idle_pct",
        "service.task.memory_busy_pct", "service.load_balancer.enable",
        "service.load_balancer.health_check_interval", "service.load_balancer.healthy_threshold",
        "service.load_balancer.unhealthy_threshold", "service.load_balancer.deregistration_delay",
        "service.deployment.min_healthy_percent", "service.deployment.max_percent",
        "service.deployment.circuit_breaker.enable", "service.deployment.circuit_breaker.rollback",
        "service.deployment.circuit_breaker.min_threshold", "service.deployment.max_surge",
        "service.deployment.max_unavailable", "service.deployment.progress_deadline",
        "service.cluster.instance_type", "service.cluster.vcpu", "service.cluster.memory_gb",
        "service.cluster.instances", "service.cluster.min_instances",
        "service.cluster.max_instances", "service.cluster.boot_time",
        "service.cluster.boot_time_p95", "service.cluster.placement",
        "service.cluster.managed_scaling.enable", "service.cluster.managed_scaling.target_capacity",
        "service.cluster.managed_scaling.min_step", "service.cluster.managed_scaling.max_step",
        "service.cluster.managed_scaling.warmup", "service.throttle.initial",
        "service.throttle.multiplier", "service.throttle.max",
        "service.launch_limits.fargate_burst", "service.launch_limits.fargate_rate_per_s",
        "service.launch_limits.tasks_per_minute", "load.mode", "load.profile",
        "load.profile[].until", "load.profile[].rps", "load.profile[].ramp_to",
        "load.profile[].sine.mean", "load.profile[].sine.amplitude", "load.profile[].sine.period",
        "load.profile[].sine.phase", "load.profile[].diurnal.min", "load.profile[].diurnal.max",
        "load.profile[].diurnal.peak_at", "load.profile[].spike.base",
        "load.profile[].spike.peak", "load.profile[].spike.at", "load.profile[].spike.duration",
        "load.profile[].step.from", "load.profile[].step.to", "load.profile[].step.at",
        "load.trace", "load.noise.cv", "load.noise.interval", "load.requests.service_time.dist",
        "load.requests.service_time.mean", "load.requests.service_time.cv",
        "load.requests.service_time.min", "load.requests.service_time.max",
        "load.requests.service_time.file", "load.requests.concurrency",
        "load.requests.queue_limit", "load.requests.routing", "load.requests.timeout",
        "autoscaler.policy", "autoscaler.min", "autoscaler.max", "autoscaler.metric",
        "autoscaler.target", "autoscaler.scale_out_cooldown", "autoscaler.scale_in_cooldown",
        "autoscaler.disable_scale_in", "monitoring.period", "monitoring.lag_min",
        "monitoring.lag_max", "events", "events[].at", "events[].action", "events[].tag",
        "events[].build", "events[].defect", "events[].count", "events[].desired",
        "events[].az", "events[].duration", "pricing.fargate_vcpu_hour",
        "pricing.fargate_gb_hour", "pricing.instance_hour", "pricing.registry_gb_month",
        "pricing.spot_discount"};
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        char cell[128];
        snprintf(cell, sizeof cell, "| `%s` |", paths[i]);
        if (!strstr(text, cell))
            fail_msg("field reference lacks %s", paths[i]);
    }
    assert_non_null(strstr(text, "| Field | Type | Default | Allowed | Meaning |\n"));
    assert_non_null(strstr(text, "| `service.platform` | enum | `fargate` | fargate, ec2, eks, eks_fargate |"));
    assert_non_null(strstr(text, "| `service.task.vcpu` | number | `0.5` | >= 0.125 and <= 16 |"));
    free(text);
}

/* ---- a few messages, exactly ---- */

static void test_messages(void **state)
{
    (void)state;
    char out[4096];
    ecsim_scenario *sc = load_text("name: x\nservice:\n  task:\n    vcpu: -1\n  platfrm: ec2\n"
                                   "  platform: fargte\n",
                                   NULL, 0, out, sizeof out);
    assert_null(sc);
    assert_string_equal(out,
                        "t.yaml:4:11: error: service.task.vcpu: expected a number >= 0.125 and <= 16, "
                        "got \"-1\"\n"
                        "t.yaml:5:3: error: unknown field `service.platfrm` (did you mean "
                        "`service.platform`?)\n"
                        "t.yaml:6:13: error: service.platform: expected one of fargate, ec2, eks, eks_fargate, "
                        "got \"fargte\" (did you mean \"fargate\"?)\n");
    sc = load_text("name: x\nevents:\n  - {at: 10m, action: deploy}\n  - {at: 1m, action: az_outage, az: 4}\n",
                   NULL, 0, out, sizeof out);
    assert_null(sc);
    assert_string_equal(out, "t.yaml:3:5: error: events[0]: action deploy needs `tag`\n"
                             "t.yaml:4:37: error: events[1].az (4) is not a zone of this service: "
                             "zones are 1 to 3 (service.availability_zones)\n");
}

/* ---- SHA-256 ---- */

static void test_sha256(void **state)
{
    (void)state;
    static const struct { const char *in; const char *hex; } v[] = {
        {"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
        {"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
        {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"}};
    for (size_t i = 0; i < 3; i++) {
        ecsim_sha256 h;
        char hex[65];
        ecsim_sha256_init(&h);
        /* Byte by byte for one vector, to exercise the block boundary. */
        if (i == 2)
            for (const char *p = v[i].in; *p; p++)
                ecsim_sha256_update(&h, p, 1);
        else
            ecsim_sha256_update(&h, v[i].in, strlen(v[i].in));
        ecsim_sha256_hex(&h, hex);
        assert_string_equal(hex, v[i].hex);
    }
}

/* Issue 9 point 5: the instance follows its type (reference §6). */
static void test_instance_type(void **state)
{
    (void)state;
    char out[2048];
    /* omitted vcpu / memory / price: the type's */
    ecsim_scenario *sc = load_text("name: t\nservice:\n  platform: ec2\n  cluster: {instance_type: "
                                   "c7g.16xlarge}\n",
                                   NULL, 0, out, sizeof out);
    assert_non_null(sc);
    assert_float_equal(sc->service.cluster.vcpu, 64, 0);
    assert_float_equal(sc->service.cluster.memory_gb, 128, 0);
    assert_float_equal(sc->pricing.instance_hour, 2.32, 1e-12);
    ecsim_scenario_free(sc);
    /* an explicit price overrides; matching sizes are fine */
    const char *set[] = {"pricing.instance_hour=1.5"};
    sc = load_text("name: t\nservice:\n  platform: eks\n  cluster: {instance_type: m5.xlarge, vcpu: 4, "
                   "memory_gb: 16}\nautoscaler: {policy: hpa}\n",
                   set, 1, out, sizeof out);
    assert_non_null(sc);
    assert_float_equal(sc->pricing.instance_hour, 1.5, 0);
    assert_float_equal(sc->pricing.eks_cluster_hour, 0.10, 0);
    ecsim_scenario_free(sc);
    /* a contradicting size is located */
    sc = load_text("name: t\nservice:\n  platform: ec2\n  cluster: {instance_type: m5.large, vcpu: 4}\n",
                   NULL, 0, out, sizeof out);
    assert_null(sc);
    assert_non_null(strstr(out, "t.yaml:4:44: error: service.cluster.vcpu (4) contradicts "
                                "service.cluster.instance_type m5.large, which has 2 vCPU"));
    /* an unknown type: the nearest names; described in full it is accepted */
    sc = load_text("name: t\nservice:\n  platform: ec2\n  cluster: {instance_type: m5.larg}\n", NULL,
                   0, out, sizeof out);
    assert_null(sc);
    assert_non_null(strstr(out, "t.yaml:4:28: error: service.cluster.instance_type: \"m5.larg\" is "
                                "not in the built-in table"));
    assert_non_null(strstr(out, "did you mean `m5.large`"));
    sc = load_text("name: t\nservice:\n  platform: ec2\n  cluster: {instance_type: x9.huge, vcpu: 4, "
                   "memory_gb: 8}\npricing: {instance_hour: 0.2}\n",
                   NULL, 0, out, sizeof out);
    assert_non_null(sc);
    assert_float_equal(sc->service.cluster.vcpu, 4, 0);
    ecsim_scenario_free(sc);
    /* Fargate ignores the cluster */
    sc = load_text("name: t\nservice: {cluster: {instance_type: nope}}\n", NULL, 0, out, sizeof out);
    assert_non_null(sc);
    ecsim_scenario_free(sc);
}

/* Issue 9 point 6: AAS policies on EKS and the HPA on ECS are errors; a
 * block of a policy not selected is a located warning, and the load goes on. */
static void test_policy_platform(void **state)
{
    (void)state;
    char out[2048];
    ecsim_scenario *sc =
        load_text("name: t\nservice: {platform: eks}\nautoscaler: {policy: target_tracking}\n", NULL, 0,
                  out, sizeof out);
    assert_null(sc);
    assert_non_null(strstr(out, "t.yaml:3:22: error: autoscaler.policy target_tracking is an "
                                "Application Auto Scaling policy"));
    assert_non_null(strstr(out, "use hpa on eks"));
    sc = load_text("name: t\nautoscaler: {policy: hpa}\n", NULL, 0, out, sizeof out);
    assert_null(sc);
    assert_non_null(strstr(out, "error: autoscaler.policy hpa is the Kubernetes Horizontal Pod "
                                "Autoscaler"));
    sc = load_text("name: t\nautoscaler:\n  policy: target_tracking\n  hpa: {tolerance: 0.2}\n"
                   "  predictive: {alpha: 0.4}\n",
                   NULL, 0, out, sizeof out);
    assert_non_null(sc);
    assert_non_null(strstr(out, "t.yaml:4:3: warning: autoscaler.hpa is ignored: autoscaler.policy "
                                "is target_tracking, not hpa"));
    assert_non_null(strstr(out, "t.yaml:5:3: warning: autoscaler.predictive is ignored"));
    ecsim_scenario_free(sc);
    const char *set[] = {"autoscaler.step_scaling.cooldown=60s"};
    sc = load_text("name: t\nautoscaler: {policy: target_tracking}\n", set, 1, out, sizeof out);
    assert_non_null(sc);
    assert_non_null(strstr(out, "--set autoscaler.step_scaling.cooldown=60s: warning: "
                                "autoscaler.step_scaling is ignored"));
    ecsim_scenario_free(sc);
    /* a right combination: no error, no warning */
    out[0] = '\0';
    sc = load_text("name: t\nservice: {platform: eks_fargate}\nautoscaler: {policy: hpa}\n", NULL, 0,
                   out, sizeof out);
    assert_non_null(sc);
    assert_string_equal(out, "");
    ecsim_scenario_free(sc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_durations),       cmocka_unit_test(test_duration_fields),
        cmocka_unit_test(test_defaults_minimal), cmocka_unit_test(test_computed_defaults),
        cmocka_unit_test(test_data_files_read_at_load),
        cmocka_unit_test(test_full_roundtrip),  cmocka_unit_test(test_set_values),
        cmocka_unit_test(test_set_errors),      cmocka_unit_test(test_set_cross_field_rerun),
        cmocka_unit_test(test_clone_free),      cmocka_unit_test(test_oom_loop),
        cmocka_unit_test(test_field_reference), cmocka_unit_test(test_messages),
        cmocka_unit_test(test_sha256),
        cmocka_unit_test(test_instance_type),   cmocka_unit_test(test_policy_platform),
    };
    return cmocka_run_group_tests_name("loader", tests, NULL, NULL);
}
