/* Tests of replayed arrivals (load.requests.arrivals_file, sim/model/requests.h)
 * and the p99 SLO (load.requests.slo_p99): requests arrive at exactly the
 * file's times; a Poisson run's own times replayed give that run again;
 * the demand profile binned from the file; every bad row reported at
 * FILE:LINE:COLUMN; end to end through ecsim_sim (arrivals counted from the
 * service's creation, the demand column, fluid mode on the same file,
 * determinism) and the SLO breach time in the summary. */
#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
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
#include "ecsim/engine.h"
#include "ecsim/error.h"
#include "ecsim/load.h"
#include "ecsim/loader.h"
#include "ecsim/report.h"
#include "ecsim/sim.h"
#include "ecsim/timeline.h"
#include "model/requests.h"
#include "model/sim_parts.h"

#define DATA "tests/data/arrivals/"
#define REPLAY_SCENARIO "scenarios/replay-arrivals.yaml"

/* A bare model replaying `file` (relative to tests/data/arrivals/) on a
 * load of 0, deterministic service of `service_s`, `tasks` ready tasks of
 * one slot. */
typedef struct fixture {
    ecsim_engine *eng;
    ecsim_load *load;
    requests_model *m;
    ecsim_requests_spec rs; /* with the arrival times the loader would read */
} fixture;

static ecsim_requests_spec spec_default(void)
{
    ecsim_requests_spec rs;
    memset(&rs, 0, sizeof rs);
    rs.dist = ECSIM_DIST_DETERMINISTIC;
    rs.mean_s = 0.1;
    rs.cv = 1;
    rs.max_s = 0.2;
    rs.concurrency = 1;
    rs.queue_limit = 1000;
    rs.routing = ECSIM_ROUTING_SHARED_QUEUE;
    return rs;
}

static void fx_open(fixture *f, const ecsim_requests_spec *rs, double end_s, uint64_t seed)
{
    memset(f, 0, sizeof *f);
    ecsim_load_spec ls;
    memset(&ls, 0, sizeof ls);
    ls.mode = ECSIM_LOAD_REQUESTS;
    ls.noise.interval_s = 60;
    f->eng = ecsim_engine_create();
    assert_non_null(f->eng);
    f->load = ecsim_load_create(&ls, seed, NULL);
    assert_non_null(f->load);
    /* Read as the loader does: the scenario's folder anchors a relative
     * arrivals_file. */
    f->rs = *rs;
    if (rs->arrivals_file[0]) {
        char path[1024];
        ecsim_resolve_data_path(path, sizeof path, DATA "scenario.yaml", rs->arrivals_file);
        assert_int_equal(ecsim_arrivals_read(path, end_s, &f->rs.arrival_times,
                                             &f->rs.arrival_count, NULL),
                         0);
    }
    f->m = requests_create(&f->rs, DATA "scenario.yaml", f->eng, f->load, seed, end_s, NULL);
    assert_non_null(f->m);
}

static void fx_close(fixture *f)
{
    ecsim_free(f->rs.arrival_times);
    requests_destroy(f->m);
    ecsim_load_destroy(f->load);
    ecsim_engine_destroy(f->eng);
}

/* Step the engine to the end, writing the time of every arrival into
 * times[] (at most max); returns how many. */
static size_t record_arrivals(fixture *f, double until_s, double *times, size_t max)
{
    size_t n = 0;
    uint64_t seen = requests_get_totals(f->m)->arrived;
    while (ecsim_engine_step(f->eng, until_s) == 1) {
        uint64_t now_arrived = requests_get_totals(f->m)->arrived;
        while (seen < now_arrived) {
            assert_true(n < max);
            times[n++] = ecsim_engine_now(f->eng);
            seen++;
        }
    }
    return n;
}

/* ---- exactness -------------------------------------------------------------------- */

