/* compare.html and the overlay plot of `ecsim compare`
 * (include/ecsim/compare_report.h).
 *
 * The plot: compare.dat holds, per variant, the representative seed's
 * demand, capacity and running tasks (one index each, rows as steps over
 * each metric period), then the key figures' paired differences from the
 * baseline in percent of its mean with their 95 % intervals; compare.gp is
 * plots/compare.gp with its placeholders filled in; gnuplot renders
 * compare.png and compare.svg through ecsim_plot_render_script (plot.h),
 * the run plot's runner, so they appear atomically. Axis ranges are
 * computed here, as for the run plot. Series longer than PLOT_MAX_ROWS
 * periods are thinned to every k-th period (the overlay shows shapes; the
 * run's own plot keeps every spike).
 *
 * The page: polyglot HTML5 like report.html (report_page.c): every element
 * closed, void elements written <meta ... />, no script and no external
 * resource, the SVG inlined with our own <title> and <desc> and gnuplot's
 * prolog dropped, so `xmllint --noout` parses it. The small helpers below
 * (escaping, the SVG copy) are the same as report_page.c's, which keeps
 * its own static. */
#include "ecsim/compare_report.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ecsim/alloc.h"
#include "ecsim/error.h"
#include "ecsim/output.h"
#include "ecsim/plot.h"
#include "ecsim/version.h"
#include "html_page.h"

#define PLOT_MAX_ROWS  4000
#define PLOT_TIMEOUT_S 60.0
#define KEY_MAX        16

/* ---- the plot -------------------------------------------------------------------- */

static void gp_quoted(FILE *out, const char *s, char quote)
{
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch < 0x20)
            continue;
        if (quote == '\'' && ch == '\'')
            fputs("''", out);
        else if (quote == '"' && (ch == '"' || ch == '\\'))
            fprintf(out, "\\%c", ch);
        else
            fputc(ch, out);
    }
}

/* A short label for a key figure on the x axis. */
static const char *short_label(const char *name)
{
    static const struct {
        const char *name, *label;
    } labels[] = {
        {"capacity.unserved_requests", "unserved"},
        {"capacity.unserved_after_steady_requests", "unserved after steady"},
        {"capacity.under_capacity_s", "under capacity (s)"},
        {"capacity.mean_time_to_capacity_s", "time to capacity"},
        {"latency_s.p95", "p95"},
        {"latency_s.p99", "p99"},
        {"latency_s.slo_breach_s", "SLO breach (s)"},
        {"capacity.over_provisioned_task_hours", "over-provisioned"},
        {"capacity.task_hours", "task-hours"},
        {"cost_usd.total", "cost"},
        {"scaling.actions", "scaling actions"},
        {"scaling.max_desired", "max desired"},
    };
    const char *dot = name;
    for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++) {
        size_t nl = strlen(name), ll = strlen(labels[i].name);
        if (nl >= ll && strcmp(name + nl - ll, labels[i].name) == 0)
            return labels[i].label;
    }
    return dot;
}

/* Write compare.dat; fills the figures the script needs. */
typedef struct plot_dims {
    double rps_max, tasks_max, pct_min, pct_max;
    size_t nkeys;
    const ecsim_compare_figure *keys[KEY_MAX];
    bool shared;
} plot_dims;

static void num(FILE *out, double x)
{
    char buf[64];
    if (isfinite(x))
        fputs(ecsim_fmt_num(buf, sizeof buf, x), out);
    else
        fputs("NaN", out);
}

