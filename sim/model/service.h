/* The ECS service (or Kubernetes Deployment): its tasks, its deployments
 * and the service scheduler (private to sim/model; the whole story is at
 * the top of service.c).
 *
 * One opaque handle owns every task ever launched, every deployment, the
 * scheduler's throttle and launch-rate buckets and the per-state counters.
 * The service lives on an engine; it asks a platform where tasks can run
 * (service_platform: capacity on instances or nodes; NULL = Fargate, room
 * everywhere), resolves images in a registry, and reports what happens
 * through service_callbacks, the way cluster.h does. It never sees the
 * simulation that owns it: sim.c wires it to the cluster, the scaling and
 * the recorders.
 *
 * Random draws use the seed through named streams: "registry.pull" (pull
 * retry jitter), "service.start" (start-time jitter), "events.faults" (the
 * victims of kill_tasks and Spot interruptions). */
#ifndef ECSIM_MODEL_SERVICE_H
#define ECSIM_MODEL_SERVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ecsim/engine.h"
#include "ecsim/scenario.h"
#include "registry.h"

typedef struct service service;

/* The task lifecycle of reference §2.3, in order. */
typedef enum task_state {
    TASK_PROVISIONING,
    TASK_PENDING,
    TASK_ACTIVATING,
    TASK_RUNNING,
    TASK_DEACTIVATING,
    TASK_STOPPING,
    TASK_STOPPED
} task_state;

/* Where a task's image came from (reference §2.5b). Fargate tasks always
 * pull (§2.5). */
typedef enum task_image_source {
    TASK_IMAGE_PULLED,        /* its start pulled the image */
    TASK_IMAGE_SHARED,        /* waited for the pull another task's start began on its instance */
    TASK_IMAGE_CHECKED,       /* already on the instance; the registry was asked (manifest check) */
    TASK_IMAGE_CACHED,        /* already there; no pull (once, prefer-cached, IfNotPresent) */
    TASK_IMAGE_FALLBACK       /* the pull failed; the instance's copy was used (ECS default) */
} task_image_source;

/* A task, as the service keeps it (read-only outside service.c). */
typedef struct service_task {
    int id;                   /* 1-based, in launch order */
    int deployment;           /* index of the deployment that launched it */
    task_state state;
    bool healthy;             /* counted healthy (reference §2.1 table) */
    bool stop_requested;      /* scheduler chose it for scale-in / replacement */
    int az;                   /* 1-based availability zone */
    int pull_attempt;
    double launched_s;        /* PROVISIONING began */
    double pull_started_s;    /* NaN until the pull starts (Fargate billing starts here, §6) */
    double running_s;         /* NaN until RUNNING */
    double stopped_s;         /* NaN until STOPPED */
    ecsim_event_id next;      /* the pending state transition, 0 if none */
    const char *stop_code;    /* reference §2.3 stop codes, NULL while alive */
    const char *stop_reason;  /* "" while alive; interned by the service (few distinct texts) */
    const char *pending_stop_code; /* set by an orderly stop, applied when STOPPED */
    int restarts;             /* eks: container restarts (CrashLoopBackOff, reference §5.4) */
    int instance;             /* ec2 / eks: the instance it is placed on, 0 = none */
    bool waiting_capacity;    /* ec2 / eks: PENDING, no instance has room (reference §2.6) */
    /* ec2 / eks: where its image came from (reference §2.5b), the task whose
     * start began the instance's pull (TASK_IMAGE_SHARED), and while it
     * waits for that pull: the pull (index + 1, 0 = none) and the next
     * waiter's id. */
    task_image_source image_source;
    int image_from_task;
    int pull_wait, pull_next;
    /* The service's indexes: the live list (not STOPPED, id order) and the
     * deployment's active list (counts towards desired, id order); ids, 0 = none. */
    int live_prev, live_next;
    int act_prev, act_next;
    bool changed;             /* in the changed-task list */
} service_task;

/* rolloutState (reference §2.2): IN_PROGRESS -> COMPLETED or FAILED, once. */
typedef enum rollout_state {
    ROLLOUT_IN_PROGRESS,
    ROLLOUT_COMPLETED,
    ROLLOUT_FAILED
} rollout_state;

