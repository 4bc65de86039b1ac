/* The glossary (glossary.h): one table of terms, their patterns and their
 * one-line definitions, and the lookups over it.
 *
 * The definitions follow ../shared/reference/aws-k8s-semantics.md where it
 * gives a rule (target tracking and its alarms §1.2, step scaling §1.3,
 * deployments, circuit breaker, throttle §2.2, health checks and stopping
 * §2.1, task states and ENI §2.3, image pulls and CannotPullContainerError
 * §2.4-2.5, capacity providers, managed scaling and placement §3, immutable
 * tags §4, HPA §5, prices §6, CloudWatch datapoints §7), written for a
 * student who has never used AWS; the printed text carries no citations. The table is kept in alphabetical
 * order (case folded); tests/test_glossary.c checks that, and that every
 * term step mode prints for the shipped scenarios is found here. */
#include "glossary.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "ecsim/error.h"

static const ecsim_glossary_entry entries[] = {
    {"ACTIVATING", "=ACTIVATING",
     "Task state after the container started: ECS registers the task with its load balancer "
     "and service discovery before calling it RUNNING."},
    {"alarm", "alarm|alarms|CloudWatch alarm|AlarmHigh|AlarmLow",
     "A CloudWatch rule that watches one metric and switches to ALARM when M of the last N "
     "datapoints cross a threshold; target tracking uses a high and a low alarm."},
    {"Application Auto Scaling", "Application Auto Scaling",
     "The AWS service that changes an ECS service's desired count according to scaling "
     "policies (target tracking, step scaling, scheduled actions)."},
    {"autoscaler", "autoscaler|autoscaling|auto scaling",
     "Whatever changes the number of tasks or pods automatically from metrics or a schedule; "
     "in ecsim the scenario's `autoscaler` policy."},
    {"availability zone", "=AZ|availability zone|availability zones|zone",
     "One of the separate data centres of an AWS region (AZ); a service spreads its tasks "
     "over zones so that losing one zone does not stop the app."},
    {"Back-off", "Back-off|BackOff|CrashLoopBackOff",
     "Kubernetes waits longer and longer (10 s, 20 s, 40 s ... up to 5 min) before "
     "restarting a container that keeps crashing."},
    {"binpack", "binpack",
     "A placement strategy: put each new task on the instance with the least free CPU or "
     "memory that still fits it, to use as few instances as possible."},
    {"CannotPullContainerError", "CannotPullContainerError",
     "The error a task stops with when its image cannot be downloaded: the tag was never "
     "pushed, is misspelt, or the registry cannot be reached."},
    {"capacity provider", "capacity provider|capacity providers|CapacityProviderReservation",
     "Links an ECS cluster to a group of EC2 instances and, with managed scaling, adds or "
     "removes instances so that the tasks fit."},
    {"circuit breaker", "circuit breaker|deployment circuit breaker",
     "ECS's deployment safety switch: after too many tasks of a new deployment fail to start "
     "or fail health checks it marks the deployment FAILED and can roll back."},
    {"CloudWatch", "CloudWatch|Amazon CloudWatch",
     "AWS's monitoring service: it collects metrics such as CPU use, publishes one datapoint "
     "per period a little late, and evaluates alarms on them."},
    {"cluster", "cluster|clusters",
     "A group of machines (EC2 instances or Kubernetes nodes) that tasks or pods are placed "
     "on; Fargate needs none of your own."},
    {"cluster autoscaler", "cluster autoscaler",
     "The Kubernetes add-on that starts a new node when pods cannot be scheduled and removes "
     "nodes that have stayed empty."},
    {"cold start", "cold start|cold starts|coldstart",
     "The time from asking for a new task to it serving traffic: capacity, image pull, "
     "container start and health checks."},
    {"container", "container|containers",
     "A running copy of a container image: an isolated process with its own files, sharing "
     "the host's operating system kernel."},
    {"container image", "container image|container images|image|images",
     "A packaged application with everything it needs to run (code, runtime, libraries), "
     "built once with docker build and run the same way everywhere."},
    {"container instance", "container instance|container instances|container-instance",
     "An EC2 virtual machine registered in an ECS cluster, on which ECS places tasks."},
    {"cooldown", "cooldown|cooldowns|scale_out_cooldown|scale_in_cooldown",
     "A waiting time after a scaling action during which the policy does not scale again in "
     "the same way, so that new tasks can take effect first."},
    {"CPUUtilization", "CPUUtilization|CPU utilisation|CPU utilization",
     "The CloudWatch metric of an ECS service: the CPU its tasks use, as a percentage of the "
     "CPU they reserved, averaged over the period."},
    {"datapoint", "datapoint|datapoints|data point|data points",
     "One value of a metric for one period (for example the average CPU over 60 s); "
     "CloudWatch publishes it some time after the period ends."},
    {"DEACTIVATING", "=DEACTIVATING",
     "Task state when it is being taken out of service: it is deregistered from the load "
     "balancer and its connections drain before it stops."},
    {"deployment", "deployment|deployments|ecs-svc",
     "One rollout of a task definition revision to a service (ecs-svc/N in ECS; a "
     "Kubernetes Deployment does the same with ReplicaSets)."},
    {"deregistration delay", "deregistration delay|deregistration_delay|draining|connection draining",
     "How long a load balancer keeps sending in-flight requests to a task it is removing "
     "before cutting it off (300 s by default)."},
    {"desired count", "desired count|desired tasks|desired",
     "The number of tasks a service tries to keep running; you set it, and the autoscaler "
     "changes it."},
    {"DesiredWithinRange", "DesiredWithinRange",
     "The HPA's note that the replica count it computed lies between its minimum and maximum, "
     "so it was applied as computed."},
    {"digest", "digest|digests|sha256",
     "An image's content fingerprint (sha256:...): it names exactly one image and never "
     "changes, unlike a tag, which can be moved."},
    {"docker build", "docker build",
     "The command that builds a container image from a Dockerfile."},
    {"docker push", "docker push|push|pushed|pushing",
     "Uploading an image from the build machine to a registry such as Amazon ECR, under a "
     "repository and tag."},
    {"EC2", "=EC2|EC2 instance|EC2 instances",
     "Amazon's virtual machines (instances), billed per hour; ECS on EC2 and EKS run tasks "
     "and pods on them."},
    {"ECR", "=ECR|Amazon ECR|Elastic Container Registry",
     "Amazon Elastic Container Registry: AWS's private registry that stores your container "
     "images."},
    {"ECS", "=ECS|Amazon ECS|Elastic Container Service",
     "Amazon Elastic Container Service: AWS's own container orchestrator; it runs tasks and "
     "keeps services at their desired count."},
    {"EKS", "=EKS|Amazon EKS|Elastic Kubernetes Service",
     "Amazon Elastic Kubernetes Service: Kubernetes run by AWS, with pods on EC2 nodes or on "
     "Fargate."},
    {"ENI", "=ENI|ENIs|elastic network interface",
     "Elastic network interface: a virtual network card; every Fargate task gets its own, "
     "attached while the task is PROVISIONING."},
    {"EssentialContainerExited", "EssentialContainerExited|essential container",
     "The stop code of a task whose essential (main) container exited: when it stops, ECS "
     "stops the whole task and the service starts a new one."},
    {"FailedScheduling", "FailedScheduling|unschedulable",
     "Kubernetes' event for a pod that no node can take (not enough free CPU or memory); the "
     "cluster autoscaler reacts to it by adding a node."},
    {"Fargate", "Fargate|Fargate Spot",
     "Serverless compute for containers: AWS runs each task on its own small virtual machine "
     "and bills its vCPU and memory per second; there are no servers to manage."},
    {"Fargate profile", "Fargate profile|Fargate profiles",
     "An EKS setting that says which pods run on Fargate (by namespace and labels); each such "
     "pod gets its own Fargate micro-VM."},
    {"health check", "health check|health checks|healthy|unhealthy",
     "A regular probe (an HTTP path or a command) that tells whether a container works; "
     "tasks that keep failing it are replaced."},
    {"health check grace period", "health check grace|health_check_grace|grace period|"
                                  "healthCheckGracePeriodSeconds",
     "Time after a task starts during which failed health checks are ignored, so that a slow "
     "starter is not killed."},
    {"healthy threshold", "healthy threshold|healthy_threshold|UnhealthyThreshold|"
                          "unhealthy threshold|unhealthy_threshold",
     "How many health checks in a row must pass (or fail) before a load balancer target is "
     "called healthy (or unhealthy)."},
    {"HPA", "=HPA|=hpa|Horizontal Pod Autoscaler|SuccessfulRescale",
     "Kubernetes' Horizontal Pod Autoscaler: sets a Deployment's replicas so that average "
     "use per pod (for example CPU) meets a target."},
    {"ImagePullBackOff", "ImagePullBackOff|ErrImagePull",
     "Kubernetes' state for a pod whose image cannot be pulled (ErrImagePull); the kubelet "
     "retries with longer and longer waits."},
    {"ImageTagAlreadyExistsException", "ImageTagAlreadyExistsException",
     "The error ECR returns when you push a tag that already exists in a repository with "
     "immutable tags: the push is refused and the old image keeps the tag."},
    {"immutable tags", "immutable tags|immutable tag|immutable_tags|tag immutability|immutable",
     "A repository setting: once a tag is pushed it cannot be pushed again with other "
     "content, so a tag always means the same image."},
    {"INSUFFICIENT_DATA", "=INSUFFICIENT_DATA",
     "The state of a CloudWatch alarm that does not yet have enough datapoints to decide "
     "between OK and ALARM."},
    {"kubelet", "kubelet",
     "The Kubernetes agent on every node: it pulls images, starts the pod's containers and "
     "reports their state."},
    {"Kubernetes", "Kubernetes|k8s",
     "The open-source container orchestrator; EKS is Kubernetes run by AWS. It runs pods and "
     "keeps Deployments at their replica count."},
    {"load balancer", "load balancer|load balancers|ALB|Application Load Balancer",
     "Spreads incoming requests over the healthy tasks of a service and checks their health "
     "(an Application Load Balancer with a target group)."},
    {"managed scaling", "managed scaling|managed_scaling",
     "A capacity provider feature: ECS adds or removes EC2 instances to keep the cluster's "
     "reservation near a target percentage."},
    {"maximumPercent", "maximumPercent|maximum_percent|max_percent",
     "Deployment setting: the most tasks (old plus new) that may run during a rollout, as a "
     "percentage of the desired count; 200 % by default."},
    {"metric", "metric|metrics",
     "A named series of measurements over time, such as CPUUtilization or requests per "
     "target, that alarms and scaling policies read."},
    {"minimum capacity", "minimum capacity|maximum capacity|MinCapacity|MaxCapacity|"
                         "min capacity|max capacity",
     "The bounds a scaling policy keeps the desired count within (MinCapacity and "
     "MaxCapacity; the scenario's autoscaler min and max)."},
    {"minimumHealthyPercent", "minimumHealthyPercent|minimum_healthy_percent|min_healthy_percent",
     "Deployment setting: the fewest healthy tasks that must keep running during a rollout, "
     "as a percentage of the desired count; 100 % by default."},
    {"NAT gateway", "NAT gateway|=NAT",
     "A network device that lets tasks in private subnets reach the internet (and public AWS "
     "endpoints such as ECR) without being reachable from it."},
    {"node", "node|nodes",
     "A machine (an EC2 instance) in a Kubernetes cluster, on which pods run."},
    {"PENDING", "=PENDING",
     "Task state while its image is pulled and its containers are started, after "
     "PROVISIONING and before RUNNING."},
    {"placement strategy", "placement strategy|placement|placed|place",
     "How ECS chooses the instance for a new task: binpack fills instances, spread shares "
     "tasks across zones or instances."},
    {"pod", "pod|pods",
     "Kubernetes' smallest unit: one or more containers started together on a node; the "
     "counterpart of an ECS task."},
    {"predictive scaling", "predictive scaling|predictive",
     "A scaling policy that forecasts the load from its history and adds capacity before the "
     "load arrives."},
    {"PROVISIONING", "=PROVISIONING",
     "First task state: ECS finds capacity for the task and attaches its network interface "
     "(ENI)."},
    {"pull", "pull|pulls|pulled|image pull|pulling",
     "Downloading an image from the registry to the machine that runs the task; it takes "
     "about image size / bandwidth."},
    {"quota", "quota|quotas|service quota",
     "An account limit set by AWS, such as how many Fargate vCPUs may run at once; launches "
     "beyond it fail until it is raised."},
    {"registry", "registry|registries|container registry",
     "A server that stores container images by repository and tag; every task pulls its "
     "image from it."},
    {"ReplicaSet", "ReplicaSet|ReplicaSets",
     "The Kubernetes object that keeps a number of identical pods running; a Deployment makes "
     "a new one for each version it rolls out."},
    {"repository", "repository|repositories",
     "One named collection in a registry holding all the tags of an image (shop-web:1.0, "
     "shop-web:1.1, ...)."},
    {"revision", "revision|revisions|task definition revision",
     "A numbered version of a task definition; every change (a new image tag, more memory) "
     "registers a new revision."},
    {"rollback", "rollback|rollbacks|roll back|rolled back|rolling back",
     "Returning a service to the last deployment that completed, after a new one failed."},
    {"rolling update", "rolling update|rolling deployment|rolled out|roll out|rolls out",
     "Replacing old tasks or pods by new ones a few at a time, within minimumHealthyPercent "
     "and maximumPercent, so the app keeps serving."},
    {"rolloutState", "rolloutState|rollout state",
     "A deployment's progress as ECS reports it: IN_PROGRESS, COMPLETED or FAILED."},
    {"RUNNING", "=RUNNING",
     "Task state when its containers have started and passed activation; with a load "
     "balancer it must still pass health checks before it takes traffic."},
    {"S3", "=S3|Amazon S3",
     "Amazon's object storage; ECR keeps image layers in it, so pulling an image also needs "
     "a route to S3."},
    {"scale in", "scale in|scale-in|scaled in|scales in",
     "Remove tasks or instances because demand fell."},
    {"scale out", "scale out|scale-out|scaled out|scales out",
     "Add tasks or instances because demand rose."},
    {"scale-in protection", "scale-in protection|protected from scale-in|instance protection",
     "A flag on an EC2 instance that stops managed scaling from terminating it while it runs "
     "tasks."},
    {"ScalingLimited", "ScalingLimited|TooManyReplicas|TooFewReplicas",
     "The HPA condition saying the replica count it wanted was cut to its maximum "
     "(TooManyReplicas) or raised to its minimum (TooFewReplicas)."},
    {"scheduled action", "scheduled action|scheduled actions|scheduled scaling|scheduled",
     "A scaling rule that sets the minimum, maximum or desired count at a given time, for "
     "load you know in advance."},
    {"service", "service|services|ECS service",
     "The ECS object that keeps the desired number of tasks of one task definition running, "
     "replaces failed ones and rolls out new versions."},
    {"service throttle", "throttle|throttled|throttling|service throttle",
     "When a service's tasks keep failing to start, ECS waits longer and longer between "
     "launch attempts (up to about 15 min)."},
    {"SIGTERM", "=SIGTERM|=SIGKILL",
     "The signal asking a container to stop cleanly; if it has not stopped after the stop "
     "timeout (30 s), SIGKILL ends it."},
    {"SLO", "=SLO|service level objective|slo_p99",
     "Service level objective: the latency or availability the app promises, such as 99 % "
     "of requests under 300 ms."},
    {"Spot", "=Spot|Spot interruption|SpotInterruption",
     "Spare AWS capacity sold at a discount that AWS can take back with a two-minute warning "
     "(Fargate Spot, EC2 Spot)."},
    {"spread", "spread",
     "A placement strategy: share the tasks evenly over availability zones (or instances) so "
     "that one failure takes few of them."},
    {"steady state", "steady state",
     "ECS's message when a service has all its desired tasks running and healthy and no "
     "deployment is in progress."},
    {"step scaling", "step scaling|step_scaling",
     "A scaling policy that adds or removes a set number of tasks depending on how far an "
     "alarm's metric is past its threshold."},
    {"stopCode", "stopCode|stop code|TaskStopCode|ServiceSchedulerInitiated|UserInitiated",
     "The reason ECS records when a task stops: TaskFailedToStart, EssentialContainerExited, "
     "SpotInterruption, ServiceSchedulerInitiated ..."},
    {"STOPPED", "=STOPPED|=STOPPING",
     "Final task states: STOPPING while the containers are asked to exit, STOPPED when they "
     "are gone; a stopped task is never restarted, the service starts a new one."},
    {"subnet", "subnet|subnets",
     "A range of network addresses inside a VPC, in one availability zone; each task's "
     "network interface is placed in a subnet."},
    {"tag", "tag|tags",
     "A human-chosen name for an image version (1.0, latest) inside a repository; unlike the "
     "digest it can be moved to another image."},
    {"target group", "target group|target groups|target-group",
     "The list of tasks a load balancer sends requests to, with the health checks that "
     "decide which of them are healthy."},
    {"target tracking", "target tracking|target_tracking",
     "A scaling policy that works like a thermostat: it changes the desired count to keep a "
     "metric (for example average CPU) near a target value."},
    {"task", "task|tasks",
     "One running copy of a task definition (one or more containers) in ECS; a service "
     "scales by adding and removing tasks."},
    {"task definition", "task definition|task definitions",
     "The blueprint of an ECS task: image, CPU, memory, ports, health check; each change "
     "registers a new revision."},
    {"TaskFailedToStart", "TaskFailedToStart",
     "The stop code of a task that stopped before it ever reached RUNNING, for example "
     "because its image could not be pulled."},
    {"TerminationNotice", "TerminationNotice",
     "The stop code of a task whose host is being taken away (a failed instance, a lost "
     "zone): ECS stops it and the service starts a replacement elsewhere."},
    {"vCPU", "vCPU|vCPUs",
     "A virtual CPU: the unit in which CPU is reserved for a task and billed on Fargate."},
    {"VPC", "=VPC|VPC endpoint|VPC endpoints",
     "Virtual private cloud: your private network in AWS; a VPC endpoint lets tasks reach "
     "an AWS service such as ECR without going through the internet."},
    {"warm-up period", "warm-up|warmup|instanceWarmupPeriod|warm-up period",
     "Time after a new instance starts during which its metrics are not yet counted, so "
     "managed scaling does not launch more instances for the same need."},
};

