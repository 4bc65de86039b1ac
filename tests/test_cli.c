/* Tests for the command line (sim/cli/cli.c, cli_doc.c, datadir.c): short
 * and long options through getopt_long, usage errors naming the option, a
 * scenario on standard input, `validate --format json`, the progress bar's
 * terminal rules, the one help table rendered as --help, man page and bash
 * completion, and the run-time data folder. ecsim_cli_main is called in
 * process with its output captured; the stdin cases run $ECSIM_BIN (the
 * built program, set by `make check`) through popen and fail without it.
 * Run from the repository root (the scenarios are read from there). */
#define _XOPEN_SOURCE 700 /* realpath */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli_run.h"
#include "cli/datadir.h"
#include "ecsim/alloc.h"
#include "ecsim/error.h"
#include "ecsim/interrupt.h"
#include "ecsim/output.h"
#include "read_text.h"

/* ---- helpers ---------------------------------------------------------------- */


/* The output of a shell command (stdout and stderr), and its exit status. */
static char *shell(const char *cmd, int *status)
{
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    char *buf = NULL;
    size_t n = 0;
    FILE *mem = open_memstream(&buf, &n);
    char chunk[4096];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, p)) > 0)
        fwrite(chunk, 1, got, mem);
    fclose(mem);
    int st = pclose(p);
    *status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    return buf;
}

static const char *ecsim_bin(void)
{
    const char *bin = getenv("ECSIM_BIN");
    return bin && *bin ? bin : NULL;
}

/* ---- options ---------------------------------------------------------------- */

/* -f md gives the same bytes as --format md: the golden tables. */
static void test_short_format_matches_golden(void **state)
{
    (void)state;
    char *golden = read_text("tests/golden/tables-seed-walkthrough.md");
    assert_non_null(golden);
    run_result r = run_cli("tables", "-f", "md", "scenarios/seed-walkthrough.yaml", NULL);
    assert_int_equal(r.code, 0);
    assert_string_equal(r.out, golden);
    run_free(&r);
    r = run_cli("tables", "scenarios/seed-walkthrough.yaml", "--format=md", NULL);
    assert_int_equal(r.code, 0);
    assert_string_equal(r.out, golden);
    run_free(&r);
    r = run_cli("tables", "-fmd", "-s", "42", "scenarios/seed-walkthrough.yaml", NULL);
    assert_int_equal(r.code, 0);
    assert_string_equal(r.out, golden);
    run_free(&r);
    /* options after the file even where getopt would stop at the first file */
    setenv("POSIXLY_CORRECT", "1", 1);
    r = run_cli("tables", "scenarios/seed-walkthrough.yaml", "-f", "md", NULL);
    unsetenv("POSIXLY_CORRECT");
    assert_int_equal(r.code, 0);
    assert_string_equal(r.out, golden);
    run_free(&r);
    free(golden);
}

static void test_unknown_option_names_it_and_usage(void **state)
{
    (void)state;
    run_result r = run_cli("run", "scenarios/quickstart.yaml", "--frob", NULL);
    assert_int_equal(r.code, 2);
    assert_non_null(strstr(r.err, "ecsim run: error: unknown option `--frob`"));
    assert_non_null(strstr(r.err, "usage: ecsim run SCENARIO.yaml|- [-o DIR]"));
    run_free(&r);
    r = run_cli("step", "scenarios/quickstart.yaml", "-o", "x", NULL);
    assert_int_equal(r.code, 2);
    assert_non_null(strstr(r.err, "unknown option `-o`"));
    assert_non_null(strstr(r.err, "usage: ecsim step"));
    run_free(&r);
    /* -j is a known option, but no command takes it today */
    r = run_cli("run", "scenarios/quickstart.yaml", "-j", "2", NULL);
    assert_int_equal(r.code, 2);
    assert_non_null(strstr(r.err, "unknown option `-j`"));
    run_free(&r);
}

