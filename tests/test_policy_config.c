/* Tests of the autoscaler's policy settings from YAML to the policy configs:
 * the schema rows and rules for `autoscaler:` (sim/input/schema.c) and
 * ecsim_policy_config_defaults (sim/policy/policy.c). Every field of every policy
 * section reaches its config; absent fields take the reference's values; a
 * behavior fills §5.3's defaults for what it leaves out; --set reaches the
 * new fields; the bad cases in tests/bad/autoscaler_*.yaml print exactly
 * their .expected diagnostics. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ecsim/alloc.h"
#include "ecsim/loader.h"
#include "ecsim/policy.h"

/* cmocka < 1.1.6 has no assert_double_equal. */
#ifndef assert_double_equal
#define assert_double_equal(a, b, eps)                                                       \
    do {                                                                                     \
        double a_ = (a), b_ = (b);                                                           \
        if (!(fabs(a_ - b_) <= (eps)))                                                       \
            fail_msg("%s is %.17g, expected %.17g", #a, a_, b_);                             \
    } while (0)
#endif

/* Load `text` with `sets`; diagnostics printed into `out` when non-NULL. */
static ecsim_scenario *load(const char *text, const char *const *sets, size_t nsets, char *out,
                            size_t out_size)
{
    ecsim_diags d;
    ecsim_diags_init(&d);
    ecsim_scenario *sc = ecsim_scenario_load_string(text, strlen(text), "t.yaml", sets, nsets, &d);
    if (sc && ecsim_policy_validate(sc, &d) != 0) { /* as the CLI loads */
        ecsim_scenario_free(sc);
        sc = NULL;
    }
    if (out) {
        FILE *fp = fmemopen(out, out_size, "w");
        assert_non_null(fp);
        ecsim_diags_print(&d, fp);
        fclose(fp);
    } else if (!sc) {
        ecsim_diags_print(&d, stderr);
    }
    ecsim_diags_free(&d);
    return sc;
}

/* ---- every field reaches its config ---- */

static const char *const FULL_TT =
    "name: x\n"
    "autoscaler:\n"
    "  policy: target_tracking\n"
    "  min: 2\n"
    "  max: 30\n"
    "  target: 55\n"
    "  scale_out_cooldown: 2m\n"
    "  scale_in_cooldown: 10m\n"
    "  disable_scale_in: true\n"
    "  alarm_high: {datapoints: 2, periods: 4}\n"
    "  alarm_low: {datapoints: 10, periods: 12}\n"
    "  scale_in_ratio: 0.8\n";

static void test_target_tracking_fields(void **state)
{
    (void)state;
    ecsim_scenario *sc = load(FULL_TT, NULL, 0, NULL, 0);
    assert_non_null(sc);
    ecsim_policy_config c;
    ecsim_policy_config_defaults(&c, &sc->autoscaler);
    assert_int_equal(c.kind, ECSIM_POLICY_TARGET_TRACKING);
    assert_string_equal(c.metric_name, "cpu");
    assert_double_equal(c.tt.target, 55, 0);
    assert_int_equal(c.tt.alarm_high_datapoints, 2);
    assert_int_equal(c.tt.alarm_high_periods, 4);
    assert_int_equal(c.tt.alarm_low_datapoints, 10);
    assert_int_equal(c.tt.alarm_low_periods, 12);
    assert_double_equal(c.tt.scale_in_ratio, 0.8, 0);
    assert_double_equal(c.tt.scale_out_cooldown_s, 120, 0);
    assert_double_equal(c.tt.scale_in_cooldown_s, 600, 0);
    assert_true(c.tt.disable_scale_in);
    ecsim_policy *p = ecsim_policy_create(&c);
    assert_non_null(p);
    ecsim_policy_destroy(p);
    ecsim_scenario_free(sc);
}

static const char *const FULL_STEP =
    "name: x\n"
    "autoscaler:\n"
    "  policy: step_scaling\n"
    "  min: 1\n"
    "  max: 100\n"
    "  target: 70\n"
    "  step_scaling:\n"
    "    threshold: 50\n"
    "    adjustment_type: percent_change_in_capacity\n"
    "    min_adjustment_magnitude: 2\n"
    "    aggregation: maximum\n"
    "    cooldown: 90s\n"
    "    alarm_datapoints: 2\n"
    "    alarm_periods: 3\n"
    "    steps:\n"
    "      - {lower: 0, upper: 10, adjustment: 10}\n"
    "      - {lower: 10, adjustment: 30}\n"
    "      - {upper: 0, lower: -10, adjustment: -10}\n"
    "      - {upper: -10, adjustment: -30}\n";

static void test_step_scaling_fields(void **state)
{
    (void)state;
    ecsim_scenario *sc = load(FULL_STEP, NULL, 0, NULL, 0);
    assert_non_null(sc);
    ecsim_policy_config c;
    ecsim_policy_config_defaults(&c, &sc->autoscaler);
    const ecsim_step_config *s = &c.step;
    assert_double_equal(s->threshold, 50, 0);
    assert_int_equal(s->adjustment_type, ECSIM_ADJ_PERCENT_CHANGE_IN_CAPACITY);
    assert_int_equal(s->min_adjustment_magnitude, 2);
    assert_int_equal(s->aggregation, ECSIM_AGG_MAXIMUM);
    assert_double_equal(s->cooldown_s, 90, 0);
    assert_int_equal(s->alarm_datapoints, 2);
    assert_int_equal(s->alarm_periods, 3);
    assert_int_equal(s->step_count, 4);
    assert_true(s->steps[0].has_lower && s->steps[0].has_upper);
    assert_double_equal(s->steps[0].lower, 0, 0);
    assert_double_equal(s->steps[0].upper, 10, 0);
    assert_int_equal(s->steps[0].adjustment, 10);
    assert_true(s->steps[1].has_lower && !s->steps[1].has_upper);
    assert_double_equal(s->steps[1].lower, 10, 0);
    assert_int_equal(s->steps[1].adjustment, 30);
    assert_true(s->steps[2].has_lower && s->steps[2].has_upper);
    assert_double_equal(s->steps[2].lower, -10, 0);
    assert_double_equal(s->steps[2].upper, 0, 0);
    assert_int_equal(s->steps[2].adjustment, -10);
    assert_true(!s->steps[3].has_lower && s->steps[3].has_upper);
    assert_double_equal(s->steps[3].upper, -10, 0);
    assert_int_equal(s->steps[3].adjustment, -30);
    assert_int_equal(ecsim_step_config_validate(s, NULL, 0), 0);
    /* The loaded steps run: 55 is in [0, 10) above 50, +10 % of 10 = +1. */
    ecsim_step_state st = {0};
    ecsim_step_result r;
    ecsim_step_config docs = *s;
    docs.min_adjustment_magnitude = 0;
    assert_int_equal(ecsim_step_evaluate(&docs, &st, 10, 1, 100, 55, &r, NULL), 0);
    assert_int_equal(r.desired, 11);
    ecsim_policy *p = ecsim_policy_create(&c);
    assert_non_null(p);
    ecsim_policy_destroy(p);
    ecsim_scenario_free(sc);
}

static const char *const FULL_SCHED =
    "name: x\n"
    "duration: 6h\n"
    "autoscaler:\n"
    "  policy: scheduled\n"
    "  min: 1\n"
    "  max: 10\n"
    "  scheduled:\n"
    "    - {at: 3h, min: 2}\n"
    "    - {at: 1h, min: 5, max: 12}\n"
    "    - {at: 3h, max: 4}\n"
    "    - {at: 2h, min: 6}\n";

static void test_scheduled_fields_sorted(void **state)
{
    (void)state;
    ecsim_scenario *sc = load(FULL_SCHED, NULL, 0, NULL, 0);
    assert_non_null(sc);
    const ecsim_autoscaler_spec *as = &sc->autoscaler;
    assert_int_equal(as->scheduled_count, 4);
    /* Stable by time: the two 3 h actions keep their order. */
    const ecsim_scheduled_action *a = as->scheduled;
    assert_double_equal(a[0].at_s, 3600, 0);
    assert_true(a[0].has_min && a[0].has_max);
    assert_int_equal(a[0].min, 5);
    assert_int_equal(a[0].max, 12);
    assert_double_equal(a[1].at_s, 7200, 0);
    assert_true(a[1].has_min && !a[1].has_max);
    assert_int_equal(a[1].min, 6);
    assert_double_equal(a[2].at_s, 10800, 0);
    assert_true(a[2].has_min && !a[2].has_max);
    assert_int_equal(a[2].min, 2);
    assert_double_equal(a[3].at_s, 10800, 0);
    assert_true(!a[3].has_min && a[3].has_max);
    assert_int_equal(a[3].max, 4);
    ecsim_policy_config c;
    ecsim_policy_config_defaults(&c, as);
    assert_ptr_equal(c.scheduled, as->scheduled); /* a view into the spec */
    assert_int_equal(c.scheduled_count, 4);
    int min = as->min, max = as->max, desired = 3;
    assert_int_equal(ecsim_scheduled_apply(c.scheduled, c.scheduled_count, 0, 4 * 3600.0, &min,
                                           &max, &desired, NULL),
                     4);
    assert_int_equal(min, 2);
    assert_int_equal(max, 4);
    assert_int_equal(desired, 4);
    ecsim_policy *p = ecsim_policy_create(&c);
    assert_non_null(p);
    ecsim_policy_destroy(p);
    /* A clone owns its own copy of the list. */
    ecsim_scenario *copy = ecsim_scenario_clone(sc);
    assert_non_null(copy);
    assert_ptr_not_equal(copy->autoscaler.scheduled, as->scheduled);
    assert_int_equal(copy->autoscaler.scheduled[2].min, 2);
    assert_true(copy->autoscaler.scheduled[2].has_min);
    ecsim_scenario_free(copy);
    ecsim_scenario_free(sc);
}

static const char *const FULL_HPA =
    "name: x\n"
    "service: {platform: eks}\n"
    "autoscaler:\n"
    "  policy: hpa\n"
    "  min: 2\n"
    "  max: 20\n"
    "  hpa:\n"
    "    metric: {type: resource, name: memory, target_utilization: 65}\n"
    "    tolerance: 0.05\n"
    "    cpu_initialization_period: 3m\n"
    "    initial_readiness_delay: 20s\n"
    "    downscale_stabilization: 2m\n"
    "    behavior:\n"
    "      scale_up:\n"
    "        stabilization_window: 30s\n"
    "        select_policy: min\n"
    "        policies: [{type: pods, value: 2, period: 60s}, {type: percent, value: 50, "
    "period: 30s}]\n"
    "      scale_down:\n"
    "        stabilization_window: 10m\n"
    "        select_policy: disabled\n"
    "        policies: [{type: pods, value: 1, period: 2m}]\n";

static void test_hpa_fields(void **state)
{
    (void)state;
    ecsim_scenario *sc = load(FULL_HPA, NULL, 0, NULL, 0);
    assert_non_null(sc);
    assert_double_equal(sc->autoscaler.target, 80, 0); /* hpa default target (§5.1) */
    ecsim_policy_config c;
    ecsim_policy_config_defaults(&c, &sc->autoscaler);
    const ecsim_hpa_config *h = &c.hpa;
    assert_int_equal(h->min, 2);
    assert_int_equal(h->max, 20);
    assert_int_equal(h->metric.type, ECSIM_HPA_METRIC_RESOURCE);
    assert_false(h->metric.resource_cpu);
    assert_double_equal(h->metric.target_utilization, 65, 0);
    assert_double_equal(h->tolerance_up, 0.05, 0);
    assert_double_equal(h->tolerance_down, 0.05, 0);
    assert_double_equal(h->cpu_initialization_period_s, 180, 0);
    assert_double_equal(h->initial_readiness_delay_s, 20, 0);
    assert_double_equal(h->downscale_stabilization_s, 120, 0);
    assert_true(h->has_behavior);
    assert_double_equal(h->scale_up.stabilization_window_s, 30, 0);
    assert_int_equal(h->scale_up.select, ECSIM_HPA_SELECT_MIN);
    assert_int_equal(h->scale_up.policy_count, 2);
    assert_false(h->scale_up.policies[0].percent);
    assert_int_equal(h->scale_up.policies[0].value, 2);
    assert_double_equal(h->scale_up.policies[0].period_s, 60, 0);
    assert_true(h->scale_up.policies[1].percent);
    assert_int_equal(h->scale_up.policies[1].value, 50);
    assert_double_equal(h->scale_up.policies[1].period_s, 30, 0);
    assert_double_equal(h->scale_down.stabilization_window_s, 600, 0);
    assert_int_equal(h->scale_down.select, ECSIM_HPA_SELECT_DISABLED);
    assert_int_equal(h->scale_down.policy_count, 1);
    assert_false(h->scale_down.policies[0].percent);
    assert_int_equal(h->scale_down.policies[0].value, 1);
    assert_double_equal(h->scale_down.policies[0].period_s, 120, 0);
    ecsim_policy *p = ecsim_policy_create(&c);
    assert_non_null(p);
    ecsim_policy_destroy(p);
    ecsim_scenario_free(sc);
}

static void test_hpa_pods_metric(void **state)
{
    (void)state;
    ecsim_scenario *sc = load("name: x\n"
                              "service: {platform: eks}\n"
                              "autoscaler:\n"
                              "  policy: hpa\n"
                              "  hpa: {metric: {type: pods, target_average_value: 15000}}\n",
                              NULL, 0, NULL, 0);
    assert_non_null(sc);
    ecsim_policy_config c;
    ecsim_policy_config_defaults(&c, &sc->autoscaler);
    assert_int_equal(c.hpa.metric.type, ECSIM_HPA_METRIC_PODS);
    assert_true(c.hpa.metric.average_value);
    assert_double_equal(c.hpa.metric.target_average_value_m, 15000, 0);
    assert_false(c.hpa.has_behavior);
    ecsim_scenario_free(sc);
}

static const char *const FULL_PRED =
    "name: x\n"
    "autoscaler:\n"
    "  policy: predictive\n"
    "  target: 50\n"
    "  predictive:\n"
    "    method: holt_winters\n"
    "    min_history: 48h\n"
    "    refresh: 3h\n"
    "    resolution: 30m\n"
    "    horizon: 24h\n"
    "    scheduling_buffer: 10m\n"
    "    season: 12h\n"
    "    alpha: 0.4\n"
    "    beta: 0.1\n"
    "    gamma: 0.2\n";

static void test_predictive_fields(void **state)
{
    (void)state;
    ecsim_scenario *sc = load(FULL_PRED, NULL, 0, NULL, 0);
    assert_non_null(sc);
    ecsim_policy_config c;
    ecsim_policy_config_defaults(&c, &sc->autoscaler);
    const ecsim_predictive_config *p = &c.predictive;
    assert_int_equal(p->method, ECSIM_FORECAST_HOLT_WINTERS);
    assert_double_equal(p->target_utilization_pct, 50, 0);
    assert_double_equal(p->min_history_s, 172800, 0);
    assert_double_equal(p->refresh_s, 10800, 0);
    assert_double_equal(p->resolution_s, 1800, 0);
    assert_double_equal(p->horizon_s, 86400, 0);
    assert_double_equal(p->scheduling_buffer_s, 600, 0);
    assert_double_equal(p->season_s, 43200, 0);
    assert_double_equal(p->hw_alpha, 0.4, 0);
    assert_double_equal(p->hw_beta, 0.1, 0);
    assert_double_equal(p->hw_gamma, 0.2, 0);
    assert_double_equal(c.tt.target, 50, 0); /* combined with target tracking */
    ecsim_policy *pol = ecsim_policy_create(&c);
    assert_non_null(pol);
    ecsim_policy_destroy(pol);
    ecsim_scenario_free(sc);
}

/* ---- defaults ---- */

/* Everything the reference gives, checked on `c`. */
static void assert_reference_defaults(const ecsim_policy_config *c, double target,
                                      double hpa_target)
{
    assert_int_equal(c->tt.alarm_high_datapoints, 3); /* §1.2, OBS */
    assert_int_equal(c->tt.alarm_high_periods, 3);
    assert_int_equal(c->tt.alarm_low_datapoints, 15);
    assert_int_equal(c->tt.alarm_low_periods, 15);
    assert_double_equal(c->tt.scale_in_ratio, 0.9, 0);
    assert_double_equal(c->tt.scale_out_cooldown_s, 300, 0);
    assert_double_equal(c->tt.scale_in_cooldown_s, 300, 0);
    assert_double_equal(c->step.threshold, target, 0);
    assert_int_equal(c->step.adjustment_type, ECSIM_ADJ_CHANGE_IN_CAPACITY);
    assert_int_equal(c->step.aggregation, ECSIM_AGG_AVERAGE); /* §1.3 */
    assert_double_equal(c->step.cooldown_s, 300, 0);
    assert_int_equal(c->step.alarm_datapoints, 1);
    assert_int_equal(c->step.alarm_periods, 1);
    assert_int_equal(c->step.step_count, 2); /* default +1 / -1 steps (MODEL) */
    assert_int_equal(ecsim_step_config_validate(&c->step, NULL, 0), 0);
    assert_null(c->scheduled);
    assert_int_equal(c->scheduled_count, 0);
    assert_int_equal(c->hpa.metric.type, ECSIM_HPA_METRIC_RESOURCE);
    assert_true(c->hpa.metric.resource_cpu);
    assert_double_equal(c->hpa.metric.target_utilization, hpa_target, 0);
    assert_double_equal(c->hpa.tolerance_up, 0.1, 0); /* §5.1 */
    assert_double_equal(c->hpa.tolerance_down, 0.1, 0);
    assert_double_equal(c->hpa.cpu_initialization_period_s, 300, 0);
    assert_double_equal(c->hpa.initial_readiness_delay_s, 30, 0);
    assert_double_equal(c->hpa.downscale_stabilization_s, 300, 0);
    assert_false(c->hpa.has_behavior);
    assert_int_equal(c->predictive.method, ECSIM_FORECAST_SEASONAL_NAIVE);
    assert_double_equal(c->predictive.min_history_s, 86400, 0); /* §1.5 */
    assert_double_equal(c->predictive.refresh_s, 21600, 0);
    assert_double_equal(c->predictive.resolution_s, 3600, 0);
    assert_double_equal(c->predictive.horizon_s, 172800, 0);
    assert_double_equal(c->predictive.scheduling_buffer_s, 300, 0);
    assert_double_equal(c->predictive.season_s, 86400, 0);
    assert_double_equal(c->predictive.hw_alpha, 0.5, 0);
    assert_double_equal(c->predictive.hw_beta, 0.05, 0);
    assert_double_equal(c->predictive.hw_gamma, 0.3, 0);
    assert_double_equal(c->predictive.target_utilization_pct, target, 0);
}

static void test_defaults_when_absent(void **state)
{
    (void)state;
    ecsim_scenario *sc = load("name: x\nautoscaler: {policy: target_tracking}\n", NULL, 0, NULL, 0);
    assert_non_null(sc);
    ecsim_policy_config c;
    ecsim_policy_config_defaults(&c, &sc->autoscaler);
    assert_reference_defaults(&c, 60, 60);
    assert_int_equal(c.hpa.min, 1);
    assert_int_equal(c.hpa.max, 10);
    ecsim_scenario_free(sc);

    /* A spec with only the common fields (the rest zero), as C code builds
     * one, gives the same configuration. */
    ecsim_autoscaler_spec spec = {.policy = ECSIM_POLICY_STEP_SCALING, .min = 1, .max = 10,
                                  .metric = ECSIM_METRIC_CPU, .target = 70,
                                  .scale_out_cooldown_s = 300, .scale_in_cooldown_s = 300};
    ecsim_policy_config_defaults(&c, &spec);
    assert_reference_defaults(&c, 70, 70);
    ecsim_policy *p = ecsim_policy_create(&c);
    assert_non_null(p);
    ecsim_policy_destroy(p);

    /* No spec: policy none with every default. */
    ecsim_policy_config_defaults(&c, NULL);
    assert_int_equal(c.kind, ECSIM_POLICY_NONE);
    assert_reference_defaults(&c, 60, 80); /* DefaultCPUUtilization (§5.1) */
}

static void test_inherited_defaults(void **state)
{
    (void)state;
    /* Step threshold and cooldown follow the common target and scale-out
     * cooldown; the HPA metric follows autoscaler.metric. */
    ecsim_scenario *sc = load("name: x\n"
                              "autoscaler: {policy: step_scaling, metric: memory, target: 40, "
                              "scale_out_cooldown: 1m}\n",
                              NULL, 0, NULL, 0);
    assert_non_null(sc);
    ecsim_policy_config c;
    ecsim_policy_config_defaults(&c, &sc->autoscaler);
    assert_double_equal(c.step.threshold, 40, 0);
    assert_double_equal(c.step.cooldown_s, 60, 0);
    assert_int_equal(sc->autoscaler.hpa.metric.name, ECSIM_METRIC_MEMORY);
    assert_false(c.hpa.metric.resource_cpu);
    ecsim_scenario_free(sc);
}

/* A behavior that gives one thing gets §5.3's defaults for the rest. */
static void test_behavior_defaults(void **state)
{
    (void)state;
    ecsim_scenario *sc = load("name: x\n"
                              "service: {platform: eks}\n"
                              "autoscaler:\n"
                              "  policy: hpa\n"
                              "  hpa:\n"
                              "    downscale_stabilization: 4m\n"
                              "    behavior: {scale_down: {select_policy: min}}\n",
                              NULL, 0, NULL, 0);
    assert_non_null(sc);
    ecsim_policy_config c;
    ecsim_policy_config_defaults(&c, &sc->autoscaler);
    const ecsim_hpa_config *h = &c.hpa;
    assert_true(h->has_behavior);
    assert_double_equal(h->scale_up.stabilization_window_s, 0, 0);
    assert_int_equal(h->scale_up.select, ECSIM_HPA_SELECT_MAX);
    assert_int_equal(h->scale_up.policy_count, 2);
    assert_false(h->scale_up.policies[0].percent);
    assert_int_equal(h->scale_up.policies[0].value, 4);
    assert_double_equal(h->scale_up.policies[0].period_s, 15, 0);
    assert_true(h->scale_up.policies[1].percent);
    assert_int_equal(h->scale_up.policies[1].value, 100);
    assert_double_equal(h->scale_up.policies[1].period_s, 15, 0);
    /* scaleDown window nil -> the downscale-stabilization flag. */
    assert_double_equal(h->scale_down.stabilization_window_s, 240, 0);
    assert_int_equal(h->scale_down.select, ECSIM_HPA_SELECT_MIN);
    assert_int_equal(h->scale_down.policy_count, 1);
    assert_true(h->scale_down.policies[0].percent);
    assert_int_equal(h->scale_down.policies[0].value, 100);
    assert_double_equal(h->scale_down.policies[0].period_s, 15, 0);
    ecsim_scenario_free(sc);

    /* An empty behavior mapping is a behavior with every default. */
    sc = load("name: x\nservice: {platform: eks}\nautoscaler: {policy: hpa, hpa: {behavior: {}}}\n", NULL, 0, NULL, 0);
    assert_non_null(sc);
    assert_true(sc->autoscaler.hpa.has_behavior);
    ecsim_policy_config_defaults(&c, &sc->autoscaler);
    assert_double_equal(c.hpa.scale_down.stabilization_window_s, 300, 0);
    assert_int_equal(c.hpa.scale_up.policy_count, 2);
    ecsim_scenario_free(sc);
}

/* ---- --set ---- */

static void test_set_new_fields(void **state)
{
    (void)state;
    const char *const sets[] = {
        "autoscaler.hpa.tolerance=0.2",
        "autoscaler.hpa.behavior.scale_up.select_policy=disabled",
        "autoscaler.scale_in_ratio=0.75",
        "autoscaler.alarm_low.periods=20",
        "autoscaler.step_scaling.steps[1].adjustment=5",
        "autoscaler.step_scaling.steps[0].upper=5",
        "autoscaler.step_scaling.steps[1].lower=5",
        "autoscaler.scheduled[0].max=9",
        "autoscaler.predictive.method=holt_winters",
    };
    ecsim_scenario *sc = load("name: x\n"
                              "duration: 2h\n"
                              "service: {platform: eks}\n"
                              "autoscaler:\n"
                              "  policy: hpa\n"
                              "  step_scaling:\n"
                              "    steps: [{lower: 0, upper: 10, adjustment: 1}, {lower: 10, "
                              "adjustment: 2}, {upper: 0, adjustment: -1}]\n"
                              "  scheduled: [{at: 1h, min: 2}]\n",
                              sets, sizeof sets / sizeof sets[0], NULL, 0);
    assert_non_null(sc);
    const ecsim_autoscaler_spec *as = &sc->autoscaler;
    assert_double_equal(as->hpa.tolerance, 0.2, 0);
    assert_true(as->hpa.has_behavior); /* a --set below `behavior` gives one */
    assert_double_equal(as->scale_in_ratio, 0.75, 0);
    assert_int_equal(as->alarm_low.periods, 20);
    assert_int_equal(as->step_scaling.steps[1].adjustment, 5);
    assert_true(as->scheduled[0].has_min && as->scheduled[0].has_max);
    assert_int_equal(as->scheduled[0].max, 9);
    assert_int_equal(as->predictive.method, ECSIM_FORECAST_HOLT_WINTERS);
    ecsim_policy_config c;
    ecsim_policy_config_defaults(&c, as);
    assert_double_equal(c.hpa.tolerance_up, 0.2, 0);
    assert_double_equal(c.hpa.tolerance_down, 0.2, 0);
    assert_int_equal(c.hpa.scale_up.select, ECSIM_HPA_SELECT_DISABLED);
    assert_double_equal(c.tt.scale_in_ratio, 0.75, 0);
    assert_int_equal(c.tt.alarm_low_periods, 20);
    assert_double_equal(c.step.steps[0].upper, 5, 0);
    assert_double_equal(c.step.steps[1].lower, 5, 0);
    assert_int_equal(ecsim_step_config_validate(&c.step, NULL, 0), 0);
    ecsim_scenario_free(sc);

    /* A --set is validated like the file: out of range (the loader), and a
     * gap it makes (the step-scaling policy's check of the loaded scenario,
     * which runs only once the loader has accepted it). */
    char out[2048];
    static const char *const steps_yaml =
        "name: x\n"
        "autoscaler:\n"
        "  policy: step_scaling\n"
        "  step_scaling:\n"
        "    steps: [{lower: 0, upper: 10, adjustment: 1}, {lower: 10, adjustment: 2}]\n";
    const char *const bad[] = {"autoscaler.hpa.tolerance=1.5",
                               "autoscaler.step_scaling.steps[1].lower=12"};
    sc = load(steps_yaml, bad, 1, out, sizeof out);
    assert_null(sc);
    assert_non_null(strstr(out, "--set autoscaler.hpa.tolerance=1.5: error: autoscaler.hpa."
                                "tolerance: expected a number >= 0 and < 1, got \"1.5\""));
    sc = load(steps_yaml, bad + 1, 1, out, sizeof out);
    assert_null(sc);
    assert_string_equal(out, "t.yaml:5:5: error: "
                             "autoscaler.step_scaling.steps: steps leave a gap at 10 and 12: "
                             "ranges must meet exactly (reference §1.3)\n");
}

/* ---- the bad cases ---- */

static char *read_file(const char *path)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    char *buf = calloc(1, 65536);
    assert_non_null(buf);
    size_t n = fread(buf, 1, 65535, fp);
    buf[n] = '\0';
    fclose(fp);
    return buf;
}

