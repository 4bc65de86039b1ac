/* Reports of a finished (or partly played) run: the seed's two tables, the
 * event log, summary.json, and the whole output folder of `ecsim run`.
 *
 * The tables are built from the simulation's recorders and rendered by any
 * registered table format (table.h); the output folder is written file by
 * file, each atomically (output.h). */
#ifndef ECSIM_REPORT_H
#define ECSIM_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "ecsim/sim.h"
#include "ecsim/table.h"

/* The execution table: Step · Time · Action · AWS role · Result, one row per
 * lifecycle step (unreached steps show "—" as time). NULL on OOM. */
ecsim_table *ecsim_report_execution_table(const ecsim_sim *sim);

/* The status tracker: Variable × (Start, After Step 1 … After Step 5, Final),
 * the seed's two variables then the rollout state, desired and running
 * tasks, demand and capacity. NULL on OOM. */
ecsim_table *ecsim_report_status_table(const ecsim_sim *sim);

/* The version of summary.json's layout, written as its `schema_version`:
 * 2 = every DESIGN.md key always present (null when it does not apply),
 * `overrides`, the after-steady capacity figures;
 * 3 = `scaling.evaluations` and `scaling.quiet_evaluations` (null without a
 * policy), and `windows.<name>` when the run has windows (report.windows,
 * --window; absent otherwise, so that a figure name never refers to a
 * window that was not asked for). */
#define ECSIM_SUMMARY_SCHEMA_VERSION 3

/* summary.json (DESIGN.md "Outputs of ecsim run") with no overrides. 0 or
 * ECSIM_EIO. */
int ecsim_report_summary_json(const ecsim_sim *sim, FILE *out);

/* summary.json with `overrides` (the `noverrides` --set K=V texts the
 * scenario was loaded with, written verbatim in order). 0 or ECSIM_EIO. */
int ecsim_report_summary_json_with(const ecsim_sim *sim, const char *const *overrides,
                                   size_t noverrides, FILE *out);

/* The same document on one line (the JSON writer's compact mode: ", " and
 * ": " separators, no indentation), as the runs of a `--keep summary` batch
 * keep it (sim/cli/batch.h): some 3.5 KB instead of 4.4 KB, so that it fits
 * in one 4 KB file-system block. The same names and values as
 * ecsim_report_summary_json_with's. 0 or ECSIM_EIO. */
int ecsim_report_summary_json_compact(const ecsim_sim *sim, const char *const *overrides,
                                      size_t noverrides, FILE *out);

/* events.log. 0 or ECSIM_EIO. */
int ecsim_report_events_log(const ecsim_sim *sim, FILE *out);

typedef struct ecsim_run_outputs {
    char dir[1024];               /* OUT/<scenario name> */
    char files[32][1100];         /* every file written, in order */
    int file_count;
    bool plot_rendered;           /* PNG/SVG produced by gnuplot */
} ecsim_run_outputs;

/* Write the output folder of `ecsim run` under `out_root`: execution.* and
 * status.* in each of `formats` (a comma-separated list of table format
 * names; NULL = "text,md,csv,json"), events.log, summary.json (with the
 * `noverrides` --set texts `overrides`), timeline.csv,
 * decisions.csv and, unless `plots` is false, the demand/capacity plot.
 * Messages (e.g. gnuplot missing) go to `msg`. 0, ECSIM_EINVAL (unknown
 * format, message on msg), ECSIM_EIO or ECSIM_ENOMEM. */
int ecsim_report_write_run(const ecsim_sim *sim, const char *out_root, const char *formats,
                           bool plots, const char *const *overrides, size_t noverrides, FILE *msg,
                           ecsim_run_outputs *outputs);

#endif
