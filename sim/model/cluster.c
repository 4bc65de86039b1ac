/* The EC2 / EKS cluster: instances, placement and managed scaling.
 *
 * Instances live in one array indexed by id - 1 (ids are never reused, so
 * the array only grows; a lost or terminated instance stays as a record for
 * billing). Each launched instance carries its boot-completion event; the
 * scaler is one periodic event; an AZ outage has an end event; lost
 * instances are replaced by one delayed event. That is all the time there
 * is: no polling.
 *
 * The scaler is the ECS capacity provider's target tracking on
 * CapacityProviderReservation (reference §3.1) or, on eks, the Cluster
 * Autoscaler with its defaults (§5.5). Both share the scale-out arithmetic
 * (launch max(minStep, min(maxStep, ceil(M x 100 / target) - N - booting)))
 * and both only ever terminate empty instances; they differ in cadence, in
 * the warm-up (ECS) versus counting upcoming nodes (CA), and in how empty
 * instances are found (AlarmLow datapoints versus per-node unneeded time).
 *
 * Indexes, so that placement does not rescan the cluster: the registered
 * instances sit in two treaps (search trees balanced by hashed priorities), one
 * global ordered by free CPU then free memory (binpack) and one per zone
 * ordered by task count (spread); each tree node carries the largest free
 * CPU and memory below it, so "the first instance in this order that fits"
 * skips whole subtrees that cannot hold the task: O(log instances) per
 * placement when task sizes are alike. Per-zone task and alive-instance
 * counts and the registered / booting / empty totals are kept as counters.
 * The binpack key is the free resource rounded to a multiple of FIT_EPS
 * (the slack of the comparisons), so instances whose free resources differ
 * only by rounding noise tie, as in the comparisons, and the lowest id
 * wins. (Two values closer than FIT_EPS on either side of a rounding
 * boundary would not tie; sums of task sizes from a scenario - multiples
 * of 1/1024 vCPU and of 1 MB - are never that close without being equal.)
 * tests/test_cluster.c checks the indexed choice against the plain scan
 * over thousands of mixed-size placements and releases. Random placement
 * and the binpack estimate of cluster_reservation still scan the
 * instances (once per random placement and once per evaluation). */
#include <assert.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cluster.h"
#include "ecsim/alloc.h"
#include "ecsim/error.h"
#include "ecsim/output.h"
#include "ecsim/rng.h"

/* Slack for comparing sums of fractional vCPU / GB: 0.25 + 0.25 + ... must
 * fill 2 vCPU exactly. */
#define FIT_EPS 1e-9

/* The indexes a registered instance belongs to. */
enum { TREE_BINPACK, TREE_ZONE, TREE_COUNT };

/* An instance's place in one treap. Keys are cached at insertion (an
 * instance is taken out before its resources change and put back after). */
typedef struct tree_link {
    int left, right;              /* instance ids, 0 = none */
    int64_t key_a, key_b;         /* order: (key_a, key_b, id) */
    double max_free_vcpu;         /* over this subtree */
    double max_free_memory_gb;
} tree_link;

typedef struct node {
    cluster_instance pub;         /* what the owner reads */
    tree_link link[TREE_COUNT];
    uint32_t priority;            /* treap heap order (a hash of the id) */
    ecsim_event_id boot_event;    /* pending registration, 0 if none */
    double warm_until_s;          /* instanceWarmupPeriod ends (-inf: initial instances) */
    double empty_since_s;         /* registered and empty since (NaN when it holds tasks) */
} node;

struct sim_cluster {
    ecsim_cluster_spec spec;
    ecsim_platform platform;
    cluster_config cfg;
    int zones;
    ecsim_engine *eng;
    cluster_callbacks cb;
    void *cb_ctx;

    /* Boot times are member `instance id` of "cluster.boot" and each
     * fail_instances fault draws from its own member of "cluster.failure",
     * so that launching more instances or one more fault shifts no other
     * draw (common random numbers). Placement and scale-in victims choose
     * among the instances and tasks the run has, which depend on the policy
     * anyway: one stream each. */
    uint64_t seed;
    uint64_t failure_calls;
    ecsim_rng rng_placement, rng_victim;

    node *nodes;                  /* nodes[id - 1] */
    int count, capacity;
    int alive, booting, registered, registered_empty;
    int *zone_alive;              /* per zone (1-based): booting + registered instances */
    int *zone_tasks;              /* per zone: tasks on its registered instances */
    int binpack_root;             /* TREE_BINPACK over registered instances */
    int *zone_root;               /* per zone: TREE_ZONE over its registered instances */
    int asg_desired;              /* the ASG's desired capacity (alive instances it keeps) */

    int pending_count;            /* tasks waiting for capacity (cluster_set_pending) */
    double pending_vcpu, pending_memory_gb;

    double *datapoints;           /* ring of the last `ring_size` CPR datapoints */
    int ring_size, ring_count, ring_next;
    double last_reservation;

    double *outage_until_s;       /* per zone; no placement / launch before this time */
    ecsim_event_id *outage_end;   /* per zone */
    ecsim_event_id tick;
    ecsim_event_id replace;
    double last_scale_out_s;      /* -inf before the first */

    int launched_total, terminated_total, lost_total;

    /* Messages that would repeat every evaluation are logged once per state. */
    double warmup_logged_until_s;
    bool max_logged;
    bool unplaceable_logged;
};

static void on_boot(ecsim_engine *eng, void *ctx, uint64_t arg);
static void on_tick(ecsim_engine *eng, void *ctx, uint64_t arg);
static void on_outage_end(ecsim_engine *eng, void *ctx, uint64_t arg);
static void on_replace(ecsim_engine *eng, void *ctx, uint64_t arg);

/* ---- configuration ---------------------------------------------------------- */

cluster_config cluster_config_defaults(ecsim_platform platform)
{
    cluster_config cfg = {
        .scaler_name = "capacity provider",
        .instance_noun = "instance",
        .task_noun = "task",
        .evaluation_interval_s = 60,     /* "ECS recomputes every minute" (reference §3.1) */
        .alarm_high_datapoints = 1,      /* AlarmHigh 1 / 1 min (OBS, §3.1) */
        .alarm_low_datapoints = 15,      /* AlarmLow 15 / 15 min (§3.1) */
        .use_warmup = true,              /* instanceWarmupPeriod (§3.1) */
        .empty_cluster_launch = 2,       /* "always scales-out to 200 % (two instances)" (§3.1) */
        .scale_in_max_percent = 50,      /* MODEL (§8 item 5) */
        .scale_in_mode = CLUSTER_SCALE_IN_ALARM,
        .scale_down_unneeded_s = 600,    /* (§5.5) */
        .scale_down_delay_after_add_s = 600,
        .max_empty_bulk_delete = 0,
        .replace_lost_instances = true,
        .replacement_delay_s = 60,       /* MODEL */
    };
    if (platform == ECSIM_PLATFORM_EKS) {
        /* Cluster Autoscaler defaults (reference §5.5): scan-interval 10 s,
         * scale-down-unneeded-time 10 min, scale-down-delay-after-add
         * 10 min, max-empty-bulk-delete 10. CA has no warm-up: it counts
         * nodes being provisioned as upcoming capacity instead. */
        cfg.scaler_name = "cluster autoscaler";
        cfg.instance_noun = "node";
        cfg.task_noun = "pod";
        cfg.evaluation_interval_s = 10;
        cfg.use_warmup = false;
        cfg.scale_in_mode = CLUSTER_SCALE_IN_UNNEEDED;
        cfg.max_empty_bulk_delete = 10;
    }
    return cfg;
}

/* ---- small helpers ------------------------------------------------------------ */

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void cluster_log(const sim_cluster *c, const char *fmt, ...)
{
    if (!c->cb.on_log)
        return;
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    c->cb.on_log(c->cb_ctx, msg);
}

