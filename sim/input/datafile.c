/* The scenario's data files (include/ecsim/loader.h): load traces, request
 * arrival logs and empirical service times, read and validated when the
 * scenario is loaded, so that `ecsim validate` is a complete check
 * (STYLE.md rule 22) and the model never opens a file.
 *
 * All three are read through the one CSV reader (include/ecsim/csv.h): a
 * field may be quoted, a malformed record is reported where it is and the
 * reading goes on, so every bad row of a file is reported at once as
 * FILE:LINE:COLUMN (FILE as the scenario names it, resolved against the
 * scenario's folder). Each reader then checks its own columns. A file that
 * cannot be opened or read is an I/O error (d->io_errors, exit 3); a file
 * with bad content is an invalid scenario (exit 2). */
#include "ecsim/loader.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ecsim/alloc.h"
#include "ecsim/csv.h"
#include "ecsim/error.h"
#include "ecsim/output.h"

#define NUMBER_FIELD_MAX 64 /* longest number text accepted in a data file */
/* An empirical file larger than this is refused (no input may exhaust
 * memory; 64 MB is several million service times). */
#define EMPIRICAL_MAX_BYTES ((size_t)64 * 1024 * 1024)
/* Bad rows reported before a reader of arrivals or service times gives up. */
#define DATA_MAX_ERRORS 20

void ecsim_resolve_data_path(char *out, size_t size, const char *scenario_path, const char *file)
{
    const char *slash = scenario_path ? strrchr(scenario_path, '/') : NULL;
    int n = -1;
    if (file[0] != '/' && slash)
        n = snprintf(out, size, "%.*s/%s", (int)(slash - scenario_path), scenario_path, file);
    if (n < 0 || (size_t)n >= size)
        snprintf(out, size, "%s", file);
}

/* ---- shared helpers ---------------------------------------------------------------- */

/* A growing array of doubles (two parallel ones for traces). */
typedef struct dvec {
    double *v;
    size_t count, cap;
} dvec;

static int dvec_push(dvec *a, double x)
{
    if (a->count == a->cap) {
        size_t cap = a->cap ? a->cap * 2 : 256;
        double *n = ecsim_reallocarray(a->v, cap, sizeof *n);
        if (!n)
            return ECSIM_ENOMEM;
        a->v = n;
        a->cap = cap;
    }
    a->v[a->count++] = x;
    return 0;
}

/* Strict decimal syntax of the `len` bytes at `s`:
 * [+-]digits[.digits][e[+-]digits] (or .digits) - no inf, nan, hex or
 * locale separators. */
static bool decimal_syntax(const char *s, size_t len)
{
    size_t i = 0, digits = 0;
    if (i < len && (s[i] == '+' || s[i] == '-'))
        i++;
    while (i < len && s[i] >= '0' && s[i] <= '9')
        i++, digits++;
    if (i < len && s[i] == '.') {
        i++;
        while (i < len && s[i] >= '0' && s[i] <= '9')
            i++, digits++;
    }
    if (!digits)
        return false;
    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < len && (s[i] == '+' || s[i] == '-'))
            i++;
        size_t exp_digits = 0;
        while (i < len && s[i] >= '0' && s[i] <= '9')
            i++, exp_digits++;
        if (!exp_digits)
            return false;
    }
    return i == len;
}

/* A field as a finite decimal number; false if it is not one. */
static bool parse_number(const ecsim_csv_field *f, double *out)
{
    if (f->len == 0 || f->len > NUMBER_FIELD_MAX || !decimal_syntax(f->text, f->len))
        return false;
    errno = 0;
    char *end = NULL;
    double v = strtod(f->text, &end);
    /* Finite and not denormal, like every number of a scenario (schema.c). */
    if (end != f->text + f->len || !isfinite(v) || fpclassify(v) == FP_SUBNORMAL)
        return false;
    *out = v;
    return true;
}

/* Text for a message: at most 32 bytes, non-printable bytes and '"' as '?'. */
static const char *shown(char *out, size_t size, const char *s, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len && n + 4 < size; i++) {
        if (i == 32) {
            memcpy(out + n, "...", 3);
            n += 3;
            break;
        }
        unsigned char c = (unsigned char)s[i];
        out[n++] = (c >= 0x20 && c < 0x7f && c != '"') ? (char)c : '?';
    }
    out[n] = '\0';
    return out;
}

