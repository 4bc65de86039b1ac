/* The command-line interface: parses arguments, calls the library, prints.
 * No simulation logic lives here (DESIGN.md "cli"): every command is a thin
 * layer over loader.h, sim.h, report.h and step.h. Subcommands are a table
 * (name, handler, summary, help), so adding one is one function and one
 * line. Exit codes: 0 success, 2 bad usage or invalid scenario, 3 I/O
 * error (include/ecsim/error.h). */
#include "cli.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ecsim/ecsim.h"
#include "ecsim/policy.h"
#include "ecsim/report.h"
#include "ecsim/sim.h"
#include "step.h"

#define MAX_SETS 256
#define MAX_FILES 1024

typedef struct cli_opts {
    const char *out;
    const char *format;
    const char *seed_text;
    const char *sets[MAX_SETS];
    size_t nsets;
    const char *files[MAX_FILES];
    size_t nfiles;
    int no_plots;
    int quiet;
    int help;
    int list_fields;
} cli_opts;

typedef struct cli_command {
    const char *name;
    int (*run)(cli_opts *o, FILE *out, FILE *err);
    const char *usage;
    const char *summary;
    const char *help;
    const char *options; /* accepted options, space-separated, for the parser */
} cli_command;

/* ---- argument parsing --------------------------------------------------------- */

static int option_takes_value(const char *name)
{
    return strcmp(name, "--out") == 0 || strcmp(name, "--seed") == 0 || strcmp(name, "--set") == 0 ||
           strcmp(name, "--format") == 0;
}

static int accepts(const cli_command *c, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = c->options; (p = strstr(p, name)) != NULL; p += n)
        if ((p == c->options || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
            return 1;
    return 0;
}

static int parse_args(const cli_command *c, int argc, char **argv, cli_opts *o, FILE *err)
{
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            o->help = 1;
            continue;
        }
        if (strcmp(a, "--") == 0) {
            for (i++; i < argc; i++)
                if (o->nfiles < MAX_FILES)
                    o->files[o->nfiles++] = argv[i];
            break;
        }
        if (a[0] != '-' || a[1] == '\0') {
            if (o->nfiles >= MAX_FILES) {
                fprintf(err, "ecsim %s: error: too many files (at most %d)\n", c->name, MAX_FILES);
                return ECSIM_EXIT_USAGE;
            }
            o->files[o->nfiles++] = a;
            continue;
        }
        char name[32];
        const char *value = NULL;
        const char *eq = strchr(a, '=');
        size_t len = eq ? (size_t)(eq - a) : strlen(a);
        if (len >= sizeof name) {
            fprintf(err, "ecsim %s: error: unknown option `%s` (see `ecsim %s --help`)\n", c->name, a,
                    c->name);
            return ECSIM_EXIT_USAGE;
        }
        memcpy(name, a, len);
        name[len] = '\0';
        if (!accepts(c, name)) {
            fprintf(err, "ecsim %s: error: unknown option `%s`; valid options: %s --help\n", c->name,
                    name, c->options);
            return ECSIM_EXIT_USAGE;
        }
        if (option_takes_value(name)) {
            if (eq)
                value = eq + 1;
            else if (i + 1 < argc)
                value = argv[++i];
            else {
                fprintf(err, "ecsim %s: error: option `%s` needs a value\n", c->name, name);
                return ECSIM_EXIT_USAGE;
            }
        } else if (eq) {
            fprintf(err, "ecsim %s: error: option `%s` takes no value\n", c->name, name);
            return ECSIM_EXIT_USAGE;
        }
        if (value && !*value) {
            fprintf(err, "ecsim %s: error: option `%s` needs a non-empty value\n", c->name, name);
            return ECSIM_EXIT_USAGE;
        }
        if (strcmp(name, "--out") == 0)
            o->out = value;
        else if (strcmp(name, "--seed") == 0)
            o->seed_text = value;
        else if (strcmp(name, "--format") == 0)
            o->format = value;
        else if (strcmp(name, "--set") == 0) {
            if (o->nsets >= MAX_SETS) {
                fprintf(err, "ecsim %s: error: too many --set options (at most %d)\n", c->name, MAX_SETS);
                return ECSIM_EXIT_USAGE;
            }
            o->sets[o->nsets++] = value;
        } else if (strcmp(name, "--no-plots") == 0)
            o->no_plots = 1;
        else if (strcmp(name, "--quiet") == 0)
            o->quiet = 1;
        else if (strcmp(name, "--list-fields") == 0)
            o->list_fields = 1;
    }
    return 0;
}

