/* The EC2 / EKS cluster: container instances (nodes), task placement, and
 * the managed scaling of the instances (private to sim/).
 *
 * On `ec2` and `eks` a task needs room on an instance: each instance has a
 * fixed vCPU and memory, tasks are placed by a placement strategy (binpack,
 * spread, random; reference §3.2) and a task that fits nowhere stays
 * PENDING (the scheduler's job; reference §2.6). The instances themselves
 * are scaled by ECS managed scaling (reference §3.1): every minute the
 * CapacityProviderReservation CPR = M / N x 100 is computed (N instances
 * registered, M instances needed for placed + pending tasks, binpack
 * estimate), AlarmHigh (1 of 1 datapoints > targetCapacity) launches
 * instances, AlarmLow (15 of 15 < targetCapacity) terminates empty ones.
 * A launched instance boots for a lognormal time (reference §3.3) and then
 * registers, which is when the scheduler may place tasks on it.
 *
 * On `eks` the same mechanics run under the name Cluster Autoscaler with
 * its defaults (reference §5.5): a 10 s scan, scale-up for pods that do not
 * fit counting nodes already being provisioned (no warm-up period), and
 * removal of nodes that have been empty for scale-down-unneeded-time, not
 * sooner than scale-down-delay-after-add after a scale-up.
 *
 * Everything time-based is an engine event (boot completion, the scaling
 * tick, the end of an AZ outage, the replacement of lost instances); the
 * module never polls. The cluster talks back to its owner (the service
 * scheduler) through cluster_callbacks. Random draws use the scenario seed
 * through named streams: "cluster.boot" (boot times), "cluster.placement"
 * (random placement), "cluster.victim" (random scale-in victims),
 * "cluster.failure" (which instances fail).
 *
 * Ids: instances are numbered 1, 2, ... in launch order and never reused;
 * availability zones are 1-based, as in the scenario's events. */
#ifndef ECSIM_CLUSTER_H
#define ECSIM_CLUSTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ecsim/engine.h"
#include "ecsim/scenario.h"

typedef struct sim_cluster sim_cluster;

/* How empty instances are removed. */
typedef enum cluster_scale_in_mode {
    /* ECS capacity provider: AlarmLow (alarm_low_datapoints of them below
     * targetCapacity) lets the ASG scale in; managed termination protection
     * only releases empty instances (reference §3.1). */
    CLUSTER_SCALE_IN_ALARM,
    /* Cluster Autoscaler: a node empty for scale_down_unneeded_s is removed,
     * not within scale_down_delay_after_add_s of a scale-up (reference §5.5). */
    CLUSTER_SCALE_IN_UNNEEDED
} cluster_scale_in_mode;

/* The scaler's settings that the scenario does not carry (the scenario's
 * managed_scaling section carries targetCapacity, the step sizes and the
 * warm-up). Start from cluster_config_defaults() and change fields. */
typedef struct cluster_config {
    const char *scaler_name;      /* "capacity provider" / "cluster autoscaler" (messages) */
    const char *instance_noun;    /* "instance" / "node" (messages) */
    const char *task_noun;        /* "task" / "pod" (messages) */
    double evaluation_interval_s; /* ECS: 60 ("recomputes every minute", §3.1); CA: 10 (scan-interval, §5.5) */
    int alarm_high_datapoints;    /* datapoints > target to scale out: 1 (OBS, §3.1) */
    int alarm_low_datapoints;     /* datapoints < target to scale in: 15 (OBS/DOC, §3.1) */
    bool use_warmup;              /* ECS: instanceWarmupPeriod blocks scale-out (§3.1); CA: false */
    double empty_cluster_launch;  /* N = 0 with work: "always scales-out to 200 %" = 2 instances (§3.1) */
    double scale_in_max_percent;  /* ECS: at most this % of N terminated per evaluation, at least 1;
                                   * default 50 (MODEL: §8 item 5 "< 50 % each minute") */
    cluster_scale_in_mode scale_in_mode;
    double scale_down_unneeded_s;       /* CA: 600 (§5.5); unused by ECS */
    double scale_down_delay_after_add_s;/* CA: 600 (§5.5); unused by ECS */
    int max_empty_bulk_delete;          /* CA: 10 empty nodes at a time (§5.5); ECS: unlimited (0) */
    bool replace_lost_instances;  /* the ASG replaces failed instances to keep its desired capacity */
    double replacement_delay_s;   /* ASG health check -> replacement launch; default 60 (MODEL) */
} cluster_config;

