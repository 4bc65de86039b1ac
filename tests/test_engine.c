/* Unit tests of the event engine (sim/core/engine.c): ordering by (time,
 * sequence), ties in schedule order, cancellation, handlers that schedule
 * and cancel, run/step/stop boundaries, pool growth, compaction of
 * cancelled entries, sequence renumbering, allocation failure, and a
 * million-event run. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ecsim/alloc.h"
#include "ecsim/engine.h"
#include "ecsim/error.h"
#include "ecsim/rng.h"

/* Test hook defined in sim/core/engine.c (not public API). */
void engine_test_set_seq_limit(ecsim_engine *eng, uint64_t limit);

/* ---- a recorder: every handler appends (time, arg) ------------------------ */

#define LOG_MAX 4096

typedef struct fire_log {
    size_t count;
    double time[LOG_MAX];
    uint64_t arg[LOG_MAX];
} fire_log;

static void record_fire(ecsim_engine *eng, void *ctx, uint64_t arg)
{
    fire_log *log = ctx;
    assert_true(log->count < LOG_MAX);
    log->time[log->count] = ecsim_engine_now(eng);
    log->arg[log->count] = arg;
    log->count++;
}

static fire_log *log_new(void)
{
    fire_log *log = calloc(1, sizeof *log);
    assert_non_null(log);
    return log;
}

static int engine_setup(void **state)
{
    *state = ecsim_engine_create();
    return *state ? 0 : -1;
}

static int engine_teardown(void **state)
{
    ecsim_engine_destroy(*state);
    return 0;
}

/* ---- basics ---------------------------------------------------------------- */

static void test_empty_engine(void **state)
{
    ecsim_engine *eng = *state;
    assert_true(ecsim_engine_now(eng) == 0.0);
    assert_int_equal(ecsim_engine_pending(eng), 0);
    assert_true(isinf(ecsim_engine_next_time(eng)));
    assert_int_equal(ecsim_engine_step(eng, 100.0), 0);
    assert_int_equal(ecsim_engine_run(eng, 10.0), 0);
    assert_true(ecsim_engine_now(eng) == 10.0);
    assert_int_equal(ecsim_engine_dispatched(eng), 0);
    ecsim_engine_destroy(NULL); /* allowed, does nothing */
}

static void test_orders_by_time(void **state)
{
    ecsim_engine *eng = *state;
    fire_log *log = log_new();
    static const double times[] = {5.0, 1.0, 9.5, 3.25, 0.0, 7.0, 2.0, 8.0, 4.0, 6.0};
    size_t n = sizeof times / sizeof times[0];
    for (size_t i = 0; i < n; i++)
        assert_int_not_equal(ecsim_engine_schedule(eng, times[i], record_fire, log, i), 0);
    assert_int_equal(ecsim_engine_pending(eng), n);
    assert_true(ecsim_engine_next_time(eng) == 0.0);

    assert_int_equal(ecsim_engine_run(eng, 100.0), 0);
    assert_int_equal(log->count, n);
    for (size_t i = 0; i < n; i++)
        assert_true(log->time[i] == times[log->arg[i]]); /* the clock read the event's time */
    for (size_t i = 1; i < n; i++)
        assert_true(log->time[i - 1] < log->time[i]);
    assert_int_equal(log->arg[0], 4); /* time 0 */
    assert_int_equal(log->arg[n - 1], 2); /* time 9.5 */
    assert_int_equal(ecsim_engine_dispatched(eng), n);
    assert_int_equal(ecsim_engine_pending(eng), 0);
    free(log);
}

static void test_ties_fire_in_schedule_order(void **state)
{
    ecsim_engine *eng = *state;
    fire_log *log = log_new();
    /* 1000 events at t = 5 scheduled interleaved with events at other
     * times (before, after and far away), enough to grow the pool several
     * times and to shuffle heap positions. Arg < 1000 marks the ties, in
     * schedule order. */
    uint64_t other = 1000;
    for (uint64_t i = 0; i < 1000; i++) {
        assert_int_not_equal(ecsim_engine_schedule(eng, 5.0, record_fire, log, i), 0);
        double t = (double)((i * 7919) % 1000) / 100.0; /* 0 .. 9.99, some exactly 5 */
        if (t == 5.0)
            t = 5.5;
        assert_int_not_equal(ecsim_engine_schedule(eng, t, record_fire, log, other++), 0);
    }
    assert_int_equal(ecsim_engine_run(eng, 20.0), 0);
    assert_int_equal(log->count, 2000);
    uint64_t next_tie = 0;
    for (size_t i = 0; i < log->count; i++) {
        if (i > 0)
            assert_true(log->time[i - 1] <= log->time[i]);
        if (log->arg[i] < 1000) {
            assert_true(log->time[i] == 5.0);
            assert_int_equal(log->arg[i], next_tie);
            next_tie++;
        }
    }
    assert_int_equal(next_tie, 1000);
    free(log);
}

