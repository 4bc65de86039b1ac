/* AWS Application Auto Scaling step scaling (reference §1.3).
 *
 * A breached alarm invokes the policy with the aggregated metric value; the
 * step whose interval (relative to the alarm threshold) contains the value
 * gives the adjustment. Bound inclusivity depends on the side of the
 * threshold; PercentChangeInCapacity has its own rounding and
 * MinAdjustmentMagnitude; the cooldown applies only the excess of a larger
 * scale-out and blocks scale-in. The result is clamped to [min, max]. */
#include "ecsim/policy.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ecsim/alloc.h"
#include "ecsim/error.h"
#include "ecsim/output.h"

void ecsim_step_config_defaults(ecsim_step_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->adjustment_type = ECSIM_ADJ_CHANGE_IN_CAPACITY;
    cfg->aggregation = ECSIM_AGG_AVERAGE;   /* default when null (reference §1.3) */
    cfg->alarm_datapoints = 1;              /* user alarm: 1 of 1 (our choice) */
    cfg->alarm_periods = 1;
    cfg->cooldown_s = 300.0;                /* ECS default (reference §1.3) */
}

void ecsim_step_state_advance(ecsim_step_state *st, double elapsed_s)
{
    st->cooldown_remaining_s = fmax(0.0, st->cooldown_remaining_s - elapsed_s);
}

static int step_cmp_lower(const void *a, const void *b)
{
    const ecsim_step_adjustment *x = *(const ecsim_step_adjustment *const *)a;
    const ecsim_step_adjustment *y = *(const ecsim_step_adjustment *const *)b;
    double lx = x->has_lower ? x->lower : -INFINITY;
    double ly = y->has_lower ? y->lower : -INFINITY;
    return (lx > ly) - (lx < ly);
}

int ecsim_step_config_validate(const ecsim_step_config *cfg, char *why, size_t why_size)
{
    char dummy[8];
    if (!why) {
        why = dummy;
        why_size = sizeof dummy;
    }
    why[0] = '\0';
    if (cfg->step_count == 0 || cfg->step_count > ECSIM_STEP_MAX) {
        snprintf(why, why_size, "between 1 and %d steps are needed", ECSIM_STEP_MAX);
        return ECSIM_EINVAL;
    }
    if (cfg->min_adjustment_magnitude < 0 ||
        (cfg->min_adjustment_magnitude > 0 &&
         cfg->adjustment_type != ECSIM_ADJ_PERCENT_CHANGE_IN_CAPACITY)) {
        snprintf(why, why_size,
                 "min_adjustment_magnitude must be >= 0 and is only valid with "
                 "percent_change_in_capacity");
        return ECSIM_EINVAL;
    }
    const ecsim_step_adjustment *sorted[ECSIM_STEP_MAX];
    int null_lower = 0, null_upper = 0;
    for (size_t i = 0; i < cfg->step_count; i++) {
        const ecsim_step_adjustment *s = &cfg->steps[i];
        sorted[i] = s;
        if (!s->has_lower && !s->has_upper) {
            snprintf(why, why_size, "step %zu has neither lower nor upper bound", i + 1);
            return ECSIM_EINVAL;
        }
        if ((s->has_lower && !isfinite(s->lower)) || (s->has_upper && !isfinite(s->upper))) {
            snprintf(why, why_size, "step %zu has a non-finite bound", i + 1);
            return ECSIM_EINVAL;
        }
        if (s->has_lower && s->has_upper && !(s->lower < s->upper)) {
            snprintf(why, why_size, "step %zu: lower must be below upper", i + 1);
            return ECSIM_EINVAL;
        }
        if (cfg->adjustment_type == ECSIM_ADJ_EXACT_CAPACITY && s->adjustment < 0) {
            snprintf(why, why_size, "step %zu: exact_capacity adjustment must be >= 0", i + 1);
            return ECSIM_EINVAL;
        }
        null_lower += !s->has_lower;
        null_upper += !s->has_upper;
    }
    /* At most one null lower and one null upper bound (reference §1.3). */
    if (null_lower > 1 || null_upper > 1) {
        snprintf(why, why_size, "at most one step may omit lower and one may omit upper");
        return ECSIM_EINVAL;
    }
    qsort(sorted, cfg->step_count, sizeof sorted[0], step_cmp_lower);
    /* No overlap, no gap: each step begins where the previous one ends. */
    for (size_t i = 0; i + 1 < cfg->step_count; i++) {
        const ecsim_step_adjustment *a = sorted[i], *b = sorted[i + 1];
        if (!a->has_upper || !b->has_lower || a->upper != b->lower) {
            snprintf(why, why_size, "steps overlap or leave a gap near %s",
                     a->has_upper ? "an upper bound" : "an unbounded step");
            if (a->has_upper && b->has_lower) {
                char b1[64], b2[64];
                snprintf(why, why_size, "steps %s at %s and %s: ranges must meet exactly",
                         a->upper > b->lower ? "overlap" : "leave a gap",
                         ecsim_fmt_num(b1, sizeof b1, a->upper),
                         ecsim_fmt_num(b2, sizeof b2, b->lower));
            }
            return ECSIM_EINVAL;
        }
    }
    return 0;
}

