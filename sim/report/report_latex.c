/* The "latex" and "latex-doc" table formats.
 *
 * "latex" is a fragment for pasting into course material: a comment block
 * naming what the preamble needs, then one floating `table` per table with
 * a booktabs `tabular` or `tabularx`:
 *
 *     % ecsim tables: LaTeX fragment for run quickstart-s42
 *     % requires \usepackage{booktabs} and \usepackage{tabularx}
 *     % ...
 *     \begin{table}[htbp]
 *       \centering
 *       \caption{Execution table}
 *       \label{tab:ecsim-quickstart-s42-execution}
 *       \begin{tabularx}{\linewidth}{rl>{\hsize=0.88\hsize\raggedright\arraybackslash}X...}
 *         \toprule
 *         Step & Time & Action & AWS role & Result \\
 *         \midrule
 *         1 & 00:02:00 & Package app in container image & ... \\
 *         \bottomrule
 *       \end{tabularx}
 *     \end{table}
 *
 * Labels are "tab:ecsim-" then the table's run id (table.h; left out when
 * unset) and its key, so two runs go in one document without clashes.
 *
 * Column types: NUMBER columns `r`; TEXT columns `l`, or a paragraph
 * column when their longest cell exceeds LATEX_SHORT_POINTS code points or
 * a cell has a line break (a paragraph column is the only one that can
 * wrap). A table with paragraph columns is a `tabularx` of \linewidth whose
 * paragraph columns are ragged-right X columns sharing the room left in
 * proportion to their longest line (\hsize factors; capped at 60 code
 * points so one huge cell does not starve the others): it fits the line.
 * A table of more than LATEX_MAX_P_COLS columns (the status tracker), or
 * one with no paragraph column whose estimated natural width
 * (LATEX_PT_PER_POINT per code point plus LATEX_PT_PER_COL per column)
 * exceeds LATEX_LINE_PT, becomes a \footnotesize `tabularx` of \linewidth
 * whose columns but the first are equal ragged-right X columns that may
 * hyphenate, so it fits the page too.
 * Escaping: & % $ # _ { } become \& \% \$ \# \_ \{ \}; ~ ^ \ become
 * \textasciitilde{} \textasciicircum{} \textbackslash{}; < > | become
 * \textless{} \textgreater{} \textbar{} (the OT1 font has no such glyphs);
 * a cell starting with [ or * is braced so that the preceding \\ does not
 * read it as an argument; a line break in a cell is \newline and other
 * control characters a space. Tables are separated by a blank line.
 *
 * "latex-doc" is a complete article for pdflatex (Debian texlive-latex-base
 * and texlive-latex-recommended): geometry with 2 cm margins, the run's key
 * figures (the tables' notes, table.h), the demand/capacity plot when
 * demand_capacity.pdf or demand_capacity.png sits next to the .tex file
 * (\IfFileExists, so it compiles without them), then the tables as above.
 * Non-ASCII characters the tables and figures use are declared with
 * \DeclareUnicodeCharacter so pdflatex needs no extra font package. */
#include <stdio.h>
#include <string.h>

#include "formats.h"

#define LATEX_SHORT_POINTS 24   /* longer text columns become p{} columns */
#define LATEX_CAP_POINTS 60     /* longest line that counts for a p{} share */
#define LATEX_PT_PER_POINT 5    /* rough width of a code point at 10 pt */
#define LATEX_PT_PER_COL 12     /* 2 \tabcolsep */
#define LATEX_LINE_PT 345       /* \textwidth of a 10 pt article */
#define LATEX_MAX_P_COLS 5      /* wider tables always become tabularx */

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

