/* The discrete-event engine (include/ecsim/engine.h): the virtual clock, the
 * pending-event set and the dispatch loop. This is the hot path of requests
 * mode (tens of millions of events per run), so its layout is chosen for
 * speed and every choice below says what it costs.
 *
 * Two arrays, both grown geometrically with ecsim_reallocarray (STYLE.md
 * rule 9: no malloc per event):
 *
 *  - `records`, the event pool: one 32-byte record per event (handler,
 *    ctx, arg, generation, state). Free records are chained through their
 *    `arg` field (LIFO, so a recycled record is likely still in cache).
 *  - `heap`, an implicit binary min-heap of 16-byte entries {time, key},
 *    key = (sequence << 32) | slot. Comparing (time, key) compares (time,
 *    sequence) because sequences are unique, so ties fire in schedule order
 *    whatever the heap layout (STYLE.md rule 8, SimPy _eid / ns-3 m_uid);
 *    the slot rides along for free. The hold benchmark
 *    (tests/bench/bench_hold.c) measured the binary heap 5-20 % faster than
 *    a 4-ary one at every size from 64 to 10^6 pending events (at 1000:
 *    12.8 vs 11.4 million hold operations/s); a bottom-up (Floyd) pop and a
 *    branch-free comparison were both slower still, so neither is used.
 *
 * The sequence field has 32 bits. When it runs out (after 2^32 schedules)
 * the pending entries are sorted and renumbered 0..n-1, which keeps their
 * relative order; a sorted array is a valid heap. That costs O(n log n) once
 * per four billion events, instead of 8 more bytes in every heap entry.
 *
 * Event ids are (generation << 32) | (slot + 1): a slot index, not a
 * pointer, so ids stay valid when the pool moves on growth. A record's
 * generation is bumped when it is freed, so an id whose event has fired or
 * been reclaimed no longer matches (an id could only be confused after the
 * same slot was recycled 2^32 times in between).
 *
 * Cancel marks the record and leaves the heap entry in place (Redis ae.c
 * deferred delete): O(1). The entry is reclaimed when it reaches the top.
 * So that a workload that cancels most of what it schedules (request
 * timeouts) does not grow the heap without bound, the heap is compacted in
 * O(n) when cancelled entries outnumber live ones. */
#include "ecsim/engine.h"

#include "ecsim/alloc.h"
#include "ecsim/error.h"

#include <assert.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

/* Heap arity: 2 (see above); -DENGINE_HEAP_ARITY=4 builds the 4-ary heap
 * again, to repeat the comparison with the hold benchmark. */
#ifndef ENGINE_HEAP_ARITY
#define ENGINE_HEAP_ARITY 2
#endif

enum {
    ENGINE_INITIAL_CAPACITY = 64,
    ENGINE_COMPACT_MIN = 1024 /* below this many entries, never compact */
};

#define ENGINE_SLOT_MASK UINT64_C(0xffffffff)
#define ENGINE_SEQ_LIMIT (UINT64_C(1) << 32)
#define ENGINE_MAX_SLOTS (UINT32_MAX - 1u) /* slot + 1 must fit in 32 bits */
#define ENGINE_NO_SLOT UINT32_MAX

typedef enum engine_event_state {
    ENGINE_EVENT_FREE = 0,
    ENGINE_EVENT_PENDING,
    ENGINE_EVENT_CANCELLED
} engine_event_state;

typedef struct engine_record {
    ecsim_event_fn fn;   /* handler; NULL while free */
    void *ctx;           /* handler context */
    uint64_t arg;        /* handler argument; next free slot while free */
    uint32_t generation; /* bumped on free, so stale ids do not match */
    uint32_t state;      /* engine_event_state */
} engine_record;

typedef struct engine_entry {
    double time;  /* when the event fires */
    uint64_t key; /* (sequence << 32) | slot */
} engine_entry;

struct ecsim_engine {
    double now;                 /* the virtual clock, seconds */
    engine_entry *heap;         /* implicit ENGINE_HEAP_ARITY-ary min-heap */
    size_t heap_count;          /* entries in the heap, cancelled included */
    engine_record *records;     /* the event pool */
    size_t capacity;            /* records and heap entries allocated */
    uint32_t free_head;         /* first free record, ENGINE_NO_SLOT if none */
    uint64_t next_seq;          /* sequence of the next scheduled event */
    uint64_t seq_limit;         /* renumber when next_seq reaches this */
    size_t pending;             /* pending events, cancelled excluded */
    size_t cancelled_in_heap;   /* cancelled entries not yet reclaimed */
    uint64_t dispatched;        /* events dispatched since creation */
    int stop_requested;         /* set by ecsim_engine_stop */
    bool fault;                 /* a handler scheduled at a bad time (ecsim_engine_fault) */
    double fault_now_s;         /* the clock then */
    double fault_at_s;          /* the refused time */
};

