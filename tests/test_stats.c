/* Tests of the seed statistics (include/ecsim/stats.h) and the flattened
 * JSON figures reader (include/ecsim/figures.h): Student-t quantiles
 * against published critical values, a hand-computed 95 % interval, paired
 * differences, NaN samples, the seeds-to-resolve estimate, and the JSON
 * reader's flattening, escapes and located errors. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "ecsim/error.h"
#include "ecsim/figures.h"
#include "ecsim/stats.h"

/* Critical values t(0.975, df) from the standard tables. */
static void test_t_quantile_table(void **state)
{
    (void)state;
    assert_float_equal(ecsim_t_quantile(0.975, 1), 12.7062047362, 1e-8);
    assert_float_equal(ecsim_t_quantile(0.975, 2), 4.3026527297, 1e-8);
    assert_float_equal(ecsim_t_quantile(0.975, 4), 2.7764451052, 1e-8);
    assert_float_equal(ecsim_t_quantile(0.975, 9), 2.2621571628, 1e-8);
    assert_float_equal(ecsim_t_quantile(0.975, 19), 2.0930240544, 1e-8);
    assert_float_equal(ecsim_t_quantile(0.975, 99), 1.9842169516, 1e-8);
    assert_float_equal(ecsim_t_quantile(0.995, 9), 3.2498355416, 1e-8);
    assert_float_equal(ecsim_t_quantile(0.025, 9), -2.2621571628, 1e-8);
    assert_float_equal(ecsim_t_quantile(0.975, INFINITY), 1.9599639845, 1e-8);
    assert_float_equal(ecsim_t_quantile(0.5, 7), 0.0, 0.0);
    assert_true(isnan(ecsim_t_quantile(1.0, 5)));
    assert_true(isnan(ecsim_t_quantile(0.9, 0.5)));
    assert_float_equal(ecsim_t_cdf(2.2621571628, 9), 0.975, 1e-10);
    assert_float_equal(ecsim_t_cdf(-1.0, 1), 0.25, 1e-12); /* Cauchy */
}

/* x = 2, 4, 4, 4, 5, 5, 7, 9: mean 5, sample variance 32/7, sd 2.13809,
 * t(0.975, 7) = 2.364624, half width 2.364624 * 2.138090 / sqrt(8) = 1.787488. */
static void test_interval_hand_computed(void **state)
{
    (void)state;
    const double x[] = {2, 4, 4, 4, 5, 5, 7, 9};
    ecsim_interval iv = ecsim_interval_of(x, 8, 0.95);
    assert_int_equal(iv.n, 8);
    assert_int_equal(iv.missing, 0);
    assert_float_equal(iv.mean, 5.0, 1e-12);
    assert_float_equal(iv.sd, sqrt(32.0 / 7.0), 1e-12);
    assert_float_equal(iv.half_width, 1.7874879, 1e-6);
    assert_float_equal(iv.lo, 5.0 - 1.7874879, 1e-6);
    assert_float_equal(iv.hi, 5.0 + 1.7874879, 1e-6);
    assert_true(ecsim_interval_resolved(&iv));
}

static void test_interval_nan_and_small(void **state)
{
    (void)state;
    const double x[] = {NAN, 3.0, NAN};
    ecsim_interval iv = ecsim_interval_of(x, 3, 0.95);
    assert_int_equal(iv.n, 1);
    assert_int_equal(iv.missing, 2);
    assert_float_equal(iv.mean, 3.0, 0);
    assert_true(isnan(iv.lo) && isnan(iv.hi) && isnan(iv.sd));
    assert_false(ecsim_interval_resolved(&iv));
    iv = ecsim_interval_of(x, 0, 0.95);
    assert_int_equal(iv.n, 0);
    assert_true(isnan(iv.mean));
}

/* Paired: b - a = 1, 2, 3, 2 -> mean 2, sd sqrt(2/3), t(0.975, 3) = 3.18245. */
static void test_interval_paired(void **state)
{
    (void)state;
    const double a[] = {10, 20, 30, 40, 50};
    const double b[] = {11, 22, 33, 42, NAN};
    ecsim_interval iv = ecsim_interval_paired(a, b, 5, 0.95);
    assert_int_equal(iv.n, 4);
    assert_int_equal(iv.missing, 1);
    assert_float_equal(iv.mean, 2.0, 1e-12);
    double hw = 3.1824463053 * sqrt(2.0 / 3.0) / 2.0;
    assert_float_equal(iv.half_width, hw, 1e-8);
    assert_true(ecsim_interval_resolved(&iv));
    /* Unpaired, the same values overlap heavily; paired they do not. */
    const double c[] = {1, -1, 2, -2};
    const double z[] = {0, 0, 0, 0};
    iv = ecsim_interval_paired(z, c, 4, 0.95);
    assert_false(ecsim_interval_resolved(&iv));
}

