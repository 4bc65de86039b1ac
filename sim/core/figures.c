/* Flattened JSON figures (include/ecsim/figures.h).
 *
 * A recursive-descent parser over the whole text in memory (summary files
 * are a few kilobytes), depth-bounded so that a hostile file cannot
 * overflow the stack. The path of the value being parsed is kept in one
 * growing buffer: a key is appended on entry to a member and cut on exit,
 * so flattening costs one copy of each leaf's name. */
#include "ecsim/figures.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ecsim/alloc.h"
#include "ecsim/error.h"

enum { MAX_DEPTH = 64 };

typedef struct parser {
    const char *s;
    size_t len, pos;
    char *err;
    size_t errlen;
    int failed; /* ECSIM_EINVAL or ECSIM_ENOMEM once something went wrong */
    char *path;
    size_t path_len, path_cap;
    ecsim_figures *out;
} parser;

static void fail(parser *p, const char *msg)
{
    if (p->failed)
        return;
    p->failed = ECSIM_EINVAL;
    size_t line = 1, col = 1;
    for (size_t i = 0; i < p->pos && i < p->len; i++) {
        if (p->s[i] == '\n') {
            line++;
            col = 1;
        } else {
            col++;
        }
    }
    if (p->err && p->errlen)
        snprintf(p->err, p->errlen, "%zu:%zu: %s", line, col, msg);
}

static void oom(parser *p)
{
    if (!p->failed)
        p->failed = ECSIM_ENOMEM;
    if (p->err && p->errlen)
        snprintf(p->err, p->errlen, "out of memory");
}

static void skip_ws(parser *p)
{
    while (p->pos < p->len) {
        char c = p->s[p->pos];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
            break;
        p->pos++;
    }
}

/* Append `n` bytes of `text` to the current path (with a '.' first unless
 * the path is empty). Returns the length to cut back to. */
static size_t path_push(parser *p, const char *text, size_t n)
{
    size_t mark = p->path_len;
    size_t need = p->path_len + n + 2;
    if (need > p->path_cap) {
        size_t cap = p->path_cap ? p->path_cap * 2 : 128;
        while (cap < need)
            cap *= 2;
        char *np = ecsim_realloc(p->path, cap);
        if (!np) {
            oom(p);
            return mark;
        }
        p->path = np;
        p->path_cap = cap;
    }
    if (p->path_len)
        p->path[p->path_len++] = '.';
    memcpy(p->path + p->path_len, text, n);
    p->path_len += n;
    p->path[p->path_len] = '\0';
    return mark;
}

static void path_pop(parser *p, size_t mark)
{
    p->path_len = mark;
    if (p->path)
        p->path[mark] = '\0';
}

static void add_leaf(parser *p, ecsim_fig_kind kind, double num, char *str)
{
    ecsim_figures *f = p->out;
    if (p->failed) {
        ecsim_free(str);
        return;
    }
    if (f->count == f->cap) {
        size_t cap = f->cap ? f->cap * 2 : 64;
        ecsim_figure *ni = ecsim_reallocarray(f->items, cap, sizeof *ni);
        if (!ni) {
            ecsim_free(str);
            oom(p);
            return;
        }
        f->items = ni;
        f->cap = cap;
    }
    char *name = ecsim_strdup(p->path ? p->path : "");
    if (!name) {
        ecsim_free(str);
        oom(p);
        return;
    }
    f->items[f->count++] = (ecsim_figure){.name = name, .kind = kind, .num = num, .str = str};
}

/* Encode code point `cp` as UTF-8 into out (at least 4 bytes); the length. */
static size_t utf8_put(uint32_t cp, char *out)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

static int hex4(parser *p, uint32_t *cp)
{
    if (p->pos + 4 > p->len) {
        fail(p, "truncated \\u escape");
        return -1;
    }
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) {
        char c = p->s[p->pos++];
        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= (uint32_t)(c - '0');
        else if (c >= 'a' && c <= 'f')
            v |= (uint32_t)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            v |= (uint32_t)(c - 'A' + 10);
        else {
            p->pos--;
            fail(p, "bad hex digit in \\u escape");
            return -1;
        }
    }
    *cp = v;
    return 0;
}

