/* Batches of runs: many (scenario, --set overrides, seed) runs, each into
 * its own folder, played by worker processes. The engine of `ecsim sweep`
 * and `ecsim compare` (sim/cli/batch.c).
 *
 * A run's folder, once the run is complete, holds:
 *   - ECSIM_BATCH_KEEP_SUMMARY, the run ok: `summary.json` alone, the
 *     run's summary with the same names and values as `ecsim run` writes
 *     them, on one line (ecsim_report_summary_json_compact: under 4,096
 *     bytes, one file-system block), written atomically: it is the mark
 *     that the run is complete. The run's one-line record (below) goes to
 *     the batch's records file, not into the folder: a folder and one
 *     block per run is 8 KB on a 4 KB-block file system;
 *   - ECSIM_BATCH_KEEP_ALL, the run ok: every output of `ecsim run`
 *     (summary.json as `ecsim run` writes it), and `run.json`, the run's
 *     record, written last and atomically;
 *   - the run failed (either keep): `run.json` alone, its record with
 *     "status": "failed" and the error.
 * The record, one line of JSON:
 *     {"status":"ok"|"failed","exit_code":N,"error":"..."|null,
 *      "scenario":"PATH","overrides":["KEY=VALUE",...],"seed":N,
 *      "label":"...","keep":"summary"|"all","wall_s":X,"sim_s":Y}
 * (wall_s is the whole run in its worker, sim_s the simulation alone,
 * both in seconds to the millisecond). In the records file
 * `<records_dir>/<hostname>-<pid>.jsonl` each line starts with "folder":
 * the run's folder relative to records_dir's parent (the sweep's folder
 * when records_dir is DIR/records), or as the job gives it when it is not
 * under that parent. The file is written by the batch's parent process
 * alone, one line per ok KEEP_SUMMARY run as its result comes back, opened
 * for appending: two batches (GNU parallel job lines, Slurm array tasks,
 * on one machine or several sharing a file system) never write the same
 * file.
 *
 * Resume: a batch run again skips a job whose folder is complete for this
 * very job: for KEEP_SUMMARY, summary.json is there and records the job's
 * seed and overrides; for KEEP_ALL, run.json says "ok" for the same seed
 * and overrides and "keep": "all", and summary.json is there. Any other
 * folder is run again (its run.json and, for KEEP_SUMMARY, its
 * summary.json removed first).
 *
 * Runs are independent: the outcome of one never depends on another, on
 * the number of workers or on their order, so a batch's folders are the
 * same byte for byte whatever -j (apart from wall_s and sim_s in run.json
 * and in the records). */
#ifndef ECSIM_BATCH_H
#define ECSIM_BATCH_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef enum ecsim_batch_keep {
    ECSIM_BATCH_KEEP_SUMMARY, /* summary.json only (run.json when the run failed) */
    ECSIM_BATCH_KEEP_ALL      /* every output of `ecsim run` as well */
} ecsim_batch_keep;

typedef struct ecsim_batch_job {
    const char *scenario_path;  /* a scenario file (not `-`) */
    const char *const *sets;    /* "KEY=VALUE" overrides, applied in order */
    size_t nsets;
    uint64_t seed;
    const char *dir;            /* the run's own folder (created, parents too) */
    const char *label;          /* the grid point or variant, for progress and the record */
    ecsim_batch_keep keep;
    const char *const *windows; /* --window texts ([NAME=]FROM..TO) added to the run */
    size_t nwindows;
} ecsim_batch_job;

typedef struct ecsim_batch_opts {
    unsigned workers;           /* worker processes (>= 1) */
    int progress;               /* 1: a progress bar (runs done, failures, ETA) on `err` */
    FILE *err;                  /* progress and per-run failure lines */
    const char *max_work_text;  /* --max-work passed to every run (NULL: the default) */
    const char *records_dir;    /* the folder of the records file (created when
                                   needed); NULL: ok KEEP_SUMMARY runs leave no record */
} ecsim_batch_opts;

typedef struct ecsim_batch_outcome {
    int exit_code;              /* the run's exit code as `ecsim run` would give it */
    int skipped;                /* 1: already complete, not run again */
    char error[512];            /* the run's first error line ("" when ok) */
    double wall_s;              /* the run's wall time (0 when skipped) */
    double sim_s;               /* of which simulating (0 when skipped or not reached) */
} ecsim_batch_outcome;

/* Play jobs[0..n) with opts->workers processes, each job into its folder;
 * outcomes[i] receives job i's outcome. A failed run is recorded and the
 * batch goes on. SIGINT/SIGTERM stop the workers and return ECSIM_EINTR
 * (complete folders stay complete). Returns 0 when the batch ran (see
 * `*failed` for how many runs failed), or a negative ECSIM_E code when the
 * batch itself could not run. */
int ecsim_batch_run(const ecsim_batch_job *jobs, size_t n, const ecsim_batch_opts *opts,
                    ecsim_batch_outcome *outcomes, size_t *failed);

/* The exit code of a batch command (`ecsim sweep`) when it ran but one or
 * more of its runs failed (their count is printed). Distinct from `ecsim
 * run`'s 2 (usage), 3 (I/O), 4 (a --fail-on check failed), 70 (internal)
 * and 130/143 (interrupted). */
#define ECSIM_EXIT_RUNS_FAILED 5

/* The largest seed --seeds takes: seeds are written as JSON numbers in the
 * sweep manifest, exact up to 2^53. */
#define ECSIM_BATCH_SEED_MAX 9007199254740991ull

/* Parse --seeds: `N` (N >= 1) is the N seeds 1..N, `A-B` (A <= B) the seeds
 * A..B inclusive, every number a whole decimal from 0 to
 * ECSIM_BATCH_SEED_MAX and at most `max_count` seeds. 0 with the first
 * seed and the count set, or ECSIM_EINVAL with the reason in why[0..size)
 * ("expected N or A-B ..."). */
int ecsim_batch_parse_seeds(const char *text, size_t max_count, uint64_t *first,
                            uint64_t *count, char *why, size_t size);

#endif
