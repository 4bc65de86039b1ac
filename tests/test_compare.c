/* Tests of what `ecsim compare` reports (include/ecsim/compare_report.h),
 * from hand-made figure arrays: the verdict's words (more / fewer, less
 * for a cost, an absolute amount when the baseline is 0, an unresolved
 * difference with the seeds that would resolve it, a figure identical in
 * every run, the same on every seed), the statistics in compare.csv and
 * compare.json against values computed by hand for 3 seeds, the
 * representative seed, and compare.html's structure. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ecsim/alloc.h"
#include "ecsim/compare_report.h"
#include "ecsim/figures.h"
#include "ecsim/stats.h"

/* t(0.975, 2) and t(0.975, 4) (published tables). */
#define T2 4.302652729911275
#define T4 2.776445105197799

static ecsim_compare *two(size_t nseeds, const char *figure, const double *a, const double *b)
{
    ecsim_compare *c = ecsim_compare_create(2, nseeds);
    assert_non_null(c);
    assert_int_equal(ecsim_compare_set_variant(c, 0, "autoscaler.target=50", "target 50"), 0);
    assert_int_equal(ecsim_compare_set_variant(c, 1, "autoscaler.target=70", "target 70"), 0);
    for (size_t s = 0; s < nseeds; s++) {
        assert_int_equal(ecsim_compare_set(c, figure, 0, s, a[s]), 0);
        assert_int_equal(ecsim_compare_set(c, figure, 1, s, b[s]), 0);
    }
    return c;
}

static void verdict_of(ecsim_compare *c, const char *figure, char *buf, size_t size)
{
    const ecsim_compare_figure *f = ecsim_compare_find(c, figure);
    assert_non_null(f);
    ecsim_compare_verdict(c, f, 1, buf, size);
}

static void test_verdict_more(void **state)
{
    (void)state;
    /* differences 50, 50, 50, 45, 55: mean 50 = 50 % of the baseline's 100;
     * sd sqrt(12.5); half width T4 sqrt(12.5) / sqrt(5) = 4.39 -> 46 % .. 54 %. */
    const double a[] = {100, 110, 90, 105, 95}, b[] = {150, 160, 140, 150, 150};
    ecsim_compare *c = two(5, "capacity.unserved_requests", a, b);
    char v[512];
    verdict_of(c, "capacity.unserved_requests", v, sizeof v);
    assert_string_equal(v, "target 70 leaves 50 % more requests unserved than target 50 "
                           "(95 % CI +46 % to +54 %, 5 seeds)");
    ecsim_compare_destroy(c);
}

static void test_verdict_fewer_and_less(void **state)
{
    (void)state;
    const double a[] = {1, 1, 1}, b[] = {0.8, 0.81, 0.79};
    ecsim_compare *c = two(3, "cost_usd.total", a, b);
    assert_int_equal(ecsim_compare_set(c, "scaling.actions", 0, 0, 10), 0);
    assert_int_equal(ecsim_compare_set(c, "scaling.actions", 0, 1, 12), 0);
    assert_int_equal(ecsim_compare_set(c, "scaling.actions", 0, 2, 11), 0);
    assert_int_equal(ecsim_compare_set(c, "scaling.actions", 1, 0, 5), 0);
    assert_int_equal(ecsim_compare_set(c, "scaling.actions", 1, 1, 6), 0);
    assert_int_equal(ecsim_compare_set(c, "scaling.actions", 1, 2, 5.5), 0);
    char v[512];
    verdict_of(c, "cost_usd.total", v, sizeof v);
    /* differences -0.2, -0.19, -0.21: sd 0.01, half width T2 0.01 / sqrt 3 = 0.0248;
     * actions -5, -6, -5.5 of 11: sd 0.5, half width 1.24 = 11 % of 11 */
    assert_string_equal(
        v, "target 70 costs 20 % less than target 50 (95 % CI -22 % to -18 %, 3 seeds)");
    verdict_of(c, "scaling.actions", v, sizeof v);
    assert_string_equal(v, "target 70 makes 50 % fewer scaling actions than target 50 "
                           "(95 % CI -61 % to -39 %, 3 seeds)");
    ecsim_compare_destroy(c);
}

static void test_verdict_absolute_when_the_baseline_is_zero(void **state)
{
    (void)state;
    const double a[] = {0, 0, 0}, b[] = {30, 36, 33};
    ecsim_compare *c = two(3, "capacity.under_capacity_s", a, b);
    char v[512];
    verdict_of(c, "capacity.under_capacity_s", v, sizeof v);
    /* mean 33, sd 3, half width T2 * 3 / sqrt(3) = 7.45 */
    assert_string_equal(v, "target 70 is under capacity 33.00 s longer than target 50 "
                           "(95 % CI +25.55 to +40.45 s, 3 seeds)");
    ecsim_compare_destroy(c);
}

