/* The scenario schema (sim/input/schema.h): one row per YAML key of a scenario.
 *
 * The rows mirror include/ecsim/scenario.h member for member; the YAML key is
 * the member name without its `_s` unit suffix. Defaults are the ones written
 * in scenario.h, which come from ../shared/reference/aws-k8s-semantics.md;
 * the comment of each row cites the section where the reference gives the
 * number. Ranges are what AWS or Kubernetes accept where they say (cited in the
 * row's comment), else a physically meaningful range (bandwidths, image sizes,
 * capacity per task, noise): a scenario no AWS account could run is not valid,
 * and no value can drive a model time to infinity, a denormal or an integer
 * overflow (issue 10). Numbers are finite and never denormal (number_value);
 * a rate of requests is capped at RATE_MAX wherever it is given (profile,
 * trace, --set).
 *
 * Also here: the generic walks over the table (defaults, list free/clone),
 * key suggestions and the Markdown field reference. */
#include "schema.h"

#include <assert.h>
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ecsim/alloc.h"
#include "ecsim/error.h"
#include "ecsim/schema.h"
#include "ecsim/scenario.h"
#include "yaml_doc.h"

#define DUR_MAX 31622400.0 /* 366 days */
#define BIG 1e9
#define RATE_MAX ECSIM_RATE_MAX /* requests/s: profile, trace, --set */

/* Row builders. Every row names the C struct and member, so the offsets and
 * sizes cannot drift from scenario.h. */
#define ROWX(T, m, k, kd, lo, hi, fl, d, doc_, valid, req)                                   \
    {.key = k, .kind = kd, .offset = offsetof(T, m), .min = lo, .max = hi, .flags = fl,      \
     .def = d, .doc = doc_, .valid_for = valid, .required_for = req}
#define INT(T, m, k, lo, hi, d, dc) ROWX(T, m, k, SCHEMA_INT, lo, hi, 0, d, dc, 0, 0)
#define NUM(T, m, k, lo, hi, fl, d, dc) ROWX(T, m, k, SCHEMA_DOUBLE, lo, hi, fl, d, dc, 0, 0)
#define DUR(T, m, k, fl, d, dc) ROWX(T, m, k, SCHEMA_DURATION, 0, DUR_MAX, fl, d, dc, 0, 0)
#define BOOL(T, m, k, d, dc) ROWX(T, m, k, SCHEMA_BOOL, 0, 0, 0, d, dc, 0, 0)
#define STR(T, m, k, minlen, fl, d, dc)                                                     \
    {.key = k, .kind = SCHEMA_STRING, .offset = offsetof(T, m),                              \
     .size = sizeof(((T *)0)->m), .min = minlen, .flags = fl, .def = d, .doc = dc}
#define ENUM(T, m, k, names, d, dc)                                                         \
    {.key = k, .kind = SCHEMA_ENUM, .offset = offsetof(T, m), .enum_names = names, .def = d, \
     .doc = dc}
#define IOP(T, m, k, d, dc)                                                                 \
    {.key = k, .kind = SCHEMA_INT_OR_PERCENT, .offset = offsetof(T, m), .min = 0,           \
     .max = 10000, .def = d, .doc = dc}
#define SECTION(T, m, k, subsec, dc)                                                        \
    {.key = k, .kind = SCHEMA_SECTION, .offset = offsetof(T, m), .sub = &subsec, .doc = dc}
#define LIST(T, m, k, countm, E, subsec, dc)                                                \
    {.key = k, .kind = SCHEMA_LIST, .offset = offsetof(T, m), .size = sizeof(E),            \
     .count_offset = offsetof(T, countm), .sub = &subsec, .min = 0, .max = 100000, .doc = dc}
#define SEC(rows) {rows, sizeof rows / sizeof rows[0], -1, NULL, NULL}
/* Offset of a member of an anonymous nested struct relative to that struct. */
#define SUBOFF(T, s, m) (offsetof(T, s.m) - offsetof(T, s))

/* ---- enum names (index = C enum value) ---------------------------------------- */

static const char *const platform_names[] = {"fargate", "ec2", "eks", "eks_fargate", NULL};
static const char *const placement_names[] = {"binpack", "spread", "random", NULL};
static const char *const mode_names[] = {"fluid", "requests", NULL};
static const char *const dist_names[] = {"exponential", "deterministic", "lognormal",
                                         "uniform", "empirical", NULL};
static const char *const routing_names[] = {"shared_queue", "round_robin", "random",
                                            "least_outstanding", NULL};
static const char *const tt_basis_names[] = {"desired", "running", NULL};
static const char *const tt_value_names[] = {"latest", "alarm_average", NULL};
/* From the one list of policies (scenario.h ECSIM_POLICY_KINDS). */
#define POLICY_NAME_(kind, name) #name,
static const char *const policy_names[] = {ECSIM_POLICY_KINDS(POLICY_NAME_) NULL};
#undef POLICY_NAME_
static const char *const metric_names[] = {"cpu", "memory", "requests_per_target", NULL};
static const char *const action_names[] = {"deploy", "kill_tasks", "scale", "az_outage",
                                           "registry_outage", "fail_instances",
                                           "spot_interruption", NULL};
static const char *const defect_names[] = {"none", "crash", "unhealthy", NULL};
/* ECS_IMAGE_PULL_BEHAVIOR values as the agent spells them (reference §2.5b). */
static const char *const pull_behavior_names[] = {"default", "always", "once", "prefer-cached",
                                                  NULL};
/* imagePullPolicy IfNotPresent / Always / Never, in the schema's snake case
 * (reference §2.5b, §5.4). */
static const char *const pull_policy_names[] = {"if_not_present", "always", "never", NULL};

/* ---- image and registry ----------------------------------------------------------- */

static const schema_field image_rows[] = {
    STR(ecsim_image_spec, name, "name", 1, 0, "app", "repository name of the application image"),
    STR(ecsim_image_spec, tag, "tag", 1, 0, "1.0", "image tag built, pushed and deployed first"),
    /* 0.1 MB (a static binary on scratch) to 52,000 MB (ECR's largest layer). */
    NUM(ecsim_image_spec, size_mb, "size_mb", 0.1, 52000, 0, "250",
        "compressed image size in MB (drives push and pull times)"),
    ROWX(ecsim_image_spec, build_time_s, "build_time", SCHEMA_DURATION, 0, 86400, 0, "2m",
         "time of the docker build, at most a day", 0, 0),
};
static const schema_section image_sec = SEC(image_rows);

static const schema_field registry_rows[] = {
    BOOL(ecsim_registry_spec, push, "push", "true",
         "push the built image to ECR (false: deployments fail with CannotPullContainerError, reference §2.4)"),
    /* Bandwidths 0.1 MB/s (a slow NAT path) to 10,000 MB/s (80 Gbit/s, above any
     * task's network: reference §2.5). */
    NUM(ecsim_registry_spec, push_mb_per_s, "push_mb_per_s", 0.1, 10000, 0, "10",
        "upload bandwidth to the registry, MB/s"),
    NUM(ecsim_registry_spec, pull_mb_per_s, "pull_mb_per_s", 0.1, 10000, 0, "10",
        "download bandwidth per task, MB/s (250 MB in 25 s: reference §2.5)"),
    BOOL(ecsim_registry_spec, immutable_tags, "immutable_tags", "false",
         "repository tag immutability: pushing an existing tag fails (reference §4)"),
};
static const schema_section registry_sec = SEC(registry_rows);

/* ---- service ------------------------------------------------------------------------ */

static const schema_field task_rows[] = {
    /* Task size: 0.125 vCPU (128 CPU units, the smallest EC2 task) to 16 vCPU and
     * 0.125 to 120 GB (the largest Fargate task, reference §5.5b); on fargate
     * only the Fargate combinations (loader.c, reference §5.5b). */
    NUM(ecsim_task_spec, vcpu, "vcpu", 0.125, 16, 0, "0.5", "vCPU reserved per task"),
    NUM(ecsim_task_spec, memory_gb, "memory_gb", 0.125, 120, 0, "1",
        "memory reserved per task, GB"),
    /* Lifecycle phases take seconds to minutes (reference §2.3, §2.5): an hour
     * is far beyond any observed one. stopTimeout: at most 120 s on Fargate
     * (loader.c), ECS_CONTAINER_STOP_TIMEOUT on EC2 (reference §2.1). */
    ROWX(ecsim_task_spec, provisioning_time_s, "provisioning_time", SCHEMA_DURATION, 0, 3600, 0,
         "6s", "PROVISIONING: capacity and ENI attach (reference §2.3)", 0, 0),
    ROWX(ecsim_task_spec, start_time_s, "start_time", SCHEMA_DURATION, 0, 3600, 0, "10s",
         "container start after the image pull", 0, 0),
    ROWX(ecsim_task_spec, activating_time_s, "activating_time", SCHEMA_DURATION, 0, 3600, 0, "2s",
         "ACTIVATING: service discovery and target registrations (reference §2.3)", 0, 0),
    ROWX(ecsim_task_spec, stop_timeout_s, "stop_timeout", SCHEMA_DURATION, 0, 3600, 0, "30s",
         "STOPPING: SIGTERM to SIGKILL; at most 2m on fargate (reference §2.1)", 0, 0),
    /* 0.01 (a 100 s request) to 1,000,000 requests/s per task. */
    NUM(ecsim_task_spec, capacity_rps, "capacity_rps", 0.01, 1e6, 0, "100",
        "requests per second one task serves at 100 % CPU"),
    DUR(ecsim_task_spec, health_check_grace_s, "health_check_grace", 0, "0s",
        "healthCheckGracePeriodSeconds (reference §2.1)"),
    NUM(ecsim_task_spec, cpu_idle_pct, "cpu_idle_pct", 0, 100, 0, "2", "CPU % at zero load"),
    NUM(ecsim_task_spec, memory_idle_pct, "memory_idle_pct", 0, 100, 0, "30",
        "memory % of the reservation at zero load"),
    NUM(ecsim_task_spec, memory_busy_pct, "memory_busy_pct", 0, 100, 0, "60",
        "memory % of the reservation at full load"),
    NUM(ecsim_task_spec, start_jitter_cv, "start_jitter_cv", 0, 5, 0, "0",
        "spread of task start: provisioning, pull and start times times a lognormal factor of "
        "mean 1 and this CV (reference §2.5 observations, §8 gap 4)"),
    ENUM(ecsim_task_spec, image_pull_policy, "image_pull_policy", pull_policy_names,
         "if_not_present",
         "eks: the container's imagePullPolicy: if_not_present uses the node's copy, always "
         "checks the registry every start (cached layers reused), never does not pull "
         "(ErrImageNeverPull without a copy) (reference §2.5b)"),
};
static const schema_section task_sec = SEC(task_rows);

static const schema_field lb_rows[] = {
    BOOL(ecsim_load_balancer_spec, enable, "enable", "false", "tasks sit behind an ALB target group"),
    /* ALB HealthCheckIntervalSeconds 5 to 300 (reference §2.1). */
    ROWX(ecsim_load_balancer_spec, health_check_interval_s, "health_check_interval",
         SCHEMA_DURATION, 5, 300, 0, "30s", "target group health check interval (reference §2.1)",
         0, 0),
    INT(ecsim_load_balancer_spec, healthy_threshold, "healthy_threshold", 2, 10, "5",
        "consecutive passes to become healthy (reference §2.1)"),
    INT(ecsim_load_balancer_spec, unhealthy_threshold, "unhealthy_threshold", 2, 10, "2",
        "consecutive failures to become unhealthy (reference §2.1)"),
    /* deregistration_delay.timeout_seconds 0 to 3600 (reference §2.1). */
    ROWX(ecsim_load_balancer_spec, deregistration_delay_s, "deregistration_delay",
         SCHEMA_DURATION, 0, 3600, 0, "300s",
         "connection draining before a target is removed (reference §2.1)", 0, 0),
};
static const schema_section lb_sec = SEC(lb_rows);

