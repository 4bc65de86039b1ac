/* The load generator (include/ecsim/load.h): demand as a pure function of
 * time, built from profile segments or a CSV trace (read by the loader,
 * sim/input/datafile.c), times seeded noise.
 *
 * Shapes are one registry (load_shapes[] below): a struct of functions per
 * ecsim_shape giving the value at t, the exact integral over an interval
 * (or "no closed form": then mean_rate integrates numerically on a fixed
 * grid) and the maximum over an interval. Adding a shape is one entry plus
 * its enum value in scenario.h (STYLE.md rule 7).
 *
 * Every query is a pure function of (spec, seed, t): the noise factor of
 * interval k comes from its own derived stream, so the simulation may ask
 * for any time in any order (thinning in requests mode looks ahead; the
 * recorders look back) and get the same answer. A small direct-mapped cache
 * keeps the cost of a factor at one lookup on sequential queries. */
#include "ecsim/load.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ecsim/alloc.h"
#include "ecsim/error.h"
#include "ecsim/rng.h"

#define LOAD_PI 3.14159265358979323846
#define LOAD_DAY_S 86400.0
/* Cells per sine period for the numerical integral of a clamped sine; see
 * the error bound in load.h. */
#define LOAD_GRID_PER_PERIOD 4096.0
#define NOISE_CACHE_SIZE 256 /* power of two */

/* ---- shapes -------------------------------------------------------------- */

/* Where a segment sits: it covers (begin_s, end_s] and starts from
 * start_level (the level where the previous segment ended; 0 first). */
typedef struct load_span {
    double begin_s;
    double end_s;
    double start_level;
} load_span;

typedef struct load_shape_ops {
    ecsim_shape shape;
    const char *name;
    /* Rate at t (t may lie outside the span: the first segment also covers
     * t < begin; the shape extends naturally or clamps). */
    double (*value)(const ecsim_load_segment *seg, const load_span *span, double t);
    /* Exact integral over [a, b] (a <= b, both within the segment's
     * reach); returns false when there is no closed form for this segment,
     * and the caller integrates numerically. */
    bool (*integral)(const ecsim_load_segment *seg, const load_span *span, double a, double b,
                     double *out);
    /* Maximum of value over [a, b] (exact or an upper bound). */
    double (*max)(const ecsim_load_segment *seg, const load_span *span, double a, double b);
    /* Grid step for the numerical integral (only needed when integral can
     * return false). */
    double (*grid_step)(const ecsim_load_segment *seg);
} load_shape_ops;

static double clamp0(double v) { return v > 0.0 ? v : 0.0; }

/* constant: rps */
static double constant_value(const ecsim_load_segment *seg, const load_span *span, double t)
{
    (void)span;
    (void)t;
    return seg->rps;
}

static bool constant_integral(const ecsim_load_segment *seg, const load_span *span, double a,
                              double b, double *out)
{
    (void)span;
    *out = seg->rps * (b - a);
    return true;
}

static double constant_max(const ecsim_load_segment *seg, const load_span *span, double a, double b)
{
    (void)span;
    (void)a;
    (void)b;
    return seg->rps;
}

/* ramp: linear from start_level at begin to ramp_to at end; before begin
 * (negative times in the first segment) it holds start_level. */
static double ramp_value(const ecsim_load_segment *seg, const load_span *span, double t)
{
    double len = span->end_s - span->begin_s;
    if (len <= 0.0 || t >= span->end_s)
        return seg->ramp_to;
    if (t <= span->begin_s)
        return span->start_level;
    double frac = (t - span->begin_s) / len;
    return span->start_level + (seg->ramp_to - span->start_level) * frac;
}

static bool ramp_integral(const ecsim_load_segment *seg, const load_span *span, double a, double b,
                          double *out)
{
    double total = 0.0;
    if (a < span->begin_s) { /* flat part before the ramp starts */
        double stop = b < span->begin_s ? b : span->begin_s;
        total += span->start_level * (stop - a);
        a = stop;
    }
    if (b > a) /* linear: the trapezoid rule is exact */
        total += 0.5 * (ramp_value(seg, span, a) + ramp_value(seg, span, b)) * (b - a);
    *out = total;
    return true;
}

