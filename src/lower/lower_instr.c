/* lower_instr.c: the lowering of each instruction: the map from Wasm
 * opcodes to IR families, the operator, memory, SIMD, call and variable
 * instructions, and the walk over a validated body that drives it all. */
#include "lower_internal.h"

static const lo_map op_map[WOP_COUNT] = {
#define IR_BINARY(N, t, IN, OUT, e) [WOP_##N] = { MAP_BINARY, IR_##N##_RR },
#define IR_COMPARE(N, t, IN, SWAP, NOT, e) [WOP_##N] = { MAP_COMPARE, IR_##N##_RR },
#define IR_BINARY_TRAP(N, t, T, fn) [WOP_##N] = { MAP_BINARY_TRAP, IR_##N##_RR },
#define IR_UNARY(N, t, IN, OUT, e) [WOP_##N] = { MAP_UNARY, IR_##N },
#define IR_UNARY_TRAP(N, t, IN, OUT, fn) [WOP_##N] = { MAP_UNARY, IR_##N },
#define IR_LOAD(N, t, OUT, M) [WOP_##N] = { MAP_LOAD_IDX, IR_##N },
#define IR_STORE(N, t, IN, M) [WOP_##N] = { MAP_STORE_ADD, IR_##N },
#define IR_OP(N, F, t)
/* SIMD: one-operand forms lower like scalar unary operators, the v128 loads
 * and stores like scalar ones; the rest have their own kinds. */
#define IR_V_UNARY(N, t, fn) [WOP_##N] = { MAP_UNARY, IR_##N },
#define IR_V_BINARY(N, t, fn) [WOP_##N] = { MAP_V_BINARY, IR_##N },
#define IR_V_TERNARY(N, t, fn) [WOP_##N] = { MAP_V_TERNARY, IR_##N },
#define IR_V_SHIFT(N, t, fn) [WOP_##N] = { MAP_V_SHIFT, IR_##N },
#define IR_V_SPLAT(N, t, IN, fn) [WOP_##N] = { MAP_UNARY, IR_##N },
#define IR_V_TEST(N, t, fn) [WOP_##N] = { MAP_UNARY, IR_##N },
#define IR_V_EXTRACT(N, t, OUT, fn) [WOP_##N] = { MAP_V_EXTRACT, IR_##N },
#define IR_V_REPLACE(N, t, IN, fn) [WOP_##N] = { MAP_V_REPLACE, IR_##N },
#define IR_V_LOAD(N, t, W, fn) [WOP_##N] = { MAP_LOAD, IR_##N },
#define IR_V_STORE(N, t, W, fn) [WOP_##N] = { MAP_STORE, IR_##N },
#define IR_V_LOAD_LANE(N, t, W) [WOP_##N] = { MAP_V_LOAD_LANE, IR_##N },
#define IR_V_STORE_LANE(N, t, W) [WOP_##N] = { MAP_V_STORE_LANE, IR_##N },
#include "ir_ops.def"
};

/* Binary operators, compares included: (slot, slot), (slot, constant) or
 * (constant, slot) forms. Two constants: the first is materialised. */
static void lower_binary(lo_ctx *l, const lo_map *map, uint8_t result)
{
    lo_val b = pop(l), a = pop(l);
    bool wide = a.type == VT_I64 || a.type == VT_F64;
    ir_op op = (ir_op)map->op;
    uint16_t dst;
    uint32_t pos;
    lo_compare k = { .base = op };
    uint64_t folded;
    if (b.kind == LV_CONST && a.kind == LV_CONST &&
        lower_fold_binary(op, a.bits, b.bits, &folded)) {
        push_const(l, result, folded);
        return;
    }
    if (b.kind == LV_CONST && a.kind == LV_CONST) {
        /* An operation that traps: a goes to its home, which is also where
         * the result goes. */
        lo_move_to(l, &a, a.home);
        a.kind = LV_TEMP;
        a.slot = a.home;
    }
    dst = push_temp(l, result);
    if (b.kind == LV_CONST || a.kind == LV_CONST) {
        bool imm_first = a.kind == LV_CONST;
        uint64_t imm = imm_first ? a.bits : b.bits;
        uint16_t s = imm_first ? b.slot : a.slot;
        if (op == IR_I32_AND_RR && lo_fuse_bit_field(l, imm_first ? &b : &a, imm, dst)) {
            has_dst(l);
            return;
        }
        op = (ir_op)(op + (imm_first ? 2 : 1));
        if (wide) {
            pos = emit_s(l, op, 3, dst, s, 0, 0);
            if (l->len)
                at(l, pos + 2)->u64 = imm;
        } else {
            emit_ssi(l, op, dst, s, (uint32_t)imm);
        }
        k.with_imm = true;
        k.a = s;
        k.imm = imm;
        if (imm_first)
            map = NULL; /* (constant, slot) compares do not fuse. */
    } else if (op == IR_I32_ADD_RR && lo_fuse_shift(l, &a, &b)) {
        /* i32.shl by a constant folded into this add: address arithmetic. */
    } else if ((op == IR_I32_ADD_RR || op == IR_I32_XOR_RR) && lo_fuse_pair(l, op, &a, &b)) {
        /* A three-operand add or a xor of a rotation. */
    } else if (fuse_multiply(l, op, &a, &b, dst)) {
        /* The multiply just before folded into this add or subtract. */
    } else if ((op == IR_I32_SUB_RR || op == IR_I64_SUB_RR) &&
               lo_fuse_remainder(l, op, &a, &b, dst)) {
        /* A remainder by a constant, which clang spelt as x - x / c * c. */
    } else {
        emit_s(l, op, 2, dst, a.slot, b.slot, 0);
        k.a = a.slot;
        k.b = b.slot;
    }
    has_dst(l);
    if (map && map->kind == MAP_COMPARE) {
        l->fuse.last_is_compare = true;
        k.imm64 = wide;
        l->fuse.cmp = k;
    }
}

