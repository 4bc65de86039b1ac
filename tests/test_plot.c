/* Tests for the plots (include/ecsim/plot.h): the .dat and .gp against
 * goldens in tests/golden/plot/ (ECSIM_UPDATE_GOLDEN=1 rewrites them),
 * placeholder substitution and template lookup, the compiled-in template
 * against plots/demand_capacity.gp, rendering with the real gnuplot
 * (skipped when it is not installed), a gnuplot that does not exist, one
 * that fails (/bin/false), and the ASCII preview's exact text.
 * Tests run from the repository root. */
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

#include "ecsim/alloc.h"
#include "ecsim/error.h"
#include "ecsim/plot.h"
#include "ecsim/timeline.h"

/* ---- helpers ------------------------------------------------------------------ */

static char *slurp_fp(FILE *fp)
{
    assert_int_equal(fseek(fp, 0, SEEK_END), 0);
    long len = ftell(fp);
    assert_true(len >= 0);
    rewind(fp);
    char *s = malloc((size_t)len + 1);
    assert_non_null(s);
    assert_int_equal(fread(s, 1, (size_t)len, fp), (size_t)len);
    s[len] = '\0';
    return s;
}

static char *slurp(const char *path)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    char *s = slurp_fp(fp);
    fclose(fp);
    return s;
}

static char *path_in(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);
    assert_non_null(p);
    snprintf(p, n, "%s/%s", dir, name);
    return p;
}

static bool exists_in(const char *dir, const char *name)
{
    char *p = path_in(dir, name);
    struct stat st;
    bool ok = stat(p, &st) == 0;
    free(p);
    return ok;
}

static long size_in(const char *dir, const char *name)
{
    char *p = path_in(dir, name);
    struct stat st;
    long size = stat(p, &st) == 0 ? (long)st.st_size : -1;
    free(p);
    return size;
}

/* Files in dir whose name contains ".tmp" (left-over temporaries). */
static int temporaries_in(const char *dir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    int count = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (strstr(e->d_name, ".tmp"))
            count++;
    closedir(d);
    return count;
}

static void remove_tree(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char *p = path_in(dir, e->d_name);
        struct stat st;
        if (stat(p, &st) == 0 && S_ISDIR(st.st_mode))
            remove_tree(p);
        else
            unlink(p);
        free(p);
    }
    closedir(d);
    rmdir(dir);
}

static char *make_temp_dir(void)
{
    char tmpl[] = "/tmp/ecsim-test-plot-XXXXXX";
    char *d = mkdtemp(tmpl);
    assert_non_null(d);
    char *copy = malloc(strlen(d) + 1);
    assert_non_null(copy);
    strcpy(copy, d);
    return copy;
}

static void check_golden(const char *text, const char *path)
{
    if (getenv("ECSIM_UPDATE_GOLDEN")) {
        FILE *fp = fopen(path, "wb");
        assert_non_null(fp);
        fputs(text, fp);
        fclose(fp);
    }
    char *expected = slurp(path);
    assert_non_null(expected);
    assert_string_equal(text, expected);
    free(expected);
}

static bool gnuplot_on_path(void)
{
    const char *path = getenv("PATH");
    if (!path)
        return false;
    char *copy = malloc(strlen(path) + 1);
    assert_non_null(copy);
    strcpy(copy, path);
    bool found = false;
    for (char *save = NULL, *dir = strtok_r(copy, ":", &save); dir && !found;
         dir = strtok_r(NULL, ":", &save)) {
        char *p = path_in(dir, "gnuplot");
        found = access(p, X_OK) == 0;
        free(p);
    }
    free(copy);
    return found;
}

/* A small timeline: 10 minutes of one-minute periods, a demand step at 3
 * min, tasks following 2 min later, a scale-out, a failure, a scale-in. */