static double ramp_max(const ecsim_load_segment *seg, const load_span *span, double a, double b)
{
    double va = ramp_value(seg, span, a), vb = ramp_value(seg, span, b);
    return va > vb ? va : vb; /* monotone */
}

/* sine: mean + amplitude * sin(2 pi (t - phase) / period), clamped at 0 */
static double sine_value(const ecsim_load_segment *seg, const load_span *span, double t)
{
    (void)span;
    double w = 2.0 * LOAD_PI / seg->sine.period_s;
    return clamp0(seg->sine.mean + seg->sine.amplitude * sin(w * (t - seg->sine.phase_s)));
}

static bool sine_integral(const ecsim_load_segment *seg, const load_span *span, double a, double b,
                          double *out)
{
    (void)span;
    double m = seg->sine.mean, amp = seg->sine.amplitude;
    if (m < fabs(amp))
        return false; /* the clamp at 0 is active somewhere: numerical */
    double w = 2.0 * LOAD_PI / seg->sine.period_s;
    double ph = seg->sine.phase_s;
    *out = m * (b - a) - amp / w * (cos(w * (b - ph)) - cos(w * (a - ph)));
    return true;
}

static double sine_max(const ecsim_load_segment *seg, const load_span *span, double a, double b)
{
    double amp = seg->sine.amplitude;
    double va = sine_value(seg, span, a), vb = sine_value(seg, span, b);
    double best = va > vb ? va : vb;
    /* Is there a crest (sin = sign(amp)) in [a, b]? Crest phases are
     * theta_c + 2 pi n with theta_c = pi/2 (amp > 0) or -pi/2. */
    double w = 2.0 * LOAD_PI / seg->sine.period_s;
    double ta = w * (a - seg->sine.phase_s), tb = w * (b - seg->sine.phase_s);
    double crest = amp >= 0.0 ? LOAD_PI / 2.0 : -LOAD_PI / 2.0;
    double n = ceil((ta - crest) / (2.0 * LOAD_PI));
    if (crest + 2.0 * LOAD_PI * n <= tb) {
        double top = clamp0(seg->sine.mean + fabs(amp));
        if (top > best)
            best = top;
    }
    return best;
}

static double sine_grid_step(const ecsim_load_segment *seg)
{
    return seg->sine.period_s / LOAD_GRID_PER_PERIOD;
}

/* diurnal: a 24 h cosine between min and max peaking at peak_at (time of
 * day, t = 0 is midnight). Both levels are >= 0, so no clamp. */
static double diurnal_value(const ecsim_load_segment *seg, const load_span *span, double t)
{
    (void)span;
    double w = 2.0 * LOAD_PI / LOAD_DAY_S;
    double lo = seg->diurnal.min, hi = seg->diurnal.max;
    return lo + (hi - lo) * 0.5 * (1.0 + cos(w * (t - seg->diurnal.peak_at_s)));
}

static bool diurnal_integral(const ecsim_load_segment *seg, const load_span *span, double a,
                             double b, double *out)
{
    (void)span;
    double w = 2.0 * LOAD_PI / LOAD_DAY_S;
    double lo = seg->diurnal.min, hi = seg->diurnal.max, pk = seg->diurnal.peak_at_s;
    *out =
        0.5 * (lo + hi) * (b - a) + 0.5 * (hi - lo) / w * (sin(w * (b - pk)) - sin(w * (a - pk)));
    return true;
}

