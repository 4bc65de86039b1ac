/* Tests of the streaming latency histogram (include/ecsim/histogram.h):
 * bucket arithmetic, the documented relative error of quantiles against
 * exact order statistics, exact min / max / mean, merge and reset. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "ecsim/histogram.h"
#include "ecsim/rng.h"

static ecsim_histogram *new_hist(void)
{
    ecsim_histogram *h = calloc(1, sizeof *h);
    assert_non_null(h);
    ecsim_histogram_reset(h);
    return h;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void test_empty(void **state)
{
    (void)state;
    ecsim_histogram *h = new_hist();
    assert_int_equal(h->count, 0);
    assert_true(isnan(ecsim_histogram_quantile(h, 0.5)));
    assert_true(isnan(ecsim_histogram_mean(h)));
    free(h);
}

static void test_single_value(void **state)
{
    (void)state;
    ecsim_histogram *h = new_hist();
    ecsim_histogram_add(h, 0.0421);
    /* One value: every quantile is that value (clamped to the exact min/max). */
    assert_true(ecsim_histogram_quantile(h, 0.5) == 0.0421);
    assert_true(ecsim_histogram_quantile(h, 0.99) == 0.0421);
    assert_true(ecsim_histogram_quantile(h, 0) == 0.0421);
    assert_true(ecsim_histogram_mean(h) == 0.0421);
    assert_true(isnan(ecsim_histogram_quantile(h, 1.5)));
    assert_true(isnan(ecsim_histogram_quantile(h, -0.1)));
    free(h);
}

static void test_bucket_bounds(void **state)
{
    (void)state;
    /* Every value lies in [low(b), low(b + 1)) and that width is at most
     * 2^-7 of low(b): the midpoint is within 2^-8 of the value. */
    ecsim_rng rng;
    ecsim_rng_derive(&rng, 7, "test.histogram");
    for (int i = 0; i < 100000; i++) {
        double v = exp(-20.0 + 35.0 * ecsim_rng_uniform(&rng)); /* 2e-9 .. 3e6 */
        uint32_t b = ecsim_histogram_bucket(v);
        assert_true(b > 0 && b < ECSIM_HISTOGRAM_BUCKETS - 1);
        double lo = ecsim_histogram_bucket_low(b), hi = ecsim_histogram_bucket_low(b + 1);
        assert_true(lo <= v && v < hi);
        assert_true((hi - lo) / lo <= 1.0 / 128 * (1 + 1e-12));
        assert_true(fabs(ecsim_histogram_bucket_mid(b) - v) / v <= ECSIM_HISTOGRAM_REL_ERROR);
    }
    assert_int_equal(ecsim_histogram_bucket(0.0), 0);
    assert_int_equal(ecsim_histogram_bucket(-1.0), 0);
    assert_int_equal(ecsim_histogram_bucket(NAN), 0);
    assert_int_equal(ecsim_histogram_bucket(1e300), ECSIM_HISTOGRAM_BUCKETS - 1);
    /* Exact powers of two start a bucket. */
    assert_true(ecsim_histogram_bucket_low(ecsim_histogram_bucket(1.0)) == 1.0);
    assert_true(ecsim_histogram_bucket_low(ecsim_histogram_bucket(0.25)) == 0.25);
}

/* Quantiles of a lognormal sample against the exact nearest-rank order
 * statistics: within the documented relative error. */
static void test_quantiles_relative_error(void **state)
{
    (void)state;
    enum { N = 200001 };
    double *v = malloc(N * sizeof *v);
    assert_non_null(v);
    ecsim_histogram *h = new_hist();
    ecsim_rng rng;
    ecsim_rng_derive(&rng, 42, "test.histogram.lognormal");
    double sum = 0;
    for (int i = 0; i < N; i++) {
        v[i] = ecsim_rng_lognormal_mean_cv(&rng, 0.05, 2.0);
        sum += v[i];
        ecsim_histogram_add(h, v[i]);
    }
    qsort(v, N, sizeof *v, cmp_double);
    const double qs[] = {0.001, 0.1, 0.25, 0.5, 0.9, 0.95, 0.99, 0.999, 0.9999};
    for (size_t k = 0; k < sizeof qs / sizeof qs[0]; k++) {
        size_t rank = (size_t)ceil(qs[k] * N); /* nearest rank, 1-based */
        double exact = v[rank - 1];
        double est = ecsim_histogram_quantile(h, qs[k]);
        if (fabs(est - exact) / exact > ECSIM_HISTOGRAM_REL_ERROR)
            fail_msg("q=%g: estimate %.9g, exact %.9g", qs[k], est, exact);
    }
    assert_true(ecsim_histogram_quantile(h, 0) == v[0]);
    assert_true(ecsim_histogram_quantile(h, 1) == v[N - 1]);
    assert_true(fabs(ecsim_histogram_mean(h) - sum / N) < 1e-12);
    assert_int_equal(h->count, N);
    free(v);
    free(h);
}