static void test_missing_value_names_option(void **state)
{
    (void)state;
    run_result r = run_cli("run", "scenarios/quickstart.yaml", "-o", NULL);
    assert_int_equal(r.code, 2);
    assert_non_null(strstr(r.err, "option `-o/--out` needs a value"));
    assert_non_null(strstr(r.err, "usage: ecsim run"));
    run_free(&r);
    r = run_cli("run", "scenarios/quickstart.yaml", "--set", NULL);
    assert_int_equal(r.code, 2);
    assert_non_null(strstr(r.err, "option `--set` needs a value"));
    run_free(&r);
    r = run_cli("tables", "scenarios/quickstart.yaml", "--format=", NULL);
    assert_int_equal(r.code, 2);
    assert_non_null(strstr(r.err, "option `-f/--format` needs a non-empty value"));
    run_free(&r);
    r = run_cli("run", "scenarios/quickstart.yaml", "--quiet=yes", NULL);
    assert_int_equal(r.code, 2);
    assert_non_null(strstr(r.err, "option `-q/--quiet` takes no value"));
    run_free(&r);
}

static void test_help_short_and_long(void **state)
{
    (void)state;
    run_result a = run_cli("validate", "-h", NULL);
    run_result b = run_cli("validate", "--help", NULL);
    assert_int_equal(a.code, 0);
    assert_string_equal(a.out, b.out);
    assert_non_null(strstr(a.out, "usage: ecsim validate"));
    assert_non_null(strstr(a.out, "-f, --format FORMAT"));
    assert_non_null(strstr(a.out, "`-`"));
    run_free(&a);
    run_free(&b);
    a = run_cli("--version", NULL);
    assert_int_equal(a.code, 0);
    assert_memory_equal(a.out, "ecsim ", 6);
    run_free(&a);
}

static void test_validate_stdin_twice_refused(void **state)
{
    (void)state;
    run_result r = run_cli("validate", "-", "-", NULL);
    assert_int_equal(r.code, 2);
    assert_non_null(strstr(r.err, "`-` (standard input) can be given once"));
    run_free(&r);
}

static void test_validate_json_unknown_format(void **state)
{
    (void)state;
    run_result r = run_cli("validate", "-f", "xml", "scenarios/quickstart.yaml", NULL);
    assert_int_equal(r.code, 2);
    assert_non_null(strstr(r.err, "valid formats: text json"));
    run_free(&r);
    r = run_cli("validate", "--format", "json", "scenarios/quickstart.yaml", NULL);
    assert_int_equal(r.code, 0);
    assert_string_equal(r.out, ""); /* a valid file: no object */
    run_free(&r);
}

/* ---- standard input (the program, through a pipe) ---------------------------- */

static void test_stdin_error_location(void **state)
{
    (void)state;
    const char *bin = ecsim_bin();
    if (!bin)
        fail_msg("ECSIM_BIN is not set (make check sets it to the built program)");
    char cmd[1024];
    int status;
    snprintf(cmd, sizeof cmd,
             "printf 'name: x\\nservice:\\n  desird: 3\\n' | %s validate - 2>&1", bin);
    char *out = shell(cmd, &status);
    assert_int_equal(status, 2);
    assert_non_null(strstr(out, "<stdin>:3:3: error: unknown field `service.desird`"));
    free(out);
    snprintf(cmd, sizeof cmd, "%s validate - < scenarios/quickstart.yaml 2>&1", bin);
    out = shell(cmd, &status);
    assert_int_equal(status, 0);
    assert_string_equal(out, "<stdin>: ok (quickstart)\n");
    free(out);
}

static void test_stdin_tables_match_file(void **state)
{
    (void)state;
    const char *bin = ecsim_bin();
    if (!bin)
        fail_msg("ECSIM_BIN is not set (make check sets it to the built program)");
    char cmd[1024];
    int status;
    snprintf(cmd, sizeof cmd, "%s tables -f text - < scenarios/seed-walkthrough.yaml", bin);
    char *out = shell(cmd, &status);
    char *golden = read_text("tests/golden/tables-seed-walkthrough.text");
    assert_non_null(golden);
    assert_int_equal(status, 0);
    assert_string_equal(out, golden);
    free(out);
    free(golden);
}

