/* The scenario's operations and faults (`events:`, DESIGN.md "Scenario
 * file"): each event fires at its time and is dispatched through one table
 * of handlers, one per action, to the modules that model it: the registry
 * (pushes, outages), the service (deployments, kills, zones, Spot). Each
 * event becomes a events_op that records what it did and, once its effects are
 * over, how it ended ("Rolled out 1.1 in 6 min 20 s"); step 6 of the
 * lifecycle ("Monitor and update") is recorded when every operation has
 * settled, with their results.
 *
 * A `deploy` builds the tag (image.build_time) and pushes it (size / push
 * bandwidth) unless `build: false`, then starts a rolling deployment of a
 * new task definition revision (service.c). Pushing an existing tag to an
 * IMMUTABLE repository fails with ImageTagAlreadyExistsException and the
 * deployment never starts (reference §4); re-pushing a tag to a mutable one
 * moves the tag but not the running deployment, which resolved its digest
 * when it started (reference §2.4 item 6). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "events.h"

#include <stdarg.h>

#include "ecsim/alloc.h"
#include "ecsim/error.h"
#include "ecsim/output.h"

struct events {
    events_wiring w;
    events_callbacks cb;
    void *ctx;
    events_op ops[EVENTS_OPS_MAX];
    int op_count;
    int pending;              /* scenario events not fired yet */
    int oom;
};

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void es_log(events *es, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    ecsim_vemit_line(es->cb.log, es->ctx, fmt, ap);
    va_end(ap);
}

static const char *svc(const events *es) { return es->w.sc->service.name; }

/* Engine arguments: event index in the low 32 bits, op index + 1 above
 * (0 = untracked: more than EVENTS_OPS_MAX events). */
static uint64_t op_arg(int event, int op) { return ((uint64_t)(op + 1) << 32) | (uint32_t)event; }
static int arg_event(uint64_t arg) { return (int)(uint32_t)arg; }

static events_op *arg_op(events *es, uint64_t arg)
{
    int k = (int)(arg >> 32) - 1;
    return k >= 0 && k < es->op_count ? &es->ops[k] : NULL;
}

static void mark(events *es, const char *kind, const char *label)
{
    if (ecsim_timeline_add_marker(es->w.timeline, ecsim_engine_now(es->w.eng), kind, label) ==
        ECSIM_ENOMEM)
        es->oom = 1;
}

/* "6 min 20 s", "52 s", "1 h 5 min". */
static void fmt_duration(char *buf, size_t size, double s)
{
    long long t = llround(s);
    if (t < 60)
        snprintf(buf, size, "%lld s", t);
    else if (t < 3600)
        snprintf(buf, size, t % 60 ? "%lld min %lld s" : "%lld min", t / 60, t % 60);
    else
        snprintf(buf, size, "%lld h %lld min", t / 3600, (t / 60) % 60);
}

static void settle(events *es, events_op *op, bool failed, const char *fix)
{
    op->settled_s = ecsim_engine_now(es->w.eng);
    op->failed = failed;
    op->fix = fix;
}

/* ---- deploy ------------------------------------------------------------------------------ */

static void start_deployment(events *es, const ecsim_event_spec *ev, events_op *op)
{
    char label[96], prev_tag[ECSIM_NAME_MAX] = "";
    /* A copy: service_deploy may move the deployments array. */
    const service_deployment *prev = service_primary(es->w.service);
    bool had_prev = prev != NULL;
    if (prev)
        snprintf(prev_tag, sizeof prev_tag, "%s", prev->tag);
    if (service_deploy(es->w.service, ev->tag, ev->defect, false) != 0) {
        es->oom = 1;
        return;
    }
    es->w.summary->deployments++;
    es->w.summary->updates++;
    if (op)
        op->deployment = service_primary_index(es->w.service);
    snprintf(label, sizeof label, "deploy %s", ev->tag);
    mark(es, ECSIM_MARK_DEPLOYMENT, label);
    lifecycle_set_deployment(es->w.lifecycle, "In progress");
    if (had_prev) {
        char image[64];
        snprintf(image, sizeof image, "Updating %.24s -> %.24s", prev_tag, ev->tag);
        lifecycle_set_image(es->w.lifecycle, image);
    }
}

