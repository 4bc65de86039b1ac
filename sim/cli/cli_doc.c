/* The command-line reference, written once (cli_doc.h): the table below is
 * the only place a command's synopsis, description and options are written.
 * `ecsim --help`, `ecsim COMMAND --help`, the man page (`ecsim --help-man`,
 * built into build/ecsim.1) and the bash completion (`ecsim
 * --bash-completion`, built into build/ecsim.bash) are renderings of it, and
 * cli.c builds its getopt_long tables from it; a test checks that every
 * option of every --help appears in the man page and the completion. */
#include "cli_doc.h"

#include <string.h>

#include "ecsim/ecsim.h"

static const cli_option options[] = {
    {CLI_OPT_OUT, "out", 'o', "DIR"},
    {CLI_OPT_SEED, "seed", 's', "SEED"},
    {CLI_OPT_SET, "set", 0, "KEY=VALUE"},
    {CLI_OPT_FORMAT, "format", 'f', "FORMAT"},
    {CLI_OPT_JOBS, "jobs", 'j', "N"},
    {CLI_OPT_NO_PLOTS, "no-plots", 0, NULL},
    {CLI_OPT_QUIET, "quiet", 'q', NULL},
    {CLI_OPT_LIST_FIELDS, "list-fields", 0, NULL},
    {CLI_OPT_VARIANTS, "variants", 0, "N"},
    {CLI_OPT_ANSWERS, "answers", 0, NULL},
    {CLI_OPT_MAX_WORK, "max-work", 0, "N"},
    {CLI_OPT_WINDOW, "window", 0, "[NAME=]FROM..TO"},
    {CLI_OPT_FAIL_ON, "fail-on", 0, "EXPR"},
    {CLI_OPT_DECISIONS, "decisions", 0, "changes|all"},
    {CLI_OPT_SEEDS, "seeds", 0, "N|A-B"},
    {CLI_OPT_KEEP, "keep", 0, "summary|all"},
    {CLI_OPT_EMIT, "emit", 0, "parallel|slurm"},
    {CLI_OPT_RUNS, "runs", 0, "I|I-J"},
    {CLI_OPT_PER_TASK, "per-task", 0, "N"},
    {CLI_OPT_GROUP_BY, "group-by", 0, "KEY,..."},
    {CLI_OPT_HELP, "help", 'h', NULL},
};

#define SET_HELP                                                                                   \
    "override any scenario field by its dotted path, e.g. autoscaler.target=60,\n"                \
    "load.profile[1].rps=900; repeatable; validated like the file"
#define MAX_WORK_HELP                                                                              \
    "refuse a scenario whose estimated work (metric periods, fluid steps, requests, task\n"     \
    "launches) is above N units, about a microsecond each (default 1e8, a minute or so)"
#define STDIN_NOTE                                                                                 \
    "SCENARIO.yaml may be `-` to read the scenario from standard input (at most 4 MiB);\n"        \
    "its errors then name `<stdin>`, and relative trace and arrivals paths in it resolve\n"      \
    "against the current directory."

