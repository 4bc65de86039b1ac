/* Tests of the cost model (include/ecsim/cost.h): Fargate per-second
 * billing with the one-minute minimum, Spot, EC2 instance-hours, ECR
 * storage, against the reference's §6 figures. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "ecsim/cost.h"
#include "ecsim/error.h"
#include "input/instance_type.h"

static ecsim_pricing_spec us_east_1(void)
{
    ecsim_pricing_spec p = {.fargate_vcpu_hour = 0.04048,
                            .fargate_gb_hour = 0.004445,
                            .instance_hour = 0.096,
                            .registry_gb_month = 0.10,
                            .spot_discount = 0.70,
                            .eks_cluster_hour = 0.10};
    return p;
}

static void assert_near(double got, double want, double tol)
{
    if (fabs(got - want) > tol)
        fail_msg("got %.12f, want %.12f (tolerance %g)", got, want, tol);
}

/* Reference §6 sanity example: 1 vCPU / 2 GB for 730 h = 730 x (0.04048 +
 * 2 x 0.004445) = $36.0401. */
static void test_sanity_example(void **state)
{
    (void)state;
    ecsim_pricing_spec p = us_east_1();
    double usd = ecsim_cost_fargate_task_usd(&p, 1.0, 2.0, 0.0, 730.0 * 3600.0, false);
    assert_near(usd, 36.0401, 1e-9);
    ecsim_cost c;
    ecsim_cost_init(&c);
    assert_int_equal(ecsim_cost_add_fargate_task(&c, &p, 1.0, 2.0, 0.0, 730.0 * 3600.0, false),
                     0);
    assert_near(c.vcpu_hours, 730.0, 1e-9);
    assert_near(c.gb_hours, 1460.0, 1e-9);
    assert_near(c.fargate_usd, 36.0401, 1e-9);
    assert_near(c.total_usd, 36.0401, 1e-9);
    assert_int_equal(c.tasks, 1);
}

/* A 10 s task is billed 60 s (one-minute minimum). */
static void test_one_minute_minimum(void **state)
{
    (void)state;
    ecsim_pricing_spec p = us_east_1();
    assert_near(ecsim_cost_billed_seconds(100.0, 110.0), 60.0, 0);
    assert_near(ecsim_cost_billed_seconds(0.0, 0.0), 60.0, 0);
    assert_near(ecsim_cost_billed_seconds(0.0, 60.0), 60.0, 0);
    double usd = ecsim_cost_fargate_task_usd(&p, 0.5, 1.0, 100.0, 110.0, false);
    assert_near(usd, 60.0 / 3600.0 * (0.5 * 0.04048 + 1.0 * 0.004445), 1e-15);
    ecsim_cost c;
    ecsim_cost_init(&c);
    assert_int_equal(ecsim_cost_add_fargate_task(&c, &p, 0.5, 1.0, 100.0, 110.0, false), 0);
    assert_near(c.vcpu_hours, 0.5 * 60.0 / 3600.0, 1e-15);
    assert_near(c.gb_hours, 1.0 * 60.0 / 3600.0, 1e-15);
}

/* Per second, rounded up to the next whole second beyond the minimum. */
static void test_per_second_rounding(void **state)
{
    (void)state;
    assert_near(ecsim_cost_billed_seconds(0.0, 61.2), 62.0, 0);
    assert_near(ecsim_cost_billed_seconds(0.0, 61.0), 61.0, 0);
    assert_near(ecsim_cost_billed_seconds(10.5, 100.5), 90.0, 0);
    assert_near(ecsim_cost_billed_seconds(0.0, 3600.0), 3600.0, 0);
    /* invalid intervals bill nothing */
    assert_near(ecsim_cost_billed_seconds(5.0, 4.0), 0.0, 0);
    assert_near(ecsim_cost_billed_seconds(0.0, NAN), 0.0, 0);
    assert_near(ecsim_cost_billed_seconds(-INFINITY, 0.0), 0.0, 0);
}

/* Fargate Spot: the discount applies to the price, not to the usage. */
static void test_spot_discount(void **state)
{
    (void)state;
    ecsim_pricing_spec p = us_east_1();
    double on_demand = ecsim_cost_fargate_task_usd(&p, 1.0, 2.0, 0.0, 3600.0, false);
    double spot = ecsim_cost_fargate_task_usd(&p, 1.0, 2.0, 0.0, 3600.0, true);
    assert_near(on_demand, 0.04937, 1e-12);
    assert_near(spot, 0.04937 * 0.30, 1e-12);
    ecsim_cost c;
    ecsim_cost_init(&c);
    assert_int_equal(ecsim_cost_add_fargate_task(&c, &p, 1.0, 2.0, 0.0, 3600.0, true), 0);
    assert_near(c.vcpu_hours, 1.0, 1e-12);
    assert_near(c.fargate_usd, 0.04937 * 0.30, 1e-12);
}

