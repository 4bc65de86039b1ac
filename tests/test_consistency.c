/* The consistency check (issue 9 point 15): every shipped scenario
 * (every scenarios/NAME.yaml, listed when the test runs, so a new scenario is covered
 * without an edit) is run by the built program ($ECSIM_BIN, set by `make
 * check`) with the tables in text, md, csv and json and the plots on, and
 * the run's outputs are cross-checked against each other. Every mismatch is
 * reported as `SCENARIO: FIGURE: what, both values`, all of them, and the
 * scenario's test fails if there was any.
 *
 * What is checked, and the tolerance of each check (the timeline has one
 * row per metric period, at the period's end, so what happens inside a
 * period is known only through the period's means):
 *
 *  1. The tables. execution and status in txt, md and json hold the same
 *     cells as in csv (json: a number for a number, null for "—"). The
 *     execution table's Step, Action, AWS role and Result are
 *     summary.json's lifecycle.steps[], its Time is the step's time_s
 *     shown in tenths of a second (|shown - time_s| <= 0.05 s), or "—" for
 *     a step not reached. The status tracker's image and infrastructure
 *     rows are the steps' `image` and `infrastructure` (After Step k: step
 *     k; Final: End; "—" where summary.json has null); its Desired tasks
 *     after each step is the desired count events.log gives at the step's
 *     time, and Final is events.log's count at the end; Running tasks Final
 *     is tasks.running_at_end (as is the timeline's row at the end).
 *     events.log has one "lifecycle step N complete|failed" line per
 *     reached step, at its time, with its action and failed flag.
 *     Steps 5, 6 and End's results say "N requests unserved over S s after
 *     steady state" with the after-steady figures rounded exactly when they
 *     are not zero (README "Shortfall").
 *  2. summary.json against timeline.csv (span = a row's time minus the
 *     previous row's, the first row's from 0):
 *     - capacity.unserved_requests = sum of unserved_rps x span, to 1e-7
 *       relative (the row's rate is the period's volume over its span,
 *       printed to 15 digits); requests mode: requests.served = sum of
 *       served_rps x span likewise;
 *     - capacity.under_capacity_s > 0 exactly when a period has unserved
 *       demand (fluid mode), and at most the spans of those periods; in
 *       both modes a period after the service was created whose mean demand
 *       is above its mean capacity has some time under capacity;
 *       mean_time_to_capacity_s x shortfall_episodes = under_capacity_s and
 *       max_time_to_capacity_s <= under_capacity_s (1e-6 relative);
 *     - a period's capacity_rps is at most a task's capacity (the
 *       scenario's) times the larger of its two running counts when no
 *       task was pending at either end and none was launched in it
 *       (events.log), as only RUNNING tasks are ready;
 *     - capacity.task_hours x 3600 against the sum of running x span: the
 *       running count is sampled at the period's end, so a period can be
 *       off by its span times the number of tasks that started or stopped
 *       in it; that number is bounded by how much the counts moved, so the
 *       tolerance is the sum over periods of span x max(|running change|,
 *       |desired change|, pending at either end, tasks launched in it
 *       according to events.log). task_hours counts a task
 *       from RUNNING to STOPPED, draining included, which the timeline's
 *       RUNNING column does not show: above, each task that left RUNNING
 *       (started - failed_to_start - running_at_end) may add the scenario's
 *       deregistration delay (with a load balancer) + stop timeout;
 *     - scaling.max_desired / min_desired are the largest / smallest
 *       desired count events.log gives from the service's creation on, and
 *       every row's desired count is events.log's at the row's time (any
 *       value taken within the 0.05 s its clock is rounded to);
 *     - the last row's cost_usd (when it is at the duration) is
 *       cost_usd.compute + cost_usd.control_plane (the registry's storage
 *       is not in the timeline), 1e-9 relative; cost never decreases;
 *     - requests mode: arrived minus the replayed arrivals before the
 *       service existed is the timeline's demand volume from the creation
 *       within 5 standard deviations of a Poisson count (sqrt of the
 *       expected count), the period holding the creation counted between
 *       none and all of its volume;
 *       arrived >= served + rejected + timed_out + failed
 *       (the rest are in flight at the end), and unserved_requests =
 *       rejected + timed_out + failed minus the replayed arrivals that came
 *       before the service existed (events.log says how many; they count
 *       as arrived and rejected, but unserved counts from the creation).
 *     - a window's figures (windows.NAME, when there are any): its
 *       unserved_requests (requests mode: served) between the sums over
 *       the periods inside [from_s, to_s] and over those overlapping it;
 *       its scaling actions (outs, ins) and max / min desired between those
 *       events.log gives strictly inside the window and with its ends.
 *  3. The plot data (demand_capacity.dat) against timeline.csv: columns are
 *     matched by the names in the data's header comment; each row stands
 *     for the timeline row at its end_s (or time_s) and every value it
 *     shares with timeline.csv is that row's (1e-9 relative, NaN for an
 *     empty cell); every timeline row is drawn. Past 4,000 periods the data
 *     is decimated: rows come in pairs, the minimum then the maximum of
 *     every column over the bucket of timeline rows the pair covers, and
 *     that rule is checked instead. Scale-out / scale-in markers are as
 *     many as scaling.scale_outs / scale_ins; a block of desired counts at
 *     given times ("# time_s desired") holds events.log's count at each.
 *  4. decisions.csv against events.log: every row whose action is not
 *     `none` is one desired-count change in events.log at its time (within
 *     the log's 0.05 s), from its `current` to its `desired`, and every
 *     change events.log attributes to the autoscaler is such a row (a
 *     change by hand, `UpdateService`, is explained by the scenario's
 *     event and has no row); their count is scaling.actions (scale_outs,
 *     scale_ins), the first scale-out is first_scale_out_s. Rows without an
 *     action are not counted, so filtering quiet evaluations changes
 *     nothing.
 *  5. The console summary of `ecsim run`: outcome, every step's time,
 *     action and result, `tasks:`, `scaling:` and each `capacity: NAME
 *     VALUE` are summary.json's (whole numbers: the figure rounded half
 *     away from zero, as the README says). report.html's key figures
 *     likewise, each to the precision it is shown with (durations under an
 *     hour to the second, longer ones to the minute).
 *  6. The SVG is the PNG: the run's demand_capacity.gp is rendered again
 *     with its PNG pass switched to the SVG terminal, and the two passes
 *     must place and write the same text (every tic label, axis label,
 *     title and key entry at the same position: the same axis ranges and
 *     tics), as must the run's demand_capacity.svg; the PNG has the SVG's
 *     size. (Not the same bytes: gnuplot's SVG terminal writes one stroke
 *     colour differently for the first plot of a session.)
 *
 * Besides the shipped scenarios, four variants run: quickstart over three
 * days (4,320 periods: the decimated plot data), quickstart and
 * latency-slo ending inside a metric period (a last, shorter period), and
 * replay-arrivals run past its arrivals (a scale-in that drains); more
 * with ECSIM_CONSISTENCY_EXTRA="PATH[|KEY=VALUE];..." (one --set each). Run
 * from the repository root; the folders made are removed. */
#define _XOPEN_SOURCE 700
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <glob.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ecsim/csv.h"
#include "ecsim/figures.h"
#include "ecsim/loader.h"
#include "ecsim/output.h"
#include "read_text.h"

#define DASH "\xe2\x80\x94" /* "—" */

/* ---- one run ------------------------------------------------------------------------- */

typedef struct run_case {
    char label[160]; /* scenario name, with the --set when there is one */
    char path[512];  /* scenarios/NAME.yaml */
    char name[128];  /* NAME: the run folder's name */
    const char *set; /* one --set KEY=VALUE, or NULL */
} run_case;

typedef struct run_ctx {
    const run_case *rc;
    char root[64];     /* the --out folder */
    char dir[600];     /* root/NAME */
    ecsim_figures sum; /* summary.json */
    double drain_s;    /* the longest a task takes from RUNNING to STOPPED when told to stop */
    double task_rps;   /* one ready task's capacity (fluid: task.capacity_rps; requests: concurrency
                          over the mean service time) */
    int problems;
} run_ctx;

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static void
bad(run_ctx *r, const char *figure, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "consistency: %s: %s: ", r->rc->label, figure);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    r->problems++;
}


static char *file_in(const run_ctx *r, const char *name, char *buf, size_t size)
{
    snprintf(buf, size, "%s/%s", r->dir, name);
    return buf;
}

static char *read_out(run_ctx *r, const char *name)
{
    char path[700];
    char *text = read_text(file_in(r, name, path, sizeof path));
    if (!text)
        bad(r, name, "file missing");
    return text;
}

/* ---- summary.json -------------------------------------------------------------------- */

static double fig(run_ctx *r, const char *name)
{
    int found = 0;
    double v = ecsim_figures_number(&r->sum, name, &found);
    if (!found)
        bad(r, name, "missing from summary.json");
    return v;
}

static double figf(run_ctx *r, const char *fmt, int i, const char *leaf)
{
    char name[128];
    snprintf(name, sizeof name, fmt, i, leaf);
    return fig(r, name);
}

/* The string (NULL for null) of a figure; *found says whether it exists. */
static const char *fig_str(run_ctx *r, const char *name, bool *is_null)
{
    const ecsim_figure *f = ecsim_figures_find(&r->sum, name);
    *is_null = false;
    if (!f) {
        bad(r, name, "missing from summary.json");
        return NULL;
    }
    if (f->kind == ECSIM_FIG_NULL)
        *is_null = true;
    return f->kind == ECSIM_FIG_STRING ? f->str : NULL;
}

static bool close_rel(double a, double b, double rel, double abs_tol)
{
    if (isnan(a) || isnan(b))
        return isnan(a) && isnan(b);
    return fabs(a - b) <= abs_tol + rel * fmax(fabs(a), fabs(b));
}

/* A whole number as shown for figure x: x rounded half away from zero. */
static bool whole_matches(double shown, double x)
{
    return isfinite(x) && shown == round(x);
}

/* ---- clocks and durations ------------------------------------------------------------ */

/* "[Nd ]HH:MM:SS[.f]" at s: seconds, the end in *end; NAN if not a clock. */
static double parse_clock(const char *s, const char **end)
{
    double days = 0;
    const char *p = s;
    char *e;
    long d = strtol(p, &e, 10);
    if (e > p && *e == 'd' && e[1] == ' ') {
        days = (double)d;
        p = e + 2;
    }
    int h, m, n = 0;
    double sec;
    if (sscanf(p, "%d:%d:%lf%n", &h, &m, &sec, &n) != 3 || n < 8)
        return NAN;
    if (end)
        *end = p + n;
    return days * 86400 + h * 3600.0 + m * 60.0 + sec;
}

/* "4 min 30 s", "45 s", "1 h 5 min", "2 h": seconds, and the resolution of
 * the text (1 s, or 60 s when it shows hours: minutes are cut, not rounded). */
static double parse_duration(const char *s, double *resolution)
{
    double total = 0;
    *resolution = 1;
    const char *p = s;
    bool any = false;
    for (;;) {
        char *e;
        double v = strtod(p, &e);
        if (e == p)
            break;
        p = e;
        while (*p == ' ')
            p++;
        if (strncmp(p, "min", 3) == 0) {
            total += 60 * v;
            p += 3;
        } else if (*p == 'h') {
            total += 3600 * v;
            *resolution = 60;
            p += 1;
        } else if (*p == 's') {
            total += v;
            p += 1;
        } else {
            return NAN;
        }
        any = true;
        while (*p == ' ')
            p++;
    }
    return any ? total : NAN;
}

