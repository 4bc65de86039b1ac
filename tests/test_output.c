/* Tests for sim/core/output.c: atomic output files, mkdir -p, number formatting
 * and the JSON writer. File tests work in a fresh directory under /tmp and
 * remove what they create. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ecsim/alloc.h"
#include "ecsim/error.h"
#include "ecsim/output.h"

/* ---- helpers ---------------------------------------------------------- */

static int make_workdir(void **state)
{
    char *dir = malloc(64);
    if (!dir)
        return -1;
    strcpy(dir, "/tmp/ecsim-test-output-XXXXXX");
    if (!mkdtemp(dir)) {
        free(dir);
        return -1;
    }
    *state = dir;
    return 0;
}

/* rm -r for the small trees the tests make. */
static void remove_tree(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return;
    if (S_ISDIR(st.st_mode)) {
        DIR *d = opendir(path);
        if (d) {
            struct dirent *e;
            while ((e = readdir(d)) != NULL) {
                if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                    continue;
                char child[1024];
                snprintf(child, sizeof child, "%s/%s", path, e->d_name);
                remove_tree(child);
            }
            closedir(d);
        }
        rmdir(path);
    } else {
        unlink(path);
    }
}

static int remove_workdir(void **state)
{
    remove_tree(*state);
    free(*state);
    return 0;
}

static size_t count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            n++;
    closedir(d);
    return n;
}

static char *slurp(const char *path)
{
    FILE *in = fopen(path, "rb");
    if (!in)
        return NULL;
    static char buf[4096];
    size_t n = fread(buf, 1, sizeof buf - 1, in);
    buf[n] = '\0';
    fclose(in);
    return buf;
}

/* ---- numbers ---------------------------------------------------------- */

static const char *fmt(double v)
{
    static char buf[64];
    return ecsim_fmt_num(buf, sizeof buf, v);
}

static void test_fmt_num(void **state)
{
    (void)state;
    assert_string_equal(fmt(120.0), "120");
    assert_string_equal(fmt(0.1), "0.1");
    assert_string_equal(fmt(0.1 + 0.2), "0.3");
    assert_string_equal(fmt(0.0), "0");
    assert_string_equal(fmt(-0.0), "0");
    assert_string_equal(fmt(-2.5), "-2.5");
    assert_string_equal(fmt(1.0 / 3.0), "0.333333333333333");
    assert_string_equal(fmt(14400.0), "14400");
    assert_string_equal(fmt(123456789012345.0), "123456789012345");
    assert_string_equal(fmt(1e-6), "0.000001");
    assert_string_equal(fmt(-1.5e-5), "-0.000015");
    assert_string_equal(fmt(0.0001234), "0.0001234");
    assert_string_equal(fmt(999999999999999.9), "1000000000000000"); /* rounds up, still < 1e15 */
    assert_string_equal(fmt(1e15), "1e+15");
    assert_string_equal(fmt(9007199254740993.0), "9.00719925474099e+15");
    assert_string_equal(fmt(1e-7), "1e-07");
    assert_string_equal(fmt(NAN), "");
    assert_string_equal(fmt(INFINITY), "");
    assert_string_equal(fmt(-INFINITY), "");
    /* Round trip at 15 digits. */
    assert_true(strtod(fmt(0.7 * 3.0), NULL) == strtod("2.1", NULL));
    /* A short buffer truncates and stays terminated. */
    char small[4];
    assert_ptr_equal(ecsim_fmt_num(small, sizeof small, 12345.0), small);
    assert_string_equal(small, "123");
}

/* ---- JSON writer -------------------------------------------------------- */

static char *json_doc(bool compact, void (*build)(ecsim_json *))
{
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    assert_non_null(out);
    ecsim_json j;
    ecsim_json_init(&j, out, compact);
    build(&j);
    ecsim_json_finish(&j);
    assert_int_equal(fclose(out), 0);
    return text;
}

