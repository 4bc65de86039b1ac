/* `ecsim compare`: several variants of one question, each over the same
 * seeds with common random numbers, summarised with confidence intervals
 * and paired differences (issue 11 points 1-2).
 *
 *   ecsim compare SCENARIO.yaml --set autoscaler.target=50,70 [--set ...]
 *   ecsim compare A.yaml B.yaml ... [--set KEY=VALUE ...]
 *
 * Variants are the cartesian product of the scenario files and the --set
 * lists (a --set whose value has a comma is a list; `\,` is a comma inside
 * a value), in the order given, the first file and first values first; a
 * plain --set applies to every variant. Variant 1 is the baseline the
 * others are compared with. Every variant runs over the seeds of --seeds
 * (N = seeds 1..N, A-B inclusive; default COMPARE_DEFAULT_SEEDS), each run
 * in its own folder DIR/runs/vK-LABEL/seed-S (summary.json; the records
 * in DIR/runs/records: the batch runner of batch.h with worker
 * processes, -j), so a compare run again resumes. The seed is the only
 * thing random in a run, and the model keeps one stream per purpose
 * (DESIGN.md "engine"), so variant k's run of
 * seed s sees the same demand, arrivals, service times, start jitter and
 * fault victims as variant 1's: the differences are paired.
 *
 * Then the summaries are read into an ecsim_compare (compare_report.h);
 * the representative seed is played again in this process for every
 * variant to draw the overlay plot from its timeline; and DIR receives
 * compare.{txt,md,csv,json,html} and compare.{dat,gp,png,svg}. The console
 * gets compare.txt.
 *
 * --window NAME reads the key figures of the window NAME every variant's
 * scenario defines (report.windows); --window [NAME=]FROM..TO adds that
 * window to every run first. --fail-on EXPR (and the baseline scenario's
 * checks:) are evaluated on each variant's means over the seeds: a
 * threshold is about the setting, not one seed's luck.
 *
 * Exit codes: 0; 2 bad usage or an invalid variant (checked before any
 * run); 3 I/O; 4 (ECSIM_EXIT_CHECKS) a threshold failed for a variant; 5
 * (ECSIM_EXIT_RUNS_FAILED) when runs failed (the reports leave them out
 * and say how many; it wins over 4). */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ecsim/alloc.h"
#include "ecsim/compare_report.h"
#include "ecsim/error.h"
#include "ecsim/figures.h"
#include "ecsim/loader.h"
#include "ecsim/output.h"
#include "ecsim/sim.h"
#include "ecsim/timeline.h"
#include "ecsim/report_spec.h"
#include "batch.h"
#include "checks.h"
#include "cli.h"
#include "cli_opts.h"
#include "datadir.h"
#include "run_error.h"
#include "setlist.h"

#define COMPARE_DEFAULT_SEEDS "20"
#define COMPARE_MAX_VARIANTS  64
#define COMPARE_MAX_RUNS      100000
#define PATH_BYTES            4096
#define DIR_BYTES             2048 /* the comparison's folder: its paths are longer */

/* One --set list: KEY and its values (setlist.h). */
typedef cli_set_list axis;

typedef struct variant {
    const char *file;
    char **sets; /* the fixed --sets, then this variant's value of each axis */
    size_t nsets;
    char *label;
    char *name;
    char *slug;
} variant;

typedef struct plan {
    axis axes[MAX_SETS];
    size_t naxes;
    const char *fixed[MAX_SETS];
    size_t nfixed;
    variant *variants;
    size_t nvariants;
} plan;

static void plan_free(plan *p)
{
    for (size_t a = 0; a < p->naxes; a++) {
        ecsim_free(p->axes[a].key);
        for (size_t i = 0; i < p->axes[a].nvalues; i++)
            ecsim_free(p->axes[a].values[i]);
        ecsim_free(p->axes[a].values);
    }
    for (size_t v = 0; v < p->nvariants; v++) {
        for (size_t i = 0; i < p->variants[v].nsets; i++)
            ecsim_free(p->variants[v].sets[i]);
        ecsim_free(p->variants[v].sets);
        ecsim_free(p->variants[v].label);
        ecsim_free(p->variants[v].name);
        ecsim_free(p->variants[v].slug);
    }
    ecsim_free(p->variants);
}

