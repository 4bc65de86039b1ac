/* `ecsim sweep`: a grid of --set values times a range of seeds, each run in
 * its own folder, played locally by worker processes (sim/cli/batch.c) or
 * written out as a job list for GNU parallel or a Slurm job array.
 *
 * Every sweep starts from its manifest, DIR/sweep.json: the scenario (an
 * absolute path), the grid, the seeds, and the list of runs with their
 * folders, written before anything runs. A local sweep then plays every
 * run of the manifest; `--emit parallel` and `--emit slurm` write commands
 * that play runs of the same manifest (`ecsim sweep DIR/sweep.json --runs
 * I-J`), so the three ways produce the same folders by construction: the
 * same code reads the same manifest and runs the same jobs.
 *
 * Folders: DIR/KEY=VALUE/.../seed-NNNN/, one level per --set key in the
 * order given, then the seed (at least 4 digits, zero-padded). Names keep
 * letters, digits and `. _ - + = ,`; any other byte is written %XX (its
 * hexadecimal value, as in a URL, `%` itself being %25), and so is a
 * leading `.`, so that a name is safe in a shell and on any file system,
 * and two different values never share a folder. A level longer than 200
 * bytes is cut and ends with `~` and 16 hex digits of its SHA-256. */
#define _GNU_SOURCE /* realpath */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ecsim/alloc.h"
#include "ecsim/ecsim.h"
#include "ecsim/error.h"
#include "ecsim/figures.h"
#include "ecsim/interrupt.h"
#include "ecsim/loader.h"
#include "ecsim/output.h"
#include "batch.h"
#include "checks.h"
#include "cli_opts.h"
#include "datadir.h"
#include "setlist.h"

#define SWEEP_PATH_MAX       4096
#define SWEEP_MAX_RUNS       1000000u
#define SWEEP_FORMAT_VERSION 1

/* One --set key and its values. */
typedef cli_set_list sweep_dim; /* one --set KEY=V1,V2,... (setlist.h) */

/* One grid point: its overrides ("KEY=VALUE"), label and folder. */
typedef struct sweep_point {
    char **sets;
    size_t nsets;
    char *label;
    char *folder; /* relative to DIR; "" without --set */
} sweep_point;

typedef struct sweep_run {
    size_t point;
    uint64_t seed;
    char *folder; /* relative to DIR */
} sweep_run;

typedef struct sweep_plan {
    char *scenario; /* absolute */
    char *dir;      /* absolute: the manifest's folder */
    ecsim_batch_keep keep;
    char *max_work; /* NULL: the default */
    sweep_dim *dims;
    size_t ndims;
    uint64_t seed_first, nseeds;
    sweep_point *points;
    size_t npoints;
    sweep_run *runs;
    size_t nruns;
} sweep_plan;

static void plan_free(sweep_plan *p)
{
    for (size_t d = 0; d < p->ndims; d++) {
        for (size_t v = 0; v < p->dims[d].nvalues; v++)
            ecsim_free(p->dims[d].values[v]);
        ecsim_free(p->dims[d].values);
        ecsim_free(p->dims[d].key);
    }
    for (size_t i = 0; i < p->npoints; i++) {
        for (size_t s = 0; s < p->points[i].nsets; s++)
            ecsim_free(p->points[i].sets[s]);
        ecsim_free(p->points[i].sets);
        ecsim_free(p->points[i].label);
        ecsim_free(p->points[i].folder);
    }
    for (size_t i = 0; i < p->nruns; i++)
        ecsim_free(p->runs[i].folder);
    ecsim_free(p->dims);
    ecsim_free(p->points);
    ecsim_free(p->runs);
    ecsim_free(p->scenario);
    ecsim_free(p->dir);
    ecsim_free(p->max_work);
    memset(p, 0, sizeof *p);
}

static const char *keep_name(ecsim_batch_keep k)
{
    return k == ECSIM_BATCH_KEEP_ALL ? "all" : "summary";
}

/* ---- folder names ------------------------------------------------------------------ */

/* `text` as one file-system-safe folder level (see the opening comment),
 * allocated. NULL on OOM. */
static char *safe_name(const char *text)
{
    size_t len = strlen(text);
    char *buf = ecsim_malloc(3 * len + 32);
    if (!buf)
        return NULL;
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)text[i];
        int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 c == '_' || c == '-' || c == '+' || c == '=' || c == ',' || (c == '.' && i > 0);
        if (ok)
            buf[n++] = (char)c;
        else
            n += (size_t)sprintf(buf + n, "%%%02X", c);
    }
    buf[n] = '\0';
    if (n > 200) {
        ecsim_sha256 h;
        char hex[65];
        ecsim_sha256_init(&h);
        ecsim_sha256_update(&h, buf, n);
        ecsim_sha256_hex(&h, hex);
        snprintf(buf + 180, 3 * len + 32 - 180, "~%.16s", hex);
    }
    return buf;
}

/* ---- the grid ------------------------------------------------------------------------ */

/* Split "KEY=V1,V2,..." into a dimension (`\,` is a comma inside a value).
 * 0, or an exit code after a message. */
static int parse_dim(const char *text, sweep_dim *dim, FILE *err)
{
    return cli_set_list_parse(text, "ecsim sweep", dim, err);
}

/* The grid points (cartesian product, the first key slowest) and the runs
 * (every point times every seed, seeds fastest). */