/* Estimated natural width in points of a table set with l and r columns. */
static size_t latex_natural_pt(const ecsim_table *t)
{
    size_t pt = 0;
    for (size_t c = 0; c < ecsim_table_cols(t); c++) {
        int has_break = 0;
        size_t longest = latex_longest_line(ecsim_table_header(t, c), &has_break);
        for (size_t r = 0; r < ecsim_table_rows(t); r++) {
            size_t points = latex_longest_line(ecsim_table_cell(t, r, c), &has_break);
            if (points > longest)
                longest = points;
        }
        pt += longest * LATEX_PT_PER_POINT + LATEX_PT_PER_COL;
    }
    return pt;
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
    if (*ecsim_table_key(t)) {
        char idslug[160];
        const char *id = ecsim_table_id(t);
        fprintf(out, "  \\label{tab:ecsim-%s%s%s}\n", report_slug(idslug, sizeof idslug, id),
                *id ? "-" : "", report_slug(slug, sizeof slug, ecsim_table_key(t)));
    }
    if (ncols > LATEX_MAX_P_COLS || (total_points == 0 && latex_natural_pt(t) > LATEX_LINE_PT)) {
        fputs("  \\footnotesize\\setlength{\\tabcolsep}{3pt}\n", out);
        fputs("  \\begin{tabularx}{\\linewidth}{", out);
        for (size_t c = 0; c < ncols; c++)
            fputs(c == 0 ? "l" : ecsim_table_kind(t, c) == ECSIM_COL_NUMBER
                                     ? ">{\\raggedleft\\arraybackslash}X"
                                     : ">{\\raggedright\\arraybackslash\\hspace{0pt}}X",
                  out);
        fputs("}\n    \\toprule\n", out);
        latex_put_row(out, t, 0, 1);
        fputs("    \\midrule\n", out);
        for (size_t r = 0; r < ecsim_table_rows(t); r++)
            latex_put_row(out, t, r, 0);
        fputs("    \\bottomrule\n  \\end{tabularx}\n\\end{table}\n", out);
        return;
    }
    if (total_points == 0) { /* short columns only: natural width */
        fputs("  \\begin{tabular}{", out);
        for (size_t c = 0; c < ncols; c++)
            fputc(ecsim_table_kind(t, c) == ECSIM_COL_NUMBER ? 'r' : 'l', out);
        fputs("}\n", out);
    } else {
        /* Paragraph columns become X columns of \linewidth weighted by their
         * longest line (\hsize factors summing to the X column count), so
         * the table is exactly as wide as the line. Factors have two
         * decimals, computed in integers: no locale, no printf of a double. */
        size_t nx = 0;
        for (size_t c = 0; c < ncols; c++)
            nx += latex_paragraph_points(t, c) > 0;
        fputs("  \\begin{tabularx}{\\linewidth}{", out);
        for (size_t c = 0; c < ncols; c++) {
            size_t points = latex_paragraph_points(t, c);
            if (ecsim_table_kind(t, c) == ECSIM_COL_NUMBER) {
                fputc('r', out);
            } else if (points == 0) {
                fputc('l', out);
            } else {
                unsigned long hundredths = (unsigned long)((100.0 * (double)nx * (double)points) /
                                                           (double)total_points + 0.5);
                if (hundredths < 10)
                    hundredths = 10;
                fprintf(out, ">{\\hsize=%lu.%02lu\\hsize\\raggedright\\arraybackslash}X",
                        hundredths / 100, hundredths % 100);
            }
        }
        fputs("}\n", out);
    }
    fputs("    \\toprule\n", out);
    latex_put_row(out, t, 0, 1);
    fputs("    \\midrule\n", out);
    for (size_t r = 0; r < ecsim_table_rows(t); r++)
        latex_put_row(out, t, r, 0);
    fprintf(out, "    \\bottomrule\n  \\end{%s}\n\\end{table}\n",
            total_points == 0 ? "tabular" : "tabularx");
}

/* The comment block at the top of a fragment. */
static void latex_requires(const ecsim_table *const *tables, size_t n, FILE *out)
{
    const char *id = n > 0 ? ecsim_table_id(tables[0]) : "";
    fprintf(out, "%% ecsim tables: LaTeX fragment%s%s\n", *id ? " for run " : "", *id ? id : "");
    fputs("% requires \\usepackage{booktabs} and \\usepackage{tabularx} in the preamble;\n"
          "% UTF-8 text (e.g. an em dash): pdflatex with LaTeX 2018 or later, or\n"
          "% \\usepackage[utf8]{inputenc}. `ecsim tables --format latex-doc` gives a\n"
          "% complete document.\n\n",
          out);
}

int report_latex_render(const ecsim_table *const *tables, size_t n, FILE *out)
{
    latex_requires(tables, n, out);
    for (size_t i = 0; i < n; i++) {
        if (i > 0)
            fputc('\n', out);
        latex_render_one(tables[i], out);
    }
    return report_finish(out);
}

