/* AWS Application Auto Scaling target tracking (reference §1.2).
 *
 * AAS creates two alarms per policy: AlarmHigh (metric > target, 3 of 3
 * one-minute datapoints) and AlarmLow (metric < 0.9 x target, 15 of 15).
 * The capacity formula is unpublished; we implement the reference's MODEL
 * exactly: D = ceil(C x m / T) for both directions, scale-in only when
 * D < C, C the RUNNING task count (capacity_basis running, the scenario
 * default, [A8]) or the desired count (capacity_basis desired), and the
 * scale-from-zero rule (min 0, no task: one datapoint showing demand scales
 * out to 1). Cooldowns follow the documented semantics: a scale-out cooldown
 * only lets a *larger* scale-out through, the scale-in cooldown blocks
 * scale-in, and a scale-out during the scale-in cooldown is immediate and
 * cancels it. The alarm counts, the 0.9 ratio and the cooldowns are config
 * fields (OBS / DOC defaults). */
#include "ecsim/policy.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ecsim/alloc.h"
#include "ecsim/error.h"
#include "ecsim/output.h"

void ecsim_tt_config_defaults(ecsim_tt_config *cfg, double target)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->target = target;
    cfg->alarm_high_datapoints = 3; /* 3 of 3 (reference §1.2, OBS) */
    cfg->alarm_high_periods = 3;
    cfg->alarm_low_datapoints = 15; /* 15 of 15 (reference §1.2, OBS) */
    cfg->alarm_low_periods = 15;
    cfg->scale_in_ratio = 0.9;      /* AlarmLow at ~0.9 x target (reference §1.2, OBS) */
    cfg->scale_out_cooldown_s = 300.0;
    cfg->scale_in_cooldown_s = 300.0;
    cfg->disable_scale_in = false;
}

void ecsim_tt_state_advance(ecsim_tt_state *st, double elapsed_s)
{
    st->scale_out_cooldown_remaining_s = fmax(0.0, st->scale_out_cooldown_remaining_s - elapsed_s);
    st->scale_in_cooldown_remaining_s = fmax(0.0, st->scale_in_cooldown_remaining_s - elapsed_s);
}

/* D = ceil(C x m / T); a tiny epsilon keeps 4 x 75 / 60 = 5 from becoming
 * 6 through binary rounding. C = 0 => 1 (scale from zero, MODEL). */
static int tt_capacity(int current, double m, double target)
{
    if (current == 0)
        return m > 0 ? 1 : 0;
    double d = (double)current * m / target;
    double c = ceil(d - 1e-9);
    if (c > 1e9)
        c = 1e9;
    return c < 0 ? 0 : (int)c;
}

static void no_action(ecsim_tt_result *out, int current, const char *why)
{
    out->desired = current;
    out->action = ECSIM_SCALE_NONE;
    snprintf(out->reason, sizeof out->reason, "%s", why);
}

/* m of the formula (MODEL, reference §8 gap 1): the most recent datapoint,
 * or the average of the `periods` most recent present datapoints the alarm
 * evaluated. Records the value used in out->metric_value. */
static double formula_value(const ecsim_tt_config *cfg, const ecsim_tt_input *in, int periods,
                            double latest, ecsim_tt_result *out, ecsim_steps *steps)
{
    if (cfg->metric_value != ECSIM_TT_VALUE_ALARM_AVERAGE)
        return latest;
    double sum = 0;
    int n = 0;
    for (size_t i = in->datapoint_count; i-- > 0 && (int)(in->datapoint_count - i) <= periods;) {
        if (!isnan(in->datapoints[i])) {
            sum += in->datapoints[i];
            n++;
        }
    }
    if (n == 0)
        return latest;
    char b1[64];
    out->metric_value = sum / n;
    ecsim_steps_add(steps, "metric_value alarm_average: m = average of the alarm's %d datapoints = %s",
                    n, ecsim_fmt_num(b1, sizeof b1, out->metric_value));
    return out->metric_value;
}

