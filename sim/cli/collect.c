/* `ecsim collect`: the run folders of sweeps (and of compare) as one table,
 * a row per run or, with --group-by, a row per group with the mean and the
 * Student-t 95 % interval of every numeric figure (include/ecsim/stats.h).
 *
 * A run folder is a folder holding run.json or summary.json (the layout of
 * sim/cli/batch.h); its figures are those of its summary.json, flattened by
 * include/ecsim/figures.h. A run's status, exit code, error and scenario
 * file come from its run.json; a folder without one (an ok run of a
 * `--keep summary` batch) is an ok run whose record is a line of the
 * batch's records file (`records/<host>-<pid>.jsonl` in the folder, or a folder
 * above, that the batch's runs are under), matched by the run's folder;
 * its overrides come from its summary.json. The
 * columns are the union of the runs' names in the order first seen, and
 * the rows are sorted by (DIR argument, folder path), numbers inside names
 * compared as numbers (seed-0002 before seed-0010, target=70 before
 * target=100), so the same folders always give the same bytes, whichever
 * machine or engine (local, GNU parallel, Slurm) produced them. Nothing
 * that varies between two plays of the same run (the records' wall times)
 * is in the table.
 *
 * A name -> column hash table keeps building the union linear in the
 * number of figures (a 1,000-run sweep has some 300,000). */
#define _GNU_SOURCE /* realpath, getline */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ecsim/alloc.h"
#include "ecsim/csv.h"
#include "ecsim/error.h"
#include "ecsim/figures.h"
#include "ecsim/output.h"
#include "ecsim/stats.h"
#include "cli_opts.h"

#define COLLECT_PATH_MAX  4096
#define COLLECT_MAX_DEPTH 32

/* ---- run folders ---------------------------------------------------------------------- */

typedef struct crun {
    size_t root;        /* index of its DIR argument */
    char *rel;          /* folder relative to the DIR ("." for the DIR itself) */
    ecsim_figures rec;  /* run.json, or the records file's line (empty when not found) */
    ecsim_figures sum;  /* summary.json (empty when absent) */
    const char *status; /* from rec; "ok" without run.json */
    int *col_of_sum;    /* summary item i -> column (per-run table) */
    char *path;         /* the folder's path, for a run without run.json; else NULL */
} crun;

typedef struct crun_list {
    crun *items;
    size_t count, cap;
    int unreadable; /* folders skipped because run.json or summary.json could not be read */
} crun_list;

static int list_push(crun_list *l, size_t root, const char *rel, const char *path, int has_run_json,
                     FILE *err)
{
    if (l->count == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        crun *grown = ecsim_reallocarray(l->items, cap, sizeof *grown);
        if (!grown)
            return ECSIM_ENOMEM;
        l->items = grown;
        l->cap = cap;
    }
    crun *r = &l->items[l->count];
    memset(r, 0, sizeof *r);
    char file[COLLECT_PATH_MAX], why[512];
    if (!has_run_json) {
        /* An ok run of a --keep summary batch: summary.json alone. */
        snprintf(file, sizeof file, "%s/summary.json", path);
        int rc = ecsim_figures_read(file, &r->sum, why, sizeof why);
        if (rc == ECSIM_ENOMEM)
            return rc;
        if (rc != 0) {
            fprintf(err, "%s: warning: skipped: %s\n", file, why);
            l->unreadable = 1;
            return 0;
        }
        r->status = "ok";
        r->root = root;
        r->rel = ecsim_strdup(rel);
        r->path = ecsim_strdup(path);
        if (!r->rel || !r->path) {
            ecsim_figures_free(&r->sum);
            ecsim_free(r->rel);
            ecsim_free(r->path);
            return ECSIM_ENOMEM;
        }
        l->count++;
        return 0;
    }
    snprintf(file, sizeof file, "%s/run.json", path);
    int rc = ecsim_figures_read(file, &r->rec, why, sizeof why);
    if (rc == ECSIM_ENOMEM)
        return rc;
    const ecsim_figure *st = rc == 0 ? ecsim_figures_find(&r->rec, "status") : NULL;
    if (rc != 0 || !st || st->kind != ECSIM_FIG_STRING) {
        fprintf(err, "%s: warning: skipped: %s\n", file,
                rc != 0 ? why : "not a run record (no \"status\")");
        ecsim_figures_free(&r->rec);
        l->unreadable = 1;
        return 0;
    }
    r->status = st->str;
    snprintf(file, sizeof file, "%s/summary.json", path);
    rc = ecsim_figures_read(file, &r->sum, why, sizeof why);
    if (rc == ECSIM_ENOMEM)
        return rc;
    if (rc != 0) {
        memset(&r->sum, 0, sizeof r->sum);
        if (strcmp(r->status, "ok") == 0) {
            fprintf(err, "%s: warning: %s; the run's figures are left empty\n", file, why);
            l->unreadable = 1;
        }
    }
    r->root = root;
    r->rel = ecsim_strdup(rel);
    if (!r->rel)
        return ECSIM_ENOMEM;
    l->count++;
    return 0;
}