static void test_arrivals_are_the_files_times(void **state)
{
    (void)state;
    const char *files[] = {"exact.csv", "good_bom_crlf_comments.csv"};
    for (size_t k = 0; k < 2; k++) {
        ecsim_requests_spec rs = spec_default();
        snprintf(rs.arrivals_file, sizeof rs.arrivals_file, "%s", files[k]);
        fixture f;
        fx_open(&f, &rs, 7.0, 1); /* 7.5 is past the end */
        assert_int_equal(requests_task_ready(f.m, 1), 0);
        assert_int_equal(requests_start(f.m), 0);
        double t[16];
        size_t n = record_arrivals(&f, 100, t, 16);
        assert_int_equal(n, 4);
        assert_true(t[0] == 0.5 && t[1] == 1.25 && t[2] == 1.25 && t[3] == 3.0);
        const requests_totals *tot = requests_get_totals(f.m);
        assert_int_equal(tot->served, 4);
        assert_int_equal(requests_replay_skipped(f.m), 0);
        /* One task, 0.1 s each: only the second 1.25 waits, 0.1 s. */
        assert_true(fabs(tot->wait_sum_s - 0.1) < 1e-12);
        assert_false(requests_oom(f.m));
        fx_close(&f);
    }
}

static void test_times_before_the_start_are_skipped(void **state)
{
    (void)state;
    ecsim_requests_spec rs = spec_default();
    snprintf(rs.arrivals_file, sizeof rs.arrivals_file, "exact.csv");
    fixture f;
    fx_open(&f, &rs, 100, 1);
    ecsim_engine_run(f.eng, 1.0); /* the service starts at 1 s */
    assert_int_equal(requests_task_ready(f.m, 1), 0);
    assert_int_equal(requests_start(f.m), 0);
    double t[16];
    size_t n = record_arrivals(&f, 100, t, 16);
    assert_int_equal(n, 4);
    assert_true(t[0] == 1.25 && t[1] == 1.25 && t[2] == 3.0 && t[3] == 7.5);
    assert_int_equal(requests_replay_skipped(f.m), 1);
    assert_int_equal(requests_get_totals(f.m)->arrived, 4);
    fx_close(&f);
}

/* The times of a Poisson run, written with every digit and replayed with
 * the same seed, give the same requests: the same service times, waits,
 * latencies and outcomes (arrivals use no stream the rest shares). */
static void test_replaying_a_poisson_run_reproduces_it(void **state)
{
    (void)state;
    const double end_s = 200;
    const size_t max = 40000;
    ecsim_requests_spec rs = spec_default();
    rs.dist = ECSIM_DIST_EXPONENTIAL;
    rs.mean_s = 0.04;
    rs.routing = ECSIM_ROUTING_RANDOM;
    rs.queue_limit = 5;
    rs.timeout_s = 0.3;

    /* Poisson, 100/s on 5 tasks of 25/s. */
    fixture f;
    memset(&f, 0, sizeof f);
    ecsim_load_segment seg;
    memset(&seg, 0, sizeof seg);
    seg.until_s = end_s;
    seg.shape = ECSIM_SHAPE_CONSTANT;
    seg.rps = 100;
    ecsim_load_spec ls;
    memset(&ls, 0, sizeof ls);
    ls.profile = &seg;
    ls.profile_count = 1;
    ls.noise.interval_s = 60;
    f.eng = ecsim_engine_create();
    f.load = ecsim_load_create(&ls, 9, NULL);
    f.m = requests_create(&rs, "", f.eng, f.load, 9, end_s, NULL);
    assert_non_null(f.m);
    for (int id = 1; id <= 5; id++)
        assert_int_equal(requests_task_ready(f.m, id), 0);
    assert_int_equal(requests_start(f.m), 0);
    double *times = ecsim_calloc(max, sizeof *times);
    assert_non_null(times);
    size_t n = record_arrivals(&f, end_s + 10, times, max);
    assert_true(n > 19000 && n < 21000);
    requests_totals poisson = *requests_get_totals(f.m);
    double poisson_p99 = ecsim_histogram_quantile(requests_latency_run(f.m), 0.99);
    assert_true(poisson.rejected > 0 || poisson.timed_out > 0); /* every path is exercised */
    fx_close(&f);

    char path[64];
    snprintf(path, sizeof path, "/tmp/ecsim-replay-%ld.csv", (long)getpid());
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    fputs("time_s\n", fp);
    for (size_t i = 0; i < n; i++)
        fprintf(fp, "%.17g\n", times[i]);
    fclose(fp);

    snprintf(rs.arrivals_file, sizeof rs.arrivals_file, "%s", path);
    fx_open(&f, &rs, end_s, 9);
    for (int id = 1; id <= 5; id++)
        assert_int_equal(requests_task_ready(f.m, id), 0);
    assert_int_equal(requests_start(f.m), 0);
    double *again = ecsim_calloc(max, sizeof *again);
    assert_non_null(again);
    size_t n2 = record_arrivals(&f, end_s + 10, again, max);
    assert_int_equal(n2, n);
    assert_memory_equal(again, times, n * sizeof *times);
    const requests_totals *replay = requests_get_totals(f.m);
    assert_int_equal(replay->served, poisson.served);
    assert_int_equal(replay->rejected, poisson.rejected);
    assert_int_equal(replay->timed_out, poisson.timed_out);
    assert_true(replay->wait_sum_s == poisson.wait_sum_s);
    assert_true(replay->busy_slot_s == poisson.busy_slot_s);
    assert_true(ecsim_histogram_quantile(requests_latency_run(f.m), 0.99) == poisson_p99);
    fx_close(&f);
    unlink(path);
    ecsim_free(times);
    ecsim_free(again);
}