static void lower_unary(lo_ctx *l, const lo_map *map, uint8_t result)
{
    uint64_t folded;
    if (peek(l, 0)->kind == LV_CONST &&
        lower_fold_unary((ir_op)map->op, peek(l, 0)->bits, &folded)) {
        drop(l);
        push_const(l, result, folded);
        return;
    }
    uint16_t s = lo_slot_of(l, peek(l, 0));
    drop(l);
    uint16_t dst = push_temp(l, result);
    emit_s(l, (ir_op)map->op, 2, dst, s, 0, 0);
    has_dst(l);
}

/* Whether address `a` is a constant whose sum with the static offset is
 * below 2^32; then that sum is the absolute form's address. (A larger sum
 * is out of bounds, which the general form traps on.) */
static bool absolute_address(const lo_val *a, const wv_imm *imm, uint32_t *ea)
{
    if (a->kind != LV_CONST)
        return false;
    uint64_t sum = (uint64_t)(uint32_t)a->bits + imm->offset;
    *ea = (uint32_t)sum;
    return sum <= UINT32_MAX;
}

static void lower_load(lo_ctx *l, const lo_map *map, const wv_imm *imm, uint8_t result)
{
    lo_val *a = peek(l, 0);
    /* An address just computed by i32.add or i32.add_shl folds into an
     * indexed load. */
    if (map->kind == MAP_LOAD_IDX && (just_computed(l, a, IR_I32_ADD_RR) ||
                         just_computed(l, a, IR_I32_ADD_SHL))) {
        ir_word w = *at(l, l->fuse.last_pos + 1);
        uint16_t shift = l->fuse.last_op == IR_I32_ADD_SHL ? w.u16[3] : 0;
        l->len = l->fuse.last_pos;
        drop(l);
        uint16_t dst = push_temp(l, result);
        uint32_t pos = emit_s(l, (ir_op)(map->op + 2 + l->checked), 3, dst, w.u16[1], w.u16[2],
                              shift);
        if (l->len)
            at(l, pos + 2)->u32[0] = (uint32_t)imm->offset;
        has_dst(l);
        return;
    }
    /* An address just computed as a slot plus a constant, with no static
     * offset, folds into an added load. */
    uint16_t base;
    uint32_t k;
    bool v128 = map->op == IR_V128_LOAD;
    if ((map->kind == MAP_LOAD_IDX || v128) && imm->offset == 0 &&
        lo_added_address(l, a, &base, &k)) {
        drop(l);
        uint16_t dst = push_temp(l, result);
        ir_op op = v128 ? IR_V128_LOAD_ADD : (ir_op)(map->op + 4);
        emit_ssi(l, (ir_op)(op + l->checked), dst, base, k);
        has_dst(l);
        return;
    }
    uint32_t ea;
    if (map->kind == MAP_LOAD_IDX && absolute_address(a, imm, &ea)) {
        drop(l);
        uint16_t dst = push_temp(l, result);
        emit_ssi(l, (ir_op)(map->op + 6 + l->checked), dst, 0, ea);
        has_dst(l);
        return;
    }
    uint16_t addr = operand(l, 0);
    drop(l);
    uint16_t dst = push_temp(l, result);
    emit_ssi(l, (ir_op)(map->op + l->checked), dst, addr, (uint32_t)imm->offset);
    has_dst(l);
}

/* The constant-value store of the width that scalar store `op` writes, or
 * IR_OP_COUNT: its two-word form for a static offset below 65536 and a
 * value of at most 32 bits, else its three-word one. */
static ir_op store_k_op(ir_op op, bool small)
{
    switch (op) {
    case IR_I32_STORE8: case IR_I64_STORE8: return small ? IR_STORE8_KS : IR_STORE8_K;
    case IR_I32_STORE16: case IR_I64_STORE16: return small ? IR_STORE16_KS : IR_STORE16_K;
    case IR_I32_STORE: case IR_I64_STORE32: case IR_F32_STORE:
        return small ? IR_STORE32_KS : IR_STORE32_K;
    case IR_I64_STORE: case IR_F64_STORE: return IR_STORE64_K;
    default: return IR_OP_COUNT;
    }
}

