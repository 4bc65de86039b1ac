/* The timeline recorder (include/ecsim/timeline.h), a model-layer module
 * (the model feeds it; the reports and plots read it): rows of per-period
 * figures, and markers whose strings share one growing character arena.
 *
 * Rows are bounded in memory: the newest ones (up to TAIL_ROWS) stay in an
 * array; when it is full, it is appended to an anonymous temporary file
 * and emptied, so a year of one-minute periods costs a few hundred KB of
 * memory, not 60 MB. Reading a spilled row goes through a chunk cache for
 * scans in order and a one-row pread for random access (the plots' binary
 * searches). The CSV writers are here too, because the column list is this
 * module's contract (DESIGN.md, "Outputs of ecsim run"). */
#include "ecsim/timeline.h"

#include <math.h>
#include <string.h>
#include <unistd.h>

#include "ecsim/alloc.h"
#include "ecsim/csv.h"
#include "ecsim/error.h"
#include "ecsim/output.h"

/* A marker as stored: its strings are offsets into the arena, because the
 * arena moves when it grows. */
typedef struct timeline_marker_rec {
    double time_s;
    size_t kind_off;
    size_t label_off;
} timeline_marker_rec;

/* Rows kept in memory before they spill, and rows read per chunk. */
#define TAIL_ROWS 4096
#define CHUNK_ROWS 1024

struct ecsim_timeline {
    ecsim_timeline_row *rows; /* rows [spilled, row_count), TAIL_ROWS of room once allocated */
    size_t row_count;
    size_t row_capacity;
    size_t spilled;           /* rows [0, spilled) are in `file`, in order */
    FILE *file;               /* tmpfile(), created at the first spill */
    /* Reading spilled rows (the cache is logically const: row_at is a read). */
    ecsim_timeline_row *chunk; /* rows [chunk_start, chunk_start + chunk_count) */
    size_t chunk_start, chunk_count;
    ecsim_timeline_row one;    /* the last row read alone */
    size_t last_read;          /* index of the last spilled row returned, or SIZE_MAX */
    bool has_latency, has_memory;
    timeline_marker_rec *markers;
    size_t marker_count;
    size_t marker_capacity;
    char *arena;          /* NUL-terminated kind and label strings */
    size_t arena_used;
    size_t arena_capacity;
};

ecsim_timeline_row ecsim_timeline_row_empty(void)
{
    ecsim_timeline_row row;
    memset(&row, 0, sizeof row);
    row.time_s = NAN;
    row.demand_rps = NAN;
    row.capacity_rps = NAN;
    row.cpu_pct = NAN;
    row.served_rps = NAN;
    row.unserved_rps = NAN;
    row.p50_ms = NAN;
    row.p95_ms = NAN;
    row.p99_ms = NAN;
    row.cost_usd = NAN;
    row.memory_pct = NAN;
    row.target = NAN;
    return row;
}

ecsim_timeline *ecsim_timeline_create(void)
{
    /* Buffers start empty and grow on first use: an unused timeline (a run
     * that stops before its first period) costs one small allocation. */
    ecsim_timeline *tl = ecsim_calloc(1, sizeof(ecsim_timeline));
    if (tl)
        tl->last_read = (size_t)-1;
    return tl;
}

void ecsim_timeline_destroy(ecsim_timeline *tl)
{
    if (!tl)
        return;
    ecsim_free(tl->rows);
    ecsim_free(tl->chunk);
    if (tl->file)
        fclose(tl->file);
    ecsim_free(tl->markers);
    ecsim_free(tl->arena);
    ecsim_free(tl);
}

int ecsim_timeline_append(ecsim_timeline *tl, const ecsim_timeline_row *row)
{
    if (!isfinite(row->time_s))
        return ECSIM_EINVAL;
    /* The previous row is always in memory: the tail spills only when a
     * new row needs its room. */
    if (tl->row_count > 0 && row->time_s < tl->rows[tl->row_count - 1 - tl->spilled].time_s)
        return ECSIM_EINVAL;
    size_t held = tl->row_count - tl->spilled;
    if (held == TAIL_ROWS) {
        if (!tl->file)
            tl->file = tmpfile();
        if (!tl->file || fseek(tl->file, 0, SEEK_END) != 0 ||
            fwrite(tl->rows, sizeof *tl->rows, held, tl->file) != held || fflush(tl->file) != 0)
            return ECSIM_EIO;
        tl->spilled += held;
        held = 0;
    }
    if (held == tl->row_capacity) {
        size_t cap = tl->row_capacity ? tl->row_capacity * 2 : 256;
        if (cap > TAIL_ROWS)
            cap = TAIL_ROWS;
        ecsim_timeline_row *rows = ecsim_reallocarray(tl->rows, cap, sizeof *rows);
        if (!rows)
            return ECSIM_ENOMEM;
        tl->rows = rows;
        tl->row_capacity = cap;
    }
    tl->rows[held] = *row;
    tl->row_count++;
    if (isfinite(row->p50_ms) || isfinite(row->p95_ms) || isfinite(row->p99_ms))
        tl->has_latency = true;
    if (isfinite(row->memory_pct))
        tl->has_memory = true;
    return 0;
}

