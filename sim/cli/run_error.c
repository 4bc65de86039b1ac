/* A run that could not finish (run_error.h): an internal error (the
 * engine's fault: issue 10 point 3) exits 70 with what to report; anything
 * else (out of memory) exits 1. */
#include "run_error.h"

#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <signal.h>

#include "ecsim/alloc.h"
#include "ecsim/error.h"
#include "ecsim/interrupt.h"
#include "ecsim/output.h"
#include "ecsim/scenario.h"
#include "ecsim/sim.h"

int ecsim_cli_interrupted(const char *who, FILE *err)
{
    int sig = ecsim_interrupted();
    fprintf(err, "%s: interrupted by %s; stopped, no output written (a previous run folder is "
                 "left as it was)\n",
            who, sig == SIGTERM ? "SIGTERM" : "SIGINT");
    return ecsim_interrupt_exit_code(sig ? sig : SIGINT);
}

int ecsim_cli_simulation_failed(const ecsim_sim *sim, int rc, const char *who, FILE *err)
{
    if (rc == ECSIM_EINTR)
        return ecsim_cli_interrupted(who, err);
    double now_s, at_s;
    if (rc == ECSIM_EINTERNAL && ecsim_sim_fault(sim, &now_s, &at_s)) {
        const ecsim_scenario *sc = ecsim_sim_scenario(sim);
        char clock[32];
        ecsim_fmt_clock(clock, sizeof clock, now_s);
        fprintf(err,
                "%s: internal error: at simulated time %s (%.17g s) the model computed an event "
                "time of %.17g s, which is %s; the run was stopped and no output was written.\n"
                "This is a bug in ecsim, not in your scenario: please report it with %s "
                "(scenario `%s`, seed %" PRIu64 ").\n",
                who, clock, now_s, at_s, isfinite(at_s) ? "before the clock" : "not finite",
                sc->source_path[0] ? sc->source_path : "the scenario", sc->name,
                ecsim_sim_seed(sim));
        return ECSIM_EXIT_SOFTWARE;
    }
    if (rc == ECSIM_ENOMEM) {
        /* Out of memory ends the run (never a retry): exit 3 with the amount
         * asked for and where the run was (issue 10 point 6). */
        size_t bytes = ecsim_alloc_failed_bytes();
        char clock[32];
        ecsim_fmt_clock(clock, sizeof clock, ecsim_sim_now(sim));
        if (bytes == SIZE_MAX)
            fprintf(err, "%s: error: out of memory: a request larger than the address space "
                         "failed at simulated time %s",
                    who, clock);
        else
            fprintf(err, "%s: error: out of memory: an allocation of %zu bytes (%.1f MB) failed "
                         "at simulated time %s",
                    who, bytes, (double)bytes / 1048576.0, clock);
        fprintf(err, " with %" PRIu64 " engine events dispatched; shorten `duration`, lower the "
                     "load or the task counts, or give ecsim more memory\n",
                ecsim_sim_events_dispatched(sim));
        return ECSIM_EXIT_IO;
    }
    fprintf(err, "%s: error: simulation failed: %s\n", who, ecsim_strerror(rc));
    return ECSIM_EXIT_FAIL;
}
