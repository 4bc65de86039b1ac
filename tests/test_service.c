/* Unit tests of the service module (sim/model/service.h) on a bare engine,
 * the way test_cluster.c drives the cluster: a registry with the images, a
 * stub platform with a fixed number of task slots (or none: Fargate), and a
 * stub recorder of the callbacks. No simulation, no scenario file.
 *
 * Timings of the fixture's tasks (no load balancer): provisioning 6 s, pull
 * 100 MB at 10 MB/s = 10 s, container start 10 s, activating 2 s, so a task
 * launched at t is RUNNING at t + 28 s and healthy 40 s later, at t + 68 s
 * (reference §2.1 "When is a new task healthy", §2.3). Values in the
 * comments are worked by hand from those figures. */
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

/* ---- fixture ---------------------------------------------------------------------- */

typedef struct fx {
    ecsim_scenario *sc;
    ecsim_engine *eng;
    registry *reg;
    service *sv;
    /* stub platform: `slots` tasks fit, in zone 1 (instance 1) */
    bool use_platform;
    int slots, used;
    int pending;              /* last set_pending count */
    int victims_asked;
    /* stub recorder */
    int logs;
    char last_log[768];
    int running_logs;         /* "task N RUNNING" lines */
    int no_fit_logs;          /* "unable to place a task" lines with the platform's reason */
    int markers;
    char last_marker[32];
    int changed;
    int stopped;
    int failed_tasks;
    int deployments_failed, deployments_completed;
    int stuck;
    int max_alive;            /* the most tasks alive at any change */
    int min_healthy_seen;     /* the fewest healthy once the first rollout completed */
} fx;

static void on_log(void *ctx, const char *m)
{
    fx *f = ctx;
    f->logs++;
    snprintf(f->last_log, sizeof f->last_log, "%s", m);
    f->running_logs += strstr(m, " RUNNING (deployment ecs-svc/") != NULL;
    f->no_fit_logs += strstr(m, "unable to place a task") && strstr(m, "stub: full");
}

static void on_marker(void *ctx, const char *kind, const char *label)
{
    (void)label;
    fx *f = ctx;
    f->markers++;
    snprintf(f->last_marker, sizeof f->last_marker, "%s", kind);
}

static void on_changed(void *ctx)
{
    fx *f = ctx;
    f->changed++;
    int alive = service_alive_count(f->sv);
    if (alive > f->max_alive)
        f->max_alive = alive;
    if (f->deployments_completed > 0 && service_healthy_count(f->sv) < f->min_healthy_seen)
        f->min_healthy_seen = service_healthy_count(f->sv);
    service_check_rollout(f->sv); /* what the owner does after every change */
}

static void on_stopped(void *ctx, const service_task *t)
{
    fx *f = ctx;
    assert_int_equal(t->state, TASK_STOPPED);
    assert_true(isfinite(t->stopped_s));
    f->stopped++;
}

static void on_failed(void *ctx, const service_task *t)
{
    (void)t;
    ((fx *)ctx)->failed_tasks++;
}

static void on_dp_failed(void *ctx, const service_deployment *dp)
{
    assert_int_equal(dp->rollout, ROLLOUT_FAILED);
    ((fx *)ctx)->deployments_failed++;
}

static void on_dp_completed(void *ctx, const service_deployment *dp)
{
    fx *f = ctx;
    assert_int_equal(dp->rollout, ROLLOUT_COMPLETED);
    f->deployments_completed++;
    f->min_healthy_seen = service_healthy_count(f->sv);
}

static void on_stuck(void *ctx) { ((fx *)ctx)->stuck++; }

static int stub_place(void *ctx, double vcpu, double mem, int *az)
{
    (void)vcpu;
    (void)mem;
    fx *f = ctx;
    if (f->used >= f->slots)
        return -1;
    f->used++;
    *az = 1;
    return 1;
}

static void stub_release(void *ctx, int instance, double vcpu, double mem)
{
    (void)vcpu;
    (void)mem;
    assert_int_equal(instance, 1);
    ((fx *)ctx)->used--;
}