/* ---- the demand profile -------------------------------------------------------------- */

static ecsim_load *profile_load(const char *file, double end_s, double *bin_s)
{
    ecsim_load_segment *seg = NULL;
    size_t count = 0;
    ecsim_diags d;
    ecsim_diags_init(&d);
    double *times = NULL;
    size_t n = 0;
    int rc = ecsim_arrivals_read(file, end_s, &times, &n, &d);
    if (rc != 0)
        ecsim_diags_print(&d, stderr);
    assert_int_equal(rc, 0);
    ecsim_diags_free(&d);
    assert_int_equal(requests_replay_profile(times, n, end_s, &seg, &count, bin_s), 0);
    ecsim_free(times);
    ecsim_load_spec ls;
    memset(&ls, 0, sizeof ls);
    ls.profile = seg;
    ls.profile_count = count;
    ls.noise.interval_s = 60;
    ecsim_load *load = ecsim_load_create(&ls, 1, NULL);
    assert_non_null(load);
    ecsim_free(seg);
    return load;
}

static void test_profile_counts_arrivals_per_bin(void **state)
{
    (void)state;
    double bin;
    ecsim_load *load = profile_load(DATA "exact.csv", 10, &bin);
    assert_true(bin == 1);
    /* 0.5 | 1.25 1.25 | - | 3 | - - - | 7.5 | - - */
    assert_true(ecsim_load_mean_rate(load, 0, 1) == 1);
    assert_true(ecsim_load_mean_rate(load, 1, 2) == 2);
    assert_true(ecsim_load_mean_rate(load, 2, 3) == 0);
    assert_true(ecsim_load_mean_rate(load, 3, 4) == 1);
    assert_true(ecsim_load_mean_rate(load, 7, 8) == 1);
    assert_true(fabs(ecsim_load_mean_rate(load, 0, 10) - 0.5) < 1e-15);
    assert_true(ecsim_load_mean_rate(load, 10, 100) == 0); /* nothing after the end */
    ecsim_load_destroy(load);

    /* The end cuts the last bin: 7.5 falls in [7, 7.7). */
    load = profile_load(DATA "exact.csv", 7.7, &bin);
    assert_true(fabs(ecsim_load_mean_rate(load, 7, 7.7) - 1 / 0.7) < 1e-12);
    assert_true(fabs(ecsim_load_mean_rate(load, 0, 7.7) * 7.7 - 5) < 1e-12);
    ecsim_load_destroy(load);

    /* Long runs get wider bins (at most 65 536 of them). */
    load = profile_load(DATA "exact.csv", 48 * 3600.0, &bin);
    assert_true(bin == 5);
    assert_true(fabs(ecsim_load_mean_rate(load, 0, 5) - 4 / 5.0) < 1e-15);
    ecsim_load_destroy(load);
    load = profile_load(DATA "exact.csv", 366 * 86400.0, &bin);
    assert_true(bin == 600);
    ecsim_load_destroy(load);
}

