/* `ecsim quiz` (quiz.h): multiple-choice and numeric questions whose
 * answers come from simulated runs, in Markdown, LaTeX, GIFT, Moodle XML or
 * JSON.
 *
 * Everything is read through the public API (sim.h, report.h, scenario.h):
 * the step records (execution table and status tracker), the summary
 * figures, and the event log, whose "set desired count ... from A to B:
 * REASON" lines are the scaling decisions that acted. Per variant:
 *
 *   - the seed's three questions, made self-consistent: the image's state
 *     after a step (options from the tracker's vocabulary, so the right one
 *     is always offered), the step where AWS starts managing the
 *     infrastructure, and what happens at step 4 when the image was not
 *     pushed (answered by a second run with registry.push=false);
 *   - numbers: step 4's time, the pull time, the peak desired count, the
 *     first scale-out, the cost;
 *   - "why" questions from the first scale-out and scale-in, with other
 *     decisions' reasons as distractors;
 *   - failure diagnosis from an excerpt of events.log (this run's first
 *     failure, or the unpushed run's), which failure and which fix.
 *
 * Determinism: variant values, distractor picks and option order come from
 * named RNG streams of the seed ("quiz/vary/K", "quiz/vK/qI"), so the same
 * inputs give a byte-identical quiz. */
#include "quiz.h"
#include "run_error.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ecsim/alloc.h"
#include "ecsim/ecsim.h"
#include "ecsim/error.h"
#include "ecsim/loader.h"
#include "ecsim/output.h"
#include "ecsim/rng.h"
#include "ecsim/sim.h"

#define COUNT(a) (sizeof(a) / sizeof(a)[0])
#define MAX_ALL_SETS 300

/* The seed's tracker vocabulary for the App Container Image (DESIGN.md
 * "lifecycle"): the options of the tracker question. */
static const char *const image_states[] = {
    "None", "Created", "Stored in AWS Registry", "Ready for deployment",
    "Deployed to service", "Running on AWS", "Running and scalable",
};

/* The seed's own wrong answers to "what happens at Step 4 if the image is
 * not pushed?". */
static const char *const unpushed_distractors[] = {
    "AWS builds the image automatically and the deployment succeeds",
    "The app runs without a container",
    "AWS skips the deployment and the service stays empty without an error",
};

/* Failure classes for the diagnosis questions: the log text that shows
 * each (all needles of a row must appear in the line), what it is, and the
 * usual fix (used as distractors, and as the answer when the run's step
 * records give no fix). */
typedef struct failure_class {
    const char *needle1, *needle2;
    const char *label;
    const char *fix;
} failure_class;

static const failure_class failures[] = {
    {"ImageTagAlreadyExistsException", NULL,
     "The push was rejected: the tag already exists in an immutable repository",
     "Give every build a new tag (1.1, the git commit) instead of pushing an existing tag again"},
    {"ECR unreachable", NULL, "The registry (ECR) could not be reached, so image pulls timed out",
     "Make the registry reachable from the tasks' subnets (NAT gateway or VPC endpoints for ECR "
     "and S3)"},
    {"CannotPullContainerError", "timeout",
     "The registry (ECR) could not be reached, so image pulls timed out",
     "Make the registry reachable from the tasks' subnets (NAT gateway or VPC endpoints for ECR "
     "and S3)"},
    {"CannotPullContainerError", NULL,
     "The image tag is missing from the registry (CannotPullContainerError)",
     "Push the image tag before deploying it (or correct the tag), then deploy a new task "
     "definition revision"},
    {"exit code 137: killed", NULL, "Tasks were stopped from outside (killed)",
     "Nothing in the app: the service replaces stopped tasks; keep spare tasks for the "
     "replacement time"},
    {"EssentialContainerExited", NULL,
     "The container exits soon after it starts (EssentialContainerExited)",
     "Fix the crash in the new version (read the container's logs) and deploy again"},
    {"is unhealthy in", NULL, "The tasks fail their load balancer health checks",
     "Make the new version pass its health checks (path, port, start-up time; a longer grace "
     "period), then deploy again"},
    {"failed health checks", NULL, "The tasks fail their load balancer health checks",
     "Make the new version pass its health checks (path, port, start-up time; a longer grace "
     "period), then deploy again"},
    {"no container instance met all of its requirements", NULL,
     "No container instance has enough free CPU or memory to place the task",
     "Add cluster capacity: more or larger instances, or a capacity provider with managed "
     "scaling"},
    {"limit on the number of vCPUs", NULL, "The account's Fargate vCPU quota is reached",
     "Ask AWS for a higher Fargate vCPU quota, or run fewer or smaller tasks"},
    {"Spot interruption", NULL, "AWS reclaimed Spot capacity (Spot interruption)",
     "Keep a base of on-demand tasks beside Fargate Spot (a capacity provider strategy)"},
    {"availability zone", "unavailable", "An availability zone became unavailable",
     "Spread tasks over several zones with enough spare tasks that losing one zone still "
     "covers the demand"},
    {"failed its EC2 status checks", NULL, "An EC2 instance failed and was terminated",
     "Run enough instances and tasks that losing one still covers the demand"},
};

/* Generic wrong reasons for a scaling change when the run has too few
 * other decisions (none of them changes a desired count). */
static const char *const why_padding[] = {
    "A task failed its health checks and ECS replaced it",
    "The deployment circuit breaker rolled the service back to the previous revision",
    "CloudWatch alarms were in INSUFFICIENT_DATA, so the service kept its count",
};

/* ---- small helpers ------------------------------------------------------------- */

static void copy(char *dst, size_t size, const char *src)
{
    snprintf(dst, size, "%s", src ? src : "");
}

static void appendf(char *buf, size_t size, const char *fmt, ...)
{
    size_t n = strlen(buf);
    if (n >= size)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf + n, size - n, fmt, ap);
    va_end(ap);
}

static double round_to(double v, double step)
{
    return round(v / step) * step;
}

/* Three significant digits (costs). */
static double round_sig3(double v)
{
    if (v == 0 || !isfinite(v))
        return v;
    double mag = pow(10, floor(log10(fabs(v))) - 2);
    return round(v / mag) * mag;
}

static const char *clock_of(char *buf, size_t size, double t)
{
    return ecsim_fmt_clock(buf, size, t);
}

/* The step-mode text of step `s` of `sim`: the explanation in the key. */
static void step_explanation(char *buf, size_t size, const ecsim_sim *sim, int s)
{
    const ecsim_step_record *r = ecsim_sim_step_record(sim, s);
    char clock[32];
    clock_of(clock, sizeof clock, r->reached ? r->time_s : NAN);
    snprintf(buf, size, "Step %d of %d at %s, %s. You did: %s", s, ECSIM_STEP_COUNT, clock,
             r->action, r->user_did);
    if (r->aws_did[0])
        appendf(buf, size, " AWS did: %s", r->aws_did);
    appendf(buf, size, " %s: %s.", r->failed ? "What went wrong" : "Result", r->result);
    if (r->reached)
        appendf(buf, size, " Tracked: App Container Image = %s; AWS Infrastructure = %s.",
                r->after.image, r->after.infrastructure);
    if (r->fix[0])
        appendf(buf, size, " What to change: %s", r->fix);
    appendf(buf, size, " Why it matters: %s", r->why);
}

/* ---- building questions -------------------------------------------------------- */

