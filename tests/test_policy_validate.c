/* The policies' own checks of a loaded scenario (ecsim_policy_validate,
 * include/ecsim/policy.h): step scaling's whole-list rules (reference
 * §1.3), reported at the position the loader recorded, by --set, and on a
 * scenario without positions. The loader itself no longer calls policy
 * code (sim/input/schema.c sits below the policies). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ecsim/alloc.h"
#include "ecsim/error.h"
#include "ecsim/loader.h"
#include "ecsim/policy.h"

typedef struct captured {
    int count;
    char path1[128];
    char message[320];
} captured;

static void capture(void *ctx, const char *path1, const char *path2, const char *message)
{
    (void)path2;
    captured *c = ctx;
    c->count++;
    snprintf(c->path1, sizeof c->path1, "%s", path1);
    snprintf(c->message, sizeof c->message, "%s", message);
}

static const char gap_yaml[] = "name: gap\n"
                               "autoscaler:\n"
                               "  policy: step_scaling\n"
                               "  step_scaling:\n"
                               "    steps:\n"
                               "      - {lower: 0, upper: 10, adjustment: 1}\n"
                               "      - {lower: 15, adjustment: 2}\n";

static void test_validate_spec(void **state)
{
    (void)state;
    ecsim_diags d;
    ecsim_diags_init(&d);
    ecsim_scenario *sc = ecsim_scenario_load_string(gap_yaml, sizeof gap_yaml - 1, "gap.yaml",
                                                    NULL, 0, &d);
    assert_non_null(sc); /* the loader checks each step alone; the list is the policy's */
    captured c = {0};
    assert_int_equal(ecsim_policy_validate_spec(&sc->autoscaler, capture, &c), 0);
    assert_int_equal(c.count, 1);
    assert_string_equal(c.path1, "autoscaler.step_scaling.steps");
    assert_string_equal(c.message, "autoscaler.step_scaling.steps: steps leave a gap at 10 and "
                                   "15: ranges must meet exactly (reference §1.3)");
    /* whatever the policy: every policy checks its own section */
    sc->autoscaler.policy = ECSIM_POLICY_TARGET_TRACKING;
    c.count = 0;
    assert_int_equal(ecsim_policy_validate_spec(&sc->autoscaler, capture, &c), 0);
    assert_int_equal(c.count, 1);
    /* the default steps are valid */
    sc->autoscaler.step_scaling.step_count = 0;
    c.count = 0;
    assert_int_equal(ecsim_policy_validate_spec(&sc->autoscaler, capture, &c), 0);
    assert_int_equal(c.count, 0);
    ecsim_scenario_free(sc);
    ecsim_diags_free(&d);
}

/* Located like the loader's own cross-field errors. */
static void test_validate_located(void **state)
{
    (void)state;
    ecsim_diags d;
    ecsim_diags_init(&d);
    ecsim_scenario *sc = ecsim_scenario_load_string(gap_yaml, sizeof gap_yaml - 1, "gap.yaml",
                                                    NULL, 0, &d);
    assert_non_null(sc);
    assert_int_equal(ecsim_policy_validate(sc, &d), ECSIM_EINVAL);
    assert_int_equal(d.errors, 1);
    assert_int_equal(d.count, 1);
    assert_string_equal(d.items[0].file, "gap.yaml");
    assert_int_equal(d.items[0].line, 5);
    assert_int_equal(d.items[0].column, 5);

    /* a clone has no positions: the file, no line */
    ecsim_scenario *copy = ecsim_scenario_clone(sc);
    assert_non_null(copy);
    assert_int_equal(ecsim_policy_validate(copy, &d), ECSIM_EINVAL);
    assert_int_equal(d.count, 2);
    assert_string_equal(d.items[1].file, "gap.yaml");
    assert_int_equal(d.items[1].line, 0);
    ecsim_scenario_free(copy);
    ecsim_scenario_free(sc);

    /* given by a --set: its text, no position */
    static const char base[] = "name: s\nautoscaler:\n  policy: step_scaling\n";
    const char *sets[] = {"autoscaler.step_scaling.steps=[{lower: 0, adjustment: 1}, "
                          "{lower: 5, adjustment: 2}]"};
    sc = ecsim_scenario_load_string(base, sizeof base - 1, "s.yaml", sets, 1, &d);
    assert_non_null(sc);
    assert_int_equal(ecsim_policy_validate(sc, &d), ECSIM_EINVAL);
    assert_int_equal(d.count, 3);
    assert_string_equal(d.items[2].file, "--set autoscaler.step_scaling.steps=[{lower: 0, "
                                         "adjustment: 1}, {lower: 5, adjustment: 2}]");
    assert_int_equal(d.items[2].line, 0);
    ecsim_scenario_free(sc);

    /* a valid scenario passes */
    static const char ok[] = "name: ok\nautoscaler:\n  policy: step_scaling\n";
    sc = ecsim_scenario_load_string(ok, sizeof ok - 1, "ok.yaml", NULL, 0, &d);
    assert_non_null(sc);
    assert_int_equal(ecsim_policy_validate(sc, &d), 0);
    assert_int_equal(d.count, 3);
    ecsim_scenario_free(sc);
    ecsim_diags_free(&d);
    assert_int_equal(ecsim_alloc_live(), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_validate_spec),
        cmocka_unit_test(test_validate_located),
    };
    return cmocka_run_group_tests_name("policy_validate", tests, NULL, NULL);
}
