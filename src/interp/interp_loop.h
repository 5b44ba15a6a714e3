/* interp_loop.h: one interpreter loop over the shared handlers, for the
 * goto-based strategies. interp_direct.c, interp_indirect.c and
 * interp_switch.c include it after defining RUN_NAME and STRATEGY_DIRECT,
 * STRATEGY_INDIRECT or STRATEGY_SWITCH. Called with th == NULL, the
 * function only hands out its table of handler addresses (direct threading
 * needs them at lowering). */

#include <string.h>

#include "interp.h"
#include "gc.h"
#include "interp_body.h"
#include "lower.h"
#include "numeric.h"
#include "profile.h"
#include "simd.h"

wx_trap RUN_NAME(wx_thread *th, wx_instance *inst, const ir_word *ip, wx_slot *fp,
                        const void ***labels_out)
{
#if !defined(STRATEGY_SWITCH)
    /* The label of every handler, in opcode order. */
    static const void *labels[IR_OP_COUNT] = {
#define IR_FORM(id, f, t) &&L_##id,
#include "ir_forms.h"
    };
    if (!th) {
        *labels_out = labels;
        return TRAP_NONE;
    }
#else
    if (!th) {
        *labels_out = NULL;
        return TRAP_NONE;
    }
#endif
    uint8_t *mem = inst->mem0->base;
    uint64_t msize = inst->mem0->size;
    /* The accumulators (interp_body.h's wx_acc). */
    uint64_t acc_i = 0;
    double acc_f64 = 0;
    float acc_f32 = 0;

#if defined(STRATEGY_DIRECT)
#define DISPATCH() goto *ip->handler
#define OP(N) L_##N:
#elif defined(STRATEGY_INDIRECT)
#define DISPATCH() goto *labels[ip->op]
#define OP(N) L_##N:
#else
#define DISPATCH() goto dispatch
#define OP(N) case IR_##N: L_##N: __attribute__((unused));
#endif
/* Continues in handler N without a dispatch (the second half of a pair). */
#define CONTINUE(N) goto L_##N
#define TRAP(kind) do { th->trap = (kind); th->trap_ip = ip; th->trap_inst = inst; return (kind); } while (0)

#if defined(STRATEGY_SWITCH)
dispatch:
    WX_PROFILE_COUNT(ip->op);
    switch ((ir_op)ip->op) {
#else
    DISPATCH();
#endif

#include "interp_ops.h"
#include "interp_gc.h"

    OP(EXIT) { th->trap = TRAP_NONE; return TRAP_NONE; }

#if defined(STRATEGY_SWITCH)
    default:
        TRAP(TRAP_UNREACHABLE);
    }
#endif
#undef DISPATCH
#undef CONTINUE
#undef OP
#undef TRAP
    (void)labels_out;
    return TRAP_NONE;
}
