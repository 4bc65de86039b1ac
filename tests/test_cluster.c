/* Unit tests of the EC2 / EKS cluster (sim/model/cluster.c) with a real engine:
 * binpack / spread / random placement, PENDING when nothing fits and the
 * capacity callback at the boot time, CapacityProviderReservation values
 * (M / N, empty instances, unplaceable tasks, N = 0), scale-out step
 * sizes, the warm-up, scale-in of empty instances after 15 low datapoints
 * and min / max instances, the lognormal boot time, instance failures and
 * AZ outages, indexed placement against the plain scan over every instance,
 * scale-in victims, the Cluster Autoscaler variant,
 * determinism, and allocation failure. Expected values are worked by hand
 * from reference §3.1-3.3 and §5.5 in the comments. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/cluster.h"
#include "ecsim/alloc.h"
#include "ecsim/engine.h"
#include "ecsim/error.h"
#include "ecsim/rng.h"

/* ---- fixture: an engine, a cluster, and a recorder of the callbacks ------- */

#define LOG_LINES 256

typedef struct fx {
    ecsim_engine *eng;
    sim_cluster *c;
    int capacity_calls;
    double capacity_at[64];
    int lost_n;
    int lost[64];
    int log_n;
    char log[LOG_LINES][512];
    uint64_t log_hash;        /* FNV-1a over every message, for determinism */
} fx;

static void on_capacity(void *ctx)
{
    fx *f = ctx;
    if (f->capacity_calls < 64)
        f->capacity_at[f->capacity_calls] = ecsim_engine_now(f->eng);
    f->capacity_calls++;
}

static void on_lost(void *ctx, int id)
{
    fx *f = ctx;
    if (f->lost_n < 64)
        f->lost[f->lost_n] = id;
    f->lost_n++;
}

static void on_log(void *ctx, const char *msg)
{
    fx *f = ctx;
    if (f->log_n < LOG_LINES)
        snprintf(f->log[f->log_n], sizeof f->log[0], "%s", msg);
    f->log_n++;
    if (f->log_hash == 0)
        f->log_hash = 1469598103934665603ULL;
    for (const char *p = msg; *p; p++)
        f->log_hash = (f->log_hash ^ (unsigned char)*p) * 1099511628211ULL;
}

static bool logged(const fx *f, const char *needle)
{
    for (int i = 0; i < f->log_n && i < LOG_LINES; i++)
        if (strstr(f->log[i], needle))
            return true;
    return false;
}

/* m5.large-like defaults from the scenario (reference §3.1, §3.3). */
static ecsim_cluster_spec base_spec(void)
{
    ecsim_cluster_spec s = {
        .instance_type = "m5.large",
        .vcpu = 2,
        .memory_gb = 8,
        .instances = 2,
        .min_instances = 0,
        .max_instances = 10,
        .boot_time_s = 60,
        .boot_time_p95_s = 60,     /* deterministic boot unless a test says otherwise */
        .placement = ECSIM_PLACEMENT_BINPACK,
        .managed_scaling = {.enable = true, .target_capacity = 100, .min_step = 1,
                            .max_step = 10000, .warmup_s = 300},
    };
    return s;
}

static fx *fx_new(const ecsim_cluster_spec *spec, ecsim_platform platform, int zones, uint64_t seed,
                  const cluster_config *cfg)
{
    fx *f = calloc(1, sizeof *f);
    assert_non_null(f);
    f->eng = ecsim_engine_create();
    assert_non_null(f->eng);
    cluster_callbacks cb = {on_capacity, on_lost, on_log};
    f->c = cluster_create(spec, platform, zones, seed, f->eng, cfg, &cb, f);
    assert_non_null(f->c);
    return f;
}

static void fx_free(fx *f)
{
    cluster_destroy(f->c);
    ecsim_engine_destroy(f->eng);
    free(f);
}

static cluster_counts counts(const fx *f)
{
    cluster_counts n;
    cluster_get_counts(f->c, &n);
    return n;
}

/* ---- placement (reference §3.2) ------------------------------------------------ */

static void test_binpack_fills_one_instance_first(void **state)
{
    (void)state;
    ecsim_cluster_spec s = base_spec();
    s.instances = 3;
    s.managed_scaling.enable = false;
    fx *f = fx_new(&s, ECSIM_PLATFORM_EC2, 3, 1, NULL);
    /* Four 0.5 vCPU tasks fill instance 1 (least CPU left each time), the
     * fifth goes to instance 2 (ties on an empty instance: lowest id). */
    int az = 0;
    for (int i = 0; i < 4; i++)
        assert_int_equal(cluster_place(f->c, 0.5, 1, &az), 1);
    assert_int_equal(az, 1);
    assert_int_equal(cluster_place(f->c, 0.5, 1, &az), 2);
    assert_int_equal(az, 2);
    /* Release one on instance 1: it has 0.5 left, instance 2 1.5: binpack
     * goes back to instance 1. */
    assert_int_equal(cluster_release(f->c, 1, 0.5, 1), 0);
    assert_int_equal(cluster_place(f->c, 0.5, 1, NULL), 1);
    fx_free(f);

    /* CPU tie, memory decides: instance 1 full; instance 2 ends with 1 vCPU
     * and 7 GB free, instance 3 with 1 vCPU and 2 GB free: binpack takes
     * instance 3 (least memory left), not the lower id. */
    f = fx_new(&s, ECSIM_PLATFORM_EC2, 3, 1, NULL);
    assert_int_equal(cluster_place(f->c, 2, 1, NULL), 1);
    assert_int_equal(cluster_place(f->c, 1, 1, NULL), 2);
    assert_int_equal(cluster_place(f->c, 1, 1, NULL), 2);
    assert_int_equal(cluster_place(f->c, 1, 6, NULL), 3);
    assert_int_equal(cluster_release(f->c, 2, 1, 1), 0);
    assert_int_equal(cluster_place(f->c, 0.5, 0.5, NULL), 3);
    assert_int_equal(cluster_release(f->c, 42, 1, 1), ECSIM_ENOENT);
    cluster_counts n = counts(f);
    assert_int_equal(n.registered, 3);
    assert_int_equal(n.tasks, 4);
    assert_int_equal(n.empty, 0);
    assert_true(n.vcpu_used == 4.5 && n.vcpu_total == 6 && n.memory_gb_used == 8.5);
    fx_free(f);
}