typedef struct service_deployment {
    int id;                   /* 1-based ("ecs-svc/<id>") */
    int revision;             /* task definition revision */
    char tag[ECSIM_NAME_MAX];
    char digest[80];          /* resolved at deployment start (reference §2.4 item 6); "" if not found */
    ecsim_defect defect;
    rollout_state rollout;
    bool is_rollback;
    int failed_tasks;         /* circuit breaker count (reference §2.2) */
    int breaker_threshold;
    bool breaker_off;         /* not watched: the §2.2 caveat (skip_if_running) applied */
    bool breaker_stage2;      /* entered once a task of it reached RUNNING */
    bool stuck_announced;     /* min/max make progress impossible (reference §2.1 [D7]) */
    int rolled_back_from;     /* is_rollback: index of the FAILED deployment, else -1 */
    const char *failure;      /* why it FAILED: "tasks failed to start", ... ; NULL */
    double progress_s;        /* eks: last progress (progressDeadlineSeconds, reference §5.4) */
    double started_s;
    double finished_s;        /* COMPLETED or FAILED time; NaN while in progress */
    /* Counters of its tasks, kept by the service's one transition function. */
    int alive;                /* not STOPPED */
    int active;               /* counts towards desired */
    int prestart;             /* alive, not yet RUNNING */
    int running_avail;        /* RUNNING, not chosen to stop */
    int healthy_active;       /* RUNNING, healthy, not chosen to stop */
    int act_head, act_tail;   /* its active tasks, oldest / youngest id, 0 = none */
} service_deployment;

/* A live task as the platform sees it when it picks scale-in victims. */
typedef struct service_task_ref {
    int task_id;
    int instance;
    double vcpu;
    double memory_gb;
} service_task_ref;

/* Where tasks run (EC2 instances, EKS nodes). Every function gets `ctx`. */
typedef struct service_platform {
    /* Place a task: the instance id (its zone in *az), or -1 if none has room. */
    int (*place)(void *ctx, double vcpu, double memory_gb, int *az);
    void (*release)(void *ctx, int instance, double vcpu, double memory_gb);
    /* Tasks waiting for capacity now (drives the capacity scaler). */
    void (*set_pending)(void *ctx, int count, double vcpu, double memory_gb);
    /* Why a task fits nowhere, for the event message; returns buf. */
    const char *(*explain_no_fit)(void *ctx, double vcpu, double memory_gb, char *buf, size_t size);
    /* Choose k of `count` tasks to stop (placement strategy, reference
     * §3.2): their indexes into tasks[] in chosen[]; returns how many. */
    int (*choose_victims)(void *ctx, const service_task_ref *tasks, int count, int k, int *chosen);
} service_platform;

/* What the service reports. Every function gets `ctx`; NULL = not interested. */
typedef struct service_callbacks {
    void (*log)(void *ctx, const char *message);               /* one events.log line */
    void (*marker)(void *ctx, const char *kind, const char *label); /* a plot marker, now */
    void (*tasks_changed)(void *ctx);        /* the task set or a task's state changed */
    void (*task_event_done)(void *ctx);      /* a task transition was handled */
    void (*task_stopped)(void *ctx, const service_task *t);   /* reached STOPPED */
    void (*task_failed)(void *ctx, const service_task *t);    /* failed after RUNNING */
    void (*deployment_failed)(void *ctx, const service_deployment *dp);
    void (*deployment_completed)(void *ctx, const service_deployment *dp);
    void (*rollout_stuck)(void *ctx);        /* min/max make the rollout impossible */
} service_callbacks;

/* The platform's rules for the scheduler (platform.h gives them). */
typedef struct service_rules {
    /* Kubernetes Deployment semantics (reference §5.4): maxSurge /
     * maxUnavailable bounds, CrashLoopBackOff restarts in place, the
     * progress deadline instead of the circuit breaker, no automatic
     * rollback, pod / ReplicaSet wording. false: the ECS scheduler (§2). */
    bool kubernetes;
    /* The scheduler's own launch pace, tasks per minute (reference §2.5:
     * 500 on Fargate, 250 on EC2; 0 = none); the scenario may override it. */
    double tasks_per_minute;
    /* The account's Fargate launch token bucket and vCPU quota apply (§2.5, §2.6). */
    bool fargate_limits;
} service_rules;

/* Counts for the summary. */
typedef struct service_stats {
    int tasks_started;
    int tasks_failed;         /* stopped before RUNNING (TaskFailedToStart) */
    int tasks_replaced;       /* stopped by faults or failures and replaced */
    int rollbacks;
    /* ec2 / eks image pulls that completed on an instance (reference
     * §2.5b): full downloads, and manifest checks of an image already there. */
    int image_downloads;
    int image_checks;
} service_stats;

/* A service on `eng` for the scenario's service, images from `reg`, under
 * the platform's `rules` (copied); `platform` NULL on Fargate. The pointers must outlive the service. NULL
 * on OOM. */