static const schema_field breaker_rows[] = {
    BOOL(ecsim_circuit_breaker_spec, enable, "enable", "false",
         "deployment circuit breaker (reference §2.2)"),
    BOOL(ecsim_circuit_breaker_spec, rollback, "rollback", "false",
         "roll back to the last completed deployment when the breaker trips"),
    INT(ecsim_circuit_breaker_spec, min_threshold, "min_threshold", 1, 200, "3",
        "lower clamp of the failure threshold (reference §2.2: 3 today, 10 historically)"),
    BOOL(ecsim_circuit_breaker_spec, skip_if_running, "skip_if_running", "false",
         "the documented caveat read literally: a deployment started while at least one task "
         "runs is not watched by the breaker (reference §2.2, §8 gap 3)"),
};
static const schema_section breaker_sec = SEC(breaker_rows);

static const schema_field deployment_rows[] = {
    NUM(ecsim_deployment_spec, min_healthy_percent, "min_healthy_percent", 0, 100, 0, "100",
        "minimumHealthyPercent (reference §2.1)"),
    NUM(ecsim_deployment_spec, max_percent, "max_percent", 100, 1000, 0, "200",
        "maximumPercent; at least 100 for the REPLICA scheduler (reference §2.1)"),
    SECTION(ecsim_deployment_spec, circuit_breaker, "circuit_breaker", breaker_sec,
            "deployment circuit breaker settings"),
    IOP(ecsim_deployment_spec, max_surge, "max_surge", "25%",
        "eks: Deployment maxSurge, a count or a percentage rounded up (reference §5.4)"),
    IOP(ecsim_deployment_spec, max_unavailable, "max_unavailable", "25%",
        "eks: Deployment maxUnavailable, a count or a percentage rounded down (reference §5.4)"),
    ROWX(ecsim_deployment_spec, progress_deadline_s, "progress_deadline", SCHEMA_DURATION, 1,
         DUR_MAX, 0, "600s",
        "eks: progressDeadlineSeconds (reference §5.4)", 0, 0),
};
static const schema_section deployment_sec = SEC(deployment_rows);

static const schema_field managed_rows[] = {
    BOOL(ecsim_managed_scaling_spec, enable, "enable", "true",
         "ECS managed scaling of the instances (reference §3.1)"),
    /* targetCapacity is an integer percent, 1 to 100 (reference §3.1). */
    NUM(ecsim_managed_scaling_spec, target_capacity, "target_capacity", 1, 100, 0, "100",
        "targetCapacity % (reference §3.1)"),
    INT(ecsim_managed_scaling_spec, min_step, "min_step", 1, 10000, "1",
        "minimumScalingStepSize (reference §3.1)"),
    INT(ecsim_managed_scaling_spec, max_step, "max_step", 1, 10000, "10000",
        "maximumScalingStepSize (reference §3.1)"),
    ROWX(ecsim_managed_scaling_spec, warmup_s, "warmup", SCHEMA_DURATION, 0, 10000, 0, "300s",
         "instanceWarmupPeriod, 0 to 10000 s (reference §3.1)", 0, 0),
    INT(ecsim_managed_scaling_spec, alarm_high_datapoints, "alarm_high_datapoints", 0, 1440, "0",
        "datapoints above target_capacity that scale out; 0 = 1 (reference §3.1, OBS)"),
    INT(ecsim_managed_scaling_spec, alarm_low_datapoints, "alarm_low_datapoints", 0, 1440, "0",
        "datapoints below target_capacity that scale in; 0 = 15 (reference §3.1)"),
    NUM(ecsim_managed_scaling_spec, scale_in_max_percent, "scale_in_max_percent", 0, 100, 0, "0",
        "at most this % of the instances removed per evaluation (at least 1); 0 = 50 "
        "(reference §8 gap 5, MODEL)"),
    ROWX(ecsim_managed_scaling_spec, replacement_delay_s, "replacement_delay", SCHEMA_DURATION, 0,
         86400, 0, "0s", "a failed instance is replaced after this; 0 = 60 s (MODEL)", 0, 0),
    ROWX(ecsim_managed_scaling_spec, scale_down_unneeded_s, "scale_down_unneeded", SCHEMA_DURATION,
         0, 86400, 0, "0s", "eks: a node empty this long is removed; 0 = 10m (reference §5.5)", 0,
         0),
    ROWX(ecsim_managed_scaling_spec, scale_down_delay_after_add_s, "scale_down_delay_after_add",
         SCHEMA_DURATION, 0, 86400, 0, "0s",
         "eks: no scale-down this soon after a scale-up; 0 = 10m (reference §5.5)", 0, 0),
};
static const schema_section managed_sec = SEC(managed_rows);

static const schema_field cluster_rows[] = {
    STR(ecsim_cluster_spec, instance_type, "instance_type", 1, 0, "m5.large",
        "EC2 instance type (ec2 / eks), one of the built-in table (reference §6): sets vcpu, "
        "memory_gb and pricing.instance_hour"),
    /* EC2 instance sizes: 1 vCPU / 0.5 GB (t3.nano-class) to 448 vCPU / 24 TB. */
    NUM(ecsim_cluster_spec, vcpu, "vcpu", 1, 448, 0, "2",
        "vCPU per instance; default the instance_type's, must match it when given"),
    NUM(ecsim_cluster_spec, memory_gb, "memory_gb", 0.5, 24576, 0, "8",
        "memory per instance, GB; default the instance_type's, must match it when given"),
    INT(ecsim_cluster_spec, instances, "instances", 0, 10000, "2", "instances at start"),
    INT(ecsim_cluster_spec, min_instances, "min_instances", 0, 10000, "0",
        "Auto Scaling group minimum"),
    INT(ecsim_cluster_spec, max_instances, "max_instances", 1, 10000, "10",
        "Auto Scaling group maximum, > 0 (reference §3.1)"),
    /* Boot times 1 s to 1 h: a lognormal needs a median > 0 (reference §3.3). */
    ROWX(ecsim_cluster_spec, boot_time_s, "boot_time", SCHEMA_DURATION, 1, 3600, 0, "60s",
        "median launch to registered (reference §3.3)", 0, 0),
    ROWX(ecsim_cluster_spec, boot_time_p95_s, "boot_time_p95", SCHEMA_DURATION, 1, 3600, 0,
         "180s",
        "95th percentile of the lognormal boot time (reference §3.3)", 0, 0),
    ENUM(ecsim_cluster_spec, placement, "placement", placement_names, "binpack",
         "task placement strategy (reference §3.2)"),
    SECTION(ecsim_cluster_spec, managed_scaling, "managed_scaling", managed_sec,
            "capacity provider managed scaling"),
    ENUM(ecsim_cluster_spec, image_pull_behavior, "image_pull_behavior", pull_behavior_names,
         "default",
         "ec2: the ECS agent's ECS_IMAGE_PULL_BEHAVIOR: default pulls again (a 1 s manifest "
         "check when cached) and uses the cached copy if the pull fails, always fails instead, "
         "once and prefer-cached skip the pull when the instance has the image (reference "
         "§2.5b)"),
};
static const schema_section cluster_sec = SEC(cluster_rows);

static const schema_field throttle_rows[] = {
    ROWX(ecsim_throttle_spec, initial_s, "initial", SCHEMA_DURATION, 1, 86400, 0, "10s",
        "first delay of the service throttle (reference §2.4 item 4, MODEL)", 0, 0),
    NUM(ecsim_throttle_spec, multiplier, "multiplier", 1, 10, 0, "2",
        "growth factor of the throttle delay"),
    ROWX(ecsim_throttle_spec, max_s, "max", SCHEMA_DURATION, 1, 86400, 0, "15m",
        "cap of the throttle delay (reference §2.4: up to 15 minutes)", 0, 0),
};
static const schema_section throttle_sec = SEC(throttle_rows);

static const schema_field launch_rows[] = {
    /* Launch rates: at least 1 task per bucket and 0.01 per second (a launch
     * every 100 s), at most 1,000,000 (reference §2.5 quotas are 100 / 20). */
    NUM(ecsim_launch_limits_spec, fargate_burst, "fargate_burst", 1, 1e6, 0, "100",
        "Fargate launch token bucket size (reference §2.5)"),
    NUM(ecsim_launch_limits_spec, fargate_rate_per_s, "fargate_rate_per_s", 0.01, 1e6, 0, "20", "Fargate sustained launches per second (reference §2.5)"),
    NUM(ecsim_launch_limits_spec, tasks_per_minute, "tasks_per_minute", 0, 1e6, 0, "0",
        "service scheduler launches per minute; 0 = 500 Fargate, 250 EC2, none on EKS (reference §2.5)"),
    NUM(ecsim_launch_limits_spec, vcpu_quota, "vcpu_quota", 0, 1e6, 0, "0",
        "Fargate vCPUs the account may run at once (service quota); 0 = no limit (reference §2.6)"),
};
static const schema_section launch_sec = SEC(launch_rows);

static const schema_field service_rows[] = {
    STR(ecsim_service_spec, name, "name", 1, SCHEMA_COMPUTED, "image.name", "ECS service name"),
    ENUM(ecsim_service_spec, platform, "platform", platform_names, "fargate",
         "ECS on Fargate, ECS on EC2, EKS on EC2 nodes, or EKS on Fargate"),
    ROWX(ecsim_service_spec, provision_time_s, "provision_time", SCHEMA_DURATION, 0, 3600, 0,
         "60s", "time to create the service, at most an hour", 0, 0),
    INT(ecsim_service_spec, desired, "desired", 0, 10000, "2", "initial desired task count"),
    INT(ecsim_service_spec, availability_zones, "availability_zones", 1, 10, "3",
        "availability zones the tasks spread over"),
    SECTION(ecsim_service_spec, task, "task", task_sec, "one task (pod): size, timings, capacity"),
    SECTION(ecsim_service_spec, load_balancer, "load_balancer", lb_sec, "ALB target group"),
    SECTION(ecsim_service_spec, deployment, "deployment", deployment_sec, "rolling deployments"),
    SECTION(ecsim_service_spec, cluster, "cluster", cluster_sec, "EC2 instances / EKS nodes"),
    SECTION(ecsim_service_spec, throttle, "throttle", throttle_sec,
            "service throttle for tasks that fail to start"),
    SECTION(ecsim_service_spec, launch_limits, "launch_limits", launch_sec, "task launch rates"),
};
static const schema_section service_sec = SEC(service_rows);

/* ---- load ----------------------------------------------------------------------------- */

static const schema_field sine_rows[] = {
    {.key = "mean", .kind = SCHEMA_DOUBLE, .offset = SUBOFF(ecsim_load_segment, sine, mean),
     .min = 0, .max = RATE_MAX, .def = "0", .doc = "mean rate, requests/s"},
    {.key = "amplitude", .kind = SCHEMA_DOUBLE,
     .offset = SUBOFF(ecsim_load_segment, sine, amplitude), .min = 0, .max = RATE_MAX, .def = "0",
     .doc = "amplitude, requests/s (at most the mean)"},
    {.key = "period", .kind = SCHEMA_DURATION,
     .offset = SUBOFF(ecsim_load_segment, sine, period_s), .min = 1, .max = DUR_MAX,
     .def = "1h", .doc = "period of the sine"},
    {.key = "phase", .kind = SCHEMA_DURATION, .offset = SUBOFF(ecsim_load_segment, sine, phase_s),
     .min = 0, .max = DUR_MAX, .def = "0s", .doc = "phase shift"},
};
static const schema_section sine_sec = SEC(sine_rows);

static const schema_field diurnal_rows[] = {
    {.key = "min", .kind = SCHEMA_DOUBLE, .offset = SUBOFF(ecsim_load_segment, diurnal, min),
     .min = 0, .max = RATE_MAX, .def = "0", .doc = "rate at the trough, requests/s"},
    {.key = "max", .kind = SCHEMA_DOUBLE, .offset = SUBOFF(ecsim_load_segment, diurnal, max),
     .min = 0, .max = RATE_MAX, .def = "0", .doc = "rate at the peak, requests/s"},
    {.key = "peak_at", .kind = SCHEMA_DURATION,
     .offset = SUBOFF(ecsim_load_segment, diurnal, peak_at_s), .min = 0, .max = 86400,
     .def = "14h", .doc = "time of day of the peak (24 h cosine)"},
};
static const schema_section diurnal_sec = SEC(diurnal_rows);

