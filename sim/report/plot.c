/* Plots (include/ecsim/plot.h): the demand/capacity data and script, and
 * running gnuplot on them.
 *
 * The plot's look lives in the gnuplot template plots/demand_capacity.gp;
 * this file only fills in its placeholders with figures computed from the
 * timeline (axis ranges, which curves exist), writes the data, and runs
 * gnuplot as a child process (fork/execvp, never a shell, so a folder
 * name cannot inject commands). Axis ranges are computed here rather than
 * autoscaled by gnuplot because a column with no valid point (CPU before
 * the first task runs) makes autoscaling fail the whole script.
 *
 * A copy of the template is compiled in (builtin_template_lines below) for
 * binaries installed without their data files; test_plot checks that it
 * matches plots/demand_capacity.gp. After editing the template, regenerate
 * the copy with:
 *   sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/    "/' -e 's/$/",/' plots/demand_capacity.gp
 * and replace the lines between the BEGIN/END comments (then escape any
 * non-ASCII character as octal, e.g. ▲ as \342\226\262). */
#include "ecsim/plot.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ecsim/alloc.h"
#include "ecsim/error.h"
#include "ecsim/interrupt.h"
#include "ecsim/output.h"
#include "ecsim/sim.h"

#define PLOT_TEMPLATE_NAME "demand_capacity.gp"
#define PLOT_DATA_NAME "demand_capacity.dat"
#define PLOT_MAX_PERIODS 4000 /* more periods than this are decimated (write_dat) */
#define PLOT_PNG_NAME "demand_capacity.png"
#define PLOT_SVG_NAME "demand_capacity.svg"
#define PLOT_DEFAULT_WIDTH 1200
#define PLOT_DEFAULT_HEIGHT 900
#define PLOT_DEFAULT_TIMEOUT_S 60.0
#define PLOT_STDERR_KEEP 4096   /* bytes of gnuplot's stderr kept for the summary */
#define PLOT_STDERR_LINES 5     /* lines of it shown to the user */

/* ---- the compiled-in template --------------------------------------------- */

