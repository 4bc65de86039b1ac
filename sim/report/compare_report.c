/* What `ecsim compare` reports (include/ecsim/compare_report.h): the
 * statistics of every figure over the seeds, the verdicts in words, and the
 * text, Markdown, CSV and JSON renderings. The HTML page and the overlay
 * plot are in compare_page.c.
 *
 * Verdicts. A key figure knows its own words: the phrase around the amount
 * ("leaves %s requests unserved than"), the word for up and for down
 * ("more"/"fewer", "longer"/"shorter", "more"/"less" for a cost), the noun
 * for "the difference in ..." and the unit of an absolute amount. The
 * amount is relative to the baseline's mean when that mean is not zero
 * ("44 % more"), absolute otherwise ("1200 more"). A difference whose 95 %
 * interval contains zero is "not resolved by N seeds", with the number of
 * seeds that an interval of the same mean and standard deviation would
 * need (stats.h ecsim_samples_to_resolve). */
#include "ecsim/compare_report.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ecsim/alloc.h"
#include "ecsim/error.h"
#include "ecsim/output.h"

/* ---- the key figures and their words --------------------------------------------- */

typedef struct key_figure {
    const char *name;   /* summary.json name (under "windows.NAME." with --window) */
    const char *noun;   /* "the difference in NOUN" */
    const char *phrase; /* "B PHRASE A": %s is the amount and its direction */
    const char *up, *down;
    const char *unit; /* after an absolute amount: " s", " USD"; "" = a count */
} key_figure;

static const key_figure key_figures[] = {
    {"capacity.unserved_requests", "requests unserved", "leaves %s requests unserved than", "more",
     "fewer", ""},
    {"capacity.unserved_after_steady_requests", "requests unserved after steady state",
     "leaves %s requests unserved after steady state than", "more", "fewer", ""},
    {"capacity.under_capacity_s", "time under capacity", "is under capacity %s than", "longer",
     "shorter", " s"},
    {"capacity.mean_time_to_capacity_s", "mean time to capacity",
     "takes %s to get back to capacity than", "longer", "less time", " s"},
    {"latency_s.p95", "p95 latency", "has %s p95 latency than", "higher", "lower", " s"},
    {"latency_s.p99", "p99 latency", "has %s p99 latency than", "higher", "lower", " s"},
    {"latency_s.slo_breach_s", "time over the p99 SLO", "breaches the p99 SLO %s than", "longer",
     "shorter", " s"},
    {"capacity.over_provisioned_task_hours", "over-provisioned task-hours",
     "has %s over-provisioned task-hours than", "more", "fewer", ""},
    {"capacity.task_hours", "task-hours", "uses %s task-hours than", "more", "fewer", ""},
    {"cost_usd.total", "cost", "costs %s than", "more", "less", " USD"},
    {"scaling.actions", "scaling actions", "makes %s scaling actions than", "more", "fewer", ""},
    {"scaling.max_desired", "peak desired count", "peaks at %s desired tasks than", "more", "fewer",
     ""},
};
#define NKEY (sizeof key_figures / sizeof key_figures[0])

/* The figure's name without the window prefix, if c has one and the name
 * carries it. */
static const char *base_name_of(const ecsim_compare *c, const char *name)
{
    if (!c->window)
        return name;
    size_t wl = strlen(c->window);
    if (strncmp(name, "windows.", 8) == 0 && strncmp(name + 8, c->window, wl) == 0 &&
        name[8 + wl] == '.')
        return name + 9 + wl;
    return name;
}

static const key_figure *key_of(const ecsim_compare *c, const char *name)
{
    const char *base = base_name_of(c, name);
    if (c->window && base == name)
        return NULL; /* with --window only the window's figures are key */
    for (size_t i = 0; i < NKEY; i++)
        if (strcmp(key_figures[i].name, base) == 0)
            return &key_figures[i];
    return NULL;
}

/* ---- building ------------------------------------------------------------------- */

ecsim_compare *ecsim_compare_create(size_t nvariants, size_t nseeds)
{
    if (nvariants == 0 || nseeds == 0)
        return NULL;
    ecsim_compare *c = ecsim_calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->nvariants = nvariants;
    c->nseeds = nseeds;
    c->duration_s = NAN;
    c->labels = ecsim_calloc(nvariants, sizeof *c->labels);
    c->names = ecsim_calloc(nvariants, sizeof *c->names);
    c->seeds = ecsim_calloc(nseeds, sizeof *c->seeds);
    if (!c->labels || !c->names || !c->seeds) {
        ecsim_compare_destroy(c);
        return NULL;
    }
    for (size_t s = 0; s < nseeds; s++)
        c->seeds[s] = s + 1;
    return c;
}

