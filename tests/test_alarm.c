/* Tests of the CloudWatch metric alarm (include/ecsim/alarm.h,
 * sim/policy/alarm.c): M of N, the evaluation range, every missing-data
 * treatment, both partial-data rules, the `ignore` state carried between
 * evaluations, and the target-tracking AlarmHigh / AlarmLow pair of
 * reference §1.2. (These were the tests of the alarm in sim/model/metrics.c;
 * the values are now given as one datapoint per period instead of through a
 * metric store, which test_metrics.c tests on its own.) */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "ecsim/alarm.h"
#include "ecsim/error.h"

#define X 70.0   /* breaching a "> 60" alarm */
#define O 50.0   /* not breaching it */
#define M NAN    /* no datapoint in the period: missing */

#define OK ECSIM_ALARM_OK
#define AL ECSIM_ALARM_ALARM
#define ID ECSIM_ALARM_INSUFFICIENT_DATA

static void assert_near(double got, double want, double tol)
{
    if (!(fabs(got - want) <= tol))
        fail_msg("got %.12g, want %.12g (tolerance %g)", got, want, tol);
}

static ecsim_alarm_config make_alarm(int n, int m_of, ecsim_treat_missing treat)
{
    ecsim_alarm_config cfg;
    ecsim_alarm_config_defaults(&cfg);
    cfg.comparison = ECSIM_CMP_GREATER;
    cfg.threshold = 60;
    cfg.evaluation_periods = n;
    cfg.datapoints_to_alarm = m_of;
    cfg.treat_missing = treat;
    assert_int_equal(ecsim_alarm_config_validate(&cfg), 0);
    return cfg;
}

/* Evaluate a fresh 3-of-3 "> 60" alarm (range 5) at the end of `pattern`. */
static ecsim_alarm_state eval_pattern(const double *pattern, size_t n, ecsim_treat_missing treat)
{
    ecsim_alarm_config cfg = make_alarm(3, 3, treat);
    return ecsim_alarm_evaluate(&cfg, ID, pattern, n, NULL, NULL);
}

static void expect_row(const double pattern[5], ecsim_alarm_state missing,
                       ecsim_alarm_state not_breaching, ecsim_alarm_state breaching,
                       ecsim_alarm_state ignore_fresh)
{
    assert_int_equal(eval_pattern(pattern, 5, ECSIM_MISSING_MISSING), missing);
    assert_int_equal(eval_pattern(pattern, 5, ECSIM_MISSING_NOT_BREACHING), not_breaching);
    assert_int_equal(eval_pattern(pattern, 5, ECSIM_MISSING_BREACHING), breaching);
    /* a fresh alarm is INSUFFICIENT_DATA: "keep" shows as that */
    assert_int_equal(eval_pattern(pattern, 5, ECSIM_MISSING_IGNORE), ignore_fresh);
}

/* The evaluation-range rule, row by row (3 of 3, range 5, oldest first; X
 * breaching, O not, M missing). */
static void test_missing_data_treatments(void **state)
{
    (void)state;
    const double enough_real[5] = {O, M, X, M, X};    /* newest 3 real: O X X */
    const double three_x[5] = {M, M, X, X, X};
    const double none[5] = {M, M, M, M, M};
    const double one_ok[5] = {O, M, M, M, M};
    const double one_x[5] = {M, M, M, M, X};
    const double two_x[5] = {M, M, X, M, X};
    expect_row(enough_real, OK, OK, OK, OK);
    expect_row(three_x, AL, AL, AL, AL);
    expect_row(none, ID, OK, AL, ID);
    expect_row(one_ok, OK, OK, OK, OK);
    expect_row(one_x, AL, OK, AL, ID);
    expect_row(two_x, AL, OK, AL, ID);

    /* ignore keeps the previous state; missing goes to INSUFFICIENT_DATA */
    const double then_gone[8] = {X, X, X, M, M, M, M, M};
    ecsim_alarm_config ign = make_alarm(3, 3, ECSIM_MISSING_IGNORE);
    ecsim_alarm_config mis = make_alarm(3, 3, ECSIM_MISSING_MISSING);
    ecsim_alarm_state ign_state = ecsim_alarm_evaluate(&ign, ID, then_gone, 3, NULL, NULL);
    ecsim_alarm_state mis_state = ecsim_alarm_evaluate(&mis, ID, then_gone, 3, NULL, NULL);
    assert_int_equal(ign_state, AL);
    assert_int_equal(mis_state, AL);
    ecsim_alarm_result r;
    assert_int_equal(ecsim_alarm_evaluate(&ign, ign_state, then_gone, 8, &r, NULL), AL);
    assert_int_equal(r.previous, AL);
    assert_int_equal(r.real, 0);
    assert_string_equal(r.reason, "0 of 0 real datapoints > 60, 3 missing (ignore: state kept)");
    assert_int_equal(ecsim_alarm_evaluate(&mis, mis_state, then_gone, 8, &r, NULL), ID);
    assert_int_equal(r.state, ID);
    assert_string_equal(r.reason, "no datapoint in the last 5 periods (missing data: missing)");
    /* NA (never evaluated) reads as a new alarm's INSUFFICIENT_DATA */
    assert_int_equal(ecsim_alarm_evaluate(&ign, ECSIM_ALARM_NA, then_gone, 8, &r, NULL), ID);
    assert_int_equal(r.previous, ID);
}

