/* CloudWatch-like metrics (include/ecsim/metrics.h).
 *
 * Storage: per metric, one accumulator per period index k (sum of
 * value x weight, total weight, min, max), grown geometrically; the
 * publication time of each closed period is shared by all metrics (the ECS
 * agent sends CPU and memory together). Periods close strictly in order,
 * and each close makes exactly one draw from "metrics.lag", so period k's
 * lag is the k-th draw whatever the simulation did: two policies compared
 * on one seed see the same lags (DESIGN.md "engine", common random
 * numbers).
 */
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
