/* Tests for `ecsim quiz` (sim/cli/quiz.c).
 *
 * - every answer of every key is recomputed: each variant is played again
 *   through the public API with the variant's --set values, and each
 *   question is checked against the figure its `source` names (the step
 *   records, the summary, the event log, a run with registry.push=false);
 *   for every shipped scenario, and for seed-walkthrough with 5 variants;
 * - quiz.vary: each variant's values lie in their ranges, differ between
 *   variants and reach the run (the pull time is size / bandwidth);
 * - determinism: the same inputs render byte-identical output in every
 *   format; another seed changes it;
 * - GIFT: the output is parsed by a small parser of the GIFT subset ecsim
 *   emits (escapes of ~ = # { } : \, one `=` per multiple choice, numeric
 *   `{#=value:tolerance}`, general feedback `####`);
 * - Moodle XML: well-formed (xmllint --noout), one <question> per question;
 * - usage errors exit 2. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <glob.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/quiz.h"
#include "ecsim/ecsim.h"

static ecsim_quiz *build(const char *path, const char *const *sets, size_t nsets, int variants,
                         bool has_seed, uint64_t seed)
{
    ecsim_quiz *q = NULL;
    int code = ecsim_quiz_build(path, NULL, 0, sets, nsets, has_seed, seed, variants, stderr, &q);
    assert_int_equal(code, 0);
    assert_non_null(q);
    return q;
}

static ecsim_scenario *load_with(const char *path, const char *const *sets, size_t nsets,
                                 const ecsim_quiz_variant *v, const char *extra)
{
    const char *all[64];
    size_t n = 0;
    for (size_t i = 0; i < nsets; i++)
        all[n++] = sets[i];
    for (size_t i = 0; i < v->nsets; i++)
        all[n++] = v->sets[i];
    if (extra)
        all[n++] = extra;
    ecsim_diags d;
    ecsim_diags_init(&d);
    ecsim_scenario *sc = ecsim_scenario_load(path, all, n, &d);
    if (!sc)
        ecsim_diags_print(&d, stderr);
    ecsim_diags_free(&d);
    assert_non_null(sc);
    return sc;
}

static ecsim_sim *play(const ecsim_scenario *sc, uint64_t seed)
{
    ecsim_sim *sim = ecsim_sim_create(sc, seed, stderr);
    assert_non_null(sim);
    assert_int_equal(ecsim_sim_run(sim), 0);
    return sim;
}

static void check_options(const ecsim_quiz_question *q)
{
    assert_true(q->option_count >= 2 && q->option_count <= ECSIM_QUIZ_OPTIONS);
    assert_true(q->correct >= 0 && q->correct < q->option_count);
    for (int a = 0; a < q->option_count; a++) {
        assert_true(q->options[a][0] != '\0');
        for (int b = a + 1; b < q->option_count; b++)
            assert_string_not_equal(q->options[a], q->options[b]);
    }
    assert_true(q->hint[0] != '\0');
    assert_true(q->explanation[0] != '\0');
}

static void near(const char *what, double answer, double tolerance, double truth)
{
    if (!(fabs(answer - truth) <= tolerance + 1e-9)) {
        fprintf(stderr, "%s: key %.9g +- %g, run %.9g\n", what, answer, tolerance, truth);
        fail();
    }
}

/* The log line a failure label must come from (an independent reading of
 * the class: a keyword of the label and the text the model logs). */
static void check_failure_line(const char *label, const char *line)
{
    static const struct {
        const char *label_word, *line_word;
    } map[] = {
        {"immutable", "ImageTagAlreadyExistsException"},
        {"could not be reached", "unreachable"},
        {"missing from the registry", "CannotPullContainerError"},
        {"killed", "killed"},
        {"exits soon", "EssentialContainerExited"},
        {"health checks", "health checks"},
        {"free CPU or memory", "no container instance"},
        {"quota", "vCPUs"},
        {"Spot", "Spot"},
        {"availability zone", "availability zone"},
        {"EC2 instance failed", "status checks"},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
        if (strstr(label, map[i].label_word)) {
            if (strstr(line, map[i].line_word) ||
                (strcmp(map[i].line_word, "unreachable") == 0 && strstr(line, "timeout")) ||
                (strcmp(map[i].line_word, "health checks") == 0 && strstr(line, "unhealthy")))
                return;
            fprintf(stderr, "failure `%s` but the line is `%s`\n", label, line);
            fail();
        }
    }
    fprintf(stderr, "unknown failure label `%s`\n", label);
    fail();
}

