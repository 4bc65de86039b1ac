/* Tests of the platforms (sim/model/platform*.c): the EKS on Fargate pod
 * size (reference §5.5b), its bill against the Fargate price sheet (§6)
 * computed by hand from the pricing fields, and the platform's vocabulary:
 * no ECS-only wording in the events.log, the execution table or the step
 * mode of any run on eks or eks_fargate, and the ECS wording kept on ECS. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cli/cli.h"
#include "ecsim/cost.h"
#include "ecsim/ecsim.h"
#include "ecsim/error.h"
#include "ecsim/loader.h"
#include "ecsim/sim.h"
#include "model/service.h"
#include "model/sim_parts.h"
#include "read_text.h"

/* ---- pod size (reference §5.5b) --------------------------------------------------- */

static void check_size(double vcpu, double gb, double want_vcpu, double want_gb)
{
    double v = -1, m = -1;
    assert_int_equal(ecsim_cost_fargate_pod_size(vcpu, gb, &v, &m), 0);
    if (fabs(v - want_vcpu) > 1e-12 || fabs(m - want_gb) > 1e-12)
        fail_msg("request %g vCPU / %g GB: got %g / %g, want %g / %g", vcpu, gb, v, m, want_vcpu,
                 want_gb);
}

static void test_pod_size(void **state)
{
    (void)state;
    check_size(0.3, 0.7, 0.5, 1);     /* 0.95 GB: 0.5 vCPU starts at 1 GB */
    check_size(1, 8, 2, 9);           /* the reference's example: 8.25 GB -> 2 vCPU / 9 GB */
    check_size(0.5, 1, 0.5, 2);       /* 1.25 GB -> 2 GB */
    check_size(0.25, 0.25, 0.25, 0.5); /* exactly 0.5 GB */
    check_size(0.25, 0.5, 0.25, 1);   /* 0.75 GB -> 1 GB */
    check_size(0.25, 1.75, 0.25, 2);  /* 2 GB, the largest 0.25 vCPU size */
    check_size(0.25, 1.8, 0.5, 3);    /* 2.05 GB: too much for 0.25 vCPU */
    check_size(0, 0, 0.25, 0.5);      /* no request */
    check_size(4, 29.9, 8, 32);       /* 30.15 GB > 30: 8 vCPU, 4 GB steps from 16 */
    check_size(8, 59, 8, 60);
    check_size(16, 100, 16, 104);     /* 8 GB steps from 32 */
    double v, m;
    assert_int_equal(ecsim_cost_fargate_pod_size(16, 120, &v, &m), ECSIM_EINVAL); /* 120.25 GB */
    assert_int_equal(ecsim_cost_fargate_pod_size(17, 1, &v, &m), ECSIM_EINVAL);
    assert_int_equal(ecsim_cost_fargate_pod_size(-1, 1, &v, &m), ECSIM_EINVAL);
    assert_int_equal(ecsim_cost_fargate_pod_size(NAN, 1, &v, &m), ECSIM_EINVAL);
}

/* ---- the bill --------------------------------------------------------------------- */

/* Build 120 s, push 250 MB at 10 MB/s (25 s), service 60 s, pod
 * provisioning 30 s: every pod's pull starts at 235 s. */
static ecsim_scenario *fargate_scenario(ecsim_platform where, double vcpu, double gb)
{
    ecsim_scenario *sc = ecsim_scenario_create_default();
    assert_non_null(sc);
    snprintf(sc->name, sizeof sc->name, "t");
    snprintf(sc->image.name, sizeof sc->image.name, "web");
    snprintf(sc->service.name, sizeof sc->service.name, "web");
    snprintf(sc->image.tag, sizeof sc->image.tag, "1.0");
    sc->duration_s = 3600;
    sc->image.build_time_s = 120;
    sc->image.size_mb = 250;
    sc->registry.push = true;
    sc->registry.push_mb_per_s = 10;
    sc->registry.pull_mb_per_s = 25;
    sc->service.platform = where;
    sc->service.provision_time_s = 60;
    sc->service.desired = 3;
    sc->service.task.vcpu = vcpu;
    sc->service.task.memory_gb = gb;
    sc->service.task.provisioning_time_s = 30;
    sc->autoscaler.policy = ECSIM_POLICY_NONE;
    return sc;
}