/* KEY of "KEY=VALUE" (length). */
static size_t key_len(const char *set)
{
    const char *eq = strchr(set, '=');
    return eq ? (size_t)(eq - set) : strlen(set);
}

/* Whether the value of "KEY=V" holds an unescaped comma. */
static bool is_list(const char *set)
{
    const char *v = strchr(set, '=');
    for (const char *p = v ? v + 1 : ""; *p; p++) {
        if (p[0] == '\\' && p[1] == ',') {
            p++;
            continue;
        }
        if (*p == ',')
            return true;
    }
    return false;
}

/* Split a list --set into an axis. 0, or an exit code after a message. */
static int parse_axis(const char *text, axis *ax, FILE *err)
{
    return cli_set_list_parse(text, "ecsim compare", ax, err);
}

/* "autoscaler.target" -> "target", "load.profile[1].rps" -> "rps". */
static const char *short_key(const char *key)
{
    const char *dot = strrchr(key, '.');
    return dot ? dot + 1 : key;
}

/* A file's name without folder and .yaml/.yml. */
static void file_stem(const char *path, char *buf, size_t size)
{
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    size_t n = strlen(base);
    if (n > 5 && strcmp(base + n - 5, ".yaml") == 0)
        n -= 5;
    else if (n > 4 && strcmp(base + n - 4, ".yml") == 0)
        n -= 4;
    snprintf(buf, size, "%.*s", (int)n, base);
}

/* Folder name of variant k: "v1-" and its label's safe characters. */
static char *make_slug(size_t k, const char *label)
{
    char buf[96];
    int n = snprintf(buf, sizeof buf, "v%zu-", k + 1);
    for (const char *p = label; *p && n < 80; p++) {
        char ch = *p;
        bool safe = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                    (ch >= '0' && ch <= '9') || ch == '.' || ch == '-' || ch == '=' || ch == '_';
        buf[n++] = safe ? ch : '_';
    }
    buf[n] = '\0';
    return ecsim_strdup(buf);
}

/* Variants from the files and the --set lists. 0, or an exit code after a
 * message. */
