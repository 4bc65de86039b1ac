/* Atomic output files, mkdir -p, number formatting and the JSON writer
 * (include/ecsim/output.h; the SHA-256 functions are in sim/core/sha256.c).
 *
 * Atomicity: data goes to DIR/.NAME.tmp.XXXXXX, created by mkstemp in the
 * same directory as the final path (so rename(2) is atomic: same file
 * system), chmod'ed to 0644, and renamed over NAME on commit. We do not
 * fsync: the promise is "no half-written file after an error or a crash of
 * ecsim", not durability across a power cut, and fsync costs milliseconds
 * per file on every run.
 *
 * Numbers: every number ecsim prints goes through ecsim_fmt_num so that the
 * text, CSV and JSON outputs agree digit for digit and do not depend on the
 * C library's locale. */
#define _GNU_SOURCE /* renameat2 (RENAME_EXCHANGE) on Linux */
#include "ecsim/output.h"

#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <locale.h>
#include <math.h>
#include <string.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ecsim/alloc.h"
#include "ecsim/error.h"

/* ---- atomic files ------------------------------------------------------- */

/* Free the paths and clear the handle (the file is already closed). */
static void outfile_release(ecsim_outfile *of)
{
    ecsim_free(of->tmp_path);
    ecsim_free(of->final_path);
    memset(of, 0, sizeof *of);
}

int ecsim_outfile_open(ecsim_outfile *of, const char *path)
{
    static const char prefix[] = ".";
    static const char suffix[] = ".tmp.XXXXXX";
    assert(of != NULL && path != NULL);
    memset(of, 0, sizeof *of);
    const char *slash = strrchr(path, '/');
    size_t dir_len = slash ? (size_t)(slash - path) + 1 : 0; /* with the '/' */
    const char *base = slash ? slash + 1 : path;
    if (!*base)
        return ECSIM_EIO; /* "dir/" names no file */
    size_t base_len = strlen(base);
    int err = ECSIM_ENOMEM;
    int fd = -1;

    of->final_path = ecsim_strdup(path);
    of->tmp_path = ecsim_malloc(dir_len + sizeof prefix - 1 + base_len + sizeof suffix);
    if (!of->final_path || !of->tmp_path)
        goto fail_release;
    char *tmp = of->tmp_path;
    memcpy(tmp, path, dir_len);
    tmp += dir_len;
    memcpy(tmp, prefix, sizeof prefix - 1);
    tmp += sizeof prefix - 1;
    memcpy(tmp, base, base_len);
    tmp += base_len;
    memcpy(tmp, suffix, sizeof suffix);

    err = ECSIM_EIO;
    fd = mkstemp(of->tmp_path);
    if (fd < 0)
        goto fail_release; /* missing directory, no permission, ... */
    /* mkstemp creates 0600; outputs are ordinary shareable files. */
    if (fchmod(fd, 0644) != 0)
        goto fail_unlink;
    of->fp = fdopen(fd, "w");
    if (!of->fp)
        goto fail_unlink;
    return 0;

fail_unlink:
    close(fd);
    unlink(of->tmp_path);
fail_release:
    outfile_release(of);
    return err;
}

int ecsim_outfile_commit(ecsim_outfile *of)
{
    assert(of != NULL && of->fp != NULL);
    /* The first failing call's errno is what the caller reports ("No space
     * left on device"); the clean-up below must not overwrite it. */
    int err = 0;
    int failed = ferror(of->fp) != 0;
    if (fflush(of->fp) != 0) {
        failed = 1;
        err = errno;
    }
    if (fclose(of->fp) != 0) { /* always closes, even after an error */
        failed = 1;
        if (!err)
            err = errno;
    }
    of->fp = NULL;
    if (!failed && rename(of->tmp_path, of->final_path) != 0) {
        failed = 1;
        err = errno;
    }
    if (failed)
        unlink(of->tmp_path);
    outfile_release(of);
    if (failed)
        errno = err ? err : EIO;
    return failed ? ECSIM_EIO : 0;
}

