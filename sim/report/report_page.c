/* report.html (include/ecsim/report_page.h): one page that shows a run.
 *
 * Layout, top to bottom: title and run identity; the outcome in one
 * sentence; key figures (a definition list laid out as a grid); the
 * demand/capacity plot, gnuplot's SVG inlined with our own <title> and
 * <desc> (the prolog, namespace declarations and gnuplot's title are
 * dropped and xlink:href becomes SVG 2 href, so the page has no URL and
 * parses as XML); the scaling decisions of decisions.csv in words (rows
 * whose action is not "none"), inside <details> when there are more than
 * PAGE_OPEN_DECISIONS; failures with the step-mode fix; both tables through
 * the "html" table format, each in a horizontally scrolling box; the event
 * log (first PAGE_LOG_LINES lines) and the scenario's YAML, both escaped in
 * <pre> inside <details>.
 *
 * Every element is closed and void elements are written <meta ... />, so
 * the page is polyglot HTML5/XML. No script, no external resource. */
#include "ecsim/report_page.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ecsim/alloc.h"
#include "ecsim/error.h"
#include "ecsim/output.h"
#include "ecsim/report.h"
#include "ecsim/timeline.h"
#include "ecsim/version.h"
#include "formats.h"
#include "html_page.h"

#define PAGE_OPEN_DECISIONS 8   /* more decisions than this: collapsed */
#define PAGE_LOG_LINES 400      /* event log lines shown */

static const char page_css[] =
    ":root{--fg:#1b1f24;--mut:#57606a;--bd:#d0d7de;--bg2:#f6f8fa;--ok:#1a7f37;--bad:#cf222e;"
    "--acc:#0969da}\n"
    "*{box-sizing:border-box}\n"
    "body{margin:0 auto;max-width:72rem;padding:1rem;font:16px/1.45 system-ui,-apple-system,"
    "'Segoe UI',Roboto,Helvetica,Arial,sans-serif;color:var(--fg);background:#fff}\n"
    "h1{font-size:1.6rem;margin:.2rem 0 .3rem}h2{font-size:1.2rem;margin:1.6rem 0 .5rem;"
    "border-bottom:1px solid var(--bd);padding-bottom:.2rem}\n"
    ".meta{color:var(--mut);font-size:.9rem;margin:0 0 .8rem;overflow-wrap:anywhere}\n"
    ".outcome{font-size:1.1rem;padding:.7rem .9rem;border-left:.35rem solid var(--ok);"
    "background:var(--bg2);margin:0}\n"
    ".outcome.bad{border-left-color:var(--bad)}\n"
    "dl.figs{display:grid;grid-template-columns:repeat(auto-fill,minmax(10.5rem,1fr));gap:.5rem;"
    "margin:0}\n"
    "dl.figs div{border:1px solid var(--bd);border-radius:.4rem;padding:.4rem .6rem}\n"
    "dl.figs dt{color:var(--mut);font-size:.85rem}dl.figs dd{margin:0;font-weight:600}\n"
    "figure{margin:0}figure svg{display:block;width:100%;height:auto;max-width:60rem;"
    "border:1px solid var(--bd)}\n"
    "figcaption,.note{color:var(--mut);font-size:.9rem;margin:.4rem 0}\n"
    ".scroll{overflow-x:auto;-webkit-overflow-scrolling:touch;margin:.5rem 0 1rem}\n"
    "table{border-collapse:collapse;font-size:.9rem;min-width:100%}\n"
    "caption{text-align:left;font-weight:600;padding:.3rem 0}\n"
    "th,td{border:1px solid var(--bd);padding:.3rem .5rem;text-align:left;vertical-align:top}\n"
    "thead th{background:var(--bg2)}td.num,th.num{text-align:right}\n"
    "table.ecsim-status td:first-child{font-weight:600;white-space:nowrap}\n"
    "table.ecsim-execution td:nth-child(2){white-space:nowrap;min-width:0}\n"
    "ol.decisions{padding-left:1.4rem}ol.decisions li{margin:.2rem 0}\n"
    ".t{font-variant-numeric:tabular-nums;font-weight:600}\n"
    ".fail{border-left:.3rem solid var(--bad);padding:.2rem .7rem;margin:.5rem 0}\n"
    "details{margin:.4rem 0}summary{cursor:pointer;color:var(--acc);overflow-wrap:anywhere}\n"
    "pre{background:var(--bg2);border:1px solid var(--bd);padding:.6rem;overflow-x:auto;"
    "font-size:.8rem;line-height:1.35}\n"
    "@media (max-width:40rem){body{padding:.6rem;font-size:15px}h1{font-size:1.3rem}"
    "table{font-size:.8rem}th,td{min-width:6rem}th.num,td.num{min-width:0}}\n"
    "@page{size:auto;margin:15mm}\n"
    "@media print{body{max-width:none;padding:0;font-size:10pt}"
    ".scroll{overflow:visible}table{font-size:8pt;min-width:0;width:100%}"
    "th,td{padding:.1rem .25rem}details>*{display:block}summary{color:var(--fg)}"
    "pre{white-space:pre-wrap;font-size:7pt}h2{break-after:avoid}"
    "figure,tr,.fail{break-inside:avoid}figure svg{max-width:100%}}\n";

