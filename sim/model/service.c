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
 * (§2.2), and engage the service throttle.
 *
 * Rolling updates: a task belongs to the current revision when it was
 * launched by the PRIMARY deployment (or, during a rollback, by the
 * COMPLETED deployment of the same revision and digest); every other live
 * task is old and is drained as soon as the minimum-healthy bound allows.
 * On ECS the bounds are minimumHealthyPercent (ceil) and maximumPercent
 * (floor) (reference §2.1); on EKS maxSurge (ceil) and maxUnavailable (floor)
 * (reference §5.4). A defective revision crashes after start
 * (EssentialContainerExited; on EKS CrashLoopBackOff) or fails its health
 * checks; the circuit breaker counts those in stage 2 (reference §2.2), and
 * on FAILED with rollback a new deployment of the last COMPLETED revision
 * starts. Faults from the scenario (kill_tasks, az_outage,
 * spot_interruption) stop tasks through the functions at the end. */
#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ecsim/alloc.h"
#include "ecsim/error.h"
#include "cluster.h"
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
    EV_STOPPED,         /* STOPPING done: STOPPED */
    EV_CRASHED,         /* defect crash: the essential container exits */
    EV_UNHEALTHY        /* defect unhealthy: health checks failed */
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
/* MODEL: a `defect: crash` container exits this long after RUNNING. */
#define CRASH_AFTER_S 5.0
/* Container health check without a load balancer: interval 30 s x 3
 * retries (reference §2.1, [D9]) before the task is declared unhealthy. */
#define CONTAINER_HC_INTERVAL_S 30.0
#define CONTAINER_HC_RETRIES 3
/* Fargate Spot: two-minute interruption notice (issue 5; AWS Fargate Spot). */
#define SPOT_NOTICE_S 120.0
/* kubelet container restart back-off: 10 s doubling to 300 s (reference §5.4). */
#define K8S_BACKOFF_INITIAL_S 10.0
#define K8S_BACKOFF_MAX_S 300.0


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
    ecsim_free(sim->service.run_tree);
    ecsim_free(sim->service.dep_live);
    ecsim_free(sim->service.vcpu_sums);
    ecsim_free(sim->service.changed);
    ecsim_free(sim->service.cursors);
    cluster_destroy(sim->cluster);
    sim->cluster = NULL;
    ecsim_free(sim->instance_image);
    sim->instance_image = NULL;
    sim->instance_image_count = 0;
    ecsim_free(sim->service.tasks);
    ecsim_free(sim->service.deployments);
    memset(&sim->service, 0, sizeof sim->service);
}

/* ---- counting ------------------------------------------------------------------ */

/* Every count of tasks by state is a counter kept by task_update below, the
 * one place where a task's state, health or stop request changes; the live
 * tasks are linked in their own list, so nothing walks the stopped ones. */

static bool task_alive(const sim_task *t)
{
    return t->state != TASK_STOPPED;
}

/* Counts towards the desired count: alive and not chosen to stop. */
static bool task_active(const sim_task *t)
{
    return task_alive(t) && !t->stop_requested && t->state < TASK_DEACTIVATING;
}

/* A candidate victim of kill_tasks / Spot: RUNNING, not chosen to stop. */
static bool task_run_avail(const sim_task *t)
{
    return t->state == TASK_RUNNING && !t->stop_requested;
}

int service_count(const ecsim_sim *sim, task_state state)
{
    return sim->service.n_state[state];
}

int service_active_count(const ecsim_sim *sim) { return sim->service.n_active; }

/* Tasks that receive traffic: RUNNING, and healthy in the target group when
 * a load balancer fronts the service (reference §2.5: "add ALB
 * healthy-threshold time before the task receives traffic"). */
int service_ready_count(const ecsim_sim *sim) { return sim->service.n_ready; }

int service_healthy_count(const ecsim_sim *sim) { return sim->service.n_healthy_active; }

int service_pending_count(const ecsim_sim *sim)
{
    const int *n = sim->service.n_state;
    return n[TASK_PROVISIONING] + n[TASK_PENDING] + n[TASK_ACTIVATING];
}

const sim_task *service_live_first(const ecsim_sim *sim)
{
    int id = sim->service.live_head;
    return id ? &sim->service.tasks[id - 1] : NULL;
}

const sim_task *service_live_next(const ecsim_sim *sim, const sim_task *t)
{
    return t->live_next ? &sim->service.tasks[t->live_next - 1] : NULL;
}

/* The Fenwick tree over task indexes marks the RUNNING tasks not chosen to
 * stop, so the n-th of them in id order is found in O(log n). */
static void run_tree_add(sim_service *s, size_t index, int delta)
{
    for (size_t i = index + 1; i <= s->run_tree_size; i += i & (~i + 1))
        s->run_tree[i - 1] += delta;
}

/* Room for every task index: rebuilt at twice the size when it grows. */
static int run_tree_reserve(sim_service *s, size_t count)
{
    if (count <= s->run_tree_size)
        return 0;
    size_t size = s->run_tree_size ? s->run_tree_size : 64;
    while (size < count)
        size *= 2;
    int *tree = ecsim_calloc(size, sizeof *tree);
    if (!tree)
        return ECSIM_ENOMEM;
    ecsim_free(s->run_tree);
    s->run_tree = tree;
    s->run_tree_size = size;
    for (size_t i = 0; i < s->task_count; i++)
        if (task_run_avail(&s->tasks[i]))
            run_tree_add(s, i, 1);
    return 0;
}

/* The index of the (nth + 1)-th marked task; nth < n_run_avail. */
static size_t run_tree_find(const sim_service *s, int nth)
{
    size_t pos = 0, step = 1;
    while (step * 2 <= s->run_tree_size)
        step *= 2;
    for (; step > 0; step /= 2) {
        if (pos + step <= s->run_tree_size && s->run_tree[pos + step - 1] <= nth) {
            pos += step;
            nth -= s->run_tree[pos - 1];
        }
    }
    return pos; /* 0-based index of the task */
}

static int dep_live_add(sim_service *s, int dep)
{
    if (s->dep_live_count == s->dep_live_capacity) {
        size_t cap = s->dep_live_capacity ? s->dep_live_capacity * 2 : 8;
        int *d = ecsim_reallocarray(s->dep_live, cap, sizeof *d);
        if (!d)
            return ECSIM_ENOMEM;
        s->dep_live = d;
        s->dep_live_capacity = cap;
    }
    s->dep_live[s->dep_live_count++] = dep;
    return 0;
}

static void dep_live_remove(sim_service *s, int dep)
{
    for (size_t i = 0; i < s->dep_live_count; i++)
        if (s->dep_live[i] == dep) {
            s->dep_live[i] = s->dep_live[--s->dep_live_count];
            return;
        }
    assert(!"deployment not in the live set");
}

/* Add (sign 1) or remove (sign -1) what task `t` contributes to the counters. */
static void task_account(ecsim_sim *sim, const sim_task *t, int sign)
{
    sim_service *s = &sim->service;
    sim_deployment *dp = &s->deployments[t->deployment];
    s->n_state[t->state] += sign;
    if (!task_alive(t))
        return;
    dp->alive += sign;
    if (task_active(t)) {
        s->n_active += sign;
        dp->active += sign;
    }
    if (t->state < TASK_RUNNING)
        dp->prestart += sign;
    if (task_run_avail(t)) {
        dp->running_avail += sign;
        s->n_run_avail += sign;
        if (t->healthy) {
            dp->healthy_active += sign;
            s->n_healthy_active += sign;
        }
        if (!sim->sc->service.load_balancer.enable || t->healthy)
            s->n_ready += sign;
    }
    if (t->waiting_capacity)
        s->n_waiting += sign;
}

/* The task lifecycle of reference §2.3 as a table: may a task go from
 * `from` to `to`? Forward only, STOPPED from any live state, and on EKS a
 * crashed container restarts in place (RUNNING -> ACTIVATING, ACTIVATING ->
 * ACTIVATING after the back-off, reference §5.4). */