static void explain_basis(const ecsim_tt_config *cfg, int current, int c_formula,
                          ecsim_steps *steps)
{
    if (cfg->capacity_basis == ECSIM_TT_BASIS_RUNNING)
        ecsim_steps_add(steps, "capacity_basis running: C = %d RUNNING tasks (desired count %d)",
                        c_formula, current);
}

int ecsim_tt_evaluate(const ecsim_tt_config *cfg, ecsim_tt_state *st, const ecsim_tt_input *in,
                      ecsim_tt_result *out, ecsim_steps *steps)
{
    char b1[64], b2[64], b3[64], b4[64];
    memset(out, 0, sizeof *out);
    out->metric_value = NAN;
    out->proposal = in->current;
    out->desired = in->current;
    out->scale_in_enabled = !cfg->disable_scale_in;
    if (!(cfg->target > 0) || in->current < 0 || in->min < 0 || in->min > in->max ||
        cfg->alarm_high_datapoints <= 0 || cfg->alarm_high_periods < cfg->alarm_high_datapoints ||
        cfg->alarm_low_datapoints <= 0 || cfg->alarm_low_periods < cfg->alarm_low_datapoints)
        return ECSIM_EINVAL;

    const int C = in->current;
    /* C of the formula: under basis running (the default of a scenario) the
     * tasks RUNNING at this evaluation, "the value that Service Auto Scaling
     * uses as its starting point, as opposed to the desired count ... This
     * prevents excessive (runaway) scaling" (reference §1.2, [A8]); under
     * basis desired the desired count (the older MODEL, reference §8 gap 1).
     * With no task running the formula gives at most 1 (tt_capacity), so
     * tasks that lag behind a scale-out never compound it. */
    const bool running_basis = cfg->capacity_basis == ECSIM_TT_BASIS_RUNNING;
    const int Cf = running_basis ? (in->measured > 0 ? in->measured : 0) : C;
    const double T = cfg->target;
    const double low_threshold = cfg->scale_in_ratio * T;
    if (in->datapoint_count > 0)
        out->metric_value = in->datapoints[in->datapoint_count - 1];
    double m = out->metric_value;

    /* The two alarms (reference §1.2): AlarmHigh GreaterThanThreshold at the
     * target, AlarmLow LessThanThreshold at ratio x target. */
    ecsim_alarm_config high, low;
    ecsim_alarm_config_tt_high(&high, T, cfg->alarm_high_datapoints, cfg->alarm_high_periods);
    ecsim_alarm_config_tt_low(&low, T, cfg->scale_in_ratio, cfg->alarm_low_datapoints,
                              cfg->alarm_low_periods);
    out->alarm_high = ecsim_alarm_evaluate(&high, st->alarm_high_state, in->datapoints,
                                           in->datapoint_count, NULL, NULL);
    out->alarm_low = ecsim_alarm_evaluate(&low, st->alarm_low_state, in->datapoints,
                                          in->datapoint_count, NULL, NULL);
    st->alarm_high_state = out->alarm_high;
    st->alarm_low_state = out->alarm_low;
    ecsim_steps_add(steps, "datapoints: %zu, most recent m = %s", in->datapoint_count,
                    isnan(m) ? "missing" : ecsim_fmt_num(b1, sizeof b1, m));
    ecsim_steps_add(steps, "AlarmHigh (m > %s, %d of %d datapoints): %s",
                    ecsim_fmt_num(b1, sizeof b1, T), cfg->alarm_high_datapoints,
                    cfg->alarm_high_periods, ecsim_alarm_state_name(out->alarm_high));
    ecsim_steps_add(steps, "AlarmLow (m < %s = %s x target, %d of %d datapoints): %s",
                    ecsim_fmt_num(b1, sizeof b1, low_threshold),
                    ecsim_fmt_num(b2, sizeof b2, cfg->scale_in_ratio), cfg->alarm_low_datapoints,
                    cfg->alarm_low_periods, ecsim_alarm_state_name(out->alarm_low));

    /* Scale from zero (reference §1.2, [A8]): with no task and MinCapacity
     * 0, AAS waits for one datapoint that shows demand (not the alarm's M
     * of N), scales out by the smallest amount, one task, and then resumes
     * tracking from the running count. */
    if (running_basis && C == 0 && in->measured <= 0 && in->min == 0 && !isnan(m) && m > 0) {
        int desired = in->max < 1 ? in->max : 1;
        out->proposal = 1;
        ecsim_steps_add(steps, "scale from zero: no task, min 0, one datapoint m = %s > 0: scale "
                               "out by the smallest amount",
                        ecsim_fmt_num(b1, sizeof b1, m));
        if (desired <= 0) {
            no_action(out, C, "scale from zero blocked: max is 0");
            return 0;
        }
        out->desired = desired;
        out->action = ECSIM_SCALE_OUT;
        st->scale_in_cooldown_remaining_s = 0;
        st->scale_out_cooldown_remaining_s = cfg->scale_out_cooldown_s;
        st->last_scale_out_to = desired;
        ecsim_steps_add(steps, "scale out 0 -> %d; scale-out cooldown %s s starts", desired,
                        ecsim_fmt_num(b1, sizeof b1, cfg->scale_out_cooldown_s));
        snprintf(out->reason, sizeof out->reason,
                 "scale from zero: one datapoint %s shows demand with no task and min 0, scale "
                 "out by the smallest amount to %d",
                 ecsim_fmt_num(b1, sizeof b1, m), desired);
        return 0;
    }

    if (out->alarm_high == ECSIM_ALARM_ALARM && !isnan(m)) {
        m = formula_value(cfg, in, cfg->alarm_high_periods, m, out, steps);
        explain_basis(cfg, C, Cf, steps);
        int D = tt_capacity(Cf, m, T);
        out->proposal = D;
        ecsim_steps_add(steps, "scale-out proposal D = ceil(C x m / T) = ceil(%d x %s / %s) = %d",
                        Cf, ecsim_fmt_num(b1, sizeof b1, m), ecsim_fmt_num(b2, sizeof b2, T), D);
        if (st->scale_out_cooldown_remaining_s > 0) {
            ecsim_steps_add(steps,
                            "scale-out cooldown: %s s remaining, last scale-out to %d; only a "
                            "larger scale-out proceeds",
                            ecsim_fmt_num(b3, sizeof b3, st->scale_out_cooldown_remaining_s),
                            st->last_scale_out_to);
            if (D <= st->last_scale_out_to) {
                snprintf(b4, sizeof b4, "%d", st->last_scale_out_to);
                no_action(out, C, "");
                snprintf(out->reason, sizeof out->reason,
                         "AlarmHigh in ALARM but in scale-out cooldown and D = %d is not larger "
                         "than the last scale-out to %s",
                         D, b4);
                ecsim_steps_add(steps, "D = %d <= %d: skipped", D, st->last_scale_out_to);
                return 0;
            }
        }
        int desired = D > in->max ? in->max : D;
        if (desired < in->min)
            desired = in->min;
        if (desired != D)
            ecsim_steps_add(steps, "clamp to [%d, %d]: %d", in->min, in->max, desired);
        if (desired <= C) {
            no_action(out, C, "");
            snprintf(out->reason, sizeof out->reason,
                     "AlarmHigh in ALARM but desired %d does not exceed current %d (max %d)",
                     desired, C, in->max);
            ecsim_steps_add(steps, "no scale-out: %d <= current %d", desired, C);
            return 0;
        }
        out->desired = desired;
        out->action = ECSIM_SCALE_OUT;
        /* A scale-out during the scale-in cooldown is immediate and cancels
         * it (reference §1.2, ScaleInCooldown). */
        if (st->scale_in_cooldown_remaining_s > 0)
            ecsim_steps_add(steps, "scale-out cancels the scale-in cooldown (%s s remaining)",
                            ecsim_fmt_num(b1, sizeof b1, st->scale_in_cooldown_remaining_s));
        st->scale_in_cooldown_remaining_s = 0;
        st->scale_out_cooldown_remaining_s = cfg->scale_out_cooldown_s;
        st->last_scale_out_to = desired;
        ecsim_steps_add(steps, "scale out %d -> %d; scale-out cooldown %s s starts", C, desired,
                        ecsim_fmt_num(b1, sizeof b1, cfg->scale_out_cooldown_s));
        snprintf(out->reason, sizeof out->reason,
                 "AlarmHigh: metric %s above target %s, scale out to ceil(%d x %s / %s) = %d%s",
                 ecsim_fmt_num(b1, sizeof b1, m), ecsim_fmt_num(b2, sizeof b2, T), Cf,
                 ecsim_fmt_num(b3, sizeof b3, m), ecsim_fmt_num(b4, sizeof b4, T), D,
                 desired != D ? " (clamped)" : "");
        return 0;
    }

    if (out->alarm_low == ECSIM_ALARM_ALARM && !isnan(m)) {
        if (cfg->disable_scale_in) {
            ecsim_steps_add(steps, "disable_scale_in: this policy never removes capacity");
            no_action(out, C, "AlarmLow in ALARM but scale-in is disabled");
            return 0;
        }
        if (in->deployment_in_progress) {
            /* AAS suspends scale-in during an ECS deployment (reference §1.1). */
            ecsim_steps_add(steps, "an ECS deployment is in progress: scale-in is suspended");
            no_action(out, C, "AlarmLow in ALARM but scale-in is suspended during a deployment");
            return 0;
        }
        if (st->scale_in_cooldown_remaining_s > 0) {
            ecsim_steps_add(steps, "scale-in cooldown: %s s remaining, scale-in blocked",
                            ecsim_fmt_num(b1, sizeof b1, st->scale_in_cooldown_remaining_s));
            no_action(out, C, "AlarmLow in ALARM but the scale-in cooldown is running");
            return 0;
        }
        if (running_basis && Cf == 0) {
            ecsim_steps_add(steps, "capacity_basis running: no task RUNNING, no basis to scale in from");
            no_action(out, C, "AlarmLow in ALARM but no task is RUNNING (capacity_basis running)");
            return 0;
        }
        m = formula_value(cfg, in, cfg->alarm_low_periods, m, out, steps);
        explain_basis(cfg, C, Cf, steps);
        int D = tt_capacity(Cf, m, T);
        out->proposal = D;
        ecsim_steps_add(steps,
                        "scale-in proposal D = ceil(C x m / T) = ceil(%d x %s / %s) = %d "
                        "(rounded up: never remove too much)",
                        Cf, ecsim_fmt_num(b1, sizeof b1, m), ecsim_fmt_num(b2, sizeof b2, T), D);
        if (D >= C) {
            ecsim_steps_add(steps, "D = %d is not below current %d: no scale-in", D, C);
            no_action(out, C, "");
            snprintf(out->reason, sizeof out->reason,
                     "AlarmLow in ALARM but D = %d is not below current %d", D, C);
            return 0;
        }
        int desired = D < in->min ? in->min : D;
        if (desired != D)
            ecsim_steps_add(steps, "clamp to min %d: %d", in->min, desired);
        if (desired >= C) {
            no_action(out, C, "");
            snprintf(out->reason, sizeof out->reason,
                     "AlarmLow in ALARM but already at min %d", in->min);
            return 0;
        }
        out->desired = desired;
        out->action = ECSIM_SCALE_IN;
        st->scale_in_cooldown_remaining_s = cfg->scale_in_cooldown_s;
        ecsim_steps_add(steps, "scale in %d -> %d; scale-in cooldown %s s starts", C, desired,
                        ecsim_fmt_num(b1, sizeof b1, cfg->scale_in_cooldown_s));
        snprintf(out->reason, sizeof out->reason,
                 "AlarmLow: metric %s below %s, scale in to ceil(%d x %s / %s) = %d%s",
                 ecsim_fmt_num(b1, sizeof b1, m), ecsim_fmt_num(b2, sizeof b2, low_threshold), Cf,
                 ecsim_fmt_num(b3, sizeof b3, m), ecsim_fmt_num(b4, sizeof b4, T), D,
                 desired != D ? " (clamped)" : "");
        return 0;
    }

    if (out->alarm_high == ECSIM_ALARM_INSUFFICIENT_DATA &&
        out->alarm_low == ECSIM_ALARM_INSUFFICIENT_DATA)
        no_action(out, C, "alarms have insufficient data: no scaling in either direction");
    else
        no_action(out, C, "no alarm in ALARM: metric within the target band");
    ecsim_steps_add(steps, "no action: desired stays %d", C);
    return 0;
}

