/* Unit tests of the random streams (include/ecsim/rng.h, sim/core/rng.c): the
 * generator against an independent transcription of the published
 * xoshiro256** algorithm, stream derivation (determinism, independence),
 * the open interval of uniform(), bias-free below(), and the moments of the
 * exponential, normal and lognormal draws. Statistical bounds are set at
 * five or more standard errors, so the tests are deterministic in practice
 * (and fully deterministic, since every stream is seeded). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ecsim/rng.h"

/* ---- reference: xoshiro256** 1.0 as published by Blackman and Vigna
 * (prng.di.unimi.it/xoshiro256starstar.c), transcribed independently of
 * include/ecsim/rng.h. */

static uint64_t ref_rotl(const uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static uint64_t ref_next(uint64_t s[4])
{
    const uint64_t result = ref_rotl(s[1] * 5, 7) * 9;
    const uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = ref_rotl(s[3], 45);
    return result;
}

static void test_xoshiro_matches_reference(void **state)
{
    (void)state;
    /* State {1, 2, 3, 4}: the first outputs worked by hand are
     * rotl(2 * 5, 7) * 9 = 1280 * 9 = 11520, then 0 (s[1] becomes 2 ^ 2). */
    ecsim_rng rng = {{1, 2, 3, 4}};
    uint64_t ref[4] = {1, 2, 3, 4};
    assert_int_equal(ecsim_rng_next(&rng), 11520);
    assert_int_equal(ref_next(ref), 11520);
    assert_int_equal(ecsim_rng_next(&rng), 0);
    assert_int_equal(ref_next(ref), 0);
    for (int i = 0; i < 100000; i++)
        assert_int_equal(ecsim_rng_next(&rng), ref_next(ref));
    assert_memory_equal(rng.s, ref, sizeof ref);

    /* And from a derived (arbitrary-looking) state. */
    ecsim_rng_derive(&rng, 12345, "reference");
    memcpy(ref, rng.s, sizeof ref);
    for (int i = 0; i < 1000; i++)
        assert_int_equal(ecsim_rng_next(&rng), ref_next(ref));
}

/* ---- derivation ---------------------------------------------------------------- */

static void test_derive_is_deterministic(void **state)
{
    (void)state;
    ecsim_rng a, b;
    ecsim_rng_derive(&a, 42, "arrivals");
    ecsim_rng_derive(&b, 42, "arrivals");
    assert_memory_equal(a.s, b.s, sizeof a.s);
    for (int i = 0; i < 10000; i++)
        assert_int_equal(ecsim_rng_next(&a), ecsim_rng_next(&b));
    for (int i = 0; i < 1000; i++)
        assert_true(ecsim_rng_normal(&a) == ecsim_rng_normal(&b));
}

static int states_equal(const ecsim_rng *a, const ecsim_rng *b)
{
    return memcmp(a->s, b->s, sizeof a->s) == 0;
}

static void test_derive_distinguishes_seed_and_name(void **state)
{
    (void)state;
    ecsim_rng base, other;
    ecsim_rng_derive(&base, 42, "arrivals");
    ecsim_rng_derive(&other, 43, "arrivals");
    assert_false(states_equal(&base, &other));
    ecsim_rng_derive(&other, 42, "arrivalt");
    assert_false(states_equal(&base, &other));
    ecsim_rng_derive(&other, 42, "");
    assert_false(states_equal(&base, &other));
    /* Seed and name are not simply xor-ed together. */
    ecsim_rng x, y;
    ecsim_rng_derive(&x, 0, "a");
    ecsim_rng_derive(&y, 1, "b");
    assert_false(states_equal(&x, &y));

    /* No derived state is all zeros, and sequences from different streams
     * do not coincide. */
    static const char *names[] = {"", "a", "b", "arrivals", "service", "noise", "lag", "boot"};
    for (uint64_t seed = 0; seed < 64; seed++) {
        for (size_t n = 0; n < sizeof names / sizeof names[0]; n++) {
            ecsim_rng r;
            ecsim_rng_derive(&r, seed, names[n]);
            assert_true((r.s[0] | r.s[1] | r.s[2] | r.s[3]) != 0);
        }
    }
    int same = 0;
    for (int i = 0; i < 1000; i++)
        same += ecsim_rng_next(&x) == ecsim_rng_next(&y);
    assert_int_equal(same, 0);
}

/* Pearson correlation of n paired uniforms from two streams. */
static double stream_correlation(ecsim_rng *a, ecsim_rng *b, int n)
{
    double sa = 0, sb = 0, saa = 0, sbb = 0, sab = 0;
    for (int i = 0; i < n; i++) {
        double x = ecsim_rng_uniform(a), y = ecsim_rng_uniform(b);
        sa += x;
        sb += y;
        saa += x * x;
        sbb += y * y;
        sab += x * y;
    }
    double cov = sab / n - (sa / n) * (sb / n);
    double va = saa / n - (sa / n) * (sa / n), vb = sbb / n - (sb / n) * (sb / n);
    return cov / sqrt(va * vb);
}

static void test_streams_are_independent(void **state)
{
    (void)state;
    /* The standard error of r over 100k independent pairs is 1/sqrt(1e5) =
     * 0.0032; 0.02 is over six of them. */
    ecsim_rng a, b;
    ecsim_rng_derive(&a, 42, "arrivals");
    ecsim_rng_derive(&b, 42, "service");
    assert_true(fabs(stream_correlation(&a, &b, 100000)) < 0.02);
    ecsim_rng_derive(&a, 1, "x");
    ecsim_rng_derive(&b, 2, "x"); /* neighbouring seeds, same name */
    assert_true(fabs(stream_correlation(&a, &b, 100000)) < 0.02);
    ecsim_rng_derive(&a, 7, "task-1");
    ecsim_rng_derive(&b, 7, "task-2"); /* names one character apart */
    assert_true(fabs(stream_correlation(&a, &b, 100000)) < 0.02);
    /* Sanity of the measure itself: a stream against itself gives 1. */
    ecsim_rng_derive(&a, 7, "task-1");
    ecsim_rng_derive(&b, 7, "task-1");
    assert_true(stream_correlation(&a, &b, 1000) > 0.999999);
}

/* ---- uniform and below ------------------------------------------------------------ */

/* Inverse of an odd number modulo 2^64 (Newton's iteration). */
static uint64_t inverse_mod_2_64(uint64_t a)
{
    uint64_t x = a; /* correct to 3 bits for odd a */
    for (int i = 0; i < 5; i++)
        x *= 2 - a * x;
    return x;
}

static void test_uniform_open_interval(void **state)
{
    (void)state;
    /* Raw output 0: state with s[1] = 0 makes the first output 0. */
    ecsim_rng lo = {{1, 0, 0, 0}};
    double u = ecsim_rng_uniform(&lo);
    assert_true(u > 0.0 && u < 1e-15);

    ecsim_rng rng;
    ecsim_rng_derive(&rng, 3, "uniform");
    double sum = 0, min = 1, max = 0;
    for (int i = 0; i < 1000000; i++) {
        u = ecsim_rng_uniform(&rng);
        assert_true(u > 0.0 && u < 1.0);
        sum += u;
        if (u < min)
            min = u;
        if (u > max)
            max = u;
    }
    assert_true(fabs(sum / 1e6 - 0.5) < 0.002); /* s.e. 0.00029 */
    assert_true(min < 1e-4 && max > 1.0 - 1e-4);
}

/* The largest raw output must still give a uniform below 1: a form like
 * ((x >> 11) + 0.5) * 2^-53 would round 2^53 - 0.5 up to 2^53 and return
 * exactly 1.0 there (one draw in 2^53); the header's
 * ((x >> 12) + 0.5) * 2^-52 is exact. */
static void test_uniform_below_one_at_max_output(void **state)
{
    (void)state;
    /* Raw output 2^64 - 1: solve rotl(s1 * 5, 7) * 9 = UINT64_MAX for s1. */
    uint64_t rotated = UINT64_MAX * inverse_mod_2_64(9);
    uint64_t s1 = ((rotated >> 7) | (rotated << 57)) * inverse_mod_2_64(5);
    ecsim_rng hi = {{0, s1, 0, 0}};
    uint64_t probe[4] = {0, s1, 0, 0};
    assert_int_equal(ref_next(probe), UINT64_MAX);
    double u = ecsim_rng_uniform(&hi);
    assert_true(u > 1.0 - 1e-15 && u <= 1.0);
    assert_true(u < 1.0);
}

static void test_below_range_and_uniformity(void **state)
{
    (void)state;
    ecsim_rng rng;
    ecsim_rng_derive(&rng, 5, "below");
    for (int i = 0; i < 1000; i++)
        assert_int_equal(ecsim_rng_below(&rng, 1), 0);
    static const uint64_t ns[] = {2, 3, 7, 1000, (UINT64_C(1) << 63) + 1, UINT64_MAX};
    for (size_t k = 0; k < sizeof ns / sizeof ns[0]; k++)
        for (int i = 0; i < 10000; i++)
            assert_true(ecsim_rng_below(&rng, ns[k]) < ns[k]);

    /* Chi-square over 10 bins, 100k draws, 9 degrees of freedom: the 99.99th
     * percentile is 33.7; a generous bound of 40. */
    enum { BINS = 10, DRAWS = 100000 };
    long count[BINS] = {0};
    for (int i = 0; i < DRAWS; i++)
        count[ecsim_rng_below(&rng, BINS)]++;
    double chi2 = 0, expected = (double)DRAWS / BINS;
    for (int b = 0; b < BINS; b++)
        chi2 += (count[b] - expected) * (count[b] - expected) / expected;
    assert_true(chi2 < 40.0);

    /* Modulo bias would show here: with n = 3 * 2^62, x % n lands in the
     * first third [0, 2^62) half of the time instead of a third. */
    uint64_t n = UINT64_C(3) << 62;
    long first_third = 0;
    for (int i = 0; i < DRAWS; i++)
        first_third += ecsim_rng_below(&rng, n) < (UINT64_C(1) << 62);
    double p = (double)first_third / DRAWS; /* s.e. 0.0015 */
    assert_true(p > 0.3233 && p < 0.3433);
}

/* ---- continuous distributions ------------------------------------------------------ */

static void test_exponential_mean(void **state)
{
    (void)state;
    ecsim_rng rng;
    ecsim_rng_derive(&rng, 11, "exponential");
    double sum = 0, sumsq = 0;
    for (int i = 0; i < 1000000; i++) {
        double x = ecsim_rng_exponential(&rng, 20.0);
        assert_true(x > 0.0 && isfinite(x));
        sum += x;
        sumsq += x * x;
    }
    double mean = sum / 1e6, var = sumsq / 1e6 - mean * mean;
    assert_true(fabs(mean - 0.05) < 0.01 * 0.05); /* within 1 %; s.e. 0.1 % */
    assert_true(fabs(var - 0.0025) < 0.02 * 0.0025); /* variance 1/rate^2; s.e. 0.3 % */
}

static void test_normal_moments(void **state)
{
    (void)state;
    ecsim_rng rng;
    ecsim_rng_derive(&rng, 13, "normal");
    double sum = 0, sumsq = 0, sum3 = 0;
    long beyond_2sigma = 0;
    for (int i = 0; i < 1000000; i++) {
        double z = ecsim_rng_normal(&rng);
        assert_true(isfinite(z));
        sum += z;
        sumsq += z * z;
        sum3 += z * z * z;
        beyond_2sigma += fabs(z) > 2.0;
    }
    double mean = sum / 1e6, var = sumsq / 1e6 - mean * mean;
    assert_true(fabs(mean) < 0.005);       /* s.e. 0.001 */
    assert_true(fabs(var - 1.0) < 0.01);   /* s.e. 0.0014 */
    assert_true(fabs(sum3 / 1e6) < 0.02);  /* skewness 0; s.e. 0.0024 */
    double tail = (double)beyond_2sigma / 1e6; /* 0.0455; s.e. 0.0002 */
    assert_true(fabs(tail - 0.0455) < 0.002);
}

static void lognormal_moments(double mean, double cv, int n, double *got_mean, double *got_cv)
{
    ecsim_rng rng;
    ecsim_rng_derive(&rng, 17, "lognormal");
    double sum = 0, sumsq = 0;
    for (int i = 0; i < n; i++) {
        double x = ecsim_rng_lognormal_mean_cv(&rng, mean, cv);
        assert_true(x > 0.0 && isfinite(x));
        sum += x;
        sumsq += x * x;
    }
    *got_mean = sum / n;
    *got_cv = sqrt(sumsq / n - *got_mean * *got_mean) / *got_mean;
}

static void test_lognormal_mean_and_cv(void **state)
{
    (void)state;
    double m, cv;
    lognormal_moments(0.2, 0.5, 1000000, &m, &cv);
    assert_true(fabs(m - 0.2) < 0.01 * 0.2);   /* s.e. 0.05 % */
    assert_true(fabs(cv - 0.5) < 0.03 * 0.5);  /* s.e. about 0.2 % */
    lognormal_moments(0.05, 2.0, 1000000, &m, &cv);
    assert_true(fabs(m - 0.05) < 0.03 * 0.05); /* heavy tail: s.e. 0.2 % */
    /* cv = 0 is the constant `mean`. */
    ecsim_rng rng;
    ecsim_rng_derive(&rng, 19, "lognormal0");
    for (int i = 0; i < 100; i++)
        assert_true(fabs(ecsim_rng_lognormal_mean_cv(&rng, 3.0, 0.0) - 3.0) < 1e-12);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The instance boot time of reference §3.3 (median 60 s, p95 180 s) against
 * the lognormal's closed forms: median m, p95 m e^(1.645 sigma) = 180 by
 * construction, mean m e^(sigma^2 / 2) with sigma = ln 3 / 1.645 = 0.668
 * (mean 74.99 s, CV 0.75). With N = 200,000 draws the standard errors are,
 * relative: median 1.2533 sigma / sqrt(N) = 0.19 %; p95 sigma sqrt(0.05 x
 * 0.95) / (phi(1.645) sqrt(N)) = 0.32 %; mean CV / sqrt(N) = 0.17 %. The
 * tolerances (1 %, 2 %, 1 %) are over 5 standard errors: a correct sampler
 * fails with probability under 1e-6, a sigma off by 5 % moves the p95 by
 * 3.4 % and the mean by 2.2 %, and fails. */
static void test_lognormal_median_p95(void **state)
{
    (void)state;
    enum { N = 200000 };
    static double x[N];
    ecsim_rng rng;
    ecsim_rng_derive(&rng, 23, "boot");
    double sum = 0;
    for (int i = 0; i < N; i++) {
        x[i] = ecsim_rng_lognormal_median_p95(&rng, 60, 180);
        assert_true(x[i] > 0 && isfinite(x[i]));
        sum += x[i];
    }
    qsort(x, N, sizeof x[0], cmp_double);
    double sigma = log(3.0) / 1.6448536269514722;
    double median = x[N / 2], p95 = x[(int)(0.95 * N)], mean = sum / N;
    assert_true(fabs(median / 60 - 1) < 0.01);
    assert_true(fabs(p95 / 180 - 1) < 0.02);
    assert_true(fabs(mean / (60 * exp(sigma * sigma / 2)) - 1) < 0.01);
}

/* Degenerate parameters, and one normal draw per call whatever they are
 * (the stream stays in step with a plain ecsim_rng_normal stream). */
static void test_lognormal_median_p95_edges(void **state)
{
    (void)state;
    ecsim_rng a, b;
    ecsim_rng_derive(&a, 29, "edges");
    ecsim_rng_derive(&b, 29, "edges");
    for (int i = 0; i < 100; i++) {
        double z = ecsim_rng_normal(&b);
        switch (i % 4) {
        case 0: /* p95 <= median: the constant median */
            assert_true(ecsim_rng_lognormal_median_p95(&a, 30, 30) == 30);
            break;
        case 1: /* no boot time */
            assert_true(ecsim_rng_lognormal_median_p95(&a, 0, 180) == 0);
            break;
        case 2:
            assert_true(ecsim_rng_lognormal_median_p95(&a, -1, 5) == 0);
            break;
        default: /* the value is median x exp(sigma z) for this very z */
            assert_true(fabs(ecsim_rng_lognormal_median_p95(&a, 60, 180) -
                             60 * exp(log(3.0) / 1.6448536269514722 * z)) < 1e-9);
        }
    }
    assert_true(ecsim_rng_next(&a) == ecsim_rng_next(&b));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_xoshiro_matches_reference),
        cmocka_unit_test(test_derive_is_deterministic),
        cmocka_unit_test(test_derive_distinguishes_seed_and_name),
        cmocka_unit_test(test_streams_are_independent),
        cmocka_unit_test(test_uniform_open_interval),
        cmocka_unit_test(test_uniform_below_one_at_max_output),
        cmocka_unit_test(test_below_range_and_uniformity),
        cmocka_unit_test(test_exponential_mean),
        cmocka_unit_test(test_normal_moments),
        cmocka_unit_test(test_lognormal_mean_and_cv),
        cmocka_unit_test(test_lognormal_median_p95),
        cmocka_unit_test(test_lognormal_median_p95_edges),
    };
    return cmocka_run_group_tests_name("rng", tests, NULL, NULL);
}