/* ---- tables (a grid of cells; row 0 is the header) ----------------------------------- */

typedef struct grid {
    size_t rows, cols;
    char **cell; /* rows x cols */
} grid;

static void grid_free(grid *g)
{
    for (size_t i = 0; i < g->rows * g->cols; i++)
        free(g->cell[i]);
    free(g->cell);
    memset(g, 0, sizeof *g);
}

static void grid_add_row(grid *g, char **cells, size_t n)
{
    if (g->rows == 0)
        g->cols = n;
    g->cell = realloc(g->cell, (g->rows + 1) * g->cols * sizeof *g->cell);
    assert_non_null(g->cell);
    for (size_t c = 0; c < g->cols; c++)
        g->cell[g->rows * g->cols + c] = c < n ? cells[c] : strdup("");
    for (size_t c = g->cols; c < n; c++)
        free(cells[c]);
    g->rows++;
}

static const char *grid_at(const grid *g, size_t r, size_t c)
{
    return r < g->rows && c < g->cols ? g->cell[r * g->cols + c] : "";
}

static long grid_col(const grid *g, const char *name)
{
    for (size_t c = 0; c < g->cols; c++)
        if (strcmp(grid_at(g, 0, c), name) == 0)
            return (long)c;
    return -1;
}

static long grid_row(const grid *g, const char *first)
{
    for (size_t r = 1; r < g->rows; r++)
        if (strcmp(grid_at(g, r, 0), first) == 0)
            return (long)r;
    return -1;
}

static char *dup_n(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    assert_non_null(d);
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

/* Every record of a CSV file. */
static bool read_csv(const char *path, grid *g)
{
    memset(g, 0, sizeof *g);
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return false;
    ecsim_csv_options opt = {path, NULL, 0, 0, 0};
    ecsim_csv_reader *rd = ecsim_csv_reader_create(fp, &opt, NULL);
    assert_non_null(rd);
    int rc;
    while ((rc = ecsim_csv_next(rd)) != 0) {
        assert_int_equal(rc, 1);
        size_t n;
        const ecsim_csv_field *f = ecsim_csv_record(rd, &n);
        char **cells = malloc(n * sizeof *cells);
        assert_non_null(cells);
        for (size_t i = 0; i < n; i++)
            cells[i] = dup_n(f[i].text, f[i].len);
        grid_add_row(g, cells, n);
        free(cells);
    }
    ecsim_csv_reader_destroy(rd);
    fclose(fp);
    return true;
}

static char *trim_dup(const char *s, size_t n)
{
    while (n > 0 && (*s == ' ' || *s == '\t')) {
        s++;
        n--;
    }
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
        n--;
    return dup_n(s, n);
}

/* A markdown table: "| a | b |" lines, the "|---|" line skipped, "\X"
 * read as X (report_md.c escapes \ | * _ ` [ < ~ $). */
static void parse_md(const char *text, grid *g)
{
    memset(g, 0, sizeof *g);
    for (const char *line = text; line && *line;) {
        const char *nl = strchr(line, '\n');
        size_t len = nl ? (size_t)(nl - line) : strlen(line);
        if (len > 0 && line[0] == '|' && strncmp(line, "|---", 4) != 0 &&
            strncmp(line, "|:--", 4) != 0 && strncmp(line, "|--:", 4) != 0) {
            char **cells = NULL;
            size_t n = 0;
            char *cur = malloc(len + 1);
            assert_non_null(cur);
            size_t k = 0;
            for (size_t i = 1; i < len; i++) {
                if (line[i] == '\\' && i + 1 < len) {
                    cur[k++] = line[++i];
                } else if (line[i] == '|') {
                    cells = realloc(cells, (n + 1) * sizeof *cells);
                    assert_non_null(cells);
                    cells[n++] = trim_dup(cur, k);
                    k = 0;
                } else {
                    cur[k++] = line[i];
                }
            }
            free(cur);
            grid_add_row(g, cells, n);
            free(cells);
        }
        line = nl ? nl + 1 : NULL;
    }
}

/* Display columns of UTF-8 text (one per code point: the tables have no
 * wide characters). */
static size_t byte_at_column(const char *s, size_t len, size_t col)
{
    size_t c = 0, i = 0;
    for (; i < len; i++) {
        if (((unsigned char)s[i] & 0xC0) != 0x80) {
            if (c == col)
                return i;
            c++;
        }
    }
    return len;
}

/* A text table: a title line, the header, a line of dash runs (one per
 * column, by display width), rows; a row whose first cell is blank
 * continues the previous one (wrapped text, joined with a space). */
static void parse_txt(const char *text, grid *g)
{
    memset(g, 0, sizeof *g);
    const char *lines[4096];
    size_t lens[4096], nlines = 0;
    for (const char *line = text; line && *line && nlines < 4096;) {
        const char *nl = strchr(line, '\n');
        lines[nlines] = line;
        lens[nlines++] = nl ? (size_t)(nl - line) : strlen(line);
        line = nl ? nl + 1 : NULL;
    }
    if (nlines < 3)
        return;
    /* the dashes line gives the columns' starting display columns */
    size_t starts[64], ncols = 0;
    const char *d = lines[2];
    for (size_t i = 0; i < lens[2] && ncols < 64; i++)
        if (d[i] == '-' && (i == 0 || d[i - 1] == ' '))
            starts[ncols++] = i; /* ASCII line: bytes are columns */
    for (size_t li = 1; li < nlines; li++) {
        if (li == 2)
            continue;
        char **cells = malloc(ncols * sizeof *cells);
        assert_non_null(cells);
        for (size_t c = 0; c < ncols; c++) {
            size_t a = byte_at_column(lines[li], lens[li], starts[c]);
            size_t b =
                c + 1 < ncols ? byte_at_column(lines[li], lens[li], starts[c + 1]) : lens[li];
            cells[c] = trim_dup(lines[li] + a, b > a ? b - a : 0);
        }
        if (li > 3 && cells[0][0] == '\0' && g->rows > 1) {
            for (size_t c = 0; c < ncols; c++) {
                if (cells[c][0]) {
                    char **prev = &g->cell[(g->rows - 1) * g->cols + c];
                    size_t n = strlen(*prev) + strlen(cells[c]) + 2;
                    char *joined = malloc(n);
                    assert_non_null(joined);
                    snprintf(joined, n, "%s%s%s", *prev, **prev ? " " : "", cells[c]);
                    free(*prev);
                    *prev = joined;
                }
                free(cells[c]);
            }
        } else {
            grid_add_row(g, cells, ncols);
        }
        free(cells);
    }
}

/* A json table file: `{"KEY": {"columns": [...], "rows": [{...}]}}` as
 * flattened figures; compared with the csv grid cell by cell. */
static void compare_json_table(run_ctx *r, const char *file, const char *key, const grid *csv)
{
    char path[700], err[256], name[256];
    ecsim_figures f;
    if (ecsim_figures_read(file_in(r, file, path, sizeof path), &f, err, sizeof err) != 0) {
        bad(r, file, "cannot read: %s", err);
        return;
    }
    for (size_t c = 0; c < csv->cols; c++) {
        snprintf(name, sizeof name, "%s.columns.%zu", key, c);
        const ecsim_figure *h = ecsim_figures_find(&f, name);
        if (!h || h->kind != ECSIM_FIG_STRING || strcmp(h->str, grid_at(csv, 0, c)) != 0)
            bad(r, file, "column %zu is not csv's \"%s\"", c, grid_at(csv, 0, c));
    }
    for (size_t row = 1; row < csv->rows; row++) {
        for (size_t c = 0; c < csv->cols; c++) {
            const char *want = grid_at(csv, row, c);
            snprintf(name, sizeof name, "%s.rows.%zu.%s", key, row - 1, grid_at(csv, 0, c));
            const ecsim_figure *v = ecsim_figures_find(&f, name);
            bool ok = false;
            if (!v)
                ok = false;
            else if (v->kind == ECSIM_FIG_NULL)
                ok = strcmp(want, DASH) == 0;
            else if (v->kind == ECSIM_FIG_STRING)
                ok = strcmp(v->str, want) == 0;
            else {
                char *e;
                double x = strtod(want, &e);
                ok = e != want && *e == '\0' && x == v->num;
            }
            if (!ok)
                bad(r, file, "%s is %s%s%s in json, \"%s\" in csv", name,
                    !v                            ? "missing"
                    : v->kind == ECSIM_FIG_STRING ? "\""
                                                  : "",
                    !v                            ? ""
                    : v->kind == ECSIM_FIG_STRING ? v->str
                    : v->kind == ECSIM_FIG_NULL   ? "null"
                                                  : "a number",
                    v && v->kind == ECSIM_FIG_STRING ? "\"" : "", want);
        }
    }
    ecsim_figures_free(&f);
}

static void compare_grids(run_ctx *r, const char *file, const grid *got, const grid *csv)
{
    if (got->rows != csv->rows || got->cols != csv->cols) {
        bad(r, file, "%zu rows x %zu columns, csv has %zu x %zu", got->rows, got->cols, csv->rows,
            csv->cols);
        return;
    }
    for (size_t i = 0; i < csv->rows; i++)
        for (size_t c = 0; c < csv->cols; c++)
            if (strcmp(grid_at(got, i, c), grid_at(csv, i, c)) != 0)
                bad(r, file, "row %zu column \"%s\": \"%s\", csv has \"%s\"", i, grid_at(csv, 0, c),
                    grid_at(got, i, c), grid_at(csv, i, c));
}

/* The table in every format against its csv. */
static void check_formats(run_ctx *r, const char *base, const char *json_key, grid *csv)
{
    char name[64], path[700];
    snprintf(name, sizeof name, "%s.csv", base);
    if (!read_csv(file_in(r, name, path, sizeof path), csv) || csv->rows < 2) {
        bad(r, name, "missing or empty");
        return;
    }
    snprintf(name, sizeof name, "%s.md", base);
    char *text = read_out(r, name);
    if (text) {
        grid g;
        parse_md(text, &g);
        compare_grids(r, name, &g, csv);
        grid_free(&g);
        free(text);
    }
    snprintf(name, sizeof name, "%s.txt", base);
    text = read_out(r, name);
    if (text) {
        grid g;
        parse_txt(text, &g);
        compare_grids(r, name, &g, csv);
        grid_free(&g);
        free(text);
    }
    snprintf(name, sizeof name, "%s.json", base);
    compare_json_table(r, name, json_key, csv);
}

/* ---- events.log ---------------------------------------------------------------------- */

typedef enum { DES_CREATED, DES_POLICY, DES_MANUAL } des_kind;

typedef struct des_change {
    double t; /* the log's clock (tenths of a second) */
    int from; /* -1: the message does not say (the HPA's "New size") */
    int to;
    des_kind kind;
    bool matched;
} des_change;

typedef struct events_info {
    des_change *ch;
    size_t n;
    int end_desired, end_running; /* "end of the simulated period": -1 if absent */
    double early_replayed;        /* replayed arrivals before the service existed */
    double *launch;               /* times tasks (pods) were started ("has started N tasks",
                                     "SuccessfulCreate") */
    int *launch_n;                /* how many at each */
    size_t launches;
    struct {
        int lines; /* "lifecycle step N complete|failed: ACTION" lines */
        double t;
        bool failed;
        char action[128];
    } step[10];
} events_info;

static void parse_events(run_ctx *r, events_info *ev)
{
    memset(ev, 0, sizeof *ev);
    ev->end_desired = ev->end_running = -1;
    char *text = read_out(r, "events.log");
    if (!text)
        return;
    size_t cap = 0;
    for (char *line = text; line && *line;) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        const char *msg;
        double t = parse_clock(line, &msg);
        if (isfinite(t)) {
            while (*msg == ' ')
                msg++;
            des_change c = {t, -1, -1, DES_POLICY, false};
            const char *p;
            int a, b;
            if ((p = strstr(msg, "set desired count of service ")) &&
                sscanf(strstr(p, " from ") ? strstr(p, " from ") : "", " from %d to %d", &a, &b) ==
                    2) {
                c.from = a, c.to = b;
            } else if ((p = strstr(msg, ": scaled deployment ")) && strstr(p, " from ") &&
                       sscanf(strstr(p, " from "), " from %d to %d", &a, &b) == 2) {
                c.from = a, c.to = b;
            } else if ((p = strstr(msg, "SuccessfulRescale New size: ")) &&
                       sscanf(p, "SuccessfulRescale New size: %d", &b) == 1) {
                c.to = b;
            } else if (strncmp(msg, "UpdateService: desired count of service ", 40) == 0 &&
                       strstr(msg, " set from ") &&
                       sscanf(strstr(msg, " set from "), " set from %d to %d", &a, &b) == 2) {
                c.from = a, c.to = b, c.kind = DES_MANUAL;
            } else if (strncmp(msg, "service ", 8) == 0 && strstr(msg, " created on ") &&
                       (p = strstr(msg, ": desired count ")) &&
                       sscanf(p, ": desired count %d", &b) == 1) {
                c.to = b, c.kind = DES_CREATED;
            } else if (strncmp(msg, "deployment ", 11) == 0 && strstr(msg, " created on ") &&
                       (p = strstr(msg, ": replicas ")) && sscanf(p, ": replicas %d", &b) == 1) {
                c.to = b, c.kind = DES_CREATED;
            } else if (strncmp(msg, "end of the simulated period: ", 29) == 0) {
                if (sscanf(msg + 29, "%d tasks running, desired %d", &a, &b) == 2 ||
                    sscanf(msg + 29, "%d pods running, replicas %d", &a, &b) == 2) {
                    ev->end_running = a;
                    ev->end_desired = b;
                }
            } else if (strncmp(msg, "lifecycle step ", 15) == 0 &&
                       sscanf(msg + 15, "%d", &a) == 1 && a >= 1 && a <= 9 &&
                       (p = strchr(msg + 15, ' ')) &&
                       (strncmp(p, " complete: ", 11) == 0 || strncmp(p, " failed: ", 9) == 0)) {
                ev->step[a].lines++;
                ev->step[a].t = t;
                ev->step[a].failed = p[1] == 'f';
                snprintf(ev->step[a].action, sizeof ev->step[a].action, "%s", strchr(p, ':') + 2);
            } else if ((strncmp(msg, "service ", 8) == 0 && strstr(msg, " has started ") &&
                        strstr(msg, " tasks: ")) ||
                       strstr(msg, ": SuccessfulCreate: Created pod")) {
                ev->launch = realloc(ev->launch, (ev->launches + 1) * sizeof *ev->launch);
                ev->launch_n = realloc(ev->launch_n, (ev->launches + 1) * sizeof *ev->launch_n);
                assert_non_null(ev->launch);
                assert_non_null(ev->launch_n);
                int n = 0;
                if (strstr(msg, " tasks: "))
                    for (const char *q = strstr(msg, "(task "); q; q = strstr(q + 1, "(task "))
                        n++;
                else
                    for (const char *q = strstr(msg, "Created pod") + 11; *q; q++)
                        n += *q == ' ' && q[1] && q[1] != ' ';
                ev->launch_n[ev->launches] = n > 0 ? n : 1;
                ev->launch[ev->launches++] = t;
            } else if ((p = strstr(msg, " replayed arrivals came before the service existed"))) {
                ev->early_replayed = strtod(msg, NULL);
            }
            if (c.to >= 0) {
                if (ev->n == cap) {
                    cap = cap ? 2 * cap : 64;
                    ev->ch = realloc(ev->ch, cap * sizeof *ev->ch);
                    assert_non_null(ev->ch);
                }
                ev->ch[ev->n++] = c;
            }
        }
        line = nl ? nl + 1 : NULL;
    }
    free(text);
    /* Each change says where it starts from: it must be where the last one left. */
    int cur = 0;
    for (size_t i = 0; i < ev->n; i++) {
        if (ev->ch[i].from >= 0 && ev->ch[i].from != cur)
            bad(r, "events.log", "at %.1f s the desired count changes from %d, but it was %d",
                ev->ch[i].t, ev->ch[i].from, cur);
        cur = ev->ch[i].to;
    }
}

