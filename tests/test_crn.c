/* Common random numbers (DESIGN.md "engine", issue 11 point 1): what a run
 * sees from its random streams depends on the seed, not on the policy or
 * the other settings `ecsim compare` compares. Three variants of one
 * requests-mode scenario with demand noise, start-time jitter and a
 * kill_tasks fault (target tracking at 50 % and at 70 % CPU, and step
 * scaling) run with the same seed:
 *   - the demand series (timeline.csv's demand column) is identical;
 *   - the arrivals are identical (requests.arrived, and the arrivals of
 *     every period through the served + unserved columns are not compared:
 *     those depend on capacity);
 *   - every task both runs launch takes the same time from launch to
 *     RUNNING (its own start-time stream, whatever the other tasks do);
 * and a different seed does change the demand (the test would pass
 * trivially otherwise). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ecsim/diag.h"
#include "ecsim/loader.h"
#include "ecsim/rng.h"
#include "ecsim/sim.h"
#include "ecsim/summary.h"
#include "ecsim/timeline.h"

static const char scenario_text[] =
    "name: crn\n"
    "seed: 3\n"
    "duration: 40m\n"
    "image: {name: web, tag: \"1.0\", size_mb: 250}\n"
    "registry: {pull_mb_per_s: 25}\n"
    "service:\n"
    "  platform: fargate\n"
    "  desired: 3\n"
    "  task: {vcpu: 0.5, memory_gb: 1, capacity_rps: 100, start_jitter_cv: 0.3}\n"
    "load:\n"
    "  mode: requests\n"
    "  profile:\n"
    "    - {until: 10m, rps: 150}\n"
    "    - {until: 40m, rps: 450}\n"
    "  noise: {cv: 0.2, interval: 60s}\n"
    "  requests:\n"
    "    service_time: {dist: exponential, mean: 40ms}\n"
    "    concurrency: 4\n"
    "autoscaler:\n"
    "  policy: target_tracking\n"
    "  min: 2\n"
    "  max: 20\n"
    "  metric: cpu\n"
    "  target: 50\n"
    "  step_scaling:\n"
    "    threshold: 50\n"
    "    adjustment_type: change_in_capacity\n"
    "    cooldown: 120s\n"
    "    steps:\n"
    "      - {lower: 0, adjustment: 2}\n"
    "      - {lower: -20, upper: 0, adjustment: 0}\n"
    "      - {upper: -20, adjustment: -1}\n"
    "events:\n"
    "  - {at: 25m, action: kill_tasks, count: 2}\n";

#define MAX_TASKS 64

typedef struct run {
    ecsim_scenario *sc;
    ecsim_sim *sim;
    double launched_s[MAX_TASKS + 1]; /* by task id; NaN = not seen */
    double running_s[MAX_TASKS + 1];
} run;

/* "HH:MM:SS(.s)" at the start of a log line, in seconds. */
static double line_time(const char *line)
{
    int h, m;
    double s;
    if (sscanf(line, "%d:%d:%lf", &h, &m, &s) != 3)
        return NAN;
    return h * 3600.0 + m * 60.0 + s;
}

/* When each task was launched ("has started N tasks: (task 4) (task 5)")
 * and became RUNNING ("task 4 RUNNING"), from the event log. */
static void scan_log(run *r)
{
    for (int i = 0; i <= MAX_TASKS; i++)
        r->launched_s[i] = r->running_s[i] = NAN;
    for (size_t i = 0; i < ecsim_sim_log_count(r->sim); i++) {
        const char *line = ecsim_sim_log_line(r->sim, i);
        double t = line_time(line);
        const char *p;
        int id;
        if (strstr(line, " has started ") && strstr(line, " tasks: (task ")) {
            for (p = strstr(line, "(task "); p; p = strstr(p + 1, "(task "))
                if (sscanf(p, "(task %d)", &id) == 1 && id >= 1 && id <= MAX_TASKS)
                    r->launched_s[id] = t;
        } else if ((p = strstr(line, "  task ")) && sscanf(p, "  task %d RUNNING", &id) == 1 &&
                   strstr(p, " RUNNING ") && id >= 1 && id <= MAX_TASKS &&
                   isnan(r->running_s[id])) {
            r->running_s[id] = t;
        }
    }
}

static void play(run *r, const char *const *sets, size_t nsets, uint64_t seed)
{
    ecsim_diags d;
    ecsim_diags_init(&d);
    r->sc = ecsim_scenario_load_string(scenario_text, sizeof scenario_text - 1, "crn.yaml", sets,
                                       nsets, &d);
    if (!r->sc)
        ecsim_diags_print(&d, stderr);
    ecsim_diags_free(&d);
    assert_non_null(r->sc);
    r->sim = ecsim_sim_create(r->sc, seed, stderr);
    assert_non_null(r->sim);
    assert_int_equal(ecsim_sim_run(r->sim), 0);
    scan_log(r);
}

static void done(run *r)
{
    ecsim_sim_destroy(r->sim);
    ecsim_scenario_free(r->sc);
}

static const char *const tt50[] = {"autoscaler.target=50"};
static const char *const tt70[] = {"autoscaler.target=70"};
static const char *const step[] = {"autoscaler.policy=step_scaling"};

