/* The "csv" table format: RFC 4180 fields, LF line endings.
 *
 * A header row, then one line per row. A field containing a comma, a double
 * quote, CR or LF is enclosed in double quotes with its quotes doubled;
 * other fields are written as they are (spaces included). Lines end with LF,
 * not RFC 4180's CR LF: every tool ecsim's users feed CSV to (spreadsheets,
 * pandas, R, gnuplot) reads LF, and LF keeps the files diff-friendly. The
 * CSV carries no title, so each file stays plain data; when several tables
 * are rendered together they are separated by one empty line (the main use
 * is one table per file: execution.csv, status.csv). The quoting is the one
 * CSV writer's (include/ecsim/csv.h). */
#include <stdio.h>

#include "ecsim/csv.h"
#include "formats.h"

static void csv_render_one(const ecsim_table *t, FILE *out)
{
    ecsim_csv_writer w;
    ecsim_csv_writer_init(&w, out);
    size_t ncols = ecsim_table_cols(t);
    for (size_t c = 0; c < ncols; c++)
        ecsim_csv_write_text(&w, ecsim_table_header(t, c));
    ecsim_csv_end_row(&w);
    for (size_t r = 0; r < ecsim_table_rows(t); r++) {
        for (size_t c = 0; c < ncols; c++)
            ecsim_csv_write_text(&w, ecsim_table_cell(t, r, c));
        ecsim_csv_end_row(&w);
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