static void stub_pending(void *ctx, int count, double vcpu, double mem)
{
    (void)vcpu;
    (void)mem;
    ((fx *)ctx)->pending = count;
}

static const char *stub_explain(void *ctx, double vcpu, double mem, char *buf, size_t size)
{
    (void)ctx;
    (void)vcpu;
    (void)mem;
    snprintf(buf, size, "stub: full");
    return buf;
}

/* Oldest first: the stub platform's "strategy". */
static int stub_victims(void *ctx, const service_task_ref *tasks, int count, int k, int *chosen)
{
    (void)tasks;
    ((fx *)ctx)->victims_asked++;
    int n = k < count ? k : count;
    for (int i = 0; i < n; i++)
        chosen[i] = i;
    return n;
}

static const service_platform stub_platform = {stub_place, stub_release, stub_pending, stub_explain,
                                               stub_victims};
static const service_callbacks recorder = {on_log,     on_marker,    on_changed,
                                           NULL,       on_stopped,   on_failed,
                                           on_dp_failed, on_dp_completed, on_stuck};

static void fx_setup(fx *f, int desired, bool on_cluster, int slots)
{
    memset(f, 0, sizeof *f);
    f->sc = ecsim_scenario_create_default();
    assert_non_null(f->sc);
    ecsim_scenario *sc = f->sc;
    snprintf(sc->service.name, sizeof sc->service.name, "web");
    sc->image.size_mb = 100;
    sc->registry.pull_mb_per_s = 10;
    sc->service.desired = desired;
    sc->service.platform = on_cluster ? ECSIM_PLATFORM_EC2 : ECSIM_PLATFORM_FARGATE;
    sc->service.availability_zones = 2;
    sc->service.task.provisioning_time_s = 6;
    sc->service.task.start_time_s = 10;
    sc->service.task.activating_time_s = 2;
    sc->service.task.start_jitter_cv = 0;
    sc->service.load_balancer.enable = false;
    sc->service.deployment.min_healthy_percent = 100;
    sc->service.deployment.max_percent = 200;
    f->use_platform = on_cluster;
    f->slots = slots;
    f->eng = ecsim_engine_create();
    f->reg = registry_create("web", false);
    assert_non_null(f->eng);
    assert_non_null(f->reg);
    assert_int_equal(registry_push(f->reg, "1.0", 100, 0), REGISTRY_PUSHED);
    assert_int_equal(registry_push(f->reg, "2.0", 100, 0), REGISTRY_PUSHED);
    f->sv = service_create(sc, 7, f->eng, f->reg, &platform_kind_of(sc->service.platform)->rules,
                           on_cluster ? &stub_platform : NULL, f, &recorder, f);
    assert_non_null(f->sv);
}

static void fx_teardown(fx *f)
{
    ecsim_engine_destroy(f->eng); /* first: pending events point at the service */
    service_destroy(f->sv);
    registry_destroy(f->reg);
    ecsim_scenario_free(f->sc);
}

/* Provision and deploy 1.0 at t = 0, run to `until_s`. */
static void fx_start(fx *f, double until_s)
{
    service_provisioned(f->sv);
    assert_int_equal(service_deploy(f->sv, "1.0", ECSIM_DEFECT_NONE, false), 0);
    ecsim_engine_run(f->eng, until_s);
}

static int count_state(const service *sv, task_state st)
{
    int n = 0;
    for (size_t i = 0; i < service_task_count(sv); i++)
        n += service_task_at(sv, i)->state == st;
    return n;
}

/* ---- tests ------------------------------------------------------------------------- */

