/* The event log recorder (eventlog.h).
 *
 * Storage: `text` holds the newest lines, NUL-terminated, back to back;
 * when it passes EVENTLOG_SPILL_BYTES it is appended to a temporary file and
 * emptied. offsets[i] is where line i starts in the whole text (file, then
 * memory); a line never straddles the two. Reading a spilled line goes
 * through a read cache of READ_BYTES, so writing the log out in order costs
 * one pread per cache fill. */
#include "eventlog.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ecsim/alloc.h"
#include "ecsim/error.h"

#define EVENTLOG_SPILL_BYTES (256u * 1024u)
#define READ_BYTES (64u * 1024u)

struct eventlog {
    char *text;               /* lines [first unspilled, count) */
    size_t text_used, text_capacity;
    size_t spilled;           /* bytes in the file */
    FILE *file;               /* tmpfile(), at the first spill */
    size_t *offsets;          /* start of each line in the whole text */
    size_t count, capacity;
    char *cache;              /* read cache over the file: bytes [cache_at, cache_at + cache_len) */
    size_t cache_at, cache_len;
};

eventlog *eventlog_create(void) { return ecsim_calloc(1, sizeof(eventlog)); }

void eventlog_destroy(eventlog *log)
{
    if (!log)
        return;
    if (log->file)
        fclose(log->file);
    ecsim_free(log->text);
    ecsim_free(log->offsets);
    ecsim_free(log->cache);
    ecsim_free(log);
}

static int spill(eventlog *log)
{
    if (!log->file)
        log->file = tmpfile();
    if (!log->file || fseek(log->file, 0, SEEK_END) != 0 ||
        fwrite(log->text, 1, log->text_used, log->file) != log->text_used || fflush(log->file) != 0)
        return ECSIM_EIO;
    log->spilled += log->text_used;
    log->text_used = 0;
    return 0;
}

int eventlog_add(eventlog *log, const char *clock, const char *message)
{
    char line[832];
    int n = snprintf(line, sizeof line, "%-10s  %s", clock, message);
    size_t len = n < 0 ? 0 : (size_t)n < sizeof line ? (size_t)n : sizeof line - 1;
    if (log->text_used >= EVENTLOG_SPILL_BYTES) {
        int rc = spill(log);
        if (rc != 0)
            return rc;
    }
    if (log->count == log->capacity) {
        size_t cap = log->capacity ? log->capacity * 2 : 64;
        size_t *o = ecsim_reallocarray(log->offsets, cap, sizeof *o);
        if (!o)
            return ECSIM_ENOMEM;
        log->offsets = o;
        log->capacity = cap;
    }
    if (log->text_used + len + 1 > log->text_capacity) {
        size_t cap = log->text_capacity ? log->text_capacity : 4096;
        while (log->text_used + len + 1 > cap)
            cap *= 2;
        char *t = ecsim_realloc(log->text, cap);
        if (!t)
            return ECSIM_ENOMEM;
        log->text = t;
        log->text_capacity = cap;
    }
    log->offsets[log->count++] = log->spilled + log->text_used;
    memcpy(log->text + log->text_used, line, len);
    log->text[log->text_used + len] = '\0';
    log->text_used += len + 1;
    return 0;
}

size_t eventlog_count(const eventlog *log) { return log->count; }

const char *eventlog_line(const eventlog *clog, size_t i)
{
    if (i >= clog->count)
        return NULL;
    size_t at = clog->offsets[i];
    if (at >= clog->spilled)
        return clog->text + (at - clog->spilled);
    eventlog *log = (eventlog *)clog; /* the read cache changes, the lines do not */
    size_t end = i + 1 < log->count && log->offsets[i + 1] <= log->spilled ? log->offsets[i + 1]
                                                                          : log->spilled;
    if (at >= log->cache_at && end <= log->cache_at + log->cache_len && log->cache)
        return log->cache + (at - log->cache_at);
    if (!log->cache && !(log->cache = ecsim_malloc(READ_BYTES)))
        return NULL;
    size_t want = log->spilled - at < READ_BYTES ? log->spilled - at : READ_BYTES;
    ssize_t got = pread(fileno(log->file), log->cache, want, (off_t)at);
    if (got < 0 || (size_t)got < end - at) {
        log->cache_len = 0;
        return NULL;
    }
    log->cache_at = at;
    log->cache_len = (size_t)got;
    return log->cache;
}