#define COUNT (sizeof entries / sizeof entries[0])

const ecsim_glossary_entry *ecsim_glossary_entries(size_t *count)
{
    *count = COUNT;
    return entries;
}

static bool is_word_char(char c)
{
    return isalnum((unsigned char)c) || c == '_';
}

/* Case-insensitive equality of `a` (length n) with the NUL-terminated `b`. */
static bool eq_n(const char *a, size_t n, const char *b, bool exact)
{
    if (strlen(b) != n)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (exact ? a[i] != b[i] : tolower((unsigned char)a[i]) != tolower((unsigned char)b[i]))
            return false;
    }
    return true;
}

/* Calls fn(pattern, length, exact) for each pattern of `e` until it returns true. */
static bool any_pattern(const ecsim_glossary_entry *e,
                        bool (*fn)(const char *p, size_t n, bool exact, void *ctx), void *ctx)
{
    const char *p = e->patterns;
    while (*p) {
        size_t n = strcspn(p, "|");
        bool exact = p[0] == '=';
        if (fn(p + exact, n - exact, exact, ctx))
            return true;
        p += n;
        if (*p == '|')
            p++;
    }
    return false;
}

typedef struct find_ctx {
    const char *term;
    size_t len;
} find_ctx;

static bool pattern_equals(const char *p, size_t n, bool exact, void *ctx)
{
    (void)exact; /* a lookup ignores case */
    const find_ctx *f = ctx;
    char buf[96];
    if (n >= sizeof buf)
        return false;
    memcpy(buf, p, n);
    buf[n] = '\0';
    return eq_n(f->term, f->len, buf, false);
}

