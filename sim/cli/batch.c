/* Batches of runs played by worker processes (sim/cli/batch.h): the engine
 * of `ecsim sweep` and `ecsim compare`.
 *
 * The parent forks opts->workers worker processes, which take jobs from a
 * counter in shared memory (an atomic fetch-and-add) until none is left. A
 * worker plays a job as `ecsim run` would: it loads the scenario with the
 * job's --set overrides (cli_load), plays it with the job's seed
 * (cli_simulate) and writes its files into the job's folder. It tells the
 * parent through its pipe when it starts a job and how the job ended: one
 * fixed-size message per event (exit code, wall and simulation times, the
 * first error line), written with one write(2) of less than PIPE_BUF bytes,
 * so it arrives whole. The parent only listens: it polls the pipes, draws
 * the progress bar, says which runs failed, and reaps the workers.
 *
 * Why long-lived workers pulling from a counter, rather than a process per
 * job or jobs handed out by the parent: a worker never waits for the parent
 * between two runs (on a loaded 2-core machine each such hand-over costs a
 * scheduling delay of milliseconds, as long as a short run), no fork per
 * run, and a worker that plays the next seed of the same grid point reuses
 * the scenario it has loaded (no second parse and validation). Isolation
 * is kept where it matters: a run that crashes its worker is recorded as
 * failed (exit 70, the signal named) and another worker takes the crashed
 * one's place; allocation failures stay in the worker.
 *
 * Files: the worker removes the folder's run.json, and for KEEP_SUMMARY
 * its summary.json, first (an old record or summary never vouches for a
 * new run). KEEP_SUMMARY: an ok run writes summary.json (compact, one
 * line), atomically, and nothing else; the parent appends the run's record
 * to the batch's records file when the worker reports it. KEEP_ALL: the
 * worker writes every output of `ecsim run` (moved up from the report's
 * own folder), then run.json, atomically, last. A failed run writes
 * run.json. A worker stopped by SIGINT/SIGTERM writes nothing more for the
 * run it was playing (summary.json is written whole or not at all), so
 * that folder is run again by the next batch. If a worker dies during a
 * run without reporting (a crash), the parent writes its run.json
 * ("failed", exit 70). */
#define _GNU_SOURCE /* strsignal */
#include "batch.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ecsim/alloc.h"
#include "ecsim/error.h"
#include "ecsim/figures.h"
#include "ecsim/interrupt.h"
#include "ecsim/loader.h"
#include "ecsim/output.h"
#include "ecsim/report.h"
#include "ecsim/sim.h"
#include "cli.h"
#include "cli_opts.h"

#define BATCH_PATH_MAX 4096

/* How one run went, as its worker reports it. */
typedef struct job_report {
    int exit_code;
    double wall_s;
    double sim_s;
    char error[512];
} job_report;

static double wall_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Milliseconds are enough for a wall time and keep run.json short. */
static double round_ms(double s)
{
    return round(s * 1000.0) / 1000.0;
}

/* ---- run.json ------------------------------------------------------------------ */

/* The run's record (sim/cli/batch.h) as one line of JSON on `out`;
 * `folder` (NULL: none) is written first, as the records file has it. */
static void record_json(FILE *out, const ecsim_batch_job *job, const char *folder, int exit_code,
                        const char *error, double wall_s, double sim_s)
{
    ecsim_json j;
    ecsim_json_init(&j, out, true);
    ecsim_json_begin_object(&j);
    if (folder) {
        ecsim_json_key(&j, "folder");
        ecsim_json_string(&j, folder);
    }
    ecsim_json_key(&j, "status");
    ecsim_json_string(&j, exit_code == 0 ? "ok" : "failed");
    ecsim_json_key(&j, "exit_code");
    ecsim_json_int(&j, exit_code);
    ecsim_json_key(&j, "error");
    ecsim_json_string(&j, exit_code == 0 || !error || !*error ? NULL : error);
    ecsim_json_key(&j, "scenario");
    ecsim_json_string(&j, job->scenario_path);
    ecsim_json_key(&j, "overrides");
    ecsim_json_begin_array(&j);
    for (size_t i = 0; i < job->nsets; i++)
        ecsim_json_string(&j, job->sets[i]);
    ecsim_json_end_array(&j);
    ecsim_json_key(&j, "seed");
    ecsim_json_uint(&j, job->seed);
    ecsim_json_key(&j, "label");
    ecsim_json_string(&j, job->label ? job->label : "");
    ecsim_json_key(&j, "keep");
    ecsim_json_string(&j, job->keep == ECSIM_BATCH_KEEP_ALL ? "all" : "summary");
    ecsim_json_key(&j, "wall_s");
    ecsim_json_number(&j, round_ms(wall_s));
    ecsim_json_key(&j, "sim_s");
    ecsim_json_number(&j, round_ms(sim_s));
    ecsim_json_end_object(&j);
    ecsim_json_finish(&j);
}