/* Whether `v` is a desired count events.log gives at time t (any value
 * taken within the 0.05 s its clock is rounded to). */
static bool desired_possible(const events_info *ev, double t, int v)
{
    int cur = 0;
    size_t i = 0;
    for (; i < ev->n && ev->ch[i].t < t - 0.05 - 1e-9; i++)
        cur = ev->ch[i].to;
    if (cur == v)
        return true;
    for (; i < ev->n && ev->ch[i].t <= t + 0.05 + 1e-9; i++)
        if (ev->ch[i].to == v)
            return true;
    return false;
}

static int desired_at(const events_info *ev, double t)
{
    int cur = 0;
    for (size_t i = 0; i < ev->n && ev->ch[i].t <= t + 1e-9; i++)
        cur = ev->ch[i].to;
    return cur;
}

/* ---- timeline.csv -------------------------------------------------------------------- */

typedef struct timeline {
    grid g;
    size_t rows; /* data rows (g.rows - 1) */
    double *v;   /* rows x g.cols values, NAN for an empty cell */
    long c_time, c_demand, c_capacity, c_desired, c_running, c_pending, c_served, c_unserved,
        c_cost;
} timeline;

static double tl(const timeline *t, size_t i, long col)
{
    return col < 0 ? NAN : t->v[i * t->g.cols + (size_t)col];
}

static bool read_timeline(run_ctx *r, timeline *t)
{
    char path[700];
    memset(t, 0, sizeof *t);
    if (!read_csv(file_in(r, "timeline.csv", path, sizeof path), &t->g) || t->g.rows < 2) {
        bad(r, "timeline.csv", "missing or empty");
        grid_free(&t->g);
        return false;
    }
    t->rows = t->g.rows - 1;
    t->v = malloc(t->rows * t->g.cols * sizeof *t->v);
    assert_non_null(t->v);
    for (size_t i = 0; i < t->rows; i++)
        for (size_t c = 0; c < t->g.cols; c++) {
            const char *s = grid_at(&t->g, i + 1, c);
            t->v[i * t->g.cols + c] = *s ? strtod(s, NULL) : NAN;
        }
    static const char *const names[] = {"time_s",     "demand_rps",   "capacity_rps",
                                        "desired",    "running",      "pending",
                                        "served_rps", "unserved_rps", "cost_usd"};
    long *cols[] = {&t->c_time,    &t->c_demand, &t->c_capacity, &t->c_desired, &t->c_running,
                    &t->c_pending, &t->c_served, &t->c_unserved, &t->c_cost};
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
        *cols[k] = grid_col(&t->g, names[k]);
        if (*cols[k] < 0)
            bad(r, "timeline.csv", "no column %s", names[k]);
    }
    return t->c_time >= 0 && t->c_desired >= 0 && t->c_running >= 0 && t->c_pending >= 0 &&
           t->c_unserved >= 0 && t->c_served >= 0 && t->c_demand >= 0 && t->c_capacity >= 0;
}

static void timeline_free(timeline *t)
{
    grid_free(&t->g);
    free(t->v);
}

static double span_of(const timeline *t, size_t i)
{
    return tl(t, i, t->c_time) - (i > 0 ? tl(t, i - 1, t->c_time) : 0.0);
}

/* ---- 1. the tables against summary.json ---------------------------------------------- */

static void check_tables(run_ctx *r, const events_info *ev)
{
    grid ex, st;
    check_formats(r, "execution", "execution", &ex);
    check_formats(r, "status", "status", &st);
    char name[128];
    bool is_null;
    long cs = grid_col(&ex, "Step"), ct = grid_col(&ex, "Time"), ca = grid_col(&ex, "Action"),
         cr = grid_col(&ex, "AWS role"), cres = grid_col(&ex, "Result");
    if (cs < 0 || ct < 0 || ca < 0 || cr < 0 || cres < 0)
        bad(r, "execution.csv", "a column of Step, Time, Action, AWS role, Result is missing");
    for (size_t row = 1; row < ex.rows && cs >= 0 && ct >= 0 && ca >= 0 && cr >= 0 && cres >= 0;
         row++) {
        int i = (int)row - 1;
        double step = figf(r, "lifecycle.steps.%d.%s", i, "step");
        if (atof(grid_at(&ex, row, (size_t)cs)) != step)
            bad(r, "execution.csv Step", "row %zu says %s, summary.json %g", row,
                grid_at(&ex, row, (size_t)cs), step);
        double t = figf(r, "lifecycle.steps.%d.%s", i, "time_s");
        const char *shown = grid_at(&ex, row, (size_t)ct);
        if (isnan(t) ? strcmp(shown, DASH) != 0
                     : !(fabs(parse_clock(shown, NULL) - t) <= 0.05 + 1e-9))
            bad(r, "execution.csv Time", "step %g shows %s, summary.json time_s %.3f", step, shown,
                t);
        static const char *const leaves[] = {"action", "aws_role", "result"};
        long cols[] = {ca, cr, cres};
        for (int k = 0; k < 3; k++) {
            snprintf(name, sizeof name, "lifecycle.steps.%d.%s", i, leaves[k]);
            const char *want = fig_str(r, name, &is_null);
            const char *got = grid_at(&ex, row, (size_t)cols[k]);
            if (want ? strcmp(want, got) != 0 : strcmp(got, DASH) != 0)
                bad(r, name, "summary.json \"%s\", execution.csv \"%s\"", want ? want : "null",
                    got);
        }
    }
    /* The status tracker: After Step k is step k, Final is End (the last step). */
    int steps = (int)ex.rows - 1;
    static const struct {
        const char *row, *leaf;
    } texts[] = {{"App Container Image", "image"}, {"AWS Infrastructure", "infrastructure"}};
    for (size_t k = 0; k < 2; k++) {
        long row = grid_row(&st, texts[k].row);
        if (row < 0) {
            bad(r, "status.csv", "no row %s", texts[k].row);
            continue;
        }
        for (size_t c = 1; c < st.cols; c++) {
            const char *head = grid_at(&st, 0, c);
            int step;
            if (strcmp(head, "Final") == 0)
                step = steps;
            else if (sscanf(head, "After Step %d", &step) != 1)
                continue;
            snprintf(name, sizeof name, "lifecycle.steps.%d.%s", step - 1, texts[k].leaf);
            const char *want = fig_str(r, name, &is_null);
            const char *got = grid_at(&st, (size_t)row, c);
            if (want ? strcmp(want, got) != 0 : strcmp(got, DASH) != 0)
                bad(r, name, "summary.json \"%s\", status.csv %s \"%s\"", want ? want : "null",
                    head, got);
        }
    }
    /* "Desired tasks" / "Running tasks" (EKS: "Desired pods" / "Running pods") */
    long rd = grid_row(&st, "Desired tasks"), rrun = grid_row(&st, "Running tasks");
    if (rd < 0)
        rd = grid_row(&st, "Desired pods");
    if (rrun < 0)
        rrun = grid_row(&st, "Running pods");
    long cfin = grid_col(&st, "Final");
    if (rd < 0 || rrun < 0 || cfin < 0) {
        bad(r, "status.csv", "no Desired tasks / Running tasks row or Final column");
    } else {
        double running_end = fig(r, "tasks.running_at_end");
        if (atof(grid_at(&st, (size_t)rrun, (size_t)cfin)) != running_end)
            bad(r, "tasks.running_at_end", "summary.json %g, status.csv Running tasks Final %s",
                running_end, grid_at(&st, (size_t)rrun, (size_t)cfin));
        if (ev->end_running >= 0 && ev->end_running != running_end)
            bad(r, "tasks.running_at_end", "summary.json %g, events.log at the end %d", running_end,
                ev->end_running);
        if (ev->end_desired >= 0 && atoi(grid_at(&st, (size_t)rd, (size_t)cfin)) != ev->end_desired)
            bad(r, "status.csv Desired tasks", "Final %s, events.log at the end %d",
                grid_at(&st, (size_t)rd, (size_t)cfin), ev->end_desired);
        for (size_t c = 1; c < st.cols; c++) {
            int step;
            if (sscanf(grid_at(&st, 0, c), "After Step %d", &step) != 1)
                continue;
            double t = figf(r, "lifecycle.steps.%d.%s", step - 1, "time_s");
            const char *got = grid_at(&st, (size_t)rd, c);
            if (isnan(t)) {
                if (strcmp(got, DASH) != 0)
                    bad(r, "status.csv Desired tasks", "After Step %d (not reached) shows %s", step,
                        got);
            } else if (!desired_possible(ev, t, atoi(got))) {
                bad(r, "status.csv Desired tasks",
                    "After Step %d (%.1f s) shows %s, events.log gives %d", step, t, got,
                    desired_at(ev, t));
            }
        }
    }
    grid_free(&ex);
    grid_free(&st);
}

