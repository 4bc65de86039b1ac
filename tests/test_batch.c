/* Tests of the batch runner (sim/cli/batch.c): jobs played by two worker
 * processes, each into its folder; an ok --keep summary run leaves its
 * folder holding summary.json alone (one line, under 4,096 bytes) and its
 * record in the batch's records file; a failing job recorded with its
 * error in run.json while the batch goes on; a batch run again skips the
 * complete folders (resume) and replays the failed or incomplete ones; the
 * folders are the same byte for byte with one worker and with two
 * (run.json's wall times aside); --keep all writes every output of `ecsim
 * run` and run.json; SIGTERM stops a
 * batch and leaves complete folders complete; a worker killed during a
 * run has that run recorded as failed (exit 70) and is replaced; --seeds
 * parsing. Run from the repository root (the scenarios are read from
 * there). */
#define _GNU_SOURCE /* mkdtemp */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <dirent.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/batch.h"
#include "ecsim/error.h"
#include "ecsim/figures.h"
#include "ecsim/interrupt.h"
#include "ecsim/output.h"

#define SCENARIO "scenarios/quickstart.yaml"

static char root[64];

static int setup(void **state)
{
    (void)state;
    snprintf(root, sizeof root, "/tmp/ecsim-test-batch-XXXXXX");
    return mkdtemp(root) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    return ecsim_remove_tree(root);
}

