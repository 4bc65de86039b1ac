/* The CloudWatch metric alarm (include/ecsim/alarm.h): one pure evaluator
 * over an array of per-period values, used by target tracking, step
 * scaling and `ecsim decide`.
 *
 * The evaluation walks the range once from the newest period backwards; it
 * allocates nothing (the simulation evaluates two alarms per policy every
 * minute), and writes the per-period detail only when the caller asks for
 * it. */
#include "ecsim/alarm.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ecsim/error.h"

void ecsim_alarm_config_defaults(ecsim_alarm_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->comparison = ECSIM_CMP_GREATER;
    cfg->threshold = 0.0;
    cfg->evaluation_periods = 1;
    cfg->datapoints_to_alarm = 1;
    cfg->treat_missing = ECSIM_MISSING_MISSING;
    cfg->evaluation_range_extra = 2;
    cfg->partial = ECSIM_PARTIAL_CLOUDWATCH;
}

void ecsim_alarm_config_tt_high(ecsim_alarm_config *cfg, double target, int datapoints,
                                int periods)
{
    /* Reference §1.2 (OBS [A6][A7]): AlarmHigh, GreaterThanThreshold, 60 s,
     * 3 of 3, threshold = target, Average, missing data = missing. */
    ecsim_alarm_config_defaults(cfg);
    cfg->comparison = ECSIM_CMP_GREATER;
    cfg->threshold = target;
    cfg->evaluation_periods = periods;
    cfg->datapoints_to_alarm = datapoints;
    cfg->evaluation_range_extra = 0;
    cfg->partial = ECSIM_PARTIAL_TARGET_TRACKING;
}

void ecsim_alarm_config_tt_low(ecsim_alarm_config *cfg, double target, double low_ratio,
                               int datapoints, int periods)
{
    /* Reference §1.2 (OBS [A6][A7]): AlarmLow, LessThanThreshold, 60 s,
     * 15 of 15, threshold ≈ 0.9 x target, Average, missing = missing. */
    ecsim_alarm_config_tt_high(cfg, low_ratio * target, datapoints, periods);
    cfg->comparison = ECSIM_CMP_LESS;
}

int ecsim_alarm_config_validate(const ecsim_alarm_config *cfg)
{
    int n = cfg->evaluation_periods;
    if (n < 1 || n > 100000 || cfg->datapoints_to_alarm < 0 || cfg->datapoints_to_alarm > n ||
        !isfinite(cfg->threshold) || cfg->evaluation_range_extra < 0 ||
        cfg->evaluation_range_extra > 100000 || (unsigned)cfg->comparison > ECSIM_CMP_LESS_OR_EQUAL ||
        (unsigned)cfg->treat_missing > ECSIM_MISSING_IGNORE ||
        (unsigned)cfg->partial > ECSIM_PARTIAL_TARGET_TRACKING)
        return ECSIM_EINVAL;
    return 0;
}

bool ecsim_alarm_breaches(ecsim_comparison cmp, double value, double threshold)
{
    switch (cmp) {
    case ECSIM_CMP_GREATER: return value > threshold;
    case ECSIM_CMP_GREATER_OR_EQUAL: return value >= threshold;
    case ECSIM_CMP_LESS: return value < threshold;
    case ECSIM_CMP_LESS_OR_EQUAL: return value <= threshold;
    }
    return false;
}

const char *ecsim_alarm_state_name(ecsim_alarm_state s)
{
    switch (s) {
    case ECSIM_ALARM_OK: return "OK";
    case ECSIM_ALARM_ALARM: return "ALARM";
    case ECSIM_ALARM_INSUFFICIENT_DATA: return "INSUFFICIENT_DATA";
    case ECSIM_ALARM_NA: break;
    }
    return "";
}

const char *ecsim_comparison_symbol(ecsim_comparison cmp)
{
    switch (cmp) {
    case ECSIM_CMP_GREATER: return ">";
    case ECSIM_CMP_GREATER_OR_EQUAL: return ">=";
    case ECSIM_CMP_LESS: return "<";
    case ECSIM_CMP_LESS_OR_EQUAL: return "<=";
    }
    return "?";
}

const char *ecsim_treat_missing_name(ecsim_treat_missing t)
{
    switch (t) {
    case ECSIM_MISSING_MISSING: return "missing";
    case ECSIM_MISSING_NOT_BREACHING: return "notBreaching";
    case ECSIM_MISSING_BREACHING: return "breaching";
    case ECSIM_MISSING_IGNORE: return "ignore";
    }
    return "?";
}

/* The value of range position i (0 = oldest of `range`), NAN if missing. */
static double range_value(const double *values, size_t count, size_t range, size_t i)
{
    if (count + i < range)
        return NAN; /* before the first value given */
    return values[count + i - range];
}