double ecsim_step_aggregate(ecsim_aggregation agg, const double *datapoints, size_t count,
                            size_t n)
{
    if (n == 0 || count == 0)
        return NAN;
    size_t from = count > n ? count - n : 0;
    double acc = NAN, sum = 0;
    size_t used = 0;
    for (size_t i = from; i < count; i++) {
        double v = datapoints[i];
        if (isnan(v))
            continue;
        if (used == 0)
            acc = v;
        else if (agg == ECSIM_AGG_MINIMUM && v < acc)
            acc = v;
        else if (agg == ECSIM_AGG_MAXIMUM && v > acc)
            acc = v;
        sum += v;
        used++;
    }
    if (used == 0)
        return NAN;
    return agg == ECSIM_AGG_AVERAGE ? sum / (double)used : acc;
}

int ecsim_step_percent_delta(int current, double percent, int min_magnitude)
{
    /* Rounding of PercentChangeInCapacity (reference §1.3): > 1 floor,
     * 0 < x < 1 -> 1, -1 < x < 0 -> -1, < -1 ceil (toward zero). */
    double x = (double)current * percent / 100.0;
    int delta;
    if (x > 1)
        delta = (int)floor(x);
    else if (x > 0)
        delta = 1;
    else if (x == 0)
        delta = 0;
    else if (x > -1)
        delta = -1;
    else
        delta = (int)ceil(x);
    /* MinAdjustmentMagnitude raises |delta| (25 % of 4 = 1, min 2 => +2). */
    if (delta != 0 && min_magnitude > 0 && abs(delta) < min_magnitude)
        delta = delta > 0 ? min_magnitude : -min_magnitude;
    return delta;
}

static bool step_matches_above(const ecsim_step_adjustment *s, double diff)
{
    /* Above the threshold: lower inclusive, upper exclusive. */
    return (!s->has_lower || s->lower <= diff) && (!s->has_upper || diff < s->upper);
}

static bool step_matches_below(const ecsim_step_adjustment *s, double diff)
{
    /* Below the threshold: lower exclusive, upper inclusive. */
    return (!s->has_lower || s->lower < diff) && (!s->has_upper || diff <= s->upper);
}

static const char *adj_name(ecsim_adjustment_type t)
{
    switch (t) {
    case ECSIM_ADJ_PERCENT_CHANGE_IN_CAPACITY: return "percent_change_in_capacity";
    case ECSIM_ADJ_EXACT_CAPACITY: return "exact_capacity";
    case ECSIM_ADJ_CHANGE_IN_CAPACITY: break;
    }
    return "change_in_capacity";
}

static void bound_text(char *buf, size_t size, const ecsim_step_adjustment *s)
{
    char lo[64], hi[64];
    snprintf(buf, size, "[%s, %s)", s->has_lower ? ecsim_fmt_num(lo, sizeof lo, s->lower) : "-inf",
             s->has_upper ? ecsim_fmt_num(hi, sizeof hi, s->upper) : "+inf");
}

