/* interp_tail.c: the tail-call dispatch strategy. Each handler of
 * interp_ops.h becomes a function that ends by tail-calling the next one, so
 * the interpreter state lives in argument registers. It needs a compiler
 * that guarantees tail calls (clang's musttail); elsewhere the strategy is
 * absent and says so. */
#include <string.h>

#include "interp.h"
#include "interp_body.h"
#include "numeric.h"
#include "simd.h"

#if defined(__has_attribute) && __has_attribute(musttail)

static inline wx_trap wx_trap_from_num(num_trap k)
{
    return k == NUM_TRAP_DIV_ZERO ? TRAP_DIV_ZERO
         : k == NUM_TRAP_OVERFLOW ? TRAP_OVERFLOW
         : k == NUM_TRAP_INVALID_CONV ? TRAP_INVALID_CONV : TRAP_NONE;
}

typedef wx_trap (*tail_fn)(const ir_word *ip, wx_slot *fp, uint8_t *mem, uint64_t msize,
                           wx_thread *th, wx_instance *inst);

#define U __attribute__((unused))
#define OP(N) static wx_trap h_##N(U const ir_word *ip, U wx_slot *fp, U uint8_t *mem, \
                                   U uint64_t msize, wx_thread *th, U wx_instance *inst)
#define DISPATCH() __attribute__((musttail)) return ((tail_fn)ip->handler)(ip, fp, mem, msize, th, inst)
#define CONTINUE(N) __attribute__((musttail)) return h_##N(ip, fp, mem, msize, th, inst)
#define TRAP(kind) do { th->trap = (kind); th->trap_ip = ip; th->trap_inst = inst; return (kind); } while (0)

#include "interp_ops.h"

OP(EXIT) { th->trap = TRAP_NONE; return TRAP_NONE; }

static const tail_fn handlers[IR_OP_COUNT] = {
#define IR_BINARY(N, t, IN, OUT, e) h_##N##_RR, h_##N##_RI, h_##N##_IR,
#define IR_COMPARE(N, t, IN, e) h_##N##_RR, h_##N##_RI, h_##N##_IR, \
    h_##N##_JT_RR, h_##N##_JT_RI, h_##N##_JF_RR, h_##N##_JF_RI,
#define IR_BINARY_TRAP(N, t, T, fn) h_##N##_RR, h_##N##_RI, h_##N##_IR,
#define IR_UNARY(N, t, IN, OUT, e) h_##N,
#define IR_UNARY_TRAP(N, t, IN, OUT, fn) h_##N,
#define IR_LOAD(N, t, OUT, M) h_##N, h_##N##_CHK, h_##N##_IDX, h_##N##_IDX_CHK, \
    h_##N##_ADD, h_##N##_ADD_CHK, h_##N##_ABS, h_##N##_ABS_CHK,
#define IR_STORE(N, t, IN, M) h_##N, h_##N##_CHK, h_##N##_ADD, h_##N##_ADD_CHK, \
    h_##N##_ABS, h_##N##_ABS_CHK,
#define IR_OP(N, F, t) h_##N,
#define IR_V_UNARY(N, t, fn) h_##N,
#define IR_V_BINARY(N, t, fn) h_##N,
#define IR_V_TERNARY(N, t, fn) h_##N,
#define IR_V_SHIFT(N, t, fn) h_##N, h_##N##_RI,
#define IR_V_SPLAT(N, t, IN, fn) h_##N,
#define IR_V_TEST(N, t, fn) h_##N,
#define IR_V_EXTRACT(N, t, OUT, fn) h_##N,
#define IR_V_REPLACE(N, t, IN, fn) h_##N,
#define IR_V_LOAD(N, t, W, fn) h_##N, h_##N##_CHK,
#define IR_V_STORE(N, t, W, fn) h_##N, h_##N##_CHK,
#define IR_V_LOAD_LANE(N, t, W) h_##N, h_##N##_CHK,
#define IR_V_STORE_LANE(N, t, W) h_##N, h_##N##_CHK,
#include "ir_ops.def"
#define IR_PAIR(A, B) h_##A##__##B,
#include "ir_pairs.def"
};

bool wx_tail_handlers(const void **out)
{
    if (out)
        for (unsigned op = 0; op < IR_OP_COUNT; op++)
            out[op] = (const void *)handlers[op];
    return true;
}

wx_trap wx_run_tail(wx_thread *th, wx_instance *inst, const ir_word *ip, wx_slot *fp)
{
    return ((tail_fn)ip->handler)(ip, fp, inst->mem0->base, inst->mem0->size, th, inst);
}

#else

bool wx_tail_handlers(const void **out)
{
    (void)out;
    return false;
}

wx_trap wx_run_tail(wx_thread *th, wx_instance *inst, const ir_word *ip, wx_slot *fp)
{
    (void)inst; (void)ip; (void)fp;
    return th->trap = TRAP_UNREACHABLE;
}

#endif
