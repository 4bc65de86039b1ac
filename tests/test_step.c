/* Tests for step mode (sim/cli/step.c): it tells one story (issue 9
 * point 12).
 *
 * Every chart window contains its step's time and is not blank (the
 * quickstart's step-5 chart used to end at 4 min while the step was later,
 * with demand hidden in the frame); a step the run never reached says why
 * (which earlier step failed and what to change) and nothing else; End
 * does not claim "All steps complete" for an app that never ran; step 4
 * does not say the image came "from the registry" when it was never
 * pushed. The walkthrough is driven in-process with end of input (every
 * step plays without waiting), with the built-in chart (PATH without
 * gnuplot) and, when gnuplot is installed, its dumb terminal. Tests run
 * from the repository root. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "cli/step.h"
#include "ecsim/ecsim.h"

/* ---- helpers ------------------------------------------------------------------ */

static bool gnuplot_on_path(void)
{
    const char *path = getenv("PATH");
    if (!path)
        return false;
    char *copy = strdup(path);
    assert_non_null(copy);
    bool found = false;
    for (char *save = NULL, *dir = strtok_r(copy, ":", &save); dir && !found;
         dir = strtok_r(NULL, ":", &save)) {
        char p[4096];
        snprintf(p, sizeof p, "%s/gnuplot", dir);
        found = access(p, X_OK) == 0;
    }
    free(copy);
    return found;
}

/* The whole step-mode text of a shipped scenario (with --set overrides);
 * with_gnuplot false hides gnuplot (PATH set to an empty folder). */
static char *walkthrough(const char *path, const char *const *sets, size_t nsets, bool with_gnuplot)
{
    ecsim_diags d;
    ecsim_diags_init(&d);
    ecsim_scenario *sc = ecsim_scenario_load(path, sets, nsets, &d);
    if (!sc)
        ecsim_diags_print(&d, stderr);
    ecsim_diags_free(&d);
    assert_non_null(sc);
    char *saved = NULL;
    char empty[] = "/tmp/ecsim-test-step-XXXXXX";
    if (!with_gnuplot) {
        const char *old = getenv("PATH");
        saved = old ? strdup(old) : NULL;
        assert_non_null(mkdtemp(empty));
        assert_int_equal(setenv("PATH", empty, 1), 0);
    }
    FILE *in = tmpfile(), *out = tmpfile(), *err = tmpfile();
    assert_non_null(in);
    assert_non_null(out);
    assert_non_null(err);
    int code = ecsim_step_walkthrough(sc, sc->seed, in, out, err, false);
    if (!with_gnuplot) {
        if (saved)
            setenv("PATH", saved, 1);
        else
            unsetenv("PATH");
        free(saved);
        rmdir(empty);
    }
    assert_int_equal(code, 0);
    fseek(out, 0, SEEK_END);
    long len = ftell(out);
    rewind(out);
    char *text = malloc((size_t)len + 1);
    assert_non_null(text);
    assert_int_equal(fread(text, 1, (size_t)len, out), (size_t)len);
    text[len] = '\0';
    fclose(in);
    fclose(out);
    fclose(err);
    ecsim_scenario_free(sc);
    return text;
}

/* The text of step `step` (from its "== Step N of 7" header to the next
 * header or the outcome), newly allocated. */
static char *step_section(const char *text, int step)
{
    char head[32];
    snprintf(head, sizeof head, "\n== Step %d of 7", step);
    const char *a = strstr(text, head);
    assert_non_null(a);
    a++;
    const char *b = strstr(a + 1, "\n== Step ");
    if (!b)
        b = strstr(a, "\nOutcome: ");
    assert_non_null(b);
    char *s = malloc((size_t)(b - a) + 1);
    assert_non_null(s);
    memcpy(s, a, (size_t)(b - a));
    s[b - a] = '\0';
    return s;
}

/* The step's clock as its header writes it ("00:04:48"). */
static void step_clock(const char *section, char *clock, size_t size)
{
    const char *at = strstr(section, " at ");
    assert_non_null(at);
    at += 4;
    size_t n = strcspn(at, " \n");
    assert_true(n < size);
    memcpy(clock, at, n);
    clock[n] = '\0';
}

/* Checks the chart of one step: present, its window reaches the step's
 * time (the clock is written on it), and it has drawn curves: more than
 * `min_marks` curve characters besides the legend's. */
static void check_chart(const char *section, bool ascii, int min_marks)
{
    char clock[32];
    step_clock(section, clock, sizeof clock);
    const char *chart = strstr(section, "  Demand and capacity so far:\n");
    assert_non_null(chart);
    assert_non_null(strstr(chart, clock));
    int marks = 0;
    for (const char *line = strchr(chart, '\n') + 1; *line; line = strchr(line, '\n') + 1) {
        const char *nl = strchr(line, '\n');
        size_t len = nl ? (size_t)(nl - line) : strlen(line);
        /* the legends: "demand * / capacity o / both # (rps)" and gnuplot's key */
        bool legend = strstr(line, "demand") && (size_t)(strstr(line, "demand") - line) < len;
        for (size_t i = 0; i < len && !legend; i++) {
            char c = line[i];
            if (ascii ? (c == '*' || c == 'o' || c == '#') : (c == '*' || c == '#'))
                marks++;
        }
        if (!nl)
            break;
    }
    assert_true(marks > min_marks);
}

