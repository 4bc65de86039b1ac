/* What `ecsim compare` reports (sim/report/compare_report.c, compare_page.c):
 * several variants of one question, each run over the same seeds with
 * common random numbers, summarised figure by figure.
 *
 * The input is a table of numbers: for every figure of summary.json (its
 * flattened name, figures.h), every variant and every seed, one value (NaN
 * when the figure does not apply to that run, or the run failed). From it:
 *   - each variant's mean over the seeds with its 95 % Student-t interval;
 *   - each variant's paired difference from the first variant (the
 *     baseline), seed by seed (b - a), with its 95 % interval, also
 *     relative to the baseline's mean (the interval of the differences
 *     divided by that mean, which is taken as exact);
 *   - a verdict in words for the figures that matter to the question
 *     ("target 70 leaves 44 % more requests unserved than target 50 (95 %
 *     CI +31 % to +57 %, 20 seeds)"), or, when the interval contains zero,
 *     that the seeds do not resolve the difference and about how many
 *     would (ecsim_samples_to_resolve), or that the figure is the same in
 *     every run.
 * Rendered as compare.txt (also the console), compare.md, compare.csv
 * (one row per figure and variant, every numeric figure), compare.json
 * (everything, with the per-seed values), compare.html (a self-contained
 * page) and the overlay plot compare.{dat,gp,png,svg} drawn by gnuplot from
 * the template plots/compare.gp. */
#ifndef ECSIM_COMPARE_REPORT_H
#define ECSIM_COMPARE_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ecsim/figures.h"
#include "ecsim/stats.h"

/* The confidence level of every interval compare reports. */
#define ECSIM_COMPARE_LEVEL 0.95
/* ecsim_samples_to_resolve's cap: "more than 9999 seeds". */
#define ECSIM_COMPARE_SEEDS_CAP 10000

/* One representative run's time series, for the overlay plot. */
typedef struct ecsim_compare_series {
    size_t n;
    double *time_s; /* end of each metric period */
    double *demand_rps;
    double *capacity_rps;
    double *running; /* tasks running */
} ecsim_compare_series;

typedef struct ecsim_compare_figure {
    char *name;     /* flattened summary.json name */
    double *values; /* [variant * nseeds + seed]; NaN = missing */
} ecsim_compare_figure;

typedef struct ecsim_compare {
    size_t nvariants, nseeds;
    char **labels;   /* per variant: what defines it ("autoscaler.target=70", a file) */
    char **names;    /* per variant: the short name verdicts use ("target 70") */
    uint64_t *seeds; /* the seeds, in order */
    ecsim_compare_figure *figures; /* numeric figures, in the order first seen */
    size_t nfigures, figures_cap;
    size_t failed_runs; /* runs without a summary (their values are NaN) */
    /* Context for the reports; all optional (NULL / NaN). */
    char *scenario_name;
    char *scenario_text; /* the (first) scenario's YAML, for compare.html */
    char *command;       /* the command line, for the reports' headers */
    char *window;        /* --window: key figures are read under "windows.NAME." */
    double duration_s;
    size_t rep_seed; /* index of the representative seed (ecsim_compare_representative) */
    ecsim_compare_series *series; /* per variant, the representative seed's run; NULL = none */
} ecsim_compare;

/* A figure's statistics for one variant. */
typedef struct ecsim_compare_stat {
    ecsim_interval mean;             /* the variant's values over the seeds */
    ecsim_interval diff;             /* paired b - a against variant 0 (n = 0 for variant 0) */
    double base_mean;                /* variant 0's mean over the seeds both have */
    double rel_mean, rel_lo, rel_hi; /* diff / |base_mean| as fractions; NaN when base_mean is 0 */
    size_t seeds_to_resolve; /* when diff is not resolved: seeds that would; 0 = none would */
    bool same_as_base;       /* every paired difference is exactly 0 */
} ecsim_compare_stat;

/* A comparison of `nvariants` variants over `nseeds` seeds, no figures yet.
 * NULL on out of memory. */
