/* Kubernetes HPA calculator (sim/policy/policy_hpa.c): cases ported from upstream
 * replica_calculator_test.go (TestReplicaCalc*) and horizontal_test.go
 * (TestNormalizeDesiredReplicas, TestScalingWithRules), plus the traps of
 * reference §5.2-5.3. Upstream's "hot" pods (CPU start within the
 * initialisation period) are `hot: true`; unready pods `ready: false`. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "ecsim/alloc.h"
#include "ecsim/error.h"
#include "ecsim/policy.h"

enum { R = 0, U = 1, H = 2, P = 3, F = 4, D = 5 }; /* ready, unready, hot, pending, failed, deleting */

/* A resource (cpu) case: pods with requests (milli), `nlevels` usages (the
 * rest have no sample), and a per-pod kind. Returns the proposal. */
static int resource_case(int current, double target, size_t npods, const double *requests,
                         const double *levels, size_t nlevels, const int *kinds,
                         ecsim_hpa_metric_result *out)
{
    ecsim_hpa_config cfg;
    ecsim_hpa_config_defaults(&cfg);
    cfg.max = 1000;
    cfg.metric.target_utilization = target;
    ecsim_hpa_pod pods[16];
    for (size_t i = 0; i < npods; i++) {
        ecsim_hpa_pod_init(&pods[i]);
        pods[i].request_m = requests ? requests[i] : 1000;
        int k = kinds ? kinds[i] : R;
        pods[i].ready = k != U;
        pods[i].hot = k == H;
        pods[i].phase = k == P ? ECSIM_POD_PENDING : k == F ? ECSIM_POD_FAILED : ECSIM_POD_RUNNING;
        pods[i].deleting = k == D;
    }
    /* Upstream assigns levels to the first pods that are not failed/deleted
     * in the test harness only by index; keep index order. */
    for (size_t i = 0; i < nlevels; i++) {
        pods[i].usage_m = levels[i];
        pods[i].has_metric = true;
    }
    ecsim_hpa_obs obs = {.now_s = 0, .current = current, .status_replicas = current,
                         .pods = pods, .pod_count = npods, .pods_given = true};
    ecsim_hpa_metric_result tmp;
    if (!out)
        out = &tmp;
    int rc = ecsim_hpa_replicas_for_metric(&cfg, &obs, out, NULL);
    return rc == 0 ? out->replicas : rc;
}

static int pods_case(int current, double target, size_t n, const double *values,
                     const int *kinds, ecsim_hpa_metric_result *out)
{
    ecsim_hpa_config cfg;
    ecsim_hpa_config_defaults(&cfg);
    cfg.max = 1000;
    cfg.metric.type = ECSIM_HPA_METRIC_PODS;
    cfg.metric.average_value = true;
    cfg.metric.target_average_value_m = target;
    ecsim_hpa_pod pods[16];
    for (size_t i = 0; i < n; i++) {
        ecsim_hpa_pod_init(&pods[i]);
        int k = kinds ? kinds[i] : R;
        pods[i].ready = k != U;
        pods[i].hot = k == H;
        pods[i].phase = k == P ? ECSIM_POD_PENDING : ECSIM_POD_RUNNING;
        if (!isnan(values[i])) {
            pods[i].value_m = values[i];
            pods[i].has_metric = true;
        }
    }
    ecsim_hpa_obs obs = {.current = current, .status_replicas = current, .pods = pods,
                         .pod_count = n, .pods_given = true};
    ecsim_hpa_metric_result tmp;
    if (!out)
        out = &tmp;
    int rc = ecsim_hpa_replicas_for_metric(&cfg, &obs, out, NULL);
    return rc == 0 ? out->replicas : rc;
}

static void test_scale_up(void **state)
{
    (void)state;
    ecsim_hpa_metric_result r;
    double lv[] = {300, 500, 700};
    assert_int_equal(resource_case(3, 30, 3, NULL, lv, 3, NULL, &r), 5);
    assert_int_equal((int)r.utilization, 50);
}

static void test_scale_up_unready_less_scale(void **state)
{
    (void)state;
    ecsim_hpa_metric_result r;
    double lv[] = {300, 500, 700};
    int k[] = {U, R, R};
    assert_int_equal(resource_case(3, 30, 3, NULL, lv, 3, k, &r), 4);
    assert_int_equal((int)r.utilization, 60);
}

static void test_scale_up_hot_cpu_less_scale(void **state)
{
    (void)state;
    double lv[] = {300, 500, 700};
    int k[] = {H, R, R};
    assert_int_equal(resource_case(3, 30, 3, NULL, lv, 3, k, NULL), 4);
}

