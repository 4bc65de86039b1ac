/* The command-line reference as data (sim/cli/cli_doc.c): every command,
 * its options and their help, in one table rendered three ways — the
 * `--help` text, the man page ecsim.1 (`ecsim --help-man`) and the bash
 * completion script (`ecsim --bash-completion`) — so they cannot drift. The
 * parser in cli.c builds its getopt_long tables from the same data. */
#ifndef ECSIM_CLI_DOC_H
#define ECSIM_CLI_DOC_H

#include <stdio.h>

/* Option identifiers: the short letter where there is one, else >= 256. */
enum {
    CLI_OPT_FORMAT = 'f',
    CLI_OPT_HELP = 'h',
    CLI_OPT_JOBS = 'j',
    CLI_OPT_OUT = 'o',
    CLI_OPT_QUIET = 'q',
    CLI_OPT_SEED = 's',
    CLI_OPT_SET = 256,
    CLI_OPT_NO_PLOTS,
    CLI_OPT_LIST_FIELDS,
    CLI_OPT_VARIANTS,
    CLI_OPT_ANSWERS,
    CLI_OPT_MAX_WORK,
    CLI_OPT_WINDOW,
    CLI_OPT_FAIL_ON,
    CLI_OPT_DECISIONS,
    CLI_OPT_SEEDS,     /* sweep (and compare): the seeds, N or A-B */
    CLI_OPT_KEEP,      /* sweep: what each run keeps */
    CLI_OPT_EMIT,      /* sweep: parallel | slurm */
    CLI_OPT_RUNS,      /* sweep MANIFEST: which runs of it */
    CLI_OPT_PER_TASK,  /* sweep --emit slurm: runs per array task */
    CLI_OPT_GROUP_BY   /* collect */
};

/* One option of the whole program: long name, short letter (0 = none),
 * the value's name (NULL = a flag). */
typedef struct cli_option {
    int id;
    const char *name;
    char short_name;
    const char *arg;
} cli_option;

/* One option as a command documents it. */
typedef struct cli_optdoc {
    int id;              /* 0 ends the list */
    const char *help;    /* one line, or several separated by '\n' */
} cli_optdoc;

#define CLI_MAX_OPTS 16

/* One command's reference. */
typedef struct cli_cmddoc {
    const char *name;
    const char *args;        /* positional arguments for the synopsis */
    const char *summary;     /* one line */
    const char *description; /* paragraphs separated by "\n\n"; lines by '\n' */
    const char *formats;     /* values --format takes, space-separated; NULL = none */
    cli_optdoc opts[CLI_MAX_OPTS];
} cli_cmddoc;

/* Every option; `count` receives their number. */
const cli_option *cli_options(size_t *count);
/* The option with identifier `id`, or NULL. */
const cli_option *cli_option_find(int id);
/* Every command, in the order `ecsim --help` lists them. */
const cli_cmddoc *cli_commands(size_t *count);
/* The command named `name`, or NULL. */
const cli_cmddoc *cli_command_find(const char *name);
/* Whether `c` accepts option `id`. */
int cli_command_accepts(const cli_cmddoc *c, int id);

/* "ecsim NAME ARGS [-o DIR] [-s SEED] ..." into buf (truncated to size). */
void cli_doc_usage(const cli_cmddoc *c, char *buf, size_t size);
/* `ecsim --help`. */
void cli_doc_print_overview(FILE *out);
/* `ecsim COMMAND --help`. */
void cli_doc_print_command(const cli_cmddoc *c, FILE *out);
/* The man page ecsim.1, in roff (man macros). */
void cli_doc_print_man(FILE *out);
/* The bash completion script; `fields` holds the scenario field paths for
 * --set, one per line (NULL = none). */
void cli_doc_print_bash(const char *fields, FILE *out);

#endif