int ecsim_tt_combine(const ecsim_tt_result *results, size_t n, int current,
                     ecsim_scale_action *action)
{
    *action = ECSIM_SCALE_NONE;
    if (n == 0)
        return current;
    /* Out if any policy says out; the largest capacity wins (reference §1.2). */
    int best = -1;
    for (size_t i = 0; i < n; i++)
        if (results[i].action == ECSIM_SCALE_OUT && results[i].desired > best)
            best = results[i].desired;
    if (best >= 0) {
        *action = ECSIM_SCALE_OUT;
        return best;
    }
    /* In only if every scale-in-enabled policy says in. */
    size_t enabled = 0;
    for (size_t i = 0; i < n; i++) {
        if (!results[i].scale_in_enabled)
            continue;
        enabled++;
        if (results[i].action != ECSIM_SCALE_IN)
            return current;
        if (results[i].desired > best)
            best = results[i].desired;
    }
    if (enabled == 0 || best < 0)
        return current;
    *action = ECSIM_SCALE_IN;
    return best;
}

/* ---- the simulation-facing policy ------------------------------------------------- */

/* The main policy (autoscaler.metric / target) is number 0; more policies
 * (autoscaler.target_tracking_policies) follow, each with its own alarms
 * and cooldown state. */
typedef struct tt_policy {
    ecsim_tt_policy_config policies[1 + ECSIM_TT_MORE_MAX];
    ecsim_tt_state states[1 + ECSIM_TT_MORE_MAX];
    size_t count;
    double last_eval_s;
    bool evaluated;
} tt_policy;