/* Parse a string (at its opening quote) into a new allocation. */
static char *parse_string(parser *p)
{
    p->pos++; /* the opening quote */
    size_t start = p->pos;
    /* The decoded text is never longer than the source. */
    size_t end = start;
    while (end < p->len && p->s[end] != '"') {
        if (p->s[end] == '\\')
            end++;
        end++;
    }
    if (end >= p->len) {
        p->pos = start - 1; /* report it at the opening quote */
        fail(p, "unterminated string");
        return NULL;
    }
    char *out = ecsim_malloc(end - start + 1);
    if (!out) {
        oom(p);
        return NULL;
    }
    size_t o = 0;
    while (p->pos < p->len) {
        unsigned char c = (unsigned char)p->s[p->pos];
        if (c == '"') {
            p->pos++;
            out[o] = '\0';
            return out;
        }
        if (c < 0x20) {
            fail(p, "control character in string");
            break;
        }
        if (c != '\\') {
            out[o++] = (char)c;
            p->pos++;
            continue;
        }
        p->pos++;
        if (p->pos >= p->len)
            break;
        char e = p->s[p->pos++];
        switch (e) {
        case '"': out[o++] = '"'; break;
        case '\\': out[o++] = '\\'; break;
        case '/': out[o++] = '/'; break;
        case 'b': out[o++] = '\b'; break;
        case 'f': out[o++] = '\f'; break;
        case 'n': out[o++] = '\n'; break;
        case 'r': out[o++] = '\r'; break;
        case 't': out[o++] = '\t'; break;
        case 'u': {
            uint32_t cp;
            if (hex4(p, &cp) < 0)
                goto bad;
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                uint32_t lo;
                if (p->pos + 2 > p->len || p->s[p->pos] != '\\' || p->s[p->pos + 1] != 'u') {
                    fail(p, "unpaired surrogate in \\u escape");
                    goto bad;
                }
                p->pos += 2;
                if (hex4(p, &lo) < 0)
                    goto bad;
                if (lo < 0xDC00 || lo > 0xDFFF) {
                    fail(p, "unpaired surrogate in \\u escape");
                    goto bad;
                }
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
                fail(p, "unpaired surrogate in \\u escape");
                goto bad;
            }
            /* 6 source bytes give at most 3 (or 12 give 4): it fits. */
            o += utf8_put(cp, out + o);
            break;
        }
        default:
            p->pos--;
            fail(p, "unknown escape in string");
            goto bad;
        }
    }
bad:
    if (!p->failed)
        fail(p, "unterminated string");
    ecsim_free(out);
    return NULL;
}

static void parse_value(parser *p, int depth);

static void parse_number(parser *p)
{
    size_t start = p->pos;
    if (p->pos < p->len && p->s[p->pos] == '-')
        p->pos++;
    if (p->pos >= p->len || p->s[p->pos] < '0' || p->s[p->pos] > '9') {
        fail(p, "expected a value");
        return;
    }
    if (p->s[p->pos] == '0') {
        p->pos++;
    } else {
        while (p->pos < p->len && p->s[p->pos] >= '0' && p->s[p->pos] <= '9')
            p->pos++;
    }
    if (p->pos < p->len && p->s[p->pos] == '.') {
        p->pos++;
        if (p->pos >= p->len || p->s[p->pos] < '0' || p->s[p->pos] > '9') {
            fail(p, "expected a digit after '.'");
            return;
        }
        while (p->pos < p->len && p->s[p->pos] >= '0' && p->s[p->pos] <= '9')
            p->pos++;
    }
    if (p->pos < p->len && (p->s[p->pos] == 'e' || p->s[p->pos] == 'E')) {
        p->pos++;
        if (p->pos < p->len && (p->s[p->pos] == '+' || p->s[p->pos] == '-'))
            p->pos++;
        if (p->pos >= p->len || p->s[p->pos] < '0' || p->s[p->pos] > '9') {
            fail(p, "expected a digit in the exponent");
            return;
        }
        while (p->pos < p->len && p->s[p->pos] >= '0' && p->s[p->pos] <= '9')
            p->pos++;
    }
    char buf[64];
    size_t n = p->pos - start;
    if (n >= sizeof buf) {
        fail(p, "number too long");
        return;
    }
    memcpy(buf, p->s + start, n);
    buf[n] = '\0';
    add_leaf(p, ECSIM_FIG_NUMBER, strtod(buf, NULL), NULL);
}

static int literal(parser *p, const char *word)
{
    size_t n = strlen(word);
    if (p->pos + n <= p->len && memcmp(p->s + p->pos, word, n) == 0) {
        p->pos += n;
        return 1;
    }
    return 0;
}

/* After a member or an element: ',' goes on (1); `close` ends the
 * container (0); anything else is an error (0, p->failed set). */
static int next_or_close(parser *p, char close, const char *msg)
{
    skip_ws(p);
    if (p->pos < p->len && p->s[p->pos] == ',') {
        p->pos++;
        return 1;
    }
    if (p->pos < p->len && p->s[p->pos] == close) {
        p->pos++;
        return 0;
    }
    fail(p, msg);
    return 0;
}

static void parse_object(parser *p, int depth)
{
    p->pos++; /* { */
    skip_ws(p);
    if (p->pos < p->len && p->s[p->pos] == '}') {
        p->pos++;
        add_leaf(p, ECSIM_FIG_NULL, NAN, NULL);
        return;
    }
    for (;;) {
        skip_ws(p);
        if (p->pos >= p->len || p->s[p->pos] != '"') {
            fail(p, "expected a member name in quotes");
            return;
        }
        char *key = parse_string(p);
        if (!key)
            return;
        size_t mark = path_push(p, key, strlen(key));
        ecsim_free(key);
        if (p->failed)
            return;
        skip_ws(p);
        if (p->pos >= p->len || p->s[p->pos] != ':') {
            fail(p, "expected ':' after a member name");
            return;
        }
        p->pos++;
        parse_value(p, depth + 1);
        path_pop(p, mark);
        if (p->failed || !next_or_close(p, '}', "expected ',' or '}' in an object"))
            return;
    }
}