static void push_done(ecsim_engine *eng, void *ctx, uint64_t arg)
{
    events *es = ctx;
    const ecsim_event_spec *ev = &es->w.sc->events[arg_event(arg)];
    events_op *op = arg_op(es, arg);
    double now = ecsim_engine_now(eng);
    double push_s = es->w.sc->image.size_mb / es->w.sc->registry.push_mb_per_s;
    if (!registry_reachable(es->w.registry, now)) {
        /* docker push fails; the pipeline retries once ECR is back (MODEL). */
        es_log(es, "docker push %s:%s failed: registry unreachable (i/o timeout); retrying "
                     "when it is back.",
                registry_repository(es->w.registry), ev->tag);
        if (!ecsim_engine_schedule(eng, registry_outage_until(es->w.registry) + push_s, push_done, es, arg))
            es->oom = 1;
        return;
    }
    const registry_image *before = registry_resolve(es->w.registry, ev->tag);
    char old_digest[80] = "";
    if (before)
        snprintf(old_digest, sizeof old_digest, "%s", before->digest);
    int rc = registry_push(es->w.registry, ev->tag, es->w.sc->image.size_mb, now);
    if (rc == ECSIM_ENOMEM) {
        es->oom = 1;
        return;
    }
    if (rc == REGISTRY_TAG_EXISTS) {
        /* Tag immutability (reference §4): the push is rejected, nothing
         * is deployed, the service keeps running what it ran. */
        es_log(es, "docker push %s:%s failed: ImageTagAlreadyExistsException: The image tag '%s' "
                     "already exists in the '%s' repository and cannot be overwritten because the "
                     "repository is immutable.",
                registry_repository(es->w.registry), ev->tag, ev->tag, registry_repository(es->w.registry));
        es->w.summary->updates++;
        es->w.summary->updates_failed++;
        mark(es, ECSIM_MARK_DEPLOYMENT_FAILED, "push rejected: tag exists");
        lifecycle_set_deployment(es->w.lifecycle, "Failed (push rejected)");
        if (op) {
            const service_deployment *cur = service_primary(es->w.service);
            snprintf(op->result, sizeof op->result,
                     "Update to %.24s failed: push rejected (ImageTagAlreadyExistsException, immutable "
                     "tags); still running %.24s",
                     ev->tag, cur ? cur->tag : "nothing");
            settle(es, op, true,
                   "Give every build a new tag (1.1, the git commit): the repository's tags are "
                   "immutable, so an existing tag can never be pushed again.");
        }
        events_check_settled(es);
        return;
    }
    const registry_image *img = registry_resolve(es->w.registry, ev->tag);
    es_log(es, "image %s:%s pushed to the registry as %s (%.0f MB in %.1f s).",
            registry_repository(es->w.registry), ev->tag, img->digest, img->size_mb, push_s);
    if (before) {
        /* Reference §2.4 item 6: deployments resolved the tag when they
         * started; moving the tag changes none of them. */
        int keep = 0;
        for (size_t i = 0; i < service_deployment_count(es->w.service); i++)
            keep += strcmp(service_deployment_at(es->w.service, i)->digest, old_digest) == 0;
        es_log(es, "tag %s moved from %.19s... to %.19s...; %d deployment%s that resolved the old "
                     "digest keep%s running it (tags are resolved to digests at deployment start).",
                ev->tag, old_digest, img->digest, keep, keep == 1 ? "" : "s", keep == 1 ? "s" : "");
    }
    start_deployment(es, ev, op);
    events_check_settled(es);
}

