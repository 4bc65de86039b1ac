/* What the lifecycle recorder records (sim/model/lifecycle.c): the steps of
 * the seed's Process Table, the tracked variables of its Status Tracker,
 * and one execution-table row per step. The reports read them through
 * ecsim_sim_step_record() and ecsim_sim_start_state() (include/ecsim/sim.h). */
#ifndef ECSIM_LIFECYCLE_H
#define ECSIM_LIFECYCLE_H

#include <stdbool.h>

/* The lifecycle steps of the seed's Process Table. */
enum {
    ECSIM_STEP_PACKAGE = 1,   /* build the image */
    ECSIM_STEP_PUSH = 2,      /* push it to the registry */
    ECSIM_STEP_PROVISION = 3, /* create the service */
    ECSIM_STEP_DEPLOY = 4,    /* deploy tasks from the image */
    ECSIM_STEP_RUN = 5,       /* run and scale */
    ECSIM_STEP_MONITOR = 6,   /* monitor and update */
    ECSIM_STEP_END = 7,
    ECSIM_STEP_COUNT = 7
};

/* The tracked variables of the status tracker at one moment. */
typedef struct ecsim_tracked {
    char image[64];           /* "App Container Image": None, Created, Stored in AWS Registry, ... */
    char infrastructure[64];  /* "AWS Infrastructure": Not used, Provisioned for service, ... */
    char deployment[48];      /* rollout state: "—", "In progress", "Completed", "Failed", "Rolled back" */
    int desired;              /* service desired count */
    int running;              /* tasks RUNNING */
    double demand_rps;
    double capacity_rps;      /* ready (healthy) tasks x per-task capacity */
} ecsim_tracked;

/* One row of the execution table, with what step mode explains. */
typedef struct ecsim_step_record {
    int step;                 /* 1..ECSIM_STEP_COUNT */
    bool reached;             /* false: the run never got there (shown as "—") */
    bool failed;              /* the step happened and failed */
    double time_s;            /* when the step completed (or failed) */
    char action[96];          /* the seed's Action column */
    char role[128];           /* the seed's AWS role column */
    char result[320];         /* the seed's Result column, with this run's facts */
    char user_did[192];       /* step mode: what the user did */
    char aws_did[640];        /* step mode: what AWS did, in this run */
    char why[400];            /* step mode: why the step matters (seed's Key Moments) */
    char fix[320];            /* step mode, failures: what the user should change ("" if none) */
    ecsim_tracked after;      /* tracked variables after the step */
} ecsim_step_record;

#endif