static int build_runs(sweep_plan *p, FILE *err)
{
    size_t npoints = 1;
    for (size_t d = 0; d < p->ndims; d++) {
        if (npoints > SWEEP_MAX_RUNS / p->dims[d].nvalues) {
            fprintf(err, "ecsim sweep: error: the grid has more than %u points\n", SWEEP_MAX_RUNS);
            return ECSIM_EXIT_USAGE;
        }
        npoints *= p->dims[d].nvalues;
    }
    if (p->nseeds > SWEEP_MAX_RUNS / npoints) {
        fprintf(err,
                "ecsim sweep: error: %zu grid points x %" PRIu64 " seeds is more than %u runs\n",
                npoints, p->nseeds, SWEEP_MAX_RUNS);
        return ECSIM_EXIT_USAGE;
    }
    p->points = ecsim_calloc(npoints, sizeof *p->points);
    p->runs = ecsim_calloc(npoints * (size_t)p->nseeds, sizeof *p->runs);
    if (!p->points || !p->runs)
        return ECSIM_EXIT_FAIL;
    for (size_t i = 0; i < npoints; i++) {
        sweep_point *pt = &p->points[i];
        p->npoints++;
        pt->sets = ecsim_calloc(p->ndims ? p->ndims : 1, sizeof *pt->sets);
        size_t label_len = 1, folder_len = 1;
        if (!pt->sets)
            return ECSIM_EXIT_FAIL;
        size_t rest = i;
        char *parts[MAX_SETS];
        for (size_t d = p->ndims; d-- > 0;) {
            const sweep_dim *dim = &p->dims[d];
            const char *value = dim->values[rest % dim->nvalues];
            rest /= dim->nvalues;
            size_t n = strlen(dim->key) + strlen(value) + 2;
            if (!(pt->sets[d] = ecsim_malloc(n)))
                return ECSIM_EXIT_FAIL;
            snprintf(pt->sets[d], n, "%s=%s", dim->key, value);
            pt->nsets++;
        }
        for (size_t d = 0; d < p->ndims; d++) {
            if (!(parts[d] = safe_name(pt->sets[d]))) {
                for (size_t k = 0; k < d; k++)
                    ecsim_free(parts[k]);
                return ECSIM_EXIT_FAIL;
            }
            label_len += strlen(pt->sets[d]) + 1;
            folder_len += strlen(parts[d]) + 1;
        }
        pt->label = ecsim_malloc(label_len);
        pt->folder = ecsim_malloc(folder_len);
        if (pt->label && pt->folder) {
            pt->label[0] = pt->folder[0] = '\0';
            for (size_t d = 0; d < p->ndims; d++) {
                if (d) {
                    strcat(pt->label, " ");
                    strcat(pt->folder, "/");
                }
                strcat(pt->label, pt->sets[d]);
                strcat(pt->folder, parts[d]);
            }
        }
        for (size_t d = 0; d < p->ndims; d++)
            ecsim_free(parts[d]);
        if (!pt->label || !pt->folder)
            return ECSIM_EXIT_FAIL;
        for (uint64_t s = 0; s < p->nseeds; s++) {
            sweep_run *r = &p->runs[p->nruns];
            r->point = i;
            r->seed = p->seed_first + s;
            size_t n = strlen(pt->folder) + 32;
            if (!(r->folder = ecsim_malloc(n)))
                return ECSIM_EXIT_FAIL;
            snprintf(r->folder, n, "%s%sseed-%04" PRIu64, pt->folder, *pt->folder ? "/" : "",
                     r->seed);
            p->nruns++;
        }
    }
    return 0;
}

/* ---- the manifest ----------------------------------------------------------------- */

static int write_manifest(const sweep_plan *p, const char *path)
{
    ecsim_outfile of;
    int rc = ecsim_outfile_open(&of, path);
    if (rc != 0)
        return rc;
    ecsim_json j;
    ecsim_json_init(&j, of.fp, false);
    ecsim_json_begin_object(&j);
    ecsim_json_key(&j, "ecsim_sweep");
    ecsim_json_int(&j, SWEEP_FORMAT_VERSION);
    ecsim_json_key(&j, "ecsim_version");
    ecsim_json_string(&j, ECSIM_VERSION);
    ecsim_json_key(&j, "scenario");
    ecsim_json_string(&j, p->scenario);
    ecsim_json_key(&j, "keep");
    ecsim_json_string(&j, keep_name(p->keep));
    ecsim_json_key(&j, "max_work");
    ecsim_json_string(&j, p->max_work);
    ecsim_json_key(&j, "grid");
    ecsim_json_begin_array(&j);
    for (size_t d = 0; d < p->ndims; d++) {
        ecsim_json_begin_object(&j);
        ecsim_json_key(&j, "key");
        ecsim_json_string(&j, p->dims[d].key);
        ecsim_json_key(&j, "values");
        ecsim_json_begin_array(&j);
        for (size_t v = 0; v < p->dims[d].nvalues; v++)
            ecsim_json_string(&j, p->dims[d].values[v]);
        ecsim_json_end_array(&j);
        ecsim_json_end_object(&j);
    }
    ecsim_json_end_array(&j);
    ecsim_json_key(&j, "seeds");
    ecsim_json_begin_object(&j);
    ecsim_json_key(&j, "first");
    ecsim_json_uint(&j, p->seed_first);
    ecsim_json_key(&j, "last");
    ecsim_json_uint(&j, p->seed_first + p->nseeds - 1);
    ecsim_json_key(&j, "count");
    ecsim_json_uint(&j, p->nseeds);
    ecsim_json_end_object(&j);
    ecsim_json_key(&j, "points");
    ecsim_json_begin_array(&j);
    for (size_t i = 0; i < p->npoints; i++) {
        ecsim_json_begin_object(&j);
        ecsim_json_key(&j, "label");
        ecsim_json_string(&j, p->points[i].label);
        ecsim_json_key(&j, "folder");
        ecsim_json_string(&j, p->points[i].folder);
        ecsim_json_key(&j, "overrides");
        ecsim_json_begin_array(&j);
        for (size_t s = 0; s < p->points[i].nsets; s++)
            ecsim_json_string(&j, p->points[i].sets[s]);
        ecsim_json_end_array(&j);
        ecsim_json_end_object(&j);
    }
    ecsim_json_end_array(&j);
    /* One compact line per run, so a 1,000-run manifest stays readable. */
    ecsim_json_key(&j, "runs");
    ecsim_json_begin_array(&j);
    for (size_t i = 0; i < p->nruns; i++) {
        ecsim_json_begin_object(&j);
        j.compact = true; /* this object on one line */
        ecsim_json_key(&j, "folder");
        ecsim_json_string(&j, p->runs[i].folder);
        ecsim_json_key(&j, "point");
        ecsim_json_uint(&j, p->runs[i].point);
        ecsim_json_key(&j, "seed");
        ecsim_json_uint(&j, p->runs[i].seed);
        ecsim_json_end_object(&j);
        j.compact = false;
    }
    ecsim_json_end_array(&j);
    ecsim_json_end_object(&j);
    ecsim_json_finish(&j);
    return ecsim_outfile_commit(&of);
}

