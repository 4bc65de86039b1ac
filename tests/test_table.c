/* Tests for tables and their formats (sim/report/table.c, sim/report_*.c).
 *
 * Every format renders a fixed sample table full of tricky cells (commas,
 * quotes, pipes, &, <, _, %, line breaks, UTF-8 "—" and "×", an empty cell,
 * a 200-character cell) and the result is compared byte for byte with a
 * golden file in tests/golden/tables/. After a deliberate change of a
 * format, regenerate the goldens with
 *     ECSIM_UPDATE_GOLDEN=1 build/tests/test_table
 * and read the diff before committing it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ecsim/alloc.h"
#include "ecsim/error.h"
#include "ecsim/table.h"

#define GOLDEN_DIR "tests/golden/tables/"

/* A 200-character cell (checked in test_accessors): words, so the text format wraps it at spaces. */
static const char long_cell[] =
    "The service scheduler keeps retrying the deployment with exponential backoff "
    "while tasks stop with CannotPullContainerError, because the image tag was never "
    "pushed to the registry. Push it; re-deploy!";

static ecsim_table *sample_execution(void)
{
    static const char *const header[] = {"Step", "Time", "Action", "AWS role", "Result"};
    static const ecsim_col_kind kinds[] = {ECSIM_COL_NUMBER, ECSIM_COL_TEXT, ECSIM_COL_TEXT,
                                           ECSIM_COL_TEXT, ECSIM_COL_TEXT};
    ecsim_table *t = ecsim_table_create("execution", "Execution table", 5, header, kinds);
    assert_non_null(t);
    const char *rows[][5] = {
        {"1", "00:02:00", "Package app in container image", "User creates container image",
         "App packaged with dependencies"},
        {"2", "00:03:30", "Push image \"web:v1\", 250 MB", "AWS stores image | securely",
         "Image ready & <verified>"},
        {"3", "00:05:00", "Create service_name at 100% capacity", "Costs $5 #1 {a} ~ ^ \\ end",
         "Line one\nLine two"},
        {"4", "00:06:10", "Deploy — image × 2", "", long_cell},
        {"", "—", "[optional] step", "*starred*", "Done"},
        {"10.50", "", "n/a number below", NULL, "tab\there"},
        {"n/a", "01:00:00", "End", "All steps complete", "App runs efficiently on AWS containers"},
    };
    for (size_t r = 0; r < sizeof rows / sizeof rows[0]; r++)
        assert_int_equal(ecsim_table_add_row(t, rows[r]), 0);
    return t;
}

static ecsim_table *sample_status(void)
{
    static const char *const header[] = {"Variable", "Start", "After Step 1", "Final"};
    static const ecsim_col_kind kinds[] = {ECSIM_COL_TEXT, ECSIM_COL_TEXT, ECSIM_COL_TEXT,
                                           ECSIM_COL_TEXT};
    ecsim_table *t = ecsim_table_create("status", "Status tracker", 4, header, kinds);
    assert_non_null(t);
    const char *rows[][4] = {
        {"App Container Image", "None", "Created", "Running and scalable"},
        {"AWS Infrastructure", "Not used", "Not used", "Managed and monitored"},
    };
    for (size_t r = 0; r < sizeof rows / sizeof rows[0]; r++)
        assert_int_equal(ecsim_table_add_row(t, rows[r]), 0);
    return t;
}

/* Render into memory; the caller frees *text. */
static int render_to_string(const char *format, const ecsim_table *const *tables, size_t n,
                            char **text, size_t *len)
{
    const ecsim_table_format *f = ecsim_table_format_find(format);
    assert_non_null(f);
    FILE *out = open_memstream(text, len);
    assert_non_null(out);
    int rc = f->render(tables, n, out);
    assert_int_equal(fclose(out), 0);
    return rc;
}

static char *read_file(const char *path, size_t *len)
{
    FILE *in = fopen(path, "rb");
    if (!in)
        return NULL;
    char *data = NULL;
    size_t cap = 0;
    *len = 0;
    for (;;) {
        if (*len + 4096 > cap) {
            cap = cap ? cap * 2 : 8192;
            data = realloc(data, cap);
            assert_non_null(data);
        }
        size_t got = fread(data + *len, 1, cap - *len - 1, in);
        *len += got;
        if (got == 0)
            break;
    }
    fclose(in);
    data[*len] = '\0';
    return data;
}

