/* The policy registry and what every policy shares: explanation lines,
 * the decision record and its CSV row, the
 * default configuration, and the `none` policy.
 *
 * Adding a policy: write sim/policy/policy_NAME.c with its calculator and
 * its ecsim_policy_NAME_ops, and add one X(KIND, NAME) line to
 * ECSIM_POLICY_KINDS (include/ecsim/scenario.h): the enum, the scenario's
 * names, the ops declaration and the registry entry below all follow from
 * that line (STYLE.md rule 7). */
#include "ecsim/policy.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ecsim/alloc.h"
#include "ecsim/csv.h"
#include "ecsim/error.h"
#include "ecsim/loader.h"
#include "ecsim/output.h"

/* ---- names ------------------------------------------------------------------- */

const char *ecsim_scale_action_name(ecsim_scale_action a)
{
    switch (a) {
    case ECSIM_SCALE_OUT: return "scale_out";
    case ECSIM_SCALE_IN: return "scale_in";
    case ECSIM_SCALE_NONE: break;
    }
    return "none";
}

/* ---- explanation lines ----------------------------------------------------------- */

void ecsim_steps_init(ecsim_steps *s) { memset(s, 0, sizeof *s); }

void ecsim_steps_clear(ecsim_steps *s)
{
    for (size_t i = 0; i < s->count; i++)
        ecsim_free(s->lines[i]);
    s->count = 0;
    s->oom = 0;
}

void ecsim_steps_free(ecsim_steps *s)
{
    ecsim_steps_clear(s);
    ecsim_free(s->lines);
    memset(s, 0, sizeof *s);
}

void ecsim_steps_add(ecsim_steps *s, const char *fmt, ...)
{
    if (!s)
        return;
    if (s->count == s->capacity) {
        size_t cap = s->capacity ? s->capacity * 2 : 16;
        char **lines = ecsim_reallocarray(s->lines, cap, sizeof *lines);
        if (!lines) {
            s->oom = 1;
            return;
        }
        s->lines = lines;
        s->capacity = cap;
    }
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    char *line = ecsim_strdup(buf);
    if (!line) {
        s->oom = 1;
        return;
    }
    s->lines[s->count++] = line;
}

/* ---- decisions ------------------------------------------------------------------- */

void ecsim_decision_init(ecsim_decision *d)
{
    memset(d, 0, sizeof *d);
    ecsim_steps_init(&d->steps);
    ecsim_decision_reset(d);
}

void ecsim_decision_reset(ecsim_decision *d)
{
    ecsim_steps saved = d->steps;
    ecsim_steps_clear(&saved);
    memset(d, 0, sizeof *d);
    d->steps = saved;
    d->time_s = NAN;
    d->policy = "";
    d->value = NAN;
    d->target = NAN;
    d->alarm_high = ECSIM_ALARM_NA;
    d->alarm_low = ECSIM_ALARM_NA;
    d->current = -1;
    d->proposal = -1;
    d->stabilized = -1;
    d->limited = -1;
    d->clamped = -1;
    d->action = ECSIM_SCALE_NONE;
    d->desired = -1;
    d->min = -1;
    d->max = -1;
}

void ecsim_decision_free(ecsim_decision *d)
{
    ecsim_steps_free(&d->steps);
    memset(d, 0, sizeof *d);
}

void ecsim_decision_csv_header(FILE *out)
{
    fputs("time_s,policy,metric,value,target,alarm_high,alarm_low,current,proposal,"
          "stabilized,limited,clamped,action,desired,reason,steps\n",
          out);
}