static void write_dat(const ecsim_compare *c, FILE *out, plot_dims *d)
{
    fputs("# ecsim compare: the overlay plot's data (plots/compare.gp describes the columns)\n",
          out);
    d->rps_max = 0;
    d->tasks_max = 0;
    d->shared = true;
    const ecsim_compare_series *s0 = &c->series[0];
    for (size_t v = 0; v < c->nvariants; v++) {
        const ecsim_compare_series *s = &c->series[v];
        if (s->n != s0->n)
            d->shared = false;
        for (size_t i = 0; i < s->n && d->shared; i++)
            if (!(s->demand_rps[i] == s0->demand_rps[i]) &&
                !(isnan(s->demand_rps[i]) && isnan(s0->demand_rps[i])))
                d->shared = false;
        fprintf(out, "# variant %zu: ", v + 1);
        gp_quoted(out, c->names[v], '"');
        fputs("\n# start_s end_s demand_rps capacity_rps running\n", out);
        size_t step = s->n > PLOT_MAX_ROWS ? (s->n + PLOT_MAX_ROWS - 1) / PLOT_MAX_ROWS : 1;
        double start = 0, last_end = 0;
        for (size_t i = 0; i < s->n; i += step) {
            double end = s->time_s[i];
            num(out, start);
            fputc(' ', out);
            num(out, end);
            fputc(' ', out);
            num(out, s->demand_rps[i]);
            fputc(' ', out);
            num(out, s->capacity_rps[i]);
            fputc(' ', out);
            num(out, s->running[i]);
            fputc('\n', out);
            if (isfinite(s->demand_rps[i]) && s->demand_rps[i] > d->rps_max)
                d->rps_max = s->demand_rps[i];
            if (isfinite(s->capacity_rps[i]) && s->capacity_rps[i] > d->rps_max)
                d->rps_max = s->capacity_rps[i];
            if (isfinite(s->running[i]) && s->running[i] > d->tasks_max)
                d->tasks_max = s->running[i];
            start = end;
            last_end = end;
        }
        if (s->n > 0) { /* close the last step */
            size_t i = s->n - 1;
            num(out, last_end);
            fputc(' ', out);
            num(out, last_end);
            fputc(' ', out);
            num(out, s->demand_rps[i]);
            fputc(' ', out);
            num(out, s->capacity_rps[i]);
            fputc(' ', out);
            num(out, s->running[i]);
            fputc('\n', out);
        } else {
            fputs("0 0 NaN NaN NaN\n", out);
        }
        fputs("\n\n", out);
    }
    d->rps_max = d->rps_max > 0 ? d->rps_max * 1.1 : 1;
    d->tasks_max = d->tasks_max > 0 ? ceil(d->tasks_max * 1.1) : 1;

    /* The key figures with a nonzero baseline mean: relative differences. */
    const ecsim_compare_figure *keys[KEY_MAX];
    size_t nk = ecsim_compare_key_figures(c, keys, KEY_MAX);
    d->nkeys = 0;
    d->pct_min = -10;
    d->pct_max = 10;
    fputs("# key figures: x variant difference_pct lo_pct hi_pct\n", out);
    bool any = false;
    for (size_t k = 0; k < nk; k++) {
        ecsim_compare_stat st;
        ecsim_compare_stat_of(c, keys[k], c->nvariants > 1 ? 1 : 0, &st);
        if (c->nvariants < 2 || !isfinite(st.rel_mean))
            continue;
        size_t x = d->nkeys;
        d->keys[d->nkeys++] = keys[k];
        for (size_t v = 1; v < c->nvariants; v++) {
            ecsim_compare_stat_of(c, keys[k], v, &st);
            double off =
                c->nvariants > 2 ? ((double)(v - 1) / (double)(c->nvariants - 2) - 0.5) * 0.5 : 0;
            double lo = isfinite(st.rel_lo) ? st.rel_lo : st.rel_mean;
            double hi = isfinite(st.rel_hi) ? st.rel_hi : st.rel_mean;
            num(out, (double)x + off);
            fprintf(out, " %zu ", v + 1);
            num(out, st.rel_mean * 100);
            fputc(' ', out);
            num(out, lo * 100);
            fputc(' ', out);
            num(out, hi * 100);
            fputc('\n', out);
            if (isfinite(st.rel_mean)) {
                any = true;
                if (lo * 100 < d->pct_min)
                    d->pct_min = lo * 100;
                if (hi * 100 > d->pct_max)
                    d->pct_max = hi * 100;
            }
        }
    }
    if (!any)
        fputs("NaN 2 NaN NaN NaN\n", out);
    double pad = (d->pct_max - d->pct_min) * 0.08;
    d->pct_min = floor(d->pct_min - pad);
    d->pct_max = ceil(d->pct_max + pad);
}

