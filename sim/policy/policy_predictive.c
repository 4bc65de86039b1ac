/* AWS predictive scaling (reference §1.5), combined with target tracking.
 *
 * From the demand seen so far (aggregated into hourly buckets) we forecast
 * the next hours with a seasonal-naive or an additive Holt-Winters model
 * with a daily season, refresh the forecast every 6 h once 24 h of history
 * exist, and turn the forecast load of the coming hour into a task count:
 * ceil(load / (target % x per-task capacity)). That count is launched the
 * scheduling buffer (300 s) before the hour and is a floor under target
 * tracking: desired = max(tt_desired, predicted). Predictive scaling never
 * scales in by itself. AWS's forecasting model is unpublished: the method
 * and its smoothing constants are parameters (MODEL). */
#include "ecsim/policy.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ecsim/alloc.h"
#include "ecsim/error.h"
#include "ecsim/output.h"

void ecsim_predictive_config_defaults(ecsim_predictive_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->method = ECSIM_FORECAST_SEASONAL_NAIVE;
    cfg->target_utilization_pct = 60.0;
    cfg->task_capacity = 100.0;
    cfg->min_history_s = 86400.0;       /* >= 24 h of data (reference §1.5) */
    cfg->refresh_s = 21600.0;           /* refreshed every 6 h */
    cfg->resolution_s = 3600.0;         /* hourly forecast */
    cfg->horizon_s = 172800.0;          /* next 48 h */
    cfg->scheduling_buffer_s = 300.0;   /* SchedulingBufferTime default */
    cfg->season_s = 86400.0;            /* daily season (MODEL) */
    cfg->hw_alpha = 0.5;                /* Holt-Winters constants (MODEL) */
    cfg->hw_beta = 0.05;
    cfg->hw_gamma = 0.3;
}

void ecsim_predictive_state_init(ecsim_predictive_state *st)
{
    memset(st, 0, sizeof *st);
    st->last_refresh_s = -INFINITY;
}

int ecsim_forecast(ecsim_forecast_method method, const double *history, size_t count,
                   size_t season, double alpha, double beta, double gamma, double *out,
                   size_t out_count)
{
    if (season == 0 || count < season)
        return ECSIM_EINVAL;
    if (method == ECSIM_FORECAST_SEASONAL_NAIVE) {
        /* y(T + h) = y(T + h - k x season), the latest observed same phase. */
        for (size_t h = 1; h <= out_count; h++) {
            size_t back = ((h + season - 1) / season) * season;
            double v = history[count + h - 1 - back];
            out[h - 1] = v > 0 ? v : 0;
        }
        return 0;
    }
    /* Additive Holt-Winters: level l, trend b, seasonal s[i mod season].
     * Initialised from the first season (trend from the first two seasons
     * when available), then updated over the rest of the history. */
    double level = 0;
    for (size_t i = 0; i < season; i++)
        level += history[i];
    level /= (double)season;
    double trend = 0;
    if (count >= 2 * season) {
        double second = 0;
        for (size_t i = season; i < 2 * season; i++)
            second += history[i];
        trend = (second / (double)season - level) / (double)season;
    }
    double seasonal[ECSIM_FORECAST_MAX];
    if (season > ECSIM_FORECAST_MAX)
        return ECSIM_EINVAL;
    for (size_t i = 0; i < season; i++)
        seasonal[i] = history[i] - level;
    for (size_t t = season; t < count; t++) {
        double y = history[t];
        size_t k = t % season;
        double prev_level = level;
        level = alpha * (y - seasonal[k]) + (1 - alpha) * (level + trend);
        trend = beta * (level - prev_level) + (1 - beta) * trend;
        seasonal[k] = gamma * (y - level) + (1 - gamma) * seasonal[k];
    }
    for (size_t h = 1; h <= out_count; h++) {
        double v = level + (double)h * trend + seasonal[(count + h - 1) % season];
        out[h - 1] = v > 0 ? v : 0;
    }
    return 0;
}

