/* Figures over a time window (issue 9 point 9; include/ecsim/summary.h):
 *   - a window over the whole run gives exactly the whole-run figures, for
 *     every shipped scenario (fluid and requests mode, every policy and
 *     platform);
 *   - windows that tile the run add up to the whole run;
 *   - a hand-computed window: constant demand above a fixed capacity;
 *   - the window syntax and rules (report_spec.h) and --window on the
 *     command line;
 *   - summary.json's windows object and the decisions.csv filter (issue 10
 *     point 6): a 7-day run keeps a small decisions.csv, `--decisions all`
 *     one row per evaluation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli_run.h"
#include "ecsim/alloc.h"
#include "ecsim/ecsim.h"
#include "ecsim/figures.h"
#include "ecsim/report_spec.h"

/* ---- helpers ------------------------------------------------------------------- */

static ecsim_scenario *load_file(const char *path)
{
    ecsim_diags d;
    ecsim_diags_init(&d);
    ecsim_scenario *sc = ecsim_scenario_load(path, NULL, 0, &d);
    if (!sc)
        ecsim_diags_print(&d, stderr);
    ecsim_diags_free(&d);
    assert_non_null(sc);
    return sc;
}

static ecsim_scenario *load_text(const char *text)
{
    ecsim_diags d;
    ecsim_diags_init(&d);
    ecsim_scenario *sc = ecsim_scenario_load_string(text, strlen(text), "test.yaml", NULL, 0, &d);
    if (!sc)
        ecsim_diags_print(&d, stderr);
    ecsim_diags_free(&d);
    assert_non_null(sc);
    return sc;
}

static void add_window(ecsim_scenario *sc, const char *name, double from_s, double to_s)
{
    ecsim_window_spec *w =
        ecsim_reallocarray(sc->report.windows, sc->report.window_count + 1, sizeof *w);
    assert_non_null(w);
    sc->report.windows = w;
    w = &w[sc->report.window_count++];
    memset(w, 0, sizeof *w);
    snprintf(w->name, sizeof w->name, "%s", name);
    w->from_s = from_s;
    w->to_s = to_s;
    char err[256];
    assert_int_equal(
        ecsim_window_check(w, sc->duration_s, sc->monitoring.period_s, err, sizeof err), 0);
}

static ecsim_sim *run(const ecsim_scenario *sc)
{
    ecsim_sim *sim = ecsim_sim_create(sc, sc->seed, stderr);
    assert_non_null(sim);
    assert_int_equal(ecsim_sim_run(sim), 0);
    return sim;
}

/* Equal, NaN equal to NaN. */
static void same(double whole, double window, const char *what, const char *scenario)
{
    if ((isnan(whole) && isnan(window)) || whole == window)
        return;
    fail_msg("%s: window %s = %.17g, whole run %.17g", scenario, what, window, whole);
}

static void assert_whole_run(const ecsim_summary *s, const ecsim_window_figures *w,
                             const char *scenario)
{
    same(s->under_capacity_s, w->under_capacity_s, "under_capacity_s", scenario);
    same(s->unserved_requests, w->unserved_requests, "unserved_requests", scenario);
    same(s->over_provisioned_task_hours, w->over_provisioned_task_hours,
         "over_provisioned_task_hours", scenario);
    same(s->task_hours, w->task_hours, "task_hours", scenario);
    same(s->cost_total, w->cost_total, "cost_usd.total", scenario);
    same(s->scaling_actions, w->scaling_actions, "scaling.actions", scenario);
    same(s->scale_outs, w->scale_outs, "scaling.scale_outs", scenario);
    same(s->scale_ins, w->scale_ins, "scaling.scale_ins", scenario);
    same(s->first_scale_out_s, w->first_scale_out_s, "scaling.first_scale_out_s", scenario);
    same(s->max_desired, w->max_desired, "scaling.max_desired", scenario);
    same(s->min_desired, w->min_desired, "scaling.min_desired", scenario);
    same((double)s->requests_arrived, (double)w->requests_arrived, "requests.arrived", scenario);
    same((double)s->requests_served, (double)w->requests_served, "requests.served", scenario);
    same((double)s->requests_rejected, (double)w->requests_rejected, "requests.rejected", scenario);
    same((double)s->requests_timed_out, (double)w->requests_timed_out, "requests.timed_out",
         scenario);
    same((double)s->requests_failed, (double)w->requests_failed, "requests.failed", scenario);
    same(s->latency_mean_s, w->latency_mean_s, "latency_s.mean", scenario);
    same(s->latency_p50_s, w->latency_p50_s, "latency_s.p50", scenario);
    same(s->latency_p95_s, w->latency_p95_s, "latency_s.p95", scenario);
    same(s->latency_p99_s, w->latency_p99_s, "latency_s.p99", scenario);
    same(s->latency_max_s, w->latency_max_s, "latency_s.max", scenario);
    same(s->slo_breach_s, w->slo_breach_s, "latency_s.slo_breach_s", scenario);
}