static void series_free(ecsim_compare_series *s)
{
    ecsim_free(s->time_s);
    ecsim_free(s->demand_rps);
    ecsim_free(s->capacity_rps);
    ecsim_free(s->running);
}

void ecsim_compare_destroy(ecsim_compare *c)
{
    if (!c)
        return;
    for (size_t v = 0; v < c->nvariants; v++) {
        if (c->labels)
            ecsim_free(c->labels[v]);
        if (c->names)
            ecsim_free(c->names[v]);
        if (c->series)
            series_free(&c->series[v]);
    }
    for (size_t f = 0; f < c->nfigures; f++) {
        ecsim_free(c->figures[f].name);
        ecsim_free(c->figures[f].values);
    }
    ecsim_free(c->figures);
    ecsim_free(c->labels);
    ecsim_free(c->names);
    ecsim_free(c->seeds);
    ecsim_free(c->series);
    ecsim_free(c->scenario_name);
    ecsim_free(c->scenario_text);
    ecsim_free(c->command);
    ecsim_free(c->window);
    ecsim_free(c);
}

int ecsim_compare_set_variant(ecsim_compare *c, size_t v, const char *label, const char *name)
{
    char *l = ecsim_strdup(label), *n = ecsim_strdup(name ? name : label);
    if (!l || !n) {
        ecsim_free(l);
        ecsim_free(n);
        return ECSIM_ENOMEM;
    }
    ecsim_free(c->labels[v]);
    ecsim_free(c->names[v]);
    c->labels[v] = l;
    c->names[v] = n;
    return 0;
}

const ecsim_compare_figure *ecsim_compare_find(const ecsim_compare *c, const char *name)
{
    for (size_t f = 0; f < c->nfigures; f++)
        if (strcmp(c->figures[f].name, name) == 0)
            return &c->figures[f];
    return NULL;
}

int ecsim_compare_set(ecsim_compare *c, const char *figure, size_t v, size_t s, double value)
{
    ecsim_compare_figure *f = (ecsim_compare_figure *)ecsim_compare_find(c, figure);
    if (!f) {
        if (c->nfigures == c->figures_cap) {
            size_t cap = c->figures_cap ? c->figures_cap * 2 : 64;
            ecsim_compare_figure *grown = ecsim_reallocarray(c->figures, cap, sizeof *grown);
            if (!grown)
                return ECSIM_ENOMEM;
            c->figures = grown;
            c->figures_cap = cap;
        }
        size_t cells = c->nvariants * c->nseeds;
        double *values = ecsim_reallocarray(NULL, cells, sizeof *values);
        char *name = ecsim_strdup(figure);
        if (!values || !name) {
            ecsim_free(values);
            ecsim_free(name);
            return ECSIM_ENOMEM;
        }
        for (size_t i = 0; i < cells; i++)
            values[i] = NAN;
        f = &c->figures[c->nfigures++];
        f->name = name;
        f->values = values;
    }
    f->values[v * c->nseeds + s] = value;
    return 0;
}

int ecsim_compare_add_run(ecsim_compare *c, size_t v, size_t s, const ecsim_figures *summary)
{
    for (size_t i = 0; i < summary->count; i++) {
        const ecsim_figure *g = &summary->items[i];
        if (g->kind == ECSIM_FIG_STRING || strcmp(g->name, "seed") == 0 ||
            strcmp(g->name, "schema_version") == 0)
            continue;
        int rc = ecsim_compare_set(c, g->name, v, s, g->num);
        if (rc)
            return rc;
    }
    return 0;
}

/* ---- statistics ------------------------------------------------------------------- */

static const double *row_of(const ecsim_compare *c, const ecsim_compare_figure *f, size_t v)
{
    return f->values + v * c->nseeds;
}

