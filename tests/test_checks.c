/* Thresholds for CI (issue 11 point 6; sim/cli/checks.h): the expression
 * parser and its errors, every operator both ways, a null figure failing
 * closed, a string figure, the nearest names for a misspelt one, and
 * `ecsim run` with --fail-on and a scenario's `checks:` (exit 4, outputs
 * written; exit 2 for a name that is no figure). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/checks.h"
#include "cli/cli.h"
#include "cli_run.h"
#include "ecsim/error.h"
#include "ecsim/figures.h"

static const char summary[] =
    "{\n"
    "  \"schema_version\": 3,\n"
    "  \"outcome\": \"running\",\n"
    "  \"capacity\": {\"unserved_requests\": 3400, "
    "\"unserved_after_steady_requests\": 0},\n"
    "  \"latency_s\": {\"p50\": 0.04, \"p99\": 0.62, \"slo_p99_s\": null},\n"
    "  \"ok\": true,\n"
    "  \"windows\": {\"spike\": {\"capacity\": {\"unserved_requests\": 12}}}\n"
    "}\n";

static ecsim_figures figs;

static int setup(void **state)
{
    (void)state;
    char err[256];
    return ecsim_figures_parse(summary, strlen(summary), &figs, err, sizeof err);
}

static int teardown(void **state)
{
    (void)state;
    ecsim_figures_free(&figs);
    return 0;
}

/* Evaluate one expression; its report line (if any) into line. */
static size_t eval1(const char *expr, char *line, size_t size)
{
    ecsim_check c;
    char err[256];
    assert_int_equal(ecsim_checks_parse(expr, &c, err, sizeof err), 0);
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&buf, &len);
    assert_non_null(mem);
    size_t failed = ecsim_checks_eval(&c, 1, &figs, mem);
    fclose(mem);
    snprintf(line, size, "%s", buf ? buf : "");
    free(buf);
    return failed;
}

