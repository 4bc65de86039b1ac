/* The ECS service: its tasks, its deployments and the service scheduler.
 * Under Kubernetes rules (service_rules.kubernetes, EKS) the same machinery
 * is a Deployment's pods and ReplicaSets and speaks Kubernetes in the log:
 * pods named NAME-HASH-xxxxx, kubelet events (Pulling image, Successfully
 * pulled image, ErrImagePull, Back-off restarting failed container),
 * FailedScheduling, ReplicaSet scaling (reference §5.4); ECS keeps the
 * service event wording of §2.6.
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
 * Images on EC2 instances and EKS nodes (reference §2.5b, "images on
 * instances" below): an image is cached on an instance when its pull
 * completes; tasks placed there while that pull runs wait for it and start
 * with it; ECS_IMAGE_PULL_BEHAVIOR (ECS) or imagePullPolicy (EKS) decides
 * whether a task pulls an image the instance already has, and what a failed
 * pull does. Fargate pulls the whole image for every task (§2.5).
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
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "service.h"

#include "ecsim/alloc.h"
#include "ecsim/error.h"
#include "ecsim/output.h"
#include "ecsim/rng.h"

/* The images on one EC2 instance or EKS node (reference §2.5b): the ones
 * whose pull completed there, and the pulls in flight. A run pushes a
 * handful of images, so a short array searched linearly is the right size;
 * the agent's cleanup of unused images (ECS_IMAGE_CLEANUP_INTERVAL, 30 min;
 * ECS_IMAGE_MINIMUM_CLEANUP_AGE, 1 h) is not modelled: an image stays. */
typedef struct node_images {
    int *cached;              /* registry index + 1 of each image pulled here */
    int cached_count, cached_capacity;
    int pulls;                /* index + 1 of its first pull in flight, 0 = none */
} node_images;

/* One pull of one image in flight on one instance. Every task placed there
 * that needs the image waits for it, the task whose start began it too:
 * Docker deduplicates concurrent pulls of the same layers and the image is
 * cached when the pull completes, not when it starts (reference §2.5b).
 * Waiters are chained through service_task.pull_next in arrival order; a
 * task that stops while waiting clears its pull_wait and is skipped when
 * the chain is walked, so joining and leaving cost O(1) and the walk at the
 * end O(tasks that joined). */
typedef struct image_pull {
    int instance;             /* 0: a free record */
    int image;                /* registry index + 1 */
    int attempt;              /* attempts so far (reference §2.4 item 3) */
    bool check_only;          /* the image is on the instance: a manifest check */
    bool downloading;         /* the registry answered: the next PULL_DONE is a success */
    int first_task;           /* whose start began it (the messages) */
    double started_s;
    int waiter_head, waiter_tail; /* task ids */
    int next;                 /* next pull on the instance, or next free record: index + 1 */
    ecsim_event_id event;     /* its pending retry or end, 0 if none */
} image_pull;

struct service {
    const ecsim_scenario *sc;
    ecsim_engine *eng;
    registry *registry;
    service_rules rules;      /* the platform's rules for the scheduler */
    const service_platform *platform; /* NULL on Fargate */
    void *platform_ctx;
    service_callbacks cb;
    void *cb_ctx;
    /* Random streams (common random numbers, DESIGN.md "engine"): each
     * task has its own start-time stream (service_task.rng_start); a pull
     * retry's jitter is member (task id, attempt) of "registry.pull"; each
     * kill_tasks / spot_interruption fault draws its victims from its own
     * member of "events.faults" (by the fault's ordinal). */
    uint64_t seed;
    uint64_t fault_calls;     /* faults that drew victims so far */
    service_stats stats;
    int oom;
    /* ec2 / eks: the images on each instance and the pulls in flight there
     * (reference §2.5b; "images on instances" below). */
    struct node_images *nodes; /* by instance id - 1 */
    size_t node_count;
    struct image_pull *pulls;  /* records; free ones chained by `next` from pull_free */
    size_t pull_count;
    int pull_free;             /* index + 1 of the first free record, 0 = none */

    int desired;
    service_task *tasks;      /* every task ever launched, by id - 1 */
    size_t task_count, task_capacity;
    size_t first_live;        /* tasks before this index are all STOPPED */
    service_deployment *deployments;
    size_t deployment_count, deployment_capacity;
    int primary;              /* index of the PRIMARY deployment, -1 before the first */
    bool provisioned;
    /* Service throttle (reference §2.4 item 4): consecutive start failures
     * lengthen the wait before the next launch, up to 15 minutes. */
    int start_failures;
    double throttle_delay_s;
    double next_launch_s;
    bool throttle_announced;
    /* Fargate launch token bucket (reference §2.5). */
    double tokens;
    double tokens_at_s;
    /* The service scheduler's launches per minute (reference §2.5). */
    double sched_tokens;
    double sched_tokens_at_s;
    bool quota_announced;     /* the vCPU quota message of this blocked spell is logged */
    ecsim_event_id reconcile_event;
    double reconcile_at_s;    /* when reconcile_event fires */
    int next_az;
    double az_down_until_s[11]; /* az_outage: zone (1-based) unavailable before this time */

    /* Counters over every task, kept by task_update only. */
    int n_state[TASK_STOPPED + 1];
    int n_active;             /* count towards desired */
    int n_ready;              /* RUNNING, not chosen to stop, healthy if behind a load balancer */
    int n_healthy_active;     /* RUNNING, healthy, not chosen to stop */
    int n_run_avail;          /* RUNNING, not chosen to stop (fault victims) */
    int n_waiting;            /* alive and waiting for capacity */
    int live_head, live_tail; /* the live list (ids) */
    int *run_tree;            /* Fenwick tree over task index: RUNNING, not chosen to stop */
    size_t run_tree_size;
    int *dep_live;            /* deployments with alive tasks (indexes, any order) */
    size_t dep_live_count, dep_live_capacity;
    int *cursors;             /* scratch: one walk over several deployments */
    size_t cursor_capacity;
    double *vcpu_sums;        /* vcpu_sums[k]: task.vcpu added k times (the quota check) */
    size_t vcpu_sums_count, vcpu_sums_capacity;
    char **reasons;           /* interned stop reasons: open addressing, NULL = empty */
    size_t reason_slots, reason_count;
    bool track_changes;       /* collect the tasks whose state changed */
    int *changed;             /* ids, unsorted, each once */
    size_t changed_count, changed_capacity;
};

/* ---- stop reasons ------------------------------------------------------------------ */

/* A run has a handful of distinct stop reasons (one per failure kind and
 * tag) but may stop tens of thousands of tasks: each task points at one
 * interned copy. Returns "" (and flags OOM) if memory runs out. */
static uint64_t reason_hash(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        h = (h ^ *p) * 1099511628211ull;
    return h;
}

static const char *intern_reason(service *sv, const char *text)
{
    if (!text[0])
        return "";
    if ((sv->reason_count + 1) * 2 > sv->reason_slots) {
        size_t slots = sv->reason_slots ? sv->reason_slots * 2 : 16;
        char **table = ecsim_calloc(slots, sizeof *table);
        if (!table) {
            sv->oom = 1;
            return "";
        }
        for (size_t i = 0; i < sv->reason_slots; i++) {
            if (!sv->reasons[i])
                continue;
            size_t j = (size_t)reason_hash(sv->reasons[i]) & (slots - 1);
            while (table[j])
                j = (j + 1) & (slots - 1);
            table[j] = sv->reasons[i];
        }
        ecsim_free(sv->reasons);
        sv->reasons = table;
        sv->reason_slots = slots;
    }
    size_t mask = sv->reason_slots - 1, j = (size_t)reason_hash(text) & mask;
    for (; sv->reasons[j]; j = (j + 1) & mask)
        if (strcmp(sv->reasons[j], text) == 0)
            return sv->reasons[j];
    char *copy = ecsim_strdup(text);
    if (!copy) {
        sv->oom = 1;
        return "";
    }
    sv->reasons[j] = copy;
    sv->reason_count++;
    return copy;
}

/* ---- reporting to the owner ------------------------------------------------------ */

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void svc_log(service *sv, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    ecsim_vemit_line(sv->cb.log, sv->cb_ctx, fmt, ap);
    va_end(ap);
}

static void svc_marker(service *sv, const char *kind, const char *label)
{
    if (sv->cb.marker)
        sv->cb.marker(sv->cb_ctx, kind, label);
}

static void notify_changed(service *sv)
{
    if (sv->cb.tasks_changed)
        sv->cb.tasks_changed(sv->cb_ctx);
}

/* A task failed after RUNNING (crash, failed health checks): counted as
 * replaced if it is gone or going, and reported. */
static void task_failed(service *sv, const service_task *t)
{
    if (t->state == TASK_STOPPED || t->stop_requested)
        sv->stats.tasks_replaced++;
    if (sv->cb.task_failed)
        sv->cb.task_failed(sv->cb_ctx, t);
}

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


static void service_reconcile(service *sv);
static void schedule_reconcile(service *sv, double at_s);

const char *task_state_name(task_state s)
{
    static const char *const names[] = {"PROVISIONING", "PENDING", "ACTIVATING", "RUNNING",
                                        "DEACTIVATING", "STOPPING", "STOPPED"};
    return names[s];
}

static const char *svc_name(const service *sv) { return sv->sc->service.name; }

/* ---- Kubernetes names (the platform's vocabulary, reference §5.4) ------------------ */

/* Kubernetes' safe alphabet for generated name suffixes (no vowels). */
static const char k8s_alphabet[] = "bcdfghjklmnpqrstvwxz2456789";

static uint64_t fnv1a(uint64_t h, const char *text)
{
    for (; *text; text++)
        h = (h ^ (unsigned char)*text) * 1099511628211u;
    return h;
}

static void k8s_suffix(uint64_t h, int len, char *out)
{
    for (int i = 0; i < len; i++) {
        out[i] = k8s_alphabet[h % (sizeof k8s_alphabet - 1)];
        h /= sizeof k8s_alphabet - 1;
    }
    out[len] = '\0';
}

static uint64_t template_hash(const service *sv, int revision)
{
    char rev[24];
    snprintf(rev, sizeof rev, "/%d", revision);
    return fnv1a(fnv1a(14695981039346656037u, svc_name(sv)), rev);
}

const char *service_replicaset_name(const service *sv, int revision, char *buf, size_t size)
{
    char hash[11];
    k8s_suffix(template_hash(sv, revision), 10, hash);
    snprintf(buf, size, "%s-%s", svc_name(sv), hash);
    return buf;
}

/* "NAME-HASH-xxxxx": the ReplicaSet's name and five characters of the pod. */
static const char *pod_name(const service *sv, const service_task *t, char *buf, size_t size)
{
    char rs[ECSIM_NAME_MAX + 16], id[24], tail[6];
    snprintf(id, sizeof id, "#%d", t->id);
    k8s_suffix(fnv1a(template_hash(sv, sv->deployments[t->deployment].revision), id), 5, tail);
    snprintf(buf, size, "%s-%s",
             service_replicaset_name(sv, sv->deployments[t->deployment].revision, rs, sizeof rs), tail);
    return buf;
}

