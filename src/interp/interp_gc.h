/* interp_gc.h: the handlers of garbage collection's instructions that need
 * no heap (gc.h): i31 references, ref.eq and the casts. Included by
 * interp_loop.h after interp_ops.h, whose macros they use. */

OP(REF_I31) { fp[S0].ref = wx_i31_new(fp[S1].u32); NEXT(2); }
OP(I31_GET_S) {
    if (!fp[S1].ref) TRAP(TRAP_NULL_I31);
    fp[S0].u64 = (uint32_t)wx_i31_get_s(fp[S1].ref);
    NEXT(2);
}
OP(I31_GET_U) {
    if (!fp[S1].ref) TRAP(TRAP_NULL_I31);
    fp[S0].u64 = wx_i31_get_u(fp[S1].ref);
    NEXT(2);
}
OP(REF_EQ) { fp[S0].u64 = fp[S1].ref == fp[S2].ref; NEXT(2); }
OP(REF_TEST) { fp[S0].u64 = wx_ref_test(fp[S1].ref, IMM); NEXT(2); }
OP(REF_TEST_NOT) { fp[S0].u64 = !wx_ref_test(fp[S1].ref, IMM); NEXT(2); }
OP(REF_CAST) {
    if (!wx_ref_test(fp[S1].ref, IMM)) TRAP(TRAP_CAST);
    fp[S0].ref = fp[S1].ref;
    NEXT(2);
}

/* ---- The heap's objects --------------------------------------------------------- */

/* The object in slot s, or the trap of a null one. */
#define STRUCT_AT(s) ({ uint8_t *o_ = fp[s].ref; \
                        if (__builtin_expect(!o_, 0)) { TRAP(TRAP_NULL_STRUCT); } o_; })
#define ARRAY_AT(s) ({ wx_obj *o_ = fp[s].ref; \
                       if (__builtin_expect(!o_, 0)) { TRAP(TRAP_NULL_ARRAY); } o_; })
/* The address of element s2 of the array in slot s1, `size` bytes each, or
 * the trap of a null array or an index out of bounds. */
#define ELEM_AT(s, i, size) ({ wx_obj *a_ = ARRAY_AT(s); uint32_t i_ = fp[i].u32; \
                               if (__builtin_expect(i_ >= a_->len, 0)) { TRAP(TRAP_ARRAY_OOB); } \
                               wx_obj_data(a_) + (size_t)i_ * (size); })
/* A new object of run-time type imm64 (word 2), `len` elements long: the
 * collector may run first, and learns from th where the code is (GC_AT:
 * this instruction's position is a safepoint with a stack map). */
#define GC_RTT ((const wx_rtt *)(uintptr_t)ip[2].u64)
#define GC_AT() (th->gc_at = (wx_callrec){ ip, fp, inst })
#define GC_NEW(rtt, len) ({ GC_AT(); \
                            wx_obj *n_ = wx_gc_alloc(th, (rtt), (len)); \
                            if (__builtin_expect(!n_, 0)) { TRAP(TRAP_NOMEM); } n_; })
/* Loads and stores of `T` at address p, which may be unaligned. */
#define GC_LOAD(T, p) ({ T v_; memcpy(&v_, (p), sizeof v_); v_; })
#define GC_STORE(T, p, v) do { T v_ = (T)(v); memcpy((p), &v_, sizeof v_); } while (0)

