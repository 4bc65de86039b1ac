/* The one allocation wrapper every ecsim module uses (STYLE.md rule 9).
 *
 * All heap memory goes through these functions so that tests can make the
 * n-th allocation fail and check that every constructor cleans up and
 * reports ECSIM_ENOMEM. The wrapper keeps a count of live allocations for
 * leak checks in tests. Hot paths (events, requests) never call these per
 * item: they use pools that grow geometrically. */
#ifndef ECSIM_ALLOC_H
#define ECSIM_ALLOC_H

#include <stddef.h>

void *ecsim_malloc(size_t size);
void *ecsim_calloc(size_t count, size_t size);   /* overflow-checked */
void *ecsim_realloc(void *ptr, size_t size);
/* realloc of count * size bytes, overflow-checked; NULL on overflow or OOM. */
void *ecsim_reallocarray(void *ptr, size_t count, size_t size);
char *ecsim_strdup(const char *s);
char *ecsim_strndup(const char *s, size_t n);
void ecsim_free(void *ptr);

/* Test hook: make the allocation numbered `nth` (1 = the next one) and every
 * one after it fail while `nth` > 0; 0 disables failure injection. */
void ecsim_alloc_fail_after(long nth);
/* Number of allocations made and not yet freed (debug aid for tests). */
long ecsim_alloc_live(void);
/* The size in bytes of the last allocation request that failed (SIZE_MAX
 * for a count x size that overflows), 0 if none has: what an out-of-memory
 * message reports. */
size_t ecsim_alloc_failed_bytes(void);

#endif
