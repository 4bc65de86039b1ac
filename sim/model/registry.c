/* The container registry (registry.h).
 *
 * Images are kept in push order. Two open-addressing hash tables (FNV-1a,
 * linear probing, grown at half full) map a tag to its newest push and a
 * digest to its image, so resolving a tag and pulling by digest cost O(1).
 * Digests here are deterministic stand-ins derived from (repository, tag,
 * push number), not content hashes: the simulation has no image bytes. */
#include "registry.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "ecsim/alloc.h"
#include "ecsim/error.h"

struct registry {
    char repository[64];
    bool immutable_tags;
    registry_image *images;   /* every push; a re-pushed tag moves to the new entry */
    size_t count, capacity;
    size_t *by_tag;           /* slots: image index + 1, 0 = empty */
    size_t *by_digest;
    size_t slots;             /* size of both tables, a power of two */
    int pushes;               /* digests are derived from (repository, tag, push number) */
    double outage_from_s;     /* unreachable in [from, until) */
    double outage_until_s;
};

static uint64_t fnv1a(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        h ^= *p;
        h *= 1099511628211ull;
    }
    return h;
}

registry *registry_create(const char *repository, bool immutable_tags)
{
    registry *r = ecsim_calloc(1, sizeof *r);
    if (!r)
        return NULL;
    snprintf(r->repository, sizeof r->repository, "%s", repository);
    r->immutable_tags = immutable_tags;
    r->outage_from_s = INFINITY;
    r->outage_until_s = -INFINITY;
    return r;
}

void registry_destroy(registry *r)
{
    if (!r)
        return;
    ecsim_free(r->images);
    ecsim_free(r->by_tag);
    ecsim_free(r->by_digest);
    ecsim_free(r);
}

const char *registry_repository(const registry *r) { return r->repository; }

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static void make_digest(char out[80], const char *repository, const char *tag, int push)
{
    char key[200];
    snprintf(key, sizeof key, "%s:%s#%d", repository, tag, push);
    uint64_t h = fnv1a(key); /* FNV-1a over "repository:tag#push" */
    int n = snprintf(out, 80, "sha256:");
    for (int i = 0; i < 4; i++)
        n += snprintf(out + n, (size_t)(80 - n), "%016llx", (unsigned long long)splitmix64(&h));
}

/* The slot holding `key` (by tag or by digest), or the empty slot where it
 * would go. */
static size_t *find_slot(const registry *r, size_t *table, bool by_tag, const char *key)
{
    size_t mask = r->slots - 1;
    for (size_t i = (size_t)fnv1a(key) & mask;; i = (i + 1) & mask) {
        if (table[i] == 0)
            return &table[i];
        const registry_image *img = &r->images[table[i] - 1];
        if (strcmp(by_tag ? img->tag : img->digest, key) == 0)
            return &table[i];
    }
}

/* Both tables at least twice the number of images. */
static int reserve_slots(registry *r, size_t images)
{
    if (images * 2 <= r->slots)
        return 0;
    size_t slots = r->slots ? r->slots * 2 : 16;
    while (images * 2 > slots)
        slots *= 2;
    size_t *tags = ecsim_calloc(slots, sizeof *tags);
    size_t *digests = ecsim_calloc(slots, sizeof *digests);
    if (!tags || !digests) {
        ecsim_free(tags);
        ecsim_free(digests);
        return ECSIM_ENOMEM;
    }
    ecsim_free(r->by_tag);
    ecsim_free(r->by_digest);
    r->by_tag = tags;
    r->by_digest = digests;
    r->slots = slots;
    for (size_t i = 0; i < r->count; i++) {
        *find_slot(r, r->by_tag, true, r->images[i].tag) = i + 1; /* later pushes win */
        *find_slot(r, r->by_digest, false, r->images[i].digest) = i + 1;
    }
    return 0;
}

const registry_image *registry_resolve(const registry *r, const char *tag)
{
    if (r->slots == 0)
        return NULL;
    size_t slot = *find_slot(r, r->by_tag, true, tag);
    return slot ? &r->images[slot - 1] : NULL;
}

const registry_image *registry_by_digest(const registry *r, const char *digest)
{
    if (r->slots == 0)
        return NULL;
    size_t slot = *find_slot(r, r->by_digest, false, digest);
    return slot ? &r->images[slot - 1] : NULL;
}

int registry_push(registry *r, const char *tag, double size_mb, double now_s)
{
    if (r->immutable_tags && registry_resolve(r, tag))
        return REGISTRY_TAG_EXISTS;
    if (r->count == r->capacity) {
        size_t cap = r->capacity ? r->capacity * 2 : 4;
        registry_image *images = ecsim_reallocarray(r->images, cap, sizeof *images);
        if (!images)
            return ECSIM_ENOMEM;
        r->images = images;
        r->capacity = cap;
    }
    if (reserve_slots(r, r->count + 1) != 0)
        return ECSIM_ENOMEM;
    registry_image *img = &r->images[r->count++];
    memset(img, 0, sizeof *img);
    snprintf(img->tag, sizeof img->tag, "%s", tag);
    make_digest(img->digest, r->repository, tag, ++r->pushes);
    img->size_mb = size_mb;
    img->pushed_s = now_s;
    *find_slot(r, r->by_tag, true, img->tag) = r->count;
    *find_slot(r, r->by_digest, false, img->digest) = r->count;
    return REGISTRY_PUSHED;
}

size_t registry_image_count(const registry *r) { return r->count; }

const registry_image *registry_image_at(const registry *r, size_t i)
{
    return i < r->count ? &r->images[i] : NULL;
}

size_t registry_image_index(const registry *r, const registry_image *img)
{
    return (size_t)(img - r->images);
}

void registry_set_outage(registry *r, double from_s, double until_s)
{
    r->outage_from_s = from_s;
    r->outage_until_s = until_s;
}

bool registry_reachable(const registry *r, double now_s)
{
    return !(now_s >= r->outage_from_s && now_s < r->outage_until_s);
}

double registry_outage_until(const registry *r) { return r->outage_until_s; }
