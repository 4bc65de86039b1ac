/* The lifecycle of the seed document: six steps and the two tracked
 * variables, recorded as the simulation reaches them.
 *
 * The vocabulary is the seed's (shared/seed/: Process Table and Status
 * Tracker): App Container Image None -> Created -> Stored in AWS Registry ->
 * Ready for deployment -> Deployed to service -> Running on AWS -> Running
 * and scalable; AWS Infrastructure Not used -> Provisioned for service ->
 * Running containers -> Scaling as needed -> Managed and monitored. When a
 * run follows the seed's happy path, the Action, AWS role and Result columns
 * are the seed's words exactly; when something goes wrong, they say what
 * went wrong instead, so a student can answer the seed's quiz question 3
 * ("If the container image is not pushed ... what happens at Step 4?") from
 * the tables alone.
 *
 * Each step also carries the texts `ecsim step` shows: what the user did,
 * what AWS did in this run, why the step matters (the seed's Key Moments)
 * and, for failures, what to change. */
#include "lifecycle.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ecsim/alloc.h"

typedef struct step_text {
    const char *action;
    const char *role;
    const char *result;
    const char *user_did;
    const char *why;
} step_text;

/* The seed's Process Table, row by row, and its Key Moments. */
static const step_text seed_steps[ECSIM_STEP_COUNT + 1] = {
    [ECSIM_STEP_PACKAGE] = {"Package app in container image", "User creates container image",
                            "App packaged with dependencies",
                            "Built the application into a container image (docker build).",
                            "Packaging the app in a container image bundles the app and all its "
                            "dependencies together, so it runs the same everywhere on AWS."},
    [ECSIM_STEP_PUSH] = {"Push image to AWS container registry", "AWS stores image securely",
                         "Image ready for deployment",
                         "Pushed the image to the registry (docker push to Amazon ECR).",
                         "The registry stores images securely, versioned by tag and digest. Every "
                         "task pulls its image from there, so an image that was never pushed "
                         "cannot be deployed."},
    [ECSIM_STEP_PROVISION] = {"Create container service", "AWS sets up service environment",
                              "Service ready to run containers",
                              "Created the service: task definition, desired count, platform.",
                              "The service is the environment that keeps the desired number of "
                              "tasks running: it places them, replaces failed ones, and is what "
                              "the autoscaler scales."},
    [ECSIM_STEP_DEPLOY] = {"Deploy container from image", "AWS launches container instances",
                           "App starts running inside containers",
                           "Deployed the service from the image in the registry.",
                           "Deploying turns the stored image into running containers. Each task "
                           "pulls the whole image, starts it and must pass health checks before it "
                           "takes traffic, which is why image size and pull bandwidth matter."},
    [ECSIM_STEP_RUN] = {"AWS runs and scales container", "AWS manages servers and scaling",
                        "App handles more users smoothly",
                        "Nothing: the service runs; the autoscaler watches the load.",
                        "AWS manages the servers and scales the number of tasks with demand, so "
                        "the app can handle more users without manual intervention."},
    [ECSIM_STEP_MONITOR] = {"Monitor and update container", "AWS provides monitoring tools",
                            "App stays healthy and updated",
                            "Watched CloudWatch metrics and alarms; rolled out updates.",
                            "Monitoring shows whether the app is healthy and feeds the scaling "
                            "decisions; updates roll new versions out without downtime."},
    [ECSIM_STEP_END] = {"End", "All steps complete", "App runs efficiently on AWS containers",
                        "Nothing: the simulated period is over.",
                        "All steps complete: the app is running with AWS container services "
                        "managing the infrastructure and the scaling."},
};

/* The Status Tracker values after each step on the happy path. */
static const char *const seed_image[ECSIM_STEP_COUNT + 1] = {
    "None", "Created", "Stored in AWS Registry", "Ready for deployment", "Deployed to service",
    "Running on AWS", "Running and scalable", "Running and scalable"};
static const char *const seed_infra[ECSIM_STEP_COUNT + 1] = {
    "Not used", "Not used", "Not used", "Provisioned for service", "Running containers",
    "Scaling as needed", "Managed and monitored", "Managed and monitored"};

const char *lifecycle_seed_image(int step) { return seed_image[step]; }
const char *lifecycle_seed_infra(int step) { return seed_infra[step]; }

const char *lifecycle_seed_text_end(void) { return seed_steps[ECSIM_STEP_END].result; }
const char *lifecycle_seed_result(int step) { return seed_steps[step].result; }

struct lifecycle {
    ecsim_tracked start, now;
    ecsim_step_record steps[ECSIM_STEP_COUNT + 1]; /* 1-based */
    int last_step;
};

void lifecycle_set_image(lifecycle *lc, const char *state)
{
    snprintf(lc->now.image, sizeof lc->now.image, "%s", state);
}

void lifecycle_set_infra(lifecycle *lc, const char *state)
{
    snprintf(lc->now.infrastructure, sizeof lc->now.infrastructure, "%s", state);
}

void lifecycle_set_deployment(lifecycle *lc, const char *state)
{
    snprintf(lc->now.deployment, sizeof lc->now.deployment, "%s", state);
}

lifecycle *lifecycle_create(void)
{
    lifecycle *lc = ecsim_calloc(1, sizeof *lc);
    if (!lc)
        return NULL;
    lifecycle_set_image(lc, seed_image[0]);
    lifecycle_set_infra(lc, seed_infra[0]);
    lifecycle_set_deployment(lc, "—");
    lc->start = lc->now;
    for (int i = 1; i <= ECSIM_STEP_COUNT; i++) {
        ecsim_step_record *r = &lc->steps[i];
        r->step = i;
        r->time_s = NAN;
        snprintf(r->action, sizeof r->action, "%s", seed_steps[i].action);
        snprintf(r->role, sizeof r->role, "%s", seed_steps[i].role);
        snprintf(r->result, sizeof r->result, "%s", seed_steps[i].result);
        snprintf(r->user_did, sizeof r->user_did, "%s", seed_steps[i].user_did);
        snprintf(r->why, sizeof r->why, "%s", seed_steps[i].why);
    }
    return lc;
}

void lifecycle_destroy(lifecycle *lc) { ecsim_free(lc); }

ecsim_tracked *lifecycle_now(lifecycle *lc) { return &lc->now; }
ecsim_tracked *lifecycle_mark_start(lifecycle *lc)
{
    lc->start = lc->now;
    return &lc->start;
}
const ecsim_tracked *lifecycle_start(const lifecycle *lc) { return &lc->start; }
int lifecycle_last_step(const lifecycle *lc) { return lc->last_step; }

ecsim_step_record *lifecycle_step(lifecycle *lc, int step)
{
    assert(step >= 1 && step <= ECSIM_STEP_COUNT);
    return &lc->steps[step];
}

const ecsim_step_record *lifecycle_step_const(const lifecycle *lc, int step)
{
    assert(step >= 1 && step <= ECSIM_STEP_COUNT);
    return &lc->steps[step];
}

bool lifecycle_record(lifecycle *lc, int step, double t_s, bool failed)
{
    ecsim_step_record *r = lifecycle_step(lc, step);
    if (r->reached)
        return false;
    r->reached = true;
    r->failed = failed;
    r->time_s = t_s;
    r->after = lc->now;
    if (step > lc->last_step)
        lc->last_step = step;
    return true;
}
