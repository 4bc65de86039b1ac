/* Thresholds for CI pipelines: `--fail-on 'EXPR'` and a scenario's
 * `checks:` (issue 11 point 6), reusable by every command that reads run
 * figures (`run`, `compare`, `sweep`).
 *
 * EXPR is `FIGURE OP NUMBER` (include/ecsim/report_spec.h): FIGURE a
 * flattened summary.json name as include/ecsim/figures.h makes them
 * (`capacity.unserved_after_steady_requests`, `latency_s.p99`,
 * `windows.spike.capacity.unserved_requests`), OP one of > >= < <= == !=,
 * NUMBER a finite decimal number. EXPR is a failure condition, as the
 * option's name says: `--fail-on 'latency_s.p99 > 0.5'` fails the run when
 * p99 is above 0.5 s; a check passes when its comparison is false. The
 * scenario's `checks:` entries are the same expressions. Decisions:
 *   - a figure that is null (does not apply to the run: p99 in fluid mode,
 *     the after-steady figures of a service that never reached steady
 *     state) fails the check, with that reason: a CI gate fails closed;
 *   - a boolean figure compares as 0 or 1; a string figure fails;
 *   - a name that is not in the figures is a usage error for the caller
 *     (exit 2) with the nearest names (ecsim_checks_unknown); evaluated
 *     anyway, it fails.
 * The exit code for failed checks is ECSIM_EXIT_CHECKS (4), from
 * include/ecsim/error.h. */
#ifndef ECSIM_CLI_CHECKS_H
#define ECSIM_CLI_CHECKS_H

#include <stddef.h>
#include <stdio.h>

#include "ecsim/error.h" /* ECSIM_EXIT_CHECKS = 4 */
#include "ecsim/figures.h"
#include "ecsim/report_spec.h"

typedef struct ecsim_check {
    char figure[ECSIM_CHECK_EXPR_MAX]; /* the flattened name */
    ecsim_check_op op;
    double value;
    char expr[ECSIM_CHECK_EXPR_MAX]; /* the expression as given (for messages) */
} ecsim_check;

/* Parse `expr` into `out`. 0, or ECSIM_EINVAL with the reason in
 * err[0..errlen) ("unknown operator `=`: use == ..."). */
int ecsim_checks_parse(const char *expr, ecsim_check *out, char *err, size_t errlen);

/* Evaluate checks[0..n) against `figs`; one line per failed check on
 * `report` (when not NULL): "check failed: latency_s.p99 = 0.62 > 0.5",
 * "check failed: latency_s.p99 > 0.5: latency_s.p99 is null (does not
 * apply to this run)".
 * Returns how many failed. */
size_t ecsim_checks_eval(const ecsim_check *checks, size_t n, const ecsim_figures *figs,
                         FILE *report);

/* ecsim_checks_eval for a set of figures that needs naming (a sweep's run,
 * a compare variant): when any check fails, `heading` (a whole line, with
 * its newline) then the failed checks on `report`; nothing otherwise.
 * Returns how many failed. */
size_t ecsim_checks_eval_headed(const ecsim_check *checks, size_t n, const ecsim_figures *figs,
                                const char *heading, FILE *report);

/* The checks whose figure is not in `figs`: one line each on `err`, with
 * the nearest names ("`prog`: error: --fail-on `latency.p99 > 1`: no figure
 * `latency.p99` in summary.json; did you mean latency_s.p99?"). Returns how
 * many. */
size_t ecsim_checks_unknown(const ecsim_check *checks, size_t n, const ecsim_figures *figs,
                            const char *prog, FILE *err);

/* Up to three names of `figs` nearest to `name` (edit distance, or the same
 * last segment), ", "-separated into buf; "" when none is near. */
void ecsim_checks_suggest(const ecsim_figures *figs, const char *name, char *buf, size_t size);

#endif
