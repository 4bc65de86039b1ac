/* Running and scaling: demand against capacity, the CloudWatch metrics the
 * tasks publish, the autoscaler's evaluations and the run's time series.
 *
 * Fluid mode (DESIGN.md "load"): demand is a rate from the load generator;
 * capacity is ready tasks x task.capacity_rps. From the moment the service
 * is created, the state is integrated in steps of at most FLUID_STEP_S
 * seconds (and at every metric-period boundary): over each step the
 * service serves min(demand, capacity), the rest is unserved, and each
 * ready task's CPU is idle + (100 - idle) x served / capacity; tasks that
 * are RUNNING but not yet receiving traffic sit at idle. The service's
 * CPUUtilization is the average over its RUNNING tasks (reference §1.2,
 * ServiceCPU% formula [C2]); MemoryUtilization likewise between
 * memory_idle_pct and memory_busy_pct; RequestCountPerTarget is requests
 * per minute per ready task. These samples feed the metrics store, which
 * publishes one datapoint per period with CloudWatch's lag (reference §7).
 *
 * The autoscaler is evaluated on its own clock: every 60 s for the AWS
 * policies (CloudWatch evaluates alarms every minute, every 10 s for
 * sub-minute periods, reference §1.2 [C1]), every 15 s for the HPA
 * (--horizontal-pod-autoscaler-sync-period, reference §5.1). It sees only
 * published datapoints; the HPA sees metrics-server's latest scrape, each
 * pod's CPU averaged over the window between two scrapes
 * (autoscaler.hpa.metric_resolution, reference §5.1 [K11], §5.2). Each
 * evaluation that changes something or crosses a boundary is one row of
 * decisions.csv (every one with report.decisions: all; decision_matters);
 * a change of the desired count goes to the service scheduler.
 *
 * Requests mode (load.mode: requests, sim/model/requests.h): individual requests
 * replace the fluid integration. The accounting is cut into segments at
 * every change of the ready task set, every policy evaluation and every
 * period end, so each segment has constant task counts: its capacity is
 * ready x concurrency / mean service time, its served / unserved volumes
 * are the model's counts (unserved = rejected + timed out + failed), and
 * each ready task's CPU is idle + (100 - idle) x busy, busy being the
 * fraction of its slots in service over the segment (the model integrates
 * busy slot-seconds exactly), so the policies react to real utilisation.
 * RequestCountPerTarget counts the requests routed to the tasks. Latency
 * percentiles per period come from the model's streaming histogram. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "scaling.h"

#include <stdarg.h>

#include "ecsim/alloc.h"
#include "ecsim/cost.h"
#include "ecsim/error.h"
#include "ecsim/load.h"
#include "ecsim/output.h"
#include "ecsim/policy.h"

struct scaling {
    scaling_wiring w;
    int oom;
    ecsim_load *load;
    ecsim_metrics *metrics;
    ecsim_policy *policy;
    ecsim_policy_config policy_cfg;
    ecsim_decision decision;
    int scale_min, scale_max;     /* MinCapacity / MaxCapacity now (scheduled actions move them) */
    FILE *decisions_fp;           /* decisions.csv so far: a temporary file */
    /* Mean demand per metric period, for predictive: the newest
     * demand_count of demand_total values, at least demand_keep of them
     * (the policy's look-back); the buffer holds up to 2 x demand_keep and
     * slides by memmove, O(1) amortised per period in constant memory. */
    double *demand_history;
    size_t demand_count, demand_capacity, demand_total, demand_keep;
    ecsim_hpa_pod *pods;          /* the HPA's view of the tasks, one per live task */
    ecsim_hpa_pod *memory_pods;
    size_t pod_capacity;
    struct {                      /* integrals over the current period (per fluid step) */
        double seconds, demand, capacity, served, unserved, cpu, cpu_seconds, memory;
    } acc;
    double last_fluid_s;
    double shortfall_since_s;     /* start of the current shortfall episode, NaN if none */
    /* metrics-server, HPA runs only (reference §5.1 [K11], §5.2): every
     * autoscaler.hpa.metric_resolution it scrapes the pods, and a pod's CPU
     * is its usage averaged over the window since the previous scrape.
     * Integrals over time of what one pod receiving traffic does (CPU %,
     * memory %, requests/s), counted while some pod receives traffic; their
     * values at the latest scrape; and that window's averages. */
    struct {
        double cpu, memory, rps, seconds;       /* integrals so far */
        double cpu0, memory0, rps0, seconds0;   /* the integrals at the latest scrape */
        long long count;                        /* scrapes so far: next at (count + 1) x res */
        double last_s;                          /* the latest scrape, NaN before the first */
        double cpu_pct, memory_pct, rps_avg;    /* a receiving pod over the latest window */
    } scrape;
    requests_model *requests;     /* requests mode (requests.h); NULL in fluid mode */
    ecsim_histogram *window_latency; /* requests mode: one per summary window */
    struct {                      /* the previous evaluation, for decisions.csv's filter */
        bool seen;
        double value;
        ecsim_alarm_state alarm_high, alarm_low;
        int min, max;
        char metric[32];
    } prev;
};

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void sc_log(scaling *sim, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    ecsim_vemit_line(sim->w.log, sim->w.ctx, fmt, ap);
    va_end(ap);
}

/* MODEL: resolution of the fluid integration (seconds). One second keeps
 * served / unserved volumes exact to well under 1 % for any realistic
 * profile and costs 86 400 steps per simulated day. */
#define FLUID_STEP_S 1.0
/* How many of the newest metric periods a policy is shown. */
#define POLICY_WINDOW 64

static const char *svc(const scaling *sim) { return sim->w.sc->service.name; }

static int scaling_init(scaling *sim, FILE *err);