static void test_validate_json_objects(void **state)
{
    (void)state;
    const char *bin = ecsim_bin();
    if (!bin)
        fail_msg("ECSIM_BIN is not set (make check sets it to the built program)");
    char cmd[1024];
    int status;
    snprintf(cmd, sizeof cmd,
             "printf 'name: x\\nduration: -5\\n' | %s validate --format json - 2>/dev/null", bin);
    char *out = shell(cmd, &status);
    assert_int_equal(status, 2);
    assert_string_equal(out,
                        "{\"file\": \"<stdin>\", \"line\": 2, \"column\": 11, \"severity\": "
                        "\"error\", \"field\": \"duration\", \"message\": \"duration: expected a "
                        "duration >= 1s and <= 366d (seconds, or e.g. 90s, 5m, 1h30m, 2d, 20ms), "
                        "got \\\"-5\\\"\"}\n");
    free(out);
    snprintf(cmd, sizeof cmd, "%s validate -f json tests/no-such-file.yaml", bin);
    out = shell(cmd, &status);
    assert_int_equal(status, 3);
    assert_non_null(strstr(out, "{\"file\": \"tests/no-such-file.yaml\", \"line\": null, "
                                "\"column\": null, \"severity\": \"error\", \"field\": null, "));
    free(out);
}

/* ---- progress bar --------------------------------------------------------------- */

static void test_progress_style(void **state)
{
    (void)state;
    assert_int_equal(ecsim_cli_progress_style(false, false, "xterm", NULL), ECSIM_CLI_PROGRESS_NONE);
    assert_int_equal(ecsim_cli_progress_style(true, true, "xterm", NULL), ECSIM_CLI_PROGRESS_NONE);
    assert_int_equal(ecsim_cli_progress_style(true, false, "xterm", NULL), ECSIM_CLI_PROGRESS_ANSI);
    assert_int_equal(ecsim_cli_progress_style(true, false, "xterm", ""), ECSIM_CLI_PROGRESS_ANSI);
    assert_int_equal(ecsim_cli_progress_style(true, false, "dumb", NULL), ECSIM_CLI_PROGRESS_PLAIN);
    assert_int_equal(ecsim_cli_progress_style(true, false, NULL, NULL), ECSIM_CLI_PROGRESS_PLAIN);
    assert_int_equal(ecsim_cli_progress_style(true, false, "xterm", "1"), ECSIM_CLI_PROGRESS_PLAIN);
}

static char *draw(ecsim_cli_progress style)
{
    char *buf = NULL;
    size_t n = 0;
    FILE *mem = open_memstream(&buf, &n);
    ecsim_cli_progress_draw(mem, style, 0.5, "00:30:00", "01:00:00", 2.5e6, "events", 3);
    ecsim_cli_progress_erase(mem, style);
    fclose(mem);
    return buf;
}

static void test_progress_escape_codes(void **state)
{
    (void)state;
    char *plain = draw(ECSIM_CLI_PROGRESS_PLAIN);
    assert_null(strchr(plain, '\033'));
    assert_non_null(strstr(plain, "[###############---------------]  50%  00:30:00 of 01:00:00"));
    free(plain);
    char *ansi = draw(ECSIM_CLI_PROGRESS_ANSI);
    assert_non_null(strstr(ansi, "\033[K"));
    free(ansi);
    char *none = draw(ECSIM_CLI_PROGRESS_NONE);
    assert_string_equal(none, "");
    free(none);
}

/* ---- one source for --help, the man page and the completion -------------------- */