static const cli_cmddoc commands[] = {
    {"run", "SCENARIO.yaml|-", "simulate a scenario and write its tables, time series and plots",
     "Simulates the scenario in virtual time and writes into DIR/<scenario name>/ (DIR defaults\n"
     "to `out`): execution.* and status.* (the seed's two tables) in each --format (default\n"
     "text,md,csv,json; also latex, latex-doc, html), events.log, summary.json, the\n"
     "demand/capacity plot unless --no-plots, and report.html (one self-contained page with\n"
     "all of it). Every file is written atomically. Ends by printing the outcome,\n"
     "the lifecycle and where each file is (nothing with --quiet).\n"
     "\n"
     "A run that takes more than a second draws a progress bar on standard error when it is a\n"
     "terminal; none when it is not, with --quiet, or when TERM is unset or `dumb` or NO_COLOR\n"
     "is set (then no escape codes are written either).\n"
     "\n"
     "--window adds a time window to the scenario's report.windows: summary.json gets the\n"
     "summary figures over it under windows.NAME (an unnamed window is named FROM..TO).\n"
     "--fail-on and the scenario's checks: are thresholds over summary.json's flattened\n"
     "names, FIGURE OP NUMBER with OP one of > >= < <= == != (e.g. 'latency_s.p99 > 0.5');\n"
     "each is a failure condition: a check fails when its comparison is true, or when its\n"
     "figure is null (does not apply to the run). All outputs are written either way;\n"
     "failed checks are printed and the run exits 4.\n"
     "\n"
     "Exit codes: 0 success (a simulated failure is a successful simulation), 2 bad usage,\n"
     "invalid scenario or a check naming no figure, 3 I/O error, 4 a check failed, 70\n"
     "internal error, 130 / 143 stopped by SIGINT / SIGTERM.\n"
     "\n" STDIN_NOTE,
     "text md csv json latex html",
     {{CLI_OPT_OUT, "output root (default: out)"},
      {CLI_OPT_SEED, "override the scenario's seed (0 .. 2^64-1)"},
      {CLI_OPT_SET, SET_HELP},
      {CLI_OPT_MAX_WORK, MAX_WORK_HELP},
      {CLI_OPT_FORMAT, "table formats, comma-separated: text, md, csv, json, latex, latex-doc, html"},
      {CLI_OPT_NO_PLOTS, "do not write or render plots"},
      {CLI_OPT_QUIET, "print nothing but errors"},
      {CLI_OPT_WINDOW, "also compute the summary figures over FROM..TO (e.g. spike=30m..45m);\n"
                       "repeatable, on metric-period boundaries"},
      {CLI_OPT_FAIL_ON, "exit 4 when EXPR (FIGURE OP NUMBER over summary.json, e.g.\n"
                        "'capacity.unserved_after_steady_requests > 0') is true; repeatable"},
      {CLI_OPT_DECISIONS, "decisions.csv rows: changes (default: evaluations that change\n"
                          "something or cross the target) or all (every evaluation)"},
      {0, NULL}}},
    {"step", "SCENARIO.yaml|-", "walk through the lifecycle one step at a time, with explanations",
     "Plays the scenario one lifecycle step at a time and explains each: when it happened, what\n"
     "you did, what AWS did, the result, the tracked variables before and after, and why the\n"
     "step matters; failures say what went wrong and what to change. Press Enter for the next\n"
     "step, q then Enter to quit. When standard input is not a terminal, one input line\n"
     "advances one step and end of input plays the rest (so a scenario read from `-` plays\n"
     "every step at once).\n"
     "\n" STDIN_NOTE,
     NULL,
     {{CLI_OPT_SEED, "override the scenario's seed (0 .. 2^64-1)"},
      {CLI_OPT_SET, SET_HELP},
      {CLI_OPT_MAX_WORK, MAX_WORK_HELP},
      {0, NULL}}},
    {"validate", "SCENARIO.yaml|-...", "check scenario files and report every error",
     "Checks each file against the scenario schema and prints every problem as\n"
     "FILE:LINE:COLUMN: error: MESSAGE on standard error, and `FILE: ok (NAME)` on standard\n"
     "output for a valid file. With --format json, standard output has one JSON object per\n"
     "line and problem: {\"file\", \"line\", \"column\", \"severity\", \"field\", \"message\"} (line,\n"
     "column and field are null where unknown), and nothing else. Exits 2 if any file has an\n"
     "error, 3 if one cannot be read. --list-fields prints the reference of every scenario\n"
     "field (path, type, default, allowed values) as Markdown.\n"
     "\n" STDIN_NOTE,
     "text json",
     {{CLI_OPT_SET, SET_HELP},
      {CLI_OPT_MAX_WORK, MAX_WORK_HELP},
      {CLI_OPT_FORMAT, "text (default) or json"},
      {CLI_OPT_QUIET, "print only the problems"},
      {CLI_OPT_LIST_FIELDS, "print the scenario field reference and exit"},
      {0, NULL}}},
    {"tables", "SCENARIO.yaml|-", "print the execution and status tables to stdout",
     "Simulates the scenario and prints the execution table and the status tracker in one\n"
     "format (default text) to standard output; nothing is written to disk.\n"
     "\n" STDIN_NOTE,
     "text md csv json latex html",
     {{CLI_OPT_FORMAT, "one of text (default), md, csv, json, latex, latex-doc, html"},
      {CLI_OPT_SEED, "override the scenario's seed (0 .. 2^64-1)"},
      {CLI_OPT_SET, SET_HELP},
      {CLI_OPT_MAX_WORK, MAX_WORK_HELP},
      {0, NULL}}},
    {"decide", "POLICY.yaml", "compute one autoscaling decision from an observed state",
     "A policy calculator: reads one YAML document describing a policy (hpa, target_tracking,\n"
     "step_scaling) and an observed state, and prints `desired: N` and the computation step by\n"
     "step, with the same code the simulation uses. --format json prints\n"
     "{\"desired\": N, \"reason\": ..., \"steps\": [...]}. See the README for the input fields.\n",
     "text json",
     {{CLI_OPT_FORMAT, "text (default) or json"}, {0, NULL}}},
    {"compare", "SCENARIO.yaml...",
     "compare settings over the same seeds: means, paired differences, 95 % intervals",
     "Runs every variant over the same seeds with common random numbers (the demand, arrivals,\n"
     "service times, start-time jitter and fault victims of a run depend on its seed, not on\n"
     "the setting compared) and reports, for every figure of summary.json, each variant's mean\n"
     "with its 95 % interval (Student t) and its paired difference from the first variant, the\n"
     "baseline, seed by seed, with its 95 % interval and a verdict in words: \"target 70 leaves\n"
     "44 % more requests unserved than target 50 (95 % CI +31 % to +57 %, 20 seeds)\", or that\n"
     "the seeds do not resolve the difference and about how many would.\n"
     "\n"
     "Variants: the scenario files given (two or more: `ecsim compare A.yaml B.yaml`) times the\n"
     "values of every --set list (KEY=V1,V2,...; `\\,` is a comma inside a value), the first\n"
     "file and first values being the baseline; a --set with one value applies to every\n"
     "variant, and a key may be set once. Every variant is validated before anything runs. Runs\n"
     "are played by -j worker processes (default: one per CPU) into DIR/runs/vK-LABEL/seed-S/\n"
     "(summary.json, as `ecsim sweep` keeps it; the runs' records in DIR/runs/records/), so\n"
     "the same command run again resumes.\n"
     "\n"
     "DIR (default out/<scenario name>-compare) receives compare.txt (also printed), compare.md,\n"
     "compare.csv and compare.json (every numeric figure, with the per-seed values in the JSON),\n"
     "compare.html (one self-contained page) and the overlay plot compare.png / compare.svg\n"
     "(with compare.dat and compare.gp): the demand and each variant's capacity and running\n"
     "tasks for the representative seed (the one whose baseline run is nearest the median of the\n"
     "first key figure that varies), and the key figures' paired differences with their\n"
     "intervals.\n"
     "\n"
     "--window NAME compares the figures of the window NAME that the scenarios define\n"
     "(report.windows); --window [NAME=]FROM..TO adds that window to every run first. --fail-on\n"
     "EXPR (and the baseline scenario's checks:) is evaluated on each variant's means over\n"
     "the seeds.\n"
     "\n"
     "Exit codes: 0, 2 bad usage (nothing to compare, a key set twice, a figure no run has) or\n"
     "an invalid variant, 3 I/O error, 4 a threshold failed for a variant, 5 some runs failed\n"
     "(the reports leave them out), 130/143 interrupted.\n",
     NULL,
     {{CLI_OPT_SET, "KEY=V1,V2,...: one value per variant (lists multiply); KEY=VALUE: every variant"},
      {CLI_OPT_SEEDS, "the seeds every variant runs: N (1..N) or A-B (default 20: seeds 1..20)"},
      {CLI_OPT_JOBS, "worker processes (default: one per CPU)"},
      {CLI_OPT_OUT, "the comparison's folder (default: out/<scenario name>-compare)"},
      {CLI_OPT_NO_PLOTS, "no overlay plot (and no replay of the representative seed)"},
      {CLI_OPT_WINDOW, "compare the figures of one window: NAME (report.windows) or [NAME=]FROM..TO"},
      {CLI_OPT_FAIL_ON, "exit 4 when EXPR (FIGURE OP NUMBER) holds for a variant's means (repeatable)"},
      {CLI_OPT_MAX_WORK, MAX_WORK_HELP},
      {CLI_OPT_QUIET, "print nothing but errors (no table, no progress bar)"},
      {0, NULL}}},
    {"quiz", "SCENARIO.yaml|-", "generate a quiz and its answer key from simulated runs",
     "Simulates the scenario (once per variant) and writes multiple-choice and numeric\n"
     "questions whose answers come from the run: the seed's three kinds (the image's state\n"
     "after a step, when AWS starts managing the infrastructure, what happens at step 4 when\n"
     "the image was not pushed), numbers (when the app reached RUNNING, the image pull time,\n"
     "tasks at the peak, the first scale-out, the cost), why the service scaled at a given\n"
     "time, and which failure and which fix an excerpt of events.log shows. Each question has a\n"
     "hint; --answers adds the answer key with the explanation (the step-mode text).\n"
     "\n"
     "Variant k draws each field of the scenario's `quiz.vary` ranges (e.g.\n"
     "`quiz: {vary: {image.size_mb: [100, 500], registry.pull_mb_per_s: [10, 50]}}`)\n"
     "deterministically from the seed and k, and applies them like --set, so every variant has\n"
     "its own numbers and its own key. Without `quiz.vary`, variants after the first vary the\n"
     "image size (0.4x to 2x) and the pull bandwidth (0.5x to 2x) of the scenario. The same\n"
     "inputs give a byte-identical quiz; option order is shuffled deterministically.\n"
     "\n"
     "Formats: md (default), latex (a complete document), gift and moodle-xml (Moodle import;\n"
     "the correct answers are part of these formats), json (everything, with the value each\n"
     "answer was read from).\n"
     "\n" STDIN_NOTE,
     "md latex gift moodle-xml json",
     {{CLI_OPT_VARIANTS, "number of variants, 1 (default) to 100"},
      {CLI_OPT_SEED, "seed of the runs, the variants' draws and the option order"},
      {CLI_OPT_FORMAT, "md (default), latex, gift, moodle-xml or json"},
      {CLI_OPT_ANSWERS, "include the answer key and the explanations"},
      {CLI_OPT_OUT, "write the quiz to this file (atomically) instead of standard output"},
      {CLI_OPT_SET, SET_HELP},
      {0, NULL}}},
    {"sweep", "SCENARIO.yaml|DIR/sweep.json", "run a grid of settings x seeds, locally or on a cluster",
     "Runs the scenario for every combination of the --set lists (KEY=V1,V2,...; `\\,` is a\n"
     "comma inside a value) times every seed of --seeds (N: the seeds 1..N; A-B: A to B), each\n"
     "run in its own folder DIR/KEY=VALUE/.../seed-NNNN/ (one level per --set key, in the order\n"
     "given; bytes other than letters, digits and `. _ - + = ,`, and a leading dot, are written\n"
     "%XX). DIR (default out/<scenario name>-sweep) also gets sweep.json, the manifest: the\n"
     "scenario, the grid, the seeds and every run's folder. Every grid point is validated before\n"
     "anything runs. Runs are played by -j worker processes (default: one per CPU), with a\n"
     "progress bar (runs done, failures, time left) on a terminal, as `ecsim run` draws it.\n"
     "\n"
     "An ok run's folder keeps summary.json alone: the figures of `ecsim run`'s summary.json on\n"
     "one line (under 4 KB: a folder and one block per run), written last, atomically. Its\n"
     "record (status, exit code, error, scenario, overrides, seed, wall and simulation seconds)\n"
     "is a line of DIR/records/HOST-PID.jsonl, one file per sweep process. A run that fails\n"
     "keeps run.json, its record with the error, and the sweep goes on. --keep all keeps every\n"
     "output of `ecsim run` and run.json in each folder. Interrupted (Ctrl-C) and run again, a\n"
     "sweep skips the runs whose summary.json is there for the same seed and overrides.\n"
     "\n"
     "--emit parallel writes DIR/jobs.txt, one command per run, and prints the GNU parallel\n"
     "command that plays it (resumable with its --joblog); --emit slurm writes\n"
     "DIR/slurm/sweep.sbatch, a job array whose task T plays --per-task runs (default: the\n"
     "seeds of one grid point) with -j as the array's %N throttle, and DIR/slurm/tasks.tsv\n"
     "(task -> grid point and seeds). Both call `ecsim sweep DIR/sweep.json --runs I-J`, which\n"
     "plays runs I..J (0-based, the manifest's order) of a manifest: the folders are exactly\n"
     "those of a local sweep. Then `ecsim collect DIR` makes one table of them.\n"
     "\n"
     "--fail-on EXPR (and the scenario's checks:) is evaluated on every complete run's\n"
     "summary.json; the runs that fail a threshold are listed.\n"
     "\n"
     "Exit codes: 0 every run ok, 4 a threshold failed in some runs, 5 some runs failed (their\n"
     "number is printed; it wins over 4), 2 bad usage, a grid point that does not load or a\n"
     "check naming no figure, 3 I/O error, 130/143 interrupted.\n",
     NULL,
     {{CLI_OPT_SET, "KEY=V1,V2,...: one grid dimension per key (repeatable)"},
      {CLI_OPT_SEEDS, "the seeds of every grid point: N (1..N) or A-B (default: the scenario's seed, once)"},
      {CLI_OPT_JOBS, "worker processes (default: one per CPU; with a manifest and --runs: 1);\n"
                     "with --emit: parallel's -j, or the Slurm array's %N throttle"},
      {CLI_OPT_OUT, "the sweep folder (default: out/<scenario name>-sweep)"},
      {CLI_OPT_KEEP, "what each run keeps: summary (default) or all"},
      {CLI_OPT_EMIT, "write a job list for GNU parallel or a Slurm job array instead of running"},
      {CLI_OPT_PER_TASK, "with --emit slurm: runs per array task"},
      {CLI_OPT_RUNS, "with DIR/sweep.json: play runs I..J of the manifest only"},
      {CLI_OPT_FAIL_ON, "exit 4 when EXPR (FIGURE OP NUMBER) holds for a run (repeatable)"},
      {CLI_OPT_MAX_WORK, MAX_WORK_HELP},
      {CLI_OPT_QUIET, "no progress bar and no closing line; only errors"},
      {0, NULL}}},
    {"collect", "DIR...", "tabulate the run folders of sweeps: one row per run or per group",
     "Finds every run folder (one holding summary.json or run.json) under each DIR, recursively\n"
     "(an ok run's record comes from the records/ folder of its sweep), and prints one\n"
     "table on standard output: a row per run, in the order of the DIR arguments then of the\n"
     "folder paths (numbers in names compared as numbers), with the columns run (the folder,\n"
     "relative to its DIR), status, exit_code, error, scenario_file, one column per override\n"
     "key (`set.KEY`), then every figure of the run's summary.json flattened (`seed`,\n"
     "`capacity.unserved_requests`, `latency_s.p99`, ...; the union of the runs' names, in the\n"
     "order first seen). A figure that does not apply to a run is empty (null in JSON).\n"
     "\n"
     "--group-by KEY,... (override keys such as autoscaler.target, `scenario`, or any text\n"
     "figure) gives one row per group instead: its key values, runs, failed, then for every\n"
     "numeric figure FIG.n, FIG.mean, FIG.ci95_lo and FIG.ci95_hi (the Student-t 95 %\n"
     "interval of the mean over the group's ok runs).\n"
     "\n"
     "Formats: csv (default; RFC 4180, read as it is by pandas.read_csv), json (an array of\n"
     "objects, one per row, numbers as numbers: jq and pandas.read_json read it), md.\n"
     "\n"
     "Exit codes: 0 the table is complete; 2 bad usage, a DIR that is not a folder or holds\n"
     "no run folder, an unknown --group-by key; 3 a DIR, run.json or summary.json that cannot\n"
     "be read (the table is printed without it, with a warning).\n",
     "csv json md",
     {{CLI_OPT_GROUP_BY, "one row per group of these keys, with means and 95 % intervals"},
      {CLI_OPT_FORMAT, "csv (default), json or md"},
      {0, NULL}}},
    {"glossary", "[TERM]", "explain an AWS or Kubernetes term in one line",
     "Without TERM, lists every term of the glossary with its one-line definition. With TERM,\n"
     "prints that term (case-insensitive; a plural or another spelling of it works too); an\n"
     "unknown term exits 2 and suggests the nearest one. Step mode explains each term at its\n"
     "first use.\n",
     NULL,
     {{0, NULL}}},
};

