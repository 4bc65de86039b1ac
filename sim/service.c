/* The ECS service: its tasks, its deployments and the service scheduler.
 *
 * A task walks the lifecycle of reference §2.3:
 *   PROVISIONING (capacity, ENI) -> PENDING (image pull, container start)
 *   -> ACTIVATING (registrations) -> RUNNING -> [healthy] -> DEACTIVATING
 *   (target deregistration) -> STOPPING (SIGTERM) -> STOPPED
 * Each transition is an engine event carrying (task id, transition kind).
 *
 * The scheduler (service_reconcile) is called whenever something changes and
 * brings the task set towards the desired count under the deployment
 * configuration (minimumHealthyPercent / maximumPercent, reference §2.1),
 * the service throttle (§2.4 item 4), the Fargate launch-rate token bucket
 * and the per-service launch rate (§2.5). Calls are coalesced into one
 * engine event at the current time so that a burst of changes costs one
 * pass and the order of work stays deterministic.
 *
 * A deployment resolves its tag to a digest when it starts (reference §2.4
 * item 6): later re-pushes of the tag do not change it. Tasks of a
 * deployment whose image cannot be pulled stop with TaskFailedToStart and a
 * CannotPullContainerError reason (§2.4), count towards the circuit breaker
 * (§2.2), and engage the service throttle. */
#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ecsim/alloc.h"
#include "ecsim/error.h"
#include "sim_internal.h"

/* Pretend account and Region: only used to make the messages look like the
 * ones a user will meet in the console. */
#define REGISTRY_HOST "123456789012.dkr.ecr.us-east-1.amazonaws.com"

/* Kinds of task transition events (upper 32 bits of the event arg). */
enum task_event {
    EV_PROVISIONED = 1, /* PROVISIONING done: start pulling */
    EV_PULL_RETRY,      /* retry a pull after a network error */
    EV_PULLED,          /* image downloaded: start containers */
    EV_STARTED,         /* containers started: ACTIVATING */
    EV_ACTIVATED,       /* RUNNING */
    EV_HEALTHY,         /* counted healthy */
    EV_DEACTIVATED,     /* deregistration delay over: STOPPING */
    EV_STOPPED          /* STOPPING done: STOPPED */
};

/* EC2 agent pull retry policy (reference §2.4 item 3, CODE [D14]). */
#define PULL_MAX_RETRIES 5
#define PULL_BACKOFF_MIN_S 1.1
#define PULL_BACKOFF_MAX_S 5.0
#define PULL_BACKOFF_MULT 2.0
#define PULL_BACKOFF_JITTER 0.2
/* No LB and no container health check: healthy 40 s after RUNNING
 * (reference §2.1, "When is a new task healthy"). */
#define HEALTHY_WITHOUT_LB_S 40.0
/* MODEL: an application that handles SIGTERM exits this fast; stopTimeout
 * (default 30 s, §2.1) is only the bound for one that does not. */
#define STOPPING_TIME_S 2.0


static void service_reconcile(ecsim_sim *sim);
static void schedule_reconcile(ecsim_sim *sim, double at_s);

const char *task_state_name(task_state s)
{
    static const char *const names[] = {"PROVISIONING", "PENDING", "ACTIVATING", "RUNNING",
                                        "DEACTIVATING", "STOPPING", "STOPPED"};
    return names[s];
}

static const char *svc_name(const ecsim_sim *sim) { return sim->sc->service.name; }

static uint64_t ev_arg(const sim_task *t, enum task_event kind)
{
    return ((uint64_t)kind << 32) | (uint64_t)(uint32_t)t->id;
}

static void task_event(ecsim_engine *eng, void *ctx, uint64_t arg);

static void task_schedule(ecsim_sim *sim, sim_task *t, double delay_s, enum task_event kind)
{
    t->next = ecsim_engine_schedule_in(sim->eng, delay_s, task_event, sim, ev_arg(t, kind));
    if (!t->next)
        sim->oom = 1;
}

int service_init(ecsim_sim *sim)
{
    sim_service *s = &sim->service;
    memset(s, 0, sizeof *s);
    s->primary = -1;
    s->desired = sim->sc->service.desired;
    s->tokens = sim->sc->service.launch_limits.fargate_burst;
    s->next_az = 1;
    return 0;
}