/* Every run folder under path (rel: its name relative to the DIR). */
static int walk(crun_list *l, size_t root, const char *path, const char *rel, int depth, FILE *err)
{
    char file[COLLECT_PATH_MAX];
    struct stat st;
    snprintf(file, sizeof file, "%s/run.json", path);
    if (stat(file, &st) == 0 && S_ISREG(st.st_mode))
        return list_push(l, root, rel, path, 1, err);
    snprintf(file, sizeof file, "%s/summary.json", path);
    if (stat(file, &st) == 0 && S_ISREG(st.st_mode))
        return list_push(l, root, rel, path, 0, err);
    if (depth >= COLLECT_MAX_DEPTH)
        return 0;
    DIR *d = opendir(path);
    if (!d)
        return depth == 0 ? ECSIM_EIO : 0;
    /* Sorted later: readdir's order does not matter. */
    struct dirent *e;
    int rc = 0;
    while (rc == 0 && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') /* ., .., stage folders, hidden files */
            continue;
        char sub[COLLECT_PATH_MAX], subrel[COLLECT_PATH_MAX];
        if ((size_t)snprintf(sub, sizeof sub, "%s/%s", path, e->d_name) >= sizeof sub)
            continue;
        if (lstat(sub, &st) != 0 || !S_ISDIR(st.st_mode)) /* no symbolic links: no loops */
            continue;
        if (strcmp(rel, ".") == 0)
            snprintf(subrel, sizeof subrel, "%s", e->d_name);
        else
            snprintf(subrel, sizeof subrel, "%s/%s", rel, e->d_name);
        rc = walk(l, root, sub, subrel, depth + 1, err);
    }
    closedir(d);
    return rc;
}

/* Compare two texts with runs of digits compared as numbers. */
static int natural_cmp(const char *a, const char *b)
{
    while (*a && *b) {
        if (*a >= '0' && *a <= '9' && *b >= '0' && *b <= '9') {
            const char *x = a, *y = b;
            while (*x == '0')
                x++;
            while (*y == '0')
                y++;
            size_t nx = strspn(x, "0123456789"), ny = strspn(y, "0123456789");
            if (nx != ny)
                return nx < ny ? -1 : 1;
            int c = strncmp(x, y, nx);
            if (c)
                return c;
            size_t za = (size_t)(x - a), zb = (size_t)(y - b); /* 7 before 007 */
            if (za != zb)
                return za < zb ? -1 : 1;
            a = x + nx;
            b = y + ny;
            continue;
        }
        if (*a != *b)
            return (unsigned char)*a < (unsigned char)*b ? -1 : 1;
        a++;
        b++;
    }
    return *a ? 1 : *b ? -1 : 0;
}

static int crun_cmp(const void *pa, const void *pb)
{
    const crun *a = pa, *b = pb;
    if (a->root != b->root)
        return a->root < b->root ? -1 : 1;
    int c = natural_cmp(a->rel, b->rel);
    return c ? c : strcmp(a->rel, b->rel);
}

/* ---- columns ---------------------------------------------------------------------------- */

/* A set of names in insertion order with a hash index. */
typedef struct nameset {
    char **names;
    size_t count, cap;
    size_t *slots; /* index + 1; 0 = empty */
    size_t nslots;
} nameset;

static uint64_t hash_name(const char *s)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

static long nameset_find(const nameset *n, const char *name)
{
    if (!n->nslots)
        return -1;
    for (size_t i = hash_name(name) & (n->nslots - 1);; i = (i + 1) & (n->nslots - 1)) {
        if (!n->slots[i])
            return -1;
        if (strcmp(n->names[n->slots[i] - 1], name) == 0)
            return (long)(n->slots[i] - 1);
    }
}

/* The index of `name`, added when new; -1 on OOM. */
static long nameset_add(nameset *n, const char *name)
{
    long at = nameset_find(n, name);
    if (at >= 0)
        return at;
    if (2 * (n->count + 1) > n->nslots) {
        size_t ns = n->nslots ? n->nslots * 2 : 256;
        size_t *slots = ecsim_calloc(ns, sizeof *slots);
        if (!slots)
            return -1;
        for (size_t k = 0; k < n->count; k++) {
            size_t i = hash_name(n->names[k]) & (ns - 1);
            while (slots[i])
                i = (i + 1) & (ns - 1);
            slots[i] = k + 1;
        }
        ecsim_free(n->slots);
        n->slots = slots;
        n->nslots = ns;
    }
    if (n->count == n->cap) {
        size_t cap = n->cap ? n->cap * 2 : 64;
        char **grown = ecsim_reallocarray(n->names, cap, sizeof *grown);
        if (!grown)
            return -1;
        n->names = grown;
        n->cap = cap;
    }
    if (!(n->names[n->count] = ecsim_strdup(name)))
        return -1;
    size_t i = hash_name(name) & (n->nslots - 1);
    while (n->slots[i])
        i = (i + 1) & (n->nslots - 1);
    n->slots[i] = n->count + 1;
    return (long)n->count++;
}