void ecsim_outfile_abort(ecsim_outfile *of)
{
    if (!of)
        return;
    int err = errno; /* keep the caller's reason for aborting */
    if (of->fp)
        fclose(of->fp);
    if (of->tmp_path)
        unlink(of->tmp_path);
    outfile_release(of);
    errno = err;
}

int ecsim_mkdirs(const char *path)
{
    char buf[4096];
    size_t len = path ? strlen(path) : 0;
    if (len == 0 || len >= sizeof buf)
        return ECSIM_EIO;
    memcpy(buf, path, len + 1);
    /* Create each prefix that ends before a '/', then the whole path. */
    for (size_t i = 1; i <= len; i++) {
        if (buf[i] != '/' && buf[i] != '\0')
            continue;
        if (buf[i - 1] == '/')
            continue; /* "a//b" or a trailing '/' */
        char saved = buf[i];
        buf[i] = '\0';
        if (mkdir(buf, 0755) != 0) {
            struct stat st;
            int err = errno;
            if (err != EEXIST)
                return ECSIM_EIO; /* no permission, read-only, ... (errno says) */
            if (stat(buf, &st) != 0)
                return ECSIM_EIO;
            if (!S_ISDIR(st.st_mode)) {
                errno = ENOTDIR; /* a file in the way: "Not a directory" */
                return ECSIM_EIO;
            }
        }
        buf[i] = saved;
    }
    return 0;
}

/* ---- one line of text to a callback ------------------------------------------- */

void ecsim_vemit_line(ecsim_line_fn fn, void *ctx, const char *fmt, va_list ap)
{
    if (!fn)
        return;
    char line[768];
    vsnprintf(line, sizeof line, fmt, ap);
    fn(ctx, line);
}

/* ---- run folders written whole ---------------------------------------------- */

int ecsim_remove_tree(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return errno == ENOENT ? 0 : ECSIM_EIO;
    if (!S_ISDIR(st.st_mode))
        return unlink(path) == 0 ? 0 : ECSIM_EIO;
    DIR *dir = opendir(path);
    if (!dir)
        return ECSIM_EIO;
    int rc = 0;
    size_t plen = strlen(path);
    for (struct dirent *e; (e = readdir(dir)) != NULL;) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        size_t len = plen + 1 + strlen(e->d_name) + 1;
        char *child = ecsim_malloc(len);
        if (!child) {
            rc = ECSIM_ENOMEM;
            break;
        }
        snprintf(child, len, "%s/%s", path, e->d_name);
        int crc = ecsim_remove_tree(child);
        ecsim_free(child);
        if (crc != 0 && rc == 0)
            rc = crc;
    }
    closedir(dir);
    if (rc == 0 && rmdir(path) != 0)
        rc = ECSIM_EIO;
    return rc;
}

/* "PARENT/.NAME.tmp.XXXXXX" for final path "PARENT/NAME" (or ".NAME.old..."). */
static char *sibling_template(const char *final_path, const char *kind)
{
    const char *slash = strrchr(final_path, '/');
    size_t dir_len = slash ? (size_t)(slash - final_path) + 1 : 0;
    const char *base = final_path + dir_len;
    size_t len = strlen(final_path) + strlen(kind) + 16;
    char *t = ecsim_malloc(len);
    if (t)
        snprintf(t, len, "%.*s.%s.%s.XXXXXX", (int)dir_len, final_path, base, kind);
    return t;
}

