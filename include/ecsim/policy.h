/* Autoscaling policies: pure, exact calculators and the simulation-facing
 * policy interface.
 *
 * Three layers, from the inside out:
 *
 *  1. Pure calculators, one per policy (target tracking, step scaling,
 *     scheduled actions, Kubernetes HPA, predictive). They take a config, a
 *     state the caller keeps between calls, and an observation, and return a
 *     decision; they allocate nothing except the optional explanation
 *     (ecsim_steps). `ecsim decide` and the simulation both call these, so
 *     the rules exist once (DESIGN.md "ecsim decide").
 *  2. A table of functions per policy (ecsim_policy_ops) registered by name
 *     in sim/policy/policy.c: the simulation creates a policy from an
 *     ecsim_policy_config, feeds it an ecsim_policy_obs at each evaluation
 *     and receives an ecsim_decision (one row of decisions.csv).
 *  3. `ecsim decide`: ecsim_decide_load() (the YAML edge, sim/cli/decide_input.c)
 *     and ecsim_decide_main() (sim/cli/decide.c).
 *
 * Semantics: ../shared/reference/aws-k8s-semantics.md §1.2-1.5 and §5.1-5.3.
 * Every value the reference marks OBS or MODEL is a config field with the
 * reference's value as its default. Times are seconds of virtual time;
 * "remaining" cooldowns are seconds left. Replica counts are ints.
 * Kubernetes quantities (request_m, usage_m, value_m) are milli-units. */
#ifndef ECSIM_POLICY_H
#define ECSIM_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ecsim/alarm.h"
#include "ecsim/diag.h"
#include "ecsim/scenario.h"

/* ---- shared vocabulary ------------------------------------------------------ */

typedef enum ecsim_scale_action {
    ECSIM_SCALE_NONE,
    ECSIM_SCALE_OUT,
    ECSIM_SCALE_IN
} ecsim_scale_action;

/* "scale_out", "scale_in", "none". */
const char *ecsim_scale_action_name(ecsim_scale_action a);
/* "cpu", "memory", "requests_per_target". */
const char *ecsim_metric_kind_name(ecsim_metric_kind m);

/* The step-by-step explanation of a computation: an owned list of lines.
 * Calculators take an `ecsim_steps *` that may be NULL (no explanation, no
 * allocation: the simulation's hot path). On OOM a line is dropped and
 * `oom` is set; the computation itself never fails because of it. */
typedef struct ecsim_steps {
    char **lines;
    size_t count;
    size_t capacity;
    int oom;
} ecsim_steps;

void ecsim_steps_init(ecsim_steps *s);
/* Forget every line, keep the storage. */
void ecsim_steps_clear(ecsim_steps *s);
void ecsim_steps_free(ecsim_steps *s);
/* Append one line (printf-style; numbers should be formatted with
 * ecsim_fmt_num so that output is locale-independent). NULL `s` is a no-op. */
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
void ecsim_steps_add(ecsim_steps *s, const char *fmt, ...);

/* ---- AWS target tracking (reference §1.2) ------------------------------------ */

typedef struct ecsim_tt_config {
    double target;                 /* TargetValue; required (> 0) */
    ecsim_tt_basis capacity_basis; /* C in ceil(C x m / T): desired count (this library default,
                                      `ecsim decide`) or the RUNNING tasks (a scenario's default,
                                      with the scale-from-zero rule; reference §1.2) */
    ecsim_tt_value metric_value;   /* m: most recent datapoint (default) or the alarm's average */
    int alarm_high_datapoints;     /* AlarmHigh M of N: default 3 of 3 (OBS) */
    int alarm_high_periods;
    int alarm_low_datapoints;      /* AlarmLow: default 15 of 15 (OBS) */
    int alarm_low_periods;
    double scale_in_ratio;         /* AlarmLow threshold = ratio x target; default 0.9 (OBS) */
    double scale_out_cooldown_s;   /* default 300 */
    double scale_in_cooldown_s;    /* default 300 */
    bool disable_scale_in;         /* default false */
} ecsim_tt_config;

/* Fill the reference defaults; `target` is set to `target`. */
void ecsim_tt_config_defaults(ecsim_tt_config *cfg, double target);

/* What a target-tracking policy remembers between evaluations. The caller
 * lets time pass with ecsim_tt_state_advance(). */
