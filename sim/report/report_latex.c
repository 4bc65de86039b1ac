/* The "latex" table format: a floating `table` with a booktabs `tabular`,
 * for pasting into course material (needs \usepackage{booktabs}; UTF-8
 * input such as "—" needs a UTF-8 aware LaTeX, the default since 2018).
 *
 *     \begin{table}[htbp]
 *       \centering
 *       \caption{Execution table}
 *       \label{tab:ecsim-execution}
 *       \begin{tabular}{rlp{0.22\linewidth}...}
 *         \toprule
 *         Step & Time & Action & AWS role & Result \\
 *         \midrule
 *         1 & 00:02:00 & Package app in container image & ... \\
 *         \bottomrule
 *       \end{tabular}
 *     \end{table}
 *
 * Column types: NUMBER columns `r`; TEXT columns `l`, or `p{W}` when their
 * longest cell exceeds LATEX_SHORT_POINTS code points or a cell has a line
 * break (a paragraph column is the only one that can wrap). The p columns
 * share LATEX_TEXT_SHARE of \linewidth in proportion to their longest line
 * (capped at 60 code points so one huge cell does not starve the others).
 * Escaping: & % $ # _ { } become \& \% \$ \# \_ \{ \}; ~ ^ \ become
 * \textasciitilde{} \textasciicircum{} \textbackslash{}; < > | become
 * \textless{} \textgreater{} \textbar{} (the OT1 font has no such glyphs);
 * a cell starting with [ or * is braced so that the preceding \\ does not
 * read it as an argument; a line break in a cell is \newline and other
 * control characters a space. Tables are separated by a blank line. */
#include <stdio.h>
#include <string.h>

#include "report.h"

#define LATEX_SHORT_POINTS 24   /* longer text columns become p{} columns */
#define LATEX_CAP_POINTS 60     /* longest line that counts for a p{} share */
#define LATEX_TEXT_SHARE 0.75   /* part of \linewidth the p{} columns share */

static void latex_put_text(FILE *out, const char *s)
{
    if (*s == '[' || *s == '*') {
        fputc('{', out);
        fputc(*s, out);
        fputc('}', out);
        s++;
    }
    for (const char *p = s; *p; p++) {
        unsigned char ch = (unsigned char)*p;
        switch (ch) {
        case '&': case '%': case '$': case '#': case '_': case '{': case '}':
            fputc('\\', out);
            fputc(ch, out);
            break;
        case '~': fputs("\\textasciitilde{}", out); break;
        case '^': fputs("\\textasciicircum{}", out); break;
        case '\\': fputs("\\textbackslash{}", out); break;
        case '<': fputs("\\textless{}", out); break;
        case '>': fputs("\\textgreater{}", out); break;
        case '|': fputs("\\textbar{}", out); break;
        case '\r':
        case '\n':
            if (ch == '\r' && p[1] == '\n')
                p++;
            fputs("\\newline ", out);
            break;
        default:
            fputc(ch < 0x20 ? ' ' : ch, out);
            break;
        }
    }
}

/* Longest line of a cell in code points, and whether it has a line break. */
static size_t latex_longest_line(const char *s, int *has_break)
{
    size_t longest = 0;
    while (1) {
        size_t len = strcspn(s, "\r\n");
        size_t points = report_utf8_len(s, len);
        if (points > longest)
            longest = points;
        if (!s[len])
            break;
        *has_break = 1;
        s += len + 1;
    }
    return longest;
}

/* The column's longest line, or 0 when it is a short `l` column. */
static size_t latex_paragraph_points(const ecsim_table *t, size_t col)
{
    if (ecsim_table_kind(t, col) == ECSIM_COL_NUMBER)
        return 0;
    int has_break = 0;
    size_t longest = latex_longest_line(ecsim_table_header(t, col), &has_break);
    for (size_t r = 0; r < ecsim_table_rows(t); r++) {
        size_t points = latex_longest_line(ecsim_table_cell(t, r, col), &has_break);
        if (points > longest)
            longest = points;
    }
    if (longest <= LATEX_SHORT_POINTS && !has_break)
        return 0;
    if (longest > LATEX_CAP_POINTS)
        longest = LATEX_CAP_POINTS;
    return longest > 0 ? longest : 1;
}

static void latex_put_row(FILE *out, const ecsim_table *t, size_t row, int is_header)
{
    fputs("    ", out);
    for (size_t c = 0; c < ecsim_table_cols(t); c++) {
        if (c > 0)
            fputs(" & ", out);
        latex_put_text(out, is_header ? ecsim_table_header(t, c) : ecsim_table_cell(t, row, c));
    }
    fputs(" \\\\\n", out);
}

static void latex_render_one(const ecsim_table *t, FILE *out)
{
    size_t ncols = ecsim_table_cols(t);
    size_t total_points = 0;
    for (size_t c = 0; c < ncols; c++)
        total_points += latex_paragraph_points(t, c);

    char slug[128];
    fputs("\\begin{table}[htbp]\n  \\centering\n", out);
    if (*ecsim_table_title(t)) {
        fputs("  \\caption{", out);
        latex_put_text(out, ecsim_table_title(t));
        fputs("}\n", out);
    }
    if (*ecsim_table_key(t))
        fprintf(out, "  \\label{tab:ecsim-%s}\n",
                report_slug(slug, sizeof slug, ecsim_table_key(t)));
    fputs("  \\begin{tabular}{", out);
    for (size_t c = 0; c < ncols; c++) {
        size_t points = latex_paragraph_points(t, c);
        if (ecsim_table_kind(t, c) == ECSIM_COL_NUMBER) {
            fputc('r', out);
        } else if (points == 0) {
            fputc('l', out);
        } else {
            /* Two decimals, computed in integers: no locale, no rounding
             * surprises from printf of a double. */
            unsigned long hundredths =
                (unsigned long)((LATEX_TEXT_SHARE * 100.0 * (double)points) / (double)total_points);
            if (hundredths < 5)
                hundredths = 5;
            fprintf(out, "p{0.%02lu\\linewidth}", hundredths);
        }
    }
    fputs("}\n    \\toprule\n", out);
    latex_put_row(out, t, 0, 1);
    fputs("    \\midrule\n", out);
    for (size_t r = 0; r < ecsim_table_rows(t); r++)
        latex_put_row(out, t, r, 0);
    fputs("    \\bottomrule\n  \\end{tabular}\n\\end{table}\n", out);
}

int report_latex_render(const ecsim_table *const *tables, size_t n, FILE *out)
{
    for (size_t i = 0; i < n; i++) {
        if (i > 0)
            fputc('\n', out);
        latex_render_one(tables[i], out);
    }
    return report_finish(out);
}