static const schema_field spike_rows[] = {
    {.key = "base", .kind = SCHEMA_DOUBLE, .offset = SUBOFF(ecsim_load_segment, spike, base),
     .min = 0, .max = RATE_MAX, .def = "0", .doc = "rate outside the spike, requests/s"},
    {.key = "peak", .kind = SCHEMA_DOUBLE, .offset = SUBOFF(ecsim_load_segment, spike, peak),
     .min = 0, .max = RATE_MAX, .def = "0", .doc = "rate during the spike, requests/s"},
    {.key = "at", .kind = SCHEMA_DURATION, .offset = SUBOFF(ecsim_load_segment, spike, at_s),
     .min = 0, .max = DUR_MAX, .def = "0s", .doc = "start of the spike (absolute time)"},
    {.key = "duration", .kind = SCHEMA_DURATION,
     .offset = SUBOFF(ecsim_load_segment, spike, duration_s), .min = 0.001, .max = DUR_MAX,
     .def = "5m", .doc = "length of the spike"},
};
static const schema_section spike_sec = SEC(spike_rows);

static const schema_field step_rows[] = {
    {.key = "from", .kind = SCHEMA_DOUBLE, .offset = SUBOFF(ecsim_load_segment, step, from),
     .min = 0, .max = RATE_MAX, .def = "0", .doc = "rate before the step, requests/s"},
    {.key = "to", .kind = SCHEMA_DOUBLE, .offset = SUBOFF(ecsim_load_segment, step, to),
     .min = 0, .max = RATE_MAX, .def = "0", .doc = "rate after the step, requests/s"},
    {.key = "at", .kind = SCHEMA_DURATION, .offset = SUBOFF(ecsim_load_segment, step, at_s),
     .min = 0, .max = DUR_MAX, .def = "0s", .doc = "time of the step (absolute time)"},
};
static const schema_section step_sec = SEC(step_rows);

#define SHAPE_SECTION(k, m, subsec, sh, doc_)                                                \
    {.key = k, .kind = SCHEMA_SECTION, .offset = offsetof(ecsim_load_segment, m),           \
     .sub = &subsec, .shape = (sh) + 1, .doc = doc_}
static const schema_field segment_rows[] = {
    {.key = "until", .kind = SCHEMA_DURATION, .offset = offsetof(ecsim_load_segment, until_s),
     .min = 0.001, .max = DUR_MAX, .flags = SCHEMA_REQUIRED,
     .doc = "end of the segment (absolute time); strictly increasing"},
    {.key = "rps", .kind = SCHEMA_DOUBLE, .offset = offsetof(ecsim_load_segment, rps), .min = 0,
     .max = RATE_MAX, .shape = ECSIM_SHAPE_CONSTANT + 1, .doc = "shape: constant rate, requests/s"},
    {.key = "ramp_to", .kind = SCHEMA_DOUBLE, .offset = offsetof(ecsim_load_segment, ramp_to),
     .min = 0, .max = RATE_MAX, .shape = ECSIM_SHAPE_RAMP + 1,
     .doc = "shape: linear ramp from the previous level to this rate"},
    SHAPE_SECTION("sine", sine, sine_sec, ECSIM_SHAPE_SINE, "shape: sine wave"),
    SHAPE_SECTION("diurnal", diurnal, diurnal_sec, ECSIM_SHAPE_DIURNAL, "shape: daily cosine"),
    SHAPE_SECTION("spike", spike, spike_sec, ECSIM_SHAPE_SPIKE, "shape: a spike on a base rate"),
    SHAPE_SECTION("step", step, step_sec, ECSIM_SHAPE_STEP, "shape: one step change"),
};
static const schema_section segment_sec = {
    segment_rows, sizeof segment_rows / sizeof segment_rows[0],
    (long)offsetof(ecsim_load_segment, shape), "rps, ramp_to, sine, diurnal, spike or step", NULL};

static const schema_field noise_rows[] = {
    NUM(ecsim_noise_spec, cv, "cv", 0, 10, 0, "0", "multiplicative noise; 0 = none"),
    ROWX(ecsim_noise_spec, interval_s, "interval", SCHEMA_DURATION, 1, 86400, 0, "60s",
        "a new noise factor every interval", 0, 0),
};
static const schema_section noise_sec = SEC(noise_rows);

/* service_time is a YAML mapping whose fields live directly in
 * ecsim_requests_spec: the section sits at offset 0. */
static const schema_field service_time_rows[] = {
    ENUM(ecsim_requests_spec, dist, "dist", dist_names, "exponential",
         "service-time distribution"),
    ROWX(ecsim_requests_spec, mean_s, "mean", SCHEMA_DURATION, 0.0001, 3600, SCHEMA_COMPUTED,
         "concurrency / service.task.capacity_rps",
         "mean service time", 0, 0),
    NUM(ecsim_requests_spec, cv, "cv", 0, 10, SCHEMA_MIN_EXCL, "1",
        "lognormal coefficient of variation"),
    ROWX(ecsim_requests_spec, min_s, "min", SCHEMA_DURATION, 0, 3600, 0, "0s",
         "uniform lower bound", 0, 0),
    ROWX(ecsim_requests_spec, max_s, "max", SCHEMA_DURATION, 0, 3600, SCHEMA_COMPUTED,
         "2 x mean", "uniform upper bound", 0, 0),
    STR(ecsim_requests_spec, empirical_file, "file", 0, 0, "",
        "CSV of service times in seconds, for dist empirical"),
};
static const schema_section service_time_sec = SEC(service_time_rows);

static const schema_field requests_rows[] = {
    {.key = "service_time", .kind = SCHEMA_SECTION, .offset = 0, .sub = &service_time_sec,
     .doc = "service time of one request"},
    INT(ecsim_requests_spec, concurrency, "concurrency", 1, 10000, "1", "request slots per task"),
    INT(ecsim_requests_spec, queue_limit, "queue_limit", 0, 1000000, "100",
        "queued requests per task; more are rejected"),
    ENUM(ecsim_requests_spec, routing, "routing", routing_names, "least_outstanding",
         "how requests are routed to tasks"),
    ROWX(ecsim_requests_spec, timeout_s, "timeout", SCHEMA_DURATION, 0, 86400, 0, "5s",
         "abandon a request after waiting this long; 0 = never", 0, 0),
    STR(ecsim_requests_spec, arrivals_file, "arrivals_file", 0, 0, "",
        "CSV of request arrival times in seconds (one per line, optional header `time_s`), "
        "replayed instead of Poisson arrivals; excludes profile, trace and noise"),
    ROWX(ecsim_requests_spec, slo_p99_s, "slo_p99", SCHEMA_DURATION, 0, 3600, 0, "0s",
         "p99 latency SLO: a line on the latency plot, time above it in summary.json; 0 = none",
         0, 0),
};
static const schema_section requests_sec = SEC(requests_rows);

static const schema_field load_rows[] = {
    ENUM(ecsim_load_spec, mode, "mode", mode_names, "fluid",
         "fluid (demand as a rate) or requests (individual requests)"),
    LIST(ecsim_load_spec, profile, "profile", profile_count, ecsim_load_segment, segment_sec,
         "demand profile segments, in time order; none and no trace = 0 requests/s"),
    STR(ecsim_load_spec, trace, "trace", 0, 0, "",
        "CSV file of `time,rps` rows; alternative to profile"),
    SECTION(ecsim_load_spec, noise, "noise", noise_sec, "multiplicative demand noise"),
    SECTION(ecsim_load_spec, requests, "requests", requests_sec, "requests mode settings"),
};
static const schema_section load_sec = SEC(load_rows);

/* ---- autoscaler, monitoring --------------------------------------------------------------- */

/* Enum names of the policy settings; the C values are scenario.h's enums
 * (shared with include/ecsim/policy.h), stored in int members of the spec. */
static const char *const adjustment_names[] = {"change_in_capacity", "percent_change_in_capacity",
                                               "exact_capacity", NULL};
static const char *const aggregation_names[] = {"average", "minimum", "maximum", NULL};
static const char *const hpa_metric_type_names[] = {"resource", "pods", NULL};
static const char *const hpa_resource_names[] = {"cpu", "memory", NULL};
static const char *const hpa_select_names[] = {"max", "min", "disabled", NULL};
static const char *const hpa_policy_type_names[] = {"pods", "percent", NULL};
static const char *const forecast_names[] = {"seasonal_naive", "holt_winters", NULL};
_Static_assert(ECSIM_ADJ_CHANGE_IN_CAPACITY == 0 && ECSIM_ADJ_PERCENT_CHANGE_IN_CAPACITY == 1 &&
                   ECSIM_ADJ_EXACT_CAPACITY == 2,
               "adjustment_names follow ecsim_adjustment_type");
_Static_assert(ECSIM_AGG_AVERAGE == 0 && ECSIM_AGG_MINIMUM == 1 && ECSIM_AGG_MAXIMUM == 2,
               "aggregation_names follow ecsim_aggregation");
_Static_assert(ECSIM_HPA_METRIC_RESOURCE == 0 && ECSIM_HPA_METRIC_PODS == 1,
               "hpa_metric_type_names follow ecsim_hpa_metric_type");
_Static_assert(ECSIM_METRIC_CPU == 0 && ECSIM_METRIC_MEMORY == 1,
               "hpa_resource_names follow ecsim_metric_kind");
_Static_assert(ECSIM_HPA_SELECT_MAX == 0 && ECSIM_HPA_SELECT_MIN == 1 &&
                   ECSIM_HPA_SELECT_DISABLED == 2,
               "hpa_select_names follow ecsim_hpa_select");
_Static_assert(ECSIM_HPA_POLICY_PODS == 0 && ECSIM_HPA_POLICY_PERCENT == 1,
               "hpa_policy_type_names follow ecsim_hpa_policy_type");
_Static_assert(ECSIM_FORECAST_SEASONAL_NAIVE == 0 && ECSIM_FORECAST_HOLT_WINTERS == 1,
               "forecast_names follow ecsim_forecast_method");

/* Target tracking's alarms (reference §1.2: 3 of 3 and 15 of 15 one-minute
 * datapoints, OBS). */
static const schema_field alarm_high_rows[] = {
    INT(ecsim_alarm_spec, datapoints, "datapoints", 1, 1440, "3",
        "AlarmHigh: datapoints above the target that trigger a scale-out (reference §1.2, OBS)"),
    INT(ecsim_alarm_spec, periods, "periods", 1, 1440, "3",
        "AlarmHigh: evaluation periods (the last N datapoints)"),
};
static const schema_section alarm_high_sec = SEC(alarm_high_rows);

static const schema_field alarm_low_rows[] = {
    INT(ecsim_alarm_spec, datapoints, "datapoints", 1, 1440, "15",
        "AlarmLow: datapoints below scale_in_ratio x target that trigger a scale-in (reference "
        "§1.2, OBS)"),
    INT(ecsim_alarm_spec, periods, "periods", 1, 1440, "15",
        "AlarmLow: evaluation periods (the last N datapoints)"),
};
static const schema_section alarm_low_sec = SEC(alarm_low_rows);

/* Step scaling (reference §1.3). */
static const schema_field step_adjustment_rows[] = {
    ROWX(ecsim_step_spec, lower, "lower", SCHEMA_DOUBLE, -BIG, BIG, SCHEMA_COMPUTED,
         "unbounded", "MetricIntervalLowerBound relative to the threshold (reference §1.3)", 0, 0),
    ROWX(ecsim_step_spec, upper, "upper", SCHEMA_DOUBLE, -BIG, BIG, SCHEMA_COMPUTED,
         "unbounded", "MetricIntervalUpperBound relative to the threshold", 0, 0),
    ROWX(ecsim_step_spec, adjustment, "adjustment", SCHEMA_INT, -10000, 10000, SCHEMA_REQUIRED,
         NULL, "ScalingAdjustment: tasks, percent or exact count (adjustment_type)", 0, 0),
};
static const schema_section step_adjustment_sec = SEC(step_adjustment_rows);