static double diurnal_max(const ecsim_load_segment *seg, const load_span *span, double a, double b)
{
    double va = diurnal_value(seg, span, a), vb = diurnal_value(seg, span, b);
    double best = va > vb ? va : vb;
    double lo = seg->diurnal.min, hi = seg->diurnal.max;
    /* the cosine's crest (value max) is at peak_at + n days, its trough
     * (value min) half a day later; whichever level is higher */
    double crest_at = hi >= lo ? seg->diurnal.peak_at_s : seg->diurnal.peak_at_s + LOAD_DAY_S / 2;
    double n = ceil((a - crest_at) / LOAD_DAY_S);
    if (crest_at + n * LOAD_DAY_S <= b)
        best = hi > lo ? hi : lo;
    return best;
}

/* spike: base outside [at, at + duration), peak inside */
static double spike_value(const ecsim_load_segment *seg, const load_span *span, double t)
{
    (void)span;
    bool inside = t >= seg->spike.at_s && t < seg->spike.at_s + seg->spike.duration_s;
    return inside ? seg->spike.peak : seg->spike.base;
}

static double overlap(double a, double b, double lo, double hi)
{
    double s = a > lo ? a : lo, e = b < hi ? b : hi;
    return e > s ? e - s : 0.0;
}

static bool spike_integral(const ecsim_load_segment *seg, const load_span *span, double a, double b,
                           double *out)
{
    (void)span;
    double in = overlap(a, b, seg->spike.at_s, seg->spike.at_s + seg->spike.duration_s);
    *out = seg->spike.peak * in + seg->spike.base * ((b - a) - in);
    return true;
}

static double spike_max(const ecsim_load_segment *seg, const load_span *span, double a, double b)
{
    (void)span;
    double s = seg->spike.at_s, e = seg->spike.at_s + seg->spike.duration_s;
    bool touches_peak = seg->spike.duration_s > 0.0 && a < e && b >= s;
    bool touches_base = a < s || b >= e || seg->spike.duration_s <= 0.0;
    double best = 0.0;
    if (touches_peak)
        best = seg->spike.peak;
    if (touches_base && seg->spike.base > best)
        best = seg->spike.base;
    return best;
}

/* step: `from` before at, `to` from at on */
static double step_value(const ecsim_load_segment *seg, const load_span *span, double t)
{
    (void)span;
    return t < seg->step.at_s ? seg->step.from : seg->step.to;
}

static bool step_integral(const ecsim_load_segment *seg, const load_span *span, double a, double b,
                          double *out)
{
    (void)span;
    double before = overlap(a, b, -INFINITY, seg->step.at_s);
    *out = seg->step.from * before + seg->step.to * ((b - a) - before);
    return true;
}

static double step_max(const ecsim_load_segment *seg, const load_span *span, double a, double b)
{
    (void)span;
    double best = 0.0;
    if (a < seg->step.at_s)
        best = seg->step.from;
    if (b >= seg->step.at_s && seg->step.to > best)
        best = seg->step.to;
    return best;
}

/* The registry: one entry per ecsim_shape, in enum order. */
static const load_shape_ops load_shapes[] = {
    {ECSIM_SHAPE_CONSTANT, "constant", constant_value, constant_integral, constant_max, NULL},
    {ECSIM_SHAPE_RAMP, "ramp", ramp_value, ramp_integral, ramp_max, NULL},
    {ECSIM_SHAPE_SINE, "sine", sine_value, sine_integral, sine_max, sine_grid_step},
    {ECSIM_SHAPE_DIURNAL, "diurnal", diurnal_value, diurnal_integral, diurnal_max, NULL},
    {ECSIM_SHAPE_SPIKE, "spike", spike_value, spike_integral, spike_max, NULL},
    {ECSIM_SHAPE_STEP, "step", step_value, step_integral, step_max, NULL},
};

/* O(1): the table is in enum order (checked), as rate() sits on the
 * requests-mode hot path. */
static const load_shape_ops *shape_ops(ecsim_shape shape)
{
    size_t n = sizeof load_shapes / sizeof load_shapes[0];
    size_t i = (size_t)shape;
    if (i < n && load_shapes[i].shape == shape)
        return &load_shapes[i];
    return NULL;
}

/* ---- the load object ------------------------------------------------------- */

