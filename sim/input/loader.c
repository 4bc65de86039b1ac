/* The scenario loader (include/ecsim/loader.h): YAML text in, a validated
 * ecsim_scenario out, every problem reported with its position.
 *
 * Stages, each simple on its own:
 *   1. read the file (at most LOADER_MAX_BYTES) and hash it;
 *   2. build a small node tree with the one YAML front end (yaml_doc.h,
 *      shared with `ecsim decide`): aliases rejected at their position,
 *      nesting, node count and size capped, errors located;
 *   3. walk the tree against the schema table (sim/input/schema.h), writing the
 *      struct and recording where each field was given (a hash map from the
 *      dotted path to its line and column, used for duplicate keys and to put
 *      cross-field errors on the right line);
 *   4. apply each --set KEY=VALUE through the same walker;
 *   5. fill the defaults that depend on other fields, check the cross-field
 *      rules, stable-sort the events.
 * Nothing stops at the first error: every stage records what it finds and
 * goes on where the input still makes sense (a syntax error ends stage 2,
 * since nothing after it can be trusted). */
#include "ecsim/loader.h"

#include <assert.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ecsim/alloc.h"
#include "ecsim/error.h"
#include "ecsim/output.h"
#include "instance_type.h"
#include "schema.h"
#include "yaml_doc.h"

#define LOADER_MAX_BYTES YDOC_MAX_BYTES /* the shared YAML limits (yaml_doc.h) */
#define LOADER_PATH_MAX 512

#if defined(__GNUC__)
#define PRINTF_LIKE(f, a) __attribute__((format(printf, f, a)))
#else
#define PRINTF_LIKE(f, a)
#endif

/* ---- the node tree: the shared YAML front end (yaml_doc.h) ---------------------- */

typedef ydoc tree;
typedef ydoc_node node;

static const char *node_text(const tree *t, const node *n) { return ydoc_text(t, n); }

/* ---- the loader context ---------------------------------------------------------- */

typedef struct pos_entry {
    char *path;          /* NULL = empty slot */
    int source;          /* 0 = the file, i + 1 = --set number i */
    int line, column;
    bool bad;            /* the value was rejected: rules involving it are skipped */
} pos_entry;

typedef struct loader {
    ecsim_diags *d;
    const char *file;    /* display name of the file */
    char **set_labels;   /* "--set K=V" for each override */
    int source;          /* what is being walked now (see pos_entry) */
    tree *t;             /* the tree being walked */
    ecsim_scenario *sc;
    pos_entry *slots;    /* open-addressing hash map: dotted path -> where it was given */
    size_t slot_cap, slot_count;
    bool oom;
} loader;

static const char *source_name(const loader *L, int source)
{
    return source == 0 ? L->file : L->set_labels[source - 1];
}

PRINTF_LIKE(5, 6)
static void report(loader *L, int source, int line, int column, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (source != 0)
        line = column = 0; /* a --set has no position, only its text */
    ecsim_diags_add(L->d, ECSIM_DIAG_ERROR, source_name(L, source), line, column, "%s", buf);
}

/* An error at node `ni` of the tree being walked. */
PRINTF_LIKE(3, 4)
static void report_node(loader *L, long ni, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (ni < 0) { /* a --set path: no node */
        report(L, L->source, 0, 0, "%s", buf);
        return;
    }
    const node *n = &L->t->nodes[ni];
    report(L, L->source, n->line, n->column, "%s", buf);
}

/* ---- where each field was given: a hash map keyed by dotted path ---- */

static uint64_t hash_path(const char *s)
{
    uint64_t h = 1469598103934665603u; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211u;
    return h;
}

static pos_entry *pos_find(const loader *L, const char *path)
{
    if (!L->slot_cap)
        return NULL;
    size_t mask = L->slot_cap - 1;
    for (size_t i = hash_path(path) & mask;; i = (i + 1) & mask) {
        if (!L->slots[i].path)
            return NULL;
        if (strcmp(L->slots[i].path, path) == 0)
            return &L->slots[i];
    }
}

static int pos_grow(loader *L)
{
    size_t cap = L->slot_cap ? L->slot_cap * 2 : 256;
    pos_entry *slots = ecsim_calloc(cap, sizeof *slots);
    if (!slots)
        return ECSIM_ENOMEM;
    for (size_t i = 0; i < L->slot_cap; i++) {
        if (!L->slots[i].path)
            continue;
        size_t j = hash_path(L->slots[i].path) & (cap - 1);
        while (slots[j].path)
            j = (j + 1) & (cap - 1);
        slots[j] = L->slots[i];
    }
    ecsim_free(L->slots);
    L->slots = slots;
    L->slot_cap = cap;
    return 0;
}

/* Record that `path` was given at (source, line, column). If it was already
 * given, *previous receives the old entry's copy and the entry is updated. */
static void pos_put(loader *L, const char *path, int line, int column, pos_entry *previous)
{
    if (previous)
        previous->path = NULL;
    pos_entry *e = pos_find(L, path);
    if (e) {
        if (previous)
            *previous = *e;
        e->source = L->source;
        e->line = line;
        e->column = column;
        e->bad = false;
        return;
    }
    if ((L->slot_count + 1) * 2 > L->slot_cap && pos_grow(L) != 0) {
        L->oom = true;
        return;
    }
    char *copy = ecsim_strdup(path);
    if (!copy) {
        L->oom = true;
        return;
    }
    size_t mask = L->slot_cap - 1;
    size_t i = hash_path(path) & mask;
    while (L->slots[i].path)
        i = (i + 1) & mask;
    L->slots[i] = (pos_entry){copy, L->source, line, column, false};
    L->slot_count++;
}

/* Forget every recorded path that is `prefix` followed by `sep` ("events"
 * and '[' remove "events[...]"): a --set that replaces a whole list or list
 * entry replaces what was given for it. The table is rebuilt without them,
 * which keeps the probe chains intact. */
static void pos_forget(loader *L, const char *prefix, char sep)
{
    size_t plen = strlen(prefix);
    pos_entry *old = L->slots;
    size_t old_cap = L->slot_cap;
    L->slots = NULL;
    L->slot_cap = L->slot_count = 0;
    for (size_t i = 0; i < old_cap; i++) {
        pos_entry *e = &old[i];
        if (!e->path)
            continue;
        bool drop = strncmp(e->path, prefix, plen) == 0 && e->path[plen] == sep;
        if (!drop && !L->oom) {
            if ((L->slot_count + 1) * 2 > L->slot_cap && pos_grow(L) != 0) {
                L->oom = true;
            } else {
                size_t j = hash_path(e->path) & (L->slot_cap - 1);
                while (L->slots[j].path)
                    j = (j + 1) & (L->slot_cap - 1);
                L->slots[j] = *e;
                L->slot_count++;
                continue; /* ownership moved */
            }
        }
        ecsim_free(e->path);
    }
    ecsim_free(old);
}

static void pos_free(loader *L)
{
    for (size_t i = 0; i < L->slot_cap; i++)
        ecsim_free(L->slots[i].path);
    ecsim_free(L->slots);
    L->slots = NULL;
    L->slot_cap = L->slot_count = 0;
}

/* ---- stage 2: YAML to a tree (yaml_doc.c) ------------------------------------------ */

/* Parse `text` into `t` with the shared limits; errors name the file or the
 * --set being applied. 0, ECSIM_EINVAL (reported) or ECSIM_ENOMEM. */
static int tree_parse(loader *L, tree *t, const unsigned char *text, size_t len)
{
    ydoc_source src = {source_name(L, L->source), L->source == 0, "scenario"};
    return ydoc_parse(t, text, len, &src, L->d);
}

/* ---- describing input for messages ---- */

/* `"text"` (truncated, control characters shown as ?), `a mapping`, ... */
static void describe_node(const loader *L, long ni, char *buf, size_t size)
{
    const node *n = &L->t->nodes[ni];
    if (n->type == YDOC_MAP) {
        snprintf(buf, size, "a mapping");
        return;
    }
    if (n->type == YDOC_SEQ) {
        snprintf(buf, size, "a list");
        return;
    }
    if (ydoc_is_null(L->t, n)) {
        snprintf(buf, size, "nothing");
        return;
    }
    const unsigned char *s = (const unsigned char *)node_text(L->t, n);
    size_t out = 0, limit = 40;
    char tmp[64];
    size_t i = 0;
    for (; i < n->len && out < limit; i++)
        tmp[out++] = s[i] < 0x20 || s[i] == 0x7F ? '?' : (char)s[i];
    while (out > 0 && i < n->len && (s[i] & 0xC0) == 0x80) { /* do not cut a character */
        out--;
        i--;
    }
    tmp[out] = '\0';
    snprintf(buf, size, "\"%s%s\"", tmp, i < n->len ? "..." : "");
}