/* Rolling-update bounds (reference §2.1, §5.4). */
static void test_rollout_bounds(void **state)
{
    (void)state;
    ecsim_scenario *sc = ecsim_scenario_create_default();
    int lo, hi;
    sc->service.deployment.min_healthy_percent = 50;
    sc->service.deployment.max_percent = 134;
    service_rollout_bounds(&sc->service.deployment, sc->service.platform == ECSIM_PLATFORM_EKS, 6, &lo, &hi);
    assert_int_equal(lo, 3); /* ceil(6 x 0.5) */
    assert_int_equal(hi, 8); /* floor(6 x 1.34) */
    sc->service.deployment.min_healthy_percent = 100;
    sc->service.deployment.max_percent = 200;
    service_rollout_bounds(&sc->service.deployment, sc->service.platform == ECSIM_PLATFORM_EKS, 5, &lo, &hi);
    assert_int_equal(lo, 5);
    assert_int_equal(hi, 10);
    /* EKS: maxSurge 25 % rounds up, maxUnavailable 25 % rounds down */
    sc->service.platform = ECSIM_PLATFORM_EKS;
    sc->service.deployment.max_surge = (ecsim_int_or_percent){25, true};
    sc->service.deployment.max_unavailable = (ecsim_int_or_percent){25, true};
    service_rollout_bounds(&sc->service.deployment, sc->service.platform == ECSIM_PLATFORM_EKS, 10, &lo, &hi);
    assert_int_equal(hi, 13); /* 10 + ceil(2.5) */
    assert_int_equal(lo, 8);  /* 10 - floor(2.5) */
    /* both 0: maxUnavailable becomes 1 */
    sc->service.deployment.max_surge = (ecsim_int_or_percent){0, false};
    sc->service.deployment.max_unavailable = (ecsim_int_or_percent){0, false};
    service_rollout_bounds(&sc->service.deployment, sc->service.platform == ECSIM_PLATFORM_EKS, 4, &lo, &hi);
    assert_int_equal(hi, 4);
    assert_int_equal(lo, 3);
    /* The developer guide's examples (reference §2.1, [D2]) */
    sc->service.platform = ECSIM_PLATFORM_FARGATE;
    sc->service.deployment.min_healthy_percent = 50;
    sc->service.deployment.max_percent = 200;
    service_rollout_bounds(&sc->service.deployment, false, 4, &lo, &hi);
    assert_int_equal(lo, 2); /* min 50 %, desired 4: may stop 2 first */
    assert_int_equal(hi, 8); /* max 200 %, desired 4: start 4 extra */
    sc->service.deployment.min_healthy_percent = 75;
    service_rollout_bounds(&sc->service.deployment, false, 2, &lo, &hi);
    assert_int_equal(lo, 2); /* min 75 %, desired 2: can't stop any */
    sc->service.deployment.max_percent = 125;
    service_rollout_bounds(&sc->service.deployment, false, 3, &lo, &hi);
    assert_int_equal(hi, 3); /* max 125 %, desired 3: can't start extra */
    ecsim_scenario_free(sc);
    assert_int_equal(service_breaker_threshold(3, 3), 3);
    assert_int_equal(service_breaker_threshold(9, 3), 5);
    assert_int_equal(service_breaker_threshold(1000, 3), 200);
}

/* Fargate: three tasks RUNNING at 28 s, healthy at 68 s, the deployment
 * COMPLETED then; every counter agrees with a scan of the tasks. */
static void test_first_deployment_completes(void **state)
{
    (void)state;
    fx f;
    fx_setup(&f, 3, false, 0);
    fx_start(&f, 27.9);
    assert_int_equal(service_count(f.sv, TASK_ACTIVATING), 3);
    assert_int_equal(service_pending_count(f.sv), 3);
    assert_int_equal(service_ready_count(f.sv), 0);
    ecsim_engine_run(f.eng, 28.0);
    assert_int_equal(service_count(f.sv, TASK_RUNNING), 3);
    assert_int_equal(count_state(f.sv, TASK_RUNNING), 3);
    assert_int_equal(service_ready_count(f.sv), 3); /* no load balancer: traffic at RUNNING */
    assert_int_equal(service_healthy_count(f.sv), 0);
    assert_int_equal(service_primary(f.sv)->rollout, ROLLOUT_IN_PROGRESS);
    ecsim_engine_run(f.eng, 68.0);
    assert_int_equal(service_healthy_count(f.sv), 3);
    assert_int_equal(service_primary(f.sv)->rollout, ROLLOUT_COMPLETED);
    assert_float_equal(service_primary(f.sv)->finished_s, 68.0, 1e-9);
    assert_int_equal(f.deployments_completed, 1);
    const service_task *t = service_task_at(f.sv, 0);
    assert_float_equal(t->launched_s, 0.0, 1e-9);
    assert_float_equal(t->pull_started_s, 6.0, 1e-9);
    assert_float_equal(t->running_s, 28.0, 1e-9);
    /* zones alternate: 1, 2, 1 */
    assert_int_equal(service_task_at(f.sv, 1)->az, 2);
    assert_int_equal(service_task_at(f.sv, 2)->az, 1);
    assert_int_equal(service_get_stats(f.sv)->tasks_started, 3);
    assert_int_equal(f.running_logs, 3);
    assert_non_null(strstr(f.last_log, "deployment completed"));
    fx_teardown(&f);
}