/* ---- small helpers ------------------------------------------------------------ */



static void page_clock(char *buf, size_t size, double t) { ecsim_fmt_clock(buf, size, t); }

/* "4 min 30 s", "45 s", "1 h 5 min". */
static void page_duration(char *buf, size_t size, double s)
{
    if (!isfinite(s)) {
        snprintf(buf, size, "—");
        return;
    }
    long t = lround(s);
    if (t < 60)
        snprintf(buf, size, "%ld s", t);
    else if (t < 3600)
        snprintf(buf, size, t % 60 ? "%ld min %ld s" : "%ld min", t / 60, t % 60);
    else
        snprintf(buf, size, (t % 3600) / 60 ? "%ld h %ld min" : "%ld h", t / 3600, (t % 3600) / 60);
}

/* ---- key figures ---------------------------------------------------------------- */

int ecsim_report_key_figures(const ecsim_sim *sim,
                             int (*fn)(const char *name, const char *value, void *ctx), void *ctx)
{
    const ecsim_scenario *sc = ecsim_sim_scenario(sim);
    const ecsim_summary *s = ecsim_sim_summary(sim);
    char v[160], a[48], b[48];
    int rc;
    const ecsim_step_record *end = ecsim_sim_step_record(sim, ECSIM_STEP_END);
    snprintf(v, sizeof v, "%d running of %d desired", end->after.running, end->after.desired);
    if ((rc = fn("Tasks at the end", v, ctx)) != 0)
        return rc;
    if (isfinite(s->unserved_requests))
        snprintf(v, sizeof v, "%.0f", round(s->unserved_requests)); /* half away from zero */
    else
        snprintf(v, sizeof v, "—");
    if ((rc = fn("Unserved requests", v, ctx)) != 0)
        return rc;
    if (s->shortfall_episodes > 0) {
        page_duration(a, sizeof a, s->max_time_to_capacity_s);
        page_duration(b, sizeof b, s->time_to_capacity_total_s / s->shortfall_episodes);
        snprintf(v, sizeof v, "longest %s, mean %s (%d shortfall%s)", a, b, s->shortfall_episodes,
                 s->shortfall_episodes == 1 ? "" : "s");
    } else {
        snprintf(v, sizeof v, "capacity never fell short of demand");
    }
    if ((rc = fn("Time to capacity", v, ctx)) != 0)
        return rc;
    page_duration(a, sizeof a, s->under_capacity_s);
    snprintf(v, sizeof v, "%s", a);
    if ((rc = fn("Time under capacity", v, ctx)) != 0)
        return rc;
    snprintf(v, sizeof v, "%.2f (%.2f over-provisioned)", s->task_hours,
             s->over_provisioned_task_hours);
    if ((rc = fn("Task-hours", v, ctx)) != 0)
        return rc;
    snprintf(v, sizeof v, "%.4f (compute %.4f, registry %.4f)", s->cost_total, s->cost_compute,
             s->cost_registry);
    if ((rc = fn("Cost (USD)", v, ctx)) != 0)
        return rc;
    if (isfinite(s->first_scale_out_s)) {
        page_clock(a, sizeof a, s->first_scale_out_s);
        snprintf(v, sizeof v, "%d (%d out, %d in); first scale-out at %s", s->scaling_actions,
                 s->scale_outs, s->scale_ins, a);
    } else {
        snprintf(v, sizeof v, "%d (%d out, %d in)", s->scaling_actions, s->scale_outs, s->scale_ins);
    }
    if ((rc = fn("Scaling actions", v, ctx)) != 0)
        return rc;
    snprintf(v, sizeof v, "%d started, %d failed to start, %d replaced", s->tasks_started,
             s->tasks_failed, s->tasks_replaced);
    if ((rc = fn("Tasks", v, ctx)) != 0)
        return rc;
    if (sc->load.mode == ECSIM_LOAD_REQUESTS) {
        snprintf(v, sizeof v, "p50 %.0f ms, p95 %.0f ms, p99 %.0f ms, max %.0f ms",
                 1000 * s->latency_p50_s, 1000 * s->latency_p95_s, 1000 * s->latency_p99_s,
                 1000 * s->latency_max_s);
        if ((rc = fn("Latency", v, ctx)) != 0)
            return rc;
        if (s->slo_p99_s > 0) {
            page_duration(a, sizeof a, s->slo_breach_s);
            snprintf(v, sizeof v, "p99 ≤ %.0f ms; breached for %s", 1000 * s->slo_p99_s, a);
            if ((rc = fn("Latency SLO", v, ctx)) != 0)
                return rc;
        }
        snprintf(v, sizeof v, "%llu arrived, %llu served, %llu rejected, %llu timed out",
                 (unsigned long long)s->requests_arrived, (unsigned long long)s->requests_served,
                 (unsigned long long)s->requests_rejected, (unsigned long long)s->requests_timed_out);
        if ((rc = fn("Requests", v, ctx)) != 0)
            return rc;
    }
    return 0;
}

