/* Seeded random-number streams.
 *
 * Every random draw in ecsim comes from a named stream derived from the
 * scenario seed: ecsim_rng_derive(&rng, seed, "arrivals"). One stream per
 * purpose means that changing a policy does not change the demand a run
 * sees (common random numbers across compared policies, DESIGN.md
 * "engine"). The generator is xoshiro256** (Blackman & Vigna), seeded by
 * splitmix64 from the seed mixed with a 64-bit FNV-1a hash of the name. */
#ifndef ECSIM_RNG_H
#define ECSIM_RNG_H

#include <stdint.h>

typedef struct ecsim_rng {
    uint64_t s[4];
} ecsim_rng;

/* Initialise `rng` as the stream called `name` of scenario seed `seed`. The
 * same (seed, name) always gives the same sequence; different names give
 * independent sequences. */
void ecsim_rng_derive(ecsim_rng *rng, uint64_t seed, const char *name);

/* Initialise `rng` as member `index` of the family of streams called `name`
 * of seed `seed`: one stream per task, per instance or per fault, so that
 * the draws one of them makes never shift another's (a policy that
 * launches more tasks does not change the start-time jitter of the tasks
 * both variants launch: common random numbers, DESIGN.md "engine").
 * Different indexes give independent sequences. */
void ecsim_rng_derive_indexed(ecsim_rng *rng, uint64_t seed, const char *name, uint64_t index);

/* Next 64 random bits. Inline: it sits on the requests-mode hot path. */
static inline uint64_t ecsim_rng_next(ecsim_rng *rng)
{
    uint64_t *s = rng->s;
    uint64_t x = s[1] * 5;
    uint64_t result = ((x << 7) | (x >> 57)) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = (s[3] << 45) | (s[3] >> 19);
    return result;
}

/* Uniform double in the open interval (0, 1): never 0, never 1, so that
 * log() of it is always finite. */
static inline double ecsim_rng_uniform(ecsim_rng *rng)
{
    return ((double)(ecsim_rng_next(rng) >> 12) + 0.5) * 0x1.0p-52;
}

/* Uniform integer in [0, n) without modulo bias; n > 0. */
uint64_t ecsim_rng_below(ecsim_rng *rng, uint64_t n);
/* Exponential with the given rate (mean 1/rate); rate > 0. */
double ecsim_rng_exponential(ecsim_rng *rng, double rate);
/* Standard normal N(0,1) (polar method; no cached second value, so the
 * stream position depends only on the number of calls). */
double ecsim_rng_normal(ecsim_rng *rng);
/* Lognormal whose *mean* is `mean` and whose coefficient of variation is
 * `cv` (sigma^2 = ln(1 + cv^2), mu = ln(mean) - sigma^2 / 2). */
double ecsim_rng_lognormal_mean_cv(ecsim_rng *rng, double mean, double cv);
/* Lognormal whose *median* is `median` and whose 95th percentile is `p95`:
 * median x exp(sigma Z) with sigma = ln(p95 / median) / 1.6448536 (the
 * one-sided 95 % normal quantile); sigma = 0 (the constant median) when
 * p95 <= median. Exactly one ecsim_rng_normal draw per call, whatever the
 * parameters (0 is returned, after the draw, when median <= 0), so the
 * stream position depends only on the number of calls. The instance boot
 * time of reference §3.3. */
double ecsim_rng_lognormal_median_p95(ecsim_rng *rng, double median, double p95);

#endif
