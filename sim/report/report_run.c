/* Reports of one run (include/ecsim/report.h): the seed's execution table
 * and status tracker built from the lifecycle recorder, summary.json with
 * DESIGN.md's keys, events.log, and the output folder of `ecsim run`. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ecsim/alloc.h"
#include "ecsim/error.h"
#include "ecsim/interrupt.h"
#include "ecsim/output.h"
#include "ecsim/plot.h"
#include "ecsim/policy.h"
#include "ecsim/report.h"
#include "ecsim/report_page.h"
#include "ecsim/scenario.h"
#include "ecsim/sim.h"
#include "ecsim/table.h"
#include "ecsim/timeline.h"
#include "ecsim/version.h"
#include "model/platform.h"

/* ---- tables -------------------------------------------------------------------- */

ecsim_table *ecsim_report_execution_table(const ecsim_sim *sim)
{
    static const char *const header[] = {"Step", "Time", "Action", "AWS role", "Result"};
    static const ecsim_col_kind kinds[] = {ECSIM_COL_NUMBER, ECSIM_COL_TEXT, ECSIM_COL_TEXT,
                                           ECSIM_COL_TEXT, ECSIM_COL_TEXT};
    ecsim_table *t = ecsim_table_create("execution", "Execution table", 5, header, kinds);
    if (!t || ecsim_report_tag_table(t, sim) != 0) {
        ecsim_table_destroy(t);
        return NULL;
    }
    for (int s = 1; s <= ECSIM_STEP_COUNT; s++) {
        const ecsim_step_record *r = ecsim_sim_step_record(sim, s);
        char step[16], clock[32];
        snprintf(step, sizeof step, "%d", s);
        ecsim_fmt_clock(clock, sizeof clock, r->reached ? r->time_s : NAN);
        const char *cells[] = {step, clock, r->action, r->role, r->result};
        if (ecsim_table_add_row(t, cells) != 0) {
            ecsim_table_destroy(t);
            return NULL;
        }
    }
    return t;
}

typedef enum tracked_var {
    VAR_IMAGE,
    VAR_INFRA,
    VAR_DEPLOYMENT,
    VAR_DESIRED,
    VAR_RUNNING,
    VAR_DEMAND,
    VAR_CAPACITY,
    VAR_COUNT
} tracked_var;

static const char *const var_names[VAR_COUNT] = {
    "App Container Image", "AWS Infrastructure", "Deployment",     "Desired tasks",
    "Running tasks",       "Demand (rps)",       "Capacity (rps)",
};

static void tracked_cell(char *buf, size_t size, const ecsim_tracked *v, tracked_var var)
{
    switch (var) {
    case VAR_IMAGE: snprintf(buf, size, "%s", v->image); break;
    case VAR_INFRA: snprintf(buf, size, "%s", v->infrastructure); break;
    case VAR_DEPLOYMENT: snprintf(buf, size, "%s", v->deployment); break;
    case VAR_DESIRED: snprintf(buf, size, "%d", v->desired); break;
    case VAR_RUNNING: snprintf(buf, size, "%d", v->running); break;
    case VAR_DEMAND: ecsim_fmt_num(buf, size, round(v->demand_rps * 10) / 10); break;
    case VAR_CAPACITY: ecsim_fmt_num(buf, size, round(v->capacity_rps * 10) / 10); break;
    case VAR_COUNT: buf[0] = '\0'; break;
    }
}

/* Columns Start, After Step 1 … After Step 5, Final — the seed's layout:
 * Final is the state at the end of the run (after step 6 and whatever
 * happened until the end). */