/* The compute bill by hand: every pod from its pull start to its stop (or
 * the end), whole seconds, at least 60 s, at the billed size (§6). */
static double bill_by_hand(const ecsim_sim *sim, const ecsim_scenario *sc, double vcpu, double gb)
{
    const service *sv = sim_parts_service(sim);
    double usd = 0;
    for (size_t i = 0; i < service_task_count(sv); i++) {
        const service_task *t = service_task_at(sv, i);
        if (!isfinite(t->pull_started_s))
            continue;
        double stop = isfinite(t->stopped_s) ? t->stopped_s : sc->duration_s;
        double seconds = fmax(ceil(stop - t->pull_started_s - 1e-9), 60.0);
        usd += seconds / 3600.0 * (vcpu * sc->pricing.fargate_vcpu_hour + gb * sc->pricing.fargate_gb_hour);
    }
    return usd;
}

static void test_eks_fargate_bill(void **state)
{
    (void)state;
    /* A pod requesting 0.3 vCPU / 0.7 GB runs, and is billed, as 0.5 vCPU / 1 GB. */
    ecsim_scenario *sc = fargate_scenario(ECSIM_PLATFORM_EKS_FARGATE, 0.3, 0.7);
    ecsim_sim *sim = ecsim_sim_create(sc, 1, stderr);
    assert_non_null(sim);
    assert_int_equal(ecsim_sim_run(sim), 0);
    const service *sv = sim_parts_service(sim);
    assert_int_equal((int)service_task_count(sv), 3);
    for (size_t i = 0; i < 3; i++) {
        const service_task *t = service_task_at(sv, i);
        assert_float_equal(t->pull_started_s, 235.0, 1e-9);
        /* pull 10 s, start 10 s, activation 2 s: RUNNING 52 s after creation */
        assert_float_equal(t->running_s, 257.0, 1e-9);
        assert_int_equal(t->instance, 0); /* no node */
    }
    const ecsim_summary *s = ecsim_sim_summary(sim);
    /* 3 pods x (3600 - 235) s at 0.5 x 0.04048 + 1 x 0.004445 USD per hour (§6 defaults) */
    double want = 3 * 3365.0 / 3600.0 * (0.5 * sc->pricing.fargate_vcpu_hour + 1.0 * sc->pricing.fargate_gb_hour);
    assert_float_equal(bill_by_hand(sim, sc, 0.5, 1.0), want, 1e-12);
    assert_float_equal(s->cost_compute, want, 1e-9);
    assert_float_equal(s->vcpu_hours, 3 * 3365.0 / 3600.0 * 0.5, 1e-9);
    assert_float_equal(s->gb_hours, 3 * 3365.0 / 3600.0 * 1.0, 1e-9);
    /* EKS: the control plane, $0.10 per cluster-hour over the 1 h run (§6 [P5]) */
    assert_float_equal(s->cost_control_plane, 0.10, 1e-12);
    assert_float_equal(s->cost_total, s->cost_compute + s->cost_control_plane + s->cost_registry,
                       1e-12);
    ecsim_sim_destroy(sim);

    /* The same requests on ECS on Fargate are billed as they are (no rounding there). */
    sc->service.platform = ECSIM_PLATFORM_FARGATE;
    sim = ecsim_sim_create(sc, 1, stderr);
    assert_non_null(sim);
    assert_int_equal(ecsim_sim_run(sim), 0);
    assert_float_equal(ecsim_sim_summary(sim)->cost_compute, bill_by_hand(sim, sc, 0.3, 0.7), 1e-9);
    assert_float_equal(ecsim_sim_summary(sim)->cost_control_plane, 0.0, 0); /* ECS: none */
    ecsim_sim_destroy(sim);
    ecsim_scenario_free(sc);
}

