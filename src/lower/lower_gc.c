/* lower_gc.c: lowering the instructions of garbage collection: ref.i31,
 * i31.get_s/u, ref.eq, the casts (ref.test, ref.cast, br_on_cast,
 * br_on_cast_fail), whose target type goes into the code as a canonical
 * value type for wx_ref_test (gc.h), the struct and array instructions,
 * whose run-time type (a wx_rtt) and field offsets go into the code, and
 * the extern/any conversions. */
#include "gc.h"
#include "lower_internal.h"

static bool lo_gc_heap_op(lo_ctx *l, wasm_op op, const wv_imm *imm);

/* A cast's target as wx_ref_test takes it: canonical, a concrete struct or
 * array type marked as such. */
static wm_valtype cast_target(lo_ctx *l, wm_valtype t)
{
    wm_valtype c = wm_canon_valtype(l->m, t);
    if (vt_code(t) == VT_REF_INDEX && vt_index(t) < l->m->ntypes &&
        l->m->types[vt_index(t)].kind != WM_COMP_FUNC)
        c = (c & ~0xffu) | VT_REF_GC_INDEX;
    return c;
}

/* `op` [a] -> [result]: one slot in, one out. */
static void unary(lo_ctx *l, ir_op op, uint8_t result, uint32_t imm)
{
    uint16_t s = operand(l, 0);
    /* The conversions may make a box, and so collect first. */
    bool allocates = op == IR_ANY_CONVERT_EXTERN || op == IR_EXTERN_CONVERT_ANY;
    uint32_t site = allocates ? lo_site_open(l, l->nvals) : UINT32_MAX;
    drop(l);
    uint16_t dst = push_temp(l, result);
    lo_site_close(l, site, emit_ssi(l, op, dst, s, imm), false);
    has_dst(l);
}

/* br_on_cast and br_on_cast_fail: the test's result (or its negation) is
 * a br_if's condition, the reference staying where it is, below it. */
static void br_on_cast(lo_ctx *l, const wv_imm *imm, bool on_fail)
{
    uint16_t s = operand(l, 0);
    uint16_t cond = push_temp(l, VT_I32);
    emit_ssi(l, on_fail ? IR_REF_TEST_NOT : IR_REF_TEST, cond, s, cast_target(l, imm->type2));
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
        wm_valtype target = cast_target(l, nullable ? imm->type : imm->type | VT_NONNULL);
        bool test = op == WOP_REF_TEST || op == WOP_REF_TEST_NULL;
        unary(l, test ? IR_REF_TEST : IR_REF_CAST,
              test ? VT_I32 : vt_code(wm_canon_valtype(l->m, imm->type)), target);
        return true;
    }
    case WOP_BR_ON_CAST: case WOP_BR_ON_CAST_FAIL:
        br_on_cast(l, imm, op == WOP_BR_ON_CAST_FAIL);
        return true;
    case WOP_ANY_CONVERT_EXTERN:
        unary(l, IR_ANY_CONVERT_EXTERN, VT_ANYREF, 0);
        return true;
    case WOP_EXTERN_CONVERT_ANY:
        unary(l, IR_EXTERN_CONVERT_ANY, VT_EXTERNREF, 0);
        return true;
    default:
        return lo_gc_heap_op(l, op, imm);
    }
}

/* ---- Structs and arrays ------------------------------------------------------------ */

/* The run-time type of type `index`, or NULL, the lowering failed. */
static const wx_rtt *rtt(lo_ctx *l, uint32_t index)
{
    const wx_rtt *r = wx_rtt_of(l->m, index);
    if (!r)
        lo_fail(l, WEFT_ERR_NOMEM, "out of memory");
    return r;
}

/* Writes imm64 `r` into word `k` of the instruction at `pos`. */
static void put_rtt(lo_ctx *l, uint32_t pos, unsigned k, const wx_rtt *r)
{
    if (l->len)
        at(l, pos + k)->u64 = (uint64_t)(uintptr_t)r;
}

/* The type a field of storage type `t` reads as: packed fields are i32. */
static uint8_t unpacked(wm_valtype t)
{
    return vt_code(t) == VT_I8 || vt_code(t) == VT_I16 ? VT_I32 : vt_code(t);
}