static void test_scale_up_unready_no_scale(void **state)
{
    (void)state;
    ecsim_hpa_metric_result r;
    double lv[] = {400, 500, 700};
    int k[] = {R, U, U};
    /* 40 % ready -> ratio 1.33; unready at 0 -> 13 %: direction flips. */
    assert_int_equal(resource_case(3, 30, 3, NULL, lv, 3, k, &r), 3);
    assert_int_equal((int)r.utilization, 40);
}

static void test_scale_up_ignores_failed_and_deleting(void **state)
{
    (void)state;
    double lv[] = {500, 700};
    int failed[] = {R, R, F, F};
    int deleting[] = {R, R, D, D};
    assert_int_equal(resource_case(2, 30, 4, NULL, lv, 2, failed, NULL), 4);
    assert_int_equal(resource_case(2, 30, 4, NULL, lv, 2, deleting, NULL), 4);
}

static void test_pods_metric_scale_up(void **state)
{
    (void)state;
    ecsim_hpa_metric_result r;
    double v1[] = {20000, 10000, 30000};
    assert_int_equal(pods_case(3, 15000, 3, v1, NULL, &r), 4);
    assert_int_equal((int)r.utilization, 20000);
    /* Readiness is not checked for non-CPU metrics. */
    double v2[] = {50000, 10000, 30000};
    int k2[] = {R, R, H};
    assert_int_equal(pods_case(3, 15000, 3, v2, k2, NULL), 6);
    double v3[] = {50000, 15000, 30000};
    int k3[] = {U, R, U};
    assert_int_equal(pods_case(3, 15000, 3, v3, k3, &r), 7);
    assert_int_equal((int)r.utilization, 31666); /* integer average */
}

static void test_pods_metric_scale_down_and_tolerance(void **state)
{
    (void)state;
    double v[] = {12000, 12000, 12000, 12000, 12000};
    assert_int_equal(pods_case(5, 20000, 5, v, NULL, NULL), 3);
    double t[] = {20000, 21000, 21000};
    assert_int_equal(pods_case(3, 20000, 3, t, NULL, NULL), 3);
}

static void test_pods_metric_missing_filled_with_target(void **state)
{
    (void)state;
    /* Scale-down with a missing pod: the missing pod counts at exactly the
     * target (not 100 % of a request): (6000 + 6000 + 20000) / 3 = 10666
     * -> ratio 0.5333 -> ceil(1.6) = 2. */
    double v[] = {6000, 6000, NAN};
    ecsim_hpa_metric_result r;
    assert_int_equal(pods_case(3, 20000, 3, v, NULL, &r), 2);
    assert_true(fabs(r.new_ratio - 10666.0 / 20000.0) < 1e-12);
}

static int object_case(int current, bool average, double target, double value, size_t npods,
                       const int *kinds)
{
    ecsim_hpa_config cfg;
    ecsim_hpa_config_defaults(&cfg);
    cfg.max = 1000;
    cfg.metric.type = ECSIM_HPA_METRIC_OBJECT;
    cfg.metric.average_value = average;
    if (average)
        cfg.metric.target_average_value_m = target;
    else
        cfg.metric.target_value_m = target;
    ecsim_hpa_pod pods[8];
    for (size_t i = 0; i < npods; i++) {
        ecsim_hpa_pod_init(&pods[i]);
        pods[i].ready = kinds ? kinds[i] != U : true;
    }
    ecsim_hpa_obs obs = {.current = current, .status_replicas = current, .pods = pods,
                         .pod_count = npods, .pods_given = npods > 0, .metric_value_m = value};
    ecsim_hpa_metric_result r;
    int rc = ecsim_hpa_replicas_for_metric(&cfg, &obs, &r, NULL);
    return rc == 0 ? r.replicas : rc;
}

static void test_object_and_external(void **state)
{
    (void)state;
    assert_int_equal(object_case(3, false, 15000, 20000, 3, NULL), 4);
    int k[] = {U, R, U};
    /* Multiplies by running & ready pods only: ceil(5 x 1) = 5, not 15. */
    assert_int_equal(object_case(3, false, 10000, 50000, 3, k), 5);
    /* External (same arithmetic): ceil(8600/4400 x 1 ready) = 2, not 6. */
    assert_int_equal(object_case(3, false, 4400, 8600, 3, k), 2);
    /* AverageValue: ratio = 20000 / (5000 x 3); ceil(20000 / 5000) = 4. */
    assert_int_equal(object_case(3, true, 5000, 20000, 3, NULL), 4);
    /* AverageValue within tolerance keeps status replicas. */
    assert_int_equal(object_case(4, true, 5000, 20166, 4, NULL), 4);
    assert_int_equal(object_case(5, true, 2000, 6000, 5, NULL), 3);
    /* Value tolerance: 20666 / 20000 within 10 %. */
    assert_int_equal(object_case(3, false, 20000, 20666, 3, NULL), 3);
    /* current 0: ceil(ratio). */
    assert_int_equal(object_case(0, false, 1000, 2500, 0, NULL), 3);
}