#define COUNT(a) (sizeof(a) / sizeof(a)[0])

const cli_option *cli_options(size_t *count)
{
    *count = COUNT(options);
    return options;
}

const cli_option *cli_option_find(int id)
{
    for (size_t i = 0; i < COUNT(options); i++)
        if (options[i].id == id)
            return &options[i];
    return NULL;
}

const cli_cmddoc *cli_commands(size_t *count)
{
    *count = COUNT(commands);
    return commands;
}

const cli_cmddoc *cli_command_find(const char *name)
{
    for (size_t i = 0; i < COUNT(commands); i++)
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    return NULL;
}

int cli_command_accepts(const cli_cmddoc *c, int id)
{
    if (id == CLI_OPT_HELP)
        return 1;
    for (const cli_optdoc *d = c->opts; d->id; d++)
        if (d->id == id)
            return 1;
    return 0;
}

/* ---- text ------------------------------------------------------------------ */

/* "-o, --out DIR" or "    --set KEY=VALUE" */
static void option_label(const cli_option *o, char *buf, size_t size)
{
    if (o->short_name)
        snprintf(buf, size, "-%c, --%s%s%s", o->short_name, o->name, o->arg ? " " : "",
                 o->arg ? o->arg : "");
    else
        snprintf(buf, size, "    --%s%s%s", o->name, o->arg ? " " : "", o->arg ? o->arg : "");
}