/* "runs.12.seed" -> section "runs", index 12, rest "seed". */
static int split_name(const char *name, const char *section, size_t *index, const char **rest)
{
    size_t n = strlen(section);
    if (strncmp(name, section, n) != 0 || name[n] != '.')
        return 0;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(name + n + 1, &end, 10);
    if (errno || end == name + n + 1 || (*end != '.' && *end != '\0') || v >= SWEEP_MAX_RUNS)
        return 0;
    *index = (size_t)v;
    *rest = *end ? end + 1 : end;
    return 1;
}

/* Read DIR/sweep.json back into a plan (dims are not needed to run). 0 or
 * an exit code after a message. */
static int read_manifest(const char *path, sweep_plan *p, FILE *err)
{
    memset(p, 0, sizeof *p);
    char why[512];
    ecsim_figures f;
    int rc = ecsim_figures_read(path, &f, why, sizeof why);
    if (rc != 0) {
        fprintf(err, "%s: error: %s\n", rc == ECSIM_EIO ? "ecsim sweep" : path, why);
        return rc == ECSIM_EIO ? ECSIM_EXIT_IO : ECSIM_EXIT_USAGE;
    }
    int code = 0;
    const ecsim_figure *version = ecsim_figures_find(&f, "ecsim_sweep");
    const ecsim_figure *scenario = ecsim_figures_find(&f, "scenario");
    const ecsim_figure *keep = ecsim_figures_find(&f, "keep");
    const ecsim_figure *max_work = ecsim_figures_find(&f, "max_work");
    if (!version || version->num != SWEEP_FORMAT_VERSION || !scenario ||
        scenario->kind != ECSIM_FIG_STRING || !keep || keep->kind != ECSIM_FIG_STRING) {
        fprintf(err,
                "%s: error: not a sweep manifest of this version of ecsim (written by "
                "`ecsim sweep`, \"ecsim_sweep\": %d)\n",
                path, SWEEP_FORMAT_VERSION);
        ecsim_figures_free(&f);
        return ECSIM_EXIT_USAGE;
    }
    /* Count points and runs, then fill them, in document order. */
    size_t idx, npoints = 0, nruns = 0, nsets = 0;
    const char *rest;
    for (size_t i = 0; i < f.count; i++) {
        size_t k;
        const char *tail;
        if (split_name(f.items[i].name, "points", &idx, &rest) && idx + 1 > npoints)
            npoints = idx + 1;
        if (split_name(f.items[i].name, "points", &idx, &rest) &&
            split_name(rest, "overrides", &k, &tail) && k < MAX_SETS && k + 1 > nsets)
            nsets = k + 1;
        if (split_name(f.items[i].name, "runs", &idx, &rest) && idx + 1 > nruns)
            nruns = idx + 1;
    }
    char resolved[PATH_MAX];
    char *slash;
    p->scenario = ecsim_strdup(scenario->str);
    p->keep = strcmp(keep->str, "all") == 0 ? ECSIM_BATCH_KEEP_ALL : ECSIM_BATCH_KEEP_SUMMARY;
    p->max_work =
        max_work && max_work->kind == ECSIM_FIG_STRING ? ecsim_strdup(max_work->str) : NULL;
    if (!realpath(path, resolved)) {
        fprintf(err, "%s: error: %s\n", path, strerror(errno));
        ecsim_figures_free(&f);
        return ECSIM_EXIT_IO;
    }
    if ((slash = strrchr(resolved, '/')) != NULL)
        *slash = '\0';
    p->dir = ecsim_strdup(resolved[0] ? resolved : "/");
    p->points = ecsim_calloc(npoints ? npoints : 1, sizeof *p->points);
    p->runs = ecsim_calloc(nruns ? nruns : 1, sizeof *p->runs);
    if (p->points)
        p->npoints = npoints;
    if (p->runs)
        p->nruns = nruns;
    if (!p->scenario || !p->dir || !p->points || !p->runs) {
        ecsim_figures_free(&f);
        fprintf(err, "ecsim sweep: error: %s\n", ecsim_strerror(ECSIM_ENOMEM));
        return ECSIM_EXIT_FAIL;
    }
    for (size_t i = 0; i < p->npoints; i++) {
        p->points[i].sets = ecsim_calloc(nsets ? nsets : 1, sizeof(char *));
        if (!p->points[i].sets)
            code = ECSIM_EXIT_FAIL;
    }
    for (size_t i = 0; code == 0 && i < f.count; i++) {
        const ecsim_figure *e = &f.items[i];
        if (split_name(e->name, "points", &idx, &rest)) {
            sweep_point *pt = &p->points[idx];
            size_t k;
            const char *tail;
            if (strcmp(rest, "label") == 0 && e->kind == ECSIM_FIG_STRING)
                pt->label = ecsim_strdup(e->str);
            else if (strcmp(rest, "folder") == 0 && e->kind == ECSIM_FIG_STRING)
                pt->folder = ecsim_strdup(e->str);
            else if (split_name(rest, "overrides", &k, &tail) && !*tail &&
                     e->kind == ECSIM_FIG_STRING && k < nsets) {
                pt->sets[k] = ecsim_strdup(e->str);
                if (k + 1 > pt->nsets)
                    pt->nsets = k + 1;
            }
        } else if (split_name(e->name, "runs", &idx, &rest)) {
            sweep_run *r = &p->runs[idx];
            if (strcmp(rest, "folder") == 0 && e->kind == ECSIM_FIG_STRING)
                r->folder = ecsim_strdup(e->str);
            else if (strcmp(rest, "point") == 0 && e->kind == ECSIM_FIG_NUMBER)
                r->point = (size_t)e->num;
            else if (strcmp(rest, "seed") == 0 && e->kind == ECSIM_FIG_NUMBER)
                r->seed = (uint64_t)e->num;
        }
    }
    ecsim_figures_free(&f);
    for (size_t i = 0; code == 0 && i < p->npoints; i++) {
        if (!p->points[i].label || !p->points[i].folder)
            code = ECSIM_EXIT_USAGE;
        for (size_t s = 0; s < p->points[i].nsets; s++)
            if (!p->points[i].sets[s])
                code = ECSIM_EXIT_USAGE;
    }
    for (size_t i = 0; code == 0 && i < p->nruns; i++)
        if (!p->runs[i].folder || p->runs[i].point >= p->npoints ||
            strstr(p->runs[i].folder, "..") || p->runs[i].folder[0] == '/')
            code = ECSIM_EXIT_USAGE;
    if (code == ECSIM_EXIT_USAGE)
        fprintf(err,
                "%s: error: the manifest is incomplete or altered (every point needs a "
                "label, a folder and its overrides; every run a folder inside the sweep, "
                "a point and a seed)\n",
                path);
    else if (code)
        fprintf(err, "ecsim sweep: error: %s\n", ecsim_strerror(ECSIM_ENOMEM));
    return code;
}