static void test_samples_to_resolve(void **state)
{
    (void)state;
    /* mean 1, sd 2: n = 18 gives t(17) * 2 / sqrt(18) = 0.9946 < 1, and
     * n = 17 gives 2.1199 * 2 / sqrt(17) = 1.0283. */
    assert_int_equal(ecsim_samples_to_resolve(1.0, 2.0, 0.95, 1000), 18);
    assert_int_equal(ecsim_samples_to_resolve(-1.0, 2.0, 0.95, 1000), 18);
    assert_int_equal(ecsim_samples_to_resolve(0.0, 2.0, 0.95, 1000), 0);
    assert_int_equal(ecsim_samples_to_resolve(1e-6, 2.0, 0.95, 50), 50);
    assert_int_equal(ecsim_samples_to_resolve(1.0, 0.0, 0.95, 50), 2);
}

static void test_figures_flatten(void **state)
{
    (void)state;
    const char *doc = "{\"a\": 1.5, \"b\": {\"c\": null, \"d\": [3, {\"e\": true}]},\n"
                      " \"s\": \"x\\u00e9\\n\\ud83d\\ude00\", \"empty\": {}, \"f\": false, \"n\": -2e3}";
    ecsim_figures f;
    char err[128];
    assert_int_equal(ecsim_figures_parse(doc, strlen(doc), &f, err, sizeof err), 0);
    assert_int_equal(f.count, 8);
    const char *names[] = {"a", "b.c", "b.d.0", "b.d.1.e", "s", "empty", "f", "n"};
    for (size_t i = 0; i < 8; i++)
        assert_string_equal(f.items[i].name, names[i]);
    assert_float_equal(ecsim_figures_number(&f, "a", NULL), 1.5, 0);
    assert_float_equal(ecsim_figures_number(&f, "n", NULL), -2000.0, 0);
    assert_float_equal(ecsim_figures_number(&f, "b.d.1.e", NULL), 1.0, 0);
    int found = 0;
    assert_true(isnan(ecsim_figures_number(&f, "b.c", &found)));
    assert_int_equal(found, 1);
    assert_true(isnan(ecsim_figures_number(&f, "nope", &found)));
    assert_int_equal(found, 0);
    assert_int_equal(ecsim_figures_find(&f, "b.c")->kind, ECSIM_FIG_NULL);
    assert_string_equal(ecsim_figures_find(&f, "s")->str, "x\xc3\xa9\n\xf0\x9f\x98\x80");
    ecsim_figures_free(&f);
    assert_int_equal(f.count, 0);
}

static void test_figures_errors(void **state)
{
    (void)state;
    struct { const char *doc; const char *err; } cases[] = {
        {"{\"a\": 1,\n \"b\" 2}", "2:6: expected ':' after a member name"},
        {"{\"a\": [1, 2}", "1:12: expected ',' or ']' in an array"},
        {"{\"a\": \"abc}", "1:7: unterminated string"},
        {"{\"a\": 01}", "1:8: expected ',' or '}' in an object"},
        {"{\"a\": \"\\ud800x\"}", "1:14: unpaired surrogate in \\u escape"},
        {"{} x", "1:4: text after the end of the document"},
        {"", "1:1: unexpected end of the document"},
        {"{\"a\": tru}", "1:7: expected a value"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ecsim_figures f;
        char err[128];
        int rc = ecsim_figures_parse(cases[i].doc, strlen(cases[i].doc), &f, err, sizeof err);
        assert_int_equal(rc, ECSIM_EINVAL);
        assert_string_equal(err, cases[i].err);
        assert_int_equal(f.count, 0);
    }
    char deep[200];
    memset(deep, '[', 100);
    deep[100] = '\0';
    ecsim_figures f;
    char err[128];
    assert_int_equal(ecsim_figures_parse(deep, 100, &f, err, sizeof err), ECSIM_EINVAL);
    assert_non_null(strstr(err, "nested deeper than 64 levels"));
    assert_int_equal(ecsim_figures_read("/nonexistent/summary.json", &f, err, sizeof err),
                     ECSIM_EIO);
    assert_string_equal(err, "/nonexistent/summary.json: No such file or directory");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_t_quantile_table),
        cmocka_unit_test(test_interval_hand_computed),
        cmocka_unit_test(test_interval_nan_and_small),
        cmocka_unit_test(test_interval_paired),
        cmocka_unit_test(test_samples_to_resolve),
        cmocka_unit_test(test_figures_flatten),
        cmocka_unit_test(test_figures_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