/* ---- a window over the whole run ------------------------------------------------- */

static void test_whole_run_window_every_scenario(void **state)
{
    (void)state;
    DIR *dir = opendir("scenarios");
    assert_non_null(dir);
    int checked = 0;
    for (struct dirent *e; (e = readdir(dir)) != NULL;) {
        size_t n = strlen(e->d_name);
        if (n < 6 || strcmp(e->d_name + n - 5, ".yaml") != 0)
            continue;
        char path[512];
        snprintf(path, sizeof path, "scenarios/%s", e->d_name);
        ecsim_scenario *sc = load_file(path);
        /* The figures without a window, to check that a window changes none. */
        ecsim_sim *plain = run(sc);
        ecsim_summary before = *ecsim_sim_summary(plain);
        ecsim_sim_destroy(plain);
        size_t given = sc->report.window_count; /* the scenario's own (latency-slo) */
        add_window(sc, "all", 0, sc->duration_s);
        ecsim_sim *sim = run(sc);
        const ecsim_summary *s = ecsim_sim_summary(sim);
        assert_int_equal(s->window_count, given + 1);
        assert_string_equal(s->windows[given].name, "all");
        assert_whole_run(s, &s->windows[given], path);
        /* Asking for a window leaves the whole-run figures alone. */
        same(before.unserved_requests, s->unserved_requests, "whole unserved", path);
        same(before.under_capacity_s, s->under_capacity_s, "whole under", path);
        same(before.task_hours, s->task_hours, "whole task_hours", path);
        same(before.latency_p99_s, s->latency_p99_s, "whole p99", path);
        same((double)before.events_dispatched, (double)s->events_dispatched, "events", path);
        ecsim_sim_destroy(sim);
        ecsim_scenario_free(sc);
        checked++;
    }
    closedir(dir);
    assert_true(checked >= 30);
}

/* ---- windows that tile the run ----------------------------------------------------- */

static void tiles(const char *path, double cut_s)
{
    ecsim_scenario *sc = load_file(path);
    size_t given = sc->report.window_count;
    add_window(sc, "first", 0, cut_s);
    add_window(sc, "second", cut_s, sc->duration_s);
    ecsim_sim *sim = run(sc);
    const ecsim_summary *s = ecsim_sim_summary(sim);
    const ecsim_window_figures *a = &s->windows[given], *b = &s->windows[given + 1];
    assert_int_equal(a->scaling_actions + b->scaling_actions, s->scaling_actions);
    assert_int_equal(a->scale_outs + b->scale_outs, s->scale_outs);
    assert_true(a->requests_arrived + b->requests_arrived == s->requests_arrived);
    assert_true(a->requests_served + b->requests_served == s->requests_served);
    assert_true(a->requests_rejected + b->requests_rejected == s->requests_rejected);
    assert_true(a->requests_timed_out + b->requests_timed_out == s->requests_timed_out);
    assert_true(fabs(a->unserved_requests + b->unserved_requests - s->unserved_requests) <=
                1e-9 * (1 + s->unserved_requests));
    assert_true(fabs(a->under_capacity_s + b->under_capacity_s - s->under_capacity_s) <= 1e-9);
    assert_true(fabs(a->task_hours + b->task_hours - s->task_hours) <= 1e-9);
    assert_true(fabs(a->over_provisioned_task_hours + b->over_provisioned_task_hours -
                     s->over_provisioned_task_hours) <= 1e-9);
    assert_true(fabs(a->cost_total + b->cost_total - s->cost_total) <= 1e-6 * s->cost_total);
    assert_true(fabs(a->slo_breach_s + b->slo_breach_s - s->slo_breach_s) <= 1e-9);
    assert_true(a->max_desired <= s->max_desired && b->max_desired <= s->max_desired);
    assert_true(a->max_desired == s->max_desired || b->max_desired == s->max_desired);
    assert_true(a->min_desired == s->min_desired || b->min_desired == s->min_desired);
    ecsim_sim_destroy(sim);
    ecsim_scenario_free(sc);
}