/* Compare `text` with the golden file, or rewrite the golden file when
 * ECSIM_UPDATE_GOLDEN=1. */
static void check_golden(const char *name, const char *text, size_t len)
{
    char path[256];
    snprintf(path, sizeof path, GOLDEN_DIR "%s", name);
    const char *update = getenv("ECSIM_UPDATE_GOLDEN");
    if (update && strcmp(update, "1") == 0) {
        FILE *out = fopen(path, "wb");
        assert_non_null(out);
        assert_int_equal(fwrite(text, 1, len, out), len);
        assert_int_equal(fclose(out), 0);
        return;
    }
    size_t golden_len = 0;
    char *golden = read_file(path, &golden_len);
    if (!golden)
        fail_msg("missing golden file %s (run with ECSIM_UPDATE_GOLDEN=1)", path);
    if (golden_len != len || memcmp(golden, text, len) != 0) {
        size_t at = 0;
        while (at < len && at < golden_len && golden[at] == text[at])
            at++;
        print_error("%s differs at byte %zu; got:\n%s\n", path, at, text);
        free(golden);
        fail_msg("golden mismatch: %s", path);
    }
    free(golden);
}

static void golden_case(const char *format, const char *extension, int both)
{
    ecsim_table *exec = sample_execution();
    ecsim_table *status = sample_status();
    const ecsim_table *tables[] = {exec, status};
    char *text = NULL;
    size_t len = 0;
    assert_int_equal(render_to_string(format, tables, both ? 2 : 1, &text, &len), 0);
    char name[64];
    snprintf(name, sizeof name, "%s.%s", both ? "two" : "sample", extension);
    check_golden(name, text, len);
    free(text);
    ecsim_table_destroy(status);
    ecsim_table_destroy(exec);
}

static void test_golden_text(void **state) { (void)state; golden_case("text", "txt", 0); }
static void test_golden_md(void **state) { (void)state; golden_case("md", "md", 0); }
static void test_golden_csv(void **state) { (void)state; golden_case("csv", "csv", 0); }
static void test_golden_json(void **state) { (void)state; golden_case("json", "json", 0); }
static void test_golden_latex(void **state) { (void)state; golden_case("latex", "tex", 0); }
static void test_golden_html(void **state) { (void)state; golden_case("html", "html", 0); }
static void test_golden_two_text(void **state) { (void)state; golden_case("text", "txt", 1); }
static void test_golden_two_md(void **state) { (void)state; golden_case("md", "md", 1); }
static void test_golden_two_csv(void **state) { (void)state; golden_case("csv", "csv", 1); }
static void test_golden_two_json(void **state) { (void)state; golden_case("json", "json", 1); }
static void test_golden_two_latex(void **state) { (void)state; golden_case("latex", "tex", 1); }
static void test_golden_two_html(void **state) { (void)state; golden_case("html", "html", 1); }

static void test_accessors(void **state)
{
    (void)state;
    ecsim_table *t = sample_execution();
    assert_string_equal(ecsim_table_key(t), "execution");
    assert_string_equal(ecsim_table_title(t), "Execution table");
    assert_int_equal(ecsim_table_cols(t), 5);
    assert_int_equal(ecsim_table_rows(t), 7);
    assert_string_equal(ecsim_table_header(t, 3), "AWS role");
    assert_int_equal(ecsim_table_kind(t, 0), ECSIM_COL_NUMBER);
    assert_int_equal(ecsim_table_kind(t, 4), ECSIM_COL_TEXT);
    assert_string_equal(ecsim_table_cell(t, 0, 2), "Package app in container image");
    assert_string_equal(ecsim_table_cell(t, 3, 3), ""); /* "" stays "" */
    assert_string_equal(ecsim_table_cell(t, 5, 3), ""); /* NULL reads as "" */
    assert_string_equal(ecsim_table_cell(t, 3, 4), long_cell);
    assert_int_equal(strlen(long_cell), 200);
    ecsim_table_destroy(t);
    ecsim_table_destroy(NULL); /* no-op */
}