static void test_spread_balances_zones_then_instances(void **state)
{
    (void)state;
    ecsim_cluster_spec s = base_spec();
    s.instances = 6;
    s.placement = ECSIM_PLACEMENT_SPREAD;
    s.managed_scaling.enable = false;
    fx *f = fx_new(&s, ECSIM_PLATFORM_EC2, 3, 1, NULL);
    /* Initial instances round-robin over the zones: 1,4 in az 1; 2,5 in az
     * 2; 3,6 in az 3. */
    for (int id = 1; id <= 6; id++)
        assert_int_equal(cluster_instance_get(f->c, id)->az, (id - 1) % 3 + 1);
    /* Six tasks: zones 1, 2, 3 then the other instance of each zone. */
    int expect[6] = {1, 2, 3, 4, 5, 6};
    for (int i = 0; i < 6; i++) {
        int az = 0;
        assert_int_equal(cluster_place(f->c, 0.5, 1, &az), expect[i]);
        assert_int_equal(az, (expect[i] - 1) % 3 + 1);
    }
    /* The seventh: zone 1 again, instance 1. */
    assert_int_equal(cluster_place(f->c, 0.5, 1, NULL), 1);

    /* Binpack with the same cluster shape would have used instance 1 for all
     * four tasks that fit on it. */
    ecsim_cluster_spec b = s;
    b.placement = ECSIM_PLACEMENT_BINPACK;
    fx *g = fx_new(&b, ECSIM_PLATFORM_EC2, 3, 1, NULL);
    for (int i = 0; i < 4; i++)
        assert_int_equal(cluster_place(g->c, 0.5, 1, NULL), 1);
    assert_int_equal(counts(g).empty, 5);
    assert_int_equal(counts(f).empty, 0);
    fx_free(g);
    fx_free(f);
}

static void test_random_placement_only_where_it_fits(void **state)
{
    (void)state;
    ecsim_cluster_spec s = base_spec();
    s.instances = 4;
    s.placement = ECSIM_PLACEMENT_RANDOM;
    s.managed_scaling.enable = false;
    fx *f = fx_new(&s, ECSIM_PLATFORM_EC2, 2, 7, NULL);
    /* Fill instance... whichever: 8 tasks of 1 vCPU fill all four; every one
     * placed, each instance exactly full, then nothing fits. */
    int per[5] = {0};
    for (int i = 0; i < 8; i++) {
        int id = cluster_place(f->c, 1, 1, NULL);
        assert_true(id >= 1 && id <= 4);
        per[id]++;
    }
    for (int id = 1; id <= 4; id++)
        assert_int_equal(per[id], 2);
    assert_int_equal(cluster_place(f->c, 1, 1, NULL), ECSIM_ENOENT);
    fx_free(f);
}

/* ---- PENDING, then capacity ---------------------------------------------------- */

static void test_pending_until_instance_registers(void **state)
{
    (void)state;
    ecsim_cluster_spec s = base_spec();
    s.instances = 1;
    fx *f = fx_new(&s, ECSIM_PLATFORM_EC2, 3, 1, NULL);
    assert_int_equal(cluster_place(f->c, 1, 2, NULL), 1);
    assert_int_equal(cluster_place(f->c, 1, 2, NULL), 1);
    /* Instance 1 is full: the third task stays PENDING (reference §2.6). */
    assert_int_equal(cluster_place(f->c, 1, 2, NULL), ECSIM_ENOENT);
    char why[200];
    cluster_explain_no_fit(f->c, 1, 2, why, sizeof why);
    assert_string_equal(why, "The closest matching container-instance i-0001 has insufficient CPU "
                             "units available.");
    cluster_set_pending(f->c, 1, 1, 2);
    /* First evaluation at 60 s: M = 1 + 1, N = 1: CPR 200 % > 100 %:
     * launch 1; it boots 60 s (median = p95: no spread) and registers at
     * 120 s, when the scheduler is called back. */
    ecsim_engine_run(f->eng, 59);
    assert_int_equal(counts(f).booting, 0);
    ecsim_engine_run(f->eng, 60);
    assert_int_equal(counts(f).booting, 1);
    assert_true(logged(f, "capacity provider: CapacityProviderReservation 200 % > target 100 %: "
                          "launching 1 instance (m5.large)"));
    assert_int_equal(f->capacity_calls, 0);
    ecsim_engine_run(f->eng, 119.5);
    assert_int_equal(f->capacity_calls, 0);
    ecsim_engine_run(f->eng, 130);
    assert_int_equal(f->capacity_calls, 1);
    assert_true(f->capacity_at[0] == 120.0);
    const cluster_instance *in = cluster_instance_get(f->c, 2);
    assert_int_equal(in->state, CLUSTER_INSTANCE_REGISTERED);
    assert_true(in->launched_s == 60.0 && in->registered_s == 120.0);
    assert_int_equal(cluster_place(f->c, 1, 2, NULL), 2);
    cluster_set_pending(f->c, 0, 0, 0);
    double a, b;
    assert_int_equal(cluster_instance_interval(f->c, 2, 130, &a, &b), 0);
    assert_true(a == 60.0 && b == 130.0);
    assert_int_equal(cluster_instance_interval(f->c, 9, 130, &a, &b), ECSIM_ENOENT);
    fx_free(f);
}

/* ---- CapacityProviderReservation (reference §3.1) -------------------------------- */

static void test_reservation_values(void **state)
{
    (void)state;
    ecsim_cluster_spec s = base_spec();
    s.instances = 4;
    s.managed_scaling.enable = false;
    fx *f = fx_new(&s, ECSIM_PLATFORM_EC2, 2, 1, NULL);
    int m = -1, n = -1;
    /* Nothing placed, nothing pending: M = 0, N = 4: 0 %. */
    assert_true(cluster_reservation(f->c, &m, &n) == 0.0);
    assert_int_equal(m, 0);
    assert_int_equal(n, 4);
    /* Two full instances, two empty: M = 2, N = 4: 50 % (< 100: empties). */
    assert_int_equal(cluster_place(f->c, 2, 1, NULL), 1);
    assert_int_equal(cluster_place(f->c, 2, 1, NULL), 2);
    assert_true(cluster_reservation(f->c, &m, &n) == 50.0);
    /* All four in use: M = N: 100 %. */
    assert_int_equal(cluster_place(f->c, 1, 1, NULL), 3);
    assert_int_equal(cluster_place(f->c, 1, 1, NULL), 3);
    assert_int_equal(cluster_place(f->c, 0.5, 1, NULL), 4);
    assert_true(cluster_reservation(f->c, &m, &n) == 100.0);
    /* Pending that fits the free room (1.5 vCPU on instance 4) needs no new
     * instance: 3 x 0.5 still 100 %. */
    cluster_set_pending(f->c, 3, 0.5, 1);
    assert_true(cluster_reservation(f->c, &m, &n) == 100.0);
    /* Five of them: 3 fit on instance 4, 2 need one new instance (4 per
     * instance): M = 5: 125 %. */
    cluster_set_pending(f->c, 5, 0.5, 1);
    assert_true(cluster_reservation(f->c, &m, &n) == 125.0);
    assert_int_equal(m, 5);
    /* Unplaceable pending (6 tasks of 1 vCPU / 1 GB: 1 fits on 4, 5 need 3
     * new with 2 per instance): M = 7: 175 %. */
    cluster_set_pending(f->c, 6, 1, 1);
    assert_true(cluster_reservation(f->c, &m, &n) == 175.0);
    /* A task larger than an instance adds nothing (§3.1 Limits). */
    cluster_set_pending(f->c, 3, 4, 1);
    assert_true(cluster_reservation(f->c, &m, &n) == 100.0);
    fx_free(f);

    /* Pending fills the fullest instances first: 4 empty instances, one
     * holding 1 vCPU; 3 tasks of 1 vCPU: 1 on that instance, 2 on one empty
     * instance: M = 2 of N = 4: 50 %. */
    f = fx_new(&s, ECSIM_PLATFORM_EC2, 2, 1, NULL);
    assert_int_equal(cluster_place(f->c, 1, 1, NULL), 1);
    cluster_set_pending(f->c, 3, 1, 1);
    assert_true(cluster_reservation(f->c, &m, &n) == 50.0);
    assert_int_equal(m, 2);
    fx_free(f);

    /* N = 0: pending work -> 200 % ("always scales-out to 200 %"); no work
     * -> 100 %. */
    s.instances = 0;
    f = fx_new(&s, ECSIM_PLATFORM_EC2, 2, 1, NULL);
    assert_true(cluster_reservation(f->c, &m, &n) == 100.0);
    assert_int_equal(m, 0);
    assert_int_equal(n, 0);
    cluster_set_pending(f->c, 9, 1, 1);
    assert_true(cluster_reservation(f->c, &m, &n) == 200.0);
    assert_int_equal(m, 5);
    fx_free(f);
}

