/* Tests of the load generator (include/ecsim/load.h): every shape at its
 * boundaries and inside, segment chaining, mean_rate against a brute-force
 * integral, max_rate as an upper bound, noise determinism, and CSV traces
 * (good ones, and each bad-row case with its exact diagnostic). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "ecsim/alloc.h"
#include "ecsim/diag.h"
#include "ecsim/error.h"
#include "ecsim/load.h"
#include "ecsim/loader.h"

#define TRACES "tests/data/traces/"

static void assert_near(double got, double want, double tol)
{
    if (!(fabs(got - want) <= tol))
        fail_msg("got %.12g, want %.12g (tolerance %g)", got, want, tol);
}

static ecsim_load_spec profile_spec(ecsim_load_segment *segs, size_t n)
{
    ecsim_load_spec spec;
    memset(&spec, 0, sizeof spec);
    spec.profile = segs;
    spec.profile_count = n;
    spec.noise.interval_s = 60;
    return spec;
}

static ecsim_load *make_profile(ecsim_load_segment *segs, size_t n)
{
    ecsim_load_spec spec = profile_spec(segs, n);
    ecsim_load *load = ecsim_load_create(&spec, 42, NULL);
    assert_non_null(load);
    return load;
}

static ecsim_load_segment constant(double until, double rps)
{
    ecsim_load_segment s = {.until_s = until, .shape = ECSIM_SHAPE_CONSTANT, .rps = rps};
    return s;
}

static ecsim_load_segment ramp(double until, double to)
{
    ecsim_load_segment s = {.until_s = until, .shape = ECSIM_SHAPE_RAMP, .ramp_to = to};
    return s;
}

static ecsim_load_segment sine(double until, double mean, double amp, double period, double phase)
{
    ecsim_load_segment s = {.until_s = until, .shape = ECSIM_SHAPE_SINE};
    s.sine.mean = mean;
    s.sine.amplitude = amp;
    s.sine.period_s = period;
    s.sine.phase_s = phase;
    return s;
}

static ecsim_load_segment diurnal(double until, double lo, double hi, double peak_at)
{
    ecsim_load_segment s = {.until_s = until, .shape = ECSIM_SHAPE_DIURNAL};
    s.diurnal.min = lo;
    s.diurnal.max = hi;
    s.diurnal.peak_at_s = peak_at;
    return s;
}

static ecsim_load_segment spike(double until, double base, double peak, double at, double dur)
{
    ecsim_load_segment s = {.until_s = until, .shape = ECSIM_SHAPE_SPIKE};
    s.spike.base = base;
    s.spike.peak = peak;
    s.spike.at_s = at;
    s.spike.duration_s = dur;
    return s;
}

static ecsim_load_segment step(double until, double from, double to, double at)
{
    ecsim_load_segment s = {.until_s = until, .shape = ECSIM_SHAPE_STEP};
    s.step.from = from;
    s.step.to = to;
    s.step.at_s = at;
    return s;
}

/* Brute-force average of ecsim_load_rate by the midpoint rule. */
static double brute_mean(ecsim_load *load, double t0, double t1, long steps)
{
    double h = (t1 - t0) / (double)steps, sum = 0.0;
    for (long i = 0; i < steps; i++)
        sum += ecsim_load_rate(load, t0 + (i + 0.5) * h);
    return sum / (double)steps;
}

static double sampled_max(ecsim_load *load, double t0, double t1, long steps)
{
    double best = 0.0;
    for (long i = 0; i <= steps; i++) {
        double v = ecsim_load_rate(load, t0 + (t1 - t0) * (double)i / (double)steps);
        if (v > best)
            best = v;
    }
    return best;
}

/* ---- shapes ----------------------------------------------------------------- */