static void test_cells_are_copied(void **state)
{
    (void)state;
    const char *header[] = {"A", "B"};
    ecsim_col_kind kinds[] = {ECSIM_COL_TEXT, ECSIM_COL_NUMBER};
    char title[] = "Title";
    ecsim_table *t = ecsim_table_create("k", title, 2, header, kinds);
    assert_non_null(t);
    title[0] = 'X';
    char a[] = "alpha", b[] = "42";
    const char *row[] = {a, b};
    assert_int_equal(ecsim_table_add_row(t, row), 0);
    a[0] = 'Z';
    b[0] = '9';
    assert_string_equal(ecsim_table_title(t), "Title");
    assert_string_equal(ecsim_table_cell(t, 0, 0), "alpha");
    assert_string_equal(ecsim_table_cell(t, 0, 1), "42");
    /* Many rows: the row array grows and keeps every cell. */
    for (int i = 0; i < 1000; i++) {
        char num[16];
        snprintf(num, sizeof num, "%d", i);
        const char *r[] = {"x", num};
        assert_int_equal(ecsim_table_add_row(t, r), 0);
    }
    assert_int_equal(ecsim_table_rows(t), 1001);
    assert_string_equal(ecsim_table_cell(t, 1000, 1), "999");
    ecsim_table_destroy(t);
}

static void test_format_lookup(void **state)
{
    (void)state;
    size_t count = 0;
    const ecsim_table_format *all = ecsim_table_formats(&count);
    static const char *const names[] = {"text", "md", "csv", "json", "latex", "latex-doc", "html"};
    static const char *const exts[] = {"txt", "md", "csv", "json", "tex", "doc.tex", "html"};
    assert_int_equal(count, 7);
    for (size_t i = 0; i < count; i++) {
        assert_string_equal(all[i].name, names[i]);
        assert_string_equal(all[i].extension, exts[i]);
        assert_non_null(all[i].description);
        assert_non_null(all[i].render);
        assert_ptr_equal(ecsim_table_format_find(names[i]), &all[i]);
    }
    assert_null(ecsim_table_format_find("xml"));
    assert_null(ecsim_table_format_find(""));
    assert_null(ecsim_table_format_find("MD"));
    assert_null(ecsim_table_format_find(NULL));
}

static ecsim_table *small_table(const char *const *header, const ecsim_col_kind *kinds,
                                size_t ncols, const char *const *cells, size_t nrows)
{
    ecsim_table *t = ecsim_table_create("small", "Small", ncols, header, kinds);
    assert_non_null(t);
    for (size_t r = 0; r < nrows; r++)
        assert_int_equal(ecsim_table_add_row(t, cells + r * ncols), 0);
    return t;
}

static char *render_one(const char *format, const ecsim_table *t)
{
    char *text = NULL;
    size_t len = 0;
    assert_int_equal(render_to_string(format, &t, 1, &text, &len), 0);
    assert_int_equal(strlen(text), len);
    return text;
}

/* Code points, not bytes: "—" (3 bytes) is one column wide. */
static void test_text_utf8_alignment(void **state)
{
    (void)state;
    const char *header[] = {"N", "Name", "X"};
    ecsim_col_kind kinds[] = {ECSIM_COL_NUMBER, ECSIM_COL_TEXT, ECSIM_COL_TEXT};
    const char *cells[] = {"7", "a—b×c", "y", "123", "abc", ""};
    ecsim_table *t = small_table(header, kinds, 3, cells, 2);
    char *text = render_one("text", t);
    assert_string_equal(text, "Small\n"
                              "  N  Name   X\n"
                              "---  -----  -\n"
                              "  7  a—b×c  y\n"
                              "123  abc\n");
    free(text);
    ecsim_table_destroy(t);
}

static void test_text_wraps_long_cells(void **state)
{
    (void)state;
    ecsim_table *t = sample_execution();
    char *text = render_one("text", t);
    /* No line ends in a space, and the long cell is cut into lines of at
     * most 60 code points, each a run of whole words from the cell. */
    size_t longest_result_line = 0;
    for (char *line = text; *line;) {
        char *nl = strchr(line, '\n');
        assert_non_null(nl);
        assert_true(nl == line || nl[-1] != ' ');
        line = nl + 1;
    }
    const char *words = strstr(text, "The service scheduler");
    assert_non_null(words);
    const char *eol = strchr(words, '\n');
    longest_result_line = (size_t)(eol - words);
    assert_true(longest_result_line <= 60);
    assert_true(longest_result_line >= 50);
    assert_non_null(strstr(text, "pushed to the registry."));
    free(text);
    ecsim_table_destroy(t);
}