static bool transition_allowed(task_state from, task_state to)
{
    switch (from) {
    case TASK_PROVISIONING: return to == TASK_PENDING || to == TASK_STOPPED;
    case TASK_PENDING: return to == TASK_ACTIVATING || to == TASK_STOPPED;
    case TASK_ACTIVATING: return to == TASK_ACTIVATING || to == TASK_RUNNING || to == TASK_STOPPED;
    case TASK_RUNNING: return to == TASK_ACTIVATING || to == TASK_DEACTIVATING || to == TASK_STOPPED;
    case TASK_DEACTIVATING: return to == TASK_STOPPING || to == TASK_STOPPED;
    case TASK_STOPPING: return to == TASK_STOPPED;
    case TASK_STOPPED: return false;
    }
    return false;
}

static void act_unlink(ecsim_sim *sim, sim_task *t)
{
    sim_service *s = &sim->service;
    sim_deployment *dp = &s->deployments[t->deployment];
    if (t->act_prev)
        s->tasks[t->act_prev - 1].act_next = t->act_next;
    else
        dp->act_head = t->act_next;
    if (t->act_next)
        s->tasks[t->act_next - 1].act_prev = t->act_prev;
    else
        dp->act_tail = t->act_prev;
    t->act_prev = t->act_next = 0;
}

static void live_unlink(ecsim_sim *sim, sim_task *t)
{
    sim_service *s = &sim->service;
    if (t->live_prev)
        s->tasks[t->live_prev - 1].live_next = t->live_next;
    else
        s->live_head = t->live_next;
    if (t->live_next)
        s->tasks[t->live_next - 1].live_prev = t->live_prev;
    else
        s->live_tail = t->live_prev;
    t->live_prev = t->live_next = 0;
}

static void note_changed(ecsim_sim *sim, sim_task *t)
{
    sim_service *s = &sim->service;
    if (!s->track_changes || t->changed)
        return;
    if (s->changed_count == s->changed_capacity) {
        size_t cap = s->changed_capacity ? s->changed_capacity * 2 : 64;
        int *c = ecsim_reallocarray(s->changed, cap, sizeof *c);
        if (!c) {
            sim->oom = 1;
            return;
        }
        s->changed = c;
        s->changed_capacity = cap;
    }
    t->changed = true;
    s->changed[s->changed_count++] = t->id;
}

/* THE transition function: every change of a task's state, health or stop
 * request goes through here, so the counters, the live and active lists,
 * the victim tree and the changed list stay exact. A transition the
 * lifecycle does not allow, or a stop request withdrawn, is a bug (assert). */
static void task_update(ecsim_sim *sim, sim_task *t, task_state to, bool healthy, bool stop_requested)
{
    sim_service *s = &sim->service;
    assert(t->state == to || transition_allowed(t->state, to));
    assert(!t->stop_requested || stop_requested);
    bool was_active = task_active(t), was_avail = task_run_avail(t), was_alive = task_alive(t);
    task_account(sim, t, -1);
    t->state = to;
    t->healthy = healthy;
    t->stop_requested = stop_requested;
    task_account(sim, t, 1);
    bool avail = task_run_avail(t);
    if (avail != was_avail)
        run_tree_add(s, (size_t)t->id - 1, avail ? 1 : -1);
    if (was_active && !task_active(t))
        act_unlink(sim, t);
    if (was_alive && !task_alive(t)) {
        live_unlink(sim, t);
        if (s->deployments[t->deployment].alive == 0)
            dep_live_remove(s, t->deployment);
        /* Tasks never come back from STOPPED. */
        while (s->first_live < s->task_count && s->tasks[s->first_live].state == TASK_STOPPED)
            s->first_live++;
    }
    note_changed(sim, t);
}

static void task_set_waiting(ecsim_sim *sim, sim_task *t, bool waiting)
{
    task_account(sim, t, -1);
    t->waiting_capacity = waiting;
    task_account(sim, t, 1);
}

void service_track_changes(ecsim_sim *sim) { sim->service.track_changes = true; }

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

size_t service_take_changed(ecsim_sim *sim, const int **ids)
{
    sim_service *s = &sim->service;
    qsort(s->changed, s->changed_count, sizeof *s->changed, cmp_int);
    for (size_t i = 0; i < s->changed_count; i++)
        s->tasks[s->changed[i] - 1].changed = false;
    *ids = s->changed;
    size_t n = s->changed_count;
    s->changed_count = 0;
    return n;
}

static sim_task *task_by_id(ecsim_sim *sim, int id)
{
    assert(id >= 1 && (size_t)id <= sim->service.task_count);
    return &sim->service.tasks[id - 1];
}

sim_deployment *service_primary(ecsim_sim *sim)
{
    return sim->service.primary >= 0 ? &sim->service.deployments[sim->service.primary] : NULL;
}

static bool is_eks(const ecsim_sim *sim) { return sim->sc->service.platform == ECSIM_PLATFORM_EKS; }

/* A task of the revision the service wants now: launched by the PRIMARY
 * deployment, or, while a rollback runs, by a deployment of the same
 * revision and digest that did not fail (those tasks are what the rollback
 * goes back to, so they are kept, not replaced). */
static bool deployment_current(const ecsim_sim *sim, int index)
{
    const sim_service *s = &sim->service;
    if (index == s->primary)
        return true;
    const sim_deployment *own = &s->deployments[index];
    const sim_deployment *p = &s->deployments[s->primary];
    return p->is_rollback && own->rollout != ROLLOUT_FAILED && own->revision == p->revision &&
           strcmp(own->digest, p->digest) == 0;
}

static bool task_current(const ecsim_sim *sim, const sim_task *t)
{
    return deployment_current(sim, t->deployment);
}

/* Walking the active tasks of several deployments as one list in id order:
 * one cursor (the next task id, 0 = done) per deployment with active tasks,
 * merged by id. The cursors live in the service's scratch array: one walk
 * at a time. */

/* Cursors over the deployments that are current (or not), at their oldest
 * (ascending) or youngest active task. Returns how many (0 on OOM). */
static int dep_cursors(ecsim_sim *sim, bool current, bool ascending, int **cur)
{
    sim_service *s = &sim->service;
    if (s->cursor_capacity < s->dep_live_count) {
        int *c = ecsim_reallocarray(s->cursors, s->dep_live_count, sizeof *c);
        if (!c) {
            sim->oom = 1;
            return 0;
        }
        s->cursors = c;
        s->cursor_capacity = s->dep_live_count;
    }
    int n = 0;
    for (size_t i = 0; i < s->dep_live_count; i++) {
        const sim_deployment *d = &s->deployments[s->dep_live[i]];
        if (d->active > 0 && deployment_current(sim, s->dep_live[i]) == current)
            s->cursors[n++] = ascending ? d->act_head : d->act_tail;
    }
    *cur = s->cursors;
    return n;
}

/* The next task over the cursors (smallest id if ascending, else largest),
 * advanced past before it is returned, so the caller may stop it. */
static sim_task *dep_cursors_next(ecsim_sim *sim, int *cur, int n, bool ascending)
{
    int best = -1;
    for (int i = 0; i < n; i++)
        if (cur[i] && (best < 0 || (ascending ? cur[i] < cur[best] : cur[i] > cur[best])))
            best = i;
    if (best < 0)
        return NULL;
    sim_task *t = task_by_id(sim, cur[best]);
    cur[best] = ascending ? t->act_next : t->act_prev;
    return t;
}

int service_last_completed(const ecsim_sim *sim, int before)
{
    for (int i = before; i-- > 0;)
        if (sim->service.deployments[i].rollout == ROLLOUT_COMPLETED)
            return i;
    return -1;
}

/* ---- rolling-update bounds ----------------------------------------------------------- */