void cli_doc_usage(const cli_cmddoc *c, char *buf, size_t size)
{
    size_t n = (size_t)snprintf(buf, size, "ecsim %s %s", c->name, c->args);
    for (const cli_optdoc *d = c->opts; d->id && n < size; d++) {
        const cli_option *o = cli_option_find(d->id);
        char flag[40];
        if (o->short_name)
            snprintf(flag, sizeof flag, "-%c", o->short_name);
        else
            snprintf(flag, sizeof flag, "--%s", o->name);
        n += (size_t)snprintf(buf + n, size - n, " [%s%s%s]%s", flag, o->arg ? " " : "",
                              o->arg ? o->arg : "", d->id == CLI_OPT_SET ? "..." : "");
    }
}

void cli_doc_print_overview(FILE *out)
{
    fprintf(out, "ecsim %s: a discrete-event simulator of the container lifecycle on AWS\n\n",
            ECSIM_VERSION);
    fprintf(out, "usage: ecsim COMMAND [ARGS]\n\ncommands:\n");
    for (size_t i = 0; i < COUNT(commands); i++)
        fprintf(out, "  %-9s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\n`ecsim COMMAND --help` (or -h) for a command's options; `ecsim --version`;\n"
                 "`ecsim --help-man` prints the man page, `ecsim --bash-completion` the bash\n"
                 "completion script, `ecsim --data-dir` where the plot templates and example\n"
                 "scenarios are.\n"
                 "Exit codes: 0 success, 2 bad usage or invalid scenario, 3 I/O error,\n"
                 "4 a --fail-on threshold or a scenario check failed, 5 some runs of a sweep or\n"
                 "compare failed, 70 internal error (a bug in ecsim: please report it),\n"
                 "130 / 143 stopped by SIGINT / SIGTERM.\n");
}

