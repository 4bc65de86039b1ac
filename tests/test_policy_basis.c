/* Target tracking's two parameters (reference §1.2, §8 gap 1): which
 * capacity C and which metric value m go into D = ceil(C x m / T), and the
 * YAML that selects them. A scenario defaults to the running count ([A8]);
 * the library's ecsim_tt_config_defaults (and so `ecsim decide`, which has
 * no running count) keeps the desired count. The scale-from-zero rule, and
 * the two runaway examples on the quickstart, run end to end. */
#include <math.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
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

static void test_desired_basis_is_the_library_default(void **state)
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
    /* no task RUNNING yet (6 desired, all starting): C = 0, the proposal is
     * at most 1 and nothing compounds; before issue 9 this fell back to the
     * desired count and proposed 9 */
    in.measured = 0;
    assert_int_equal(ecsim_tt_evaluate(&cfg, &st, &in, &r, NULL), 0);
    assert_int_equal(r.proposal, 1);
    assert_int_equal(r.desired, 6);
    assert_int_equal(r.action, ECSIM_SCALE_NONE);
    /* nor does AlarmLow scale in from 0 running tasks */
    static const double low[15] = {10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10};
    in.datapoints = low;
    in.datapoint_count = 15;
    assert_int_equal(ecsim_tt_evaluate(&cfg, &st, &in, &r, NULL), 0);
    assert_int_equal(r.alarm_low, ECSIM_ALARM_ALARM);
    assert_int_equal(r.action, ECSIM_SCALE_NONE);
    assert_int_equal(r.desired, 6);
}

/* Scale from zero (reference §1.2, [A8]): min 0, no task: one datapoint
 * showing demand (AlarmHigh needs 3) scales out by the smallest amount, 1;
 * then tracking resumes from the running count. */
static void test_scale_from_zero(void **state)
{
    (void)state;
    ecsim_tt_config cfg = config();
    cfg.capacity_basis = ECSIM_TT_BASIS_RUNNING;
    ecsim_tt_state st = {0};
    static const double one[] = {500};
    ecsim_tt_input in = {.current = 0, .measured = 0, .min = 0, .max = 10,
                         .datapoints = one, .datapoint_count = 1};
    ecsim_tt_result r;
    /* no datapoint yet: nothing */
    in.datapoint_count = 0;
    assert_int_equal(ecsim_tt_evaluate(&cfg, &st, &in, &r, NULL), 0);
    assert_int_equal(r.action, ECSIM_SCALE_NONE);
    assert_int_equal(r.desired, 0);
    /* a datapoint of 0 is no demand */
    static const double zero[] = {0};
    in.datapoints = zero;
    in.datapoint_count = 1;
    assert_int_equal(ecsim_tt_evaluate(&cfg, &st, &in, &r, NULL), 0);
    assert_int_equal(r.action, ECSIM_SCALE_NONE);
    /* one datapoint of 500 (ceil(0 x ...) would say nothing, the desired
     * basis would wait for 3 of 3): out to 1, not to ceil(500 / 60) */
    in.datapoints = one;
    assert_int_equal(ecsim_tt_evaluate(&cfg, &st, &in, &r, NULL), 0);
    assert_int_equal(r.alarm_high, ECSIM_ALARM_INSUFFICIENT_DATA);
    assert_int_equal(r.action, ECSIM_SCALE_OUT);
    assert_int_equal(r.desired, 1);
    assert_float_equal(st.scale_out_cooldown_remaining_s, 300, 1e-9);
    assert_int_equal(st.last_scale_out_to, 1);
    assert_non_null(strstr(r.reason, "scale from zero"));
    /* min 1: the rule does not apply (desired never reaches 0) */
    ecsim_tt_state st2 = {0};
    in.min = 1;
    assert_int_equal(ecsim_tt_evaluate(&cfg, &st2, &in, &r, NULL), 0);
    assert_int_equal(r.action, ECSIM_SCALE_NONE);
    /* then normal tracking from the running count: 1 RUNNING at 90 after
     * the cooldown: ceil(1 x 90 / 60) = 2 */
    in.min = 0;
    in.current = 1;
    in.measured = 1;
    in.datapoints = rising;
    in.datapoint_count = 3;
    ecsim_tt_state_advance(&st, 300);
    assert_int_equal(ecsim_tt_evaluate(&cfg, &st, &in, &r, NULL), 0);
    assert_int_equal(r.action, ECSIM_SCALE_OUT);
    assert_int_equal(r.desired, 2);
    /* the desired basis has no such rule: 1 datapoint, no alarm, no action */
    cfg.capacity_basis = ECSIM_TT_BASIS_DESIRED;
    ecsim_tt_state st3 = {0};
    ecsim_tt_input in0 = {.current = 0, .min = 0, .max = 10, .datapoints = one, .datapoint_count = 1};
    assert_int_equal(ecsim_tt_evaluate(&cfg, &st3, &in0, &r, NULL), 0);
    assert_int_equal(r.action, ECSIM_SCALE_NONE);
}

