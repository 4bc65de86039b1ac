/* Image pulls on EC2 instances and EKS nodes (reference §2.5b), driven on
 * a bare engine like test_service.c: a registry, a stub platform that puts
 * every task on instance 1, and a recorder of the log lines.
 *
 * Timings (no load balancer, no jitter): provisioning 6 s, pull 100 MB at
 * 10 MB/s = 10 s, a manifest check of an image already there 1 s (MODEL),
 * container start 10 s, activating 2 s. A task launched at t that pulls is
 * RUNNING at t + 28 s; one that starts from the instance's copy without a
 * pull at t + 18 s; one whose pull is a manifest check at t + 19 s. Values
 * in the comments are worked by hand from those figures. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ecsim/engine.h"
#include "ecsim/loader.h"
#include "ecsim/scenario.h"
#include "model/platform.h"
#include "model/registry.h"
#include "model/service.h"

typedef struct fx {
    ecsim_scenario *sc;
    ecsim_engine *eng;
    registry *reg;
    service *sv;
    char log[64][400];
    int logs;
} fx;

static void on_log(void *ctx, const char *m)
{
    fx *f = ctx;
    if (f->logs < 64)
        snprintf(f->log[f->logs++], sizeof f->log[0], "%s", m);
}

static void on_changed(void *ctx)
{
    service_check_rollout(((fx *)ctx)->sv);
}

static int stub_place(void *ctx, double vcpu, double mem, int *az)
{
    (void)ctx;
    (void)vcpu;
    (void)mem;
    *az = 1;
    return 1;
}

static void stub_release(void *ctx, int instance, double vcpu, double mem)
{
    (void)ctx;
    (void)vcpu;
    (void)mem;
    assert_int_equal(instance, 1);
}

static void stub_pending(void *ctx, int count, double vcpu, double mem)
{
    (void)ctx;
    (void)count;
    (void)vcpu;
    (void)mem;
}

static const char *stub_explain(void *ctx, double vcpu, double mem, char *buf, size_t size)
{
    (void)ctx;
    (void)vcpu;
    (void)mem;
    snprintf(buf, size, "stub");
    return buf;
}

static int stub_victims(void *ctx, const service_task_ref *tasks, int count, int k, int *chosen)
{
    (void)ctx;
    (void)tasks;
    int n = k < count ? k : count;
    for (int i = 0; i < n; i++)
        chosen[i] = count - 1 - i; /* youngest first */
    return n;
}

static const service_platform stub_platform = {stub_place, stub_release, stub_pending, stub_explain,
                                               stub_victims};
static const service_callbacks recorder = {on_log, NULL, on_changed, NULL, NULL,
                                           NULL,   NULL, NULL,       NULL};

/* One task (desired 1) on `pf`, with `behavior` (ec2) or `policy` (eks). */
static void fx_setup(fx *f, ecsim_platform pf, ecsim_image_pull_behavior behavior,
                     ecsim_image_pull_policy policy)
{
    memset(f, 0, sizeof *f);
    f->sc = ecsim_scenario_create_default();
    assert_non_null(f->sc);
    ecsim_scenario *sc = f->sc;
    snprintf(sc->service.name, sizeof sc->service.name, "web");
    sc->image.size_mb = 100;
    sc->registry.pull_mb_per_s = 10;
    sc->service.desired = 1;
    sc->service.platform = pf;
    sc->service.availability_zones = 1;
    sc->service.task.provisioning_time_s = 6;
    sc->service.task.start_time_s = 10;
    sc->service.task.activating_time_s = 2;
    sc->service.task.start_jitter_cv = 0;
    sc->service.load_balancer.enable = false;
    sc->service.cluster.image_pull_behavior = (int)behavior;
    sc->service.task.image_pull_policy = (int)policy;
    f->eng = ecsim_engine_create();
    f->reg = registry_create("web", false);
    assert_non_null(f->eng);
    assert_non_null(f->reg);
    assert_int_equal(registry_push(f->reg, "1.0", 100, 0), REGISTRY_PUSHED);
    f->sv = service_create(sc, 7, f->eng, f->reg, &platform_kind_of(pf)->rules,
                           pf == ECSIM_PLATFORM_FARGATE ? NULL : &stub_platform, f, &recorder, f);
    assert_non_null(f->sv);
    service_provisioned(f->sv);
    assert_int_equal(service_deploy(f->sv, "1.0", ECSIM_DEFECT_NONE, false), 0);
}