/* Read `n` spilled rows from index `first` into `out`. */
static bool read_rows(const ecsim_timeline *tl, size_t first, size_t n, ecsim_timeline_row *out)
{
    size_t bytes = n * sizeof *out;
    off_t at = (off_t)(first * sizeof *out);
    ssize_t got = pread(fileno(tl->file), out, bytes, at);
    return got == (ssize_t)bytes;
}

static bool kind_is_valid(const char *kind)
{
    size_t len = kind ? strlen(kind) : 0;
    if (len == 0 || len > ECSIM_MARK_KIND_MAX)
        return false;
    for (size_t i = 0; i < len; i++) {
        char c = kind[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
            return false;
    }
    return true;
}

/* Make room for `need` more bytes in the arena. */
static int arena_reserve(ecsim_timeline *tl, size_t need)
{
    if (need <= tl->arena_capacity - tl->arena_used)
        return 0;
    size_t cap = tl->arena_capacity ? tl->arena_capacity : 1024;
    while (need > cap - tl->arena_used) {
        if (cap > (size_t)-1 / 2)
            return ECSIM_ENOMEM;
        cap *= 2;
    }
    char *arena = ecsim_realloc(tl->arena, cap);
    if (!arena)
        return ECSIM_ENOMEM;
    tl->arena = arena;
    tl->arena_capacity = cap;
    return 0;
}

int ecsim_timeline_add_marker(ecsim_timeline *tl, double time_s, const char *kind,
                              const char *label)
{
    if (!isfinite(time_s) || !kind_is_valid(kind))
        return ECSIM_EINVAL;
    if (!label)
        label = "";
    size_t kind_len = strlen(kind), label_len = strlen(label);
    if (label_len > (size_t)-1 / 2)
        return ECSIM_ENOMEM;
    int rc = arena_reserve(tl, kind_len + 1 + label_len + 1);
    if (rc)
        return rc;
    if (tl->marker_count == tl->marker_capacity) {
        size_t cap = tl->marker_capacity ? tl->marker_capacity * 2 : 32;
        timeline_marker_rec *markers = ecsim_reallocarray(tl->markers, cap, sizeof *markers);
        if (!markers)
            return ECSIM_ENOMEM;
        tl->markers = markers;
        tl->marker_capacity = cap;
    }
    timeline_marker_rec *m = &tl->markers[tl->marker_count++];
    m->time_s = time_s;
    m->kind_off = tl->arena_used;
    memcpy(tl->arena + tl->arena_used, kind, kind_len + 1);
    tl->arena_used += kind_len + 1;
    m->label_off = tl->arena_used;
    memcpy(tl->arena + tl->arena_used, label, label_len + 1);
    tl->arena_used += label_len + 1;
    return 0;
}

size_t ecsim_timeline_count(const ecsim_timeline *tl) { return tl->row_count; }

const ecsim_timeline_row *ecsim_timeline_row_at(const ecsim_timeline *ctl, size_t i)
{
    if (i >= ctl->row_count)
        return NULL;
    if (i >= ctl->spilled)
        return &ctl->rows[i - ctl->spilled];
    ecsim_timeline *tl = (ecsim_timeline *)ctl; /* the read cache changes, the rows do not */
    if (tl->chunk && i >= tl->chunk_start && i < tl->chunk_start + tl->chunk_count) {
        tl->last_read = i;
        return &tl->chunk[i - tl->chunk_start];
    }
    bool in_order = i == 0 || i == tl->last_read + 1;
    tl->last_read = i;
    if (in_order) {
        if (!tl->chunk && !(tl->chunk = ecsim_reallocarray(NULL, CHUNK_ROWS, sizeof *tl->chunk)))
            return NULL;
        size_t n = tl->spilled - i < CHUNK_ROWS ? tl->spilled - i : CHUNK_ROWS;
        if (!read_rows(tl, i, n, tl->chunk)) {
            tl->chunk_count = 0;
            return NULL;
        }
        tl->chunk_start = i;
        tl->chunk_count = n;
        return &tl->chunk[0];
    }
    return read_rows(tl, i, 1, &tl->one) ? &tl->one : NULL;
}

size_t ecsim_timeline_marker_count(const ecsim_timeline *tl) { return tl->marker_count; }

int ecsim_timeline_marker_get(const ecsim_timeline *tl, size_t i, ecsim_timeline_marker *out)
{
    if (i >= tl->marker_count)
        return ECSIM_ENOENT;
    const timeline_marker_rec *m = &tl->markers[i];
    out->time_s = m->time_s;
    out->kind = tl->arena + m->kind_off;
    out->label = tl->arena + m->label_off;
    return 0;
}

ecsim_marker_class ecsim_timeline_marker_class(const char *kind)
{
    static const char *const failure_words[] = {"fail",      "rollback", "outage", "interrupt",
                                                "kill",      "crash",    "unhealthy"};
    if (!kind)
        return ECSIM_MARKER_EVENT;
    if (strcmp(kind, ECSIM_MARK_SCALE_OUT) == 0)
        return ECSIM_MARKER_SCALE_OUT;
    if (strcmp(kind, ECSIM_MARK_SCALE_IN) == 0)
        return ECSIM_MARKER_SCALE_IN;
    for (size_t i = 0; i < sizeof failure_words / sizeof failure_words[0]; i++)
        if (strstr(kind, failure_words[i]))
            return ECSIM_MARKER_FAILURE;
    return ECSIM_MARKER_EVENT;
}

bool ecsim_timeline_has_latency(const ecsim_timeline *tl) { return tl->has_latency; }

bool ecsim_timeline_has_memory(const ecsim_timeline *tl) { return tl->has_memory; }

int ecsim_timeline_write_csv(const ecsim_timeline *tl, FILE *out)
{
    fputs("time_s,demand_rps,capacity_rps,desired,running,pending,cpu_pct,served_rps,"
          "unserved_rps,p50_ms,p95_ms,p99_ms,cost_usd,memory_pct,target\n",
          out);
    ecsim_csv_writer w;
    ecsim_csv_writer_init(&w, out);
    for (size_t i = 0; i < tl->row_count; i++) {
        const ecsim_timeline_row *r = ecsim_timeline_row_at(tl, i);
        if (!r)
            return ECSIM_EIO;
        ecsim_csv_write_num(&w, r->time_s);
        ecsim_csv_write_num(&w, r->demand_rps);
        ecsim_csv_write_num(&w, r->capacity_rps);
        ecsim_csv_write_int(&w, r->desired, false);
        ecsim_csv_write_int(&w, r->running, false);
        ecsim_csv_write_int(&w, r->pending, false);
        ecsim_csv_write_num(&w, r->cpu_pct);
        ecsim_csv_write_num(&w, r->served_rps);
        ecsim_csv_write_num(&w, r->unserved_rps);
        ecsim_csv_write_num(&w, r->p50_ms);
        ecsim_csv_write_num(&w, r->p95_ms);
        ecsim_csv_write_num(&w, r->p99_ms);
        ecsim_csv_write_num(&w, r->cost_usd);
        ecsim_csv_write_num(&w, r->memory_pct);
        ecsim_csv_write_num(&w, r->target);
        ecsim_csv_end_row(&w);
    }
    return ferror(out) ? ECSIM_EIO : 0;
}

/* One CSV cell: separator (unless first), then the number or nothing. */
static void put_num(FILE *out, double v, bool first)
{
    char buf[64];
    if (!first)
        fputc(',', out);
    if (isfinite(v))
        fputs(ecsim_fmt_num(buf, sizeof buf, v), out);
}

/* A CSV text cell, quoted only when it must be (RFC 4180). */
static void put_text(FILE *out, const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, out);
        return;
    }
    fputc('"', out);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', out);
        fputc(*s, out);
    }
    fputc('"', out);
}

int ecsim_timeline_write_markers_csv(const ecsim_timeline *tl, FILE *out)
{
    fputs("time_s,kind,label\n", out);
    for (size_t i = 0; i < tl->marker_count; i++) {
        ecsim_timeline_marker m;
        ecsim_timeline_marker_get(tl, i, &m);
        put_num(out, m.time_s, true);
        fputc(',', out);
        put_text(out, m.kind);
        fputc(',', out);
        put_text(out, m.label);
        fputc('\n', out);
    }
    return ferror(out) ? ECSIM_EIO : 0;
}