/* Demand values per forecast bucket. */
static size_t bucket_periods(const ecsim_predictive_config *cfg, double demand_period_s)
{
    size_t per = (size_t)llround(cfg->resolution_s / demand_period_s);
    return per == 0 ? 1 : per;
}

size_t ecsim_predictive_lookback(const ecsim_predictive_config *cfg, double demand_period_s)
{
    if (!(cfg->resolution_s > 0) || !(demand_period_s > 0))
        return 0;
    /* The newest ECSIM_FORECAST_MAX complete buckets start at most
     * (ECSIM_FORECAST_MAX + 1) x per - 1 values before the end. */
    return (ECSIM_FORECAST_MAX + 1) * bucket_periods(cfg, demand_period_s);
}

int ecsim_predictive_capacity(const ecsim_predictive_config *cfg, ecsim_predictive_state *st,
                              double now_s, const double *demand, size_t demand_count,
                              size_t demand_total, double demand_period_s, ecsim_steps *steps)
{
    char b1[64], b2[64];
    double res = cfg->resolution_s;
    if (!(res > 0) || !(demand_period_s > 0) || !(cfg->task_capacity > 0) ||
        !(cfg->target_utilization_pct > 0))
        return 0;
    if (demand_count > demand_total)
        return 0;
    double history_s = (double)demand_total * demand_period_s;
    if (history_s < cfg->min_history_s) {
        ecsim_steps_add(steps, "predictive: %s s of history, %s s needed: no forecast yet",
                        ecsim_fmt_num(b1, sizeof b1, history_s),
                        ecsim_fmt_num(b2, sizeof b2, cfg->min_history_s));
        return 0;
    }
    if (!st->has_forecast || now_s - st->last_refresh_s >= cfg->refresh_s) {
        /* Aggregate complete buckets (mean load per bucket). */
        size_t per = bucket_periods(cfg, demand_period_s);
        size_t buckets = demand_total / per;
        size_t first = 0; /* index (from t = 0) of the first value analysed */
        if (buckets > ECSIM_FORECAST_MAX) {
            first = (buckets - ECSIM_FORECAST_MAX) * per;  /* analyse at most 14 days */
            buckets = ECSIM_FORECAST_MAX;
        }
        size_t base = demand_total - demand_count; /* index of demand[0] */
        if (first < base) {
            ecsim_steps_add(steps, "predictive: the demand look-back given is too short");
            return 0;
        }
        demand += first - base;
        double hist[ECSIM_FORECAST_MAX];
        for (size_t b = 0; b < buckets; b++) {
            double sum = 0;
            for (size_t i = 0; i < per; i++)
                sum += demand[b * per + i];
            hist[b] = sum / (double)per;
        }
        size_t season = (size_t)llround(cfg->season_s / res);
        size_t horizon = (size_t)llround(cfg->horizon_s / res);
        if (horizon > ECSIM_FORECAST_MAX)
            horizon = ECSIM_FORECAST_MAX;
        if (ecsim_forecast(cfg->method, hist, buckets, season, cfg->hw_alpha, cfg->hw_beta,
                           cfg->hw_gamma, st->forecast, horizon) != 0) {
            ecsim_steps_add(steps, "predictive: not enough complete buckets for one season");
            return 0;
        }
        st->has_forecast = true;
        st->forecast_count = horizon;
        /* Buckets are aligned to t = 0: the forecast starts after the last
         * complete one (trimmed history keeps the same alignment). */
        st->forecast_start_s = floor(history_s / res) * res;
        st->last_refresh_s = now_s;
        ecsim_steps_add(steps, "predictive: forecast refreshed from %zu hourly buckets (%s)",
                        buckets,
                        cfg->method == ECSIM_FORECAST_HOLT_WINTERS ? "Holt-Winters" : "seasonal naive");
    }
    /* Capacity for bucket k is in place scheduling_buffer_s before it starts. */
    double t = now_s + cfg->scheduling_buffer_s;
    if (t < st->forecast_start_s)
        t = st->forecast_start_s;
    double idx = floor((t - st->forecast_start_s) / res);
    if (idx < 0 || idx >= (double)st->forecast_count) {
        ecsim_steps_add(steps, "predictive: beyond the forecast horizon");
        return 0;
    }
    double load = st->forecast[(size_t)idx];
    double per_task = cfg->target_utilization_pct / 100.0 * cfg->task_capacity;
    double tasks = ceil(load / per_task - 1e-9);
    int n = tasks < 0 ? 0 : tasks > 1e9 ? 1000000000 : (int)tasks;
    ecsim_steps_add(steps,
                    "predictive: forecast load %s for the bucket starting at %s s -> ceil(%s / "
                    "%s) = %d tasks",
                    ecsim_fmt_num(b1, sizeof b1, load),
                    ecsim_fmt_num(b2, sizeof b2, st->forecast_start_s + idx * res),
                    ecsim_fmt_num(b1, sizeof b1, load), ecsim_fmt_num(b2, sizeof b2, per_task), n);
    return n;
}

