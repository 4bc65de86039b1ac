/* Tables and the formats they render to.
 *
 * A table is a title, a header and rows of text cells; each column is TEXT
 * or NUMBER (NUMBER cells are emitted unquoted in JSON, empty ones as null,
 * and right-aligned in text). Renderers are a registry of named formats
 * (text, md, csv, json, latex, html): adding a format is one function and
 * one line in the registry (STYLE.md rule 7). Output is deterministic and
 * locale-independent. */
#ifndef ECSIM_TABLE_H
#define ECSIM_TABLE_H

#include <stddef.h>
#include <stdio.h>

typedef enum ecsim_col_kind {
    ECSIM_COL_TEXT,
    ECSIM_COL_NUMBER
} ecsim_col_kind;

typedef struct ecsim_table ecsim_table;

/* `key` is a machine name ("execution"), `title` a human one ("Execution
 * table"). Returns NULL on OOM. */
ecsim_table *ecsim_table_create(const char *key, const char *title, size_t ncols,
                                const char *const *header, const ecsim_col_kind *kinds);
void ecsim_table_destroy(ecsim_table *t);

/* Append a row of ncols cells (copied; NULL = empty). 0 or ECSIM_ENOMEM. */
int ecsim_table_add_row(ecsim_table *t, const char *const *cells);

size_t ecsim_table_rows(const ecsim_table *t);
size_t ecsim_table_cols(const ecsim_table *t);
const char *ecsim_table_key(const ecsim_table *t);
const char *ecsim_table_title(const ecsim_table *t);
const char *ecsim_table_header(const ecsim_table *t, size_t col);
ecsim_col_kind ecsim_table_kind(const ecsim_table *t, size_t col);
const char *ecsim_table_cell(const ecsim_table *t, size_t row, size_t col); /* never NULL */

/* Optional run context, for formats that label tables or make whole
 * documents (latex, latex-doc, html): an id unique per run (e.g.
 * "quickstart-s42", copied; "" when unset) and notes, (name, value) pairs
 * such as the run's key figures (copied, in order). Formats that have no
 * use for them ignore them. 0 or ECSIM_ENOMEM (the table is unchanged). */
int ecsim_table_set_id(ecsim_table *t, const char *id);
const char *ecsim_table_id(const ecsim_table *t); /* never NULL */
int ecsim_table_add_note(ecsim_table *t, const char *name, const char *value);
size_t ecsim_table_notes(const ecsim_table *t);
const char *ecsim_table_note_name(const ecsim_table *t, size_t i);
const char *ecsim_table_note_value(const ecsim_table *t, size_t i);

typedef struct ecsim_table_format {
    const char *name;        /* "md" */
    const char *extension;   /* "md" (file name extension, no dot) */
    const char *description;
    /* Render `n` tables into `out`, each with its title, separated as the
     * format requires (blank line, JSON object keyed by table key, ...).
     * 0, or ECSIM_EIO if writing failed. */
    int (*render)(const ecsim_table *const *tables, size_t n, FILE *out);
} ecsim_table_format;

/* Find a format by name; NULL if unknown. */
const ecsim_table_format *ecsim_table_format_find(const char *name);
/* The registry, for listing valid names; sets *count. */
const ecsim_table_format *ecsim_table_formats(size_t *count);

#endif
