/* Tests of the CloudWatch-like metrics and alarms (include/ecsim/metrics.h):
 * per-period time-weighted aggregation, missing periods, publication lag
 * (nothing visible before its publish time), M-of-N alarms, every
 * missing-data treatment, alarm periods longer than the metric period, and
 * the target-tracking AlarmHigh / AlarmLow pair of reference §1.2. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "ecsim/alloc.h"
#include "ecsim/error.h"
#include "ecsim/metrics.h"

#define CPU ECSIM_METRIC_ID_CPU
#define X 70.0   /* breaching a "> 60" alarm */
#define O 50.0   /* not breaching it */
#define M NAN    /* no sample in the period: missing */

static void assert_near(double got, double want, double tol)
{
    if (!(fabs(got - want) <= tol))
        fail_msg("got %.12g, want %.12g (tolerance %g)", got, want, tol);
}

static ecsim_metrics *make_metrics(double period, double lag_min, double lag_max, uint64_t seed)
{
    ecsim_monitoring_spec spec = {.period_s = period, .lag_min_s = lag_min, .lag_max_s = lag_max};
    ecsim_metrics *m = ecsim_metrics_create(&spec, seed);
    assert_non_null(m);
    return m;
}

/* A cpu series of one datapoint per 60 s period (NAN = no sample), all
 * periods closed, published at the end of their period (no lag). */
static ecsim_metrics *series(const double *values, size_t n)
{
    ecsim_metrics *m = make_metrics(60, 0, 0, 1);
    for (size_t k = 0; k < n; k++)
        if (!isnan(values[k]))
            assert_int_equal(ecsim_metrics_add_sample(m, CPU, 60.0 * k, values[k], 60), 0);
    assert_int_equal(ecsim_metrics_close_until(m, 60.0 * n), 0);
    assert_int_equal(ecsim_metrics_closed_count(m), (int64_t)n);
    return m;
}

/* ---- metrics ---------------------------------------------------------------------- */

static void test_time_weighted_aggregation(void **state)
{
    (void)state;
    ecsim_metrics *m = make_metrics(60, 0, 0, 1);
    assert_int_equal(ecsim_metrics_add_sample(m, CPU, 10, 50, 30), 0);
    assert_int_equal(ecsim_metrics_add_sample(m, CPU, 40, 80, 10), 0);
    assert_int_equal(ecsim_metrics_add_sample(m, CPU, 59.999, 20, 20), 0);
    assert_int_equal(ecsim_metrics_add_sample(m, CPU, 60, 99, 1), 0); /* next period */
    assert_int_equal(ecsim_metrics_close_period(m), 0);
    ecsim_datapoint dp;
    assert_int_equal(ecsim_metrics_lookup(m, CPU, 0, 60, &dp), ECSIM_DP_PUBLISHED);
    assert_near(dp.value, (50 * 30 + 80 * 10 + 20 * 20) / 60.0, 1e-12);
    assert_near(dp.minimum, 20, 0);
    assert_near(dp.maximum, 80, 0);
    assert_near(dp.weight, 60, 0);
    assert_near(dp.start_s, 0, 0);
    assert_int_equal(dp.period, 0);
    /* period 1 is still open */
    assert_int_equal(ecsim_metrics_lookup(m, CPU, 1, 1e9, NULL), ECSIM_DP_PENDING);
    /* other metrics had no samples: missing */
    assert_int_equal(ecsim_metrics_lookup(m, ECSIM_METRIC_ID_MEMORY, 0, 1e9, NULL),
                     ECSIM_DP_MISSING);
    assert_int_equal(ecsim_metrics_lookup(m, CPU, -1, 1e9, NULL), ECSIM_DP_MISSING);
    ecsim_metrics_destroy(m);
}