ecsim_table *ecsim_report_status_table(const ecsim_sim *sim)
{
    enum { NCOLS = 1 + 1 + (ECSIM_STEP_MONITOR - 1) + 1 };
    char headers[NCOLS][24];
    const char *header[NCOLS];
    ecsim_col_kind kinds[NCOLS];
    snprintf(headers[0], sizeof headers[0], "Variable");
    snprintf(headers[1], sizeof headers[1], "Start");
    for (int s = 1; s < ECSIM_STEP_MONITOR; s++)
        snprintf(headers[1 + s], sizeof headers[1 + s], "After Step %d", s);
    snprintf(headers[NCOLS - 1], sizeof headers[NCOLS - 1], "Final");
    for (int c = 0; c < NCOLS; c++) {
        header[c] = headers[c];
        kinds[c] = ECSIM_COL_TEXT;
    }
    ecsim_table *t = ecsim_table_create("status", "Status tracker", NCOLS, header, kinds);
    if (!t || ecsim_report_tag_table(t, sim) != 0) {
        ecsim_table_destroy(t);
        return NULL;
    }
    const ecsim_step_record *end = ecsim_sim_step_record(sim, ECSIM_STEP_END);
    for (int v = 0; v < VAR_COUNT; v++) {
        char cells[NCOLS][96];
        const char *row[NCOLS];
        snprintf(cells[0], sizeof cells[0], "%s", var_names[v]);
        if (v == VAR_DESIRED || v == VAR_RUNNING) /* the platform's word: tasks or pods */
            snprintf(cells[0], sizeof cells[0], "%s %s", v == VAR_DESIRED ? "Desired" : "Running",
                     platform_kind_of(ecsim_sim_scenario(sim)->service.platform)->words.tasks);
        tracked_cell(cells[1], sizeof cells[1], ecsim_sim_start_state(sim), (tracked_var)v);
        for (int s = 1; s < ECSIM_STEP_MONITOR; s++) {
            const ecsim_step_record *r = ecsim_sim_step_record(sim, s);
            if (r->reached)
                tracked_cell(cells[1 + s], sizeof cells[1 + s], &r->after, (tracked_var)v);
            else
                snprintf(cells[1 + s], sizeof cells[1 + s], "—");
        }
        if (end->reached)
            tracked_cell(cells[NCOLS - 1], sizeof cells[NCOLS - 1], &end->after, (tracked_var)v);
        else
            snprintf(cells[NCOLS - 1], sizeof cells[NCOLS - 1], "—");
        for (int c = 0; c < NCOLS; c++)
            row[c] = cells[c];
        if (ecsim_table_add_row(t, row) != 0) {
            ecsim_table_destroy(t);
            return NULL;
        }
    }
    return t;
}

/* ---- summary.json and events.log ------------------------------------------------------ */

static void json_num_or_null(ecsim_json *j, const char *key, double v)
{
    ecsim_json_key(j, key);
    ecsim_json_number(j, v); /* non-finite -> null */
}

/* The `requests` object: the counts in requests mode, null in fluid mode,
 * which has no individual requests (issue 9 point 13: null for a figure
 * that does not apply, never a misleading 0). */
static void json_request_counts(ecsim_json *j, bool rq_mode, unsigned long long arrived,
                                unsigned long long served, unsigned long long rejected,
                                unsigned long long timed_out, unsigned long long failed)
{
    static const char *const keys[] = {"arrived", "served", "rejected", "timed_out", "failed"};
    const unsigned long long v[] = {arrived, served, rejected, timed_out, failed};
    ecsim_json_key(j, "requests");
    ecsim_json_begin_object(j);
    for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
        ecsim_json_key(j, keys[k]);
        if (rq_mode)
            ecsim_json_int(j, (long long)v[k]);
        else
            ecsim_json_null(j);
    }
    ecsim_json_end_object(j);
}

/* `windows`: one object per window of the run (summary.h), under the
 * whole-run figures' names; written only when the run has windows. */