/* EC2: per second with a 60 s minimum; m5.large 730 h = $70.08 (§6). */
static void test_instance_hours(void **state)
{
    (void)state;
    ecsim_pricing_spec p = us_east_1();
    assert_near(ecsim_cost_instance_usd(&p, 0.0, 730.0 * 3600.0), 70.08, 1e-9);
    assert_near(ecsim_cost_instance_usd(&p, 0.0, 30.0), 60.0 / 3600.0 * 0.096, 1e-15);
    ecsim_cost c;
    ecsim_cost_init(&c);
    assert_int_equal(ecsim_cost_add_instance(&c, &p, 0.0, 7200.0), 0);
    assert_int_equal(ecsim_cost_add_instance(&c, &p, 100.0, 110.0), 0);
    assert_near(c.instance_hours, 2.0 + 60.0 / 3600.0, 1e-12);
    assert_near(c.ec2_usd, (2.0 + 60.0 / 3600.0) * 0.096, 1e-12);
    assert_near(c.compute_usd, c.ec2_usd, 0);
    assert_int_equal(c.instances, 2);
}

/* ECR: GB-month prorated over the time stored, no minimum. */
static void test_registry_storage(void **state)
{
    (void)state;
    ecsim_pricing_spec p = us_east_1();
    /* 250 MB for a whole 730 h month: 250/1024 GB x $0.10 */
    assert_near(ecsim_cost_registry_usd(&p, 250.0, 0.0, 730.0 * 3600.0), 250.0 / 1024.0 * 0.10,
                1e-15);
    /* 1 GB for 73 h: a tenth of a month */
    assert_near(ecsim_cost_registry_usd(&p, 1024.0, 0.0, 73.0 * 3600.0), 0.01, 1e-15);
    ecsim_cost c;
    ecsim_cost_init(&c);
    assert_int_equal(ecsim_cost_add_registry(&c, &p, 1024.0, 0.0, 73.0 * 3600.0), 0);
    assert_near(c.registry_gb_months, 0.1, 1e-15);
    assert_near(c.registry_usd, 0.01, 1e-15);
    assert_near(c.total_usd, 0.01, 1e-15);
}

/* Totals add up; invalid inputs are rejected and leave the sums alone. */
static void test_accumulation_and_errors(void **state)
{
    (void)state;
    ecsim_pricing_spec p = us_east_1();
    ecsim_cost c;
    ecsim_cost_init(&c);
    assert_int_equal(ecsim_cost_add_fargate_task(&c, &p, 0.5, 1.0, 0.0, 3600.0, false), 0);
    assert_int_equal(ecsim_cost_add_fargate_task(&c, &p, 0.5, 1.0, 1800.0, 3600.0, false), 0);
    assert_int_equal(ecsim_cost_add_instance(&c, &p, 0.0, 3600.0), 0);
    assert_int_equal(ecsim_cost_add_registry(&c, &p, 1024.0, 0.0, 73.0 * 3600.0), 0);
    assert_near(c.vcpu_hours, 0.75, 1e-12);
    assert_near(c.gb_hours, 1.5, 1e-12);
    double fargate = 1.5 * (0.5 * 0.04048 + 0.004445);
    assert_near(c.fargate_usd, fargate, 1e-12);
    assert_near(c.compute_usd, fargate + 0.096, 1e-12);
    assert_near(c.total_usd, fargate + 0.096 + 0.01, 1e-12);

    ecsim_cost before = c;
    assert_int_equal(ecsim_cost_add_fargate_task(&c, &p, 1, 2, 10.0, 5.0, false), ECSIM_EINVAL);
    assert_int_equal(ecsim_cost_add_fargate_task(&c, &p, -1, 2, 0.0, 5.0, false), ECSIM_EINVAL);
    assert_int_equal(ecsim_cost_add_fargate_task(&c, &p, 1, NAN, 0.0, 5.0, false), ECSIM_EINVAL);
    assert_int_equal(ecsim_cost_add_instance(&c, &p, 0.0, INFINITY), ECSIM_EINVAL);
    assert_int_equal(ecsim_cost_add_registry(&c, &p, -5.0, 0.0, 10.0), ECSIM_EINVAL);
    assert_memory_equal(&before, &c, sizeof c);
}

/* The instance-type table against every row reference §6 quotes, and
 * sizes scaled within a family: c7g.16xlarge = 32 x c7g.large's $0.0725 =
 * $2.32, 64 vCPU / 128 GiB; one hour of it costs 2.32 / 0.096 = 24.1667
 * hours of m5.large. */