/* Scale out to 5, then in to 2: the youngest tasks stop (ids 5, 4, 3). */
static void test_scale_out_and_in(void **state)
{
    (void)state;
    fx f;
    fx_setup(&f, 3, false, 0);
    fx_start(&f, 100);
    service_set_desired(f.sv, 5);
    assert_int_equal(service_desired(f.sv), 5);
    ecsim_engine_run(f.eng, 200);
    assert_int_equal(service_count(f.sv, TASK_RUNNING), 5);
    assert_int_equal(service_get_stats(f.sv)->tasks_started, 5);
    assert_float_equal(service_task_at(f.sv, 4)->launched_s, 100.0, 1e-9);
    service_set_desired(f.sv, 2);
    ecsim_engine_run(f.eng, 300);
    assert_int_equal(service_alive_count(f.sv), 2);
    assert_int_equal(service_active_count(f.sv), 2);
    for (int id = 3; id <= 5; id++) {
        const service_task *t = service_task_at(f.sv, (size_t)id - 1);
        assert_int_equal(t->state, TASK_STOPPED);
        assert_string_equal(t->stop_code, "ServiceSchedulerInitiated");
        assert_float_equal(t->stopped_s, 200.0 + 2.0, 1e-9); /* SIGTERM handled in 2 s */
    }
    assert_int_equal(service_task_at(f.sv, 0)->state, TASK_RUNNING);
    assert_int_equal(f.stopped, 3);
    /* the live list holds exactly tasks 1 and 2, in order */
    const service_task *t = service_live_first(f.sv);
    assert_int_equal(t->id, 1);
    t = service_live_next(f.sv, t);
    assert_int_equal(t->id, 2);
    assert_null(service_live_next(f.sv, t));
    assert_int_equal(service_first_live(f.sv), 0);
    fx_teardown(&f);
}

/* Rolling update 1.0 -> 2.0 with min 100 % / max 200 % on 4 tasks: at most
 * 8 alive, never fewer than 4 healthy, every old task replaced. */
static void test_rolling_update_bounds(void **state)
{
    (void)state;
    fx f;
    fx_setup(&f, 4, false, 0);
    fx_start(&f, 100);
    assert_int_equal(f.deployments_completed, 1);
    assert_int_equal(service_deploy(f.sv, "2.0", ECSIM_DEFECT_NONE, false), 0);
    ecsim_engine_run(f.eng, 400);
    assert_int_equal(f.deployments_completed, 2);
    assert_true(f.max_alive <= 8);
    assert_true(f.max_alive > 4); /* it did surge */
    assert_int_equal(f.min_healthy_seen, 4);
    assert_int_equal(service_primary_index(f.sv), 1);
    assert_int_equal(service_alive_count(f.sv), 4);
    for (const service_task *t = service_live_first(f.sv); t; t = service_live_next(f.sv, t))
        assert_int_equal(t->deployment, 1);
    for (size_t i = 0; i < 4; i++)
        assert_int_equal(service_task_at(f.sv, i)->state, TASK_STOPPED);
    assert_int_equal(service_deployment_at(f.sv, 0)->alive, 0);
    assert_int_equal(service_deployment_at(f.sv, 1)->healthy_active, 4);
    assert_int_equal(f.stuck, 0);
    fx_teardown(&f);
}