static void test_empty_cluster_scales_out_to_two(void **state)
{
    (void)state;
    ecsim_cluster_spec s = base_spec();
    s.instances = 0;
    fx *f = fx_new(&s, ECSIM_PLATFORM_EC2, 3, 1, NULL);
    cluster_set_pending(f->c, 9, 1, 1);     /* M = 5, but N = 0: two instances */
    ecsim_engine_run(f->eng, 60);
    cluster_counts n = counts(f);
    assert_int_equal(n.booting, 2);
    assert_true(n.last_reservation == 200.0);
    /* They land in zones 1 and 2. */
    assert_int_equal(cluster_instance_get(f->c, 1)->az, 1);
    assert_int_equal(cluster_instance_get(f->c, 2)->az, 2);
    fx_free(f);
}

static void test_step_sizes(void **state)
{
    (void)state;
    /* One full instance and 1 pending task: M - N = 1, but min_step 3. */
    ecsim_cluster_spec s = base_spec();
    s.instances = 1;
    s.managed_scaling.min_step = 3;
    fx *f = fx_new(&s, ECSIM_PLATFORM_EC2, 3, 1, NULL);
    assert_int_equal(cluster_place(f->c, 2, 1, NULL), 1);
    cluster_set_pending(f->c, 1, 2, 1);
    ecsim_engine_run(f->eng, 60);
    assert_int_equal(counts(f).booting, 3);
    fx_free(f);

    /* Eight pending tasks, one per instance: M - N = 8, but max_step 5. */
    s.managed_scaling.min_step = 1;
    s.managed_scaling.max_step = 5;
    f = fx_new(&s, ECSIM_PLATFORM_EC2, 3, 1, NULL);
    assert_int_equal(cluster_place(f->c, 2, 1, NULL), 1);
    cluster_set_pending(f->c, 8, 2, 1);
    ecsim_engine_run(f->eng, 60);
    assert_int_equal(counts(f).booting, 5);
    fx_free(f);

    /* targetCapacity 50: M = 2 -> ceil(2 x 100 / 50) = 4 instances wanted,
     * N = 1: launch 3. */
    s.managed_scaling.max_step = 10000;
    s.managed_scaling.target_capacity = 50;
    f = fx_new(&s, ECSIM_PLATFORM_EC2, 3, 1, NULL);
    assert_int_equal(cluster_place(f->c, 2, 1, NULL), 1);
    cluster_set_pending(f->c, 1, 2, 1);
    ecsim_engine_run(f->eng, 60);
    assert_int_equal(counts(f).booting, 3);
    fx_free(f);
}

static void test_warmup_blocks_second_scale_out(void **state)
{
    (void)state;
    ecsim_cluster_spec s = base_spec();
    s.instances = 1;
    /* With max_step 1, the 3 instances' worth of pending work needs three
     * scale-outs, each after the previous instance's warm-up. */
    s.managed_scaling.max_step = 1;
    fx *f = fx_new(&s, ECSIM_PLATFORM_EC2, 3, 1, NULL);
    assert_int_equal(cluster_place(f->c, 2, 1, NULL), 1);
    cluster_set_pending(f->c, 3, 2, 1);
    ecsim_engine_run(f->eng, 60);
    assert_int_equal(counts(f).launched_total, 2);
    /* The instance launched at 60 s is warm at 360 s: the evaluations at
     * 120 ... 300 s see CPR > 100 % and launch nothing. */
    ecsim_engine_run(f->eng, 359);
    assert_int_equal(counts(f).launched_total, 2);
    assert_true(logged(f, "is in its warm-up period (instanceWarmupPeriod 300 s) until t=360 s: no new "
                          "scale-out"));
    ecsim_engine_run(f->eng, 360);
    assert_int_equal(counts(f).launched_total, 3);
    /* The warm-up message is logged once per blocking instance, not every
     * minute. */
    int warm_msgs = 0;
    for (int i = 0; i < f->log_n; i++)
        warm_msgs += strstr(f->log[i], "warm-up period") != NULL;
    assert_int_equal(warm_msgs, 1);
    fx_free(f);
}

/* ---- scale-in: AlarmLow 15 of 15 and empty instances only ---------------------- */