static void nameset_free(nameset *n)
{
    for (size_t i = 0; i < n->count; i++)
        ecsim_free(n->names[i]);
    ecsim_free(n->names);
    ecsim_free(n->slots);
    memset(n, 0, sizeof *n);
}

/* ---- the records of ok --keep summary runs -------------------------------------------- */

/* The records files' lines by run folder (an absolute path), and the
 * folders whose records/ was read already. */
typedef struct records_index {
    nameset runs;    /* run folder -> index into lines */
    char **lines;
    size_t lines_cap;
    nameset visited; /* folders whose records/ was looked at */
} records_index;

static void records_index_free(records_index *x)
{
    for (size_t i = 0; i < x->runs.count; i++)
        ecsim_free(x->lines[i]);
    ecsim_free(x->lines);
    nameset_free(&x->runs);
    nameset_free(&x->visited);
}

/* The value of "folder" in a record line (a short parse of the line). */
static int record_folder(const char *line, size_t len, char *out, size_t size)
{
    ecsim_figures f;
    char why[256];
    if (ecsim_figures_parse(line, len, &f, why, sizeof why) != 0)
        return -1;
    const ecsim_figure *x = ecsim_figures_find(&f, "folder");
    int rc = x && x->kind == ECSIM_FIG_STRING && (size_t)snprintf(out, size, "%s", x->str) < size
                 ? 0
                 : -1;
    ecsim_figures_free(&f);
    return rc;
}

/* Read every .jsonl file of DIR/records (DIR absolute): each line is indexed
 * under DIR/<its folder>; a later line for the same folder (the run played
 * again) replaces an earlier one. */
static int records_load(records_index *x, const char *dir, FILE *err)
{
    char rdir[COLLECT_PATH_MAX];
    if ((size_t)snprintf(rdir, sizeof rdir, "%s/records", dir) >= sizeof rdir)
        return 0;
    DIR *d = opendir(rdir);
    if (!d)
        return 0;
    struct dirent *e;
    int rc = 0;
    while (rc == 0 && (e = readdir(d)) != NULL) {
        size_t nlen = strlen(e->d_name);
        if (e->d_name[0] == '.' || nlen < 7 || strcmp(e->d_name + nlen - 6, ".jsonl") != 0)
            continue;
        char file[COLLECT_PATH_MAX];
        if ((size_t)snprintf(file, sizeof file, "%s/%s", rdir, e->d_name) >= sizeof file)
            continue;
        FILE *fp = fopen(file, "r");
        if (!fp) {
            fprintf(err, "%s: warning: cannot read: %s\n", file, strerror(errno));
            continue;
        }
        char *line = NULL;
        size_t cap = 0;
        ssize_t len;
        size_t lineno = 0;
        while (rc == 0 && (len = getline(&line, &cap, fp)) > 0) {
            lineno++;
            char folder[COLLECT_PATH_MAX], key[2 * COLLECT_PATH_MAX];
            if (record_folder(line, (size_t)len, folder, sizeof folder) != 0) {
                fprintf(err, "%s:%zu: warning: not a run record; ignored\n", file, lineno);
                continue;
            }
            if (folder[0] == '/')
                snprintf(key, sizeof key, "%s", folder);
            else
                snprintf(key, sizeof key, "%s/%s", dir, folder);
            size_t before = x->runs.count;
            long at = nameset_add(&x->runs, key);
            if (at < 0) {
                rc = ECSIM_ENOMEM;
                break;
            }
            if (x->runs.count > before) { /* a new folder: a new line slot */
                if ((size_t)at >= x->lines_cap) {
                    size_t ncap = x->lines_cap ? x->lines_cap * 2 : 256;
                    char **grown = ecsim_reallocarray(x->lines, ncap, sizeof *grown);
                    if (!grown) {
                        rc = ECSIM_ENOMEM;
                        break;
                    }
                    x->lines = grown;
                    x->lines_cap = ncap;
                }
                x->lines[at] = NULL;
            }
            ecsim_free(x->lines[at]);
            if (!(x->lines[at] = ecsim_strdup(line)))
                rc = ECSIM_ENOMEM;
        }
        free(line); /* getline's buffer comes from malloc */
        fclose(fp);
    }
    closedir(d);
    return rc;
}

/* Give each run without run.json its record: the line naming its folder
 * in the records of its nearest folder above that has one. A run whose
 * record is not found keeps an empty one (status ok, exit code 0, no
 * scenario file). */
