/* The HPA sees what metrics-server saw (reference §5.1 [K11], §5.2): a
 * pod's CPU is its usage averaged over the window between two scrapes
 * (autoscaler.hpa.metric_resolution, 15 s by default), timestamped at the
 * scrape, not the load at the sync instant.
 *
 * The run: two pods on EKS (min = max = 2, so the pod set stays put),
 * 100 requests/s each at 100 % CPU, idle 2 %. Demand 50 requests/s until
 * 1195 s, then 150: a pod's CPU is 2 + 98 x 50/200 = 26.5 % before the
 * step and 2 + 98 x 150/200 = 75.5 % after it. The sync at 1200 s reads
 * the scrape at 1200 s:
 *   resolution 15 s: window [1185, 1200]: (10 x 26.5 + 5 x 75.5) / 15
 *                    = 42.83 % -> int 42 % (the instantaneous load: 75 %)
 *   resolution 30 s: window [1170, 1200]: (25 x 26.5 + 5 x 75.5) / 30
 *                    = 34.67 % -> int 34 %
 * and the sync at 1215 s, the window [1200, 1215] wholly after the step:
 * 75.5 % -> 75 %. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char base_yaml[] = "name: hpa-window\n"
                                "duration: 25m\n"
                                "service:\n"
                                "  platform: eks\n"
                                "  desired: 2\n"
                                "  task: {vcpu: 0.5, memory_gb: 1, capacity_rps: 100, "
                                "cpu_idle_pct: 2}\n"
                                "load:\n"
                                "  profile:\n"
                                "    - {until: 1195s, rps: 50}\n"
                                "    - {until: 25m, rps: 150}\n"
                                "autoscaler: {policy: hpa, min: 2, max: 2, target: 50}\n";

#include "sim_helpers.h"

/* The CPU utilisation the HPA computed at sync `time_s` (its steps text:
 * "... over ready pods = N%"), or -1 if that row has none. */
static int hpa_cpu_at(const ecsim_sim *sim, int time_s)
{
    FILE *fp = tmpfile();
    assert_non_null(fp);
    assert_int_equal(ecsim_sim_write_decisions_csv(sim, fp), 0);
    rewind(fp);
    char prefix[32];
    snprintf(prefix, sizeof prefix, "%d,hpa,", time_s);
    static char line[1 << 16];
    int pct = -1;
    while (fgets(line, sizeof line, fp)) {
        if (strncmp(line, prefix, strlen(prefix)) != 0)
            continue;
        const char *at = strstr(line, "over ready pods = ");
        if (at)
            pct = atoi(at + strlen("over ready pods = "));
        break;
    }
    fclose(fp);
    return pct;
}

static void test_step_seen_as_window_average(void **state)
{
    (void)state;
    ecsim_scenario *sc = load(NULL, NULL, 0);
    assert_float_equal(sc->autoscaler.hpa.metric_resolution_s, 15.0, 0); /* the default */
    ecsim_sim *sim = run(sc);
    assert_int_equal(hpa_cpu_at(sim, 1185), 26); /* before the step: 26.5 % */
    assert_int_equal(hpa_cpu_at(sim, 1200), 42); /* (10 x 26.5 + 5 x 75.5) / 15 = 42.83 */
    assert_int_equal(hpa_cpu_at(sim, 1215), 75); /* the whole window after it: 75.5 % */
    ecsim_sim_destroy(sim);
    ecsim_scenario_free(sc);
}

static void test_resolution_changes_the_window(void **state)
{
    (void)state;
    const char *sets[] = {"autoscaler.hpa.metric_resolution=30s"};
    ecsim_scenario *sc = load(NULL, sets, 1);
    ecsim_sim *sim = run(sc);
    assert_int_equal(hpa_cpu_at(sim, 1200), 34); /* (25 x 26.5 + 5 x 75.5) / 30 = 34.67 */
    /* The sync at 1215 s still reads the scrape at 1200 s (the next is at 1230 s). */
    assert_int_equal(hpa_cpu_at(sim, 1215), 34);
    assert_int_equal(hpa_cpu_at(sim, 1230), 75);
    ecsim_sim_destroy(sim);
    ecsim_scenario_free(sc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_step_seen_as_window_average),
        cmocka_unit_test(test_resolution_changes_the_window),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