static void fx_teardown(fx *f)
{
    ecsim_engine_destroy(f->eng);
    service_destroy(f->sv);
    registry_destroy(f->reg);
    ecsim_scenario_free(f->sc);
}

static const service_task *task(const fx *f, int id)
{
    const service_task *t = service_task_at(f->sv, (size_t)id - 1);
    assert_non_null(t);
    return t;
}

static int log_count(const fx *f, const char *needle)
{
    int n = 0;
    for (int i = 0; i < f->logs; i++)
        n += strstr(f->log[i], needle) != NULL;
    return n;
}

/* Task 1 RUNNING at 28 s with the image on instance 1; at 100 s a second
 * task is launched (desired 2), optionally with the registry down from
 * 100 s to 1000 s. */
static void fx_second_task(fx *f, bool outage)
{
    ecsim_engine_run(f->eng, 99.0);
    assert_int_equal(task(f, 1)->state, TASK_RUNNING);
    assert_float_equal(task(f, 1)->running_s, 28.0, 1e-9);
    assert_int_equal(service_get_stats(f->sv)->image_downloads, 1);
    if (outage)
        registry_set_outage(f->reg, 100.0, 1000.0);
    ecsim_engine_run(f->eng, 100.0);
    service_set_desired(f->sv, 2);
    ecsim_engine_run(f->eng, 400.0);
    assert_true(service_task_count(f->sv) >= 2); /* more if task 2 failed and was replaced */
}

/* ---- concurrent tasks share the pull in flight ------------------------------------- */

/* Task 1 launched at 0 s pulls from 6 s to 16 s; task 2, launched at 3 s,
 * is placed at 9 s on the same instance while that pull runs: it waits for
 * it and starts when it completes, at 16 s, not from a "cache" at 9 s (the
 * bug: RUNNING at 9 + 1 + 10 + 2 = 22 s, before task 1). Both RUNNING at
 * 16 + 10 + 2 = 28 s; one download. */
static void test_ec2_shared_pull_exact_times(void **state)
{
    (void)state;
    fx f;
    fx_setup(&f, ECSIM_PLATFORM_EC2, ECSIM_PULL_BEHAVIOR_DEFAULT, ECSIM_PULL_POLICY_IF_NOT_PRESENT);
    ecsim_engine_run(f.eng, 3.0);
    service_set_desired(f.sv, 2);
    ecsim_engine_run(f.eng, 27.9);
    assert_int_equal(task(&f, 2)->state, TASK_ACTIVATING); /* started at 26 s, not RUNNING yet */
    assert_int_equal(task(&f, 2)->pull_wait, 0);
    ecsim_engine_run(f.eng, 60.0);
    const service_task *t1 = task(&f, 1), *t2 = task(&f, 2);
    assert_float_equal(t1->launched_s, 0.0, 1e-9);
    assert_float_equal(t2->launched_s, 3.0, 1e-9);
    assert_float_equal(t2->pull_started_s, 9.0, 1e-9);
    assert_float_equal(t1->running_s, 28.0, 1e-9);
    assert_float_equal(t2->running_s, 28.0, 1e-9);
    assert_true(t2->running_s >= t1->running_s);
    assert_int_equal(t1->image_source, TASK_IMAGE_PULLED);
    assert_int_equal(t2->image_source, TASK_IMAGE_SHARED);
    assert_int_equal(t2->image_from_task, 1);
    assert_int_equal(service_get_stats(f.sv)->image_downloads, 1);
    assert_int_equal(service_get_stats(f.sv)->image_checks, 0);
    /* The log says who pulled: task 1 pulled 100 MB, task 2 used that pull. */
    assert_int_equal(log_count(&f, "task 1 RUNNING (deployment ecs-svc/1, AZ 1): pulled 100 MB"),
                     1);
    assert_int_equal(log_count(&f, "task 2 RUNNING (deployment ecs-svc/1, AZ 1): image from the "
                                   "pull for task 1 on i-0001"),
                     1);
    assert_int_equal(log_count(&f, "pulled 100 MB"), 1);
    fx_teardown(&f);
}