/* The whole of file `path` (NUL-terminated), or NULL when absent. */
static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = malloc(1 << 20);
    size_t n = fread(buf, 1, (1 << 20) - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static int exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

typedef struct jobset {
    ecsim_batch_job jobs[8];
    char dirs[8][256];
    char labels[8][64];
    const char *sets[8][2];
    size_t n;
    char records[256]; /* BASE/records */
} jobset;

/* Four good runs (two targets x two seeds) and one whose override is
 * invalid, into BASE/<k>/. */
static void make_jobs(jobset *js, const char *base, ecsim_batch_keep keep)
{
    static const char *const good[2] = {"autoscaler.target=50", "autoscaler.target=70"};
    static const char *const bad = "autoscaler.target=banana";
    memset(js, 0, sizeof *js);
    snprintf(js->records, sizeof js->records, "%s/%s/records", root, base);
    for (size_t k = 0; k < 5; k++) {
        ecsim_batch_job *j = &js->jobs[k];
        snprintf(js->dirs[k], sizeof js->dirs[k], "%s/%s/run-%zu", root, base, k);
        snprintf(js->labels[k], sizeof js->labels[k], "job %zu", k);
        js->sets[k][0] = k < 4 ? good[k % 2] : bad;
        js->sets[k][1] = "duration=1h";
        j->scenario_path = SCENARIO;
        j->sets = js->sets[k];
        j->nsets = 2;
        j->seed = 100 + k / 2;
        j->dir = js->dirs[k];
        j->label = js->labels[k];
        j->keep = keep;
    }
    js->n = 5;
}

static int run_batch(jobset *js, unsigned workers, ecsim_batch_outcome *out, size_t *failed)
{
    char *errtext = NULL;
    size_t errlen = 0;
    FILE *err = open_memstream(&errtext, &errlen);
    ecsim_batch_opts opts = {workers, 0, err, NULL, js->records};
    int rc = ecsim_batch_run(js->jobs, js->n, &opts, out, failed);
    fclose(err);
    if (*failed)
        assert_non_null(strstr(errtext, "ecsim: run job 4 (seed 102) failed, exit 2"));
    free(errtext);
    return rc;
}

/* run.json's record, flattened; its status string. */
static const char *run_status(const char *dir, ecsim_figures *f)
{
    char path[512], err[256];
    snprintf(path, sizeof path, "%s/run.json", dir);
    assert_int_equal(ecsim_figures_read(path, f, err, sizeof err), 0);
    const ecsim_figure *s = ecsim_figures_find(f, "status");
    assert_non_null(s);
    return s->str;
}

/* The entries of folder `dir` other than . and .. */
static size_t entries(const char *dir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(d);
    return n;
}

/* The last line of this process's records file in js->records whose
 * "folder" is run-K, flattened into f; 0, or -1 when there is none. */
static int record_of(const jobset *js, size_t k, ecsim_figures *f)
{
    char host[256] = "", path[600], want[32];
    assert_int_equal(gethostname(host, sizeof host - 1), 0);
    snprintf(path, sizeof path, "%s/%s-%ld.jsonl", js->records, host, (long)getpid());
    snprintf(want, sizeof want, "run-%zu", k);
    char *text = slurp(path);
    if (!text)
        return -1;
    int found = -1;
    for (char *line = text, *end; *line; line = end + 1) {
        end = strchr(line, '\n');
        assert_non_null(end); /* every line ends with a newline */
        ecsim_figures g;
        char err[256];
        assert_int_equal(ecsim_figures_parse(line, (size_t)(end - line + 1), &g, err, sizeof err),
                         0);
        const ecsim_figure *folder = ecsim_figures_find(&g, "folder");
        assert_non_null(folder);
        if (strcmp(folder->str, want) == 0) {
            if (found == 0)
                ecsim_figures_free(f);
            *f = g;
            found = 0;
        } else {
            ecsim_figures_free(&g);
        }
    }
    free(text);
    return found;
}

/* The number of lines of this process's records file in js->records. */
static size_t record_count(const jobset *js)
{
    char host[256] = "", path[600];
    assert_int_equal(gethostname(host, sizeof host - 1), 0);
    snprintf(path, sizeof path, "%s/%s-%ld.jsonl", js->records, host, (long)getpid());
    char *text = slurp(path);
    size_t n = 0;
    for (char *c = text; c && *c; c++)
        n += *c == '\n';
    free(text);
    return n;
}

static void test_two_workers_and_failure(void **state)
{
    (void)state;
    jobset js;
    make_jobs(&js, "a", ECSIM_BATCH_KEEP_SUMMARY);
    ecsim_batch_outcome out[8];
    size_t failed = 99;
    assert_int_equal(run_batch(&js, 2, out, &failed), 0);
    assert_int_equal(failed, 1);
    for (size_t k = 0; k < 4; k++) {
        assert_int_equal(out[k].exit_code, 0);
        assert_int_equal(out[k].skipped, 0);
        assert_string_equal(out[k].error, "");
        assert_true(out[k].wall_s > 0);
        char path[512];
        snprintf(path, sizeof path, "%s/summary.json", js.dirs[k]);
        assert_true(exists(path));
        snprintf(path, sizeof path, "%s/execution.txt", js.dirs[k]);
        assert_false(exists(path)); /* --keep summary */
        snprintf(path, sizeof path, "%s/run.json", js.dirs[k]);
        assert_false(exists(path)); /* the record is in the records file */
        assert_int_equal(entries(js.dirs[k]), 1);
        /* summary.json: one line, in one 4 KB block */
        snprintf(path, sizeof path, "%s/summary.json", js.dirs[k]);
        char *text = slurp(path);
        assert_non_null(text);
        assert_true(strlen(text) < 4096);
        assert_ptr_equal(strchr(text, '\n'), text + strlen(text) - 1);
        free(text);
        ecsim_figures f;
        assert_int_equal(record_of(&js, k, &f), 0);
        assert_string_equal(ecsim_figures_find(&f, "status")->str, "ok");
        assert_string_equal(ecsim_figures_find(&f, "keep")->str, "summary");
        assert_true(ecsim_figures_number(&f, "wall_s", NULL) >= 0);
        assert_float_equal(ecsim_figures_number(&f, "seed", NULL), 100 + k / 2, 0);
        assert_float_equal(ecsim_figures_number(&f, "exit_code", NULL), 0, 0);
        assert_int_equal(ecsim_figures_find(&f, "error")->kind, ECSIM_FIG_NULL);
        assert_string_equal(ecsim_figures_find(&f, "overrides.0")->str, js.sets[k][0]);
        assert_string_equal(ecsim_figures_find(&f, "overrides.1")->str, "duration=1h");
        assert_string_equal(ecsim_figures_find(&f, "label")->str, js.labels[k]);
        assert_string_equal(ecsim_figures_find(&f, "scenario")->str, SCENARIO);
        ecsim_figures_free(&f);
        /* summary.json records the seed and the overrides */
        snprintf(path, sizeof path, "%s/summary.json", js.dirs[k]);
        char e[256];
        assert_int_equal(ecsim_figures_read(path, &f, e, sizeof e), 0);
        assert_float_equal(ecsim_figures_number(&f, "seed", NULL), 100 + k / 2, 0);
        assert_string_equal(ecsim_figures_find(&f, "overrides.0")->str, js.sets[k][0]);
        assert_float_equal(ecsim_figures_number(&f, "duration_s", NULL), 3600, 0);
        ecsim_figures_free(&f);
    }
    /* The failed run: its exit code and error in the outcome and run.json. */
    assert_int_equal(out[4].exit_code, 2);
    assert_non_null(strstr(out[4].error, "autoscaler.target"));
    ecsim_figures f;
    assert_string_equal(run_status(js.dirs[4], &f), "failed");
    assert_float_equal(ecsim_figures_number(&f, "exit_code", NULL), 2, 0);
    assert_string_equal(ecsim_figures_find(&f, "error")->str, out[4].error);
    ecsim_figures_free(&f);
    assert_int_equal(record_of(&js, 4, &f), -1); /* no record line for a failed run */
    assert_int_equal(record_count(&js), 4);
    char path[512];
    snprintf(path, sizeof path, "%s/summary.json", js.dirs[4]);
    assert_false(exists(path));
    /* Different settings, different outcomes (the overrides reached the run). */
    char p0[512], p1[512];
    snprintf(p0, sizeof p0, "%s/summary.json", js.dirs[0]);
    snprintf(p1, sizeof p1, "%s/summary.json", js.dirs[1]);
    char *s0 = slurp(p0), *s1 = slurp(p1);
    assert_string_not_equal(s0, s1);
    free(s0);
    free(s1);
}

static void test_resume(void **state)
{
    (void)state;
    jobset js;
    make_jobs(&js, "r", ECSIM_BATCH_KEEP_SUMMARY);
    ecsim_batch_outcome out[8];
    size_t failed;
    assert_int_equal(run_batch(&js, 2, out, &failed), 0);
    assert_int_equal(failed, 1);
    char path[512];
    snprintf(path, sizeof path, "%s/summary.json", js.dirs[0]);
    char *before = slurp(path);
    /* An incomplete folder: summary.json gone (as after an interruption). */
    snprintf(path, sizeof path, "%s/summary.json", js.dirs[2]);
    assert_int_equal(unlink(path), 0);
    /* A summary of this very run with a failed run.json (a --keep all run
     * that failed after writing it) is not complete either. */
    snprintf(path, sizeof path, "%s/run.json", js.dirs[1]);
    FILE *rj = fopen(path, "w");
    assert_non_null(rj);
    fputs("{\"status\": \"failed\", \"exit_code\": 3}\n", rj);
    fclose(rj);
    /* A folder with a complete run of another seed is not this job's. */
    js.jobs[3].seed = 7;

    assert_int_equal(run_batch(&js, 2, out, &failed), 0);
    assert_int_equal(failed, 1); /* the bad one, again */
    assert_int_equal(out[0].skipped, 1);
    assert_int_equal(out[0].exit_code, 0);
    assert_true(out[0].wall_s == 0);
    assert_int_equal(out[1].skipped, 0); /* its run.json says failed: replayed */
    assert_int_equal(out[1].exit_code, 0);
    assert_false(exists(path));           /* and its run.json gone */
    assert_int_equal(out[2].skipped, 0); /* replayed */
    assert_int_equal(out[2].exit_code, 0);
    assert_int_equal(out[3].skipped, 0); /* other seed: replayed */
    assert_int_equal(out[4].skipped, 0); /* failed: replayed */
    assert_int_equal(out[4].exit_code, 2);
    ecsim_figures f;
    char e[256];
    snprintf(path, sizeof path, "%s/summary.json", js.dirs[3]);
    assert_int_equal(ecsim_figures_read(path, &f, e, sizeof e), 0);
    assert_float_equal(ecsim_figures_number(&f, "seed", NULL), 7, 0);
    ecsim_figures_free(&f);
    assert_int_equal(record_of(&js, 3, &f), 0); /* its last record is the new one */
    assert_float_equal(ecsim_figures_number(&f, "seed", NULL), 7, 0);
    ecsim_figures_free(&f);
    assert_int_equal(record_count(&js), 4 + 3); /* appended: runs 1, 2 and 3 again */
    snprintf(path, sizeof path, "%s/summary.json", js.dirs[0]);
    char *after = slurp(path);
    assert_string_equal(before, after); /* untouched */
    free(before);
    free(after);
}

/* run.json without its timings (the one thing that may differ). */
static void strip_times(char *s)
{
    char *w = strstr(s, ", \"wall_s\": ");
    assert_non_null(w);
    *w = '\0';
}

static void test_same_bytes_one_or_two_workers(void **state)
{
    (void)state;
    jobset one, two;
    make_jobs(&one, "j1", ECSIM_BATCH_KEEP_SUMMARY);
    make_jobs(&two, "j2", ECSIM_BATCH_KEEP_SUMMARY);
    ecsim_batch_outcome out[8];
    size_t failed;
    assert_int_equal(run_batch(&one, 1, out, &failed), 0);
    assert_int_equal(run_batch(&two, 2, out, &failed), 0);
    static const char *const files[] = {"summary.json", "run.json"};
    for (size_t k = 0; k < 5; k++) {
        for (size_t f = 0; f < 2; f++) {
            char p1[512], p2[512];
            snprintf(p1, sizeof p1, "%s/%s", one.dirs[k], files[f]);
            snprintf(p2, sizeof p2, "%s/%s", two.dirs[k], files[f]);
            char *a = slurp(p1), *b = slurp(p2);
            if ((k == 4) == (f == 0)) { /* no summary when failed, no run.json when ok */
                assert_null(a);
                assert_null(b);
                continue;
            }
            assert_non_null(a);
            assert_non_null(b);
            if (f == 1) {
                strip_times(a);
                strip_times(b);
            }
            assert_string_equal(a, b);
            free(a);
            free(b);
        }
    }
}

static void test_keep_all(void **state)
{
    (void)state;
    jobset js;
    make_jobs(&js, "all", ECSIM_BATCH_KEEP_ALL);
    js.n = 1;
    ecsim_batch_outcome out[1];
    size_t failed;
    char *errtext = NULL;
    size_t errlen = 0;
    FILE *err = open_memstream(&errtext, &errlen);
    ecsim_batch_opts opts = {1, 0, err, NULL, js.records};
    assert_int_equal(ecsim_batch_run(js.jobs, 1, &opts, out, &failed), 0);
    fclose(err);
    free(errtext);
    assert_int_equal(failed, 0);
    static const char *const files[] = {"run.json",   "summary.json", "execution.txt", "status.csv",
                                        "events.log", "timeline.csv", "decisions.csv"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s/%s", js.dirs[0], files[i]);
        assert_true(exists(path));
    }
    char path[512];
    snprintf(path, sizeof path, "%s/.all", js.dirs[0]);
    assert_false(exists(path));
    assert_false(exists(js.records)); /* --keep all: the record is run.json */
    ecsim_figures f;
    assert_string_equal(run_status(js.dirs[0], &f), "ok");
    assert_string_equal(ecsim_figures_find(&f, "keep")->str, "all");
    ecsim_figures_free(&f);
}

/* Without records_dir, an ok --keep summary run leaves summary.json alone. */
static void test_no_records(void **state)
{
    (void)state;
    jobset js;
    make_jobs(&js, "nr", ECSIM_BATCH_KEEP_SUMMARY);
    js.n = 1;
    ecsim_batch_outcome out[1];
    size_t failed;
    ecsim_batch_opts opts = {1, 0, stderr, NULL, NULL};
    assert_int_equal(ecsim_batch_run(js.jobs, 1, &opts, out, &failed), 0);
    assert_int_equal(failed, 0);
    assert_int_equal(entries(js.dirs[0]), 1);
    assert_false(exists(js.records));
}

/* A batch asked to stop before it starts runs nothing. */
static void test_interrupted_before(void **state)
{
    (void)state;
    jobset js;
    make_jobs(&js, "i", ECSIM_BATCH_KEEP_SUMMARY);
    ecsim_batch_outcome out[8];
    size_t failed;
    ecsim_batch_opts opts = {2, 0, stderr, NULL, js.records};
    ecsim_interrupt_install();
    ecsim_interrupt_set(SIGINT);
    assert_int_equal(ecsim_batch_run(js.jobs, js.n, &opts, out, &failed), ECSIM_EINTR);
    ecsim_interrupt_set(0);
    assert_int_equal(failed, 0);
    for (size_t k = 0; k < js.n; k++) {
        assert_int_equal(out[k].exit_code, 130);
        char path[512];
        snprintf(path, sizeof path, "%s/run.json", js.dirs[k]);
        assert_false(exists(path));
    }
    assert_false(exists(js.records));
}

/* SIGTERM in the middle of a batch of slow runs: the batch process ends
 * with 143 promptly; every folder is either complete (summary.json, no
 * run.json) or has neither, and a second batch completes it. */
static void test_sigterm_midway(void **state)
{
    (void)state;
    jobset js;
    make_jobs(&js, "t", ECSIM_BATCH_KEEP_SUMMARY);
    js.n = 4;
    for (size_t k = 0; k < 4; k++)
        js.sets[k][1] = "duration=60d"; /* long enough to be caught running */
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        ecsim_batch_outcome out[8];
        size_t failed;
        ecsim_batch_opts opts = {2, 0, stderr, NULL, js.records};
        int rc = ecsim_batch_run(js.jobs, js.n, &opts, out, &failed);
        _exit(rc == ECSIM_EINTR ? 143 : 1);
    }
    usleep(300 * 1000);
    kill(pid, SIGTERM);
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 143);
    size_t complete = 0;
    for (size_t k = 0; k < 4; k++) {
        char path[512];
        snprintf(path, sizeof path, "%s/run.json", js.dirs[k]);
        assert_false(exists(path));
        snprintf(path, sizeof path, "%s/summary.json", js.dirs[k]);
        if (!exists(path))
            continue;
        complete++;
    }
    assert_true(complete < 4);
    ecsim_batch_outcome out[8];
    size_t failed;
    ecsim_batch_opts opts = {2, 0, stderr, NULL, js.records};
    assert_int_equal(ecsim_batch_run(js.jobs, js.n, &opts, out, &failed), 0);
    assert_int_equal(failed, 0);
    size_t skipped = 0;
    for (size_t k = 0; k < 4; k++)
        skipped += (size_t)out[k].skipped;
    assert_int_equal(skipped, complete);
}