/* ---- the simulation-facing policy: target tracking with a predictive floor ----------- */

typedef struct pred_policy {
    ecsim_predictive_config cfg;
    ecsim_predictive_state state;
    ecsim_tt_config tt;
    ecsim_tt_state tt_state;
    double last_eval_s;
    bool evaluated;
} pred_policy;

static void *pred_create(const ecsim_policy_config *cfg)
{
    if (!(cfg->tt.target > 0) || !(cfg->predictive.resolution_s > 0) ||
        !(cfg->predictive.scheduling_buffer_s >= 0 &&
          cfg->predictive.scheduling_buffer_s < cfg->predictive.resolution_s))
        return NULL;
    pred_policy *p = ecsim_calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->cfg = cfg->predictive;
    p->tt = cfg->tt;
    ecsim_predictive_state_init(&p->state);
    return p;
}

static int pred_evaluate(void *impl, const ecsim_policy_obs *obs, ecsim_decision *d)
{
    pred_policy *p = impl;
    if (p->evaluated)
        ecsim_tt_state_advance(&p->tt_state, obs->now_s - p->last_eval_s);
    p->last_eval_s = obs->now_s;
    p->evaluated = true;
    ecsim_tt_input in = {
        .current = obs->current,
        .measured = obs->running,
        .min = obs->min,
        .max = obs->max,
        .datapoints = obs->datapoints,
        .datapoint_count = obs->datapoint_count,
        .deployment_in_progress = obs->deployment_in_progress,
    };
    ecsim_tt_result r;
    int rc = ecsim_tt_evaluate(&p->tt, &p->tt_state, &in, &r, &d->steps);
    if (rc)
        return rc;
    int predicted = ecsim_predictive_capacity(&p->cfg, &p->state, obs->now_s, obs->demand,
                                              obs->demand_count, obs->demand_total,
                                              obs->demand_period_s, &d->steps);
    /* HonorMaxCapacity (reference §1.5 default). */
    if (predicted > obs->max)
        predicted = obs->max;
    d->value = r.metric_value;
    d->target = p->tt.target;
    d->alarm_high = r.alarm_high;
    d->alarm_low = r.alarm_low;
    d->proposal = r.proposal;
    int desired = r.desired;
    if (predicted > desired) {
        ecsim_steps_add(&d->steps, "predictive floor %d > target tracking %d: desired %d",
                        predicted, r.desired, predicted);
        desired = predicted;
    }
    d->clamped = desired;
    d->desired = desired;
    d->action = desired > obs->current ? ECSIM_SCALE_OUT
                : desired < obs->current ? ECSIM_SCALE_IN
                                         : ECSIM_SCALE_NONE;
    if (desired == predicted && predicted > r.desired)
        snprintf(d->reason, sizeof d->reason,
                 "predictive: forecast needs %d tasks (target tracking: %d)", predicted, r.desired);
    else
        snprintf(d->reason, sizeof d->reason, "%s", r.reason);
    return 0;
}

static void pred_destroy(void *impl) { ecsim_free(impl); }

const ecsim_policy_ops ecsim_policy_predictive_ops = {
    .create = pred_create,
    .evaluate = pred_evaluate,
    .destroy = pred_destroy,
};