void ecsim_compare_stat_of(const ecsim_compare *c, const ecsim_compare_figure *f, size_t v,
                           ecsim_compare_stat *out)
{
    memset(out, 0, sizeof *out);
    const double *a = row_of(c, f, 0), *b = row_of(c, f, v);
    out->mean = ecsim_interval_of(b, c->nseeds, ECSIM_COMPARE_LEVEL);
    out->rel_mean = out->rel_lo = out->rel_hi = NAN;
    out->base_mean = NAN;
    if (v == 0) {
        out->diff.mean = out->diff.sd = out->diff.half_width = out->diff.lo = out->diff.hi = NAN;
        return;
    }
    out->diff = ecsim_interval_paired(a, b, c->nseeds, ECSIM_COMPARE_LEVEL);
    /* The baseline mean over the seeds both variants have. */
    double sum = 0;
    size_t n = 0;
    bool all_zero = true;
    for (size_t s = 0; s < c->nseeds; s++)
        if (!isnan(a[s]) && !isnan(b[s])) {
            sum += a[s];
            n++;
            if (b[s] - a[s] != 0)
                all_zero = false;
        }
    out->base_mean = n ? sum / (double)n : NAN;
    out->same_as_base = n > 0 && all_zero;
    if (n && out->base_mean != 0 && isfinite(out->base_mean)) {
        double m = fabs(out->base_mean);
        out->rel_mean = out->diff.mean / m;
        out->rel_lo = out->diff.lo / m;
        out->rel_hi = out->diff.hi / m;
    }
    if (out->diff.n >= 2 && !ecsim_interval_resolved(&out->diff))
        out->seeds_to_resolve = ecsim_samples_to_resolve(
            out->diff.mean, out->diff.sd, ECSIM_COMPARE_LEVEL, ECSIM_COMPARE_SEEDS_CAP);
}

bool ecsim_compare_identical(const ecsim_compare *c, const ecsim_compare_figure *f)
{
    size_t cells = c->nvariants * c->nseeds;
    for (size_t i = 0; i < cells; i++)
        if (!isfinite(f->values[i]) || f->values[i] != f->values[0])
            return false;
    return true;
}

