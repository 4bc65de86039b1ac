/* ECS on EC2 (platform.h): tasks are placed on container instances that a
 * capacity provider scales (cluster.h; reference §3.1-3.3); the bill is the
 * instances', per second with a one-minute minimum (reference §6). */
#include "platform.h"

const platform_kind platform_ecs_ec2 = {
    .id = ECSIM_PLATFORM_EC2,
    .words = {"EC2", "a cluster", "the cluster", "AWS monitors; ECS rolls out the update", false,
              "tasks", NULL},
    .automatic_rollback = true,
    .rules = {.kubernetes = false, .tasks_per_minute = 250, .fargate_limits = false},
    .create = platform_cluster_create,
    .destroy = platform_cluster_destroy,
    .provision = platform_cluster_provision,
    .capacity = &platform_cluster_capacity,
    .cluster = platform_cluster_get,
    .task_stopped = NULL,
    .cost_so_far = platform_cluster_cost_so_far,
    .cost_final = platform_cluster_cost_final,
};
