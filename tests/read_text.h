/* The whole of a file as NUL-terminated text for the tests (free with
 * free(): the buffer comes from open_memstream); NULL when it cannot be
 * opened. */
#ifndef ECSIM_TESTS_READ_TEXT_H
#define ECSIM_TESTS_READ_TEXT_H

#include <stdio.h>

static inline char *read_text(const char *path)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return NULL;
    char *buf = NULL;
    size_t n = 0;
    FILE *mem = open_memstream(&buf, &n);
    if (!mem) {
        fclose(fp);
        return NULL;
    }
    char chunk[65536];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, fp)) > 0)
        fwrite(chunk, 1, got, mem);
    fclose(fp);
    fclose(mem);
    return buf;
}

#endif