static void test_schedule_in_is_relative(void **state)
{
    ecsim_engine *eng = *state;
    fire_log *log = log_new();
    assert_int_equal(ecsim_engine_run(eng, 3.0), 0);
    assert_int_not_equal(ecsim_engine_schedule_in(eng, 2.0, record_fire, log, 1), 0);
    assert_int_not_equal(ecsim_engine_schedule_in(eng, 0.0, record_fire, log, 2), 0);
    assert_true(ecsim_engine_next_time(eng) == 3.0);
    assert_int_equal(ecsim_engine_run(eng, 10.0), 0);
    assert_int_equal(log->count, 2);
    assert_int_equal(log->arg[0], 2);
    assert_true(log->time[0] == 3.0);
    assert_int_equal(log->arg[1], 1);
    assert_true(log->time[1] == 5.0);
    free(log);
}

/* ---- cancellation ---------------------------------------------------------------- */

static void test_cancel(void **state)
{
    ecsim_engine *eng = *state;
    fire_log *log = log_new();
    ecsim_event_id a = ecsim_engine_schedule(eng, 1.0, record_fire, log, 1);
    ecsim_event_id b = ecsim_engine_schedule(eng, 2.0, record_fire, log, 2);
    ecsim_event_id c = ecsim_engine_schedule(eng, 3.0, record_fire, log, 3);
    assert_true(a && b && c && a != b && b != c && a != c);
    assert_int_equal(ecsim_engine_pending(eng), 3);

    assert_int_equal(ecsim_engine_cancel(eng, b), 0);
    assert_int_equal(ecsim_engine_pending(eng), 2);
    assert_int_equal(ecsim_engine_cancel(eng, b), ECSIM_ENOENT); /* twice */
    assert_int_equal(ecsim_engine_pending(eng), 2);
    assert_int_equal(ecsim_engine_cancel(eng, 0), ECSIM_ENOENT);
    assert_int_equal(ecsim_engine_cancel(eng, UINT64_MAX), ECSIM_ENOENT);
    assert_int_equal(ecsim_engine_cancel(eng, (uint64_t)1 << 40 | 1), ECSIM_ENOENT);

    /* Cancelling the earliest makes next_time skip it. */
    assert_int_equal(ecsim_engine_cancel(eng, a), 0);
    assert_true(ecsim_engine_next_time(eng) == 3.0);
    assert_int_equal(ecsim_engine_pending(eng), 1);

    assert_int_equal(ecsim_engine_run(eng, 10.0), 0);
    assert_int_equal(log->count, 1);
    assert_int_equal(log->arg[0], 3);
    assert_int_equal(ecsim_engine_cancel(eng, c), ECSIM_ENOENT); /* already fired */
    assert_int_equal(ecsim_engine_dispatched(eng), 1);
    assert_int_equal(ecsim_engine_pending(eng), 0);

    /* A recycled slot gets a new id: the old ids stay dead. */
    ecsim_event_id d = ecsim_engine_schedule(eng, 11.0, record_fire, log, 4);
    assert_int_not_equal(d, 0);
    assert_true(d != a && d != b && d != c);
    assert_int_equal(ecsim_engine_cancel(eng, a), ECSIM_ENOENT);
    assert_int_equal(ecsim_engine_cancel(eng, c), ECSIM_ENOENT);
    assert_int_equal(ecsim_engine_pending(eng), 1);
    assert_int_equal(ecsim_engine_cancel(eng, d), 0);
    assert_int_equal(ecsim_engine_run(eng, 20.0), 0);
    assert_int_equal(log->count, 1);
    free(log);
}

/* ---- handlers that schedule and cancel ------------------------------------------------ */

typedef struct reentrant_ctx {
    fire_log *log;
    ecsim_event_id victim;     /* cancelled by the first handler */
    ecsim_event_id self;       /* the first handler's own id */
    int cancel_victim_result;
    int cancel_self_result;
} reentrant_ctx;

