/* EKS on Fargate (platform.h, reference §5.5b): the pods of a Deployment
 * that a Fargate profile selects run one per Fargate micro-VM. There is no
 * node to bin-pack and no Cluster Autoscaler, so there is no capacity to
 * find; every pod pulls its whole image (no layer cache, §2.5) and starts
 * like a Fargate task (the scenario's provisioning, pull, start and
 * activation times; 60-90 s observed for pods, §2.5).
 *
 * The bill is Fargate's (per second, one-minute minimum, from the start of
 * the image pull, §6) for the configuration Fargate provisions: the pod's
 * requests (service.task vcpu / memory_gb) plus 256 MB for kubelet,
 * kube-proxy and containerd, rounded up to the next Fargate vCPU / memory
 * configuration (ecsim_cost_fargate_pod_size). The HPA and the Deployment
 * still see the requests: CPU utilisation is a percentage of the request.
 * Kubernetes rules and words, no automatic rollback (§5.4); the account's
 * Fargate launch limits apply (§2.5). */
#include "platform.h"

static void *eks_fargate_create(const platform_env *env)
{
    const ecsim_task_spec *ts = &env->sc->service.task;
    double vcpu = ts->vcpu, memory_gb = ts->memory_gb;
    /* Requests larger than any configuration cannot be placed by Fargate;
     * MODEL: the run goes on, billed for the requests as they are. */
    if (ecsim_cost_fargate_pod_size(ts->vcpu, ts->memory_gb, &vcpu, &memory_gb) != 0) {
        vcpu = ts->vcpu;
        memory_gb = ts->memory_gb;
    }
    return platform_fargate_create_sized(env, vcpu, memory_gb);
}

const platform_kind platform_eks_fargate = {
    .id = ECSIM_PLATFORM_EKS_FARGATE,
    .words = {"EKS on Fargate", "Fargate through a Fargate profile", "Fargate (each pod on its own)",
              "AWS monitors; Kubernetes rolls out the update", true, "pods",
              "Fargate runs each pod on its own"},
    .automatic_rollback = false,
    .rules = {.kubernetes = true, .tasks_per_minute = 0, .fargate_limits = true},
    .create = eks_fargate_create,
    .destroy = platform_fargate_destroy,
    .provision = NULL,
    .capacity = NULL,
    .cluster = NULL,
    .task_stopped = platform_fargate_task_stopped,
    .cost_so_far = platform_fargate_cost_so_far,
    .cost_final = platform_fargate_cost_final,
};
