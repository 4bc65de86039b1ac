/* Tests of requests mode (sim/model/requests.h) on a bare engine - arrivals by
 * thinning, routing, queue limits, timeouts, tasks draining or failing,
 * conservation of requests, determinism, the empirical distribution - and
 * end to end through ecsim_sim (summary, timeline latency, fluid/requests
 * agreement on capacity and scaling). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "ecsim/alloc.h"
#include "ecsim/engine.h"
#include "ecsim/error.h"
#include "ecsim/load.h"
#include "ecsim/loader.h"
#include "ecsim/sim.h"
#include "ecsim/timeline.h"
#include "model/requests.h"

/* A bare model: engine + load + requests model. */
typedef struct fixture {
    ecsim_engine *eng;
    ecsim_load *load;
    requests_model *m;
    ecsim_load_segment seg[2];
} fixture;

static ecsim_requests_spec spec_default(void)
{
    ecsim_requests_spec rs;
    memset(&rs, 0, sizeof rs);
    rs.dist = ECSIM_DIST_EXPONENTIAL;
    rs.mean_s = 0.05;
    rs.cv = 1;
    rs.max_s = 0.1;
    rs.concurrency = 1;
    rs.queue_limit = 100;
    rs.routing = ECSIM_ROUTING_SHARED_QUEUE;
    rs.timeout_s = 0;
    return rs;
}

/* Constant `rps` until end_s (ramp_to >= 0: a ramp from 0 to it instead). */
static void fx_open(fixture *f, double rps, double ramp_to, double end_s,
                    const ecsim_requests_spec *rs, uint64_t seed)
{
    memset(f, 0, sizeof *f);
    f->seg[0].until_s = end_s;
    if (ramp_to >= 0) {
        f->seg[0].shape = ECSIM_SHAPE_RAMP;
        f->seg[0].ramp_to = ramp_to;
    } else {
        f->seg[0].shape = ECSIM_SHAPE_CONSTANT;
        f->seg[0].rps = rps;
    }
    ecsim_load_spec ls;
    memset(&ls, 0, sizeof ls);
    ls.mode = ECSIM_LOAD_REQUESTS;
    ls.profile = f->seg;
    ls.profile_count = 1;
    ls.noise.interval_s = 60;
    f->eng = ecsim_engine_create();
    assert_non_null(f->eng);
    f->load = ecsim_load_create(&ls, seed, NULL);
    assert_non_null(f->load);
    f->m = requests_create(rs, "", f->eng, f->load, seed, end_s, NULL);
    assert_non_null(f->m);
}

static void fx_close(fixture *f)
{
    requests_destroy(f->m);
    ecsim_load_destroy(f->load);
    ecsim_engine_destroy(f->eng);
}

static void assert_conserved(requests_model *m)
{
    const requests_totals *t = requests_get_totals(m);
    uint64_t out = t->served + t->rejected + t->timed_out + t->failed + requests_in_system(m);
    if (t->arrived != out)
        fail_msg("arrived %llu != served %llu + rejected %llu + timed out %llu + failed %llu + in "
                 "system %llu",
                 (unsigned long long)t->arrived, (unsigned long long)t->served,
                 (unsigned long long)t->rejected, (unsigned long long)t->timed_out,
                 (unsigned long long)t->failed, (unsigned long long)requests_in_system(m));
}

/* ---- arrivals ------------------------------------------------------------------- */

static void test_no_task_rejects_everything(void **state)
{
    (void)state;
    ecsim_requests_spec rs = spec_default();
    fixture f;
    fx_open(&f, 100, -1, 100, &rs, 1);
    assert_int_equal(requests_start(f.m), 0);
    ecsim_engine_run(f.eng, 100);
    const requests_totals *t = requests_get_totals(f.m);
    /* Poisson(10 000): within 5 sigma. */
    assert_true(fabs((double)t->arrived - 10000) < 500);
    assert_int_equal(t->rejected, t->arrived);
    assert_int_equal(t->served, 0);
    assert_int_equal(t->admitted, 0);
    fx_close(&f);
}

