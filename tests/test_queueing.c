/* Requests mode against queueing theory (issue 4, item 4): fixed tasks, no
 * autoscaler, Poisson arrivals, and the model's mean wait in queue compared
 * with the exact value:
 *
 *   shared_queue, exponential service   M/M/c   Erlang C
 *   random routing, exponential         M/M/1 per task (Poisson splitting)
 *   random routing, deterministic       M/D/1 per task (Pollaczek-Khinchine)
 *
 * The model runs on a bare engine (no lifecycle), so the queue is in steady
 * state from a short warm-up on. Statistical soundness: the run after the
 * warm-up is cut into BATCHES batches of equal simulated time; the batch
 * means of the wait are nearly independent when a batch is much longer
 * than the queue's relaxation time, so the 99 % confidence half-width is
 * t(0.995, BATCHES - 1) x s / sqrt(BATCHES). Each test asserts (1) that
 * this half-width is below the stated tolerance - the run is long enough
 * for the tolerance to be meaningful - and (2) that the estimate is within
 * the tolerance of the theory. The run lengths below were chosen so that
 * the half-width is at most about 70 % of the tolerance (measured: see each test), so
 * a correct model fails (2) far less than 1 % of the time and a wrong one
 * by more than the tolerance cannot pass. The seeds are fixed: the tests
 * are deterministic. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "ecsim/engine.h"
#include "ecsim/error.h"
#include "ecsim/load.h"
#include "model/requests.h"

enum { BATCHES = 20 };
/* Student's t, 0.995 quantile, 19 degrees of freedom. */
#define T_995_19 2.861

/* Erlang C: mean wait in queue of M/M/c (as ../shared/anchors/erlang.py). */
static double erlang_c_wq(double lambda, double mu, int c)
{
    double a = lambda / mu, rho = a / c;
    double term = 1, sum = 0; /* a^k / k! */
    for (int k = 0; k < c; k++) {
        sum += term;
        term *= a / (k + 1);
    }
    double top = term / (1 - rho); /* a^c / c! / (1 - rho) */
    double p_wait = top / (sum + top);
    return p_wait / (c * mu - lambda);
}

static double mm1_wq(double lambda, double mu) { return lambda / mu / (mu - lambda); }

/* Pollaczek-Khinchine for deterministic service D = 1/mu: rho D / (2 (1 - rho)). */
static double md1_wq(double lambda, double mu)
{
    double rho = lambda / mu;
    return rho / (2 * mu * (1 - rho));
}

typedef struct run_result {
    double mean;        /* mean wait over the batches */
    double half_width;  /* 99 % confidence half-width */
    uint64_t served;
} run_result;

static run_result run_model(double lambda, double mean_s, int tasks, ecsim_service_dist dist,
                            ecsim_routing routing, double warmup_s, double batch_s, uint64_t seed)
{
    double end = warmup_s + BATCHES * batch_s;
    ecsim_load_segment seg;
    memset(&seg, 0, sizeof seg);
    seg.until_s = end;
    seg.shape = ECSIM_SHAPE_CONSTANT;
    seg.rps = lambda;
    ecsim_load_spec ls;
    memset(&ls, 0, sizeof ls);
    ls.mode = ECSIM_LOAD_REQUESTS;
    ls.profile = &seg;
    ls.profile_count = 1;
    ls.noise.interval_s = 60;
    ecsim_requests_spec rs;
    memset(&rs, 0, sizeof rs);
    rs.dist = dist;
    rs.mean_s = mean_s;
    rs.concurrency = 1;
    rs.queue_limit = 1000000;
    rs.routing = routing;
    rs.timeout_s = 0;

    ecsim_engine *eng = ecsim_engine_create();
    assert_non_null(eng);
    ecsim_load *load = ecsim_load_create(&ls, seed, NULL);
    assert_non_null(load);
    requests_model *m = requests_create(&rs, "", eng, load, seed, end, NULL);
    assert_non_null(m);
    for (int i = 1; i <= tasks; i++)
        assert_int_equal(requests_task_ready(m, i), 0);
    assert_int_equal(requests_start(m), 0);

    ecsim_engine_run(eng, warmup_s);
    requests_totals prev = *requests_get_totals(m);
    double means[BATCHES], sum = 0;
    for (int b = 0; b < BATCHES; b++) {
        ecsim_engine_run(eng, warmup_s + (b + 1) * batch_s);
        const requests_totals *t = requests_get_totals(m);
        uint64_t n = t->served - prev.served;
        assert_true(n > 0);
        means[b] = (t->wait_sum_s - prev.wait_sum_s) / (double)n;
        sum += means[b];
        prev = *t;
    }
    run_result r;
    r.mean = sum / BATCHES;
    double ss = 0;
    for (int b = 0; b < BATCHES; b++)
        ss += (means[b] - r.mean) * (means[b] - r.mean);
    r.half_width = T_995_19 * sqrt(ss / (BATCHES - 1)) / sqrt((double)BATCHES);
    r.served = requests_get_totals(m)->served;
    assert_int_equal(requests_get_totals(m)->rejected, 0);
    assert_false(requests_oom(m));
    requests_destroy(m);
    ecsim_load_destroy(load);
    ecsim_engine_destroy(eng);
    return r;
}