/* ---- playing runs --------------------------------------------------------------------- */

static unsigned default_workers(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n >= 1 && n <= 1024 ? (unsigned)n : 1;
}

/* -j N: 0, or ECSIM_EXIT_USAGE after a message. */
static int parse_jobs(const char *text, unsigned *jobs, FILE *err)
{
    char *end;
    errno = 0;
    long v = text ? strtol(text, &end, 10) : 0;
    if (!text || errno || *end || v < 1 || v > 1024) {
        fprintf(err, "-j/--jobs %s: error: expected a whole number from 1 to 1024\n",
                text ? text : "");
        return ECSIM_EXIT_USAGE;
    }
    *jobs = (unsigned)v;
    return 0;
}

static double monotonic_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Play runs [first, last] of the plan with `workers` processes. Returns the
 * exit code: 0, ECSIM_EXIT_RUNS_FAILED, 130/143, or a batch error. */
/* --fail-on and the scenario's checks: on every complete run's
 * summary.json. A name no figure has is a usage error (2); otherwise
 * ECSIM_EXIT_CHECKS when a run fails one, after its failed checks under
 * its folder. */
static int check_runs(const ecsim_batch_job *jobs, const ecsim_batch_outcome *outs, size_t n,
                      const ecsim_check *checks, size_t nchecks, FILE *err)
{
    size_t failing = 0, checked = 0;
    for (size_t i = 0; i < n; i++) {
        if (outs[i].exit_code != 0)
            continue;
        char path[SWEEP_PATH_MAX], why[512];
        snprintf(path, sizeof path, "%s/summary.json", jobs[i].dir);
        ecsim_figures f;
        if (ecsim_figures_read(path, &f, why, sizeof why) != 0) {
            fprintf(err, "ecsim sweep: error: %s\n", why);
            return ECSIM_EXIT_IO;
        }
        if (checked++ == 0 && ecsim_checks_unknown(checks, nchecks, &f, "ecsim sweep", err) > 0) {
            ecsim_figures_free(&f);
            return ECSIM_EXIT_USAGE;
        }
        char heading[SWEEP_PATH_MAX + 32];
        snprintf(heading, sizeof heading, "ecsim sweep: %s:\n", jobs[i].dir);
        failing += ecsim_checks_eval_headed(checks, nchecks, &f, heading, err) > 0;
        ecsim_figures_free(&f);
    }
    if (!failing)
        return 0;
    fprintf(err, "ecsim sweep: thresholds failed in %zu of %zu runs; exit %d\n", failing, checked,
            ECSIM_EXIT_CHECKS);
    return ECSIM_EXIT_CHECKS;
}

