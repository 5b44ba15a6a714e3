/* interp_loop.h: one interpreter loop over the shared handlers, for the
 * goto-based strategies. interp.c includes it once per strategy after
 * defining RUN_NAME and STRATEGY_DIRECT, STRATEGY_INDIRECT or
 * STRATEGY_SWITCH. Called with th == NULL, the function only hands out its
 * table of handler addresses (direct threading needs them at lowering). */

/* The SIMD handlers' semantics (include-guarded: this file is included once
 * per strategy). */
#include "simd.h"

static wx_trap RUN_NAME(wx_thread *th, wx_instance *inst, const ir_word *ip, wx_slot *fp,
                        const void ***labels_out)
{
#if !defined(STRATEGY_SWITCH)
    /* The label of every handler, in opcode order. */
    static const void *labels[IR_OP_COUNT] = {
#define IR_BINARY(N, t, IN, OUT, e) &&L_##N##_RR, &&L_##N##_RI, &&L_##N##_IR,
#define IR_COMPARE(N, t, IN, e) &&L_##N##_RR, &&L_##N##_RI, &&L_##N##_IR, \
    &&L_##N##_JT_RR, &&L_##N##_JT_RI, &&L_##N##_JF_RR, &&L_##N##_JF_RI,
#define IR_BINARY_TRAP(N, t, T, fn) &&L_##N##_RR, &&L_##N##_RI, &&L_##N##_IR,
#define IR_UNARY(N, t, IN, OUT, e) &&L_##N,
#define IR_UNARY_TRAP(N, t, IN, OUT, fn) &&L_##N,
#define IR_LOAD(N, t, OUT, M) &&L_##N, &&L_##N##_CHK, &&L_##N##_IDX, &&L_##N##_IDX_CHK, \
    &&L_##N##_ADD, &&L_##N##_ADD_CHK, &&L_##N##_ABS, &&L_##N##_ABS_CHK,
#define IR_STORE(N, t, IN, M) &&L_##N, &&L_##N##_CHK, &&L_##N##_ADD, &&L_##N##_ADD_CHK, \
    &&L_##N##_ABS, &&L_##N##_ABS_CHK,
#define IR_OP(N, F, t) &&L_##N,
#define IR_V_UNARY(N, t, fn) &&L_##N,
#define IR_V_BINARY(N, t, fn) &&L_##N,
#define IR_V_TERNARY(N, t, fn) &&L_##N,
#define IR_V_SHIFT(N, t, fn) &&L_##N, &&L_##N##_RI,
#define IR_V_SPLAT(N, t, IN, fn) &&L_##N,
#define IR_V_TEST(N, t, fn) &&L_##N,
#define IR_V_EXTRACT(N, t, OUT, fn) &&L_##N,
#define IR_V_REPLACE(N, t, IN, fn) &&L_##N,
#define IR_V_LOAD(N, t, W, fn) &&L_##N, &&L_##N##_CHK,
#define IR_V_STORE(N, t, W, fn) &&L_##N, &&L_##N##_CHK,
#define IR_V_LOAD_LANE(N, t, W) &&L_##N, &&L_##N##_CHK,
#define IR_V_STORE_LANE(N, t, W) &&L_##N, &&L_##N##_CHK,
#include "ir_ops.def"
#define IR_PAIR(A, B) &&L_##A##__##B,
#include "ir_pairs.def"
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