/* ---- stage 3: walking the tree against the schema ----------------------------------- */

static void walk_section(loader *L, const schema_section *sec, long ni, char *base, char *path,
                         size_t plen);

static size_t path_append(char *path, size_t plen, const char *key)
{
    int w = snprintf(path + plen, LOADER_PATH_MAX - plen, "%s%s", plen ? "." : "", key);
    if (w < 0 || (size_t)w >= LOADER_PATH_MAX - plen)
        return LOADER_PATH_MAX - 1;
    return plen + (size_t)w;
}

static void report_unknown(loader *L, long key_node, const schema_section *sec,
                           const char *path, const char *key)
{
    char shown[64];
    snprintf(shown, sizeof shown, "%.60s", key);
    const char *dot = *path ? "." : "";
    const char *near = schema_suggest(sec, key);
    char where[LOADER_PATH_MAX];
    if (near) {
        report_node(L, key_node, "unknown field `%s%s%s` (did you mean `%s%s%s`?)", path, dot,
                    shown, path, dot, near);
    } else if (schema_find_elsewhere(sec, key, where, sizeof where)) {
        report_node(L, key_node, "unknown field `%s%s%s` (did you mean `%s`?)", path, dot, shown,
                    where);
    } else {
        char valid[600];
        size_t used = 0;
        valid[0] = '\0';
        for (size_t i = 0; i < sec->count && used < sizeof valid; i++) {
            int w = snprintf(valid + used, sizeof valid - used, "%s%s", i ? ", " : "",
                             sec->fields[i].key);
            if (w < 0)
                break;
            used += (size_t)w;
        }
        report_node(L, key_node, "unknown field `%s%s%s` (valid here: %s)", path, dot, shown,
                    valid);
    }
}

static void report_expected(loader *L, const schema_field *f, long ni, const char *path)
{
    char expected[640], got[96], hint[128] = "";
    schema_describe_expected(f, expected, sizeof expected);
    const node *n = &L->t->nodes[ni];
    if (f->kind == SCHEMA_STRING && n->type == YDOC_SCALAR && n->len + 1 > f->size)
        snprintf(got, sizeof got, "%zu characters", n->len);
    else
        describe_node(L, ni, got, sizeof got);
    if (f->kind == SCHEMA_ENUM && n->type == YDOC_SCALAR) {
        const char *near = schema_suggest_enum(f->enum_names, node_text(L->t, n));
        if (near)
            snprintf(hint, sizeof hint, " (did you mean \"%s\"?)", near);
    }
    report_node(L, ni, "%s: expected %s, got %s%s", path, expected, got, hint);
}

/* A SCHEMA_RANGE_MAP list written as a mapping `field.path: [min, max]`
 * (quiz.vary): each pair becomes one {field, min, max} entry, checked like
 * the list form, plus min <= max. */
static void walk_range_map(loader *L, const schema_field *f, long ni, char *base, char *path)
{
    const node *n = &L->t->nodes[ni];
    size_t count = n->children / 2;
    if ((double)count > f->max) {
        report_node(L, ni, "%s: too many entries (%zu; at most %.0f)", path, count, f->max);
        return;
    }
    const schema_field *field_f = schema_find(f->sub, "field");
    const schema_field *min_f = schema_find(f->sub, "min");
    const schema_field *max_f = schema_find(f->sub, "max");
    char *items = count ? ecsim_calloc(count, f->size) : NULL;
    if (count && !items) {
        L->oom = true;
        return;
    }
    size_t used = 0;
    for (long k = n->first; k >= 0 && L->t->nodes[k].next >= 0;
         k = L->t->nodes[L->t->nodes[k].next].next) {
        long v = L->t->nodes[k].next;
        const node *key = &L->t->nodes[k], *val = &L->t->nodes[v];
        char *elem = items + used * f->size;
        schema_apply_defaults(f->sub, elem);
        if (key->type != YDOC_SCALAR || key->len == 0 || key->len + 1 > field_f->size) {
            report_node(L, k, "%s: a key must be a field path of 1 to %zu characters", path,
                        field_f->size - 1);
            continue;
        }
        const node *lo = val->type == YDOC_SEQ && val->children == 2 ? &L->t->nodes[val->first]
                                                                      : NULL;
        const node *hi = lo ? &L->t->nodes[lo->next] : NULL;
        if (!lo || lo->type != YDOC_SCALAR || hi->type != YDOC_SCALAR) {
            report_node(L, v, "%s.%s: expected a range [min, max] of two numbers", path,
                        ydoc_text(L->t, key));
            continue;
        }
        memcpy(elem + field_f->offset, ydoc_text(L->t, key), key->len + 1);
        double *pmin = (double *)(void *)(elem + min_f->offset);
        double *pmax = (double *)(void *)(elem + max_f->offset);
        if (schema_parse_scalar(min_f, ydoc_text(L->t, lo), pmin) != 0 ||
            schema_parse_scalar(max_f, ydoc_text(L->t, hi), pmax) != 0) {
            report_node(L, v, "%s.%s: expected a range [min, max] of two numbers", path,
                        ydoc_text(L->t, key));
            continue;
        }
        if (*pmin > *pmax) {
            report_node(L, v, "%s.%s: min (%s) is greater than max (%s)", path,
                        ydoc_text(L->t, key), ydoc_text(L->t, lo), ydoc_text(L->t, hi));
            continue;
        }
        used++;
    }
    void **items_p = (void **)(void *)(base + f->offset);
    size_t *count_p = (size_t *)(void *)(base + f->count_offset);
    ecsim_free(*items_p);
    *items_p = items;
    *count_p = used;
}

/* Replace the list at `f` with the sequence at node `ni`. */
static void walk_list(loader *L, const schema_field *f, long ni, char *base, char *path,
                      size_t plen)
{
    const node *n = &L->t->nodes[ni];
    void **items_p = (void **)(void *)(base + f->offset);
    size_t *count_p = (size_t *)(void *)(base + f->count_offset);
    size_t count = ydoc_is_null(L->t, n) ? 0 : n->children;
    if ((f->flags & SCHEMA_RANGE_MAP) && n->type == YDOC_MAP) {
        walk_range_map(L, f, ni, base, path);
        return;
    }
    if (!ydoc_is_null(L->t, n) && n->type != YDOC_SEQ) {
        report_node(L, ni, "%s: expected a list of mappings (`- {...}` entries), got %s", path,
                    n->type == YDOC_MAP ? "a mapping" : "a scalar");
        return;
    }
    if ((double)count > f->max) {
        report_node(L, ni, "%s: too many entries (%zu; at most %.0f)", path, count, f->max);
        return;
    }
    char *items = NULL;
    if (count) {
        items = ecsim_calloc(count, f->size);
        if (!items) {
            L->oom = true;
            return;
        }
    }
    if (L->source != 0)
        pos_forget(L, path, '[');
    long child = n->first;
    for (size_t i = 0; i < count && child >= 0; i++, child = L->t->nodes[child].next) {
        char *elem = items + i * f->size;
        schema_apply_defaults(f->sub, elem);
        char idx[32];
        snprintf(idx, sizeof idx, "[%zu]", i);
        size_t elen = plen;
        int w = snprintf(path + plen, LOADER_PATH_MAX - plen, "%s", idx);
        if (w > 0 && (size_t)w < LOADER_PATH_MAX - plen)
            elen += (size_t)w;
        const node *c = &L->t->nodes[child];
        pos_put(L, path, c->line, c->column, NULL);
        if (c->type == YDOC_BAD) {
        } else if (c->type != YDOC_MAP) {
            char got[96];
            describe_node(L, child, got, sizeof got);
            report_node(L, child, "%s: expected a mapping of fields, got %s", path, got);
        } else {
            walk_section(L, f->sub, child, elem, path, elen);
        }
        path[plen] = '\0';
    }
    /* The old list (empty from the file; a --set may replace one). */
    char *old = *items_p;
    size_t old_count = *count_p;
    for (size_t k = 0; old && k < old_count; k++)
        schema_free_lists(f->sub, old + k * f->size);
    ecsim_free(old);
    *items_p = items;
    *count_p = count;
}

