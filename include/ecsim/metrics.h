/* CloudWatch-like metrics and alarms.
 *
 * Metrics. Time is cut into periods [k P, (k+1) P) of the monitoring
 * period P (default 60 s). The simulation feeds samples; at the end of a
 * period the samples are aggregated into one datapoint per metric (their
 * time-weighted average, with minimum, maximum and total weight), the way
 * the ECS agent sends one datapoint per minute aggregating several samples
 * (reference §7, [C2]). A period without samples has no datapoint
 * ("missing"), as CloudWatch shows nothing when no task reports. The
 * datapoint of period k becomes visible at (k+1) P + U(lag_min, lag_max),
 * one draw per period from the stream "metrics.lag" (reference §7,
 * "Simulator defaults"), and queries at time t see only what is visible
 * at t.
 *
 * Alarms (ecsim_metric_alarm: CloudWatch's "metric alarm"; the name keeps
 * clear of policy.h's datapoint-array helper ecsim_alarm_evaluate). A
 * CloudWatch metric alarm over one metric: comparison, threshold,
 * period (a multiple of P), statistic, M of N datapoints, missing-data
 * treatment, states OK / ALARM / INSUFFICIENT_DATA. The target-tracking
 * pair of reference §1.2 is ecsim_metric_alarm_config_tt_high / _tt_low. */
#ifndef ECSIM_METRICS_H
#define ECSIM_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ecsim/scenario.h"

/* ---- metrics ----------------------------------------------------------------- */

/* Built-in metric ids: the values of ecsim_metric_kind (scenario.h), so an
 * autoscaler's `metric` is directly an id. More may be registered. */
enum {
    ECSIM_METRIC_ID_CPU = ECSIM_METRIC_CPU,       /* CPUUtilization, % */
    ECSIM_METRIC_ID_MEMORY = ECSIM_METRIC_MEMORY, /* MemoryUtilization, % */
    ECSIM_METRIC_ID_REQUESTS_PER_TARGET = ECSIM_METRIC_REQUESTS_PER_TARGET, /* per minute */
    ECSIM_METRIC_BUILTIN_COUNT = 3
};

#define ECSIM_METRIC_NAME_MAX 48
/* Samples may be added at most this many periods ahead of the oldest open
 * period (bounds memory against a stray far-future time). */
#define ECSIM_METRICS_MAX_AHEAD ((int64_t)1 << 20)

typedef struct ecsim_metrics ecsim_metrics;

/* One aggregated datapoint. */
typedef struct ecsim_datapoint {
    int64_t period;   /* k: covers [k P, (k+1) P) */
    double start_s;   /* k P */
    double value;     /* time-weighted average: sum(value x weight) / sum(weight) */
    double minimum;   /* smallest sample value */
    double maximum;   /* largest sample value */
    double weight;    /* sum of sample weights (seconds for levels) */
    double publish_s; /* when it becomes visible */
} ecsim_datapoint;

typedef enum ecsim_datapoint_status {
    ECSIM_DP_PUBLISHED, /* closed, has samples, visible at the query time */
    ECSIM_DP_PENDING,   /* not visible yet: period still open, or closed but published later */
    ECSIM_DP_MISSING    /* closed without samples (or before time 0): never published */
} ecsim_datapoint_status;

/* A metric store for the monitoring spec (period_s > 0, 0 <= lag_min_s <=
 * lag_max_s, all finite) and scenario seed; the built-in metrics cpu,
 * memory and requests_per_target are registered. NULL on OOM or invalid
 * spec. */
ecsim_metrics *ecsim_metrics_create(const ecsim_monitoring_spec *spec, uint64_t seed);
void ecsim_metrics_destroy(ecsim_metrics *m);

/* Register another metric; returns its id (>= ECSIM_METRIC_BUILTIN_COUNT)
 * or ECSIM_ENOMEM / ECSIM_EINVAL (empty or too long name, or the name is
 * taken). */
int ecsim_metrics_register(ecsim_metrics *m, const char *name);
/* Number of metrics (ids are 0 .. count-1). */
int ecsim_metrics_count(const ecsim_metrics *m);
/* The metric's name ("cpu", "memory", "requests_per_target", or the
 * registered one); "?" for an unknown id. */
const char *ecsim_metrics_name(const ecsim_metrics *m, int metric_id);
/* The id of a name, or ECSIM_ENOENT. */
int ecsim_metrics_find(const ecsim_metrics *m, const char *name);

double ecsim_metrics_period_s(const ecsim_metrics *m);

/* Add one sample: `value` held with weight `weight` (> 0, e.g. the seconds
 * it held) in the period containing t_s (period k = floor(t_s / P); stamp a
 * per-period average with a time inside its period, e.g. its start). 0, or
 * ECSIM_EINVAL (bad id, value or weight not finite, weight <= 0, t_s < 0),
 * ECSIM_ESTATE (that period is already closed), ECSIM_ERANGE (more than
 * ECSIM_METRICS_MAX_AHEAD periods after the oldest open one), ECSIM_ENOMEM. */
int ecsim_metrics_add_sample(ecsim_metrics *m, int metric_id, double t_s, double value,
                             double weight);