static void lower_store(lo_ctx *l, const lo_map *map, const wv_imm *imm)
{
    if (lo_fuse_move(l, map, imm))
        return;
    /* As for loads: slot + constant, just computed, with no static offset.
     * The value must already sit in a slot (a constant would be
     * materialised after the add). */
    uint16_t base;
    uint32_t k;
    bool v128 = map->op == IR_V128_STORE;
    if (v128 && lo_fuse_update(l, imm))
        return;
    if ((map->kind == MAP_STORE_ADD || v128) && imm->offset == 0 && peek(l, 0)->kind != LV_CONST &&
        lo_added_address(l, peek(l, 1), &base, &k)) {
        uint16_t value = peek(l, 0)->slot;
        drop(l);
        drop(l);
        ir_op op = v128 ? IR_V128_STORE_ADD : (ir_op)(map->op + 2);
        emit_ssi(l, (ir_op)(op + l->checked), base, value, k);
        return;
    }
    /* A constant value goes in the instruction instead of a slot. */
    ir_op k_op = store_k_op((ir_op)map->op, imm->offset <= UINT16_MAX);
    if (peek(l, 0)->kind == LV_CONST && k_op != IR_OP_COUNT) {
        uint64_t bits = peek(l, 0)->bits;
        uint16_t addr = operand(l, 1);
        drop(l);
        drop(l);
        if (ir_op_format[k_op] == FMT_SHI) {
            emit_ssi(l, (ir_op)(k_op + l->checked), addr, (uint16_t)imm->offset, (uint32_t)bits);
            return;
        }
        uint32_t pos = emit_s(l, (ir_op)(k_op + l->checked), 3, addr, 0, 0, 0);
        if (l->len) {
            at(l, pos + 1)->u32[1] = (uint32_t)imm->offset;
            at(l, pos + 2)->u64 = bits;
        }
        return;
    }
    uint32_t ea;
    if (map->kind == MAP_STORE_ADD && absolute_address(peek(l, 1), imm, &ea)) {
        uint16_t value = operand(l, 0);
        drop(l);
        drop(l);
        emit_ssi(l, (ir_op)(map->op + 4 + l->checked), value, 0, ea);
        return;
    }
    uint16_t value = operand(l, 0), addr = operand(l, 1);
    drop(l);
    drop(l);
    emit_ssi(l, (ir_op)(map->op + l->checked), addr, value, (uint32_t)imm->offset);
}

/* ---- SIMD ---------------------------------------------------------------------- */

/* Two operands in slots: v128s (their constants are always materialised),
 * or a v128 and a shift count that is not a constant. */
static void lower_v_binary(lo_ctx *l, const lo_map *map, uint8_t result)
{
    /* f32x4/f64x2 add and subtract fold a product just computed, as scalars
     * do. */
    if (fuse_multiply(l, (ir_op)map->op, peek(l, 1), peek(l, 0), peek(l, 1)->home)) {
        drop(l);
        drop(l);
        push_temp(l, VT_V128);
        has_dst(l);
        return;
    }
    uint16_t b = operand(l, 0), a = operand(l, 1);
    drop(l);
    drop(l);
    uint16_t dst = push_temp(l, result);
    emit_s(l, (ir_op)map->op, 2, dst, a, b, 0);
    has_dst(l);
}

/* Shifts: a constant count (the usual case) goes in the _RI form's
 * immediate; the handler reduces it modulo the lane width. */
static void lower_v_shift(lo_ctx *l, const lo_map *map)
{
    lo_val *n = peek(l, 0);
    if (n->kind != LV_CONST) {
        lower_v_binary(l, map, VT_V128);
        return;
    }
    uint32_t count = (uint32_t)n->bits;
    drop(l);
    uint16_t a = operand(l, 0);
    drop(l);
    uint16_t dst = push_temp(l, VT_V128);
    emit_ssi(l, (ir_op)(map->op + 1), dst, a, count);
    has_dst(l);
}

/* v128.bitselect: three v128 operands. */
static void lower_v_ternary(lo_ctx *l, const lo_map *map)
{
    uint16_t c = operand(l, 0), b = operand(l, 1), a = operand(l, 2);
    drop(l);
    drop(l);
    drop(l);
    uint16_t dst = push_temp(l, VT_V128);
    emit_s(l, (ir_op)map->op, 2, dst, a, b, c);
    has_dst(l);
}

static void lower_v_extract(lo_ctx *l, const lo_map *map, const wv_imm *imm, uint8_t result)
{
    uint16_t v = operand(l, 0);
    drop(l);
    uint16_t dst = push_temp(l, result);
    emit_ssi(l, (ir_op)map->op, dst, v, imm->lane);
    has_dst(l);
}

/* replace_lane: [op][dst v x -][lane -]. */
static void lower_v_replace(lo_ctx *l, const lo_map *map, const wv_imm *imm)
{
    uint16_t x = operand(l, 0), v = operand(l, 1);
    drop(l);
    drop(l);
    uint16_t dst = push_temp(l, VT_V128);
    uint32_t pos = emit_s(l, (ir_op)map->op, 3, dst, v, x, 0);
    if (l->len)
        at(l, pos + 2)->u32[0] = imm->lane;
    has_dst(l);
}

/* Lane loads and stores: [op][dst addr v -][offset lane] and
 * [op][addr v - -][offset lane]; the checked form follows the guarded one. */
