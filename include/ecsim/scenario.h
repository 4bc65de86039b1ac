/* The scenario: a validated, plain description of one simulation.
 *
 * The loader (loader.h) is the only code that sees YAML; it produces this
 * struct with every default filled in and every field range-checked, and
 * nothing after it needs to re-validate (STYLE.md rule 5). Defaults come
 * from ../shared/reference/aws-k8s-semantics.md; where the reference marks
 * a value OBS or MODEL, it is a field here so users can change it.
 *
 * Units: every duration is in seconds (`_s`), sizes in MB, rates per second
 * unless the name says otherwise. Strings are fixed-size and NUL-terminated;
 * lists are arrays owned by the scenario and freed by
 * ecsim_scenario_free(). */
#ifndef ECSIM_SCENARIO_H
#define ECSIM_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ECSIM_NAME_MAX 64
#define ECSIM_PATH_MAX 512
/* The largest request rate, requests/s, wherever a rate is given: a profile
 * segment, a trace row or a --set (sim/input/schema.c, datafile.c). */
#define ECSIM_RATE_MAX 1e9

typedef enum ecsim_platform {
    ECSIM_PLATFORM_FARGATE,
    ECSIM_PLATFORM_EC2,
    ECSIM_PLATFORM_EKS,
    ECSIM_PLATFORM_EKS_FARGATE   /* EKS pods on Fargate (reference §5.5b) */
} ecsim_platform;

/* A count given either as an absolute number or as a percentage (Kubernetes
 * IntOrString, e.g. maxSurge "25%" or 2). */
typedef struct ecsim_int_or_percent {
    double value;
    bool percent;
} ecsim_int_or_percent;

/* ---- image and registry ------------------------------------------------ */

typedef struct ecsim_image_spec {
    char name[ECSIM_NAME_MAX];   /* repository name; default "app" */
    char tag[ECSIM_NAME_MAX];    /* default "1.0" */
    double size_mb;              /* compressed image size; default 250 */
    double build_time_s;         /* docker build; default 120 */
} ecsim_image_spec;

typedef struct ecsim_registry_spec {
    bool push;                   /* push the built image; default true */
    double push_mb_per_s;        /* default 10 */
    double pull_mb_per_s;        /* default 10 (250 MB in 25 s: reference §2.5 "20-40 s in-VPC") */
    bool immutable_tags;         /* repository tag immutability (reference §4); default false */
} ecsim_registry_spec;

/* ---- service ----------------------------------------------------------- */

typedef struct ecsim_task_spec {
    double vcpu;                 /* default 0.5 */
    double memory_gb;            /* default 1 */
    double provisioning_time_s;  /* PROVISIONING: capacity + ENI attach; default 6 (reference §2.3 "< 10 s") */
    double start_time_s;         /* container start after the pull; default 10 */
    double activating_time_s;    /* ACTIVATING: registrations; default 2 */
    double stop_timeout_s;       /* STOPPING: SIGTERM -> SIGKILL; default 30 (reference §2.1) */
    double capacity_rps;         /* requests/s one task serves at 100 % CPU; default 100 */
    double health_check_grace_s; /* healthCheckGracePeriodSeconds; default 0 (reference §2.1) */
    double cpu_idle_pct;         /* CPU % at zero load; default 2 */
    double memory_idle_pct;      /* memory % of reservation at zero load; default 30 */
    double memory_busy_pct;      /* memory % at full load; default 60 */
    double start_jitter_cv;      /* spread of provisioning, pull and start times: each is
                                    multiplied by a lognormal factor of mean 1 and this CV;
                                    default 0 (fixed times; reference §8 gap 4) */
    int image_pull_policy;       /* eks only: ecsim_image_pull_policy; default if_not_present */
} ecsim_task_spec;