void cli_doc_print_command(const cli_cmddoc *c, FILE *out)
{
    char usage[512];
    cli_doc_usage(c, usage, sizeof usage);
    size_t dlen = strlen(c->description);
    fprintf(out, "usage: %s\n\n%s\n%s%s\noptions:\n", usage, c->summary, c->description,
            dlen && c->description[dlen - 1] == '\n' ? "" : "\n");
    size_t width = 0;
    char label[64];
    for (const cli_optdoc *d = c->opts; d->id; d++) {
        option_label(cli_option_find(d->id), label, sizeof label);
        if (strlen(label) > width)
            width = strlen(label);
    }
    for (const cli_optdoc *d = c->opts; d->id; d++) {
        option_label(cli_option_find(d->id), label, sizeof label);
        fprintf(out, "  %-*s  ", (int)width, label);
        for (const char *p = d->help; *p; p++) {
            fputc(*p, out);
            if (*p == '\n')
                fprintf(out, "  %-*s  ", (int)width, "");
        }
        fputc('\n', out);
    }
    option_label(cli_option_find(CLI_OPT_HELP), label, sizeof label);
    fprintf(out, "  %-*s  print this help\n", (int)width, label);
}

/* ---- man page -------------------------------------------------------------- */

/* Text for roff: backslashes and hyphens escaped, a '.' or '\'' that would
 * start a line guarded, `code` in bold, newlines kept (filled by man). */
