/* interp_tail.c: the tail-call dispatch strategy. Each handler of
 * interp_ops.h becomes a function that ends by tail-calling the next one, so
 * the interpreter state lives in argument registers. It needs a compiler
 * that guarantees tail calls (clang's musttail); elsewhere the strategy is
 * absent and says so. */
#include <string.h>

#include "gc.h"
#include "interp.h"
#include "interp_body.h"
#include "numeric.h"
#include "simd.h"

#if defined(__has_attribute) && __has_attribute(musttail)

/* The state passed from handler to handler, all in registers: six integer
 * arguments (x86-64 and AArch64 pass six and eight in registers) and the
 * two floating-point accumulators. Memory 0's size, which only the
 * explicit-bounds forms read, is loaded from the instance when they need
 * it, so that the integer accumulator has a register. */
typedef wx_trap (*tail_fn)(const ir_word *ip, wx_slot *fp, uint8_t *mem, uint64_t acc_i,
                           wx_thread *th, wx_instance *inst, double acc_f64, float acc_f32);

#define U __attribute__((unused))
#define OP(N) static wx_trap h_##N(U const ir_word *ip, U wx_slot *fp, U uint8_t *mem,        \
                                   U uint64_t acc_i, wx_thread *th, U wx_instance *inst,    \
                                   U double acc_f64, U float acc_f32)
#define STATE ip, fp, mem, acc_i, th, inst, acc_f64, acc_f32
#define DISPATCH() __attribute__((musttail)) return ((tail_fn)ip->handler)(STATE)
#define CONTINUE(N) __attribute__((musttail)) return h_##N(STATE)
#define msize (inst->mem0->size)
#define RELOAD_MEM() (mem = inst->mem0->base)
#define TRAP(kind) do { th->trap = (kind); th->trap_ip = ip; th->trap_inst = inst; return (kind); } while (0)

#include "interp_ops.h"
#include "interp_gc.h"

OP(EXIT) { th->trap = TRAP_NONE; return TRAP_NONE; }

static const tail_fn handlers[IR_OP_COUNT] = {
#define IR_FORM(id, f, t) h_##id,
#include "ir_forms.h"
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
    return ((tail_fn)ip->handler)(ip, fp, inst->mem0->base, 0, th, inst, 0, 0);
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