static int find_records(crun_list *l, FILE *err)
{
    records_index x;
    memset(&x, 0, sizeof x);
    int rc = 0;
    for (size_t i = 0; i < l->count && rc == 0; i++) {
        crun *r = &l->items[i];
        char abs[PATH_MAX], dir[PATH_MAX];
        if (!r->path || !realpath(r->path, abs))
            continue;
        snprintf(dir, sizeof dir, "%s", abs);
        long at = -1;
        for (char *slash = strrchr(dir, '/'); slash && slash != dir && rc == 0;
             slash = strrchr(dir, '/')) {
            *slash = '\0'; /* dir: the next folder above */
            if (nameset_find(&x.visited, dir) < 0) {
                if (nameset_add(&x.visited, dir) < 0)
                    rc = ECSIM_ENOMEM;
                else
                    rc = records_load(&x, dir, err);
            }
            if ((at = nameset_find(&x.runs, abs)) >= 0)
                break;
        }
        if (rc == 0 && at >= 0) {
            char why[256];
            const char *line = x.lines[at];
            rc = ecsim_figures_parse(line, strlen(line), &r->rec, why, sizeof why);
            if (rc != 0 && rc != ECSIM_ENOMEM) {
                memset(&r->rec, 0, sizeof r->rec);
                rc = 0;
            }
        }
    }
    records_index_free(&x);
    return rc;
}

/* Where a run's overrides are: run.json, else summary.json (the same
 * "overrides": ["KEY=VALUE", ...]). */
static const ecsim_figures *overrides_of(const crun *r)
{
    return r->path ? &r->sum : &r->rec;
}

/* The value of override KEY in a run ("KEY=VALUE" entries), or NULL. */
static const char *override_of(const crun *r, const char *key)
{
    size_t klen = strlen(key);
    const ecsim_figures *src = overrides_of(r);
    for (size_t i = 0; i < src->count; i++) {
        const ecsim_figure *f = &src->items[i];
        if (strncmp(f->name, "overrides.", 10) == 0 && f->kind == ECSIM_FIG_STRING &&
            strncmp(f->str, key, klen) == 0 && f->str[klen] == '=')
            return f->str + klen + 1;
    }
    return NULL;
}

/* ---- output ---------------------------------------------------------------------------- */

typedef enum cell_kind { CELL_EMPTY, CELL_TEXT, CELL_NUM, CELL_BOOL } cell_kind;

typedef struct cell {
    cell_kind kind;
    const char *text;
    double num;
} cell;

typedef enum out_format { FMT_CSV, FMT_JSON, FMT_MD } out_format;

typedef struct table_out {
    out_format fmt;
    FILE *out;
    const char *const *cols;
    size_t ncols;
    size_t rows;
    ecsim_csv_writer csv;
} table_out;

static void md_text(FILE *out, const char *s)
{
    for (; *s; s++) {
        if (*s == '|')
            fputs("\\|", out);
        else if (*s == '\n' || *s == '\r')
            fputc(' ', out);
        else
            fputc(*s, out);
    }
}

static void table_begin(table_out *t)
{
    if (t->fmt == FMT_CSV) {
        ecsim_csv_writer_init(&t->csv, t->out);
        for (size_t c = 0; c < t->ncols; c++)
            ecsim_csv_write_text(&t->csv, t->cols[c]);
        ecsim_csv_end_row(&t->csv);
    } else if (t->fmt == FMT_JSON) {
        fputc('[', t->out);
    } else {
        fputs("|", t->out);
        for (size_t c = 0; c < t->ncols; c++) {
            fputc(' ', t->out);
            md_text(t->out, t->cols[c]);
            fputs(" |", t->out);
        }
        fputs("\n|", t->out);
        for (size_t c = 0; c < t->ncols; c++)
            fputs("---|", t->out);
        fputc('\n', t->out);
    }
}

static void table_row(table_out *t, const cell *cells)
{
    char buf[64];
    if (t->fmt == FMT_CSV) {
        for (size_t c = 0; c < t->ncols; c++) {
            const cell *x = &cells[c];
            if (x->kind == CELL_TEXT)
                ecsim_csv_write_text(&t->csv, x->text);
            else if (x->kind == CELL_NUM)
                ecsim_csv_write_num(&t->csv, x->num); /* non-finite: empty */
            else if (x->kind == CELL_BOOL)
                ecsim_csv_write_text(&t->csv, x->num != 0 ? "true" : "false");
            else
                ecsim_csv_write_text(&t->csv, "");
        }
        ecsim_csv_end_row(&t->csv);
    } else if (t->fmt == FMT_JSON) {
        /* One object per line. */
        fputs(t->rows ? ",\n{" : "\n{", t->out);
        for (size_t c = 0; c < t->ncols; c++) {
            const cell *x = &cells[c];
            if (c)
                fputs(", ", t->out);
            ecsim_json_write_string(t->out, t->cols[c]);
            fputs(": ", t->out);
            if (x->kind == CELL_TEXT)
                ecsim_json_write_string(t->out, x->text);
            else if (x->kind == CELL_NUM && isfinite(x->num))
                fputs(ecsim_fmt_num(buf, sizeof buf, x->num), t->out);
            else if (x->kind == CELL_BOOL)
                fputs(x->num != 0 ? "true" : "false", t->out);
            else
                fputs("null", t->out);
        }
        fputc('}', t->out);
    } else {
        fputs("|", t->out);
        for (size_t c = 0; c < t->ncols; c++) {
            const cell *x = &cells[c];
            fputc(' ', t->out);
            if (x->kind == CELL_TEXT)
                md_text(t->out, x->text);
            else if (x->kind == CELL_NUM && isfinite(x->num))
                fputs(ecsim_fmt_num(buf, sizeof buf, x->num), t->out);
            else if (x->kind == CELL_BOOL)
                fputs(x->num != 0 ? "true" : "false", t->out);
            fputs(" |", t->out);
        }
        fputc('\n', t->out);
    }
    t->rows++;
}