/* With scale-outs and scale-ins: the shipped scenario, 0.5 vCPU / 1 GB
 * requests billed as 0.5 vCPU / 2 GB, pods stopping along the way. */
static void test_eks_fargate_scenario_bill(void **state)
{
    (void)state;
    ecsim_diags d;
    ecsim_diags_init(&d);
    ecsim_scenario *sc = ecsim_scenario_load("scenarios/eks-fargate.yaml", NULL, 0, &d);
    assert_non_null(sc);
    assert_int_equal(sc->service.platform, ECSIM_PLATFORM_EKS_FARGATE);
    ecsim_sim *sim = ecsim_sim_create(sc, sc->seed, stderr);
    assert_non_null(sim);
    assert_int_equal(ecsim_sim_run(sim), 0);
    const ecsim_summary *s = ecsim_sim_summary(sim);
    assert_true(s->scale_outs > 0 && s->scale_ins > 0);
    double want = bill_by_hand(sim, sc, 0.5, 2.0);
    assert_true(want > 0);
    assert_float_equal(s->cost_compute, want, 1e-9);
    assert_float_equal(s->gb_hours, 4.0 * s->vcpu_hours, 1e-9);
    ecsim_sim_destroy(sim);
    ecsim_scenario_free(sc);
    ecsim_diags_free(&d);
}


/* Issue 9 point 5: the shipped policy-hpa.yaml (3 h, m5.xlarge nodes, the
 * Cluster Autoscaler removing idle ones) bills its 4.748611 node-hours at
 * the m5.xlarge rate, $0.192 per hour (§6): $0.911733, not the $0.455867
 * of m5.large's $0.096; plus the EKS control plane, 3 h x $0.10 = $0.30. */
static void test_policy_hpa_bills_m5_xlarge(void **state)
{
    (void)state;
    ecsim_diags d;
    ecsim_diags_init(&d);
    ecsim_scenario *sc = ecsim_scenario_load("scenarios/policy-hpa.yaml", NULL, 0, &d);
    assert_non_null(sc);
    assert_float_equal(sc->pricing.instance_hour, 0.192, 1e-12);
    ecsim_sim *sim = ecsim_sim_create(sc, sc->seed, stderr);
    assert_non_null(sim);
    assert_int_equal(ecsim_sim_run(sim), 0);
    const ecsim_summary *s = ecsim_sim_summary(sim);
    assert_float_equal(s->instance_hours, 4.748611, 1e-6); /* 17095 s billed */
    assert_float_equal(s->cost_compute, 17095.0 / 3600.0 * 0.192, 1e-9);
    assert_float_equal(s->cost_compute, 0.911733, 1e-6);
    assert_float_equal(s->cost_control_plane, 3.0 * 0.10, 1e-12);
    assert_float_equal(s->cost_total, s->cost_compute + s->cost_control_plane + s->cost_registry,
                       1e-12);
    ecsim_sim_destroy(sim);
    ecsim_scenario_free(sc);
    ecsim_diags_free(&d);
}

/* The same EC2 run on c7g.16xlarge and on m5.large: the same instance-hours,
 * compute in the ratio of their prices, 2.32 / 0.096 (§6). */