static void roff_text(FILE *out, const char *s, int at_line_start)
{
    int bold = 0;
    for (const char *p = s; *p; p++) {
        if (at_line_start && (*p == '.' || *p == '\''))
            fputs("\\&", out);
        at_line_start = 0;
        switch (*p) {
        case '\\': fputs("\\e", out); break;
        case '-': fputs("\\-", out); break;
        case '`':
            fputs(bold ? "\\fR" : "\\fB", out);
            bold = !bold;
            break;
        case '\n':
            fputc('\n', out);
            at_line_start = 1;
            break;
        default: fputc(*p, out);
        }
    }
    if (bold)
        fputs("\\fR", out);
}

/* Paragraphs separated by a blank line become .PP paragraphs. */
static void roff_paragraphs(FILE *out, const char *text)
{
    const char *p = text;
    while (*p) {
        const char *end = strstr(p, "\n\n");
        size_t n = end ? (size_t)(end - p) : strlen(p);
        while (n && p[n - 1] == '\n')
            n--;
        char buf[2048];
        snprintf(buf, sizeof buf, "%.*s", (int)n, p);
        fputs(".PP\n", out);
        roff_text(out, buf, 1);
        fputc('\n', out);
        if (!end)
            break;
        p = end + 2;
    }
}

static void roff_option(FILE *out, const cli_option *o, const char *help)
{
    fputs(".TP\n", out);
    if (o->short_name)
        fprintf(out, "\\fB\\-%c\\fR, ", o->short_name);
    fputs("\\fB\\-\\-", out);
    roff_text(out, o->name, 0);
    fputs("\\fR", out);
    if (o->arg) {
        fputs(" \\fI", out);
        roff_text(out, o->arg, 0);
        fputs("\\fR", out);
    }
    fputc('\n', out);
    roff_text(out, help, 1);
    fputc('\n', out);
}

