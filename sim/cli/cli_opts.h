/* What the command files of sim/cli share with cli.c: the parsed options
 * and the steps every command that simulates goes through (load with the
 * --set overrides, play with --seed). A command implemented in its own
 * file (sweep.c, compare.c, ...) is a `cli_command` handler declared here
 * and listed in cli.c's table; its synopsis, help and options are rows of
 * cli_doc.c. */
#ifndef ECSIM_CLI_OPTS_H
#define ECSIM_CLI_OPTS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ecsim/scenario.h"
#include "ecsim/sim.h"
#include "cli_doc.h"

#define MAX_SETS 256
#define MAX_FILES 1024

typedef struct cli_opts {
    const char *out;
    const char *format;
    const char *seed_text;
    const char *jobs_text;
    const char *variants_text;
    const char *max_work_text; /* --max-work N (NULL: ECSIM_WORK_DEFAULT_LIMIT) */
    const char *seeds_text;    /* --seeds N|A-B (sweep, compare) */
    const char *keep_text;     /* --keep summary|all (sweep) */
    const char *emit_text;     /* --emit parallel|slurm (sweep) */
    const char *runs_text;     /* --runs I|I-J (sweep of a manifest) */
    const char *per_task_text; /* --per-task N (sweep --emit slurm) */
    const char *group_by_text; /* --group-by KEY,... (collect) */
    const char *sets[MAX_SETS];
    size_t nsets;
    const char *files[MAX_FILES];
    size_t nfiles;
    int no_plots;
    int quiet;
    int help;
    int list_fields;
    int answers;
    const char *windows[ECSIM_WINDOWS_MAX]; /* --window [NAME=]FROM..TO */
    size_t nwindows;
    const char *fail_on[ECSIM_CHECKS_MAX];  /* --fail-on EXPR */
    size_t nfail_on;
    const char *decisions_text;             /* --decisions changes|all */
} cli_opts;

/* "usage: ecsim NAME ..." for command `c` on err. */
void cli_print_usage_line(const cli_cmddoc *doc, FILE *err);

/* Parse --seed's text; 0, or ECSIM_EXIT_USAGE after a message on err. */
int cli_parse_seed(const char *text, uint64_t *seed, FILE *err);

/* 0 when exactly one scenario file was given, else the usage exit code
 * after a message on err. */
int cli_need_one_file(const cli_cmddoc *c, const cli_opts *o, FILE *err);

/* Load the scenario at `path` (`-` = standard input) with o's --set
 * overrides and --max-work, validated; diagnostics on err. NULL with the
 * exit code in *code on failure. */
ecsim_scenario *cli_load(const cli_opts *o, const char *path, FILE *err, int *code);

/* Apply --window and --decisions to a loaded scenario (windows appended to
 * report.windows and checked like the file's). 0, or ECSIM_EXIT_USAGE
 * after a message on err. */
int cli_apply_report_options(const cli_opts *o, ecsim_scenario *sc, FILE *err);

/* Play `sc` to its end with o's --seed (a progress bar on err when it is a
 * terminal and not --quiet). NULL with the exit code in *code on failure. */
ecsim_sim *cli_simulate(const cli_opts *o, const ecsim_scenario *sc, FILE *err, int *code);

/* The commands implemented in their own files (listed in cli.c's table). */
int cli_cmd_sweep(cli_opts *o, FILE *out, FILE *err);   /* sweep.c */
int cli_cmd_collect(cli_opts *o, FILE *out, FILE *err); /* collect.c */
int cli_cmd_compare(cli_opts *o, FILE *out, FILE *err); /* compare.c */

/* The checks of a run: every --fail-on, then the scenario's `checks:` (sc
 * may be NULL: --fail-on only, to reject a bad expression before anything
 * runs). *out is allocated (ecsim_free) unless there are none. 0, or the
 * exit code after a message on err. */
struct ecsim_check;
int cli_run_checks(const cli_opts *o, const ecsim_scenario *sc, struct ecsim_check **out,
                   size_t *n, FILE *err);

#endif