static void windows_json(ecsim_json *j, const ecsim_summary *s, bool rq_mode, bool slo)
{
    ecsim_json_key(j, "windows");
    ecsim_json_begin_object(j);
    for (size_t i = 0; i < s->window_count; i++) {
        const ecsim_window_figures *w = &s->windows[i];
        ecsim_json_key(j, w->name);
        ecsim_json_begin_object(j);
        json_num_or_null(j, "from_s", w->from_s);
        json_num_or_null(j, "to_s", w->to_s);
        ecsim_json_key(j, "scaling");
        ecsim_json_begin_object(j);
        ecsim_json_key(j, "actions");
        ecsim_json_int(j, w->scaling_actions);
        ecsim_json_key(j, "scale_outs");
        ecsim_json_int(j, w->scale_outs);
        ecsim_json_key(j, "scale_ins");
        ecsim_json_int(j, w->scale_ins);
        json_num_or_null(j, "first_scale_out_s", w->first_scale_out_s);
        ecsim_json_key(j, "max_desired");
        ecsim_json_int(j, w->max_desired);
        ecsim_json_key(j, "min_desired");
        ecsim_json_int(j, w->min_desired);
        ecsim_json_end_object(j);
        ecsim_json_key(j, "capacity");
        ecsim_json_begin_object(j);
        json_num_or_null(j, "under_capacity_s", w->under_capacity_s);
        json_num_or_null(j, "unserved_requests", w->unserved_requests);
        json_num_or_null(j, "over_provisioned_task_hours", w->over_provisioned_task_hours);
        json_num_or_null(j, "task_hours", w->task_hours);
        ecsim_json_end_object(j);
        json_request_counts(j, rq_mode, w->requests_arrived, w->requests_served,
                            w->requests_rejected, w->requests_timed_out, w->requests_failed);
        ecsim_json_key(j, "latency_s");
        ecsim_json_begin_object(j);
        const double lat[] = {w->latency_mean_s, w->latency_p50_s, w->latency_p95_s,
                              w->latency_p99_s, w->latency_max_s};
        static const char *const lat_keys[] = {"mean", "p50", "p95", "p99", "max"};
        for (size_t k = 0; k < sizeof lat_keys / sizeof lat_keys[0]; k++)
            json_num_or_null(j, lat_keys[k], rq_mode ? lat[k] : NAN);
        json_num_or_null(j, "slo_p99_s", slo ? s->slo_p99_s : NAN);
        json_num_or_null(j, "slo_breach_s", slo ? w->slo_breach_s : NAN);
        ecsim_json_end_object(j);
        ecsim_json_key(j, "cost_usd");
        ecsim_json_begin_object(j);
        json_num_or_null(j, "total", w->cost_total);
        ecsim_json_end_object(j);
        ecsim_json_end_object(j);
    }
    ecsim_json_end_object(j);
}

int ecsim_report_summary_json(const ecsim_sim *sim, FILE *out)
{
    return ecsim_report_summary_json_with(sim, NULL, 0, out);
}