static void test_thinning_follows_a_ramp(void **state)
{
    (void)state;
    /* Rate 0 -> 1000/s over 100 s: 50 000 expected arrivals, 25 000 in the
     * second half of the first... check both halves within 5 sigma. */
    ecsim_requests_spec rs = spec_default();
    fixture f;
    fx_open(&f, 0, 1000, 100, &rs, 5);
    assert_int_equal(requests_start(f.m), 0);
    ecsim_engine_run(f.eng, 50);
    double first = (double)requests_get_totals(f.m)->arrived; /* integral 12 500 */
    ecsim_engine_run(f.eng, 100);
    double second = (double)requests_get_totals(f.m)->arrived - first; /* 37 500 */
    assert_true(fabs(first - 12500) < 5 * sqrt(12500));
    assert_true(fabs(second - 37500) < 5 * sqrt(37500));
    assert_true(ecsim_engine_pending(f.eng) == 0); /* nothing past the end */
    fx_close(&f);
}

static void test_zero_rate_has_no_arrivals(void **state)
{
    (void)state;
    ecsim_requests_spec rs = spec_default();
    fixture f;
    fx_open(&f, 0, -1, 1000, &rs, 5);
    assert_int_equal(requests_start(f.m), 0);
    ecsim_engine_run(f.eng, 1000);
    assert_int_equal(requests_get_totals(f.m)->arrived, 0);
    fx_close(&f);
}

/* Same seed, same run; the routing does not change the arrivals (common
 * random numbers: each purpose has its own stream). */
static void test_deterministic_and_common_random_numbers(void **state)
{
    (void)state;
    requests_totals runs[3];
    double p99[3];
    ecsim_routing routings[3] = {ECSIM_ROUTING_RANDOM, ECSIM_ROUTING_RANDOM,
                                 ECSIM_ROUTING_ROUND_ROBIN};
    for (int k = 0; k < 3; k++) {
        ecsim_requests_spec rs = spec_default();
        rs.routing = routings[k];
        fixture f;
        fx_open(&f, 150, -1, 200, &rs, 99);
        for (int i = 1; i <= 10; i++)
            assert_int_equal(requests_task_ready(f.m, i), 0);
        assert_int_equal(requests_start(f.m), 0);
        ecsim_engine_run(f.eng, 200);
        runs[k] = *requests_get_totals(f.m);
        p99[k] = ecsim_histogram_quantile(requests_latency_run(f.m), 0.99);
        assert_conserved(f.m);
        fx_close(&f);
    }
    assert_true(memcmp(&runs[0], &runs[1], sizeof runs[0]) == 0);
    assert_true(p99[0] == p99[1]);
    assert_int_equal(runs[0].arrived, runs[2].arrived);
}

/* ---- serving ---------------------------------------------------------------------- */

