/* CloudWatch-like metrics and alarms (include/ecsim/metrics.h).
 *
 * Storage: per metric, one accumulator per period index k (sum of
 * value x weight, total weight, min, max), grown geometrically; the
 * publication time of each closed period is shared by all metrics (the ECS
 * agent sends CPU and memory together). Periods close strictly in order,
 * and each close makes exactly one draw from "metrics.lag", so period k's
 * lag is the k-th draw whatever the simulation did: two policies compared
 * on one seed see the same lags (DESIGN.md "engine", common random
 * numbers).
 *
 * Alarms read only what is visible at the evaluation time and keep their
 * state (for `ignore`) and the list of datapoints of their last evaluation
 * (for the decision log). */
#include "ecsim/metrics.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ecsim/alloc.h"
#include "ecsim/error.h"
#include "ecsim/rng.h"

typedef struct metric_period {
    double sum_vw; /* sum of value x weight */
    double weight; /* sum of weights; 0 = no sample */
    double minimum;
    double maximum;
} metric_period;

typedef struct metric_series {
    char name[ECSIM_METRIC_NAME_MAX];
    metric_period *periods; /* index k, for k < allocated */
    int64_t allocated;
    bool level_started;
    double level;         /* NAN = no data */
    double level_since_s; /* accumulated up to here */
    /* The newest closed periods that have data, oldest first: the latest
     * visible datapoint is among them unless the lag spans more than
     * RECENT_DATA periods, so finding it does not scan long gaps. */
    int64_t recent[8];
    int recent_count;
} metric_series;

#define RECENT_DATA 8

struct ecsim_metrics {
    double period_s;
    double lag_min_s;
    double lag_max_s;
    ecsim_rng lag_rng; /* "metrics.lag" */
    metric_series *series;
    int count;
    int capacity;
    double *publish_s; /* per closed period */
    int64_t publish_capacity;
    int64_t closed; /* periods 0 .. closed-1 are closed */
};

static const char *const builtin_names[ECSIM_METRIC_BUILTIN_COUNT] = {
    [ECSIM_METRIC_ID_CPU] = "cpu",
    [ECSIM_METRIC_ID_MEMORY] = "memory",
    [ECSIM_METRIC_ID_REQUESTS_PER_TARGET] = "requests_per_target",
};

static int64_t period_of(const ecsim_metrics *m, double t_s)
{
    double k = floor(t_s / m->period_s);
    if (k > 9e15)
        k = 9e15;
    return (int64_t)k;
}

static int add_series(ecsim_metrics *m, const char *name)
{
    if (m->count == m->capacity) {
        int cap = m->capacity ? m->capacity * 2 : 4;
        metric_series *s = ecsim_reallocarray(m->series, (size_t)cap, sizeof *s);
        if (!s)
            return ECSIM_ENOMEM;
        m->series = s;
        m->capacity = cap;
    }
    metric_series *s = &m->series[m->count];
    memset(s, 0, sizeof *s);
    snprintf(s->name, sizeof s->name, "%s", name);
    s->level = NAN;
    return m->count++;
}

ecsim_metrics *ecsim_metrics_create(const ecsim_monitoring_spec *spec, uint64_t seed)
{
    if (!isfinite(spec->period_s) || spec->period_s <= 0 || !isfinite(spec->lag_min_s) ||
        !isfinite(spec->lag_max_s) || spec->lag_min_s < 0 || spec->lag_max_s < spec->lag_min_s)
        return NULL;
    ecsim_metrics *m = ecsim_calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->period_s = spec->period_s;
    m->lag_min_s = spec->lag_min_s;
    m->lag_max_s = spec->lag_max_s;
    ecsim_rng_derive(&m->lag_rng, seed, "metrics.lag");
    for (int i = 0; i < ECSIM_METRIC_BUILTIN_COUNT; i++)
        if (add_series(m, builtin_names[i]) < 0)
            goto fail_series;
    return m;

fail_series:
    ecsim_free(m->series);
    ecsim_free(m);
    return NULL;
}

