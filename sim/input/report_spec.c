/* Window and check expressions (include/ecsim/report_spec.h): the parsers
 * and checks the loader runs on `report.windows` and `checks:`, and the
 * command line on `--window` and `--fail-on`. */
#include "ecsim/report_spec.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ecsim/error.h"
#include "ecsim/schema.h"
#include "schema.h"

const char *ecsim_check_op_text(ecsim_check_op op)
{
    static const char *const text[] = {">", ">=", "<", "<=", "==", "!="};
    return (unsigned)op < sizeof text / sizeof text[0] ? text[op] : "?";
}

bool ecsim_check_op_holds(ecsim_check_op op, double v, double t)
{
    if (isnan(v) || isnan(t))
        return false;
    switch (op) {
    case ECSIM_CHECK_GT:
        return v > t;
    case ECSIM_CHECK_GE:
        return v >= t;
    case ECSIM_CHECK_LT:
        return v < t;
    case ECSIM_CHECK_LE:
        return v <= t;
    case ECSIM_CHECK_EQ:
        return v == t;
    case ECSIM_CHECK_NE:
        return v != t;
    }
    return false;
}

static bool op_char(char c)
{
    return c == '<' || c == '>' || c == '=' || c == '!';
}

/* A decimal number: [+-] digits [. digits] [e [+-] digits], finite. */
static bool decimal_number(const char *s, double *v)
{
    const char *p = s;
    size_t digits = 0;
    if (*p == '+' || *p == '-')
        p++;
    while (isdigit((unsigned char)*p)) {
        p++;
        digits++;
    }
    if (*p == '.') {
        p++;
        while (isdigit((unsigned char)*p)) {
            p++;
            digits++;
        }
    }
    if (digits == 0)
        return false;
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '+' || *p == '-')
            p++;
        if (!isdigit((unsigned char)*p))
            return false;
        while (isdigit((unsigned char)*p))
            p++;
    }
    if (*p != '\0')
        return false;
    char *end;
    double x = strtod(s, &end);
    if (*end != '\0' || !isfinite(x))
        return false;
    *v = x;
    return true;
}

int ecsim_check_expr_parse(const char *expr, char *figure, size_t figure_size, ecsim_check_op *op,
                           double *value, char *err, size_t errlen)
{
    static const char example[] = "expected FIGURE OP NUMBER, e.g. `latency_s.p99 > 0.5`";
    const char *p = expr ? expr : "";
    while (isspace((unsigned char)*p))
        p++;
    const char *name = p;
    while (*p && !isspace((unsigned char)*p) && !op_char(*p))
        p++;
    size_t name_len = (size_t)(p - name);
    if (name_len == 0) {
        snprintf(err, errlen, "%s: the figure name is missing", example);
        return ECSIM_EINVAL;
    }
    if (name_len >= figure_size) {
        snprintf(err, errlen, "the figure name is too long (%zu bytes; at most %zu)", name_len,
                 figure_size - 1);
        return ECSIM_EINVAL;
    }
    for (const char *c = name; c < p; c++)
        if ((unsigned char)*c < 0x20 || *c == 0x7f) {
            snprintf(err, errlen, "the figure name has a control character");
            return ECSIM_EINVAL;
        }
    while (isspace((unsigned char)*p))
        p++;
    const char *o = p;
    while (op_char(*p))
        p++;
    size_t olen = (size_t)(p - o);
    static const struct {
        const char *text;
        ecsim_check_op op;
    } ops[] = {{">=", ECSIM_CHECK_GE}, {"<=", ECSIM_CHECK_LE}, {"==", ECSIM_CHECK_EQ},
               {"!=", ECSIM_CHECK_NE}, {">", ECSIM_CHECK_GT},  {"<", ECSIM_CHECK_LT}};
    int found = -1;
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
        if (strlen(ops[i].text) == olen && strncmp(o, ops[i].text, olen) == 0)
            found = (int)i;
    if (olen == 0) {
        snprintf(err, errlen, "%s: the operator is missing after `%.*s` (one of > >= < <= == !=)",
                 example, (int)name_len, name);
        return ECSIM_EINVAL;
    }
    if (found < 0) {
        snprintf(err, errlen, "unknown operator `%.*s`%s (one of > >= < <= == !=)", (int)olen, o,
                 olen == 1 && *o == '=' ? ": use ==" : "");
        return ECSIM_EINVAL;
    }
    while (isspace((unsigned char)*p))
        p++;
    char number[64];
    size_t nlen = strlen(p);
    while (nlen > 0 && isspace((unsigned char)p[nlen - 1]))
        nlen--;
    double v;
    if (nlen == 0 || nlen >= sizeof number) {
        snprintf(err, errlen, "%s: the number is missing after `%s`", example, ops[found].text);
        return ECSIM_EINVAL;
    }
    memcpy(number, p, nlen);
    number[nlen] = '\0';
    if (!decimal_number(number, &v)) {
        snprintf(err, errlen, "expected a finite decimal number after `%s`, got `%s`",
                 ops[found].text, number);
        return ECSIM_EINVAL;
    }
    memcpy(figure, name, name_len);
    figure[name_len] = '\0';
    *op = ops[found].op;
    *value = v;
    return 0;
}