static void test_constant_and_segment_bounds(void **state)
{
    (void)state;
    ecsim_load_segment segs[] = {constant(100, 10), constant(200, 20)};
    ecsim_load *load = make_profile(segs, 2);
    assert_near(ecsim_load_rate(load, 0), 10, 0);
    assert_near(ecsim_load_rate(load, 50), 10, 0);
    assert_near(ecsim_load_rate(load, 100), 10, 0); /* (prev, until]: until belongs here */
    assert_near(ecsim_load_rate(load, nextafter(100, 200)), 20, 0);
    assert_near(ecsim_load_rate(load, 200), 20, 0);
    assert_near(ecsim_load_rate(load, 1e6), 20, 0); /* the last level holds */
    assert_near(ecsim_load_rate(load, NAN), 0, 0);
    ecsim_load_destroy(load);

    ecsim_load_spec empty = profile_spec(NULL, 0);
    load = ecsim_load_create(&empty, 1, NULL);
    assert_non_null(load);
    assert_near(ecsim_load_rate(load, 5), 0, 0);
    assert_near(ecsim_load_mean_rate(load, 0, 100), 0, 0);
    assert_near(ecsim_load_max_rate(load, 0, 100), 0, 0);
    ecsim_load_destroy(load);
}

static void test_ramp(void **state)
{
    (void)state;
    /* first segment: from 0; second: from where the first ended */
    ecsim_load_segment segs[] = {ramp(100, 200), constant(200, 50), ramp(300, 150)};
    ecsim_load *load = make_profile(segs, 3);
    assert_near(ecsim_load_rate(load, 0), 0, 0);
    assert_near(ecsim_load_rate(load, 25), 50, 1e-12);
    assert_near(ecsim_load_rate(load, 100), 200, 1e-12);
    assert_near(ecsim_load_rate(load, 150), 50, 0);
    assert_near(ecsim_load_rate(load, 200), 50, 0);
    assert_near(ecsim_load_rate(load, 250), 100, 1e-12);
    assert_near(ecsim_load_rate(load, 300), 150, 1e-12);
    assert_near(ecsim_load_rate(load, 400), 150, 0);
    assert_near(ecsim_load_mean_rate(load, 0, 100), 100, 1e-12);
    assert_near(ecsim_load_mean_rate(load, 200, 300), 100, 1e-12);
    assert_near(ecsim_load_max_rate(load, 0, 50), 100, 1e-12);
    assert_near(ecsim_load_max_rate(load, 120, 260), 110, 1e-12);
    ecsim_load_destroy(load);
}

static void test_sine(void **state)
{
    (void)state;
    ecsim_load_segment segs[] = {sine(600, 100, 50, 60, 0), ramp(700, 0)};
    ecsim_load *load = make_profile(segs, 2);
    assert_near(ecsim_load_rate(load, 0), 100, 1e-9);
    assert_near(ecsim_load_rate(load, 15), 150, 1e-9);
    assert_near(ecsim_load_rate(load, 30), 100, 1e-9);
    assert_near(ecsim_load_rate(load, 45), 50, 1e-9);
    assert_near(ecsim_load_rate(load, 600), 100, 1e-9); /* 10 whole periods */
    /* the ramp starts from the sine's final level (100) */
    assert_near(ecsim_load_rate(load, 650), 50, 1e-9);
    assert_near(ecsim_load_max_rate(load, 0, 10), ecsim_load_rate(load, 10), 1e-9);
    assert_near(ecsim_load_max_rate(load, 0, 20), 150, 1e-9); /* crest at 15 */
    assert_near(ecsim_load_mean_rate(load, 0, 60), 100, 1e-9);
    ecsim_load_destroy(load);

    /* phase shifts; clamp at 0 when amplitude > mean */
    ecsim_load_segment clamped[] = {sine(1000, 10, 50, 100, 25)};
    load = make_profile(clamped, 1);
    assert_near(ecsim_load_rate(load, 50), 60, 1e-9);  /* sin(pi/2) */
    assert_near(ecsim_load_rate(load, 100), 0, 0);     /* 10 - 50, clamped */
    assert_near(ecsim_load_rate(load, 25), 10, 1e-9);
    ecsim_load_destroy(load);
}