static const ecsim_glossary_entry *find_exact(const char *term, size_t len)
{
    find_ctx f = {term, len};
    for (size_t i = 0; i < COUNT; i++)
        if (eq_n(term, len, entries[i].term, false))
            return &entries[i];
    for (size_t i = 0; i < COUNT; i++)
        if (any_pattern(&entries[i], pattern_equals, &f))
            return &entries[i];
    return NULL;
}

const ecsim_glossary_entry *ecsim_glossary_find(const char *term)
{
    if (!term)
        return NULL;
    while (*term == ' ' || *term == '\t')
        term++;
    size_t len = strlen(term);
    while (len && (term[len - 1] == ' ' || term[len - 1] == '\t'))
        len--;
    if (len == 0)
        return NULL;
    const ecsim_glossary_entry *e = find_exact(term, len);
    if (!e && len > 2 && (term[len - 1] == 's' || term[len - 1] == 'S'))
        e = find_exact(term, len - 1);
    return e;
}

/* Optimal string alignment distance, case-insensitive, for short strings. */
static int distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 63 || lb > 63)
        return 99;
    int d[64][64];
    for (size_t i = 0; i <= la; i++)
        d[i][0] = (int)i;
    for (size_t j = 0; j <= lb; j++)
        d[0][j] = (int)j;
    for (size_t i = 1; i <= la; i++) {
        for (size_t j = 1; j <= lb; j++) {
            int cost = tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]);
            int best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best)
                best = d[i][j - 1] + 1;
            if (d[i - 1][j - 1] + cost < best)
                best = d[i - 1][j - 1] + cost;
            if (i > 1 && j > 1 &&
                tolower((unsigned char)a[i - 1]) == tolower((unsigned char)b[j - 2]) &&
                tolower((unsigned char)a[i - 2]) == tolower((unsigned char)b[j - 1]) &&
                d[i - 2][j - 2] + 1 < best)
                best = d[i - 2][j - 2] + 1;
            d[i][j] = best;
        }
    }
    return d[la][lb];
}

