/* The "csv" table format: RFC 4180 fields, LF line endings.
 *
 * A header row, then one line per row. A field containing a comma, a double
 * quote, CR or LF is enclosed in double quotes with its quotes doubled;
 * other fields are written as they are (spaces included). Lines end with LF,
 * not RFC 4180's CR LF: every tool ecsim's users feed CSV to (spreadsheets,
 * pandas, R, gnuplot) reads LF, and LF keeps the files diff-friendly. The
 * CSV carries no title, so each file stays plain data; when several tables
 * are rendered together they are separated by one empty line (the main use
 * is one table per file: execution.csv, status.csv). */
#include <stdio.h>
#include <string.h>

#include "report.h"

static void csv_put_field(FILE *out, const char *s)
{
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

static void csv_render_one(const ecsim_table *t, FILE *out)
{
    size_t ncols = ecsim_table_cols(t);
    for (size_t c = 0; c < ncols; c++) {
        if (c > 0)
            fputc(',', out);
        csv_put_field(out, ecsim_table_header(t, c));
    }
    fputc('\n', out);
    for (size_t r = 0; r < ecsim_table_rows(t); r++) {
        for (size_t c = 0; c < ncols; c++) {
            if (c > 0)
                fputc(',', out);
            csv_put_field(out, ecsim_table_cell(t, r, c));
        }
        fputc('\n', out);
    }
}

int report_csv_render(const ecsim_table *const *tables, size_t n, FILE *out)
{
    for (size_t i = 0; i < n; i++) {
        if (i > 0)
            fputc('\n', out);
        csv_render_one(tables[i], out);
    }
    return report_finish(out);
}