/* No wrong option of a diagnosis question names a failure the excerpt also
 * shows (the line words of the map above, checked on the whole excerpt). */
static void check_failure_distractors(const ecsim_quiz_question *q)
{
    static const struct {
        const char *label_word, *line_word;
    } map[] = {
        {"immutable", "ImageTagAlreadyExistsException"},
        {"could not be reached", "unreachable"},
        {"missing from the registry", "CannotPullContainerError"},
        {"killed", "exit code 137: killed"},
        {"exits soon", "EssentialContainerExited"},
        {"free CPU or memory", "no container instance"},
        {"quota", "limit on the number of vCPUs"},
        {"Spot", "Spot interruption"},
        {"availability zone", "availability zone"},
        {"EC2 instance failed", "status checks"},
    };
    for (int o = 0; o < q->option_count; o++) {
        if (o == q->correct)
            continue;
        for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
            if (strstr(q->options[o], map[i].label_word) && strstr(q->excerpt, map[i].line_word)) {
                fprintf(stderr, "distractor `%s` is shown by the excerpt too\n", q->options[o]);
                fail();
            }
        }
    }
}

/* Recompute every answer of variant `v`. */
static void check_variant(const char *path, const char *const *sets, size_t nsets, uint64_t seed,
                          const ecsim_quiz_variant *v)
{
    ecsim_scenario *sc = load_with(path, sets, nsets, v, NULL);
    ecsim_sim *sim = play(sc, seed);
    ecsim_scenario *sc_np = sc->registry.push ? load_with(path, sets, nsets, v, "registry.push=false")
                                              : NULL;
    ecsim_sim *np = sc_np ? play(sc_np, seed) : NULL;
    const ecsim_sim *unpushed = np ? np : sim;
    const ecsim_summary *s = ecsim_sim_summary(sim);
    assert_true(v->count >= 4);
    for (size_t i = 0; i < v->count; i++) {
        const ecsim_quiz_question *q = &v->questions[i];
        const char *src = q->source;
        int k;
        long at;
        if (q->kind == ECSIM_QUIZ_CHOICE)
            check_options(q);
        const char *right = q->options[q->correct];
        if (sscanf(src, "tracker.image@%d", &k) == 1) {
            assert_string_equal(right, ecsim_sim_step_record(sim, k)->after.image);
        } else if (strcmp(src, "tracker.infra_first") == 0) {
            int first = 0;
            for (int st = 1; st < ECSIM_STEP_END && !first; st++)
                if (ecsim_sim_step_record(sim, st)->reached &&
                    strcmp(ecsim_sim_step_record(sim, st)->after.infrastructure,
                           ecsim_sim_start_state(sim)->infrastructure) != 0)
                    first = st;
            char want[32];
            snprintf(want, sizeof want, "Step %d", first);
            assert_string_equal(right, want);
        } else if (strcmp(src, "unpushed.step4") == 0) {
            assert_string_equal(right, ecsim_sim_step_record(unpushed, ECSIM_STEP_DEPLOY)->result);
            /* the premise holds: without a push, step 4 did not deploy */
            assert_true(ecsim_sim_step_record(unpushed, ECSIM_STEP_DEPLOY)->failed ||
                        !ecsim_sim_step_record(unpushed, ECSIM_STEP_DEPLOY)->reached);
        } else if (strcmp(src, "step4.time_s") == 0) {
            near(src, q->answer, q->tolerance, ecsim_sim_step_record(sim, ECSIM_STEP_DEPLOY)->time_s);
        } else if (strcmp(src, "step4.pull_s") == 0) {
            near(src, q->answer, q->tolerance, sc->image.size_mb / sc->registry.pull_mb_per_s);
        } else if (strcmp(src, "summary.max_desired") == 0) {
            near(src, q->answer, q->tolerance, s->max_desired);
            /* and the timeline agrees */
            const ecsim_timeline *tl = ecsim_sim_timeline(sim);
            int peak = 0;
            for (size_t r = 0; r < ecsim_timeline_count(tl); r++)
                if (ecsim_timeline_row_at(tl, r)->desired > peak)
                    peak = ecsim_timeline_row_at(tl, r)->desired;
            assert_true(peak <= s->max_desired);
        } else if (strcmp(src, "summary.first_scale_out_s") == 0) {
            near(src, q->answer, q->tolerance, s->first_scale_out_s);
        } else if (strcmp(src, "summary.cost_total") == 0) {
            near(src, q->answer, q->tolerance, s->cost_total);
        } else if (sscanf(src, "log.scale@%ld", &at) == 1) {
            const char *line = ecsim_sim_log_line(sim, (size_t)at);
            const char *f = strstr(line, " from "), *reason;
            int a, b, n = 0;
            char want[64];
            if (f && sscanf(f, " from %d to %d: %n", &a, &b, &n) == 2) {
                reason = f + n;
                snprintf(want, sizeof want, "went from %d to %d tasks", a, b);
            } else { /* a Kubernetes HPA event */
                f = strstr(line, "New size: ");
                assert_non_null(f);
                assert_int_equal(sscanf(f, "New size: %d; reason: %n", &b, &n), 1);
                reason = f + n;
                snprintf(want, sizeof want, " to %d tasks", b);
            }
            assert_string_equal(right, reason);
            assert_non_null(strstr(q->text, want));
            /* no other option is this decision's reason */
            for (int o = 0; o < q->option_count; o++)
                if (o != q->correct)
                    assert_string_not_equal(q->options[o], reason);
        } else if (sscanf(src, "log.failure@%ld", &at) == 1) {
            const ecsim_sim *run = strstr(src, ":unpushed") ? unpushed : sim;
            const char *line = ecsim_sim_log_line(run, (size_t)at);
            check_failure_line(right, line);
            check_failure_distractors(q);
            char head[120];
            snprintf(head, sizeof head, "%.100s", line);
            assert_non_null(strstr(q->excerpt, head));
        } else if (sscanf(src, "step.fix@%d", &k) == 1) {
            const ecsim_sim *run = strstr(src, ":unpushed") ? unpushed : sim;
            assert_string_equal(right, ecsim_sim_step_record(run, k)->fix);
        } else if (strncmp(src, "class.fix@", 10) == 0) {
            assert_true(strlen(right) > 10);
        } else {
            fprintf(stderr, "unknown source `%s`\n", src);
            fail();
        }
    }
    ecsim_sim_destroy(np);
    ecsim_scenario_free(sc_np);
    ecsim_sim_destroy(sim);
    ecsim_scenario_free(sc);
}