typedef struct builder {
    ecsim_quiz_variant *v;
    uint64_t seed;
} builder;

static ecsim_quiz_question *new_question(builder *b, ecsim_quiz_kind kind, const char *topic,
                                         const char *source)
{
    if (b->v->count >= ECSIM_QUIZ_MAX_QUESTIONS)
        return NULL;
    ecsim_quiz_question *q = &b->v->questions[b->v->count++];
    memset(q, 0, sizeof *q);
    q->kind = kind;
    copy(q->topic, sizeof q->topic, topic);
    copy(q->source, sizeof q->source, source);
    return q;
}

/* The RNG stream of the question about to be added. */
static void question_rng(const builder *b, ecsim_rng *rng)
{
    char name[64];
    snprintf(name, sizeof name, "quiz/v%d/q%zu", b->v->index, b->v->count);
    ecsim_rng_derive(rng, b->seed, name);
}

/* Fill the options of `q`: `correct` and up to three of `candidates` (those
 * different from it and from each other, picked with `rng`), shuffled. */
static void set_options(ecsim_quiz_question *q, ecsim_rng *rng, const char *correct,
                        const char *const *candidates, size_t ncand)
{
    const char *pool[64];
    size_t n = 0;
    for (size_t i = 0; i < ncand && n < COUNT(pool); i++) {
        if (!candidates[i] || !candidates[i][0] || strcmp(candidates[i], correct) == 0)
            continue;
        bool dup = false;
        for (size_t j = 0; j < n; j++)
            dup = dup || strcmp(pool[j], candidates[i]) == 0;
        if (!dup)
            pool[n++] = candidates[i];
    }
    /* Three distractors drawn without replacement: a Fisher-Yates shuffle of
     * the pool, then its first three. */
    for (size_t i = n; i > 1; i--) {
        size_t j = (size_t)ecsim_rng_below(rng, i);
        const char *t = pool[i - 1];
        pool[i - 1] = pool[j];
        pool[j] = t;
    }
    const char *opts[ECSIM_QUIZ_OPTIONS];
    int count = 0;
    opts[count++] = correct;
    for (size_t i = 0; i < n && count < ECSIM_QUIZ_OPTIONS; i++)
        opts[count++] = pool[i];
    int order[ECSIM_QUIZ_OPTIONS];
    for (int i = 0; i < count; i++)
        order[i] = i;
    for (int i = count; i > 1; i--) {
        int j = (int)ecsim_rng_below(rng, (uint64_t)i);
        int t = order[i - 1];
        order[i - 1] = order[j];
        order[j] = t;
    }
    q->option_count = count;
    for (int i = 0; i < count; i++) {
        copy(q->options[i], sizeof q->options[i], opts[order[i]]);
        if (order[i] == 0)
            q->correct = i;
    }
}

static void add_numeric(builder *b, const char *source, const char *text, double answer,
                        double tolerance, const char *unit, const char *hint,
                        const char *explanation)
{
    ecsim_quiz_question *q = new_question(b, ECSIM_QUIZ_NUMERIC, "numbers", source);
    if (!q)
        return;
    copy(q->text, sizeof q->text, text);
    q->answer = answer;
    q->tolerance = tolerance;
    copy(q->unit, sizeof q->unit, unit);
    copy(q->hint, sizeof q->hint, hint);
    copy(q->explanation, sizeof q->explanation, explanation);
}

/* The seed's three kinds. */
static void tracker_questions(builder *b, const ecsim_sim *sim, const ecsim_sim *unpushed)
{
    char expl[1600];
    ecsim_rng rng;
    /* 1. The image's state after step K (K among the reached steps 2..5). */
    int ks[4], nk = 0;
    for (int s = 2; s <= 5; s++)
        if (ecsim_sim_step_record(sim, s)->reached)
            ks[nk++] = s;
    if (nk > 0) {
        question_rng(b, &rng);
        int k = ks[ecsim_rng_below(&rng, (uint64_t)nk)];
        char source[48];
        snprintf(source, sizeof source, "tracker.image@%d", k);
        ecsim_quiz_question *q = new_question(b, ECSIM_QUIZ_CHOICE, "tracker", source);
        if (q) {
            snprintf(q->text, sizeof q->text,
                     "Look at the execution table: what is the state of the App Container Image "
                     "after Step %d?",
                     k);
            snprintf(q->hint, sizeof q->hint,
                     "Check the 'App Container Image' row of the status tracker after Step %d.",
                     k);
            step_explanation(q->explanation, sizeof q->explanation, sim, k);
            set_options(q, &rng, ecsim_sim_step_record(sim, k)->after.image, image_states,
                        COUNT(image_states));
        }
    }
    /* 2. The step where AWS starts managing the infrastructure. */
    const ecsim_tracked *start = ecsim_sim_start_state(sim);
    int first = 0;
    for (int s = 1; s < ECSIM_STEP_END && !first; s++) {
        const ecsim_step_record *r = ecsim_sim_step_record(sim, s);
        if (r->reached && strcmp(r->after.infrastructure, start->infrastructure) != 0)
            first = s;
    }
    if (first) {
        question_rng(b, &rng);
        ecsim_quiz_question *q = new_question(b, ECSIM_QUIZ_CHOICE, "tracker",
                                              "tracker.infra_first");
        if (q) {
            copy(q->text, sizeof q->text,
                 "At which step does AWS start managing the infrastructure for running "
                 "containers?");
            copy(q->hint, sizeof q->hint,
                 "Look at the 'AWS Infrastructure' row of the status tracker and the AWS Role "
                 "column of the execution table.");
            step_explanation(q->explanation, sizeof q->explanation, sim, first);
            char names[6][24];
            const char *cand[6];
            for (int s = 1; s <= 6; s++) {
                snprintf(names[s - 1], sizeof names[s - 1], "Step %d", s);
                cand[s - 1] = names[s - 1];
            }
            set_options(q, &rng, names[first - 1], cand, 6);
        }
    }
    /* 3. What happens at step 4 when the image is not pushed. */
    const ecsim_step_record *r4 = ecsim_sim_step_record(unpushed, ECSIM_STEP_DEPLOY);
    if (r4->reached || r4->failed) {
        question_rng(b, &rng);
        ecsim_quiz_question *q = new_question(b, ECSIM_QUIZ_CHOICE, "tracker", "unpushed.step4");
        if (q) {
            copy(q->text, sizeof q->text,
                 "If the container image is not pushed to the AWS registry, what happens at "
                 "Step 4?");
            copy(q->hint, sizeof q->hint,
                 "Refer to Step 2 and Step 4 of the execution table about image storage and "
                 "deployment.");
            step_explanation(expl, sizeof expl, unpushed, ECSIM_STEP_DEPLOY);
            copy(q->explanation, sizeof q->explanation,
                 "(A run of this scenario with registry.push: false.) ");
            appendf(q->explanation, sizeof q->explanation, "%s", expl);
            set_options(q, &rng, r4->result, unpushed_distractors, COUNT(unpushed_distractors));
        }
    }
}

/* The pull time step 4 reports ("image pull 25.0 s"), or NaN. */
static double reported_pull_s(const ecsim_sim *sim)
{
    const char *p = strstr(ecsim_sim_step_record(sim, ECSIM_STEP_DEPLOY)->aws_did, "image pull ");
    double v;
    if (!p || sscanf(p, "image pull %lf s", &v) != 1)
        return NAN;
    return v;
}