/* Fields [from, n) joined with ',' for a message (the rest of a line). */
static const char *shown_rest(char *out, size_t size, const ecsim_csv_field *f, size_t from,
                              size_t n)
{
    char joined[64];
    size_t len = 0;
    for (size_t i = from; i < n && len < sizeof joined; i++) {
        if (i > from)
            joined[len++] = ',';
        for (size_t k = 0; k < f[i].len && len < sizeof joined; k++)
            joined[len++] = f[i].text[k];
    }
    return shown(out, size, joined, len);
}

/* Record an error and count it as an I/O error when `io`. */
static void file_error(ecsim_diags *d, bool io, const char *path, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

static void file_error(ecsim_diags *d, bool io, const char *path, const char *fmt, ...)
{
    if (!d)
        return;
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    ecsim_diags_add(d, ECSIM_DIAG_ERROR, path, 0, 0, "%s", msg);
    if (io)
        d->io_errors++;
}

/* Open `path` for reading: NULL, reported as an I/O error, if it cannot be
 * opened (`cannot_open_fmt` with strerror) or is not a regular file
 * (`not_regular`: a directory, a FIFO or a device such as /dev/zero, which
 * would never end). */
static FILE *open_data(const char *path, ecsim_diags *d, const char *cannot_open_fmt,
                       const char *not_regular)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        file_error(d, true, path, cannot_open_fmt, strerror(errno));
        return NULL;
    }
    struct stat st;
    if (fstat(fileno(fp), &st) != 0) {
        file_error(d, true, path, cannot_open_fmt, strerror(errno));
        fclose(fp);
        return NULL;
    }
    if (!S_ISREG(st.st_mode)) {
        file_error(d, true, path, "%s", not_regular);
        fclose(fp);
        return NULL;
    }
    return fp;
}

/* ---- load traces -------------------------------------------------------------------- */

typedef struct trace_state {
    const char *path;
    ecsim_diags *d;
    ecsim_csv_reader *r;
    dvec t, rps;
    bool have_prev;
    double prev_t;
    char prev_text[48];
} trace_state;

/* Check one data row (row `row`); push it if valid. 0, or ECSIM_ENOMEM. */
static int trace_row(trace_state *s, const ecsim_csv_field *f, size_t n, size_t row, bool *ok)
{
    char text[48];
    double t = 0.0, rps = 0.0;
    *ok = true;
    const ecsim_csv_field *tf = &f[0];
    if (tf->len == 0) {
        ecsim_csv_error(s->r, tf->line, tf->column,
                        "trace row %zu: empty time column; expected TIME,RPS with two numbers",
                        row);
        *ok = false;
    } else if (!parse_number(tf, &t)) {
        ecsim_csv_error(s->r, tf->line, tf->column,
                        "trace row %zu: time \"%s\" is not a number; expected a finite number of "
                        "seconds >= 0",
                        row, shown(text, sizeof text, tf->text, tf->len));
        *ok = false;
    } else {
        shown(text, sizeof text, tf->text, tf->len);
        if (t < 0.0) {
            ecsim_csv_error(s->r, tf->line, tf->column,
                            "trace row %zu: time %s is negative; expected a finite number of "
                            "seconds >= 0",
                            row, text);
            *ok = false;
        } else if (s->have_prev && !(t > s->prev_t)) {
            ecsim_csv_error(s->r, tf->line, tf->column,
                            "trace row %zu: time %s is not after the previous row's time %s; "
                            "times must be strictly increasing",
                            row, text, s->prev_text);
            *ok = false;
        }
        /* the next row is compared with this one, valid or not */
        s->have_prev = true;
        s->prev_t = t;
        snprintf(s->prev_text, sizeof s->prev_text, "%s", text);
    }
    if (n < 2) {
        ecsim_csv_error(s->r, tf->line, tf->end_column,
                        "trace row %zu: missing rps column; expected TIME,RPS", row);
        *ok = false;
        return 0;
    }
    const ecsim_csv_field *rf = &f[1];
    if (rf->len == 0) {
        ecsim_csv_error(s->r, rf->line, rf->column,
                        "trace row %zu: empty rps column; expected TIME,RPS with two numbers", row);
        *ok = false;
    } else if (!parse_number(rf, &rps)) {
        ecsim_csv_error(s->r, rf->line, rf->column,
                        "trace row %zu: rps \"%s\" is not a number; expected a finite number of "
                        "requests/s >= 0",
                        row, shown(text, sizeof text, rf->text, rf->len));
        *ok = false;
    } else if (rps < 0.0) {
        ecsim_csv_error(s->r, rf->line, rf->column,
                        "trace row %zu: rps %s is negative; expected a finite number of "
                        "requests/s >= 0",
                        row, shown(text, sizeof text, rf->text, rf->len));
        *ok = false;
    } else if (rps > ECSIM_RATE_MAX) {
        /* One cap per quantity: a profile segment's rate has the same one. */
        ecsim_csv_error(s->r, rf->line, rf->column,
                        "trace row %zu: rps %s is above the largest rate; expected requests/s "
                        ">= 0 and <= 1000000000",
                        row, shown(text, sizeof text, rf->text, rf->len));
        *ok = false;
    }
    if (n > 2) {
        ecsim_csv_error(s->r, f[2].line, f[2].raw_column,
                        "trace row %zu: extra column \"%s\"; expected exactly two columns "
                        "TIME,RPS",
                        row, shown_rest(text, sizeof text, f, 2, n));
        *ok = false;
    }
    if (*ok && (dvec_push(&s->t, t) != 0 || dvec_push(&s->rps, rps) != 0))
        return ECSIM_ENOMEM;
    return 0;
}