void ecsim_metrics_destroy(ecsim_metrics *m)
{
    if (!m)
        return;
    for (int i = 0; i < m->count; i++)
        ecsim_free(m->series[i].periods);
    ecsim_free(m->series);
    ecsim_free(m->publish_s);
    ecsim_free(m);
}

int ecsim_metrics_find(const ecsim_metrics *m, const char *name)
{
    for (int i = 0; i < m->count; i++)
        if (strcmp(m->series[i].name, name) == 0)
            return i;
    return ECSIM_ENOENT;
}

int ecsim_metrics_register(ecsim_metrics *m, const char *name)
{
    if (!name || !name[0] || strlen(name) >= ECSIM_METRIC_NAME_MAX ||
        ecsim_metrics_find(m, name) >= 0)
        return ECSIM_EINVAL;
    return add_series(m, name);
}

int ecsim_metrics_count(const ecsim_metrics *m) { return m->count; }

const char *ecsim_metrics_name(const ecsim_metrics *m, int metric_id)
{
    if (metric_id < 0 || metric_id >= m->count)
        return "?";
    return m->series[metric_id].name;
}

double ecsim_metrics_period_s(const ecsim_metrics *m) { return m->period_s; }

int64_t ecsim_metrics_closed_count(const ecsim_metrics *m) { return m->closed; }

/* Make period k addressable in series s (k >= m->closed). */
static int ensure_period(const ecsim_metrics *m, metric_series *s, int64_t k)
{
    if (k - m->closed > ECSIM_METRICS_MAX_AHEAD)
        return ECSIM_ERANGE;
    if (k < s->allocated)
        return 0;
    int64_t cap = s->allocated ? s->allocated : 64;
    while (cap <= k)
        cap *= 2;
    metric_period *p = ecsim_reallocarray(s->periods, (size_t)cap, sizeof *p);
    if (!p)
        return ECSIM_ENOMEM;
    for (int64_t i = s->allocated; i < cap; i++) {
        p[i].sum_vw = 0.0;
        p[i].weight = 0.0;
        p[i].minimum = INFINITY;
        p[i].maximum = -INFINITY;
    }
    s->periods = p;
    s->allocated = cap;
    return 0;
}

static int accumulate(const ecsim_metrics *m, metric_series *s, int64_t k, double value,
                      double weight)
{
    int rc = ensure_period(m, s, k);
    if (rc != 0)
        return rc;
    metric_period *p = &s->periods[k];
    p->sum_vw += value * weight;
    p->weight += weight;
    if (value < p->minimum)
        p->minimum = value;
    if (value > p->maximum)
        p->maximum = value;
    return 0;
}

int ecsim_metrics_add_sample(ecsim_metrics *m, int metric_id, double t_s, double value,
                             double weight)
{
    if (metric_id < 0 || metric_id >= m->count || !isfinite(t_s) || t_s < 0 || !isfinite(value) ||
        !isfinite(weight) || weight <= 0)
        return ECSIM_EINVAL;
    int64_t k = period_of(m, t_s);
    if (k < m->closed)
        return ECSIM_ESTATE;
    return accumulate(m, &m->series[metric_id], k, value, weight);
}

/* Accumulate the series' current level from level_since_s up to until_s,
 * split at period boundaries. */
static int advance_level(const ecsim_metrics *m, metric_series *s, double until_s)
{
    if (!s->level_started)
        return 0;
    while (s->level_since_s < until_s) {
        int64_t k = period_of(m, s->level_since_s);
        double end = (double)(k + 1) * m->period_s;
        if (end <= s->level_since_s) /* rounding at a boundary */
            end = s->level_since_s + m->period_s;
        if (end > until_s)
            end = until_s;
        if (!isnan(s->level)) {
            int rc = accumulate(m, s, k, s->level, end - s->level_since_s);
            if (rc != 0)
                return rc;
        }
        s->level_since_s = end;
    }
    return 0;
}

