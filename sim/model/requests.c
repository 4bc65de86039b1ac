/* Requests mode (sim/model/requests.h): individual requests as engine events.
 *
 * Cost model. A request is at most two engine events, as in the tight
 * hand-written M/M/c loop (../shared/anchors/mmc_tight.c): its arrival,
 * which also draws and schedules the next arrival (one arrival is pending
 * at a time), and its completion. Queued requests are not events: they are
 * arrival times in FIFO ring buffers. Timeouts are not events either (a
 * cancelled event per request would double the heap traffic): see below.
 * Nothing on the per-request path allocates or logs; queues grow
 * geometrically and are reused.
 *
 * Arrivals. A non-homogeneous Poisson process of rate ecsim_load_rate(t),
 * by thinning (Lewis and Shedler) over windows of ARRIVAL_WINDOW_S: in a
 * window the bound is ecsim_load_max_rate over it; candidates come at the
 * bound's rate and are kept with probability rate(t) / bound. A candidate
 * that falls past the window's end is dropped and the clock restarts at the
 * end with the next window's bound, which is exact because exponential
 * gaps are memoryless. A window whose mean rate equals its bound has a
 * constant rate: every candidate is kept and the rate is not evaluated, so
 * a constant load costs one exponential draw per arrival. Streams:
 * "requests.arrivals" (gaps and thinning), "requests.service" (service
 * times: one per arrival, drawn when it arrives, served or not, so the n-th
 * request's service time does not depend on the tasks or the policy:
 * common random numbers), "requests.routing" (random routing). load.trace is a rate trace:
 * its rate drives the same thinning.
 *
 * Replayed arrivals (load.requests.arrivals_file): the requests arrive at
 * exactly the file's times, in file order (equal times arrive one after the
 * other at that instant). The loader read and validated the file
 * (ecsim_arrivals_read: 8 bytes per arrival before the run's end); the
 * model walks the scenario's array one time ahead of the clock - the next
 * arrival is the only one pending, as with thinning. Times before requests_start
 * (the service did not exist) are skipped and counted apart; times at or
 * after end_s end the replay. No random stream is used for arrivals; the
 * service and routing streams are unchanged, so a replay of the times a
 * Poisson run produced gives that run's requests again. The same times are
 * binned into the demand profile of the fluid accounting
 * (requests_replay_profile).
 *
 * Routing (load.requests.routing), over the tasks that receive traffic:
 *  - shared_queue: one FIFO in front of every slot of every ready task (the
 *    M/M/c model); a free slot takes the oldest waiting request; the queue
 *    holds at most queue_limit x ready tasks.
 *  - round_robin: tasks in turn, in launch order.
 *  - random: a uniformly random ready task.
 *  - least_outstanding: the task with the fewest requests in service plus
 *    queued; ties go to the first one after the previously chosen task (so
 *    equal tasks share the load in turn). Two tournament trees over the
 *    ready list hold each task's load and the arrival of its oldest queued
 *    request: a choice first drops the expired requests at the heads
 *    (oldest first, from the second tree), then finds the first position
 *    with the least load at or after the start (the first tree): O(log
 *    tasks) per request. The trees are rebuilt when the ready list changes.
 * With the per-task routings the chosen task serves the request in a free
 * slot, else queues it if it holds fewer than queue_limit, else the request
 * is rejected (a 503): a load balancer does not look for another task.
 * Requests arriving when no task is ready are rejected (DESIGN.md).
 *
 * Timeouts (timeout_s > 0). A request still waiting timeout_s after it
 * arrived is abandoned (timed_out) at that instant, and never served. A
 * queue is FIFO and every request has the same timeout, so the expired
 * requests of a queue are always at its head: they are dropped when the
 * queue is next looked at (a dequeue, an admission check, a least-
 * outstanding count) and at every metric period end (requests_flush), so
 * every decision sees exactly the queue that per-request timeout events
 * would have left, and each abandonment is counted in the period in which
 * it happened - without an event per request. A request whose wait equals
 * the timeout exactly is still served. Timeouts apply to waiting only: a
 * request in service completes.
 *
 * Tasks leaving (requests_task_leave). A task that deregisters (reference
 * §2.3 DEACTIVATING: the target group drains it for the deregistration
 * delay) finishes the requests in service; a task that stops abruptly
 * (killed, crashed, or stopped while still draining) fails them, counted as
 * failed. Its queued requests are re-routed at once, keeping their arrival
 * times (a retry that the load balancer makes); the shared queue is not
 * the task's and is unaffected.
 *
 * Measures: counters (requests_totals), the busy slot-seconds of ready
 * tasks as an exact integral (updated whenever the number of busy slots on
 * ready tasks changes), the wait's sum and maximum, and a streaming
 * histogram of latency per period, folded into the run's at each period
 * reset (ecsim/histogram.h: relative error <= 0.39 %, fixed memory). */
#include "requests.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ecsim/alloc.h"
#include "ecsim/error.h"
#include "ecsim/output.h"
#include "ecsim/rng.h"


/* MODEL: length of a thinning window (s). Short enough that the bound of a
 * ramp or a sine is tight (a 1 h sine loses under 0.2 % of candidates),
 * long enough that the two load queries per window are nothing next to the
 * arrivals in it. */