scaling *scaling_create(const scaling_wiring *w, FILE *err, int *rc)
{
    scaling *s = ecsim_calloc(1, sizeof *s);
    if (!s) {
        *rc = ECSIM_ENOMEM;
        return NULL;
    }
    s->w = *w;
    *rc = scaling_init(s, err);
    if (*rc != 0) {
        scaling_destroy(s);
        return NULL;
    }
    return s;
}

static int scaling_init(scaling *sim, FILE *err)
{
    const ecsim_scenario *sc = sim->w.sc;
    ecsim_load_spec spec = sc->load;
    ecsim_diags d;
    ecsim_diags_init(&d);
    /* Replayed arrivals (load.requests.arrivals_file; the loader refuses a
     * profile, trace or noise beside them) are the demand: binned into a
     * profile of constant segments, so the timeline's demand column and the
     * under-capacity figures count the file's arrivals (sim/model/requests.h). In
     * fluid mode that profile is the whole load. */
    ecsim_load_segment *replay_profile = NULL;
    if (sc->load.requests.arrivals_file[0]) {
        double bin_s;
        int rc = requests_replay_profile(sc->load.requests.arrival_times,
                                         sc->load.requests.arrival_count, sc->duration_s,
                                         &replay_profile, &spec.profile_count, &bin_s);
        if (rc != 0) {
            ecsim_diags_free(&d);
            return rc;
        }
        spec.profile = replay_profile;
        spec.trace[0] = '\0';
        spec.noise.cv = 0;
    }
    sim->load = ecsim_load_create(&spec, sim->w.seed, &d);
    ecsim_free(replay_profile); /* the load keeps a copy */
    if (err)
        ecsim_diags_print(&d, err);
    int bad_input = d.errors > 0;
    ecsim_diags_free(&d);
    if (!sim->load)
        return bad_input ? ECSIM_EINVAL : ECSIM_ENOMEM;
    sim->metrics = ecsim_metrics_create(&sc->monitoring, sim->w.seed);
    if (!sim->metrics)
        return ECSIM_ENOMEM;
    ecsim_policy_config_defaults(&sim->policy_cfg, &sc->autoscaler);
    /* The defaults see only the autoscaler; predictive needs a task's capacity. */
    sim->policy_cfg.predictive.task_capacity = sc->service.task.capacity_rps;
    sim->policy = ecsim_policy_create(&sim->policy_cfg);
    if (!sim->policy)
        return ECSIM_ENOMEM;
    ecsim_decision_init(&sim->decision);
    /* decisions.csv grows by a row a minute for as long as the run lasts:
     * it goes to a temporary file, not to memory. */
    sim->decisions_fp = tmpfile();
    if (!sim->decisions_fp)
        return ECSIM_EIO;
    ecsim_decision_csv_header(sim->decisions_fp);
    sim->scale_min = sc->autoscaler.min;
    sim->scale_max = sc->autoscaler.max;
    sim->last_fluid_s = NAN;
    sim->shortfall_since_s = NAN;
    sim->scrape.last_s = NAN;
    sim->w.summary->slo_p99_s = sc->load.requests.slo_p99_s;
    if (sc->load.mode == ECSIM_LOAD_REQUESTS) {
        ecsim_diags_init(&d);
        sim->requests = requests_create(&sc->load.requests, sc->source_path, sim->w.eng, sim->load,
                                        sim->w.seed, sc->duration_s, &d);
        if (err)
            ecsim_diags_print(&d, err);
        bad_input = d.errors > 0;
        ecsim_diags_free(&d);
        if (!sim->requests)
            return bad_input ? ECSIM_EINVAL : ECSIM_ENOMEM;
        service_track_changes(sim->w.service); /* scaling_tasks_changed syncs the changed tasks */
        /* A latency histogram per window (54 KB each, at most 16). */
        size_t nw = sim->w.summary->window_count;
        if (nw > 0) {
            sim->window_latency = ecsim_calloc(nw, sizeof *sim->window_latency);
            if (!sim->window_latency)
                return ECSIM_ENOMEM;
            for (size_t i = 0; i < nw; i++)
                ecsim_histogram_reset(&sim->window_latency[i]);
        }
    }
    return 0;
}

void scaling_destroy(scaling *sim)
{
    if (!sim)
        return;
    requests_destroy(sim->requests);
    ecsim_free(sim->window_latency);
    ecsim_load_destroy(sim->load);
    ecsim_metrics_destroy(sim->metrics);
    ecsim_policy_destroy(sim->policy);
    ecsim_decision_free(&sim->decision);
    if (sim->decisions_fp)
        fclose(sim->decisions_fp);
    ecsim_free(sim->demand_history);
    ecsim_free(sim->pods);
    ecsim_free(sim->memory_pods);
    ecsim_free(sim);
}

int scaling_write_decisions_csv(const scaling *sim, FILE *out)
{
    /* Copy with pread: the file's own position stays at its end. */
    if (!sim->decisions_fp || fflush(sim->decisions_fp) != 0)
        return ECSIM_EIO;
    int fd = fileno(sim->decisions_fp);
    char buf[65536];
    for (off_t at = 0;;) {
        ssize_t n = pread(fd, buf, sizeof buf, at);
        if (n < 0)
            return ECSIM_EIO;
        if (n == 0)
            break;
        if (fwrite(buf, 1, (size_t)n, out) != (size_t)n)
            return ECSIM_EIO;
        at += n;
    }
    return ferror(out) ? ECSIM_EIO : 0;
}

double scaling_demand_rate(const scaling *sim, double t_s) { return ecsim_load_rate(sim->load, t_s); }
const ecsim_metrics *scaling_metrics(const scaling *sim) { return sim->metrics; }
const requests_model *scaling_requests(const scaling *sim) { return sim->requests; }
bool scaling_oom(const scaling *sim) { return sim->oom || (sim->requests && requests_oom(sim->requests)); }

