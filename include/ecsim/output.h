/* Output files written atomically, and a small JSON writer.
 *
 * Every file ecsim writes goes through ecsim_outfile: data is written to a
 * temporary file in the same directory, flushed, then renamed over the
 * final name, so a crash or an error never leaves a half-written file
 * (DESIGN.md, "Outputs of ecsim run"). */
#ifndef ECSIM_OUTPUT_H
#define ECSIM_OUTPUT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef struct ecsim_outfile {
    FILE *fp;            /* write here */
    char *tmp_path;
    char *final_path;
} ecsim_outfile;

/* Open a temporary file beside `path`. 0, ECSIM_EIO or ECSIM_ENOMEM. */
int ecsim_outfile_open(ecsim_outfile *of, const char *path);
/* Flush, close and rename into place. 0 or ECSIM_EIO (the temporary is
 * removed on failure). */
int ecsim_outfile_commit(ecsim_outfile *of);
/* Close and remove the temporary; the final path is untouched. */
void ecsim_outfile_abort(ecsim_outfile *of);

/* A sink for one line of text (an events.log line, say): the model's
 * modules report through callbacks of this shape. */
typedef void (*ecsim_line_fn)(void *ctx, const char *line);
/* Format `fmt` with `ap` into one line (cut at 767 bytes) and hand it to
 * `fn(ctx, line)`; nothing when `fn` is NULL. The one formatting step
 * behind the modules' logging helpers. */
void ecsim_vemit_line(ecsim_line_fn fn, void *ctx, const char *fmt, va_list ap);

/* Create a directory and its parents (like mkdir -p). 0 or ECSIM_EIO, with
 * errno saying why (ENOTDIR when a regular file is in the way). */
int ecsim_mkdirs(const char *path);

/* A folder written whole or not at all (DESIGN.md "Outputs of ecsim run"):
 * files go into a temporary sibling `stage` (PARENT/.NAME.tmp.XXXXXX) that
 * replaces `final` on commit, so a folder never mixes two runs and a failed
 * or interrupted run leaves the previous folder as it was. */
typedef struct ecsim_outdir {
    char *stage; /* write the files here */
    char *final;
} ecsim_outdir;

/* Create the parents of `final_path` and the stage. 0, ECSIM_EIO (errno
 * says why: ENOTDIR if a file is in the way) or ECSIM_ENOMEM. */
int ecsim_outdir_open(ecsim_outdir *d, const char *final_path);
/* Swap the stage in for `final` (atomically with Linux's RENAME_EXCHANGE
 * where the file system has it), removing the previous folder. 0 or
 * ECSIM_EIO (errno set; the stage is removed and `final` untouched). */
int ecsim_outdir_commit(ecsim_outdir *d);
/* Remove the stage; `final` is untouched. Safe on a closed `d`. */
void ecsim_outdir_abort(ecsim_outdir *d);
/* Remove a file or a folder and everything in it. 0 (also if it does not
 * exist), ECSIM_EIO or ECSIM_ENOMEM. */
int ecsim_remove_tree(const char *path);

/* Format a double the way every ecsim output does: shortest round-trip
 * representation up to 15 significant digits, no locale, "-0" printed as
 * "0", integers without a decimal point. Non-finite values give "null" in
 * JSON contexts and "" elsewhere (see callers). Returns `buf`. */
char *ecsim_fmt_num(char *buf, size_t size, double v);

/* A streaming JSON writer with 2-space indentation and stable output. */
typedef struct ecsim_json {
    FILE *out;
    int depth;
    bool need_comma[64];
    bool after_key;
    bool compact;        /* one line, no indentation */
} ecsim_json;

void ecsim_json_init(ecsim_json *j, FILE *out, bool compact);
void ecsim_json_begin_object(ecsim_json *j);
void ecsim_json_end_object(ecsim_json *j);
void ecsim_json_begin_array(ecsim_json *j);
void ecsim_json_end_array(ecsim_json *j);
void ecsim_json_key(ecsim_json *j, const char *key);
void ecsim_json_string(ecsim_json *j, const char *s);   /* NULL -> null */
void ecsim_json_number(ecsim_json *j, double v);        /* non-finite -> null */
void ecsim_json_int(ecsim_json *j, long long v);
void ecsim_json_uint(ecsim_json *j, uint64_t v);   /* the whole 64-bit range (seeds) */
void ecsim_json_bool(ecsim_json *j, bool v);
void ecsim_json_null(ecsim_json *j);
/* Writes a trailing newline after the top-level value. */
void ecsim_json_finish(ecsim_json *j);

/* Write `s` as a JSON string literal (quotes and escapes) to `out`. */
void ecsim_json_write_string(FILE *out, const char *s);

/* SHA-256 of `len` bytes, incrementally. */
typedef struct ecsim_sha256 {
    uint32_t state[8];
    uint64_t bytes;
    unsigned char block[64];
    size_t used;
} ecsim_sha256;
void ecsim_sha256_init(ecsim_sha256 *h);
void ecsim_sha256_update(ecsim_sha256 *h, const void *data, size_t len);
/* Finish and write 64 lowercase hex digits + NUL into hex[65]. */
void ecsim_sha256_hex(ecsim_sha256 *h, char hex[65]);

#endif