/* BEGIN BUILTIN TEMPLATE */
static const char *const builtin_template_lines[] = {
    "# ecsim: demand and capacity over time (DESIGN.md, \"Outputs of ecsim run\").",
    "#",
    "# This is the template ecsim fills in to write demand_capacity.gp next to",
    "# the run's demand_capacity.dat. Run the filled-in script by itself, from",
    "# the folder it is in, to re-render the plot:",
    "#",
    "#     gnuplot demand_capacity.gp     # writes demand_capacity.png and .svg",
    "#",
    "# ecsim replaces each NAME written between two at-signs (for example the",
    "# title's) once, in this order of appearance:",
    "#   TITLE       plot title (a gnuplot single-quoted string: ' doubled)",
    "#   DATAFILE    the data file, relative to the script's folder",
    "#   DURATION    simulated duration in seconds (chooses s / min / h)",
    "#   NSCALEOUT   number of markers of each class in index 1 of the data",
    "#   NSCALEIN    file: scale out, scale in, events (deployments...) and",
    "#   NEVENTS     failures",
    "#   NFAILURES",
    "#   TARGET      the policy's CPU target in percent, or NaN for none",
    "#   LATENCY     1 if the data has latency percentiles (third panel)",
    "#   MEMORY      1 if the data has memory utilisation",
    "#   PENDING     1 if any task was ever pending",
    "#   RPSMAX      top of the requests-per-second axis",
    "#   TASKSMAX    top of the task-count axis",
    "#   LATMIN      latency axis range in ms (log scale)",
    "#   LATMAX",
    "#   SLO         the p99 latency SLO in ms (a line on the latency panel), or",
    "#               NaN for none",
    "#   WIDTH       image size in pixels",
    "#   HEIGHT",
    "# ecsim renders into temporary files by setting png_out and svg_out with",
    "# -e before this script runs, then renames them; by hand they default to",
    "# the final names.",
    "#",
    "# Data file, index 0 (timeline.csv's rows and columns, then start_s; NaN =",
    "# not set):",
    "#   1 time_s  2 demand_rps  3 capacity_rps  4 desired  5 running  6 pending",
    "#   7 cpu_pct  8 served_rps  9 unserved_rps  10 p50_ms  11 p95_ms  12 p99_ms",
    "#   13 cost_usd  14 memory_pct  15 target  16 start_s",
    "# Each value is drawn where it belongs in time. A row is sampled at time_s,",
    "# the end of its metric period [start_s, time_s]: the task counts are the",
    "# counts at time_s, drawn as steps from time_s on (a count that changes",
    "# shows at the first sample after the change, never before it); demand,",
    "# capacity, CPU, memory and latency are over the period, drawn as steps",
    "# from start_s to time_s; the shortfall is one box per period. A last row",
    "# at the final time_s (start_s = time_s) closes the period steps.",
    "# Data file, index 1 (markers):",
    "#   1 time_s  2 class (1 scale out, 2 scale in, 3 event, 4 failure)",
    "#   3 desired count the marker leaves  4 kind  5 \"label\"  6 show_label (0",
    "#   when the label would overprint another one; the line is still drawn)",
    "#   7 label_top: where the label starts, a fraction of the rps axis (labels",
    "#   close together are staggered at different heights)",
    "# Data file, index 2 (the desired count at each row's time and at the",
    "# instant of each scale action):",
    "#   1 time_s  2 desired",
    "#",
    "# Curves that coincide stay visible: solid curves are drawn wide to narrow",
    "# (the running tasks as a wide pale band, capacity, then the thin demand",
    "# line), so a line at the same height as another shows inside it, and the",
    "# dashed desired count last, so what lies under it shows between its",
    "# dashes. The key's title says so.",
    "",
    "plot_title = '@TITLE@'",
    "datafile = '@DATAFILE@'",
    "duration_s = @DURATION@",
    "n_scale_out = @NSCALEOUT@",
    "n_scale_in = @NSCALEIN@",
    "n_events = @NEVENTS@",
    "n_failures = @NFAILURES@",
    "target_pct = @TARGET@",
    "has_latency = @LATENCY@",
    "has_memory = @MEMORY@",
    "has_pending = @PENDING@",
    "rps_max = @RPSMAX@",
    "tasks_max = @TASKSMAX@",
    "lat_min = @LATMIN@",
    "lat_max = @LATMAX@",
    "slo_ms = @SLO@",
    "img_w = @WIDTH@",
    "img_h = @HEIGHT@",
    "if (!exists(\"png_out\")) png_out = 'demand_capacity.png'",
    "if (!exists(\"svg_out\")) svg_out = 'demand_capacity.svg'",
    "",
    "# The x axis in hours for runs of two hours or more, minutes for runs of",
    "# two minutes or more, seconds otherwise.",
    "if (duration_s >= 7200) { x_div = 3600.0; x_unit = 'h' } else { if (duration_s >= 120) { x_div = 60.0; x_unit = 'min' } else { x_div = 1.0; x_unit = 's' } }",
    "x_max = duration_s / x_div",
    "",
    "# Colours: the Okabe-Ito palette, distinguishable with colour blindness.",
    "c_demand = '#000000'",
    "c_capacity = '#0072B2'",
    "c_unserved = '#D55E00'",
    "c_desired = '#E69F00'",
    "c_running = '#9AD9C4'   # a pale band: lines drawn over it stay visible",
    "c_pending = '#999999'",
    "c_out = '#009E73'",
    "c_in = '#CC79A7'",
    "c_event = '#56B4E9'",
    "c_failure = '#D55E00'",
    "c_cpu = '#0072B2'",
    "c_memory = '#CC79A7'",
    "c_target = '#D55E00'",
    "",
    "set encoding utf8",
    "# Marker labels on a light, see-through white ground: readable where they",
    "# cross a curve, which still shows through.",
    "set style textbox opaque fillcolor '#50FFFFFF' margins 0.5, 0.5 noborder",
    "set datafile missing NaN",
    "set style fill transparent solid 0.25 noborder",
    "set grid xtics ytics back lc rgb '#DDDDDD' lw 1 dt 1",
    "",
    "# Panel layout in screen fractions: fixed left and right margins so that",
    "# the panels share the x axis; legends sit right of the plots.",
    "l_edge = 0.08",
    "r_edge = 0.72",
    "key_x = 0.785",
    "if (has_latency) { top_b = 0.53; cpu_t = 0.50; cpu_b = 0.30; lat_t = 0.27; lat_b = 0.07 } else { top_b = 0.40; cpu_t = 0.36; cpu_b = 0.08 }",
    "top_t = 0.92",
    "",
    "# The plot commands, built once: curves with nothing to show are left out",
    "# rather than drawn empty, so the legends list only what is on the plot.",
    "# Marker labels longer than 30 characters are cut (the data file has them whole).",
    "short_label(s) = strlen(s) > 30 ? s[1:29] . '...' : s",
    "p = \"index 0 using ($16/x_div)\"",
    "u = \"index 0 using ($1/x_div)\"",
    "d = \"index 2 using ($1/x_div)\"",
    "m = \"index 1 using ($1/x_div)\"",
    "top_plot = \"plot datafile index 0 using (($16 + $1) / 2 / x_div):3:($16/x_div):($1/x_div):3:($2 > $3 ? $2 : $3) with boxxyerror lc rgb c_unserved title 'unserved demand'\" \\",
    "    . \", '' \" . u . \":5 axes x1y2 with steps lw 9 lc rgb c_running title 'running tasks (right)'\"",
    "if (has_pending) top_plot = top_plot . \", '' \" . u . \":6 axes x1y2 with steps lw 1.5 dt 3 lc rgb c_pending title 'pending tasks (right)'\"",
    "top_plot = top_plot . \", '' \" . p . \":3 with steps lw 4 lc rgb c_capacity title 'capacity (rps)'\" \\",
    "    . \", '' \" . p . \":2 with steps lw 1.2 lc rgb c_demand title 'demand (rps)'\" \\",
    "    . \", '' \" . d . \":2 axes x1y2 with steps lw 2 dt 2 lc rgb c_desired title 'desired tasks (right)'\"",
    "if (n_events > 0) top_plot = top_plot . \", '' \" . m . \":($2 == 3 ? rps_max : NaN) with impulses lw 1 dt 4 lc rgb c_event title 'deployment, event'\"",
    "if (n_failures > 0) top_plot = top_plot . \", '' \" . m . \":($2 == 4 ? rps_max : NaN) with impulses lw 1.5 lc rgb c_failure title 'failure'\"",
    "if (n_events + n_failures > 0) top_plot = top_plot . \", '' \" . m . \":($2 >= 3 && $6 > 0 ? $7 * rps_max : NaN):(short_label(strcol(5))) with labels boxed rotate by 90 right offset -1.0, 0 font ',9' tc rgb '#444444' notitle\"",
    "if (n_scale_out > 0) top_plot = top_plot . \", '' \" . m . \":($2 == 1 ? $3 : NaN) axes x1y2 with points pt 9 ps 1.6 lc rgb c_out title '\342\226\262 scale out'\"",
    "if (n_scale_in > 0) top_plot = top_plot . \", '' \" . m . \":($2 == 2 ? $3 : NaN) axes x1y2 with points pt 11 ps 1.6 lc rgb c_in title '\342\226\274 scale in'\"",
    "cpu_plot = \"plot datafile \" . p . \":7 with steps lw 2 lc rgb c_cpu title 'CPU (%)'\"",
    "if (has_memory) cpu_plot = cpu_plot . \", '' \" . p . \":14 with steps lw 1.5 dt 2 lc rgb c_memory title 'memory (%)'\"",
    "if (target_pct == target_pct) cpu_plot = cpu_plot . sprintf(\", %g with lines lw 1.5 dt 2 lc rgb c_target title 'target (%g %%)'\", target_pct, target_pct)",
    "lat_plot = \"plot datafile \" . p . \":($10 > 0 ? $10 : NaN) with steps lw 1.5 lc rgb '#009E73' title 'p50 (ms)'\" \\",
    "    . \", '' \" . p . \":($11 > 0 ? $11 : NaN) with steps lw 1.5 lc rgb '#E69F00' title 'p95 (ms)'\" \\",
    "    . \", '' \" . p . \":($12 > 0 ? $12 : NaN) with steps lw 1.5 lc rgb '#D55E00' title 'p99 (ms)'\"",
    "if (slo_ms == slo_ms) lat_plot = lat_plot . sprintf(\", %g with lines lw 1.5 dt 2 lc rgb '#000000' title 'p99 SLO (%g ms)'\", slo_ms, slo_ms)",
    "",
    "# Two passes: the PNG (cairo if this gnuplot has it) and the SVG. Each pass",
    "# starts from the same state (what a panel changes is reset first), so the",
    "# SVG is the PNG: same ranges, same tics. first_pass = 2 renders the SVG",
    "# alone (the tests compare it with the SVG rendered after the PNG).",
    "if (!exists(\"first_pass\")) first_pass = 1",
    "do for [pass = first_pass:2] {",
    "    if (pass == 1) {",
    "        if (strstrt(GPVAL_TERMINALS, 'pngcairo') > 0) {",
    "            set terminal pngcairo size img_w, img_h font 'sans,11' noenhanced",
    "        } else {",
    "            set terminal png size img_w, img_h noenhanced",
    "        }",
    "        set output png_out",
    "    } else {",
    "        set terminal svg size img_w, img_h font 'sans,11' noenhanced background '#FFFFFF'",
    "        set output svg_out",
    "    }",
    "    unset logscale y",
    "    set ytics auto nomirror",
    "    set y2tics auto",
    "    unset y2label",
    "    set format x ''",
    "    unset xlabel",
    "    set multiplot title plot_title font ',14'",
    "    set lmargin at screen l_edge",
    "    set rmargin at screen r_edge",
    "",
    "    # Top panel: demand and capacity (rps), task counts on the right axis.",
    "    set tmargin at screen top_t",
    "    set bmargin at screen top_b",
    "    set xrange [0:x_max]",
    "    set format x ''",
    "    unset xlabel",
    "    set yrange [0:rps_max]",
    "    set ylabel 'requests per second'",
    "    set y2range [0:tasks_max]",
    "    set y2label 'tasks'",
    "    set ytics auto nomirror",
    "    set y2tics",
    "    set key at screen key_x, top_t left top Left reverse spacing 1.2 box lc rgb '#BBBBBB' title 'wide to narrow, dashes on top' font ',10'",
    "    eval top_plot",
    "    unset y2tics",
    "    unset y2label",
    "",
    "    # CPU panel: utilisation and the policy's target.",
    "    set tmargin at screen cpu_t",
    "    set bmargin at screen cpu_b",
    "    if (has_latency) { set format x '' ; unset xlabel } else { set format x '%g'; set xlabel sprintf('time (%s)', x_unit) }",
    "    set yrange [0:105]",
    "    set ylabel 'utilisation (%)'",
    "    set ytics 0, 20, 100 mirror",
    "    set key at screen key_x, cpu_t left top Left reverse spacing 1.2 box lc rgb '#BBBBBB' title ''",
    "    eval cpu_plot",
    "",
    "    # Latency panel (requests mode only), log scale, with the SLO if any.",
    "    if (has_latency) {",
    "        set tmargin at screen lat_t",
    "        set bmargin at screen lat_b",
    "        set format x '%g'",
    "        set xlabel sprintf('time (%s)', x_unit)",
    "        set logscale y",
    "        set yrange [lat_min:lat_max]",
    "        set ytics auto",
    "        set ylabel 'latency (ms, log scale)'",
    "        set key at screen key_x, lat_t left top Left reverse spacing 1.2 box lc rgb '#BBBBBB' title ''",
    "        eval lat_plot",
    "        unset logscale y",
    "    }",
    "    unset multiplot",
    "    set output",
    "}",
};
/* END BUILTIN TEMPLATE */

char *ecsim_plot_builtin_template(void)
{
    size_t n = sizeof builtin_template_lines / sizeof builtin_template_lines[0];
    size_t len = 0;
    for (size_t i = 0; i < n; i++)
        len += strlen(builtin_template_lines[i]) + 1;
    char *text = ecsim_malloc(len + 1);
    if (!text)
        return NULL;
    char *p = text;
    for (size_t i = 0; i < n; i++) {
        size_t l = strlen(builtin_template_lines[i]);
        memcpy(p, builtin_template_lines[i], l);
        p += l;
        *p++ = '\n';
    }
    *p = '\0';
    return text;
}

/* ---- a growing string --------------------------------------------------------- */

typedef struct plot_buf {
    char *data;
    size_t len;
    size_t cap;
    int oom;
} plot_buf;

static void buf_append(plot_buf *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (n + 1 > b->cap - b->len) {
        size_t cap = b->cap ? b->cap : 256;
        while (n + 1 > cap - b->len)
            cap *= 2;
        char *data = ecsim_realloc(b->data, cap);
        if (!data) {
            b->oom = 1;
            return;
        }
        b->data = data;
        b->cap = cap;
    }
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

static void buf_puts(plot_buf *b, const char *s) { buf_append(b, s, strlen(s)); }

/* ---- options and small helpers ------------------------------------------------ */

void ecsim_plot_options_init(ecsim_plot_options *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->target = NAN;
    opt->slo_p99_ms = NAN;
    opt->duration_s = NAN;
    opt->width_px = PLOT_DEFAULT_WIDTH;
    opt->height_px = PLOT_DEFAULT_HEIGHT;
    opt->render = true;
    opt->timeout_s = PLOT_DEFAULT_TIMEOUT_S;
}

static char *join_path(const char *dir, const char *name)
{
    size_t dl = strlen(dir), nl = strlen(name);
    char *path = ecsim_malloc(dl + 1 + nl + 1);
    if (!path)
        return NULL;
    memcpy(path, dir, dl);
    size_t at = dl;
    if (dl > 0 && dir[dl - 1] != '/')
        path[at++] = '/';
    memcpy(path + at, name, nl + 1);
    return path;
}

/* Read a whole file. 0, ECSIM_ENOENT (cannot open), ECSIM_EIO, ECSIM_ENOMEM. */
static int read_file(const char *path, char **out)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return ECSIM_ENOENT;
    plot_buf b = {0};
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0)
        buf_append(&b, chunk, n);
    int rc = ferror(fp) ? ECSIM_EIO : b.oom ? ECSIM_ENOMEM : 0;
    fclose(fp);
    if (rc == 0 && !b.data) {
        b.data = ecsim_strdup("");
        if (!b.data)
            rc = ECSIM_ENOMEM;
    }
    if (rc) {
        ecsim_free(b.data);
        return rc;
    }
    *out = b.data;
    return 0;
}

