/* Private interface of the table renderers (sim/report/report_*.c).
 *
 * Each output format lives in its own file and exports one render function
 * with the signature of ecsim_table_format.render; sim/report/formats.c lists them in
 * the format registry. Adding a format is one file, one prototype here and
 * one registry line in formats.c (STYLE.md rule 7). The helpers below are
 * shared by several renderers and implemented in sim/report/formats.c. */
#ifndef ECSIM_REPORT_FORMATS_H
#define ECSIM_REPORT_FORMATS_H

#include <stddef.h>
#include <stdio.h>

#include "ecsim/table.h"

/* Render functions, one per format (see the file of each for its rules). */
int report_text_render(const ecsim_table *const *tables, size_t n, FILE *out);
int report_md_render(const ecsim_table *const *tables, size_t n, FILE *out);
int report_csv_render(const ecsim_table *const *tables, size_t n, FILE *out);
int report_json_render(const ecsim_table *const *tables, size_t n, FILE *out);
int report_latex_render(const ecsim_table *const *tables, size_t n, FILE *out);
int report_latex_doc_render(const ecsim_table *const *tables, size_t n, FILE *out);
int report_html_render(const ecsim_table *const *tables, size_t n, FILE *out);

/* Number of UTF-8 code points in the first `nbytes` bytes of `s` (bytes
 * that are not continuation bytes; an invalid byte counts as one). */
size_t report_utf8_len(const char *s, size_t nbytes);

/* Flush `out` and check its error flag: 0, or ECSIM_EIO if any write to it
 * failed. Every renderer ends with this. */
int report_finish(FILE *out);

/* Copy `key` into `buf` (size > 0) keeping [A-Za-z0-9_-] and replacing
 * every other byte by '-', for HTML class names and LaTeX labels. */
char *report_slug(char *buf, size_t size, const char *key);

#endif