static void build_nested(ecsim_json *j)
{
    ecsim_json_begin_object(j);
    ecsim_json_key(j, "a");
    ecsim_json_int(j, 1);
    ecsim_json_key(j, "b");
    ecsim_json_begin_array(j);
    ecsim_json_number(j, 1.0);
    ecsim_json_number(j, 2.5);
    ecsim_json_end_array(j);
    ecsim_json_key(j, "c");
    ecsim_json_begin_object(j);
    ecsim_json_end_object(j);
    ecsim_json_key(j, "d");
    ecsim_json_begin_array(j);
    ecsim_json_end_array(j);
    ecsim_json_key(j, "e");
    ecsim_json_begin_array(j);
    ecsim_json_begin_object(j);
    ecsim_json_key(j, "t");
    ecsim_json_bool(j, true);
    ecsim_json_key(j, "f");
    ecsim_json_bool(j, false);
    ecsim_json_key(j, "n");
    ecsim_json_null(j);
    ecsim_json_key(j, "s");
    ecsim_json_string(j, NULL);
    ecsim_json_key(j, "nan");
    ecsim_json_number(j, NAN);
    ecsim_json_key(j, "inf");
    ecsim_json_number(j, -INFINITY);
    ecsim_json_key(j, "big");
    ecsim_json_int(j, -9223372036854775807LL - 1);
    ecsim_json_end_object(j);
    ecsim_json_end_array(j);
    ecsim_json_end_object(j);
}

static void test_json_pretty(void **state)
{
    (void)state;
    char *text = json_doc(false, build_nested);
    assert_string_equal(text, "{\n"
                              "  \"a\": 1,\n"
                              "  \"b\": [\n"
                              "    1,\n"
                              "    2.5\n"
                              "  ],\n"
                              "  \"c\": {},\n"
                              "  \"d\": [],\n"
                              "  \"e\": [\n"
                              "    {\n"
                              "      \"t\": true,\n"
                              "      \"f\": false,\n"
                              "      \"n\": null,\n"
                              "      \"s\": null,\n"
                              "      \"nan\": null,\n"
                              "      \"inf\": null,\n"
                              "      \"big\": -9223372036854775808\n"
                              "    }\n"
                              "  ]\n"
                              "}\n");
    free(text);
}

static void test_json_compact(void **state)
{
    (void)state;
    char *text = json_doc(true, build_nested);
    assert_string_equal(text, "{\"a\": 1, \"b\": [1, 2.5], \"c\": {}, \"d\": [], \"e\": [{\"t\": "
                              "true, \"f\": false, \"n\": null, \"s\": null, \"nan\": null, "
                              "\"inf\": null, \"big\": -9223372036854775808}]}\n");
    free(text);
}

static void build_scalar(ecsim_json *j) { ecsim_json_string(j, "top"); }

static void build_deep(ecsim_json *j)
{
    for (int i = 0; i < 64; i++)
        ecsim_json_begin_array(j);
    ecsim_json_int(j, 7);
    for (int i = 0; i < 64; i++)
        ecsim_json_end_array(j);
}

static void test_json_top_level_and_depth(void **state)
{
    (void)state;
    char *text = json_doc(false, build_scalar);
    assert_string_equal(text, "\"top\"\n");
    free(text);
    text = json_doc(true, build_deep);
    char expect[256];
    memset(expect, '[', 64);
    strcpy(expect + 64, "7");
    memset(expect + 65, ']', 64);
    strcpy(expect + 129, "\n");
    assert_string_equal(text, expect);
    free(text);
}

