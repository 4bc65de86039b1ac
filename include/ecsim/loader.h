/* The scenario loader: YAML in, a validated ecsim_scenario out.
 *
 * libyaml is used here and nowhere else (STYLE.md rule 5). The schema is one
 * table of field descriptors (sim/input/schema.c): the loader, --set overrides, the
 * suggestions for misspelled keys and the README's field reference are all
 * driven by it, so a new field is added in one place.
 *
 * Every problem in a file is reported, not only the first, as a diagnostic
 * `FILE:LINE:COLUMN: error: MESSAGE` naming the field and what would be
 * valid. */
#ifndef ECSIM_LOADER_H
#define ECSIM_LOADER_H

#include <stddef.h>
#include <stdio.h>

#include "ecsim/diag.h"
#include "ecsim/scenario.h"
#include "ecsim/schema.h" /* ecsim_parse_duration, ecsim_scenario_field_reference */

/* Load `path`, apply each `sets[i]` ("dotted.path[idx]=value", validated like
 * the file, diagnostics naming the override), fill defaults and check every
 * field and cross-field rule. Returns NULL if anything was wrong (every
 * problem recorded in `d`) or on OOM (d->oom set). */
ecsim_scenario *ecsim_scenario_load(const char *path, const char *const *sets, size_t nsets,
                                    ecsim_diags *d);

/* Same, from memory; `display_name` is the FILE shown in diagnostics. */
ecsim_scenario *ecsim_scenario_load_string(const char *text, size_t len,
                                           const char *display_name,
                                           const char *const *sets, size_t nsets,
                                           ecsim_diags *d);

/* Report an error about a loaded scenario, located the way the loader
 * locates its own cross-field errors: at the first of `path1`, `path2`
 * (dotted paths such as "autoscaler.step_scaling.steps"; path2 may be
 * NULL) that was given in the file (FILE:LINE:COLUMN) or a --set (its
 * text, no position); otherwise the file with no line. For the checks that
 * run on the loaded scenario (ecsim_policy_validate in include/ecsim/policy.h). */
void ecsim_scenario_report(const ecsim_scenario *sc, ecsim_diags *d, const char *path1,
                           const char *path2, const char *message);

/* A scenario with every default filled in (name "scenario"); NULL on OOM. */
ecsim_scenario *ecsim_scenario_create_default(void);

/* Deep copy; NULL on OOM. */
ecsim_scenario *ecsim_scenario_clone(const ecsim_scenario *sc);

void ecsim_scenario_free(ecsim_scenario *sc);

/* ---- data files (sim/input/datafile.c) ---------------------------------------------
 *
 * The loader reads these when it loads a scenario (paths relative to the
 * scenario file), so a bad row is reported by `ecsim validate` as
 * FILE:LINE:COLUMN and the model never opens a file. Each reads CSV through
 * the one reader (include/ecsim/csv.h: quoted fields, CRLF, a UTF-8 BOM),
 * reports every bad row in `d` (may be NULL), and returns 0, ECSIM_EINVAL
 * (bad content), ECSIM_EIO (cannot open or read: counted in d->io_errors)
 * or ECSIM_ENOMEM. Outputs are allocated with ecsim_malloc (ecsim_free). */

/* A trace file larger than this is rejected (no input may exhaust memory;
 * a week at one row per second is about 10 MB). */
#define ECSIM_TRACE_MAX_BYTES ((size_t)64 * 1024 * 1024)

/* `file` as a scenario means it, into out[size]: relative to the folder of
 * `scenario_path` (may be NULL or "") unless absolute; as given if the
 * result would not fit. */
void ecsim_resolve_data_path(char *out, size_t size, const char *scenario_path, const char *file);

/* A load trace (load.trace): rows TIME,RPS (finite decimal numbers >= 0,
 * times strictly increasing), an optional header `time,rps`, blanks around
 * fields ignored; at most ECSIM_TRACE_MAX_BYTES. */
int ecsim_trace_read(const char *path, ecsim_trace_data *out, ecsim_diags *d);

/* An arrival log (load.requests.arrivals_file): one arrival time in
 * seconds per line (a finite decimal number >= 0, not before the previous
 * one), an optional first line `time_s`, blank lines and lines starting
 * with '#' skipped. Reading stops at the first time >= end_s (later rows
 * are past the run); *times holds the *count times before it. Up to 20 bad
 * rows are reported; a file without any time is an error. */
int ecsim_arrivals_read(const char *path, double end_s, double **times, size_t *count,
                        ecsim_diags *d);

/* Empirical service times (load.requests.service_time.file): one number of
 * seconds (finite, >= 0) per line, or a header naming a `service_time_s`
 * column and that column in every row; blank lines and '#' lines skipped;
 * at most 64 MB; up to 20 bad rows reported. */
int ecsim_empirical_read(const char *path, double **samples, size_t *count, ecsim_diags *d);

/* ---- work estimate (sim/input/work.c) ---------------------------------------- */

/* What a run of the scenario will do, estimated from the scenario alone
 * (issue 10 point 2): upper estimates of the metric periods, fluid steps,
 * requests (requests mode) and task launches, and their weighted total in
 * work units (about a microsecond each in a -O2 build). */
typedef struct ecsim_work_estimate {
    double metric_periods; /* duration / monitoring.period */
    double fluid_steps;    /* one per simulated second */
    double requests;       /* requests offered (requests mode), 0 in fluid mode */
    double tasks;          /* task launches */
    double peak_tasks;     /* the most tasks at once (desired, autoscaler.max, scale events) */
    double units;          /* the weighted total */
} ecsim_work_estimate;

/* The default limit of `ecsim run` and `ecsim validate`, in work units:
 * about a minute of simulation; `--max-work N` raises it. 366 days of fluid
 * simulation with one-minute periods and a few tasks stays under it. */
#define ECSIM_WORK_DEFAULT_LIMIT 1e8

/* Fill `w` for the loaded, valid scenario `sc`. A pure function. */
void ecsim_scenario_work(const ecsim_scenario *sc, ecsim_work_estimate *w);

/* One line for a message: "1.2e+09 work units: 5.3e+05 metric periods x
 * 10 tasks, ...". */
void ecsim_work_describe(const ecsim_work_estimate *w, char *buf, size_t size);

/* Refuse a scenario whose work estimate is above the limit: `limit_text` is
 * --max-work's value (NULL = ECSIM_WORK_DEFAULT_LIMIT; else a number > 0).
 * On refusal (or a malformed limit) an error naming `file`, the estimate and
 * the flag to use is added to `d` and ECSIM_EINVAL returned; else 0. */
int ecsim_work_check(const ecsim_scenario *sc, const char *limit_text, const char *file,
                     ecsim_diags *d);

#endif
