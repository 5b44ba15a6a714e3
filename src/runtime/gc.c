/* gc.c: the garbage collector, a non-moving mark-sweep (docs/architecture.md
 * says why), and the run-time helpers of the array instructions that copy
 * ranges. A collection marks from the roots (the reference slots of the
 * running frames, from their stack maps; every instance's globals, tables
 * and element segments; the tables and globals the host made; exceptions'
 * payloads and the host's rooted handles),
 * tracing objects through their run-time types with a stack of its own,
 * then sweeps the chunks and the large objects. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "exn.h"
#include "gc.h"
#include "heap.h"
#include "lower.h"

/* ---- Helpers of the instructions -------------------------------------------------- */

/* The instructions that make, fill or copy arrays are charged fuel by
 * length in metered code (wx_bulk_charge, as the bulk memory
 * instructions are), after their bounds checks and before any work: a
 * stop for fuel leaves nothing done, and resuming runs them again. */

void wx_struct_fill(wx_obj *o, const wx_slot *slots)
{
    const wx_rtt *r = wx_obj_rtt(o);
    uint8_t *base = (uint8_t *)o;
    for (uint32_t k = 0; k < r->nfields; k++) {
        memcpy(base + r->offsets[k], slots, r->sizes[k]);
        slots += r->sizes[k] == 16 ? 2 : 1;
    }
}

void wx_array_fill_slot(wx_obj *o, uint32_t at, const wx_slot *slot, uint32_t n)
{
    uint32_t z = wx_obj_rtt(o)->elem_size;
    uint8_t *p = wx_obj_data(o) + (size_t)at * z;
    if (z == 1) {
        memset(p, slot->u32 & 0xff, n);
        return;
    }
    for (uint32_t k = 0; k < n; k++, p += z)
        memcpy(p, slot, z);
}

wx_trap wx_array_new_data(wx_thread *th, wx_instance *inst, const wx_rtt *rtt, uint32_t data,
                          uint32_t at, uint32_t n, void **out)
{
    const wm_data *d = &inst->mod->datas[data];
    uint64_t seg_len = inst->data_dropped[data] ? 0 : d->len;
    uint64_t bytes = (uint64_t)n * rtt->elem_size;
    if ((uint64_t)at + bytes > seg_len)
        return TRAP_MEMORY_OOB;
    wx_trap fuel = wx_bulk_charge(bytes);
    if (fuel)
        return fuel;
    wx_obj *o = wx_gc_alloc(th, rtt, n);
    if (!o)
        return TRAP_NOMEM;
    if (bytes)
        memcpy(wx_obj_data(o), d->bytes + at, bytes);
    *out = o;
    return TRAP_NONE;
}

wx_trap wx_array_new_elem(wx_thread *th, wx_instance *inst, const wx_rtt *rtt, uint32_t elem,
                          uint32_t at, uint32_t n, void **out)
{
    uint64_t seg_len = inst->elem_dropped[elem] ? 0 : inst->mod->elems[elem].count;
    if ((uint64_t)at + n > seg_len)
        return TRAP_TABLE_OOB;
    wx_trap fuel = wx_bulk_charge((uint64_t)n * sizeof(wx_slot));
    if (fuel)
        return fuel;
    wx_obj *o = wx_gc_alloc(th, rtt, n);
    if (!o)
        return TRAP_NOMEM;
    if (n)
        memcpy(wx_obj_data(o), inst->elem_items[elem] + at, (size_t)n * sizeof(wx_slot));
    *out = o;
    return TRAP_NONE;
}

wx_trap wx_array_copy(wx_obj *dst, uint32_t d, wx_obj *src, uint32_t s, uint32_t n,
                      uint32_t elem_size)
{
    if (!dst || !src)
        return TRAP_NULL_ARRAY;
    if ((uint64_t)d + n > dst->len || (uint64_t)s + n > src->len)
        return TRAP_ARRAY_OOB;
    wx_trap fuel = wx_bulk_charge((uint64_t)n * elem_size);
    if (fuel)
        return fuel;
    memmove(wx_obj_data(dst) + (size_t)d * elem_size, wx_obj_data(src) + (size_t)s * elem_size,
            (size_t)n * elem_size);
    return TRAP_NONE;
}

wx_trap wx_array_init_data(wx_instance *inst, wx_obj *a, uint32_t d, uint32_t data, uint32_t s,
                           uint32_t n)
{
    if (!a)
        return TRAP_NULL_ARRAY;
    uint32_t z = wx_obj_rtt(a)->elem_size;
    if ((uint64_t)d + n > a->len)
        return TRAP_ARRAY_OOB;
    const wm_data *seg = &inst->mod->datas[data];
    uint64_t seg_len = inst->data_dropped[data] ? 0 : seg->len;
    uint64_t bytes = (uint64_t)n * z;
    if ((uint64_t)s + bytes > seg_len)
        return TRAP_MEMORY_OOB;
    wx_trap fuel = wx_bulk_charge(bytes);
    if (fuel)
        return fuel;
    if (bytes)
        memcpy(wx_obj_data(a) + (size_t)d * z, seg->bytes + s, bytes);
    return TRAP_NONE;
}