static void test_windows_tile_the_run(void **state)
{
    (void)state;
    tiles("scenarios/quickstart.yaml", 3600);  /* fluid, target tracking */
    tiles("scenarios/latency-slo.yaml", 1800); /* requests mode, SLO */
    tiles("scenarios/policy-hpa-multi.yaml", 1200);
    tiles("scenarios/deploy-rollback.yaml", 1800);
}

/* ---- a hand-computed window ------------------------------------------------------------ */

/* 300 requests/s against 2 tasks of 100 requests/s, no policy: from the
 * moment both tasks are RUNNING (a few minutes in), 100 requests/s go
 * unserved. Over 10m..20m: 100 x 600 = 60000 unserved, 600 s under
 * capacity, 2 tasks x 600 s = 1/3 task-hour, nothing over-provisioned, no
 * scaling, desired 2; Fargate cost 2 x (0.5 vCPU x 0.04048 + 1 GB x
 * 0.004445) x 1/6 h = 0.0082283... plus a little registry storage. */
static const char constant_yaml[] = "name: constant\n"
                                    "duration: 30m\n"
                                    "image: {name: web, tag: '1.0', size_mb: 250}\n"
                                    "registry: {pull_mb_per_s: 25}\n"
                                    "service:\n"
                                    "  platform: fargate\n"
                                    "  desired: 2\n"
                                    "  task: {vcpu: 0.5, memory_gb: 1, capacity_rps: 100}\n"
                                    "load: {profile: [{until: 30m, rps: 300}]}\n"
                                    "autoscaler: {policy: none}\n"
                                    "report:\n"
                                    "  windows:\n"
                                    "    mid: 10m..20m\n";

static void test_hand_computed_window(void **state)
{
    (void)state;
    ecsim_scenario *sc = load_text(constant_yaml);
    assert_int_equal(sc->report.window_count, 1);
    assert_true(sc->report.windows[0].from_s == 600 && sc->report.windows[0].to_s == 1200);
    ecsim_sim *sim = run(sc);
    const ecsim_summary *s = ecsim_sim_summary(sim);
    const ecsim_window_figures *w = &s->windows[0];
    assert_string_equal(w->name, "mid");
    assert_true(fabs(w->unserved_requests - 60000.0) < 1e-6);
    assert_true(fabs(w->under_capacity_s - 600.0) < 1e-9);
    assert_true(fabs(w->task_hours - 1.0 / 3.0) < 1e-12);
    assert_true(w->over_provisioned_task_hours == 0);
    assert_int_equal(w->scaling_actions, 0);
    assert_int_equal(w->max_desired, 2);
    assert_int_equal(w->min_desired, 2);
    assert_true(isnan(w->first_scale_out_s));
    double compute = 2 * (0.5 * 0.04048 + 1 * 0.004445) / 6.0;
    assert_true(w->cost_total >= compute && w->cost_total < compute + 1e-5);
    assert_true(isnan(w->latency_p99_s)); /* fluid mode */
    /* The whole run also counts the start-up: more unserved than the window. */
    assert_true(s->unserved_requests > w->unserved_requests);
    ecsim_sim_destroy(sim);
    ecsim_scenario_free(sc);
}

/* ---- syntax and rules --------------------------------------------------------------- */

