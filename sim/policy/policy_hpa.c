/* The Kubernetes Horizontal Pod Autoscaler (reference §5.1-5.3), exactly as
 * upstream computes it: replica_calculator.go (groupPods, integer
 * utilisation, tolerance, missing and unready pods) and horizontal.go
 * (reconcile, legacy normalisation, behavior stabilisation and rate
 * limits). Where upstream compares timestamps with After/Before we keep the
 * same strictness, so a record exactly one window old is out in the
 * behavior path and still in for the legacy recommendation window. */
#include "ecsim/policy.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ecsim/alloc.h"
#include "ecsim/error.h"
#include "ecsim/output.h"

void ecsim_hpa_config_defaults(ecsim_hpa_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->min = 1;                           /* spec.minReplicas default (reference §5.1) */
    cfg->max = 10;
    cfg->metric.type = ECSIM_HPA_METRIC_RESOURCE;
    cfg->metric.resource_cpu = true;
    cfg->metric.target_utilization = 80;    /* autoscaling.DefaultCPUUtilization */
    cfg->tolerance_up = 0.1;                /* --horizontal-pod-autoscaler-tolerance */
    cfg->tolerance_down = 0.1;
    cfg->cpu_initialization_period_s = 300; /* --...-cpu-initialization-period */
    cfg->initial_readiness_delay_s = 30;    /* --...-initial-readiness-delay */
    cfg->downscale_stabilization_s = 300;   /* --...-downscale-stabilization */
    cfg->has_behavior = false;
}

void ecsim_hpa_rules_default_up(ecsim_hpa_rules *r)
{
    /* scaleUp: window 0; Pods 4 / 15 s, Percent 100 / 15 s; Max (§5.3). */
    memset(r, 0, sizeof *r);
    r->stabilization_window_s = 0;
    r->select = ECSIM_HPA_SELECT_MAX;
    r->policies[0] = (ecsim_hpa_rate_policy){false, 4, 15};
    r->policies[1] = (ecsim_hpa_rate_policy){true, 100, 15};
    r->policy_count = 2;
}

void ecsim_hpa_rules_default_down(ecsim_hpa_rules *r, double downscale_stabilization_s)
{
    /* scaleDown: window nil -> the controller flag; Percent 100 / 15 s; Max. */
    memset(r, 0, sizeof *r);
    r->stabilization_window_s = downscale_stabilization_s;
    r->select = ECSIM_HPA_SELECT_MAX;
    r->policies[0] = (ecsim_hpa_rate_policy){true, 100, 15};
    r->policy_count = 1;
}

void ecsim_hpa_pod_init(ecsim_hpa_pod *p)
{
    memset(p, 0, sizeof *p);
    p->phase = ECSIM_POD_RUNNING;
    p->ready = true;
}

/* ---- replica calculation (§5.2) ------------------------------------------------ */

typedef enum pod_group { POD_IGNORED, POD_UNREADY, POD_MISSING, POD_READY } pod_group;

/* groupPods, in upstream's order. */
static pod_group hpa_group_pod(const ecsim_hpa_config *cfg, const ecsim_hpa_pod *p, double now_s,
                               bool cpu)
{
    if (p->deleting || p->phase == ECSIM_POD_FAILED)
        return POD_IGNORED;
    if (p->phase == ECSIM_POD_PENDING)
        return POD_UNREADY;
    if (!p->has_metric)
        return POD_MISSING;
    if (!cpu)
        return POD_READY;   /* readiness is checked for CPU only */
    bool unready;
    if (!p->has_timing) {
        unready = !p->ready || p->hot;
    } else if (now_s < p->start_s + cfg->cpu_initialization_period_s) {
        /* Within the CPU initialisation period: unready unless Ready and the
         * sample was taken a full window after becoming ready. */
        unready = !p->ready || p->sample_time_s < p->ready_transition_s + p->sample_window_s;
    } else {
        /* After it: unready only if never ready since the initial delay. */
        unready = !p->ready &&
                  p->ready_transition_s < p->start_s + cfg->initial_readiness_delay_s;
    }
    return unready ? POD_UNREADY : POD_READY;
}

static bool hpa_within(const ecsim_hpa_config *cfg, double ratio)
{
    /* Inclusive on both sides (reference §5.2 tolerances.isWithin). */
    return (1.0 - cfg->tolerance_down) <= ratio && ratio <= (1.0 + cfg->tolerance_up);
}

static int ceil_to_int(double v)
{
    double c = ceil(v);
    if (c > 2147483647.0)
        return 2147483647;
    if (c < 0)
        return 0;
    return (int)c;
}

/* Integer utilisation over the pods in `use` (GetResourceUtilizationRatio). */
static int64_t hpa_utilization(const int64_t *usage, const int64_t *request, const bool *use,
                               size_t n, bool *ok)
{
    int64_t mt = 0, rt = 0;
    for (size_t i = 0; i < n; i++)
        if (use[i]) {
            mt += usage[i];
            rt += request[i];
        }
    *ok = rt > 0;
    return rt > 0 ? (mt * 100) / rt : 0;
}

static int64_t hpa_average(const int64_t *value, const bool *use, size_t n, size_t *count)
{
    int64_t total = 0;
    size_t c = 0;
    for (size_t i = 0; i < n; i++)
        if (use[i]) {
            total += value[i];
            c++;
        }
    *count = c;
    return c ? total / (int64_t)c : 0;
}