static void test_levels_split_at_period_boundaries(void **state)
{
    (void)state;
    ecsim_metrics *m = make_metrics(60, 0, 0, 1);
    assert_int_equal(ecsim_metrics_set_level(m, CPU, 0, 20), 0);
    assert_int_equal(ecsim_metrics_set_level(m, CPU, 45, 80), 0);
    assert_int_equal(ecsim_metrics_set_level(m, CPU, 150, NAN), 0); /* no task from 150 */
    assert_int_equal(ecsim_metrics_set_level(m, CPU, 270, 10), 0);
    assert_int_equal(ecsim_metrics_close_until(m, 300), 0);
    assert_int_equal(ecsim_metrics_closed_count(m), 5);
    ecsim_datapoint dp;
    assert_int_equal(ecsim_metrics_lookup(m, CPU, 0, 1e9, &dp), ECSIM_DP_PUBLISHED);
    assert_near(dp.value, (20 * 45 + 80 * 15) / 60.0, 1e-12);
    assert_near(dp.weight, 60, 1e-12);
    assert_int_equal(ecsim_metrics_lookup(m, CPU, 1, 1e9, &dp), ECSIM_DP_PUBLISHED);
    assert_near(dp.value, 80, 0);
    assert_int_equal(ecsim_metrics_lookup(m, CPU, 2, 1e9, &dp), ECSIM_DP_PUBLISHED);
    assert_near(dp.value, 80, 0);
    assert_near(dp.weight, 30, 1e-12); /* only [120, 150) */
    assert_int_equal(ecsim_metrics_lookup(m, CPU, 3, 1e9, &dp), ECSIM_DP_MISSING);
    assert_int_equal(ecsim_metrics_lookup(m, CPU, 4, 1e9, &dp), ECSIM_DP_PUBLISHED);
    assert_near(dp.value, 10, 0);
    assert_near(dp.weight, 30, 1e-12);
    /* the level keeps accumulating into later periods */
    assert_int_equal(ecsim_metrics_close_period(m), 0);
    assert_int_equal(ecsim_metrics_lookup(m, CPU, 5, 1e9, &dp), ECSIM_DP_PUBLISHED);
    assert_near(dp.value, 10, 0);
    assert_near(dp.weight, 60, 1e-12);
    ecsim_metrics_destroy(m);
}

static void test_argument_and_state_errors(void **state)
{
    (void)state;
    ecsim_metrics *m = make_metrics(60, 0, 0, 1);
    assert_int_equal(ecsim_metrics_add_sample(m, 99, 0, 1, 1), ECSIM_EINVAL);
    assert_int_equal(ecsim_metrics_add_sample(m, -1, 0, 1, 1), ECSIM_EINVAL);
    assert_int_equal(ecsim_metrics_add_sample(m, CPU, -1, 1, 1), ECSIM_EINVAL);
    assert_int_equal(ecsim_metrics_add_sample(m, CPU, 0, NAN, 1), ECSIM_EINVAL);
    assert_int_equal(ecsim_metrics_add_sample(m, CPU, 0, 1, 0), ECSIM_EINVAL);
    assert_int_equal(ecsim_metrics_add_sample(m, CPU, 0, 1, INFINITY), ECSIM_EINVAL);
    assert_int_equal(ecsim_metrics_add_sample(m, CPU, 1e12, 1, 1), ECSIM_ERANGE);
    assert_int_equal(ecsim_metrics_set_level(m, CPU, 100, 1), 0);
    assert_int_equal(ecsim_metrics_set_level(m, CPU, 99, 1), ECSIM_EINVAL); /* backwards */
    assert_int_equal(ecsim_metrics_set_level(m, CPU, 101, INFINITY), ECSIM_EINVAL);
    assert_int_equal(ecsim_metrics_close_until(m, 180), 0);
    /* a late sample for a closed period */
    assert_int_equal(ecsim_metrics_add_sample(m, CPU, 179.5, 1, 1), ECSIM_ESTATE);
    assert_int_equal(ecsim_metrics_set_level(m, ECSIM_METRIC_ID_MEMORY, 100, 1), ECSIM_ESTATE);
    assert_int_equal(ecsim_metrics_add_sample(m, CPU, 180, 1, 1), 0);
    ecsim_metrics_destroy(m);

    ecsim_monitoring_spec bad = {.period_s = 0, .lag_min_s = 0, .lag_max_s = 0};
    assert_null(ecsim_metrics_create(&bad, 1));
    bad.period_s = 60;
    bad.lag_min_s = 10;
    bad.lag_max_s = 5;
    assert_null(ecsim_metrics_create(&bad, 1));
}