static int make_plan(const cli_opts *o, plan *p, FILE *err)
{
    const cli_cmddoc *c = cli_command_find("compare");
    memset(p, 0, sizeof *p);
    if (o->nfiles == 0) {
        fprintf(err, "ecsim compare: error: missing the scenario file(s)\n");
        cli_print_usage_line(c, err);
        return ECSIM_EXIT_USAGE;
    }
    for (size_t i = 0; i < o->nfiles; i++)
        if (strcmp(o->files[i], "-") == 0) {
            fprintf(err, "ecsim compare: error: scenarios are read by every run: give a file, "
                         "not `-`\n");
            return ECSIM_EXIT_USAGE;
        }
    for (size_t i = 0; i < o->nsets; i++) {
        const char *s = o->sets[i];
        size_t kl = key_len(s);
        if (!strchr(s, '=') || kl == 0) {
            fprintf(err, "--set %s: error: expected KEY=VALUE or KEY=V1,V2,...\n", s);
            return ECSIM_EXIT_USAGE;
        }
        for (size_t j = 0; j < i; j++)
            if (key_len(o->sets[j]) == kl && strncmp(o->sets[j], s, kl) == 0) {
                fprintf(err,
                        "--set %s: error: `%.*s` is set twice (--set %s); give its values "
                        "once, as a list KEY=V1,V2,...\n",
                        s, (int)kl, s, o->sets[j]);
                return ECSIM_EXIT_USAGE;
            }
        if (is_list(s)) {
            int rc = parse_axis(s, &p->axes[p->naxes++], err);
            if (rc)
                return rc;
        } else {
            p->fixed[p->nfixed++] = s;
        }
    }
    size_t count = o->nfiles;
    for (size_t a = 0; a < p->naxes; a++) {
        count *= p->axes[a].nvalues;
        if (count > COMPARE_MAX_VARIANTS)
            break;
    }
    if (count < 2) {
        fprintf(err, "ecsim compare: error: nothing to compare: give two or more scenario files, "
                     "or a --set with a list of values (--set KEY=V1,V2)\n");
        cli_print_usage_line(c, err);
        return ECSIM_EXIT_USAGE;
    }
    if (count > COMPARE_MAX_VARIANTS) {
        fprintf(err,
                "ecsim compare: error: more than %d variants; compare fewer settings at "
                "once (or use ecsim sweep)\n",
                COMPARE_MAX_VARIANTS);
        return ECSIM_EXIT_USAGE;
    }
    p->variants = ecsim_calloc(count, sizeof *p->variants);
    if (!p->variants)
        return ECSIM_EXIT_FAIL;
    p->nvariants = count;
    for (size_t k = 0; k < count; k++) {
        variant *v = &p->variants[k];
        /* Mixed radix: the last axis varies fastest, the file slowest. */
        size_t idx[MAX_SETS], rest = k;
        for (size_t a = p->naxes; a-- > 0;) {
            idx[a] = rest % p->axes[a].nvalues;
            rest /= p->axes[a].nvalues;
        }
        v->file = o->files[rest];
        v->sets = ecsim_calloc(p->nfixed + p->naxes + 1, sizeof *v->sets);
        if (!v->sets)
            return ECSIM_EXIT_FAIL;
        for (size_t i = 0; i < p->nfixed; i++)
            if (!(v->sets[v->nsets++] = ecsim_strdup(p->fixed[i])))
                return ECSIM_EXIT_FAIL;
        char label[1024] = "", name[512] = "";
        size_t ln = 0, nn = 0;
        if (o->nfiles > 1) {
            char stem[256];
            file_stem(v->file, stem, sizeof stem);
            ln += (size_t)snprintf(label + ln, sizeof label - ln, "%s", v->file);
            nn += (size_t)snprintf(name + nn, sizeof name - nn, "%s", stem);
        }
        for (size_t a = 0; a < p->naxes; a++) {
            const char *key = p->axes[a].key, *val = p->axes[a].values[idx[a]];
            size_t n = strlen(key) + strlen(val) + 2;
            char *set = ecsim_malloc(n);
            if (!set)
                return ECSIM_EXIT_FAIL;
            snprintf(set, n, "%s=%s", key, val);
            v->sets[v->nsets++] = set;
            if (ln < sizeof label)
                ln += (size_t)snprintf(label + ln, sizeof label - ln, "%s%s", ln ? " " : "", set);
            if (nn < sizeof name)
                nn += (size_t)snprintf(name + nn, sizeof name - nn, "%s%s %s", nn ? ", " : "",
                                       short_key(key), val);
        }
        v->label = ecsim_strdup(label);
        v->name = ecsim_strdup(name);
        v->slug = make_slug(k, label);
        if (!v->label || !v->name || !v->slug)
            return ECSIM_EXIT_FAIL;
    }
    /* Two variants with one short name (target 50 from two keys ending in
     * `target`): use the labels. */
    for (size_t a = 0; a < count; a++)
        for (size_t b = a + 1; b < count; b++)
            if (strcmp(p->variants[a].name, p->variants[b].name) == 0) {
                for (size_t k = 0; k < count; k++) {
                    char *l = ecsim_strdup(p->variants[k].label);
                    if (!l)
                        return ECSIM_EXIT_FAIL;
                    ecsim_free(p->variants[k].name);
                    p->variants[k].name = l;
                }
                return 0;
            }
    return 0;
}