static void test_diurnal(void **state)
{
    (void)state;
    ecsim_load_segment segs[] = {diurnal(2 * 86400.0, 100, 500, 14 * 3600.0)};
    ecsim_load *load = make_profile(segs, 1);
    assert_near(ecsim_load_rate(load, 14 * 3600.0), 500, 1e-9);
    assert_near(ecsim_load_rate(load, 2 * 3600.0), 100, 1e-9);
    assert_near(ecsim_load_rate(load, 8 * 3600.0), 300, 1e-9);
    assert_near(ecsim_load_rate(load, 86400.0 + 14 * 3600.0), 500, 1e-9);
    assert_near(ecsim_load_mean_rate(load, 0, 86400.0), 300, 1e-9);
    assert_near(ecsim_load_max_rate(load, 0, 3600.0), ecsim_load_rate(load, 0), 1e-9);
    assert_near(ecsim_load_max_rate(load, 0, 86400.0), 500, 1e-9);
    ecsim_load_destroy(load);
}

static void test_spike(void **state)
{
    (void)state;
    ecsim_load_segment segs[] = {spike(1200, 100, 1000, 600, 60)};
    ecsim_load *load = make_profile(segs, 1);
    assert_near(ecsim_load_rate(load, 0), 100, 0);
    assert_near(ecsim_load_rate(load, nextafter(600, 0)), 100, 0);
    assert_near(ecsim_load_rate(load, 600), 1000, 0); /* [at, at + duration) */
    assert_near(ecsim_load_rate(load, 630), 1000, 0);
    assert_near(ecsim_load_rate(load, nextafter(660, 0)), 1000, 0);
    assert_near(ecsim_load_rate(load, 660), 100, 0);
    assert_near(ecsim_load_rate(load, 1200), 100, 0);
    assert_near(ecsim_load_mean_rate(load, 570, 690), (30 * 100 + 60 * 1000 + 30 * 100) / 120.0,
                1e-9);
    assert_near(ecsim_load_max_rate(load, 0, 599), 100, 0);
    assert_near(ecsim_load_max_rate(load, 0, 600), 1000, 0);
    assert_near(ecsim_load_max_rate(load, 660, 700), 100, 0);
    ecsim_load_destroy(load);
}

static void test_step(void **state)
{
    (void)state;
    ecsim_load_segment segs[] = {step(600, 100, 400, 300)};
    ecsim_load *load = make_profile(segs, 1);
    assert_near(ecsim_load_rate(load, 0), 100, 0);
    assert_near(ecsim_load_rate(load, nextafter(300, 0)), 100, 0);
    assert_near(ecsim_load_rate(load, 300), 400, 0);
    assert_near(ecsim_load_rate(load, 600), 400, 0);
    assert_near(ecsim_load_rate(load, 5000), 400, 0);
    assert_near(ecsim_load_mean_rate(load, 200, 400), 250, 1e-12);
    assert_near(ecsim_load_max_rate(load, 0, 299), 100, 0);
    assert_near(ecsim_load_max_rate(load, 0, 300), 400, 0);
    ecsim_load_destroy(load);
}

/* mean_rate against a brute-force integral, over intervals crossing every
 * kind of boundary; a clamped sine is within its documented bound. */