static ecsim_timeline *small_timeline(bool latency)
{
    ecsim_timeline *tl = ecsim_timeline_create();
    assert_non_null(tl);
    for (int i = 0; i <= 10; i++) {
        ecsim_timeline_row r = ecsim_timeline_row_empty();
        r.time_s = i * 60.0;
        r.demand_rps = i < 3 ? 100 : i < 8 ? 350 : 120;
        r.desired = i < 3 ? 2 : i < 9 ? 4 : 2;
        r.running = i < 5 ? 2 : r.desired;
        r.pending = r.desired - r.running;
        r.capacity_rps = r.running * 100.0;
        double load = r.demand_rps < r.capacity_rps ? r.demand_rps : r.capacity_rps;
        r.cpu_pct = load / r.capacity_rps * 100;
        r.served_rps = load;
        r.unserved_rps = r.demand_rps - load;
        r.cost_usd = i * 0.001;
        r.target = 60;
        if (latency) {
            r.p50_ms = 20 + i;
            r.p95_ms = 60 + 2 * i;
            r.p99_ms = 110 + 5 * i;
        }
        assert_int_equal(ecsim_timeline_append(tl, &r), 0);
    }
    assert_int_equal(ecsim_timeline_add_marker(tl, 180, "scale_out", "desired 2 -> 4"), 0);
    assert_int_equal(ecsim_timeline_add_marker(tl, 240, "task_failed", "task \"a1\" exited"), 0);
    assert_int_equal(ecsim_timeline_add_marker(tl, 420, "deployment", NULL), 0);
    assert_int_equal(ecsim_timeline_add_marker(tl, 540, "scale_in", "desired 4 -> 2"), 0);
    return tl;
}

static void no_render_options(ecsim_plot_options *opt)
{
    ecsim_plot_options_init(opt);
    opt->scenario = "flash-crowd's test";
    opt->policy = "target_tracking";
    opt->target = 60;
    opt->duration_s = 600;
    opt->render = false;
}

/* The folder the tests started in (the repository root), and a teardown
 * that puts back what a failed test may have changed. */
static char start_dir[4096];

static int restore_process_state(void **state)
{
    (void)state;
    unsetenv("ECSIM_PLOTS_DIR");
    ecsim_alloc_fail_after(0);
    return chdir(start_dir);
}

/* ---- tests ---------------------------------------------------------------------- */

static void test_options_init(void **state)
{
    (void)state;
    ecsim_plot_options o;
    ecsim_plot_options_init(&o);
    assert_null(o.scenario);
    assert_null(o.gnuplot);
    assert_null(o.template_dir);
    assert_true(isnan(o.target));
    assert_int_equal(o.width_px, 1200);
    assert_int_equal(o.height_px, 900);
    assert_true(o.render);
    assert_true(o.timeout_s == 60);
}

static void test_builtin_matches_template_file(void **state)
{
    (void)state;
    char *file = slurp("plots/demand_capacity.gp");
    assert_non_null(file);
    char *builtin = ecsim_plot_builtin_template();
    assert_non_null(builtin);
    assert_string_equal(builtin, file);
    ecsim_free(builtin);
    free(file);
}

/* A year of 1-minute periods is not 525,600 points for gnuplot (issue 10
 * point 6): past 4,000 periods the data file holds two rows per bucket, the
 * minimum and the maximum of every column, so a one-period spike and a
 * one-period dip both survive and the row count is bounded. */
static void test_long_timeline_is_decimated(void **state)
{
    (void)state;
    char *dir = make_temp_dir();
    ecsim_timeline *tl = ecsim_timeline_create();
    assert_non_null(tl);
    const size_t n = 20000;
    for (size_t i = 0; i < n; i++) {
        ecsim_timeline_row r = ecsim_timeline_row_empty();
        r.time_s = 60.0 * (double)(i + 1);
        r.demand_rps = i == 12345 ? 9999 : 100;  /* one spike */
        r.capacity_rps = i == 777 ? 50 : 200;    /* one dip */
        r.desired = r.running = 2;
        r.cpu_pct = 50;
        assert_int_equal(ecsim_timeline_append(tl, &r), 0);
    }
    ecsim_plot_options opt;
    no_render_options(&opt);
    opt.duration_s = 60.0 * (double)n;
    assert_int_equal(ecsim_plot_demand_capacity(tl, &opt, dir, NULL), 0);
    char *p = path_in(dir, "demand_capacity.dat");
    char *dat = slurp(p);
    free(p);
    assert_non_null(dat);
    assert_non_null(strstr(dat, "# decimated: 20000 periods in buckets of 10"));
    size_t rows = 0;
    bool spike = false, dip = false;
    const char *idx1 = strstr(dat, "# index 1");
    assert_non_null(idx1);
    for (const char *line = dat; line && line < idx1; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
        if (*line == '#' || *line == '\n' || *line == '\0')
            continue;
        rows++;
        double start, demand, capacity;
        assert_int_equal(sscanf(line, "%lf %lf %lf", &start, &demand, &capacity), 3);
        spike |= demand == 9999;
        dip |= capacity == 50;
    }
    assert_int_equal(rows, 2 * (n / 10) + 1); /* two per bucket and the closing row */
    assert_true(spike);
    assert_true(dip);
    free(dat);
    ecsim_timeline_destroy(tl);
    remove_tree(dir);
    free(dir);
}

