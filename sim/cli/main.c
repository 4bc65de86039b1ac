/* ecsim's entry point: everything is in the library; see sim/cli/cli.c. */
#include <stdio.h>

#include "cli.h"

int main(int argc, char **argv)
{
    return ecsim_cli_main(argc, argv, stdout, stderr);
}
