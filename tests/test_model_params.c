/* The reference's OBS / MODEL values exposed as scenario parameters
 * (reference §8): the circuit breaker's caveat (gap 3), task start-time
 * spread (gap 4), and the capacity provider's alarm datapoints (gap 5). */
#include <math.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ecsim/ecsim.h"

static int log_count(const ecsim_sim *sim, const char *needle)
{
    int n = 0;
    for (size_t i = 0; i < ecsim_sim_log_count(sim); i++)
        n += strstr(ecsim_sim_log_line(sim, i), needle) != NULL;
    return n;
}

static ecsim_sim *run_file(const char *path, const char *const *sets, size_t nsets,
                           ecsim_scenario **sc_out)
{
    ecsim_diags d;
    ecsim_diags_init(&d);
    ecsim_scenario *sc = ecsim_scenario_load(path, sets, nsets, &d);
    ecsim_diags_print(&d, stderr);
    ecsim_diags_free(&d);
    assert_non_null(sc);
    ecsim_sim *sim = ecsim_sim_create(sc, sc->seed, stderr);
    assert_non_null(sim);
    assert_int_equal(ecsim_sim_run(sim), 0);
    *sc_out = sc;
    return sim;
}

/* With skip_if_running, a deployment started while a task runs is not
 * watched, so a bad tag is retried forever instead of rolled back. */
static ecsim_sim *run_tag_missing(bool skip_if_running, ecsim_scenario **sc_out)
{
    const char *set = skip_if_running ? "service.deployment.circuit_breaker.skip_if_running=true"
                                      : "service.deployment.circuit_breaker.skip_if_running=false";
    ecsim_diags d;
    ecsim_diags_init(&d);
    ecsim_scenario *sc = ecsim_scenario_load("scenarios/fail-tag-missing.yaml", &set, 1, &d);
    ecsim_diags_print(&d, stderr);
    ecsim_diags_free(&d);
    assert_non_null(sc);
    ecsim_sim *sim = ecsim_sim_create(sc, sc->seed, stderr);
    assert_non_null(sim);
    assert_int_equal(ecsim_sim_run(sim), 0);
    *sc_out = sc;
    return sim;
}

static void test_breaker_watches_by_default(void **state)
{
    (void)state;
    ecsim_scenario *sc;
    ecsim_sim *sim = run_tag_missing(false, &sc);
    assert_int_equal(ecsim_sim_summary(sim)->rollbacks, 1);
    assert_int_equal(log_count(sim, "circuit breaker not started"), 0);
    ecsim_sim_destroy(sim);
    ecsim_scenario_free(sc);
}

static void test_caveat_skips_the_breaker(void **state)
{
    (void)state;
    ecsim_scenario *sc;
    ecsim_sim *sim = run_tag_missing(true, &sc);
    assert_int_equal(ecsim_sim_summary(sim)->rollbacks, 0);
    assert_int_equal(ecsim_sim_summary(sim)->deployments_failed, 0);
    assert_int_equal(log_count(sim, "circuit breaker not started for ecs-svc/2"), 1);
    /* ECS keeps retrying the missing tag, throttled */
    assert_true(ecsim_sim_summary(sim)->tasks_failed > 3);
    assert_true(log_count(sim, "unable to consistently start tasks successfully") >= 1);
    ecsim_sim_destroy(sim);
    ecsim_scenario_free(sc);
}

/* The time of step 4 (all tasks RUNNING) with a given start-time spread. */
static double deploy_time(const char *cv)
{
    char set[64];
    snprintf(set, sizeof set, "service.task.start_jitter_cv=%s", cv);
    const char *sets[] = {set};
    ecsim_scenario *sc;
    ecsim_sim *sim = run_file("scenarios/seed-walkthrough.yaml", sets, 1, &sc);
    double t = ecsim_sim_step_record(sim, ECSIM_STEP_DEPLOY)->time_s;
    ecsim_sim_destroy(sim);
    ecsim_scenario_free(sc);
    return t;
}

static void test_start_jitter(void **state)
{
    (void)state;
    /* 0: the fixed times (205 + 6 + 25 + 10 + 2) */
    assert_float_equal(deploy_time("0"), 248.0, 1e-9);
    double a = deploy_time("0.5"), b = deploy_time("0.5");
    assert_float_equal(a, b, 0);           /* same seed, same draws */
    assert_true(fabs(a - 248.0) > 1e-6);   /* but not the fixed times */
}

static int launches(const char *datapoints)
{
    char set[96];
    snprintf(set, sizeof set, "service.cluster.managed_scaling.alarm_high_datapoints=%s", datapoints);
    /* the desired basis: with the running basis (the default since issue 9)
     * the service asks for capacity in the same 3 steps either way */
    const char *sets[] = {set, "autoscaler.capacity_basis=desired"};
    ecsim_scenario *sc;
    ecsim_sim *sim = run_file("scenarios/coldstart-ec2.yaml", sets, 2, &sc);
    int n = log_count(sim, "launching");
    ecsim_sim_destroy(sim);
    ecsim_scenario_free(sc);
    return n;
}

static void test_capacity_provider_datapoints(void **state)
{
    (void)state;
    /* 0 = the OBS default (1 datapoint); a slower alarm launches less often */
    int fast = launches("0"), slow = launches("3");
    assert_true(fast >= 2);
    assert_true(slow < fast);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_breaker_watches_by_default),
        cmocka_unit_test(test_caveat_skips_the_breaker),
        cmocka_unit_test(test_start_jitter),
        cmocka_unit_test(test_capacity_provider_datapoints),
    };
    return cmocka_run_group_tests_name("model_params", tests, NULL, NULL);
}