void ecsim_decision_csv_row(FILE *out, const ecsim_decision *d)
{
    ecsim_csv_writer w;
    ecsim_csv_writer_init(&w, out);
    ecsim_csv_write_num(&w, d->time_s);
    ecsim_csv_write_text(&w, d->policy ? d->policy : "");
    ecsim_csv_write_text(&w, d->metric);
    ecsim_csv_write_num(&w, d->value);
    ecsim_csv_write_num(&w, d->target);
    ecsim_csv_write_text(&w, ecsim_alarm_state_name(d->alarm_high));
    ecsim_csv_write_text(&w, ecsim_alarm_state_name(d->alarm_low));
    ecsim_csv_write_int(&w, d->current, true);
    ecsim_csv_write_int(&w, d->proposal, true);
    ecsim_csv_write_int(&w, d->stabilized, true);
    ecsim_csv_write_int(&w, d->limited, true);
    ecsim_csv_write_int(&w, d->clamped, true);
    ecsim_csv_write_text(&w, ecsim_scale_action_name(d->action));
    ecsim_csv_write_int(&w, d->desired, true);
    ecsim_csv_write_text(&w, d->reason);
    /* The steps joined by " | " in one field. */
    size_t len = 0;
    for (size_t i = 0; i < d->steps.count; i++)
        len += strlen(d->steps.lines[i]) + 3;
    char *joined = ecsim_malloc(len + 1);
    if (joined) {
        joined[0] = '\0';
        for (size_t i = 0; i < d->steps.count; i++) {
            if (i)
                strcat(joined, " | ");
            strcat(joined, d->steps.lines[i]);
        }
    }
    ecsim_csv_write_text(&w, joined ? joined : "");
    ecsim_free(joined);
    ecsim_csv_end_row(&w);
}

/* ---- default configuration --------------------------------------------------------- */

const char *ecsim_metric_kind_name(ecsim_metric_kind m)
{
    switch (m) {
    case ECSIM_METRIC_MEMORY: return "memory";
    case ECSIM_METRIC_REQUESTS_PER_TARGET: return "requests_per_target";
    case ECSIM_METRIC_CPU: break;
    }
    return "cpu";
}

/* One HPA behavior direction from the scenario: what is not given takes the
 * direction's §5.3 default (`defaults`, already filled). */
static void hpa_rules_from_spec(ecsim_hpa_rules *r, const ecsim_hpa_rules_spec *rs)
{
    if (!isnan(rs->stabilization_window_s))
        r->stabilization_window_s = rs->stabilization_window_s;
    r->select = (ecsim_hpa_select)rs->select_policy;
    if (rs->policy_count > 0) {
        size_t n = rs->policy_count < ECSIM_HPA_POLICY_MAX ? rs->policy_count
                                                           : ECSIM_HPA_POLICY_MAX;
        for (size_t i = 0; i < n; i++) {
            r->policies[i].percent = rs->policies[i].type == ECSIM_HPA_POLICY_PERCENT;
            r->policies[i].value = rs->policies[i].value;
            r->policies[i].period_s = rs->policies[i].period_s;
        }
        r->policy_count = n;
    }
}

/* Step scaling from a loaded section: NAN threshold / cooldown inherit the
 * common target / scale-out cooldown. */
static void step_from_spec(ecsim_step_config *st, const ecsim_step_scaling_spec *ss,
                           double target, double scale_out_cooldown_s)
{
    st->threshold = isnan(ss->threshold) ? target : ss->threshold;
    st->adjustment_type = (ecsim_adjustment_type)ss->adjustment_type;
    st->min_adjustment_magnitude = ss->min_adjustment_magnitude;
    st->aggregation = (ecsim_aggregation)ss->aggregation;
    st->cooldown_s = isnan(ss->cooldown_s) ? scale_out_cooldown_s : ss->cooldown_s;
    st->alarm_datapoints = ss->alarm_datapoints;
    st->alarm_periods = ss->alarm_periods;
    if (ss->step_count == 0)
        return; /* keep the default steps */
    st->step_count = ss->step_count < ECSIM_STEP_MAX ? ss->step_count : ECSIM_STEP_MAX;
    for (size_t i = 0; i < st->step_count; i++) {
        const ecsim_step_spec *s = &ss->steps[i];
        st->steps[i] = (ecsim_step_adjustment){
            .has_lower = !isnan(s->lower),
            .lower = isnan(s->lower) ? 0 : s->lower,
            .has_upper = !isnan(s->upper),
            .upper = isnan(s->upper) ? 0 : s->upper,
            .adjustment = s->adjustment,
        };
    }
}

/* One HPA metric from the scenario; NAN target utilisation = the common
 * target. */