/* events.log's "lifecycle step N complete|failed: ACTION" lines: one per
 * reached step, at its time_s (the log's clock: 0.05 s), with its action
 * and its failed flag; none for a step not reached. */
static void check_step_log(run_ctx *r, const events_info *ev)
{
    char name[64];
    bool is_null;
    for (int i = 0; i < 7; i++) {
        int n = i + 1;
        snprintf(name, sizeof name, "lifecycle.steps.%d.reached", i);
        bool reached = fig(r, name) == 1;
        if (!reached) {
            if (ev->step[n].lines)
                bad(r, name, "false, yet events.log has a lifecycle step %d line", n);
            continue;
        }
        if (ev->step[n].lines != 1) {
            bad(r, name, "true, events.log has %d lifecycle step %d lines", ev->step[n].lines, n);
            continue;
        }
        double t = figf(r, "lifecycle.steps.%d.%s", i, "time_s");
        if (!(fabs(ev->step[n].t - t) <= 0.05 + 1e-9))
            bad(r, "lifecycle step time", "step %d: summary.json %.3f s, events.log %.1f s", n, t,
                ev->step[n].t);
        snprintf(name, sizeof name, "lifecycle.steps.%d.failed", i);
        if ((fig(r, name) == 1) != ev->step[n].failed)
            bad(r, name, "%g, events.log says step %d %s", fig(r, name), n,
                ev->step[n].failed ? "failed" : "complete");
        snprintf(name, sizeof name, "lifecycle.steps.%d.action", i);
        const char *action = fig_str(r, name, &is_null);
        if (!action || strcmp(action, ev->step[n].action) != 0)
            bad(r, name, "summary.json \"%s\", events.log \"%s\"", action ? action : "null",
                ev->step[n].action);
    }
}

/* The shortfall rule (README "Shortfall"): steps 5, 6 and End say "N
 * requests unserved over S s after steady state", N and S the after-steady
 * figures rounded, exactly when demand went unserved after step 5. */
static void check_shortfall_words(run_ctx *r)
{
    double ua = fig(r, "capacity.unserved_after_steady_requests");
    double ta = fig(r, "capacity.under_capacity_after_steady_s");
    bool fell_behind = isfinite(ua) && (ta > 0 || ua >= 0.5);
    char words[160], name[64];
    snprintf(words, sizeof words, "%.0f requests unserved over %.0f s after steady state",
             round(ua), round(ta));
    for (int i = 4; i < 7; i++) {
        snprintf(name, sizeof name, "lifecycle.steps.%d.reached", i);
        if (fig(r, name) != 1)
            continue;
        bool is_null;
        snprintf(name, sizeof name, "lifecycle.steps.%d.result", i);
        const char *result = fig_str(r, name, &is_null);
        if (!result)
            continue;
        if (fell_behind && !strstr(result, words))
            bad(r, name,
                "\"%s\" does not say \"%s\" (unserved_after_steady_requests %g, "
                "under_capacity_after_steady_s %g)",
                result, words, ua, ta);
        if (!fell_behind && strstr(result, "after steady state"))
            bad(r, name, "\"%s\" reports a shortfall, summary.json has none after steady state",
                result);
    }
}

/* ---- 2. summary.json against the timeline -------------------------------------------- */

static void check_timeline(run_ctx *r, const timeline *t, const events_info *ev)
{
    /* requests mode: individual requests were counted */
    bool requests = !isnan(fig(r, "requests.arrived")); /* null in fluid mode */
    double created = figf(r, "lifecycle.steps.%d.%s", 2, "time_s"); /* step 3: the service exists */
    double unserved = 0, served = 0, short_span = 0, running_s = 0, tol_s = 0,
           cost_prev = -INFINITY;
    bool any_short = false, demand_over = false;
    int tl_max = -1, tl_min = 1 << 30;
    for (size_t i = 0; i < t->rows; i++) {
        double span = span_of(t, i), time = tl(t, i, t->c_time);
        double u = tl(t, i, t->c_unserved), s = tl(t, i, t->c_served);
        if (isfinite(u)) {
            unserved += u * span;
            if (u > 0) {
                any_short = true;
                short_span += span;
            }
        }
        if (isfinite(s))
            served += s * span;
        double start = time - span;
        if (isfinite(created) && start >= created - 1e-9 &&
            tl(t, i, t->c_demand) > tl(t, i, t->c_capacity) * (1 + 1e-9) + 1e-9)
            demand_over = true;
        int run = (int)tl(t, i, t->c_running), des = (int)tl(t, i, t->c_desired);
        int pend = (int)tl(t, i, t->c_pending);
        int run0 = i ? (int)tl(t, i - 1, t->c_running) : 0,
            des0 = i ? (int)tl(t, i - 1, t->c_desired) : 0;
        int pend0 = i ? (int)tl(t, i - 1, t->c_pending) : 0;
        running_s += run * span;
        /* Capacity is ready tasks x a task's capacity, and ready tasks are
         * RUNNING: with nothing pending at either end, no task can have
         * served in the period beyond the larger of its two running counts. */
        double cap = tl(t, i, t->c_capacity);
        int most = run > run0 ? run : run0;
        int launched = 0; /* a task started and stopped inside the period is not sampled */
        for (size_t k = 0; k < ev->launches; k++)
            if (ev->launch[k] > start - 0.05 && ev->launch[k] <= time + 0.05)
                launched += ev->launch_n[k];
        if (pend == 0 && pend0 == 0 && !launched && cap > r->task_rps * most * (1 + 1e-9) + 1e-9)
            bad(r, "timeline.csv capacity_rps",
                "%.6g at %g s: more than %d running tasks x %.6g rps (draining tasks counted?)",
                cap, time, most, r->task_rps);
        int moved = abs(run - run0);
        if (abs(des - des0) > moved)
            moved = abs(des - des0);
        if (pend > moved)
            moved = pend;
        if (pend0 > moved)
            moved = pend0;
        if (launched > moved)
            moved = launched;
        tol_s += span * moved;
        if (!desired_possible(ev, time, des))
            bad(r, "timeline.csv desired", "%d at %g s, events.log gives %d", des, time,
                desired_at(ev, time));
        if (des > tl_max)
            tl_max = des;
        if (isfinite(created) && time > created && des < tl_min)
            tl_min = des;
        double cost = tl(t, i, t->c_cost);
        if (cost < cost_prev - 1e-12)
            bad(r, "timeline.csv cost_usd", "falls from %.10g to %.10g at %g s", cost_prev, cost,
                time);
        cost_prev = cost;
    }
    double uns = fig(r, "capacity.unserved_requests");
    if (!close_rel(unserved, uns, 1e-7, 1e-6))
        bad(r, "capacity.unserved_requests",
            "summary.json %.6f, timeline sum of unserved_rps x span %.6f", uns, unserved);
    double under = fig(r, "capacity.under_capacity_s");
    if (!requests) {
        if (any_short != (under > 0))
            bad(r, "capacity.under_capacity_s",
                "summary.json %g, yet the timeline %s unserved demand", under,
                any_short ? "has" : "has no");
        if (under > short_span + 1e-6)
            bad(r, "capacity.under_capacity_s",
                "summary.json %g s, more than the %g s of the periods with unserved demand", under,
                short_span);
    }
    if (demand_over && !(under > 0))
        bad(r, "capacity.under_capacity_s",
            "summary.json %g, yet a period's mean demand is above its mean capacity", under);
    double episodes = fig(r, "capacity.shortfall_episodes");
    double mean_ttc = fig(r, "capacity.mean_time_to_capacity_s"),
           max_ttc = fig(r, "capacity.max_time_to_capacity_s");
    if (episodes > 0 && !close_rel(mean_ttc * episodes, under, 1e-6, 1e-6))
        bad(r, "capacity.mean_time_to_capacity_s", "%g x %g episodes = %g, under_capacity_s %g",
            mean_ttc, episodes, mean_ttc * episodes, under);
    if (episodes > 0 && max_ttc > under * (1 + 1e-9) + 1e-6)
        bad(r, "capacity.max_time_to_capacity_s", "%g, more than under_capacity_s %g", max_ttc,
            under);
    if ((episodes > 0) != (under > 0))
        bad(r, "capacity.shortfall_episodes", "%g with under_capacity_s %g", episodes, under);
    double task_s = 3600 * fig(r, "capacity.task_hours");
    /* Tasks that left RUNNING in an orderly way were draining (the
     * deregistration delay, with a load balancer) then stopping (at most the
     * stop timeout) before STOPPED: task_hours counts that time, the
     * timeline's RUNNING column does not. At most every task that ran and is
     * not running at the end did so. */
    double left =
        fig(r, "tasks.started") - fig(r, "tasks.failed_to_start") - fig(r, "tasks.running_at_end");
    double drain_allowance = left > 0 ? left * r->drain_s : 0;
    if (task_s > running_s + tol_s + drain_allowance + 1e-6 || task_s < running_s - tol_s - 1e-6)
        bad(r, "capacity.task_hours",
            "summary.json %.1f task-s, timeline sum of running x span %.1f, "
            "beyond the sampling tolerance %.1f (+ %.1f of draining above)",
            task_s, running_s, tol_s, drain_allowance);
    /* desired: events.log's extremes are summary.json's; the sampled ones lie inside */
    int ev_max = -1, ev_min = 1 << 30;
    bool have_created = false;
    for (size_t i = 0; i < ev->n; i++) {
        if (ev->ch[i].kind == DES_CREATED)
            have_created = true;
        if (!have_created)
            continue;
        if (ev->ch[i].to > ev_max)
            ev_max = ev->ch[i].to;
        if (ev->ch[i].to < ev_min)
            ev_min = ev->ch[i].to;
    }
    double mx = fig(r, "scaling.max_desired"), mn = fig(r, "scaling.min_desired");
    if (have_created && (ev_max != mx || ev_min != mn))
        bad(r, "scaling.max_desired / min_desired", "summary.json %g..%g, events.log %d..%d", mn,
            mx, ev_min, ev_max);
    if (tl_max > mx || (tl_min != (1 << 30) && tl_min < mn))
        bad(r, "scaling.max_desired / min_desired", "summary.json %g..%g, timeline %d..%d", mn, mx,
            tl_min, tl_max);
    /* cost: the timeline's last row at the end is compute + control plane */
    double duration = fig(r, "duration_s");
    double last_t = tl(t, t->rows - 1, t->c_time), last_cost = tl(t, t->rows - 1, t->c_cost);
    double compute = fig(r, "cost_usd.compute"), plane = fig(r, "cost_usd.control_plane");
    double run_end = fig(r, "tasks.running_at_end");
    if (fabs(last_t - duration) <= 1e-9 && tl(t, t->rows - 1, t->c_running) != run_end)
        bad(r, "tasks.running_at_end", "summary.json %g, the timeline's row at the end %g", run_end,
            tl(t, t->rows - 1, t->c_running));
    if (fabs(last_t - duration) > 1e-9)
        bad(r, "timeline.csv time_s", "the last row is at %g s, the run lasts %g s", last_t,
            duration);
    else if (!close_rel(last_cost, compute + plane, 1e-9, 1e-12))
        bad(r, "cost_usd.compute + control_plane",
            "summary.json %.12g + %.12g, timeline cost_usd at the end %.12g", compute, plane,
            last_cost);
    double total = fig(r, "cost_usd.total"), registry = fig(r, "cost_usd.registry");
    if (!close_rel(total, compute + plane + registry, 1e-9, 1e-12))
        bad(r, "cost_usd.total", "%.12g, compute + control_plane + registry %.12g", total,
            compute + plane + registry);
    /* requests */
    double arrived = fig(r, "requests.arrived"), srv = fig(r, "requests.served");
    double rej = fig(r, "requests.rejected"), tmo = fig(r, "requests.timed_out"),
           fl = fig(r, "requests.failed");
    if (requests) {
        if (!close_rel(served, srv, 1e-7, 1e-6))
            bad(r, "requests.served", "summary.json %.0f, timeline sum of served_rps x span %.3f",
                srv, served);
        /* Arrivals are drawn (Poisson, or replayed) at the timeline's demand
         * from the service's creation: their count is within 5 standard
         * deviations (sqrt of the expected count) of the expected volume,
         * the period that holds the creation counting between none and all
         * of its volume; replayed arrivals before the creation are added. */
        double e_lo = 0, e_hi = 0;
        for (size_t i = 0; i < t->rows; i++) {
            double end = tl(t, i, t->c_time), span = span_of(t, i), d = tl(t, i, t->c_demand);
            if (!isfinite(d) || end <= created)
                continue;
            e_hi += d * span;
            if (end - span >= created - 1e-9)
                e_lo += d * span;
        }
        double drawn = arrived - ev->early_replayed, sd5 = 5 * sqrt(e_hi);
        if (drawn < e_lo - sd5 || drawn > e_hi + sd5)
            bad(r, "requests.arrived",
                "%.0f (%.0f after the creation), the timeline's demand from the creation gives "
                "%.0f..%.0f (+- 5 sd %.0f)",
                arrived, drawn, e_lo, e_hi, sd5);
        if (arrived < srv + rej + tmo + fl)
            bad(r, "requests.arrived",
                "%.0f, fewer than served + rejected + timed_out + failed = %.0f", arrived,
                srv + rej + tmo + fl);
        if (!close_rel(uns, rej + tmo + fl - ev->early_replayed, 1e-12, 1e-6))
            bad(r, "capacity.unserved_requests",
                "summary.json %.0f, rejected + timed_out + failed - "
                "replayed before the service %.0f",
                uns, rej + tmo + fl - ev->early_replayed);
    } else if (!isnan(arrived) || !isnan(srv) || !isnan(rej) || !isnan(tmo) || !isnan(fl)) {
        bad(r, "requests", "fluid run with request counts (they do not apply: null)");
    }
}