static void test_scale_down(void **state)
{
    (void)state;
    ecsim_hpa_metric_result r;
    double lv[] = {100, 300, 500, 250, 250};
    assert_int_equal(resource_case(5, 50, 5, NULL, lv, 5, NULL, &r), 3);
    assert_int_equal((int)r.utilization, 28);
    int unready[] = {R, R, R, U, U};
    assert_int_equal(resource_case(5, 50, 5, NULL, lv, 5, unready, &r), 2);
    assert_int_equal((int)r.utilization, 30);
    int hot[] = {R, R, R, H, H};
    assert_int_equal(resource_case(5, 50, 5, NULL, lv, 5, hot, NULL), 2);
}

static void test_scale_down_exclude_unscheduled(void **state)
{
    (void)state;
    double lv[] = {100};
    int k[] = {R, P, P, P, P};
    /* Multiply by ready pods with metrics (1), not by current (5). */
    assert_int_equal(resource_case(5, 50, 5, NULL, lv, 1, k, NULL), 1);
}

static void test_scale_down_ignores_failed_deleting(void **state)
{
    (void)state;
    double lv[] = {100, 300, 500, 250, 250};
    int f[] = {R, R, R, R, R, F, F};
    int d[] = {R, R, R, R, R, D, D};
    assert_int_equal(resource_case(5, 50, 7, NULL, lv, 5, f, NULL), 3);
    assert_int_equal(resource_case(5, 50, 7, NULL, lv, 5, d, NULL), 3);
}

static void test_tolerance(void **state)
{
    (void)state;
    ecsim_hpa_metric_result r;
    double req[] = {900, 1000, 1100};
    double lv[] = {1010, 1030, 1020};
    assert_int_equal(resource_case(3, 100, 3, req, lv, 3, NULL, &r), 3);
    assert_int_equal((int)r.utilization, 102);
}

static void test_tolerance_inclusive_at_1_1(void **state)
{
    (void)state;
    /* util 110 / target 100 = 1.1 exactly: within (inclusive); 111 is not. */
    double at[] = {1100, 1100, 1100};
    assert_int_equal(resource_case(3, 100, 3, NULL, at, 3, NULL, NULL), 3);
    double over[] = {1110, 1110, 1110};
    assert_int_equal(resource_case(3, 100, 3, NULL, over, 3, NULL, NULL), 4);
    double under[] = {900, 900, 900};
    assert_int_equal(resource_case(3, 100, 3, NULL, under, 3, NULL, NULL), 3);
}

static void test_integer_utilization(void **state)
{
    (void)state;
    /* 999 x 100 / 3000 = 33.3 -> 33 %; 33 / 30 = 1.1 -> within tolerance.
     * A float utilisation (1.11) would scale to 4. */
    ecsim_hpa_metric_result r;
    double lv[] = {333, 333, 333};
    assert_int_equal(resource_case(3, 30, 3, NULL, lv, 3, NULL, &r), 3);
    assert_int_equal((int)r.utilization, 33);
}

static void test_missing_metrics(void **state)
{
    (void)state;
    ecsim_hpa_metric_result r;
    double lv[] = {400, 95};
    /* 24 %, missing pods at 100 % -> 62 % -> ceil(0.62 x 4) = 3. */
    assert_int_equal(resource_case(4, 100, 4, NULL, lv, 2, NULL, &r), 3);
    assert_int_equal((int)r.utilization, 24);
    double eq[] = {1000}, gt[] = {1900}, lt[] = {600};
    assert_int_equal(resource_case(2, 100, 2, NULL, eq, 1, NULL, NULL), 2);
    assert_int_equal(resource_case(2, 100, 2, NULL, gt, 1, NULL, NULL), 2);
    assert_int_equal(resource_case(2, 100, 2, NULL, lt, 1, NULL, NULL), 2);
}

static void test_missing_uses_target_above_100(void **state)
{
    (void)state;
    /* Target 150 %: a missing pod on scale-down counts at 150 % of its
     * request: (300 + 1500) / 2000 = 90 % -> 0.6 -> ceil(1.2) = 2. With
     * 100 % it would be 65 % -> 0.433 -> 1. */
    ecsim_hpa_metric_result r;
    double lv[] = {300};
    assert_int_equal(resource_case(2, 150, 2, NULL, lv, 1, NULL, &r), 2);
    assert_true(fabs(r.new_ratio - 90.0 / 150.0) < 1e-12);
}

