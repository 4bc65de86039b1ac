/* The built-in table of EC2 instance types (reference §6 [P4]): vCPU,
 * memory and the us-east-1 Linux on-demand price of the types a scenario's
 * `service.cluster.instance_type` may name. The loader derives the
 * instance's size and `pricing.instance_hour` from it. */
#ifndef ECSIM_INPUT_INSTANCE_TYPE_H
#define ECSIM_INPUT_INSTANCE_TYPE_H

#include <stddef.h>

typedef struct instance_type {
    const char *name;  /* "m5.large" */
    double vcpu;       /* vCPUs */
    double memory_gb;  /* GiB */
    double hour_usd;   /* on-demand USD per hour, us-east-1, Linux */
} instance_type;

/* The row named `name` (exact, case-sensitive as AWS spells it), or NULL. */
const instance_type *instance_type_find(const char *name);

/* Number of rows and row i (0 <= i < count), in table order. */
size_t instance_type_count(void);
const instance_type *instance_type_at(size_t i);

/* Up to three names closest to `name` (edit distance, then the same family
 * prefix before the dot) written as "`a`, `b` or `c`" into buf; returns the
 * number written (0: nothing close, buf empty). */
size_t instance_type_suggest(const char *name, char *buf, size_t size);

#endif
