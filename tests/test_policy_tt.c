/* AWS target tracking (sim/policy/policy_target_tracking.c, reference §1.2):
 * alarms, the ceil(C x m / T) MODEL, cooldown edge cases, disable_scale_in,
 * deployments, insufficient data, and combining several policies. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ecsim/alloc.h"
#include "ecsim/policy.h"

static ecsim_tt_result run(const ecsim_tt_config *cfg, ecsim_tt_state *st, int current, int min,
                           int max, const double *dp, size_t n, bool deploying)
{
    ecsim_tt_input in = {.current = current, .min = min, .max = max, .datapoints = dp,
                         .datapoint_count = n, .deployment_in_progress = deploying};
    ecsim_tt_result r;
    assert_int_equal(ecsim_tt_evaluate(cfg, st, &in, &r, NULL), 0);
    return r;
}

/* M of N over the datapoints up to the newest published one, as target
 * tracking configures its alarms (include/ecsim/alarm.h, reference §1.2). */
static ecsim_alarm_state tt_alarm(const double *dp, size_t n, int m_of, int periods, double thr,
                                  bool above)
{
    ecsim_alarm_config cfg;
    if (above)
        ecsim_alarm_config_tt_high(&cfg, thr, m_of, periods);
    else
        ecsim_alarm_config_tt_low(&cfg, thr, 1.0, m_of, periods);
    return ecsim_alarm_evaluate(&cfg, ECSIM_ALARM_NA, dp, n, NULL, NULL);
}

static void test_alarm_evaluate(void **state)
{
    (void)state;
    double dp[] = {50, 61, 62, 63};
    assert_int_equal(tt_alarm(dp, 4, 3, 3, 60, true), ECSIM_ALARM_ALARM);
    assert_int_equal(tt_alarm(dp, 4, 4, 4, 60, true), ECSIM_ALARM_OK);
    assert_int_equal(tt_alarm(dp, 2, 3, 3, 60, true), ECSIM_ALARM_INSUFFICIENT_DATA);
    double eq[] = {60, 60, 60};   /* GreaterThanThreshold is strict */
    assert_int_equal(tt_alarm(eq, 3, 3, 3, 60, true), ECSIM_ALARM_OK);
    assert_int_equal(tt_alarm(eq, 3, 3, 3, 60, false), ECSIM_ALARM_OK);
    double miss[] = {NAN, NAN, NAN};
    assert_int_equal(tt_alarm(miss, 3, 3, 3, 60, true), ECSIM_ALARM_INSUFFICIENT_DATA);
    /* partial data: a missing datapoint never helps the alarm fire */
    double gap[] = {70, NAN, 70};
    assert_int_equal(tt_alarm(gap, 3, 3, 3, 60, true), ECSIM_ALARM_OK);
    assert_int_equal(tt_alarm(gap, 3, 2, 3, 60, true), ECSIM_ALARM_ALARM);
}

static void test_scale_out_proportional(void **state)
{
    (void)state;
    ecsim_tt_config cfg;
    ecsim_tt_config_defaults(&cfg, 60);
    ecsim_tt_state st = {0};
    double dp[] = {58, 71, 75, 80};
    ecsim_tt_result r = run(&cfg, &st, 4, 1, 20, dp, 4, false);
    assert_int_equal(r.alarm_high, ECSIM_ALARM_ALARM);
    assert_int_equal(r.alarm_low, ECSIM_ALARM_INSUFFICIENT_DATA);
    assert_int_equal(r.proposal, 6);   /* ceil(4 x 80 / 60) = ceil(5.33) */
    assert_int_equal(r.desired, 6);
    assert_int_equal(r.action, ECSIM_SCALE_OUT);
    assert_true(st.scale_out_cooldown_remaining_s == 300);
    assert_int_equal(st.last_scale_out_to, 6);
    /* Exact multiple: ceil(4 x 75 / 60) = 5. */
    double dp2[] = {75, 75, 75};
    ecsim_tt_state st2 = {0};
    assert_int_equal(run(&cfg, &st2, 4, 1, 20, dp2, 3, false).desired, 5);
    /* Clamped to max. */
    ecsim_tt_state st3 = {0};
    assert_int_equal(run(&cfg, &st3, 4, 1, 5, dp, 4, false).desired, 5);
}