static void number_questions(builder *b, const ecsim_sim *sim, const ecsim_scenario *sc)
{
    char text[640], expl[1600], clock[32];
    const ecsim_summary *s = ecsim_sim_summary(sim);
    const ecsim_step_record *r4 = ecsim_sim_step_record(sim, ECSIM_STEP_DEPLOY);
    if (r4->reached && !r4->failed) {
        step_explanation(expl, sizeof expl, sim, ECSIM_STEP_DEPLOY);
        add_numeric(b, "step4.time_s",
                    "At what simulated time did Step 4 (Deploy container from image) complete, "
                    "with the first tasks RUNNING? Answer in seconds from the start of the run.",
                    round_to(r4->time_s, 0.1), 1, "s",
                    "Add the times of Steps 1-3 (build, push, service creation) and the task's "
                    "start: provisioning, image pull, container start and activation.",
                    expl);
    }
    double pull = reported_pull_s(sim);
    if (isfinite(pull)) {
        snprintf(text, sizeof text,
                 "Each task pulls the %g MB image %s:%s from the registry at %g MB/s. How many "
                 "seconds does the image pull take?",
                 sc->image.size_mb, sc->image.name, sc->image.tag, sc->registry.pull_mb_per_s);
        step_explanation(expl, sizeof expl, sim, ECSIM_STEP_DEPLOY);
        add_numeric(b, "step4.pull_s", text, pull, 0.5, "s",
                    "Pull time = image size / pull bandwidth (Step 4 in the execution table).",
                    expl);
    }
    if (s->scale_outs > 0) {
        step_explanation(expl, sizeof expl, sim, ECSIM_STEP_RUN);
        snprintf(text, sizeof text,
                 "The load rose and the autoscaler (%s) scaled the service out. What was the "
                 "highest desired count (tasks at the peak) during the run?",
                 ecsim_sim_scenario(sim)->autoscaler.policy == ECSIM_POLICY_HPA ? "HPA"
                                                                                 : "autoscaler");
        add_numeric(b, "summary.max_desired", text, s->max_desired, 0, "tasks",
                    "Look at the 'Desired tasks' row of the status tracker and the scaling "
                    "lines of events.log (set desired count ... from A to B).",
                    expl);
    }
    if (isfinite(s->first_scale_out_s)) {
        step_explanation(expl, sizeof expl, sim, ECSIM_STEP_RUN);
        appendf(expl, sizeof expl, " The first scale-out came at %s.",
                clock_of(clock, sizeof clock, s->first_scale_out_s));
        add_numeric(b, "summary.first_scale_out_s",
                    "When did the autoscaler first scale out? Answer in seconds from the start "
                    "of the run.",
                    round_to(s->first_scale_out_s, 0.1), 1, "s",
                    "Find the first 'set desired count ... from A to B' with B > A in events.log; "
                    "an alarm needs several datapoints above the target, and datapoints are "
                    "published late.",
                    expl);
    }
    if (isfinite(s->cost_total) && s->cost_total > 0) {
        double v = round_sig3(s->cost_total);
        double tol = fmax(0.02 * v, 0.00005);
        snprintf(expl, sizeof expl,
                 "The run cost %.6f USD: %.6f USD of compute (%g vCPU-hours, %g GB-hours, %g "
                 "instance-hours) and %.6f USD of registry storage (summary.json, cost_usd).",
                 s->cost_total, s->cost_compute, round_to(s->vcpu_hours, 0.0001),
                 round_to(s->gb_hours, 0.0001), round_to(s->instance_hours, 0.0001),
                 s->cost_registry);
        add_numeric(b, "summary.cost_total",
                    "What did the whole run cost, in US dollars (compute and registry storage)?",
                    v, tol, "USD",
                    "Fargate bills each task's vCPU-hours and GB-hours (EC2: instance-hours); "
                    "add the registry storage. summary.json has the figures.",
                    expl);
    }
}

/* One scaling line of events.log: ECS's "T  ... set desired count of
 * service S from A to B: REASON", or a Kubernetes HPA event "T  ...
 * SuccessfulRescale ... New size: B; reason: REASON" (A is then the size
 * before, `*current`). */
typedef struct scale_line {
    size_t index;
    char clock[24];
    int from, to;
    const char *reason;
} scale_line;

static bool parse_scale_line(const char *line, size_t index, int *current, scale_line *out)
{
    int a = *current, c, n = 0;
    const char *reason = NULL;
    const char *p = strstr(line, "set desired count of service ");
    const char *f = p ? strstr(p, " from ") : NULL;
    const char *k = strstr(line, "New size: ");
    if (f && sscanf(f, " from %d to %d: %n", &a, &c, &n) == 2 && n > 0)
        reason = f + n;
    else if (k && sscanf(k, "New size: %d; reason: %n", &c, &n) == 1 && n > 0)
        reason = k + n;
    if (!reason)
        return false;
    out->index = index;
    size_t tl = strcspn(line, " ");
    snprintf(out->clock, sizeof out->clock, "%.*s", (int)(tl < 23 ? tl : 23), line);
    out->from = a;
    out->to = c;
    out->reason = reason;
    *current = c;
    return true;
}

static void why_questions(builder *b, const ecsim_sim *sim)
{
    int current = ecsim_sim_scenario(sim)->service.desired;
    size_t nlog = ecsim_sim_log_count(sim);
    scale_line *lines = nlog ? ecsim_calloc(nlog, sizeof *lines) : NULL;
    if (nlog && !lines)
        return;
    size_t n = 0;
    for (size_t i = 0; i < nlog; i++)
        if (parse_scale_line(ecsim_sim_log_line(sim, i), i, &current, &lines[n]))
            n++;
    for (int dir = 1; dir >= -1; dir -= 2) {
        const scale_line *pick = NULL;
        for (size_t i = 0; i < n && !pick; i++)
            if ((lines[i].to - lines[i].from) * dir > 0)
                pick = &lines[i];
        if (!pick)
            continue;
        /* Distractors: other decisions' reasons, at most three in the same
         * direction (right direction, wrong numbers: the student checks the
         * arithmetic) and three in the other. */
        const char *cand[64];
        size_t nc = 0;
        for (int pass = 0; pass < 2; pass++) {
            size_t taken = 0;
            for (size_t i = 0; i < n && taken < 3; i++) {
                int d = lines[i].to - lines[i].from;
                bool same = d * dir > 0;
                if (same == (pass == 0) && strcmp(lines[i].reason, pick->reason) != 0) {
                    bool dup = false;
                    for (size_t j = 0; j < nc; j++)
                        dup = dup || strcmp(cand[j], lines[i].reason) == 0;
                    if (!dup) {
                        cand[nc++] = lines[i].reason;
                        taken++;
                    }
                }
            }
        }
        for (size_t i = 0; i < COUNT(why_padding); i++)
            if (!(strstr(pick->reason, "scheduled") && strstr(why_padding[i], "scheduled")))
                cand[nc++] = why_padding[i];
        ecsim_rng rng;
        question_rng(b, &rng);
        char source[48];
        snprintf(source, sizeof source, "log.scale@%zu", pick->index);
        ecsim_quiz_question *q = new_question(b, ECSIM_QUIZ_CHOICE, "why", source);
        if (!q)
            break;
        snprintf(q->text, sizeof q->text, "At %s the service went from %d to %d tasks: why?",
                 pick->clock, pick->from, pick->to);
        copy(q->hint, sizeof q->hint,
             "Compare the metric with the policy's target at that time (decisions.csv and the "
             "scaling lines of events.log); mind the direction of the change.");
        char expl[1600];
        step_explanation(expl, sizeof expl, sim, ECSIM_STEP_RUN);
        q->explanation[0] = '\0';
        appendf(q->explanation, sizeof q->explanation, "events.log: \"%s\" %s",
                ecsim_sim_log_line(sim, pick->index), expl);
        set_options(q, &rng, pick->reason, cand, nc);
    }
    ecsim_free(lines);
}