static int summary_json(const ecsim_sim *sim, const char *const *overrides, size_t noverrides,
                        bool compact, FILE *out)
{
    const ecsim_scenario *sc = ecsim_sim_scenario(sim);
    const ecsim_summary *s = ecsim_sim_summary(sim);
    ecsim_json j;
    ecsim_json_init(&j, out, compact);
    ecsim_json_begin_object(&j);
    ecsim_json_key(&j, "schema_version");
    ecsim_json_int(&j, ECSIM_SUMMARY_SCHEMA_VERSION);
    ecsim_json_key(&j, "ecsim_version");
    ecsim_json_string(&j, ECSIM_VERSION);
    ecsim_json_key(&j, "scenario");
    ecsim_json_string(&j, sc->name);
    ecsim_json_key(&j, "scenario_sha256");
    ecsim_json_string(&j, sc->sha256);
    ecsim_json_key(&j, "seed");
    ecsim_json_uint(&j, ecsim_sim_seed(sim));
    ecsim_json_key(&j, "overrides"); /* the --set K=V, verbatim, in order */
    ecsim_json_begin_array(&j);
    for (size_t i = 0; i < noverrides; i++)
        ecsim_json_string(&j, overrides[i]);
    ecsim_json_end_array(&j);
    json_num_or_null(&j, "duration_s", sc->duration_s);
    ecsim_json_key(&j, "outcome");
    ecsim_json_string(&j, s->outcome);

    ecsim_json_key(&j, "lifecycle");
    ecsim_json_begin_object(&j);
    ecsim_json_key(&j, "steps");
    ecsim_json_begin_array(&j);
    for (int st = 1; st <= ECSIM_STEP_COUNT; st++) {
        const ecsim_step_record *r = ecsim_sim_step_record(sim, st);
        ecsim_json_begin_object(&j);
        ecsim_json_key(&j, "step");
        ecsim_json_int(&j, st);
        json_num_or_null(&j, "time_s", r->reached ? r->time_s : NAN);
        ecsim_json_key(&j, "reached");
        ecsim_json_bool(&j, r->reached);
        ecsim_json_key(&j, "failed");
        ecsim_json_bool(&j, r->failed);
        ecsim_json_key(&j, "action");
        ecsim_json_string(&j, r->action);
        ecsim_json_key(&j, "aws_role");
        ecsim_json_string(&j, r->role);
        ecsim_json_key(&j, "result");
        ecsim_json_string(&j, r->result);
        ecsim_json_key(&j, "image");
        ecsim_json_string(&j, r->reached ? r->after.image : NULL);
        ecsim_json_key(&j, "infrastructure");
        ecsim_json_string(&j, r->reached ? r->after.infrastructure : NULL);
        ecsim_json_end_object(&j);
    }
    ecsim_json_end_array(&j);
    ecsim_json_end_object(&j);

    ecsim_json_key(&j, "scaling");
    ecsim_json_begin_object(&j);
    ecsim_json_key(&j, "policy");
    ecsim_json_string(&j, ecsim_policy_kind_name(sc->autoscaler.policy));
    ecsim_json_key(&j, "actions");
    ecsim_json_int(&j, s->scaling_actions);
    ecsim_json_key(&j, "scale_outs");
    ecsim_json_int(&j, s->scale_outs);
    ecsim_json_key(&j, "scale_ins");
    ecsim_json_int(&j, s->scale_ins);
    json_num_or_null(&j, "first_scale_out_s", s->first_scale_out_s);
    ecsim_json_key(&j, "max_desired");
    ecsim_json_int(&j, s->max_desired);
    ecsim_json_key(&j, "min_desired");
    ecsim_json_int(&j, s->min_desired);
    /* null without a policy: nothing was evaluated */
    bool evaluated = sc->autoscaler.policy != ECSIM_POLICY_NONE;
    json_num_or_null(&j, "evaluations", evaluated ? (double)s->evaluations : NAN);
    json_num_or_null(&j, "quiet_evaluations", evaluated ? (double)s->quiet_evaluations : NAN);
    ecsim_json_end_object(&j);

    ecsim_json_key(&j, "capacity");
    ecsim_json_begin_object(&j);
    json_num_or_null(&j, "under_capacity_s", s->under_capacity_s);
    ecsim_json_key(&j, "shortfall_episodes");
    ecsim_json_int(&j, s->shortfall_episodes);
    json_num_or_null(&j, "mean_time_to_capacity_s",
                     s->shortfall_episodes ? s->time_to_capacity_total_s / s->shortfall_episodes : NAN);
    json_num_or_null(&j, "max_time_to_capacity_s", s->shortfall_episodes ? s->max_time_to_capacity_s : NAN);
    json_num_or_null(&j, "unserved_requests", s->unserved_requests);
    json_num_or_null(&j, "under_capacity_after_steady_s", s->under_capacity_after_steady_s);
    json_num_or_null(&j, "unserved_after_steady_requests", s->unserved_after_steady_requests);
    json_num_or_null(&j, "over_provisioned_task_hours", s->over_provisioned_task_hours);
    json_num_or_null(&j, "task_hours", s->task_hours);
    ecsim_json_end_object(&j);

    ecsim_json_key(&j, "tasks");
    ecsim_json_begin_object(&j);
    ecsim_json_key(&j, "started");
    ecsim_json_int(&j, s->tasks_started);
    ecsim_json_key(&j, "failed_to_start");
    ecsim_json_int(&j, s->tasks_failed);
    ecsim_json_key(&j, "replaced");
    ecsim_json_int(&j, s->tasks_replaced);
    ecsim_json_key(&j, "running_at_end");
    ecsim_json_int(&j, ecsim_sim_step_record(sim, ECSIM_STEP_END)->after.running);
    ecsim_json_end_object(&j);

    ecsim_json_key(&j, "deployments");
    ecsim_json_begin_object(&j);
    ecsim_json_key(&j, "started");
    ecsim_json_int(&j, s->deployments);
    ecsim_json_key(&j, "failed");
    ecsim_json_int(&j, s->deployments_failed);
    ecsim_json_key(&j, "rollbacks");
    ecsim_json_int(&j, s->rollbacks);
    ecsim_json_key(&j, "updates");
    ecsim_json_int(&j, s->updates);
    ecsim_json_key(&j, "updates_failed");
    ecsim_json_int(&j, s->updates_failed);
    ecsim_json_end_object(&j);

    /* Requests mode fills these from the summary; fluid mode has no
     * individual requests (null counts, null latency: they do not apply). */
    bool rq_mode = sc->load.mode == ECSIM_LOAD_REQUESTS;
    json_request_counts(&j, rq_mode, s->requests_arrived, s->requests_served,
                        s->requests_rejected, s->requests_timed_out, s->requests_failed);
    ecsim_json_key(&j, "latency_s");
    ecsim_json_begin_object(&j);
    const double lat[] = {s->latency_mean_s, s->latency_p50_s, s->latency_p95_s, s->latency_p99_s,
                          s->latency_max_s};
    static const char *const lat_keys[] = {"mean", "p50", "p95", "p99", "max"};
    for (size_t i = 0; i < sizeof lat_keys / sizeof lat_keys[0]; i++)
        json_num_or_null(&j, lat_keys[i], rq_mode ? lat[i] : NAN);
    /* null unless requests mode with load.requests.slo_p99 set */
    bool slo = rq_mode && s->slo_p99_s > 0;
    json_num_or_null(&j, "slo_p99_s", slo ? s->slo_p99_s : NAN);
    json_num_or_null(&j, "slo_breach_s", slo ? s->slo_breach_s : NAN);
    ecsim_json_end_object(&j);
    ecsim_json_key(&j, "wait_s");
    ecsim_json_begin_object(&j);
    json_num_or_null(&j, "mean", rq_mode ? s->wait_mean_s : NAN);
    ecsim_json_end_object(&j);

    ecsim_json_key(&j, "cost_usd");
    ecsim_json_begin_object(&j);
    json_num_or_null(&j, "total", s->cost_total);
    json_num_or_null(&j, "compute", s->cost_compute);
    json_num_or_null(&j, "control_plane", s->cost_control_plane);
    json_num_or_null(&j, "registry", s->cost_registry);
    json_num_or_null(&j, "fargate_vcpu_hours", s->vcpu_hours);
    json_num_or_null(&j, "fargate_gb_hours", s->gb_hours);
    json_num_or_null(&j, "instance_hours", s->instance_hours);
    ecsim_json_end_object(&j);

    ecsim_json_key(&j, "engine");
    ecsim_json_begin_object(&j);
    ecsim_json_key(&j, "events");
    ecsim_json_int(&j, (long long)s->events_dispatched);
    ecsim_json_end_object(&j);
    if (s->window_count > 0)
        windows_json(&j, s, rq_mode, slo);
    ecsim_json_end_object(&j);
    ecsim_json_finish(&j);
    return ferror(out) ? ECSIM_EIO : 0;
}