bool ecsim_window_name_ok(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n >= ECSIM_WINDOW_NAME_MAX || isdigit((unsigned char)name[0]))
        return false;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)name[i]) && name[i] != '_')
            return false;
    return true;
}

int ecsim_window_range_parse(const char *text, double *from_s, double *to_s, char *err,
                             size_t errlen)
{
    const char *dots = text ? strstr(text, "..") : NULL;
    if (!dots) {
        snprintf(err, errlen, "expected a window FROM..TO of two durations, e.g. `30m..45m`");
        return ECSIM_EINVAL;
    }
    char from[64], to[64];
    size_t flen = (size_t)(dots - text), tlen = strlen(dots + 2);
    if (flen == 0 || tlen == 0 || flen >= sizeof from || tlen >= sizeof to) {
        snprintf(err, errlen, "expected a window FROM..TO of two durations, e.g. `30m..45m`");
        return ECSIM_EINVAL;
    }
    memcpy(from, text, flen);
    from[flen] = '\0';
    memcpy(to, dots + 2, tlen + 1);
    if (ecsim_parse_duration(from, from_s) != 0) {
        snprintf(err, errlen, "`%s` is not a duration (e.g. 90s, 30m, 1h30m)", from);
        return ECSIM_EINVAL;
    }
    if (ecsim_parse_duration(to, to_s) != 0) {
        snprintf(err, errlen, "`%s` is not a duration (e.g. 90s, 30m, 1h30m)", to);
        return ECSIM_EINVAL;
    }
    return 0;
}

int ecsim_window_parse(const char *text, ecsim_window_spec *w, char *err, size_t errlen)
{
    memset(w, 0, sizeof *w);
    const char *eq = strchr(text, '=');
    const char *range = eq ? eq + 1 : text;
    if (eq) {
        size_t n = (size_t)(eq - text);
        if (n >= sizeof w->name) {
            snprintf(err, errlen, "the window name is too long (at most %zu characters)",
                     sizeof w->name - 1);
            return ECSIM_EINVAL;
        }
        memcpy(w->name, text, n);
        w->name[n] = '\0';
        if (!ecsim_window_name_ok(w->name)) {
            snprintf(err, errlen,
                     "window name `%s`: expected an identifier (letters, digits, _; not starting "
                     "with a digit)",
                     w->name);
            return ECSIM_EINVAL;
        }
    } else {
        if (strlen(text) >= sizeof w->name) {
            snprintf(err, errlen, "the window is too long (at most %zu characters)",
                     sizeof w->name - 1);
            return ECSIM_EINVAL;
        }
        snprintf(w->name, sizeof w->name, "%s", text);
    }
    return ecsim_window_range_parse(range, &w->from_s, &w->to_s, err, errlen);
}

int ecsim_window_check(const ecsim_window_spec *w, double duration_s, double period_s, char *err,
                       size_t errlen)
{
    char a[32], b[32], c[32];
    schema_fmt_duration(a, sizeof a, w->from_s);
    schema_fmt_duration(b, sizeof b, w->to_s);
    if (!(w->from_s < w->to_s)) {
        snprintf(err, errlen, "window %s..%s: FROM must be before TO", a, b);
        return ECSIM_EINVAL;
    }
    if (w->to_s > duration_s) {
        schema_fmt_duration(c, sizeof c, duration_s);
        snprintf(err, errlen, "window %s..%s ends after the run (duration %s)", a, b, c);
        return ECSIM_EINVAL;
    }
    /* Whole metric periods (timeline.csv rows, SLO breach time, latency per
     * period): FROM on a period boundary, TO too or at the end of the run. */
    bool from_ok = fmod(w->from_s, period_s) == 0;
    bool to_ok = fmod(w->to_s, period_s) == 0 || w->to_s == duration_s;
    if (!from_ok || !to_ok) {
        schema_fmt_duration(c, sizeof c, period_s);
        double bad = from_ok ? w->to_s : w->from_s;
        char lo[32], hi[32];
        schema_fmt_duration(lo, sizeof lo, floor(bad / period_s) * period_s);
        schema_fmt_duration(hi, sizeof hi, ceil(bad / period_s) * period_s);
        snprintf(err, errlen,
                 "window %s..%s: %s is not on a metric-period boundary (monitoring.period %s); "
                 "use %s or %s",
                 a, b, from_ok ? "TO" : "FROM", c, lo, hi);
        return ECSIM_EINVAL;
    }
    return 0;
}
