/* The run's event log (events.log): one line per event, in time order, as
 * "HH:MM:SS.s  message". Messages follow the ECS service event wording of
 * reference §2.6 where one exists ("service X has reached a steady state.").
 * Lines are kept in memory and written by the report stage. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ecsim/alloc.h"
#include "sim_internal.h"

char *ecsim_fmt_clock(char *buf, size_t size, double t_s)
{
    if (!isfinite(t_s)) {
        snprintf(buf, size, "—");
        return buf;
    }
    /* Tenths of a second, rounded once, so 59.96 s prints as 00:01:00.0. */
    long long tenths = llround(t_s * 10.0);
    long long secs = tenths / 10;
    int frac = (int)(tenths % 10);
    long long h = secs / 3600, m = (secs / 60) % 60, s = secs % 60;
    if (h >= 24) {
        /* Multi-day runs: "2d 03:00:00". */
        int n = snprintf(buf, size, "%lldd %02lld:%02lld:%02lld", h / 24, h % 24, m, s);
        if (frac && n > 0 && (size_t)n < size)
            snprintf(buf + n, size - (size_t)n, ".%d", frac);
        return buf;
    }
    if (frac)
        snprintf(buf, size, "%02lld:%02lld:%02lld.%d", h, m, s, frac);
    else
        snprintf(buf, size, "%02lld:%02lld:%02lld", h, m, s);
    return buf;
}

void sim_log(ecsim_sim *sim, const char *fmt, ...)
{
    if (sim->log_count == sim->log_capacity) {
        size_t cap = sim->log_capacity ? sim->log_capacity * 2 : 64;
        char **log = ecsim_reallocarray(sim->log, cap, sizeof *log);
        if (!log) {
            sim->oom = 1;
            return;
        }
        sim->log = log;
        sim->log_capacity = cap;
    }
    char clock[32], msg[768], line[832];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(line, sizeof line, "%-10s  %s", sim_fmt_clock(clock, sizeof clock, ecsim_engine_now(sim->eng)), msg);
    char *copy = ecsim_strdup(line);
    if (!copy) {
        sim->oom = 1;
        return;
    }
    sim->log[sim->log_count++] = copy;
}

void sim_log_free(ecsim_sim *sim)
{
    for (size_t i = 0; i < sim->log_count; i++)
        ecsim_free(sim->log[i]);
    ecsim_free(sim->log);
    sim->log = NULL;
    sim->log_count = sim->log_capacity = 0;
}

size_t ecsim_sim_log_count(const ecsim_sim *sim) { return sim->log_count; }

const char *ecsim_sim_log_line(const ecsim_sim *sim, size_t i)
{
    return i < sim->log_count ? sim->log[i] : NULL;
}