OP(STRUCT_NEW) {
    wx_obj *o = GC_NEW(GC_RTT, 0);
    wx_struct_fill(o, fp + S1);
    fp[S0].ref = o;
    NEXT(3);
}
OP(STRUCT_NEW_DEFAULT) { fp[S0].ref = GC_NEW(GC_RTT, 0); NEXT(3); }
OP(STRUCT_GET_8S) { fp[S0].u64 = (uint32_t)(int32_t)GC_LOAD(int8_t, STRUCT_AT(S1) + IMM); NEXT(2); }
OP(STRUCT_GET_8U) { fp[S0].u64 = GC_LOAD(uint8_t, STRUCT_AT(S1) + IMM); NEXT(2); }
OP(STRUCT_GET_16S) { fp[S0].u64 = (uint32_t)(int32_t)GC_LOAD(int16_t, STRUCT_AT(S1) + IMM); NEXT(2); }
OP(STRUCT_GET_16U) { fp[S0].u64 = GC_LOAD(uint16_t, STRUCT_AT(S1) + IMM); NEXT(2); }
OP(STRUCT_GET_32) { fp[S0].u64 = GC_LOAD(uint32_t, STRUCT_AT(S1) + IMM); NEXT(2); }
OP(STRUCT_GET_64) { fp[S0].u64 = GC_LOAD(uint64_t, STRUCT_AT(S1) + IMM); NEXT(2); }
OP(STRUCT_GET_V128) { memcpy(fp + S0, STRUCT_AT(S1) + IMM, 16); NEXT(2); }
OP(STRUCT_SET_8) { GC_STORE(uint8_t, STRUCT_AT(S0) + IMM, fp[S1].u32); NEXT(2); }
OP(STRUCT_SET_16) { GC_STORE(uint16_t, STRUCT_AT(S0) + IMM, fp[S1].u32); NEXT(2); }
OP(STRUCT_SET_32) { GC_STORE(uint32_t, STRUCT_AT(S0) + IMM, fp[S1].u32); NEXT(2); }
OP(STRUCT_SET_64) { GC_STORE(uint64_t, STRUCT_AT(S0) + IMM, fp[S1].u64); NEXT(2); }
OP(STRUCT_SET_V128) { memcpy(STRUCT_AT(S0) + IMM, fp + S1, 16); NEXT(2); }

/* Metered code: fuel for `n` elements of the array type `rtt` (gc.c). */
#define CHARGE_ELEMS(rtt, n) TRAP_IF_FAILS(wx_bulk_charge((uint64_t)(n) * (rtt)->elem_size))

