/* Tests of the CloudWatch-like metrics (include/ecsim/metrics.h): per-period
 * time-weighted aggregation, missing periods and publication lag (nothing
 * visible before its publish time). The alarms are tested in test_alarm.c. */
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

/* Close the periods of `m` up to the end of period k and return period
 * k's publication time (its datapoint must exist). */
static double close_and_publish_time(ecsim_metrics *m, int k)
{
    assert_int_equal(ecsim_metrics_close_until(m, 60.0 * (k + 1)), 0);
    ecsim_datapoint dp;
    assert_int_not_equal(ecsim_metrics_lookup(m, CPU, k, 0, &dp), ECSIM_DP_MISSING);
    return dp.publish_s;
}

/* Reference §7: the datapoint of period k is published at (k+1) P +
 * U(lag_min, lag_max), and not visible before. Each period is read as the
 * simulation reads it, soon after it closes (older ones are forgotten:
 * test_bounded_history). */
static void test_publication_lag(void **state)
{
    (void)state;
    ecsim_metrics *m = make_metrics(60, 30, 150, 42);
    ecsim_metrics *third = make_metrics(60, 30, 150, 43);
    ecsim_metrics *other = make_metrics(60, 30, 150, 42);
    double lo = INFINITY, hi = -INFINITY;
    int differ = 0;
    for (int k = 0; k < 200; k++) {
        assert_int_equal(ecsim_metrics_add_sample(m, CPU, 60.0 * k, k, 60), 0);
        assert_int_equal(ecsim_metrics_close_until(m, 60.0 * (k + 1)), 0);
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

        /* the same seed gives the same lags whatever the samples were
         * (`other` has a sample every 7th period only); another seed, others */
        assert_int_equal(ecsim_metrics_add_sample(third, CPU, 60.0 * k, k, 60), 0);
        differ += close_and_publish_time(third, k) != dp.publish_s;
        if (k % 7 == 0) {
            assert_int_equal(ecsim_metrics_add_sample(other, CPU, 60.0 * k, 1, 1), 0);
            assert_true(close_and_publish_time(other, k) == dp.publish_s);
        } else {
            assert_int_equal(ecsim_metrics_close_until(other, 60.0 * (k + 1)), 0);
        }
    }
    assert_true(lo < 40 && hi > 140); /* the lags spread over the range */
    assert_true(differ > 190);
    ecsim_metrics_destroy(m);
    ecsim_metrics_destroy(other);
    ecsim_metrics_destroy(third);
}

/* Memory does not grow with the run: only the newest datapoints are kept
 * (ECSIM_METRICS_HISTORY before the newest published one, plus those still
 * unpublished), and the latest one is found after any gap. */