/* The demand column of two runs, row by row. */
static void assert_same_demand(const run *a, const run *b)
{
    const ecsim_timeline *ta = ecsim_sim_timeline(a->sim), *tb = ecsim_sim_timeline(b->sim);
    assert_true(ecsim_timeline_count(ta) > 30);
    assert_int_equal(ecsim_timeline_count(ta), ecsim_timeline_count(tb));
    for (size_t i = 0; i < ecsim_timeline_count(ta); i++) {
        const ecsim_timeline_row *ra = ecsim_timeline_row_at(ta, i);
        double demand_a = ra->demand_rps, time_a = ra->time_s;
        const ecsim_timeline_row *rb = ecsim_timeline_row_at(tb, i);
        assert_true(time_a == rb->time_s);
        assert_true(demand_a == rb->demand_rps);
    }
}

static void test_policies_see_the_same_demand_and_arrivals(void **state)
{
    (void)state;
    run a, b, c;
    play(&a, tt50, 1, 3);
    play(&b, tt70, 1, 3);
    play(&c, step, sizeof step / sizeof step[0], 3);
    /* The variants really differ. */
    assert_true(ecsim_sim_summary(a.sim)->max_desired != ecsim_sim_summary(b.sim)->max_desired ||
                ecsim_sim_summary(a.sim)->scaling_actions !=
                    ecsim_sim_summary(b.sim)->scaling_actions);
    assert_true(ecsim_sim_summary(a.sim)->scaling_actions !=
                    ecsim_sim_summary(c.sim)->scaling_actions ||
                ecsim_sim_summary(a.sim)->max_desired != ecsim_sim_summary(c.sim)->max_desired);
    assert_same_demand(&a, &b);
    assert_same_demand(&a, &c);
    uint64_t arrived = ecsim_sim_requests_arrived(a.sim);
    assert_true(arrived > 100000);
    assert_true(arrived == ecsim_sim_requests_arrived(b.sim));
    assert_true(arrived == ecsim_sim_requests_arrived(c.sim));
    done(&a);
    done(&b);
    done(&c);
}

/* Task k's launch-to-RUNNING time is its own: equal in both variants for
 * every task both launch, although they launch different numbers of tasks
 * at different times (the jitter draws of the others interleave
 * differently). */
static void test_start_jitter_is_per_task(void **state)
{
    (void)state;
    run a, b;
    play(&a, tt50, 1, 3);
    play(&b, tt70, 1, 3);
    int compared = 0, moved = 0;
    for (int id = 1; id <= MAX_TASKS; id++) {
        if (isnan(a.running_s[id]) || isnan(b.running_s[id]) || isnan(a.launched_s[id]) ||
            isnan(b.launched_s[id]))
            continue;
        double da = a.running_s[id] - a.launched_s[id], db = b.running_s[id] - b.launched_s[id];
        if (fabs(da - db) >= 0.051)
            fprintf(stderr, "task %d: %g (launched %g) vs %g (launched %g)\n", id, da,
                    a.launched_s[id], db, b.launched_s[id]);
        assert_true(fabs(da - db) < 0.051); /* log times are printed to 0.1 s */
        compared++;
        moved += a.launched_s[id] != b.launched_s[id];
    }
    assert_true(compared >= 5);
    assert_true(moved >= 1); /* some task was launched at another time */
    done(&a);
    done(&b);
}

/* Another seed is another demand: the equality above is not a constant. */
static void test_another_seed_changes_the_demand(void **state)
{
    (void)state;
    run a, b;
    play(&a, tt50, 1, 3);
    play(&b, tt50, 1, 4);
    const ecsim_timeline *ta = ecsim_sim_timeline(a.sim), *tb = ecsim_sim_timeline(b.sim);
    int differ = 0;
    for (size_t i = 0; i < ecsim_timeline_count(ta) && i < ecsim_timeline_count(tb); i++)
        differ +=
            ecsim_timeline_row_at(ta, i)->demand_rps != ecsim_timeline_row_at(tb, i)->demand_rps;
    assert_true(differ > 10);
    assert_true(ecsim_sim_requests_arrived(a.sim) != ecsim_sim_requests_arrived(b.sim));
    done(&a);
    done(&b);
}

/* Members of an indexed family are distinct streams, and distinct from the
 * plain named stream. */
static void test_indexed_streams_are_independent(void **state)
{
    (void)state;
    ecsim_rng plain, m0, m1, m1again;
    ecsim_rng_derive(&plain, 9, "service.start");
    ecsim_rng_derive_indexed(&m0, 9, "service.start", 0);
    ecsim_rng_derive_indexed(&m1, 9, "service.start", 1);
    ecsim_rng_derive_indexed(&m1again, 9, "service.start", 1);
    uint64_t p = ecsim_rng_next(&plain), a = ecsim_rng_next(&m0), b = ecsim_rng_next(&m1);
    assert_true(p != a && p != b && a != b);
    assert_true(b == ecsim_rng_next(&m1again));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_policies_see_the_same_demand_and_arrivals),
        cmocka_unit_test(test_start_jitter_is_per_task),
        cmocka_unit_test(test_another_seed_changes_the_demand),
        cmocka_unit_test(test_indexed_streams_are_independent),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