/* M of N: 2 of 3 and 3 of 5, with the points used reported. */
static void test_m_of_n(void **state)
{
    (void)state;
    const double two_of_three[3] = {X, O, X};
    const double one_of_three[3] = {O, O, X};
    ecsim_alarm_config a = make_alarm(3, 2, ECSIM_MISSING_MISSING);
    ecsim_alarm_result r;
    ecsim_alarm_point pts[7];
    assert_int_equal(ecsim_alarm_evaluate(&a, ID, two_of_three, 3, &r, pts), AL);
    assert_int_equal(r.breaching, 2);
    assert_int_equal(r.needed, 2);
    assert_int_equal(r.range, 5);
    assert_true(pts[0].missing && !pts[0].used); /* periods -2, -1 */
    assert_true(pts[1].missing && !pts[1].used);
    assert_true(pts[2].used && pts[2].breaching);
    assert_true(pts[3].used && !pts[3].breaching);
    assert_near(pts[3].value, O, 0);
    assert_true(pts[4].used && pts[4].breaching);
    assert_string_equal(r.reason, "2 of the newest 3 datapoints > 60 (ALARM needs 2)");
    assert_int_equal(ecsim_alarm_evaluate(&a, AL, one_of_three, 3, &r, NULL), OK);
    assert_int_equal(r.previous, AL);

    /* 3 of 5 with gaps: range 7 = periods 1..7 holds exactly 5 real ones */
    const double gap[8] = {X, X, M, O, X, O, X, M};
    a = make_alarm(5, 3, ECSIM_MISSING_MISSING);
    assert_int_equal(ecsim_alarm_evaluate(&a, ID, gap, 8, &r, pts), AL); /* X O X O X */
    assert_int_equal(r.real, 5);
    assert_int_equal(r.breaching, 3);
    assert_true(pts[0].used && pts[0].breaching); /* period 1 */
    assert_true(pts[1].missing && !pts[1].used);
    a = make_alarm(5, 4, ECSIM_MISSING_MISSING);
    assert_int_equal(ecsim_alarm_evaluate(&a, ID, gap, 8, &r, NULL), OK);
    /* 2 of 3: range 5 = periods 3..7 holds 4 real ones; the newest 3 (X O X)
     * are used, the older O and the missing newest period are not */
    a = make_alarm(3, 2, ECSIM_MISSING_BREACHING);
    assert_int_equal(ecsim_alarm_evaluate(&a, ID, gap, 8, &r, pts), AL);
    assert_int_equal(r.real, 4);
    assert_false(pts[0].used);               /* period 3: O, 4th newest */
    assert_true(pts[1].used && pts[1].breaching);
    assert_true(pts[4].missing && !pts[4].used && !pts[4].breaching);
}

/* The two partial-data rules of `missing` differ when some datapoints of
 * the last N are missing or the history is shorter than N. */
static void test_partial_data_rules(void **state)
{
    (void)state;
    ecsim_alarm_config cw = make_alarm(3, 3, ECSIM_MISSING_MISSING);
    cw.evaluation_range_extra = 0;
    ecsim_alarm_config tt = cw;
    tt.partial = ECSIM_PARTIAL_TARGET_TRACKING;
    ecsim_alarm_result r;
    const double gap[3] = {X, M, X};
    /* CloudWatch: the 2 real ones alone, both breach -> ALARM */
    assert_int_equal(ecsim_alarm_evaluate(&cw, ID, gap, 3, &r, NULL), AL);
    assert_int_equal(r.needed, 2);
    /* target tracking: 3 breaching real datapoints needed -> OK */
    assert_int_equal(ecsim_alarm_evaluate(&tt, ID, gap, 3, &r, NULL), OK);
    assert_int_equal(r.needed, 3);
    assert_string_equal(r.reason,
                        "2 of 2 real datapoints > 60, 1 missing not counted (ALARM needs 3)");
    /* a history shorter than N: CloudWatch counts periods before it as
     * missing; target tracking has insufficient data */
    const double short_history[2] = {X, X};
    assert_int_equal(ecsim_alarm_evaluate(&cw, ID, short_history, 2, NULL, NULL), AL);
    assert_int_equal(ecsim_alarm_evaluate(&tt, ID, short_history, 2, &r, NULL), ID);
    assert_string_equal(r.reason, "2 of 3 periods of history (missing data: missing)");
    /* the partial rule only concerns `missing` */
    tt.treat_missing = ECSIM_MISSING_BREACHING;
    assert_int_equal(ecsim_alarm_evaluate(&tt, ID, short_history, 2, NULL, NULL), AL);
}

