/* `ecsim quiz`: questions and answer keys computed from simulated runs
 * (issue 12, point 4).
 *
 * A quiz is built in two stages, so that tests can check every answer:
 * ecsim_quiz_build() plays the scenario once per variant (and once more
 * with the image not pushed, for the seed's third question) through the
 * public API and turns the run's tables, summary figures, scaling
 * decisions and event log into questions; ecsim_quiz_render() writes them
 * in one format. Every question records where its answer was read from
 * (`source`), so a test can play the variant again and compare. */
#ifndef ECSIM_QUIZ_H
#define ECSIM_QUIZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define ECSIM_QUIZ_OPTIONS 4     /* options of a multiple-choice question */
#define ECSIM_QUIZ_SETS 16       /* --set values a variant adds (quiz.vary ranges) */
#define ECSIM_QUIZ_MAX_VARIANTS 100
#define ECSIM_QUIZ_MAX_QUESTIONS 16

typedef enum ecsim_quiz_kind {
    ECSIM_QUIZ_CHOICE,           /* one correct option among ECSIM_QUIZ_OPTIONS */
    ECSIM_QUIZ_NUMERIC           /* a number, right within a tolerance */
} ecsim_quiz_kind;

typedef struct ecsim_quiz_question {
    ecsim_quiz_kind kind;
    char topic[16];              /* tracker | numbers | why | diagnosis */
    /* Where the answer comes from, for the key check:
     *   "tracker.image@K"          App Container Image after step K (choice)
     *   "tracker.infra_first"      first step that changed AWS Infrastructure (choice)
     *   "unpushed.step4"           step 4's result with registry.push=false (choice)
     *   "step4.time_s"             step 4's time (numeric)
     *   "step4.pull_s"             the image pull time step 4 reports (numeric)
     *   "summary.max_desired", "summary.first_scale_out_s", "summary.cost_total" (numeric)
     *   "log.scale@I"              the reason of scaling line I of events.log (choice)
     *   "log.failure@I[:unpushed]" the failure class of events.log line I (choice)
     *   "step.fix@K[:unpushed]"    step K's "what to change", or the class's fix (choice) */
    char source[48];
    char text[640];              /* the question */
    char excerpt[2048];          /* lines of events.log shown with it; "" = none */
    int option_count;
    char options[ECSIM_QUIZ_OPTIONS][400];
    int correct;                 /* index of the correct option (after shuffling) */
    double answer;               /* numeric: the value */
    double tolerance;            /* numeric: accepted +- */
    char unit[16];               /* numeric: "s", "tasks", "USD" */
    char hint[320];              /* in the seed's style: where to look */
    char explanation[1600];      /* the answer key: the step-mode text for that step */
} ecsim_quiz_question;

typedef struct ecsim_quiz_variant {
    int index;                   /* 1-based */
    char sets[ECSIM_QUIZ_SETS][192]; /* "image.size_mb=237", applied like --set */
    size_t nsets;
    ecsim_quiz_question questions[ECSIM_QUIZ_MAX_QUESTIONS];
    size_t count;
} ecsim_quiz_variant;

typedef struct ecsim_quiz {
    char scenario[64];           /* the scenario's name */
    char path[1024];             /* as given ("-" = standard input) */
    uint64_t seed;
    ecsim_quiz_variant *variants;
    size_t count;
} ecsim_quiz;

/* Build a quiz of `variants` variants (1..ECSIM_QUIZ_MAX_VARIANTS) from the
 * scenario at `path` (or `text`/`len` when text is non-NULL: a scenario read
 * from standard input, shown as `path`), with the user's --set overrides
 * and `seed` (has_seed false: the scenario's). Diagnostics go to `err`.
 * 0 and *out set, or the process exit code (2 invalid scenario or range, 3
 * unreadable file, 1 out of memory). */
int ecsim_quiz_build(const char *path, const char *text, size_t len, const char *const *sets,
                     size_t nsets, bool has_seed, uint64_t seed, int variants, FILE *err,
                     ecsim_quiz **out);
void ecsim_quiz_destroy(ecsim_quiz *q);

/* Whether `format` is one ecsim_quiz_render knows: md latex gift moodle-xml json. */
bool ecsim_quiz_format_known(const char *format);

/* Write `q` in `format`. `answers` adds the key and the explanations (GIFT
 * and Moodle XML always carry the correct answers: the formats need them).
 * 0, ECSIM_EINVAL (unknown format) or ECSIM_EIO. */
int ecsim_quiz_render(const ecsim_quiz *q, const char *format, bool answers, FILE *out);

/* `ecsim quiz`: check the options, build, then render to `out_path`
 * (atomically) or `out`. `path` "-" reads standard input; `variants_text`
 * NULL = 1; `format` NULL = md. Returns the exit code. */
int ecsim_quiz_main(const char *path, const char *const *sets, size_t nsets, bool has_seed,
                    uint64_t seed, const char *variants_text, const char *format, bool answers,
                    const char *out_path, FILE *out, FILE *err);

#endif
