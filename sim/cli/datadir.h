/* Where the installed data is (sim/cli/datadir.c): the plot templates and
 * the example scenarios, found at run time so that a binary installed under
 * any PREFIX (or copied elsewhere with its share/ folder) finds its own. */
#ifndef ECSIM_CLI_DATADIR_H
#define ECSIM_CLI_DATADIR_H

#include <stddef.h>

/* The data folder, the first of these that holds plots/demand_capacity.gp:
 *   1. DIR/../share/ecsim, DIR being the folder of `exe` resolved through
 *      symbolic links (exe NULL = /proc/self/exe: the running binary);
 *   2. the folder compiled in as ECSIM_DATADIR (the Makefile's DATADIR);
 *   3. the source tree the binary was built from (ECSIM_SRCDIR).
 * Writes it into buf and returns 0; ECSIM_ENOENT (buf empty) if none has
 * the template, ECSIM_EINVAL if buf is too small. */
int ecsim_cli_data_dir(const char *exe, char *buf, size_t size);

/* Make the plot template of the data folder the one `ecsim run` uses when
 * neither $ECSIM_PLOTS_DIR nor ./plots/ provides it (the search order of
 * include/ecsim/plot.h is kept: it sets ECSIM_PLOTS_DIR only then). */
void ecsim_cli_use_data_dir(void);

#endif
