/* CloudWatch-like metrics: per-period datapoints and their publication.
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
 * The alarms that read these datapoints are evaluated by the policies
 * (include/ecsim/alarm.h); this module only produces the datapoints. */
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
/* The look-back kept: the datapoints of at least this many periods before
 * the newest published one (plus every datapoint not yet published), per
 * metric; older ones are forgotten, so memory does not grow with the run.
 * The simulation's policies read at most this many (sim/model/scaling.c,
 * POLICY_WINDOW; the alarms' evaluation periods are capped by it). */
#define ECSIM_METRICS_HISTORY 64
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
 * PENDING after closing (value known, publish_s > t_s). A closed period
 * older than the history kept (ECSIM_METRICS_HISTORY) reads as MISSING. */
ecsim_datapoint_status ecsim_metrics_lookup(const ecsim_metrics *m, int metric_id, int64_t period,
                                            double t_s, ecsim_datapoint *out);

/* Periods first .. last of a metric as seen at t_s, in one pass: out[i]
 * (last - first + 1 entries) is the value of period first + i when
 * ecsim_metrics_lookup would say ECSIM_DP_PUBLISHED, NAN otherwise (missing,
 * pending, fallen off the history). O(log history + count). Returns the
 * number of entries written (0 when first > last or the metric is
 * unknown). */
size_t ecsim_metrics_window(const ecsim_metrics *m, int metric_id, int64_t first, int64_t last,
                            double t_s, double *out);

/* The datapoints of a metric visible at t_s, oldest first: copies the
 * newest min(max, visible) of them into out[] and returns how many it
 * copied (visible among those kept: see ECSIM_METRICS_HISTORY). Publication lags differ per period, so a datapoint may be
 * visible while an older one is not yet. */
size_t ecsim_metrics_published(const ecsim_metrics *m, int metric_id, double t_s,
                               ecsim_datapoint *out, size_t max);

/* The newest visible datapoint (highest period) at t_s: 0, or
 * ECSIM_ENOENT if none is visible (or bad id). */
int ecsim_metrics_latest(const ecsim_metrics *m, int metric_id, double t_s, ecsim_datapoint *out);

#endif
