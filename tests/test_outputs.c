/* Tests for the machine-readable outputs and the shortfall figures (issue 9
 * points 7, 8, 13): summary.json carries schema_version 3, the --set
 * overrides verbatim and every key of DESIGN.md's list (null when it does
 * not apply: a fluid run's latencies, the SLO figures without an SLO);
 * status.json has numbers as numbers and no "—"; the console summary lines
 * up by display width; and step mode's after-steady shortfall equals
 * summary.json's capacity.*_after_steady figures (latency-slo, load-spike).
 * ecsim_cli_main runs in process; step mode runs $ECSIM_BIN (set by `make
 * check`) through popen with standard input at end of file. Run from the
 * repository root (the scenarios are read from there). */
#define _XOPEN_SOURCE 700
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/cli.h"
#include "ecsim/output.h"

/* ---- helpers ---------------------------------------------------------------- */

/* ecsim_cli_main on a NULL-terminated argument list; stdout returned. */
static char *run_cli(int *code, const char *first, ...)
{
    char *argv[32];
    int argc = 0;
    static char prog[] = "ecsim";
    argv[argc++] = prog;
    va_list ap;
    va_start(ap, first);
    for (const char *a = first; a && argc < 31; a = va_arg(ap, const char *))
        argv[argc++] = (char *)a;
    va_end(ap);
    argv[argc] = NULL;
    char *obuf = NULL, *ebuf = NULL;
    size_t on = 0, en = 0;
    FILE *out = open_memstream(&obuf, &on);
    FILE *err = open_memstream(&ebuf, &en);
    assert_non_null(out);
    assert_non_null(err);
    *code = ecsim_cli_main(argc, argv, out, err);
    fclose(out);
    fclose(err);
    free(ebuf);
    return obuf;
}

static char *read_stream(FILE *fp)
{
    char *buf = NULL;
    size_t n = 0;
    FILE *mem = open_memstream(&buf, &n);
    char chunk[4096];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, fp)) > 0)
        fwrite(chunk, 1, got, mem);
    fclose(mem);
    return buf;
}

static char *read_text(const char *path)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    char *buf = read_stream(fp);
    fclose(fp);
    return buf;
}

/* Run `ecsim run SCENARIO [--set SET] --no-plots` into a fresh folder; the
 * folder (OUT/<name>) in `dir`. */
/* The folders made by run_into, removed after the last test. */
static char made_roots[64][32];
static size_t made_count;

static int remove_made_roots(void **state)
{
    (void)state;
    for (size_t i = 0; i < made_count; i++)
        (void)ecsim_remove_tree(made_roots[i]);
    made_count = 0;
    return 0;
}

static void run_into(const char *scenario, const char *set, char *dir, size_t size, char **console)
{
    char root[] = "/tmp/ecsim-outputs-XXXXXX";
    assert_non_null(mkdtemp(root));
    if (made_count < sizeof made_roots / sizeof made_roots[0])
        snprintf(made_roots[made_count++], sizeof made_roots[0], "%s", root);
    int code;
    char *out = set ? run_cli(&code, "run", scenario, "--set", set, "--no-plots", "--out", root, NULL)
                    : run_cli(&code, "run", scenario, "--no-plots", "--out", root, NULL);
    assert_int_equal(code, 0);
    const char *base = strrchr(scenario, '/');
    char name[128];
    snprintf(name, sizeof name, "%s", base ? base + 1 : scenario);
    char *dot = strrchr(name, '.');
    if (dot)
        *dot = '\0';
    snprintf(dir, size, "%s/%s", root, name);
    if (console)
        *console = out;
    else
        free(out);
}

static char *output_file(const char *dir, const char *file)
{
    char path[1200];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    char *text = read_text(path);
    assert_non_null(text);
    return text;
}

/* The value after `"key": ` inside the object that follows `"object": `
 * (NULL: the whole document); "null" gives NAN. Fails if the key is absent. */
static double json_value(const char *json, const char *object, const char *key)
{
    const char *from = json;
    char pat[128];
    if (object) {
        snprintf(pat, sizeof pat, "\"%s\": {", object);
        from = strstr(json, pat);
        assert_non_null(from);
    }
    snprintf(pat, sizeof pat, "\"%s\": ", key);
    const char *at = strstr(from, pat);
    if (!at)
        fail_msg("key %s.%s missing", object ? object : "", key);
    at += strlen(pat);
    if (strncmp(at, "null", 4) == 0)
        return NAN;
    char *end;
    double v = strtod(at, &end);
    assert_true(end > at);
    return v;
}

