/* Tests of the input bounds of issue 10 (sim/input/schema.c, loader.c,
 * yaml_doc.c, datafile.c) and of the work estimate (sim/input/work.c): every
 * value the issue found crashing or hanging a run is refused with a located
 * error, the ranges large-service studies need stay valid, strings are
 * checked the same from a file and a --set, and the estimate counts what a
 * run does. The bad corpus (tests/bad/bound_*.yaml) covers the messages. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <cmocka.h>

#include "ecsim/error.h"
#include "ecsim/loader.h"

/* Load `text` with `sets`; the first diagnostic's message goes to `first`. */
static ecsim_scenario *load(const char *text, const char *const *sets, size_t nsets,
                            char *first, size_t size)
{
    ecsim_diags d;
    ecsim_diags_init(&d);
    ecsim_scenario *sc = ecsim_scenario_load_string(text, strlen(text), "t.yaml", sets, nsets, &d);
    if (first && size) {
        first[0] = '\0';
        if (d.count)
            snprintf(first, size, "%d:%d: %s", d.items[0].line, d.items[0].column,
                     d.items[0].message);
    }
    ecsim_diags_free(&d);
    return sc;
}

static void expect_error(const char *text, const char *needle)
{
    char msg[1024];
    ecsim_scenario *sc = load(text, NULL, 0, msg, sizeof msg);
    if (sc || !strstr(msg, needle))
        fail_msg("%s: expected an error containing \"%s\", got \"%s\"", text, needle, msg);
    ecsim_scenario_free(sc);
}

static void expect_valid(const char *text)
{
    char msg[1024];
    ecsim_scenario *sc = load(text, NULL, 0, msg, sizeof msg);
    if (!sc)
        fail_msg("%s: expected valid, got \"%s\"", text, msg);
    ecsim_scenario_free(sc);
}

static void test_issue_findings_are_refused(void **state)
{
    (void)state;
    expect_error("name: x\nregistry: {push_mb_per_s: 1e-307}\n", "got \"1e-307\"");
    expect_error("name: x\nregistry: {pull_mb_per_s: 5.0e-324}\n", ">= 0.1 and <= 10000");
    expect_error("name: x\nimage: {size_mb: 1.0e-09}\n", ">= 0.1 and <= 52000");
    expect_error("name: x\nservice: {platform: ec2, cluster: {managed_scaling: "
                 "{target_capacity: 1e-9}}}\n",
                 ">= 1 and <= 100");
    expect_error("name: x\nmonitoring: {period: 0.0001}\n", ">= 10s and <= 1d");
    expect_error("name: x\nmonitoring: {period: 45s}\n", "not a CloudWatch period");
    expect_error("name: x\nservice: {platform: fargate}\nevents: [{at: 1m, action: "
                 "fail_instances}]\n",
                 "fail_instances cannot act on fargate");
    expect_error("name: x\nservice: {platform: eks}\nevents: [{at: 1m, action: "
                 "spot_interruption}]\n",
                 "spot_interruption needs Fargate Spot");
    expect_error("name: x\nduration: 1h\nevents: [{at: 1m, action: az_outage, az: 1, "
                 "duration: 2h}]\n",
                 "longer than the simulation");
    expect_error("name: x\nservice: {task: {vcpu: 0.25, memory_gb: 4}}\n",
                 "not a Fargate task size");
    expect_error("name: x\nseed: !!int 3\n", "YAML tags (!!int)");
    expect_error("name: x\nimage: !custom {name: a}\n", "YAML tags (!custom)");
    expect_error("name: x\ndescription: \"a\\tb\"\n", "control character U+0009");
    expect_error("name: x\ndescription: \"a\\x85b\"\n", "control character U+0085");
    expect_error("name: x\nimage: {tag: \"\\e[31m\"}\n", "control character U+001B");
}