/* Find the template: the explicit folder (an error if it lacks it), then
 * $ECSIM_PLOTS_DIR, plots/, ECSIM_DATADIR/plots, then the built-in copy. */
static int load_template(const ecsim_plot_options *opt, char **out)
{
    const char *dirs[3];
    size_t ndirs = 0;
    if (opt->template_dir) {
        char *path = join_path(opt->template_dir, PLOT_TEMPLATE_NAME);
        if (!path)
            return ECSIM_ENOMEM;
        int rc = read_file(path, out);
        ecsim_free(path);
        return rc;
    }
    const char *env = getenv("ECSIM_PLOTS_DIR");
    if (env && *env)
        dirs[ndirs++] = env;
    dirs[ndirs++] = "plots";
#ifdef ECSIM_DATADIR
    dirs[ndirs++] = ECSIM_DATADIR "/plots";
#endif
    for (size_t i = 0; i < ndirs; i++) {
        char *path = join_path(dirs[i], PLOT_TEMPLATE_NAME);
        if (!path)
            return ECSIM_ENOMEM;
        int rc = read_file(path, out);
        ecsim_free(path);
        if (rc != ECSIM_ENOENT)
            return rc;
    }
    *out = ecsim_plot_builtin_template();
    return *out ? 0 : ECSIM_ENOMEM;
}

/* A number for gnuplot: ecsim_fmt_num, or NaN. */
static char *gp_num(char *buf, size_t size, double v)
{
    if (!isfinite(v)) {
        snprintf(buf, size, "NaN");
        return buf;
    }
    return ecsim_fmt_num(buf, size, v);
}

/* The smallest "nice" number (1, 1.5, 2, 2.5, 3, 4, 5, 6, 8 x 10^k) >= v. */
static double nice_ceil(double v)
{
    static const double steps[] = {1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10};
    if (v <= 0 || isnan(v) || isinf(v))
        return 1;
    double mag = 1;   /* the power of ten at or below v */
    while (mag * 10 <= v)
        mag *= 10;
    while (mag > v)
        mag /= 10;
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++)
        if (steps[i] * mag >= v * (1 - 1e-12))
            return steps[i] * mag;
    return 10 * mag;
}

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The median of capacity_rps / running over the rows with running tasks;
 * 0 if there are none (or memory runs out: the axes are then left alone). */
static double median_capacity_per_task(const ecsim_timeline *tl)
{
    size_t n = ecsim_timeline_count(tl), m = 0;
    double *ratios = ecsim_reallocarray(NULL, n ? n : 1, sizeof *ratios);
    if (!ratios)
        return 0;
    for (size_t i = 0; i < n; i++) {
        const ecsim_timeline_row *r = ecsim_timeline_row_at(tl, i);
        if (r->running > 0 && isfinite(r->capacity_rps) && r->capacity_rps > 0)
            ratios[m++] = r->capacity_rps / r->running;
    }
    double median = 0;
    if (m > 0) {
        qsort(ratios, m, sizeof *ratios, compare_doubles);
        median = ratios[m / 2];
    }
    ecsim_free(ratios);
    return median;
}

/* Figures the template needs, computed from the timeline. */
typedef struct plot_figures {
    double duration_s;
    double rps_max;
    double tasks_max;
    double lat_min;
    double lat_max;
    bool has_latency;
    bool has_memory;
    bool has_pending;
    size_t count[5];     /* markers per ecsim_marker_class */
} plot_figures;

static void compute_figures(const ecsim_timeline *tl, const ecsim_plot_options *opt,
                            plot_figures *f)
{
    size_t n = ecsim_timeline_count(tl);
    double rps = 0, tasks = 0, lat_lo = INFINITY, lat_hi = 0;
    memset(f, 0, sizeof *f);
    for (size_t i = 0; i < n; i++) {
        const ecsim_timeline_row *r = ecsim_timeline_row_at(tl, i);
        if (isfinite(r->demand_rps) && r->demand_rps > rps)
            rps = r->demand_rps;
        if (isfinite(r->capacity_rps) && r->capacity_rps > rps)
            rps = r->capacity_rps;
        int most = r->desired > r->running ? r->desired : r->running;
        if (r->pending > most)
            most = r->pending;
        if (most > tasks)
            tasks = most;
        if (r->pending > 0)
            f->has_pending = true;
        const double lat[3] = {r->p50_ms, r->p95_ms, r->p99_ms};
        for (int k = 0; k < 3; k++) {
            if (isfinite(lat[k]) && lat[k] > 0) {
                f->has_latency = true;
                if (lat[k] < lat_lo)
                    lat_lo = lat[k];
                if (lat[k] > lat_hi)
                    lat_hi = lat[k];
            }
        }
    }
    f->has_memory = ecsim_timeline_has_memory(tl);
    /* Headroom above the data: the top 10-15 % of each axis is left for
     * the marker labels and the scale-action triangles. */
    f->rps_max = nice_ceil(rps * 1.12);
    f->tasks_max = ceil(nice_ceil(tasks * 1.15 + 0.5));
    /* Capacity is ready tasks x per-task capacity, so when the two axes
     * happen to have that same ratio the running-task steps would hide the
     * capacity line exactly: move the task axis to its next nice value. */
    /* A task's capacity: the median of capacity per running task over the
     * rows (periods where tasks started or stopped part-way are off, steady
     * ones are exact and the majority). */
    double per_task = median_capacity_per_task(tl);
    for (int guard = 0; per_task > 0 && guard < 8; guard++) {
        double ratio = (f->rps_max / f->tasks_max) / per_task;
        if (!(ratio > 0.93 && ratio < 1.07))
            break;
        f->tasks_max = ceil(nice_ceil(f->tasks_max * 1.01));
    }
    if (f->has_latency) {
        /* The SLO line is on the panel even when every percentile is far
         * from it. */
        if (isfinite(opt->slo_p99_ms) && opt->slo_p99_ms > 0) {
            lat_lo = fmin(lat_lo, opt->slo_p99_ms);
            lat_hi = fmax(lat_hi, opt->slo_p99_ms);
        }
        f->lat_min = pow(10, floor(log10(lat_lo)));
        f->lat_max = pow(10, ceil(log10(lat_hi)));
        if (f->lat_max <= f->lat_min * 1.0000001)
            f->lat_max = f->lat_min * 10;
    } else {
        f->lat_min = 1;
        f->lat_max = 1000;
    }
    double last = n ? ecsim_timeline_row_at(tl, n - 1)->time_s : 0;
    f->duration_s = isfinite(opt->duration_s) && opt->duration_s > 0 ? opt->duration_s : last;
    if (!(f->duration_s > 0))
        f->duration_s = 1;
    for (size_t i = 0; i < ecsim_timeline_marker_count(tl); i++) {
        ecsim_timeline_marker m;
        ecsim_timeline_marker_get(tl, i, &m);
        f->count[ecsim_timeline_marker_class(m.kind)]++;
    }
}

/* Title text as a gnuplot single-quoted string body: ' doubled, control
 * characters as spaces. */
static void put_gp_string(plot_buf *b, const char *s)
{
    for (; *s; s++) {
        if (*s == '\'')
            buf_puts(b, "''");
        else if ((unsigned char)*s < 0x20 || *s == 0x7f)
            buf_puts(b, " ");
        else
            buf_append(b, s, 1);
    }
}

/* Replace every @NAME@ whose NAME is in keys[] by values[]; anything else,
 * including an unknown @NAME@, is copied as is. Values are not rescanned. */
static int substitute(const char *tmpl, const char *const *keys, const char *const *values,
                      size_t nkeys, char **out)
{
    plot_buf b = {0};
    const char *p = tmpl;
    while (*p) {
        const char *at = strchr(p, '@');
        if (!at) {
            buf_puts(&b, p);
            break;
        }
        buf_append(&b, p, (size_t)(at - p));
        const char *end = strchr(at + 1, '@');
        size_t k = nkeys;
        if (end) {
            size_t len = (size_t)(end - at - 1);
            for (k = 0; k < nkeys; k++)
                if (strlen(keys[k]) == len && memcmp(keys[k], at + 1, len) == 0)
                    break;
        }
        if (k < nkeys) {
            buf_puts(&b, values[k]);
            p = end + 1;
        } else {
            buf_append(&b, at, 1);
            p = at + 1;
        }
    }
    if (!b.data && !b.oom)
        buf_puts(&b, "");
    if (b.oom) {
        ecsim_free(b.data);
        return ECSIM_ENOMEM;
    }
    *out = b.data;
    return 0;
}