static void hpa_metric_from_spec(ecsim_hpa_metric_spec *m, const ecsim_hpa_scaling_metric_spec *ms,
                                 double target)
{
    m->type = (ecsim_hpa_metric_type)ms->type;
    m->resource_cpu = ms->name != ECSIM_METRIC_MEMORY;
    m->target_utilization = isnan(ms->target_utilization) ? target : ms->target_utilization;
    if (m->type == ECSIM_HPA_METRIC_PODS) {
        m->average_value = true;
        m->target_average_value_m = ms->target_average_value;
    }
}

/* The HPA from a loaded section (min / max set by the caller). */
static void hpa_from_spec(ecsim_hpa_config *h, const ecsim_hpa_spec *hs, double target)
{
    hpa_metric_from_spec(&h->metric, &hs->metric, target);
    h->more_metric_count = 0;
    for (size_t i = 0; hs->metrics && i < hs->metric_count && i < ECSIM_HPA_MORE_METRICS_MAX;
         i++) {
        memset(&h->more_metrics[i], 0, sizeof h->more_metrics[i]);
        hpa_metric_from_spec(&h->more_metrics[i], &hs->metrics[i], target);
        h->more_metric_count++;
    }
    h->tolerance_up = hs->tolerance;
    h->tolerance_down = hs->tolerance;
    h->cpu_initialization_period_s = hs->cpu_initialization_period_s;
    h->initial_readiness_delay_s = hs->initial_readiness_delay_s;
    h->downscale_stabilization_s = hs->downscale_stabilization_s;
    h->has_behavior = hs->has_behavior;
    if (h->has_behavior) {
        /* Given a behavior, what it leaves out takes §5.3's defaults. */
        ecsim_hpa_rules_default_up(&h->scale_up);
        ecsim_hpa_rules_default_down(&h->scale_down, h->downscale_stabilization_s);
        hpa_rules_from_spec(&h->scale_up, &hs->behavior.scale_up);
        hpa_rules_from_spec(&h->scale_down, &hs->behavior.scale_down);
    }
}

static void predictive_from_spec(ecsim_predictive_config *pc, const ecsim_predictive_spec *ps)
{
    pc->method = (ecsim_forecast_method)ps->method;
    pc->min_history_s = ps->min_history_s;
    pc->refresh_s = ps->refresh_s;
    pc->resolution_s = ps->resolution_s;
    pc->horizon_s = ps->horizon_s;
    pc->scheduling_buffer_s = ps->scheduling_buffer_s;
    pc->season_s = ps->season_s;
    pc->hw_alpha = ps->alpha;
    pc->hw_beta = ps->beta;
    pc->hw_gamma = ps->gamma;
}