/* Four tasks at once on one instance: one pull, all RUNNING together at
 * 6 + 10 + 10 + 2 = 28 s, none before the one that pulled. */
static void test_ec2_four_tasks_one_pull(void **state)
{
    (void)state;
    fx f;
    fx_setup(&f, ECSIM_PLATFORM_EC2, ECSIM_PULL_BEHAVIOR_DEFAULT, ECSIM_PULL_POLICY_IF_NOT_PRESENT);
    service_set_desired(f.sv, 4);
    ecsim_engine_run(f.eng, 60.0);
    assert_int_equal((int)service_task_count(f.sv), 4);
    for (int id = 1; id <= 4; id++)
        assert_float_equal(task(&f, id)->running_s, 28.0, 1e-9);
    assert_int_equal(service_get_stats(f.sv)->image_downloads, 1);
    assert_int_equal(log_count(&f, "image from the pull for task 1 on i-0001"), 3);
    fx_teardown(&f);
}

/* A task that stops while it waits for the pull leaves it; the pull goes
 * on and the others start when it completes. Task 2 (launched at 3 s,
 * waiting from 9 s) is scaled in at 12 s: it stops at once (not RUNNING);
 * task 1 is RUNNING at 28 s as before. */
static void test_waiter_stops(void **state)
{
    (void)state;
    fx f;
    fx_setup(&f, ECSIM_PLATFORM_EC2, ECSIM_PULL_BEHAVIOR_DEFAULT, ECSIM_PULL_POLICY_IF_NOT_PRESENT);
    ecsim_engine_run(f.eng, 3.0);
    service_set_desired(f.sv, 2);
    ecsim_engine_run(f.eng, 12.0);
    assert_int_not_equal(task(&f, 2)->pull_wait, 0);
    service_set_desired(f.sv, 1);
    ecsim_engine_run(f.eng, 60.0);
    assert_int_equal(task(&f, 2)->state, TASK_STOPPED);
    assert_int_equal(task(&f, 2)->pull_wait, 0);
    assert_float_equal(task(&f, 1)->running_s, 28.0, 1e-9);
    assert_int_equal(service_get_stats(f.sv)->image_downloads, 1);
    fx_teardown(&f);
}

/* ---- ECS_IMAGE_PULL_BEHAVIOR (reference §2.5b) ---------------------------------------- */

/* default, registry up: the image is there, the agent pulls again and only
 * the manifest is checked: RUNNING at 100 + 6 + 1 + 10 + 2 = 119 s. */
static void test_behavior_default_checks(void **state)
{
    (void)state;
    fx f;
    fx_setup(&f, ECSIM_PLATFORM_EC2, ECSIM_PULL_BEHAVIOR_DEFAULT, ECSIM_PULL_POLICY_IF_NOT_PRESENT);
    fx_second_task(&f, false);
    assert_float_equal(task(&f, 2)->running_s, 119.0, 1e-9);
    assert_int_equal(task(&f, 2)->image_source, TASK_IMAGE_CHECKED);
    assert_int_equal(service_get_stats(f.sv)->image_downloads, 1);
    assert_int_equal(service_get_stats(f.sv)->image_checks, 1);
    assert_int_equal(log_count(&f, "task 2 RUNNING (deployment ecs-svc/1, AZ 1): image already on "
                                   "i-0001 (manifest checked)"),
                     1);
    fx_teardown(&f);
}

/* default, registry down: the agent retries 5 times (1.1, 2.2, 4.4, 5, 5 s
 * +-20 %, reference §2.4 item 3), the pull fails and the cached image is
 * used: the task starts, between 106 + 0.8 x 17.7 + 12 and 106 + 1.2 x
 * 17.7 + 12 s. No task fails. */