/* ---- reading and replaying ------------------------------------------------------------- */

static char *read_text(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    if (!m) {
        fclose(f);
        return NULL;
    }
    char chunk[8192];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0)
        fwrite(chunk, 1, got, m);
    fclose(f);
    fclose(m);
    /* open_memstream's buffer comes from malloc: copy it into ours. */
    char *text = buf ? ecsim_strdup(buf) : NULL;
    free(buf);
    return text;
}

/* Play variant v with `seed` in this process and keep its timeline's
 * demand, capacity and running tasks. 0 or an exit code. */
static int replay(const plan *p, size_t v, uint64_t seed, const cli_opts *o,
                  ecsim_compare_series *out, FILE *err)
{
    cli_opts vo = *o;
    vo.nsets = p->variants[v].nsets;
    for (size_t i = 0; i < vo.nsets; i++)
        vo.sets[i] = p->variants[v].sets[i];
    int code = 0;
    /* Its warnings were printed when the variants were validated: keep
     * them, and show them only if loading fails now. */
    char *diag = NULL;
    size_t diag_len = 0;
    FILE *quiet = open_memstream(&diag, &diag_len);
    ecsim_scenario *sc = cli_load(&vo, p->variants[v].file, quiet ? quiet : err, &code);
    if (quiet) {
        fclose(quiet);
        if (!sc && diag)
            fputs(diag, err);
        free(diag);
    }
    if (!sc)
        return code;
    ecsim_sim *sim = ecsim_sim_create(sc, seed, err);
    if (!sim) {
        ecsim_scenario_free(sc);
        return ECSIM_EXIT_USAGE;
    }
    int rc = ecsim_sim_run(sim);
    if (rc == 0) {
        const ecsim_timeline *tl = ecsim_sim_timeline(sim);
        size_t n = ecsim_timeline_count(tl);
        out->time_s = ecsim_calloc(n ? n : 1, sizeof(double));
        out->demand_rps = ecsim_calloc(n ? n : 1, sizeof(double));
        out->capacity_rps = ecsim_calloc(n ? n : 1, sizeof(double));
        out->running = ecsim_calloc(n ? n : 1, sizeof(double));
        if (!out->time_s || !out->demand_rps || !out->capacity_rps || !out->running) {
            rc = ECSIM_ENOMEM;
        } else {
            for (size_t i = 0; i < n; i++) {
                const ecsim_timeline_row *r = ecsim_timeline_row_at(tl, i);
                out->time_s[i] = r->time_s;
                out->demand_rps[i] = r->demand_rps;
                out->capacity_rps[i] = r->capacity_rps;
                out->running[i] = r->running;
            }
            out->n = n;
        }
    }
    ecsim_sim_destroy(sim);
    ecsim_scenario_free(sc);
    if (rc) {
        fprintf(err, "ecsim compare: error: replaying %s with seed %" PRIu64 " for the plot: %s\n",
                p->variants[v].label, seed, ecsim_strerror(rc));
        return rc == ECSIM_ENOMEM ? ECSIM_EXIT_FAIL : ECSIM_EXIT_SOFTWARE;
    }
    return 0;
}

/* ---- writing --------------------------------------------------------------------------- */

typedef int (*writer_fn)(const ecsim_compare *c, FILE *out);

static int write_one(const char *dir, const char *name, writer_fn fn, const ecsim_compare *c,
                     const char *svg, FILE *err)
{
    char path[PATH_BYTES];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    ecsim_outfile of;
    int rc = ecsim_outfile_open(&of, path);
    if (rc == 0) {
        rc = fn ? fn(c, of.fp) : ecsim_compare_write_html(c, svg, of.fp);
        if (rc)
            ecsim_outfile_abort(&of);
        else
            rc = ecsim_outfile_commit(&of);
    }
    if (rc)
        fprintf(err, "ecsim compare: error: cannot write %s: %s\n", path, ecsim_strerror(rc));
    return rc;
}