static void test_comparisons(void **state)
{
    (void)state;
    assert_true(ecsim_alarm_breaches(ECSIM_CMP_GREATER, 61, 60));
    assert_false(ecsim_alarm_breaches(ECSIM_CMP_GREATER, 60, 60));
    assert_true(ecsim_alarm_breaches(ECSIM_CMP_GREATER_OR_EQUAL, 60, 60));
    assert_true(ecsim_alarm_breaches(ECSIM_CMP_LESS, 53.9, 54));
    assert_false(ecsim_alarm_breaches(ECSIM_CMP_LESS, 54, 54));
    assert_true(ecsim_alarm_breaches(ECSIM_CMP_LESS_OR_EQUAL, 54, 54));
    assert_false(ecsim_alarm_breaches(ECSIM_CMP_LESS_OR_EQUAL, NAN, 54));
    assert_string_equal(ecsim_comparison_symbol(ECSIM_CMP_LESS_OR_EQUAL), "<=");
    assert_string_equal(ecsim_alarm_state_name(ID), "INSUFFICIENT_DATA");
    assert_string_equal(ecsim_alarm_state_name(ECSIM_ALARM_NA), "");
    assert_string_equal(ecsim_treat_missing_name(ECSIM_MISSING_NOT_BREACHING), "notBreaching");
}

/* Reference §1.2: AlarmHigh = 3 of 3 datapoints > target. */
static void test_target_tracking_alarm_high(void **state)
{
    (void)state;
    ecsim_alarm_config high;
    ecsim_alarm_config_tt_high(&high, 60, 3, 3);
    assert_int_equal(high.comparison, ECSIM_CMP_GREATER);
    assert_near(high.threshold, 60, 0);
    assert_int_equal(high.evaluation_periods, 3);
    assert_int_equal(high.datapoints_to_alarm, 3);
    assert_int_equal(high.treat_missing, ECSIM_MISSING_MISSING);
    assert_int_equal(high.partial, ECSIM_PARTIAL_TARGET_TRACKING);
    assert_int_equal(high.evaluation_range_extra, 0);

    const double rising[6] = {40, 45, 50, 61, 75, 80};
    ecsim_alarm_result r;
    assert_int_equal(ecsim_alarm_evaluate(&high, ID, rising, 5, &r, NULL), OK); /* 50 61 75 */
    assert_int_equal(r.breaching, 2);
    assert_int_equal(ecsim_alarm_evaluate(&high, OK, rising, 6, &r, NULL), AL); /* 61 75 80 */
    assert_string_equal(r.reason, "3 of the newest 3 datapoints > 60 (ALARM needs 3)");

    const double at_target[3] = {61, 60, 99}; /* exactly the target does not breach */
    assert_int_equal(ecsim_alarm_evaluate(&high, ID, at_target, 3, &r, NULL), OK);

    /* datapoints not yet published are missing: with the CloudWatch range
     * (extra 2) the three older real ones still decide */
    ecsim_alarm_config ranged = high;
    ranged.evaluation_range_extra = 2;
    const double lagged[5] = {70, 70, 70, M, M};
    ecsim_alarm_point pts[5];
    assert_int_equal(ecsim_alarm_evaluate(&ranged, ID, lagged, 5, &r, pts), AL);
    assert_true(pts[3].missing && pts[4].missing);
    assert_true(pts[0].used && pts[1].used && pts[2].used);
    const double published[5] = {70, 70, 70, 30, 30};
    assert_int_equal(ecsim_alarm_evaluate(&ranged, AL, published, 5, NULL, NULL), OK);
}