static void test_conservation_every_routing(void **state)
{
    (void)state;
    ecsim_routing all[] = {ECSIM_ROUTING_SHARED_QUEUE, ECSIM_ROUTING_ROUND_ROBIN,
                           ECSIM_ROUTING_RANDOM, ECSIM_ROUTING_LEAST_OUTSTANDING};
    ecsim_service_dist dists[] = {ECSIM_DIST_EXPONENTIAL, ECSIM_DIST_DETERMINISTIC,
                                  ECSIM_DIST_LOGNORMAL, ECSIM_DIST_UNIFORM};
    for (size_t r = 0; r < 4; r++) {
        ecsim_requests_spec rs = spec_default();
        rs.routing = all[r];
        rs.dist = dists[r];
        rs.concurrency = 2;
        rs.queue_limit = 3;
        rs.timeout_s = 0.2;
        fixture f;
        /* Overloaded: 4 tasks x 2 slots x 20/s = 160/s against 200/s. */
        fx_open(&f, 200, -1, 300, &rs, 3);
        for (int i = 1; i <= 4; i++)
            assert_int_equal(requests_task_ready(f.m, i), 0);
        assert_int_equal(requests_start(f.m), 0);
        ecsim_engine_run(f.eng, 150);
        assert_int_equal(requests_task_leave(f.m, 2, false), 0); /* drains */
        assert_int_equal(requests_task_leave(f.m, 3, true), 0);  /* fails */
        ecsim_engine_run(f.eng, 200);
        assert_int_equal(requests_task_ready(f.m, 5), 0);
        ecsim_engine_run(f.eng, 300);
        requests_flush(f.m);
        assert_conserved(f.m);
        const requests_totals *t = requests_get_totals(f.m);
        assert_true(t->served > 0 && t->rejected > 0);
        /* Nobody served waited longer than the timeout. */
        assert_true(requests_wait_max(f.m) <= 0.2 + 1e-12);
        assert_false(requests_oom(f.m));
        fx_close(&f);
    }
}

static void test_queue_limit_zero_rejects_when_busy(void **state)
{
    (void)state;
    ecsim_requests_spec rs = spec_default();
    rs.dist = ECSIM_DIST_DETERMINISTIC;
    rs.mean_s = 1.0;
    rs.queue_limit = 0;
    rs.routing = ECSIM_ROUTING_ROUND_ROBIN;
    fixture f;
    fx_open(&f, 50, -1, 100, &rs, 8);
    assert_int_equal(requests_task_ready(f.m, 1), 0);
    assert_int_equal(requests_start(f.m), 0);
    ecsim_engine_run(f.eng, 100);
    const requests_totals *t = requests_get_totals(f.m);
    /* One slot, 1 s each: at most 100 served, never a wait. */
    assert_true(t->served <= 100 && t->served >= 95);
    assert_true(requests_wait_max(f.m) == 0);
    assert_true(t->rejected > 4000);
    /* Deterministic service: every latency is 1 s (to rounding). */
    assert_true(fabs(requests_latency_run(f.m)->min - 1.0) < 1e-9);
    assert_true(fabs(requests_latency_run(f.m)->max - 1.0) < 1e-9);
    /* Busy slot-seconds = served x 1 s, plus the one still in service. */
    requests_flush(f.m);
    assert_true(t->busy_slot_s >= (double)t->served - 1e-6);
    assert_true(t->busy_slot_s <= (double)t->served + 1.0 + 1e-6);
    assert_conserved(f.m);
    fx_close(&f);
}

/* A timeout is counted at the instant it expires: after a flush no request
 * left in the queue has waited longer than the timeout. */
static void test_timeouts_counted_when_they_expire(void **state)
{
    (void)state;
    ecsim_requests_spec rs = spec_default();
    rs.dist = ECSIM_DIST_DETERMINISTIC;
    rs.mean_s = 1.0;
    rs.queue_limit = 1000;
    rs.timeout_s = 2.5;
    fixture f;
    fx_open(&f, 10, -1, 50, &rs, 4);
    assert_int_equal(requests_task_ready(f.m, 1), 0);
    assert_int_equal(requests_start(f.m), 0);
    ecsim_engine_run(f.eng, 50);
    requests_flush(f.m);
    const requests_totals *t = requests_get_totals(f.m);
    /* 1 request/s served; the queue holds about 2.5 s of arrivals at most. */
    assert_true(t->served >= 48 && t->served <= 50);
    assert_true(t->timed_out > 350);
    assert_true(requests_in_system(f.m) <= 1 + 40);
    assert_true(requests_wait_max(f.m) <= 2.5);
    assert_true(requests_wait_max(f.m) > 2.0);
    assert_conserved(f.m);
    fx_close(&f);
}