static void test_window_parse_and_check(void **state)
{
    (void)state;
    ecsim_window_spec w;
    char err[256];
    assert_int_equal(ecsim_window_parse("spike=30m..45m", &w, err, sizeof err), 0);
    assert_string_equal(w.name, "spike");
    assert_true(w.from_s == 1800 && w.to_s == 2700);
    assert_int_equal(ecsim_window_parse("30m..1h", &w, err, sizeof err), 0);
    assert_string_equal(w.name, "30m..1h");
    assert_true(w.from_s == 1800 && w.to_s == 3600);
    assert_int_equal(ecsim_window_parse("30m-45m", &w, err, sizeof err), ECSIM_EINVAL);
    assert_non_null(strstr(err, "FROM..TO"));
    assert_int_equal(ecsim_window_parse("bad-name=1m..2m", &w, err, sizeof err), ECSIM_EINVAL);
    assert_non_null(strstr(err, "identifier"));
    assert_int_equal(ecsim_window_parse("x=1m..soon", &w, err, sizeof err), ECSIM_EINVAL);
    assert_non_null(strstr(err, "`soon` is not a duration"));
    assert_true(ecsim_window_name_ok("spike_2"));
    assert_false(ecsim_window_name_ok("2spike"));
    assert_false(ecsim_window_name_ok("a.b"));

    ecsim_window_spec ok = {"w", 600, 1200};
    assert_int_equal(ecsim_window_check(&ok, 3600, 60, err, sizeof err), 0);
    ecsim_window_spec back = {"w", 1200, 600};
    assert_int_equal(ecsim_window_check(&back, 3600, 60, err, sizeof err), ECSIM_EINVAL);
    assert_non_null(strstr(err, "FROM must be before TO"));
    ecsim_window_spec late = {"w", 600, 7200};
    assert_int_equal(ecsim_window_check(&late, 3600, 60, err, sizeof err), ECSIM_EINVAL);
    assert_non_null(strstr(err, "ends after the run (duration 1h)"));
    ecsim_window_spec odd = {"w", 630, 1200};
    assert_int_equal(ecsim_window_check(&odd, 3600, 60, err, sizeof err), ECSIM_EINVAL);
    assert_non_null(strstr(err, "FROM is not on a metric-period boundary (monitoring.period 1m); "
                                "use 10m or 11m"));
    /* TO may be the end of a run that is not a whole number of periods. */
    ecsim_window_spec end = {"w", 600, 3630};
    assert_int_equal(ecsim_window_check(&end, 3630, 60, err, sizeof err), 0);
}

/* ---- the command line and summary.json ---------------------------------------------------- */


static void remove_tree(const char *root)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    assert_int_equal(system(cmd), 0);
}

static size_t count_lines(const char *path)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    size_t n = 0;
    for (int c; (c = fgetc(f)) != EOF;)
        n += c == '\n';
    fclose(f);
    return n;
}