typedef struct ecsim_load_balancer_spec {
    bool enable;                     /* tasks behind an ALB target group; default false */
    double health_check_interval_s;  /* default 30 (reference §2.1) */
    int healthy_threshold;           /* default 5 */
    int unhealthy_threshold;         /* default 2 */
    double deregistration_delay_s;   /* default 300 */
} ecsim_load_balancer_spec;

typedef struct ecsim_circuit_breaker_spec {
    bool enable;                 /* default false (API default) */
    bool rollback;               /* default false */
    int min_threshold;           /* default 3 (reference §2.2, [D4]; historically 10) */
    bool skip_if_running;        /* the documented caveat: a deployment started while a task
                                    runs is not watched; default false (§2.2, §8 gap 3) */
} ecsim_circuit_breaker_spec;

typedef struct ecsim_deployment_spec {
    double min_healthy_percent;  /* default 100 (reference §2.1) */
    double max_percent;          /* default 200 */
    ecsim_circuit_breaker_spec circuit_breaker;
    ecsim_int_or_percent max_surge;       /* eks; default 25 % (reference §5.4) */
    ecsim_int_or_percent max_unavailable; /* eks; default 25 % */
    double progress_deadline_s;  /* eks; default 600 */
} ecsim_deployment_spec;

typedef enum ecsim_placement {
    ECSIM_PLACEMENT_BINPACK,
    ECSIM_PLACEMENT_SPREAD,
    ECSIM_PLACEMENT_RANDOM
} ecsim_placement;

/* ECS_IMAGE_PULL_BEHAVIOR of the ECS container agent on EC2 instances
 * (reference §2.5b). */
typedef enum ecsim_image_pull_behavior {
    ECSIM_PULL_BEHAVIOR_DEFAULT,        /* pull again (layers cached); on failure use the cache */
    ECSIM_PULL_BEHAVIOR_ALWAYS,         /* pull again; on failure the task fails */
    ECSIM_PULL_BEHAVIOR_ONCE,           /* no pull once a task on the instance pulled it */
    ECSIM_PULL_BEHAVIOR_PREFER_CACHED   /* no pull when a cached copy exists */
} ecsim_image_pull_behavior;

/* Kubernetes imagePullPolicy of the pod's container (reference §2.5b, §5.4). */
typedef enum ecsim_image_pull_policy {
    ECSIM_PULL_POLICY_IF_NOT_PRESENT,   /* pull only when the node lacks the image */
    ECSIM_PULL_POLICY_ALWAYS,           /* resolve the tag every start; cached layers reused */
    ECSIM_PULL_POLICY_NEVER             /* never pull: ErrImageNeverPull without a cached copy */
} ecsim_image_pull_policy;

typedef struct ecsim_managed_scaling_spec {
    bool enable;                 /* default true */
    double target_capacity;      /* (0, 100]; default 100 (reference §3.1) */
    int min_step;                /* default 1 */
    int max_step;                /* default 10000 */
    double warmup_s;             /* instanceWarmupPeriod; default 300 */
    /* OBS / MODEL values of reference §3.1, §5.5 and §8 gap 5; 0 = the
     * platform's default (ECS capacity provider on ec2, Cluster Autoscaler on eks). */
    int alarm_high_datapoints;   /* ECS: 1 datapoint above target to scale out */
    int alarm_low_datapoints;    /* ECS: 15 datapoints below target to scale in */
    double scale_in_max_percent; /* ECS: at most this % of instances removed per minute: 50 */
    double replacement_delay_s;  /* a lost instance is replaced after this: 60 */
    double scale_down_unneeded_s;        /* eks: node empty this long is removed: 600 */
    double scale_down_delay_after_add_s; /* eks: no scale-down this soon after a scale-up: 600 */
} ecsim_managed_scaling_spec;

