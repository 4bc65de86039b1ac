/* The command-line interface: parses arguments, calls the library, prints.
 * No simulation logic lives here (DESIGN.md "cli"): every command is a thin
 * layer over loader.h, sim.h, report.h and step.h. Subcommands are a table
 * (name, handler, summary, help), so adding one is one function and one
 * line. Exit codes: 0 success, 2 bad usage or invalid scenario, 3 I/O
 * error (include/ecsim/error.h). */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ecsim/alloc.h"
#include "ecsim/interrupt.h"
#include "ecsim/ecsim.h"
#include "ecsim/output.h"
#include "ecsim/policy.h"
#include "ecsim/report.h"
#include "ecsim/sim.h"
#include "checks.h"
#include "cli_doc.h"
#include "cli_opts.h"
#include "ecsim/report_spec.h"
#include "run_error.h"
#include "datadir.h"
#include "quiz.h"
#include "report/glossary.h"
#include "step.h"

#ifdef ECSIM_DATADIR
#define ECSIM_DATADIR_TEXT ECSIM_DATADIR
#else
#define ECSIM_DATADIR_TEXT "the install folder"
#endif

/* A scenario on standard input is read into memory up to this size (the
 * loader's own limit for a file). */
#define STDIN_MAX_BYTES 4194304u


typedef struct cli_command {
    const char *name;
    int (*run)(cli_opts *o, FILE *out, FILE *err);
} cli_command;

/* ---- argument parsing --------------------------------------------------------- */

void cli_print_usage_line(const cli_cmddoc *doc, FILE *err)
{
    char usage[512];
    cli_doc_usage(doc, usage, sizeof usage);
    fprintf(err, "usage: %s\n", usage);
}

/* How the user wrote option `id` ("-o/--out"), for messages. */
static void option_name(int id, char *buf, size_t size)
{
    const cli_option *opt = cli_option_find(id);
    if (!opt)
        snprintf(buf, size, "?");
    else if (opt->short_name)
        snprintf(buf, size, "-%c/--%s", opt->short_name, opt->name);
    else
        snprintf(buf, size, "--%s", opt->name);
}

/* getopt_long over the options `doc` accepts (its table in cli_doc.c):
 * short and long forms, `--opt=value` and `--opt value`, options and files
 * in any order, `--` ends the options and `-` is a file (standard input).
 * Errors name the option and print the command's usage; exit code 2. */
