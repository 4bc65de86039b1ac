/* The work a scenario asks for, estimated before the run (include/ecsim/loader.h).
 *
 * A pure function of the loaded scenario: no model code runs. Each figure is
 * an upper estimate of something the simulation does once per unit: a metric
 * period (every task's datapoint is computed and published), a fluid step
 * (FLUID_STEP_S = 1 s in sim/model/scaling.c), a request in requests mode (an
 * arrival, a dispatch and a completion), a task launched (a lifecycle of a
 * dozen events). The total weighs them by their measured cost on the
 * shipped scenarios, in "units" of roughly one microsecond of a -O2 build:
 * the default limit (ECSIM_WORK_DEFAULT_LIMIT) is about a minute of work, so
 * a scenario that would run for hours (a 0.0001 s metric period, a 1e9
 * requests/s profile in requests mode) is refused by `ecsim validate` and
 * `ecsim run` with the estimate and the flag that raises the limit, instead
 * of running. Issue 10 point 2. */
#include "ecsim/loader.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "ecsim/error.h"

/* The largest rate a profile segment reaches, requests/s. */
static double segment_peak(const ecsim_load_segment *sg, double before)
{
    switch (sg->shape) {
    case ECSIM_SHAPE_CONSTANT: return sg->rps;
    case ECSIM_SHAPE_RAMP: return fmax(before, sg->ramp_to);
    case ECSIM_SHAPE_SINE: return sg->sine.mean + sg->sine.amplitude;
    case ECSIM_SHAPE_DIURNAL: return fmax(sg->diurnal.min, sg->diurnal.max);
    case ECSIM_SHAPE_SPIKE: return fmax(sg->spike.base, sg->spike.peak);
    case ECSIM_SHAPE_STEP: return fmax(sg->step.from, sg->step.to);
    }
    return 0;
}

/* Requests offered over [0, duration]: each profile segment at its peak
 * rate (the last level holds to the end), a trace as its step function, a
 * replayed log as its count. Noise can raise a rate: 1 + 3 cv covers it. */
static double expected_requests(const ecsim_scenario *sc)
{
    const ecsim_load_spec *ld = &sc->load;
    double end = sc->duration_s, total = 0, level = 0, from = 0;
    if (ld->requests.arrivals_file[0])
        return (double)ld->requests.arrival_count;
    if (ld->profile_count) {
        for (size_t i = 0; i < ld->profile_count && from < end; i++) {
            const ecsim_load_segment *sg = &ld->profile[i];
            level = segment_peak(sg, level);
            double to = fmin(sg->until_s, end);
            if (to > from)
                total += level * (to - from);
            from = fmax(from, sg->until_s);
        }
        if (from < end)
            total += level * (end - from);
    } else if (ld->trace_data.count) {
        const ecsim_trace_data *tr = &ld->trace_data;
        for (size_t i = 0; i < tr->count && tr->t[i] < end; i++) {
            double to = i + 1 < tr->count ? fmin(tr->t[i + 1], end) : end;
            total += tr->rps[i] * (to - tr->t[i]);
        }
    }
    return total * (1 + 3 * ld->noise.cv);
}