static char *command_line(const cli_opts *o, const char *seeds)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    if (!m)
        return NULL;
    fputs("ecsim compare", m);
    for (size_t i = 0; i < o->nfiles; i++)
        fprintf(m, " %s", o->files[i]);
    for (size_t i = 0; i < o->nsets; i++)
        fprintf(m, " --set %s", o->sets[i]);
    fprintf(m, " --seeds %s", seeds);
    fclose(m);
    char *text = buf ? ecsim_strdup(buf) : NULL;
    free(buf);
    return text;
}

static int parse_jobs(const char *text, unsigned *jobs, FILE *err)
{
    if (!text) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        *jobs = n >= 1 && n <= 1024 ? (unsigned)n : 1;
        return 0;
    }
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (errno || *end || v < 1 || v > 1024) {
        fprintf(err, "-j/--jobs %s: error: expected a whole number from 1 to 1024\n", text);
        return ECSIM_EXIT_USAGE;
    }
    *jobs = (unsigned)v;
    return 0;
}

/* ---- the command ------------------------------------------------------------------------ */

/* --fail-on and the baseline's checks: on each variant's means over the
 * seeds (a figure missing in every run is null there). A name no figure
 * has is a usage error (2); otherwise ECSIM_EXIT_CHECKS when a variant
 * fails one, after a line per failed check under the variant's name. */
static int check_variants(const ecsim_compare *c, const ecsim_check *checks, size_t n, FILE *err)
{
    int code = ECSIM_EXIT_OK;
    size_t failing = 0;
    for (size_t v = 0; v < c->nvariants && code != ECSIM_EXIT_USAGE; v++) {
        ecsim_figures means = {0};
        means.items = ecsim_calloc(c->nfigures ? c->nfigures : 1, sizeof *means.items);
        if (!means.items)
            return ECSIM_EXIT_FAIL;
        means.cap = c->nfigures;
        for (size_t f = 0; f < c->nfigures; f++) {
            ecsim_compare_stat st;
            ecsim_compare_stat_of(c, &c->figures[f], v, &st);
            ecsim_figure *e = &means.items[means.count++];
            e->name = c->figures[f].name; /* borrowed: released below without free */
            e->num = st.mean.mean;
            e->kind = isnan(e->num) ? ECSIM_FIG_NULL : ECSIM_FIG_NUMBER;
        }
        if (v == 0 && ecsim_checks_unknown(checks, n, &means, "ecsim compare", err) > 0) {
            code = ECSIM_EXIT_USAGE;
        } else {
            char heading[320];
            snprintf(heading, sizeof heading, "ecsim compare: %s (means over %zu seeds):\n",
                     c->names[v], c->nseeds);
            failing += ecsim_checks_eval_headed(checks, n, &means, heading, err) > 0;
        }
        ecsim_free(means.items);
    }
    if (code == ECSIM_EXIT_OK && failing) {
        fprintf(err, "ecsim compare: thresholds failed for %zu of %zu variants\n", failing,
                c->nvariants);
        code = ECSIM_EXIT_CHECKS;
    }
    return code;
}

