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
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "sim_internal.h"

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

void lifecycle_set_image(ecsim_sim *sim, const char *state)
{
    snprintf(sim->now_state.image, sizeof sim->now_state.image, "%s", state);
}

void lifecycle_set_infra(ecsim_sim *sim, const char *state)
{
    snprintf(sim->now_state.infrastructure, sizeof sim->now_state.infrastructure, "%s", state);
}

void lifecycle_init(ecsim_sim *sim)
{
    memset(&sim->now_state, 0, sizeof sim->now_state);
    lifecycle_set_image(sim, seed_image[0]);
    lifecycle_set_infra(sim, seed_infra[0]);
    snprintf(sim->now_state.deployment, sizeof sim->now_state.deployment, "—");
    sim->start_state = sim->now_state;
    for (int i = 1; i <= ECSIM_STEP_COUNT; i++) {
        ecsim_step_record *r = &sim->steps[i];
        memset(r, 0, sizeof *r);
        r->step = i;
        r->time_s = NAN;
        snprintf(r->action, sizeof r->action, "%s", seed_steps[i].action);
        snprintf(r->role, sizeof r->role, "%s", seed_steps[i].role);
        snprintf(r->result, sizeof r->result, "%s", seed_steps[i].result);
        snprintf(r->user_did, sizeof r->user_did, "%s", seed_steps[i].user_did);
        snprintf(r->why, sizeof r->why, "%s", seed_steps[i].why);
    }
    sim->last_step = 0;
}

void lifecycle_record(ecsim_sim *sim, int step, bool failed)
{
    ecsim_step_record *r = &sim->steps[step];
    if (r->reached)
        return;
    r->reached = true;
    r->failed = failed;
    r->time_s = ecsim_engine_now(sim->eng);
    r->after = sim->now_state;
    if (step > sim->last_step)
        sim->last_step = step;
    sim_log(sim, "lifecycle step %d%s: %s", step, failed ? " failed" : " complete", r->action);
    if (step >= sim->advance_target)
        ecsim_engine_stop(sim->eng);
}