static void test_json_escaping(void **state)
{
    (void)state;
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    assert_non_null(out);
    ecsim_json_write_string(out, "q\" b\\ /\b\f\n\r\t\x01\x1f\x7f é — ×");
    fputc('|', out);
    ecsim_json_write_string(out, "bad \xff \xc3 \xe2\x80 \xed\xa0\x80 \xc0\xaf ok");
    fputc('|', out);
    ecsim_json_write_string(out, NULL);
    fputc('|', out);
    ecsim_json_write_string(out, "\xf0\x9f\x90\xb3");
    assert_int_equal(fclose(out), 0);
    assert_string_equal(text, "\"q\\\" b\\\\ /\\b\\f\\n\\r\\t\\u0001\\u001f\x7f é — ×\"|"
                              "\"bad \\ufffd \\ufffd \\ufffd\\ufffd \\ufffd\\ufffd\\ufffd "
                              "\\ufffd\\ufffd ok\"|\"\"|\"\xf0\x9f\x90\xb3\"");
    free(text);
}

/* ---- atomic files ------------------------------------------------------- */

static void test_outfile_commit(void **state)
{
    const char *dir = *state;
    char path[256];
    snprintf(path, sizeof path, "%s/out.txt", dir);
    ecsim_outfile of;
    assert_int_equal(ecsim_outfile_open(&of, path), 0);
    assert_non_null(of.fp);
    assert_non_null(strstr(of.tmp_path, "/.out.txt.tmp."));
    assert_null(slurp(path)); /* nothing at the final path before commit */
    for (int i = 0; i < 1000; i++)
        fprintf(of.fp, "line %d\n", i);
    assert_int_equal(count_entries(dir), 1); /* only the temporary */
    assert_int_equal(ecsim_outfile_commit(&of), 0);
    assert_null(of.fp);
    assert_null(of.tmp_path);
    assert_int_equal(count_entries(dir), 1); /* the final file, no temporary */
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0644);
    assert_int_equal(st.st_size, 8890); /* sum of "line %d\n" for 0..999 */
    FILE *in = fopen(path, "r");
    assert_non_null(in);
    char line[32];
    assert_non_null(fgets(line, sizeof line, in));
    assert_string_equal(line, "line 0\n");
    fclose(in);

    /* Committing again replaces the file whole. */
    assert_int_equal(ecsim_outfile_open(&of, path), 0);
    fputs("second\n", of.fp);
    assert_int_equal(ecsim_outfile_commit(&of), 0);
    assert_string_equal(slurp(path), "second\n");
    assert_int_equal(count_entries(dir), 1);
}