#define ARRIVAL_WINDOW_S 1.0
/* MODEL: the replay's demand profile has at most this many bins (about
 * 150 bytes each: under 10 MB), which sets the bin width: 1 s for runs up
 * to 18.2 h, then the first of 2, 5, 10, 30, 60, 300, 600, 3600 s that fits. */
#define REPLAY_MAX_BINS 65536
/* A waiting request: when it arrived and how long its service will take.
 * The service time is drawn when the request arrives, in arrival order, so
 * the n-th arrival has the same service time whatever the tasks, the
 * queues and the policy do (common random numbers). */
typedef struct rq_request {
    double arrival_s;
    double service_s;
} rq_request;

/* A ring buffer of waiting requests, capacity a power of two. */
typedef struct rq_queue {
    rq_request *at;
    uint32_t head, count, mask; /* mask = capacity - 1; capacity 0 when at == NULL */
} rq_queue;

/* A request in service: when it arrived and when its service started. */
typedef struct rq_slot {
    double arrival_s;
    double start_s;
} rq_slot;

typedef struct rq_task {
    requests_task_state state;
    int busy;            /* slots in service */
    rq_slot *slots;      /* concurrency entries, allocated when first ready */
    uint32_t *free;      /* stack of free slot indices (not in the shared pool) */
    int free_count;
    rq_queue queue;      /* per-task routings */
    int pos;             /* position in the ready list (least_outstanding) */
} rq_task;

struct requests_model {
    ecsim_requests_spec spec;
    ecsim_engine *eng;
    ecsim_load *load;
    double end_s;
    ecsim_rng rng_arrivals, rng_service, rng_routing;

    /* service time distribution */
    double mean_s;            /* the distribution's mean */
    double logn_mu, logn_sigma;
    double *empirical;        /* empirical samples */
    size_t empirical_count;

    /* arrivals: the last candidate time and the thinning window */
    const double *replay_t;   /* arrivals_file: replayed times instead of thinning
                                 (the scenario's array, borrowed) */
    size_t replay_count, replay_next;
    bool replaying;
    uint64_t replay_skipped;  /* replayed times before requests_start */
    double arr_t;
    double win_end;
    double win_bound;
    bool win_constant;
    bool started;

    /* tasks, by id - 1; the ready ones in launch order */
    rq_task *tasks;
    size_t task_count, task_capacity;
    uint32_t *ready;
    int ready_count;
    size_t ready_capacity;
    int rr_next;              /* round robin / least outstanding: next start position */

    /* least_outstanding: tournament trees over ready positions (leaves at
     * lo_size + pos): the least load below each node, and the oldest head
     * of a queue below each node (INFINITY: empty queues, unused leaves). */
    uint64_t *lo_load;
    double *lo_head;
    size_t lo_size, lo_capacity;

    /* shared_queue */
    rq_queue shared;
    uint64_t *pool;           /* free slots of ready tasks: (task index << 32) | slot */
    size_t pool_count, pool_capacity;

    /* measures */
    requests_totals tot;
    requests_totals seg_mark;
    int seg_running, seg_ready;
    int busy_ready;           /* busy slots on ready tasks */
    double busy_last_s;       /* busy_slot_s is integrated up to here */
    double wait_max_s;        /* longest wait of a served request */
    /* Latency: each request is added to the period's histogram only; the
     * run's is the periods folded into latency_base plus the current one
     * (one histogram add per request, not two). */
    ecsim_histogram latency_base, latency_period, latency_run;
    int oom;
};

/* ---- small helpers -------------------------------------------------------------- */

static inline double now_s(const requests_model *m) { return ecsim_engine_now(m->eng); }

static inline void busy_flush(requests_model *m, double now)
{
    m->tot.busy_slot_s += m->busy_ready * (now - m->busy_last_s);
    m->busy_last_s = now;
}

static inline bool expired(const requests_model *m, double arrival_s, double now)
{
    return m->spec.timeout_s > 0 && now - arrival_s > m->spec.timeout_s;
}

static int queue_push(rq_queue *q, rq_request at)
{
    if (!q->at || q->count == q->mask + 1) {
        size_t cap = q->at ? (size_t)q->mask + 1 : 0;
        size_t new_cap = cap ? cap * 2 : 64;
        if (new_cap > UINT32_MAX)
            return ECSIM_ENOMEM;
        rq_request *a = ecsim_reallocarray(NULL, new_cap, sizeof *a);
        if (!a)
            return ECSIM_ENOMEM;
        for (uint32_t i = 0; i < q->count; i++)
            a[i] = q->at[(q->head + i) & q->mask];
        ecsim_free(q->at);
        q->at = a;
        q->head = 0;
        q->mask = (uint32_t)(new_cap - 1);
    }
    q->at[(q->head + q->count) & q->mask] = at;
    q->count++;
    return 0;
}

static inline rq_request queue_pop(rq_queue *q)
{
    rq_request at = q->at[q->head];
    q->head = (q->head + 1) & q->mask;
    q->count--;
    return at;
}