/* Fill in the template. */
static int make_script(const ecsim_timeline *tl, const ecsim_plot_options *opt,
                       const plot_figures *f, const char *tmpl, char **out)
{
    plot_buf title = {0};
    put_gp_string(&title, opt->scenario ? opt->scenario : "ecsim");
    if (opt->policy && *opt->policy) {
        buf_puts(&title, " - policy: ");
        put_gp_string(&title, opt->policy);
    }
    if (title.oom) {
        ecsim_free(title.data);
        return ECSIM_ENOMEM;
    }
    (void)tl;
    char v[16][64];
    int width = opt->width_px > 0 ? opt->width_px : PLOT_DEFAULT_WIDTH;
    int height = opt->height_px > 0 ? opt->height_px : PLOT_DEFAULT_HEIGHT;
    gp_num(v[0], sizeof v[0], f->duration_s);
    snprintf(v[1], sizeof v[1], "%zu", f->count[ECSIM_MARKER_SCALE_OUT]);
    snprintf(v[2], sizeof v[2], "%zu", f->count[ECSIM_MARKER_SCALE_IN]);
    snprintf(v[3], sizeof v[3], "%zu", f->count[ECSIM_MARKER_EVENT]);
    snprintf(v[4], sizeof v[4], "%zu", f->count[ECSIM_MARKER_FAILURE]);
    gp_num(v[5], sizeof v[5], opt->target);
    snprintf(v[6], sizeof v[6], "%d", f->has_latency ? 1 : 0);
    snprintf(v[7], sizeof v[7], "%d", f->has_memory ? 1 : 0);
    snprintf(v[8], sizeof v[8], "%d", f->has_pending ? 1 : 0);
    gp_num(v[9], sizeof v[9], f->rps_max);
    gp_num(v[10], sizeof v[10], f->tasks_max);
    gp_num(v[11], sizeof v[11], f->lat_min);
    gp_num(v[12], sizeof v[12], f->lat_max);
    snprintf(v[13], sizeof v[13], "%d", width);
    snprintf(v[14], sizeof v[14], "%d", height);
    gp_num(v[15], sizeof v[15], opt->slo_p99_ms > 0 ? opt->slo_p99_ms : NAN);
    const char *const keys[] = {"TITLE",    "DATAFILE", "DURATION", "NSCALEOUT", "NSCALEIN",
                                "NEVENTS",  "NFAILURES", "TARGET",  "LATENCY",   "MEMORY",
                                "PENDING",  "RPSMAX",   "TASKSMAX", "LATMIN",    "LATMAX",
                                "WIDTH",    "HEIGHT",   "SLO"};
    const char *const values[] = {title.data, PLOT_DATA_NAME, v[0],  v[1],  v[2],  v[3],
                                  v[4],       v[5],           v[6],  v[7],  v[8],  v[9],
                                  v[10],      v[11],          v[12], v[13], v[14], v[15]};
    int rc = substitute(tmpl, keys, values, sizeof keys / sizeof keys[0], out);
    ecsim_free(title.data);
    return rc;
}

/* How telling a marker is when several share one place on the x axis. */
static int marker_rank(const char *kind)
{
    static const char *const order[] = {"rollback", "deployment_failed", "az_outage",
                                        "instance_failure", "deployment"};
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++)
        if (strcmp(kind, order[i]) == 0)
            return (int)(sizeof order / sizeof order[0] - i) + 1;
    return 1;
}

/* Marker label for the data file: a gnuplot double-quoted string, with "
 * replaced by ' (gnuplot data strings have no escape for it) and control
 * characters by spaces; an empty label shows the kind. */
static void put_dat_label(FILE *out, const ecsim_timeline_marker *m, int others)
{
    const char *s = *m->label ? m->label : m->kind;
    fputc('"', out);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"')
            fputc('\'', out);
        else if (c < 0x20 || c == 0x7f)
            fputc(' ', out);
        else
            fputc(c, out);
    }
    if (others > 0)
        fprintf(out, " (+%d)", others);
    fputc('"', out);
}

/* The desired count of the first row sampled after time_s (the last row if
 * none). A row samples the counts at the end of its period, before anything
 * else that happens at that same instant, so the row at a marker's own time
 * may not show it yet. */
static int desired_after(const ecsim_timeline *tl, double time_s)
{
    size_t lo = 0, hi = ecsim_timeline_count(tl);
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (ecsim_timeline_row_at(tl, mid)->time_s <= time_s)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t n = ecsim_timeline_count(tl);
    if (n == 0)
        return 0;
    return ecsim_timeline_row_at(tl, lo < n ? lo : n - 1)->desired;
}

/* The desired count a scale marker sets, from its label: scaling.c writes
 * "A -> B" (a test may prefix words: "desired 2 -> 4"). False when the
 * label does not end in "-> N". */
static bool scale_marker_count(const ecsim_timeline_marker *m, int *count)
{
    const char *arrow = NULL;
    for (const char *p = strstr(m->label, "->"); p; p = strstr(p + 2, "->"))
        arrow = p;
    if (!arrow)
        return false;
    char *end;
    long v = strtol(arrow + 2, &end, 10);
    while (*end == ' ')
        end++;
    if (end == arrow + 2 || *end != '\0' || v < 0 || v > 1000000)
        return false;
    *count = (int)v;
    return true;
}

/* The count a marker's ▲ / ▼ sits at: the desired count it leaves. */
static int marker_count_after(const ecsim_timeline *tl, const ecsim_timeline_marker *m)
{
    int count;
    ecsim_marker_class cls = ecsim_timeline_marker_class(m->kind);
    if ((cls == ECSIM_MARKER_SCALE_OUT || cls == ECSIM_MARKER_SCALE_IN) &&
        scale_marker_count(m, &count))
        return count;
    return desired_after(tl, m->time_s);
}

static void put_dat_num(FILE *out, double v)
{
    char buf[64];
    fputc(' ', out);
    fputs(gp_num(buf, sizeof buf, v), out);
}

/* One data row: timeline row `r` sampled at time_s, its period values
 * over [start_s, time_s]. */
static void put_dat_row(FILE *out, const ecsim_timeline_row *r, double time_s, double start_s)
{
    char buf[64];
    fputs(gp_num(buf, sizeof buf, time_s), out);
    put_dat_num(out, r->demand_rps);
    put_dat_num(out, r->capacity_rps);
    fprintf(out, " %d %d %d", r->desired, r->running, r->pending);
    put_dat_num(out, r->cpu_pct);
    put_dat_num(out, r->served_rps);
    put_dat_num(out, r->unserved_rps);
    put_dat_num(out, r->p50_ms);
    put_dat_num(out, r->p95_ms);
    put_dat_num(out, r->p99_ms);
    put_dat_num(out, r->cost_usd);
    put_dat_num(out, r->memory_pct);
    put_dat_num(out, r->target);
    put_dat_num(out, start_s);
    fputc('\n', out);
}

/* Element-wise minimum (`want_max` false) or maximum of two rows' values;
 * NaN (not set) loses to any number. */
static double pick(double a, double b, bool want_max)
{
    if (isnan(a))
        return b;
    if (isnan(b))
        return a;
    return want_max ? (b > a ? b : a) : (b < a ? b : a);
}

static void fold_row(ecsim_timeline_row *acc, const ecsim_timeline_row *r, bool want_max)
{
    acc->demand_rps = pick(acc->demand_rps, r->demand_rps, want_max);
    acc->capacity_rps = pick(acc->capacity_rps, r->capacity_rps, want_max);
    acc->desired = want_max ? (r->desired > acc->desired ? r->desired : acc->desired)
                            : (r->desired < acc->desired ? r->desired : acc->desired);
    acc->running = want_max ? (r->running > acc->running ? r->running : acc->running)
                            : (r->running < acc->running ? r->running : acc->running);
    acc->pending = want_max ? (r->pending > acc->pending ? r->pending : acc->pending)
                            : (r->pending < acc->pending ? r->pending : acc->pending);
    acc->cpu_pct = pick(acc->cpu_pct, r->cpu_pct, want_max);
    acc->served_rps = pick(acc->served_rps, r->served_rps, want_max);
    acc->unserved_rps = pick(acc->unserved_rps, r->unserved_rps, want_max);
    acc->p50_ms = pick(acc->p50_ms, r->p50_ms, want_max);
    acc->p95_ms = pick(acc->p95_ms, r->p95_ms, want_max);
    acc->p99_ms = pick(acc->p99_ms, r->p99_ms, want_max);
    acc->cost_usd = pick(acc->cost_usd, r->cost_usd, want_max);
    acc->memory_pct = pick(acc->memory_pct, r->memory_pct, want_max);
    acc->target = pick(acc->target, r->target, want_max);
}