static void test_scale_in_after_fifteen_low_datapoints(void **state)
{
    (void)state;
    ecsim_cluster_spec s = base_spec();
    s.instances = 4;
    s.min_instances = 2;
    fx *f = fx_new(&s, ECSIM_PLATFORM_EC2, 2, 1, NULL);
    /* One task on instance 1: M = 1, N = 4: 25 % every minute. */
    assert_int_equal(cluster_place(f->c, 0.5, 1, NULL), 1);
    ecsim_engine_run(f->eng, 899);      /* 14 datapoints */
    assert_int_equal(counts(f).terminated_total, 0);
    ecsim_engine_run(f->eng, 900);      /* the 15th */
    /* keep ceil(1) = 1, but min_instances 2 and at most 50 % of 4: 2 go,
     * both empty; zone balance: az 1 holds 1, 3; az 2 holds 2, 4: first the
     * newest of az ... both zones have 2: newest overall (4, az 2), then az 1
     * has more: instance 3. */
    cluster_counts n = counts(f);
    assert_int_equal(n.terminated_total, 2);
    assert_int_equal(n.registered, 2);
    assert_int_equal(cluster_instance_get(f->c, 4)->state, CLUSTER_INSTANCE_TERMINATED);
    assert_int_equal(cluster_instance_get(f->c, 3)->state, CLUSTER_INSTANCE_TERMINATED);
    assert_int_equal(cluster_instance_get(f->c, 1)->state, CLUSTER_INSTANCE_REGISTERED);
    assert_true(cluster_instance_get(f->c, 4)->stopped_s == 900.0);
    assert_true(logged(f, "CapacityProviderReservation 25 % < target 100 % for 15 of 15 datapoints: "
                          "terminating 2 empty instances: i-0004, i-0003"));
    /* At min_instances: nothing more, ever. */
    ecsim_engine_run(f->eng, 3600);
    assert_int_equal(counts(f).terminated_total, 2);
    fx_free(f);

    /* min 0: 2 at 900 s (50 % of 4), then 1 at 960 s (50 % of 2 = 1): the
     * instance with the task stays. */
    s.min_instances = 0;
    f = fx_new(&s, ECSIM_PLATFORM_EC2, 2, 1, NULL);
    assert_int_equal(cluster_place(f->c, 0.5, 1, NULL), 1);
    ecsim_engine_run(f->eng, 900);
    assert_int_equal(counts(f).terminated_total, 2);
    ecsim_engine_run(f->eng, 960);
    assert_int_equal(counts(f).terminated_total, 3);
    ecsim_engine_run(f->eng, 3600);
    assert_int_equal(counts(f).terminated_total, 3);
    assert_int_equal(cluster_instance_get(f->c, 1)->state, CLUSTER_INSTANCE_REGISTERED);
    assert_true(counts(f).last_reservation == 100.0);
    fx_free(f);
}

static void test_a_high_datapoint_resets_the_low_alarm(void **state)
{
    (void)state;
    ecsim_cluster_spec s = base_spec();
    s.instances = 2;
    fx *f = fx_new(&s, ECSIM_PLATFORM_EC2, 2, 1, NULL);
    assert_int_equal(cluster_place(f->c, 2, 1, NULL), 1);   /* M = 1, N = 2: 50 % */
    ecsim_engine_run(f->eng, 500);
    /* At 510 s a burst of pending work makes one datapoint 100 % (fits in
     * instance 2: M = 2), then it is placed and released. */
    cluster_set_pending(f->c, 1, 1, 1);
    ecsim_engine_run(f->eng, 540);
    cluster_set_pending(f->c, 0, 0, 0);
    /* The 15 low datapoints now end at 540 + 15 x 60 = 1440 s. */
    ecsim_engine_run(f->eng, 1439);
    assert_int_equal(counts(f).terminated_total, 0);
    ecsim_engine_run(f->eng, 1440);
    assert_int_equal(counts(f).terminated_total, 1);
    assert_int_equal(cluster_instance_get(f->c, 2)->state, CLUSTER_INSTANCE_TERMINATED);
    fx_free(f);
}

static void test_max_instances_cap(void **state)
{
    (void)state;
    ecsim_cluster_spec s = base_spec();
    s.instances = 2;
    s.max_instances = 3;
    s.managed_scaling.warmup_s = 0;
    fx *f = fx_new(&s, ECSIM_PLATFORM_EC2, 3, 1, NULL);
    assert_int_equal(cluster_place(f->c, 2, 1, NULL), 1);
    assert_int_equal(cluster_place(f->c, 2, 1, NULL), 2);
    cluster_set_pending(f->c, 10, 2, 1);
    ecsim_engine_run(f->eng, 60);
    assert_int_equal(counts(f).booting, 1);
    ecsim_engine_run(f->eng, 600);
    cluster_counts n = counts(f);
    assert_int_equal(n.registered + n.booting, 3);
    assert_int_equal(n.launched_total, 3);
    assert_true(logged(f, "needed but the cluster is at max_instances 3"));
    fx_free(f);
}

/* ---- boot time (reference §3.3) ------------------------------------------------------ */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The sampler itself is tested against its closed forms at the RNG layer
 * (test_rng.c: test_lognormal_median_p95). Here, a small cluster-level
 * check that launches draw from it with the spec's median and p95: 400
 * instances booting at once register over a spread of times whose median
 * is near 60 s (relative s.e. of the sample median 1.2533 x 0.668 /
 * sqrt(400) = 4.2 %: 20 % is over 4.5 s.e.) and whose p95 is well above it. */
static void test_boot_time_lognormal_median_and_p95(void **state)
{
    (void)state;
    enum { N = 400 };
    ecsim_cluster_spec s = base_spec();
    s.instances = 0;
    s.max_instances = N;
    s.boot_time_s = 60;
    s.boot_time_p95_s = 180;
    s.managed_scaling.min_step = N;   /* one evaluation launches them all */
    fx *f = fx_new(&s, ECSIM_PLATFORM_EC2, 3, 42, NULL);
    cluster_set_pending(f->c, 1, 1, 1);
    ecsim_engine_run(f->eng, 60);
    assert_int_equal(counts(f).booting, N);
    cluster_set_pending(f->c, 0, 0, 0);
    ecsim_engine_run(f->eng, 5000);
    static double boot[N];
    for (int i = 0; i < N; i++) {
        const cluster_instance *in = cluster_instance_get(f->c, i + 1);
        assert_true(in->registered_s > in->launched_s);
        boot[i] = in->registered_s - in->launched_s;
    }
    qsort(boot, N, sizeof boot[0], cmp_double);
    double median = boot[N / 2], p95 = boot[(int)(0.95 * N)];
    assert_true(fabs(median / 60 - 1) < 0.20);
    assert_true(p95 > 2 * median);     /* 3 x in the model; 2 x is far outside the noise */
    assert_int_equal(f->capacity_calls, N);
    fx_free(f);
}

/* ---- placement indexes against the linear definition ------------------------------- */

/* The placement rules of reference §3.2 written as the plain scan over
 * every instance (what cluster_place did before its indexes): binpack the
 * fitting instance with the least free CPU, then least free memory (within
 * 1e-9), first id on ties; spread the zone with the fewest tasks among the
 * zones with a fitting instance (lowest zone on ties), then its instance
 * with the fewest tasks (lowest id). 0 when nothing fits. */
static int reference_place(const fx *f, ecsim_placement placement, const ecsim_cluster_spec *s,
                           int zones, double vcpu, double mem)
{
    const double eps = 1e-9;
    int n = cluster_instance_count(f->c);
    int zone_tasks[8] = {0};
    for (int id = 1; id <= n; id++) {
        const cluster_instance *in = cluster_instance_get(f->c, id);
        if (in->state == CLUSTER_INSTANCE_REGISTERED)
            zone_tasks[in->az] += in->tasks;
    }
    const cluster_instance *best = NULL;
    for (int id = 1; id <= n; id++) {
        const cluster_instance *in = cluster_instance_get(f->c, id);
        double fc = s->vcpu - in->vcpu_used, fm = s->memory_gb - in->memory_gb_used;
        if (in->state != CLUSTER_INSTANCE_REGISTERED || vcpu > fc + eps || mem > fm + eps)
            continue;
        if (!best) {
            best = in;
            continue;
        }
        double bc = s->vcpu - best->vcpu_used, bm = s->memory_gb - best->memory_gb_used;
        if (placement == ECSIM_PLACEMENT_BINPACK) {
            if (fc < bc - eps || (fabs(fc - bc) <= eps && fm < bm - eps))
                best = in;
        } else {
            int zt = zone_tasks[in->az], bzt = zone_tasks[best->az];
            if (zt < bzt || (zt == bzt && in->az == best->az && in->tasks < best->tasks) ||
                (zt == bzt && in->az < best->az))
                best = in;
        }
    }
    (void)zones;
    return best ? best->id : 0;
}