double scaling_cpu_target(const scaling *sim)
{
    const ecsim_autoscaler_spec *a = &sim->w.sc->autoscaler;
    if (a->policy == ECSIM_POLICY_NONE || a->policy == ECSIM_POLICY_SCHEDULED ||
        a->metric != ECSIM_METRIC_CPU)
        return NAN;
    return a->target;
}

/* ---- fluid accounting ------------------------------------------------------------ */

/* CPU and memory over [t0, t1] from the utilisation of the ready tasks
 * (busy fraction), averaged over the RUNNING tasks (tasks not yet receiving
 * traffic sit at idle; reference §1.2 ServiceCPU%), into the period's
 * accumulators and the metrics store, with requests per target (per minute,
 * from `admitted_rps`). Only called with running > 0. */
static void record_utilisation(scaling *sim, double t0, double t1, int running, int ready,
                               double util, double admitted_rps)
{
    const ecsim_task_spec *ts = &sim->w.sc->service.task;
    double dt = t1 - t0, mid = 0.5 * (t0 + t1);
    double cpu_busy = ts->cpu_idle_pct + (100.0 - ts->cpu_idle_pct) * util;
    double cpu = (ready * cpu_busy + (running - ready) * ts->cpu_idle_pct) / running;
    double mem_busy = ts->memory_idle_pct + (ts->memory_busy_pct - ts->memory_idle_pct) * util;
    double mem = (ready * mem_busy + (running - ready) * ts->memory_idle_pct) / running;
    sim->acc.cpu += cpu * dt;
    sim->acc.memory += mem * dt;
    sim->acc.cpu_seconds += dt;
    if (ready > 0) { /* a pod receiving traffic, for metrics-server's windows */
        sim->scrape.cpu += cpu_busy * dt;
        sim->scrape.memory += mem_busy * dt;
        sim->scrape.rps += admitted_rps / ready * dt;
        sim->scrape.seconds += dt;
    }
    if (ecsim_metrics_add_sample(sim->metrics, ECSIM_METRIC_ID_CPU, mid, cpu, dt) == ECSIM_ENOMEM ||
        ecsim_metrics_add_sample(sim->metrics, ECSIM_METRIC_ID_MEMORY, mid, mem, dt) == ECSIM_ENOMEM)
        sim->oom = 1;
    if (ready > 0 &&
        ecsim_metrics_add_sample(sim->metrics, ECSIM_METRIC_ID_REQUESTS_PER_TARGET, mid,
                                 admitted_rps * 60.0 / ready, dt) == ECSIM_ENOMEM)
        sim->oom = 1;
}

/* Shortfall episodes: from the moment demand exceeds the capacity of ready
 * tasks until capacity catches up again — for a demand step, the time to
 * enough capacity (issue "time from a demand step to enough capacity"). An
 * episode still open at the end counts with the time up to the end. */
static void note_shortfall(scaling *sim, bool is_short, double t_s)
{
    ecsim_summary *s = sim->w.summary;
    if (is_short && !isfinite(sim->shortfall_since_s)) {
        sim->shortfall_since_s = t_s;
    } else if (!is_short && isfinite(sim->shortfall_since_s)) {
        double episode = t_s - sim->shortfall_since_s;
        s->shortfall_episodes++;
        s->time_to_capacity_total_s += episode;
        if (episode > s->max_time_to_capacity_s)
            s->max_time_to_capacity_s = episode;
        sim->shortfall_since_s = NAN;
    }
}

/* RUNNING tasks, those of them receiving traffic (not chosen to stop,
 * healthy behind a load balancer), and those not yet RUNNING: the service's
 * counters, O(1). */
static void count_tasks(const scaling *sim, int *running, int *ready, int *pending)
{
    *running = service_count(sim->w.service, TASK_RUNNING);
    *ready = service_ready_count(sim->w.service);
    *pending = service_pending_count(sim->w.service);
}

/* Requests mode: close the segment [last_fluid_s, now], during which the
 * task counts were those recorded at its start. */
static void accumulate_requests(scaling *sim)
{
    requests_model *rq = sim->requests;
    double now = ecsim_engine_now(sim->w.eng);
    double t0 = sim->last_fluid_s;
    if (!isfinite(t0))
        return;
    requests_flush(rq);
    requests_totals seg;
    requests_segment_take(rq, &seg);
    int running, ready;
    requests_segment_get(rq, &running, &ready);
    double dt = now - t0;
    sim->last_fluid_s = now;
    const ecsim_task_spec *ts = &sim->w.sc->service.task;
    double unserved = (double)(seg.rejected + seg.timed_out + seg.failed);
    ecsim_summary *s = sim->w.summary;
    sim->acc.served += (double)seg.served;
    sim->acc.unserved += unserved;
    ecsim_summary_add_requests(s, t0, now, seg.arrived, seg.served, seg.rejected, seg.timed_out,
                               seg.failed);
    if (dt <= 0) {
        ecsim_summary_add_capacity(s, t0, now, 0.0, unserved, 0.0);
        return;
    }
    double per_task = requests_capacity_per_task(rq);
    if (!isfinite(per_task))
        per_task = ts->capacity_rps;
    double demand = ecsim_load_mean_rate(sim->load, t0, now);
    double capacity = ready * per_task;
    sim->acc.seconds += dt;
    sim->acc.demand += demand * dt;
    sim->acc.capacity += capacity * dt;
    if (running > 0) {
        double slots = (double)ready * requests_concurrency(rq) * dt;
        double util = slots > 0 ? fmin(1.0, seg.busy_slot_s / slots) : 0.0;
        record_utilisation(sim, t0, now, running, ready, util, (double)seg.admitted / dt);
    }
    /* Capacity figures as in fluid mode, from the expected demand. */
    bool is_short = demand > capacity * (1 + 1e-9) + 1e-9;
    note_shortfall(sim, is_short, t0);
    double target = scaling_cpu_target(sim);
    double needed = ceil(demand / (per_task * (isfinite(target) ? target / 100.0 : 1.0)) - 1e-9);
    ecsim_summary_add_capacity(s, t0, now, is_short ? dt : 0.0, unserved,
                               ready > needed ? (ready - needed) * dt / 3600.0 : 0.0);
    sim->w.now->demand_rps = ecsim_load_rate(sim->load, now);
    if (requests_oom(rq))
        sim->oom = 1;
}

