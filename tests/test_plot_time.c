/* Tests that the plot draws things where they happened (issue 9 point 10).
 *
 * A timeline row is sampled at the end of its metric period. The plot data
 * (demand_capacity.dat) must carry each sample at its own time, so an event
 * at time T shows in the data at T (or at the first sample after it), never
 * a period earlier; a scale action's ▲ / ▼ and the desired-count steps meet
 * at the action's instant; marker labels never overprint one another; and
 * curves that coincide stay distinguishable (drawn wide to narrow). The
 * scenarios are the shipped ones (fail-az-outage, deploy-rollback,
 * quickstart), run through the library without rendering. Tests run from
 * the repository root. */
#include <dirent.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "ecsim/ecsim.h"
#include "ecsim/plot.h"
#include "ecsim/timeline.h"

/* ---- helpers ------------------------------------------------------------------ */

static char *slurp(const char *path)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    fseek(fp, 0, SEEK_END);
    long len = ftell(fp);
    rewind(fp);
    char *s = malloc((size_t)len + 1);
    assert_non_null(s);
    assert_int_equal(fread(s, 1, (size_t)len, fp), (size_t)len);
    s[len] = '\0';
    fclose(fp);
    return s;
}

static void remove_tree(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char p[4096];
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        unlink(p);
    }
    closedir(d);
    rmdir(dir);
}

/* The plot data of a timeline, written without rendering. */
static char *plot_data(const ecsim_timeline *tl, double duration_s)
{
    char tmpl[] = "/tmp/ecsim-test-plot-time-XXXXXX";
    char *dir = mkdtemp(tmpl);
    assert_non_null(dir);
    ecsim_plot_options opt;
    ecsim_plot_options_init(&opt);
    opt.render = false;
    opt.duration_s = duration_s;
    assert_int_equal(ecsim_plot_demand_capacity(tl, &opt, dir, NULL), 0);
    char path[4096];
    snprintf(path, sizeof path, "%s/demand_capacity.dat", dir);
    char *dat = slurp(path);
    assert_non_null(dat);
    path[strlen(dir)] = '\0';
    remove_tree(dir);
    return dat;
}

/* The data lines of index `idx` (0, 1 or 2), comments left out. */
typedef struct dat_lines {
    char **line;
    size_t count;
} dat_lines;

static dat_lines index_lines(const char *dat, int idx)
{
    dat_lines out = {NULL, 0};
    const char *p = dat;
    for (int k = 0; k < idx; k++) {
        p = strstr(p, "\n\n\n");
        assert_non_null(p);
        p += 3;
    }
    const char *end = strstr(p, "\n\n\n");
    if (!end)
        end = p + strlen(p);
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
        if (len > 0 && *p != '#') {
            out.line = realloc(out.line, (out.count + 1) * sizeof *out.line);
            assert_non_null(out.line);
            out.line[out.count] = malloc(len + 1);
            assert_non_null(out.line[out.count]);
            memcpy(out.line[out.count], p, len);
            out.line[out.count][len] = '\0';
            out.count++;
        }
        p += len + 1;
    }
    return out;
}

static void free_lines(dat_lines *l)
{
    for (size_t i = 0; i < l->count; i++)
        free(l->line[i]);
    free(l->line);
}

/* One row of index 0: the columns the tests read. */
typedef struct dat_row {
    double time_s, demand, capacity;
    int desired, running, pending;
    double start_s;
} dat_row;

static dat_row parse_row(const char *line)
{
    dat_row r;
    double v[16];
    char *end;
    const char *p = line;
    for (int k = 0; k < 16; k++) {
        v[k] = strtod(p, &end);
        assert_true(end != p);
        p = end;
    }
    r.time_s = v[0];
    r.demand = v[1];
    r.capacity = v[2];
    r.desired = (int)v[3];
    r.running = (int)v[4];
    r.pending = (int)v[5];
    r.start_s = v[15];
    return r;
}