static int hpa_pod_based(const ecsim_hpa_config *cfg, const ecsim_hpa_obs *obs,
                         ecsim_hpa_metric_result *out, ecsim_steps *steps)
{
    char b1[64], b2[64], b3[64];
    const ecsim_hpa_metric_spec *m = &cfg->metric;
    const bool resource = m->type == ECSIM_HPA_METRIC_RESOURCE;
    const bool cpu = resource && m->resource_cpu;
    const size_t n = obs->pod_count;
    if (n == 0) {
        snprintf(out->reason, sizeof out->reason, "no pods: unable to compute the metric");
        ecsim_steps_add(steps, "no pods returned: no metric, no scaling");
        return ECSIM_ENOENT;
    }
    int64_t *usage = ecsim_calloc(n, sizeof *usage);
    int64_t *request = ecsim_calloc(n, sizeof *request);
    bool *use = ecsim_calloc(n, sizeof *use);
    pod_group *group = ecsim_calloc(n, sizeof *group);
    int rc = 0;
    if (!usage || !request || !use || !group) {
        rc = ECSIM_ENOMEM;
        goto done;
    }
    double target = resource ? m->target_utilization : m->target_average_value_m;
    if (!(target > 0)) {
        rc = ECSIM_EINVAL;
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        const ecsim_hpa_pod *p = &obs->pods[i];
        group[i] = hpa_group_pod(cfg, p, obs->now_s, cpu);
        usage[i] = (int64_t)(resource ? p->usage_m : p->value_m);
        request[i] = (int64_t)p->request_m;
        switch (group[i]) {
        case POD_IGNORED: out->ignored_count++; break;
        case POD_UNREADY: out->unready_count++; break;
        case POD_MISSING: out->missing_count++; break;
        case POD_READY: out->ready_count++; use[i] = true; break;
        }
    }
    ecsim_steps_add(steps,
                    "pods: %d ready with metrics, %d unready%s, %d missing metrics, %d ignored "
                    "(failed or deleting)",
                    out->ready_count, out->unready_count,
                    cpu ? " (pending, not ready, or CPU initialising)" : " (pending)",
                    out->missing_count, out->ignored_count);
    /* Where the samples come from: metrics-server's latest scrape, each a
     * usage averaged over its window (reference §5.1 [K11], §5.2). */
    for (size_t i = 0; i < n; i++) {
        const ecsim_hpa_pod *p = &obs->pods[i];
        if (use[i] && p->has_timing && p->sample_window_s > 0) {
            ecsim_steps_add(steps, "samples: the metrics-server scrape at %s s, averaged over its "
                                   "%s s window",
                            ecsim_fmt_num(b1, sizeof b1, p->sample_time_s),
                            ecsim_fmt_num(b2, sizeof b2, p->sample_window_s));
            break;
        }
    }
    if (out->ready_count == 0) {
        snprintf(out->reason, sizeof out->reason,
                 "no metrics from ready pods: the HPA does not scale");
        ecsim_steps_add(steps, "no ready pod has a metric sample: no scaling");
        rc = ECSIM_ENOENT;
        goto done;
    }
    int64_t util;
    double ratio;
    if (resource) {
        bool ok;
        util = hpa_utilization(usage, request, use, n, &ok);
        if (!ok) {
            snprintf(out->reason, sizeof out->reason, "pods have no resource request");
            ecsim_steps_add(steps, "missing request: utilisation undefined, no scaling");
            rc = ECSIM_ENOENT;
            goto done;
        }
        ratio = (double)util / target;
        ecsim_steps_add(steps,
                        "utilisation = int(100 x sum(usage) / sum(request)) over ready pods = %lld%%;"
                        " ratio = %lld / %s = %s",
                        (long long)util, (long long)util, ecsim_fmt_num(b1, sizeof b1, target),
                        ecsim_fmt_num(b2, sizeof b2, ratio));
    } else {
        size_t c;
        util = hpa_average(usage, use, n, &c);
        ratio = (double)util / target;
        ecsim_steps_add(steps, "average value = int(sum / %zu) = %lld; ratio = %lld / %s = %s", c,
                        (long long)util, (long long)util, ecsim_fmt_num(b1, sizeof b1, target),
                        ecsim_fmt_num(b2, sizeof b2, ratio));
    }
    out->utilization = (double)util;
    out->ratio = ratio;
    out->new_ratio = NAN;
    const int current = obs->current;
    const bool scale_up_with_unready = out->unready_count > 0 && ratio > 1.0;
    if (!scale_up_with_unready && out->missing_count == 0) {
        if (hpa_within(cfg, ratio)) {
            out->replicas = current;
            ecsim_steps_add(steps, "ratio %s within tolerance [%s, %s]: keep %d",
                            ecsim_fmt_num(b1, sizeof b1, ratio),
                            ecsim_fmt_num(b2, sizeof b2, 1.0 - cfg->tolerance_down),
                            ecsim_fmt_num(b3, sizeof b3, 1.0 + cfg->tolerance_up), current);
            snprintf(out->reason, sizeof out->reason, "ratio %s within tolerance",
                     ecsim_fmt_num(b1, sizeof b1, ratio));
        } else {
            out->replicas = ceil_to_int(ratio * (double)out->ready_count);
            ecsim_steps_add(steps, "proposal = ceil(ratio x ready pods) = ceil(%s x %d) = %d",
                            ecsim_fmt_num(b1, sizeof b1, ratio), out->ready_count, out->replicas);
            snprintf(out->reason, sizeof out->reason, "ratio %s: ceil(%s x %d ready pods) = %d",
                     ecsim_fmt_num(b1, sizeof b1, ratio), ecsim_fmt_num(b2, sizeof b2, ratio),
                     out->ready_count, out->replicas);
        }
        goto done;
    }
    /* Missing pods: on scale-down assume 100 % of request (or the target
     * when > 100 %; the target value for pods metrics); on scale-up 0. */
    if (out->missing_count > 0) {
        if (ratio < 1.0) {
            double fallback = resource ? fmax(100.0, target) : target;
            for (size_t i = 0; i < n; i++)
                if (group[i] == POD_MISSING) {
                    usage[i] = resource ? request[i] * (int64_t)fallback / 100 : (int64_t)target;
                    use[i] = true;
                }
            if (resource)
                ecsim_steps_add(steps, "scale-down: %d missing pod(s) count at %s%% of request",
                                out->missing_count, ecsim_fmt_num(b1, sizeof b1, fallback));
            else
                ecsim_steps_add(steps, "scale-down: %d missing pod(s) count at the target %s",
                                out->missing_count, ecsim_fmt_num(b1, sizeof b1, target));
        } else if (ratio > 1.0) {
            for (size_t i = 0; i < n; i++)
                if (group[i] == POD_MISSING) {
                    usage[i] = 0;
                    use[i] = true;
                }
            ecsim_steps_add(steps, "scale-up: %d missing pod(s) count at 0", out->missing_count);
        }
    }
    if (scale_up_with_unready) {
        for (size_t i = 0; i < n; i++)
            if (group[i] == POD_UNREADY) {
                usage[i] = 0;
                use[i] = true;
            }
        ecsim_steps_add(steps, "scale-up with unready pods: %d unready pod(s) count at 0",
                        out->unready_count);
    }
    double new_ratio;
    size_t in_metrics = 0;
    for (size_t i = 0; i < n; i++)
        in_metrics += use[i];
    if (resource) {
        bool ok;
        int64_t u = hpa_utilization(usage, request, use, n, &ok);
        new_ratio = ok ? (double)u / target : 0;
        ecsim_steps_add(steps, "recomputed utilisation %lld%%, new ratio %s", (long long)u,
                        ecsim_fmt_num(b1, sizeof b1, new_ratio));
    } else {
        size_t c;
        int64_t u = hpa_average(usage, use, n, &c);
        new_ratio = (double)u / target;
        ecsim_steps_add(steps, "recomputed average %lld, new ratio %s", (long long)u,
                        ecsim_fmt_num(b1, sizeof b1, new_ratio));
    }
    out->new_ratio = new_ratio;
    if (hpa_within(cfg, new_ratio)) {
        out->replicas = current;
        ecsim_steps_add(steps, "new ratio within tolerance: keep %d", current);
        snprintf(out->reason, sizeof out->reason, "new ratio %s within tolerance",
                 ecsim_fmt_num(b1, sizeof b1, new_ratio));
        goto done;
    }
    if ((ratio < 1.0 && new_ratio > 1.0) || (ratio > 1.0 && new_ratio < 1.0)) {
        out->replicas = current;
        ecsim_steps_add(steps, "direction flipped (%s -> %s): keep %d",
                        ecsim_fmt_num(b1, sizeof b1, ratio), ecsim_fmt_num(b2, sizeof b2, new_ratio),
                        current);
        snprintf(out->reason, sizeof out->reason,
                 "accounting for missing/unready pods flips the direction: keep %d", current);
        goto done;
    }
    int proposal = ceil_to_int(new_ratio * (double)in_metrics);
    ecsim_steps_add(steps, "proposal = ceil(new ratio x pods in metrics) = ceil(%s x %zu) = %d",
                    ecsim_fmt_num(b1, sizeof b1, new_ratio), in_metrics, proposal);
    if ((new_ratio < 1.0 && proposal > current) || (new_ratio > 1.0 && proposal < current)) {
        ecsim_steps_add(steps, "proposal %d goes against the ratio: keep %d", proposal, current);
        proposal = current;
    }
    out->replicas = proposal;
    snprintf(out->reason, sizeof out->reason, "new ratio %s: %d replicas",
             ecsim_fmt_num(b1, sizeof b1, new_ratio), proposal);

done:
    ecsim_free(usage);
    ecsim_free(request);
    ecsim_free(use);
    ecsim_free(group);
    return rc;
}

