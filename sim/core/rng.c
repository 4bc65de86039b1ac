/* Seeded random-number streams (include/ecsim/rng.h): deriving a named
 * stream from the scenario seed, and the distributions the simulation draws
 * from. The generator itself, xoshiro256** (Blackman & Vigna), is inline in
 * the header because requests mode calls it for every request.
 *
 * Every function here consumes a fixed number of raw draws per accepted
 * value, or loops on rejection only; none keeps hidden state, so a stream's
 * position depends only on the calls made on it. */
#include "ecsim/rng.h"

#include <assert.h>
#include <math.h>
#include <stdint.h>

/* splitmix64 (Vigna): a bijective mixer of a Weyl sequence, the seeding
 * procedure the xoshiro authors recommend. */
static uint64_t splitmix64_next(uint64_t *x)
{
    uint64_t z = (*x += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

/* 64-bit FNV-1a of a NUL-terminated string. */
static uint64_t fnv1a64(const char *s)
{
    uint64_t h = UINT64_C(0xcbf29ce484222325);
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= UINT64_C(0x100000001b3);
    }
    return h;
}

void ecsim_rng_derive(ecsim_rng *rng, uint64_t seed, const char *name)
{
    assert(rng && name);
    /* Mix the seed first, then fold in the name's hash: seeds that differ in
     * one bit and names that differ in one character both give unrelated
     * splitmix64 starting points. */
    uint64_t x = seed;
    x = splitmix64_next(&x) ^ fnv1a64(name);
    for (int i = 0; i < 4; i++)
        rng->s[i] = splitmix64_next(&x);
    /* splitmix64's output function is a bijection that maps only 0 to 0, so
     * four consecutive outputs cannot all be zero; xoshiro's one forbidden
     * state is excluded anyway, at the cost of one test. */
    if ((rng->s[0] | rng->s[1] | rng->s[2] | rng->s[3]) == 0)
        rng->s[0] = UINT64_C(0x9E3779B97F4A7C15);
}

void ecsim_rng_derive_indexed(ecsim_rng *rng, uint64_t seed, const char *name, uint64_t index)
{
    /* The index goes through splitmix64 once more before it is folded in,
     * so that consecutive indexes start from unrelated states. */
    uint64_t i = index;
    uint64_t x = seed;
    x = splitmix64_next(&x) ^ fnv1a64(name) ^ splitmix64_next(&i);
    for (int k = 0; k < 4; k++)
        rng->s[k] = splitmix64_next(&x);
    if ((rng->s[0] | rng->s[1] | rng->s[2] | rng->s[3]) == 0)
        rng->s[0] = UINT64_C(0x9E3779B97F4A7C15);
}

uint64_t ecsim_rng_below(ecsim_rng *rng, uint64_t n)
{
    assert(n > 0);
#if defined(__SIZEOF_INT128__)
    /* Lemire, "Fast random integer generation in an interval" (2019): the
     * high word of x * n, rejecting the few low words that would bias it.
     * One multiply and, almost always, no division. */
    __extension__ typedef unsigned __int128 u128;
    u128 m = (u128)ecsim_rng_next(rng) * n;
    uint64_t low = (uint64_t)m;
    if (low < n) {
        uint64_t threshold = -n % n; /* 2^64 mod n */
        while (low < threshold) {
            m = (u128)ecsim_rng_next(rng) * n;
            low = (uint64_t)m;
        }
    }
    return (uint64_t)(m >> 64);
#else
    /* Plain rejection: accept draws below the largest multiple of n. */
    uint64_t threshold = -n % n;
    for (;;) {
        uint64_t x = ecsim_rng_next(rng);
        if (x >= threshold)
            return x % n;
    }
#endif
}

double ecsim_rng_exponential(ecsim_rng *rng, double rate)
{
    assert(rate > 0);
    /* Inversion; uniform() is in (0, 1), so the log is finite. */
    return -log(ecsim_rng_uniform(rng)) / rate;
}

double ecsim_rng_normal(ecsim_rng *rng)
{
    /* Marsaglia's polar method. It yields two values; the second is thrown
     * away rather than cached, so the stream position depends only on the
     * number of calls (rng.h), at the cost of about twice the draws. */
    for (;;) {
        double u = 2.0 * ecsim_rng_uniform(rng) - 1.0;
        double v = 2.0 * ecsim_rng_uniform(rng) - 1.0;
        double s = u * u + v * v;
        if (s < 1.0 && s > 0.0)
            return u * sqrt(-2.0 * log(s) / s);
    }
}

double ecsim_rng_lognormal_mean_cv(ecsim_rng *rng, double mean, double cv)
{
    assert(mean > 0 && cv >= 0);
    /* If X = exp(mu + sigma Z), E[X] = exp(mu + sigma^2 / 2) and
     * CV^2 = exp(sigma^2) - 1; solve for mu and sigma. */
    double sigma2 = log1p(cv * cv);
    double mu = log(mean) - 0.5 * sigma2;
    return exp(mu + sqrt(sigma2) * ecsim_rng_normal(rng));
}

double ecsim_rng_lognormal_median_p95(ecsim_rng *rng, double median, double p95)
{
    double z = ecsim_rng_normal(rng);
    if (!(median > 0))
        return 0;
    double sigma = p95 > median ? log(p95 / median) / 1.6448536269514722 : 0;
    return median * exp(sigma * z);
}