/* The failure class of a log line, or -1. */
static int classify(const char *line)
{
    for (size_t i = 0; i < COUNT(failures); i++)
        if (strstr(line, failures[i].needle1) &&
            (!failures[i].needle2 || strstr(line, failures[i].needle2)))
            return (int)i;
    return -1;
}

/* The first failure line of `sim`'s log; -1 if none. */
static long first_failure(const ecsim_sim *sim, int *cls)
{
    for (size_t i = 0; i < ecsim_sim_log_count(sim); i++) {
        int c = classify(ecsim_sim_log_line(sim, i));
        if (c >= 0) {
            *cls = c;
            return (long)i;
        }
    }
    return -1;
}

static void diagnosis_questions(builder *b, const ecsim_sim *sim, const ecsim_sim *unpushed)
{
    int cls = -1;
    const ecsim_sim *run = sim;
    long at = first_failure(sim, &cls);
    bool other = false;
    if (at < 0) {
        run = unpushed;
        other = true;
        at = first_failure(unpushed, &cls);
    }
    if (at < 0)
        return;
    char excerpt[2048] = "";
    size_t nlog = ecsim_sim_log_count(run);
    size_t from = at >= 2 ? (size_t)at - 2 : 0, to = (size_t)at + 4 < nlog ? (size_t)at + 4 : nlog;
    for (size_t i = from; i < to; i++) {
        const char *line = ecsim_sim_log_line(run, i);
        if (strlen(line) > 200)
            appendf(excerpt, sizeof excerpt, "%.197s...\n", line);
        else
            appendf(excerpt, sizeof excerpt, "%s\n", line);
    }
    /* The failed step with a fix, for the explanation and the fix answer. */
    int fix_step = 0;
    for (int s = 1; s <= ECSIM_STEP_COUNT && !fix_step; s++) {
        const ecsim_step_record *r = ecsim_sim_step_record(run, s);
        if (r->fix[0])
            fix_step = s;
    }
    char expl[1600];
    if (fix_step)
        step_explanation(expl, sizeof expl, run, fix_step);
    else
        snprintf(expl, sizeof expl, "events.log: \"%s\"", ecsim_sim_log_line(run, (size_t)at));
    /* Distractors: the other classes, except any the excerpt also shows
     * (a kill after a registry outage would make two answers right). */
    bool shown[COUNT(failures)] = {false};
    for (size_t i = from; i < to; i++) {
        const char *line = ecsim_sim_log_line(run, i);
        for (size_t c = 0; c < COUNT(failures); c++)
            if (strstr(line, failures[c].needle1) &&
                (!failures[c].needle2 || strstr(line, failures[c].needle2)))
                shown[c] = true;
    }
    const char *labels[COUNT(failures)], *fixes[COUNT(failures)];
    size_t nl = 0;
    for (size_t i = 0; i < COUNT(failures); i++) {
        bool same = strcmp(failures[i].label, failures[cls].label) == 0 ||
                    strcmp(failures[i].fix, failures[cls].fix) == 0;
        if (shown[i] || same)
            continue;
        labels[nl] = failures[i].label;
        fixes[nl++] = failures[i].fix;
    }
    const char *intro = other ? "This excerpt of events.log comes from a run of this scenario "
                                "with registry.push: false. Which failure does it show?"
                              : "This excerpt of events.log comes from the run. Which failure "
                                "does it show?";
    ecsim_rng rng;
    question_rng(b, &rng);
    char source[48];
    snprintf(source, sizeof source, "log.failure@%ld%s", at, other ? ":unpushed" : "");
    ecsim_quiz_question *q = new_question(b, ECSIM_QUIZ_CHOICE, "diagnosis", source);
    if (!q)
        return;
    copy(q->text, sizeof q->text, intro);
    copy(q->excerpt, sizeof q->excerpt, excerpt);
    copy(q->hint, sizeof q->hint,
         "Look for the stopCode or the service event that names the problem in the excerpt.");
    copy(q->explanation, sizeof q->explanation, expl);
    set_options(q, &rng, failures[cls].label, labels, nl);

    const char *fix = fix_step ? ecsim_sim_step_record(run, fix_step)->fix : failures[cls].fix;
    question_rng(b, &rng);
    if (fix_step)
        snprintf(source, sizeof source, "step.fix@%d%s", fix_step, other ? ":unpushed" : "");
    else
        snprintf(source, sizeof source, "class.fix@%d%s", cls, other ? ":unpushed" : "");
    q = new_question(b, ECSIM_QUIZ_CHOICE, "diagnosis", source);
    if (!q)
        return;
    copy(q->text, sizeof q->text, "Same excerpt: which change fixes the failure it shows?");
    copy(q->excerpt, sizeof q->excerpt, excerpt);
    copy(q->hint, sizeof q->hint,
         "The fix removes the cause named in the excerpt; step mode's 'What to change' says it.");
    copy(q->explanation, sizeof q->explanation, expl);
    set_options(q, &rng, fix, fixes, nl);
}

/* ---- variants -------------------------------------------------------------------- */

static int load_scenario(const char *path, const char *text, size_t len,
                         const char *const *sets, size_t nsets, FILE *err, ecsim_scenario **out)
{
    ecsim_diags d;
    ecsim_diags_init(&d);
    ecsim_scenario *sc = text ? ecsim_scenario_load_string(text, len, path, sets, nsets, &d)
                              : ecsim_scenario_load(path, sets, nsets, &d);
    ecsim_diags_print(&d, err);
    int code = sc ? 0 : d.oom && d.errors == 0 ? ECSIM_EXIT_FAIL : ECSIM_EXIT_USAGE;
    ecsim_diags_free(&d);
    *out = sc;
    return code;
}

static int play(const ecsim_scenario *sc, uint64_t seed, FILE *err, ecsim_sim **out)
{
    ecsim_sim *sim = ecsim_sim_create(sc, seed, err);
    if (!sim)
        return ECSIM_EXIT_USAGE;
    int rc = ecsim_sim_run(sim);
    if (rc != 0) {
        int code = ecsim_cli_simulation_failed(sim, rc, "ecsim quiz", err);
        ecsim_sim_destroy(sim);
        return code;
    }
    *out = sim;
    return 0;
}

/* The values of variant k: the scenario's quiz.vary ranges, or (variants
 * after the first, when it has none) the image size and pull bandwidth. */