/* Draining completes requests in service; an abrupt stop fails them. */
static void test_drain_and_abrupt_stop(void **state)
{
    (void)state;
    for (int mode = 0; mode < 3; mode++) {
        ecsim_requests_spec rs = spec_default();
        rs.dist = ECSIM_DIST_DETERMINISTIC;
        rs.mean_s = 10.0;
        rs.concurrency = 20;
        rs.routing = ECSIM_ROUTING_LEAST_OUTSTANDING;
        fixture f;
        fx_open(&f, 1, -1, 2.5, &rs, 21); /* a few arrivals in 2.5 s */
        assert_int_equal(requests_task_ready(f.m, 1), 0);
        assert_int_equal(requests_start(f.m), 0);
        ecsim_engine_run(f.eng, 2.5);
        uint64_t in_service = requests_in_system(f.m);
        uint64_t arrived = requests_get_totals(f.m)->arrived;
        assert_true(arrived == in_service && arrived > 0); /* 20 slots: nothing queued */
        if (mode == 0) { /* deregistering: drained */
            assert_int_equal(requests_task_leave(f.m, 1, false), 0);
            assert_int_equal(requests_task_get_state(f.m, 1), REQUESTS_TASK_DRAINING);
            ecsim_engine_run(f.eng, 100);
            assert_int_equal(requests_get_totals(f.m)->served, in_service);
            assert_int_equal(requests_get_totals(f.m)->failed, 0);
        } else if (mode == 1) { /* stopped abruptly */
            assert_int_equal(requests_task_leave(f.m, 1, true), 0);
            assert_int_equal(requests_task_get_state(f.m, 1), REQUESTS_TASK_GONE);
            ecsim_engine_run(f.eng, 100);
            assert_int_equal(requests_get_totals(f.m)->served, 0);
            assert_int_equal(requests_get_totals(f.m)->failed, in_service);
            assert_int_equal(requests_task_ready(f.m, 1), ECSIM_EINVAL);
        } else { /* draining, then stopped before it finished */
            assert_int_equal(requests_task_leave(f.m, 1, false), 0);
            ecsim_engine_run(f.eng, 5);
            assert_int_equal(requests_task_leave(f.m, 1, true), 0);
            ecsim_engine_run(f.eng, 100);
            assert_int_equal(requests_get_totals(f.m)->failed, in_service);
        }
        assert_int_equal(requests_in_system(f.m), 0);
        assert_conserved(f.m);
        fx_close(&f);
    }
}

/* Queued requests of a task that leaves are re-routed with their arrival
 * times; with no task left they are rejected. */
static void test_reroute_on_leave(void **state)
{
    (void)state;
    ecsim_requests_spec rs = spec_default();
    rs.dist = ECSIM_DIST_DETERMINISTIC;
    rs.mean_s = 100.0;
    rs.queue_limit = 1000;
    rs.routing = ECSIM_ROUTING_ROUND_ROBIN;
    fixture f;
    fx_open(&f, 10, -1, 10, &rs, 2);
    assert_int_equal(requests_task_ready(f.m, 1), 0);
    assert_int_equal(requests_task_ready(f.m, 2), 0);
    assert_int_equal(requests_start(f.m), 0);
    ecsim_engine_run(f.eng, 10);
    uint64_t arrived = requests_get_totals(f.m)->arrived;
    assert_true(arrived > 50);
    assert_int_equal(requests_task_leave(f.m, 1, false), 0);
    /* Task 1 keeps its request in service; its queue went to task 2. */
    assert_int_equal(requests_get_totals(f.m)->rejected, 0);
    assert_int_equal(requests_in_system(f.m), arrived);
    assert_int_equal(requests_task_leave(f.m, 2, true), 0);
    /* Task 2 failed its request; its queue had nowhere to go. */
    assert_int_equal(requests_get_totals(f.m)->failed, 1);
    assert_int_equal(requests_get_totals(f.m)->rejected, arrived - 2);
    ecsim_engine_run(f.eng, 200);
    assert_int_equal(requests_get_totals(f.m)->served, 1);
    assert_conserved(f.m);
    fx_close(&f);
}