/* Integrate [last_fluid_s, now] with the state as it is now. */
static void accumulate(scaling *sim)
{
    if (sim->requests) {
        accumulate_requests(sim);
        return;
    }
    double now = ecsim_engine_now(sim->w.eng);
    double t0 = sim->last_fluid_s;
    if (!isfinite(t0) || now <= t0)
        return;
    double dt = now - t0;
    sim->last_fluid_s = now;
    const ecsim_task_spec *ts = &sim->w.sc->service.task;
    int running, ready, pending;
    count_tasks(sim, &running, &ready, &pending);
    double demand = ecsim_load_mean_rate(sim->load, t0, now);
    double capacity = ready * ts->capacity_rps;
    double served = fmin(demand, capacity);
    double unserved = demand - served;
    double util = capacity > 0 ? served / capacity : 0.0;
    sim->acc.seconds += dt;
    sim->acc.demand += demand * dt;
    sim->acc.capacity += capacity * dt;
    sim->acc.served += served * dt;
    sim->acc.unserved += unserved * dt;
    if (running > 0)
        record_utilisation(sim, t0, now, running, ready, util, served);
    ecsim_summary *s = sim->w.summary;
    bool is_short = unserved > 1e-9 * (1.0 + demand);
    note_shortfall(sim, is_short, t0);
    /* Over-provisioning: ready tasks beyond what the demand needs at the
     * policy's CPU target (the headroom a target asks for is not waste), or
     * at 100 % without a CPU target. */
    double target = scaling_cpu_target(sim);
    double per_task = ts->capacity_rps * (isfinite(target) ? target / 100.0 : 1.0);
    double needed = ceil(demand / per_task - 1e-9);
    ecsim_summary_add_capacity(s, t0, now, is_short ? dt : 0.0, unserved * dt,
                               ready > needed ? (ready - needed) * dt / 3600.0 : 0.0);
    sim->w.now->demand_rps = ecsim_load_rate(sim->load, now);
}

void scaling_tasks_changed(scaling *sim)
{
    /* Fluid mode integrates capacity at the next step; nothing to do. */
    requests_model *rq = sim->requests;
    if (!rq)
        return;
    /* Close the segment with the old task set, then tell the model which
     * tasks receive traffic now (the same rule as count_tasks). A task that
     * leaves while alive deregisters and drains; one that is STOPPED left
     * abruptly (reference §2.3). */
    accumulate(sim);
    bool lb = sim->w.sc->service.load_balancer.enable;
    const int *ids;
    size_t n = service_take_changed(sim->w.service, &ids);
    for (size_t i = 0; i < n; i++) {
        const service_task *t = service_task_at(sim->w.service, (size_t)ids[i] - 1);
        bool ready = t->state == TASK_RUNNING && !t->stop_requested && (!lb || t->healthy);
        requests_task_state st = requests_task_get_state(rq, t->id);
        int rc = 0;
        if (ready && st != REQUESTS_TASK_READY)
            rc = requests_task_ready(rq, t->id);
        else if (!ready && st == REQUESTS_TASK_READY)
            rc = requests_task_leave(rq, t->id, t->state == TASK_STOPPED);
        else if (st == REQUESTS_TASK_DRAINING && t->state == TASK_STOPPED)
            rc = requests_task_leave(rq, t->id, true);
        if (rc == ECSIM_ENOMEM)
            sim->oom = 1;
    }
    int running, ready, pending;
    count_tasks(sim, &running, &ready, &pending);
    requests_segment_set(rq, running, ready);
}

static void fluid_tick(ecsim_engine *eng, void *ctx, uint64_t arg)
{
    (void)arg;
    scaling *sim = ctx;
    accumulate(sim);
    double next = ecsim_engine_now(eng) + FLUID_STEP_S;
    if (next <= sim->w.sc->duration_s && !ecsim_engine_schedule(eng, next, fluid_tick, sim, 0))
        sim->oom = 1;
}

/* ---- the autoscaler ------------------------------------------------------------------ */

static double policy_interval(const scaling *sim)
{
    if (sim->w.sc->autoscaler.policy == ECSIM_POLICY_HPA)
        return 15.0; /* --horizontal-pod-autoscaler-sync-period (reference §5.1) */
    return sim->w.sc->monitoring.period_s < 60.0 ? 10.0 : 60.0;
}

/* The newest POLICY_WINDOW periods of `metric` up to its newest published
 * one, oldest first; NAN where a datapoint is missing or not published yet. */
static size_t gather_datapoints(scaling *sim, int metric, double *out)
{
    ecsim_datapoint latest;
    double now = ecsim_engine_now(sim->w.eng);
    if (ecsim_metrics_latest(sim->metrics, metric, now, &latest) != 0)
        return 0;
    int64_t first = latest.period - POLICY_WINDOW + 1;
    if (first < 0)
        first = 0;
    return ecsim_metrics_window(sim->metrics, metric, first, latest.period, now, out);
}

/* ---- metrics-server (HPA runs) ------------------------------------------------------ */

static double metric_resolution(const scaling *sim)
{
    double res = sim->w.sc->autoscaler.hpa.metric_resolution_s;
    return res > 0 ? res : 15.0; /* a scenario built without the schema's defaults */
}