/* Fill the template's placeholders. */
static int write_script(const ecsim_compare *c, const char *tmpl, const plot_dims *d, FILE *out)
{
    for (const char *p = tmpl; *p;) {
        const char *at = strchr(p, '@');
        const char *end = at ? strchr(at + 1, '@') : NULL;
        if (!at || !end) {
            fputs(p, out);
            break;
        }
        size_t nl = (size_t)(end - at - 1);
        bool word = nl > 0 && nl < 16;
        for (size_t i = 0; i < nl && word; i++)
            word = at[1 + i] >= 'A' && at[1 + i] <= 'Z';
        if (!word) {
            fwrite(p, 1, (size_t)(at - p) + 1, out);
            p = at + 1;
            continue;
        }
        fwrite(p, 1, (size_t)(at - p), out);
        char name[16];
        memcpy(name, at + 1, nl);
        name[nl] = '\0';
        char buf[64];
        if (strcmp(name, "TITLE") == 0) {
            char title[512];
            snprintf(title, sizeof title, "%s: %zu variants, %zu seeds",
                     c->scenario_name ? c->scenario_name : "ecsim compare", c->nvariants,
                     c->nseeds);
            gp_quoted(out, title, '\'');
        } else if (strcmp(name, "DATAFILE") == 0) {
            fputs("compare.dat", out);
        } else if (strcmp(name, "DURATION") == 0) {
            double dur = c->duration_s;
            if (!(dur > 0) && c->series[0].n)
                dur = c->series[0].time_s[c->series[0].n - 1];
            fputs(ecsim_fmt_num(buf, sizeof buf, dur > 0 ? dur : 1), out);
        } else if (strcmp(name, "NVARIANTS") == 0) {
            fprintf(out, "%zu", c->nvariants);
        } else if (strcmp(name, "NAMES") == 0) {
            fputc('[', out);
            for (size_t v = 0; v < c->nvariants; v++) {
                fputs(v ? ", \"" : "\"", out);
                gp_quoted(out, c->names[v], '"');
                fputc('"', out);
            }
            fputc(']', out);
        } else if (strcmp(name, "SHARED") == 0) {
            fputs(d->shared ? "1" : "0", out);
        } else if (strcmp(name, "RPSMAX") == 0) {
            fputs(ecsim_fmt_num(buf, sizeof buf, d->rps_max), out);
        } else if (strcmp(name, "TASKSMAX") == 0) {
            fputs(ecsim_fmt_num(buf, sizeof buf, d->tasks_max), out);
        } else if (strcmp(name, "NKEYS") == 0) {
            fprintf(out, "%zu", d->nkeys);
        } else if (strcmp(name, "XTICS") == 0) {
            for (size_t k = 0; k < d->nkeys; k++) {
                fputs(k ? ", \"" : "\"", out);
                gp_quoted(out, short_label(d->keys[k]->name), '"');
                fprintf(out, "\" %zu", k);
            }
            if (d->nkeys == 0)
                fputs("\"\" 0", out);
        } else if (strcmp(name, "PCTMIN") == 0) {
            fputs(ecsim_fmt_num(buf, sizeof buf, d->pct_min), out);
        } else if (strcmp(name, "PCTMAX") == 0) {
            fputs(ecsim_fmt_num(buf, sizeof buf, d->pct_max), out);
        } else if (strcmp(name, "BASE") == 0) {
            gp_quoted(out, c->names[0], '\'');
        } else if (strcmp(name, "SEED") == 0) {
            fprintf(out, "%llu", (unsigned long long)c->seeds[c->rep_seed]);
        } else if (strcmp(name, "WIDTH") == 0) {
            fputs("1200", out);
        } else if (strcmp(name, "HEIGHT") == 0) {
            fputs("900", out);
        } else {
            fwrite(at, 1, nl + 2, out); /* not ours: keep */
        }
        p = end + 1;
    }
    return ferror(out) ? ECSIM_EIO : 0;
}

