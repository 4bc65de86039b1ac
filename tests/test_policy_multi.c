/* Several policies on one service and several HPA metrics: the combination
 * rules of reference §1.2 (target tracking: out if any policy says out, in
 * only if every scale-in-enabled policy says in, the largest capacity
 * wins), the multiple-metric rules of §5.2 (desired = max over metrics; all
 * metrics failing, or some failing when the max would scale down, = no
 * scaling), the simulation-facing policies that apply them, and end-to-end
 * runs of the shipped scenarios (fluid and requests mode). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ecsim/diag.h"
#include "ecsim/error.h"
#include "ecsim/loader.h"
#include "ecsim/policy.h"
#include "ecsim/sim.h"

/* ---- ecsim_tt_combine ------------------------------------------------------------ */

static ecsim_tt_result verdict(ecsim_scale_action a, int desired, bool in_enabled)
{
    ecsim_tt_result r;
    memset(&r, 0, sizeof r);
    r.action = a;
    r.desired = desired;
    r.scale_in_enabled = in_enabled;
    return r;
}

static void test_combine_out_if_any_largest_wins(void **state)
{
    (void)state;
    ecsim_scale_action a;
    ecsim_tt_result r[3] = {verdict(ECSIM_SCALE_NONE, 5, true), verdict(ECSIM_SCALE_OUT, 7, true),
                            verdict(ECSIM_SCALE_IN, 3, true)};
    assert_int_equal(ecsim_tt_combine(r, 3, 5, &a), 7);
    assert_int_equal(a, ECSIM_SCALE_OUT);
    r[0] = verdict(ECSIM_SCALE_OUT, 9, true);
    assert_int_equal(ecsim_tt_combine(r, 3, 5, &a), 9); /* the largest capacity */
    assert_int_equal(a, ECSIM_SCALE_OUT);
    /* A disabled-scale-in policy still scales out. */
    ecsim_tt_result d[2] = {verdict(ECSIM_SCALE_NONE, 5, true), verdict(ECSIM_SCALE_OUT, 6, false)};
    assert_int_equal(ecsim_tt_combine(d, 2, 5, &a), 6);
    assert_int_equal(a, ECSIM_SCALE_OUT);
}

static void test_combine_in_only_if_all(void **state)
{
    (void)state;
    ecsim_scale_action a;
    ecsim_tt_result r[2] = {verdict(ECSIM_SCALE_IN, 3, true), verdict(ECSIM_SCALE_NONE, 5, true)};
    assert_int_equal(ecsim_tt_combine(r, 2, 5, &a), 5);
    assert_int_equal(a, ECSIM_SCALE_NONE);
    /* Both in: the largest (most conservative) count wins. */
    r[1] = verdict(ECSIM_SCALE_IN, 4, true);
    assert_int_equal(ecsim_tt_combine(r, 2, 5, &a), 4);
    assert_int_equal(a, ECSIM_SCALE_IN);
    /* A policy with disable_scale_in has no vote on scale-in. */
    ecsim_tt_result d[2] = {verdict(ECSIM_SCALE_IN, 3, true), verdict(ECSIM_SCALE_NONE, 5, false)};
    assert_int_equal(ecsim_tt_combine(d, 2, 5, &a), 3);
    assert_int_equal(a, ECSIM_SCALE_IN);
    /* No scale-in-enabled policy at all: no scale-in. */
    ecsim_tt_result n[1] = {verdict(ECSIM_SCALE_NONE, 5, false)};
    assert_int_equal(ecsim_tt_combine(n, 1, 5, &a), 5);
    assert_int_equal(a, ECSIM_SCALE_NONE);
    assert_int_equal(ecsim_tt_combine(n, 0, 5, &a), 5);
    assert_int_equal(a, ECSIM_SCALE_NONE);
}

/* ---- the target-tracking policy with several policies ------------------------------- */

static ecsim_policy *tt_two_policies(double cpu_target, double rpt_target, bool rpt_no_in)
{
    ecsim_policy_config cfg;
    ecsim_policy_config_defaults(&cfg, NULL);
    cfg.kind = ECSIM_POLICY_TARGET_TRACKING;
    cfg.metric = ECSIM_METRIC_CPU;
    ecsim_tt_config_defaults(&cfg.tt, cpu_target);
    cfg.tt.alarm_low_datapoints = cfg.tt.alarm_low_periods = 3; /* short for the test */
    cfg.tt_more_count = 1;
    cfg.tt_more[0].metric = ECSIM_METRIC_REQUESTS_PER_TARGET;
    cfg.tt_more[0].tt = cfg.tt;
    cfg.tt_more[0].tt.target = rpt_target;
    cfg.tt_more[0].tt.disable_scale_in = rpt_no_in;
    ecsim_policy *p = ecsim_policy_create(&cfg);
    assert_non_null(p);
    return p;
}