void service_free(ecsim_sim *sim)
{
    ecsim_free(sim->service.tasks);
    ecsim_free(sim->service.deployments);
    memset(&sim->service, 0, sizeof sim->service);
}

/* ---- counting ------------------------------------------------------------------ */

static bool task_alive(const sim_task *t)
{
    return t->state != TASK_STOPPED;
}

/* Counts towards the desired count: alive and not chosen to stop. */
static bool task_active(const sim_task *t)
{
    return task_alive(t) && !t->stop_requested && t->state < TASK_DEACTIVATING;
}

int service_count(const ecsim_sim *sim, task_state state)
{
    int n = 0;
    for (size_t i = 0; i < sim->service.task_count; i++)
        n += sim->service.tasks[i].state == state;
    return n;
}

int service_active_count(const ecsim_sim *sim)
{
    int n = 0;
    for (size_t i = 0; i < sim->service.task_count; i++)
        n += task_active(&sim->service.tasks[i]);
    return n;
}

/* Tasks that receive traffic: RUNNING, and healthy in the target group when
 * a load balancer fronts the service (reference §2.5: "add ALB
 * healthy-threshold time before the task receives traffic"). */
int service_ready_count(const ecsim_sim *sim)
{
    bool lb = sim->sc->service.load_balancer.enable;
    int n = 0;
    for (size_t i = 0; i < sim->service.task_count; i++) {
        const sim_task *t = &sim->service.tasks[i];
        if (t->state == TASK_RUNNING && !t->stop_requested && (!lb || t->healthy))
            n++;
    }
    return n;
}

static sim_task *task_by_id(ecsim_sim *sim, int id)
{
    assert(id >= 1 && (size_t)id <= sim->service.task_count);
    return &sim->service.tasks[id - 1];
}

static sim_deployment *primary(ecsim_sim *sim)
{
    return sim->service.primary >= 0 ? &sim->service.deployments[sim->service.primary] : NULL;
}

/* ---- the circuit breaker (reference §2.2) -------------------------------------- */

/* threshold = clamp(ceil(0.5 x desired), MIN, 200), MIN a parameter
 * (3 in the current API reference, 10 historically). */
int service_breaker_threshold(int desired, int min_threshold)
{
    int t = (int)ceil(0.5 * desired);
    if (t < min_threshold)
        t = min_threshold;
    if (t > 200)
        t = 200;
    return t;
}

static void breaker_count_failure(ecsim_sim *sim, sim_deployment *dp)
{
    const ecsim_circuit_breaker_spec *cb = &sim->sc->service.deployment.circuit_breaker;
    if (!cb->enable || dp->rollout != ROLLOUT_IN_PROGRESS)
        return;
    dp->failed_tasks++;
    if (dp->failed_tasks < dp->breaker_threshold)
        return;
    dp->rollout = ROLLOUT_FAILED;
    dp->finished_s = ecsim_engine_now(sim->eng);
    sim_log(sim, "service %s (deployment ecs-svc/%d) deployment failed: tasks failed to start. "
                 "Circuit breaker: %d of %d failed tasks; rolloutState FAILED.",
            svc_name(sim), dp->id, dp->failed_tasks, dp->breaker_threshold);
    sim_deployment_failed(sim, dp);
}

/* ---- deployments ------------------------------------------------------------------ */

