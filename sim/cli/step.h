/* Step mode (`ecsim step`): the lifecycle one step at a time, explained. */
#ifndef ECSIM_STEP_H
#define ECSIM_STEP_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "ecsim/scenario.h"

/* Play `sc` with `seed`, printing each lifecycle step to `out` and waiting
 * for a line on `in` between steps (Enter advances, "q" quits; end of input
 * plays the rest without waiting). `interactive` adds prompts. Returns the
 * process exit code. */
int ecsim_step_walkthrough(const ecsim_scenario *sc, uint64_t seed, FILE *in, FILE *out, FILE *err,
                           bool interactive);

#endif
