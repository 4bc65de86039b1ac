/* Private model of one simulation, shared by the modules that play it:
 * sim.c (orchestration), lifecycle.c (steps and tracked variables),
 * registry.c (images and tags), service.c (tasks, deployments, scheduler),
 * eventlog.c (the ECS-style event log). Nothing outside sim/ sees these
 * structs; the public view is include/ecsim/sim.h. */
#ifndef ECSIM_SIM_INTERNAL_H
#define ECSIM_SIM_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ecsim/cost.h"
#include "ecsim/engine.h"
#include "ecsim/load.h"
#include "ecsim/metrics.h"
#include "ecsim/policy.h"
#include "ecsim/timeline.h"
#include "ecsim/rng.h"
#include "ecsim/scenario.h"
#include "ecsim/sim.h"
#include "registry.h"
#include "service.h"

/* ---- the simulation -------------------------------------------------------------- */

struct ecsim_sim {
    const ecsim_scenario *sc;
    uint64_t seed;
    ecsim_engine *eng;
    registry *registry;           /* the ECR repository (registry.h) */
    struct sim_cluster *cluster;  /* ec2 / eks: instances and their scaling (cluster.c); NULL on Fargate */
    service *service;             /* tasks, deployments, the scheduler (service.h) */

    struct lifecycle *lc;         /* steps and tracked variables (lifecycle.h) */
    ecsim_tracked *now;           /* lifecycle_now(lc) */
    int reported_step;        /* highest step handed out by ecsim_sim_advance */
    int advance_target;       /* ecsim_sim_advance stops when last_step reaches this */
    bool image_built;
    bool image_in_registry;
    bool done;
    bool failed_deploy;
    bool monitor_scheduled;   /* step 6's publication event is scheduled */

    ecsim_summary summary;

    struct events *events;        /* the scenario's operations and faults (events.h) */
    bool monitor_published;   /* step 6's first datapoint is out */
    char monitor_text[320];   /* what CloudWatch did, for step 6 */
    double last_fail_marker_s; /* task_failed plot markers: at most one a minute */

    /* running and scaling (scaling.c) */
    ecsim_load *load;
    ecsim_metrics *metrics;
    ecsim_timeline *timeline;
    ecsim_policy *policy;
    ecsim_policy_config policy_cfg;
    ecsim_decision decision;
    int scale_min, scale_max;     /* MinCapacity / MaxCapacity now (scheduled actions move them) */
    FILE *decisions_fp;           /* decisions.csv so far: a temporary file */
    double *demand_history;       /* mean demand per metric period, for predictive */
    ecsim_hpa_pod *pods;          /* the HPA's view of the tasks, one per live task */
    ecsim_hpa_pod *memory_pods;
    size_t pod_capacity;
    size_t demand_count, demand_capacity;
    int64_t period_index;         /* the metric period being accumulated */
    struct {                      /* integrals over the current period (per fluid step) */
        double seconds, demand, capacity, served, unserved, cpu, cpu_seconds, memory;
    } acc;
    double last_fluid_s;
    double cost_stopped_usd;      /* Fargate: every STOPPED task's cost, added at its stop */
    double cost_prefix_usd;       /* Fargate: tasks [0, cost_prefix_count) in id order (all STOPPED) */
    size_t cost_prefix_count;
    double shortfall_since_s;     /* start of the current shortfall episode, NaN if none */
    struct requests_model *requests; /* requests mode (sim/model/requests.h); NULL in fluid mode */

    struct eventlog *log;         /* events.log (eventlog.h) */
    int oom;
};

/* scaling.c: load, metrics, policy, timeline, cost */
int scaling_init(ecsim_sim *sim, FILE *err);
void scaling_free(ecsim_sim *sim);
/* Start the fluid accounting and the policy evaluations (service created). */
void scaling_start(ecsim_sim *sim);
/* Close the metric period that ends now: metrics, timeline row. */
void scaling_period_end(ecsim_sim *sim);
/* The task set changed (a task started, became healthy, stopped...). */
void scaling_tasks_changed(ecsim_sim *sim);
/* Summary figures and cost at the end of the run. */
void scaling_finish(ecsim_sim *sim);
/* The policy's target when its metric is CPU (for plots), else NaN. */
double scaling_cpu_target(const ecsim_sim *sim);

/* sim.c: a line of the event log at the current time. */
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
void sim_log(ecsim_sim *sim, const char *fmt, ...);
#define sim_fmt_clock ecsim_fmt_clock

#include "lifecycle.h"

/* scaling.c: a task reached STOPPED (cost accounting). */
void scaling_task_stopped(ecsim_sim *sim, const service_task *t);

#endif