/* The best-practices guide's example (reference §2.1, [D11]): 6 tasks behind
 * a load balancer, min 50 %, max 134 % (room for 8). maximumPercent counts
 * the tasks in RUNNING or PENDING, not the draining ones (API
 * DeploymentConfiguration): the deployment stops 3, starts 5 at once, then
 * stops 3 and starts 1, and the last task does not wait for the 300 s
 * deregistration delay of the first three. */
static void test_rolling_update_docs_example(void **state)
{
    (void)state;
    fx f;
    fx_setup(&f, 6, false, 0);
    f.sc->service.load_balancer.enable = true;
    f.sc->service.deployment.min_healthy_percent = 50;
    f.sc->service.deployment.max_percent = 134;
    fx_start(&f, 600);
    assert_int_equal(f.deployments_completed, 1);
    assert_int_equal(service_healthy_count(f.sv), 6);
    assert_int_equal(service_deploy(f.sv, "2.0", ECSIM_DEFECT_NONE, false), 0);
    ecsim_engine_run(f.eng, 600.5);
    assert_int_equal(count_state(f.sv, TASK_DEACTIVATING), 3); /* stop 3 (draining) */
    assert_int_equal(service_task_count(f.sv), 11);            /* start 5, not 2 */
    for (size_t i = 6; i < 11; i++)
        assert_float_equal(service_task_at(f.sv, i)->launched_s, 600.0, 1e-9);
    assert_int_equal(service_active_count(f.sv), 8);
    assert_int_equal(service_alive_count(f.sv), 11); /* 8 counted + 3 draining */
    ecsim_engine_run(f.eng, 2000);
    assert_int_equal(f.deployments_completed, 2);
    assert_int_equal(service_task_count(f.sv), 12); /* then stop 3, start 1 */
    double last = service_task_at(f.sv, 11)->launched_s;
    assert_true(last > 600.0);
    assert_true(last < 600.0 + 300.0); /* did not wait for the deregistration delay */
    assert_true(f.min_healthy_seen >= 3);
    assert_int_equal(service_alive_count(f.sv), 6);
    assert_int_equal(f.stuck, 0);
    fx_teardown(&f);
}

/* max 200 %, desired 4 (reference §2.1 [D2]): 4 extra tasks start at once;
 * max 125 %, desired 3, min 100 %: no room either way, the stuck event. */
static void test_rolling_update_max_percent_examples(void **state)
{
    (void)state;
    fx f;
    fx_setup(&f, 4, false, 0);
    fx_start(&f, 100);
    assert_int_equal(service_deploy(f.sv, "2.0", ECSIM_DEFECT_NONE, false), 0);
    ecsim_engine_run(f.eng, 100.5);
    assert_int_equal(service_task_count(f.sv), 8);
    assert_int_equal(count_state(f.sv, TASK_DEACTIVATING), 0); /* min 100 %: none stops yet */
    fx_teardown(&f);

    fx_setup(&f, 3, false, 0);
    f.sc->service.deployment.max_percent = 125;
    fx_start(&f, 100);
    assert_int_equal(service_deploy(f.sv, "2.0", ECSIM_DEFECT_NONE, false), 0);
    ecsim_engine_run(f.eng, 400);
    assert_int_equal(service_task_count(f.sv), 3);
    assert_int_equal(f.stuck, 1);
    assert_non_null(strstr(f.last_log, "unable to stop or start tasks during a deployment"));
    fx_teardown(&f);
}

/* A tag missing from the registry: tasks fail to start, the throttle
 * engages, and the circuit breaker fails the deployment at its threshold
 * (clamp(ceil(0.5 x 2), 3, 200) = 3, reference §2.2). */