void service_rollout_bounds(const ecsim_sim *sim, int desired, int *min_healthy, int *max_tasks)
{
    const ecsim_deployment_spec *dep = &sim->sc->service.deployment;
    if (is_eks(sim)) {
        /* maxSurge rounds up, maxUnavailable rounds down; if both come to
         * 0, maxUnavailable is 1 (reference §5.4, Kubernetes fenceposts). */
        int surge = dep->max_surge.percent ? (int)ceil(desired * dep->max_surge.value / 100.0 - 1e-9)
                                           : (int)dep->max_surge.value;
        int unavailable = dep->max_unavailable.percent
                              ? (int)floor(desired * dep->max_unavailable.value / 100.0 + 1e-9)
                              : (int)dep->max_unavailable.value;
        if (surge == 0 && unavailable == 0)
            unavailable = 1;
        *max_tasks = desired + surge;
        *min_healthy = desired - unavailable > 0 ? desired - unavailable : 0;
        return;
    }
    /* ECS (reference §2.1): at most floor(desired x max%) tasks in
     * RUNNING/STOPPING/PENDING, at least ceil(desired x min%) healthy. */
    *max_tasks = (int)floor(desired * dep->max_percent / 100.0 + 1e-9);
    *min_healthy = (int)ceil(desired * dep->min_healthy_percent / 100.0 - 1e-9);
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

static int new_deployment(ecsim_sim *sim)
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
    dp->rollout = ROLLOUT_IN_PROGRESS;
    dp->rolled_back_from = -1;
    dp->started_s = dp->progress_s = ecsim_engine_now(sim->eng);
    dp->finished_s = NAN;
    const ecsim_circuit_breaker_spec *cb = &sim->sc->service.deployment.circuit_breaker;
    dp->breaker_threshold = service_breaker_threshold(s->desired, cb->min_threshold);
    /* "If a service deployment has at least one successfully running task at
     * the time the service is updated, the circuit breaker logic will not
     * start" (reference §2.2, read literally when skip_if_running is set). */
    if (cb->enable && cb->skip_if_running && service_count(sim, TASK_RUNNING) > 0) {
        dp->breaker_off = true;
        sim_log(sim, "service %s: deployment circuit breaker not started for ecs-svc/%d: a task "
                     "was running when the service was updated (skip_if_running).",
                svc_name(sim), dp->id);
    }
    s->deployment_count++;
    return (int)s->deployment_count - 1;
}

/* The deployment becomes PRIMARY: a new task definition resets the service
 * throttle (reference §2.4 item 4); on EKS the progress deadline starts. */
static void make_primary(ecsim_sim *sim, int index);

/* Rollback (reference §2.2): a new deployment of the last COMPLETED
 * revision, with the digest that revision resolved (the service revision
 * keeps it, reference §2.4 item 6), not whatever its tag points to now. */
static void start_rollback(ecsim_sim *sim, int failed_index)
{
    int good = service_last_completed(sim, failed_index);
    if (good < 0) {
        sim_log(sim, "service %s (deployment ecs-svc/%d): rollback requested but no deployment "
                     "ever COMPLETED; nothing to roll back to.",
                svc_name(sim), sim->service.deployments[failed_index].id);
        return;
    }
    int k = new_deployment(sim);
    if (k < 0) {
        sim->oom = 1;
        return;
    }
    sim_service *s = &sim->service;
    sim_deployment *dp = &s->deployments[k];
    const sim_deployment *to = &s->deployments[good];
    dp->revision = to->revision;
    memcpy(dp->tag, to->tag, sizeof dp->tag);
    memcpy(dp->digest, to->digest, sizeof dp->digest);
    dp->defect = to->defect;
    dp->is_rollback = true;
    dp->rolled_back_from = failed_index;
    sim->summary.rollbacks++;
    sim_log(sim, "service %s (deployment ecs-svc/%d) rolling back to deployment ecs-svc/%d: "
                 "circuit breaker triggered. Started deployment ecs-svc/%d: task definition "
                 "revision %d, image %s:%s (%.19s...).",
            svc_name(sim), s->deployments[failed_index].id, to->id, dp->id, dp->revision,
            registry_repository(sim->registry), dp->tag, dp->digest);
    char label[96];
    snprintf(label, sizeof label, "rollback to %s", dp->tag);
    if (ecsim_timeline_add_marker(sim->timeline, ecsim_engine_now(sim->eng), ECSIM_MARK_ROLLBACK,
                                  label) == ECSIM_ENOMEM)
        sim->oom = 1;
    make_primary(sim, k);
}

/* The deployment state machine: IN_PROGRESS -> COMPLETED or FAILED, once
 * (reference §2.2 rolloutState). Leaving any other state is a bug. */
static void deployment_finish(ecsim_sim *sim, sim_deployment *dp, rollout_state to)
{
    assert(dp->rollout == ROLLOUT_IN_PROGRESS);
    assert(to == ROLLOUT_COMPLETED || to == ROLLOUT_FAILED);
    dp->rollout = to;
    dp->finished_s = ecsim_engine_now(sim->eng);
}

/* rolloutState FAILED: no new tasks for it; rollback when enabled. */
static void deployment_fail(ecsim_sim *sim, sim_deployment *dp, const char *failure)
{
    const ecsim_circuit_breaker_spec *cb = &sim->sc->service.deployment.circuit_breaker;
    int index = (int)(dp - sim->service.deployments);
    deployment_finish(sim, dp, ROLLOUT_FAILED);
    dp->failure = failure;
    if (is_eks(sim))
        sim_log(sim, "deployment %s: condition Progressing=False, reason ProgressDeadlineExceeded: "
                     "ReplicaSet \"%s-%d\" has timed out progressing.",
                svc_name(sim), svc_name(sim), dp->revision);
    else
        sim_log(sim, "service %s (deployment ecs-svc/%d) deployment failed: %s. Circuit breaker: "
                     "%d of %d failed tasks; rolloutState FAILED.",
                svc_name(sim), dp->id, failure, dp->failed_tasks, dp->breaker_threshold);
    sim_deployment_failed(sim, dp);
    /* Kubernetes has no automatic rollback (kubectl rollout undo is manual). */
    if (cb->rollback && !is_eks(sim) && index == sim->service.primary)
        start_rollback(sim, index);
}

/* Stage 1 counts tasks that fail to reach RUNNING, stage 2 (once a task of
 * the deployment ran) health-check failures of its RUNNING tasks; the
 * deployment fails when the count reaches the threshold (reference §2.2).
 * ECS only: Kubernetes has the progress deadline instead (§5.4). */
static void breaker_count_failure(ecsim_sim *sim, sim_deployment *dp, const char *failure)
{
    const ecsim_circuit_breaker_spec *cb = &sim->sc->service.deployment.circuit_breaker;
    if (!cb->enable || dp->breaker_off || is_eks(sim) || dp->rollout != ROLLOUT_IN_PROGRESS)
        return;
    dp->failed_tasks++;
    if (dp->failed_tasks < dp->breaker_threshold)
        return;
    deployment_fail(sim, dp, failure);
}

/* ---- deployments ------------------------------------------------------------------ */

static void progress_check(ecsim_engine *eng, void *ctx, uint64_t index)
{
    ecsim_sim *sim = ctx;
    sim_deployment *dp = &sim->service.deployments[index];
    if (dp->rollout != ROLLOUT_IN_PROGRESS || (int)index != sim->service.primary)
        return;
    double due = dp->progress_s + sim->sc->service.deployment.progress_deadline_s;
    if (ecsim_engine_now(eng) + 1e-9 < due) {
        if (!ecsim_engine_schedule(eng, due, progress_check, sim, index))
            sim->oom = 1;
        return;
    }
    deployment_fail(sim, dp, "ProgressDeadlineExceeded");
}