/* Object / External metrics (getUsageRatioReplicaCount and the per-pod
 * AverageValue variants). */
static int hpa_object_based(const ecsim_hpa_config *cfg, const ecsim_hpa_obs *obs,
                            ecsim_hpa_metric_result *out, ecsim_steps *steps)
{
    char b1[64], b2[64], b3[64];
    const ecsim_hpa_metric_spec *m = &cfg->metric;
    int64_t value = (int64_t)obs->metric_value_m;
    const int current = obs->current;
    out->new_ratio = NAN;
    if (m->average_value) {
        double target = m->target_average_value_m;
        int status = obs->status_replicas;
        if (!(target > 0) || status <= 0)
            return ECSIM_EINVAL;
        double ratio = (double)value / (target * (double)status);
        out->ratio = ratio;
        out->utilization = ceil((double)value / (double)status);
        ecsim_steps_add(steps, "ratio = value / (target average x replicas) = %lld / (%s x %d) = %s",
                        (long long)value, ecsim_fmt_num(b1, sizeof b1, target), status,
                        ecsim_fmt_num(b2, sizeof b2, ratio));
        if (hpa_within(cfg, ratio)) {
            out->replicas = status;
            ecsim_steps_add(steps, "within tolerance: keep %d", status);
        } else {
            out->replicas = ceil_to_int((double)value / target);
            ecsim_steps_add(steps, "proposal = ceil(value / target average) = ceil(%lld / %s) = %d",
                            (long long)value, ecsim_fmt_num(b1, sizeof b1, target), out->replicas);
        }
        snprintf(out->reason, sizeof out->reason, "average-value ratio %s: %d replicas",
                 ecsim_fmt_num(b1, sizeof b1, ratio), out->replicas);
        return 0;
    }
    double target = m->target_value_m;
    if (!(target > 0))
        return ECSIM_EINVAL;
    double ratio = (double)value / target;
    out->ratio = ratio;
    out->utilization = (double)value;
    ecsim_steps_add(steps, "ratio = value / target = %lld / %s = %s", (long long)value,
                    ecsim_fmt_num(b1, sizeof b1, target), ecsim_fmt_num(b2, sizeof b2, ratio));
    if (current == 0) {
        out->replicas = ceil_to_int(ratio);
        ecsim_steps_add(steps, "current 0: proposal = ceil(ratio) = %d", out->replicas);
    } else if (hpa_within(cfg, ratio)) {
        out->replicas = current;
        ecsim_steps_add(steps, "ratio within tolerance [%s, %s]: keep %d",
                        ecsim_fmt_num(b1, sizeof b1, 1.0 - cfg->tolerance_down),
                        ecsim_fmt_num(b3, sizeof b3, 1.0 + cfg->tolerance_up), current);
    } else {
        /* Multiply by Running & Ready pods (unready pods are ignored). */
        int ready = 0;
        if (obs->pods_given) {
            for (size_t i = 0; i < obs->pod_count; i++) {
                const ecsim_hpa_pod *p = &obs->pods[i];
                if (p->phase == ECSIM_POD_RUNNING && p->ready)
                    ready++;
            }
        } else {
            ready = current;
        }
        out->ready_count = ready;
        out->replicas = ceil_to_int(ratio * (double)ready);
        ecsim_steps_add(steps, "proposal = ceil(ratio x running & ready pods) = ceil(%s x %d) = %d",
                        ecsim_fmt_num(b1, sizeof b1, ratio), ready, out->replicas);
    }
    snprintf(out->reason, sizeof out->reason, "value ratio %s: %d replicas",
             ecsim_fmt_num(b1, sizeof b1, ratio), out->replicas);
    return 0;
}

