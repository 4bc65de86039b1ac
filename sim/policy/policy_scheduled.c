/* AWS Application Auto Scaling scheduled actions (reference §1.4).
 *
 * An action sets MinCapacity and/or MaxCapacity at a time; at that moment
 * a current capacity below the new minimum is raised to it and one above
 * the new maximum is lowered to it. Scheduled actions are not blocked by
 * cooldowns; actions run in the order given. */
#include "ecsim/policy.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ecsim/alloc.h"
#include "ecsim/error.h"
#include "ecsim/output.h"

int ecsim_scheduled_apply(const ecsim_scheduled_action *actions, size_t count, double from_s,
                          double to_s, int *min, int *max, int *desired, ecsim_steps *steps)
{
    char b1[64];
    int applied = 0;
    for (size_t i = 0; i < count; i++) {
        const ecsim_scheduled_action *a = &actions[i];
        if (!(a->at_s > from_s && a->at_s <= to_s))
            continue;
        int new_min = a->has_min ? a->min : *min;
        int new_max = a->has_max ? a->max : *max;
        if (new_min < 0 || new_min > new_max)
            return ECSIM_EINVAL;
        *min = new_min;
        *max = new_max;
        ecsim_steps_add(steps, "scheduled action at %s s: min %d, max %d",
                        ecsim_fmt_num(b1, sizeof b1, a->at_s), new_min, new_max);
        if (*desired < new_min) {
            ecsim_steps_add(steps, "current %d < new min %d: scale out to %d", *desired, new_min,
                            new_min);
            *desired = new_min;
        } else if (*desired > new_max) {
            ecsim_steps_add(steps, "current %d > new max %d: scale in to %d", *desired, new_max,
                            new_max);
            *desired = new_max;
        }
        applied++;
    }
    return applied;
}

/* ---- the simulation-facing policy ------------------------------------------------ */

typedef struct sched_policy {
    ecsim_scheduled_action *actions;
    size_t count;
    double last_eval_s;
    int min, max;                  /* current bounds as the actions left them */
    bool evaluated;
} sched_policy;

static void *sched_create(const ecsim_policy_config *cfg)
{
    sched_policy *p = ecsim_calloc(1, sizeof *p);
    if (!p)
        return NULL;
    if (cfg->scheduled_count > 0) {
        p->actions = ecsim_reallocarray(NULL, cfg->scheduled_count, sizeof *p->actions);
        if (!p->actions)
            goto fail_actions;
        memcpy(p->actions, cfg->scheduled, cfg->scheduled_count * sizeof *p->actions);
        p->count = cfg->scheduled_count;
    }
    return p;

fail_actions:
    ecsim_free(p);
    return NULL;
}

static int sched_evaluate(void *impl, const ecsim_policy_obs *obs, ecsim_decision *d)
{
    sched_policy *p = impl;
    if (!p->evaluated) {
        p->min = obs->min;
        p->max = obs->max;
        p->last_eval_s = -INFINITY;
        p->evaluated = true;
    }
    int desired = obs->current;
    int n = ecsim_scheduled_apply(p->actions, p->count, p->last_eval_s, obs->now_s, &p->min,
                                  &p->max, &desired, &d->steps);
    p->last_eval_s = obs->now_s;
    if (n < 0)
        return n;
    d->min = p->min;
    d->max = p->max;
    d->proposal = desired;
    d->clamped = desired;
    d->desired = desired;
    d->action = desired > obs->current ? ECSIM_SCALE_OUT
                : desired < obs->current ? ECSIM_SCALE_IN
                                         : ECSIM_SCALE_NONE;
    if (n == 0)
        snprintf(d->reason, sizeof d->reason, "no scheduled action due");
    else
        snprintf(d->reason, sizeof d->reason,
                 "%d scheduled action(s): min %d, max %d, desired %d -> %d", n, p->min, p->max,
                 obs->current, desired);
    return 0;
}

static void sched_destroy(void *impl)
{
    sched_policy *p = impl;
    ecsim_free(p->actions);
    ecsim_free(p);
}

const ecsim_policy_ops ecsim_policy_scheduled_ops = {
    .create = sched_create,
    .evaluate = sched_evaluate,
    .destroy = sched_destroy,
};