static ecsim_policy_obs obs_with(double now, int current, const double *cpu, const double *rpt,
                                 size_t n)
{
    ecsim_policy_obs o;
    memset(&o, 0, sizeof o);
    o.now_s = now;
    o.current = current;
    o.running = o.ready = current;
    o.min = 1;
    o.max = 20;
    o.period_s = 60;
    o.datapoints = cpu;
    o.datapoint_count = n;
    o.metric_datapoints[ECSIM_METRIC_CPU] = cpu;
    o.metric_datapoint_count[ECSIM_METRIC_CPU] = n;
    o.metric_datapoints[ECSIM_METRIC_REQUESTS_PER_TARGET] = rpt;
    o.metric_datapoint_count[ECSIM_METRIC_REQUESTS_PER_TARGET] = n;
    return o;
}

static void test_policy_several_out(void **state)
{
    (void)state;
    ecsim_policy *p = tt_two_policies(60, 3000, false);
    ecsim_decision d;
    ecsim_decision_init(&d);
    /* CPU 70 (ceil(4 x 70 / 60) = 5), requests 4500 (ceil(4 x 4500 / 3000) = 6). */
    double cpu[] = {70, 70, 70}, rpt[] = {4500, 4500, 4500};
    ecsim_policy_obs o = obs_with(60, 4, cpu, rpt, 3);
    assert_int_equal(ecsim_policy_evaluate(p, &o, &d), 0);
    assert_int_equal(d.action, ECSIM_SCALE_OUT);
    assert_int_equal(d.desired, 6);
    assert_string_equal(d.metric, "requests_per_target");
    assert_true(d.target == 3000);
    assert_non_null(strstr(d.reason, "policy 2"));
    assert_true(d.steps.count >= 3); /* one verdict per policy, then the combination */
    assert_non_null(strstr(d.steps.lines[0], "policy 1 (cpu"));
    assert_non_null(strstr(d.steps.lines[1], "policy 2 (requests_per_target"));
    /* Both policies are in scale-out cooldown with the combined 6 as their
     * last scale-out (the CPU policy alone would have said 5): from a count
     * of 5 (say, a manual change), proposals of 6 do nothing. */
    double cpu2[] = {70, 70, 70}, rpt2[] = {3100, 3100, 3100};
    o = obs_with(120, 5, cpu2, rpt2, 3);
    assert_int_equal(ecsim_policy_evaluate(p, &o, &d), 0);
    assert_int_equal(d.action, ECSIM_SCALE_NONE);
    assert_int_equal(d.desired, 5);
    /* A larger scale-out (7) goes through during the cooldown. */
    double cpu3[] = {80, 80, 80};
    o = obs_with(180, 5, cpu3, rpt2, 3);
    assert_int_equal(ecsim_policy_evaluate(p, &o, &d), 0);
    assert_int_equal(d.action, ECSIM_SCALE_OUT);
    assert_int_equal(d.desired, 7);
    assert_string_equal(d.metric, "cpu");
    ecsim_decision_free(&d);
    ecsim_policy_destroy(p);
}

static void test_policy_several_in_needs_all(void **state)
{
    (void)state;
    ecsim_policy *p = tt_two_policies(60, 3000, false);
    ecsim_decision d;
    ecsim_decision_init(&d);
    /* CPU well below 54 (0.9 x 60), requests in the band: no scale-in. */
    double cpu[] = {30, 30, 30}, rpt_band[] = {2900, 2900, 2900}, rpt_low[] = {2000, 2000, 2000};
    ecsim_policy_obs o = obs_with(60, 8, cpu, rpt_band, 3);
    assert_int_equal(ecsim_policy_evaluate(p, &o, &d), 0);
    assert_int_equal(d.action, ECSIM_SCALE_NONE);
    assert_int_equal(d.desired, 8);
    assert_string_equal(d.metric, "cpu");
    assert_non_null(strstr(d.reason, "does not agree"));
    /* The blocked policy's scale-in cooldown did not start: as soon as both
     * agree, the scale-in happens; the largest count wins: cpu ceil(8 x 30 /
     * 60) = 4, requests ceil(8 x 2000 / 3000) = 6. */
    o = obs_with(120, 8, cpu, rpt_low, 3);
    assert_int_equal(ecsim_policy_evaluate(p, &o, &d), 0);
    assert_int_equal(d.action, ECSIM_SCALE_IN);
    assert_int_equal(d.desired, 6);
    assert_string_equal(d.metric, "requests_per_target");
    /* Both started their scale-in cooldown: no scale-in a minute later. */
    o = obs_with(180, 6, cpu, rpt_low, 3);
    assert_int_equal(ecsim_policy_evaluate(p, &o, &d), 0);
    assert_int_equal(d.action, ECSIM_SCALE_NONE);
    ecsim_decision_free(&d);
    ecsim_policy_destroy(p);
}