static int parse_args(const cli_cmddoc *doc, int argc, char **argv, cli_opts *o, FILE *err)
{
    struct option longopts[CLI_MAX_OPTS + 2];
    char shortopts[2 * CLI_MAX_OPTS + 4];
    size_t nl = 0, ns = 0;
    /* '-': files come back in order as option 1 (options and files mix even
     * with POSIXLY_CORRECT set); ':': a missing value is reported as ':'. */
    shortopts[ns++] = '-';
    shortopts[ns++] = ':';
    size_t count;
    const cli_option *all = cli_options(&count);
    for (size_t i = 0; i < count; i++) {
        if (!cli_command_accepts(doc, all[i].id))
            continue;
        longopts[nl].name = all[i].name;
        longopts[nl].has_arg = all[i].arg ? required_argument : no_argument;
        longopts[nl].flag = NULL;
        longopts[nl].val = all[i].id;
        nl++;
        if (all[i].short_name) {
            shortopts[ns++] = all[i].short_name;
            if (all[i].arg)
                shortopts[ns++] = ':';
        }
    }
    memset(&longopts[nl], 0, sizeof longopts[nl]);
    shortopts[ns] = '\0';

    /* getopt_long works on argv[1..]: give it a program name in front. */
    char *args[MAX_FILES + MAX_SETS + 64];
    if ((size_t)argc + 2 > sizeof args / sizeof args[0]) {
        fprintf(err, "ecsim %s: error: too many arguments\n", doc->name);
        return ECSIM_EXIT_USAGE;
    }
    char progname[] = "ecsim";
    args[0] = progname;
    for (int i = 0; i < argc; i++)
        args[i + 1] = argv[i];
    args[argc + 1] = NULL;

    opterr = 0;
    optind = 0; /* glibc: reinitialise (ecsim_cli_main may be called again) */
    int ch, code = 0;
    char name[48];
    while (code == 0 && (ch = getopt_long(argc + 1, args, shortopts, longopts, NULL)) != -1) {
        const char *value = optarg;
        if (ch == '?' || ch == ':') {
            const char *arg = args[optind - 1];
            if (optopt)
                option_name(optopt, name, sizeof name);
            if (ch == '?' && optopt && strncmp(arg, "--", 2) == 0)
                fprintf(err, "ecsim %s: error: option `%s` takes no value\n", doc->name, name);
            else if (ch == '?' && optopt)
                fprintf(err, "ecsim %s: error: unknown option `-%c`\n", doc->name, optopt);
            else if (ch == '?')
                fprintf(err, "ecsim %s: error: unknown option `%s`\n", doc->name, arg);
            else
                fprintf(err, "ecsim %s: error: option `%s` needs a value\n", doc->name,
                        optopt ? name : arg);
            cli_print_usage_line(doc, err);
            fprintf(err, "(see `ecsim %s --help`)\n", doc->name);
            return ECSIM_EXIT_USAGE;
        }
        const cli_option *opt = cli_option_find(ch);
        if (opt && opt->arg && (!value || !*value)) {
            option_name(ch, name, sizeof name);
            fprintf(err, "ecsim %s: error: option `%s` needs a non-empty value\n", doc->name, name);
            cli_print_usage_line(doc, err);
            return ECSIM_EXIT_USAGE;
        }
        switch (ch) {
        case 1: /* a file */
            if (o->nfiles >= MAX_FILES) {
                fprintf(err, "ecsim %s: error: too many files (at most %d)\n", doc->name, MAX_FILES);
                return ECSIM_EXIT_USAGE;
            }
            o->files[o->nfiles++] = value;
            break;
        case CLI_OPT_HELP: o->help = 1; break;
        case CLI_OPT_OUT: o->out = value; break;
        case CLI_OPT_SEED: o->seed_text = value; break;
        case CLI_OPT_FORMAT: o->format = value; break;
        case CLI_OPT_JOBS: o->jobs_text = value; break;
        case CLI_OPT_NO_PLOTS: o->no_plots = 1; break;
        case CLI_OPT_QUIET: o->quiet = 1; break;
        case CLI_OPT_LIST_FIELDS: o->list_fields = 1; break;
        case CLI_OPT_VARIANTS: o->variants_text = value; break;
        case CLI_OPT_ANSWERS: o->answers = 1; break;
        case CLI_OPT_MAX_WORK: o->max_work_text = value; break;
        case CLI_OPT_DECISIONS: o->decisions_text = value; break;
        case CLI_OPT_WINDOW:
        case CLI_OPT_FAIL_ON: {
            bool win = ch == CLI_OPT_WINDOW;
            size_t *n = win ? &o->nwindows : &o->nfail_on;
            size_t max = win ? ECSIM_WINDOWS_MAX : ECSIM_CHECKS_MAX;
            if (*n >= max) {
                fprintf(err, "ecsim %s: error: too many --%s options (at most %zu)\n", doc->name,
                        win ? "window" : "fail-on", max);
                return ECSIM_EXIT_USAGE;
            }
            (win ? o->windows : o->fail_on)[(*n)++] = value;
            break;
        }
        case CLI_OPT_SEEDS: o->seeds_text = value; break;
        case CLI_OPT_KEEP: o->keep_text = value; break;
        case CLI_OPT_EMIT: o->emit_text = value; break;
        case CLI_OPT_RUNS: o->runs_text = value; break;
        case CLI_OPT_PER_TASK: o->per_task_text = value; break;
        case CLI_OPT_GROUP_BY: o->group_by_text = value; break;
        case CLI_OPT_SET:
            if (o->nsets >= MAX_SETS) {
                fprintf(err, "ecsim %s: error: too many --set options (at most %d)\n", doc->name,
                        MAX_SETS);
                return ECSIM_EXIT_USAGE;
            }
            o->sets[o->nsets++] = value;
            break;
        default: break;
        }
    }
    for (int i = optind; i < argc + 1; i++) { /* after `--` */
        if (o->nfiles >= MAX_FILES) {
            fprintf(err, "ecsim %s: error: too many files (at most %d)\n", doc->name, MAX_FILES);
            return ECSIM_EXIT_USAGE;
        }
        o->files[o->nfiles++] = args[i];
    }
    return code;
}

int cli_parse_seed(const char *text, uint64_t *seed, FILE *err)
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

int cli_need_one_file(const cli_cmddoc *c, const cli_opts *o, FILE *err)
{
    if (o->nfiles == 1)
        return 0;
    fprintf(err, "ecsim %s: error: %s\n", c->name,
            o->nfiles ? "expected exactly one scenario file" : "missing the scenario file");
    cli_print_usage_line(c, err);
    return ECSIM_EXIT_USAGE;
}

/* Read all of `in` into a new buffer (NUL-terminated), at most `max`
 * bytes. 0; ECSIM_EINVAL if longer than max; ECSIM_EIO; ECSIM_ENOMEM. */
static int read_all(FILE *in, size_t max, char **text, size_t *len)
{
    size_t cap = 65536, n = 0;
    char *buf = ecsim_malloc(cap + 1);
    if (!buf)
        return ECSIM_ENOMEM;
    for (;;) {
        if (n == cap) {
            if (cap > max) {
                ecsim_free(buf);
                return ECSIM_EINVAL;
            }
            size_t next = cap * 2;
            char *grown = ecsim_realloc(buf, next + 1);
            if (!grown) {
                ecsim_free(buf);
                return ECSIM_ENOMEM;
            }
            buf = grown;
            cap = next;
        }
        size_t got = fread(buf + n, 1, cap - n, in);
        n += got;
        if (got == 0)
            break;
    }
    if (ferror(in)) {
        ecsim_free(buf);
        return ECSIM_EIO;
    }
    if (n > max) {
        ecsim_free(buf);
        return ECSIM_EINVAL;
    }
    buf[n] = '\0';
    *text = buf;
    *len = n;
    return 0;
}

/* How diagnostics reach the user: text lines on err, or (validate --format
 * json) one JSON object per problem on out. */
typedef struct diag_sink {
    FILE *err;
    FILE *json; /* non-NULL: JSON lines here instead of text on err */
} diag_sink;