/* A number for a message (locale-independent, at most 2 decimals). */
static const char *num(char *buf, size_t size, double v)
{
    return ecsim_fmt_num(buf, size, round(v * 100) / 100);
}

static const char *plural(int n) { return n == 1 ? "" : "s"; }

static double now_s(const sim_cluster *c) { return ecsim_engine_now(c->eng); }

static bool node_alive(const node *n)
{
    return n->pub.state == CLUSTER_INSTANCE_BOOTING || n->pub.state == CLUSTER_INSTANCE_REGISTERED;
}

static bool zone_available(const sim_cluster *c, int az)
{
    return now_s(c) >= c->outage_until_s[az - 1];
}

static double free_vcpu(const sim_cluster *c, const node *n) { return c->spec.vcpu - n->pub.vcpu_used; }
static double free_memory(const sim_cluster *c, const node *n)
{
    return c->spec.memory_gb - n->pub.memory_gb_used;
}

static bool node_fits(const sim_cluster *c, const node *n, double vcpu, double memory_gb)
{
    return n->pub.state == CLUSTER_INSTANCE_REGISTERED && zone_available(c, n->pub.az) &&
           vcpu <= free_vcpu(c, n) + FIT_EPS && memory_gb <= free_memory(c, n) + FIT_EPS;
}

static int alive_count(const sim_cluster *c, int *booting_out)
{
    if (booting_out)
        *booting_out = c->booting;
    return c->alive;
}

/* How many tasks of this size one empty instance holds (0: none fits). */
static int tasks_per_instance(const sim_cluster *c, double vcpu, double memory_gb)
{
    double by_cpu = vcpu > 0 ? floor((c->spec.vcpu + FIT_EPS) / vcpu) : 1e9;
    double by_mem = memory_gb > 0 ? floor((c->spec.memory_gb + FIT_EPS) / memory_gb) : 1e9;
    double n = fmin(by_cpu, by_mem);
    return n > 1e6 ? 1000000 : (int)n;
}

/* ---- indexes of the registered instances ---------------------------------------- */

static node *node_of(const sim_cluster *c, int id) { return &c->nodes[id - 1]; }

static int64_t quantize(double v) { return (int64_t)llround(v / FIT_EPS); }

static bool key_less(const sim_cluster *c, int tree, int x, int y)
{
    const tree_link *a = &node_of(c, x)->link[tree], *b = &node_of(c, y)->link[tree];
    if (a->key_a != b->key_a)
        return a->key_a < b->key_a;
    if (a->key_b != b->key_b)
        return a->key_b < b->key_b;
    return x < y;
}

/* Recompute a tree node's subtree maxima from its children. */
static void tree_pull(sim_cluster *c, int tree, int id)
{
    node *n = node_of(c, id);
    tree_link *l = &n->link[tree];
    double cpu = free_vcpu(c, n), mem = free_memory(c, n);
    for (int k = 0; k < 2; k++) {
        int child = k ? l->right : l->left;
        if (child) {
            const tree_link *cl = &node_of(c, child)->link[tree];
            cpu = fmax(cpu, cl->max_free_vcpu);
            mem = fmax(mem, cl->max_free_memory_gb);
        }
    }
    l->max_free_vcpu = cpu;
    l->max_free_memory_gb = mem;
}

static int tree_insert(sim_cluster *c, int tree, int root, int id)
{
    if (!root) {
        tree_link *l = &node_of(c, id)->link[tree];
        l->left = l->right = 0;
        tree_pull(c, tree, id);
        return id;
    }
    tree_link *r = &node_of(c, root)->link[tree];
    if (key_less(c, tree, id, root)) {
        r->left = tree_insert(c, tree, r->left, id);
        if (node_of(c, r->left)->priority > node_of(c, root)->priority) {
            int top = r->left; /* rotate right */
            tree_link *t = &node_of(c, top)->link[tree];
            r->left = t->right;
            t->right = root;
            tree_pull(c, tree, root);
            tree_pull(c, tree, top);
            return top;
        }
    } else {
        r->right = tree_insert(c, tree, r->right, id);
        if (node_of(c, r->right)->priority > node_of(c, root)->priority) {
            int top = r->right; /* rotate left */
            tree_link *t = &node_of(c, top)->link[tree];
            r->right = t->left;
            t->left = root;
            tree_pull(c, tree, root);
            tree_pull(c, tree, top);
            return top;
        }
    }
    tree_pull(c, tree, root);
    return root;
}

static int tree_merge(sim_cluster *c, int tree, int a, int b)
{
    if (!a)
        return b;
    if (!b)
        return a;
    if (node_of(c, a)->priority > node_of(c, b)->priority) {
        tree_link *l = &node_of(c, a)->link[tree];
        l->right = tree_merge(c, tree, l->right, b);
        tree_pull(c, tree, a);
        return a;
    }
    tree_link *l = &node_of(c, b)->link[tree];
    l->left = tree_merge(c, tree, a, l->left);
    tree_pull(c, tree, b);
    return b;
}

static int tree_erase(sim_cluster *c, int tree, int root, int id)
{
    assert(root != 0); /* the instance is in the tree */
    tree_link *r = &node_of(c, root)->link[tree];
    if (root == id)
        return tree_merge(c, tree, r->left, r->right);
    if (key_less(c, tree, id, root))
        r->left = tree_erase(c, tree, r->left, id);
    else
        r->right = tree_erase(c, tree, r->right, id);
    tree_pull(c, tree, root);
    return root;
}

/* The first instance in the tree's order on which `vcpu` / `memory_gb` fits,
 * or 0. Subtrees whose largest free CPU or memory is too small are skipped. */
static int tree_first_fit(const sim_cluster *c, int tree, int root, double vcpu, double memory_gb)
{
    if (!root)
        return 0;
    const node *n = node_of(c, root);
    const tree_link *l = &n->link[tree];
    if (!(vcpu <= l->max_free_vcpu + FIT_EPS) || !(memory_gb <= l->max_free_memory_gb + FIT_EPS))
        return 0;
    int found = tree_first_fit(c, tree, l->left, vcpu, memory_gb);
    if (found)
        return found;
    if (node_fits(c, n, vcpu, memory_gb))
        return root;
    return tree_first_fit(c, tree, l->right, vcpu, memory_gb);
}

/* Put a registered instance into its indexes (keys from its state now). */
static void index_add(sim_cluster *c, node *n)
{
    n->link[TREE_BINPACK].key_a = quantize(free_vcpu(c, n));
    n->link[TREE_BINPACK].key_b = quantize(free_memory(c, n));
    n->link[TREE_ZONE].key_a = n->pub.tasks;
    n->link[TREE_ZONE].key_b = 0;
    c->binpack_root = tree_insert(c, TREE_BINPACK, c->binpack_root, n->pub.id);
    c->zone_root[n->pub.az] = tree_insert(c, TREE_ZONE, c->zone_root[n->pub.az], n->pub.id);
}

static void index_remove(sim_cluster *c, const node *n)
{
    c->binpack_root = tree_erase(c, TREE_BINPACK, c->binpack_root, n->pub.id);
    c->zone_root[n->pub.az] = tree_erase(c, TREE_ZONE, c->zone_root[n->pub.az], n->pub.id);
}

/* The one place an instance changes state: counters and indexes follow.
 * Asserts the transition is one the life of an instance allows
 * (BOOTING -> REGISTERED -> TERMINATED, BOOTING / REGISTERED -> LOST). */