static void test_parse(void **state)
{
    (void)state;
    ecsim_check c;
    char err[256];
    assert_int_equal(ecsim_checks_parse("latency_s.p99 > 0.5", &c, err, sizeof err), 0);
    assert_string_equal(c.figure, "latency_s.p99");
    assert_int_equal(c.op, ECSIM_CHECK_GT);
    assert_true(c.value == 0.5);
    assert_int_equal(
        ecsim_checks_parse("  windows.30m..45m.capacity.task_hours<=1e3 ", &c, err, sizeof err), 0);
    assert_string_equal(c.figure, "windows.30m..45m.capacity.task_hours");
    assert_int_equal(c.op, ECSIM_CHECK_LE);
    assert_true(c.value == 1000);
    assert_int_equal(ecsim_checks_parse("a!=-2", &c, err, sizeof err), 0);
    assert_int_equal(c.op, ECSIM_CHECK_NE);
    assert_true(c.value == -2);

    static const struct {
        const char *expr, *message;
    } bad[] = {
        {"", "the figure name is missing"},
        {"> 3", "the figure name is missing"},
        {"latency_s.p99", "the operator is missing after `latency_s.p99`"},
        {"latency_s.p99 = 0.5", "unknown operator `=`: use =="},
        {"latency_s.p99 => 0.5", "unknown operator `=>`"},
        {"latency_s.p99 >", "the number is missing after `>`"},
        {"latency_s.p99 > fast", "expected a finite decimal number after `>`, got `fast`"},
        {"latency_s.p99 > 1e999", "got `1e999`"},
        {"latency_s.p99 > 0.5 ms", "got `0.5 ms`"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(ecsim_checks_parse(bad[i].expr, &c, err, sizeof err), ECSIM_EINVAL);
        if (!strstr(err, bad[i].message))
            fail_msg("`%s`: got \"%s\", expected \"%s\"", bad[i].expr, err, bad[i].message);
    }
}

/* Each operator, true (the check fails) and false (it passes): p99 = 0.62. */
static void test_operators(void **state)
{
    (void)state;
    char line[256];
    static const struct {
        const char *expr;
        size_t failed;
    } cases[] = {
        {"latency_s.p99 > 0.5", 1},
        {"latency_s.p99 > 0.62", 0},
        {"latency_s.p99 >= 0.62", 1},
        {"latency_s.p99 >= 0.63", 0},
        {"latency_s.p99 < 1", 1},
        {"latency_s.p99 < 0.62", 0},
        {"latency_s.p99 <= 0.62", 1},
        {"latency_s.p99 <= 0.6", 0},
        {"latency_s.p99 == 0.62", 1},
        {"latency_s.p99 == 0.6", 0},
        {"latency_s.p99 != 0.6", 1},
        {"latency_s.p99 != 0.62", 0},
        {"ok == 1", 1},
        {"ok == 0", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        if (eval1(cases[i].expr, line, sizeof line) != cases[i].failed)
            fail_msg("`%s`: expected %zu failed", cases[i].expr, cases[i].failed);
    assert_int_equal(eval1("latency_s.p99 > 0.5", line, sizeof line), 1);
    assert_string_equal(line, "check failed: latency_s.p99 = 0.62 > 0.5\n");
    assert_int_equal(eval1("capacity.unserved_requests > 0", line, sizeof line), 1);
    assert_string_equal(line, "check failed: capacity.unserved_requests = 3400 > 0\n");
    assert_int_equal(eval1("windows.spike.capacity.unserved_requests >= 10", line, sizeof line), 1);
    assert_int_equal(eval1("capacity.unserved_after_steady_requests > 0", line, sizeof line), 0);
    assert_string_equal(line, "");
}

static void test_null_string_and_unknown(void **state)
{
    (void)state;
    char line[256];
    /* null fails closed, whatever the comparison */
    assert_int_equal(eval1("latency_s.slo_p99_s > 100", line, sizeof line), 1);
    assert_string_equal(line, "check failed: latency_s.slo_p99_s > 100: latency_s.slo_p99_s is "
                              "null (does not apply to this run)\n");
    assert_int_equal(eval1("outcome == 1", line, sizeof line), 1);
    assert_non_null(strstr(line, "outcome is text (\"running\"), not a number"));
    assert_int_equal(eval1("latency.p99 > 1", line, sizeof line), 1);
    assert_non_null(strstr(line, "no such figure"));

    ecsim_check c[2];
    char err[256];
    assert_int_equal(ecsim_checks_parse("latency.p99 > 1", &c[0], err, sizeof err), 0);
    assert_int_equal(ecsim_checks_parse("capacity.unserved > 0", &c[1], err, sizeof err), 0);
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&buf, &len);
    assert_int_equal(ecsim_checks_unknown(c, 2, &figs, "ecsim run", mem), 2);
    fclose(mem);
    assert_non_null(strstr(buf, "ecsim run: error: check `latency.p99 > 1`: no figure "
                                "`latency.p99` in summary.json; did you mean latency_s.p99"));
    assert_non_null(strstr(buf, "did you mean capacity.unserved_requests"));
    free(buf);
    char near[256];
    ecsim_checks_suggest(&figs, "p99", near, sizeof near);
    assert_non_null(strstr(near, "latency_s.p99"));
}

/* ---- ecsim run --------------------------------------------------------------------- */


static bool exists(const char *root, const char *file)
{
    char path[700];
    struct stat st;
    snprintf(path, sizeof path, "%s/quickstart/%s", root, file);
    return stat(path, &st) == 0;
}

static void test_run_fail_on(void **state)
{
    (void)state;
    char root[] = "/tmp/ecsim-checks-XXXXXX";
    assert_non_null(mkdtemp(root));
    /* quickstart: 3400 unserved from creation, 0 after steady state */
    run_result r = run_cli("run", "scenarios/quickstart.yaml", "--out", root, "--no-plots",
                           "--fail-on", "capacity.unserved_after_steady_requests > 0", "--fail-on",
                           "scaling.max_desired > 12", NULL);
    assert_int_equal(r.code, 0);
    assert_non_null(strstr(r.out, "checks: 2 of 2 passed"));
    run_free(&r);
    r = run_cli("run", "scenarios/quickstart.yaml", "--out", root, "--no-plots", "--quiet",
                "--fail-on", "capacity.unserved_requests > 0", "--fail-on", "latency_s.p99 > 0.5",
                "--fail-on", "scaling.max_desired > 12", NULL);
    assert_int_equal(r.code, ECSIM_EXIT_CHECKS);
    assert_int_equal(r.code, 4);
    assert_non_null(strstr(r.err, "check failed: capacity.unserved_requests = 3400 > 0\n"));
    assert_non_null(strstr(r.err, "check failed: latency_s.p99 > 0.5: latency_s.p99 is null"));
    assert_null(strstr(r.err, "max_desired"));
    assert_non_null(strstr(r.err, "ecsim run: 2 of 3 checks failed (exit 4)"));
    /* every output is written all the same */
    assert_true(exists(root, "summary.json") && exists(root, "report.html") &&
                exists(root, "decisions.csv") && exists(root, "execution.txt"));
    run_free(&r);
    /* a misspelt figure: exit 2 with the nearest names */
    r = run_cli("run", "scenarios/quickstart.yaml", "--out", root, "--no-plots", "--quiet",
                "--fail-on", "capacity.unserved_after_steady > 0", NULL);
    assert_int_equal(r.code, ECSIM_EXIT_USAGE);
    assert_non_null(strstr(r.err, "no figure `capacity.unserved_after_steady` in summary.json; "
                                  "did you mean capacity.unserved_after_steady_requests"));
    run_free(&r);
    /* a bad expression: exit 2 before anything runs */
    r = run_cli("run", "scenarios/quickstart.yaml", "--out", root, "--no-plots", "--fail-on",
                "latency_s.p99 = 0.5", NULL);
    assert_int_equal(r.code, ECSIM_EXIT_USAGE);
    assert_non_null(strstr(r.err, "--fail-on latency_s.p99 = 0.5: error: unknown operator `=`"));
    run_free(&r);
    /* a window's figure */
    r = run_cli("run", "scenarios/quickstart.yaml", "--out", root, "--no-plots", "--quiet",
                "--window", "rush=1h..2h", "--fail-on", "windows.rush.scaling.scale_outs < 1",
                NULL);
    assert_int_equal(r.code, 0);
    run_free(&r);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    assert_int_equal(system(cmd), 0);
}

static void test_scenario_checks(void **state)
{
    (void)state;
    char root[] = "/tmp/ecsim-checks-XXXXXX";
    assert_non_null(mkdtemp(root));
    char path[700];
    snprintf(path, sizeof path, "%s/checked.yaml", root);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("name: checked\n"
          "duration: 30m\n"
          "service: {platform: fargate, desired: 2, task: {capacity_rps: 100}}\n"
          "load: {profile: [{until: 30m, rps: 300}]}\n"
          "autoscaler: {policy: none}\n"
          "report:\n"
          "  windows:\n"
          "    mid: 10m..20m\n"
          "checks:\n"
          "  - \"windows.mid.capacity.unserved_requests > 50000\"\n"
          "  - \"cost_usd.total > 10\"\n",
          f);
    assert_int_equal(fclose(f), 0);
    run_result r = run_cli("run", path, "--out", root, "--no-plots", "--quiet", NULL);
    assert_int_equal(r.code, ECSIM_EXIT_CHECKS);
    assert_non_null(strstr(r.err, "check failed: windows.mid.capacity.unserved_requests = 60000 > "
                                  "50000"));
    assert_non_null(strstr(r.err, "1 of 2 checks failed"));
    run_free(&r);
    /* --fail-on adds to the scenario's checks */
    r = run_cli("run", path, "--out", root, "--no-plots", "--quiet", "--fail-on",
                "scaling.actions != 0", NULL);
    assert_int_equal(r.code, ECSIM_EXIT_CHECKS);
    assert_non_null(strstr(r.err, "1 of 3 checks failed"));
    run_free(&r);
    /* a check naming no figure is caught after the run (exit 2) */
    f = fopen(path, "a");
    fputs("  - \"latency_s.p100 > 1\"\n", f);
    fclose(f);
    r = run_cli("run", path, "--out", root, "--no-plots", "--quiet", NULL);
    assert_int_equal(r.code, ECSIM_EXIT_USAGE);
    assert_non_null(strstr(r.err, "no figure `latency_s.p100`"));
    run_free(&r);
    /* a bad expression is a located error at load */
    f = fopen(path, "a");
    fputs("  - \"latency_s.p99 =< 1\"\n", f);
    fclose(f);
    r = run_cli("validate", path, NULL);
    assert_int_equal(r.code, ECSIM_EXIT_USAGE);
    assert_non_null(strstr(r.err, "checked.yaml:13:5: error: checks[3]: `latency_s.p99 =< 1`: "
                                  "unknown operator `=<`"));
    run_free(&r);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_operators),
        cmocka_unit_test(test_null_string_and_unknown),
        cmocka_unit_test(test_run_fail_on),
        cmocka_unit_test(test_scenario_checks),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
