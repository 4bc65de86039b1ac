/* The run's summary figures (include/ecsim/summary.h): their starting
 * values, and the per-window figures, accumulated beside the whole-run ones
 * by the same calls so that both follow one definition. Every call is
 * O(windows), at most ECSIM_WINDOWS_MAX. */
#include "ecsim/summary.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

void ecsim_summary_init(ecsim_summary *s, int desired)
{
    memset(s, 0, sizeof *s);
    s->first_scale_out_s = NAN;
    s->under_capacity_after_steady_s = NAN;
    s->unserved_after_steady_requests = NAN;
    s->min_desired = s->max_desired = desired;
    s->desired_now = desired;
}

void ecsim_summary_set_windows(ecsim_summary *s, const ecsim_window_spec *w, size_t n)
{
    if (n > ECSIM_WINDOWS_MAX)
        n = ECSIM_WINDOWS_MAX;
    s->window_count = n;
    for (size_t i = 0; i < n; i++) {
        ecsim_window_figures *f = &s->windows[i];
        memset(f, 0, sizeof *f);
        snprintf(f->name, sizeof f->name, "%s", w[i].name);
        f->from_s = w[i].from_s;
        f->to_s = w[i].to_s;
        f->first_scale_out_s = NAN;
        f->cost_from_usd = f->from_s == 0 ? 0.0 : NAN;
        f->cost_to_usd = f->cost_total = NAN;
        f->latency_mean_s = f->latency_p50_s = f->latency_p95_s = f->latency_p99_s = NAN;
        f->latency_max_s = NAN;
    }
}

bool ecsim_window_holds(const ecsim_window_figures *w, double t0, double t1)
{
    if (t1 > t0) {
        if (t0 >= w->from_s && t1 <= w->to_s)
            return true;
        /* Cannot happen with windows on period boundaries; count an
         * interval that crosses a bound where its middle is. */
        if (t0 < w->from_s && t1 > w->from_s)
            return 0.5 * (t0 + t1) > w->from_s && 0.5 * (t0 + t1) <= w->to_s;
        if (t0 < w->to_s && t1 > w->to_s)
            return 0.5 * (t0 + t1) <= w->to_s && 0.5 * (t0 + t1) > w->from_s;
        return false;
    }
    return (t1 > w->from_s && t1 <= w->to_s) || (t1 == 0 && w->from_s == 0);
}

void ecsim_summary_add_capacity(ecsim_summary *s, double t0, double t1, double under_s,
                                double unserved, double over_task_hours)
{
    s->under_capacity_s += under_s;
    s->unserved_requests += unserved;
    s->over_provisioned_task_hours += over_task_hours;
    for (size_t i = 0; i < s->window_count; i++) {
        ecsim_window_figures *w = &s->windows[i];
        if (!ecsim_window_holds(w, t0, t1))
            continue;
        w->under_capacity_s += under_s;
        w->unserved_requests += unserved;
        w->over_provisioned_task_hours += over_task_hours;
    }
}

static void window_desired(ecsim_window_figures *w, int desired)
{
    if (!w->desired_seen) {
        w->max_desired = w->min_desired = desired;
        w->desired_seen = true;
        return;
    }
    if (desired > w->max_desired)
        w->max_desired = desired;
    if (desired < w->min_desired)
        w->min_desired = desired;
}

void ecsim_summary_note_desired(ecsim_summary *s, double t_s, int desired)
{
    if (desired > s->max_desired)
        s->max_desired = desired;
    if (desired < s->min_desired)
        s->min_desired = desired;
    for (size_t i = 0; i < s->window_count; i++) {
        ecsim_window_figures *w = &s->windows[i];
        /* The count held until now was held in the window from its start. */
        if (!w->desired_seen && t_s > w->from_s)
            window_desired(w, s->desired_now);
        if (ecsim_window_holds(w, t_s, t_s))
            window_desired(w, desired);
    }
    s->desired_now = desired;
}

void ecsim_summary_note_action(ecsim_summary *s, double t_s, int current, int desired)
{
    bool out = desired > current;
    s->scaling_actions++;
    if (out) {
        s->scale_outs++;
        if (!isfinite(s->first_scale_out_s))
            s->first_scale_out_s = t_s;
    } else {
        s->scale_ins++;
    }
    for (size_t i = 0; i < s->window_count; i++) {
        ecsim_window_figures *w = &s->windows[i];
        if (!ecsim_window_holds(w, t_s, t_s))
            continue;
        w->scaling_actions++;
        if (out) {
            w->scale_outs++;
            if (!isfinite(w->first_scale_out_s))
                w->first_scale_out_s = t_s;
        } else {
            w->scale_ins++;
        }
    }
}

void ecsim_summary_add_requests(ecsim_summary *s, double t0, double t1, uint64_t arrived,
                                uint64_t served, uint64_t rejected, uint64_t timed_out,
                                uint64_t failed)
{
    for (size_t i = 0; i < s->window_count; i++) {
        ecsim_window_figures *w = &s->windows[i];
        if (!ecsim_window_holds(w, t0, t1))
            continue;
        w->requests_arrived += arrived;
        w->requests_served += served;
        w->requests_rejected += rejected;
        w->requests_timed_out += timed_out;
        w->requests_failed += failed;
    }
}

void ecsim_summary_add_task_span(ecsim_summary *s, double from_s, double to_s)
{
    for (size_t i = 0; i < s->window_count; i++) {
        ecsim_window_figures *w = &s->windows[i];
        double a = from_s > w->from_s ? from_s : w->from_s;
        double b = to_s < w->to_s ? to_s : w->to_s;
        if (b > a)
            w->task_s += b - a;
    }
}

void ecsim_summary_note_cost(ecsim_summary *s, double t_s, double cost_usd)
{
    for (size_t i = 0; i < s->window_count; i++) {
        ecsim_window_figures *w = &s->windows[i];
        if (t_s == w->from_s && w->from_s > 0)
            w->cost_from_usd = cost_usd;
        if (t_s == w->to_s)
            w->cost_to_usd = cost_usd;
    }
}

void ecsim_summary_finish_windows(ecsim_summary *s, double end_s)
{
    for (size_t i = 0; i < s->window_count; i++) {
        ecsim_window_figures *w = &s->windows[i];
        if (!w->desired_seen)
            window_desired(w, s->desired_now);
        if (w->to_s >= end_s)
            w->cost_to_usd = s->cost_total;
        w->cost_total = w->cost_to_usd - w->cost_from_usd; /* NaN if a bound was missed */
        w->task_hours = w->task_s / 3600.0;
    }
}