static void test_scale_out_cooldown_only_larger(void **state)
{
    (void)state;
    ecsim_tt_config cfg;
    ecsim_tt_config_defaults(&cfg, 60);
    ecsim_tt_state st = {.scale_out_cooldown_remaining_s = 120, .last_scale_out_to = 6};
    double dp[] = {70, 70, 70};
    /* ceil(6 x 70 / 60) = 7 > 6: proceeds even in cooldown. */
    ecsim_tt_result r = run(&cfg, &st, 6, 1, 20, dp, 3, false);
    assert_int_equal(r.desired, 7);
    assert_int_equal(r.action, ECSIM_SCALE_OUT);
    /* ceil(5 x 70 / 60) = 6 <= last 6 (capacity added counts): skipped. */
    ecsim_tt_state st2 = {.scale_out_cooldown_remaining_s = 120, .last_scale_out_to = 6};
    r = run(&cfg, &st2, 5, 1, 20, dp, 3, false);
    assert_int_equal(r.desired, 5);
    assert_int_equal(r.action, ECSIM_SCALE_NONE);
    /* Cooldown expired exactly: acts. */
    ecsim_tt_state_advance(&st2, 120);
    assert_true(st2.scale_out_cooldown_remaining_s == 0);
    assert_int_equal(run(&cfg, &st2, 5, 1, 20, dp, 3, false).desired, 6);
}

static void test_scale_in(void **state)
{
    (void)state;
    ecsim_tt_config cfg;
    ecsim_tt_config_defaults(&cfg, 60);
    double dp[15];
    for (int i = 0; i < 15; i++)
        dp[i] = 30;
    ecsim_tt_state st = {0};
    ecsim_tt_result r = run(&cfg, &st, 10, 1, 20, dp, 15, false);
    assert_int_equal(r.alarm_low, ECSIM_ALARM_ALARM);
    assert_int_equal(r.desired, 5);   /* ceil(10 x 30 / 60) */
    assert_int_equal(r.action, ECSIM_SCALE_IN);
    assert_true(st.scale_in_cooldown_remaining_s == 300);
    /* 14 datapoints: AlarmLow has insufficient data -> no scale-in. */
    ecsim_tt_state st2 = {0};
    r = run(&cfg, &st2, 10, 1, 20, dp, 14, false);
    assert_int_equal(r.alarm_low, ECSIM_ALARM_INSUFFICIENT_DATA);
    assert_int_equal(r.action, ECSIM_SCALE_NONE);
    /* 53.9 < 54 = 0.9 x 60: ceil(10 x 53.9 / 60) = 9 < 10 -> scale in to 9. */
    for (int i = 0; i < 15; i++)
        dp[i] = 53.9;
    ecsim_tt_state st3 = {0};
    assert_int_equal(run(&cfg, &st3, 10, 1, 20, dp, 15, false).desired, 9);
    /* Conservative: ceil(2 x 53.9 / 60) = 2: no scale-in. */
    ecsim_tt_state st4 = {0};
    assert_int_equal(run(&cfg, &st4, 2, 1, 20, dp, 15, false).action, ECSIM_SCALE_NONE);
    /* Clamped at min. */
    for (int i = 0; i < 15; i++)
        dp[i] = 1;
    ecsim_tt_state st5 = {0};
    assert_int_equal(run(&cfg, &st5, 10, 3, 20, dp, 15, false).desired, 3);
}

static void test_scale_in_blocked(void **state)
{
    (void)state;
    ecsim_tt_config cfg;
    ecsim_tt_config_defaults(&cfg, 60);
    double dp[15];
    for (int i = 0; i < 15; i++)
        dp[i] = 30;
    ecsim_tt_state st = {.scale_in_cooldown_remaining_s = 1};
    assert_int_equal(run(&cfg, &st, 10, 1, 20, dp, 15, false).action, ECSIM_SCALE_NONE);
    ecsim_tt_state st2 = {0};
    assert_int_equal(run(&cfg, &st2, 10, 1, 20, dp, 15, true).action, ECSIM_SCALE_NONE);
    cfg.disable_scale_in = true;
    ecsim_tt_state st3 = {0};
    ecsim_tt_result r = run(&cfg, &st3, 10, 1, 20, dp, 15, false);
    assert_int_equal(r.action, ECSIM_SCALE_NONE);
    assert_false(r.scale_in_enabled);
}

static void test_scale_out_cancels_scale_in_cooldown(void **state)
{
    (void)state;
    ecsim_tt_config cfg;
    ecsim_tt_config_defaults(&cfg, 60);
    ecsim_tt_state st = {.scale_in_cooldown_remaining_s = 200};
    double dp[] = {90, 90, 90};
    ecsim_tt_result r = run(&cfg, &st, 4, 1, 20, dp, 3, false);
    assert_int_equal(r.desired, 6);
    assert_true(st.scale_in_cooldown_remaining_s == 0);
    /* Scale-out continues during a deployment. */
    ecsim_tt_state st2 = {0};
    assert_int_equal(run(&cfg, &st2, 4, 1, 20, dp, 3, true).desired, 6);
}