/* Take the scrapes that are due by now (reference §5.1 [K11]: metrics-server
 * collects every --metric-resolution, 15 s by default). A scrape at s gives
 * each pod's CPU averaged over the window since the previous scrape, as
 * metrics-server's rate of the cumulative CPU counter between two scrapes
 * does (§5.2: the sample's time is s, its window the resolution); MODEL:
 * memory and requests/s are averaged over the same window. A window in
 * which no pod received traffic leaves a pod at idle. Called by the scrape
 * event and by the HPA's sync first, so a scrape due at the sync's instant
 * is seen whatever the order of the two events. */
static void scrape_due(scaling *sim)
{
    double now = ecsim_engine_now(sim->w.eng);
    double res = metric_resolution(sim);
    const ecsim_task_spec *ts = &sim->w.sc->service.task;
    while ((double)(sim->scrape.count + 1) * res <= now + 1e-9) {
        accumulate(sim);
        double seconds = sim->scrape.seconds - sim->scrape.seconds0;
        if (seconds > 1e-12) {
            sim->scrape.cpu_pct = (sim->scrape.cpu - sim->scrape.cpu0) / seconds;
            sim->scrape.memory_pct = (sim->scrape.memory - sim->scrape.memory0) / seconds;
            sim->scrape.rps_avg = (sim->scrape.rps - sim->scrape.rps0) / seconds;
        } else {
            sim->scrape.cpu_pct = ts->cpu_idle_pct;
            sim->scrape.memory_pct = ts->memory_idle_pct;
            sim->scrape.rps_avg = 0.0;
        }
        sim->scrape.cpu0 = sim->scrape.cpu;
        sim->scrape.memory0 = sim->scrape.memory;
        sim->scrape.rps0 = sim->scrape.rps;
        sim->scrape.seconds0 = sim->scrape.seconds;
        sim->scrape.count++;
        sim->scrape.last_s = (double)sim->scrape.count * res;
    }
}

static void scrape_tick(ecsim_engine *eng, void *ctx, uint64_t arg)
{
    (void)arg;
    scaling *sim = ctx;
    scrape_due(sim);
    double next = (double)(sim->scrape.count + 1) * metric_resolution(sim);
    if (next <= sim->w.sc->duration_s && !ecsim_engine_schedule(eng, next, scrape_tick, sim, 0))
        sim->oom = 1;
}

/* The HPA's view of the pods: one per task that is not STOPPED, twice:
 * `pods` with the CPU request / usage, `memory_pods` with the memory
 * reservation / usage (milli-MiB); both carry the pods metric value_m, the
 * requests per second the pod serves x 1000. Samples are metrics-server's
 * latest scrape (scrape_due), not the load at the sync: a pod receiving
 * traffic shows the window's averages, one that does not sits at idle, and
 * a pod whose container was not running for the whole window has no
 * sample yet (metrics-server needs two scrapes of its counter; the HPA
 * counts it as missing, reference §5.2). */
static size_t gather_pods(scaling *sim, ecsim_hpa_pod *pods, ecsim_hpa_pod *memory_pods,
                          size_t max)
{
    const ecsim_task_spec *ts = &sim->w.sc->service.task;
    double res = metric_resolution(sim);
    double sample_s = sim->scrape.last_s;
    size_t n = 0;
    const double memory_request_m = ts->memory_gb * 1024.0 * 1000.0;
    for (const service_task *t = service_live_first(sim->w.service); t && n < max; t = service_live_next(sim->w.service, t)) {
        ecsim_hpa_pod *p = &pods[n];
        ecsim_hpa_pod *mp = &memory_pods[n];
        n++;
        ecsim_hpa_pod_init(p);
        p->request_m = ts->vcpu * 1000.0;
        if (t->state < TASK_RUNNING) {
            p->phase = ECSIM_POD_PENDING;
            *mp = *p;
            mp->request_m = memory_request_m;
            continue;
        }
        p->deleting = t->stop_requested || t->state > TASK_RUNNING;
        bool receives = !p->deleting && (!sim->w.sc->service.load_balancer.enable || t->healthy);
        p->ready = t->healthy;
        p->has_metric = isfinite(sample_s) && t->running_s <= sample_s - res + 1e-9;
        double cpu = receives ? sim->scrape.cpu_pct : ts->cpu_idle_pct;
        p->usage_m = p->request_m * cpu / 100.0;
        p->value_m = receives ? sim->scrape.rps_avg * 1000.0 : 0.0;
        p->has_timing = true;
        p->start_s = t->running_s;
        p->ready_transition_s = t->healthy ? t->running_s + 40.0 : t->running_s;
        p->sample_time_s = isfinite(sample_s) ? sample_s : 0.0;
        p->sample_window_s = res;
        *mp = *p;
        mp->request_m = memory_request_m;
        mp->usage_m =
            memory_request_m * (receives ? sim->scrape.memory_pct : ts->memory_idle_pct) / 100.0;
    }
    return n;
}

static void apply_decision(scaling *sim, const ecsim_decision *d)
{
    ecsim_summary *s = sim->w.summary;
    int current = service_desired(sim->w.service);
    sim->scale_min = d->min;
    sim->scale_max = d->max;
    if (d->desired == current)
        return;
    bool out = d->desired > current;
    double now = ecsim_engine_now(sim->w.eng);
    ecsim_summary_note_action(s, now, current, d->desired);
    ecsim_summary_note_desired(s, now, d->desired);
    char label[96];
    snprintf(label, sizeof label, "%d -> %d", current, d->desired);
    if (ecsim_timeline_add_marker(sim->w.timeline, ecsim_engine_now(sim->w.eng),
                                  out ? ECSIM_MARK_SCALE_OUT : ECSIM_MARK_SCALE_IN, label) ==
        ECSIM_ENOMEM)
        sim->oom = 1;
    char rescaled[768];
    sc_log(sim, "%s", platform_rescale_message(sim->w.platform, d->policy, svc(sim), current, d->desired,
                                               d->reason, rescaled, sizeof rescaled));
    service_set_desired(sim->w.service, d->desired);
    sim->w.now->desired = d->desired;
}

