/* The container registry (Amazon ECR, reference §4): a repository of images
 * addressed by tag and by digest.
 *
 * A tag is a mutable pointer to a digest unless the repository is
 * IMMUTABLE, in which case pushing an existing tag fails with
 * ImageTagAlreadyExistsException (reference §4, "Tag immutability"). Every
 * push is kept, so a digest that a running deployment resolved earlier stays
 * pullable after its tag moves (reference §2.4 item 6). Digests here are
 * deterministic stand-ins derived from (repository, tag, push number), not
 * content hashes: the simulation has no image bytes. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "ecsim/alloc.h"
#include "ecsim/error.h"
#include "sim_internal.h"

int registry_init(sim_registry *r, const char *repository, bool immutable_tags)
{
    memset(r, 0, sizeof *r);
    snprintf(r->repository, sizeof r->repository, "%s", repository);
    r->immutable_tags = immutable_tags;
    r->outage_from_s = INFINITY;
    r->outage_until_s = -INFINITY;
    return 0;
}

void registry_free(sim_registry *r)
{
    ecsim_free(r->images);
    memset(r, 0, sizeof *r);
}

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static void make_digest(char out[80], const char *repository, const char *tag, int push)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a over "repository:tag#push" */
    char key[200];
    snprintf(key, sizeof key, "%s:%s#%d", repository, tag, push);
    for (const unsigned char *p = (const unsigned char *)key; *p; p++) {
        h ^= *p;
        h *= 1099511628211ull;
    }
    int n = snprintf(out, 80, "sha256:");
    for (int i = 0; i < 4; i++)
        n += snprintf(out + n, (size_t)(80 - n), "%016llx", (unsigned long long)splitmix64(&h));
}

const registry_image *registry_resolve(const sim_registry *r, const char *tag)
{
    /* The newest push of a tag is what the tag points to. */
    for (size_t i = r->count; i-- > 0;)
        if (strcmp(r->images[i].tag, tag) == 0)
            return &r->images[i];
    return NULL;
}

const registry_image *registry_by_digest(const sim_registry *r, const char *digest)
{
    for (size_t i = 0; i < r->count; i++)
        if (strcmp(r->images[i].digest, digest) == 0)
            return &r->images[i];
    return NULL;
}

int registry_push(sim_registry *r, const char *tag, double size_mb, double now_s)
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
    registry_image *img = &r->images[r->count++];
    memset(img, 0, sizeof *img);
    snprintf(img->tag, sizeof img->tag, "%s", tag);
    make_digest(img->digest, r->repository, tag, ++r->pushes);
    img->size_mb = size_mb;
    img->pushed_s = now_s;
    return REGISTRY_PUSHED;
}

bool registry_reachable(const sim_registry *r, double now_s)
{
    return !(now_s >= r->outage_from_s && now_s < r->outage_until_s);
}
