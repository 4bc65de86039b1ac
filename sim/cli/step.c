/* Step mode for students (`ecsim step`): the lifecycle one step at a time.
 *
 * For each step it prints when it happened, what the user did, what AWS did
 * in this run, the result, the tracked variables before and after, and why
 * the step matters (the seed's Key Moments); a failed step also says what
 * went wrong and what to change. It reads one line between steps, so it
 * works the same from a terminal and from a pipe (tests drive it that way);
 * end of input plays the remaining steps without waiting.
 *
 * Jargon is explained where it first appears: after each step, every
 * glossary term (sim/report/glossary.h) that the step's text uses for the
 * first time in the walkthrough is printed with its one-line definition,
 * in the order the text uses them. */
#include "step.h"
#include "run_error.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ecsim/error.h"
#include "ecsim/plot.h"
#include "ecsim/timeline.h"
#include "ecsim/sim.h"
#include "model/platform.h"
#include "report/glossary.h"

/* Print `label` then `text` wrapped at `width` columns; continuation lines
 * are indented to line up under the text. */
static void print_wrapped(FILE *out, const char *label, const char *text, int width)
{
    int indent = (int)strlen(label);
    int col = indent;
    const char *p = text;
    bool first_word = true;
    fputs(label, out);
    while (*p) {
        while (*p == ' ')
            p++;
        const char *w = p;
        while (*p && *p != ' ')
            p++;
        int len = (int)(p - w);
        if (len == 0)
            break;
        if (!first_word && col + 1 + len > width) {
            fprintf(out, "\n%*s", indent, "");
            col = indent;
            first_word = true;
        }
        if (!first_word) {
            fputc(' ', out);
            col++;
        }
        fwrite(w, 1, (size_t)len, out);
        col += len;
        first_word = false;
    }
    fputc('\n', out);
}

static void print_change(FILE *out, const char *name, const char *before, const char *after)
{
    if (strcmp(before, after) == 0)
        fprintf(out, "    %-21s %s (unchanged)\n", name, after);
    else
        fprintf(out, "    %-21s %s -> %s\n", name, before, after);
}

static void print_count_change(FILE *out, const char *name, int before, int after)
{
    if (before == after)
        fprintf(out, "    %-21s %d (unchanged)\n", name, after);
    else
        fprintf(out, "    %-21s %d -> %d\n", name, before, after);
}

#define STEP_TERMS_MAX 256 /* glossary entries step mode tracks (there are ~90) */

/* The glossary terms of `text` not yet in `seen` (one flag per entry),
 * printed in the order of their first use and then marked as seen. */
static void explain_new_terms(FILE *out, const char *text, bool *seen)
{
    size_t count;
    const ecsim_glossary_entry *all = ecsim_glossary_entries(&count);
    if (count > STEP_TERMS_MAX)
        count = STEP_TERMS_MAX;
    bool header = false;
    for (;;) {
        long best = -1;
        size_t best_i = 0;
        for (size_t i = 0; i < count; i++) {
            if (seen[i])
                continue;
            long at = ecsim_glossary_first_use(&all[i], text);
            if (at >= 0 && (best < 0 || at < best)) {
                best = at;
                best_i = i;
            }
        }
        if (best < 0)
            break;
        seen[best_i] = true;
        if (!header) {
            fprintf(out, "  New terms:\n");
            header = true;
        }
        char label[96];
        snprintf(label, sizeof label, "    %s: ", all[best_i].term);
        print_wrapped(out, label, all[best_i].definition, 76);
    }
}

/* Every text the step prints (not the chart), for explain_new_terms. */
static void step_text(char *buf, size_t size, const ecsim_step_record *r,
                      const ecsim_tracked *before, const ecsim_tracked *after)
{
    snprintf(buf, size,
             "%s\n%s\n%s\n%s\n%s\nApp Container Image %s %s\nAWS Infrastructure %s %s\n"
             "Deployment %s %s\nDesired tasks\nRunning tasks\n%s\n%s\n",
             r->action, r->user_did, r->aws_did, r->role, r->result, before->image, after->image,
             before->infrastructure, after->infrastructure, before->deployment, after->deployment,
             r->fix, r->why);
}