static bool has_key(const char *json, const char *object, const char *key)
{
    const char *from = json;
    char pat[128];
    if (object) {
        snprintf(pat, sizeof pat, "\"%s\": {", object);
        from = strstr(json, pat);
        if (!from)
            return false;
    }
    snprintf(pat, sizeof pat, "\"%s\": ", key);
    const char *at = strstr(from, pat);
    /* inside this object: before its closing brace at the same depth */
    if (!at)
        return false;
    int depth = 0;
    for (const char *p = from + (object ? strlen(object) + 4 : 0); p < at; p++) {
        if (*p == '{' || *p == '[')
            depth++;
        else if (*p == '}' || *p == ']') {
            if (--depth < 0)
                return false;
        }
    }
    return true;
}

/* ---- summary.json ----------------------------------------------------------- */

/* DESIGN.md "Outputs of ecsim run": every key, always present. */
static void assert_design_keys(const char *json)
{
    static const char *const top[] = {"schema_version", "ecsim_version", "scenario",
                                      "scenario_sha256", "seed", "overrides", "duration_s",
                                      "outcome", "lifecycle", "scaling", "capacity", "requests",
                                      "latency_s", "wait_s", "cost_usd"};
    for (size_t i = 0; i < sizeof top / sizeof top[0]; i++)
        if (!has_key(json, NULL, top[i]))
            fail_msg("summary.json: key %s missing", top[i]);
    static const struct {
        const char *object, *key;
    } nested[] = {
        {"lifecycle", "steps"},
        {"scaling", "actions"},
        {"scaling", "scale_outs"},
        {"scaling", "scale_ins"},
        {"scaling", "first_scale_out_s"},
        {"scaling", "max_desired"},
        {"scaling", "min_desired"},
        {"scaling", "evaluations"},
        {"scaling", "quiet_evaluations"},
        {"capacity", "under_capacity_s"},
        {"capacity", "unserved_requests"},
        {"capacity", "under_capacity_after_steady_s"},
        {"capacity", "unserved_after_steady_requests"},
        {"capacity", "over_provisioned_task_hours"},
        {"capacity", "task_hours"},
        {"requests", "arrived"},
        {"requests", "served"},
        {"requests", "rejected"},
        {"requests", "timed_out"},
        {"latency_s", "mean"},
        {"latency_s", "p50"},
        {"latency_s", "p95"},
        {"latency_s", "p99"},
        {"latency_s", "max"},
        {"latency_s", "slo_p99_s"},
        {"latency_s", "slo_breach_s"},
        {"wait_s", "mean"},
        {"cost_usd", "total"},
        {"cost_usd", "compute"},
        {"cost_usd", "control_plane"},
        {"cost_usd", "registry"},
    };
    for (size_t i = 0; i < sizeof nested / sizeof nested[0]; i++)
        if (!has_key(json, nested[i].object, nested[i].key))
            fail_msg("summary.json: key %s.%s missing", nested[i].object, nested[i].key);
}

static void test_summary_keys_overrides_and_nulls(void **state)
{
    (void)state;
    char dir[1100];
    run_into("scenarios/quickstart.yaml", "autoscaler.target=50", dir, sizeof dir, NULL);
    char *json = output_file(dir, "summary.json");
    assert_design_keys(json);
    assert_true(json_value(json, NULL, "schema_version") == 3);
    assert_non_null(strstr(json, "\"overrides\": [\n    \"autoscaler.target=50\"\n  ]"));
    /* quickstart is a fluid run: no latencies, no SLO */
    static const char *const lat[] = {"mean", "p50", "p95", "p99", "max", "slo_p99_s",
                                      "slo_breach_s"};
    for (size_t i = 0; i < sizeof lat / sizeof lat[0]; i++)
        assert_true(isnan(json_value(json, "latency_s", lat[i])));
    assert_true(isnan(json_value(json, "wait_s", "mean")));
    /* ... and no individual requests: their counts are null, not 0 */
    static const char *const rq[] = {"arrived", "served", "rejected", "timed_out", "failed"};
    for (size_t i = 0; i < sizeof rq / sizeof rq[0]; i++)
        assert_true(isnan(json_value(json, "requests", rq[i])));
    /* after-steady figures: finite, never above the from-creation ones */
    double u = json_value(json, "capacity", "unserved_requests");
    double ua = json_value(json, "capacity", "unserved_after_steady_requests");
    double t = json_value(json, "capacity", "under_capacity_s");
    double ta = json_value(json, "capacity", "under_capacity_after_steady_s");
    assert_true(isfinite(ua) && isfinite(ta));
    assert_true(ua <= u + 1e-6 && ta <= t + 1e-6);
    free(json);

    /* no --set: an empty list; a failed deployment: after-steady null */
    run_into("scenarios/image-not-pushed.yaml", NULL, dir, sizeof dir, NULL);
    json = output_file(dir, "summary.json");
    assert_design_keys(json);
    assert_non_null(strstr(json, "\"overrides\": []"));
    assert_true(isnan(json_value(json, "capacity", "unserved_after_steady_requests")));
    assert_true(isnan(json_value(json, "capacity", "under_capacity_after_steady_s")));
    free(json);
}

