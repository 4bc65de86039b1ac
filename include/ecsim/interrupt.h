/* SIGINT and SIGTERM during a run (issue 10 point 7): the handler only
 * records the signal; the run loop, the file writers and the wait for
 * gnuplot poll ecsim_interrupted() and stop within a fraction of a second,
 * the run folder's stage is removed and the previous folder stays intact.
 *
 * This is the one piece of process-wide state in ecsim: a signal is sent to
 * the process, not to a simulation, so the flag cannot live in a handle. */
#ifndef ECSIM_INTERRUPT_H
#define ECSIM_INTERRUPT_H

/* Install the handlers for SIGINT and SIGTERM (SA_RESTART, so no write is
 * cut short by EINTR). Idempotent. */
void ecsim_interrupt_install(void);
/* The first signal received since install (SIGINT or SIGTERM), or 0. */
int ecsim_interrupted(void);
/* Record `sig` as if it had been received (tests; 0 clears). */
void ecsim_interrupt_set(int sig);
/* The exit code for an interrupted run: 128 + the signal (130, 143). */
int ecsim_interrupt_exit_code(int sig);

#endif
