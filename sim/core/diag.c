/* Diagnostics list (include/ecsim/diag.h): collects every user-facing error
 * with its position so that a scenario's problems are all reported at once,
 * in the order found, as FILE:LINE:COLUMN: error: MESSAGE. */
#include "ecsim/diag.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ecsim/alloc.h"

#define DIAGS_DEFAULT_MAX 200

void ecsim_diags_init(ecsim_diags *d) { memset(d, 0, sizeof *d); }

void ecsim_diags_free(ecsim_diags *d)
{
    for (size_t i = 0; i < d->count; i++) {
        ecsim_free(d->items[i].file);
        ecsim_free(d->items[i].message);
    }
    ecsim_free(d->items);
    memset(d, 0, sizeof *d);
}

void ecsim_diags_add(ecsim_diags *d, ecsim_diag_level level, const char *file, int line,
                     int column, const char *fmt, ...)
{
    if (level == ECSIM_DIAG_ERROR)
        d->errors++;
    size_t max = d->max_items ? d->max_items : DIAGS_DEFAULT_MAX;
    if (d->count >= max)
        return;
    if (d->count == d->capacity) {
        size_t cap = d->capacity ? d->capacity * 2 : 8;
        ecsim_diag *items = ecsim_reallocarray(d->items, cap, sizeof *items);
        if (!items) {
            d->oom = 1;
            return;
        }
        d->items = items;
        d->capacity = cap;
    }
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    ecsim_diag *item = &d->items[d->count];
    item->level = level;
    item->line = line;
    item->column = column;
    item->file = ecsim_strdup(file ? file : "<input>");
    item->message = ecsim_strdup(buf);
    if (!item->file || !item->message) {
        ecsim_free(item->file);
        ecsim_free(item->message);
        d->oom = 1;
        return;
    }
    d->count++;
}

void ecsim_diags_print(const ecsim_diags *d, FILE *out)
{
    for (size_t i = 0; i < d->count; i++) {
        const ecsim_diag *item = &d->items[i];
        const char *level = item->level == ECSIM_DIAG_ERROR ? "error" : "warning";
        if (item->line > 0)
            fprintf(out, "%s:%d:%d: %s: %s\n", item->file, item->line, item->column, level,
                    item->message);
        else
            fprintf(out, "%s: %s: %s\n", item->file, level, item->message);
    }
    size_t max = d->max_items ? d->max_items : DIAGS_DEFAULT_MAX;
    if (d->count >= max && d->errors + 0 > d->count)
        fprintf(out, "(%zu more errors not shown)\n", d->errors - d->count);
    if (d->oom)
        fprintf(out, "error: out of memory while reporting errors\n");
}