static void build_done(ecsim_engine *eng, void *ctx, uint64_t arg)
{
    events *es = ctx;
    const ecsim_event_spec *ev = &es->w.sc->events[arg_event(arg)];
    es_log(es, "image %s:%s built (%.0f MB); pushing.", registry_repository(es->w.registry), ev->tag,
            es->w.sc->image.size_mb);
    if (!ecsim_engine_schedule_in(eng, es->w.sc->image.size_mb / es->w.sc->registry.push_mb_per_s,
                                  push_done, es, arg))
        es->oom = 1;
}

static void on_deploy(events *es, const ecsim_event_spec *ev, events_op *op, uint64_t arg)
{
    if (op)
        snprintf(op->what, sizeof op->what, "deploy %s%s", ev->tag,
                 ev->defect == ECSIM_DEFECT_CRASH       ? " (crashes)"
                 : ev->defect == ECSIM_DEFECT_UNHEALTHY ? " (unhealthy)"
                                                        : "");
    if (ev->build) {
        es_log(es, "update: building image %s:%s (%.0f s) to deploy it.", registry_repository(es->w.registry),
                ev->tag, es->w.sc->image.build_time_s);
        if (!ecsim_engine_schedule_in(es->w.eng, es->w.sc->image.build_time_s, build_done, es, arg))
            es->oom = 1;
        return;
    }
    es_log(es, "update: deploying %s:%s without building it (build: false).",
            registry_repository(es->w.registry), ev->tag);
    start_deployment(es, ev, op);
}

/* ---- faults -------------------------------------------------------------------------------- */

static void on_kill_tasks(events *es, const ecsim_event_spec *ev, events_op *op, uint64_t arg)
{
    (void)arg;
    char label[64];
    es_log(es, "fault: killing %d task%s of service %s.", ev->count, ev->count == 1 ? "" : "s",
            svc(es));
    int n = service_kill_tasks(es->w.service, ev->count);
    snprintf(label, sizeof label, "%d task%s killed", n, n == 1 ? "" : "s");
    mark(es, "kill_tasks", label);
    if (op) {
        op->affected = n;
        snprintf(op->what, sizeof op->what, "kill %d task%s", ev->count, ev->count == 1 ? "" : "s");
    }
}

static void on_scale(events *es, const ecsim_event_spec *ev, events_op *op, uint64_t arg)
{
    (void)arg;
    char label[64];
    int from = service_desired(es->w.service);
    es_log(es, "UpdateService: desired count of service %s set from %d to %d by hand.", svc(es),
            from, ev->desired);
    service_set_desired(es->w.service, ev->desired);
    lifecycle_now(es->w.lifecycle)->desired = ev->desired;
    ecsim_summary_note_desired(es->w.summary, ecsim_engine_now(es->w.eng), ev->desired);
    snprintf(label, sizeof label, "desired %d -> %d (manual)", from, ev->desired);
    mark(es, "scale", label);
    if (op)
        snprintf(op->what, sizeof op->what, "set desired count %d -> %d", from, ev->desired);
}

static void zone_back(ecsim_engine *eng, void *ctx, uint64_t az)
{
    (void)eng;
    events *es = ctx;
    es_log(es, "availability zone %d is available again; new tasks may be placed there.", (int)az);
    events_check_settled(es);
}