/* Drop the expired requests at the head of `q` (see "Timeouts" above). */
static inline void queue_purge(requests_model *m, rq_queue *q, double now)
{
    if (m->spec.timeout_s > 0)
        while (q->count > 0 && expired(m, q->at[q->head].arrival_s, now)) {
            queue_pop(q);
            m->tot.timed_out++;
        }
}

static void queue_free(rq_queue *q)
{
    ecsim_free(q->at);
    memset(q, 0, sizeof *q);
}

/* ---- least_outstanding: the trees ---------------------------------------------------- */

static inline bool lo_enabled(const requests_model *m)
{
    return m->spec.routing == ECSIM_ROUTING_LEAST_OUTSTANDING;
}

static inline void lo_pull(requests_model *m, size_t i)
{
    uint64_t a = m->lo_load[2 * i], b = m->lo_load[2 * i + 1];
    m->lo_load[i] = a < b ? a : b;
    double x = m->lo_head[2 * i], y = m->lo_head[2 * i + 1];
    m->lo_head[i] = x < y ? x : y;
}

static inline void lo_leaf(requests_model *m, size_t leaf, const rq_task *t)
{
    m->lo_load[leaf] = (uint64_t)t->busy + t->queue.count;
    m->lo_head[leaf] = t->queue.count > 0 ? t->queue.at[t->queue.head].arrival_s : INFINITY;
}

/* Task `ti` (ready) changed its load or its queue's head. */
static inline void lo_touch(requests_model *m, uint32_t ti)
{
    if (!lo_enabled(m))
        return;
    const rq_task *t = &m->tasks[ti];
    if (t->state != REQUESTS_TASK_READY)
        return;
    size_t i = m->lo_size + (size_t)t->pos;
    if (m->spec.timeout_s > 0) {
        lo_leaf(m, i, t);
        for (i >>= 1; i >= 1; i >>= 1)
            lo_pull(m, i);
        return;
    }
    /* No timeouts: no heads to keep; stop where a minimum stays the same. */
    uint64_t load = (uint64_t)t->busy + t->queue.count;
    if (m->lo_load[i] == load)
        return;
    m->lo_load[i] = load;
    for (i >>= 1; i >= 1; i >>= 1) {
        uint64_t a = m->lo_load[2 * i], b = m->lo_load[2 * i + 1];
        uint64_t least = a < b ? a : b;
        if (m->lo_load[i] == least)
            break;
        m->lo_load[i] = least;
    }
}

/* The ready list changed: positions and trees from scratch (O(tasks), as
 * the list's own insertion and removal). ECSIM_ENOMEM leaves m->oom set. */
static void lo_rebuild(requests_model *m)
{
    if (!lo_enabled(m))
        return;
    size_t size = 1;
    while (size < (size_t)m->ready_count)
        size *= 2;
    if (2 * size > m->lo_capacity) {
        uint64_t *load = ecsim_reallocarray(m->lo_load, 2 * size, sizeof *load);
        if (load)
            m->lo_load = load;
        double *head = load ? ecsim_reallocarray(m->lo_head, 2 * size, sizeof *head) : NULL;
        if (!head) {
            m->oom = 1;
            return;
        }
        m->lo_head = head;
        m->lo_capacity = 2 * size;
    }
    m->lo_size = size;
    for (size_t p = 0; p < size; p++) {
        if (p < (size_t)m->ready_count) {
            rq_task *t = &m->tasks[m->ready[p]];
            t->pos = (int)p;
            lo_leaf(m, size + p, t);
        } else {
            m->lo_load[size + p] = UINT64_MAX;
            m->lo_head[size + p] = INFINITY;
        }
    }
    for (size_t i = size - 1; i >= 1; i--)
        lo_pull(m, i);
}

/* The first position at or after `from` whose load is at most `load`, or
 * -1: up from the leaf until a right sibling holds one, then down to the
 * leftmost such leaf (steps ~ 2 log of the distance to it). */
static int lo_first(const requests_model *m, size_t from, uint64_t load)
{
    size_t i = m->lo_size + from;
    if (m->lo_load[i] > load) {
        for (;;) {
            if ((i & 1) == 0 && m->lo_load[i + 1] <= load) {
                i++;
                break;
            }
            i >>= 1;
            if (i <= 1)
                return -1;
        }
        while (i < m->lo_size)
            i = m->lo_load[2 * i] <= load ? 2 * i : 2 * i + 1;
    }
    return (int)(i - m->lo_size);
}

/* ---- service times ---------------------------------------------------------------- */

static inline double service_time(requests_model *m)
{
    const ecsim_requests_spec *s = &m->spec;
    switch (s->dist) {
    case ECSIM_DIST_EXPONENTIAL:
        return -log(ecsim_rng_uniform(&m->rng_service)) * s->mean_s;
    case ECSIM_DIST_DETERMINISTIC:
        return s->mean_s;
    case ECSIM_DIST_LOGNORMAL:
        return exp(m->logn_mu + m->logn_sigma * ecsim_rng_normal(&m->rng_service));
    case ECSIM_DIST_UNIFORM:
        return s->min_s + (s->max_s - s->min_s) * ecsim_rng_uniform(&m->rng_service);
    case ECSIM_DIST_EMPIRICAL:
        return m->empirical[ecsim_rng_below(&m->rng_service, m->empirical_count)];
    }
    return s->mean_s;
}