static int write_file(const char *dir, const char *name, const ecsim_compare *c, const char *tmpl,
                      plot_dims *d)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    ecsim_outfile of;
    int rc = ecsim_outfile_open(&of, path);
    if (rc)
        return rc;
    if (tmpl)
        rc = write_script(c, tmpl, d, of.fp);
    else
        write_dat(c, of.fp, d);
    if (rc || ferror(of.fp)) {
        ecsim_outfile_abort(&of);
        return rc ? rc : ECSIM_EIO;
    }
    return ecsim_outfile_commit(&of);
}

int ecsim_compare_plot(const ecsim_compare *c, const char *out_dir, bool render, FILE *msg,
                       bool *rendered)
{
    *rendered = false;
    if (!c->series)
        return ECSIM_EINVAL;
    char *tmpl = NULL;
    int rc = ecsim_plot_read_template("compare.gp", &tmpl);
    if (rc) {
        if (msg && rc == ECSIM_ENOENT)
            fprintf(msg, "ecsim compare: no plot template compare.gp (in $ECSIM_PLOTS_DIR, plots/ "
                         "or the data folder); no overlay plot\n");
        return rc;
    }
    plot_dims d;
    memset(&d, 0, sizeof d);
    rc = write_file(out_dir, "compare.dat", c, NULL, &d);
    if (rc == 0)
        rc = write_file(out_dir, "compare.gp", c, tmpl, &d);
    ecsim_free(tmpl);
    if (rc || !render)
        return rc;
    if (!ecsim_plot_program_exists("gnuplot")) {
        if (msg)
            fprintf(msg,
                    "ecsim compare: gnuplot not found; plot not rendered. To render it: "
                    "cd %s && gnuplot compare.gp\n",
                    out_dir);
        return 0;
    }
    rc = ecsim_plot_render_script("gnuplot", out_dir, "compare.gp", "compare.png", "compare.svg",
                                  PLOT_TIMEOUT_S, msg);
    *rendered = rc == 0;
    return rc;
}

/* ---- the page ------------------------------------------------------------------------ */

static const char page_css[] =
    ":root{--fg:#1b1f24;--mut:#57606a;--bd:#d0d7de;--bg2:#f6f8fa;--ok:#1a7f37;--bad:#cf222e;"
    "--acc:#0969da}\n"
    "*{box-sizing:border-box}\n"
    "body{margin:0 auto;max-width:72rem;padding:1rem;font:16px/1.45 system-ui,-apple-system,"
    "'Segoe UI',Roboto,Helvetica,Arial,sans-serif;color:var(--fg);background:#fff}\n"
    "h1{font-size:1.6rem;margin:.2rem 0 .3rem}h2{font-size:1.2rem;margin:1.6rem 0 .5rem;"
    "border-bottom:1px solid var(--bd);padding-bottom:.2rem}\n"
    ".meta{color:var(--mut);font-size:.9rem;margin:0 0 .8rem;overflow-wrap:anywhere}\n"
    "ul.verdicts{padding-left:1.2rem}ul.verdicts li{margin:.3rem 0}\n"
    "ul.verdicts li.open{color:var(--mut)}\n"
    "figure{margin:0}figure svg{display:block;width:100%;height:auto;max-width:60rem;"
    "border:1px solid var(--bd)}\n"
    "figcaption,.note{color:var(--mut);font-size:.9rem;margin:.4rem 0}\n"
    ".scroll{overflow-x:auto;-webkit-overflow-scrolling:touch;margin:.5rem 0 1rem}\n"
    "table{border-collapse:collapse;font-size:.9rem;min-width:100%}\n"
    "caption{text-align:left;font-weight:600;padding:.3rem 0}\n"
    "th,td{border:1px solid var(--bd);padding:.3rem .5rem;text-align:left;vertical-align:top}\n"
    "thead th{background:var(--bg2)}td.num,th.num{text-align:right;white-space:nowrap;"
    "font-variant-numeric:tabular-nums}\n"
    "tr.first td{border-top:2px solid var(--mut)}\n"
    "code{overflow-wrap:anywhere}\n"
    "details{margin:.4rem 0}summary{cursor:pointer;color:var(--acc);overflow-wrap:anywhere}\n"
    "pre{background:var(--bg2);border:1px solid var(--bd);padding:.6rem;overflow-x:auto;"
    "font-size:.8rem;line-height:1.35}\n"
    "@media (max-width:40rem){body{padding:.6rem;font-size:15px}h1{font-size:1.3rem}"
    "table{font-size:.8rem}}\n"
    "@page{size:auto;margin:15mm}\n"
    "@media print{body{max-width:none;padding:0;font-size:10pt}"
    ".scroll{overflow:visible}table{font-size:8pt;min-width:0;width:100%}"
    "th,td{padding:.1rem .25rem}details>*{display:block}summary{color:var(--fg)}"
    "pre{white-space:pre-wrap;font-size:7pt}h2{break-after:avoid}"
    "figure,tr{break-inside:avoid}figure svg{max-width:100%}}\n";