static void test_dat_and_gp_golden(void **state)
{
    (void)state;
    char *dir = make_temp_dir();
    ecsim_timeline *tl = small_timeline(false);
    ecsim_plot_options opt;
    no_render_options(&opt);
    FILE *msg = tmpfile();
    assert_int_equal(ecsim_plot_demand_capacity(tl, &opt, dir, msg), 0);
    char *m = slurp_fp(msg);
    assert_string_equal(m, ""); /* nothing to say when not rendering */
    free(m);
    fclose(msg);

    char *p = path_in(dir, "demand_capacity.dat");
    char *dat = slurp(p);
    free(p);
    assert_non_null(dat);
    check_golden(dat, "tests/golden/plot/demand_capacity.dat");
    /* two indexed blocks; the quote in the label became ' */
    assert_non_null(strstr(dat, "\n\n\n# index 1: markers"));
    /* the last columns: whether the label is drawn (events only, not
     * crowded) and how high; a scale marker sits at the count it leaves */
    assert_non_null(strstr(dat, "240 4 4 task_failed \"task 'a1' exited\" 1 0.98\n"));
    assert_non_null(strstr(dat, "420 3 4 deployment \"deployment\" 1 0.98\n"));
    assert_non_null(strstr(dat, "180 1 4 scale_out \"desired 2 -> 4\" 0 NaN\n"));
    /* index 2: the desired-count steps */
    assert_non_null(strstr(dat, "\n\n\n# index 2: the desired count"));
    free(dat);

    p = path_in(dir, "demand_capacity.gp");
    char *gp = slurp(p);
    free(p);
    assert_non_null(gp);
    check_golden(gp, "tests/golden/plot/demand_capacity.gp");
    assert_non_null(strstr(gp, "plot_title = 'flash-crowd''s test - policy: target_tracking'\n"));
    assert_non_null(strstr(gp, "datafile = 'demand_capacity.dat'\n"));
    assert_non_null(strstr(gp, "duration_s = 600\n"));
    assert_non_null(strstr(gp, "target_pct = 60\n"));
    assert_non_null(strstr(gp, "n_scale_out = 1\nn_scale_in = 1\nn_events = 1\nn_failures = 1\n"));
    assert_non_null(strstr(gp, "has_latency = 0\n"));
    assert_non_null(strstr(gp, "has_pending = 1\n"));
    assert_non_null(strstr(gp, "rps_max = 500\n")); /* 400 + 12 % headroom, rounded up */
    assert_non_null(strstr(gp, "img_w = 1200\nimg_h = 900\n"));
    /* every placeholder filled in */
    for (const char *at = strchr(gp, '@'); at; at = strchr(at + 1, '@')) {
        const char *q = at + 1;
        while (*q >= 'A' && *q <= 'Z')
            q++;
        assert_false(q > at + 1 && *q == '@');
    }
    free(gp);
    assert_false(exists_in(dir, "demand_capacity.png"));
    assert_int_equal(temporaries_in(dir), 0);
    ecsim_timeline_destroy(tl);
    remove_tree(dir);
    free(dir);
}

static void test_gp_latency_and_no_target(void **state)
{
    (void)state;
    char *dir = make_temp_dir();
    ecsim_timeline *tl = small_timeline(true);
    ecsim_plot_options opt;
    no_render_options(&opt);
    opt.target = NAN;
    opt.policy = NULL;
    opt.scenario = NULL;
    opt.duration_s = NAN; /* from the last row: 600 s */
    assert_int_equal(ecsim_plot_demand_capacity(tl, &opt, dir, NULL), 0);
    char *p = path_in(dir, "demand_capacity.gp");
    char *gp = slurp(p);
    free(p);
    assert_non_null(strstr(gp, "plot_title = 'ecsim'\n"));
    assert_non_null(strstr(gp, "target_pct = NaN\n"));
    assert_non_null(strstr(gp, "has_latency = 1\n"));
    assert_non_null(strstr(gp, "duration_s = 600\n"));
    /* p50 20..30, p99 110..160: one decade either side */
    assert_non_null(strstr(gp, "lat_min = 10\nlat_max = 1000\n"));
    free(gp);
    ecsim_timeline_destroy(tl);
    remove_tree(dir);
    free(dir);
}