static const schema_field step_scaling_rows[] = {
    ROWX(ecsim_step_scaling_spec, threshold, "threshold", SCHEMA_DOUBLE, -BIG, BIG,
         SCHEMA_COMPUTED, "autoscaler.target",
         "alarm threshold; step bounds are relative to it (reference §1.3)", 0, 0),
    ENUM(ecsim_step_scaling_spec, adjustment_type, "adjustment_type", adjustment_names,
         "change_in_capacity", "how a step's adjustment changes the desired count (reference §1.3)"),
    INT(ecsim_step_scaling_spec, min_adjustment_magnitude, "min_adjustment_magnitude", 0, 10000,
        "0", "percent_change_in_capacity only: smallest change in tasks (reference §1.3)"),
    ENUM(ecsim_step_scaling_spec, aggregation, "aggregation", aggregation_names, "average",
         "MetricAggregationType over the alarm's datapoints (reference §1.3)"),
    ROWX(ecsim_step_scaling_spec, cooldown_s, "cooldown", SCHEMA_DURATION, 0, DUR_MAX,
         SCHEMA_COMPUTED, "autoscaler.scale_out_cooldown",
         "cooldown after a scaling activity (reference §1.3: 300 s)", 0, 0),
    INT(ecsim_step_scaling_spec, alarm_datapoints, "alarm_datapoints", 1, 1440, "1",
        "the invoking alarm: datapoints beyond the threshold (MODEL)"),
    INT(ecsim_step_scaling_spec, alarm_periods, "alarm_periods", 1, 1440, "1",
        "the invoking alarm: evaluation periods; also the datapoints aggregated"),
    {.key = "steps", .kind = SCHEMA_LIST, .offset = offsetof(ecsim_step_scaling_spec, steps),
     .size = sizeof(ecsim_step_spec), .count_offset = offsetof(ecsim_step_scaling_spec, step_count),
     .sub = &step_adjustment_sec, .min = 0, .max = ECSIM_STEP_MAX,
     .doc = "step adjustments: no overlap, no gap, negative bounds for scale-in (reference §1.3); "
            "none = +1 at or above the threshold, -1 below it (MODEL)"},
};
static const schema_section step_scaling_sec = SEC(step_scaling_rows);

/* Scheduled actions (reference §1.4). */
static const schema_field scheduled_rows[] = {
    ROWX(ecsim_scheduled_action, at_s, "at", SCHEMA_DURATION, 0, DUR_MAX, SCHEMA_REQUIRED, NULL,
         "when the action runs; at most the scenario duration", 0, 0),
    INT(ecsim_scheduled_action, min, "min", 0, 10000, NULL,
        "new MinCapacity (omitted: unchanged; min and/or max, reference §1.4)"),
    INT(ecsim_scheduled_action, max, "max", 0, 10000, NULL, "new MaxCapacity (omitted: unchanged)"),
};
static const schema_section scheduled_sec = SEC(scheduled_rows);

/* Kubernetes HPA (reference §5.1-5.3). */
static const schema_field hpa_metric_rows[] = {
    ENUM(ecsim_hpa_scaling_metric_spec, type, "type", hpa_metric_type_names, "resource",
         "resource (utilisation of the request) or pods (average value per pod)"),
    {.key = "name", .kind = SCHEMA_ENUM, .offset = offsetof(ecsim_hpa_scaling_metric_spec, name),
     .enum_names = hpa_resource_names, .def = "cpu",
     .doc = "resource: cpu or memory (default: autoscaler.metric when it is one of them)"},
    ROWX(ecsim_hpa_scaling_metric_spec, target_utilization, "target_utilization", SCHEMA_DOUBLE, 1,
         10000, SCHEMA_COMPUTED, "autoscaler.target",
         "resource: target utilisation, percent of the request (reference §5.2)", 0, 0),
    ROWX(ecsim_hpa_scaling_metric_spec, target_average_value, "target_average_value",
         SCHEMA_DOUBLE, 1, 1e15, SCHEMA_COMPUTED, "required for pods",
         "pods: target average value per pod, milli-units (reference §5.2)", 0, 0),
};
static const schema_section hpa_metric_sec = SEC(hpa_metric_rows);

static const schema_field hpa_policy_rows[] = {
    {.key = "type", .kind = SCHEMA_ENUM, .offset = offsetof(ecsim_hpa_policy_spec, type),
     .enum_names = hpa_policy_type_names, .flags = SCHEMA_REQUIRED,
     .doc = "pods (a number of pods) or percent (of the current replicas)"},
    ROWX(ecsim_hpa_policy_spec, value, "value", SCHEMA_INT, 1, 100000, SCHEMA_REQUIRED, NULL,
         "pods or percent allowed per period (> 0)", 0, 0),
    /* periodSeconds: 1 to 1800 (reference §5.3). */
    ROWX(ecsim_hpa_policy_spec, period_s, "period", SCHEMA_DURATION, 1, 1800, SCHEMA_REQUIRED,
         NULL, "periodSeconds: the window of the limit", 0, 0),
};
static const schema_section hpa_policy_sec = SEC(hpa_policy_rows);

static const schema_field hpa_rules_rows[] = {
    ROWX(ecsim_hpa_rules_spec, stabilization_window_s, "stabilization_window", SCHEMA_DURATION, 0,
         3600, SCHEMA_COMPUTED, "0s (scale_up), hpa.downscale_stabilization (scale_down)",
         "stabilizationWindowSeconds (reference §5.3)", 0, 0),
    ENUM(ecsim_hpa_rules_spec, select_policy, "select_policy", hpa_select_names, "max",
         "selectPolicy: max, min or disabled (no scaling in this direction)"),
    {.key = "policies", .kind = SCHEMA_LIST, .offset = offsetof(ecsim_hpa_rules_spec, policies),
     .size = sizeof(ecsim_hpa_policy_spec),
     .count_offset = offsetof(ecsim_hpa_rules_spec, policy_count), .sub = &hpa_policy_sec,
     .min = 0, .max = ECSIM_HPA_POLICY_MAX,
     .doc = "rate limits; omitted = up: 4 pods and 100 % per 15 s, down: 100 % per 15 s "
            "(reference §5.3)"},
};
static const schema_section hpa_rules_sec = SEC(hpa_rules_rows);

static const schema_field hpa_behavior_rows[] = {
    SECTION(ecsim_hpa_behavior_spec, scale_up, "scale_up", hpa_rules_sec, "scale-up rules"),
    SECTION(ecsim_hpa_behavior_spec, scale_down, "scale_down", hpa_rules_sec, "scale-down rules"),
};
static const schema_section hpa_behavior_sec = SEC(hpa_behavior_rows);

static const schema_field hpa_rows[] = {
    SECTION(ecsim_hpa_spec, metric, "metric", hpa_metric_sec, "the metric the HPA scales on"),
    NUM(ecsim_hpa_spec, tolerance, "tolerance", 0, 1, SCHEMA_MAX_EXCL, "0.1",
        "no scaling while the usage ratio is within 1 +- tolerance (reference §5.1)"),
    DUR(ecsim_hpa_spec, cpu_initialization_period_s, "cpu_initialization_period", 0, "5m",
        "--horizontal-pod-autoscaler-cpu-initialization-period (reference §5.1)"),
    DUR(ecsim_hpa_spec, initial_readiness_delay_s, "initial_readiness_delay", 0, "30s",
        "--horizontal-pod-autoscaler-initial-readiness-delay (reference §5.1)"),
    /* metrics-server refuses a --metric-resolution under 10 s; 10 min is far
     * beyond any sync period (reference §5.1 [K11]). */
    ROWX(ecsim_hpa_spec, metric_resolution_s, "metric_resolution", SCHEMA_DURATION, 10, 600, 0,
         "15s",
         "metrics-server --metric-resolution: pods are scraped this often and the HPA sees each "
         "pod's CPU averaged over the last window (reference §5.1 [K11], §5.2)", 0, 0),
    DUR(ecsim_hpa_spec, downscale_stabilization_s, "downscale_stabilization", 0, "5m",
        "--horizontal-pod-autoscaler-downscale-stabilization (reference §5.1)"),
    {.key = "metrics", .kind = SCHEMA_LIST, .offset = offsetof(ecsim_hpa_spec, metrics),
     .size = sizeof(ecsim_hpa_scaling_metric_spec),
     .count_offset = offsetof(ecsim_hpa_spec, metric_count), .sub = &hpa_metric_sec, .min = 0,
     .max = ECSIM_HPA_MORE_METRICS_MAX,
     .doc = "more metrics beside `metric`: desired = max over them; all failing, or some "
            "failing when the max would scale down, = no scaling (reference §5.2)"},
    SECTION(ecsim_hpa_spec, behavior, "behavior", hpa_behavior_sec,
            "spec.behavior; absent = the legacy path, present = §5.3 defaults for what is not given"),
};
static const schema_section hpa_sec = SEC(hpa_rows);

/* Predictive scaling (reference §1.5). */
static const schema_field predictive_rows[] = {
    ENUM(ecsim_predictive_spec, method, "method", forecast_names, "seasonal_naive",
         "forecasting model (AWS's is unpublished: MODEL)"),
    ROWX(ecsim_predictive_spec, min_history_s, "min_history", SCHEMA_DURATION, 60, DUR_MAX, 0, "24h",
        "history needed before the first forecast (reference §1.5)", 0, 0),
    ROWX(ecsim_predictive_spec, refresh_s, "refresh", SCHEMA_DURATION, 60, DUR_MAX, 0, "6h",
        "the forecast is refreshed this often (reference §1.5)", 0, 0),
    ROWX(ecsim_predictive_spec, resolution_s, "resolution", SCHEMA_DURATION, 60, DUR_MAX, 0, "1h",
        "forecast bucket (reference §1.5: hourly)", 0, 0),
    ROWX(ecsim_predictive_spec, horizon_s, "horizon", SCHEMA_DURATION, 60, DUR_MAX, 0, "48h",
        "how far ahead the forecast goes (reference §1.5)", 0, 0),
    DUR(ecsim_predictive_spec, scheduling_buffer_s, "scheduling_buffer", 0, "5m",
        "SchedulingBufferTime: capacity is launched this long before its bucket; < resolution"),
    ROWX(ecsim_predictive_spec, season_s, "season", SCHEMA_DURATION, 60, DUR_MAX, 0, "24h",
        "seasonal period of the model (MODEL)", 0, 0),
    NUM(ecsim_predictive_spec, alpha, "alpha", 0, 1, SCHEMA_MIN_EXCL, "0.5",
        "Holt-Winters level smoothing (MODEL)"),
    NUM(ecsim_predictive_spec, beta, "beta", 0, 1, 0, "0.05", "Holt-Winters trend smoothing (MODEL)"),
    NUM(ecsim_predictive_spec, gamma, "gamma", 0, 1, 0, "0.3",
        "Holt-Winters seasonal smoothing (MODEL)"),
};
static const schema_section predictive_sec = SEC(predictive_rows);

/* More target-tracking policies on one service (reference §1.2). */
static const schema_field tt_policy_rows[] = {
    {.key = "metric", .kind = SCHEMA_ENUM, .offset = offsetof(ecsim_tt_policy_spec, metric),
     .enum_names = metric_names, .flags = SCHEMA_REQUIRED, .doc = "the metric this policy tracks"},
    ROWX(ecsim_tt_policy_spec, target, "target", SCHEMA_DOUBLE, 0.01, 1e6, SCHEMA_REQUIRED, NULL, "TargetValue of this policy (reference §1.2)",
         0, 0),
    BOOL(ecsim_tt_policy_spec, disable_scale_in, "disable_scale_in", "false",
         "this policy never scales in and has no vote on scale-in (reference §1.2)"),
    ROWX(ecsim_tt_policy_spec, scale_out_cooldown_s, "scale_out_cooldown", SCHEMA_DURATION, 0,
         DUR_MAX, SCHEMA_COMPUTED, "autoscaler.scale_out_cooldown",
         "ScaleOutCooldown of this policy (reference §1.2)", 0, 0),
    ROWX(ecsim_tt_policy_spec, scale_in_cooldown_s, "scale_in_cooldown", SCHEMA_DURATION, 0,
         DUR_MAX, SCHEMA_COMPUTED, "autoscaler.scale_in_cooldown",
         "ScaleInCooldown of this policy (reference §1.2)", 0, 0),
};
static const schema_section tt_policy_sec = SEC(tt_policy_rows);