/* Rows per decimation bucket: 1 up to PLOT_MAX_PERIODS periods. */
static size_t bucket_size(size_t n)
{
    return n > PLOT_MAX_PERIODS ? (n + PLOT_MAX_PERIODS / 2 - 1) / (PLOT_MAX_PERIODS / 2) : 1;
}

/* Index 0: the rows (decimated past PLOT_MAX_PERIODS periods). */
static void write_rows(const ecsim_timeline *tl, size_t bucket, FILE *out)
{
    size_t n = ecsim_timeline_count(tl);
    double start = 0;
    for (size_t i = 0; i < n && bucket == 1; i++) {
        const ecsim_timeline_row *r = ecsim_timeline_row_at(tl, i);
        /* A timeline row is sampled at its time, the end of its period. */
        put_dat_row(out, r, r->time_s, start);
        start = r->time_s;
    }
    /* A plot cannot show more points than it has pixels: past
     * PLOT_MAX_PERIODS periods (a year of 1-minute periods is 525,600), each
     * bucket of consecutive periods becomes two rows, the minimum of every
     * column over the bucket then its maximum, each over half the bucket's
     * time, so spikes and dips stay visible and gnuplot's work is bounded. */
    for (size_t i = 0; i < n && bucket > 1; i += bucket) {
        size_t end = i + bucket < n ? i + bucket : n;
        ecsim_timeline_row lo = *ecsim_timeline_row_at(tl, i), hi = lo;
        for (size_t j = i + 1; j < end; j++) {
            const ecsim_timeline_row *r = ecsim_timeline_row_at(tl, j);
            fold_row(&lo, r, false);
            fold_row(&hi, r, true);
        }
        double stop = ecsim_timeline_row_at(tl, end - 1)->time_s;
        double mid = start + (stop - start) / 2;
        put_dat_row(out, &lo, mid, start);
        put_dat_row(out, &hi, stop, mid);
        start = stop;
    }
    if (n > 0) {
        const ecsim_timeline_row *last = ecsim_timeline_row_at(tl, n - 1);
        put_dat_row(out, last, last->time_s, last->time_s);
    }
}

/* Layout of the top panel in pixels, for placing marker labels; the
 * fractions are the template's (l_edge, r_edge, top_t, top_b). */
#define PLOT_PANEL_W_FRAC (0.72 - 0.08)
#define PLOT_PANEL_H_FRAC(lat) ((lat) ? 0.92 - 0.53 : 0.92 - 0.40)
#define PLOT_LABEL_CHAR_PX 6.0   /* a character of the 9-point label font, about */
#define PLOT_LABEL_LINE_PX 16.0  /* the width a rotated label takes across the x axis */
#define PLOT_LABEL_FOLD_PX 4.0   /* markers closer than this share one line and one label */
#define PLOT_LABEL_MAX_CHARS 30  /* longer labels are cut by the template */
#define PLOT_LABEL_TOP 0.98      /* top of the first row of labels, fraction of the axis */
#define PLOT_LABEL_ROWS 3        /* labels are staggered over at most this many heights */

/* Where each marker's label goes (index 1's last two columns). Events and
 * failures closer than PLOT_LABEL_FOLD_PX are drawn on one line: only the
 * most telling marker of such a group is labelled, with "(+N)" for the
 * others. Labels that would still touch one another (rotated labels closer
 * than PLOT_LABEL_LINE_PX) are staggered: each goes to the highest of
 * PLOT_LABEL_ROWS heights whose last label is far enough to the left; a
 * label with no free height is not drawn (its line still is). */
typedef struct label_place {
    int others;    /* markers of its group labelled with it, or -1: not labelled */
    double top;    /* top of the label, fraction of the rps axis */
} label_place;

static int place_labels(const ecsim_timeline *tl, const ecsim_plot_options *opt,
                        bool has_latency, double span, label_place *place)
{
    size_t count = ecsim_timeline_marker_count(tl);
    int width = opt && opt->width_px > 0 ? opt->width_px : PLOT_DEFAULT_WIDTH;
    int height = opt && opt->height_px > 0 ? opt->height_px : PLOT_DEFAULT_HEIGHT;
    double px_per_s = span > 0 ? width * PLOT_PANEL_W_FRAC / span : 0;
    double panel_px = height * PLOT_PANEL_H_FRAC(has_latency);
    double near_s = px_per_s > 0 ? PLOT_LABEL_LINE_PX / px_per_s : 0;
    double fold_s = px_per_s > 0 ? PLOT_LABEL_FOLD_PX / px_per_s : 0;
    for (size_t i = 0; i < count; i++) {
        place[i].others = -1;
        place[i].top = NAN;
    }
    /* Groups: consecutive events within fold_s of the group's first. */
    size_t longest = 0;
    for (size_t i = 0; i < count;) {
        ecsim_timeline_marker m;
        ecsim_timeline_marker_get(tl, i, &m);
        if ((int)ecsim_timeline_marker_class(m.kind) < ECSIM_MARKER_EVENT) {
            i++;
            continue;
        }
        size_t best = i, end = i + 1;
        int best_rank = marker_rank(m.kind), others = 0;
        for (size_t j = i + 1; j < count; j++) {
            ecsim_timeline_marker o;
            ecsim_timeline_marker_get(tl, j, &o);
            if (o.time_s - m.time_s >= fold_s)
                break;
            end = j + 1;
            if ((int)ecsim_timeline_marker_class(o.kind) < ECSIM_MARKER_EVENT)
                continue;
            others++;
            if (marker_rank(o.kind) > best_rank) {
                best_rank = marker_rank(o.kind);
                best = j;
            }
        }
        place[best].others = others;
        ecsim_timeline_marker_get(tl, best, &m);
        size_t len = strlen(*m.label ? m.label : m.kind) + (others > 0 ? 5 : 0);
        if (len > PLOT_LABEL_MAX_CHARS)
            len = PLOT_LABEL_MAX_CHARS;
        if (len > longest)
            longest = len;
        i = end;
    }
    /* Heights: one row of labels per longest label, at most PLOT_LABEL_ROWS. */
    double row_frac = panel_px > 0 ? (longest * PLOT_LABEL_CHAR_PX + 12.0) / panel_px : 1;
    int rows = row_frac > 0 ? (int)floor(PLOT_LABEL_TOP / row_frac) : 1;
    rows = rows < 1 ? 1 : rows > PLOT_LABEL_ROWS ? PLOT_LABEL_ROWS : rows;
    double last_x[PLOT_LABEL_ROWS];
    for (int k = 0; k < PLOT_LABEL_ROWS; k++)
        last_x[k] = -INFINITY;
    for (size_t i = 0; i < count; i++) {
        if (place[i].others < 0)
            continue;
        ecsim_timeline_marker m;
        ecsim_timeline_marker_get(tl, i, &m);
        int k = 0;
        while (k < rows && m.time_s - last_x[k] < near_s)
            k++;
        if (k == rows) {
            place[i].others = -1;
            continue;
        }
        last_x[k] = m.time_s;
        place[i].top = PLOT_LABEL_TOP - k * row_frac;
    }
    return 0;
}

/* Index 2: the desired count as steps at the instants it changed. The
 * rows sample it at the end of each period; a scale action (▲ / ▼ marker)
 * changes it at its own time, which may fall inside a period, so its
 * marker's count is inserted at its time (after a row of the same time,
 * which was sampled first). Decimated data keeps the rows alone. */
static void write_desired_steps(const ecsim_timeline *tl, bool decimated, FILE *out)
{
    size_t n = ecsim_timeline_count(tl), count = ecsim_timeline_marker_count(tl);
    size_t k = 0;
    char buf[64];
    for (size_t i = 0; i < n; i++) {
        const ecsim_timeline_row *r = ecsim_timeline_row_at(tl, i);
        double t = r->time_s;
        int desired = r->desired;
        fprintf(out, "%s %d\n", gp_num(buf, sizeof buf, t), desired);
        double next = i + 1 < n ? ecsim_timeline_row_at(tl, i + 1)->time_s : INFINITY;
        for (; !decimated && k < count; k++) {
            ecsim_timeline_marker m;
            ecsim_timeline_marker_get(tl, k, &m);
            if (m.time_s >= next)
                break;
            int after;
            ecsim_marker_class cls = ecsim_timeline_marker_class(m.kind);
            if (m.time_s < t || (cls != ECSIM_MARKER_SCALE_OUT && cls != ECSIM_MARKER_SCALE_IN) ||
                !scale_marker_count(&m, &after))
                continue;
            fprintf(out, "%s %d\n", gp_num(buf, sizeof buf, m.time_s), after);
        }
    }
}