static void node_set_state(sim_cluster *c, node *n, cluster_instance_state to)
{
    cluster_instance_state from = n->pub.state;
    assert((from == CLUSTER_INSTANCE_BOOTING &&
            (to == CLUSTER_INSTANCE_REGISTERED || to == CLUSTER_INSTANCE_LOST)) ||
           (from == CLUSTER_INSTANCE_REGISTERED &&
            (to == CLUSTER_INSTANCE_TERMINATED || to == CLUSTER_INSTANCE_LOST)));
    if (from == CLUSTER_INSTANCE_BOOTING)
        c->booting--;
    if (from == CLUSTER_INSTANCE_REGISTERED) {
        index_remove(c, n);
        c->registered--;
        if (n->pub.tasks == 0)
            c->registered_empty--;
        c->zone_tasks[n->pub.az] -= n->pub.tasks;
    }
    if (to == CLUSTER_INSTANCE_TERMINATED || to == CLUSTER_INSTANCE_LOST) {
        c->alive--;
        c->zone_alive[n->pub.az]--;
    }
    n->pub.state = to;
    if (to == CLUSTER_INSTANCE_REGISTERED) {
        c->registered++;
        if (n->pub.tasks == 0)
            c->registered_empty++;
        c->zone_tasks[n->pub.az] += n->pub.tasks;
        index_add(c, n);
    }
}

/* Lognormal boot time with median boot_time_s and 95th percentile
 * boot_time_p95_s: sigma = ln(p95 / median) / 1.645 (reference §3.3),
 * from instance `id`'s own stream, so the n-th instance boots in the same
 * time whatever the others do. */
static double draw_boot_time(sim_cluster *c, int id)
{
    ecsim_rng rng;
    ecsim_rng_derive_indexed(&rng, c->seed, "cluster.boot", (uint64_t)id);
    return ecsim_rng_lognormal_median_p95(&rng, c->spec.boot_time_s, c->spec.boot_time_p95_s);
}

/* The zone for a new instance: the ASG balances zones, so the available
 * zone with the fewest alive instances, lowest number on ties. 0 if every
 * zone is out. */
static int launch_zone(const sim_cluster *c)
{
    int best = 0, best_count = 0;
    for (int az = 1; az <= c->zones; az++) {
        if (!zone_available(c, az))
            continue;
        int n = c->zone_alive[az];
        if (best == 0 || n < best_count) {
            best = az;
            best_count = n;
        }
    }
    return best;
}

static node *add_node(sim_cluster *c, int az)
{
    if (c->count == c->capacity) {
        int cap = c->capacity ? 2 * c->capacity : 8;
        node *grown = ecsim_reallocarray(c->nodes, (size_t)cap, sizeof *grown);
        if (!grown)
            return NULL;
        c->nodes = grown;
        c->capacity = cap;
    }
    node *n = &c->nodes[c->count];
    memset(n, 0, sizeof *n);
    n->pub.id = ++c->count;
    n->pub.az = az;
    n->pub.launched_s = now_s(c);
    n->pub.registered_s = NAN;
    n->pub.stopped_s = NAN;
    n->empty_since_s = NAN;
    n->warm_until_s = -INFINITY;
    /* Treap priorities: any well-mixed function of the id (a hash keeps
     * the trees the same from run to run). */
    uint32_t h = (uint32_t)n->pub.id * 0x9E3779B1u;
    h ^= h >> 15;
    h *= 0x85EBCA77u;
    h ^= h >> 13;
    n->priority = h;
    /* A new instance is alive and booting (state 0). */
    c->alive++;
    c->booting++;
    c->zone_alive[az]++;
    return n;
}

/* Launch up to `want` instances (each boots, then registers). Returns the
 * number launched (fewer when every zone is out or memory ran out). */
static int launch_instances(sim_cluster *c, int want)
{
    int launched = 0;
    for (; launched < want; launched++) {
        int az = launch_zone(c);
        if (az == 0)
            break;
        node *n = add_node(c, az);
        if (!n)
            break;
        n->warm_until_s = now_s(c) + c->spec.managed_scaling.warmup_s;
        double boot_s = draw_boot_time(c, n->pub.id);
        n->boot_event = ecsim_engine_schedule_in(c->eng, boot_s, on_boot, c, (uint64_t)n->pub.id);
        if (n->boot_event == 0) {      /* out of memory: forget the instance */
            c->alive--;
            c->booting--;
            c->zone_alive[az]--;
            c->count--;
            break;
        }
        c->launched_total++;
    }
    if (launched > 0)
        c->max_logged = false;
    return launched;
}

/* Mark an alive instance lost: its tasks are gone, its allocation cleared,
 * its boot (if any) cancelled. The callback is the caller's job. */
static void lose_node(sim_cluster *c, node *n)
{
    if (n->boot_event) {
        ecsim_engine_cancel(c->eng, n->boot_event);
        n->boot_event = 0;
    }
    node_set_state(c, n, CLUSTER_INSTANCE_LOST);
    n->pub.stopped_s = now_s(c);
    n->pub.vcpu_used = 0;
    n->pub.memory_gb_used = 0;
    n->pub.tasks = 0;
    n->empty_since_s = NAN;
    c->lost_total++;
}

static void terminate_node(sim_cluster *c, node *n)
{
    assert(n->pub.state == CLUSTER_INSTANCE_REGISTERED && n->pub.tasks == 0);
    node_set_state(c, n, CLUSTER_INSTANCE_TERMINATED);
    n->pub.stopped_s = now_s(c);
    n->empty_since_s = NAN;
    c->terminated_total++;
    c->asg_desired--;
    c->max_logged = false;
}

/* The ASG replaces lost instances after its health check notices them. */
static void schedule_replacement(sim_cluster *c)
{
    if (!c->cfg.replace_lost_instances || c->replace != 0)
        return;
    c->replace = ecsim_engine_schedule_in(c->eng, c->cfg.replacement_delay_s, on_replace, c, 0);
}

/* ---- lifecycle ------------------------------------------------------------------- */

sim_cluster *cluster_create(const ecsim_cluster_spec *spec, ecsim_platform platform,
                            int availability_zones, uint64_t seed, ecsim_engine *eng,
                            const cluster_config *cfg, const cluster_callbacks *cb, void *cb_ctx)
{
    if (!spec || !eng || availability_zones < 1 || !(spec->vcpu > 0) || !(spec->memory_gb > 0))
        return NULL;
    sim_cluster *c = ecsim_calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->spec = *spec;
    c->platform = platform;
    c->cfg = cfg ? *cfg : cluster_config_defaults(platform);
    c->zones = availability_zones;
    c->eng = eng;
    if (cb)
        c->cb = *cb;
    c->cb_ctx = cb_ctx;
    c->last_reservation = NAN;
    c->last_scale_out_s = -INFINITY;
    c->warmup_logged_until_s = NAN;
    if (c->cfg.alarm_high_datapoints < 1)
        c->cfg.alarm_high_datapoints = 1;
    if (c->cfg.alarm_low_datapoints < 1)
        c->cfg.alarm_low_datapoints = 1;
    if (!(c->cfg.evaluation_interval_s > 0))
        c->cfg.evaluation_interval_s = 60;

    c->seed = seed;
    ecsim_rng_derive(&c->rng_placement, seed, "cluster.placement");
    ecsim_rng_derive(&c->rng_victim, seed, "cluster.victim");

    c->ring_size = c->cfg.alarm_high_datapoints > c->cfg.alarm_low_datapoints
                       ? c->cfg.alarm_high_datapoints
                       : c->cfg.alarm_low_datapoints;
    c->datapoints = ecsim_calloc((size_t)c->ring_size, sizeof *c->datapoints);
    if (!c->datapoints)
        goto free_cluster;
    c->outage_until_s = ecsim_calloc((size_t)c->zones, sizeof *c->outage_until_s);
    if (!c->outage_until_s)
        goto free_datapoints;
    for (int az = 0; az < c->zones; az++)
        c->outage_until_s[az] = -INFINITY;
    c->outage_end = ecsim_calloc((size_t)c->zones, sizeof *c->outage_end);
    if (!c->outage_end)
        goto free_outages;
    /* Per-zone counters and tree roots, 1-based: 3 arrays of zones + 1. */
    c->zone_alive = ecsim_calloc(3 * ((size_t)c->zones + 1), sizeof *c->zone_alive);
    if (!c->zone_alive)
        goto free_outage_end;
    c->zone_tasks = c->zone_alive + c->zones + 1;
    c->zone_root = c->zone_tasks + c->zones + 1;

    /* The initial instances: already booted and warm (reference: they exist
     * before the simulated story starts). */
    int initial = spec->instances;
    if (initial < spec->min_instances)
        initial = spec->min_instances;
    if (initial > spec->max_instances)
        initial = spec->max_instances;
    for (int i = 0; i < initial; i++) {
        node *n = add_node(c, launch_zone(c));
        if (!n)
            goto free_nodes;
        node_set_state(c, n, CLUSTER_INSTANCE_REGISTERED);
        n->pub.registered_s = now_s(c);
        n->empty_since_s = now_s(c);
        c->launched_total++;
    }
    c->asg_desired = initial;

    if (spec->managed_scaling.enable) {
        c->tick = ecsim_engine_schedule_in(eng, c->cfg.evaluation_interval_s, on_tick, c, 0);
        if (c->tick == 0)
            goto free_nodes;
    }
    return c;

free_nodes:
    ecsim_free(c->nodes);
    ecsim_free(c->zone_alive);
free_outage_end:
    ecsim_free(c->outage_end);
free_outages:
    ecsim_free(c->outage_until_s);
free_datapoints:
    ecsim_free(c->datapoints);
free_cluster:
    ecsim_free(c);
    return NULL;
}

