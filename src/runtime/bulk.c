/* bulk.c: the bulk memory and table instructions in metered code. They are
 * charged fuel by length, and run in chunks with a look at the interrupt
 * flag between them, so that neither fuel nor an interrupt lets one
 * instruction run on for a whole GiB. Unmetered code never comes here. */
#include <stdatomic.h>
#include <string.h>

#include "runtime.h"

/* Bytes a bulk instruction moves or fills per unit of fuel: about what a
 * loop of Wasm stores would cost. A table element counts as 8 bytes. */
#define BULK_BYTES_PER_FUEL 64
/* The most bytes between two looks at the interrupt flag: a few hundred
 * microseconds of memset or memmove. */
#define BULK_CHUNK ((uint64_t)1 << 20)

_Thread_local wx_meter wx_meter_now;

wx_meter wx_meter_swap(wx_meter meter)
{
    wx_meter old = wx_meter_now;
    wx_meter_now = meter;
    return old;
}

static bool same_op(const wx_bulk *a, const wx_bulk *b)
{
    return a->kind == b->kind && a->obj == b->obj && a->dst_at == b->dst_at &&
           a->src_at == b->src_at && a->bytes == b->bytes && a->value.u64 == b->value.u64;
}

wx_trap wx_bulk_charge(uint64_t bytes)
{
    wx_thread *th = wx_meter_now.th;
    if (!(wx_meter_now.kind & METER_FUEL))
        return TRAP_NONE;
    uint64_t cost = bytes / BULK_BYTES_PER_FUEL + (bytes % BULK_BYTES_PER_FUEL != 0);
    if (th->fuel < cost)
        return TRAP_FUEL;
    th->fuel -= cost;
    return TRAP_NONE;
}

wx_trap wx_bulk_metered(const wx_bulk *op)
{
    wx_thread *th = wx_meter_now.th;
    wx_metering kind = wx_meter_now.kind;
    uint64_t done = 0;
    if (th->bulk.pending && same_op(&th->bulk.op, op)) {
        /* Resumed after an interrupt: the fuel was charged when it began,
         * and the chunks before `done` are written already (which matters
         * for an overlapping copy, which must not run twice). */
        done = th->bulk.done;
    } else {
        /* Charged whole and ahead, as a check charges its region: a stop
         * for fuel leaves nothing done, and resuming runs it from the start. */
        wx_trap trap = wx_bulk_charge(op->bytes);
        if (trap)
            return trap;
    }
    th->bulk.pending = false;
    /* memmove semantics in chunks: an overlapping copy to higher addresses
     * goes from the end down, so no chunk reads what another has written. */
    bool backward = op->kind == BULK_MOVE && op->dst > op->src;
    while (done < op->bytes) {
        if ((kind & METER_INTERRUPT) &&
            atomic_load_explicit(&th->interrupt, memory_order_relaxed) &&
            atomic_exchange_explicit(&th->interrupt, false, memory_order_relaxed)) {
            th->bulk.pending = true;
            th->bulk.op = *op;
            th->bulk.done = done;
            return TRAP_INTERRUPTED;
        }
        uint64_t n = op->bytes - done < BULK_CHUNK ? op->bytes - done : BULK_CHUNK;
        uint64_t at = backward ? op->bytes - done - n : done;
        switch (op->kind) {
        case BULK_SET: memset(op->dst + at, (int)op->value.u32 & 0xff, n); break;
        case BULK_MOVE: memmove(op->dst + at, op->src + at, n); break;
        case BULK_FILL_SLOTS:
            for (uint64_t i = 0; i < n / sizeof(wx_slot); i++)
                memcpy(op->dst + at + i * sizeof(wx_slot), &op->value, sizeof(wx_slot));
            break;
        }
        done += n;
    }
    return TRAP_NONE;
}