void cli_doc_print_man(FILE *out)
{
    fprintf(out, ".\\\" ecsim.1: generated by `ecsim --help-man` from sim/cli/cli_doc.c; do not edit.\n");
    fprintf(out, ".TH ECSIM 1 \"\" \"ecsim %s\" \"User Commands\"\n", ECSIM_VERSION);
    fputs(".nh\n.ad l\n", out);
    fputs(".SH NAME\necsim \\- a discrete\\-event simulator of the container lifecycle on AWS\n",
          out);
    fputs(".SH SYNOPSIS\n", out);
    for (size_t i = 0; i < COUNT(commands); i++) {
        char usage[512];
        cli_doc_usage(&commands[i], usage, sizeof usage);
        fputs(i ? ".br\n" : "", out);
        roff_text(out, usage, 1);
        fputc('\n', out);
    }
    fputs(".br\necsim \\-\\-help | \\-\\-version | \\-\\-help\\-man | \\-\\-bash\\-completion | "
          "\\-\\-data\\-dir\n",
          out);
    fputs(".SH DESCRIPTION\n", out);
    roff_paragraphs(out,
                    "ecsim simulates, in virtual time, how an application image is built, pushed to a\n"
                    "registry, pulled and started as tasks of an ECS service (Fargate or EC2) or an EKS\n"
                    "deployment, and how an autoscaler follows the demand: step by step as the seed\n"
                    "walkthrough describes it, with failures and what to change. A scenario is one\n"
                    "YAML file; `ecsim validate --list-fields` lists its fields.");
    fputs(".SH COMMANDS\n", out);
    for (size_t i = 0; i < COUNT(commands); i++) {
        const cli_cmddoc *c = &commands[i];
        fputs(".SS \"", out);
        roff_text(out, c->name, 0);
        fputs("\"\n", out);
        char usage[512];
        cli_doc_usage(c, usage, sizeof usage);
        fputs(".PP\n\\fB", out);
        roff_text(out, usage, 0);
        fputs("\\fR\n.PP\n", out);
        roff_text(out, c->summary, 1);
        fputs(".\n", out);
        roff_paragraphs(out, c->description);
        for (const cli_optdoc *d = c->opts; d->id; d++)
            roff_option(out, cli_option_find(d->id), d->help);
        roff_option(out, cli_option_find(CLI_OPT_HELP), "print the command's help");
    }
    fputs(".SH OPTIONS\n"
          ".TP\n\\fB\\-h\\fR, \\fB\\-\\-help\\fR\nlist the commands\n"
          ".TP\n\\fB\\-V\\fR, \\fB\\-\\-version\\fR\nprint the version\n"
          ".TP\n\\fB\\-\\-help\\-man\\fR\nprint this manual page (roff)\n"
          ".TP\n\\fB\\-\\-bash\\-completion\\fR\nprint the bash completion script\n"
          ".TP\n\\fB\\-\\-data\\-dir\\fR\nprint the folder holding the plot templates and the "
          "example scenarios\n",
          out);
    fputs(".SH \"EXIT STATUS\"\n"
          "0 success (a simulated failure, such as a failed deployment, is a successful "
          "simulation), 2 bad usage or invalid scenario, 3 I/O error, 5 some runs of a sweep "
          "failed (the count is printed), 70 internal error\n"
          "(a bug in ecsim: the message says what to report).\n",
          out);
    fputs(".SH ENVIRONMENT\n"
          ".TP\n.B ECSIM_PLOTS_DIR\n"
          "folder holding the gnuplot template demand_capacity.gp, searched first\n"
          ".TP\n.B TERM\\fR, \\fBNO_COLOR\n"
          "no progress bar and no escape codes when TERM is unset or dumb, or NO_COLOR is set\n",
          out);
    fputs(".SH FILES\n"
          "The plot templates and example scenarios are in \\fIshare/ecsim\\fR beside the "
          "installed binary (\\fIBINDIR/../share/ecsim\\fR), else in the folder chosen at build "
          "time, else in the source tree; \\fBecsim \\-\\-data\\-dir\\fR prints the one in use.\n",
          out);
    fputs(".SH EXAMPLES\n"
          ".nf\n"
          "ecsim run \"$(ecsim \\-\\-data\\-dir)/scenarios/quickstart.yaml\" \\-o out\n"
          "ecsim step seed\\-walkthrough.yaml\n"
          "ecsim run scenario.yaml \\-s 7 \\-\\-set autoscaler.target=60 \\-q\n"
          "cat scenario.yaml | ecsim validate \\-f json \\-\n"
          "ecsim tables scenario.yaml \\-f md\n"
          ".fi\n",
          out);
    fputs(".SH \"SEE ALSO\"\n.BR gnuplot (1)\n", out);
}

/* ---- bash completion -------------------------------------------------------- */