static void test_behavior_default_falls_back(void **state)
{
    (void)state;
    fx f;
    fx_setup(&f, ECSIM_PLATFORM_EC2, ECSIM_PULL_BEHAVIOR_DEFAULT, ECSIM_PULL_POLICY_IF_NOT_PRESENT);
    fx_second_task(&f, true);
    const service_task *t2 = task(&f, 2);
    assert_int_equal(t2->state, TASK_RUNNING);
    assert_int_equal(t2->image_source, TASK_IMAGE_FALLBACK);
    assert_true(t2->running_s >= 106.0 + 0.8 * 17.7 + 12.0 - 1e-9);
    assert_true(t2->running_s <= 106.0 + 1.2 * 17.7 + 12.0 + 1e-9);
    assert_int_equal(service_get_stats(f.sv)->tasks_failed, 0);
    assert_int_equal(service_get_stats(f.sv)->image_checks, 0);
    assert_int_equal(log_count(&f, "registry unreachable: cached image on i-0001 "
                                   "(ECS_IMAGE_PULL_BEHAVIOR default)"),
                     1);
    fx_teardown(&f);
}

/* always, registry down: the pull fails and so does the task
 * (CannotPullContainerError, reference §2.4), although the image is there. */
static void test_behavior_always_fails(void **state)
{
    (void)state;
    fx f;
    fx_setup(&f, ECSIM_PLATFORM_EC2, ECSIM_PULL_BEHAVIOR_ALWAYS, ECSIM_PULL_POLICY_IF_NOT_PRESENT);
    fx_second_task(&f, true);
    const service_task *t2 = task(&f, 2);
    assert_int_equal(t2->state, TASK_STOPPED);
    assert_string_equal(t2->stop_code, "TaskFailedToStart");
    assert_non_null(strstr(t2->stop_reason, "CannotPullContainerError: pull image manifest has "
                                            "been retried 5 time(s)"));
    assert_true(service_get_stats(f.sv)->tasks_failed >= 1);
    assert_int_equal(service_get_stats(f.sv)->image_checks, 0);
    fx_teardown(&f);
}

/* always, registry up: a manifest check, as default: 119 s. */
static void test_behavior_always_checks(void **state)
{
    (void)state;
    fx f;
    fx_setup(&f, ECSIM_PLATFORM_EC2, ECSIM_PULL_BEHAVIOR_ALWAYS, ECSIM_PULL_POLICY_IF_NOT_PRESENT);
    fx_second_task(&f, false);
    assert_float_equal(task(&f, 2)->running_s, 119.0, 1e-9);
    assert_int_equal(service_get_stats(f.sv)->image_checks, 1);
    fx_teardown(&f);
}

/* once and prefer-cached: no pull when the instance has the image, so the
 * outage does not matter: RUNNING at 100 + 6 + 10 + 2 = 118 s, one
 * download in the whole run, no check. */
static void test_behavior_once_and_prefer_cached(void **state)
{
    (void)state;
    const ecsim_image_pull_behavior behaviors[] = {ECSIM_PULL_BEHAVIOR_ONCE,
                                                   ECSIM_PULL_BEHAVIOR_PREFER_CACHED};
    const char *names[] = {"once", "prefer-cached"};
    for (int i = 0; i < 2; i++) {
        fx f;
        fx_setup(&f, ECSIM_PLATFORM_EC2, behaviors[i], ECSIM_PULL_POLICY_IF_NOT_PRESENT);
        fx_second_task(&f, true);
        assert_int_equal(task(&f, 2)->state, TASK_RUNNING);
        assert_float_equal(task(&f, 2)->running_s, 118.0, 1e-9);
        assert_int_equal(task(&f, 2)->image_source, TASK_IMAGE_CACHED);
        assert_int_equal(service_get_stats(f.sv)->image_downloads, 1);
        assert_int_equal(service_get_stats(f.sv)->image_checks, 0);
        char want[120];
        snprintf(want, sizeof want, "cached image on i-0001 (ECS_IMAGE_PULL_BEHAVIOR %s)",
                 names[i]);
        assert_int_equal(log_count(&f, want), 1);
        fx_teardown(&f);
    }
}

/* Without a copy on the instance every behavior pulls, and a registry that
 * is down fails the first task whatever the behavior. */