void ecsim_policy_config_defaults(ecsim_policy_config *cfg, const ecsim_autoscaler_spec *spec)
{
    memset(cfg, 0, sizeof *cfg);
    double target = spec && isfinite(spec->target) ? spec->target : 60.0;
    cfg->kind = spec ? spec->policy : ECSIM_POLICY_NONE;
    cfg->metric = spec ? spec->metric : ECSIM_METRIC_CPU;
    snprintf(cfg->metric_name, sizeof cfg->metric_name, "%s", ecsim_metric_kind_name(cfg->metric));
    ecsim_tt_config_defaults(&cfg->tt, target);
    ecsim_step_config_defaults(&cfg->step);
    cfg->step.threshold = target;
    /* Steps when none are given: +1 task at or above the threshold, -1
     * below it (MODEL: AWS requires steps; this keeps a minimal scenario
     * short). */
    cfg->step.steps[0] = (ecsim_step_adjustment){.has_lower = true, .lower = 0, .adjustment = 1};
    cfg->step.steps[1] = (ecsim_step_adjustment){.has_upper = true, .upper = 0, .adjustment = -1};
    cfg->step.step_count = 2;
    ecsim_hpa_config_defaults(&cfg->hpa);
    ecsim_predictive_config_defaults(&cfg->predictive);
    cfg->predictive.target_utilization_pct = target;
    if (!spec)
        return;

    /* Target tracking, also under predictive (reference §1.2). */
    ecsim_tt_config *tt = &cfg->tt;
    tt->scale_out_cooldown_s = spec->scale_out_cooldown_s;
    tt->scale_in_cooldown_s = spec->scale_in_cooldown_s;
    tt->disable_scale_in = spec->disable_scale_in;
    if (spec->alarm_high.periods > 0) {
        tt->alarm_high_datapoints = spec->alarm_high.datapoints;
        tt->alarm_high_periods = spec->alarm_high.periods;
    }
    if (spec->alarm_low.periods > 0) {
        tt->alarm_low_datapoints = spec->alarm_low.datapoints;
        tt->alarm_low_periods = spec->alarm_low.periods;
    }
    if (spec->scale_in_ratio > 0)
        tt->scale_in_ratio = spec->scale_in_ratio;
    tt->capacity_basis = spec->capacity_basis;
    tt->metric_value = spec->metric_value;
    /* More target-tracking policies: the common alarms and ratio, their own
     * target, scale-in switch and (NAN = common) cooldowns (reference §1.2). */
    for (size_t i = 0; spec->target_tracking_policies && i < spec->target_tracking_policy_count &&
                       i < ECSIM_TT_MORE_MAX;
         i++) {
        const ecsim_tt_policy_spec *ps = &spec->target_tracking_policies[i];
        ecsim_tt_policy_config *pc = &cfg->tt_more[cfg->tt_more_count++];
        pc->metric = ps->metric;
        pc->tt = *tt;
        pc->tt.target = ps->target;
        pc->tt.disable_scale_in = ps->disable_scale_in;
        if (!isnan(ps->scale_out_cooldown_s))
            pc->tt.scale_out_cooldown_s = ps->scale_out_cooldown_s;
        if (!isnan(ps->scale_in_cooldown_s))
            pc->tt.scale_in_cooldown_s = ps->scale_in_cooldown_s;
    }

    /* Step scaling (reference §1.3). A section never loaded (alarm_periods
     * 0: a spec built with only the common fields) keeps the defaults. */
    const ecsim_step_scaling_spec *ss = &spec->step_scaling;
    ecsim_step_config *st = &cfg->step;
    st->cooldown_s = spec->scale_out_cooldown_s;
    if (ss->alarm_periods > 0)
        step_from_spec(st, ss, target, spec->scale_out_cooldown_s);

    /* Scheduled actions (reference §1.4): a view into the spec. */
    cfg->scheduled = spec->scheduled;
    cfg->scheduled_count = spec->scheduled ? spec->scheduled_count : 0;

    /* HPA (reference §5.1-5.3): min / max / target are the common fields. */
    cfg->hpa.min = spec->min;
    cfg->hpa.max = spec->max;
    cfg->hpa.metric.resource_cpu = spec->metric != ECSIM_METRIC_MEMORY;
    cfg->hpa.metric.target_utilization = target;
    if (spec->hpa.metric.target_utilization != 0) /* NAN or > 0 once loaded */
        hpa_from_spec(&cfg->hpa, &spec->hpa, target);

    /* Predictive (reference §1.5); its target is the common target. */
    if (spec->predictive.resolution_s > 0)
        predictive_from_spec(&cfg->predictive, &spec->predictive);
}

/* ---- the `none` policy: a fixed desired count --------------------------------------- */

static void *none_create(const ecsim_policy_config *cfg)
{
    (void)cfg;
    /* Nothing to remember; a non-NULL token distinguishes success from OOM. */
    static const char none_token = 0;
    return (void *)&none_token;
}

static int none_evaluate(void *impl, const ecsim_policy_obs *obs, ecsim_decision *d)
{
    (void)impl;
    d->proposal = obs->current;
    d->clamped = obs->current;
    d->desired = obs->current;
    d->action = ECSIM_SCALE_NONE;
    snprintf(d->reason, sizeof d->reason, "no autoscaling: the desired count stays %d",
             obs->current);
    return 0;
}

static void none_destroy(void *impl) { (void)impl; }

const ecsim_policy_ops ecsim_policy_none_ops = {
    .create = none_create,
    .evaluate = none_evaluate,
    .destroy = none_destroy,
};

/* ---- registry ------------------------------------------------------------------------ */

/* One entry per ECSIM_POLICY_KINDS line (scenario.h), at the index of its
 * kind: the name and the ops ecsim_policy_NAME_ops. */