/* Thousands of placements and releases of mixed sizes, with instance
 * failures and replacements in between: every choice of the indexed
 * cluster_place is the linear definition's. */
static void test_placement_matches_linear_scan(void **state)
{
    (void)state;
    static const double cpus[] = {0.25, 0.5, 1, 1.5, 0.125};
    static const double mems[] = {0.5, 1, 2, 4, 0.75};
    for (int mode = 0; mode < 2; mode++) {
        ecsim_placement placement = mode ? ECSIM_PLACEMENT_SPREAD : ECSIM_PLACEMENT_BINPACK;
        ecsim_cluster_spec s = base_spec();
        s.placement = placement;
        s.instances = 40;
        s.max_instances = 40;
        s.managed_scaling.enable = false;
        fx *f = fx_new(&s, ECSIM_PLATFORM_EC2, 3, 17, NULL);
        enum { MAX_PLACED = 2000 };
        static int inst[MAX_PLACED];
        static double pc[MAX_PLACED], pm[MAX_PLACED];
        int placed = 0, unplaced = 0;
        uint64_t r = 88172645463325252ULL;
        for (int step = 0; step < 6000; step++) {
            r ^= r << 13;
            r ^= r >> 7;
            r ^= r << 17;
            if (step % 1500 == 1499) { /* lose two instances; the ASG replaces them */
                cluster_fail_instances(f->c, 2, NULL);
                ecsim_engine_run(f->eng, ecsim_engine_now(f->eng) + 1000);
                continue;
            }
            if (r % 10 < 6 || placed == 0) {
                double c = cpus[(r >> 8) % 5], m = mems[(r >> 16) % 5];
                int want = reference_place(f, placement, &s, 3, c, m);
                int got = cluster_place(f->c, c, m, NULL);
                if (want == 0) {
                    assert_int_equal(got, ECSIM_ENOENT);
                    unplaced++;
                } else {
                    assert_int_equal(got, want);
                    if (placed < MAX_PLACED) {
                        inst[placed] = got;
                        pc[placed] = c;
                        pm[placed] = m;
                        placed++;
                    }
                }
            } else {
                int k = (int)((r >> 24) % (uint64_t)placed);
                assert_int_equal(cluster_release(f->c, inst[k], pc[k], pm[k]), 0);
                inst[k] = inst[placed - 1];
                pc[k] = pc[placed - 1];
                pm[k] = pm[placed - 1];
                placed--;
            }
        }
        assert_true(unplaced > 0);    /* the cluster was full at times */
        fx_free(f);
    }
}

/* cluster_choose_victims written as the plain scans of reference §3.2 (what
 * it was before its heap and Fenwick trees), over the public view of the
 * cluster; `rng` follows the cluster's "cluster.victim" stream. */
static void reference_victims(const fx *f, const ecsim_cluster_spec *s, ecsim_rng *rng,
                              const cluster_task_ref *tasks, int count, int k, int *chosen)
{
    const double eps = 1e-9;
    int n = cluster_instance_count(f->c);
    double fcpu[128], fmem[128];
    int ztask[8] = {0};
    bool taken[512] = {false};
    for (int id = 1; id <= n; id++) {
        const cluster_instance *in = cluster_instance_get(f->c, id);
        fcpu[id] = s->vcpu - in->vcpu_used;
        fmem[id] = s->memory_gb - in->memory_gb_used;
        if (in->state == CLUSTER_INSTANCE_REGISTERED)
            ztask[in->az] += in->tasks;
    }
#define LIVE(i) (tasks[i].instance_id >= 1 && tasks[i].instance_id <= n && \
                 cluster_instance_get(f->c, tasks[i].instance_id)->state == CLUSTER_INSTANCE_REGISTERED)
#define AZ(i) cluster_instance_get(f->c, tasks[i].instance_id)->az
    for (int pick = 0; pick < k; pick++) {
        int best = -1;
        for (int i = 0; i < count && best < 0; i++)
            if (!taken[i] && !LIVE(i))
                best = i;
        if (best < 0 && s->placement == ECSIM_PLACEMENT_BINPACK) {
            for (int i = 0; i < count; i++) {
                if (taken[i])
                    continue;
                int id = tasks[i].instance_id, bid = best >= 0 ? tasks[best].instance_id : 0;
                double cpu = fcpu[id] + tasks[i].vcpu, mem = fmem[id] + tasks[i].memory_gb;
                if (best < 0 || cpu > fcpu[bid] + tasks[best].vcpu + eps ||
                    (fabs(cpu - (fcpu[bid] + tasks[best].vcpu)) <= eps &&
                     mem > fmem[bid] + tasks[best].memory_gb + eps))
                    best = i;
            }
        } else if (best < 0 && s->placement == ECSIM_PLACEMENT_SPREAD) {
            int zone = 0, in_zone = 0;
            for (int i = 0; i < count; i++)
                if (!taken[i] && (zone == 0 || ztask[AZ(i)] > ztask[zone] ||
                                  (ztask[AZ(i)] == ztask[zone] && AZ(i) < zone)))
                    zone = AZ(i);
            for (int i = 0; i < count; i++)
                in_zone += !taken[i] && AZ(i) == zone;
            uint64_t r = ecsim_rng_below(rng, (uint64_t)in_zone);
            for (int i = 0; i < count && best < 0; i++)
                if (!taken[i] && AZ(i) == zone && r-- == 0)
                    best = i;
        } else if (best < 0) {
            uint64_t r = ecsim_rng_below(rng, (uint64_t)(count - pick));
            for (int i = 0; i < count && best < 0; i++)
                if (!taken[i] && r-- == 0)
                    best = i;
        }
        taken[best] = true;
        chosen[pick] = best;
        if (LIVE(best)) {
            fcpu[tasks[best].instance_id] += tasks[best].vcpu;
            fmem[tasks[best].instance_id] += tasks[best].memory_gb;
            ztask[AZ(best)]--;
        }
    }
#undef LIVE
#undef AZ
}

/* Scale-in victims of mixed sizes, some not placed and some on a failed
 * instance, in every strategy and many k: the same choices, in the same
 * order, as the plain scans. */
