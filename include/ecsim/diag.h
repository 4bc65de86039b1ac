/* Diagnostics: user-facing errors and warnings with a source location.
 *
 * Printed as `FILE:LINE:COLUMN: error: MESSAGE` (DESIGN.md, CLI contract).
 * Lines and columns are 1-based; a diagnostic with line 0 has no position
 * (a --set override, a whole-file problem) and prints as `FILE: error: ...`.
 * A list collects every problem in a file, not only the first. */
#ifndef ECSIM_DIAG_H
#define ECSIM_DIAG_H

#include <stddef.h>
#include <stdio.h>

typedef enum ecsim_diag_level {
    ECSIM_DIAG_ERROR,
    ECSIM_DIAG_WARNING
} ecsim_diag_level;

typedef struct ecsim_diag {
    ecsim_diag_level level;
    char *file;        /* owned copy */
    int line;          /* 1-based; 0 = no position */
    int column;        /* 1-based; 0 = no position */
    char *message;     /* owned copy, no trailing newline */
} ecsim_diag;

typedef struct ecsim_diags {
    ecsim_diag *items;
    size_t count;
    size_t capacity;
    size_t errors;     /* items with level ECSIM_DIAG_ERROR */
    size_t max_items;  /* stop recording after this many (0 = 200) */
    int oom;           /* set if recording a diagnostic ran out of memory */
    size_t io_errors;  /* errors that are I/O failures (a file that cannot be read):
                          counted by whoever records them; the CLI exits 3 for them */
} ecsim_diags;

void ecsim_diags_init(ecsim_diags *d);
void ecsim_diags_free(ecsim_diags *d);

/* Record a diagnostic (printf-style message). Never fails visibly: on OOM it
 * sets d->oom and still counts an error. */
#if defined(__GNUC__)
__attribute__((format(printf, 6, 7)))
#endif
void ecsim_diags_add(ecsim_diags *d, ecsim_diag_level level, const char *file, int line,
                     int column, const char *fmt, ...);

/* Print every diagnostic, one per line, in the order recorded. */
void ecsim_diags_print(const ecsim_diags *d, FILE *out);

#endif