/* A task that becomes ready takes the shared queue's waiting requests. */
static void test_shared_queue_new_task_takes_waiting(void **state)
{
    (void)state;
    ecsim_requests_spec rs = spec_default();
    rs.dist = ECSIM_DIST_DETERMINISTIC;
    rs.mean_s = 1000.0;
    rs.concurrency = 2;
    rs.queue_limit = 50;
    fixture f;
    fx_open(&f, 20, -1, 1, &rs, 6);
    assert_int_equal(requests_task_ready(f.m, 1), 0);
    assert_int_equal(requests_start(f.m), 0);
    ecsim_engine_run(f.eng, 1);
    uint64_t arrived = requests_get_totals(f.m)->arrived;
    assert_true(arrived > 6);
    assert_int_equal(requests_in_system(f.m), arrived);
    assert_int_equal(requests_task_ready(f.m, 2), 0);
    /* 4 in service now; a third task and the rest start too. */
    assert_int_equal(requests_task_ready(f.m, 3), 0);
    assert_int_equal(requests_ready_count(f.m), 3);
    requests_flush(f.m);
    ecsim_engine_run(f.eng, 1 + 1000);
    assert_int_equal(requests_get_totals(f.m)->served, arrived < 6 ? arrived : 6);
    assert_conserved(f.m);
    fx_close(&f);
}

static void test_least_outstanding_spreads(void **state)
{
    (void)state;
    /* 5 tasks, deterministic 0.1 s, 20/s: 2 busy on average; least
     * outstanding finds an idle task unless all 5 are busy (Erlang C(5, 2)
     * = 6 % of arrivals for a shared queue), so the mean wait is small. */
    ecsim_requests_spec rs = spec_default();
    rs.dist = ECSIM_DIST_DETERMINISTIC;
    rs.mean_s = 0.1;
    rs.routing = ECSIM_ROUTING_LEAST_OUTSTANDING;
    fixture f;
    fx_open(&f, 20, -1, 500, &rs, 12);
    for (int i = 1; i <= 5; i++)
        assert_int_equal(requests_task_ready(f.m, i), 0);
    assert_int_equal(requests_start(f.m), 0);
    ecsim_engine_run(f.eng, 500);
    const requests_totals *t = requests_get_totals(f.m);
    assert_true(t->served > 9000);
    /* Mean wait under 10 % x a 0.1 s service (at most ~6 % wait at all). */
    assert_true(t->wait_sum_s / (double)t->served < 0.01);
    /* Capacity per task: concurrency / mean = 10/s. */
    assert_true(requests_capacity_per_task(f.m) == 10.0);
    fx_close(&f);
}

/* least_outstanding under overload, timeouts and task churn: the totals of
 * a fixed run. The expected values were produced by the linear scan over
 * the ready tasks that least_outstanding used before its tournament trees
 * (commit 741fbae): the trees must make exactly the same choices, ties and
 * dropped expired requests included (wait_sum_s compared to the last bit).
 * Re-pinned when service times came to be drawn at arrival (common random
 * numbers, branch compare): arrivals are unchanged (20191), the rest are
 * the trees' own figures with the new draw order, no longer checked
 * against the linear scan. */
