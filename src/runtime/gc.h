/* gc.h: the values of garbage collection that need no heap, and the run
 * time's type tests. An i31 reference is a pointer-sized word holding its
 * 31-bit value shifted left by one with the low bit set: no object weft
 * hands out as a reference (a function, an exception) has an odd address,
 * so the low bit tells an i31 from everything else, and two i31 references
 * are equal (ref.eq) exactly when their words are. */
#ifndef WEFT_GC_H
#define WEFT_GC_H

#include <stdbool.h>
#include <stdint.h>

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

/* Whether reference `ref` is of canonical reference type `target`
 * (wm_canon_valtype), which validation has put in the hierarchy `ref`
 * belongs to: ref.test, ref.cast, br_on_cast. Without a heap the values of
 * the any hierarchy are null and i31s, those of func functions (their
 * canonical type id in `sig`), of extern and exn host values and
 * exceptions, which are tested only for null. */
static inline bool wx_ref_test(const void *ref, wm_valtype target)
{
    if (!ref)
        return vt_nullable(target);
    switch (vt_code(target)) {
    case VT_ANYREF: case VT_FUNCREF: case VT_EXTERNREF: case VT_EXNREF:
        return true;
    case VT_EQREF: case VT_I31REF:
        return wx_is_i31(ref);
    case VT_REF_INDEX:
        /* A concrete type: a function type (structs and arrays have no
         * values yet, and an i31 is none of them). */
        return !wx_is_i31(ref) &&
               wx_canon_id_subtype(((const wx_func *)ref)->sig, vt_index(target));
    default:
        /* struct, array and the bottom types: no non-null value. */
        return false;
    }
}

#endif