/* Piecewise-constant input: from t_s on the metric holds `value` (NAN:
 * "no data" from t_s on, e.g. no task running). The previous level is
 * accumulated over [previous t, t_s) split at period boundaries, with
 * weight = seconds. Times must not decrease per metric. 0, or ECSIM_EINVAL
 * (bad id, t_s < 0 or before the previous level's time, value infinite),
 * ECSIM_ESTATE (t_s in a closed period), ECSIM_ERANGE, ECSIM_ENOMEM. */
int ecsim_metrics_set_level(ecsim_metrics *m, int metric_id, double t_s, double value);

/* Close the oldest open period (index ecsim_metrics_closed_count()):
 * levels are accumulated up to its end, its datapoints computed, its
 * publication time drawn (one draw per period, whether or not it has data,
 * so the stream does not depend on what the simulation did). 0 or
 * ECSIM_ENOMEM. */
int ecsim_metrics_close_period(ecsim_metrics *m);

/* Close, in order, every period whose end (k+1) P is <= t_s. 0 or
 * ECSIM_ENOMEM. */
int ecsim_metrics_close_until(ecsim_metrics *m, double t_s);

/* Number of closed periods (periods 0 .. count-1 are closed). */
int64_t ecsim_metrics_closed_count(const ecsim_metrics *m);

/* Status of period k of a metric as seen at time t_s; *out (may be NULL)
 * receives the datapoint when the status is ECSIM_DP_PUBLISHED, or when
 * PENDING after closing (value known, publish_s > t_s). */
ecsim_datapoint_status ecsim_metrics_lookup(const ecsim_metrics *m, int metric_id, int64_t period,
                                            double t_s, ecsim_datapoint *out);

/* The datapoints of a metric visible at t_s, oldest first: copies the
 * newest min(max, visible) of them into out[] and returns how many it
 * copied. Publication lags differ per period, so a datapoint may be
 * visible while an older one is not yet. */
size_t ecsim_metrics_published(const ecsim_metrics *m, int metric_id, double t_s,
                               ecsim_datapoint *out, size_t max);

/* The newest visible datapoint (highest period) at t_s: 0, or
 * ECSIM_ENOENT if none is visible (or bad id). */
int ecsim_metrics_latest(const ecsim_metrics *m, int metric_id, double t_s, ecsim_datapoint *out);

/* ---- alarms ------------------------------------------------------------------- */

/* The values equal those of ecsim_alarm_state in policy.h (which adds
 * NA = 0), so a simulation can pass a state to a policy's decision record
 * with a cast. */
typedef enum ecsim_metric_alarm_state {
    ECSIM_METRIC_ALARM_OK = 1,
    ECSIM_METRIC_ALARM_ALARM = 2,
    ECSIM_METRIC_ALARM_INSUFFICIENT_DATA = 3
} ecsim_metric_alarm_state;

typedef enum ecsim_comparison {
    ECSIM_CMP_GREATER,          /* GreaterThanThreshold */
    ECSIM_CMP_GREATER_OR_EQUAL, /* GreaterThanOrEqualToThreshold */
    ECSIM_CMP_LESS,             /* LessThanThreshold */
    ECSIM_CMP_LESS_OR_EQUAL     /* LessThanOrEqualToThreshold */
} ecsim_comparison;

typedef enum ecsim_treat_missing {
    ECSIM_MISSING_MISSING, /* default */
    ECSIM_MISSING_NOT_BREACHING,
    ECSIM_MISSING_BREACHING,
    ECSIM_MISSING_IGNORE
} ecsim_treat_missing;

typedef enum ecsim_statistic {
    ECSIM_STAT_AVERAGE, /* default (target tracking uses Average, reference §1.2) */
    ECSIM_STAT_MINIMUM,
    ECSIM_STAT_MAXIMUM,
    ECSIM_STAT_SUM /* sum of the metric datapoints' values in the alarm period */
} ecsim_statistic;

typedef struct ecsim_metric_alarm_config {
    char name[ECSIM_METRIC_NAME_MAX]; /* for the decision log; may be "" */
    int metric_id;
    ecsim_comparison comparison;
    double threshold;
    double period_s; /* a multiple of the metrics period; 0 = the metrics period */
    ecsim_statistic statistic;
    int evaluation_periods;  /* N >= 1 */
    int datapoints_to_alarm; /* M in 1..N; 0 = N */
    ecsim_treat_missing treat_missing;
    /* Extra older periods CloudWatch retrieves beyond N (the "evaluation
     * range"), so that late or missing newest datapoints are replaced by
     * older real ones. MODEL: the CloudWatch docs' example alarm with 3
     * evaluation periods shows 5 datapoints, so the default is 2. */
    int evaluation_range_extra;
} ecsim_metric_alarm_config;

/* Defaults: metric cpu, >, threshold 0, period 0 (= metrics period),
 * Average, 1 of 1, missing, range extra 2, name "". */
void ecsim_metric_alarm_config_defaults(ecsim_metric_alarm_config *cfg);