static void reentrant_first(ecsim_engine *eng, void *ctx, uint64_t arg)
{
    reentrant_ctx *rc = ctx;
    record_fire(eng, rc->log, arg);
    /* Same time as now: these fire after every event already due now, in
     * the order scheduled here. */
    assert_int_not_equal(ecsim_engine_schedule(eng, ecsim_engine_now(eng), record_fire, rc->log, 10), 0);
    assert_int_not_equal(ecsim_engine_schedule_in(eng, 0.0, record_fire, rc->log, 11), 0);
    assert_int_not_equal(ecsim_engine_schedule_in(eng, 1.0, record_fire, rc->log, 12), 0);
    rc->cancel_victim_result = ecsim_engine_cancel(eng, rc->victim);
    rc->cancel_self_result = ecsim_engine_cancel(eng, rc->self);
}

static void test_handlers_schedule_and_cancel(void **state)
{
    ecsim_engine *eng = *state;
    reentrant_ctx rc = {.log = log_new()};
    rc.self = ecsim_engine_schedule(eng, 1.0, reentrant_first, &rc, 1);
    assert_int_not_equal(ecsim_engine_schedule(eng, 1.0, record_fire, rc.log, 2), 0);
    rc.victim = ecsim_engine_schedule(eng, 1.0, record_fire, rc.log, 3);
    assert_int_not_equal(ecsim_engine_schedule(eng, 1.5, record_fire, rc.log, 4), 0);
    assert_int_equal(ecsim_engine_pending(eng), 4);

    assert_int_equal(ecsim_engine_run(eng, 5.0), 0);
    assert_int_equal(rc.cancel_victim_result, 0);
    assert_int_equal(rc.cancel_self_result, ECSIM_ENOENT); /* firing = no longer pending */
    static const uint64_t want_arg[] = {1, 2, 10, 11, 4, 12};
    static const double want_time[] = {1.0, 1.0, 1.0, 1.0, 1.5, 2.0};
    assert_int_equal(rc.log->count, 6);
    for (size_t i = 0; i < 6; i++) {
        assert_int_equal(rc.log->arg[i], want_arg[i]);
        assert_true(rc.log->time[i] == want_time[i]);
    }
    assert_int_equal(ecsim_engine_dispatched(eng), 6);
    assert_true(ecsim_engine_now(eng) == 5.0);
    free(rc.log);
}

/* A chain: each event schedules the next one at the same time, `arg` more
 * times; nothing else may fire in between that was scheduled later. */
static void chain_same_time(ecsim_engine *eng, void *ctx, uint64_t arg)
{
    record_fire(eng, ctx, arg);
    if (arg > 0)
        assert_int_not_equal(ecsim_engine_schedule_in(eng, 0.0, chain_same_time, ctx, arg - 1), 0);
}

static void test_zero_delay_chain(void **state)
{
    ecsim_engine *eng = *state;
    fire_log *log = log_new();
    assert_int_not_equal(ecsim_engine_schedule(eng, 2.0, chain_same_time, log, 100), 0);
    assert_int_not_equal(ecsim_engine_schedule(eng, 2.0, record_fire, log, 1000), 0);
    assert_int_equal(ecsim_engine_run(eng, 2.0), 0);
    assert_int_equal(log->count, 102);
    assert_int_equal(log->arg[0], 100);
    assert_int_equal(log->arg[1], 1000); /* scheduled before the chain's second link */
    for (size_t i = 2; i < log->count; i++) {
        assert_int_equal(log->arg[i], 101 - i);
        assert_true(log->time[i] == 2.0);
    }
    free(log);
}

/* ---- run / step / stop / next_time ------------------------------------------------------ */