int ecsim_report_summary_json_with(const ecsim_sim *sim, const char *const *overrides,
                                   size_t noverrides, FILE *out)
{
    return summary_json(sim, overrides, noverrides, false, out);
}

int ecsim_report_summary_json_compact(const ecsim_sim *sim, const char *const *overrides,
                                      size_t noverrides, FILE *out)
{
    return summary_json(sim, overrides, noverrides, true, out);
}

int ecsim_report_events_log(const ecsim_sim *sim, FILE *out)
{
    for (size_t i = 0; i < ecsim_sim_log_count(sim); i++)
        fprintf(out, "%s\n", ecsim_sim_log_line(sim, i));
    return ferror(out) ? ECSIM_EIO : 0;
}

/* ---- the output folder ------------------------------------------------------------------ */

typedef int (*writer_fn)(const ecsim_sim *sim, FILE *out, const void *arg);

static int note_file(ecsim_run_outputs *o, const char *path)
{
    if (o->file_count < (int)(sizeof o->files / sizeof o->files[0]))
        snprintf(o->files[o->file_count++], sizeof o->files[0], "%s", path);
    return 0;
}

/* The reason for a failed write: errno's text for an I/O error ("No space
 * left on device"), else the ECSIM_E code's. */
static const char *write_reason(int rc, int err)
{
    return rc == ECSIM_EIO && err != 0 ? strerror(err) : ecsim_strerror(rc);
}

/* Write `name` into the stage folder `dir`; messages name the file where it
 * will be (`shown` folder). */
static int write_file(ecsim_run_outputs *o, const char *dir, const char *shown, const char *name,
                      writer_fn fn, const ecsim_sim *sim, const void *arg, FILE *msg)
{
    if (ecsim_interrupted())
        return ECSIM_EINTR;
    char path[1100], shown_path[1100];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    snprintf(shown_path, sizeof shown_path, "%s/%s", shown, name);
    ecsim_outfile of;
    errno = 0;
    int rc = ecsim_outfile_open(&of, path);
    if (rc != 0) {
        fprintf(msg, "%s: error: cannot create: %s\n", shown_path, write_reason(rc, errno));
        return rc;
    }
    rc = fn(sim, of.fp, arg);
    if (rc != 0) {
        int err = errno;
        ecsim_outfile_abort(&of);
        fprintf(msg, "%s: error: cannot write: %s\n", shown_path, write_reason(rc, err));
        return rc;
    }
    rc = ecsim_outfile_commit(&of);
    if (rc != 0) {
        fprintf(msg, "%s: error: cannot write: %s\n", shown_path, write_reason(rc, errno));
        return rc;
    }
    return note_file(o, shown_path);
}

