/* report.html: one self-contained page per run (issue 12, point 1).
 *
 * The page holds the outcome in one sentence, the key figures of
 * summary.json, the demand/capacity plot inlined as SVG (or a sentence
 * saying why there is none), the scaling decisions in words, the failures
 * and what to change, the execution and status tables, the event log and
 * the scenario's YAML. It has a small inline style sheet (A4/Letter print,
 * phone width), no script and no external resource, and it is well-formed
 * XML as well as HTML5 (polyglot), so `xmllint --noout` checks it. The
 * output is deterministic: the same run gives the same bytes.
 *
 * The writer reads the files the run already wrote into its output folder
 * (decisions.csv, demand_capacity.svg) and the scenario file itself
 * (scenario.h source_path); everything else comes from the sim's
 * accessors (sim.h, report.h). */
#ifndef ECSIM_REPORT_PAGE_H
#define ECSIM_REPORT_PAGE_H

#include <stdbool.h>
#include <stdio.h>

#include "ecsim/sim.h"
#include "ecsim/table.h"

typedef struct ecsim_report_page_options {
    const char *dir;        /* the run's output folder (decisions.csv, the SVG); NULL = none */
    bool plots;             /* false: plots were turned off (--no-plots) */
    bool plot_rendered;     /* gnuplot produced the PNG/SVG */
} ecsim_report_page_options;

/* Write report.html for a finished run to `out`. 0, ECSIM_EIO or
 * ECSIM_ENOMEM. */
int ecsim_report_page_html(const ecsim_sim *sim, const ecsim_report_page_options *opt, FILE *out);

/* The key figures of the run, as (name, value) text pairs, the ones the
 * page and the latex-doc format show: unserved requests, time to capacity,
 * task-hours, cost, scaling actions, and latency in requests mode. Calls
 * fn(name, value, ctx) for each, in order; stops at the first non-zero
 * return and returns it. */
int ecsim_report_key_figures(const ecsim_sim *sim,
                             int (*fn)(const char *name, const char *value, void *ctx), void *ctx);

/* Give a table of this run its run context (table.h): the id
 * "<scenario>-s<seed>" for unique LaTeX labels and the key figures as
 * notes. 0 or ECSIM_ENOMEM. */
int ecsim_report_tag_table(ecsim_table *t, const ecsim_sim *sim);

#endif