int service_deploy(ecsim_sim *sim, const char *tag, ecsim_defect defect, bool is_rollback)
{
    sim_service *s = &sim->service;
    if (s->deployment_count == s->deployment_capacity) {
        size_t cap = s->deployment_capacity ? s->deployment_capacity * 2 : 4;
        sim_deployment *d = ecsim_reallocarray(s->deployments, cap, sizeof *d);
        if (!d)
            return ECSIM_ENOMEM;
        s->deployments = d;
        s->deployment_capacity = cap;
    }
    sim_deployment *dp = &s->deployments[s->deployment_count];
    memset(dp, 0, sizeof *dp);
    dp->id = (int)s->deployment_count + 1;
    dp->revision = dp->id;
    snprintf(dp->tag, sizeof dp->tag, "%s", tag);
    dp->defect = defect;
    dp->is_rollback = is_rollback;
    dp->rollout = ROLLOUT_IN_PROGRESS;
    dp->started_s = ecsim_engine_now(sim->eng);
    dp->finished_s = NAN;
    dp->breaker_threshold =
        service_breaker_threshold(s->desired, sim->sc->service.deployment.circuit_breaker.min_threshold);
    /* Tag -> digest resolution at deployment start (reference §2.4 item 6). */
    const registry_image *img = registry_resolve(&sim->registry, tag);
    if (img)
        snprintf(dp->digest, sizeof dp->digest, "%s", img->digest);
    s->deployment_count++;
    s->primary = (int)s->deployment_count - 1;
    /* A new task definition resets the service throttle (reference §2.4 item 4). */
    s->start_failures = 0;
    s->throttle_delay_s = 0;
    s->next_launch_s = 0;
    s->throttle_announced = false;
    s->steady = false;
    sim_log(sim, "service %s has started deployment ecs-svc/%d: task definition revision %d, "
                 "image %s/%s:%s%s%s.",
            svc_name(sim), dp->id, dp->revision, REGISTRY_HOST, sim->registry.repository, tag,
            img ? " resolved to " : " (tag not found in the registry)", img ? img->digest : "");
    schedule_reconcile(sim, ecsim_engine_now(sim->eng));
    return 0;
}

/* ---- launching and stopping ---------------------------------------------------------- */

static sim_task *task_new(ecsim_sim *sim)
{
    sim_service *s = &sim->service;
    if (s->task_count == s->task_capacity) {
        size_t cap = s->task_capacity ? s->task_capacity * 2 : 16;
        sim_task *tasks = ecsim_reallocarray(s->tasks, cap, sizeof *tasks);
        if (!tasks) {
            sim->oom = 1;
            return NULL;
        }
        s->tasks = tasks;
        s->task_capacity = cap;
    }
    sim_task *t = &s->tasks[s->task_count++];
    memset(t, 0, sizeof *t);
    t->id = (int)s->task_count;
    t->pull_started_s = t->running_s = t->stopped_s = NAN;
    return t;
}

static void launch_task(ecsim_sim *sim)
{
    sim_task *t = task_new(sim);
    if (!t)
        return;
    sim_service *s = &sim->service;
    t->deployment = s->primary;
    t->state = TASK_PROVISIONING;
    t->launched_s = ecsim_engine_now(sim->eng);
    /* Spread across AZs, the default service placement (reference §3.2). */
    t->az = s->next_az;
    s->next_az = s->next_az % sim->sc->service.availability_zones + 1;
    sim->summary.tasks_started++;
    task_schedule(sim, t, sim->sc->service.task.provisioning_time_s, EV_PROVISIONED);
}

static void task_stop_now(ecsim_sim *sim, sim_task *t, const char *stop_code, const char *reason)
{
    if (t->next) {
        ecsim_engine_cancel(sim->eng, t->next);
        t->next = 0;
    }
    t->state = TASK_STOPPED;
    t->healthy = false;
    t->stopped_s = ecsim_engine_now(sim->eng);
    t->stop_code = stop_code;
    snprintf(t->stop_reason, sizeof t->stop_reason, "%s", reason);
}

/* Begin an orderly stop chosen by the scheduler (scale-in or replacement). */
static void task_begin_stop(ecsim_sim *sim, sim_task *t)
{
    t->stop_requested = true;
    if (t->state < TASK_RUNNING) {
        task_stop_now(sim, t, "ServiceSchedulerInitiated", "Scaling activity initiated by deployment");
        return;
    }
    if (t->next) {
        ecsim_engine_cancel(sim->eng, t->next);
        t->next = 0;
    }
    t->state = TASK_DEACTIVATING;
    t->healthy = false;
    /* Target deregistration takes the deregistration delay (reference §2.3). */
    double delay = sim->sc->service.load_balancer.enable
                       ? sim->sc->service.load_balancer.deregistration_delay_s
                       : 0.0;
    task_schedule(sim, t, delay, EV_DEACTIVATED);
}

/* The service throttle (reference §2.4 item 4): tasks that stop before
 * RUNNING make the scheduler wait longer between launches, growing
 * geometrically (MODEL: initial x multiplier^(n-1)) up to 15 minutes. */