static void test_victims_match_linear_scan(void **state)
{
    (void)state;
    static const double cpus[] = {0.25, 0.5, 1, 0.125};
    static const double mems[] = {0.5, 1, 2, 0.75};
    for (int mode = 0; mode < 3; mode++) {
        ecsim_cluster_spec s = base_spec();
        s.placement = mode == 0 ? ECSIM_PLACEMENT_BINPACK
                                : mode == 1 ? ECSIM_PLACEMENT_SPREAD : ECSIM_PLACEMENT_RANDOM;
        s.instances = 24;
        s.max_instances = 24;
        s.managed_scaling.enable = false;
        fx *f = fx_new(&s, ECSIM_PLATFORM_EC2, 3, 23, NULL);
        ecsim_rng ref_rng, pick_rng;
        ecsim_rng_derive(&ref_rng, 23, "cluster.victim");
        ecsim_rng_derive(&pick_rng, 99, "test");
        cluster_task_ref refs[300];
        int n = 0;
        while (n < 250) {
            double c = cpus[ecsim_rng_below(&pick_rng, 4)], m = mems[ecsim_rng_below(&pick_rng, 4)];
            int id = cluster_place(f->c, c, m, NULL);
            if (id < 0)
                break;
            refs[n] = (cluster_task_ref){n + 1, id, c, m};
            n++;
        }
        for (int i = 0; i < 5; i++, n++) /* not placed */
            refs[n] = (cluster_task_ref){n + 1, 0, 0.25, 0.5};
        /* A random order, then lose an instance: its tasks free nothing. */
        for (int i = n - 1; i > 0; i--) {
            int j = (int)ecsim_rng_below(&pick_rng, (uint64_t)i + 1);
            cluster_task_ref t = refs[i];
            refs[i] = refs[j];
            refs[j] = t;
        }
        assert_int_equal(cluster_fail_instances(f->c, 1, NULL), 1);
        for (int round = 0; round < 40; round++) {
            int k = 1 + (int)ecsim_rng_below(&pick_rng, (uint64_t)n);
            int got[300], want[300];
            assert_int_equal(cluster_choose_victims(f->c, refs, n, k, got), k);
            reference_victims(f, &s, &ref_rng, refs, n, k, want);
            for (int i = 0; i < k; i++)
                assert_int_equal(got[i], want[i]);
        }
        fx_free(f);
    }
}

/* ---- failures ------------------------------------------------------------------------- */

static void test_instance_failure(void **state)
{
    (void)state;
    ecsim_cluster_spec s = base_spec();
    s.instances = 3;
    s.managed_scaling.enable = false;
    fx *f = fx_new(&s, ECSIM_PLATFORM_EC2, 3, 5, NULL);
    for (int i = 0; i < 3; i++)
        cluster_place(f->c, 2, 1, NULL);        /* one full task per instance */
    ecsim_engine_run(f->eng, 100);
    int ids[2] = {0, 0};
    assert_int_equal(cluster_fail_instances(f->c, 2, ids), 2);
    assert_int_equal(f->lost_n, 2);
    assert_int_equal(f->lost[0], ids[0]);
    assert_int_equal(f->lost[1], ids[1]);
    assert_true(ids[0] != ids[1]);
    for (int i = 0; i < 2; i++) {
        const cluster_instance *in = cluster_instance_get(f->c, ids[i]);
        assert_int_equal(in->state, CLUSTER_INSTANCE_LOST);
        assert_true(in->stopped_s == 100.0);
        assert_int_equal(in->tasks, 0);
        /* The scheduler releasing the dead tasks is harmless. */
        assert_int_equal(cluster_release(f->c, ids[i], 2, 1), 0);
    }
    cluster_counts n = counts(f);
    assert_int_equal(n.registered, 1);
    assert_int_equal(n.lost_total, 2);
    /* The ASG replaces them: launch at 100 + 60, registered 60 s later. */
    ecsim_engine_run(f->eng, 159);
    assert_int_equal(counts(f).booting, 0);
    ecsim_engine_run(f->eng, 160);
    assert_int_equal(counts(f).booting, 2);
    assert_true(logged(f, "auto scaling group: launching 2 replacement instances to restore desired "
                          "capacity 3"));
    ecsim_engine_run(f->eng, 220);
    assert_int_equal(counts(f).registered, 3);
    assert_int_equal(f->capacity_calls, 2);
    assert_true(f->capacity_at[0] == 220.0);
    /* Asking for more failures than there are instances fails them all. */
    assert_int_equal(cluster_fail_instances(f->c, 10, NULL), 3);
    assert_int_equal(cluster_fail_instances(f->c, 1, NULL), 0);
    /* Billing intervals: the lost ones stop at 100 s. */
    double a, b;
    assert_int_equal(cluster_instance_interval(f->c, ids[0], 500, &a, &b), 0);
    assert_true(a == 0.0 && b == 100.0);
    fx_free(f);
}

static void test_az_outage(void **state)
{
    (void)state;
    ecsim_cluster_spec s = base_spec();
    s.instances = 3;
    s.placement = ECSIM_PLACEMENT_SPREAD;
    s.managed_scaling.enable = false;
    fx *f = fx_new(&s, ECSIM_PLATFORM_EC2, 3, 1, NULL);
    assert_int_equal(cluster_place(f->c, 0.5, 1, NULL), 1);
    assert_int_equal(cluster_place(f->c, 0.5, 1, NULL), 2);
    ecsim_engine_run(f->eng, 1000);
    assert_int_equal(cluster_az_outage(f->c, 2, 600), 0);
    assert_int_equal(f->lost_n, 1);
    assert_int_equal(f->lost[0], 2);
    assert_int_equal(cluster_instance_get(f->c, 2)->state, CLUSTER_INSTANCE_LOST);
    assert_true(logged(f, "availability zone 2 outage for 600 s: 1 instance lost"));
    /* Spread now ignores zone 2: zone 3 (0 tasks), then zone 1. */
    int az = 0;
    assert_int_equal(cluster_place(f->c, 0.5, 1, &az), 3);
    assert_int_equal(az, 3);
    assert_int_equal(cluster_place(f->c, 0.5, 1, &az), 1);
    /* The replacement (at 1060 s) goes to an available zone (1 and 3 have
     * one instance each: zone 1). */
    ecsim_engine_run(f->eng, 1060);
    const cluster_instance *r = cluster_instance_get(f->c, 4);
    assert_non_null(r);
    assert_int_equal(r->az, 1);
    ecsim_engine_run(f->eng, 1599);
    assert_false(logged(f, "availability zone 2 is available again"));
    ecsim_engine_run(f->eng, 1600);
    assert_true(logged(f, "availability zone 2 is available again"));
    assert_int_equal(cluster_az_outage(f->c, 4, 60), ECSIM_EINVAL);
    assert_int_equal(cluster_az_outage(f->c, 0, 60), ECSIM_EINVAL);
    fx_free(f);

    /* A booting instance in the zone is lost too, and no launch goes there. */
    s.instances = 1;
    s.placement = ECSIM_PLACEMENT_BINPACK;
    s.managed_scaling.enable = true;
    f = fx_new(&s, ECSIM_PLATFORM_EC2, 2, 1, NULL);
    cluster_place(f->c, 2, 1, NULL);
    cluster_set_pending(f->c, 1, 2, 1);
    ecsim_engine_run(f->eng, 60);           /* launches instance 2 in zone 2 */
    assert_int_equal(cluster_instance_get(f->c, 2)->az, 2);
    assert_int_equal(cluster_az_outage(f->c, 2, 3600), 0);
    assert_int_equal(cluster_instance_get(f->c, 2)->state, CLUSTER_INSTANCE_LOST);
    /* A lost instance has no warm-up: at 120 s the capacity provider
     * launches again, in zone 1, which also restores the ASG's desired
     * capacity (no extra replacement); it registers at 180 s. */
    ecsim_engine_run(f->eng, 400);
    assert_int_equal(cluster_instance_count(f->c), 3);
    assert_int_equal(cluster_instance_get(f->c, 3)->az, 1);
    assert_true(cluster_instance_get(f->c, 3)->launched_s == 120.0);
    assert_int_equal(f->capacity_calls, 1);
    assert_true(f->capacity_at[0] == 180.0);
    assert_false(logged(f, "replacement"));
    fx_free(f);
}