/* Store node `ni` into field `f` of the struct at `base`. */
static void walk_field(loader *L, const schema_field *f, long ni, char *base, char *path,
                       size_t plen)
{
    const node *n = &L->t->nodes[ni];
    if (n->type == YDOC_BAD)
        return;
    if (f->kind == SCHEMA_SECTION) {
        if (ydoc_is_null(L->t, n))
            return; /* `service:` with nothing under it: all defaults */
        if (n->type != YDOC_MAP) {
            char got[96];
            describe_node(L, ni, got, sizeof got);
            report_node(L, ni, "%s: expected a mapping of fields, got %s", path, got);
            return;
        }
        walk_section(L, f->sub, ni, base + f->offset, path, plen);
        return;
    }
    if (f->kind == SCHEMA_LIST) {
        walk_list(L, f, ni, base, path, plen);
        return;
    }
    if (n->type != YDOC_SCALAR) {
        report_expected(L, f, ni, path);
        return;
    }
    const char *text = node_text(L->t, n);
    if (ydoc_is_null(L->t, n)) {
        if (f->kind == SCHEMA_STRING && f->min < 1) {
            ((char *)(base + f->offset))[0] = '\0';
            return;
        }
        report_expected(L, f, ni, path);
        return;
    }
    if (strlen(text) != n->len) {
        report_node(L, ni, "%s: NUL characters are not allowed in a value", path);
        return;
    }
    if (f->kind == SCHEMA_STRING) {
        /* Strings reach events.log, tables and file names: printable UTF-8
         * only, the same check for a file and a --set (issue 10 point 6). */
        size_t at;
        char reason[40];
        const char *why = ydoc_text_problem(text, &at, reason, sizeof reason);
        if (why) {
            report_node(L, ni, "%s: %s at byte %zu; names, tags and text must be printable UTF-8 "
                        "without control characters (tab and newline included)",
                        path, why, at + 1);
            pos_entry *e = pos_find(L, path);
            if (e)
                e->bad = true;
            return;
        }
    }
    if (schema_parse_scalar(f, text, base + f->offset) != 0) {
        report_expected(L, f, ni, path);
        pos_entry *e = pos_find(L, path);
        if (e)
            e->bad = true;
    }
}

static void walk_section(loader *L, const schema_section *sec, long ni, char *base, char *path,
                         size_t plen)
{
    const node *map = &L->t->nodes[ni];
    if (map->type != YDOC_MAP) {
        char got[96];
        describe_node(L, ni, got, sizeof got);
        report_node(L, ni, "%s%sexpected a mapping of fields, got %s", path, plen ? ": " : "",
                    got);
        return;
    }
    uint64_t seen = 0; /* one bit per field of the section */
    assert(sec->count <= 64);
    const char *shapes[2] = {NULL, NULL};
    int nshapes = 0;
    for (long k = map->first; k >= 0; k = L->t->nodes[k].next) {
        long v = L->t->nodes[k].next;
        if (v < 0)
            break;
        const node *key = &L->t->nodes[k];
        if (key->type == YDOC_BAD) {
            k = v;
            continue;
        }
        if (key->type != YDOC_SCALAR) {
            char got[96];
            describe_node(L, k, got, sizeof got);
            report_node(L, k, "%s%sa key must be a field name, got %s", path, plen ? ": " : "",
                        got);
            k = v;
            continue;
        }
        const char *name = node_text(L->t, key);
        const schema_field *f = schema_find(sec, name);
        if (!f) {
            report_unknown(L, k, sec, path, name);
            k = v;
            continue;
        }
        size_t fi = (size_t)(f - sec->fields);
        size_t clen = path_append(path, plen, f->key);
        /* Where a scalar's value is, or where a mapping's or list's key is. */
        const node *where = L->t->nodes[v].type == YDOC_SCALAR ? &L->t->nodes[v] : key;
        pos_entry previous;
        pos_put(L, path, where->line, where->column, &previous);
        if (previous.path && previous.source == L->source) {
            if (previous.line > 0)
                report_node(L, k, "duplicate field `%s` (first given at line %d)", path,
                            previous.line);
            else
                report_node(L, k, "duplicate field `%s`", path);
            pos_put(L, path, previous.line, previous.column, NULL); /* keep the first */
            path[plen] = '\0';
            k = v;
            continue;
        }
        seen |= 1ull << fi;
        if (f->shape && sec->shape_offset >= 0) {
            if (nshapes < 2)
                shapes[nshapes] = f->key;
            nshapes++;
            *(int *)(void *)(base + sec->shape_offset) = f->shape - 1;
        }
        walk_field(L, f, v, base, path, clen);
        path[plen] = '\0';
        k = v;
    }
    for (size_t i = 0; i < sec->count; i++) {
        if ((sec->fields[i].flags & SCHEMA_REQUIRED) && !(seen & (1ull << i))) {
            if (plen)
                report_node(L, ni, "%s: missing required field `%s`", path, sec->fields[i].key);
            else
                report_node(L, ni, "missing required field `%s`", sec->fields[i].key);
        }
    }
    if (sec->shape_offset >= 0 && nshapes != 1) {
        if (nshapes == 0)
            report_node(L, ni, "%s: expected exactly one shape (%s), got none", path,
                        sec->shapes_doc);
        else
            report_node(L, ni, "%s: expected exactly one shape (%s), got %d: `%s` and `%s`%s",
                        path, sec->shapes_doc, nshapes, shapes[0], shapes[1],
                        nshapes > 2 ? " and more" : "");
    }
}

/* ---- stage 4: --set KEY=VALUE ------------------------------------------------------------ */

/* A one-scalar tree for a raw --set value. */
static int tree_scalar(tree *t, const char *text)
{
    memset(t, 0, sizeof *t);
    t->root = ydoc_add(t, YDOC_SCALAR, 0, 0);
    if (t->root < 0)
        return ECSIM_ENOMEM;
    t->nodes[0].plain = true;
    return ydoc_set_text(t, t->root, text, strlen(text));
}

/* Apply one assignment; L->source is already its number. */
static void apply_set(loader *L, const char *assignment)
{
    const char *eq = strchr(assignment, '=');
    if (!eq || eq == assignment) {
        report(L, L->source, 0, 0, "expected KEY=VALUE, e.g. autoscaler.target=60");
        return;
    }
    const char *value = eq + 1;
    char path[LOADER_PATH_MAX];
    size_t plen = 0;
    path[0] = '\0';

    /* Resolve the dotted path: names separated by dots, [N] after a list. */
    const schema_section *sec = &schema_scenario;
    char *base = (char *)L->sc;
    const schema_field *f = NULL;  /* the field addressed, or NULL for a list element */
    size_t elem_size = 0;          /* the list element's size, when f is NULL */
    const char *p = assignment;
    for (;;) {
        size_t n = strcspn(p, ".[=");
        if (n == 0 || n > 63) {
            report(L, L->source, 0, 0,
                   "malformed field path `%.*s` (expected names separated by dots, e.g. "
                   "load.profile[1].rps)",
                   (int)(eq - assignment), assignment);
            return;
        }
        char key[64];
        memcpy(key, p, n);
        key[n] = '\0';
        p += n;
        f = schema_find(sec, key);
        if (!f) {
            char shown[LOADER_PATH_MAX];
            snprintf(shown, sizeof shown, "%s", path);
            report_unknown(L, -1, sec, shown, key);
            return;
        }
        plen = path_append(path, plen, f->key);
        if (f->shape && sec->shape_offset >= 0) /* `sine.mean=5` makes the segment a sine */
            *(int *)(void *)(base + sec->shape_offset) = f->shape - 1;
        if (*p == '[') {
            char *end;
            errno = 0;
            unsigned long long idx = strtoull(p + 1, &end, 10);
            if (f->kind != SCHEMA_LIST) {
                report(L, L->source, 0, 0, "`%s` is not a list; it cannot be indexed", path);
                return;
            }
            if (end == p + 1 || *end != ']' || p[1] == '-' || p[1] == '+' || errno) {
                report(L, L->source, 0, 0, "%s: malformed index (expected [N], N from 0)", path);
                return;
            }
            size_t count = *(size_t *)(void *)(base + f->count_offset);
            if (idx >= count) {
                report(L, L->source, 0, 0,
                       "%s[%llu]: index out of range (`%s` has %zu entr%s)", path, idx, path,
                       count, count == 1 ? "y" : "ies");
                return;
            }
            char *items = *(char **)(void *)(base + f->offset);
            base = items + idx * f->size;
            elem_size = f->size;
            sec = f->sub;
            int w = snprintf(path + plen, sizeof path - plen, "[%llu]", idx);
            if (w > 0 && (size_t)w < sizeof path - plen)
                plen += (size_t)w;
            p = end + 1;
            f = NULL;
            if (*p == '=')
                break;
            if (*p != '.') {
                report(L, L->source, 0, 0, "malformed field path after `%s`", path);
                return;
            }
            p++;
            continue;
        }
        if (*p == '=')
            break;
        /* *p == '.' */
        if (f->kind != SCHEMA_SECTION) {
            report(L, L->source, 0, 0, "`%s` is %s, it has no fields", path,
                   f->kind == SCHEMA_LIST ? "a list (use an index, e.g. [0])" : "a value");
            return;
        }
        base += f->offset;
        sec = f->sub;
        p++;
    }

    /* Parse the value: a YAML scalar for scalar fields (raw text unless it is
     * quoted), a YAML flow value for sections, lists and list entries. */
    tree t;
    int rc;
    bool raw = f && f->kind != SCHEMA_SECTION && f->kind != SCHEMA_LIST && value[0] != '"' &&
               value[0] != '\'';
    if (raw)
        rc = tree_scalar(&t, value);
    else
        rc = tree_parse(L, &t, (const unsigned char *)value, strlen(value));
    if (rc == 0 && t.root < 0 && tree_scalar(&t, "") != 0) /* empty document = null */
        rc = ECSIM_ENOMEM;
    if (rc == ECSIM_ENOMEM)
        L->oom = true;
    if (rc != 0) {
        ydoc_free(&t);
        return;
    }
    /* --set values carry no line numbers. */
    for (size_t i = 0; i < t.count; i++)
        t.nodes[i].line = t.nodes[i].column = 0;
    tree *file_tree = L->t;
    L->t = &t;
    pos_put(L, path, 0, 0, NULL);
    if (f) {
        walk_field(L, f, t.root, base, path, plen);
    } else if (t.nodes[t.root].type != YDOC_MAP) {
        walk_section(L, sec, t.root, base, path, plen); /* reports the type */
    } else {
        /* A whole list entry is replaced, not merged: `events[1]={...}` is
         * that event and nothing of the old one stays. */
        schema_free_lists(sec, base);
        memset(base, 0, elem_size);
        schema_apply_defaults(sec, base);
        pos_forget(L, path, '.');
        walk_section(L, sec, t.root, base, path, plen);
    }
    L->t = file_tree;
    ydoc_free(&t);
}