/* The get and set opcodes of storage type `t` (get_s/get_u: `sign`). */
static ir_op get_op(wm_valtype t, bool sign, bool array)
{
    switch (vt_code(t)) {
    case VT_I8: return array ? (sign ? IR_ARRAY_GET_8S : IR_ARRAY_GET_8U)
                             : (sign ? IR_STRUCT_GET_8S : IR_STRUCT_GET_8U);
    case VT_I16: return array ? (sign ? IR_ARRAY_GET_16S : IR_ARRAY_GET_16U)
                              : (sign ? IR_STRUCT_GET_16S : IR_STRUCT_GET_16U);
    case VT_I32: case VT_F32: return array ? IR_ARRAY_GET_32 : IR_STRUCT_GET_32;
    case VT_V128: return array ? IR_ARRAY_GET_V128 : IR_STRUCT_GET_V128;
    default: return array ? IR_ARRAY_GET_64 : IR_STRUCT_GET_64;
    }
}

static ir_op set_op(wm_valtype t, bool array)
{
    switch (vt_code(t)) {
    case VT_I8: return array ? IR_ARRAY_SET_8 : IR_STRUCT_SET_8;
    case VT_I16: return array ? IR_ARRAY_SET_16 : IR_STRUCT_SET_16;
    case VT_I32: case VT_F32: return array ? IR_ARRAY_SET_32 : IR_STRUCT_SET_32;
    case VT_V128: return array ? IR_ARRAY_SET_V128 : IR_STRUCT_SET_V128;
    default: return array ? IR_ARRAY_SET_64 : IR_STRUCT_SET_64;
    }
}

/* Puts the top `n` entries in their homes, consecutive slots, and returns
 * the first (the next home when n is 0). */
static uint16_t homes(lo_ctx *l, uint32_t n)
{
    for (uint32_t j = 0; j < n; j++)
        lo_materialize(l, peek(l, j));
    return n ? peek(l, n - 1)->home : next_home(l);
}

static void drops(lo_ctx *l, uint32_t n)
{
    while (n--)
        drop(l);
}

/* The slots of the top `n` entries, deepest first. */
static void operands(lo_ctx *l, uint32_t n, uint16_t *s)
{
    for (uint32_t j = 0; j < n; j++)
        s[j] = operand(l, n - 1 - j);
}

/* An allocation's safepoint, opened with its operands in their slots and
 * still on the stack: they are live while the collector runs. */
static uint32_t allocation(lo_ctx *l) { return lo_site_open(l, l->nvals); }