typedef struct ecsim_cluster_spec {     /* ec2 / eks only */
    char instance_type[ECSIM_NAME_MAX]; /* default "m5.large" */
    double vcpu;                 /* per instance; default 2 */
    double memory_gb;            /* per instance; default 8 */
    int instances;               /* at start; default 2 */
    int min_instances;           /* default 0 */
    int max_instances;           /* default 10 */
    double boot_time_s;          /* median launch -> registered; default 60 (reference §3.3) */
    double boot_time_p95_s;      /* lognormal p95; default 180 */
    ecsim_placement placement;   /* default binpack */
    ecsim_managed_scaling_spec managed_scaling;
    int image_pull_behavior;     /* ec2 only: ecsim_image_pull_behavior; default default */
} ecsim_cluster_spec;

typedef struct ecsim_throttle_spec {   /* service throttle (reference §2.4 item 4, MODEL) */
    double initial_s;            /* first delay; default 10 */
    double multiplier;           /* default 2 */
    double max_s;                /* default 900 (15 min) */
} ecsim_throttle_spec;

typedef struct ecsim_launch_limits_spec {
    double fargate_burst;        /* token bucket size; default 100 (reference §2.5) */
    double fargate_rate_per_s;   /* sustained; default 20 */
    double tasks_per_minute;     /* service scheduler; 0 = platform default (500 Fargate, 250 EC2) */
    double vcpu_quota;           /* Fargate vCPUs the account may run at once; 0 = no limit (§2.6) */
} ecsim_launch_limits_spec;

typedef struct ecsim_service_spec {
    char name[ECSIM_NAME_MAX];   /* default: the image name */
    ecsim_platform platform;     /* default fargate */
    double provision_time_s;     /* create the service; default 60 */
    int desired;                 /* initial desired count; default 2 */
    int availability_zones;      /* default 3 */
    ecsim_task_spec task;
    ecsim_load_balancer_spec load_balancer;
    ecsim_deployment_spec deployment;
    ecsim_cluster_spec cluster;
    ecsim_throttle_spec throttle;
    ecsim_launch_limits_spec launch_limits;
} ecsim_service_spec;

/* ---- load ---------------------------------------------------------------- */

typedef enum ecsim_load_mode {
    ECSIM_LOAD_FLUID,
    ECSIM_LOAD_REQUESTS
} ecsim_load_mode;

/* The shape of one profile segment; exactly one shape key per segment. */
typedef enum ecsim_shape {
    ECSIM_SHAPE_CONSTANT,  /* rps: X */
    ECSIM_SHAPE_RAMP,      /* ramp_to: X (from the level where the previous segment ended) */
    ECSIM_SHAPE_SINE,      /* sine: {mean, amplitude, period, phase} */
    ECSIM_SHAPE_DIURNAL,   /* diurnal: {min, max, peak_at} (24 h cosine) */
    ECSIM_SHAPE_SPIKE,     /* spike: {base, peak, at, duration} */
    ECSIM_SHAPE_STEP       /* step: {from, to, at} */
} ecsim_shape;

typedef struct ecsim_load_segment {
    double until_s;              /* end of the segment (absolute); required */
    ecsim_shape shape;
    double rps;                  /* constant */
    double ramp_to;              /* ramp */
    struct { double mean, amplitude, period_s, phase_s; } sine;
    struct { double min, max, peak_at_s; } diurnal;
    struct { double base, peak, at_s, duration_s; } spike;   /* at_s absolute */
    struct { double from, to, at_s; } step;                  /* at_s absolute */
} ecsim_load_segment;

typedef enum ecsim_service_dist {
    ECSIM_DIST_EXPONENTIAL,
    ECSIM_DIST_DETERMINISTIC,
    ECSIM_DIST_LOGNORMAL,
    ECSIM_DIST_UNIFORM,
    ECSIM_DIST_EMPIRICAL
} ecsim_service_dist;

typedef enum ecsim_routing {
    ECSIM_ROUTING_SHARED_QUEUE,
    ECSIM_ROUTING_ROUND_ROBIN,
    ECSIM_ROUTING_RANDOM,
    ECSIM_ROUTING_LEAST_OUTSTANDING
} ecsim_routing;

