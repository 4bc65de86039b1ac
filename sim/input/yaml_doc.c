/* The one YAML front end (yaml_doc.h): libyaml events to a node tree with
 * the shared limits and located errors, and the "did you mean" function.
 * See yaml_doc.h for why events and not libyaml's document loader. */
#include "yaml_doc.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <yaml.h>

#include "ecsim/alloc.h"
#include "ecsim/error.h"

#if defined(__GNUC__)
#define YDOC_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define YDOC_PRINTF(f, a)
#endif

/* ---- the tree ---------------------------------------------------------------------- */

void ydoc_free(ydoc *t)
{
    ecsim_free(t->nodes);
    ecsim_free(t->arena);
    memset(t, 0, sizeof *t);
    t->root = -1;
}

long ydoc_add(ydoc *t, ydoc_type type, int line, int column)
{
    if (t->count == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 64;
        ydoc_node *nodes = ecsim_reallocarray(t->nodes, cap, sizeof *nodes);
        if (!nodes)
            return -1;
        t->nodes = nodes;
        t->cap = cap;
    }
    ydoc_node *n = &t->nodes[t->count];
    memset(n, 0, sizeof *n);
    n->type = type;
    n->line = line;
    n->column = column;
    n->first = n->next = -1;
    return (long)t->count++;
}

int ydoc_set_text(ydoc *t, long ni, const char *s, size_t len)
{
    if (t->used + len + 1 > t->arena_cap) {
        size_t cap = t->arena_cap ? t->arena_cap : 1024;
        while (cap < t->used + len + 1)
            cap *= 2;
        char *arena = ecsim_realloc(t->arena, cap);
        if (!arena)
            return ECSIM_ENOMEM;
        t->arena = arena;
        t->arena_cap = cap;
    }
    memcpy(t->arena + t->used, s, len);
    t->arena[t->used + len] = '\0';
    t->nodes[ni].text = t->used;
    t->nodes[ni].len = len;
    t->used += len + 1;
    return 0;
}

bool ydoc_is_null(const ydoc *t, const ydoc_node *n)
{
    if (n->type != YDOC_SCALAR || !n->plain)
        return false;
    const char *s = ydoc_text(t, n);
    return !*s || !strcmp(s, "~") || !strcmp(s, "null") || !strcmp(s, "Null") || !strcmp(s, "NULL");
}

const ydoc_node *ydoc_get(const ydoc *t, const ydoc_node *map, const char *key)
{
    if (!map || map->type != YDOC_MAP)
        return NULL;
    const ydoc_node *found = NULL;
    for (const ydoc_node *k = ydoc_at(t, map->first); k;) {
        const ydoc_node *v = ydoc_at(t, k->next);
        if (k->type == YDOC_SCALAR && strcmp(ydoc_text(t, k), key) == 0) {
            found = v;
            break;
        }
        k = v ? ydoc_at(t, v->next) : NULL;
    }
    return found;
}

const ydoc_node *ydoc_seq_at(const ydoc *t, const ydoc_node *seq, size_t i)
{
    if (!seq || (seq->type != YDOC_SEQ && seq->type != YDOC_MAP))
        return NULL;
    const ydoc_node *c = ydoc_at(t, seq->first);
    for (; c && i > 0; i--)
        c = ydoc_at(t, c->next);
    return c;
}

/* ---- errors ------------------------------------------------------------------------- */

YDOC_PRINTF(5, 6)
static void report(const ydoc_source *src, ecsim_diags *d, int line, int column, const char *fmt,
                   ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (!src->positions)
        line = column = 0; /* a --set has no position, only its text */
    ecsim_diags_add(d, ECSIM_DIAG_ERROR, src->file, line, column, "%s", buf);
}

/* ---- parsing ------------------------------------------------------------------------ */

/* Line and column (1-based, columns in characters) of byte `offset`. */
static void offset_position(const unsigned char *text, size_t len, size_t offset, int *line,
                            int *column)
{
    int l = 1, c = 1;
    for (size_t i = 0; i < offset && i < len; i++) {
        if (text[i] == '\n') {
            l++;
            c = 1;
        } else if ((text[i] & 0xC0) != 0x80) {
            c++;
        }
    }
    *line = l;
    *column = c;
}

