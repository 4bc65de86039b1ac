/* The bad-input corpus: every tests/bad/NAME.yaml must be rejected with
 * exactly the diagnostics in tests/bad/NAME.expected (all of them, byte for
 * byte), and inputs generated at test time (a 10 MB file, binary garbage,
 * 10000-deep nesting, an alias bomb) must be rejected cleanly: no crash, no
 * hang, no leak. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "ecsim/alloc.h"
#include "ecsim/loader.h"
#include "ecsim/policy.h"

#define BAD_DIR "tests/bad"

static char *read_all(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    char *buf = NULL;
    size_t size = 0, cap = 0;
    for (;;) {
        if (size + 4096 > cap) {
            cap = cap ? cap * 2 : 8192;
            char *grown = realloc(buf, cap);
            assert_non_null(grown);
            buf = grown;
        }
        size_t n = fread(buf + size, 1, cap - size - 1, fp);
        size += n;
        if (n == 0)
            break;
    }
    fclose(fp);
    buf[size] = '\0';
    *len = size;
    return buf;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every committed case. */
static void test_committed_corpus(void **state)
{
    (void)state;
    DIR *dir = opendir(BAD_DIR);
    assert_non_null(dir);
    char *names[512];
    size_t count = 0;
    for (struct dirent *e; (e = readdir(dir)) != NULL;) {
        size_t n = strlen(e->d_name);
        if (n > 5 && strcmp(e->d_name + n - 5, ".yaml") == 0 && count < 512)
            names[count++] = strdup(e->d_name);
    }
    closedir(dir);
    qsort(names, count, sizeof names[0], cmp_names);
    assert_true(count >= 30);

    long baseline = ecsim_alloc_live();
    size_t failed = 0;
    for (size_t i = 0; i < count; i++) {
        char path[512], expected_path[512];
        snprintf(path, sizeof path, BAD_DIR "/%s", names[i]);
        snprintf(expected_path, sizeof expected_path, BAD_DIR "/%.*s.expected",
                 (int)(strlen(names[i]) - 5), names[i]);
        size_t expected_len = 0;
        char *expected = read_all(expected_path, &expected_len);
        if (!expected) {
            print_error("%s: missing %s\n", path, expected_path);
            failed++;
            continue;
        }
        ecsim_diags d;
        ecsim_diags_init(&d);
        ecsim_scenario *sc = ecsim_scenario_load(path, NULL, 0, &d);
        if (sc && ecsim_policy_validate(sc, &d) != 0) { /* as the CLI loads */
            ecsim_scenario_free(sc);
            sc = NULL;
        }
        char *got = NULL;
        size_t got_len = 0;
        FILE *mem = open_memstream(&got, &got_len);
        assert_non_null(mem);
        ecsim_diags_print(&d, mem);
        fclose(mem);
        if (sc) {
            print_error("%s: loaded, but it is in the bad corpus\n", path);
            failed++;
        } else if (d.errors == 0) {
            print_error("%s: rejected without an error\n", path);
            failed++;
        } else if (got_len != expected_len || memcmp(got, expected, got_len) != 0) {
            print_error("%s: diagnostics differ\n--- expected\n%s--- got\n%s", path, expected,
                        got);
            failed++;
        }
        ecsim_scenario_free(sc);
        ecsim_diags_free(&d);
        free(got);
        free(expected);
        free(names[i]);
        assert_int_equal(ecsim_alloc_live(), baseline);
    }
    assert_int_equal(failed, 0);
}

/* Load generated text; it must fail with at least one error and print
 * `first_line` as the first diagnostic line (if non-NULL). */
static void expect_rejected(const char *text, size_t len, const char *first_line)
{
    long baseline = ecsim_alloc_live();
    ecsim_diags d;
    ecsim_diags_init(&d);
    ecsim_scenario *sc = ecsim_scenario_load_string(text, len, "gen.yaml", NULL, 0, &d);
    assert_null(sc);
    assert_true(d.errors > 0);
    assert_false(d.oom);
    if (first_line) {
        assert_true(d.count > 0);
        char line[1024];
        if (d.items[0].line > 0)
            snprintf(line, sizeof line, "%s:%d:%d: error: %s", d.items[0].file, d.items[0].line,
                     d.items[0].column, d.items[0].message);
        else
            snprintf(line, sizeof line, "%s: error: %s", d.items[0].file, d.items[0].message);
        assert_string_equal(line, first_line);
    }
    ecsim_diags_free(&d);
    assert_int_equal(ecsim_alloc_live(), baseline);
}

static void test_ten_megabytes(void **state)
{
    (void)state;
    const size_t size = 10u * 1024 * 1024;
    char path[] = "/tmp/ecsim_bad_big_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *fp = fdopen(fd, "wb");
    assert_non_null(fp);
    fputs("name: big\n", fp);
    for (size_t written = 10; written < size; written += 20)
        fputs("# padding padding.\n\n", fp);
    long file_size = ftell(fp); /* 10 MiB, rounded up to whole padding lines */
    fclose(fp);
    ecsim_diags d;
    ecsim_diags_init(&d);
    ecsim_scenario *sc = ecsim_scenario_load(path, NULL, 0, &d);
    remove(path);
    assert_null(sc);
    assert_int_equal(d.count, 1);
    char expected[256];
    snprintf(expected, sizeof expected,
             "file is too large (%ld bytes; scenarios are at most 4194304 bytes)", file_size);
    assert_true(file_size >= (long)size);
    assert_string_equal(d.items[0].message, expected);
    assert_int_equal(d.items[0].line, 0);
    ecsim_diags_free(&d);
    /* The same from memory. */
    char *text = malloc(size);
    assert_non_null(text);
    memset(text, ' ', size);
    memcpy(text, "name: big\n", 10);
    char first[256];
    snprintf(first, sizeof first,
             "gen.yaml: error: file is too large (%zu bytes; scenarios are at most 4194304 bytes)",
             size);
    expect_rejected(text, size, first);
    free(text);
}