static void test_outfile_abort(void **state)
{
    const char *dir = *state;
    char path[256];
    snprintf(path, sizeof path, "%s/keep.txt", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("original\n", f);
    fclose(f);
    ecsim_outfile of;
    assert_int_equal(ecsim_outfile_open(&of, path), 0);
    fputs("half-written", of.fp);
    fflush(of.fp);
    assert_int_equal(count_entries(dir), 2);
    ecsim_outfile_abort(&of);
    assert_null(of.fp);
    assert_string_equal(slurp(path), "original\n");
    assert_int_equal(count_entries(dir), 1);
    ecsim_outfile_abort(&of); /* a second abort is harmless */
    ecsim_outfile_abort(NULL);
    assert_int_equal(count_entries(dir), 1);
}

static void test_outfile_missing_dir(void **state)
{
    const char *dir = *state;
    char path[256];
    snprintf(path, sizeof path, "%s/missing/out.txt", dir);
    ecsim_outfile of;
    assert_int_equal(ecsim_outfile_open(&of, path), ECSIM_EIO);
    assert_null(of.fp);
    assert_null(of.tmp_path);
    assert_int_equal(count_entries(dir), 0);

    /* The directory disappears between open and commit: commit fails. */
    char sub[200];
    snprintf(sub, sizeof sub, "%s/vanishing", dir);
    assert_int_equal(mkdir(sub, 0755), 0);
    snprintf(path, sizeof path, "%s/out.txt", sub);
    assert_int_equal(ecsim_outfile_open(&of, path), 0);
    fputs("data\n", of.fp);
    assert_int_equal(unlink(of.tmp_path), 0);
    assert_int_equal(rmdir(sub), 0);
    assert_int_equal(ecsim_outfile_commit(&of), ECSIM_EIO);
    assert_null(of.fp);
    assert_int_equal(count_entries(dir), 0);

    /* A path naming a directory, not a file. */
    snprintf(path, sizeof path, "%s/", dir);
    assert_int_equal(ecsim_outfile_open(&of, path), ECSIM_EIO);
    assert_int_equal(count_entries(dir), 0);
}

static void test_outfile_relative_and_oom(void **state)
{
    const char *dir = *state;
    char cwd[1024];
    assert_non_null(getcwd(cwd, sizeof cwd));
    assert_int_equal(chdir(dir), 0);
    ecsim_outfile of;
    assert_int_equal(ecsim_outfile_open(&of, "plain.txt"), 0);
    assert_string_equal(of.final_path, "plain.txt");
    assert_int_equal(strncmp(of.tmp_path, ".plain.txt.tmp.", 15), 0);
    fputs("x", of.fp);
    assert_int_equal(ecsim_outfile_commit(&of), 0);
    assert_string_equal(slurp("plain.txt"), "x");
    assert_int_equal(chdir(cwd), 0);

    char path[256];
    snprintf(path, sizeof path, "%s/oom.txt", dir);
    long base = ecsim_alloc_live();
    for (long nth = 1; nth <= 2; nth++) {
        ecsim_alloc_fail_after(nth);
        int rc = ecsim_outfile_open(&of, path);
        ecsim_alloc_fail_after(0);
        assert_int_equal(rc, ECSIM_ENOMEM);
        assert_null(of.fp);
        assert_int_equal(ecsim_alloc_live(), base);
    }
    assert_int_equal(count_entries(dir), 1); /* plain.txt only */
}

static void test_mkdirs(void **state)
{
    const char *dir = *state;
    char path[512];
    snprintf(path, sizeof path, "%s/a/b//c/", dir);
    assert_int_equal(ecsim_mkdirs(path), 0);
    struct stat st;
    snprintf(path, sizeof path, "%s/a/b/c", dir);
    assert_int_equal(stat(path, &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    assert_int_equal(ecsim_mkdirs(path), 0); /* already there: fine */
    assert_int_equal(ecsim_mkdirs(dir), 0);

    /* A file in the way, as the leaf or as a parent. */
    snprintf(path, sizeof path, "%s/a/file", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fclose(f);
    assert_int_equal(ecsim_mkdirs(path), ECSIM_EIO);
    snprintf(path, sizeof path, "%s/a/file/sub", dir);
    assert_int_equal(ecsim_mkdirs(path), ECSIM_EIO);
    assert_int_equal(ecsim_mkdirs(""), ECSIM_EIO);
    assert_int_equal(ecsim_mkdirs(NULL), ECSIM_EIO);

    /* Relative paths work from the current directory. */
    char cwd[1024];
    assert_non_null(getcwd(cwd, sizeof cwd));
    assert_int_equal(chdir(dir), 0);
    assert_int_equal(ecsim_mkdirs("rel/x"), 0);
    assert_int_equal(stat("rel/x", &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    assert_int_equal(chdir(cwd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fmt_num),
        cmocka_unit_test(test_json_pretty),
        cmocka_unit_test(test_json_compact),
        cmocka_unit_test(test_json_top_level_and_depth),
        cmocka_unit_test(test_json_escaping),
        cmocka_unit_test_setup_teardown(test_outfile_commit, make_workdir, remove_workdir),
        cmocka_unit_test_setup_teardown(test_outfile_abort, make_workdir, remove_workdir),
        cmocka_unit_test_setup_teardown(test_outfile_missing_dir, make_workdir, remove_workdir),
        cmocka_unit_test_setup_teardown(test_outfile_relative_and_oom, make_workdir,
                                        remove_workdir),
        cmocka_unit_test_setup_teardown(test_mkdirs, make_workdir, remove_workdir),
    };
    return cmocka_run_group_tests_name("output", tests, NULL, NULL);
}