static int write_run_json(const ecsim_batch_job *job, int exit_code, const char *error,
                          double wall_s, double sim_s)
{
    char path[BATCH_PATH_MAX];
    if ((size_t)snprintf(path, sizeof path, "%s/run.json", job->dir) >= sizeof path)
        return ECSIM_EIO;
    ecsim_outfile of;
    int rc = ecsim_outfile_open(&of, path);
    if (rc != 0)
        return rc;
    record_json(of.fp, job, NULL, exit_code, error, wall_s, sim_s);
    return ecsim_outfile_commit(&of);
}

/* Whether figures `f` name exactly the job's seed and overrides ("seed",
 * "overrides.N"; "overrides" alone for an empty list), as run.json and
 * summary.json both record them. */
static int same_seed_and_overrides(const ecsim_figures *f, const ecsim_batch_job *job)
{
    const ecsim_figure *seed = ecsim_figures_find(f, "seed");
    if (!seed || seed->kind != ECSIM_FIG_NUMBER || seed->num != (double)job->seed)
        return 0;
    int ok = 1;
    for (size_t i = 0; ok && i <= job->nsets; i++) {
        char name[64];
        snprintf(name, sizeof name, "overrides.%zu", i);
        const ecsim_figure *o = ecsim_figures_find(f, name);
        if (i == job->nsets)
            ok = o == NULL;
        else
            ok = o && o->kind == ECSIM_FIG_STRING && strcmp(o->str, job->sets[i]) == 0;
    }
    if (ok && job->nsets == 0) { /* "overrides": [] is one empty-array leaf */
        const ecsim_figure *o = ecsim_figures_find(f, "overrides");
        ok = o != NULL;
    }
    return ok;
}

/* Whether job's folder holds a complete run of this very job
 * (sim/cli/batch.h, "Resume"). */
static int job_complete(const ecsim_batch_job *job)
{
    char path[BATCH_PATH_MAX], err[256];
    if ((size_t)snprintf(path, sizeof path, "%s/summary.json", job->dir) >= sizeof path)
        return 0;
    ecsim_figures f;
    if (job->keep != ECSIM_BATCH_KEEP_ALL) {
        /* summary.json is written whole or not at all, once the run is ok;
         * a run.json there says how the folder's last run went. */
        if (ecsim_figures_read(path, &f, err, sizeof err) != 0)
            return 0;
        int ok = same_seed_and_overrides(&f, job);
        ecsim_figures_free(&f);
        snprintf(path, sizeof path, "%s/run.json", job->dir);
        if (ok && access(path, F_OK) == 0) {
            if (ecsim_figures_read(path, &f, err, sizeof err) != 0)
                return 0;
            const ecsim_figure *status = ecsim_figures_find(&f, "status");
            ok = status && status->kind == ECSIM_FIG_STRING && strcmp(status->str, "ok") == 0;
            ecsim_figures_free(&f);
        }
        return ok;
    }
    if (access(path, R_OK) != 0)
        return 0;
    snprintf(path, sizeof path, "%s/run.json", job->dir);
    if (ecsim_figures_read(path, &f, err, sizeof err) != 0)
        return 0;
    const ecsim_figure *status = ecsim_figures_find(&f, "status");
    const ecsim_figure *keep = ecsim_figures_find(&f, "keep");
    /* A run that kept only its summary does not complete a --keep all job. */
    int ok = status && status->kind == ECSIM_FIG_STRING && strcmp(status->str, "ok") == 0 &&
             keep && keep->kind == ECSIM_FIG_STRING && strcmp(keep->str, "all") == 0 &&
             same_seed_and_overrides(&f, job);
    ecsim_figures_free(&f);
    return ok;
}

/* ---- the worker --------------------------------------------------------------------- */

/* The first line of `text` that reports an error (else its first line),
 * without the newline, into out[0..size). */
static void first_error_line(const char *text, char *out, size_t size)
{
    out[0] = '\0';
    if (!text || !*text)
        return;
    const char *line = text;
    for (const char *p = text; *p;) {
        const char *end = strchr(p, '\n');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (memmem(p, len, "error", 5)) {
            line = p;
            break;
        }
        p = end ? end + 1 : p + len;
    }
    size_t len = strcspn(line, "\n");
    if (len >= size)
        len = size - 1;
    memcpy(out, line, len);
    out[len] = '\0';
}

