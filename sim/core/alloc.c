/* The allocation wrapper (include/ecsim/alloc.h): every heap allocation in
 * ecsim passes here so that tests can inject failures and count leaks. The
 * counters are process-wide on purpose: they are a test instrument, not
 * simulation state, and no simulation reads them. */
#include "ecsim/alloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static long fail_countdown; /* 0 = never fail; n = fail the n-th call from now on */
static long live_allocations;
static size_t failed_bytes; /* the size of the last request that failed, 0 = none */

static int should_fail(void)
{
    if (fail_countdown <= 0)
        return 0;
    if (fail_countdown == 1)
        return 1; /* stays at 1: every later allocation fails too */
    fail_countdown--;
    return 0;
}

void ecsim_alloc_fail_after(long nth) { fail_countdown = nth > 0 ? nth : 0; }

long ecsim_alloc_live(void) { return live_allocations; }

size_t ecsim_alloc_failed_bytes(void) { return failed_bytes; }

/* NULL after noting the request that failed, for the user's message. */
static void *failed(size_t size)
{
    failed_bytes = size ? size : 1;
    return NULL;
}

void *ecsim_malloc(size_t size)
{
    if (should_fail())
        return failed(size);
    void *p = malloc(size ? size : 1);
    if (!p)
        return failed(size);
    live_allocations++;
    return p;
}

void *ecsim_calloc(size_t count, size_t size)
{
    if (size && count > SIZE_MAX / size)
        return failed(SIZE_MAX);
    if (should_fail())
        return failed(count * size);
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (!p)
        return failed(count * size);
    live_allocations++;
    return p;
}

void *ecsim_realloc(void *ptr, size_t size)
{
    if (!ptr)
        return ecsim_malloc(size);
    if (should_fail())
        return failed(size);
    void *p = realloc(ptr, size ? size : 1);
    if (!p)
        return failed(size);
    return p;
}

void *ecsim_reallocarray(void *ptr, size_t count, size_t size)
{
    if (size && count > SIZE_MAX / size)
        return failed(SIZE_MAX);
    return ecsim_realloc(ptr, count * size);
}

char *ecsim_strndup(const char *s, size_t n)
{
    size_t len = strnlen(s, n);
    char *copy = ecsim_malloc(len + 1);
    if (!copy)
        return NULL;
    memcpy(copy, s, len);
    copy[len] = '\0';
    return copy;
}

char *ecsim_strdup(const char *s) { return ecsim_strndup(s, SIZE_MAX); }

void ecsim_free(void *ptr)
{
    if (!ptr)
        return;
    live_allocations--;
    free(ptr);
}
