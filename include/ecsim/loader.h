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

/* Parse a duration: a number of seconds ("90", "1.5") or a string of
 * number+unit groups, units d h m s ms ("90s", "5m", "1h30m", "2d", "20ms").
 * 0 on success; ECSIM_EINVAL if malformed, negative or not finite. */
int ecsim_parse_duration(const char *text, double *out_s);

/* Write the field reference as a Markdown table (path, type, default,
 * allowed values, meaning), for the README and `ecsim run --help`. */
void ecsim_scenario_field_reference(FILE *out);

#endif