static void test_ranks_small(void **state)
{
    (void)state;
    ecsim_histogram *h = new_hist();
    /* 1..100 ms: p50 is the 50th value, p95 the 95th, p99 the 99th. */
    for (int i = 100; i >= 1; i--)
        ecsim_histogram_add(h, i * 0.001);
    assert_true(fabs(ecsim_histogram_quantile(h, 0.50) - 0.050) <= 0.050 * ECSIM_HISTOGRAM_REL_ERROR);
    assert_true(fabs(ecsim_histogram_quantile(h, 0.95) - 0.095) <= 0.095 * ECSIM_HISTOGRAM_REL_ERROR);
    assert_true(fabs(ecsim_histogram_quantile(h, 0.99) - 0.099) <= 0.099 * ECSIM_HISTOGRAM_REL_ERROR);
    assert_true(ecsim_histogram_quantile(h, 1) == 0.1);
    assert_true(ecsim_histogram_quantile(h, 0) == 0.001);
    free(h);
}

static void test_zero_and_huge(void **state)
{
    (void)state;
    ecsim_histogram *h = new_hist();
    ecsim_histogram_add(h, 0.0);
    ecsim_histogram_add(h, -3.0); /* counts as 0 */
    ecsim_histogram_add(h, 1e12);
    assert_int_equal(h->count, 3);
    assert_true(ecsim_histogram_quantile(h, 0.5) == 0.0);
    assert_true(ecsim_histogram_quantile(h, 1.0) == 1e12);
    assert_true(ecsim_histogram_quantile(h, 0.99) <= 1e12);
    free(h);
}

static void test_merge_and_reset(void **state)
{
    (void)state;
    ecsim_histogram *a = new_hist(), *b = new_hist(), *all = new_hist();
    ecsim_rng rng;
    ecsim_rng_derive(&rng, 3, "test.histogram.merge");
    for (int i = 0; i < 5000; i++) {
        double x = ecsim_rng_exponential(&rng, 10.0);
        ecsim_histogram_add(i % 3 ? a : b, x);
        ecsim_histogram_add(all, x);
    }
    ecsim_histogram_merge(a, b);
    assert_int_equal(a->count, all->count);
    assert_true(a->min == all->min && a->max == all->max);
    for (uint32_t k = 0; k < ECSIM_HISTOGRAM_BUCKETS; k++)
        assert_true(a->buckets[k] == all->buckets[k]);
    assert_true(ecsim_histogram_quantile(a, 0.9) == ecsim_histogram_quantile(all, 0.9));
    /* Merging into an empty histogram copies. */
    ecsim_histogram *e = new_hist();
    ecsim_histogram_merge(e, all);
    assert_true(ecsim_histogram_quantile(e, 0.5) == ecsim_histogram_quantile(all, 0.5));
    /* Reset clears every bucket used. */
    ecsim_histogram_reset(a);
    assert_int_equal(a->count, 0);
    for (uint32_t k = 0; k < ECSIM_HISTOGRAM_BUCKETS; k++)
        assert_true(a->buckets[k] == 0);
    ecsim_histogram_add(a, 2.0);
    assert_true(ecsim_histogram_quantile(a, 0.5) == 2.0);
    free(a);
    free(b);
    free(all);
    free(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_single_value),
        cmocka_unit_test(test_bucket_bounds),
        cmocka_unit_test(test_quantiles_relative_error),
        cmocka_unit_test(test_ranks_small),
        cmocka_unit_test(test_zero_and_huge),
        cmocka_unit_test(test_merge_and_reset),
    };
    return cmocka_run_group_tests_name("histogram", tests, NULL, NULL);
}