/* ---- serving ------------------------------------------------------------------------ */

static void on_complete(ecsim_engine *eng, void *ctx, uint64_t arg);

/* Start serving request `r` in slot `slot` of task index `ti`. The caller
 * has counted the slot as busy. */
static inline void serve(requests_model *m, uint32_t ti, uint32_t slot, rq_request r, double now)
{
    rq_slot *s = &m->tasks[ti].slots[slot];
    s->arrival_s = r.arrival_s;
    s->start_s = now;
    if (!ecsim_engine_schedule(m->eng, now + r.service_s, on_complete, m,
                               ((uint64_t)ti << 32) | slot))
        m->oom = 1;
}

/* Take a free slot of task `ti` (not shared mode) and serve. */
static inline void serve_on_task(requests_model *m, uint32_t ti, rq_request r, double now)
{
    rq_task *t = &m->tasks[ti];
    uint32_t slot = t->free[--t->free_count];
    t->busy++;
    busy_flush(m, now);
    m->busy_ready++;
    serve(m, ti, slot, r, now);
    lo_touch(m, ti);
}

static uint32_t pick_task(requests_model *m, double now)
{
    int n = m->ready_count;
    switch (m->spec.routing) {
    case ECSIM_ROUTING_RANDOM:
        return m->ready[ecsim_rng_below(&m->rng_routing, (uint64_t)n)];
    case ECSIM_ROUTING_LEAST_OUTSTANDING: {
        /* The first position, from `start` round the list, with the least
         * load once the expired requests are gone. Dropping every expired
         * head now, not only those of the tasks a scan would look at,
         * changes no count: requests_flush drops them before any total is
         * read. */
        if (m->lo_size < (size_t)n) /* the trees could not grow (m->oom is set) */
            return m->ready[0];
        while (m->lo_head[1] < INFINITY && expired(m, m->lo_head[1], now)) {
            size_t i = 1;
            while (i < m->lo_size)
                i = m->lo_head[2 * i] <= m->lo_head[2 * i + 1] ? 2 * i : 2 * i + 1;
            uint32_t ti = m->ready[i - m->lo_size];
            queue_purge(m, &m->tasks[ti].queue, now);
            lo_touch(m, ti);
        }
        int start = m->rr_next < n ? m->rr_next : 0;
        uint64_t least = m->lo_load[1];
        int best = lo_first(m, (size_t)start, least);
        if (best < 0)
            best = lo_first(m, 0, least);
        m->rr_next = best + 1 < n ? best + 1 : 0;
        return m->ready[best];
    }
    case ECSIM_ROUTING_ROUND_ROBIN:
    case ECSIM_ROUTING_SHARED_QUEUE:
    default: {
        int i = m->rr_next < n ? m->rr_next : 0;
        m->rr_next = i + 1 < n ? i + 1 : 0;
        return m->ready[i];
    }
    }
}

/* Route request `r` (arrived now, or earlier when it is re-routed from a
 * task that left). Returns true if admitted. */
static bool route(requests_model *m, rq_request r, double now)
{
    if (m->ready_count == 0) {
        m->tot.rejected++;
        return false;
    }
    if (m->spec.routing == ECSIM_ROUTING_SHARED_QUEUE) {
        if (m->pool_count > 0) { /* a free slot means an empty queue */
            uint64_t p = m->pool[--m->pool_count];
            uint32_t ti = (uint32_t)(p >> 32);
            m->tasks[ti].busy++;
            busy_flush(m, now);
            m->busy_ready++;
            serve(m, ti, (uint32_t)p, r, now);
            return true;
        }
        queue_purge(m, &m->shared, now);
        if ((uint64_t)m->shared.count >= (uint64_t)m->spec.queue_limit * (uint64_t)m->ready_count) {
            m->tot.rejected++;
            return false;
        }
        if (queue_push(&m->shared, r) != 0) {
            m->oom = 1;
            m->tot.rejected++;
            return false;
        }
        return true;
    }
    uint32_t ti = pick_task(m, now);
    rq_task *t = &m->tasks[ti];
    if (t->free_count > 0) {
        serve_on_task(m, ti, r, now);
        return true;
    }
    queue_purge(m, &t->queue, now);
    if (t->queue.count >= (uint32_t)m->spec.queue_limit) {
        lo_touch(m, ti);
        m->tot.rejected++;
        return false;
    }
    if (queue_push(&t->queue, r) != 0) {
        lo_touch(m, ti);
        m->oom = 1;
        m->tot.rejected++;
        return false;
    }
    lo_touch(m, ti);
    return true;
}