static void table_end(table_out *t)
{
    if (t->fmt == FMT_JSON)
        fputs(t->rows ? "\n]\n" : "]\n", t->out);
}

static cell cell_of(const ecsim_figure *f)
{
    cell c = {CELL_EMPTY, NULL, NAN};
    if (!f)
        return c;
    switch (f->kind) {
    case ECSIM_FIG_NUMBER:
        c.kind = CELL_NUM;
        c.num = f->num;
        break;
    case ECSIM_FIG_BOOL:
        c.kind = CELL_BOOL;
        c.num = f->num;
        break;
    case ECSIM_FIG_STRING:
        c.kind = CELL_TEXT;
        c.text = f->str;
        break;
    case ECSIM_FIG_NULL:
        break;
    }
    return c;
}

/* ---- the two tables ------------------------------------------------------------------- */

/* The fixed columns of the per-run table, before set.* and the figures. */
static const char *const run_cols[] = {"run", "status", "exit_code", "error", "scenario_file"};
#define NRUN_COLS (sizeof run_cols / sizeof run_cols[0])

static int per_run_table(crun_list *l, const nameset *keys, out_format fmt, FILE *out)
{
    nameset cols;
    memset(&cols, 0, sizeof cols);
    int rc = 0;
    for (size_t c = 0; c < NRUN_COLS && rc == 0; c++)
        rc = nameset_add(&cols, run_cols[c]) < 0 ? ECSIM_ENOMEM : 0;
    char name[1024];
    for (size_t k = 0; k < keys->count && rc == 0; k++) {
        snprintf(name, sizeof name, "set.%s", keys->names[k]);
        rc = nameset_add(&cols, name) < 0 ? ECSIM_ENOMEM : 0;
    }
    size_t first_fig = cols.count;
    for (size_t i = 0; i < l->count && rc == 0; i++) {
        crun *r = &l->items[i];
        r->col_of_sum = ecsim_calloc(r->sum.count ? r->sum.count : 1, sizeof *r->col_of_sum);
        if (!r->col_of_sum) {
            rc = ECSIM_ENOMEM;
            break;
        }
        for (size_t f = 0; f < r->sum.count; f++) {
            /* A summary figure named like a fixed column is kept under "summary.NAME". */
            const char *fname = r->sum.items[f].name;
            long at = nameset_find(&cols, fname);
            if (at >= 0 && (size_t)at < first_fig) {
                snprintf(name, sizeof name, "summary.%s", fname);
                fname = name;
            }
            at = nameset_add(&cols, fname);
            if (at < 0) {
                rc = ECSIM_ENOMEM;
                break;
            }
            r->col_of_sum[f] = (int)at;
        }
    }
    cell *cells = rc == 0 ? ecsim_calloc(cols.count ? cols.count : 1, sizeof *cells) : NULL;
    if (rc == 0 && !cells)
        rc = ECSIM_ENOMEM;
    if (rc == 0) {
        table_out t = {fmt, out, (const char *const *)cols.names, cols.count, 0, {0}};
        table_begin(&t);
        for (size_t i = 0; i < l->count; i++) {
            const crun *r = &l->items[i];
            for (size_t c = 0; c < cols.count; c++)
                cells[c] = (cell){CELL_EMPTY, NULL, NAN};
            cells[0] = (cell){CELL_TEXT, r->rel, 0};
            cells[1] = (cell){CELL_TEXT, r->status, 0};
            cells[2] = cell_of(ecsim_figures_find(&r->rec, "exit_code"));
            if (r->path && cells[2].kind == CELL_EMPTY) /* ok, its record not found */
                cells[2] = (cell){CELL_NUM, NULL, 0};
            cells[3] = cell_of(ecsim_figures_find(&r->rec, "error"));
            cells[4] = cell_of(ecsim_figures_find(&r->rec, "scenario"));
            for (size_t k = 0; k < keys->count; k++) {
                const char *v = override_of(r, keys->names[k]);
                if (v)
                    cells[NRUN_COLS + k] = (cell){CELL_TEXT, v, 0};
            }
            for (size_t f = 0; f < r->sum.count; f++)
                cells[r->col_of_sum[f]] = cell_of(&r->sum.items[f]);
            table_row(&t, cells);
        }
        table_end(&t);
    }
    ecsim_free(cells);
    nameset_free(&cols);
    return rc;
}