static void test_bad_cases(void **state)
{
    (void)state;
    static const char *const names[] = {
        "autoscaler_steps_overlap",          "autoscaler_steps_gap",
        "autoscaler_steps_two_unbounded_lower", "autoscaler_step_unbounded_both",
        "autoscaler_scheduled_no_bounds",    "autoscaler_hpa_select_policy",
        "autoscaler_hpa_negative_period",    "autoscaler_scale_in_ratio",
        "autoscaler_unknown_key",            "autoscaler_alarm_m_of_n",
        "autoscaler_scheduled_crossing",     "autoscaler_hpa_pods_without_target",
        "autoscaler_predictive_buffer",
    };
    long baseline = ecsim_alloc_live();
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char path[256], expected_path[256];
        snprintf(path, sizeof path, "tests/bad/%s.yaml", names[i]);
        snprintf(expected_path, sizeof expected_path, "tests/bad/%s.expected", names[i]);
        char *expected = read_file(expected_path);
        assert_non_null(expected);
        ecsim_diags d;
        ecsim_diags_init(&d);
        ecsim_scenario *sc = ecsim_scenario_load(path, NULL, 0, &d);
        if (sc && ecsim_policy_validate(sc, &d) != 0) { /* as the CLI loads */
            ecsim_scenario_free(sc);
            sc = NULL;
        }
        char out[4096];
        FILE *fp = fmemopen(out, sizeof out, "w");
        assert_non_null(fp);
        ecsim_diags_print(&d, fp);
        fclose(fp);
        ecsim_diags_free(&d);
        if (sc || strcmp(out, expected) != 0)
            fail_msg("%s: got\n%s\nexpected\n%s", path, out, expected);
        free(expected);
    }
    assert_int_equal(ecsim_alloc_live(), baseline);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_target_tracking_fields),
        cmocka_unit_test(test_step_scaling_fields),
        cmocka_unit_test(test_scheduled_fields_sorted),
        cmocka_unit_test(test_hpa_fields),
        cmocka_unit_test(test_hpa_pods_metric),
        cmocka_unit_test(test_predictive_fields),
        cmocka_unit_test(test_defaults_when_absent),
        cmocka_unit_test(test_inherited_defaults),
        cmocka_unit_test(test_behavior_defaults),
        cmocka_unit_test(test_set_new_fields),
        cmocka_unit_test(test_bad_cases),
    };
    return cmocka_run_group_tests_name("policy_config", tests, NULL, NULL);
}
