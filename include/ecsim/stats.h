/* Statistics over seeds: means with Student-t confidence intervals, paired
 * differences, and how many seeds would resolve a difference.
 *
 * `compare`, `sweep` and `collect` summarise a figure over the seeds of one
 * setting (or the per-seed differences between two settings run with
 * common random numbers) as a mean with a two-sided confidence interval
 * from Student's t distribution with n - 1 degrees of freedom:
 *
 *     mean ± t(1 - (1 - level) / 2, n - 1) · s / sqrt(n)
 *
 * where s is the sample standard deviation (divisor n - 1). With one
 * sample there is no interval: lo and hi are NaN and `n` says why. NaN
 * samples (a figure that does not apply to a run) are skipped and counted
 * in `missing`. */
#ifndef ECSIM_STATS_H
#define ECSIM_STATS_H

#include <stddef.h>

typedef struct ecsim_interval {
    size_t n;          /* samples used (finite) */
    size_t missing;    /* samples skipped because NaN */
    double mean;       /* NaN when n == 0 */
    double sd;         /* sample standard deviation; NaN when n < 2 */
    double half_width; /* t · sd / sqrt(n); NaN when n < 2 */
    double lo, hi;     /* mean ∓ half_width; NaN when n < 2 */
} ecsim_interval;

/* The quantile of Student's t distribution with `df` degrees of freedom
 * (df >= 1; an infinite df gives the normal quantile) at probability p in
 * (0, 1). Accurate to about 1e-10. NaN for arguments out of range. */
double ecsim_t_quantile(double p, double df);

/* Student's t cumulative distribution function at t with `df` degrees of
 * freedom (df > 0). */
double ecsim_t_cdf(double t, double df);

/* The mean of x[0..n) with its two-sided confidence interval at `level`
 * (for example 0.95). */
ecsim_interval ecsim_interval_of(const double *x, size_t n, double level);

/* The interval of the paired differences b[i] - a[i] over i in [0, n)
 * (pairs where either side is NaN are skipped). */
ecsim_interval ecsim_interval_paired(const double *a, const double *b, size_t n,
                                     double level);

/* True when the interval is defined and excludes zero. */
int ecsim_interval_resolved(const ecsim_interval *iv);

/* The number of samples with which an interval of the same mean and
 * standard deviation would exclude zero at `level`: the smallest n with
 * t(n - 1) · sd / sqrt(n) < |mean|. 0 when the mean is 0 or not finite or
 * sd is not finite (no number of seeds would tell), and capped at `cap`
 * (the answer is then `cap`, meaning "more than cap - 1"). */
size_t ecsim_samples_to_resolve(double mean, double sd, double level, size_t cap);

#endif