static void test_instance_type_price_ratio(void **state)
{
    (void)state;
    double compute[2], ihours[2];
    static const char *const types[] = {"service.cluster.instance_type=m5.large",
                                        "service.cluster.instance_type=c7g.16xlarge"};
    for (int k = 0; k < 2; k++) {
        ecsim_diags d;
        ecsim_diags_init(&d);
        const char *sets[] = {types[k], "service.cluster.instances=2",
                              "service.cluster.min_instances=2", "service.cluster.max_instances=2"};
        const char *text = "name: t\nduration: 2h\nservice: {platform: ec2, desired: 2}\n";
        ecsim_scenario *sc = ecsim_scenario_load_string(text, strlen(text), "t.yaml", sets, 4, &d);
        assert_non_null(sc);
        ecsim_sim *sim = ecsim_sim_create(sc, 1, stderr);
        assert_non_null(sim);
        assert_int_equal(ecsim_sim_run(sim), 0);
        compute[k] = ecsim_sim_summary(sim)->cost_compute;
        ihours[k] = ecsim_sim_summary(sim)->instance_hours;
        ecsim_sim_destroy(sim);
        ecsim_scenario_free(sc);
        ecsim_diags_free(&d);
    }
    /* 2 instances from their launch to the end of the 2 h run: 13990 s */
    assert_float_equal(ihours[0], 13990.0 / 3600.0, 1e-9);
    assert_float_equal(ihours[1], ihours[0], 1e-9);
    assert_float_equal(compute[0], 13990.0 / 3600.0 * 0.096, 1e-9); /* $0.373067 */
    assert_float_equal(compute[1], 13990.0 / 3600.0 * 2.32, 1e-9);  /* $9.015778 */
    assert_float_equal(compute[1] / compute[0], 2.32 / 0.096, 1e-9);
}

/* ---- vocabulary ------------------------------------------------------------------- */

/* ECS service-event and step wording that an EKS run must never show. */
static const char *const ecs_only[] = {
    "ECS started",          "ECS now keeps",       "ECS keeps",
    "ECS launched",         "ECS could not",       "deployment ecs-svc/",
    "Application Auto Scaling (", "container-instance", "no container instance",
    "container instances",  "tasks: (task",        "running tasks:",
    "has reached a steady state", "tasks running, desired", "RUNNING (deployment",
    "was unable to place a task", "Circuit breaker:", "Essential container in task",
    "Fargate Spot interruption notice", "Desired tasks", "Running tasks",
    "has started deployment", "TaskFailedToStart",
};


/* ecsim_cli_main on argv (NULL-terminated, argv[0] added); stdout returned. */
static char *cli(int *code, const char *const *args)
{
    char *argv[16];
    int argc = 0;
    static char prog[] = "ecsim";
    argv[argc++] = prog;
    for (; *args && argc < 15; args++)
        argv[argc++] = (char *)*args;
    argv[argc] = NULL;
    char *out = NULL, *err = NULL;
    size_t on = 0, en = 0;
    FILE *fo = open_memstream(&out, &on), *fe = open_memstream(&err, &en);
    *code = ecsim_cli_main(argc, argv, fo, fe);
    fclose(fo);
    fclose(fe);
    free(err);
    return out;
}

static int check_words(const char *what, const char *text)
{
    int bad = 0;
    for (size_t i = 0; text && i < sizeof ecs_only / sizeof ecs_only[0]; i++) {
        const char *at = strstr(text, ecs_only[i]);
        if (at) {
            const char *line = at;
            while (line > text && line[-1] != '\n')
                line--;
            const char *end = strchr(at, '\n');
            print_message("%s: ECS-only \"%s\" in: %.*s\n", what, ecs_only[i],
                          (int)(end ? end - line : (ptrdiff_t)strlen(line)), line);
            bad++;
        }
    }
    return bad;
}

/* Every EKS scenario, and the failure scenarios moved to eks and
 * eks_fargate with --set: events.log, execution.txt and step mode. */