/* Does this evaluation go to decisions.csv under report.decisions:
 * changes (issue 10 point 6)? Yes when it changes something or crosses a
 * boundary: the first evaluation; a new desired count or an action; a
 * proposal held back (stabilised, rate-limited, clamped or refused, so it
 * differs from the new desired count); an alarm that changes state; the
 * metric crossing the target (or appearing / going missing); new min / max
 * bounds (scheduled actions); another metric deciding. Everything else is
 * a quiet evaluation: counted in summary.json scaling.quiet_evaluations. */
static bool decision_matters(const scaling *sim, const ecsim_decision *d)
{
    if (!sim->prev.seen || d->desired != d->current || d->action != ECSIM_SCALE_NONE)
        return true;
    const int held[] = {d->proposal, d->stabilized, d->limited, d->clamped};
    for (size_t i = 0; i < sizeof held / sizeof held[0]; i++)
        if (held[i] >= 0 && held[i] != d->desired)
            return true;
    if (d->alarm_high != sim->prev.alarm_high || d->alarm_low != sim->prev.alarm_low ||
        d->min != sim->prev.min || d->max != sim->prev.max ||
        strcmp(d->metric, sim->prev.metric) != 0)
        return true;
    if (isfinite(d->value) != isfinite(sim->prev.value))
        return true;
    if (isfinite(d->value) && isfinite(d->target) &&
        (d->value > d->target) != (sim->prev.value > d->target))
        return true;
    return false;
}

static void remember_decision(scaling *sim, const ecsim_decision *d)
{
    sim->prev.seen = true;
    sim->prev.value = d->value;
    sim->prev.alarm_high = d->alarm_high;
    sim->prev.alarm_low = d->alarm_low;
    sim->prev.min = d->min;
    sim->prev.max = d->max;
    snprintf(sim->prev.metric, sizeof sim->prev.metric, "%s", d->metric);
}

static void policy_tick(ecsim_engine *eng, void *ctx, uint64_t arg)
{
    (void)arg;
    scaling *sim = ctx;
    accumulate(sim);
    double datapoints[ECSIM_POLICY_METRICS][POLICY_WINDOW];
    int running, ready, pending;
    count_tasks(sim, &running, &ready, &pending);
    ecsim_policy_obs obs;
    memset(&obs, 0, sizeof obs);
    obs.now_s = ecsim_engine_now(eng);
    obs.current = service_desired(sim->w.service);
    obs.running = running;
    obs.ready = ready;
    obs.min = sim->scale_min;
    obs.max = sim->scale_max;
    /* Every metric's datapoints: the main one for every policy, the others
     * for a policy that reads several (target tracking, reference §1.2). */
    for (int m = 0; m < ECSIM_POLICY_METRICS; m++) {
        obs.metric_datapoints[m] = datapoints[m];
        obs.metric_datapoint_count[m] = gather_datapoints(sim, m, datapoints[m]);
    }
    int main_metric = (int)sim->w.sc->autoscaler.metric;
    obs.datapoints = datapoints[main_metric];
    obs.datapoint_count = obs.metric_datapoint_count[main_metric];
    obs.period_s = sim->w.sc->monitoring.period_s;
    if (sim->w.sc->autoscaler.policy == ECSIM_POLICY_HPA) {
        scrape_due(sim); /* a scrape at this instant comes before the sync */
        /* One pod per task that is not STOPPED. */
        size_t alive = service_task_count(sim->w.service) - (size_t)service_count(sim->w.service, TASK_STOPPED);
        size_t need = alive ? alive : 1;
        if (need > sim->pod_capacity) {
            ecsim_hpa_pod *p = ecsim_reallocarray(sim->pods, need, sizeof *p);
            ecsim_hpa_pod *mp = p ? ecsim_reallocarray(sim->memory_pods, need, sizeof *mp) : NULL;
            if (p)
                sim->pods = p;
            if (mp)
                sim->memory_pods = mp;
            if (!p || !mp) {
                sim->oom = 1;
                return;
            }
            sim->pod_capacity = need;
        }
        obs.pods = sim->pods;
        obs.memory_pods = sim->memory_pods;
        obs.pod_count = gather_pods(sim, sim->pods, sim->memory_pods, sim->pod_capacity);
    }
    const service_deployment *dp = service_primary(sim->w.service);
    obs.deployment_in_progress = dp && dp->rollout == ROLLOUT_IN_PROGRESS;
    obs.demand = sim->demand_history;
    obs.demand_count = sim->demand_count;
    obs.demand_total = sim->demand_total;
    obs.demand_period_s = sim->w.sc->monitoring.period_s;
    int rc = ecsim_policy_evaluate(sim->policy, &obs, &sim->decision);
    if (rc == ECSIM_ENOMEM)
        sim->oom = 1;
    if (rc == 0) {
        ecsim_summary *s = sim->w.summary;
        bool matters = decision_matters(sim, &sim->decision);
        s->evaluations++;
        if (!matters)
            s->quiet_evaluations++;
        if (matters || sim->w.sc->report.decisions == ECSIM_DECISIONS_ALL)
            ecsim_decision_csv_row(sim->decisions_fp, &sim->decision);
        remember_decision(sim, &sim->decision);
        apply_decision(sim, &sim->decision);
    }
    double next = obs.now_s + policy_interval(sim);
    if (next <= sim->w.sc->duration_s && !ecsim_engine_schedule(eng, next, policy_tick, sim, 0))
        sim->oom = 1;
}