static void test_metric_names_and_registration(void **state)
{
    (void)state;
    ecsim_metrics *m = make_metrics(60, 0, 0, 1);
    assert_int_equal(ecsim_metrics_count(m), 3);
    assert_string_equal(ecsim_metrics_name(m, ECSIM_METRIC_ID_CPU), "cpu");
    assert_string_equal(ecsim_metrics_name(m, ECSIM_METRIC_ID_MEMORY), "memory");
    assert_string_equal(ecsim_metrics_name(m, ECSIM_METRIC_ID_REQUESTS_PER_TARGET),
                        "requests_per_target");
    assert_int_equal(ECSIM_METRIC_ID_CPU, ECSIM_METRIC_CPU);
    assert_int_equal(ECSIM_METRIC_ID_REQUESTS_PER_TARGET, ECSIM_METRIC_REQUESTS_PER_TARGET);
    int id = ecsim_metrics_register(m, "queue_depth");
    assert_int_equal(id, 3);
    assert_int_equal(ecsim_metrics_find(m, "queue_depth"), 3);
    assert_int_equal(ecsim_metrics_register(m, "cpu"), ECSIM_EINVAL);
    assert_int_equal(ecsim_metrics_register(m, ""), ECSIM_EINVAL);
    assert_int_equal(ecsim_metrics_find(m, "nope"), ECSIM_ENOENT);
    assert_string_equal(ecsim_metrics_name(m, 42), "?");
    for (int i = 0; i < 10; i++) { /* grows */
        char name[32];
        snprintf(name, sizeof name, "custom%d", i);
        assert_int_equal(ecsim_metrics_register(m, name), 4 + i);
    }
    assert_int_equal(ecsim_metrics_add_sample(m, id, 5, 7, 1), 0);
    assert_int_equal(ecsim_metrics_close_period(m), 0);
    ecsim_datapoint dp;
    assert_int_equal(ecsim_metrics_latest(m, id, 60, &dp), 0);
    assert_near(dp.value, 7, 0);
    ecsim_metrics_destroy(m);
}

/* Reference §7: the datapoint of period k is published at (k+1) P +
 * U(lag_min, lag_max), and not visible before. */
static void test_publication_lag(void **state)
{
    (void)state;
    ecsim_metrics *m = make_metrics(60, 30, 150, 42);
    for (int k = 0; k < 200; k++)
        assert_int_equal(ecsim_metrics_add_sample(m, CPU, 60.0 * k, k, 60), 0);
    assert_int_equal(ecsim_metrics_close_until(m, 60.0 * 200), 0);
    double lo = INFINITY, hi = -INFINITY;
    for (int k = 0; k < 200; k++) {
        ecsim_datapoint dp;
        /* at the end of the period it is never visible (lag >= 30 s) */
        assert_int_equal(ecsim_metrics_lookup(m, CPU, k, 60.0 * (k + 1), &dp), ECSIM_DP_PENDING);
        double lag = dp.publish_s - 60.0 * (k + 1);
        assert_true(lag >= 30 && lag <= 150);
        lo = lag < lo ? lag : lo;
        hi = lag > hi ? lag : hi;
        assert_int_equal(ecsim_metrics_lookup(m, CPU, k, nextafter(dp.publish_s, 0), NULL),
                         ECSIM_DP_PENDING);
        assert_int_equal(ecsim_metrics_lookup(m, CPU, k, dp.publish_s, NULL), ECSIM_DP_PUBLISHED);
    }
    assert_true(lo < 40 && hi > 140); /* the lags spread over the range */

    /* the same seed gives the same lags whatever the samples were */
    ecsim_metrics *other = make_metrics(60, 30, 150, 42);
    assert_int_equal(ecsim_metrics_add_sample(other, CPU, 0, 1, 1), 0);
    assert_int_equal(ecsim_metrics_close_until(other, 60.0 * 200), 0);
    ecsim_metrics *third = make_metrics(60, 30, 150, 43);
    for (int k = 0; k < 200; k++)
        assert_int_equal(ecsim_metrics_add_sample(third, CPU, 60.0 * k, k, 60), 0);
    assert_int_equal(ecsim_metrics_close_until(third, 60.0 * 200), 0);
    int differ = 0;
    for (int k = 0; k < 200; k++) {
        ecsim_datapoint a, b, c;
        ecsim_metrics_lookup(m, CPU, k, 0, &a);
        assert_int_equal(ecsim_metrics_add_sample(other, CPU, 60.0 * 200 + k, 1, 1), 0);
        ecsim_metrics_lookup(third, CPU, k, 0, &c);
        differ += a.publish_s != c.publish_s;
        if (k == 0) {
            ecsim_metrics_lookup(other, CPU, 0, 0, &b);
            assert_true(a.publish_s == b.publish_s);
        }
    }
    assert_true(differ > 190);
    ecsim_metrics_destroy(m);
    ecsim_metrics_destroy(other);
    ecsim_metrics_destroy(third);
}