static void test_missing_metrics_with_unready(void **state)
{
    (void)state;
    double lv[] = {100, 450};
    int k[] = {U, R, R};
    assert_int_equal(resource_case(3, 50, 3, NULL, lv, 2, k, NULL), 3);
    int hot[] = {H, R, R};
    assert_int_equal(resource_case(3, 50, 3, NULL, lv, 2, hot, NULL), 3);
    double up[] = {100, 2000};
    assert_int_equal(resource_case(3, 50, 3, NULL, up, 2, k, NULL), 4);
    double down[] = {100, 100, 100};
    int k4[] = {U, R, R, R};
    assert_int_equal(resource_case(4, 50, 4, NULL, down, 3, k4, NULL), 3);
}

static void test_rolling_update_max_surge(void **state)
{
    (void)state;
    /* 3 pods of a 2-replica target, one without metrics: new ratio 0.8
     * gives ceil(2.4) = 3 > current on a scale-down -> keep 2. */
    double lv[] = {100, 100};
    assert_int_equal(resource_case(2, 50, 3, NULL, lv, 2, NULL, NULL), 2);
}

static void test_no_metrics_is_error(void **state)
{
    (void)state;
    int k[] = {U, U};
    double lv[] = {100, 100};
    assert_int_equal(resource_case(2, 50, 2, NULL, lv, 2, k, NULL), ECSIM_ENOENT);
    assert_int_equal(resource_case(2, 50, 2, NULL, lv, 0, NULL, NULL), ECSIM_ENOENT);
}

static void test_group_pods_timing(void **state)
{
    (void)state;
    /* The exact upstream readiness rule when times are known (§5.2). */
    ecsim_hpa_config cfg;
    ecsim_hpa_config_defaults(&cfg);
    ecsim_hpa_pod pods[2];
    for (int i = 0; i < 2; i++) {
        ecsim_hpa_pod_init(&pods[i]);
        pods[i].request_m = 1000;
        pods[i].has_metric = true;
        pods[i].has_timing = true;
    }
    /* Pod 0: ready, started 60 s ago, ready 30 s ago, 30 s window sample
     * taken now -> counted. Pod 1: same but 60 s window -> unready. */
    double now = 1000;
    pods[0].usage_m = 800;
    pods[0].start_s = now - 60;
    pods[0].ready_transition_s = now - 30;
    pods[0].sample_time_s = now;
    pods[0].sample_window_s = 30;
    pods[1] = pods[0];
    pods[1].sample_window_s = 60;
    pods[1].usage_m = 100;
    ecsim_hpa_obs obs = {.now_s = now, .current = 2, .status_replicas = 2, .pods = pods,
                         .pod_count = 2, .pods_given = true};
    ecsim_hpa_metric_result r;
    assert_int_equal(ecsim_hpa_replicas_for_metric(&cfg, &obs, &r, NULL), 0);
    assert_int_equal(r.ready_count, 1);
    assert_int_equal(r.unready_count, 1);
    /* After the init period an unready pod that was ready after the initial
     * delay counts as ready; one never ready since start is unready. */
    pods[0].start_s = now - 600;
    pods[0].ready = false;
    pods[0].ready_transition_s = now - 540;
    pods[1].start_s = now - 600;
    pods[1].ready = false;
    pods[1].ready_transition_s = now - 590;
    assert_int_equal(ecsim_hpa_replicas_for_metric(&cfg, &obs, &r, NULL), 0);
    assert_int_equal(r.ready_count, 1);
    assert_int_equal(r.unready_count, 1);
}

/* ---- reconcile: legacy path (TestNormalizeDesiredReplicas) -------------------------- */

static int legacy_stabilized(const double *ages, const int *recs, size_t n, int proposal,
                             int current)
{
    ecsim_hpa_config cfg;
    ecsim_hpa_config_defaults(&cfg);
    cfg.max = 100;
    ecsim_hpa_state st;
    ecsim_hpa_state_init(&st);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(ecsim_hpa_state_add_recommendation(&st, -ages[i], recs[i]), 0);
    ecsim_hpa_result r;
    assert_int_equal(ecsim_hpa_reconcile(&cfg, &st, 0, current, proposal, &r, NULL), 0);
    ecsim_hpa_state_free(&st);
    return r.stabilized;
}