/* ---- stage 5: computed defaults, cross-field rules ------------------------------------------ */

static void finalize_defaults(ecsim_scenario *sc)
{
    if (!sc->service.name[0])
        memcpy(sc->service.name, sc->image.name, sizeof sc->service.name);
    ecsim_requests_spec *rq = &sc->load.requests;
    if (isnan(rq->mean_s))
        /* A task with `concurrency` slots serves capacity_rps at full load. */
        rq->mean_s = rq->concurrency / sc->service.task.capacity_rps;
    if (isnan(rq->max_s))
        rq->max_s = 2 * rq->mean_s;
    if (isnan(sc->autoscaler.target)) /* HPA's default CPU target is 80 % (reference §5.1) */
        sc->autoscaler.target = sc->autoscaler.policy == ECSIM_POLICY_HPA ? 80 : 60;
}

/* Report a cross-field error at the first of the paths that was given in the
 * file or a --set (defaults have no position: then the file, no line). */
PRINTF_LIKE(4, 5)
static void report_rule(loader *L, const char *path1, const char *path2, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    const pos_entry *e1 = pos_find(L, path1), *e2 = path2 ? pos_find(L, path2) : NULL;
    if ((e1 && e1->bad) || (e2 && e2->bad))
        return; /* already reported; the rule would only repeat it */
    const pos_entry *e = e1 ? e1 : e2;
    if (e)
        report(L, e->source, e->line, e->column, "%s", buf);
    else
        report(L, 0, 0, 0, "%s", buf);
}

static const char *num(char *buf, size_t size, double v)
{
    schema_fmt_num(buf, size, v);
    return buf;
}

static const char *dur(char *buf, size_t size, double v)
{
    schema_fmt_duration(buf, size, v);
    return buf;
}

/* The YAML name of enum value `value` of the field at dotted `path`
 * ("autoscaler.policy"), from the schema table. */
static const char *enum_name(const char *path, int value)
{
    const schema_section *sec = &schema_scenario;
    const schema_field *f = NULL;
    char key[64];
    while (*path) {
        size_t n = strcspn(path, ".");
        if (n >= sizeof key)
            return "?";
        memcpy(key, path, n);
        key[n] = '\0';
        f = schema_find(sec, key);
        if (!f)
            return "?";
        sec = f->sub;
        path += n + (path[n] == '.');
    }
    if (!f || f->kind != SCHEMA_ENUM || value < 0)
        return "?";
    for (int i = 0; f->enum_names[i]; i++)
        if (i == value)
            return f->enum_names[i];
    return "?";
}

/* Fields of a discriminated section (events) that the entry's kind does not
 * use, and those it needs. */
static void check_discriminated(loader *L, const schema_section *sec, const char *elem_path,
                                int kind)
{
    char fpath[LOADER_PATH_MAX], uses[256];
    size_t used = 0;
    uses[0] = '\0';
    for (size_t i = 0; i < sec->count; i++) {
        const schema_field *f = &sec->fields[i];
        if (f->valid_for && (f->valid_for & (1u << kind))) {
            int w = snprintf(uses + used, sizeof uses - used, "%s%s", used ? ", " : "", f->key);
            if (w > 0 && (size_t)w < sizeof uses - used)
                used += (size_t)w;
        }
    }
    const schema_field *disc = schema_find(sec, sec->discriminator);
    const char *kind_name = "?";
    for (int i = 0; disc && disc->enum_names[i]; i++)
        if (i == kind)
            kind_name = disc->enum_names[i];
    for (size_t i = 0; i < sec->count; i++) {
        const schema_field *f = &sec->fields[i];
        snprintf(fpath, sizeof fpath, "%s.%s", elem_path, f->key);
        const pos_entry *e = pos_find(L, fpath);
        if (e && f->valid_for && !(f->valid_for & (1u << kind)))
            report(L, e->source, e->line, e->column,
                   "%s: not used by %s %s (it uses %s)", fpath, sec->discriminator, kind_name,
                   used ? uses : "no other fields");
        if (!e && (f->required_for & (1u << kind)))
            report_rule(L, elem_path, NULL, "%s: %s %s needs `%s`", elem_path,
                        sec->discriminator, kind_name, f->key);
    }
}

/* The hooks of the rules in sim/input/schema.c. */
static bool rules_given(void *ctx, const char *path)
{
    return pos_find(ctx, path) != NULL;
}

static void rules_report(void *ctx, const char *path1, const char *path2, const char *message)
{
    report_rule(ctx, path1, path2, "%s", message);
}

/* One of Fargate's vCPU / memory combinations (reference §5.5b). */
static bool fargate_size_ok(double vcpu, double mem_gb)
{
    static const struct { double vcpu, lo, hi, step; } sizes[] = {
        {0.25, 0.5, 2, 0},  {0.5, 1, 4, 1},  {1, 2, 8, 1},     {2, 4, 16, 1},
        {4, 8, 30, 1},      {8, 16, 60, 4},  {16, 32, 120, 8},
    };
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        if (vcpu != sizes[i].vcpu)
            continue;
        if (sizes[i].step == 0) /* 0.25 vCPU: 0.5, 1 or 2 GB */
            return mem_gb == 0.5 || mem_gb == 1 || mem_gb == 2;
        if (mem_gb < sizes[i].lo || mem_gb > sizes[i].hi)
            return false;
        return fmod(mem_gb - sizes[i].lo, sizes[i].step) == 0;
    }
    return false;
}

/* The entry of `path` or, if it was not given itself, of a field below it
 * (a --set autoscaler.hpa.tolerance=0.2 gives autoscaler.hpa); NULL if none. */
static const pos_entry *pos_under(const loader *L, const char *path)
{
    const pos_entry *e = pos_find(L, path);
    size_t n = strlen(path);
    for (size_t i = 0; !e && i < L->slot_cap; i++) {
        const char *q = L->slots[i].path;
        if (q && strncmp(q, path, n) == 0 && (q[n] == '.' || q[n] == '['))
            e = &L->slots[i];
    }
    return e;
}

/* A located warning (the run goes on, exit 0) at `path` where it was given. */
PRINTF_LIKE(3, 4)
static void warn_at(loader *L, const char *path, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    const pos_entry *e = pos_under(L, path);
    int source = e ? e->source : 0, line = e && !e->source ? e->line : 0;
    int column = e && !e->source ? e->column : 0;
    ecsim_diags_add(L->d, ECSIM_DIAG_WARNING, source_name(L, source), line, column, "%s", buf);
}

/* EC2 / EKS instances follow their type (reference §6 [P4]): vCPU and
 * memory come from the built-in table when omitted and must match it when
 * given; pricing.instance_hour defaults to the type's on-demand price. An
 * unknown type is an error (with the nearest names), unless vcpu,
 * memory_gb and pricing.instance_hour are all given (a type the table
 * lacks, described in full). */
