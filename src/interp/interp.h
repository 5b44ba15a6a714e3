/* interp.h: running lowered code: the entry point and the dispatch
 * strategies' tables. */
#ifndef WEFT_INTERP_H
#define WEFT_INTERP_H

#include <pthread.h>
#include <setjmp.h>

#include "runtime.h"

/* Calls function `f` on thread `th`. Its arguments are in `args` (slots, as
 * many as f->nargs), its results are written over them. `args` must lie in
 * th's value stack at or above th->sp. Returns TRAP_NONE or the trap. */
wx_trap wx_invoke(wx_thread *th, wx_func *f, wx_slot *args);

/* Continues the outermost call that a check stopped (th->stopped), which
 * then returns, traps or stops again as wx_invoke would. TRAP_UNREACHABLE
 * when there is none. */
wx_trap wx_resume(wx_thread *th);

/* Called by a check (IR_CHECK and its forms) whose fast test failed:
 * whether the run must stop, and why. Interrupted when an interrupt is
 * pending, which it clears; out of fuel when the region costs more than is
 * left; TRAP_NONE when neither holds after all (the flag was cleared
 * meanwhile). */
wx_trap wx_check_stop(wx_thread *th, uint32_t cost);

/* What lowering writes into word 0 of each instruction for strategy `d`:
 * handler addresses for direct threading and tail calls, opcode numbers for
 * the others. Indexed by ir_op. */
const void *const *wx_handler_words(wx_dispatch d);

/* Whether strategy `d` is built into this binary (tail calls need a
 * compiler with musttail). */
bool wx_dispatch_available(wx_dispatch d);

/* "direct", "indirect", "switch" or "tail". */
const char *wx_dispatch_name(wx_dispatch d);

/* The goto-based strategies' loops (interp_direct.c, interp_indirect.c,
 * interp_switch.c, from interp_loop.h): run code from `ip` on frame `fp`
 * until it returns to the exit stub or traps. Called with th == NULL, they
 * only set *labels_out to their table of handler addresses (NULL for the
 * switch, which has none). */
wx_trap wx_run_direct(wx_thread *th, wx_instance *inst, const ir_word *ip, wx_slot *fp,
                      const void ***labels_out);
wx_trap wx_run_indirect(wx_thread *th, wx_instance *inst, const ir_word *ip, wx_slot *fp,
                        const void ***labels_out);
wx_trap wx_run_switch(wx_thread *th, wx_instance *inst, const ir_word *ip, wx_slot *fp,
                      const void ***labels_out);

/* From interp_tail.c: fills `out` (when not NULL) with the tail-call
 * handlers and returns true, or returns false when the strategy is absent. */
bool wx_tail_handlers(const void **out);
wx_trap wx_run_tail(wx_thread *th, wx_instance *inst, const ir_word *ip, wx_slot *fp);


#endif
