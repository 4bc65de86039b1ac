/* Where tasks run and what they cost: the platform interface (private to
 * sim/model). One file per platform implements a platform_kind:
 *
 *   platform_fargate.c   ECS on Fargate: no capacity to find, billed per task
 *                        from its image pull to its stop (reference §6)
 *   platform_ecs_ec2.c   ECS on EC2: container instances scaled by a
 *                        capacity provider (cluster.h, reference §3), billed
 *                        per instance
 *   platform_eks.c       EKS on EC2 nodes: the same cluster mechanics under
 *                        the Cluster Autoscaler (reference §5.5), Kubernetes
 *                        vocabulary, no automatic rollback (reference §5.4)
 *   platform_eks_fargate.c  EKS on Fargate: one pod per micro-VM, no nodes,
 *                        billed like Fargate for the pod size rounded up to a
 *                        Fargate configuration (reference §5.5b)
 *
 * platform.c holds the registry (one line per platform) and the per-run
 * handle. A platform owns its placement and capacity (it hands the service
 * a service_platform, or none), its cost, and its words in the messages.
 * Adding a platform is a new file and one registry line. */
#ifndef ECSIM_MODEL_PLATFORM_H
#define ECSIM_MODEL_PLATFORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ecsim/cost.h"
#include "ecsim/engine.h"
#include "ecsim/scenario.h"
#include "cluster.h"
#include "service.h"

typedef struct platform platform;

/* What a platform reports to the run (capacity platforms only). */
typedef struct platform_callbacks {
    void (*capacity)(void *ctx);                  /* new room: place the waiting tasks */
    void (*instance_lost)(void *ctx, int instance_id);
    void (*log)(void *ctx, const char *message);
} platform_callbacks;

/* The platform's words in messages and tables (the ECS platforms' wording
 * is pinned by the goldens). */
typedef struct platform_vocabulary {
    const char *name;          /* "service X created on NAME": "Fargate", "EC2", "EKS" */
    const char *created_on;    /* step 3, "Created service X on ...": "Fargate", "a cluster" */
    const char *started_on;    /* step 4, "ECS started N tasks on ...": "Fargate", "the cluster" */
    const char *update_role;   /* step 6 role while an update rolls out */
    /* Kubernetes words (reference §5): pods, Deployment and ReplicaSets,
     * nodes, kubelet and HPA events. false: the ECS service event wording
     * of reference §2.6. */
    bool kubernetes;
    const char *tasks;         /* "tasks" or "pods" (step mode, step texts) */
    const char *deploy_role;   /* step 4 role in the execution table; NULL: the seed's */
} platform_vocabulary;

/* What a run needs to build a platform. */
typedef struct platform_env {
    const ecsim_scenario *sc;
    uint64_t seed;
    ecsim_engine *eng;
    platform_callbacks cb;
    void *ctx;
} platform_env;

/* One platform, as its file defines it. `state` is what create returned. */
typedef struct platform_kind {
    ecsim_platform id;
    platform_vocabulary words;
    bool automatic_rollback;   /* a FAILED deployment may roll back by itself (ECS, §2.2) */
    service_rules rules;       /* the scheduler's rules on this platform */
    /* Per-run state; NULL on OOM. */
    void *(*create)(const platform_env *env);
    void (*destroy)(void *state);
    /* The service exists: bring up capacity. 0 or ECSIM_ENOMEM. */
    int (*provision)(void *state);
    /* Where tasks are placed (ctx = state), or NULL: room everywhere. */
    const service_platform *capacity;
    /* The instances or nodes, or NULL (faults on instances, tests). */
    sim_cluster *(*cluster)(void *state);
    /* A task stopped: its cost is final. NULL if the cost is not per task. */
    void (*task_stopped)(void *state, const service_task *t);
    /* Compute cost from the start to `now` (the timeline's cost column). */
    double (*cost_so_far)(void *state, const service *sv, double now);
    /* The compute part of the final bill, added to `cost`. */
    void (*cost_final)(void *state, const service *sv, double end, ecsim_cost *cost);
} platform_kind;

/* The platforms (one file each). */
extern const platform_kind platform_fargate;
extern const platform_kind platform_ecs_ec2;
extern const platform_kind platform_eks;
extern const platform_kind platform_eks_fargate;

/* The kind for a scenario's platform (the registry). */
const platform_kind *platform_kind_of(ecsim_platform id);

/* The run's platform; NULL on OOM. */
platform *platform_create(const platform_env *env);
void platform_destroy(platform *p);

const platform_vocabulary *platform_words(const platform *p);
/* The events.log line for a change of the desired count by the autoscaler
 * `policy` from `from` to `to` (`reason`: the policy's own detail), in the
 * platform's words: "Application Auto Scaling (POLICY): set desired count
 * ..." on ECS, the HPA's SuccessfulRescale event on Kubernetes. Returns buf. */
const char *platform_rescale_message(const platform *p, const char *policy, const char *service_name,
                                     int from, int to, const char *reason, char *buf, size_t size);
bool platform_automatic_rollback(const platform *p);
const service_rules *platform_rules(const platform *p);
int platform_provision(platform *p);
/* The service's view of the capacity: ops (NULL on Fargate) and their ctx. */
const service_platform *platform_capacity(const platform *p, void **ctx);
sim_cluster *platform_cluster(const platform *p);
void platform_task_stopped(platform *p, const service_task *t);
double platform_cost_so_far(platform *p, const service *sv, double now);
void platform_cost_final(platform *p, const service *sv, double end, ecsim_cost *cost);

/* Shared by the platforms that run tasks on a cluster of instances or
 * nodes (platform_cluster.c). */
void *platform_cluster_create(const platform_env *env);
void platform_cluster_destroy(void *state);
int platform_cluster_provision(void *state);
sim_cluster *platform_cluster_get(void *state);
double platform_cluster_cost_so_far(void *state, const service *sv, double now);
void platform_cluster_cost_final(void *state, const service *sv, double end, ecsim_cost *cost);
extern const service_platform platform_cluster_capacity;
/* The same on Kubernetes nodes: FailedScheduling wording (reference §5). */
extern const service_platform platform_cluster_capacity_k8s;

/* Shared by the platforms billed per task at Fargate rates (§6): the billed
 * size is vcpu / memory_gb (platform_fargate.c). */
void *platform_fargate_create_sized(const platform_env *env, double vcpu, double memory_gb);
void platform_fargate_destroy(void *state);
void platform_fargate_task_stopped(void *state, const service_task *t);
double platform_fargate_cost_so_far(void *state, const service *sv, double now);
void platform_fargate_cost_final(void *state, const service *sv, double end, ecsim_cost *cost);

#endif