static void *tt_create(const ecsim_policy_config *cfg)
{
    if (!(cfg->tt.target > 0) || cfg->tt_more_count > ECSIM_TT_MORE_MAX)
        return NULL;
    for (size_t i = 0; i < cfg->tt_more_count; i++)
        if (!(cfg->tt_more[i].tt.target > 0))
            return NULL;
    tt_policy *p = ecsim_calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->policies[0].metric = cfg->metric;
    p->policies[0].tt = cfg->tt;
    for (size_t i = 0; i < cfg->tt_more_count; i++)
        p->policies[1 + i] = cfg->tt_more[i];
    p->count = 1 + cfg->tt_more_count;
    return p;
}

static void tt_fill_decision(ecsim_decision *d, const ecsim_tt_config *cfg,
                             const ecsim_tt_result *r)
{
    d->value = r->metric_value;
    d->target = cfg->target;
    d->alarm_high = r->alarm_high;
    d->alarm_low = r->alarm_low;
    d->proposal = r->proposal;
}

/* Several policies (reference §1.2): each is evaluated on its own metric
 * with a copy of its state, the verdicts are combined by ecsim_tt_combine,
 * and only then is state committed. MODEL (AWS does not say how the
 * policies' cooldowns interact): on a combined scale-out, every policy that
 * voted out starts its scale-out cooldown with the combined count as its
 * last scale-out, and every policy's scale-in cooldown is cancelled (the
 * target scaled out); on a combined scale-in, every policy that voted in
 * starts its scale-in cooldown; otherwise no state changes. */