struct ecsim_load {
    /* profile */
    ecsim_load_segment *segments;
    load_span *spans;
    size_t segment_count;
    double tail_level; /* after the last until */
    /* trace (piecewise linear) */
    double *trace_t;
    double *trace_rps;
    size_t trace_count;
    /* noise */
    double noise_cv;
    double noise_interval_s;
    uint64_t noise_key; /* first output of the "load.noise" stream */
    int64_t cache_k[NOISE_CACHE_SIZE];
    double cache_factor[NOISE_CACHE_SIZE];
    bool cache_valid[NOISE_CACHE_SIZE];
};

/* First segment whose until >= t (segment i covers (until[i-1], until[i]]);
 * segment_count if t is after the last until. */
static size_t find_segment(const ecsim_load *load, double t)
{
    size_t lo = 0, hi = load->segment_count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (load->spans[mid].end_s >= t)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

/* Index of the last trace row with time <= t (0 if t is before the first). */
static size_t find_row(const ecsim_load *load, double t)
{
    size_t lo = 0, hi = load->trace_count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (load->trace_t[mid] <= t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo ? lo - 1 : 0;
}

static double trace_value(const ecsim_load *load, double t)
{
    size_t n = load->trace_count;
    if (t <= load->trace_t[0])
        return load->trace_rps[0];
    if (t >= load->trace_t[n - 1])
        return load->trace_rps[n - 1];
    size_t i = find_row(load, t);
    double t0 = load->trace_t[i], t1 = load->trace_t[i + 1];
    double r0 = load->trace_rps[i], r1 = load->trace_rps[i + 1];
    return r0 + (r1 - r0) * ((t - t0) / (t1 - t0));
}

double ecsim_load_base_rate(const ecsim_load *load, double t_s)
{
    if (!isfinite(t_s))
        return 0.0;
    if (load->trace_count)
        return trace_value(load, t_s);
    if (!load->segment_count)
        return 0.0;
    size_t i = find_segment(load, t_s);
    if (i == load->segment_count)
        return load->tail_level;
    return shape_ops(load->segments[i].shape)->value(&load->segments[i], &load->spans[i], t_s);
}

/* Composite trapezoid rule on the absolute grid {j h}, so that the
 * result of adjacent intervals adds up to the result of their union. */
static double numeric_integral(const load_shape_ops *ops, const ecsim_load_segment *seg,
                               const load_span *span, double a, double b, double h)
{
    double total = 0.0;
    double x = a;
    double fx = ops->value(seg, span, x);
    while (x < b) {
        double next = (floor(x / h) + 1.0) * h;
        if (next <= x) /* h below the spacing of doubles near x */
            next = nextafter(x, INFINITY);
        if (next > b)
            next = b;
        double fn = ops->value(seg, span, next);
        total += 0.5 * (fx + fn) * (next - x);
        x = next;
        fx = fn;
    }
    return total;
}

static double trace_integral(const ecsim_load *load, double a, double b)
{
    size_t n = load->trace_count;
    double total = 0.0;
    if (a < load->trace_t[0]) { /* the first rate holds before the first row */
        double stop = b < load->trace_t[0] ? b : load->trace_t[0];
        total += load->trace_rps[0] * (stop - a);
        a = stop;
    }
    if (b > load->trace_t[n - 1]) { /* the last rate holds after the last row */
        double start = a > load->trace_t[n - 1] ? a : load->trace_t[n - 1];
        total += load->trace_rps[n - 1] * (b - start);
        b = start;
    }
    if (b <= a)
        return total;
    for (size_t i = find_row(load, a); i + 1 < n && load->trace_t[i] < b; i++) {
        double s = a > load->trace_t[i] ? a : load->trace_t[i];
        double e = b < load->trace_t[i + 1] ? b : load->trace_t[i + 1];
        if (e > s) /* linear between rows: trapezoid is exact */
            total += 0.5 * (trace_value(load, s) + trace_value(load, e)) * (e - s);
    }
    return total;
}

static double base_integral(const ecsim_load *load, double a, double b)
{
    if (b <= a)
        return 0.0;
    if (load->trace_count)
        return trace_integral(load, a, b);
    if (!load->segment_count)
        return 0.0;
    double total = 0.0;
    for (size_t i = find_segment(load, a); i < load->segment_count && a < b; i++) {
        const load_span *span = &load->spans[i];
        const ecsim_load_segment *seg = &load->segments[i];
        double e = b < span->end_s ? b : span->end_s;
        if (e > a) {
            const load_shape_ops *ops = shape_ops(seg->shape);
            double part;
            if (!ops->integral(seg, span, a, e, &part))
                part = numeric_integral(ops, seg, span, a, e, ops->grid_step(seg));
            total += part;
        }
        a = e;
    }
    if (b > a)
        total += load->tail_level * (b - a);
    return total;
}

static double base_max(const ecsim_load *load, double a, double b)
{
    if (load->trace_count) {
        double best = trace_value(load, a);
        double vb = trace_value(load, b);
        if (vb > best)
            best = vb;
        for (size_t i = find_row(load, a); i < load->trace_count && load->trace_t[i] <= b; i++)
            if (load->trace_t[i] >= a && load->trace_rps[i] > best)
                best = load->trace_rps[i];
        return best;
    }
    if (!load->segment_count)
        return 0.0;
    double best = 0.0;
    size_t i = find_segment(load, a);
    for (; i < load->segment_count; i++) {
        const load_span *span = &load->spans[i];
        double s = a, e = b < span->end_s ? b : span->end_s;
        double m = shape_ops(load->segments[i].shape)->max(&load->segments[i], span, s, e);
        if (m > best)
            best = m;
        if (b <= span->end_s)
            return best;
        a = span->end_s;
    }
    return load->tail_level > best ? load->tail_level : best;
}

/* ---- noise ------------------------------------------------------------------- */

static uint64_t mix64(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

static int64_t noise_interval_of(const ecsim_load *load, double t)
{
    double k = floor(t / load->noise_interval_s);
    if (k > 4e18)
        k = 4e18;
    if (k < -4e18)
        k = -4e18;
    return (int64_t)k;
}

/* Lognormal factor with mean 1 for interval k: a function of (seed, k)
 * only, drawn from its own stream derived from the "load.noise" stream's
 * key and k. */
static double noise_factor_k(ecsim_load *load, int64_t k)
{
    if (load->noise_cv <= 0.0)
        return 1.0;
    size_t slot = (size_t)((uint64_t)k & (NOISE_CACHE_SIZE - 1));
    if (load->cache_valid[slot] && load->cache_k[slot] == k)
        return load->cache_factor[slot];
    ecsim_rng rng;
    ecsim_rng_derive(&rng, load->noise_key ^ mix64((uint64_t)k), "load.noise.interval");
    double f = ecsim_rng_lognormal_mean_cv(&rng, 1.0, load->noise_cv);
    if (!isfinite(f) || f < 0.0)
        f = 1.0; /* defensive; lognormal draws are finite and positive */
    load->cache_valid[slot] = true;
    load->cache_k[slot] = k;
    load->cache_factor[slot] = f;
    return f;
}

double ecsim_load_noise_factor(ecsim_load *load, double t_s)
{
    if (load->noise_cv <= 0.0 || !isfinite(t_s))
        return 1.0;
    return noise_factor_k(load, noise_interval_of(load, t_s));
}

double ecsim_load_rate(ecsim_load *load, double t_s)
{
    if (!isfinite(t_s))
        return 0.0;
    return ecsim_load_base_rate(load, t_s) * ecsim_load_noise_factor(load, t_s);
}

double ecsim_load_mean_rate(ecsim_load *load, double t0_s, double t1_s)
{
    if (!isfinite(t0_s) || !isfinite(t1_s))
        return 0.0;
    if (t1_s <= t0_s)
        return ecsim_load_rate(load, t0_s);
    if (load->noise_cv <= 0.0)
        return base_integral(load, t0_s, t1_s) / (t1_s - t0_s);
    double total = 0.0;
    double iv = load->noise_interval_s;
    for (int64_t k = noise_interval_of(load, t0_s);; k++) {
        double s = (double)k * iv, e = (double)(k + 1) * iv;
        if (s < t0_s)
            s = t0_s;
        if (e > t1_s)
            e = t1_s;
        if (e > s)
            total += noise_factor_k(load, k) * base_integral(load, s, e);
        if (e >= t1_s)
            break;
    }
    return total / (t1_s - t0_s);
}

double ecsim_load_max_rate(ecsim_load *load, double t0_s, double t1_s)
{
    if (!isfinite(t0_s) || !isfinite(t1_s))
        return 0.0;
    if (t1_s < t0_s)
        t1_s = t0_s;
    if (load->noise_cv <= 0.0)
        return base_max(load, t0_s, t1_s);
    double best = 0.0;
    double iv = load->noise_interval_s;
    for (int64_t k = noise_interval_of(load, t0_s);; k++) {
        double s = (double)k * iv, e = (double)(k + 1) * iv;
        if (s < t0_s)
            s = t0_s;
        if (e > t1_s)
            e = t1_s;
        if (e >= s) {
            double m = noise_factor_k(load, k) * base_max(load, s, e);
            if (m > best)
                best = m;
        }
        if (e >= t1_s)
            break;
    }
    return best;
}

size_t ecsim_load_trace_rows(const ecsim_load *load) { return load->trace_count; }

/* ---- trace rows ---------------------------------------------------------------- */

/* Copy the rows the loader read (ecsim_trace_read validated them). */
static int load_trace(ecsim_load *load, const ecsim_trace_data *data, ecsim_diags *d)
{
    if (data->count == 0 || !data->t || !data->rps) {
        if (d)
            ecsim_diags_add(d, ECSIM_DIAG_ERROR, "load", 0, 0,
                            "load.trace: the trace's rows were not read (the scenario loader "
                            "reads them: ecsim_trace_read)");
        return ECSIM_EINVAL;
    }
    load->trace_t = ecsim_reallocarray(NULL, data->count, sizeof *load->trace_t);
    load->trace_rps = ecsim_reallocarray(NULL, data->count, sizeof *load->trace_rps);
    if (!load->trace_t || !load->trace_rps) {
        ecsim_free(load->trace_t);
        ecsim_free(load->trace_rps);
        load->trace_t = load->trace_rps = NULL;
        return ECSIM_ENOMEM;
    }
    memcpy(load->trace_t, data->t, data->count * sizeof *load->trace_t);
    memcpy(load->trace_rps, data->rps, data->count * sizeof *load->trace_rps);
    load->trace_count = data->count;
    return 0;
}

/* ---- construction ------------------------------------------------------------------ */

/* Reject values no shape can work with (the loader checks these first; this
 * keeps the module safe for other callers). */
static bool segment_usable(const ecsim_load_segment *seg, size_t i, double prev_until,
                           ecsim_diags *d)
{
    const char *bad = NULL;
    if (!isfinite(seg->until_s) || (i > 0 && !(seg->until_s > prev_until)))
        bad = "until must be finite and greater than the previous segment's until";
    else if (!shape_ops(seg->shape))
        bad = "unknown shape";
    else {
        switch (seg->shape) {
        case ECSIM_SHAPE_CONSTANT:
            if (!isfinite(seg->rps) || seg->rps < 0)
                bad = "rps must be a finite number >= 0";
            break;
        case ECSIM_SHAPE_RAMP:
            if (!isfinite(seg->ramp_to) || seg->ramp_to < 0)
                bad = "ramp_to must be a finite number >= 0";
            break;
        case ECSIM_SHAPE_SINE:
            if (!isfinite(seg->sine.mean) || !isfinite(seg->sine.amplitude) ||
                !isfinite(seg->sine.phase_s) || !isfinite(seg->sine.period_s) ||
                seg->sine.period_s <= 0)
                bad = "sine needs finite mean, amplitude, phase and a period > 0";
            break;
        case ECSIM_SHAPE_DIURNAL:
            if (!isfinite(seg->diurnal.min) || !isfinite(seg->diurnal.max) ||
                !isfinite(seg->diurnal.peak_at_s) || seg->diurnal.min < 0 || seg->diurnal.max < 0)
                bad = "diurnal needs finite min, max >= 0 and a finite peak_at";
            break;
        case ECSIM_SHAPE_SPIKE:
            if (!isfinite(seg->spike.base) || !isfinite(seg->spike.peak) ||
                !isfinite(seg->spike.at_s) || !isfinite(seg->spike.duration_s) ||
                seg->spike.base < 0 || seg->spike.peak < 0 || seg->spike.duration_s < 0)
                bad = "spike needs finite base, peak >= 0, a finite at and duration >= 0";
            break;
        case ECSIM_SHAPE_STEP:
            if (!isfinite(seg->step.from) || !isfinite(seg->step.to) || !isfinite(seg->step.at_s) ||
                seg->step.from < 0 || seg->step.to < 0)
                bad = "step needs finite from, to >= 0 and a finite at";
            break;
        }
    }
    if (bad && d)
        ecsim_diags_add(d, ECSIM_DIAG_ERROR, "load", 0, 0, "load.profile[%zu]: %s", i, bad);
    return bad == NULL;
}

ecsim_load *ecsim_load_create(const ecsim_load_spec *spec, uint64_t seed, ecsim_diags *d)
{
    ecsim_load *load = ecsim_calloc(1, sizeof *load);
    if (!load)
        return NULL;

    if (!isfinite(spec->noise.cv) || spec->noise.cv < 0 ||
        (spec->noise.cv > 0 &&
         (!isfinite(spec->noise.interval_s) || spec->noise.interval_s <= 0))) {
        if (d)
            ecsim_diags_add(d, ECSIM_DIAG_ERROR, "load", 0, 0,
                            "load.noise: cv must be >= 0 and interval > 0");
        goto fail_load;
    }
    load->noise_cv = spec->noise.cv;
    load->noise_interval_s = spec->noise.interval_s > 0 ? spec->noise.interval_s : 60.0;
    ecsim_rng key_stream;
    ecsim_rng_derive(&key_stream, seed, "load.noise");
    load->noise_key = ecsim_rng_next(&key_stream);

    if (spec->trace[0]) {
        if (load_trace(load, &spec->trace_data, d) != 0)
            goto fail_load;
        return load;
    }

    if (spec->profile_count) {
        size_t n = spec->profile_count;
        for (size_t i = 0; i < n; i++)
            if (!segment_usable(&spec->profile[i], i, i ? spec->profile[i - 1].until_s : 0, d))
                goto fail_load;
        load->segments = ecsim_calloc(n, sizeof *load->segments);
        if (!load->segments)
            goto fail_load;
        load->spans = ecsim_calloc(n, sizeof *load->spans);
        if (!load->spans)
            goto fail_segments;
        memcpy(load->segments, spec->profile, n * sizeof *load->segments);
        load->segment_count = n;
        double level = 0.0, begin = 0.0;
        for (size_t i = 0; i < n; i++) {
            load_span *span = &load->spans[i];
            span->begin_s =
                i ? begin : (load->segments[0].until_s < 0 ? load->segments[0].until_s : 0.0);
            span->end_s = load->segments[i].until_s;
            span->start_level = level;
            level =
                shape_ops(load->segments[i].shape)->value(&load->segments[i], span, span->end_s);
            begin = span->end_s;
        }
        load->tail_level = level;
    }
    return load;

fail_segments:
    ecsim_free(load->segments);
fail_load:
    ecsim_free(load);
    return NULL;
}

void ecsim_load_destroy(ecsim_load *load)
{
    if (!load)
        return;
    ecsim_free(load->segments);
    ecsim_free(load->spans);
    ecsim_free(load->trace_t);
    ecsim_free(load->trace_rps);
    ecsim_free(load);
}
