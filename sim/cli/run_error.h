/* How the commands that simulate (run, tables, step, quiz) report a run
 * that could not finish: one message and one exit code for all of them. */
#ifndef ECSIM_CLI_RUN_ERROR_H
#define ECSIM_CLI_RUN_ERROR_H

#include <stdio.h>

/* Report a simulation that stopped with `rc` (< 0) on `err`, prefixed by
 * `who` ("ecsim", "ecsim quiz"), and return the exit code: 70 (EX_SOFTWARE)
 * for an internal error (ECSIM_EINTERNAL: the message gives the simulated
 * time, the refused event time, the scenario and the seed, to report it),
 * 130 / 143 for ECSIM_EINTR (ecsim_cli_interrupted), 3 for ECSIM_ENOMEM
 * (the message gives the failed request's size and the simulated time), 1
 * otherwise. */
struct ecsim_sim;
/* Report that SIGINT or SIGTERM stopped the command and return its exit
 * code, 130 or 143 (include/ecsim/interrupt.h). */
int ecsim_cli_interrupted(const char *who, FILE *err);
int ecsim_cli_simulation_failed(const struct ecsim_sim *sim, int rc, const char *who, FILE *err);

#endif