typedef struct cgroup {
    char **values; /* one per group key */
    size_t *runs;  /* indices into the run list */
    size_t nruns, cap;
} cgroup;

/* The text of group key `key` for run r: its override, `scenario` (the
 * summary's scenario name), else a summary figure; "" when absent. */
static const char *group_value(const crun *r, const char *key, char *buf, size_t size)
{
    const char *v = override_of(r, key);
    if (v)
        return v;
    const ecsim_figure *f = ecsim_figures_find(&r->sum, key);
    if (!f)
        return "";
    if (f->kind == ECSIM_FIG_STRING)
        return f->str;
    if (f->kind == ECSIM_FIG_NUMBER || f->kind == ECSIM_FIG_BOOL)
        return ecsim_fmt_num(buf, size, f->num);
    return "";
}

static size_t sort_groups_nkeys; /* qsort has no context argument */

static int group_cmp(const void *pa, const void *pb)
{
    const cgroup *a = pa, *b = pb;
    for (size_t k = 0; k < sort_groups_nkeys; k++) {
        int c = natural_cmp(a->values[k], b->values[k]);
        if (c)
            return c;
    }
    return 0;
}

static int grouped_table(crun_list *l, char **gkeys, size_t ngkeys, out_format fmt, FILE *out,
                         FILE *err)
{
    /* Every group key must name something in some run. */
    for (size_t k = 0; k < ngkeys; k++) {
        int known = 0;
        for (size_t i = 0; i < l->count && !known; i++)
            known = override_of(&l->items[i], gkeys[k]) ||
                    ecsim_figures_find(&l->items[i].sum, gkeys[k]);
        if (!known) {
            fprintf(err,
                    "--group-by %s: error: no run has an override or a figure of that name "
                    "(override keys as given to --set, `scenario`, or a summary.json name)\n",
                    gkeys[k]);
            return ECSIM_EINVAL;
        }
    }
    int rc = 0;
    cgroup *groups = NULL;
    size_t ngroups = 0, gcap = 0;
    char buf[64];
    nameset figs;
    memset(&figs, 0, sizeof figs);
    for (size_t i = 0; i < l->count && rc == 0; i++) {
        const crun *r = &l->items[i];
        size_t g;
        for (g = 0; g < ngroups; g++) {
            size_t k;
            for (k = 0; k < ngkeys; k++)
                if (strcmp(groups[g].values[k], group_value(r, gkeys[k], buf, sizeof buf)) != 0)
                    break;
            if (k == ngkeys)
                break;
        }
        if (g == ngroups) {
            if (ngroups == gcap) {
                size_t cap = gcap ? gcap * 2 : 16;
                cgroup *grown = ecsim_reallocarray(groups, cap, sizeof *grown);
                if (!grown) {
                    rc = ECSIM_ENOMEM;
                    break;
                }
                groups = grown;
                gcap = cap;
            }
            cgroup *ng = &groups[ngroups++];
            memset(ng, 0, sizeof *ng);
            ng->values = ecsim_calloc(ngkeys, sizeof *ng->values);
            if (!ng->values) {
                rc = ECSIM_ENOMEM;
                break;
            }
            for (size_t k = 0; k < ngkeys && rc == 0; k++)
                if (!(ng->values[k] = ecsim_strdup(group_value(r, gkeys[k], buf, sizeof buf))))
                    rc = ECSIM_ENOMEM;
        }
        cgroup *gr = &groups[g];
        if (rc == 0 && gr->nruns == gr->cap) {
            size_t cap = gr->cap ? gr->cap * 2 : 16;
            size_t *grown = ecsim_reallocarray(gr->runs, cap, sizeof *grown);
            if (!grown)
                rc = ECSIM_ENOMEM;
            else {
                gr->runs = grown;
                gr->cap = cap;
            }
        }
        if (rc == 0)
            gr->runs[gr->nruns++] = i;
        /* The numeric figures, in the order first seen (the seed and the
         * overrides are not figures to average). */
        if (rc == 0 && strcmp(r->status, "ok") == 0)
            for (size_t f = 0; f < r->sum.count && rc == 0; f++) {
                const ecsim_figure *x = &r->sum.items[f];
                if ((x->kind == ECSIM_FIG_NUMBER || x->kind == ECSIM_FIG_BOOL) &&
                    strcmp(x->name, "seed") != 0 && strcmp(x->name, "schema_version") != 0 &&
                    nameset_add(&figs, x->name) < 0)
                    rc = ECSIM_ENOMEM;
            }
    }
    /* Each ok run's numeric figures by column (NaN where absent). */
    double **vals = rc == 0 ? ecsim_calloc(l->count ? l->count : 1, sizeof *vals) : NULL;
    if (rc == 0 && !vals)
        rc = ECSIM_ENOMEM;
    for (size_t i = 0; i < l->count && rc == 0; i++) {
        const crun *r = &l->items[i];
        if (strcmp(r->status, "ok") != 0)
            continue;
        if (!(vals[i] = ecsim_calloc(figs.count ? figs.count : 1, sizeof **vals))) {
            rc = ECSIM_ENOMEM;
            break;
        }
        for (size_t f = 0; f < figs.count; f++)
            vals[i][f] = NAN;
        for (size_t f = 0; f < r->sum.count; f++) {
            const ecsim_figure *x = &r->sum.items[f];
            long at = nameset_find(&figs, x->name);
            if (at >= 0 && (x->kind == ECSIM_FIG_NUMBER || x->kind == ECSIM_FIG_BOOL))
                vals[i][at] = x->num;
        }
    }
    size_t ncols = ngkeys + 2 + 4 * figs.count;
    char **cols = rc == 0 ? ecsim_calloc(ncols, sizeof *cols) : NULL;
    cell *cells = rc == 0 ? ecsim_calloc(ncols, sizeof *cells) : NULL;
    double *samples = rc == 0 ? ecsim_calloc(l->count ? l->count : 1, sizeof *samples) : NULL;
    if (rc == 0 && (!cols || !cells || !samples))
        rc = ECSIM_ENOMEM;
    for (size_t k = 0; k < ngkeys && rc == 0; k++)
        if (!(cols[k] = ecsim_strdup(gkeys[k])))
            rc = ECSIM_ENOMEM;
    if (rc == 0) {
        cols[ngkeys] = ecsim_strdup("runs");
        cols[ngkeys + 1] = ecsim_strdup("failed");
        if (!cols[ngkeys] || !cols[ngkeys + 1])
            rc = ECSIM_ENOMEM;
    }
    static const char *const stat_names[] = {"n", "mean", "ci95_lo", "ci95_hi"};
    for (size_t f = 0; f < figs.count && rc == 0; f++)
        for (size_t s = 0; s < 4 && rc == 0; s++) {
            size_t len = strlen(figs.names[f]) + 16;
            char *c = ecsim_malloc(len);
            if (!c) {
                rc = ECSIM_ENOMEM;
                break;
            }
            snprintf(c, len, "%s.%s", figs.names[f], stat_names[s]);
            cols[ngkeys + 2 + 4 * f + s] = c;
        }
    if (rc == 0) {
        sort_groups_nkeys = ngkeys;
        qsort(groups, ngroups, sizeof *groups, group_cmp);
        table_out t = {fmt, out, (const char *const *)cols, ncols, 0, {0}};
        table_begin(&t);
        for (size_t g = 0; g < ngroups; g++) {
            const cgroup *gr = &groups[g];
            size_t failed = 0;
            for (size_t i = 0; i < gr->nruns; i++)
                failed += strcmp(l->items[gr->runs[i]].status, "ok") != 0;
            for (size_t k = 0; k < ngkeys; k++)
                cells[k] = (cell){CELL_TEXT, gr->values[k], 0};
            cells[ngkeys] = (cell){CELL_NUM, NULL, (double)gr->nruns};
            cells[ngkeys + 1] = (cell){CELL_NUM, NULL, (double)failed};
            for (size_t f = 0; f < figs.count; f++) {
                size_t n = 0;
                for (size_t i = 0; i < gr->nruns; i++)
                    if (vals[gr->runs[i]])
                        samples[n++] = vals[gr->runs[i]][f];
                ecsim_interval iv = ecsim_interval_of(samples, n, 0.95);
                size_t c0 = ngkeys + 2 + 4 * f;
                cells[c0] = (cell){CELL_NUM, NULL, (double)iv.n};
                cells[c0 + 1] = (cell){CELL_NUM, NULL, iv.mean};
                cells[c0 + 2] = (cell){CELL_NUM, NULL, iv.lo};
                cells[c0 + 3] = (cell){CELL_NUM, NULL, iv.hi};
            }
            table_row(&t, cells);
        }
        table_end(&t);
    }
    for (size_t i = 0; vals && i < l->count; i++)
        ecsim_free(vals[i]);
    ecsim_free(vals);
    for (size_t c = 0; cols && c < ncols; c++)
        ecsim_free(cols[c]);
    ecsim_free(cols);
    ecsim_free(cells);
    ecsim_free(samples);
    for (size_t g = 0; g < ngroups; g++) {
        for (size_t k = 0; groups[g].values && k < ngkeys; k++)
            ecsim_free(groups[g].values[k]);
        ecsim_free(groups[g].values);
        ecsim_free(groups[g].runs);
    }
    ecsim_free(groups);
    nameset_free(&figs);
    return rc;
}