static void throttle_failure(ecsim_sim *sim)
{
    sim_service *s = &sim->service;
    const ecsim_throttle_spec *th = &sim->sc->service.throttle;
    s->start_failures++;
    double delay = th->initial_s * pow(th->multiplier, s->start_failures - 1);
    if (delay > th->max_s || !isfinite(delay))
        delay = th->max_s;
    s->throttle_delay_s = delay;
    s->next_launch_s = ecsim_engine_now(sim->eng) + delay;
    if (s->start_failures >= 2 && !s->throttle_announced) {
        s->throttle_announced = true;
        sim_log(sim, "service %s is unable to consistently start tasks successfully.", svc_name(sim));
    }
    if (s->start_failures >= 2)
        sim_log(sim, "service %s operations are being throttled. Will try again later. "
                     "(next launch in %.0f s)", svc_name(sim), delay);
}

static void task_failed_to_start(ecsim_sim *sim, sim_task *t, const char *reason)
{
    task_stop_now(sim, t, "TaskFailedToStart", reason);
    sim->summary.tasks_failed++;
    sim_log(sim, "task %d stopped (%s): %s", t->id, t->stop_code, reason);
    throttle_failure(sim);
    breaker_count_failure(sim, &sim->service.deployments[t->deployment]);
    sim_tasks_changed(sim);
    schedule_reconcile(sim, ecsim_engine_now(sim->eng));
}

/* One pull attempt (reference §2.4): not found fails after one attempt;
 * network errors are retried PULL_MAX_RETRIES times with backoff. */
static void task_pull(ecsim_sim *sim, sim_task *t)
{
    const sim_deployment *dp = &sim->service.deployments[t->deployment];
    char reason[320];
    t->pull_attempt++;
    if (!registry_reachable(&sim->registry, ecsim_engine_now(sim->eng))) {
        if (t->pull_attempt <= PULL_MAX_RETRIES) {
            double backoff = PULL_BACKOFF_MIN_S * pow(PULL_BACKOFF_MULT, t->pull_attempt - 1);
            if (backoff > PULL_BACKOFF_MAX_S)
                backoff = PULL_BACKOFF_MAX_S;
            backoff *= 1.0 + PULL_BACKOFF_JITTER * (2.0 * ecsim_rng_uniform(&sim->rng_registry) - 1.0);
            task_schedule(sim, t, backoff, EV_PULL_RETRY);
            return;
        }
        snprintf(reason, sizeof reason,
                 "CannotPullContainerError: pull image manifest has been retried %d time(s): "
                 "failed to do request: Head \"https://%s/v2/%s/manifests/%s\": dial tcp: i/o timeout",
                 PULL_MAX_RETRIES, REGISTRY_HOST, sim->registry.repository, dp->tag);
        task_failed_to_start(sim, t, reason);
        return;
    }
    const registry_image *img = dp->digest[0] ? registry_by_digest(&sim->registry, dp->digest) : NULL;
    if (!img) {
        snprintf(reason, sizeof reason,
                 "CannotPullContainerError: pull image manifest has been retried 1 time(s): failed "
                 "to resolve ref %s/%s:%s: not found",
                 REGISTRY_HOST, sim->registry.repository, dp->tag);
        task_failed_to_start(sim, t, reason);
        return;
    }
    /* Fargate pulls the whole image for every task, no layer cache
     * (reference §2.5): pull time = size / pull bandwidth. */
    task_schedule(sim, t, img->size_mb / sim->sc->registry.pull_mb_per_s, EV_PULLED);
}