/* Figures over a window (summary.json `windows.NAME`, issue 9 point 9):
 * the unserved volume (and, in requests mode, the served count) over
 * [from_s, to_s] lies between the sums over the periods inside the window
 * and over the periods that overlap it (equal when the window's ends fall
 * on period ends). Windows that are absent are not checked. */
static void check_windows(run_ctx *r, const timeline *t, const events_info *ev)
{
    for (size_t k = 0; k < r->sum.count; k++) {
        const char *name = r->sum.items[k].name;
        size_t len = strlen(name);
        if (strncmp(name, "windows.", 8) != 0 || len < 15 || strcmp(name + len - 7, ".from_s") != 0)
            continue;
        char prefix[200], fname[260];
        snprintf(prefix, sizeof prefix, "%.*s", (int)(len - 7), name); /* windows.NAME */
        double from = r->sum.items[k].num;
        snprintf(fname, sizeof fname, "%s.to_s", prefix);
        double to = fig(r, fname);
        if (!(to > from))
            continue;
        static const char *const figs[] = {"capacity.unserved_requests", "requests.served"};
        long cols[] = {t->c_unserved, t->c_served};
        for (int f = 0; f < 2; f++) {
            snprintf(fname, sizeof fname, "%s.%s", prefix, figs[f]);
            const ecsim_figure *w = ecsim_figures_find(&r->sum, fname);
            if (!w || w->kind != ECSIM_FIG_NUMBER)
                continue;
            double inner = 0, outer = 0;
            for (size_t i = 0; i < t->rows; i++) {
                double end = tl(t, i, t->c_time), span = span_of(t, i), begin = end - span;
                double v = tl(t, i, cols[f]);
                if (!isfinite(v) || end <= from || begin >= to)
                    continue;
                outer += v * span;
                if (begin >= from - 1e-9 && end <= to + 1e-9)
                    inner += v * span;
            }
            if (w->num < inner * (1 - 1e-7) - 1e-6 || w->num > outer * (1 + 1e-7) + 1e-6)
                bad(r, fname, "summary.json %.3f, the timeline over [%g, %g] s gives %.3f..%.3f",
                    w->num, from, to, inner, outer);
        }
        /* The autoscaler's changes and the desired counts in force inside
         * the window (events.log; strictly inside .. ends included, the
         * log's clock being rounded to 0.05 s). */
        double lo_t = from + 0.05 + 1e-9, hi_t = to - 0.05 - 1e-9;
        int n_in[3] = {0, 0, 0}, n_out[3] = {0, 0, 0}; /* actions, outs, ins: strict, loose */
        int cur = 0, smax = -1, smin = 1 << 30, lmax = -1, lmin = 1 << 30;
        bool started = false;
        for (size_t i = 0; i <= ev->n; i++) {
            double ct = i < ev->n ? ev->ch[i].t : INFINITY;
            /* the value in force from the window's start */
            if (!started && ct > from - 0.05 - 1e-9) {
                lmax = lmax > cur ? lmax : cur;
                lmin = lmin < cur ? lmin : cur;
            }
            if (!started && ct > lo_t) {
                started = true;
                smax = cur;
                smin = cur;
            }
            if (i == ev->n)
                break;
            const des_change *c = &ev->ch[i];
            bool strict = c->t > lo_t && c->t < hi_t;
            bool loose = c->t >= from - 0.05 - 1e-9 && c->t <= to + 0.05 + 1e-9;
            if (c->kind == DES_POLICY && c->to != cur) {
                int kind = c->to > cur ? 1 : 2;
                n_in[0] += strict, n_in[kind] += strict;
                n_out[0] += loose, n_out[kind] += loose;
            }
            cur = c->to;
            if (strict) {
                smax = smax > cur ? smax : cur;
                smin = smin < cur ? smin : cur;
            }
            if (loose) {
                lmax = lmax > cur ? lmax : cur;
                lmin = lmin < cur ? lmin : cur;
            }
        }
        static const char *const counts[] = {"scaling.actions", "scaling.scale_outs",
                                             "scaling.scale_ins"};
        for (int f = 0; f < 3; f++) {
            snprintf(fname, sizeof fname, "%s.%s", prefix, counts[f]);
            const ecsim_figure *w = ecsim_figures_find(&r->sum, fname);
            if (w && w->kind == ECSIM_FIG_NUMBER && (w->num < n_in[f] || w->num > n_out[f]))
                bad(r, fname, "summary.json %g, events.log has %d..%d in [%g, %g] s", w->num,
                    n_in[f], n_out[f], from, to);
        }
        snprintf(fname, sizeof fname, "%s.scaling.max_desired", prefix);
        const ecsim_figure *wmax = ecsim_figures_find(&r->sum, fname);
        if (wmax && wmax->kind == ECSIM_FIG_NUMBER && smax >= 0 &&
            (wmax->num < smax || wmax->num > lmax))
            bad(r, fname, "summary.json %g, events.log gives %d..%d in [%g, %g] s", wmax->num, smax,
                lmax, from, to);
        snprintf(fname, sizeof fname, "%s.scaling.min_desired", prefix);
        const ecsim_figure *wmin = ecsim_figures_find(&r->sum, fname);
        if (wmin && wmin->kind == ECSIM_FIG_NUMBER && smax >= 0 &&
            (wmin->num > smin || wmin->num < lmin))
            bad(r, fname, "summary.json %g, events.log gives %d..%d in [%g, %g] s", wmin->num, lmin,
                smin, from, to);
    }
}

/* ---- 3. the plot data against the timeline ------------------------------------------- */