/* The field a diagnostic is about, from its message: messages start with
 * the dotted path ("service.desired: expected ...", "autoscaler.x (4) must
 * be ...") or name an unknown key ("unknown field `base`"). "" if neither. */
static void diag_field(const char *msg, char *field, size_t size)
{
    field[0] = '\0';
    size_t n = strspn(msg, "abcdefghijklmnopqrstuvwxyz0123456789_.[]");
    if (n > 0 && n < size && (msg[n] == ':' || (msg[n] == ' ' && msg[n + 1] == '('))) {
        memcpy(field, msg, n);
        field[n] = '\0';
        return;
    }
    const char *u = strstr(msg, "unknown field `");
    if (u) {
        u += strlen("unknown field `");
        const char *end = strchr(u, '`');
        if (end && (size_t)(end - u) < size) {
            memcpy(field, u, (size_t)(end - u));
            field[end - u] = '\0';
        }
    }
}

static void emit_json_diag(FILE *out, ecsim_diag_level level, const char *file, int line,
                           int column, const char *message)
{
    char field[256];
    diag_field(message, field, sizeof field);
    ecsim_json j;
    ecsim_json_init(&j, out, true);
    ecsim_json_begin_object(&j);
    ecsim_json_key(&j, "file");
    ecsim_json_string(&j, file);
    ecsim_json_key(&j, "line");
    if (line > 0)
        ecsim_json_int(&j, line);
    else
        ecsim_json_null(&j);
    ecsim_json_key(&j, "column");
    if (column > 0)
        ecsim_json_int(&j, column);
    else
        ecsim_json_null(&j);
    ecsim_json_key(&j, "severity");
    ecsim_json_string(&j, level == ECSIM_DIAG_WARNING ? "warning" : "error");
    ecsim_json_key(&j, "field");
    ecsim_json_string(&j, field[0] ? field : NULL);
    ecsim_json_key(&j, "message");
    ecsim_json_string(&j, message);
    ecsim_json_end_object(&j);
    ecsim_json_finish(&j);
}

/* A problem found before the loader ran (the file cannot be read). */
static void sink_error(const diag_sink *s, const char *file, const char *fmt, const char *detail)
{
    char msg[512];
    snprintf(msg, sizeof msg, fmt, detail);
    if (s->json)
        emit_json_diag(s->json, ECSIM_DIAG_ERROR, file, 0, 0, msg);
    else
        fprintf(s->err, "%s: error: %s\n", file, msg);
}

static void sink_diags(const diag_sink *s, const ecsim_diags *d)
{
    if (!s->json) {
        ecsim_diags_print(d, s->err);
        return;
    }
    for (size_t i = 0; i < d->count; i++) {
        const ecsim_diag *g = &d->items[i];
        emit_json_diag(s->json, g->level, g->file, g->line, g->column, g->message);
    }
}

/* Load a scenario (`-` = standard input, read once) with the --set
 * overrides; diagnostics to `sink`. */
static ecsim_scenario *load_to(const cli_opts *o, const char *path, const diag_sink *sink,
                               int *code)
{
    ecsim_diags d;
    ecsim_scenario *sc;
    if (strcmp(path, "-") == 0) {
        static const char name[] = "<stdin>";
        char *text = NULL;
        size_t len = 0;
        int rc = read_all(stdin, STDIN_MAX_BYTES, &text, &len);
        if (rc == ECSIM_EINVAL) {
            sink_error(sink, name, "%s", "the scenario is too large (scenarios are at most 4194304 bytes)");
            *code = ECSIM_EXIT_USAGE;
            return NULL;
        }
        if (rc != 0) {
            sink_error(sink, name, "cannot read the scenario: %s", ecsim_strerror(rc));
            *code = rc == ECSIM_ENOMEM ? ECSIM_EXIT_FAIL : ECSIM_EXIT_IO;
            return NULL;
        }
        ecsim_diags_init(&d);
        sc = ecsim_scenario_load_string(text, len, name, o->sets, o->nsets, &d);
        ecsim_free(text);
    } else {
        /* A file that cannot be opened is an I/O error (exit 3), not an
         * invalid scenario (exit 2). */
        FILE *probe = fopen(path, "rb");
        struct stat st;
        if (!probe || fstat(fileno(probe), &st) != 0 || !S_ISREG(st.st_mode)) {
            sink_error(sink, path, "cannot read the scenario: %s",
                       probe ? "not a regular file" : strerror(errno));
            if (probe)
                fclose(probe);
            *code = ECSIM_EXIT_IO;
            return NULL;
        }
        fclose(probe);
        ecsim_diags_init(&d);
        sc = ecsim_scenario_load(path, o->sets, o->nsets, &d);
    }
    if (sc && ecsim_policy_validate(sc, &d) != 0) { /* each policy's own rules */
        ecsim_scenario_free(sc);
        sc = NULL;
    }
    if (sc && ecsim_work_check(sc, o->max_work_text, strcmp(path, "-") == 0 ? "<stdin>" : path, &d) != 0) {
        ecsim_scenario_free(sc);
        sc = NULL;
    }
    sink_diags(sink, &d);
    if (!sc)
        *code = d.oom && d.errors == 0 ? ECSIM_EXIT_FAIL
                : d.io_errors             ? ECSIM_EXIT_IO /* a data file it names */
                                          : ECSIM_EXIT_USAGE;
    ecsim_diags_free(&d);
    return sc;
}

