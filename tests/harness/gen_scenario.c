/* A random-scenario generator driven by the schema table (issue 10 point 4).
 *
 *   build/tests/harness/gen_scenario SEED [near|extreme]   > scenario.yaml
 *
 * Walks sim/input/schema.c's table, so every new row is generated without an
 * edit here: each optional field is given with a small probability, with a
 * value drawn from the row's own range (log-uniform over wide ranges, round
 * numbers and the bounds themselves often), an enum name, a bool, a printable
 * string; lists get a few entries, a discriminated list (events) only the
 * fields its kind uses, a shape section (a profile segment) exactly one
 * shape. Times (`at`, `until`) stay within the run, which lasts 1 min to 6 h.
 * With `near`, one scalar is replaced by a near-valid value: just out of
 * range, a denormal, NaN, infinity, a control character, a YAML tag, a
 * mapping for a scalar, or an unknown key. With `extreme`, values come from
 * the whole of each range and are one of its bounds a third of the time.
 *
 * The first line is a comment with the scenario's work estimate when it
 * loads (`# work: UNITS`, else `# work: invalid`), from which the harness
 * (tests/harness/run.sh) derives each run's time limit. */
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ecsim/loader.h"
#include "input/schema.h"

typedef struct gen {
    uint64_t s;          /* xorshift state */
    bool near;           /* make one near-valid mutation */
    bool extreme;        /* draw from the whole range, bounds often */
    bool mutated;
    double duration_s;   /* the run's length */
    char *buf;
    size_t len, cap;
} gen;

static uint64_t next(gen *g)
{
    uint64_t x = g->s;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return g->s = x;
}

static double unif(gen *g) { return (double)(next(g) >> 11) * 0x1.0p-53; }
static bool chance(gen *g, double p) { return unif(g) < p; }
static int pick(gen *g, int n) { return (int)(next(g) % (uint64_t)n); }

static void out(gen *g, const char *fmt, ...)
{
    va_list ap;
    for (;;) {
        va_start(ap, fmt);
        int w = vsnprintf(g->buf + g->len, g->cap - g->len, fmt, ap);
        va_end(ap);
        if (w >= 0 && (size_t)w < g->cap - g->len) {
            g->len += (size_t)w;
            return;
        }
        g->cap = g->cap * 2 + (size_t)(w > 0 ? w : 0) + 256;
        g->buf = realloc(g->buf, g->cap);
        if (!g->buf)
            exit(3);
    }
}

/* A number in [lo, hi]: a bound, a round number, or log-uniform / uniform. */
static double draw(gen *g, double lo, double hi, bool integer)
{
    if (hi > 1e7 && !g->extreme)
        hi = 1e7; /* most runs small; the extreme ones reach the far ends */
    if (lo > hi)
        lo = hi;
    int how = g->extreme ? pick(g, 3) : pick(g, 6);
    double v;
    if (how == 0)
        v = lo;
    else if (how == 1)
        v = hi;
    else if (how == 2 || lo < 0 || hi / fmax(lo, 1e-3) < 100)
        v = lo + (hi - lo) * unif(g);
    else {
        double a = log(fmax(lo, 1e-3)), b = log(hi);
        v = exp(a + (b - a) * unif(g));
    }
    if (integer || how == 5)
        v = round(v);
    return fmin(fmax(v, lo), hi);
}

/* A duration: round values often, so that CloudWatch-style rules can hold. */
static double draw_duration(gen *g, const schema_field *f)
{
    static const double round_s[] = {0, 1, 5, 10, 20, 30, 60, 120, 300, 600, 900, 1800, 3600,
                                     7200, 21600, 86400};
    double lo = f->min, hi = fmin(f->max, 86400);
    if (!strcmp(f->key, "at") || !strcmp(f->key, "until") || !strcmp(f->key, "duration"))
        hi = fmin(hi, g->duration_s);
    if (chance(g, 0.7)) {
        for (int tries = 0; tries < 8; tries++) {
            double v = round_s[pick(g, (int)(sizeof round_s / sizeof round_s[0]))];
            if ((f->flags & SCHEMA_MIN_EXCL ? v > lo : v >= lo) && v <= hi)
                return v;
        }
    }
    double v = draw(g, lo, hi, false);
    if ((f->flags & SCHEMA_MIN_EXCL) && v <= lo)
        v = lo + (hi - lo) / 2;
    return v;
}

static void emit_number(gen *g, double v)
{
    if (v == floor(v) && fabs(v) < 1e15)
        out(g, "%.0f", v);
    else
        out(g, "%.6g", v);
}

