/* Scheduled actions (reference §1.4) and predictive scaling (§1.5). */
#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "ecsim/alloc.h"
#include "ecsim/policy.h"

static void test_scheduled_apply(void **state)
{
    (void)state;
    ecsim_scheduled_action a[] = {
        {3600, true, 5, false, 0},
        {7200, false, 0, true, 3},
        {7200, true, 1, false, 0},
    };
    int min = 1, max = 10, desired = 2;
    assert_int_equal(ecsim_scheduled_apply(a, 3, 0, 3599, &min, &max, &desired, NULL), 0);
    assert_int_equal(desired, 2);
    /* At 3600: min 5 > current 2 -> scale out to 5. */
    assert_int_equal(ecsim_scheduled_apply(a, 3, 3599, 3600, &min, &max, &desired, NULL), 1);
    assert_int_equal(min, 5);
    assert_int_equal(desired, 5);
    /* Same instant again: (from, to] excludes it. */
    assert_int_equal(ecsim_scheduled_apply(a, 3, 3600, 3660, &min, &max, &desired, NULL), 0);
    /* At 7200, in order: max 3 would leave min 5 > max -> invalid. */
    assert_true(ecsim_scheduled_apply(a, 3, 3660, 7200, &min, &max, &desired, NULL) < 0);
    min = 1;
    max = 10;
    desired = 8;
    assert_int_equal(ecsim_scheduled_apply(a + 1, 2, 3660, 7200, &min, &max, &desired, NULL), 2);
    assert_int_equal(max, 3);
    assert_int_equal(desired, 3);   /* current above the new max: scale in */
}

static void test_scheduled_policy_ignores_cooldowns(void **state)
{
    (void)state;
    ecsim_scheduled_action a[] = {{600, true, 4, true, 8}};
    ecsim_policy_config pc;
    ecsim_policy_config_defaults(&pc, NULL);
    pc.kind = ECSIM_POLICY_SCHEDULED;
    pc.scheduled = a;
    pc.scheduled_count = 1;
    ecsim_policy *p = ecsim_policy_create(&pc);
    assert_non_null(p);
    ecsim_decision d;
    ecsim_decision_init(&d);
    ecsim_policy_obs obs = {.now_s = 540, .current = 2, .min = 1, .max = 10};
    assert_int_equal(ecsim_policy_evaluate(p, &obs, &d), 0);
    assert_int_equal(d.desired, 2);
    obs.now_s = 600;
    assert_int_equal(ecsim_policy_evaluate(p, &obs, &d), 0);
    assert_int_equal(d.desired, 4);
    assert_int_equal(d.min, 4);
    assert_int_equal(d.max, 8);
    assert_int_equal(d.action, ECSIM_SCALE_OUT);
    ecsim_decision_free(&d);
    ecsim_policy_destroy(p);
    assert_int_equal(ecsim_alloc_live(), 0);
}

static void test_forecast_methods(void **state)
{
    (void)state;
    double h[48], out[30];
    for (int i = 0; i < 48; i++)
        h[i] = 100 + 50 * sin(2 * M_PI * (i % 24) / 24.0);
    assert_int_equal(ecsim_forecast(ECSIM_FORECAST_SEASONAL_NAIVE, h, 48, 24, 0, 0, 0, out, 30), 0);
    assert_true(out[0] == h[24]);
    assert_true(out[25] == h[25]);
    /* A perfectly periodic series: Holt-Winters reproduces it closely. */
    assert_int_equal(ecsim_forecast(ECSIM_FORECAST_HOLT_WINTERS, h, 48, 24, 0.5, 0.05, 0.3, out,
                                    24),
                     0);
    for (int i = 0; i < 24; i++)
        assert_true(fabs(out[i] - h[i]) < 1.0);
    assert_true(ecsim_forecast(ECSIM_FORECAST_SEASONAL_NAIVE, h, 10, 24, 0, 0, 0, out, 5) < 0);
}

