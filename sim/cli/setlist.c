/* `--set KEY=V1,V2,...` lists (sim/cli/setlist.h). */
#include "setlist.h"

#include <string.h>

#include "ecsim/alloc.h"
#include "ecsim/error.h"

int cli_set_list_parse(const char *text, const char *prog, cli_set_list *out, FILE *err)
{
    memset(out, 0, sizeof *out);
    const char *eq = strchr(text, '=');
    if (!eq || eq == text) {
        fprintf(err, "--set %s: error: expected KEY=VALUE or KEY=V1,V2,...\n", text);
        return ECSIM_EXIT_USAGE;
    }
    out->key = ecsim_strndup(text, (size_t)(eq - text));
    size_t cap = 8;
    out->values = ecsim_calloc(cap, sizeof *out->values);
    char *value = ecsim_malloc(strlen(eq) + 1);
    if (!out->key || !out->values || !value) {
        ecsim_free(value);
        fprintf(err, "%s: error: %s\n", prog, ecsim_strerror(ECSIM_ENOMEM));
        return ECSIM_EXIT_FAIL;
    }
    int code = 0;
    const char *p = eq + 1;
    for (;;) {
        size_t n = 0;
        while (*p && *p != ',') {
            if (p[0] == '\\' && p[1] == ',')
                p++;
            value[n++] = *p++;
        }
        value[n] = '\0';
        if (n == 0) {
            fprintf(err, "--set %s: error: an empty value in the list (write KEY=V1,V2,...)\n",
                    text);
            code = ECSIM_EXIT_USAGE;
            break;
        }
        for (size_t v = 0; v < out->nvalues; v++)
            if (strcmp(out->values[v], value) == 0) {
                fprintf(err, "--set %s: error: the value `%s` is given twice\n", text, value);
                code = ECSIM_EXIT_USAGE;
            }
        if (code)
            break;
        if (out->nvalues == cap) {
            char **grown = ecsim_reallocarray(out->values, cap * 2, sizeof *grown);
            if (!grown) {
                code = ECSIM_EXIT_FAIL;
                break;
            }
            out->values = grown;
            cap *= 2;
        }
        if (!(out->values[out->nvalues] = ecsim_strdup(value))) {
            code = ECSIM_EXIT_FAIL;
            break;
        }
        out->nvalues++;
        if (!*p)
            break;
        p++;
    }
    if (code == ECSIM_EXIT_FAIL)
        fprintf(err, "%s: error: %s\n", prog, ecsim_strerror(ECSIM_ENOMEM));
    ecsim_free(value);
    return code;
}

void cli_set_list_free(cli_set_list *l)
{
    for (size_t i = 0; i < l->nvalues; i++)
        ecsim_free(l->values[i]);
    ecsim_free(l->values);
    ecsim_free(l->key);
    memset(l, 0, sizeof *l);
}
