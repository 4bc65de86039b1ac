/* The modules a run is wired from, for the model's own tests: read and
 * drive each one through its own API (service.h, registry.h, scaling.h).
 * Defined in sim.c; nothing in sim/ outside sim.c needs them. */
#ifndef ECSIM_MODEL_SIM_PARTS_H
#define ECSIM_MODEL_SIM_PARTS_H

#include "cluster.h"
#include "registry.h"
#include "scaling.h"
#include "service.h"

typedef struct ecsim_sim ecsim_sim; /* include/ecsim/sim.h */

service *sim_parts_service(const ecsim_sim *sim);
sim_cluster *sim_parts_cluster(const ecsim_sim *sim);
registry *sim_parts_registry(const ecsim_sim *sim);
const scaling *sim_parts_scaling(const ecsim_sim *sim);
ecsim_engine *sim_parts_engine(const ecsim_sim *sim);

#endif