static void test_least_outstanding_matches_the_linear_scan(void **state)
{
    (void)state;
    ecsim_requests_spec rs = spec_default();
    rs.mean_s = 0.1;
    rs.concurrency = 2;
    rs.queue_limit = 5;
    rs.timeout_s = 0.15;
    rs.routing = ECSIM_ROUTING_LEAST_OUTSTANDING;
    fixture f;
    fx_open(&f, 250, -1, 80, &rs, 31);
    for (int i = 1; i <= 12; i++)
        assert_int_equal(requests_task_ready(f.m, i), 0);
    assert_int_equal(requests_start(f.m), 0);
    for (int k = 1; k <= 80; k++) {
        ecsim_engine_run(f.eng, k);
        int id = (k * 5) % 12 + 1;
        requests_task_state st = requests_task_get_state(f.m, id);
        if (st == REQUESTS_TASK_READY)
            assert_int_equal(requests_task_leave(f.m, id, k % 3 == 0), 0);
        else if (st != REQUESTS_TASK_GONE)
            assert_int_equal(requests_task_ready(f.m, id), 0);
        if (k >= 20 && k < 28)
            assert_int_equal(requests_task_ready(f.m, k - 7), 0);
        if (k % 10 == 0)
            requests_flush(f.m);
    }
    requests_flush(f.m);
    const requests_totals *t = requests_get_totals(f.m);
    assert_int_equal(t->arrived, 20191);
    assert_int_equal(t->admitted, 18101);
    assert_int_equal(t->served, 15391);
    assert_int_equal(t->rejected, 2118);
    assert_int_equal(t->timed_out, 2617);
    assert_int_equal(t->failed, 8);
    assert_true(t->wait_sum_s == 0x1.4a807830d2d91p+9);
    assert_true(t->busy_slot_s == 0x1.7a4ad646c5df1p+10);
    assert_conserved(f.m);
    fx_close(&f);
}

/* ---- empirical service times ---------------------------------------------------------- */

static void write_file(const char *path, const char *text)
{
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
}

/* Read the empirical file as the scenario loader does, then build the model
 * (which copies the samples); NULL if either fails. */
static requests_model *empirical_create(const ecsim_requests_spec *rs, ecsim_engine *eng,
                                        ecsim_load *load, ecsim_diags *d)
{
    ecsim_requests_spec spec = *rs;
    if (ecsim_empirical_read(spec.empirical_file, &spec.empirical_s, &spec.empirical_count, d) !=
        0)
        return NULL;
    requests_model *m = requests_create(&spec, "", eng, load, 1, 10, d);
    ecsim_free(spec.empirical_s);
    return m;
}

static void test_empirical(void **state)
{
    (void)state;
    char path[64];
    snprintf(path, sizeof path, "/tmp/ecsim-test-empirical-%ld.csv", (long)getpid());
    ecsim_requests_spec rs = spec_default();
    rs.dist = ECSIM_DIST_EMPIRICAL;
    snprintf(rs.empirical_file, sizeof rs.empirical_file, "%s", path);
    ecsim_engine *eng = ecsim_engine_create();
    ecsim_load_segment seg = {.until_s = 10, .shape = ECSIM_SHAPE_CONSTANT, .rps = 0};
    ecsim_load_spec ls;
    memset(&ls, 0, sizeof ls);
    ls.profile = &seg;
    ls.profile_count = 1;
    ls.noise.interval_s = 60;
    ecsim_load *load = ecsim_load_create(&ls, 1, NULL);

    /* One per line, blank lines and comments skipped, CRLF accepted. */
    write_file(path, "# measured\n0.010\r\n\n0.030\n0.020\n");
    requests_model *m = empirical_create(&rs, eng, load, NULL);
    assert_non_null(m);
    assert_true(fabs(requests_capacity_per_task(m) - 50.0) < 1e-9);
    requests_destroy(m);

    /* A header with a service_time_s column. */
    write_file(path, "id,service_time_s\n1,0.5\n2,1.5\n");
    m = empirical_create(&rs, eng, load, NULL);
    assert_non_null(m);
    assert_true(fabs(requests_capacity_per_task(m) - 1.0) < 1e-9);
    requests_destroy(m);

    /* Errors name the line. */
    ecsim_diags d;
    ecsim_diags_init(&d);
    write_file(path, "0.1\nabc\n-2\n");
    assert_null(empirical_create(&rs, eng, load, &d));
    assert_int_equal(d.errors, 2);
    assert_int_equal(d.items[0].line, 2);
    assert_non_null(strstr(d.items[0].message, "abc"));
    assert_int_equal(d.items[1].line, 3);
    ecsim_diags_free(&d);

    ecsim_diags_init(&d);
    write_file(path, "latency\n0.1\n");
    assert_null(empirical_create(&rs, eng, load, &d));
    assert_non_null(strstr(d.items[0].message, "service_time_s"));
    ecsim_diags_free(&d);

    ecsim_diags_init(&d);
    write_file(path, "");
    assert_null(empirical_create(&rs, eng, load, &d));
    assert_non_null(strstr(d.items[0].message, "no service times"));
    ecsim_diags_free(&d);

    ecsim_diags_init(&d);
    unlink(path);
    assert_null(empirical_create(&rs, eng, load, &d));
    assert_int_equal(d.errors, 1);
    assert_non_null(strstr(d.items[0].message, "cannot open"));
    ecsim_diags_free(&d);

    ecsim_load_destroy(load);
    ecsim_engine_destroy(eng);
}