static void check_plot_data(run_ctx *r, const timeline *t, const events_info *ev)
{
    char *text = read_out(r, "demand_capacity.dat");
    if (!text)
        return;
    /* the column names: the last comment line before the data naming demand_rps */
    char *names[64];
    size_t ncol = 0;
    bool decimated = strstr(text, "# decimated") != NULL;
    char *line = text;
    for (; line && *line;) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        if (line[0] == '#' && strstr(line, " demand_rps")) {
            ncol = 0;
            for (char *save = NULL, *w = strtok_r(line + 1, " ", &save); w && ncol < 64;
                 w = strtok_r(NULL, " ", &save))
                names[ncol++] = w;
        } else if (line[0] != '#' && line[0] != '\0') {
            if (nl)
                *nl = '\n';
            break;
        }
        line = nl ? nl + 1 : NULL;
    }
    long key = -1, tcol[64];
    for (size_t c = 0; c < ncol; c++) {
        if (strcmp(names[c], "end_s") == 0 || (key < 0 && strcmp(names[c], "time_s") == 0))
            key = (long)c;
        tcol[c] = strcmp(names[c], "start_s") == 0 || strcmp(names[c], "end_s") == 0
                      ? -1
                      : grid_col(&t->g, names[c]);
    }
    if (key >= 0)
        tcol[key] = -1; /* the row's time: the key, not a value (a decimated pair's first row sits
                           mid-bucket) */
    if (ncol == 0 || key < 0) {
        bad(r, "demand_capacity.dat", "no header naming its columns with an end_s or time_s");
        free(text);
        return;
    }
    /* the data rows of index 0 (up to the blank line) */
    size_t nrows = 0, cap = 256;
    double *rows = malloc(cap * ncol * sizeof *rows);
    assert_non_null(rows);
    for (; line && *line && *line != '\n';) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        if (line[0] != '#') {
            if (nrows == cap) {
                cap *= 2;
                rows = realloc(rows, cap * ncol * sizeof *rows);
                assert_non_null(rows);
            }
            char *p = line;
            for (size_t c = 0; c < ncol; c++) {
                char *e;
                rows[nrows * ncol + c] = strtod(p, &e); /* "NaN" reads as NAN */
                p = e;
            }
            nrows++;
        }
        line = nl ? nl + 1 : NULL;
    }
    size_t mismatches = 0;
#define DAT(i, c) rows[(i)*ncol + (c)]
    if (!decimated) {
        bool *drawn = calloc(t->rows, sizeof *drawn);
        assert_non_null(drawn);
        size_t j = 0; /* rows are in time order: walk the timeline along */
        for (size_t i = 0; i < nrows; i++) {
            double at = DAT(i, (size_t)key);
            while (j < t->rows && tl(t, j, t->c_time) < at - 1e-9)
                j++;
            size_t k = j;
            if (k >= t->rows || fabs(tl(t, k, t->c_time) - at) > 1e-9 * (1 + fabs(at))) {
                if (mismatches++ < 5)
                    bad(r, "demand_capacity.dat", "a row at %g s, no timeline row there", at);
                continue;
            }
            drawn[k] = true;
            for (size_t c = 0; c < ncol; c++) {
                if (tcol[c] < 0)
                    continue;
                double a = DAT(i, c), b = tl(t, k, tcol[c]);
                if (!close_rel(a, b, 1e-9, 1e-12) && mismatches++ < 5)
                    bad(r, "demand_capacity.dat", "%s at %g s: plotted %.15g, timeline %.15g",
                        names[c], at, a, b);
            }
        }
        for (size_t k = 0; k < t->rows; k++)
            if (!drawn[k] && mismatches++ < 5)
                bad(r, "demand_capacity.dat", "the timeline row at %g s is not drawn",
                    tl(t, k, t->c_time));
        free(drawn);
    } else {
        /* pairs (minimum, maximum) over consecutive buckets, the last row closing the steps */
        size_t j = 0;
        size_t i = 0;
        for (; i + 1 < nrows && j < t->rows; i += 2) {
            double stop = DAT(i + 1, (size_t)key);
            size_t from = j;
            while (j < t->rows && tl(t, j, t->c_time) <= stop + 1e-9)
                j++;
            if (j == from) {
                if (mismatches++ < 5)
                    bad(r, "demand_capacity.dat",
                        "a decimated pair ending at %g s covers no timeline row", stop);
                continue;
            }
            for (size_t c = 0; c < ncol; c++) {
                if (tcol[c] < 0)
                    continue;
                double lo = NAN, hi = NAN;
                for (size_t k = from; k < j; k++) {
                    double v = tl(t, k, tcol[c]);
                    if (isnan(v))
                        continue;
                    lo = isnan(lo) || v < lo ? v : lo;
                    hi = isnan(hi) || v > hi ? v : hi;
                }
                if ((!close_rel(DAT(i, c), lo, 1e-9, 1e-12) ||
                     !close_rel(DAT(i + 1, c), hi, 1e-9, 1e-12)) &&
                    mismatches++ < 5)
                    bad(r, "demand_capacity.dat",
                        "%s over (%g, %g] s: plotted %.15g..%.15g, timeline %.15g..%.15g", names[c],
                        from ? tl(t, from - 1, t->c_time) : 0.0, stop, DAT(i, c), DAT(i + 1, c), lo,
                        hi);
            }
        }
        if (j != t->rows)
            bad(r, "demand_capacity.dat", "the decimated rows cover %zu of the %zu timeline rows",
                j, t->rows);
    }
#undef DAT
    free(rows);
    /* The other indexes (blocks after blank lines), each named by its last
     * comment line: the markers ("# time_s class ..."): their classes are
     * counted; the desired count at given times ("# time_s desired"): each is
     * events.log's at that time. */
    int outs = 0, ins = 0;
    enum { OTHER, MARKERS, DESIRED } block = OTHER;
    for (; line && *line;) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        double mt;
        int v;
        if (line[0] == '#') {
            if (strncmp(line, "# time_s class ", 15) == 0)
                block = MARKERS;
            else if (strcmp(line, "# time_s desired") == 0)
                block = DESIRED;
        } else if (line[0] == '\0') {
            /* a blank line: the block ends; the next one names itself */
        } else if (sscanf(line, "%lf %d", &mt, &v) == 2) {
            if (block == MARKERS) {
                outs += v == 1;
                ins += v == 2;
            } else if (block == DESIRED && !decimated && !desired_possible(ev, mt, v) &&
                       mismatches++ < 5) {
                bad(r, "demand_capacity.dat desired", "%d at %g s, events.log gives %d", v, mt,
                    desired_at(ev, mt));
            }
        }
        if (line[0] == '\0' && block != OTHER)
            block = OTHER;
        line = nl ? nl + 1 : NULL;
    }
    if (outs != fig(r, "scaling.scale_outs") || ins != fig(r, "scaling.scale_ins"))
        bad(r, "demand_capacity.dat markers",
            "%d scale-out and %d scale-in markers, summary.json %g and %g", outs, ins,
            fig(r, "scaling.scale_outs"), fig(r, "scaling.scale_ins"));
    free(text);
}

/* ---- 4. decisions.csv against events.log --------------------------------------------- */

static void check_decisions(run_ctx *r, events_info *ev)
{
    char path[700];
    grid d;
    int actions = 0, outs = 0, ins = 0;
    double first_out = NAN;
    if (read_csv(file_in(r, "decisions.csv", path, sizeof path), &d)) {
        long ct = grid_col(&d, "time_s"), cc = grid_col(&d, "current"),
             cd = grid_col(&d, "desired"), ca = grid_col(&d, "action");
        if (ct < 0 || cc < 0 || cd < 0 || ca < 0) {
            bad(r, "decisions.csv", "no time_s, current, desired or action column");
            grid_free(&d);
            return;
        }
        for (size_t row = 1; row < d.rows; row++) {
            const char *action = grid_at(&d, row, (size_t)ca);
            if (strcmp(action, "none") == 0)
                continue;
            double t = atof(grid_at(&d, row, (size_t)ct));
            int cur = atoi(grid_at(&d, row, (size_t)cc)), des = atoi(grid_at(&d, row, (size_t)cd));
            actions++;
            if (strcmp(action, "scale_out") == 0) {
                outs++;
                if (isnan(first_out))
                    first_out = t;
            } else if (strcmp(action, "scale_in") == 0) {
                ins++;
            }
            if ((strcmp(action, "scale_out") == 0) != (des > cur))
                bad(r, "decisions.csv", "%s at %g s from %d to %d", action, t, cur, des);
            bool found = false;
            for (size_t i = 0; i < ev->n && !found; i++) {
                des_change *c = &ev->ch[i];
                if (c->kind != DES_POLICY || c->matched || fabs(c->t - t) > 0.05 + 1e-9 ||
                    c->to != des)
                    continue;
                found = true;
                c->matched = true;
                if (c->from >= 0 && c->from != cur)
                    bad(r, "decisions.csv", "%s at %g s from %d, events.log from %d", action, t,
                        cur, c->from);
            }
            if (!found)
                bad(r, "decisions.csv",
                    "%s at %g s to %d: no such change of the desired count in events.log", action,
                    t, des);
        }
        grid_free(&d);
    }
    for (size_t i = 0; i < ev->n; i++)
        if (ev->ch[i].kind == DES_POLICY && !ev->ch[i].matched)
            bad(r, "events.log",
                "the autoscaler sets the desired count to %d at %.1f s: no decisions.csv row",
                ev->ch[i].to, ev->ch[i].t);
    if (actions != fig(r, "scaling.actions") || outs != fig(r, "scaling.scale_outs") ||
        ins != fig(r, "scaling.scale_ins"))
        bad(r, "scaling.actions",
            "summary.json %g (%g out, %g in), decisions.csv %d (%d out, %d in)",
            fig(r, "scaling.actions"), fig(r, "scaling.scale_outs"), fig(r, "scaling.scale_ins"),
            actions, outs, ins);
    double fso = fig(r, "scaling.first_scale_out_s");
    if (!close_rel(fso, first_out, 0, 1e-9))
        bad(r, "scaling.first_scale_out_s",
            "summary.json %g, first scale_out row of decisions.csv %g", fso, first_out);
}

/* ---- 5. the console summary and report.html ------------------------------------------ */

