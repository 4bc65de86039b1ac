/* The ecsim command line (sim/cli/cli.c), callable from main() and from tests. */
#ifndef ECSIM_CLI_H
#define ECSIM_CLI_H

#include <stdio.h>

/* Run the command line `argv` (argv[0] is the program name), printing to
 * out/err. Returns the process exit code. */
int ecsim_cli_main(int argc, char **argv, FILE *out, FILE *err);

#endif