/* Reference §1.2: AlarmLow = 15 of 15 datapoints < 0.9 x target. */
static void test_target_tracking_alarm_low(void **state)
{
    (void)state;
    ecsim_alarm_config low;
    ecsim_alarm_config_tt_low(&low, 70, 0.9, 15, 15);
    assert_int_equal(low.comparison, ECSIM_CMP_LESS);
    assert_near(low.threshold, 63, 1e-12); /* target 70 -> 63 ([A7]) */
    assert_int_equal(low.evaluation_periods, 15);
    assert_int_equal(low.datapoints_to_alarm, 15);
    ecsim_alarm_config_tt_low(&low, 60, 0.9, 15, 15);
    assert_near(low.threshold, 54, 1e-12);

    double quiet[15];
    for (int k = 0; k < 15; k++)
        quiet[k] = 40;
    ecsim_alarm_result r;
    assert_int_equal(ecsim_alarm_evaluate(&low, ID, quiet, 15, &r, NULL), AL);
    assert_int_equal(r.breaching, 15);
    assert_int_equal(r.range, 15);
    assert_string_equal(r.reason, "15 of the newest 15 datapoints < 54 (ALARM needs 15)");

    /* one datapoint at exactly 54 (not below) among 15: OK */
    quiet[7] = 54;
    assert_int_equal(ecsim_alarm_evaluate(&low, ID, quiet, 15, &r, NULL), OK);
    assert_int_equal(r.breaching, 14);

    /* 20 quiet minutes but one busy one 10 minutes ago: OK until it leaves
     * the 15-period window */
    double day[30];
    for (int k = 0; k < 30; k++)
        day[k] = k == 10 ? 80 : 40;
    assert_int_equal(ecsim_alarm_evaluate(&low, ID, day, 20, NULL, NULL), OK);
    assert_int_equal(ecsim_alarm_evaluate(&low, ID, day, 25, NULL, NULL), OK);
    assert_int_equal(ecsim_alarm_evaluate(&low, ID, day, 26, NULL, NULL), AL);

    /* AlarmHigh and AlarmLow evaluated together on one series never both
     * alarm (target 60, low threshold 54) */
    ecsim_alarm_config high;
    ecsim_alarm_config_tt_high(&high, 60, 3, 3);
    double wave[60];
    for (int k = 0; k < 60; k++)
        wave[k] = 57 + 20 * sin(k / 3.0);
    int highs = 0, lows = 0;
    ecsim_alarm_state h = ID, l = ID;
    for (size_t k = 15; k <= 60; k++) {
        h = ecsim_alarm_evaluate(&high, h, wave, k, NULL, NULL);
        l = ecsim_alarm_evaluate(&low, l, wave, k, NULL, NULL);
        assert_false(h == AL && l == AL);
        highs += h == AL;
        lows += l == AL;
    }
    assert_true(highs > 0);
    assert_int_equal(lows, 0); /* never 15 minutes in a row below 54 */
}

static void test_invalid_configurations(void **state)
{
    (void)state;
    ecsim_alarm_config cfg;
    ecsim_alarm_result r;
    const double v[1] = {X};
    ecsim_alarm_config_defaults(&cfg);
    cfg.evaluation_periods = 0;
    assert_int_equal(ecsim_alarm_config_validate(&cfg), ECSIM_EINVAL);
    assert_int_equal(ecsim_alarm_evaluate(&cfg, OK, v, 1, &r, NULL), ID);
    assert_string_equal(r.reason, "invalid alarm configuration");
    ecsim_alarm_config_defaults(&cfg);
    cfg.evaluation_periods = 3;
    cfg.datapoints_to_alarm = 4;
    assert_int_equal(ecsim_alarm_config_validate(&cfg), ECSIM_EINVAL);
    cfg.threshold = 60;
    cfg.datapoints_to_alarm = 0; /* = N */
    assert_int_equal(ecsim_alarm_config_validate(&cfg), 0);
    const double three[3] = {X, X, O};
    assert_int_equal(ecsim_alarm_evaluate(&cfg, ID, three, 3, &r, NULL), OK);
    assert_int_equal(r.needed, 3);
    cfg.threshold = NAN;
    assert_int_equal(ecsim_alarm_config_validate(&cfg), ECSIM_EINVAL);
    ecsim_alarm_config_defaults(&cfg);
    cfg.evaluation_range_extra = -1;
    assert_int_equal(ecsim_alarm_config_validate(&cfg), ECSIM_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_missing_data_treatments),
        cmocka_unit_test(test_m_of_n),
        cmocka_unit_test(test_partial_data_rules),
        cmocka_unit_test(test_comparisons),
        cmocka_unit_test(test_target_tracking_alarm_high),
        cmocka_unit_test(test_target_tracking_alarm_low),
        cmocka_unit_test(test_invalid_configurations),
    };
    return cmocka_run_group_tests_name("alarm", tests, NULL, NULL);
}