static void make_primary(ecsim_sim *sim, int index)
{
    sim_service *s = &sim->service;
    s->primary = index;
    s->start_failures = 0;
    s->throttle_delay_s = 0;
    s->next_launch_s = 0;
    s->throttle_announced = false;
    s->steady = false;
    if (is_eks(sim) &&
        !ecsim_engine_schedule_in(sim->eng, sim->sc->service.deployment.progress_deadline_s,
                                  progress_check, sim, (uint64_t)index))
        sim->oom = 1;
    schedule_reconcile(sim, ecsim_engine_now(sim->eng));
}

int service_deploy(ecsim_sim *sim, const char *tag, ecsim_defect defect, bool is_rollback)
{
    sim_service *s = &sim->service;
    int k = new_deployment(sim);
    if (k < 0)
        return k;
    sim_deployment *dp = &s->deployments[k];
    /* Every UpdateService with a new image registers a new task definition
     * revision. */
    int revision = 0;
    for (size_t i = 0; i + 1 < s->deployment_count; i++)
        if (s->deployments[i].revision > revision)
            revision = s->deployments[i].revision;
    dp->revision = revision + 1;
    snprintf(dp->tag, sizeof dp->tag, "%s", tag);
    dp->defect = defect;
    dp->is_rollback = is_rollback;
    /* Tag -> digest resolution at deployment start (reference §2.4 item 6). */
    const registry_image *img = registry_resolve(sim->registry, tag);
    if (img)
        snprintf(dp->digest, sizeof dp->digest, "%s", img->digest);
    if (is_eks(sim))
        sim_log(sim, "deployment %s: rolling update to ReplicaSet \"%s-%d\" (image %s/%s:%s%s%.19s%s).",
                svc_name(sim), svc_name(sim), dp->revision, REGISTRY_HOST, registry_repository(sim->registry),
                tag, img ? " resolved to " : ", tag not found in the registry", img ? img->digest : "",
                img ? "..." : "");
    else
        sim_log(sim, "service %s has started deployment ecs-svc/%d: task definition revision %d, "
                     "image %s/%s:%s%s%s.",
                svc_name(sim), dp->id, dp->revision, REGISTRY_HOST, registry_repository(sim->registry), tag,
                img ? " resolved to " : " (tag not found in the registry)", img ? img->digest : "");
    make_primary(sim, k);
    return 0;
}

/* ---- launching and stopping ---------------------------------------------------------- */

/* Task start times vary (reference §2.5 gives only observed ranges; §8
 * gap 4): with task.start_jitter_cv > 0 each phase's duration is multiplied
 * by a lognormal factor of mean 1 from the stream "service.start"; 0 keeps
 * the times fixed and draws nothing. */
static double start_jitter(ecsim_sim *sim)
{
    double cv = sim->sc->service.task.start_jitter_cv;
    return cv > 0 ? ecsim_rng_lognormal_mean_cv(&sim->rng_start, 1.0, cv) : 1.0;
}

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
    if (run_tree_reserve(s, s->task_count + 1) != 0) {
        sim->oom = 1;
        return NULL;
    }
    sim_task *t = &s->tasks[s->task_count++];
    memset(t, 0, sizeof *t);
    t->id = (int)s->task_count;
    t->pull_started_s = t->running_s = t->stopped_s = NAN;
    return t;
}

static bool az_up(const ecsim_sim *sim, int az)
{
    return !(ecsim_engine_now(sim->eng) < sim->service.az_down_until_s[az]);
}

/* The earliest time a zone comes back, or -1 if one is up now. */
static double zones_back_at(const ecsim_sim *sim)
{
    double back = INFINITY;
    for (int az = 1; az <= sim->sc->service.availability_zones; az++) {
        if (az_up(sim, az))
            return -1;
        back = fmin(back, sim->service.az_down_until_s[az]);
    }
    return back;
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
    /* Into the indexes: the youngest task goes last in both lists. */
    sim_deployment *dp = &s->deployments[t->deployment];
    if (dp->alive == 0 && dep_live_add(s, t->deployment) != 0)
        sim->oom = 1;
    task_account(sim, t, 1);
    t->live_prev = s->live_tail;
    if (s->live_tail)
        s->tasks[s->live_tail - 1].live_next = t->id;
    else
        s->live_head = t->id;
    s->live_tail = t->id;
    t->act_prev = dp->act_tail;
    if (dp->act_tail)
        s->tasks[dp->act_tail - 1].act_next = t->id;
    else
        dp->act_head = t->id;
    dp->act_tail = t->id;
    note_changed(sim, t);
    /* Spread across AZs, the default service placement (reference §3.2),
     * skipping zones that are down (az_outage). */
    int zones = sim->sc->service.availability_zones;
    for (int tries = 0; tries < zones && !az_up(sim, s->next_az); tries++)
        s->next_az = s->next_az % zones + 1;
    t->az = s->next_az;
    s->next_az = s->next_az % zones + 1;
    sim->summary.tasks_started++;
    task_schedule(sim, t, sim->sc->service.task.provisioning_time_s * start_jitter(sim),
                  EV_PROVISIONED);
}

static void update_pending_capacity(ecsim_sim *sim);

static void task_stop_now(ecsim_sim *sim, sim_task *t, const char *stop_code, const char *reason)
{
    if (t->next) {
        ecsim_engine_cancel(sim->eng, t->next);
        t->next = 0;
    }
    if (t->instance > 0) {
        cluster_release(sim->cluster, t->instance, sim->sc->service.task.vcpu,
                        sim->sc->service.task.memory_gb);
        t->instance = 0;
    }
    if (t->waiting_capacity) {
        task_set_waiting(sim, t, false);
        update_pending_capacity(sim);
    }
    t->stopped_s = ecsim_engine_now(sim->eng);
    task_update(sim, t, TASK_STOPPED, false, t->stop_requested);
    t->stop_code = stop_code;
    snprintf(t->stop_reason, sizeof t->stop_reason, "%s", reason);
    scaling_task_stopped(sim, t);
}

/* Begin an orderly stop (scale-in, replacement, failed health checks, Spot
 * notice): drain, then SIGTERM; `stop_code` and `reason` are what the
 * STOPPED task will show. A task not yet RUNNING stops at once. */
static void task_begin_stop(ecsim_sim *sim, sim_task *t, const char *stop_code, const char *reason,
                            double drain_s)
{
    if (t->state < TASK_RUNNING) {
        task_update(sim, t, t->state, t->healthy, true);
        task_stop_now(sim, t, stop_code, reason);
        return;
    }
    if (t->next) {
        ecsim_engine_cancel(sim->eng, t->next);
        t->next = 0;
    }
    task_update(sim, t, TASK_DEACTIVATING, false, true);
    t->pending_stop_code = stop_code;
    snprintf(t->stop_reason, sizeof t->stop_reason, "%s", reason);
    task_schedule(sim, t, drain_s, EV_DEACTIVATED);
}

/* Target deregistration takes the deregistration delay (reference §2.3). */
static double drain_time(const ecsim_sim *sim)
{
    return sim->sc->service.load_balancer.enable
               ? sim->sc->service.load_balancer.deregistration_delay_s
               : 0.0;
}

static void task_scheduler_stop(ecsim_sim *sim, sim_task *t)
{
    task_begin_stop(sim, t, "ServiceSchedulerInitiated", "Scaling activity initiated by deployment",
                    drain_time(sim));
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
    breaker_count_failure(sim, &sim->service.deployments[t->deployment], "tasks failed to start");
    sim_tasks_changed(sim);
    schedule_reconcile(sim, ecsim_engine_now(sim->eng));
}

double service_pull_backoff_s(int retry, double u)
{
    double backoff = PULL_BACKOFF_MIN_S * pow(PULL_BACKOFF_MULT, retry - 1);
    if (backoff > PULL_BACKOFF_MAX_S)
        backoff = PULL_BACKOFF_MAX_S;
    return backoff * (1.0 + PULL_BACKOFF_JITTER * (2.0 * u - 1.0));
}

