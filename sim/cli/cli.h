/* The ecsim command line (sim/cli/cli.c), callable from main() and from tests. */
#ifndef ECSIM_CLI_H
#define ECSIM_CLI_H

#include <stdbool.h>
#include <stdio.h>

/* Run the command line `argv` (argv[0] is the program name), printing to
 * out/err. A scenario named `-` is read from stdin. Returns the process
 * exit code. */
int ecsim_cli_main(int argc, char **argv, FILE *out, FILE *err);

/* How `ecsim run` shows its progress on standard error. */
typedef enum ecsim_cli_progress {
    ECSIM_CLI_PROGRESS_NONE,  /* not a terminal, or --quiet: nothing */
    ECSIM_CLI_PROGRESS_PLAIN, /* a terminal with TERM unset or "dumb", or NO_COLOR set:
                                 carriage returns and spaces, no escape codes */
    ECSIM_CLI_PROGRESS_ANSI   /* any other terminal: the bar erases its line with ESC [K */
} ecsim_cli_progress;

/* The style for a stream that is (or not) a terminal, given $TERM and
 * $NO_COLOR (NULL = unset; NO_COLOR counts when non-empty, as no-color.org
 * says). */
ecsim_cli_progress ecsim_cli_progress_style(bool is_tty, bool quiet, const char *term,
                                            const char *no_color);

/* Draw one state of the bar: fraction done, simulated clock done and
 * total, rate per second in `unit`, seconds left. Nothing for NONE. */
void ecsim_cli_progress_draw(FILE *err, ecsim_cli_progress style, double frac, const char *done,
                             const char *total, double rate, const char *unit, double left_s);

/* Erase the bar (nothing for NONE). */
void ecsim_cli_progress_erase(FILE *err, ecsim_cli_progress style);


#endif
