/* lower_gc.c: lowering the instructions of garbage collection that need no
 * heap: ref.i31, i31.get_s/u, ref.eq, and the casts (ref.test, ref.cast,
 * br_on_cast, br_on_cast_fail), whose target type goes into the code as a
 * canonical value type for wx_ref_test (gc.h). The others (structs,
 * arrays, the extern/any conversions) are not lowered yet. */
#include "lower_internal.h"

/* `op` [a] -> [result]: one slot in, one out. */
static void unary(lo_ctx *l, ir_op op, uint8_t result, uint32_t imm)
{
    uint16_t s = operand(l, 0);
    drop(l);
    uint16_t dst = push_temp(l, result);
    emit_ssi(l, op, dst, s, imm);
    has_dst(l);
}

/* br_on_cast and br_on_cast_fail: the test's result (or its negation) is
 * a br_if's condition, the reference staying where it is, below it. */
static void br_on_cast(lo_ctx *l, const wv_imm *imm, bool on_fail)
{
    uint16_t s = operand(l, 0);
    uint16_t cond = push_temp(l, VT_I32);
    emit_ssi(l, on_fail ? IR_REF_TEST_NOT : IR_REF_TEST, cond, s,
             wm_canon_valtype(l->m, imm->type2));
    has_dst(l);
    lo_br_if(l, imm->index);
}

bool lo_gc_op(lo_ctx *l, wasm_op op, const wv_imm *imm)
{
    switch (op) {
    case WOP_REF_I31:
        unary(l, IR_REF_I31, VT_I31REF, 0);
        return true;
    case WOP_I31_GET_S: case WOP_I31_GET_U:
        unary(l, op == WOP_I31_GET_S ? IR_I31_GET_S : IR_I31_GET_U, VT_I32, 0);
        return true;
    case WOP_REF_EQ: {
        uint16_t b = operand(l, 0), a = operand(l, 1);
        drop(l);
        drop(l);
        uint16_t dst = push_temp(l, VT_I32);
        emit_s(l, IR_REF_EQ, 2, dst, a, b, 0);
        has_dst(l);
        return true;
    }
    case WOP_REF_TEST: case WOP_REF_TEST_NULL: case WOP_REF_CAST: case WOP_REF_CAST_NULL: {
        bool nullable = op == WOP_REF_TEST_NULL || op == WOP_REF_CAST_NULL;
        wm_valtype target = wm_canon_valtype(l->m, nullable ? imm->type : imm->type | VT_NONNULL);
        bool test = op == WOP_REF_TEST || op == WOP_REF_TEST_NULL;
        unary(l, test ? IR_REF_TEST : IR_REF_CAST, test ? VT_I32 : vt_code(target), target);
        return true;
    }
    case WOP_BR_ON_CAST: case WOP_BR_ON_CAST_FAIL:
        br_on_cast(l, imm, op == WOP_BR_ON_CAST_FAIL);
        return true;
    default:
        return false;
    }
}
