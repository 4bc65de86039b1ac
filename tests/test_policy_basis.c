/* Target tracking's two MODEL parameters (reference §1.2, §8 gap 1): which
 * capacity C and which metric value m go into D = ceil(C x m / T), and the
 * YAML that selects them. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ecsim/ecsim.h"
#include "ecsim/policy.h"

static ecsim_tt_config config(void)
{
    ecsim_tt_config cfg;
    ecsim_tt_config_defaults(&cfg, 60);
    return cfg;
}

/* Three datapoints above target: AlarmHigh 3 of 3 is in ALARM. */
static const double rising[] = {70, 80, 90};

static void test_desired_basis_is_the_default(void **state)
{
    (void)state;
    ecsim_tt_config cfg = config();
    assert_int_equal(cfg.capacity_basis, ECSIM_TT_BASIS_DESIRED);
    assert_int_equal(cfg.metric_value, ECSIM_TT_VALUE_LATEST);
    ecsim_tt_state st = {0};
    ecsim_tt_input in = {.current = 6, .measured = 2, .min = 1, .max = 50,
                         .datapoints = rising, .datapoint_count = 3};
    ecsim_tt_result r;
    assert_int_equal(ecsim_tt_evaluate(&cfg, &st, &in, &r, NULL), 0);
    /* C = desired 6, m = latest 90: ceil(6 x 90 / 60) = 9 */
    assert_int_equal(r.proposal, 9);
    assert_int_equal(r.desired, 9);
}

static void test_running_basis(void **state)
{
    (void)state;
    ecsim_tt_config cfg = config();
    cfg.capacity_basis = ECSIM_TT_BASIS_RUNNING;
    ecsim_tt_state st = {0};
    /* 2 tasks produced the 90 %; 6 are already desired: ceil(2 x 90 / 60) = 3 <= 6 */
    ecsim_tt_input in = {.current = 6, .measured = 2, .min = 1, .max = 50,
                         .datapoints = rising, .datapoint_count = 3};
    ecsim_tt_result r;
    ecsim_steps steps;
    ecsim_steps_init(&steps);
    assert_int_equal(ecsim_tt_evaluate(&cfg, &st, &in, &r, &steps), 0);
    assert_int_equal(r.proposal, 3);
    assert_int_equal(r.desired, 6);
    assert_int_equal(r.action, ECSIM_SCALE_NONE);
    int found = 0;
    for (size_t i = 0; i < steps.count; i++)
        found += strstr(steps.lines[i], "capacity_basis running: C = 2 RUNNING tasks") != NULL;
    assert_int_equal(found, 1);
    ecsim_steps_free(&steps);
    /* no measured tasks: falls back to the desired count */
    in.measured = 0;
    assert_int_equal(ecsim_tt_evaluate(&cfg, &st, &in, &r, NULL), 0);
    assert_int_equal(r.proposal, 9);
}

static void test_alarm_average_value(void **state)
{
    (void)state;
    ecsim_tt_config cfg = config();
    cfg.metric_value = ECSIM_TT_VALUE_ALARM_AVERAGE;
    ecsim_tt_state st = {0};
    ecsim_tt_input in = {.current = 6, .min = 1, .max = 50, .datapoints = rising,
                         .datapoint_count = 3};
    ecsim_tt_result r;
    assert_int_equal(ecsim_tt_evaluate(&cfg, &st, &in, &r, NULL), 0);
    /* m = (70 + 80 + 90) / 3 = 80: ceil(6 x 80 / 60) = 8 */
    assert_float_equal(r.metric_value, 80, 1e-12);
    assert_int_equal(r.proposal, 8);
}

static void test_yaml_selects_them(void **state)
{
    (void)state;
    static const char yaml[] = "name: basis\n"
                               "autoscaler: {policy: target_tracking, capacity_basis: running,\n"
                               "             metric_value: alarm_average}\n";
    ecsim_diags d;
    ecsim_diags_init(&d);
    ecsim_scenario *sc = ecsim_scenario_load_string(yaml, sizeof yaml - 1, "basis.yaml", NULL, 0, &d);
    assert_non_null(sc);
    ecsim_policy_config pc;
    ecsim_policy_config_defaults(&pc, &sc->autoscaler);
    assert_int_equal(pc.tt.capacity_basis, ECSIM_TT_BASIS_RUNNING);
    assert_int_equal(pc.tt.metric_value, ECSIM_TT_VALUE_ALARM_AVERAGE);
    ecsim_scenario_free(sc);
    ecsim_diags_free(&d);

    static const char bad[] = "name: basis\nautoscaler: {capacity_basis: ready}\n";
    ecsim_diags_init(&d);
    assert_null(ecsim_scenario_load_string(bad, sizeof bad - 1, "bad.yaml", NULL, 0, &d));
    assert_int_equal(d.errors, 1);
    assert_non_null(strstr(d.items[0].message, "desired, running"));
    ecsim_diags_free(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_desired_basis_is_the_default),
        cmocka_unit_test(test_running_basis),
        cmocka_unit_test(test_alarm_average_value),
        cmocka_unit_test(test_yaml_selects_them),
    };
    return cmocka_run_group_tests_name("policy_basis", tests, NULL, NULL);
}