static int parse_seed(const char *text, uint64_t *seed, FILE *err)
{
    char *end = NULL;
    errno = 0;
    if (!text[0] || text[0] == '-') {
        fprintf(err, "--seed %s: error: expected a whole number from 0 to 18446744073709551615\n", text);
        return ECSIM_EXIT_USAGE;
    }
    unsigned long long v = strtoull(text, &end, 10);
    if (errno || *end) {
        fprintf(err, "--seed %s: error: expected a whole number from 0 to 18446744073709551615\n", text);
        return ECSIM_EXIT_USAGE;
    }
    *seed = (uint64_t)v;
    return 0;
}

static int need_one_file(const cli_command *c, const cli_opts *o, FILE *err)
{
    if (o->nfiles == 1)
        return 0;
    fprintf(err, "ecsim %s: error: %s\nusage: %s\n", c->name,
            o->nfiles ? "expected exactly one scenario file" : "missing the scenario file", c->usage);
    return ECSIM_EXIT_USAGE;
}

/* Load a scenario with the --set overrides; diagnostics on err. */
static ecsim_scenario *load(const cli_opts *o, const char *path, FILE *err, int *code)
{
    /* A file that cannot be opened is an I/O error (exit 3), not an invalid
     * scenario (exit 2). */
    FILE *probe = fopen(path, "rb");
    struct stat st;
    if (!probe || fstat(fileno(probe), &st) != 0 || !S_ISREG(st.st_mode)) {
        fprintf(err, "%s: error: cannot read the scenario: %s\n", path,
                probe ? "not a regular file" : strerror(errno));
        if (probe)
            fclose(probe);
        *code = ECSIM_EXIT_IO;
        return NULL;
    }
    fclose(probe);
    ecsim_diags d;
    ecsim_diags_init(&d);
    ecsim_scenario *sc = ecsim_scenario_load(path, o->sets, o->nsets, &d);
    ecsim_diags_print(&d, err);
    if (!sc)
        *code = d.oom && d.errors == 0 ? ECSIM_EXIT_FAIL
                : d.io_errors             ? ECSIM_EXIT_IO /* a data file it names */
                                          : ECSIM_EXIT_USAGE;
    ecsim_diags_free(&d);
    return sc;
}

static double wall_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Play the run in slices of virtual time; once it has taken more than a
 * second, draw a progress bar on `err` (a terminal): simulated time done,
 * engine events per second, and the time left at that pace. The bar is
 * erased when the run ends. Output files are unaffected. */
static int run_with_progress(ecsim_sim *sim, bool show, FILE *err)
{
    if (!show)
        return ecsim_sim_run(sim);
    double duration = ecsim_sim_scenario(sim)->duration_s;
    double start = wall_seconds(), last_draw = 0;
    bool drawn = false;
    for (int slice = 1; !ecsim_sim_done(sim); slice++) {
        int rc = ecsim_sim_run_until(sim, duration * slice / 500.0);
        if (rc != 0)
            return rc;
        double elapsed = wall_seconds() - start;
        if (elapsed < 1.0 || elapsed - last_draw < 0.1 || ecsim_sim_done(sim))
            continue;
        last_draw = elapsed;
        double frac = ecsim_sim_now(sim) / duration;
        /* Requests per second in requests mode, engine events otherwise. */
        uint64_t requests = ecsim_sim_requests_arrived(sim);
        double rate = (double)(requests ? requests : ecsim_sim_events_dispatched(sim)) / elapsed;
        double left = frac > 0 ? elapsed * (1.0 - frac) / frac : 0;
        char done_clock[32], total_clock[32];
        ecsim_fmt_clock(done_clock, sizeof done_clock, ecsim_sim_now(sim));
        ecsim_fmt_clock(total_clock, sizeof total_clock, duration);
        char bar[31];
        int filled = (int)(frac * 30);
        for (int i = 0; i < 30; i++)
            bar[i] = i < filled ? '#' : '-';
        bar[30] = '\0';
        fprintf(err, "\r[%s] %3.0f%%  %s of %s  %.2fM %s/s  %.0f s left\033[K", bar, frac * 100,
                done_clock, total_clock, rate / 1e6, requests ? "requests" : "events", left);
        fflush(err);
        drawn = true;
    }
    if (drawn) {
        fprintf(err, "\r\033[K");
        fflush(err);
    }
    return 0;
}