size_t ecsim_compare_key_figures(const ecsim_compare *c, const ecsim_compare_figure **out,
                                 size_t max)
{
    size_t n = 0;
    for (size_t k = 0; k < NKEY && n < max; k++) {
        char name[256];
        if (c->window)
            snprintf(name, sizeof name, "windows.%s.%s", c->window, key_figures[k].name);
        else
            snprintf(name, sizeof name, "%s", key_figures[k].name);
        const ecsim_compare_figure *f = ecsim_compare_find(c, name);
        if (!f)
            continue;
        /* A figure no run has (latency in fluid mode is null) is left out. */
        bool any = false;
        for (size_t i = 0; i < c->nvariants * c->nseeds && !any; i++)
            any = !isnan(f->values[i]);
        if (any)
            out[n++] = f;
    }
    return n;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

size_t ecsim_compare_representative(const ecsim_compare *c)
{
    const ecsim_compare_figure *keys[NKEY];
    size_t nk = ecsim_compare_key_figures(c, keys, NKEY);
    double *sorted = ecsim_reallocarray(NULL, c->nseeds, sizeof *sorted);
    if (!sorted)
        return 0;
    size_t best = 0;
    for (size_t k = 0; k < nk; k++) {
        const double *a = row_of(c, keys[k], 0);
        size_t n = 0;
        for (size_t s = 0; s < c->nseeds; s++)
            if (isfinite(a[s]))
                sorted[n++] = a[s];
        if (n < 2)
            continue;
        qsort(sorted, n, sizeof *sorted, cmp_double);
        if (sorted[0] == sorted[n - 1])
            continue; /* does not vary: try the next key figure */
        double median = n % 2 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
        double dist = INFINITY;
        for (size_t s = 0; s < c->nseeds; s++)
            if (isfinite(a[s]) && fabs(a[s] - median) < dist) {
                dist = fabs(a[s] - median);
                best = s;
            }
        break;
    }
    ecsim_free(sorted);
    return best;
}

/* ---- numbers in words --------------------------------------------------------------- */

/* A value for people: about four significant digits, no exponent below a
 * billion. "" for NaN. */
static char *fmt_val(char *buf, size_t size, double x)
{
    double a = fabs(x);
    if (isnan(x))
        snprintf(buf, size, "-");
    else if (a == 0)
        snprintf(buf, size, "0");
    else if (a >= 1e9 || a < 1e-3)
        snprintf(buf, size, "%.3g", x);
    else if (a >= 1000)
        snprintf(buf, size, "%.0f", x);
    else if (a >= 100)
        snprintf(buf, size, "%.1f", x);
    else if (a >= 1)
        snprintf(buf, size, "%.2f", x);
    else
        snprintf(buf, size, "%.3g", x);
    if (strcmp(buf, "-0") == 0)
        snprintf(buf, size, "0");
    return buf;
}

/* A signed value: "+12.5", "-3", "0". */
static char *fmt_signed(char *buf, size_t size, double x)
{
    char v[32];
    fmt_val(v, sizeof v, x);
    snprintf(buf, size, "%s%s", x > 0 && v[0] != '0' ? "+" : "", v);
    return buf;
}

/* A percentage of a fraction: two significant digits at least, whole
 * numbers from 10 %: "44", "3.5", "0.42". */
static char *fmt_pct(char *buf, size_t size, double frac)
{
    double p = fabs(frac * 100);
    if (p >= 9.95)
        snprintf(buf, size, "%.0f", p);
    else if (p >= 0.995)
        snprintf(buf, size, "%.1f", p);
    else
        snprintf(buf, size, "%.2g", p);
    return buf;
}

static char *fmt_pct_signed(char *buf, size_t size, double frac)
{
    char p[32];
    fmt_pct(p, sizeof p, frac);
    snprintf(buf, size, "%s%s %%", frac > 0 ? "+" : frac < 0 ? "-" : "", p);
    return buf;
}

static void seeds_words(char *buf, size_t size, size_t n)
{
    snprintf(buf, size, "%zu seed%s", n, n == 1 ? "" : "s");
}

void ecsim_compare_verdict(const ecsim_compare *c, const ecsim_compare_figure *f, size_t v,
                           char *buf, size_t size)
{
    const key_figure *k = key_of(c, f->name);
    const char *noun = k ? k->noun : f->name;
    const char *unit = k ? k->unit : "";
    const char *b = c->names[v], *a = c->names[0];
    ecsim_compare_stat st;
    ecsim_compare_stat_of(c, f, v, &st);
    char seeds[32], x[64], lo[64], hi[64];
    seeds_words(seeds, sizeof seeds, st.diff.n);
    if (v == 0) {
        snprintf(buf, size, "%s is the baseline", a);
        return;
    }
    if (st.diff.n == 0) {
        snprintf(buf, size, "%s vs %s: no run of both has a value of %s", b, a, noun);
        return;
    }
    if (ecsim_compare_identical(c, f)) {
        snprintf(buf, size, "%s is %s%s in every run of every variant", noun,
                 fmt_val(x, sizeof x, f->values[0]), unit);
        return;
    }
    if (st.same_as_base) {
        snprintf(buf, size, "%s and %s give the same %s on every seed (%s)", b, a, noun, seeds);
        return;
    }
    bool rel = isfinite(st.rel_mean);
    if (st.diff.n < 2) {
        snprintf(buf, size,
                 "%s vs %s: one seed gives no interval for the difference in %s; run more "
                 "seeds (--seeds)",
                 b, a, noun);
        return;
    }
    /* "+31 % to +57 %" or "+800 to +1600 s" */
    char ci[160];
    if (rel)
        snprintf(ci, sizeof ci, "95 %% CI %s to %s", fmt_pct_signed(lo, sizeof lo, st.rel_lo),
                 fmt_pct_signed(hi, sizeof hi, st.rel_hi));
    else
        snprintf(ci, sizeof ci, "95 %% CI %s to %s%s", fmt_signed(lo, sizeof lo, st.diff.lo),
                 fmt_signed(hi, sizeof hi, st.diff.hi), unit);
    if (!ecsim_interval_resolved(&st.diff)) {
        char mean[64], more[96];
        if (rel)
            fmt_pct_signed(mean, sizeof mean, st.rel_mean);
        else
            snprintf(mean, sizeof mean, "%s%s", fmt_signed(x, sizeof x, st.diff.mean), unit);
        if (st.seeds_to_resolve >= ECSIM_COMPARE_SEEDS_CAP)
            snprintf(more, sizeof more, "more than %d seeds would be needed to resolve it",
                     ECSIM_COMPARE_SEEDS_CAP - 1);
        else if (st.seeds_to_resolve == 0)
            snprintf(more, sizeof more, "the mean difference is 0");
        else
            snprintf(more, sizeof more, "about %zu seeds would resolve it", st.seeds_to_resolve);
        snprintf(buf, size, "%s vs %s: the difference in %s (%s, %s) is not resolved by %s; %s", b,
                 a, noun, mean, ci, seeds, more);
        return;
    }
    char amount[96];
    bool up = st.diff.mean > 0;
    if (rel)
        snprintf(amount, sizeof amount, "%s %% %s", fmt_pct(x, sizeof x, st.rel_mean),
                 k ? (up ? k->up : k->down) : (up ? "higher" : "lower"));
    else
        snprintf(amount, sizeof amount, "%s%s %s", fmt_val(x, sizeof x, fabs(st.diff.mean)), unit,
                 k ? (up ? k->up : k->down) : (up ? "higher" : "lower"));
    char said[256];
    if (k)
        snprintf(said, sizeof said, k->phrase, amount);
    else
        snprintf(said, sizeof said, "has a %s %s than", amount, f->name);
    snprintf(buf, size, "%s %s %s (%s, %s)", b, said, a, ci, seeds);
}

/* ---- text and Markdown -------------------------------------------------------------- */

/* Display width of UTF-8 text: one column per code point. */
static size_t width_of(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80)
            n++;
    return n;
}