int ecsim_hpa_replicas_for_metric(const ecsim_hpa_config *cfg, const ecsim_hpa_obs *obs,
                                  ecsim_hpa_metric_result *out, ecsim_steps *steps)
{
    memset(out, 0, sizeof *out);
    out->ratio = NAN;
    out->new_ratio = NAN;
    out->utilization = NAN;
    out->replicas = obs->current;
    switch (cfg->metric.type) {
    case ECSIM_HPA_METRIC_RESOURCE:
    case ECSIM_HPA_METRIC_PODS:
        return hpa_pod_based(cfg, obs, out, steps);
    case ECSIM_HPA_METRIC_OBJECT:
    case ECSIM_HPA_METRIC_EXTERNAL:
        return hpa_object_based(cfg, obs, out, steps);
    }
    return ECSIM_EINVAL;
}

/* computeReplicasForMetrics (reference §5.2, last lines): the largest
 * proposal wins (strictly larger replaces, so the first of equal ones
 * stays); an invalid metric blocks scaling if all are invalid or if the
 * result would scale down. */
int ecsim_hpa_combine_metrics(const ecsim_hpa_metric_result *results, const int *rcs, size_t n,
                              int current, int *proposal, size_t *which)
{
    size_t invalid = 0, first_invalid = 0, best_i = 0;
    int best = 0;
    bool have = false;
    for (size_t i = 0; i < n; i++) {
        if (rcs[i] != 0) {
            if (invalid == 0)
                first_invalid = i;
            invalid++;
            continue;
        }
        if (!have || results[i].replicas > best) {
            best = results[i].replicas;
            best_i = i;
            have = true;
        }
    }
    if (invalid >= n || (invalid > 0 && best < current)) {
        *proposal = current;
        *which = n ? first_invalid : 0;
        return ECSIM_ENOENT;
    }
    *proposal = best;
    *which = best_i;
    return 0;
}

/* ---- state ---------------------------------------------------------------------- */

void ecsim_hpa_state_init(ecsim_hpa_state *st) { memset(st, 0, sizeof *st); }

void ecsim_hpa_state_free(ecsim_hpa_state *st)
{
    ecsim_free(st->recommendations);
    ecsim_free(st->up_events);
    ecsim_free(st->down_events);
    memset(st, 0, sizeof *st);
}

static int record_push(ecsim_hpa_record **arr, size_t *count, size_t *cap, double t, int v)
{
    if (*count == *cap) {
        size_t nc = *cap ? *cap * 2 : 8;
        ecsim_hpa_record *a = ecsim_reallocarray(*arr, nc, sizeof *a);
        if (!a)
            return ECSIM_ENOMEM;
        *arr = a;
        *cap = nc;
    }
    (*arr)[(*count)++] = (ecsim_hpa_record){t, v};
    return 0;
}

int ecsim_hpa_state_add_recommendation(ecsim_hpa_state *st, double time_s, int replicas)
{
    return record_push(&st->recommendations, &st->rec_count, &st->rec_capacity, time_s, replicas);
}

int ecsim_hpa_state_add_event(ecsim_hpa_state *st, double time_s, int change)
{
    if (change > 0)
        return record_push(&st->up_events, &st->up_count, &st->up_capacity, time_s, change);
    if (change < 0)
        return record_push(&st->down_events, &st->down_count, &st->down_capacity, time_s,
                           -change);
    return 0;
}