static void lower_v_lane(lo_ctx *l, const lo_map *map, const wv_imm *imm, bool load)
{
    uint16_t v = operand(l, 0), addr = operand(l, 1);
    drop(l);
    drop(l);
    ir_op op = (ir_op)(map->op + l->checked);
    uint32_t pos;
    if (load) {
        uint16_t dst = push_temp(l, VT_V128);
        pos = emit_s(l, op, 3, dst, addr, v, 0);
    } else {
        pos = emit_s(l, op, 3, addr, v, 0, 0);
    }
    if (l->len) {
        at(l, pos + 2)->u32[0] = (uint32_t)imm->offset;
        at(l, pos + 2)->u32[1] = imm->lane;
    }
    if (load)
        has_dst(l);
}

/* i8x16.shuffle: [op][dst a b -][16 lane-index bytes]. */
static void lower_v_shuffle(lo_ctx *l, const wv_imm *imm)
{
    uint16_t b = operand(l, 0), a = operand(l, 1);
    drop(l);
    drop(l);
    uint16_t dst = push_temp(l, VT_V128);
    uint32_t pos = emit_s(l, IR_I8X16_SHUFFLE, 4, dst, a, b, 0);
    if (l->len)
        memcpy(&at(l, pos + 2)->u64, imm->bytes, 16);
    has_dst(l);
}

/* The canonical id of type `index`, which call_indirect compares with the
 * callee's. */
static uint32_t type_id(lo_ctx *l, uint32_t index)
{
    const uint32_t *ids = wm_type_ids(l->m);
    return ids ? ids[index] : UINT32_MAX;
}

/* Calls: the arguments go to consecutive homes, which become the callee's
 * first locals; the results come back in the same place. */
static void lower_call(lo_ctx *l, ir_op op, const wm_functype *ft, uint32_t func, bool indirect,
                       uint32_t type_sig, uint32_t table)
{
    uint32_t extra = indirect ? 1 : 0; /* call_indirect's index is on top. */
    for (uint32_t j = 0; j < ft->nparams; j++)
        lo_materialize(l, peek(l, extra + j));
    uint16_t index = indirect ? operand(l, 0) : 0;
    if (indirect)
        drop(l);
    uint32_t first = l->nvals - ft->nparams;
    uint16_t args = first < l->nvals ? l->vals[first].home : next_home(l);
    uint32_t pos;
    if (indirect) {
        pos = emit_s(l, op, 3, args, index, 0, 0);
        if (l->len) {
            at(l, pos + 1)->u32[1] = type_sig;
            at(l, pos + 2)->u32[0] = table;
        }
    } else {
        pos = emit_ssi(l, op, args, 0, func);
    }
    /* A frame suspended in a call: what is below the arguments. */
    bool tail = op == IR_RETURN_CALL || op == IR_RETURN_CALL_REF || op == IR_RETURN_CALL_INDIRECT ||
                op == IR_RETURN_CALL_INDIRECT64;
    if (!tail)
        lo_site_close(l, lo_site_open(l, first), pos, true);
    for (uint32_t j = 0; j < ft->nparams; j++)
        drop(l);
    for (uint32_t j = 0; j < ft->nresults; j++)
        push_temp(l, ft->results[j]);
}

/* local.set / local.tee: forward the last result straight into the local
 * when it was just computed into a temporary, else copy. */
static inline __attribute__((always_inline)) void lower_local_set(lo_ctx *l, uint32_t index,
                                                                 bool tee)
{
    uint16_t slot = l->locals[index].slot;
    lo_val *v = peek(l, 0);
    bool still_zero = index < 64 && (l->zero_locals >> index & 1);
    bool same = (v->kind == LV_LOCAL && v->local == index) || /* its own value */
                (still_zero && v->kind == LV_CONST && v->bits == 0); /* zero, as entry left it */
    if (!same && index < 64)
        l->zero_locals &= ~(UINT64_C(1) << index);
    if (same) {
        /* The local keeps the value it has: nothing to do. */
    } else if (v->kind == LV_TEMP && !l->locals[index].refs && just_wrote(l, v->home)) {
        at(l, l->fuse.last_pos + 1)->u16[0] = slot;
        l->fuse.last_valid = false;
    } else if (v->kind == LV_TEMP && just_wrote(l, v->home) &&
               lo_preserve_before_last(l, index, slot)) {
        /* The old value's readers got their copies before the result. */
        l->fuse.last_valid = false;
    } else {
        lo_preserve_local(l, index);
        v = peek(l, 0);
        lo_move_to(l, v, slot);
        l->fuse.last_valid = false;
    }
    lo_val old = pop(l);
    if (tee) {
        if (old.kind == LV_CONST)
            push_const(l, old.type, old.bits);
        else
            push_local(l, index, old.type);
    }
}

/* The result type of each instruction typed by its SIG column (0 for none
 * and for the hand-typed ones), as one table read. */
