/* The timeline recorder: one row per metric period, plus markers.
 *
 * The simulation appends one ecsim_timeline_row at the end of every metric
 * period (demand, capacity, task counts, CPU, latency, cost) and adds a
 * marker whenever something worth pointing at on a plot happens: a scaling
 * action, a deployment, a failure. The report stage writes the rows as
 * timeline.csv (DESIGN.md, "Outputs of ecsim run") and the plot stage
 * (plot.h) draws them.
 *
 * timeline.csv has the header
 *   time_s,demand_rps,capacity_rps,desired,running,pending,cpu_pct,
 *   served_rps,unserved_rps,p50_ms,p95_ms,p99_ms,cost_usd,memory_pct,target
 * (one line). The first thirteen columns are DESIGN.md's contract; the last
 * two are the "more columns may follow" it allows. A value that is not set
 * (NaN, or any non-finite value) is written as an empty cell: the latency
 * columns are empty in fluid mode.
 *
 * Memory: the newest rows (a few thousand) live in an array; older ones
 * spill to an anonymous temporary file, so a long run's memory stays
 * bounded. Marker strings live in one growing character arena. Appending
 * never allocates per row. A timeline is not thread-safe (reading a
 * spilled row fills a cache); one simulation owns it. */
#ifndef ECSIM_TIMELINE_H
#define ECSIM_TIMELINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* One metric period. Doubles that are NaN are "not set" (empty in CSV). */
typedef struct ecsim_timeline_row {
    double time_s;        /* end of the period, seconds of virtual time */
    double demand_rps;    /* offered load, requests per second */
    double capacity_rps;  /* ready tasks x per-task capacity */
    int desired;          /* the service's desired count */
    int running;          /* tasks RUNNING (and healthy) */
    int pending;          /* tasks PROVISIONING/PENDING/ACTIVATING */
    double cpu_pct;       /* average CPU utilisation, percent */
    double served_rps;    /* demand served */
    double unserved_rps;  /* demand over capacity (fluid) or rejected (requests) */
    double p50_ms;        /* latency percentiles; NaN in fluid mode */
    double p95_ms;
    double p99_ms;
    double cost_usd;      /* cumulative cost so far: compute + control plane (not the registry) */
    double memory_pct;    /* average memory utilisation, percent; NaN = unknown */
    double target;        /* the policy's target value; NaN = none */
} ecsim_timeline_row;

/* A marker as returned by ecsim_timeline_marker_get. The strings point
 * into the timeline and stay valid until the next ecsim_timeline_add_marker
 * or ecsim_timeline_destroy. */
typedef struct ecsim_timeline_marker {
    double time_s;
    const char *kind;     /* short machine word: "scale_out", "task_failed" */
    const char *label;    /* human text, may be "" */
} ecsim_timeline_marker;

/* Marker kinds the plots treat specially. Any other kind is accepted; see
 * ecsim_timeline_marker_class for how it is drawn. */
#define ECSIM_MARK_SCALE_OUT "scale_out"
#define ECSIM_MARK_SCALE_IN "scale_in"
#define ECSIM_MARK_DEPLOYMENT "deployment"
#define ECSIM_MARK_DEPLOYMENT_FAILED "deployment_failed"
#define ECSIM_MARK_TASK_FAILED "task_failed"
#define ECSIM_MARK_ROLLBACK "rollback"
#define ECSIM_MARK_AZ_OUTAGE "az_outage"

/* Longest kind accepted (bytes, without the NUL). */
#define ECSIM_MARK_KIND_MAX 31

/* How a marker is drawn: */
typedef enum ecsim_marker_class {
    ECSIM_MARKER_SCALE_OUT = 1,  /* kind "scale_out" */
    ECSIM_MARKER_SCALE_IN = 2,   /* kind "scale_in" */
    ECSIM_MARKER_EVENT = 3,      /* deployments and anything not a failure */
    ECSIM_MARKER_FAILURE = 4     /* kind contains fail, rollback, outage,
                                    interrupt, kill, crash or unhealthy */
} ecsim_marker_class;

typedef struct ecsim_timeline ecsim_timeline;

/* A row with every double NaN (not set) and every count 0. Start from this
 * and fill in what the run knows. */
ecsim_timeline_row ecsim_timeline_row_empty(void);

/* An empty timeline. NULL on OOM. */
ecsim_timeline *ecsim_timeline_create(void);
/* Frees everything; NULL is fine. */
void ecsim_timeline_destroy(ecsim_timeline *tl);

/* Append a copy of *row. Rows must come in time order: time_s must be
 * finite and not earlier than the previous row's (ECSIM_EINVAL otherwise,
 * nothing appended). 0, ECSIM_EINVAL, ECSIM_ENOMEM or ECSIM_EIO (the
 * temporary file for older rows cannot be written). */
int ecsim_timeline_append(ecsim_timeline *tl, const ecsim_timeline_row *row);

/* Add a marker at time_s. `kind` is a non-empty word of at most
 * ECSIM_MARK_KIND_MAX characters from [a-z0-9_]; `label` is free text
 * (NULL = ""). Markers keep the order they were added in (the simulation
 * adds them in time order). 0, ECSIM_EINVAL (bad time or kind) or
 * ECSIM_ENOMEM. */
int ecsim_timeline_add_marker(ecsim_timeline *tl, double time_s, const char *kind,
                              const char *label);

size_t ecsim_timeline_count(const ecsim_timeline *tl);
/* The i-th row (0-based), or NULL if i >= count (or a spilled row cannot be
 * read back). The pointer is valid until the next append or the next
 * ecsim_timeline_row_at: copy what must outlive it. Scans in order are
 * cheap; random access costs one read of a spilled row. */
const ecsim_timeline_row *ecsim_timeline_row_at(const ecsim_timeline *tl, size_t i);

size_t ecsim_timeline_marker_count(const ecsim_timeline *tl);
/* Fill *out with the i-th marker. 0, or ECSIM_ENOENT if i >= count. */
int ecsim_timeline_marker_get(const ecsim_timeline *tl, size_t i, ecsim_timeline_marker *out);

/* How the plots draw a marker of this kind (see ecsim_marker_class). */
ecsim_marker_class ecsim_timeline_marker_class(const char *kind);

/* True if any row has a finite p50, p95 or p99 (requests mode). */
bool ecsim_timeline_has_latency(const ecsim_timeline *tl);
/* True if any row has a finite memory_pct. */
bool ecsim_timeline_has_memory(const ecsim_timeline *tl);

/* Write timeline.csv: the header above, then one line per row, numbers
 * formatted by ecsim_fmt_num, non-finite values as empty cells, "\n" line
 * ends. 0 or ECSIM_EIO (a write error on `out`). */
int ecsim_timeline_write_csv(const ecsim_timeline *tl, FILE *out);

/* Write the markers as CSV: header "time_s,kind,label", one line per
 * marker in insertion order; the label is quoted (RFC 4180) when it holds a
 * comma, quote, CR or LF. 0 or ECSIM_EIO. */
int ecsim_timeline_write_markers_csv(const ecsim_timeline *tl, FILE *out);

#endif
