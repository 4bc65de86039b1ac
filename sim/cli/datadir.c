/* The data folder found at run time (datadir.h). The compiled-in DATADIR is
 * wrong as soon as `make install PREFIX=/usr` follows a plain `make` (the
 * objects keep /usr/local/share/ecsim), and a DESTDIR or relocated install
 * is somewhere else again; the binary's own location is the one thing that
 * moves with the install, so it comes first. */
/* realpath() is XSI. */
#define _XOPEN_SOURCE 700

#include "datadir.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ecsim/error.h"

#ifndef PATH_MAX
#define PATH_MAX 4096
#endif

#define TEMPLATE "plots/demand_capacity.gp"

static int has_template(const char *dir)
{
    char path[PATH_MAX + sizeof TEMPLATE + 1];
    struct stat st;
    if (snprintf(path, sizeof path, "%s/%s", dir, TEMPLATE) >= (int)sizeof path)
        return 0;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static int pick(const char *dir, char *buf, size_t size)
{
    if (strlen(dir) >= size)
        return ECSIM_EINVAL;
    snprintf(buf, size, "%s", dir);
    return 0;
}

int ecsim_cli_data_dir(const char *exe, char *buf, size_t size)
{
    if (size)
        buf[0] = '\0';
    char real[PATH_MAX];
    if (realpath(exe ? exe : "/proc/self/exe", real)) {
        char *slash = strrchr(real, '/');
        if (slash) {
            /* BINDIR/ecsim -> BINDIR/../share/ecsim, written without ".."
             * when BINDIR has a parent. */
            *slash = '\0';
            char candidate[PATH_MAX + 32];
            char *parent = strrchr(real, '/');
            if (parent) {
                *parent = '\0';
                snprintf(candidate, sizeof candidate, "%s/share/ecsim", real);
            } else {
                snprintf(candidate, sizeof candidate, "/share/ecsim");
            }
            if (has_template(candidate))
                return pick(candidate, buf, size);
        }
    }
#ifdef ECSIM_DATADIR
    if (has_template(ECSIM_DATADIR))
        return pick(ECSIM_DATADIR, buf, size);
#endif
#ifdef ECSIM_SRCDIR
    if (has_template(ECSIM_SRCDIR))
        return pick(ECSIM_SRCDIR, buf, size);
#endif
    return ECSIM_ENOENT;
}

void ecsim_cli_use_data_dir(void)
{
    const char *env = getenv("ECSIM_PLOTS_DIR");
    if ((env && *env) || has_template("."))
        return;
    char dir[PATH_MAX], plots[PATH_MAX + 8];
    if (ecsim_cli_data_dir(NULL, dir, sizeof dir) != 0)
        return;
    snprintf(plots, sizeof plots, "%s/plots", dir);
    setenv("ECSIM_PLOTS_DIR", plots, 1);
}