/* Characters beyond ASCII that ecsim's tables and figures use, for pdflatex
 * with the default OT1 fonts. */
static const char latex_unicode[] =
    "\\DeclareUnicodeCharacter{2014}{\\textemdash}\n"
    "\\DeclareUnicodeCharacter{2013}{\\textendash}\n"
    "\\DeclareUnicodeCharacter{2192}{\\ensuremath{\\rightarrow}}\n"
    "\\DeclareUnicodeCharacter{2190}{\\ensuremath{\\leftarrow}}\n"
    "\\DeclareUnicodeCharacter{00D7}{\\ensuremath{\\times}}\n"
    "\\DeclareUnicodeCharacter{2264}{\\ensuremath{\\leq}}\n"
    "\\DeclareUnicodeCharacter{2265}{\\ensuremath{\\geq}}\n"
    "\\DeclareUnicodeCharacter{2248}{\\ensuremath{\\approx}}\n"
    "\\DeclareUnicodeCharacter{2260}{\\ensuremath{\\neq}}\n"
    "\\DeclareUnicodeCharacter{00B5}{\\ensuremath{\\mu}}\n"
    "\\DeclareUnicodeCharacter{03BC}{\\ensuremath{\\mu}}\n"
    "\\DeclareUnicodeCharacter{00B7}{\\textperiodcentered}\n"
    "\\DeclareUnicodeCharacter{2026}{\\dots}\n"
    "\\DeclareUnicodeCharacter{2018}{`}\n"
    "\\DeclareUnicodeCharacter{2019}{'}\n"
    "\\DeclareUnicodeCharacter{201C}{``}\n"
    "\\DeclareUnicodeCharacter{201D}{''}\n";

int report_latex_doc_render(const ecsim_table *const *tables, size_t n, FILE *out)
{
    const char *id = n > 0 ? ecsim_table_id(tables[0]) : "";
    fprintf(out, "%% ecsim run report%s%s: a complete document, compile with pdflatex\n",
            *id ? " for " : "", id);
    fputs("\\documentclass[10pt]{article}\n"
          "\\usepackage[utf8]{inputenc}\n"
          "\\usepackage[a4paper,margin=2cm]{geometry}\n"
          "\\usepackage{booktabs}\n\\usepackage{tabularx}\n\\usepackage{graphicx}\n",
          out);
    fputs(latex_unicode, out);
    fputs("\\begin{document}\n\\section*{ecsim run", out);
    if (*id) {
        fputs(": ", out);
        latex_put_text(out, id);
    }
    fputs("}\n\n", out);
    const ecsim_table *with_notes = NULL;
    for (size_t i = 0; i < n && !with_notes; i++)
        if (ecsim_table_notes(tables[i]) > 0)
            with_notes = tables[i];
    if (with_notes) {
        fputs("\\subsection*{Key figures}\n\\begin{description}\n", out);
        for (size_t i = 0; i < ecsim_table_notes(with_notes); i++) {
            fputs("  \\item[", out);
            latex_put_text(out, ecsim_table_note_name(with_notes, i));
            fputs("] ", out);
            latex_put_text(out, ecsim_table_note_value(with_notes, i));
            fputc('\n', out);
        }
        fputs("\\end{description}\n\n", out);
    }
    fputs("\\IfFileExists{demand_capacity.pdf}{\\def\\ecsimplot{demand_capacity.pdf}}{%\n"
          "\\IfFileExists{demand_capacity.png}{\\def\\ecsimplot{demand_capacity.png}}{}}\n"
          "\\ifdefined\\ecsimplot\n"
          "\\begin{figure}[htbp]\n  \\centering\n"
          "  \\includegraphics[width=\\linewidth,height=0.45\\textheight,keepaspectratio]"
          "{\\ecsimplot}\n"
          "  \\caption{Demand and capacity over time}\n",
          out);
    char slug[160];
    fprintf(out, "  \\label{fig:ecsim-%s%sdemand-capacity}\n\\end{figure}\n\\fi\n\n",
            report_slug(slug, sizeof slug, id), *id ? "-" : "");
    for (size_t i = 0; i < n; i++) {
        if (i > 0)
            fputc('\n', out);
        latex_render_one(tables[i], out);
    }
    fputs("\n\\end{document}\n", out);
    return report_finish(out);
}