static void test_mean_rate_matches_brute_force(void **state)
{
    (void)state;
    ecsim_load_segment segs[] = {
        constant(300, 80),          ramp(900, 400),
        sine(2400, 300, 120, 400, 37), spike(3000, 200, 900, 2500, 90),
        step(3600, 150, 600, 3333), diurnal(90000, 50, 700, 50000),
        sine(95000, 50, 200, 700, 0), /* clamped */
    };
    ecsim_load *load = make_profile(segs, sizeof segs / sizeof segs[0]);
    const double iv[][2] = {{0, 60},      {250, 350},    {0, 3600},     {850, 2450},
                            {2490, 2600}, {3300, 3400},  {3500, 90000}, {123.4, 567.8},
                            {90000, 95000}, {89990, 91234}, {94000, 99999}};
    for (size_t i = 0; i < sizeof iv / sizeof iv[0]; i++) {
        double exact = ecsim_load_mean_rate(load, iv[i][0], iv[i][1]);
        double brute = brute_mean(load, iv[i][0], iv[i][1], 2000000);
        /* midpoint error with 2e6 steps on kinks and jumps: < 1e-3 here */
        if (fabs(exact - brute) > 1e-3 * (1 + fabs(brute)))
            fail_msg("interval %zu [%g, %g]: mean_rate %.9g, brute force %.9g", i, iv[i][0],
                     iv[i][1], exact, brute);
    }
    /* additivity: the average of two halves is the whole */
    double whole = ecsim_load_mean_rate(load, 100, 94500);
    double a = ecsim_load_mean_rate(load, 100, 50000), b = ecsim_load_mean_rate(load, 50000, 94500);
    assert_near(whole, (a * 49900 + b * 44500) / 94400, 1e-9 * whole);
    /* an empty interval is the rate at its start */
    assert_near(ecsim_load_mean_rate(load, 500, 500), ecsim_load_rate(load, 500), 0);
    ecsim_load_destroy(load);
}

/* max_rate is never below the rate anywhere in the interval. */
static void test_max_rate_is_upper_bound(void **state)
{
    (void)state;
    ecsim_load_segment segs[] = {ramp(600, 300), sine(1800, 200, 150, 300, 10),
                                 spike(2400, 50, 500, 2000, 30), step(3000, 20, 80, 2700)};
    ecsim_load_spec spec = profile_spec(segs, 4);
    spec.noise.cv = 0.3;
    spec.noise.interval_s = 45;
    ecsim_load *load = ecsim_load_create(&spec, 7, NULL);
    assert_non_null(load);
    for (double t0 = 0; t0 < 3200; t0 += 137) {
        double bound = ecsim_load_max_rate(load, t0, t0 + 200);
        double seen = sampled_max(load, t0, t0 + 200, 4000);
        if (bound < seen - 1e-9)
            fail_msg("[%g, %g]: bound %g below a sampled rate %g", t0, t0 + 200, bound, seen);
        /* and it is tight: within 1 % of the sampled maximum */
        if (bound > seen * 1.01 + 1e-9)
            fail_msg("[%g, %g]: bound %g far above the sampled max %g", t0, t0 + 200, bound,
                     seen);
    }
    ecsim_load_destroy(load);
}

/* ---- noise --------------------------------------------------------------------- */