/* A scenario's default is the running count. */
static void test_scenario_default_is_running(void **state)
{
    (void)state;
    static const char yaml[] = "name: basis\nautoscaler: {policy: target_tracking}\n";
    ecsim_diags d;
    ecsim_diags_init(&d);
    ecsim_scenario *sc = ecsim_scenario_load_string(yaml, sizeof yaml - 1, "basis.yaml", NULL, 0, &d);
    assert_non_null(sc);
    assert_int_equal(sc->autoscaler.capacity_basis, ECSIM_TT_BASIS_RUNNING);
    ecsim_policy_config pc;
    ecsim_policy_config_defaults(&pc, &sc->autoscaler);
    assert_int_equal(pc.tt.capacity_basis, ECSIM_TT_BASIS_RUNNING);
    ecsim_scenario_free(sc);
    ecsim_diags_free(&d);
}

/* max_desired of a quickstart run with `sets` (ECSIM_BIN, run from the
 * source tree); -1 if the run failed. */
static int quickstart_max_desired(const char *sets)
{
    const char *bin = getenv("ECSIM_BIN");
    if (!bin)
        fail_msg("ECSIM_BIN is not set (make check sets it to the built program)");
    char dir[] = "/tmp/ecsim_basis_XXXXXX";
    assert_non_null(mkdtemp(dir));
    char cmd[1024];
    snprintf(cmd, sizeof cmd,
             "'%s' run scenarios/quickstart.yaml %s --format json --out %s >/dev/null 2>&1 && "
             "grep -o '\"max_desired\": *[0-9]*' %s/quickstart/summary.json; rm -rf %s",
             bin, sets, dir, dir, dir);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    int v = -1;
    if (fscanf(p, "\"max_desired\": %d", &v) != 1)
        v = -1;
    pclose(p);
    return v;
}

/* The runaway examples (issue 9 point 1): tasks that lag behind a
 * scale-out compound it under the desired basis, not under the running
 * basis. A 1500 MB image (first 44 min, the first rise): 12 -> 5; an
 * account vCPU quota of 2 (4 tasks at most; whole run): 12 -> 7. */
static void test_quickstart_no_runaway(void **state)
{
    (void)state;
    assert_int_equal(quickstart_max_desired("--set image.size_mb=1500 --set duration=44m"), 5);
    assert_int_equal(quickstart_max_desired("--set image.size_mb=1500 --set duration=44m "
                                            "--set autoscaler.capacity_basis=desired"),
                     12);
    assert_int_equal(quickstart_max_desired("--set service.launch_limits.vcpu_quota=2"), 7);
    assert_int_equal(quickstart_max_desired("--set service.launch_limits.vcpu_quota=2 "
                                            "--set autoscaler.capacity_basis=desired"),
                     12);
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
        cmocka_unit_test(test_desired_basis_is_the_library_default),
        cmocka_unit_test(test_running_basis),
        cmocka_unit_test(test_scale_from_zero),
        cmocka_unit_test(test_scenario_default_is_running),
        cmocka_unit_test(test_quickstart_no_runaway),
        cmocka_unit_test(test_alarm_average_value),
        cmocka_unit_test(test_yaml_selects_them),
    };
    return cmocka_run_group_tests_name("policy_basis", tests, NULL, NULL);
}
