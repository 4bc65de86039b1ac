/* The instance-type table (reference §6 [P4], us-east-1, Linux, on-demand).
 *
 * Rows quoted by reference §6: m5.large, m5.xlarge, m5.2xlarge, m6i.large,
 * c5.large, c5.xlarge, r5.large, m6g.large, c6g.large, c7g.large,
 * t3.medium, t3.large. Within a family AWS prices each size in proportion
 * to its vCPUs (xlarge = 2 x large, ...), so the other sizes are the .large
 * row scaled (c7g.16xlarge = 32 x $0.0725 = $2.32). The .large prices of
 * m7g ($0.0816), c6i ($0.085) and r6i ($0.126) are the AWS on-demand page's,
 * not in §6: like every price here, verify before use, and override with
 * `pricing.instance_hour`. Memory per vCPU: m 4 GiB, c 2 GiB, r 8 GiB. */
#include "instance_type.h"

#include <stdio.h>
#include <string.h>

#include "yaml_doc.h"

#define SIZES_TO_4X(fam, price, gib)                                                       \
    {fam ".large", 2, 2 * (gib), (price)}, {fam ".xlarge", 4, 4 * (gib), 2 * (price)},         \
        {fam ".2xlarge", 8, 8 * (gib), 4 * (price)}, {fam ".4xlarge", 16, 16 * (gib), 8 * (price)}
#define SIZES_TO_16X(fam, price, gib)                                                      \
    SIZES_TO_4X(fam, price, gib), {fam ".8xlarge", 32, 32 * (gib), 16 * (price)},              \
        {fam ".12xlarge", 48, 48 * (gib), 24 * (price)},                                       \
        {fam ".16xlarge", 64, 64 * (gib), 32 * (price)}

static const instance_type types[] = {
    SIZES_TO_16X("m5", 0.096, 4),    SIZES_TO_16X("m6i", 0.096, 4),
    SIZES_TO_16X("m6g", 0.077, 4),   SIZES_TO_16X("m7g", 0.0816, 4),
    SIZES_TO_4X("c5", 0.085, 2),     SIZES_TO_16X("c6i", 0.085, 2),
    SIZES_TO_16X("c6g", 0.068, 2),   SIZES_TO_16X("c7g", 0.0725, 2),
    SIZES_TO_16X("r5", 0.126, 8),    SIZES_TO_16X("r6i", 0.126, 8),
    {"t3.medium", 2, 4, 0.0416},     {"t3.large", 2, 8, 0.0832},
    {"t3.xlarge", 4, 16, 0.1664},    {"t3.2xlarge", 8, 32, 0.3328},
};
#define NTYPES (sizeof types / sizeof types[0])

const instance_type *instance_type_find(const char *name)
{
    for (size_t i = 0; i < NTYPES; i++)
        if (strcmp(types[i].name, name) == 0)
            return &types[i];
    return NULL;
}

size_t instance_type_count(void)
{
    return NTYPES;
}

const instance_type *instance_type_at(size_t i)
{
    return i < NTYPES ? &types[i] : NULL;
}

size_t instance_type_suggest(const char *name, char *buf, size_t size)
{
    const instance_type *pick[3] = {NULL, NULL, NULL};
    int pick_d[3] = {0, 0, 0};
    size_t n = 0;
    const char *dot = strchr(name, '.');
    size_t fam_len = dot ? (size_t)(dot - name) : strlen(name);
    for (size_t i = 0; i < NTYPES; i++) {
        int d = ydoc_distance(name, types[i].name);
        if (d > 2) { /* not close: the same family still is (m5.huge -> m5.*) */
            if (fam_len == 0 || strncmp(types[i].name, name, fam_len) != 0 ||
                types[i].name[fam_len] != '.')
                continue;
            d = 3;
        }
        /* Insertion into the three best, stable for equal distances. */
        size_t at = n < 3 ? n : 3;
        while (at > 0 && pick_d[at - 1] > d)
            at--;
        if (at >= 3)
            continue;
        for (size_t k = (n < 3 ? n : 2); k > at; k--) {
            pick[k] = pick[k - 1];
            pick_d[k] = pick_d[k - 1];
        }
        pick[at] = &types[i];
        pick_d[at] = d;
        if (n < 3)
            n++;
    }
    if (size > 0)
        buf[0] = '\0';
    size_t len = 0;
    for (size_t k = 0; k < n && size > 0; k++) {
        const char *sep = k == 0 ? "" : k + 1 == n ? " or " : ", ";
        int w = snprintf(buf + len, size - len, "%s`%s`", sep, pick[k]->name);
        if (w < 0 || (size_t)w >= size - len)
            break;
        len += (size_t)w;
    }
    return n;
}
