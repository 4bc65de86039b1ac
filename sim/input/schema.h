/* The scenario schema: one table of field descriptors (private to the loader).
 *
 * Every YAML key of a scenario is one row in sim/input/schema.c: its key, kind,
 * offset in the C struct, range, enum names, default (as text, parsed by the
 * same code that parses the file), and a one-line meaning. The YAML walker,
 * --set overrides, key suggestions, defaults, clone/free of the lists and the
 * field reference (ecsim_scenario_field_reference) all read this table, so a
 * new field is one struct member in scenario.h plus one row here. Cross-field
 * rules (min <= desired <= max, ...) are code in sim/input/loader.c. */
#ifndef ECSIM_SCHEMA_H
#define ECSIM_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>

#include "ecsim/scenario.h"

typedef enum schema_kind {
    SCHEMA_INT,            /* int */
    SCHEMA_UINT64,         /* uint64_t (the seed) */
    SCHEMA_DOUBLE,         /* double */
    SCHEMA_DURATION,       /* double seconds; YAML "90s", "1h30m" or a number */
    SCHEMA_BOOL,           /* bool */
    SCHEMA_STRING,         /* char[size] */
    SCHEMA_ENUM,           /* int-sized C enum; YAML lowercase names */
    SCHEMA_INT_OR_PERCENT, /* ecsim_int_or_percent; 2 or "25%" */
    SCHEMA_SECTION,        /* nested struct; YAML mapping */
    SCHEMA_LIST            /* pointer + size_t count; YAML sequence of mappings */
} schema_kind;

/* Field flags. */
enum {
    SCHEMA_MIN_EXCL = 1u << 0,   /* value > min (default >=) */
    SCHEMA_MAX_EXCL = 1u << 1,   /* value < max (default <=) */
    SCHEMA_NO_MAX = 1u << 2,     /* no upper bound */
    SCHEMA_REQUIRED = 1u << 3,   /* must be present in its mapping */
    SCHEMA_COMPUTED = 1u << 4,   /* default depends on other fields; `def` is documentation */
    SCHEMA_NAME_CHARS = 1u << 5, /* string restricted to [A-Za-z0-9._-] */
    SCHEMA_RANGE_MAP = 1u << 6,  /* LIST of {field, min, max}: the YAML may also be a mapping
                                    `field.path: [min, max]` (quiz.vary) */
    SCHEMA_WINDOW_MAP = 1u << 7, /* LIST of {name, from, to}: the YAML may also be a mapping
                                    `name: FROM..TO` (report.windows) */
    SCHEMA_SCALAR_LIST = 1u << 8 /* LIST of one-string structs: the YAML is a sequence of
                                    strings (checks) */
};

typedef struct schema_section schema_section;

typedef struct schema_field {
    const char *key;             /* YAML key */
    schema_kind kind;
    size_t offset;               /* in the enclosing section's struct */
    size_t size;                 /* STRING: buffer size; LIST: element size */
    size_t count_offset;         /* LIST: offset of the size_t count */
    double min, max;             /* numbers, durations, ints; STRING: min length in `min` */
    unsigned flags;
    const char *const *enum_names; /* ENUM: NULL-terminated, index = C value */
    const char *def;             /* default as YAML text; NULL = none (zero) */
    const char *doc;             /* one-line meaning */
    const schema_section *sub;   /* SECTION / LIST: the element's fields */
    int shape;                   /* >0: selecting this key sets the section's shape to shape-1 */
    unsigned valid_for;          /* bit mask over the section's discriminator; 0 = always */
    unsigned required_for;       /* bit mask: required when the discriminator is one of these */
} schema_field;

struct schema_section {
    const schema_field *fields;
    size_t count;
    long shape_offset;           /* >= 0: offset of the int shape member set by shape keys */
    const char *shapes_doc;      /* "rps, ramp_to, ..." for messages */
    const char *discriminator;   /* key whose enum value selects valid_for / required_for */
};

/* The top-level section: ecsim_scenario. */
extern const schema_section schema_scenario;

/* The field called `key` in `sec`, or NULL. */
const schema_field *schema_find(const schema_section *sec, const char *key);

/* Fill every default of `sec` into the struct at `base` (lists become empty;
 * COMPUTED fields get a sentinel: NaN for numbers, "" for strings). */
void schema_apply_defaults(const schema_section *sec, void *base);

/* Free every list reachable from the struct at `base` and empty it. */
void schema_free_lists(const schema_section *sec, void *base);

/* Deep-copy the lists of `src` into `dst` (already a shallow copy of src).
 * 0 or ECSIM_ENOMEM; on failure `dst` holds no list memory of its own. */
int schema_clone_lists(const schema_section *sec, void *dst, const void *src);

/* Cross-field rules that live beside their rows (sim/input/schema.c). The loader
 * calls them after the walk and the --set overrides: `given(ctx, path)` says
 * whether a dotted path ("autoscaler.scheduled[0].min") was given in the file
 * or a --set; `report(ctx, path1, path2, message)` records an error at the
 * first of the two paths that was given (path2 may be NULL). */
typedef bool schema_given_fn(void *ctx, const char *path);
typedef void schema_report_fn(void *ctx, const char *path1, const char *path2,
                              const char *message);

/* The autoscaler's rules: alarms M <= N, step ranges (reference §1.3, via
 * ecsim_step_config_validate), scheduled actions (min and/or max, in time,
 * bounds never crossing), HPA metric and behavior, predictive buckets. Also
 * fills what the schema cannot: scheduled has_min / has_max, hpa.has_behavior,
 * hpa.metric.name from autoscaler.metric, and sorts the scheduled actions
 * stably by time. 0 or ECSIM_ENOMEM. */
int schema_autoscaler_rules(ecsim_scenario *sc, schema_given_fn *given, schema_report_fn *report,
                            void *ctx);

/* Stable merge sort of `n` records of `size` bytes by the double at
 * `time_offset` in each (equal times keep their order). 0 or ECSIM_ENOMEM. */
int schema_sort_by_time(void *base, size_t n, size_t size, size_t time_offset);

/* The closest key of `sec` to `key` (Damerau-Levenshtein distance <= 2, or a
 * prefix of at least 3 characters), or NULL. */
const char *schema_suggest(const schema_section *sec, const char *key);

/* Look for a field called exactly `key` anywhere in the schema except in
 * `not_in`; writes its dotted path ("service.task.vcpu", lists as "[]") into
 * `buf` and returns true if found. */
bool schema_find_elsewhere(const schema_section *not_in, const char *key, char *buf,
                           size_t size);

/* The closest enum name to `text`, or NULL. */
const char *schema_suggest_enum(const char *const *names, const char *text);


/* Parse scalar text for field `f` (not SECTION / LIST) into `dst` with the
 * type and range rules of the schema; `dst` is untouched on error.
 * 0 or ECSIM_EINVAL. */
int schema_parse_scalar(const schema_field *f, const char *text, void *dst);

/* What `f` accepts, for messages: "a number > 0 and <= 16". */
void schema_describe_expected(const schema_field *f, char *buf, size_t size);

/* Locale-independent number and duration formatting for messages:
 * 3 -> "3", 0.5 -> "0.5"; 5400 -> "1h30m". */
void schema_fmt_num(char *buf, size_t size, double v);
void schema_fmt_duration(char *buf, size_t size, double s);

#endif