static void check(const char *what, run_result r, double theory, double tolerance)
{
    double rel = fabs(r.mean - theory) / theory;
    printf("  %s: Wq %.6f theory %.6f (%+.2f %%), 99 %% half-width %.2f %%, tolerance %.1f %%, "
           "%llu requests\n",
           what, r.mean, theory, 100 * (r.mean - theory) / theory, 100 * r.half_width / theory,
           100 * tolerance, (unsigned long long)r.served);
    if (r.half_width / theory >= tolerance)
        fail_msg("%s: run too short: 99 %% half-width %.3f %% >= tolerance %.1f %%", what,
                 100 * r.half_width / theory, 100 * tolerance);
    if (rel > tolerance)
        fail_msg("%s: Wq %.6f vs theory %.6f: %.2f %% off, tolerance %.1f %%", what, r.mean, theory,
                 100 * rel, 100 * tolerance);
}

/* M/M/c, c = 10, rho = 0.8 (lambda 8, mu 1): Erlang C Wq = 0.20459 s.
 * 20 batches of 20 000 s (160 000 requests each, 3.2 million in all);
 * measured 99 % half-width 3.5 % (4.9 % at a quarter of the length):
 * tolerance 5 %. */
static void test_shared_queue_erlang_c(void **state)
{
    (void)state;
    double wq = erlang_c_wq(8, 1, 10);
    assert_true(fabs(wq - 0.204590) < 1e-6); /* erlang.py 8 1 10 */
    run_result r = run_model(8, 1.0, 10, ECSIM_DIST_EXPONENTIAL, ECSIM_ROUTING_SHARED_QUEUE, 500,
                             20000, 42);
    check("shared_queue vs Erlang C (c=10, rho=0.8)", r, wq, 0.05);
}

/* The anchors' model itself (lambda 900, mu 20, c 50, rho 0.9), shorter
 * than the benchmark: Erlang C Wq = 3.639 ms. Only about a third of the
 * requests wait, so the mean wait is noisy: 20 batches of 200 s (3.6
 * million requests); measured half-width 8.5 % (10 % at half the
 * length): tolerance 15 %. The first test pins Erlang C more tightly. */
static void test_shared_queue_anchor_model(void **state)
{
    (void)state;
    double wq = erlang_c_wq(900, 20, 50);
    assert_true(fabs(wq - 0.003639) < 0.000001);
    run_result r = run_model(900, 0.05, 50, ECSIM_DIST_EXPONENTIAL, ECSIM_ROUTING_SHARED_QUEUE, 10,
                             200, 7);
    check("shared_queue vs Erlang C (anchors: 900/s, 50 x 20/s)", r, wq, 0.15);
}

/* Random routing splits a Poisson stream into independent Poisson streams
 * of rate lambda / c: each task is M/M/1. 4 tasks, lambda 2.4, mu 1
 * (rho 0.6 per task): Wq = 1.5 s. 20 batches of 10 000 s (480 000
 * requests); measured half-width 2.8 % (5.1 % at a quarter of the length):
 * tolerance 5 %. */
static void test_random_routing_mm1(void **state)
{
    (void)state;
    double wq = mm1_wq(2.4 / 4, 1);
    run_result r = run_model(2.4, 1.0, 4, ECSIM_DIST_EXPONENTIAL, ECSIM_ROUTING_RANDOM, 200, 10000, 11);
    check("random routing vs M/M/1 per task (rho=0.6)", r, wq, 0.05);
}

/* Deterministic service under random routing: M/D/1 per task,
 * Pollaczek-Khinchine Wq = rho D / (2 (1 - rho)) = 0.75 s for rho 0.6,
 * D = 1 s; half the M/M/1 wait. Same run length; measured half-width
 * 1.5 % (3.6 % at a quarter of the length): tolerance 5 %. */
static void test_random_routing_md1(void **state)
{
    (void)state;
    double wq = md1_wq(2.4 / 4, 1);
    run_result r = run_model(2.4, 1.0, 4, ECSIM_DIST_DETERMINISTIC, ECSIM_ROUTING_RANDOM, 200, 10000,
                             13);
    check("random routing, deterministic vs M/D/1 (rho=0.6)", r, wq, 0.05);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shared_queue_erlang_c),
        cmocka_unit_test(test_shared_queue_anchor_model),
        cmocka_unit_test(test_random_routing_mm1),
        cmocka_unit_test(test_random_routing_md1),
    };
    return cmocka_run_group_tests_name("queueing", tests, NULL, NULL);
}