typedef struct summary_args {
    const char *const *overrides;
    size_t noverrides;
} summary_args;

static int summary_writer(const ecsim_sim *sim, FILE *out, const void *arg)
{
    const summary_args *a = arg;
    return ecsim_report_summary_json_with(sim, a->overrides, a->noverrides, out);
}

static int events_writer(const ecsim_sim *sim, FILE *out, const void *arg)
{
    (void)arg;
    return ecsim_report_events_log(sim, out);
}

typedef struct table_job {
    const ecsim_table *table;
    const ecsim_table_format *format;
} table_job;

static int timeline_writer(const ecsim_sim *sim, FILE *out, const void *arg)
{
    (void)arg;
    return ecsim_timeline_write_csv(ecsim_sim_timeline(sim), out);
}

static int decisions_writer(const ecsim_sim *sim, FILE *out, const void *arg)
{
    (void)arg;
    return ecsim_sim_write_decisions_csv(sim, out);
}

static int page_writer(const ecsim_sim *sim, FILE *out, const void *arg)
{
    return ecsim_report_page_html(sim, arg, out);
}

static int table_writer(const ecsim_sim *sim, FILE *out, const void *arg)
{
    (void)sim;
    const table_job *job = arg;
    const ecsim_table *tables[] = {job->table};
    return job->format->render(tables, 1, out);
}

/* Resolve a comma-separated format list; "txt" is accepted for text and
 * "tex" for latex (their file extensions). */
static bool stage_has(const char *stage, const char *name)
{
    char path[1100];
    snprintf(path, sizeof path, "%s/%s", stage, name);
    FILE *f = fopen(path, "rb");
    if (f)
        fclose(f);
    return f != NULL;
}

static const ecsim_table_format *format_by_name_or_ext(const char *name)
{
    const ecsim_table_format *f = ecsim_table_format_find(name);
    if (f)
        return f;
    size_t n;
    const ecsim_table_format *all = ecsim_table_formats(&n);
    for (size_t i = 0; i < n; i++)
        if (strcmp(all[i].extension, name) == 0)
            return &all[i];
    return NULL;
}