static ecsim_sim *run_shipped(const char *path, ecsim_scenario **sc_out)
{
    ecsim_diags d;
    ecsim_diags_init(&d);
    ecsim_scenario *sc = ecsim_scenario_load(path, NULL, 0, &d);
    if (!sc)
        ecsim_diags_print(&d, stderr);
    ecsim_diags_free(&d);
    assert_non_null(sc);
    ecsim_sim *sim = ecsim_sim_create(sc, sc->seed, stderr);
    assert_non_null(sim);
    assert_int_equal(ecsim_sim_run(sim), 0);
    *sc_out = sc;
    return sim;
}

static bool marker_at(const ecsim_timeline *tl, const char *kind, double *time_s)
{
    for (size_t i = 0; i < ecsim_timeline_marker_count(tl); i++) {
        ecsim_timeline_marker m;
        assert_int_equal(ecsim_timeline_marker_get(tl, i, &m), 0);
        if (strcmp(m.kind, kind) == 0) {
            *time_s = m.time_s;
            return true;
        }
    }
    return false;
}

/* ---- tests ---------------------------------------------------------------------- */

/* fail-az-outage: zone 1 fails at 20:00 and its two tasks stop. The data
 * rows carry timeline.csv's sample times, and the running count drops in
 * the row sampled at 20:00, not in one sampled at 19:00 (which the plot
 * used to draw over [19:00, 20:00], a period early). */
static void test_az_outage_drawn_at_its_time(void **state)
{
    (void)state;
    ecsim_scenario *sc;
    ecsim_sim *sim = run_shipped("scenarios/fail-az-outage.yaml", &sc);
    const ecsim_timeline *tl = ecsim_sim_timeline(sim);
    double outage;
    assert_true(marker_at(tl, "az_outage", &outage));
    assert_true(outage == 1200);
    char *dat = plot_data(tl, sc->duration_s);
    dat_lines rows = index_lines(dat, 0);
    /* index 0 is timeline.csv row by row (plus the closing row) */
    assert_int_equal(rows.count, ecsim_timeline_count(tl) + 1);
    bool seen_drop = false;
    for (size_t i = 0; i + 1 < rows.count; i++) {
        dat_row r = parse_row(rows.line[i]);
        const ecsim_timeline_row *t = ecsim_timeline_row_at(tl, i);
        assert_true(r.time_s == t->time_s);
        assert_int_equal(r.running, t->running);
        if (r.time_s >= 600 && r.time_s < outage)
            assert_int_equal(r.running, 6); /* steady, before the outage */
        if (r.time_s == outage) {
            assert_int_equal(r.running, 4); /* the drop, at the outage's time */
            seen_drop = true;
        }
        if (i > 0)
            assert_true(r.start_s == parse_row(rows.line[i - 1]).time_s);
    }
    assert_true(seen_drop);
    /* the marker is in index 1 at the same time, labelled */
    assert_non_null(strstr(dat, "\n1200 4 6 az_outage \"AZ 1 down (2 tasks)\" 1 0.98\n"));
    free_lines(&rows);
    free(dat);
    ecsim_sim_destroy(sim);
    ecsim_scenario_free(sc);
}

/* deploy-rollback: the update to 2.0 starts at 22:25 (four new tasks
 * PENDING). No row sampled before 22:25 shows a pending task; the first
 * that does is the one whose period holds 22:25. */
static void test_deployment_drawn_at_its_time(void **state)
{
    (void)state;
    ecsim_scenario *sc;
    ecsim_sim *sim = run_shipped("scenarios/deploy-rollback.yaml", &sc);
    const ecsim_timeline *tl = ecsim_sim_timeline(sim);
    double t = NAN;
    for (size_t i = 0; i < ecsim_timeline_marker_count(tl); i++) {
        ecsim_timeline_marker m;
        ecsim_timeline_marker_get(tl, i, &m);
        if (strcmp(m.kind, "deployment") == 0 && strstr(m.label, "2.0"))
            t = m.time_s;
    }
    assert_true(t == 1345);
    char *dat = plot_data(tl, sc->duration_s);
    dat_lines rows = index_lines(dat, 0);
    bool found = false;
    for (size_t i = 0; i < rows.count && !found; i++) {
        dat_row r = parse_row(rows.line[i]);
        if (r.time_s < 600)
            continue; /* the first deployment's start-up */
        if (r.time_s < t) {
            assert_int_equal(r.pending, 0);
            continue;
        }
        assert_true(r.pending > 0);
        assert_true(r.start_s < t && t <= r.time_s);
        found = true;
    }
    assert_true(found);
    free_lines(&rows);
    free(dat);
    ecsim_sim_destroy(sim);
    ecsim_scenario_free(sc);
}