static void on_complete(ecsim_engine *eng, void *ctx, uint64_t arg)
{
    requests_model *m = ctx;
    uint32_t ti = (uint32_t)(arg >> 32), slot = (uint32_t)arg;
    rq_task *t = &m->tasks[ti];
    if (t->state == REQUESTS_TASK_GONE)
        return; /* failed when the task stopped; already counted */
    double now = ecsim_engine_now(eng);
    const rq_slot *s = &t->slots[slot];
    double wait = s->start_s - s->arrival_s;
    double latency = now - s->arrival_s;
    m->tot.served++;
    m->tot.wait_sum_s += wait;
    ecsim_histogram_add(&m->latency_period, latency);
    if (wait > m->wait_max_s)
        m->wait_max_s = wait;
    if (t->state == REQUESTS_TASK_READY) {
        /* The slot takes the oldest waiting request, if any: the number of
         * busy slots does not change. */
        rq_queue *q = m->spec.routing == ECSIM_ROUTING_SHARED_QUEUE ? &m->shared : &t->queue;
        queue_purge(m, q, now);
        if (q->count > 0) {
            serve(m, ti, slot, queue_pop(q), now);
            lo_touch(m, ti);
            return;
        }
        busy_flush(m, now);
        m->busy_ready--;
        t->busy--;
        lo_touch(m, ti);
        if (m->spec.routing == ECSIM_ROUTING_SHARED_QUEUE) {
            /* pool_capacity covers every slot of every ready task */
            m->pool[m->pool_count++] = ((uint64_t)ti << 32) | slot;
            return;
        }
    } else {
        t->busy--; /* draining */
    }
    t->free[t->free_count++] = slot;
}

/* ---- the arrivals profile ---------------------------------------------------------------- */

/* Append [start_s, end_s) holding `arrivals` to the profile, merged into
 * the previous segment when the rate is the same. */
static int profile_add(ecsim_load_segment **seg, size_t *count, size_t *cap, double start_s,
                       double end_s, uint64_t arrivals)
{
    double rate = (double)arrivals / (end_s - start_s);
    if (*count > 0 && (*seg)[*count - 1].rps == rate) {
        (*seg)[*count - 1].until_s = end_s;
        return 0;
    }
    if (*count == *cap) {
        size_t nc = *cap ? *cap * 2 : 256;
        ecsim_load_segment *grown = ecsim_reallocarray(*seg, nc, sizeof *grown);
        if (!grown)
            return ECSIM_ENOMEM;
        *seg = grown;
        *cap = nc;
    }
    ecsim_load_segment *s = &(*seg)[(*count)++];
    memset(s, 0, sizeof *s);
    s->until_s = end_s;
    s->shape = ECSIM_SHAPE_CONSTANT;
    s->rps = rate;
    return 0;
}

int requests_replay_profile(const double *times, size_t n_times, double end_s,
                            ecsim_load_segment **profile, size_t *count, double *bin_s)
{
    static const double widths[] = {1, 2, 5, 10, 30, 60, 300, 600, 3600};
    *profile = NULL;
    *count = 0;
    double bin = widths[0];
    for (size_t i = 0; i < sizeof widths / sizeof widths[0]; i++) {
        bin = widths[i];
        if (ceil(end_s / bin) <= REPLAY_MAX_BINS)
            break;
    }
    if (ceil(end_s / bin) > REPLAY_MAX_BINS)
        bin = ceil(end_s / REPLAY_MAX_BINS);
    *bin_s = bin;

    ecsim_load_segment *seg = NULL;
    size_t n = 0, cap = 0;
    uint64_t in_bin = 0;
    double bin_start = 0; /* the open bin: [bin_start, bin_start + bin) */
    int rc = 0;
    for (size_t i = 0; i < n_times; i++) {
        double t = times[i];
        if (t >= end_s)
            break; /* past the run */
        /* Close the bins before t's (the empty ones as one segment). */
        double k = floor(t / bin) * bin;
        if (k > bin_start) {
            if (profile_add(&seg, &n, &cap, bin_start, bin_start + bin, in_bin) != 0 ||
                (k > bin_start + bin && profile_add(&seg, &n, &cap, bin_start + bin, k, 0) != 0)) {
                rc = ECSIM_ENOMEM;
                break;
            }
            bin_start = k;
            in_bin = 0;
        }
        in_bin++;
    }
    if (rc == 0 && end_s > 0) {
        /* The open bin (cut at end_s), the empty bins up to end_s, then 0
         * for ever (a profile's last level holds after its end). */
        double stop = fmin(bin_start + bin, end_s);
        if (profile_add(&seg, &n, &cap, bin_start, stop, in_bin) != 0 ||
            (stop < end_s && profile_add(&seg, &n, &cap, stop, end_s, 0) != 0) ||
            (seg[n - 1].rps != 0 && profile_add(&seg, &n, &cap, end_s, end_s + bin, 0) != 0))
            rc = ECSIM_ENOMEM;
    }
    if (rc != 0) {
        ecsim_free(seg);
        return rc;
    }
    *profile = seg;
    *count = n;
    return 0;
}

uint64_t requests_replay_skipped(const requests_model *m) { return m->replay_skipped; }

/* ---- arrivals ----------------------------------------------------------------------- */

static void on_arrival(ecsim_engine *eng, void *ctx, uint64_t arg);

/* Replay: schedule the file's next time (none at or after end_s). */
static void replay_schedule_next(requests_model *m)
{
    double t = 0;
    for (;;) {
        if (m->replay_next >= m->replay_count)
            return;
        t = m->replay_t[m->replay_next++];
        if (t >= m->end_s) {
            m->replay_next = m->replay_count;
            return;
        }
        if (t >= m->arr_t)
            break;
        m->replay_skipped++; /* only before the first arrival: times are in order */
    }
    m->arr_t = t;
    if (!ecsim_engine_schedule(m->eng, t, on_arrival, m, 0))
        m->oom = 1;
}

