/* The load generator: demand in requests per second as a function of time.
 *
 * A load is built from the scenario's `load` section (ecsim_load_spec in
 * scenario.h): either a profile of segments (constant, ramp, sine, diurnal,
 * spike, step; one registry of shapes in sim/model/load.c) or a CSV trace
 * of `time,rps` rows, multiplied by optional lognormal noise. It is a pure
 * function of time and the scenario seed: queries may come in any order and
 * always give the same answer (DESIGN.md "engine": common random numbers).
 *
 * Profile semantics. Segment i covers (until[i-1], until[i]] (the first one
 * covers everything up to until[0], including t = 0); after the last
 * `until` the last segment's final level (its value at its `until`) holds.
 * A ramp goes linearly from the level where the previous segment ended (0
 * for the first) to `ramp_to` at its `until`.
 *
 * Trace semantics. Piecewise-linear interpolation between rows; the first
 * row's rate holds before the first time and the last row's rate after the
 * last time.
 *
 * Noise. Demand is base(t) x F(k) where k = floor(t / interval_s) and F(k)
 * is lognormal with mean 1 and the given cv, drawn from a stream derived
 * from (seed, "load.noise", k) so that F(k) depends only on the seed and k.
 * cv = 0 means no noise (F = 1). */
#ifndef ECSIM_LOAD_H
#define ECSIM_LOAD_H

#include <stddef.h>
#include <stdint.h>

#include "ecsim/diag.h"
#include "ecsim/scenario.h"

typedef struct ecsim_load ecsim_load;

/* Build the load of `spec` for scenario seed `seed`. The spec is copied
 * (the trace rows too); it need not outlive the load. A trace is
 * spec->trace_data, read and validated by the loader (ecsim_trace_read in
 * include/ecsim/loader.h): this module opens no file, and a spec that names
 * a trace without its rows is refused. Returns NULL if a
 * segment is unusable (non-finite values, until not increasing, sine
 * period <= 0), or on OOM (d->oom is not set for OOM: the caller reports
 * ECSIM_ENOMEM when `d` gained no error). `d` may be NULL. */
ecsim_load *ecsim_load_create(const ecsim_load_spec *spec, uint64_t seed, ecsim_diags *d);

void ecsim_load_destroy(ecsim_load *load);

/* Demand in requests/s at time t_s, noise included; always finite and
 * >= 0. */
double ecsim_load_rate(ecsim_load *load, double t_s);

/* Demand without noise at t_s (the profile or trace alone). */
double ecsim_load_base_rate(const ecsim_load *load, double t_s);

/* The noise factor in effect at t_s (1 without noise). */
double ecsim_load_noise_factor(ecsim_load *load, double t_s);

/* Average demand over [t0_s, t1_s], noise included: the integral of
 * ecsim_load_rate divided by (t1 - t0). Exact (to rounding) for constant,
 * ramp, step, spike, diurnal, traces and unclamped sines; a sine that is
 * clamped at 0 (amplitude > mean) is integrated with the composite
 * trapezoid rule on the fixed absolute grid {j x period / 4096}, whose
 * error on the average is at most |amplitude| x 1e-6 x (1 + period /
 * (t1 - t0)) (smooth cells: h^2 |A| w^2 / 12 = |A| x 2e-7; the at most two
 * kinks per period where the clamp starts or ends: h^2 |A| w each). If
 * t1_s <= t0_s the result is ecsim_load_rate(load, t0_s). Cost: O(noise intervals + segments
 * spanned). */
double ecsim_load_mean_rate(ecsim_load *load, double t0_s, double t1_s);

/* An upper bound of ecsim_load_rate over [t0_s, t1_s] (exact maximum of the
 * base rate per noise interval times that interval's factor), for thinning
 * in requests mode. If t1_s < t0_s the bound at t0_s is returned. */
double ecsim_load_max_rate(ecsim_load *load, double t0_s, double t1_s);

/* Number of trace rows (0 for a profile). */
size_t ecsim_load_trace_rows(const ecsim_load *load);

#endif
