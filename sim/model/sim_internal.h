/* Private model of one simulation, shared by the modules that play it:
 * sim.c (orchestration), lifecycle.c (steps and tracked variables),
 * registry.c (images and tags), service.c (tasks, deployments, scheduler),
 * eventlog.c (the ECS-style event log). Nothing outside sim/ sees these
 * structs; the public view is include/ecsim/sim.h. */
#ifndef ECSIM_SIM_INTERNAL_H
#define ECSIM_SIM_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ecsim/cost.h"
#include "ecsim/engine.h"
#include "ecsim/load.h"
#include "ecsim/metrics.h"
#include "ecsim/policy.h"
#include "ecsim/timeline.h"
#include "ecsim/rng.h"
#include "ecsim/scenario.h"
#include "ecsim/sim.h"
#include "registry.h"

/* ---- tasks and deployments (reference §2) ------------------------------------ */

typedef enum task_state {
    TASK_PROVISIONING,
    TASK_PENDING,
    TASK_ACTIVATING,
    TASK_RUNNING,
    TASK_DEACTIVATING,
    TASK_STOPPING,
    TASK_STOPPED
} task_state;

typedef struct sim_task {
    int id;                   /* 1-based, in launch order */
    int deployment;           /* index into service.deployments */
    task_state state;
    bool healthy;             /* counted healthy (reference §2.1 table) */
    bool stop_requested;      /* scheduler chose it for scale-in / replacement */
    int az;                   /* 1-based availability zone */
    int pull_attempt;
    double launched_s;        /* PROVISIONING began (billing starts at pull start, §6) */
    double pull_started_s;    /* NaN until the pull starts */
    double running_s;         /* NaN until RUNNING */
    double stopped_s;         /* NaN until STOPPED */
    ecsim_event_id next;      /* the pending state transition, 0 if none */
    const char *stop_code;    /* reference §2.3 stop codes, NULL while alive */
    char stop_reason[320];
    const char *pending_stop_code; /* set by an orderly stop, applied when STOPPED */
    int restarts;             /* eks: container restarts (CrashLoopBackOff, reference §5.4) */
    int instance;             /* ec2 / eks: the instance it is placed on, 0 = none */
    bool waiting_capacity;    /* ec2 / eks: PENDING, no instance has room (reference §2.6) */
    /* Indexes (service.c): the live list (every task not STOPPED, in id
     * order) and its deployment's active list (not STOPPED, not chosen to
     * stop, not draining, in id order); task ids, 0 = none. */
    int live_prev, live_next;
    int act_prev, act_next;
    bool changed;             /* in the service's changed-task list */
} sim_task;

typedef enum rollout_state {
    ROLLOUT_IN_PROGRESS,
    ROLLOUT_COMPLETED,
    ROLLOUT_FAILED
} rollout_state;

typedef struct sim_deployment {
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
    /* Counters of its tasks, kept by the one transition function
     * (service.c task_update): */
    int alive;                /* not STOPPED */
    int active;               /* counts towards desired (task_active) */
    int prestart;             /* alive, not yet RUNNING */
    int running_avail;        /* RUNNING, not chosen to stop */
    int healthy_active;       /* RUNNING, healthy, not chosen to stop */
    int act_head, act_tail;   /* its active tasks, oldest / youngest id, 0 = none */
} sim_deployment;

typedef struct sim_service {
    int desired;
    sim_task *tasks;          /* every task ever launched, by id - 1 */
    size_t task_count, task_capacity;
    size_t first_live;        /* tasks before this index are all STOPPED */
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
    int *cursors;             /* scratch: one walk over several deployments (service.c) */
    size_t cursor_capacity;
    size_t dep_live_count, dep_live_capacity;
    double *vcpu_sums;        /* vcpu_sums[k]: task.vcpu added k times (the quota check) */
    size_t vcpu_sums_count, vcpu_sums_capacity;
    bool track_changes;       /* requests mode: collect the tasks whose state changed */
    int *changed;             /* ids, unsorted, each once */
    size_t changed_count, changed_capacity;
    sim_deployment *deployments;
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
    bool steady;              /* "has reached a steady state" announced */
    int next_az;
    double az_down_until_s[11]; /* az_outage: zone (1-based) unavailable before this time */
} sim_service;

/* ---- operations and faults of the scenario (events.c) ------------------------------ */

/* One scenario event as it played out, for step 6 ("Monitor and update")
 * and the tracked variables. */
#define SIM_OPS_MAX 32
typedef struct sim_op {
    ecsim_action action;
    double started_s;
    double settled_s;         /* NaN while its effects last */
    int deployment;           /* deploy: index into service.deployments, -1 before / none */
    bool failed;              /* the operation failed (update failed, push rejected) */
    int affected;             /* tasks stopped by a fault, launches failed in an outage */
    int failed_before;        /* summary.tasks_failed when it started */
    int event;                /* index into sc->events */
    const char *fix;          /* what the user should change, NULL if nothing */
    char what[96];            /* "deploy 1.1", "kill 2 tasks", ... */
    char result[200];         /* filled when it settles */
} sim_op;

