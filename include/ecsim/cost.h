/* The cost model: what a run would be billed (reference §6).
 *
 * Fargate bills each task for its vCPU and memory from the start of the
 * image download until the task stops, per second with a one-minute
 * minimum ([P1][P2]); Fargate Spot takes `spot_discount` off. EC2 bills
 * instance-hours per second with a 60 s minimum ([P4]). ECR bills storage
 * in GB-months, prorated here over the time the image is stored. An EKS
 * cluster (eks and eks_fargate) pays its control plane, $0.10 per
 * cluster-hour ([P5]), prorated over the run. The instance-hour price
 * follows the instance type (the loader fills pricing.instance_hour from
 * the table of sim/input/instance_type.c unless the scenario overrides it).
 * The bill's lines: compute (Fargate + EC2), control plane, registry;
 * total = their sum. Billed
 * durations are rounded up to whole seconds (Fargate's pricing page says
 * "rounded up to the nearest second"; we apply the same to EC2).
 *
 * An ecsim_cost accumulates a run's usage: call the _add_ functions for
 * every task, instance and stored image, each with its own interval, then
 * read the totals. Prices come from ecsim_pricing_spec (scenario.h). A GB
 * is 1024 MB (task memory sizes are GiB in the task definition). One month
 * is 730 hours, AWS's pricing convention. */
#ifndef ECSIM_COST_H
#define ECSIM_COST_H

#include <stdbool.h>

#include "ecsim/scenario.h"

#define ECSIM_HOURS_PER_MONTH 730.0
#define ECSIM_BILLING_MINIMUM_S 60.0

typedef struct ecsim_cost {
    double vcpu_hours;         /* Fargate billed vCPU-hours (on-demand and Spot) */
    double gb_hours;           /* Fargate billed memory GB-hours */
    double instance_hours;     /* EC2 billed instance-hours */
    double registry_gb_months; /* ECR storage */
    double fargate_usd;
    double ec2_usd;
    double registry_usd;
    double control_plane_hours; /* EKS cluster-hours */
    double control_plane_usd;   /* EKS control plane ([P5]) */
    double compute_usd; /* fargate_usd + ec2_usd */
    double total_usd;   /* compute_usd + control_plane_usd + registry_usd */
    long tasks;         /* Fargate tasks added */
    long instances;     /* instances added */
} ecsim_cost;

/* All zero. */
void ecsim_cost_init(ecsim_cost *c);

/* Seconds billed for a resource running over [start_s, stop_s]: the
 * duration rounded up to a whole second, at least 60 s (reference §6: a
 * 10 s task is billed 60 s). 0 if the interval is invalid (not finite or
 * stop before start). */
double ecsim_cost_billed_seconds(double start_s, double stop_s);

/* USD for one Fargate task of `vcpu` vCPU and `memory_gb` GB running from
 * `pull_start_s` (the start of its image download) to `stop_s`:
 * billed hours x (vcpu x fargate_vcpu_hour + memory_gb x fargate_gb_hour),
 * times (1 - spot_discount) on Fargate Spot. Usable for a running task's
 * cost so far (stop_s = now): the one-minute minimum applies. */
double ecsim_cost_fargate_task_usd(const ecsim_pricing_spec *p, double vcpu, double memory_gb,
                                   double pull_start_s, double stop_s, bool spot);

/* The Fargate configuration an EKS pod runs on (reference §5.5b): its
 * requests `vcpu` / `memory_gb` (no request: 0.25 vCPU / 0.5 GB), plus
 * ECSIM_FARGATE_K8S_OVERHEAD_GB of memory for kubelet, kube-proxy and
 * containerd, rounded up to the smallest configuration with at least that
 * much of both: 0.25 vCPU with 0.5, 1 or 2 GB; 0.5 vCPU with 1-4 GB; 1 vCPU
 * with 2-8 GB; 2 vCPU with 4-16 GB; 4 vCPU with 8-30 GB (1 GB steps);
 * 8 vCPU with 16-60 GB (4 GB steps); 16 vCPU with 32-120 GB (8 GB steps).
 * E.g. 1 vCPU / 8 GB -> 8.25 GB -> 2 vCPU / 9 GB; 0.3 vCPU / 0.7 GB -> 0.5
 * vCPU / 1 GB. Returns 0, or ECSIM_EINVAL if nothing is large enough (more
 * than 16 vCPU or 120 GB) or a request is negative or not finite. */
#define ECSIM_FARGATE_K8S_OVERHEAD_GB 0.25
int ecsim_cost_fargate_pod_size(double vcpu, double memory_gb, double *vcpu_out,
                                double *memory_gb_out);

/* USD for one EC2 instance running over [start_s, stop_s] at
 * p->instance_hour, per second with a 60 s minimum. */
double ecsim_cost_instance_usd(const ecsim_pricing_spec *p, double start_s, double stop_s);

/* USD for `size_mb` of ECR storage held over [from_s, to_s]:
 * size_mb / 1024 x (to - from) / (730 h) x registry_gb_month (no
 * minimum; 0 for an invalid interval). */
double ecsim_cost_registry_usd(const ecsim_pricing_spec *p, double size_mb, double from_s,
                               double to_s);

/* Accumulate one Fargate task, one instance, one stored image. Each
 * returns 0, or ECSIM_EINVAL (negative or non-finite sizes, invalid
 * interval) leaving `c` unchanged. */
int ecsim_cost_add_fargate_task(ecsim_cost *c, const ecsim_pricing_spec *p, double vcpu,
                                double memory_gb, double pull_start_s, double stop_s, bool spot);
int ecsim_cost_add_instance(ecsim_cost *c, const ecsim_pricing_spec *p, double start_s,
                            double stop_s);
/* USD of an EKS control plane over [from_s, to_s]: (to - from) / 3600 x
 * eks_cluster_hour, prorated (no minimum; 0 for an invalid interval). */
double ecsim_cost_control_plane_usd(const ecsim_pricing_spec *p, double from_s, double to_s);
int ecsim_cost_add_control_plane(ecsim_cost *c, const ecsim_pricing_spec *p, double from_s,
                                 double to_s);
int ecsim_cost_add_registry(ecsim_cost *c, const ecsim_pricing_spec *p, double size_mb,
                            double from_s, double to_s);

#endif
