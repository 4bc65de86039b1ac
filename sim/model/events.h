/* The scenario's operations and faults (`events:`): each event fires at its
 * time and is dispatched to the module that models it; each becomes an
 * events_op recording what it did and, once its effects are over, how it
 * ended (private to sim/model; the story is at the top of events.c).
 *
 * The module is wired to the registry, the service, the platform (its
 * cluster on ec2 / eks), the timeline (markers), the lifecycle recorder (tracked variables)
 * and the run's summary (update counts); it reports log lines and "every
 * operation has settled" through events_callbacks. */
#ifndef ECSIM_MODEL_EVENTS_H
#define ECSIM_MODEL_EVENTS_H

#include <stdbool.h>
#include <stdint.h>

#include "ecsim/engine.h"
#include "ecsim/scenario.h"
#include "ecsim/summary.h"
#include "ecsim/timeline.h"
#include "lifecycle.h"
#include "platform.h"
#include "registry.h"
#include "service.h"

typedef struct events events;

/* One scenario event as it played out, for step 6 ("Monitor and update")
 * and the tracked variables. The first EVENTS_OPS_MAX events are tracked. */
#define EVENTS_OPS_MAX 32
typedef struct events_op {
    ecsim_action action;
    double started_s;
    double settled_s;         /* NaN while its effects last */
    int deployment;           /* deploy: index of the service's deployment, -1 before / none */
    bool failed;              /* the operation failed (update failed, push rejected) */
    int affected;             /* tasks stopped by a fault, launches failed in an outage */
    int failed_before;        /* the service's tasks_failed when it started */
    int event;                /* index into sc->events */
    const char *fix;          /* what the user should change, NULL if nothing */
    char what[96];            /* "deploy 1.1", "kill 2 tasks", ... */
    char result[200];         /* filled when it settles */
} events_op;

typedef struct events_callbacks {
    void (*log)(void *ctx, const char *message);
    void (*settled)(void *ctx); /* every event fired and every operation settled */
} events_callbacks;

/* What the events act on. */
typedef struct events_wiring {
    const ecsim_scenario *sc;
    ecsim_engine *eng;
    registry *registry;
    service *service;
    platform *platform;       /* the cluster's faults; whether a deployment rolls back */
    ecsim_timeline *timeline;
    lifecycle *lifecycle;
    ecsim_summary *summary;
} events_wiring;

/* Schedule every event at or before the end of the run. NULL on OOM. */
events *events_create(const events_wiring *w, const events_callbacks *cb, void *ctx);
void events_destroy(events *es);

/* Re-check which operations have settled (the owner calls it on changes). */
void events_check_settled(events *es);
/* The operations so far, in firing order. */
int events_op_count(const events *es);
const events_op *events_op_at(const events *es, int i);
/* The operation that started deployment index `dp`, or NULL. */
const events_op *events_op_of_deployment(const events *es, int dp);
/* Scenario events not fired yet. */
int events_pending(const events *es);
/* An allocation failed in an event handler. */
bool events_oom(const events *es);

#endif