int ecsim_step_evaluate(const ecsim_step_config *cfg, ecsim_step_state *st, int current,
                        int min, int max, double metric_value, ecsim_step_result *out,
                        ecsim_steps *steps)
{
    char b1[64], b2[64], b3[64];
    memset(out, 0, sizeof *out);
    out->metric_value = metric_value;
    out->step_index = -1;
    out->proposal = current;
    out->desired = current;
    out->action = ECSIM_SCALE_NONE;
    if (ecsim_step_config_validate(cfg, NULL, 0) != 0 || current < 0 || min < 0 || min > max)
        return ECSIM_EINVAL;
    if (isnan(metric_value)) {
        snprintf(out->reason, sizeof out->reason, "no metric value: no scaling");
        ecsim_steps_add(steps, "metric missing: the alarm has insufficient data, no action");
        return 0;
    }

    double diff = metric_value - cfg->threshold;
    ecsim_steps_add(steps, "metric %s - threshold %s = %s", ecsim_fmt_num(b1, sizeof b1, metric_value),
                    ecsim_fmt_num(b2, sizeof b2, cfg->threshold),
                    ecsim_fmt_num(b3, sizeof b3, diff));
    /* At or above the threshold the above-rule applies, below it the
     * below-rule (reference §1.3); exactly at the threshold the above-rule
     * is tried first, then the below-rule. */
    int idx = -1;
    if (diff >= 0)
        for (size_t i = 0; i < cfg->step_count && idx < 0; i++)
            if (step_matches_above(&cfg->steps[i], diff))
                idx = (int)i;
    if (idx < 0 && diff <= 0)
        for (size_t i = 0; i < cfg->step_count && idx < 0; i++)
            if (step_matches_below(&cfg->steps[i], diff))
                idx = (int)i;
    if (idx < 0) {
        snprintf(out->reason, sizeof out->reason,
                 "metric %s is in no step interval: no scaling",
                 ecsim_fmt_num(b1, sizeof b1, metric_value));
        ecsim_steps_add(steps, "no step contains %s: no action", ecsim_fmt_num(b1, sizeof b1, diff));
        return 0;
    }
    const ecsim_step_adjustment *s = &cfg->steps[idx];
    out->step_index = idx;
    char interval[80];
    bound_text(interval, sizeof interval, s);
    if (diff < 0 || (diff == 0 && !step_matches_above(s, diff))) {
        /* Print below-threshold intervals as (lower, upper]. */
        char lo[64], hi[64];
        snprintf(interval, sizeof interval, "(%s, %s]",
                 s->has_lower ? ecsim_fmt_num(lo, sizeof lo, s->lower) : "-inf",
                 s->has_upper ? ecsim_fmt_num(hi, sizeof hi, s->upper) : "+inf");
    }
    ecsim_steps_add(steps, "step %d %s matches (%s the threshold), adjustment %d (%s)", idx + 1,
                    interval, diff >= 0 && step_matches_above(s, diff) ? "at or above" : "below",
                    s->adjustment, adj_name(cfg->adjustment_type));

    int delta;
    switch (cfg->adjustment_type) {
    case ECSIM_ADJ_PERCENT_CHANGE_IN_CAPACITY:
        delta = ecsim_step_percent_delta(current, s->adjustment, cfg->min_adjustment_magnitude);
        ecsim_steps_add(steps,
                        "percent: %d x %d / 100 = %s, rounded to %+d (> 1 floor, (0,1) -> 1, "
                        "(-1,0) -> -1, < -1 toward 0)%s",
                        current, s->adjustment,
                        ecsim_fmt_num(b1, sizeof b1, (double)current * s->adjustment / 100.0), delta,
                        cfg->min_adjustment_magnitude > 0 ? ", then min_adjustment_magnitude" : "");
        break;
    case ECSIM_ADJ_EXACT_CAPACITY:
        delta = s->adjustment - current;
        ecsim_steps_add(steps, "exact capacity %d: change %+d", s->adjustment, delta);
        break;
    case ECSIM_ADJ_CHANGE_IN_CAPACITY:
    default:
        delta = s->adjustment;
        ecsim_steps_add(steps, "change in capacity: %+d", delta);
        break;
    }
    out->raw_delta = delta;
    out->proposal = current + delta;
    int applied = delta;

    /* Cooldown (reference §1.3). */
    bool in_cooldown = st->cooldown_remaining_s > 0;
    if (in_cooldown) {
        ecsim_steps_add(steps, "cooldown: %s s remaining, last adjustment %+d",
                        ecsim_fmt_num(b1, sizeof b1, st->cooldown_remaining_s),
                        st->last_adjustment);
        if (delta > 0 && st->last_adjustment > 0) {
            /* Scale-out during a scale-out cooldown: only the excess. */
            applied = delta - st->last_adjustment;
            if (applied <= 0) {
                ecsim_steps_add(steps, "scale-out %+d is not larger than the last %+d: no action",
                                delta, st->last_adjustment);
                snprintf(out->reason, sizeof out->reason,
                         "in cooldown: step %+d does not exceed the previous scale-out %+d",
                         delta, st->last_adjustment);
                out->applied_delta = 0;
                return 0;
            }
            ecsim_steps_add(steps, "only the excess is applied: %+d - %+d = %+d", delta,
                            st->last_adjustment, applied);
        } else if (delta > 0) {
            ecsim_steps_add(steps, "scale-out during a scale-in cooldown is immediate and ends it");
        } else if (delta < 0) {
            ecsim_steps_add(steps, "scale-in is blocked until the cooldown ends");
            snprintf(out->reason, sizeof out->reason,
                     "in cooldown: scale-in %+d blocked (%s s remaining)", delta,
                     ecsim_fmt_num(b1, sizeof b1, st->cooldown_remaining_s));
            out->applied_delta = 0;
            return 0;
        }
    }
    out->applied_delta = applied;
    int desired = current + applied;
    int clamped = desired < min ? min : desired > max ? max : desired;
    if (clamped != desired)
        ecsim_steps_add(steps, "clamp %d to [%d, %d]: %d", desired, min, max, clamped);
    out->desired = clamped;
    if (clamped > current)
        out->action = ECSIM_SCALE_OUT;
    else if (clamped < current)
        out->action = ECSIM_SCALE_IN;
    if (out->action != ECSIM_SCALE_NONE) {
        st->cooldown_remaining_s = cfg->cooldown_s;
        st->last_adjustment = delta;
        ecsim_steps_add(steps, "%s %d -> %d; cooldown %s s starts",
                        out->action == ECSIM_SCALE_OUT ? "scale out" : "scale in", current,
                        clamped, ecsim_fmt_num(b1, sizeof b1, cfg->cooldown_s));
        snprintf(out->reason, sizeof out->reason, "step %d (%s): %+d, %d -> %d%s", idx + 1,
                 interval, applied, current, clamped, clamped != desired ? " (clamped)" : "");
    } else {
        ecsim_steps_add(steps, "desired stays %d", current);
        snprintf(out->reason, sizeof out->reason, "step %d (%s): no change to %d", idx + 1,
                 interval, current);
    }
    return 0;
}

