/* ecsim's entry point: everything is in the library; see sim/cli/cli.c. */
#include <stdio.h>

#include "cli.h"
#include "ecsim/interrupt.h"

int main(int argc, char **argv)
{
    /* SIGINT / SIGTERM stop a run cleanly (exit 130 / 143, nothing
     * half-written, no gnuplot left behind): include/ecsim/interrupt.h. */
    ecsim_interrupt_install();
    return ecsim_cli_main(argc, argv, stdout, stderr);
}