static void on_az_outage(events *es, const ecsim_event_spec *ev, events_op *op, uint64_t arg)
{
    (void)arg;
    char label[64], dur[32];
    double until = ecsim_engine_now(es->w.eng) + ev->duration_s;
    fmt_duration(dur, sizeof dur, ev->duration_s);
    if (platform_cluster(es->w.platform) && cluster_az_outage(platform_cluster(es->w.platform), ev->az, ev->duration_s) == ECSIM_ENOMEM)
        es->oom = 1;
    int n = service_az_outage(es->w.service, ev->az, until);
    es_log(es, "fault: availability zone %d unavailable for %s: %d task%s there stopped "
                 "(TerminationNotice); ECS places replacements in the other zones.",
            ev->az, dur, n, n == 1 ? "" : "s");
    snprintf(label, sizeof label, "AZ %d down (%d tasks)", ev->az, n);
    mark(es, ECSIM_MARK_AZ_OUTAGE, label);
    if (!ecsim_engine_schedule(es->w.eng, until, zone_back, es, (uint64_t)ev->az))
        es->oom = 1;
    if (op) {
        op->affected = n;
        snprintf(op->what, sizeof op->what, "AZ %d outage (%s)", ev->az, dur);
    }
}

static void registry_back(ecsim_engine *eng, void *ctx, uint64_t arg)
{
    (void)eng;
    (void)arg;
    events *es = ctx;
    es_log(es, "Amazon ECR reachable again: image pulls succeed.");
    events_check_settled(es);
}

static void on_registry_outage(events *es, const ecsim_event_spec *ev, events_op *op, uint64_t arg)
{
    (void)arg;
    char dur[32];
    double now = ecsim_engine_now(es->w.eng);
    fmt_duration(dur, sizeof dur, ev->duration_s);
    registry_set_outage(es->w.registry, now, now + ev->duration_s);
    es_log(es, "fault: Amazon ECR unreachable from the tasks' network for %s: image pulls time "
                 "out (the agent retries 5 times, reference §2.4).",
            dur);
    mark(es, "registry_outage", "ECR unreachable");
    if (!ecsim_engine_schedule(es->w.eng, now + ev->duration_s, registry_back, es, 0))
        es->oom = 1;
    if (op)
        snprintf(op->what, sizeof op->what, "registry outage (%s)", dur);
}

static void on_spot_interruption(events *es, const ecsim_event_spec *ev, events_op *op, uint64_t arg)
{
    (void)arg;
    char label[64];
    int n = service_spot_interruption(es->w.service, ev->count);
    snprintf(label, sizeof label, "%d Spot interruption%s", n, n == 1 ? "" : "s");
    mark(es, "spot_interruption", label);
    if (op) {
        op->affected = n;
        snprintf(op->what, sizeof op->what, "Spot interruption of %d task%s", ev->count,
                 ev->count == 1 ? "" : "s");
    }
}

static void on_fail_instances(events *es, const ecsim_event_spec *ev, events_op *op, uint64_t arg)
{
    (void)arg;
    char label[64];
    if (!platform_cluster(es->w.platform)) {
        /* Fargate has no instances to fail (the loader warns about it). */
        es_log(es, "fault: fail_instances on Fargate: there are no instances to fail (event "
                     "ignored).");
        if (op) {
            snprintf(op->what, sizeof op->what, "fail %d instance%s", ev->count,
                     ev->count == 1 ? "" : "s");
            snprintf(op->result, sizeof op->result, "no instances on Fargate");
            settle(es, op, false, NULL);
        }
        return;
    }
    int n = cluster_fail_instances(platform_cluster(es->w.platform), ev->count, NULL);
    if (n < 0) {
        es->oom = 1;
        return;
    }
    es_log(es, "fault: %d instance%s failed; their tasks stop and the Auto Scaling group "
                 "replaces the instances.",
            n, n == 1 ? "" : "s");
    snprintf(label, sizeof label, "%d instance%s failed", n, n == 1 ? "" : "s");
    mark(es, "instance_failure", label);
    if (op) {
        op->affected = n;
        snprintf(op->what, sizeof op->what, "fail %d instance%s", ev->count, ev->count == 1 ? "" : "s");
    }
}

