/* The HTML pages' shared helpers (sim/report/html_page.h). */
#include "html_page.h"

#include <string.h>

#include "ecsim/alloc.h"

void ecsim_html_text(FILE *out, const char *s, size_t n)
{
    for (size_t i = 0; i < n && s[i]; i++) {
        unsigned char ch = (unsigned char)s[i];
        switch (ch) {
        case '&': fputs("&amp;", out); break;
        case '<': fputs("&lt;", out); break;
        case '>': fputs("&gt;", out); break;
        case '"': fputs("&quot;", out); break;
        case '\'': fputs("&#39;", out); break;
        case '\t':
        case '\n': fputc(ch, out); break;
        default: fputc(ch < 0x20 || ch == 0x7f ? ' ' : ch, out); break;
        }
    }
}

void ecsim_html_str(FILE *out, const char *s)
{
    if (s)
        ecsim_html_text(out, s, (size_t)-1);
}

char *ecsim_html_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    char *buf = ecsim_malloc(cap);
    while (buf) {
        if (n + 1 >= cap) {
            if (cap >= ECSIM_HTML_FILE_MAX) {
                ecsim_free(buf);
                buf = NULL;
                break;
            }
            char *grown = ecsim_realloc(buf, cap * 2);
            if (!grown) {
                ecsim_free(buf);
                buf = NULL;
                break;
            }
            buf = grown;
            cap *= 2;
        }
        size_t got = fread(buf + n, 1, cap - 1 - n, f);
        n += got;
        if (got == 0)
            break;
    }
    if (buf && ferror(f)) {
        ecsim_free(buf);
        buf = NULL;
    }
    fclose(f);
    if (buf) {
        buf[n] = '\0';
        if (len)
            *len = n;
    }
    return buf;
}

bool ecsim_html_svg_attr(const char *tag, const char *end, const char *name, char *buf,
                         size_t size)
{
    size_t nl = strlen(name);
    for (const char *p = tag; p + nl + 2 < end; p++) {
        if ((p == tag || p[-1] == ' ' || p[-1] == '\n' || p[-1] == '\t') &&
            strncmp(p, name, nl) == 0 && p[nl] == '=' && (p[nl + 1] == '"' || p[nl + 1] == '\'')) {
            char q = p[nl + 1];
            const char *v = p + nl + 2, *ve = memchr(v, q, (size_t)(end - v));
            if (!ve || (size_t)(ve - v) >= size)
                return false;
            for (const char *x = v; x < ve; x++)
                if (!(*x == ' ' || *x == '.' || (*x >= '0' && *x <= '9')))
                    return false;
            memcpy(buf, v, (size_t)(ve - v));
            buf[ve - v] = '\0';
            return true;
        }
    }
    return false;
}

void ecsim_html_svg_body(FILE *out, const char *p, const char *end)
{
    while (p < end) {
        if (strncmp(p, "<title>", 7) == 0 || strncmp(p, "<desc>", 6) == 0) {
            const char *close = strstr(p, p[1] == 't' ? "</title>" : "</desc>");
            if (close) {
                p = close + (p[1] == 't' ? 8 : 7);
                continue;
            }
        }
        if (strncmp(p, "xlink:href", 10) == 0) {
            fputs("href", out);
            p += 10;
            continue;
        }
        fputc(*p++, out);
    }
}