int ecsim_metrics_set_level(ecsim_metrics *m, int metric_id, double t_s, double value)
{
    if (metric_id < 0 || metric_id >= m->count || !isfinite(t_s) || t_s < 0 || isinf(value))
        return ECSIM_EINVAL;
    metric_series *s = &m->series[metric_id];
    if (s->level_started && t_s < s->level_since_s)
        return ECSIM_EINVAL;
    int64_t k = period_of(m, t_s);
    if (k < m->closed)
        return ECSIM_ESTATE;
    if (k - m->closed > ECSIM_METRICS_MAX_AHEAD)
        return ECSIM_ERANGE;
    int rc = advance_level(m, s, t_s);
    if (rc != 0)
        return rc;
    s->level_started = true;
    s->level = value;
    s->level_since_s = t_s;
    return 0;
}

int ecsim_metrics_close_period(ecsim_metrics *m)
{
    int64_t k = m->closed;
    double end = (double)(k + 1) * m->period_s;
    if (k >= m->publish_capacity) {
        int64_t cap = m->publish_capacity ? m->publish_capacity * 2 : 256;
        double *p = ecsim_reallocarray(m->publish_s, (size_t)cap, sizeof *p);
        if (!p)
            return ECSIM_ENOMEM;
        m->publish_s = p;
        m->publish_capacity = cap;
    }
    for (int i = 0; i < m->count; i++) {
        int rc = advance_level(m, &m->series[i], end);
        if (rc != 0)
            return rc;
    }
    for (int i = 0; i < m->count; i++) {
        metric_series *se = &m->series[i];
        if (k < se->allocated && se->periods[k].weight > 0.0) {
            if (se->recent_count == RECENT_DATA) {
                memmove(se->recent, se->recent + 1, (RECENT_DATA - 1) * sizeof se->recent[0]);
                se->recent_count--;
            }
            se->recent[se->recent_count++] = k;
        }
    }
    /* Reference §7: the datapoint for period k is published at
     * (k+1) P + U(lag_min, lag_max). Always one draw per period. */
    double u = ecsim_rng_uniform(&m->lag_rng);
    m->publish_s[k] = end + m->lag_min_s + (m->lag_max_s - m->lag_min_s) * u;
    m->closed = k + 1;
    return 0;
}

int ecsim_metrics_close_until(ecsim_metrics *m, double t_s)
{
    while (isfinite(t_s) && (double)(m->closed + 1) * m->period_s <= t_s) {
        int rc = ecsim_metrics_close_period(m);
        if (rc != 0)
            return rc;
    }
    return 0;
}

ecsim_datapoint_status ecsim_metrics_lookup(const ecsim_metrics *m, int metric_id, int64_t period,
                                            double t_s, ecsim_datapoint *out)
{
    if (metric_id < 0 || metric_id >= m->count || period < 0)
        return ECSIM_DP_MISSING;
    if (period >= m->closed)
        return ECSIM_DP_PENDING;
    const metric_series *s = &m->series[metric_id];
    if (period >= s->allocated || s->periods[period].weight <= 0.0)
        return ECSIM_DP_MISSING;
    const metric_period *p = &s->periods[period];
    if (out) {
        out->period = period;
        out->start_s = (double)period * m->period_s;
        out->value = p->sum_vw / p->weight;
        out->minimum = p->minimum;
        out->maximum = p->maximum;
        out->weight = p->weight;
        out->publish_s = m->publish_s[period];
    }
    return m->publish_s[period] <= t_s ? ECSIM_DP_PUBLISHED : ECSIM_DP_PENDING;
}

/* Newest period that could be visible at t_s: publication is never before
 * the period's end, so period k needs (k+1) P <= t_s. */
static int64_t newest_candidate(const ecsim_metrics *m, double t_s)
{
    if (!(t_s >= 0))
        return -1;
    int64_t k = period_of(m, t_s) - 1;
    return k < m->closed - 1 ? k : m->closed - 1;
}