static void parse_array(parser *p, int depth)
{
    p->pos++; /* [ */
    skip_ws(p);
    if (p->pos < p->len && p->s[p->pos] == ']') {
        p->pos++;
        add_leaf(p, ECSIM_FIG_NULL, NAN, NULL);
        return;
    }
    for (size_t i = 0;; i++) {
        char idx[24];
        int n = snprintf(idx, sizeof idx, "%zu", i);
        size_t mark = path_push(p, idx, (size_t)n);
        if (p->failed)
            return;
        parse_value(p, depth + 1);
        path_pop(p, mark);
        if (p->failed || !next_or_close(p, ']', "expected ',' or ']' in an array"))
            return;
    }
}

static void parse_value(parser *p, int depth)
{
    if (depth > MAX_DEPTH) {
        fail(p, "nested deeper than 64 levels");
        return;
    }
    skip_ws(p);
    if (p->pos >= p->len) {
        fail(p, "unexpected end of the document");
        return;
    }
    char c = p->s[p->pos];
    if (c == '{') {
        parse_object(p, depth);
    } else if (c == '[') {
        parse_array(p, depth);
    } else if (c == '"') {
        char *s = parse_string(p);
        if (s)
            add_leaf(p, ECSIM_FIG_STRING, NAN, s);
    } else if (literal(p, "true")) {
        add_leaf(p, ECSIM_FIG_BOOL, 1.0, NULL);
    } else if (literal(p, "false")) {
        add_leaf(p, ECSIM_FIG_BOOL, 0.0, NULL);
    } else if (literal(p, "null")) {
        add_leaf(p, ECSIM_FIG_NULL, NAN, NULL);
    } else {
        parse_number(p);
    }
}

int ecsim_figures_parse(const char *text, size_t len, ecsim_figures *out, char *err,
                        size_t errlen)
{
    memset(out, 0, sizeof *out);
    parser p = {.s = text, .len = len, .err = err, .errlen = errlen, .out = out};
    if (err && errlen)
        err[0] = '\0';
    parse_value(&p, 0);
    if (!p.failed) {
        skip_ws(&p);
        if (p.pos < p.len)
            fail(&p, "text after the end of the document");
    }
    ecsim_free(p.path);
    if (p.failed) {
        ecsim_figures_free(out);
        return p.failed;
    }
    return 0;
}

int ecsim_figures_read(const char *path, ecsim_figures *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    FILE *f = fopen(path, "rb");
    if (!f) {
        if (err && errlen)
            snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return ECSIM_EIO;
    }
    char *buf = NULL;
    size_t len = 0, cap = 0;
    int rc = 0;
    for (;;) {
        if (len + 4096 > cap) {
            size_t ncap = cap ? cap * 2 : 8192;
            char *nb = ecsim_realloc(buf, ncap);
            if (!nb) {
                rc = ECSIM_ENOMEM;
                break;
            }
            buf = nb;
            cap = ncap;
        }
        size_t got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (got == 0)
            break;
    }
    if (!rc && ferror(f)) {
        if (err && errlen)
            snprintf(err, errlen, "%s: %s", path, strerror(errno ? errno : EIO));
        rc = ECSIM_EIO;
    }
    fclose(f);
    if (!rc) {
        char msg[256];
        rc = ecsim_figures_parse(buf, len, out, msg, sizeof msg);
        if (rc && err && errlen)
            snprintf(err, errlen, "%s:%s", path, msg);
    } else if (rc == ECSIM_ENOMEM && err && errlen) {
        snprintf(err, errlen, "%s: out of memory", path);
    }
    ecsim_free(buf);
    return rc;
}

const ecsim_figure *ecsim_figures_find(const ecsim_figures *f, const char *name)
{
    for (size_t i = 0; i < f->count; i++)
        if (strcmp(f->items[i].name, name) == 0)
            return &f->items[i];
    return NULL;
}

double ecsim_figures_number(const ecsim_figures *f, const char *name, int *found)
{
    const ecsim_figure *e = ecsim_figures_find(f, name);
    if (found)
        *found = e != NULL;
    if (!e)
        return NAN;
    return (e->kind == ECSIM_FIG_NUMBER || e->kind == ECSIM_FIG_BOOL) ? e->num : NAN;
}

void ecsim_figures_free(ecsim_figures *f)
{
    for (size_t i = 0; i < f->count; i++) {
        ecsim_free(f->items[i].name);
        ecsim_free(f->items[i].str);
    }
    ecsim_free(f->items);
    memset(f, 0, sizeof *f);
}