static void test_noise_determinism(void **state)
{
    (void)state;
    ecsim_load_segment segs[] = {constant(3600, 100)};
    ecsim_load_spec spec = profile_spec(segs, 1);
    spec.noise.cv = 0.25;
    spec.noise.interval_s = 60;
    ecsim_load *a = ecsim_load_create(&spec, 99, NULL);
    ecsim_load *b = ecsim_load_create(&spec, 99, NULL);
    ecsim_load *c = ecsim_load_create(&spec, 100, NULL);
    assert_non_null(a);
    assert_non_null(b);
    assert_non_null(c);

    /* in order on a, backwards and scattered on b: same answers */
    double forward[600];
    for (int i = 0; i < 600; i++)
        forward[i] = ecsim_load_rate(a, i * 10.0 + 3.0);
    for (int i = 599; i >= 0; i--)
        assert_true(ecsim_load_rate(b, i * 10.0 + 3.0) == forward[i]);
    for (int i = 0; i < 600; i++) {
        int j = (i * 7919) % 600;
        assert_true(ecsim_load_rate(b, j * 10.0 + 3.0) == forward[j]);
    }
    /* constant within an interval, changes between intervals */
    assert_true(ecsim_load_noise_factor(a, 60.0) == ecsim_load_noise_factor(a, 119.999));
    assert_true(ecsim_load_noise_factor(a, 60.0) != ecsim_load_noise_factor(a, 120.0));
    assert_near(ecsim_load_rate(a, 70), 100 * ecsim_load_noise_factor(a, 70), 1e-12);
    /* another seed gives another series */
    int differ = 0;
    for (int i = 0; i < 60; i++)
        differ += ecsim_load_rate(c, i * 60.0) != ecsim_load_rate(a, i * 60.0);
    assert_true(differ > 55);
    /* mean 1, cv as asked (10 000 intervals; deterministic for the seed) */
    double sum = 0, sum2 = 0;
    for (int k = 0; k < 10000; k++) {
        double f = ecsim_load_noise_factor(a, k * 60.0 + 1);
        assert_true(f > 0);
        sum += f;
        sum2 += f * f;
    }
    double mean = sum / 10000, sd = sqrt(sum2 / 10000 - mean * mean);
    assert_near(mean, 1.0, 0.02);
    assert_near(sd, 0.25, 0.02);
    /* mean_rate with noise is the integral of rate: factor x base per interval */
    assert_near(ecsim_load_mean_rate(a, 30, 150),
                (30 * ecsim_load_rate(a, 30) + 60 * ecsim_load_rate(a, 60) +
                 30 * ecsim_load_rate(a, 120)) /
                    120,
                1e-9);
    assert_near(ecsim_load_mean_rate(a, 0, 3600), brute_mean(a, 0, 3600, 360000), 1e-6);
    /* no noise: factor 1 */
    spec.noise.cv = 0;
    ecsim_load *quiet = ecsim_load_create(&spec, 99, NULL);
    assert_non_null(quiet);
    assert_near(ecsim_load_noise_factor(quiet, 500), 1.0, 0);
    assert_near(ecsim_load_rate(quiet, 500), 100, 0);
    ecsim_load_destroy(quiet);
    ecsim_load_destroy(a);
    ecsim_load_destroy(b);
    ecsim_load_destroy(c);
}

/* ---- traces -------------------------------------------------------------------- */

/* Read the trace the way the scenario loader does (ecsim_trace_read), then
 * build the load from its rows (the load copies them). */
static ecsim_load *load_trace(const char *path, ecsim_diags *d)
{
    ecsim_load_spec spec = profile_spec(NULL, 0);
    snprintf(spec.trace, sizeof spec.trace, "%s", path);
    if (ecsim_trace_read(path, &spec.trace_data, d) != 0)
        return NULL;
    ecsim_load *load = ecsim_load_create(&spec, 1, d);
    ecsim_free(spec.trace_data.t);
    ecsim_free(spec.trace_data.rps);
    return load;
}

static void test_trace_good(void **state)
{
    (void)state;
    ecsim_diags d;
    ecsim_diags_init(&d);
    ecsim_load *load = load_trace(TRACES "good_header.csv", &d);
    assert_non_null(load);
    assert_int_equal(d.count, 0);
    assert_int_equal(ecsim_load_trace_rows(load), 4);
    assert_near(ecsim_load_rate(load, 0), 100, 0);
    assert_near(ecsim_load_rate(load, 30), 150, 1e-12); /* linear between rows */
    assert_near(ecsim_load_rate(load, 60), 200, 0);
    assert_near(ecsim_load_rate(load, 90), 125, 1e-12);
    assert_near(ecsim_load_rate(load, 200), 50, 0);
    assert_near(ecsim_load_rate(load, 1000), 50, 0); /* last value after the end */
    assert_near(ecsim_load_mean_rate(load, 0, 120), (150 * 60 + 125 * 60) / 120.0, 1e-12);
    assert_near(ecsim_load_mean_rate(load, 100, 400), brute_mean(load, 100, 400, 300000), 1e-6);
    assert_near(ecsim_load_max_rate(load, 0, 30), 150, 1e-12);
    assert_near(ecsim_load_max_rate(load, 10, 200), 200, 0);
    assert_near(ecsim_load_max_rate(load, 500, 600), 50, 0);
    ecsim_load_destroy(load);

    /* byte-order mark, CRLF, blanks around fields, no header; the first
     * value holds before the first time */
    load = load_trace(TRACES "good_bom_crlf_noheader.csv", &d);
    assert_non_null(load);
    assert_int_equal(ecsim_load_trace_rows(load), 3);
    assert_near(ecsim_load_rate(load, 0), 5, 0);
    assert_near(ecsim_load_rate(load, 15), 10, 1e-12);
    assert_near(ecsim_load_rate(load, 25), 15, 0);
    assert_near(ecsim_load_mean_rate(load, 0, 20), (10 * 5 + 10 * 10) / 20.0, 1e-12);
    ecsim_load_destroy(load);

    load = load_trace(TRACES "good_single_row.csv", &d);
    assert_non_null(load);
    assert_near(ecsim_load_rate(load, 0), 2.5, 0);
    assert_near(ecsim_load_rate(load, 1e5), 2.5, 0);
    assert_near(ecsim_load_mean_rate(load, 0, 100), 2.5, 1e-12);
    ecsim_load_destroy(load);
    assert_int_equal(d.count, 0);
    ecsim_diags_free(&d);
}