size_t ecsim_metrics_published(const ecsim_metrics *m, int metric_id, double t_s,
                               ecsim_datapoint *out, size_t max)
{
    size_t n = 0;
    for (int64_t k = newest_candidate(m, t_s); k >= 0 && n < max; k--)
        if (ecsim_metrics_lookup(m, metric_id, k, t_s, &out[n]) == ECSIM_DP_PUBLISHED)
            n++;
    for (size_t i = 0; i < n / 2; i++) { /* newest first -> oldest first */
        ecsim_datapoint tmp = out[i];
        out[i] = out[n - 1 - i];
        out[n - 1 - i] = tmp;
    }
    return n;
}

int ecsim_metrics_latest(const ecsim_metrics *m, int metric_id, double t_s, ecsim_datapoint *out)
{
    if (metric_id < 0 || metric_id >= m->count)
        return ECSIM_ENOENT;
    const metric_series *se = &m->series[metric_id];
    int64_t newest = newest_candidate(m, t_s);
    /* The recent periods with data first (newest first); only if all of them
     * are still unpublished can an older one be the answer. */
    for (int i = se->recent_count; i-- > 0;)
        if (se->recent[i] <= newest &&
            ecsim_metrics_lookup(m, metric_id, se->recent[i], t_s, out) == ECSIM_DP_PUBLISHED)
            return 0;
    if (se->recent_count < RECENT_DATA)
        return ECSIM_ENOENT; /* no other period has data */
    for (int64_t k = se->recent[0] - 1; k >= 0; k--)
        if (ecsim_metrics_lookup(m, metric_id, k, t_s, out) == ECSIM_DP_PUBLISHED)
            return 0;
    return ECSIM_ENOENT;
}

/* ---- alarms ---------------------------------------------------------------------- */

struct ecsim_metric_alarm {
    ecsim_metric_alarm_config cfg;
    ecsim_metric_alarm_state state;
    ecsim_metric_alarm_point *points; /* evaluation range of the last evaluation */
    size_t point_capacity;
};

void ecsim_metric_alarm_config_defaults(ecsim_metric_alarm_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->metric_id = ECSIM_METRIC_ID_CPU;
    cfg->comparison = ECSIM_CMP_GREATER;
    cfg->threshold = 0.0;
    cfg->period_s = 0.0;
    cfg->statistic = ECSIM_STAT_AVERAGE;
    cfg->evaluation_periods = 1;
    cfg->datapoints_to_alarm = 1;
    cfg->treat_missing = ECSIM_MISSING_MISSING;
    cfg->evaluation_range_extra = 2;
}

void ecsim_metric_alarm_config_tt_high(ecsim_metric_alarm_config *cfg, int metric_id, double target)
{
    /* Reference §1.2 (OBS [A6][A7]): AlarmHigh, GreaterThanThreshold, 60 s,
     * 3 of 3, threshold = target, Average, missing data = missing. */
    ecsim_metric_alarm_config_defaults(cfg);
    snprintf(cfg->name, sizeof cfg->name, "AlarmHigh");
    cfg->metric_id = metric_id;
    cfg->comparison = ECSIM_CMP_GREATER;
    cfg->threshold = target;
    cfg->period_s = 60.0;
    cfg->evaluation_periods = 3;
    cfg->datapoints_to_alarm = 3;
}

void ecsim_metric_alarm_config_tt_low(ecsim_metric_alarm_config *cfg, int metric_id, double target,
                                      double low_ratio)
{
    /* Reference §1.2 (OBS [A6][A7]): AlarmLow, LessThanThreshold, 60 s,
     * 15 of 15, threshold ≈ 0.9 x target, Average, missing = missing. */
    ecsim_metric_alarm_config_defaults(cfg);
    snprintf(cfg->name, sizeof cfg->name, "AlarmLow");
    cfg->metric_id = metric_id;
    cfg->comparison = ECSIM_CMP_LESS;
    cfg->threshold = low_ratio * target;
    cfg->period_s = 60.0;
    cfg->evaluation_periods = 15;
    cfg->datapoints_to_alarm = 15;
}