static void resolve_instance_type(loader *L)
{
    ecsim_scenario *sc = L->sc;
    ecsim_cluster_spec *cl = &sc->service.cluster;
    if (sc->service.platform != ECSIM_PLATFORM_EC2 && sc->service.platform != ECSIM_PLATFORM_EKS)
        return;
    const pos_entry *pv = pos_find(L, "service.cluster.vcpu");
    const pos_entry *pm = pos_find(L, "service.cluster.memory_gb");
    const pos_entry *pp = pos_find(L, "pricing.instance_hour");
    const instance_type *it = instance_type_find(cl->instance_type);
    char a[64], b[64];
    if (!it) {
        if (pv && pm && pp)
            return;
        char near[256];
        instance_type_suggest(cl->instance_type, near, sizeof near);
        report_rule(L, "service.cluster.instance_type", "service.platform",
                    "service.cluster.instance_type: \"%s\" is not in the built-in table of "
                    "instance types (reference §6)%s%s%s; the table has m5, m6i, m6g, m7g, c6i, "
                    "c6g, c7g, r5, r6i (large to 16xlarge), c5 (large to 4xlarge), t3 (medium to "
                    "2xlarge); for another type give service.cluster.vcpu, "
                    "service.cluster.memory_gb and pricing.instance_hour",
                    cl->instance_type, near[0] ? " (did you mean " : "", near,
                    near[0] ? "?)" : "");
        return;
    }
    if (pv && !pv->bad && cl->vcpu != it->vcpu)
        report_rule(L, "service.cluster.vcpu", "service.cluster.instance_type",
                    "service.cluster.vcpu (%s) contradicts service.cluster.instance_type %s, which "
                    "has %s vCPU (reference §6): omit vcpu or give the matching type",
                    num(a, sizeof a, cl->vcpu), it->name, num(b, sizeof b, it->vcpu));
    else
        cl->vcpu = it->vcpu;
    if (pm && !pm->bad && cl->memory_gb != it->memory_gb)
        report_rule(L, "service.cluster.memory_gb", "service.cluster.instance_type",
                    "service.cluster.memory_gb (%s) contradicts service.cluster.instance_type %s, "
                    "which has %s GB (reference §6): omit memory_gb or give the matching type",
                    num(a, sizeof a, cl->memory_gb), it->name, num(b, sizeof b, it->memory_gb));
    else
        cl->memory_gb = it->memory_gb;
    if (!pp)
        sc->pricing.instance_hour = it->hour_usd;
}

/* Image pull settings belong to one platform each (reference §2.5b): the
 * ECS agent's ECS_IMAGE_PULL_BEHAVIOR runs on ECS container instances
 * (ec2), the container's imagePullPolicy is read by the kubelet of an EKS
 * node (eks). Fargate and EKS on Fargate keep no image cache (§2.5,
 * §5.5b): each task or pod pulls its image, whatever the setting. */
static void check_pull_fields(loader *L)
{
    ecsim_platform pf = L->sc->service.platform;
    const char *pf_name = enum_name("service.platform", (int)pf);
    if (pf != ECSIM_PLATFORM_EC2 && pos_find(L, "service.cluster.image_pull_behavior"))
        report_rule(L, "service.cluster.image_pull_behavior", NULL,
                    "service.cluster.image_pull_behavior is the ECS container agent's "
                    "ECS_IMAGE_PULL_BEHAVIOR on EC2 instances (reference §2.5b), not used on %s: %s",
                    pf_name,
                    pf == ECSIM_PLATFORM_EKS
                        ? "use service.task.image_pull_policy on eks"
                        : "remove it, or use service.platform ec2 (Fargate keeps no image cache, "
                          "reference §2.5)");
    if (pf != ECSIM_PLATFORM_EKS && pos_find(L, "service.task.image_pull_policy"))
        report_rule(L, "service.task.image_pull_policy", NULL,
                    "service.task.image_pull_policy is the Kubernetes imagePullPolicy the kubelet of "
                    "an EKS node follows (reference §2.5b), not used on %s: %s",
                    pf_name,
                    pf == ECSIM_PLATFORM_EC2
                        ? "use service.cluster.image_pull_behavior on ec2"
                        : "remove it, or use service.platform eks (Fargate keeps no image cache, "
                          "reference §2.5, §5.5b)");
}

/* Policies and platforms (reference §1, §5.1): Application Auto Scaling
 * (target_tracking, step_scaling, scheduled, predictive) registers
 * scalable targets of ECS services (ecs:service:DesiredCount), not of
 * Kubernetes Deployments; the HPA scales Deployments, not ECS services. A
 * settings block of a policy that is not selected is a warning: the run
 * ignores it. */
static void check_policy_platform(loader *L)
{
    const ecsim_scenario *sc = L->sc;
    ecsim_policy_kind pol = sc->autoscaler.policy;
    ecsim_platform pf = sc->service.platform;
    bool k8s = pf == ECSIM_PLATFORM_EKS || pf == ECSIM_PLATFORM_EKS_FARGATE;
    const char *pol_name = enum_name("autoscaler.policy", (int)pol);
    const char *pf_name = enum_name("service.platform", (int)pf);
    if (k8s && pol != ECSIM_POLICY_NONE && pol != ECSIM_POLICY_HPA)
        report_rule(L, "autoscaler.policy", "service.platform",
                    "autoscaler.policy %s is an Application Auto Scaling policy, which scales ECS "
                    "services (reference §1), not pods on %s: use hpa on eks, or platform fargate "
                    "or ec2 for %s",
                    pol_name, pf_name, pol_name);
    else if (!k8s && pol == ECSIM_POLICY_HPA)
        report_rule(L, "autoscaler.policy", "service.platform",
                    "autoscaler.policy hpa is the Kubernetes Horizontal Pod Autoscaler (reference "
                    "§5.1), which does not scale ECS services on %s: use hpa on eks (or "
                    "eks_fargate), or target_tracking on %s",
                    pf_name, pf_name);
    static const struct {
        const char *path;
        ecsim_policy_kind policy;
    } blocks[] = {
        {"autoscaler.target_tracking_policies", ECSIM_POLICY_TARGET_TRACKING},
        {"autoscaler.step_scaling", ECSIM_POLICY_STEP_SCALING},
        {"autoscaler.scheduled", ECSIM_POLICY_SCHEDULED},
        {"autoscaler.hpa", ECSIM_POLICY_HPA},
        {"autoscaler.predictive", ECSIM_POLICY_PREDICTIVE},
    };
    for (size_t i = 0; i < sizeof blocks / sizeof blocks[0]; i++)
        if (blocks[i].policy != pol && pos_under(L, blocks[i].path))
            warn_at(L, blocks[i].path,
                    "%s is ignored: autoscaler.policy is %s, not %s (remove the block, or select "
                    "the policy)",
                    blocks[i].path, pol_name,
                    enum_name("autoscaler.policy", (int)blocks[i].policy));
}