static void check_quiz(const char *path, const char *const *sets, size_t nsets, int variants)
{
    ecsim_quiz *q = build(path, sets, nsets, variants, false, 0);
    assert_int_equal(q->count, (size_t)variants);
    for (size_t k = 0; k < q->count; k++)
        check_variant(path, sets, nsets, q->seed, &q->variants[k]);
    ecsim_quiz_destroy(q);
}

static void test_keys_every_shipped_scenario(void **state)
{
    (void)state;
    glob_t g;
    assert_int_equal(glob("scenarios/*.yaml", 0, NULL, &g), 0);
    assert_true(g.gl_pathc >= 30);
    for (size_t i = 0; i < g.gl_pathc; i++)
        check_quiz(g.gl_pathv[i], NULL, 0, 1);
    globfree(&g);
}

static void test_keys_seed_walkthrough_five_variants(void **state)
{
    (void)state;
    check_quiz("scenarios/seed-walkthrough.yaml", NULL, 0, 5);
    /* a scaling run with variants: why questions and scale-out figures */
    check_quiz("scenarios/policy-target-tracking.yaml", NULL, 0, 3);
    const char *sets[] = {"load.profile[0].rps=300"};
    check_quiz("scenarios/seed-walkthrough.yaml", sets, 1, 2);
}

