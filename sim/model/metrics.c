/* CloudWatch-like metrics (include/ecsim/metrics.h).
 *
 * Storage, bounded whatever the run's length: per metric, the OPEN periods
 * (k >= closed, usually one or two) in a small circular buffer of
 * accumulators (sum of value x weight, total weight, min, max), and the
 * newest CLOSED periods that have data in a ring of `history` datapoints
 * (ecsim_metrics_history: the look-back the policies read plus the
 * publication lag). A closed period without data is not stored: it is
 * missing. The oldest datapoints fall off the ring, so a year-long run
 * keeps the same few kilobytes as a one-hour run.
 *
 * The publication time of each closed period is shared by all metrics (the
 * ECS agent sends CPU and memory together). Periods close strictly in
 * order, and each close makes exactly one draw from "metrics.lag", so
 * period k's lag is the k-th draw whatever the simulation did: two
 * policies compared on one seed see the same lags (DESIGN.md "engine",
 * common random numbers). */
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
    /* Open periods: period k (closed <= k < closed + open_cap) at
     * open[k & (open_cap - 1)]; open_cap is 0 or a power of two. */
    metric_period *open;
    int64_t open_cap;
    bool level_started;
    double level;         /* NAN = no data */
    double level_since_s; /* accumulated up to here */
    /* The newest closed periods that have data, oldest first: entry i at
     * ring[(ring_head + i) % ring_cap]; ring_cap grows up to `history`. */
    ecsim_datapoint *ring;
    size_t ring_cap, ring_head, ring_count;
} metric_series;

struct ecsim_metrics {
    double period_s;
    double lag_min_s;
    double lag_max_s;
    ecsim_rng lag_rng; /* "metrics.lag" */
    size_t history;    /* most datapoints kept per metric */
    metric_series *series;
    int count;
    int capacity;
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
    /* The datapoints still unpublished (at most lag_periods + 1 of them)
     * plus ECSIM_METRICS_HISTORY published ones before them: enough for
     * ecsim_metrics_latest and for a look-back of that many periods. */
    double history = ECSIM_METRICS_HISTORY + ceil(spec->lag_max_s / spec->period_s) + 2;
    m->history = history < 1e12 ? (size_t)history : (size_t)1e12;
    ecsim_rng_derive(&m->lag_rng, seed, "metrics.lag");
    for (int i = 0; i < ECSIM_METRIC_BUILTIN_COUNT; i++)
        if (add_series(m, builtin_names[i]) < 0)
            goto fail_series;
    return m;

fail_series:
    ecsim_metrics_destroy(m);
    return NULL;
}