static void test_run_until_boundaries(void **state)
{
    ecsim_engine *eng = *state;
    fire_log *log = log_new();
    assert_int_not_equal(ecsim_engine_schedule(eng, 10.0, record_fire, log, 1), 0);
    assert_int_not_equal(ecsim_engine_schedule(eng, nextafter(10.0, INFINITY), record_fire, log, 2), 0);
    assert_int_not_equal(ecsim_engine_schedule(eng, 30.0, record_fire, log, 3), 0);

    assert_int_equal(ecsim_engine_run(eng, 9.0), 0);
    assert_int_equal(log->count, 0);
    assert_true(ecsim_engine_now(eng) == 9.0);

    assert_int_equal(ecsim_engine_run(eng, 10.0), 0); /* exactly at until: fires */
    assert_int_equal(log->count, 1);
    assert_int_equal(log->arg[0], 1);
    assert_true(ecsim_engine_now(eng) == 10.0);
    assert_int_equal(ecsim_engine_pending(eng), 2);

    assert_int_equal(ecsim_engine_run(eng, 20.0), 0);
    assert_int_equal(log->count, 2);
    assert_true(ecsim_engine_now(eng) == 20.0); /* clock = until, not the last event */

    /* run to infinity: the clock stops at the last event. */
    assert_int_equal(ecsim_engine_run(eng, INFINITY), 0);
    assert_int_equal(log->count, 3);
    assert_true(ecsim_engine_now(eng) == 30.0);
    assert_int_equal(ecsim_engine_pending(eng), 0);
    free(log);
}

static void stop_at_arg3(ecsim_engine *eng, void *ctx, uint64_t arg)
{
    record_fire(eng, ctx, arg);
    if (arg == 3)
        ecsim_engine_stop(eng);
}

static void test_stop(void **state)
{
    ecsim_engine *eng = *state;
    fire_log *log = log_new();
    for (uint64_t i = 1; i <= 5; i++)
        assert_int_not_equal(ecsim_engine_schedule(eng, (double)i, stop_at_arg3, log, i), 0);
    assert_int_equal(ecsim_engine_run(eng, 100.0), 1);
    assert_int_equal(log->count, 3);
    assert_true(ecsim_engine_now(eng) == 3.0); /* not advanced to until */
    assert_int_equal(ecsim_engine_pending(eng), 2);
    /* A later run resumes where it stopped. */
    assert_int_equal(ecsim_engine_run(eng, 100.0), 0);
    assert_int_equal(log->count, 5);
    assert_int_equal(log->arg[4], 5);
    assert_true(ecsim_engine_now(eng) == 100.0);
    free(log);
}

static void test_step_and_next_time(void **state)
{
    ecsim_engine *eng = *state;
    fire_log *log = log_new();
    ecsim_event_id first = ecsim_engine_schedule(eng, 1.0, record_fire, log, 1);
    assert_int_not_equal(ecsim_engine_schedule(eng, 2.0, record_fire, log, 2), 0);
    assert_int_not_equal(ecsim_engine_schedule(eng, 4.0, record_fire, log, 4), 0);
    assert_true(ecsim_engine_next_time(eng) == 1.0);
    assert_int_equal(ecsim_engine_cancel(eng, first), 0);
    assert_true(ecsim_engine_next_time(eng) == 2.0);

    assert_int_equal(ecsim_engine_step(eng, 1.5), 0); /* nothing due */
    assert_true(ecsim_engine_now(eng) == 0.0);      /* step does not move the clock idly */
    assert_int_equal(ecsim_engine_step(eng, 3.0), 1);
    assert_true(ecsim_engine_now(eng) == 2.0);
    assert_int_equal(ecsim_engine_step(eng, 3.0), 0);
    assert_int_equal(ecsim_engine_step(eng, INFINITY), 1);
    assert_true(ecsim_engine_now(eng) == 4.0);
    assert_int_equal(ecsim_engine_step(eng, INFINITY), 0);
    assert_true(isinf(ecsim_engine_next_time(eng)));
    assert_int_equal(log->count, 2);
    assert_int_equal(log->arg[0], 2);
    assert_int_equal(log->arg[1], 4);
    assert_int_equal(ecsim_engine_dispatched(eng), 2);
    free(log);
}

/* ---- pool growth, compaction, renumbering -------------------------------------------------- */

static void count_fire(ecsim_engine *eng, void *ctx, uint64_t arg)
{
    (void)eng;
    (void)arg;
    (*(uint64_t *)ctx)++;
}

