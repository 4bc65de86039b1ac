/* The CloudWatch metric alarm: the one alarm evaluator of ecsim.
 *
 * Target tracking (its AlarmHigh / AlarmLow pair, reference §1.2), step
 * scaling (the alarms that invoke it, §1.3) and `ecsim decide` all evaluate
 * their alarms here. The evaluator is pure: it takes the alarm's
 * configuration, its previous state (for treat-missing-data `ignore`) and
 * one value per alarm period, oldest first, NAN where the period has no
 * visible datapoint, and returns the new state. The caller (the policy)
 * keeps the state between evaluations and gathers the values; the
 * simulation's metric store (include/ecsim/metrics.h) produces them.
 *
 * Rules (CloudWatch "evaluation range" semantics, reference §1.2 / §7
 * [C1]): comparison against a threshold, M of N datapoints to alarm
 * (datapoints_to_alarm of evaluation_periods), an evaluation range of N +
 * evaluation_range_extra periods, the four treat-missing-data modes
 * (missing, notBreaching, breaching, ignore), and a choice of partial-data
 * rule for `missing` (ECSIM_PARTIAL_*): CloudWatch's own, or the one the
 * reference gives for target tracking (§1.2: missing data =>
 * INSUFFICIENT_DATA => no scaling; an alarm needs M real breaching
 * datapoints). */
#ifndef ECSIM_ALARM_H
#define ECSIM_ALARM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* CloudWatch alarm states (reference §1.2); NA = the policy has no such
 * alarm (printed as an empty cell of decisions.csv). */
typedef enum ecsim_alarm_state {
    ECSIM_ALARM_NA,
    ECSIM_ALARM_OK,
    ECSIM_ALARM_ALARM,
    ECSIM_ALARM_INSUFFICIENT_DATA
} ecsim_alarm_state;

typedef enum ecsim_comparison {
    ECSIM_CMP_GREATER,          /* GreaterThanThreshold */
    ECSIM_CMP_GREATER_OR_EQUAL, /* GreaterThanOrEqualToThreshold */
    ECSIM_CMP_LESS,             /* LessThanThreshold */
    ECSIM_CMP_LESS_OR_EQUAL     /* LessThanOrEqualToThreshold */
} ecsim_comparison;

typedef enum ecsim_treat_missing {
    ECSIM_MISSING_MISSING, /* default */
    ECSIM_MISSING_NOT_BREACHING,
    ECSIM_MISSING_BREACHING,
    ECSIM_MISSING_IGNORE
} ecsim_treat_missing;

/* What `missing` does when the range holds fewer than N real datapoints. */
typedef enum ecsim_alarm_partial {
    /* CloudWatch (MODEL, our reading of its missing-data table): r = 0 real
     * datapoints -> INSUFFICIENT_DATA; otherwise the r real ones are
     * evaluated alone: ALARM if at least min(M, r) breach, else OK. */
    ECSIM_PARTIAL_CLOUDWATCH,
    /* Target tracking (reference §1.2, "Missing data ... INSUFFICIENT_DATA
     * -> no scaling in either direction"): fewer than N periods of history
     * (count < N) or no real datapoint -> INSUFFICIENT_DATA; otherwise
     * ALARM only if at least M real datapoints breach, else OK (a missing
     * datapoint never helps an alarm fire). */
    ECSIM_PARTIAL_TARGET_TRACKING
} ecsim_alarm_partial;

typedef struct ecsim_alarm_config {
    ecsim_comparison comparison;
    double threshold;
    int evaluation_periods;  /* N >= 1 */
    int datapoints_to_alarm; /* M in 1..N; 0 = N */
    ecsim_treat_missing treat_missing;
    /* Extra older periods CloudWatch retrieves beyond N (the "evaluation
     * range"), so that late or missing newest datapoints are replaced by
     * older real ones. MODEL: the CloudWatch docs' example alarm with 3
     * evaluation periods shows 5 datapoints, so the default is 2. */
    int evaluation_range_extra;
    ecsim_alarm_partial partial;
} ecsim_alarm_config;

/* Defaults: >, threshold 0, 1 of 1, missing, range extra 2, CloudWatch's
 * partial-data rule. */
void ecsim_alarm_config_defaults(ecsim_alarm_config *cfg);