void cluster_destroy(sim_cluster *c)
{
    if (!c)
        return;
    if (c->tick)
        ecsim_engine_cancel(c->eng, c->tick);
    if (c->replace)
        ecsim_engine_cancel(c->eng, c->replace);
    for (int az = 0; az < c->zones; az++)
        if (c->outage_end[az])
            ecsim_engine_cancel(c->eng, c->outage_end[az]);
    for (int i = 0; i < c->count; i++)
        if (c->nodes[i].boot_event)
            ecsim_engine_cancel(c->eng, c->nodes[i].boot_event);
    ecsim_free(c->nodes);
    ecsim_free(c->zone_alive);
    ecsim_free(c->outage_end);
    ecsim_free(c->outage_until_s);
    ecsim_free(c->datapoints);
    ecsim_free(c);
}

static void on_boot(ecsim_engine *eng, void *ctx, uint64_t arg)
{
    (void)eng;
    sim_cluster *c = ctx;
    node *n = &c->nodes[arg - 1];
    n->boot_event = 0;
    if (n->pub.state != CLUSTER_INSTANCE_BOOTING)
        return;
    node_set_state(c, n, CLUSTER_INSTANCE_REGISTERED);
    n->pub.registered_s = now_s(c);
    n->empty_since_s = now_s(c);
    char b1[32];
    cluster_log(c, "%s: %s i-%04d (%s, az %d) registered after %s s of boot", c->cfg.scaler_name,
                c->cfg.instance_noun, n->pub.id, c->spec.instance_type, n->pub.az,
                num(b1, sizeof b1, n->pub.registered_s - n->pub.launched_s));
    if (c->cb.on_capacity)
        c->cb.on_capacity(c->cb_ctx);
}

/* ---- placement ----------------------------------------------------------------- */

/* A registered instance's tasks and resources change: out of the indexes,
 * change, back in. */
static void node_allocate(sim_cluster *c, node *n, int tasks, double vcpu, double memory_gb)
{
    index_remove(c, n);
    if (n->pub.tasks == 0)
        c->registered_empty--;
    c->zone_tasks[n->pub.az] -= n->pub.tasks;
    n->pub.tasks += tasks;
    n->pub.vcpu_used += vcpu;
    n->pub.memory_gb_used += memory_gb;
    if (n->pub.tasks == 0) {
        /* Exactly empty, whatever rounding the sums collected. */
        n->pub.vcpu_used = 0;
        n->pub.memory_gb_used = 0;
        n->empty_since_s = now_s(c);
        c->registered_empty++;
    } else if (tasks > 0) {
        n->empty_since_s = NAN;
    } else {
        n->pub.vcpu_used = fmax(n->pub.vcpu_used, 0);
        n->pub.memory_gb_used = fmax(n->pub.memory_gb_used, 0);
    }
    c->zone_tasks[n->pub.az] += n->pub.tasks;
    index_add(c, n);
}

int cluster_place(sim_cluster *c, double vcpu, double memory_gb, int *az_out)
{
    int id = 0;
    switch (c->spec.placement) {
    case ECSIM_PLACEMENT_BINPACK:
        /* binpack on CPU, then memory: the instance leaving the least unused
         * CPU (reference §3.2), which minimises the instances in use. The
         * binpack tree's order is exactly that (free CPU, free memory, id). */
        id = tree_first_fit(c, TREE_BINPACK, c->binpack_root, vcpu, memory_gb);
        break;
    case ECSIM_PLACEMENT_SPREAD: {
        /* spread on attribute:ecs.availability-zone, then across instances
         * (reference §3.2, the services' default): the zone with the fewest
         * tasks among those where the task fits (lowest number on ties),
         * then in it the instance with the fewest tasks (lowest id): the
         * first fit in the zone's tree. */
        int best_zone_tasks = 0;
        for (int az = 1; az <= c->zones; az++) {
            if (!zone_available(c, az) || (id && c->zone_tasks[az] >= best_zone_tasks))
                continue;
            int found = tree_first_fit(c, TREE_ZONE, c->zone_root[az], vcpu, memory_gb);
            if (found) {
                id = found;
                best_zone_tasks = c->zone_tasks[az];
            }
        }
        break;
    }
    case ECSIM_PLACEMENT_RANDOM: {
        int fitting = 0;
        for (int i = 0; i < c->count; i++)
            if (node_fits(c, &c->nodes[i], vcpu, memory_gb))
                fitting++;
        if (fitting == 0)
            break;
        uint64_t pick = ecsim_rng_below(&c->rng_placement, (uint64_t)fitting);
        for (int i = 0; i < c->count; i++)
            if (node_fits(c, &c->nodes[i], vcpu, memory_gb) && pick-- == 0) {
                id = c->nodes[i].pub.id;
                break;
            }
        break;
    }
    }
    if (!id)
        return ECSIM_ENOENT;
    node *best = node_of(c, id);
    node_allocate(c, best, 1, vcpu, memory_gb);
    if (az_out)
        *az_out = best->pub.az;
    return best->pub.id;
}

int cluster_release(sim_cluster *c, int instance_id, double vcpu, double memory_gb)
{
    if (instance_id < 1 || instance_id > c->count)
        return ECSIM_ENOENT;
    node *n = &c->nodes[instance_id - 1];
    if (n->pub.state != CLUSTER_INSTANCE_REGISTERED || n->pub.tasks == 0)
        return 0;
    node_allocate(c, n, -1, -vcpu, -memory_gb);
    return 0;
}

const char *cluster_explain_no_fit(const sim_cluster *c, double vcpu, double memory_gb, char *buf,
                                   size_t size)
{
    /* The closest match: the registered instance with the most free CPU. */
    const node *closest = NULL;
    for (int i = 0; i < c->count; i++) {
        const node *n = &c->nodes[i];
        if (n->pub.state != CLUSTER_INSTANCE_REGISTERED || !zone_available(c, n->pub.az))
            continue;
        if (!closest || free_vcpu(c, n) > free_vcpu(c, closest) + FIT_EPS)
            closest = n;
    }
    if (!closest)
        snprintf(buf, size, "No Container Instances were found in your cluster.");
    else if (vcpu > free_vcpu(c, closest) + FIT_EPS)
        snprintf(buf, size,
                 "The closest matching container-instance i-%04d has insufficient CPU units available.",
                 closest->pub.id);
    else if (memory_gb > free_memory(c, closest) + FIT_EPS)
        snprintf(buf, size,
                 "The closest matching container-instance i-%04d has insufficient memory available.",
                 closest->pub.id);
    else
        snprintf(buf, size, "A container instance i-%04d has room for the task.", closest->pub.id);
    return buf;
}

