/* The container registry (Amazon ECR, reference §4): one repository of
 * images addressed by tag and by digest (private to sim/model).
 *
 * A tag is a mutable pointer to a digest unless the repository is
 * IMMUTABLE, in which case pushing an existing tag fails with
 * ImageTagAlreadyExistsException (reference §4, "Tag immutability"). Every
 * push is kept, so a digest that a running deployment resolved earlier
 * stays pullable after its tag moves (reference §2.4 item 6). The registry
 * can be unreachable for a spell (the registry_outage event). Lookups by
 * tag and by digest are hashed: O(1) however many pushes a run makes. */
#ifndef ECSIM_MODEL_REGISTRY_H
#define ECSIM_MODEL_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>

typedef struct registry registry;

typedef struct registry_image {
    char tag[64];
    char digest[80];          /* "sha256:<64 hex>" */
    double size_mb;
    double pushed_s;
} registry_image;

/* Results of a push. */
enum { REGISTRY_PUSHED = 0, REGISTRY_TAG_EXISTS = 1 };

/* An empty repository; NULL on OOM. */
registry *registry_create(const char *repository, bool immutable_tags);
void registry_destroy(registry *r);

const char *registry_repository(const registry *r);
/* Push `tag`; REGISTRY_TAG_EXISTS if the repository is immutable and the
 * tag exists (ImageTagAlreadyExistsException, reference §4); ECSIM_ENOMEM. */
int registry_push(registry *r, const char *tag, double size_mb, double now_s);
/* The image a tag points to now, or NULL (ImageNotFound). */
const registry_image *registry_resolve(const registry *r, const char *tag);
/* The image with this digest, or NULL. */
const registry_image *registry_by_digest(const registry *r, const char *digest);

/* Every push, oldest first: count, and the i-th (0-based) or NULL. Its
 * index + 1 is a stable small id of the image (an instance's image cache). */
size_t registry_image_count(const registry *r);
const registry_image *registry_image_at(const registry *r, size_t i);
size_t registry_image_index(const registry *r, const registry_image *img);

/* Unreachable in [from_s, until_s) (registry_outage); a later call replaces
 * the spell. */
void registry_set_outage(registry *r, double from_s, double until_s);
bool registry_reachable(const registry *r, double now_s);
/* The end of the latest outage (-inf if none). */
double registry_outage_until(const registry *r);

#endif