static void seeds_range(const ecsim_compare *c, char *buf, size_t size)
{
    bool consecutive = true;
    for (size_t s = 1; s < c->nseeds; s++)
        if (c->seeds[s] != c->seeds[s - 1] + 1)
            consecutive = false;
    if (c->nseeds == 1)
        snprintf(buf, size, "seed %llu", (unsigned long long)c->seeds[0]);
    else if (consecutive)
        snprintf(buf, size, "seeds %llu-%llu", (unsigned long long)c->seeds[0],
                 (unsigned long long)c->seeds[c->nseeds - 1]);
    else
        snprintf(buf, size, "%zu seeds", c->nseeds);
}

/* The cells of the key-figure table: figure, variant, mean, CI, paired
 * difference, its CI, relative difference. */
#define NCOLS 7
typedef struct cells {
    char col[NCOLS][96];
} cells;

static void key_row(const ecsim_compare *c, const ecsim_compare_figure *f, size_t v, cells *r)
{
    ecsim_compare_stat st;
    ecsim_compare_stat_of(c, f, v, &st);
    char a[40], b[40];
    memset(r, 0, sizeof *r);
    snprintf(r->col[0], sizeof r->col[0], "%s", v == 0 ? base_name_of(c, f->name) : "");
    snprintf(r->col[1], sizeof r->col[1], "%s", c->names[v]);
    fmt_val(r->col[2], sizeof r->col[2], st.mean.mean);
    if (st.mean.n >= 2)
        snprintf(r->col[3], sizeof r->col[3], "%s .. %s", fmt_val(a, sizeof a, st.mean.lo),
                 fmt_val(b, sizeof b, st.mean.hi));
    if (v > 0 && st.diff.n > 0) {
        fmt_signed(r->col[4], sizeof r->col[4], st.diff.mean);
        if (st.diff.n >= 2)
            snprintf(r->col[5], sizeof r->col[5], "%s .. %s", fmt_signed(a, sizeof a, st.diff.lo),
                     fmt_signed(b, sizeof b, st.diff.hi));
        if (isfinite(st.rel_mean))
            snprintf(r->col[6], sizeof r->col[6], "%s%s", fmt_pct_signed(a, sizeof a, st.rel_mean),
                     st.diff.n >= 2 && !ecsim_interval_resolved(&st.diff) ? " (?)" : "");
        else if (st.diff.n >= 2 && !ecsim_interval_resolved(&st.diff))
            snprintf(r->col[6], sizeof r->col[6], "(?)");
    }
}

static const char *const col_heads[NCOLS] = {"figure",      "variant", "mean",       "95 % CI",
                                             "paired diff", "95 % CI", "vs baseline"};

static void header_lines(const ecsim_compare *c, FILE *out, const char *lead)
{
    char seeds[64];
    seeds_range(c, seeds, sizeof seeds);
    fprintf(out,
            "%secsim compare: %s, %zu variants x %zu seeds (%s), means with 95 %% "
            "intervals (Student t), paired differences from %s\n",
            lead, c->scenario_name ? c->scenario_name : "scenario", c->nvariants, c->nseeds, seeds,
            c->names[0]);
    if (c->window)
        fprintf(out, "%sfigures of the window `%s` (summary.json windows.%s.*)\n", lead, c->window,
                c->window);
    if (c->failed_runs)
        fprintf(out, "%s%zu run%s failed and %s left out (see the runs/ folder)\n", lead,
                c->failed_runs, c->failed_runs == 1 ? "" : "s", c->failed_runs == 1 ? "is" : "are");
}