static void test_pool_growth_keeps_ids(void **state)
{
    ecsim_engine *eng = *state;
    fire_log *log = log_new();
    ecsim_event_id early[10];
    for (uint64_t i = 0; i < 10; i++) {
        early[i] = ecsim_engine_schedule(eng, 50.0 + (double)i, record_fire, log, i);
        assert_int_not_equal(early[i], 0);
    }
    uint64_t bulk_fired = 0;
    for (uint64_t i = 0; i < 20000; i++) /* many doublings of the pool */
        assert_int_not_equal(ecsim_engine_schedule(eng, (double)(i % 97), count_fire, &bulk_fired, i), 0);
    assert_int_equal(ecsim_engine_pending(eng), 20010);
    for (size_t i = 0; i < 10; i += 2)
        assert_int_equal(ecsim_engine_cancel(eng, early[i]), 0);
    assert_int_equal(ecsim_engine_pending(eng), 20005);
    assert_int_equal(ecsim_engine_run(eng, 1000.0), 0);
    assert_int_equal(bulk_fired, 20000);
    assert_int_equal(log->count, 5);
    for (size_t i = 0; i < 5; i++)
        assert_int_equal(log->arg[i], 2 * i + 1);
    free(log);
}

static void test_compaction_reuses_cancelled_slots(void **state)
{
    ecsim_engine *eng = *state;
    fire_log *log = log_new();
    enum { N = 2048 };
    ecsim_event_id *ids = malloc(N * sizeof *ids);
    assert_non_null(ids);
    uint64_t bulk_fired = 0;
    for (uint64_t i = 0; i < N; i++) {
        ids[i] = ecsim_engine_schedule(eng, 100.0 + (double)i, count_fire, &bulk_fired, i);
        assert_int_not_equal(ids[i], 0);
    }
    /* The pool is now full (it grew to exactly N). Cancel 3/4 of it; the
     * cancelled entries still sit in the heap. */
    for (size_t i = 0; i < N; i++)
        if (i % 4 != 0)
            assert_int_equal(ecsim_engine_cancel(eng, ids[i]), 0);
    assert_int_equal(ecsim_engine_pending(eng), N / 4);
    /* Scheduling 3/4 * N more must not allocate: the cancelled slots are
     * reclaimed by compaction instead of growing the pool. */
    ecsim_alloc_fail_after(1);
    for (uint64_t i = 0; i < 3 * N / 4; i++)
        assert_int_not_equal(ecsim_engine_schedule(eng, 50.0, record_fire, log, i), 0);
    ecsim_alloc_fail_after(0);
    assert_int_equal(ecsim_engine_pending(eng), N);
    /* Ids of survivors still work after compaction moved heap entries. */
    assert_int_equal(ecsim_engine_cancel(eng, ids[0]), 0);
    assert_int_equal(ecsim_engine_cancel(eng, ids[1]), ECSIM_ENOENT);
    assert_int_equal(ecsim_engine_run(eng, INFINITY), 0);
    assert_int_equal(log->count, 3 * N / 4);
    for (size_t i = 0; i < log->count; i++)
        assert_int_equal(log->arg[i], i); /* the ties at t = 50 in order */
    assert_int_equal(bulk_fired, N / 4 - 1);
    assert_true(ecsim_engine_now(eng) == 100.0 + (double)(N - 4));
    free(ids);
    free(log);
}

/* Ten chains firing every second: at each tick, the chains' events are ties
 * whose schedule order is the chain order. With the sequence limit lowered
 * to 64, sequences are renumbered every few ticks; the order must hold. */
static void tick_chain(ecsim_engine *eng, void *ctx, uint64_t arg)
{
    fire_log *log = ctx;
    record_fire(eng, log, arg);
    if (ecsim_engine_now(eng) < 300.0)
        assert_int_not_equal(ecsim_engine_schedule_in(eng, 1.0, tick_chain, log, arg), 0);
}

static void test_sequence_renumbering_keeps_tie_order(void **state)
{
    ecsim_engine *eng = *state;
    fire_log *log = log_new();
    engine_test_set_seq_limit(eng, 64);
    for (uint64_t chain = 0; chain < 10; chain++)
        assert_int_not_equal(ecsim_engine_schedule(eng, 1.0, tick_chain, log, chain), 0);
    assert_int_equal(ecsim_engine_run(eng, INFINITY), 0);
    assert_int_equal(log->count, 3000);
    for (size_t i = 0; i < log->count; i++) {
        assert_int_equal(log->arg[i], i % 10);
        assert_true(log->time[i] == (double)(i / 10 + 1));
    }
    free(log);
}

/* ---- allocation failure ---------------------------------------------------------------------- */