static void test_kinds_present(void **state)
{
    (void)state;
    ecsim_quiz *q = build("scenarios/policy-target-tracking.yaml", NULL, 0, 1, false, 0);
    const char *want[] = {"tracker.image@", "tracker.infra_first", "unpushed.step4", "step4.time_s",
                          "step4.pull_s", "summary.max_desired", "summary.first_scale_out_s",
                          "summary.cost_total", "log.scale@", "log.failure@", "step.fix@"};
    for (size_t w = 0; w < sizeof want / sizeof want[0]; w++) {
        bool found = false;
        for (size_t i = 0; i < q->variants[0].count; i++)
            found = found || strncmp(q->variants[0].questions[i].source, want[w],
                                     strlen(want[w])) == 0;
        if (!found) {
            fprintf(stderr, "no question from %s\n", want[w]);
            fail();
        }
    }
    ecsim_quiz_destroy(q);
    /* a run with its own failure diagnoses it, not the unpushed run */
    q = build("scenarios/fail-tag-missing.yaml", NULL, 0, 1, false, 0);
    bool own = false;
    for (size_t i = 0; i < q->variants[0].count; i++) {
        const ecsim_quiz_question *x = &q->variants[0].questions[i];
        if (strncmp(x->source, "log.failure@", 12) == 0) {
            own = strstr(x->source, ":unpushed") == NULL;
            assert_non_null(strstr(x->options[x->correct], "missing from the registry"));
        }
    }
    assert_true(own);
    ecsim_quiz_destroy(q);
}

static const char vary_yaml[] =
    "name: vary-test\n"
    "seed: 9\n"
    "duration: 20m\n"
    "image: {name: web, tag: \"1.0\", size_mb: 250}\n"
    "service: {platform: fargate, desired: 2}\n"
    "load: {profile: [{until: 20m, rps: 80}]}\n"
    "quiz:\n"
    "  vary: {image.size_mb: [100, 500], registry.pull_mb_per_s: [10, 50], "
    "service.task.start_time: [5.5, 9.5]}\n";

static char *write_temp(const char *text)
{
    static char path[64];
    snprintf(path, sizeof path, "/tmp/ecsim-quiz-test-%d.yaml", (int)getpid());
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return path;
}

static void test_vary(void **state)
{
    (void)state;
    char *path = write_temp(vary_yaml);
    ecsim_quiz *q = build(path, NULL, 0, 6, false, 0);
    assert_int_equal(q->seed, 9);
    double sizes[6];
    for (size_t k = 0; k < q->count; k++) {
        const ecsim_quiz_variant *v = &q->variants[k];
        assert_int_equal(v->nsets, 3);
        double size, bw, start;
        assert_int_equal(sscanf(v->sets[0], "image.size_mb=%lf", &size), 1);
        assert_int_equal(sscanf(v->sets[1], "registry.pull_mb_per_s=%lf", &bw), 1);
        assert_int_equal(sscanf(v->sets[2], "service.task.start_time=%lf", &start), 1);
        assert_true(size >= 100 && size <= 500 && size == floor(size));
        assert_true(bw >= 10 && bw <= 50 && bw == floor(bw));
        assert_true(start >= 5.5 && start <= 9.5);
        sizes[k] = size;
        check_variant(path, NULL, 0, q->seed, v);
    }
    int distinct = 0;
    for (int a = 0; a < 6; a++) {
        bool seen = false;
        for (int b = 0; b < a; b++)
            seen = seen || sizes[a] == sizes[b];
        distinct += !seen;
    }
    assert_true(distinct >= 3);
    ecsim_quiz_destroy(q);
    /* the same seed draws the same values; another seed others */
    ecsim_quiz *a = build(path, NULL, 0, 3, true, 5), *b = build(path, NULL, 0, 3, true, 5);
    ecsim_quiz *c = build(path, NULL, 0, 3, true, 6);
    bool differ = false;
    for (size_t k = 0; k < 3; k++) {
        for (size_t i = 0; i < 3; i++) {
            assert_string_equal(a->variants[k].sets[i], b->variants[k].sets[i]);
            differ = differ || strcmp(a->variants[k].sets[i], c->variants[k].sets[i]) != 0;
        }
    }
    assert_true(differ);
    ecsim_quiz_destroy(a);
    ecsim_quiz_destroy(b);
    ecsim_quiz_destroy(c);
    unlink(path);
}