static void draw_variant(const ecsim_scenario *base, uint64_t seed, int k, int total,
                         ecsim_quiz_variant *v)
{
    ecsim_quiz_range defaults[2];
    const ecsim_quiz_range *ranges = base->quiz.vary;
    size_t n = base->quiz.vary_count;
    if (n == 0) {
        if (total == 1 || k == 1)
            return;
        copy(defaults[0].field, sizeof defaults[0].field, "image.size_mb");
        defaults[0].min = fmax(1, round(0.4 * base->image.size_mb));
        defaults[0].max = fmax(defaults[0].min, round(2 * base->image.size_mb));
        copy(defaults[1].field, sizeof defaults[1].field, "registry.pull_mb_per_s");
        defaults[1].min = fmax(1, round(0.5 * base->registry.pull_mb_per_s));
        defaults[1].max = fmax(defaults[1].min, round(2 * base->registry.pull_mb_per_s));
        ranges = defaults;
        n = 2;
    }
    char name[48];
    snprintf(name, sizeof name, "quiz/vary/%d", k);
    ecsim_rng rng;
    ecsim_rng_derive(&rng, seed, name);
    for (size_t i = 0; i < n && v->nsets < ECSIM_QUIZ_SETS; i++) {
        double lo = ranges[i].min, hi = ranges[i].max, value;
        if (lo == floor(lo) && hi == floor(hi) && hi - lo < 1e15)
            value = lo + (double)ecsim_rng_below(&rng, (uint64_t)(hi - lo) + 1);
        else
            value = round_to(lo + ecsim_rng_uniform(&rng) * (hi - lo), 0.01);
        if (value < lo)
            value = lo;
        if (value > hi)
            value = hi;
        char num[64];
        ecsim_fmt_num(num, sizeof num, value);
        v->sets[v->nsets][0] = '\0';
        appendf(v->sets[v->nsets++], sizeof v->sets[0], "%s=%s", ranges[i].field, num);
    }
}

static int build_variant(const char *path, const char *text, size_t len,
                         const char *const *user_sets, size_t nuser, uint64_t seed, FILE *err,
                         ecsim_quiz_variant *v)
{
    const char *sets[MAX_ALL_SETS];
    size_t n = 0;
    for (size_t i = 0; i < nuser && n < MAX_ALL_SETS - ECSIM_QUIZ_SETS - 1; i++)
        sets[n++] = user_sets[i];
    for (size_t i = 0; i < v->nsets; i++)
        sets[n++] = v->sets[i];
    ecsim_scenario *sc = NULL, *sc_unpushed = NULL;
    ecsim_sim *sim = NULL, *unpushed = NULL;
    int code = load_scenario(path, text, len, sets, n, err, &sc);
    if (code == 0)
        code = play(sc, seed, err, &sim);
    if (code == 0 && sc->registry.push) {
        sets[n++] = "registry.push=false";
        code = load_scenario(path, text, len, sets, n, err, &sc_unpushed);
        if (code == 0)
            code = play(sc_unpushed, seed, err, &unpushed);
    }
    if (code == 0) {
        builder b = {v, seed};
        const ecsim_sim *np = unpushed ? unpushed : sim;
        tracker_questions(&b, sim, np);
        number_questions(&b, sim, sc);
        why_questions(&b, sim);
        diagnosis_questions(&b, sim, np);
    }
    ecsim_sim_destroy(unpushed);
    ecsim_scenario_free(sc_unpushed);
    ecsim_sim_destroy(sim);
    ecsim_scenario_free(sc);
    return code;
}

int ecsim_quiz_build(const char *path, const char *text, size_t len, const char *const *sets,
                     size_t nsets, bool has_seed, uint64_t seed, int variants, FILE *err,
                     ecsim_quiz **out)
{
    *out = NULL;
    if (variants < 1 || variants > ECSIM_QUIZ_MAX_VARIANTS) {
        fprintf(err, "ecsim quiz: error: --variants must be from 1 to %d\n",
                ECSIM_QUIZ_MAX_VARIANTS);
        return ECSIM_EXIT_USAGE;
    }
    ecsim_scenario *base = NULL;
    int code = load_scenario(path, text, len, sets, nsets, err, &base);
    if (code)
        return code;
    ecsim_quiz *q = ecsim_calloc(1, sizeof *q);
    ecsim_quiz_variant *vs = ecsim_calloc((size_t)variants, sizeof *vs);
    if (!q || !vs) {
        ecsim_free(q);
        ecsim_free(vs);
        ecsim_scenario_free(base);
        fprintf(err, "ecsim quiz: error: %s\n", ecsim_strerror(ECSIM_ENOMEM));
        return ECSIM_EXIT_FAIL;
    }
    copy(q->scenario, sizeof q->scenario, base->name);
    copy(q->path, sizeof q->path, path);
    q->seed = has_seed ? seed : base->seed;
    q->variants = vs;
    q->count = (size_t)variants;
    for (int k = 1; k <= variants && code == 0; k++) {
        ecsim_quiz_variant *v = &vs[k - 1];
        v->index = k;
        draw_variant(base, q->seed, k, variants, v);
        code = build_variant(path, text, len, sets, nsets, q->seed, err, v);
    }
    ecsim_scenario_free(base);
    if (code) {
        ecsim_quiz_destroy(q);
        return code;
    }
    *out = q;
    return 0;
}

void ecsim_quiz_destroy(ecsim_quiz *q)
{
    if (!q)
        return;
    ecsim_free(q->variants);
    ecsim_free(q);
}

/* ---- rendering -------------------------------------------------------------------- */

static char letter(int i)
{
    return (char)('A' + i);
}

static void fmt_answer(char *buf, size_t size, const ecsim_quiz_question *q)
{
    char a[64], t[64];
    ecsim_fmt_num(a, sizeof a, q->answer);
    ecsim_fmt_num(t, sizeof t, q->tolerance);
    buf[0] = '\0';
    if (q->tolerance > 0)
        appendf(buf, size, "%s %s (accepted within +- %s)", a, q->unit, t);
    else
        appendf(buf, size, "%s %s", a, q->unit);
}

static void variant_values(char *buf, size_t size, const ecsim_quiz_variant *v)
{
    buf[0] = '\0';
    if (v->nsets == 0) {
        copy(buf, size, "the scenario as written");
        return;
    }
    for (size_t i = 0; i < v->nsets; i++) {
        const char *eq = strchr(v->sets[i], '=');
        appendf(buf, size, "%s%.*s = %s", i ? ", " : "", (int)(eq - v->sets[i]), v->sets[i],
                eq + 1);
    }
}

/* -- Markdown -- */

static void render_md(const ecsim_quiz *qz, bool answers, FILE *out)
{
    fprintf(out, "# Quiz: %s%s\n\n", qz->scenario, answers ? " (answer key)" : "");
    fprintf(out, "Generated by ecsim %s from `%s` (seed %llu, %zu variant%s). Every answer comes "
                 "from the simulated run.\n",
            ECSIM_VERSION, qz->path, (unsigned long long)qz->seed, qz->count,
            qz->count == 1 ? "" : "s");
    for (size_t k = 0; k < qz->count; k++) {
        const ecsim_quiz_variant *v = &qz->variants[k];
        char values[1024];
        variant_values(values, sizeof values, v);
        fprintf(out, "\n## Variant %d\n\nValues: %s.\n", v->index, values);
        for (size_t i = 0; i < v->count; i++) {
            const ecsim_quiz_question *q = &v->questions[i];
            fprintf(out, "\n### Question %zu\n\n%s\n", i + 1, q->text);
            if (q->excerpt[0])
                fprintf(out, "\n```\n%s```\n", q->excerpt);
            if (q->kind == ECSIM_QUIZ_CHOICE) {
                fputc('\n', out);
                for (int o = 0; o < q->option_count; o++)
                    fprintf(out, "- %c) %s\n", letter(o), q->options[o]);
            } else {
                fprintf(out, "\nAnswer with a number (%s).\n", q->unit);
            }
            fprintf(out, "\nHint: %s\n", q->hint);
            if (answers) {
                char a[200];
                if (q->kind == ECSIM_QUIZ_CHOICE)
                    fprintf(out, "\n**Answer:** %c) %s\n", letter(q->correct),
                            q->options[q->correct]);
                else
                    fprintf(out, "\n**Answer:** %s\n", (fmt_answer(a, sizeof a, q), a));
                fprintf(out, "\n**Explanation:** %s\n", q->explanation);
            }
        }
    }
}