static void test_circuit_breaker_and_throttle(void **state)
{
    (void)state;
    fx f;
    fx_setup(&f, 2, false, 0);
    f.sc->service.deployment.circuit_breaker.enable = true;
    f.sc->service.deployment.circuit_breaker.min_threshold = 3;
    service_provisioned(f.sv);
    assert_int_equal(service_deploy(f.sv, "9.9", ECSIM_DEFECT_NONE, false), 0);
    assert_string_equal(service_primary(f.sv)->digest, "");
    ecsim_engine_run(f.eng, 3600);
    const service_deployment *dp = service_primary(f.sv);
    assert_int_equal(dp->rollout, ROLLOUT_FAILED);
    assert_int_equal(dp->failed_tasks, 3);
    assert_int_equal(dp->breaker_threshold, 3);
    assert_string_equal(dp->failure, "tasks failed to start");
    assert_int_equal(f.deployments_failed, 1);
    /* the two first tasks fail at 6 s; the throttle spaces out the next */
    assert_int_equal(service_get_stats(f.sv)->tasks_failed, 3);
    assert_true(service_start_failures(f.sv) >= 2);
    assert_true(service_throttle_announced(f.sv));
    assert_true(service_throttle_delay(f.sv) >= 10.0);
    assert_string_equal(service_task_at(f.sv, 0)->stop_code, "TaskFailedToStart");
    assert_non_null(strstr(service_task_at(f.sv, 0)->stop_reason, "CannotPullContainerError"));
    /* FAILED: no new tasks for it */
    assert_int_equal(service_alive_count(f.sv), 0);
    fx_teardown(&f);
}

/* kill_tasks: two RUNNING tasks stop at once (EssentialContainerExited)
 * and the scheduler replaces them. */
static void test_kill_replaces(void **state)
{
    (void)state;
    fx f;
    fx_setup(&f, 4, false, 0);
    fx_start(&f, 100);
    assert_int_equal(service_kill_tasks(f.sv, 2), 2);
    assert_int_equal(service_count(f.sv, TASK_STOPPED), 2);
    assert_int_equal(service_get_stats(f.sv)->tasks_replaced, 2);
    int killed = 0;
    for (size_t i = 0; i < 4; i++) {
        const service_task *t = service_task_at(f.sv, i);
        if (t->state == TASK_STOPPED) {
            killed++;
            assert_string_equal(t->stop_code, "EssentialContainerExited");
            assert_float_equal(t->stopped_s, 100.0, 1e-9);
        }
    }
    assert_int_equal(killed, 2);
    ecsim_engine_run(f.eng, 200);
    assert_int_equal(service_count(f.sv, TASK_RUNNING), 4);
    assert_int_equal(service_get_stats(f.sv)->tasks_started, 6);
    assert_float_equal(service_task_at(f.sv, 5)->launched_s, 100.0, 1e-9);
    /* more victims asked for than running: only the running ones */
    assert_int_equal(service_kill_tasks(f.sv, 10), 4);
    fx_teardown(&f);
}

/* A platform with room for 2 tasks: the third waits PENDING (the platform is
 * told), and is placed when capacity arrives; scale-in asks the platform for
 * the victims. */
static void test_platform_capacity(void **state)
{
    (void)state;
    fx f;
    fx_setup(&f, 3, true, 2);
    fx_start(&f, 100);
    assert_int_equal(service_count(f.sv, TASK_RUNNING), 2);
    assert_int_equal(service_waiting_count(f.sv), 1);
    assert_int_equal(f.pending, 1);
    const service_task *third = service_task_at(f.sv, 2);
    assert_int_equal(third->state, TASK_PENDING);
    assert_true(third->waiting_capacity);
    assert_int_equal(f.no_fit_logs, 1);
    f.slots = 3;
    service_capacity_available(f.sv);
    assert_int_equal(service_waiting_count(f.sv), 0);
    assert_int_equal(f.pending, 0);
    assert_int_equal(third->instance, 1);
    ecsim_engine_run(f.eng, 200);
    assert_int_equal(service_count(f.sv, TASK_RUNNING), 3);
    service_set_desired(f.sv, 1);
    ecsim_engine_run(f.eng, 300);
    assert_int_equal(f.victims_asked, 1);
    assert_int_equal(service_alive_count(f.sv), 1);
    assert_int_equal(service_task_at(f.sv, 2)->state, TASK_RUNNING); /* the stub chose the oldest */
    assert_int_equal(f.used, 1);
    /* an instance lost: its tasks stop with TerminationNotice and are replaced */
    service_instance_lost(f.sv, 1);
    assert_int_equal(service_task_at(f.sv, 2)->state, TASK_STOPPED);
    assert_string_equal(service_task_at(f.sv, 2)->stop_code, "TerminationNotice");
    fx_teardown(&f);
}