void scaling_start(scaling *sim)
{
    double now = ecsim_engine_now(sim->w.eng);
    sim->last_fluid_s = now;
    if (sim->requests) {
        /* Requests mode: arrivals from the service's creation, as fluid
         * mode counts demand from then; no fluid tick. */
        int running, ready, pending;
        count_tasks(sim, &running, &ready, &pending);
        requests_segment_set(sim->requests, running, ready);
        if (requests_start(sim->requests) != 0)
            sim->oom = 1;
    } else {
        double next = floor(now / FLUID_STEP_S + 1.0) * FLUID_STEP_S;
        if (next <= sim->w.sc->duration_s &&
            !ecsim_engine_schedule(sim->w.eng, next, fluid_tick, sim, 0))
            sim->oom = 1;
    }
    if (sim->w.sc->autoscaler.policy == ECSIM_POLICY_NONE)
        return;
    if (sim->w.sc->autoscaler.policy == ECSIM_POLICY_HPA) {
        /* metrics-server scrapes at multiples of its resolution; the first
         * window starts now. */
        double res = metric_resolution(sim);
        sim->scrape.count = (long long)floor(now / res + 1e-9);
        double next = (double)(sim->scrape.count + 1) * res;
        if (next <= sim->w.sc->duration_s &&
            !ecsim_engine_schedule(sim->w.eng, next, scrape_tick, sim, 0))
            sim->oom = 1;
    }
    /* Evaluations on the policy's own clock, aligned to multiples of it. */
    double step = policy_interval(sim);
    double first = floor(now / step + 1.0) * step;
    if (first <= sim->w.sc->duration_s && !ecsim_engine_schedule(sim->w.eng, first, policy_tick, sim, 0))
        sim->oom = 1;
}

/* ---- periods -------------------------------------------------------------------------- */

/* The period ending at `now` is in the windows where it ends (summary.h):
 * its latencies go to their histograms, its SLO breach time to their
 * figures. */
static void windows_period_latency(scaling *sim, double now, const ecsim_histogram *h,
                                   double breach_s)
{
    ecsim_summary *s = sim->w.summary;
    for (size_t i = 0; sim->window_latency && i < s->window_count; i++) {
        ecsim_window_figures *w = &s->windows[i];
        if (!ecsim_window_holds(w, now, now))
            continue;
        ecsim_histogram_merge(&sim->window_latency[i], h);
        w->slo_breach_s += breach_s;
    }
}

/* The cumulative cost now (compute and control plane so far, plus the
 * registry storage so far), for the windows that start or end now. */
static void windows_note_cost(scaling *sim, double now, double so_far_usd)
{
    ecsim_summary *s = sim->w.summary;
    bool bound = false;
    for (size_t i = 0; i < s->window_count; i++)
        bound |= s->windows[i].from_s == now || s->windows[i].to_s == now;
    if (!bound)
        return;
    ecsim_cost cost;
    ecsim_cost_init(&cost);
    for (size_t i = 0; i < registry_image_count(sim->w.registry); i++) {
        const registry_image *img = registry_image_at(sim->w.registry, i);
        if (isfinite(img->pushed_s) && img->pushed_s <= now)
            ecsim_cost_add_registry(&cost, &sim->w.sc->pricing, img->size_mb, img->pushed_s, now);
    }
    ecsim_summary_note_cost(s, now, so_far_usd + cost.registry_usd);
}

void scaling_period_end(scaling *sim)
{
    accumulate(sim);
    double now = ecsim_engine_now(sim->w.eng);
    double period = sim->w.sc->monitoring.period_s;
    /* The period runs from the previous row (0 for the first): a run that
     * ends inside a period has a shorter last one, and its rates are its
     * volumes over its own length, not over a whole period. */
    size_t rows_so_far = ecsim_timeline_count(sim->w.timeline);
    double start = rows_so_far ? ecsim_timeline_row_at(sim->w.timeline, rows_so_far - 1)->time_s
                               : (now - period < 0 ? 0 : now - period);
    if (ecsim_metrics_close_until(sim->metrics, now + 1e-9) != 0)
        sim->oom = 1;
    double demand_all = ecsim_load_mean_rate(sim->load, start, now);
    /* Only the predictive policy reads the demand history (the count for
     * its bucket alignment, the values of its look-back: the last 14 days);
     * every policy runs in constant memory here. */
    bool keep_history = sim->w.sc->autoscaler.policy == ECSIM_POLICY_PREDICTIVE;
    if (keep_history && sim->demand_keep == 0) {
        sim->demand_keep = ecsim_predictive_lookback(&sim->policy_cfg.predictive, period);
        if (sim->demand_keep == 0)
            sim->demand_keep = 1;
    }
    if (keep_history && sim->demand_count == 2 * sim->demand_keep) {
        /* Slide: keep the newest demand_keep values. */
        memmove(sim->demand_history, sim->demand_history + sim->demand_keep,
                sim->demand_keep * sizeof *sim->demand_history);
        sim->demand_count = sim->demand_keep;
    }
    if (keep_history && sim->demand_count == sim->demand_capacity) {
        size_t cap = sim->demand_capacity ? sim->demand_capacity * 2 : 256;
        if (cap > 2 * sim->demand_keep)
            cap = 2 * sim->demand_keep;
        double *h = ecsim_reallocarray(sim->demand_history, cap, sizeof *h);
        if (!h) {
            sim->oom = 1;
            return;
        }
        sim->demand_history = h;
        sim->demand_capacity = cap;
    }
    if (keep_history) {
        sim->demand_history[sim->demand_count++] = demand_all;
        sim->demand_total++;
    }

    ecsim_timeline_row row = ecsim_timeline_row_empty();
    int running, ready, pending;
    count_tasks(sim, &running, &ready, &pending);
    row.time_s = now;
    row.demand_rps = demand_all;
    row.desired = service_is_provisioned(sim->w.service) ? service_desired(sim->w.service) : 0;
    row.running = running;
    row.pending = pending;
    if (sim->acc.seconds > 0) {
        /* Part of the period before the service existed counts as capacity 0. */
        double span = now - start;
        row.capacity_rps = sim->acc.capacity / span;
        row.served_rps = sim->acc.served / span;
        row.unserved_rps = sim->acc.unserved / span;
        if (sim->acc.cpu_seconds > 0) {
            row.cpu_pct = sim->acc.cpu / sim->acc.cpu_seconds;
            row.memory_pct = sim->acc.memory / sim->acc.cpu_seconds;
        }
    } else {
        row.capacity_rps = 0;
    }
    if (sim->requests) {
        /* Latency of the requests completed in this period (NaN if none). */
        const ecsim_histogram *h = requests_latency_period(sim->requests);
        row.p50_ms = 1000.0 * ecsim_histogram_quantile(h, 0.50);
        row.p95_ms = 1000.0 * ecsim_histogram_quantile(h, 0.95);
        row.p99_ms = 1000.0 * ecsim_histogram_quantile(h, 0.99);
        /* SLO breach: the period counts whole when its p99 is above the
         * SLO; a period without a completed request (p99 NaN) does not. */
        double slo_ms = 1000.0 * sim->w.summary->slo_p99_s;
        bool breach = slo_ms > 0 && isfinite(row.p99_ms) && row.p99_ms > slo_ms;
        if (breach)
            sim->w.summary->slo_breach_s += now - start;
        windows_period_latency(sim, now, h, breach ? now - start : 0.0);
        requests_period_reset(sim->requests);
    }
    row.cost_usd = platform_cost_so_far(sim->w.platform, sim->w.service, now);
    windows_note_cost(sim, now, row.cost_usd);
    row.target = scaling_cpu_target(sim);
    if (ecsim_timeline_append(sim->w.timeline, &row) != 0)
        sim->oom = 1;
    memset(&sim->acc, 0, sizeof sim->acc);
}