/* ---- scale-in victims (reference §3.2) ---------------------------------------------- */

static void test_choose_victims(void **state)
{
    (void)state;
    ecsim_cluster_spec s = base_spec();
    s.instances = 2;
    s.managed_scaling.enable = false;
    fx *f = fx_new(&s, ECSIM_PLATFORM_EC2, 2, 1, NULL);
    /* Binpack: four 0.5 vCPU tasks fill instance 1, the fifth is alone on
     * instance 2 (1.5 vCPU free). */
    cluster_task_ref t[4];
    for (int i = 0; i < 3; i++)
        t[i] = (cluster_task_ref){10 + i, cluster_place(f->c, 0.5, 1, NULL), 0.5, 1};
    assert_int_equal(cluster_place(f->c, 0.5, 1, NULL), 1);        /* not in the list */
    t[3] = (cluster_task_ref){13, cluster_place(f->c, 0.5, 1, NULL), 0.5, 1};
    assert_int_equal(t[0].instance_id, 1);
    assert_int_equal(t[3].instance_id, 2);
    /* The victim is the task on the instance with the most resources left
     * after its removal (reference §3.2): instance 2 (2.0 vCPU) over
     * instance 1 (0.5). Then instance 1's, first in the list. */
    assert_int_equal(cluster_choose_victim(f->c, t, 4), 3);
    int chosen[4];
    assert_int_equal(cluster_choose_victims(f->c, t, 4, 3, chosen), 3);
    assert_int_equal(chosen[0], 3);
    assert_int_equal(chosen[1], 0);
    assert_int_equal(chosen[2], 1);
    /* The cluster is not modified by choosing. */
    assert_int_equal(cluster_instance_get(f->c, 2)->tasks, 1);
    /* A task that is not placed is chosen first; k > count is clamped. */
    cluster_task_ref u[2] = {t[3], {99, 0, 0.5, 1}};
    assert_int_equal(cluster_choose_victim(f->c, u, 2), 1);
    assert_int_equal(cluster_choose_victims(f->c, u, 2, 5, chosen), 2);
    assert_int_equal(cluster_choose_victim(f->c, u, 0), ECSIM_ENOENT);
    assert_int_equal(cluster_choose_victims(f->c, u, 2, -1, chosen), ECSIM_EINVAL);
    fx_free(f);

    /* Spread: tasks go to instances 1, 2, 1, 2, 1 (zones 1, 2, ...): zone 1
     * holds 3, zone 2 holds 2. Victims keep the zones balanced: zone 1
     * (3 > 2), then zone 1 again (2 = 2: lowest zone), then zone 2 (1 < 2);
     * random within a zone. */
    s.placement = ECSIM_PLACEMENT_SPREAD;
    f = fx_new(&s, ECSIM_PLATFORM_EC2, 2, 3, NULL);
    cluster_task_ref v[5];
    int expect_instance[5] = {1, 2, 1, 2, 1};
    for (int i = 0; i < 5; i++) {
        v[i] = (cluster_task_ref){i, cluster_place(f->c, 0.25, 0.5, NULL), 0.25, 0.5};
        assert_int_equal(v[i].instance_id, expect_instance[i]);
    }
    int vc[3];
    assert_int_equal(cluster_choose_victims(f->c, v, 5, 3, vc), 3);
    assert_int_equal(v[vc[0]].instance_id, 1);
    assert_int_equal(v[vc[1]].instance_id, 1);
    assert_int_equal(v[vc[2]].instance_id, 2);
    assert_true(vc[0] != vc[1]);
    fx_free(f);

    /* Random: choosing all of them gives a permutation. */
    s.placement = ECSIM_PLACEMENT_RANDOM;
    f = fx_new(&s, ECSIM_PLATFORM_EC2, 2, 3, NULL);
    for (int i = 0; i < 4; i++)
        t[i] = (cluster_task_ref){i, cluster_place(f->c, 0.5, 1, NULL), 0.5, 1};
    assert_int_equal(cluster_choose_victims(f->c, t, 4, 4, chosen), 4);
    int seen = 0;
    for (int i = 0; i < 4; i++)
        seen |= 1 << chosen[i];
    assert_int_equal(seen, 15);
    fx_free(f);
}

/* ---- EKS: Cluster Autoscaler defaults (reference §5.5) --------------------------------- */

