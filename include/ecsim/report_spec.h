/* The two small languages of a scenario's `report:` and `checks:` sections,
 * shared by the loader (located errors at load) and the command line
 * (`--window`, `--fail-on`, sim/cli/checks.h):
 *
 *   window  [NAME=]FROM..TO   durations in the scenario's syntax (`30m..45m`,
 *                             `spike=1h..1h30m`); an unnamed window is named
 *                             by its text (`30m..45m`).
 *   check   FIGURE OP NUMBER  FIGURE a flattened summary.json name
 *                             (`latency_s.p99`), OP one of > >= < <= == !=,
 *                             NUMBER a finite decimal number. */
#ifndef ECSIM_REPORT_SPEC_H
#define ECSIM_REPORT_SPEC_H

#include <stdbool.h>
#include <stddef.h>

#include "ecsim/scenario.h"

typedef enum ecsim_check_op {
    ECSIM_CHECK_GT,
    ECSIM_CHECK_GE,
    ECSIM_CHECK_LT,
    ECSIM_CHECK_LE,
    ECSIM_CHECK_EQ,
    ECSIM_CHECK_NE
} ecsim_check_op;

/* ">", ">=", ... */
const char *ecsim_check_op_text(ecsim_check_op op);

/* Does `value OP threshold` hold? (false for NaN) */
bool ecsim_check_op_holds(ecsim_check_op op, double value, double threshold);

/* Parse a check expression: the figure name into figure[0..figure_size),
 * the operator and the number. 0, or ECSIM_EINVAL with the reason in
 * err[0..errlen) (no prefix: the caller says where). */
int ecsim_check_expr_parse(const char *expr, char *figure, size_t figure_size, ecsim_check_op *op,
                           double *value, char *err, size_t errlen);

/* Is `name` an identifier ([A-Za-z_][A-Za-z0-9_]*, at most
 * ECSIM_WINDOW_NAME_MAX - 1 bytes): a scenario window's name, one segment of
 * the flattened figure names. */
bool ecsim_window_name_ok(const char *name);

/* Parse `--window`'s text "[NAME=]FROM..TO" into `w` (an unnamed window is
 * named "FROM..TO" as written). Only the syntax: see ecsim_window_check. 0
 * or ECSIM_EINVAL with the reason in err. */
int ecsim_window_parse(const char *text, ecsim_window_spec *w, char *err, size_t errlen);

/* Parse "FROM..TO" (the value of a `report.windows` entry). 0 or
 * ECSIM_EINVAL with the reason in err. */
int ecsim_window_range_parse(const char *text, double *from_s, double *to_s, char *err,
                             size_t errlen);

/* Check window `w` against a run of `duration_s` with metric periods of
 * `period_s`: 0 <= from < to <= duration, from a multiple of the period and
 * to a multiple of it or the end of the run (a window holds whole metric
 * periods, so its figures are the whole-run ones restricted to it). 0 or
 * ECSIM_EINVAL with the reason in err. */
int ecsim_window_check(const ecsim_window_spec *w, double duration_s, double period_s, char *err,
                       size_t errlen);

#endif
