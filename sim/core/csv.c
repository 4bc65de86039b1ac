/* CSV reader and writer (include/ecsim/csv.h).
 *
 * The reader is a byte state machine over a 64 KB buffer refilled with
 * fread: a record costs one pass over its bytes and no allocation once the
 * record buffer has grown to the longest record (the arrival logs it reads
 * can hold 10^8 rows). Field texts are stored one after the other, each
 * NUL-terminated, in one record buffer; the field table points into it
 * once the record is complete (the buffer may move while it grows).
 *
 * Error recovery: a malformed record is reported once and the reader
 * skips to the end of its line (outside quotes); an unclosed quote is
 * reported at the opening quote and ends the input (everything after it
 * was inside the field). A record over the size or field caps is read to
 * its end without keeping the excess, then reported.
 *
 * The writer builds each row in the writer's buffer and hands it to stdio
 * with one fwrite; numbers are formatted without printf when the result is
 * certain to be ecsim_fmt_num's (ecsim_csv_fmt_num), so the timeline and
 * decisions files of a year-long run cost a copy per field, not a printf. */
#include "ecsim/csv.h"

#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "ecsim/alloc.h"
#include "ecsim/error.h"
#include "ecsim/output.h"

#define CSV_BUF_SIZE 65536
#define CSV_EOF      (-1)

struct ecsim_csv_reader {
    FILE *in;
    ecsim_csv_options opt;
    ecsim_diags *d;
    unsigned char buf[CSV_BUF_SIZE];
    size_t pos, len;
    bool eof, io_error, started;
    int line, col;         /* position of the next byte */
    int cur_line, cur_col; /* position of the byte get() returned last */
    char *text;            /* record text, fields NUL-terminated */
    size_t text_len, text_cap;
    ecsim_csv_field *fields;
    size_t *offsets; /* field text offsets in `text` */
    size_t nfields, fields_cap;
    int record_line;
    size_t errors;
    bool oom;
};

ecsim_csv_reader *ecsim_csv_reader_create(FILE *in, const ecsim_csv_options *opt, ecsim_diags *d)
{
    ecsim_csv_reader *r = ecsim_calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->in = in;
    if (opt)
        r->opt = *opt;
    if (!r->opt.display_name)
        r->opt.display_name = "<input>";
    if (!r->opt.prefix)
        r->opt.prefix = "";
    if (!r->opt.max_record_bytes)
        r->opt.max_record_bytes = ECSIM_CSV_MAX_RECORD_BYTES;
    if (!r->opt.max_fields)
        r->opt.max_fields = ECSIM_CSV_MAX_FIELDS;
    r->d = d;
    r->line = 1;
    r->col = 1;
    return r;
}

void ecsim_csv_reader_destroy(ecsim_csv_reader *r)
{
    if (!r)
        return;
    ecsim_free(r->text);
    ecsim_free(r->fields);
    ecsim_free(r->offsets);
    ecsim_free(r);
}