static void test_eks_cluster_autoscaler(void **state)
{
    (void)state;
    cluster_config cfg = cluster_config_defaults(ECSIM_PLATFORM_EKS);
    assert_true(cfg.evaluation_interval_s == 10);
    assert_true(cfg.scale_down_unneeded_s == 600);
    assert_true(cfg.scale_down_delay_after_add_s == 600);
    assert_false(cfg.use_warmup);
    assert_string_equal(cfg.scaler_name, "cluster autoscaler");
    cluster_config ecs = cluster_config_defaults(ECSIM_PLATFORM_EC2);
    assert_true(ecs.evaluation_interval_s == 60);
    assert_int_equal(ecs.alarm_high_datapoints, 1);
    assert_int_equal(ecs.alarm_low_datapoints, 15);

    ecsim_cluster_spec s = base_spec();
    s.instances = 2;
    fx *f = fx_new(&s, ECSIM_PLATFORM_EKS, 3, 1, NULL);
    assert_int_equal(cluster_place(f->c, 2, 1, NULL), 1);
    assert_int_equal(cluster_place(f->c, 2, 1, NULL), 2);
    cluster_set_pending(f->c, 1, 2, 1);
    /* First scan at 10 s: one node; scans at 20 ... 60 s count it as
     * upcoming and launch nothing more; it registers at 70 s. */
    ecsim_engine_run(f->eng, 10);
    assert_int_equal(counts(f).booting, 1);
    assert_true(logged(f, "cluster autoscaler: 1 unschedulable pod (3 nodes needed, 2 ready, 0 "
                          "upcoming): scale-up: launching 1 node (m5.large)"));
    ecsim_engine_run(f->eng, 69);
    assert_int_equal(counts(f).launched_total, 3);
    ecsim_engine_run(f->eng, 70);
    assert_int_equal(f->capacity_calls, 1);
    assert_true(f->capacity_at[0] == 70.0);
    assert_int_equal(cluster_place(f->c, 2, 1, NULL), 3);
    cluster_set_pending(f->c, 0, 0, 0);
    /* Node 2 empties at 100 s. Removal needs 600 s empty (-> 700 s) and
     * 600 s since the scale-up at 10 s (-> 610 s): first scan >= 700 s. */
    ecsim_engine_run(f->eng, 100);
    cluster_release(f->c, 2, 2, 1);
    ecsim_engine_run(f->eng, 699);
    assert_int_equal(counts(f).terminated_total, 0);
    ecsim_engine_run(f->eng, 700);
    assert_int_equal(counts(f).terminated_total, 1);
    assert_int_equal(cluster_instance_get(f->c, 2)->state, CLUSTER_INSTANCE_TERMINATED);
    assert_true(logged(f, "cluster autoscaler: scale-down: empty for scale-down-unneeded-time 600 s: "
                          "terminating 1 empty node: i-0002"));
    fx_free(f);
}

/* ---- determinism, lifetime ------------------------------------------------------------- */

static uint64_t play(uint64_t seed)
{
    ecsim_cluster_spec s = base_spec();
    s.instances = 3;
    s.boot_time_p95_s = 240;
    s.placement = ECSIM_PLACEMENT_RANDOM;
    s.managed_scaling.warmup_s = 120;
    fx *f = fx_new(&s, ECSIM_PLATFORM_EC2, 3, seed, NULL);
    cluster_task_ref t[64];
    int nt = 0;
    for (int step = 0; step < 40; step++) {
        ecsim_engine_run(f->eng, 90.0 * step);
        int want = step < 20 ? step : 40 - step;
        int pending = 0;
        while (nt < want) {
            int id = cluster_place(f->c, 0.5, 2, NULL);
            if (id < 0) {
                pending = want - nt;
                break;
            }
            t[nt] = (cluster_task_ref){nt, id, 0.5, 2};
            nt++;
        }
        while (nt > want) {
            int v = cluster_choose_victim(f->c, t, nt);
            cluster_release(f->c, t[v].instance_id, 0.5, 2);
            t[v] = t[--nt];
        }
        cluster_set_pending(f->c, pending, 0.5, 2);
        if (step == 25)
            cluster_fail_instances(f->c, 1, NULL);
    }
    ecsim_engine_run(f->eng, 7200);
    uint64_t h = f->log_hash ^ (uint64_t)cluster_instance_count(f->c);
    for (int id = 1; id <= cluster_instance_count(f->c); id++) {
        const cluster_instance *in = cluster_instance_get(f->c, id);
        double v[2] = {in->launched_s, in->registered_s};
        uint64_t bits[2];
        memcpy(bits, v, sizeof bits);
        h = (h ^ bits[0]) * 1099511628211ULL;
        h = (h ^ bits[1]) * 1099511628211ULL;
    }
    assert_true(f->log_n > 3);
    fx_free(f);
    return h;
}

static void test_determinism(void **state)
{
    (void)state;
    assert_true(play(11) == play(11));
    assert_true(play(11) != play(12));
}

static void test_destroy_cancels_events_and_oom(void **state)
{
    (void)state;
    ecsim_cluster_spec s = base_spec();
    s.instances = 1;
    ecsim_engine *eng = ecsim_engine_create();
    assert_non_null(eng);
    size_t before = ecsim_engine_pending(eng);
    sim_cluster *c = cluster_create(&s, ECSIM_PLATFORM_EC2, 2, 1, eng, NULL, NULL, NULL);
    assert_non_null(c);
    cluster_place(c, 2, 1, NULL);
    cluster_set_pending(c, 4, 2, 1);
    ecsim_engine_run(eng, 60);              /* boot events pending, no callbacks set */
    assert_int_equal(cluster_az_outage(c, 1, 100), 0);
    assert_true(ecsim_engine_pending(eng) > before);
    cluster_destroy(c);
    assert_int_equal(ecsim_engine_pending(eng), before);
    ecsim_engine_run(eng, 10000);           /* nothing fires on freed memory */
    cluster_destroy(NULL);

    /* Invalid arguments. */
    assert_null(cluster_create(&s, ECSIM_PLATFORM_EC2, 0, 1, eng, NULL, NULL, NULL));
    assert_null(cluster_create(NULL, ECSIM_PLATFORM_EC2, 2, 1, eng, NULL, NULL, NULL));

    /* Every allocation failure in the constructor cleans up. */
    long live = ecsim_alloc_live();
    int created = 0;
    for (long nth = 1; nth < 20 && !created; nth++) {
        ecsim_alloc_fail_after(nth);
        c = cluster_create(&s, ECSIM_PLATFORM_EC2, 2, 1, eng, NULL, NULL, NULL);
        ecsim_alloc_fail_after(0);
        if (c) {
            created = 1;
            cluster_destroy(c);
        }
        assert_int_equal(ecsim_alloc_live(), live);
    }
    assert_true(created);
    ecsim_engine_destroy(eng);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_binpack_fills_one_instance_first),
        cmocka_unit_test(test_spread_balances_zones_then_instances),
        cmocka_unit_test(test_random_placement_only_where_it_fits),
        cmocka_unit_test(test_pending_until_instance_registers),
        cmocka_unit_test(test_reservation_values),
        cmocka_unit_test(test_empty_cluster_scales_out_to_two),
        cmocka_unit_test(test_step_sizes),
        cmocka_unit_test(test_warmup_blocks_second_scale_out),
        cmocka_unit_test(test_scale_in_after_fifteen_low_datapoints),
        cmocka_unit_test(test_a_high_datapoint_resets_the_low_alarm),
        cmocka_unit_test(test_max_instances_cap),
        cmocka_unit_test(test_boot_time_lognormal_median_and_p95),
        cmocka_unit_test(test_placement_matches_linear_scan),
        cmocka_unit_test(test_instance_failure),
        cmocka_unit_test(test_az_outage),
        cmocka_unit_test(test_choose_victims),
        cmocka_unit_test(test_victims_match_linear_scan),
        cmocka_unit_test(test_eks_cluster_autoscaler),
        cmocka_unit_test(test_determinism),
        cmocka_unit_test(test_destroy_cancels_events_and_oom),
    };
    return cmocka_run_group_tests_name("cluster", tests, NULL, NULL);
}