/* One pull attempt (reference §2.4): not found fails after one attempt;
 * network errors are retried PULL_MAX_RETRIES times with backoff. */
static void task_pull(ecsim_sim *sim, sim_task *t)
{
    const sim_deployment *dp = &sim->service.deployments[t->deployment];
    char reason[320];
    t->pull_attempt++;
    if (!registry_reachable(sim->registry, ecsim_engine_now(sim->eng))) {
        if (t->pull_attempt <= PULL_MAX_RETRIES) {
            double backoff = service_pull_backoff_s(t->pull_attempt, ecsim_rng_uniform(&sim->rng_registry));
            task_schedule(sim, t, backoff, EV_PULL_RETRY);
            return;
        }
        snprintf(reason, sizeof reason,
                 "CannotPullContainerError: pull image manifest has been retried %d time(s): "
                 "failed to do request: Head \"https://%s/v2/%s/manifests/%s\": dial tcp: i/o timeout",
                 PULL_MAX_RETRIES, REGISTRY_HOST, registry_repository(sim->registry), dp->tag);
        task_failed_to_start(sim, t, reason);
        return;
    }
    const registry_image *img = dp->digest[0] ? registry_by_digest(sim->registry, dp->digest) : NULL;
    if (!img) {
        snprintf(reason, sizeof reason,
                 "CannotPullContainerError: pull image manifest has been retried 1 time(s): failed "
                 "to resolve ref %s/%s:%s: not found",
                 REGISTRY_HOST, registry_repository(sim->registry), dp->tag);
        task_failed_to_start(sim, t, reason);
        return;
    }
    /* Fargate pulls the whole image for every task, no layer cache
     * (reference §2.5): pull time = size / pull bandwidth. An EC2 instance
     * or EKS node keeps the last image it pulled: a task of the same image
     * there starts from the cache ("1-5 s on EC2 with cached image", §2.5;
     * MODEL: 1 s to check the manifest). */
    double pull_s = img->size_mb / sim->sc->registry.pull_mb_per_s;
    if (t->instance > 0 && (size_t)t->instance > sim->instance_image_count) {
        size_t n = (size_t)t->instance * 2;
        int *cache = ecsim_reallocarray(sim->instance_image, n, sizeof *cache);
        if (cache) {
            memset(cache + sim->instance_image_count, 0,
                   (n - sim->instance_image_count) * sizeof *cache);
            sim->instance_image = cache;
            sim->instance_image_count = n;
        } else {
            sim->oom = 1;
        }
    }
    int image_index = (int)registry_image_index(sim->registry, img) + 1;
    if (t->instance > 0 && (size_t)t->instance <= sim->instance_image_count) {
        if (sim->instance_image[t->instance - 1] == image_index)
            pull_s = fmin(pull_s, 1.0);
        else
            sim->instance_image[t->instance - 1] = image_index;
    }
    task_schedule(sim, t, pull_s * start_jitter(sim), EV_PULLED);
}

/* ---- EC2 / EKS capacity (cluster.c, reference §3) ----------------------------- */

static void update_pending_capacity(ecsim_sim *sim)
{
    if (!sim->cluster)
        return;
    cluster_set_pending(sim->cluster, sim->service.n_waiting, sim->sc->service.task.vcpu,
                        sim->sc->service.task.memory_gb);
}

/* Place a PENDING task on an instance; false (and the task waits) when no
 * instance has room (reference §2.6, §3.1: the unplaced task raises the
 * CapacityProviderReservation above 100 %). */
static bool task_place(ecsim_sim *sim, sim_task *t)
{
    const ecsim_task_spec *ts = &sim->sc->service.task;
    int az = 0;
    int inst = cluster_place(sim->cluster, ts->vcpu, ts->memory_gb, &az);
    if (inst < 0) {
        if (!t->waiting_capacity) {
            task_set_waiting(sim, t, true);
            char why[200];
            sim_log(sim, "service %s was unable to place a task because no container instance met "
                         "all of its requirements. %s",
                    svc_name(sim), cluster_explain_no_fit(sim->cluster, ts->vcpu, ts->memory_gb, why,
                                                          sizeof why));
            update_pending_capacity(sim);
        }
        return false;
    }
    bool was_waiting = t->waiting_capacity;
    if (was_waiting)
        task_set_waiting(sim, t, false);
    t->instance = inst;
    t->az = az;
    if (was_waiting)
        update_pending_capacity(sim);
    return true;
}

/* An instance registered: place the waiting tasks, oldest first. */
static void on_cluster_capacity(void *ctx)
{
    ecsim_sim *sim = ctx;
    double now = ecsim_engine_now(sim->eng);
    int next_id = sim->service.n_waiting > 0 ? sim->service.live_head : 0;
    while (next_id) {
        sim_task *t = task_by_id(sim, next_id);
        next_id = t->live_next; /* a failed pull below unlinks t */
        if (!t->waiting_capacity)
            continue;
        if (!task_place(sim, t))
            break;
        t->pull_started_s = now;
        task_pull(sim, t);
    }
    sim_tasks_changed(sim);
    schedule_reconcile(sim, now);
}

static void on_cluster_lost(void *ctx, int instance_id)
{
    service_instance_lost(ctx, instance_id);
}

static void on_cluster_log(void *ctx, const char *message)
{
    sim_log(ctx, "%s", message);
}

int service_cluster_create(ecsim_sim *sim)
{
    const ecsim_service_spec *ss = &sim->sc->service;
    if (ss->platform == ECSIM_PLATFORM_FARGATE || sim->cluster)
        return 0;
    cluster_callbacks cb = {on_cluster_capacity, on_cluster_lost, on_cluster_log};
    /* The scenario's OBS / MODEL overrides (0 = the platform's default). */
    const ecsim_managed_scaling_spec *ms = &ss->cluster.managed_scaling;
    cluster_config cfg = cluster_config_defaults(ss->platform);
    if (ms->alarm_high_datapoints > 0)
        cfg.alarm_high_datapoints = ms->alarm_high_datapoints;
    if (ms->alarm_low_datapoints > 0)
        cfg.alarm_low_datapoints = ms->alarm_low_datapoints;
    if (ms->scale_in_max_percent > 0)
        cfg.scale_in_max_percent = ms->scale_in_max_percent;
    if (ms->replacement_delay_s > 0)
        cfg.replacement_delay_s = ms->replacement_delay_s;
    if (ms->scale_down_unneeded_s > 0)
        cfg.scale_down_unneeded_s = ms->scale_down_unneeded_s;
    if (ms->scale_down_delay_after_add_s > 0)
        cfg.scale_down_delay_after_add_s = ms->scale_down_delay_after_add_s;
    sim->cluster = cluster_create(&ss->cluster, ss->platform, ss->availability_zones, sim->seed,
                                  sim->eng, &cfg, &cb, sim);
    return sim->cluster ? 0 : ECSIM_ENOMEM;
}

void service_instance_lost(ecsim_sim *sim, int instance_id)
{
    int lost = 0;
    for (int id = sim->service.live_head; id;) {
        sim_task *t = task_by_id(sim, id);
        id = t->live_next;
        if (t->instance != instance_id)
            continue;
        t->instance = 0; /* the instance is gone: nothing to release */
        task_stop_now(sim, t, "TerminationNotice",
                      "Task stopped: its container instance was terminated");
        lost++;
    }
    if (lost > 0) {
        sim->summary.tasks_replaced += lost;
        sim_log(sim, "instance i-%04d lost: %d task%s on it stopped (TerminationNotice); the scheduler "
                     "replaces them.",
                instance_id, lost, lost == 1 ? "" : "s");
        sim_tasks_changed(sim);
    }
    schedule_reconcile(sim, ecsim_engine_now(sim->eng));
}