static void report_yaml_error(const ydoc_source *src, ecsim_diags *d, const yaml_parser_t *p,
                              const unsigned char *text, size_t len)
{
    int line, column;
    const char *problem = p->problem ? p->problem : "unknown problem";
    if (p->error == YAML_READER_ERROR) {
        /* Bad bytes: NUL and other control characters, invalid UTF-8. */
        offset_position(text, len, p->problem_offset, &line, &column);
        if (p->problem_value != -1)
            report(src, d, line, column, "invalid input: %s (byte 0x%02X)", problem,
                   (unsigned)p->problem_value & 0xFFu);
        else
            report(src, d, line, column, "invalid input: %s", problem);
        return;
    }
    line = (int)p->problem_mark.line + 1;
    column = (int)p->problem_mark.column + 1;
    char context[256] = "";
    if (p->context) {
        if (p->context_mark.line != p->problem_mark.line)
            snprintf(context, sizeof context, " (%s at line %d, column %d)", p->context,
                     (int)p->context_mark.line + 1, (int)p->context_mark.column + 1);
        else
            snprintf(context, sizeof context, " (%s)", p->context);
    }
    const char *hint = "";
    size_t at = p->problem_mark.index;
    if (at < len && text[at] == '\t')
        hint = "; YAML does not allow tabs for indentation, use spaces";
    report(src, d, line, column, "syntax error: %s%s%s", problem, context, hint);
}

int ydoc_parse(ydoc *t, const unsigned char *text, size_t len, const ydoc_source *src,
               ecsim_diags *d)
{
    yaml_parser_t parser;
    yaml_event_t event;
    struct {
        long node, last;
    } stack[YDOC_MAX_DEPTH + 1];
    int depth = 0, documents = 0, rc = 0;
    bool done = false;

    memset(t, 0, sizeof *t);
    t->root = -1;
    if (!yaml_parser_initialize(&parser))
        return ECSIM_ENOMEM;
    yaml_parser_set_input_string(&parser, text, len);
    yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING);

    while (!done) {
        if (!yaml_parser_parse(&parser, &event)) {
            if (parser.error == YAML_MEMORY_ERROR) {
                rc = ECSIM_ENOMEM;
            } else {
                report_yaml_error(src, d, &parser, text, len);
                rc = ECSIM_EINVAL;
            }
            break;
        }
        int line = (int)event.start_mark.line + 1, column = (int)event.start_mark.column + 1;
        long ni = -2; /* -2: this event makes no node */
        /* Explicit tags (!!binary, !!python/object, !foo, even !!str) are
         * rejected, not ignored: a scenario's types come from its schema, and
         * a tag silently dropped would read the value as something else. */
        const yaml_char_t *tag = event.type == YAML_SCALAR_EVENT ? event.data.scalar.tag
                                 : event.type == YAML_SEQUENCE_START_EVENT
                                     ? event.data.sequence_start.tag
                                 : event.type == YAML_MAPPING_START_EVENT
                                     ? event.data.mapping_start.tag
                                     : NULL;
        if (tag) {
            const char *shown = (const char *)tag, *bang = "";
            if (strncmp(shown, "tag:yaml.org,2002:", 18) == 0)
                shown += 18, bang = "!!";
            report(src, d, line, column,
                   "YAML tags (%s%.40s) are not supported in %ss; remove the tag and write the "
                   "plain value",
                   bang, shown, src->noun);
        }
        switch (event.type) {
        case YAML_STREAM_END_EVENT:
            done = true;
            break;
        case YAML_DOCUMENT_START_EVENT:
            if (++documents > 1) {
                report(src, d, line, column,
                       "a %s file holds one YAML document; remove this second one "
                       "(and the `---` before it)",
                       src->noun);
                rc = ECSIM_EINVAL;
                done = true;
            }
            break;
        case YAML_ALIAS_EVENT:
            /* Aliases are not expanded at all: no input can blow up (the
             * "billion laughs"), and a scenario never needs them. */
            report(src, d, line, column,
                   "aliases (*%.40s) are not supported in %ss; write the value out",
                   (const char *)event.data.alias.anchor, src->noun);
            ni = ydoc_add(t, YDOC_BAD, line, column);
            break;
        case YAML_SCALAR_EVENT:
            ni = ydoc_add(t, YDOC_SCALAR, line, column);
            if (ni >= 0) {
                t->nodes[ni].plain = event.data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
                if (ydoc_set_text(t, ni, (const char *)event.data.scalar.value,
                                  event.data.scalar.length) != 0)
                    ni = -1;
            }
            break;
        case YAML_SEQUENCE_START_EVENT:
        case YAML_MAPPING_START_EVENT:
            if (depth >= YDOC_MAX_DEPTH) {
                report(src, d, line, column,
                       "nesting is too deep (more than %d levels); a %s needs fewer than 10",
                       YDOC_MAX_DEPTH, src->noun);
                rc = ECSIM_EINVAL;
                done = true;
                break;
            }
            ni = ydoc_add(t, event.type == YAML_MAPPING_START_EVENT ? YDOC_MAP : YDOC_SEQ, line,
                          column);
            break;
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT:
            if (depth > 0)
                depth--;
            break;
        default:
            break;
        }
        if (ni >= 0 && t->count > YDOC_MAX_NODES) {
            report(src, d, line, column, "too many YAML nodes (more than %u); a %s needs far fewer",
                   YDOC_MAX_NODES, src->noun);
            rc = ECSIM_EINVAL;
            done = true;
        } else if (ni == -1) {
            rc = ECSIM_ENOMEM;
            done = true;
        } else if (ni >= 0) {
            if (depth == 0) {
                t->root = ni;
            } else {
                ydoc_node *parent = &t->nodes[stack[depth - 1].node];
                if (stack[depth - 1].last < 0)
                    parent->first = ni;
                else
                    t->nodes[stack[depth - 1].last].next = ni;
                stack[depth - 1].last = ni;
                parent->children++;
            }
            if (event.type == YAML_SEQUENCE_START_EVENT || event.type == YAML_MAPPING_START_EVENT) {
                stack[depth].node = ni;
                stack[depth].last = -1;
                depth++;
            }
        }
        yaml_event_delete(&event);
    }
    yaml_parser_delete(&parser);
    return rc;
}

