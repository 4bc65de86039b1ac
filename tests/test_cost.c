/* Tests of the cost model (include/ecsim/cost.h): Fargate per-second
 * billing with the one-minute minimum, Spot, EC2 instance-hours, ECR
 * storage, against the reference's §6 figures. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "ecsim/cost.h"
#include "ecsim/error.h"

static ecsim_pricing_spec us_east_1(void)
{
    ecsim_pricing_spec p = {.fargate_vcpu_hour = 0.04048,
                            .fargate_gb_hour = 0.004445,
                            .instance_hour = 0.096,
                            .registry_gb_month = 0.10,
                            .spot_discount = 0.70};
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
    };
    return cmocka_run_group_tests_name("cost", tests, NULL, NULL);
}