enum {
#define WASM_SIG_INFO(name, n, p0, p1, p2, r) RESULT_OF_SIG_##name = r,
    WASM_SIGS(WASM_SIG_INFO)
#undef WASM_SIG_INFO
};
static const uint8_t op_result[WOP_COUNT] = {
#define WASM_OP(id, name, prefix, code, imm, sig, width) [WOP_##id] = RESULT_OF_SIG_##sig,
#include "wasm_ops.def"
#undef WASM_OP
};

/* select: a constant condition picks an operand while lowering, two
 * 32-bit constants go in the instruction (select.kk), else the general
 * form. */
static void lower_select(lo_ctx *l)
{
    uint8_t t = type_at(l, 1);
    if (peek(l, 0)->kind == LV_CONST) {
        /* A constant condition picks an operand: it takes the first's
         * place on the stack, moved there if it is the second's
         * temporary. */
        bool first = peek(l, 0)->bits != 0;
        drop(l);
        lo_val b = pop(l), a = pop(l);
        lo_val v = first ? a : b;
        if (v.kind == LV_TEMP && v.home != a.home) {
            lo_move_to(l, &v, a.home);
            push_temp(l, t);
        } else if (v.kind == LV_LOCAL) {
            push_local(l, v.local, t);
        } else if (v.kind == LV_CONST) {
            push_const(l, t, v.bits);
        } else {
            push_temp(l, t);
        }
        return;
    }
    lo_val *ka = peek(l, 2), *kb = peek(l, 1);
    if (ka->kind == LV_CONST && kb->kind == LV_CONST && (t == VT_I32 || t == VT_F32)) {
        /* Two 32-bit constants (x < y ? -1 : 1) go in the instruction. */
        uint32_t va = (uint32_t)ka->bits, vb = (uint32_t)kb->bits;
        uint16_t cond = operand(l, 0);
        drop(l); drop(l); drop(l);
        uint16_t dst = push_temp(l, t);
        uint32_t pos = emit_s(l, IR_SELECT_KK, 3, dst, cond, 0, 0);
        if (l->len) {
            at(l, pos + 2)->u32[0] = va;
            at(l, pos + 2)->u32[1] = vb;
        }
        has_dst(l);
        return;
    }
    if (lo_fuse_min_max(l, t))
        return; /* A select by a compare of the same two values. */
    uint16_t cond = operand(l, 0), b = operand(l, 1), a = operand(l, 2);
    drop(l); drop(l); drop(l);
    uint16_t dst = push_temp(l, t);
    emit_s(l, t == VT_V128 ? IR_SELECT_V128 : IR_SELECT, 2, dst, a, b, cond);
    has_dst(l);
}

/* Memory size and growth, the bulk memory and table instructions and the
 * reference instructions, each one instruction on operands in slots.
 * Returns false for any other instruction. */
static bool lower_bulk(lo_ctx *l, wasm_op op, const wv_imm *imm)
{
    switch (op) {
    case WOP_MEMORY_SIZE: {
        uint16_t dst = push_temp(l, VT_I32);
        emit_ssi(l, IR_MEMORY_SIZE, dst, 0, imm->index);
        has_dst(l);
        break;
    }
    case WOP_MEMORY_GROW: {
        uint16_t delta = operand(l, 0);
        drop(l);
        uint16_t dst = push_temp(l, VT_I32);
        emit_ssi(l, IR_MEMORY_GROW, dst, delta, imm->index);
        has_dst(l);
        break;
    }
    case WOP_MEMORY_FILL: case WOP_MEMORY_COPY: case WOP_MEMORY_INIT:
    case WOP_TABLE_COPY: case WOP_TABLE_INIT: case WOP_TABLE_FILL: {
        uint16_t s2 = operand(l, 0), s1 = operand(l, 1), s0 = operand(l, 2);
        drop(l); drop(l); drop(l);
        ir_op iop = op == WOP_MEMORY_FILL ? IR_MEMORY_FILL : op == WOP_MEMORY_COPY ? IR_MEMORY_COPY
                  : op == WOP_MEMORY_INIT ? IR_MEMORY_INIT : op == WOP_TABLE_COPY ? IR_TABLE_COPY
                  : op == WOP_TABLE_INIT ? IR_TABLE_INIT : IR_TABLE_FILL;
        uint32_t pos = emit_s(l, iop, 3, s0, s1, s2, 0);
        /* The fills have one index; the second word half stays zero. */
        bool fill = op == WOP_MEMORY_FILL || op == WOP_TABLE_FILL;
        uint32_t a = imm->index, b = fill ? 0 : imm->index2;
        if (op == WOP_MEMORY_INIT || op == WOP_TABLE_INIT) {
            a = imm->index2; /* Memory or table first, then the segment. */
            b = imm->index;
        }
        if (l->len) {
            at(l, pos + 2)->u32[0] = a;
            at(l, pos + 2)->u32[1] = b;
        }
        break;
    }
    case WOP_DATA_DROP: emit_ssi(l, IR_DATA_DROP, 0, 0, imm->index); break;
    case WOP_ELEM_DROP: emit_ssi(l, IR_ELEM_DROP, 0, 0, imm->index); break;
    case WOP_TABLE_GET: {
        uint16_t i = operand(l, 0);
        drop(l);
        uint16_t dst = push_temp(l, l->m->tables[imm->index].type.elem);
        emit_ssi(l, IR_TABLE_GET, dst, i, imm->index);
        has_dst(l);
        break;
    }
    case WOP_TABLE_SET: {
        uint16_t v = operand(l, 0), i = operand(l, 1);
        drop(l); drop(l);
        emit_ssi(l, IR_TABLE_SET, i, v, imm->index);
        break;
    }
    case WOP_TABLE_SIZE: {
        uint16_t dst = push_temp(l, VT_I32);
        emit_ssi(l, IR_TABLE_SIZE, dst, 0, imm->index);
        has_dst(l);
        break;
    }
    case WOP_TABLE_GROW: {
        uint16_t delta = operand(l, 0), init = operand(l, 1);
        drop(l); drop(l);
        uint16_t dst = push_temp(l, VT_I32);
        uint32_t pos = emit_s(l, IR_TABLE_GROW, 3, dst, init, delta, 0);
        if (l->len)
            at(l, pos + 2)->u32[0] = imm->index;
        has_dst(l);
        break;
    }
    case WOP_REF_NULL: push_const(l, imm->type, 0); break;
    case WOP_REF_IS_NULL: {
        uint16_t s = operand(l, 0);
        drop(l);
        uint16_t dst = push_temp(l, VT_I32);
        emit_s(l, IR_REF_IS_NULL, 2, dst, s, 0, 0);
        has_dst(l);
        break;
    }
    case WOP_REF_FUNC: {
        uint16_t dst = push_temp(l, VT_FUNCREF);
        emit_ssi(l, IR_REF_FUNC, dst, 0, imm->index);
        has_dst(l);
        break;
    }
    default:
        return false;
    }
    return true;
}

