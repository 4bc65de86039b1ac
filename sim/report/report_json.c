/* The "json" table format: one object keyed by table key, in the order the
 * tables are given:
 *
 *     {
 *       "execution": {
 *         "title": "Execution table",
 *         "columns": [
 *           "Step",
 *           ...
 *         ],
 *         "rows": [
 *           {
 *             "Step": 1,
 *             "Time": "00:02:00",
 *             ...
 *
 * Written with the JSON writer of output.h (2-space indentation, trailing
 * newline, control characters escaped, UTF-8 passed through). A cell that is
 * "—" (the tables' "does not apply") is null in every column. NUMBER cells
 * are JSON numbers: an empty cell is null, a cell that is a finite decimal
 * number ("120", "-0.5", "1e3") is emitted through ecsim_fmt_num (so "1.50"
 * becomes 1.5), anything else ("n/a", "inf", "0x10", " 1") is kept as a
 * string rather than lost. TEXT cells are strings, except a cell that is a
 * plain decimal number (the status tracker's counts and rates share a
 * column with words), which is a number. */
#include <locale.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "ecsim/output.h"
#include "formats.h"

/* Longest NUMBER cell parsed as a number; longer ones stay strings. */
#define JSON_NUMBER_MAX_BYTES 64

/* Is `s` a decimal number: [+-] digits [. digits] [(e|E) [+-] digits], with
 * at least one digit in the mantissa? Then convert it with strtod, after
 * replacing '.' by the locale's decimal point so that a program that called
 * setlocale still parses "1.5" as 1.5. */
static bool json_parse_number(const char *s, double *value)
{
    const char *p = s;
    size_t mantissa_digits = 0;
    if (*p == '+' || *p == '-')
        p++;
    for (; *p >= '0' && *p <= '9'; p++)
        mantissa_digits++;
    const char *point = NULL;
    if (*p == '.') {
        point = p++;
        for (; *p >= '0' && *p <= '9'; p++)
            mantissa_digits++;
    }
    if (mantissa_digits == 0)
        return false;
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '+' || *p == '-')
            p++;
        if (!(*p >= '0' && *p <= '9'))
            return false;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    if (*p != '\0')
        return false;

    const char *locale_point = localeconv()->decimal_point;
    if (!locale_point || !*locale_point)
        locale_point = ".";
    size_t locale_point_len = strlen(locale_point);
    size_t len = (size_t)(p - s);
    char buf[JSON_NUMBER_MAX_BYTES + 8];
    if (len + locale_point_len > JSON_NUMBER_MAX_BYTES)
        return false;
    if (point && strcmp(locale_point, ".") != 0) {
        size_t before = (size_t)(point - s);
        memcpy(buf, s, before);
        memcpy(buf + before, locale_point, locale_point_len);
        memcpy(buf + before + locale_point_len, point + 1, len - before); /* with the NUL */
    } else {
        memcpy(buf, s, len + 1);
    }
    char *end;
    double v = strtod(buf, &end);
    if (*end != '\0' || !isfinite(v))
        return false;
    *value = v;
    return true;
}

static void json_cell(ecsim_json *j, const char *cell, ecsim_col_kind kind)
{
    double v;
    if (strcmp(cell, "\u2014") == 0) /* "—" */
        ecsim_json_null(j);
    else if (kind != ECSIM_COL_NUMBER && !json_parse_number(cell, &v))
        ecsim_json_string(j, cell);
    else if (kind != ECSIM_COL_NUMBER)
        ecsim_json_number(j, v);
    else if (!*cell)
        ecsim_json_null(j);
    else if (json_parse_number(cell, &v))
        ecsim_json_number(j, v);
    else
        ecsim_json_string(j, cell);
}

int report_json_render(const ecsim_table *const *tables, size_t n, FILE *out)
{
    ecsim_json j;
    ecsim_json_init(&j, out, false);
    ecsim_json_begin_object(&j);
    for (size_t i = 0; i < n; i++) {
        const ecsim_table *t = tables[i];
        size_t ncols = ecsim_table_cols(t);
        ecsim_json_key(&j, ecsim_table_key(t));
        ecsim_json_begin_object(&j);
        ecsim_json_key(&j, "title");
        ecsim_json_string(&j, ecsim_table_title(t));
        ecsim_json_key(&j, "columns");
        ecsim_json_begin_array(&j);
        for (size_t c = 0; c < ncols; c++)
            ecsim_json_string(&j, ecsim_table_header(t, c));
        ecsim_json_end_array(&j);
        ecsim_json_key(&j, "rows");
        ecsim_json_begin_array(&j);
        for (size_t r = 0; r < ecsim_table_rows(t); r++) {
            ecsim_json_begin_object(&j);
            for (size_t c = 0; c < ncols; c++) {
                ecsim_json_key(&j, ecsim_table_header(t, c));
                json_cell(&j, ecsim_table_cell(t, r, c), ecsim_table_kind(t, c));
            }
            ecsim_json_end_object(&j);
        }
        ecsim_json_end_array(&j);
        ecsim_json_end_object(&j);
    }
    ecsim_json_end_object(&j);
    ecsim_json_finish(&j);
    return report_finish(out);
}