/* published() and latest(): oldest first, only what is visible, a newer
 * datapoint may be visible before an older one. */
static void test_published_queries(void **state)
{
    (void)state;
    ecsim_metrics *m = make_metrics(60, 30, 150, 5);
    for (int k = 0; k < 30; k++)
        if (k != 7) /* period 7 has no samples */
            assert_int_equal(ecsim_metrics_add_sample(m, CPU, 60.0 * k + 1, 100 + k, 60), 0);
    assert_int_equal(ecsim_metrics_close_until(m, 1800), 0);
    ecsim_datapoint out[64];
    for (double t = 0; t <= 2000; t += 7.5) {
        size_t n = ecsim_metrics_published(m, CPU, t, out, 64);
        /* exactly the visible ones, oldest first */
        size_t expect = 0;
        for (int k = 0; k < 30; k++) {
            ecsim_datapoint dp;
            if (ecsim_metrics_lookup(m, CPU, k, t, &dp) == ECSIM_DP_PUBLISHED) {
                assert_true(expect < n);
                assert_int_equal(out[expect].period, k);
                assert_near(out[expect].value, 100 + k, 0);
                assert_true(out[expect].publish_s <= t);
                expect++;
            }
        }
        assert_int_equal(n, expect);
        ecsim_datapoint latest;
        if (n) {
            assert_int_equal(ecsim_metrics_latest(m, CPU, t, &latest), 0);
            assert_int_equal(latest.period, out[n - 1].period);
        } else {
            assert_int_equal(ecsim_metrics_latest(m, CPU, t, &latest), ECSIM_ENOENT);
        }
        /* max limits to the newest ones */
        size_t two = ecsim_metrics_published(m, CPU, t, out, 2);
        assert_int_equal(two, n < 2 ? n : 2);
    }
    size_t all = ecsim_metrics_published(m, CPU, 1e9, out, 64);
    assert_int_equal(all, 29); /* period 7 is missing */
    assert_int_equal(out[6].period, 6);
    assert_int_equal(out[7].period, 8);
    ecsim_metrics_destroy(m);
}

/* ---- alarms --------------------------------------------------------------------- */

static ecsim_metric_alarm *make_alarm(int n, int m_of, ecsim_treat_missing treat)
{
    ecsim_metric_alarm_config cfg;
    ecsim_metric_alarm_config_defaults(&cfg);
    cfg.metric_id = CPU;
    cfg.comparison = ECSIM_CMP_GREATER;
    cfg.threshold = 60;
    cfg.evaluation_periods = n;
    cfg.datapoints_to_alarm = m_of;
    cfg.treat_missing = treat;
    ecsim_metric_alarm *a = ecsim_metric_alarm_create(&cfg);
    assert_non_null(a);
    return a;
}

/* Evaluate a fresh 3-of-3 "> 60" alarm (range 5) at the end of `pattern`. */
static ecsim_metric_alarm_state eval_pattern(const double *pattern, size_t n,
                                             ecsim_treat_missing treat)
{
    ecsim_metrics *m = series(pattern, n);
    ecsim_metric_alarm *a = make_alarm(3, 3, treat);
    ecsim_metric_alarm_state s = ecsim_metric_alarm_evaluate(a, m, 60.0 * n, NULL);
    ecsim_metric_alarm_destroy(a);
    ecsim_metrics_destroy(m);
    return s;
}

#define OK ECSIM_METRIC_ALARM_OK
#define AL ECSIM_METRIC_ALARM_ALARM
#define ID ECSIM_METRIC_ALARM_INSUFFICIENT_DATA

static void expect_row(const double pattern[5], ecsim_metric_alarm_state missing,
                       ecsim_metric_alarm_state not_breaching, ecsim_metric_alarm_state breaching,
                       ecsim_metric_alarm_state ignore_fresh)
{
    assert_int_equal(eval_pattern(pattern, 5, ECSIM_MISSING_MISSING), missing);
    assert_int_equal(eval_pattern(pattern, 5, ECSIM_MISSING_NOT_BREACHING), not_breaching);
    assert_int_equal(eval_pattern(pattern, 5, ECSIM_MISSING_BREACHING), breaching);
    /* a fresh alarm is INSUFFICIENT_DATA: "keep" shows as that */
    assert_int_equal(eval_pattern(pattern, 5, ECSIM_MISSING_IGNORE), ignore_fresh);
}