static void plot_description(const ecsim_compare *c, FILE *out)
{
    fprintf(out, "Seed %llu (the representative seed: its ",
            (unsigned long long)c->seeds[c->rep_seed]);
    ecsim_html_str(out, c->names[0]);
    fputs(" run is the closest to the median of the first key figure that varies). Top: the "
          "demand every variant saw (common random numbers), and each variant's capacity (solid) "
          "and running tasks (dashed, right axis). Bottom: each key figure's paired difference "
          "from ",
          out);
    ecsim_html_str(out, c->names[0]);
    fputs(" over all the seeds, in percent of its mean, with the 95 % interval.", out);
}

static void page_plot(const ecsim_compare *c, const char *svg_path, FILE *out)
{
    fputs("<h2 id=\"plot\">Demand and capacity, and the differences</h2>\n", out);
    char *svg = svg_path ? ecsim_html_read_file(svg_path, NULL) : NULL;
    const char *tag = svg ? strstr(svg, "<svg") : NULL;
    const char *tag_end = tag ? strchr(tag, '>') : NULL;
    const char *close = tag_end ? strstr(tag_end, "</svg>") : NULL;
    char w[32] = "", h[32] = "", vb[80] = "";
    if (close && ecsim_html_svg_attr(tag, tag_end, "width", w, sizeof w) &&
        ecsim_html_svg_attr(tag, tag_end, "height", h, sizeof h)) {
        if (!ecsim_html_svg_attr(tag, tag_end, "viewBox", vb, sizeof vb))
            snprintf(vb, sizeof vb, "0 0 %s %s", w, h);
        fprintf(out,
                "<figure>\n<svg width=\"%s\" height=\"%s\" viewBox=\"%s\" role=\"img\" "
                "aria-labelledby=\"plot-title plot-desc\">\n",
                w, h, vb);
        fputs("<title id=\"plot-title\">Overlay of the variants: ", out);
        ecsim_html_str(out, c->scenario_name);
        fputs("</title>\n<desc id=\"plot-desc\">", out);
        plot_description(c, out);
        fputs("</desc>\n", out);
        ecsim_html_svg_body(out, tag_end + 1, close);
        fputs("</svg>\n<figcaption>", out);
        plot_description(c, out);
        fputs(" The same chart is in compare.png and compare.svg next to this page.</figcaption>\n"
              "</figure>\n",
              out);
    } else {
        fputs("<p class=\"note\">No chart: ", out);
        fputs(svg_path ? "gnuplot did not produce compare.svg (is gnuplot installed? compare "
                         "printed why); compare.dat and compare.gp hold the data and the script."
                       : "plots were turned off (--no-plots).",
              out);
        fputs("</p>\n", out);
    }
    ecsim_free(svg);
}

/* The stats as the text table shows them, one cell each. */
static void td_num(FILE *out, const char *s)
{
    fputs("<td class=\"num\">", out);
    ecsim_html_str(out, s);
    fputs("</td>", out);
}

static void fmt_cell(char *buf, size_t size, double x, bool sign)
{
    char v[32];
    if (!isfinite(x)) {
        snprintf(buf, size, "-");
        return;
    }
    double a = fabs(x);
    if (a == 0)
        snprintf(v, sizeof v, "0");
    else if (a >= 1e9 || a < 1e-3)
        snprintf(v, sizeof v, "%.3g", x);
    else if (a >= 1000)
        snprintf(v, sizeof v, "%.0f", x);
    else if (a >= 100)
        snprintf(v, sizeof v, "%.1f", x);
    else if (a >= 1)
        snprintf(v, sizeof v, "%.2f", x);
    else
        snprintf(v, sizeof v, "%.3g", x);
    snprintf(buf, size, "%s%s", sign && x > 0 ? "+" : "", v);
}

