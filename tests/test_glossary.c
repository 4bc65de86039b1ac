/* Tests for the glossary (sim/report/glossary.c) and step mode's
 * explanations of it (sim/cli/step.c).
 *
 * - the table: sorted, one line per definition, every term and pattern
 *   found by the lookup (any case, plurals), near misses suggested;
 * - the terms the issue names are all defined;
 * - step mode, for every shipped scenario: every glossary term its output
 *   uses (the list comes from the glossary's own patterns) is explained in
 *   that output, once; and every jargon-looking word it prints (ALL-CAPS or
 *   camelCase identifiers such as ENI, stopCode) is a glossary term;
 * - the same jargon check over the execution and status tables and the
 *   events.log of every shipped scenario. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ctype.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli/step.h"
#include "ecsim/ecsim.h"
#include "report/glossary.h"

static void test_sorted_and_one_line(void **state)
{
    (void)state;
    size_t n;
    const ecsim_glossary_entry *e = ecsim_glossary_entries(&n);
    assert_true(n >= 60);
    for (size_t i = 0; i < n; i++) {
        assert_non_null(e[i].term);
        assert_true(strlen(e[i].definition) > 20);
        assert_true(strlen(e[i].definition) < 260);
        assert_null(strchr(e[i].definition, '\n'));
        assert_null(strstr(e[i].definition, "§")); /* citations stay in the source */
        if (i > 0 && strcasecmp(e[i - 1].term, e[i].term) >= 0) {
            fprintf(stderr, "not sorted: %s before %s\n", e[i - 1].term, e[i].term);
            fail();
        }
    }
}

static void upper(char *s)
{
    for (; *s; s++)
        *s = (char)toupper((unsigned char)*s);
}

static void test_every_term_and_pattern_is_found(void **state)
{
    (void)state;
    size_t n;
    const ecsim_glossary_entry *e = ecsim_glossary_entries(&n);
    for (size_t i = 0; i < n; i++) {
        assert_ptr_equal(ecsim_glossary_find(e[i].term), &e[i]);
        char buf[128];
        snprintf(buf, sizeof buf, "  %s ", e[i].term);
        upper(buf);
        assert_ptr_equal(ecsim_glossary_find(buf), &e[i]);
        snprintf(buf, sizeof buf, "%ss", e[i].term); /* a plural */
        assert_non_null(ecsim_glossary_find(buf));
        /* every pattern finds an entry, and a text made of the pattern uses this one */
        const char *p = e[i].patterns;
        while (*p) {
            size_t len = strcspn(p, "|");
            size_t skip = p[0] == '=';
            snprintf(buf, sizeof buf, "(%.*s)", (int)(len - skip), p + skip);
            assert_true(ecsim_glossary_first_use(&e[i], buf) == 1);
            snprintf(buf, sizeof buf, "%.*s", (int)(len - skip), p + skip);
            assert_non_null(ecsim_glossary_find(buf));
            p += len;
            if (*p == '|')
                p++;
        }
    }
    assert_null(ecsim_glossary_find(""));
    assert_null(ecsim_glossary_find("kubernetes operator pattern"));
}

static void test_issue_terms_defined(void **state)
{
    (void)state;
    static const char *const terms[] = {
        "ENI", "stopCode", "circuit breaker", "throttle", "digest", "target tracking",
        "step scaling", "cooldown", "HPA", "ReplicaSet", "pod", "task definition",
        "desired count", "Fargate", "capacity provider", "ECR", "CloudWatch alarm", "datapoint",
        "minimumHealthyPercent", "maximumPercent", "CannotPullContainerError", "steady state",
        "scale-in protection", "managed scaling", "kubelet", "node", "rolloutState",
        "TaskFailedToStart", "EssentialContainerExited", "PROVISIONING", "PENDING", "RUNNING",
        "STOPPED", "health check", "target group", "load balancer", "availability zone", "AZ",
        "Spot", "quota", "vCPU", "immutable tags", "scheduled action", "predictive scaling",
        "binpack", "spread", "rollback", "deployment", "service", "task", "tag", "registry",
    };
    for (size_t i = 0; i < sizeof terms / sizeof terms[0]; i++) {
        if (!ecsim_glossary_find(terms[i])) {
            fprintf(stderr, "not in the glossary: %s\n", terms[i]);
            fail();
        }
    }
}

static void test_first_use_word_boundaries(void **state)
{
    (void)state;
    const ecsim_glossary_entry *eni = ecsim_glossary_find("ENI");
    assert_int_equal(ecsim_glossary_first_use(eni, "the ENI is attached"), 4);
    assert_int_equal(ecsim_glossary_first_use(eni, "a GENIE, an eni"), -1); /* exact case, whole word */
    const ecsim_glossary_entry *cb = ecsim_glossary_find("circuit breaker");
    assert_int_equal(ecsim_glossary_first_use(cb, "Circuit Breaker: 3 of 3"), 0);
    const ecsim_glossary_entry *th = ecsim_glossary_find("throttle");
    assert_int_equal(ecsim_glossary_first_use(th, "operations are being throttled."), 21);
}