static void task_event(ecsim_engine *eng, void *ctx, uint64_t arg)
{
    ecsim_sim *sim = ctx;
    sim_task *t = task_by_id(sim, (int)(uint32_t)arg);
    enum task_event kind = (enum task_event)(arg >> 32);
    const ecsim_task_spec *ts = &sim->sc->service.task;
    const ecsim_load_balancer_spec *lb = &sim->sc->service.load_balancer;
    double now = ecsim_engine_now(eng);
    sim_deployment *dp = &sim->service.deployments[t->deployment];
    t->next = 0;
    switch (kind) {
    case EV_PROVISIONED:
        task_update(sim, t, TASK_PENDING, t->healthy, t->stop_requested);
        if (sim->cluster && !task_place(sim, t))
            break; /* waits for capacity */
        t->pull_started_s = now; /* Fargate billing starts here (reference §6) */
        task_pull(sim, t);
        break;
    case EV_PULL_RETRY:
        assert(t->state == TASK_PENDING);
        task_pull(sim, t);
        break;
    case EV_PULLED:
        assert(t->state == TASK_PENDING);
        task_schedule(sim, t, ts->start_time_s * start_jitter(sim), EV_STARTED);
        break;
    case EV_STARTED:
        assert(t->state == TASK_PENDING || (t->state == TASK_ACTIVATING && t->restarts > 0));
        task_update(sim, t, TASK_ACTIVATING, t->healthy, t->stop_requested);
        task_schedule(sim, t, ts->activating_time_s, EV_ACTIVATED);
        break;
    case EV_ACTIVATED: {
        assert(t->state == TASK_ACTIVATING);
        task_update(sim, t, TASK_RUNNING, t->healthy, t->stop_requested);
        t->running_s = now;
        dp->breaker_stage2 = true; /* stage 2 once a task is RUNNING (reference §2.2) */
        /* Tasks that reach RUNNING end a run of start failures (reference §2.4 item 4). */
        sim->service.start_failures = 0;
        sim->service.throttle_delay_s = 0;
        const char *note = lb->enable ? "registering with the target group"
                                      : "healthy in 40 s (no load balancer)";
        if (dp->defect == ECSIM_DEFECT_CRASH) {
            task_schedule(sim, t, CRASH_AFTER_S, EV_CRASHED);
            note = "its essential container is about to exit (defect: crash)";
        } else if (dp->defect == ECSIM_DEFECT_UNHEALTHY) {
            /* Health checks count after the grace period (reference §2.1):
             * unhealthy threshold x interval behind a load balancer, the
             * container check's retries x interval without one. */
            double checks = lb->enable ? lb->unhealthy_threshold * lb->health_check_interval_s
                                       : CONTAINER_HC_RETRIES * CONTAINER_HC_INTERVAL_S;
            if (!is_eks(sim))
                task_schedule(sim, t, ts->health_check_grace_s + checks, EV_UNHEALTHY);
            /* On EKS a failing readiness probe keeps the pod out of
             * service; nothing replaces it (the rollout stalls, §5.4). */
            note = is_eks(sim) ? "readiness probe failing: the pod never becomes Ready"
                               : "failing its health checks (defect: unhealthy)";
        } else {
            double healthy_after = lb->enable ? lb->health_check_interval_s * lb->healthy_threshold
                                              : HEALTHY_WITHOUT_LB_S;
            task_schedule(sim, t, healthy_after, EV_HEALTHY);
        }
        if (t->restarts == 0)
            sim_log(sim, "task %d RUNNING (deployment ecs-svc/%d, AZ %d): pulled %.0f MB, %s", t->id,
                    dp->id, t->az, sim->sc->image.size_mb, note);
        break;
    }
    case EV_HEALTHY:
        assert(t->state == TASK_RUNNING);
        task_update(sim, t, TASK_RUNNING, true, t->stop_requested);
        if (task_current(sim, t))
            dp->progress_s = now; /* a new pod became available: progress (§5.4) */
        break;
    case EV_CRASHED:
        assert(t->state == TASK_RUNNING);
        if (is_eks(sim)) {
            /* The kubelet restarts the container in place with a back-off
             * of 10 s doubling to 300 s: CrashLoopBackOff (reference §5.4). */
            t->restarts++;
            double backoff = K8S_BACKOFF_INITIAL_S * pow(2.0, t->restarts - 1);
            if (backoff > K8S_BACKOFF_MAX_S || !isfinite(backoff))
                backoff = K8S_BACKOFF_MAX_S;
            task_update(sim, t, TASK_ACTIVATING, false, t->stop_requested);
            sim_log(sim, "pod %s-%d (task %d): container exited with code 1, restart %d; "
                         "Back-off restarting failed container (CrashLoopBackOff): next start in %.0f s.",
                    svc_name(sim), dp->revision, t->id, t->restarts, backoff);
            if (t->restarts == 1)
                sim_task_failed(sim, t);
            task_schedule(sim, t, backoff, EV_STARTED);
            break;
        }
        /* RUNNING, then the essential container exits: the scheduler
         * replaces the task; no throttle (reference §2.4 item 4). */
        task_stop_now(sim, t, "EssentialContainerExited", "Essential container in task exited");
        sim_log(sim, "task %d stopped (EssentialContainerExited): Essential container in task "
                     "exited (exit code 1).",
                t->id);
        sim_task_failed(sim, t);
        breaker_count_failure(sim, dp, "tasks failed to start");
        break;
    case EV_UNHEALTHY: {
        assert(t->state == TASK_RUNNING);
        char reason[200];
        if (lb->enable) {
            snprintf(reason, sizeof reason,
                     "Task failed ELB health checks in (target-group arn:aws:elasticloadbalancing:"
                     "us-east-1:123456789012:targetgroup/%s/0123456789abcdef)", svc_name(sim));
            sim_log(sim, "service %s (task %d) is unhealthy in (target-group %s) due to (reason "
                         "Target has failed at least the UnhealthyThreshold number of health "
                         "checks consecutively.)",
                    svc_name(sim), t->id, svc_name(sim));
        } else {
            snprintf(reason, sizeof reason, "Task failed container health checks");
            sim_log(sim, "service %s (task %d) is unhealthy: (reason the essential container's "
                         "health check failed %d times in a row.)",
                    svc_name(sim), t->id, CONTAINER_HC_RETRIES);
        }
        task_begin_stop(sim, t, "ServiceSchedulerInitiated", reason, drain_time(sim));
        sim_task_failed(sim, t);
        breaker_count_failure(sim, dp, "tasks failed health checks");
        break;
    }
    case EV_DEACTIVATED:
        task_update(sim, t, TASK_STOPPING, t->healthy, t->stop_requested);
        task_schedule(sim, t, fmin(STOPPING_TIME_S, ts->stop_timeout_s), EV_STOPPED);
        break;
    case EV_STOPPED: {
        assert(t->state == TASK_STOPPING);
        char reason[sizeof t->stop_reason];
        snprintf(reason, sizeof reason, "%s", t->stop_reason);
        task_stop_now(sim, t, t->pending_stop_code ? t->pending_stop_code : "ServiceSchedulerInitiated",
                      reason[0] ? reason : "Scaling activity initiated by deployment");
        break;
    }
    }
    sim_tasks_changed(sim);
    events_check_settled(sim);
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
    double now = ecsim_engine_now(sim->eng);
    if (at_s < now)
        at_s = now;
    if (s->reconcile_event) {
        if (s->reconcile_at_s <= at_s)
            return; /* one pass covers every change up to then */
        /* An earlier pass is wanted (e.g. a new revision while throttled). */
        ecsim_engine_cancel(sim->eng, s->reconcile_event);
    }
    s->reconcile_at_s = at_s;
    s->reconcile_event = ecsim_engine_schedule(sim->eng, at_s, reconcile_event, sim, 0);
    if (!s->reconcile_event)
        sim->oom = 1;
}