static void stats_row(const ecsim_compare *c, const ecsim_compare_figure *f, size_t v, bool name,
                      FILE *out)
{
    ecsim_compare_stat st;
    ecsim_compare_stat_of(c, f, v, &st);
    char a[64], b[64], cell[160];
    fputs(v == 0 ? "<tr class=\"first\">" : "<tr>", out);
    fputs("<td>", out);
    if (name && v == 0) {
        fputs("<code>", out);
        ecsim_html_str(out, f->name);
        fputs("</code>", out);
    }
    fputs("</td><td>", out);
    ecsim_html_str(out, c->names[v]);
    fputs("</td>", out);
    fmt_cell(a, sizeof a, st.mean.mean, false);
    td_num(out, a);
    if (st.mean.n >= 2) {
        fmt_cell(a, sizeof a, st.mean.lo, false);
        fmt_cell(b, sizeof b, st.mean.hi, false);
        snprintf(cell, sizeof cell, "%s .. %s", a, b);
    } else {
        snprintf(cell, sizeof cell, "-");
    }
    td_num(out, cell);
    if (v == 0 || st.diff.n == 0) {
        fputs("<td></td><td></td><td></td></tr>\n", out);
        return;
    }
    fmt_cell(a, sizeof a, st.diff.mean, true);
    td_num(out, a);
    if (st.diff.n >= 2) {
        fmt_cell(a, sizeof a, st.diff.lo, true);
        fmt_cell(b, sizeof b, st.diff.hi, true);
        snprintf(cell, sizeof cell, "%s .. %s", a, b);
    } else {
        snprintf(cell, sizeof cell, "-");
    }
    td_num(out, cell);
    bool open = st.diff.n >= 2 && !ecsim_interval_resolved(&st.diff);
    if (isfinite(st.rel_mean)) {
        fmt_cell(a, sizeof a, st.rel_mean * 100, true);
        snprintf(cell, sizeof cell, "%s %%%s", a, open ? " (?)" : "");
    } else {
        snprintf(cell, sizeof cell, "%s", open ? "(?)" : "");
    }
    td_num(out, cell);
    fputs("</tr>\n", out);
}

static void table_head(FILE *out, const char *cls, const char *caption)
{
    fprintf(out, "<div class=\"scroll\"><table class=\"%s\">\n<caption>", cls);
    ecsim_html_str(out, caption);
    fputs("</caption>\n<thead><tr><th>figure</th><th>variant</th><th class=\"num\">mean</th>"
          "<th class=\"num\">95 % CI</th><th class=\"num\">paired difference</th>"
          "<th class=\"num\">95 % CI</th><th class=\"num\">vs baseline</th></tr></thead>\n"
          "<tbody>\n",
          out);
}