/* Instructions the interpreter cannot run yet (none of 2.0 since SIMD is
 * lowered): a trap that says so, with the stack effect the validator
 * expects. */
static bool lower_unsupported(lo_ctx *l, wasm_op op)
{
    const wasm_op_info *info = &wasm_op_infos[op];
    emit_ssi(l, IR_UNSUPPORTED, 0, 0, (uint32_t)op);
    if (info->sig != WS_SPECIAL) {
        const wasm_sig *s = &wasm_sigs[info->sig];
        for (unsigned j = 0; j < s->nparams; j++)
            drop(l);
        if (s->result)
            push_temp(l, s->result);
    } else {
        /* Garbage collection's instructions validate, but its run time
         * (issue 27) is not there yet: the function cannot be lowered. */
        char msg[96];
        snprintf(msg, sizeof msg, "not supported yet: %s", info->name);
        return lo_fail(l, WEFT_ERR_LIMIT, msg);
    }
    return !l->failed;
}

/* Any reachable instruction but those lower_op handles itself. */
static inline __attribute__((always_inline)) bool lower_instr(lo_ctx *l, wasm_op op,
                                                              const wv_imm *imm)
{
    const lo_map *map = &op_map[op];
    uint8_t result = op_result[op];
    switch (map->kind) {
    case MAP_BINARY: case MAP_COMPARE: case MAP_BINARY_TRAP:
        lower_binary(l, map, result);
        return !l->failed;
    case MAP_UNARY:
        if (op == WOP_I32_EQZ && lo_negate_compare(l))
            return true;
        lower_unary(l, map, result);
        return !l->failed;
    case MAP_LOAD: case MAP_LOAD_IDX:
        if (general_memory(l, imm->index))
            return lo_memory_access(l, map, imm, result);
        lower_load(l, map, imm, result);
        return !l->failed;
    case MAP_STORE: case MAP_STORE_ADD:
        if (general_memory(l, imm->index))
            return lo_memory_access(l, map, imm, result);
        lower_store(l, map, imm);
        return !l->failed;
    case MAP_V_BINARY:
        lower_v_binary(l, map, result);
        return !l->failed;
    case MAP_V_SHIFT:
        lower_v_shift(l, map);
        return !l->failed;
    case MAP_V_TERNARY:
        lower_v_ternary(l, map);
        return !l->failed;
    case MAP_V_EXTRACT:
        lower_v_extract(l, map, imm, result);
        return !l->failed;
    case MAP_V_REPLACE:
        lower_v_replace(l, map, imm);
        return !l->failed;
    case MAP_V_LOAD_LANE: case MAP_V_STORE_LANE:
        if (general_memory(l, imm->index))
            return lo_memory_access(l, map, imm, result);
        lower_v_lane(l, map, imm, map->kind == MAP_V_LOAD_LANE);
        return !l->failed;
    default:
        break;
    }
    if (lo_memory64_op(l, op, imm))
        return lo_memory64(l, op, imm);
    switch (op) {
    case WOP_CALL_INDIRECT:
        lower_call(l, lo_table_is64(l, imm->index2) ? IR_CALL_INDIRECT64 : IR_CALL_INDIRECT,
                   &l->m->types[imm->index], 0, true,
                   type_id(l, imm->index), imm->index2);
        break;
    case WOP_CALL_REF:
        /* The reference takes call_indirect's index's place. */
        lower_call(l, IR_CALL_REF, &l->m->types[imm->index], 0, true, 0, 0);
        break;
    case WOP_RETURN_CALL_REF:
        lower_call(l, IR_RETURN_CALL_REF, &l->m->types[imm->index], 0, true, 0, 0);
        lo_set_dead(l);
        break;
    case WOP_REF_AS_NON_NULL:
        emit_s(l, IR_REF_AS_NON_NULL, 2, operand(l, 0), 0, 0, 0);
        break;
    case WOP_BR_ON_NULL: lo_br_on_null(l, imm->index, true); break;
    case WOP_BR_ON_NON_NULL: lo_br_on_null(l, imm->index, false); break;
    case WOP_RETURN_CALL:
        lower_call(l, IR_RETURN_CALL, wm_func_type(l->m, imm->index), imm->index, false, 0, 0);
        lo_set_dead(l);
        break;
    case WOP_RETURN_CALL_INDIRECT:
        lower_call(l, lo_table_is64(l, imm->index2) ? IR_RETURN_CALL_INDIRECT64
                                                    : IR_RETURN_CALL_INDIRECT,
                   &l->m->types[imm->index], 0, true,
                   type_id(l, imm->index), imm->index2);
        lo_set_dead(l);
        break;
    case WOP_SELECT: case WOP_SELECT_T: lower_select(l); break;
    case WOP_GLOBAL_SET: {
        uint8_t t = type_at(l, 0);
        uint16_t s = operand(l, 0);
        drop(l);
        emit_ssi(l, t == VT_V128 ? IR_GLOBAL_SET_V128 : IR_GLOBAL_SET, s, 0, imm->index);
        break;
    }
    case WOP_I8X16_SHUFFLE: lower_v_shuffle(l, imm); break;
    case WOP_V128_CONST: {
        uint16_t dst = push_temp(l, VT_V128);
        uint32_t pos = emit_s(l, IR_CONST_V128, 4, dst, 0, 0, 0);
        if (l->len)
            memcpy(&at(l, pos + 2)->u64, imm->bytes, 16);
        has_dst(l);
        break;
    }
    /* Reinterpretations and wrapping change only how the bits are read. */
    case WOP_I32_REINTERPRET_F32: peek(l, 0)->type = VT_I32; break;
    case WOP_F32_REINTERPRET_I32: peek(l, 0)->type = VT_F32; break;
    case WOP_I64_REINTERPRET_F64: peek(l, 0)->type = VT_I64; break;
    case WOP_F64_REINTERPRET_I64: peek(l, 0)->type = VT_F64; break;
    default:
        if (lower_bulk(l, op, imm))
            break;
        if (wasm_op_is_gc(op) && lo_gc_op(l, op, imm))
            break;
        return lower_unsupported(l, op);
    }
    return !l->failed;
}