/* A scale action inside a metric period: the desired-count steps (index 2)
 * change at the action's instant, to the count its ▲ sits at (index 1),
 * and never before it. */
static void test_scale_action_steps_at_its_instant(void **state)
{
    (void)state;
    ecsim_timeline *tl = ecsim_timeline_create();
    assert_non_null(tl);
    for (int i = 1; i <= 6; i++) {
        ecsim_timeline_row r = ecsim_timeline_row_empty();
        r.time_s = 60.0 * i;
        r.demand_rps = 100;
        r.capacity_rps = 200;
        r.desired = i < 3 ? 2 : 5; /* sampled at 180: the action was at 150 */
        r.running = 2;
        assert_int_equal(ecsim_timeline_append(tl, &r), 0);
    }
    assert_int_equal(ecsim_timeline_add_marker(tl, 150, "scale_out", "2 -> 5"), 0);
    char *dat = plot_data(tl, 360);
    assert_non_null(strstr(dat, "\n150 1 5 scale_out \"2 -> 5\" 0 NaN\n"));
    dat_lines d = index_lines(dat, 2);
    bool stepped = false;
    for (size_t i = 0; i < d.count; i++) {
        double time_s;
        int desired;
        assert_int_equal(sscanf(d.line[i], "%lf %d", &time_s, &desired), 2);
        if (time_s < 150)
            assert_int_equal(desired, 2);
        else
            assert_int_equal(desired, 5);
        stepped |= time_s == 150 && desired == 5;
    }
    assert_true(stepped);
    free_lines(&d);
    free(dat);
    ecsim_timeline_destroy(tl);
}

/* The same on a shipped run: every ▲ / ▼ of quickstart has a point of the
 * desired-count steps at its time and count. */
static void test_quickstart_markers_on_desired_steps(void **state)
{
    (void)state;
    ecsim_scenario *sc;
    ecsim_sim *sim = run_shipped("scenarios/quickstart.yaml", &sc);
    char *dat = plot_data(ecsim_sim_timeline(sim), sc->duration_s);
    dat_lines m = index_lines(dat, 1), d = index_lines(dat, 2);
    int scale = 0;
    for (size_t i = 0; i < m.count; i++) {
        double t;
        int cls, after;
        assert_int_equal(sscanf(m.line[i], "%lf %d %d", &t, &cls, &after), 3);
        if (cls > 2)
            continue;
        scale++;
        char want[64];
        snprintf(want, sizeof want, "%.17g %d", t, after);
        bool on_line = false;
        for (size_t k = 0; k < d.count && !on_line; k++)
            on_line = strcmp(d.line[k], want) == 0;
        assert_true(on_line);
    }
    assert_true(scale > 5);
    free_lines(&m);
    free_lines(&d);
    free(dat);
    ecsim_sim_destroy(sim);
    ecsim_scenario_free(sc);
}

/* Labels never overprint: events a minute apart on an hour's axis (closer
 * than a label's width) are staggered to different heights; events on the
 * same line are folded into one label "(+N)"; two labels at one height are
 * always at least a label's width apart. */