static int write_dat(const ecsim_timeline *tl, const ecsim_plot_options *opt, bool has_latency,
                     FILE *out)
{
    size_t n = ecsim_timeline_count(tl);
    size_t bucket = bucket_size(n);
    fputs("# ecsim demand/capacity data for demand_capacity.gp\n"
          "# index 0: timeline.csv's rows and columns, then start_s. A row is sampled at\n"
          "# time_s, the end of its metric period [start_s, time_s]: desired, running,\n"
          "# pending and cost_usd are the values at time_s; the other columns are means\n"
          "# (or, for latency, percentiles) over the period. NaN = not set. A last row\n"
          "# at the final time_s (start_s = time_s) closes the period steps.\n",
          out);
    if (bucket > 1)
        fprintf(out,
                "# decimated: %zu periods in buckets of %zu, each bucket as two rows (the\n"
                "# minimum of every column over the bucket, then the maximum)\n",
                n, bucket);
    fputs("# time_s demand_rps capacity_rps desired running pending cpu_pct served_rps"
          " unserved_rps p50_ms p95_ms p99_ms cost_usd memory_pct target start_s\n",
          out);
    write_rows(tl, bucket, out);
    /* Two blank lines start gnuplot's next index. */
    fputs("\n\n# index 1: markers; class 1 scale out, 2 scale in, 3 event, 4 failure\n"
          "# time_s class desired_after kind label show_label label_top\n"
          "# (desired_after: the desired count the marker leaves; label_top: where the\n"
          "# label starts, a fraction of the rps axis; NaN when not labelled)\n",
          out);
    double span = n > 0 ? ecsim_timeline_row_at(tl, n - 1)->time_s : 0;
    if (opt && isfinite(opt->duration_s) && opt->duration_s > 0)
        span = opt->duration_s;
    size_t count = ecsim_timeline_marker_count(tl);
    label_place *place = ecsim_reallocarray(NULL, count ? count : 1, sizeof *place);
    if (!place)
        return ECSIM_ENOMEM;
    place_labels(tl, opt, has_latency, span, place);
    for (size_t i = 0; i < count; i++) {
        ecsim_timeline_marker m;
        char buf[64];
        ecsim_timeline_marker_get(tl, i, &m);
        int cls = (int)ecsim_timeline_marker_class(m.kind);
        bool show = place[i].others >= 0;
        fprintf(out, "%s %d %d %s ", gp_num(buf, sizeof buf, m.time_s), cls,
                marker_count_after(tl, &m), m.kind);
        put_dat_label(out, &m, show ? place[i].others : 0);
        fprintf(out, " %d %s\n", show ? 1 : 0, gp_num(buf, sizeof buf, place[i].top));
    }
    ecsim_free(place);
    fputs("\n\n# index 2: the desired count at each row's time and at each scale action\n"
          "# time_s desired\n",
          out);
    write_desired_steps(tl, bucket > 1, out);
    return ferror(out) ? ECSIM_EIO : 0;
}

/* Write `text` (or the .dat) to dir/name atomically. */
static int write_atomic(const char *dir, const char *name, const char *text,
                        const ecsim_timeline *tl, const ecsim_plot_options *opt,
                        const plot_figures *fig)
{
    char *path = join_path(dir, name);
    if (!path)
        return ECSIM_ENOMEM;
    ecsim_outfile of;
    int rc = ecsim_outfile_open(&of, path);
    ecsim_free(path);
    if (rc)
        return rc;
    if (text)
        fputs(text, of.fp);
    else
        rc = write_dat(tl, opt, fig->has_latency, of.fp);
    if (rc == 0 && ferror(of.fp))
        rc = ECSIM_EIO;
    if (rc) {
        ecsim_outfile_abort(&of);
        return rc;
    }
    return ecsim_outfile_commit(&of);
}

/* ---- running gnuplot ------------------------------------------------------------ */

/* Find an executable: a name with a '/' is taken as a path; otherwise each
 * $PATH entry is tried, as execvp will. Returns true if one is found. */
static bool program_exists(const char *prog)
{
    if (!prog || !*prog)
        return false;
    if (strchr(prog, '/'))
        return access(prog, X_OK) == 0;
    const char *path = getenv("PATH");
    if (!path)
        path = "/usr/local/bin:/usr/bin:/bin";
    bool found = false;
    while (!found) {
        const char *colon = strchr(path, ':');
        size_t len = colon ? (size_t)(colon - path) : strlen(path);
        char *dir = ecsim_strndup(len ? path : ".", len ? len : 1);
        if (!dir)
            return false;
        char *full = join_path(dir, prog);
        ecsim_free(dir);
        if (!full)
            return false;
        struct stat st;
        found = access(full, X_OK) == 0 && stat(full, &st) == 0 && S_ISREG(st.st_mode);
        ecsim_free(full);
        if (!colon)
            break;
        path = colon + 1;
    }
    return found;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* How a child process ended. */
typedef struct plot_run {
    int exited;          /* 1 if it exited normally */
    int exit_status;     /* its exit status, when exited */
    int signal;          /* the signal that ended it, otherwise */
    int timed_out;       /* 1 if we killed it */
    int interrupted;     /* 1 if we stopped it for SIGINT / SIGTERM */
    char err[PLOT_STDERR_KEEP + 1];   /* the start of its stderr */
    size_t err_len;
} plot_run;

/* Run argv[0] (found on PATH) with stdin from /dev/null, in `cwd` (NULL =
 * ours), its stdout copied to `out` (NULL = discarded) and the start of its
 * stderr kept in run->err; kill it after timeout_s. 0, or ECSIM_EIO if it
 * could not be started. */
static int run_program(char *const argv[], const char *cwd, FILE *out, double timeout_s,
                       plot_run *run)
{
    int out_pipe[2] = {-1, -1}, err_pipe[2] = {-1, -1};
    memset(run, 0, sizeof *run);
    if (pipe(err_pipe) != 0)
        return ECSIM_EIO;
    if (out && pipe(out_pipe) != 0) {
        close(err_pipe[0]);
        close(err_pipe[1]);
        return ECSIM_EIO;
    }
    if (out)
        fflush(out);
    pid_t pid = fork();
    if (pid < 0) {
        close(err_pipe[0]);
        close(err_pipe[1]);
        if (out) {
            close(out_pipe[0]);
            close(out_pipe[1]);
        }
        return ECSIM_EIO;
    }
    if (pid == 0) {
        /* Child: only async-signal-safe calls until exec. */
        int devnull = open("/dev/null", O_RDWR);
        if (devnull < 0)
            _exit(127);
        dup2(devnull, STDIN_FILENO);
        dup2(out ? out_pipe[1] : devnull, STDOUT_FILENO);
        dup2(err_pipe[1], STDERR_FILENO);
        close(devnull);
        close(err_pipe[0]);
        close(err_pipe[1]);
        if (out) {
            close(out_pipe[0]);
            close(out_pipe[1]);
        }
        if (cwd && chdir(cwd) != 0) {
            static const char msg[] = "cannot change to the output folder\n";
            ssize_t w = write(STDERR_FILENO, msg, sizeof msg - 1);
            (void)w;
            _exit(127);
        }
        execvp(argv[0], argv);
        static const char msg[] = "cannot execute the program\n";
        ssize_t w = write(STDERR_FILENO, msg, sizeof msg - 1);
        (void)w;
        _exit(127);
    }
    close(err_pipe[1]);
    if (out)
        close(out_pipe[1]);

    /* Parent: drain both pipes (a full pipe would block the child) until
     * they close, then reap; kill the child at the deadline. */
    struct pollfd fds[2];
    fds[0].fd = err_pipe[0];
    fds[1].fd = out ? out_pipe[0] : -1;
    double deadline = now_s() + timeout_s;
    int status = 0;
    bool reaped = false;
    for (;;) {
        bool open_fds = fds[0].fd >= 0 || fds[1].fd >= 0;
        if (open_fds) {
            fds[0].events = fds[1].events = POLLIN;
            int pr = poll(fds, 2, 50);
            if (pr < 0 && errno != EINTR)
                break;
            for (int k = 0; k < 2 && pr > 0; k++) {
                if (fds[k].fd < 0 || !(fds[k].revents & (POLLIN | POLLHUP | POLLERR)))
                    continue;
                char chunk[4096];
                ssize_t got = read(fds[k].fd, chunk, sizeof chunk);
                if (got <= 0) {
                    if (got < 0 && errno == EINTR)
                        continue;
                    close(fds[k].fd);
                    fds[k].fd = -1;
                } else if (k == 0) {
                    size_t keep = PLOT_STDERR_KEEP - run->err_len;
                    if ((size_t)got < keep)
                        keep = (size_t)got;
                    memcpy(run->err + run->err_len, chunk, keep);
                    run->err_len += keep;
                } else {
                    fwrite(chunk, 1, (size_t)got, out);
                }
            }
        } else {
            pid_t w = waitpid(pid, &status, WNOHANG);
            if (w == pid) {
                reaped = true;
                break;
            }
            if (w < 0 && errno != EINTR)
                break;
            struct timespec nap = {0, 10 * 1000 * 1000};
            nanosleep(&nap, NULL);
        }
        if (now_s() > deadline) {
            kill(pid, SIGKILL);
            run->timed_out = 1;
            break;
        }
        if (ecsim_interrupted()) { /* never leave gnuplot running as an orphan */
            kill(pid, SIGTERM);
            run->interrupted = 1;
            break;
        }
    }
    for (int k = 0; k < 2; k++)
        if (fds[k].fd >= 0)
            close(fds[k].fd);
    if (!reaped) {
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
            ;
    }
    run->err[run->err_len] = '\0';
    if (WIFEXITED(status)) {
        run->exited = 1;
        run->exit_status = WEXITSTATUS(status);
    } else if (WIFSIGNALED(status)) {
        run->signal = WTERMSIG(status);
    }
    return 0;
}

/* Say on `msg` why gnuplot failed: one line, then the first lines of its
 * stderr, each indented. */
static void report_failure(FILE *msg, const char *prog, const plot_run *run)
{
    if (!msg)
        return;
    if (run->timed_out)
        fprintf(msg, "ecsim: %s did not finish in time and was stopped; plot not rendered\n",
                prog);
    else if (run->exited)
        fprintf(msg, "ecsim: %s failed (exit status %d); plot not rendered\n", prog,
                run->exit_status);
    else
        fprintf(msg, "ecsim: %s was killed by signal %d; plot not rendered\n", prog,
                run->signal);
    const char *p = run->err;
    int shown = 0;
    while (*p && shown < PLOT_STDERR_LINES) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        bool blank = true;
        for (size_t i = 0; i < len; i++)
            if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r' && p[i] != '^')
                blank = false;
        if (!blank) {
            fprintf(msg, "  %.*s\n", (int)len, p);
            shown++;
        }
        p += len + (nl ? 1 : 0);
    }
}