static void test_verdict_unresolved_says_how_many_seeds(void **state)
{
    (void)state;
    const double a[] = {100, 100, 100, 100, 100}, b[] = {101, 99, 102, 98.5, 100.5};
    ecsim_compare *c = two(5, "latency_s.p99", a, b);
    const double d[] = {1, -1, 2, -1.5, 0.5};
    ecsim_interval iv = ecsim_interval_of(d, 5, 0.95);
    size_t need = ecsim_samples_to_resolve(iv.mean, iv.sd, 0.95, ECSIM_COMPARE_SEEDS_CAP);
    assert_true(need > 5 && need < ECSIM_COMPARE_SEEDS_CAP);
    char want[512], v[512];
    snprintf(want, sizeof want,
             "target 70 vs target 50: the difference in p99 latency (+0.2 %%, 95 %% CI -1.6 %% "
             "to +2.0 %%) is not resolved by 5 seeds; about %zu seeds would resolve it",
             need);
    verdict_of(c, "latency_s.p99", v, sizeof v);
    assert_string_equal(v, want);
    const ecsim_compare_figure *f = ecsim_compare_find(c, "latency_s.p99");
    ecsim_compare_stat st;
    ecsim_compare_stat_of(c, f, 1, &st);
    assert_int_equal(st.seeds_to_resolve, need);
    assert_false(ecsim_interval_resolved(&st.diff));
    ecsim_compare_destroy(c);
}

static void test_verdict_identical_and_same(void **state)
{
    (void)state;
    const double z[] = {0, 0, 0};
    ecsim_compare *c = two(3, "capacity.unserved_requests", z, z);
    const double a[] = {4, 5, 6};
    for (size_t s = 0; s < 3; s++) {
        assert_int_equal(ecsim_compare_set(c, "scaling.max_desired", 0, s, a[s]), 0);
        assert_int_equal(ecsim_compare_set(c, "scaling.max_desired", 1, s, a[s]), 0);
    }
    char v[512];
    verdict_of(c, "capacity.unserved_requests", v, sizeof v);
    assert_string_equal(v, "requests unserved is 0 in every run of every variant");
    assert_true(ecsim_compare_identical(c, ecsim_compare_find(c, "capacity.unserved_requests")));
    verdict_of(c, "scaling.max_desired", v, sizeof v);
    assert_string_equal(v, "target 70 and target 50 give the same peak desired count on every "
                           "seed (3 seeds)");
    assert_false(ecsim_compare_identical(c, ecsim_compare_find(c, "scaling.max_desired")));
    ecsim_compare_destroy(c);
}

/* The CSV row of (figure, variant): its fields up to the verdict. */
static int csv_fields(const char *csv, const char *figure, int variant, char fields[24][64])
{
    char prefix[128];
    const char *line = csv;
    while (line && *line) {
        snprintf(prefix, sizeof prefix, "%s,", figure);
        if (strncmp(line, prefix, strlen(prefix)) == 0) {
            int n = 0;
            const char *p = line;
            while (n < 22) {
                const char *e = strpbrk(p, ",\n");
                size_t len = e ? (size_t)(e - p) : strlen(p);
                snprintf(fields[n], 64, "%.*s", (int)len, p);
                n++;
                if (!e || *e == '\n')
                    break;
                p = e + 1;
            }
            if (atoi(fields[3]) == variant)
                return n;
        }
        line = strchr(line, '\n');
        if (line)
            line++;
    }
    return 0;
}