static void test_instance_types(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        double vcpu, gb, usd;
    } ref[] = {
        {"m5.large", 2, 8, 0.096},   {"m5.xlarge", 4, 16, 0.192}, {"m5.2xlarge", 8, 32, 0.384},
        {"m6i.large", 2, 8, 0.096},  {"c5.large", 2, 4, 0.085},   {"c5.xlarge", 4, 8, 0.17},
        {"r5.large", 2, 16, 0.126},  {"m6g.large", 2, 8, 0.077},  {"c6g.large", 2, 4, 0.068},
        {"c7g.large", 2, 4, 0.0725}, {"t3.medium", 2, 4, 0.0416}, {"t3.large", 2, 8, 0.0832},
        {"c7g.16xlarge", 64, 128, 2.32},
    };
    for (size_t i = 0; i < sizeof ref / sizeof ref[0]; i++) {
        const instance_type *t = instance_type_find(ref[i].name);
        if (!t)
            fail_msg("%s missing", ref[i].name);
        assert_near(t->vcpu, ref[i].vcpu, 0);
        assert_near(t->memory_gb, ref[i].gb, 0);
        assert_near(t->hour_usd, ref[i].usd, 1e-12);
    }
    /* the families the issue names, in several sizes */
    static const char *const more[] = {"m7g.large", "c6i.xlarge", "r6i.2xlarge", "t3.xlarge",
                                       "m6i.4xlarge", "r5.16xlarge"};
    for (size_t i = 0; i < sizeof more / sizeof more[0]; i++)
        assert_non_null(instance_type_find(more[i]));
    assert_null(instance_type_find("m5.huge"));
    assert_null(instance_type_find("M5.large")); /* AWS spells them lower case */
    assert_int_equal(instance_type_count(), 9 * 7 + 4 + 4); /* 9 families to 16xlarge, c5, t3 */

    ecsim_pricing_spec m5 = us_east_1(), c7g = us_east_1();
    c7g.instance_hour = instance_type_find("c7g.16xlarge")->hour_usd;
    double a = ecsim_cost_instance_usd(&m5, 0, 3600), b = ecsim_cost_instance_usd(&c7g, 0, 3600);
    assert_near(a, 0.096, 1e-15);
    assert_near(b, 2.32, 1e-12);
    assert_near(b / a, 24.1666666667, 1e-9);

    char buf[256];
    assert_int_equal(instance_type_suggest("c7g.16xlarg", buf, sizeof buf), 3);
    assert_string_equal(buf, "`c7g.16xlarge`, `m7g.16xlarge` or `c6g.16xlarge`");
    assert_int_equal(instance_type_suggest("m5.superlarge", buf, sizeof buf), 3);
    assert_non_null(strstr(buf, "`m5.large`"));
    assert_int_equal(instance_type_suggest("zz9.plural", buf, sizeof buf), 0);
    assert_string_equal(buf, "");
}

/* The EKS control plane: $0.10 per cluster-hour, prorated (§6 [P5]): a
 * 3 h run pays $0.30, 90 min $0.15; total = compute + control plane +
 * registry. */
static void test_control_plane(void **state)
{
    (void)state;
    ecsim_pricing_spec p = us_east_1();
    assert_near(ecsim_cost_control_plane_usd(&p, 0, 3 * 3600.0), 0.30, 1e-12);
    assert_near(ecsim_cost_control_plane_usd(&p, 0, 5400.0), 0.15, 1e-12);
    assert_near(ecsim_cost_control_plane_usd(&p, 10.0, 5.0), 0.0, 0);
    ecsim_cost c;
    ecsim_cost_init(&c);
    assert_int_equal(ecsim_cost_add_instance(&c, &p, 0.0, 3 * 3600.0), 0);     /* $0.288 */
    assert_int_equal(ecsim_cost_add_control_plane(&c, &p, 0.0, 3 * 3600.0), 0); /* $0.30 */
    assert_int_equal(ecsim_cost_add_registry(&c, &p, 1024.0, 0.0, 73.0 * 3600.0), 0); /* $0.01 */
    assert_near(c.control_plane_hours, 3.0, 1e-12);
    assert_near(c.control_plane_usd, 0.30, 1e-12);
    assert_near(c.compute_usd, 0.288, 1e-12);
    assert_near(c.total_usd, 0.288 + 0.30 + 0.01, 1e-12);
    ecsim_cost before = c;
    assert_int_equal(ecsim_cost_add_control_plane(&c, &p, 0.0, NAN), ECSIM_EINVAL);
    assert_memory_equal(&before, &c, sizeof c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sanity_example),
        cmocka_unit_test(test_one_minute_minimum),
        cmocka_unit_test(test_per_second_rounding),
        cmocka_unit_test(test_spot_discount),
        cmocka_unit_test(test_instance_hours),
        cmocka_unit_test(test_registry_storage),
        cmocka_unit_test(test_accumulation_and_errors),
        cmocka_unit_test(test_instance_types),
        cmocka_unit_test(test_control_plane),
    };
    return cmocka_run_group_tests_name("cost", tests, NULL, NULL);
}