static ecsim_sim *simulate(const cli_opts *o, const ecsim_scenario *sc, FILE *err, int *code)
{
    uint64_t seed = sc->seed;
    if (o->seed_text && (*code = parse_seed(o->seed_text, &seed, err)) != 0)
        return NULL;
    ecsim_sim *sim = ecsim_sim_create(sc, seed, err);
    if (!sim) {
        *code = ECSIM_EXIT_USAGE;
        return NULL;
    }
    int rc = run_with_progress(sim, !o->quiet && isatty(STDERR_FILENO), err);
    if (rc != 0) {
        fprintf(err, "ecsim: error: simulation failed: %s\n", ecsim_strerror(rc));
        ecsim_sim_destroy(sim);
        *code = ECSIM_EXIT_FAIL;
        return NULL;
    }
    return sim;
}

/* ---- commands ---------------------------------------------------------------------- */

static void print_run_summary(const ecsim_sim *sim, const ecsim_run_outputs *outs, FILE *out)
{
    const ecsim_scenario *sc = ecsim_sim_scenario(sim);
    const ecsim_summary *s = ecsim_sim_summary(sim);
    char clock[32];
    fprintf(out, "ecsim %s: %s (seed %" PRIu64 ", %s simulated)\n", ECSIM_VERSION, sc->name,
            ecsim_sim_seed(sim), (ecsim_fmt_clock(clock, sizeof clock, sc->duration_s), clock));
    fprintf(out, "outcome: %s\n", s->outcome);
    for (int st = 1; st <= ECSIM_STEP_COUNT; st++) {
        const ecsim_step_record *r = ecsim_sim_step_record(sim, st);
        ecsim_fmt_clock(clock, sizeof clock, r->reached ? r->time_s : NAN);
        fprintf(out, "  %d  %-10s  %-38s %s\n", st, clock, r->action, r->result);
    }
    fprintf(out, "tasks: %d started, %d failed to start, %d running at the end\n", s->tasks_started,
            s->tasks_failed, ecsim_sim_step_record(sim, ECSIM_STEP_END)->after.running);
    if (sc->autoscaler.policy != ECSIM_POLICY_NONE)
        fprintf(out, "scaling: %d actions (%d out, %d in), desired %d..%d\n", s->scaling_actions,
                s->scale_outs, s->scale_ins, s->min_desired, s->max_desired);
    fprintf(out, "outputs in %s/:\n", outs->dir);
    for (int i = 0; i < outs->file_count; i++) {
        const char *base = strrchr(outs->files[i], '/');
        fprintf(out, "  %s\n", base ? base + 1 : outs->files[i]);
    }
}

static int cmd_run(cli_opts *o, FILE *out, FILE *err);
static int cmd_step(cli_opts *o, FILE *out, FILE *err);
static int cmd_validate(cli_opts *o, FILE *out, FILE *err);
static int cmd_tables(cli_opts *o, FILE *out, FILE *err);
static int cmd_decide(cli_opts *o, FILE *out, FILE *err);