/* Open the thinning window that starts at t. */
static void open_window(requests_model *m, double t)
{
    double end = t + ARRIVAL_WINDOW_S;
    if (end > m->end_s)
        end = m->end_s;
    m->win_end = end;
    double bound = ecsim_load_max_rate(m->load, t, end);
    m->win_bound = isfinite(bound) && bound > 0 ? bound : 0;
    /* mean == max: the rate equals the bound almost everywhere */
    m->win_constant = m->win_bound > 0 &&
                      ecsim_load_mean_rate(m->load, t, end) >= m->win_bound * (1 - 1e-12);
}

/* Draw the next arrival after arr_t and schedule it (none past end_s). */
static void schedule_next_arrival(requests_model *m)
{
    if (m->replaying) {
        replay_schedule_next(m);
        return;
    }
    double t = m->arr_t;
    for (;;) {
        if (t >= m->win_end) {
            if (t >= m->end_s)
                return;
            open_window(m, t);
            if (m->win_end <= t) /* window of no length: at end_s */
                return;
        }
        double bound = m->win_bound;
        if (bound <= 0) {
            t = m->win_end;
            continue;
        }
        t -= log(ecsim_rng_uniform(&m->rng_arrivals)) / bound;
        if (t >= m->win_end) {
            t = m->win_end; /* memoryless: restart with the next window's bound */
            continue;
        }
        if (m->win_constant ||
            ecsim_rng_uniform(&m->rng_arrivals) * bound <= ecsim_load_rate(m->load, t))
            break;
    }
    m->arr_t = t;
    if (!ecsim_engine_schedule(m->eng, t, on_arrival, m, 0))
        m->oom = 1;
}

static void on_arrival(ecsim_engine *eng, void *ctx, uint64_t arg)
{
    (void)arg;
    requests_model *m = ctx;
    double now = ecsim_engine_now(eng);
    m->tot.arrived++;
    rq_request r = {now, service_time(m)}; /* drawn for every arrival, served or not */
    if (route(m, r, now))
        m->tot.admitted++;
    schedule_next_arrival(m);
}

int requests_start(requests_model *m)
{
    if (m->started)
        return 0;
    m->started = true;
    m->arr_t = now_s(m);
    m->win_end = m->arr_t; /* opens a window at once */
    m->busy_last_s = m->arr_t;
    schedule_next_arrival(m);
    return m->oom ? ECSIM_ENOMEM : 0;
}

/* ---- tasks -------------------------------------------------------------------------- */

static int ensure_task(requests_model *m, int task_id)
{
    size_t need = (size_t)task_id;
    if (need <= m->task_count)
        return 0;
    if (need > m->task_capacity) {
        size_t cap = m->task_capacity ? m->task_capacity : 16;
        while (cap < need)
            cap *= 2;
        rq_task *t = ecsim_reallocarray(m->tasks, cap, sizeof *t);
        if (!t)
            return ECSIM_ENOMEM;
        m->tasks = t;
        m->task_capacity = cap;
    }
    memset(&m->tasks[m->task_count], 0, (need - m->task_count) * sizeof m->tasks[0]);
    m->task_count = need;
    return 0;
}

static void task_release(rq_task *t)
{
    ecsim_free(t->slots);
    ecsim_free(t->free);
    queue_free(&t->queue);
    t->slots = NULL;
    t->free = NULL;
    t->free_count = 0;
}

requests_task_state requests_task_get_state(const requests_model *m, int task_id)
{
    if (task_id < 1 || (size_t)task_id > m->task_count)
        return REQUESTS_TASK_NONE;
    return m->tasks[task_id - 1].state;
}

