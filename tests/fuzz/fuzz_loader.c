/* libFuzzer target for the YAML front end (sim/input/yaml_doc.c) through
 * the scenario loader and `ecsim decide`'s input: any bytes, as a file and
 * with a --set override derived from the input, must load or be rejected
 * cleanly: no crash, no sanitizer report, no leak (`make fuzz`). A scenario
 * that loads also goes through the policies' own checks and the work
 * estimate (sim/input/work.c), whose figures must be finite or +inf, never
 * NaN, for any valid scenario. */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "ecsim/alloc.h"
#include "ecsim/loader.h"
#include "ecsim/policy.h"
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void load_once(const char *text, size_t len, const char *const *sets, size_t nsets)
{
    ecsim_diags d;
    ecsim_diags_init(&d);
    ecsim_scenario *sc = ecsim_scenario_load_string(text, len, "fuzz.yaml", sets, nsets, &d);
    if (sc) {
        ecsim_scenario *copy = ecsim_scenario_clone(sc);
        ecsim_scenario_free(copy);
        if (ecsim_policy_validate(sc, &d) == 0) {
            ecsim_work_estimate w;
            ecsim_scenario_work(sc, &w);
            if (isnan(w.units) || !(w.units >= 0))
                abort(); /* a valid scenario whose work cannot be estimated */
            (void)ecsim_work_check(sc, NULL, "fuzz.yaml", &d);
        }
    }
    ecsim_scenario_free(sc);
    ecsim_diags_free(&d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    load_once((const char *)data, size, NULL, 0);
    ecsim_diags d;
    ecsim_diags_init(&d);
    ecsim_decide_input in;
    ecsim_decide_load_string((const char *)data, size, "fuzz.yaml", &in, &d);
    ecsim_decide_input_free(&in);
    ecsim_diags_free(&d);

    /* The first line (up to 200 bytes) becomes a --set; the rest is the file. */
    char set[256];
    size_t n = 0;
    while (n < size && n < 200 && data[n] != '\n' && data[n] != '\0')
        n++;
    memcpy(set, data, n);
    set[n] = '\0';
    const char *sets[1] = {set};
    size_t rest = n < size ? n + 1 : n;
    load_once((const char *)data + rest, size - rest, sets, 1);
    return 0;
}
