/* The registry of table output formats (include/ecsim/table.h:
 * ecsim_table_format_find, ecsim_table_formats) and the helpers the
 * renderers share (formats.h). Each format is one file, sim/report/report_NAME.c,
 * and one line in the registry below (STYLE.md rule 7). Kept apart from
 * table.c so that the table container does not depend on its renderers. */
#include "formats.h"

#include <assert.h>
#include <string.h>

#include "ecsim/error.h"
#include "ecsim/table.h"

/* The registry: the order is the order `ecsim tables --help` lists them. */
static const ecsim_table_format table_formats[] = {
    {"text", "txt", "aligned plain text for the terminal; long cells wrap", report_text_render},
    {"md", "md", "GitHub-flavoured Markdown tables", report_md_render},
    {"csv", "csv", "RFC 4180 CSV with LF line endings, header row", report_csv_render},
    {"json", "json", "JSON object keyed by table, rows as objects", report_json_render},
    {"latex", "tex", "LaTeX table with booktabs rules", report_latex_render},
    {"latex-doc", "doc.tex", "complete LaTeX document for pdflatex", report_latex_doc_render},
    {"html", "html", "HTML <table> fragment", report_html_render},
};

const ecsim_table_format *ecsim_table_format_find(const char *name)
{
    if (!name)
        return NULL;
    for (size_t i = 0; i < sizeof table_formats / sizeof table_formats[0]; i++)
        if (strcmp(table_formats[i].name, name) == 0)
            return &table_formats[i];
    return NULL;
}

const ecsim_table_format *ecsim_table_formats(size_t *count)
{
    if (count)
        *count = sizeof table_formats / sizeof table_formats[0];
    return table_formats;
}

/* ---- helpers shared by the renderers (formats.h) ------------------------------------ */

size_t report_utf8_len(const char *s, size_t nbytes)
{
    size_t points = 0;
    for (size_t i = 0; i < nbytes; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            points++;
    return points;
}

int report_finish(FILE *out)
{
    if (fflush(out) != 0 || ferror(out))
        return ECSIM_EIO;
    return 0;
}

char *report_slug(char *buf, size_t size, const char *key)
{
    assert(size > 0);
    size_t i = 0;
    for (; key[i] && i + 1 < size; i++) {
        char ch = key[i];
        int keep = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                   (ch >= '0' && ch <= '9') || ch == '_' || ch == '-';
        buf[i] = keep ? ch : '-';
    }
    buf[i] = '\0';
    return buf;
}