/* One near-valid value for `f`, in place of the valid one. */
static void emit_mutation(gen *g, const schema_field *f)
{
    static const char *const any[] = {"4.9e-324", "nan", ".inf", "-.inf", "1e309", "\"a\\tb\"",
                                      "!!str 5", "{x: 1}", "[1, 2]", "\"\\e[31m\"", "''",
                                      "2.2250738585072009e-308"};
    g->mutated = true;
    int k = pick(g, 3);
    if (k == 0 && (f->kind == SCHEMA_INT || f->kind == SCHEMA_DOUBLE ||
                   f->kind == SCHEMA_DURATION)) {
        double v = chance(g, 0.5) ? f->min - (f->kind == SCHEMA_INT ? 1 : fabs(f->min) * 0.5 + 1e-3)
                                  : f->max * 1.5 + 1;
        if (f->flags & SCHEMA_MIN_EXCL && chance(g, 0.5))
            v = f->min;
        emit_number(g, v);
        return;
    }
    out(g, "%s", any[pick(g, (int)(sizeof any / sizeof any[0]))]);
}

static void emit_scalar(gen *g, const schema_field *f)
{
    if (g->near && !g->mutated && chance(g, 0.08)) {
        emit_mutation(g, f);
        return;
    }
    switch (f->kind) {
    case SCHEMA_INT: emit_number(g, draw(g, f->min, f->max, true)); break;
    case SCHEMA_UINT64: out(g, "%" PRIu64, next(g) >> pick(g, 64)); break;
    case SCHEMA_DOUBLE: {
        double v = draw(g, f->min, f->max, false);
        if (g->extreme && (f->flags & SCHEMA_MIN_EXCL) && chance(g, 0.3)) {
            /* just above an exclusive lower bound: the far end, not a denormal */
            emit_number(g, f->min + fmax(fabs(f->min) * 1e-12, 1e-300));
            break;
        }
        if ((f->flags & SCHEMA_MIN_EXCL) && v <= f->min)
            v = f->min + (fmin(f->max, 1e7) - f->min) / 2;
        if ((f->flags & SCHEMA_MAX_EXCL) && v >= f->max)
            v = f->min + (f->max - f->min) / 2;
        emit_number(g, v);
        break;
    }
    case SCHEMA_DURATION: {
        double v = draw_duration(g, f);
        if (g->extreme && chance(g, 0.2))
            v = f->flags & SCHEMA_MIN_EXCL ? f->min + fmax(fabs(f->min) * 1e-12, 1e-300)
                                           : fmin(f->max, fmax(f->min, 1e-300));
        if (v == floor(v) && chance(g, 0.5))
            out(g, "%.0fs", v);
        else
            emit_number(g, v);
        break;
    }
    case SCHEMA_BOOL: out(g, chance(g, 0.5) ? "true" : "false"); break;
    case SCHEMA_STRING: {
        static const char chars[] = "abcdefghijklmnopqrstuvwxyz0123456789-_.";
        size_t n = 1 + (size_t)pick(g, 12);
        out(g, "\"");
        for (size_t i = 0; i < n; i++)
            out(g, "%c", chars[pick(g, i == 0 ? 36 : (int)sizeof chars - 1)]);
        out(g, "\"");
        break;
    }
    case SCHEMA_ENUM: {
        int n = 0;
        while (f->enum_names[n])
            n++;
        out(g, "%s", f->enum_names[pick(g, n)]);
        break;
    }
    case SCHEMA_INT_OR_PERCENT:
        if (chance(g, 0.5))
            out(g, "\"%d%%\"", pick(g, 101));
        else
            out(g, "%d", pick(g, 11));
        break;
    case SCHEMA_SECTION:
    case SCHEMA_LIST: break;
    }
}

static void emit_section(gen *g, const schema_section *sec, int indent, int kind, bool top);

/* Data files are not generated (their readers have their own fuzzer). */
static bool names_a_file(const schema_field *f)
{
    return f->kind == SCHEMA_STRING && f->doc && strstr(f->doc, "CSV");
}