/* Quote a folder name for the "cd DIR && gnuplot ..." hint when it needs
 * it (POSIX shell single quotes). */
static void put_shell_word(FILE *out, const char *s)
{
    bool plain = *s != '\0';
    for (const char *p = s; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              strchr("_./-+,:=@%", *p)))
            plain = false;
    if (plain) {
        fputs(s, out);
        return;
    }
    fputc('\'', out);
    for (; *s; s++) {
        if (*s == '\'')
            fputs("'\\''", out);
        else
            fputc(*s, out);
    }
    fputc('\'', out);
}

/* Create an empty, uniquely named temporary file dir/.NAME.tmp.XXXXXX for
 * gnuplot to draw into; *path gets its full path. */
static int make_temp(const char *dir, const char *name, char **path)
{
    size_t nl = strlen(name);
    char *base = ecsim_malloc(nl + 16);
    if (!base)
        return ECSIM_ENOMEM;
    snprintf(base, nl + 16, ".%s.tmp.XXXXXX", name);
    *path = join_path(dir, base);
    ecsim_free(base);
    if (!*path)
        return ECSIM_ENOMEM;
    int fd = mkstemp(*path);
    if (fd < 0) {
        ecsim_free(*path);
        *path = NULL;
        return ECSIM_EIO;
    }
    /* mkstemp makes 0600; a plot is as readable as the other outputs. */
    (void)fchmod(fd, 0644);
    close(fd);
    return 0;
}

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

static bool file_nonempty(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && st.st_size > 0;
}

/* Run the script in out_dir into temporary files, and rename them into
 * place if gnuplot succeeded. */
static int render(const char *prog, const char *out_dir, double timeout_s, FILE *msg)
{
    char *png_tmp = NULL, *svg_tmp = NULL, *expr = NULL;
    int rc = make_temp(out_dir, PLOT_PNG_NAME, &png_tmp);
    if (rc)
        goto out_none;
    rc = make_temp(out_dir, PLOT_SVG_NAME, &svg_tmp);
    if (rc)
        goto out_png;
    /* Temporary names are [.A-Za-z0-9_] only: safe inside quotes. */
    size_t len = strlen(png_tmp) + strlen(svg_tmp) + 64;
    expr = ecsim_malloc(len);
    if (!expr) {
        rc = ECSIM_ENOMEM;
        goto out_svg;
    }
    snprintf(expr, len, "png_out='%s'; svg_out='%s'", base_name(png_tmp), base_name(svg_tmp));
    char *argv[] = {(char *)prog, "-e", expr, PLOT_TEMPLATE_NAME, NULL};
    plot_run *run = ecsim_malloc(sizeof *run);
    if (!run) {
        rc = ECSIM_ENOMEM;
        goto out_svg;
    }
    rc = run_program(argv, out_dir, NULL, timeout_s, run);
    if (rc == 0 && run->interrupted) {
        rc = ECSIM_EINTR; /* gnuplot stopped; the caller reports the signal */
    } else if (rc == 0 && !(run->exited && run->exit_status == 0)) {
        report_failure(msg, prog, run);
        rc = ECSIM_EIO;
    } else if (rc == 0 && !(file_nonempty(png_tmp) && file_nonempty(svg_tmp))) {
        if (msg)
            fprintf(msg, "ecsim: %s wrote no image; plot not rendered\n", prog);
        rc = ECSIM_EIO;
    } else if (rc) {
        if (msg)
            fprintf(msg, "ecsim: could not run %s; plot not rendered\n", prog);
    }
    ecsim_free(run);
    if (rc)
        goto out_svg;
    char *png = join_path(out_dir, PLOT_PNG_NAME);
    char *svg = join_path(out_dir, PLOT_SVG_NAME);
    if (!png || !svg)
        rc = ECSIM_ENOMEM;
    else if (rename(png_tmp, png) != 0 || rename(svg_tmp, svg) != 0)
        rc = ECSIM_EIO;
    ecsim_free(png);
    ecsim_free(svg);
out_svg:
    unlink(svg_tmp);   /* no-op after a successful rename */
    ecsim_free(svg_tmp);
out_png:
    unlink(png_tmp);
    ecsim_free(png_tmp);
out_none:
    ecsim_free(expr);
    return rc;
}

int ecsim_plot_demand_capacity(const ecsim_timeline *tl, const ecsim_plot_options *opt,
                               const char *out_dir, FILE *msg)
{
    ecsim_plot_options defaults;
    if (!opt) {
        ecsim_plot_options_init(&defaults);
        opt = &defaults;
    }
    if (ecsim_timeline_count(tl) == 0) {
        if (msg)
            fprintf(msg, "ecsim: the timeline is empty; no demand/capacity plot\n");
        return ECSIM_EINVAL;
    }
    char *tmpl = NULL, *script = NULL;
    int rc = ecsim_mkdirs(out_dir);
    if (rc)
        return rc;
    rc = load_template(opt, &tmpl);
    if (rc) {
        if (msg && rc == ECSIM_ENOENT)
            fprintf(msg, "ecsim: no %s in %s\n", PLOT_TEMPLATE_NAME, opt->template_dir);
        return rc;
    }
    plot_figures fig;
    compute_figures(tl, opt, &fig);
    rc = make_script(tl, opt, &fig, tmpl, &script);
    if (rc)
        goto out_template;
    rc = write_atomic(out_dir, PLOT_DATA_NAME, NULL, tl, opt, &fig);
    if (rc)
        goto out_script;
    rc = write_atomic(out_dir, PLOT_TEMPLATE_NAME, script, tl, opt, &fig);
    if (rc || !opt->render)
        goto out_script;
    const char *prog = opt->gnuplot ? opt->gnuplot : "gnuplot";
    if (!program_exists(prog)) {
        if (msg) {
            fprintf(msg, "ecsim: %s not found; plot not rendered. To render it: cd ", prog);
            put_shell_word(msg, opt->shown_dir ? opt->shown_dir : out_dir);
            fprintf(msg, " && gnuplot %s\n", PLOT_TEMPLATE_NAME);
        }
        goto out_script;
    }
    rc = render(prog, out_dir, opt->timeout_s > 0 ? opt->timeout_s : PLOT_DEFAULT_TIMEOUT_S,
                msg);
out_script:
    ecsim_free(script);
out_template:
    ecsim_free(tmpl);
    return rc;
}

/* ---- terminal previews ---------------------------------------------------------- */

/* The previews draw the window [0, until_s]: the run from its start to the
 * moment asked for (a step of `ecsim step`), so the window always holds
 * that moment. Each row's period values hold over its period [previous
 * row's time, its time], as on the full plot; the stretch after the last
 * completed period (the period under way at until_s) has no data yet and
 * stays empty. */

/* Rows with time_s <= until_s (all of them for NaN). */
static size_t rows_until(const ecsim_timeline *tl, double until_s)
{
    size_t n = ecsim_timeline_count(tl);
    if (isnan(until_s))
        return n;
    size_t k = 0;
    while (k < n && ecsim_timeline_row_at(tl, k)->time_s <= until_s)
        k++;
    return k;
}

/* The end of the window: until_s, or the last row's time for NaN (or an
 * until_s before it). */
static double window_end(const ecsim_timeline *tl, size_t n, double until_s)
{
    double last = ecsim_timeline_row_at(tl, n - 1)->time_s;
    return isfinite(until_s) && until_s > last ? until_s : last;
}

