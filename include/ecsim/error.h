/* Error codes shared by every ecsim module.
 *
 * Functions return int: 0 on success, a negative ECSIM_E* code on failure
 * (STYLE.md rule 10). Constructors return NULL instead. User errors in a
 * scenario are not error codes but diagnostics (see diag.h): a function that
 * found them returns ECSIM_EINVAL after recording each one. */
#ifndef ECSIM_ERROR_H
#define ECSIM_ERROR_H

enum {
    ECSIM_OK = 0,
    ECSIM_ENOMEM = -1,   /* allocation failed */
    ECSIM_EINVAL = -2,   /* invalid input: scenario, option or argument */
    ECSIM_EIO = -3,      /* file could not be read or written */
    ECSIM_ENOENT = -4,   /* no such item (file, key, event) */
    ECSIM_ERANGE = -5,   /* value out of range */
    ECSIM_ESTATE = -6,   /* operation not valid in the current state */
    ECSIM_EINTERNAL = -7, /* a bug in ecsim: a computed event time was not finite or in the past */
    ECSIM_EINTR = -8      /* stopped by SIGINT or SIGTERM (include/ecsim/interrupt.h) */
};

/* Exit codes of the ecsim program (DESIGN.md, "The CLI contract"). */
enum {
    ECSIM_EXIT_OK = 0,
    ECSIM_EXIT_FAIL = 1,     /* internal failure (out of memory) */
    ECSIM_EXIT_USAGE = 2,    /* bad usage or invalid scenario */
    ECSIM_EXIT_IO = 3,       /* I/O error */
    ECSIM_EXIT_CHECKS = 4,   /* a --fail-on threshold or a scenario `checks:` entry failed */
    ECSIM_EXIT_SOFTWARE = 70 /* internal error (EX_SOFTWARE of sysexits.h) */
};

/* A short English description of an ECSIM_E* code; never NULL. */
const char *ecsim_strerror(int err);

#endif
