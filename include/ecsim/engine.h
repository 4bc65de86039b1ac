/* The discrete-event engine: a virtual clock and a pending-event set.
 *
 * Events are callbacks ordered by (time, sequence number); the sequence is
 * assigned when the event is scheduled, so two events at the same time fire
 * in the order they were scheduled, whatever the heap layout (STYLE.md rule
 * 8, as libuv start_id / SimPy _eid). Cancelling marks the event; its slot
 * is reclaimed when its turn comes (Redis ae.c deferred delete), so cancel
 * is O(1). Event records live in a pool that grows geometrically and is
 * recycled through a free list: no malloc per event on the hot path.
 *
 * One engine is one simulation; there is no global state, so several
 * engines can live in one process (tests, sweeps). */
#ifndef ECSIM_ENGINE_H
#define ECSIM_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct ecsim_engine ecsim_engine;

/* An event handler. `ctx` and `arg` are what was given to schedule. The
 * clock already reads the event's time when the handler runs. */
typedef void (*ecsim_event_fn)(ecsim_engine *eng, void *ctx, uint64_t arg);

/* Identifies a scheduled event for cancellation; 0 is never a valid id. */
typedef uint64_t ecsim_event_id;

/* A new engine with the clock at 0 and no pending events; NULL on OOM. */
ecsim_engine *ecsim_engine_create(void);
void ecsim_engine_destroy(ecsim_engine *eng);

/* Schedule `fn(eng, ctx, arg)` at absolute time `at_s` (>= now, finite).
 * Returns the event's id, or 0 if memory ran out or `at_s` is not a finite
 * time at or after the clock. The latter is a bug in the model that computed
 * it: the engine records it as its fault (ecsim_engine_fault), never aborts,
 * and ecsim_engine_run stops with ECSIM_EINTERNAL. */
ecsim_event_id ecsim_engine_schedule(ecsim_engine *eng, double at_s, ecsim_event_fn fn,
                                     void *ctx, uint64_t arg);
/* Same, `delay_s` (>= 0, finite) after now; a negative or non-finite delay
 * is a fault, as above. */
ecsim_event_id ecsim_engine_schedule_in(ecsim_engine *eng, double delay_s, ecsim_event_fn fn,
                                        void *ctx, uint64_t arg);

/* Cancel a pending event. 0 on success; ECSIM_ENOENT if the id is 0, has
 * already fired, or was already cancelled. */
int ecsim_engine_cancel(ecsim_engine *eng, ecsim_event_id id);

/* The virtual clock, in seconds. */
double ecsim_engine_now(const ecsim_engine *eng);

/* Dispatch, in order, every event whose time is <= until_s, then set the
 * clock to until_s (unless stopped early). Returns 0, 1 if
 * ecsim_engine_stop() ended the loop before until_s, or ECSIM_EINTERNAL
 * (at once, and on every later call) once the engine has a fault. */
int ecsim_engine_run(ecsim_engine *eng, double until_s);

/* True once a handler tried to schedule an event at a non-finite time or
 * before the clock; `now_s` and `at_s` (either may be NULL) receive the
 * clock and the refused time of the first such attempt. */
bool ecsim_engine_fault(const ecsim_engine *eng, double *now_s, double *at_s);

/* Dispatch the next pending (non-cancelled) event if its time is <= until_s.
 * Returns 1 if one was dispatched, 0 if none is due. */
int ecsim_engine_step(ecsim_engine *eng, double until_s);

/* Ask ecsim_engine_run to return after the handler that is running now. */
void ecsim_engine_stop(ecsim_engine *eng);

/* Time of the next pending non-cancelled event, or INFINITY if none. */
double ecsim_engine_next_time(ecsim_engine *eng);

/* Number of pending events (not counting cancelled ones). */
size_t ecsim_engine_pending(const ecsim_engine *eng);

/* Number of events dispatched since creation. */
uint64_t ecsim_engine_dispatched(const ecsim_engine *eng);

#endif