/* ---- the simulation -------------------------------------------------------------- */

struct ecsim_sim {
    const ecsim_scenario *sc;
    uint64_t seed;
    ecsim_engine *eng;
    ecsim_rng rng_registry;   /* pull retries jitter */
    ecsim_rng rng_service;    /* AZ choice, victims */
    ecsim_rng rng_start;      /* task start-time jitter */
    registry *registry;           /* the ECR repository (registry.h) */
    struct sim_cluster *cluster;  /* ec2 / eks: instances and their scaling (cluster.c); NULL on Fargate */
    int *instance_image;          /* ec2 / eks: registry image index + 1 cached on each instance */
    size_t instance_image_count;
    sim_service service;

    /* lifecycle */
    ecsim_tracked start_state;
    ecsim_tracked now_state;
    ecsim_step_record steps[ECSIM_STEP_COUNT + 1]; /* 1-based */
    int last_step;            /* highest step recorded so far */
    int reported_step;        /* highest step handed out by ecsim_sim_advance */
    int advance_target;       /* ecsim_sim_advance stops when last_step reaches this */
    bool image_built;
    bool image_in_registry;
    bool done;
    bool failed_deploy;
    bool monitor_scheduled;   /* step 6's publication event is scheduled */

    ecsim_summary summary;

    /* operations and faults (events.c) */
    ecsim_rng rng_events;     /* victims of kill_tasks / spot_interruption */
    sim_op ops[SIM_OPS_MAX];
    int op_count;
    int events_pending;       /* scenario events not fired yet */
    bool monitor_published;   /* step 6's first datapoint is out */
    char monitor_text[320];   /* what CloudWatch did, for step 6 */
    double last_fail_marker_s; /* task_failed plot markers: at most one a minute */

    /* running and scaling (scaling.c) */
    ecsim_load *load;
    ecsim_metrics *metrics;
    ecsim_timeline *timeline;
    ecsim_policy *policy;
    ecsim_policy_config policy_cfg;
    ecsim_decision decision;
    int scale_min, scale_max;     /* MinCapacity / MaxCapacity now (scheduled actions move them) */
    FILE *decisions_fp;           /* decisions.csv so far: a temporary file */
    double *demand_history;       /* mean demand per metric period, for predictive */
    ecsim_hpa_pod *pods;          /* the HPA's view of the tasks, one per live task */
    ecsim_hpa_pod *memory_pods;
    size_t pod_capacity;
    size_t demand_count, demand_capacity;
    int64_t period_index;         /* the metric period being accumulated */
    struct {                      /* integrals over the current period (per fluid step) */
        double seconds, demand, capacity, served, unserved, cpu, cpu_seconds, memory;
    } acc;
    double last_fluid_s;
    double cost_stopped_usd;      /* Fargate: every STOPPED task's cost, added at its stop */
    double cost_prefix_usd;       /* Fargate: tasks [0, cost_prefix_count) in id order (all STOPPED) */
    size_t cost_prefix_count;
    double shortfall_since_s;     /* start of the current shortfall episode, NaN if none */
    struct requests_model *requests; /* requests mode (sim/model/requests.h); NULL in fluid mode */

    struct eventlog *log;         /* events.log (eventlog.h) */
    int oom;
};

/* scaling.c: load, metrics, policy, timeline, cost */
int scaling_init(ecsim_sim *sim, FILE *err);
void scaling_free(ecsim_sim *sim);
/* Start the fluid accounting and the policy evaluations (service created). */
void scaling_start(ecsim_sim *sim);
/* Close the metric period that ends now: metrics, timeline row. */
void scaling_period_end(ecsim_sim *sim);
/* The task set changed (a task started, became healthy, stopped...). */
void scaling_tasks_changed(ecsim_sim *sim);
/* Summary figures and cost at the end of the run. */
void scaling_finish(ecsim_sim *sim);
/* The policy's target when its metric is CPU (for plots), else NaN. */
double scaling_cpu_target(const ecsim_sim *sim);

/* sim.c: a line of the event log at the current time. */
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
void sim_log(ecsim_sim *sim, const char *fmt, ...);
#define sim_fmt_clock ecsim_fmt_clock

/* lifecycle.c */
void lifecycle_init(ecsim_sim *sim);
/* Record step `step` as reached at now with the current tracked variables. */
void lifecycle_record(ecsim_sim *sim, int step, bool failed);
/* The seed's Status Tracker values after `step` (0 = Start) on the happy path. */
const char *lifecycle_seed_image(int step);
const char *lifecycle_seed_infra(int step);
/* The seed's Result of the End row ("App runs efficiently on AWS containers"). */
const char *lifecycle_seed_text_end(void);
void lifecycle_set_image(ecsim_sim *sim, const char *state);
void lifecycle_set_infra(ecsim_sim *sim, const char *state);

