/* Running the command line in-process for the tests (tests/test_cli.c,
 * test_windows.c, test_checks.c): ecsim_cli_main with its standard output
 * and error captured in memory. Include after <cmocka.h>. */
#ifndef ECSIM_TESTS_CLI_RUN_H
#define ECSIM_TESTS_CLI_RUN_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"

typedef struct run_result {
    int code;
    char *out; /* malloc'd by open_memstream: run_free */
    char *err;
} run_result;

/* ecsim_cli_main on a NULL-terminated argument list (argv[0] added). */
static inline run_result run_cli(const char *first, ...)
{
    char *argv[64];
    int argc = 0;
    static char prog[] = "ecsim";
    argv[argc++] = prog;
    va_list ap;
    va_start(ap, first);
    for (const char *a = first; a && argc < 63; a = va_arg(ap, const char *))
        argv[argc++] = (char *)a;
    va_end(ap);
    argv[argc] = NULL;
    run_result r = {0, NULL, NULL};
    size_t on = 0, en = 0;
    FILE *out = open_memstream(&r.out, &on);
    FILE *err = open_memstream(&r.err, &en);
    assert_non_null(out);
    assert_non_null(err);
    r.code = ecsim_cli_main(argc, argv, out, err);
    fclose(out);
    fclose(err);
    return r;
}

static inline void run_free(run_result *r)
{
    free(r->out);
    free(r->err);
}

#endif