/* ---- the command ------------------------------------------------------------------------ */

int cli_cmd_collect(cli_opts *o, FILE *out, FILE *err)
{
    const cli_cmddoc *c = cli_command_find("collect");
    if (o->nfiles == 0) {
        fprintf(err, "ecsim collect: error: missing the folder(s) to collect\n");
        cli_print_usage_line(c, err);
        return ECSIM_EXIT_USAGE;
    }
    out_format fmt = FMT_CSV;
    if (o->format) {
        if (strcmp(o->format, "json") == 0)
            fmt = FMT_JSON;
        else if (strcmp(o->format, "md") == 0)
            fmt = FMT_MD;
        else if (strcmp(o->format, "csv") != 0) {
            fprintf(err, "--format %s: error: unknown format; valid formats: csv json md\n",
                    o->format);
            return ECSIM_EXIT_USAGE;
        }
    }
    /* --group-by keys. */
    char *gtext = NULL, *gkeys[64];
    size_t ngkeys = 0;
    if (o->group_by_text) {
        gtext = ecsim_strdup(o->group_by_text);
        if (!gtext) {
            fprintf(err, "ecsim collect: error: %s\n", ecsim_strerror(ECSIM_ENOMEM));
            return ECSIM_EXIT_FAIL;
        }
        char *save = NULL;
        for (char *k = strtok_r(gtext, ",", &save); k; k = strtok_r(NULL, ",", &save)) {
            if (ngkeys == 64) {
                fprintf(err, "--group-by: error: at most 64 keys\n");
                ecsim_free(gtext);
                return ECSIM_EXIT_USAGE;
            }
            gkeys[ngkeys++] = k;
        }
        if (ngkeys == 0) {
            fprintf(err, "--group-by %s: error: expected KEY[,KEY...]\n", o->group_by_text);
            ecsim_free(gtext);
            return ECSIM_EXIT_USAGE;
        }
    }
    crun_list l;
    memset(&l, 0, sizeof l);
    int rc = 0, code = 0;
    for (size_t i = 0; i < o->nfiles && rc == 0; i++) {
        struct stat st;
        if (stat(o->files[i], &st) != 0) {
            fprintf(err, "%s: error: cannot read the folder: %s\n", o->files[i], strerror(errno));
            code = ECSIM_EXIT_IO;
            continue;
        }
        if (!S_ISDIR(st.st_mode)) {
            fprintf(err, "%s: error: not a folder (give the folder of a sweep or of a run)\n",
                    o->files[i]);
            code = ECSIM_EXIT_USAGE;
            continue;
        }
        size_t before = l.count;
        rc = walk(&l, i, o->files[i], ".", 0, err);
        if (rc == ECSIM_EIO) {
            fprintf(err, "%s: error: cannot read the folder: %s\n", o->files[i], strerror(errno));
            code = ECSIM_EXIT_IO;
            rc = 0;
        } else if (rc == 0 && l.count == before) {
            fprintf(err, "%s: warning: no run folder (one holding summary.json or run.json) in it\n",
                    o->files[i]);
        }
    }
    if (rc == 0 && code == 0 && l.count == 0) {
        fprintf(err, "ecsim collect: error: no run folder found (a folder of `ecsim sweep` or "
                     "`ecsim compare`, holding summary.json or run.json)\n");
        code = ECSIM_EXIT_USAGE;
    }
    if (rc == 0 && code == 0)
        rc = find_records(&l, err);
    if (rc == 0 && code == 0) {
        qsort(l.items, l.count, sizeof *l.items, crun_cmp);
        /* The override keys, first seen in that order. */
        nameset keys;
        memset(&keys, 0, sizeof keys);
        for (size_t i = 0; i < l.count && rc == 0; i++)
            for (size_t f = 0; f < overrides_of(&l.items[i])->count && rc == 0; f++) {
                const ecsim_figure *x = &overrides_of(&l.items[i])->items[f];
                if (strncmp(x->name, "overrides.", 10) != 0 || x->kind != ECSIM_FIG_STRING)
                    continue;
                const char *eq = strchr(x->str, '=');
                char key[512];
                snprintf(key, sizeof key, "%.*s", eq ? (int)(eq - x->str) : (int)strlen(x->str),
                         x->str);
                if (nameset_add(&keys, key) < 0)
                    rc = ECSIM_ENOMEM;
            }
        if (rc == 0)
            rc = ngkeys ? grouped_table(&l, gkeys, ngkeys, fmt, out, err)
                        : per_run_table(&l, &keys, fmt, out);
        nameset_free(&keys);
        if (rc == ECSIM_EINVAL)
            code = ECSIM_EXIT_USAGE;
        if (rc == 0 && l.unreadable)
            code = ECSIM_EXIT_IO;
    }
    if (rc == ECSIM_ENOMEM) {
        fprintf(err, "ecsim collect: error: %s\n", ecsim_strerror(ECSIM_ENOMEM));
        code = ECSIM_EXIT_FAIL;
    }
    for (size_t i = 0; i < l.count; i++) {
        ecsim_figures_free(&l.items[i].rec);
        ecsim_figures_free(&l.items[i].sum);
        ecsim_free(l.items[i].rel);
        ecsim_free(l.items[i].path);
        ecsim_free(l.items[i].col_of_sum);
    }
    ecsim_free(l.items);
    ecsim_free(gtext);
    return code;
}
