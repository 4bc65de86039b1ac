/* Tests for the timeline recorder (include/ecsim/timeline.h): rows and
 * markers in and out, ordering and validation, growth without per-row
 * allocation, out-of-memory behaviour, and the exact timeline.csv and
 * markers CSV text against goldens in tests/golden/plot/ (set
 * ECSIM_UPDATE_GOLDEN=1 to rewrite them after a deliberate change). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ecsim/alloc.h"
#include "ecsim/error.h"
#include "ecsim/timeline.h"

/* Everything written to a FILE*, as a string (caller frees with free()). */
static char *slurp(FILE *fp)
{
    long len;
    assert_int_equal(fseek(fp, 0, SEEK_END), 0);
    len = ftell(fp);
    assert_true(len >= 0);
    rewind(fp);
    char *s = malloc((size_t)len + 1);
    assert_non_null(s);
    assert_int_equal(fread(s, 1, (size_t)len, fp), (size_t)len);
    s[len] = '\0';
    return s;
}

static void check_golden(const char *text, const char *path)
{
    if (getenv("ECSIM_UPDATE_GOLDEN")) {
        FILE *fp = fopen(path, "wb");
        assert_non_null(fp);
        fputs(text, fp);
        fclose(fp);
    }
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    char *expected = slurp(fp);
    fclose(fp);
    assert_string_equal(text, expected);
    free(expected);
}

/* Three periods: fluid mode (no latency) with a gap in CPU, then a row with
 * latency percentiles, fractional figures and a zero. */
static ecsim_timeline *small_timeline(void)
{
    ecsim_timeline *tl = ecsim_timeline_create();
    assert_non_null(tl);
    ecsim_timeline_row r = ecsim_timeline_row_empty();
    r.time_s = 0;
    r.demand_rps = 100;
    r.capacity_rps = 0;
    r.desired = 2;
    r.running = 0;
    r.pending = 2;
    r.served_rps = 0;
    r.unserved_rps = 100;
    r.cost_usd = 0;
    assert_int_equal(ecsim_timeline_append(tl, &r), 0);
    r.time_s = 60;
    r.demand_rps = 150.5;
    r.capacity_rps = 200;
    r.running = 2;
    r.pending = 0;
    r.cpu_pct = 75.25;
    r.served_rps = 150.5;
    r.unserved_rps = 0;
    r.cost_usd = 0.0015;
    r.memory_pct = 40;
    r.target = 60;
    assert_int_equal(ecsim_timeline_append(tl, &r), 0);
    r.time_s = 120;
    r.demand_rps = 0.1;
    r.desired = 3;
    r.cpu_pct = 0.05;
    r.served_rps = 0.1;
    r.p50_ms = 12.5;
    r.p95_ms = 40;
    r.p99_ms = 81.25;
    r.cost_usd = 0.003;
    assert_int_equal(ecsim_timeline_append(tl, &r), 0);
    return tl;
}

static void test_row_empty(void **state)
{
    (void)state;
    ecsim_timeline_row r = ecsim_timeline_row_empty();
    assert_true(isnan(r.time_s));
    assert_true(isnan(r.demand_rps));
    assert_true(isnan(r.cpu_pct));
    assert_true(isnan(r.p50_ms));
    assert_true(isnan(r.p99_ms));
    assert_true(isnan(r.memory_pct));
    assert_true(isnan(r.target));
    assert_int_equal(r.desired, 0);
    assert_int_equal(r.running, 0);
    assert_int_equal(r.pending, 0);
}

static void test_append_and_access(void **state)
{
    (void)state;
    ecsim_timeline *tl = small_timeline();
    assert_int_equal(ecsim_timeline_count(tl), 3);
    const ecsim_timeline_row *r = ecsim_timeline_row_at(tl, 1);
    assert_non_null(r);
    assert_true(r->time_s == 60);
    assert_true(r->demand_rps == 150.5);
    assert_int_equal(r->running, 2);
    assert_null(ecsim_timeline_row_at(tl, 3));
    assert_true(ecsim_timeline_has_latency(tl));
    assert_true(ecsim_timeline_has_memory(tl));
    ecsim_timeline_destroy(tl);
}