/* The control instructions, calls, local.set and global.get, each in a
 * function of its own for lower_op, inline: the walk (below) that lower_op
 * is inline into has one stack frame per body, where a call per
 * instruction would set one up each time. */
#define LOWER_CASE(name, body)                                                         \
    static inline __attribute__((always_inline)) bool name(lo_ctx *l, wv_ctx *c, wv_imm *imm) \
    {                                                                                  \
        (void)c, (void)imm;                                                            \
        body;                                                                          \
        return !l->failed;                                                             \
    }
LOWER_CASE(op_local_set, lower_local_set(l, imm->index, false))
LOWER_CASE(op_local_tee, lower_local_set(l, imm->index, true))
LOWER_CASE(op_global_get, {
    uint8_t t = l->m->globals[imm->index].type.type;
    uint16_t dst = push_temp(l, t);
    emit_ssi(l, t == VT_V128 ? IR_GLOBAL_GET_V128 : IR_GLOBAL_GET, dst, 0, imm->index);
    has_dst(l);
})
LOWER_CASE(op_unreachable, {
    emit(l, IR_UNREACHABLE, 1);
    lo_set_dead(l);
})
LOWER_CASE(op_block, lo_block(l, WV_BLOCK, c, imm))
LOWER_CASE(op_loop, lo_block(l, WV_LOOP, c, imm))
LOWER_CASE(op_if, lo_block(l, WV_IF, c, imm))
LOWER_CASE(op_else, lo_else(l))
/* end: a local.set or local.tee right after it may take the frame's
 * result where the paths write it (lo_end_set). */
LOWER_CASE(op_end, {
    uint32_t set = UINT32_MAX;
    wr_reader r = c->r;
    uint8_t next;
    if (l->top->nresults == 1 && !wr_eof(&r) && wr_u8(&r, &next) && (next == CODE_OF_LOCAL_SET || next == CODE_OF_LOCAL_TEE) &&
        !wr_u32(&r, &set))
        set = UINT32_MAX;
    lo_end_set(l, set);
})
LOWER_CASE(op_br, {
    lo_emit_br(l, imm->index);
    lo_set_dead(l);
})
LOWER_CASE(op_br_if, lo_br_if(l, imm->index))
LOWER_CASE(op_br_table, {
    lo_br_table(l, imm, c->r.p);
    lo_set_dead(l);
})
LOWER_CASE(op_return, {
    lo_emit_return(l);
    lo_set_dead(l);
})
LOWER_CASE(op_call,
           lower_call(l, imm->index < l->m->nimported_funcs ? IR_CALL_IMPORT : IR_CALL,
                      wm_func_type(l->m, imm->index), imm->index, false, 0, 0))