/* Drop records for which keep() is false (they can never count again). */
static void records_prune(ecsim_hpa_record *arr, size_t *count, double cutoff_s)
{
    size_t w = 0;
    for (size_t i = 0; i < *count; i++)
        if (!(arr[i].time_s < cutoff_s))
            arr[w++] = arr[i];
    *count = w;
}

/* getReplicasChangePerPeriod: events strictly newer than now - period. */
static int64_t change_per_period(const ecsim_hpa_record *arr, size_t count, double now_s,
                                 double period_s)
{
    double cutoff = now_s - period_s;
    int64_t sum = 0;
    for (size_t i = 0; i < count; i++)
        if (arr[i].time_s > cutoff)
            sum += arr[i].value;
    return sum;
}

int ecsim_hpa_scale_up_limit(const ecsim_hpa_rules *r, const ecsim_hpa_state *st, double now_s,
                             int current)
{
    /* calculateScaleUpLimitWithScalingRules (§5.3). */
    if (r->select == ECSIM_HPA_SELECT_DISABLED)
        return current;
    int64_t result = r->select == ECSIM_HPA_SELECT_MIN ? INT64_MAX : INT64_MIN;
    for (size_t i = 0; i < r->policy_count; i++) {
        const ecsim_hpa_rate_policy *p = &r->policies[i];
        int64_t added = change_per_period(st->up_events, st->up_count, now_s, p->period_s);
        int64_t removed = change_per_period(st->down_events, st->down_count, now_s, p->period_s);
        int64_t start = (int64_t)current - added + removed;
        int64_t proposed = p->percent
                               ? (int64_t)ceil((double)start * (1.0 + (double)p->value / 100.0))
                               : start + p->value;
        if (r->select == ECSIM_HPA_SELECT_MIN ? proposed < result : proposed > result)
            result = proposed;
    }
    if (r->policy_count == 0)
        result = current;
    if (result < current)
        result = current;
    return result > INT32_MAX ? INT32_MAX : (int)result;
}

int ecsim_hpa_scale_down_limit(const ecsim_hpa_rules *r, const ecsim_hpa_state *st,
                               double now_s, int current)
{
    /* calculateScaleDownLimitWithBehaviors (§5.3); Percent truncates. */
    if (r->select == ECSIM_HPA_SELECT_DISABLED)
        return current;
    int64_t result = r->select == ECSIM_HPA_SELECT_MIN ? INT64_MIN : INT64_MAX;
    for (size_t i = 0; i < r->policy_count; i++) {
        const ecsim_hpa_rate_policy *p = &r->policies[i];
        int64_t added = change_per_period(st->up_events, st->up_count, now_s, p->period_s);
        int64_t removed = change_per_period(st->down_events, st->down_count, now_s, p->period_s);
        int64_t start = (int64_t)current - added + removed;
        int64_t proposed = p->percent ? (int64_t)((double)start * (1.0 - (double)p->value / 100.0))
                                      : start - p->value;
        if (r->select == ECSIM_HPA_SELECT_MIN ? proposed > result : proposed < result)
            result = proposed;
    }
    if (r->policy_count == 0)
        result = current;
    if (result > current)
        result = current;
    return result < INT32_MIN ? INT32_MIN : (int)result;
}

/* ---- reconcile (§5.3) -------------------------------------------------------------- */

static void set_result(ecsim_hpa_result *out, int current, int desired, const char *cond)
{
    out->desired = desired;
    out->scaled = desired != current;
    out->action = desired > current ? ECSIM_SCALE_OUT
                  : desired < current ? ECSIM_SCALE_IN
                                      : ECSIM_SCALE_NONE;
    snprintf(out->condition, sizeof out->condition, "%s", cond);
}

static const char *select_name(ecsim_hpa_select s)
{
    return s == ECSIM_HPA_SELECT_MIN ? "min" : s == ECSIM_HPA_SELECT_DISABLED ? "disabled" : "max";
}