static char *render(const ecsim_quiz *q, const char *format, bool answers)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    assert_non_null(out);
    assert_int_equal(ecsim_quiz_render(q, format, answers, out), 0);
    fclose(out);
    return buf;
}

static void test_deterministic(void **state)
{
    (void)state;
    static const char *const formats[] = {"md", "latex", "gift", "moodle-xml", "json"};
    ecsim_quiz *a = build("scenarios/seed-walkthrough.yaml", NULL, 0, 3, false, 0);
    ecsim_quiz *b = build("scenarios/seed-walkthrough.yaml", NULL, 0, 3, false, 0);
    ecsim_quiz *c = build("scenarios/seed-walkthrough.yaml", NULL, 0, 3, true, 43);
    for (size_t f = 0; f < 5; f++) {
        for (int ans = 0; ans < 2; ans++) {
            char *x = render(a, formats[f], ans), *y = render(b, formats[f], ans);
            char *z = render(c, formats[f], ans);
            assert_string_equal(x, y);
            assert_string_not_equal(x, z);
            free(x);
            free(y);
            free(z);
        }
    }
    /* --answers decides whether the key is in md and json */
    char *md = render(a, "md", false), *key = render(a, "md", true);
    assert_null(strstr(md, "**Answer:**"));
    assert_null(strstr(md, "**Explanation:**"));
    assert_non_null(strstr(key, "**Answer:**"));
    assert_non_null(strstr(key, "**Explanation:**"));
    free(md);
    free(key);
    char *json = render(a, "json", false);
    assert_null(strstr(json, "\"source\""));
    free(json);
    /* option order is shuffled: the correct option is not always A */
    int positions[ECSIM_QUIZ_OPTIONS] = {0};
    for (size_t k = 0; k < a->count; k++)
        for (size_t i = 0; i < a->variants[k].count; i++)
            if (a->variants[k].questions[i].kind == ECSIM_QUIZ_CHOICE)
                positions[a->variants[k].questions[i].correct]++;
    int used = 0;
    for (int p = 0; p < ECSIM_QUIZ_OPTIONS; p++)
        used += positions[p] > 0;
    assert_true(used >= 3);
    ecsim_quiz_destroy(a);
    ecsim_quiz_destroy(b);
    ecsim_quiz_destroy(c);
}

/* ---- a parser for the GIFT subset ecsim writes ---------------------------------- */

typedef struct gift_stats {
    int questions, choice, numeric, feedback;
} gift_stats;

/* Text up to an unescaped `stop` character: every special character must
 * be escaped, escapes must be one of \~ \= \# \{ \} \: \\ \n. Returns the
 * position of `stop`, or NULL on a grammar error. */
static const char *gift_scan(const char *p, const char *stops, char *err, size_t esize)
{
    for (; *p; p++) {
        if (*p == '\\') {
            if (!p[1] || !strchr("~=#{}:\\n", p[1])) {
                snprintf(err, esize, "bad escape \\%c", p[1]);
                return NULL;
            }
            p++;
            continue;
        }
        if (strchr(stops, *p))
            return p;
        if (strchr("~=#{}:", *p)) {
            snprintf(err, esize, "unescaped `%c` in `%.40s`", *p, p);
            return NULL;
        }
        if (*p == '\n') {
            snprintf(err, esize, "raw line break in text");
            return NULL;
        }
    }
    snprintf(err, esize, "unexpected end of input");
    return NULL;
}

static bool is_number(const char *s, size_t n)
{
    char buf[64];
    if (n == 0 || n >= sizeof buf)
        return false;
    memcpy(buf, s, n);
    buf[n] = '\0';
    char *end;
    strtod(buf, &end);
    return *end == '\0';
}