static void bash_words_for(const cli_cmddoc *c, FILE *out)
{
    const char *sep = "";
    for (const cli_optdoc *d = c->opts;; d++) {
        const cli_option *o = cli_option_find(d->id ? d->id : CLI_OPT_HELP);
        if (o->short_name)
            fprintf(out, "%s-%c", sep, o->short_name);
        fprintf(out, "%s--%s", o->short_name || *sep ? " " : "", o->name);
        sep = " ";
        if (!d->id)
            break;
    }
}

void cli_doc_print_bash(const char *fields, FILE *out)
{
    fputs("# bash completion for ecsim: generated by `ecsim --bash-completion` from\n"
          "# sim/cli/cli_doc.c; do not edit. Install as\n"
          "# share/bash-completion/completions/ecsim, or source it.\n",
          out);
    fputs("_ecsim_fields='", out);
    for (const char *p = fields ? fields : ""; *p; p++)
        fputc(*p == '\n' ? ' ' : *p, out);
    fputs("'\n\n", out);
    fputs("_ecsim()\n{\n"
          "    local cur prev cmd words formats\n"
          "    COMPREPLY=()\n"
          "    cur=${COMP_WORDS[COMP_CWORD]}\n"
          "    prev=\n"
          "    [[ $COMP_CWORD -gt 0 ]] && prev=${COMP_WORDS[COMP_CWORD-1]}\n"
          "    # --opt=VALUE: bash splits the word at '='\n"
          "    if [[ $cur == = ]]; then cur=; elif [[ $prev == = && $COMP_CWORD -gt 1 ]]; then\n"
          "        prev=${COMP_WORDS[COMP_CWORD-2]}\n"
          "    fi\n"
          "    if [[ $COMP_CWORD -le 1 ]]; then\n"
          "        COMPREPLY=($(compgen -W '",
          out);
    for (size_t i = 0; i < COUNT(commands); i++)
        fprintf(out, "%s ", commands[i].name);
    fputs("--help --version --help-man --bash-completion --data-dir' -- \"$cur\"))\n"
          "        return 0\n"
          "    fi\n"
          "    cmd=${COMP_WORDS[1]}\n"
          "    case $cmd in\n",
          out);
    for (size_t i = 0; i < COUNT(commands); i++) {
        fprintf(out, "    %s) words='", commands[i].name);
        bash_words_for(&commands[i], out);
        fprintf(out, "'; formats='%s' ;;\n", commands[i].formats ? commands[i].formats : "");
    }
    fputs("    *) return 0 ;;\n"
          "    esac\n"
          "    case $prev in\n"
          "    -f|--format)\n"
          "        # a comma-separated list: complete its last element\n"
          "        local head=\n"
          "        [[ $cur == *,* ]] && head=${cur%,*},\n"
          "        COMPREPLY=($(compgen -P \"$head\" -W \"$formats\" -- \"${cur##*,}\"))\n"
          "        return 0 ;;\n"
          "    -o|--out)\n"
          "        COMPREPLY=($(compgen -d -- \"$cur\"))\n"
          "        return 0 ;;\n"
          "    -s|--seed|-j|--jobs|--variants|--seeds|--runs|--per-task|--group-by|--max-work)\n"
          "        return 0 ;;\n"
          "    --keep)\n"
          "        COMPREPLY=($(compgen -W 'summary all' -- \"$cur\"))\n"
          "        return 0 ;;\n"
          "    --emit)\n"
          "        COMPREPLY=($(compgen -W 'parallel slurm' -- \"$cur\"))\n"
          "        return 0 ;;\n"
          "    --set)\n"
          "        COMPREPLY=($(compgen -S = -W \"$_ecsim_fields\" -- \"$cur\"))\n"
          "        compopt -o nospace 2>/dev/null\n"
          "        return 0 ;;\n"
          "    esac\n"
          "    if [[ $cur == -?* ]]; then\n"
          "        COMPREPLY=($(compgen -W \"$words\" -- \"$cur\"))\n"
          "        return 0\n"
          "    fi\n"
          "    compopt -o filenames 2>/dev/null\n"
          "    if [[ $cmd == collect ]]; then COMPREPLY=($(compgen -d -- \"$cur\")); return 0; fi\n"
          "    COMPREPLY=($(compgen -f -X '!*.yaml' -- \"$cur\") $(compgen -f -X '!*.yml' -- \"$cur\")\n"
          "               $(compgen -d -- \"$cur\"))\n"
          "    [[ -z $cur && $cmd != decide ]] && COMPREPLY+=(-)\n"
          "    return 0\n"
          "}\n"
          "complete -F _ecsim ecsim\n",
          out);
}
