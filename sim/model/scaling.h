/* Running and scaling: demand against capacity, the CloudWatch metrics the
 * tasks publish, the autoscaler's evaluations, the per-period timeline rows
 * and the cost (private to sim/model; the model is described at the top of
 * scaling.c).
 *
 * One opaque handle owns the load generator, the metrics store, the policy,
 * the requests model (requests mode), decisions.csv (a temporary file) and
 * the period accumulators. It is wired to the service (counts, tasks,
 * desired count), the platform and registry (cost), the timeline recorder
 * (rows and scaling markers), the lifecycle's tracked variables (demand,
 * desired) and the run's summary, whose figures it fills. */
#ifndef ECSIM_MODEL_SCALING_H
#define ECSIM_MODEL_SCALING_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "ecsim/engine.h"
#include "ecsim/metrics.h"
#include "ecsim/scenario.h"
#include "ecsim/lifecycle.h"
#include "ecsim/summary.h"
#include "ecsim/timeline.h"
#include "platform.h"
#include "registry.h"
#include "requests.h"
#include "service.h"

typedef struct scaling scaling;

typedef struct scaling_wiring {
    const ecsim_scenario *sc;
    uint64_t seed;
    ecsim_engine *eng;
    service *service;
    registry *registry;
    platform *platform;          /* where tasks run and what they cost */
    ecsim_timeline *timeline;
    ecsim_tracked *now;          /* the tracked variables: demand_rps, desired */
    ecsim_summary *summary;
    void (*log)(void *ctx, const char *message);
    void *ctx;
} scaling_wiring;

/* The load (trace and arrival files read now: errors go to `err`), the
 * metrics, the policy. NULL with *rc = ECSIM_EINVAL (bad input) or
 * ECSIM_ENOMEM / ECSIM_EIO. */
scaling *scaling_create(const scaling_wiring *w, FILE *err, int *rc);
void scaling_destroy(scaling *sc);

/* The service exists: start the fluid accounting (or the requests) and the
 * policy evaluations. */
void scaling_start(scaling *s);
/* Close the metric period that ends now: metrics, timeline row. */
void scaling_period_end(scaling *s);
/* The task set changed (a task started, became healthy, stopped...). */
void scaling_tasks_changed(scaling *s);
/* Summary figures and cost at the end of the run. */
void scaling_finish(scaling *s);

/* The policy's target when its metric is CPU (for plots), else NaN. */
double scaling_cpu_target(const scaling *s);
/* Offered load at time t (requests per second). */
double scaling_demand_rate(const scaling *s, double t_s);
/* The metrics store (step 6 waits for the first published CPU datapoint). */
const ecsim_metrics *scaling_metrics(const scaling *s);
/* decisions.csv so far. 0 or ECSIM_EIO. */
int scaling_write_decisions_csv(const scaling *s, FILE *out);
/* Requests mode: the model (NULL in fluid mode). */
const requests_model *scaling_requests(const scaling *s);
/* An allocation failed in an event handler. */
bool scaling_oom(const scaling *s);

#endif
