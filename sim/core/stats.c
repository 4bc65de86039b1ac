/* Student-t intervals over seeds (include/ecsim/stats.h).
 *
 * The t distribution function is computed from the regularized incomplete
 * beta function, I_x(a, b), evaluated with Lentz's continued fraction (the
 * standard method, converging fast for x < (a + 1) / (a + b + 2) and used
 * through the symmetry I_x(a, b) = 1 - I_{1-x}(b, a) elsewhere). The
 * quantile inverts the distribution function by bisection on a bracket
 * that always holds it, then a few Newton steps: about 1e-12 in t, which
 * is far below what a 95 % interval needs and costs microseconds, so no
 * table of critical values (with its interpolation errors) is kept. */
#include "ecsim/stats.h"

#include <math.h>

/* ln Beta(a, b) through lgamma (C99). */
static double log_beta(double a, double b)
{
    return lgamma(a) + lgamma(b) - lgamma(a + b);
}

/* The continued fraction of I_x(a, b) (modified Lentz). */
static double beta_cf(double a, double b, double x)
{
    const double tiny = 1e-300;
    double c = 1.0;
    double d = 1.0 - (a + b) * x / (a + 1.0);
    if (fabs(d) < tiny)
        d = tiny;
    d = 1.0 / d;
    double h = d;
    for (int m = 1; m <= 400; m++) {
        double m2 = 2.0 * m;
        double num = m * (b - m) * x / ((a + m2 - 1.0) * (a + m2));
        d = 1.0 + num * d;
        if (fabs(d) < tiny)
            d = tiny;
        c = 1.0 + num / c;
        if (fabs(c) < tiny)
            c = tiny;
        d = 1.0 / d;
        h *= d * c;
        num = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1.0));
        d = 1.0 + num * d;
        if (fabs(d) < tiny)
            d = tiny;
        c = 1.0 + num / c;
        if (fabs(c) < tiny)
            c = tiny;
        d = 1.0 / d;
        double del = d * c;
        h *= del;
        if (fabs(del - 1.0) < 1e-15)
            break;
    }
    return h;
}

/* The regularized incomplete beta function I_x(a, b), x in [0, 1]. */
static double inc_beta(double a, double b, double x)
{
    if (x <= 0.0)
        return 0.0;
    if (x >= 1.0)
        return 1.0;
    double front = exp(a * log(x) + b * log1p(-x) - log_beta(a, b));
    if (x < (a + 1.0) / (a + b + 2.0))
        return front * beta_cf(a, b, x) / a;
    return 1.0 - exp(b * log1p(-x) + a * log(x) - log_beta(a, b)) * beta_cf(b, a, 1.0 - x) / b;
}

/* The standard normal distribution function. */
static double normal_cdf(double z)
{
    return 0.5 * erfc(-z / sqrt(2.0));
}

double ecsim_t_cdf(double t, double df)
{
    if (isnan(t) || !(df > 0.0))
        return NAN;
    if (isinf(df))
        return normal_cdf(t);
    if (isinf(t))
        return t > 0 ? 1.0 : 0.0;
    double x = df / (df + t * t);
    double tail = 0.5 * inc_beta(df / 2.0, 0.5, x); /* P(T > |t|) */
    return t > 0 ? 1.0 - tail : tail;
}

/* The density of t with df degrees of freedom (for the Newton steps). */
static double t_pdf(double t, double df)
{
    if (isinf(df))
        return exp(-0.5 * t * t) / 2.5066282746310002 /* sqrt(2 pi) */;
    return exp(-log_beta(0.5, df / 2.0) - 0.5 * log(df) -
               (df + 1.0) / 2.0 * log1p(t * t / df));
}

double ecsim_t_quantile(double p, double df)
{
    if (!(p > 0.0 && p < 1.0) || !(df >= 1.0))
        return NAN;
    if (p == 0.5)
        return 0.0;
    /* Bracket: the t quantile lies in (-hi, hi) with hi growing until
     * cdf(hi) passes p (the df = 1 quantile at 1 - 1e-12 is ~3e11). */
    double lo = -1.0, hi = 1.0;
    while (ecsim_t_cdf(hi, df) < p && hi < 1e300)
        hi *= 2.0;
    while (ecsim_t_cdf(lo, df) > p && lo > -1e300)
        lo *= 2.0;
    double t = 0.0;
    for (int i = 0; i < 200; i++) {
        t = 0.5 * (lo + hi);
        if (ecsim_t_cdf(t, df) < p)
            lo = t;
        else
            hi = t;
        if (hi - lo < 1e-9 * (1.0 + fabs(t)))
            break;
    }
    for (int i = 0; i < 3; i++) {
        double f = t_pdf(t, df);
        if (!(f > 0.0))
            break;
        double next = t - (ecsim_t_cdf(t, df) - p) / f;
        if (!isfinite(next))
            break;
        t = next;
    }
    return t;
}

/* The interval of the values x[i] (or x[i] - base[i] with a base) whose
 * finite ones sum to `sum` and number `used`. */
static ecsim_interval interval_from(double sum, const double *x, const double *base, size_t n,
                                    size_t used, size_t missing, double level)
{
    ecsim_interval iv = {.n = used, .missing = missing, .mean = NAN, .sd = NAN,
                         .half_width = NAN, .lo = NAN, .hi = NAN};
    if (used == 0)
        return iv;
    iv.mean = sum / (double)used;
    if (used < 2)
        return iv;
    double ss = 0.0; /* two-pass: the deviations from the mean */
    for (size_t i = 0; i < n; i++) {
        double v = base ? x[i] - base[i] : x[i];
        if (isnan(v))
            continue;
        ss += (v - iv.mean) * (v - iv.mean);
    }
    iv.sd = sqrt(ss / (double)(used - 1));
    double t = ecsim_t_quantile(1.0 - (1.0 - level) / 2.0, (double)(used - 1));
    iv.half_width = t * iv.sd / sqrt((double)used);
    iv.lo = iv.mean - iv.half_width;
    iv.hi = iv.mean + iv.half_width;
    return iv;
}

ecsim_interval ecsim_interval_of(const double *x, size_t n, double level)
{
    double sum = 0.0;
    size_t used = 0;
    for (size_t i = 0; i < n; i++) {
        if (isnan(x[i]))
            continue;
        sum += x[i];
        used++;
    }
    return interval_from(sum, x, NULL, n, used, n - used, level);
}

ecsim_interval ecsim_interval_paired(const double *a, const double *b, size_t n, double level)
{
    double sum = 0.0;
    size_t used = 0;
    for (size_t i = 0; i < n; i++) {
        double v = b[i] - a[i];
        if (isnan(v))
            continue;
        sum += v;
        used++;
    }
    return interval_from(sum, b, a, n, used, n - used, level);
}

int ecsim_interval_resolved(const ecsim_interval *iv)
{
    return iv->n >= 2 && isfinite(iv->lo) && isfinite(iv->hi) && (iv->lo > 0.0 || iv->hi < 0.0);
}

size_t ecsim_samples_to_resolve(double mean, double sd, double level, size_t cap)
{
    if (!isfinite(mean) || mean == 0.0 || !isfinite(sd) || cap < 2)
        return 0;
    if (sd == 0.0)
        return 2;
    double p = 1.0 - (1.0 - level) / 2.0;
    for (size_t n = 2; n < cap; n++) {
        double t = ecsim_t_quantile(p, (double)(n - 1));
        if (t * sd / sqrt((double)n) < fabs(mean))
            return n;
    }
    return cap;
}