void ecsim_csv_error(ecsim_csv_reader *r, int line, int column, const char *fmt, ...)
{
    r->errors++;
    if (!r->d)
        return;
    char msg[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    ecsim_diags_add(r->d, ECSIM_DIAG_ERROR, r->opt.display_name, line, column, "%s%s",
                    r->opt.prefix, msg);
}

/* ---- bytes ---------------------------------------------------------------------------- */

static bool fill(ecsim_csv_reader *r)
{
    if (r->eof)
        return false;
    r->pos = 0;
    r->len = fread(r->buf, 1, sizeof r->buf, r->in);
    if (r->len == 0) {
        r->eof = true;
        if (ferror(r->in))
            r->io_error = true;
        return false;
    }
    return true;
}

static int peek(ecsim_csv_reader *r)
{
    if (r->pos == r->len && !fill(r))
        return CSV_EOF;
    return r->buf[r->pos];
}

/* The next byte; CR LF is returned as one '\n'. Tracks line and column. */
static int get_slow(ecsim_csv_reader *r)
{
    if (!r->started) {
        r->started = true;
        /* A UTF-8 byte-order mark, as spreadsheets write: not data. */
        if (peek(r) == 0xEF && r->len - r->pos >= 3 && r->buf[r->pos + 1] == 0xBB &&
            r->buf[r->pos + 2] == 0xBF)
            r->pos += 3;
    }
    int c = peek(r);
    if (c == CSV_EOF) {
        r->cur_line = r->line;
        r->cur_col = r->col;
        return CSV_EOF;
    }
    r->pos++;
    r->cur_line = r->line;
    r->cur_col = r->col;
    if (c == '\r' && peek(r) == '\n') {
        r->pos++;
        c = '\n';
    }
    if (c == '\n') {
        r->line++;
        r->col = 1;
    } else {
        r->col++;
    }
    return c;
}

/* get_slow's fast path: an ordinary byte in the buffer. */
static inline int get(ecsim_csv_reader *r)
{
    if (r->pos < r->len && r->started) {
        unsigned char c = r->buf[r->pos];
        if (c != '\r' && c != '\n') {
            r->pos++;
            r->cur_line = r->line;
            r->cur_col = r->col++;
            return c;
        }
    }
    return get_slow(r);
}

static bool is_blank(int c)
{
    return c == ' ' || c == '\t';
}

/* Skip to the end of the current line (the '\n' consumed). */
static void skip_line(ecsim_csv_reader *r)
{
    int c;
    while ((c = get(r)) != CSV_EOF && c != '\n')
        ;
}

/* ---- the record buffer ------------------------------------------------------------------ */

static bool text_put(ecsim_csv_reader *r, char c, bool *too_long)
{
    if (r->text_len >= r->opt.max_record_bytes) {
        *too_long = true;
        return true;
    }
    if (r->text_len + 1 >= r->text_cap) {
        size_t cap = r->text_cap ? r->text_cap * 2 : 256;
        char *t = ecsim_realloc(r->text, cap);
        if (!t)
            return false;
        r->text = t;
        r->text_cap = cap;
    }
    r->text[r->text_len++] = c;
    return true;
}

/* Append n bytes (the excess over the cap is dropped: *too_long). */
static bool text_put_n(ecsim_csv_reader *r, const unsigned char *s, size_t n, bool *too_long)
{
    if (r->text_len + n > r->opt.max_record_bytes) {
        *too_long = true;
        n = r->text_len < r->opt.max_record_bytes ? r->opt.max_record_bytes - r->text_len : 0;
    }
    if (r->text_len + n + 1 > r->text_cap) {
        size_t cap = r->text_cap ? r->text_cap : 256;
        while (cap < r->text_len + n + 1)
            cap *= 2;
        char *t = ecsim_realloc(r->text, cap);
        if (!t)
            return false;
        r->text = t;
        r->text_cap = cap;
    }
    memcpy(r->text + r->text_len, s, n);
    r->text_len += n;
    return true;
}

static bool field_push(ecsim_csv_reader *r, const ecsim_csv_field *f, size_t offset)
{
    if (r->nfields == r->fields_cap) {
        size_t cap = r->fields_cap ? r->fields_cap * 2 : 16;
        ecsim_csv_field *nf = ecsim_reallocarray(r->fields, cap, sizeof *nf);
        if (!nf)
            return false;
        r->fields = nf;
        size_t *no = ecsim_reallocarray(r->offsets, cap, sizeof *no);
        if (!no)
            return false;
        r->offsets = no;
        r->fields_cap = cap;
    }
    r->fields[r->nfields] = *f;
    r->offsets[r->nfields] = offset;
    r->nfields++;
    return true;
}

/* ---- records ------------------------------------------------------------------------------ */

typedef enum field_end { END_FIELD, END_RECORD, END_BAD, END_OOM } field_end;

/* Parse one field from its first byte `c` (already read). */
static field_end parse_field(ecsim_csv_reader *r, int c, int raw_col, bool first, bool *too_long,
                             bool *comment)
{
    bool trim = r->opt.flags & ECSIM_CSV_TRIM;
    size_t start = r->text_len;
    ecsim_csv_field f;
    memset(&f, 0, sizeof f);
    f.raw_column = raw_col;
    if (trim)
        while (is_blank(c))
            c = get(r);
    f.line = r->cur_line;
    f.column = r->cur_col;
    if (first && c == '#' && (r->opt.flags & ECSIM_CSV_COMMENTS)) {
        if (trim || f.column == raw_col) {
            skip_line(r);
            *comment = true;
            return END_RECORD;
        }
    }
    if (c == '"') {
        int open_line = r->cur_line, open_col = r->cur_col;
        f.quoted = true;
        for (;;) {
            c = get(r);
            if (c == CSV_EOF) {
                ecsim_csv_error(r, open_line, open_col,
                                "the quoted field opened here is not closed; close it with "
                                "'\"' (a quote inside a quoted field is written \"\")");
                return END_BAD;
            }
            if (c == '"') {
                if (peek(r) != '"')
                    break;
                get(r);
            }
            if (!text_put(r, (char)c, too_long))
                return END_OOM;
        }
        c = get(r);
        int after_col = r->cur_col;
        if (trim)
            while (is_blank(c))
                c = get(r);
        f.end_column = after_col;
        if (c != ',' && c != '\n' && c != CSV_EOF) {
            ecsim_csv_error(r, r->cur_line, r->cur_col,
                            "unexpected character after the closing quote of the field at "
                            "column %d; expected ',' or the end of the line",
                            open_col);
            skip_line(r);
            return END_BAD;
        }
    } else {
        size_t last_nonblank = r->text_len;
        int end_col = f.column;
        while (c != ',' && c != '\n' && c != CSV_EOF) {
            if (c == '"') {
                ecsim_csv_error(r, r->cur_line, r->cur_col,
                                "a double quote inside an unquoted field; enclose the whole "
                                "field in double quotes and write the quote twice (\"\")");
                skip_line(r);
                return END_BAD;
            }
            if (!text_put(r, (char)c, too_long))
                return END_OOM;
            if (!is_blank(c))
                last_nonblank = r->text_len;
            /* The ordinary bytes that follow in the buffer, in one copy:
             * most of a file's bytes take this path. */
            size_t from = r->pos, to = from;
            while (to < r->len) {
                unsigned char b = r->buf[to];
                if (b == ',' || b == '"' || b == '\n' || b == '\r')
                    break;
                to++;
            }
            if (to > from) {
                size_t last = to;
                while (last > from && is_blank(r->buf[last - 1]))
                    last--;
                if (!text_put_n(r, r->buf + from, to - from, too_long))
                    return END_OOM;
                if (last > from && !*too_long)
                    last_nonblank = r->text_len - (to - last);
                r->pos = to;
                r->col += (int)(to - from);
            }
            c = get(r);
        }
        end_col = r->cur_col;
        if (trim && !*too_long)
            r->text_len = last_nonblank;
        f.end_column = end_col;
        if (r->text_len == start)
            f.column = trim ? end_col : f.column;
    }
    f.len = r->text_len - start;
    if (!text_put(r, '\0', too_long))
        return END_OOM;
    if (r->nfields >= r->opt.max_fields) {
        *too_long = true;
        r->text_len = start;
    } else if (!field_push(r, &f, start)) {
        return END_OOM;
    }
    return c == ',' ? END_FIELD : END_RECORD;
}

int ecsim_csv_next(ecsim_csv_reader *r)
{
    for (;;) {
        r->nfields = 0;
        r->text_len = 0;
        if (r->oom)
            return ECSIM_ENOMEM;
        int c = get(r);
        if (c == CSV_EOF) {
            if (r->io_error) {
                r->io_error = false;
                ecsim_csv_error(r, 0, 0, "read error after line %d", r->line);
                return ECSIM_EIO;
            }
            return 0;
        }
        r->record_line = r->cur_line;
        int record_col = r->cur_col;
        bool too_long = false, comment = false;
        int raw_col = r->cur_col;
        field_end e;
        do {
            e = parse_field(r, c, raw_col, r->nfields == 0 && !too_long, &too_long, &comment);
            if (e == END_FIELD) {
                raw_col = r->cur_col + 1;
                c = get(r);
            }
        } while (e == END_FIELD);
        if (e == END_OOM) {
            r->oom = true;
            return ECSIM_ENOMEM;
        }
        if (r->io_error) {
            r->io_error = false;
            ecsim_csv_error(r, 0, 0, "read error after line %d", r->line);
            return ECSIM_EIO;
        }
        if (e == END_BAD)
            return ECSIM_EINVAL;
        if (comment)
            continue;
        if (too_long) {
            ecsim_csv_error(r, r->record_line, record_col,
                            "record longer than %zu bytes or %zu fields; a CSV record here is "
                            "at most that",
                            r->opt.max_record_bytes, r->opt.max_fields);
            return ECSIM_EINVAL;
        }
        if ((r->opt.flags & ECSIM_CSV_SKIP_BLANK) && r->nfields == 1 && !r->fields[0].quoted &&
            r->fields[0].len == 0)
            continue;
        for (size_t i = 0; i < r->nfields; i++)
            r->fields[i].text = r->text + r->offsets[i];
        return 1;
    }
}

const ecsim_csv_field *ecsim_csv_record(const ecsim_csv_reader *r, size_t *count)
{
    *count = r->nfields;
    return r->fields;
}

int ecsim_csv_line(const ecsim_csv_reader *r)
{
    return r->record_line;
}

size_t ecsim_csv_errors(const ecsim_csv_reader *r)
{
    return r->errors;
}

/* ---- writer -------------------------------------------------------------------------------- */

void ecsim_csv_put_field(FILE *out, const char *s)
{
    if (!s)
        return;
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, out);
        return;
    }
    fputc('"', out);
    for (const char *p = s; *p; p++) {
        if (*p == '"')
            fputc('"', out);
        fputc(*p, out);
    }
    fputc('"', out);
}

