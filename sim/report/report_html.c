/* The "html" table format: a standalone fragment, one <table> per table,
 * for pasting into a course page or an LMS:
 *
 *     <table class="ecsim-execution">
 *       <caption>Execution table</caption>
 *       <thead>
 *         <tr><th scope="col" class="num">Step</th><th scope="col">Time</th>...</tr>
 *       </thead>
 *       <tbody>
 *         <tr><td class="num">1</td><td>00:02:00</td>...</tr>
 *       </tbody>
 *     </table>
 *
 * The class is "ecsim-" and the table key (bytes other than [A-Za-z0-9_-]
 * replaced by '-'). NUMBER cells, and their header, carry class="num" so a
 * style sheet can right-align them. Text is escaped (& < > " ' become
 * entities), a line break in a cell becomes <br />, other control characters a
 * space; UTF-8 passes through. No <caption> when the title is empty. Tables
 * are separated by a blank line. The fragment is well-formed XML once wrapped
 * in one element (e.g. <div>...</div>): every element is closed, void
 * elements are self-closed, so it pastes into XHTML and HTML5 alike. */
#include <stdio.h>

#include "formats.h"

static void html_put_text(FILE *out, const char *s)
{
    for (const char *p = s; *p; p++) {
        unsigned char ch = (unsigned char)*p;
        switch (ch) {
        case '&': fputs("&amp;", out); break;
        case '<': fputs("&lt;", out); break;
        case '>': fputs("&gt;", out); break;
        case '"': fputs("&quot;", out); break;
        case '\'': fputs("&#39;", out); break;
        case '\r':
        case '\n':
            if (ch == '\r' && p[1] == '\n')
                p++;
            fputs("<br />", out);
            break;
        default:
            fputc(ch < 0x20 ? ' ' : ch, out);
            break;
        }
    }
}

static void html_put_cell(FILE *out, const char *tag, const char *extra, ecsim_col_kind kind,
                          const char *text)
{
    fprintf(out, "<%s%s%s>", tag, extra, kind == ECSIM_COL_NUMBER ? " class=\"num\"" : "");
    html_put_text(out, text);
    fprintf(out, "</%s>", tag);
}

static void html_render_one(const ecsim_table *t, FILE *out)
{
    char slug[128];
    size_t ncols = ecsim_table_cols(t);
    fprintf(out, "<table class=\"ecsim-%s\">\n",
            report_slug(slug, sizeof slug, ecsim_table_key(t)));
    if (*ecsim_table_title(t)) {
        fputs("  <caption>", out);
        html_put_text(out, ecsim_table_title(t));
        fputs("</caption>\n", out);
    }
    fputs("  <thead>\n    <tr>", out);
    for (size_t c = 0; c < ncols; c++)
        html_put_cell(out, "th", " scope=\"col\"", ecsim_table_kind(t, c),
                      ecsim_table_header(t, c));
    fputs("</tr>\n  </thead>\n  <tbody>\n", out);
    for (size_t r = 0; r < ecsim_table_rows(t); r++) {
        fputs("    <tr>", out);
        for (size_t c = 0; c < ncols; c++)
            html_put_cell(out, "td", "", ecsim_table_kind(t, c), ecsim_table_cell(t, r, c));
        fputs("</tr>\n", out);
    }
    fputs("  </tbody>\n</table>\n", out);
}

int report_html_render(const ecsim_table *const *tables, size_t n, FILE *out)
{
    for (size_t i = 0; i < n; i++) {
        if (i > 0)
            fputc('\n', out);
        html_render_one(tables[i], out);
    }
    return report_finish(out);
}