/* Defaults for a platform: ECS capacity provider for ECSIM_PLATFORM_EC2,
 * Cluster Autoscaler for ECSIM_PLATFORM_EKS (Fargate gets the EC2 values). */
cluster_config cluster_config_defaults(ecsim_platform platform);

/* Calls back into the owner. Any pointer may be NULL. The callbacks run
 * inside engine events (or inside cluster_fail_instances /
 * cluster_az_outage); they may call cluster_place / cluster_release /
 * cluster_set_pending but must not destroy the cluster. */
typedef struct cluster_callbacks {
    /* An instance registered: capacity grew, retry placing PENDING tasks. */
    void (*on_capacity)(void *cb_ctx);
    /* An instance was lost (failure or AZ outage). Its tasks are gone with
     * it: stop them. The instance's allocation is already cleared, so
     * cluster_release() on it is a harmless no-op. */
    void (*on_instance_lost)(void *cb_ctx, int instance_id);
    /* A message for the event log (ECS-style; no trailing newline). */
    void (*on_log)(void *cb_ctx, const char *message);
} cluster_callbacks;

/* Create the cluster of `spec` for `platform` with `availability_zones`
 * zones (>= 1), scaled with `cfg` (NULL = cluster_config_defaults(platform)).
 * spec->instances instances (clamped to [min_instances, max_instances]) are
 * registered at once, at the engine's current time, spread round-robin over
 * the zones, and count as warmed up. If spec->managed_scaling.enable, the
 * first evaluation is scheduled one interval from now, then every interval.
 * Streams are derived from `seed`. `cb` is copied; `cb_ctx` is passed back.
 * NULL on OOM or invalid arguments. */
sim_cluster *cluster_create(const ecsim_cluster_spec *spec, ecsim_platform platform,
                            int availability_zones, uint64_t seed, ecsim_engine *eng,
                            const cluster_config *cfg, const cluster_callbacks *cb, void *cb_ctx);

/* Cancel the cluster's pending engine events (the engine must still exist)
 * and free it. NULL is a no-op. */
void cluster_destroy(sim_cluster *c);

/* ---- placement (reference §3.2) -------------------------------------------- */

/* Place one task of `vcpu` / `memory_gb` on a registered instance outside
 * any AZ outage, by the spec's strategy:
 *   binpack: the instance leaving the least CPU, then least memory;
 *   spread:  the zone with the fewest tasks, then the instance with the
 *            fewest tasks (the services' default is spread by AZ, §3.2);
 *   random:  uniform among instances that fit (stream "cluster.placement").
 * Ties go to the lowest instance id. On success the resources are
 * allocated, *az_out (if not NULL) is the instance's zone, and the instance
 * id (> 0) is returned. ECSIM_ENOENT when nothing fits: the task stays
 * PENDING ("was unable to place a task because no container instance met all
 * of its requirements", §2.6). */
int cluster_place(sim_cluster *c, double vcpu, double memory_gb, int *az_out);

/* Give back a task's resources on `instance_id`. 0; ECSIM_ENOENT for an
 * unknown id; 0 and nothing done for an instance already lost/terminated. */
int cluster_release(sim_cluster *c, int instance_id, double vcpu, double memory_gb);

/* Why a task of this size does not fit, in ECS's words (§2.6): e.g. "The
 * closest matching container-instance i-0003 has insufficient CPU units
 * available." Writes at most `size` bytes into `buf`; returns `buf`. */
const char *cluster_explain_no_fit(const sim_cluster *c, double vcpu, double memory_gb, char *buf,
                                   size_t size);

/* One running task, for victim selection. */
typedef struct cluster_task_ref {
    int task_id;
    int instance_id;              /* <= 0: not placed (such a task is chosen first) */
    double vcpu, memory_gb;
} cluster_task_ref;

/* Choose `k` scale-in victims among `tasks[0..count)` by the placement
 * strategy (reference §3.2): binpack takes the task on the instance with the
 * most CPU (then memory) left after its removal; spread takes from the zone
 * with the most tasks, at random within it (stream "cluster.victim");
 * random is uniform. Each choice accounts for the previous ones; the
 * cluster is not modified (the caller releases the tasks when they stop).
 * Writes indexes into `tasks` to chosen[0..k); returns the number chosen
 * (min(k, count)), or ECSIM_EINVAL. */