static void test_behavior_no_copy_fails(void **state)
{
    (void)state;
    for (int b = ECSIM_PULL_BEHAVIOR_DEFAULT; b <= ECSIM_PULL_BEHAVIOR_PREFER_CACHED; b++) {
        fx f;
        fx_setup(&f, ECSIM_PLATFORM_EC2, (ecsim_image_pull_behavior)b,
                 ECSIM_PULL_POLICY_IF_NOT_PRESENT);
        registry_set_outage(f.reg, 0.0, 1000.0);
        ecsim_engine_run(f.eng, 60.0);
        assert_string_equal(task(&f, 1)->stop_code, "TaskFailedToStart");
        assert_int_equal(service_get_stats(f.sv)->image_downloads, 0);
        fx_teardown(&f);
    }
}

/* ---- imagePullPolicy on EKS nodes (reference §2.5b, §5.4) --------------------------- */

/* IfNotPresent: the second pod starts from the node's copy without asking
 * the registry, even while it is down: 118 s; "already present on
 * machine". */
static void test_policy_if_not_present(void **state)
{
    (void)state;
    fx f;
    fx_setup(&f, ECSIM_PLATFORM_EKS, ECSIM_PULL_BEHAVIOR_DEFAULT, ECSIM_PULL_POLICY_IF_NOT_PRESENT);
    fx_second_task(&f, true);
    assert_float_equal(task(&f, 2)->running_s, 118.0, 1e-9);
    assert_int_equal(task(&f, 2)->image_source, TASK_IMAGE_CACHED);
    assert_int_equal(service_get_stats(f.sv)->image_checks, 0);
    assert_int_equal(log_count(&f, "already present on machine (node i-0001)"), 1);
    assert_int_equal(log_count(&f, "Successfully pulled image"), 1);
    fx_teardown(&f);
}

/* Always: the registry is asked every start; layers reused: 119 s when it
 * is up, ErrImagePull when it is down. */
static void test_policy_always(void **state)
{
    (void)state;
    fx f;
    fx_setup(&f, ECSIM_PLATFORM_EKS, ECSIM_PULL_BEHAVIOR_DEFAULT, ECSIM_PULL_POLICY_ALWAYS);
    fx_second_task(&f, false);
    assert_float_equal(task(&f, 2)->running_s, 119.0, 1e-9);
    assert_int_equal(task(&f, 2)->image_source, TASK_IMAGE_CHECKED);
    assert_int_equal(service_get_stats(f.sv)->image_checks, 1);
    assert_int_equal(log_count(&f, "its layers were already on node i-0001"), 1);
    fx_teardown(&f);

    fx_setup(&f, ECSIM_PLATFORM_EKS, ECSIM_PULL_BEHAVIOR_DEFAULT, ECSIM_PULL_POLICY_ALWAYS);
    fx_second_task(&f, true);
    assert_string_equal(task(&f, 2)->stop_code, "TaskFailedToStart");
    assert_true(log_count(&f, "ErrImagePull") >= 1);
    fx_teardown(&f);
}

/* Never: no pull, ever; without a copy on the node the pod fails with
 * ErrImageNeverPull and nothing is downloaded. */
static void test_policy_never(void **state)
{
    (void)state;
    fx f;
    fx_setup(&f, ECSIM_PLATFORM_EKS, ECSIM_PULL_BEHAVIOR_DEFAULT, ECSIM_PULL_POLICY_NEVER);
    ecsim_engine_run(f.eng, 7.0);
    const service_task *t1 = task(&f, 1);
    assert_int_equal(t1->state, TASK_STOPPED);
    assert_float_equal(t1->stopped_s, 6.0, 1e-9);
    assert_string_equal(t1->stop_code, "TaskFailedToStart");
    assert_non_null(strstr(t1->stop_reason,
                           "ErrImageNeverPull: Container image "
                           "\"123456789012.dkr.ecr.us-east-1.amazonaws.com/web:1.0\" "
                           "is not present with pull policy of Never"));
    assert_int_equal(service_get_stats(f.sv)->image_downloads, 0);
    assert_int_equal(log_count(&f, "ErrImageNeverPull"), 1);
    fx_teardown(&f);
}

/* Fargate keeps no cache (reference §2.5): two tasks, two downloads'
 * worth of time each, RUNNING at 28 s, no instance pulls counted. */