/* The evaluation-range rule of ecsim_metric_alarm_evaluate, row by row
 * (3 of 3, range 5, oldest first; X breaching, O not, M missing). */
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
    ecsim_metrics *m = series(then_gone, 8);
    ecsim_metric_alarm *ign = make_alarm(3, 3, ECSIM_MISSING_IGNORE);
    ecsim_metric_alarm *mis = make_alarm(3, 3, ECSIM_MISSING_MISSING);
    assert_int_equal(ecsim_metric_alarm_evaluate(ign, m, 180, NULL), AL);
    assert_int_equal(ecsim_metric_alarm_evaluate(mis, m, 180, NULL), AL);
    ecsim_metric_alarm_result r;
    assert_int_equal(ecsim_metric_alarm_evaluate(ign, m, 480, &r), AL);
    assert_int_equal(r.previous, AL);
    assert_int_equal(r.real, 0);
    assert_string_equal(r.reason, "0 of 0 real datapoints > 60, 3 missing (ignore: state kept)");
    assert_int_equal(ecsim_metric_alarm_evaluate(mis, m, 480, &r), ID);
    assert_string_equal(r.reason, "no datapoint in the last 5 periods (missing data: missing)");
    assert_int_equal(ecsim_metric_alarm_get_state(mis), ID);
    ecsim_metric_alarm_destroy(ign);
    ecsim_metric_alarm_destroy(mis);
    ecsim_metrics_destroy(m);
}

/* M of N: 2 of 3 and 3 of 5, with the points used reported. */
static void test_m_of_n(void **state)
{
    (void)state;
    const double two_of_three[3] = {X, O, X};
    const double one_of_three[3] = {O, O, X};
    ecsim_metrics *m = series(two_of_three, 3);
    ecsim_metric_alarm *a = make_alarm(3, 2, ECSIM_MISSING_MISSING);
    ecsim_metric_alarm_result r;
    assert_int_equal(ecsim_metric_alarm_evaluate(a, m, 180, &r), AL);
    assert_int_equal(r.breaching, 2);
    assert_int_equal(r.needed, 2);
    assert_int_equal(r.point_count, 5);
    assert_true(r.points[0].missing && !r.points[0].used); /* periods -2, -1 */
    assert_true(r.points[1].missing && !r.points[1].used);
    assert_true(r.points[2].used && r.points[2].breaching && r.points[2].alarm_period == 0);
    assert_true(r.points[3].used && !r.points[3].breaching);
    assert_near(r.points[3].value, O, 0);
    assert_true(r.points[4].used && r.points[4].breaching);
    assert_string_equal(r.reason, "2 of the newest 3 datapoints > 60 (ALARM needs 2)");
    ecsim_metrics_destroy(m);
    m = series(one_of_three, 3);
    assert_int_equal(ecsim_metric_alarm_evaluate(a, m, 180, &r), OK);
    assert_int_equal(r.previous, AL);
    ecsim_metrics_destroy(m);
    ecsim_metric_alarm_destroy(a);

    /* 3 of 5 with gaps: range 7 = periods 1..7 holds exactly 5 real ones */
    const double gap[8] = {X, X, M, O, X, O, X, M};
    m = series(gap, 8);
    a = make_alarm(5, 3, ECSIM_MISSING_MISSING);
    assert_int_equal(ecsim_metric_alarm_evaluate(a, m, 480, &r), AL); /* X O X O X */
    assert_int_equal(r.real, 5);
    assert_int_equal(r.breaching, 3);
    assert_int_equal(r.points[0].alarm_period, 1);
    assert_true(r.points[0].used);
    assert_true(r.points[1].missing && !r.points[1].used);
    ecsim_metric_alarm_destroy(a);
    a = make_alarm(5, 4, ECSIM_MISSING_MISSING);
    assert_int_equal(ecsim_metric_alarm_evaluate(a, m, 480, &r), OK);
    ecsim_metric_alarm_destroy(a);
    /* 2 of 3: range 5 = periods 3..7 holds 4 real ones; the newest 3 (X O X)
     * are used, the older O and the missing newest period are not */
    a = make_alarm(3, 2, ECSIM_MISSING_BREACHING);
    assert_int_equal(ecsim_metric_alarm_evaluate(a, m, 480, &r), AL);
    assert_int_equal(r.real, 4);
    assert_false(r.points[0].used);               /* period 3: O, 4th newest */
    assert_true(r.points[1].used && r.points[1].breaching);
    assert_true(r.points[4].missing && !r.points[4].used && !r.points[4].breaching);
    ecsim_metric_alarm_destroy(a);
    ecsim_metrics_destroy(m);
}