/* service.c */
int service_init(ecsim_sim *sim);
void service_free(ecsim_sim *sim);
/* Service created: the scheduler may launch tasks. */
void service_provisioned(ecsim_sim *sim);
/* Start a deployment of `tag` (resolving it to a digest now). */
int service_deploy(ecsim_sim *sim, const char *tag, ecsim_defect defect, bool is_rollback);
/* Change the desired count (policy or manual); clamps nothing. */
void service_set_desired(ecsim_sim *sim, int desired);
int service_count(const ecsim_sim *sim, task_state state);
int service_ready_count(const ecsim_sim *sim);
/* Tasks that count towards desired (not stopping, not stopped). */
int service_active_count(const ecsim_sim *sim);
const char *task_state_name(task_state s);
/* Circuit-breaker threshold: clamp(ceil(0.5 x desired), min, 200) (reference §2.2). */
int service_breaker_threshold(int desired, int min_threshold);
/* ec2 / eks: create the cluster (at service creation); 0 or ECSIM_ENOMEM. */
int service_cluster_create(ecsim_sim *sim);
/* Stop the tasks of a lost instance (cluster callback). */
void service_instance_lost(ecsim_sim *sim, int instance_id);
/* Mark the primary deployment COMPLETED when it has desired healthy tasks
 * and no older task is left. */
void service_check_rollout(ecsim_sim *sim);

/* RUNNING and healthy tasks that count towards desired. */
int service_healthy_count(const ecsim_sim *sim);
/* Tasks PROVISIONING, PENDING or ACTIVATING. */
int service_pending_count(const ecsim_sim *sim);
/* The live tasks (not STOPPED) in id order: first, then next after `t`; NULL at the end. */
const sim_task *service_live_first(const ecsim_sim *sim);
const sim_task *service_live_next(const ecsim_sim *sim, const sim_task *t);
/* Requests mode: collect the tasks whose state, health or stop request
 * changed (service_track_changes), and hand them out sorted by id, once
 * each; the list is emptied. Returns the count; *ids valid until the next
 * change. */
void service_track_changes(ecsim_sim *sim);
size_t service_take_changed(ecsim_sim *sim, const int **ids);

/* Faults (events.c calls these). Each returns the number of tasks hit. */
/* Stop up to `count` RUNNING tasks at once: their essential container is
 * killed (EssentialContainerExited); the scheduler replaces them. */
int service_kill_tasks(ecsim_sim *sim, int count);
/* Zone `az` is unavailable until `until_s`: its tasks stop (TerminationNotice)
 * and launches go to the other zones. */
int service_az_outage(ecsim_sim *sim, int az, double until_s);
/* Fargate Spot: `count` tasks get the two-minute notice (SIGTERM, draining)
 * and stop with SpotInterruption; replacements start at the notice. */
int service_spot_interruption(ecsim_sim *sim, int count);
/* The agent's pull backoff before retry `retry` (1-based) with jitter drawn
 * from u in [0, 1): min(1.1 x 2^(retry-1), 5) x (1 +- 0.2) (reference §2.4 item 3). */
double service_pull_backoff_s(int retry, double u);
/* Rolling-update bounds for `desired` tasks under the scenario's deployment
 * configuration: ECS ceil(min%) / floor(max%) (reference §2.1), EKS
 * desired - floor(maxUnavailable) / desired + ceil(maxSurge) (reference §5.4). */
void service_rollout_bounds(const ecsim_sim *sim, int desired, int *min_healthy, int *max_tasks);
/* The deployment of the task definition revision currently wanted. */
sim_deployment *service_primary(ecsim_sim *sim);
/* The newest COMPLETED deployment before index `before`, or -1. */
int service_last_completed(const ecsim_sim *sim, int before);

/* events.c: the scenario's `events:` list. */
/* Schedule every event at or before the end of the run. 0 or ECSIM_ENOMEM. */
int events_schedule(ecsim_sim *sim);
/* Re-check which operations have settled (called by sim.c on changes). */
void events_check_settled(ecsim_sim *sim);
/* The operation that started deployment index `dp`, or NULL. */
sim_op *events_op_of_deployment(ecsim_sim *sim, int dp);

/* sim.c: notifications from the service. */
void sim_tasks_changed(ecsim_sim *sim);
void sim_deployment_failed(ecsim_sim *sim, sim_deployment *dp);
void sim_deployment_completed(ecsim_sim *sim, sim_deployment *dp);
/* A task reached STOPPED (cost accounting, scaling.c). */
void scaling_task_stopped(ecsim_sim *sim, const sim_task *t);
/* A task of the service stopped after RUNNING because of a failure. */
void sim_task_failed(ecsim_sim *sim, const sim_task *t);
/* Every scenario operation has settled: step 6 may be recorded. */
void sim_operations_settled(ecsim_sim *sim);
/* Set the tracked "Deployment" / image variables. */
void sim_set_deployment_state(ecsim_sim *sim, const char *state);

#endif