#define POLICY_ENTRY_(kind, name)                                                         \
    [ECSIM_POLICY_##kind] = {ECSIM_POLICY_##kind, #name, &ecsim_policy_##name##_ops},
static const ecsim_policy_entry policy_registry[] = {ECSIM_POLICY_KINDS(POLICY_ENTRY_)};
#undef POLICY_ENTRY_

#define POLICY_COUNT (sizeof policy_registry / sizeof policy_registry[0])
_Static_assert(POLICY_COUNT == ECSIM_POLICY_KIND_COUNT, "one registry entry per policy kind");

const ecsim_policy_entry *ecsim_policy_registry(size_t *count)
{
    *count = POLICY_COUNT;
    return policy_registry;
}

const ecsim_policy_entry *ecsim_policy_find(const char *name)
{
    if (!name)
        return NULL;
    for (size_t i = 0; i < POLICY_COUNT; i++)
        if (strcmp(policy_registry[i].name, name) == 0)
            return &policy_registry[i];
    return NULL;
}

const ecsim_policy_entry *ecsim_policy_for_kind(ecsim_policy_kind kind)
{
    if ((unsigned)kind >= POLICY_COUNT)
        return NULL;
    return &policy_registry[kind];
}

const char *ecsim_policy_kind_name(ecsim_policy_kind kind)
{
    const ecsim_policy_entry *e = ecsim_policy_for_kind(kind);
    return e ? e->name : "?";
}

int ecsim_policy_validate_spec(const ecsim_autoscaler_spec *spec, ecsim_policy_report_fn *report,
                               void *ctx)
{
    for (size_t i = 0; i < POLICY_COUNT; i++) {
        const ecsim_policy_ops *ops = policy_registry[i].ops;
        if (ops->validate) {
            int rc = ops->validate(spec, report, ctx);
            if (rc != 0)
                return rc;
        }
    }
    return 0;
}

typedef struct validate_ctx {
    const ecsim_scenario *sc;
    ecsim_diags *d;
} validate_ctx;

static void report_located(void *ctx, const char *path1, const char *path2, const char *message)
{
    validate_ctx *v = ctx;
    ecsim_scenario_report(v->sc, v->d, path1, path2, message);
}

int ecsim_policy_validate(const ecsim_scenario *sc, ecsim_diags *d)
{
    size_t errors_before = d->errors;
    validate_ctx v = {sc, d};
    int rc = ecsim_policy_validate_spec(&sc->autoscaler, report_located, &v);
    if (rc == ECSIM_ENOMEM)
        d->oom = 1;
    if (rc == 0 && (d->oom || d->errors > errors_before))
        rc = d->oom ? ECSIM_ENOMEM : ECSIM_EINVAL;
    return rc;
}

struct ecsim_policy {
    const ecsim_policy_entry *entry;
    void *impl;
    char metric[32];
};

ecsim_policy *ecsim_policy_create(const ecsim_policy_config *cfg)
{
    const ecsim_policy_entry *entry = ecsim_policy_for_kind(cfg->kind);
    if (!entry)
        return NULL;
    ecsim_policy *p = ecsim_calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->entry = entry;
    snprintf(p->metric, sizeof p->metric, "%s", cfg->metric_name);
    p->impl = entry->ops->create(cfg);
    if (!p->impl)
        goto fail_impl;
    return p;

fail_impl:
    ecsim_free(p);
    return NULL;
}

int ecsim_policy_evaluate(ecsim_policy *p, const ecsim_policy_obs *obs, ecsim_decision *d)
{
    ecsim_decision_reset(d);
    d->time_s = obs->now_s;
    d->policy = p->entry->name;
    snprintf(d->metric, sizeof d->metric, "%s", p->metric);
    d->current = obs->current;
    d->min = obs->min;
    d->max = obs->max;
    return p->entry->ops->evaluate(p->impl, obs, d);
}

const char *ecsim_policy_name(const ecsim_policy *p) { return p->entry->name; }

void ecsim_policy_destroy(ecsim_policy *p)
{
    if (!p)
        return;
    p->entry->ops->destroy(p->impl);
    ecsim_free(p);
}