void ecsim_metrics_destroy(ecsim_metrics *m)
{
    if (!m)
        return;
    for (int i = 0; i < m->count; i++) {
        ecsim_free(m->series[i].open);
        ecsim_free(m->series[i].ring);
    }
    ecsim_free(m->series);
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

static void period_clear(metric_period *p)
{
    p->sum_vw = 0.0;
    p->weight = 0.0;
    p->minimum = INFINITY;
    p->maximum = -INFINITY;
}

/* Make open period k addressable in series s (k >= m->closed): grow the
 * circular buffer to a power of two above k - closed, keeping each open
 * period at its index. */
static int ensure_period(const ecsim_metrics *m, metric_series *s, int64_t k)
{
    if (k - m->closed > ECSIM_METRICS_MAX_AHEAD)
        return ECSIM_ERANGE;
    if (k - m->closed < s->open_cap)
        return 0;
    int64_t cap = s->open_cap ? s->open_cap : 4;
    while (cap <= k - m->closed)
        cap *= 2;
    metric_period *p = ecsim_reallocarray(NULL, (size_t)cap, sizeof *p);
    if (!p)
        return ECSIM_ENOMEM;
    for (int64_t i = 0; i < cap; i++)
        period_clear(&p[i]);
    for (int64_t j = m->closed; j < m->closed + s->open_cap; j++)
        p[j & (cap - 1)] = s->open[j & (s->open_cap - 1)];
    ecsim_free(s->open);
    s->open = p;
    s->open_cap = cap;
    return 0;
}

static int accumulate(const ecsim_metrics *m, metric_series *s, int64_t k, double value,
                      double weight)
{
    int rc = ensure_period(m, s, k);
    if (rc != 0)
        return rc;
    metric_period *p = &s->open[k & (s->open_cap - 1)];
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

/* Entry i (0 = oldest) of a series' ring. */
static const ecsim_datapoint *ring_at(const metric_series *s, size_t i)
{
    return &s->ring[(s->ring_head + i) % s->ring_cap];
}

/* Make room in the ring for one more datapoint: it grows geometrically up
 * to `history` (a short run never allocates it whole); at that size the
 * oldest datapoint will fall off instead. 0 or ECSIM_ENOMEM. */
static int ring_reserve(const ecsim_metrics *m, metric_series *s)
{
    if (s->ring_count < s->ring_cap || s->ring_cap >= m->history)
        return 0;
    size_t cap = s->ring_cap ? s->ring_cap * 2 : 16;
    if (cap > m->history)
        cap = m->history;
    ecsim_datapoint *ring = ecsim_reallocarray(NULL, cap, sizeof *ring);
    if (!ring)
        return ECSIM_ENOMEM;
    for (size_t i = 0; i < s->ring_count; i++)
        ring[i] = *ring_at(s, i);
    ecsim_free(s->ring);
    s->ring = ring;
    s->ring_cap = cap;
    s->ring_head = 0;
    return 0;
}

/* Append the datapoint of the period just closed (after ring_reserve). */
static void ring_push(metric_series *s, const ecsim_datapoint *dp)
{
    if (s->ring_count == s->ring_cap) {
        s->ring_head = (s->ring_head + 1) % s->ring_cap;
        s->ring_count--;
    }
    s->ring[(s->ring_head + s->ring_count) % s->ring_cap] = *dp;
    s->ring_count++;
}

/* Period k's accumulator in series s, or NULL if it has no sample. */
static metric_period *open_with_data(metric_series *s, int64_t k)
{
    if (!s->open_cap)
        return NULL;
    metric_period *p = &s->open[k & (s->open_cap - 1)];
    return p->weight > 0.0 ? p : NULL;
}

int ecsim_metrics_close_period(ecsim_metrics *m)
{
    int64_t k = m->closed;
    double end = (double)(k + 1) * m->period_s;
    /* Everything that can fail first, so that a failed close changes
     * nothing that matters and draws nothing. */
    for (int i = 0; i < m->count; i++) {
        int rc = advance_level(m, &m->series[i], end);
        if (rc == 0 && open_with_data(&m->series[i], k))
            rc = ring_reserve(m, &m->series[i]);
        if (rc != 0)
            return rc;
    }
    /* Reference §7: the datapoint for period k is published at
     * (k+1) P + U(lag_min, lag_max). Always one draw per period. */
    double u = ecsim_rng_uniform(&m->lag_rng);
    double publish_s = end + m->lag_min_s + (m->lag_max_s - m->lag_min_s) * u;
    for (int i = 0; i < m->count; i++) {
        metric_series *se = &m->series[i];
        metric_period *p = open_with_data(se, k);
        if (p) {
            ecsim_datapoint dp = {
                .period = k,
                .start_s = (double)k * m->period_s,
                .value = p->sum_vw / p->weight,
                .minimum = p->minimum,
                .maximum = p->maximum,
                .weight = p->weight,
                .publish_s = publish_s,
            };
            ring_push(se, &dp);
        }
        if (se->open_cap) /* the slot now holds period k + open_cap */
            period_clear(&se->open[k & (se->open_cap - 1)]);
    }
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
    /* Binary search of the ring (ascending periods). A period not in it had
     * no data, or fell off the ring (older than the history kept). */
    size_t lo = 0, hi = s->ring_count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (ring_at(s, mid)->period < period)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == s->ring_count || ring_at(s, lo)->period != period)
        return ECSIM_DP_MISSING;
    const ecsim_datapoint *dp = ring_at(s, lo);
    if (out)
        *out = *dp;
    return dp->publish_s <= t_s ? ECSIM_DP_PUBLISHED : ECSIM_DP_PENDING;
}

size_t ecsim_metrics_window(const ecsim_metrics *m, int metric_id, int64_t first, int64_t last,
                            double t_s, double *out)
{
    if (metric_id < 0 || metric_id >= m->count || first > last)
        return 0;
    const metric_series *s = &m->series[metric_id];
    /* The first ring entry with period >= first, then both walk up. */
    size_t lo = 0, hi = s->ring_count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (ring_at(s, mid)->period < first)
            lo = mid + 1;
        else
            hi = mid;
    }
    /* lo: logical index; j: its slot in the ring (no division per step). */
    size_t j = s->ring_cap ? (s->ring_head + lo) % s->ring_cap : 0;
    size_t n = 0;
    for (int64_t k = first; k <= last; k++) {
        double v = NAN;
        if (k >= 0 && k < m->closed) {
            while (lo < s->ring_count && s->ring[j].period < k) {
                lo++;
                if (++j == s->ring_cap)
                    j = 0;
            }
            if (lo < s->ring_count) {
                const ecsim_datapoint *dp = &s->ring[j];
                if (dp->period == k && dp->publish_s <= t_s)
                    v = dp->value;
            }
        }
        out[n++] = v;
    }
    return n;
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
    if (metric_id < 0 || metric_id >= m->count)
        return 0;
    const metric_series *s = &m->series[metric_id];
    int64_t newest = newest_candidate(m, t_s);
    size_t n = 0;
    for (size_t i = s->ring_count; i-- > 0 && n < max;) {
        const ecsim_datapoint *dp = ring_at(s, i);
        if (dp->period <= newest && dp->publish_s <= t_s)
            out[n++] = *dp;
    }
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
    const metric_series *s = &m->series[metric_id];
    int64_t newest = newest_candidate(m, t_s);
    /* Newest first. The ring holds every datapoint still unpublished and
     * the newest published one after them (history > lag periods + 1), so
     * the first visible entry is the answer. */
    for (size_t i = s->ring_count; i-- > 0;) {
        const ecsim_datapoint *dp = ring_at(s, i);
        if (dp->period <= newest && dp->publish_s <= t_s) {
            *out = *dp;
            return 0;
        }
    }
    return ECSIM_ENOENT;
}