static void test_predictive_capacity(void **state)
{
    (void)state;
    ecsim_predictive_config cfg;
    ecsim_predictive_config_defaults(&cfg);
    cfg.target_utilization_pct = 50;
    cfg.task_capacity = 100;   /* 50 rps per task at target */
    ecsim_predictive_state st;
    ecsim_predictive_state_init(&st);
    /* Per-minute demand: 100 rps, except 1000 rps in hour 10 of each day. */
    double demand[1440 * 2];
    for (int i = 0; i < 2880; i++)
        demand[i] = (i / 60) % 24 == 10 ? 1000 : 100;
    /* Before 24 h of history: no forecast. */
    assert_int_equal(ecsim_predictive_capacity(&cfg, &st, 3600, demand, 60, 60, 60, NULL), 0);
    /* At 24 h: forecast from day 1; at 33:54 the buffer reaches 34:00
     * (hour 10 of day 2): ceil(1000 / 50) = 20. */
    assert_int_equal(ecsim_predictive_capacity(&cfg, &st, 86400, demand, 1440, 1440, 60, NULL), 2);
    assert_true(st.has_forecast);
    int n = ecsim_predictive_capacity(&cfg, &st, 86400 + 9 * 3600 + 3240, demand, 1440, 1440, 60, NULL);
    assert_int_equal(n, 2);   /* 09:54: not yet within the 300 s buffer */
    n = ecsim_predictive_capacity(&cfg, &st, 86400 + 9 * 3600 + 3300, demand, 1440, 1440, 60, NULL);
    assert_int_equal(n, 20);  /* 09:55: pre-launched 300 s before 10:00 */
    /* No refresh before 6 h. */
    double last = st.last_refresh_s;
    ecsim_predictive_capacity(&cfg, &st, 86400 + 3600, demand, 1500, 1500, 60, NULL);
    assert_true(st.last_refresh_s == last);
}

/* Only the look-back is needed: 20 days of a daily pattern given whole
 * or as the newest ecsim_predictive_lookback() values forecast the same;
 * a look-back shorter than that is refused (0, no forecast). */
static void test_predictive_lookback_is_enough(void **state)
{
    (void)state;
    ecsim_predictive_config cfg;
    ecsim_predictive_config_defaults(&cfg);
    cfg.target_utilization_pct = 50;
    cfg.task_capacity = 100;
    size_t total = 20 * 1440 + 37, keep = ecsim_predictive_lookback(&cfg, 60);
    assert_int_equal(keep, (ECSIM_FORECAST_MAX + 1) * 60);
    double *demand = ecsim_reallocarray(NULL, total, sizeof *demand);
    assert_non_null(demand);
    for (size_t i = 0; i < total; i++)
        demand[i] = (i / 60) % 24 == 10 ? 1000 + (double)(i % 7) : 100 + (double)(i % 13);
    double now = (double)total * 60;
    ecsim_predictive_state whole, tail, shorter;
    ecsim_predictive_state_init(&whole);
    ecsim_predictive_state_init(&tail);
    ecsim_predictive_state_init(&shorter);
    int a = ecsim_predictive_capacity(&cfg, &whole, now, demand, total, total, 60, NULL);
    int b = ecsim_predictive_capacity(&cfg, &tail, now, demand + (total - keep), keep, total, 60, NULL);
    assert_int_equal(a, b);
    assert_int_equal(whole.forecast_count, tail.forecast_count);
    assert_true(whole.forecast_start_s == tail.forecast_start_s);
    for (size_t i = 0; i < whole.forecast_count; i++)
        assert_true(whole.forecast[i] == tail.forecast[i]);
    assert_int_equal(ecsim_predictive_capacity(&cfg, &shorter, now, demand + (total - 60 * 24 * 14 + 1),
                                               60 * 24 * 14 - 1, total, 60, NULL),
                     0);
    assert_false(shorter.has_forecast);
    ecsim_free(demand);
}

