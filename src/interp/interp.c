/* interp.c: the interpreter's entry point: the tables of each dispatch
 * strategy, running code under the landing pad for memory faults,
 * backtraces, stops and resumption. The strategies' loops are built from
 * the one set of handlers in interp_ops.h, each in a file of its own so
 * that they compile in parallel: interp_direct.c, interp_indirect.c,
 * interp_switch.c (interp_loop.h) and interp_tail.c. */
#include <stdio.h>
#include <string.h>

#include "exn.h"
#include "interp.h"
#include "lower.h"

const char *wx_trap_message(wx_trap trap)
{
    switch (trap) {
    case TRAP_NONE: return "no trap";
    case TRAP_UNREACHABLE: return "unreachable";
    case TRAP_DIV_ZERO: return "integer divide by zero";
    case TRAP_OVERFLOW: return "integer overflow";
    case TRAP_INVALID_CONV: return "invalid conversion to integer";
    case TRAP_MEMORY_OOB: return "out of bounds memory access";
    case TRAP_TABLE_OOB: return "out of bounds table access";
    case TRAP_UNDEFINED_ELEMENT: return "undefined element";
    case TRAP_UNINITIALIZED_ELEMENT: return "uninitialized element";
    case TRAP_INDIRECT_TYPE: return "indirect call type mismatch";
    case TRAP_NULL_FUNC_REF: return "null function reference";
    case TRAP_NULL_REF: return "null reference";
    case TRAP_EXHAUSTED: return "call stack exhausted";
    case TRAP_HOST: return "host function failed";
    case TRAP_EXIT: return "exit";
    case TRAP_NOMEM: return "out of memory";
    case TRAP_UNSUPPORTED: return "unsupported: an instruction this interpreter cannot run";
    case TRAP_LIMIT: return "implementation limit exceeded";
    case TRAP_NULL_EXNREF: return "null exception reference";
    case TRAP_NULL_I31: return "null i31 reference";
    case TRAP_CAST: return "cast failure";
    case TRAP_NULL_STRUCT: return "null structure reference";
    case TRAP_NULL_ARRAY: return "null array reference";
    case TRAP_ARRAY_OOB: return "out of bounds array access";
    case TRAP_EXCEPTION: return "uncaught exception";
    case TRAP_FUEL: return "out of fuel";
    case TRAP_INTERRUPTED: return "interrupted";
    }
    return "unknown trap";
}

weft_status wx_trap_status(wx_trap trap)
{
    switch (trap) {
    case TRAP_NONE: return WEFT_OK;
    case TRAP_FUEL: return WEFT_ERR_FUEL;
    case TRAP_INTERRUPTED: return WEFT_ERR_INTERRUPTED;
    case TRAP_LIMIT: return WEFT_ERR_LIMIT;
    case TRAP_EXCEPTION: return WEFT_ERR_EXCEPTION;
    default: return WEFT_ERR_TRAP;
    }
}

const char *wx_trap_describe(const wx_thread *th, wx_trap trap, char *buf, size_t size)
{
    switch (trap) {
    case TRAP_HOST:
    case TRAP_LIMIT:
        snprintf(buf, size, "%s", th->message);
        break;
    case TRAP_UNDEFINED_ELEMENT:
    case TRAP_UNINITIALIZED_ELEMENT:
        snprintf(buf, size, "%s %u", wx_trap_message(trap), th->trap_index);
        break;
    case TRAP_EXCEPTION:
        if (th->exn)
            snprintf(buf, size, "%s (tag %u)", wx_trap_message(trap), th->exn->tag_index);
        else
            snprintf(buf, size, "%s", wx_trap_message(trap));
        break;
    default:
        snprintf(buf, size, "%s", wx_trap_message(trap));
        break;
    }
    return buf;
}

/* What word 0 of an instruction holds, per strategy and opcode. */
static const void *handler_words[DISPATCH_COUNT][IR_OP_COUNT];
/* A one-instruction program that leaves the interpreter, per strategy: the
 * return address of the outermost call. */
static ir_word exit_stub[DISPATCH_COUNT][1];