/* One handler per action (STYLE.md rule 7), indexed by ecsim_action. */
typedef void (*event_handler)(events *es, const ecsim_event_spec *ev, events_op *op, uint64_t arg);
static const event_handler handlers[] = {
    [ECSIM_ACTION_DEPLOY] = on_deploy,
    [ECSIM_ACTION_KILL_TASKS] = on_kill_tasks,
    [ECSIM_ACTION_SCALE] = on_scale,
    [ECSIM_ACTION_AZ_OUTAGE] = on_az_outage,
    [ECSIM_ACTION_REGISTRY_OUTAGE] = on_registry_outage,
    [ECSIM_ACTION_FAIL_INSTANCES] = on_fail_instances,
    [ECSIM_ACTION_SPOT_INTERRUPTION] = on_spot_interruption,
};

static void event_fire(ecsim_engine *eng, void *ctx, uint64_t arg)
{
    events *es = ctx;
    int e = arg_event(arg);
    const ecsim_event_spec *ev = &es->w.sc->events[e];
    es->pending--;
    events_op *op = NULL;
    int k = -1;
    if (es->op_count < EVENTS_OPS_MAX) {
        k = es->op_count++;
        op = &es->ops[k];
        memset(op, 0, sizeof *op);
        op->action = ev->action;
        op->event = e;
        op->started_s = ecsim_engine_now(eng);
        op->settled_s = NAN;
        op->deployment = -1;
        op->failed_before = service_get_stats(es->w.service)->tasks_failed;
    }
    /* Faults of the environment (the registry, a zone) happen whether or not
     * the service exists yet; operations on the service need it. */
    bool environment = ev->action == ECSIM_ACTION_REGISTRY_OUTAGE || ev->action == ECSIM_ACTION_AZ_OUTAGE;
    if (!environment && (!service_is_provisioned(es->w.service) || service_primary_index(es->w.service) < 0)) {
        es_log(es, "event %s at %.0f s ignored: the service does not exist yet.",
                ev->action == ECSIM_ACTION_DEPLOY ? "deploy" : "fault", ev->at_s);
        if (op) {
            snprintf(op->what, sizeof op->what, "event before the service existed");
            snprintf(op->result, sizeof op->result, "An event before the service existed was ignored");
            settle(es, op, false, NULL);
        }
    } else if ((size_t)ev->action < sizeof handlers / sizeof handlers[0] && handlers[ev->action]) {
        handlers[ev->action](es, ev, op, op_arg(e, k));
    }
    events_check_settled(es);
}

events *events_create(const events_wiring *w, const events_callbacks *cb, void *ctx)
{
    events *es = ecsim_calloc(1, sizeof *es);
    if (!es)
        return NULL;
    es->w = *w;
    if (cb)
        es->cb = *cb;
    es->ctx = ctx;
    const ecsim_scenario *sc = w->sc;
    for (size_t i = 0; i < sc->event_count; i++) {
        if (sc->events[i].at_s > sc->duration_s)
            continue;
        if (!ecsim_engine_schedule(w->eng, sc->events[i].at_s, event_fire, es, op_arg((int)i, -1))) {
            ecsim_free(es);
            return NULL;
        }
        es->pending++;
    }
    return es;
}

void events_destroy(events *es) { ecsim_free(es); }

int events_op_count(const events *es) { return es->op_count; }

const events_op *events_op_at(const events *es, int i)
{
    return i >= 0 && i < es->op_count ? &es->ops[i] : NULL;
}

int events_pending(const events *es) { return es->pending; }
bool events_oom(const events *es) { return es->oom != 0; }

const events_op *events_op_of_deployment(const events *es, int dp)
{
    for (int i = 0; i < es->op_count; i++)
        if (es->ops[i].deployment == dp)
            return &es->ops[i];
    return NULL;
}

/* ---- settling ---------------------------------------------------------------------------- */