static void test_comparisons(void **state)
{
    (void)state;
    assert_true(ecsim_metric_alarm_breaches(ECSIM_CMP_GREATER, 61, 60));
    assert_false(ecsim_metric_alarm_breaches(ECSIM_CMP_GREATER, 60, 60));
    assert_true(ecsim_metric_alarm_breaches(ECSIM_CMP_GREATER_OR_EQUAL, 60, 60));
    assert_true(ecsim_metric_alarm_breaches(ECSIM_CMP_LESS, 53.9, 54));
    assert_false(ecsim_metric_alarm_breaches(ECSIM_CMP_LESS, 54, 54));
    assert_true(ecsim_metric_alarm_breaches(ECSIM_CMP_LESS_OR_EQUAL, 54, 54));
    assert_string_equal(ecsim_comparison_symbol(ECSIM_CMP_LESS_OR_EQUAL), "<=");
    assert_string_equal(ecsim_metric_alarm_state_name(ID), "INSUFFICIENT_DATA");
    assert_string_equal(ecsim_treat_missing_name(ECSIM_MISSING_NOT_BREACHING), "notBreaching");
    /* the values match policy.h's ecsim_alarm_state (NA = 0) */
    assert_int_equal(OK, 1);
    assert_int_equal(AL, 2);
    assert_int_equal(ID, 3);
}

/* Reference §1.2: AlarmHigh = 3 of 3 datapoints > target. */
static void test_target_tracking_alarm_high(void **state)
{
    (void)state;
    ecsim_metric_alarm_config cfg;
    ecsim_metric_alarm_config_tt_high(&cfg, CPU, 60);
    assert_int_equal(cfg.comparison, ECSIM_CMP_GREATER);
    assert_near(cfg.threshold, 60, 0);
    assert_near(cfg.period_s, 60, 0);
    assert_int_equal(cfg.evaluation_periods, 3);
    assert_int_equal(cfg.datapoints_to_alarm, 3);
    assert_int_equal(cfg.treat_missing, ECSIM_MISSING_MISSING);
    assert_int_equal(cfg.statistic, ECSIM_STAT_AVERAGE);
    assert_string_equal(cfg.name, "AlarmHigh");
    ecsim_metric_alarm *high = ecsim_metric_alarm_create(&cfg);
    assert_non_null(high);

    const double rising[6] = {40, 45, 50, 61, 75, 80};
    ecsim_metrics *m = series(rising, 6);
    ecsim_metric_alarm_result r;
    assert_int_equal(ecsim_metric_alarm_evaluate(high, m, 300, &r), OK); /* 50 61 75 */
    assert_int_equal(r.breaching, 2);
    assert_int_equal(ecsim_metric_alarm_evaluate(high, m, 360, &r), AL); /* 61 75 80 */
    assert_string_equal(r.reason, "3 of the newest 3 datapoints > 60 (ALARM needs 3)");
    ecsim_metrics_destroy(m);

    const double at_target[3] = {61, 60, 99}; /* exactly the target does not breach */
    m = series(at_target, 3);
    assert_int_equal(ecsim_metric_alarm_evaluate(high, m, 180, &r), OK);
    ecsim_metrics_destroy(m);

    /* with the publication lag, the alarm only sees published datapoints:
     * lag 90 s, so at t = 300 periods 3 and 4 are not visible yet */
    m = make_metrics(60, 90, 90, 1);
    const double v[5] = {70, 70, 70, 30, 30};
    for (int k = 0; k < 5; k++)
        assert_int_equal(ecsim_metrics_add_sample(m, CPU, 60.0 * k, v[k], 60), 0);
    assert_int_equal(ecsim_metrics_close_until(m, 300), 0);
    assert_int_equal(ecsim_metric_alarm_evaluate(high, m, 300, &r), AL);
    assert_true(r.points[3].missing && r.points[4].missing); /* periods 3, 4 pending */
    assert_true(r.points[0].used && r.points[1].used && r.points[2].used);
    assert_int_equal(ecsim_metric_alarm_evaluate(high, m, 390, &r), OK); /* 70 30 30 */
    ecsim_metrics_destroy(m);
    ecsim_metric_alarm_destroy(high);
}