/* ---- the simulation-facing policy ---------------------------------------------------- */

typedef struct step_policy {
    ecsim_step_config cfg;
    ecsim_step_state state;
    double last_eval_s;
    bool evaluated;
    bool has_out, has_in;          /* steps above / below the threshold exist */
} step_policy;

static void *step_create(const ecsim_policy_config *cfg)
{
    if (ecsim_step_config_validate(&cfg->step, NULL, 0) != 0)
        return NULL;
    step_policy *p = ecsim_calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->cfg = cfg->step;
    for (size_t i = 0; i < p->cfg.step_count; i++) {
        const ecsim_step_adjustment *s = &p->cfg.steps[i];
        if (!s->has_upper || s->upper > 0)
            p->has_out = true;
        if (!s->has_lower || s->lower < 0)
            p->has_in = true;
    }
    return p;
}

static int step_policy_evaluate(void *impl, const ecsim_policy_obs *obs, ecsim_decision *d)
{
    step_policy *p = impl;
    char b1[64];
    if (p->evaluated)
        ecsim_step_state_advance(&p->state, obs->now_s - p->last_eval_s);
    p->last_eval_s = obs->now_s;
    p->evaluated = true;
    d->target = p->cfg.threshold;
    /* The alarms that invoke the policy: a high alarm (metric >= threshold)
     * for steps above the threshold and a low one for steps below, each
     * alarm_datapoints of alarm_periods; re-invoked at every evaluation
     * while in ALARM (reference §1.2 [C3]). */
    ecsim_alarm_config alarm;
    ecsim_alarm_config_defaults(&alarm);
    alarm.threshold = p->cfg.threshold;
    alarm.datapoints_to_alarm = p->cfg.alarm_datapoints;
    alarm.evaluation_periods = p->cfg.alarm_periods;
    /* MODEL: the same missing-data handling as target tracking's alarms
     * (missing, no range beyond N, a missing datapoint never helps fire). */
    alarm.evaluation_range_extra = 0;
    alarm.partial = ECSIM_PARTIAL_TARGET_TRACKING;
    if (p->has_out) {
        alarm.comparison = ECSIM_CMP_GREATER_OR_EQUAL;
        d->alarm_high = ecsim_alarm_evaluate(&alarm, p->state.alarm_high_state, obs->datapoints,
                                             obs->datapoint_count, NULL, NULL);
        p->state.alarm_high_state = d->alarm_high;
    }
    if (p->has_in) {
        alarm.comparison = ECSIM_CMP_LESS_OR_EQUAL;
        d->alarm_low = ecsim_alarm_evaluate(&alarm, p->state.alarm_low_state, obs->datapoints,
                                            obs->datapoint_count, NULL, NULL);
        p->state.alarm_low_state = d->alarm_low;
    }
    double value = ecsim_step_aggregate(p->cfg.aggregation, obs->datapoints,
                                        obs->datapoint_count, (size_t)p->cfg.alarm_periods);
    d->value = value;
    ecsim_steps_add(&d->steps, "aggregated metric over the last %d datapoint(s): %s",
                    p->cfg.alarm_periods, isnan(value) ? "missing" : ecsim_fmt_num(b1, sizeof b1, value));
    if (d->alarm_high != ECSIM_ALARM_ALARM && d->alarm_low != ECSIM_ALARM_ALARM) {
        d->proposal = obs->current;
        d->clamped = obs->current;
        d->desired = obs->current;
        snprintf(d->reason, sizeof d->reason, "no alarm in ALARM: no scaling");
        return 0;
    }
    ecsim_step_result r;
    int rc = ecsim_step_evaluate(&p->cfg, &p->state, obs->current, obs->min, obs->max, value, &r,
                                 &d->steps);
    if (rc)
        return rc;
    d->proposal = r.proposal;
    d->limited = obs->current + r.applied_delta;
    d->clamped = r.desired;
    d->desired = r.desired;
    d->action = r.action;
    snprintf(d->reason, sizeof d->reason, "%s", r.reason);
    return 0;
}

