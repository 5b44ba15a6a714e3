/* profile.h: execution counts of IR instructions and of instruction pairs,
 * kept by the switch strategy in a build configured with -Dprofile=true.
 * Lowering's fusions are chosen from what these counts show. */
#ifndef WEFT_PROFILE_H
#define WEFT_PROFILE_H

#include <stdint.h>

#include "ir.h"

#ifdef WEFT_PROFILE
/* Counts one execution of `op`, after the instruction executed before it. */
void wx_profile_count(uint64_t op);
#define WX_PROFILE_COUNT(op) wx_profile_count(op)
#else
#define WX_PROFILE_COUNT(op) ((void)0)
#endif

#endif