static void test_append_rejects_bad_time(void **state)
{
    (void)state;
    ecsim_timeline *tl = small_timeline();
    ecsim_timeline_row r = ecsim_timeline_row_empty();
    r.time_s = 119.5; /* earlier than the last row */
    assert_int_equal(ecsim_timeline_append(tl, &r), ECSIM_EINVAL);
    r.time_s = NAN;
    assert_int_equal(ecsim_timeline_append(tl, &r), ECSIM_EINVAL);
    r.time_s = INFINITY;
    assert_int_equal(ecsim_timeline_append(tl, &r), ECSIM_EINVAL);
    assert_int_equal(ecsim_timeline_count(tl), 3);
    r.time_s = 120; /* equal time is allowed */
    assert_int_equal(ecsim_timeline_append(tl, &r), 0);
    assert_int_equal(ecsim_timeline_count(tl), 4);
    ecsim_timeline_destroy(tl);
}

static void test_growth_keeps_rows(void **state)
{
    (void)state;
    ecsim_timeline *tl = ecsim_timeline_create();
    assert_non_null(tl);
    long live_before = ecsim_alloc_live();
    for (int i = 0; i < 5000; i++) {
        ecsim_timeline_row r = ecsim_timeline_row_empty();
        r.time_s = i * 60.0;
        r.desired = i;
        assert_int_equal(ecsim_timeline_append(tl, &r), 0);
    }
    /* one row array, reallocated in place: no allocation per row */
    assert_int_equal(ecsim_alloc_live(), live_before + 1);
    assert_int_equal(ecsim_timeline_count(tl), 5000);
    for (int i = 0; i < 5000; i += 499) {
        assert_int_equal(ecsim_timeline_row_at(tl, (size_t)i)->desired, i);
        assert_true(ecsim_timeline_row_at(tl, (size_t)i)->time_s == i * 60.0);
    }
    assert_false(ecsim_timeline_has_latency(tl));
    assert_false(ecsim_timeline_has_memory(tl));
    ecsim_timeline_destroy(tl);
}

/* A long run: older rows spill to the temporary file and read back the
 * same, in order (chunks) and at random (one row at a time); memory holds
 * the newest rows only. */
static void test_spilled_rows_read_back(void **state)
{
    (void)state;
    ecsim_timeline *tl = ecsim_timeline_create();
    assert_non_null(tl);
    const int n = 20000;
    for (int i = 0; i < n; i++) {
        ecsim_timeline_row r = ecsim_timeline_row_empty();
        r.time_s = i * 60.0;
        r.desired = i;
        r.demand_rps = 0.5 * i;
        if (i == 123)
            r.memory_pct = 40.0; /* only a spilled row has memory */
        assert_int_equal(ecsim_timeline_append(tl, &r), 0);
    }
    assert_int_equal(ecsim_timeline_count(tl), (size_t)n);
    assert_true(ecsim_timeline_has_memory(tl));
    assert_false(ecsim_timeline_has_latency(tl));
    for (int i = 0; i < n; i++) {
        const ecsim_timeline_row *r = ecsim_timeline_row_at(tl, (size_t)i);
        assert_non_null(r);
        assert_int_equal(r->desired, i);
        assert_true(r->demand_rps == 0.5 * i);
    }
    static const int probes[] = {19999, 0, 7, 10000, 4095, 4096, 123, 19998, 1};
    for (size_t k = 0; k < sizeof probes / sizeof probes[0]; k++) {
        const ecsim_timeline_row *r = ecsim_timeline_row_at(tl, (size_t)probes[k]);
        assert_int_equal(r->desired, probes[k]);
        assert_true(r->time_s == probes[k] * 60.0);
    }
    assert_null(ecsim_timeline_row_at(tl, (size_t)n));
    /* the CSV has every row, in order */
    FILE *fp = tmpfile();
    assert_non_null(fp);
    assert_int_equal(ecsim_timeline_write_csv(tl, fp), 0);
    char *text = slurp(fp);
    fclose(fp);
    size_t lines = 0;
    for (const char *c = text; *c; c++)
        lines += *c == '\n';
    assert_int_equal(lines, (size_t)n + 1);
    assert_non_null(strstr(text, "\n1199940,9999.5,,19999,"));
    free(text);
    /* appending after reads still checks the order against the newest row */
    ecsim_timeline_row late = ecsim_timeline_row_empty();
    late.time_s = 60.0;
    assert_int_equal(ecsim_timeline_append(tl, &late), ECSIM_EINVAL);
    ecsim_timeline_destroy(tl);
}