#undef LOWER_CASE

/* One instruction. The most frequent instructions, those that only change
 * the simulated stack, are handled here; the others jump to their
 * functions above or to lower_instr. Inline into the walk (below), where
 * the hot instructions' opcodes are constants: each of them keeps only its
 * own case. */
static inline __attribute__((always_inline)) bool lower_op(lo_ctx *l, wv_ctx *c, wasm_op op,
                                                           wv_imm *imm)
{
    if (l->top->dead)
        return lo_dead(l, c, op, imm);
    l->region_ops++;
    switch (op) {
    case WOP_LOCAL_GET:
        push_local(l, imm->index, l->locals[imm->index].type);
        break;
    case WOP_I32_CONST: push_const(l, VT_I32, (uint32_t)imm->bits); break;
    case WOP_I64_CONST: push_const(l, VT_I64, imm->bits); break;
    case WOP_F32_CONST: push_const(l, VT_F32, (uint32_t)imm->bits); break;
    case WOP_F64_CONST: push_const(l, VT_F64, imm->bits); break;
    case WOP_DROP: drop(l); break;
    case WOP_I32_WRAP_I64: {
        /* An i32 reads the low half of a slot, so wrapping costs nothing:
         * the entry is only read as an i32 from now on. */
        lo_val *v = peek(l, 0);
        v->type = VT_I32;
        if (v->kind == LV_CONST)
            v->bits &= 0xffffffffu;
        break;
    }
    case WOP_NOP: break;
    case WOP_LOCAL_SET: return op_local_set(l, c, imm);
    case WOP_LOCAL_TEE: return op_local_tee(l, c, imm);
    case WOP_GLOBAL_GET: return op_global_get(l, c, imm);
    case WOP_UNREACHABLE: return op_unreachable(l, c, imm);
    case WOP_BLOCK: return op_block(l, c, imm);
    case WOP_LOOP: return op_loop(l, c, imm);
    case WOP_IF: return op_if(l, c, imm);
    case WOP_ELSE: return op_else(l, c, imm);
    case WOP_END: return op_end(l, c, imm);
    case WOP_BR: return op_br(l, c, imm);
    case WOP_BR_IF: return op_br_if(l, c, imm);
    case WOP_BR_TABLE: return op_br_table(l, c, imm);
    case WOP_RETURN: return op_return(l, c, imm);
    case WOP_CALL: return op_call(l, c, imm);
    case WOP_TRY_TABLE: case WOP_THROW: case WOP_THROW_REF: case WOP_TRY: case WOP_CATCH:
    case WOP_CATCH_ALL: case WOP_DELEGATE: case WOP_RETHROW:
        return lo_exn_op(l, c, op, imm);
    default: return lower_instr(l, op, imm);
    }
    return !l->failed;
}

/* ---- Lowering a function ---------------------------------------------------------- */

/* The walk over a body that wm_validate accepted when the module loaded: it
 * only decodes, each instruction's opcode and immediates, and lowers them.
 * Nothing in such a body can fail to decode, and the `end` that closes the
 * function is its last byte, so the walk ends with the bytes. As in the
 * validator's loop, the hot instructions are told apart by their opcode
 * byte, so that their immediates are read, and they are lowered, by code
 * for them alone. */
bool lo_walk_body(lo_ctx *l, wv_ctx *c, const wm_func *fn)
{
    /* The hot instructions by a computed goto on their opcode byte, as in
     * the validator's loop (validate_body_instrs): no range check and no
     * offset arithmetic. Every byte goes to `other`, then the hot
     * opcodes' entries are set again: an override that is the point here. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Woverride-init"
    static const void *const hot[256] = {
        [0 ... 255] = &&other,
#define WALK_LABEL(id) [CODE_OF_##id] = &&hot_##id,
        HOT_INSTRUCTIONS(WALK_LABEL)
#undef WALK_LABEL
    };
#pragma GCC diagnostic pop
    c->r = wr_init(c->m->bytes, fn->body, fn->body + fn->body_len, c->err);
    c->op_start = fn->body; /* No error is expected: any would point here. */
    wr_reader *r = &c->r;
    wv_imm imm;
    wasm_op op;
next:
    if (wr_eof(r))
        return true;
    goto *hot[*r->p];
#define WALK_CASE(id)                                                                  \
hot_##id:                                                                              \
    r->p++;                                                                            \
    if (!read_imm(c, (wasm_imm)IMM_OF_##id, &imm) || !lower_op(l, c, WOP_##id, &imm))   \
        return false;                                                                  \
    goto next;
    HOT_INSTRUCTIONS(WALK_CASE)
#undef WALK_CASE
other:
    if (!read_opcode(c, &op) || !read_imm(c, (wasm_imm)wasm_op_infos[op].imm, &imm) ||
        !lower_op(l, c, op, &imm))
        return false;
    goto next;
}