/* ---- end to end ------------------------------------------------------------------------- */

static const char *const SCENARIO =
    "name: rq-e2e\n"
    "seed: 3\n"
    "duration: 30m\n"
    "service: {desired: 2, task: {capacity_rps: 50}}\n"
    "load:\n"
    "  mode: requests\n"
    "  profile:\n"
    "    - {until: 10m, rps: 40}\n"
    "    - {until: 30m, rps: 160}\n"
    "  requests: {service_time: {dist: exponential, mean: 20ms}, routing: least_outstanding,\n"
    "             queue_limit: 50, timeout: 2s}\n"
    "autoscaler: {policy: target_tracking, min: 1, max: 10, target: 50}\n";

static ecsim_sim *run_scenario(const char *text, const char *const *sets, size_t nsets,
                               ecsim_scenario **out)
{
    ecsim_diags d;
    ecsim_diags_init(&d);
    ecsim_scenario *sc = ecsim_scenario_load_string(text, strlen(text), "test.yaml", sets, nsets, &d);
    if (!sc) {
        ecsim_diags_print(&d, stderr);
        fail_msg("scenario did not load");
    }
    ecsim_diags_free(&d);
    ecsim_sim *sim = ecsim_sim_create(sc, sc->seed, stderr);
    assert_non_null(sim);
    assert_int_equal(ecsim_sim_run(sim), 0);
    *out = sc;
    return sim;
}

static void test_end_to_end(void **state)
{
    (void)state;
    ecsim_scenario *sc, *sc2;
    ecsim_sim *sim = run_scenario(SCENARIO, NULL, 0, &sc);
    const ecsim_summary *s = ecsim_sim_summary(sim);
    /* Arrivals from the service's creation on: about 40 x (600 - t0) + 160 x 1200. */
    assert_true(s->requests_arrived > 190000 && s->requests_arrived < 220000);
    /* Overloaded from 10 min until the scale-out lands (about 6 min at
     * 160/s on 100/s of capacity): about 10 % rejected. */
    assert_true(s->requests_served > 0.85 * s->requests_arrived);
    assert_true(s->requests_rejected > 0.05 * s->requests_arrived);
    assert_true(s->requests_arrived >= s->requests_served + s->requests_rejected +
                                           s->requests_timed_out + s->requests_failed);
    assert_true(s->latency_p50_s > 0.015 && s->latency_p50_s < 0.2);
    assert_true(s->latency_p50_s <= s->latency_p95_s && s->latency_p95_s <= s->latency_p99_s &&
                s->latency_p99_s <= s->latency_max_s);
    assert_true(s->wait_mean_s >= 0 && s->wait_mean_s < s->latency_mean_s);
    /* 160/s needs 3.2 tasks at 100 % and 7 at the 50 % target: it scaled out. */
    assert_true(s->scale_outs > 0);
    assert_true(s->max_desired >= 6);
    /* The timeline has latency in the periods with traffic and CPU that
     * follows real utilisation. */
    const ecsim_timeline *tl = ecsim_sim_timeline(sim);
    assert_true(ecsim_timeline_has_latency(tl));
    const ecsim_timeline_row *last = ecsim_timeline_row_at(tl, ecsim_timeline_count(tl) - 1);
    assert_true(isfinite(last->p99_ms) && last->p99_ms >= last->p50_ms);
    assert_true(last->cpu_pct > 20 && last->cpu_pct < 90);
    assert_true(fabs(last->served_rps - 160) < 20);
    /* Deterministic: the same scenario again gives the same figures. */
    ecsim_sim *again = run_scenario(SCENARIO, NULL, 0, &sc2);
    const ecsim_summary *s2 = ecsim_sim_summary(again);
    assert_true(s2->requests_served == s->requests_served);
    assert_true(s2->latency_p99_s == s->latency_p99_s);
    assert_true(s2->scale_outs == s->scale_outs && s2->max_desired == s->max_desired);
    ecsim_sim_destroy(again);
    ecsim_scenario_free(sc2);
    ecsim_sim_destroy(sim);
    ecsim_scenario_free(sc);
}