static void validate(loader *L)
{
    const ecsim_scenario *sc = L->sc;
    char a[64], b[64];
    const ecsim_service_spec *sv = &sc->service;
    const ecsim_autoscaler_spec *as = &sc->autoscaler;

    /* Capacity bounds (reference §1.1: AAS scales between MinCapacity and
     * MaxCapacity; the starting desired count must lie between them). */
    if (as->min > as->max)
        report_rule(L, "autoscaler.min", "autoscaler.max",
                    "autoscaler.min (%d) must be <= autoscaler.max (%d)", as->min, as->max);
    else if (as->policy != ECSIM_POLICY_NONE && (sv->desired < as->min || sv->desired > as->max))
        report_rule(L, "service.desired",
                    sv->desired < as->min ? "autoscaler.min" : "autoscaler.max",
                    "service.desired (%d) must be between autoscaler.min (%d) and "
                    "autoscaler.max (%d) when autoscaler.policy is %s",
                    sv->desired, as->min, as->max, enum_name("autoscaler.policy", (int)as->policy));
    if (as->policy == ECSIM_POLICY_TARGET_TRACKING && as->metric != ECSIM_METRIC_REQUESTS_PER_TARGET &&
        as->target > 100)
        report_rule(L, "autoscaler.target", "autoscaler.metric",
                    "autoscaler.target (%s) is a utilisation percentage for metric %s: "
                    "expected > 0 and <= 100",
                    num(a, sizeof a, as->target), as->metric == ECSIM_METRIC_CPU ? "cpu" : "memory");

    if (schema_autoscaler_rules(L->sc, rules_given, rules_report, L) != 0)
        L->oom = true;

    /* Cluster size (reference §3.1: capacity stays within the ASG bounds). */
    const ecsim_cluster_spec *cl = &sv->cluster;
    if (cl->min_instances > cl->max_instances)
        report_rule(L, "service.cluster.min_instances", "service.cluster.max_instances",
                    "service.cluster.min_instances (%d) must be <= service.cluster.max_instances (%d)",
                    cl->min_instances, cl->max_instances);
    else if (cl->instances < cl->min_instances || cl->instances > cl->max_instances)
        report_rule(L, "service.cluster.instances",
                    cl->instances < cl->min_instances ? "service.cluster.min_instances"
                                                      : "service.cluster.max_instances",
                    "service.cluster.instances (%d) must be between service.cluster.min_instances "
                    "(%d) and service.cluster.max_instances (%d)",
                    cl->instances, cl->min_instances, cl->max_instances);
    if (cl->managed_scaling.min_step > cl->managed_scaling.max_step)
        report_rule(L, "service.cluster.managed_scaling.min_step",
                    "service.cluster.managed_scaling.max_step",
                    "service.cluster.managed_scaling.min_step (%d) must be <= "
                    "service.cluster.managed_scaling.max_step (%d)",
                    cl->managed_scaling.min_step, cl->managed_scaling.max_step);
    if (cl->boot_time_p95_s < cl->boot_time_s)
        report_rule(L, "service.cluster.boot_time_p95", "service.cluster.boot_time",
                    "service.cluster.boot_time_p95 (%s) must be >= service.cluster.boot_time (%s), "
                    "the median",
                    dur(a, sizeof a, cl->boot_time_p95_s), dur(b, sizeof b, cl->boot_time_s));
    if (sv->throttle.initial_s > sv->throttle.max_s)
        report_rule(L, "service.throttle.initial", "service.throttle.max",
                    "service.throttle.initial (%s) must be <= service.throttle.max (%s)",
                    dur(a, sizeof a, sv->throttle.initial_s), dur(b, sizeof b, sv->throttle.max_s));

    /* stopTimeout: Fargate's maximum is 120 s (reference §2.1). */
    if (sv->platform == ECSIM_PLATFORM_FARGATE && sv->task.stop_timeout_s > 120)
        report_rule(L, "service.task.stop_timeout", "service.platform",
                    "service.task.stop_timeout (%s) is above Fargate's maximum stopTimeout of 2m "
                    "(reference §2.1)",
                    dur(a, sizeof a, sv->task.stop_timeout_s));
    /* Fargate task sizes (reference §5.5b, the same table as ECS on Fargate). */
    const ecsim_task_spec *tk = &sv->task;
    if (sv->platform == ECSIM_PLATFORM_FARGATE && !fargate_size_ok(tk->vcpu, tk->memory_gb))
        report_rule(L, "service.task.memory_gb", "service.task.vcpu",
                    "service.task: %s vCPU with %s GB is not a Fargate task size; Fargate runs "
                    "0.25 vCPU with 0.5, 1 or 2 GB, 0.5 with 1-4 GB, 1 with 2-8 GB, 2 with 4-16 GB, "
                    "4 with 8-30 GB (1 GB steps), 8 with 16-60 GB (4 GB steps), 16 with 32-120 GB "
                    "(8 GB steps) (reference §5.5b)",
                    num(a, sizeof a, tk->vcpu), num(b, sizeof b, tk->memory_gb));

    /* Rolling deployments (reference §2.1 for ECS REPLICA, §5.4 for EKS). */
    const ecsim_deployment_spec *dp = &sv->deployment;
    if (dp->min_healthy_percent > dp->max_percent)
        report_rule(L, "service.deployment.min_healthy_percent", "service.deployment.max_percent",
                    "service.deployment.min_healthy_percent (%s) must be <= "
                    "service.deployment.max_percent (%s)",
                    num(a, sizeof a, dp->min_healthy_percent), num(b, sizeof b, dp->max_percent));
    if (dp->max_surge.value == 0 && dp->max_unavailable.value == 0)
        report_rule(L, "service.deployment.max_surge", "service.deployment.max_unavailable",
                    "service.deployment.max_surge and service.deployment.max_unavailable cannot "
                    "both be 0: the rollout could never make progress (reference §5.4)");

    /* Load. */
    const ecsim_load_spec *ld = &sc->load;
    if (ld->trace[0] && ld->profile_count)
        report_rule(L, "load.trace", "load.profile",
                    "load.trace and load.profile cannot both be given: the demand comes from one "
                    "of them");
    char p1[64], p2[64];
    for (size_t i = 0; i < ld->profile_count; i++) {
        const ecsim_load_segment *sg = &ld->profile[i];
        snprintf(p1, sizeof p1, "load.profile[%zu].until", i);
        if (i > 0 && pos_find(L, p1) && !(sg->until_s > ld->profile[i - 1].until_s))
            report_rule(L, p1, NULL,
                        "%s (%s) must be later than load.profile[%zu].until (%s): segments are "
                        "in time order",
                        p1, dur(a, sizeof a, sg->until_s), i - 1,
                        dur(b, sizeof b, ld->profile[i - 1].until_s));
        if (sg->shape == ECSIM_SHAPE_SINE && sg->sine.amplitude > sg->sine.mean) {
            snprintf(p1, sizeof p1, "load.profile[%zu].sine.amplitude", i);
            snprintf(p2, sizeof p2, "load.profile[%zu].sine", i);
            report_rule(L, p1, p2,
                        "load.profile[%zu].sine: amplitude (%s) must be <= mean (%s), or the "
                        "demand would go negative",
                        i, num(a, sizeof a, sg->sine.amplitude), num(b, sizeof b, sg->sine.mean));
        }
        if (sg->shape == ECSIM_SHAPE_DIURNAL && sg->diurnal.min > sg->diurnal.max) {
            snprintf(p1, sizeof p1, "load.profile[%zu].diurnal.min", i);
            snprintf(p2, sizeof p2, "load.profile[%zu].diurnal", i);
            report_rule(L, p1, p2, "load.profile[%zu].diurnal: min (%s) must be <= max (%s)", i,
                        num(a, sizeof a, sg->diurnal.min), num(b, sizeof b, sg->diurnal.max));
        }
    }
    const ecsim_requests_spec *rq = &ld->requests;
    /* The mean service time computed from the task's capacity has the cap of
     * a given one (service_time.mean: at most 1 h). */
    if (ld->mode == ECSIM_LOAD_REQUESTS && !pos_find(L, "load.requests.service_time.mean") &&
        rq->mean_s > 3600)
        report_rule(L, "service.task.capacity_rps", "load.requests.concurrency",
                    "load.requests.service_time.mean, computed as load.requests.concurrency / "
                    "service.task.capacity_rps, is %s: above 1h; raise capacity_rps or give "
                    "service_time.mean",
                    dur(a, sizeof a, rq->mean_s));
    if (rq->min_s > rq->max_s)
        report_rule(L, "load.requests.service_time.min", "load.requests.service_time.max",
                    "load.requests.service_time.min (%s) must be <= load.requests.service_time.max "
                    "(%s)",
                    dur(a, sizeof a, rq->min_s), dur(b, sizeof b, rq->max_s));
    /* Replayed arrivals are the demand (sim/model/requests.c bins them into the
     * demand profile): a second demand source or a noise factor on a
     * recorded log would be contradictions, not settings. */
    if (rq->arrivals_file[0] && ld->profile_count)
        report_rule(L, "load.requests.arrivals_file", "load.profile",
                    "load.requests.arrivals_file and load.profile cannot both be given: replayed "
                    "arrivals are the demand; remove load.profile");
    if (rq->arrivals_file[0] && ld->trace[0])
        report_rule(L, "load.requests.arrivals_file", "load.trace",
                    "load.requests.arrivals_file and load.trace cannot both be given: replayed "
                    "arrivals are the demand; remove load.trace");
    if (rq->arrivals_file[0] && ld->noise.cv > 0)
        report_rule(L, "load.noise.cv", "load.requests.arrivals_file",
                    "load.noise.cv must be 0 with load.requests.arrivals_file: noise scales a "
                    "rate, and replayed arrivals are not a rate");
    if (rq->dist == ECSIM_DIST_EMPIRICAL && !rq->empirical_file[0])
        report_rule(L, "load.requests.service_time.dist", NULL,
                    "load.requests.service_time.file: required when dist is empirical (a CSV of "
                    "service times in seconds)");

    /* Monitoring (reference §7 [C1]: CloudWatch periods are 10, 20 or 30 s
     * (high resolution) or a multiple of 60 s). */
    double period = sc->monitoring.period_s;
    if (!(period == 10 || period == 20 || period == 30 || fmod(period, 60) == 0))
        report_rule(L, "monitoring.period", NULL,
                    "monitoring.period (%s) is not a CloudWatch period: expected 10s, 20s, 30s or "
                    "a multiple of 60s up to 1d (reference §7)",
                    dur(a, sizeof a, period));
    /* CloudWatch: Period x EvaluationPeriods <= 1 day for periods under an
     * hour (reference §7 [C1]); the alarms evaluate monitoring.period. */
    if (period < 3600) {
        static const struct { const char *path; size_t offset; } alarms[] = {
            {"autoscaler.alarm_high.periods", offsetof(ecsim_autoscaler_spec, alarm_high.periods)},
            {"autoscaler.alarm_low.periods", offsetof(ecsim_autoscaler_spec, alarm_low.periods)},
            {"autoscaler.step_scaling.alarm_periods",
             offsetof(ecsim_autoscaler_spec, step_scaling.alarm_periods)},
        };
        for (size_t i = 0; i < sizeof alarms / sizeof alarms[0]; i++) {
            int n = *(const int *)(const void *)((const char *)as + alarms[i].offset);
            if (n * period > 86400)
                report_rule(L, alarms[i].path, "monitoring.period",
                            "%s (%d) x monitoring.period (%s) is more than a day: CloudWatch "
                            "evaluates at most a day of datapoints (reference §7)",
                            alarms[i].path, n, dur(a, sizeof a, period));
        }
    }
    /* Monitoring (reference §7). */
    if (sc->monitoring.lag_min_s > sc->monitoring.lag_max_s)
        report_rule(L, "monitoring.lag_min", "monitoring.lag_max",
                    "monitoring.lag_min (%s) must be <= monitoring.lag_max (%s)",
                    dur(a, sizeof a, sc->monitoring.lag_min_s),
                    dur(b, sizeof b, sc->monitoring.lag_max_s));

    /* Events. */
    const schema_field *events_f = schema_find(&schema_scenario, "events");
    for (size_t i = 0; i < sc->event_count; i++) {
        const ecsim_event_spec *ev = &sc->events[i];
        snprintf(p2, sizeof p2, "events[%zu]", i);
        if (!pos_find(L, p2))
            continue; /* not given (cannot happen) */
        snprintf(p1, sizeof p1, "events[%zu].at", i);
        if (ev->at_s > sc->duration_s)
            report_rule(L, p1, p2,
                        "%s (%s) is after the end of the simulation (duration %s)", p1,
                        dur(a, sizeof a, ev->at_s), dur(b, sizeof b, sc->duration_s));
        char apath[64];
        snprintf(apath, sizeof apath, "events[%zu].action", i);
        const pos_entry *action_pos = pos_find(L, apath);
        if (!action_pos || action_pos->bad)
            continue; /* missing or unknown action: already reported */
        check_discriminated(L, events_f->sub, p2, (int)ev->action);
        snprintf(p1, sizeof p1, "events[%zu].az", i);
        if (ev->action == ECSIM_ACTION_AZ_OUTAGE && pos_find(L, p1) &&
            ev->az > sv->availability_zones)
            report_rule(L, p1, NULL,
                        "%s (%d) is not a zone of this service: zones are 1 to %d "
                        "(service.availability_zones)",
                        p1, ev->az, sv->availability_zones);
        /* An event that cannot act on this platform is an error, not a run
         * that silently does nothing (issue 10 point 8). */
        if (ev->action == ECSIM_ACTION_FAIL_INSTANCES &&
            (sv->platform == ECSIM_PLATFORM_FARGATE || sv->platform == ECSIM_PLATFORM_EKS_FARGATE))
            report_rule(L, apath, "service.platform",
                        "%s: fail_instances cannot act on %s (there are no instances to "
                        "fail); use service.platform ec2 or eks, or kill_tasks",
                        p2, enum_name("service.platform", (int)sv->platform));
        /* The scenario has no EC2 Spot capacity: Spot is Fargate Spot only
         * (sim/model/service.c, reference §6 spot_discount). */
        if (ev->action == ECSIM_ACTION_SPOT_INTERRUPTION && sv->platform != ECSIM_PLATFORM_FARGATE)
            report_rule(L, apath, "service.platform",
                        "%s: spot_interruption needs Fargate Spot capacity, and service.platform "
                        "%s has none (no Spot capacity can be given for ec2 or eks); use "
                        "fail_instances or kill_tasks",
                        p2, enum_name("service.platform", (int)sv->platform));
        snprintf(p1, sizeof p1, "events[%zu].duration", i);
        if ((ev->action == ECSIM_ACTION_AZ_OUTAGE || ev->action == ECSIM_ACTION_REGISTRY_OUTAGE) &&
            ev->duration_s > sc->duration_s)
            report_rule(L, p1, p2, "%s (%s) is longer than the simulation (duration %s)", p1,
                        dur(a, sizeof a, ev->duration_s), dur(b, sizeof b, sc->duration_s));
    }
}