/* A token bucket of `cap` tokens refilled at `rate` per second: take one,
 * or say when the next one is due. The tolerance absorbs rounding in the
 * refill: without it a bucket at 0.9999999 would retry at a time that
 * rounds back to now, forever. */
static bool bucket_take(double *tokens, double *at_s, double cap, double rate, double now,
                        double *retry_at)
{
    *tokens = fmin(cap, *tokens + (now - *at_s) * rate);
    *at_s = now;
    if (*tokens >= 1.0 - 1e-9) {
        *tokens = fmax(0.0, *tokens - 1.0);
        return true;
    }
    *retry_at = fmin(*retry_at, now + fmax((1.0 - *tokens) / rate, 1e-6));
    return false;
}

/* The service scheduler's own pace (reference §2.5: at most 500 tasks per
 * minute per service on Fargate, 250 on EC2); EKS has no such limit. */
static double scheduler_tasks_per_minute(const ecsim_sim *sim)
{
    const ecsim_service_spec *ss = &sim->sc->service;
    if (ss->launch_limits.tasks_per_minute > 0)
        return ss->launch_limits.tasks_per_minute;
    return ss->platform == ECSIM_PLATFORM_FARGATE ? 500 : ss->platform == ECSIM_PLATFORM_EC2 ? 250 : 0;
}

/* task.vcpu added once per live task, in the order a scan would add it (so
 * the sum is the same double as ever): memoised sums of k terms. */
static double vcpu_in_use(ecsim_sim *sim)
{
    sim_service *s = &sim->service;
    size_t alive = (size_t)(s->task_count - (size_t)s->n_state[TASK_STOPPED]);
    while (s->vcpu_sums_count <= alive) {
        if (s->vcpu_sums_count == s->vcpu_sums_capacity) {
            size_t cap = s->vcpu_sums_capacity ? s->vcpu_sums_capacity * 2 : 64;
            double *v = ecsim_reallocarray(s->vcpu_sums, cap, sizeof *v);
            if (!v) {
                sim->oom = 1;
                return (double)alive * sim->sc->service.task.vcpu;
            }
            s->vcpu_sums = v;
            s->vcpu_sums_capacity = cap;
        }
        size_t k = s->vcpu_sums_count++;
        s->vcpu_sums[k] = k == 0 ? 0.0 : s->vcpu_sums[k - 1] + sim->sc->service.task.vcpu;
    }
    return s->vcpu_sums[alive];
}

/* May one more task launch now? Fargate's account token bucket (burst 100,
 * 20 per second, §2.5), the scheduler's per-minute pace, and the account's
 * Fargate vCPU quota (§2.6: "You've reached the limit on the number of vCPUs
 * you can run concurrently"; MODEL: ECS tries again a minute later). */
static bool may_launch(ecsim_sim *sim, double *retry_at)
{
    sim_service *s = &sim->service;
    const ecsim_service_spec *ss = &sim->sc->service;
    const ecsim_launch_limits_spec *ll = &ss->launch_limits;
    double now = ecsim_engine_now(sim->eng);
    bool fargate = ss->platform == ECSIM_PLATFORM_FARGATE;
    if (fargate && ll->vcpu_quota > 0) {
        double vcpus = vcpu_in_use(sim);
        if (vcpus + ss->task.vcpu > ll->vcpu_quota + 1e-9) {
            if (!s->quota_announced) {
                s->quota_announced = true;
                sim_log(sim, "service %s was unable to place a task. Reason: You've reached the limit "
                             "on the number of vCPUs you can run concurrently (quota %g vCPU, %g in use).",
                        svc_name(sim), ll->vcpu_quota, vcpus);
                ecsim_timeline_add_marker(sim->timeline, now, "quota_limit", "vCPU quota reached");
            }
            *retry_at = fmin(*retry_at, now + 60.0);
            return false;
        }
    }
    double per_minute = scheduler_tasks_per_minute(sim);
    /* Check without taking first, so a refusal by one bucket costs no token of the other. */
    double t1 = s->tokens, a1 = s->tokens_at_s, t2 = s->sched_tokens, a2 = s->sched_tokens_at_s;
    bool ok = (!fargate || bucket_take(&t1, &a1, ll->fargate_burst, ll->fargate_rate_per_s, now, retry_at)) &&
              (per_minute <= 0 || bucket_take(&t2, &a2, per_minute, per_minute / 60.0, now, retry_at));
    if (ok) {
        s->tokens = t1;
        s->tokens_at_s = a1;
        s->sched_tokens = t2;
        s->sched_tokens_at_s = a2;
        s->quota_announced = false;
    }
    return ok;
}

/* "service X has stopped N running tasks: (task a) (task b)." */
static void log_stopped(ecsim_sim *sim, const int *ids, int n)
{
    char list[256] = "";
    size_t len = 0;
    for (int i = 0; i < n && len < sizeof list - 16; i++)
        len += (size_t)snprintf(list + len, sizeof list - len, " (task %d)", ids[i]);
    sim_log(sim, "service %s has stopped %d running tasks:%s.", svc_name(sim), n, list);
}

/* Scale-in on EC2 / EKS: the cluster picks the victims by the placement
 * strategy (reference §3.2: binpack frees the emptiest instance, spread
 * keeps the zones balanced). Returns how many tasks it stopped; 0 (the
 * caller falls back to youngest first) if memory ran out. */
static int stop_cluster_victims(ecsim_sim *sim, int k)
{
    sim_service *s = &sim->service;
    const ecsim_task_spec *ts = &sim->sc->service.task;
    cluster_task_ref *refs = ecsim_reallocarray(NULL, s->task_count ? s->task_count : 1, sizeof *refs);
    int *chosen = ecsim_reallocarray(NULL, (size_t)k, sizeof *chosen);
    int n = 0, stopped = 0;
    if (refs && chosen) {
        /* The active tasks of the current revision, oldest first. */
        int *cur;
        int nc = dep_cursors(sim, true, true, &cur);
        for (const sim_task *t; (t = dep_cursors_next(sim, cur, nc, true)) != NULL;)
            refs[n++] = (cluster_task_ref){t->id, t->instance, ts->vcpu, ts->memory_gb};
        int got = cluster_choose_victims(sim->cluster, refs, n, k, chosen);
        for (int i = 0; i < got; i++) {
            sim_task *t = task_by_id(sim, refs[chosen[i]].task_id);
            task_scheduler_stop(sim, t);
            log_stopped(sim, &t->id, 1);
            stopped++;
        }
    }
    ecsim_free(refs);
    ecsim_free(chosen);
    return stopped;
}