int ecsim_compare_write_text(const ecsim_compare *c, FILE *out)
{
    header_lines(c, out, "");
    fputs("variants:\n", out);
    for (size_t v = 0; v < c->nvariants; v++)
        fprintf(out, "  %-2zu %s%s%s\n", v + 1, c->names[v],
                strcmp(c->names[v], c->labels[v]) ? "  = " : "",
                strcmp(c->names[v], c->labels[v]) ? c->labels[v] : "");
    const ecsim_compare_figure *keys[NKEY];
    size_t nk = ecsim_compare_key_figures(c, keys, NKEY);
    size_t nrows = nk * c->nvariants;
    cells *rows = ecsim_calloc(nrows ? nrows : 1, sizeof *rows);
    if (!rows)
        return ECSIM_ENOMEM;
    size_t w[NCOLS];
    for (int j = 0; j < NCOLS; j++)
        w[j] = width_of(col_heads[j]);
    for (size_t k = 0; k < nk; k++)
        for (size_t v = 0; v < c->nvariants; v++) {
            key_row(c, keys[k], v, &rows[k * c->nvariants + v]);
            for (int j = 0; j < NCOLS; j++)
                if (width_of(rows[k * c->nvariants + v].col[j]) > w[j])
                    w[j] = width_of(rows[k * c->nvariants + v].col[j]);
        }
    fputc('\n', out);
    for (int j = 0; j < NCOLS; j++) {
        bool right = j >= 2;
        int pad = (int)(w[j] - width_of(col_heads[j]));
        fprintf(out, "%s%*s%s%*s", j ? "  " : "", right ? pad : 0, "", col_heads[j],
                right || j == NCOLS - 1 ? 0 : pad, "");
    }
    fputc('\n', out);
    for (size_t i = 0; i < nrows; i++) {
        if (i > 0 && i % c->nvariants == 0 && c->nvariants > 2)
            fputc('\n', out);
        int last = NCOLS - 1; /* no trailing blanks: stop at the last cell with text */
        while (last > 1 && !rows[i].col[last][0])
            last--;
        for (int j = 0; j <= last; j++) {
            const char *s = rows[i].col[j];
            bool right = j >= 2;
            int pad = (int)(w[j] - width_of(s));
            fprintf(out, "%s%*s%s%*s", j ? "  " : "", right ? pad : 0, "", s,
                    right || j == last ? 0 : pad, "");
        }
        fputc('\n', out);
    }
    ecsim_free(rows);
    fputs("(?) = the 95 % interval of the paired difference contains 0: not resolved\n", out);
    fputs("\nverdicts:\n", out);
    char verdict[1024];
    for (size_t k = 0; k < nk; k++) {
        if (ecsim_compare_identical(c, keys[k])) {
            ecsim_compare_verdict(c, keys[k], 1 < c->nvariants ? 1 : 0, verdict, sizeof verdict);
            fprintf(out, "  - %s\n", verdict);
            continue;
        }
        for (size_t v = 1; v < c->nvariants; v++) {
            ecsim_compare_verdict(c, keys[k], v, verdict, sizeof verdict);
            fprintf(out, "  - %s\n", verdict);
        }
    }
    return ferror(out) ? ECSIM_EIO : 0;
}

/* Markdown table text: | escaped. */
static void md_cell(FILE *out, const char *s)
{
    for (; *s; s++) {
        if (*s == '|')
            fputs("\\|", out);
        else
            fputc(*s, out);
    }
}

int ecsim_compare_write_md(const ecsim_compare *c, FILE *out)
{
    char seeds[64];
    seeds_range(c, seeds, sizeof seeds);
    fprintf(out, "# ecsim compare: %s\n\n", c->scenario_name ? c->scenario_name : "scenario");
    fprintf(out,
            "%zu variants x %zu seeds (%s), common random numbers. Means with 95 %% "
            "intervals (Student t) over the seeds; paired differences (seed by seed) from "
            "the baseline, %s.\n\n",
            c->nvariants, c->nseeds, seeds, c->names[0]);
    if (c->window)
        fprintf(out, "Figures of the window `%s` (summary.json `windows.%s.*`).\n\n", c->window,
                c->window);
    if (c->failed_runs)
        fprintf(out, "%zu run(s) failed and are left out.\n\n", c->failed_runs);
    fputs("| # | variant | defined by |\n|---|---|---|\n", out);
    for (size_t v = 0; v < c->nvariants; v++) {
        fprintf(out, "| %zu | ", v + 1);
        md_cell(out, c->names[v]);
        fputs(" | `", out);
        md_cell(out, c->labels[v]);
        fputs("` |\n", out);
    }
    fputs("\n## Verdicts\n\n", out);
    const ecsim_compare_figure *keys[NKEY];
    size_t nk = ecsim_compare_key_figures(c, keys, NKEY);
    char verdict[1024];
    for (size_t k = 0; k < nk; k++) {
        bool same = ecsim_compare_identical(c, keys[k]);
        for (size_t v = 1; v < c->nvariants || (same && v == 1); v++) {
            ecsim_compare_verdict(c, keys[k], v < c->nvariants ? v : 0, verdict, sizeof verdict);
            fputs("- ", out);
            md_cell(out, verdict);
            fputs("\n", out);
            if (same)
                break;
        }
    }
    fputs("\n## Key figures\n\n|", out);
    for (int j = 0; j < NCOLS; j++)
        fprintf(out, " %s |", col_heads[j]);
    fputs("\n|", out);
    for (int j = 0; j < NCOLS; j++)
        fputs(j >= 2 ? "---:|" : "---|", out);
    fputc('\n', out);
    for (size_t k = 0; k < nk; k++)
        for (size_t v = 0; v < c->nvariants; v++) {
            cells r;
            key_row(c, keys[k], v, &r);
            fputc('|', out);
            for (int j = 0; j < NCOLS; j++) {
                fputc(' ', out);
                if (j == 0 && r.col[0][0])
                    fputc('`', out);
                md_cell(out, r.col[j]);
                if (j == 0 && r.col[0][0])
                    fputc('`', out);
                fputs(" |", out);
            }
            fputc('\n', out);
        }
    fputs("\n(?) = the 95 % interval of the paired difference contains 0: not resolved. Every "
          "figure is in compare.csv and compare.json.\n",
          out);
    return ferror(out) ? ECSIM_EIO : 0;
}