static void test_policy_several_disabled_in_excluded(void **state)
{
    (void)state;
    ecsim_policy *p = tt_two_policies(60, 3000, true);
    ecsim_decision d;
    ecsim_decision_init(&d);
    double cpu[] = {30, 30, 30}, rpt[] = {2900, 2900, 2900};
    ecsim_policy_obs o = obs_with(60, 8, cpu, rpt, 3);
    assert_int_equal(ecsim_policy_evaluate(p, &o, &d), 0);
    assert_int_equal(d.action, ECSIM_SCALE_IN);
    assert_int_equal(d.desired, 4);
    assert_string_equal(d.metric, "cpu");
    ecsim_decision_free(&d);
    ecsim_policy_destroy(p);
}

/* ---- HPA: several metrics ------------------------------------------------------------ */

static void test_hpa_combine_metrics(void **state)
{
    (void)state;
    ecsim_hpa_metric_result r[3];
    memset(r, 0, sizeof r);
    r[0].replicas = 4;
    r[1].replicas = 7;
    r[2].replicas = 7;
    int rcs[3] = {0, 0, 0};
    int proposal;
    size_t which;
    assert_int_equal(ecsim_hpa_combine_metrics(r, rcs, 3, 5, &proposal, &which), 0);
    assert_int_equal(proposal, 7);
    assert_int_equal(which, 1); /* the first of equal maxima */
    /* Some fail, the max scales up: allowed. */
    rcs[0] = ECSIM_ENOENT;
    assert_int_equal(ecsim_hpa_combine_metrics(r, rcs, 3, 5, &proposal, &which), 0);
    assert_int_equal(proposal, 7);
    /* Some fail, the max equals current: allowed (not a scale-down). */
    r[1].replicas = r[2].replicas = 5;
    assert_int_equal(ecsim_hpa_combine_metrics(r, rcs, 3, 5, &proposal, &which), 0);
    assert_int_equal(proposal, 5);
    /* Some fail and the max would scale down: no scaling. */
    r[1].replicas = r[2].replicas = 3;
    assert_int_equal(ecsim_hpa_combine_metrics(r, rcs, 3, 5, &proposal, &which), ECSIM_ENOENT);
    assert_int_equal(proposal, 5);
    assert_int_equal(which, 0); /* the first failed metric explains */
    /* Without the failure the same max scales down. */
    rcs[0] = 0;
    r[0].replicas = 2;
    assert_int_equal(ecsim_hpa_combine_metrics(r, rcs, 3, 5, &proposal, &which), 0);
    assert_int_equal(proposal, 3);
    /* All fail. */
    int all[3] = {ECSIM_ENOENT, ECSIM_ENOENT, ECSIM_ENOENT};
    assert_int_equal(ecsim_hpa_combine_metrics(r, all, 3, 5, &proposal, &which), ECSIM_ENOENT);
    assert_int_equal(ecsim_hpa_combine_metrics(r, all, 0, 5, &proposal, &which), ECSIM_ENOENT);
}

/* An HPA with CPU (target 50 %) and a pods metric (target 10000 m), legacy
 * path, no stabilisation history. */
static ecsim_policy *hpa_cpu_and_pods(void)
{
    ecsim_policy_config cfg;
    ecsim_policy_config_defaults(&cfg, NULL);
    cfg.kind = ECSIM_POLICY_HPA;
    cfg.hpa.min = 1;
    cfg.hpa.max = 20;
    cfg.hpa.metric.target_utilization = 50;
    cfg.hpa.downscale_stabilization_s = 0;
    cfg.hpa.more_metric_count = 1;
    cfg.hpa.more_metrics[0].type = ECSIM_HPA_METRIC_PODS;
    cfg.hpa.more_metrics[0].average_value = true;
    cfg.hpa.more_metrics[0].target_average_value_m = 10000;
    ecsim_policy *p = ecsim_policy_create(&cfg);
    assert_non_null(p);
    return p;
}