static void test_binary_garbage(void **state)
{
    (void)state;
    enum { N = 64 * 1024 };
    unsigned char *buf = malloc(N);
    assert_non_null(buf);
    for (int seed = 1; seed <= 8; seed++) {
        uint64_t x = 0x9E3779B97F4A7C15u * (uint64_t)seed; /* splitmix64, fixed seeds */
        for (size_t i = 0; i < N; i += 8) {
            uint64_t z = (x += 0x9E3779B97F4A7C15u);
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
            z ^= z >> 31;
            memcpy(buf + i, &z, 8);
        }
        expect_rejected((const char *)buf, N, NULL);
    }
    free(buf);
}

static void test_deep_nesting(void **state)
{
    (void)state;
    enum { DEPTH = 10000 };
    char *text = malloc(2 * DEPTH + 16);
    assert_non_null(text);
    memset(text, '[', DEPTH);
    memset(text + DEPTH, ']', DEPTH);
    text[2 * DEPTH] = '\n';
    expect_rejected(text, 2 * DEPTH + 1,
                    "gen.yaml:1:65: error: nesting is too deep (more than 64 levels); a "
                    "scenario needs fewer than 10");
    /* Block mappings, 10000 deep, under a valid key. */
    size_t cap = (size_t)DEPTH * (DEPTH + 8) / 2 + 64, used = 0;
    char *block = malloc(cap);
    assert_non_null(block);
    used += (size_t)sprintf(block, "name: x\nservice:\n");
    for (int i = 1; i < 200; i++)
        used += (size_t)sprintf(block + used, "%*sk%d:\n", i * 2, "", i);
    expect_rejected(block, used, "gen.yaml:66:129: error: nesting is too deep (more than 64 "
                                 "levels); a scenario needs fewer than 10");
    free(block);
    free(text);
}

static void test_alias_bomb(void **state)
{
    (void)state;
    /* The classic "billion laughs": 10 levels of 10 aliases each. */
    char text[4096];
    size_t used = (size_t)sprintf(text, "name: x\nl0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for (int i = 1; i < 10; i++) {
        used += (size_t)sprintf(text + used, "l%d: &l%d [", i, i);
        for (int k = 0; k < 10; k++)
            used += (size_t)sprintf(text + used, "%s*l%d", k ? ", " : "", i - 1);
        used += (size_t)sprintf(text + used, "]\n");
    }
    expect_rejected(text, used, "gen.yaml:3:10: error: aliases (*l0) are not supported in "
                                "scenarios; write the value out");
}

/* A data file that does not exist is an I/O error: the loader counts it
 * (d.io_errors) and the CLI exits 3 for both validate and run (DESIGN.md
 * exit codes), leaving no output behind. */
static void test_missing_data_files_exit_3(void **state)
{
    (void)state;
    static const char *const cases[][2] = {
        {"tests/data/missing/trace.yaml", "tests/data/missing/no_such_trace.csv"},
        {"tests/data/missing/arrivals.yaml", "tests/data/missing/no_such_log.csv"},
        {"tests/data/missing/empirical.yaml", "tests/data/missing/no_such_times.csv"},
    };
    const char *bin = getenv("ECSIM_BIN");
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        long baseline = ecsim_alloc_live();
        ecsim_diags d;
        ecsim_diags_init(&d);
        assert_null(ecsim_scenario_load(cases[i][0], NULL, 0, &d));
        assert_int_equal(d.errors, 1);
        assert_int_equal(d.io_errors, 1);
        assert_string_equal(d.items[0].file, cases[i][1]);
        assert_non_null(strstr(d.items[0].message, "cannot open"));
        ecsim_diags_free(&d);
        assert_int_equal(ecsim_alloc_live(), baseline);
        if (!bin || !*bin)
            continue; /* the CLI half needs the binary */
        char cmd[1024];
        snprintf(cmd, sizeof cmd, "'%s' validate '%s' >/dev/null 2>&1", bin, cases[i][0]);
        int rc = system(cmd);
        assert_true(WIFEXITED(rc));
        assert_int_equal(WEXITSTATUS(rc), 3);
        char out[64];
        snprintf(out, sizeof out, "/tmp/ecsim-missing-%ld", (long)getpid());
        snprintf(cmd, sizeof cmd, "'%s' run '%s' --out '%s' --no-plots >/dev/null 2>&1", bin,
                 cases[i][0], out);
        rc = system(cmd);
        assert_true(WIFEXITED(rc));
        assert_int_equal(WEXITSTATUS(rc), 3);
        assert_int_equal(access(out, F_OK), -1); /* no output left behind */
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_committed_corpus), cmocka_unit_test(test_ten_megabytes),
        cmocka_unit_test(test_binary_garbage),   cmocka_unit_test(test_deep_nesting),
        cmocka_unit_test(test_alias_bomb),       cmocka_unit_test(test_missing_data_files_exit_3),
    };
    return cmocka_run_group_tests_name("bad_corpus", tests, NULL, NULL);
}
