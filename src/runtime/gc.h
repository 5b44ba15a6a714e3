/* gc.h: the values of garbage collection: i31 references, the heap's
 * objects and their run-time types, and the run time's type tests. An i31 reference is a pointer-sized word holding its
 * 31-bit value shifted left by one with the low bit set: no object weft
 * hands out as a reference (a function, an exception) has an odd address,
 * so the low bit tells an i31 from everything else, and two i31 references
 * are equal (ref.eq) exactly when their words are. */
#ifndef WEFT_GC_H
#define WEFT_GC_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "module.h"
#include "runtime.h"

/* ref.i31: the reference of the low 31 bits of `v`. */
static inline void *wx_i31_new(uint32_t v)
{
    return (void *)(uintptr_t)(((uintptr_t)(v & 0x7fffffffu) << 1) | 1);
}

static inline bool wx_is_i31(const void *ref) { return (uintptr_t)ref & 1; }

/* i31.get_s and i31.get_u of a non-null i31 reference. */
static inline int32_t wx_i31_get_s(const void *ref)
{
    return (int32_t)((uint32_t)((uintptr_t)ref >> 1) << 1) >> 1;
}

static inline uint32_t wx_i31_get_u(const void *ref)
{
    return (uint32_t)((uintptr_t)ref >> 1) & 0x7fffffffu;
}

/* ---- The heap's objects ------------------------------------------------------ */

/* What an object on the heap is: a struct or an array of a defined type, a
 * host value taken into the any hierarchy (any.convert_extern), or a value
 * of the any hierarchy taken out to extern (extern.convert_any). */
enum { WX_OBJ_STRUCT = 1, WX_OBJ_ARRAY, WX_OBJ_HOST, WX_OBJ_EXTERN };

/* An object's tag: its canonical type id, and its kind in the top byte, so
 * that a cast reads one word. Host and extern boxes have no type id. */
#define WX_TAG_ID_MASK 0xffffffu
#define WX_TAG_KIND_SHIFT 24
#define WX_NO_TYPE VT_MAX_INDEX

/* A defined type's run-time type: what allocation, the collector and the
 * copies of arrays need of it, made once per canonical id (wx_rtt_of). A
 * field's offset counts from the object's start, header included, so that
 * an access is a load at a fixed offset. */
typedef struct wx_rtt {
    uint32_t tag;                  /* The objects' tag: id | kind << 24. */
    uint8_t kind;                  /* WX_OBJ_*. */
    uint8_t elem_size;             /* Array: an element's bytes. */
    bool elem_ref;                 /* Array: its elements are references. */
    uint32_t size;                 /* Struct: its bytes, header included. */
    uint32_t nfields;              /* Struct. */
    const uint32_t *offsets;       /* Struct: each field's offset. */
    const uint8_t *sizes;          /* Struct: each field's bytes. */
    uint32_t nrefs;                /* Struct: its reference fields' offsets. */
    const uint32_t *refs;
} wx_rtt;

/* An object's header. `rtt` is its run-time type with the collector's mark
 * in bit 0 (a free cell has 0); `len` an array's length. The fields follow
 * at WX_OBJ_HEADER. */
typedef struct wx_obj {
    uintptr_t rtt;
    uint32_t tag;
    uint32_t len;
} wx_obj;

#define WX_OBJ_HEADER 16

static inline const wx_rtt *wx_obj_rtt(const wx_obj *o) { return (const wx_rtt *)(o->rtt & ~(uintptr_t)1); }
static inline uint8_t wx_obj_kind(const void *ref) { return ((const wx_obj *)ref)->tag >> WX_TAG_KIND_SHIFT; }
static inline uint8_t *wx_obj_data(void *ref) { return (uint8_t *)ref + WX_OBJ_HEADER; }

/* The run-time type of type `type` of module `m` (a struct or array type),
 * made on first use and kept for the process; NULL when out of memory.
 * Thread-safe. */
const wx_rtt *wx_rtt_of(const wm_module *m, uint32_t type);

/* Struct and array objects' sizes: a field's or element's bytes by storage
 * type. */
static inline uint32_t wx_storage_size(wm_valtype t)
{
    switch (vt_code(t)) {
    case VT_I8: return 1;
    case VT_I16: return 2;
    case VT_I32: case VT_F32: return 4;
    case VT_V128: return 16;
    default: return 8;
    }
}

/* A heap: every object an engine's code makes (heap.c). */
typedef struct wx_heap wx_heap;

/* A heap whose objects may take at most `max_bytes`; NULL when out of
 * memory. wx_heap_free frees it and every object in it. */
wx_heap *wx_heap_new(uint64_t max_bytes, bool stress);
void wx_heap_free(wx_heap *h);

/* A new object of `rtt` (an array of `len` elements), zeroed but for its
 * header, from the heap of thread `th`; NULL when the heap's limit or the
 * machine's memory is exhausted ("out of memory"). May collect first:
 * called by running code, which has set th->gc_at to where it is. */
wx_obj *wx_gc_alloc(wx_thread *th, const wx_rtt *rtt, uint32_t len);
/* Collects before running code allocates `bytes` if it is time to (the
 * threshold, the limit, stress mode): what the conversions, which make
 * boxes, call first. th->gc_at must be the allocating instruction (as
 * for wx_gc_alloc): a safepoint whose stack map names the frame's roots. */
