/* gc.c: the garbage collector and the run-time helpers of the array
 * instructions that copy ranges. */
#include <stdlib.h>
#include <string.h>

#include "gc.h"
#include "heap.h"

/* ---- Helpers of the instructions -------------------------------------------------- */

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
    if (n)
        memcpy(wx_obj_data(a) + (size_t)d * sizeof(wx_slot), inst->elem_items[elem] + s,
               (size_t)n * sizeof(wx_slot));
    return TRAP_NONE;
}

/* ---- Allocation from running code -------------------------------------------------- */

wx_obj *wx_gc_alloc(wx_thread *th, const wx_rtt *rtt, uint32_t len)
{
    return wx_heap_alloc(th->heap, rtt, len);
}
