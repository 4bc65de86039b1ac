/* The starting values of a run's summary figures (include/ecsim/summary.h). */
#include "ecsim/summary.h"

#include <math.h>
#include <string.h>

void ecsim_summary_init(ecsim_summary *s, int desired)
{
    memset(s, 0, sizeof *s);
    s->first_scale_out_s = NAN;
    s->under_capacity_after_steady_s = NAN;
    s->unserved_after_steady_requests = NAN;
    s->min_desired = s->max_desired = desired;
}