int ecsim_compare_write_html(const ecsim_compare *c, const char *svg_path, FILE *out)
{
    const char *title = c->scenario_name ? c->scenario_name : "scenario";
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\" />\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\" />\n"
          "<title>ecsim compare: ",
          out);
    ecsim_html_str(out, title);
    fprintf(out, "</title>\n<style>\n%s</style>\n</head>\n<body>\n<h1>Compare: ", page_css);
    ecsim_html_str(out, title);
    fputs("</h1>\n<p class=\"meta\">", out);
    fprintf(out, "%zu variants &#215; %zu seeds (", c->nvariants, c->nseeds);
    if (c->nseeds > 1)
        fprintf(out, "seeds %llu to %llu", (unsigned long long)c->seeds[0],
                (unsigned long long)c->seeds[c->nseeds - 1]);
    else
        fprintf(out, "seed %llu", (unsigned long long)c->seeds[0]);
    fputs("), common random numbers; means with 95 % intervals (Student t) and paired "
          "differences from the baseline, ",
          out);
    ecsim_html_str(out, c->names[0]);
    fprintf(out, ". ecsim %s", ECSIM_VERSION);
    if (c->command) {
        fputs(": <code>", out);
        ecsim_html_str(out, c->command);
        fputs("</code>", out);
    }
    fputs("</p>\n", out);
    if (c->window) {
        fputs("<p class=\"note\">Figures of the window <code>", out);
        ecsim_html_str(out, c->window);
        fputs("</code> (summary.json <code>windows.", out);
        ecsim_html_str(out, c->window);
        fputs(".*</code>).</p>\n", out);
    }
    if (c->failed_runs)
        fprintf(out, "<p class=\"note\">%zu run(s) failed and are left out.</p>\n", c->failed_runs);

    fputs("<h2 id=\"verdicts\">Verdicts</h2>\n<ul class=\"verdicts\">\n", out);
    const ecsim_compare_figure *keys[KEY_MAX];
    size_t nk = ecsim_compare_key_figures(c, keys, KEY_MAX);
    char verdict[1024];
    for (size_t k = 0; k < nk; k++) {
        bool same = ecsim_compare_identical(c, keys[k]);
        for (size_t v = 1; v < c->nvariants || (same && v == 1); v++) {
            ecsim_compare_stat st;
            ecsim_compare_stat_of(c, keys[k], v < c->nvariants ? v : 0, &st);
            ecsim_compare_verdict(c, keys[k], v < c->nvariants ? v : 0, verdict, sizeof verdict);
            bool open = same || st.same_as_base || !ecsim_interval_resolved(&st.diff);
            fputs(open ? "<li class=\"open\">" : "<li>", out);
            ecsim_html_str(out, verdict);
            fputs("</li>\n", out);
            if (same)
                break;
        }
    }
    if (nk == 0)
        fputs("<li class=\"open\">No key figure in the runs' summaries.</li>\n", out);
    fputs("</ul>\n", out);

    fputs("<h2 id=\"variants\">Variants</h2>\n<div class=\"scroll\"><table "
          "class=\"ecsim-variants\">\n<thead><tr><th>#</th><th>variant</th><th>defined by</th>"
          "</tr></thead>\n<tbody>\n",
          out);
    for (size_t v = 0; v < c->nvariants; v++) {
        fprintf(out, "<tr><td>%zu</td><td>", v + 1);
        ecsim_html_str(out, c->names[v]);
        fputs("</td><td><code>", out);
        ecsim_html_str(out, c->labels[v]);
        fputs("</code></td></tr>\n", out);
    }
    fputs("</tbody>\n</table></div>\n", out);

    fputs("<h2 id=\"figures\">Key figures</h2>\n", out);
    table_head(out, "ecsim-compare", "Key figures over the seeds");
    for (size_t k = 0; k < nk; k++)
        for (size_t v = 0; v < c->nvariants; v++)
            stats_row(c, keys[k], v, true, out);
    fputs("</tbody>\n</table></div>\n<p class=\"note\">(?) = the 95 % interval of the paired "
          "difference contains 0: the seeds do not resolve it.</p>\n",
          out);

    page_plot(c, svg_path, out);

    fprintf(out,
            "<h2 id=\"all\">Every figure</h2>\n<details><summary>%zu figures of "
            "summary.json (also in compare.csv and compare.json)</summary>\n",
            c->nfigures);
    table_head(out, "ecsim-compare-all", "Every numeric figure");
    for (size_t f = 0; f < c->nfigures; f++)
        for (size_t v = 0; v < c->nvariants; v++)
            stats_row(c, &c->figures[f], v, true, out);
    fputs("</tbody>\n</table></div>\n</details>\n", out);

    fputs("<h2 id=\"scenario\">Scenario</h2>\n<details open=\"open\"><summary>", out);
    ecsim_html_str(out, c->scenario_name);
    fputs("</summary>\n", out);
    if (c->scenario_text) {
        fputs("<pre>", out);
        ecsim_html_str(out, c->scenario_text);
        fputs("</pre>\n", out);
    } else {
        fputs("<p class=\"note\">The scenario text is not available.</p>\n", out);
    }
    fputs("<p class=\"note\">Each variant is this scenario with its own settings (the variants "
          "table).</p>\n</details>\n</body>\n</html>\n",
          out);
    return ferror(out) ? ECSIM_EIO : 0;
}
