/* Tables (include/ecsim/table.h): a title, a header and rows of copied text
 * cells. The output formats that render them are in sim/report/formats.c.
 *
 * Rows are stored in one flat array of ncols * capacity cell pointers that
 * grows geometrically, so appending a row costs one allocation per
 * non-empty cell and, now and then, one reallocation. Empty cells are stored
 * as NULL and read back as "" (no allocation). A failed append leaves the
 * table exactly as it was. */
#include "ecsim/table.h"

#include <assert.h>
#include <string.h>

#include "ecsim/alloc.h"
#include "ecsim/error.h"

struct ecsim_table {
    char *key;              /* machine name, e.g. "execution" */
    char *title;            /* human name, e.g. "Execution table" */
    size_t ncols;
    char **header;          /* ncols owned strings */
    ecsim_col_kind *kinds;  /* ncols column kinds */
    char **cells;           /* row-major, nrows * ncols; NULL = empty cell */
    size_t nrows;
    size_t capacity_rows;   /* rows that fit in `cells` */
    char *id;               /* run id for labels; NULL = unset */
    char **notes;           /* 2 * nnotes owned strings: name, value, ... */
    size_t nnotes;
};


ecsim_table *ecsim_table_create(const char *key, const char *title, size_t ncols,
                                const char *const *header, const ecsim_col_kind *kinds)
{
    assert(ncols > 0);
    assert(header != NULL && kinds != NULL);
    ecsim_table *t = ecsim_calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->ncols = ncols;
    t->key = ecsim_strdup(key ? key : "");
    if (!t->key)
        goto fail_table;
    t->title = ecsim_strdup(title ? title : "");
    if (!t->title)
        goto fail_key;
    t->kinds = ecsim_calloc(ncols, sizeof *t->kinds);
    if (!t->kinds)
        goto fail_title;
    memcpy(t->kinds, kinds, ncols * sizeof *t->kinds);
    t->header = ecsim_calloc(ncols, sizeof *t->header);
    if (!t->header)
        goto fail_kinds;
    for (size_t c = 0; c < ncols; c++) {
        t->header[c] = ecsim_strdup(header[c] ? header[c] : "");
        if (!t->header[c])
            goto fail_header;
    }
    return t;

fail_header:
    for (size_t c = 0; c < ncols; c++)
        ecsim_free(t->header[c]);
    ecsim_free(t->header);
fail_kinds:
    ecsim_free(t->kinds);
fail_title:
    ecsim_free(t->title);
fail_key:
    ecsim_free(t->key);
fail_table:
    ecsim_free(t);
    return NULL;
}

void ecsim_table_destroy(ecsim_table *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->nrows * t->ncols; i++)
        ecsim_free(t->cells[i]);
    ecsim_free(t->cells);
    for (size_t i = 0; i < 2 * t->nnotes; i++)
        ecsim_free(t->notes[i]);
    ecsim_free(t->notes);
    ecsim_free(t->id);
    for (size_t c = 0; c < t->ncols; c++)
        ecsim_free(t->header[c]);
    ecsim_free(t->header);
    ecsim_free(t->kinds);
    ecsim_free(t->title);
    ecsim_free(t->key);
    ecsim_free(t);
}

int ecsim_table_add_row(ecsim_table *t, const char *const *cells)
{
    assert(t != NULL && cells != NULL);
    if (t->nrows == t->capacity_rows) {
        size_t capacity = t->capacity_rows ? t->capacity_rows * 2 : 8;
        if (capacity > (size_t)-1 / t->ncols)
            return ECSIM_ENOMEM;
        char **grown = ecsim_reallocarray(t->cells, capacity * t->ncols, sizeof *grown);
        if (!grown)
            return ECSIM_ENOMEM; /* the old array is still valid and unchanged */
        t->cells = grown;
        t->capacity_rows = capacity;
    }
    char **row = t->cells + t->nrows * t->ncols;
    for (size_t c = 0; c < t->ncols; c++) {
        row[c] = NULL;
        if (!cells[c] || !cells[c][0])
            continue;
        row[c] = ecsim_strdup(cells[c]);
        if (!row[c]) {
            for (size_t undo = 0; undo < c; undo++) {
                ecsim_free(row[undo]);
                row[undo] = NULL;
            }
            return ECSIM_ENOMEM;
        }
    }
    t->nrows++;
    return 0;
}

size_t ecsim_table_rows(const ecsim_table *t) { return t->nrows; }

size_t ecsim_table_cols(const ecsim_table *t) { return t->ncols; }

const char *ecsim_table_key(const ecsim_table *t) { return t->key; }

const char *ecsim_table_title(const ecsim_table *t) { return t->title; }

const char *ecsim_table_header(const ecsim_table *t, size_t col)
{
    assert(col < t->ncols);
    return t->header[col];
}

ecsim_col_kind ecsim_table_kind(const ecsim_table *t, size_t col)
{
    assert(col < t->ncols);
    return t->kinds[col];
}

const char *ecsim_table_cell(const ecsim_table *t, size_t row, size_t col)
{
    assert(row < t->nrows && col < t->ncols);
    const char *cell = t->cells[row * t->ncols + col];
    return cell ? cell : "";
}

int ecsim_table_set_id(ecsim_table *t, const char *id)
{
    char *copy = ecsim_strdup(id ? id : "");
    if (!copy)
        return ECSIM_ENOMEM;
    ecsim_free(t->id);
    t->id = copy;
    return 0;
}

const char *ecsim_table_id(const ecsim_table *t) { return t->id ? t->id : ""; }

int ecsim_table_add_note(ecsim_table *t, const char *name, const char *value)
{
    char **grown = ecsim_reallocarray(t->notes, 2 * (t->nnotes + 1), sizeof *grown);
    if (!grown)
        return ECSIM_ENOMEM;
    t->notes = grown;
    char *n = ecsim_strdup(name ? name : "");
    char *v = ecsim_strdup(value ? value : "");
    if (!n || !v) {
        ecsim_free(n);
        ecsim_free(v);
        return ECSIM_ENOMEM;
    }
    t->notes[2 * t->nnotes] = n;
    t->notes[2 * t->nnotes + 1] = v;
    t->nnotes++;
    return 0;
}

size_t ecsim_table_notes(const ecsim_table *t) { return t->nnotes; }

const char *ecsim_table_note_name(const ecsim_table *t, size_t i)
{
    assert(i < t->nnotes);
    return t->notes[2 * i];
}

const char *ecsim_table_note_value(const ecsim_table *t, size_t i)
{
    assert(i < t->nnotes);
    return t->notes[2 * i + 1];
}
