/* CSV: the one reader and the one writer of every CSV file ecsim touches.
 *
 * The dialect is RFC 4180: fields separated by commas, records by CR LF or
 * LF; a field may be enclosed in double quotes, and then holds commas, line
 * breaks and quotes written twice (""). Inside a quoted field a CR LF is
 * read as LF. A header row is optional: the reader returns it as a record
 * and the caller, which knows its columns, decides.
 *
 * The reader streams (a 64 KB buffer and one record in memory, whatever the
 * size of the file) and reports each malformed record once, where it is,
 * as `FILE:LINE:COLUMN: error: MESSAGE` through the diagnostics list
 * (include/ecsim/diag.h); it then goes on with the next line, so a file's
 * every bad row is reported in one pass. Lines and columns are 1-based and
 * count bytes; a UTF-8 byte-order mark at the start of the file is skipped
 * and not counted.
 *
 * The writer quotes a field only when it must (it holds a comma, a quote,
 * CR or LF), and ends rows with LF (see sim/report/report_csv.c for why),
 * so that plain data is written as it is. */
#ifndef ECSIM_CSV_H
#define ECSIM_CSV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "ecsim/diag.h"

/* ---- reader ------------------------------------------------------------------------- */

/* Reader flags. */
enum {
    /* Blanks (space, tab) around an unquoted field are not part of it;
     * blanks before an opening or after a closing quote are allowed. */
    ECSIM_CSV_TRIM = 1u << 0,
    /* A line that is empty (or blank, with ECSIM_CSV_TRIM) is skipped. */
    ECSIM_CSV_SKIP_BLANK = 1u << 1,
    /* A line whose first byte (after blanks, with ECSIM_CSV_TRIM) is '#' is
     * skipped. */
    ECSIM_CSV_COMMENTS = 1u << 2
};

/* Caps, so that no input exhausts memory. */
#define ECSIM_CSV_MAX_RECORD_BYTES ((size_t)1 << 20) /* default record size cap */
#define ECSIM_CSV_MAX_FIELDS       1024              /* default fields per record */

typedef struct ecsim_csv_options {
    const char *display_name; /* FILE in diagnostics; NULL = "<input>" */
    const char *prefix;       /* put before every message (e.g. "load.trace: "); may be NULL */
    unsigned flags;           /* ECSIM_CSV_* */
    size_t max_record_bytes;  /* 0 = ECSIM_CSV_MAX_RECORD_BYTES */
    size_t max_fields;        /* 0 = ECSIM_CSV_MAX_FIELDS */
} ecsim_csv_options;

/* One field of the current record. */
typedef struct ecsim_csv_field {
    const char *text; /* unquoted, unescaped; text[len] == '\0' (text may hold NUL bytes) */
    size_t len;
    int line;       /* line of the field's first byte */
    int column;     /* column of its first byte: after the blanks when trimming, the
                       opening quote when quoted; an empty field: where it ends */
    int raw_column; /* column just after the separator (or 1): before any blank */
    int end_column; /* column just after the field's last byte (closing quote included,
                       trailing blanks included) */
    bool quoted;
} ecsim_csv_field;

typedef struct ecsim_csv_reader ecsim_csv_reader;

/* A reader of `in` (not owned: the caller closes it). `opt` is copied
 * (its strings must outlive the reader); `d` may be NULL (errors are then
 * counted, not recorded). NULL on OOM. */
ecsim_csv_reader *ecsim_csv_reader_create(FILE *in, const ecsim_csv_options *opt, ecsim_diags *d);
void ecsim_csv_reader_destroy(ecsim_csv_reader *r);

/* Read the next record. 1: a record (see ecsim_csv_record); 0: end of
 * input; ECSIM_EINVAL: a malformed record, reported and skipped (call again
 * for the next one); ECSIM_ENOMEM; ECSIM_EIO: a read error, reported. */
int ecsim_csv_next(ecsim_csv_reader *r);

/* The fields of the record the last ecsim_csv_next returned (valid until
 * the next call); `*count` >= 1 for a record. */
const ecsim_csv_field *ecsim_csv_record(const ecsim_csv_reader *r, size_t *count);

/* Line where the current record starts. */
int ecsim_csv_line(const ecsim_csv_reader *r);

/* Malformed records reported so far (the syntax errors of this reader). */
size_t ecsim_csv_errors(const ecsim_csv_reader *r);

/* Report an error about the current input at LINE:COLUMN with the reader's
 * file and prefix (for the caller's checks of a field's value). */
#if defined(__GNUC__)
__attribute__((format(printf, 4, 5)))
#endif
void ecsim_csv_error(ecsim_csv_reader *r, int line, int column, const char *fmt, ...);

/* ---- writer ------------------------------------------------------------------------- */

/* A row writer on a FILE*: each write_* puts a separator before every field
 * but the first of the row; end_row ends the row with LF. The row is built
 * in `buf` and written with one fwrite at end_row (a row longer than the
 * buffer is written in pieces, in order): nothing of an unfinished row
 * reaches the stream before end_row, unless it overflows. */
#define ECSIM_CSV_ROW_BUF 2048
typedef struct ecsim_csv_writer {
    FILE *out;
    size_t fields; /* fields written in the current row */
    size_t len;    /* bytes in buf */
    char buf[ECSIM_CSV_ROW_BUF];
} ecsim_csv_writer;

void ecsim_csv_writer_init(ecsim_csv_writer *w, FILE *out);

/* A text field, quoted only if it holds ',', '"', CR or LF (quotes doubled);
 * NULL writes an empty field. */
void ecsim_csv_write_text(ecsim_csv_writer *w, const char *s);
/* A number formatted by ecsim_fmt_num; a non-finite value is an empty field. */
void ecsim_csv_write_num(ecsim_csv_writer *w, double v);
/* An integer; a negative one is an empty field when `negative_empty`. */
void ecsim_csv_write_int(ecsim_csv_writer *w, long long v, bool negative_empty);
/* End the row ("\n"). */
void ecsim_csv_end_row(ecsim_csv_writer *w);
/* 0, or ECSIM_EIO if the stream has an error. */
int ecsim_csv_writer_status(const ecsim_csv_writer *w);

/* One field on `out` with the writer's quoting rule, no separator. */
void ecsim_csv_put_field(FILE *out, const char *s);

/* ecsim_fmt_num's text of v, written into buf (size >= 32) without going
 * through printf for the common cases (integers below 1e15, and values
 * from 1e-4 to 1e15 whose 15-digit rounding is not near a tie); the same
 * bytes as ecsim_fmt_num in every case. Returns buf. */
char *ecsim_csv_fmt_num(char *buf, size_t size, double v);

#endif