/* -- LaTeX -- */

static void tex_text(FILE *out, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '\\': fputs("\\textbackslash{}", out); break;
        case '{': case '}': case '$': case '&': case '#': case '_': case '%':
            fprintf(out, "\\%c", *p);
            break;
        case '~': fputs("\\textasciitilde{}", out); break;
        case '^': fputs("\\textasciicircum{}", out); break;
        case '<': fputs("\\textless{}", out); break;
        case '>': fputs("\\textgreater{}", out); break;
        case '|': fputs("\\textbar{}", out); break;
        case '"': fputs("''", out); break;
        case '\n': fputs("\\\\\n", out); break;
        default:
            if (p[0] == 0xE2 && p[1] == 0x80 && p[2] == 0x94) { /* — */
                fputs("---", out);
                p += 2;
            } else if (p[0] == 0xC3 && p[1] == 0x97) { /* × */
                fputs("$\\times$", out);
                p += 1;
            } else if (p[0] == 0xC2 && p[1] == 0xA7) { /* § */
                fputs("\\S{}", out);
                p += 1;
            } else if (*p >= 0x80) {
                fputc('?', out); /* other non-ASCII: not in the messages today */
                while ((p[1] & 0xC0) == 0x80)
                    p++;
            } else {
                fputc(*p, out);
            }
        }
    }
}

/* Verbatim lines, small and wrapped at 88 columns (continuations indented)
 * so they fit an A4 text width; ASCII only (a verbatim block cannot hold
 * other bytes safely). */
static void tex_verbatim(FILE *out, const char *s)
{
    fputs("{\\footnotesize\n\\begin{verbatim}\n", out);
    int col = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '\n') {
            fputc('\n', out);
            col = 0;
            continue;
        }
        if (col == 88) {
            fputs("\n    ", out);
            col = 4;
        }
        fputc(*p < 0x80 ? *p : '?', out);
        col++;
    }
    fputs("\\end{verbatim}\n}\n", out);
}

static void render_latex(const ecsim_quiz *qz, bool answers, FILE *out)
{
    fputs("% ecsim quiz: a complete document for pdflatex (no package beyond LaTeX's own).\n"
          "\\documentclass[a4paper,11pt]{article}\n"
          "\\usepackage[T1]{fontenc}\n"
          "\\usepackage[margin=2cm]{geometry}\n"
          "\\setlength{\\parindent}{0pt}\n"
          "\\setlength{\\parskip}{0.5em}\n"
          "\\sloppy\n"
          "\\begin{document}\n",
          out);
    fputs("\\section*{Quiz: ", out);
    tex_text(out, qz->scenario);
    fprintf(out, "%s}\n", answers ? " (answer key)" : "");
    fprintf(out, "Generated by ecsim %s (seed %llu, %zu variant%s). Every answer comes from the "
                 "simulated run.\n",
            ECSIM_VERSION, (unsigned long long)qz->seed, qz->count, qz->count == 1 ? "" : "s");
    for (size_t k = 0; k < qz->count; k++) {
        const ecsim_quiz_variant *v = &qz->variants[k];
        char values[1024];
        variant_values(values, sizeof values, v);
        fprintf(out, "\n\\subsection*{Variant %d}\nValues: ", v->index);
        tex_text(out, values);
        fputs(".\n\\begin{enumerate}\n", out);
        for (size_t i = 0; i < v->count; i++) {
            const ecsim_quiz_question *q = &v->questions[i];
            fputs("\\item ", out);
            tex_text(out, q->text);
            fputc('\n', out);
            if (q->excerpt[0])
                tex_verbatim(out, q->excerpt);
            if (q->kind == ECSIM_QUIZ_CHOICE) {
                fputs("\\begin{enumerate}\n", out);
                for (int o = 0; o < q->option_count; o++) {
                    fprintf(out, "\\item[%c)] ", letter(o));
                    tex_text(out, q->options[o]);
                    fputc('\n', out);
                }
                fputs("\\end{enumerate}\n", out);
            } else {
                fputs("\n\\emph{Answer with a number (", out);
                tex_text(out, q->unit);
                fputs(").}\n", out);
            }
            fputs("\n\\emph{Hint:} ", out);
            tex_text(out, q->hint);
            fputc('\n', out);
            if (answers) {
                char a[200];
                fputs("\n\\textbf{Answer:} ", out);
                if (q->kind == ECSIM_QUIZ_CHOICE) {
                    fprintf(out, "%c) ", letter(q->correct));
                    tex_text(out, q->options[q->correct]);
                } else {
                    fmt_answer(a, sizeof a, q);
                    tex_text(out, a);
                }
                fputs("\n\n\\textbf{Explanation:} ", out);
                tex_text(out, q->explanation);
                fputc('\n', out);
            }
        }
        fputs("\\end{enumerate}\n", out);
    }
    fputs("\\end{document}\n", out);
}

/* -- GIFT (Moodle) -- */

/* GIFT text: the special characters ~ = # { } : and the backslash escaped
 * with a backslash, line breaks as \n (a blank line would end the question). */
static void gift_text(FILE *out, const char *s)
{
    for (const char *p = s; *p; p++) {
        if (strchr("~=#{}:\\", *p)) {
            fputc('\\', out);
            fputc(*p, out);
        } else if (*p == '\n') {
            fputs("\\n", out);
        } else if (*p == '\r') {
        } else {
            fputc(*p, out);
        }
    }
}