/* The events by time; equal times keep the file's order. */
static int sort_events(ecsim_scenario *sc)
{
    return schema_sort_by_time(sc->events, sc->event_count, sizeof *sc->events,
                               offsetof(ecsim_event_spec, at_s));
}

/* ---- data files ------------------------------------------------------------------------------ */

/* Read the files the scenario names (sim/input/datafile.c), relative to the
 * scenario file, into the scenario: the trace, the arrival log and (in
 * requests mode, where they are used) the empirical service times. Every
 * problem is recorded in `d`. 0, or ECSIM_ENOMEM. */
static int read_data_files(ecsim_scenario *sc, const char *scenario_path, ecsim_diags *d)
{
    char path[2 * ECSIM_PATH_MAX];
    ecsim_load_spec *ld = &sc->load;
    ecsim_requests_spec *rq = &ld->requests;
    int rc = 0;
    if (ld->trace[0]) {
        ecsim_resolve_data_path(path, sizeof path, scenario_path, ld->trace);
        rc = ecsim_trace_read(path, &ld->trace_data, d);
        if (rc == ECSIM_ENOMEM)
            return rc;
    }
    if (rq->arrivals_file[0]) {
        ecsim_resolve_data_path(path, sizeof path, scenario_path, rq->arrivals_file);
        rc = ecsim_arrivals_read(path, sc->duration_s, &rq->arrival_times, &rq->arrival_count, d);
        if (rc == ECSIM_ENOMEM)
            return rc;
    }
    if (ld->mode == ECSIM_LOAD_REQUESTS && rq->dist == ECSIM_DIST_EMPIRICAL &&
        rq->empirical_file[0]) {
        ecsim_resolve_data_path(path, sizeof path, scenario_path, rq->empirical_file);
        rc = ecsim_empirical_read(path, &rq->empirical_s, &rq->empirical_count, d);
        if (rc == ECSIM_ENOMEM)
            return rc;
    }
    return 0;
}

/* Copy n doubles (NULL for none); false on OOM. */
static bool clone_doubles(double **dst, const double *src, size_t n)
{
    *dst = NULL;
    if (!src || !n)
        return true;
    *dst = ecsim_reallocarray(NULL, n, sizeof **dst);
    if (!*dst)
        return false;
    memcpy(*dst, src, n * sizeof **dst);
    return true;
}

static void free_data(ecsim_scenario *sc)
{
    ecsim_free(sc->load.trace_data.t);
    ecsim_free(sc->load.trace_data.rps);
    ecsim_free(sc->load.requests.arrival_times);
    ecsim_free(sc->load.requests.empirical_s);
    memset(&sc->load.trace_data, 0, sizeof sc->load.trace_data);
    sc->load.requests.arrival_times = sc->load.requests.empirical_s = NULL;
    sc->load.requests.arrival_count = sc->load.requests.empirical_count = 0;
}

/* ---- the public API -------------------------------------------------------------------------- */

static ecsim_scenario *scenario_alloc_defaults(void)
{
    ecsim_scenario *sc = ecsim_calloc(1, sizeof *sc);
    if (sc)
        schema_apply_defaults(&schema_scenario, sc);
    return sc;
}

ecsim_scenario *ecsim_scenario_create_default(void)
{
    ecsim_scenario *sc = scenario_alloc_defaults();
    if (!sc)
        return NULL;
    snprintf(sc->name, sizeof sc->name, "scenario");
    finalize_defaults(sc);
    return sc;
}

/* Where each field of a loaded scenario was given: the loader's position
 * table and source names, kept with the scenario for the checks that run
 * after loading (ecsim_scenario_report). */
struct ecsim_scenario_where {
    pos_entry *slots;
    size_t slot_cap;
    char *file;
    char **set_labels;
    size_t nsets;
};

static void where_free(struct ecsim_scenario_where *w)
{
    if (!w)
        return;
    for (size_t i = 0; i < w->slot_cap; i++)
        ecsim_free(w->slots[i].path);
    ecsim_free(w->slots);
    for (size_t i = 0; i < w->nsets; i++)
        ecsim_free(w->set_labels[i]);
    ecsim_free(w->set_labels);
    ecsim_free(w->file);
    ecsim_free(w);
}

