/* What the self-contained HTML pages (report.html, compare.html) share:
 * escaping text for element content and attribute values, reading a file
 * to inline, and inlining gnuplot's SVG (sim/report/html_page.c). */
#ifndef ECSIM_REPORT_HTML_PAGE_H
#define ECSIM_REPORT_HTML_PAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* The largest file read into a page (an SVG, a CSV, the scenario). */
#define ECSIM_HTML_FILE_MAX (8u << 20)

/* At most n bytes of s (up to its NUL), escaped for element content and
 * attribute values (& < > " '). Control characters other than tab and line
 * feed become a space: XML 1.0 has no others, and the pages are polyglot. */
void ecsim_html_text(FILE *out, const char *s, size_t n);

/* All of s escaped; NULL writes nothing. */
void ecsim_html_str(FILE *out, const char *s);

/* The whole of a file, NUL-terminated (its length in *len when len is not
 * NULL); NULL when it is missing, unreadable or larger than
 * ECSIM_HTML_FILE_MAX. Free with ecsim_free. */
char *ecsim_html_read_file(const char *path, size_t *len);

/* Copy the value of attribute `name` of the tag [tag, end) into buf, if it
 * holds only digits, dots and spaces (only numbers go back into a page). */
bool ecsim_html_svg_attr(const char *tag, const char *end, const char *name, char *buf,
                         size_t size);

/* Write an SVG's body [p, end) (after its start tag, before </svg>),
 * dropping gnuplot's <title> and <desc> (the page writes its own) and
 * turning xlink:href into href (HTML5 has no namespaces). */
void ecsim_html_svg_body(FILE *out, const char *p, const char *end);

#endif