/* Write summary.json into the job's folder, atomically, on one line. */
static int write_summary(const ecsim_batch_job *job, const ecsim_sim *sim)
{
    char path[BATCH_PATH_MAX];
    if ((size_t)snprintf(path, sizeof path, "%s/summary.json", job->dir) >= sizeof path)
        return ECSIM_EIO;
    ecsim_outfile of;
    int rc = ecsim_outfile_open(&of, path);
    if (rc != 0)
        return rc;
    if (ecsim_report_summary_json_compact(sim, job->sets, job->nsets, of.fp) != 0) {
        ecsim_outfile_abort(&of);
        return ECSIM_EIO;
    }
    return ecsim_outfile_commit(&of);
}

/* Every output of `ecsim run` into the job's folder: the report writes its
 * folder DIR/.all/<scenario name>/ (whole or not at all), whose files are
 * then moved up into DIR. */
static int write_all(const ecsim_batch_job *job, const ecsim_sim *sim, FILE *msg)
{
    char root[BATCH_PATH_MAX];
    if ((size_t)snprintf(root, sizeof root, "%s/.all", job->dir) >= sizeof root)
        return ECSIM_EIO;
    (void)ecsim_remove_tree(root);
    ecsim_run_outputs *outs = ecsim_malloc(sizeof *outs);
    if (!outs)
        return ECSIM_ENOMEM;
    int rc = ecsim_report_write_run(sim, root, NULL, true, job->sets, job->nsets, msg, outs);
    if (rc == 0) {
        DIR *d = opendir(outs->dir);
        struct dirent *e;
        while (rc == 0 && d && (e = readdir(d)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            char from[BATCH_PATH_MAX], to[BATCH_PATH_MAX];
            snprintf(from, sizeof from, "%s/%s", outs->dir, e->d_name);
            snprintf(to, sizeof to, "%s/%s", job->dir, e->d_name);
            if (rename(from, to) != 0) {
                fprintf(msg, "%s: error: cannot move into the run folder: %s\n", to,
                        strerror(errno));
                rc = ECSIM_EIO;
            }
        }
        if (!d) {
            fprintf(msg, "%s: error: %s\n", outs->dir, strerror(errno));
            rc = ECSIM_EIO;
        } else {
            closedir(d);
        }
    }
    (void)ecsim_remove_tree(root);
    ecsim_free(outs);
    return rc;
}

/* The scenario a worker loaded last: the next job of the same grid point
 * (same file, same overrides, other seed) plays it again without reading
 * and validating the file again. ecsim_sim_create takes the scenario
 * const, so runs never see each other through it. */
typedef struct scenario_cache {
    const ecsim_batch_job *job; /* the job it was loaded for */
    ecsim_scenario *sc;
} scenario_cache;

static int same_load(const ecsim_batch_job *a, const ecsim_batch_job *b)
{
    if (strcmp(a->scenario_path, b->scenario_path) != 0 || a->nsets != b->nsets ||
        a->nwindows != b->nwindows)
        return 0;
    for (size_t i = 0; i < a->nwindows; i++)
        if (strcmp(a->windows[i], b->windows[i]) != 0)
            return 0;
    for (size_t i = 0; i < a->nsets; i++)
        if (strcmp(a->sets[i], b->sets[i]) != 0)
            return 0;
    return 1;
}

/* Play one job in this (worker) process; the report says how it went.
 * Returns 1 when it must not be recorded (interrupted). */
static int play_job(const ecsim_batch_job *job, const ecsim_batch_opts *opts, scenario_cache *cache,
                    job_report *rep)
{
    double start = wall_now();
    memset(rep, 0, sizeof *rep);
    char *msgbuf = NULL;
    size_t msglen = 0;
    FILE *msg = open_memstream(&msgbuf, &msglen);
    if (!msg) {
        rep->exit_code = ECSIM_EXIT_FAIL;
        snprintf(rep->error, sizeof rep->error, "error: %s", ecsim_strerror(ECSIM_ENOMEM));
        return 0;
    }
    int code = 0;
    char run_json[BATCH_PATH_MAX], summary[BATCH_PATH_MAX];
    snprintf(run_json, sizeof run_json, "%s/run.json", job->dir);
    snprintf(summary, sizeof summary, "%s/summary.json", job->dir);
    if (ecsim_mkdirs(job->dir) != 0) {
        fprintf(msg, "%s: error: cannot create the run folder: %s\n", job->dir, strerror(errno));
        code = ECSIM_EXIT_IO;
    } else if (unlink(run_json) != 0 && errno != ENOENT) {
        fprintf(msg, "%s: error: cannot remove the previous record: %s\n", run_json,
                strerror(errno));
        code = ECSIM_EXIT_IO;
    } else if (job->keep != ECSIM_BATCH_KEEP_ALL) {
        /* Not an error when it fails: writing summary.json then fails and says why. */
        (void)unlink(summary);
    }

    cli_opts o;
    memset(&o, 0, sizeof o);
    char seed_text[32];
    snprintf(seed_text, sizeof seed_text, "%" PRIu64, job->seed);
    o.seed_text = seed_text;
    o.max_work_text = opts->max_work_text;
    o.quiet = 1;
    o.no_plots = job->keep != ECSIM_BATCH_KEEP_ALL;
    if (job->nsets > MAX_SETS) {
        fprintf(msg, "error: too many overrides (at most %d)\n", MAX_SETS);
        code = ECSIM_EXIT_USAGE;
    } else {
        for (size_t i = 0; i < job->nsets; i++)
            o.sets[i] = job->sets[i];
        o.nsets = job->nsets;
    }

    const ecsim_scenario *sc = NULL;
    ecsim_sim *sim = NULL;
    if (code == 0 && cache->sc && same_load(cache->job, job)) {
        sc = cache->sc;
    } else if (code == 0) {
        ecsim_scenario_free(cache->sc);
        cache->sc = cli_load(&o, job->scenario_path, msg, &code);
        if (cache->sc && job->nwindows <= ECSIM_WINDOWS_MAX) {
            for (size_t i = 0; i < job->nwindows; i++)
                o.windows[i] = job->windows[i];
            o.nwindows = job->nwindows;
            if ((code = cli_apply_report_options(&o, cache->sc, msg)) != 0) {
                ecsim_scenario_free(cache->sc);
                cache->sc = NULL;
            }
        }
        cache->job = job;
        sc = cache->sc;
    }
    if (sc) {
        double sim_start = wall_now();
        sim = cli_simulate(&o, sc, msg, &code);
        rep->sim_s = wall_now() - sim_start;
    }
    if (sim) {
        errno = 0;
        int rc =
            job->keep == ECSIM_BATCH_KEEP_ALL ? write_all(job, sim, msg) : write_summary(job, sim);
        if (rc != 0 && rc != ECSIM_EINTR && job->keep != ECSIM_BATCH_KEEP_ALL)
            fprintf(msg, "%s/summary.json: error: cannot write: %s\n", job->dir,
                    strerror(errno ? errno : EIO));
        code = rc == 0              ? ECSIM_EXIT_OK
               : rc == ECSIM_EINTR  ? ecsim_interrupt_exit_code(ecsim_interrupted())
               : rc == ECSIM_EINVAL ? ECSIM_EXIT_USAGE
               : rc == ECSIM_ENOMEM ? ECSIM_EXIT_FAIL
                                    : ECSIM_EXIT_IO;
        ecsim_sim_destroy(sim);
    }
    fclose(msg);
    rep->exit_code = code;
    first_error_line(msgbuf, rep->error, sizeof rep->error);
    if (code != 0 && !rep->error[0])
        snprintf(rep->error, sizeof rep->error, "error: the run failed with exit code %d", code);
    free(msgbuf); /* open_memstream's buffer comes from malloc */
    if (ecsim_interrupted())
        return 1;
    rep->wall_s = wall_now() - start;
    if (rep->exit_code == 0 && job->keep != ECSIM_BATCH_KEEP_ALL)
        return 0; /* summary.json says it is complete; the parent keeps the record */
    errno = 0;
    if (write_run_json(job, rep->exit_code, rep->error, rep->wall_s, rep->sim_s) != 0 &&
        rep->exit_code == 0) {
        int reason = errno ? errno : EIO;
        rep->exit_code = ECSIM_EXIT_IO;
        snprintf(rep->error, sizeof rep->error, "%.400s: error: cannot write: %s", run_json,
                 strerror(reason));
    }
    return 0;
}

/* What a worker says on its pipe: "I start job i", then "job i is done"
 * (or skipped: already complete). Fixed size, well under PIPE_BUF, so each
 * write(2) arrives whole. */
enum { MSG_START = 1, MSG_DONE = 2 };
typedef struct worker_msg {
    int kind;
    int skipped;
    size_t job;
    job_report report;
} worker_msg;

/* The one piece of memory the workers share: the next job to take. Taking
 * jobs from a shared counter (rather than being handed them one by one)
 * keeps a worker busy without waiting for the parent between two runs. */
typedef struct batch_shared {
    atomic_size_t next;
} batch_shared;

static int send_msg(int fd, const worker_msg *m)
{
    ssize_t w;
    do
        w = write(fd, m, sizeof *m);
    while (w < 0 && errno == EINTR);
    return w == (ssize_t)sizeof *m ? 0 : -1;
}

/* A worker's whole life: take jobs until none is left (or SIGINT /
 * SIGTERM), report each, exit (never returns). */
static void worker_main(batch_shared *shared, const ecsim_batch_job *jobs, size_t n,
                        const ecsim_batch_opts *opts, int fd)
{
    scenario_cache cache = {NULL, NULL};
    int code = 0;
    for (;;) {
        if (ecsim_interrupted())
            break;
        size_t i = atomic_fetch_add(&shared->next, 1);
        if (i >= n)
            break;
        worker_msg m;
        memset(&m, 0, sizeof m);
        m.kind = MSG_START;
        m.job = i;
        if (send_msg(fd, &m) != 0) {
            code = ECSIM_EXIT_IO;
            break;
        }
        m.kind = MSG_DONE;
        if (job_complete(&jobs[i]))
            m.skipped = 1;
        else if (play_job(&jobs[i], opts, &cache, &m.report) != 0)
            break; /* interrupted: no record */
        if (send_msg(fd, &m) != 0) {
            code = ECSIM_EXIT_IO;
            break;
        }
    }
    ecsim_scenario_free(cache.sc);
    close(fd);
    _exit(ecsim_interrupted() ? ecsim_interrupt_exit_code(ecsim_interrupted()) : code);
}

/* ---- the parent --------------------------------------------------------------------- */

#define NO_JOB ((size_t)-1)

/* A worker process as the parent sees it. */
typedef struct worker {
    pid_t pid;
    int fd;     /* read end of its pipe; -1 once it has ended */
    size_t job; /* the job it plays, or NO_JOB */
    double job_start;
    char buf[sizeof(worker_msg)];
    size_t got; /* bytes of buf received */
} worker;

typedef struct batch_state {
    const ecsim_batch_job *jobs;
    size_t n;
    const ecsim_batch_opts *opts;
    ecsim_batch_outcome *outcomes;
    FILE *err;
    ecsim_cli_progress style;
    size_t done, skipped, failed, ran;
    double start, last_draw;
    int drawn;
    int stopping; /* the workers were told to stop */
    int records_fd;    /* the records file, opened at the first record; -1 before */
    int records_error; /* a record could not be written (said once) */
} batch_state;

static void progress_draw(batch_state *b, int force)
{
    if (b->style == ECSIM_CLI_PROGRESS_NONE)
        return;
    double now = wall_now();
    if (!force && b->last_draw >= 0 && now - b->last_draw < 0.1)
        return;
    b->last_draw = now;
    double frac = b->n ? (double)b->done / (double)b->n : 1.0;
    char bar[31];
    int filled = (int)(frac * 30);
    for (int i = 0; i < 30; i++)
        bar[i] = i < filled ? '#' : '-';
    bar[30] = '\0';
    char eta[48] = "";
    size_t left = b->n - b->done;
    if (b->ran > 0 && left > 0) {
        /* Runs still to play at the pace of those played so far. */
        double per_run = (now - b->start) / (double)b->ran;
        snprintf(eta, sizeof eta, "  %.0f s left", per_run * (double)left);
    }
    int n = fprintf(b->err, "\r[%s] %3.0f%%  %zu/%zu runs  %zu failed%s", bar, frac * 100, b->done,
                    b->n, b->failed, eta);
    if (b->style == ECSIM_CLI_PROGRESS_ANSI)
        fputs("\033[K", b->err);
    else
        fprintf(b->err, "%*s", n < 79 ? 79 - n : 0, "");
    fflush(b->err);
    b->drawn = 1;
}

static void progress_erase(batch_state *b)
{
    if (!b->drawn)
        return;
    ecsim_cli_progress_erase(b->err, b->style);
    b->drawn = 0;
}

/* Job i has ended with `exit_code`: record it, say so when it failed. */
static void finish_job(batch_state *b, size_t i, int exit_code, const char *error, double wall_s,
                       double sim_s)
{
    ecsim_batch_outcome *out = &b->outcomes[i];
    out->exit_code = exit_code;
    out->skipped = 0;
    out->wall_s = wall_s;
    out->sim_s = sim_s;
    snprintf(out->error, sizeof out->error, "%s", exit_code == 0 ? "" : error);
    b->done++;
    b->ran++;
    if (exit_code != 0) {
        b->failed++;
        progress_erase(b);
        const ecsim_batch_job *job = &b->jobs[i];
        fprintf(b->err, "ecsim: run %s (seed %" PRIu64 ") failed, exit %d: %s\n",
                job->label && *job->label ? job->label : job->dir, job->seed, exit_code,
                out->error);
    }
    progress_draw(b, exit_code != 0);
}

/* ---- the records file ----------------------------------------------------------------- */

/* Open this process's records file, <records_dir>/<hostname>-<pid>.jsonl,
 * for appending (the folder created when needed). 0 or ECSIM_EIO (errno
 * set). */
static int records_open(batch_state *b)
{
    const char *dir = b->opts->records_dir;
    if (ecsim_mkdirs(dir) != 0)
        return ECSIM_EIO;
    char host[256] = "";
    if (gethostname(host, sizeof host - 1) != 0 || !host[0])
        snprintf(host, sizeof host, "localhost");
    host[sizeof host - 1] = '\0';
    for (char *c = host; *c; c++) /* a file name whatever the host name */
        if (*c == '/')
            *c = '_';
    char path[BATCH_PATH_MAX];
    if ((size_t)snprintf(path, sizeof path, "%s/%s-%ld.jsonl", dir, host, (long)getpid()) >=
        sizeof path) {
        errno = ENAMETOOLONG;
        return ECSIM_EIO;
    }
    b->records_fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    return b->records_fd < 0 ? ECSIM_EIO : 0;
}

/* The folder of `job` as its record names it: relative to the parent of
 * records_dir when it is under it, else as the job gives it. */
static const char *record_folder(const batch_state *b, const ecsim_batch_job *job)
{
    const char *rd = b->opts->records_dir;
    const char *slash = strrchr(rd, '/');
    size_t plen = slash ? (size_t)(slash - rd) : 0;
    if (!slash) /* records_dir "records": the current folder is its parent */
        return job->dir;
    if (strncmp(job->dir, rd, plen) == 0 && job->dir[plen] == '/' && job->dir[plen + 1])
        return job->dir + plen + 1;
    return job->dir;
}

/* Append ok KEEP_SUMMARY job i's record to the records file: one line,
 * one write(2) (O_APPEND), so that a line is never split. A failure is
 * said once; the runs stay complete (their summary.json is written). */
static void records_append(batch_state *b, size_t i, double wall_s, double sim_s)
{
    if (!b->opts->records_dir || b->records_error)
        return;
    errno = 0;
    char *line = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&line, &len);
    int rc = mem ? 0 : ECSIM_EIO;
    if (mem) {
        record_json(mem, &b->jobs[i], record_folder(b, &b->jobs[i]), 0, NULL, wall_s, sim_s);
        if (fclose(mem) != 0)
            rc = ECSIM_EIO;
    }
    if (rc == 0 && b->records_fd < 0)
        rc = records_open(b);
    size_t off = 0;
    while (rc == 0 && off < len) {
        ssize_t w = write(b->records_fd, line + off, len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            rc = ECSIM_EIO;
        else
            off += (size_t)w;
    }
    if (rc != 0) {
        b->records_error = 1;
        progress_erase(b);
        fprintf(b->err,
                "%s: warning: cannot write the runs' records: %s; the runs are complete (their "
                "summary.json), their wall times are not kept\n",
                b->opts->records_dir, strerror(errno ? errno : EIO));
    }
    free(line); /* open_memstream's buffer comes from malloc */
}

static void on_message(batch_state *b, worker *w, const worker_msg *m)
{
    if (m->job >= b->n)
        return;
    if (m->kind == MSG_START) {
        w->job = m->job;
        w->job_start = wall_now();
        return;
    }
    w->job = NO_JOB;
    if (m->skipped) {
        b->outcomes[m->job].exit_code = 0;
        b->outcomes[m->job].skipped = 1;
        b->done++;
        b->skipped++;
        progress_draw(b, 0);
        return;
    }
    finish_job(b, m->job, m->report.exit_code, m->report.error, m->report.wall_s, m->report.sim_s);
    if (m->report.exit_code == 0 && b->jobs[m->job].keep != ECSIM_BATCH_KEEP_ALL)
        records_append(b, m->job, m->report.wall_s, m->report.sim_s);
}

/* Worker w has closed its pipe: reap it; a job it had started and not
 * reported was interrupted (when we stop) or crashed it. Returns 1 when it
 * crashed (the caller starts another worker for the jobs left). */
static int reap(batch_state *b, worker *w)
{
    int status = 0;
    pid_t r;
    do
        r = waitpid(w->pid, &status, 0);
    while (r < 0 && errno == EINTR);
    close(w->fd);
    w->fd = -1;
    if (w->job == NO_JOB)
        return 0;
    size_t i = w->job;
    w->job = NO_JOB;
    double wall = wall_now() - w->job_start;
    if (ecsim_interrupted() || b->stopping) {
        ecsim_batch_outcome *out = &b->outcomes[i];
        out->exit_code =
            ecsim_interrupt_exit_code(ecsim_interrupted() ? ecsim_interrupted() : SIGTERM);
        snprintf(out->error, sizeof out->error, "interrupted");
        out->wall_s = wall;
        return 0;
    }
    char error[512];
    int code = ECSIM_EXIT_SOFTWARE;
    if (r > 0 && WIFSIGNALED(status))
        snprintf(error, sizeof error,
                 "internal error: the run's process died of signal %d (%s); please report "
                 "it with the scenario, the overrides and the seed",
                 WTERMSIG(status), strsignal(WTERMSIG(status)));
    else {
        if (r > 0 && WIFEXITED(status) && WEXITSTATUS(status))
            code = WEXITSTATUS(status);
        snprintf(error, sizeof error, "internal error: the run's process ended without a report");
    }
    (void)write_run_json(&b->jobs[i], code, error, wall, 0);
    finish_job(b, i, code, error, wall, 0);
    return 1;
}

/* Start a worker into slot w; 0 or a negative ECSIM_E code. */
static int start_worker(batch_state *b, batch_shared *shared, worker *w)
{
    int fds[2];
    if (pipe(fds) != 0)
        return ECSIM_EIO;
    fflush(NULL); /* nothing buffered is written twice */
    pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return ECSIM_EIO;
    }
    if (pid == 0) {
        close(fds[0]);
        worker_main(shared, b->jobs, b->n, b->opts, fds[1]);
    }
    close(fds[1]);
    w->pid = pid;
    w->fd = fds[0];
    w->job = NO_JOB;
    w->got = 0;
    return 0;
}