void wx_gc_poll(wx_thread *th, uint64_t bytes);
/* Collects thread `th`'s heap now. `at`: the allocating instruction of
 * running code (its frame, stack map and instance), or NULL when the
 * collection does not come from Wasm code (the host's, between or during
 * calls: the frames of running code are then all in the thread's return
 * records and host frames). */
void wx_gc_collect(wx_thread *th, const wx_callrec *at);
/* From outside running code (instantiation, the host's allocations):
 * collects if one is due (the threshold, stress mode), not while a call
 * stopped by fuel or an interrupt waits to be resumed (its innermost
 * frame is at no safepoint). */
void wx_gc_collect_due(wx_thread *th);
/* The objects and bytes live (allocated and not freed) and the
 * collections so far: for tests. */
void wx_heap_stats(const wx_heap *h, uint64_t *objects, uint64_t *bytes, uint64_t *collections);
/* The same, from heap `h` with no thread: constant expressions at
 * instantiation, the host's values. */
wx_obj *wx_heap_alloc(wx_heap *h, const wx_rtt *rtt, uint32_t len);

/* any.convert_extern and extern.convert_any. A host value taken in becomes
 * a host box (of the any hierarchy, but no i31, struct or array), a value
 * of the any hierarchy taken out an extern box, and each goes back to what
 * it was: the host value, or the very reference. *ok is false when out of
 * memory. */
void *wx_any_convert_extern(wx_heap *h, void *ref, bool *ok);
void *wx_extern_convert_any(wx_heap *h, void *ref, bool *ok);

/* struct.new: the fields of struct `o` from consecutive slots (a v128
 * takes two). */
void wx_struct_fill(wx_obj *o, const wx_slot *slots);
/* Elements [at, at + n) of array `o` set to the value in `slot` (two for
 * a v128), the range checked. */
void wx_array_fill_slot(wx_obj *o, uint32_t at, const wx_slot *slot, uint32_t n);
/* The instructions that copy ranges, checked as the spec says, in its
 * order (null array, array bounds, then the segment's). */
wx_trap wx_array_new_data(wx_thread *th, wx_instance *inst, const wx_rtt *rtt, uint32_t data,
                          uint32_t at, uint32_t n, void **out);
wx_trap wx_array_new_elem(wx_thread *th, wx_instance *inst, const wx_rtt *rtt, uint32_t elem,
                          uint32_t at, uint32_t n, void **out);
wx_trap wx_array_copy(wx_obj *dst, uint32_t d, wx_obj *src, uint32_t s, uint32_t n,
                      uint32_t elem_size);
wx_trap wx_array_init_data(wx_instance *inst, wx_obj *a, uint32_t d, uint32_t data, uint32_t s,
                           uint32_t n);
wx_trap wx_array_init_elem(wx_instance *inst, wx_obj *a, uint32_t d, uint32_t elem, uint32_t s,
                           uint32_t n);

/* The host value a host box holds. */
static inline void *wx_host_box_value(const void *ref)
{
    void *v;
    memcpy(&v, (const uint8_t *)ref + WX_OBJ_HEADER, sizeof v);
    return v;
}

/* A cast's target in the any hierarchy that is a concrete type: the code
 * lowering gives it (VT_REF_INDEX is a function type's). Not a value type. */
#define VT_REF_GC_INDEX 0x03

/* Whether reference `ref` is of canonical reference type `target`
 * (wm_canon_valtype), which validation has put in the hierarchy `ref`
 * belongs to: ref.test, ref.cast, br_on_cast. The values of the any
 * hierarchy are null, i31s and heap objects (structs, arrays, host boxes),
 * those of func functions (their canonical type id in `sig`), of extern and
 * exn host values, extern boxes and exceptions, which are tested only for
 * null. */
static inline bool wx_ref_test(const void *ref, wm_valtype target)
{
    if (!ref)
        return vt_nullable(target);
    switch (vt_code(target)) {
    case VT_ANYREF: case VT_FUNCREF: case VT_EXTERNREF: case VT_EXNREF:
        return true;
    case VT_EQREF:
        return wx_is_i31(ref) || wx_obj_kind(ref) <= WX_OBJ_ARRAY;
    case VT_I31REF:
        return wx_is_i31(ref);
    case VT_STRUCTREF:
        return !wx_is_i31(ref) && wx_obj_kind(ref) == WX_OBJ_STRUCT;
    case VT_ARRAYREF:
        return !wx_is_i31(ref) && wx_obj_kind(ref) == WX_OBJ_ARRAY;
    case VT_REF_INDEX:
        /* A concrete function type. */
        return wx_canon_id_subtype(((const wx_func *)ref)->sig, vt_index(target));
    case VT_REF_GC_INDEX: {
        /* A concrete struct or array type: the object's id, or one of its
         * declared supertypes. */
        if (wx_is_i31(ref))
            return false;
        uint32_t tag = ((const wx_obj *)ref)->tag;
        if ((tag >> WX_TAG_KIND_SHIFT) > WX_OBJ_ARRAY)
            return false;
        uint32_t id = tag & WX_TAG_ID_MASK;
        return id == vt_index(target) || wx_canon_id_subtype(id, vt_index(target));
    }
    default:
        /* The bottom types: no non-null value. */
        return false;
    }
}

#endif