typedef struct ecsim_tt_state {
    double scale_out_cooldown_remaining_s;
    int last_scale_out_to;         /* desired count set by the last scale-out */
    double scale_in_cooldown_remaining_s;
    /* The alarms' states after the last evaluation (NA = never evaluated;
     * read by treat-missing-data `ignore`, include/ecsim/alarm.h). */
    ecsim_alarm_state alarm_high_state;
    ecsim_alarm_state alarm_low_state;
} ecsim_tt_state;

/* Subtract `elapsed_s` from both cooldowns (not below 0). */
void ecsim_tt_state_advance(ecsim_tt_state *st, double elapsed_s);

typedef struct ecsim_tt_input {
    int current;                   /* current desiredCount C */
    int min, max;                  /* MinCapacity, MaxCapacity */
    const double *datapoints;      /* one per period, oldest first; NAN = missing */
    size_t datapoint_count;
    bool deployment_in_progress;   /* AAS suspends scale-in (reference §1.1) */
    int measured;                  /* tasks RUNNING at the evaluation: C under basis running */
} ecsim_tt_input;

typedef struct ecsim_tt_result {
    ecsim_alarm_state alarm_high;
    ecsim_alarm_state alarm_low;
    double metric_value;           /* most recent datapoint m (NAN if none) */
    int proposal;                  /* D = ceil(C x m / T), or C when no alarm */
    int desired;                   /* the new desired count (C when no action) */
    ecsim_scale_action action;
    bool scale_in_enabled;         /* !disable_scale_in (for ecsim_tt_combine) */
    char reason[200];
} ecsim_tt_result;

/* One evaluation of the §1.2 MODEL:
 *   AlarmHigh ALARM: D = ceil(C x m / T) (C = 0 => D = 1); during the
 *     scale-out cooldown only D > last_scale_out_to acts; desired =
 *     clamp(D, min, max); a scale-out starts the scale-out cooldown and
 *     cancels the scale-in cooldown.
 *   else AlarmLow ALARM and scale-in allowed (not disabled, no deployment in
 *     progress, no scale-in cooldown): D = ceil(C x m / T); if D < C, desired
 *     = max(D, min) and the scale-in cooldown starts.
 *   INSUFFICIENT_DATA => no action in either direction.
 * Updates `st` when it acts. Returns 0, or ECSIM_EINVAL for a bad config or
 * input (target <= 0, min > max, negative counts). */
int ecsim_tt_evaluate(const ecsim_tt_config *cfg, ecsim_tt_state *st, const ecsim_tt_input *in,
                      ecsim_tt_result *out, ecsim_steps *steps);

/* Several target-tracking policies on one service (reference §1.2): scale
 * out if any says out (the largest desired wins); scale in only if every
 * scale-in-enabled policy says in (the largest, i.e. most conservative,
 * desired wins); otherwise none. Returns the combined desired count and sets
 * *action. n = 0 => current, none. */
int ecsim_tt_combine(const ecsim_tt_result *results, size_t n, int current,
                     ecsim_scale_action *action);

/* One target-tracking policy of a service with several (the main one and
 * autoscaler.target_tracking_policies): the metric it tracks and its config. */
typedef struct ecsim_tt_policy_config {
    ecsim_metric_kind metric;
    ecsim_tt_config tt;
} ecsim_tt_policy_config;

/* ---- AWS step scaling (reference §1.3) ---------------------------------------- */

/* One step; bounds are relative to the alarm threshold. */
typedef struct ecsim_step_adjustment {
    bool has_lower;                /* false = -infinity */
    double lower;
    bool has_upper;                /* false = +infinity */
    double upper;
    int adjustment;                /* ScalingAdjustment */
} ecsim_step_adjustment;

typedef struct ecsim_step_config {
    double threshold;              /* the alarm threshold */
    ecsim_adjustment_type adjustment_type;   /* default change_in_capacity */
    int min_adjustment_magnitude;  /* percent only; default 0 */
    ecsim_aggregation aggregation; /* default average */
    int alarm_datapoints;          /* simulation: alarm M of N; default 1 of 1 (MODEL) */
    int alarm_periods;
    double cooldown_s;             /* default 300 */
    ecsim_step_adjustment steps[ECSIM_STEP_MAX];
    size_t step_count;
} ecsim_step_config;

void ecsim_step_config_defaults(ecsim_step_config *cfg);

/* Check the step list (reference §1.3): at least one step, every bound
 * finite, lower < upper, no step with both bounds null, at most one null
 * lower and one null upper, no overlap and no gap between the sorted
 * intervals, percent type for min_adjustment_magnitude > 0, exact capacity
 * adjustments >= 0. On failure returns ECSIM_EINVAL and writes a sentence
 * into `why` (may be NULL). */
