/* `ecsim decide`: one policy decision from an observed state.
 *
 * ecsim_decide_load() (sim/cli/decide_input.c) turns the YAML into an
 * ecsim_decide_input; here we run the policy's decide entry (the very
 * calculators the simulation uses, sim/policy/policy_NAME.c) and print the new
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

int ecsim_decide_run(const ecsim_decide_input *in, int *desired, char *reason,
                     size_t reason_size, ecsim_steps *steps)
{
    *desired = in->current;
    if (reason_size)
        reason[0] = '\0';
    /* The policy's own decide entry (sim/policy/policy_NAME.c). */
    const ecsim_policy_entry *e = ecsim_policy_for_kind(in->policy);
    if (e && e->ops->decide)
        return e->ops->decide(in, desired, reason, reason_size, steps);
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