static void task_event(ecsim_engine *eng, void *ctx, uint64_t arg)
{
    ecsim_sim *sim = ctx;
    sim_task *t = task_by_id(sim, (int)(uint32_t)arg);
    enum task_event kind = (enum task_event)(arg >> 32);
    const ecsim_task_spec *ts = &sim->sc->service.task;
    const ecsim_load_balancer_spec *lb = &sim->sc->service.load_balancer;
    double now = ecsim_engine_now(eng);
    t->next = 0;
    switch (kind) {
    case EV_PROVISIONED:
        t->state = TASK_PENDING;
        t->pull_started_s = now; /* Fargate billing starts here (reference §6) */
        task_pull(sim, t);
        break;
    case EV_PULL_RETRY:
        task_pull(sim, t);
        break;
    case EV_PULLED:
        task_schedule(sim, t, ts->start_time_s, EV_STARTED);
        break;
    case EV_STARTED:
        t->state = TASK_ACTIVATING;
        task_schedule(sim, t, ts->activating_time_s, EV_ACTIVATED);
        break;
    case EV_ACTIVATED: {
        t->state = TASK_RUNNING;
        t->running_s = now;
        sim_deployment *dp = &sim->service.deployments[t->deployment];
        dp->breaker_stage2 = true; /* stage 2 once a task is RUNNING (reference §2.2) */
        /* Tasks that reach RUNNING end a run of start failures (reference §2.4 item 4). */
        sim->service.start_failures = 0;
        sim->service.throttle_delay_s = 0;
        double healthy_after = lb->enable ? lb->health_check_interval_s * lb->healthy_threshold
                                          : HEALTHY_WITHOUT_LB_S;
        task_schedule(sim, t, healthy_after, EV_HEALTHY);
        sim_log(sim, "task %d RUNNING (deployment ecs-svc/%d, AZ %d): pulled %.0f MB, %s",
                t->id, dp->id, t->az, sim->sc->image.size_mb,
                lb->enable ? "registering with the target group" : "healthy in 40 s (no load balancer)");
        break;
    }
    case EV_HEALTHY:
        t->healthy = true;
        break;
    case EV_DEACTIVATED:
        t->state = TASK_STOPPING;
        task_schedule(sim, t, fmin(STOPPING_TIME_S, ts->stop_timeout_s), EV_STOPPED);
        break;
    case EV_STOPPED:
        task_stop_now(sim, t, "ServiceSchedulerInitiated", "Scaling activity initiated by deployment");
        break;
    }
    sim_tasks_changed(sim);
    schedule_reconcile(sim, now);
}

/* ---- the scheduler ---------------------------------------------------------------------- */

static void reconcile_event(ecsim_engine *eng, void *ctx, uint64_t arg)
{
    (void)eng;
    (void)arg;
    ecsim_sim *sim = ctx;
    sim->service.reconcile_event = 0;
    service_reconcile(sim);
}

static void schedule_reconcile(ecsim_sim *sim, double at_s)
{
    sim_service *s = &sim->service;
    if (s->reconcile_event)
        return; /* one pass at the current time covers every change */
    double now = ecsim_engine_now(sim->eng);
    s->reconcile_event =
        ecsim_engine_schedule(sim->eng, at_s > now ? at_s : now, reconcile_event, sim, 0);
    if (!s->reconcile_event)
        sim->oom = 1;
}

/* Fargate token bucket (reference §2.5): burst 100, refilled at 20 tasks/s. */
static bool take_launch_token(ecsim_sim *sim, double *retry_at)
{
    sim_service *s = &sim->service;
    const ecsim_launch_limits_spec *ll = &sim->sc->service.launch_limits;
    double now = ecsim_engine_now(sim->eng);
    s->tokens = fmin(ll->fargate_burst, s->tokens + (now - s->tokens_at_s) * ll->fargate_rate_per_s);
    s->tokens_at_s = now;
    /* The tolerance absorbs rounding in the refill: without it a bucket at
     * 0.9999999 would retry at a time that rounds back to now, forever. */
    if (s->tokens >= 1.0 - 1e-9) {
        s->tokens = fmax(0.0, s->tokens - 1.0);
        return true;
    }
    *retry_at = now + fmax((1.0 - s->tokens) / ll->fargate_rate_per_s, 1e-6);
    return false;
}