/* Test hook, not part of the public API (tests/test_engine.c declares it
 * too): lower the point at which sequences are renumbered, so that the
 * renumbering can be tested without scheduling four billion events. */
void engine_test_set_seq_limit(ecsim_engine *eng, uint64_t limit);

/* ---- heap -------------------------------------------------------------- */

static inline int entry_before(const engine_entry *a, const engine_entry *b)
{
    return a->time < b->time || (a->time == b->time && a->key < b->key);
}

static inline void heap_sift_up(engine_entry *heap, size_t i, engine_entry e)
{
    while (i > 0) {
        size_t parent = (i - 1) / ENGINE_HEAP_ARITY;
        if (!entry_before(&e, &heap[parent]))
            break;
        heap[i] = heap[parent];
        i = parent;
    }
    heap[i] = e;
}

/* Place `e` at hole `i` and move it down to where it belongs. */
static inline void heap_sift_down(engine_entry *heap, size_t count, size_t i, engine_entry e)
{
    for (;;) {
        size_t first = ENGINE_HEAP_ARITY * i + 1;
        if (first >= count)
            break;
        size_t best = first;
#if ENGINE_HEAP_ARITY == 2
        if (first + 1 < count && entry_before(&heap[first + 1], &heap[first]))
            best = first + 1;
#else
        size_t end = first + ENGINE_HEAP_ARITY;
        if (end > count)
            end = count;
        for (size_t c = first + 1; c < end; c++)
            if (entry_before(&heap[c], &heap[best]))
                best = c;
#endif
        if (!entry_before(&heap[best], &e))
            break;
        heap[i] = heap[best];
        i = best;
    }
    heap[i] = e;
}

static inline void heap_pop(ecsim_engine *eng)
{
    size_t count = --eng->heap_count;
    if (count > 0)
        heap_sift_down(eng->heap, count, 0, eng->heap[count]);
}

static void heap_build(engine_entry *heap, size_t count)
{
    if (count < 2)
        return;
    for (size_t i = (count - 2) / ENGINE_HEAP_ARITY + 1; i-- > 0;)
        heap_sift_down(heap, count, i, heap[i]);
}

static int entry_compare(const void *a, const void *b)
{
    const engine_entry *x = a, *y = b;
    if (entry_before(x, y))
        return -1;
    return entry_before(y, x) ? 1 : 0;
}

/* Sequences ran out: sort the pending entries by (time, sequence) and give
 * them sequences 0..n-1, which preserves every tie's order. */
static void heap_renumber(ecsim_engine *eng)
{
    qsort(eng->heap, eng->heap_count, sizeof eng->heap[0], entry_compare);
    for (size_t i = 0; i < eng->heap_count; i++)
        eng->heap[i].key = ((uint64_t)i << 32) | (eng->heap[i].key & ENGINE_SLOT_MASK);
    eng->next_seq = eng->heap_count;
}

/* ---- event pool ----------------------------------------------------------- */

static void pool_free_slot(ecsim_engine *eng, uint32_t slot)
{
    engine_record *r = &eng->records[slot];
    r->fn = NULL;
    r->ctx = NULL;
    r->generation++;
    r->state = ENGINE_EVENT_FREE;
    r->arg = eng->free_head;
    eng->free_head = slot;
}

/* Chain records [from, to) onto the free list, lowest index first out. */
static void pool_chain_free(ecsim_engine *eng, size_t from, size_t to)
{
    for (size_t i = to; i-- > from;) {
        engine_record *r = &eng->records[i];
        r->fn = NULL;
        r->ctx = NULL;
        r->generation = 1;
        r->state = ENGINE_EVENT_FREE;
        r->arg = eng->free_head;
        eng->free_head = (uint32_t)i;
    }
}

/* Double the pool and the heap. On failure nothing observable changes (a
 * records array that grew while the heap could not stays usable; the
 * capacity simply does not move). */