/* ---- errors --------------------------------------------------------------------------- */

/* Reading `file` (ecsim_arrivals_read, as the loader does) fails with
 * `want_rc`; the diagnostics, one per line as "LINE:COLUMN: MESSAGE-START",
 * equal `expected`. */
static void expect_errors_rc(const char *file, double end_s, const char *const *expected, size_t n,
                             int want_rc)
{
    double *seg = (double *)1;
    size_t count = 99;
    ecsim_diags d;
    ecsim_diags_init(&d);
    int rc = ecsim_arrivals_read(file, end_s, &seg, &count, &d);
    if (rc != want_rc || d.count != n) {
        ecsim_diags_print(&d, stderr);
        fail_msg("%s: rc %d, %zu diagnostics, expected %zu", file, rc, d.count, n);
    }
    assert_null(seg);
    assert_int_equal(count, 0);
    for (size_t i = 0; i < n; i++) {
        char got[600];
        snprintf(got, sizeof got, "%d:%d: %s", d.items[i].line, d.items[i].column,
                 d.items[i].message);
        assert_string_equal(d.items[i].file, file);
        if (strncmp(got, expected[i], strlen(expected[i])) != 0)
            fail_msg("%s: got \"%s\", expected \"%s...\"", file, got, expected[i]);
    }
    assert_int_equal(d.io_errors, want_rc == ECSIM_EIO ? 1 : 0);
    ecsim_diags_free(&d);
}

static void expect_errors(const char *file, double end_s, const char *const *expected, size_t n)
{
    expect_errors_rc(file, end_s, expected, n, ECSIM_EINVAL);
}

static void test_bad_rows_are_reported_where_they_are(void **state)
{
    (void)state;
    const char *not_number[] = {"3:1: load.requests.arrivals_file: row 2: \"abc\" is not a "
                                "number; expected an arrival time in seconds"};
    expect_errors(DATA "bad_not_number.csv", 100, not_number, 1);
    const char *negative[] = {"3:1: load.requests.arrivals_file: row 2: time -2 is negative"};
    expect_errors(DATA "bad_negative.csv", 100, negative, 1);
    const char *decreasing[] = {"4:1: load.requests.arrivals_file: row 3: time 2.5 is before the "
                                "previous row's time 3; arrival times must be in order"};
    expect_errors(DATA "bad_decreasing.csv", 100, decreasing, 1);
    const char *extra[] = {"3:4: load.requests.arrivals_file: row 2: extra column \"200\"; "
                           "expected one arrival time per line"};
    expect_errors(DATA "bad_extra_column.csv", 100, extra, 1);
    const char *header[] = {"1:1: load.requests.arrivals_file: row 1: \"time\" is neither an "
                            "arrival time nor the header `time_s`"};
    expect_errors(DATA "bad_header.csv", 100, header, 1);
    const char *empty[] = {"0:0: load.requests.arrivals_file: no arrival times"};
    expect_errors(DATA "bad_no_rows.csv", 100, empty, 1);
    /* Every bad row, and a good row after a bad one is checked against
     * the last good time (1), not the bad ones. */
    const char *several[] = {
        "3:1: load.requests.arrivals_file: row 2: \"inf\" is not a number",
        "4:1: load.requests.arrivals_file: row 3: \"0x10\" is not a number",
        "5:1: load.requests.arrivals_file: row 4: time -1 is negative",
        "7:1: load.requests.arrivals_file: row 6: time 1.5 is before the previous row's time 2",
    };
    expect_errors(DATA "bad_several.csv", 100, several, 4);
    const char *late[] = {"5:1: load.requests.arrivals_file: row 4: time 2 is before"};
    expect_errors(DATA "late_error.csv", 100, late, 1);
    const char *missing[] = {"0:0: load.requests.arrivals_file: cannot open: "};
    expect_errors_rc(DATA "no_such_file.csv", 100, missing, 1, ECSIM_EIO);
    /* Not a regular file (a device would never end): an I/O error too. */
    const char *device[] = {"0:0: load.requests.arrivals_file: not a regular file"};
    expect_errors_rc("/dev/zero", 100, device, 1, ECSIM_EIO);
    /* CSV quoting: a quoted time is a time; a bad quote is located. */
    const char *quote[] = {"4:4: load.requests.arrivals_file: unexpected character after the "
                           "closing quote of the field at column 1"};
    expect_errors(DATA "bad_quote.csv", 100, quote, 1);

    /* Rows after the run's end are not read. */
    double bin;
    ecsim_load *load = profile_load(DATA "late_error.csv", 2.5, &bin);
    assert_true(ecsim_load_mean_rate(load, 0, 2.5) * 2.5 == 2);
    ecsim_load_destroy(load);
}