static void test_denormals_nowhere(void **state)
{
    (void)state;
    /* A duration, a percent and a rate: every number goes through one parser. */
    expect_error("name: x\nservice: {task: {start_time: 4.9e-324}}\n", "got \"4.9e-324\"");
    expect_error("name: x\nload: {profile: [{until: 1h, rps: 1e-310}]}\n", "got \"1e-310\"");
    expect_error("name: x\nservice: {deployment: {max_surge: \"1e-310%\"}}\n", "got");
    const char *set[] = {"load.noise.cv=2.2e-308"};
    char msg[512];
    ecsim_scenario *sc = load("name: x\n", set, 1, msg, sizeof msg);
    assert_null(sc);
    assert_non_null(strstr(msg, "load.noise.cv"));
}

static void test_large_services_stay_valid(void **state)
{
    (void)state;
    expect_valid("name: x\nservice: {desired: 10000}\n");
    expect_valid("name: x\nservice: {desired: 10000, task: {vcpu: 16, memory_gb: 120}}\n");
    expect_valid("name: x\nservice: {task: {vcpu: 8, memory_gb: 60}}\n");
    expect_valid("name: x\nservice: {task: {vcpu: 0.25, memory_gb: 0.5}}\n");
    expect_valid("name: x\nservice: {platform: ec2, task: {vcpu: 0.125, memory_gb: 0.25}}\n");
    expect_valid("name: x\nmonitoring: {period: 10s}\n");
    expect_valid("name: x\nmonitoring: {period: 5m}\n");
    expect_valid("name: x\nload: {profile: [{until: 1h, rps: 1e9}]}\n");
    expect_valid("name: x\ndescription: \"caf\\u00e9 \\u6771\\u4eac\"\n");
    expect_valid("name: x\nduration: 366d\n");
}

static void test_set_strings_checked_like_files(void **state)
{
    (void)state;
    const char *sets[][1] = {{"image.tag=a\tb"},
                             {"service.name=a\033[31mb"},
                             {"description=\xff\xfe"},
                             {"image.name=a\nb"},
                             {"description=\xc0\xaf"}}; /* overlong '/' */
    for (size_t i = 0; i < sizeof sets / sizeof sets[0]; i++) {
        char msg[512];
        ecsim_scenario *sc = load("name: x\n", sets[i], 1, msg, sizeof msg);
        if (sc || !(strstr(msg, "control character") || strstr(msg, "invalid UTF-8")))
            fail_msg("--set %s: expected a string error, got \"%s\"", sets[i][0], msg);
    }
}

