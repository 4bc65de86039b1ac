/* The "md" table format: GitHub-flavoured Markdown.
 *
 *     ### Execution table
 *
 *     | Step | Time | Action | AWS role | Result |
 *     |---:|---|---|---|---|
 *     | 1 | 00:02:00 | Package app in container image | ... |
 *
 * The heading (escaped like a cell, line breaks as spaces) is omitted when
 * the title is empty. NUMBER columns are right-aligned (`---:`). Cells are
 * plain text and must render literally: `|` and `\` are escaped with a
 * backslash, and so are the characters that would otherwise start emphasis,
 * code, a link, raw HTML, strikethrough or GitHub math (`* _ ` [ < ~ $`);
 * `&` and the rest pass through. A line break (LF, CR LF or CR) becomes
 * `<br>`, other control characters a space. Columns are not padded: cells
 * can be sentences, and padded source would be no easier to read. Tables
 * are separated by a blank line. */
#include <stdio.h>
#include <string.h>

#include "formats.h"

/* Characters escaped with a backslash inside a cell (CommonMark allows a
 * backslash before any ASCII punctuation). */
static const char md_escaped[] = "\\|*_`[<~$";

static void md_put_text(FILE *out, const char *s, int in_cell)
{
    for (const char *p = s; *p; p++) {
        unsigned char ch = (unsigned char)*p;
        if (ch == '\r' || ch == '\n') {
            if (ch == '\r' && p[1] == '\n')
                p++;
            fputs(in_cell ? "<br>" : " ", out);
        } else if (ch < 0x20) {
            fputc(' ', out);
        } else if (strchr(md_escaped, ch)) {
            fputc('\\', out);
            fputc(ch, out);
        } else {
            fputc(ch, out);
        }
    }
}

static void md_render_one(const ecsim_table *t, FILE *out)
{
    size_t ncols = ecsim_table_cols(t);
    const char *title = ecsim_table_title(t);
    if (*title) {
        fputs("### ", out);
        md_put_text(out, title, 0);
        fputs("\n\n", out);
    }
    fputc('|', out);
    for (size_t c = 0; c < ncols; c++) {
        fputc(' ', out);
        md_put_text(out, ecsim_table_header(t, c), 1);
        fputs(" |", out);
    }
    fputs("\n|", out);
    for (size_t c = 0; c < ncols; c++)
        fputs(ecsim_table_kind(t, c) == ECSIM_COL_NUMBER ? "---:|" : "---|", out);
    fputc('\n', out);
    for (size_t r = 0; r < ecsim_table_rows(t); r++) {
        fputc('|', out);
        for (size_t c = 0; c < ncols; c++) {
            fputc(' ', out);
            md_put_text(out, ecsim_table_cell(t, r, c), 1);
            fputs(" |", out);
        }
        fputc('\n', out);
    }
}

int report_md_render(const ecsim_table *const *tables, size_t n, FILE *out)
{
    for (size_t i = 0; i < n; i++) {
        if (i > 0)
            fputc('\n', out);
        md_render_one(tables[i], out);
    }
    return report_finish(out);
}