static int play(const sweep_plan *p, size_t first, size_t last, unsigned workers, int quiet,
                const ecsim_check *checks, size_t nchecks, FILE *out, FILE *err)
{
    size_t n = last - first + 1;
    ecsim_batch_job *jobs = ecsim_calloc(n, sizeof *jobs);
    ecsim_batch_outcome *outs = ecsim_calloc(n, sizeof *outs);
    char **dirs = ecsim_calloc(n, sizeof *dirs);
    int code = 0, started = 0; /* started: the batch has run (its messages are said) */
    if (!jobs || !outs || !dirs) {
        code = ECSIM_EXIT_FAIL;
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        const sweep_run *r = &p->runs[first + i];
        const sweep_point *pt = &p->points[r->point];
        size_t len = strlen(p->dir) + strlen(r->folder) + 2;
        if (!(dirs[i] = ecsim_malloc(len))) {
            code = ECSIM_EXIT_FAIL;
            goto done;
        }
        snprintf(dirs[i], len, "%s/%s", p->dir, r->folder);
        jobs[i].scenario_path = p->scenario;
        jobs[i].sets = (const char *const *)pt->sets;
        jobs[i].nsets = pt->nsets;
        jobs[i].seed = r->seed;
        jobs[i].dir = dirs[i];
        jobs[i].label = pt->label;
        jobs[i].keep = p->keep;
    }
    if (p->keep == ECSIM_BATCH_KEEP_ALL)
        ecsim_cli_use_data_dir();
    char records[SWEEP_PATH_MAX];
    snprintf(records, sizeof records, "%s/records", p->dir);
    ecsim_batch_opts opts = {workers, !quiet, err, p->max_work, records};
    size_t failed = 0;
    double start = monotonic_s();
    int rc = ecsim_batch_run(jobs, n, &opts, outs, &failed);
    double elapsed = monotonic_s() - start;
    started = 1;
    if (rc == ECSIM_EINTR) {
        int sig = ecsim_interrupted();
        size_t complete = 0;
        for (size_t i = 0; i < n; i++)
            complete += outs[i].exit_code == 0;
        fprintf(err,
                "ecsim sweep: interrupted by %s; stopped with %zu of %zu runs complete (the "
                "runs in progress left no record); run the same command again to play the "
                "rest\n",
                sig == SIGTERM ? "SIGTERM" : "SIGINT", complete, n);
        code = ecsim_interrupt_exit_code(sig ? sig : SIGINT);
        goto done;
    }
    if (rc != 0) {
        fprintf(err, "ecsim sweep: error: cannot start the runs: %s\n", ecsim_strerror(rc));
        code = rc == ECSIM_ENOMEM ? ECSIM_EXIT_FAIL : ECSIM_EXIT_IO;
        goto done;
    }
    size_t skipped = 0;
    for (size_t i = 0; i < n; i++)
        skipped += (size_t)outs[i].skipped;
    unsigned used = (size_t)workers < n ? workers : (unsigned)n; /* no more workers than runs */
    if (!quiet)
        fprintf(out,
                "ecsim sweep: %zu run%s in %s: %zu ok (%zu already complete), %zu failed; "
                "%.1f s with %u worker%s\n",
                n, n == 1 ? "" : "s", p->dir, n - failed, skipped, failed, elapsed, used,
                used == 1 ? "" : "s");
    if (nchecks)
        code = check_runs(jobs, outs, n, checks, nchecks, err);
    if (failed && code != ECSIM_EXIT_USAGE) {
        fprintf(err,
                "ecsim sweep: %zu of %zu runs failed (each folder's run.json says why); "
                "exit %d\n",
                failed, n, ECSIM_EXIT_RUNS_FAILED);
        code = ECSIM_EXIT_RUNS_FAILED;
    }
done:
    for (size_t i = 0; dirs && i < n; i++)
        ecsim_free(dirs[i]);
    if (code == ECSIM_EXIT_FAIL && !started)
        fprintf(err, "ecsim sweep: error: %s\n", ecsim_strerror(ECSIM_ENOMEM));
    ecsim_free(dirs);
    ecsim_free(jobs);
    ecsim_free(outs);
    return code;
}

/* --runs I or I-J (0-based, inclusive) within n runs. */
static int parse_runs(const char *text, size_t n, size_t *first, size_t *last, FILE *err)
{
    char *end;
    errno = 0;
    unsigned long long a = strtoull(text, &end, 10), b = a;
    int ok = !errno && end != text && text[0] != '-';
    if (ok && *end == '-') {
        const char *q = end + 1;
        b = strtoull(q, &end, 10);
        ok = !errno && end != q && *q != '-';
    }
    ok = ok && !*end && a <= b;
    if (!ok || b >= n) {
        fprintf(err,
                "--runs %s: error: expected I or I-J with 0 <= I <= J < %zu (the manifest's "
                "runs)\n",
                text, n);
        return ECSIM_EXIT_USAGE;
    }
    *first = (size_t)a;
    *last = (size_t)b;
    return 0;
}

/* ---- emitting job lists ------------------------------------------------------------- */