int cluster_choose_victims(sim_cluster *c, const cluster_task_ref *tasks, int count, int k,
                           int *chosen);
/* One victim: its index in `tasks`, or ECSIM_ENOENT if count is 0. */
int cluster_choose_victim(sim_cluster *c, const cluster_task_ref *tasks, int count);

/* ---- managed scaling (reference §3.1, §5.5) ----------------------------------- */

/* The scheduler's tasks waiting for capacity: `count` tasks of `vcpu` /
 * `memory_gb` each (count 0 = none). Replaces the previous value; read at
 * the next evaluation. */
void cluster_set_pending(sim_cluster *c, int count, double vcpu, double memory_gb);

/* CapacityProviderReservation now (without recording a datapoint):
 * M / N x 100, 100 when M = N = 0, 200 when N = 0 < M. *needed_out (M) and
 * *registered_out (N) may be NULL. M counts registered instances holding
 * tasks plus the instances a binpack of the pending tasks needs (first into
 * free room, then onto new instances of this type); tasks larger than one
 * instance add nothing (they "stay PENDING and don't trigger scaling",
 * §3.1). */
double cluster_reservation(const sim_cluster *c, int *needed_out, int *registered_out);

/* ---- failures ------------------------------------------------------------------- */

/* Fail up to `count` registered instances chosen at random (stream
 * "cluster.failure"); all are marked lost first, then on_instance_lost
 * fires for each. Their ids go to failed_ids[0..n) if it is not NULL (room
 * for `count`). The ASG replaces them after cfg.replacement_delay_s if
 * cfg.replace_lost_instances. Returns n (0 when none is registered), or
 * ECSIM_ENOMEM. */
int cluster_fail_instances(sim_cluster *c, int count, int *failed_ids);

/* Zone `az` (1-based) fails for `duration_s`: its instances, registered or
 * booting, are lost (on_instance_lost for each, after all are marked);
 * nothing is placed or launched there until the outage ends (an overlapping
 * outage of the same zone extends it). The ASG replaces the lost instances
 * in the other zones. 0, ECSIM_EINVAL (zone or duration), ECSIM_ENOMEM. */
int cluster_az_outage(sim_cluster *c, int az, double duration_s);

/* ---- accounting ---------------------------------------------------------------- */

typedef enum cluster_instance_state {
    CLUSTER_INSTANCE_BOOTING,
    CLUSTER_INSTANCE_REGISTERED,
    CLUSTER_INSTANCE_TERMINATED,  /* scaled in */
    CLUSTER_INSTANCE_LOST         /* failure or AZ outage */
} cluster_instance_state;

/* One instance, as read by the owner. */
typedef struct cluster_instance {
    int id;                       /* 1-based, launch order */
    int az;                       /* 1-based */
    cluster_instance_state state;
    double launched_s;            /* billing starts (EC2 bills from launch, §6) */
    double registered_s;          /* NaN until registered */
    double stopped_s;             /* NaN while alive (booting or registered) */
    double vcpu_used, memory_gb_used;
    int tasks;                    /* tasks placed on it now */
} cluster_instance;

/* Current counts, for the timeline and the status tracker. */
typedef struct cluster_counts {
    int registered;               /* N */
    int booting;
    int empty;                    /* registered with no task */
    int tasks;                    /* placed */
    int pending;                  /* as last given to cluster_set_pending */
    int launched_total, terminated_total, lost_total;
    double vcpu_used, vcpu_total; /* over registered instances */
    double memory_gb_used, memory_gb_total;
    double last_reservation;      /* CPR at the last evaluation (NaN before the first) */
} cluster_counts;

void cluster_get_counts(const sim_cluster *c, cluster_counts *out);

/* Number of instances ever launched (ids 1..n). */
int cluster_instance_count(const sim_cluster *c);
/* The instance with this id, or NULL. The pointer is valid until the next
 * call that may launch an instance. */
const cluster_instance *cluster_instance_get(const sim_cluster *c, int instance_id);

/* Billing interval of instance `instance_id`: [*start_s, *stop_s) with
 * *stop_s = `now_s` while it is alive. 0, or ECSIM_ENOENT. Bill each with
 * ecsim_cost_add_instance (per second, 60 s minimum, §6). */
int cluster_instance_interval(const sim_cluster *c, int instance_id, double now_s,
                              double *start_s, double *stop_s);

#endif