static void test_requests_mode_slo_figures(void **state)
{
    (void)state;
    char dir[1100];
    run_into("scenarios/latency-slo.yaml", NULL, dir, sizeof dir, NULL);
    char *json = output_file(dir, "summary.json");
    assert_design_keys(json);
    assert_true(isfinite(json_value(json, "latency_s", "p99")));
    assert_true(json_value(json, "latency_s", "slo_p99_s") > 0);
    free(json);
}

/* ---- status.json ------------------------------------------------------------- */

static void test_status_json_typed(void **state)
{
    (void)state;
    char dir[1100];
    run_into("scenarios/image-not-pushed.yaml", NULL, dir, sizeof dir, NULL);
    char *json = output_file(dir, "status.json");
    assert_null(strstr(json, "\xe2\x80\x94")); /* no "—" */
    assert_non_null(strstr(json, "\"Start\": 0,"));   /* counts are numbers */
    assert_non_null(strstr(json, "\"Deployment\"")); /* the row names stay strings */
    assert_non_null(strstr(json, ": null"));         /* not-reached cells */
    free(json);
    json = output_file(dir, "execution.json");
    assert_null(strstr(json, "\xe2\x80\x94"));
    free(json);
}

/* ---- the console summary ------------------------------------------------------ */

static size_t columns(const char *s, const char *end)
{
    size_t n = 0;
    for (; s < end; s++)
        if (((unsigned char)*s & 0xC0) != 0x80)
            n++;
    return n;
}

/* The step rows' action and result columns start at the same display
 * column, whatever the clocks ("—", "1d 00:00:00", "00:07:19.8"). */
static void assert_aligned(const char *console, const char *action1)
{
    long col = -1;
    int rows = 0;
    for (const char *line = console; line && *line;) {
        const char *nl = strchr(line, '\n');
        const char *end = nl ? nl : line + strlen(line);
        if (line[0] == ' ' && line[1] == ' ' && line[2] >= '1' && line[2] <= '9' && line[3] == ' ') {
            /* the action starts after the clock and its padding */
            const char *p = line + 5;
            while (p < end && *p != ' ')
                p++; /* the clock (no spaces except "1d 00:00:00") */
            if (p + 1 < end && p[-1] == 'd')
                for (p++; p < end && *p != ' '; p++)
                    ;
            while (p < end && *p == ' ')
                p++;
            long c = (long)columns(line, p);
            if (col < 0)
                col = c;
            assert_int_equal(c, col);
            rows++;
        }
        line = nl ? nl + 1 : NULL;
    }
    assert_int_equal(rows, 7);
    assert_non_null(strstr(console, action1));
}

static void test_console_aligned_by_display_width(void **state)
{
    (void)state;
    char dir[1100];
    char *console;
    run_into("scenarios/image-not-pushed.yaml", NULL, dir, sizeof dir, &console); /* "—" rows */
    assert_aligned(console, "Package app in container image");
    free(console);
    run_into("scenarios/quickstart.yaml", "duration=1d", dir, sizeof dir, &console); /* "1d 00:00:00" */
    assert_non_null(strstr(console, "1d 00:00:00"));
    assert_aligned(console, "Package app in container image");
    free(console);
}

/* ---- shortfall: one name, one value everywhere ---------------------------------- */