int ecsim_hpa_reconcile(const ecsim_hpa_config *cfg, ecsim_hpa_state *st, double now_s,
                        int current, int proposal, ecsim_hpa_result *out, ecsim_steps *steps)
{
    char b1[64], b2[64];
    memset(out, 0, sizeof *out);
    out->proposal = proposal;
    out->stabilized = proposal;
    out->limited = proposal;
    if (cfg->min < 0 || cfg->max < 1 || cfg->min > cfg->max || current < 0)
        return ECSIM_EINVAL;
    if (current == 0 && cfg->min != 0) {
        set_result(out, current, 0, "ScalingDisabled");
        out->stabilized = out->limited = 0;
        ecsim_steps_add(steps, "spec.replicas is 0 and minReplicas is %d: scaling is disabled",
                        cfg->min);
        snprintf(out->reason, sizeof out->reason,
                 "scaling disabled: the target has 0 replicas and minReplicas %d", cfg->min);
        return 0;
    }
    if (current > cfg->max) {
        set_result(out, current, cfg->max, "TooManyReplicas");
        out->stabilized = out->limited = cfg->max;
        ecsim_steps_add(steps, "current %d above maxReplicas %d: set to %d", current, cfg->max,
                        cfg->max);
        snprintf(out->reason, sizeof out->reason, "current replicas above maxReplicas %d",
                 cfg->max);
        goto store_event;
    }
    if (current < cfg->min) {
        set_result(out, current, cfg->min, "TooFewReplicas");
        out->stabilized = out->limited = cfg->min;
        ecsim_steps_add(steps, "current %d below minReplicas %d: set to %d", current, cfg->min,
                        cfg->min);
        snprintf(out->reason, sizeof out->reason, "current replicas below minReplicas %d",
                 cfg->min);
        goto store_event;
    }

    if (!cfg->has_behavior) {
        /* Legacy path: stabilise downscale over the window (a record exactly
         * window old still counts: upstream skips only Before(cutoff)). */
        double cutoff = now_s - cfg->downscale_stabilization_s;
        int stabilized = proposal;
        for (size_t i = 0; i < st->rec_count; i++)
            if (!(st->recommendations[i].time_s < cutoff) &&
                st->recommendations[i].value > stabilized)
                stabilized = st->recommendations[i].value;
        records_prune(st->recommendations, &st->rec_count, cutoff);
        if (ecsim_hpa_state_add_recommendation(st, now_s, proposal) != 0)
            return ECSIM_ENOMEM;
        out->stabilized = stabilized;
        ecsim_steps_add(steps,
                        "legacy stabilisation: max of the proposal and the recommendations of the "
                        "last %s s = %d",
                        ecsim_fmt_num(b1, sizeof b1, cfg->downscale_stabilization_s), stabilized);
        /* scaleUpLimit = max(2 x current, 4) (scaleUpLimitFactor, -Minimum). */
        int up_limit = current * 2 > 4 ? current * 2 : 4;
        int max_allowed;
        const char *limit_cond;
        if (cfg->max > up_limit) {
            max_allowed = up_limit;
            limit_cond = "ScaleUpLimit";
        } else {
            max_allowed = cfg->max;
            limit_cond = "TooManyReplicas";
        }
        ecsim_steps_add(steps, "scale-up limit max(2 x %d, 4) = %d; allowed range [%d, %d]",
                        current, up_limit, cfg->min, max_allowed);
        int desired = stabilized;
        const char *cond = "DesiredWithinRange";
        if (desired < cfg->min) {
            desired = cfg->min;
            cond = "TooFewReplicas";
        } else if (desired > max_allowed) {
            desired = max_allowed;
            cond = limit_cond;
        }
        out->limited = desired;
        set_result(out, current, desired, cond);
        ecsim_steps_add(steps, "desired %d (%s)", desired, cond);
        snprintf(out->reason, sizeof out->reason, "proposal %d, stabilised %d, desired %d (%s)",
                 proposal, stabilized, desired, cond);
        return 0; /* scale events are stored only with a behavior */
    }

    /* Behavior path: stabilizeRecommendationWithBehaviors. */
    const ecsim_hpa_rules *up = &cfg->scale_up, *down = &cfg->scale_down;
    double up_cutoff = now_s - up->stabilization_window_s;
    double down_cutoff = now_s - down->stabilization_window_s;
    int up_rec = proposal, down_rec = proposal;
    for (size_t i = 0; i < st->rec_count; i++) {
        const ecsim_hpa_record *r = &st->recommendations[i];
        if (r->time_s > up_cutoff && r->value < up_rec)
            up_rec = r->value;
        if (r->time_s > down_cutoff && r->value > down_rec)
            down_rec = r->value;
    }
    int stabilized = current;
    if (stabilized < up_rec)
        stabilized = up_rec;
    if (stabilized > down_rec)
        stabilized = down_rec;
    records_prune(st->recommendations, &st->rec_count, fmin(up_cutoff, down_cutoff));
    if (ecsim_hpa_state_add_recommendation(st, now_s, proposal) != 0)
        return ECSIM_ENOMEM;
    out->stabilized = stabilized;
    ecsim_steps_add(steps,
                    "stabilisation: scale-up window %s s gives min %d, scale-down window %s s "
                    "gives max %d; current %d brought into [%d, %d] = %d",
                    ecsim_fmt_num(b1, sizeof b1, up->stabilization_window_s), up_rec,
                    ecsim_fmt_num(b2, sizeof b2, down->stabilization_window_s), down_rec, current,
                    up_rec, down_rec, stabilized);

    /* convertDesiredReplicasWithBehaviorRate. */
    int desired = stabilized;
    const char *cond = "DesiredWithinRange";
    if (stabilized > current) {
        int up_limit = ecsim_hpa_scale_up_limit(up, st, now_s, current);
        int max_allowed;
        const char *limit_cond;
        if (cfg->max > up_limit) {
            max_allowed = up_limit;
            limit_cond = "ScaleUpLimit";
        } else {
            max_allowed = cfg->max;
            limit_cond = "TooManyReplicas";
        }
        ecsim_steps_add(steps, "scale-up rate limit (select %s over %zu policies, events in their "
                        "periods) = %d; max allowed %d",
                        select_name(up->select), up->policy_count, up_limit, max_allowed);
        if (desired > max_allowed) {
            desired = max_allowed;
            cond = limit_cond;
        }
    } else if (stabilized < current) {
        int down_limit = ecsim_hpa_scale_down_limit(down, st, now_s, current);
        int min_allowed;
        const char *limit_cond;
        if (cfg->min < down_limit) {
            min_allowed = down_limit;
            limit_cond = "ScaleDownLimit";
        } else {
            min_allowed = cfg->min;
            limit_cond = "TooFewReplicas";
        }
        ecsim_steps_add(steps, "scale-down rate limit (select %s over %zu policies, events in "
                        "their periods) = %d; min allowed %d",
                        select_name(down->select), down->policy_count, down_limit, min_allowed);
        if (desired < min_allowed) {
            desired = min_allowed;
            cond = limit_cond;
        }
    }
    out->limited = desired;
    set_result(out, current, desired, cond);
    ecsim_steps_add(steps, "desired %d (%s)", desired, cond);
    snprintf(out->reason, sizeof out->reason, "proposal %d, stabilised %d, desired %d (%s)",
             proposal, stabilized, desired, cond);

store_event:
    if (cfg->has_behavior && out->scaled) {
        /* storeScaleEvent: keep only events that can still count. */
        double longest = 0;
        for (size_t i = 0; i < cfg->scale_up.policy_count; i++)
            longest = fmax(longest, cfg->scale_up.policies[i].period_s);
        for (size_t i = 0; i < cfg->scale_down.policy_count; i++)
            longest = fmax(longest, cfg->scale_down.policies[i].period_s);
        records_prune(st->up_events, &st->up_count, now_s - longest);
        records_prune(st->down_events, &st->down_count, now_s - longest);
        if (ecsim_hpa_state_add_event(st, now_s, out->desired - current) != 0)
            return ECSIM_ENOMEM;
    }
    return 0;
}