static const char *deploy_fix(ecsim_defect defect, const char *failure)
{
    if (defect == ECSIM_DEFECT_CRASH)
        return "Fix the crash (the essential container exits right after it starts: read its "
               "logs), then deploy a new revision; keep the circuit breaker with rollback on so a "
               "bad version goes back by itself.";
    if (defect == ECSIM_DEFECT_UNHEALTHY)
        return "Make the new version pass its health checks (path, port, start-up time; raise "
               "health_check_grace if it starts slowly), then deploy again.";
    if (failure && strcmp(failure, "tasks failed to start") == 0)
        return "Push the tag before deploying it (build: true, or docker push in CI) or correct "
               "the tag; a new task definition revision also resets the service throttle.";
    return "Find why the new tasks do not become healthy, fix it and deploy a new revision.";
}

static void settle_deploy(events *es, events_op *op)
{
    char dur[32];
    double now = ecsim_engine_now(es->w.eng);
    const service *s = es->w.service;
    const service_deployment *dp = service_deployment_at(s, (size_t)op->deployment);
    const ecsim_event_spec *ev = &es->w.sc->events[op->event];
    if (dp->rollout == ROLLOUT_COMPLETED) {
        fmt_duration(dur, sizeof dur, now - op->started_s);
        snprintf(op->result, sizeof op->result, "Rolled out %s in %s", dp->tag, dur);
        settle(es, op, false, NULL);
        return;
    }
    if (dp->rollout == ROLLOUT_IN_PROGRESS) {
        if (op->deployment != service_primary_index(s)) {
            snprintf(op->result, sizeof op->result, "Update to %s superseded by a newer deployment",
                     dp->tag);
            settle(es, op, false, NULL);
        }
        return;
    }
    /* FAILED: wait for a rollback to finish, if one started (a rollback
     * is created after the deployment it rolls back: look only there). */
    const char *why = dp->failure ? dp->failure : "failed";
    for (size_t i = (size_t)op->deployment + 1; i < service_deployment_count(s); i++) {
        const service_deployment *rb = service_deployment_at(s, i);
        if (rb->rolled_back_from != op->deployment)
            continue;
        if (rb->rollout == ROLLOUT_IN_PROGRESS)
            return;
        fmt_duration(dur, sizeof dur, now - op->started_s);
        snprintf(op->result, sizeof op->result, "Update to %.24s failed (%s, circuit breaker %d/%d); "
                 "rolled back to %.24s in %s",
                 dp->tag, why, dp->failed_tasks, dp->breaker_threshold, rb->tag, dur);
        if (rb->rollout == ROLLOUT_FAILED)
            snprintf(op->result, sizeof op->result, "Update to %s failed (%s); the rollback to %s "
                     "failed too", dp->tag, why, rb->tag);
        settle(es, op, true, deploy_fix(ev->defect, dp->failure));
        return;
    }
    int old = service_last_completed(es->w.service, op->deployment);
    const ecsim_circuit_breaker_spec *cb = &es->w.sc->service.deployment.circuit_breaker;
    if (cb->rollback && platform_automatic_rollback(es->w.platform) && old >= 0 &&
        strcmp(why, "ProgressDeadlineExceeded") != 0)
        return; /* the rollback deployment starts right after the failure */
    if (strcmp(why, "ProgressDeadlineExceeded") == 0)
        snprintf(op->result, sizeof op->result,
                 "Update to %.24s failed: ProgressDeadlineExceeded after %.0f s; old pods of %.24s keep "
                 "serving",
                 dp->tag, es->w.sc->service.deployment.progress_deadline_s,
                 old >= 0 ? service_deployment_at(s, (size_t)old)->tag : "the previous version");
    else
        snprintf(op->result, sizeof op->result,
                 "Update to %s failed (%s, circuit breaker %d/%d); no rollback: rolloutState FAILED",
                 dp->tag, why, dp->failed_tasks, dp->breaker_threshold);
    settle(es, op, true, deploy_fix(ev->defect, dp->failure));
}

/* Healthy tasks of the current revision, and whether a rollout runs. */
static bool service_recovered(events *es)
{
    const service_deployment *dp = service_primary(es->w.service);
    if (!dp || dp->rollout == ROLLOUT_IN_PROGRESS)
        return false;
    return service_healthy_count(es->w.service) >= service_desired(es->w.service);
}