static bool lo_gc_heap_op(lo_ctx *l, wasm_op op, const wv_imm *imm)
{
    const wm_module *m = l->m;
    const wm_functype *t = imm->index < m->ntypes ? &m->types[imm->index] : NULL;
    uint16_t s[5];
    switch (op) {
    case WOP_STRUCT_NEW: case WOP_STRUCT_NEW_DEFAULT: {
        const wx_rtt *r = rtt(l, imm->index);
        if (!r)
            return true;
        bool fields = op == WOP_STRUCT_NEW && t->nfields;
        uint32_t n = op == WOP_STRUCT_NEW ? t->nfields : 0;
        uint16_t first = homes(l, n);
        uint32_t site = allocation(l);
        drops(l, n);
        uint16_t dst = push_temp(l, VT_REF_INDEX);
        uint32_t pos = fields ? emit_s(l, IR_STRUCT_NEW, 3, dst, first, 0, 0)
                              : emit_s(l, IR_STRUCT_NEW_DEFAULT, 3, dst, 0, 0, 0);
        put_rtt(l, pos, 2, r);
        lo_site_close(l, site, pos, false);
        return true;
    }
    case WOP_STRUCT_GET: case WOP_STRUCT_GET_S: case WOP_STRUCT_GET_U: {
        const wx_rtt *r = rtt(l, imm->index);
        if (!r)
            return true;
        wm_valtype ft = t->fields[imm->index2].type;
        operands(l, 1, s);
        drop(l);
        uint16_t dst = push_temp(l, unpacked(ft));
        emit_ssi(l, get_op(ft, op == WOP_STRUCT_GET_S, false), dst, s[0], r->offsets[imm->index2]);
        has_dst(l);
        return true;
    }
    case WOP_STRUCT_SET: {
        const wx_rtt *r = rtt(l, imm->index);
        if (!r)
            return true;
        operands(l, 2, s);
        drops(l, 2);
        emit_ssi(l, set_op(t->fields[imm->index2].type, false), s[0], s[1],
                 r->offsets[imm->index2]);
        return true;
    }
    case WOP_ARRAY_NEW: case WOP_ARRAY_NEW_DATA: case WOP_ARRAY_NEW_ELEM: {
        const wx_rtt *r = rtt(l, imm->index);
        if (!r)
            return true;
        operands(l, 2, s);
        uint32_t site = allocation(l);
        drops(l, 2);
        uint16_t dst = push_temp(l, VT_REF_INDEX);
        ir_op o = op == WOP_ARRAY_NEW ? IR_ARRAY_NEW
                : op == WOP_ARRAY_NEW_DATA ? IR_ARRAY_NEW_DATA : IR_ARRAY_NEW_ELEM;
        uint32_t pos = emit_s(l, o, 4, dst, s[0], s[1], 0);
        if (l->len)
            at(l, pos + 2)->u32[0] = imm->index2;
        put_rtt(l, pos, 3, r);
        lo_site_close(l, site, pos, false);
        return true;
    }
    case WOP_ARRAY_NEW_DEFAULT: {
        const wx_rtt *r = rtt(l, imm->index);
        if (!r)
            return true;
        operands(l, 1, s);
        uint32_t site = allocation(l);
        drop(l);
        uint16_t dst = push_temp(l, VT_REF_INDEX);
        uint32_t pos = emit_s(l, IR_ARRAY_NEW_DEFAULT, 3, dst, s[0], 0, 0);
        put_rtt(l, pos, 2, r);
        lo_site_close(l, site, pos, false);
        return true;
    }
    case WOP_ARRAY_NEW_FIXED: {
        const wx_rtt *r = rtt(l, imm->index);
        if (!r)
            return true;
        uint16_t first = homes(l, imm->index2);
        uint32_t site = allocation(l);
        drops(l, imm->index2);
        uint16_t dst = push_temp(l, VT_REF_INDEX);
        uint32_t pos = emit_s(l, IR_ARRAY_NEW_FIXED, 3, dst, first, 0, 0);
        if (l->len)
            at(l, pos + 1)->u32[1] = imm->index2;
        put_rtt(l, pos, 2, r);
        lo_site_close(l, site, pos, false);
        return true;
    }
    case WOP_ARRAY_GET: case WOP_ARRAY_GET_S: case WOP_ARRAY_GET_U: {
        wm_valtype et = t->fields[0].type;
        operands(l, 2, s);
        drops(l, 2);
        uint16_t dst = push_temp(l, unpacked(et));
        emit_s(l, get_op(et, op == WOP_ARRAY_GET_S, true), 2, dst, s[0], s[1], 0);
        has_dst(l);
        return true;
    }
    case WOP_ARRAY_SET:
        operands(l, 3, s);
        drops(l, 3);
        emit_s(l, set_op(t->fields[0].type, true), 2, s[0], s[1], s[2], 0);
        return true;
    case WOP_ARRAY_LEN:
        unary(l, IR_ARRAY_LEN, VT_I32, 0);
        return true;
    case WOP_ARRAY_FILL:
        operands(l, 4, s);
        drops(l, 4);
        emit_s(l, IR_ARRAY_FILL, 3, s[0], s[1], s[2], s[3]);
        return true;
    case WOP_ARRAY_COPY: case WOP_ARRAY_INIT_DATA: case WOP_ARRAY_INIT_ELEM: {
        bool copy = op == WOP_ARRAY_COPY;
        operands(l, copy ? 5 : 4, s);
        drops(l, copy ? 5 : 4);
        ir_op o = copy ? IR_ARRAY_COPY
                : op == WOP_ARRAY_INIT_DATA ? IR_ARRAY_INIT_DATA : IR_ARRAY_INIT_ELEM;
        uint32_t pos = emit_s(l, o, 3, s[0], s[1], s[2], s[3]);
        if (l->len) {
            at(l, pos + 2)->u32[0] = copy ? s[4] : imm->index2;
            at(l, pos + 2)->u32[1] = wx_storage_size(t->fields[0].type);
        }
        return true;
    }
    default:
        return false;
    }
}