/* ---- scale-in victims (reference §3.2) -------------------------------------------- */

/* Scratch of cluster_choose_victims: the remaining tasks indexed so that
 * each choice costs O(log tasks) (plus the tasks of the instance it frees). */

/* A binpack candidate: the resources its instance would have free after
 * its removal, rounded like the binpack keys; `version` is its instance's
 * at the time (a stale entry is skipped). Max-heap on (cpu, mem), then
 * the lowest index. */
typedef struct victim_entry {
    int64_t cpu, mem;
    int index;
    int version;
} victim_entry;

static bool victim_before(const victim_entry *a, const victim_entry *b)
{
    if (a->cpu != b->cpu)
        return a->cpu > b->cpu;
    if (a->mem != b->mem)
        return a->mem > b->mem;
    return a->index < b->index;
}

/* Push onto a heap of *cap entries, growing it; false when out of memory. */
static bool victim_push(victim_entry **heap_p, int *n, int *cap, victim_entry e)
{
    if (*n == *cap) {
        int grown_cap = *cap ? 2 * *cap : 64;
        victim_entry *grown = ecsim_reallocarray(*heap_p, (size_t)grown_cap, sizeof *grown);
        if (!grown)
            return false;
        *heap_p = grown;
        *cap = grown_cap;
    }
    victim_entry *heap = *heap_p;
    int i = (*n)++;
    while (i > 0 && victim_before(&e, &heap[(i - 1) / 2])) {
        heap[i] = heap[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    heap[i] = e;
    return true;
}

static victim_entry victim_pop(victim_entry *heap, int *n)
{
    victim_entry top = heap[0], last = heap[--*n];
    int i = 0;
    for (;;) {
        int child = 2 * i + 1;
        if (child >= *n)
            break;
        if (child + 1 < *n && victim_before(&heap[child + 1], &heap[child]))
            child++;
        if (!victim_before(&heap[child], &last))
            break;
        heap[i] = heap[child];
        i = child;
    }
    if (*n > 0)
        heap[i] = last;
    return top;
}

/* Fenwick trees counting the remaining tasks by list index (one per zone
 * and one over all): the r-th remaining one in list order in O(log tasks). */
static void fenwick_add(int *tree, int n, int i, int delta)
{
    for (i++; i <= n; i += i & -i)
        tree[i - 1] += delta;
}

static int fenwick_select(const int *tree, int n, int r) /* 0-based rank r */
{
    int pos = 0, step = 1;
    while (step * 2 <= n)
        step *= 2;
    for (; step > 0; step /= 2)
        if (pos + step <= n && tree[pos + step - 1] <= r) {
            pos += step;
            r -= tree[pos - 1];
        }
    return pos; /* the list index */
}

int cluster_choose_victims(sim_cluster *c, const cluster_task_ref *tasks, int count, int k,
                           int *chosen)
{
    if (count < 0 || k < 0 || (count > 0 && !tasks) || (k > 0 && !chosen))
        return ECSIM_EINVAL;
    if (k > count)
        k = count;
    if (k == 0)
        return 0;
    /* Per instance: free CPU / memory as the choices so far leave them, a
     * version, and its tasks (CSR: first[id] .. first[id + 1]); per zone:
     * tasks (as the placement counts them); the tasks not on a registered
     * instance, in list order (they free nothing: taken first). */
    size_t n_inst = (size_t)c->count + 2;
    size_t n_zone = (size_t)c->zones + 1;
    size_t n_task = (size_t)count;
    int rc = ECSIM_ENOMEM;
    double *fcpu = ecsim_calloc(2 * n_inst, sizeof *fcpu);
    int *ints = ecsim_calloc(2 * n_inst + n_zone + 2 * n_task + (n_zone + 1) * n_task, sizeof *ints);
    victim_entry *heap = NULL;
    if (!fcpu || !ints)
        goto out;
    double *fmem = fcpu + n_inst;
    int *version = ints, *first = version + n_inst, *ztask = first + n_inst;
    int *by_instance = ztask + n_zone, *unplaced = by_instance + n_task;
    int *fenwick = unplaced + n_task; /* zone z (1..zones) at z * n_task, all tasks at 0 */
    for (int i = 0; i < c->count; i++) {
        const node *n = &c->nodes[i];
        fcpu[n->pub.id] = free_vcpu(c, n);
        fmem[n->pub.id] = free_memory(c, n);
    }
    for (int az = 1; az <= c->zones; az++)
        ztask[az] = c->zone_tasks[az];
    int n_unplaced = 0;
    for (int i = 0; i < count; i++) {
        int id = tasks[i].instance_id;
        if (id < 1 || id > c->count || c->nodes[id - 1].pub.state != CLUSTER_INSTANCE_REGISTERED)
            unplaced[n_unplaced++] = i;
        else
            first[id + 1]++;
    }
    for (size_t id = 1; id + 1 < n_inst; id++)
        first[id + 1] += first[id];
    for (int i = 0; i < count; i++) {
        int id = tasks[i].instance_id;
        if (id >= 1 && id <= c->count && c->nodes[id - 1].pub.state == CLUSTER_INSTANCE_REGISTERED)
            by_instance[first[id]++] = i;
    }
    for (size_t id = n_inst - 1; id >= 1; id--) /* first[id] was advanced to the end */
        first[id] = first[id - 1];
    first[0] = 0;

    ecsim_placement placement = c->spec.placement;
    int heap_n = 0, heap_cap = 0;
    if (placement == ECSIM_PLACEMENT_BINPACK) {
        for (int j = 0; j < count - n_unplaced; j++) {
            int i = by_instance[j], id = tasks[i].instance_id;
            victim_entry e = {quantize(fcpu[id] + tasks[i].vcpu), quantize(fmem[id] + tasks[i].memory_gb),
                              i, 0};
            if (!victim_push(&heap, &heap_n, &heap_cap, e))
                goto out;
        }
    } else {
        for (int i = 0; i < count; i++) {
            fenwick_add(fenwick, count, i, 1);
            int id = tasks[i].instance_id;
            if (id >= 1 && id <= c->count && c->nodes[id - 1].pub.state == CLUSTER_INSTANCE_REGISTERED)
                fenwick_add(fenwick + (size_t)c->nodes[id - 1].pub.az * n_task, count, i, 1);
        }
    }

    int next_unplaced = 0;
    for (int pick = 0; pick < k; pick++) {
        int best = -1;
        if (next_unplaced < n_unplaced) {
            best = unplaced[next_unplaced++];
        } else if (placement == ECSIM_PLACEMENT_BINPACK) {
            /* The task on the instance with the most resources left after
             * its removal (reference §3.2); ties: first in the list. */
            while (best < 0) {
                victim_entry e = victim_pop(heap, &heap_n);
                if (e.version == version[tasks[e.index].instance_id])
                    best = e.index;
            }
        } else if (placement == ECSIM_PLACEMENT_SPREAD) {
            /* Keep the zones balanced: the zone with the most tasks (lowest
             * number on ties) among the zones of the remaining tasks, a
             * random task within it (§3.2). */
            int zone = 0;
            for (int az = 1; az <= c->zones; az++) {
                const int *fz = fenwick + (size_t)az * n_task;
                int left = 0; /* remaining tasks in the zone: a prefix sum over all */
                for (int i = count; i > 0; i -= i & -i)
                    left += fz[i - 1];
                if (left > 0 && (zone == 0 || ztask[az] > ztask[zone]))
                    zone = az;
            }
            const int *fz = fenwick + (size_t)zone * n_task;
            int in_zone = 0;
            for (int i = count; i > 0; i -= i & -i)
                in_zone += fz[i - 1];
            uint64_t r = ecsim_rng_below(&c->rng_victim, (uint64_t)in_zone);
            best = fenwick_select(fz, count, (int)r);
        } else {
            uint64_t r = ecsim_rng_below(&c->rng_victim, (uint64_t)(count - pick));
            best = fenwick_select(fenwick, count, (int)r);
        }
        assert(best >= 0 && best < count);
        chosen[pick] = best;
        int id = tasks[best].instance_id;
        if (placement != ECSIM_PLACEMENT_BINPACK) {
            fenwick_add(fenwick, count, best, -1);
            if (id >= 1 && id <= c->count && c->nodes[id - 1].pub.state == CLUSTER_INSTANCE_REGISTERED)
                fenwick_add(fenwick + (size_t)c->nodes[id - 1].pub.az * n_task, count, best, -1);
        }
        if (id >= 1 && id <= c->count && c->nodes[id - 1].pub.state == CLUSTER_INSTANCE_REGISTERED) {
            fcpu[id] += tasks[best].vcpu;
            fmem[id] += tasks[best].memory_gb;
            ztask[c->nodes[id - 1].pub.az] -= 1;
            if (placement == ECSIM_PLACEMENT_BINPACK) {
                /* Its instance's other tasks now free more: fresh entries. */
                version[id]++;
                for (int j = first[id]; j < first[id + 1]; j++) {
                    int i = by_instance[j];
                    if (i == best)
                        by_instance[j] = -1;
                    else if (i >= 0) {
                        victim_entry e = {quantize(fcpu[id] + tasks[i].vcpu),
                                          quantize(fmem[id] + tasks[i].memory_gb), i, version[id]};
                        if (!victim_push(&heap, &heap_n, &heap_cap, e))
                            goto out;
                    }
                }
            }
        }
    }
    rc = k;
out:
    ecsim_free(heap);
    ecsim_free(ints);
    ecsim_free(fcpu);
    return rc;
}

int cluster_choose_victim(sim_cluster *c, const cluster_task_ref *tasks, int count)
{
    int chosen = -1;
    int n = cluster_choose_victims(c, tasks, count, 1, &chosen);
    if (n < 0)
        return n;
    return n == 0 ? ECSIM_ENOENT : chosen;
}

/* ---- CapacityProviderReservation (reference §3.1) ------------------------------------ */

void cluster_set_pending(sim_cluster *c, int count, double vcpu, double memory_gb)
{
    if (count < 0)
        count = 0;
    if (count == 0 || vcpu != c->pending_vcpu || memory_gb != c->pending_memory_gb)
        c->unplaceable_logged = false;
    c->pending_count = count;
    c->pending_vcpu = vcpu;
    c->pending_memory_gb = memory_gb;
}

double cluster_reservation(const sim_cluster *c, int *needed_out, int *registered_out)
{
    int registered = c->registered, needed = c->registered - c->registered_empty;
    int per_instance = tasks_per_instance(c, c->pending_vcpu, c->pending_memory_gb);
    if (c->pending_count > 0 && per_instance > 0) {
        /* Binpack estimate: pending tasks fill the free room of registered
         * instances, fullest first (identical tasks, so filling each
         * instance in turn is what binpack does), then new instances. */
        int left = c->pending_count;
        double prev_free = -INFINITY;
        int prev_id = 0;
        while (left > 0) {
            const node *next = NULL;
            for (int i = 0; i < c->count; i++) {
                const node *n = &c->nodes[i];
                if (!node_fits(c, n, c->pending_vcpu, c->pending_memory_gb))
                    continue;
                double f = free_vcpu(c, n);
                bool after_prev = f > prev_free || (f == prev_free && n->pub.id > prev_id);
                if (after_prev && (!next || f < free_vcpu(c, next)))
                    next = n;
            }
            if (!next)
                break;
            prev_free = free_vcpu(c, next);
            prev_id = next->pub.id;
            double by_cpu = c->pending_vcpu > 0
                                ? floor((free_vcpu(c, next) + FIT_EPS) / c->pending_vcpu) : 1e9;
            double by_mem = c->pending_memory_gb > 0
                                ? floor((free_memory(c, next) + FIT_EPS) / c->pending_memory_gb) : 1e9;
            double fit = fmin(by_cpu, by_mem);
            left -= fit >= left ? left : (int)fit;
            if (next->pub.tasks == 0)
                needed++;                 /* an empty instance becomes needed */
        }
        needed += (left + per_instance - 1) / per_instance;
    }
    if (needed_out)
        *needed_out = needed;
    if (registered_out)
        *registered_out = registered;
    if (registered == 0)
        return needed > 0 ? 200.0 : 100.0;   /* "always scales-out to 200 %" (§3.1) */
    return 100.0 * needed / registered;
}

/* ---- the scaler ---------------------------------------------------------------------- */

/* Did the last `n` datapoints all compare to the target as `above` says? */
static bool alarm_in_alarm(const sim_cluster *c, int n, bool above)
{
    if (c->ring_count < n)
        return false;
    double target = c->spec.managed_scaling.target_capacity;
    for (int k = 1; k <= n; k++) {
        double v = c->datapoints[(c->ring_next - k + c->ring_size) % c->ring_size];
        if (above ? !(v > target) : !(v < target))
            return false;
    }
    return true;
}

static int scale_out(sim_cluster *c, int needed, int registered, double cpr)
{
    const ecsim_managed_scaling_spec *ms = &c->spec.managed_scaling;
    int booting = 0;
    int alive = alive_count(c, &booting);
    char b1[32], b2[32], b3[32], b4[32];

    if (c->cfg.use_warmup) {
        /* No new scale-out while any instance is in its instanceWarmupPeriod
         * (reference §3.1). */
        double warm_until = -INFINITY;
        int young = 0;
        for (int i = 0; i < c->count; i++) {
            const node *n = &c->nodes[i];
            if (node_alive(n) && n->warm_until_s > now_s(c) && n->warm_until_s > warm_until) {
                warm_until = n->warm_until_s;
                young = n->pub.id;
            }
        }
        if (young) {
            if (warm_until != c->warmup_logged_until_s) {
                c->warmup_logged_until_s = warm_until;
                cluster_log(c,
                            "%s: CapacityProviderReservation %s %% > target %s %% but %s i-%04d is in its "
                            "warm-up period (instanceWarmupPeriod %s s) until t=%s s: no new scale-out",
                            c->cfg.scaler_name, num(b1, sizeof b1, cpr), num(b2, sizeof b2, ms->target_capacity),
                            c->cfg.instance_noun, young, num(b3, sizeof b3, ms->warmup_s),
                            num(b4, sizeof b4, warm_until));
            }
            return 0;
        }
    }

    /* The ASG's target tracking on CPR: capacity ceil(M x 100 / target)
     * (= M at the default target 100), N = 0 -> two instances (§3.1);
     * instances still booting are already on their way. */
    int want_total = registered == 0 ? (int)c->cfg.empty_cluster_launch
                                     : (int)ceil(needed * 100.0 / ms->target_capacity - 1e-9);
    int delta = want_total - registered - booting;
    if (delta <= 0)
        return 0;
    int step = delta < ms->max_step ? delta : ms->max_step;
    if (step < ms->min_step)
        step = ms->min_step;
    int room = c->spec.max_instances - alive;
    if (room <= 0) {
        if (!c->max_logged) {
            c->max_logged = true;
            cluster_log(c, "%s: %d more %s%s needed but the cluster is at max_instances %d",
                        c->cfg.scaler_name, delta, c->cfg.instance_noun, plural(delta),
                        c->spec.max_instances);
        }
        return 0;
    }
    if (step > room)
        step = room;
    int launched = launch_instances(c, step);
    if (launched == 0)
        return 0;
    /* Target tracking sets the ASG's desired capacity to what it wants now,
     * which also covers lost instances not yet replaced. */
    c->asg_desired = alive + launched;
    c->last_scale_out_s = now_s(c);
    if (c->platform == ECSIM_PLATFORM_EKS)
        cluster_log(c, "%s: %d unschedulable %s%s (%d nodes needed, %d ready, %d upcoming): "
                       "scale-up: launching %d node%s (%s)%s",
                    c->cfg.scaler_name, c->pending_count, c->cfg.task_noun, plural(c->pending_count), needed, registered,
                    booting, launched, plural(launched), c->spec.instance_type,
                    launched < step ? " (no zone available for the rest)" : "");
    else
        cluster_log(c, "%s: CapacityProviderReservation %s %% > target %s %%: launching %d instance%s (%s)%s",
                    c->cfg.scaler_name, num(b1, sizeof b1, cpr), num(b2, sizeof b2, ms->target_capacity),
                    launched, plural(launched), c->spec.instance_type,
                    launched < step ? " (no zone available for the rest)" : "");
    return launched;
}

/* Append the empty registered instances of a zone tree (key_a = tasks = 0,
 * a prefix of its order, so in increasing id) that may go now. */
static void collect_empty(const sim_cluster *c, int root, bool need_unneeded, int *out, int *n)
{
    while (root) {
        const node *x = node_of(c, root);
        const tree_link *l = &x->link[TREE_ZONE];
        collect_empty(c, l->left, need_unneeded, out, n);
        if (l->key_a > 0)
            return;               /* the right subtree holds busier instances */
        if (!need_unneeded || now_s(c) - x->empty_since_s >= c->cfg.scale_down_unneeded_s)
            out[(*n)++] = root;
        root = l->right;
    }
}

/* Empty registered instances in termination order: the zone with the most
 * alive instances first (the ASG keeps zones balanced; each choice counts
 * the previous ones), then the newest. Writes up to `max` ids; returns how
 * many. Each zone's candidates come from its tree, in increasing id, and
 * are taken from the end: O(empty instances + max x zones). */
static int termination_order(const sim_cluster *c, int *ids, int max, bool need_unneeded)
{
    if (max <= 0 || c->registered_empty == 0)
        return 0;
    /* Per zone: its candidates cand[start[az] .. end[az]), the next one to
     * take at end[az] - 1, and its alive count minus the ones taken. */
    size_t zones = (size_t)c->zones + 1;
    int *scratch = ecsim_calloc((size_t)c->registered_empty + 3 * zones, sizeof *scratch);
    if (!scratch)
        return 0;
    int *start = scratch, *end = start + zones, *alive = end + zones, *cand = alive + zones;
    int total = 0;
    for (int az = 1; az <= c->zones; az++) {
        start[az] = total;
        collect_empty(c, c->zone_root[az], need_unneeded, cand, &total);
        end[az] = total;
        alive[az] = c->zone_alive[az];
    }
    int n = 0;
    while (n < max) {
        int best_az = 0;
        for (int az = 1; az <= c->zones; az++) {
            if (end[az] == start[az])
                continue;
            if (!best_az || alive[az] > alive[best_az] ||
                (alive[az] == alive[best_az] && cand[end[az] - 1] > cand[end[best_az] - 1]))
                best_az = az;
        }
        if (!best_az)
            break;
        ids[n++] = cand[--end[best_az]];
        alive[best_az]--;
    }
    ecsim_free(scratch);
    return n;
}

static void terminate_and_log(sim_cluster *c, const int *ids, int n, const char *why)
{
    char list[256] = "";
    size_t used = 0;
    for (int i = 0; i < n; i++) {
        terminate_node(c, &c->nodes[ids[i] - 1]);
        if (used < sizeof list)
            used += (size_t)snprintf(list + used, sizeof list - used, "%si-%04d", i ? ", " : "", ids[i]);
    }
    cluster_log(c, "%s: %s: terminating %d empty %s%s: %s", c->cfg.scaler_name, why, n,
                c->cfg.instance_noun, plural(n), list);
}

static void scale_in_alarm(sim_cluster *c, int needed, int registered, double cpr)
{
    const ecsim_managed_scaling_spec *ms = &c->spec.managed_scaling;
    int alive = alive_count(c, NULL);
    /* Target tracking would keep ceil(M x 100 / target) instances; never
     * below the ASG minimum; at most scale_in_max_percent of N per
     * evaluation (MODEL, §8 item 5), at least one; and only empty instances
     * lose their scale-in protection (managed termination protection, §3.1). */
    int keep = (int)ceil(needed * 100.0 / ms->target_capacity - 1e-9);
    int remove = registered - keep;
    if (alive - remove < c->spec.min_instances)
        remove = alive - c->spec.min_instances;
    int cap = (int)floor(registered * c->cfg.scale_in_max_percent / 100.0);
    if (cap < 1)
        cap = 1;
    if (remove > cap)
        remove = cap;
    if (remove <= 0)
        return;
    int ids[64];
    if (remove > 64)
        remove = 64;
    int n = termination_order(c, ids, remove, false);
    if (n == 0)
        return;
    char why[160], b1[32], b2[32];
    snprintf(why, sizeof why, "CapacityProviderReservation %s %% < target %s %% for %d of %d datapoints",
             num(b1, sizeof b1, cpr), num(b2, sizeof b2, ms->target_capacity), c->cfg.alarm_low_datapoints,
             c->cfg.alarm_low_datapoints);
    terminate_and_log(c, ids, n, why);
}

static void scale_in_unneeded(sim_cluster *c)
{
    /* scale-down-delay-after-add (reference §5.5). */
    if (now_s(c) - c->last_scale_out_s < c->cfg.scale_down_delay_after_add_s)
        return;
    int alive = alive_count(c, NULL);
    int max = alive - c->spec.min_instances;
    if (c->cfg.max_empty_bulk_delete > 0 && max > c->cfg.max_empty_bulk_delete)
        max = c->cfg.max_empty_bulk_delete;
    if (max > 64)
        max = 64;
    if (max <= 0)
        return;
    int ids[64];
    int n = termination_order(c, ids, max, true);
    if (n == 0)
        return;
    char why[128], b1[32];
    snprintf(why, sizeof why, "scale-down: empty for scale-down-unneeded-time %s s",
             num(b1, sizeof b1, c->cfg.scale_down_unneeded_s));
    terminate_and_log(c, ids, n, why);
}

static void evaluate(sim_cluster *c)
{
    int needed, registered;
    double cpr = cluster_reservation(c, &needed, &registered);
    c->datapoints[c->ring_next] = cpr;
    c->ring_next = (c->ring_next + 1) % c->ring_size;
    if (c->ring_count < c->ring_size)
        c->ring_count++;
    c->last_reservation = cpr;

    if (c->pending_count > 0 && tasks_per_instance(c, c->pending_vcpu, c->pending_memory_gb) == 0 &&
        !c->unplaceable_logged) {
        char b1[32], b2[32], b3[32], b4[32];
        c->unplaceable_logged = true;
        cluster_log(c, "%s: %d %s%s of %s vCPU / %s GB cannot fit on a %s (%s vCPU, %s GB): they stay "
                       "PENDING and do not trigger scaling",
                    c->cfg.scaler_name, c->pending_count, c->cfg.task_noun, plural(c->pending_count),
                    num(b1, sizeof b1, c->pending_vcpu), num(b2, sizeof b2, c->pending_memory_gb),
                    c->spec.instance_type, num(b3, sizeof b3, c->spec.vcpu),
                    num(b4, sizeof b4, c->spec.memory_gb));
    }

    bool scaled_out = false;
    if (alarm_in_alarm(c, c->cfg.alarm_high_datapoints, true))
        scaled_out = scale_out(c, needed, registered, cpr) > 0;
    else if (c->cfg.scale_in_mode == CLUSTER_SCALE_IN_ALARM &&
             alarm_in_alarm(c, c->cfg.alarm_low_datapoints, false))
        scale_in_alarm(c, needed, registered, cpr);
    if (c->cfg.scale_in_mode == CLUSTER_SCALE_IN_UNNEEDED && !scaled_out)
        scale_in_unneeded(c);
}

static void on_tick(ecsim_engine *eng, void *ctx, uint64_t arg)
{
    (void)arg;
    sim_cluster *c = ctx;
    evaluate(c);
    c->tick = ecsim_engine_schedule_in(eng, c->cfg.evaluation_interval_s, on_tick, c, 0);
}

/* ---- failures ---------------------------------------------------------------------- */

static void on_replace(ecsim_engine *eng, void *ctx, uint64_t arg)
{
    (void)eng;
    (void)arg;
    sim_cluster *c = ctx;
    c->replace = 0;
    int alive = alive_count(c, NULL);
    int want = c->asg_desired;
    if (want > c->spec.max_instances)
        want = c->spec.max_instances;
    int deficit = want - alive;
    if (deficit <= 0)
        return;
    int launched = launch_instances(c, deficit);
    if (launched > 0)
        cluster_log(c, "auto scaling group: launching %d replacement %s%s to restore desired capacity %d",
                    launched, c->cfg.instance_noun, plural(launched), c->asg_desired);
    if (launched < deficit)
        cluster_log(c, "auto scaling group: no availability zone can take %d more %s%s",
                    deficit - launched, c->cfg.instance_noun, plural(deficit - launched));
}

static void notify_lost(sim_cluster *c, const int *ids, int n)
{
    if (c->cb.on_instance_lost)
        for (int i = 0; i < n; i++)
            c->cb.on_instance_lost(c->cb_ctx, ids[i]);
}

int cluster_fail_instances(sim_cluster *c, int count, int *failed_ids)
{
    uint64_t ordinal = ++c->failure_calls; /* every fault counts, even one with no victim */
    if (count <= 0 || c->count == 0)
        return 0;
    int cap = count < c->count ? count : c->count;
    int *ids = ecsim_calloc((size_t)cap, sizeof *ids);
    if (!ids)
        return ECSIM_ENOMEM;
    int failed = 0;
    ecsim_rng rng_failure;
    ecsim_rng_derive_indexed(&rng_failure, c->seed, "cluster.failure", ordinal);
    while (failed < cap) {
        int registered = 0;
        for (int i = 0; i < c->count; i++)
            if (c->nodes[i].pub.state == CLUSTER_INSTANCE_REGISTERED)
                registered++;
        if (registered == 0)
            break;
        uint64_t r = ecsim_rng_below(&rng_failure, (uint64_t)registered);
        node *victim = NULL;
        for (int i = 0; i < c->count && !victim; i++)
            if (c->nodes[i].pub.state == CLUSTER_INSTANCE_REGISTERED && r-- == 0)
                victim = &c->nodes[i];
        int tasks = victim->pub.tasks;
        lose_node(c, victim);
        ids[failed++] = victim->pub.id;
        cluster_log(c, "%s i-%04d (az %d) failed its EC2 status checks and was terminated: %d %s%s lost",
                    c->cfg.instance_noun, victim->pub.id, victim->pub.az, tasks, c->cfg.task_noun,
                    plural(tasks));
    }
    /* Every victim is marked lost before the owner hears of any, so that it
     * cannot re-place tasks onto an instance that is about to fail. */
    if (failed_ids)
        memcpy(failed_ids, ids, (size_t)failed * sizeof *ids);
    notify_lost(c, ids, failed);
    ecsim_free(ids);
    if (failed > 0)
        schedule_replacement(c);
    return failed;
}

int cluster_az_outage(sim_cluster *c, int az, double duration_s)
{
    if (az < 1 || az > c->zones || !(duration_s >= 0) || !isfinite(duration_s))
        return ECSIM_EINVAL;
    double until = now_s(c) + duration_s;
    if (until > c->outage_until_s[az - 1]) {
        c->outage_until_s[az - 1] = until;
        if (c->outage_end[az - 1])
            ecsim_engine_cancel(c->eng, c->outage_end[az - 1]);
        c->outage_end[az - 1] = ecsim_engine_schedule(c->eng, until, on_outage_end, c, (uint64_t)az);
        if (c->outage_end[az - 1] == 0)
            return ECSIM_ENOMEM;
    }
    int lost = 0, registered_lost = 0;
    int ids_cap = c->count > 0 ? c->count : 1;
    int *ids = ecsim_calloc((size_t)ids_cap, sizeof *ids);
    if (!ids)
        return ECSIM_ENOMEM;
    for (int i = 0; i < c->count; i++) {
        node *n = &c->nodes[i];
        if (!node_alive(n) || n->pub.az != az)
            continue;
        if (n->pub.state == CLUSTER_INSTANCE_REGISTERED)
            registered_lost++;
        lose_node(c, n);
        ids[lost++] = n->pub.id;
    }
    char b1[32];
    cluster_log(c, "availability zone %d outage for %s s: %d %s%s lost (%d registered)", az,
                num(b1, sizeof b1, duration_s), lost, c->cfg.instance_noun, plural(lost), registered_lost);
    notify_lost(c, ids, lost);
    ecsim_free(ids);
    if (lost > 0)
        schedule_replacement(c);
    return 0;
}

static void on_outage_end(ecsim_engine *eng, void *ctx, uint64_t arg)
{
    (void)eng;
    sim_cluster *c = ctx;
    int az = (int)arg;
    c->outage_end[az - 1] = 0;
    cluster_log(c, "availability zone %d is available again", az);
    /* Replacements that found no zone can go now. */
    if (alive_count(c, NULL) < c->asg_desired)
        schedule_replacement(c);
}

/* ---- accounting ------------------------------------------------------------------- */

void cluster_get_counts(const sim_cluster *c, cluster_counts *out)
{
    memset(out, 0, sizeof *out);
    for (int i = 0; i < c->count; i++) {
        const node *n = &c->nodes[i];
        if (n->pub.state == CLUSTER_INSTANCE_BOOTING)
            out->booting++;
        if (n->pub.state != CLUSTER_INSTANCE_REGISTERED)
            continue;
        out->registered++;
        if (n->pub.tasks == 0)
            out->empty++;
        out->tasks += n->pub.tasks;
        out->vcpu_used += n->pub.vcpu_used;
        out->memory_gb_used += n->pub.memory_gb_used;
        out->vcpu_total += c->spec.vcpu;
        out->memory_gb_total += c->spec.memory_gb;
    }
    out->pending = c->pending_count;
    out->launched_total = c->launched_total;
    out->terminated_total = c->terminated_total;
    out->lost_total = c->lost_total;
    out->last_reservation = c->last_reservation;
}

int cluster_instance_count(const sim_cluster *c) { return c->count; }

const cluster_instance *cluster_instance_get(const sim_cluster *c, int instance_id)
{
    if (instance_id < 1 || instance_id > c->count)
        return NULL;
    return &c->nodes[instance_id - 1].pub;
}

int cluster_instance_interval(const sim_cluster *c, int instance_id, double now, double *start_s,
                              double *stop_s)
{
    const cluster_instance *in = cluster_instance_get(c, instance_id);
    if (!in)
        return ECSIM_ENOENT;
    *start_s = in->launched_s;
    *stop_s = isnan(in->stopped_s) ? now : in->stopped_s;
    return 0;
}