/* ---- the simulation-facing policy ------------------------------------------------------ */

typedef struct hpa_policy {
    ecsim_hpa_config cfg;
    ecsim_hpa_state state;
} hpa_policy;

static void *hpa_create(const ecsim_policy_config *cfg)
{
    if (cfg->hpa.min < 0 || cfg->hpa.max < 1 || cfg->hpa.min > cfg->hpa.max ||
        cfg->hpa.more_metric_count > ECSIM_HPA_MORE_METRICS_MAX)
        return NULL;
    hpa_policy *p = ecsim_calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->cfg = cfg->hpa;
    ecsim_hpa_state_init(&p->state);
    return p;
}

/* The decisions.csv name of a metric. */
static const char *hpa_metric_label(const ecsim_hpa_metric_spec *m)
{
    switch (m->type) {
    case ECSIM_HPA_METRIC_PODS: return "rps_per_pod_m";
    case ECSIM_HPA_METRIC_OBJECT: return "object";
    case ECSIM_HPA_METRIC_EXTERNAL: return "external";
    case ECSIM_HPA_METRIC_RESOURCE: break;
    }
    return m->resource_cpu ? "cpu" : "memory";
}

static double hpa_metric_target(const ecsim_hpa_metric_spec *m)
{
    return m->type == ECSIM_HPA_METRIC_RESOURCE ? m->target_utilization
           : m->average_value                   ? m->target_average_value_m
                                                : m->target_value_m;
}

/* Every metric of the HPA (the main one, then more_metrics), each with the
 * pods that carry its samples, combined by ecsim_hpa_combine_metrics. On
 * ECSIM_ENOENT the decision is filled (no scaling this cycle). */
static int hpa_several_metrics(const ecsim_hpa_config *cfg, const ecsim_policy_obs *obs,
                               const ecsim_hpa_obs *base, ecsim_decision *d, int *proposal)
{
    char b1[64];
    const size_t n = 1 + cfg->more_metric_count;
    ecsim_hpa_metric_result results[1 + ECSIM_HPA_MORE_METRICS_MAX];
    int rcs[1 + ECSIM_HPA_MORE_METRICS_MAX];
    for (size_t i = 0; i < n; i++) {
        ecsim_hpa_config one = *cfg;
        if (i > 0)
            one.metric = cfg->more_metrics[i - 1];
        ecsim_hpa_obs hobs = *base;
        if (one.metric.type == ECSIM_HPA_METRIC_RESOURCE && !one.metric.resource_cpu &&
            obs->memory_pods)
            hobs.pods = obs->memory_pods;
        ecsim_steps_add(&d->steps, "metric %zu (%s, target %s):", i + 1,
                        hpa_metric_label(&one.metric),
                        ecsim_fmt_num(b1, sizeof b1, hpa_metric_target(&one.metric)));
        rcs[i] = ecsim_hpa_replicas_for_metric(&one, &hobs, &results[i], &d->steps);
        if (rcs[i] != 0 && rcs[i] != ECSIM_ENOENT)
            return rcs[i];
        if (rcs[i] == 0)
            ecsim_steps_add(&d->steps, "metric %zu proposes %d", i + 1, results[i].replicas);
        else
            ecsim_steps_add(&d->steps, "metric %zu is invalid: %s", i + 1, results[i].reason);
    }
    size_t which;
    int rc = ecsim_hpa_combine_metrics(results, rcs, n, obs->current, proposal, &which);
    const ecsim_hpa_metric_spec *wm = which == 0 ? &cfg->metric : &cfg->more_metrics[which - 1];
    snprintf(d->metric, sizeof d->metric, "%s", hpa_metric_label(wm));
    d->target = hpa_metric_target(wm);
    if (rc == ECSIM_ENOENT) {
        size_t invalid = 0;
        for (size_t i = 0; i < n; i++)
            invalid += rcs[i] != 0;
        d->proposal = d->stabilized = d->limited = d->clamped = obs->current;
        d->desired = obs->current;
        const char *why = invalid == n ? "every metric is invalid"
                                       : "a metric is invalid and the others would scale down";
        ecsim_steps_add(&d->steps, "%s: the HPA does not scale this cycle (reference §5.2)",
                        why);
        snprintf(d->reason, sizeof d->reason, "%s (metric %zu: %s): no scaling this cycle", why,
                 which + 1, results[which].reason);
        return ECSIM_ENOENT;
    }
    d->value = results[which].utilization;
    ecsim_steps_add(&d->steps, "proposal = max over %zu metrics = %d (metric %zu, %s)", n,
                    *proposal, which + 1, d->metric);
    return 0;
}