/* Reference §1.2: AlarmLow = 15 of 15 datapoints < 0.9 x target. */
static void test_target_tracking_alarm_low(void **state)
{
    (void)state;
    ecsim_metric_alarm_config cfg;
    ecsim_metric_alarm_config_tt_low(&cfg, CPU, 70, 0.9);
    assert_int_equal(cfg.comparison, ECSIM_CMP_LESS);
    assert_near(cfg.threshold, 63, 1e-12); /* target 70 -> 63 ([A7]) */
    assert_int_equal(cfg.evaluation_periods, 15);
    assert_int_equal(cfg.datapoints_to_alarm, 15);
    assert_string_equal(cfg.name, "AlarmLow");
    ecsim_metric_alarm_config_tt_low(&cfg, CPU, 60, 0.9);
    assert_near(cfg.threshold, 54, 1e-12);
    ecsim_metric_alarm *low = ecsim_metric_alarm_create(&cfg);
    assert_non_null(low);

    double quiet[15];
    for (int k = 0; k < 15; k++)
        quiet[k] = 40;
    ecsim_metrics *m = series(quiet, 15);
    ecsim_metric_alarm_result r;
    assert_int_equal(ecsim_metric_alarm_evaluate(low, m, 900, &r), AL);
    assert_int_equal(r.breaching, 15);
    assert_int_equal(r.point_count, 17);
    assert_string_equal(r.reason, "15 of the newest 15 datapoints < 54 (ALARM needs 15)");
    ecsim_metrics_destroy(m);

    /* one datapoint at exactly 54 (not below) among 15: OK */
    quiet[7] = 54;
    m = series(quiet, 15);
    assert_int_equal(ecsim_metric_alarm_evaluate(low, m, 900, &r), OK);
    assert_int_equal(r.breaching, 14);
    ecsim_metrics_destroy(m);

    /* 20 quiet minutes but one busy one 10 minutes ago: OK until it leaves
     * the 15-period window */
    double day[30];
    for (int k = 0; k < 30; k++)
        day[k] = k == 10 ? 80 : 40;
    m = series(day, 30);
    assert_int_equal(ecsim_metric_alarm_evaluate(low, m, 60.0 * 20, NULL), OK);
    assert_int_equal(ecsim_metric_alarm_evaluate(low, m, 60.0 * 25, NULL), OK);
    assert_int_equal(ecsim_metric_alarm_evaluate(low, m, 60.0 * 26, NULL), AL);
    ecsim_metrics_destroy(m);

    /* AlarmHigh and AlarmLow evaluated together on one series never both
     * alarm (target 60, low threshold 54) */
    ecsim_metric_alarm_config hc;
    ecsim_metric_alarm_config_tt_high(&hc, CPU, 60);
    ecsim_metric_alarm *high = ecsim_metric_alarm_create(&hc);
    assert_non_null(high);
    double wave[60];
    for (int k = 0; k < 60; k++)
        wave[k] = 57 + 20 * sin(k / 3.0);
    m = series(wave, 60);
    int highs = 0, lows = 0;
    for (int k = 15; k <= 60; k++) {
        ecsim_metric_alarm_state h = ecsim_metric_alarm_evaluate(high, m, 60.0 * k, NULL);
        ecsim_metric_alarm_state l = ecsim_metric_alarm_evaluate(low, m, 60.0 * k, NULL);
        assert_false(h == AL && l == AL);
        highs += h == AL;
        lows += l == AL;
    }
    assert_true(highs > 0);
    assert_int_equal(lows, 0); /* never 15 minutes in a row below 54 */
    ecsim_metrics_destroy(m);
    ecsim_metric_alarm_destroy(high);
    ecsim_metric_alarm_destroy(low);
}

