/* The figures of one run's summary.json (DESIGN.md "Outputs of ecsim
 * run"), filled by the model's modules as the run goes (sim/model/summary.c
 * sets the starting values). The reports read them through
 * ecsim_sim_summary() (include/ecsim/sim.h). */
#ifndef ECSIM_SUMMARY_H
#define ECSIM_SUMMARY_H

#include <stdint.h>

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
    double unserved_requests;   /* from service creation (under_capacity_s likewise) */
    /* The same two figures counted from the moment the service first reached
     * steady state (step 5), over the timeline's metric periods that start at
     * or after it; NaN (null) when step 5 was never reached. Steps 5, 6 and
     * End report these (sim/model/sim.c describe_shortfall). */
    double under_capacity_after_steady_s;
    double unserved_after_steady_requests;
    double over_provisioned_task_hours;
    double task_hours;
    double cost_total, cost_compute, cost_control_plane, cost_registry; /* total = the sum */
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

/* Zero counts; NaN for the figures that stay "not set" until something
 * happens (first scale-out, the after-steady figures); min / max desired at
 * `desired`. */
void ecsim_summary_init(ecsim_summary *s, int desired);

#endif