/* ---- CSV and JSON -------------------------------------------------------------------- */

static void csv_num(FILE *out, double x)
{
    char buf[64];
    if (isfinite(x))
        fputs(ecsim_fmt_num(buf, sizeof buf, x), out);
}

static void csv_text(FILE *out, const char *s)
{
    if (!strpbrk(s, ",\"\n\r")) {
        fputs(s, out);
        return;
    }
    fputc('"', out);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', out);
        fputc(*s, out);
    }
    fputc('"', out);
}

int ecsim_compare_write_csv(const ecsim_compare *c, FILE *out)
{
    fputs("figure,key,identical,variant,name,label,n,missing,mean,sd,ci_lo,ci_hi,diff_n,"
          "diff_mean,diff_sd,diff_lo,diff_hi,rel_diff,rel_lo,rel_hi,resolved,seeds_to_resolve,"
          "verdict\n",
          out);
    char verdict[1024];
    for (size_t f = 0; f < c->nfigures; f++) {
        const ecsim_compare_figure *fig = &c->figures[f];
        bool same = ecsim_compare_identical(c, fig);
        for (size_t v = 0; v < c->nvariants; v++) {
            ecsim_compare_stat st;
            ecsim_compare_stat_of(c, fig, v, &st);
            csv_text(out, fig->name);
            fprintf(out, ",%d,%d,%zu,", key_of(c, fig->name) != NULL, same, v + 1);
            csv_text(out, c->names[v]);
            fputc(',', out);
            csv_text(out, c->labels[v]);
            fprintf(out, ",%zu,%zu,", st.mean.n, st.mean.missing);
            csv_num(out, st.mean.mean);
            fputc(',', out);
            csv_num(out, st.mean.sd);
            fputc(',', out);
            csv_num(out, st.mean.lo);
            fputc(',', out);
            csv_num(out, st.mean.hi);
            if (v == 0) {
                fputs(",,,,,,,,,,,\n", out);
                continue;
            }
            fprintf(out, ",%zu,", st.diff.n);
            csv_num(out, st.diff.mean);
            fputc(',', out);
            csv_num(out, st.diff.sd);
            fputc(',', out);
            csv_num(out, st.diff.lo);
            fputc(',', out);
            csv_num(out, st.diff.hi);
            fputc(',', out);
            csv_num(out, st.rel_mean);
            fputc(',', out);
            csv_num(out, st.rel_lo);
            fputc(',', out);
            csv_num(out, st.rel_hi);
            fprintf(out, ",%d,", ecsim_interval_resolved(&st.diff));
            if (st.diff.n >= 2 && !ecsim_interval_resolved(&st.diff))
                fprintf(out, "%zu", st.seeds_to_resolve);
            fputc(',', out);
            ecsim_compare_verdict(c, fig, v, verdict, sizeof verdict);
            csv_text(out, verdict);
            fputc('\n', out);
        }
    }
    return ferror(out) ? ECSIM_EIO : 0;
}

static void json_interval(ecsim_json *j, const ecsim_interval *iv)
{
    ecsim_json_begin_object(j);
    ecsim_json_key(j, "n");
    ecsim_json_uint(j, iv->n);
    ecsim_json_key(j, "missing");
    ecsim_json_uint(j, iv->missing);
    ecsim_json_key(j, "mean");
    ecsim_json_number(j, iv->mean);
    ecsim_json_key(j, "sd");
    ecsim_json_number(j, iv->sd);
    ecsim_json_key(j, "lo");
    ecsim_json_number(j, iv->lo);
    ecsim_json_key(j, "hi");
    ecsim_json_number(j, iv->hi);
    ecsim_json_end_object(j);
}