static void test_cli_window_into_summary_json(void **state)
{
    (void)state;
    char root[] = "/tmp/ecsim-windows-XXXXXX";
    assert_non_null(mkdtemp(root));
    run_result r = run_cli("run", "scenarios/quickstart.yaml", "--out", root, "--no-plots",
                           "--window", "spike=1h..2h", "--window", "30m..45m", NULL);
    assert_int_equal(r.code, 0);
    assert_non_null(strstr(r.out, "window spike (01:00:00..02:00:00): unserved_requests "));
    run_free(&r);
    char path[700], err[256];
    snprintf(path, sizeof path, "%s/quickstart/summary.json", root);
    ecsim_figures f;
    assert_int_equal(ecsim_figures_read(path, &f, err, sizeof err), 0);
    int found;
    assert_true(ecsim_figures_number(&f, "schema_version", &found) == 3);
    assert_true(ecsim_figures_number(&f, "windows.spike.from_s", &found) == 3600 && found);
    assert_true(ecsim_figures_number(&f, "windows.spike.to_s", &found) == 7200 && found);
    assert_true(ecsim_figures_number(&f, "windows.30m..45m.to_s", &found) == 2700 && found);
    static const char *const names[] = {"windows.spike.scaling.actions",
                                        "windows.spike.scaling.max_desired",
                                        "windows.spike.capacity.unserved_requests",
                                        "windows.spike.capacity.under_capacity_s",
                                        "windows.spike.capacity.task_hours",
                                        "windows.spike.cost_usd.total",
                                        "windows.spike.requests.arrived",
                                        "windows.spike.latency_s.p99"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        assert_non_null(ecsim_figures_find(&f, names[i]));
    /* fluid mode: no latency in the window either */
    assert_int_equal(ecsim_figures_find(&f, "windows.spike.latency_s.p99")->kind, ECSIM_FIG_NULL);
    ecsim_figures_free(&f);
    /* report.html shows the window table and the after-steady names */
    snprintf(path, sizeof path, "%s/quickstart/report.html", root);
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    char *html = ecsim_calloc(1, 1 << 22);
    assert_non_null(html);
    size_t n = fread(html, 1, (1 << 22) - 1, fp);
    fclose(fp);
    html[n] = '\0';
    assert_non_null(strstr(html, "<h2 id=\"windows\">Time windows</h2>"));
    assert_non_null(strstr(html, "capacity.unserved_after_steady_requests"));
    assert_non_null(strstr(html, "capacity.under_capacity_after_steady_s"));
    assert_non_null(strstr(html, ">spike<"));
    ecsim_free(html);

    /* errors: a window outside the run, a misaligned one, a duplicate name */
    r = run_cli("run", "scenarios/quickstart.yaml", "--out", root, "--no-plots", "--window",
                "5h..6h", NULL);
    assert_int_equal(r.code, ECSIM_EXIT_USAGE);
    assert_non_null(
        strstr(r.err, "--window 5h..6h: error: window 5h..6h: FROM must be before TO") ||
        strstr(r.err, "ends after the run"));
    run_free(&r);
    r = run_cli("run", "scenarios/quickstart.yaml", "--out", root, "--no-plots", "--window",
                "x=10m30s..20m", NULL);
    assert_int_equal(r.code, ECSIM_EXIT_USAGE);
    assert_non_null(strstr(r.err, "not on a metric-period boundary"));
    run_free(&r);
    r = run_cli("run", "scenarios/quickstart.yaml", "--out", root, "--no-plots", "--window",
                "x=10m..20m", "--window", "x=20m..30m", NULL);
    assert_int_equal(r.code, ECSIM_EXIT_USAGE);
    assert_non_null(strstr(r.err, "a window called `x` is already given"));
    run_free(&r);
    remove_tree(root);
}

/* ---- decisions.csv: the evaluations that matter, or all -------------------------------- */

static void test_decisions_filter(void **state)
{
    (void)state;
    char root[] = "/tmp/ecsim-decisions-XXXXXX";
    assert_non_null(mkdtemp(root));
    char path[700], err[256];
    /* A week of the quickstart (its rush, then 150 requests/s): an
     * evaluation a minute, 10 076 of them; decisions.csv keeps the ones that
     * change something (mostly AlarmLow going in and out of ALARM while the
     * service sits at 3 tasks), about an eighth: 0.5 MB instead of 4.5. */
    run_result r = run_cli("run", "scenarios/quickstart.yaml", "--out", root, "--no-plots",
                           "--quiet", "--set", "duration=7d", NULL);
    assert_int_equal(r.code, 0);
    run_free(&r);
    snprintf(path, sizeof path, "%s/quickstart/summary.json", root);
    ecsim_figures f;
    assert_int_equal(ecsim_figures_read(path, &f, err, sizeof err), 0);
    double evaluations = ecsim_figures_number(&f, "scaling.evaluations", NULL);
    double quiet = ecsim_figures_number(&f, "scaling.quiet_evaluations", NULL);
    ecsim_figures_free(&f);
    assert_true(evaluations > 10000);
    snprintf(path, sizeof path, "%s/quickstart/decisions.csv", root);
    size_t rows = count_lines(path) - 1;
    assert_true((double)rows < evaluations / 5);
    assert_true((double)rows == evaluations - quiet);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_true(st.st_size < 1000000);

    /* --decisions all: one row per evaluation, the same summary */
    r = run_cli("run", "scenarios/quickstart.yaml", "--out", root, "--no-plots", "--quiet", "--set",
                "duration=1d", "--decisions", "all", NULL);
    assert_int_equal(r.code, 0);
    run_free(&r);
    snprintf(path, sizeof path, "%s/quickstart/summary.json", root);
    assert_int_equal(ecsim_figures_read(path, &f, err, sizeof err), 0);
    evaluations = ecsim_figures_number(&f, "scaling.evaluations", NULL);
    quiet = ecsim_figures_number(&f, "scaling.quiet_evaluations", NULL);
    ecsim_figures_free(&f);
    snprintf(path, sizeof path, "%s/quickstart/decisions.csv", root);
    assert_true((double)(count_lines(path) - 1) == evaluations);
    assert_true(quiet > 0);
    r = run_cli("run", "scenarios/quickstart.yaml", "--out", root, "--decisions", "some", NULL);
    assert_int_equal(r.code, ECSIM_EXIT_USAGE);
    assert_non_null(strstr(r.err, "--decisions some: error: expected `changes` or `all`"));
    run_free(&r);
    remove_tree(root);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_whole_run_window_every_scenario),
        cmocka_unit_test(test_windows_tile_the_run),
        cmocka_unit_test(test_hand_computed_window),
        cmocka_unit_test(test_window_parse_and_check),
        cmocka_unit_test(test_cli_window_into_summary_json),
        cmocka_unit_test(test_decisions_filter),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