/* ---- text checks ---------------------------------------------------------------------- */

const char *ydoc_text_problem(const char *s, size_t *at, char *buf, size_t size)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (p[i]) {
        unsigned c = p[i];
        size_t n;
        unsigned long cp;
        if (c < 0x80) {
            n = 1, cp = c;
        } else if (c >= 0xC2 && c <= 0xDF) {
            n = 2, cp = c & 0x1F;
        } else if (c >= 0xE0 && c <= 0xEF) {
            n = 3, cp = c & 0x0F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            n = 4, cp = c & 0x07;
        } else {
            *at = i;
            return "invalid UTF-8";
        }
        for (size_t k = 1; k < n; k++) {
            if ((p[i + k] & 0xC0) != 0x80) {
                *at = i;
                return "invalid UTF-8";
            }
            cp = (cp << 6) | (p[i + k] & 0x3F);
        }
        if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
            (cp >= 0xD800 && cp <= 0xDFFF)) {
            *at = i;
            return "invalid UTF-8";
        }
        if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F)) {
            *at = i;
            snprintf(buf, size, "control character U+%04lX", cp);
            return buf;
        }
        i += n;
    }
    return NULL;
}

/* ---- suggestions ------------------------------------------------------------------------ */

int ydoc_distance(const char *a, const char *b)
{
    enum { N = 64 };
    size_t la = strlen(a), lb = strlen(b);
    if (la >= N || lb >= N)
        return 1000;
    int d[N][N];
    for (size_t i = 0; i <= la; i++)
        d[i][0] = (int)i;
    for (size_t j = 0; j <= lb; j++)
        d[0][j] = (int)j;
    for (size_t i = 1; i <= la; i++) {
        for (size_t j = 1; j <= lb; j++) {
            int ca = tolower((unsigned char)a[i - 1]), cb = tolower((unsigned char)b[j - 1]);
            int cost = ca != cb;
            int best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best)
                best = d[i][j - 1] + 1;
            if (d[i - 1][j - 1] + cost < best)
                best = d[i - 1][j - 1] + cost;
            if (i > 1 && j > 1 && ca == tolower((unsigned char)b[j - 2]) &&
                tolower((unsigned char)a[i - 2]) == cb && d[i - 2][j - 2] + 1 < best)
                best = d[i - 2][j - 2] + 1; /* transposition */
            d[i][j] = best;
        }
    }
    return d[la][lb];
}

static bool has_prefix_ci(const char *s, const char *prefix)
{
    for (; *prefix; s++, prefix++)
        if (tolower((unsigned char)*s) != tolower((unsigned char)*prefix))
            return false;
    return true;
}

const char *ydoc_suggest(const char *const *names, size_t count, size_t stride, const char *word)
{
    size_t len = strlen(word);
    int limit = len <= 5 ? 1 : 2, best = limit + 1; /* "base" is not "name" */
    const char *best_name = NULL;
    for (size_t i = 0; i < count; i++) {
        const char *c = *(const char *const *)(const void *)((const char *)names + i * stride);
        int dist = ydoc_distance(word, c);
        if (dist < best) {
            best = dist;
            best_name = c;
        }
    }
    if (best_name || len < 3)
        return best_name;
    for (size_t i = 0; i < count; i++) {
        const char *c = *(const char *const *)(const void *)((const char *)names + i * stride);
        if (has_prefix_ci(c, word))
            return c;
    }
    return NULL;
}