static void init_tables(void)
{
    const void **labels;
    wx_run_direct(NULL, NULL, NULL, NULL, &labels);
    for (unsigned op = 0; op < IR_OP_COUNT; op++) {
        handler_words[DISPATCH_DIRECT][op] = labels[op];
        handler_words[DISPATCH_INDIRECT][op] = (const void *)(uintptr_t)op;
        handler_words[DISPATCH_SWITCH][op] = (const void *)(uintptr_t)op;
    }
    if (wx_tail_handlers(handler_words[DISPATCH_TAIL])) {
        /* Filled by interp_tail.c. */
    }
    for (unsigned d = 0; d < DISPATCH_COUNT; d++)
        exit_stub[d][0].handler = handler_words[d][IR_EXIT];
}

const void *const *wx_handler_words(wx_dispatch d)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, init_tables);
    return handler_words[d];
}

bool wx_dispatch_available(wx_dispatch d)
{
    return d != DISPATCH_TAIL || wx_tail_handlers(NULL);
}

const char *wx_dispatch_name(wx_dispatch d)
{
    static const char *const names[DISPATCH_COUNT] = { "direct", "indirect", "switch", "tail" };
    return d < DISPATCH_COUNT ? names[d] : "?";
}

/* Runs code from `ip` on frame `fp` in the instance's strategy. */
static wx_trap run(wx_thread *th, wx_instance *inst, const ir_word *ip, wx_slot *fp)
{
    switch (inst->dispatch) {
    case DISPATCH_DIRECT: return wx_run_direct(th, inst, ip, fp, NULL);
    case DISPATCH_INDIRECT: return wx_run_indirect(th, inst, ip, fp, NULL);
    case DISPATCH_SWITCH: return wx_run_switch(th, inst, ip, fp, NULL);
    case DISPATCH_TAIL: return wx_run_tail(th, inst, ip, fp);
    case DISPATCH_COUNT: break;
    }
    return TRAP_UNREACHABLE;
}

/* The defined function of `inst` whose lowered code contains `ip`, or
 * UINT32_MAX. Only used after a trap, so a linear search is fine. */
static uint32_t func_at(const wx_instance *inst, const ir_word *ip)
{
    if (!inst || !ip || !inst->code)
        return UINT32_MAX;
    for (uint32_t i = 0; i < inst->mod->nfuncs; i++) {
        const ir_word *code = inst->code[i];
        if (code && ip >= code && ip < code + lower_code_length(code))
            return i;
    }
    return UINT32_MAX;
}

static void add_frame(wx_thread *th, wx_instance *inst, const ir_word *ip)
{
    uint32_t func = func_at(inst, ip);
    if (func == UINT32_MAX)
        return;
    if (th->nbacktrace < WX_BACKTRACE_MAX) {
        th->backtrace[th->nbacktrace].inst = inst;
        th->backtrace[th->nbacktrace].func = func;
        th->nbacktrace++;
    }
    th->backtrace_depth++;
}

/* Records the functions active at a trap: the one that trapped (when its
 * instruction is known: a fault in guarded memory leaves only its callers),
 * then each caller, from the return records above `base`. */
static void capture_backtrace(wx_thread *th, uint32_t base, bool ip_known)
{
    th->nbacktrace = th->backtrace_depth = 0;
    if (ip_known)
        add_frame(th, th->trap_inst, th->trap_ip);
    for (uint32_t k = th->depth; k-- > base + 1;)
        add_frame(th, th->calls[k].inst, th->calls[k].ip);
}

/* ---- Stops: fuel and interruption -------------------------------------------- */

wx_trap wx_check_stop(wx_thread *th, uint32_t cost)
{
    /* The interrupt is looked at first so that a request is never lost
     * behind an out-of-fuel stop; exchanging clears it exactly once. */
    if (atomic_load_explicit(&th->interrupt, memory_order_relaxed) &&
        atomic_exchange_explicit(&th->interrupt, false, memory_order_relaxed))
        return TRAP_INTERRUPTED;
    return th->fuel < cost ? TRAP_FUEL : TRAP_NONE;
}

/* After a run of the call entered at depth `base` ended with `t`: keeps
 * what wx_resume needs when a check stopped it. Only an outermost call
 * (base 0) can be resumed: a nested one was entered from a host function,
 * whose C frame is gone once the stop has been passed up to it. */
