/* memory.h: linear memory instances (guarded and explicitly checked) and the
 * signal handler that turns an out-of-bounds access into a trap.
 *
 * Two modes, chosen per memory at mem_init:
 *
 * - Guarded (the default on 64-bit Linux): 8 GiB + 64 KiB of address space
 *   is reserved with PROT_NONE and only [0, size) is readable and writable.
 *   Any 32-bit address plus 32-bit static offset plus access width stays
 *   inside the reservation, so the interpreter does no bounds check: an
 *   out-of-bounds access faults, and the handler below turns the fault into
 *   a jump to the interpreter's landing pad. Growing mprotects more pages in
 *   place, so `base` never moves.
 * - Explicit: exactly `size` bytes are mapped; growing may move `base`. The
 *   interpreter must check every access (mem_in_bounds32).
 *
 * Trap contract between this file and the interpreter (guarded mode):
 *
 *     sigjmp_buf pad;
 *     sigjmp_buf *saved = mem_trap_landing_get();
 *     if (sigsetjmp(pad, 0) != 0) {
 *         mem_trap_landing_set(saved);
 *         ... report "out of bounds memory access" ...
 *     } else {
 *         mem_trap_landing_set(&pad);
 *         ... run guest code ...
 *         mem_trap_landing_set(saved);
 *     }
 *
 * - The landing pad is per thread. It must point at a live sigjmp_buf only
 *   while guest code runs on this thread, and be restored on every way out
 *   (normal return, other traps, calls into host functions that may touch
 *   guest memory on purpose and should crash loudly if they get it wrong).
 * - Use sigsetjmp(buf, 0): saving the signal mask costs a system call per
 *   entry. This is safe because the handler is installed with SA_NODEFER
 *   and an empty sa_mask, so running it blocks no signal and jumping out of
 *   it leaves the thread's mask exactly as it was. (With savemask 0 and
 *   without SA_NODEFER, SIGSEGV would stay blocked after the first trap and
 *   the next fault would kill the process.)
 * - Locals of the function that calls sigsetjmp which are changed after it
 *   and read after a trap must be volatile, as for any longjmp.
 * - The handler jumps only when the faulting address lies inside a live
 *   guarded reservation AND this thread has a landing pad AND the fault was
 *   raised by the kernel (not sent with kill). Every other SIGSEGV/SIGBUS is
 *   passed to the handler that was installed before ours, or, if that was
 *   the default, re-delivered with the default action so a real crash still
 *   crashes (with a core dump where enabled).
 * - The handler runs on an alternate signal stack so that a C stack overflow
 *   in the host still reaches it (and is passed on). mem_thread_init sets
 *   one up for the calling thread; mem_trap_landing_set calls it, so a
 *   thread that runs guest code always has one. */
#ifndef WEFT_MEMORY_H
#define WEFT_MEMORY_H

#include <setjmp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "weft.h"

#define MEM_PAGE_SIZE 65536u
#define MEM_MAX_PAGES 65536u                 /* 4 GiB: the 32-bit limit. */
/* A guarded reservation: 2^32 addresses + 2^32 offsets, plus a guard page
 * for the width of the widest access at the very top. */
#define MEM_GUARD_RESERVE (((size_t)8 << 30) + MEM_PAGE_SIZE)

/* A running total that memories and tables draw on (issue 25): the bytes of
 * linear memory and the table elements of everything made through an
 * instance or an engine, against the config's limits. An instance's
 * budget draws on its engine's as well, through `parent`. */
typedef struct wx_budget {
    uint64_t memory_bytes, table_elems;          /* Taken so far. */
    uint64_t max_memory_bytes, max_table_elems;  /* The limits. */
    const char *name;                            /* "instance" or "engine", for messages. */
    struct wx_budget *parent;
} wx_budget;

/* Takes `memory_bytes` and `table_elems` from `b` and every budget above
 * it, all or nothing: returns NULL, or the first budget that has not
 * enough left (and then nothing is taken). NULL `b` takes nothing. */
wx_budget *wx_budget_take(wx_budget *b, uint64_t memory_bytes, uint64_t table_elems);

/* Gives back what wx_budget_take took. */
void wx_budget_give(wx_budget *b, uint64_t memory_bytes, uint64_t table_elems);

typedef struct weft_memory {
    uint8_t *base;         /* Byte 0 of the memory; never NULL once initialised. */
    uint64_t size;         /* Accessible bytes: pages * MEM_PAGE_SIZE. */
    uint64_t pages;        /* Current size in pages. */
    uint64_t max_pages;    /* Growth limit in pages, at most MEM_MAX_PAGES. */
    size_t reserved;       /* Bytes mapped at base: the reservation or `size`. */
    bool guarded;          /* Mode actually in use (see mem_init). */
    int slot;              /* Registry slot of a guarded reservation, or -1. */
    wx_budget *budget;     /* What its bytes count against (NULL: nothing), kept by the owner. */
} wx_memory;

/* Whether guarded mode can be used on this platform (64-bit Linux). */
bool mem_guard_supported(void);

/* Creates a memory of `min_pages` that may grow to `max_pages` (pass the
 * declared maximum, or MEM_MAX_PAGES when there is none; larger values are
 * clamped to MEM_MAX_PAGES). The memory is zeroed. With `guarded`, installs
 * the fault handler on first use and reserves address space; if the
 * reservation cannot be made (address space or registry exhausted) it falls
 * back to explicit mode, which m->guarded then reports, so callers must pick
 * their bounds-check strategy from m->guarded after this call. Returns
 * WEFT_ERR_LIMIT when min_pages > max_pages or > MEM_MAX_PAGES, and
 * WEFT_ERR_NOMEM when the memory cannot be mapped; on failure `m` holds no
 * resources. */
weft_status mem_init(wx_memory *m, uint64_t min_pages, uint64_t max_pages, bool guarded);

/* memory.grow: adds `delta_pages` zeroed pages and returns the old page
 * count, or -1 (leaving the memory unchanged) when the result would exceed
 * max_pages or the memory's budget, or the host cannot provide the pages. Explicit mode may move
 * m->base, so the interpreter must reload it after a grow. */
int64_t mem_grow(wx_memory *m, uint64_t delta_pages);

/* Releases the memory; `m` is left empty (base NULL). Safe to call twice. */
void mem_free(wx_memory *m);

/* Whether an access of `width` bytes at 32-bit address `addr` plus static
 * `offset` lies inside an explicit-mode memory. No overflow is possible:
 * the sum of three values below 2^32 fits in 64 bits. */
static inline bool mem_in_bounds32(const wx_memory *m, uint32_t addr, uint32_t offset,
                                   uint32_t width)
{
    return (uint64_t)addr + offset + width <= m->size;
}

/* Installs the SIGSEGV/SIGBUS handler (once per process; later calls do
 * nothing). Returns false if sigaction failed. mem_init calls it. */
bool mem_signals_install(void);

/* Gives the calling thread an alternate signal stack unless it already has
 * one; the stack is freed when the thread exits. Returns false on failure. */
bool mem_thread_init(void);

/* The calling thread's landing pad: where an out-of-bounds fault in guest
 * code jumps to (NULL: none, faults crash). See the contract above. */
void mem_trap_landing_set(sigjmp_buf *pad);
sigjmp_buf *mem_trap_landing_get(void);

/* The address of the last fault this thread turned into a trap. */
void *mem_trap_fault_address(void);

#endif