static void four_pods(ecsim_hpa_pod *pods, double usage_m, double value_m, bool cpu_sample)
{
    for (int i = 0; i < 4; i++) {
        ecsim_hpa_pod_init(&pods[i]);
        pods[i].request_m = 1000;
        pods[i].usage_m = usage_m;
        pods[i].value_m = value_m;
        pods[i].has_metric = cpu_sample;
    }
}

static int hpa_eval(ecsim_policy *p, ecsim_hpa_pod *pods, ecsim_decision *d)
{
    ecsim_policy_obs o;
    memset(&o, 0, sizeof o);
    o.now_s = 15;
    o.current = 4;
    o.running = o.ready = 4;
    o.min = 1;
    o.max = 20;
    o.pods = pods;
    o.pod_count = 4;
    return ecsim_policy_evaluate(p, &o, d);
}

static void test_hpa_policy_max_over_metrics(void **state)
{
    (void)state;
    ecsim_hpa_pod pods[4];
    ecsim_decision d;
    ecsim_decision_init(&d);
    /* CPU 60 % -> ceil(1.2 x 4) = 5; pods 20000 m -> ceil(2 x 4) = 8: 8 wins. */
    ecsim_policy *p = hpa_cpu_and_pods();
    four_pods(pods, 600, 20000, true);
    assert_int_equal(hpa_eval(p, pods, &d), 0);
    assert_int_equal(d.proposal, 8);
    assert_int_equal(d.desired, 8);
    assert_string_equal(d.metric, "rps_per_pod_m");
    assert_true(d.target == 10000);
    ecsim_policy_destroy(p);
    /* CPU 100 % -> 8; pods 5000 m -> 2: CPU wins. */
    p = hpa_cpu_and_pods();
    four_pods(pods, 1000, 5000, true);
    assert_int_equal(hpa_eval(p, pods, &d), 0);
    assert_int_equal(d.proposal, 8);
    assert_string_equal(d.metric, "cpu");
    ecsim_policy_destroy(p);
    ecsim_decision_free(&d);
}

static void test_hpa_policy_failure_rules(void **state)
{
    (void)state;
    ecsim_hpa_pod pods[4];
    ecsim_decision d;
    ecsim_decision_init(&d);
    /* has_metric false: neither the CPU nor the pods metric has samples. */
    ecsim_policy *p = hpa_cpu_and_pods();
    four_pods(pods, 0, 0, false);
    assert_int_equal(hpa_eval(p, pods, &d), 0);
    assert_int_equal(d.action, ECSIM_SCALE_NONE);
    assert_int_equal(d.desired, 4);
    assert_non_null(strstr(d.reason, "every metric is invalid"));
    ecsim_policy_destroy(p);
    /* CPU invalid (pods unready: no ready pod with a CPU sample), the pods
     * metric (readiness not checked) says 2: a scale-down, refused. */
    p = hpa_cpu_and_pods();
    four_pods(pods, 600, 5000, true);
    for (int i = 0; i < 4; i++)
        pods[i].ready = false;
    assert_int_equal(hpa_eval(p, pods, &d), 0);
    assert_int_equal(d.desired, 4);
    assert_int_equal(d.action, ECSIM_SCALE_NONE);
    assert_non_null(strstr(d.reason, "would scale down"));
    ecsim_policy_destroy(p);
    /* Same, but the pods metric says 8: the scale-up goes ahead. */
    p = hpa_cpu_and_pods();
    four_pods(pods, 600, 20000, true);
    for (int i = 0; i < 4; i++)
        pods[i].ready = false;
    assert_int_equal(hpa_eval(p, pods, &d), 0);
    assert_int_equal(d.proposal, 8);
    assert_int_equal(d.desired, 8);
    assert_int_equal(d.action, ECSIM_SCALE_OUT);
    ecsim_policy_destroy(p);
    ecsim_decision_free(&d);
}

/* ---- end to end ------------------------------------------------------------------------ */

static ecsim_sim *run_file(const char *path, const char *const *sets, size_t nsets)
{
    ecsim_diags diags;
    ecsim_diags_init(&diags);
    ecsim_scenario *sc = ecsim_scenario_load(path, sets, nsets, &diags);
    if (!sc)
        ecsim_diags_print(&diags, stderr);
    ecsim_diags_free(&diags);
    assert_non_null(sc);
    ecsim_sim *sim = ecsim_sim_create(sc, 0, NULL);
    assert_non_null(sim);
    assert_int_equal(ecsim_sim_run(sim), 0);
    ecsim_scenario_free(sc);
    return sim;
}