static void print_step(FILE *out, const ecsim_sim *sim, const ecsim_sim *whole, int step,
                       const ecsim_tracked *before, bool *seen)
{
    const ecsim_step_record *r = ecsim_sim_step_record(sim, step);
    /* Steps 5 and 6 report the shortfall after steady state (README
     * "Shortfall"), which lies ahead of them: taken from the same run played
     * to the end (same scenario and seed, so the same figures as
     * summary.json's capacity.*_after_steady). */
    char result[sizeof r->result + 64];
    snprintf(result, sizeof result, "%s", r->result);
    if (whole && r->reached && (step == ECSIM_STEP_RUN || step == ECSIM_STEP_MONITOR)) {
        const char *w = ecsim_sim_step_record(whole, step)->result;
        if (strstr(w, "fell behind demand"))
            snprintf(result, sizeof result, "%s (from step 5 to the end of the run)", w);
    }
    char clock[32];
    ecsim_fmt_clock(clock, sizeof clock, r->reached ? r->time_s : NAN);
    fprintf(out, "\n== Step %d of %d  at %s%s ==\n", step, ECSIM_STEP_COUNT, clock,
            r->failed ? "  [FAILED]" : r->reached ? "" : "  [not reached]");
    fprintf(out, "%s\n", r->action);
    /* A step the run never reached says why and what to change, nothing
     * else: what the user and AWS "did" there did not happen. */
    if (!r->reached) {
        print_wrapped(out, "  Why not reached:  ", r->why, 76);
        if (r->fix[0])
            print_wrapped(out, "  What to change:   ", r->fix, 76);
        return;
    }
    print_wrapped(out, "  You did:  ", r->user_did, 76);
    if (r->aws_did[0])
        print_wrapped(out, "  AWS did:  ", r->aws_did, 76);
    fprintf(out, "  AWS role: %s\n", r->role);
    if (r->failed)
        print_wrapped(out, "  What went wrong: ", result, 76);
    else
        print_wrapped(out, "  Result:   ", result, 76);
    const ecsim_tracked *after = r->reached ? &r->after : before;
    fprintf(out, "  Tracked variables:\n");
    print_change(out, "App Container Image", before->image, after->image);
    print_change(out, "AWS Infrastructure", before->infrastructure, after->infrastructure);
    print_change(out, "Deployment", before->deployment, after->deployment);
    /* The platform's word for what runs: "tasks" on ECS, "pods" on EKS. */
    const char *tasks = platform_kind_of(ecsim_sim_scenario(sim)->service.platform)->words.tasks;
    char desired[32], running[32];
    snprintf(desired, sizeof desired, "Desired %s", tasks);
    snprintf(running, sizeof running, "Running %s", tasks);
    print_count_change(out, desired, before->desired, after->desired);
    print_count_change(out, running, before->running, after->running);
    if (r->fix[0])
        print_wrapped(out, "  What to change:  ", r->fix, 76);
    print_wrapped(out, "  Why it matters:  ", r->why, 76);
    char text[4096];
    step_text(text, sizeof text, r, before, after);
    explain_new_terms(out, text, seen);
    /* From step 5 on there is a service serving demand: show how capacity
     * has followed it so far (gnuplot's dumb terminal, or a built-in chart). */
    const ecsim_timeline *tl = ecsim_sim_timeline(sim);
    if (step >= ECSIM_STEP_RUN && r->reached && ecsim_timeline_count(tl) > 0) {
        fprintf(out, "  Demand and capacity so far:\n");
        fflush(out);
        ecsim_plot_preview(tl, r->time_s, 76, 14, out);
        fflush(out);
    }
}

/* Wait for a line; returns 0 to go on, 1 to quit. At end of input the
 * rest plays without waiting. */
static int wait_line(FILE *in, FILE *out, bool interactive, bool *eof)
{
    if (*eof)
        return 0;
    if (interactive) {
        fprintf(out, "\n[Enter] next step, q to quit: ");
        fflush(out);
    }
    char line[256];
    if (!fgets(line, sizeof line, in)) {
        *eof = true;
        return 0;
    }
    return line[0] == 'q' || line[0] == 'Q';
}

int ecsim_step_walkthrough(const ecsim_scenario *sc, uint64_t seed, FILE *in, FILE *out, FILE *err,
                           bool interactive)
{
    ecsim_sim *sim = ecsim_sim_create(sc, seed, err);
    if (!sim) {
        fprintf(err, "ecsim: error: cannot build the simulation: %s\n", ecsim_strerror(ECSIM_ENOMEM));
        return ECSIM_EXIT_FAIL;
    }
    /* The same run played to the end, for the shortfall steps 5 and 6
     * report; without it (out of memory) they show what is known so far. */
    ecsim_sim *whole = ecsim_sim_create(sc, seed, err);
    if (whole && ecsim_sim_run(whole) < 0) {
        ecsim_sim_destroy(whole);
        whole = NULL;
    }
    fprintf(out, "ecsim step: %s (seed %llu). The lifecycle of the seed document, one step at a "
                 "time.\n",
            sc->name, (unsigned long long)seed);
    const ecsim_tracked *start = ecsim_sim_start_state(sim);
    fprintf(out, "Start: App Container Image = %s; AWS Infrastructure = %s.\n", start->image,
            start->infrastructure);
    ecsim_tracked before = *start;
    bool seen[STEP_TERMS_MAX] = {false};
    int shown = 0;
    bool eof = false;
    int code = ECSIM_EXIT_OK;
    while (!ecsim_sim_done(sim)) {
        if (wait_line(in, out, interactive, &eof)) {
            fprintf(out, "Stopped at step %d of %d.\n", shown, ECSIM_STEP_COUNT);
            goto done;
        }
        int reached = 0;
        int rc = ecsim_sim_advance(sim, &reached);
        if (rc < 0) {
            code = ecsim_cli_simulation_failed(sim, rc, "ecsim", err);
            goto done;
        }
        /* Show every step up to the one reached, including skipped ones. */
        for (int s = shown + 1; s <= reached; s++) {
            print_step(out, sim, whole, s, &before, seen);
            const ecsim_step_record *r = ecsim_sim_step_record(sim, s);
            if (r->reached)
                before = r->after;
        }
        if (reached > shown)
            shown = reached;
    }
    fprintf(out, "\nOutcome: %s. `ecsim run` writes the full tables, event log and plots.\n",
            ecsim_sim_summary(sim)->outcome);
done:
    if (whole)
        ecsim_sim_destroy(whole);
    ecsim_sim_destroy(sim);
    return code;
}