/* Fluid and requests mode agree on capacity and on the scaling decisions
 * when the load is far from saturation noise: same scale-outs, same
 * maximum desired count, CPU within a few points in the last period. */
static void test_fluid_and_requests_agree(void **state)
{
    (void)state;
    const char *const fluid[] = {"load.mode=fluid"};
    ecsim_scenario *sa, *sb;
    ecsim_sim *a = run_scenario(SCENARIO, NULL, 0, &sa);
    ecsim_sim *b = run_scenario(SCENARIO, fluid, 1, &sb);
    const ecsim_summary *ra = ecsim_sim_summary(a), *rb = ecsim_sim_summary(b);
    assert_int_equal(ra->max_desired, rb->max_desired);
    assert_int_equal(ra->scale_outs, rb->scale_outs);
    assert_true(fabs(ra->first_scale_out_s - rb->first_scale_out_s) <= 60);
    size_t n = ecsim_timeline_count(ecsim_sim_timeline(a));
    assert_int_equal(n, ecsim_timeline_count(ecsim_sim_timeline(b)));
    const ecsim_timeline_row *la = ecsim_timeline_row_at(ecsim_sim_timeline(a), n - 1);
    const ecsim_timeline_row *lb = ecsim_timeline_row_at(ecsim_sim_timeline(b), n - 1);
    assert_true(fabs(la->capacity_rps - lb->capacity_rps) < 1e-6);
    assert_true(fabs(la->cpu_pct - lb->cpu_pct) < 5);
    assert_true(isnan(lb->p50_ms));
    ecsim_sim_destroy(a);
    ecsim_sim_destroy(b);
    ecsim_scenario_free(sa);
    ecsim_scenario_free(sb);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_task_rejects_everything),
        cmocka_unit_test(test_thinning_follows_a_ramp),
        cmocka_unit_test(test_zero_rate_has_no_arrivals),
        cmocka_unit_test(test_deterministic_and_common_random_numbers),
        cmocka_unit_test(test_conservation_every_routing),
        cmocka_unit_test(test_queue_limit_zero_rejects_when_busy),
        cmocka_unit_test(test_timeouts_counted_when_they_expire),
        cmocka_unit_test(test_drain_and_abrupt_stop),
        cmocka_unit_test(test_reroute_on_leave),
        cmocka_unit_test(test_shared_queue_new_task_takes_waiting),
        cmocka_unit_test(test_least_outstanding_spreads),
        cmocka_unit_test(test_least_outstanding_matches_the_linear_scan),
        cmocka_unit_test(test_empirical),
        cmocka_unit_test(test_end_to_end),
        cmocka_unit_test(test_fluid_and_requests_agree),
    };
    return cmocka_run_group_tests_name("requests", tests, NULL, NULL);
}
