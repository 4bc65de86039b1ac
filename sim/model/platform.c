/* The platform registry and the per-run handle (platform.h). */
#include "platform.h"

#include <stdio.h>
#include <string.h>

#include "ecsim/alloc.h"
#include "ecsim/error.h"

/* One line per platform. */
static const platform_kind *const kinds[] = {
    [ECSIM_PLATFORM_FARGATE] = &platform_fargate,
    [ECSIM_PLATFORM_EC2] = &platform_ecs_ec2,
    [ECSIM_PLATFORM_EKS] = &platform_eks,
    [ECSIM_PLATFORM_EKS_FARGATE] = &platform_eks_fargate,
};

struct platform {
    const platform_kind *kind;
    void *state;
    const ecsim_pricing_spec *pricing;
};

const platform_kind *platform_kind_of(ecsim_platform id)
{
    if ((size_t)id < sizeof kinds / sizeof kinds[0] && kinds[id])
        return kinds[id];
    return &platform_fargate;
}

platform *platform_create(const platform_env *env)
{
    platform *p = ecsim_calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->kind = platform_kind_of(env->sc->service.platform);
    p->pricing = &env->sc->pricing;
    p->state = p->kind->create(env);
    if (!p->state) {
        ecsim_free(p);
        return NULL;
    }
    return p;
}

void platform_destroy(platform *p)
{
    if (!p)
        return;
    p->kind->destroy(p->state);
    ecsim_free(p);
}

const platform_vocabulary *platform_words(const platform *p) { return &p->kind->words; }
const char *platform_rescale_message(const platform *p, const char *policy, const char *service_name,
                                     int from, int to, const char *reason, char *buf, size_t size)
{
    if (!p->kind->words.kubernetes)
        snprintf(buf, size, "Application Auto Scaling (%s): set desired count of service %s from %d to %d: %s",
                 policy, service_name, from, to, reason);
    else if (strcmp(policy, "hpa") == 0)
        /* The HPA's event (reference §5.1-5.3); the metric is CPU of the request. */
        snprintf(buf, size,
                 "horizontal-pod-autoscaler %s: SuccessfulRescale New size: %d; reason: cpu resource "
                 "utilization (percentage of request) %s target (%s)",
                 service_name, to, to > from ? "above" : "below", reason);
    else
        snprintf(buf, size, "%s autoscaler: scaled deployment %s from %d to %d replicas: %s", policy,
                 service_name, from, to, reason);
    return buf;
}

bool platform_automatic_rollback(const platform *p) { return p->kind->automatic_rollback; }
const service_rules *platform_rules(const platform *p) { return &p->kind->rules; }

int platform_provision(platform *p)
{
    return p->kind->provision ? p->kind->provision(p->state) : 0;
}

const service_platform *platform_capacity(const platform *p, void **ctx)
{
    *ctx = p->state;
    return p->kind->capacity;
}

sim_cluster *platform_cluster(const platform *p)
{
    return p->kind->cluster ? p->kind->cluster(p->state) : NULL;
}

void platform_task_stopped(platform *p, const service_task *t)
{
    if (p->kind->task_stopped)
        p->kind->task_stopped(p->state, t);
}

double platform_cost_so_far(platform *p, const service *sv, double now)
{
    double usd = p->kind->cost_so_far(p->state, sv, now);
    if (p->kind->rules.kubernetes) /* the EKS control plane, from the start (reference §6 [P5]) */
        usd += ecsim_cost_control_plane_usd(p->pricing, 0.0, now);
    return usd;
}

void platform_cost_final(platform *p, const service *sv, double end, ecsim_cost *cost)
{
    p->kind->cost_final(p->state, sv, end, cost);
    if (p->kind->rules.kubernetes) /* eks and eks_fargate: $0.10 per cluster-hour ([P5]) */
        ecsim_cost_add_control_plane(cost, p->pricing, 0.0, end);
}