/* The image reference as the kubelet prints it. */
static const char *image_ref(const service *sv, const char *tag, char *buf, size_t size)
{
    snprintf(buf, size, "%s/%s:%s", REGISTRY_HOST, registry_repository(sv->registry), tag);
    return buf;
}

static uint64_t ev_arg(const service_task *t, enum task_event kind)
{
    return ((uint64_t)kind << 32) | (uint64_t)(uint32_t)t->id;
}

static void task_event(ecsim_engine *eng, void *ctx, uint64_t arg);

static void task_schedule(service *sv, service_task *t, double delay_s, enum task_event kind)
{
    t->next = ecsim_engine_schedule_in(sv->eng, delay_s, task_event, sv, ev_arg(t, kind));
    if (!t->next)
        sv->oom = 1;
}

service *service_create(const ecsim_scenario *sc, uint64_t seed, ecsim_engine *eng, registry *reg,
                        const service_rules *rules, const service_platform *platform,
                        void *platform_ctx, const service_callbacks *cb, void *cb_ctx)
{
    service *sv = ecsim_calloc(1, sizeof *sv);
    if (!sv)
        return NULL;
    sv->sc = sc;
    sv->rules = *rules;
    sv->eng = eng;
    sv->registry = reg;
    sv->platform = platform;
    sv->platform_ctx = platform_ctx;
    if (cb)
        sv->cb = *cb;
    sv->cb_ctx = cb_ctx;
    sv->seed = seed;
    sv->primary = -1;
    sv->desired = sc->service.desired;
    sv->tokens = sc->service.launch_limits.fargate_burst;
    sv->next_az = 1;
    return sv;
}

void service_destroy(service *sv)
{
    if (!sv)
        return;
    ecsim_free(sv->run_tree);
    ecsim_free(sv->dep_live);
    ecsim_free(sv->vcpu_sums);
    ecsim_free(sv->changed);
    ecsim_free(sv->cursors);
    for (size_t i = 0; i < sv->reason_slots; i++)
        ecsim_free(sv->reasons[i]);
    ecsim_free(sv->reasons);
    for (size_t i = 0; i < sv->node_count; i++)
        ecsim_free(sv->nodes[i].cached);
    ecsim_free(sv->nodes);
    ecsim_free(sv->pulls);
    ecsim_free(sv->tasks);
    ecsim_free(sv->deployments);
    ecsim_free(sv);
}

bool service_is_provisioned(const service *sv) { return sv->provisioned; }
int service_desired(const service *sv) { return sv->desired; }
const service_stats *service_get_stats(const service *sv) { return &sv->stats; }
bool service_oom(const service *sv) { return sv->oom != 0; }
int service_alive_count(const service *sv) { return (int)sv->task_count - sv->n_state[TASK_STOPPED]; }
int service_waiting_count(const service *sv) { return sv->n_waiting; }
size_t service_task_count(const service *sv) { return sv->task_count; }
size_t service_first_live(const service *sv) { return sv->first_live; }

const service_task *service_task_at(const service *sv, size_t i)
{
    return i < sv->task_count ? &sv->tasks[i] : NULL;
}

size_t service_deployment_count(const service *sv) { return sv->deployment_count; }

const service_deployment *service_deployment_at(const service *sv, size_t i)
{
    return i < sv->deployment_count ? &sv->deployments[i] : NULL;
}

int service_primary_index(const service *sv) { return sv->primary; }
bool service_throttle_announced(const service *sv) { return sv->throttle_announced; }
double service_throttle_delay(const service *sv) { return sv->throttle_delay_s; }
int service_start_failures(const service *sv) { return sv->start_failures; }

/* ---- counting ------------------------------------------------------------------ */

/* Every count of tasks by state is a counter kept by task_update below, the
 * one place where a task's state, health or stop request changes; the live
 * tasks are linked in their own list, so nothing walks the stopped ones. */

static bool task_alive(const service_task *t)
{
    return t->state != TASK_STOPPED;
}

/* Counts towards the desired count: alive and not chosen to stop. */
static bool task_active(const service_task *t)
{
    return task_alive(t) && !t->stop_requested && t->state < TASK_DEACTIVATING;
}

/* A candidate victim of kill_tasks / Spot: RUNNING, not chosen to stop. */
static bool task_run_avail(const service_task *t)
{
    return t->state == TASK_RUNNING && !t->stop_requested;
}

int service_count(const service *sv, task_state state)
{
    return sv->n_state[state];
}

int service_active_count(const service *sv) { return sv->n_active; }

/* Tasks that receive traffic: RUNNING, and healthy in the target group when
 * a load balancer fronts the service (reference §2.5: "add ALB
 * healthy-threshold time before the task receives traffic"). */
int service_ready_count(const service *sv) { return sv->n_ready; }

int service_healthy_count(const service *sv) { return sv->n_healthy_active; }

int service_pending_count(const service *sv)
{
    const int *n = sv->n_state;
    return n[TASK_PROVISIONING] + n[TASK_PENDING] + n[TASK_ACTIVATING];
}

const service_task *service_live_first(const service *sv)
{
    int id = sv->live_head;
    return id ? &sv->tasks[id - 1] : NULL;
}

const service_task *service_live_next(const service *sv, const service_task *t)
{
    return t->live_next ? &sv->tasks[t->live_next - 1] : NULL;
}

/* The Fenwick tree over task indexes marks the RUNNING tasks not chosen to
 * stop, so the n-th of them in id order is found in O(log n). */
static void run_tree_add(service *s, size_t index, int delta)
{
    for (size_t i = index + 1; i <= s->run_tree_size; i += i & (~i + 1))
        s->run_tree[i - 1] += delta;
}

/* Room for every task index: rebuilt at twice the size when it grows. */
static int run_tree_reserve(service *s, size_t count)
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
static size_t run_tree_find(const service *s, int nth)
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

static int dep_live_add(service *s, int dep)
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

static void dep_live_remove(service *s, int dep)
{
    for (size_t i = 0; i < s->dep_live_count; i++)
        if (s->dep_live[i] == dep) {
            s->dep_live[i] = s->dep_live[--s->dep_live_count];
            return;
        }
    assert(!"deployment not in the live set");
}