static void test_fargate_pulls_per_task(void **state)
{
    (void)state;
    fx f;
    fx_setup(&f, ECSIM_PLATFORM_FARGATE, ECSIM_PULL_BEHAVIOR_DEFAULT,
             ECSIM_PULL_POLICY_IF_NOT_PRESENT);
    service_set_desired(f.sv, 2);
    ecsim_engine_run(f.eng, 60.0);
    assert_float_equal(task(&f, 1)->running_s, 28.0, 1e-9);
    assert_float_equal(task(&f, 2)->running_s, 28.0, 1e-9);
    assert_int_equal(log_count(&f, "pulled 100 MB"), 2);
    assert_int_equal(service_get_stats(f.sv)->image_downloads, 0);
    fx_teardown(&f);
}

/* An instance lost mid-pull: its pull is cancelled, its tasks stop, and
 * nothing fires later on the freed record. */
static void test_instance_lost_mid_pull(void **state)
{
    (void)state;
    fx f;
    fx_setup(&f, ECSIM_PLATFORM_EC2, ECSIM_PULL_BEHAVIOR_DEFAULT, ECSIM_PULL_POLICY_IF_NOT_PRESENT);
    ecsim_engine_run(f.eng, 10.0);
    assert_int_not_equal(task(&f, 1)->pull_wait, 0);
    service_instance_lost(f.sv, 1);
    assert_int_equal(task(&f, 1)->state, TASK_STOPPED);
    ecsim_engine_run(f.eng, 100.0);
    /* The replacement lands on "instance 1" again (the stub) with no copy: it pulls. */
    assert_true(service_task_count(f.sv) >= 2);
    assert_int_equal(task(&f, 2)->image_source, TASK_IMAGE_PULLED);
    assert_int_equal(service_get_stats(f.sv)->image_downloads, 1);
    fx_teardown(&f);
}

/* The fields load with their defaults and their values (schema rows). */
static void test_fields_load(void **state)
{
    (void)state;
    const char *ec2 =
        "name: t\nservice: {platform: ec2, cluster: {image_pull_behavior: prefer-cached}}\n";
    const char *eks = "name: t\nservice: {platform: eks, task: {image_pull_policy: never}}\n";
    const char *plain = "name: t\nservice: {platform: ec2}\n";
    ecsim_diags d;
    ecsim_diags_init(&d);
    ecsim_scenario *sc = ecsim_scenario_load_string(ec2, strlen(ec2), "t.yaml", NULL, 0, &d);
    assert_non_null(sc);
    assert_int_equal(sc->service.cluster.image_pull_behavior, ECSIM_PULL_BEHAVIOR_PREFER_CACHED);
    ecsim_scenario_free(sc);
    sc = ecsim_scenario_load_string(eks, strlen(eks), "t.yaml", NULL, 0, &d);
    assert_non_null(sc);
    assert_int_equal(sc->service.task.image_pull_policy, ECSIM_PULL_POLICY_NEVER);
    ecsim_scenario_free(sc);
    sc = ecsim_scenario_load_string(plain, strlen(plain), "t.yaml", NULL, 0, &d);
    assert_non_null(sc);
    assert_int_equal(sc->service.cluster.image_pull_behavior, ECSIM_PULL_BEHAVIOR_DEFAULT);
    assert_int_equal(sc->service.task.image_pull_policy, ECSIM_PULL_POLICY_IF_NOT_PRESENT);
    ecsim_scenario_free(sc);
    assert_int_equal(d.errors, 0);
    ecsim_diags_free(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ec2_shared_pull_exact_times),
        cmocka_unit_test(test_ec2_four_tasks_one_pull),
        cmocka_unit_test(test_waiter_stops),
        cmocka_unit_test(test_behavior_default_checks),
        cmocka_unit_test(test_behavior_default_falls_back),
        cmocka_unit_test(test_behavior_always_fails),
        cmocka_unit_test(test_behavior_always_checks),
        cmocka_unit_test(test_behavior_once_and_prefer_cached),
        cmocka_unit_test(test_behavior_no_copy_fails),
        cmocka_unit_test(test_policy_if_not_present),
        cmocka_unit_test(test_policy_always),
        cmocka_unit_test(test_policy_never),
        cmocka_unit_test(test_fargate_pulls_per_task),
        cmocka_unit_test(test_instance_lost_mid_pull),
        cmocka_unit_test(test_fields_load),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