static void render_gift(const ecsim_quiz *qz, bool answers, FILE *out)
{
    fprintf(out, "// ecsim %s quiz: %s (seed %llu, %zu variant%s)\n", ECSIM_VERSION, qz->scenario,
            (unsigned long long)qz->seed, qz->count, qz->count == 1 ? "" : "s");
    for (size_t k = 0; k < qz->count; k++) {
        const ecsim_quiz_variant *v = &qz->variants[k];
        char values[1024];
        variant_values(values, sizeof values, v);
        fprintf(out, "\n$CATEGORY: $course$/ecsim/%s/variant-%d\n", qz->scenario, v->index);
        fprintf(out, "// values: %s\n", values);
        for (size_t i = 0; i < v->count; i++) {
            const ecsim_quiz_question *q = &v->questions[i];
            char title[128];
            snprintf(title, sizeof title, "%s v%d q%zu %s", qz->scenario, v->index, i + 1,
                     q->topic);
            fputs("\n::", out);
            gift_text(out, title);
            fputs("::[markdown]", out);
            gift_text(out, q->text);
            if (q->excerpt[0]) {
                /* A Markdown code block: each line indented by four spaces. */
                gift_text(out, "\n");
                for (const char *p = q->excerpt; *p;) {
                    size_t n = strcspn(p, "\n");
                    char line[512];
                    snprintf(line, sizeof line, "\n    %.*s", (int)(n < 500 ? n : 500), p);
                    gift_text(out, line);
                    p += n;
                    if (*p == '\n')
                        p++;
                }
            }
            gift_text(out, "\n\nHint: ");
            gift_text(out, q->hint);
            gift_text(out, "\n\nValues: ");
            gift_text(out, values);
            if (q->kind == ECSIM_QUIZ_CHOICE) {
                fputs(" {\n", out);
                for (int o = 0; o < q->option_count; o++) {
                    fputc(o == q->correct ? '=' : '~', out);
                    gift_text(out, q->options[o]);
                    fputc('\n', out);
                }
            } else {
                char a[64], t[64];
                ecsim_fmt_num(a, sizeof a, q->answer);
                ecsim_fmt_num(t, sizeof t, q->tolerance);
                fprintf(out, " {#\n=%s:%s\n", a, t);
            }
            if (answers) {
                fputs("####", out);
                gift_text(out, q->explanation);
                fputc('\n', out);
            }
            fputs("}\n", out);
        }
    }
}

/* -- Moodle XML -- */

static void xml_text(FILE *out, const char *s)
{
    for (const char *p = s; *p; p++) {
        switch (*p) {
        case '&': fputs("&amp;", out); break;
        case '<': fputs("&lt;", out); break;
        case '>': fputs("&gt;", out); break;
        case '"': fputs("&quot;", out); break;
        default:
            if ((unsigned char)*p < 0x20 && *p != '\n' && *p != '\t')
                fputc(' ', out);
            else
                fputc(*p, out);
        }
    }
}

/* HTML for Moodle, itself escaped as XML text: `&` becomes `&amp;amp;`. */
static void xml_html_text(FILE *out, const char *s)
{
    for (const char *p = s; *p; p++) {
        switch (*p) {
        case '&': fputs("&amp;amp;", out); break;
        case '<': fputs("&amp;lt;", out); break;
        case '>': fputs("&amp;gt;", out); break;
        case '"': fputs("&amp;quot;", out); break;
        default:
            if ((unsigned char)*p < 0x20 && *p != '\n')
                fputc(' ', out);
            else
                fputc(*p, out);
        }
    }
}

static void render_moodle(const ecsim_quiz *qz, bool answers, FILE *out)
{
    fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", out);
    fprintf(out, "<!-- ecsim %s quiz: ", ECSIM_VERSION);
    for (const char *p = qz->scenario; *p; p++)
        fputc(*p == '-' ? '_' : *p, out); /* "--" may not appear in a comment */
    fprintf(out, " (seed %llu) -->\n<quiz>\n", (unsigned long long)qz->seed);
    for (size_t k = 0; k < qz->count; k++) {
        const ecsim_quiz_variant *v = &qz->variants[k];
        fputs("  <question type=\"category\">\n    <category><text>$course$/ecsim/", out);
        xml_text(out, qz->scenario);
        fprintf(out, "/variant-%d</text></category>\n  </question>\n", v->index);
        char values[1024];
        variant_values(values, sizeof values, v);
        for (size_t i = 0; i < v->count; i++) {
            const ecsim_quiz_question *q = &v->questions[i];
            fprintf(out, "  <question type=\"%s\">\n",
                    q->kind == ECSIM_QUIZ_CHOICE ? "multichoice" : "numerical");
            fprintf(out, "    <name><text>");
            xml_text(out, qz->scenario);
            fprintf(out, " v%d q%zu %s</text></name>\n", v->index, i + 1, q->topic);
            fputs("    <questiontext format=\"html\"><text>&lt;p&gt;", out);
            xml_html_text(out, q->text);
            fputs("&lt;/p&gt;", out);
            if (q->excerpt[0]) {
                fputs("&lt;pre&gt;", out);
                xml_html_text(out, q->excerpt);
                fputs("&lt;/pre&gt;", out);
            }
            fputs("&lt;p&gt;&lt;small&gt;Values: ", out);
            xml_html_text(out, values);
            fputs("&lt;/small&gt;&lt;/p&gt;</text></questiontext>\n", out);
            fputs("    <generalfeedback format=\"html\"><text>", out);
            if (answers) {
                fputs("&lt;p&gt;", out);
                xml_html_text(out, q->explanation);
                fputs("&lt;/p&gt;", out);
            }
            fputs("</text></generalfeedback>\n", out);
            fputs("    <defaultgrade>1</defaultgrade>\n    <penalty>0.3333333</penalty>\n"
                  "    <hidden>0</hidden>\n",
                  out);
            if (q->kind == ECSIM_QUIZ_CHOICE) {
                fputs("    <single>true</single>\n    <shuffleanswers>false</shuffleanswers>\n"
                      "    <answernumbering>ABCD</answernumbering>\n",
                      out);
                for (int o = 0; o < q->option_count; o++) {
                    fprintf(out, "    <answer fraction=\"%d\" format=\"html\"><text>",
                            o == q->correct ? 100 : 0);
                    xml_html_text(out, q->options[o]);
                    fprintf(out, "</text><feedback format=\"html\"><text>%s</text></feedback>"
                                 "</answer>\n",
                            o == q->correct ? "Correct." : "");
                }
            } else {
                char a[64], t[64];
                ecsim_fmt_num(a, sizeof a, q->answer);
                ecsim_fmt_num(t, sizeof t, q->tolerance);
                fprintf(out, "    <answer fraction=\"100\" format=\"moodle_auto_format\">"
                             "<text>%s</text><tolerance>%s</tolerance>"
                             "<feedback format=\"html\"><text>Correct.</text></feedback>"
                             "</answer>\n",
                        a, t);
                fputs("    <unitgradingtype>0</unitgradingtype>\n"
                      "    <unitpenalty>0.1000000</unitpenalty>\n"
                      "    <showunits>3</showunits>\n    <unitsleft>0</unitsleft>\n",
                      out);
            }
            fputs("    <hint format=\"html\"><text>", out);
            xml_html_text(out, q->hint);
            fputs("</text></hint>\n  </question>\n", out);
        }
    }
    fputs("</quiz>\n", out);
}

/* -- JSON -- */