/* A worker killed in the middle of a run (as by a crash): that run is
 * recorded as failed, exit 70, the signal named, and another worker plays
 * the jobs left. */
static void test_crashed_worker(void **state)
{
    (void)state;
    jobset js;
    make_jobs(&js, "crash", ECSIM_BATCH_KEEP_SUMMARY);
    js.n = 3;
    js.sets[0][1] = "duration=60d"; /* caught running */
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        ecsim_batch_outcome out[8];
        size_t failed = 0;
        FILE *devnull = fopen("/dev/null", "w");
        ecsim_batch_opts opts = {1, 0, devnull, NULL, js.records};
        int rc = ecsim_batch_run(js.jobs, js.n, &opts, out, &failed);
        int good = rc == 0 && failed == 1 && out[0].exit_code == 70 &&
                   strstr(out[0].error, "signal 9") && out[1].exit_code == 0 &&
                   out[2].exit_code == 0;
        _exit(good ? 0 : 1);
    }
    usleep(300 * 1000);
    char path[64], kids[256] = "";
    snprintf(path, sizeof path, "/proc/%d/task/%d/children", (int)pid, (int)pid);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    assert_non_null(fgets(kids, sizeof kids, f));
    fclose(f);
    pid_t worker = (pid_t)atoi(kids);
    assert_true(worker > 0);
    assert_int_equal(kill(worker, SIGKILL), 0);
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    ecsim_figures fig;
    assert_string_equal(run_status(js.dirs[0], &fig), "failed");
    assert_float_equal(ecsim_figures_number(&fig, "exit_code", NULL), 70, 0);
    assert_non_null(strstr(ecsim_figures_find(&fig, "error")->str, "signal 9"));
    ecsim_figures_free(&fig);
    for (size_t k = 1; k < 3; k++) {
        char p[512];
        snprintf(p, sizeof p, "%s/summary.json", js.dirs[k]);
        assert_true(exists(p));
        assert_int_equal(entries(js.dirs[k]), 1);
    }
}

