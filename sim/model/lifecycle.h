/* The lifecycle recorder: the seed's six steps (and the End row) and the
 * two tracked variables of its Status Tracker, recorded as the simulation
 * reaches them (private to sim/model; the vocabulary is at the top of
 * lifecycle.c).
 *
 * The recorder holds the tracked variables as they are now; the wiring
 * (sim.c) updates them and records a step, which snapshots them into the
 * step's record. Each record also carries the texts `ecsim step` shows. */
#ifndef ECSIM_MODEL_LIFECYCLE_H
#define ECSIM_MODEL_LIFECYCLE_H

#include <stdbool.h>

#include "ecsim/lifecycle.h"

typedef struct lifecycle lifecycle;

/* Every step unreached, with the seed's texts; the tracked variables at the
 * seed's Start values. NULL on OOM. */
lifecycle *lifecycle_create(void);
void lifecycle_destroy(lifecycle *lc);

/* The tracked variables now (the wiring writes the counts into them). */
ecsim_tracked *lifecycle_now(lifecycle *lc);
/* The tracked variables at the start: a snapshot of now, returned for the
 * wiring to adjust. */
ecsim_tracked *lifecycle_mark_start(lifecycle *lc);
const ecsim_tracked *lifecycle_start(const lifecycle *lc);
/* Step `step`'s record (1-based, through ECSIM_STEP_END). */
ecsim_step_record *lifecycle_step(lifecycle *lc, int step);
const ecsim_step_record *lifecycle_step_const(const lifecycle *lc, int step);
/* Record `step` as reached at `t_s` with the tracked variables now; a step
 * already reached is left alone (returns false). */
bool lifecycle_record(lifecycle *lc, int step, double t_s, bool failed);
/* The highest step recorded so far (0 = none). */
int lifecycle_last_step(const lifecycle *lc);

void lifecycle_set_image(lifecycle *lc, const char *state);
void lifecycle_set_infra(lifecycle *lc, const char *state);
void lifecycle_set_deployment(lifecycle *lc, const char *state);

/* The seed's Status Tracker values after `step` (0 = Start) on the happy path. */
const char *lifecycle_seed_image(int step);
const char *lifecycle_seed_infra(int step);
/* The seed's Result of the End row ("App runs efficiently on AWS containers"). */
const char *lifecycle_seed_text_end(void);
/* The seed's Result of step `step` (1..ECSIM_STEP_COUNT). */
const char *lifecycle_seed_result(int step);

#endif