static void test_template_lookup(void **state)
{
    (void)state;
    char *dir = make_temp_dir();
    char *tdir = path_in(dir, "templates");
    assert_int_equal(mkdir(tdir, 0755), 0);
    char *tpath = path_in(tdir, "demand_capacity.gp");
    FILE *fp = fopen(tpath, "w");
    assert_non_null(fp);
    fputs("t='@TITLE@' d=@DATAFILE@ keep @UNKNOWN@ @ @@ x@y @TARGET@@WIDTH@\n", fp);
    fclose(fp);
    char *out = path_in(dir, "out");
    ecsim_timeline *tl = small_timeline(false);
    ecsim_plot_options opt;
    no_render_options(&opt);
    opt.scenario = "a'b";
    opt.policy = NULL;
    opt.template_dir = tdir;
    const char *expect =
        "t='a''b' d=demand_capacity.dat keep @UNKNOWN@ @ @@ x@y 601200\n";

    /* explicit folder */
    assert_int_equal(ecsim_plot_demand_capacity(tl, &opt, out, NULL), 0);
    char *gpp = path_in(out, "demand_capacity.gp");
    char *gp = slurp(gpp);
    assert_string_equal(gp, expect);
    free(gp);

    /* $ECSIM_PLOTS_DIR comes before plots/ */
    opt.template_dir = NULL;
    assert_int_equal(setenv("ECSIM_PLOTS_DIR", tdir, 1), 0);
    assert_int_equal(ecsim_plot_demand_capacity(tl, &opt, out, NULL), 0);
    gp = slurp(gpp);
    assert_string_equal(gp, expect);
    free(gp);

    /* an explicit folder without the template is an error */
    opt.template_dir = dir;
    FILE *msg = tmpfile();
    assert_int_equal(ecsim_plot_demand_capacity(tl, &opt, out, msg), ECSIM_ENOENT);
    char *m = slurp_fp(msg);
    assert_non_null(strstr(m, "no demand_capacity.gp in"));
    free(m);
    fclose(msg);

    /* nothing anywhere but the built-in copy (run from a folder without
     * plots/): the same script as from plots/demand_capacity.gp */
    opt.template_dir = NULL;
    assert_int_equal(unsetenv("ECSIM_PLOTS_DIR"), 0);
    char *from_repo_dir = path_in(dir, "repo");
    assert_int_equal(ecsim_plot_demand_capacity(tl, &opt, from_repo_dir, NULL), 0);
    char cwd[4096];
    assert_non_null(getcwd(cwd, sizeof cwd));
    assert_int_equal(chdir(dir), 0);
    assert_int_equal(ecsim_plot_demand_capacity(tl, &opt, "builtin", NULL), 0);
    assert_int_equal(chdir(cwd), 0);
    char *a_path = path_in(from_repo_dir, "demand_capacity.gp");
    char *b_dir = path_in(dir, "builtin");
    char *b_path = path_in(b_dir, "demand_capacity.gp");
    char *a = slurp(a_path), *b = slurp(b_path);
    assert_non_null(a);
    assert_non_null(b);
    assert_string_equal(a, b);
    free(a);
    free(b);
    free(a_path);
    free(b_path);
    free(b_dir);
    free(from_repo_dir);

    free(gpp);
    ecsim_timeline_destroy(tl);
    free(out);
    free(tpath);
    free(tdir);
    remove_tree(dir);
    free(dir);
}

static void test_empty_timeline(void **state)
{
    (void)state;
    char *dir = make_temp_dir();
    ecsim_timeline *tl = ecsim_timeline_create();
    FILE *msg = tmpfile();
    assert_int_equal(ecsim_plot_demand_capacity(tl, NULL, dir, msg), ECSIM_EINVAL);
    char *m = slurp_fp(msg);
    assert_string_equal(m, "ecsim: the timeline is empty; no demand/capacity plot\n");
    free(m);
    fclose(msg);
    assert_false(exists_in(dir, "demand_capacity.gp"));
    ecsim_timeline_destroy(tl);
    remove_tree(dir);
    free(dir);
}

