/* Plots of a run: demand and capacity over time, rendered by gnuplot.
 *
 * ecsim_plot_demand_capacity writes, into the run's output folder,
 *   demand_capacity.dat   the data (index 0: timeline.csv's rows, each at
 *                         its sample time, plus its period's start; index 1:
 *                         markers and where their labels go; index 2: the
 *                         desired count at each sample and each scale
 *                         action), with a comment header naming the
 *                         columns; "NaN" marks a value not set;
 *   demand_capacity.gp    the gnuplot script, filled in from the template
 *                         plots/demand_capacity.gp; run by itself inside the
 *                         folder (`gnuplot demand_capacity.gp`) it re-renders
 *   demand_capacity.png   1200 x 900 by default (pngcairo, else png), and
 *   demand_capacity.svg.
 * The plot (issue 3, point 7): a top panel with demand and capacity (rps),
 * desired / running (/ pending) tasks as steps on a right axis, the
 * shortfall shaded, scale-out ▲ and scale-in ▼ marks on the desired-count
 * line, deployments and failures as labelled vertical lines; a CPU panel
 * with the policy's target line; and, when the timeline has latency
 * percentiles (requests mode), a latency panel on a log scale with the
 * p99 SLO line when opt->slo_p99_ms is set.
 *
 * The template is looked up in opt->template_dir, then $ECSIM_PLOTS_DIR,
 * then plots/ under the current directory, then ECSIM_DATADIR "/plots" (set
 * by the Makefile to the install location); if none has it, a copy compiled
 * into the library is used, so an installed binary works anywhere.
 *
 * Every file appears atomically: the .dat and .gp through ecsim_outfile;
 * gnuplot draws the PNG and SVG into temporary files that are renamed only
 * after it exits 0. gnuplot is run with fork/execvp (no shell), stdin from
 * /dev/null, and killed after opt->timeout_s (default 60 s). */
#ifndef ECSIM_PLOT_H
#define ECSIM_PLOT_H

#include <stdbool.h>
#include <stdio.h>

#include "ecsim/timeline.h"

typedef struct ecsim_plot_options {
    const char *scenario;      /* scenario name for the title; NULL = "ecsim" */
    const char *policy;        /* autoscaler policy for the title; NULL = left out */
    double target;             /* CPU target line, percent; NaN = no line. Pass NaN
                                  when the policy's metric is not CPU. */
    double slo_p99_ms;         /* p99 latency SLO, ms: a dashed line on the latency
                                  panel (which then spans it); NaN or <= 0 = none */
    double duration_s;         /* x range; NaN or <= 0 = the last row's time */
    const char *template_dir;  /* folder holding demand_capacity.gp; NULL = search */
    const char *gnuplot;       /* program to run; NULL = "gnuplot" on PATH */
    int width_px;              /* image size; <= 0 = 1200 x 900 */
    int height_px;
    bool render;               /* false = write .dat and .gp only */
    double timeout_s;          /* kill gnuplot after this long; <= 0 = 60 s */
    const char *shown_dir;     /* the folder named in messages ("cd DIR && gnuplot ..."):
                                  where the files will be once the run is in place;
                                  NULL = out_dir */
} ecsim_plot_options;

/* Defaults: no names, target NaN, SLO NaN, duration NaN, search for the template and
 * gnuplot, 1200 x 900, render, 60 s. */
void ecsim_plot_options_init(ecsim_plot_options *opt);

/* Write the demand/capacity plot files into out_dir (created if missing)
 * and render them. `opt` may be NULL (defaults). Messages for the user (the
 * plot was not rendered and how to render it; gnuplot's complaints) go to
 * `msg` (NULL = silent), one line each.
 * Returns 0 when the files were written and, if gnuplot is available,
 * rendered. gnuplot not found is not an error: 0, the .dat and .gp are kept
 * and `msg` gets one line with the command to run
 * ("cd DIR && gnuplot demand_capacity.gp").
 * ECSIM_EINVAL: the timeline has no rows, or the template named by
 * opt->template_dir does not exist (ECSIM_ENOENT).
 * ECSIM_EIO: a file could not be written, or gnuplot failed, was killed or
 * timed out (its stderr summarised on `msg`); no PNG or SVG is left
 * half-written (an earlier complete one is kept). ECSIM_ENOMEM. */
int ecsim_plot_demand_capacity(const ecsim_timeline *tl, const ecsim_plot_options *opt,
                               const char *out_dir, FILE *msg);

/* A terminal preview of demand and capacity over the window [0, until_s]
 * (NaN = up to the last row), `width` x `height` characters, for `ecsim
 * step`: the rows with time_s <= until_s, each row's values over its own
 * period; the window always reaches until_s (the step's time), the period
 * under way there has no data yet and stays empty. Uses gnuplot's dumb
 * terminal when gnuplot is on PATH (its x label names the window's end as
 * ecsim_fmt_clock writes it), else ecsim_plot_ascii_preview. 0, ECSIM_EIO
 * or ECSIM_ENOMEM. */
int ecsim_plot_preview(const ecsim_timeline *tl, double until_s, int width, int height,
                       FILE *out);

/* The built-in preview, without gnuplot: a deterministic character chart,
 * `width` x `height` characters (clamped to at least 24 x 6):
 *   line 1            "demand * / capacity o / both # (rps)"
 *   height - 3 lines  the chart: a gutter with the top value and 0, "|",
 *                     then one column per time bin of [0, until_s] (bin
 *                     value = time-weighted mean of the periods it
 *                     overlaps; empty where no period has data yet)
 *   1 line            the axis "+-----"
 *   1 line            the time labels, as ecsim_fmt_clock writes them:
 *                     00:00:00 at the left, the window's end at the right
 * No rows up to until_s: the single line "demand / capacity: no data yet".
 * 0 or ECSIM_EIO. */
int ecsim_plot_ascii_preview(const ecsim_timeline *tl, double until_s, int width, int height,
                             FILE *out);

/* The copy of plots/demand_capacity.gp compiled into the library (a test
 * checks that the two agree). Returns a newly allocated string (free with
 * ecsim_free) or NULL on OOM. */
char *ecsim_plot_builtin_template(void);

#endif