ecsim_scenario *cli_load(const cli_opts *o, const char *path, FILE *err, int *code)
{
    diag_sink sink = {err, NULL};
    return load_to(o, path, &sink, code);
}

static double wall_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

ecsim_cli_progress ecsim_cli_progress_style(bool is_tty, bool quiet, const char *term,
                                            const char *no_color)
{
    if (quiet || !is_tty)
        return ECSIM_CLI_PROGRESS_NONE;
    if (!term || !*term || strcmp(term, "dumb") == 0 || (no_color && *no_color))
        return ECSIM_CLI_PROGRESS_PLAIN;
    return ECSIM_CLI_PROGRESS_ANSI;
}

void ecsim_cli_progress_draw(FILE *err, ecsim_cli_progress style, double frac, const char *done,
                             const char *total, double rate, const char *unit, double left_s)
{
    if (style == ECSIM_CLI_PROGRESS_NONE)
        return;
    char bar[31];
    int filled = (int)(frac * 30);
    for (int i = 0; i < 30; i++)
        bar[i] = i < filled ? '#' : '-';
    bar[30] = '\0';
    /* A plain terminal gets carriage returns and blank padding in place of
     * the erase-line sequence. */
    int n = fprintf(err, "\r[%s] %3.0f%%  %s of %s  %.2fM %s/s  %.0f s left", bar, frac * 100, done,
                    total, rate / 1e6, unit, left_s);
    if (style == ECSIM_CLI_PROGRESS_ANSI)
        fputs("\033[K", err);
    else
        fprintf(err, "%*s", n < 79 ? 79 - n : 0, "");
    fflush(err);
}

void ecsim_cli_progress_erase(FILE *err, ecsim_cli_progress style)
{
    if (style == ECSIM_CLI_PROGRESS_ANSI)
        fputs("\r\033[K", err);
    else if (style == ECSIM_CLI_PROGRESS_PLAIN)
        fprintf(err, "\r%78s\r", "");
    fflush(err);
}

/* Seconds a run must have taken before the progress bar appears: 1, or
 * $ECSIM_PROGRESS_DELAY (a number >= 0; the tests set 0 so that a short
 * run draws the bar whatever the machine's speed). */
static double progress_delay_s(void)
{
    const char *v = getenv("ECSIM_PROGRESS_DELAY");
    if (!v || !*v)
        return 1.0;
    char *end;
    double d = strtod(v, &end);
    return (*end == '\0' && d >= 0 && d <= 3600) ? d : 1.0;
}

/* Play the run in slices of virtual time; once it has taken more than
 * progress_delay_s(), draw a progress bar on `err` (a terminal): simulated
 * time done, engine events per second, and the time left at that pace. The
 * bar is erased when the run ends. Output files are unaffected. */
static int run_with_progress(ecsim_sim *sim, ecsim_cli_progress style, FILE *err)
{
    double duration = ecsim_sim_scenario(sim)->duration_s;
    if (style == ECSIM_CLI_PROGRESS_NONE) {
        /* Slices of virtual time, so that SIGINT / SIGTERM stop the run
         * between two of them (issue 10 point 7). */
        for (int slice = 1; !ecsim_sim_done(sim); slice++) {
            if (ecsim_interrupted())
                return ECSIM_EINTR;
            int rc = ecsim_sim_run_until(sim, duration * slice / 500.0);
            if (rc != 0)
                return rc;
            if (slice > 500 && !ecsim_sim_done(sim))
                return ecsim_sim_run(sim);
        }
        return 0;
    }
    double delay = progress_delay_s();
    double start = wall_seconds(), last_draw = -1;
    bool drawn = false;
    for (int slice = 1; !ecsim_sim_done(sim); slice++) {
        if (ecsim_interrupted()) {
            if (drawn)
                ecsim_cli_progress_erase(err, style);
            return ECSIM_EINTR;
        }
        int rc = ecsim_sim_run_until(sim, duration * slice / 500.0);
        if (rc != 0)
            return rc;
        double elapsed = wall_seconds() - start;
        if (elapsed < delay || (last_draw >= 0 && elapsed - last_draw < 0.1) || ecsim_sim_done(sim))
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
        ecsim_cli_progress_draw(err, style, frac, done_clock, total_clock, rate,
                                requests ? "requests" : "events", left);
        drawn = true;
    }
    if (drawn)
        ecsim_cli_progress_erase(err, style);
    return 0;
}

ecsim_sim *cli_simulate(const cli_opts *o, const ecsim_scenario *sc, FILE *err, int *code)
{
    uint64_t seed = sc->seed;
    if (o->seed_text && (*code = cli_parse_seed(o->seed_text, &seed, err)) != 0)
        return NULL;
    ecsim_sim *sim = ecsim_sim_create(sc, seed, err);
    if (!sim) {
        *code = ECSIM_EXIT_USAGE;
        return NULL;
    }
    ecsim_cli_progress style = ecsim_cli_progress_style(
        isatty(fileno(err)) != 0, o->quiet, getenv("TERM"), getenv("NO_COLOR"));
    int rc = run_with_progress(sim, style, err);
    if (rc != 0) {
        *code = ecsim_cli_simulation_failed(sim, rc, "ecsim", err);
        ecsim_sim_destroy(sim);
        return NULL;
    }
    return sim;
}


