/* The cost model (include/ecsim/cost.h): per-second billing with a
 * one-minute minimum for Fargate tasks and EC2 instances, prorated ECR
 * storage (reference §6). Pure arithmetic on intervals: the simulation
 * decides when a task's billing starts (image download) and stops. */
#include "ecsim/cost.h"

#include <math.h>

#include "ecsim/error.h"

void ecsim_cost_init(ecsim_cost *c) { *c = (ecsim_cost){0}; }

static bool interval_ok(double start_s, double stop_s)
{
    return isfinite(start_s) && isfinite(stop_s) && stop_s >= start_s;
}

double ecsim_cost_billed_seconds(double start_s, double stop_s)
{
    if (!interval_ok(start_s, stop_s))
        return 0.0;
    /* Reference §6 [P1][P2][P4]: per second, rounded up, 1-minute minimum.
     * The tiny slack keeps 10.000000001 s (rounding noise of a simulated
     * clock) from being billed as 11 s. */
    double billed = ceil(stop_s - start_s - 1e-9);
    return billed > ECSIM_BILLING_MINIMUM_S ? billed : ECSIM_BILLING_MINIMUM_S;
}

static double fargate_rate_per_hour(const ecsim_pricing_spec *p, double vcpu, double memory_gb,
                                    bool spot)
{
    double rate = vcpu * p->fargate_vcpu_hour + memory_gb * p->fargate_gb_hour;
    return spot ? rate * (1.0 - p->spot_discount) : rate; /* Spot: up to 70 % off (§6) */
}

double ecsim_cost_fargate_task_usd(const ecsim_pricing_spec *p, double vcpu, double memory_gb,
                                   double pull_start_s, double stop_s, bool spot)
{
    double hours = ecsim_cost_billed_seconds(pull_start_s, stop_s) / 3600.0;
    return hours * fargate_rate_per_hour(p, vcpu, memory_gb, spot);
}

double ecsim_cost_instance_usd(const ecsim_pricing_spec *p, double start_s, double stop_s)
{
    return ecsim_cost_billed_seconds(start_s, stop_s) / 3600.0 * p->instance_hour;
}

static double registry_gb_months(double size_mb, double from_s, double to_s)
{
    if (!interval_ok(from_s, to_s) || !isfinite(size_mb) || size_mb < 0)
        return 0.0;
    return size_mb / 1024.0 * ((to_s - from_s) / 3600.0 / ECSIM_HOURS_PER_MONTH);
}

double ecsim_cost_registry_usd(const ecsim_pricing_spec *p, double size_mb, double from_s,
                               double to_s)
{
    return registry_gb_months(size_mb, from_s, to_s) * p->registry_gb_month;
}

static void update_totals(ecsim_cost *c)
{
    c->compute_usd = c->fargate_usd + c->ec2_usd;
    c->total_usd = c->compute_usd + c->control_plane_usd + c->registry_usd;
}

int ecsim_cost_add_fargate_task(ecsim_cost *c, const ecsim_pricing_spec *p, double vcpu,
                                double memory_gb, double pull_start_s, double stop_s, bool spot)
{
    if (!interval_ok(pull_start_s, stop_s) || !isfinite(vcpu) || vcpu < 0 || !isfinite(memory_gb) ||
        memory_gb < 0)
        return ECSIM_EINVAL;
    double hours = ecsim_cost_billed_seconds(pull_start_s, stop_s) / 3600.0;
    c->vcpu_hours += vcpu * hours;
    c->gb_hours += memory_gb * hours;
    c->fargate_usd += hours * fargate_rate_per_hour(p, vcpu, memory_gb, spot);
    c->tasks++;
    update_totals(c);
    return 0;
}

int ecsim_cost_add_instance(ecsim_cost *c, const ecsim_pricing_spec *p, double start_s,
                            double stop_s)
{
    if (!interval_ok(start_s, stop_s))
        return ECSIM_EINVAL;
    double hours = ecsim_cost_billed_seconds(start_s, stop_s) / 3600.0;
    c->instance_hours += hours;
    c->ec2_usd += hours * p->instance_hour;
    c->instances++;
    update_totals(c);
    return 0;
}

double ecsim_cost_control_plane_usd(const ecsim_pricing_spec *p, double from_s, double to_s)
{
    if (!interval_ok(from_s, to_s))
        return 0.0;
    return (to_s - from_s) / 3600.0 * p->eks_cluster_hour; /* $0.10 per cluster-hour ([P5]) */
}

int ecsim_cost_add_control_plane(ecsim_cost *c, const ecsim_pricing_spec *p, double from_s,
                                 double to_s)
{
    if (!interval_ok(from_s, to_s))
        return ECSIM_EINVAL;
    c->control_plane_hours += (to_s - from_s) / 3600.0;
    c->control_plane_usd += ecsim_cost_control_plane_usd(p, from_s, to_s);
    update_totals(c);
    return 0;
}

int ecsim_cost_add_registry(ecsim_cost *c, const ecsim_pricing_spec *p, double size_mb,
                            double from_s, double to_s)
{
    if (!interval_ok(from_s, to_s) || !isfinite(size_mb) || size_mb < 0)
        return ECSIM_EINVAL;
    double gbm = registry_gb_months(size_mb, from_s, to_s);
    c->registry_gb_months += gbm;
    c->registry_usd += gbm * p->registry_gb_month;
    update_totals(c);
    return 0;
}

/* The Fargate configurations (reference §5.5b), by vCPU: memory from
 * min_gb to max_gb in step_gb steps (0.25 vCPU: 0.5, 1, 2 GB). */
static const struct {
    double vcpu, min_gb, max_gb, step_gb;
} fargate_sizes[] = {
    {0.25, 0.5, 0.5, 1}, {0.25, 1, 2, 1}, {0.5, 1, 4, 1},    {1, 2, 8, 1},
    {2, 4, 16, 1},       {4, 8, 30, 1},   {8, 16, 60, 4},    {16, 32, 120, 8},
};

int ecsim_cost_fargate_pod_size(double vcpu, double memory_gb, double *vcpu_out, double *memory_gb_out)
{
    if (!isfinite(vcpu) || !isfinite(memory_gb) || vcpu < 0 || memory_gb < 0)
        return ECSIM_EINVAL;
    if (vcpu == 0 && memory_gb == 0) {
        vcpu = 0.25; /* no request: the smallest pod */
        memory_gb = 0.5 - ECSIM_FARGATE_K8S_OVERHEAD_GB;
    }
    double need_gb = memory_gb + ECSIM_FARGATE_K8S_OVERHEAD_GB;
    const double eps = 1e-9;
    for (size_t i = 0; i < sizeof fargate_sizes / sizeof fargate_sizes[0]; i++) {
        if (fargate_sizes[i].vcpu + eps < vcpu || fargate_sizes[i].max_gb + eps < need_gb)
            continue;
        double gb = fargate_sizes[i].min_gb;
        if (need_gb > gb + eps)
            gb += ceil((need_gb - gb) / fargate_sizes[i].step_gb - eps) * fargate_sizes[i].step_gb;
        *vcpu_out = fargate_sizes[i].vcpu;
        *memory_gb_out = gb;
        return 0;
    }
    return ECSIM_EINVAL;
}
