/* What the platforms that run tasks on instances or nodes share
 * (platform.h): the cluster (cluster.h) created when the service is, the
 * service's placement through it, and the per-instance bill (reference §6:
 * per second, 60 s minimum, from each instance's launch). */
#include "platform.h"

#include <stdio.h>

#include "ecsim/alloc.h"
#include "ecsim/error.h"

typedef struct on_cluster {
    platform_env env;
    sim_cluster *cluster;     /* from the service's creation */
} on_cluster;

void *platform_cluster_create(const platform_env *env)
{
    on_cluster *c = ecsim_calloc(1, sizeof *c);
    if (c)
        c->env = *env;
    return c;
}

void platform_cluster_destroy(void *state)
{
    on_cluster *c = state;
    if (!c)
        return;
    cluster_destroy(c->cluster); /* before the engine: the cluster cancels its events */
    ecsim_free(c);
}

sim_cluster *platform_cluster_get(void *state) { return ((on_cluster *)state)->cluster; }

static void on_capacity(void *ctx)
{
    on_cluster *c = ctx;
    if (c->env.cb.capacity)
        c->env.cb.capacity(c->env.ctx);
}

static void on_lost(void *ctx, int instance_id)
{
    on_cluster *c = ctx;
    if (c->env.cb.instance_lost)
        c->env.cb.instance_lost(c->env.ctx, instance_id);
}

static void on_log(void *ctx, const char *message)
{
    on_cluster *c = ctx;
    if (c->env.cb.log)
        c->env.cb.log(c->env.ctx, message);
}

int platform_cluster_provision(void *state)
{
    on_cluster *c = state;
    if (c->cluster)
        return 0;
    const ecsim_service_spec *ss = &c->env.sc->service;
    cluster_callbacks cb = {on_capacity, on_lost, on_log};
    /* The scenario's OBS / MODEL overrides (0 = the platform's default). */
    const ecsim_managed_scaling_spec *ms = &ss->cluster.managed_scaling;
    cluster_config cfg = cluster_config_defaults(ss->platform);
    if (ms->alarm_high_datapoints > 0)
        cfg.alarm_high_datapoints = ms->alarm_high_datapoints;
    if (ms->alarm_low_datapoints > 0)
        cfg.alarm_low_datapoints = ms->alarm_low_datapoints;
    if (ms->scale_in_max_percent > 0)
        cfg.scale_in_max_percent = ms->scale_in_max_percent;
    if (ms->replacement_delay_s > 0)
        cfg.replacement_delay_s = ms->replacement_delay_s;
    if (ms->scale_down_unneeded_s > 0)
        cfg.scale_down_unneeded_s = ms->scale_down_unneeded_s;
    if (ms->scale_down_delay_after_add_s > 0)
        cfg.scale_down_delay_after_add_s = ms->scale_down_delay_after_add_s;
    c->cluster = cluster_create(&ss->cluster, ss->platform, ss->availability_zones, c->env.seed,
                                c->env.eng, &cfg, &cb, c);
    return c->cluster ? 0 : ECSIM_ENOMEM;
}

/* ---- the service's placement ---------------------------------------------------- */

static int place(void *ctx, double vcpu, double memory_gb, int *az)
{
    return cluster_place(((on_cluster *)ctx)->cluster, vcpu, memory_gb, az);
}

static void release(void *ctx, int instance, double vcpu, double memory_gb)
{
    cluster_release(((on_cluster *)ctx)->cluster, instance, vcpu, memory_gb);
}

static void set_pending(void *ctx, int count, double vcpu, double memory_gb)
{
    on_cluster *c = ctx;
    if (c->cluster)
        cluster_set_pending(c->cluster, count, vcpu, memory_gb);
}

static const char *explain(void *ctx, double vcpu, double memory_gb, char *buf, size_t size)
{
    return cluster_explain_no_fit(((on_cluster *)ctx)->cluster, vcpu, memory_gb, buf, size);
}

static int choose_victims(void *ctx, const service_task_ref *tasks, int count, int k, int *chosen)
{
    on_cluster *c = ctx;
    cluster_task_ref *refs = ecsim_reallocarray(NULL, count > 0 ? (size_t)count : 1, sizeof *refs);
    if (!refs)
        return 0;
    for (int i = 0; i < count; i++)
        refs[i] = (cluster_task_ref){tasks[i].task_id, tasks[i].instance, tasks[i].vcpu,
                                     tasks[i].memory_gb};
    int got = cluster_choose_victims(c->cluster, refs, count, k, chosen);
    ecsim_free(refs);
    return got;
}

const service_platform platform_cluster_capacity = {place, release, set_pending, explain,
                                                    choose_victims};

/* The kube-scheduler's FailedScheduling message: "0/N nodes are available:
 * A Insufficient cpu, B Insufficient memory." over the registered nodes. */
static const char *explain_k8s(void *ctx, double vcpu, double memory_gb, char *buf, size_t size)
{
    const on_cluster *c = ctx;
    const ecsim_cluster_spec *spec = &c->env.sc->service.cluster;
    int nodes = 0, no_cpu = 0, no_memory = 0;
    for (int id = 1; c->cluster && id <= cluster_instance_count(c->cluster); id++) {
        const cluster_instance *in = cluster_instance_get(c->cluster, id);
        if (!in || in->state != CLUSTER_INSTANCE_REGISTERED)
            continue;
        nodes++;
        if (vcpu > spec->vcpu - in->vcpu_used + 1e-9)
            no_cpu++;
        if (memory_gb > spec->memory_gb - in->memory_gb_used + 1e-9)
            no_memory++;
    }
    if (nodes == 0)
        snprintf(buf, size, "0/0 nodes are available: no nodes available to schedule pods.");
    else if (no_cpu > 0 && no_memory > 0)
        snprintf(buf, size, "0/%d nodes are available: %d Insufficient cpu, %d Insufficient memory.",
                 nodes, no_cpu, no_memory);
    else
        snprintf(buf, size, "0/%d nodes are available: %d Insufficient %s.", nodes,
                 no_cpu > 0 ? no_cpu : no_memory > 0 ? no_memory : nodes,
                 no_cpu > 0 || no_memory == 0 ? "cpu" : "memory");
    return buf;
}

const service_platform platform_cluster_capacity_k8s = {place, release, set_pending, explain_k8s,
                                                        choose_victims};

/* ---- the bill: every instance from its launch --------------------------------------- */

double platform_cluster_cost_so_far(void *state, const service *sv, double now)
{
    (void)sv;
    on_cluster *c = state;
    double usd = 0;
    if (!c->cluster)
        return usd;
    for (int id = 1; id <= cluster_instance_count(c->cluster); id++) {
        double start, stop;
        if (cluster_instance_interval(c->cluster, id, now, &start, &stop) == 0)
            usd += ecsim_cost_instance_usd(&c->env.sc->pricing, start, stop);
    }
    return usd;
}

void platform_cluster_cost_final(void *state, const service *sv, double end, ecsim_cost *cost)
{
    (void)sv;
    on_cluster *c = state;
    if (!c->cluster)
        return;
    for (int id = 1; id <= cluster_instance_count(c->cluster); id++) {
        double start, stop;
        if (cluster_instance_interval(c->cluster, id, end, &start, &stop) == 0)
            ecsim_cost_add_instance(cost, &c->env.sc->pricing, start, stop);
    }
}