static void check_console(run_ctx *r, const char *console)
{
    char name[128];
    bool is_null;
    int step_lines = 0;
    bool seen_outcome = false, seen_tasks = false, seen_capacity = false;
    char *copy = strdup(console);
    assert_non_null(copy);
    for (char *line = copy; line && *line;) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        int a, b, c, d, e;
        if (strncmp(line, "outcome: ", 9) == 0) {
            seen_outcome = true;
            const char *want = fig_str(r, "outcome", &is_null);
            if (!want || strcmp(want, line + 9) != 0)
                bad(r, "outcome", "summary.json \"%s\", console \"%s\"", want ? want : "?",
                    line + 9);
        } else if (line[0] == ' ' && line[1] == ' ' && line[2] >= '1' && line[2] <= '9' &&
                   line[3] == ' ') {
            int i = line[2] - '1';
            step_lines++;
            const char *p = line + 4;
            while (*p == ' ')
                p++;
            const char *rest;
            double t = figf(r, "lifecycle.steps.%d.%s", i, "time_s");
            if (strncmp(p, DASH, 3) == 0) {
                rest = p + 3;
                if (!isnan(t))
                    bad(r, "console step time", "step %d shows —, summary.json time_s %g", i + 1,
                        t);
            } else {
                double shown = parse_clock(p, &rest);
                if (!(fabs(shown - t) <= 0.05 + 1e-9))
                    bad(r, "console step time", "step %d shows %.1f s, summary.json time_s %.3f",
                        i + 1, shown, t);
                if (!rest)
                    rest = p;
            }
            while (*rest == ' ')
                rest++;
            snprintf(name, sizeof name, "lifecycle.steps.%d.action", i);
            const char *action = fig_str(r, name, &is_null);
            snprintf(name, sizeof name, "lifecycle.steps.%d.result", i);
            const char *result = fig_str(r, name, &is_null);
            size_t la = action ? strlen(action) : 0, lr = result ? strlen(result) : 0,
                   lrest = strlen(rest);
            bool ok = action && result && lrest >= la + 1 + lr && strncmp(rest, action, la) == 0 &&
                      strcmp(rest + lrest - lr, result) == 0 && rest[lrest - lr - 1] == ' ';
            for (size_t k = la; ok && k < lrest - lr; k++)
                ok = rest[k] == ' ';
            if (!ok)
                bad(r, "console step", "step %d reads \"%s\", summary.json \"%s\" / \"%s\"", i + 1,
                    rest, action ? action : "?", result ? result : "?");
        } else if (sscanf(line, "tasks: %d started, %d failed to start, %d running at the end", &a,
                          &b, &c) == 3) {
            seen_tasks = true;
            if (a != fig(r, "tasks.started") || b != fig(r, "tasks.failed_to_start") ||
                c != fig(r, "tasks.running_at_end"))
                bad(r, "tasks",
                    "console %d/%d/%d, summary.json started %g, failed_to_start %g, running_at_end "
                    "%g",
                    a, b, c, fig(r, "tasks.started"), fig(r, "tasks.failed_to_start"),
                    fig(r, "tasks.running_at_end"));
        } else if (sscanf(line, "scaling: %d actions (%d out, %d in), desired %d..%d", &a, &b, &c,
                          &d, &e) == 5) {
            if (a != fig(r, "scaling.actions") || b != fig(r, "scaling.scale_outs") ||
                c != fig(r, "scaling.scale_ins") || d != fig(r, "scaling.min_desired") ||
                e != fig(r, "scaling.max_desired"))
                bad(r, "scaling", "console \"%s\" against summary.json", line);
        } else if (strncmp(line, "capacity: ", 10) == 0) {
            seen_capacity = true;
            /* "NAME VALUE" pairs separated by ", " or "; " */
            for (char *save = NULL, *pair = strtok_r(line + 10, ",;", &save); pair;
                 pair = strtok_r(NULL, ",;", &save)) {
                char key[96];
                double v;
                if (sscanf(pair, " %95s %lf", key, &v) != 2) {
                    bad(r, "console capacity", "cannot read \"%s\"", pair);
                    continue;
                }
                snprintf(name, sizeof name, "capacity.%s", key);
                double x = fig(r, name);
                if (!whole_matches(v, x))
                    bad(r, name, "summary.json %.6g, console %.0f (rounded: %.0f)", x, v, round(x));
            }
        }
        line = nl ? nl + 1 : NULL;
    }
    free(copy);
    if (!seen_outcome || !seen_tasks || !seen_capacity || step_lines != 7)
        bad(r, "console", "missing lines (outcome %d, tasks %d, capacity %d, %d step lines)",
            seen_outcome, seen_tasks, seen_capacity, step_lines);
}

/* The <dd> of <dt>NAME</dt> in report.html's key figures, or NULL. */
static char *html_figure(const char *html, const char *dt)
{
    char pat[128];
    snprintf(pat, sizeof pat, "<dt>%s</dt><dd>", dt);
    const char *p = strstr(html, pat);
    if (!p)
        return NULL;
    p += strlen(pat);
    const char *e = strstr(p, "</dd>");
    return e ? dup_n(p, (size_t)(e - p)) : NULL;
}

static void check_duration(run_ctx *r, const char *figure, const char *shown, double x)
{
    double res;
    double d = parse_duration(shown, &res);
    bool ok = res == 1 ? d == (double)lround(x) : (d <= x + 1e-9 && x < d + res);
    if (!ok)
        bad(r, figure, "summary.json %.3f s, report.html \"%s\"", x, shown);
}

static void check_html(run_ctx *r, const events_info *ev)
{
    char *html = read_out(r, "report.html");
    if (!html)
        return;
    char *v;
    int a, b, c, d;
    if ((v = html_figure(html, "Tasks at the end"))) {
        if (sscanf(v, "%d running of %d desired", &a, &b) != 2 ||
            a != fig(r, "tasks.running_at_end") || (ev->end_desired >= 0 && b != ev->end_desired))
            bad(r, "report.html Tasks at the end",
                "\"%s\", summary.json running_at_end %g, events.log desired %d", v,
                fig(r, "tasks.running_at_end"), ev->end_desired);
        free(v);
    } else {
        bad(r, "report.html", "no key figure \"Tasks at the end\"");
    }
    if ((v = html_figure(html, "Unserved requests"))) {
        double x = fig(r, "capacity.unserved_requests");
        if (!whole_matches(atof(v), x))
            bad(r, "capacity.unserved_requests",
                "summary.json %.6g, report.html %s (rounded: %.0f)", x, v, round(x));
        free(v);
    }
    if ((v = html_figure(html, "Time to capacity"))) {
        double episodes = fig(r, "capacity.shortfall_episodes");
        if (episodes == 0) {
            if (!strstr(v, "never"))
                bad(r, "report.html Time to capacity", "\"%s\" with no shortfall episode", v);
        } else {
            char longest[64] = "", mean[64] = "";
            if (sscanf(v, "longest %63[^,], mean %63[^(](%d shortfall", longest, mean, &a) != 3 ||
                a != episodes)
                bad(r, "capacity.shortfall_episodes", "summary.json %g, report.html \"%s\"",
                    episodes, v);
            else {
                check_duration(r, "capacity.max_time_to_capacity_s", longest,
                               fig(r, "capacity.max_time_to_capacity_s"));
                check_duration(r, "capacity.mean_time_to_capacity_s", mean,
                               fig(r, "capacity.mean_time_to_capacity_s"));
            }
        }
        free(v);
    }
    if ((v = html_figure(html, "Time under capacity"))) {
        check_duration(r, "capacity.under_capacity_s", v, fig(r, "capacity.under_capacity_s"));
        free(v);
    }
    if ((v = html_figure(html, "Task-hours"))) {
        double th, op;
        if (sscanf(v, "%lf (%lf over-provisioned)", &th, &op) != 2 ||
            fabs(th - fig(r, "capacity.task_hours")) > 0.005 + 1e-9 ||
            fabs(op - fig(r, "capacity.over_provisioned_task_hours")) > 0.005 + 1e-9)
            bad(r, "capacity.task_hours",
                "report.html \"%s\", summary.json %.4f (%.4f over-provisioned)", v,
                fig(r, "capacity.task_hours"), fig(r, "capacity.over_provisioned_task_hours"));
        free(v);
    }
    if ((v = html_figure(html, "Cost (USD)"))) {
        double tot, comp, reg;
        if (sscanf(v, "%lf (compute %lf, registry %lf)", &tot, &comp, &reg) != 3 ||
            fabs(tot - fig(r, "cost_usd.total")) > 0.00005 + 1e-12 ||
            fabs(comp - fig(r, "cost_usd.compute")) > 0.00005 + 1e-12 ||
            fabs(reg - fig(r, "cost_usd.registry")) > 0.00005 + 1e-12)
            bad(r, "cost_usd",
                "report.html \"%s\", summary.json total %.6f, compute %.6f, registry %.6f", v,
                fig(r, "cost_usd.total"), fig(r, "cost_usd.compute"), fig(r, "cost_usd.registry"));
        free(v);
    }
    if ((v = html_figure(html, "Scaling actions"))) {
        if (sscanf(v, "%d (%d out, %d in)", &a, &b, &c) != 3 || a != fig(r, "scaling.actions") ||
            b != fig(r, "scaling.scale_outs") || c != fig(r, "scaling.scale_ins"))
            bad(r, "scaling.actions", "report.html \"%s\" against summary.json", v);
        const char *at = strstr(v, "first scale-out at ");
        double fso = fig(r, "scaling.first_scale_out_s");
        if (at ? !(fabs(parse_clock(at + 19, NULL) - fso) <= 0.05 + 1e-9) : !isnan(fso))
            bad(r, "scaling.first_scale_out_s", "summary.json %g, report.html \"%s\"", fso, v);
        free(v);
    }
    if ((v = html_figure(html, "Tasks"))) {
        if (sscanf(v, "%d started, %d failed to start, %d replaced", &a, &b, &c) != 3 ||
            a != fig(r, "tasks.started") || b != fig(r, "tasks.failed_to_start") ||
            c != fig(r, "tasks.replaced"))
            bad(r, "tasks", "report.html \"%s\" against summary.json", v);
        free(v);
    }
    if ((v = html_figure(html, "Latency"))) {
        double p50, p95, p99, mx;
        if (sscanf(v, "p50 %lf ms, p95 %lf ms, p99 %lf ms, max %lf ms", &p50, &p95, &p99, &mx) !=
                4 ||
            fabs(p50 - 1000 * fig(r, "latency_s.p50")) > 0.5 + 1e-9 ||
            fabs(p95 - 1000 * fig(r, "latency_s.p95")) > 0.5 + 1e-9 ||
            fabs(p99 - 1000 * fig(r, "latency_s.p99")) > 0.5 + 1e-9 ||
            fabs(mx - 1000 * fig(r, "latency_s.max")) > 0.5 + 1e-9)
            bad(r, "latency_s", "report.html \"%s\" against summary.json", v);
        free(v);
    }
    if ((v = html_figure(html, "Latency SLO"))) {
        double slo;
        const char *br = strstr(v, "breached for ");
        if (sscanf(v, "p99 \xe2\x89\xa4 %lf ms", &slo) != 1 ||
            fabs(slo - 1000 * fig(r, "latency_s.slo_p99_s")) > 0.5 + 1e-9 || !br)
            bad(r, "latency_s.slo_p99_s", "report.html \"%s\" against summary.json", v);
        else
            check_duration(r, "latency_s.slo_breach_s", br + 13, fig(r, "latency_s.slo_breach_s"));
        free(v);
    }
    if ((v = html_figure(html, "Requests"))) {
        if (sscanf(v, "%d arrived, %d served, %d rejected, %d timed out", &a, &b, &c, &d) != 4 ||
            a != fig(r, "requests.arrived") || b != fig(r, "requests.served") ||
            c != fig(r, "requests.rejected") || d != fig(r, "requests.timed_out"))
            bad(r, "requests", "report.html \"%s\" against summary.json", v);
        free(v);
    }
    free(html);
}

/* ---- 6. the SVG is the PNG ----------------------------------------------------------- */

static bool png_size(const char *path, unsigned *w, unsigned *h)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return false;
    unsigned char b[24];
    bool ok = fread(b, 1, 24, fp) == 24 && memcmp(b, "\x89PNG\r\n\x1a\n", 8) == 0;
    fclose(fp);
    if (ok) {
        *w = (unsigned)b[16] << 24 | (unsigned)b[17] << 16 | (unsigned)b[18] << 8 | b[19];
        *h = (unsigned)b[20] << 24 | (unsigned)b[21] << 16 | (unsigned)b[22] << 8 | b[23];
    }
    return ok;
}

/* The lines of an SVG that place and write text (gnuplot puts each label
 * in a <g transform="translate(X,Y)"> with its <text> on the next line):
 * the tic labels, axis labels, title and key, with their positions, which
 * is what the axis ranges and tics decide. (Two SVGs from one script are
 * not byte-equal when one follows a PNG: gnuplot's SVG terminal writes a
 * stroke colour differently for its first plot of a session.) */