static void test_normalize_desired_replicas(void **state)
{
    (void)state;
    assert_int_equal(legacy_stabilized(NULL, NULL, 0, 5, 5), 5);
    double a1[] = {120, 60};
    int r1[] = {4, 5};
    assert_int_equal(legacy_stabilized(a1, r1, 2, 3, 3), 5);
    int r2[] = {1, 2};
    assert_int_equal(legacy_stabilized(a1, r2, 2, 3, 3), 3);
    double a3[] = {600, 540};
    int r3[] = {10, 9};
    assert_int_equal(legacy_stabilized(a3, r3, 2, 3, 3), 3);
    double a4[] = {600, 60, 120, 540};
    int r4[] = {10, 4, 5, 9};
    assert_int_equal(legacy_stabilized(a4, r4, 4, 3, 3), 5);
    /* Upstream's legacy window skips only records Before(cutoff): one
     * exactly 300 s old still counts; 301 s does not. */
    double edge[] = {300};
    int r5[] = {7};
    assert_int_equal(legacy_stabilized(edge, r5, 1, 3, 3), 7);
    double past[] = {301};
    assert_int_equal(legacy_stabilized(past, r5, 1, 3, 3), 3);
}

static void test_legacy_scale_up_limit(void **state)
{
    (void)state;
    ecsim_hpa_config cfg;
    ecsim_hpa_config_defaults(&cfg);
    cfg.max = 100;
    ecsim_hpa_state st;
    ecsim_hpa_state_init(&st);
    ecsim_hpa_result r;
    assert_int_equal(ecsim_hpa_reconcile(&cfg, &st, 0, 3, 50, &r, NULL), 0);
    assert_int_equal(r.desired, 6);   /* max(2 x 3, 4) */
    assert_string_equal(r.condition, "ScaleUpLimit");
    assert_int_equal(ecsim_hpa_reconcile(&cfg, &st, 15, 1, 50, &r, NULL), 0);
    assert_int_equal(r.desired, 4);   /* max(2, 4) */
    cfg.max = 5;
    assert_int_equal(ecsim_hpa_reconcile(&cfg, &st, 30, 4, 50, &r, NULL), 0);
    assert_int_equal(r.desired, 5);
    assert_string_equal(r.condition, "TooManyReplicas");
    /* Legacy path stores no scale events. */
    assert_int_equal((int)(st.up_count + st.down_count), 0);
    ecsim_hpa_state_free(&st);
}

static void test_reconcile_guards(void **state)
{
    (void)state;
    ecsim_hpa_config cfg;
    ecsim_hpa_config_defaults(&cfg);
    cfg.min = 2;
    cfg.max = 10;
    ecsim_hpa_state st;
    ecsim_hpa_state_init(&st);
    ecsim_hpa_result r;
    assert_int_equal(ecsim_hpa_reconcile(&cfg, &st, 0, 0, 5, &r, NULL), 0);
    assert_int_equal(r.desired, 0);
    assert_string_equal(r.condition, "ScalingDisabled");
    assert_int_equal(ecsim_hpa_reconcile(&cfg, &st, 0, 12, 5, &r, NULL), 0);
    assert_int_equal(r.desired, 10);
    assert_int_equal(ecsim_hpa_reconcile(&cfg, &st, 0, 1, 5, &r, NULL), 0);
    assert_int_equal(r.desired, 2);
    assert_int_equal((int)st.rec_count, 0);   /* nothing recorded in these cases */
    ecsim_hpa_state_free(&st);
}

/* ---- reconcile: behavior path (TestScalingWithRules) ---------------------------------- */

typedef struct rules_case {
    int cur, prop, min, max;
    int up_pods, up_pods_period, up_pct, up_pct_period; /* all 0 = default rules */
    int dn_pods, dn_pods_period, dn_pct, dn_pct_period;
    int ev_up[4], ev_dn[4];   /* events spread uniformly over the last 120 s */
    int expected;
    const char *condition;
} rules_case;

static void gen_rules(ecsim_hpa_rules *r, int pods, int pp, int pct, int pcp, bool up)
{
    if (up)
        ecsim_hpa_rules_default_up(r);
    else
        ecsim_hpa_rules_default_down(r, 300);
    if (pods == 0 && pct == 0)
        return;
    r->policy_count = 0;
    r->stabilization_window_s = up ? 0 : 300;
    if (pods)
        r->policies[r->policy_count++] = (ecsim_hpa_rate_policy){false, pods, pp};
    if (pct)
        r->policies[r->policy_count++] = (ecsim_hpa_rate_policy){true, pct, pcp};
}

static void add_uniform_events(ecsim_hpa_state *st, const int *ev, int sign)
{
    /* horizontal_test.go generateEventsUniformDistribution(ev, 120). */
    int n = 0;
    while (n < 4 && ev[n])
        n++;
    for (int i = 0; i < n; i++) {
        double seg = 120.0 / n;
        double age = 120.0 - seg * (i + 1) + seg / 2;
        assert_int_equal(ecsim_hpa_state_add_event(st, -age, sign * ev[i]), 0);
    }
}