static int gift_parse(const char *text, gift_stats *st, char *err, size_t esize)
{
    memset(st, 0, sizeof *st);
    const char *p = text;
    while (*p) {
        if (*p == '\n') {
            p++;
            continue;
        }
        if (strncmp(p, "//", 2) == 0 || strncmp(p, "$CATEGORY: ", 11) == 0) {
            p += strcspn(p, "\n");
            continue;
        }
        if (strncmp(p, "::", 2) != 0) {
            snprintf(err, esize, "expected ::title:: at `%.40s`", p);
            return -1;
        }
        const char *t = gift_scan(p + 2, ":", err, esize);
        if (!t || t[1] != ':')
            return -1;
        p = t + 2;
        if (strncmp(p, "[markdown]", 10) == 0)
            p += 10;
        p = gift_scan(p, "{", err, esize);
        if (!p)
            return -1;
        p++; /* { */
        st->questions++;
        if (*p == '#') { /* numeric: {#\n=value:tolerance\n[####feedback\n]} */
            st->numeric++;
            p++;
            if (*p == '\n')
                p++;
            if (*p != '=') {
                snprintf(err, esize, "numeric answer without =");
                return -1;
            }
            p++;
            size_t n = strcspn(p, ":");
            size_t m = strcspn(p + n + 1, "\n}");
            if (!is_number(p, n) || !is_number(p + n + 1, m)) {
                snprintf(err, esize, "numeric answer `%.30s` is not value:tolerance", p);
                return -1;
            }
            p += n + 1 + m;
            if (*p == '\n')
                p++;
        } else { /* multiple choice: lines of =right / ~wrong */
            st->choice++;
            if (*p == '\n')
                p++;
            int right = 0, options = 0;
            while (*p == '=' || *p == '~') {
                right += *p == '=';
                options++;
                const char *e = gift_scan(p + 1, "\n", err, esize);
                if (!e)
                    return -1;
                p = e + 1;
            }
            if (right != 1 || options < 2) {
                snprintf(err, esize, "%d right answers among %d options", right, options);
                return -1;
            }
        }
        if (strncmp(p, "####", 4) == 0) {
            st->feedback++;
            const char *e = gift_scan(p + 4, "\n", err, esize);
            if (!e)
                return -1;
            p = e + 1;
        }
        if (*p != '}') {
            snprintf(err, esize, "expected } at `%.40s`", p);
            return -1;
        }
        p++;
        if (*p != '\n') {
            snprintf(err, esize, "text after }");
            return -1;
        }
    }
    return 0;
}

static void test_gift_grammar(void **state)
{
    (void)state;
    ecsim_quiz *q = build("scenarios/seed-walkthrough.yaml", NULL, 0, 5, false, 0);
    size_t total = 0, numeric = 0;
    for (size_t k = 0; k < q->count; k++)
        for (size_t i = 0; i < q->variants[k].count; i++) {
            total++;
            numeric += q->variants[k].questions[i].kind == ECSIM_QUIZ_NUMERIC;
        }
    for (int ans = 0; ans < 2; ans++) {
        char *gift = render(q, "gift", ans);
        gift_stats st;
        char err[160] = "";
        if (gift_parse(gift, &st, err, sizeof err) != 0) {
            fprintf(stderr, "GIFT: %s\n", err);
            fail();
        }
        assert_int_equal(st.questions, (int)total);
        assert_int_equal(st.numeric, (int)numeric);
        assert_int_equal(st.feedback, ans ? (int)total : 0);
        free(gift);
    }
    ecsim_quiz_destroy(q);
    /* the parser rejects what Moodle would misread */
    gift_stats st;
    char err[160];
    assert_int_not_equal(gift_parse("::t::a: b {\n=x\n~y\n}\n", &st, err, sizeof err), 0);
    assert_int_not_equal(gift_parse("::t::q {\n=x\n=y\n}\n", &st, err, sizeof err), 0);
    assert_int_not_equal(gift_parse("::t::q {#\n=1:x\n}\n", &st, err, sizeof err), 0);
    assert_int_equal(gift_parse("::t::a\\: b\\{\\} {\n=x \\= y\n~z\n}\n", &st, err, sizeof err), 0);
    /* every shipped scenario's quiz parses (excerpts with : and = in them) */
    glob_t g;
    assert_int_equal(glob("scenarios/*.yaml", 0, NULL, &g), 0);
    for (size_t i = 0; i < g.gl_pathc; i++) {
        ecsim_quiz *x = build(g.gl_pathv[i], NULL, 0, 1, false, 0);
        char *gift = render(x, "gift", true);
        if (gift_parse(gift, &st, err, sizeof err) != 0) {
            fprintf(stderr, "%s: GIFT: %s\n", g.gl_pathv[i], err);
            fail();
        }
        free(gift);
        ecsim_quiz_destroy(x);
    }
    globfree(&g);
}