OP(ARRAY_NEW) {
    CHARGE_ELEMS((const wx_rtt *)(uintptr_t)ip[3].u64, fp[S2].u32);
    wx_obj *o = GC_NEW((const wx_rtt *)(uintptr_t)ip[3].u64, fp[S2].u32);
    wx_array_fill_slot(o, 0, fp + S1, o->len);
    fp[S0].ref = o;
    NEXT(4);
}
OP(ARRAY_NEW_DEFAULT) {
    CHARGE_ELEMS(GC_RTT, fp[S1].u32);
    fp[S0].ref = GC_NEW(GC_RTT, fp[S1].u32);
    NEXT(3);
}
OP(ARRAY_NEW_FIXED) {
    wx_obj *o = GC_NEW(GC_RTT, IMM);
    for (uint32_t k = 0; k < IMM; k++)
        wx_array_fill_slot(o, k, fp + S1 + k * (wx_obj_rtt(o)->elem_size == 16 ? 2 : 1), 1);
    fp[S0].ref = o;
    NEXT(3);
}
OP(ARRAY_NEW_DATA) {
    GC_AT();
    TRAP_IF_FAILS(wx_array_new_data(th, inst, (const wx_rtt *)(uintptr_t)ip[3].u64, IMM_W2,
                                    fp[S1].u32, fp[S2].u32, &fp[S0].ref));
    NEXT(4);
}
OP(ARRAY_NEW_ELEM) {
    GC_AT();
    TRAP_IF_FAILS(wx_array_new_elem(th, inst, (const wx_rtt *)(uintptr_t)ip[3].u64, IMM_W2,
                                    fp[S1].u32, fp[S2].u32, &fp[S0].ref));
    NEXT(4);
}
OP(ARRAY_GET_8S) { fp[S0].u64 = (uint32_t)(int32_t)GC_LOAD(int8_t, ELEM_AT(S1, S2, 1)); NEXT(2); }
OP(ARRAY_GET_8U) { fp[S0].u64 = GC_LOAD(uint8_t, ELEM_AT(S1, S2, 1)); NEXT(2); }
OP(ARRAY_GET_16S) { fp[S0].u64 = (uint32_t)(int32_t)GC_LOAD(int16_t, ELEM_AT(S1, S2, 2)); NEXT(2); }
OP(ARRAY_GET_16U) { fp[S0].u64 = GC_LOAD(uint16_t, ELEM_AT(S1, S2, 2)); NEXT(2); }
OP(ARRAY_GET_32) { fp[S0].u64 = GC_LOAD(uint32_t, ELEM_AT(S1, S2, 4)); NEXT(2); }
OP(ARRAY_GET_64) { fp[S0].u64 = GC_LOAD(uint64_t, ELEM_AT(S1, S2, 8)); NEXT(2); }
OP(ARRAY_GET_V128) { uint8_t *e = ELEM_AT(S1, S2, 16); memcpy(fp + S0, e, 16); NEXT(2); }
OP(ARRAY_SET_8) { GC_STORE(uint8_t, ELEM_AT(S0, S1, 1), fp[S2].u32); NEXT(2); }
OP(ARRAY_SET_16) { GC_STORE(uint16_t, ELEM_AT(S0, S1, 2), fp[S2].u32); NEXT(2); }
OP(ARRAY_SET_32) { GC_STORE(uint32_t, ELEM_AT(S0, S1, 4), fp[S2].u32); NEXT(2); }
OP(ARRAY_SET_64) { GC_STORE(uint64_t, ELEM_AT(S0, S1, 8), fp[S2].u64); NEXT(2); }
OP(ARRAY_SET_V128) { uint8_t *e = ELEM_AT(S0, S1, 16); memcpy(e, fp + S2, 16); NEXT(2); }
OP(ARRAY_LEN) { fp[S0].u64 = ARRAY_AT(S1)->len; NEXT(2); }
OP(ARRAY_FILL) {
    wx_obj *a = ARRAY_AT(S0);
    uint32_t d = fp[S1].u32, n = fp[S3].u32;
    if ((uint64_t)d + n > a->len) TRAP(TRAP_ARRAY_OOB);
    CHARGE_ELEMS(wx_obj_rtt(a), n);
    wx_array_fill_slot(a, d, fp + S2, n);
    NEXT(3);
}
OP(ARRAY_COPY) {
    TRAP_IF_FAILS(wx_array_copy(fp[S0].ref, fp[S1].u32, fp[S2].ref, fp[S3].u32,
                                fp[IMM_W2].u32, IMM2_W2));
    NEXT(3);
}
OP(ARRAY_INIT_DATA) {
    TRAP_IF_FAILS(wx_array_init_data(inst, fp[S0].ref, fp[S1].u32, IMM_W2, fp[S2].u32,
                                     fp[S3].u32));
    NEXT(3);
}
OP(ARRAY_INIT_ELEM) {
    TRAP_IF_FAILS(wx_array_init_elem(inst, fp[S0].ref, fp[S1].u32, IMM_W2, fp[S2].u32,
                                     fp[S3].u32));
    NEXT(3);
}
OP(ANY_CONVERT_EXTERN) {
    bool ok;
    GC_AT();
    wx_gc_poll(th, WX_OBJ_HEADER + 8);
    void *r = wx_any_convert_extern(th->heap, fp[S1].ref, &ok);
    if (!ok) TRAP(TRAP_NOMEM);
    fp[S0].ref = r;
    NEXT(2);
}
OP(EXTERN_CONVERT_ANY) {
    bool ok;
    GC_AT();
    wx_gc_poll(th, WX_OBJ_HEADER + 8);
    void *r = wx_extern_convert_any(th->heap, fp[S1].ref, &ok);
    if (!ok) TRAP(TRAP_NOMEM);
    fp[S0].ref = r;
    NEXT(2);
}
