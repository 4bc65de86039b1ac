/* One simulation run: a scenario turned into a model and played on the
 * engine, with recorders for everything the reports need.
 *
 * Staged set-up (STYLE.md rule 5): the loader gives a validated scenario,
 * ecsim_sim_create() builds the model (image, registry, service, tasks,
 * load, policy) and schedules the lifecycle, ecsim_sim_run() plays it to
 * the end (or ecsim_sim_advance() one lifecycle step at a time, for
 * `ecsim step`), and the accessors below hand the recorded results to the
 * reports. No simulation logic lives in the CLI. */
#ifndef ECSIM_SIM_H
#define ECSIM_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ecsim/lifecycle.h"
#include "ecsim/scenario.h"
#include "ecsim/summary.h"

typedef struct ecsim_sim ecsim_sim;

/* Build the model for `sc` (not copied: it must outlive the sim) with
 * `seed` overriding sc->seed. NULL on OOM or if the model cannot be built
 * (e.g. a trace file that fails to load: diagnostics on `err`). */
ecsim_sim *ecsim_sim_create(const ecsim_scenario *sc, uint64_t seed, FILE *err);
void ecsim_sim_destroy(ecsim_sim *sim);

/* Play the scenario to its end. 0 or a negative ECSIM_E* code. */
int ecsim_sim_run(ecsim_sim *sim);

/* Play until virtual time `until_s` (capped at the end), e.g. in slices
 * for a progress bar. 0 or a negative ECSIM_E* code. */
int ecsim_sim_run_until(ecsim_sim *sim, double until_s);

/* Play until the next lifecycle step is recorded (or the end). Sets *step to
 * the step number reached (ECSIM_STEP_END at the end). Returns 1 if a step
 * was reached, 0 if the run is over, negative on error. */
int ecsim_sim_advance(ecsim_sim *sim, int *step);

bool ecsim_sim_done(const ecsim_sim *sim);
double ecsim_sim_now(const ecsim_sim *sim);
const ecsim_scenario *ecsim_sim_scenario(const ecsim_sim *sim);
uint64_t ecsim_sim_seed(const ecsim_sim *sim);
/* True when the run stopped on an internal error (the run functions returned
 * ECSIM_EINTERNAL): a model computation gave an event time that is not finite
 * or lies before the clock. `now_s` and `at_s` (may be NULL) receive the
 * simulated time it happened and the refused time. */
bool ecsim_sim_fault(const ecsim_sim *sim, double *now_s, double *at_s);

/* The tracked variables at the start, and each step's record (1-based). */
const ecsim_tracked *ecsim_sim_start_state(const ecsim_sim *sim);
const ecsim_step_record *ecsim_sim_step_record(const ecsim_sim *sim, int step);
/* The summary figures; valid after the run ended. */
const ecsim_summary *ecsim_sim_summary(const ecsim_sim *sim);

/* The time series recorded so far (one row per metric period). */
struct ecsim_timeline;
const struct ecsim_timeline *ecsim_sim_timeline(const ecsim_sim *sim);

/* decisions.csv: the header and one row per autoscaler evaluation so far
 * (kept in a temporary file while the run goes). 0 or ECSIM_EIO. */
int ecsim_sim_write_decisions_csv(const ecsim_sim *sim, FILE *out);

/* The autoscaler's target when its metric is CPU (plots draw it), else NaN. */
double ecsim_sim_cpu_target(const ecsim_sim *sim);

/* Requests that have arrived so far (requests mode; 0 in fluid mode). */
uint64_t ecsim_sim_requests_arrived(const ecsim_sim *sim);

/* Events dispatched by the engine so far. */
uint64_t ecsim_sim_events_dispatched(const ecsim_sim *sim);

/* The event log: one line per event, time-ordered, ECS-style messages. */
size_t ecsim_sim_log_count(const ecsim_sim *sim);
const char *ecsim_sim_log_line(const ecsim_sim *sim, size_t i);

/* "HH:MM:SS" (with ".t" tenths when not whole) for a time in seconds; "—"
 * for a non-finite time. Returns buf. */
char *ecsim_fmt_clock(char *buf, size_t size, double t_s);

#endif
