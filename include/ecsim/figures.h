/* Figures: a JSON document (a run's summary.json) flattened into named
 * leaves, for `collect`, `compare`, `sweep` and `--fail-on`.
 *
 * Every leaf of the document becomes one entry named by its path, object
 * keys joined with '.', array elements by their index:
 * `capacity.unserved_requests`, `latency_s.p99`,
 * `lifecycle.steps.4.time_s`, `windows.spike.capacity.unserved_requests`.
 * Entries keep the document's order, which is the order summary.json
 * writes them in, so a table built from them has a stable column order.
 * An empty object or array is a leaf of kind ECSIM_FIG_NULL.
 *
 * The reader accepts RFC 8259 JSON (strings with every escape, \u
 * surrogate pairs decoded to UTF-8) nested at most 64 deep, and reports a
 * malformed document with its line and column. */
#ifndef ECSIM_FIGURES_H
#define ECSIM_FIGURES_H

#include <stddef.h>

typedef enum ecsim_fig_kind {
    ECSIM_FIG_NUMBER,
    ECSIM_FIG_STRING,
    ECSIM_FIG_BOOL,  /* num is 0 or 1 */
    ECSIM_FIG_NULL   /* a figure that does not apply to the run; num is NaN */
} ecsim_fig_kind;

typedef struct ecsim_figure {
    char *name;          /* the flattened path */
    ecsim_fig_kind kind;
    double num;          /* NUMBER and BOOL; NaN otherwise */
    char *str;           /* STRING: the decoded text; NULL otherwise */
} ecsim_figure;

typedef struct ecsim_figures {
    ecsim_figure *items;
    size_t count;
    size_t cap;
} ecsim_figures;

/* Parse the JSON text text[0..len) into `out` (initialised by this call).
 * On a syntax error returns ECSIM_EINVAL with "LINE:COLUMN: MESSAGE" in
 * err[0..errlen) and leaves `out` empty; ECSIM_ENOMEM when memory runs
 * out. */
int ecsim_figures_parse(const char *text, size_t len, ecsim_figures *out, char *err,
                        size_t errlen);

/* Read and parse the file at `path`. ECSIM_EIO (with strerror in err) when
 * it cannot be read; err then starts with the path. */
int ecsim_figures_read(const char *path, ecsim_figures *out, char *err, size_t errlen);

/* The entry called `name`, or NULL. Linear in the count (a summary has a
 * few hundred entries). */
const ecsim_figure *ecsim_figures_find(const ecsim_figures *f, const char *name);

/* The number called `name`: its value for NUMBER and BOOL, NaN for NULL,
 * STRING or an absent name (`*found`, when not NULL, says whether it was
 * present). */
double ecsim_figures_number(const ecsim_figures *f, const char *name, int *found);

/* Release the entries (a zeroed or already released set is fine). */
void ecsim_figures_free(ecsim_figures *f);

#endif