static int note_fn(const char *name, const char *value, void *ctx)
{
    return ecsim_table_add_note(ctx, name, value);
}

int ecsim_report_tag_table(ecsim_table *t, const ecsim_sim *sim)
{
    char id[200];
    snprintf(id, sizeof id, "%s-s%llu", ecsim_sim_scenario(sim)->name,
             (unsigned long long)ecsim_sim_seed(sim));
    int rc = ecsim_table_set_id(t, id);
    if (rc == 0 && ecsim_sim_done(sim))
        rc = ecsim_report_key_figures(sim, note_fn, t);
    return rc;
}

static int figure_html(const char *name, const char *value, void *ctx)
{
    FILE *out = ctx;
    fputs("<div><dt>", out);
    ecsim_html_str(out, name);
    fputs("</dt><dd>", out);
    ecsim_html_str(out, value);
    fputs("</dd></div>\n", out);
    return 0;
}

/* ---- outcome -------------------------------------------------------------------- */

static const ecsim_step_record *first_failed_step(const ecsim_sim *sim)
{
    for (int s = 1; s <= ECSIM_STEP_COUNT; s++) {
        const ecsim_step_record *r = ecsim_sim_step_record(sim, s);
        if (r->reached && r->failed)
            return r;
    }
    return NULL;
}

static bool outcome_good(const ecsim_summary *s) { return strcmp(s->outcome, "running") == 0; }

static void page_outcome(FILE *out, const ecsim_sim *sim)
{
    const ecsim_scenario *sc = ecsim_sim_scenario(sim);
    const ecsim_summary *s = ecsim_sim_summary(sim);
    const ecsim_step_record *end = ecsim_sim_step_record(sim, ECSIM_STEP_END);
    const ecsim_step_record *failed = first_failed_step(sim);
    char dur[48], clock[32], dem[32], cap[32];
    page_duration(dur, sizeof dur, sc->duration_s);
    ecsim_fmt_num(dem, sizeof dem, round(end->after.demand_rps * 10) / 10);
    ecsim_fmt_num(cap, sizeof cap, round(end->after.capacity_rps * 10) / 10);
    fprintf(out, "<p class=\"outcome%s\">", outcome_good(s) ? "" : " bad");
    if (strcmp(s->outcome, "running") == 0) {
        fprintf(out, "The service is running: %d of %d desired tasks after the %s run, "
                     "capacity %s rps for a demand of %s rps",
                end->after.running, end->after.desired, dur, cap, dem);
        if (s->under_capacity_s > 0) {
            char under[48];
            page_duration(under, sizeof under, s->under_capacity_s);
            fprintf(out, "; demand was above capacity for %s in all", under);
        }
        fputs(".", out);
    } else if (failed) {
        page_clock(clock, sizeof clock, failed->time_s);
        fprintf(out, "%s at step %d (",
                strcmp(s->outcome, "rolled_back") == 0   ? "An update failed and was rolled back"
                : strcmp(s->outcome, "update_failed") == 0 ? "An update failed"
                : strcmp(s->outcome, "not_deployed") == 0  ? "Nothing was deployed: the run stopped"
                                                           : "The deployment failed",
                failed->step);
        ecsim_html_str(out, failed->action);
        fprintf(out, ", %s): ", clock);
        ecsim_html_str(out, failed->result);
        size_t n = strlen(failed->result);
        if (n == 0 || failed->result[n - 1] != '.')
            fputs(".", out);
    } else {
        fputs("The run ended with outcome “", out);
        ecsim_html_str(out, s->outcome);
        fprintf(out, "”: %d of %d desired tasks running after %s.", end->after.running,
                end->after.desired, dur);
    }
    fputs("</p>\n", out);
}

