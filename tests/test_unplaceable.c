/* ECS on EC2 placement at the service level: a task larger than any
 * instance stays PENDING (reference §2.6, §3.1: "tasks larger than the
 * smallest instance type ... stay PENDING and don't trigger scaling") and
 * the tables say so; scale-in victims follow the placement strategy (§3.2). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ecsim/ecsim.h"
#include "model/cluster.h"
#include "model/sim_parts.h"

static void test_task_larger_than_instances(void **state)
{
    (void)state;
    static const char yaml[] = "name: x\n"
                               "service: {platform: ec2, cluster: {instances: 2},\n"
                               "          task: {vcpu: 4}}\n"; /* m5.large: 2 vCPU */
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

/* binpack: three full instances (two 1-vCPU tasks each, tasks 1-2 on
 * i-0001, 3-4 on i-0002, 5-6 on i-0003). Scaling in by one takes the task
 * whose instance has the most left after the removal; all tie, so the first
 * listed, task 1 on i-0001 — not the youngest (task 6 on i-0003), which is
 * what a scheduler without placement would stop. */
static void test_binpack_scale_in_victim(void **state)
{
    (void)state;
    static const char yaml[] = "name: x\n"
                               "duration: 40m\n"
                               "service: {platform: ec2, desired: 3,\n"
                               "          cluster: {instances: 3, vcpu: 2, memory_gb: 8, placement: binpack,\n"
                               "                    managed_scaling: {enable: false}},\n"
                               "          task: {vcpu: 1, memory_gb: 1}}\n"
                               "autoscaler: {min: 1, max: 10}\n"
                               "events: [{at: 10m, action: scale, desired: 4}, {at: 12m, action: scale, desired: 5},\n"
                               "         {at: 14m, action: scale, desired: 6}, {at: 20m, action: scale, desired: 5}]\n";
    ecsim_diags d;
    ecsim_diags_init(&d);
    ecsim_scenario *sc = ecsim_scenario_load_string(yaml, sizeof yaml - 1, "x.yaml", NULL, 0, &d);
    ecsim_diags_print(&d, stderr);
    ecsim_diags_free(&d);
    assert_non_null(sc);
    ecsim_sim *sim = ecsim_sim_create(sc, sc->seed, stderr);
    assert_non_null(sim);
    assert_int_equal(ecsim_sim_run_until(sim, 19 * 60), 0);
    for (int id = 1; id <= 3; id++)
        assert_int_equal(cluster_instance_get(sim_parts_cluster(sim), id)->tasks, 2);
    assert_int_equal(service_task_at(sim_parts_service(sim), 5)->instance, 3); /* task 6, the youngest */
    assert_int_equal(ecsim_sim_run(sim), 0);
    assert_int_equal(cluster_instance_get(sim_parts_cluster(sim), 1)->tasks, 1);
    assert_int_equal(cluster_instance_get(sim_parts_cluster(sim), 3)->tasks, 2);
    assert_int_equal(service_task_at(sim_parts_service(sim), 0)->state, TASK_STOPPED);
    assert_true(service_task_at(sim_parts_service(sim), 5)->state == TASK_RUNNING);
    ecsim_sim_destroy(sim);
    ecsim_scenario_free(sc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_task_larger_than_instances),
        cmocka_unit_test(test_binpack_scale_in_victim),
    };
    return cmocka_run_group_tests_name("unplaceable", tests, NULL, NULL);
}
