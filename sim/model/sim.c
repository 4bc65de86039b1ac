/* Orchestration of one run: builds the model from the scenario, schedules
 * the lifecycle (build -> push -> provision -> deploy -> run -> monitor),
 * the scenario's operations, the monitoring ticks and the end, and turns
 * what the service reports into lifecycle steps and summary figures.
 *
 * Timing of the lifecycle, all derived from the scenario:
 *   step 1  image built          build_time
 *   step 2  image pushed         + size_mb / push_mb_per_s
 *   step 3  service created      + provision_time
 *   step 4  tasks RUNNING        + provisioning + size / pull bandwidth + start + activating
 *                                (per task, reference §2.3; launches paced by §2.5 limits)
 *   step 5  steady state         every desired task healthy (40 s without a load balancer,
 *                                interval x healthy threshold with one, reference §2.1)
 *   step 6  monitored            first CloudWatch datapoint of a period with running tasks
 *                                published (period end + U(lag_min, lag_max), reference §7)
 *   step 7  end of the simulated period */
#include <assert.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ecsim/alloc.h"
#include "ecsim/error.h"
#include "ecsim/sim.h"
#include "ecsim/timeline.h"
#include "eventlog.h"
#include "events.h"
#include "lifecycle.h"
#include "platform.h"
#include "registry.h"
#include "scaling.h"
#include "service.h"
#include "sim_parts.h"

/* One run: the modules and what only the orchestration knows. */
struct ecsim_sim {
    const ecsim_scenario *sc;
    /* The from-creation shortfall figures when step 5 was recorded: the
     * after-steady figures are the final ones minus these. */
    double steady_under_s, steady_unserved;
    uint64_t seed;
    ecsim_engine *eng;
    registry *registry;           /* the ECR repository (registry.h) */
    platform *platform;           /* where tasks run and what they cost (platform.h) */
    service *service;             /* tasks, deployments, the scheduler (service.h) */
    scaling *scaling;             /* load, metrics, policy, cost (scaling.h) */
    events *events;               /* the scenario's operations and faults (events.h) */
    lifecycle *lc;                /* steps and tracked variables (lifecycle.h) */
    ecsim_tracked *now;           /* lifecycle_now(lc) */
    ecsim_timeline *timeline;     /* rows and markers (timeline.h) */
    eventlog *log;                /* events.log (eventlog.h) */
    ecsim_summary summary;

    int reported_step;            /* highest step handed out by ecsim_sim_advance */
    int advance_target;           /* ecsim_sim_advance stops when the last step reaches this */
    bool image_built;
    bool image_in_registry;
    bool done;
    bool failed_deploy;
    bool monitor_scheduled;       /* step 6's publication event is scheduled */
    bool monitor_published;       /* step 6's first datapoint is out */
    char monitor_text[320];       /* what CloudWatch did, for step 6 */
    double last_fail_marker_s;    /* task_failed plot markers: at most one a minute */
    int oom;
};

#define sim_fmt_clock ecsim_fmt_clock

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void sim_log(ecsim_sim *sim, const char *fmt, ...);

static const char *svc(const ecsim_sim *sim) { return sim->sc->service.name; }
/* The platform speaks Kubernetes (pods, ReplicaSets, nodes; reference §5). */
static bool k8s(const ecsim_sim *sim) { return platform_words(sim->platform)->kubernetes; }

char *ecsim_fmt_clock(char *buf, size_t size, double t_s)
{
    if (!isfinite(t_s)) {
        snprintf(buf, size, "—");
        return buf;
    }
    /* Tenths of a second, rounded once, so 59.96 s prints as 00:01:00.0. */
    long long tenths = llround(t_s * 10.0);
    long long secs = tenths / 10;
    int frac = (int)(tenths % 10);
    long long h = secs / 3600, m = (secs / 60) % 60, s = secs % 60;
    if (h >= 24) {
        /* Multi-day runs: "2d 03:00:00". */
        int n = snprintf(buf, size, "%lldd %02lld:%02lld:%02lld", h / 24, h % 24, m, s);
        if (frac && n > 0 && (size_t)n < size)
            snprintf(buf + n, size - (size_t)n, ".%d", frac);
        return buf;
    }
    if (frac)
        snprintf(buf, size, "%02lld:%02lld:%02lld.%d", h, m, s, frac);
    else
        snprintf(buf, size, "%02lld:%02lld:%02lld", h, m, s);
    return buf;
}