static void test_suggest_and_main(void **state)
{
    (void)state;
    assert_string_equal(ecsim_glossary_suggest("circuit braker")->term, "circuit breaker");
    assert_string_equal(ecsim_glossary_suggest("stopcde")->term, "stopCode");
    assert_null(ecsim_glossary_suggest("zzzzzzzzzzzzqqq"));
    char *buf = NULL, *ebuf = NULL;
    size_t len = 0, elen = 0;
    FILE *out = open_memstream(&buf, &len), *err = open_memstream(&ebuf, &elen);
    assert_int_equal(ecsim_glossary_main("eni", out, err), 0);
    assert_int_equal(ecsim_glossary_main("Fargat", out, err), 2);
    assert_int_equal(ecsim_glossary_main("qqqqqqqqqqqqqqqq", out, err), 2);
    fclose(out);
    fclose(err);
    assert_non_null(strstr(buf, "ENI: Elastic network interface"));
    assert_non_null(strstr(ebuf, "no entry for `Fargat`; did you mean `Fargate`?"));
    assert_non_null(strstr(ebuf, "no entry for `qqqqqqqqqqqqqqqq` (`ecsim glossary` lists"));
    free(buf);
    free(ebuf);
    /* the whole list: one line per entry */
    buf = NULL;
    out = open_memstream(&buf, &len);
    assert_int_equal(ecsim_glossary_main(NULL, out, stderr), 0);
    fclose(out);
    size_t n, lines = 0;
    ecsim_glossary_entries(&n);
    for (char *p = buf; *p; p++)
        lines += *p == '\n';
    assert_int_equal(lines, n);
    free(buf);
}

/* Step mode's whole output for one scenario, built-in chart (no gnuplot). */
static char *step_output(const char *path)
{
    ecsim_diags d;
    ecsim_diags_init(&d);
    ecsim_scenario *sc = ecsim_scenario_load(path, NULL, 0, &d);
    ecsim_diags_free(&d);
    assert_non_null(sc);
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    FILE *in = fopen("/dev/null", "r");
    assert_non_null(out);
    assert_non_null(in);
    assert_int_equal(ecsim_step_walkthrough(sc, sc->seed, in, out, stderr, false), 0);
    fclose(in);
    fclose(out);
    ecsim_scenario_free(sc);
    return buf;
}

/* Drop the first line (it names the scenario: `policy-hpa` is not text),
 * the charts (their rows start with a number or a bar) and the "New terms"
 * blocks (the glossary's own text). */
static void strip_non_text(char *text)
{
    char *nl = strchr(text, '\n');
    memmove(text, nl ? nl + 1 : text + strlen(text), strlen(nl ? nl + 1 : "") + 1);
    char *w = text;
    bool in_terms = false;
    for (char *line = text; *line;) {
        size_t n = strcspn(line, "\n");
        const char *p = line + strspn(line, " ");
        bool chart = (*p && (isdigit((unsigned char)*p) || *p == '|' || *p == '+')) ||
                     strncmp(p, "demand *", 8) == 0;
        if (strncmp(line, "  New terms:", 12) == 0)
            in_terms = true;
        else if (in_terms && strncmp(line, "    ", 4) != 0)
            in_terms = false;
        if (!chart && !in_terms) {
            memmove(w, line, n);
            w += n;
            *w++ = '\n';
        }
        line += n;
        if (*line == '\n')
            line++;
    }
    *w = '\0';
}

/* Words that look like jargon but are plain: units and well-known names. */
static const char *const plain_words[] = {"AWS", "MB", "GB", "CPU", "CI", "OK", "HTTP", "URL",
                                          "ID", "SHA", "USD", "FAILED", "IN_PROGRESS",
                                          "COMPLETED", NULL};

static bool jargon_like(const char *w)
{
    size_t n = strlen(w), caps = 0, lower = 0;
    for (size_t i = 0; i < n; i++) {
        caps += isupper((unsigned char)w[i]) != 0;
        lower += islower((unsigned char)w[i]) != 0;
    }
    if (n >= 2 && lower == 0 && caps >= 2)
        return true; /* ENI, RUNNING, EC2 */
    if (lower > 0 && caps > 0 && islower((unsigned char)w[0]))
        return true; /* stopCode, rolloutState */
    return caps >= 3 && lower > 0 && n > 8; /* CannotPullContainerError */
}