static void test_text_hard_break_and_empty(void **state)
{
    (void)state;
    char word[131];
    memset(word, 'w', 130);
    word[130] = '\0';
    const char *header[] = {"A", "B"};
    ecsim_col_kind kinds[] = {ECSIM_COL_TEXT, ECSIM_COL_TEXT};
    const char *cells[] = {word, "x"};
    ecsim_table *t = small_table(header, kinds, 2, cells, 1);
    char *text = render_one("text", t);
    char expect[512];
    snprintf(expect, sizeof expect,
             "Small\n%-60s  B\n%.60s  -\n%.60s  x\n%.60s\n%.10s\n", "A",
             "------------------------------------------------------------------------",
             word, word, word);
    assert_string_equal(text, expect);
    free(text);
    ecsim_table_destroy(t);

    /* No rows: title, header and separator only. */
    t = small_table(header, kinds, 2, NULL, 0);
    text = render_one("text", t);
    assert_string_equal(text, "Small\nA  B\n-  -\n");
    free(text);
    ecsim_table_destroy(t);
}

static void test_csv_quoting(void **state)
{
    (void)state;
    const char *header[] = {"a,b", "q"};
    ecsim_col_kind kinds[] = {ECSIM_COL_TEXT, ECSIM_COL_NUMBER};
    const char *cells[] = {"say \"hi\"", "1", "line\nbreak", "", " sp ", "cr\r"};
    ecsim_table *t = small_table(header, kinds, 2, cells, 3);
    char *text = render_one("csv", t);
    assert_string_equal(text, "\"a,b\",q\n"
                              "\"say \"\"hi\"\"\",1\n"
                              "\"line\nbreak\",\n"
                              " sp ,\"cr\r\"\n");
    free(text);
    ecsim_table_destroy(t);
}

static void test_json_number_cells(void **state)
{
    (void)state;
    const char *header[] = {"v"};
    ecsim_col_kind kinds[] = {ECSIM_COL_NUMBER};
    const char *cells[] = {"1.50", "", "-0", "1e3", "inf", "1e400", " 1", "0x10", "+2", ".5", "5.",
                           "1e", "-"};
    ecsim_table *t = small_table(header, kinds, 1, cells, sizeof cells / sizeof cells[0]);
    char *text = render_one("json", t);
    const char *expect_values[] = {"1.5", "null", "0", "1000", "\"inf\"", "\"1e400\"", "\" 1\"",
                                   "\"0x10\"", "2", "0.5", "5", "\"1e\"", "\"-\""};
    const char *p = text;
    for (size_t i = 0; i < sizeof expect_values / sizeof expect_values[0]; i++) {
        char needle[64];
        snprintf(needle, sizeof needle, "\"v\": %s\n", expect_values[i]);
        const char *at = strstr(p, needle);
        if (!at)
            fail_msg("cell %zu: expected %s in\n%s", i, needle, p);
        p = at + strlen(needle);
    }
    free(text);
    ecsim_table_destroy(t);
}

static void test_render_write_error(void **state)
{
    (void)state;
    FILE *full = fopen("/dev/full", "w");
    if (!full)
        fail_msg("/dev/full cannot be opened");
    ecsim_table *t = sample_execution();
    const ecsim_table *tables[] = {t};
    size_t count = 0;
    const ecsim_table_format *all = ecsim_table_formats(&count);
    for (size_t i = 0; i < count; i++) {
        assert_int_equal(all[i].render(tables, 1, full), ECSIM_EIO);
        clearerr(full);
    }
    fclose(full);
    ecsim_table_destroy(t);
}