/* ---- fast number text ---------------------------------------------------------------- */

/* Digits of n (n > 0) into end-backwards; returns the first. */
static char *digits_back(char *end, unsigned long long n)
{
    do {
        *--end = (char)('0' + n % 10);
        n /= 10;
    } while (n);
    return end;
}

#if LDBL_MANT_DIG >= 64
/* 10^k for k = 0 .. 18, exact in a 64-bit-mantissa long double. */
static const long double pow10l_table[19] = {
    1e0L, 1e1L, 1e2L, 1e3L, 1e4L, 1e5L, 1e6L, 1e7L, 1e8L, 1e9L,
    1e10L, 1e11L, 1e12L, 1e13L, 1e14L, 1e15L, 1e16L, 1e17L, 1e18L,
};

/* "%.15g" of a = |v| for 1e-4 <= a < 1e15 in fixed notation, or false when
 * the rounding is too close to call (then printf decides). The exact
 * 15-digit rounding of a is N = round(a x 10^(14-X)), X the decimal
 * exponent of a (one more if the rounding carries: printf decides then);
 * the product is exact to 2^-64 relative
 * (a has 53 bits, 10^k <= 10^18 is exact), so N is right unless the
 * fraction is within 1e-3 of one half. */
static bool fast_fixed(char *out, bool negative, double a)
{
    int e = (int)floor(log10(a));
    for (int tries = 0; tries < 3; tries++) {
        if (e < -4 || e > 14)
            return false;
        long double p = (long double)a * pow10l_table[14 - e];
        /* X = e exactly when 10^14 <= a x 10^(14-e) < 10^15. */
        if (p >= 1e15L) {
            e++;
            continue;
        }
        if (p < 1e14L) {
            e--;
            continue;
        }
        long double fl = floorl(p);
        long double frac = p - fl;
        if (fabsl(frac - 0.5L) < 1e-3L || p - 1e14L < 1e-3L)
            return false;
        unsigned long long n = (unsigned long long)fl + (frac > 0.5L);
        if (n >= 1000000000000000ULL)
            return false; /* rounds up to a power of ten: printf decides */
        /* 15 digits d0..d14 of value d0.d1...d14 x 10^e. */
        char dig[16];
        digits_back(dig + 15, n);
        int last = 14;
        while (last > 0 && dig[last] == '0')
            last--;
        char *o = out;
        if (negative)
            *o++ = '-';
        if (e >= 0) {
            for (int i = 0; i <= e; i++)
                *o++ = dig[i];
            if (last > e) {
                *o++ = '.';
                for (int i = e + 1; i <= last; i++)
                    *o++ = dig[i];
            }
        } else {
            *o++ = '0';
            *o++ = '.';
            for (int i = 0; i < -e - 1; i++)
                *o++ = '0';
            for (int i = 0; i <= last; i++)
                *o++ = dig[i];
        }
        *o = '\0';
        return true;
    }
    return false;
}
#endif