static void step_destroy(void *impl) { ecsim_free(impl); }

/* Step scaling's own check of a loaded section (the schema checks each
 * step alone): the whole list, on exactly the config the policy gets. */
static int step_validate(const ecsim_autoscaler_spec *spec, ecsim_policy_report_fn *report,
                         void *ctx)
{
    if (spec->step_scaling.step_count == 0)
        return 0; /* the default steps (sim/policy/policy.c) */
    ecsim_policy_config cfg;
    ecsim_policy_config_defaults(&cfg, spec);
    char why[200], message[320];
    if (ecsim_step_config_validate(&cfg.step, why, sizeof why) != 0) {
        snprintf(message, sizeof message,
                 "autoscaler.step_scaling.steps: %s (reference §1.3)", why);
        report(ctx, "autoscaler.step_scaling.steps", NULL, message);
    }
    return 0;
}

/* `ecsim decide` for step scaling: one ecsim_step_evaluate. */
static int decide_step(const struct ecsim_decide_input *in, int *desired, char *reason,
                       size_t reason_size, ecsim_steps *steps)
{
    ecsim_step_state st = in->step_state;
    ecsim_step_result r;
    int rc = ecsim_step_evaluate(&in->step, &st, in->current, in->min, in->max, in->metric_value,
                                 &r, steps);
    if (rc)
        return rc;
    *desired = r.desired;
    snprintf(reason, reason_size, "%s", r.reason);
    return 0;
}

const ecsim_policy_ops ecsim_policy_step_scaling_ops = {
    .create = step_create,
    .evaluate = step_policy_evaluate,
    .destroy = step_destroy,
    .validate = step_validate,
    .decide = decide_step,
};