/* Target tracking's scale-out alarm: `metric` > target, 60 s, 3 of 3,
 * Average, missing (reference §1.2, AlarmHigh, OBS). */
void ecsim_metric_alarm_config_tt_high(ecsim_metric_alarm_config *cfg, int metric_id,
                                       double target);

/* Target tracking's scale-in alarm: `metric` < low_ratio x target, 60 s,
 * 15 of 15, Average, missing (reference §1.2, AlarmLow; low_ratio 0.9 is
 * OBS, pass it from the scenario). */
void ecsim_metric_alarm_config_tt_low(ecsim_metric_alarm_config *cfg, int metric_id, double target,
                                      double low_ratio);

/* One datapoint an evaluation considered. */
typedef struct ecsim_metric_alarm_point {
    int64_t alarm_period; /* index j of [j Pa, (j+1) Pa), Pa = alarm period */
    double start_s;
    double value;   /* the statistic (NAN when missing) */
    bool missing;   /* no visible datapoint for this alarm period */
    bool breaching; /* real and breaching, or missing treated as breaching */
    bool used;      /* counted in the M-of-N decision */
} ecsim_metric_alarm_point;

/* The outcome of one evaluation, for the decision log. `points` is owned by
 * the alarm and valid until its next evaluation or destruction. */
typedef struct ecsim_metric_alarm_result {
    ecsim_metric_alarm_state state;
    ecsim_metric_alarm_state previous;      /* the state before this evaluation */
    int real;                               /* real datapoints in the evaluation range */
    int breaching;                          /* breaching datapoints among those used */
    int needed;                             /* breaching datapoints needed for ALARM */
    const ecsim_metric_alarm_point *points; /* the evaluation range, oldest first */
    size_t point_count;
    char reason[160]; /* in words, e.g. "3 of 3 datapoints > 60" */
} ecsim_metric_alarm_result;

typedef struct ecsim_metric_alarm ecsim_metric_alarm;

/* A new alarm in state INSUFFICIENT_DATA (as CloudWatch creates them), or
 * NULL on OOM or invalid config (N < 1, M > N, threshold not finite,
 * period_s not 0 nor a positive multiple of the metrics period — checked at
 * evaluation against the metrics given; here only that it is >= 0). */
ecsim_metric_alarm *ecsim_metric_alarm_create(const ecsim_metric_alarm_config *cfg);
void ecsim_metric_alarm_destroy(ecsim_metric_alarm *alarm);

const ecsim_metric_alarm_config *ecsim_metric_alarm_get_config(const ecsim_metric_alarm *alarm);
ecsim_metric_alarm_state ecsim_metric_alarm_get_state(const ecsim_metric_alarm *alarm);

/* Evaluate at time t_s using only the datapoints visible at t_s, update and
 * return the alarm's state, and describe the evaluation in *result (may be
 * NULL). If the alarm period is not a multiple of the metrics period the
 * state is INSUFFICIENT_DATA with a reason saying so.
 *
 * The exact rule (CloudWatch "evaluation range" semantics, [C1]):
 *  1. Alarm period j covers [j Pa, (j+1) Pa); the evaluation range is the
 *     N + extra newest alarm periods that have ended by t_s. Each one's
 *     value is the statistic of the metric datapoints in it that are
 *     visible at t_s; with none it is missing.
 *  2. If the range holds >= N real values, the newest N real ones are used
 *     and the treatment of missing data does not matter: ALARM if at least
 *     M breach, else OK.
 *  3. Otherwise (r < N real values) CloudWatch uses missing datapoints "as
 *     few times as possible": the r real values plus N - r missing ones
 *     filled by the treatment (the newest missing periods):
 *     breaching / not_breaching: fills count as breaching / not breaching;
 *       ALARM if at least M of the N breach, else OK;
 *     ignore: r = 0 -> the state is kept; otherwise ALARM if the real
 *       values alone have >= M breaching, OK if they alone make M
 *       impossible (non-breaching > N - M), else the state is kept;
 *     missing: r = 0 -> INSUFFICIENT_DATA; otherwise the r real values are
 *       evaluated alone: ALARM if at least min(M, r) of them breach, else
 *       OK. (So a 15-of-15 alarm with one real breaching datapoint and the
 *       rest missing goes to ALARM: our reading of CloudWatch's missing-data
 *       table, MODEL.) */
ecsim_metric_alarm_state ecsim_metric_alarm_evaluate(ecsim_metric_alarm *alarm,
                                                     const ecsim_metrics *m, double t_s,
                                                     ecsim_metric_alarm_result *result);

/* "OK", "ALARM", "INSUFFICIENT_DATA". */
const char *ecsim_metric_alarm_state_name(ecsim_metric_alarm_state state);
/* ">", ">=", "<", "<=". */
const char *ecsim_comparison_symbol(ecsim_comparison cmp);
/* "missing", "notBreaching", "breaching", "ignore" (CloudWatch spelling). */
const char *ecsim_treat_missing_name(ecsim_treat_missing t);

/* Does `value` breach `threshold` under `cmp`? */
bool ecsim_metric_alarm_breaches(ecsim_comparison cmp, double value, double threshold);

#endif