static void service_reconcile(ecsim_sim *sim)
{
    sim_service *s = &sim->service;
    sim_deployment *dp = service_primary(sim);
    if (!s->provisioned || !dp)
        return;
    double now = ecsim_engine_now(sim->eng);

    int n_primary = 0, n_old = 0, old_unhealthy = 0;
    for (size_t i = 0; i < s->dep_live_count; i++) {
        const sim_deployment *d = &s->deployments[s->dep_live[i]];
        if (deployment_current(sim, s->dep_live[i])) {
            n_primary += d->active;
        } else {
            n_old += d->active;
            old_unhealthy += d->active - d->healthy_active;
        }
    }
    int alive = (int)s->task_count - s->n_state[TASK_STOPPED];
    int healthy = s->n_healthy_active;
    int in_flight = alive - healthy;

    int min_healthy, max_tasks;
    service_rollout_bounds(sim, s->desired, &min_healthy, &max_tasks);

    /* Stop surplus tasks: old revisions first (as long as enough stay
     * healthy: health checks gate the rollout), then current tasks beyond
     * desired, youngest first. */
    int can_stop = healthy - min_healthy;
    int stopped[32], n_stopped = 0, old_stopped = 0;
    int *cur = NULL;
    int nc = n_old > 0 ? dep_cursors(sim, false, false, &cur) : 0;
    for (sim_task *t; n_old > 0 && (t = dep_cursors_next(sim, cur, nc, false)) != NULL;) {
        bool counts_healthy = t->state == TASK_RUNNING && t->healthy;
        if (counts_healthy && can_stop <= 0) {
            if (old_unhealthy == 0)
                break; /* only healthy old tasks left, and none may stop */
            continue;
        }
        if (counts_healthy)
            can_stop--;
        else
            old_unhealthy--;
        bool was_running = t->state == TASK_RUNNING;
        task_scheduler_stop(sim, t);
        n_old--;
        old_stopped++;
        if (was_running && n_stopped < 32)
            stopped[n_stopped++] = t->id;
    }
    if (n_stopped > 0)
        log_stopped(sim, stopped, n_stopped);
    if (sim->cluster && n_primary > s->desired)
        n_primary -= stop_cluster_victims(sim, n_primary - s->desired);
    nc = n_primary > s->desired ? dep_cursors(sim, true, false, &cur) : 0;
    for (sim_task *t; n_primary > s->desired && (t = dep_cursors_next(sim, cur, nc, false)) != NULL;) {
        task_scheduler_stop(sim, t);
        n_primary--;
        log_stopped(sim, &t->id, 1);
    }

    /* Launch towards desired. */
    if (dp->rollout == ROLLOUT_FAILED)
        return; /* no new tasks for a FAILED deployment (reference §2.2) */
    int want = s->desired - n_primary;
    int room = max_tasks - alive;
    if (room < want && n_old == 0)
        room = want; /* no rolling update under way: plain scaling */
    int launch = want < room ? want : room;
    if (launch <= 0) {
        /* Neither bound lets the rollout move and nothing is in flight
         * that could change that (reference §2.1, [D7]). */
        if (n_old > 0 && want > 0 && old_stopped == 0 && in_flight == 0 && !dp->stuck_announced) {
            dp->stuck_announced = true;
            sim_log(sim, "service %s was unable to stop or start tasks during a deployment because "
                         "of the service deployment configuration. Update the minimumHealthyPercent "
                         "or maximumPercent value and try again.",
                    svc_name(sim));
            sim_set_deployment_state(sim, "Stuck (min/max)");
        }
        return;
    }
    double back = zones_back_at(sim);
    if (back >= 0) {
        schedule_reconcile(sim, back); /* every zone is down */
        return;
    }
    if (now < s->next_launch_s) {
        schedule_reconcile(sim, s->next_launch_s);
        return;
    }
    if (s->start_failures > 0) {
        /* Throttled: one attempt at a time until a task starts; the next
         * waits for this one to fail or run. */
        if (s->deployments[s->primary].prestart > 0)
            return;
        launch = 1;
    }
    int launched = 0;
    double retry_at = INFINITY;
    while (launched < launch) {
        if (!may_launch(sim, &retry_at))
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
    sim->service.sched_tokens = scheduler_tasks_per_minute(sim);
    sim->service.sched_tokens_at_s = ecsim_engine_now(sim->eng);
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
 * current revision has `desired` healthy tasks and no task of another
 * revision is left (reference §2.2 rolloutState COMPLETED). */
void service_check_rollout(ecsim_sim *sim)
{
    sim_service *s = &sim->service;
    sim_deployment *dp = service_primary(sim);
    if (!dp || dp->rollout != ROLLOUT_IN_PROGRESS)
        return;
    int healthy = 0, old_alive = 0;
    for (size_t i = 0; i < s->dep_live_count; i++) {
        const sim_deployment *d = &s->deployments[s->dep_live[i]];
        if (deployment_current(sim, s->dep_live[i]))
            healthy += d->healthy_active;
        else
            old_alive += d->alive;
    }
    if (healthy >= s->desired && old_alive == 0) {
        deployment_finish(sim, dp, ROLLOUT_COMPLETED);
        if (is_eks(sim))
            sim_log(sim, "deployment %s: successfully rolled out (ReplicaSet \"%s-%d\", %d pods ready).",
                    svc_name(sim), svc_name(sim), dp->revision, healthy);
        else
            sim_log(sim, "service %s (deployment ecs-svc/%d) deployment completed.", svc_name(sim), dp->id);
        sim_deployment_completed(sim, dp);
    }
}

/* ---- faults ------------------------------------------------------------------------------ */

/* The `nth` (0-based) RUNNING task that still counts towards desired. */
static sim_task *nth_running(ecsim_sim *sim, int *count_out, uint64_t nth)
{
    sim_service *s = &sim->service;
    if (count_out)
        *count_out = s->n_run_avail;
    if (nth >= (uint64_t)s->n_run_avail)
        return NULL;
    sim_task *t = &s->tasks[run_tree_find(s, (int)nth)];
    assert(task_run_avail(t));
    return t;
}

/* A random RUNNING task (victims of kill_tasks and Spot), or NULL. */
static sim_task *random_running(ecsim_sim *sim)
{
    int n;
    nth_running(sim, &n, UINT64_MAX);
    if (n == 0)
        return NULL;
    return nth_running(sim, NULL, ecsim_rng_below(&sim->rng_events, (uint64_t)n));
}

int service_kill_tasks(ecsim_sim *sim, int count)
{
    int killed = 0;
    sim_task *t;
    while (killed < count && (t = random_running(sim)) != NULL) {
        /* A killed process is an essential container that exited (SIGKILL,
         * exit code 137): stopCode EssentialContainerExited (reference §2.3). */
        task_stop_now(sim, t, "EssentialContainerExited", "Essential container in task exited");
        sim_log(sim, "task %d stopped (EssentialContainerExited): Essential container in task exited "
                     "(exit code 137: killed).",
                t->id);
        sim->summary.tasks_replaced++;
        killed++;
    }
    if (killed > 0) {
        sim_tasks_changed(sim);
        schedule_reconcile(sim, ecsim_engine_now(sim->eng));
    }
    return killed;
}

int service_az_outage(ecsim_sim *sim, int az, double until_s)
{
    sim_service *s = &sim->service;
    if (az < 1 || az > sim->sc->service.availability_zones)
        return 0;
    if (until_s > s->az_down_until_s[az])
        s->az_down_until_s[az] = until_s;
    int lost = 0;
    for (int id = s->live_head; id;) {
        sim_task *t = task_by_id(sim, id);
        id = t->live_next;
        if (t->az != az)
            continue;
        /* MODEL: the reference has no stop code for a lost zone; the
         * infrastructure notice is the closest (reference §2.3). */
        task_stop_now(sim, t, "TerminationNotice",
                      "Task stopped: its availability zone became unavailable");
        lost++;
    }
    s->next_az = az % sim->sc->service.availability_zones + 1;
    sim->summary.tasks_replaced += lost;
    if (lost > 0)
        sim_tasks_changed(sim);
    schedule_reconcile(sim, ecsim_engine_now(sim->eng));
    return lost;
}

int service_spot_interruption(ecsim_sim *sim, int count)
{
    int hit = 0;
    sim_task *t;
    while (hit < count && (t = random_running(sim)) != NULL) {
        /* Two-minute notice: SIGTERM and deregistration now, STOPPED with
         * SpotInterruption two minutes later; the scheduler starts the
         * replacement at the notice (MODEL). */
        task_begin_stop(sim, t, "SpotInterruption", "Your Spot Task was interrupted.",
                        SPOT_NOTICE_S - fmin(STOPPING_TIME_S, sim->sc->service.task.stop_timeout_s));
        sim_log(sim, "task %d received a Fargate Spot interruption notice: SIGTERM now, "
                     "stopped (SpotInterruption) in 2 minutes.",
                t->id);
        sim->summary.tasks_replaced++;
        hit++;
    }
    if (hit > 0) {
        sim_tasks_changed(sim);
        schedule_reconcile(sim, ecsim_engine_now(sim->eng));
    }
    return hit;
}