/* The model opens no file: it replays the times in the spec (the
 * scenario's, read by the loader), and a quoted time is a time. */
static void test_model_replays_the_spec_times(void **state)
{
    (void)state;
    ecsim_requests_spec rs = spec_default();
    snprintf(rs.arrivals_file, sizeof rs.arrivals_file, "good_quoted.csv");
    fixture f;
    fx_open(&f, &rs, 100, 1);
    assert_int_equal(f.rs.arrival_count, 3);
    assert_int_equal(requests_task_ready(f.m, 1), 0);
    assert_int_equal(requests_start(f.m), 0);
    double t[8];
    size_t n = record_arrivals(&f, 100, t, 8);
    assert_int_equal(n, 3);
    assert_true(t[0] == 0.5 && t[1] == 2 && t[2] == 4.25);
    fx_close(&f);
}

/* ---- end to end --------------------------------------------------------------------- */

static ecsim_sim *run_file(const char *path, const char *const *sets, size_t nsets,
                           ecsim_scenario **out)
{
    ecsim_diags d;
    ecsim_diags_init(&d);
    ecsim_scenario *sc = ecsim_scenario_load(path, sets, nsets, &d);
    if (!sc) {
        ecsim_diags_print(&d, stderr);
        fail_msg("%s did not load", path);
    }
    ecsim_diags_free(&d);
    ecsim_sim *sim = ecsim_sim_create(sc, sc->seed, stderr);
    assert_non_null(sim);
    assert_int_equal(ecsim_sim_run(sim), 0);
    *out = sc;
    return sim;
}

/* The scenario's log, read here independently. */
static double *read_log(size_t *n)
{
    FILE *fp = fopen("scenarios/traces/arrivals.csv", "rb");
    assert_non_null(fp);
    size_t cap = 1 << 16, count = 0;
    double *t = ecsim_calloc(cap, sizeof *t);
    char line[128];
    assert_non_null(fgets(line, sizeof line, fp)); /* header */
    while (fgets(line, sizeof line, fp)) {
        if (count == cap) {
            cap *= 2;
            t = ecsim_reallocarray(t, cap, sizeof *t);
            assert_non_null(t);
        }
        t[count++] = strtod(line, NULL);
    }
    fclose(fp);
    *n = count;
    return t;
}