char *ecsim_csv_fmt_num(char *buf, size_t size, double v)
{
    if (size >= 32 && isfinite(v)) {
        double a = fabs(v);
        if (a < 1e15 && a == floor(a)) {
            /* An integer: %.15g prints all its digits ("-0" -> "0"). */
            char tmp[24];
            char *p = tmp + sizeof tmp;
            *--p = '\0';
            p = digits_back(p, (unsigned long long)a);
            if (v < 0)
                *--p = '-';
            memcpy(buf, p, (size_t)(tmp + sizeof tmp - p));
            return buf;
        }
#if LDBL_MANT_DIG >= 64
        if (a >= 1e-4 && a < 1e15 && fast_fixed(buf, v < 0, a))
            return buf;
#endif
    }
    return ecsim_fmt_num(buf, size, v);
}

/* ---- row writer ------------------------------------------------------------------------ */

void ecsim_csv_writer_init(ecsim_csv_writer *w, FILE *out)
{
    w->out = out;
    w->fields = 0;
    w->len = 0;
}

static void flush_row(ecsim_csv_writer *w)
{
    if (w->len)
        fwrite(w->buf, 1, w->len, w->out);
    w->len = 0;
}

static void put_bytes(ecsim_csv_writer *w, const char *s, size_t n)
{
    if (w->len + n > sizeof w->buf) {
        flush_row(w);
        if (n > sizeof w->buf) {
            fwrite(s, 1, n, w->out);
            return;
        }
    }
    memcpy(w->buf + w->len, s, n);
    w->len += n;
}

