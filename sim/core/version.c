/* The version of the linked library (include/ecsim/version.h). */
#include "ecsim/version.h"

const char *ecsim_version(void) { return ECSIM_VERSION; }