/* ---- the plot --------------------------------------------------------------------- */

/* The text alternative: what the chart shows, in numbers. */
static void plot_description(FILE *out, const ecsim_sim *sim)
{
    const ecsim_timeline *tl = ecsim_sim_timeline(sim);
    size_t n = ecsim_timeline_count(tl);
    double dmax = -1, cmax = -1, dt = 0, ct = 0, last = 0;
    int tmax = 0;
    for (size_t i = 0; i < n; i++) {
        const ecsim_timeline_row *r = ecsim_timeline_row_at(tl, i);
        if (isfinite(r->demand_rps) && r->demand_rps > dmax) {
            dmax = r->demand_rps;
            dt = r->time_s;
        }
        if (isfinite(r->capacity_rps) && r->capacity_rps > cmax) {
            cmax = r->capacity_rps;
            ct = r->time_s;
        }
        if (r->desired > tmax)
            tmax = r->desired;
        last = r->time_s;
    }
    char a[32], b[32], c[32], d[32], e[32];
    page_clock(a, sizeof a, last);
    ecsim_fmt_num(b, sizeof b, round(dmax * 10) / 10);
    page_clock(c, sizeof c, dt);
    ecsim_fmt_num(d, sizeof d, round(cmax * 10) / 10);
    page_clock(e, sizeof e, ct);
    fprintf(out, "Line chart of demand and capacity in requests per second from 00:00:00 to %s, "
                 "one point per metric period (%zu periods). Demand peaks at %s rps at %s; the "
                 "capacity of ready tasks peaks at %s rps at %s; the desired count reaches %d "
                 "task%s.",
            a, n, b, c, d, e, tmax, tmax == 1 ? "" : "s");
    const ecsim_summary *s = ecsim_sim_summary(sim);
    if (s->shortfall_episodes > 0) {
        char u[48];
        page_duration(u, sizeof u, s->under_capacity_s);
        fprintf(out, " Capacity was below demand for %s over %d episode%s.", u,
                s->shortfall_episodes, s->shortfall_episodes == 1 ? "" : "s");
    }
}



static void page_plot(FILE *out, const ecsim_sim *sim, const ecsim_report_page_options *opt)
{
    fputs("<h2 id=\"plot\">Demand and capacity</h2>\n", out);
    char *svg = NULL;
    size_t len = 0;
    if (opt->dir && opt->plots && opt->plot_rendered) {
        char path[1200];
        snprintf(path, sizeof path, "%s/demand_capacity.svg", opt->dir);
        svg = ecsim_html_read_file(path, &len);
    }
    const char *tag = svg ? strstr(svg, "<svg") : NULL;
    const char *tag_end = tag ? strchr(tag, '>') : NULL;
    const char *close = tag_end ? strstr(tag_end, "</svg>") : NULL;
    char w[32] = "", h[32] = "", vb[80] = "";
    if (close && ecsim_html_svg_attr(tag, tag_end, "width", w, sizeof w) &&
        ecsim_html_svg_attr(tag, tag_end, "height", h, sizeof h)) {
        if (!ecsim_html_svg_attr(tag, tag_end, "viewBox", vb, sizeof vb))
            snprintf(vb, sizeof vb, "0 0 %s %s", w, h);
        fputs("<figure>\n", out);
        fprintf(out, "<svg width=\"%s\" height=\"%s\" viewBox=\"%s\" role=\"img\" "
                     "aria-labelledby=\"plot-title plot-desc\">\n",
                w, h, vb);
        fputs("<title id=\"plot-title\">Demand and capacity over time: ", out);
        ecsim_html_str(out, ecsim_sim_scenario(sim)->name);
        fputs("</title>\n<desc id=\"plot-desc\">", out);
        plot_description(out, sim);
        fputs("</desc>\n", out);
        ecsim_html_svg_body(out, tag_end + 1, close);
        fputs("</svg>\n<figcaption>", out);
        plot_description(out, sim);
        fputs(" The same chart is in demand_capacity.png and demand_capacity.svg next to this "
              "page.</figcaption>\n</figure>\n",
              out);
    } else {
        fputs("<p class=\"note\">No chart: ", out);
        if (!opt->plots)
            fputs("plots were turned off for this run (--no-plots).", out);
        else if (ecsim_timeline_count(ecsim_sim_timeline(sim)) == 0)
            fputs("the run recorded no metric period to plot.", out);
        else if (!opt->plot_rendered)
            fputs("gnuplot did not produce the image (is gnuplot installed? the run printed why); "
                  "demand_capacity.dat and demand_capacity.gp hold the data and the script.",
                  out);
        else
            fputs("demand_capacity.svg could not be read.", out);
        fputs(" What the chart would show: ", out);
        plot_description(out, sim);
        fputs("</p>\n", out);
    }
    ecsim_free(svg);
}