static void service_reconcile(ecsim_sim *sim)
{
    sim_service *s = &sim->service;
    sim_deployment *dp = primary(sim);
    if (!s->provisioned || !dp)
        return;
    double now = ecsim_engine_now(sim->eng);
    const ecsim_deployment_spec *dep = &sim->sc->service.deployment;

    int n_primary = 0, n_old = 0, alive = 0, healthy = 0;
    for (size_t i = 0; i < s->task_count; i++) {
        const sim_task *t = &s->tasks[i];
        if (!task_alive(t))
            continue;
        alive++;
        if (t->stop_requested)
            continue;
        if (t->deployment == s->primary)
            n_primary++;
        else
            n_old++;
        if (t->state == TASK_RUNNING && t->healthy)
            healthy++;
    }

    /* Rolling-update bounds (reference §2.1): at most floor(desired x max%)
     * tasks in RUNNING/STOPPING/PENDING, at least ceil(desired x min%) healthy. */
    int max_tasks = (int)floor(s->desired * dep->max_percent / 100.0 + 1e-9);
    int min_healthy = (int)ceil(s->desired * dep->min_healthy_percent / 100.0 - 1e-9);

    /* Stop surplus tasks: old revisions first (as long as enough stay
     * healthy), then primary tasks beyond desired, youngest first. */
    int can_stop = healthy - min_healthy;
    for (size_t i = s->task_count; i-- > 0 && n_old > 0;) {
        sim_task *t = &s->tasks[i];
        if (!task_active(t) || t->deployment == s->primary)
            continue;
        bool counts_healthy = t->state == TASK_RUNNING && t->healthy;
        if (counts_healthy && can_stop <= 0)
            continue;
        if (counts_healthy)
            can_stop--;
        task_begin_stop(sim, t);
        n_old--;
    }
    for (size_t i = s->task_count; i-- > 0 && n_primary > s->desired;) {
        sim_task *t = &s->tasks[i];
        if (!task_active(t) || t->deployment != s->primary)
            continue;
        task_begin_stop(sim, t);
        n_primary--;
        sim_log(sim, "service %s has stopped 1 running tasks: (task %d).", svc_name(sim), t->id);
    }

    /* Launch towards desired. */
    if (dp->rollout == ROLLOUT_FAILED)
        return; /* no new tasks for a FAILED deployment (reference §2.2) */
    int want = s->desired - n_primary;
    int room = max_tasks - alive;
    if (room < want && n_old == 0)
        room = want; /* no rolling update under way: plain scaling */
    int launch = want < room ? want : room;
    if (launch <= 0)
        return;
    if (now < s->next_launch_s) {
        schedule_reconcile(sim, s->next_launch_s);
        return;
    }
    if (s->start_failures > 0) {
        /* Throttled: one attempt at a time until a task starts; the next
         * waits for this one to fail or run. */
        for (size_t i = 0; i < s->task_count; i++)
            if (s->tasks[i].deployment == s->primary && s->tasks[i].state < TASK_RUNNING)
                return;
        launch = 1;
    }
    int launched = 0;
    double retry_at = INFINITY;
    while (launched < launch) {
        if (sim->sc->service.platform == ECSIM_PLATFORM_FARGATE && !take_launch_token(sim, &retry_at))
            break;
        launch_task(sim);
        launched++;
    }
    if (launched > 0) {
        char ids[256] = "";
        size_t n = 0;
        for (size_t i = s->task_count - (size_t)launched; i < s->task_count && n < sizeof ids - 16; i++)
            n += (size_t)snprintf(ids + n, sizeof ids - n, " (task %d)", s->tasks[i].id);
        sim_log(sim, "service %s has started %d tasks:%s.", svc_name(sim), launched, ids);
    }
    if (launched < launch && isfinite(retry_at))
        schedule_reconcile(sim, retry_at);
}

void service_provisioned(ecsim_sim *sim)
{
    sim->service.provisioned = true;
    sim->service.tokens_at_s = ecsim_engine_now(sim->eng);
    schedule_reconcile(sim, ecsim_engine_now(sim->eng));
}

void service_set_desired(ecsim_sim *sim, int desired)
{
    if (desired == sim->service.desired)
        return;
    sim->service.desired = desired;
    schedule_reconcile(sim, ecsim_engine_now(sim->eng));
}

/* Called by sim.c after task changes: deployment completion is when the
 * primary has `desired` healthy tasks and no task of an older revision is
 * left (reference §2.2 rolloutState COMPLETED). */
void service_check_rollout(ecsim_sim *sim)
{
    sim_service *s = &sim->service;
    sim_deployment *dp = primary(sim);
    if (!dp || dp->rollout != ROLLOUT_IN_PROGRESS)
        return;
    int healthy = 0, old_alive = 0;
    for (size_t i = 0; i < s->task_count; i++) {
        const sim_task *t = &s->tasks[i];
        if (!task_alive(t))
            continue;
        if (t->deployment != s->primary)
            old_alive++;
        else if (t->state == TASK_RUNNING && t->healthy && !t->stop_requested)
            healthy++;
    }
    if (healthy >= s->desired && old_alive == 0) {
        dp->rollout = ROLLOUT_COMPLETED;
        dp->finished_s = ecsim_engine_now(sim->eng);
        sim_log(sim, "service %s (deployment ecs-svc/%d) deployment completed.", svc_name(sim), dp->id);
        sim_deployment_completed(sim, dp);
    }
}