static void settle_fault(events *es, events_op *op)
{
    char dur[32];
    double now = ecsim_engine_now(es->w.eng);
    const ecsim_event_spec *ev = &es->w.sc->events[op->event];
    if (op->action == ECSIM_ACTION_REGISTRY_OUTAGE && now < registry_outage_until(es->w.registry))
        return;
    if (!service_recovered(es))
        return;
    fmt_duration(dur, sizeof dur, now - op->started_s);
    int desired = service_desired(es->w.service);
    switch (op->action) {
    case ECSIM_ACTION_KILL_TASKS:
        snprintf(op->result, sizeof op->result,
                 "%d task%s killed (EssentialContainerExited) and replaced: %d healthy again after %s",
                 op->affected, op->affected == 1 ? "" : "s", desired, dur);
        settle(es, op, false, NULL);
        break;
    case ECSIM_ACTION_SCALE:
        snprintf(op->result, sizeof op->result, "Desired count set to %d by hand: reached in %s",
                 ev->desired, dur);
        settle(es, op, false, NULL);
        break;
    case ECSIM_ACTION_AZ_OUTAGE:
        snprintf(op->result, sizeof op->result,
                 "AZ %d outage: %d task%s lost, relaunched in the other zones; %d healthy after %s",
                 ev->az, op->affected, op->affected == 1 ? "" : "s", desired, dur);
        settle(es, op, false,
               op->affected > 0 ? "Nothing to fix: ECS relaunched the tasks in the other zones. "
                                  "Keep desired >= 2 spread over >= 2 zones so a zone loss never "
                                  "takes every task."
                                : NULL);
        break;
    case ECSIM_ACTION_REGISTRY_OUTAGE:
        op->affected = service_get_stats(es->w.service)->tasks_failed - op->failed_before;
        snprintf(op->result, sizeof op->result,
                 "ECR unreachable: %d task launch%s failed (pull retried 5 times); recovered %s "
                 "after the outage began",
                 op->affected, op->affected == 1 ? "" : "es", dur);
        settle(es, op, op->affected > 0,
               op->affected > 0 ? "Make the registry reachable from the tasks' subnets without the "
                                  "internet: VPC endpoints for ECR (ecr.api, ecr.dkr) and S3, or a "
                                  "NAT gateway; tasks already running are not affected."
                                : NULL);
        break;
    case ECSIM_ACTION_SPOT_INTERRUPTION:
        snprintf(op->result, sizeof op->result,
                 "%d Fargate Spot interruption%s (2-min notice, SpotInterruption): replaced, %d "
                 "healthy after %s",
                 op->affected, op->affected == 1 ? "" : "s", desired, dur);
        settle(es, op, false,
               "Nothing to fix: Spot tasks can be reclaimed at any time. Keep a base of on-demand "
               "Fargate tasks (capacity provider strategy) for the minimum you need.");
        break;
    default: {
        char what[sizeof op->what]; /* a copy: gcc cannot tell what and result apart (-Wrestrict) */
        memcpy(what, op->what, sizeof what);
        snprintf(op->result, sizeof op->result, "%s: done after %s", what, dur);
        settle(es, op, false, NULL);
        break;
    }
    }
}

void events_check_settled(events *es)
{
    bool all = true;
    for (int i = 0; i < es->op_count; i++) {
        events_op *op = &es->ops[i];
        if (isfinite(op->settled_s))
            continue;
        if (op->action == ECSIM_ACTION_DEPLOY) {
            if (op->deployment >= 0)
                settle_deploy(es, op);
        } else {
            settle_fault(es, op);
        }
        all = all && isfinite(op->settled_s);
    }
    if (all && es->pending == 0 && es->cb.settled)
        es->cb.settled(es->ctx);
}