static void test_create_oom(void **state)
{
    (void)state;
    const char *header[] = {"Step", "Time", "Action"};
    ecsim_col_kind kinds[] = {ECSIM_COL_NUMBER, ECSIM_COL_TEXT, ECSIM_COL_TEXT};
    long base = ecsim_alloc_live();
    int failures = 0;
    for (long nth = 1;; nth++) {
        ecsim_alloc_fail_after(nth);
        ecsim_table *t = ecsim_table_create("execution", "Execution", 3, header, kinds);
        ecsim_alloc_fail_after(0);
        if (t) {
            assert_string_equal(ecsim_table_header(t, 2), "Action");
            ecsim_table_destroy(t);
            assert_int_equal(ecsim_alloc_live(), base);
            break;
        }
        failures++;
        assert_int_equal(ecsim_alloc_live(), base); /* nothing leaked */
        assert_true(nth < 100);
    }
    assert_int_equal(failures, 8); /* table, key, title, kinds, header array, 3 headers */
}

static void test_add_row_oom(void **state)
{
    (void)state;
    const char *header[] = {"A", "B", "C"};
    ecsim_col_kind kinds[] = {ECSIM_COL_TEXT, ECSIM_COL_TEXT, ECSIM_COL_TEXT};
    const char *row[] = {"one", "", "three"};
    /* With 0 rows the append allocates the row array; with 8 (a full first
     * block) it reallocates it. Each attempt starts from a fresh table so
     * that every allocation of the append is made to fail once. */
    for (int preload = 0; preload <= 8; preload += 8) {
        long base = ecsim_alloc_live();
        int failures = 0;
        for (long nth = 1;; nth++) {
            ecsim_table *t = ecsim_table_create("k", "T", 3, header, kinds);
            assert_non_null(t);
            for (int i = 0; i < preload; i++)
                assert_int_equal(ecsim_table_add_row(t, row), 0);
            ecsim_alloc_fail_after(nth);
            int rc = ecsim_table_add_row(t, row);
            ecsim_alloc_fail_after(0);
            if (rc == 0) {
                assert_int_equal(ecsim_table_rows(t), (size_t)preload + 1);
                assert_string_equal(ecsim_table_cell(t, (size_t)preload, 0), "one");
                assert_string_equal(ecsim_table_cell(t, (size_t)preload, 1), "");
                assert_string_equal(ecsim_table_cell(t, (size_t)preload, 2), "three");
                ecsim_table_destroy(t);
                assert_int_equal(ecsim_alloc_live(), base);
                break;
            }
            failures++;
            assert_int_equal(rc, ECSIM_ENOMEM);
            assert_int_equal(ecsim_table_rows(t), (size_t)preload); /* unchanged */
            if (preload > 0)
                assert_string_equal(ecsim_table_cell(t, (size_t)preload - 1, 2), "three");
            /* A later append still works on the same table. */
            assert_int_equal(ecsim_table_add_row(t, row), 0);
            assert_int_equal(ecsim_table_rows(t), (size_t)preload + 1);
            ecsim_table_destroy(t);
            assert_int_equal(ecsim_alloc_live(), base); /* nothing leaked */
            assert_true(nth < 100);
        }
        assert_int_equal(failures, 3); /* row array, "one", "three" ("" is not copied) */
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_accessors),
        cmocka_unit_test(test_cells_are_copied),
        cmocka_unit_test(test_format_lookup),
        cmocka_unit_test(test_golden_text),
        cmocka_unit_test(test_golden_md),
        cmocka_unit_test(test_golden_csv),
        cmocka_unit_test(test_golden_json),
        cmocka_unit_test(test_golden_latex),
        cmocka_unit_test(test_golden_html),
        cmocka_unit_test(test_golden_two_text),
        cmocka_unit_test(test_golden_two_md),
        cmocka_unit_test(test_golden_two_csv),
        cmocka_unit_test(test_golden_two_json),
        cmocka_unit_test(test_golden_two_latex),
        cmocka_unit_test(test_golden_two_html),
        cmocka_unit_test(test_text_utf8_alignment),
        cmocka_unit_test(test_text_wraps_long_cells),
        cmocka_unit_test(test_text_hard_break_and_empty),
        cmocka_unit_test(test_csv_quoting),
        cmocka_unit_test(test_json_number_cells),
        cmocka_unit_test(test_render_write_error),
        cmocka_unit_test(test_create_oom),
        cmocka_unit_test(test_add_row_oom),
    };
    return cmocka_run_group_tests_name("table", tests, NULL, NULL);
}