static void test_help_man_completion_agree(void **state)
{
    (void)state;
    run_result man = run_cli("--help-man", NULL);
    run_result comp = run_cli("--bash-completion", NULL);
    assert_int_equal(man.code, 0);
    assert_int_equal(comp.code, 0);
    assert_memory_equal(man.out, ".\\\"", 3);
    assert_non_null(strstr(man.out, ".TH ECSIM 1"));
    assert_non_null(strstr(comp.out, "complete -F _ecsim ecsim"));
    /* settable fields, lists written with [0]; mappings left out */
    assert_non_null(strstr(comp.out, " autoscaler.target "));
    assert_non_null(strstr(comp.out, " load.profile[0].rps "));
    assert_null(strstr(comp.out, " load.profile "));
    const char *cmds[] = {"run", "step", "validate", "tables", "decide"};
    size_t checked = 0;
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
        run_result help = run_cli(cmds[i], "--help", NULL);
        assert_int_equal(help.code, 0);
        char sect[64];
        snprintf(sect, sizeof sect, ".SS \"%s\"", cmds[i]);
        assert_non_null(strstr(man.out, sect));
        /* every "--name" of the help is in the man page as "\-\-name"
         * and in the completion's words for the command */
        char words_key[64];
        snprintf(words_key, sizeof words_key, "    %s) words='", cmds[i]);
        const char *words = strstr(comp.out, words_key);
        assert_non_null(words);
        const char *words_end = strchr(words + strlen(words_key), '\'');
        const char *opts = strstr(help.out, "\noptions:\n");
        assert_non_null(opts);
        for (const char *p = opts; (p = strstr(p, " --")) != NULL; p += 3) {
            char name[48];
            size_t n = strcspn(p + 3, " \n");
            assert_true(n > 0 && n < 40);
            snprintf(name, sizeof name, "%.*s", (int)n, p + 3);
            char roff[64], bash[64];
            snprintf(roff, sizeof roff, "\\fB\\-\\-");
            snprintf(bash, sizeof bash, "--%s", name);
            char *dashed = roff + strlen(roff);
            for (const char *c = name; *c && dashed < roff + sizeof roff - 3; c++) {
                if (*c == '-')
                    *dashed++ = '\\';
                *dashed++ = *c;
            }
            *dashed = '\0';
            assert_non_null(strstr(man.out, roff));
            const char *hit = strstr(words, bash);
            assert_true(hit && hit < words_end);
            checked++;
        }
        run_free(&help);
    }
    assert_true(checked >= 15);
    run_free(&man);
    run_free(&comp);
}

/* ---- data folder -------------------------------------------------------------- */

/* SIGINT / SIGTERM recorded while the simulation runs (issue 10 point 7):
 * the run stops before writing anything, exits 128 + the signal and says
 * so; a previous folder stays. (The signal while files are written and
 * while gnuplot runs is checked on the real program in tests/integration.sh.) */
static void test_interrupted_run_writes_nothing(void **state)
{
    (void)state;
    char root[] = "/tmp/ecsim-cli-int.XXXXXX";
    assert_non_null(mkdtemp(root));
    const int sigs[] = {2, 15}; /* SIGINT, SIGTERM */
    const int codes[] = {130, 143};
    for (int i = 0; i < 2; i++) {
        ecsim_interrupt_set(sigs[i]);
        run_result r = run_cli("run", "scenarios/quickstart.yaml", "-o", root, "-q", "--no-plots",
                               NULL);
        ecsim_interrupt_set(0);
        assert_int_equal(r.code, codes[i]);
        assert_non_null(strstr(r.err, i == 0 ? "interrupted by SIGINT" : "interrupted by SIGTERM"));
        run_free(&r);
        char path[256];
        snprintf(path, sizeof path, "%s/quickstart", root);
        assert_int_equal(access(path, F_OK), -1);
    }
    assert_int_equal(ecsim_remove_tree(root), 0);
}

/* Out of memory during a run ends it with exit 3, the size of the request
 * that failed and the simulated time, never a retry loop or a crash (issue
 * 10 point 6). Allocation failures are injected from the n-th allocation on,
 * for n across the whole run: every one ends cleanly, those inside the
 * simulation with that message. */
static void test_out_of_memory_exits_3_with_the_amount(void **state)
{
    (void)state;
    char root[] = "/tmp/ecsim-cli-oom.XXXXXX";
    assert_non_null(mkdtemp(root));
    int in_simulation = 0;
    for (long nth = 50; nth <= 20000; nth = nth * 3 / 2) {
        ecsim_alloc_fail_after(nth);
        run_result r = run_cli("run", "scenarios/quickstart.yaml", "-o", root, "-q", "--no-plots",
                               NULL);
        ecsim_alloc_fail_after(0);
        if (r.code == 0) { /* the run needed fewer allocations than nth */
            run_free(&r);
            break;
        }
        assert_true(r.code == 1 || r.code == 2 || r.code == 3);
        if (strstr(r.err, "out of memory: an allocation of")) {
            assert_int_equal(r.code, 3);
            assert_non_null(strstr(r.err, "bytes ("));
            assert_non_null(strstr(r.err, "at simulated time "));
            in_simulation++;
        }
        run_free(&r);
    }
    assert_true(in_simulation > 0);
    assert_int_equal(ecsim_remove_tree(root), 0);
}

