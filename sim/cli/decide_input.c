/* The input of `ecsim decide`: read one YAML document through the one YAML
 * front end (sim/input/yaml_doc.h: the scenario loader's limits on size,
 * depth, aliases and node count, its located syntax errors and its "did you
 * mean" suggestions), check every field named in DESIGN.md "ecsim decide"
 * (types, ranges, unknown keys with a suggestion) and produce a plain
 * ecsim_decide_input for sim/cli/decide.c. It lives in cli because it
 * fills policy configurations (include/ecsim/policy.h), a layer above
 * input. Problems are all reported, as FILE:LINE:COLUMN: error: ... */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ecsim/alloc.h"
#include "ecsim/error.h"
#include "ecsim/loader.h"
#include "ecsim/policy.h"
#include "input/yaml_doc.h"

typedef struct ld {
    const char *file;
    ecsim_diags *d;
    const ydoc *doc;
    /* seq_at's last answer, so that walking a list in order is linear */
    const ydoc_node *seq, *seq_child;
    size_t seq_index;
} ld;

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static void ld_error(ld *l, const ydoc_node *n, const char *fmt, ...)
{
    char buf[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    int line = n ? n->line : 0;
    int col = n ? n->column : 0;
    ecsim_diags_add(l->d, ECSIM_DIAG_ERROR, l->file, line, col, "%s", buf);
}

/* ---- node helpers -------------------------------------------------------------------- */

static const char *scalar(const ld *l, const ydoc_node *n)
{
    return n && n->type == YDOC_SCALAR ? ydoc_text(l->doc, n) : NULL;
}

static bool is_null(const ld *l, const ydoc_node *n) { return n && ydoc_is_null(l->doc, n); }

static void join_keys(char *buf, size_t size, const char *const *keys)
{
    buf[0] = '\0';
    size_t used = 0;
    for (size_t i = 0; keys[i]; i++) {
        int w = snprintf(buf + used, size - used, "%s%s", i ? ", " : "", keys[i]);
        if (w < 0 || (size_t)w >= size - used)
            break;
        used += (size_t)w;
    }
}

/* Check that `map` is a mapping whose keys are all in `keys` (NULL
 * terminated) and appear once. `where` names the mapping in messages. */
static bool check_mapping(ld *l, const ydoc_node *map, const char *where,
                          const char *const *keys)
{
    if (!map || map->type != YDOC_MAP) {
        ld_error(l, map, "`%s` must be a mapping", where);
        return false;
    }
    size_t nkeys = 0;
    while (keys[nkeys])
        nkeys++;
    bool ok = true;
    for (const ydoc_node *k = ydoc_at(l->doc, map->first), *v; k;
         k = v ? ydoc_at(l->doc, v->next) : NULL) {
        v = ydoc_at(l->doc, k->next);
        const char *ks = scalar(l, k);
        if (!ks) {
            ld_error(l, k, "keys in `%s` must be plain names", where);
            ok = false;
            continue;
        }
        bool known = false;
        for (size_t i = 0; keys[i]; i++)
            if (strcmp(keys[i], ks) == 0)
                known = true;
        if (!known) {
            const char *best = ydoc_suggest(keys, nkeys, sizeof keys[0], ks);
            char list[512];
            join_keys(list, sizeof list, keys);
            if (best)
                ld_error(l, k, "unknown key `%s` in %s (did you mean `%s`?); valid keys: %s", ks,
                         where, best, list);
            else
                ld_error(l, k, "unknown key `%s` in %s; valid keys: %s", ks, where, list);
            ok = false;
            continue;
        }
        for (const ydoc_node *q = ydoc_at(l->doc, map->first); q && q != k;) {
            const char *qs = scalar(l, q);
            if (qs && strcmp(qs, ks) == 0) {
                ld_error(l, k, "duplicate key `%s` in %s", ks, where);
                ok = false;
            }
            const ydoc_node *qv = ydoc_at(l->doc, q->next);
            q = qv ? ydoc_at(l->doc, qv->next) : NULL;
        }
    }
    return ok;
}

static const ydoc_node *get(ld *l, const ydoc_node *map, const char *key)
{
    return ydoc_get(l->doc, map, key);
}

static bool parse_number(const ld *l, const ydoc_node *n, double *out)
{
    const char *s = scalar(l, n);
    if (!s || !n->plain || !*s)
        return false;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (*end != '\0' || errno || !isfinite(v))
        return false;
    *out = v;
    return true;
}

/* Number field in [lo, hi]; returns true when present and valid. */
static bool get_num(ld *l, const ydoc_node *map, const char *key, const char *path, double lo,
                    double hi, double *out)
{
    const ydoc_node *n = get(l, map, key);
    if (!n)
        return false;
    double v;
    if (!parse_number(l, n, &v)) {
        ld_error(l, n, "`%s` must be a number, got `%s`", path, scalar(l, n) ? scalar(l, n) : "(not a scalar)");
        return false;
    }
    if (v < lo || v > hi) {
        ld_error(l, n, "`%s` must be between %g and %g, got %s", path, lo, hi, scalar(l, n));
        return false;
    }
    *out = v;
    return true;
}

static bool node_int(ld *l, const ydoc_node *n, const char *path, long lo, long hi, int *out)
{
    double v;
    if (!parse_number(l, n, &v) || v != floor(v)) {
        ld_error(l, n, "`%s` must be an integer, got `%s`", path,
                 scalar(l, n) ? scalar(l, n) : "(not a scalar)");
        return false;
    }
    if (v < (double)lo || v > (double)hi) {
        ld_error(l, n, "`%s` must be between %ld and %ld, got %s", path, lo, hi, scalar(l, n));
        return false;
    }
    *out = (int)v;
    return true;
}

static bool get_int(ld *l, const ydoc_node *map, const char *key, const char *path, long lo,
                    long hi, int *out)
{
    const ydoc_node *n = get(l, map, key);
    return n ? node_int(l, n, path, lo, hi, out) : false;
}

static bool get_bool(ld *l, const ydoc_node *map, const char *key, const char *path, bool *out)
{
    const ydoc_node *n = get(l, map, key);
    if (!n)
        return false;
    const char *s = scalar(l, n);
    if (s && n->plain && strcmp(s, "true") == 0) {
        *out = true;
        return true;
    }
    if (s && n->plain && strcmp(s, "false") == 0) {
        *out = false;
        return true;
    }
    ld_error(l, n, "`%s` must be true or false, got `%s`", path, s ? s : "(not a scalar)");
    return false;
}

static bool get_duration(ld *l, const ydoc_node *map, const char *key, const char *path,
                         double *out)
{
    const ydoc_node *n = get(l, map, key);
    if (!n)
        return false;
    const char *s = scalar(l, n);
    double v;
    if (!s || ecsim_parse_duration(s, &v) != 0) {
        ld_error(l, n,
                 "`%s` must be a duration (seconds, or e.g. 90s, 5m, 1h30m, 2d), got `%s`", path,
                 s ? s : "(not a scalar)");
        return false;
    }
    *out = v;
    return true;
}

static bool get_enum(ld *l, const ydoc_node *map, const char *key, const char *path,
                     const char *const *names, int *out)
{
    const ydoc_node *n = get(l, map, key);
    if (!n)
        return false;
    const char *s = scalar(l, n);
    for (int i = 0; s && names[i]; i++)
        if (strcmp(names[i], s) == 0) {
            *out = i;
            return true;
        }
    char list[256];
    join_keys(list, sizeof list, names);
    ld_error(l, n, "`%s` must be one of %s, got `%s`", path, list, s ? s : "(not a scalar)");
    return false;
}

static bool is_seq(ld *l, const ydoc_node *n, const char *path)
{
    if (n && n->type == YDOC_SEQ)
        return true;
    ld_error(l, n, "`%s` must be a list", path);
    return false;
}

static size_t seq_len(const ydoc_node *n) { return n->children; }

static const ydoc_node *seq_at(ld *l, const ydoc_node *n, size_t i)
{
    const ydoc_node *c;
    if (l->seq == n && l->seq_child && i == l->seq_index + 1)
        c = ydoc_at(l->doc, l->seq_child->next);
    else
        c = ydoc_seq_at(l->doc, n, i);
    l->seq = n;
    l->seq_index = i;
    l->seq_child = c;
    return c;
}

/* ---- sections ------------------------------------------------------------------------- */

static const char *const policy_names[] = {"hpa", "target_tracking", "step_scaling", NULL};

static int parse_hpa_metric(ld *l, const ydoc_node *m, ecsim_hpa_config *cfg,
                            ecsim_decide_input *in)
{
    static const char *const keys[] = {"type", "name", "target_utilization",
                                       "target_average_value", "target_value", "value", NULL};
    static const char *const types[] = {"resource", "pods", "object", "external", NULL};
    static const char *const resources[] = {"cpu", "memory", NULL};
    if (!check_mapping(l, m, "`metric`", keys))
        return ECSIM_EINVAL;
    int type = 0;
    if (!get(l, m, "type")) {
        ld_error(l, m, "`metric.type` is required: one of resource, pods, object, external");
        return ECSIM_EINVAL;
    }
    if (!get_enum(l, m, "type", "metric.type", types, &type))
        return ECSIM_EINVAL;
    ecsim_hpa_metric_spec *s = &cfg->metric;
    s->type = (ecsim_hpa_metric_type)type;
    const ydoc_node *name = get(l, m, "name"), *tu = get(l, m, "target_utilization"),
                *tav = get(l, m, "target_average_value"), *tv = get(l, m, "target_value"),
                *val = get(l, m, "value");
    size_t before = l->d->errors;
    if (s->type == ECSIM_HPA_METRIC_RESOURCE) {
        int r = 0;
        if (get_enum(l, m, "name", "metric.name", resources, &r))
            s->resource_cpu = r == 0;
        s->target_utilization = 80;   /* DefaultCPUUtilization (reference §5.1) */
        get_num(l, m, "target_utilization", "metric.target_utilization", 1, 1e9,
                &s->target_utilization);
        if (tav || tv || val)
            ld_error(l, tav ? tav : tv ? tv : val,
                     "a resource metric takes `name` and `target_utilization` only");
    } else if (s->type == ECSIM_HPA_METRIC_PODS) {
        s->average_value = true;
        if (name || tu || tv || val)
            ld_error(l, name ? name : tu ? tu : tv ? tv : val,
                     "a pods metric takes `target_average_value` only (per-pod `value` goes in "
                     "`pods`)");
        if (!tav)
            ld_error(l, m, "`metric.target_average_value` is required for a pods metric");
        else
            get_num(l, m, "target_average_value", "metric.target_average_value", 1e-9, 1e18,
                    &s->target_average_value_m);
    } else {
        if (name || tu)
            ld_error(l, name ? name : tu,
                     "an object/external metric takes `target_value` or `target_average_value`, "
                     "and `value`");
        if ((tv != NULL) == (tav != NULL))
            ld_error(l, m, "give exactly one of `metric.target_value` and "
                           "`metric.target_average_value`");
        else if (tv)
            get_num(l, m, "target_value", "metric.target_value", 1e-9, 1e18, &s->target_value_m);
        else {
            s->average_value = true;
            get_num(l, m, "target_average_value", "metric.target_average_value", 1e-9, 1e18,
                    &s->target_average_value_m);
        }
        if (!val)
            ld_error(l, m, "`metric.value` (the observed value) is required for %s metrics",
                     types[type]);
        else
            get_num(l, m, "value", "metric.value", 0, 1e18, &in->metric_value_m);
    }
    return l->d->errors > before ? ECSIM_EINVAL : 0;
}

static int parse_pods(ld *l, const ydoc_node *seq, ecsim_decide_input *in)
{
    static const char *const keys[] = {"request_m", "usage_m", "ready", "hot", "phase",
                                       "deleting", "value", NULL};
    static const char *const phases[] = {"running", "pending", "failed", NULL};
    if (!is_seq(l, seq, "pods"))
        return ECSIM_EINVAL;
    size_t n = seq_len(seq);
    in->pods_given = true;
    if (n == 0)
        return 0;
    in->pods = ecsim_calloc(n, sizeof *in->pods);
    if (!in->pods)
        return ECSIM_ENOMEM;
    in->pod_count = n;
    size_t before = l->d->errors;
    bool resource = in->hpa.metric.type == ECSIM_HPA_METRIC_RESOURCE;
    for (size_t i = 0; i < n; i++) {
        const ydoc_node *pn = seq_at(l, seq, i);
        ecsim_hpa_pod *p = &in->pods[i];
        ecsim_hpa_pod_init(p);
        char where[48];
        snprintf(where, sizeof where, "`pods[%zu]`", i);
        if (!check_mapping(l, pn, where, keys))
            continue;
        char path[64];
        snprintf(path, sizeof path, "pods[%zu].request_m", i);
        get_num(l, pn, "request_m", path, 0, 1e15, &p->request_m);
        snprintf(path, sizeof path, "pods[%zu].usage_m", i);
        bool has_usage = get_num(l, pn, "usage_m", path, 0, 1e15, &p->usage_m);
        snprintf(path, sizeof path, "pods[%zu].value", i);
        bool has_value = get_num(l, pn, "value", path, -1e18, 1e18, &p->value_m);
        p->has_metric = resource ? has_usage : has_value;
        snprintf(path, sizeof path, "pods[%zu].ready", i);
        get_bool(l, pn, "ready", path, &p->ready);
        snprintf(path, sizeof path, "pods[%zu].hot", i);
        get_bool(l, pn, "hot", path, &p->hot);
        snprintf(path, sizeof path, "pods[%zu].deleting", i);
        get_bool(l, pn, "deleting", path, &p->deleting);
        int ph = 0;
        snprintf(path, sizeof path, "pods[%zu].phase", i);
        if (get_enum(l, pn, "phase", path, phases, &ph))
            p->phase = (ecsim_pod_phase)ph;
        if (resource && has_usage && p->request_m <= 0 && p->phase == ECSIM_POD_RUNNING &&
            !p->deleting)
            ld_error(l, pn, "`pods[%zu]` has usage_m but no request_m > 0 (utilisation is a "
                            "percent of the request)",
                     i);
    }
    return l->d->errors > before ? ECSIM_EINVAL : 0;
}

static int parse_rules(ld *l, const ydoc_node *r, const char *where, ecsim_hpa_rules *rules)
{
    static const char *const keys[] = {"stabilization_window", "select_policy", "policies", NULL};
    static const char *const selects[] = {"max", "min", "disabled", NULL};
    static const char *const ptypes[] = {"pods", "percent", NULL};
    static const char *const pkeys[] = {"type", "value", "period", NULL};
    char path[96];
    if (!check_mapping(l, r, where, keys))
        return ECSIM_EINVAL;
    size_t before = l->d->errors;
    {
        /* `where` is quoted with backticks; build plain paths. */
        char plain[64];
        snprintf(plain, sizeof plain, "%.*s", (int)strlen(where) - 2, where + 1);
        snprintf(path, sizeof path, "%s.stabilization_window", plain);
        double w;
        if (get_duration(l, r, "stabilization_window", path, &w)) {
            if (w > 3600)
                ld_error(l, get(l, r, "stabilization_window"),
                         "`%s` must be at most 3600 s (Kubernetes limit)", path);
            else
                rules->stabilization_window_s = w;
        }
        int sel;
        snprintf(path, sizeof path, "%s.select_policy", plain);
        if (get_enum(l, r, "select_policy", path, selects, &sel))
            rules->select = (ecsim_hpa_select)sel;
        const ydoc_node *ps = get(l, r, "policies");
        snprintf(path, sizeof path, "%s.policies", plain);
        if (ps && is_seq(l, ps, path)) {
            size_t n = seq_len(ps);
            if (n == 0 || n > ECSIM_HPA_POLICY_MAX)
                ld_error(l, ps, "`%s` must hold 1 to %d policies", path, ECSIM_HPA_POLICY_MAX);
            else {
                rules->policy_count = n;
                for (size_t i = 0; i < n; i++) {
                    const ydoc_node *pn = seq_at(l, ps, i);
                    char w2[128];
                    snprintf(w2, sizeof w2, "`%s[%zu]`", path, i);
                    if (!check_mapping(l, pn, w2, pkeys))
                        continue;
                    ecsim_hpa_rate_policy *p = &rules->policies[i];
                    char pp[128];
                    int t = 0;
                    snprintf(pp, sizeof pp, "%s[%zu].type", path, i);
                    if (!get(l, pn, "type"))
                        ld_error(l, pn, "`%s` is required: pods or percent", pp);
                    else if (get_enum(l, pn, "type", pp, ptypes, &t))
                        p->percent = t == 1;
                    snprintf(pp, sizeof pp, "%s[%zu].value", path, i);
                    if (!get(l, pn, "value"))
                        ld_error(l, pn, "`%s` is required (> 0)", pp);
                    else
                        get_int(l, pn, "value", pp, 1, 2147483647L, &p->value);
                    snprintf(pp, sizeof pp, "%s[%zu].period", path, i);
                    double per;
                    if (!get(l, pn, "period"))
                        ld_error(l, pn, "`%s` is required (1s to 1800s)", pp);
                    else if (get_duration(l, pn, "period", pp, &per)) {
                        if (per <= 0 || per > 1800)
                            ld_error(l, get(l, pn, "period"),
                                     "`%s` must be between 1s and 1800s (Kubernetes limit)", pp);
                        else
                            p->period_s = per;
                    }
                }
            }
        }
    }
    return l->d->errors > before ? ECSIM_EINVAL : 0;
}

static int parse_records(ld *l, const ydoc_node *seq, const char *path, const char *value_key,
                         ecsim_decide_record **out, size_t *count)
{
    if (!is_seq(l, seq, path))
        return ECSIM_EINVAL;
    size_t n = seq_len(seq);
    if (n == 0)
        return 0;
    *out = ecsim_calloc(n, sizeof **out);
    if (!*out)
        return ECSIM_ENOMEM;
    *count = n;
    const char *keys[] = {"age", value_key, NULL};
    size_t before = l->d->errors;
    for (size_t i = 0; i < n; i++) {
        const ydoc_node *rn = seq_at(l, seq, i);
        char where[96], pp[128];
        snprintf(where, sizeof where, "`%s[%zu]`", path, i);
        if (!check_mapping(l, rn, where, keys))
            continue;
        snprintf(pp, sizeof pp, "%s[%zu].age", path, i);
        if (!get(l, rn, "age"))
            ld_error(l, rn, "`%s` is required (how long ago, e.g. 60s)", pp);
        else
            get_duration(l, rn, "age", pp, &(*out)[i].age_s);
        snprintf(pp, sizeof pp, "%s[%zu].%s", path, i, value_key);
        bool is_change = strcmp(value_key, "change") == 0;
        if (!get(l, rn, value_key))
            ld_error(l, rn, "`%s` is required", pp);
        else if (get_int(l, rn, value_key, pp, is_change ? -1000000000L : 0, 1000000000L,
                         &(*out)[i].value) &&
                 is_change && (*out)[i].value == 0)
            ld_error(l, get(l, rn, value_key), "`%s` must not be 0", pp);
    }
    return l->d->errors > before ? ECSIM_EINVAL : 0;
}

static int parse_hpa(ld *l, const ydoc_node *root, ecsim_decide_input *in)
{
    int rc = 0;
    const ydoc_node *proposal = get(l, root, "proposal");
    if (proposal && node_int(l, proposal, "proposal", 0, 1000000000L, &in->proposal))
        in->has_proposal = true;
    const ydoc_node *metric = get(l, root, "metric");
    if (metric) {
        rc = parse_hpa_metric(l, metric, &in->hpa, in);
        if (rc == ECSIM_ENOMEM)
            return rc;
    } else if (!proposal) {
        ld_error(l, root, "`metric` is required (or give `proposal` to skip the metric)");
    }
    const ydoc_node *pods = get(l, root, "pods");
    if (pods && metric) {
        rc = parse_pods(l, pods, in);
        if (rc == ECSIM_ENOMEM)
            return rc;
    } else if (!pods && metric && !proposal &&
               (in->hpa.metric.type == ECSIM_HPA_METRIC_RESOURCE ||
                in->hpa.metric.type == ECSIM_HPA_METRIC_PODS)) {
        ld_error(l, metric, "`pods` is required for %s metrics (one entry per pod)",
                 in->hpa.metric.type == ECSIM_HPA_METRIC_RESOURCE ? "resource" : "pods");
    }
    const ydoc_node *beh = get(l, root, "behavior");
    if (beh) {
        static const char *const keys[] = {"scale_up", "scale_down", NULL};
        in->hpa.has_behavior = true;
        ecsim_hpa_rules_default_up(&in->hpa.scale_up);
        ecsim_hpa_rules_default_down(&in->hpa.scale_down, in->hpa.downscale_stabilization_s);
        if (is_null(l, beh)) {
            /* `behavior:` with no content = all defaults (§5.3). */
        } else if (check_mapping(l, beh, "`behavior`", keys)) {
            const ydoc_node *up = get(l, beh, "scale_up"), *down = get(l, beh, "scale_down");
            if (up)
                parse_rules(l, up, "`behavior.scale_up`", &in->hpa.scale_up);
            if (down)
                parse_rules(l, down, "`behavior.scale_down`", &in->hpa.scale_down);
        }
    }
    const ydoc_node *hist = get(l, root, "history");
    if (hist) {
        static const char *const keys[] = {"scale_events", "recommendations", NULL};
        if (check_mapping(l, hist, "`history`", keys)) {
            const ydoc_node *ev = get(l, hist, "scale_events"), *rec = get(l, hist, "recommendations");
            if (ev && parse_records(l, ev, "history.scale_events", "change", &in->scale_events,
                                    &in->scale_event_count) == ECSIM_ENOMEM)
                return ECSIM_ENOMEM;
            if (rec && parse_records(l, rec, "history.recommendations", "replicas",
                                     &in->recommendations,
                                     &in->recommendation_count) == ECSIM_ENOMEM)
                return ECSIM_ENOMEM;
        }
    }
    return 0;
}

static int parse_tt(ld *l, const ydoc_node *root, ecsim_decide_input *in)
{
    const ydoc_node *t = get(l, root, "target");
    if (!t)
        ld_error(l, root, "`target` is required (the metric value to hold, > 0)");
    else
        get_num(l, root, "target", "target", 1e-9, 1e18, &in->tt.target);
    const ydoc_node *dp = get(l, root, "datapoints");
    if (!dp) {
        ld_error(l, root, "`datapoints` is required (one value per period, oldest first)");
    } else if (is_seq(l, dp, "datapoints")) {
        size_t n = seq_len(dp);
        if (n > 0) {
            in->datapoints = ecsim_calloc(n, sizeof *in->datapoints);
            if (!in->datapoints)
                return ECSIM_ENOMEM;
            in->datapoint_count = n;
            for (size_t i = 0; i < n; i++) {
                const ydoc_node *v = seq_at(l, dp, i);
                if (is_null(l, v)) {
                    in->datapoints[i] = NAN;   /* a missing datapoint */
                } else if (!parse_number(l, v, &in->datapoints[i])) {
                    ld_error(l, v, "`datapoints[%zu]` must be a number (or null for missing), "
                                   "got `%s`",
                             i, scalar(l, v) ? scalar(l, v) : "(not a scalar)");
                }
            }
        }
    }
    get_bool(l, root, "disable_scale_in", "disable_scale_in", &in->tt.disable_scale_in);
    get_bool(l, root, "deployment_in_progress", "deployment_in_progress",
             &in->deployment_in_progress);
    const ydoc_node *so = get(l, root, "scale_out_cooldown");
    if (so) {
        static const char *const keys[] = {"remaining", "last_scale_out_to", NULL};
        if (check_mapping(l, so, "`scale_out_cooldown`", keys)) {
            get_duration(l, so, "remaining", "scale_out_cooldown.remaining",
                         &in->tt_state.scale_out_cooldown_remaining_s);
            get_int(l, so, "last_scale_out_to", "scale_out_cooldown.last_scale_out_to", 0,
                    1000000000L, &in->tt_state.last_scale_out_to);
        }
    }
    const ydoc_node *si = get(l, root, "scale_in_cooldown");
    if (si) {
        static const char *const keys[] = {"remaining", NULL};
        if (check_mapping(l, si, "`scale_in_cooldown`", keys))
            get_duration(l, si, "remaining", "scale_in_cooldown.remaining",
                         &in->tt_state.scale_in_cooldown_remaining_s);
    }
    return 0;
}

static int parse_step(ld *l, const ydoc_node *root, ecsim_decide_input *in)
{
    static const char *const adj[] = {"change_in_capacity", "percent_change_in_capacity",
                                      "exact_capacity", NULL};
    static const char *const skeys[] = {"lower", "upper", "adjustment", NULL};
    if (!get(l, root, "threshold"))
        ld_error(l, root, "`threshold` is required (the alarm threshold)");
    else
        get_num(l, root, "threshold", "threshold", -1e18, 1e18, &in->step.threshold);
    if (!get(l, root, "metric_value"))
        ld_error(l, root, "`metric_value` is required (the aggregated datapoint)");
    else
        get_num(l, root, "metric_value", "metric_value", -1e18, 1e18, &in->metric_value);
    int a = 0;
    if (get_enum(l, root, "adjustment_type", "adjustment_type", adj, &a))
        in->step.adjustment_type = (ecsim_adjustment_type)a;
    get_int(l, root, "min_adjustment_magnitude", "min_adjustment_magnitude", 0, 1000000000L,
            &in->step.min_adjustment_magnitude);
    const ydoc_node *cd = get(l, root, "cooldown");
    if (cd) {
        static const char *const keys[] = {"remaining", "last_adjustment", NULL};
        if (check_mapping(l, cd, "`cooldown`", keys)) {
            get_duration(l, cd, "remaining", "cooldown.remaining", &in->step_state.cooldown_remaining_s);
            get_int(l, cd, "last_adjustment", "cooldown.last_adjustment", -1000000000L,
                    1000000000L, &in->step_state.last_adjustment);
        }
    }
    const ydoc_node *steps = get(l, root, "steps");
    if (!steps) {
        ld_error(l, root, "`steps` is required (a list of {lower, upper, adjustment})");
        return 0;
    }
    if (!is_seq(l, steps, "steps"))
        return 0;
    size_t n = seq_len(steps);
    if (n == 0 || n > ECSIM_STEP_MAX) {
        ld_error(l, steps, "`steps` must hold 1 to %d steps", ECSIM_STEP_MAX);
        return 0;
    }
    size_t before = l->d->errors;
    in->step.step_count = n;
    for (size_t i = 0; i < n; i++) {
        const ydoc_node *sn = seq_at(l, steps, i);
        ecsim_step_adjustment *s = &in->step.steps[i];
        char where[48], pp[64];
        snprintf(where, sizeof where, "`steps[%zu]`", i);
        if (!check_mapping(l, sn, where, skeys))
            continue;
        const ydoc_node *lo = get(l, sn, "lower"), *hi = get(l, sn, "upper");
        snprintf(pp, sizeof pp, "steps[%zu].lower", i);
        if (lo && !is_null(l, lo))
            s->has_lower = get_num(l, sn, "lower", pp, -1e18, 1e18, &s->lower);
        snprintf(pp, sizeof pp, "steps[%zu].upper", i);
        if (hi && !is_null(l, hi))
            s->has_upper = get_num(l, sn, "upper", pp, -1e18, 1e18, &s->upper);
        snprintf(pp, sizeof pp, "steps[%zu].adjustment", i);
        if (!get(l, sn, "adjustment"))
            ld_error(l, sn, "`%s` is required (an integer)", pp);
        else
            get_int(l, sn, "adjustment", pp, -1000000000L, 1000000000L, &s->adjustment);
    }
    if (l->d->errors == before) {
        char why[256];
        if (ecsim_step_config_validate(&in->step, why, sizeof why) != 0)
            ld_error(l, steps, "invalid `steps`: %s", why);
    }
    return 0;
}

static int decide_from_document(ld *l, ecsim_decide_input *in)
{
    const ydoc_node *root = ydoc_at(l->doc, l->doc->root);
    if (!root || is_null(l, root)) {
        ld_error(l, root, "empty document: expected a mapping with `policy` (hpa, "
                          "target_tracking or step_scaling)");
        return ECSIM_EINVAL;
    }
    if (root->type != YDOC_MAP) {
        ld_error(l, root, "the document must be a mapping with `policy`");
        return ECSIM_EINVAL;
    }
    int kind = -1;
    if (!get(l, root, "policy")) {
        ld_error(l, root, "`policy` is required: one of hpa, target_tracking, step_scaling");
        return ECSIM_EINVAL;
    }
    if (!get_enum(l, root, "policy", "policy", policy_names, &kind))
        return ECSIM_EINVAL;
    static const char *const hpa_keys[] = {"policy", "current", "min", "max", "metric", "pods",
                                           "behavior", "history", "proposal", NULL};
    static const char *const tt_keys[] = {"policy", "current", "min", "max", "target",
                                          "datapoints", "disable_scale_in", "scale_out_cooldown",
                                          "scale_in_cooldown", "deployment_in_progress", NULL};
    static const char *const step_keys[] = {"policy", "current", "min", "max", "threshold",
                                            "metric_value", "adjustment_type",
                                            "min_adjustment_magnitude", "steps", "cooldown", NULL};
    const char *const *keys = kind == 0 ? hpa_keys : kind == 1 ? tt_keys : step_keys;
    char where[64];
    snprintf(where, sizeof where, "a `%s` input", policy_names[kind]);
    check_mapping(l, root, where, keys);

    in->policy = kind == 0   ? ECSIM_POLICY_HPA
                 : kind == 1 ? ECSIM_POLICY_TARGET_TRACKING
                             : ECSIM_POLICY_STEP_SCALING;
    if (!get(l, root, "current"))
        ld_error(l, root, "`current` is required (the current desired count / spec.replicas)");
    else
        get_int(l, root, "current", "current", 0, 1000000000L, &in->current);
    in->min = 1;
    get_int(l, root, "min", "min", 0, 1000000000L, &in->min);
    if (!get(l, root, "max"))
        ld_error(l, root, "`max` is required (the maximum count)");
    else if (get_int(l, root, "max", "max", kind == 0 ? 1 : 0, 1000000000L, &in->max) &&
             in->max < in->min)
        ld_error(l, get(l, root, "max"), "`max` (%d) must be at least `min` (%d)", in->max,
                 in->min);
    in->hpa.min = in->min;
    in->hpa.max = in->max;
    int rc = kind == 0 ? parse_hpa(l, root, in) : kind == 1 ? parse_tt(l, root, in)
                                                            : parse_step(l, root, in);
    if (rc)
        return rc;
    return l->d->errors ? ECSIM_EINVAL : 0;
}

static void input_defaults(ecsim_decide_input *in)
{
    memset(in, 0, sizeof *in);
    in->policy = ECSIM_POLICY_NONE;
    ecsim_hpa_config_defaults(&in->hpa);
    ecsim_tt_config_defaults(&in->tt, 0);
    ecsim_step_config_defaults(&in->step);
    in->metric_value = NAN;
}

int ecsim_decide_load_string(const char *text, size_t len, const char *display_name,
                             ecsim_decide_input *in, ecsim_diags *d)
{
    input_defaults(in);
    ld l = {display_name ? display_name : "<input>", d, NULL, NULL, NULL, 0};
    if (len > YDOC_MAX_BYTES) {
        ecsim_diags_add(d, ECSIM_DIAG_ERROR, l.file, 0, 0,
                        "file is too large (%zu bytes; decide inputs are at most %u bytes)", len,
                        YDOC_MAX_BYTES);
        return ECSIM_EINVAL;
    }
    ydoc doc;
    ydoc_source src = {l.file, true, "decide input"};
    int rc = ydoc_parse(&doc, (const unsigned char *)text, len, &src, d);
    if (rc == 0) {
        l.doc = &doc;
        rc = decide_from_document(&l, in);
    }
    ydoc_free(&doc);
    return rc;
}

int ecsim_decide_load(const char *path, ecsim_decide_input *in, ecsim_diags *d)
{
    input_defaults(in);
    FILE *f = fopen(path, "rb");
    if (!f) {
        ecsim_diags_add(d, ECSIM_DIAG_ERROR, path, 0, 0, "cannot open: %s", strerror(errno));
        return ECSIM_EIO;
    }
    size_t cap = 4096, len = 0;
    char *buf = ecsim_malloc(cap);
    int rc = 0;
    if (!buf) {
        rc = ECSIM_ENOMEM;
        goto close_file;
    }
    for (;;) {
        if (len == cap) {
            if (cap > YDOC_MAX_BYTES) { /* the shared limit (yaml_doc.h) */
                ecsim_diags_add(d, ECSIM_DIAG_ERROR, path, 0, 0,
                                "file is too large (more than %u bytes; decide inputs are at most "
                                "%u bytes)",
                                YDOC_MAX_BYTES, YDOC_MAX_BYTES);
                rc = ECSIM_EINVAL;
                goto free_buf;
            }
            char *nb = ecsim_realloc(buf, cap * 2);
            if (!nb) {
                rc = ECSIM_ENOMEM;
                goto free_buf;
            }
            buf = nb;
            cap *= 2;
        }
        size_t got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (got == 0)
            break;
    }
    if (ferror(f)) {
        ecsim_diags_add(d, ECSIM_DIAG_ERROR, path, 0, 0, "read error");
        rc = ECSIM_EIO;
        goto free_buf;
    }
    rc = ecsim_decide_load_string(buf, len, path, in, d);

free_buf:
    ecsim_free(buf);
close_file:
    fclose(f);
    return rc;
}

void ecsim_decide_input_free(ecsim_decide_input *in)
{
    ecsim_free(in->pods);
    ecsim_free(in->scale_events);
    ecsim_free(in->recommendations);
    ecsim_free(in->datapoints);
    in->pods = NULL;
    in->scale_events = NULL;
    in->recommendations = NULL;
    in->datapoints = NULL;
    in->pod_count = in->scale_event_count = in->recommendation_count = in->datapoint_count = 0;
}
