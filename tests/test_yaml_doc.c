/* Tests of the one YAML front end (sim/input/yaml_doc.h): the tree, the
 * limits (depth, aliases, one document, size) and their located errors,
 * the "did you mean" function - and that scenarios and `ecsim decide`
 * inputs get the same ones (the same message, only the noun differs). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ecsim/alloc.h"
#include "ecsim/error.h"
#include "ecsim/loader.h"
#include "ecsim/policy.h"
#include "input/yaml_doc.h"

static char *diags_text(const ecsim_diags *d)
{
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    assert_non_null(mem);
    ecsim_diags_print(d, mem);
    fclose(mem);
    return text;
}

/* Parse `text` as `noun`; returns the diagnostics printed (free them). */
static char *parse_errors(const char *text, const char *noun, int want_rc)
{
    ecsim_diags d;
    ecsim_diags_init(&d);
    ydoc t;
    ydoc_source src = {"in.yaml", true, noun};
    assert_int_equal(ydoc_parse(&t, (const unsigned char *)text, strlen(text), &src, &d), want_rc);
    ydoc_free(&t);
    char *out = diags_text(&d);
    ecsim_diags_free(&d);
    return out;
}

static void test_tree(void **state)
{
    (void)state;
    const char *text = "a: 1\nlist: [x, 'y', ~]\nmap: {k: v}\nempty:\n";
    ecsim_diags d;
    ecsim_diags_init(&d);
    ydoc t;
    ydoc_source src = {"t.yaml", true, "scenario"};
    assert_int_equal(ydoc_parse(&t, (const unsigned char *)text, strlen(text), &src, &d), 0);
    const ydoc_node *root = ydoc_at(&t, t.root);
    assert_non_null(root);
    assert_int_equal(root->type, YDOC_MAP);
    assert_int_equal(root->children, 8);
    const ydoc_node *a = ydoc_get(&t, root, "a");
    assert_string_equal(ydoc_text(&t, a), "1");
    assert_int_equal(a->line, 1);
    assert_int_equal(a->column, 4);
    const ydoc_node *list = ydoc_get(&t, root, "list");
    assert_int_equal(list->type, YDOC_SEQ);
    assert_int_equal(list->children, 3);
    assert_string_equal(ydoc_text(&t, ydoc_seq_at(&t, list, 1)), "y");
    assert_false(ydoc_seq_at(&t, list, 1)->plain);
    assert_true(ydoc_is_null(&t, ydoc_seq_at(&t, list, 2)));
    assert_null(ydoc_seq_at(&t, list, 3));
    assert_string_equal(ydoc_text(&t, ydoc_get(&t, ydoc_get(&t, root, "map"), "k")), "v");
    assert_true(ydoc_is_null(&t, ydoc_get(&t, root, "empty")));
    assert_null(ydoc_get(&t, root, "nope"));
    assert_null(ydoc_get(&t, list, "a")); /* not a mapping */
    ydoc_free(&t);
    assert_int_equal(d.count, 0);
    ecsim_diags_free(&d);
}

static void test_limits_are_located(void **state)
{
    (void)state;
    char *got = parse_errors("a: &x 1\nb: *x\n", "decide input", ECSIM_OK);
    assert_string_equal(got, "in.yaml:2:4: error: aliases (*x) are not supported in decide "
                             "inputs; write the value out\n");
    free(got);
    got = parse_errors("a: 1\n---\nb: 2\n", "scenario", ECSIM_EINVAL);
    assert_string_equal(got, "in.yaml:2:1: error: a scenario file holds one YAML document; "
                             "remove this second one (and the `---` before it)\n");
    free(got);
    got = parse_errors("a: [1, 2\n", "decide input", ECSIM_EINVAL);
    assert_non_null(strstr(got, "in.yaml:2:1: error: syntax error: "));
    free(got);
    got = parse_errors("a:\n\tb: 1\n", "scenario", ECSIM_EINVAL);
    assert_non_null(strstr(got, "YAML does not allow tabs for indentation, use spaces"));
    free(got);
    /* 65 levels */
    char deep[200] = "";
    for (int i = 0; i < 65; i++)
        strcat(deep, "[");
    got = parse_errors(deep, "decide input", ECSIM_EINVAL);
    assert_string_equal(got, "in.yaml:1:65: error: nesting is too deep (more than 64 levels); a "
                             "decide input needs fewer than 10\n");
    free(got);
}

static void test_suggest(void **state)
{
    (void)state;
    static const char *const names[] = {"current", "min", "max", "target", "datapoints"};
    assert_string_equal(ydoc_suggest(names, 5, sizeof names[0], "curent"), "current");
    assert_string_equal(ydoc_suggest(names, 5, sizeof names[0], "mxa"), "max"); /* a swap */
    assert_string_equal(ydoc_suggest(names, 5, sizeof names[0], "TARGET"), "target");
    assert_string_equal(ydoc_suggest(names, 5, sizeof names[0], "data"), "datapoints");
    assert_null(ydoc_suggest(names, 5, sizeof names[0], "policy"));
    assert_int_equal(ydoc_distance("kitten", "sitting"), 3);
    assert_int_equal(ydoc_distance("ab", "ba"), 1);
}

/* The same input problem gives the same message in both front ends. */
static void test_scenario_and_decide_share_it(void **state)
{
    (void)state;
    const char *text = "name: &n x\npolicy: *n\n";
    ecsim_diags d;
    ecsim_diags_init(&d);
    assert_null(ecsim_scenario_load_string(text, strlen(text), "f.yaml", NULL, 0, &d));
    char *scenario = diags_text(&d);
    ecsim_diags_free(&d);
    ecsim_diags_init(&d);
    ecsim_decide_input in;
    assert_int_not_equal(ecsim_decide_load_string(text, strlen(text), "f.yaml", &in, &d), 0);
    ecsim_decide_input_free(&in);
    char *decide = diags_text(&d);
    ecsim_diags_free(&d);
    assert_non_null(strstr(scenario, "f.yaml:2:9: error: aliases (*n) are not supported in "
                                     "scenarios; write the value out\n"));
    assert_non_null(strstr(decide, "f.yaml:2:9: error: aliases (*n) are not supported in "
                                   "decide inputs; write the value out\n"));
    free(scenario);
    free(decide);

    /* A decide input over the shared size limit. */
    size_t big = YDOC_MAX_BYTES + 1;
    char *huge = ecsim_malloc(big);
    assert_non_null(huge);
    memset(huge, '#', big);
    ecsim_diags_init(&d);
    assert_int_equal(ecsim_decide_load_string(huge, big, "big.yaml", &in, &d), ECSIM_EINVAL);
    ecsim_decide_input_free(&in);
    assert_int_equal(d.errors, 1);
    assert_non_null(strstr(d.items[0].message, "file is too large"));
    ecsim_diags_free(&d);
    ecsim_free(huge);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tree),
        cmocka_unit_test(test_limits_are_located),
        cmocka_unit_test(test_suggest),
        cmocka_unit_test(test_scenario_and_decide_share_it),
    };
    return cmocka_run_group_tests_name("yaml_doc", tests, NULL, NULL);
}