static void test_configurable_alarms(void **state)
{
    (void)state;
    ecsim_tt_config cfg;
    ecsim_tt_config_defaults(&cfg, 70);
    cfg.alarm_high_datapoints = 1;
    cfg.alarm_high_periods = 1;
    cfg.alarm_low_datapoints = 2;
    cfg.alarm_low_periods = 2;
    cfg.scale_in_ratio = 0.5;
    ecsim_tt_state st = {0};
    double up[] = {71};
    assert_int_equal(run(&cfg, &st, 2, 1, 20, up, 1, false).desired, 3);
    double down[] = {34, 34};   /* < 35 = 0.5 x 70 */
    ecsim_tt_state st2 = {0};
    assert_int_equal(run(&cfg, &st2, 10, 1, 20, down, 2, false).desired, 5);
}

static void test_combine(void **state)
{
    (void)state;
    ecsim_tt_result a = {.action = ECSIM_SCALE_OUT, .desired = 8, .scale_in_enabled = true};
    ecsim_tt_result b = {.action = ECSIM_SCALE_IN, .desired = 3, .scale_in_enabled = true};
    ecsim_tt_result c = {.action = ECSIM_SCALE_OUT, .desired = 12, .scale_in_enabled = true};
    ecsim_tt_result d = {.action = ECSIM_SCALE_IN, .desired = 4, .scale_in_enabled = true};
    ecsim_tt_result e = {.action = ECSIM_SCALE_NONE, .desired = 6, .scale_in_enabled = false};
    ecsim_scale_action act;
    ecsim_tt_result r1[] = {a, b, c};
    assert_int_equal(ecsim_tt_combine(r1, 3, 6, &act), 12);
    assert_int_equal(act, ECSIM_SCALE_OUT);
    ecsim_tt_result r2[] = {b, d};
    assert_int_equal(ecsim_tt_combine(r2, 2, 6, &act), 4);   /* largest capacity wins */
    assert_int_equal(act, ECSIM_SCALE_IN);
    ecsim_tt_result r3[] = {b, d, e};   /* e has scale-in disabled: ignored */
    assert_int_equal(ecsim_tt_combine(r3, 3, 6, &act), 4);
    ecsim_tt_result none = {.action = ECSIM_SCALE_NONE, .desired = 6, .scale_in_enabled = true};
    ecsim_tt_result r4[] = {b, none};
    assert_int_equal(ecsim_tt_combine(r4, 2, 6, &act), 6);
    assert_int_equal(act, ECSIM_SCALE_NONE);
}

static void test_policy_ops_tt(void **state)
{
    (void)state;
    ecsim_autoscaler_spec spec = {.policy = ECSIM_POLICY_TARGET_TRACKING, .min = 1, .max = 20,
                                  .metric = ECSIM_METRIC_CPU, .target = 60,
                                  .scale_out_cooldown_s = 300, .scale_in_cooldown_s = 300};
    ecsim_policy_config pc;
    ecsim_policy_config_defaults(&pc, &spec);
    ecsim_policy *p = ecsim_policy_create(&pc);
    assert_non_null(p);
    double dp[] = {80, 80, 80};
    ecsim_policy_obs obs = {.now_s = 180, .current = 3, .min = 1, .max = 20, .datapoints = dp,
                            .datapoint_count = 3, .period_s = 60};
    ecsim_decision d;
    ecsim_decision_init(&d);
    assert_int_equal(ecsim_policy_evaluate(p, &obs, &d), 0);
    assert_int_equal(d.desired, 4);
    assert_int_equal(d.alarm_high, ECSIM_ALARM_ALARM);
    /* 60 s later, still in the scale-out cooldown: 4 x 80 / 60 -> 6 > 4. */
    obs.now_s = 240;
    obs.current = 4;
    assert_int_equal(ecsim_policy_evaluate(p, &obs, &d), 0);
    assert_int_equal(d.desired, 6);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    ecsim_decision_csv_header(f);
    ecsim_decision_csv_row(f, &d);
    fclose(f);
    assert_non_null(strstr(buf, "time_s,policy,metric,value,target,alarm_high,alarm_low,current,"
                                "proposal,stabilized,limited,clamped,action,desired,reason"));
    assert_non_null(strstr(buf, "\n240,target_tracking,cpu,80,60,ALARM,INSUFFICIENT_DATA,4,6,,,6,"
                                "scale_out,6,"));
    free(buf);
    ecsim_decision_free(&d);
    ecsim_policy_destroy(p);
    assert_int_equal(ecsim_alloc_live(), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_alarm_evaluate),
        cmocka_unit_test(test_scale_out_proportional),
        cmocka_unit_test(test_scale_out_cooldown_only_larger),
        cmocka_unit_test(test_scale_in),
        cmocka_unit_test(test_scale_in_blocked),
        cmocka_unit_test(test_scale_out_cancels_scale_in_cooldown),
        cmocka_unit_test(test_configurable_alarms),
        cmocka_unit_test(test_combine),
        cmocka_unit_test(test_policy_ops_tt),
    };
    return cmocka_run_group_tests_name("policy_tt", tests, NULL, NULL);
}