static void test_scaling_with_rules(void **state)
{
    (void)state;
    static const rules_case cases[] = {
        {5, 7, 3, 8, 0, 0, 0, 0, 0, 0, 0, 0, {0}, {0}, 7, "DesiredWithinRange"},
        {3, 1, 2, 8, 0, 0, 0, 0, 0, 0, 0, 0, {0}, {0}, 2, "TooFewReplicas"},
        {1, 0, 0, 10, 0, 0, 0, 0, 0, 0, 0, 0, {0}, {0}, 0, "DesiredWithinRange"},
        {100, 1000, 100, 150, 0, 0, 0, 0, 0, 0, 0, 0, {0}, {0}, 150, "TooManyReplicas"},
        {3, 1000, 1, 2000, 0, 0, 1, 60, 0, 0, 0, 0, {0}, {0}, 4, "ScaleUpLimit"},
        {1000, 3, 3, 2000, 0, 0, 0, 0, 20, 60, 0, 0, {0}, {0}, 980, "ScaleDownLimit"},
        {10, 50, 1, 1000, 0, 0, 0, 0, 0, 0, 0, 0, {0}, {0}, 20, "ScaleUpLimit"},
        {10, 500, 1, 1000, 100, 60, 100, 60, 0, 0, 0, 0, {0}, {0}, 110, "ScaleUpLimit"},
        {10, 500, 1, 1000, 2, 60, 100, 60, 0, 0, 0, 0, {0}, {0}, 20, "ScaleUpLimit"},
        {10, 50, 1, 1000, 100, 60, 0, 0, 0, 0, 0, 0, {0}, {0}, 50, "DesiredWithinRange"},
        {10, 50, 1, 1000, 30, 60, 0, 0, 0, 0, 0, 0, {0}, {0}, 40, "ScaleUpLimit"},
        {10, 50, 1, 1000, 0, 0, 200, 60, 0, 0, 0, 0, {0}, {0}, 30, "ScaleUpLimit"},
        {100, 2, 1, 1000, 0, 0, 0, 0, 20, 60, 1, 60, {0}, {0}, 80, "ScaleDownLimit"},
        {100, 2, 1, 1000, 0, 0, 0, 0, 2, 60, 1, 60, {0}, {0}, 98, "ScaleDownLimit"},
        {10, 0, 1, 1000, 0, 0, 0, 0, 100, 60, 0, 0, {0}, {0}, 1, "TooFewReplicas"},
        {10, 2, 5, 1000, 0, 0, 0, 0, 0, 0, 100, 60, {0}, {0}, 5, "TooFewReplicas"},
        {10, 2, 1, 1000, 0, 0, 0, 0, 5, 60, 0, 0, {0}, {0}, 5, "ScaleDownLimit"},
        {10, 5, 1, 1000, 0, 0, 0, 0, 0, 0, 50, 60, {0}, {0}, 5, "DesiredWithinRange"},
        {100, 500, 1, 200, 300, 60, 0, 0, 0, 0, 0, 0, {1, 5, 9}, {0}, 200, "TooManyReplicas"},
        {100, 500, 1, 1000, 5, 120, 0, 0, 0, 0, 0, 0, {1, 5, 9}, {0}, 100, "ScaleUpLimit"},
        {100, 500, 1, 1000, 150, 120, 0, 0, 0, 0, 0, 0, {1, 5, 9}, {0}, 235, "ScaleUpLimit"},
        {100, 500, 1, 1000, 0, 0, 200, 120, 0, 0, 0, 0, {1, 5, 9}, {0}, 255, "ScaleUpLimit"},
        {6, 24, 1, 1000, 0, 0, 300, 300, 0, 0, 0, 0, {4}, {2}, 16, "ScaleUpLimit"},
        {10, 5, 1, 1000, 0, 0, 0, 0, 0, 0, 0, 0, {0}, {1, 5, 9}, 5, "DesiredWithinRange"},
        {100, 0, 5, 1000, 0, 0, 0, 0, 130, 120, 0, 0, {0}, {1, 5, 9}, 5, "TooFewReplicas"},
        {100, 2, 1, 1000, 0, 0, 0, 0, 5, 120, 0, 0, {0}, {1, 5, 9}, 100, "ScaleDownLimit"},
        {100, 0, 1, 1000, 0, 0, 0, 0, 0, 0, 50, 120, {0}, {2, 4, 6}, 56, "ScaleDownLimit"},
        {10, 1, 1, 1000, 0, 0, 0, 0, 0, 0, 50, 180, {2}, {4}, 6, "ScaleDownLimit"},
        {100, 0, 1, 1000, 0, 0, 0, 0, 0, 0, 10, 120, {0}, {10, 10, 10}, 100, "ScaleDownLimit"},
        {10, 5, 1, 1000, 0, 0, 0, 0, 0, 0, 1000, 120, {0}, {10, 10, 10}, 5, "DesiredWithinRange"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const rules_case *c = &cases[i];
        ecsim_hpa_config cfg;
        ecsim_hpa_config_defaults(&cfg);
        cfg.min = c->min;
        cfg.max = c->max;
        cfg.has_behavior = true;
        gen_rules(&cfg.scale_up, c->up_pods, c->up_pods_period, c->up_pct, c->up_pct_period, true);
        gen_rules(&cfg.scale_down, c->dn_pods, c->dn_pods_period, c->dn_pct, c->dn_pct_period,
                  false);
        ecsim_hpa_state st;
        ecsim_hpa_state_init(&st);
        add_uniform_events(&st, c->ev_up, 1);
        add_uniform_events(&st, c->ev_dn, -1);
        ecsim_hpa_result r;
        assert_int_equal(ecsim_hpa_reconcile(&cfg, &st, 0, c->cur, c->prop, &r, NULL), 0);
        if (r.desired != c->expected || strcmp(r.condition, c->condition) != 0)
            print_error("case %zu: got %d %s, want %d %s\n", i, r.desired, r.condition,
                        c->expected, c->condition);
        assert_int_equal(r.desired, c->expected);
        assert_string_equal(r.condition, c->condition);
        ecsim_hpa_state_free(&st);
    }
}

static void test_behavior_percent_truncation_and_ceil(void **state)
{
    (void)state;
    ecsim_hpa_rules r;
    ecsim_hpa_state st;
    ecsim_hpa_state_init(&st);
    gen_rules(&r, 0, 0, 30, 60, false);
    /* int(7 x 0.7) = int(4.9) = 4 (truncation, not rounding). */
    assert_int_equal(ecsim_hpa_scale_down_limit(&r, &st, 0, 7), 4);
    gen_rules(&r, 0, 0, 30, 60, true);
    /* ceil(7 x 1.3) = ceil(9.1) = 10. */
    assert_int_equal(ecsim_hpa_scale_up_limit(&r, &st, 0, 7), 10);
    ecsim_hpa_state_free(&st);
}

static void test_behavior_event_boundary(void **state)
{
    (void)state;
    ecsim_hpa_rules r;
    gen_rules(&r, 4, 60, 0, 0, true);
    ecsim_hpa_state st;
    ecsim_hpa_state_init(&st);
    /* An event exactly one period old no longer counts: start 8 -> 12. */
    assert_int_equal(ecsim_hpa_state_add_event(&st, -60, 4), 0);
    assert_int_equal(ecsim_hpa_scale_up_limit(&r, &st, 0, 8), 12);
    /* One second newer, it counts: start 4 -> 8. */
    st.up_events[0].time_s = -59;
    assert_int_equal(ecsim_hpa_scale_up_limit(&r, &st, 0, 8), 8);
    ecsim_hpa_state_free(&st);
}

static void test_behavior_stabilization_windows(void **state)
{
    (void)state;
    ecsim_hpa_config cfg;
    ecsim_hpa_config_defaults(&cfg);
    cfg.max = 100;
    cfg.has_behavior = true;
    ecsim_hpa_rules_default_up(&cfg.scale_up);
    ecsim_hpa_rules_default_down(&cfg.scale_down, 300);
    ecsim_hpa_state st;
    ecsim_hpa_state_init(&st);
    ecsim_hpa_result r;
    /* Scale-down window 300 s: a recommendation of 8 299 s old holds 10 -> 8. */
    assert_int_equal(ecsim_hpa_state_add_recommendation(&st, -299, 8), 0);
    assert_int_equal(ecsim_hpa_reconcile(&cfg, &st, 0, 10, 5, &r, NULL), 0);
    assert_int_equal(r.stabilized, 8);
    assert_int_equal(r.desired, 8);
    ecsim_hpa_state_free(&st);
    /* Exactly 300 s old: out of the window. */
    ecsim_hpa_state_init(&st);
    assert_int_equal(ecsim_hpa_state_add_recommendation(&st, -300, 8), 0);
    assert_int_equal(ecsim_hpa_reconcile(&cfg, &st, 0, 10, 5, &r, NULL), 0);
    assert_int_equal(r.stabilized, 5);
    /* The scale-down was stored as an event of -5. */
    assert_int_equal((int)st.down_count, 1);
    assert_int_equal(st.down_events[0].value, 5);
    ecsim_hpa_state_free(&st);
    /* Scale-up window 60 s: a recent lower recommendation holds current. */
    cfg.scale_up.stabilization_window_s = 60;
    ecsim_hpa_state_init(&st);
    assert_int_equal(ecsim_hpa_state_add_recommendation(&st, -30, 3), 0);
    assert_int_equal(ecsim_hpa_reconcile(&cfg, &st, 0, 4, 10, &r, NULL), 0);
    assert_int_equal(r.stabilized, 4);
    assert_int_equal(r.desired, 4);
    assert_false(r.scaled);
    ecsim_hpa_state_free(&st);
    /* selectPolicy disabled: no scale-up at all. */
    cfg.scale_up.stabilization_window_s = 0;
    cfg.scale_up.select = ECSIM_HPA_SELECT_DISABLED;
    ecsim_hpa_state_init(&st);
    assert_int_equal(ecsim_hpa_reconcile(&cfg, &st, 0, 4, 10, &r, NULL), 0);
    assert_int_equal(r.desired, 4);
    assert_string_equal(r.condition, "ScaleUpLimit");
    ecsim_hpa_state_free(&st);
}

static void test_policy_ops_hpa(void **state)
{
    (void)state;
    ecsim_policy_config pc;
    ecsim_autoscaler_spec spec = {.policy = ECSIM_POLICY_HPA, .min = 1, .max = 10,
                                  .metric = ECSIM_METRIC_CPU, .target = 30,
                                  .scale_out_cooldown_s = 300, .scale_in_cooldown_s = 300};
    ecsim_policy_config_defaults(&pc, &spec);
    ecsim_policy *p = ecsim_policy_create(&pc);
    assert_non_null(p);
    assert_string_equal(ecsim_policy_name(p), "hpa");
    ecsim_hpa_pod pods[3];
    double lv[] = {300, 500, 700};
    for (int i = 0; i < 3; i++) {
        ecsim_hpa_pod_init(&pods[i]);
        pods[i].request_m = 1000;
        pods[i].usage_m = lv[i];
        pods[i].has_metric = true;
    }
    ecsim_policy_obs obs = {.now_s = 15, .current = 3, .running = 3, .ready = 3, .min = 1,
                            .max = 10, .pods = pods, .pod_count = 3};
    ecsim_decision d;
    ecsim_decision_init(&d);
    assert_int_equal(ecsim_policy_evaluate(p, &obs, &d), 0);
    assert_int_equal(d.proposal, 5);
    assert_int_equal(d.desired, 5);
    assert_int_equal(d.action, ECSIM_SCALE_OUT);
    assert_true(d.steps.count > 0);
    ecsim_decision_free(&d);
    ecsim_policy_destroy(p);
    assert_int_equal(ecsim_alloc_live(), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scale_up),
        cmocka_unit_test(test_scale_up_unready_less_scale),
        cmocka_unit_test(test_scale_up_hot_cpu_less_scale),
        cmocka_unit_test(test_scale_up_unready_no_scale),
        cmocka_unit_test(test_scale_up_ignores_failed_and_deleting),
        cmocka_unit_test(test_pods_metric_scale_up),
        cmocka_unit_test(test_pods_metric_scale_down_and_tolerance),
        cmocka_unit_test(test_pods_metric_missing_filled_with_target),
        cmocka_unit_test(test_object_and_external),
        cmocka_unit_test(test_scale_down),
        cmocka_unit_test(test_scale_down_exclude_unscheduled),
        cmocka_unit_test(test_scale_down_ignores_failed_deleting),
        cmocka_unit_test(test_tolerance),
        cmocka_unit_test(test_tolerance_inclusive_at_1_1),
        cmocka_unit_test(test_integer_utilization),
        cmocka_unit_test(test_missing_metrics),
        cmocka_unit_test(test_missing_uses_target_above_100),
        cmocka_unit_test(test_missing_metrics_with_unready),
        cmocka_unit_test(test_rolling_update_max_surge),
        cmocka_unit_test(test_no_metrics_is_error),
        cmocka_unit_test(test_group_pods_timing),
        cmocka_unit_test(test_normalize_desired_replicas),
        cmocka_unit_test(test_legacy_scale_up_limit),
        cmocka_unit_test(test_reconcile_guards),
        cmocka_unit_test(test_scaling_with_rules),
        cmocka_unit_test(test_behavior_percent_truncation_and_ceil),
        cmocka_unit_test(test_behavior_event_boundary),
        cmocka_unit_test(test_behavior_stabilization_windows),
        cmocka_unit_test(test_policy_ops_hpa),
    };
    return cmocka_run_group_tests_name("policy_hpa", tests, NULL, NULL);
}