int ecsim_step_config_validate(const ecsim_step_config *cfg, char *why, size_t why_size);

typedef struct ecsim_step_state {
    double cooldown_remaining_s;
    int last_adjustment;           /* capacity change of the last scaling (+ out, - in) */
    ecsim_alarm_state alarm_high_state;  /* the invoking alarms after the last evaluation */
    ecsim_alarm_state alarm_low_state;
} ecsim_step_state;

void ecsim_step_state_advance(ecsim_step_state *st, double elapsed_s);

/* Aggregate the `n` most recent datapoints (oldest first, NAN skipped);
 * NAN if none. */
double ecsim_step_aggregate(ecsim_aggregation agg, const double *datapoints, size_t count,
                            size_t n);

/* The reference's PercentChangeInCapacity rounding: delta = current x pct /
 * 100; > 1 floor, (0, 1) -> 1, (-1, 0) -> -1, < -1 ceil (toward 0); then
 * |delta| raised to min_magnitude (when delta != 0). */
int ecsim_step_percent_delta(int current, double percent, int min_magnitude);

typedef struct ecsim_step_result {
    double metric_value;           /* the aggregated value compared */
    int step_index;                /* matched step, -1 if none */
    int raw_delta;                 /* capacity change of the matched step */
    int applied_delta;             /* after the cooldown rules */
    int proposal;                  /* current + raw_delta (exact: adjustment) */
    int desired;                   /* after cooldown and clamp */
    ecsim_scale_action action;
    char reason[200];
} ecsim_step_result;

/* One invocation of the policy by its breached alarm with the aggregated
 * `metric_value` (reference §1.3): select the step (above the threshold:
 * lower inclusive, upper exclusive; below: lower exclusive, upper inclusive;
 * exactly at the threshold the above-rule is tried first), compute the
 * change, apply the cooldown (scale-out during a scale-out cooldown applies
 * only the excess over last_adjustment; scale-in is blocked during the
 * cooldown; a scale-out during a scale-in cooldown is immediate), clamp to
 * [min, max]. Acting restarts the cooldown and records last_adjustment (the
 * full step change). Returns 0 or ECSIM_EINVAL (invalid config). */
int ecsim_step_evaluate(const ecsim_step_config *cfg, ecsim_step_state *st, int current,
                        int min, int max, double metric_value, ecsim_step_result *out,
                        ecsim_steps *steps);

/* ---- AWS scheduled scaling (reference §1.4) -------------------------------------- */

/* Apply, in list order, every action with from_s < at_s <= to_s: set min
 * and/or max; if current < new min, desired = new min; if current > new
 * max, desired = new max. Not blocked by cooldowns. `*min`, `*max` and
 * `*desired` are read and updated; returns the number of actions applied,
 * or ECSIM_EINVAL if an action would leave min > max. */
int ecsim_scheduled_apply(const ecsim_scheduled_action *actions, size_t count, double from_s,
                          double to_s, int *min, int *max, int *desired, ecsim_steps *steps);

/* ---- Kubernetes HPA (reference §5.1-5.3) -------------------------------------------- */

typedef struct ecsim_hpa_metric_spec {
    ecsim_hpa_metric_type type;
    bool resource_cpu;             /* resource: cpu (true) or memory (false) */
    double target_utilization;     /* resource: percent of request (default 80, §5.1) */
    bool average_value;            /* pods (always), object/external with AverageValue */
    double target_value_m;         /* object/external Value target */
    double target_average_value_m; /* pods / AverageValue target */
} ecsim_hpa_metric_spec;

typedef struct ecsim_hpa_rate_policy {
    bool percent;                  /* Percent (true) or Pods (false) */
    int value;
    double period_s;
} ecsim_hpa_rate_policy;

typedef struct ecsim_hpa_rules {
    double stabilization_window_s;
    ecsim_hpa_select select;
    ecsim_hpa_rate_policy policies[ECSIM_HPA_POLICY_MAX];
    size_t policy_count;
} ecsim_hpa_rules;