/* Bin one series into `cols` columns over [0, end_s]: the time-weighted
 * mean of the periods that overlap each bin; NaN for a bin no period
 * covers (after the last row). One pass over the rows. */
static void bin_series(const ecsim_timeline *tl, size_t n, double end_s, bool capacity,
                       double *bins, double *weight, int cols)
{
    double width = end_s / cols;
    for (int c = 0; c < cols; c++)
        bins[c] = weight[c] = 0;
    double start = 0;
    for (size_t i = 0; i < n; i++) {
        const ecsim_timeline_row *row = ecsim_timeline_row_at(tl, i);
        double a = start, b = row->time_s;
        start = b;
        double v = capacity ? row->capacity_rps : row->demand_rps;
        if (!isfinite(v) || !(b > a))
            continue;
        int c = (int)floor(a / width);
        for (c = c < 0 ? 0 : c; c < cols && c * width < b; c++) {
            double w = fmin(b, (c + 1) * width) - fmax(a, c * width);
            if (w > 0) {
                bins[c] += v * w;
                weight[c] += w;
            }
        }
    }
    for (int c = 0; c < cols; c++)
        bins[c] = weight[c] > 0 ? bins[c] / weight[c] : NAN;
}

int ecsim_plot_ascii_preview(const ecsim_timeline *tl, double until_s, int width, int height,
                             FILE *out)
{
    size_t n = rows_until(tl, until_s);
    if (n == 0) {
        fputs("demand / capacity: no data yet\n", out);
        return ferror(out) ? ECSIM_EIO : 0;
    }
    int w = width < 24 ? 24 : width > 1000 ? 1000 : width;
    int h = height < 6 ? 6 : height > 200 ? 200 : height;
    int nrows = h - 3;
    double ymax = 0;
    for (size_t i = 0; i < n; i++) {
        const ecsim_timeline_row *r = ecsim_timeline_row_at(tl, i);
        if (isfinite(r->demand_rps) && r->demand_rps > ymax)
            ymax = r->demand_rps;
        if (isfinite(r->capacity_rps) && r->capacity_rps > ymax)
            ymax = r->capacity_rps;
    }
    if (!(ymax > 0))
        ymax = 1;
    char top[64];
    ecsim_fmt_num(top, sizeof top, floor(ymax * 10 + 0.5) / 10);
    int gutter = (int)strlen(top) + 1;
    int cols = w - gutter - 1;
    if (cols < 8)
        cols = 8;
    double end_s = window_end(tl, n, until_s);
    if (!(end_s > 0))
        end_s = 1;
    double *bins = ecsim_calloc(3 * (size_t)cols, sizeof *bins); /* demand, capacity, scratch */
    char *line = ecsim_malloc((size_t)(gutter + cols + 2));
    if (!bins || !line) {
        ecsim_free(bins);
        ecsim_free(line);
        return ECSIM_ENOMEM;
    }
    bin_series(tl, n, end_s, false, bins, bins + 2 * cols, cols);
    bin_series(tl, n, end_s, true, bins + cols, bins + 2 * cols, cols);

    fputs("demand * / capacity o / both # (rps)\n", out);
    for (int level = nrows - 1; level >= 0; level--) {
        const char *label = level == nrows - 1 ? top : level == 0 ? "0" : "";
        int at = snprintf(line, (size_t)gutter + 1, "%*s ", gutter - 1, label);
        line[at++] = '|';
        for (int c = 0; c < cols; c++) {
            char ch = ' ';
            for (int s = 0; s < 2; s++) {
                double v = bins[s * cols + c];
                if (!isfinite(v))
                    continue;
                int lv = (int)floor(v / ymax * (nrows - 1) + 0.5);
                lv = lv < 0 ? 0 : lv > nrows - 1 ? nrows - 1 : lv;
                if (lv == level)
                    ch = (ch == ' ') ? (s == 0 ? '*' : 'o') : '#';
            }
            line[at++] = ch;
        }
        while (at > 0 && line[at - 1] == ' ')
            at--;
        line[at] = '\0';
        fprintf(out, "%s\n", line);
    }
    fprintf(out, "%*s+", gutter, "");
    for (int c = 0; c < cols; c++)
        fputc('-', out);
    fputc('\n', out);
    /* The window's two ends, as the step headers write times. */
    char start[32], end[32];
    ecsim_fmt_clock(start, sizeof start, 0);
    ecsim_fmt_clock(end, sizeof end, end_s);
    int pad = cols - (int)strlen(start) - (int)strlen(end) + 1;
    fprintf(out, "%*s%s%*s%s\n", gutter, "", start, pad > 1 ? pad : 1, "", end);
    ecsim_free(bins);
    ecsim_free(line);
    return ferror(out) ? ECSIM_EIO : 0;
}

/* The gnuplot preview: a script with the data inline, in a temporary file
 * (gnuplot's stdin stays /dev/null), drawn by the dumb terminal. */
static int gnuplot_preview(const ecsim_timeline *tl, size_t n, double until_s, int width,
                           int height, FILE *out)
{
    const char *tmpdir = getenv("TMPDIR");
    char *path = join_path(tmpdir && *tmpdir ? tmpdir : "/tmp", "ecsim-preview-XXXXXX");
    if (!path)
        return ECSIM_ENOMEM;
    int fd = mkstemp(path);
    if (fd < 0) {
        ecsim_free(path);
        return ECSIM_EIO;
    }
    FILE *fp = fdopen(fd, "w");
    if (!fp) {
        close(fd);
        unlink(path);
        ecsim_free(path);
        return ECSIM_EIO;
    }
    double end_s = window_end(tl, n, until_s);
    double div = end_s >= 7200 ? 3600 : end_s >= 120 ? 60 : 1;
    double ymax = 0;
    fprintf(fp, "set terminal dumb size %d,%d\n", width, height);
    /* One row per period, at its start, and a last row at the end of the
     * last period: steps then hold each value over its own period. */
    fputs("set datafile missing NaN\n$data << EOD\n", fp);
    double start = 0;
    for (size_t i = 0; i <= n; i++) {
        const ecsim_timeline_row *r = ecsim_timeline_row_at(tl, i < n ? i : n - 1);
        char a[64], b[64], c[64];
        fprintf(fp, "%s %s %s\n", gp_num(a, sizeof a, (i < n ? start : r->time_s) / div),
                gp_num(b, sizeof b, r->demand_rps), gp_num(c, sizeof c, r->capacity_rps));
        start = r->time_s;
        if (isfinite(r->demand_rps) && r->demand_rps > ymax)
            ymax = r->demand_rps;
        if (isfinite(r->capacity_rps) && r->capacity_rps > ymax)
            ymax = r->capacity_rps;
    }
    /* Headroom: a curve at the top of the range, or at 0, would hide in
     * the frame; the key goes below the chart, off the curves. */
    char top[64], bottom[64], right[64], clock[32];
    double ytop = nice_ceil(ymax * 1.2);
    gp_num(top, sizeof top, ytop);
    gp_num(bottom, sizeof bottom, -ytop / 8); /* a text row or more below 0 */
    gp_num(right, sizeof right, end_s / div);
    ecsim_fmt_clock(clock, sizeof clock, end_s);
    fprintf(fp,
            "EOD\nset xlabel 'time (%s), up to %s'\nset ylabel 'rps'\n"
            "set key below horizontal\nset xrange [0:%s]\nset yrange [%s:%s]\n"
            "plot $data using 1:2 with steps title 'demand', "
            "$data using 1:3 with steps title 'capacity'\n",
            end_s >= 7200 ? "h" : end_s >= 120 ? "min" : "s", clock, right, bottom, top);
    int rc = (ferror(fp) | fclose(fp)) ? ECSIM_EIO : 0;
    plot_run *run = NULL;
    if (rc == 0) {
        run = ecsim_malloc(sizeof *run);
        if (!run)
            rc = ECSIM_ENOMEM;
    }
    if (rc == 0) {
        char *argv[] = {"gnuplot", path, NULL};
        rc = run_program(argv, NULL, out, PLOT_DEFAULT_TIMEOUT_S, run);
        if (rc == 0 && !(run->exited && run->exit_status == 0))
            rc = ECSIM_EIO;
    }
    ecsim_free(run);
    unlink(path);
    ecsim_free(path);
    return rc;
}

int ecsim_plot_preview(const ecsim_timeline *tl, double until_s, int width, int height,
                       FILE *out)
{
    size_t n = rows_until(tl, until_s);
    if (n == 0 || !program_exists("gnuplot"))
        return ecsim_plot_ascii_preview(tl, until_s, width, height, out);
    int w = width < 24 ? 24 : width, h = height < 6 ? 6 : height;
    int rc = gnuplot_preview(tl, n, until_s, w, h, out);
    if (rc == ECSIM_EIO)   /* gnuplot there but broken: the preview still shows */
        rc = ecsim_plot_ascii_preview(tl, until_s, width, height, out);
    return rc;
}