static char *svg_labels(const char *svg)
{
    char *buf = NULL;
    size_t n = 0;
    FILE *out = open_memstream(&buf, &n);
    for (const char *line = svg; *line;) {
        const char *nl = strchr(line, '\n');
        size_t len = nl ? (size_t)(nl - line) + 1 : strlen(line);
        const char *tr = strstr(line, "translate(");
        const char *tx = strstr(line, "<text");
        if ((tr && tr < line + len) || (tx && tx < line + len))
            fwrite(line, 1, len, out);
        line += len;
    }
    fclose(out);
    return buf;
}

/* "the first differing line: A / B" of two texts, in a static buffer. */
static const char *first_difference(const char *a, const char *b)
{
    static char msg[400];
    while (*a && *a == *b) {
        const char *na = strchr(a, '\n'), *nb = strchr(b, '\n');
        size_t la = na ? (size_t)(na - a) : strlen(a), lb = nb ? (size_t)(nb - b) : strlen(b);
        if (la != lb || strncmp(a, b, la) != 0)
            break;
        a += la + (na != NULL);
        b += lb + (nb != NULL);
    }
    snprintf(msg, sizeof msg, "\"%.*s\" against \"%.*s\"",
             (int)strcspn(a, "\n") > 150 ? 150 : (int)strcspn(a, "\n"), a,
             (int)strcspn(b, "\n") > 150 ? 150 : (int)strcspn(b, "\n"), b);
    return msg;
}

static void check_svg_png(run_ctx *r)
{
    char *gp = read_out(r, "demand_capacity.gp");
    char *svg = read_out(r, "demand_capacity.svg");
    char path[700];
    unsigned w = 0, h = 0, sw = 0, sh = 0;
    if (!png_size(file_in(r, "demand_capacity.png", path, sizeof path), &w, &h))
        bad(r, "demand_capacity.png", "missing or not a PNG");
    else if (svg &&
             (!strstr(svg, " width=\"") ||
              sscanf(strstr(svg, " width=\""), " width=\"%u\" height=\"%u\"", &sw, &sh) != 2 ||
              sw != w || sh != h))
        bad(r, "demand_capacity.png", "%ux%u pixels, the SVG %ux%u", w, h, sw, sh);
    if (!gp || !svg) {
        free(gp);
        free(svg);
        return;
    }
    /* The script with every PNG terminal line replaced by its SVG terminal line. */
    const char *svg_term = strstr(gp, "set terminal svg ");
    char *copy = NULL;
    size_t n = 0;
    FILE *out = open_memstream(&copy, &n);
    size_t replaced = 0;
    if (svg_term) {
        size_t tl_len = strcspn(svg_term, "\n");
        for (const char *line = gp; *line;) {
            const char *nl = strchr(line, '\n');
            size_t len = nl ? (size_t)(nl - line) + 1 : strlen(line);
            const char *p = line;
            while (*p == ' ')
                p++;
            if (strncmp(p, "set terminal png", 16) == 0) {
                fwrite(line, 1, (size_t)(p - line), out);
                fwrite(svg_term, 1, tl_len, out);
                fputc('\n', out);
                replaced++;
            } else {
                fwrite(line, 1, len, out);
            }
            line += len;
        }
    }
    fclose(out);
    if (!svg_term || replaced == 0) {
        bad(r, "demand_capacity.gp", "no `set terminal svg` or `set terminal png` line");
    } else {
        FILE *fp = fopen(file_in(r, "consistency.gp", path, sizeof path), "wb");
        assert_non_null(fp);
        fwrite(copy, 1, n, fp);
        fclose(fp);
        char cmd[1600];
        snprintf(cmd, sizeof cmd,
                 "cd '%s' && gnuplot -e \"png_out='pass1.svg'; svg_out='pass2.svg'\" "
                 "consistency.gp 2>/dev/null",
                 r->dir);
        if (system(cmd) != 0) {
            bad(r, "demand_capacity.gp", "gnuplot failed on the script with its PNG pass as SVG");
        } else {
            char *p1 = read_out(r, "pass1.svg"), *p2 = read_out(r, "pass2.svg");
            char *l1 = p1 ? svg_labels(p1) : NULL, *l2 = p2 ? svg_labels(p2) : NULL,
                 *ls = svg_labels(svg);
            if (l1 && l2 && strcmp(l1, l2) != 0)
                bad(r, "demand_capacity.svg",
                    "the PNG pass and the SVG pass draw different axes: %s",
                    first_difference(l1, l2));
            if (l2 && strcmp(l2, ls) != 0)
                bad(r, "demand_capacity.svg", "not what its script draws: %s",
                    first_difference(l2, ls));
            free(l1);
            free(l2);
            free(ls);
            free(p1);
            free(p2);
        }
    }
    free(copy);
    free(gp);
    free(svg);
}

/* ---- the test per run ---------------------------------------------------------------- */

static run_case *cases;
static size_t case_count;

static void test_consistency(void **state)
{
    const run_case *rc = *state;
    const char *bin = getenv("ECSIM_BIN");
    if (!bin || !*bin)
        fail_msg("ECSIM_BIN is not set (make check sets it to the built program)");
    run_ctx r;
    memset(&r, 0, sizeof r);
    r.rc = rc;
    snprintf(r.root, sizeof r.root, "/tmp/ecsim-consistency-XXXXXX");
    assert_non_null(mkdtemp(r.root));
    snprintf(r.dir, sizeof r.dir, "%s/%s", r.root, rc->name);
    char cmd[2048];
    snprintf(cmd, sizeof cmd,
             "'%s' run '%s' %s%s%s --format text,md,csv,json --out '%s' >'%s/console.txt' "
             "2>'%s/stderr.txt'",
             bin, rc->path, rc->set ? "--set '" : "", rc->set ? rc->set : "", rc->set ? "'" : "",
             r.root, r.root, r.root);
    int status = system(cmd);
    char path[700];
    snprintf(path, sizeof path, "%s/console.txt", r.root);
    char *console = read_text(path);
    if (status != 0) {
        snprintf(path, sizeof path, "%s/stderr.txt", r.root);
        char *err = read_text(path);
        fprintf(stderr, "consistency: %s: ecsim run failed (%d): %s\n", rc->label, status,
                err ? err : "");
        free(err);
        free(console);
        (void)ecsim_remove_tree(r.root);
        fail();
    }
    char err[256];
    if (ecsim_figures_read(file_in(&r, "summary.json", path, sizeof path), &r.sum, err,
                           sizeof err) != 0) {
        fprintf(stderr, "consistency: %s: summary.json: %s\n", rc->label, err);
        free(console);
        (void)ecsim_remove_tree(r.root);
        fail();
    }
    /* From the scenario: how long a stopping task drains and stops. */
    ecsim_diags d;
    ecsim_diags_init(&d);
    const char *sets[1] = {rc->set};
    ecsim_scenario *sc = ecsim_scenario_load(rc->path, sets, rc->set ? 1 : 0, &d);
    ecsim_diags_free(&d);
    assert_non_null(sc);
    r.drain_s =
        (sc->service.load_balancer.enable ? sc->service.load_balancer.deregistration_delay_s : 0) +
        sc->service.task.stop_timeout_s;
    const ecsim_requests_spec *rq = &sc->load.requests;
    double mean_s = rq->mean_s;
    if (rq->dist == ECSIM_DIST_UNIFORM)
        mean_s = 0.5 * (rq->min_s + rq->max_s);
    if (rq->dist == ECSIM_DIST_EMPIRICAL && rq->empirical_count > 0) {
        mean_s = 0;
        for (size_t i = 0; i < rq->empirical_count; i++)
            mean_s += rq->empirical_s[i] / (double)rq->empirical_count;
    }
    r.task_rps = sc->load.mode == ECSIM_LOAD_REQUESTS && mean_s > 0 ? rq->concurrency / mean_s
                                                                    : sc->service.task.capacity_rps;
    ecsim_scenario_free(sc);
    events_info ev;
    parse_events(&r, &ev);
    check_tables(&r, &ev);
    check_shortfall_words(&r);
    check_step_log(&r, &ev);
    timeline t;
    if (read_timeline(&r, &t)) {
        check_timeline(&r, &t, &ev);
        check_plot_data(&r, &t, &ev);
        check_windows(&r, &t, &ev);
    }
    timeline_free(&t);
    check_decisions(&r, &ev);
    check_console(&r, console ? console : "");
    check_html(&r, &ev);
    check_svg_png(&r);
    free(console);
    free(ev.ch);
    free(ev.launch);
    free(ev.launch_n);
    ecsim_figures_free(&r.sum);
    (void)ecsim_remove_tree(r.root);
    if (r.problems)
        fail_msg("%s: %d inconsistencies (listed above)", rc->label, r.problems);
}

static void add_case(const char *path, const char *set)
{
    cases = realloc(cases, (case_count + 1) * sizeof *cases);
    assert_non_null(cases);
    run_case *c = &cases[case_count++];
    memset(c, 0, sizeof *c);
    snprintf(c->path, sizeof c->path, "%s", path);
    const char *base = strrchr(path, '/');
    snprintf(c->name, sizeof c->name, "%s", base ? base + 1 : path);
    char *dot = strrchr(c->name, '.');
    if (dot)
        *dot = '\0';
    c->set = set;
    snprintf(c->label, sizeof c->label, "%s%s%s%s", c->name, set ? " [--set " : "", set ? set : "",
             set ? "]" : "");
}

int main(void)
{
    glob_t g;
    if (glob("scenarios/*.yaml", 0, NULL, &g) != 0 || g.gl_pathc == 0) {
        fprintf(stderr, "test_consistency: no scenarios/*.yaml (run from the repository root)\n");
        return 1;
    }
    for (size_t i = 0; i < g.gl_pathc; i++)
        add_case(g.gl_pathv[i], NULL);
    globfree(&g);
    /* Past 4,000 periods: the decimated plot data. Ending inside a period: a shorter last period.
     */
    add_case("scenarios/quickstart.yaml", "duration=3d");
    add_case("scenarios/quickstart.yaml", "duration=3630");
    add_case("scenarios/latency-slo.yaml", "duration=5430");
    /* Requests mode past its replayed arrivals: a scale-in whose tasks drain
     * for the deregistration delay (they must leave the capacity at once). */
    add_case("scenarios/replay-arrivals.yaml", "duration=2017");
    /* More runs by hand: ECSIM_CONSISTENCY_EXTRA="PATH[|KEY=VALUE];..." */
    char *extra =
        getenv("ECSIM_CONSISTENCY_EXTRA") ? strdup(getenv("ECSIM_CONSISTENCY_EXTRA")) : NULL;
    for (char *save = NULL, *item = extra ? strtok_r(extra, ";", &save) : NULL; item;
         item = strtok_r(NULL, ";", &save)) {
        char *bar = strchr(item, '|');
        if (bar)
            *bar = '\0';
        add_case(item, bar ? bar + 1 : NULL);
    }
    struct CMUnitTest *tests = calloc(case_count, sizeof *tests);
    if (!tests)
        return 1;
    for (size_t i = 0; i < case_count; i++) {
        tests[i].name = cases[i].label;
        tests[i].test_func = test_consistency;
        tests[i].initial_state = &cases[i];
    }
    int rc = _cmocka_run_group_tests("consistency", tests, case_count, NULL, NULL);
    free(tests);
    free(cases);
    free(extra);
    return rc;
}