typedef struct ecsim_requests_spec {
    ecsim_service_dist dist;     /* default exponential */
    double mean_s;               /* mean service time; default 1 / task.capacity_rps */
    double cv;                   /* lognormal coefficient of variation; default 1 */
    double min_s, max_s;         /* uniform bounds; default 0 and 2 x mean */
    char empirical_file[ECSIM_PATH_MAX]; /* CSV of service times for `empirical` */
    int concurrency;             /* slots per task; default 1 */
    int queue_limit;             /* per task (shared_queue: per task x tasks); default 100 */
    ecsim_routing routing;       /* default least_outstanding */
    double timeout_s;            /* abandon after waiting this long; default 5 (0 = never) */
    char arrivals_file[ECSIM_PATH_MAX]; /* CSV of request arrival times (s) replayed instead of
                                           Poisson arrivals; relative to the scenario file;
                                           "" = none; excludes profile, trace and noise */
    double slo_p99_s;            /* p99 latency SLO: a line on the latency plot and the
                                    summary's breach time; default 0 = none */
    /* Read from the files above by the loader (include/ecsim/loader.h), owned
     * by the scenario (ecsim_scenario_free frees them, ecsim_scenario_clone
     * copies them); the model uses these and never opens the files. */
    double *arrival_times;       /* arrivals_file's times before duration, in order */
    size_t arrival_count;
    double *empirical_s;         /* empirical_file's service times (requests mode) */
    size_t empirical_count;
} ecsim_requests_spec;

typedef struct ecsim_noise_spec {
    double cv;                   /* multiplicative noise; default 0 = none */
    double interval_s;           /* a new noise factor every interval; default 60 */
} ecsim_noise_spec;

/* A load trace as the loader read it: `count` rows, times strictly
 * increasing, rates >= 0 (include/ecsim/load.h gives the semantics). */
typedef struct ecsim_trace_data {
    double *t;
    double *rps;
    size_t count;
} ecsim_trace_data;

typedef struct ecsim_load_spec {
    ecsim_load_mode mode;        /* default fluid */
    ecsim_load_segment *profile; /* ordered by until_s */
    size_t profile_count;        /* 0 and no trace = constant 0 rps */
    char trace[ECSIM_PATH_MAX];  /* CSV `time,rps`; alternative to profile ("" = none) */
    ecsim_trace_data trace_data; /* `trace` as read by the loader; owned like arrival_times */
    ecsim_noise_spec noise;
    ecsim_requests_spec requests;
} ecsim_load_spec;

/* ---- autoscaler ------------------------------------------------------------ */

/* The policies of `autoscaler.policy`, in the order of their names: X(KIND,
 * name). This is the one list of policy identities: the enum below, the
 * schema's names (sim/input/schema.c) and the policy registry
 * (sim/policy/policy.c, which pairs each with its ops and checks at compile
 * time that every kind has one) are generated from it. It lives here, in
 * the scenario's vocabulary, because the loader must parse the names and
 * sits below the policies. Adding a policy: one line here, one registry
 * line, one sim/policy/policy_NAME.c. */
#define ECSIM_POLICY_KINDS(X)                                                              \
    X(NONE, none)                                                                          \
    X(TARGET_TRACKING, target_tracking)                                                    \
    X(STEP_SCALING, step_scaling)                                                          \
    X(SCHEDULED, scheduled)                                                                \
    X(HPA, hpa)                                                                            \
    X(PREDICTIVE, predictive)

#define ECSIM_POLICY_KIND_ENUM_(kind, name) ECSIM_POLICY_##kind,
typedef enum ecsim_policy_kind {
    ECSIM_POLICY_KINDS(ECSIM_POLICY_KIND_ENUM_)
    ECSIM_POLICY_KIND_COUNT
} ecsim_policy_kind;
#undef ECSIM_POLICY_KIND_ENUM_