ecsim_compare *ecsim_compare_create(size_t nvariants, size_t nseeds);
void ecsim_compare_destroy(ecsim_compare *c);

/* Name variant v: its label and its short name (copied). 0 or ECSIM_ENOMEM. */
int ecsim_compare_set_variant(ecsim_compare *c, size_t v, const char *label, const char *name);

/* Record one value (the figure is added, with NaN everywhere, the first
 * time its name is seen). 0 or ECSIM_ENOMEM. */
int ecsim_compare_set(ecsim_compare *c, const char *figure, size_t v, size_t s, double value);

/* Record every numeric (and boolean) figure of one run's summary; strings
 * are skipped, nulls recorded as NaN, and `seed` and `schema_version`
 * left out (they identify the run, they do not measure it). */
int ecsim_compare_add_run(ecsim_compare *c, size_t v, size_t s, const ecsim_figures *summary);

/* The figure called `name`, or NULL. */
const ecsim_compare_figure *ecsim_compare_find(const ecsim_compare *c, const char *name);

/* Statistics of figure `f` for variant `v`. */
void ecsim_compare_stat_of(const ecsim_compare *c, const ecsim_compare_figure *f, size_t v,
                           ecsim_compare_stat *out);

/* True when every run has the same finite value of `f`. */
bool ecsim_compare_identical(const ecsim_compare *c, const ecsim_compare_figure *f);

/* The key figures, in the order the reports show them: their names under
 * c->window's prefix when it is set. Those absent from `c` (latency in
 * fluid mode) are skipped. Fills out[0..max) with figures; returns how
 * many. */
size_t ecsim_compare_key_figures(const ecsim_compare *c, const ecsim_compare_figure **out,
                                 size_t max);

/* The verdict for figure `f`, variant v >= 1 against variant 0, one
 * sentence without a trailing newline, into buf. Key figures speak their
 * own words ("leaves ... more requests unserved", "costs ... less"); any
 * other figure says "NAME is ... higher/lower". */
void ecsim_compare_verdict(const ecsim_compare *c, const ecsim_compare_figure *f, size_t v,
                           char *buf, size_t size);

/* The representative seed: the one whose baseline value of the first key
 * figure that varies over the seeds is closest to that figure's median
 * over the seeds (the lowest seed on ties; seed index 0 when no key figure
 * varies). All variants are drawn for this one seed, so they share its
 * demand. Returns the seed's index. */
size_t ecsim_compare_representative(const ecsim_compare *c);

/* Renderers. Each returns 0, or ECSIM_EIO when the stream failed. */
int ecsim_compare_write_text(const ecsim_compare *c, FILE *out);
int ecsim_compare_write_md(const ecsim_compare *c, FILE *out);
int ecsim_compare_write_csv(const ecsim_compare *c, FILE *out);
int ecsim_compare_write_json(const ecsim_compare *c, FILE *out);

/* compare.html: title and the command, the verdicts, the key-figure table,
 * the overlay plot's SVG inlined from `svg_path` (NULL or unreadable: a
 * sentence saying why there is none), every figure in a collapsed table,
 * and the scenario's text. Self-contained polyglot HTML5 (no script, no
 * external resource), well-formed XML. 0, ECSIM_EIO or ECSIM_ENOMEM. */
int ecsim_compare_write_html(const ecsim_compare *c, const char *svg_path, FILE *out);

/* Write compare.dat and compare.gp into out_dir from the template
 * compare.gp found like the run plot's (opt-less: $ECSIM_PLOTS_DIR, plots/,
 * the data folder) and render compare.png and compare.svg with gnuplot
 * (when `render` and gnuplot is on PATH; otherwise a line on msg says how).
 * `*rendered` says whether the images were drawn. 0; ECSIM_ENOENT when no
 * template is found; ECSIM_EIO; ECSIM_ENOMEM. */
int ecsim_compare_plot(const ecsim_compare *c, const char *out_dir, bool render, FILE *msg,
                       bool *rendered);

#endif