static void test_no_ecs_words_on_eks(void **state)
{
    (void)state;
    static const char *const shipped[] = {"policy-hpa", "policy-hpa-multi", "eks-fargate"};
    static const char *const moved[] = {"fail-crash-loop", "fail-tag-missing", "fail-unhealthy",
                                        "deploy-rolling", "fail-registry-outage",
                                        "fail-kill-tasks", "fail-az-outage", "fail-quota",
                                        "policy-target-tracking", "image-not-pushed"};
    static const char *const platforms[] = {"service.platform=eks", "service.platform=eks_fargate"};
    char dir[] = "/tmp/ecsim-test-platform-XXXXXX";
    assert_non_null(mkdtemp(dir));
    int bad = 0, runs = 0;
    size_t n_shipped = sizeof shipped / sizeof shipped[0], n_moved = sizeof moved / sizeof moved[0];
    for (size_t i = 0; i < n_shipped + 2 * n_moved; i++) {
        const char *name = i < n_shipped ? shipped[i] : moved[(i - n_shipped) % n_moved];
        const char *set = i < n_shipped ? NULL : platforms[(i - n_shipped) / n_moved];
        char file[128], out[160], what[160];
        snprintf(file, sizeof file, "scenarios/%s.yaml", name);
        snprintf(out, sizeof out, "%s/%zu", dir, i);
        snprintf(what, sizeof what, "%s%s%s", name, set ? " --set " : "", set ? set : "");
        int code;
        /* Application Auto Scaling policies are errors on EKS (issue 9 point 6):
         * the target-tracking scenarios move with the HPA. */
        bool tt = set && (strcmp(name, "fail-quota") == 0 ||
                          strcmp(name, "policy-target-tracking") == 0 ||
                          strcmp(name, "image-not-pushed") == 0);
        const char *set2 = tt ? "autoscaler.policy=hpa" : NULL;
        const char *run_args[] = {"run", file, "-q", "--no-plots", "-o", out, set ? "--set" : NULL, set,
                                  set2 ? "--set" : NULL, set2, NULL};
        free(cli(&code, run_args));
        if (code != 0)
            fail_msg("%s: ecsim run exited %d", what, code);
        const char *step_args[] = {"step", file, set ? "--set" : NULL, set, set2 ? "--set" : NULL,
                                   set2, NULL};
        char *step = cli(&code, step_args);
        bad += check_words(what, step);
        free(step);
        const char *files[] = {"events.log", "execution.txt", "status.txt"};
        for (size_t f = 0; f < 3; f++) {
            char path[256];
            snprintf(path, sizeof path, "%s/%s/%s", out, name, files[f]);
            char *text = read_text(path);
            if (!text)
                fail_msg("%s: no %s", what, path);
            bad += check_words(what, text);
            free(text);
        }
        runs++;
    }
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
    assert_int_equal(runs, (int)(n_shipped + 2 * n_moved));
    assert_int_equal(bad, 0);
}

/* ECS keeps its service event wording (reference §2.6). */
static void test_ecs_words_on_ecs(void **state)
{
    (void)state;
    ecsim_scenario *sc = fargate_scenario(ECSIM_PLATFORM_FARGATE, 0.5, 1);
    ecsim_sim *sim = ecsim_sim_create(sc, 1, stderr);
    assert_non_null(sim);
    assert_int_equal(ecsim_sim_run(sim), 0);
    bool started = false, steady = false, running = false;
    for (size_t i = 0; i < ecsim_sim_log_count(sim); i++) {
        const char *line = ecsim_sim_log_line(sim, i);
        started |= strstr(line, "service web has started 3 tasks: (task 1) (task 2) (task 3).") != NULL;
        steady |= strstr(line, "service web has reached a steady state.") != NULL;
        running |= strstr(line, "task 1 RUNNING (deployment ecs-svc/1, AZ 1)") != NULL;
        assert_null(strstr(line, "pod "));
    }
    assert_true(started && steady && running);
    ecsim_sim_destroy(sim);
    ecsim_scenario_free(sc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pod_size),
        cmocka_unit_test(test_eks_fargate_bill),
        cmocka_unit_test(test_eks_fargate_scenario_bill),
        cmocka_unit_test(test_policy_hpa_bills_m5_xlarge),
        cmocka_unit_test(test_instance_type_price_ratio),
        cmocka_unit_test(test_no_ecs_words_on_eks),
        cmocka_unit_test(test_ecs_words_on_ecs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