/* Policy settings that are both scenario vocabulary and policy
 * configuration (include/ecsim/policy.h uses them; the loader stores them
 * in the spec's int members). */
#define ECSIM_STEP_MAX 20          /* AAS allows at most 20 step adjustments */

typedef enum ecsim_adjustment_type {
    ECSIM_ADJ_CHANGE_IN_CAPACITY,
    ECSIM_ADJ_PERCENT_CHANGE_IN_CAPACITY,
    ECSIM_ADJ_EXACT_CAPACITY
} ecsim_adjustment_type;

typedef enum ecsim_aggregation {
    ECSIM_AGG_AVERAGE,             /* default (reference §1.3) */
    ECSIM_AGG_MINIMUM,
    ECSIM_AGG_MAXIMUM
} ecsim_aggregation;

typedef struct ecsim_scheduled_action {
    double at_s;                   /* when (virtual time) */
    bool has_min;
    int min;                       /* new MinCapacity */
    bool has_max;
    int max;                       /* new MaxCapacity */
} ecsim_scheduled_action;

typedef enum ecsim_hpa_metric_type {
    ECSIM_HPA_METRIC_RESOURCE,
    ECSIM_HPA_METRIC_PODS,
    ECSIM_HPA_METRIC_OBJECT,
    ECSIM_HPA_METRIC_EXTERNAL
} ecsim_hpa_metric_type;

typedef enum ecsim_hpa_select {
    ECSIM_HPA_SELECT_MAX,
    ECSIM_HPA_SELECT_MIN,
    ECSIM_HPA_SELECT_DISABLED
} ecsim_hpa_select;

#define ECSIM_HPA_POLICY_MAX 8

typedef enum ecsim_forecast_method {
    ECSIM_FORECAST_SEASONAL_NAIVE, /* the same hour one season earlier (default) */
    ECSIM_FORECAST_HOLT_WINTERS    /* additive level + trend + daily season */
} ecsim_forecast_method;

#define ECSIM_FORECAST_MAX 336     /* 14 days of hourly values */

/* Target tracking's capacity formula D = ceil(C x m / T) is unpublished
 * (reference §1.2 MODEL, §8 gap 1): which C and which m are parameters. */
typedef enum ecsim_tt_basis {
    ECSIM_TT_BASIS_DESIRED,        /* C = the current desired count */
    ECSIM_TT_BASIS_RUNNING         /* C = the tasks RUNNING at the evaluation (reference §1.2) */
} ecsim_tt_basis;

typedef enum ecsim_tt_value {
    ECSIM_TT_VALUE_LATEST,         /* m = the most recent datapoint (the reference's MODEL) */
    ECSIM_TT_VALUE_ALARM_AVERAGE   /* m = the average of the datapoints the alarm evaluated */
} ecsim_tt_value;

typedef enum ecsim_metric_kind {
    ECSIM_METRIC_CPU,
    ECSIM_METRIC_MEMORY,
    ECSIM_METRIC_REQUESTS_PER_TARGET
} ecsim_metric_kind;

/* A CloudWatch alarm's "M of N": `datapoints` breaching of the last
 * `periods` (datapoints <= periods). */
typedef struct ecsim_alarm_spec {
    int datapoints;
    int periods;
} ecsim_alarm_spec;

/* One step adjustment of step scaling (reference §1.3). Bounds are relative
 * to the alarm threshold; NAN = unbounded (lower: -infinity, upper:
 * +infinity). */
typedef struct ecsim_step_spec {
    double lower;                /* MetricIntervalLowerBound; NAN = none */
    double upper;                /* MetricIntervalUpperBound; NAN = none */
    int adjustment;              /* ScalingAdjustment; required */
} ecsim_step_spec;