static const schema_field autoscaler_rows[] = {
    ENUM(ecsim_autoscaler_spec, policy, "policy", policy_names, "none", "scaling policy"),
    INT(ecsim_autoscaler_spec, min, "min", 0, 10000, "1", "MinCapacity (reference §1.1)"),
    INT(ecsim_autoscaler_spec, max, "max", 0, 10000, "10", "MaxCapacity (reference §1.1)"),
    ENUM(ecsim_autoscaler_spec, metric, "metric", metric_names, "cpu", "metric tracked"),
    /* TargetValue: 0.01 to 1,000,000 (percent for cpu / memory, at most 100:
     * loader.c; requests per target per minute otherwise). */
    ROWX(ecsim_autoscaler_spec, target, "target", SCHEMA_DOUBLE, 0.01, 1e6, SCHEMA_COMPUTED, "60 (hpa: 80)",
         "target value: percent for cpu / memory (hpa default 80: reference §5.1)", 0, 0),
    DUR(ecsim_autoscaler_spec, scale_out_cooldown_s, "scale_out_cooldown", 0, "300s",
        "scale-out cooldown (reference §1.2)"),
    DUR(ecsim_autoscaler_spec, scale_in_cooldown_s, "scale_in_cooldown", 0, "300s",
        "scale-in cooldown (reference §1.2)"),
    BOOL(ecsim_autoscaler_spec, disable_scale_in, "disable_scale_in", "false",
         "the policy never scales in"),
    SECTION(ecsim_autoscaler_spec, alarm_high, "alarm_high", alarm_high_sec,
            "target tracking's scale-out alarm, M of N (reference §1.2)"),
    SECTION(ecsim_autoscaler_spec, alarm_low, "alarm_low", alarm_low_sec,
            "target tracking's scale-in alarm, M of N (reference §1.2)"),
    NUM(ecsim_autoscaler_spec, scale_in_ratio, "scale_in_ratio", 0, 1,
        SCHEMA_MIN_EXCL | SCHEMA_MAX_EXCL, "0.9",
        "target tracking: AlarmLow threshold = ratio x target (reference §1.2, OBS)"),
    ENUM(ecsim_autoscaler_spec, capacity_basis, "capacity_basis", tt_basis_names, "running",
         "target tracking: C in ceil(C x m / T), the tasks RUNNING at the evaluation (running: "
         "tasks that lag do not compound a scale-out; with min 0 and no task, one datapoint "
         "above 0 scales out to 1) or the desired count (desired) (reference §1.2)"),
    ENUM(ecsim_autoscaler_spec, metric_value, "metric_value", tt_value_names, "latest",
         "target tracking: m in ceil(C x m / T), the most recent datapoint or the average of "
         "the datapoints the alarm evaluated (reference §1.2 MODEL, §8 gap 1)"),
    {.key = "target_tracking_policies", .kind = SCHEMA_LIST,
     .offset = offsetof(ecsim_autoscaler_spec, target_tracking_policies),
     .size = sizeof(ecsim_tt_policy_spec),
     .count_offset = offsetof(ecsim_autoscaler_spec, target_tracking_policy_count),
     .sub = &tt_policy_sec, .min = 0, .max = ECSIM_TT_MORE_MAX,
     .doc = "target_tracking: more policies beside (metric, target); out if any says out, in "
            "only if all scale-in-enabled ones say in, the largest capacity wins (reference "
            "§1.2)"},
    SECTION(ecsim_autoscaler_spec, step_scaling, "step_scaling", step_scaling_sec,
            "step scaling settings (policy step_scaling)"),
    {.key = "scheduled", .kind = SCHEMA_LIST, .offset = offsetof(ecsim_autoscaler_spec, scheduled),
     .size = sizeof(ecsim_scheduled_action),
     .count_offset = offsetof(ecsim_autoscaler_spec, scheduled_count), .sub = &scheduled_sec,
     .min = 0, .max = 10000,
     .doc = "scheduled actions (policy scheduled), run in time order (reference §1.4)"},
    SECTION(ecsim_autoscaler_spec, hpa, "hpa", hpa_sec, "Kubernetes HPA settings (policy hpa)"),
    SECTION(ecsim_autoscaler_spec, predictive, "predictive", predictive_sec,
            "predictive scaling settings (policy predictive)"),
};
static const schema_section autoscaler_sec = SEC(autoscaler_rows);

/* ---- autoscaler cross-field rules ------------------------------------------------------------ */

/* Until sim/input/schema.h declares them (with the loader's call), the hook's
 * types and prototype are declared here too; repeating them is harmless. */
typedef bool schema_given_fn(void *ctx, const char *path);
typedef void schema_report_fn(void *ctx, const char *path1, const char *path2,
                              const char *message);
int schema_autoscaler_rules(ecsim_scenario *sc, schema_given_fn *given, schema_report_fn *report,
                            void *ctx);

typedef struct rules_ctx {
    schema_given_fn *given;
    schema_report_fn *report;
    void *ctx;
} rules_ctx;

#if defined(__GNUC__)
__attribute__((format(printf, 4, 5)))
#endif
static void rule_error(const rules_ctx *r, const char *path1, const char *path2, const char *fmt,
                       ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    r->report(r->ctx, path1, path2, buf);
}

/* True if `prefix` or any field below it (sections only; a list counts as
 * given when its key is) was given in the file or a --set: a `--set
 * autoscaler.hpa.behavior.scale_up.select_policy=min` gives a behavior. */
static bool any_given(const rules_ctx *r, const schema_section *sec, char *path, size_t len)
{
    if (r->given(r->ctx, path))
        return true;
    for (size_t i = 0; sec && i < sec->count; i++) {
        const schema_field *f = &sec->fields[i];
        int w = snprintf(path + len, 256 - len, ".%s", f->key);
        if (w < 0 || (size_t)w >= 256 - len)
            continue;
        bool hit = f->kind == SCHEMA_SECTION ? any_given(r, f->sub, path, len + (size_t)w)
                                             : r->given(r->ctx, path);
        path[len] = '\0';
        if (hit)
            return true;
    }
    return false;
}

/* M of N: M <= N (reference §1.2; CloudWatch DatapointsToAlarm <= EvaluationPeriods). */
static void check_alarm(const rules_ctx *r, const char *m_path, const char *n_path, int m, int n)
{
    if (m > n)
        rule_error(r, m_path, n_path,
                   "%s (%d) must be <= %s (%d): an alarm needs M breaching datapoints of the last "
                   "N (reference §1.2)",
                   m_path, m, n_path, n);
}

static void check_step_scaling(const rules_ctx *r, const ecsim_autoscaler_spec *as)
{
    const ecsim_step_scaling_spec *ss = &as->step_scaling;
    char p1[128], fmt1[48], fmt2[48];
    check_alarm(r, "autoscaler.step_scaling.alarm_datapoints",
                "autoscaler.step_scaling.alarm_periods", ss->alarm_datapoints, ss->alarm_periods);
    if (ss->min_adjustment_magnitude > 0 &&
        ss->adjustment_type != ECSIM_ADJ_PERCENT_CHANGE_IN_CAPACITY)
        rule_error(r, "autoscaler.step_scaling.min_adjustment_magnitude",
                   "autoscaler.step_scaling.adjustment_type",
                   "autoscaler.step_scaling.min_adjustment_magnitude: only valid with "
                   "adjustment_type percent_change_in_capacity (reference §1.3)");
    if (ss->step_count == 0)
        return; /* the default steps (sim/policy/policy.c) */
    /* One step at a time first, at the step's own position. */
    for (size_t i = 0; i < ss->step_count; i++) {
        const ecsim_step_spec *st = &ss->steps[i];
        snprintf(p1, sizeof p1, "autoscaler.step_scaling.steps[%zu]", i);
        if (isnan(st->lower) && isnan(st->upper)) {
            rule_error(r, p1, NULL,
                       "%s: give lower, upper or both: a step cannot be unbounded on both sides "
                       "(reference §1.3)",
                       p1);
        } else if (!isnan(st->lower) && !isnan(st->upper) && !(st->lower < st->upper)) {
            schema_fmt_num(fmt1, sizeof fmt1, st->lower);
            schema_fmt_num(fmt2, sizeof fmt2, st->upper);
            rule_error(r, p1, NULL, "%s: lower (%s) must be below upper (%s)", p1, fmt1, fmt2);
        }
    }
    /* The whole list (one null lower, one null upper, no overlap, no gap)
     * is the step-scaling policy's own check, run on the loaded scenario
     * (ecsim_policy_validate, sim/policy/policy_step_scaling.c). */
}

int schema_sort_by_time(void *base, size_t n, size_t size, size_t time_offset)
{
    if (n < 2)
        return 0;
    unsigned char *tmp = ecsim_reallocarray(NULL, n, size);
    if (!tmp)
        return ECSIM_ENOMEM;
    unsigned char *src = base, *dst = tmp;
    for (size_t width = 1; width < n; width *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * width) {
            size_t mid = lo + width < n ? lo + width : n;
            size_t hi = lo + 2 * width < n ? lo + 2 * width : n;
            size_t i = lo, j = mid, k = lo;
            while (i < mid || j < hi) {
                double ti, tj;
                bool take_j = false;
                if (i < mid && j < hi) {
                    memcpy(&ti, src + i * size + time_offset, sizeof ti);
                    memcpy(&tj, src + j * size + time_offset, sizeof tj);
                    take_j = tj < ti; /* equal times keep their order: stable */
                } else {
                    take_j = i >= mid;
                }
                memcpy(dst + k++ * size, src + (take_j ? j++ : i++) * size, size);
            }
        }
        unsigned char *swap = src;
        src = dst;
        dst = swap;
    }
    if (src != base)
        memcpy(base, src, n * size);
    ecsim_free(tmp);
    return 0;
}

/* The scheduled actions by time; equal times keep the order given: "actions
 * on one target run in specified order" (reference §1.4). 0 or ECSIM_ENOMEM. */
static int sort_scheduled(ecsim_scheduled_action *a, size_t n)
{
    return schema_sort_by_time(a, n, sizeof *a, offsetof(ecsim_scheduled_action, at_s));
}

static int check_scheduled(const rules_ctx *r, ecsim_scenario *sc)
{
    ecsim_autoscaler_spec *as = &sc->autoscaler;
    char p1[128], p2[128], fmt1[48], fmt2[48];
    bool ok = true;
    for (size_t i = 0; i < as->scheduled_count; i++) {
        ecsim_scheduled_action *a = &as->scheduled[i];
        snprintf(p1, sizeof p1, "autoscaler.scheduled[%zu].min", i);
        a->has_min = r->given(r->ctx, p1);
        snprintf(p1, sizeof p1, "autoscaler.scheduled[%zu].max", i);
        a->has_max = r->given(r->ctx, p1);
        snprintf(p2, sizeof p2, "autoscaler.scheduled[%zu]", i);
        if (!a->has_min && !a->has_max) {
            rule_error(r, p2, NULL,
                       "%s: give min, max or both: a scheduled action sets MinCapacity and/or "
                       "MaxCapacity (reference §1.4)",
                       p2);
            ok = false;
        } else if (a->has_min && a->has_max && a->min > a->max) {
            snprintf(p1, sizeof p1, "autoscaler.scheduled[%zu].min", i);
            rule_error(r, p1, p2, "%s: min (%d) must be <= max (%d)", p2, a->min, a->max);
            ok = false;
        }
        snprintf(p1, sizeof p1, "autoscaler.scheduled[%zu].at", i);
        if (a->at_s > sc->duration_s) {
            schema_fmt_duration(fmt1, sizeof fmt1, a->at_s);
            schema_fmt_duration(fmt2, sizeof fmt2, sc->duration_s);
            rule_error(r, p1, p2, "%s (%s) is after the end of the simulation (duration %s)", p1,
                       fmt1, fmt2);
        }
    }
    if (sort_scheduled(as->scheduled, as->scheduled_count) != 0)
        return ECSIM_ENOMEM;
    if (!ok || as->min > as->max)
        return 0;
    /* Replay the bounds in time order: no action may leave min > max. */
    int min = as->min, max = as->max;
    for (size_t i = 0; i < as->scheduled_count; i++) {
        const ecsim_scheduled_action *a = &as->scheduled[i];
        min = a->has_min ? a->min : min;
        max = a->has_max ? a->max : max;
        if (min > max) {
            schema_fmt_duration(fmt1, sizeof fmt1, a->at_s);
            rule_error(r, "autoscaler.scheduled", NULL,
                       "autoscaler.scheduled: the action at %s leaves MinCapacity %d above "
                       "MaxCapacity %d (actions apply in time order from autoscaler.min %d and "
                       "max %d)",
                       fmt1, min, max, as->min, as->max);
            break;
        }
    }
    return 0;
}