/* ---- scaling decisions -------------------------------------------------------------- */

/* Split one CSV record (RFC 4180) at *p into at most `max` fields, in
 * place; advances *p past the record. Returns the field count. */
static size_t csv_record(char **p, char **fields, size_t max)
{
    char *s = *p, *w = s;
    size_t n = 0;
    if (!*s)
        return 0;
    while (1) {
        char *start = w;
        if (*s == '"') {
            s++;
            while (*s) {
                if (*s == '"' && s[1] == '"') {
                    *w++ = '"';
                    s += 2;
                } else if (*s == '"') {
                    s++;
                    break;
                } else {
                    *w++ = *s++;
                }
            }
        }
        while (*s && *s != ',' && *s != '\n' && *s != '\r')
            *w++ = *s++;
        char sep = *s;
        *w++ = '\0';
        if (n < max)
            fields[n++] = start;
        if (sep == ',') {
            s++;
            w = s; /* the next field is written in place from its start */
            continue;
        }
        if (sep == '\r')
            s++;
        if (sep == '\n' || (sep == '\r' && *s == '\n'))
            s++;
        break;
    }
    *p = s;
    return n;
}

static int col_index(char **hdr, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(hdr[i], name) == 0)
            return (int)i;
    return -1;
}

static void page_decisions(FILE *out, const ecsim_sim *sim, const ecsim_report_page_options *opt)
{
    const ecsim_scenario *sc = ecsim_sim_scenario(sim);
    fputs("<h2 id=\"decisions\">Scaling decisions</h2>\n", out);
    if (sc->autoscaler.policy == ECSIM_POLICY_NONE) {
        fputs("<p>No autoscaling policy: the desired count stays as configured.</p>\n", out);
        return;
    }
    char *csv = NULL;
    if (opt->dir) {
        char path[1200];
        snprintf(path, sizeof path, "%s/decisions.csv", opt->dir);
        csv = ecsim_html_read_file(path, NULL);
    }
    if (!csv) {
        fputs("<p class=\"note\">decisions.csv is not available.</p>\n", out);
        return;
    }
    enum { MAXF = 32 };
    char *hdr[MAXF], *f[MAXF];
    char *p = csv;
    size_t nh = csv_record(&p, hdr, MAXF);
    int it = col_index(hdr, nh, "time_s"), ia = col_index(hdr, nh, "action"),
        ic = col_index(hdr, nh, "current"), id = col_index(hdr, nh, "desired"),
        ir = col_index(hdr, nh, "reason"), im = col_index(hdr, nh, "metric"),
        iv = col_index(hdr, nh, "value"), ig = col_index(hdr, nh, "target");
    if (it < 0 || ia < 0 || id < 0 || ir < 0) {
        fputs("<p class=\"note\">decisions.csv has an unexpected header.</p>\n", out);
        ecsim_free(csv);
        return;
    }
    /* The parse is in place: count on this copy, then read the file again to write.
     * decisions.csv may hold only the evaluations that changed something
     * (report.decisions); the summary counts them all. */
    const ecsim_summary *sum = ecsim_sim_summary(sim);
    size_t evaluations = (size_t)sum->evaluations, actions = 0, nf;
    char *cursor = p;
    while ((nf = csv_record(&cursor, f, MAXF)) > 0) {
        if ((size_t)ia < nf && strcmp(f[ia], "none") != 0 && f[ia][0])
            actions++;
    }
    char clock[32];
    ecsim_free(csv);
    char path[1200];
    snprintf(path, sizeof path, "%s/decisions.csv", opt->dir);
    csv = ecsim_html_read_file(path, NULL);
    if (!csv)
        return;
    cursor = csv;
    csv_record(&cursor, hdr, MAXF);
    fprintf(out, "<p>The policy was evaluated %zu time%s; %zu evaluation%s changed the desired "
                 "count.",
            evaluations, evaluations == 1 ? "" : "s", actions, actions == 1 ? "" : "s");
    if (sum->quiet_evaluations > 0 && sc->report.decisions == ECSIM_DECISIONS_CHANGES)
        fprintf(out, " decisions.csv leaves out the %llu quiet evaluations (nothing changed, the "
                     "metric stayed on the same side of the target; summary.json "
                     "scaling.quiet_evaluations).",
                (unsigned long long)sum->quiet_evaluations);
    if (actions == 0) {
        fputs(" The service kept its desired count.</p>\n", out);
        ecsim_free(csv);
        return;
    }
    fputs(" Each change, with its time and the policy's reason:</p>\n", out);
    if (actions > PAGE_OPEN_DECISIONS) {
        fprintf(out, "<details><summary>%zu scaling decisions</summary>\n", actions);
    }
    fputs("<ol class=\"decisions\">\n", out);
    while ((nf = csv_record(&cursor, f, MAXF)) > 0) {
        if ((size_t)ia >= nf || (size_t)ir >= nf || (size_t)id >= nf || !f[ia][0] ||
            strcmp(f[ia], "none") == 0)
            continue;
        page_clock(clock, sizeof clock, strtod(f[it], NULL));
        bool out_ = strstr(f[ia], "out") != NULL;
        bool in_ = strstr(f[ia], "in") != NULL && !out_;
        fprintf(out, "<li><span class=\"t\">%s</span> ", clock);
        fputs(out_ ? "scale out" : in_ ? "scale in" : "", out);
        if (!out_ && !in_)
            ecsim_html_str(out, f[ia]);
        if (ic >= 0 && (size_t)ic < nf && f[ic][0]) {
            fputs(" from ", out);
            ecsim_html_str(out, f[ic]);
        }
        fputs(" to ", out);
        ecsim_html_str(out, f[id]);
        fputs(" tasks", out);
        if (im >= 0 && iv >= 0 && (size_t)iv < nf && f[iv][0]) {
            char num[32];
            fputs(" (", out);
            ecsim_html_str(out, f[im]);
            ecsim_fmt_num(num, sizeof num, round(strtod(f[iv], NULL) * 10) / 10);
            fprintf(out, " %s", num);
            if (ig >= 0 && (size_t)ig < nf && f[ig][0]) {
                ecsim_fmt_num(num, sizeof num, round(strtod(f[ig], NULL) * 10) / 10);
                fprintf(out, " against a target of %s", num);
            }
            fputs(")", out);
        }
        fputs(": ", out);
        ecsim_html_str(out, f[ir]);
        fputs("</li>\n", out);
    }
    fputs("</ol>\n", out);
    if (actions > PAGE_OPEN_DECISIONS)
        fputs("</details>\n", out);
    ecsim_free(csv);
}

