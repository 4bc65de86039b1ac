/* AWS step scaling (sim/policy/policy_step_scaling.c, reference §1.3): the docs'
 * worked example, bound inclusivity, range validation, percent rounding,
 * min_adjustment_magnitude, aggregation and the cooldown rules. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "ecsim/policy.h"

/* Threshold 50, percent steps: [0,10) 0, [10,20) +10, [20,+inf) +30,
 * (-10,0] 0, (-20,-10] -10, (-inf,-20] -30 (the AWS documentation table). */
static void docs_config(ecsim_step_config *c)
{
    ecsim_step_config_defaults(c);
    c->threshold = 50;
    c->adjustment_type = ECSIM_ADJ_PERCENT_CHANGE_IN_CAPACITY;
    ecsim_step_adjustment s[] = {
        {true, 0, true, 10, 0},     {true, 10, true, 20, 10}, {true, 20, false, 0, 30},
        {true, -10, true, 0, 0},    {true, -20, true, -10, -10}, {false, 0, true, -20, -30},
    };
    for (size_t i = 0; i < 6; i++)
        c->steps[i] = s[i];
    c->step_count = 6;
}

static int eval(const ecsim_step_config *c, ecsim_step_state *st, int cur, double m)
{
    ecsim_step_result r;
    assert_int_equal(ecsim_step_evaluate(c, st, cur, 1, 100, m, &r, NULL), 0);
    return r.desired;
}

static void test_docs_worked_example(void **state)
{
    (void)state;
    ecsim_step_config c;
    docs_config(&c);
    assert_int_equal(ecsim_step_config_validate(&c, NULL, 0), 0);
    ecsim_step_state st = {0};
    assert_int_equal(eval(&c, &st, 10, 60), 11);   /* +10 % of 10 = 1 */
    st.cooldown_remaining_s = 0;
    assert_int_equal(eval(&c, &st, 11, 70), 14);   /* +30 % of 11 = 3.3 -> 3 */
    st.cooldown_remaining_s = 0;
    assert_int_equal(eval(&c, &st, 14, 40), 13);   /* -10 % of 14 = -1.4 -> -1 */
    st.cooldown_remaining_s = 0;
    assert_int_equal(eval(&c, &st, 13, 30), 10);   /* -30 % of 13 = -3.9 -> -3 */
}

static void test_bound_inclusivity(void **state)
{
    (void)state;
    ecsim_step_config c;
    docs_config(&c);
    ecsim_step_result r;
    ecsim_step_state st = {0};
    /* Above: lower inclusive: 60 (diff 10) is in [10, 20). */
    assert_int_equal(ecsim_step_evaluate(&c, &st, 10, 1, 100, 60, &r, NULL), 0);
    assert_int_equal(r.step_index, 1);
    st.cooldown_remaining_s = 0;
    /* Below: upper inclusive: 40 (diff -10) is in (-20, -10]. */
    assert_int_equal(ecsim_step_evaluate(&c, &st, 10, 1, 100, 40, &r, NULL), 0);
    assert_int_equal(r.step_index, 4);
    st.cooldown_remaining_s = 0;
    /* At the threshold the above-rule matches [0, 10). */
    assert_int_equal(ecsim_step_evaluate(&c, &st, 10, 1, 100, 50, &r, NULL), 0);
    assert_int_equal(r.step_index, 0);
    /* 30 (diff -20) is in (-inf, -20]. */
    assert_int_equal(ecsim_step_evaluate(&c, &st, 10, 1, 100, 30, &r, NULL), 0);
    assert_int_equal(r.step_index, 5);
}

static void test_validation(void **state)
{
    (void)state;
    ecsim_step_config c;
    docs_config(&c);
    char why[200];
    c.steps[1].lower = 11;   /* gap between 10 and 11 */
    assert_int_not_equal(ecsim_step_config_validate(&c, why, sizeof why), 0);
    assert_non_null(strstr(why, "gap"));
    docs_config(&c);
    c.steps[1].lower = 5;    /* overlap */
    c.steps[0].upper = 10;
    assert_int_not_equal(ecsim_step_config_validate(&c, why, sizeof why), 0);
    docs_config(&c);
    c.steps[4].has_lower = false;   /* two null lowers */
    assert_int_not_equal(ecsim_step_config_validate(&c, why, sizeof why), 0);
    docs_config(&c);
    c.steps[0].has_lower = c.steps[0].has_upper = false;
    assert_int_not_equal(ecsim_step_config_validate(&c, why, sizeof why), 0);
    docs_config(&c);
    c.adjustment_type = ECSIM_ADJ_CHANGE_IN_CAPACITY;
    c.min_adjustment_magnitude = 2;
    assert_int_not_equal(ecsim_step_config_validate(&c, why, sizeof why), 0);
}