static void test_parse_seeds(void **state)
{
    (void)state;
    uint64_t first = 0, count = 0;
    char why[200];
    assert_int_equal(ecsim_batch_parse_seeds("20", 1000, &first, &count, why, sizeof why), 0);
    assert_int_equal(first, 1);
    assert_int_equal(count, 20);
    assert_int_equal(ecsim_batch_parse_seeds("0-9", 1000, &first, &count, why, sizeof why), 0);
    assert_int_equal(first, 0);
    assert_int_equal(count, 10);
    assert_int_equal(ecsim_batch_parse_seeds("7-7", 1000, &first, &count, why, sizeof why), 0);
    assert_int_equal(first, 7);
    assert_int_equal(count, 1);
    static const char *const bad[] = {
        "", "0", "-3", "5-", "x", "3-2", "1-2000", "1.5", "9007199254740992", "1-2-3"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(ecsim_batch_parse_seeds(bad[i], 1000, &first, &count, why, sizeof why),
                         ECSIM_EINVAL);
    ecsim_batch_parse_seeds("3-2", 1000, &first, &count, why, sizeof why);
    assert_non_null(strstr(why, "empty"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_two_workers_and_failure),
        cmocka_unit_test(test_resume),
        cmocka_unit_test(test_same_bytes_one_or_two_workers),
        cmocka_unit_test(test_keep_all),
        cmocka_unit_test(test_no_records),
        cmocka_unit_test(test_interrupted_before),
        cmocka_unit_test(test_sigterm_midway),
        cmocka_unit_test(test_crashed_worker),
        cmocka_unit_test(test_parse_seeds),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
