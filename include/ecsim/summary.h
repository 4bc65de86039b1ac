/* The figures of one run's summary.json (DESIGN.md "Outputs of ecsim
 * run"), filled by the model's modules as the run goes (sim/model/summary.c
 * sets the starting values). The reports read them through
 * ecsim_sim_summary() (include/ecsim/sim.h). */
#ifndef ECSIM_SUMMARY_H
#define ECSIM_SUMMARY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ecsim/scenario.h"

/* The figures of one time window (report.windows, --window): the whole-run
 * figures of the same names restricted to the window (from_s, to_s], with
 * the same definitions, accumulated as the run goes (never by a rescan):
 *   - an interval of the fluid integration or a requests segment counts
 *     when it lies in [from_s, to_s] (windows sit on metric-period
 *     boundaries and intervals never cross one, so each is in or out);
 *   - a metric period (SLO breach, latency histogram) counts when it ends
 *     in (from_s, to_s];
 *   - an instant (a scaling action, a desired count) counts in (from_s,
 *     to_s], an instant at 0 in a window from 0;
 *   - task-hours: each task's RUNNING span clipped to the window;
 *   - cost: the cost accrued from from_s to to_s (compute, control plane
 *     and registry storage so far), the run's total at the end.
 * A window over the whole run has exactly the whole-run figures. */
typedef struct ecsim_window_figures {
    char name[ECSIM_WINDOW_NAME_MAX];
    double from_s, to_s;
    int scaling_actions, scale_outs, scale_ins;
    double first_scale_out_s;     /* NaN if none in the window */
    int max_desired, min_desired; /* over the desired counts held in the window */
    bool desired_seen;            /* (bookkeeping) the value held at from_s is in max/min */
    double under_capacity_s, unserved_requests, over_provisioned_task_hours;
    double task_s; /* task-seconds; task_hours = task_s / 3600 at the end */
    double task_hours;
    double cost_from_usd, cost_to_usd; /* cumulative cost at the bounds (NaN until known) */
    double cost_total;
    uint64_t requests_arrived, requests_served, requests_rejected, requests_timed_out;
    uint64_t requests_failed;
    double latency_mean_s, latency_p50_s, latency_p95_s, latency_p99_s, latency_max_s;
    double slo_breach_s;
} ecsim_window_figures;

/* Figures of summary.json (DESIGN.md "Outputs of ecsim run"). */
typedef struct ecsim_summary {
    char outcome[32]; /* running | deployment_failed | not_deployed | ... */
    double duration_s;
    int scaling_actions, scale_outs, scale_ins;
    double first_scale_out_s; /* NaN if none */
    int max_desired, min_desired;
    double under_capacity_s;
    int shortfall_episodes;          /* times demand rose above the capacity of ready tasks */
    double time_to_capacity_total_s; /* summed length of those episodes */
    double max_time_to_capacity_s;   /* the longest: demand step -> enough capacity */
    double unserved_requests;        /* from service creation (under_capacity_s likewise) */
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
    int tasks_replaced;          /* stopped after RUNNING by a failure (crash, health checks,
                                    kill, AZ outage, Spot interruption) and replaced */
    int updates, updates_failed; /* deployments after the first (scenario `deploy` events) */
    /* Requests mode (zero counts and NaN figures in fluid mode). Every
     * arrival is served, rejected (no ready task or queue full: a 503),
     * timed out (waited longer than the timeout), failed (in service on a
     * task that stopped abruptly), or still in the system at the end. */
    uint64_t requests_arrived, requests_served, requests_rejected, requests_timed_out;
    uint64_t requests_failed;
    double latency_mean_s, latency_p50_s, latency_p95_s, latency_p99_s, latency_max_s;
    double wait_mean_s;  /* queueing delay before service, over served requests */
    double slo_p99_s;    /* load.requests.slo_p99; 0 = no SLO */
    double slo_breach_s; /* time in metric periods whose p99 (timeline.csv p99_ms) was
                            above slo_p99_s; periods with no completed request do not
                            count */
    /* Policy evaluations, and those that changed nothing and crossed no
     * boundary (left out of decisions.csv unless report.decisions: all). */
    uint64_t evaluations, quiet_evaluations;
    int desired_now; /* (bookkeeping) the desired count last noted */
    ecsim_window_figures windows[ECSIM_WINDOWS_MAX];
    size_t window_count;
} ecsim_summary;

/* Zero counts; NaN for the figures that stay "not set" until something
 * happens (first scale-out, the after-steady figures); min / max desired at
 * `desired`. */
void ecsim_summary_init(ecsim_summary *s, int desired);

/* Set up the run's windows (at most ECSIM_WINDOWS_MAX are kept). */
void ecsim_summary_set_windows(ecsim_summary *s, const ecsim_window_spec *w, size_t n);

/* Does window `w` hold the interval [t0, t1] (t0 == t1: the instant)? See
 * the rules above. */
bool ecsim_window_holds(const ecsim_window_figures *w, double t0, double t1);

/* Capacity figures over [t0, t1]: under-capacity seconds, unserved
 * requests, over-provisioned task-hours, added to the whole run and to
 * each window that holds the interval, in the same order, so a whole-run
 * window sums the same terms. */
void ecsim_summary_add_capacity(ecsim_summary *s, double t0, double t1, double under_s,
                                double unserved, double over_task_hours);

/* A scaling action at `t_s` (desired from `current` to `desired`). */
void ecsim_summary_note_action(ecsim_summary *s, double t_s, int current, int desired);

/* The desired count became `desired` at `t_s` (a scaling action or an
 * operation): max / min desired of the run and of its windows. */
void ecsim_summary_note_desired(ecsim_summary *s, double t_s, int desired);

/* Requests mode: one accounting segment [t0, t1]'s request counts. */
void ecsim_summary_add_requests(ecsim_summary *s, double t0, double t1, uint64_t arrived,
                                uint64_t served, uint64_t rejected, uint64_t timed_out,
                                uint64_t failed);

/* A task's RUNNING span [from_s, to_s) (to the end when still running):
 * its task-seconds in each window. */
void ecsim_summary_add_task_span(ecsim_summary *s, double from_s, double to_s);

/* The cumulative cost reached `cost_usd` at `t_s` (a metric-period end):
 * the windows starting or ending then keep it. */
void ecsim_summary_note_cost(ecsim_summary *s, double t_s, double cost_usd);

/* End of the run at `end_s`: close every window (desired held through,
 * cost at the end = the run's cost_total, task-hours). Call after the
 * whole-run figures are final. */
void ecsim_summary_finish_windows(ecsim_summary *s, double end_s);

#endif
