/* `ecsim decide`: one policy decision from an observed state.
 *
 * ecsim_decide_load() (sim/input/loader_decide.c) turns the YAML into an
 * ecsim_decide_input; here we run the very calculators the simulation uses
 * (ecsim_hpa_*, ecsim_tt_evaluate, ecsim_step_evaluate) and print the new
 * desired count, the reason and every step of the computation, as text or
 * as one JSON object (DESIGN.md "ecsim decide"). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ecsim/alloc.h"
#include "ecsim/diag.h"
#include "ecsim/error.h"
#include "ecsim/output.h"
#include "ecsim/policy.h"

static int decide_hpa(const ecsim_decide_input *in, int *desired, char *reason,
                      size_t reason_size, ecsim_steps *steps)
{
    ecsim_hpa_state st;
    ecsim_hpa_state_init(&st);
    int rc = 0;
    /* History ages become timestamps before now = 0 (decide does not seed
     * the logs with `current`). */
    for (size_t i = 0; i < in->recommendation_count && rc == 0; i++)
        rc = ecsim_hpa_state_add_recommendation(&st, -in->recommendations[i].age_s,
                                                in->recommendations[i].value);
    for (size_t i = 0; i < in->scale_event_count && rc == 0; i++)
        rc = ecsim_hpa_state_add_event(&st, -in->scale_events[i].age_s, in->scale_events[i].value);
    if (rc)
        goto done;
    int proposal = in->current;
    bool computable = !(in->current == 0 && in->hpa.min != 0) && in->current <= in->hpa.max &&
                      in->current >= in->hpa.min;
    if (in->has_proposal) {
        proposal = in->proposal;
        ecsim_steps_add(steps, "proposal given: %d (metric computation skipped)", proposal);
    } else if (computable) {
        ecsim_hpa_obs obs = {
            .now_s = 0,
            .current = in->current,
            .status_replicas = in->current,
            .pods = in->pods,
            .pod_count = in->pod_count,
            .pods_given = in->pods_given,
            .metric_value_m = in->metric_value_m,
        };
        ecsim_hpa_metric_result mr;
        rc = ecsim_hpa_replicas_for_metric(&in->hpa, &obs, &mr, steps);
        if (rc == ECSIM_ENOENT) {
            /* No usable metric: the HPA does not scale this cycle (§5.2). */
            *desired = in->current;
            snprintf(reason, reason_size, "%s; desired stays %d", mr.reason, in->current);
            rc = 0;
            goto done;
        }
        if (rc)
            goto done;
        proposal = mr.replicas;
    }
    ecsim_hpa_result r;
    rc = ecsim_hpa_reconcile(&in->hpa, &st, 0, in->current, proposal, &r, steps);
    if (rc)
        goto done;
    *desired = r.desired;
    snprintf(reason, reason_size, "%s", r.reason);

done:
    ecsim_hpa_state_free(&st);
    return rc;
}

static int decide_tt(const ecsim_decide_input *in, int *desired, char *reason, size_t reason_size,
                     ecsim_steps *steps)
{
    ecsim_tt_state st = in->tt_state;
    ecsim_tt_input ti = {
        .current = in->current,
        .min = in->min,
        .max = in->max,
        .datapoints = in->datapoints,
        .datapoint_count = in->datapoint_count,
        .deployment_in_progress = in->deployment_in_progress,
    };
    ecsim_tt_result r;
    int rc = ecsim_tt_evaluate(&in->tt, &st, &ti, &r, steps);
    if (rc)
        return rc;
    *desired = r.desired;
    snprintf(reason, reason_size, "%s", r.reason);
    return 0;
}

static int decide_step(const ecsim_decide_input *in, int *desired, char *reason,
                       size_t reason_size, ecsim_steps *steps)
{
    ecsim_step_state st = in->step_state;
    ecsim_step_result r;
    int rc = ecsim_step_evaluate(&in->step, &st, in->current, in->min, in->max, in->metric_value,
                                 &r, steps);
    if (rc)
        return rc;
    *desired = r.desired;
    snprintf(reason, reason_size, "%s", r.reason);
    return 0;
}

int ecsim_decide_run(const ecsim_decide_input *in, int *desired, char *reason,
                     size_t reason_size, ecsim_steps *steps)
{
    *desired = in->current;
    if (reason_size)
        reason[0] = '\0';
    switch (in->policy) {
    case ECSIM_POLICY_HPA: return decide_hpa(in, desired, reason, reason_size, steps);
    case ECSIM_POLICY_TARGET_TRACKING: return decide_tt(in, desired, reason, reason_size, steps);
    case ECSIM_POLICY_STEP_SCALING: return decide_step(in, desired, reason, reason_size, steps);
    default: break;
    }
    return ECSIM_EINVAL;
}

int ecsim_decide_main(const char *path, const char *format, FILE *out, FILE *err)
{
    bool json = false;
    if (format && strcmp(format, "json") == 0)
        json = true;
    else if (format && strcmp(format, "text") != 0) {
        fprintf(err, "ecsim decide: error: unknown format `%s`; valid formats: text, json\n",
                format);
        return ECSIM_EXIT_USAGE;
    }
    ecsim_diags d;
    ecsim_diags_init(&d);
    ecsim_decide_input in;
    ecsim_steps steps;
    ecsim_steps_init(&steps);
    int code = ECSIM_EXIT_OK;
    int rc = ecsim_decide_load(path, &in, &d);
    if (rc) {
        ecsim_diags_print(&d, err);
        code = rc == ECSIM_EIO ? ECSIM_EXIT_IO : rc == ECSIM_ENOMEM ? ECSIM_EXIT_FAIL
                                                                    : ECSIM_EXIT_USAGE;
        goto cleanup;
    }
    int desired;
    char reason[256];
    rc = ecsim_decide_run(&in, &desired, reason, sizeof reason, &steps);
    if (rc) {
        fprintf(err, "%s: error: %s\n", path, ecsim_strerror(rc));
        code = rc == ECSIM_ENOMEM ? ECSIM_EXIT_FAIL : ECSIM_EXIT_USAGE;
        goto cleanup;
    }
    if (steps.oom) {
        fprintf(err, "%s: error: out of memory\n", path);
        code = ECSIM_EXIT_FAIL;
        goto cleanup;
    }
    if (json) {
        fprintf(out, "{\"desired\": %d, \"reason\": ", desired);
        ecsim_json_write_string(out, reason);
        fputs(", \"steps\": [", out);
        for (size_t i = 0; i < steps.count; i++) {
            if (i)
                fputs(", ", out);
            ecsim_json_write_string(out, steps.lines[i]);
        }
        fputs("]}\n", out);
    } else {
        fprintf(out, "desired: %d\n", desired);
        fprintf(out, "reason: %s\n", reason);
        for (size_t i = 0; i < steps.count; i++)
            fprintf(out, "- %s\n", steps.lines[i]);
    }
    if (fflush(out) != 0 || ferror(out)) {
        fprintf(err, "ecsim decide: error: cannot write the output\n");
        code = ECSIM_EXIT_IO;
    }

cleanup:
    ecsim_steps_free(&steps);
    ecsim_decide_input_free(&in);
    ecsim_diags_free(&d);
    return code;
}