int ecsim_outdir_open(ecsim_outdir *d, const char *final_path)
{
    d->stage = d->final = NULL;
    const char *slash = strrchr(final_path, '/');
    if (slash && slash != final_path) {
        size_t n = (size_t)(slash - final_path);
        char *parent = ecsim_malloc(n + 1);
        if (!parent)
            return ECSIM_ENOMEM;
        memcpy(parent, final_path, n);
        parent[n] = '\0';
        int rc = ecsim_mkdirs(parent);
        int err = errno;
        ecsim_free(parent);
        if (rc != 0) {
            errno = err;
            return rc;
        }
    }
    struct stat st;
    if (stat(final_path, &st) == 0 && !S_ISDIR(st.st_mode)) {
        errno = ENOTDIR; /* a file where the run folder should be */
        return ECSIM_EIO;
    }
    d->final = ecsim_malloc(strlen(final_path) + 1);
    d->stage = sibling_template(final_path, "tmp");
    if (!d->final || !d->stage) {
        ecsim_free(d->final);
        ecsim_free(d->stage);
        d->stage = d->final = NULL;
        return ECSIM_ENOMEM;
    }
    strcpy(d->final, final_path);
    if (!mkdtemp(d->stage)) {
        int err = errno;
        ecsim_free(d->final);
        ecsim_free(d->stage);
        d->stage = d->final = NULL;
        errno = err;
        return ECSIM_EIO;
    }
    if (chmod(d->stage, 0755) != 0) { /* mkdtemp makes it 0700 */
        int err = errno;
        ecsim_outdir_abort(d);
        errno = err;
        return ECSIM_EIO;
    }
    return 0;
}

int ecsim_outdir_commit(ecsim_outdir *d)
{
    assert(d->stage && d->final);
    int rc = 0, err = 0;
    if (rename(d->stage, d->final) == 0)
        goto done; /* no previous folder (or an empty one: rename replaces it) */
    if (errno != EEXIST && errno != ENOTEMPTY) {
        err = errno;
        rc = ECSIM_EIO;
        goto done;
    }
#if defined(__linux__) && defined(RENAME_EXCHANGE)
    /* One atomic swap: a reader sees the old folder or the new one, never a
     * mix, and a concurrent run's swap cannot interleave with ours. */
    if (renameat2(AT_FDCWD, d->stage, AT_FDCWD, d->final, RENAME_EXCHANGE) == 0) {
        (void)ecsim_remove_tree(d->stage); /* now the previous run */
        goto done;
    }
    if (errno != EINVAL && errno != ENOSYS) {
        err = errno;
        rc = ECSIM_EIO;
        goto done;
    }
#endif
    {
        /* No exchange on this file system: move the old folder aside, move the
         * new one in, then delete the old one. */
        char *old = sibling_template(d->final, "old");
        if (!old || !mkdtemp(old)) {
            err = old ? errno : ENOMEM;
            ecsim_free(old);
            rc = ECSIM_EIO;
            goto done;
        }
        if (rename(d->final, old) != 0 || rename(d->stage, d->final) != 0) {
            err = errno;
            rc = ECSIM_EIO;
        }
        (void)ecsim_remove_tree(old);
        ecsim_free(old);
    }
done:
    if (rc != 0) {
        (void)ecsim_remove_tree(d->stage);
        errno = err;
    }
    ecsim_free(d->stage);
    ecsim_free(d->final);
    d->stage = d->final = NULL;
    return rc;
}

void ecsim_outdir_abort(ecsim_outdir *d)
{
    if (!d || !d->stage)
        return;
    int err = errno;
    (void)ecsim_remove_tree(d->stage);
    ecsim_free(d->stage);
    ecsim_free(d->final);
    d->stage = d->final = NULL;
    errno = err;
}

/* ---- numbers -------------------------------------------------------------- */

/* Replace the locale's decimal point (possibly several bytes) by '.' in s. */
static void fix_decimal_point(char *s)
{
    const char *point = localeconv()->decimal_point;
    if (!point || !*point || strcmp(point, ".") == 0)
        return;
    char *at = strstr(s, point);
    if (!at)
        return;
    size_t point_len = strlen(point);
    *at = '.';
    memmove(at + 1, at + point_len, strlen(at + point_len) + 1);
}

/* Rewrite "-d.ddde±XX" (as printed by %g) in positional notation into out
 * (size >= 40). Used for 1e-6 <= |v| < 1e-4, and for values just below 1e15
 * that %.15g rounds up to "1e+15": the contract is no exponent there. */