int cli_cmd_compare(cli_opts *o, FILE *out, FILE *err)
{
    ecsim_cli_use_data_dir();
    plan p;
    int code = make_plan(o, &p, err);
    if (code) {
        plan_free(&p);
        return code;
    }
    const char *seeds_text = o->seeds_text ? o->seeds_text : COMPARE_DEFAULT_SEEDS;
    uint64_t first = 0, nseeds = 0;
    char why[256];
    unsigned workers = 1;
    if (ecsim_batch_parse_seeds(seeds_text, COMPARE_MAX_RUNS / p.nvariants, &first, &nseeds, why,
                                sizeof why) != 0) {
        fprintf(err, "--seeds %s: error: %s\n", seeds_text, why);
        plan_free(&p);
        return ECSIM_EXIT_USAGE;
    }
    if ((code = parse_jobs(o->jobs_text, &workers, err)) != 0) {
        plan_free(&p);
        return code;
    }
    /* --window: one, a name the scenarios define or a span every run gets. */
    char window_name[ECSIM_WINDOW_NAME_MAX] = "";
    bool window_span = false;
    if (o->nwindows > 1) {
        fprintf(err, "ecsim compare: error: --window is given %zu times; compare reads one window\n",
                o->nwindows);
        plan_free(&p);
        return ECSIM_EXIT_USAGE;
    }
    if (o->nwindows == 1) {
        window_span = strstr(o->windows[0], "..") != NULL;
        if (window_span) {
            ecsim_window_spec ws;
            if (ecsim_window_parse(o->windows[0], &ws, why, sizeof why) != 0) {
                fprintf(err, "--window %s: error: %s\n", o->windows[0], why);
                plan_free(&p);
                return ECSIM_EXIT_USAGE;
            }
            snprintf(window_name, sizeof window_name, "%s", ws.name);
        } else {
            snprintf(window_name, sizeof window_name, "%s", o->windows[0]);
        }
    }
    ecsim_check *checks = NULL;
    size_t nchecks = 0;
    if ((code = cli_run_checks(o, NULL, &checks, &nchecks, err)) != 0) { /* syntax first */
        plan_free(&p);
        return code;
    }
    ecsim_free(checks);
    checks = NULL;

    /* Every variant must load before anything runs: an invalid one is a
     * usage error now, not nseeds failed runs later. */
    char *scenario_name = NULL;
    double duration_s = NAN;
    for (size_t v = 0; v < p.nvariants; v++) {
        cli_opts vo = *o;
        vo.nsets = p.variants[v].nsets;
        for (size_t i = 0; i < vo.nsets; i++)
            vo.sets[i] = p.variants[v].sets[i];
        vo.nwindows = window_span ? 1 : 0;
        ecsim_scenario *sc = cli_load(&vo, p.variants[v].file, err, &code);
        if (sc && (code = cli_apply_report_options(&vo, sc, err)) != 0) {
            ecsim_scenario_free(sc);
            sc = NULL;
        }
        if (sc && window_name[0] && !window_span) {
            bool found = false;
            for (size_t k = 0; k < sc->report.window_count; k++)
                found = found || strcmp(sc->report.windows[k].name, window_name) == 0;
            if (!found) {
                fprintf(err,
                        "--window %s: error: variant %zu (%s) has no window `%s` in "
                        "report.windows; give one as NAME=FROM..TO\n",
                        window_name, v + 1, p.variants[v].label, window_name);
                ecsim_scenario_free(sc);
                sc = NULL;
                code = ECSIM_EXIT_USAGE;
            }
        }
        if (sc && v == 0 && (code = cli_run_checks(o, sc, &checks, &nchecks, err)) != 0) {
            ecsim_scenario_free(sc);
            sc = NULL;
        }
        if (!sc) {
            fprintf(err, "ecsim compare: variant %zu (%s) is not valid\n", v + 1,
                    p.variants[v].label);
            ecsim_free(scenario_name);
            ecsim_free(checks);
            plan_free(&p);
            return code;
        }
        if (v == 0) {
            scenario_name = ecsim_strdup(sc->name);
            duration_s = sc->duration_s;
        } else if (sc->duration_s > duration_s) {
            duration_s = sc->duration_s;
        }
        ecsim_scenario_free(sc);
    }
    char dir[DIR_BYTES];
    if (o->out && strlen(o->out) >= sizeof dir - 1) {
        fprintf(err, "--out: error: the folder name is too long (at most %d bytes)\n",
                DIR_BYTES - 2);
        ecsim_free(scenario_name);
        ecsim_free(checks);
        plan_free(&p);
        return ECSIM_EXIT_USAGE;
    }
    if (o->out)
        snprintf(dir, sizeof dir, "%s", o->out);
    else
        snprintf(dir, sizeof dir, "out/%s-compare", scenario_name ? scenario_name : "scenario");

    /* The runs. */
    size_t njobs = p.nvariants * (size_t)nseeds;
    ecsim_batch_job *jobs = ecsim_calloc(njobs, sizeof *jobs);
    ecsim_batch_outcome *outs = ecsim_calloc(njobs, sizeof *outs);
    char **dirs = ecsim_calloc(njobs, sizeof *dirs);
    ecsim_compare *c = ecsim_compare_create(p.nvariants, (size_t)nseeds);
    if (!jobs || !outs || !dirs || !c || !scenario_name) {
        fprintf(err, "ecsim compare: error: %s\n", ecsim_strerror(ECSIM_ENOMEM));
        code = ECSIM_EXIT_FAIL;
        goto out;
    }
    for (size_t v = 0; v < p.nvariants; v++)
        for (size_t s = 0; s < nseeds; s++) {
            size_t i = v * (size_t)nseeds + s;
            char path[PATH_BYTES];
            snprintf(path, sizeof path, "%s/runs/%s/seed-%" PRIu64, dir, p.variants[v].slug,
                     first + s);
            if (!(dirs[i] = ecsim_strdup(path))) {
                code = ECSIM_EXIT_FAIL;
                goto out;
            }
            jobs[i].scenario_path = p.variants[v].file;
            jobs[i].sets = (const char *const *)p.variants[v].sets;
            jobs[i].nsets = p.variants[v].nsets;
            jobs[i].seed = first + s;
            jobs[i].dir = dirs[i];
            jobs[i].label = p.variants[v].name;
            jobs[i].keep = ECSIM_BATCH_KEEP_SUMMARY;
            jobs[i].windows = window_span ? o->windows : NULL;
            jobs[i].nwindows = window_span ? 1 : 0;
        }
    if (!o->quiet)
        fprintf(err,
                "ecsim compare: %zu variants x %" PRIu64 " seeds = %zu runs in %s/runs "
                "(%u worker%s)\n",
                p.nvariants, nseeds, njobs, dir, workers, workers == 1 ? "" : "s");
    char records[PATH_BYTES + 16];
    snprintf(records, sizeof records, "%s/runs/records", dir);
    ecsim_batch_opts bo = {workers, !o->quiet, err, o->max_work_text, records};
    size_t failed = 0;
    int rc = ecsim_batch_run(jobs, njobs, &bo, outs, &failed);
    if (rc == ECSIM_EINTR) {
        code = ecsim_cli_interrupted("ecsim compare", err);
        goto out;
    }
    if (rc) {
        fprintf(err, "ecsim compare: error: the runs could not be played: %s\n",
                ecsim_strerror(rc));
        code = rc == ECSIM_ENOMEM ? ECSIM_EXIT_FAIL : ECSIM_EXIT_IO;
        goto out;
    }

    /* The summaries. */
    for (size_t v = 0; v < p.nvariants; v++) {
        if (ecsim_compare_set_variant(c, v, p.variants[v].label, p.variants[v].name) != 0) {
            code = ECSIM_EXIT_FAIL;
            goto out;
        }
        for (size_t s = 0; s < nseeds; s++) {
            size_t i = v * (size_t)nseeds + s;
            c->seeds[s] = first + s;
            if (outs[i].exit_code != 0) {
                c->failed_runs++;
                continue;
            }
            char path[PATH_BYTES], rerr[512];
            snprintf(path, sizeof path, "%s/summary.json", dirs[i]);
            ecsim_figures fig;
            if (ecsim_figures_read(path, &fig, rerr, sizeof rerr) != 0) {
                fprintf(err, "ecsim compare: %s\n", rerr);
                c->failed_runs++;
                continue;
            }
            rc = ecsim_compare_add_run(c, v, s, &fig);
            ecsim_figures_free(&fig);
            if (rc) {
                code = ECSIM_EXIT_FAIL;
                goto out;
            }
        }
    }
    if (window_name[0] && !(c->window = ecsim_strdup(window_name))) {
        code = ECSIM_EXIT_FAIL;
        goto out;
    }
    c->scenario_name = scenario_name;
    scenario_name = NULL;
    c->duration_s = duration_s;
    c->command = command_line(o, seeds_text);
    {
        /* The scenario text for the page: every file of the comparison. */
        char *buf = NULL;
        size_t len = 0;
        FILE *m = open_memstream(&buf, &len);
        if (m) {
            for (size_t i = 0; i < o->nfiles; i++) {
                char *t = read_text(o->files[i]);
                if (o->nfiles > 1)
                    fprintf(m, "%s# ---- %s ----\n", i ? "\n" : "", o->files[i]);
                fputs(t ? t : "(could not be read)\n", m);
                ecsim_free(t);
            }
            fclose(m);
            c->scenario_text = buf ? ecsim_strdup(buf) : NULL;
            free(buf);
        }
    }
    c->rep_seed = ecsim_compare_representative(c);

    /* The representative runs, for the overlay plot. */
    bool rendered = false;
    if (!o->no_plots) {
        c->series = ecsim_calloc(p.nvariants, sizeof *c->series);
        if (!c->series) {
            code = ECSIM_EXIT_FAIL;
            goto out;
        }
        for (size_t v = 0; v < p.nvariants && code == 0; v++)
            code = replay(&p, v, c->seeds[c->rep_seed], o, &c->series[v], err);
        if (code)
            goto out;
    }
    if ((rc = ecsim_mkdirs(dir)) != 0) {
        fprintf(err, "ecsim compare: error: cannot create %s: %s\n", dir, ecsim_strerror(rc));
        code = ECSIM_EXIT_IO;
        goto out;
    }
    if (!o->no_plots) {
        rc = ecsim_compare_plot(c, dir, true, err, &rendered);
        if (rc == ECSIM_EINTR) {
            code = ecsim_cli_interrupted("ecsim compare", err);
            goto out;
        }
        if (rc && rc != ECSIM_ENOENT) {
            code = rc == ECSIM_ENOMEM ? ECSIM_EXIT_FAIL : ECSIM_EXIT_IO;
            goto out;
        }
    }
    char svg[DIR_BYTES + 16];
    snprintf(svg, sizeof svg, "%s/compare.svg", dir);
    if (write_one(dir, "compare.txt", ecsim_compare_write_text, c, NULL, err) ||
        write_one(dir, "compare.md", ecsim_compare_write_md, c, NULL, err) ||
        write_one(dir, "compare.csv", ecsim_compare_write_csv, c, NULL, err) ||
        write_one(dir, "compare.json", ecsim_compare_write_json, c, NULL, err) ||
        write_one(dir, "compare.html", NULL, c, o->no_plots ? NULL : svg, err)) {
        code = ECSIM_EXIT_IO;
        goto out;
    }
    if (!o->quiet) {
        ecsim_compare_write_text(c, out);
        fprintf(out,
                "\noutputs in %s/: compare.txt compare.md compare.csv compare.json "
                "compare.html%s; runs in %s/runs/\n",
                dir, rendered ? " compare.png compare.svg" : "", dir);
    }
    if (nchecks && code == 0)
        code = check_variants(c, checks, nchecks, err);
    if (failed) {
        fprintf(err,
                "ecsim compare: %zu of %zu runs failed (their folders' run.json say why); "
                "the reports leave them out\n",
                failed, njobs);
        code = ECSIM_EXIT_RUNS_FAILED;
    }
out:
    if (dirs)
        for (size_t i = 0; i < njobs; i++)
            ecsim_free(dirs[i]);
    ecsim_free(dirs);
    ecsim_free(jobs);
    ecsim_free(outs);
    ecsim_free(scenario_name);
    ecsim_free(checks);
    ecsim_compare_destroy(c);
    plan_free(&p);
    return code;
}