typedef struct ecsim_hpa_config {
    int min, max;                  /* minReplicas (default 1; 0 allowed), maxReplicas */
    ecsim_hpa_metric_spec metric;
    double tolerance_up;           /* default 0.1 (§5.1) */
    double tolerance_down;         /* default 0.1 */
    double cpu_initialization_period_s;  /* default 300 */
    double initial_readiness_delay_s;    /* default 30 */
    double downscale_stabilization_s;    /* legacy window; default 300 */
    bool has_behavior;             /* false = legacy path */
    ecsim_hpa_rules scale_up;      /* valid only when has_behavior */
    ecsim_hpa_rules scale_down;
    /* More metrics beside `metric` (the simulation; `ecsim decide` has one):
     * the policy computes each with ecsim_hpa_replicas_for_metric and
     * combines them with ecsim_hpa_combine_metrics. */
    ecsim_hpa_metric_spec more_metrics[ECSIM_HPA_MORE_METRICS_MAX];
    size_t more_metric_count;
} ecsim_hpa_config;

/* Defaults of §5.1 (legacy path, CPU 80 %, min 1, max 10). */
void ecsim_hpa_config_defaults(ecsim_hpa_config *cfg);
/* The behavior defaults of §5.3 (filled only when a behavior is given):
 * scaleUp window 0, Pods 4 / 15 s and Percent 100 / 15 s, Max; scaleDown
 * window = downscale_stabilization_s, Percent 100 / 15 s, Max. */
void ecsim_hpa_rules_default_up(ecsim_hpa_rules *r);
void ecsim_hpa_rules_default_down(ecsim_hpa_rules *r, double downscale_stabilization_s);

typedef enum ecsim_pod_phase {
    ECSIM_POD_RUNNING,
    ECSIM_POD_PENDING,
    ECSIM_POD_FAILED
} ecsim_pod_phase;

/* One pod of the scale target as the HPA sees it. */
typedef struct ecsim_hpa_pod {
    ecsim_pod_phase phase;         /* default running */
    bool deleting;                 /* deletionTimestamp set */
    bool has_metric;               /* a sample exists (usage_m or value_m) */
    double request_m;              /* resource request */
    double usage_m;                /* resource usage sample */
    double value_m;                /* pods-metric sample */
    bool ready;                    /* Ready condition True */
    /* Readiness for CPU (§5.2 groupPods). Without timing the pod counts as
     * started long ago and is unready iff !ready or hot ("hot": within the
     * CPU initialisation period and not ready for a full sample window). */
    bool hot;
    bool has_timing;               /* use the exact upstream rule with these: */
    double start_s;                /* pod startTime */
    double ready_transition_s;     /* Ready condition lastTransitionTime */
    double sample_time_s;          /* metric timestamp */
    double sample_window_s;        /* metric window */
} ecsim_hpa_pod;

/* Sets a running, ready pod with no metric and no timing. */
void ecsim_hpa_pod_init(ecsim_hpa_pod *p);

typedef struct ecsim_hpa_obs {
    double now_s;
    int current;                   /* scale.spec.replicas */
    int status_replicas;           /* status.currentReplicas (AverageValue targets) */
    const ecsim_hpa_pod *pods;
    size_t pod_count;
    bool pods_given;               /* object/external: false = count `current` ready pods */
    double metric_value_m;         /* object value / sum of external series */
} ecsim_hpa_obs;

typedef struct ecsim_hpa_metric_result {
    int replicas;                  /* proposal for this metric */
    double utilization;            /* int utilisation % / average value / value */
    double ratio;                  /* usage ratio first computed */
    double new_ratio;              /* after missing/unready handling (NAN if not needed) */
    int ready_count, unready_count, missing_count, ignored_count;
    char reason[200];
} ecsim_hpa_metric_result;

/* The replica calculation of §5.2 for cfg->metric: groupPods, integer
 * utilisation over pods with samples, inclusive tolerance, missing pods
 * (100 % of request or the target if > 100 on scale-down; target value for
 * pods metrics; 0 on scale-up), unready pods at 0 on scale-up, the
 * direction-flip guard, ceil(ratio x ready pods with metrics). Returns 0,
 * or ECSIM_ENOENT when no usable metric exists (the HPA does not scale;
 * out->reason says why), or ECSIM_EINVAL for a bad spec. */
int ecsim_hpa_replicas_for_metric(const ecsim_hpa_config *cfg, const ecsim_hpa_obs *obs,
                                  ecsim_hpa_metric_result *out, ecsim_steps *steps);

/* Several metrics (reference §5.2, last lines; upstream
 * computeReplicasForMetrics): `rcs[i]` is what ecsim_hpa_replicas_for_metric
 * returned for metric i and `results[i]` its result. The proposal is the
 * largest replicas over the metrics that succeeded (the first of equal
 * ones is *which). If every metric failed, or some failed and that largest
 * proposal is below `current` (a scale-down), returns ECSIM_ENOENT: the HPA
 * does not scale this cycle (*which is then the first failed metric, whose
 * reason explains it). n = 0 => ECSIM_ENOENT. Otherwise 0. */