static void test_bounded_history(void **state)
{
    (void)state;
    ecsim_metrics *m = make_metrics(60, 30, 150, 7);
    long live_after_warmup = 0;
    const int periods = 20000; /* about two weeks of minutes */
    for (int k = 0; k < periods; k++) {
        assert_int_equal(ecsim_metrics_set_level(m, CPU, 60.0 * k, 50 + k % 10), 0);
        assert_int_equal(ecsim_metrics_add_sample(m, ECSIM_METRIC_ID_MEMORY, 60.0 * k + 1, k, 1),
                         0);
        assert_int_equal(ecsim_metrics_close_until(m, 60.0 * (k + 1)), 0);
        if (k == 1000)
            live_after_warmup = ecsim_alloc_live();
        if (k > 1000)
            assert_int_equal(ecsim_alloc_live(), live_after_warmup);
    }
    double now = 60.0 * periods + 200; /* everything closed is published */
    ecsim_datapoint dp;
    assert_int_equal(ecsim_metrics_latest(m, CPU, now, &dp), 0);
    assert_int_equal(dp.period, periods - 1);
    /* the look-back the policies read is there, exactly */
    for (int k = periods - ECSIM_METRICS_HISTORY; k < periods; k++) {
        assert_int_equal(ecsim_metrics_lookup(m, CPU, k, now, &dp), ECSIM_DP_PUBLISHED);
        assert_near(dp.value, 50 + k % 10, 1e-9);
        assert_int_equal(ecsim_metrics_lookup(m, ECSIM_METRIC_ID_MEMORY, k, now, &dp),
                         ECSIM_DP_PUBLISHED);
        assert_near(dp.value, k, 0);
    }
    /* long forgotten */
    assert_int_equal(ecsim_metrics_lookup(m, CPU, 5, now, NULL), ECSIM_DP_MISSING);

    /* a long gap without data: the last datapoint before it is still the
     * latest one, and the periods before it are still readable */
    assert_int_equal(ecsim_metrics_set_level(m, CPU, 60.0 * periods, NAN), 0);
    assert_int_equal(ecsim_metrics_close_until(m, 60.0 * (periods + 5000)), 0);
    assert_int_equal(ecsim_metrics_latest(m, CPU, 60.0 * (periods + 5000), &dp), 0);
    assert_int_equal(dp.period, periods - 1);
    assert_int_equal(ecsim_metrics_lookup(m, CPU, periods - 30, 1e12, &dp), ECSIM_DP_PUBLISHED);
    assert_int_equal(ecsim_metrics_lookup(m, CPU, periods + 10, 1e12, NULL), ECSIM_DP_MISSING);
    assert_int_equal(ecsim_alloc_live(), live_after_warmup);
    ecsim_metrics_destroy(m);
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

static void test_out_of_memory(void **state)
{
    (void)state;
    long live = ecsim_alloc_live();
    int failures = 0;
    for (long n = 1; n < 30; n++) {
        ecsim_alloc_fail_after(n);
        ecsim_monitoring_spec spec = {.period_s = 60, .lag_min_s = 30, .lag_max_s = 150};
        ecsim_metrics *m = ecsim_metrics_create(&spec, 1);
        int rc = m ? ecsim_metrics_add_sample(m, CPU, 0, 1, 1) : ECSIM_ENOMEM;
        if (rc == 0)
            rc = ecsim_metrics_close_period(m);
        ecsim_alloc_fail_after(0);
        if (!m || rc != 0)
            failures++;
        if (rc != 0 && rc != ECSIM_ENOMEM)
            fail_msg("unexpected rc %d", rc);
        ecsim_metrics_destroy(m);
        assert_int_equal(ecsim_alloc_live(), live);
    }
    assert_true(failures >= 4);
}

/* ecsim_metrics_window reads what ecsim_metrics_lookup says period by
 * period: gaps, lagged publication, periods still open or before 0, and
 * periods fallen off the history, at several reading times. */
static void test_window_matches_lookup(void **state)
{
    (void)state;
    ecsim_metrics *m = make_metrics(60, 30, 200, 9);
    for (int k = 0; k < 300; k++) {
        if (k % 7 != 3 && k % 11 != 5)
            assert_int_equal(ecsim_metrics_add_sample(m, CPU, k * 60.0 + 1, (double)(k % 37), 60), 0);
        assert_int_equal(ecsim_metrics_close_period(m), 0);
        double now = (k + 1) * 60.0 + (k % 5) * 40.0;
        int64_t lo = k - 80, hi = k + 2;
        double out[90];
        size_t n = ecsim_metrics_window(m, CPU, lo, hi, now, out);
        assert_int_equal(n, (size_t)(hi - lo + 1));
        for (int64_t p = lo; p <= hi; p++) {
            ecsim_datapoint dp;
            double want = ecsim_metrics_lookup(m, CPU, p, now, &dp) == ECSIM_DP_PUBLISHED ? dp.value : NAN;
            double got = out[p - lo];
            if (isnan(want))
                assert_true(isnan(got));
            else
                assert_true(got == want);
        }
    }
    double out[1];
    assert_int_equal(ecsim_metrics_window(m, CPU, 5, 4, 1e9, out), 0);
    assert_int_equal(ecsim_metrics_window(m, 99, 0, 0, 1e9, out), 0);
    ecsim_metrics_destroy(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_time_weighted_aggregation),
        cmocka_unit_test(test_levels_split_at_period_boundaries),
        cmocka_unit_test(test_argument_and_state_errors),
        cmocka_unit_test(test_metric_names_and_registration),
        cmocka_unit_test(test_publication_lag),
        cmocka_unit_test(test_bounded_history),
        cmocka_unit_test(test_published_queries),
        cmocka_unit_test(test_window_matches_lookup),
        cmocka_unit_test(test_out_of_memory),
    };
    return cmocka_run_group_tests_name("metrics", tests, NULL, NULL);
}
