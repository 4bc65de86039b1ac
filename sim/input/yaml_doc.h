/* The one YAML front end: text in, a small node tree out, with the limits
 * and the located errors every YAML input of ecsim shares (scenarios, the
 * --set values, `ecsim decide` inputs).
 *
 * libyaml's *event* stream is turned into the tree here, rather than with
 * libyaml's document loader, because the tree is where input is tamed:
 *   - size: at most YDOC_MAX_BYTES of text (the caller checks before reading);
 *   - aliases are rejected at their position, never expanded (an alias bomb
 *     costs one error per alias; no ecsim input needs them);
 *   - nesting deeper than YDOC_MAX_DEPTH stops the parse;
 *   - at most YDOC_MAX_NODES nodes;
 *   - one document per file;
 *   - syntax errors and bad bytes are reported at LINE:COLUMN with libyaml's
 *     problem, its context and a hint for tabs.
 * Scalars live in one arena. Nodes are addressed by index (-1 = none);
 * mapping children alternate key, value.
 *
 * Also the one "did you mean" function (ydoc_suggest), used for unknown
 * keys and enum values by both front ends. */
#ifndef ECSIM_YAML_DOC_H
#define ECSIM_YAML_DOC_H

#include <stdbool.h>
#include <stddef.h>

#include "ecsim/diag.h"

#define YDOC_MAX_BYTES 4194304u /* 4 MiB: a hand-written input is a few KiB */
#define YDOC_MAX_DEPTH 64
#define YDOC_MAX_NODES 2000000u /* a backstop: the size cap allows about this many */

typedef enum ydoc_type {
    YDOC_SCALAR,
    YDOC_SEQ,
    YDOC_MAP,
    YDOC_BAD /* an alias, already reported; skipped quietly */
} ydoc_type;

typedef struct ydoc_node {
    ydoc_type type;
    bool plain;       /* unquoted scalar (only plain scalars can be null) */
    int line, column; /* 1-based; 0 when the input has no position (--set) */
    size_t text, len; /* scalar: offset and length in the arena */
    long first, next; /* first child, next sibling (-1 = none) */
    size_t children;
} ydoc_node;

typedef struct ydoc {
    ydoc_node *nodes;
    size_t count, cap;
    char *arena;
    size_t used, arena_cap;
    long root; /* -1: no document */
} ydoc;

/* How errors of a parse are reported. */
typedef struct ydoc_source {
    const char *file; /* FILE in diagnostics */
    bool positions;   /* false: report without LINE:COLUMN (a --set value) */
    const char *noun; /* what the input is, for messages: "scenario", "decide input" */
} ydoc_source;

/* Parse `text` into `t` (initialised here). 0, ECSIM_EINVAL (a syntax error
 * or a limit: the parse stopped) or ECSIM_ENOMEM; every problem is recorded
 * in `d`. An alias is recorded and becomes a YDOC_BAD node while the parse
 * goes on (so the caller checks d->errors as well). `t` is valid (ydoc_free
 * it) whatever the result; t->root is -1 for an empty document. */
int ydoc_parse(ydoc *t, const unsigned char *text, size_t len, const ydoc_source *src,
               ecsim_diags *d);

void ydoc_free(ydoc *t);

/* Whether `s` is printable UTF-8: well-formed (no overlong form, surrogate or
 * code point above U+10FFFF) and free of control characters (C0 including tab
 * and newline, DEL, C1). NULL if so; else a short reason ("control character
 * U+0009", written into `buf`, or "invalid UTF-8") and the byte offset of the
 * problem in `*at`. */
const char *ydoc_text_problem(const char *s, size_t *at, char *buf, size_t size);

/* Append a node; its index or -1 on OOM. */
long ydoc_add(ydoc *t, ydoc_type type, int line, int column);
/* Set a scalar node's text (copied, NUL-terminated). 0 or ECSIM_ENOMEM. */
int ydoc_set_text(ydoc *t, long ni, const char *s, size_t len);

/* Node `ni`, or NULL for -1. */
static inline const ydoc_node *ydoc_at(const ydoc *t, long ni)
{
    return ni >= 0 ? &t->nodes[ni] : NULL;
}

/* A scalar's text (NUL-terminated; may hold NUL bytes up to len). */
static inline const char *ydoc_text(const ydoc *t, const ydoc_node *n)
{
    return t->arena + n->text;
}

/* A plain scalar "", "~", "null", "Null" or "NULL". */
bool ydoc_is_null(const ydoc *t, const ydoc_node *n);

/* The value of `key` in mapping `map` (the first one if repeated), or NULL;
 * NULL if `map` is not a mapping. */
const ydoc_node *ydoc_get(const ydoc *t, const ydoc_node *map, const char *key);

/* Child `i` of a sequence or mapping, or NULL: O(i) (walk first / next to
 * visit every child). */
const ydoc_node *ydoc_seq_at(const ydoc *t, const ydoc_node *seq, size_t i);

/* Edit distance (Damerau: insert, delete, substitute, swap two neighbours;
 * case-insensitive); 1000 for words of 64 bytes or more. */
int ydoc_distance(const char *a, const char *b);

/* The closest of `count` names (names[i * stride] as const char *): words
 * of up to 5 letters allow one edit, longer ones two; else the first name
 * that starts with `word` (3 letters or more); else NULL. */
const char *ydoc_suggest(const char *const *names, size_t count, size_t stride, const char *word);

#endif