/* Add (sign 1) or remove (sign -1) what task `t` contributes to the counters. */
static void task_account(service *sv, const service_task *t, int sign)
{
    service *s = sv;
    service_deployment *dp = &s->deployments[t->deployment];
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
        if (!sv->sc->service.load_balancer.enable || t->healthy)
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

static void act_unlink(service *sv, service_task *t)
{
    service *s = sv;
    service_deployment *dp = &s->deployments[t->deployment];
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

static void live_unlink(service *sv, service_task *t)
{
    service *s = sv;
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

static void note_changed(service *sv, service_task *t)
{
    service *s = sv;
    if (!s->track_changes || t->changed)
        return;
    if (s->changed_count == s->changed_capacity) {
        size_t cap = s->changed_capacity ? s->changed_capacity * 2 : 64;
        int *c = ecsim_reallocarray(s->changed, cap, sizeof *c);
        if (!c) {
            sv->oom = 1;
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
static void task_update(service *sv, service_task *t, task_state to, bool healthy, bool stop_requested)
{
    service *s = sv;
    assert(t->state == to || transition_allowed(t->state, to));
    assert(!t->stop_requested || stop_requested);
    bool was_active = task_active(t), was_avail = task_run_avail(t), was_alive = task_alive(t);
    task_account(sv, t, -1);
    t->state = to;
    t->healthy = healthy;
    t->stop_requested = stop_requested;
    task_account(sv, t, 1);
    bool avail = task_run_avail(t);
    if (avail != was_avail)
        run_tree_add(s, (size_t)t->id - 1, avail ? 1 : -1);
    if (was_active && !task_active(t))
        act_unlink(sv, t);
    if (was_alive && !task_alive(t)) {
        live_unlink(sv, t);
        if (s->deployments[t->deployment].alive == 0)
            dep_live_remove(s, t->deployment);
        /* Tasks never come back from STOPPED. */
        while (s->first_live < s->task_count && s->tasks[s->first_live].state == TASK_STOPPED)
            s->first_live++;
    }
    note_changed(sv, t);
}

static void task_set_waiting(service *sv, service_task *t, bool waiting)
{
    task_account(sv, t, -1);
    t->waiting_capacity = waiting;
    task_account(sv, t, 1);
}

void service_track_changes(service *sv) { sv->track_changes = true; }

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

size_t service_take_changed(service *sv, const int **ids)
{
    service *s = sv;
    qsort(s->changed, s->changed_count, sizeof *s->changed, cmp_int);
    for (size_t i = 0; i < s->changed_count; i++)
        s->tasks[s->changed[i] - 1].changed = false;
    *ids = s->changed;
    size_t n = s->changed_count;
    s->changed_count = 0;
    return n;
}

static service_task *task_by_id(service *sv, int id)
{
    assert(id >= 1 && (size_t)id <= sv->task_count);
    return &sv->tasks[id - 1];
}

const service_deployment *service_primary(const service *sv)
{
    return sv->primary >= 0 ? &sv->deployments[sv->primary] : NULL;
}

/* The primary deployment, writable (inside the service only). */
static service_deployment *primary_dp(service *sv)
{
    return sv->primary >= 0 ? &sv->deployments[sv->primary] : NULL;
}

/* Kubernetes Deployment semantics (the platform says, reference §5.4). */
static bool k8s_rules(const service *sv) { return sv->rules.kubernetes; }

/* A task of the revision the service wants now: launched by the PRIMARY
 * deployment, or, while a rollback runs, by a deployment of the same
 * revision and digest that did not fail (those tasks are what the rollback
 * goes back to, so they are kept, not replaced). */
static bool deployment_current(const service *sv, int index)
{
    const service *s = sv;
    if (index == s->primary)
        return true;
    const service_deployment *own = &s->deployments[index];
    const service_deployment *p = &s->deployments[s->primary];
    return p->is_rollback && own->rollout != ROLLOUT_FAILED && own->revision == p->revision &&
           strcmp(own->digest, p->digest) == 0;
}

static bool task_current(const service *sv, const service_task *t)
{
    return deployment_current(sv, t->deployment);
}

/* Walking the active tasks of several deployments as one list in id order:
 * one cursor (the next task id, 0 = done) per deployment with active tasks,
 * merged by id. The cursors live in the service's scratch array: one walk
 * at a time. */

/* Cursors over the deployments that are current (or not), at their oldest
 * (ascending) or youngest active task. Returns how many (0 on OOM). */
static int dep_cursors(service *sv, bool current, bool ascending, int **cur)
{
    service *s = sv;
    if (s->cursor_capacity < s->dep_live_count) {
        int *c = ecsim_reallocarray(s->cursors, s->dep_live_count, sizeof *c);
        if (!c) {
            sv->oom = 1;
            return 0;
        }
        s->cursors = c;
        s->cursor_capacity = s->dep_live_count;
    }
    int n = 0;
    for (size_t i = 0; i < s->dep_live_count; i++) {
        const service_deployment *d = &s->deployments[s->dep_live[i]];
        if (d->active > 0 && deployment_current(sv, s->dep_live[i]) == current)
            s->cursors[n++] = ascending ? d->act_head : d->act_tail;
    }
    *cur = s->cursors;
    return n;
}

/* The next task over the cursors (smallest id if ascending, else largest),
 * advanced past before it is returned, so the caller may stop it. */
static service_task *dep_cursors_next(service *sv, int *cur, int n, bool ascending)
{
    int best = -1;
    for (int i = 0; i < n; i++)
        if (cur[i] && (best < 0 || (ascending ? cur[i] < cur[best] : cur[i] > cur[best])))
            best = i;
    if (best < 0)
        return NULL;
    service_task *t = task_by_id(sv, cur[best]);
    cur[best] = ascending ? t->act_next : t->act_prev;
    return t;
}

int service_last_completed(const service *sv, int before)
{
    for (int i = before; i-- > 0;)
        if (sv->deployments[i].rollout == ROLLOUT_COMPLETED)
            return i;
    return -1;
}

/* ---- rolling-update bounds ----------------------------------------------------------- */

void service_rollout_bounds(const ecsim_deployment_spec *dep, bool kubernetes, int desired,
                            int *min_healthy, int *max_tasks)
{
    if (kubernetes) {
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
     * RUNNING or PENDING (draining ones do not count), at least
     * ceil(desired x min%) healthy. */
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

static int new_deployment(service *sv)
{
    service *s = sv;
    if (s->deployment_count == s->deployment_capacity) {
        size_t cap = s->deployment_capacity ? s->deployment_capacity * 2 : 4;
        service_deployment *d = ecsim_reallocarray(s->deployments, cap, sizeof *d);
        if (!d)
            return ECSIM_ENOMEM;
        s->deployments = d;
        s->deployment_capacity = cap;
    }
    service_deployment *dp = &s->deployments[s->deployment_count];
    memset(dp, 0, sizeof *dp);
    dp->id = (int)s->deployment_count + 1;
    dp->rollout = ROLLOUT_IN_PROGRESS;
    dp->rolled_back_from = -1;
    dp->started_s = dp->progress_s = ecsim_engine_now(sv->eng);
    dp->finished_s = NAN;
    const ecsim_circuit_breaker_spec *cb = &sv->sc->service.deployment.circuit_breaker;
    dp->breaker_threshold = service_breaker_threshold(s->desired, cb->min_threshold);
    /* "If a service deployment has at least one successfully running task at
     * the time the service is updated, the circuit breaker logic will not
     * start" (reference §2.2, read literally when skip_if_running is set). */
    if (cb->enable && cb->skip_if_running && service_count(sv, TASK_RUNNING) > 0) {
        dp->breaker_off = true;
        if (!k8s_rules(sv))
            svc_log(sv, "service %s: deployment circuit breaker not started for ecs-svc/%d: a task "
                         "was running when the service was updated (skip_if_running).",
                    svc_name(sv), dp->id);
    }
    s->deployment_count++;
    return (int)s->deployment_count - 1;
}

/* The deployment becomes PRIMARY: a new task definition resets the service
 * throttle (reference §2.4 item 4); on EKS the progress deadline starts. */
static void make_primary(service *sv, int index);

/* Rollback (reference §2.2): a new deployment of the last COMPLETED
 * revision, with the digest that revision resolved (the service revision
 * keeps it, reference §2.4 item 6), not whatever its tag points to now. */
static void start_rollback(service *sv, int failed_index)
{
    int good = service_last_completed(sv, failed_index);
    if (good < 0) {
        svc_log(sv, "service %s (deployment ecs-svc/%d): rollback requested but no deployment "
                     "ever COMPLETED; nothing to roll back to.",
                svc_name(sv), sv->deployments[failed_index].id);
        return;
    }
    int k = new_deployment(sv);
    if (k < 0) {
        sv->oom = 1;
        return;
    }
    service *s = sv;
    service_deployment *dp = &s->deployments[k];
    const service_deployment *to = &s->deployments[good];
    dp->revision = to->revision;
    memcpy(dp->tag, to->tag, sizeof dp->tag);
    memcpy(dp->digest, to->digest, sizeof dp->digest);
    dp->defect = to->defect;
    dp->is_rollback = true;
    dp->rolled_back_from = failed_index;
    sv->stats.rollbacks++;
    svc_log(sv, "service %s (deployment ecs-svc/%d) rolling back to deployment ecs-svc/%d: "
                 "circuit breaker triggered. Started deployment ecs-svc/%d: task definition "
                 "revision %d, image %s:%s (%.19s...).",
            svc_name(sv), s->deployments[failed_index].id, to->id, dp->id, dp->revision,
            registry_repository(sv->registry), dp->tag, dp->digest);
    char label[96];
    snprintf(label, sizeof label, "rollback to %s", dp->tag);
    svc_marker(sv, "rollback", label);
    make_primary(sv, k);
}

/* The deployment state machine: IN_PROGRESS -> COMPLETED or FAILED, once
 * (reference §2.2 rolloutState). Leaving any other state is a bug. */
static void deployment_finish(service *sv, service_deployment *dp, rollout_state to)
{
    assert(dp->rollout == ROLLOUT_IN_PROGRESS);
    assert(to == ROLLOUT_COMPLETED || to == ROLLOUT_FAILED);
    dp->rollout = to;
    dp->finished_s = ecsim_engine_now(sv->eng);
}

/* rolloutState FAILED: no new tasks for it; rollback when enabled. */
static void deployment_fail(service *sv, service_deployment *dp, const char *failure)
{
    const ecsim_circuit_breaker_spec *cb = &sv->sc->service.deployment.circuit_breaker;
    int index = (int)(dp - sv->deployments);
    deployment_finish(sv, dp, ROLLOUT_FAILED);
    dp->failure = failure;
    if (k8s_rules(sv))
    {
        char rs[ECSIM_NAME_MAX + 16];
        svc_log(sv, "deployment %s: condition Progressing=False, reason ProgressDeadlineExceeded: "
                     "ReplicaSet \"%s\" has timed out progressing.",
                svc_name(sv), service_replicaset_name(sv, dp->revision, rs, sizeof rs));
    }
    else
        svc_log(sv, "service %s (deployment ecs-svc/%d) deployment failed: %s. Circuit breaker: "
                     "%d of %d failed tasks; rolloutState FAILED.",
                svc_name(sv), dp->id, failure, dp->failed_tasks, dp->breaker_threshold);
    if (sv->cb.deployment_failed)
        sv->cb.deployment_failed(sv->cb_ctx, dp);
    /* Kubernetes has no automatic rollback (kubectl rollout undo is manual). */
    if (cb->rollback && !k8s_rules(sv) && index == sv->primary)
        start_rollback(sv, index);
}

/* Stage 1 counts tasks that fail to reach RUNNING, stage 2 (once a task of
 * the deployment ran) health-check failures of its RUNNING tasks; the
 * deployment fails when the count reaches the threshold (reference §2.2).
 * ECS only: Kubernetes has the progress deadline instead (§5.4). */
static void breaker_count_failure(service *sv, service_deployment *dp, const char *failure)
{
    const ecsim_circuit_breaker_spec *cb = &sv->sc->service.deployment.circuit_breaker;
    if (!cb->enable || dp->breaker_off || k8s_rules(sv) || dp->rollout != ROLLOUT_IN_PROGRESS)
        return;
    dp->failed_tasks++;
    if (dp->failed_tasks < dp->breaker_threshold)
        return;
    deployment_fail(sv, dp, failure);
}

/* ---- deployments ------------------------------------------------------------------ */

static void progress_check(ecsim_engine *eng, void *ctx, uint64_t index)
{
    service *sv = ctx;
    service_deployment *dp = &sv->deployments[index];
    if (dp->rollout != ROLLOUT_IN_PROGRESS || (int)index != sv->primary)
        return;
    double due = dp->progress_s + sv->sc->service.deployment.progress_deadline_s;
    if (ecsim_engine_now(eng) + 1e-9 < due) {
        if (!ecsim_engine_schedule(eng, due, progress_check, sv, index))
            sv->oom = 1;
        return;
    }
    deployment_fail(sv, dp, "ProgressDeadlineExceeded");
}

static void make_primary(service *sv, int index)
{
    service *s = sv;
    s->primary = index;
    s->start_failures = 0;
    s->throttle_delay_s = 0;
    s->next_launch_s = 0;
    s->throttle_announced = false;
    if (k8s_rules(sv) &&
        !ecsim_engine_schedule_in(sv->eng, sv->sc->service.deployment.progress_deadline_s,
                                  progress_check, sv, (uint64_t)index))
        sv->oom = 1;
    schedule_reconcile(sv, ecsim_engine_now(sv->eng));
}

int service_deploy(service *sv, const char *tag, ecsim_defect defect, bool is_rollback)
{
    service *s = sv;
    int k = new_deployment(sv);
    if (k < 0)
        return k;
    service_deployment *dp = &s->deployments[k];
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
    const registry_image *img = registry_resolve(sv->registry, tag);
    if (img)
        snprintf(dp->digest, sizeof dp->digest, "%s", img->digest);
    if (k8s_rules(sv))
    {
        char rs[ECSIM_NAME_MAX + 16];
        svc_log(sv, "deployment %s: rolling update to ReplicaSet \"%s\" (image %s/%s:%s%s%.19s%s).",
                svc_name(sv), service_replicaset_name(sv, dp->revision, rs, sizeof rs), REGISTRY_HOST,
                registry_repository(sv->registry), tag, img ? " resolved to " : ", tag not found in the registry", img ? img->digest : "",
                img ? "..." : "");
    } else
        svc_log(sv, "service %s has started deployment ecs-svc/%d: task definition revision %d, "
                     "image %s/%s:%s%s%s.",
                svc_name(sv), dp->id, dp->revision, REGISTRY_HOST, registry_repository(sv->registry), tag,
                img ? " resolved to " : " (tag not found in the registry)", img ? img->digest : "");
    make_primary(sv, k);
    return 0;
}

/* ---- launching and stopping ---------------------------------------------------------- */

/* Task start times vary (reference §2.5 gives only observed ranges; §8
 * gap 4): with task.start_jitter_cv > 0 each phase's duration is multiplied
 * by a lognormal factor of mean 1 from the stream "service.start"; 0 keeps
 * the times fixed and draws nothing. */
static double start_jitter(service *sv, service_task *t)
{
    double cv = sv->sc->service.task.start_jitter_cv;
    return cv > 0 ? ecsim_rng_lognormal_mean_cv(&t->rng_start, 1.0, cv) : 1.0;
}

static service_task *task_new(service *sv)
{
    service *s = sv;
    if (s->task_count == s->task_capacity) {
        size_t cap = s->task_capacity ? s->task_capacity * 2 : 16;
        service_task *tasks = ecsim_reallocarray(s->tasks, cap, sizeof *tasks);
        if (!tasks) {
            sv->oom = 1;
            return NULL;
        }
        s->tasks = tasks;
        s->task_capacity = cap;
    }
    if (run_tree_reserve(s, s->task_count + 1) != 0) {
        sv->oom = 1;
        return NULL;
    }
    service_task *t = &s->tasks[s->task_count++];
    memset(t, 0, sizeof *t);
    t->id = (int)s->task_count;
    ecsim_rng_derive_indexed(&t->rng_start, sv->seed, "service.start", (uint64_t)t->id);
    t->pull_started_s = t->running_s = t->stopped_s = NAN;
    t->stop_reason = "";
    return t;
}

static bool az_up(const service *sv, int az)
{
    return !(ecsim_engine_now(sv->eng) < sv->az_down_until_s[az]);
}

/* The earliest time a zone comes back, or -1 if one is up now. */
static double zones_back_at(const service *sv)
{
    double back = INFINITY;
    for (int az = 1; az <= sv->sc->service.availability_zones; az++) {
        if (az_up(sv, az))
            return -1;
        back = fmin(back, sv->az_down_until_s[az]);
    }
    return back;
}

static void launch_task(service *sv)
{
    service_task *t = task_new(sv);
    if (!t)
        return;
    service *s = sv;
    t->deployment = s->primary;
    t->state = TASK_PROVISIONING;
    t->launched_s = ecsim_engine_now(sv->eng);
    /* Into the indexes: the youngest task goes last in both lists. */
    service_deployment *dp = &s->deployments[t->deployment];
    if (dp->alive == 0 && dep_live_add(s, t->deployment) != 0)
        sv->oom = 1;
    task_account(sv, t, 1);
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
    note_changed(sv, t);
    /* Spread across AZs, the default service placement (reference §3.2),
     * skipping zones that are down (az_outage). */
    int zones = sv->sc->service.availability_zones;
    for (int tries = 0; tries < zones && !az_up(sv, s->next_az); tries++)
        s->next_az = s->next_az % zones + 1;
    t->az = s->next_az;
    s->next_az = s->next_az % zones + 1;
    sv->stats.tasks_started++;
    task_schedule(sv, t, sv->sc->service.task.provisioning_time_s * start_jitter(sv, t),
                  EV_PROVISIONED);
}

static void update_pending_capacity(service *sv);

static void task_stop_now(service *sv, service_task *t, const char *stop_code, const char *reason)
{
    if (t->next) {
        ecsim_engine_cancel(sv->eng, t->next);
        t->next = 0;
    }
    if (t->instance > 0) {
        sv->platform->release(sv->platform_ctx, t->instance, sv->sc->service.task.vcpu,
                        sv->sc->service.task.memory_gb);
        t->instance = 0;
    }
    if (t->waiting_capacity) {
        task_set_waiting(sv, t, false);
        update_pending_capacity(sv);
    }
    t->pull_wait = 0; /* leaves its instance's pull, if it waited for one (skipped there) */
    t->stopped_s = ecsim_engine_now(sv->eng);
    task_update(sv, t, TASK_STOPPED, false, t->stop_requested);
    t->stop_code = stop_code;
    t->stop_reason = intern_reason(sv, reason);
    if (sv->cb.task_stopped)
        sv->cb.task_stopped(sv->cb_ctx, t);
}

/* Begin an orderly stop (scale-in, replacement, failed health checks, Spot
 * notice): drain, then SIGTERM; `stop_code` and `reason` are what the
 * STOPPED task will show. A task not yet RUNNING stops at once. */
static void task_begin_stop(service *sv, service_task *t, const char *stop_code, const char *reason,
                            double drain_s)
{
    if (t->state < TASK_RUNNING) {
        task_update(sv, t, t->state, t->healthy, true);
        task_stop_now(sv, t, stop_code, reason);
        return;
    }
    if (t->next) {
        ecsim_engine_cancel(sv->eng, t->next);
        t->next = 0;
    }
    task_update(sv, t, TASK_DEACTIVATING, false, true);
    t->pending_stop_code = stop_code;
    t->stop_reason = intern_reason(sv, reason);
    task_schedule(sv, t, drain_s, EV_DEACTIVATED);
}

/* Target deregistration takes the deregistration delay (reference §2.3). */
static double drain_time(const service *sv)
{
    return sv->sc->service.load_balancer.enable
               ? sv->sc->service.load_balancer.deregistration_delay_s
               : 0.0;
}

static void task_scheduler_stop(service *sv, service_task *t)
{
    task_begin_stop(sv, t, "ServiceSchedulerInitiated", "Scaling activity initiated by deployment",
                    drain_time(sv));
}
/* The service throttle (reference §2.4 item 4): tasks that stop before
 * RUNNING make the scheduler wait longer between launches, growing
 * geometrically (MODEL: initial x multiplier^(n-1)) up to 15 minutes. */
static void throttle_failure(service *sv)
{
    service *s = sv;
    const ecsim_throttle_spec *th = &sv->sc->service.throttle;
    s->start_failures++;
    double delay = th->initial_s * pow(th->multiplier, s->start_failures - 1);
    if (delay > th->max_s || !isfinite(delay))
        delay = th->max_s;
    s->throttle_delay_s = delay;
    s->next_launch_s = ecsim_engine_now(sv->eng) + delay;
    if (s->start_failures >= 2 && !s->throttle_announced) {
        s->throttle_announced = true;
        if (k8s_rules(sv))
            svc_log(sv, "deployment %s: its pods keep failing to pull their image (ErrImagePull).",
                    svc_name(sv));
        else
            svc_log(sv, "service %s is unable to consistently start tasks successfully.", svc_name(sv));
    }
    if (s->start_failures >= 2 && k8s_rules(sv))
        svc_log(sv, "deployment %s: Back-off pulling image (ImagePullBackOff): next pod start in %.0f s.",
                svc_name(sv), delay);
    else if (s->start_failures >= 2)
        svc_log(sv, "service %s operations are being throttled. Will try again later. "
                     "(next launch in %.0f s)", svc_name(sv), delay);
}

static void task_failed_to_start(service *sv, service_task *t, const char *reason)
{
    task_stop_now(sv, t, "TaskFailedToStart", reason);
    sv->stats.tasks_failed++;
    if (k8s_rules(sv) && strncmp(reason, "ErrImageNeverPull", 17) == 0) {
        /* imagePullPolicy Never and no copy on the node (reference §2.5b). */
        char pod[ECSIM_NAME_MAX + 24];
        svc_log(sv, "pod %s: %s; the pod is deleted and the ReplicaSet creates another.",
                pod_name(sv, t, pod, sizeof pod), reason);
    } else if (k8s_rules(sv)) {
        char pod[ECSIM_NAME_MAX + 24], image[320];
        svc_log(sv, "pod %s: Failed to pull image \"%s\": %s: ErrImagePull; the pod is deleted "
                     "and the ReplicaSet creates another.",
                pod_name(sv, t, pod, sizeof pod),
                image_ref(sv, sv->deployments[t->deployment].tag, image, sizeof image),
                strstr(reason, "i/o timeout") ? "dial tcp: i/o timeout" : "not found");
    } else {
        svc_log(sv, "task %d stopped (%s): %s", t->id, t->stop_code, reason);
    }
    throttle_failure(sv);
    breaker_count_failure(sv, &sv->deployments[t->deployment], "tasks failed to start");
    notify_changed(sv);
    schedule_reconcile(sv, ecsim_engine_now(sv->eng));
}

double service_pull_backoff_s(int retry, double u)
{
    double backoff = PULL_BACKOFF_MIN_S * pow(PULL_BACKOFF_MULT, retry - 1);
    if (backoff > PULL_BACKOFF_MAX_S)
        backoff = PULL_BACKOFF_MAX_S;
    return backoff * (1.0 + PULL_BACKOFF_JITTER * (2.0 * u - 1.0));
}

/* ---- images on instances (reference §2.5b) ------------------------------------------ */

/* MODEL: an image already on the instance still costs a manifest check
 * when the registry is asked (ECS default / always, Kubernetes Always):
 * about 1 s (reference §2.5b; "1-5 s on EC2 with cached image", §2.5). */
#define MANIFEST_CHECK_S 1.0

enum pull_event_kind { PULL_RETRY = 1, PULL_DONE };

static void pull_event(ecsim_engine *eng, void *ctx, uint64_t arg);
static void task_image_ready(service *sv, service_task *t);

/* The images of instance `id` (grown on first use); NULL on OOM. */
static node_images *node_get(service *sv, int id)
{
    if ((size_t)id > sv->node_count) {
        size_t n = (size_t)id * 2;
        node_images *nodes = ecsim_reallocarray(sv->nodes, n, sizeof *nodes);
        if (!nodes) {
            sv->oom = 1;
            return NULL;
        }
        memset(nodes + sv->node_count, 0, (n - sv->node_count) * sizeof *nodes);
        sv->nodes = nodes;
        sv->node_count = n;
    }
    return &sv->nodes[id - 1];
}

static bool node_has(const node_images *n, int image)
{
    for (int i = 0; i < n->cached_count; i++)
        if (n->cached[i] == image)
            return true;
    return false;
}

static void node_add(service *sv, node_images *n, int image)
{
    if (node_has(n, image))
        return;
    if (n->cached_count == n->cached_capacity) {
        int cap = n->cached_capacity ? n->cached_capacity * 2 : 4;
        int *cached = ecsim_reallocarray(n->cached, (size_t)cap, sizeof *cached);
        if (!cached) {
            sv->oom = 1;
            return;
        }
        n->cached = cached;
        n->cached_capacity = cap;
    }
    n->cached[n->cached_count++] = image;
}

static image_pull *pull_at(service *sv, int index1) { return &sv->pulls[index1 - 1]; }

/* The pull of `image` in flight on the instance, or 0: index + 1. */
static int node_pull_find(service *sv, const node_images *n, int image)
{
    for (int k = n->pulls; k; k = pull_at(sv, k)->next)
        if (pull_at(sv, k)->image == image)
            return k;
    return 0;
}

/* A new record on instance `id`, linked into its pulls: index + 1, 0 on OOM. */
static int pull_new(service *sv, node_images *n, int id, int image)
{
    int k = sv->pull_free;
    if (k) {
        sv->pull_free = pull_at(sv, k)->next;
    } else {
        image_pull *pulls = ecsim_reallocarray(sv->pulls, sv->pull_count + 1, sizeof *pulls);
        if (!pulls) {
            sv->oom = 1;
            return 0;
        }
        sv->pulls = pulls;
        k = (int)++sv->pull_count;
    }
    image_pull *p = pull_at(sv, k);
    memset(p, 0, sizeof *p);
    p->instance = id;
    p->image = image;
    p->started_s = ecsim_engine_now(sv->eng);
    p->next = n->pulls;
    n->pulls = k;
    return k;
}

/* Unlink record k from its instance and free it. */
static void pull_free(service *sv, int k)
{
    image_pull *p = pull_at(sv, k);
    node_images *n = &sv->nodes[p->instance - 1];
    for (int *link = &n->pulls; *link; link = &pull_at(sv, *link)->next)
        if (*link == k) {
            *link = p->next;
            break;
        }
    p->instance = 0;
    p->next = sv->pull_free;
    sv->pull_free = k;
}

static void pull_join(service *sv, int k, service_task *t)
{
    image_pull *p = pull_at(sv, k);
    t->pull_wait = k;
    t->pull_next = 0;
    if (p->waiter_tail)
        task_by_id(sv, p->waiter_tail)->pull_next = t->id;
    else
        p->waiter_head = t->id;
    p->waiter_tail = t->id;
}

static void pull_schedule(service *sv, int k, double delay_s, enum pull_event_kind kind)
{
    image_pull *p = pull_at(sv, k);
    p->event = ecsim_engine_schedule_in(sv->eng, delay_s, pull_event, sv,
                                        ((uint64_t)kind << 32) | (uint64_t)(uint32_t)k);
    if (!p->event)
        sv->oom = 1;
}

/* One attempt of the instance's pull: the agent's retry policy on network
 * errors (reference §2.4 item 3); a full download, or a manifest check when
 * the layers are already there (§2.5b). */
static void pull_attempt(service *sv, int k)
{
    image_pull *p = pull_at(sv, k);
    p->attempt++;
    if (!registry_reachable(sv->registry, ecsim_engine_now(sv->eng))) {
        if (p->attempt <= PULL_MAX_RETRIES) {
            /* Member (first task, attempt) of "registry.pull": common random
             * numbers, as for a Fargate task's own retries. */
            ecsim_rng rng;
            ecsim_rng_derive_indexed(&rng, sv->seed, "registry.pull",
                                     ((uint64_t)p->first_task << 8) | (uint64_t)p->attempt);
            pull_schedule(sv, k, service_pull_backoff_s(p->attempt, ecsim_rng_uniform(&rng)),
                          PULL_RETRY);
        }
        else
            pull_schedule(sv, k, 0.0, PULL_DONE); /* failed: PULL_DONE with the registry down */
        return;
    }
    const registry_image *img = registry_image_at(sv->registry, (size_t)p->image - 1);
    double pull_s = img->size_mb / sv->sc->registry.pull_mb_per_s;
    if (p->check_only)
        pull_s = fmin(pull_s, MANIFEST_CHECK_S);
    p->downloading = true;
    /* The download's jitter is drawn from the stream of the task that began
     * the pull. */
    pull_schedule(sv, k, pull_s * start_jitter(sv, task_by_id(sv, p->first_task)), PULL_DONE);
}

/* The pull ended: the image is cached on the instance if it succeeded, and
 * every task still waiting starts from it; if it failed, ECS default uses
 * the instance's copy when there is one, anything else fails the tasks
 * (CannotPullContainerError / ErrImagePull, reference §2.4, §2.5b). */
static void pull_finished(service *sv, int k, bool ok)
{
    image_pull p = *pull_at(sv, k);
    node_images *n = &sv->nodes[p.instance - 1];
    pull_free(sv, k);
    if (ok) {
        node_add(sv, n, p.image);
        if (p.check_only)
            sv->stats.image_checks++;
        else
            sv->stats.image_downloads++;
    }
    bool fallback = !ok && !k8s_rules(sv) &&
                    sv->sc->service.cluster.image_pull_behavior == ECSIM_PULL_BEHAVIOR_DEFAULT &&
                    node_has(n, p.image);
    for (int id = p.waiter_head; id;) {
        service_task *t = task_by_id(sv, id);
        id = t->pull_next;
        if (t->pull_wait != k)
            continue; /* stopped while waiting */
        t->pull_wait = 0;
        t->pull_next = 0;
        if (ok || fallback) {
            t->image_from_task = p.first_task;
            t->image_source = fallback                 ? TASK_IMAGE_FALLBACK
                              : t->id != p.first_task ? TASK_IMAGE_SHARED
                              : p.check_only           ? TASK_IMAGE_CHECKED
                                                       : TASK_IMAGE_PULLED;
            task_image_ready(sv, t);
            continue;
        }
        char reason[320];
        snprintf(reason, sizeof reason,
                 "CannotPullContainerError: pull image manifest has been retried %d time(s): "
                 "failed to do request: Head \"https://%s/v2/%s/manifests/%s\": dial tcp: i/o timeout",
                 PULL_MAX_RETRIES, REGISTRY_HOST, registry_repository(sv->registry),
                 sv->deployments[t->deployment].tag);
        task_failed_to_start(sv, t, reason);
    }
}

static void pull_event(ecsim_engine *eng, void *ctx, uint64_t arg)
{
    (void)eng;
    service *sv = ctx;
    int k = (int)(uint32_t)arg;
    enum pull_event_kind kind = (enum pull_event_kind)(arg >> 32);
    image_pull *p = pull_at(sv, k);
    assert(p->instance > 0);
    p->event = 0;
    if (kind == PULL_RETRY)
        pull_attempt(sv, k);
    else
        pull_finished(sv, k, p->downloading);
}

/* Instance `id` is gone: its tasks were stopped (none waits any more), its
 * pulls are cancelled and its images go with it. */
static void node_forget(service *sv, int id)
{
    if ((size_t)id > sv->node_count)
        return;
    node_images *n = &sv->nodes[id - 1];
    while (n->pulls) {
        int k = n->pulls;
        if (pull_at(sv, k)->event)
            ecsim_engine_cancel(sv->eng, pull_at(sv, k)->event);
        pull_free(sv, k);
    }
    n->cached_count = 0;
}

/* A task placed on an instance needs `img` (reference §2.5b). If a pull of
 * it is in flight there, the task waits for that pull. Otherwise the
 * platform's setting decides: ECS_IMAGE_PULL_BEHAVIOR on ECS (default and
 * always pull again, once and prefer-cached use the instance's copy),
 * imagePullPolicy on EKS (IfNotPresent uses the node's copy, Always asks
 * the registry, Never never pulls: ErrImageNeverPull without a copy). */
static void node_image_request(service *sv, service_task *t, const registry_image *img)
{
    char pod[ECSIM_NAME_MAX + 24], image[320];
    const service_deployment *dp = &sv->deployments[t->deployment];
    node_images *n = node_get(sv, t->instance);
    if (!n)
        return;
    int image_id = (int)registry_image_index(sv->registry, img) + 1;
    bool cached = node_has(n, image_id);
    bool k8s = k8s_rules(sv);
    if (k8s)
        pod_name(sv, t, pod, sizeof pod), image_ref(sv, dp->tag, image, sizeof image);
    int k = node_pull_find(sv, n, image_id);
    if (k) {
        pull_join(sv, k, t);
        if (k8s)
            svc_log(sv, "pod %s: Scheduled to node i-%04d; Pulling image \"%s\" (waiting for the "
                         "pull already running there).",
                    pod, t->instance, image);
        return;
    }
    bool pull;
    if (k8s) {
        ecsim_image_pull_policy policy =
            (ecsim_image_pull_policy)sv->sc->service.task.image_pull_policy;
        if (policy == ECSIM_PULL_POLICY_NEVER && !cached) {
            char reason[400];
            snprintf(reason, sizeof reason,
                     "ErrImageNeverPull: Container image \"%s\" is not present with pull policy "
                     "of Never",
                     image);
            task_failed_to_start(sv, t, reason);
            return;
        }
        pull = policy == ECSIM_PULL_POLICY_ALWAYS || !cached;
    } else {
        ecsim_image_pull_behavior behavior =
            (ecsim_image_pull_behavior)sv->sc->service.cluster.image_pull_behavior;
        pull = behavior == ECSIM_PULL_BEHAVIOR_DEFAULT || behavior == ECSIM_PULL_BEHAVIOR_ALWAYS ||
               !cached;
    }
    if (!pull) {
        if (k8s)
            svc_log(sv, "pod %s: Container image \"%s\" already present on machine (node i-%04d).",
                    pod, image, t->instance);
        t->image_source = TASK_IMAGE_CACHED;
        task_image_ready(sv, t);
        return;
    }
    k = pull_new(sv, n, t->instance, image_id);
    if (!k)
        return;
    image_pull *p = pull_at(sv, k);
    p->check_only = cached;
    p->first_task = t->id;
    pull_join(sv, k, t);
    if (k8s)
        svc_log(sv, "pod %s: Scheduled to node i-%04d; Pulling image \"%s\".", pod, t->instance,
                image);
    pull_attempt(sv, k);
}

/* One pull attempt of a task of its own (reference §2.4): Fargate, which
 * pulls the whole image for every task with no layer cache (§2.5), or an
 * image that cannot be found. Not found fails after one attempt; network
 * errors are retried PULL_MAX_RETRIES times with backoff. A task placed on
 * an instance goes through the instance's images (node_image_request). */
static void task_pull(service *sv, service_task *t)
{
    const service_deployment *dp = &sv->deployments[t->deployment];
    char reason[320];
    const registry_image *img = dp->digest[0] ? registry_by_digest(sv->registry, dp->digest) : NULL;
    if (t->instance > 0 && img) {
        node_image_request(sv, t, img);
        return;
    }
    t->pull_attempt++;
    if (!registry_reachable(sv->registry, ecsim_engine_now(sv->eng))) {
        if (t->pull_attempt <= PULL_MAX_RETRIES) {
            ecsim_rng rng;
            ecsim_rng_derive_indexed(&rng, sv->seed, "registry.pull",
                                     ((uint64_t)t->id << 8) | (uint64_t)t->pull_attempt);
            double backoff = service_pull_backoff_s(t->pull_attempt, ecsim_rng_uniform(&rng));
            task_schedule(sv, t, backoff, EV_PULL_RETRY);
            return;
        }
        snprintf(reason, sizeof reason,
                 "CannotPullContainerError: pull image manifest has been retried %d time(s): "
                 "failed to do request: Head \"https://%s/v2/%s/manifests/%s\": dial tcp: i/o timeout",
                 PULL_MAX_RETRIES, REGISTRY_HOST, registry_repository(sv->registry), dp->tag);
        task_failed_to_start(sv, t, reason);
        return;
    }
    if (!img) {
        snprintf(reason, sizeof reason,
                 "CannotPullContainerError: pull image manifest has been retried 1 time(s): failed "
                 "to resolve ref %s/%s:%s: not found",
                 REGISTRY_HOST, registry_repository(sv->registry), dp->tag);
        task_failed_to_start(sv, t, reason);
        return;
    }
    double pull_s = img->size_mb / sv->sc->registry.pull_mb_per_s;
    if (k8s_rules(sv)) {
        char pod[ECSIM_NAME_MAX + 24], image[320];
        svc_log(sv, "pod %s: Scheduled on Fargate; Pulling image \"%s\".",
                pod_name(sv, t, pod, sizeof pod), image_ref(sv, dp->tag, image, sizeof image));
    }
    task_schedule(sv, t, pull_s * start_jitter(sv, t), EV_PULLED);
}

/* ---- EC2 / EKS capacity (the platform: cluster.c, reference §3) -------------------- */

static void update_pending_capacity(service *sv)
{
    if (!sv->platform)
        return;
    sv->platform->set_pending(sv->platform_ctx, sv->n_waiting, sv->sc->service.task.vcpu,
                        sv->sc->service.task.memory_gb);
}

/* Place a PENDING task on an instance; false (and the task waits) when no
 * instance has room (reference §2.6, §3.1: the unplaced task raises the
 * CapacityProviderReservation above 100 %). */
static bool task_place(service *sv, service_task *t)
{
    const ecsim_task_spec *ts = &sv->sc->service.task;
    int az = 0;
    int inst = sv->platform->place(sv->platform_ctx, ts->vcpu, ts->memory_gb, &az);
    if (inst < 0) {
        if (!t->waiting_capacity) {
            task_set_waiting(sv, t, true);
            char why[200];
            const char *explained =
                sv->platform->explain_no_fit(sv->platform_ctx, ts->vcpu, ts->memory_gb, why, sizeof why);
            if (k8s_rules(sv)) {
                char pod[ECSIM_NAME_MAX + 24];
                svc_log(sv, "pod %s: FailedScheduling: %s", pod_name(sv, t, pod, sizeof pod), explained);
            } else {
                svc_log(sv, "service %s was unable to place a task because no container instance met "
                             "all of its requirements. %s",
                        svc_name(sv), explained);
            }
            update_pending_capacity(sv);
        }
        return false;
    }
    bool was_waiting = t->waiting_capacity;
    if (was_waiting)
        task_set_waiting(sv, t, false);
    t->instance = inst;
    t->az = az;
    if (was_waiting)
        update_pending_capacity(sv);
    return true;
}

/* An instance registered: place the waiting tasks, oldest first. */
void service_capacity_available(service *sv)
{
    double now = ecsim_engine_now(sv->eng);
    int next_id = sv->n_waiting > 0 ? sv->live_head : 0;
    while (next_id) {
        service_task *t = task_by_id(sv, next_id);
        next_id = t->live_next; /* a failed pull below unlinks t */
        if (!t->waiting_capacity)
            continue;
        if (!task_place(sv, t))
            break;
        t->pull_started_s = now;
        task_pull(sv, t);
    }
    notify_changed(sv);
    schedule_reconcile(sv, now);
}

void service_instance_lost(service *sv, int instance_id)
{
    int lost = 0;
    for (int id = sv->live_head; id;) {
        service_task *t = task_by_id(sv, id);
        id = t->live_next;
        if (t->instance != instance_id)
            continue;
        t->instance = 0; /* the instance is gone: nothing to release */
        task_stop_now(sv, t, "TerminationNotice",
                      "Task stopped: its container instance was terminated");
        lost++;
    }
    node_forget(sv, instance_id);
    if (lost > 0) {
        sv->stats.tasks_replaced += lost;
        if (k8s_rules(sv))
            svc_log(sv, "node i-%04d lost (NodeNotReady): %d pod%s on it deleted; the ReplicaSet "
                         "controller creates replacements.",
                    instance_id, lost, lost == 1 ? "" : "s");
        else
            svc_log(sv, "instance i-%04d lost: %d task%s on it stopped (TerminationNotice); the scheduler "
                         "replaces them.",
                    instance_id, lost, lost == 1 ? "" : "s");
        notify_changed(sv);
    }
    schedule_reconcile(sv, ecsim_engine_now(sv->eng));
}

/* The task has its image (pulled, shared, from the instance's copy):
 * containers start. The kubelet's Pulled event on EKS (reference §2.5b). */
static void task_image_ready(service *sv, service_task *t)
{
    assert(t->state == TASK_PENDING);
    double now = ecsim_engine_now(sv->eng);
    if (k8s_rules(sv) && t->image_source != TASK_IMAGE_CACHED) {
        const service_deployment *dp = &sv->deployments[t->deployment];
        char pod[ECSIM_NAME_MAX + 24], image[320], first[ECSIM_NAME_MAX + 24];
        pod_name(sv, t, pod, sizeof pod);
        image_ref(sv, dp->tag, image, sizeof image);
        if (t->image_source == TASK_IMAGE_SHARED)
            svc_log(sv, "pod %s: Successfully pulled image \"%s\" in 0s (%.1fs including waiting): "
                         "its layers came with the pull for pod %s on node i-%04d.",
                    pod, image, now - t->pull_started_s,
                    pod_name(sv, task_by_id(sv, t->image_from_task), first, sizeof first),
                    t->instance);
        else if (t->image_source == TASK_IMAGE_CHECKED)
            svc_log(sv, "pod %s: Successfully pulled image \"%s\" in %.1fs: its layers were "
                         "already on node i-%04d.",
                    pod, image, now - t->pull_started_s, t->instance);
        else
            svc_log(sv, "pod %s: Successfully pulled image \"%s\" in %.1fs (%.0f MB).", pod, image,
                    now - t->pull_started_s, sv->sc->image.size_mb);
    }
    task_schedule(sv, t, sv->sc->service.task.start_time_s * start_jitter(sv, t), EV_STARTED);
}

/* Where an ECS task's image came from, for its RUNNING line (reference
 * §2.5b); returns buf. */
static const char *image_source_text(const service *sv, const service_task *t, char *buf,
                                     size_t size)
{
    static const char *const behavior[] = {"default", "always", "once", "prefer-cached"};
    switch (t->image_source) {
    case TASK_IMAGE_SHARED:
        snprintf(buf, size, "image from the pull for task %d on i-%04d", t->image_from_task,
                 t->instance);
        break;
    case TASK_IMAGE_CHECKED:
        snprintf(buf, size, "image already on i-%04d (manifest checked)", t->instance);
        break;
    case TASK_IMAGE_CACHED:
        snprintf(buf, size, "cached image on i-%04d (ECS_IMAGE_PULL_BEHAVIOR %s)", t->instance,
                 behavior[sv->sc->service.cluster.image_pull_behavior & 3]);
        break;
    case TASK_IMAGE_FALLBACK:
        snprintf(buf, size, "registry unreachable: cached image on i-%04d (ECS_IMAGE_PULL_BEHAVIOR "
                            "default)", t->instance);
        break;
    default:
        snprintf(buf, size, "pulled %.0f MB", sv->sc->image.size_mb);
        break;
    }
    return buf;
}

static void task_event(ecsim_engine *eng, void *ctx, uint64_t arg)
{
    service *sv = ctx;
    service_task *t = task_by_id(sv, (int)(uint32_t)arg);
    enum task_event kind = (enum task_event)(arg >> 32);
    const ecsim_task_spec *ts = &sv->sc->service.task;
    const ecsim_load_balancer_spec *lb = &sv->sc->service.load_balancer;
    double now = ecsim_engine_now(eng);
    service_deployment *dp = &sv->deployments[t->deployment];
    t->next = 0;
    switch (kind) {
    case EV_PROVISIONED:
        task_update(sv, t, TASK_PENDING, t->healthy, t->stop_requested);
        if (sv->platform && !task_place(sv, t))
            break; /* waits for capacity */
        t->pull_started_s = now; /* Fargate billing starts here (reference §6) */
        task_pull(sv, t);
        break;
    case EV_PULL_RETRY:
        assert(t->state == TASK_PENDING);
        task_pull(sv, t);
        break;
    case EV_PULLED:
        task_image_ready(sv, t);
        break;
    case EV_STARTED:
        assert(t->state == TASK_PENDING || (t->state == TASK_ACTIVATING && t->restarts > 0));
        task_update(sv, t, TASK_ACTIVATING, t->healthy, t->stop_requested);
        task_schedule(sv, t, ts->activating_time_s, EV_ACTIVATED);
        break;
    case EV_ACTIVATED: {
        assert(t->state == TASK_ACTIVATING);
        task_update(sv, t, TASK_RUNNING, t->healthy, t->stop_requested);
        t->running_s = now;
        dp->breaker_stage2 = true; /* stage 2 once a task is RUNNING (reference §2.2) */
        /* Tasks that reach RUNNING end a run of start failures (reference §2.4 item 4). */
        sv->start_failures = 0;
        sv->throttle_delay_s = 0;
        const char *note = lb->enable ? "registering with the target group"
                                      : "healthy in 40 s (no load balancer)";
        if (dp->defect == ECSIM_DEFECT_CRASH) {
            task_schedule(sv, t, CRASH_AFTER_S, EV_CRASHED);
            note = "its essential container is about to exit (defect: crash)";
        } else if (dp->defect == ECSIM_DEFECT_UNHEALTHY) {
            /* Health checks count after the grace period (reference §2.1):
             * unhealthy threshold x interval behind a load balancer, the
             * container check's retries x interval without one. */
            double checks = lb->enable ? lb->unhealthy_threshold * lb->health_check_interval_s
                                       : CONTAINER_HC_RETRIES * CONTAINER_HC_INTERVAL_S;
            if (!k8s_rules(sv))
                task_schedule(sv, t, ts->health_check_grace_s + checks, EV_UNHEALTHY);
            /* On EKS a failing readiness probe keeps the pod out of
             * service; nothing replaces it (the rollout stalls, §5.4). */
            note = k8s_rules(sv) ? "readiness probe failing: the pod never becomes Ready"
                               : "failing its health checks (defect: unhealthy)";
        } else {
            double healthy_after = lb->enable ? lb->health_check_interval_s * lb->healthy_threshold
                                              : HEALTHY_WITHOUT_LB_S;
            task_schedule(sv, t, healthy_after, EV_HEALTHY);
        }
        if (t->restarts == 0 && k8s_rules(sv)) {
            char pod[ECSIM_NAME_MAX + 24];
            svc_log(sv, "pod %s (AZ %d): Started container %s; %s", pod_name(sv, t, pod, sizeof pod),
                    t->az, svc_name(sv),
                    lb->enable                             ? "registering with the target group"
                    : dp->defect == ECSIM_DEFECT_CRASH     ? "its container is about to exit (defect: crash)"
                    : dp->defect == ECSIM_DEFECT_UNHEALTHY ? note
                                                           : "Ready in 40 s (no load balancer)");
        } else if (t->restarts == 0) {
            char from[160];
            svc_log(sv, "task %d RUNNING (deployment ecs-svc/%d, AZ %d): %s, %s", t->id, dp->id,
                    t->az, image_source_text(sv, t, from, sizeof from), note);
        }
        break;
    }
    case EV_HEALTHY:
        assert(t->state == TASK_RUNNING);
        task_update(sv, t, TASK_RUNNING, true, t->stop_requested);
        if (task_current(sv, t))
            dp->progress_s = now; /* a new pod became available: progress (§5.4) */
        break;
    case EV_CRASHED:
        assert(t->state == TASK_RUNNING);
        if (k8s_rules(sv)) {
            /* The kubelet restarts the container in place with a back-off
             * of 10 s doubling to 300 s: CrashLoopBackOff (reference §5.4). */
            t->restarts++;
            double backoff = K8S_BACKOFF_INITIAL_S * pow(2.0, t->restarts - 1);
            if (backoff > K8S_BACKOFF_MAX_S || !isfinite(backoff))
                backoff = K8S_BACKOFF_MAX_S;
            task_update(sv, t, TASK_ACTIVATING, false, t->stop_requested);
            char pod[ECSIM_NAME_MAX + 24];
            svc_log(sv, "pod %s: container exited with code 1, restart %d; "
                         "Back-off restarting failed container (CrashLoopBackOff): next start in %.0f s.",
                    pod_name(sv, t, pod, sizeof pod), t->restarts, backoff);
            if (t->restarts == 1)
                task_failed(sv, t);
            task_schedule(sv, t, backoff, EV_STARTED);
            break;
        }
        /* RUNNING, then the essential container exits: the scheduler
         * replaces the task; no throttle (reference §2.4 item 4). */
        task_stop_now(sv, t, "EssentialContainerExited", "Essential container in task exited");
        svc_log(sv, "task %d stopped (EssentialContainerExited): Essential container in task "
                     "exited (exit code 1).",
                t->id);
        task_failed(sv, t);
        breaker_count_failure(sv, dp, "tasks failed to start");
        break;
    case EV_UNHEALTHY: {
        assert(t->state == TASK_RUNNING);
        char reason[200];
        if (lb->enable) {
            snprintf(reason, sizeof reason,
                     "Task failed ELB health checks in (target-group arn:aws:elasticloadbalancing:"
                     "us-east-1:123456789012:targetgroup/%s/0123456789abcdef)", svc_name(sv));
            svc_log(sv, "service %s (task %d) is unhealthy in (target-group %s) due to (reason "
                         "Target has failed at least the UnhealthyThreshold number of health "
                         "checks consecutively.)",
                    svc_name(sv), t->id, svc_name(sv));
        } else {
            snprintf(reason, sizeof reason, "Task failed container health checks");
            svc_log(sv, "service %s (task %d) is unhealthy: (reason the essential container's "
                         "health check failed %d times in a row.)",
                    svc_name(sv), t->id, CONTAINER_HC_RETRIES);
        }
        task_begin_stop(sv, t, "ServiceSchedulerInitiated", reason, drain_time(sv));
        task_failed(sv, t);
        breaker_count_failure(sv, dp, "tasks failed health checks");
        break;
    }
    case EV_DEACTIVATED:
        task_update(sv, t, TASK_STOPPING, t->healthy, t->stop_requested);
        task_schedule(sv, t, fmin(STOPPING_TIME_S, ts->stop_timeout_s), EV_STOPPED);
        break;
    case EV_STOPPED: {
        assert(t->state == TASK_STOPPING);
        const char *reason = t->stop_reason;
        task_stop_now(sv, t, t->pending_stop_code ? t->pending_stop_code : "ServiceSchedulerInitiated",
                      reason[0] ? reason : "Scaling activity initiated by deployment");
        break;
    }
    }
    notify_changed(sv);
    if (sv->cb.task_event_done)
        sv->cb.task_event_done(sv->cb_ctx);
    schedule_reconcile(sv, now);
}

/* ---- the scheduler ---------------------------------------------------------------------- */

static void reconcile_event(ecsim_engine *eng, void *ctx, uint64_t arg)
{
    (void)eng;
    (void)arg;
    service *sv = ctx;
    sv->reconcile_event = 0;
    service_reconcile(sv);
    /* Tasks launched or told to stop (scale-in, replacement) change the
     * task set now: in requests mode a task that begins to drain leaves
     * the load balancer's targets at once (reference §2.3). */
    notify_changed(sv);
}

static void schedule_reconcile(service *sv, double at_s)
{
    service *s = sv;
    double now = ecsim_engine_now(sv->eng);
    if (at_s < now)
        at_s = now;
    if (s->reconcile_event) {
        if (s->reconcile_at_s <= at_s)
            return; /* one pass covers every change up to then */
        /* An earlier pass is wanted (e.g. a new revision while throttled). */
        ecsim_engine_cancel(sv->eng, s->reconcile_event);
    }
    s->reconcile_at_s = at_s;
    s->reconcile_event = ecsim_engine_schedule(sv->eng, at_s, reconcile_event, sv, 0);
    if (!s->reconcile_event)
        sv->oom = 1;
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
static double scheduler_tasks_per_minute(const service *sv)
{
    const ecsim_service_spec *ss = &sv->sc->service;
    if (ss->launch_limits.tasks_per_minute > 0)
        return ss->launch_limits.tasks_per_minute;
    return sv->rules.tasks_per_minute;
}

/* task.vcpu added once per live task, in the order a scan would add it (so
 * the sum is the same double as ever): memoised sums of k terms. */
static double vcpu_in_use(service *sv)
{
    service *s = sv;
    size_t alive = (size_t)(s->task_count - (size_t)s->n_state[TASK_STOPPED]);
    while (s->vcpu_sums_count <= alive) {
        if (s->vcpu_sums_count == s->vcpu_sums_capacity) {
            size_t cap = s->vcpu_sums_capacity ? s->vcpu_sums_capacity * 2 : 64;
            double *v = ecsim_reallocarray(s->vcpu_sums, cap, sizeof *v);
            if (!v) {
                sv->oom = 1;
                return (double)alive * sv->sc->service.task.vcpu;
            }
            s->vcpu_sums = v;
            s->vcpu_sums_capacity = cap;
        }
        size_t k = s->vcpu_sums_count++;
        s->vcpu_sums[k] = k == 0 ? 0.0 : s->vcpu_sums[k - 1] + sv->sc->service.task.vcpu;
    }
    return s->vcpu_sums[alive];
}

/* May one more task launch now? Fargate's account token bucket (burst 100,
 * 20 per second, §2.5), the scheduler's per-minute pace, and the account's
 * Fargate vCPU quota (§2.6: "You've reached the limit on the number of vCPUs
 * you can run concurrently"; MODEL: ECS tries again a minute later). */
static bool may_launch(service *sv, double *retry_at)
{
    service *s = sv;
    const ecsim_service_spec *ss = &sv->sc->service;
    const ecsim_launch_limits_spec *ll = &ss->launch_limits;
    double now = ecsim_engine_now(sv->eng);
    bool fargate = sv->rules.fargate_limits;
    if (fargate && ll->vcpu_quota > 0) {
        double vcpus = vcpu_in_use(sv);
        if (vcpus + ss->task.vcpu > ll->vcpu_quota + 1e-9) {
            if (!s->quota_announced) {
                s->quota_announced = true;
                if (k8s_rules(sv))
                    svc_log(sv, "deployment %s: Fargate refused a new pod: You've reached the limit "
                                 "on the number of vCPUs you can run concurrently (quota %g vCPU, %g "
                                 "in use).",
                            svc_name(sv), ll->vcpu_quota, vcpus);
                else
                    svc_log(sv, "service %s was unable to place a task. Reason: You've reached the limit "
                                 "on the number of vCPUs you can run concurrently (quota %g vCPU, %g in use).",
                            svc_name(sv), ll->vcpu_quota, vcpus);
                svc_marker(sv, "quota_limit", "vCPU quota reached");
            }
            *retry_at = fmin(*retry_at, now + 60.0);
            return false;
        }
    }
    double per_minute = scheduler_tasks_per_minute(sv);
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
static void log_stopped(service *sv, const int *ids, int n)
{
    char list[256] = "";
    size_t len = 0;
    if (k8s_rules(sv)) {
        char pod[ECSIM_NAME_MAX + 24];
        for (int i = 0; i < n && len < sizeof list - 40; i++)
            len += (size_t)snprintf(list + len, sizeof list - len, " %s",
                                    pod_name(sv, task_by_id(sv, ids[i]), pod, sizeof pod));
        svc_log(sv, "deployment %s: SuccessfulDelete: Deleted pod%s:%s.", svc_name(sv), n == 1 ? "" : "s",
                list);
        return;
    }
    for (int i = 0; i < n && len < sizeof list - 16; i++)
        len += (size_t)snprintf(list + len, sizeof list - len, " (task %d)", ids[i]);
    svc_log(sv, "service %s has stopped %d running tasks:%s.", svc_name(sv), n, list);
}

/* Scale-in on EC2 / EKS: the cluster picks the victims by the placement
 * strategy (reference §3.2: binpack frees the emptiest instance, spread
 * keeps the zones balanced). Returns how many tasks it stopped; 0 (the
 * caller falls back to youngest first) if memory ran out. */
static int stop_cluster_victims(service *sv, int k)
{
    service *s = sv;
    const ecsim_task_spec *ts = &sv->sc->service.task;
    /* The active tasks of the current revision, oldest first (sized by
     * them, not by every task ever launched). */
    int *cur;
    int nc = dep_cursors(sv, true, true, &cur);
    size_t active = 0;
    for (size_t i = 0; i < s->dep_live_count; i++)
        if (deployment_current(sv, s->dep_live[i]))
            active += (size_t)s->deployments[s->dep_live[i]].active;
    service_task_ref *refs = ecsim_reallocarray(NULL, active ? active : 1, sizeof *refs);
    int *chosen = ecsim_reallocarray(NULL, (size_t)k, sizeof *chosen);
    int n = 0, stopped = 0;
    if (refs && chosen) {
        for (const service_task *t; (t = dep_cursors_next(sv, cur, nc, true)) != NULL;)
            refs[n++] = (service_task_ref){t->id, t->instance, ts->vcpu, ts->memory_gb};
        int got = sv->platform->choose_victims(sv->platform_ctx, refs, n, k, chosen);
        for (int i = 0; i < got; i++) {
            service_task *t = task_by_id(sv, refs[chosen[i]].task_id);
            task_scheduler_stop(sv, t);
            log_stopped(sv, &t->id, 1);
            stopped++;
        }
    }
    ecsim_free(refs);
    ecsim_free(chosen);
    return stopped;
}

static void service_reconcile(service *sv)
{
    service *s = sv;
    service_deployment *dp = primary_dp(sv);
    if (!s->provisioned || !dp)
        return;
    double now = ecsim_engine_now(sv->eng);

    int n_primary = 0, n_old = 0, old_unhealthy = 0;
    for (size_t i = 0; i < s->dep_live_count; i++) {
        const service_deployment *d = &s->deployments[s->dep_live[i]];
        if (deployment_current(sv, s->dep_live[i])) {
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
    service_rollout_bounds(&sv->sc->service.deployment, sv->rules.kubernetes, s->desired,
                           &min_healthy, &max_tasks);

    /* Stop surplus tasks: old revisions first (as long as enough stay
     * healthy: health checks gate the rollout), then current tasks beyond
     * desired, youngest first. */
    int can_stop = healthy - min_healthy;
    int stopped[32], n_stopped = 0, old_stopped = 0;
    int *cur = NULL;
    int nc = n_old > 0 ? dep_cursors(sv, false, false, &cur) : 0;
    for (service_task *t; n_old > 0 && (t = dep_cursors_next(sv, cur, nc, false)) != NULL;) {
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
        task_scheduler_stop(sv, t);
        n_old--;
        old_stopped++;
        if (was_running && n_stopped < 32)
            stopped[n_stopped++] = t->id;
    }
    if (n_stopped > 0)
        log_stopped(sv, stopped, n_stopped);
    if (sv->platform && n_primary > s->desired)
        n_primary -= stop_cluster_victims(sv, n_primary - s->desired);
    nc = n_primary > s->desired ? dep_cursors(sv, true, false, &cur) : 0;
    for (service_task *t; n_primary > s->desired && (t = dep_cursors_next(sv, cur, nc, false)) != NULL;) {
        task_scheduler_stop(sv, t);
        n_primary--;
        log_stopped(sv, &t->id, 1);
    }

    /* Launch towards desired. */
    if (dp->rollout == ROLLOUT_FAILED)
        return; /* no new tasks for a FAILED deployment (reference §2.2) */
    int want = s->desired - n_primary;
    /* ECS: maximumPercent bounds the tasks in RUNNING or PENDING; draining
     * tasks (DEACTIVATING, STOPPING) do not count, so new tasks do not wait
     * for the deregistration delay (reference §2.1, API DeploymentConfiguration).
     * Kubernetes' maxSurge counts every pod that is not yet gone (§5.4). */
    int counted = sv->rules.kubernetes ? alive : s->n_active;
    int room = max_tasks - counted;
    if (room < want && n_old == 0)
        room = want; /* no rolling update under way: plain scaling */
    int launch = want < room ? want : room;
    if (launch <= 0) {
        /* Neither bound lets the rollout move and nothing is in flight
         * that could change that (reference §2.1, [D7]). */
        if (n_old > 0 && want > 0 && old_stopped == 0 && in_flight == 0 && !dp->stuck_announced) {
            dp->stuck_announced = true;
            if (k8s_rules(sv))
                svc_log(sv, "deployment %s: the rollout cannot progress: maxSurge and maxUnavailable "
                             "leave no room to create or delete a pod.",
                        svc_name(sv));
            else
                svc_log(sv, "service %s was unable to stop or start tasks during a deployment because "
                             "of the service deployment configuration. Update the minimumHealthyPercent "
                             "or maximumPercent value and try again.",
                        svc_name(sv));
            if (sv->cb.rollout_stuck)
                sv->cb.rollout_stuck(sv->cb_ctx);
        }
        return;
    }
    double back = zones_back_at(sv);
    if (back >= 0) {
        schedule_reconcile(sv, back); /* every zone is down */
        return;
    }
    if (now < s->next_launch_s) {
        schedule_reconcile(sv, s->next_launch_s);
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
        if (!may_launch(sv, &retry_at))
            break;
        launch_task(sv);
        launched++;
    }
    if (launched > 0 && k8s_rules(sv)) {
        char pods[256] = "", pod[ECSIM_NAME_MAX + 24], rs[ECSIM_NAME_MAX + 16];
        size_t n = 0;
        for (size_t i = s->task_count - (size_t)launched; i < s->task_count && n < sizeof pods - 40; i++)
            n += (size_t)snprintf(pods + n, sizeof pods - n, " %s", pod_name(sv, &s->tasks[i], pod, sizeof pod));
        svc_log(sv, "replicaset %s: SuccessfulCreate: Created pod%s:%s.",
                service_replicaset_name(sv, dp->revision, rs, sizeof rs), launched == 1 ? "" : "s", pods);
    } else if (launched > 0) {
        char ids[256] = "";
        size_t n = 0;
        for (size_t i = s->task_count - (size_t)launched; i < s->task_count && n < sizeof ids - 16; i++)
            n += (size_t)snprintf(ids + n, sizeof ids - n, " (task %d)", s->tasks[i].id);
        svc_log(sv, "service %s has started %d tasks:%s.", svc_name(sv), launched, ids);
    }
    if (launched < launch && isfinite(retry_at))
        schedule_reconcile(sv, retry_at);
}

void service_provisioned(service *sv)
{
    sv->provisioned = true;
    sv->tokens_at_s = ecsim_engine_now(sv->eng);
    sv->sched_tokens = scheduler_tasks_per_minute(sv);
    sv->sched_tokens_at_s = ecsim_engine_now(sv->eng);
    schedule_reconcile(sv, ecsim_engine_now(sv->eng));
}

void service_set_desired(service *sv, int desired)
{
    if (desired == sv->desired)
        return;
    const service_deployment *dp = service_primary(sv);
    if (k8s_rules(sv) && dp && sv->provisioned) {
        char rs[ECSIM_NAME_MAX + 16];
        svc_log(sv, "deployment %s: Scaled %s replica set %s to %d.", svc_name(sv),
                desired > sv->desired ? "up" : "down",
                service_replicaset_name(sv, dp->revision, rs, sizeof rs), desired);
    }
    sv->desired = desired;
    schedule_reconcile(sv, ecsim_engine_now(sv->eng));
}

/* Called by sim.c after task changes: deployment completion is when the
 * current revision has `desired` healthy tasks and no task of another
 * revision is left (reference §2.2 rolloutState COMPLETED). */
void service_check_rollout(service *sv)
{
    service *s = sv;
    service_deployment *dp = primary_dp(sv);
    if (!dp || dp->rollout != ROLLOUT_IN_PROGRESS)
        return;
    int healthy = 0, old_alive = 0;
    for (size_t i = 0; i < s->dep_live_count; i++) {
        const service_deployment *d = &s->deployments[s->dep_live[i]];
        if (deployment_current(sv, s->dep_live[i]))
            healthy += d->healthy_active;
        else
            old_alive += d->alive;
    }
    if (healthy >= s->desired && old_alive == 0) {
        deployment_finish(sv, dp, ROLLOUT_COMPLETED);
        char rs[ECSIM_NAME_MAX + 16];
        if (k8s_rules(sv))
            svc_log(sv, "deployment %s: successfully rolled out (ReplicaSet \"%s\", %d pods ready).",
                    svc_name(sv), service_replicaset_name(sv, dp->revision, rs, sizeof rs), healthy);
        else
            svc_log(sv, "service %s (deployment ecs-svc/%d) deployment completed.", svc_name(sv), dp->id);
        if (sv->cb.deployment_completed)
            sv->cb.deployment_completed(sv->cb_ctx, dp);
    }
}

/* ---- faults ------------------------------------------------------------------------------ */

/* The `nth` (0-based) RUNNING task that still counts towards desired. */
static service_task *nth_running(service *sv, int *count_out, uint64_t nth)
{
    service *s = sv;
    if (count_out)
        *count_out = s->n_run_avail;
    if (nth >= (uint64_t)s->n_run_avail)
        return NULL;
    service_task *t = &s->tasks[run_tree_find(s, (int)nth)];
    assert(task_run_avail(t));
    return t;
}

/* A random RUNNING task (victims of kill_tasks and Spot) drawn from the
 * fault's stream `rng`, or NULL. */
static service_task *random_running(service *sv, ecsim_rng *rng)
{
    int n;
    nth_running(sv, &n, UINT64_MAX);
    if (n == 0)
        return NULL;
    return nth_running(sv, NULL, ecsim_rng_below(rng, (uint64_t)n));
}

int service_kill_tasks(service *sv, int count)
{
    int killed = 0;
    service_task *t;
    ecsim_rng rng;
    ecsim_rng_derive_indexed(&rng, sv->seed, "events.faults", ++sv->fault_calls);
    while (killed < count && (t = random_running(sv, &rng)) != NULL) {
        /* A killed process is an essential container that exited (SIGKILL,
         * exit code 137): stopCode EssentialContainerExited (reference §2.3). */
        task_stop_now(sv, t, "EssentialContainerExited", "Essential container in task exited");
        if (k8s_rules(sv)) {
            char pod[ECSIM_NAME_MAX + 24];
            svc_log(sv, "pod %s: container %s terminated (exit code 137: killed); the pod is deleted "
                         "and the ReplicaSet creates another.",
                    pod_name(sv, t, pod, sizeof pod), svc_name(sv));
        } else {
            svc_log(sv, "task %d stopped (EssentialContainerExited): Essential container in task exited "
                         "(exit code 137: killed).",
                    t->id);
        }
        sv->stats.tasks_replaced++;
        killed++;
    }
    if (killed > 0) {
        notify_changed(sv);
        schedule_reconcile(sv, ecsim_engine_now(sv->eng));
    }
    return killed;
}

int service_az_outage(service *sv, int az, double until_s)
{
    service *s = sv;
    if (az < 1 || az > sv->sc->service.availability_zones)
        return 0;
    if (until_s > s->az_down_until_s[az])
        s->az_down_until_s[az] = until_s;
    int lost = 0;
    for (int id = s->live_head; id;) {
        service_task *t = task_by_id(sv, id);
        id = t->live_next;
        if (t->az != az)
            continue;
        /* MODEL: the reference has no stop code for a lost zone; the
         * infrastructure notice is the closest (reference §2.3). */
        task_stop_now(sv, t, "TerminationNotice",
                      "Task stopped: its availability zone became unavailable");
        lost++;
    }
    s->next_az = az % sv->sc->service.availability_zones + 1;
    sv->stats.tasks_replaced += lost;
    if (lost > 0)
        notify_changed(sv);
    schedule_reconcile(sv, ecsim_engine_now(sv->eng));
    return lost;
}

int service_spot_interruption(service *sv, int count)
{
    int hit = 0;
    service_task *t;
    ecsim_rng rng;
    ecsim_rng_derive_indexed(&rng, sv->seed, "events.faults", ++sv->fault_calls);
    while (hit < count && (t = random_running(sv, &rng)) != NULL) {
        /* Two-minute notice: SIGTERM and deregistration now, STOPPED with
         * SpotInterruption two minutes later; the scheduler starts the
         * replacement at the notice (MODEL). */
        task_begin_stop(sv, t, "SpotInterruption", "Your Spot Task was interrupted.",
                        SPOT_NOTICE_S - fmin(STOPPING_TIME_S, sv->sc->service.task.stop_timeout_s));
        if (k8s_rules(sv)) {
            char pod[ECSIM_NAME_MAX + 24];
            svc_log(sv, "pod %s: its capacity is reclaimed (Spot interruption): SIGTERM now, "
                         "deleted in 2 minutes.",
                    pod_name(sv, t, pod, sizeof pod));
        } else {
            svc_log(sv, "task %d received a Fargate Spot interruption notice: SIGTERM now, "
                         "stopped (SpotInterruption) in 2 minutes.",
                    t->id);
        }
        sv->stats.tasks_replaced++;
        hit++;
    }
    if (hit > 0) {
        notify_changed(sv);
        schedule_reconcile(sv, ecsim_engine_now(sv->eng));
    }
    return hit;
}
