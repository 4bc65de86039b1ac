/* ECS on EC2: a task larger than any instance stays PENDING (reference
 * §2.6, §3.1: "tasks larger than the smallest instance type ... stay
 * PENDING and don't trigger scaling"); the tables say so. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ecsim/ecsim.h"

static void test_task_larger_than_instances(void **state)
{
    (void)state;
    static const char yaml[] = "name: x\n"
                               "service: {platform: ec2, cluster: {instances: 2, vcpu: 1},\n"
                               "          task: {vcpu: 2}}\n";
    ecsim_diags d;
    ecsim_diags_init(&d);
    ecsim_scenario *sc = ecsim_scenario_load_string(yaml, sizeof yaml - 1, "x.yaml", NULL, 0, &d);
    ecsim_diags_free(&d);
    assert_non_null(sc);
    ecsim_sim *sim = ecsim_sim_create(sc, sc->seed, stderr);
    assert_non_null(sim);
    assert_int_equal(ecsim_sim_run(sim), 0);
    assert_string_equal(ecsim_sim_summary(sim)->outcome, "not_deployed");
    const ecsim_step_record *r = ecsim_sim_step_record(sim, ECSIM_STEP_DEPLOY);
    assert_false(r->reached);
    assert_string_equal(r->result, "Not reached: 2 tasks stuck PENDING, no container instance has room");
    assert_true(r->fix[0] != '\0');
    assert_string_equal(ecsim_sim_step_record(sim, ECSIM_STEP_RUN)->result, "Not reached: no task ever ran");
    assert_string_equal(ecsim_sim_step_record(sim, ECSIM_STEP_END)->result,
                        "App never ran: its tasks could not be placed");
    int unable = 0;
    for (size_t i = 0; i < ecsim_sim_log_count(sim); i++)
        unable += strstr(ecsim_sim_log_line(sim, i), "was unable to place a task") != NULL;
    assert_int_equal(unable, 2);
    ecsim_sim_destroy(sim);
    ecsim_scenario_free(sc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_task_larger_than_instances),
    };
    return cmocka_run_group_tests_name("unplaceable", tests, NULL, NULL);
}