static int pool_grow(ecsim_engine *eng)
{
    if (eng->capacity >= ENGINE_MAX_SLOTS)
        return ECSIM_ENOMEM;
    size_t new_capacity = eng->capacity * 2;
    if (new_capacity > ENGINE_MAX_SLOTS)
        new_capacity = ENGINE_MAX_SLOTS;
    engine_record *records =
        ecsim_reallocarray(eng->records, new_capacity, sizeof *records);
    if (!records)
        return ECSIM_ENOMEM;
    eng->records = records;
    engine_entry *heap = ecsim_reallocarray(eng->heap, new_capacity, sizeof *heap);
    if (!heap)
        return ECSIM_ENOMEM;
    eng->heap = heap;
    pool_chain_free(eng, eng->capacity, new_capacity);
    eng->capacity = new_capacity;
    return 0;
}

/* Drop every cancelled entry from the heap and rebuild it: O(n). Called
 * when cancelled entries are the majority, so amortised O(1) per cancel. */
static void heap_compact(ecsim_engine *eng)
{
    size_t kept = 0;
    for (size_t i = 0; i < eng->heap_count; i++) {
        uint32_t slot = (uint32_t)(eng->heap[i].key & ENGINE_SLOT_MASK);
        if (eng->records[slot].state == ENGINE_EVENT_CANCELLED)
            pool_free_slot(eng, slot);
        else
            eng->heap[kept++] = eng->heap[i];
    }
    eng->heap_count = kept;
    eng->cancelled_in_heap = 0;
    heap_build(eng->heap, kept);
}

/* Reclaim cancelled entries at the top of the heap; afterwards the top, if
 * any, is a pending event. */
static inline void heap_skip_cancelled(ecsim_engine *eng)
{
    while (eng->heap_count > 0) {
        uint32_t slot = (uint32_t)(eng->heap[0].key & ENGINE_SLOT_MASK);
        if (eng->records[slot].state != ENGINE_EVENT_CANCELLED)
            return;
        heap_pop(eng);
        eng->cancelled_in_heap--;
        pool_free_slot(eng, slot);
    }
}

/* ---- public API ------------------------------------------------------------- */

ecsim_engine *ecsim_engine_create(void)
{
    ecsim_engine *eng = ecsim_calloc(1, sizeof *eng);
    if (!eng)
        goto fail;
    eng->records = ecsim_calloc(ENGINE_INITIAL_CAPACITY, sizeof *eng->records);
    if (!eng->records)
        goto free_engine;
    eng->heap = ecsim_calloc(ENGINE_INITIAL_CAPACITY, sizeof *eng->heap);
    if (!eng->heap)
        goto free_records;
    eng->capacity = ENGINE_INITIAL_CAPACITY;
    eng->free_head = ENGINE_NO_SLOT;
    eng->seq_limit = ENGINE_SEQ_LIMIT;
    pool_chain_free(eng, 0, eng->capacity);
    return eng;

free_records:
    ecsim_free(eng->records);
free_engine:
    ecsim_free(eng);
fail:
    return NULL;
}

void ecsim_engine_destroy(ecsim_engine *eng)
{
    if (!eng)
        return;
    ecsim_free(eng->heap);
    ecsim_free(eng->records);
    ecsim_free(eng);
}

ecsim_event_id ecsim_engine_schedule(ecsim_engine *eng, double at_s, ecsim_event_fn fn, void *ctx,
                                     uint64_t arg)
{
    assert(eng && fn);
    /* Scheduling into the past or at a non-finite time is a bug in the
     * model that computed the time (a denormal bandwidth, an overflow...).
     * It is not an assertion: the run stops cleanly with ECSIM_EINTERNAL
     * and the caller reports it (exit 70), with the times recorded here. */
    if (!(isfinite(at_s) && at_s >= eng->now)) {
        if (!eng->fault) {
            eng->fault = true;
            eng->fault_now_s = eng->now;
            eng->fault_at_s = at_s;
        }
        eng->stop_requested = 1;
        return 0;
    }
    if (!fn)
        return 0;

    if (eng->free_head == ENGINE_NO_SLOT) {
        if (eng->cancelled_in_heap > 0 && eng->cancelled_in_heap * 2 > eng->heap_count &&
            eng->heap_count >= ENGINE_COMPACT_MIN)
            heap_compact(eng);
        if (eng->free_head == ENGINE_NO_SLOT && pool_grow(eng) < 0)
            return 0;
    }
    if (eng->next_seq >= eng->seq_limit)
        heap_renumber(eng);

    uint32_t slot = eng->free_head;
    engine_record *r = &eng->records[slot];
    eng->free_head = (uint32_t)r->arg;
    r->fn = fn;
    r->ctx = ctx;
    r->arg = arg;
    r->state = ENGINE_EVENT_PENDING;

    engine_entry e = {at_s, (eng->next_seq++ << 32) | slot};
    heap_sift_up(eng->heap, eng->heap_count++, e);
    eng->pending++;
    return ((uint64_t)r->generation << 32) | ((uint64_t)slot + 1);
}