/* `s` as one shell word. */
static void shell_word(FILE *out, const char *s)
{
    if (*s &&
        strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./=+-,:@%") ==
            strlen(s)) {
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

/* The program the job lines call: this very binary when it is `ecsim`
 * (the same build gives the same folders), else `ecsim` on the PATH. */
static void self_path(char *buf, size_t size)
{
    ssize_t n = readlink("/proc/self/exe", buf, size - 1);
    if (n > 0) {
        buf[n] = '\0';
        const char *base = strrchr(buf, '/');
        if (strcmp(base ? base + 1 : buf, "ecsim") == 0)
            return;
    }
    snprintf(buf, size, "ecsim");
}

static int emit_parallel(const sweep_plan *p, const char *manifest, const char *jobs_text,
                         FILE *out, FILE *err)
{
    char path[SWEEP_PATH_MAX], exe[SWEEP_PATH_MAX];
    self_path(exe, sizeof exe);
    snprintf(path, sizeof path, "%s/jobs.txt", p->dir);
    ecsim_outfile of;
    if (ecsim_outfile_open(&of, path) != 0) {
        fprintf(err, "%s: error: cannot write: %s\n", path, strerror(errno));
        return ECSIM_EXIT_IO;
    }
    for (size_t i = 0; i < p->nruns; i++) {
        shell_word(of.fp, exe);
        fputs(" sweep ", of.fp);
        shell_word(of.fp, manifest);
        fprintf(of.fp, " --runs %zu -q\n", i);
    }
    if (ecsim_outfile_commit(&of) != 0) {
        fprintf(err, "%s: error: cannot write: %s\n", path, strerror(errno));
        return ECSIM_EXIT_IO;
    }
    fprintf(out, "ecsim sweep: %zu jobs (one per run) in %s\n", p->nruns, path);
    fprintf(out, "run them with GNU parallel (resumable: run the same command again):\n  ");
    fputs("parallel --joblog ", out);
    char joblog[SWEEP_PATH_MAX];
    snprintf(joblog, sizeof joblog, "%s/parallel.joblog", p->dir);
    shell_word(out, joblog);
    fputs(" --resume", out);
    if (jobs_text)
        fprintf(out, " -j %s", jobs_text);
    fputs(" < ", out);
    shell_word(out, path);
    fputc('\n', out);
    return 0;
}

static int emit_slurm(const sweep_plan *p, const char *manifest, const char *jobs_text,
                      const char *per_task_text, FILE *out, FILE *err)
{
    /* One array task per grid point by default: its seeds in one task. */
    size_t per_task = (size_t)p->nruns / (p->npoints ? p->npoints : 1);
    if (per_task_text) {
        char *end;
        errno = 0;
        long v = strtol(per_task_text, &end, 10);
        if (errno || *end || v < 1 || v > (long)SWEEP_MAX_RUNS) {
            fprintf(err, "--per-task %s: error: expected a whole number of runs >= 1\n",
                    per_task_text);
            return ECSIM_EXIT_USAGE;
        }
        per_task = (size_t)v;
    }
    if (per_task < 1)
        per_task = 1;
    size_t ntasks = (p->nruns + per_task - 1) / per_task;
    char sdir[SWEEP_PATH_MAX], path[SWEEP_PATH_MAX + 32], exe[SWEEP_PATH_MAX];
    self_path(exe, sizeof exe);
    snprintf(sdir, sizeof sdir, "%s/slurm/logs", p->dir);
    if (ecsim_mkdirs(sdir) != 0) {
        fprintf(err, "%s: error: cannot create: %s\n", sdir, strerror(errno));
        return ECSIM_EXIT_IO;
    }
    snprintf(sdir, sizeof sdir, "%s/slurm", p->dir);

    /* The array manifest: task -> grid point(s) and seed range. */
    snprintf(path, sizeof path, "%s/tasks.tsv", sdir);
    ecsim_outfile of;
    if (ecsim_outfile_open(&of, path) != 0) {
        fprintf(err, "%s: error: cannot write: %s\n", path, strerror(errno));
        return ECSIM_EXIT_IO;
    }
    fputs("task\tfirst_run\tlast_run\tpoint\tfirst_seed\tlast_seed\n", of.fp);
    for (size_t t = 0; t < ntasks; t++) {
        size_t a = t * per_task, b = a + per_task - 1 < p->nruns ? a + per_task - 1 : p->nruns - 1;
        /* A task may span points: one line per point it touches. */
        for (size_t i = a; i <= b;) {
            size_t j = i;
            while (j + 1 <= b && p->runs[j + 1].point == p->runs[i].point)
                j++;
            fprintf(of.fp, "%zu\t%zu\t%zu\t%s\t%" PRIu64 "\t%" PRIu64 "\n", t, i, j,
                    *p->points[p->runs[i].point].label ? p->points[p->runs[i].point].label : "-",
                    p->runs[i].seed, p->runs[j].seed);
            i = j + 1;
        }
    }
    if (ecsim_outfile_commit(&of) != 0) {
        fprintf(err, "%s: error: cannot write: %s\n", path, strerror(errno));
        return ECSIM_EXIT_IO;
    }

    snprintf(path, sizeof path, "%s/sweep.sbatch", sdir);
    if (ecsim_outfile_open(&of, path) != 0) {
        fprintf(err, "%s: error: cannot write: %s\n", path, strerror(errno));
        return ECSIM_EXIT_IO;
    }
    FILE *f = of.fp;
    fprintf(f, "#!/bin/bash\n");
    fprintf(f, "# A Slurm job array for the sweep %s, written by `ecsim sweep --emit slurm`.\n",
            manifest);
    fprintf(f,
            "# Task T plays runs T*%zu .. T*%zu+%zu of the manifest (slurm/tasks.tsv lists each\n"
            "# task's grid point and seeds) into their folders on the shared file system;\n"
            "# a task run again skips its complete runs. Submit: sbatch %s\n",
            per_task, per_task, per_task - 1, path);
    fprintf(f, "#SBATCH --job-name=ecsim-sweep\n");
    fprintf(f, "#SBATCH --array=0-%zu", ntasks - 1);
    if (jobs_text)
        fprintf(f, "%%%s", jobs_text);
    fprintf(f, "\n#SBATCH --output=%s/logs/task-%%A_%%a.out\n", sdir);
    fprintf(f, "#SBATCH --cpus-per-task=1\n");
    fprintf(f, "set -eu\n");
    fprintf(f, "task=${SLURM_ARRAY_TASK_ID:?not inside a Slurm job array (set SLURM_ARRAY_TASK_ID "
               "to play one task by hand)}\n");
    fprintf(f, "per_task=%zu\nruns=%zu\n", per_task, p->nruns);
    fprintf(f, "first=$(( task * per_task ))\n");
    fprintf(f, "last=$(( first + per_task - 1 ))\n");
    fprintf(f, "if [ \"$last\" -ge \"$runs\" ]; then last=$(( runs - 1 )); fi\n");
    fprintf(f, "exec ");
    shell_word(f, exe);
    fputs(" sweep ", f);
    shell_word(f, manifest);
    fprintf(f, " --runs \"$first-$last\" -j \"${SLURM_CPUS_PER_TASK:-1}\" -q\n");
    if (ecsim_outfile_commit(&of) != 0 || chmod(path, 0755) != 0) {
        fprintf(err, "%s: error: cannot write: %s\n", path, strerror(errno));
        return ECSIM_EXIT_IO;
    }
    fprintf(out,
            "ecsim sweep: a Slurm job array of %zu task%s (%zu run%s each, %zu in all) in %s\n",
            ntasks, ntasks == 1 ? "" : "s", per_task, per_task == 1 ? "" : "s", p->nruns, sdir);
    fprintf(out, "task -> grid point and seeds: %s/tasks.tsv; logs: %s/logs/\n", sdir, sdir);
    fprintf(out, "submit it (resumable: submit again to play what is missing):\n  sbatch ");
    shell_word(out, path);
    fputc('\n', out);
    return 0;
}

/* ---- the command ---------------------------------------------------------------------- */

static int cmp_str_ptr(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* When DIR holds the manifest of an earlier sweep whose runs are not all
 * in this one, say so: their folders stay, and `ecsim collect DIR` reads
 * every run folder under DIR. */
static void note_earlier_sweep(const sweep_plan *p, const char *manifest, FILE *err)
{
    if (access(manifest, F_OK) != 0)
        return;
    char *text = NULL;
    size_t len = 0;
    FILE *quiet = open_memstream(&text, &len);
    if (!quiet)
        return;
    sweep_plan old;
    int code = read_manifest(manifest, &old, quiet);
    fclose(quiet);
    free(text);
    const char **names = code == 0 ? ecsim_calloc(p->nruns ? p->nruns : 1, sizeof *names) : NULL;
    if (names) {
        for (size_t i = 0; i < p->nruns; i++)
            names[i] = p->runs[i].folder;
        qsort(names, p->nruns, sizeof *names, cmp_str_ptr);
        size_t missing = 0;
        for (size_t i = 0; i < old.nruns; i++) {
            const char *key = old.runs[i].folder;
            missing += !bsearch(&key, names, p->nruns, sizeof *names, cmp_str_ptr);
        }
        if (missing || strcmp(old.scenario, p->scenario) != 0)
            fprintf(err,
                    "ecsim sweep: note: %s held an earlier sweep (of %s) with %zu run folders "
                    "that are not in this one; they stay, and `ecsim collect` reads every run "
                    "folder under the sweep folder\n",
                    p->dir, old.scenario, missing);
        ecsim_free(names);
    }
    plan_free(&old);
}

static int ends_with(const char *s, const char *tail)
{
    size_t a = strlen(s), b = strlen(tail);
    return a >= b && strcmp(s + a - b, tail) == 0;
}

/* `ecsim sweep DIR/sweep.json [--runs I-J]`: play runs of a manifest. */
static int sweep_manifest(cli_opts *o, FILE *out, FILE *err)
{
    const cli_cmddoc *c = cli_command_find("sweep");
    if (o->nsets || o->seeds_text || o->keep_text || o->emit_text || o->per_task_text ||
        o->max_work_text) {
        fprintf(err,
                "ecsim sweep: error: with a manifest (%s), the grid, seeds, --keep and "
                "--max-work come from it; give only --runs, -j and -q\n",
                o->files[0]);
        cli_print_usage_line(c, err);
        return ECSIM_EXIT_USAGE;
    }
    unsigned workers = 1;
    if (o->jobs_text && parse_jobs(o->jobs_text, &workers, err) != 0)
        return ECSIM_EXIT_USAGE;
    sweep_plan p;
    int code = read_manifest(o->files[0], &p, err);
    if (code) {
        plan_free(&p);
        return code;
    }
    size_t first = 0, last = p.nruns ? p.nruns - 1 : 0;
    if (o->runs_text && (code = parse_runs(o->runs_text, p.nruns, &first, &last, err)) != 0) {
        plan_free(&p);
        return code;
    }
    if (p.nruns == 0) {
        plan_free(&p);
        return 0;
    }
    if (!o->jobs_text && !o->runs_text)
        workers = default_workers();
    ecsim_check *checks = NULL;
    size_t nchecks = 0;
    code = cli_run_checks(o, NULL, &checks, &nchecks, err); /* --fail-on */
    if (code == 0)
        code = play(&p, first, last, workers, o->quiet, checks, nchecks, out, err);
    ecsim_free(checks);
    plan_free(&p);
    return code;
}

int cli_cmd_sweep(cli_opts *o, FILE *out, FILE *err)
{
    ecsim_check *checks = NULL; /* before any `goto done` */
    size_t nchecks = 0;
    const cli_cmddoc *c = cli_command_find("sweep");
    int code = cli_need_one_file(c, o, err);
    if (code)
        return code;
    if (ends_with(o->files[0], ".json"))
        return sweep_manifest(o, out, err);
    if (o->runs_text) {
        fprintf(err, "ecsim sweep: error: --runs plays runs of a manifest (ecsim sweep "
                     "DIR/sweep.json --runs I-J)\n");
        return ECSIM_EXIT_USAGE;
    }
    if (strcmp(o->files[0], "-") == 0) {
        fprintf(err, "ecsim sweep: error: a sweep reads its scenario from a file (its runs "
                     "load it again), not from standard input\n");
        return ECSIM_EXIT_USAGE;
    }
    sweep_plan p;
    memset(&p, 0, sizeof p);
    char why[256];
    if (!o->seeds_text) {
        /* No --seeds: each grid point runs once, with the scenario's own
         * seed (DESIGN.md gives --seeds as optional). */
        cli_opts base;
        memset(&base, 0, sizeof base);
        base.max_work_text = o->max_work_text;
        ecsim_scenario *sc = cli_load(&base, o->files[0], err, &code);
        if (!sc)
            return code;
        p.seed_first = sc->seed;
        p.nseeds = 1;
        ecsim_scenario_free(sc);
    } else if (ecsim_batch_parse_seeds(o->seeds_text, SWEEP_MAX_RUNS, &p.seed_first, &p.nseeds,
                                       why, sizeof why) != 0) {
        fprintf(err, "--seeds %s: error: %s\n", o->seeds_text, why);
        return ECSIM_EXIT_USAGE;
    }
    if (o->keep_text && strcmp(o->keep_text, "summary") != 0 && strcmp(o->keep_text, "all") != 0) {
        fprintf(err,
                "--keep %s: error: expected summary (summary.json per run) or "
                "all (every output of `ecsim run` as well)\n",
                o->keep_text);
        return ECSIM_EXIT_USAGE;
    }
    p.keep = o->keep_text && strcmp(o->keep_text, "all") == 0 ? ECSIM_BATCH_KEEP_ALL
                                                              : ECSIM_BATCH_KEEP_SUMMARY;
    if (o->emit_text && strcmp(o->emit_text, "parallel") != 0 &&
        strcmp(o->emit_text, "slurm") != 0) {
        fprintf(err,
                "--emit %s: error: expected parallel (a job list for GNU parallel) or slurm "
                "(an sbatch job array)\n",
                o->emit_text);
        return ECSIM_EXIT_USAGE;
    }
    if (o->per_task_text && (!o->emit_text || strcmp(o->emit_text, "slurm") != 0)) {
        fprintf(err, "ecsim sweep: error: --per-task goes with --emit slurm\n");
        return ECSIM_EXIT_USAGE;
    }
    unsigned workers = default_workers();
    if (o->jobs_text && parse_jobs(o->jobs_text, &workers, err) != 0)
        return ECSIM_EXIT_USAGE;

    /* The grid. */
    p.dims = ecsim_calloc(o->nsets ? o->nsets : 1, sizeof *p.dims);
    if (!p.dims) {
        fprintf(err, "ecsim sweep: error: %s\n", ecsim_strerror(ECSIM_ENOMEM));
        return ECSIM_EXIT_FAIL;
    }
    for (size_t i = 0; i < o->nsets; i++) {
        code = parse_dim(o->sets[i], &p.dims[i], err);
        p.ndims++;
        if (code)
            goto done;
        for (size_t k = 0; k < i; k++)
            if (strcmp(p.dims[k].key, p.dims[i].key) == 0) {
                fprintf(err,
                        "--set %s: error: `%s` is swept twice; give its values in one --set "
                        "KEY=V1,V2,...\n",
                        o->sets[i], p.dims[i].key);
                code = ECSIM_EXIT_USAGE;
                goto done;
            }
    }
    if ((code = build_runs(&p, err)) != 0) {
        if (code == ECSIM_EXIT_FAIL)
            fprintf(err, "ecsim sweep: error: %s\n", ecsim_strerror(ECSIM_ENOMEM));
        goto done;
    }

    /* Every grid point must load (validated like `ecsim run`, the work
     * limit included) before anything is written: a typo in a key or a
     * value is one message, not a failed run per seed. */
    ecsim_scenario *first_sc = NULL;
    for (size_t i = 0; i < p.npoints; i++) {
        cli_opts lo;
        memset(&lo, 0, sizeof lo);
        lo.max_work_text = o->max_work_text;
        for (size_t s = 0; s < p.points[i].nsets; s++)
            lo.sets[s] = p.points[i].sets[s];
        lo.nsets = p.points[i].nsets;
        char *text = NULL;
        size_t len = 0;
        FILE *msg = open_memstream(&text, &len);
        if (!msg) {
            ecsim_scenario_free(first_sc);
            code = ECSIM_EXIT_FAIL;
            goto done;
        }
        ecsim_scenario *sc = cli_load(&lo, o->files[0], msg, &code);
        fclose(msg);
        if (!sc) {
            if (p.points[i].label[0])
                fprintf(err, "ecsim sweep: error: the grid point %s does not load:\n",
                        p.points[i].label);
            fputs(text ? text : "", err);
            free(text);
            ecsim_scenario_free(first_sc);
            goto done;
        }
        free(text);
        if (i == 0)
            first_sc = sc;
        else
            ecsim_scenario_free(sc);
    }

    /* The folder and the manifest. */
    char dir[SWEEP_PATH_MAX], resolved[PATH_MAX];
    if (o->out)
        snprintf(dir, sizeof dir, "%s", o->out);
    else
        snprintf(dir, sizeof dir, "out/%s-sweep", first_sc ? first_sc->name : "sweep");
    code = cli_run_checks(o, first_sc, &checks, &nchecks, err); /* --fail-on, then checks: */
    ecsim_scenario_free(first_sc);
    if (code)
        goto done;
    if (ecsim_mkdirs(dir) != 0 || !realpath(dir, resolved)) {
        fprintf(err, "%s: error: cannot create the sweep folder: %s\n", dir, strerror(errno));
        code = ECSIM_EXIT_IO;
        goto done;
    }
    p.dir = ecsim_strdup(resolved);
    if (!realpath(o->files[0], resolved)) {
        fprintf(err, "%s: error: %s\n", o->files[0], strerror(errno));
        code = ECSIM_EXIT_IO;
        goto done;
    }
    p.scenario = ecsim_strdup(resolved);
    if (o->max_work_text)
        p.max_work = ecsim_strdup(o->max_work_text);
    if (!p.dir || !p.scenario || (o->max_work_text && !p.max_work)) {
        fprintf(err, "ecsim sweep: error: %s\n", ecsim_strerror(ECSIM_ENOMEM));
        code = ECSIM_EXIT_FAIL;
        goto done;
    }
    char manifest[SWEEP_PATH_MAX];
    snprintf(manifest, sizeof manifest, "%s/sweep.json", p.dir);
    note_earlier_sweep(&p, manifest, err);
    if (write_manifest(&p, manifest) != 0) {
        fprintf(err, "%s: error: cannot write: %s\n", manifest, strerror(errno));
        code = ECSIM_EXIT_IO;
        goto done;
    }
    if (o->emit_text && strcmp(o->emit_text, "parallel") == 0)
        code = emit_parallel(&p, manifest, o->jobs_text, out, err);
    else if (o->emit_text)
        code = emit_slurm(&p, manifest, o->jobs_text, o->per_task_text, out, err);
    else
        code = play(&p, 0, p.nruns - 1, workers, o->quiet, checks, nchecks, out, err);
done:
    ecsim_free(checks);
    plan_free(&p);
    return code;
}