service *service_create(const ecsim_scenario *sc, uint64_t seed, ecsim_engine *eng, registry *reg,
                        const service_rules *rules, const service_platform *platform,
                        void *platform_ctx, const service_callbacks *cb, void *cb_ctx);
void service_destroy(service *sv);

/* The service exists: the scheduler may launch tasks. */
void service_provisioned(service *sv);
bool service_is_provisioned(const service *sv);
/* Start a deployment of `tag` (resolving it to a digest now). 0 or ECSIM_ENOMEM. */
int service_deploy(service *sv, const char *tag, ecsim_defect defect, bool is_rollback);
/* Change the desired count (policy or manual); clamps nothing. */
void service_set_desired(service *sv, int desired);
int service_desired(const service *sv);
/* Mark the primary deployment COMPLETED when it has desired healthy tasks
 * and no older task is left (the owner calls it after changes). */
void service_check_rollout(service *sv);

/* Counts, O(1). */
int service_count(const service *sv, task_state state);
int service_ready_count(const service *sv);    /* receive traffic */
int service_active_count(const service *sv);   /* count towards desired */
int service_healthy_count(const service *sv);  /* RUNNING, healthy, not chosen to stop */
int service_pending_count(const service *sv);  /* PROVISIONING, PENDING, ACTIVATING */
int service_alive_count(const service *sv);    /* not STOPPED */
int service_waiting_count(const service *sv);  /* waiting for capacity */
const service_stats *service_get_stats(const service *sv);
/* An allocation failed in an event handler: the run must stop. */
bool service_oom(const service *sv);

/* Tasks: every one ever launched by index (id - 1), and the live ones in id order. */
size_t service_task_count(const service *sv);
const service_task *service_task_at(const service *sv, size_t i);
const service_task *service_live_first(const service *sv);
const service_task *service_live_next(const service *sv, const service_task *t);
/* The index of the first task not STOPPED (every task before it is). */
size_t service_first_live(const service *sv);
/* Collect the tasks whose state, health or stop request changed, and hand
 * them out sorted by id, once each (the list empties). *ids is valid until
 * the next change. */
void service_track_changes(service *sv);
size_t service_take_changed(service *sv, const int **ids);

/* Deployments, by index. */
size_t service_deployment_count(const service *sv);
const service_deployment *service_deployment_at(const service *sv, size_t i);
/* The PRIMARY deployment and its index, NULL / -1 before the first. */
const service_deployment *service_primary(const service *sv);
int service_primary_index(const service *sv);
/* The newest COMPLETED deployment before index `before`, or -1. */
int service_last_completed(const service *sv, int before);
/* The service throttle (reference §2.4 item 4): announced, its delay now,
 * and the consecutive start failures behind it. */
bool service_throttle_announced(const service *sv);
double service_throttle_delay(const service *sv);
int service_start_failures(const service *sv);

/* Faults. Each returns the number of tasks hit. */
/* Stop up to `count` RUNNING tasks at once (EssentialContainerExited). */
int service_kill_tasks(service *sv, int count);
/* Zone `az` is unavailable until `until_s`: its tasks stop (TerminationNotice). */
int service_az_outage(service *sv, int az, double until_s);
/* Fargate Spot: `count` tasks get the two-minute notice. */
int service_spot_interruption(service *sv, int count);
/* The platform lost an instance: its tasks stop (TerminationNotice). */
void service_instance_lost(service *sv, int instance_id);
/* The platform has new capacity: place the waiting tasks, oldest first. */
void service_capacity_available(service *sv);

/* Pure rules. */
/* Circuit-breaker threshold: clamp(ceil(0.5 x desired), min, 200) (reference §2.2). */
int service_breaker_threshold(int desired, int min_threshold);
/* The agent's pull backoff before retry `retry` (1-based), jitter from u in
 * [0, 1): min(1.1 x 2^(retry-1), 5) x (1 +- 0.2) (reference §2.4 item 3). */
double service_pull_backoff_s(int retry, double u);
/* Rolling-update bounds for `desired` tasks: ECS ceil(min%) / floor(max%)
 * (reference §2.1), EKS desired - floor(maxUnavailable) / desired +
 * ceil(maxSurge) (reference §5.4). */
void service_rollout_bounds(const ecsim_deployment_spec *dep, bool kubernetes, int desired,
                            int *min_healthy, int *max_tasks);
const char *task_state_name(task_state s);
/* The Kubernetes name of the ReplicaSet of `revision`: "NAME-HASH", the
 * hash (10 characters of Kubernetes' safe alphabet) derived from the
 * service name and the revision, as a pod-template-hash is. Returns buf. */
const char *service_replicaset_name(const service *sv, int revision, char *buf, size_t size);

#endif