static void test_create_out_of_memory(void **state)
{
    (void)state;
    long live = ecsim_alloc_live();
    for (long nth = 1; nth <= 3; nth++) {
        ecsim_alloc_fail_after(nth);
        ecsim_engine *eng = ecsim_engine_create();
        ecsim_alloc_fail_after(0);
        assert_null(eng);
        assert_int_equal(ecsim_alloc_live(), live);
    }
    ecsim_alloc_fail_after(4);
    ecsim_engine *eng = ecsim_engine_create();
    ecsim_alloc_fail_after(0);
    assert_non_null(eng);
    ecsim_engine_destroy(eng);
    assert_int_equal(ecsim_alloc_live(), live);
}

static void test_schedule_out_of_memory(void **state)
{
    ecsim_engine *eng = *state;
    fire_log *log = log_new();
    uint64_t n = 0;
    /* Fill the initial pool without allocating. */
    ecsim_alloc_fail_after(1);
    while (n < 100000) {
        ecsim_event_id id = ecsim_engine_schedule(eng, (double)n, record_fire, log, n);
        if (!id)
            break;
        n++;
    }
    assert_true(n > 0 && n < 100000); /* the pool had to grow and could not */
    assert_int_equal(ecsim_engine_pending(eng), n);
    /* The second allocation of a growth (the heap) failing is handled too. */
    ecsim_alloc_fail_after(2);
    assert_int_equal(ecsim_engine_schedule(eng, 0.5, record_fire, log, 999), 0);
    assert_int_equal(ecsim_engine_pending(eng), n);
    ecsim_alloc_fail_after(0);

    /* Memory is back: scheduling works and nothing was lost or duplicated. */
    ecsim_event_id later = ecsim_engine_schedule(eng, (double)n, record_fire, log, n);
    assert_int_not_equal(later, 0);
    assert_int_equal(ecsim_engine_pending(eng), n + 1);
    assert_int_equal(ecsim_engine_run(eng, INFINITY), 0);
    assert_int_equal(log->count, n + 1);
    for (size_t i = 0; i < log->count; i++)
        assert_int_equal(log->arg[i], i);
    free(log);
}

/* ---- a million events ------------------------------------------------------------------------- */

typedef struct million_ctx {
    ecsim_rng rng;
    uint64_t scheduled;  /* total schedules so far */
    uint64_t fired;
    uint64_t out_of_order;
    double last_time;
} million_ctx;

enum { MILLION = 1000000, MILLION_PRELOAD = 200000 };

static void million_fire(ecsim_engine *eng, void *ctx, uint64_t arg)
{
    million_ctx *mc = ctx;
    double now = ecsim_engine_now(eng);
    if (now < mc->last_time)
        mc->out_of_order++;
    mc->last_time = now;
    mc->fired++;
    /* Each event that fires schedules a successor until a million have
     * been scheduled; a quarter of them at the current time (ties). */
    if (mc->scheduled < MILLION) {
        double delay = (arg & 3) == 0 ? 0.0 : ecsim_rng_exponential(&mc->rng, 1.0);
        if (ecsim_engine_schedule_in(eng, delay, million_fire, mc, arg + 1))
            mc->scheduled++;
    }
}

static void test_million_events(void **state)
{
    ecsim_engine *eng = *state;
    million_ctx mc = {.scheduled = 0};
    ecsim_rng_derive(&mc.rng, 7, "engine-test");
    for (uint64_t i = 0; i < MILLION_PRELOAD; i++)
        if (ecsim_engine_schedule(eng, 1000.0 * ecsim_rng_uniform(&mc.rng), million_fire, &mc, i))
            mc.scheduled++;
    assert_int_equal(mc.scheduled, MILLION_PRELOAD);
    assert_int_equal(ecsim_engine_run(eng, INFINITY), 0);
    assert_int_equal(mc.scheduled, MILLION);
    assert_int_equal(mc.fired, MILLION);
    assert_int_equal(ecsim_engine_dispatched(eng), MILLION);
    assert_int_equal(mc.out_of_order, 0);
    assert_int_equal(ecsim_engine_pending(eng), 0);
    assert_true(ecsim_engine_now(eng) == mc.last_time);
}

/* ---- a computed time that is not finite or in the past (issue 10 point 3) ---- */

static int fault_fired;

static void fault_later(ecsim_engine *eng, void *ctx, uint64_t arg)
{
    (void)ctx;
    (void)arg;
    fault_fired++;
    (void)eng;
}