static int hpa_policy_evaluate(void *impl, const ecsim_policy_obs *obs, ecsim_decision *d)
{
    hpa_policy *p = impl;
    ecsim_hpa_config cfg = p->cfg;
    /* The simulation's bounds win (scheduled changes, --set). */
    if (obs->min >= 0 && obs->max >= 1 && obs->min <= obs->max) {
        cfg.min = obs->min;
        cfg.max = obs->max;
    }
    ecsim_hpa_obs hobs = {
        .now_s = obs->now_s,
        .current = obs->current,
        .status_replicas = obs->running,
        .pods = obs->pods,
        .pod_count = obs->pod_count,
        .pods_given = true,
    };
    d->target = hpa_metric_target(&cfg.metric);
    if (cfg.metric.type == ECSIM_HPA_METRIC_PODS ||
        (cfg.metric.type == ECSIM_HPA_METRIC_RESOURCE && cfg.more_metric_count > 0))
        snprintf(d->metric, sizeof d->metric, "%s", hpa_metric_label(&cfg.metric));
    int proposal = obs->current;
    bool computable = obs->current != 0 && obs->current >= cfg.min && obs->current <= cfg.max;
    if (computable && cfg.more_metric_count > 0) {
        int rc = hpa_several_metrics(&cfg, obs, &hobs, d, &proposal);
        if (rc == ECSIM_ENOENT)
            return 0; /* no scaling this cycle (§5.2); the decision says why */
        if (rc)
            return rc;
    } else if (computable) {
        if (cfg.metric.type == ECSIM_HPA_METRIC_RESOURCE && !cfg.metric.resource_cpu &&
            obs->memory_pods)
            hobs.pods = obs->memory_pods;
        ecsim_hpa_metric_result mr;
        int rc = ecsim_hpa_replicas_for_metric(&cfg, &hobs, &mr, &d->steps);
        if (rc == ECSIM_ENOENT) {
            /* No metric: the HPA does not scale this cycle (§5.2). */
            d->proposal = d->stabilized = d->limited = d->clamped = obs->current;
            d->desired = obs->current;
            snprintf(d->reason, sizeof d->reason, "%s", mr.reason);
            return 0;
        }
        if (rc)
            return rc;
        d->value = mr.utilization;
        proposal = mr.replicas;
    }
    ecsim_hpa_result r;
    int rc = ecsim_hpa_reconcile(&cfg, &p->state, obs->now_s, obs->current, proposal, &r,
                                 &d->steps);
    if (rc)
        return rc;
    d->proposal = r.proposal;
    d->stabilized = r.stabilized;
    d->limited = r.limited;
    d->clamped = r.desired;
    d->desired = r.desired;
    d->action = r.action;
    if (computable && cfg.more_metric_count > 0)
        snprintf(d->reason, sizeof d->reason, "max over metrics from %s: %s", d->metric,
                 r.reason);
    else
        snprintf(d->reason, sizeof d->reason, "%s", r.reason);
    return 0;
}

static void hpa_destroy(void *impl)
{
    hpa_policy *p = impl;
    ecsim_hpa_state_free(&p->state);
    ecsim_free(p);
}

/* `ecsim decide` for an HPA: the logs from the input's history, then the
 * metric computation (or the given proposal) and reconcile() at now = 0. */
static int decide_hpa(const struct ecsim_decide_input *in, int *desired, char *reason,
                      size_t reason_size, ecsim_steps *steps)
{
    ecsim_hpa_state st;
    ecsim_hpa_state_init(&st);
    int rc = 0;
    /* History ages become timestamps before now = 0 (decide does not seed
     * the logs with `current`). */
    for (size_t i = 0; i < in->recommendation_count && rc == 0; i++)
        rc = ecsim_hpa_state_add_recommendation(&st, -in->recommendations[i].age_s,
                                                in->recommendations[i].value);
    for (size_t i = 0; i < in->scale_event_count && rc == 0; i++)
        rc = ecsim_hpa_state_add_event(&st, -in->scale_events[i].age_s, in->scale_events[i].value);
    if (rc)
        goto done;
    int proposal = in->current;
    bool computable = !(in->current == 0 && in->hpa.min != 0) && in->current <= in->hpa.max &&
                      in->current >= in->hpa.min;
    if (in->has_proposal) {
        proposal = in->proposal;
        ecsim_steps_add(steps, "proposal given: %d (metric computation skipped)", proposal);
    } else if (computable) {
        ecsim_hpa_obs obs = {
            .now_s = 0,
            .current = in->current,
            .status_replicas = in->current,
            .pods = in->pods,
            .pod_count = in->pod_count,
            .pods_given = in->pods_given,
            .metric_value_m = in->metric_value_m,
        };
        ecsim_hpa_metric_result mr;
        rc = ecsim_hpa_replicas_for_metric(&in->hpa, &obs, &mr, steps);
        if (rc == ECSIM_ENOENT) {
            /* No usable metric: the HPA does not scale this cycle (§5.2). */
            *desired = in->current;
            snprintf(reason, reason_size, "%s; desired stays %d", mr.reason, in->current);
            rc = 0;
            goto done;
        }
        if (rc)
            goto done;
        proposal = mr.replicas;
    }
    ecsim_hpa_result r;
    rc = ecsim_hpa_reconcile(&in->hpa, &st, 0, in->current, proposal, &r, steps);
    if (rc)
        goto done;
    *desired = r.desired;
    snprintf(reason, reason_size, "%s", r.reason);

done:
    ecsim_hpa_state_free(&st);
    return rc;
}

const ecsim_policy_ops ecsim_policy_hpa_ops = {
    .create = hpa_create,
    .evaluate = hpa_policy_evaluate,
    .destroy = hpa_destroy,
    .decide = decide_hpa,
};