int ecsim_hpa_combine_metrics(const ecsim_hpa_metric_result *results, const int *rcs, size_t n,
                              int current, int *proposal, size_t *which);

typedef struct ecsim_hpa_record {
    double time_s;
    int value;                     /* recommendation, or replicas changed (> 0) */
} ecsim_hpa_record;

/* The controller's memory for one HPA: recommendations (unstabilised
 * proposals) and, with a behavior only, scale-up / scale-down events. */
typedef struct ecsim_hpa_state {
    ecsim_hpa_record *recommendations;
    size_t rec_count, rec_capacity;
    ecsim_hpa_record *up_events;
    size_t up_count, up_capacity;
    ecsim_hpa_record *down_events;
    size_t down_count, down_capacity;
} ecsim_hpa_state;

void ecsim_hpa_state_init(ecsim_hpa_state *st);
void ecsim_hpa_state_free(ecsim_hpa_state *st);
/* Append a recommendation / a scale event (change > 0 up, < 0 down). 0 or
 * ECSIM_ENOMEM. */
int ecsim_hpa_state_add_recommendation(ecsim_hpa_state *st, double time_s, int replicas);
int ecsim_hpa_state_add_event(ecsim_hpa_state *st, double time_s, int change);

typedef struct ecsim_hpa_result {
    int proposal;                  /* computed (or given) proposal */
    int stabilized;
    int limited;                   /* after the rate limits */
    int desired;                   /* after the min/max clamp: the new spec.replicas */
    bool scaled;                   /* desired != current (a scale event was stored) */
    ecsim_scale_action action;
    char condition[32];            /* DesiredWithinRange, ScaleUpLimit, TooManyReplicas, ... */
    char reason[200];
} ecsim_hpa_result;

/* reconcile() of §5.3 at time now_s with `proposal` (from
 * ecsim_hpa_replicas_for_metric, or given). current == 0 with min != 0
 * disables scaling; current > max => max; current < min => min (no
 * recommendation recorded in these three cases). Otherwise the legacy path
 * (max over recommendations at most downscale_stabilization_s old, which
 * includes one exactly that old, as upstream's Before(cutoff); limit
 * max(2 x current, 4); clamp) or the behavior path (recommendations and
 * events strictly newer than now - window / period; stabilise; rate-limit
 * with the policies; clamp). Records the proposal; with a behavior records
 * the scale event. Returns 0, ECSIM_ENOMEM (state unchanged for the event)
 * or ECSIM_EINVAL. */
int ecsim_hpa_reconcile(const ecsim_hpa_config *cfg, ecsim_hpa_state *st, double now_s,
                        int current, int proposal, ecsim_hpa_result *out, ecsim_steps *steps);

/* Rate limits alone (upstream calculateScaleUpLimitWithScalingRules /
 * calculateScaleDownLimitWithBehaviors), for tests and explanations. */
int ecsim_hpa_scale_up_limit(const ecsim_hpa_rules *r, const ecsim_hpa_state *st, double now_s,
                             int current);
int ecsim_hpa_scale_down_limit(const ecsim_hpa_rules *r, const ecsim_hpa_state *st,
                               double now_s, int current);

/* ---- AWS predictive scaling (reference §1.5) ------------------------------------------ */

typedef struct ecsim_predictive_config {
    ecsim_forecast_method method;
    double target_utilization_pct; /* per-task load at target, % of task capacity; default 60 */
    double task_capacity;          /* load one task carries at 100 %; default 100 (rps) */
    double min_history_s;          /* default 86400 (24 h) */
    double refresh_s;              /* default 21600 (6 h) */
    double resolution_s;           /* default 3600 (hourly) */
    double horizon_s;              /* default 172800 (48 h) */
    double scheduling_buffer_s;    /* default 300; < resolution */
    double season_s;               /* default 86400 (daily) */
    double hw_alpha, hw_beta, hw_gamma; /* Holt-Winters smoothing; default 0.5, 0.05, 0.3 (MODEL) */
} ecsim_predictive_config;

void ecsim_predictive_config_defaults(ecsim_predictive_config *cfg);

typedef struct ecsim_predictive_state {
    bool has_forecast;
    double last_refresh_s;
    double forecast_start_s;       /* start of the first forecast bucket */
    size_t forecast_count;
    double forecast[ECSIM_FORECAST_MAX];   /* load per bucket */
} ecsim_predictive_state;