static int tt_evaluate_several(tt_policy *p, const ecsim_policy_obs *obs, ecsim_decision *d)
{
    char b1[64], b2[64];
    ecsim_tt_result results[1 + ECSIM_TT_MORE_MAX];
    ecsim_tt_state trial[1 + ECSIM_TT_MORE_MAX];
    for (size_t i = 0; i < p->count; i++) {
        const ecsim_tt_policy_config *pc = &p->policies[i];
        const double *dp = obs->datapoints;
        size_t dp_count = obs->datapoint_count;
        if ((int)pc->metric >= 0 && (int)pc->metric < ECSIM_POLICY_METRICS &&
            obs->metric_datapoints[pc->metric]) {
            dp = obs->metric_datapoints[pc->metric];
            dp_count = obs->metric_datapoint_count[pc->metric];
        } else if (i > 0) {
            dp = NULL; /* this metric was not gathered: no data */
            dp_count = 0;
        }
        ecsim_tt_input in = {
            .current = obs->current,
            .measured = obs->running,
            .min = obs->min,
            .max = obs->max,
            .datapoints = dp,
            .datapoint_count = dp_count,
            .deployment_in_progress = obs->deployment_in_progress,
        };
        trial[i] = p->states[i];
        int rc = ecsim_tt_evaluate(&pc->tt, &trial[i], &in, &results[i], NULL);
        if (rc)
            return rc;
        const ecsim_tt_result *r = &results[i];
        ecsim_steps_add(&d->steps,
                        "policy %zu (%s, target %s): m = %s, AlarmHigh %s, AlarmLow %s -> %s "
                        "%d: %s",
                        i + 1, ecsim_metric_kind_name(pc->metric),
                        ecsim_fmt_num(b1, sizeof b1, pc->tt.target),
                        isnan(r->metric_value) ? "missing"
                                               : ecsim_fmt_num(b2, sizeof b2, r->metric_value),
                        ecsim_alarm_state_name(r->alarm_high), ecsim_alarm_state_name(r->alarm_low),
                        ecsim_scale_action_name(r->action), r->desired, r->reason);
    }
    ecsim_scale_action action;
    int desired = ecsim_tt_combine(results, p->count, obs->current, &action);

    /* Which policy decided: the first with the combined count and action. */
    size_t win = 0;
    bool found = false;
    for (size_t i = 0; i < p->count && action != ECSIM_SCALE_NONE; i++)
        if (results[i].action == action && results[i].desired == desired) {
            win = i;
            found = true;
            break;
        }
    const ecsim_tt_policy_config *wp = &p->policies[win];
    tt_fill_decision(d, &wp->tt, &results[win]);
    snprintf(d->metric, sizeof d->metric, "%s", ecsim_metric_kind_name(wp->metric));
    d->clamped = desired;
    d->desired = desired;
    d->action = action;

    if (action == ECSIM_SCALE_OUT && found) {
        for (size_t i = 0; i < p->count; i++) {
            if (results[i].action == ECSIM_SCALE_OUT) {
                p->states[i] = trial[i];
                p->states[i].last_scale_out_to = desired;
            }
            p->states[i].scale_in_cooldown_remaining_s = 0;
        }
        ecsim_steps_add(&d->steps,
                        "combined: scale out if any policy says out; the largest capacity wins: "
                        "policy %zu -> %d (reference §1.2)",
                        win + 1, desired);
        snprintf(d->reason, sizeof d->reason, "policy %zu (%s) wins the scale-out: %s", win + 1,
                 ecsim_metric_kind_name(wp->metric), results[win].reason);
        return 0;
    }
    if (action == ECSIM_SCALE_IN && found) {
        for (size_t i = 0; i < p->count; i++)
            if (results[i].action == ECSIM_SCALE_IN)
                p->states[i] = trial[i];
        ecsim_steps_add(&d->steps,
                        "combined: every scale-in-enabled policy says in; the largest capacity "
                        "wins: policy %zu -> %d (reference §1.2)",
                        win + 1, desired);
        snprintf(d->reason, sizeof d->reason,
                 "all scale-in-enabled policies agree, policy %zu (%s) keeps the most: %s",
                 win + 1, ecsim_metric_kind_name(wp->metric), results[win].reason);
        return 0;
    }
    /* No action: explain a blocked scale-in, if any policy wanted one. */
    d->clamped = d->desired = obs->current;
    d->action = ECSIM_SCALE_NONE;
    size_t wants_in = p->count, holds = p->count;
    for (size_t i = 0; i < p->count; i++) {
        if (results[i].action == ECSIM_SCALE_IN && wants_in == p->count)
            wants_in = i;
        if (results[i].scale_in_enabled && results[i].action != ECSIM_SCALE_IN &&
            holds == p->count)
            holds = i;
    }
    if (wants_in < p->count && holds < p->count) {
        tt_fill_decision(d, &p->policies[wants_in].tt, &results[wants_in]);
        snprintf(d->metric, sizeof d->metric, "%s",
                 ecsim_metric_kind_name(p->policies[wants_in].metric));
        ecsim_steps_add(&d->steps,
                        "combined: policy %zu would scale in but policy %zu does not: scale in "
                        "only if all scale-in-enabled policies say in (reference §1.2)",
                        wants_in + 1, holds + 1);
        snprintf(d->reason, sizeof d->reason,
                 "policy %zu (%s) would scale in but policy %zu (%s) does not agree: no scale-in",
                 wants_in + 1, ecsim_metric_kind_name(p->policies[wants_in].metric), holds + 1,
                 ecsim_metric_kind_name(p->policies[holds].metric));
        return 0;
    }
    ecsim_steps_add(&d->steps, "combined: no policy acts; desired stays %d", obs->current);
    snprintf(d->reason, sizeof d->reason, "no policy acts: %s", results[0].reason);
    return 0;
}