/* Print the diagnostics of loading `name` and compare with `want`. */
static void expect_trace_errors(const char *name, const char *want)
{
    char path[256];
    snprintf(path, sizeof path, TRACES "%s", name);
    ecsim_diags d;
    ecsim_diags_init(&d);
    long live = ecsim_alloc_live();
    ecsim_load *load = load_trace(path, &d);
    if (load)
        fail_msg("%s: loaded, expected errors", name);
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    assert_non_null(mem);
    ecsim_diags_print(&d, mem);
    fclose(mem);
    if (strcmp(text, want) != 0)
        fail_msg("%s: diagnostics\n%s\nexpected\n%s", name, text, want);
    free(text);
    ecsim_diags_free(&d);
    assert_int_equal(ecsim_alloc_live(), live); /* nothing leaked */
}

static void test_trace_bad_rows(void **state)
{
    (void)state;
    expect_trace_errors("bad_header.csv",
                        TRACES "bad_header.csv:1:1: error: bad trace header \"tim,rps\"; expected "
                               "exactly \"time,rps\" or a first data row TIME,RPS\n");
    expect_trace_errors("bad_time_not_number.csv",
                        TRACES "bad_time_not_number.csv:3:1: error: trace row 2: time \"abc\" is "
                               "not a number; expected a finite number of seconds >= 0\n");
    expect_trace_errors("bad_not_increasing.csv",
                        TRACES "bad_not_increasing.csv:3:1: error: trace row 3: time 10 is not "
                               "after the previous row's time 10; times must be strictly "
                               "increasing\n");
    expect_trace_errors("bad_negative_time.csv",
                        TRACES "bad_negative_time.csv:2:1: error: trace row 1: time -5 is "
                               "negative; expected a finite number of seconds >= 0\n");
    expect_trace_errors("bad_negative_rps.csv",
                        TRACES "bad_negative_rps.csv:2:4: error: trace row 2: rps -1 is "
                               "negative; expected a finite number of requests/s >= 0\n");
    expect_trace_errors("bad_rps_inf.csv",
                        TRACES "bad_rps_inf.csv:1:3: error: trace row 1: rps \"inf\" is not a "
                               "number; expected a finite number of requests/s >= 0\n");
    expect_trace_errors("bad_rps_overflow.csv",
                        TRACES "bad_rps_overflow.csv:1:3: error: trace row 1: rps \"1e999\" is "
                               "not a number; expected a finite number of requests/s >= 0\n");
    expect_trace_errors("bad_empty_rps.csv",
                        TRACES "bad_empty_rps.csv:1:3: error: trace row 1: empty rps column; "
                               "expected TIME,RPS with two numbers\n");
    expect_trace_errors("bad_empty_time.csv",
                        TRACES "bad_empty_time.csv:1:1: error: trace row 1: empty time column; "
                               "expected TIME,RPS with two numbers\n");
    expect_trace_errors("bad_extra_column.csv",
                        TRACES "bad_extra_column.csv:1:5: error: trace row 1: extra column "
                               "\"2\"; expected exactly two columns TIME,RPS\n");
    expect_trace_errors("bad_missing_column.csv",
                        TRACES "bad_missing_column.csv:2:3: error: trace row 2: missing rps "
                               "column; expected TIME,RPS\n");
    expect_trace_errors("bad_empty_line.csv",
                        TRACES "bad_empty_line.csv:2:1: error: trace line 2 is empty; every "
                               "line after the header must be a row TIME,RPS\n");
    expect_trace_errors("bad_no_rows.csv",
                        TRACES "bad_no_rows.csv: error: trace has no data rows; expected at "
                               "least one row TIME,RPS\n");
    expect_trace_errors("bad_empty_file.csv",
                        TRACES "bad_empty_file.csv: error: trace has no data rows; expected at "
                               "least one row TIME,RPS\n");
    /* every problem in a file is reported, not only the first */
    expect_trace_errors("bad_several.csv",
                        TRACES "bad_several.csv:3:1: error: trace row 3: time 3 is not after "
                               "the previous row's time 5; times must be strictly increasing\n" TRACES
                               "bad_several.csv:4:1: error: trace row 4: time \"x\" is not a "
                               "number; expected a finite number of seconds >= 0\n");
}