static bool contains_ci(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (const char *h = hay; *h; h++)
        if (strncasecmp(h, needle, n) == 0)
            return true;
    return false;
}

const ecsim_glossary_entry *ecsim_glossary_suggest(const char *term)
{
    if (!term || !*term)
        return NULL;
    const ecsim_glossary_entry *best = NULL;
    int best_d = 99;
    size_t len = strlen(term);
    for (size_t i = 0; i < COUNT; i++) {
        int d = distance(term, entries[i].term);
        if (d < best_d) {
            best_d = d;
            best = &entries[i];
        }
    }
    if (best && best_d <= (int)(len / 3 > 0 ? len / 3 : 1))
        return best;
    if (len >= 3)
        for (size_t i = 0; i < COUNT; i++)
            if (contains_ci(entries[i].term, term))
                return &entries[i];
    return NULL;
}

typedef struct use_ctx {
    const char *text;
    long first;
} use_ctx;

static bool pattern_first_use(const char *p, size_t n, bool exact, void *ctx)
{
    use_ctx *u = ctx;
    if (n == 0)
        return false;
    for (const char *t = u->text; *t; t++) {
        if (u->first >= 0 && t - u->text >= u->first)
            break;
        if (t > u->text && is_word_char(t[-1]))
            continue;
        if (exact ? strncmp(t, p, n) != 0 : strncasecmp(t, p, n) != 0)
            continue;
        if (is_word_char(t[n]))
            continue;
        u->first = (long)(t - u->text);
        break;
    }
    return false; /* try every pattern: the earliest wins */
}

long ecsim_glossary_first_use(const ecsim_glossary_entry *e, const char *text)
{
    use_ctx u = {text, -1};
    any_pattern(e, pattern_first_use, &u);
    return u.first;
}

void ecsim_glossary_print_entry(const ecsim_glossary_entry *e, FILE *out)
{
    fprintf(out, "%s: %s\n", e->term, e->definition);
}

int ecsim_glossary_main(const char *term, FILE *out, FILE *err)
{
    if (!term) {
        for (size_t i = 0; i < COUNT; i++)
            ecsim_glossary_print_entry(&entries[i], out);
        return ECSIM_EXIT_OK;
    }
    const ecsim_glossary_entry *e = ecsim_glossary_find(term);
    if (e) {
        ecsim_glossary_print_entry(e, out);
        return ECSIM_EXIT_OK;
    }
    const ecsim_glossary_entry *near = ecsim_glossary_suggest(term);
    if (near)
        fprintf(err, "ecsim glossary: error: no entry for `%s`; did you mean `%s`?\n", term,
                near->term);
    else
        fprintf(err, "ecsim glossary: error: no entry for `%s` (`ecsim glossary` lists every "
                     "term)\n",
                term);
    return ECSIM_EXIT_USAGE;
}