static int tt_policy_evaluate(void *impl, const ecsim_policy_obs *obs, ecsim_decision *d)
{
    tt_policy *p = impl;
    if (p->evaluated)
        for (size_t i = 0; i < p->count; i++)
            ecsim_tt_state_advance(&p->states[i], obs->now_s - p->last_eval_s);
    p->last_eval_s = obs->now_s;
    p->evaluated = true;
    if (p->count > 1)
        return tt_evaluate_several(p, obs, d);
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
    const ecsim_tt_config *cfg = &p->policies[0].tt;
    int rc = ecsim_tt_evaluate(cfg, &p->states[0], &in, &r, &d->steps);
    if (rc)
        return rc;
    tt_fill_decision(d, cfg, &r);
    d->clamped = r.desired;
    d->desired = r.desired;
    d->action = r.action;
    snprintf(d->reason, sizeof d->reason, "%s", r.reason);
    return 0;
}

static void tt_destroy(void *impl) { ecsim_free(impl); }

/* `ecsim decide` for target tracking: one ecsim_tt_evaluate. */
static int decide_tt(const struct ecsim_decide_input *in, int *desired, char *reason, size_t reason_size,
                     ecsim_steps *steps)
{
    ecsim_tt_state st = in->tt_state;
    ecsim_tt_input ti = {
        .current = in->current,
        .min = in->min,
        .max = in->max,
        .datapoints = in->datapoints,
        .datapoint_count = in->datapoint_count,
        .deployment_in_progress = in->deployment_in_progress,
    };
    ecsim_tt_result r;
    int rc = ecsim_tt_evaluate(&in->tt, &st, &ti, &r, steps);
    if (rc)
        return rc;
    *desired = r.desired;
    snprintf(reason, reason_size, "%s", r.reason);
    return 0;
}

const ecsim_policy_ops ecsim_policy_target_tracking_ops = {
    .create = tt_create,
    .evaluate = tt_policy_evaluate,
    .destroy = tt_destroy,
    .decide = decide_tt,
};