static void render_json(const ecsim_quiz *qz, bool answers, FILE *out)
{
    ecsim_json j;
    ecsim_json_init(&j, out, false);
    ecsim_json_begin_object(&j);
    ecsim_json_key(&j, "ecsim_version");
    ecsim_json_string(&j, ECSIM_VERSION);
    ecsim_json_key(&j, "scenario");
    ecsim_json_string(&j, qz->scenario);
    ecsim_json_key(&j, "seed");
    ecsim_json_uint(&j, qz->seed);
    ecsim_json_key(&j, "answers");
    ecsim_json_bool(&j, answers);
    ecsim_json_key(&j, "variants");
    ecsim_json_begin_array(&j);
    for (size_t k = 0; k < qz->count; k++) {
        const ecsim_quiz_variant *v = &qz->variants[k];
        ecsim_json_begin_object(&j);
        ecsim_json_key(&j, "variant");
        ecsim_json_int(&j, v->index);
        ecsim_json_key(&j, "sets");
        ecsim_json_begin_array(&j);
        for (size_t i = 0; i < v->nsets; i++)
            ecsim_json_string(&j, v->sets[i]);
        ecsim_json_end_array(&j);
        ecsim_json_key(&j, "questions");
        ecsim_json_begin_array(&j);
        for (size_t i = 0; i < v->count; i++) {
            const ecsim_quiz_question *q = &v->questions[i];
            ecsim_json_begin_object(&j);
            ecsim_json_key(&j, "kind");
            ecsim_json_string(&j, q->kind == ECSIM_QUIZ_CHOICE ? "choice" : "numeric");
            ecsim_json_key(&j, "topic");
            ecsim_json_string(&j, q->topic);
            ecsim_json_key(&j, "text");
            ecsim_json_string(&j, q->text);
            ecsim_json_key(&j, "excerpt");
            ecsim_json_string(&j, q->excerpt[0] ? q->excerpt : NULL);
            if (q->kind == ECSIM_QUIZ_CHOICE) {
                ecsim_json_key(&j, "options");
                ecsim_json_begin_array(&j);
                for (int o = 0; o < q->option_count; o++)
                    ecsim_json_string(&j, q->options[o]);
                ecsim_json_end_array(&j);
            } else {
                ecsim_json_key(&j, "unit");
                ecsim_json_string(&j, q->unit);
            }
            ecsim_json_key(&j, "hint");
            ecsim_json_string(&j, q->hint);
            if (answers) {
                ecsim_json_key(&j, "source");
                ecsim_json_string(&j, q->source);
                if (q->kind == ECSIM_QUIZ_CHOICE) {
                    ecsim_json_key(&j, "correct");
                    ecsim_json_int(&j, q->correct);
                } else {
                    ecsim_json_key(&j, "answer");
                    ecsim_json_number(&j, q->answer);
                    ecsim_json_key(&j, "tolerance");
                    ecsim_json_number(&j, q->tolerance);
                }
                ecsim_json_key(&j, "explanation");
                ecsim_json_string(&j, q->explanation);
            }
            ecsim_json_end_object(&j);
        }
        ecsim_json_end_array(&j);
        ecsim_json_end_object(&j);
    }
    ecsim_json_end_array(&j);
    ecsim_json_end_object(&j);
    ecsim_json_finish(&j);
}

static const char *const formats[] = {"md", "latex", "gift", "moodle-xml", "json"};

bool ecsim_quiz_format_known(const char *format)
{
    for (size_t i = 0; i < COUNT(formats); i++)
        if (strcmp(formats[i], format) == 0)
            return true;
    return false;
}

int ecsim_quiz_render(const ecsim_quiz *q, const char *format, bool answers, FILE *out)
{
    if (strcmp(format, "md") == 0)
        render_md(q, answers, out);
    else if (strcmp(format, "latex") == 0)
        render_latex(q, answers, out);
    else if (strcmp(format, "gift") == 0)
        render_gift(q, answers, out);
    else if (strcmp(format, "moodle-xml") == 0)
        render_moodle(q, answers, out);
    else if (strcmp(format, "json") == 0)
        render_json(q, answers, out);
    else
        return ECSIM_EINVAL;
    return ferror(out) ? ECSIM_EIO : 0;
}

/* ---- the command -------------------------------------------------------------------- */

/* Standard input into memory (at most 4 MiB, the loader's own limit). */
static int read_stdin(char **text, size_t *len)
{
    size_t cap = 65536, n = 0, max = 4194304u;
    char *buf = ecsim_malloc(cap + 1);
    if (!buf)
        return ECSIM_ENOMEM;
    for (;;) {
        if (n == cap) {
            if (cap > max) {
                ecsim_free(buf);
                return ECSIM_EINVAL;
            }
            char *grown = ecsim_realloc(buf, cap * 2 + 1);
            if (!grown) {
                ecsim_free(buf);
                return ECSIM_ENOMEM;
            }
            buf = grown;
            cap *= 2;
        }
        size_t got = fread(buf + n, 1, cap - n, stdin);
        n += got;
        if (got == 0)
            break;
    }
    if (ferror(stdin) || n > max) {
        ecsim_free(buf);
        return ferror(stdin) ? ECSIM_EIO : ECSIM_EINVAL;
    }
    buf[n] = '\0';
    *text = buf;
    *len = n;
    return 0;
}

int ecsim_quiz_main(const char *path, const char *const *sets, size_t nsets, bool has_seed,
                    uint64_t seed, const char *variants_text, const char *format, bool answers,
                    const char *out_path, FILE *out, FILE *err)
{
    if (!format)
        format = "md";
    if (!ecsim_quiz_format_known(format)) {
        fprintf(err, "--format %s: error: unknown format; valid formats:", format);
        for (size_t i = 0; i < COUNT(formats); i++)
            fprintf(err, " %s", formats[i]);
        fputc('\n', err);
        return ECSIM_EXIT_USAGE;
    }
    long variants = 1;
    if (variants_text) {
        char *end;
        errno = 0;
        variants = strtol(variants_text, &end, 10);
        if (errno || *end || variants < 1 || variants > ECSIM_QUIZ_MAX_VARIANTS) {
            fprintf(err, "--variants %s: error: expected a whole number from 1 to %d\n",
                    variants_text, ECSIM_QUIZ_MAX_VARIANTS);
            return ECSIM_EXIT_USAGE;
        }
    }
    char *text = NULL;
    size_t len = 0;
    const char *shown = path;
    if (strcmp(path, "-") == 0) {
        shown = "<stdin>";
        int rc = read_stdin(&text, &len);
        if (rc != 0) {
            fprintf(err, "<stdin>: error: cannot read the scenario: %s\n", ecsim_strerror(rc));
            return rc == ECSIM_ENOMEM ? ECSIM_EXIT_FAIL
                   : rc == ECSIM_EINVAL ? ECSIM_EXIT_USAGE
                                        : ECSIM_EXIT_IO;
        }
    } else {
        struct stat st;
        FILE *probe = fopen(path, "rb");
        if (!probe || fstat(fileno(probe), &st) != 0 || !S_ISREG(st.st_mode)) {
            fprintf(err, "%s: error: cannot read the scenario: %s\n", path,
                    probe ? "not a regular file" : strerror(errno));
            if (probe)
                fclose(probe);
            return ECSIM_EXIT_IO;
        }
        fclose(probe);
    }
    ecsim_quiz *q = NULL;
    int code = ecsim_quiz_build(shown, text, len, sets, nsets, has_seed, seed, (int)variants, err,
                                &q);
    ecsim_free(text);
    if (code)
        return code;
    if (out_path) {
        ecsim_outfile of;
        int rc = ecsim_outfile_open(&of, out_path);
        if (rc == 0) {
            rc = ecsim_quiz_render(q, format, answers, of.fp);
            if (rc == 0)
                rc = ecsim_outfile_commit(&of);
            else
                ecsim_outfile_abort(&of);
        }
        if (rc != 0) {
            fprintf(err, "%s: error: cannot write the quiz: %s\n", out_path, ecsim_strerror(rc));
            code = rc == ECSIM_ENOMEM ? ECSIM_EXIT_FAIL : ECSIM_EXIT_IO;
        }
    } else if (ecsim_quiz_render(q, format, answers, out) != 0) {
        code = ECSIM_EXIT_IO;
    }
    ecsim_quiz_destroy(q);
    return code;
}