/* At t = 10, ask for an event at `arg` seconds relative to now (as bits). */
static void fault_bad_schedule(ecsim_engine *eng, void *ctx, uint64_t arg)
{
    double delta;
    memcpy(&delta, &arg, sizeof delta);
    (void)ctx;
    assert_int_equal(ecsim_engine_schedule(eng, ecsim_engine_now(eng) + delta, fault_later, NULL, 0),
                     0);
}

static void test_bad_time_is_a_fault_not_an_abort(void **state)
{
    (void)state;
    const double bad[] = {-1.0, -1e-9, NAN, INFINITY, -INFINITY};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ecsim_engine *eng = ecsim_engine_create();
        assert_non_null(eng);
        fault_fired = 0;
        uint64_t arg;
        memcpy(&arg, &bad[i], sizeof arg);
        assert_int_not_equal(ecsim_engine_schedule(eng, 10, fault_bad_schedule, NULL, arg), 0);
        assert_int_not_equal(ecsim_engine_schedule(eng, 20, fault_later, NULL, 0), 0);
        assert_false(ecsim_engine_fault(eng, NULL, NULL));
        /* The run stops right after the handler that faulted: the event at
         * 20 does not fire, the clock stays at 10. */
        assert_int_equal(ecsim_engine_run(eng, 100), ECSIM_EINTERNAL);
        assert_int_equal(fault_fired, 0);
        double now_s = -1, at_s = -1;
        assert_true(ecsim_engine_fault(eng, &now_s, &at_s));
        assert_true(now_s == 10.0);
        if (isnan(bad[i]))
            assert_true(isnan(at_s));
        else
            assert_true(at_s == 10.0 + bad[i]);
        /* Every later call refuses too; step dispatches nothing. */
        assert_int_equal(ecsim_engine_run(eng, 100), ECSIM_EINTERNAL);
        assert_int_equal(ecsim_engine_step(eng, 100), 0);
        assert_int_equal(fault_fired, 0);
        ecsim_engine_destroy(eng);
    }
    /* schedule_in with a negative or NaN delay, outside any handler. */
    ecsim_engine *eng = ecsim_engine_create();
    assert_non_null(eng);
    assert_int_equal(ecsim_engine_schedule_in(eng, -0.5, fault_later, NULL, 0), 0);
    double at_s = 0;
    assert_true(ecsim_engine_fault(eng, NULL, &at_s));
    assert_true(at_s == -0.5);
    assert_int_equal(ecsim_engine_run(eng, 5), ECSIM_EINTERNAL);
    ecsim_engine_destroy(eng);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_time_is_a_fault_not_an_abort),
        cmocka_unit_test_setup_teardown(test_empty_engine, engine_setup, engine_teardown),
        cmocka_unit_test_setup_teardown(test_orders_by_time, engine_setup, engine_teardown),
        cmocka_unit_test_setup_teardown(test_ties_fire_in_schedule_order, engine_setup, engine_teardown),
        cmocka_unit_test_setup_teardown(test_schedule_in_is_relative, engine_setup, engine_teardown),
        cmocka_unit_test_setup_teardown(test_cancel, engine_setup, engine_teardown),
        cmocka_unit_test_setup_teardown(test_handlers_schedule_and_cancel, engine_setup, engine_teardown),
        cmocka_unit_test_setup_teardown(test_zero_delay_chain, engine_setup, engine_teardown),
        cmocka_unit_test_setup_teardown(test_run_until_boundaries, engine_setup, engine_teardown),
        cmocka_unit_test_setup_teardown(test_stop, engine_setup, engine_teardown),
        cmocka_unit_test_setup_teardown(test_step_and_next_time, engine_setup, engine_teardown),
        cmocka_unit_test_setup_teardown(test_pool_growth_keeps_ids, engine_setup, engine_teardown),
        cmocka_unit_test_setup_teardown(test_compaction_reuses_cancelled_slots, engine_setup,
                                        engine_teardown),
        cmocka_unit_test_setup_teardown(test_sequence_renumbering_keeps_tie_order, engine_setup,
                                        engine_teardown),
        cmocka_unit_test(test_create_out_of_memory),
        cmocka_unit_test_setup_teardown(test_schedule_out_of_memory, engine_setup, engine_teardown),
        cmocka_unit_test_setup_teardown(test_million_events, engine_setup, engine_teardown),
    };
    return cmocka_run_group_tests_name("engine", tests, NULL, NULL);
}