/* "N requests unserved over S s after steady state" in `text` (whitespace
 * runs folded first, so wrapped lines match); false if absent. */
static bool find_shortfall(const char *text, const char *after, double *n, double *s)
{
    size_t len = strlen(text);
    char *flat = malloc(len + 1);
    assert_non_null(flat);
    size_t k = 0;
    for (size_t i = 0; i < len; i++) {
        bool ws = text[i] == ' ' || text[i] == '\n';
        if (ws && k > 0 && flat[k - 1] == ' ')
            continue;
        flat[k++] = ws ? ' ' : text[i];
    }
    flat[k] = '\0';
    const char *from = after ? strstr(flat, after) : flat;
    bool found = false;
    const char *at = from ? strstr(from, " requests unserved over ") : NULL;
    if (at) {
        const char *num = at;
        while (num > flat && num[-1] >= '0' && num[-1] <= '9')
            num--;
        *n = strtod(num, NULL);
        *s = strtod(at + strlen(" requests unserved over "), NULL);
        found = strstr(at, " s after steady state") != NULL;
    }
    free(flat);
    return found;
}

static void check_step_matches_summary(const char *scenario)
{
    const char *bin = getenv("ECSIM_BIN");
    if (!bin || !*bin)
        fail_msg("ECSIM_BIN is not set (make check sets it to the built program)");
    char dir[1100];
    char *console;
    run_into(scenario, NULL, dir, sizeof dir, &console);
    char *json = output_file(dir, "summary.json");
    double ua = round(json_value(json, "capacity", "unserved_after_steady_requests"));
    double ta = round(json_value(json, "capacity", "under_capacity_after_steady_s"));
    assert_true(ua > 0 && ta > 0); /* these scenarios fall behind after step 5 */

    char cmd[1400];
    snprintf(cmd, sizeof cmd, "%s step %s </dev/null 2>&1", bin, scenario);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    char *step = read_stream(p);
    assert_int_equal(pclose(p), 0);
    static const char *const heads[] = {"== Step 5 of", "== Step 6 of", "== Step 7 of"};
    for (size_t i = 0; i < 3; i++) {
        double n = -1, s = -1;
        assert_true(find_shortfall(step, heads[i], &n, &s));
        assert_true(n == ua);
        assert_true(s == ta);
    }
    /* summary.json's own step texts and the console summary agree too */
    double n = -1, s = -1;
    assert_true(find_shortfall(json, "\"step\": 5", &n, &s));
    assert_true(n == ua && s == ta);
    assert_true(find_shortfall(json, "\"step\": 7", &n, &s));
    assert_true(n == ua && s == ta);
    char line[200];
    snprintf(line, sizeof line, "unserved_after_steady_requests %.0f, under_capacity_after_steady_s %.0f",
             ua, ta);
    assert_non_null(strstr(console, line));
    assert_null(strstr(json, "App handles more users smoothly"));
    free(step);
    free(json);
    free(console);
}

static void test_step_mode_equals_summary_latency_slo(void **state)
{
    (void)state;
    check_step_matches_summary("scenarios/latency-slo.yaml");
}

static void test_step_mode_equals_summary_load_spike(void **state)
{
    (void)state;
    check_step_matches_summary("scenarios/load-spike.yaml");
}

/* The rule has no threshold: a longer run does not hide the shortfall. */
static void test_shortfall_not_hidden_by_duration(void **state)
{
    (void)state;
    char dir[1100];
    run_into("scenarios/load-spike.yaml", "duration=1d", dir, sizeof dir, NULL);
    char *json = output_file(dir, "summary.json");
    double n, s;
    assert_true(find_shortfall(json, "\"step\": 5", &n, &s));
    assert_true(n == round(json_value(json, "capacity", "unserved_after_steady_requests")));
    free(json);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_summary_keys_overrides_and_nulls),
        cmocka_unit_test(test_requests_mode_slo_figures),
        cmocka_unit_test(test_status_json_typed),
        cmocka_unit_test(test_console_aligned_by_display_width),
        cmocka_unit_test(test_step_mode_equals_summary_latency_slo),
        cmocka_unit_test(test_step_mode_equals_summary_load_spike),
        cmocka_unit_test(test_shortfall_not_hidden_by_duration),
    };
    return cmocka_run_group_tests(tests, NULL, remove_made_roots);
}