static void test_percent_rounding(void **state)
{
    (void)state;
    assert_int_equal(ecsim_step_percent_delta(100, 12.7, 0), 12);
    assert_int_equal(ecsim_step_percent_delta(10, 5, 0), 1);     /* 0.5 -> 1 */
    assert_int_equal(ecsim_step_percent_delta(10, -5, 0), -1);   /* -0.5 -> -1 */
    assert_int_equal(ecsim_step_percent_delta(30, -22.23, 0), -6); /* -6.67 -> -6 */
    assert_int_equal(ecsim_step_percent_delta(10, 10, 0), 1);    /* exactly 1 */
    assert_int_equal(ecsim_step_percent_delta(4, 25, 2), 2);     /* MinAdjustmentMagnitude */
    assert_int_equal(ecsim_step_percent_delta(4, -25, 2), -2);
    assert_int_equal(ecsim_step_percent_delta(0, 50, 2), 0);
}

static void test_other_adjustment_types(void **state)
{
    (void)state;
    ecsim_step_config c;
    ecsim_step_config_defaults(&c);
    c.threshold = 50;
    c.steps[0] = (ecsim_step_adjustment){true, 0, false, 0, 3};
    c.steps[1] = (ecsim_step_adjustment){false, 0, true, 0, -2};
    c.step_count = 2;
    ecsim_step_state st = {0};
    assert_int_equal(eval(&c, &st, 5, 80), 8);
    c.adjustment_type = ECSIM_ADJ_EXACT_CAPACITY;
    c.steps[0].adjustment = 12;
    c.steps[1].adjustment = 2;
    ecsim_step_state st2 = {0};
    assert_int_equal(eval(&c, &st2, 5, 80), 12);
    /* Clamp to [min, max]. */
    ecsim_step_result r;
    ecsim_step_state st3 = {0};
    assert_int_equal(ecsim_step_evaluate(&c, &st3, 5, 1, 10, 80, &r, NULL), 0);
    assert_int_equal(r.desired, 10);
}

static void test_cooldown(void **state)
{
    (void)state;
    ecsim_step_config c;
    ecsim_step_config_defaults(&c);
    c.threshold = 50;
    c.steps[0] = (ecsim_step_adjustment){true, 0, true, 10, 2};
    c.steps[1] = (ecsim_step_adjustment){true, 10, false, 0, 3};
    c.steps[2] = (ecsim_step_adjustment){false, 0, true, 0, -1};
    c.step_count = 3;
    ecsim_step_state st = {.cooldown_remaining_s = 100, .last_adjustment = 2};
    ecsim_step_result r;
    /* Prior +2, new step +3 during the cooldown: only the excess +1. */
    assert_int_equal(ecsim_step_evaluate(&c, &st, 12, 1, 100, 65, &r, NULL), 0);
    assert_int_equal(r.applied_delta, 1);
    assert_int_equal(r.desired, 13);
    assert_true(st.cooldown_remaining_s == 300);
    /* Same-size step during the cooldown: nothing. */
    ecsim_step_state st2 = {.cooldown_remaining_s = 100, .last_adjustment = 2};
    assert_int_equal(ecsim_step_evaluate(&c, &st2, 12, 1, 100, 55, &r, NULL), 0);
    assert_int_equal(r.desired, 12);
    /* Scale-in blocked during the cooldown. */
    ecsim_step_state st3 = {.cooldown_remaining_s = 1, .last_adjustment = 2};
    assert_int_equal(ecsim_step_evaluate(&c, &st3, 12, 1, 100, 40, &r, NULL), 0);
    assert_int_equal(r.desired, 12);
    /* Scale-out during a scale-in cooldown is immediate. */
    ecsim_step_state st4 = {.cooldown_remaining_s = 200, .last_adjustment = -1};
    assert_int_equal(ecsim_step_evaluate(&c, &st4, 12, 1, 100, 55, &r, NULL), 0);
    assert_int_equal(r.desired, 14);
    /* Cooldown over: scale-in acts. */
    ecsim_step_state_advance(&st3, 5);
    assert_int_equal(ecsim_step_evaluate(&c, &st3, 12, 1, 100, 40, &r, NULL), 0);
    assert_int_equal(r.desired, 11);
}

static void test_aggregation(void **state)
{
    (void)state;
    double dp[] = {10, 70, 40, 60};
    assert_true(ecsim_step_aggregate(ECSIM_AGG_AVERAGE, dp, 4, 3) == (70.0 + 40 + 60) / 3);
    assert_true(ecsim_step_aggregate(ECSIM_AGG_MINIMUM, dp, 4, 3) == 40);
    assert_true(ecsim_step_aggregate(ECSIM_AGG_MAXIMUM, dp, 4, 3) == 70);
    assert_true(isnan(ecsim_step_aggregate(ECSIM_AGG_AVERAGE, dp, 0, 3)));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_docs_worked_example),
        cmocka_unit_test(test_bound_inclusivity),
        cmocka_unit_test(test_validation),
        cmocka_unit_test(test_percent_rounding),
        cmocka_unit_test(test_other_adjustment_types),
        cmocka_unit_test(test_cooldown),
        cmocka_unit_test(test_aggregation),
    };
    return cmocka_run_group_tests_name("policy_step", tests, NULL, NULL);
}