wx_trap wx_array_init_elem(wx_instance *inst, wx_obj *a, uint32_t d, uint32_t elem, uint32_t s,
                           uint32_t n)
{
    if (!a)
        return TRAP_NULL_ARRAY;
    if ((uint64_t)d + n > a->len)
        return TRAP_ARRAY_OOB;
    uint64_t seg_len = inst->elem_dropped[elem] ? 0 : inst->mod->elems[elem].count;
    if ((uint64_t)s + n > seg_len)
        return TRAP_TABLE_OOB;
    wx_trap fuel = wx_bulk_charge((uint64_t)n * sizeof(wx_slot));
    if (fuel)
        return fuel;
    if (n)
        memcpy(wx_obj_data(a) + (size_t)d * sizeof(wx_slot), inst->elem_items[elem] + s,
               (size_t)n * sizeof(wx_slot));
    return TRAP_NONE;
}

/* ---- Marking ----------------------------------------------------------------------- */

/* Marks the object word `p` refers to, if it is one not marked yet, and
 * queues it to be scanned. Any word may be passed: those that are no
 * object's address (wx_heap_find) are left alone. */
static void mark(wx_heap *h, const void *p)
{
    wx_obj *o = wx_heap_find(h, p);
    if (!o || (o->rtt & 1))
        return;
    o->rtt |= 1;
    if (h->ngray == h->gray_cap) {
        size_t cap = h->gray_cap ? 2 * h->gray_cap : 256;
        wx_obj **grown = realloc(h->gray, cap * sizeof *grown);
        if (!grown) {
            h->overflow = true;
            return;
        }
        h->gray = grown;
        h->gray_cap = cap;
    }
    h->gray[h->ngray++] = o;
}

static void mark_slots(wx_heap *h, const wx_slot *from, const wx_slot *to)
{
    for (const wx_slot *s = from; s < to; s++)
        mark(h, s->ref);
}

/* Marks what object `o` refers to: a struct's reference fields, a
 * reference array's elements, an extern box's reference. */
static void scan(wx_heap *h, wx_obj *o)
{
    const wx_rtt *r = wx_obj_rtt(o);
    const uint8_t *base = (const uint8_t *)o;
    void *p;
    if (r->kind == WX_OBJ_ARRAY) {
        if (r->elem_ref)
            mark_slots(h, (const wx_slot *)wx_obj_data(o),
                       (const wx_slot *)wx_obj_data(o) + o->len);
        return;
    }
    for (uint32_t k = 0; k < r->nrefs; k++) {
        memcpy(&p, base + r->refs[k], sizeof p);
        mark(h, p);
    }
}

static void mark_instance(wx_heap *h, const wx_instance *inst)
{
    const wm_module *m = inst->mod;
    for (uint32_t i = 0; inst->globals && i < m->nglobals; i++)
        if (inst->globals[i])
            mark_slots(h, inst->globals[i]->value, inst->globals[i]->value + 2);
    for (uint32_t i = 0; inst->tables && i < m->ntables; i++)
        if (inst->tables[i])
            mark_slots(h, inst->tables[i]->elems, inst->tables[i]->elems + inst->tables[i]->size);
    for (uint32_t i = 0; inst->elem_items && i < m->nelems; i++)
        if (inst->elem_items[i])
            mark_slots(h, inst->elem_items[i], inst->elem_items[i] + m->elems[i].count);
}

/* Marks the reference slots of the frame at `fp` of `inst`'s code,
 * suspended at `pc`: a call's return address when `call`, else an
 * allocating instruction. Its stack map (lowering's, lower.h) names the
 * slots; each still goes through mark, which ignores anything but a live
 * object's address (a declared local not yet set holds zero). */
static void mark_frame(wx_heap *h, const wx_callrec *at, bool call)
{
    uint32_t n;
    const uint16_t *slots = lower_stackmap_slots(at->inst, at->ip, call, &n);
    for (uint32_t i = 0; i < n; i++)
        mark(h, at->fp[slots[i]].ref);
}

/* The frames of running code: the one allocating (`at`, NULL when the
 * collection does not come from code), each caller, from the return
 * records (those with no frame are where the host entered), and each
 * host function's caller and arguments. */
static void mark_stack(wx_thread *th, const wx_callrec *at)
{
    wx_heap *h = th->heap;
    if (at)
        mark_frame(h, at, false);
    for (uint32_t k = 0; k < th->depth; k++)
        if (th->calls[k].fp)
            mark_frame(h, &th->calls[k], true);
    for (const wx_host_frame *hf = th->host_frames; hf; hf = hf->prev) {
        if (hf->caller.fp)
            mark_frame(h, &hf->caller, true);
        const wm_functype *t = hf->f->type;
        const wx_slot *arg = hf->args;
        for (uint32_t i = 0; i < t->nparams; i++) {
            if (vt_holds_object(t->params[i]))
                mark(h, arg->ref);
            arg += wx_type_slots(&t->params[i], 1);
        }
    }
}