static void keep_stopped(wx_thread *th, wx_trap t, uint32_t base, wx_slot *sp)
{
    bool resumable = (t == TRAP_FUEL || t == TRAP_INTERRUPTED) && th->stop_fp && base == 0;
    th->stopped.active = resumable;
    if (resumable) {
        th->stopped.ip = th->trap_ip;
        th->stopped.fp = th->stop_fp;
        th->stopped.inst = th->trap_inst;
        th->stopped.depth = th->depth;
        th->stopped.base = base;
        th->stopped.sp = sp;
    }
    th->stop_fp = NULL;
}

/* Runs code from `ip` on frame `fp`, whose outermost return record is
 * th->calls[base], under a landing pad for faults in guarded memory, then
 * puts the depth and stack top back as they were at `base`. */
static wx_trap run_guarded(wx_thread *th, wx_instance *inst, const ir_word *ip, wx_slot *fp,
                           uint32_t base, wx_slot *sp)
{
    /* Guarded memories turn a fault into a jump back here, so what is read
     * after it lives in volatile locals. */
    volatile uint32_t depth = base;
    wx_slot *volatile saved_sp = sp;
    sigjmp_buf pad;
    sigjmp_buf *volatile outer = mem_trap_landing_get();
    wx_trap t;
    volatile bool ip_known = true;
    /* The bulk helpers meter themselves in metered code. */
    wx_meter saved_meter = wx_meter_swap((wx_meter){ .th = inst->metering ? th : NULL,
                                                     .kind = inst->metering });
    /* A fault leaves by the landing pad, past any host function's frame. */
    struct wx_host_frame *volatile host_frames = th->host_frames;
    th->stop_fp = NULL;
    if (sigsetjmp(pad, 0) != 0) {
        t = th->trap = TRAP_MEMORY_OOB;
        th->trap_ip = NULL;
        ip_known = false;
    } else {
        mem_trap_landing_set(&pad);
        t = run(th, inst, ip, fp);
    }
    mem_trap_landing_set(outer);
    wx_meter_swap(saved_meter);
    if (t != TRAP_NONE)
        capture_backtrace(th, depth, ip_known);
    keep_stopped(th, t, depth, saved_sp);
    th->depth = depth;
    th->sp = saved_sp;
    th->host_frames = host_frames;
    return t;
}

wx_trap wx_resume(wx_thread *th)
{
    if (!th->stopped.active)
        return TRAP_UNREACHABLE;
    th->stopped.active = false;
    th->depth = th->stopped.depth;
    th->sp = th->stopped.sp;
    wx_handler_words(th->stopped.inst->dispatch);
    return run_guarded(th, th->stopped.inst, th->stopped.ip, th->stopped.fp, th->stopped.base,
                       th->stopped.sp);
}

wx_trap wx_invoke(wx_thread *th, wx_func *f, wx_slot *args)
{
    /* A new outermost call reuses the stacks, so a stopped one is abandoned. */
    if (th->depth == 0) {
        th->stopped.active = false;
        th->bulk.pending = false;
    }
    if (f->host) {
        wx_slot *saved_sp = th->sp;
        th->sp = args + f->nslots;
        wx_trap t = f->host(th, f->host_ctx, args);
        th->sp = saved_sp;
        return th->trap = t;
    }
    const ir_word *code = *f->code;
    if (!code) {
        wx_trap t = wx_lower_lazy(th, f, &code);
        if (t)
            return th->trap = t;
    }
    if (th->depth >= th->max_depth || args > th->stack_limit)
        return th->trap = TRAP_EXHAUSTED;
    /* Entry, as a call does it (ENTER_FRAME): the declared locals are zero. */
    memset(args + f->nargs, 0, (size_t)f->nlocals * sizeof *args);
    wx_instance *inst = f->inst;
    wx_handler_words(inst->dispatch);

    /* The outermost return goes to the exit stub. */
    uint32_t depth = th->depth;
    th->calls[th->depth++] = (wx_callrec){ exit_stub[inst->dispatch], NULL, inst };
    return run_guarded(th, inst, code, args, depth, th->sp);
}
