/* Helpers shared by the scenario-driven tests (test_deploy.c,
 * test_failures.c): load the file's base scenario plus extra YAML, run it,
 * and count log lines and plot markers. The including file defines
 * `base_yaml`. Static inline so that a file using only some of them
 * compiles without warnings. */
#ifndef ECSIM_TESTS_SIM_HELPERS_H
#define ECSIM_TESTS_SIM_HELPERS_H

#include <stdio.h>
#include <string.h>

#include "ecsim/ecsim.h"

static inline ecsim_scenario *load(const char *extra, const char *const *sets, size_t nsets)
{
    char text[4096];
    snprintf(text, sizeof text, "%s%s", base_yaml, extra ? extra : "");
    ecsim_diags d;
    ecsim_diags_init(&d);
    ecsim_scenario *sc = ecsim_scenario_load_string(text, strlen(text), "test.yaml", sets, nsets, &d);
    if (!sc)
        ecsim_diags_print(&d, stderr);
    ecsim_diags_free(&d);
    assert_non_null(sc);
    return sc;
}

static inline ecsim_sim *run(const ecsim_scenario *sc)
{
    ecsim_sim *sim = ecsim_sim_create(sc, sc->seed, stderr);
    assert_non_null(sim);
    assert_int_equal(ecsim_sim_run(sim), 0);
    return sim;
}

static inline int log_count(const ecsim_sim *sim, const char *needle)
{
    int n = 0;
    for (size_t i = 0; i < ecsim_sim_log_count(sim); i++)
        n += strstr(ecsim_sim_log_line(sim, i), needle) != NULL;
    return n;
}

static inline int marker_count(const ecsim_sim *sim, const char *kind)
{
    const ecsim_timeline *tl = ecsim_sim_timeline(sim);
    int n = 0;
    for (size_t i = 0; i < ecsim_timeline_marker_count(tl); i++) {
        ecsim_timeline_marker m;
        assert_int_equal(ecsim_timeline_marker_get(tl, i, &m), 0);
        n += strcmp(m.kind, kind) == 0;
    }
    return n;
}

#endif