/* ---- failures ----------------------------------------------------------------------- */

static void page_failures(FILE *out, const ecsim_sim *sim)
{
    fputs("<h2 id=\"failures\">Failures and what to change</h2>\n", out);
    int shown = 0;
    for (int s = 1; s <= ECSIM_STEP_COUNT; s++) {
        const ecsim_step_record *r = ecsim_sim_step_record(sim, s);
        if (!r->reached || (!r->failed && !r->fix[0]))
            continue;
        char clock[32];
        page_clock(clock, sizeof clock, r->time_s);
        fputs("<div class=\"fail\">\n<p><strong>", out);
        if (s == ECSIM_STEP_END)
            fputs("End of the run", out);
        else
            fprintf(out, "Step %d", s);
        fprintf(out, ", %s", clock);
        fputs(r->failed ? " (failed)" : "", out);
        fputs(":</strong> ", out);
        ecsim_html_str(out, r->result);
        fputs("</p>\n", out);
        if (r->fix[0]) {
            fputs("<p>What to change: ", out);
            ecsim_html_str(out, r->fix);
            fputs("</p>\n", out);
        }
        fputs("</div>\n", out);
        shown++;
    }
    const ecsim_summary *su = ecsim_sim_summary(sim);
    if (su->tasks_failed || su->tasks_replaced || su->deployments_failed || su->updates_failed) {
        fprintf(out, "<p>Over the run: %d task%s failed to start, %d %s replaced after a failure, "
                     "%d deployment%s failed, %d update%s failed, %d rollback%s.</p>\n",
                su->tasks_failed, su->tasks_failed == 1 ? "" : "s", su->tasks_replaced,
                su->tasks_replaced == 1 ? "was" : "were", su->deployments_failed,
                su->deployments_failed == 1 ? "" : "s", su->updates_failed,
                su->updates_failed == 1 ? "" : "s", su->rollbacks, su->rollbacks == 1 ? "" : "s");
        shown++;
    }
    if (!shown)
        fputs("<p>No step failed and nothing needs changing.</p>\n", out);
}

/* ---- tables, log, scenario ---------------------------------------------------------------- */

static int page_table(FILE *out, ecsim_table *t)
{
    if (!t)
        return ECSIM_ENOMEM;
    const ecsim_table *one[] = {t};
    fputs("<div class=\"scroll\">\n", out);
    int rc = report_html_render(one, 1, out);
    fputs("</div>\n", out);
    ecsim_table_destroy(t);
    return rc;
}