/* Requests mode at the end: latencies completed after the last period
 * closed (at the end itself) go to the windows ending then; replayed
 * arrivals before the service existed count (arrived and rejected) in
 * windows from 0; each window's latency figures from its histogram, as the
 * whole run's. */
static void windows_finish_requests(scaling *sim, double end, uint64_t early)
{
    ecsim_summary *s = sim->w.summary;
    if (!sim->window_latency)
        return;
    const ecsim_histogram *rest = requests_latency_period(sim->requests);
    for (size_t i = 0; i < s->window_count; i++) {
        ecsim_window_figures *w = &s->windows[i];
        ecsim_histogram *h = &sim->window_latency[i];
        if (rest->count > 0 && ecsim_window_holds(w, end, end))
            ecsim_histogram_merge(h, rest);
        if (w->from_s == 0) {
            w->requests_arrived += early;
            w->requests_rejected += early;
        }
        w->latency_mean_s = ecsim_histogram_mean(h);
        w->latency_p50_s = ecsim_histogram_quantile(h, 0.50);
        w->latency_p95_s = ecsim_histogram_quantile(h, 0.95);
        w->latency_p99_s = ecsim_histogram_quantile(h, 0.99);
        w->latency_max_s = h->count ? h->max : NAN;
    }
}

void scaling_finish(scaling *sim)
{
    const ecsim_scenario *sc = sim->w.sc;
    double end = sc->duration_s;
    accumulate(sim);
    if (isfinite(sim->shortfall_since_s))
        note_shortfall(sim, false, end);
    ecsim_cost cost;
    ecsim_cost_init(&cost);
    platform_cost_final(sim->w.platform, sim->w.service, end, &cost);
    for (size_t i = 0; i < registry_image_count(sim->w.registry); i++) {
        const registry_image *img = registry_image_at(sim->w.registry, i);
        ecsim_cost_add_registry(&cost, &sc->pricing, img->size_mb, img->pushed_s, end);
    }
    ecsim_summary *s = sim->w.summary;
    s->cost_total = cost.total_usd;
    s->cost_compute = cost.compute_usd;
    s->cost_control_plane = cost.control_plane_usd;
    s->cost_registry = cost.registry_usd;
    s->vcpu_hours = cost.vcpu_hours;
    s->gb_hours = cost.gb_hours;
    s->instance_hours = cost.instance_hours;
    s->latency_mean_s = s->latency_p50_s = s->latency_p95_s = s->latency_p99_s = NAN;
    s->latency_max_s = s->wait_mean_s = NAN;
    if (sim->requests) {
        const requests_totals *rt = requests_get_totals(sim->requests);
        const ecsim_histogram *lat = requests_latency_run(sim->requests);
        /* Replayed arrivals that came before the service could take any
         * (issue 10 point 6) are not dropped silently: each is an arrival
         * and a rejection (a 503: no target), and the log says how many. */
        uint64_t early = requests_replay_skipped(sim->requests);
        if (early > 0)
            sc_log(sim, "%" PRIu64 " replayed arrivals came before the service existed: "
                        "counted as arrived and rejected (no target to route them to)",
                   early);
        s->requests_arrived = rt->arrived + early;
        s->requests_served = rt->served;
        s->requests_rejected = rt->rejected + early;
        s->requests_timed_out = rt->timed_out;
        s->requests_failed = rt->failed;
        s->latency_mean_s = ecsim_histogram_mean(lat);
        s->latency_p50_s = ecsim_histogram_quantile(lat, 0.50);
        s->latency_p95_s = ecsim_histogram_quantile(lat, 0.95);
        s->latency_p99_s = ecsim_histogram_quantile(lat, 0.99);
        s->latency_max_s = rt->served ? lat->max : NAN;
        s->wait_mean_s = rt->served ? rt->wait_sum_s / (double)rt->served : NAN;
        windows_finish_requests(sim, end, early);
    }
    if (sim->decisions_fp && fflush(sim->decisions_fp) != 0)
        sim->oom = 1;
}
