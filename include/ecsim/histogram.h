/* A streaming, log-bucketed histogram of non-negative values (request
 * latencies and waits in requests mode), with bounded relative error and
 * constant memory however many values it sees.
 *
 * Buckets follow the binary representation of the value, as HDR Histogram
 * does: every power of two [2^e, 2^(e+1)) is cut into 2^ECSIM_HISTOGRAM_SUB_BITS
 * = 128 equal sub-buckets, and a value's bucket is read straight from the
 * top bits of its IEEE-754 double (exponent and the first 7 mantissa bits):
 * no log() per value. A bucket [L, U) has (U - L) / L <= 2^-7, so reporting
 * its midpoint is within 2^-8 = 0.39 % of any value in it:
 *
 *   relative error of every quantile <= ECSIM_HISTOGRAM_REL_ERROR (0.39 %)
 *
 * for values in [ECSIM_HISTOGRAM_MIN, ECSIM_HISTOGRAM_MAX) (about 1 ns to
 * 97 days, in seconds). Smaller values (0 included) share the first bucket,
 * reported as 0 (an absolute error under 1 ns), and larger ones the last; quantiles are clamped to the exact minimum and
 * maximum, which are kept, as are the count and the exact sum (mean).
 *
 * Quantiles use the nearest-rank definition: the q-quantile of n values is
 * the value of rank ceil(q x n) in sorted order (rank 1 for q = 0); the
 * estimate is its bucket's midpoint, so it is within the error above of
 * that exact order statistic.
 *
 * Memory: 53 x 128 64-bit counters, 54 KB, fixed. The struct is public so
 * that it can be embedded and ecsim_histogram_add() inlined on the hot path.
 * No allocation anywhere. */
#ifndef ECSIM_HISTOGRAM_H
#define ECSIM_HISTOGRAM_H

#include <stdint.h>
#include <string.h>

#define ECSIM_HISTOGRAM_SUB_BITS 7
#define ECSIM_HISTOGRAM_MIN_EXP (-30) /* 2^-30 s, about 0.93 ns */
#define ECSIM_HISTOGRAM_OCTAVES 53    /* up to 2^23 s, about 97 days */
#define ECSIM_HISTOGRAM_BUCKETS (ECSIM_HISTOGRAM_OCTAVES << ECSIM_HISTOGRAM_SUB_BITS)
#define ECSIM_HISTOGRAM_MIN 0x1.0p-30
#define ECSIM_HISTOGRAM_MAX 0x1.0p23
/* Bound on the relative error of a quantile, 2^-(SUB_BITS + 1). */
#define ECSIM_HISTOGRAM_REL_ERROR (1.0 / 256.0)

typedef struct ecsim_histogram {
    uint64_t count;       /* values added */
    double sum;           /* their exact sum */
    double min, max;      /* exact extremes (meaningless while count == 0) */
    uint32_t lo, hi;      /* lowest / highest bucket used (lo > hi while empty) */
    uint64_t buckets[ECSIM_HISTOGRAM_BUCKETS];
} ecsim_histogram;

/* Make `h` empty (also the initialiser). Cost: only the buckets used since
 * the last reset are cleared. */
void ecsim_histogram_reset(ecsim_histogram *h);

/* Bucket index of a value (internal to the inline add; exposed for tests). */
static inline uint32_t ecsim_histogram_bucket(double v)
{
    if (!(v >= ECSIM_HISTOGRAM_MIN)) /* also NaN and negatives */
        return 0;
    if (v >= ECSIM_HISTOGRAM_MAX)
        return ECSIM_HISTOGRAM_BUCKETS - 1;
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    return (uint32_t)((bits >> (52 - ECSIM_HISTOGRAM_SUB_BITS)) -
                      ((uint64_t)(1023 + ECSIM_HISTOGRAM_MIN_EXP) << ECSIM_HISTOGRAM_SUB_BITS));
}

/* Add one value (a negative or NaN value counts as 0). O(1), no allocation. */
static inline void ecsim_histogram_add(ecsim_histogram *h, double v)
{
    if (!(v >= 0))
        v = 0;
    uint32_t b = ecsim_histogram_bucket(v);
    h->buckets[b]++;
    if (h->count++ == 0) {
        h->min = h->max = v;
        h->lo = h->hi = b;
    } else {
        if (v < h->min)
            h->min = v;
        if (v > h->max)
            h->max = v;
        if (b < h->lo)
            h->lo = b;
        if (b > h->hi)
            h->hi = b;
    }
    h->sum += v;
}

/* Add every value of `src` to `dst`. */
void ecsim_histogram_merge(ecsim_histogram *dst, const ecsim_histogram *src);

/* The q-quantile (0 <= q <= 1, nearest rank, see above); NaN if empty or q
 * is out of range. q = 0 gives the exact minimum, q = 1 the exact maximum. */
double ecsim_histogram_quantile(const ecsim_histogram *h, double q);

/* Exact mean, NaN if empty. */
double ecsim_histogram_mean(const ecsim_histogram *h);

/* Lower bound and midpoint of bucket b (tests, plots). */
double ecsim_histogram_bucket_low(uint32_t b);
double ecsim_histogram_bucket_mid(uint32_t b);

#endif