static void put_char(ecsim_csv_writer *w, char c)
{
    if (w->len == sizeof w->buf)
        flush_row(w);
    w->buf[w->len++] = c;
}

static void separator(ecsim_csv_writer *w)
{
    if (w->fields++ > 0)
        put_char(w, ',');
}

void ecsim_csv_write_text(ecsim_csv_writer *w, const char *s)
{
    separator(w);
    if (!s)
        return;
    if (!strpbrk(s, ",\"\r\n")) {
        put_bytes(w, s, strlen(s));
        return;
    }
    put_char(w, '"');
    for (const char *p = s; *p;) {
        const char *q = strchr(p, '"');
        size_t n = q ? (size_t)(q - p) + 1 : strlen(p);
        put_bytes(w, p, n);
        if (!q)
            break;
        put_char(w, '"'); /* the quote doubled */
        p = q + 1;
    }
    put_char(w, '"');
}

void ecsim_csv_write_num(ecsim_csv_writer *w, double v)
{
    separator(w);
    if (isfinite(v)) {
        char buf[64];
        ecsim_csv_fmt_num(buf, sizeof buf, v);
        put_bytes(w, buf, strlen(buf));
    }
}

void ecsim_csv_write_int(ecsim_csv_writer *w, long long v, bool negative_empty)
{
    separator(w);
    if (v >= 0 || !negative_empty) {
        char tmp[24];
        char *p = tmp + sizeof tmp;
        unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
        p = digits_back(p, u);
        if (v < 0)
            *--p = '-';
        put_bytes(w, p, (size_t)(tmp + sizeof tmp - p));
    }
}

void ecsim_csv_end_row(ecsim_csv_writer *w)
{
    put_char(w, '\n');
    flush_row(w);
    w->fields = 0;
}

int ecsim_csv_writer_status(const ecsim_csv_writer *w)
{
    return ferror(w->out) ? ECSIM_EIO : 0;
}