static int count_of(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

static void test_moodle_xml_well_formed(void **state)
{
    (void)state;
    ecsim_quiz *q = build("scenarios/fail-tag-missing.yaml", NULL, 0, 2, false, 0);
    char *xml = render(q, "moodle-xml", true);
    char path[64];
    snprintf(path, sizeof path, "/tmp/ecsim-quiz-test-%d.xml", (int)getpid());
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(xml, f);
    fclose(f);
    char cmd[160];
    snprintf(cmd, sizeof cmd, "xmllint --noout %s", path);
    int rc = system(cmd);
    if (rc != 0)
        fprintf(stderr, "xmllint (Debian package libxml2-utils, make deps) failed: %d\n", rc);
    assert_int_equal(rc, 0);
    unlink(path);
    int choice = 0, numeric = 0;
    for (size_t k = 0; k < q->count; k++)
        for (size_t i = 0; i < q->variants[k].count; i++) {
            choice += q->variants[k].questions[i].kind == ECSIM_QUIZ_CHOICE;
            numeric += q->variants[k].questions[i].kind == ECSIM_QUIZ_NUMERIC;
        }
    assert_int_equal(count_of(xml, "<question type=\"multichoice\">"), choice);
    assert_int_equal(count_of(xml, "<question type=\"numerical\">"), numeric);
    assert_int_equal(count_of(xml, "<answer fraction=\"100\""), choice + numeric);
    assert_int_equal(count_of(xml, "<tolerance>"), numeric);
    assert_int_equal(count_of(xml, "<question type=\"category\">"), 2);
    free(xml);
    ecsim_quiz_destroy(q);
}

static void test_usage_errors(void **state)
{
    (void)state;
    FILE *null = fopen("/dev/null", "w");
    assert_int_equal(ecsim_quiz_main("scenarios/seed-walkthrough.yaml", NULL, 0, false, 0, "0",
                                     NULL, false, NULL, null, null),
                     2);
    assert_int_equal(ecsim_quiz_main("scenarios/seed-walkthrough.yaml", NULL, 0, false, 0, "x",
                                     NULL, false, NULL, null, null),
                     2);
    assert_int_equal(ecsim_quiz_main("scenarios/seed-walkthrough.yaml", NULL, 0, false, 0, NULL,
                                     "pdf", false, NULL, null, null),
                     2);
    assert_int_equal(ecsim_quiz_main("tests/no-such.yaml", NULL, 0, false, 0, NULL, NULL, false,
                                     NULL, null, null),
                     3);
    const char *bad[] = {"image.size_mb=-3"};
    assert_int_equal(ecsim_quiz_main("scenarios/seed-walkthrough.yaml", bad, 1, false, 0, NULL,
                                     NULL, false, NULL, null, null),
                     2);
    /* a quiz.vary field that does not exist is reported when the variant is drawn */
    char *path = write_temp("name: x\nquiz: {vary: {image.sise_mb: [1, 2]}}\n");
    assert_int_equal(ecsim_quiz_main(path, NULL, 0, false, 0, "2", NULL, false, NULL, null, null),
                     2);
    unlink(path);
    fclose(null);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_keys_every_shipped_scenario),
        cmocka_unit_test(test_keys_seed_walkthrough_five_variants),
        cmocka_unit_test(test_kinds_present),
        cmocka_unit_test(test_vary),
        cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_gift_grammar),
        cmocka_unit_test(test_moodle_xml_well_formed),
        cmocka_unit_test(test_usage_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