/* ---- commands ---------------------------------------------------------------------- */

/* Terminal columns of UTF-8 text `s`: one per code point (the summary's
 * texts have no wide or combining characters). */
static size_t display_width(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80)
            n++;
    return n;
}

static void print_run_summary(const ecsim_sim *sim, const ecsim_run_outputs *outs, FILE *out)
{
    const ecsim_scenario *sc = ecsim_sim_scenario(sim);
    const ecsim_summary *s = ecsim_sim_summary(sim);
    char clock[32];
    fprintf(out, "ecsim %s: %s (seed %" PRIu64 ", %s simulated)\n", ECSIM_VERSION, sc->name,
            ecsim_sim_seed(sim), (ecsim_fmt_clock(clock, sizeof clock, sc->duration_s), clock));
    fprintf(out, "outcome: %s\n", s->outcome);
    /* Columns aligned by display width: "—" is 3 bytes, 1 column. */
    size_t wclock = 0, waction = 0;
    for (int st = 1; st <= ECSIM_STEP_COUNT; st++) {
        const ecsim_step_record *r = ecsim_sim_step_record(sim, st);
        ecsim_fmt_clock(clock, sizeof clock, r->reached ? r->time_s : NAN);
        if (display_width(clock) > wclock)
            wclock = display_width(clock);
        if (display_width(r->action) > waction)
            waction = display_width(r->action);
    }
    for (int st = 1; st <= ECSIM_STEP_COUNT; st++) {
        const ecsim_step_record *r = ecsim_sim_step_record(sim, st);
        ecsim_fmt_clock(clock, sizeof clock, r->reached ? r->time_s : NAN);
        fprintf(out, "  %d  %s%*s  %s%*s %s\n", st, clock, (int)(wclock - display_width(clock)), "",
                r->action, (int)(waction - display_width(r->action)), "", r->result);
    }
    fprintf(out, "tasks: %d started, %d failed to start, %d running at the end\n", s->tasks_started,
            s->tasks_failed, ecsim_sim_step_record(sim, ECSIM_STEP_END)->after.running);
    if (sc->autoscaler.policy != ECSIM_POLICY_NONE)
        fprintf(out, "scaling: %d actions (%d out, %d in), desired %d..%d\n", s->scaling_actions,
                s->scale_outs, s->scale_ins, s->min_desired, s->max_desired);
    /* The capacity figures under their summary.json names (README "Shortfall"). */
    /* Whole numbers rounded half away from zero (round), as report.html and
     * the step texts show them: printf's %.0f alone rounds 42.5 to 42. */
    fprintf(out, "capacity: unserved_requests %.0f, under_capacity_s %.0f", round(s->unserved_requests),
            round(s->under_capacity_s));
    if (isfinite(s->unserved_after_steady_requests))
        fprintf(out, "; unserved_after_steady_requests %.0f, under_capacity_after_steady_s %.0f",
                round(s->unserved_after_steady_requests), round(s->under_capacity_after_steady_s));
    fputc('\n', out);
    /* Each window under the same names (summary.json windows.NAME). */
    for (size_t i = 0; i < s->window_count; i++) {
        const ecsim_window_figures *w = &s->windows[i];
        char from[32], to[32];
        ecsim_fmt_clock(from, sizeof from, w->from_s);
        ecsim_fmt_clock(to, sizeof to, w->to_s);
        fprintf(out, "window %s (%s..%s): unserved_requests %.0f, under_capacity_s %.0f, "
                     "scaling actions %d, desired %d..%d",
                w->name, from, to, w->unserved_requests, w->under_capacity_s, w->scaling_actions,
                w->min_desired, w->max_desired);
        if (isfinite(w->latency_p99_s))
            fprintf(out, ", p99 %.3f s", w->latency_p99_s);
        fputc('\n', out);
    }
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
static int cmd_quiz(cli_opts *o, FILE *out, FILE *err);
static int cmd_glossary(cli_opts *o, FILE *out, FILE *err);

/* The handlers; synopsis, help and options are in cli_doc.c. */
static const cli_command commands[] = {
    {"run", cmd_run},           {"step", cmd_step},     {"validate", cmd_validate},
    {"tables", cmd_tables},     {"decide", cmd_decide},
    {"compare", cli_cmd_compare},
    {"quiz", cmd_quiz},         {"glossary", cmd_glossary},
    {"sweep", cli_cmd_sweep},   {"collect", cli_cmd_collect},
};

static const cli_command *find_command(const char *name)
{
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    return NULL;
}

/* Standard input holds at most one scenario. */
static int stdin_once(const cli_cmddoc *c, const cli_opts *o, FILE *err)
{
    size_t dashes = 0;
    for (size_t i = 0; i < o->nfiles; i++)
        dashes += strcmp(o->files[i], "-") == 0;
    if (dashes <= 1)
        return 0;
    fprintf(err, "ecsim %s: error: `-` (standard input) can be given once\n", c->name);
    cli_print_usage_line(c, err);
    return ECSIM_EXIT_USAGE;
}

/* The one scenario file of `c`: loaded with the --set overrides and played
 * to the end with --seed. 0 with both outputs set, or the exit code (and
 * nothing to free). */
static int load_and_simulate(const cli_cmddoc *c, const cli_opts *o, FILE *err,
                             ecsim_scenario **sc_out, ecsim_sim **sim_out)
{
    int code = cli_need_one_file(c, o, err);
    if (code)
        return code;
    ecsim_scenario *sc = cli_load(o, o->files[0], err, &code);
    if (!sc)
        return code;
    code = cli_apply_report_options(o, sc, err);
    ecsim_sim *sim = code ? NULL : cli_simulate(o, sc, err, &code);
    if (!sim) {
        ecsim_scenario_free(sc);
        return code;
    }
    *sc_out = sc;
    *sim_out = sim;
    return 0;
}

int cli_apply_report_options(const cli_opts *o, ecsim_scenario *sc, FILE *err)
{
    if (o->decisions_text) {
        if (strcmp(o->decisions_text, "all") == 0)
            sc->report.decisions = ECSIM_DECISIONS_ALL;
        else if (strcmp(o->decisions_text, "changes") == 0)
            sc->report.decisions = ECSIM_DECISIONS_CHANGES;
        else {
            fprintf(err, "--decisions %s: error: expected `changes` or `all`\n", o->decisions_text);
            return ECSIM_EXIT_USAGE;
        }
    }
    if (o->nwindows == 0)
        return 0;
    size_t have = sc->report.window_count;
    if (have + o->nwindows > ECSIM_WINDOWS_MAX) {
        fprintf(err, "--window: error: %zu windows with the scenario's %zu; at most %d\n",
                o->nwindows, have, ECSIM_WINDOWS_MAX);
        return ECSIM_EXIT_USAGE;
    }
    ecsim_window_spec *w = ecsim_reallocarray(sc->report.windows, have + o->nwindows, sizeof *w);
    if (!w) {
        fprintf(err, "ecsim: error: out of memory\n");
        return ECSIM_EXIT_FAIL;
    }
    sc->report.windows = w;
    for (size_t i = 0; i < o->nwindows; i++) {
        char msg[320];
        ecsim_window_spec *nw = &w[sc->report.window_count];
        if (ecsim_window_parse(o->windows[i], nw, msg, sizeof msg) != 0 ||
            ecsim_window_check(nw, sc->duration_s, sc->monitoring.period_s, msg, sizeof msg) != 0) {
            fprintf(err, "--window %s: error: %s\n", o->windows[i], msg);
            return ECSIM_EXIT_USAGE;
        }
        for (size_t k = 0; k < sc->report.window_count; k++)
            if (strcmp(w[k].name, nw->name) == 0) {
                fprintf(err, "--window %s: error: a window called `%s` is already given\n",
                        o->windows[i], nw->name);
                return ECSIM_EXIT_USAGE;
            }
        sc->report.window_count++;
    }
    return 0;
}

/* The run's checks: every --fail-on (parsed now: a bad one is a usage
 * error before anything runs), then the scenario's `checks:` (validated at
 * load). *out is allocated (free with ecsim_free) unless there are none. */
int cli_run_checks(const cli_opts *o, const ecsim_scenario *sc, ecsim_check **out, size_t *n,
                   FILE *err)
{
    size_t total = o->nfail_on + (sc ? sc->check_count : 0);
    *out = NULL;
    *n = 0;
    if (total == 0)
        return 0;
    ecsim_check *c = ecsim_calloc(total, sizeof *c);
    if (!c) {
        fprintf(err, "ecsim: error: out of memory\n");
        return ECSIM_EXIT_FAIL;
    }
    for (size_t i = 0; i < total; i++) {
        bool flag = i < o->nfail_on;
        const char *expr = flag ? o->fail_on[i] : sc->checks[i - o->nfail_on].expr;
        char msg[320];
        if (ecsim_checks_parse(expr, &c[i], msg, sizeof msg) != 0) {
            fprintf(err, "%s%s: error: %s\n", flag ? "--fail-on " : "checks: ", expr, msg);
            ecsim_free(c);
            return ECSIM_EXIT_USAGE;
        }
    }
    *out = c;
    *n = total;
    return 0;
}

/* Evaluate the run's checks on the summary.json it wrote: 0, 4 (a check
 * failed: each said on err), 2 (a name that is no figure), 3 (unreadable). */
static int evaluate_checks(const ecsim_check *checks, size_t n, const char *dir, bool quiet,
                           FILE *out, FILE *err)
{
    char path[1200], msg[512];
    snprintf(path, sizeof path, "%s/summary.json", dir);
    ecsim_figures figs;
    int rc = ecsim_figures_read(path, &figs, msg, sizeof msg);
    if (rc != 0) {
        fprintf(err, "ecsim run: error: cannot read the figures for the checks: %s\n", msg);
        return rc == ECSIM_ENOMEM ? ECSIM_EXIT_FAIL : ECSIM_EXIT_IO;
    }
    int code = ECSIM_EXIT_OK;
    if (ecsim_checks_unknown(checks, n, &figs, "ecsim run", err) > 0) {
        code = ECSIM_EXIT_USAGE;
    } else {
        size_t failed = ecsim_checks_eval(checks, n, &figs, err);
        if (failed > 0) {
            fprintf(err, "ecsim run: %zu of %zu check%s failed (exit 4)\n", failed, n,
                    n == 1 ? "" : "s");
            code = ECSIM_EXIT_CHECKS;
        } else if (!quiet) {
            fprintf(out, "checks: %zu of %zu passed\n", n, n);
        }
    }
    ecsim_figures_free(&figs);
    return code;
}

static int cmd_run(cli_opts *o, FILE *out, FILE *err)
{
    ecsim_scenario *sc;
    ecsim_sim *sim;
    ecsim_cli_use_data_dir();
    ecsim_check *checks;
    size_t nchecks;
    int code = cli_run_checks(o, NULL, &checks, &nchecks, err); /* --fail-on's syntax first */
    ecsim_free(checks);
    if (code)
        return code;
    code = load_and_simulate(cli_command_find("run"), o, err, &sc, &sim);
    if (code)
        return code;
    ecsim_run_outputs outs;
    int rc = ecsim_report_write_run(sim, o->out ? o->out : "out", o->format, !o->no_plots, o->sets,
                                    o->nsets, o->quiet ? err : out, &outs);
    if (rc == 0 && !o->quiet)
        print_run_summary(sim, &outs, out);
    code = rc == 0 ? ECSIM_EXIT_OK
           : rc == ECSIM_EINTR  ? ecsim_cli_interrupted("ecsim", err)
           : rc == ECSIM_EINVAL ? ECSIM_EXIT_USAGE
           : rc == ECSIM_ENOMEM ? ECSIM_EXIT_FAIL
                                : ECSIM_EXIT_IO;
    /* Thresholds (--fail-on, checks:) on the summary.json just written. */
    if (code == ECSIM_EXIT_OK && (code = cli_run_checks(o, sc, &checks, &nchecks, err)) == 0 &&
        nchecks > 0)
        code = evaluate_checks(checks, nchecks, outs.dir, o->quiet, out, err);
    ecsim_free(checks);
    ecsim_sim_destroy(sim);
    ecsim_scenario_free(sc);
    return code;
}

static int cmd_step(cli_opts *o, FILE *out, FILE *err)
{
    const cli_cmddoc *c = cli_command_find("step");
    int code = cli_need_one_file(c, o, err);
    if (code)
        return code;
    ecsim_scenario *sc = cli_load(o, o->files[0], err, &code);
    if (!sc)
        return code;
    uint64_t seed = sc->seed;
    if (o->seed_text && (code = cli_parse_seed(o->seed_text, &seed, err)) != 0) {
        ecsim_scenario_free(sc);
        return code;
    }
    /* A scenario read from standard input has used it up: play every step. */
    bool from_stdin = strcmp(o->files[0], "-") == 0;
    code = ecsim_step_walkthrough(sc, seed, stdin, out, err, !from_stdin && isatty(STDIN_FILENO));
    ecsim_scenario_free(sc);
    return code;
}

static int cmd_validate(cli_opts *o, FILE *out, FILE *err)
{
    const cli_cmddoc *c = cli_command_find("validate");
    if (o->list_fields) {
        ecsim_scenario_field_reference(out);
        return ECSIM_EXIT_OK;
    }
    bool json = false;
    if (o->format) {
        if (strcmp(o->format, "json") == 0)
            json = true;
        else if (strcmp(o->format, "text") != 0) {
            fprintf(err, "--format %s: error: unknown format; valid formats: text json\n", o->format);
            return ECSIM_EXIT_USAGE;
        }
    }
    if (o->nfiles == 0) {
        fprintf(err, "ecsim validate: error: missing the scenario file(s)\n");
        cli_print_usage_line(c, err);
        return ECSIM_EXIT_USAGE;
    }
    int code = stdin_once(c, o, err);
    if (code)
        return code;
    diag_sink sink = {err, json ? out : NULL};
    for (size_t i = 0; i < o->nfiles; i++) {
        int file_code = 0;
        ecsim_scenario *sc = load_to(o, o->files[i], &sink, &file_code);
        if (!sc) {
            if (file_code > code)
                code = file_code;
            continue;
        }
        if (!o->quiet && !json)
            fprintf(out, "%s: ok (%s)\n", sc->source_path, sc->name);
        ecsim_scenario_free(sc);
    }
    return code;
}

static int cmd_tables(cli_opts *o, FILE *out, FILE *err)
{
    const cli_cmddoc *c = cli_command_find("tables");
    int code = cli_need_one_file(c, o, err);
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
        errno = 0;
        if (f->render(tables, 2, out) != 0) {
            fprintf(err, "ecsim: error: cannot write to standard output: %s\n",
                    strerror(errno ? errno : EIO));
            code = ECSIM_EXIT_IO;
        }
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
    const cli_cmddoc *c = cli_command_find("decide");
    int code = cli_need_one_file(c, o, err);
    if (code)
        return code;
    return ecsim_decide_main(o->files[0], o->format ? o->format : "text", out, err);
}

static int cmd_quiz(cli_opts *o, FILE *out, FILE *err)
{
    const cli_cmddoc *c = cli_command_find("quiz");
    int code = cli_need_one_file(c, o, err);
    if (code)
        return code;
    uint64_t seed = 0;
    if (o->seed_text && (code = cli_parse_seed(o->seed_text, &seed, err)) != 0)
        return code;
    return ecsim_quiz_main(o->files[0], o->sets, o->nsets, o->seed_text != NULL, seed,
                           o->variants_text, o->format, o->answers != 0, o->out, out, err);
}

static int cmd_glossary(cli_opts *o, FILE *out, FILE *err)
{
    if (o->nfiles > 1) {
        fprintf(err, "ecsim glossary: error: expected at most one term (quote a term of "
                     "several words)\n");
        cli_print_usage_line(cli_command_find("glossary"), err);
        return ECSIM_EXIT_USAGE;
    }
    return ecsim_glossary_main(o->nfiles ? o->files[0] : NULL, out, err);
}

/* ---- top level ------------------------------------------------------------------------ */

/* The --set paths of every settable field, one per line ("[]" of a list
 * written "[0]"), from the field reference's Markdown table; NULL on OOM. */
static char *settable_fields(void)
{
    char *md = NULL, *list = NULL;
    size_t md_len = 0, list_len = 0;
    FILE *mf = open_memstream(&md, &md_len);
    if (!mf)
        return NULL;
    ecsim_scenario_field_reference(mf);
    fclose(mf);
    FILE *lf = open_memstream(&list, &list_len);
    if (!lf) {
        free(md);
        return NULL;
    }
    for (char *line = strtok(md, "\n"); line; line = strtok(NULL, "\n")) {
        /* | `path` | type | ... */
        if (strncmp(line, "| `", 3) != 0)
            continue;
        char *path = line + 3, *end = strchr(path, '`');
        if (!end)
            continue;
        *end = '\0';
        char *type = end + 1;
        type += strspn(type, " |");
        if (strncmp(type, "mapping", 7) == 0 || strncmp(type, "list of mappings", 16) == 0)
            continue;
        for (char *p = path; *p; p++) {
            if (p[0] == '[' && p[1] == ']')
                fputs("[0", lf);
            else
                fputc(*p, lf);
        }
        fputc('\n', lf);
    }
    fclose(lf);
    free(md);
    return list;
}

static int cli_dispatch(int argc, char **argv, FILE *out, FILE *err)
{
    if (argc < 2) {
        cli_doc_print_overview(err);
        return ECSIM_EXIT_USAGE;
    }
    const char *name = argv[1];
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0 || strcmp(name, "help") == 0) {
        cli_doc_print_overview(out);
        return ECSIM_EXIT_OK;
    }
    if (strcmp(name, "--version") == 0 || strcmp(name, "-V") == 0) {
        fprintf(out, "ecsim %s\n", ECSIM_VERSION);
        return ECSIM_EXIT_OK;
    }
    if (strcmp(name, "--help-man") == 0) {
        cli_doc_print_man(out);
        return ECSIM_EXIT_OK; /* a failed write is reported by ecsim_cli_main */
    }
    if (strcmp(name, "--bash-completion") == 0) {
        char *fields = settable_fields();
        if (!fields) {
            fprintf(err, "ecsim: error: %s\n", ecsim_strerror(ECSIM_ENOMEM));
            return ECSIM_EXIT_FAIL;
        }
        cli_doc_print_bash(fields, out);
        free(fields);
        return ECSIM_EXIT_OK; /* a failed write is reported by ecsim_cli_main */
    }
    if (strcmp(name, "--data-dir") == 0) {
        char dir[4096];
        if (ecsim_cli_data_dir(NULL, dir, sizeof dir) != 0) {
            fprintf(err, "ecsim: error: no data folder found (plots/demand_capacity.gp beside "
                         "the binary in ../share/ecsim, in " ECSIM_DATADIR_TEXT
                         " or in the source tree)\n");
            return ECSIM_EXIT_IO;
        }
        fprintf(out, "%s\n", dir);
        return ECSIM_EXIT_OK;
    }
    const cli_command *c = find_command(name);
    const cli_cmddoc *doc = cli_command_find(name);
    if (!c || !doc) {
        fprintf(err, "ecsim: error: unknown command `%s`; commands:", name);
        for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
            fprintf(err, " %s", commands[i].name);
        fprintf(err, " (see `ecsim --help`)\n");
        return ECSIM_EXIT_USAGE;
    }
    cli_opts o;
    memset(&o, 0, sizeof o);
    int code = parse_args(doc, argc - 2, argv + 2, &o, err);
    if (code)
        return code;
    if (o.help) {
        cli_doc_print_command(doc, out);
        return ECSIM_EXIT_OK;
    }
    return c->run(&o, out, err);
}

int ecsim_cli_main(int argc, char **argv, FILE *out, FILE *err)
{
    int code = cli_dispatch(argc, argv, out, err);
    /* Whatever the command (--help included), output that could not be
     * written is an I/O error with the plain reason: `ecsim tables X >
     * /dev/full` says "No space left on device" and exits 3. */
    errno = 0;
    int flush_failed = fflush(out) != 0;
    int reason = errno;
    if ((flush_failed || ferror(out)) && code != ECSIM_EXIT_IO) {
        /* (a command that returned ECSIM_EXIT_IO has said why already) */
        fprintf(err, "ecsim: error: cannot write to standard output: %s\n",
                strerror(reason ? reason : EIO));
        if (code == ECSIM_EXIT_OK)
            code = ECSIM_EXIT_IO;
    }
    return code;
}