static void test_render_with_gnuplot(void **state)
{
    (void)state;
    if (!gnuplot_on_path())
        fail_msg("gnuplot is not installed (make deps installs gnuplot-nox)");
    for (int latency = 0; latency <= 1; latency++) {
        char *dir = make_temp_dir();
        ecsim_timeline *tl = small_timeline(latency);
        ecsim_plot_options opt;
        no_render_options(&opt);
        opt.render = true;
        FILE *msg = tmpfile();
        int rc = ecsim_plot_demand_capacity(tl, &opt, dir, msg);
        char *m = slurp_fp(msg);
        fclose(msg);
        assert_string_equal(m, "");
        free(m);
        assert_int_equal(rc, 0);
        assert_true(size_in(dir, "demand_capacity.png") > 10000);
        assert_true(size_in(dir, "demand_capacity.svg") > 10000);
        char *p = path_in(dir, "demand_capacity.png");
        FILE *fp = fopen(p, "rb");
        free(p);
        assert_non_null(fp);
        unsigned char magic[8];
        assert_int_equal(fread(magic, 1, 8, fp), 8);
        fclose(fp);
        assert_memory_equal(magic, "\x89PNG\r\n\x1a\n", 8);
        p = path_in(dir, "demand_capacity.svg");
        char *svg = slurp(p);
        free(p);
        assert_non_null(strstr(svg, "<svg"));
        assert_non_null(strstr(svg, "requests per second"));
        /* The SVG is the PNG (issue 9 point 11): each terminal is drawn from
         * the same state, so the SVG rendered alone (first_pass = 2) is the
         * SVG rendered after the PNG, byte for byte, and the request axis
         * carries its own tics (capacity reaches 400 rps), not the CPU
         * panel's 0, 20, ..., 100 left over from the PNG pass. */
        char cmd[1024];
        snprintf(cmd, sizeof cmd,
                 "cd '%s' && gnuplot -e \"first_pass=2; svg_out='alone.svg'\" demand_capacity.gp",
                 dir);
        assert_int_equal(system(cmd), 0);
        p = path_in(dir, "alone.svg");
        char *alone = slurp(p);
        free(p);
        assert_non_null(alone);
        assert_string_equal(alone, svg);
        free(alone);
        assert_non_null(strstr(svg, "> 300</text>") ? strstr(svg, "> 300</text>")
                                                     : strstr(svg, ">300</text>"));
        free(svg);
        p = path_in(dir, "alone.svg");
        remove(p);
        free(p);
        assert_int_equal(temporaries_in(dir), 0);
        ecsim_timeline_destroy(tl);
        remove_tree(dir);
        free(dir);
    }
}

static void test_gnuplot_missing(void **state)
{
    (void)state;
    char *dir = make_temp_dir();
    ecsim_timeline *tl = small_timeline(false);
    ecsim_plot_options opt;
    no_render_options(&opt);
    opt.render = true;
    opt.gnuplot = "/nonexistent/bin/gnuplot";
    FILE *msg = tmpfile();
    assert_int_equal(ecsim_plot_demand_capacity(tl, &opt, dir, msg), 0);
    char *m = slurp_fp(msg);
    fclose(msg);
    char expect[512];
    snprintf(expect, sizeof expect,
             "ecsim: /nonexistent/bin/gnuplot not found; plot not rendered. To render it: cd %s "
             "&& gnuplot demand_capacity.gp\n",
             dir);
    assert_string_equal(m, expect);
    free(m);
    assert_true(size_in(dir, "demand_capacity.gp") > 1000);
    assert_true(size_in(dir, "demand_capacity.dat") > 100);
    assert_false(exists_in(dir, "demand_capacity.png"));
    assert_false(exists_in(dir, "demand_capacity.svg"));
    assert_int_equal(temporaries_in(dir), 0);

    /* a folder name that needs quoting in the hint */
    char *odd = path_in(dir, "my run");
    opt.gnuplot = "no-such-gnuplot-program";
    msg = tmpfile();
    assert_int_equal(ecsim_plot_demand_capacity(tl, &opt, odd, msg), 0);
    m = slurp_fp(msg);
    fclose(msg);
    snprintf(expect, sizeof expect,
             "ecsim: no-such-gnuplot-program not found; plot not rendered. To render it: cd "
             "'%s' && gnuplot demand_capacity.gp\n",
             odd);
    assert_string_equal(m, expect);
    free(m);
    free(odd);
    ecsim_timeline_destroy(tl);
    remove_tree(dir);
    free(dir);
}