/* Step scaling: one policy invoked by the alarm(s) on `threshold`, with
 * steps above it (scale-out) and below it (negative bounds, scale-in); maps
 * 1:1 onto ecsim_step_config (include/ecsim/policy.h). Enum-valued members
 * hold the enum values above (schema.c asserts that the YAML names line
 * up with them). */
typedef struct ecsim_step_scaling_spec {
    double threshold;            /* alarm threshold; NAN (default) = autoscaler.target */
    int adjustment_type;         /* ecsim_adjustment_type; default change_in_capacity */
    int min_adjustment_magnitude;/* percent only; default 0 */
    int aggregation;             /* ecsim_aggregation; default average (reference §1.3) */
    double cooldown_s;           /* NAN (default) = autoscaler.scale_out_cooldown (300 s) */
    int alarm_datapoints;        /* the invoking alarm: M of N; default 1 of 1 (MODEL) */
    int alarm_periods;
    ecsim_step_spec *steps;      /* in any order; no overlap, no gap (reference §1.3) */
    size_t step_count;
} ecsim_step_scaling_spec;

/* HPA scaling-policy type (reference §5.3). */
typedef enum ecsim_hpa_policy_type {
    ECSIM_HPA_POLICY_PODS,
    ECSIM_HPA_POLICY_PERCENT
} ecsim_hpa_policy_type;

typedef struct ecsim_hpa_policy_spec {
    ecsim_hpa_policy_type type;  /* required */
    int value;                   /* > 0; required */
    double period_s;             /* periodSeconds, (0, 1800]; required */
} ecsim_hpa_policy_spec;

/* One direction of an HPA behavior. Anything not given takes the §5.3
 * default of its direction. */
typedef struct ecsim_hpa_rules_spec {
    double stabilization_window_s; /* NAN (default) = 0 up, downscale_stabilization down */
    int select_policy;           /* ecsim_hpa_select; default max */
    ecsim_hpa_policy_spec *policies; /* empty = the direction's defaults */
    size_t policy_count;
} ecsim_hpa_rules_spec;

typedef struct ecsim_hpa_behavior_spec {
    ecsim_hpa_rules_spec scale_up;
    ecsim_hpa_rules_spec scale_down;
} ecsim_hpa_behavior_spec;

/* The HPA's metric (DESIGN.md "ecsim decide" uses the same keys). */
typedef struct ecsim_hpa_scaling_metric_spec {
    int type;                    /* ecsim_hpa_metric_type: resource (default) or pods */
    ecsim_metric_kind name;      /* resource: cpu or memory; default autoscaler.metric when
                                    that is cpu or memory, else cpu (set by the loader) */
    double target_utilization;   /* resource: % of request; NAN (default) = autoscaler.target */
    double target_average_value; /* pods: milli-units per pod; NAN = not given (required) */
} ecsim_hpa_scaling_metric_spec;

/* At most this many metrics beside hpa.metric (autoscaler.hpa.metrics). */
#define ECSIM_HPA_MORE_METRICS_MAX 7

/* Kubernetes HPA settings (reference §5.1-5.3); min / max are
 * autoscaler.min / max. */
typedef struct ecsim_hpa_spec {
    ecsim_hpa_scaling_metric_spec metric;
    double tolerance;            /* both directions; default 0.1 (§5.1) */
    double cpu_initialization_period_s; /* default 300 */
    double initial_readiness_delay_s;   /* default 30 */
    double downscale_stabilization_s;   /* legacy window; default 300 */
    double metric_resolution_s;  /* metrics-server --metric-resolution: scrape interval and CPU
                                    window; default 15 (reference §5.1 [K11]) */
    bool has_behavior;           /* `behavior` given: the behavior path (set by the loader) */
    ecsim_hpa_behavior_spec behavior;
    /* More metrics beside `metric` (spec.metrics[1..]): desired = max over
     * all metrics; if all fail, or some fail and the max would scale down,
     * no scaling this cycle (reference §5.2). A resource metric here with no
     * target_utilization takes autoscaler.target; `name` defaults to cpu. */
    ecsim_hpa_scaling_metric_spec *metrics;
    size_t metric_count;         /* 0 (default) .. ECSIM_HPA_MORE_METRICS_MAX */
} ecsim_hpa_spec;

