/* The hold-model benchmark of the bare event engine (Jones, "An empirical
 * comparison of priority-queue and event-set implementations", CACM 1986;
 * ns-3 bench-scheduler does the same). The queue is filled with N events at
 * exponential(1) times; then each operation pops the earliest and schedules
 * a replacement at now + exponential(1), so the queue size stays N. This
 * measures schedule + dispatch through the public API, handler call
 * included, at 10^3, 10^5 and 10^6 pending events.
 *
 * Usage: bench_hold [OPS [N...]]   (operations per size, default 10^7;
 *        queue sizes, default 1000 100000 1000000)
 * Output, one line per size: hold N=1000 ops=10000000 Mops/s=40.123
 * Never a test: it reports speed, it asserts nothing (STYLE.md rule 16). */
#include "ecsim/engine.h"
#include "ecsim/rng.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

typedef struct hold_state {
    ecsim_rng rng;
    uint64_t ops_left; /* hold operations still to do */
    uint64_t failures; /* schedules that returned 0 (out of memory) */
} hold_state;

static void hold_event(ecsim_engine *eng, void *ctx, uint64_t arg)
{
    hold_state *st = ctx;
    if (st->ops_left == 0) {
        ecsim_engine_stop(eng);
        return;
    }
    st->ops_left--;
    if (!ecsim_engine_schedule_in(eng, ecsim_rng_exponential(&st->rng, 1.0), hold_event, st, arg))
        st->failures++;
}

static double seconds_since(const struct timespec *start)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - start->tv_sec) + (double)(now.tv_nsec - start->tv_nsec) * 1e-9;
}

static int hold_run(size_t n, uint64_t ops)
{
    ecsim_engine *eng = ecsim_engine_create();
    if (!eng) {
        fprintf(stderr, "bench_hold: out of memory\n");
        return 1;
    }
    hold_state st = {.ops_left = ops, .failures = 0};
    ecsim_rng_derive(&st.rng, 42, "hold");
    for (size_t i = 0; i < n; i++)
        if (!ecsim_engine_schedule(eng, ecsim_rng_exponential(&st.rng, 1.0), hold_event, &st, i))
            st.failures++;

    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    ecsim_engine_run(eng, INFINITY);
    double wall_s = seconds_since(&start);

    /* The stopping event did no hold operation. */
    uint64_t done = ops - st.ops_left;
    printf("hold N=%zu ops=%llu Mops/s=%.3f\n", n, (unsigned long long)done,
           (double)done / wall_s * 1e-6);
    int status = (st.failures || ecsim_engine_pending(eng) != n - 1) ? 1 : 0;
    if (status)
        fprintf(stderr, "bench_hold: N=%zu: %llu failed schedules, %zu pending\n", n,
                (unsigned long long)st.failures, ecsim_engine_pending(eng));
    ecsim_engine_destroy(eng);
    return status;
}

/* A positive integer argument, or 0 if it is not one. */
static unsigned long long parse_count(const char *s)
{
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    return (*s >= '0' && *s <= '9' && *end == '\0') ? v : 0;
}

int main(int argc, char **argv)
{
    uint64_t ops = 10000000;
    if (argc > 1 && (ops = parse_count(argv[1])) == 0) {
        fprintf(stderr, "usage: bench_hold [OPS [N...]]\n");
        return 2;
    }
    int status = 0;
    if (argc > 2) {
        for (int i = 2; i < argc; i++) {
            unsigned long long n = parse_count(argv[i]);
            if (n == 0) {
                fprintf(stderr, "usage: bench_hold [OPS [N...]]\n");
                return 2;
            }
            status |= hold_run((size_t)n, ops);
        }
        return status;
    }
    static const size_t sizes[] = {1000, 100000, 1000000};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
        status |= hold_run(sizes[i], ops);
    return status;
}
