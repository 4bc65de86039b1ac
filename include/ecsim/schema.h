/* The scenario schema's public part (sim/input/schema.c): the duration
 * syntax every duration field uses, and the field reference generated from
 * the schema table. Included by ecsim/loader.h; a header of its own so that
 * schema.c does not include the loader's header (tests/lint_modules.sh:
 * no include cycle between modules). */
#ifndef ECSIM_SCHEMA_API_H
#define ECSIM_SCHEMA_API_H

#include <stdio.h>

/* Parse a duration: a number of seconds ("90", "1.5") or a string of
 * number+unit groups, units d h m s ms ("90s", "5m", "1h30m", "2d", "20ms").
 * 0 on success; ECSIM_EINVAL if malformed, negative or not finite. */
int ecsim_parse_duration(const char *text, double *out_s);

/* Write the field reference as a Markdown table (path, type, default,
 * allowed values, meaning), for the README and `ecsim run --help`. */
void ecsim_scenario_field_reference(FILE *out);

#endif