static void check_hpa_rules(const rules_ctx *r, const ecsim_hpa_rules_spec *rs, const char *dir)
{
    char path[128];
    snprintf(path, sizeof path, "autoscaler.hpa.behavior.%s.policies", dir);
    if (rs->policy_count == 0 && r->given(r->ctx, path))
        rule_error(r, path, NULL,
                   "%s: give at least one policy, or omit `policies` for the defaults "
                   "(reference §5.3)",
                   path);
}

static void check_hpa(const rules_ctx *r, ecsim_autoscaler_spec *as)
{
    ecsim_hpa_spec *h = &as->hpa;
    if (!r->given(r->ctx, "autoscaler.hpa.metric.name"))
        h->metric.name = as->metric == ECSIM_METRIC_MEMORY ? ECSIM_METRIC_MEMORY
                                                           : ECSIM_METRIC_CPU;
    char path[256] = "autoscaler.hpa.behavior";
    h->has_behavior = any_given(r, &hpa_behavior_sec, path, strlen(path));
    if (h->metric.type == ECSIM_HPA_METRIC_PODS && isnan(h->metric.target_average_value))
        rule_error(r, "autoscaler.hpa.metric.type", "autoscaler.hpa.metric",
                   "autoscaler.hpa.metric: a pods metric needs `target_average_value` (milli-units "
                   "per pod, reference §5.2)");
    if (h->metric.type == ECSIM_HPA_METRIC_RESOURCE &&
        r->given(r->ctx, "autoscaler.hpa.metric.target_average_value"))
        rule_error(r, "autoscaler.hpa.metric.target_average_value", NULL,
                   "autoscaler.hpa.metric.target_average_value: not used by a resource metric "
                   "(it uses target_utilization)");
    for (size_t i = 0; i < h->metric_count; i++) {
        const ecsim_hpa_scaling_metric_spec *m = &h->metrics[i];
        char p1[96], p2[96];
        snprintf(p1, sizeof p1, "autoscaler.hpa.metrics[%zu].type", i);
        snprintf(p2, sizeof p2, "autoscaler.hpa.metrics[%zu]", i);
        if (m->type == ECSIM_HPA_METRIC_PODS && isnan(m->target_average_value))
            rule_error(r, p1, p2,
                       "%s: a pods metric needs `target_average_value` (milli-units per pod, "
                       "reference §5.2)",
                       p2);
        snprintf(p1, sizeof p1, "autoscaler.hpa.metrics[%zu].target_average_value", i);
        if (m->type == ECSIM_HPA_METRIC_RESOURCE && r->given(r->ctx, p1))
            rule_error(r, p1, NULL, "%s: not used by a resource metric (it uses "
                       "target_utilization)", p1);
    }
    if (h->has_behavior) {
        check_hpa_rules(r, &h->behavior.scale_up, "scale_up");
        check_hpa_rules(r, &h->behavior.scale_down, "scale_down");
    }
    if (as->policy == ECSIM_POLICY_HPA && as->max < 1)
        rule_error(r, "autoscaler.max", "autoscaler.policy",
                   "autoscaler.max (%d) must be >= 1 for policy hpa (maxReplicas, reference §5.1)",
                   as->max);
}

static void check_predictive(const rules_ctx *r, const ecsim_predictive_spec *p)
{
    char a[48], b[48];
    if (!(p->scheduling_buffer_s < p->resolution_s)) {
        schema_fmt_duration(a, sizeof a, p->scheduling_buffer_s);
        schema_fmt_duration(b, sizeof b, p->resolution_s);
        rule_error(r, "autoscaler.predictive.scheduling_buffer", "autoscaler.predictive.resolution",
                   "autoscaler.predictive.scheduling_buffer (%s) must be < "
                   "autoscaler.predictive.resolution (%s) (reference §1.5: < 1 h)",
                   a, b);
    }
    double season = p->season_s / p->resolution_s;
    if (fabs(season - nearbyint(season)) > 1e-9 || season > ECSIM_FORECAST_MAX) {
        schema_fmt_duration(a, sizeof a, p->season_s);
        schema_fmt_duration(b, sizeof b, p->resolution_s);
        rule_error(r, "autoscaler.predictive.season", "autoscaler.predictive.resolution",
                   "autoscaler.predictive.season (%s) must be a whole number of resolution "
                   "buckets (%s), at most %d of them",
                   a, b, ECSIM_FORECAST_MAX);
    }
    if (p->horizon_s / p->resolution_s > ECSIM_FORECAST_MAX + 1e-9) {
        schema_fmt_duration(a, sizeof a, p->horizon_s);
        rule_error(r, "autoscaler.predictive.horizon", "autoscaler.predictive.resolution",
                   "autoscaler.predictive.horizon (%s) is more than %d resolution buckets", a,
                   ECSIM_FORECAST_MAX);
    }
}

int schema_autoscaler_rules(ecsim_scenario *sc, schema_given_fn *given, schema_report_fn *report,
                            void *ctx)
{
    rules_ctx r = {given, report, ctx};
    ecsim_autoscaler_spec *as = &sc->autoscaler;
    check_alarm(&r, "autoscaler.alarm_high.datapoints", "autoscaler.alarm_high.periods",
                as->alarm_high.datapoints, as->alarm_high.periods);
    check_alarm(&r, "autoscaler.alarm_low.datapoints", "autoscaler.alarm_low.periods",
                as->alarm_low.datapoints, as->alarm_low.periods);
    check_step_scaling(&r, as);
    check_hpa(&r, as);
    check_predictive(&r, &as->predictive);
    return check_scheduled(&r, sc);
}

static const schema_field monitoring_rows[] = {
    /* CloudWatch periods: 10, 20 or 30 s (high resolution) or a multiple of
     * 60 s up to a day (reference §7 [C1]; the multiple is loader.c's rule). */
    ROWX(ecsim_monitoring_spec, period_s, "period", SCHEMA_DURATION, 10, 86400, 0, "60s",
         "metric period: 10, 20, 30 s or a multiple of 60 s (reference §7)", 0, 0),
    ROWX(ecsim_monitoring_spec, lag_min_s, "lag_min", SCHEMA_DURATION, 0, 86400, 0, "30s",
         "publication lag, lower bound of U(min, max) (reference §7)", 0, 0),
    ROWX(ecsim_monitoring_spec, lag_max_s, "lag_max", SCHEMA_DURATION, 0, 86400, 0, "150s",
         "publication lag, upper bound (reference §7)", 0, 0),
};
static const schema_section monitoring_sec = SEC(monitoring_rows);

/* ---- events ---------------------------------------------------------------------------------- */

#define ACT(a) (1u << (a))
#define ACT_COUNTED                                                                          \
    (ACT(ECSIM_ACTION_KILL_TASKS) | ACT(ECSIM_ACTION_FAIL_INSTANCES) |                       \
     ACT(ECSIM_ACTION_SPOT_INTERRUPTION))
#define ACT_OUTAGE (ACT(ECSIM_ACTION_AZ_OUTAGE) | ACT(ECSIM_ACTION_REGISTRY_OUTAGE))

static const schema_field event_rows[] = {
    ROWX(ecsim_event_spec, at_s, "at", SCHEMA_DURATION, 0, DUR_MAX, SCHEMA_REQUIRED, NULL,
         "when the event happens; at most the scenario duration", 0, 0),
    {.key = "action", .kind = SCHEMA_ENUM, .offset = offsetof(ecsim_event_spec, action),
     .enum_names = action_names, .flags = SCHEMA_REQUIRED, .doc = "what happens"},
    {.key = "tag", .kind = SCHEMA_STRING, .offset = offsetof(ecsim_event_spec, tag),
     .size = sizeof(((ecsim_event_spec *)0)->tag), .min = 1,
     .valid_for = ACT(ECSIM_ACTION_DEPLOY), .required_for = ACT(ECSIM_ACTION_DEPLOY),
     .doc = "deploy: the new image tag"},
    ROWX(ecsim_event_spec, build, "build", SCHEMA_BOOL, 0, 0, 0, "true",
         "deploy: build and push the tag first (false: deploy a tag that may not exist)",
         ACT(ECSIM_ACTION_DEPLOY), 0),
    {.key = "defect", .kind = SCHEMA_ENUM, .offset = offsetof(ecsim_event_spec, defect),
     .enum_names = defect_names, .def = "none", .valid_for = ACT(ECSIM_ACTION_DEPLOY),
     .doc = "deploy: containers of this version crash or fail health checks"},
    ROWX(ecsim_event_spec, count, "count", SCHEMA_INT, 1, 10000, 0, "1",
         "kill_tasks / fail_instances / spot_interruption: how many", ACT_COUNTED, 0),
    ROWX(ecsim_event_spec, desired, "desired", SCHEMA_INT, 0, 10000, 0, NULL,
         "scale: the new desired count", ACT(ECSIM_ACTION_SCALE), ACT(ECSIM_ACTION_SCALE)),
    ROWX(ecsim_event_spec, az, "az", SCHEMA_INT, 1, 10, 0, NULL,
         "az_outage: the zone, 1 to service.availability_zones", ACT(ECSIM_ACTION_AZ_OUTAGE),
         ACT(ECSIM_ACTION_AZ_OUTAGE)),
    ROWX(ecsim_event_spec, duration_s, "duration", SCHEMA_DURATION, 1, DUR_MAX, 0, "10m",
         "az_outage / registry_outage: how long it lasts; at most the scenario duration",
         ACT_OUTAGE, 0),
};
static const schema_section event_sec = {event_rows, sizeof event_rows / sizeof event_rows[0],
                                         -1, NULL, "action"};

/* ---- pricing (reference §6) ------------------------------------------------------------------- */

static const schema_field pricing_rows[] = {
    NUM(ecsim_pricing_spec, fargate_vcpu_hour, "fargate_vcpu_hour", 0, 1000, 0, "0.04048",
        "USD per vCPU-hour on Fargate (reference §6)"),
    NUM(ecsim_pricing_spec, fargate_gb_hour, "fargate_gb_hour", 0, 1000, 0, "0.004445",
        "USD per GB-hour on Fargate (reference §6)"),
    NUM(ecsim_pricing_spec, instance_hour, "instance_hour", 0, 1000, 0, "0.096",
        "USD per instance-hour; default the price of service.cluster.instance_type "
        "(m5.large: 0.096), give it to override (reference §6)"),
    NUM(ecsim_pricing_spec, eks_cluster_hour, "eks_cluster_hour", 0, 1000, 0, "0.10",
        "USD per EKS cluster-hour (control plane), every eks / eks_fargate run (reference §6)"),
    NUM(ecsim_pricing_spec, registry_gb_month, "registry_gb_month", 0, 1000, 0, "0.10",
        "USD per GB-month of ECR storage (reference §6)"),
    NUM(ecsim_pricing_spec, spot_discount, "spot_discount", 0, 1, 0, "0.70",
        "Fargate Spot discount, 0 to 1 (reference §6)"),
};
static const schema_section pricing_sec = SEC(pricing_rows);