/* Every jargon-looking word of `text` is a glossary term. */
static void check_jargon(const char *path, const char *what, const char *text)
{
    for (const char *p = text; *p;) {
        while (*p && !(isalnum((unsigned char)*p) || *p == '_'))
            p++;
        const char *start = p;
        while (*p && (isalnum((unsigned char)*p) || *p == '_'))
            p++;
        char word[96];
        snprintf(word, sizeof word, "%.*s", (int)(p - start), start);
        if (!word[0] || !jargon_like(word))
            continue;
        bool plain = false;
        for (const char *const *w = plain_words; *w; w++)
            plain = plain || strcmp(*w, word) == 0;
        if (!plain && !ecsim_glossary_find(word)) {
            fprintf(stderr, "%s: `%s` in %s is not in the glossary\n", path, word, what);
            fail();
        }
    }
}

static void check_step_terms(const char *path)
{
    char *out = step_output(path);
    char *text = strdup(out);
    strip_non_text(text);
    size_t n;
    const ecsim_glossary_entry *e = ecsim_glossary_entries(&n);
    for (size_t i = 0; i < n; i++) {
        if (ecsim_glossary_first_use(&e[i], text) < 0)
            continue;
        char line[128];
        snprintf(line, sizeof line, "\n    %s: ", e[i].term);
        char *at = strstr(out, line);
        if (!at) {
            fprintf(stderr, "%s: step mode uses `%s` but does not explain it\n", path, e[i].term);
            fail();
        }
        if (strstr(at + 1, line)) {
            fprintf(stderr, "%s: `%s` explained twice\n", path, e[i].term);
            fail();
        }
    }
    /* jargon-looking words of the step texts are glossary terms */
    check_jargon(path, "step mode", text);
    free(text);
    free(out);
}

static void test_step_mode_explains_every_term(void **state)
{
    (void)state;
    setenv("PATH", "/nonexistent", 1); /* the built-in chart, whatever is installed */
    glob_t g;
    assert_int_equal(glob("scenarios/*.yaml", 0, NULL, &g), 0);
    assert_true(g.gl_pathc >= 30);
    for (size_t i = 0; i < g.gl_pathc; i++)
        check_step_terms(g.gl_pathv[i]);
    globfree(&g);
}

/* The tables and events.log of a run use no jargon outside the glossary. */
static void check_run_terms(const char *path)
{
    ecsim_diags d;
    ecsim_diags_init(&d);
    ecsim_scenario *sc = ecsim_scenario_load(path, NULL, 0, &d);
    ecsim_diags_free(&d);
    assert_non_null(sc);
    ecsim_sim *sim = ecsim_sim_create(sc, sc->seed, stderr);
    assert_non_null(sim);
    assert_int_equal(ecsim_sim_run(sim), 0);
    ecsim_table *tables[2] = {ecsim_report_execution_table(sim), ecsim_report_status_table(sim)};
    for (int t = 0; t < 2; t++) {
        assert_non_null(tables[t]);
        for (size_t r = 0; r < ecsim_table_rows(tables[t]); r++)
            for (size_t c = 0; c < ecsim_table_cols(tables[t]); c++)
                check_jargon(path, ecsim_table_title(tables[t]), ecsim_table_cell(tables[t], r, c));
        ecsim_table_destroy(tables[t]);
    }
    for (size_t i = 0; i < ecsim_sim_log_count(sim); i++)
        check_jargon(path, "events.log", ecsim_sim_log_line(sim, i));
    ecsim_sim_destroy(sim);
    ecsim_scenario_free(sc);
}

static void test_tables_and_log_terms(void **state)
{
    (void)state;
    glob_t g;
    assert_int_equal(glob("scenarios/*.yaml", 0, NULL, &g), 0);
    for (size_t i = 0; i < g.gl_pathc; i++)
        check_run_terms(g.gl_pathv[i]);
    globfree(&g);
}

static void test_step_explains_at_first_use(void **state)
{
    (void)state;
    setenv("PATH", "/nonexistent", 1);
    char *out = step_output("scenarios/seed-walkthrough.yaml");
    /* digest appears in step 2's text and is explained right there, before step 3 */
    char *step2 = strstr(out, "== Step 2 of 7");
    char *step3 = strstr(out, "== Step 3 of 7");
    char *digest = strstr(out, "\n    digest: ");
    assert_non_null(step2);
    assert_non_null(digest);
    assert_true(digest > step2 && digest < step3);
    /* Fargate first appears at step 3 */
    char *fargate = strstr(out, "\n    Fargate: ");
    assert_true(fargate > step3 && fargate < strstr(out, "== Step 4 of 7"));
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sorted_and_one_line),
        cmocka_unit_test(test_every_term_and_pattern_is_found),
        cmocka_unit_test(test_issue_terms_defined),
        cmocka_unit_test(test_first_use_word_boundaries),
        cmocka_unit_test(test_suggest_and_main),
        cmocka_unit_test(test_step_mode_explains_every_term),
        cmocka_unit_test(test_step_explains_at_first_use),
        cmocka_unit_test(test_tables_and_log_terms),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