/* An alarm period of several metric periods, with each statistic. */
static void test_alarm_period_and_statistics(void **state)
{
    (void)state;
    ecsim_metrics *m = make_metrics(60, 0, 0, 1);
    /* period 0: 10 (weight 60), period 1: 40 (weight 20) */
    assert_int_equal(ecsim_metrics_add_sample(m, CPU, 0, 10, 60), 0);
    assert_int_equal(ecsim_metrics_add_sample(m, CPU, 60, 40, 20), 0);
    assert_int_equal(ecsim_metrics_close_until(m, 120), 0);
    ecsim_metric_alarm_config cfg;
    ecsim_metric_alarm_config_defaults(&cfg);
    cfg.period_s = 120;
    cfg.threshold = 17;
    ecsim_metric_alarm_result r;
    const struct {
        ecsim_statistic stat;
        double value;
    } cases[] = {{ECSIM_STAT_AVERAGE, (10 * 60 + 40 * 20) / 80.0},
                 {ECSIM_STAT_MINIMUM, 10},
                 {ECSIM_STAT_MAXIMUM, 40},
                 {ECSIM_STAT_SUM, 50}};
    for (size_t i = 0; i < 4; i++) {
        cfg.statistic = cases[i].stat;
        ecsim_metric_alarm *a = ecsim_metric_alarm_create(&cfg);
        assert_non_null(a);
        ecsim_metric_alarm_state s = ecsim_metric_alarm_evaluate(a, m, 120, &r);
        assert_int_equal(r.real, 1);
        assert_near(r.points[r.point_count - 1].value, cases[i].value, 1e-12);
        assert_int_equal(s, cases[i].value > 17 ? AL : OK);
        ecsim_metric_alarm_destroy(a);
    }
    /* not a multiple of the metric period */
    cfg.period_s = 90;
    ecsim_metric_alarm *a = ecsim_metric_alarm_create(&cfg);
    assert_non_null(a);
    assert_int_equal(ecsim_metric_alarm_evaluate(a, m, 120, &r), ID);
    assert_string_equal(r.reason, "alarm period 90s is not a multiple of the metric period 60s, "
                                  "or bad metric");
    ecsim_metric_alarm_destroy(a);
    ecsim_metrics_destroy(m);

    /* invalid configurations */
    ecsim_metric_alarm_config_defaults(&cfg);
    cfg.evaluation_periods = 0;
    assert_null(ecsim_metric_alarm_create(&cfg));
    ecsim_metric_alarm_config_defaults(&cfg);
    cfg.evaluation_periods = 3;
    cfg.datapoints_to_alarm = 4;
    assert_null(ecsim_metric_alarm_create(&cfg));
    cfg.datapoints_to_alarm = 0; /* = N */
    a = ecsim_metric_alarm_create(&cfg);
    assert_non_null(a);
    assert_int_equal(ecsim_metric_alarm_get_config(a)->datapoints_to_alarm, 3);
    ecsim_metric_alarm_destroy(a);
    cfg.threshold = NAN;
    assert_null(ecsim_metric_alarm_create(&cfg));
}

static void test_out_of_memory(void **state)
{
    (void)state;
    long live = ecsim_alloc_live();
    int failures = 0;
    for (long n = 1; n < 30; n++) {
        ecsim_alloc_fail_after(n);
        ecsim_monitoring_spec spec = {.period_s = 60, .lag_min_s = 30, .lag_max_s = 150};
        ecsim_metrics *m = ecsim_metrics_create(&spec, 1);
        ecsim_metric_alarm_config cfg;
        ecsim_metric_alarm_config_tt_high(&cfg, CPU, 60);
        ecsim_metric_alarm *a = ecsim_metric_alarm_create(&cfg);
        int rc = m ? ecsim_metrics_add_sample(m, CPU, 0, 1, 1) : ECSIM_ENOMEM;
        if (rc == 0)
            rc = ecsim_metrics_close_period(m);
        ecsim_alloc_fail_after(0);
        if (!m || !a || rc != 0)
            failures++;
        if (rc != 0 && rc != ECSIM_ENOMEM)
            fail_msg("unexpected rc %d", rc);
        ecsim_metric_alarm_destroy(a);
        ecsim_metrics_destroy(m);
        assert_int_equal(ecsim_alloc_live(), live);
    }
    assert_true(failures >= 4);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_time_weighted_aggregation),
        cmocka_unit_test(test_levels_split_at_period_boundaries),
        cmocka_unit_test(test_argument_and_state_errors),
        cmocka_unit_test(test_metric_names_and_registration),
        cmocka_unit_test(test_publication_lag),
        cmocka_unit_test(test_published_queries),
        cmocka_unit_test(test_missing_data_treatments),
        cmocka_unit_test(test_m_of_n),
        cmocka_unit_test(test_comparisons),
        cmocka_unit_test(test_target_tracking_alarm_high),
        cmocka_unit_test(test_target_tracking_alarm_low),
        cmocka_unit_test(test_alarm_period_and_statistics),
        cmocka_unit_test(test_out_of_memory),
    };
    return cmocka_run_group_tests_name("metrics", tests, NULL, NULL);
}