void ecsim_predictive_state_init(ecsim_predictive_state *st);

/* Forecast `out_count` buckets after the `count` observed buckets `history`
 * (one value per resolution, oldest first), with a season of `season`
 * buckets. Values never below 0. Returns 0 or ECSIM_EINVAL (count <
 * season). */
int ecsim_forecast(ecsim_forecast_method method, const double *history, size_t count,
                   size_t season, double alpha, double beta, double gamma, double *out,
                   size_t out_count);

/* How many of the newest demand values (one per demand_period_s) the
 * forecast reads: the look-back a caller must keep (at most 14 days of
 * buckets and one partial bucket). 0 when the configuration is invalid. */
size_t ecsim_predictive_lookback(const ecsim_predictive_config *cfg, double demand_period_s);

/* The predictive floor at now_s, from the demand history: `demand_total`
 * values were recorded, one per `demand_period_s` from time 0; `demand`
 * holds the newest `demand_count` of them, oldest first (the whole history,
 * or at least ecsim_predictive_lookback() of them). Refreshes the forecast
 * when enough history exists and refresh_s has passed; the capacity for
 * bucket k applies from (bucket start - scheduling buffer); returns the
 * predicted task count ceil(load / (target% / 100 x task_capacity)), or 0
 * when there is no forecast yet or the look-back given is too short (never
 * a reason to scale in). NULL steps allowed. */
int ecsim_predictive_capacity(const ecsim_predictive_config *cfg, ecsim_predictive_state *st,
                              double now_s, const double *demand, size_t demand_count,
                              size_t demand_total, double demand_period_s, ecsim_steps *steps);

/* ---- the simulation-facing interface ------------------------------------------------- */

/* Everything a policy configuration needs; built by
 * ecsim_policy_config_defaults() from the scenario's common autoscaler
 * fields, then refined by the caller. Owned pointer: `scheduled` (may be
 * NULL); ecsim_policy_create copies it. */
typedef struct ecsim_policy_config {
    ecsim_policy_kind kind;
    char metric_name[32];          /* "cpu", "memory", "requests_per_target" */
    ecsim_metric_kind metric;      /* the same, as a kind (default cpu) */
    ecsim_tt_config tt;            /* target_tracking and predictive */
    /* target_tracking: more policies beside (metric, tt), combined with
     * ecsim_tt_combine (reference §1.2). */
    ecsim_tt_policy_config tt_more[ECSIM_TT_MORE_MAX];
    size_t tt_more_count;
    ecsim_step_config step;
    const ecsim_scheduled_action *scheduled;
    size_t scheduled_count;
    ecsim_hpa_config hpa;
    ecsim_predictive_config predictive;
} ecsim_policy_config;

/* Every policy's config from `spec`: the common fields (policy, min, max,
 * metric, target, cooldowns, disable_scale_in) and each policy's section
 * (alarms, step_scaling, scheduled, hpa, predictive). A section left at zero
 * (a spec built with only the common fields) gets the reference's values;
 * the HPA's and predictive's target is spec->target; no steps = +1 at or
 * above the threshold, -1 below (MODEL). cfg->scheduled points INTO
 * spec->scheduled (no copy): `spec` must outlive `cfg` until
 * ecsim_policy_create (which copies the actions). `spec` may be NULL (all
 * defaults, policy none). */
void ecsim_policy_config_defaults(ecsim_policy_config *cfg, const ecsim_autoscaler_spec *spec);

/* Number of ecsim_metric_kind values (cpu, memory, requests_per_target). */
#define ECSIM_POLICY_METRICS 3

/* What the simulation observed at one evaluation. */
typedef struct ecsim_policy_obs {
    double now_s;
    int current;                   /* current desired count */
    int running;                   /* tasks RUNNING */
    int ready;                     /* tasks healthy / receiving load */
    int min, max;                  /* MinCapacity / MaxCapacity now */
    const double *datapoints;      /* published metric datapoints, oldest first; NAN = missing */
    size_t datapoint_count;
    double period_s;               /* their period */
    /* The same per metric (index ecsim_metric_kind) for policies that read
     * several metrics; NULL / 0 = not gathered (then `datapoints` serves
     * the autoscaler's main metric). */
    const double *metric_datapoints[ECSIM_POLICY_METRICS];
    size_t metric_datapoint_count[ECSIM_POLICY_METRICS];
    const ecsim_hpa_pod *pods;     /* per-task samples for HPA: CPU request / usage, value_m */
    const ecsim_hpa_pod *memory_pods; /* the same pods with the memory request / usage in
                                         request_m / usage_m; NULL = use `pods` */
    size_t pod_count;
    bool deployment_in_progress;
    const double *demand;          /* the newest demand_count of the demand_total values of
                                      demand per demand_period_s from t = 0 (predictive; at
                                      least ecsim_predictive_lookback of them) */
    size_t demand_count;
    size_t demand_total;
    double demand_period_s;
} ecsim_policy_obs;