static void emit_field(gen *g, const schema_field *f, int indent, int kind, bool top)
{
    if (f->kind == SCHEMA_SECTION) {
        out(g, "%*s%s:\n", indent, "", f->key);
        emit_section(g, f->sub, indent + 2, -1, false); /* none: null, all defaults */
        return;
    }
    if (f->kind == SCHEMA_LIST) {
        int n = 1 + pick(g, f->max >= 3 ? 3 : (int)f->max > 0 ? (int)f->max : 1);
        out(g, "%*s%s:\n", indent, "", f->key);
        double until = 0;
        for (int i = 0; i < n; i++) {
            int k = -1;
            if (f->sub->discriminator) {
                const schema_field *disc = schema_find(f->sub, f->sub->discriminator);
                int m = 0;
                while (disc->enum_names[m])
                    m++;
                k = pick(g, m);
            }
            out(g, "%*s-\n", indent + 2, "");
            if (!strcmp(f->key, "profile")) { /* segments in time order */
                until += g->duration_s / n * (0.5 + unif(g));
                out(g, "%*suntil: %.0f\n", indent + 4, "", fmax(1, round(until)));
            }
            emit_section(g, f->sub, indent + 4, k, false);
        }
        return;
    }
    out(g, "%*s%s: ", indent, "", f->key);
    (void)kind;
    (void)top;
    emit_scalar(g, f);
    out(g, "\n");
}

/* The fields of `sec`: required ones always, others with a small
 * probability; `kind` is the discriminator's value (events) or -1. */
static void emit_section(gen *g, const schema_section *sec, int indent, int kind, bool top)
{
    int shape = -1;
    if (sec->shape_offset >= 0) { /* exactly one shape field */
        int shapes[16], n = 0;
        for (size_t i = 0; i < sec->count && n < 16; i++)
            if (sec->fields[i].shape)
                shapes[n++] = (int)i;
        shape = n ? shapes[pick(g, n)] : -1;
    }
    for (size_t i = 0; i < sec->count; i++) {
        const schema_field *f = &sec->fields[i];
        if (top && (!strcmp(f->key, "name") || !strcmp(f->key, "duration")))
            continue; /* written by main */
        if (!strcmp(f->key, "until") && sec->shape_offset >= 0)
            continue; /* written by the list, in order */
        if (names_a_file(f))
            continue;
        if (f->shape && sec->shape_offset >= 0) {
            if ((int)i == shape)
                emit_field(g, f, indent, kind, top);
            continue;
        }
        if (sec->discriminator && !strcmp(f->key, sec->discriminator)) {
            out(g, "%*s%s: %s\n", indent, "", f->key, f->enum_names[kind]);
            continue;
        }
        bool needed = (f->flags & SCHEMA_REQUIRED) || (kind >= 0 && (f->required_for & (1u << kind)));
        bool usable = kind < 0 || !f->valid_for || (f->valid_for & (1u << kind));
        double p = f->kind == SCHEMA_SECTION ? 0.4 : f->kind == SCHEMA_LIST ? 0.15 : 0.12;
        if (!usable && !(g->near && !g->mutated && chance(g, 0.02)))
            continue;
        if (!usable)
            g->mutated = true; /* a field its kind does not use */
        if (needed || chance(g, p))
            emit_field(g, f, indent, kind, top);
    }
    if (g->near && !g->mutated && chance(g, 0.01)) {
        out(g, "%*snot_a_field: 1\n", indent, "");
        g->mutated = true;
    }
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: gen_scenario SEED [near]\n");
        return 2;
    }
    gen g = {0};
    g.s = strtoull(argv[1], NULL, 10) * 0x9E3779B97F4A7C15ull + 0x2545F4914F6CDD1Dull;
    for (int i = 0; i < 4; i++)
        next(&g);
    g.near = argc > 2 && !strcmp(argv[2], "near");
    g.extreme = argc > 2 && !strcmp(argv[2], "extreme");
    static const double durations[] = {60, 300, 600, 1800, 3600, 7200, 21600};
    g.duration_s = durations[pick(&g, 7)];
    out(&g, "name: gen-%s\nduration: %.0f\n", argv[1], g.duration_s);
    emit_section(&g, &schema_scenario, 0, -1, true);

    ecsim_diags d;
    ecsim_diags_init(&d);
    ecsim_scenario *sc = ecsim_scenario_load_string(g.buf, g.len, "gen.yaml", NULL, 0, &d);
    ecsim_diags_free(&d);
    if (sc) {
#ifdef ECSIM_WORK_DEFAULT_LIMIT
        ecsim_work_estimate w;
        ecsim_scenario_work(sc, &w);
        printf("# work: %.0f\n", w.units);
#else /* a tree without the work estimate (to measure the harness on it) */
        printf("# work: 0\n");
#endif
        ecsim_scenario_free(sc);
    } else {
        printf("# work: invalid\n");
    }
    fwrite(g.buf, 1, g.len, stdout);
    free(g.buf);
    return 0;
}