/* The four capacity figures under their summary.json names: from the
 * service's creation and from steady state (step 5), side by side. */
static int page_capacity_names(FILE *out, const ecsim_sim *sim)
{
    const ecsim_summary *s = ecsim_sim_summary(sim);
    static const char *const header[] = {"Figure (summary.json)", "Counted from", "Value"};
    static const ecsim_col_kind kinds[] = {ECSIM_COL_TEXT, ECSIM_COL_TEXT, ECSIM_COL_NUMBER};
    ecsim_table *t = ecsim_table_create("capacity", "Unserved demand, from creation and from "
                                        "steady state", 3, header, kinds);
    if (!t)
        return ECSIM_ENOMEM;
    const struct {
        const char *name, *from;
        double v;
        int decimals;
    } rows[] = {
        {"capacity.unserved_requests", "service creation", s->unserved_requests, 0},
        {"capacity.unserved_after_steady_requests", "steady state (step 5)",
         s->unserved_after_steady_requests, 0},
        {"capacity.under_capacity_s", "service creation", s->under_capacity_s, 1},
        {"capacity.under_capacity_after_steady_s", "steady state (step 5)",
         s->under_capacity_after_steady_s, 1},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        char v[48];
        if (isfinite(rows[i].v))
            snprintf(v, sizeof v, "%.*f", rows[i].decimals, rows[i].v);
        else
            snprintf(v, sizeof v, "\u2014"); /* never reached steady state */
        const char *cells[] = {rows[i].name, rows[i].from, v};
        if (ecsim_table_add_row(t, cells) != 0) {
            ecsim_table_destroy(t);
            return ECSIM_ENOMEM;
        }
    }
    return page_table(out, t);
}

/* The figures of each time window (report.windows, --window), under their
 * summary.json names (windows.NAME.*); nothing without windows. */
static int page_windows(FILE *out, const ecsim_sim *sim)
{
    const ecsim_summary *s = ecsim_sim_summary(sim);
    const ecsim_scenario *sc = ecsim_sim_scenario(sim);
    if (s->window_count == 0)
        return 0;
    bool rq = sc->load.mode == ECSIM_LOAD_REQUESTS;
    bool slo = rq && s->slo_p99_s > 0;
    const char *header[] = {"Window", "From", "To", "capacity.unserved_requests",
                            "capacity.under_capacity_s", "capacity.task_hours",
                            "capacity.over_provisioned_task_hours", "cost_usd.total",
                            "scaling.actions", "scaling.max_desired", "latency_s.p99",
                            "latency_s.slo_breach_s"};
    ecsim_col_kind kinds[12];
    for (size_t c = 0; c < 12; c++)
        kinds[c] = c == 0 ? ECSIM_COL_TEXT : ECSIM_COL_NUMBER;
    kinds[1] = kinds[2] = ECSIM_COL_TEXT;
    size_t ncols = slo ? 12 : rq ? 11 : 10;
    ecsim_table *t = ecsim_table_create("windows", "Time windows (summary.json windows.NAME)",
                                        ncols, header, kinds);
    if (!t)
        return ECSIM_ENOMEM;
    fputs("<h2 id=\"windows\">Time windows</h2>\n", out);
    for (size_t i = 0; i < s->window_count; i++) {
        const ecsim_window_figures *w = &s->windows[i];
        char c[12][48];
        snprintf(c[0], sizeof c[0], "%s", w->name);
        page_clock(c[1], sizeof c[1], w->from_s);
        page_clock(c[2], sizeof c[2], w->to_s);
        snprintf(c[3], sizeof c[3], "%.0f", w->unserved_requests);
        snprintf(c[4], sizeof c[4], "%.1f", w->under_capacity_s);
        snprintf(c[5], sizeof c[5], "%.2f", w->task_hours);
        snprintf(c[6], sizeof c[6], "%.2f", w->over_provisioned_task_hours);
        snprintf(c[7], sizeof c[7], "%.4f", w->cost_total);
        snprintf(c[8], sizeof c[8], "%d", w->scaling_actions);
        snprintf(c[9], sizeof c[9], "%d", w->max_desired);
        if (isfinite(w->latency_p99_s))
            snprintf(c[10], sizeof c[10], "%.3f", w->latency_p99_s);
        else
            snprintf(c[10], sizeof c[10], "\u2014");
        snprintf(c[11], sizeof c[11], "%.0f", w->slo_breach_s);
        const char *cells[12];
        for (size_t k = 0; k < 12; k++)
            cells[k] = c[k];
        if (ecsim_table_add_row(t, cells) != 0) {
            ecsim_table_destroy(t);
            return ECSIM_ENOMEM;
        }
    }
    return page_table(out, t);
}