int ecsim_batch_run(const ecsim_batch_job *jobs, size_t n, const ecsim_batch_opts *opts,
                    ecsim_batch_outcome *outcomes, size_t *failed)
{
    if (!opts || opts->workers < 1 || (n > 0 && (!jobs || !outcomes)))
        return ECSIM_EINVAL;
    if (failed)
        *failed = 0;
    ecsim_interrupt_install();
    batch_state b;
    memset(&b, 0, sizeof b);
    b.jobs = jobs;
    b.n = n;
    b.opts = opts;
    b.outcomes = outcomes;
    b.err = opts->err ? opts->err : stderr;
    b.style = opts->progress ? ecsim_cli_progress_style(isatty(fileno(b.err)) != 0, false,
                                                        getenv("TERM"), getenv("NO_COLOR"))
                             : ECSIM_CLI_PROGRESS_NONE;
    b.start = wall_now();
    b.last_draw = -1;
    b.records_fd = -1;
    for (size_t i = 0; i < n; i++) {
        memset(&outcomes[i], 0, sizeof outcomes[i]);
        outcomes[i].exit_code = -1; /* not run yet */
    }
    if (n == 0)
        return 0;
    if (ecsim_interrupted()) {
        for (size_t i = 0; i < n; i++) {
            outcomes[i].exit_code = ecsim_interrupt_exit_code(ecsim_interrupted());
            snprintf(outcomes[i].error, sizeof outcomes[i].error, "not run: interrupted");
        }
        return ECSIM_EINTR;
    }

    size_t nworkers = opts->workers;
    if (nworkers > 1024)
        nworkers = 1024;
    if (nworkers > n)
        nworkers = n;
    batch_shared *shared =
        mmap(NULL, sizeof *shared, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (shared == MAP_FAILED)
        return ECSIM_ENOMEM;
    atomic_init(&shared->next, 0);
    worker *ws = ecsim_calloc(nworkers, sizeof *ws);
    struct pollfd *pfds = ecsim_calloc(nworkers, sizeof *pfds);
    size_t *slot_of = ecsim_calloc(nworkers, sizeof *slot_of);
    int rc = 0;
    if (!ws || !pfds || !slot_of)
        rc = ECSIM_ENOMEM;
    for (size_t k = 0; ws && k < nworkers; k++)
        ws[k].fd = -1;
    size_t alive = 0;
    for (size_t k = 0; rc == 0 && k < nworkers; k++) {
        rc = start_worker(&b, shared, &ws[k]);
        alive += rc == 0;
    }
    progress_draw(&b, 1);
    while (alive > 0) {
        if ((ecsim_interrupted() || rc != 0) && !b.stopping) {
            b.stopping = 1;
            for (size_t k = 0; k < nworkers; k++)
                if (ws[k].fd >= 0)
                    kill(ws[k].pid, SIGTERM);
        }
        size_t np = 0;
        for (size_t k = 0; k < nworkers; k++) {
            if (ws[k].fd < 0)
                continue;
            pfds[np].fd = ws[k].fd;
            pfds[np].events = POLLIN;
            pfds[np].revents = 0;
            slot_of[np++] = k;
        }
        int pr = poll(pfds, (nfds_t)np, 200);
        if (pr < 0 && errno != EINTR && rc == 0)
            rc = ECSIM_EIO;
        for (size_t p = 0; pr > 0 && p < np; p++) {
            if (!pfds[p].revents)
                continue;
            worker *w = &ws[slot_of[p]];
            ssize_t got = read(w->fd, w->buf + w->got, sizeof w->buf - w->got);
            if (got < 0 && errno == EINTR)
                continue;
            if (got > 0) {
                w->got += (size_t)got;
                if (w->got == sizeof w->buf) {
                    worker_msg m;
                    memcpy(&m, w->buf, sizeof m);
                    w->got = 0;
                    on_message(&b, w, &m);
                }
                continue;
            }
            /* EOF (or a read error): the worker has ended. */
            alive--;
            if (reap(&b, w) && !b.stopping && rc == 0 && atomic_load(&shared->next) < n) {
                /* A crash took this worker: another one takes its place. */
                if (start_worker(&b, shared, w) == 0)
                    alive++;
            }
        }
        progress_draw(&b, 0);
    }
    progress_erase(&b);
    if (ecsim_interrupted() && rc == 0)
        rc = ECSIM_EINTR;
    if (rc != 0)
        for (size_t i = 0; i < n; i++)
            if (outcomes[i].exit_code < 0) {
                outcomes[i].exit_code =
                    ecsim_interrupt_exit_code(ecsim_interrupted() ? ecsim_interrupted() : SIGTERM);
                snprintf(outcomes[i].error, sizeof outcomes[i].error, "not run: %s",
                         rc == ECSIM_EINTR ? "interrupted" : "the batch stopped");
            }
    if (failed)
        *failed = b.failed;
    if (b.records_fd >= 0 && close(b.records_fd) != 0 && !b.records_error)
        fprintf(b.err, "%s: warning: cannot write the runs' records: %s\n", opts->records_dir,
                strerror(errno));
    ecsim_free(ws);
    ecsim_free(pfds);
    ecsim_free(slot_of);
    munmap(shared, sizeof *shared);
    return rc;
}

/* ---- --seeds --------------------------------------------------------------------------- */

/* A whole decimal number of text[0..len), at most ECSIM_BATCH_SEED_MAX. */
static int parse_seed_number(const char *text, size_t len, uint64_t *v)
{
    if (len == 0 || len > 16)
        return ECSIM_EINVAL;
    uint64_t x = 0;
    for (size_t i = 0; i < len; i++) {
        if (text[i] < '0' || text[i] > '9')
            return ECSIM_EINVAL;
        x = x * 10 + (uint64_t)(text[i] - '0');
    }
    if (x > ECSIM_BATCH_SEED_MAX)
        return ECSIM_EINVAL;
    *v = x;
    return 0;
}

int ecsim_batch_parse_seeds(const char *text, size_t max_count, uint64_t *first, uint64_t *count,
                            char *why, size_t size)
{
    const char *dash = text ? strchr(text, '-') : NULL;
    uint64_t a, b;
    if (!text || !*text) {
        snprintf(why, size, "expected N (the seeds 1..N) or A-B (the seeds A..B)");
        return ECSIM_EINVAL;
    }
    if (!dash) {
        if (parse_seed_number(text, strlen(text), &b) != 0 || b == 0) {
            snprintf(why, size,
                     "expected N (the seeds 1..N, N >= 1) or A-B (the seeds A..B), "
                     "whole numbers up to %llu",
                     (unsigned long long)ECSIM_BATCH_SEED_MAX);
            return ECSIM_EINVAL;
        }
        a = 1;
    } else if (parse_seed_number(text, (size_t)(dash - text), &a) != 0 ||
               parse_seed_number(dash + 1, strlen(dash + 1), &b) != 0) {
        snprintf(why, size,
                 "expected N (the seeds 1..N) or A-B (the seeds A..B), whole "
                 "numbers from 0 to %llu",
                 (unsigned long long)ECSIM_BATCH_SEED_MAX);
        return ECSIM_EINVAL;
    } else if (b < a) {
        snprintf(why, size, "the range A-B is empty (A > B)");
        return ECSIM_EINVAL;
    }
    uint64_t n = b - a + 1;
    if (n > max_count) {
        snprintf(why, size, "%llu seeds; at most %zu", (unsigned long long)n, max_count);
        return ECSIM_EINVAL;
    }
    *first = a;
    *count = n;
    return 0;
}