static void test_work_estimate(void **state)
{
    (void)state;
    ecsim_scenario *sc = load("name: x\nduration: 2h\nmonitoring: {period: 30s}\n"
                              "service: {desired: 4}\n"
                              "load: {mode: requests, profile: [{until: 1h, rps: 100}, "
                              "{until: 2h, ramp_to: 300}]}\n"
                              "events: [{at: 1h, action: kill_tasks, count: 3}]\n",
                              NULL, 0, NULL, 0);
    assert_non_null(sc);
    ecsim_work_estimate w;
    ecsim_scenario_work(sc, &w);
    assert_true(w.metric_periods == 240);
    assert_true(w.fluid_steps == 7200);
    /* 100 rps for an hour, then up to 300 rps for an hour: at most 1.44e6. */
    assert_true(w.requests == 100 * 3600 + 300 * 3600);
    assert_true(w.peak_tasks == 4);
    assert_true(w.tasks == 4 * 2 + 3); /* desired x max_percent 200 %, + 3 replacements */
    assert_true(w.units > w.requests && w.units < 1e7);
    ecsim_diags d;
    ecsim_diags_init(&d);
    assert_int_equal(ecsim_work_check(sc, NULL, "t.yaml", &d), 0);
    assert_int_equal(ecsim_work_check(sc, "1000", "t.yaml", &d), ECSIM_EINVAL);
    assert_int_equal(d.errors, 1);
    assert_non_null(strstr(d.items[0].message, "--max-work"));
    assert_int_equal(ecsim_work_check(sc, "nan", "t.yaml", &d), ECSIM_EINVAL);
    assert_int_equal(ecsim_work_check(sc, "-1", "t.yaml", &d), ECSIM_EINVAL);
    ecsim_diags_free(&d);
    ecsim_scenario_free(sc);

    /* A year of 10 s periods on 10,000 tasks, or a billion requests/s for an
     * hour, is far above the default limit. */
    sc = load("name: x\nduration: 366d\nmonitoring: {period: 10s}\nservice: {desired: 10000}\n",
              NULL, 0, NULL, 0);
    assert_non_null(sc);
    ecsim_scenario_work(sc, &w);
    assert_true(w.units > ECSIM_WORK_DEFAULT_LIMIT);
    ecsim_scenario_free(sc);
    sc = load("name: x\nload: {mode: requests, profile: [{until: 1h, rps: 1e9}]}\n", NULL, 0,
              NULL, 0);
    assert_non_null(sc);
    ecsim_scenario_work(sc, &w);
    assert_true(w.requests == 3.6e12);
    assert_true(w.units > ECSIM_WORK_DEFAULT_LIMIT);
    ecsim_scenario_free(sc);
    /* The same profile in fluid mode is cheap: no request is simulated. */
    sc = load("name: x\nload: {profile: [{until: 1h, rps: 1e9}]}\n", NULL, 0, NULL, 0);
    assert_non_null(sc);
    ecsim_scenario_work(sc, &w);
    assert_true(w.requests == 0 && w.units < ECSIM_WORK_DEFAULT_LIMIT);
    ecsim_scenario_free(sc);
}

/* The CLI refuses a long run with the estimate and the flag (sim/cli/cli.c's
 * hook), and the flag lets it through. */
static void test_cli_max_work(void **state)
{
    (void)state;
    const char *bin = getenv("ECSIM_BIN");
    if (!bin)
        fail_msg("ECSIM_BIN is not set (make check sets it to the built program)");
    char cmd[1024];
    snprintf(cmd, sizeof cmd,
             "%s validate scenarios/quickstart.yaml --max-work 1000 2>&1 | "
             "grep -q 'scenarios/quickstart.yaml:9:11: error: the run is too long: estimated .* "
             "work units.*--max-work'",
             bin);
    assert_int_equal(system(cmd), 0);
    snprintf(cmd, sizeof cmd, "%s validate -q scenarios/quickstart.yaml --max-work 1000 2>/dev/null",
             bin);
    int status = system(cmd);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 2);
    snprintf(cmd, sizeof cmd, "%s run scenarios/quickstart.yaml --max-work 1000 -q --no-plots "
             "--out build/tests/max-work-out 2>/dev/null; test ! -e build/tests/max-work-out",
             bin);
    assert_int_equal(system(cmd), 0);
    snprintf(cmd, sizeof cmd,
             "%s validate -q scenarios/quickstart.yaml --set duration=366d --set "
             "monitoring.period=10s --set service.desired=10000 --set autoscaler.max=10000 "
             "2>&1 | grep -q '^--set monitoring.period=10s: error: the run is too long'",
             bin);
    assert_int_equal(system(cmd), 0);
    snprintf(cmd, sizeof cmd,
             "%s validate -q scenarios/quickstart.yaml --set duration=366d --set "
             "monitoring.period=10s --set service.desired=10000 --set autoscaler.max=10000 "
             "--max-work 1e12",
             bin);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_issue_findings_are_refused),
        cmocka_unit_test(test_denormals_nowhere),
        cmocka_unit_test(test_large_services_stay_valid),
        cmocka_unit_test(test_set_strings_checked_like_files),
        cmocka_unit_test(test_work_estimate),
        cmocka_unit_test(test_cli_max_work),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