static void exponent_to_fixed(char *out, const char *g)
{
    char digits[32] = {0};
    size_t ndigits = 0;
    const char *p = g;
    size_t o = 0;
    if (*p == '-') {
        out[o++] = '-';
        p++;
    }
    for (; *p && *p != 'e'; p++)
        if (*p >= '0' && *p <= '9' && ndigits < sizeof digits)
            digits[ndigits++] = *p;
    long exponent = *p == 'e' ? strtol(p + 1, NULL, 10) : 0;
    while (ndigits > 1 && digits[ndigits - 1] == '0')
        ndigits--; /* %g already trims, but be sure */
    long before_point = exponent + 1; /* digits left of the point */
    if (before_point <= 0) {
        out[o++] = '0';
        out[o++] = '.';
        for (long z = 0; z < -before_point; z++)
            out[o++] = '0';
        for (size_t d = 0; d < ndigits; d++)
            out[o++] = digits[d];
    } else {
        for (long d = 0; d < before_point; d++)
            out[o++] = (size_t)d < ndigits ? digits[d] : '0';
        if ((size_t)before_point < ndigits) {
            out[o++] = '.';
            for (size_t d = (size_t)before_point; d < ndigits; d++)
                out[o++] = digits[d];
        }
    }
    out[o] = '\0';
}

char *ecsim_fmt_num(char *buf, size_t size, double v)
{
    /* 15 significant digits: every decimal with at most 15 of them survives
     * a round trip through a double, so "%.15g" already yields the shortest
     * such string (0.1 -> "0.1", 0.1 + 0.2 -> "0.3"), and %g drops the
     * trailing zeros and the point of integers (120.0 -> "120"). */
    char tmp[64];
    assert(buf != NULL && size > 0);
    if (!isfinite(v)) {
        tmp[0] = '\0';
    } else if (v == 0.0) {
        strcpy(tmp, "0"); /* also -0.0 */
    } else {
        snprintf(tmp, sizeof tmp, "%.15g", v);
        fix_decimal_point(tmp);
        double magnitude = fabs(v);
        if (strchr(tmp, 'e') && magnitude >= 1e-6 && magnitude < 1e15) {
            char fixed[64];
            exponent_to_fixed(fixed, tmp);
            strcpy(tmp, fixed);
        }
    }
    snprintf(buf, size, "%s", tmp); /* truncates if the caller's buffer is short (32 always fits) */
    return buf;
}

/* ---- JSON writer ----------------------------------------------------------- */

/* Up to 64 nested containers (the size of need_comma): the container at
 * depth d (1-based) keeps its "a sibling came before" flag in
 * need_comma[d - 1]. ecsim's documents nest four or five levels; deeper is a
 * programming error, caught by an assert. */
#define JSON_MAX_DEPTH ((int)(sizeof ((ecsim_json *)0)->need_comma / sizeof(bool)))
#define JSON_HAS_ITEMS(j) ((j)->need_comma[(j)->depth - 1])

void ecsim_json_init(ecsim_json *j, FILE *out, bool compact)
{
    assert(j != NULL && out != NULL);
    memset(j, 0, sizeof *j);
    j->out = out;
    j->compact = compact;
}

static void json_newline_indent(ecsim_json *j, int depth)
{
    fputc('\n', j->out);
    for (int i = 0; i < depth; i++)
        fputs("  ", j->out);
}

/* Everything a value or a key needs before it: nothing after a key; a comma
 * after a sibling; a new line and the indentation in pretty mode. */
static void json_before_item(ecsim_json *j)
{
    if (j->after_key) {
        j->after_key = false;
        return;
    }
    if (j->depth == 0)
        return;
    if (JSON_HAS_ITEMS(j))
        fputs(j->compact ? ", " : ",", j->out);
    if (!j->compact)
        json_newline_indent(j, j->depth);
    JSON_HAS_ITEMS(j) = true;
}

static void json_open(ecsim_json *j, char bracket)
{
    json_before_item(j);
    assert(j->depth < JSON_MAX_DEPTH && "JSON nesting deeper than 64 levels");
    fputc(bracket, j->out);
    j->depth++;
    JSON_HAS_ITEMS(j) = false;
}

