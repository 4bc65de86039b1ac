/* SIGINT / SIGTERM handling (include/ecsim/interrupt.h). The handler does
 * the only async-signal-safe thing needed: store the signal number in a
 * volatile sig_atomic_t. Everything else (stopping gnuplot, removing the
 * stage folder, the message) happens in ordinary code that polls the flag. */
#include "ecsim/interrupt.h"

#include <signal.h>
#include <stddef.h>

static volatile sig_atomic_t interrupt_signal;

static void on_signal(int sig)
{
    if (interrupt_signal == 0)
        interrupt_signal = sig;
}

void ecsim_interrupt_install(void)
{
    struct sigaction sa;
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    (void)sigaction(SIGINT, &sa, NULL);
    (void)sigaction(SIGTERM, &sa, NULL);
}

int ecsim_interrupted(void) { return (int)interrupt_signal; }

void ecsim_interrupt_set(int sig) { interrupt_signal = sig; }

int ecsim_interrupt_exit_code(int sig) { return 128 + sig; }