static void test_markers(void **state)
{
    (void)state;
    ecsim_timeline *tl = ecsim_timeline_create();
    assert_non_null(tl);
    assert_int_equal(ecsim_timeline_add_marker(tl, 60, ECSIM_MARK_SCALE_OUT, "2 -> 4"), 0);
    assert_int_equal(ecsim_timeline_add_marker(tl, 30, "az_outage", NULL), 0);
    ecsim_timeline_marker m;
    assert_int_equal(ecsim_timeline_marker_count(tl), 2);
    assert_int_equal(ecsim_timeline_marker_get(tl, 0, &m), 0);
    assert_true(m.time_s == 60);
    assert_string_equal(m.kind, "scale_out");
    assert_string_equal(m.label, "2 -> 4");
    assert_int_equal(ecsim_timeline_marker_get(tl, 1, &m), 0);
    assert_true(m.time_s == 30); /* insertion order is kept */
    assert_string_equal(m.kind, "az_outage");
    assert_string_equal(m.label, "");
    assert_int_equal(ecsim_timeline_marker_get(tl, 2, &m), ECSIM_ENOENT);

    /* invalid kinds and times */
    assert_int_equal(ecsim_timeline_add_marker(tl, 1, "", "x"), ECSIM_EINVAL);
    assert_int_equal(ecsim_timeline_add_marker(tl, 1, NULL, "x"), ECSIM_EINVAL);
    assert_int_equal(ecsim_timeline_add_marker(tl, 1, "Scale_Out", "x"), ECSIM_EINVAL);
    assert_int_equal(ecsim_timeline_add_marker(tl, 1, "scale out", "x"), ECSIM_EINVAL);
    assert_int_equal(ecsim_timeline_add_marker(tl, 1, "a23456789012345678901234567890123", "x"),
                     ECSIM_EINVAL);
    assert_int_equal(ecsim_timeline_add_marker(tl, NAN, "scale_in", "x"), ECSIM_EINVAL);
    assert_int_equal(ecsim_timeline_marker_count(tl), 2);
    assert_int_equal(ecsim_timeline_add_marker(tl, 1, "a234567890123456789012345678901", "x"), 0);

    /* long labels make the string arena move; markers still read back */
    char label[700];
    memset(label, 'x', sizeof label - 1);
    label[sizeof label - 1] = '\0';
    for (int i = 0; i < 20; i++)
        assert_int_equal(ecsim_timeline_add_marker(tl, 100 + i, "task_failed", label), 0);
    assert_int_equal(ecsim_timeline_marker_get(tl, 0, &m), 0);
    assert_string_equal(m.label, "2 -> 4");
    assert_int_equal(ecsim_timeline_marker_get(tl, 22, &m), 0);
    assert_true(m.time_s == 119);
    assert_string_equal(m.kind, "task_failed");
    assert_string_equal(m.label, label);
    ecsim_timeline_destroy(tl);
}

static void test_marker_class(void **state)
{
    (void)state;
    assert_int_equal(ecsim_timeline_marker_class("scale_out"), ECSIM_MARKER_SCALE_OUT);
    assert_int_equal(ecsim_timeline_marker_class("scale_in"), ECSIM_MARKER_SCALE_IN);
    assert_int_equal(ecsim_timeline_marker_class("deployment"), ECSIM_MARKER_EVENT);
    assert_int_equal(ecsim_timeline_marker_class("scheduled_action"), ECSIM_MARKER_EVENT);
    assert_int_equal(ecsim_timeline_marker_class("deployment_failed"), ECSIM_MARKER_FAILURE);
    assert_int_equal(ecsim_timeline_marker_class("task_failed"), ECSIM_MARKER_FAILURE);
    assert_int_equal(ecsim_timeline_marker_class("rollback"), ECSIM_MARKER_FAILURE);
    assert_int_equal(ecsim_timeline_marker_class("az_outage"), ECSIM_MARKER_FAILURE);
    assert_int_equal(ecsim_timeline_marker_class("spot_interruption"), ECSIM_MARKER_FAILURE);
    assert_int_equal(ecsim_timeline_marker_class("kill_tasks"), ECSIM_MARKER_FAILURE);
    assert_int_equal(ecsim_timeline_marker_class(NULL), ECSIM_MARKER_EVENT);
}