ecsim_metric_alarm *ecsim_metric_alarm_create(const ecsim_metric_alarm_config *cfg)
{
    int n = cfg->evaluation_periods;
    int mm = cfg->datapoints_to_alarm ? cfg->datapoints_to_alarm : n;
    if (n < 1 || n > 100000 || mm < 1 || mm > n || !isfinite(cfg->threshold) ||
        !isfinite(cfg->period_s) || cfg->period_s < 0 || cfg->evaluation_range_extra < 0 ||
        cfg->evaluation_range_extra > 100000 || cfg->metric_id < 0)
        return NULL;
    ecsim_metric_alarm *alarm = ecsim_calloc(1, sizeof *alarm);
    if (!alarm)
        return NULL;
    alarm->cfg = *cfg;
    alarm->cfg.datapoints_to_alarm = mm;
    alarm->cfg.name[sizeof alarm->cfg.name - 1] = '\0';
    alarm->state = ECSIM_METRIC_ALARM_INSUFFICIENT_DATA;
    alarm->point_capacity = (size_t)n + (size_t)cfg->evaluation_range_extra;
    alarm->points = ecsim_calloc(alarm->point_capacity, sizeof *alarm->points);
    if (!alarm->points)
        goto fail_alarm;
    return alarm;

fail_alarm:
    ecsim_free(alarm);
    return NULL;
}

void ecsim_metric_alarm_destroy(ecsim_metric_alarm *alarm)
{
    if (!alarm)
        return;
    ecsim_free(alarm->points);
    ecsim_free(alarm);
}

const ecsim_metric_alarm_config *ecsim_metric_alarm_get_config(const ecsim_metric_alarm *alarm)
{
    return &alarm->cfg;
}

ecsim_metric_alarm_state ecsim_metric_alarm_get_state(const ecsim_metric_alarm *alarm)
{
    return alarm->state;
}

const char *ecsim_metric_alarm_state_name(ecsim_metric_alarm_state state)
{
    switch (state) {
    case ECSIM_METRIC_ALARM_OK:
        return "OK";
    case ECSIM_METRIC_ALARM_ALARM:
        return "ALARM";
    case ECSIM_METRIC_ALARM_INSUFFICIENT_DATA:
        return "INSUFFICIENT_DATA";
    }
    return "?";
}

const char *ecsim_comparison_symbol(ecsim_comparison cmp)
{
    switch (cmp) {
    case ECSIM_CMP_GREATER:
        return ">";
    case ECSIM_CMP_GREATER_OR_EQUAL:
        return ">=";
    case ECSIM_CMP_LESS:
        return "<";
    case ECSIM_CMP_LESS_OR_EQUAL:
        return "<=";
    }
    return "?";
}

const char *ecsim_treat_missing_name(ecsim_treat_missing t)
{
    switch (t) {
    case ECSIM_MISSING_MISSING:
        return "missing";
    case ECSIM_MISSING_NOT_BREACHING:
        return "notBreaching";
    case ECSIM_MISSING_BREACHING:
        return "breaching";
    case ECSIM_MISSING_IGNORE:
        return "ignore";
    }
    return "?";
}

bool ecsim_metric_alarm_breaches(ecsim_comparison cmp, double value, double threshold)
{
    switch (cmp) {
    case ECSIM_CMP_GREATER:
        return value > threshold;
    case ECSIM_CMP_GREATER_OR_EQUAL:
        return value >= threshold;
    case ECSIM_CMP_LESS:
        return value < threshold;
    case ECSIM_CMP_LESS_OR_EQUAL:
        return value <= threshold;
    }
    return false;
}

/* The alarm statistic over the metric datapoints of alarm period j
 * (metric periods j*ratio .. j*ratio+ratio-1) visible at t_s; false if
 * none is visible. */