static void json_close(ecsim_json *j, char bracket)
{
    assert(j->depth > 0 && !j->after_key);
    bool had_items = JSON_HAS_ITEMS(j);
    j->depth--;
    if (had_items && !j->compact)
        json_newline_indent(j, j->depth);
    fputc(bracket, j->out);
}

void ecsim_json_begin_object(ecsim_json *j) { json_open(j, '{'); }
void ecsim_json_end_object(ecsim_json *j) { json_close(j, '}'); }
void ecsim_json_begin_array(ecsim_json *j) { json_open(j, '['); }
void ecsim_json_end_array(ecsim_json *j) { json_close(j, ']'); }

void ecsim_json_key(ecsim_json *j, const char *key)
{
    assert(j->depth > 0 && !j->after_key);
    json_before_item(j);
    ecsim_json_write_string(j->out, key ? key : "");
    fputs(": ", j->out);
    j->after_key = true;
}

void ecsim_json_string(ecsim_json *j, const char *s)
{
    json_before_item(j);
    if (s)
        ecsim_json_write_string(j->out, s);
    else
        fputs("null", j->out);
}

void ecsim_json_number(ecsim_json *j, double v)
{
    char buf[40];
    json_before_item(j);
    fputs(isfinite(v) ? ecsim_fmt_num(buf, sizeof buf, v) : "null", j->out);
}

void ecsim_json_int(ecsim_json *j, long long v)
{
    json_before_item(j);
    fprintf(j->out, "%lld", v);
}

void ecsim_json_uint(ecsim_json *j, uint64_t v)
{
    json_before_item(j);
    fprintf(j->out, "%llu", (unsigned long long)v);
}

void ecsim_json_bool(ecsim_json *j, bool v)
{
    json_before_item(j);
    fputs(v ? "true" : "false", j->out);
}

void ecsim_json_null(ecsim_json *j)
{
    json_before_item(j);
    fputs("null", j->out);
}

void ecsim_json_finish(ecsim_json *j)
{
    assert(j->depth == 0 && !j->after_key);
    fputc('\n', j->out);
}

/* Length of the valid UTF-8 sequence at s (2..4), or 0 if it is not one
 * (overlong forms, surrogates and values above U+10FFFF are invalid). */
static size_t utf8_sequence_length(const unsigned char *s)
{
    unsigned char b = s[0];
    size_t len;
    unsigned long cp;
    if (b >= 0xC2 && b <= 0xDF) {
        len = 2;
        cp = b & 0x1F;
    } else if (b >= 0xE0 && b <= 0xEF) {
        len = 3;
        cp = b & 0x0F;
    } else if (b >= 0xF0 && b <= 0xF4) {
        len = 4;
        cp = b & 0x07;
    } else {
        return 0;
    }
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0; /* also stops at the terminating NUL */
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return len;
}

void ecsim_json_write_string(FILE *out, const char *s)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    fputc('"', out);
    while (*p) {
        unsigned char ch = *p;
        if (ch == '"' || ch == '\\') {
            fputc('\\', out);
            fputc(ch, out);
            p++;
        } else if (ch < 0x20) {
            switch (ch) {
            case '\b': fputs("\\b", out); break;
            case '\f': fputs("\\f", out); break;
            case '\n': fputs("\\n", out); break;
            case '\r': fputs("\\r", out); break;
            case '\t': fputs("\\t", out); break;
            default: fprintf(out, "\\u%04x", ch); break;
            }
            p++;
        } else if (ch < 0x80) {
            fputc(ch, out);
            p++;
        } else {
            /* Valid UTF-8 passes through; an invalid byte becomes U+FFFD so
             * that the document stays valid JSON (RFC 8259 §8.1). */
            size_t len = utf8_sequence_length(p);
            if (len) {
                fwrite(p, 1, len, out);
                p += len;
            } else {
                fputs("\\ufffd", out);
                p++;
            }
        }
    }
    fputc('"', out);
}