/* Quoted fields are CSV (RFC 4180); a malformed quote is reported where it is. */
static void test_trace_quoted_fields(void **state)
{
    (void)state;
    ecsim_diags d;
    ecsim_diags_init(&d);
    ecsim_load *load = load_trace(TRACES "good_quoted.csv", &d);
    assert_non_null(load);
    assert_int_equal(d.count, 0);
    assert_int_equal(ecsim_load_trace_rows(load), 3);
    assert_near(ecsim_load_rate(load, 0), 100, 0);
    assert_near(ecsim_load_rate(load, 60), 200, 0);
    assert_near(ecsim_load_rate(load, 120), 50, 0);
    ecsim_load_destroy(load);
    ecsim_diags_free(&d);
    expect_trace_errors("bad_quote.csv",
                        TRACES "bad_quote.csv:3:7: error: unexpected character after the closing "
                               "quote of the field at column 4; expected ',' or the end of the "
                               "line\n");
}

/* The load opens no file: a spec naming a trace without its rows is refused. */
static void test_trace_rows_come_from_the_loader(void **state)
{
    (void)state;
    ecsim_load_spec spec = profile_spec(NULL, 0);
    snprintf(spec.trace, sizeof spec.trace, "%s", TRACES "good_header.csv");
    ecsim_diags d;
    ecsim_diags_init(&d);
    assert_null(ecsim_load_create(&spec, 1, &d));
    assert_int_equal(d.errors, 1);
    assert_non_null(strstr(d.items[0].message, "were not read"));
    ecsim_diags_free(&d);
}