void ecsim_scenario_work(const ecsim_scenario *sc, ecsim_work_estimate *w)
{
    const ecsim_service_spec *sv = &sc->service;
    const ecsim_autoscaler_spec *as = &sc->autoscaler;
    double duration = sc->duration_s;
    w->metric_periods = duration / sc->monitoring.period_s;
    w->fluid_steps = ceil(duration); /* one per simulated second, both modes */
    w->requests = sc->load.mode == ECSIM_LOAD_REQUESTS ? expected_requests(sc) : 0;

    /* The most tasks the service can hold at once, and the launches: the
     * first tasks, one more set per deployment, a replacement per killed or
     * interrupted task, and for a crashing version a relaunch every
     * throttle delay. */
    double most = sv->desired;
    if (as->policy != ECSIM_POLICY_NONE)
        most = fmax(most, as->max);
    double deploys = 1, counted = 0;
    bool crashes = false;
    for (size_t i = 0; i < sc->event_count; i++) {
        const ecsim_event_spec *ev = &sc->events[i];
        if (ev->action == ECSIM_ACTION_SCALE)
            most = fmax(most, ev->desired);
        else if (ev->action == ECSIM_ACTION_DEPLOY) {
            deploys++;
            crashes = crashes || ev->defect != ECSIM_DEFECT_NONE;
        } else if (ev->action == ECSIM_ACTION_KILL_TASKS ||
                   ev->action == ECSIM_ACTION_SPOT_INTERRUPTION)
            counted += ev->count;
    }
    for (size_t i = 0; i < as->scheduled_count; i++)
        most = fmax(most, fmax(as->scheduled[i].min, as->scheduled[i].max));
    double launches = most * deploys * sv->deployment.max_percent / 100 + counted;
    if (crashes)
        launches += most * duration / sv->throttle.initial_s;
    w->tasks = launches;
    w->peak_tasks = most;

    /* Weights, measured on the shipped scenarios (-O2): a fluid step costs
     * about 1 unit, a metric period 2 plus 0.5 per task, a request 1.5, a
     * launch 20. */
    w->units = w->fluid_steps + w->metric_periods * (2 + 0.5 * most) + 1.5 * w->requests +
               20 * w->tasks;
}

/* The field behind the largest term of the estimate, where the refusal is
 * located (the duration when that field was not given). */
static const char *work_driver(const ecsim_scenario *sc, const ecsim_work_estimate *w)
{
    double fluid = w->fluid_steps, metric = w->metric_periods * (2 + 0.5 * w->peak_tasks);
    double requests = 1.5 * w->requests, launches = 20 * w->tasks;
    if (requests >= fluid && requests >= metric && requests >= launches) {
        const ecsim_load_spec *ld = &sc->load;
        return ld->requests.arrivals_file[0] ? "load.requests.arrivals_file"
               : ld->profile_count           ? "load.profile"
               : ld->trace_data.count        ? "load.trace"
                                             : "load.mode";
    }
    if (metric >= fluid && metric >= launches)
        return "monitoring.period";
    if (launches > fluid)
        return sc->autoscaler.policy != ECSIM_POLICY_NONE ? "autoscaler.max" : "service.desired";
    return "duration";
}

void ecsim_work_describe(const ecsim_work_estimate *w, char *buf, size_t size)
{
    snprintf(buf, size,
             "%.3g work units: %.3g metric periods x %.0f tasks, %.3g fluid steps, %.3g requests, "
             "%.3g task launches",
             w->units, w->metric_periods, w->peak_tasks, w->fluid_steps, w->requests, w->tasks);
}

int ecsim_work_check(const ecsim_scenario *sc, const char *limit_text, const char *file,
                     ecsim_diags *d)
{
    double limit = ECSIM_WORK_DEFAULT_LIMIT;
    if (limit_text) {
        char *end = NULL;
        limit = strtod(limit_text, &end);
        if (end == limit_text || *end || !isfinite(limit) || !(limit > 0)) {
            ecsim_diags_add(d, ECSIM_DIAG_ERROR, file, 0, 0,
                            "--max-work %s: expected a number of work units > 0, e.g. 1e9",
                            limit_text);
            return ECSIM_EINVAL;
        }
    }
    ecsim_work_estimate w;
    ecsim_scenario_work(sc, &w);
    if (w.units <= limit)
        return 0;
    (void)file; /* the scenario knows where it came from */
    char what[256], msg[640];
    ecsim_work_describe(&w, what, sizeof what);
    snprintf(msg, sizeof msg,
             "the run is too long: estimated %s, above the limit of %.3g; shorten "
             "duration, lengthen monitoring.period or lower the load, or pass "
             "--max-work %.3g to run it anyway",
             what, limit, w.units * 1.05);
    ecsim_scenario_report(sc, d, work_driver(sc, &w), "duration", msg);
    return ECSIM_EINVAL;
}