int ecsim_compare_write_json(const ecsim_compare *c, FILE *out)
{
    ecsim_json j;
    ecsim_json_init(&j, out, false);
    ecsim_json_begin_object(&j);
    ecsim_json_key(&j, "scenario");
    ecsim_json_string(&j, c->scenario_name);
    ecsim_json_key(&j, "command");
    ecsim_json_string(&j, c->command);
    ecsim_json_key(&j, "level");
    ecsim_json_number(&j, ECSIM_COMPARE_LEVEL);
    ecsim_json_key(&j, "window");
    ecsim_json_string(&j, c->window);
    ecsim_json_key(&j, "seeds");
    ecsim_json_begin_array(&j);
    for (size_t s = 0; s < c->nseeds; s++)
        ecsim_json_uint(&j, c->seeds[s]);
    ecsim_json_end_array(&j);
    ecsim_json_key(&j, "representative_seed");
    ecsim_json_uint(&j, c->seeds[c->rep_seed < c->nseeds ? c->rep_seed : 0]);
    ecsim_json_key(&j, "failed_runs");
    ecsim_json_uint(&j, c->failed_runs);
    ecsim_json_key(&j, "variants");
    ecsim_json_begin_array(&j);
    for (size_t v = 0; v < c->nvariants; v++) {
        ecsim_json_begin_object(&j);
        ecsim_json_key(&j, "name");
        ecsim_json_string(&j, c->names[v]);
        ecsim_json_key(&j, "label");
        ecsim_json_string(&j, c->labels[v]);
        ecsim_json_end_object(&j);
    }
    ecsim_json_end_array(&j);
    ecsim_json_key(&j, "figures");
    ecsim_json_begin_array(&j);
    char verdict[1024];
    for (size_t f = 0; f < c->nfigures; f++) {
        const ecsim_compare_figure *fig = &c->figures[f];
        ecsim_json_begin_object(&j);
        ecsim_json_key(&j, "name");
        ecsim_json_string(&j, fig->name);
        ecsim_json_key(&j, "key");
        ecsim_json_bool(&j, key_of(c, fig->name) != NULL);
        ecsim_json_key(&j, "identical");
        ecsim_json_bool(&j, ecsim_compare_identical(c, fig));
        ecsim_json_key(&j, "variants");
        ecsim_json_begin_array(&j);
        for (size_t v = 0; v < c->nvariants; v++) {
            ecsim_compare_stat st;
            ecsim_compare_stat_of(c, fig, v, &st);
            ecsim_json_begin_object(&j);
            ecsim_json_key(&j, "values");
            ecsim_json_begin_array(&j);
            for (size_t s = 0; s < c->nseeds; s++)
                ecsim_json_number(&j, row_of(c, fig, v)[s]);
            ecsim_json_end_array(&j);
            ecsim_json_key(&j, "mean");
            json_interval(&j, &st.mean);
            ecsim_json_key(&j, "diff");
            if (v == 0) {
                ecsim_json_null(&j);
            } else {
                json_interval(&j, &st.diff);
                ecsim_json_key(&j, "relative");
                ecsim_json_begin_object(&j);
                ecsim_json_key(&j, "mean");
                ecsim_json_number(&j, st.rel_mean);
                ecsim_json_key(&j, "lo");
                ecsim_json_number(&j, st.rel_lo);
                ecsim_json_key(&j, "hi");
                ecsim_json_number(&j, st.rel_hi);
                ecsim_json_end_object(&j);
                ecsim_json_key(&j, "resolved");
                ecsim_json_bool(&j, ecsim_interval_resolved(&st.diff));
                ecsim_json_key(&j, "seeds_to_resolve");
                if (st.diff.n >= 2 && !ecsim_interval_resolved(&st.diff))
                    ecsim_json_uint(&j, st.seeds_to_resolve);
                else
                    ecsim_json_null(&j);
                ecsim_json_key(&j, "verdict");
                ecsim_compare_verdict(c, fig, v, verdict, sizeof verdict);
                ecsim_json_string(&j, verdict);
            }
            ecsim_json_end_object(&j);
        }
        ecsim_json_end_array(&j);
        ecsim_json_end_object(&j);
    }
    ecsim_json_end_array(&j);
    ecsim_json_end_object(&j);
    ecsim_json_finish(&j);
    return ferror(out) ? ECSIM_EIO : 0;
}