static void test_trace_file_problems(void **state)
{
    (void)state;
    ecsim_diags d;
    ecsim_diags_init(&d);
    assert_null(load_trace(TRACES "does_not_exist.csv", &d));
    assert_int_equal(d.errors, 1);
    assert_int_equal(d.io_errors, 1); /* an I/O error: exit 3, not 2 */
    assert_string_equal(d.items[0].message, "cannot open trace: No such file or directory");
    assert_int_equal(d.items[0].line, 0);
    ecsim_diags_free(&d);

    ecsim_diags_init(&d);
    assert_null(load_trace("tests/data/traces", &d)); /* a directory */
    assert_int_equal(d.errors, 1);
    assert_int_equal(d.io_errors, 1); /* unreadable as a trace: exit 3 */
    assert_string_equal(d.items[0].message,
                        "trace is not a regular file; expected a CSV file of time,rps rows");
    ecsim_diags_free(&d);

    /* over the size limit: a sparse file costs no disk and no time */
    char path[] = "/tmp/ecsim_trace_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(ftruncate(fd, (off_t)ECSIM_TRACE_MAX_BYTES + 1), 0);
    close(fd);
    ecsim_diags_init(&d);
    assert_null(load_trace(path, &d));
    unlink(path);
    assert_int_equal(d.errors, 1);
    char want[128];
    snprintf(want, sizeof want, "trace is %zu bytes; the limit is %zu bytes",
             ECSIM_TRACE_MAX_BYTES + 1, ECSIM_TRACE_MAX_BYTES);
    assert_string_equal(d.items[0].message, want);
    ecsim_diags_free(&d);

    /* a NUL byte inside a field is not a number, and no crash */
    char path2[] = "/tmp/ecsim_trace_XXXXXX";
    fd = mkstemp(path2);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "0,1\n5\0,2\n", 9), 9);
    close(fd);
    ecsim_diags_init(&d);
    assert_null(load_trace(path2, &d));
    unlink(path2);
    assert_int_equal(d.errors, 1);
    assert_string_equal(d.items[0].message, "trace row 2: time \"5?\" is not a number; expected "
                                            "a finite number of seconds >= 0");
    ecsim_diags_free(&d);
}

/* Invalid segments are refused even without the loader's checks. */
static void test_bad_segments(void **state)
{
    (void)state;
    ecsim_load_segment not_increasing[] = {constant(100, 1), constant(100, 2)};
    ecsim_load_spec spec = profile_spec(not_increasing, 2);
    ecsim_diags d;
    ecsim_diags_init(&d);
    assert_null(ecsim_load_create(&spec, 1, &d));
    assert_int_equal(d.errors, 1);
    ecsim_load_segment bad_sine[] = {sine(100, 1, 1, 0, 0)};
    spec = profile_spec(bad_sine, 1);
    assert_null(ecsim_load_create(&spec, 1, &d));
    ecsim_load_segment negative[] = {constant(100, -1)};
    spec = profile_spec(negative, 1);
    assert_null(ecsim_load_create(&spec, 1, NULL));
    spec = profile_spec(NULL, 0);
    spec.noise.cv = -1;
    assert_null(ecsim_load_create(&spec, 1, &d));
    assert_int_equal(d.errors, 3);
    ecsim_diags_free(&d);
}

/* Every allocation failure is survived and cleaned up. */
static void test_out_of_memory(void **state)
{
    (void)state;
    long live = ecsim_alloc_live();
    int failures = 0;
    for (long n = 1; n < 40; n++) {
        ecsim_load_spec spec = profile_spec(NULL, 0);
        snprintf(spec.trace, sizeof spec.trace, TRACES "good_header.csv");
        ecsim_alloc_fail_after(n);
        ecsim_load *load = ecsim_load_create(&spec, 1, NULL);
        ecsim_alloc_fail_after(0);
        if (!load)
            failures++;
        else
            assert_near(ecsim_load_rate(load, 30), 150, 1e-12);
        ecsim_load_destroy(load);
        assert_int_equal(ecsim_alloc_live(), live);
    }
    assert_true(failures >= 3); /* the object, the buffer, the rows */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_constant_and_segment_bounds),
        cmocka_unit_test(test_ramp),
        cmocka_unit_test(test_sine),
        cmocka_unit_test(test_diurnal),
        cmocka_unit_test(test_spike),
        cmocka_unit_test(test_step),
        cmocka_unit_test(test_mean_rate_matches_brute_force),
        cmocka_unit_test(test_max_rate_is_upper_bound),
        cmocka_unit_test(test_noise_determinism),
        cmocka_unit_test(test_trace_good),
        cmocka_unit_test(test_trace_bad_rows),
        cmocka_unit_test(test_trace_quoted_fields),
        cmocka_unit_test(test_trace_rows_come_from_the_loader),
        cmocka_unit_test(test_trace_file_problems),
        cmocka_unit_test(test_bad_segments),
        cmocka_unit_test(test_out_of_memory),
    };
    return cmocka_run_group_tests_name("load", tests, NULL, NULL);
}