static bool alarm_period_value(const ecsim_metric_alarm *alarm, const ecsim_metrics *m, int64_t j,
                               int64_t ratio, double t_s, double *out)
{
    if (j < 0)
        return false;
    double sum_vw = 0.0, weight = 0.0, sum = 0.0;
    double lo = INFINITY, hi = -INFINITY;
    int seen = 0;
    for (int64_t k = j * ratio; k < (j + 1) * ratio; k++) {
        ecsim_datapoint dp;
        if (ecsim_metrics_lookup(m, alarm->cfg.metric_id, k, t_s, &dp) != ECSIM_DP_PUBLISHED)
            continue;
        seen++;
        sum_vw += dp.value * dp.weight;
        weight += dp.weight;
        sum += dp.value;
        if (dp.minimum < lo)
            lo = dp.minimum;
        if (dp.maximum > hi)
            hi = dp.maximum;
    }
    if (!seen)
        return false;
    *out = sum_vw / weight;
    switch (alarm->cfg.statistic) {
    case ECSIM_STAT_AVERAGE:
        *out = sum_vw / weight;
        break;
    case ECSIM_STAT_MINIMUM:
        *out = lo;
        break;
    case ECSIM_STAT_MAXIMUM:
        *out = hi;
        break;
    case ECSIM_STAT_SUM:
        *out = sum;
        break;
    }
    return true;
}

static ecsim_metric_alarm_state finish(ecsim_metric_alarm *alarm, ecsim_metric_alarm_state state,
                                       ecsim_metric_alarm_result *result)
{
    if (result) {
        result->previous = alarm->state;
        result->state = state;
    }
    alarm->state = state;
    return state;
}