static const cli_command commands[] = {
    {"run", cmd_run,
     "ecsim run SCENARIO.yaml [--out DIR] [--seed N] [--set KEY=VALUE]... [--format FMT[,FMT]] "
     "[--no-plots] [--quiet]",
     "simulate a scenario and write its tables, time series and plots",
     "Simulates the scenario in virtual time and writes into DIR/<scenario name>/ (DIR defaults\n"
     "to `out`): execution.* and status.* (the seed's two tables) in each --format (default\n"
     "text,md,csv,json; also latex, html), events.log, summary.json and, unless --no-plots,\n"
     "the demand/capacity plot. Every file is written atomically. Ends by printing the outcome,\n"
     "the lifecycle and where each file is (nothing with --quiet).\n"
     "\n"
     "  --out DIR          output root (default: out)\n"
     "  --seed N           override the scenario's seed (0 .. 2^64-1)\n"
     "  --set KEY=VALUE    override any scenario field by dotted path, e.g. autoscaler.target=60,\n"
     "                     load.profile[1].rps=900; repeatable; validated like the file\n"
     "  --format FMT,...   table formats: text, md, csv, json, latex, html\n"
     "  --no-plots         do not write or render plots\n"
     "  --quiet            print nothing but errors\n",
     "--out --seed --set --format --no-plots --quiet"},
    {"step", cmd_step, "ecsim step SCENARIO.yaml [--seed N] [--set KEY=VALUE]...",
     "walk through the lifecycle one step at a time, with explanations",
     "Plays the scenario one lifecycle step at a time and explains each: when it happened, what\n"
     "you did, what AWS did, the result, the tracked variables before and after, and why the\n"
     "step matters; failures say what went wrong and what to change. Press Enter for the next\n"
     "step, q then Enter to quit. When standard input is not a terminal, one input line\n"
     "advances one step and end of input plays the rest.\n",
     "--seed --set"},
    {"validate", cmd_validate, "ecsim validate SCENARIO.yaml... [--set KEY=VALUE]... [--list-fields]",
     "check scenario files and report every error",
     "Checks each file against the scenario schema and prints every problem as\n"
     "FILE:LINE:COLUMN: error: MESSAGE. Exits 2 if any file has an error. --list-fields prints\n"
     "the reference of every scenario field (path, type, default, allowed values) as Markdown.\n",
     "--set --quiet --list-fields"},
    {"tables", cmd_tables,
     "ecsim tables SCENARIO.yaml [--format md|csv|text|latex|html|json] [--seed N] [--set KEY=VALUE]...",
     "print the execution and status tables to stdout",
     "Simulates the scenario and prints the execution table and the status tracker in one\n"
     "format (default text) to standard output; nothing is written to disk.\n",
     "--format --seed --set"},
    {"decide", cmd_decide, "ecsim decide POLICY.yaml [--format text|json]",
     "compute one autoscaling decision from an observed state",
     "A policy calculator: reads one YAML document describing a policy (hpa, target_tracking,\n"
     "step_scaling) and an observed state, and prints `desired: N` and the computation step by\n"
     "step, with the same code the simulation uses. --format json prints\n"
     "{\"desired\": N, \"reason\": ..., \"steps\": [...]}. See the README for the input fields.\n",
     "--format"},
};

static const cli_command *find_command(const char *name)
{
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    return NULL;
}

/* The one scenario file of `c`: loaded with the --set overrides and played
 * to the end with --seed. 0 with both outputs set, or the exit code (and
 * nothing to free). */
static int load_and_simulate(const cli_command *c, const cli_opts *o, FILE *err,
                             ecsim_scenario **sc_out, ecsim_sim **sim_out)
{
    int code = need_one_file(c, o, err);
    if (code)
        return code;
    ecsim_scenario *sc = load(o, o->files[0], err, &code);
    if (!sc)
        return code;
    ecsim_sim *sim = simulate(o, sc, err, &code);
    if (!sim) {
        ecsim_scenario_free(sc);
        return code;
    }
    *sc_out = sc;
    *sim_out = sim;
    return 0;
}

static int cmd_run(cli_opts *o, FILE *out, FILE *err)
{
    ecsim_scenario *sc;
    ecsim_sim *sim;
    int code = load_and_simulate(find_command("run"), o, err, &sc, &sim);
    if (code)
        return code;
    ecsim_run_outputs outs;
    int rc = ecsim_report_write_run(sim, o->out ? o->out : "out", o->format, !o->no_plots,
                                    o->quiet ? err : out, &outs);
    if (rc == 0 && !o->quiet)
        print_run_summary(sim, &outs, out);
    code = rc == 0 ? ECSIM_EXIT_OK
           : rc == ECSIM_EINVAL ? ECSIM_EXIT_USAGE
           : rc == ECSIM_ENOMEM ? ECSIM_EXIT_FAIL
                                : ECSIM_EXIT_IO;
    ecsim_sim_destroy(sim);
    ecsim_scenario_free(sc);
    return code;
}

static int cmd_step(cli_opts *o, FILE *out, FILE *err)
{
    const cli_command *c = find_command("step");
    int code = need_one_file(c, o, err);
    if (code)
        return code;
    ecsim_scenario *sc = load(o, o->files[0], err, &code);
    if (!sc)
        return code;
    uint64_t seed = sc->seed;
    if (o->seed_text && (code = parse_seed(o->seed_text, &seed, err)) != 0) {
        ecsim_scenario_free(sc);
        return code;
    }
    code = ecsim_step_walkthrough(sc, seed, stdin, out, err, isatty(STDIN_FILENO));
    ecsim_scenario_free(sc);
    return code;
}

