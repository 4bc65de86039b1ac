/* Error strings for the ECSIM_E* codes (include/ecsim/error.h). */
#include "ecsim/error.h"

const char *ecsim_strerror(int err)
{
    switch (err) {
    case ECSIM_OK: return "success";
    case ECSIM_ENOMEM: return "out of memory";
    case ECSIM_EINVAL: return "invalid input";
    case ECSIM_EIO: return "input/output error";
    case ECSIM_ENOENT: return "no such item";
    case ECSIM_ERANGE: return "value out of range";
    case ECSIM_ESTATE: return "operation not valid in this state";
    case ECSIM_EINTR: return "interrupted";
    case ECSIM_EINTERNAL: return "internal error (an event time that is not finite or is in the past)";
    default: return "unknown error";
    }
}