/* ---- quiz ---------------------------------------------------------------------------------------- */

static const schema_field quiz_range_rows[] = {
    STR(ecsim_quiz_range, field, "field", 1, SCHEMA_REQUIRED, NULL,
        "dotted path of a number field, as for --set (image.size_mb)"),
    NUM(ecsim_quiz_range, min, "min", -BIG, BIG, SCHEMA_REQUIRED, NULL, "lowest value drawn"),
    NUM(ecsim_quiz_range, max, "max", -BIG, BIG, SCHEMA_REQUIRED, NULL, "highest value drawn"),
};
static const schema_section quiz_range_sec = SEC(quiz_range_rows);

static const schema_field quiz_rows[] = {
    {.key = "vary", .kind = SCHEMA_LIST, .offset = offsetof(ecsim_quiz_spec, vary),
     .size = sizeof(ecsim_quiz_range), .count_offset = offsetof(ecsim_quiz_spec, vary_count),
     .sub = &quiz_range_sec, .min = 0, .max = 64, .flags = SCHEMA_RANGE_MAP,
     .doc = "ranges for `ecsim quiz` variants: `FIELD.PATH: [min, max]` (or {field, min, max} "
            "entries); variant k draws each value from the seed and k, like --set"},
};
static const schema_section quiz_sec = SEC(quiz_rows);

/* ---- the scenario -------------------------------------------------------------------------------- */

static const schema_field scenario_rows[] = {
    STR(ecsim_scenario, name, "name", 1, SCHEMA_NAME_CHARS | SCHEMA_REQUIRED, NULL,
        "scenario name, used as the output folder"),
    STR(ecsim_scenario, description, "description", 0, 0, "", "optional one-line description"),
    {.key = "seed", .kind = SCHEMA_UINT64, .offset = offsetof(ecsim_scenario, seed), .def = "1",
     .doc = "seed of every random stream, 0 to 2^64-1"},
    ROWX(ecsim_scenario, duration_s, "duration", SCHEMA_DURATION, 1, DUR_MAX, 0, "1h",
         "simulated time, 1 s to 366 days", 0, 0),
    SECTION(ecsim_scenario, image, "image", image_sec, "the application image"),
    SECTION(ecsim_scenario, registry, "registry", registry_sec, "the registry (ECR)"),
    SECTION(ecsim_scenario, service, "service", service_sec, "the ECS service or EKS deployment"),
    SECTION(ecsim_scenario, load, "load", load_sec, "the demand"),
    SECTION(ecsim_scenario, autoscaler, "autoscaler", autoscaler_sec, "the scaling policy"),
    SECTION(ecsim_scenario, monitoring, "monitoring", monitoring_sec, "CloudWatch-like metrics"),
    LIST(ecsim_scenario, events, "events", event_count, ecsim_event_spec, event_sec,
         "operations and faults at given times (sorted by `at`)"),
    SECTION(ecsim_scenario, pricing, "pricing", pricing_sec, "prices (us-east-1 on-demand)"),
    SECTION(ecsim_scenario, quiz, "quiz", quiz_sec, "`ecsim quiz` settings"),
};
const schema_section schema_scenario = SEC(scenario_rows);

/* ---- walks over the table --------------------------------------------------------------------------- */

const schema_field *schema_find(const schema_section *sec, const char *key)
{
    for (size_t i = 0; i < sec->count; i++)
        if (strcmp(sec->fields[i].key, key) == 0)
            return &sec->fields[i];
    return NULL;
}


/* ---- scalar parsing (the file, --set values and the defaults all come here) ---- */

/* A decimal number: [+-]digits[.digits][e[+-]digits], at least one digit.
 * The grammar is checked by hand so that "inf", "nan", "0x10", " 5" and
 * YAML's ".inf" are rejected before strtod sees them (strtod would accept
 * some of them). Returns the length of the match. */
static size_t number_prefix(const char *s, bool allow_sign)
{
    size_t i = 0, digits = 0;
    if (allow_sign && (s[i] == '+' || s[i] == '-'))
        i++;
    while (s[i] >= '0' && s[i] <= '9')
        i++, digits++;
    if (s[i] == '.') {
        i++;
        while (s[i] >= '0' && s[i] <= '9')
            i++, digits++;
    }
    if (digits == 0)
        return 0;
    if (s[i] == 'e' || s[i] == 'E') {
        size_t j = i + 1, exp_digits = 0;
        if (s[j] == '+' || s[j] == '-')
            j++;
        while (s[j] >= '0' && s[j] <= '9')
            j++, exp_digits++;
        if (exp_digits)
            i = j;
    }
    return i;
}

/* Convert the first `len` characters, already checked by number_prefix. */
static int number_value(const char *s, size_t len, double *out)
{
    char buf[128];
    if (len >= sizeof buf)
        return ECSIM_EINVAL;
    memcpy(buf, s, len);
    buf[len] = '\0';
    double v = strtod(buf, NULL);
    /* Finite and never denormal: 5e-324 MB/s would make a pull time infinite
     * (issue 10); a value that small is a typo for 0 or for a unit. */
    if (!isfinite(v) || fpclassify(v) == FP_SUBNORMAL)
        return ECSIM_EINVAL;
    *out = v;
    return 0;
}

static int parse_number(const char *s, double *out)
{
    size_t n = number_prefix(s, true);
    if (n == 0 || s[n] != '\0')
        return ECSIM_EINVAL;
    return number_value(s, n, out);
}

int ecsim_parse_duration(const char *text, double *out_s)
{
    if (!text || !*text)
        return ECSIM_EINVAL;
    double v;
    size_t n = number_prefix(text, true);
    if (n > 0 && text[n] == '\0') { /* a bare number of seconds */
        if (number_value(text, n, &v) != 0 || v < 0)
            return ECSIM_EINVAL;
        *out_s = v == 0 ? 0 : v;
        return 0;
    }
    /* Groups of number + unit, largest unit first, each unit at most once:
     * "1h30m" yes, "30m1h" and "1h30" no. */
    static const struct { const char *unit; double seconds; } units[] = {
        {"d", 86400}, {"h", 3600}, {"ms", 0.001}, {"m", 60}, {"s", 1}};
    static const int rank[] = {0, 1, 4, 2, 3}; /* order d h m s ms */
    const char *p = text;
    double total = 0;
    int last_rank = -1;
    while (*p) {
        n = number_prefix(p, false);
        if (n == 0 || number_value(p, n, &v) != 0)
            return ECSIM_EINVAL;
        p += n;
        size_t u = 0;
        for (; u < sizeof units / sizeof units[0]; u++) {
            size_t ul = strlen(units[u].unit);
            if (strncmp(p, units[u].unit, ul) == 0)
                break;
        }
        if (u == sizeof units / sizeof units[0] || rank[u] <= last_rank)
            return ECSIM_EINVAL;
        last_rank = rank[u];
        p += strlen(units[u].unit);
        total += v * units[u].seconds;
    }
    if (!isfinite(total))
        return ECSIM_EINVAL;
    *out_s = total;
    return 0;
}

static bool in_range(const schema_field *f, double v)
{
    if (f->flags & SCHEMA_MIN_EXCL ? !(v > f->min) : !(v >= f->min))
        return false;
    if (f->flags & SCHEMA_NO_MAX)
        return true;
    return f->flags & SCHEMA_MAX_EXCL ? v < f->max : v <= f->max;
}

/* Output folder names: no path separator, and no leading dot, so that "."
 * and ".." cannot escape --out or hide the folder. */
static bool name_chars_ok(const char *s)
{
    if (*s == '.')
        return false;
    for (; *s; s++) {
        char c = *s;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-'))
            return false;
    }
    return true;
}

int schema_parse_scalar(const schema_field *f, const char *text, void *dst)
{
    double v;
    switch (f->kind) {
    case SCHEMA_INT: {
        size_t i = (text[0] == '+' || text[0] == '-') ? 1 : 0;
        if (text[i] == '\0' || strspn(text + i, "0123456789") != strlen(text + i))
            return ECSIM_EINVAL;
        if (parse_number(text, &v) != 0 || !in_range(f, v) || fabs(v) > 2e9)
            return ECSIM_EINVAL;
        *(int *)dst = (int)v;
        return 0;
    }
    case SCHEMA_UINT64: {
        const char *p = text[0] == '+' ? text + 1 : text;
        if (*p == '\0' || strspn(p, "0123456789") != strlen(p))
            return ECSIM_EINVAL;
        uint64_t acc = 0;
        for (; *p; p++) {
            unsigned digit = (unsigned)(*p - '0');
            if (acc > (UINT64_MAX - digit) / 10)
                return ECSIM_EINVAL;
            acc = acc * 10 + digit;
        }
        *(uint64_t *)dst = acc;
        return 0;
    }
    case SCHEMA_DOUBLE:
        if (parse_number(text, &v) != 0 || !in_range(f, v))
            return ECSIM_EINVAL;
        *(double *)dst = v == 0 ? 0 : v; /* no -0 */
        return 0;
    case SCHEMA_DURATION:
        if (ecsim_parse_duration(text, &v) != 0 || !in_range(f, v))
            return ECSIM_EINVAL;
        *(double *)dst = v;
        return 0;
    case SCHEMA_BOOL:
        if (!strcmp(text, "true") || !strcmp(text, "True") || !strcmp(text, "TRUE"))
            *(bool *)dst = true;
        else if (!strcmp(text, "false") || !strcmp(text, "False") || !strcmp(text, "FALSE"))
            *(bool *)dst = false;
        else
            return ECSIM_EINVAL;
        return 0;
    case SCHEMA_STRING: {
        size_t len = strlen(text);
        if (len + 1 > f->size || (double)len < f->min)
            return ECSIM_EINVAL;
        if ((f->flags & SCHEMA_NAME_CHARS) && !name_chars_ok(text))
            return ECSIM_EINVAL;
        memcpy(dst, text, len + 1);
        return 0;
    }
    case SCHEMA_ENUM:
        for (int i = 0; f->enum_names[i]; i++) {
            if (strcmp(f->enum_names[i], text) == 0) {
                *(int *)dst = i;
                return 0;
            }
        }
        return ECSIM_EINVAL;
    case SCHEMA_INT_OR_PERCENT: {
        ecsim_int_or_percent *iop = dst;
        size_t len = strlen(text);
        if (len > 1 && text[len - 1] == '%') {
            char buf[64];
            if (len >= sizeof buf)
                return ECSIM_EINVAL;
            memcpy(buf, text, len - 1);
            buf[len - 1] = '\0';
            if (parse_number(buf, &v) != 0 || v < 0 || v > 100)
                return ECSIM_EINVAL;
            iop->value = v == 0 ? 0 : v;
            iop->percent = true;
            return 0;
        }
        int n;
        schema_field as_int = *f;
        as_int.kind = SCHEMA_INT;
        if (schema_parse_scalar(&as_int, text, &n) != 0)
            return ECSIM_EINVAL;
        iop->value = n;
        iop->percent = false;
        return 0;
    }
    case SCHEMA_SECTION:
    case SCHEMA_LIST: break;
    }
    return ECSIM_EINVAL;
}

/* ---- describing values, for messages and the reference ---- */

void schema_fmt_num(char *buf, size_t size, double v)
{
    if (v == floor(v) && fabs(v) < 1e15)
        snprintf(buf, size, "%.0f", v == 0 ? 0 : v);
    else
        snprintf(buf, size, "%.15g", v);
}

void schema_fmt_duration(char *buf, size_t size, double s)
{
    if (s != floor(s) || s >= 1e12 || s < 0) {
        schema_fmt_num(buf, size, s);
        size_t len = strlen(buf);
        if (len + 2 <= size)
            memcpy(buf + len, "s", 2);
        return;
    }
    static const struct { const char *unit; double seconds; } units[] = {
        {"d", 86400}, {"h", 3600}, {"m", 60}, {"s", 1}};
    size_t used = 0;
    buf[0] = '\0';
    double rest = s;
    for (size_t u = 0; u < 4; u++) {
        double q = floor(rest / units[u].seconds);
        if (q < 1)
            continue;
        rest -= q * units[u].seconds;
        int w = snprintf(buf + used, size - used, "%.0f%s", q, units[u].unit);
        if (w < 0 || (size_t)w >= size - used)
            return;
        used += (size_t)w;
    }
    if (used == 0)
        snprintf(buf, size, "0s");
}