static void test_write_csv_golden(void **state)
{
    (void)state;
    ecsim_timeline *tl = small_timeline();
    FILE *fp = tmpfile();
    assert_non_null(fp);
    assert_int_equal(ecsim_timeline_write_csv(tl, fp), 0);
    char *text = slurp(fp);
    fclose(fp);
    check_golden(text, "tests/golden/plot/timeline.csv");
    /* the contract's first thirteen columns, then the extra two */
    const char *contract = "time_s,demand_rps,capacity_rps,desired,running,pending,cpu_pct,"
                           "served_rps,unserved_rps,p50_ms,p95_ms,p99_ms,cost_usd,";
    assert_int_equal(strncmp(text, contract, strlen(contract)), 0);
    /* NaN -> empty: the first row has no CPU, latency, memory or target */
    assert_non_null(strstr(text, "\n0,100,0,2,0,2,,0,100,,,,0,,\n"));
    free(text);
    ecsim_timeline_destroy(tl);
}

static void test_write_csv_empty(void **state)
{
    (void)state;
    ecsim_timeline *tl = ecsim_timeline_create();
    FILE *fp = tmpfile();
    assert_non_null(fp);
    assert_int_equal(ecsim_timeline_write_csv(tl, fp), 0);
    char *text = slurp(fp);
    fclose(fp);
    assert_string_equal(text, "time_s,demand_rps,capacity_rps,desired,running,pending,cpu_pct,"
                              "served_rps,unserved_rps,p50_ms,p95_ms,p99_ms,cost_usd,memory_pct,"
                              "target\n");
    free(text);
    ecsim_timeline_destroy(tl);
}

static void test_write_markers_csv_golden(void **state)
{
    (void)state;
    ecsim_timeline *tl = ecsim_timeline_create();
    assert_int_equal(ecsim_timeline_add_marker(tl, 1830, "scale_out", "desired 2 -> 4"), 0);
    assert_int_equal(ecsim_timeline_add_marker(tl, 7200, "deployment", "deploy 1.1"), 0);
    assert_int_equal(ecsim_timeline_add_marker(tl, 7800.5, "deployment_failed",
                                               "CannotPullContainerError: \"9.9\", not found"),
                     0);
    assert_int_equal(ecsim_timeline_add_marker(tl, 9000, "scale_in", NULL), 0);
    FILE *fp = tmpfile();
    assert_non_null(fp);
    assert_int_equal(ecsim_timeline_write_markers_csv(tl, fp), 0);
    char *text = slurp(fp);
    fclose(fp);
    check_golden(text, "tests/golden/plot/markers.csv");
    assert_non_null(strstr(text, "\"CannotPullContainerError: \"\"9.9\"\", not found\""));
    free(text);
    ecsim_timeline_destroy(tl);
}

static void test_out_of_memory(void **state)
{
    (void)state;
    ecsim_alloc_fail_after(1);
    assert_null(ecsim_timeline_create());
    ecsim_alloc_fail_after(0);

    ecsim_timeline *tl = ecsim_timeline_create();
    assert_non_null(tl);
    ecsim_timeline_row r = ecsim_timeline_row_empty();
    r.time_s = 0;
    ecsim_alloc_fail_after(1);
    assert_int_equal(ecsim_timeline_append(tl, &r), ECSIM_ENOMEM);
    assert_int_equal(ecsim_timeline_add_marker(tl, 0, "scale_out", "x"), ECSIM_ENOMEM);
    ecsim_alloc_fail_after(0);
    assert_int_equal(ecsim_timeline_count(tl), 0);
    assert_int_equal(ecsim_timeline_marker_count(tl), 0);
    /* the arena grows but the marker array cannot: nothing half-added */
    ecsim_alloc_fail_after(2);
    assert_int_equal(ecsim_timeline_add_marker(tl, 0, "scale_out", "x"), ECSIM_ENOMEM);
    ecsim_alloc_fail_after(0);
    assert_int_equal(ecsim_timeline_marker_count(tl), 0);
    assert_int_equal(ecsim_timeline_add_marker(tl, 0, "scale_out", "x"), 0);
    assert_int_equal(ecsim_timeline_append(tl, &r), 0);
    assert_int_equal(ecsim_timeline_count(tl), 1);
    ecsim_timeline_destroy(tl);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_row_empty),
        cmocka_unit_test(test_append_and_access),
        cmocka_unit_test(test_append_rejects_bad_time),
        cmocka_unit_test(test_growth_keeps_rows),
        cmocka_unit_test(test_spilled_rows_read_back),
        cmocka_unit_test(test_markers),
        cmocka_unit_test(test_marker_class),
        cmocka_unit_test(test_write_csv_golden),
        cmocka_unit_test(test_write_csv_empty),
        cmocka_unit_test(test_write_markers_csv_golden),
        cmocka_unit_test(test_out_of_memory),
    };
    return cmocka_run_group_tests_name("timeline", tests, NULL, NULL);
}
