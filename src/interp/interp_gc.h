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
