/* Requests mode (load.mode: requests): every request is an event.
 *
 * Private to sim/: scaling.c creates the model when the scenario asks for
 * requests mode, tells it which tasks receive traffic, and reads its
 * counters, busy time and latency histograms at every segment of the
 * metric accounting. The tests drive it directly on a bare engine.
 *
 * Arrivals are a non-homogeneous Poisson process following the load
 * (ecsim_load_rate), drawn by thinning over windows, or the times of a
 * replayed request log (load.requests.arrivals_file), read by the loader
 * (requests_replay_profile turns the same log into the demand profile the
 * fluid accounting sees); service times follow
 * the scenario's distribution; requests are routed to ready tasks by the
 * scenario's routing, queued, served, rejected or abandoned. See
 * requests.c for the semantics of each. */
#ifndef ECSIM_REQUESTS_H
#define ECSIM_REQUESTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ecsim/diag.h"
#include "ecsim/engine.h"
#include "ecsim/histogram.h"
#include "ecsim/load.h"
#include "ecsim/scenario.h"

typedef struct requests_model requests_model;

/* Counters since the model was created. Every arrival ends as exactly one
 * of served, rejected, timed_out, failed, or is still in the system:
 * arrived = served + rejected + timed_out + failed + requests_in_system(). */
typedef struct requests_totals {
    uint64_t arrived;     /* arrivals generated */
    uint64_t admitted;    /* routed to a task on arrival (started or queued) */
    uint64_t served;      /* completed */
    uint64_t rejected;    /* no ready task, or the queue was full: a 503 */
    uint64_t timed_out;   /* waited longer than timeout_s, abandoned */
    uint64_t failed;      /* in service on a task that stopped abruptly */
    double busy_slot_s;   /* slot-seconds busy on tasks receiving traffic */
    double wait_sum_s;    /* queueing delay summed over served requests */
} requests_totals;

/* A task's standing in the model. */
typedef enum requests_task_state {
    REQUESTS_TASK_NONE = 0,  /* never received traffic */
    REQUESTS_TASK_READY,     /* receives traffic */
    REQUESTS_TASK_DRAINING,  /* no new traffic; requests in service complete */
    REQUESTS_TASK_GONE       /* stopped; nothing left on it */
} requests_task_state;

/* The model for `spec`, on engine `eng`, arrivals from `load` (not owned;
 * both must outlive the model), streams derived from `seed`
 * ("requests.arrivals", "requests.service", "requests.routing"); no arrival
 * at or after end_s. `scenario_path` is not used (the loader resolved and
 * read the data files). With spec->arrivals_file the arrivals are
 * spec->arrival_times instead (`load` is then not used for arrivals),
 * borrowed: the spec's arrays must outlive the model; with `empirical` the
 * service times are spec->empirical_s, copied. NULL on OOM or when the
 * spec names an empirical file without its samples (diagnostics in `d`,
 * which may be NULL). */
requests_model *requests_create(const ecsim_requests_spec *spec, const char *scenario_path,
                                ecsim_engine *eng, ecsim_load *load, uint64_t seed, double end_s,
                                ecsim_diags *d);
void requests_destroy(requests_model *m);

/* Start the arrival process at the engine's current time. 0 or
 * ECSIM_ENOMEM. Call once. */
int requests_start(requests_model *m);

/* Task `task_id` (>= 1) starts receiving traffic (again). 0, ECSIM_ENOMEM,
 * or ECSIM_EINVAL for a task that is GONE. */
int requests_task_ready(requests_model *m, int task_id);

/* Task `task_id` stops receiving traffic. abrupt = false: it deregisters
 * (reference §2.3 DEACTIVATING): requests in service complete normally.
 * abrupt = true: it stopped: requests in service on it fail (counted). Its
 * queued requests (per-task routings) are re-routed to the ready tasks as
 * if they arrived now with their original arrival time; the shared queue is
 * unaffected. A DRAINING task may later leave abruptly (it stopped before
 * its requests finished). 0 or ECSIM_ENOMEM. */
int requests_task_leave(requests_model *m, int task_id, bool abrupt);

requests_task_state requests_task_get_state(const requests_model *m, int task_id);
int requests_ready_count(const requests_model *m);
/* Requests queued or in service now. */
uint64_t requests_in_system(const requests_model *m);

/* Bring the model's measures up to the engine's clock: count the queued
 * requests whose timeout has passed as timed out (at the instant they
 * expired), add the busy time so far. Call before reading a period. */
void requests_flush(requests_model *m);

const requests_totals *requests_get_totals(const requests_model *m);
/* Latency (arrival to completion) of served requests over the run (built
 * on each call from the periods so far: O(buckets), not for hot paths),
 * and since the last requests_period_reset(), which folds the period into
 * the run's. The pointers are valid until the next call. */
const ecsim_histogram *requests_latency_run(requests_model *m);
const ecsim_histogram *requests_latency_period(const requests_model *m);
void requests_period_reset(requests_model *m);
/* Longest wait (arrival to service start) of a served request, 0 if none. */
double requests_wait_max(const requests_model *m);

/* Requests per second one task serves when busy all the time:
 * concurrency / mean service time (INFINITY for a zero mean). */
double requests_capacity_per_task(const requests_model *m);
int requests_concurrency(const requests_model *m);

/* Bookkeeping for the caller's accounting segments: the task counts that
 * held since the last segment boundary. */
void requests_segment_set(requests_model *m, int running, int ready);
void requests_segment_get(const requests_model *m, int *running, int *ready);
/* The totals at the previous segment boundary; replaced by the current. */
void requests_segment_take(requests_model *m, requests_totals *delta);

/* Nonzero once an allocation or a schedule failed (the run is then
 * wrong). */
int requests_oom(const requests_model *m);

/* ---- replayed arrivals (load.requests.arrivals_file) ------------------------------- */

/* The replayed arrival times (times[0..n), in order, as the loader read
 * them) as a demand profile, for
 * the fluid accounting (timeline demand, under-capacity figures, the
 * predictive policy's history): the arrivals in [0, end_s) counted per bin
 * of *bin_s seconds (1 s for runs up to 18 h; 2, 5, 10, 30, 60, 300, 600 or
 * 3600 s for longer ones, so the profile has at most 65 536 bins), each bin
 * a constant segment of rate count / bin width (the last bin is cut at
 * end_s), runs of equal rates merged, then 0 requests/s. The mean demand
 * over a period that is a multiple of the bin is then exactly the arrivals
 * in it / its length. Arrivals before the service exists are in the
 * profile (as fluid demand before the service exists is) but are not
 * replayed as requests (requests_start). On success *profile (free with
 * ecsim_free) holds *count segments. 0 or ECSIM_ENOMEM. */
int requests_replay_profile(const double *times, size_t n, double end_s,
                            ecsim_load_segment **profile, size_t *count, double *bin_s);

/* Replayed arrival times earlier than requests_start's clock (the service
 * did not exist yet): skipped, not counted as arrivals. 0 without replay. */
uint64_t requests_replay_skipped(const requests_model *m);

#endif