static size_t log_lines_with(const ecsim_sim *sim, const char *needle)
{
    size_t n = 0;
    for (size_t i = 0; i < ecsim_sim_log_count(sim); i++)
        n += strstr(ecsim_sim_log_line(sim, i), needle) != NULL;
    return n;
}

static void test_e2e_tt_multi(void **state)
{
    (void)state;
    ecsim_sim *sim = run_file("scenarios/policy-tt-multi.yaml", NULL, 0);
    const ecsim_summary *s = ecsim_sim_summary(sim);
    assert_true(s->scale_outs > 0);
    assert_true(s->scale_ins > 0);
    /* The requests-per-target policy (tighter than CPU) wins scale-outs. */
    assert_true(log_lines_with(sim, "policy 2 (requests_per_target) wins the scale-out") > 0);
    assert_true(log_lines_with(sim, "all scale-in-enabled policies agree") > 0);
    ecsim_sim_destroy(sim);
    /* Against the CPU policy alone it scales out further. */
    ecsim_sim *single =
        run_file("scenarios/policy-tt-multi.yaml",
                 (const char *const[]){"autoscaler.target_tracking_policies=[]"}, 1);
    sim = run_file("scenarios/policy-tt-multi.yaml", NULL, 0);
    assert_true(ecsim_sim_summary(sim)->max_desired > ecsim_sim_summary(single)->max_desired);
    assert_int_equal(log_lines_with(single, "wins the scale-out"), 0);
    ecsim_sim_destroy(single);
    ecsim_sim_destroy(sim);
}

static void test_e2e_hpa_multi(void **state)
{
    (void)state;
    ecsim_sim *sim = run_file("scenarios/policy-hpa-multi.yaml", NULL, 0);
    const ecsim_summary *s = ecsim_sim_summary(sim);
    assert_true(s->scale_outs > 0);
    assert_true(log_lines_with(sim, "max over metrics from rps_per_pod_m") > 0);
    assert_true(log_lines_with(sim, "max over metrics from memory") > 0);
    ecsim_sim_destroy(sim);
}

/* A pods metric alone (requests per second per pod) now scales, in fluid
 * and in requests mode (CPU from the model's busy fraction). */
static void test_e2e_hpa_pods_metric(void **state)
{
    (void)state;
    const char *fluid[] = {"autoscaler.hpa.metrics=[]", "autoscaler.hpa.metric.type=pods",
                           "autoscaler.hpa.metric.target_average_value=40000", "duration=1h"};
    ecsim_sim *sim = run_file("scenarios/policy-hpa-multi.yaml", fluid, 4);
    assert_true(ecsim_sim_summary(sim)->scale_outs > 0);
    assert_true(ecsim_sim_summary(sim)->max_desired >= 10); /* 600+ rps at 40 rps per pod */
    ecsim_sim_destroy(sim);
    const char *requests[] = {"autoscaler.hpa.metrics=[]", "autoscaler.hpa.metric.type=pods",
                              "autoscaler.hpa.metric.target_average_value=40000", "duration=1h",
                              "load.mode=requests"};
    sim = run_file("scenarios/policy-hpa-multi.yaml", requests, 5);
    assert_true(ecsim_sim_summary(sim)->scale_outs > 0);
    assert_true(ecsim_sim_summary(sim)->max_desired >= 10);
    ecsim_sim_destroy(sim);
    /* Requests mode, CPU only: busy fraction drives the HPA. */
    const char *cpu[] = {"autoscaler.hpa.metrics=[]", "autoscaler.target=40", "duration=1h",
                         "load.mode=requests"};
    sim = run_file("scenarios/policy-hpa-multi.yaml", cpu, 4);
    assert_true(ecsim_sim_summary(sim)->scale_outs > 0);
    assert_true(ecsim_sim_summary(sim)->max_desired >= 10);
    ecsim_sim_destroy(sim);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_combine_out_if_any_largest_wins),
        cmocka_unit_test(test_combine_in_only_if_all),
        cmocka_unit_test(test_policy_several_out),
        cmocka_unit_test(test_policy_several_in_needs_all),
        cmocka_unit_test(test_policy_several_disabled_in_excluded),
        cmocka_unit_test(test_hpa_combine_metrics),
        cmocka_unit_test(test_hpa_policy_max_over_metrics),
        cmocka_unit_test(test_hpa_policy_failure_rules),
        cmocka_unit_test(test_e2e_tt_multi),
        cmocka_unit_test(test_e2e_hpa_multi),
        cmocka_unit_test(test_e2e_hpa_pods_metric),
    };
    return cmocka_run_group_tests_name("policy_multi", tests, NULL, NULL);
}