static void sim_log(ecsim_sim *sim, const char *fmt, ...)
{
    char msg[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    char clock[32];
    ecsim_fmt_clock(clock, sizeof clock, ecsim_engine_now(sim->eng));
    if (eventlog_add(sim->log, clock, msg) != 0)
        sim->oom = 1;
}

size_t ecsim_sim_log_count(const ecsim_sim *sim) { return eventlog_count(sim->log); }

const char *ecsim_sim_log_line(const ecsim_sim *sim, size_t i) { return eventlog_line(sim->log, i); }

static void update_counts(ecsim_sim *sim)
{
    /* No service, no desired count. */
    sim->now->desired = service_is_provisioned(sim->service) ? service_desired(sim->service) : 0;
    sim->now->running = service_count(sim->service, TASK_RUNNING);
    sim->now->capacity_rps = service_ready_count(sim->service) * sim->sc->service.task.capacity_rps;
}


static void record(ecsim_sim *sim, int step, bool failed)
{
    update_counts(sim);
    sim->now->demand_rps = scaling_demand_rate(sim->scaling, ecsim_engine_now(sim->eng));
    if (!lifecycle_record(sim->lc, step, ecsim_engine_now(sim->eng), failed))
        return;
    if (step == ECSIM_STEP_RUN) {
        sim->steady_under_s = sim->summary.under_capacity_s;
        sim->steady_unserved = sim->summary.unserved_requests;
    }
    sim_log(sim, "lifecycle step %d%s: %s", step, failed ? " failed" : " complete",
            lifecycle_step(sim->lc, step)->action);
    if (step >= sim->advance_target)
        ecsim_engine_stop(sim->eng);
}

/* ---- wiring: the service, its platform (the cluster) and the recorders ---------- */

/* The summary's task counts are the service's. */
static void sync_service_stats(ecsim_sim *sim)
{
    const service_stats *st = service_get_stats(sim->service);
    sim->summary.tasks_started = st->tasks_started;
    sim->summary.tasks_failed = st->tasks_failed;
    sim->summary.tasks_replaced = st->tasks_replaced;
    sim->summary.rollbacks = st->rollbacks;
}

static void on_service_log(void *ctx, const char *message) { sim_log(ctx, "%s", message); }

static void on_service_marker(void *ctx, const char *kind, const char *label)
{
    ecsim_sim *sim = ctx;
    if (ecsim_timeline_add_marker(sim->timeline, ecsim_engine_now(sim->eng), kind, label) ==
        ECSIM_ENOMEM)
        sim->oom = 1;
}

static void on_task_event_done(void *ctx)
{
    ecsim_sim *sim = ctx;
    events_check_settled(sim->events);
}

static void on_task_stopped(void *ctx, const service_task *t)
{
    ecsim_sim *sim = ctx;
    platform_task_stopped(sim->platform, t);
}

static void on_events_log(void *ctx, const char *message) { sim_log(ctx, "%s", message); }

static void on_scaling_log(void *ctx, const char *message) { sim_log(ctx, "%s", message); }

static void on_rollout_stuck(void *ctx)
{
    ecsim_sim *sim = ctx;
    lifecycle_set_deployment(sim->lc, "Stuck (min/max)");
}

/* The platform's reports: new capacity, a lost instance, log lines. */
static void on_platform_capacity(void *ctx)
{
    ecsim_sim *sim = ctx;
    service_capacity_available(sim->service);
}

static void on_platform_lost(void *ctx, int instance_id)
{
    ecsim_sim *sim = ctx;
    service_instance_lost(sim->service, instance_id);
}

static void on_platform_log(void *ctx, const char *message) { sim_log(ctx, "%s", message); }

/* ---- lifecycle events ----------------------------------------------------------- */

static void provision_done(ecsim_engine *eng, void *ctx, uint64_t arg)
{
    (void)eng;
    (void)arg;
    ecsim_sim *sim = ctx;
    const ecsim_scenario *sc = sim->sc;
    if (platform_provision(sim->platform) != 0)
        sim->oom = 1;
    service_provisioned(sim->service);
    scaling_start(sim->scaling);
    lifecycle_set_infra(sim->lc, lifecycle_seed_infra(ECSIM_STEP_PROVISION));
    lifecycle_set_image(sim->lc, sim->image_in_registry ? lifecycle_seed_image(ECSIM_STEP_PROVISION)
                                                    : "Not in registry");
    ecsim_step_record *r = lifecycle_step(sim->lc, ECSIM_STEP_PROVISION);
    if (k8s(sim)) {
        sim_log(sim, "deployment %s created on %s: replicas %d, pod requests %.2g vCPU / %.2g GB.",
                svc(sim), platform_words(sim->platform)->name, sc->service.desired, sc->service.task.vcpu,
                sc->service.task.memory_gb);
        snprintf(r->aws_did, sizeof r->aws_did,
                 "Created Deployment %s on %s in %.0f s with %d replicas; every pod requests %.2g vCPU "
                 "and %.2g GB.",
                 svc(sim), platform_words(sim->platform)->created_on, sc->service.provision_time_s,
                 sc->service.desired, sc->service.task.vcpu, sc->service.task.memory_gb);
        snprintf(r->user_did, sizeof r->user_did,
                 "Created the Deployment: pod template, replicas, platform.");
    } else {
    sim_log(sim, "service %s created on %s: desired count %d, task %.2g vCPU / %.2g GB.", svc(sim),
            platform_words(sim->platform)->name,
            sc->service.desired, sc->service.task.vcpu, sc->service.task.memory_gb);
    snprintf(r->aws_did, sizeof r->aws_did,
             "Created service %s on %s in %.0f s with desired count %d; every task gets %.2g vCPU "
             "and %.2g GB.",
             svc(sim), platform_words(sim->platform)->created_on,
             sc->service.provision_time_s, sc->service.desired, sc->service.task.vcpu,
             sc->service.task.memory_gb);
    }
    record(sim, ECSIM_STEP_PROVISION, false);
    lifecycle_set_deployment(sim->lc, "In progress");
    if (service_deploy(sim->service, sc->image.tag, ECSIM_DEFECT_NONE, false) != 0)
        sim->oom = 1;
    sim->summary.deployments++;
}

static void start_provisioning(ecsim_sim *sim)
{
    if (!ecsim_engine_schedule_in(sim->eng, sim->sc->service.provision_time_s, provision_done, sim, 0))
        sim->oom = 1;
}

static void push_done(ecsim_engine *eng, void *ctx, uint64_t arg)
{
    (void)eng;
    (void)arg;
    ecsim_sim *sim = ctx;
    const ecsim_scenario *sc = sim->sc;
    double now = ecsim_engine_now(sim->eng);
    if (!registry_reachable(sim->registry, now)) {
        /* registry_outage: the push waits until the registry is back. */
        sim_log(sim, "image %s:%s push failed: the registry is unreachable; retrying when it is "
                     "back.",
                sc->image.name, sc->image.tag);
        double retry = registry_outage_until(sim->registry) + sc->image.size_mb / sc->registry.push_mb_per_s;
        if (!ecsim_engine_schedule(sim->eng, retry, push_done, sim, 0))
            sim->oom = 1;
        return;
    }
    int rc = registry_push(sim->registry, sc->image.tag, sc->image.size_mb, ecsim_engine_now(sim->eng));
    if (rc < 0) {
        sim->oom = 1;
        return;
    }
    const registry_image *img = registry_resolve(sim->registry, sc->image.tag);
    sim->image_in_registry = true;
    lifecycle_set_image(sim->lc, lifecycle_seed_image(ECSIM_STEP_PUSH));
    sim_log(sim, "image %s:%s pushed to the registry as %s (%.0f MB at %.3g MB/s).", sc->image.name,
            sc->image.tag, img->digest, sc->image.size_mb, sc->registry.push_mb_per_s);
    ecsim_step_record *r = lifecycle_step(sim->lc, ECSIM_STEP_PUSH);
    snprintf(r->aws_did, sizeof r->aws_did,
             "Amazon ECR stored %s:%s as digest %.19s... (%.0f MB uploaded in %.1f s at %.3g MB/s).",
             sc->image.name, sc->image.tag, img->digest, sc->image.size_mb,
             sc->image.size_mb / sc->registry.push_mb_per_s, sc->registry.push_mb_per_s);
    record(sim, ECSIM_STEP_PUSH, false);
    start_provisioning(sim);
}

static void build_done(ecsim_engine *eng, void *ctx, uint64_t arg)
{
    (void)eng;
    (void)arg;
    ecsim_sim *sim = ctx;
    const ecsim_scenario *sc = sim->sc;
    sim->image_built = true;
    lifecycle_set_image(sim->lc, lifecycle_seed_image(ECSIM_STEP_PACKAGE));
    sim_log(sim, "image %s:%s built (%.0f MB).", sc->image.name, sc->image.tag, sc->image.size_mb);
    ecsim_step_record *r = lifecycle_step(sim->lc, ECSIM_STEP_PACKAGE);
    snprintf(r->aws_did, sizeof r->aws_did,
             "Nothing yet: the image %s:%s (%.0f MB) exists only on the build machine.",
             sc->image.name, sc->image.tag, sc->image.size_mb);
    record(sim, ECSIM_STEP_PACKAGE, false);
    if (sc->registry.push) {
        if (!ecsim_engine_schedule_in(sim->eng, sc->image.size_mb / sc->registry.push_mb_per_s,
                                      push_done, sim, 0))
            sim->oom = 1;
        return;
    }
    /* The seed's quiz question 3: the image is never pushed. */
    sim_log(sim, "image %s:%s was not pushed (registry.push: false): the registry has no such tag.",
            sc->image.name, sc->image.tag);
    r = lifecycle_step(sim->lc, ECSIM_STEP_PUSH);
    snprintf(r->result, sizeof r->result, "Image not pushed: registry has no %s:%s", sc->image.name,
             sc->image.tag);
    snprintf(r->role, sizeof r->role, "Nothing stored");
    snprintf(r->user_did, sizeof r->user_did, "Skipped the push (registry.push: false).");
    snprintf(r->aws_did, sizeof r->aws_did,
             "Nothing: Amazon ECR never received the image, so the repository has no tag %s.",
             sc->image.tag);
    snprintf(r->fix, sizeof r->fix,
             "Push the image before deploying (docker push %s:%s, or a CI step); set registry.push: "
             "true.",
             sc->image.name, sc->image.tag);
    lifecycle_set_image(sim->lc, "Created (not in registry)");
    record(sim, ECSIM_STEP_PUSH, true);
    start_provisioning(sim);
}

/* ---- notifications from the service ------------------------------------------- */

static int primary_running(const ecsim_sim *sim)
{
    const service_deployment *dp = service_primary(sim->service);
    return dp ? dp->running_avail : 0;
}

static void describe_deploy(ecsim_sim *sim)
{
    const ecsim_scenario *sc = sim->sc;
    const ecsim_task_spec *ts = &sc->service.task;
    double pull_s = sc->image.size_mb / sc->registry.pull_mb_per_s;
    ecsim_step_record *r = lifecycle_step(sim->lc, ECSIM_STEP_DEPLOY);
    if (platform_words(sim->platform)->deploy_role)
        snprintf(r->role, sizeof r->role, "%s", platform_words(sim->platform)->deploy_role);
    snprintf(r->aws_did, sizeof r->aws_did,
             "%s started %d %.*s on %s. Each: provisioning %.0f s, image pull %.1f s (%.0f MB at "
             "%.3g MB/s), container start %.0f s, activation %.0f s: RUNNING %.1f s after launch.",
             k8s(sim) ? "Kubernetes" : "ECS", sc->service.desired,
             (int)strlen(platform_words(sim->platform)->tasks) - (sc->service.desired == 1),
             platform_words(sim->platform)->tasks, platform_words(sim->platform)->started_on,
             ts->provisioning_time_s, pull_s, sc->image.size_mb, sc->registry.pull_mb_per_s,
             ts->start_time_s, ts->activating_time_s,
             ts->provisioning_time_s + pull_s + ts->start_time_s + ts->activating_time_s);
}

static void describe_deploy_failure(ecsim_sim *sim);

static void on_tasks_changed(void *ctx)
{
    ecsim_sim *sim = ctx;
    sync_service_stats(sim);
    update_counts(sim);
    scaling_tasks_changed(sim->scaling);
    service_check_rollout(sim->service);
    if (!lifecycle_step(sim->lc, ECSIM_STEP_DEPLOY)->reached && service_primary(sim->service) &&
        primary_running(sim) >= service_desired(sim->service)) {
        lifecycle_set_image(sim->lc, lifecycle_seed_image(ECSIM_STEP_DEPLOY));
        lifecycle_set_infra(sim->lc, lifecycle_seed_infra(ECSIM_STEP_DEPLOY));
        describe_deploy(sim);
        record(sim, ECSIM_STEP_DEPLOY, false);
    }
    /* Without a circuit breaker ECS never gives up (reference §2.4 item 4):
     * the deployment is visibly failing once the throttle engages. */
    if (!lifecycle_step(sim->lc, ECSIM_STEP_DEPLOY)->reached && service_throttle_announced(sim->service) &&
        !sim->sc->service.deployment.circuit_breaker.enable) {
        sim->failed_deploy = true;
        lifecycle_set_image(sim->lc, "Not in registry: pull failed");
        lifecycle_set_infra(sim->lc, "Provisioned, tasks failing");
        lifecycle_set_deployment(sim->lc, "Failing (retrying)");
        describe_deploy_failure(sim);
        record(sim, ECSIM_STEP_DEPLOY, true);
    }
}

static void on_deployment_failed(void *ctx, const service_deployment *dp)
{
    ecsim_sim *sim = ctx;
    int index = dp->id - 1;
    sim->summary.deployments_failed++;
    if (lifecycle_step(sim->lc, ECSIM_STEP_DEPLOY)->reached) {
        /* An update (step 6) failed: the breaker or the progress deadline. */
        char label[96];
        snprintf(label, sizeof label, "%s failed: %s", dp->tag, dp->failure ? dp->failure : "");
        if (ecsim_timeline_add_marker(sim->timeline, ecsim_engine_now(sim->eng),
                                      ECSIM_MARK_DEPLOYMENT_FAILED, label) == ECSIM_ENOMEM)
            sim->oom = 1;
        if (events_op_of_deployment(sim->events, index))
            sim->summary.updates_failed++;
        const ecsim_circuit_breaker_spec *cb = &sim->sc->service.deployment.circuit_breaker;
        bool rollback = cb->rollback && platform_automatic_rollback(sim->platform) &&
                        service_last_completed(sim->service, index) >= 0;
        lifecycle_set_deployment(sim->lc, rollback ? "Failed, rolling back" : "Failed");
        if (!rollback) {
            char image[64];
            int good = service_last_completed(sim->service, index);
            snprintf(image, sizeof image, "Running %.20s; %.20s failed",
                     good >= 0 ? service_deployment_at(sim->service, (size_t)good)->tag : "old version",
                     dp->tag);
            lifecycle_set_image(sim->lc, image);
        }
        events_check_settled(sim->events);
        return;
    }
    sim->failed_deploy = true;
    lifecycle_set_image(sim->lc, registry_outage_until(sim->registry) > ecsim_engine_now(sim->eng) - 3600 &&
                                     registry_resolve(sim->registry, dp->tag)
                                 ? "In registry: pull failed (unreachable)"
                                 : "Not in registry: pull failed");
    lifecycle_set_infra(sim->lc, "Provisioned, no running containers");
    lifecycle_set_deployment(sim->lc, "Failed");
    describe_deploy_failure(sim);
    record(sim, ECSIM_STEP_DEPLOY, true);
}

static void on_deployment_completed(void *ctx, const service_deployment *dp)
{
    ecsim_sim *sim = ctx;
    if (lifecycle_step(sim->lc, ECSIM_STEP_RUN)->reached || dp->is_rollback || dp->id > 1) {
        char image[64];
        snprintf(image, sizeof image, dp->is_rollback ? "Running %.24s (rolled back)" : "Running %.24s",
                 dp->tag);
        lifecycle_set_image(sim->lc, image);
        lifecycle_set_deployment(sim->lc, dp->is_rollback ? "Rolled back" : "Completed");
        char label[96];
        snprintf(label, sizeof label, "%s %s", dp->is_rollback ? "rolled back to" : "rolled out",
                 dp->tag);
        /* A rollback was marked when it started (service.c). */
        if (dp->id > 1 && !dp->is_rollback &&
            ecsim_timeline_add_marker(sim->timeline, ecsim_engine_now(sim->eng),
                                      ECSIM_MARK_DEPLOYMENT, label) == ECSIM_ENOMEM)
            sim->oom = 1;
        events_check_settled(sim->events);
        if (lifecycle_step(sim->lc, ECSIM_STEP_RUN)->reached)
            return;
    } else {
        lifecycle_set_deployment(sim->lc, "Completed");
    }
    lifecycle_set_image(sim->lc, lifecycle_seed_image(ECSIM_STEP_RUN));
    lifecycle_set_infra(sim->lc, lifecycle_seed_infra(ECSIM_STEP_RUN));
    ecsim_step_record *r = lifecycle_step(sim->lc, ECSIM_STEP_RUN);
    if (k8s(sim)) {
        char rs[ECSIM_NAME_MAX + 16];
        service_replicaset_name(sim->service, dp->revision, rs, sizeof rs);
        sim_log(sim, "deployment %s: condition Available=True: Deployment has minimum availability "
                     "(%d of %d pods Ready).",
                svc(sim), service_desired(sim->service), service_desired(sim->service));
        snprintf(r->aws_did, sizeof r->aws_did,
                 "All %d pods of ReplicaSet %s passed their readiness checks (%s); the Deployment "
                 "rollout is complete and Kubernetes now keeps %d pods running%s.",
                 service_desired(sim->service), rs,
                 sim->sc->service.load_balancer.enable ? "target group healthy threshold x interval"
                                                       : "40 s after the container started, no load balancer",
                 service_desired(sim->service),
                 sim->sc->autoscaler.policy == ECSIM_POLICY_NONE ? " (no autoscaler: a fixed count)"
                                                                 : ", scaled by the autoscaler");
        record(sim, ECSIM_STEP_RUN, false);
        return;
    }
    sim_log(sim, "service %s has reached a steady state.", svc(sim));
    snprintf(r->aws_did, sizeof r->aws_did,
             "All %d tasks of deployment ecs-svc/%d passed their health checks (%s); the service "
             "reached a steady state and ECS now keeps %d tasks running%s.",
             service_desired(sim->service), dp->id,
             sim->sc->service.load_balancer.enable ? "target group healthy threshold x interval"
                                                   : "40 s after RUNNING without a load balancer",
             service_desired(sim->service),
             sim->sc->autoscaler.policy == ECSIM_POLICY_NONE ? " (no autoscaler: a fixed count)"
                                                             : ", scaled by the autoscaler");
    record(sim, ECSIM_STEP_RUN, false);
}

static void on_task_failed(void *ctx, const service_task *t)
{
    ecsim_sim *sim = ctx;
    double now = ecsim_engine_now(sim->eng);
    /* One marker a minute at most: a crash loop would otherwise bury the plot. */
    if (now - sim->last_fail_marker_s < 60.0)
        return;
    sim->last_fail_marker_s = now;
    char label[96];
    snprintf(label, sizeof label, "task %d: %s", t->id,
             t->stop_code            ? t->stop_code
             : t->pending_stop_code  ? "failed health checks"
                                     : "CrashLoopBackOff");
    if (ecsim_timeline_add_marker(sim->timeline, now, ECSIM_MARK_TASK_FAILED, label) == ECSIM_ENOMEM)
        sim->oom = 1;
}

/* ---- monitoring ---------------------------------------------------------------- */

/* Step 6 ("Monitor and update"): recorded when the first CloudWatch
 * datapoint of a period after the steady state is published and every
 * operation of the scenario (updates, faults) has settled, so its time is
 * the end of the last update and its result says how each one went. */
static void record_monitor(ecsim_sim *sim, bool at_end)
{
    ecsim_step_record *r = lifecycle_step(sim->lc, ECSIM_STEP_MONITOR);
    if (r->reached)
        return;
    lifecycle_set_infra(sim->lc, lifecycle_seed_infra(ECSIM_STEP_MONITOR));
    int op_count = events_op_count(sim->events);
    if (op_count == 0) {
        lifecycle_set_image(sim->lc, lifecycle_seed_image(ECSIM_STEP_MONITOR));
        snprintf(r->aws_did, sizeof r->aws_did, "%s", sim->monitor_text);
        record(sim, ECSIM_STEP_MONITOR, false);
        return;
    }
    bool failed = false, update = false;
    const char *fix = NULL;
    size_t n = 0, m = 0;
    r->result[0] = '\0';
    m = (size_t)snprintf(r->aws_did, sizeof r->aws_did, "%s Then:", sim->monitor_text);
    for (int i = 0; i < op_count; i++) {
        const events_op *op = events_op_at(sim->events, i);
        const char *text = op->result[0] ? op->result : op->what;
        if (op->action == ECSIM_ACTION_DEPLOY)
            update = true;
        if (op->failed) {
            failed = true;
            if (!fix)
                fix = op->fix;
        }
        if (n < sizeof r->result)
            n += (size_t)snprintf(r->result + n, sizeof r->result - n, "%s%s%s", n ? "; " : "", text,
                                  isfinite(op->settled_s) ? "" : " (still under way at the end)");
        if (m < sizeof r->aws_did)
            m += (size_t)snprintf(r->aws_did + m, sizeof r->aws_did - m, " %s: %s.", op->what,
                                  isfinite(op->settled_s) ? text : "still under way when the period ended");
    }
    snprintf(r->role, sizeof r->role, "%s",
             !update ? "AWS monitors and replaces tasks"
                     : platform_words(sim->platform)->update_role);
    snprintf(r->user_did, sizeof r->user_did, "%s",
             update ? "Watched CloudWatch metrics and alarms; deployed a new version."
                    : "Watched CloudWatch metrics and alarms while faults hit the service.");
    snprintf(r->fix, sizeof r->fix, "%s", fix ? fix : "");
    if (at_end)
        sim_log(sim, "step 6: operations still under way when the period ended.");
    record(sim, ECSIM_STEP_MONITOR, failed);
}

/* Every scenario operation has settled: step 6 may be recorded. */
static void on_operations_settled(void *ctx)
{
    ecsim_sim *sim = ctx;
    if (sim->monitor_published && events_pending(sim->events) == 0)
        record_monitor(sim, false);
}

static void datapoint_published(ecsim_engine *eng, void *ctx, uint64_t arg)
{
    (void)eng;
    ecsim_sim *sim = ctx;
    if (lifecycle_step(sim->lc, ECSIM_STEP_MONITOR)->reached || sim->monitor_published)
        return;
    const ecsim_monitoring_spec *mon = &sim->sc->monitoring;
    double period_end = (double)(arg + 1) * mon->period_s;
    double lag = ecsim_engine_now(sim->eng) - period_end;
    sim_log(sim, "CloudWatch: first CPUUtilization datapoint of %s %s published (period "
                 "ending at %.0f s, %.0f s lag).",
            k8s(sim) ? "deployment" : "service", svc(sim), period_end, lag);
    sim->monitor_published = true;
    snprintf(sim->monitor_text, sizeof sim->monitor_text,
             "CloudWatch published the service's first CPU and memory datapoints (one per %.0f s "
             "period, this one %.0f s after its period ended); alarms and the autoscaler read "
             "them from now on.",
             mon->period_s, lag);
    if (events_op_count(sim->events) == 0 && events_pending(sim->events) == 0) {
        record_monitor(sim, false);
        return;
    }
    lifecycle_set_image(sim->lc, lifecycle_seed_image(ECSIM_STEP_MONITOR));
    events_check_settled(sim->events);
}

static void monitor_tick(ecsim_engine *eng, void *ctx, uint64_t period_index)
{
    ecsim_sim *sim = ctx;
    const ecsim_monitoring_spec *mon = &sim->sc->monitoring;
    scaling_period_end(sim->scaling);
    const ecsim_step_record *steady = lifecycle_step(sim->lc, ECSIM_STEP_RUN);
    if (steady->reached && !sim->monitor_scheduled &&
        ecsim_engine_now(eng) > steady->time_s) {
        ecsim_datapoint dp;
        ecsim_datapoint_status st = ecsim_metrics_lookup(scaling_metrics(sim->scaling), ECSIM_METRIC_ID_CPU,
                                                         (int64_t)period_index, ecsim_engine_now(eng), &dp);
        if (st != ECSIM_DP_MISSING && isfinite(dp.publish_s)) {
            sim->monitor_scheduled = true;
            if (!ecsim_engine_schedule(eng, fmax(dp.publish_s, ecsim_engine_now(eng)),
                                       datapoint_published, sim, period_index))
                sim->oom = 1;
        }
    }
    double next = (double)(period_index + 2) * mon->period_s;
    if (next <= sim->sc->duration_s &&
        !ecsim_engine_schedule(eng, next, monitor_tick, sim, period_index + 1))
        sim->oom = 1;
}

/* ---- the end ----------------------------------------------------------------------- */

/* The texts of a failed step 4, with the counts so far (called when the
 * failure is recorded and again at the end). */
static void describe_deploy_failure(ecsim_sim *sim)
{
    const ecsim_scenario *sc = sim->sc;
    ecsim_step_record *dep = lifecycle_step(sim->lc, ECSIM_STEP_DEPLOY);
    int failed = service_get_stats(sim->service)->tasks_failed;
    const service_deployment *dp = service_primary(sim->service);
    const char *reason = "";
    for (size_t i = service_task_count(sim->service); i-- > 0;)
        if (service_task_at(sim->service, i)->stop_code) {
            reason = service_task_at(sim->service, i)->stop_reason;
            break;
        }
    bool unreachable = strstr(reason, "i/o timeout") != NULL;
    const char *what = unreachable ? "registry unreachable (CannotPullContainerError: i/o timeout)"
                                   : "image missing from registry (CannotPullContainerError)";
    /* The seed's "Deployed the service from the image in the registry" is
     * not what happened when the registry does not have the image. */
    if (!unreachable && snprintf(dep->user_did, sizeof dep->user_did,
                                 "Deployed the service from %s:%s, an image the registry does "
                                 "not have%s.",
                                 sc->image.name, sc->image.tag,
                                 sc->registry.push ? "" : " (the push was skipped at step 2)") >=
                            (int)sizeof dep->user_did)
        dep->user_did[sizeof dep->user_did - 1] = '\0'; /* cut: names are short in practice */
    if (k8s(sim)) {
        /* The same story in Kubernetes words (reference §5.4: ErrImagePull, ImagePullBackOff). */
        snprintf(dep->role, sizeof dep->role, "Kubernetes creates pods; their image pulls fail");
        snprintf(dep->result, sizeof dep->result, "Deployment %s: %s; %d pod starts failed (ErrImagePull)",
                 dp && dp->rollout == ROLLOUT_FAILED ? "failed" : "failing",
                 unreachable ? "registry unreachable (i/o timeout)" : "image missing from registry",
                 failed);
        snprintf(dep->aws_did, sizeof dep->aws_did,
                 "Kubernetes created pods; the kubelet could not pull %s:%s (ErrImagePull) and backed "
                 "off (ImagePullBackOff), up to %.0f s between attempts; %d pod starts failed by the end.",
                 sc->image.name, sc->image.tag,
                 service_throttle_delay(sim->service) > 0 ? service_throttle_delay(sim->service)
                                                          : sc->service.throttle.initial_s,
                 failed);
        snprintf(dep->fix, sizeof dep->fix,
                 unreachable ? "Make Amazon ECR reachable from the pods' subnets (VPC endpoints for "
                               "ecr.api, ecr.dkr and S3, or a NAT gateway); the kubelet retries by itself."
                             : "Push the image to the registry (or correct the tag in the pod template), "
                               "then roll out again (kubectl set image).");
        return;
    }
    snprintf(dep->role, sizeof dep->role, "AWS launches tasks; they stop: TaskFailedToStart");
    if (dp && dp->rollout == ROLLOUT_FAILED)
        snprintf(dep->result, sizeof dep->result,
                 "Deployment failed: %s; circuit breaker stopped it after %d failed tasks", what,
                 dp->failed_tasks);
    else
        snprintf(dep->result, sizeof dep->result,
                 "Deployment failing: %s; %d task launches failed, ECS keeps retrying with backoff",
                 what, failed);
    snprintf(dep->aws_did, sizeof dep->aws_did,
             "ECS launched tasks; each went PROVISIONING -> PENDING -> STOPPED without reaching "
             "RUNNING (stopCode TaskFailedToStart, \"%.120s...\"). The service throttle spaced the "
             "retries out, up to %.0f s apart; %d launches failed by the end.",
             reason,
             service_throttle_delay(sim->service) > 0 ? service_throttle_delay(sim->service)
                                                      : sc->service.throttle.initial_s,
             failed);
    if (unreachable)
        snprintf(dep->fix, sizeof dep->fix,
                 "Make Amazon ECR reachable from the tasks' subnets (VPC endpoints for ecr.api, "
                 "ecr.dkr and S3, or a NAT gateway); then deploy again: a new revision also resets "
                 "the service throttle.");
    else
        snprintf(dep->fix, sizeof dep->fix,
                 "Push %s:%s to the registry (or correct the tag), then deploy a new task definition "
                 "revision: a new revision also resets the service throttle.",
                 sc->image.name, sc->image.tag);
}

/* The after-steady shortfall figures (summary.h): the from-creation
 * figures (integrated by scaling.c in steps of at most 1 s, or per requests
 * segment) minus their values when the service first reached steady state
 * (step 5), so both count the same way and after-steady <= from creation.
 * The start-up before step 5 is counted only in the from-creation figures. */
static void measure_after_steady(ecsim_sim *sim)
{
    ecsim_summary *s = &sim->summary;
    if (!lifecycle_step(sim->lc, ECSIM_STEP_RUN)->reached)
        return; /* stay NaN: null in summary.json */
    s->under_capacity_after_steady_s = s->under_capacity_s - sim->steady_under_s;
    s->unserved_after_steady_requests = s->unserved_requests - sim->steady_unserved;
}

/* Did the app leave any demand unserved after steady state? The rule of the
 * README ("Shortfall"): any metric period after step 5 with unserved demand,
 * however short, is reported in steps 5, 6 and End. */
static bool fell_behind(const ecsim_sim *sim)
{
    const ecsim_summary *s = &sim->summary;
    return isfinite(s->unserved_after_steady_requests) &&
           (s->under_capacity_after_steady_s > 0 || s->unserved_after_steady_requests >= 0.5);
}

/* "N requests unserved over S s after steady state": the names and values
 * of capacity.unserved_after_steady_requests and
 * capacity.under_capacity_after_steady_s. */
static void shortfall_words(const ecsim_sim *sim, char *buf, size_t size)
{
    const ecsim_summary *s = &sim->summary;
    snprintf(buf, size, "%.0f requests unserved over %.0f s after steady state",
             round(s->unserved_after_steady_requests), round(s->under_capacity_after_steady_s));
}

/* Step 5's result, honest about this run: the seed's "App handles more
 * users smoothly" only when the app kept up with demand. */
static void describe_running(ecsim_sim *sim)
{
    ecsim_step_record *r = lifecycle_step(sim->lc, ECSIM_STEP_RUN);
    if (!r->reached)
        return;
    char words[160];
    shortfall_words(sim, words, sizeof words);
    if (fell_behind(sim))
        snprintf(r->result, sizeof r->result, "App fell behind demand: %s", words);
    else if (sim->sc->autoscaler.policy == ECSIM_POLICY_NONE)
        snprintf(r->result, sizeof r->result, "App runs at a fixed size (no autoscaler)");
    if (sim->sc->autoscaler.policy == ECSIM_POLICY_NONE)
        snprintf(r->user_did, sizeof r->user_did,
                 "Nothing: the service runs at its fixed desired count (no autoscaler).");
}

/* Steps 6 and End say the same when the app fell behind: `r`'s result gets
 * the shortfall appended (or replaces the seed's text `seed`). The caller
 * checks that `r` was reached (End is recorded after the texts). */
static void describe_shortfall(ecsim_sim *sim, ecsim_step_record *r, const char *seed)
{
    if (!fell_behind(sim))
        return;
    char words[160], was[sizeof r->result];
    shortfall_words(sim, words, sizeof words);
    snprintf(was, sizeof was, "%s", r->result);
    if (strcmp(was, seed) == 0 || !was[0])
        snprintf(r->result, sizeof r->result, "App runs, but fell behind demand: %s", words);
    else if (snprintf(r->result, sizeof r->result, "%s; fell behind demand: %s", was, words) >=
             (int)sizeof r->result)
        r->result[sizeof r->result - 1] = '\0'; /* cut: the texts are shorter in practice */
}

/* A step the run never reached says why, and what to change, and nothing
 * else (issue 9 point 12): the nearest earlier step that failed (its result
 * and its fix); else the step that never completed (tasks that could not be
 * placed), with its fix; else the end of the simulated period. The seed's
 * texts for the step ("Nothing: the service runs ...") would tell of a run
 * that did not happen, so they are replaced; the result and the role (the
 * execution table's columns) are left as finish_texts set them. End, when
 * a step was not reached, says which instead of the seed's "All steps
 * complete". */
static void describe_unreached(ecsim_sim *sim)
{
    char clock[32];
    sim_fmt_clock(clock, sizeof clock, sim->sc->duration_s);
    const ecsim_step_record *first = NULL;
    bool had_fix[ECSIM_STEP_COUNT + 1]; /* fixes finish_texts set, before this adds any */
    for (int s = ECSIM_STEP_PACKAGE; s <= ECSIM_STEP_END; s++)
        had_fix[s] = lifecycle_step(sim->lc, s)->fix[0] != '\0';
    for (int s = ECSIM_STEP_PACKAGE; s < ECSIM_STEP_END; s++) {
        ecsim_step_record *r = lifecycle_step(sim->lc, s);
        if (r->reached)
            continue;
        if (!first)
            first = r;
        const ecsim_step_record *cause = NULL, *stuck = NULL;
        for (int f = s - 1; f >= ECSIM_STEP_PACKAGE && !cause; f--) {
            const ecsim_step_record *p = lifecycle_step(sim->lc, f);
            if (p->reached && p->failed)
                cause = p;
        }
        for (int u = ECSIM_STEP_PACKAGE; u <= s && !cause && !stuck; u++) {
            const ecsim_step_record *p = lifecycle_step(sim->lc, u);
            if (!p->reached && had_fix[u])
                stuck = p;
        }
        snprintf(r->user_did, sizeof r->user_did, "Nothing: this step was not reached.");
        const char *fix = "";
        if (cause) {
            if (snprintf(r->why, sizeof r->why, "Step %d (%s) failed: %s.", cause->step,
                         cause->action, cause->result) >= (int)sizeof r->why)
                r->why[sizeof r->why - 1] = '\0'; /* cut: results are shorter in practice */
            fix = cause->fix;
        } else if (stuck == r) {
            snprintf(r->why, sizeof r->why, "%.380s", r->aws_did);
            fix = r->fix; /* finish_texts's */
        } else if (stuck) {
            const char *what = stuck->result;
            if (strncmp(what, "Not reached: ", 13) == 0)
                what += 13;
            if (snprintf(r->why, sizeof r->why, "Step %d (%s) never completed: %s.", stuck->step,
                         stuck->action, what) >= (int)sizeof r->why)
                r->why[sizeof r->why - 1] = '\0';
            fix = stuck->fix;
        } else {
            snprintf(r->why, sizeof r->why,
                     "The simulated period (%s) ended before this step; events.log tells what "
                     "was still under way.",
                     clock);
            fix = "Run longer: raise the scenario's duration (or --set duration=...).";
        }
        if (fix != r->fix)
            snprintf(r->fix, sizeof r->fix, "%s", fix);
    }
    ecsim_step_record *end = lifecycle_step(sim->lc, ECSIM_STEP_END);
    if (first)
        if (snprintf(end->why, sizeof end->why, "Not every step completed: step %d was not reached. %s",
                     first->step, first->why) >= (int)sizeof end->why)
            end->why[sizeof end->why - 1] = '\0';
}

static void finish_texts(ecsim_sim *sim)
{
    const ecsim_scenario *sc = sim->sc;
    char clock[32];
    ecsim_step_record *dep = lifecycle_step(sim->lc, ECSIM_STEP_DEPLOY);
    ecsim_step_record *end = lifecycle_step(sim->lc, ECSIM_STEP_END);
    int failed = service_get_stats(sim->service)->tasks_failed;
    if (dep->reached && dep->failed)
        describe_deploy_failure(sim);
    /* Steps the run never got to keep no result that claims otherwise. */
    for (int st = ECSIM_STEP_PACKAGE; st <= ECSIM_STEP_PROVISION; st++) {
        ecsim_step_record *r = lifecycle_step(sim->lc, st);
        if (r->reached)
            continue;
        snprintf(r->result, sizeof r->result, "Not reached: the simulated period ended first");
        snprintf(r->role, sizeof r->role, "—");
        snprintf(r->aws_did, sizeof r->aws_did, "Nothing: the run ended before this step.");
    }
    /* Tasks waiting PENDING for capacity when the run ended (ec2 / eks). */
    int waiting = service_waiting_count(sim->service);
    ecsim_step_record *deploy = lifecycle_step(sim->lc, ECSIM_STEP_DEPLOY);
    if (!deploy->reached && waiting > 0 && k8s(sim)) {
        snprintf(deploy->result, sizeof deploy->result,
                 "Not reached: %d pod%s stuck Pending, no node has room", waiting, waiting == 1 ? "" : "s");
        snprintf(deploy->aws_did, sizeof deploy->aws_did,
                 "The scheduler could not place %d pod%s: FailedScheduling, no node has enough free "
                 "CPU or memory for the pod's requests (see events.log), and the Cluster Autoscaler "
                 "cannot help when a pod is larger than a node.",
                 waiting, waiting == 1 ? "" : "s");
        snprintf(deploy->fix, sizeof deploy->fix,
                 "Make the pod's requests fit a node (task.vcpu / memory_gb against cluster.vcpu / "
                 "memory_gb), use a larger instance type, or raise cluster.max_instances.");
    } else if (!deploy->reached && waiting > 0) {
        snprintf(deploy->result, sizeof deploy->result,
                 "Not reached: %d task%s stuck PENDING, no container instance has room", waiting,
                 waiting == 1 ? "" : "s");
        snprintf(deploy->aws_did, sizeof deploy->aws_did,
                 "ECS could not place %d task%s: no registered instance has enough free CPU or "
                 "memory (\"unable to place a task because no container instance met all of its "
                 "requirements\", see events.log), and managed scaling cannot help when a task is "
                 "larger than an instance.",
                 waiting, waiting == 1 ? "" : "s");
        snprintf(deploy->fix, sizeof deploy->fix,
                 "Make the task fit an instance (task.vcpu / memory_gb against cluster.vcpu / "
                 "memory_gb), use a larger instance type, or raise cluster.max_instances.");
    } else if (!deploy->reached && deploy->result[0]) {
        snprintf(deploy->result, sizeof deploy->result, "Not reached: the simulated period ended first");
        snprintf(deploy->role, sizeof deploy->role, "—");
    }
    for (int s = ECSIM_STEP_RUN; s <= ECSIM_STEP_MONITOR; s++) {
        ecsim_step_record *r = lifecycle_step(sim->lc, s);
        if (r->reached)
            continue;
        snprintf(r->result, sizeof r->result, "Not reached: %s",
                 sim->failed_deploy || !deploy->reached ? (k8s(sim) ? "no pod ever ran" : "no task ever ran")
                                                       : "the simulated period ended first");
        snprintf(r->role, sizeof r->role, "—");
        snprintf(r->aws_did, sizeof r->aws_did, "Nothing: %s",
                 sim->failed_deploy ? "the deployment failed at step 4, so there is nothing to run, "
                                      "scale or monitor."
                                    : "the run ended before this step.");
    }
    if (sim->failed_deploy) {
        snprintf(end->role, sizeof end->role, "Simulation ended at %s",
                 sim_fmt_clock(clock, sizeof clock, sc->duration_s));
        snprintf(end->result, sizeof end->result, "App never ran: deployment failed at step 4");
        if (k8s(sim))
            snprintf(end->aws_did, sizeof end->aws_did,
                     "The simulated period is over: %d pod starts failed, 0 pods running.", failed);
        else
            snprintf(end->aws_did, sizeof end->aws_did,
                     "The simulated period is over: %d task launches failed, 0 tasks running.", failed);
    } else if (!lifecycle_step(sim->lc, ECSIM_STEP_RUN)->reached) {
        snprintf(end->role, sizeof end->role, "Simulation ended at %s",
                 sim_fmt_clock(clock, sizeof clock, sc->duration_s));
        snprintf(end->result, sizeof end->result, "%s",
                 waiting > 0 && !deploy->reached ? (k8s(sim) ? "App never ran: its pods could not be scheduled"
                                                             : "App never ran: its tasks could not be placed")
                                                 : "App not yet steady when the period ended");
        snprintf(end->aws_did, sizeof end->aws_did, "The simulated period ended before the service "
                                                    "reached a steady state.");
    } else {
        snprintf(end->aws_did, sizeof end->aws_did,
                 "The simulated period is over: %d %s running, %d started in all.",
                 sim->now->running, platform_words(sim->platform)->tasks, sim->summary.tasks_started);
        /* The seed's closing words only when they are true of this run. */
        const ecsim_summary *sum = &sim->summary;
        const service_deployment *dp = service_primary(sim->service);
        if (sum->updates_failed > 0)
            snprintf(end->result, sizeof end->result, "App runs, but %d update%s failed%s",
                     sum->updates_failed, sum->updates_failed == 1 ? "" : "s",
                     sum->rollbacks > 0 ? " and rolled back" : "");
        else if (dp && dp->rollout == ROLLOUT_IN_PROGRESS)
            snprintf(end->result, sizeof end->result,
                     "App runs, but an update was still rolling out at the end");
        describe_running(sim);
        if (lifecycle_step(sim->lc, ECSIM_STEP_MONITOR)->reached)
            describe_shortfall(sim, lifecycle_step(sim->lc, ECSIM_STEP_MONITOR),
                               lifecycle_seed_result(ECSIM_STEP_MONITOR));
        describe_shortfall(sim, end, lifecycle_seed_text_end());
    }
    describe_unreached(sim);
}

static void finish_summary(ecsim_sim *sim)
{
    ecsim_summary *s = &sim->summary;
    s->duration_s = sim->sc->duration_s;
    s->events_dispatched = ecsim_engine_dispatched(sim->eng);
    if (sim->failed_deploy)
        snprintf(s->outcome, sizeof s->outcome, "deployment_failed");
    else if (lifecycle_step(sim->lc, ECSIM_STEP_RUN)->reached && s->updates_failed > 0)
        snprintf(s->outcome, sizeof s->outcome, s->rollbacks > 0 ? "rolled_back" : "update_failed");
    else if (lifecycle_step(sim->lc, ECSIM_STEP_RUN)->reached)
        snprintf(s->outcome, sizeof s->outcome, "running");
    else if (lifecycle_step(sim->lc, ECSIM_STEP_DEPLOY)->reached)
        snprintf(s->outcome, sizeof s->outcome, "deploying");
    else
        snprintf(s->outcome, sizeof s->outcome, "not_deployed");
    /* Task-hours: every task from launch to stop (or the end). */
    double task_s = 0;
    for (size_t i = 0; i < service_task_count(sim->service); i++) {
        const service_task *t = service_task_at(sim->service, i);
        double end = isfinite(t->stopped_s) ? t->stopped_s : s->duration_s;
        if (isfinite(t->running_s)) {
            task_s += end - t->running_s;
            ecsim_summary_add_task_span(s, t->running_s, end); /* the windows' share */
        }
    }
    s->task_hours = task_s / 3600.0;
    measure_after_steady(sim);
    ecsim_summary_finish_windows(s, s->duration_s);
}

static void end_event(ecsim_engine *eng, void *ctx, uint64_t arg)
{
    (void)eng;
    (void)arg;
    ecsim_sim *sim = ctx;
    /* The last period, unless its monitor tick already closed it. */
    const ecsim_timeline_row *last = ecsim_timeline_count(sim->timeline)
        ? ecsim_timeline_row_at(sim->timeline, ecsim_timeline_count(sim->timeline) - 1)
        : NULL;
    if (!last || last->time_s < ecsim_engine_now(sim->eng))
        scaling_period_end(sim->scaling);
    scaling_finish(sim->scaling);
    sync_service_stats(sim);
    update_counts(sim);
    if (k8s(sim))
        sim_log(sim, "end of the simulated period: %d pods running, replicas %d.", sim->now->running,
                sim->now->desired);
    else
        sim_log(sim, "end of the simulated period: %d tasks running, desired %d.", sim->now->running,
                sim->now->desired);
    finish_summary(sim);
    /* Step 6 with updates or faults still under way when the period ends. */
    if (sim->monitor_published && !lifecycle_step(sim->lc, ECSIM_STEP_MONITOR)->reached)
        record_monitor(sim, true);
    finish_texts(sim);
    sim->done = true;
    record(sim, ECSIM_STEP_END, false);
    ecsim_engine_stop(sim->eng);
}

/* ---- public API ----------------------------------------------------------------------- */

ecsim_sim *ecsim_sim_create(const ecsim_scenario *sc, uint64_t seed, FILE *err)
{
    (void)err;
    ecsim_sim *sim = ecsim_calloc(1, sizeof *sim);
    if (!sim)
        return NULL;
    sim->sc = sc;
    sim->seed = seed;
    sim->eng = ecsim_engine_create();
    sim->log = eventlog_create();
    if (!sim->eng || !sim->log)
        goto fail_engine;
    sim->registry = registry_create(sc->image.name, sc->registry.immutable_tags);
    if (!sim->registry)
        goto fail_schedule;
    sim->platform = platform_create(&(platform_env){sc, seed, sim->eng,
                                                    {on_platform_capacity, on_platform_lost,
                                                     on_platform_log},
                                                    sim});
    if (!sim->platform)
        goto fail_schedule;
    void *capacity_ctx;
    const service_platform *capacity = platform_capacity(sim->platform, &capacity_ctx);
    static const service_callbacks service_cb = {
        on_service_log,        on_service_marker,       on_tasks_changed,
        on_task_event_done,    on_task_stopped,         on_task_failed,
        on_deployment_failed,  on_deployment_completed, on_rollout_stuck};
    sim->service = service_create(sc, seed, sim->eng, sim->registry, platform_rules(sim->platform),
                                  capacity, capacity_ctx, &service_cb, sim);
    if (!sim->service)
        goto fail_schedule;
    sim->lc = lifecycle_create();
    if (!sim->lc)
        goto fail_schedule;
    sim->now = lifecycle_now(sim->lc);
    ecsim_summary_init(&sim->summary, sc->service.desired);
    ecsim_summary_set_windows(&sim->summary, sc->report.windows, sc->report.window_count);
    sim->timeline = ecsim_timeline_create();
    if (!sim->timeline)
        goto fail_schedule;
    int rc;
    sim->scaling = scaling_create(&(scaling_wiring){sc, seed, sim->eng, sim->service, sim->registry,
                                                    sim->platform, sim->timeline, sim->now,
                                                    &sim->summary, on_scaling_log, sim},
                                  err, &rc);
    if (!sim->scaling)
        goto fail_schedule;
    sim->last_fail_marker_s = -INFINITY;
    sim->advance_target = ECSIM_STEP_COUNT + 1;
    update_counts(sim);
    ecsim_tracked *start = lifecycle_mark_start(sim->lc);
    start->desired = 0;
    start->demand_rps = scaling_demand_rate(sim->scaling, 0.0);

    if (!ecsim_engine_schedule(sim->eng, sc->image.build_time_s, build_done, sim, 0) ||
        !ecsim_engine_schedule(sim->eng, fmin(sc->monitoring.period_s, sc->duration_s), monitor_tick,
                               sim, 0) ||
        !ecsim_engine_schedule(sim->eng, sc->duration_s, end_event, sim, 0) ||
        !(sim->events = events_create(&(events_wiring){sc, sim->eng, sim->registry, sim->service,
                                                       sim->platform, sim->timeline, sim->lc,
                                                       &sim->summary},
                                      &(events_callbacks){on_events_log, on_operations_settled},
                                      sim)))
        goto fail_schedule;
    return sim;

fail_schedule:
    scaling_destroy(sim->scaling);
    platform_destroy(sim->platform);
    service_destroy(sim->service);
    registry_destroy(sim->registry);
    lifecycle_destroy(sim->lc);
    events_destroy(sim->events);
    ecsim_timeline_destroy(sim->timeline);
fail_engine:
    ecsim_engine_destroy(sim->eng);
    eventlog_destroy(sim->log);
    ecsim_free(sim);
    return NULL;
}

void ecsim_sim_destroy(ecsim_sim *sim)
{
    if (!sim)
        return;
    scaling_destroy(sim->scaling);
    platform_destroy(sim->platform); /* before the engine: a cluster cancels its events */
    service_destroy(sim->service);
    lifecycle_destroy(sim->lc);
    events_destroy(sim->events);
    ecsim_timeline_destroy(sim->timeline);
    ecsim_engine_destroy(sim->eng);
    registry_destroy(sim->registry);
    eventlog_destroy(sim->log);
    ecsim_free(sim);
}

/* An allocation failed somewhere: the run stops with ECSIM_ENOMEM. */
/* 0, or why the run cannot go on: ECSIM_EINTERNAL when the engine refused
 * an event time (a model bug: ecsim_engine_fault), else ECSIM_ENOMEM when a
 * module ran out of memory. The fault is checked first: a refused schedule
 * also looks like a failed allocation to the module that asked. */
static int run_status(const ecsim_sim *sim)
{
    if (ecsim_engine_fault(sim->eng, NULL, NULL))
        return ECSIM_EINTERNAL;
    if (sim->oom || service_oom(sim->service) || events_oom(sim->events) ||
        scaling_oom(sim->scaling))
        return ECSIM_ENOMEM;
    return 0;
}

int ecsim_sim_advance(ecsim_sim *sim, int *step)
{
    for (;;) {
        /* One handler may record several steps (a skipped push records 1
         * and 2 at once): hand them out one at a time, in order. */
        for (int s = sim->reported_step + 1; s <= lifecycle_last_step(sim->lc); s++) {
            if (lifecycle_step(sim->lc, s)->reached) {
                sim->reported_step = s;
                *step = s;
                return 1;
            }
        }
        if (sim->done) {
            *step = ECSIM_STEP_END;
            return 0;
        }
        sim->advance_target = lifecycle_last_step(sim->lc) + 1;
        ecsim_engine_run(sim->eng, sim->sc->duration_s);
        sim->advance_target = ECSIM_STEP_COUNT + 1;
        int status = run_status(sim);
        if (status != 0)
            return status;
    }
}

int ecsim_sim_run_until(ecsim_sim *sim, double until_s)
{
    if (!sim->done) {
        ecsim_engine_run(sim->eng, fmin(until_s, sim->sc->duration_s));
        int status = run_status(sim);
        if (status != 0)
            return status;
    }
    return 0;
}

int ecsim_sim_run(ecsim_sim *sim)
{
    while (!sim->done) {
        ecsim_engine_run(sim->eng, sim->sc->duration_s);
        int status = run_status(sim);
        if (status != 0)
            return status;
    }
    return 0;
}

bool ecsim_sim_done(const ecsim_sim *sim) { return sim->done; }
uint64_t ecsim_sim_events_dispatched(const ecsim_sim *sim) { return ecsim_engine_dispatched(sim->eng); }
double ecsim_sim_now(const ecsim_sim *sim) { return ecsim_engine_now(sim->eng); }
const ecsim_scenario *ecsim_sim_scenario(const ecsim_sim *sim) { return sim->sc; }
uint64_t ecsim_sim_seed(const ecsim_sim *sim) { return sim->seed; }

bool ecsim_sim_fault(const ecsim_sim *sim, double *now_s, double *at_s)
{
    return ecsim_engine_fault(sim->eng, now_s, at_s);
}
const ecsim_tracked *ecsim_sim_start_state(const ecsim_sim *sim) { return lifecycle_start(sim->lc); }

const ecsim_step_record *ecsim_sim_step_record(const ecsim_sim *sim, int step)
{
    assert(step >= 1 && step <= ECSIM_STEP_COUNT);
    return lifecycle_step_const(sim->lc, step);
}

const ecsim_timeline *ecsim_sim_timeline(const ecsim_sim *sim) { return sim->timeline; }

int ecsim_sim_write_decisions_csv(const ecsim_sim *sim, FILE *out)
{
    return scaling_write_decisions_csv(sim->scaling, out);
}

double ecsim_sim_cpu_target(const ecsim_sim *sim) { return scaling_cpu_target(sim->scaling); }

uint64_t ecsim_sim_requests_arrived(const ecsim_sim *sim)
{
    const requests_model *rq = scaling_requests(sim->scaling);
    return rq ? requests_get_totals(rq)->arrived : 0;
}

service *sim_parts_service(const ecsim_sim *sim) { return sim->service; }
registry *sim_parts_registry(const ecsim_sim *sim) { return sim->registry; }
sim_cluster *sim_parts_cluster(const ecsim_sim *sim) { return platform_cluster(sim->platform); }
const scaling *sim_parts_scaling(const ecsim_sim *sim) { return sim->scaling; }
ecsim_engine *sim_parts_engine(const ecsim_sim *sim) { return sim->eng; }

const ecsim_summary *ecsim_sim_summary(const ecsim_sim *sim)
{
    sync_service_stats((ecsim_sim *)sim); /* the counts of the service so far */
    return &sim->summary;
}