static void test_scenario_end_to_end(void **state)
{
    (void)state;
    ecsim_scenario *sc;
    ecsim_sim *sim = run_file(REPLAY_SCENARIO, NULL, 0, &sc);
    const ecsim_summary *s = ecsim_sim_summary(sim);
    size_t n;
    double *t = read_log(&n);
    /* Arrivals: the logged times from the service's creation to the end. */
    uint64_t skipped = requests_replay_skipped(scaling_requests(sim_parts_scaling(sim)));
    uint64_t in_run = 0, before = 0;
    for (size_t i = 0; i < n; i++) {
        if (t[i] >= sc->duration_s)
            continue;
        if (i < skipped)
            before++;
        else
            in_run++;
    }
    assert_true(skipped > 0); /* the log starts before the service */
    assert_int_equal(before, skipped);
    /* Arrivals before the service existed are not dropped silently (issue
     * 10 point 6): each counts as arrived and rejected, and events.log says
     * how many. */
    assert_int_equal(s->requests_arrived, in_run + before);
    assert_true(s->requests_rejected >= before);
    char expect_line[128];
    snprintf(expect_line, sizeof expect_line,
             "%" PRIu64 " replayed arrivals came before the service existed", skipped);
    bool logged = false;
    for (size_t i = 0; i < ecsim_sim_log_count(sim); i++)
        logged |= strstr(ecsim_sim_log_line(sim, i), expect_line) != NULL;
    assert_true(logged);
    assert_true(s->requests_arrived >= s->requests_served + s->requests_rejected +
                                           s->requests_timed_out + s->requests_failed);
    /* The demand column: the log's arrivals per period / period. */
    const ecsim_timeline *tl = ecsim_sim_timeline(sim);
    double period = sc->monitoring.period_s;
    assert_true(ecsim_timeline_count(tl) == (size_t)(sc->duration_s / period));
    for (size_t r = 0; r < ecsim_timeline_count(tl); r++) {
        const ecsim_timeline_row *row = ecsim_timeline_row_at(tl, r);
        size_t count = 0;
        for (size_t i = 0; i < n; i++)
            if (t[i] >= row->time_s - period && t[i] < row->time_s)
                count++;
        if (fabs(row->demand_rps * period - (double)count) > 1e-9)
            fail_msg("row %zu: demand %.17g x %g != %zu arrivals", r, row->demand_rps, period,
                     count);
    }
    /* The SLO: breach time = the periods whose p99 is above it. */
    assert_true(s->slo_p99_s == 0.5);
    double breach = 0;
    for (size_t r = 0; r < ecsim_timeline_count(tl); r++) {
        const ecsim_timeline_row *row = ecsim_timeline_row_at(tl, r);
        if (isfinite(row->p99_ms) && row->p99_ms > 500)
            breach += period;
    }
    assert_true(breach >= 3 * period); /* the burst: 6:00 to 9:00 */
    assert_true(s->slo_breach_s == breach);
    /* ... and in summary.json. */
    char *json = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&json, &len);
    assert_int_equal(ecsim_report_summary_json(sim, mem), 0);
    fclose(mem);
    char want[64];
    snprintf(want, sizeof want, "\"slo_breach_s\": %.0f", breach);
    assert_non_null(strstr(json, "\"slo_p99_s\": 0.5"));
    assert_non_null(strstr(json, want));
    free(json);
    ecsim_free(t);
    ecsim_sim_destroy(sim);
    ecsim_scenario_free(sc);
}

static void test_scenario_is_deterministic(void **state)
{
    (void)state;
    ecsim_scenario *sc1, *sc2;
    ecsim_sim *a = run_file(REPLAY_SCENARIO, NULL, 0, &sc1);
    ecsim_sim *b = run_file(REPLAY_SCENARIO, NULL, 0, &sc2);
    char *ja = NULL, *jb = NULL;
    size_t la = 0, lb = 0;
    FILE *ma = open_memstream(&ja, &la), *mb = open_memstream(&jb, &lb);
    assert_int_equal(ecsim_report_summary_json(a, ma), 0);
    assert_int_equal(ecsim_report_summary_json(b, mb), 0);
    assert_int_equal(ecsim_timeline_write_csv(ecsim_sim_timeline(a), ma), 0);
    assert_int_equal(ecsim_timeline_write_csv(ecsim_sim_timeline(b), mb), 0);
    fclose(ma);
    fclose(mb);
    assert_string_equal(ja, jb);
    free(ja);
    free(jb);
    ecsim_sim_destroy(a);
    ecsim_sim_destroy(b);
    ecsim_scenario_free(sc1);
    ecsim_scenario_free(sc2);
}