int requests_task_ready(requests_model *m, int task_id)
{
    if (task_id < 1)
        return ECSIM_EINVAL;
    if (ensure_task(m, task_id) != 0)
        return ECSIM_ENOMEM;
    uint32_t ti = (uint32_t)(task_id - 1);
    rq_task *t = &m->tasks[ti];
    if (t->state == REQUESTS_TASK_READY)
        return 0;
    if (t->state == REQUESTS_TASK_GONE)
        return ECSIM_EINVAL;
    int conc = m->spec.concurrency;
    if (!t->slots) {
        t->slots = ecsim_calloc((size_t)conc, sizeof *t->slots);
        t->free = ecsim_calloc((size_t)conc, sizeof *t->free);
        if (!t->slots || !t->free) {
            task_release(t);
            return ECSIM_ENOMEM;
        }
        for (int i = 0; i < conc; i++) /* slot 0 on top */
            t->free[i] = (uint32_t)(conc - 1 - i);
        t->free_count = conc;
    }
    /* Room for the task in the ready list and its slots in the pool. */
    if ((size_t)m->ready_count + 1 > m->ready_capacity) {
        size_t cap = m->ready_capacity ? m->ready_capacity * 2 : 16;
        uint32_t *r = ecsim_reallocarray(m->ready, cap, sizeof *r);
        if (!r)
            return ECSIM_ENOMEM;
        m->ready = r;
        m->ready_capacity = cap;
    }
    bool shared = m->spec.routing == ECSIM_ROUTING_SHARED_QUEUE;
    if (shared && m->pool_count + (size_t)conc * ((size_t)m->ready_count + 1) > m->pool_capacity) {
        size_t cap = m->pool_capacity ? m->pool_capacity : 64;
        while (cap < (size_t)conc * ((size_t)m->ready_count + 1))
            cap *= 2;
        uint64_t *p = ecsim_reallocarray(m->pool, cap, sizeof *p);
        if (!p)
            return ECSIM_ENOMEM;
        m->pool = p;
        m->pool_capacity = cap;
    }
    /* Insert in launch order (round robin goes through tasks in that order). */
    int pos = m->ready_count;
    while (pos > 0 && m->ready[pos - 1] > ti) {
        m->ready[pos] = m->ready[pos - 1];
        pos--;
    }
    m->ready[pos] = ti;
    m->ready_count++;
    t->state = REQUESTS_TASK_READY;
    lo_rebuild(m);
    double now = now_s(m);
    busy_flush(m, now);
    m->busy_ready += t->busy; /* a draining task that is ready again */
    if (shared) {
        while (t->free_count > 0)
            m->pool[m->pool_count++] = ((uint64_t)ti << 32) | t->free[--t->free_count];
        /* Free slots take the waiting requests, oldest first. */
        queue_purge(m, &m->shared, now);
        while (m->shared.count > 0 && m->pool_count > 0) {
            rq_request at = queue_pop(&m->shared);
            uint64_t p = m->pool[--m->pool_count];
            m->tasks[(uint32_t)(p >> 32)].busy++;
            m->busy_ready++;
            serve(m, (uint32_t)(p >> 32), (uint32_t)p, at, now);
            queue_purge(m, &m->shared, now);
        }
    }
    return m->oom ? ECSIM_ENOMEM : 0;
}

int requests_task_leave(requests_model *m, int task_id, bool abrupt)
{
    if (task_id < 1 || (size_t)task_id > m->task_count)
        return 0;
    uint32_t ti = (uint32_t)(task_id - 1);
    rq_task *t = &m->tasks[ti];
    if (t->state == REQUESTS_TASK_NONE || t->state == REQUESTS_TASK_GONE) {
        if (abrupt)
            t->state = REQUESTS_TASK_GONE;
        return 0;
    }
    double now = now_s(m);
    busy_flush(m, now);
    if (t->state == REQUESTS_TASK_READY) {
        int i = 0;
        while (i < m->ready_count && m->ready[i] != ti)
            i++;
        memmove(&m->ready[i], &m->ready[i + 1], (size_t)(m->ready_count - i - 1) * sizeof m->ready[0]);
        m->ready_count--;
        if (m->rr_next > i)
            m->rr_next--;
        m->busy_ready -= t->busy;
        t->state = REQUESTS_TASK_DRAINING;
        lo_rebuild(m);
        if (m->spec.routing == ECSIM_ROUTING_SHARED_QUEUE) {
            /* Its free slots leave the pool. */
            size_t kept = 0;
            for (size_t k = 0; k < m->pool_count; k++) {
                uint64_t p = m->pool[k];
                if ((uint32_t)(p >> 32) == ti)
                    t->free[t->free_count++] = (uint32_t)p;
                else
                    m->pool[kept++] = p;
            }
            m->pool_count = kept;
        } else {
            /* Its waiting requests go to the other tasks, oldest first. */
            queue_purge(m, &t->queue, now);
            while (t->queue.count > 0)
                route(m, queue_pop(&t->queue), now);
        }
    }
    if (abrupt) {
        m->tot.failed += (uint64_t)t->busy;
        t->busy = 0;
        t->state = REQUESTS_TASK_GONE;
        task_release(t);
    }
    return m->oom ? ECSIM_ENOMEM : 0;
}

int requests_ready_count(const requests_model *m) { return m->ready_count; }

uint64_t requests_in_system(const requests_model *m)
{
    uint64_t n = m->shared.count;
    for (size_t i = 0; i < m->task_count; i++)
        n += (uint64_t)m->tasks[i].busy + m->tasks[i].queue.count;
    return n;
}

/* ---- measures ------------------------------------------------------------------------- */

void requests_flush(requests_model *m)
{
    double now = now_s(m);
    if (m->started)
        busy_flush(m, now);
    queue_purge(m, &m->shared, now);
    for (int i = 0; i < m->ready_count; i++) {
        queue_purge(m, &m->tasks[m->ready[i]].queue, now);
        lo_touch(m, m->ready[i]);
    }
}

const requests_totals *requests_get_totals(const requests_model *m) { return &m->tot; }
const ecsim_histogram *requests_latency_run(requests_model *m)
{
    ecsim_histogram_reset(&m->latency_run);
    ecsim_histogram_merge(&m->latency_run, &m->latency_base);
    ecsim_histogram_merge(&m->latency_run, &m->latency_period);
    return &m->latency_run;
}

double requests_wait_max(const requests_model *m) { return m->wait_max_s; }
const ecsim_histogram *requests_latency_period(const requests_model *m) { return &m->latency_period; }

void requests_period_reset(requests_model *m)
{
    ecsim_histogram_merge(&m->latency_base, &m->latency_period);
    ecsim_histogram_reset(&m->latency_period);
}