static void test_predictive_policy_never_scales_in(void **state)
{
    (void)state;
    ecsim_autoscaler_spec spec = {.policy = ECSIM_POLICY_PREDICTIVE, .min = 1, .max = 50,
                                  .metric = ECSIM_METRIC_CPU, .target = 50,
                                  .scale_out_cooldown_s = 300, .scale_in_cooldown_s = 300};
    ecsim_policy_config pc;
    ecsim_policy_config_defaults(&pc, &spec);
    ecsim_policy *p = ecsim_policy_create(&pc);
    assert_non_null(p);
    double demand[1440];
    for (int i = 0; i < 1440; i++)
        demand[i] = (i / 60) == 1 ? 1000 : 100;
    double dp[15];
    for (int i = 0; i < 15; i++)
        dp[i] = 5;   /* AlarmLow: target tracking wants to scale in */
    ecsim_policy_obs obs = {.now_s = 86400 + 3300, .current = 25, .min = 1, .max = 50,
                            .datapoints = dp, .datapoint_count = 15, .period_s = 60,
                            .demand = demand, .demand_count = 1440, .demand_total = 1440,
                            .demand_period_s = 60};
    ecsim_decision d;
    ecsim_decision_init(&d);
    assert_int_equal(ecsim_policy_evaluate(p, &obs, &d), 0);
    /* Target tracking alone: ceil(25 x 5 / 50) = 3; forecast for 01:00 on
     * day 2 is 1000 rps -> 20 tasks: desired 20. */
    assert_int_equal(d.desired, 20);
    ecsim_decision_free(&d);
    ecsim_policy_destroy(p);
    assert_int_equal(ecsim_alloc_live(), 0);
}

static void test_registry(void **state)
{
    (void)state;
    const char *names[] = {"none", "target_tracking", "step_scaling", "scheduled", "hpa",
                           "predictive"};
    size_t count = 0;
    const ecsim_policy_entry *all = ecsim_policy_registry(&count);
    assert_int_equal(count, 6);
    assert_int_equal(ECSIM_POLICY_KIND_COUNT, 6);
    for (size_t i = 0; i < 6; i++) {
        const ecsim_policy_entry *e = ecsim_policy_find(names[i]);
        assert_non_null(e);
        assert_ptr_equal(e, &all[i]);
        assert_string_equal(e->name, names[i]);
        assert_int_equal(e->kind, (int)i);
        assert_ptr_equal(ecsim_policy_for_kind(e->kind), e);
        assert_string_equal(ecsim_policy_kind_name(e->kind), names[i]);
        assert_non_null(e->ops->create);
        assert_non_null(e->ops->evaluate);
        assert_non_null(e->ops->destroy);
    }
    assert_null(ecsim_policy_find("nope"));
    assert_null(ecsim_policy_for_kind(ECSIM_POLICY_KIND_COUNT));
    assert_string_equal(ecsim_policy_kind_name(ECSIM_POLICY_KIND_COUNT), "?");
    /* `ecsim decide` takes hpa, target_tracking and step_scaling */
    assert_non_null(ecsim_policy_find("hpa")->ops->decide);
    assert_non_null(ecsim_policy_find("target_tracking")->ops->decide);
    assert_non_null(ecsim_policy_find("step_scaling")->ops->decide);
    assert_null(ecsim_policy_find("none")->ops->decide);
    assert_null(ecsim_policy_find("scheduled")->ops->decide);
    assert_null(ecsim_policy_find("predictive")->ops->decide);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scheduled_apply),
        cmocka_unit_test(test_scheduled_policy_ignores_cooldowns),
        cmocka_unit_test(test_forecast_methods),
        cmocka_unit_test(test_predictive_capacity),
        cmocka_unit_test(test_predictive_lookback_is_enough),
        cmocka_unit_test(test_predictive_policy_never_scales_in),
        cmocka_unit_test(test_registry),
    };
    return cmocka_run_group_tests_name("policy_sched_pred", tests, NULL, NULL);
}