static void test_csv_and_json_against_hand_computed_stats(void **state)
{
    (void)state;
    /* baseline 2, 4, 9: mean 5, sd sqrt(13), half width T2 sqrt(13) / sqrt(3);
     * variant 3, 7, 10: mean 20/3, sd sqrt(37/3); differences 1, 3, 1: mean
     * 5/3, sd sqrt(4/3), half width T2 sqrt(4/3) / sqrt(3): contains 0. */
    const double a[] = {2, 4, 9}, b[] = {3, 7, 10};
    ecsim_compare *c = two(3, "capacity.task_hours", a, b);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_int_equal(ecsim_compare_write_csv(c, f), 0);
    fclose(f);
    static const char header[] =
        "figure,key,identical,variant,name,label,n,missing,mean,sd,ci_lo,ci_hi,diff_n,diff_mean,"
        "diff_sd,diff_lo,diff_hi,rel_diff,rel_lo,rel_hi,resolved,seeds_to_resolve,verdict\n";
    assert_true(strncmp(buf, header, sizeof header - 1) == 0);
    char fl[24][64];
    assert_int_equal(csv_fields(buf, "capacity.task_hours", 1, fl), 22);
    double hw_a = T2 * sqrt(13.0) / sqrt(3.0);
    assert_true(fabs(atof(fl[8]) - 5) < 1e-12);
    assert_true(fabs(atof(fl[9]) - sqrt(13.0)) < 1e-12);
    assert_true(fabs(atof(fl[10]) - (5 - hw_a)) < 1e-9);
    assert_true(fabs(atof(fl[11]) - (5 + hw_a)) < 1e-9);
    assert_string_equal(fl[12], ""); /* no difference for the baseline */
    assert_int_equal(csv_fields(buf, "capacity.task_hours", 2, fl), 22);
    double hw_b = T2 * sqrt(37.0 / 3.0) / sqrt(3.0);
    double dm = 5.0 / 3.0, hw_d = T2 * sqrt(4.0 / 3.0) / sqrt(3.0);
    assert_true(fabs(atof(fl[8]) - 20.0 / 3.0) < 1e-12);
    assert_true(fabs(atof(fl[10]) - (20.0 / 3.0 - hw_b)) < 1e-9);
    assert_true(fabs(atof(fl[11]) - (20.0 / 3.0 + hw_b)) < 1e-9);
    assert_int_equal(atoi(fl[12]), 3);
    assert_true(fabs(atof(fl[13]) - dm) < 1e-12);
    assert_true(fabs(atof(fl[14]) - sqrt(4.0 / 3.0)) < 1e-12);
    assert_true(fabs(atof(fl[15]) - (dm - hw_d)) < 1e-9);
    assert_true(fabs(atof(fl[16]) - (dm + hw_d)) < 1e-9);
    assert_true(fabs(atof(fl[17]) - dm / 5) < 1e-12);
    assert_true(fabs(atof(fl[18]) - (dm - hw_d) / 5) < 1e-9);
    assert_string_equal(fl[20], "0"); /* not resolved */
    assert_int_equal((size_t)atoi(fl[21]),
                     ecsim_samples_to_resolve(dm, sqrt(4.0 / 3.0), 0.95, ECSIM_COMPARE_SEEDS_CAP));
    free(buf);

    buf = NULL;
    f = open_memstream(&buf, &len);
    assert_int_equal(ecsim_compare_write_json(c, f), 0);
    fclose(f);
    ecsim_figures j;
    char err[128];
    assert_int_equal(ecsim_figures_parse(buf, len, &j, err, sizeof err), 0);
    int found;
    assert_string_equal(ecsim_figures_find(&j, "figures.0.name")->str, "capacity.task_hours");
    assert_true(fabs(ecsim_figures_number(&j, "figures.0.variants.0.mean.mean", &found) - 5) <
                1e-12);
    assert_true(
        fabs(ecsim_figures_number(&j, "figures.0.variants.0.mean.lo", &found) - (5 - hw_a)) < 1e-9);
    assert_true(isnan(ecsim_figures_number(&j, "figures.0.variants.0.diff", &found)) && found);
    assert_true(fabs(ecsim_figures_number(&j, "figures.0.variants.1.diff.hi", &found) -
                     (dm + hw_d)) < 1e-9);
    assert_true(ecsim_figures_number(&j, "figures.0.variants.1.values.1", &found) == 7);
    assert_true(ecsim_figures_number(&j, "figures.0.variants.1.resolved", &found) == 0);
    assert_true(ecsim_figures_number(&j, "seeds.2", &found) == 3);
    ecsim_figures_free(&j);
    free(buf);
    ecsim_compare_destroy(c);
}

/* A run's summary goes in by its flattened names; strings, the seed and
 * the schema version are left out. */
static void test_add_run(void **state)
{
    (void)state;
    ecsim_compare *c = ecsim_compare_create(2, 2);
    assert_non_null(c);
    static const char json[] = "{\"schema_version\": 2, \"scenario\": \"x\", \"seed\": 5, "
                               "\"capacity\": {\"unserved_requests\": 12}, \"latency_s\": null, "
                               "\"ok\": true}";
    ecsim_figures g;
    char err[128];
    assert_int_equal(ecsim_figures_parse(json, sizeof json - 1, &g, err, sizeof err), 0);
    assert_int_equal(ecsim_compare_add_run(c, 1, 0, &g), 0);
    ecsim_figures_free(&g);
    assert_int_equal(c->nfigures, 3);
    assert_string_equal(c->figures[0].name, "capacity.unserved_requests");
    assert_true(c->figures[0].values[1 * 2 + 0] == 12);
    assert_true(isnan(c->figures[0].values[0]));
    assert_string_equal(c->figures[1].name, "latency_s");
    assert_string_equal(c->figures[2].name, "ok");
    assert_true(c->figures[2].values[2] == 1);
    assert_null(ecsim_compare_find(c, "seed"));
    ecsim_compare_destroy(c);
}

