/* Streaming latency histogram (include/ecsim/histogram.h): HDR-style
 * log-linear buckets read from the bits of a double, so adding a value is a
 * shift and an increment; quantiles walk the used buckets only. */
#include "ecsim/histogram.h"

#include <math.h>

void ecsim_histogram_reset(ecsim_histogram *h)
{
    /* A fresh struct may hold garbage in lo / hi: clear everything then. */
    if (h->count > 0 && h->lo <= h->hi && h->hi < ECSIM_HISTOGRAM_BUCKETS)
        memset(&h->buckets[h->lo], 0, (size_t)(h->hi - h->lo + 1) * sizeof h->buckets[0]);
    else if (h->count != 0 || h->lo != 1 || h->hi != 0)
        memset(h->buckets, 0, sizeof h->buckets);
    h->count = 0;
    h->sum = 0;
    h->min = h->max = NAN;
    h->lo = 1;
    h->hi = 0;
}

void ecsim_histogram_merge(ecsim_histogram *dst, const ecsim_histogram *src)
{
    if (src->count == 0)
        return;
    for (uint32_t b = src->lo; b <= src->hi; b++)
        dst->buckets[b] += src->buckets[b];
    if (dst->count == 0) {
        dst->min = src->min;
        dst->max = src->max;
        dst->lo = src->lo;
        dst->hi = src->hi;
    } else {
        dst->min = fmin(dst->min, src->min);
        dst->max = fmax(dst->max, src->max);
        if (src->lo < dst->lo)
            dst->lo = src->lo;
        if (src->hi > dst->hi)
            dst->hi = src->hi;
    }
    dst->count += src->count;
    dst->sum += src->sum;
}

double ecsim_histogram_bucket_low(uint32_t b)
{
    if (b == 0)
        return 0.0;
    uint64_t bits = ((uint64_t)b + ((uint64_t)(1023 + ECSIM_HISTOGRAM_MIN_EXP)
                                    << ECSIM_HISTOGRAM_SUB_BITS))
                    << (52 - ECSIM_HISTOGRAM_SUB_BITS);
    double v;
    memcpy(&v, &bits, sizeof v);
    return v;
}

double ecsim_histogram_bucket_mid(uint32_t b)
{
    if (b == 0)
        return 0.0; /* below 1 ns: reported as 0, absolute error < 1 ns */
    if (b >= ECSIM_HISTOGRAM_BUCKETS - 1)
        return ECSIM_HISTOGRAM_MAX;
    return 0.5 * (ecsim_histogram_bucket_low(b) + ecsim_histogram_bucket_low(b + 1));
}

double ecsim_histogram_quantile(const ecsim_histogram *h, double q)
{
    if (h->count == 0 || !(q >= 0 && q <= 1))
        return NAN;
    if (q == 0)
        return h->min;
    if (q == 1)
        return h->max;
    /* Nearest rank: ceil(q n), computed so that q n landing on an integer
     * up to rounding does not move to the next rank. */
    double qn = q * (double)h->count;
    uint64_t rank = (uint64_t)ceil(qn - 1e-9 * qn);
    if (rank < 1)
        rank = 1;
    if (rank > h->count)
        rank = h->count;
    uint64_t seen = 0;
    for (uint32_t b = h->lo; b <= h->hi; b++) {
        seen += h->buckets[b];
        if (seen >= rank) {
            double v = ecsim_histogram_bucket_mid(b);
            return fmin(fmax(v, h->min), h->max);
        }
    }
    return h->max; /* not reached: the buckets add up to count */
}

double ecsim_histogram_mean(const ecsim_histogram *h)
{
    return h->count ? h->sum / (double)h->count : NAN;
}
