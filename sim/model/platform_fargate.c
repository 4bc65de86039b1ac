/* ECS on Fargate (platform.h): every task gets its own micro-VM, so there
 * is no capacity to find; a task is billed per second, one minute minimum,
 * from the start of its image pull to its stop, at the vCPU and GB rates
 * (reference §6).
 *
 * The timeline's cost column is computed incrementally: the tasks before
 * the service's first live one are all STOPPED, so their sum (in id order)
 * is kept; the rest is added in id order as well while that span is short
 * (COST_EXACT_SPAN tasks: the same sum, to the last bit, as adding every
 * task each period). Past that, the stopped tasks' costs, added when each
 * stopped, plus the live ones: O(live) per period; the order of the
 * additions moves the figure by at most a few units in the 15th digit. */
#include "platform.h"

#include <math.h>

#include "ecsim/alloc.h"

#define COST_EXACT_SPAN 512

typedef struct fargate {
    const ecsim_scenario *sc;
    double vcpu, memory_gb;   /* the billed size of one task */
    double stopped_usd;       /* every STOPPED task's cost, added at its stop */
    double prefix_usd;        /* tasks [0, prefix_count) in id order (all STOPPED) */
    size_t prefix_count;
} fargate;

void *platform_fargate_create_sized(const platform_env *env, double vcpu, double memory_gb)
{
    fargate *f = ecsim_calloc(1, sizeof *f);
    if (f) {
        f->sc = env->sc;
        f->vcpu = vcpu;
        f->memory_gb = memory_gb;
    }
    return f;
}

static void *fargate_create(const platform_env *env)
{
    return platform_fargate_create_sized(env, env->sc->service.task.vcpu, env->sc->service.task.memory_gb);
}

void platform_fargate_destroy(void *state) { ecsim_free(state); }

/* One task's cost from its pull start to its stop (or `now`); 0 before the pull. */
static double task_cost(const fargate *f, const service_task *t, double now)
{
    if (!isfinite(t->pull_started_s))
        return 0.0;
    double stop = isfinite(t->stopped_s) ? t->stopped_s : now;
    return ecsim_cost_fargate_task_usd(&f->sc->pricing, f->vcpu, f->memory_gb, t->pull_started_s, stop,
                                       false);
}

void platform_fargate_task_stopped(void *state, const service_task *t)
{
    fargate *f = state;
    if (isfinite(t->pull_started_s))
        f->stopped_usd += task_cost(f, t, t->stopped_s);
}

double platform_fargate_cost_so_far(void *state, const service *s, double now)
{
    fargate *f = state;
    size_t first_live = service_first_live(s), count = service_task_count(s);
    for (; f->prefix_count < first_live; f->prefix_count++) {
        const service_task *t = service_task_at(s, f->prefix_count);
        if (isfinite(t->pull_started_s))
            f->prefix_usd += task_cost(f, t, now);
    }
    double usd;
    if (count - first_live <= COST_EXACT_SPAN) {
        usd = f->prefix_usd;
        for (size_t i = first_live; i < count; i++)
            if (isfinite(service_task_at(s, i)->pull_started_s))
                usd += task_cost(f, service_task_at(s, i), now);
    } else {
        usd = f->stopped_usd;
        for (const service_task *t = service_live_first(s); t; t = service_live_next(s, t))
            if (isfinite(t->pull_started_s))
                usd += task_cost(f, t, now);
    }
    return usd;
}

void platform_fargate_cost_final(void *state, const service *s, double end, ecsim_cost *cost)
{
    const fargate *f = state;
    for (size_t i = 0; i < service_task_count(s); i++) {
        const service_task *t = service_task_at(s, i);
        if (!isfinite(t->pull_started_s))
            continue;
        double stop = isfinite(t->stopped_s) ? t->stopped_s : end;
        ecsim_cost_add_fargate_task(cost, &f->sc->pricing, f->vcpu, f->memory_gb, t->pull_started_s,
                                    stop, false);
    }
}

const platform_kind platform_fargate = {
    .id = ECSIM_PLATFORM_FARGATE,
    .words = {"Fargate", "Fargate", "Fargate", "AWS monitors; ECS rolls out the update", false, "tasks",
              NULL},
    .automatic_rollback = true,
    .rules = {.kubernetes = false, .tasks_per_minute = 500, .fargate_limits = true},
    .create = fargate_create,
    .destroy = platform_fargate_destroy,
    .provision = NULL,
    .capacity = NULL,
    .cluster = NULL,
    .task_stopped = platform_fargate_task_stopped,
    .cost_so_far = platform_fargate_cost_so_far,
    .cost_final = platform_fargate_cost_final,
};