static void test_representative_seed_is_nearest_the_median(void **state)
{
    (void)state;
    const double a[] = {10, 50, 31, 29, 90}, b[] = {1, 2, 3, 4, 5};
    ecsim_compare *c = two(5, "capacity.unserved_requests", a, b);
    /* median 31 (seed index 2) */
    assert_int_equal(ecsim_compare_representative(c), 2);
    ecsim_compare_destroy(c);
}

static void test_html_structure(void **state)
{
    (void)state;
    const double a[] = {100, 110, 90}, b[] = {150, 160, 140};
    ecsim_compare *c = two(3, "capacity.unserved_requests", a, b);
    c->scenario_name = ecsim_strdup("compare <test> & co");
    c->scenario_text = ecsim_strdup("name: compare-test\n");
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_int_equal(ecsim_compare_write_html(c, NULL, f), 0);
    fclose(f);
    assert_true(strncmp(buf, "<!DOCTYPE html>\n<html lang=\"en\">\n", 33) == 0);
    assert_non_null(strstr(buf, "<meta charset=\"utf-8\" />"));
    assert_non_null(strstr(buf, "<h1>Compare: compare &lt;test&gt; &amp; co</h1>"));
    assert_non_null(strstr(buf, "<table class=\"ecsim-compare\">"));
    assert_non_null(strstr(buf, "<li>target 70 leaves 50 % more requests unserved than target 50"));
    assert_non_null(strstr(buf, "No chart: plots were turned off"));
    assert_non_null(strstr(buf, "<pre>name: compare-test\n</pre>"));
    assert_null(strstr(buf, "<script"));
    assert_non_null(strstr(buf, "</html>\n"));
    free(buf);
    ecsim_compare_destroy(c);
}

/* With a window, the key figures are the window's (summary.json
 * windows.NAME.*), in the same words. */
static void test_window_figures_are_the_key_figures(void **state)
{
    (void)state;
    const double a[] = {100, 110, 90, 105, 95}, b[] = {150, 160, 140, 150, 150};
    ecsim_compare *c = two(5, "windows.spike.capacity.unserved_requests", a, b);
    const double z[] = {1, 2, 3, 4, 5};
    for (size_t s = 0; s < 5; s++) {
        assert_int_equal(ecsim_compare_set(c, "capacity.unserved_requests", 0, s, z[s]), 0);
        assert_int_equal(ecsim_compare_set(c, "capacity.unserved_requests", 1, s, z[s]), 0);
    }
    c->window = ecsim_strdup("spike");
    const ecsim_compare_figure *keys[16];
    assert_int_equal(ecsim_compare_key_figures(c, keys, 16), 1);
    assert_string_equal(keys[0]->name, "windows.spike.capacity.unserved_requests");
    char v[512];
    verdict_of(c, "windows.spike.capacity.unserved_requests", v, sizeof v);
    assert_string_equal(v, "target 70 leaves 50 % more requests unserved than target 50 "
                           "(95 % CI +46 % to +54 %, 5 seeds)");
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_int_equal(ecsim_compare_write_text(c, f), 0);
    fclose(f);
    assert_non_null(strstr(buf, "figures of the window `spike` (summary.json windows.spike.*)"));
    assert_non_null(strstr(buf, "\ncapacity.unserved_requests "));
    free(buf);
    ecsim_compare_destroy(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_verdict_more),
        cmocka_unit_test(test_verdict_fewer_and_less),
        cmocka_unit_test(test_verdict_absolute_when_the_baseline_is_zero),
        cmocka_unit_test(test_verdict_unresolved_says_how_many_seeds),
        cmocka_unit_test(test_verdict_identical_and_same),
        cmocka_unit_test(test_csv_and_json_against_hand_computed_stats),
        cmocka_unit_test(test_add_run),
        cmocka_unit_test(test_representative_seed_is_nearest_the_median),
        cmocka_unit_test(test_html_structure),
        cmocka_unit_test(test_window_figures_are_the_key_figures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