static void test_gnuplot_fails(void **state)
{
    (void)state;
    if (access("/bin/false", X_OK) != 0)
        fail_msg("/bin/false is missing");
    char *dir = make_temp_dir();
    ecsim_timeline *tl = small_timeline(false);
    ecsim_plot_options opt;
    no_render_options(&opt);
    opt.render = true;
    opt.gnuplot = "/bin/false";
    /* an earlier complete PNG stays as it was */
    char *png = path_in(dir, "demand_capacity.png");
    FILE *fp = fopen(png, "w");
    assert_non_null(fp);
    fputs("old", fp);
    fclose(fp);
    FILE *msg = tmpfile();
    assert_int_equal(ecsim_plot_demand_capacity(tl, &opt, dir, msg), ECSIM_EIO);
    char *m = slurp_fp(msg);
    fclose(msg);
    assert_string_equal(m, "ecsim: /bin/false failed (exit status 1); plot not rendered\n");
    free(m);
    char *old = slurp(png);
    assert_string_equal(old, "old");
    free(old);
    unlink(png);
    free(png);
    assert_false(exists_in(dir, "demand_capacity.svg"));
    assert_true(exists_in(dir, "demand_capacity.gp"));
    assert_true(exists_in(dir, "demand_capacity.dat"));
    assert_int_equal(temporaries_in(dir), 0);
    ecsim_timeline_destroy(tl);
    remove_tree(dir);
    free(dir);
}

static void test_gnuplot_error_is_summarised(void **state)
{
    (void)state;
    if (!gnuplot_on_path())
        fail_msg("gnuplot is not installed (make deps installs gnuplot-nox)");
    char *dir = make_temp_dir();
    char *tdir = path_in(dir, "t");
    assert_int_equal(mkdir(tdir, 0755), 0);
    char *tpath = path_in(tdir, "demand_capacity.gp");
    FILE *fp = fopen(tpath, "w");
    assert_non_null(fp);
    fputs("this_is_not_gnuplot 1 2 3\n", fp);
    fclose(fp);
    char *out = path_in(dir, "out");
    ecsim_timeline *tl = small_timeline(false);
    ecsim_plot_options opt;
    no_render_options(&opt);
    opt.render = true;
    opt.template_dir = tdir;
    FILE *msg = tmpfile();
    assert_int_equal(ecsim_plot_demand_capacity(tl, &opt, out, msg), ECSIM_EIO);
    char *m = slurp_fp(msg);
    fclose(msg);
    assert_non_null(strstr(m, "ecsim: gnuplot failed (exit status 1); plot not rendered\n  "));
    assert_non_null(strstr(m, "this_is_not_gnuplot"));
    free(m);
    assert_false(exists_in(out, "demand_capacity.png"));
    assert_false(exists_in(out, "demand_capacity.svg"));
    assert_int_equal(temporaries_in(out), 0);
    ecsim_timeline_destroy(tl);
    free(out);
    free(tpath);
    free(tdir);
    remove_tree(dir);
    free(dir);
}

static void test_ascii_preview_golden(void **state)
{
    (void)state;
    ecsim_timeline *tl = small_timeline(false);
    FILE *fp = tmpfile();
    assert_int_equal(ecsim_plot_ascii_preview(tl, NAN, 40, 10, fp), 0);
    char *text = slurp_fp(fp);
    fclose(fp);
    check_golden(text, "tests/golden/plot/ascii_preview.txt");
    free(text);

    /* until_s cuts the rows: the first 4 minutes only */
    fp = tmpfile();
    assert_int_equal(ecsim_plot_ascii_preview(tl, 240, 30, 7, fp), 0);
    text = slurp_fp(fp);
    fclose(fp);
    check_golden(text, "tests/golden/plot/ascii_preview_until.txt");
    free(text);

    /* nothing yet */
    fp = tmpfile();
    assert_int_equal(ecsim_plot_ascii_preview(tl, -1, 40, 10, fp), 0);
    text = slurp_fp(fp);
    fclose(fp);
    assert_string_equal(text, "demand / capacity: no data yet\n");
    free(text);
    ecsim_timeline_destroy(tl);
}