static int cmd_validate(cli_opts *o, FILE *out, FILE *err)
{
    if (o->list_fields) {
        ecsim_scenario_field_reference(out);
        return ECSIM_EXIT_OK;
    }
    if (o->nfiles == 0) {
        fprintf(err, "ecsim validate: error: missing the scenario file(s)\nusage: %s\n",
                find_command("validate")->usage);
        return ECSIM_EXIT_USAGE;
    }
    int code = ECSIM_EXIT_OK;
    for (size_t i = 0; i < o->nfiles; i++) {
        int file_code = 0;
        ecsim_scenario *sc = load(o, o->files[i], err, &file_code);
        if (!sc) {
            if (file_code > code)
                code = file_code;
            continue;
        }
        if (!o->quiet)
            fprintf(out, "%s: ok (%s)\n", o->files[i], sc->name);
        ecsim_scenario_free(sc);
    }
    return code;
}

static int cmd_tables(cli_opts *o, FILE *out, FILE *err)
{
    const cli_command *c = find_command("tables");
    int code = need_one_file(c, o, err);
    if (code)
        return code;
    const char *fname = o->format ? o->format : "text";
    const ecsim_table_format *f = ecsim_table_format_find(fname);
    if (!f) {
        size_t n;
        const ecsim_table_format *all = ecsim_table_formats(&n);
        fprintf(err, "--format %s: error: unknown format; valid formats:", fname);
        for (size_t i = 0; i < n; i++)
            fprintf(err, " %s", all[i].name);
        fprintf(err, "\n");
        return ECSIM_EXIT_USAGE;
    }
    ecsim_scenario *sc;
    ecsim_sim *sim;
    code = load_and_simulate(c, o, err, &sc, &sim);
    if (code)
        return code;
    ecsim_table *exec = ecsim_report_execution_table(sim);
    ecsim_table *status = ecsim_report_status_table(sim);
    if (exec && status) {
        const ecsim_table *tables[] = {exec, status};
        code = f->render(tables, 2, out) == 0 ? ECSIM_EXIT_OK : ECSIM_EXIT_IO;
    } else {
        fprintf(err, "ecsim: error: %s\n", ecsim_strerror(ECSIM_ENOMEM));
        code = ECSIM_EXIT_FAIL;
    }
    ecsim_table_destroy(exec);
    ecsim_table_destroy(status);
    ecsim_sim_destroy(sim);
    ecsim_scenario_free(sc);
    return code;
}

static int cmd_decide(cli_opts *o, FILE *out, FILE *err)
{
    const cli_command *c = find_command("decide");
    int code = need_one_file(c, o, err);
    if (code)
        return code;
    return ecsim_decide_main(o->files[0], o->format ? o->format : "text", out, err);
}

/* ---- top level ------------------------------------------------------------------------ */

static void print_usage(FILE *out)
{
    fprintf(out, "ecsim %s: a discrete-event simulator of the container lifecycle on AWS\n\n",
            ECSIM_VERSION);
    fprintf(out, "usage: ecsim COMMAND [ARGS]\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  %-9s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\n`ecsim COMMAND --help` for a command's options; `ecsim --version`.\n"
                 "Exit codes: 0 success, 2 bad usage or invalid scenario, 3 I/O error.\n");
}

int ecsim_cli_main(int argc, char **argv, FILE *out, FILE *err)
{
    if (argc < 2) {
        print_usage(err);
        return ECSIM_EXIT_USAGE;
    }
    const char *name = argv[1];
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0 || strcmp(name, "help") == 0) {
        print_usage(out);
        return ECSIM_EXIT_OK;
    }
    if (strcmp(name, "--version") == 0 || strcmp(name, "-V") == 0) {
        fprintf(out, "ecsim %s\n", ECSIM_VERSION);
        return ECSIM_EXIT_OK;
    }
    const cli_command *c = find_command(name);
    if (!c) {
        fprintf(err, "ecsim: error: unknown command `%s`; commands:", name);
        for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
            fprintf(err, " %s", commands[i].name);
        fprintf(err, " (see `ecsim --help`)\n");
        return ECSIM_EXIT_USAGE;
    }
    cli_opts o;
    memset(&o, 0, sizeof o);
    int code = parse_args(c, argc - 2, argv + 2, &o, err);
    if (code)
        return code;
    if (o.help) {
        fprintf(out, "usage: %s\n\n%s\n%s", c->usage, c->summary, c->help);
        return ECSIM_EXIT_OK;
    }
    code = c->run(&o, out, err);
    if (fflush(out) != 0 && code == 0) {
        fprintf(err, "ecsim: error: cannot write to standard output: %s\n", strerror(errno));
        return ECSIM_EXIT_IO;
    }
    return code;
}
