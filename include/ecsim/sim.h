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

#include "ecsim/scenario.h"

typedef struct ecsim_sim ecsim_sim;

/* The lifecycle steps of the seed's Process Table. */
enum {
    ECSIM_STEP_PACKAGE = 1,   /* build the image */
    ECSIM_STEP_PUSH = 2,      /* push it to the registry */
    ECSIM_STEP_PROVISION = 3, /* create the service */
    ECSIM_STEP_DEPLOY = 4,    /* deploy tasks from the image */
    ECSIM_STEP_RUN = 5,       /* run and scale */
    ECSIM_STEP_MONITOR = 6,   /* monitor and update */
    ECSIM_STEP_END = 7,
    ECSIM_STEP_COUNT = 7
};

/* The tracked variables of the status tracker at one moment. */
typedef struct ecsim_tracked {
    char image[64];           /* "App Container Image": None, Created, Stored in AWS Registry, ... */
    char infrastructure[64];  /* "AWS Infrastructure": Not used, Provisioned for service, ... */
    char deployment[48];      /* rollout state: "—", "In progress", "Completed", "Failed", "Rolled back" */
    int desired;              /* service desired count */
    int running;              /* tasks RUNNING */
    double demand_rps;
    double capacity_rps;      /* ready (healthy) tasks x per-task capacity */
} ecsim_tracked;

/* One row of the execution table, with what step mode explains. */
typedef struct ecsim_step_record {
    int step;                 /* 1..ECSIM_STEP_COUNT */
    bool reached;             /* false: the run never got there (shown as "—") */
    bool failed;              /* the step happened and failed */
    double time_s;            /* when the step completed (or failed) */
    char action[96];          /* the seed's Action column */
    char role[128];           /* the seed's AWS role column */
    char result[320];         /* the seed's Result column, with this run's facts */
    char user_did[192];       /* step mode: what the user did */
    char aws_did[640];        /* step mode: what AWS did, in this run */
    char why[400];            /* step mode: why the step matters (seed's Key Moments) */
    char fix[320];            /* step mode, failures: what the user should change ("" if none) */
    ecsim_tracked after;      /* tracked variables after the step */
} ecsim_step_record;

/* Figures of summary.json (DESIGN.md "Outputs of ecsim run"). */
typedef struct ecsim_summary {
    char outcome[32];         /* running | deployment_failed | not_deployed | ... */
    double duration_s;
    int scaling_actions, scale_outs, scale_ins;
    double first_scale_out_s; /* NaN if none */
    int max_desired, min_desired;
    double under_capacity_s;
    int shortfall_episodes;   /* times demand rose above the capacity of ready tasks */
    double time_to_capacity_total_s; /* summed length of those episodes */
    double max_time_to_capacity_s;   /* the longest: demand step -> enough capacity */
    double unserved_requests;
    double over_provisioned_task_hours;
    double task_hours;
    double cost_total, cost_compute, cost_registry;
    double vcpu_hours, gb_hours, instance_hours;
    uint64_t events_dispatched;
    int tasks_started, tasks_failed; /* tasks_failed: stopped before RUNNING (TaskFailedToStart) */
    int deployments, deployments_failed, rollbacks;
    int tasks_replaced;       /* stopped after RUNNING by a failure (crash, health checks,
                                 kill, AZ outage, Spot interruption) and replaced */
    int updates, updates_failed; /* deployments after the first (scenario `deploy` events) */
    /* Requests mode (zero counts and NaN figures in fluid mode). Every
     * arrival is served, rejected (no ready task or queue full: a 503),
     * timed out (waited longer than the timeout), failed (in service on a
     * task that stopped abruptly), or still in the system at the end. */
    uint64_t requests_arrived, requests_served, requests_rejected, requests_timed_out;
    uint64_t requests_failed;
    double latency_mean_s, latency_p50_s, latency_p95_s, latency_p99_s, latency_max_s;
    double wait_mean_s;       /* queueing delay before service, over served requests */
    double slo_p99_s;         /* load.requests.slo_p99; 0 = no SLO */
    double slo_breach_s;      /* time in metric periods whose p99 (timeline.csv p99_ms) was
                                 above slo_p99_s; periods with no completed request do not
                                 count */
} ecsim_summary;

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