static bool is_letter(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

int ecsim_trace_read(const char *path, ecsim_trace_data *out, ecsim_diags *d)
{
    memset(out, 0, sizeof *out);
    FILE *fp = open_data(path, d, "cannot open trace: %s",
                         "trace is not a regular file; expected a CSV file of time,rps rows");
    if (!fp)
        return ECSIM_EIO;
    int rc = ECSIM_EINVAL;
    trace_state s;
    memset(&s, 0, sizeof s);
    s.path = path;
    s.d = d;
    struct stat st;
    if (fstat(fileno(fp), &st) != 0) {
        file_error(d, true, path, "cannot read trace: %s", strerror(errno));
        rc = ECSIM_EIO;
        goto close_file;
    }
    if ((unsigned long long)st.st_size > (unsigned long long)ECSIM_TRACE_MAX_BYTES) {
        file_error(d, false, path, "trace is %lld bytes; the limit is %zu bytes",
                   (long long)st.st_size, ECSIM_TRACE_MAX_BYTES);
        goto close_file;
    }
    ecsim_csv_options opt = {.display_name = path, .prefix = "", .flags = ECSIM_CSV_TRIM};
    s.r = ecsim_csv_reader_create(fp, &opt, d);
    if (!s.r) {
        rc = ECSIM_ENOMEM;
        goto close_file;
    }
    size_t row = 0, valid = 0, records = 0;
    bool invalid = false;
    int got;
    while ((got = ecsim_csv_next(s.r)) != 0) {
        if (got == ECSIM_ENOMEM) {
            rc = ECSIM_ENOMEM;
            goto free_reader;
        }
        if (got == ECSIM_EIO) {
            if (d)
                d->io_errors++;
            rc = ECSIM_EIO;
            goto free_reader;
        }
        records++;
        if (got < 0) {
            invalid = true;
            continue;
        }
        size_t n;
        const ecsim_csv_field *f = ecsim_csv_record(s.r, &n);
        int line = ecsim_csv_line(s.r);
        if (records == 1 && line == 1) {
            if (n == 2 && strcmp(f[0].text, "time") == 0 && strcmp(f[1].text, "rps") == 0)
                continue; /* the optional header */
            if (f[0].len && is_letter(f[0].text[0])) {
                char text[48];
                ecsim_csv_error(s.r, 1, 1,
                                "bad trace header \"%s\"; expected exactly \"time,rps\" or a "
                                "first data row TIME,RPS",
                                shown_rest(text, sizeof text, f, 0, n));
                invalid = true;
                continue;
            }
        }
        if (n == 1 && f[0].len == 0 && !f[0].quoted) {
            ecsim_csv_error(s.r, line, 1,
                            "trace line %d is empty; every line after the header must be a row "
                            "TIME,RPS",
                            line);
            invalid = true;
            continue;
        }
        row++;
        bool ok;
        if (trace_row(&s, f, n, row, &ok) != 0) {
            rc = ECSIM_ENOMEM;
            goto free_reader;
        }
        valid += ok;
    }
    if (row == 0 && !invalid)
        file_error(d, false, path, "trace has no data rows; expected at least one row TIME,RPS");
    if (row == 0 || invalid || valid != row)
        goto free_reader;
    out->t = s.t.v;
    out->rps = s.rps.v;
    out->count = s.t.count;
    s.t.v = s.rps.v = NULL;
    rc = 0;

free_reader:
    ecsim_csv_reader_destroy(s.r);
close_file:
    fclose(fp);
    ecsim_free(s.t.v);
    ecsim_free(s.rps.v);
    return rc;
}

/* ---- arrival logs ------------------------------------------------------------------- */

int ecsim_arrivals_read(const char *path, double end_s, double **times, size_t *count,
                        ecsim_diags *d)
{
    *times = NULL;
    *count = 0;
    FILE *fp = open_data(path, d, "load.requests.arrivals_file: cannot open: %s",
                         "load.requests.arrivals_file: not a regular file; expected a CSV file "
                         "of arrival times");
    if (!fp)
        return ECSIM_EIO;
    ecsim_csv_options opt = {.display_name = path,
                             .prefix = "load.requests.arrivals_file: ",
                             .flags = ECSIM_CSV_TRIM | ECSIM_CSV_SKIP_BLANK | ECSIM_CSV_COMMENTS};
    ecsim_csv_reader *r = ecsim_csv_reader_create(fp, &opt, d);
    if (!r) {
        fclose(fp);
        return ECSIM_ENOMEM;
    }
    dvec a = {0};
    int rc = 0, got;
    unsigned long long row = 0, valid = 0;
    bool header_checked = false, have_prev = false;
    double prev_s = 0;
    char text[48];
    while ((got = ecsim_csv_next(r)) != 0) {
        if (got == ECSIM_ENOMEM || got == ECSIM_EIO) {
            if (got == ECSIM_EIO && d)
                d->io_errors++;
            rc = got;
            break;
        }
        if (got < 0) {
            row++;
            header_checked = true;
            if (ecsim_csv_errors(r) >= DATA_MAX_ERRORS)
                break;
            continue;
        }
        size_t n;
        const ecsim_csv_field *f = ecsim_csv_record(r, &n);
        bool first = !header_checked;
        header_checked = true;
        if (first && n == 1 && strcmp(f[0].text, "time_s") == 0)
            continue; /* the header */
        row++;
        double t = NAN;
        bool ok = true;
        if (!parse_number(&f[0], &t)) {
            if (first)
                ecsim_csv_error(r, f[0].line, f[0].column,
                                "row %llu: \"%s\" is neither an arrival time nor the header "
                                "`time_s`; expected one time in seconds per line",
                                row, shown(text, sizeof text, f[0].text, f[0].len));
            else
                ecsim_csv_error(r, f[0].line, f[0].column,
                                "row %llu: \"%s\" is not a number; expected an arrival time in "
                                "seconds (a finite decimal number >= 0)",
                                row, shown(text, sizeof text, f[0].text, f[0].len));
            ok = false;
        } else if (n > 1) {
            ecsim_csv_error(r, f[1].line, f[1].column,
                            "row %llu: extra column \"%s\"; expected one arrival time per line",
                            row, shown_rest(text, sizeof text, f, 1, n));
            ok = false;
        } else if (t < 0) {
            ecsim_csv_error(r, f[0].line, f[0].column,
                            "row %llu: time %s is negative; expected seconds since the start of "
                            "the run (>= 0)",
                            row, shown(text, sizeof text, f[0].text, f[0].len));
            ok = false;
        } else if (have_prev && t < prev_s) {
            char prev[40];
            ecsim_fmt_num(prev, sizeof prev, prev_s);
            ecsim_csv_error(r, f[0].line, f[0].column,
                            "row %llu: time %s is before the previous row's time %s; arrival "
                            "times must be in order (non-decreasing)",
                            row, shown(text, sizeof text, f[0].text, f[0].len), prev);
            ok = false;
        }
        if (!ok) {
            if (ecsim_csv_errors(r) >= DATA_MAX_ERRORS)
                break;
            continue;
        }
        have_prev = true;
        prev_s = t;
        valid++;
        if (t >= end_s)
            break; /* later rows are past the run: not read */
        if (ecsim_csv_errors(r) == 0 && dvec_push(&a, t) != 0) {
            rc = ECSIM_ENOMEM;
            break;
        }
    }
    size_t errors = ecsim_csv_errors(r);
    ecsim_csv_reader_destroy(r);
    fclose(fp);
    if (rc == 0 && errors == 0 && valid == 0) {
        file_error(d, false, path,
                   "load.requests.arrivals_file: no arrival times (one time in seconds per line, "
                   "optional header `time_s`)");
        errors++;
    }
    if (rc == 0 && errors)
        rc = ECSIM_EINVAL;
    if (rc != 0) {
        ecsim_free(a.v);
        return rc;
    }
    *times = a.v;
    *count = a.count;
    return 0;
}

/* ---- empirical service times ---------------------------------------------------------- */

static bool numeric_start(char c)
{
    return c == '.' || c == '+' || c == '-' || (c >= '0' && c <= '9');
}

int ecsim_empirical_read(const char *path, double **samples, size_t *count, ecsim_diags *d)
{
    *samples = NULL;
    *count = 0;
    FILE *fp = open_data(path, d, "load.requests.service_time.file: cannot open: %s",
                         "load.requests.service_time.file: not a regular file; expected a CSV "
                         "file of service times");
    if (!fp)
        return ECSIM_EIO;
    struct stat st;
    if (fstat(fileno(fp), &st) == 0 && (size_t)st.st_size > EMPIRICAL_MAX_BYTES) {
        file_error(d, false, path, "load.requests.service_time.file: larger than %zu MB",
                   EMPIRICAL_MAX_BYTES >> 20);
        fclose(fp);
        return ECSIM_EINVAL;
    }
    ecsim_csv_options opt = {.display_name = path,
                             .prefix = "load.requests.service_time.file: ",
                             .flags = ECSIM_CSV_TRIM | ECSIM_CSV_SKIP_BLANK | ECSIM_CSV_COMMENTS};
    ecsim_csv_reader *r = ecsim_csv_reader_create(fp, &opt, d);
    if (!r) {
        fclose(fp);
        return ECSIM_ENOMEM;
    }
    dvec a = {0};
    int rc = 0, got;
    size_t col = 0;
    bool header_seen = false;
    while ((got = ecsim_csv_next(r)) != 0) {
        if (got == ECSIM_ENOMEM || got == ECSIM_EIO) {
            if (got == ECSIM_EIO && d)
                d->io_errors++;
            rc = got;
            break;
        }
        if (got < 0) {
            if (ecsim_csv_errors(r) >= DATA_MAX_ERRORS)
                break;
            continue;
        }
        size_t n;
        const ecsim_csv_field *f = ecsim_csv_record(r, &n);
        if (!header_seen && a.count == 0 && (n > 1 || !numeric_start(f[0].text[0]))) {
            /* A header: find the service_time_s column. */
            header_seen = true;
            bool found = false;
            for (size_t i = 0; i < n && !found; i++)
                if (strcmp(f[i].text, "service_time_s") == 0) {
                    found = true;
                    col = i;
                }
            if (!found) {
                ecsim_csv_error(r, ecsim_csv_line(r), 1,
                                "expected a service time in seconds or a header with a "
                                "`service_time_s` column");
                break;
            }
            continue;
        }
        const ecsim_csv_field *v = col < n ? &f[col] : NULL;
        char *end = NULL;
        double x = v && v->len ? strtod(v->text, &end) : NAN;
        if (!v || !v->len || end != v->text + v->len || !isfinite(x) || x < 0) {
            ecsim_csv_error(r, v ? v->line : ecsim_csv_line(r), v ? v->column : 1,
                            "'%.40s' is not a service time (seconds, finite, >= 0)",
                            v ? v->text : "");
            if (ecsim_csv_errors(r) >= DATA_MAX_ERRORS)
                break;
            continue;
        }
        /* One cap per quantity: a service time is at most 3600 s wherever it
         * is given (service_time.mean / min / max in schema.c), and never
         * denormal. */
        if (fpclassify(x) == FP_SUBNORMAL || x > 3600) {
            ecsim_csv_error(r, v->line, v->column,
                            "'%.40s' is not a service time in range (seconds, >= 0 and <= 3600, "
                            "not denormal)",
                            v->text);
            if (ecsim_csv_errors(r) >= DATA_MAX_ERRORS)
                break;
            continue;
        }
        if (dvec_push(&a, x) != 0) {
            rc = ECSIM_ENOMEM;
            break;
        }
    }
    size_t errors = ecsim_csv_errors(r);
    ecsim_csv_reader_destroy(r);
    fclose(fp);
    if (rc == 0 && errors == 0 && a.count == 0) {
        file_error(d, false, path,
                   "load.requests.service_time.file: no service times (one number of seconds "
                   "per line, or a `service_time_s` column)");
        errors++;
    }
    if (rc == 0 && errors)
        rc = ECSIM_EINVAL;
    if (rc != 0) {
        ecsim_free(a.v);
        return rc;
    }
    *samples = a.v;
    *count = a.count;
    return 0;
}