/* Move the loader's positions and source names into L->sc. 0 or ECSIM_ENOMEM. */
static int where_keep(loader *L, size_t nsets)
{
    struct ecsim_scenario_where *w = ecsim_calloc(1, sizeof *w);
    if (!w)
        return ECSIM_ENOMEM;
    w->file = ecsim_strdup(L->file);
    if (!w->file) {
        ecsim_free(w);
        return ECSIM_ENOMEM;
    }
    w->slots = L->slots;
    w->slot_cap = L->slot_cap;
    w->set_labels = L->set_labels;
    w->nsets = L->set_labels ? nsets : 0;
    L->slots = NULL;
    L->slot_cap = L->slot_count = 0;
    L->set_labels = NULL;
    L->sc->where = w;
    return 0;
}

static const pos_entry *where_find(const struct ecsim_scenario_where *w, const char *path)
{
    if (!w || !path || !w->slot_cap)
        return NULL;
    size_t mask = w->slot_cap - 1;
    for (size_t i = hash_path(path) & mask;; i = (i + 1) & mask) {
        if (!w->slots[i].path)
            return NULL;
        if (strcmp(w->slots[i].path, path) == 0)
            return &w->slots[i];
    }
}

void ecsim_scenario_report(const ecsim_scenario *sc, ecsim_diags *d, const char *path1,
                           const char *path2, const char *message)
{
    const struct ecsim_scenario_where *w = sc->where;
    const pos_entry *e = where_find(w, path1);
    if (!e)
        e = where_find(w, path2);
    const char *file = w ? w->file : sc->source_path;
    if (!e) {
        ecsim_diags_add(d, ECSIM_DIAG_ERROR, file, 0, 0, "%s", message);
        return;
    }
    /* As report(): a --set has no position, only its text. */
    if (e->source != 0)
        ecsim_diags_add(d, ECSIM_DIAG_ERROR, w->set_labels[e->source - 1], 0, 0, "%s", message);
    else
        ecsim_diags_add(d, ECSIM_DIAG_ERROR, file, e->line, e->column, "%s", message);
}

ecsim_scenario *ecsim_scenario_clone(const ecsim_scenario *sc)
{
    ecsim_scenario *copy = ecsim_malloc(sizeof *copy);
    if (!copy)
        return NULL;
    memcpy(copy, sc, sizeof *copy);
    copy->where = NULL; /* positions stay with the loaded original */
    if (schema_clone_lists(&schema_scenario, copy, sc) != 0) {
        ecsim_free(copy);
        return NULL;
    }
    const ecsim_load_spec *ld = &sc->load;
    ecsim_load_spec *cl = &copy->load;
    bool ok = clone_doubles(&cl->trace_data.t, ld->trace_data.t, ld->trace_data.count);
    ok = clone_doubles(&cl->trace_data.rps, ok ? ld->trace_data.rps : NULL,
                       ld->trace_data.count) && ok;
    ok = clone_doubles(&cl->requests.arrival_times, ok ? ld->requests.arrival_times : NULL,
                       ld->requests.arrival_count) && ok;
    ok = clone_doubles(&cl->requests.empirical_s, ok ? ld->requests.empirical_s : NULL,
                       ld->requests.empirical_count) && ok;
    if (!ok) {
        ecsim_scenario_free(copy);
        return NULL;
    }
    return copy;
}

void ecsim_scenario_free(ecsim_scenario *sc)
{
    if (!sc)
        return;
    schema_free_lists(&schema_scenario, sc);
    where_free(sc->where);
    free_data(sc);
    ecsim_free(sc);
}

ecsim_scenario *ecsim_scenario_load_string(const char *text, size_t len,
                                           const char *display_name,
                                           const char *const *sets, size_t nsets,
                                           ecsim_diags *d)
{
    loader L;
    tree t;
    ecsim_scenario *result = NULL;
    memset(&L, 0, sizeof L);
    memset(&t, 0, sizeof t);
    t.root = -1;
    L.d = d;
    L.file = display_name ? display_name : "<input>";
    L.t = &t;
    size_t errors_before = d->errors;

    if (len > LOADER_MAX_BYTES) {
        report(&L, 0, 0, 0, "file is too large (%zu bytes; scenarios are at most %u bytes)", len,
               LOADER_MAX_BYTES);
        return NULL;
    }
    if (nsets) {
        L.set_labels = ecsim_calloc(nsets, sizeof *L.set_labels);
        if (!L.set_labels)
            goto fail_oom;
        for (size_t i = 0; i < nsets; i++) {
            size_t n = strlen(sets[i]) + sizeof "--set ";
            L.set_labels[i] = ecsim_malloc(n);
            if (!L.set_labels[i])
                goto fail_oom;
            snprintf(L.set_labels[i], n, "--set %s", sets[i]);
        }
    }
    L.sc = scenario_alloc_defaults();
    if (!L.sc)
        goto fail_oom;

    int rc = tree_parse(&L, &t, (const unsigned char *)text, len);
    if (rc == ECSIM_ENOMEM)
        goto fail_oom;
    if (rc != 0)
        goto fail;
    if (t.root < 0) {
        report(&L, 0, 0, 0,
               "the file has no YAML content (it is empty or only comments); a scenario is a "
               "mapping and needs at least `name: NAME`");
        goto fail;
    }
    if (t.nodes[t.root].type == YDOC_BAD)
        goto fail; /* an alias: already reported (issue 10: `*a` alone) */
    if (t.nodes[t.root].type != YDOC_MAP) {
        char got[96];
        describe_node(&L, t.root, got, sizeof got);
        report_node(&L, t.root,
                    "the top level must be a mapping of fields (e.g. `name: my-service`), got %s",
                    got);
        goto fail;
    }
    char path[LOADER_PATH_MAX] = "";
    walk_section(&L, &schema_scenario, t.root, (char *)L.sc, path, 0);
    for (size_t i = 0; i < nsets && !L.oom; i++) {
        L.source = (int)i + 1;
        apply_set(&L, sets[i]);
    }
    L.source = 0;
    if (L.oom)
        goto fail_oom;
    finalize_defaults(L.sc);
    resolve_instance_type(&L);
    check_policy_platform(&L);
    check_pull_fields(&L);
    validate(&L);
    if (L.oom || d->oom)
        goto fail_oom;
    if (d->errors > errors_before)
        goto fail;
    if (sort_events(L.sc) != 0)
        goto fail_oom;
    /* The data files, once the fields that name them are valid (STYLE.md
     * rule 22: `validate` is a complete check; the model opens no file). */
    if (read_data_files(L.sc, L.file, d) != 0)
        goto fail_oom;
    if (d->errors > errors_before)
        goto fail;

    ecsim_sha256 h;
    ecsim_sha256_init(&h);
    ecsim_sha256_update(&h, text, len);
    for (size_t i = 0; i < nsets; i++) {
        ecsim_sha256_update(&h, "\n--set ", 7);
        ecsim_sha256_update(&h, sets[i], strlen(sets[i]));
    }
    ecsim_sha256_hex(&h, L.sc->sha256);
    snprintf(L.sc->source_path, sizeof L.sc->source_path, "%s", L.file);
    if (where_keep(&L, nsets) != 0)
        goto fail_oom;

    result = L.sc;
    L.sc = NULL;
    goto cleanup;

fail_oom:
    d->oom = 1;
fail:
    ecsim_scenario_free(L.sc);
    L.sc = NULL;
    result = NULL;
cleanup:
    ydoc_free(&t);
    pos_free(&L);
    if (L.set_labels) {
        for (size_t i = 0; i < nsets; i++)
            ecsim_free(L.set_labels[i]);
        ecsim_free(L.set_labels);
    }
    return result;
}

ecsim_scenario *ecsim_scenario_load(const char *path, const char *const *sets, size_t nsets,
                                    ecsim_diags *d)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        ecsim_diags_add(d, ECSIM_DIAG_ERROR, path, 0, 0, "cannot read the file: %s",
                        strerror(errno));
        return NULL;
    }
    struct stat st;
    if (fstat(fileno(fp), &st) == 0 && S_ISREG(st.st_mode) &&
        (unsigned long long)st.st_size > LOADER_MAX_BYTES) {
        ecsim_diags_add(d, ECSIM_DIAG_ERROR, path, 0, 0,
                        "file is too large (%llu bytes; scenarios are at most %u bytes)",
                        (unsigned long long)st.st_size, LOADER_MAX_BYTES);
        fclose(fp);
        return NULL;
    }
    char *text = ecsim_malloc(LOADER_MAX_BYTES + 1);
    if (!text) {
        fclose(fp);
        d->oom = 1;
        return NULL;
    }
    size_t len = fread(text, 1, LOADER_MAX_BYTES + 1, fp);
    int read_error = ferror(fp);
    fclose(fp);
    if (read_error) {
        ecsim_diags_add(d, ECSIM_DIAG_ERROR, path, 0, 0, "cannot read the file: read error");
        ecsim_free(text);
        return NULL;
    }
    ecsim_scenario *sc = ecsim_scenario_load_string(text, len, path, sets, nsets, d);
    ecsim_free(text);
    return sc;
}