ecsim_alarm_state ecsim_alarm_evaluate(const ecsim_alarm_config *cfg, ecsim_alarm_state previous,
                                       const double *values, size_t count,
                                       ecsim_alarm_result *result, ecsim_alarm_point *points)
{
    ecsim_alarm_result scratch;
    if (!result)
        result = &scratch;
    memset(result, 0, sizeof *result);
    if (previous == ECSIM_ALARM_NA)
        previous = ECSIM_ALARM_INSUFFICIENT_DATA;
    result->previous = previous;
    result->state = ECSIM_ALARM_INSUFFICIENT_DATA;
    if (ecsim_alarm_config_validate(cfg) != 0) {
        snprintf(result->reason, sizeof result->reason, "invalid alarm configuration");
        return result->state;
    }
    const int n = cfg->evaluation_periods;
    const int need_m = cfg->datapoints_to_alarm ? cfg->datapoints_to_alarm : n;
    const size_t range = (size_t)n + (size_t)cfg->evaluation_range_extra;
    const char *sym = ecsim_comparison_symbol(cfg->comparison);
    result->range = range;
    result->needed = need_m;

    /* 1. the evaluation range: real datapoints and which of them breach */
    int real = 0;
    for (size_t i = 0; i < range; i++) {
        double v = range_value(values, count, range, i);
        bool missing = isnan(v);
        real += !missing;
        if (points)
            points[i] = (ecsim_alarm_point){
                .value = v,
                .missing = missing,
                .breaching = !missing && ecsim_alarm_breaches(cfg->comparison, v, cfg->threshold),
            };
    }
    result->real = real;

    /* 2. enough real datapoints: the newest N real ones decide */
    if (real >= n) {
        int used = 0, breaching = 0;
        for (size_t i = range; i-- > 0 && used < n;) {
            double v = range_value(values, count, range, i);
            if (isnan(v))
                continue;
            used++;
            breaching += ecsim_alarm_breaches(cfg->comparison, v, cfg->threshold);
            if (points)
                points[i].used = true;
        }
        result->breaching = breaching;
        snprintf(result->reason, sizeof result->reason,
                 "%d of the newest %d datapoints %s %g (ALARM needs %d)", breaching, n, sym,
                 cfg->threshold, need_m);
        result->state = breaching >= need_m ? ECSIM_ALARM_ALARM : ECSIM_ALARM_OK;
        return result->state;
    }

    /* 3. fewer than N real datapoints: all of them, plus N - real missing
     * ones (the newest) filled by the treatment */
    const bool fill_counts = cfg->treat_missing == ECSIM_MISSING_BREACHING ||
                             cfg->treat_missing == ECSIM_MISSING_NOT_BREACHING;
    int fills = n - real, real_breaching = 0;
    for (size_t i = range; i-- > 0;) {
        double v = range_value(values, count, range, i);
        if (!isnan(v)) {
            real_breaching += ecsim_alarm_breaches(cfg->comparison, v, cfg->threshold);
            if (points)
                points[i].used = true;
        } else if (fills > 0) {
            fills--;
            if (points) {
                points[i].used = fill_counts;
                points[i].breaching = cfg->treat_missing == ECSIM_MISSING_BREACHING;
            }
        }
    }
    const int missing_used = n - real;
    const char *treat = ecsim_treat_missing_name(cfg->treat_missing);
    ecsim_alarm_state state = previous;
    switch (cfg->treat_missing) {
    case ECSIM_MISSING_BREACHING:
    case ECSIM_MISSING_NOT_BREACHING: {
        int breaching =
            real_breaching + (cfg->treat_missing == ECSIM_MISSING_BREACHING ? missing_used : 0);
        result->breaching = breaching;
        state = breaching >= need_m ? ECSIM_ALARM_ALARM : ECSIM_ALARM_OK;
        snprintf(result->reason, sizeof result->reason,
                 "%d of %d datapoints %s %g with %d missing treated as %s (ALARM needs %d)",
                 breaching, n, sym, cfg->threshold, missing_used, treat, need_m);
        break;
    }
    case ECSIM_MISSING_IGNORE: {
        bool decided = true;
        result->breaching = real_breaching;
        if (real > 0 && real_breaching >= need_m)
            state = ECSIM_ALARM_ALARM;
        else if (real > 0 && real - real_breaching > n - need_m)
            state = ECSIM_ALARM_OK;
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
            state = ECSIM_ALARM_INSUFFICIENT_DATA;
            snprintf(result->reason, sizeof result->reason,
                     "no datapoint in the last %zu periods (missing data: missing)", range);
        } else if (cfg->partial == ECSIM_PARTIAL_TARGET_TRACKING && count < (size_t)n) {
            /* Reference §1.2: fewer periods than the alarm evaluates yet. */
            state = ECSIM_ALARM_INSUFFICIENT_DATA;
            result->breaching = real_breaching;
            snprintf(result->reason, sizeof result->reason,
                     "%zu of %d periods of history (missing data: missing)", count, n);
        } else {
            int needed = cfg->partial == ECSIM_PARTIAL_TARGET_TRACKING || need_m < real ? need_m
                                                                                          : real;
            result->breaching = real_breaching;
            result->needed = needed;
            state = real_breaching >= needed ? ECSIM_ALARM_ALARM : ECSIM_ALARM_OK;
            snprintf(result->reason, sizeof result->reason,
                     "%d of %d real datapoints %s %g, %d missing not counted (ALARM needs %d)",
                     real_breaching, real, sym, cfg->threshold, missing_used, needed);
        }
        break;
    }
    result->state = state;
    return state;
}
