/* `ecsim decide` golden tests: every tests/decide/NAME.yaml is run through
 * ecsim_decide_main as text and json; stdout must equal
 * NAME.text.expected / NAME.json.expected byte for byte with exit code 0,
 * or, for inputs with NAME.stderr.expected, stderr must equal it with exit
 * code 2. Plus the I/O and format error paths. Run from the repository
 * root. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ecsim/alloc.h"
#include "ecsim/error.h"
#include "ecsim/policy.h"

#define DIR_PATH "tests/decide"

static char *read_all(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    int c;
    while ((c = fgetc(f)) != EOF)
        fputc(c, m);
    fclose(m);
    fclose(f);
    return buf;
}

static int run(const char *path, const char *format, char **out, char **err)
{
    size_t ol = 0, el = 0;
    FILE *o = open_memstream(out, &ol);
    FILE *e = open_memstream(err, &el);
    int code = ecsim_decide_main(path, format, o, e);
    fclose(o);
    fclose(e);
    return code;
}

static void check_one(const char *name, int *cases)
{
    char path[512], exp_path[512];
    snprintf(path, sizeof path, DIR_PATH "/%s.yaml", name);
    snprintf(exp_path, sizeof exp_path, DIR_PATH "/%s.stderr.expected", name);
    char *expected_err = read_all(exp_path);
    char *out = NULL, *err = NULL;
    if (expected_err) {
        int code = run(path, "text", &out, &err);
        if (strcmp(err, expected_err) != 0)
            print_error("%s: stderr differs:\n%s", name, err);
        assert_int_equal(code, 2);
        assert_string_equal(err, expected_err);
        assert_string_equal(out, "");
        (*cases)++;
        free(out);
        free(err);
        free(expected_err);
        return;
    }
    const char *formats[] = {"text", "json"};
    for (int i = 0; i < 2; i++) {
        snprintf(exp_path, sizeof exp_path, DIR_PATH "/%s.%s.expected", name, formats[i]);
        char *expected = read_all(exp_path);
        if (!expected)
            print_error("%s: missing %s\n", name, exp_path);
        assert_non_null(expected);
        int code = run(path, formats[i], &out, &err);
        if (strcmp(out, expected) != 0)
            print_error("%s (%s): stdout differs:\n%s", name, formats[i], out);
        assert_int_equal(code, 0);
        assert_string_equal(out, expected);
        assert_string_equal(err, "");
        (*cases)++;
        free(out);
        free(err);
        free(expected);
    }
}

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void test_golden(void **state)
{
    (void)state;
    DIR *dir = opendir(DIR_PATH);
    assert_non_null(dir);
    char *names[256];
    size_t n = 0;
    struct dirent *ent;
    while ((ent = readdir(dir)) != NULL && n < 256) {
        size_t len = strlen(ent->d_name);
        if (len > 5 && strcmp(ent->d_name + len - 5, ".yaml") == 0) {
            names[n] = strdup(ent->d_name);
            names[n][len - 5] = '\0';
            n++;
        }
    }
    closedir(dir);
    qsort(names, n, sizeof names[0], name_cmp);
    int cases = 0;
    for (size_t i = 0; i < n; i++) {
        check_one(names[i], &cases);
        free(names[i]);
    }
    assert_true(n >= 12);
    assert_true(cases >= 20);
    assert_int_equal(ecsim_alloc_live(), 0);
}

static void test_io_and_usage_errors(void **state)
{
    (void)state;
    char *out = NULL, *err = NULL;
    assert_int_equal(run(DIR_PATH "/does_not_exist.yaml", "text", &out, &err), 3);
    assert_non_null(strstr(err, "does_not_exist.yaml: error: cannot open"));
    free(out);
    free(err);
    assert_int_equal(run(DIR_PATH "/tt_scale_out.yaml", "xml", &out, &err), 2);
    assert_non_null(strstr(err, "unknown format `xml`; valid formats: text, json"));
    free(out);
    free(err);
}

static void test_load_string_errors(void **state)
{
    (void)state;
    static const char *bad[] = {
        "",                                           /* empty document */
        "[1, 2]",                                     /* not a mapping */
        "policy: hpa\ncurrent: 1\nmax: 5\nmetric: {type: pods}\npods: []\n",
        "policy: target_tracking\ncurrent: 1\nmax: 0\ntarget: 60\ndatapoints: []\n",
        "policy: step_scaling\ncurrent: 1\nmax: 5\nthreshold: 1\nmetric_value: 2\nsteps: []\n",
        "policy: hpa\ncurrent: 1\nmax: 5\nproposal: 2\nhistory: {scale_events: [{age: 1s, change: 0}]}\n",
        "policy: hpa\ncurrent: 1\nmax: 5\nproposal: 2\n---\npolicy: hpa\n",
        "policy: [unterminated\n",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ecsim_diags d;
        ecsim_diags_init(&d);
        ecsim_decide_input in;
        int rc = ecsim_decide_load_string(bad[i], strlen(bad[i]), "t.yaml", &in, &d);
        if (rc == 0)
            print_error("case %zu accepted\n", i);
        assert_int_equal(rc, ECSIM_EINVAL);
        assert_true(d.errors > 0);
        ecsim_decide_input_free(&in);
        ecsim_diags_free(&d);
    }
    assert_int_equal(ecsim_alloc_live(), 0);
}

static void test_oom_never_crashes(void **state)
{
    (void)state;
    /* Every allocation failing in turn: a clean exit code, no leak. */
    for (long nth = 1; nth < 200; nth++) {
        char *out = NULL, *err = NULL;
        ecsim_alloc_fail_after(nth);
        int code = run(DIR_PATH "/hpa_scale_up.yaml", "json", &out, &err);
        ecsim_alloc_fail_after(0);
        assert_true(code == 0 || code == 1 || code == 2);
        free(out);
        free(err);
        assert_int_equal(ecsim_alloc_live(), 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_golden),
        cmocka_unit_test(test_io_and_usage_errors),
        cmocka_unit_test(test_load_string_errors),
        cmocka_unit_test(test_oom_never_crashes),
    };
    return cmocka_run_group_tests_name("decide", tests, NULL, NULL);
}
