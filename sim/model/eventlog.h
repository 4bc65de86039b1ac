/* The run's event log (events.log): one line per event, in time order, as
 * "HH:MM:SS.s  message", messages in the platform's words: the ECS service
 * event wording of reference §2.6 where one exists ("service X has reached
 * a steady state.") on ECS, Kubernetes events (pods, ReplicaSets, kubelet
 * and HPA events, §5) on EKS (platform.h, platform_vocabulary).
 *
 * A recorder with its own state: lines go into a memory arena that spills
 * to an anonymous temporary file once it holds EVENTLOG_SPILL_BYTES, so a
 * year-long run keeps a few hundred KB of text in memory plus one offset per
 * line. Lines are read back by index (the report stage writes them out). */
#ifndef ECSIM_MODEL_EVENTLOG_H
#define ECSIM_MODEL_EVENTLOG_H

#include <stddef.h>

typedef struct eventlog eventlog;

/* An empty log; NULL on OOM. */
eventlog *eventlog_create(void);
/* Frees everything (and closes the temporary file); NULL is fine. */
void eventlog_destroy(eventlog *log);

/* Append "CLOCK  message", the clock ("HH:MM:SS.s", ecsim_fmt_clock)
 * padded to 10 columns; the line is cut at 831 bytes. 0, ECSIM_ENOMEM or
 * ECSIM_EIO (the temporary file cannot be written). */
int eventlog_add(eventlog *log, const char *clock, const char *message);

size_t eventlog_count(const eventlog *log);
/* Line `i` (0-based, no newline), or NULL if i >= count or it cannot be
 * read back. Valid until the next eventlog_add or eventlog_line. */
const char *eventlog_line(const eventlog *log, size_t i);

#endif