static void page_log(FILE *out, const ecsim_sim *sim)
{
    size_t n = ecsim_sim_log_count(sim);
    fprintf(out, "<h2 id=\"events\">Event log</h2>\n<details><summary>events.log: %zu line%s"
                 "</summary>\n<pre>",
            n, n == 1 ? "" : "s");
    for (size_t i = 0; i < n && i < PAGE_LOG_LINES; i++) {
        ecsim_html_str(out, ecsim_sim_log_line(sim, i));
        fputc('\n', out);
    }
    fputs("</pre>\n", out);
    if (n > PAGE_LOG_LINES)
        fprintf(out, "<p class=\"note\">The first %d lines; events.log has them all.</p>\n",
                PAGE_LOG_LINES);
    fputs("</details>\n", out);
}

static void page_scenario(FILE *out, const ecsim_scenario *sc)
{
    fputs("<h2 id=\"scenario\">Scenario</h2>\n", out);
    char *yaml = NULL;
    size_t len = 0;
    if (strcmp(sc->source_path, "-") != 0 && sc->source_path[0])
        yaml = ecsim_html_read_file(sc->source_path, &len);
    fputs("<details open=\"open\"><summary>", out);
    ecsim_html_str(out, sc->source_path[0] ? sc->source_path : sc->name);
    fputs(" (SHA-256 ", out);
    ecsim_html_str(out, sc->sha256);
    fputs(")</summary>\n", out);
    if (yaml) {
        fputs("<pre>", out);
        ecsim_html_text(out, yaml, len);
        fputs("</pre>\n", out);
    } else {
        fputs(strcmp(sc->source_path, "-") == 0
                  ? "<p class=\"note\">The scenario was read from standard input and is not "
                    "kept; its SHA-256 above identifies it.</p>\n"
                  : "<p class=\"note\">The scenario file could not be read again; its SHA-256 "
                    "above identifies it.</p>\n",
              out);
    }
    fputs("<p class=\"note\">Command-line --set overrides, if any, are not shown in the YAML; "
          "they are part of the SHA-256.</p>\n</details>\n",
          out);
    ecsim_free(yaml);
}

/* ---- the page ------------------------------------------------------------------------ */

int ecsim_report_page_html(const ecsim_sim *sim, const ecsim_report_page_options *opt, FILE *out)
{
    const ecsim_scenario *sc = ecsim_sim_scenario(sim);
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\" />\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\" />\n"
          "<meta name=\"generator\" content=\"ecsim " ECSIM_VERSION "\" />\n<title>ecsim report: ",
          out);
    ecsim_html_str(out, sc->name);
    fprintf(out, "</title>\n<style>\n%s</style>\n</head>\n<body>\n<header>\n<h1>ecsim run: ",
            page_css);
    ecsim_html_str(out, sc->name);
    fputs("</h1>\n<p class=\"meta\">", out);
    if (sc->description[0]) {
        ecsim_html_str(out, sc->description);
        fputs(" · ", out);
    }
    char dur[48];
    page_duration(dur, sizeof dur, sc->duration_s);
    fprintf(out, "seed %llu · %s of virtual time · ecsim %s · scenario SHA-256 ",
            (unsigned long long)ecsim_sim_seed(sim), dur, ECSIM_VERSION);
    ecsim_html_str(out, sc->sha256);
    fputs("</p>\n</header>\n<main>\n<h2 id=\"outcome\">Outcome</h2>\n", out);
    page_outcome(out, sim);
    fputs("<h2 id=\"figures\">Key figures</h2>\n<dl class=\"figs\">\n", out);
    ecsim_report_key_figures(sim, figure_html, out);
    fputs("</dl>\n", out);
    if (page_capacity_names(out, sim) != 0 || page_windows(out, sim) != 0)
        return ECSIM_ENOMEM;
    page_plot(out, sim, opt);
    page_decisions(out, sim, opt);
    page_failures(out, sim);
    fputs("<h2 id=\"tables\">Execution and status</h2>\n", out);
    int rc = page_table(out, ecsim_report_execution_table(sim));
    if (rc == 0)
        rc = page_table(out, ecsim_report_status_table(sim));
    if (rc != 0)
        return rc;
    page_log(out, sim);
    page_scenario(out, sc);
    fputs("</main>\n<footer><p class=\"note\">Written by ecsim " ECSIM_VERSION
          ", a discrete-event simulation of the AWS container lifecycle; times are virtual "
          "(HH:MM:SS from the start of the run). Other files of this run sit next to this page: "
          "summary.json, events.log, timeline.csv, decisions.csv.</p></footer>\n</body>\n</html>\n",
          out);
    return report_finish(out);
}