double requests_capacity_per_task(const requests_model *m)
{
    return m->mean_s > 0 ? m->spec.concurrency / m->mean_s : INFINITY;
}

int requests_concurrency(const requests_model *m) { return m->spec.concurrency; }

void requests_segment_set(requests_model *m, int running, int ready)
{
    m->seg_running = running;
    m->seg_ready = ready;
}

void requests_segment_get(const requests_model *m, int *running, int *ready)
{
    *running = m->seg_running;
    *ready = m->seg_ready;
}

void requests_segment_take(requests_model *m, requests_totals *delta)
{
    const requests_totals *a = &m->tot, *b = &m->seg_mark;
    delta->arrived = a->arrived - b->arrived;
    delta->admitted = a->admitted - b->admitted;
    delta->served = a->served - b->served;
    delta->rejected = a->rejected - b->rejected;
    delta->timed_out = a->timed_out - b->timed_out;
    delta->failed = a->failed - b->failed;
    delta->busy_slot_s = a->busy_slot_s - b->busy_slot_s;
    delta->wait_sum_s = a->wait_sum_s - b->wait_sum_s;
    m->seg_mark = m->tot;
}

int requests_oom(const requests_model *m) { return m->oom; }

/* ---- lifetime --------------------------------------------------------------------------- */

requests_model *requests_create(const ecsim_requests_spec *spec, const char *scenario_path,
                                ecsim_engine *eng, ecsim_load *load, uint64_t seed, double end_s,
                                ecsim_diags *d)
{
    ecsim_diags local;
    if (!d) {
        ecsim_diags_init(&local);
        d = &local;
    }
    (void)scenario_path; /* the loader resolved and read the files */
    requests_model *m = ecsim_calloc(1, sizeof *m);
    if (!m)
        goto fail;
    m->spec = *spec;
    if (m->spec.concurrency < 1)
        m->spec.concurrency = 1;
    if (m->spec.queue_limit < 0)
        m->spec.queue_limit = 0;
    m->eng = eng;
    m->load = load;
    m->end_s = end_s;
    ecsim_rng_derive(&m->rng_arrivals, seed, "requests.arrivals");
    ecsim_rng_derive(&m->rng_service, seed, "requests.service");
    ecsim_rng_derive(&m->rng_routing, seed, "requests.routing");
    ecsim_histogram_reset(&m->latency_base);
    ecsim_histogram_reset(&m->latency_period);
    ecsim_histogram_reset(&m->latency_run);
    m->win_end = -INFINITY;

    switch (spec->dist) {
    case ECSIM_DIST_UNIFORM:
        m->mean_s = 0.5 * (spec->min_s + spec->max_s);
        break;
    case ECSIM_DIST_LOGNORMAL: {
        /* sigma^2 = ln(1 + cv^2), mu = ln(mean) - sigma^2 / 2: mean = mean_s. */
        double s2 = log1p(spec->cv * spec->cv);
        m->logn_sigma = sqrt(s2);
        m->logn_mu = log(spec->mean_s > 0 ? spec->mean_s : 1e-300) - 0.5 * s2;
        m->mean_s = spec->mean_s;
        break;
    }
    case ECSIM_DIST_EMPIRICAL: {
        /* The samples the loader read (ecsim_empirical_read), copied. */
        if (!spec->empirical_count || !spec->empirical_s) {
            ecsim_diags_add(d, ECSIM_DIAG_ERROR, spec->empirical_file, 0, 0,
                            "load.requests.service_time.file: the service times were not read "
                            "(the scenario loader reads them: ecsim_empirical_read)");
            goto free_model;
        }
        m->empirical = ecsim_reallocarray(NULL, spec->empirical_count, sizeof *m->empirical);
        if (!m->empirical)
            goto free_model;
        memcpy(m->empirical, spec->empirical_s, spec->empirical_count * sizeof *m->empirical);
        m->empirical_count = spec->empirical_count;
        double sum = 0;
        for (size_t i = 0; i < m->empirical_count; i++)
            sum += m->empirical[i];
        m->mean_s = sum / (double)m->empirical_count;
        break;
    }
    case ECSIM_DIST_EXPONENTIAL:
    case ECSIM_DIST_DETERMINISTIC:
    default:
        m->mean_s = spec->mean_s;
        break;
    }
    if (spec->arrivals_file[0]) {
        /* The times the loader read and validated (ecsim_arrivals_read). */
        m->replaying = true;
        m->replay_t = spec->arrival_times;
        m->replay_count = spec->arrival_count;
    }
    if (d == &local)
        ecsim_diags_free(&local);
    return m;

free_model:
    ecsim_free(m->empirical);
    ecsim_free(m);
fail:
    if (d == &local)
        ecsim_diags_free(&local);
    return NULL;
}

void requests_destroy(requests_model *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->task_count; i++)
        task_release(&m->tasks[i]);
    ecsim_free(m->tasks);
    ecsim_free(m->ready);
    ecsim_free(m->lo_load);
    ecsim_free(m->lo_head);
    ecsim_free(m->pool);
    queue_free(&m->shared);
    ecsim_free(m->empirical);
    ecsim_free(m);
}
