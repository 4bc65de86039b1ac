/* ecsim's version, on its own so that any layer can print it without the
 * umbrella header (sim/core/version.c). */
#ifndef ECSIM_VERSION_H
#define ECSIM_VERSION_H

#define ECSIM_VERSION "0.1.0"

/* ECSIM_VERSION as a string of the library that is linked. */
const char *ecsim_version(void);

#endif