/* Marks every root. */
static void mark_roots(wx_thread *th, const wx_callrec *at)
{
    wx_heap *h = th->heap;
    weft_engine *e = (weft_engine *)((char *)th - offsetof(weft_engine, thread));
    mark_stack(th, at);
    for (size_t i = 0; i < e->nowned; i++) {
        void *p = e->owned[i].ptr;
        switch (e->owned[i].kind) {
        case OWN_INSTANCE: mark_instance(h, p); break;
        case OWN_TABLE: {
            const wx_table *t = p;
            mark_slots(h, t->elems, t->elems + t->size);
            break;
        }
        case OWN_GLOBAL: mark_slots(h, ((const wx_global *)p)->value,
                                    ((const wx_global *)p)->value + 2); break;
        default: break;
        }
    }
    for (const wx_exn *x = th->exns; x; x = x->next)
        mark_slots(h, x->payload, x->payload + x->nslots);
    for (size_t i = 0; i < h->nroots; i++)
        mark(h, h->roots[i].ref);
}

/* ---- Sweeping ---------------------------------------------------------------------- */

/* Frees every unmarked object and unmarks the rest; the free lists and the
 * address sets are made again from what is left. */
static void sweep(wx_heap *h)
{
    for (unsigned c = 0; c < WX_CLASSES; c++)
        h->free[c] = NULL;
    for (wx_chunk *k = h->chunks; k; k = k->next) {
        for (uint32_t i = k->ncells; i-- > 0;) {
            wx_obj *o = (wx_obj *)(k->cells + (size_t)i * k->cell);
            if (o->rtt & 1) {
                o->rtt &= ~(uintptr_t)1;
                continue;
            }
            if (o->rtt) {
                o->rtt = 0;
                h->live_bytes -= k->cell;
                h->nobjects--;
            }
            wx_cell_set_next(o, h->free[k->cls]);
            wx_cell_poison(o, k->cell);
            h->free[k->cls] = o;
        }
    }
    wx_ptrset kept = { 0 };
    for (wx_large **link = &h->large; *link;) {
        wx_large *b = *link;
        wx_obj *o = (wx_obj *)(b + 1);
        if (o->rtt & 1) {
            o->rtt &= ~(uintptr_t)1;
            wx_ptrset_add(&kept, o);
            link = &b->next;
            continue;
        }
        *link = b->next;
        h->live_bytes -= b->bytes;
        h->nobjects--;
        free(b);
    }
    free(h->large_set.slots);
    h->large_set = kept;
    wx_ptrset boxes = { 0 };
    for (size_t i = 0; i < h->boxes.cap; i++) {
        void *b = h->boxes.slots[i];
        if (b && ((wx_obj *)b)->rtt)
            wx_ptrset_add(&boxes, b);
    }
    free(h->boxes.slots);
    h->boxes = boxes;
}

void wx_gc_collect(wx_thread *th, const wx_callrec *at)
{
    wx_heap *h = th->heap;
    h->ngray = 0;
    h->overflow = false;
    mark_roots(th, at);
    while (h->ngray && !h->overflow)
        scan(h, h->gray[--h->ngray]);
    if (h->overflow) {
        /* Out of memory for the mark stack: nothing can be freed safely.
         * Unmark everything and keep it all. */
        h->overflow = false;
        for (wx_chunk *k = h->chunks; k; k = k->next)
            for (uint32_t i = 0; i < k->ncells; i++)
                ((wx_obj *)(k->cells + (size_t)i * k->cell))->rtt &= ~(uintptr_t)1;
        for (wx_large *b = h->large; b; b = b->next)
            ((wx_obj *)(b + 1))->rtt &= ~(uintptr_t)1;
    } else {
        sweep(h);
    }
    h->collections++;
    h->since_gc = 0;
    /* The next collection comes after as many bytes again as are live. */
    h->threshold = h->live_bytes > WX_GC_MIN_THRESHOLD ? h->live_bytes : WX_GC_MIN_THRESHOLD;
}

/* ---- Allocation from running code -------------------------------------------------- */

void wx_gc_poll(wx_thread *th, uint64_t bytes)
{
    wx_heap *h = th->heap;
    bool full = bytes > h->max_bytes || h->live_bytes > h->max_bytes - bytes;
    if (h->stress || full || h->since_gc >= h->threshold)
        wx_gc_collect(th, &th->gc_at);
}

void wx_gc_collect_due(wx_thread *th)
{
    wx_heap *h = th->heap;
    if (!th->stopped.active && (h->stress || h->since_gc >= h->threshold))
        wx_gc_collect(th, NULL);
}

wx_obj *wx_gc_alloc(wx_thread *th, const wx_rtt *rtt, uint32_t len)
{
    wx_gc_poll(th, wx_obj_bytes(rtt, len));
    return wx_heap_alloc(th->heap, rtt, len);
}

void wx_heap_stats(const wx_heap *h, uint64_t *objects, uint64_t *bytes, uint64_t *collections)
{
    *objects = h->nobjects;
    *bytes = h->live_bytes;
    *collections = h->collections;
}