/* One evaluation: one row of decisions.csv. Numbers that do not apply are
 * NAN (empty cells); counts that do not apply are -1. */
typedef struct ecsim_decision {
    double time_s;
    const char *policy;            /* static name */
    char metric[32];
    double value;                  /* metric value used */
    double target;
    ecsim_alarm_state alarm_high;
    ecsim_alarm_state alarm_low;
    int current;
    int proposal;
    int stabilized;
    int limited;
    int clamped;
    ecsim_scale_action action;
    int desired;                   /* the new desired count */
    int min, max;                  /* bounds after the evaluation (scheduled may change them) */
    char reason[256];
    ecsim_steps steps;             /* owned; cleared at each evaluation */
} ecsim_decision;

void ecsim_decision_init(ecsim_decision *d);
/* Reset the per-evaluation fields (keeps the steps' storage). */
void ecsim_decision_reset(ecsim_decision *d);
void ecsim_decision_free(ecsim_decision *d);

/* decisions.csv: header `time_s,policy,metric,value,target,alarm_high,
 * alarm_low,current,proposal,stabilized,limited,clamped,action,desired,
 * reason,steps`; the steps joined by " | ". Fields are quoted when needed
 * (RFC 4180); numbers via ecsim_fmt_num. */
void ecsim_decision_csv_header(FILE *out);
void ecsim_decision_csv_row(FILE *out, const ecsim_decision *d);

struct ecsim_decide_input;

/* How a policy's `validate` reports a problem: the message, located at the
 * first of the dotted paths `path1`, `path2` (may be NULL) that was given. */
typedef void ecsim_policy_report_fn(void *ctx, const char *path1, const char *path2,
                                    const char *message);

/* A policy's table of functions (STYLE.md rule 7). Its name and kind are
 * its registry entry's (sim/policy/policy.c).
 *   create    copies what it needs from the config; NULL on OOM or invalid
 *             config.
 *   evaluate  fills `decision` (already reset); 0 or a negative ECSIM_E*.
 *   destroy   frees what create made.
 *   validate  (may be NULL) checks the policy's own section of a loaded
 *             autoscaler beyond what the schema checks, reporting each
 *             problem through `report`; 0 or ECSIM_ENOMEM. Run for every
 *             policy whatever autoscaler.policy says, as the loader checks
 *             every section.
 *   decide    (may be NULL: `ecsim decide` does not take this policy) runs
 *             one decision of `ecsim decide` (ecsim_decide_run). */
typedef struct ecsim_policy_ops {
    void *(*create)(const ecsim_policy_config *cfg);
    int (*evaluate)(void *impl, const ecsim_policy_obs *obs, ecsim_decision *decision);
    void (*destroy)(void *impl);
    int (*validate)(const ecsim_autoscaler_spec *spec, ecsim_policy_report_fn *report, void *ctx);
    int (*decide)(const struct ecsim_decide_input *in, int *desired, char *reason,
                  size_t reason_size, ecsim_steps *steps);
} ecsim_policy_ops;

/* The ops of each policy, ecsim_policy_NAME_ops for every NAME of
 * ECSIM_POLICY_KINDS (scenario.h), one per sim/policy/policy_NAME.c. */
#define ECSIM_POLICY_OPS_DECLARE_(kind, name) extern const ecsim_policy_ops ecsim_policy_##name##_ops;
ECSIM_POLICY_KINDS(ECSIM_POLICY_OPS_DECLARE_)
#undef ECSIM_POLICY_OPS_DECLARE_

/* The policy registry (sim/policy/policy.c): one entry per kind, in the
 * order of ECSIM_POLICY_KINDS, generated from that list. */
typedef struct ecsim_policy_entry {
    ecsim_policy_kind kind;
    const char *name;              /* "none", "target_tracking", ... */
    const ecsim_policy_ops *ops;
} ecsim_policy_entry;