/* Target tracking's scale-out alarm AlarmHigh: > target, `datapoints` of
 * `periods` (reference §1.2 OBS: 3 of 3), missing, the target-tracking
 * partial-data rule and no range beyond the N newest periods (the policy
 * reads the N datapoints up to the newest published one). */
void ecsim_alarm_config_tt_high(ecsim_alarm_config *cfg, double target, int datapoints,
                                int periods);

/* Target tracking's scale-in alarm AlarmLow: < low_ratio x target (OBS
 * 0.9), `datapoints` of `periods` (OBS 15 of 15); otherwise as AlarmHigh. */
void ecsim_alarm_config_tt_low(ecsim_alarm_config *cfg, double target, double low_ratio,
                               int datapoints, int periods);

/* Check a configuration: N >= 1, 0 <= M <= N, finite threshold, range
 * extra >= 0, enums in range. 0 or ECSIM_EINVAL. */
int ecsim_alarm_config_validate(const ecsim_alarm_config *cfg);

/* One period of the evaluation range, as the evaluation saw it. */
typedef struct ecsim_alarm_point {
    double value;   /* NAN when missing */
    bool missing;   /* no datapoint (or before the first value given) */
    bool breaching; /* real and breaching, or missing treated as breaching */
    bool used;      /* counted in the M-of-N decision */
} ecsim_alarm_point;

/* The outcome of one evaluation, for explanations. */
typedef struct ecsim_alarm_result {
    ecsim_alarm_state state;
    ecsim_alarm_state previous; /* the state passed in */
    int real;                   /* real datapoints in the evaluation range */
    int breaching;              /* breaching datapoints among those used */
    int needed;                 /* breaching datapoints needed for ALARM */
    size_t range;               /* periods in the evaluation range (N + extra) */
    char reason[160];           /* in words, e.g. "3 of the newest 3 datapoints > 60 ..." */
} ecsim_alarm_result;

/* Evaluate the alarm over `values[0 .. count-1]` (one per alarm period,
 * oldest first, values[count-1] the newest period of the range; NAN =
 * missing). Periods of the range before values[0] are missing. `previous`
 * is the alarm's state before this evaluation (ECSIM_ALARM_INSUFFICIENT_DATA
 * for a new alarm, as CloudWatch creates them; NA is read as that).
 * `result` and `points` (room for result->range = N + extra entries, the
 * range oldest first) may be NULL. A configuration that fails
 * ecsim_alarm_config_validate gives INSUFFICIENT_DATA.
 *
 * The exact rule ([C1]):
 *  1. The evaluation range is the N + extra newest periods.
 *  2. If it holds >= N real values, the newest N real ones are used and the
 *     treatment of missing data does not matter: ALARM if at least M
 *     breach, else OK.
 *  3. Otherwise (r < N real values) CloudWatch uses missing datapoints "as
 *     few times as possible": the r real values plus N - r missing ones
 *     filled by the treatment (the newest missing periods):
 *     breaching / notBreaching: fills count as breaching / not breaching;
 *       ALARM if at least M of the N breach, else OK;
 *     ignore: r = 0 -> the state is kept; otherwise ALARM if the real
 *       values alone have >= M breaching, OK if they alone make M
 *       impossible (non-breaching > N - M), else the state is kept;
 *     missing: the partial-data rule of cfg->partial (ecsim_alarm_partial). */
ecsim_alarm_state ecsim_alarm_evaluate(const ecsim_alarm_config *cfg, ecsim_alarm_state previous,
                                       const double *values, size_t count,
                                       ecsim_alarm_result *result, ecsim_alarm_point *points);

/* Does `value` breach `threshold` under `cmp`? (NAN never breaches.) */
bool ecsim_alarm_breaches(ecsim_comparison cmp, double value, double threshold);

/* "OK", "ALARM", "INSUFFICIENT_DATA" or "" (NA). */
const char *ecsim_alarm_state_name(ecsim_alarm_state s);
/* ">", ">=", "<", "<=". */
const char *ecsim_comparison_symbol(ecsim_comparison cmp);
/* "missing", "notBreaching", "breaching", "ignore" (CloudWatch spelling). */
const char *ecsim_treat_missing_name(ecsim_treat_missing t);

#endif
