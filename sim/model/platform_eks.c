/* EKS on EC2 nodes (platform.h): pods are placed on nodes that the Cluster
 * Autoscaler adds and removes (cluster.h with its EKS defaults; reference
 * §5.5); the bill is the nodes'. A Deployment has no automatic rollback
 * (kubectl rollout undo is manual, reference §5.4). */
#include "platform.h"

const platform_kind platform_eks = {
    .id = ECSIM_PLATFORM_EKS,
    .words = {"EKS", "the EKS cluster's nodes", "the nodes",
              "AWS monitors; Kubernetes rolls out the update", true, "pods",
              "Kubernetes schedules pods on nodes"},
    .automatic_rollback = false,
    .rules = {.kubernetes = true, .tasks_per_minute = 0, .fargate_limits = false},
    .create = platform_cluster_create,
    .destroy = platform_cluster_destroy,
    .provision = platform_cluster_provision,
    .capacity = &platform_cluster_capacity_k8s,
    .cluster = platform_cluster_get,
    .task_stopped = NULL,
    .cost_so_far = platform_cluster_cost_so_far,
    .cost_final = platform_cluster_cost_final,
};