ecsim_metric_alarm_state ecsim_metric_alarm_evaluate(ecsim_metric_alarm *alarm,
                                                     const ecsim_metrics *m, double t_s,
                                                     ecsim_metric_alarm_result *result)
{
    const ecsim_metric_alarm_config *cfg = &alarm->cfg;
    const int n = cfg->evaluation_periods;
    const int need_m = cfg->datapoints_to_alarm;
    ecsim_metric_alarm_result scratch;
    if (!result)
        result = &scratch;
    memset(result, 0, sizeof *result);
    result->points = alarm->points;

    double pm = ecsim_metrics_period_s(m);
    double pa = cfg->period_s > 0 ? cfg->period_s : pm;
    double ratio_f = nearbyint(pa / pm);
    if (ratio_f < 1 || fabs(ratio_f * pm - pa) > 1e-9 * pa || cfg->metric_id >= m->count ||
        !isfinite(t_s)) {
        snprintf(result->reason, sizeof result->reason,
                 "alarm period %gs is not a multiple of the metric period %gs, or bad metric", pa,
                 pm);
        return finish(alarm, ECSIM_METRIC_ALARM_INSUFFICIENT_DATA, result);
    }
    int64_t ratio = (int64_t)ratio_f;

    /* 1. the evaluation range: the N + extra newest alarm periods ended by t */
    int64_t newest = (int64_t)floor(t_s / pa) - 1;
    size_t range = alarm->point_capacity;
    int real = 0;
    for (size_t i = 0; i < range; i++) {
        ecsim_metric_alarm_point *pt = &alarm->points[i];
        int64_t j = newest - (int64_t)(range - 1 - i);
        memset(pt, 0, sizeof *pt);
        pt->alarm_period = j;
        pt->start_s = (double)j * pa;
        double v = NAN;
        if (alarm_period_value(alarm, m, j, ratio, t_s, &v)) {
            pt->value = v;
            pt->breaching = ecsim_metric_alarm_breaches(cfg->comparison, v, cfg->threshold);
            real++;
        } else {
            pt->value = NAN;
            pt->missing = true;
        }
    }
    result->point_count = range;
    result->real = real;
    const char *sym = ecsim_comparison_symbol(cfg->comparison);

    /* 2. enough real datapoints: the newest N real ones decide */
    if (real >= n) {
        int used = 0, breaching = 0;
        for (size_t i = range; i-- > 0 && used < n;) {
            ecsim_metric_alarm_point *pt = &alarm->points[i];
            if (pt->missing)
                continue;
            pt->used = true;
            used++;
            breaching += pt->breaching;
        }
        result->breaching = breaching;
        result->needed = need_m;
        snprintf(result->reason, sizeof result->reason,
                 "%d of the newest %d datapoints %s %g (ALARM needs %d)", breaching, n, sym,
                 cfg->threshold, need_m);
        return finish(alarm, breaching >= need_m ? ECSIM_METRIC_ALARM_ALARM : ECSIM_METRIC_ALARM_OK,
                      result);
    }

    /* 3. fewer than N real datapoints: all of them, plus N - real missing
     * ones (the newest) filled by the treatment */
    int fills = n - real, real_breaching = 0;
    for (size_t i = range; i-- > 0;) {
        ecsim_metric_alarm_point *pt = &alarm->points[i];
        if (!pt->missing) {
            pt->used = true;
            real_breaching += pt->breaching;
        } else if (fills > 0) {
            fills--;
            pt->used = cfg->treat_missing == ECSIM_MISSING_BREACHING ||
                       cfg->treat_missing == ECSIM_MISSING_NOT_BREACHING;
            pt->breaching = cfg->treat_missing == ECSIM_MISSING_BREACHING;
        }
    }
    int missing_used = n - real;
    const char *treat = ecsim_treat_missing_name(cfg->treat_missing);
    ecsim_metric_alarm_state state = alarm->state;
    switch (cfg->treat_missing) {
    case ECSIM_MISSING_BREACHING:
    case ECSIM_MISSING_NOT_BREACHING: {
        int breaching =
            real_breaching + (cfg->treat_missing == ECSIM_MISSING_BREACHING ? missing_used : 0);
        result->breaching = breaching;
        result->needed = need_m;
        state = breaching >= need_m ? ECSIM_METRIC_ALARM_ALARM : ECSIM_METRIC_ALARM_OK;
        snprintf(result->reason, sizeof result->reason,
                 "%d of %d datapoints %s %g with %d missing treated as %s (ALARM needs %d)",
                 breaching, n, sym, cfg->threshold, missing_used, treat, need_m);
        break;
    }
    case ECSIM_MISSING_IGNORE: {
        bool decided = true;
        result->breaching = real_breaching;
        result->needed = need_m;
        if (real > 0 && real_breaching >= need_m)
            state = ECSIM_METRIC_ALARM_ALARM;
        else if (real > 0 && real - real_breaching > n - need_m)
            state = ECSIM_METRIC_ALARM_OK;
        else
            decided = false;
        snprintf(result->reason, sizeof result->reason,
                 "%d of %d real datapoints %s %g, %d missing (ignore: %s)", real_breaching, real,
                 sym, cfg->threshold, missing_used,
                 decided ? "decided by the real ones" : "state kept");
        break;
    }
    case ECSIM_MISSING_MISSING:
        if (real == 0) {
            state = ECSIM_METRIC_ALARM_INSUFFICIENT_DATA;
            result->needed = need_m;
            snprintf(result->reason, sizeof result->reason,
                     "no datapoint in the last %zu periods (missing data: missing)", range);
        } else {
            int needed = need_m < real ? need_m : real;
            result->breaching = real_breaching;
            result->needed = needed;
            state = real_breaching >= needed ? ECSIM_METRIC_ALARM_ALARM : ECSIM_METRIC_ALARM_OK;
            snprintf(result->reason, sizeof result->reason,
                     "%d of %d real datapoints %s %g, %d missing not counted (ALARM needs %d)",
                     real_breaching, real, sym, cfg->threshold, missing_used, needed);
        }
        break;
    }
    return finish(alarm, state, result);
}
