/* Thresholds over a run's figures (checks.h): parse, evaluate, and name
 * the nearest figures for a misspelt name. */
#include "checks.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "ecsim/alloc.h"

_Static_assert(ECSIM_EXIT_CHECKS == 4, "the exit code of failed checks is 4 (DESIGN.md)");

int ecsim_checks_parse(const char *expr, ecsim_check *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    if (!expr || strlen(expr) >= sizeof out->expr) {
        snprintf(err, errlen, "the expression is too long (at most %zu characters)",
                 sizeof out->expr - 1);
        return ECSIM_EINVAL;
    }
    int rc = ecsim_check_expr_parse(expr, out->figure, sizeof out->figure, &out->op, &out->value,
                                    err, errlen);
    if (rc != 0)
        return rc;
    snprintf(out->expr, sizeof out->expr, "%s", expr);
    return 0;
}

/* Shortest decimal text that reads back as v (up to 17 digits). */
static void fmt_value(char *buf, size_t size, double v)
{
    if (v == floor(v) && fabs(v) < 1e15) {
        snprintf(buf, size, "%.0f", v);
        return;
    }
    for (int digits = 1; digits <= 17; digits++) {
        snprintf(buf, size, "%.*g", digits, v);
        if (strtod(buf, NULL) == v)
            return;
    }
}

size_t ecsim_checks_eval(const ecsim_check *checks, size_t n, const ecsim_figures *figs,
                         FILE *report)
{
    size_t failed = 0;
    for (size_t i = 0; i < n; i++) {
        const ecsim_check *c = &checks[i];
        const ecsim_figure *f = ecsim_figures_find(figs, c->figure);
        char want[40], got[64];
        fmt_value(want, sizeof want, c->value);
        const char *op = ecsim_check_op_text(c->op);
        /* EXPR is the failure condition; a null figure fails closed. */
        if (f && (f->kind == ECSIM_FIG_NUMBER || f->kind == ECSIM_FIG_BOOL) &&
            !ecsim_check_op_holds(c->op, f->num, c->value))
            continue;
        failed++;
        if (!report)
            continue;
        if (!f)
            fprintf(report, "check failed: %s %s %s: no such figure in summary.json\n", c->figure,
                    op, want);
        else if (f->kind == ECSIM_FIG_NULL)
            fprintf(report, "check failed: %s %s %s: %s is null (does not apply to this run)\n",
                    c->figure, op, want, c->figure);
        else if (f->kind == ECSIM_FIG_STRING)
            fprintf(report, "check failed: %s %s %s: %s is text (\"%s\"), not a number\n",
                    c->figure, op, want, c->figure, f->str ? f->str : "");
        else {
            fmt_value(got, sizeof got, f->num);
            fprintf(report, "check failed: %s = %s %s %s\n", c->figure, got, op, want);
        }
    }
    return failed;
}

size_t ecsim_checks_eval_headed(const ecsim_check *checks, size_t n, const ecsim_figures *figs,
                                const char *heading, FILE *report)
{
    size_t failed = ecsim_checks_eval(checks, n, figs, NULL);
    if (failed && report) {
        fputs(heading, report);
        ecsim_checks_eval(checks, n, figs, report);
    }
    return failed;
}

/* Levenshtein distance, capped: names are short (< 160 bytes). */
static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 200 || lb > 200)
        return (size_t)-1;
    size_t row[201];
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

static const char *last_segment(const char *name)
{
    const char *dot = strrchr(name, '.');
    return dot ? dot + 1 : name;
}

void ecsim_checks_suggest(const ecsim_figures *figs, const char *name, char *buf, size_t size)
{
    enum { KEEP = 3 };
    size_t best_d[KEEP];
    const char *best[KEEP] = {NULL, NULL, NULL};
    size_t limit = strlen(name) / 3 + 2;
    for (size_t k = 0; k < KEEP; k++)
        best_d[k] = (size_t)-1;
    for (size_t i = 0; i < figs->count; i++) {
        const char *cand = figs->items[i].name;
        size_t d = edit_distance(name, cand);
        /* A name the candidate begins with (`capacity.unserved` for
         * capacity.unserved_requests) is near; so is the same last segment
         * (`p99`, `unserved_requests`). */
        if (strncmp(cand, name, strlen(name)) == 0 && d > 1)
            d = 1;
        if (d > limit && strcmp(last_segment(cand), last_segment(name)) == 0)
            d = limit;
        if (d > limit)
            continue;
        for (size_t k = 0; k < KEEP; k++) {
            if (d < best_d[k]) {
                for (size_t m = KEEP - 1; m > k; m--) {
                    best_d[m] = best_d[m - 1];
                    best[m] = best[m - 1];
                }
                best_d[k] = d;
                best[k] = cand;
                break;
            }
        }
    }
    size_t used = 0;
    if (size)
        buf[0] = '\0';
    for (size_t k = 0; k < KEEP && best[k] && used < size; k++) {
        int w = snprintf(buf + used, size - used, "%s%s", k ? ", " : "", best[k]);
        if (w < 0)
            break;
        used += (size_t)w;
    }
}

size_t ecsim_checks_unknown(const ecsim_check *checks, size_t n, const ecsim_figures *figs,
                            const char *prog, FILE *err)
{
    size_t unknown = 0;
    for (size_t i = 0; i < n; i++) {
        if (ecsim_figures_find(figs, checks[i].figure))
            continue;
        unknown++;
        if (!err)
            continue;
        char near[512];
        ecsim_checks_suggest(figs, checks[i].figure, near, sizeof near);
        fprintf(err, "%s: error: check `%s`: no figure `%s` in summary.json", prog, checks[i].expr,
                checks[i].figure);
        if (near[0])
            fprintf(err, "; did you mean %s?\n", near);
        else
            fprintf(err, " (the names are summary.json's keys joined by dots, e.g. "
                         "capacity.unserved_requests)\n");
    }
    return unknown;
}