ecsim_event_id ecsim_engine_schedule_in(ecsim_engine *eng, double delay_s, ecsim_event_fn fn,
                                        void *ctx, uint64_t arg)
{
    /* A negative or NaN delay lands before the clock or at NaN: a fault. */
    return ecsim_engine_schedule(eng, eng->now + delay_s, fn, ctx, arg);
}

int ecsim_engine_cancel(ecsim_engine *eng, ecsim_event_id id)
{
    uint64_t slot_plus_one = id & ENGINE_SLOT_MASK;
    if (slot_plus_one == 0 || slot_plus_one > eng->capacity)
        return ECSIM_ENOENT;
    engine_record *r = &eng->records[slot_plus_one - 1];
    if (r->generation != (uint32_t)(id >> 32) || r->state != ENGINE_EVENT_PENDING)
        return ECSIM_ENOENT;
    r->state = ENGINE_EVENT_CANCELLED;
    eng->pending--;
    eng->cancelled_in_heap++;
    return 0;
}

double ecsim_engine_now(const ecsim_engine *eng) { return eng->now; }

/* Pop the top entry (known to be pending), free its record and run it. The
 * record is freed before the handler runs, so the handler may reuse it and
 * cancelling the firing event's own id returns ECSIM_ENOENT. */
static inline void engine_dispatch_top(ecsim_engine *eng)
{
    engine_entry top = eng->heap[0];
    uint32_t slot = (uint32_t)(top.key & ENGINE_SLOT_MASK);
    engine_record *r = &eng->records[slot];
    ecsim_event_fn fn = r->fn;
    void *ctx = r->ctx;
    uint64_t arg = r->arg;
    heap_pop(eng);
    pool_free_slot(eng, slot);
    eng->pending--;
    eng->dispatched++;
    eng->now = top.time;
    fn(eng, ctx, arg);
}

int ecsim_engine_run(ecsim_engine *eng, double until_s)
{
    if (eng->fault)
        return ECSIM_EINTERNAL;
    eng->stop_requested = 0;
    for (;;) {
        heap_skip_cancelled(eng);
        if (eng->heap_count == 0 || !(eng->heap[0].time <= until_s))
            break;
        engine_dispatch_top(eng);
        if (eng->stop_requested) {
            eng->stop_requested = 0;
            return eng->fault ? ECSIM_EINTERNAL : 1;
        }
    }
    /* The clock never runs backwards, and run(INFINITY) leaves it at the
     * last event rather than at infinity. */
    if (isfinite(until_s) && until_s > eng->now)
        eng->now = until_s;
    return 0;
}

int ecsim_engine_step(ecsim_engine *eng, double until_s)
{
    if (eng->fault)
        return 0;
    heap_skip_cancelled(eng);
    if (eng->heap_count == 0 || !(eng->heap[0].time <= until_s))
        return 0;
    engine_dispatch_top(eng);
    return 1;
}

void ecsim_engine_stop(ecsim_engine *eng) { eng->stop_requested = 1; }

bool ecsim_engine_fault(const ecsim_engine *eng, double *now_s, double *at_s)
{
    if (eng->fault) {
        if (now_s)
            *now_s = eng->fault_now_s;
        if (at_s)
            *at_s = eng->fault_at_s;
    }
    return eng->fault;
}

double ecsim_engine_next_time(ecsim_engine *eng)
{
    heap_skip_cancelled(eng);
    return eng->heap_count > 0 ? eng->heap[0].time : INFINITY;
}

size_t ecsim_engine_pending(const ecsim_engine *eng) { return eng->pending; }

uint64_t ecsim_engine_dispatched(const ecsim_engine *eng) { return eng->dispatched; }

void engine_test_set_seq_limit(ecsim_engine *eng, uint64_t limit)
{
    assert(limit > 0 && limit <= ENGINE_SEQ_LIMIT);
    eng->seq_limit = limit;
    if (eng->next_seq >= eng->seq_limit)
        heap_renumber(eng);
}