int ecsim_report_write_run(const ecsim_sim *sim, const char *out_root, const char *formats,
                           bool plots, const char *const *overrides, size_t noverrides, FILE *msg,
                           ecsim_run_outputs *o)
{
    const summary_args sargs = {overrides, noverrides};
    memset(o, 0, sizeof *o);
    const ecsim_scenario *sc = ecsim_sim_scenario(sim);
    if (!formats || !*formats)
        formats = "text,md,csv,json";
    /* Validate every format before writing anything. */
    const ecsim_table_format *fmts[16];
    size_t nfmts = 0;
    char list[256];
    snprintf(list, sizeof list, "%s", formats);
    for (char *save = NULL, *tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        const ecsim_table_format *f = format_by_name_or_ext(tok);
        if (!f) {
            size_t n;
            const ecsim_table_format *all = ecsim_table_formats(&n);
            fprintf(msg, "--format %s: error: unknown format `%s`; valid formats:", formats, tok);
            for (size_t i = 0; i < n; i++)
                fprintf(msg, " %s", all[i].name);
            fprintf(msg, "\n");
            return ECSIM_EINVAL;
        }
        bool dup = false;
        for (size_t i = 0; i < nfmts; i++)
            dup |= fmts[i] == f;
        if (!dup && nfmts < sizeof fmts / sizeof fmts[0])
            fmts[nfmts++] = f;
    }
    /* The whole run goes into a stage folder beside the target that replaces
     * it at the end (DESIGN.md "Outputs of ecsim run"): a folder never mixes
     * two runs, and a failed or interrupted run leaves the previous one. */
    snprintf(o->dir, sizeof o->dir, "%s/%s", out_root, sc->name);
    ecsim_outdir od;
    int orc = ecsim_outdir_open(&od, o->dir);
    if (orc != 0) {
        fprintf(msg, "%s: error: cannot create the output folder: %s\n", o->dir,
                write_reason(orc, errno));
        return orc;
    }
    const char *stage = od.stage;
    bool plot_failed = false;
    ecsim_table *exec = ecsim_report_execution_table(sim);
    ecsim_table *status = ecsim_report_status_table(sim);
    int rc = 0;
    if (!exec || !status) {
        rc = ECSIM_ENOMEM;
        goto done;
    }
    for (size_t i = 0; i < nfmts && rc == 0; i++) {
        char name[64];
        table_job job = {exec, fmts[i]};
        snprintf(name, sizeof name, "execution.%s", fmts[i]->extension);
        rc = write_file(o, stage, o->dir, name, table_writer, sim, &job, msg);
        if (rc == 0) {
            job.table = status;
            snprintf(name, sizeof name, "status.%s", fmts[i]->extension);
            rc = write_file(o, stage, o->dir, name, table_writer, sim, &job, msg);
        }
    }
    if (rc == 0)
        rc = write_file(o, stage, o->dir, "events.log", events_writer, sim, NULL, msg);
    if (rc == 0)
        rc = write_file(o, stage, o->dir, "summary.json", summary_writer, sim, &sargs, msg);
    if (rc == 0)
        rc = write_file(o, stage, o->dir, "timeline.csv", timeline_writer, sim, NULL, msg);
    if (rc == 0 && sc->autoscaler.policy != ECSIM_POLICY_NONE)
        rc = write_file(o, stage, o->dir, "decisions.csv", decisions_writer, sim, NULL, msg);
    if (rc == 0 && plots && ecsim_timeline_count(ecsim_sim_timeline(sim)) > 0) {
        ecsim_plot_options opt;
        ecsim_plot_options_init(&opt);
        opt.scenario = sc->name;
        opt.policy = ecsim_policy_kind_name(sc->autoscaler.policy);
        opt.target = ecsim_sim_cpu_target(sim);
        opt.duration_s = sc->duration_s;
        if (sc->load.mode == ECSIM_LOAD_REQUESTS && sc->load.requests.slo_p99_s > 0)
            opt.slo_p99_ms = 1000.0 * sc->load.requests.slo_p99_s;
        opt.shown_dir = o->dir;
        rc = ecsim_plot_demand_capacity(ecsim_sim_timeline(sim), &opt, stage, msg);
        if (rc == ECSIM_EIO && stage_has(stage, "demand_capacity.gp") &&
            stage_has(stage, "demand_capacity.dat")) {
            /* gnuplot failed (it said why on `msg`): the run's other files are
             * whole, so the folder is kept with the script and its data,
             * report.html says the plot is missing, and the run exits 3. */
            plot_failed = true;
            rc = 0;
        }
        if (rc == 0) {
            static const char *const names[] = {"demand_capacity.png", "demand_capacity.svg",
                                                "demand_capacity.gp", "demand_capacity.dat"};
            for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
                char path[1100];
                snprintf(path, sizeof path, "%s/%s", stage, names[i]);
                FILE *f = fopen(path, "rb");
                if (f) {
                    fclose(f);
                    snprintf(path, sizeof path, "%s/%s", o->dir, names[i]);
                    note_file(o, path);
                    if (i < 2)
                        o->plot_rendered = true;
                }
            }
        }
    }
    if (rc == 0) { /* report.html last: it reads decisions.csv and the SVG */
        ecsim_report_page_options page = {stage, plots, o->plot_rendered};
        rc = write_file(o, stage, o->dir, "report.html", page_writer, sim, &page, msg);
    }
done:
    ecsim_table_destroy(exec);
    ecsim_table_destroy(status);
    if (rc == 0 && ecsim_interrupted())
        rc = ECSIM_EINTR;
    if (rc != 0) {
        ecsim_outdir_abort(&od);
        o->file_count = 0;
        return rc;
    }
    rc = ecsim_outdir_commit(&od);
    if (rc != 0) {
        fprintf(msg, "%s: error: cannot put the run in place: %s\n", o->dir,
                write_reason(rc, errno));
        o->file_count = 0;
    }
    return rc == 0 && plot_failed ? ECSIM_EIO : rc;
}
