/* ecsim: a discrete-event simulator of the container lifecycle on AWS.
 * The umbrella header: include this to use the whole public API. */
#ifndef ECSIM_ECSIM_H
#define ECSIM_ECSIM_H

#include "ecsim/version.h"
#include "ecsim/alloc.h"
#include "ecsim/diag.h"
#include "ecsim/engine.h"
#include "ecsim/error.h"
#include "ecsim/loader.h"
#include "ecsim/output.h"
#include "ecsim/rng.h"
#include "ecsim/scenario.h"
#include "ecsim/table.h"
#include "ecsim/timeline.h"
#include "ecsim/plot.h"
#include "ecsim/sim.h"
#include "ecsim/report.h"

#endif