/* An AZ outage stops the zone's tasks; launches go to the other zone. */
static void test_az_outage(void **state)
{
    (void)state;
    fx f;
    fx_setup(&f, 4, false, 0);
    fx_start(&f, 100);
    assert_int_equal(service_az_outage(f.sv, 1, 1000), 2);
    ecsim_engine_run(f.eng, 200);
    assert_int_equal(service_count(f.sv, TASK_RUNNING), 4);
    assert_int_equal(service_task_at(f.sv, 4)->az, 2);
    assert_int_equal(service_task_at(f.sv, 5)->az, 2);
    assert_int_equal(service_az_outage(f.sv, 3, 1000), 0); /* no such zone */
    fx_teardown(&f);
}

/* The platform registry and the Fargate bill (platform.h): per task from
 * its pull start (6 s after launch) at vcpu x $/vCPU-h + GB x $/GB-h, one
 * minute minimum (reference §6); a stopped task's cost stays as it was. */
static void test_platforms(void **state)
{
    (void)state;
    assert_ptr_equal(platform_kind_of(ECSIM_PLATFORM_FARGATE), &platform_fargate);
    assert_ptr_equal(platform_kind_of(ECSIM_PLATFORM_EC2), &platform_ecs_ec2);
    assert_ptr_equal(platform_kind_of(ECSIM_PLATFORM_EKS), &platform_eks);
    assert_true(platform_ecs_ec2.automatic_rollback);
    assert_false(platform_eks.automatic_rollback);
    assert_string_equal(platform_eks.words.name, "EKS");
    assert_null(platform_fargate.capacity);
    assert_non_null(platform_ecs_ec2.capacity);

    fx f;
    fx_setup(&f, 3, false, 0);
    ecsim_pricing_spec *pr = &f.sc->pricing;
    pr->fargate_vcpu_hour = 0.04;
    pr->fargate_gb_hour = 0.004;
    f.sc->service.task.vcpu = 0.5;
    f.sc->service.task.memory_gb = 1;
    platform *p = platform_create(&(platform_env){f.sc, 7, f.eng, {NULL, NULL, NULL}, NULL});
    assert_non_null(p);
    assert_int_equal(platform_provision(p), 0);
    assert_null(platform_cluster(p));
    fx_start(&f, 100);
    const double rate = 0.5 * 0.04 + 1 * 0.004; /* $/h of one task */
    /* 3 tasks x 94 s */
    assert_float_equal(platform_cost_so_far(p, f.sv, 100), 3 * 94 / 3600.0 * rate, 1e-12);
    /* 30 s after the pull start: the one-minute minimum */
    assert_float_equal(platform_cost_so_far(p, f.sv, 36), 3 * 60 / 3600.0 * rate, 1e-12);
    service_set_desired(f.sv, 2);
    ecsim_engine_run(f.eng, 200);
    const service_task *t = service_task_at(f.sv, 2);
    assert_int_equal(t->state, TASK_STOPPED);
    platform_task_stopped(p, t); /* what the run's recorder does */
    double stopped = ceil(t->stopped_s - 6 - 1e-9) / 3600.0 * rate;
    assert_float_equal(platform_cost_so_far(p, f.sv, 200), 2 * 194 / 3600.0 * rate + stopped, 1e-12);
    ecsim_cost cost;
    ecsim_cost_init(&cost);
    platform_cost_final(p, f.sv, 200, &cost);
    assert_float_equal(cost.fargate_usd, 2 * 194 / 3600.0 * rate + stopped, 1e-12);
    assert_float_equal(cost.vcpu_hours, 0.5 * (2 * 194 + ceil(t->stopped_s - 6 - 1e-9)) / 3600.0, 1e-12);
    platform_destroy(p);
    fx_teardown(&f);
}