/* Fluid mode on the same file: the same demand column; no SLO keys. */
static void test_fluid_mode_uses_the_binned_log(void **state)
{
    (void)state;
    ecsim_scenario *sr, *sf;
    const char *sets[] = {"load.mode=fluid"};
    ecsim_sim *rq = run_file(REPLAY_SCENARIO, NULL, 0, &sr);
    ecsim_sim *fl = run_file(REPLAY_SCENARIO, sets, 1, &sf);
    assert_int_equal(ecsim_timeline_count(ecsim_sim_timeline(rq)), ecsim_timeline_count(ecsim_sim_timeline(fl)));
    for (size_t r = 0; r < ecsim_timeline_count(ecsim_sim_timeline(rq)); r++)
        assert_true(ecsim_timeline_row_at(ecsim_sim_timeline(rq), r)->demand_rps ==
                    ecsim_timeline_row_at(ecsim_sim_timeline(fl), r)->demand_rps);
    const ecsim_summary *s = ecsim_sim_summary(fl);
    assert_int_equal(s->requests_arrived, 0);
    assert_true(s->under_capacity_s > 0); /* the burst is above 2 tasks' 40 rps */
    char *json = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&json, &len);
    assert_int_equal(ecsim_report_summary_json(fl, mem), 0);
    fclose(mem);
    assert_non_null(strstr(json, "\"slo_p99_s\": null")); /* summary.json v2: present, null */
    free(json);
    ecsim_sim_destroy(rq);
    ecsim_sim_destroy(fl);
    ecsim_scenario_free(sr);
    ecsim_scenario_free(sf);
}

/* No SLO: no breach time and null keys; an SLO above every p99: 0 s. */
static void test_slo_figures(void **state)
{
    (void)state;
    ecsim_scenario *sc;
    const char *none[] = {"load.requests.slo_p99=0s"};
    ecsim_sim *sim = run_file(REPLAY_SCENARIO, none, 1, &sc);
    assert_true(ecsim_sim_summary(sim)->slo_breach_s == 0);
    char *json = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&json, &len);
    assert_int_equal(ecsim_report_summary_json(sim, mem), 0);
    fclose(mem);
    assert_non_null(strstr(json, "\"slo_p99_s\": null"));
    assert_non_null(strstr(json, "\"slo_breach_s\": null"));
    free(json);
    ecsim_sim_destroy(sim);
    ecsim_scenario_free(sc);

    const char *loose[] = {"load.requests.slo_p99=10s"};
    sim = run_file(REPLAY_SCENARIO, loose, 1, &sc);
    assert_true(ecsim_sim_summary(sim)->slo_breach_s == 0);
    ecsim_sim_destroy(sim);
    ecsim_scenario_free(sc);

    /* An SLO below every p99: every period with a completed request. */
    const char *tight[] = {"load.requests.slo_p99=1ms"};
    sim = run_file(REPLAY_SCENARIO, tight, 1, &sc);
    double periods = 0;
    for (size_t r = 0; r < ecsim_timeline_count(ecsim_sim_timeline(sim)); r++)
        if (isfinite(ecsim_timeline_row_at(ecsim_sim_timeline(sim), r)->p99_ms))
            periods += sc->monitoring.period_s;
    assert_true(periods > 0);
    assert_true(ecsim_sim_summary(sim)->slo_breach_s == periods);
    ecsim_sim_destroy(sim);
    ecsim_scenario_free(sc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_arrivals_are_the_files_times),
        cmocka_unit_test(test_times_before_the_start_are_skipped),
        cmocka_unit_test(test_replaying_a_poisson_run_reproduces_it),
        cmocka_unit_test(test_profile_counts_arrivals_per_bin),
        cmocka_unit_test(test_bad_rows_are_reported_where_they_are),
        cmocka_unit_test(test_model_replays_the_spec_times),
        cmocka_unit_test(test_scenario_end_to_end),
        cmocka_unit_test(test_scenario_is_deterministic),
        cmocka_unit_test(test_fluid_mode_uses_the_binned_log),
        cmocka_unit_test(test_slo_figures),
    };
    return cmocka_run_group_tests_name("replay", tests, NULL, NULL);
}