static void test_preview_without_gnuplot_is_ascii(void **state)
{
    (void)state;
    ecsim_timeline *tl = small_timeline(false);
    char *dir = make_temp_dir();
    const char *old = getenv("PATH");
    char *saved = old ? strcpy(malloc(strlen(old) + 1), old) : NULL;
    assert_int_equal(setenv("PATH", dir, 1), 0); /* an empty folder: no gnuplot */
    FILE *fp = tmpfile();
    int rc = ecsim_plot_preview(tl, NAN, 40, 10, fp);
    if (saved)
        setenv("PATH", saved, 1);
    else
        unsetenv("PATH");
    free(saved);
    assert_int_equal(rc, 0);
    char *text = slurp_fp(fp);
    fclose(fp);
    char *expected = slurp("tests/golden/plot/ascii_preview.txt");
    assert_non_null(expected);
    assert_string_equal(text, expected);
    free(expected);
    free(text);
    ecsim_timeline_destroy(tl);
    remove_tree(dir);
    free(dir);
}

static void test_preview_with_gnuplot(void **state)
{
    (void)state;
    if (!gnuplot_on_path())
        fail_msg("gnuplot is not installed (make deps installs gnuplot-nox)");
    ecsim_timeline *tl = small_timeline(false);
    FILE *fp = tmpfile();
    assert_int_equal(ecsim_plot_preview(tl, 300, 60, 15, fp), 0);
    char *text = slurp_fp(fp);
    fclose(fp);
    assert_non_null(strstr(text, "demand"));
    assert_non_null(strstr(text, "capacity"));
    assert_non_null(strstr(text, "time (min)"));
    assert_null(strstr(text, "demand * / capacity o")); /* not the fallback */
    free(text);
    ecsim_timeline_destroy(tl);
}

static void test_out_of_memory(void **state)
{
    (void)state;
    char *dir = make_temp_dir();
    ecsim_timeline *tl = small_timeline(false);
    ecsim_plot_options opt;
    no_render_options(&opt);
    long live = ecsim_alloc_live();
    int failures = 0;
    for (long nth = 1; nth < 200; nth++) {
        ecsim_alloc_fail_after(nth);
        int rc = ecsim_plot_demand_capacity(tl, &opt, dir, NULL);
        ecsim_alloc_fail_after(0);
        assert_int_equal(ecsim_alloc_live(), live);
        if (rc == 0)
            break;
        assert_int_equal(rc, ECSIM_ENOMEM);
        failures++;
    }
    assert_true(failures > 0);
    assert_int_equal(temporaries_in(dir), 0);
    ecsim_timeline_destroy(tl);
    remove_tree(dir);
    free(dir);
}

int main(void)
{
    if (!getcwd(start_dir, sizeof start_dir))
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_options_init, restore_process_state),
        cmocka_unit_test_teardown(test_builtin_matches_template_file, restore_process_state),
        cmocka_unit_test_teardown(test_long_timeline_is_decimated, restore_process_state),
        cmocka_unit_test_teardown(test_dat_and_gp_golden, restore_process_state),
        cmocka_unit_test_teardown(test_gp_latency_and_no_target, restore_process_state),
        cmocka_unit_test_teardown(test_template_lookup, restore_process_state),
        cmocka_unit_test_teardown(test_empty_timeline, restore_process_state),
        cmocka_unit_test_teardown(test_render_with_gnuplot, restore_process_state),
        cmocka_unit_test_teardown(test_gnuplot_missing, restore_process_state),
        cmocka_unit_test_teardown(test_gnuplot_fails, restore_process_state),
        cmocka_unit_test_teardown(test_gnuplot_error_is_summarised, restore_process_state),
        cmocka_unit_test_teardown(test_ascii_preview_golden, restore_process_state),
        cmocka_unit_test_teardown(test_preview_without_gnuplot_is_ascii, restore_process_state),
        cmocka_unit_test_teardown(test_preview_with_gnuplot, restore_process_state),
        cmocka_unit_test_teardown(test_out_of_memory, restore_process_state),
    };
    return cmocka_run_group_tests_name("plot", tests, NULL, NULL);
}