/* The log, kept whole for the wording test. */
static char k8s_log[16384];
static size_t k8s_log_len;
static void on_log_keep(void *ctx, const char *m)
{
    on_log(ctx, m);
    if (k8s_log_len + strlen(m) + 2 < sizeof k8s_log)
        k8s_log_len += (size_t)snprintf(k8s_log + k8s_log_len, sizeof k8s_log - k8s_log_len, "%s\n", m);
}

/* Under Kubernetes rules (EKS on Fargate here) the service speaks
 * Kubernetes: ReplicaSet and pod names, kubelet events, ReplicaSet scaling;
 * the same run under ECS rules keeps the ECS service events. */
static void test_kubernetes_words(void **state)
{
    (void)state;
    assert_ptr_equal(platform_kind_of(ECSIM_PLATFORM_EKS_FARGATE), &platform_eks_fargate);
    assert_true(platform_eks_fargate.words.kubernetes);
    assert_false(platform_fargate.words.kubernetes);
    assert_null(platform_eks_fargate.capacity); /* one micro-VM per pod: no nodes */
    assert_false(platform_eks_fargate.automatic_rollback);
    for (int k8s = 0; k8s <= 1; k8s++) {
        fx f;
        fx_setup(&f, 2, false, 0);
        service_destroy(f.sv);
        service_callbacks keep = recorder;
        keep.log = on_log_keep;
        f.sv = service_create(f.sc, 7, f.eng, f.reg,
                              &(k8s ? &platform_eks_fargate : &platform_fargate)->rules, NULL, &f, &keep, &f);
        assert_non_null(f.sv);
        k8s_log_len = 0;
        k8s_log[0] = '\0';
        fx_start(&f, 100);
        service_set_desired(f.sv, 3);
        ecsim_engine_run(f.eng, 200);
        char rs[64];
        service_replicaset_name(f.sv, 1, rs, sizeof rs);
        assert_int_equal((int)strlen(rs), 4 + 10); /* "web-" + 10 characters */
        if (k8s) {
            char want[256];
            snprintf(want, sizeof want, "replicaset %s: SuccessfulCreate: Created pods: %s-", rs, rs);
            assert_non_null(strstr(k8s_log, want));
            snprintf(want, sizeof want, "deployment web: Scaled up replica set %s to 3.", rs);
            assert_non_null(strstr(k8s_log, want));
            assert_non_null(strstr(k8s_log, "Scheduled on Fargate; Pulling image \"123456789012.dkr.ecr."));
            assert_non_null(strstr(k8s_log, "Successfully pulled image \""));
            assert_non_null(strstr(k8s_log, "\" in 10.0s (100 MB)."));
            assert_non_null(strstr(k8s_log, "Started container web"));
            assert_null(strstr(k8s_log, "has started"));
            assert_null(strstr(k8s_log, "ecs-svc/"));
            assert_null(strstr(k8s_log, "task "));
        } else {
            assert_non_null(strstr(k8s_log, "service web has started 2 tasks: (task 1) (task 2)."));
            assert_non_null(strstr(k8s_log, "task 1 RUNNING (deployment ecs-svc/1, AZ 1)"));
            assert_null(strstr(k8s_log, "pod "));
            assert_null(strstr(k8s_log, "replica"));
        }
        fx_teardown(&f);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rollout_bounds),
        cmocka_unit_test(test_first_deployment_completes),
        cmocka_unit_test(test_scale_out_and_in),
        cmocka_unit_test(test_rolling_update_bounds),
        cmocka_unit_test(test_rolling_update_docs_example),
        cmocka_unit_test(test_rolling_update_max_percent_examples),
        cmocka_unit_test(test_circuit_breaker_and_throttle),
        cmocka_unit_test(test_kill_replaces),
        cmocka_unit_test(test_platform_capacity),
        cmocka_unit_test(test_az_outage),
        cmocka_unit_test(test_platforms),
        cmocka_unit_test(test_kubernetes_words),
    };
    return cmocka_run_group_tests_name("service", tests, NULL, NULL);
}