/* ---- tests ---------------------------------------------------------------------- */

/* quickstart, step 5: the chart's window ends at the step's own time (it
 * used to end at 4 min with the step later) and shows both curves. Steps
 * 6 and End likewise. */
static void test_quickstart_charts_hold_their_step(void **state)
{
    (void)state;
    for (int g = 0; g <= 1; g++) {
        if (g == 1 && !gnuplot_on_path())
            break;
        char *text = walkthrough("scenarios/quickstart.yaml", NULL, 0, g == 1);
        for (int s = 5; s <= 7; s++) {
            char *sec = step_section(text, s);
            check_chart(sec, g == 0, 30);
            free(sec);
        }
        /* step 5 is after 4:00, the end of the last full metric period */
        char *sec = step_section(text, 5);
        char clock[32];
        step_clock(sec, clock, sizeof clock);
        assert_true(strcmp(clock, "00:04:00") > 0 && strcmp(clock, "00:05:00") < 0);
        free(sec);
        free(text);
    }
}

/* seed-walkthrough, step 5 at 4:48: the same. */
static void test_seed_walkthrough_step5_chart(void **state)
{
    (void)state;
    char *text = walkthrough("scenarios/seed-walkthrough.yaml", NULL, 0, false);
    char *sec = step_section(text, 5);
    assert_non_null(strstr(sec, "== Step 5 of 7  at 00:04:48 =="));
    check_chart(sec, true, 30);
    const char *chart = strstr(sec, "Demand and capacity so far:");
    assert_non_null(strstr(chart, "00:04:48"));
    free(sec);
    free(text);
}

/* image-not-pushed: steps 5 and 6 were never reached. Each says why
 * (step 4 failed, with its result) and what to change, and nothing else;
 * no seed text of a run that did not happen survives anywhere. */
static void test_image_not_pushed_tells_one_story(void **state)
{
    (void)state;
    char *text = walkthrough("scenarios/image-not-pushed.yaml", NULL, 0, false);
    assert_null(strstr(text, "All steps complete"));
    assert_null(strstr(text, "the service runs"));
    assert_null(strstr(text, "from the image in the registry"));
    /* step 4 says what was deployed */
    char *s4 = step_section(text, 4);
    assert_non_null(strstr(s4, "[FAILED]"));
    assert_non_null(strstr(s4, "an image the registry\n            does not have (the push was "
                               "skipped at step 2)."));
    free(s4);
    for (int s = 5; s <= 6; s++) {
        char *sec = step_section(text, s);
        assert_non_null(strstr(sec, "[not reached]"));
        assert_non_null(strstr(sec, "  Why not reached:  Step 4 (Deploy container from image) "
                                    "failed: Deployment\n"));
        assert_non_null(strstr(sec, "image missing from registry"));
        assert_non_null(strstr(sec, "  What to change:   Push shop-web:1.0 to the registry"));
        /* nothing else */
        assert_null(strstr(sec, "You did"));
        assert_null(strstr(sec, "AWS did"));
        assert_null(strstr(sec, "AWS role"));
        assert_null(strstr(sec, "Tracked variables"));
        assert_null(strstr(sec, "Why it matters"));
        assert_null(strstr(sec, "New terms"));
        assert_null(strstr(sec, "Demand and capacity"));
        free(sec);
    }
    char *end = step_section(text, 7);
    assert_non_null(strstr(end, "App never ran"));
    assert_non_null(strstr(end, "  Why it matters:  Not every step completed: step 5 was not "
                                "reached. Step 4\n"));
    free(end);
    free(text);
}

/* A run too short for steps 5 and 6: they say the period ended first and
 * what to change; End does not claim the app is running. */
static void test_short_run_says_the_period_ended(void **state)
{
    (void)state;
    const char *sets[] = {"duration=4m"};
    char *text = walkthrough("scenarios/quickstart.yaml", sets, 1, false);
    assert_null(strstr(text, "All steps complete"));
    for (int s = 5; s <= 6; s++) {
        char *sec = step_section(text, s);
        assert_non_null(strstr(sec, "[not reached]"));
        assert_non_null(strstr(sec, "Why not reached:  The simulated period (00:04:00) ended "
                                    "before this step"));
        assert_non_null(strstr(sec, "What to change:   Run longer"));
        assert_null(strstr(sec, "You did"));
        free(sec);
    }
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_quickstart_charts_hold_their_step),
        cmocka_unit_test(test_seed_walkthrough_step5_chart),
        cmocka_unit_test(test_image_not_pushed_tells_one_story),
        cmocka_unit_test(test_short_run_says_the_period_ended),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