static void test_labels_do_not_overprint(void **state)
{
    (void)state;
    ecsim_timeline *tl = ecsim_timeline_create();
    assert_non_null(tl);
    for (int i = 1; i <= 60; i++) {
        ecsim_timeline_row r = ecsim_timeline_row_empty();
        r.time_s = 60.0 * i;
        r.demand_rps = 100;
        r.capacity_rps = 200;
        r.desired = r.running = 2;
        assert_int_equal(ecsim_timeline_append(tl, &r), 0);
    }
    /* 1 px is 3600 / 768 = 4.7 s: 60 s apart is 13 px, under a label's width */
    assert_int_equal(ecsim_timeline_add_marker(tl, 1200, "deployment", "deploy 2.0"), 0);
    assert_int_equal(ecsim_timeline_add_marker(tl, 1260, "deployment", "deploy 2.1"), 0);
    assert_int_equal(ecsim_timeline_add_marker(tl, 1320, "rollback", "rollback to 2.0"), 0);
    assert_int_equal(ecsim_timeline_add_marker(tl, 1321, "task_failed", "task 9 failed"), 0);
    assert_int_equal(ecsim_timeline_add_marker(tl, 2400, "deployment", "deploy 3.0"), 0);
    char *dat = plot_data(tl, 3600);
    dat_lines m = index_lines(dat, 1);
    assert_int_equal(m.count, 5);
    double x[5], top[5];
    int shown[5];
    for (size_t i = 0; i < m.count; i++) {
        char *q = strrchr(m.line[i], '"');
        assert_non_null(q);
        assert_int_equal(sscanf(q + 1, "%d %lf", &shown[i], &top[i]), 2);
        assert_int_equal(sscanf(m.line[i], "%lf", &x[i]), 1);
    }
    /* 1200 and 1260 at two heights, 1320 back at the first (far enough from
     * 1200); 1321 is on 1320's line, folded into its label */
    assert_int_equal(shown[0], 1);
    assert_int_equal(shown[1], 1);
    assert_int_equal(shown[2], 1);
    assert_int_equal(shown[3], 0);
    assert_non_null(strstr(m.line[2], "\"rollback to 2.0 (+1)\""));
    assert_int_equal(shown[4], 1);
    assert_true(top[4] == 0.98);
    for (size_t i = 0; i < m.count; i++)
        for (size_t j = i + 1; j < m.count; j++)
            if (shown[i] && shown[j] && top[i] == top[j])
                assert_true(fabs(x[j] - x[i]) * 768.0 / 3600.0 >= 16.0);
    assert_true(top[0] != top[1] && top[1] != top[2]);
    free_lines(&m);
    free(dat);
    ecsim_timeline_destroy(tl);
}

/* Curves that coincide stay distinguishable: in deploy-rollback 200 rps
 * and 4 tasks share a height. The script draws the running tasks first,
 * widest, then capacity, then demand, narrowest, then the dashed desired
 * count (what lies under it shows between its dashes), and the key says
 * so. */
static void test_coinciding_curves_drawn_wide_to_narrow(void **state)
{
    (void)state;
    char *gp = ecsim_plot_builtin_template();
    assert_non_null(gp);
    const char *running = strstr(gp, ":5 axes x1y2 with steps lw 9 ");
    const char *capacity = strstr(gp, ":3 with steps lw 4 ");
    const char *demand = strstr(gp, ":2 with steps lw 1.2 ");
    const char *desired = strstr(gp, ":2 axes x1y2 with steps lw 2 dt 2 ");
    assert_non_null(running);
    assert_non_null(capacity);
    assert_non_null(desired);
    assert_non_null(demand);
    assert_true(running < capacity && capacity < demand && demand < desired);
    assert_non_null(strstr(gp, "title 'wide to narrow, dashes on top'"));
    free(gp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_az_outage_drawn_at_its_time),
        cmocka_unit_test(test_deployment_drawn_at_its_time),
        cmocka_unit_test(test_scale_action_steps_at_its_instant),
        cmocka_unit_test(test_quickstart_markers_on_desired_steps),
        cmocka_unit_test(test_labels_do_not_overprint),
        cmocka_unit_test(test_coinciding_curves_drawn_wide_to_narrow),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