static void fmt_bound(const schema_field *f, double v, char *buf, size_t size)
{
    if (f->kind == SCHEMA_DURATION)
        schema_fmt_duration(buf, size, v);
    else
        schema_fmt_num(buf, size, v);
}

/* "> 0 and <= 16" */
static void describe_range(const schema_field *f, char *buf, size_t size)
{
    char lo[48], hi[48];
    fmt_bound(f, f->min, lo, sizeof lo);
    fmt_bound(f, f->max, hi, sizeof hi);
    if (f->flags & SCHEMA_NO_MAX)
        snprintf(buf, size, "%s %s", f->flags & SCHEMA_MIN_EXCL ? ">" : ">=", lo);
    else
        snprintf(buf, size, "%s %s and %s %s", f->flags & SCHEMA_MIN_EXCL ? ">" : ">=", lo,
                 f->flags & SCHEMA_MAX_EXCL ? "<" : "<=", hi);
}

static void join_enum(const char *const *names, const char *sep, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; names[i]; i++) {
        int w = snprintf(buf + used, size - used, "%s%s", i ? sep : "", names[i]);
        if (w < 0 || (size_t)w >= size - used)
            return;
        used += (size_t)w;
    }
}

void schema_describe_expected(const schema_field *f, char *buf, size_t size)
{
    char range[128], list[512];
    switch (f->kind) {
    case SCHEMA_INT:
        describe_range(f, range, sizeof range);
        snprintf(buf, size, "an integer %s", range);
        break;
    case SCHEMA_UINT64:
        snprintf(buf, size, "an integer >= 0 and <= 18446744073709551615");
        break;
    case SCHEMA_DOUBLE:
        describe_range(f, range, sizeof range);
        snprintf(buf, size, "a number %s", range);
        break;
    case SCHEMA_DURATION:
        describe_range(f, range, sizeof range);
        snprintf(buf, size, "a duration %s (seconds, or e.g. 90s, 5m, 1h30m, 2d, 20ms)", range);
        break;
    case SCHEMA_BOOL: snprintf(buf, size, "true or false"); break;
    case SCHEMA_STRING:
        if (f->flags & SCHEMA_NAME_CHARS)
            snprintf(buf, size,
                     "a name of 1 to %zu characters from A-Z a-z 0-9 . _ -, not starting with a dot",
                     f->size - 1);
        else if (f->min >= 1)
            snprintf(buf, size, "a string of 1 to %zu characters", f->size - 1);
        else
            snprintf(buf, size, "a string of at most %zu characters", f->size - 1);
        break;
    case SCHEMA_ENUM:
        join_enum(f->enum_names, ", ", list, sizeof list);
        snprintf(buf, size, "one of %s", list);
        break;
    case SCHEMA_INT_OR_PERCENT:
        describe_range(f, range, sizeof range);
        snprintf(buf, size, "an integer %s or a percentage from 0%% to 100%% such as \"25%%\"",
                 range);
        break;
    case SCHEMA_SECTION: snprintf(buf, size, "a mapping of fields"); break;
    case SCHEMA_LIST: snprintf(buf, size, "a list"); break;
    }
}

/* ---- defaults, free, clone ---- */

void schema_apply_defaults(const schema_section *sec, void *base)
{
    for (size_t i = 0; i < sec->count; i++) {
        const schema_field *f = &sec->fields[i];
        char *p = (char *)base + f->offset;
        if (f->kind == SCHEMA_SECTION) {
            schema_apply_defaults(f->sub, p);
            continue;
        }
        if (f->kind == SCHEMA_LIST) {
            *(void **)(void *)p = NULL;
            *(size_t *)(void *)((char *)base + f->count_offset) = 0;
            continue;
        }
        if (f->flags & SCHEMA_COMPUTED) {
            if (f->kind == SCHEMA_STRING)
                p[0] = '\0';
            else
                *(double *)(void *)p = NAN;
            continue;
        }
        if (!f->def)
            continue; /* zero from the caller's calloc / memset */
        int rc = schema_parse_scalar(f, f->def, p);
        assert(rc == 0 && "a schema default does not parse");
        (void)rc;
    }
}

void schema_free_lists(const schema_section *sec, void *base)
{
    for (size_t i = 0; i < sec->count; i++) {
        const schema_field *f = &sec->fields[i];
        char *p = (char *)base + f->offset;
        if (f->kind == SCHEMA_SECTION) {
            schema_free_lists(f->sub, p);
        } else if (f->kind == SCHEMA_LIST) {
            char *items = *(char **)(void *)p;
            size_t *count = (size_t *)(void *)((char *)base + f->count_offset);
            for (size_t k = 0; items && k < *count; k++)
                schema_free_lists(f->sub, items + k * f->size);
            ecsim_free(items);
            *(void **)(void *)p = NULL;
            *count = 0;
        }
    }
}

/* Make `base` own no list memory without freeing (its lists alias another
 * struct's after a shallow copy). */
static void detach_lists(const schema_section *sec, void *base)
{
    for (size_t i = 0; i < sec->count; i++) {
        const schema_field *f = &sec->fields[i];
        char *p = (char *)base + f->offset;
        if (f->kind == SCHEMA_SECTION) {
            detach_lists(f->sub, p);
        } else if (f->kind == SCHEMA_LIST) {
            *(void **)(void *)p = NULL;
            *(size_t *)(void *)((char *)base + f->count_offset) = 0;
        }
    }
}

static int clone_lists(const schema_section *sec, void *dst, const void *src)
{
    for (size_t i = 0; i < sec->count; i++) {
        const schema_field *f = &sec->fields[i];
        char *d = (char *)dst + f->offset;
        const char *s = (const char *)src + f->offset;
        if (f->kind == SCHEMA_SECTION) {
            if (clone_lists(f->sub, d, s) != 0)
                return ECSIM_ENOMEM;
        } else if (f->kind == SCHEMA_LIST) {
            const char *items = *(char *const *)(const void *)s;
            size_t count = *(const size_t *)(const void *)((const char *)src + f->count_offset);
            if (!items || count == 0)
                continue;
            char *copy = ecsim_reallocarray(NULL, count, f->size);
            if (!copy)
                return ECSIM_ENOMEM;
            memcpy(copy, items, count * f->size);
            for (size_t k = 0; k < count; k++)
                detach_lists(f->sub, copy + k * f->size);
            *(void **)(void *)d = copy;
            *(size_t *)(void *)((char *)dst + f->count_offset) = count;
            for (size_t k = 0; k < count; k++)
                if (clone_lists(f->sub, copy + k * f->size, items + k * f->size) != 0)
                    return ECSIM_ENOMEM;
        }
    }
    return 0;
}

int schema_clone_lists(const schema_section *sec, void *dst, const void *src)
{
    detach_lists(sec, dst);
    if (clone_lists(sec, dst, src) != 0) {
        schema_free_lists(sec, dst);
        return ECSIM_ENOMEM;
    }
    return 0;
}

/* ---- suggestions ---- */

const char *schema_suggest(const schema_section *sec, const char *key)
{
    return ydoc_suggest(&sec->fields[0].key, sec->count, sizeof sec->fields[0], key);
}

const char *schema_suggest_enum(const char *const *names, const char *text)
{
    size_t n = 0;
    while (names[n])
        n++;
    return ydoc_suggest(names, n, sizeof names[0], text);
}

static bool find_elsewhere(const schema_section *sec, const schema_section *not_in,
                           const char *key, char *buf, size_t size, size_t used)
{
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < sec->count; i++) {
            const schema_field *f = &sec->fields[i];
            if (pass == 0) { /* this level first: the shallowest match wins */
                if (sec != not_in && strcmp(f->key, key) == 0) {
                    snprintf(buf + used, size - used, "%s%s", used ? "." : "", f->key);
                    return true;
                }
                continue;
            }
            if (f->kind != SCHEMA_SECTION)
                continue; /* not into lists: `base` is not `load.profile[].spike.base` */
            int w = snprintf(buf + used, size - used, "%s%s%s", used ? "." : "", f->key,
                             f->kind == SCHEMA_LIST ? "[]" : "");
            if (w < 0 || (size_t)w >= size - used)
                continue;
            if (find_elsewhere(f->sub, not_in, key, buf, size, used + (size_t)w))
                return true;
        }
    }
    buf[used] = '\0';
    return false;
}

bool schema_find_elsewhere(const schema_section *not_in, const char *key, char *buf,
                           size_t size)
{
    if (size == 0)
        return false;
    buf[0] = '\0';
    return find_elsewhere(&schema_scenario, not_in, key, buf, size, 0);
}

/* ---- the field reference ---- */

static const char *type_name(const schema_field *f)
{
    switch (f->kind) {
    case SCHEMA_INT: return "integer";
    case SCHEMA_UINT64: return "integer";
    case SCHEMA_DOUBLE: return "number";
    case SCHEMA_DURATION: return "duration";
    case SCHEMA_BOOL: return "bool";
    case SCHEMA_STRING: return "string";
    case SCHEMA_ENUM: return "enum";
    case SCHEMA_INT_OR_PERCENT: return "integer or percent";
    case SCHEMA_SECTION: return "mapping";
    case SCHEMA_LIST: return "list of mappings";
    }
    return "?";
}

static void reference_rows(FILE *out, const schema_section *sec, const char *prefix)
{
    for (size_t i = 0; i < sec->count; i++) {
        const schema_field *f = &sec->fields[i];
        char path[256], allowed[512], range[128];
        snprintf(path, sizeof path, "%s%s%s", prefix, *prefix ? "." : "", f->key);
        allowed[0] = '\0';
        switch (f->kind) {
        case SCHEMA_INT:
        case SCHEMA_DOUBLE:
        case SCHEMA_DURATION:
        case SCHEMA_INT_OR_PERCENT:
            describe_range(f, range, sizeof range);
            snprintf(allowed, sizeof allowed, "%s%s", range,
                     f->kind == SCHEMA_INT_OR_PERCENT ? ", or 0% to 100%" : "");
            break;
        case SCHEMA_UINT64: snprintf(allowed, sizeof allowed, "0 to 2^64-1"); break;
        case SCHEMA_BOOL: snprintf(allowed, sizeof allowed, "true, false"); break;
        case SCHEMA_STRING:
            snprintf(allowed, sizeof allowed, "%s%s%zu characters",
                     f->flags & SCHEMA_NAME_CHARS ? "A-Z a-z 0-9 . _ - (no leading dot), " : "",
                     f->min >= 1 ? "1 to " : "up to ", f->size - 1);
            break;
        case SCHEMA_ENUM: join_enum(f->enum_names, ", ", allowed, sizeof allowed); break;
        case SCHEMA_LIST:
            snprintf(allowed, sizeof allowed, "up to %.0f entries", f->max);
            break;
        case SCHEMA_SECTION: break;
        }
        const char *def = f->def ? f->def : "";
        if (f->flags & SCHEMA_REQUIRED)
            def = "required";
        else if (f->required_for)
            def = "required for its action";
        if (f->kind == SCHEMA_LIST)
            def = "[]";
        fprintf(out, "| `%s` | %s | %s%s%s | %s | %s |\n", path, type_name(f), *def ? "`" : "",
                def, *def ? "`" : "", allowed, f->doc);
        if (f->kind == SCHEMA_SECTION || f->kind == SCHEMA_LIST) {
            char sub_prefix[sizeof path + 2];
            snprintf(sub_prefix, sizeof sub_prefix, "%s%s", path,
                     f->kind == SCHEMA_LIST ? "[]" : "");
            reference_rows(out, f->sub, sub_prefix);
        }
    }
}

void ecsim_scenario_field_reference(FILE *out)
{
    fprintf(out, "| Field | Type | Default | Allowed | Meaning |\n");
    fprintf(out, "|---|---|---|---|---|\n");
    reference_rows(out, &schema_scenario, "");
}