/* AWS predictive scaling (reference §1.5), combined with target tracking. */
typedef struct ecsim_predictive_spec {
    int method;                  /* ecsim_forecast_method; default seasonal_naive (MODEL) */
    double min_history_s;        /* default 86400 (24 h) */
    double refresh_s;            /* default 21600 (6 h) */
    double resolution_s;         /* default 3600 (hourly) */
    double horizon_s;            /* default 172800 (48 h) */
    double scheduling_buffer_s;  /* default 300; < resolution */
    double season_s;             /* default 86400 (MODEL) */
    double alpha, beta, gamma;   /* Holt-Winters; default 0.5, 0.05, 0.3 (MODEL) */
} ecsim_predictive_spec;

/* One more target-tracking policy on the service beside the main
 * (autoscaler.metric, autoscaler.target) one, with its own AlarmHigh /
 * AlarmLow pair and cooldown state; the alarm shapes and the scale-in ratio
 * are the common ones (reference §1.2: scale out if any policy says out,
 * scale in only if all scale-in-enabled policies say in, the largest
 * capacity wins). */
typedef struct ecsim_tt_policy_spec {
    ecsim_metric_kind metric;    /* required */
    double target;               /* TargetValue, > 0; required */
    bool disable_scale_in;       /* default false */
    double scale_out_cooldown_s; /* NAN (default) = autoscaler.scale_out_cooldown */
    double scale_in_cooldown_s;  /* NAN (default) = autoscaler.scale_in_cooldown */
} ecsim_tt_policy_spec;

/* At most this many target-tracking policies beside the main one. */
#define ECSIM_TT_MORE_MAX 7

/* The autoscaler: the common fields, then each policy's own settings (a
 * policy reads only its own section; the others keep their defaults).
 * Scheduled actions are ecsim_scheduled_action (above) so that the policy
 * configuration can point into this list; has_min / has_max are set by the
 * loader from which keys were given, and the list is sorted stably by time. */
typedef struct ecsim_autoscaler_spec {
    ecsim_policy_kind policy;    /* default none */
    int min;                     /* MinCapacity; default 1 */
    int max;                     /* MaxCapacity; default 10 */
    ecsim_metric_kind metric;    /* default cpu */
    double target;               /* target value; default 60 (HPA: 80, reference §5.1) */
    double scale_out_cooldown_s; /* default 300 (reference §1.2) */
    double scale_in_cooldown_s;  /* default 300 */
    bool disable_scale_in;       /* default false */
    /* target tracking (and predictive's target tracking), reference §1.2 (OBS) */
    ecsim_alarm_spec alarm_high; /* default 3 of 3 */
    ecsim_alarm_spec alarm_low;  /* default 15 of 15 */
    double scale_in_ratio;       /* AlarmLow threshold = ratio x target, (0, 1); default 0.9 */
    ecsim_tt_basis capacity_basis; /* default running */
    ecsim_tt_value metric_value;   /* default latest */
    /* target_tracking only: more policies beside (metric, target) */
    ecsim_tt_policy_spec *target_tracking_policies;
    size_t target_tracking_policy_count; /* default 0 */
    ecsim_step_scaling_spec step_scaling;
    struct ecsim_scheduled_action *scheduled; /* sorted by at_s (stable) */
    size_t scheduled_count;
    ecsim_hpa_spec hpa;
    ecsim_predictive_spec predictive;
} ecsim_autoscaler_spec;

/* ---- monitoring ------------------------------------------------------------- */

typedef struct ecsim_monitoring_spec {
    double period_s;             /* metric period; default 60 (reference §7) */
    double lag_min_s;            /* publication lag U(min, max); default 30 */
    double lag_max_s;            /* default 150 */
} ecsim_monitoring_spec;

