/* A `--set KEY=V1,V2,...` list: one key and its values, the grid dimension
 * of `ecsim sweep` and the variant axis of `ecsim compare`
 * (sim/cli/setlist.c). */
#ifndef ECSIM_CLI_SETLIST_H
#define ECSIM_CLI_SETLIST_H

#include <stddef.h>
#include <stdio.h>

typedef struct cli_set_list {
    char *key;
    char **values; /* in the order given; `\,` in the text is a comma inside a value */
    size_t nvalues;
} cli_set_list;

/* Split "KEY=V1,V2,..." into `out` (zeroed first). An empty value or one
 * given twice is a usage error. 0; ECSIM_EXIT_USAGE or ECSIM_EXIT_FAIL
 * (out of memory) after a message on err naming `prog`. What was filled is
 * freed by cli_set_list_free either way. */
int cli_set_list_parse(const char *text, const char *prog, cli_set_list *out, FILE *err);

void cli_set_list_free(cli_set_list *l);

#endif