static void touch(const char *path)
{
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fclose(fp);
}

static void test_data_dir_beside_binary(void **state)
{
    (void)state;
    char root[] = "/tmp/ecsim-test-cli-XXXXXX";
    assert_non_null(mkdtemp(root));
    char path[512], expect[PATH_MAX + 32], got[PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/usr", root);
    assert_int_equal(mkdir(path, 0755), 0);
    snprintf(path, sizeof path, "%s/usr/bin", root);
    assert_int_equal(mkdir(path, 0755), 0);
    snprintf(path, sizeof path, "%s/usr/share", root);
    assert_int_equal(mkdir(path, 0755), 0);
    snprintf(path, sizeof path, "%s/usr/share/ecsim", root);
    assert_int_equal(mkdir(path, 0755), 0);
    snprintf(path, sizeof path, "%s/usr/share/ecsim/plots", root);
    assert_int_equal(mkdir(path, 0755), 0);
    snprintf(path, sizeof path, "%s/usr/share/ecsim/plots/demand_capacity.gp", root);
    touch(path);
    snprintf(path, sizeof path, "%s/usr/bin/ecsim", root);
    touch(path);
    /* a symbolic link to the binary resolves to where it really is */
    char link_path[512];
    snprintf(link_path, sizeof link_path, "%s/ecsim-link", root);
    assert_int_equal(symlink(path, link_path), 0);

    char real_root[PATH_MAX];
    assert_non_null(realpath(root, real_root));
    snprintf(expect, sizeof expect, "%s/usr/share/ecsim", real_root);
    assert_int_equal(ecsim_cli_data_dir(path, got, sizeof got), 0);
    assert_string_equal(got, expect);
    assert_int_equal(ecsim_cli_data_dir(link_path, got, sizeof got), 0);
    assert_string_equal(got, expect);
    assert_int_equal(ecsim_cli_data_dir(path, got, 4), ECSIM_EINVAL);

    /* without share/ecsim beside it: the compiled-in folder or the source
     * tree, which holds the template */
    unlink(link_path);
    snprintf(path, sizeof path, "%s/usr/share/ecsim/plots/demand_capacity.gp", root);
    unlink(path);
    snprintf(path, sizeof path, "%s/usr/bin/ecsim", root);
    assert_int_equal(ecsim_cli_data_dir(path, got, sizeof got), 0);
    assert_string_not_equal(got, expect);
    char tmpl[PATH_MAX + 64];
    snprintf(tmpl, sizeof tmpl, "%s/plots/demand_capacity.gp", got);
    assert_int_equal(access(tmpl, R_OK), 0);

    unlink(path);
    const char *dirs[] = {"usr/share/ecsim/plots", "usr/share/ecsim", "usr/share", "usr/bin", "usr",
                          ""};
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", root, dirs[i]);
        rmdir(path);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_short_format_matches_golden),
        cmocka_unit_test(test_interrupted_run_writes_nothing),
        cmocka_unit_test(test_out_of_memory_exits_3_with_the_amount),
        cmocka_unit_test(test_unknown_option_names_it_and_usage),
        cmocka_unit_test(test_missing_value_names_option),
        cmocka_unit_test(test_help_short_and_long),
        cmocka_unit_test(test_validate_stdin_twice_refused),
        cmocka_unit_test(test_validate_json_unknown_format),
        cmocka_unit_test(test_stdin_error_location),
        cmocka_unit_test(test_stdin_tables_match_file),
        cmocka_unit_test(test_validate_json_objects),
        cmocka_unit_test(test_progress_style),
        cmocka_unit_test(test_progress_escape_codes),
        cmocka_unit_test(test_help_man_completion_agree),
        cmocka_unit_test(test_data_dir_beside_binary),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