/* The registry's entries; *count receives how many (ECSIM_POLICY_KIND_COUNT). */
const ecsim_policy_entry *ecsim_policy_registry(size_t *count);
/* The entry of a name or kind; NULL if unknown. */
const ecsim_policy_entry *ecsim_policy_find(const char *name);
const ecsim_policy_entry *ecsim_policy_for_kind(ecsim_policy_kind kind);
/* The name of a kind ("none", "target_tracking", ...); "?" if unknown. */
const char *ecsim_policy_kind_name(ecsim_policy_kind kind);

/* Run every policy's `validate` on `spec` (see ecsim_policy_ops). Returns
 * 0 or ECSIM_ENOMEM. */
int ecsim_policy_validate_spec(const ecsim_autoscaler_spec *spec, ecsim_policy_report_fn *report,
                               void *ctx);
/* The same on a loaded scenario, each problem recorded in `d` as an error
 * located where the loader saw the field (ecsim_scenario_report). Returns 0,
 * ECSIM_EINVAL (errors recorded) or ECSIM_ENOMEM (d->oom set). Callers of
 * the loader run it before using the scenario. */
int ecsim_policy_validate(const ecsim_scenario *sc, ecsim_diags *d);

typedef struct ecsim_policy ecsim_policy;

/* Create the policy cfg->kind; NULL on OOM or invalid config. */
ecsim_policy *ecsim_policy_create(const ecsim_policy_config *cfg);
/* Reset `decision`, set its time / policy / current, and run the policy. */
int ecsim_policy_evaluate(ecsim_policy *p, const ecsim_policy_obs *obs, ecsim_decision *decision);
const char *ecsim_policy_name(const ecsim_policy *p);
void ecsim_policy_destroy(ecsim_policy *p);

/* ---- ecsim decide -------------------------------------------------------------------- */

typedef struct ecsim_decide_record {
    double age_s;
    int value;                     /* replicas (recommendation) or change (event) */
} ecsim_decide_record;

/* The validated content of a decide input file (DESIGN.md "ecsim decide"). */
typedef struct ecsim_decide_input {
    ecsim_policy_kind policy;      /* hpa, target_tracking or step_scaling */
    int current, min, max;
    /* hpa */
    ecsim_hpa_config hpa;
    double metric_value_m;         /* object/external `value` */
    ecsim_hpa_pod *pods;
    size_t pod_count;
    bool pods_given;
    ecsim_decide_record *scale_events;
    size_t scale_event_count;
    ecsim_decide_record *recommendations;
    size_t recommendation_count;
    bool has_proposal;
    int proposal;
    /* target_tracking */
    ecsim_tt_config tt;
    ecsim_tt_state tt_state;
    double *datapoints;
    size_t datapoint_count;
    bool deployment_in_progress;
    /* step_scaling */
    ecsim_step_config step;
    ecsim_step_state step_state;
    double metric_value;
} ecsim_decide_input;

/* Parse and validate a decide file (libyaml; sim/cli/decide_input.c). Every
 * problem is recorded in `d` as FILE:LINE:COLUMN; unknown keys come with a
 * suggestion. Returns 0, ECSIM_EINVAL (see d), ECSIM_EIO (file unreadable,
 * recorded in d) or ECSIM_ENOMEM. `in` must be freed with
 * ecsim_decide_input_free whatever the result. */
int ecsim_decide_load(const char *path, ecsim_decide_input *in, ecsim_diags *d);
/* Same, from memory; `display_name` names the input in diagnostics. */
int ecsim_decide_load_string(const char *text, size_t len, const char *display_name,
                             ecsim_decide_input *in, ecsim_diags *d);
void ecsim_decide_input_free(ecsim_decide_input *in);

/* Run the decision described by `in`: the same calculators the simulation
 * uses. Fills desired, reason and steps (caller-initialised). 0 or an
 * ECSIM_E* code. */
int ecsim_decide_run(const ecsim_decide_input *in, int *desired, char *reason,
                     size_t reason_size, ecsim_steps *steps);

/* `ecsim decide PATH [--format text|json]`: load, run, print to `out`
 * (text: "desired: N", "reason: ...", then one "- step" per line; json:
 * {"desired": N, "reason": "...", "steps": [...]}) and return the exit code:
 * 0 ok, 2 bad input or format (FILE:LINE:COLUMN: error: ... on `err`), 3 I/O
 * error, 1 out of memory. `format` NULL = text. */
int ecsim_decide_main(const char *path, const char *format, FILE *out, FILE *err);

#endif