/* ---- operations and faults ---------------------------------------------------- */

typedef enum ecsim_action {
    ECSIM_ACTION_DEPLOY,
    ECSIM_ACTION_KILL_TASKS,
    ECSIM_ACTION_SCALE,
    ECSIM_ACTION_AZ_OUTAGE,
    ECSIM_ACTION_REGISTRY_OUTAGE,
    ECSIM_ACTION_FAIL_INSTANCES,
    ECSIM_ACTION_SPOT_INTERRUPTION
} ecsim_action;

typedef enum ecsim_defect {
    ECSIM_DEFECT_NONE,
    ECSIM_DEFECT_CRASH,          /* containers exit soon after start */
    ECSIM_DEFECT_UNHEALTHY       /* containers run but fail health checks */
} ecsim_defect;

typedef struct ecsim_event_spec {
    double at_s;                 /* required */
    ecsim_action action;         /* required */
    char tag[ECSIM_NAME_MAX];    /* deploy: the new tag */
    bool build;                  /* deploy: build and push the tag first; default true */
    ecsim_defect defect;         /* deploy: default none */
    int count;                   /* kill_tasks, fail_instances, spot_interruption; default 1 */
    int desired;                 /* scale */
    int az;                      /* az_outage: 1-based zone */
    double duration_s;           /* az_outage, registry_outage; default 600 */
} ecsim_event_spec;

/* ---- pricing (reference §6, us-east-1 on-demand) ------------------------------ */

typedef struct ecsim_pricing_spec {
    double fargate_vcpu_hour;    /* default 0.04048 */
    double fargate_gb_hour;      /* default 0.004445 */
    double instance_hour;        /* default: the instance type's price (m5.large 0.096) */
    double eks_cluster_hour;     /* EKS control plane; default 0.10 ([P5]) */
    double registry_gb_month;    /* default 0.10 */
    double spot_discount;        /* default 0.70 */
} ecsim_pricing_spec;

/* ---- quiz (`ecsim quiz`) ------------------------------------------------------------ */

/* One range of `quiz.vary`: variant k of a quiz draws a value of `field`
 * from [min, max] (whole numbers when both bounds are) and applies it like
 * `--set field=value`. Written `quiz: {vary: {image.size_mb: [100, 500]}}`
 * or as a list of {field, min, max}. */
typedef struct ecsim_quiz_range {
    char field[96];              /* dotted path of a number field, as for --set */
    double min, max;             /* required; min <= max */
} ecsim_quiz_range;

typedef struct ecsim_quiz_spec {
    ecsim_quiz_range *vary;      /* default none */
    size_t vary_count;
} ecsim_quiz_spec;

/* ---- the scenario ---------------------------------------------------------------- */

typedef struct ecsim_scenario {
    char name[ECSIM_NAME_MAX];   /* required; [A-Za-z0-9._-], used as the output folder */
    char description[256];       /* optional one-liner */
    uint64_t seed;               /* default 1 */
    double duration_s;           /* default 3600 */
    ecsim_image_spec image;
    ecsim_registry_spec registry;
    ecsim_service_spec service;
    ecsim_load_spec load;
    ecsim_autoscaler_spec autoscaler;
    ecsim_monitoring_spec monitoring;
    ecsim_event_spec *events;    /* ordered by at_s (stable) */
    size_t event_count;
    ecsim_pricing_spec pricing;
    ecsim_quiz_spec quiz;

    /* Provenance, filled by the loader. */
    char source_path[ECSIM_PATH_MAX];
    char sha256[65];             /* hex SHA-256 of the file bytes, then of each "\n--set K=V" */
    /* Where each field was given (owned; NULL for a default or cloned
     * scenario): for the checks run after loading, ecsim_scenario_report. */
    struct ecsim_scenario_where *where;
} ecsim_scenario;

#endif
