/* lower_fuse.c: the peephole fusions: a conditional jump folding the compare,
 * eqz or and before it (and a loop's add before that), add_shl, add3, shr_u_and,
 * xor_rotl, mul_add/mul_sub, the negated compare, added addresses, the
 * in-memory update of a vector loop, moves in memory and the remainder by a
 * constant. Each reads what lo_fuse (lower_internal.h) knows of the code
 * just emitted. */
#include "lower_internal.h"

/* A loop's step and test: when the instruction just before the end of the
 * code is an i32 add (or sub) of a constant into `slot`, a jump when that
 * slot compares true with constant `n` (`base` an _RR compare) replaces it
 * with an add.jump. Returns the jump's position, or UINT32_MAX. */
static uint32_t fuse_add_jump(lo_ctx *l, ir_op base, uint16_t slot, uint32_t n)
{
    ir_op op = base == IR_I32_NE_RR ? IR_ADD_JUMP_NE : base == IR_I32_LT_U_RR ? IR_ADD_JUMP_LT_U
             : base == IR_I32_LT_S_RR ? IR_ADD_JUMP_LT_S : IR_OP_COUNT;
    uint32_t p = l->fuse.add_pos;
    if (op == IR_OP_COUNT || p == UINT32_MAX || p + 2 != l->len ||
        (l->ops[p] != IR_I32_ADD_RI && l->ops[p] != IR_I32_SUB_RI))
        return UINT32_MAX;
    ir_word w = *at(l, p + 1);
    if (w.u16[0] != slot)
        return UINT32_MAX;
    uint32_t k = l->ops[p] == IR_I32_SUB_RI ? 0u - w.u32[1] : w.u32[1];
    l->len = p;
    uint32_t pos = emit_s(l, op, 3, slot, w.u16[1], 0, 0);
    if (l->len) {
        at(l, pos + 2)->u32[0] = k;
        at(l, pos + 2)->u32[1] = n;
    }
    return pos;
}

/* A conditional jump on the popped condition `c`: jump when it is true
 * (`when`) or false. A compare emitted just before fuses into the jump.
 * Returns the jump's position; its offset is word 1's i32[1]. */
uint32_t lo_cond_jump(lo_ctx *l, lo_val *c, bool when)
{
    if (c->kind == LV_TEMP && l->fuse.last_is_compare && just_wrote(l, c->home)) {
        lo_compare k = l->fuse.cmp;
        l->len = l->fuse.last_pos; /* Drop the compare: the jump does it. */
        uint32_t fused;
        if (when && k.with_imm && !k.imm64 &&
            (fused = fuse_add_jump(l, k.base, k.a, (uint32_t)k.imm)) != UINT32_MAX)
            return fused;
        ir_op op = (ir_op)(k.base + (when ? 3 : 5) + k.with_imm);
        if (!k.with_imm)
            return emit_s(l, op, 2, k.a, k.b, 0, 0);
        uint32_t pos = emit_s(l, op, 3, k.a, 0, 0, 0);
        if (l->len)
            at(l, pos + 2)->u64 = k.imm;
        return pos;
    }
    /* An eqz just emitted folds in too: the jump tests its operand with the
     * opposite sense. */
    bool wide = false;
    if (just_computed(l, c, IR_I32_EQZ) || just_computed(l, c, IR_I64_EQZ)) {
        wide = l->fuse.last_op == IR_I64_EQZ;
        uint16_t s = at(l, l->fuse.last_pos + 1)->u16[1];
        l->len = l->fuse.last_pos;
        when = !when;
        ir_op op = when ? (wide ? IR_JUMP_NZ64 : IR_JUMP_NZ) : (wide ? IR_JUMP_Z64 : IR_JUMP_Z);
        return emit_s(l, op, 2, s, 0, 0, 0);
    }
    /* So does an i32.and: the jump tests the bits. */
    if (just_computed(l, c, IR_I32_AND_RR) || just_computed(l, c, IR_I32_AND_RI)) {
        bool with_imm = l->fuse.last_op == IR_I32_AND_RI;
        ir_word w = *at(l, l->fuse.last_pos + 1);
        l->len = l->fuse.last_pos;
        ir_op op = (ir_op)((when ? IR_JUMP_AND_NZ : IR_JUMP_AND_Z) + with_imm);
        if (!with_imm)
            return emit_s(l, op, 2, w.u16[1], w.u16[2], 0, 0);
        uint32_t pos = emit_s(l, op, 3, w.u16[1], 0, 0, 0);
        if (l->len)
            at(l, pos + 2)->u32[0] = w.u32[1];
        return pos;
    }
    if (when && c->kind != LV_CONST) {
        uint32_t fused = fuse_add_jump(l, IR_I32_NE_RR, c->slot, 0);
        if (fused != UINT32_MAX)
            return fused;
    }
    ir_op op = when ? IR_JUMP_NZ : IR_JUMP_Z;
    return emit_s(l, op, 2, lo_slot_of(l, c), 0, 0, 0);
}

/* i32.add of a value and another just shifted left by a constant becomes one
 * i32.add_shl, replacing the shift. The add's destination is the result's
 * home, pushed by the caller. */
bool lo_fuse_shift(lo_ctx *l, const lo_val *a, const lo_val *b)
{
    const lo_val *shifted = just_computed(l, b, IR_I32_SHL_RI) ? b
                          : just_computed(l, a, IR_I32_SHL_RI) ? a : NULL;
    if (!shifted)
        return false;
    const lo_val *base = shifted == b ? a : b;
    ir_word w = *at(l, l->fuse.last_pos + 1);
    uint16_t index = w.u16[1], shift = (uint16_t)(w.u32[1] & 31);
    if (base->slot == shifted->home)
        return false; /* Cannot happen (homes differ), but stay safe. */
    uint16_t dst = peek(l, 0)->home;
    l->len = l->fuse.last_pos;
    emit_s(l, IR_I32_ADD_SHL, 2, dst, base->slot, index, shift);
    return true;
}

/* i32.and of a value just shifted right (unsigned) by a constant, with a
 * mask below 2^16, becomes one i32.shr_u_and in place of the shift: the
 * extraction of a bit field (bytes of a word, fields of an encoding). */
bool lo_fuse_bit_field(lo_ctx *l, const lo_val *x, uint64_t mask, uint16_t dst)
{
    if (mask > 0xffff || !just_computed(l, x, IR_I32_SHR_U_RI))
        return false;
    ir_word w = *at(l, l->fuse.last_pos + 1);
    l->len = l->fuse.last_pos;
    emit_s(l, IR_I32_SHR_U_AND, 2, dst, w.u16[1], (uint16_t)(w.u32[1] & 31), (uint16_t)mask);
    return true;
}

/* The fused multiply-add or -subtract in place of the product just
 * computed (see multiply_fusion in lower_internal.h). */
bool lo_fold_multiply(lo_ctx *l, ir_op mul, ir_op fused, const lo_val *a, const lo_val *b,
                      uint16_t dst)
{
    bool add = fused == IR_F32_MUL_ADD || fused == IR_F64_MUL_ADD || fused == IR_F32X4_MUL_ADD ||
               fused == IR_F64X2_MUL_ADD;
    const lo_val *product = just_computed(l, b, mul) ? b
                          : add && just_computed(l, a, mul) ? a : NULL;
    const lo_val *acc = product == b ? a : b;
    if (!product || acc->kind == LV_CONST)
        return false;
    ir_word w = *at(l, l->fuse.last_pos + 1);
    l->len = l->fuse.last_pos;
    emit_s(l, fused, 2, dst, acc->slot, w.u16[1], w.u16[2]);
    return true;
}

/* i32.add of a sum just computed becomes one i32.add3, and i32.xor of a
 * value just rotated by a constant one i32.xor_rotl, replacing the inner
 * instruction. Both operands are in slots. */
bool lo_fuse_pair(lo_ctx *l, ir_op op, const lo_val *a, const lo_val *b)
{
    ir_op inner = op == IR_I32_ADD_RR ? IR_I32_ADD_RR : IR_I32_ROTL_RI;
    const lo_val *x = just_computed(l, b, inner) ? b : just_computed(l, a, inner) ? a : NULL;
    if (!x)
        return false;
    const lo_val *other = x == b ? a : b;
    ir_word w = *at(l, l->fuse.last_pos + 1);
    uint16_t dst = peek(l, 0)->home;
    l->len = l->fuse.last_pos;
    if (op == IR_I32_ADD_RR)
        emit_s(l, IR_I32_ADD3, 2, dst, other->slot, w.u16[1], w.u16[2]);
    else
        emit_s(l, IR_I32_XOR_ROTL, 2, dst, other->slot, w.u16[1], (uint16_t)(w.u32[1] & 31));
    return true;
}

/* The integer compare whose result is the negation of `op`'s (an _RR
 * opcode), or IR_OP_COUNT. Float compares have none: NaN is unordered. */
static ir_op inverse_compare(ir_op op)
{
    /* The NEGATED column of each compare's row in ir_ops.def; NONE reads
     * as IR_OP_COUNT, and so does every other instruction. */
    static const uint16_t negated[IR_OP_COUNT] = {
#define IR_NONE_RR IR_OP_COUNT
#define IR_COMPARE(N, t, IN, SWAP, NOT, e) [IR_##N##_RR] = IR_##NOT##_RR + 1,
#include "ir_rows.h"
#undef IR_NONE_RR
    };
    return negated[op] ? (ir_op)(negated[op] - 1) : IR_OP_COUNT;
}

/* i32.eqz of an integer compare just emitted: the compare is replaced by
 * its inverse, which can still fuse with a following branch. */
bool lo_negate_compare(lo_ctx *l)
{
    lo_val *v = peek(l, 0);
    if (!l->fuse.last_is_compare || !just_computed(l, v, l->fuse.last_op))
        return false;
    ir_op inverse = inverse_compare(l->fuse.cmp.base);
    if (inverse == IR_OP_COUNT)
        return false;
    ir_op op = (ir_op)(inverse + (l->fuse.last_op - l->fuse.cmp.base));
    at(l, l->fuse.last_pos)->handler = l->words[op];
    l->ops[l->fuse.last_pos] = (uint16_t)op;
    l->fuse.last_op = op;
    l->fuse.cmp.base = inverse;
    return true;
}

/* Whether address `a` was just computed as a slot plus or minus a constant;
 * then the add is dropped and its slot and constant (a subtraction's
 * negated: both wrap alike) are returned. */
bool lo_added_address(lo_ctx *l, const lo_val *a, uint16_t *base, uint32_t *k)
{
    bool sub = just_computed(l, a, IR_I32_SUB_RI);
    if (!sub && !just_computed(l, a, IR_I32_ADD_RI))
        return false;
    ir_word w = *at(l, l->fuse.last_pos + 1);
    *base = w.u16[1];
    *k = sub ? 0u - w.u32[1] : w.u32[1];
    l->len = l->fuse.last_pos;
    return true;
}

/* Instructions that an update may move a load past (fuse_update): they
 * only compute integers from slots, cannot trap, and touch no memory. The
 * destination is word 1's first slot; `reads` gets how many slots after it
 * are read. */
static bool plain_integer_op(ir_op op, unsigned *reads)
{
    switch (op) {
    case IR_CONST32: *reads = 0; return true;
    case IR_COPY: case IR_I32_ADD_RI: case IR_I32_SUB_RI: case IR_I32_SHL_RI:
    case IR_I32_MUL_RI: *reads = 1; return true;
    case IR_I32_ADD_RR: case IR_I32_SUB_RR: case IR_I32_ADD_SHL: *reads = 2; return true;
    default: return false;
    }
}

/* A v128.store of x + y * b to the address x was loaded from, where b was
 * loaded just before the multiply-add (c[j] += a * b[j], vectorised):
 *
 *     X  v128.load        t1, p, offset       (plain form)
 *        ...              integer steps that neither read t1 nor write p
 *     Y  v128.load(/add)  t2, q, k
 *     Z  f32x4/f64x2.mul_add t1, t1, y, t2
 *        v128.store       p, t1, offset
 *
 * becomes one mem[p] += y * mem[q] (ir_ops.def), X moving down past the
 * integer steps: nothing between X and the store writes memory, traps or is
 * a label, and the temporaries t1 and t2 are read by nothing else. */
bool lo_fuse_update(lo_ctx *l, const wv_imm *imm)
{
    lo_val *v = peek(l, 0), *a = peek(l, 1);
    ir_op fused;
    if (just_computed(l, v, IR_F64X2_MUL_ADD))
        fused = IR_F64X2_MUL_ADD_MEM;
    else if (just_computed(l, v, IR_F32X4_MUL_ADD))
        fused = IR_F32X4_MUL_ADD_MEM;
    else
        return false;
    /* The instructions since the label, the last 16 of them kept (after
     * a long straight run, none: the walk must stay short). */
    if (a->kind == LV_CONST || imm->offset > UINT32_MAX ||
        l->fuse.last_pos - l->fuse.label_at > 256)
        return false;
    enum { KEEP = 16 };
    uint32_t start[KEEP], n = 0, z = l->fuse.last_pos;
    for (uint32_t pos = l->fuse.label_at; pos < z;
         pos += ir_ins_words((ir_op)l->ops[pos], at(l, pos)))
        start[n++ % KEEP] = pos;
    if (n < 2)
        return false;
    ir_word wz = *at(l, z + 1);
    uint16_t t1 = wz.u16[0], y = wz.u16[2], t2 = wz.u16[3], p = a->slot;
    uint32_t ypos = start[(n - 1) % KEEP];
    ir_op yop = (ir_op)l->ops[ypos], load = (ir_op)(IR_V128_LOAD + l->checked),
          load_add = (ir_op)(IR_V128_LOAD_ADD + l->checked);
    ir_word wy = *at(l, ypos + 1);
    uint16_t q = wy.u16[1];
    if (wz.u16[1] != t1 || wy.u16[0] != t2 || t1 < l->temp_base || t2 < l->temp_base ||
        (yop != load && yop != load_add) ||
        t2 == t1 || y == t1 || y == t2 || q == t1 || p == t1 || p == t2 || p == t2 + 1)
        return false;
    /* Back from Y to X over the integer steps. */
    uint32_t xpos = UINT32_MAX;
    for (uint32_t k = n - 1; k-- > 0 && n - k <= KEEP;) {
        uint32_t pos = start[k % KEEP];
        ir_word w = *at(l, pos + 1);
        unsigned reads;
        if (l->ops[pos] == load && w.u16[0] == t1) {
            if (w.u16[1] == p && w.u32[1] == imm->offset)
                xpos = pos;
            break;
        }
        if (!plain_integer_op((ir_op)l->ops[pos], &reads) || w.u16[0] == p || w.u16[0] == t1 ||
            w.u16[0] == t1 + 1 || (reads > 0 && w.u16[1] == t1) || (reads > 1 && w.u16[2] == t1))
            break;
    }
    if (xpos == UINT32_MAX)
        return false;
    /* X goes; the steps after it move up. */
    memmove(at(l, xpos), at(l, xpos + 2), (ypos - xpos - 2) * sizeof *l->code);
    memmove(l->ops + xpos, l->ops + xpos + 2, (ypos - xpos - 2) * sizeof *l->ops);
    if (l->fuse.add_pos != UINT32_MAX && l->fuse.add_pos > xpos)
        l->fuse.add_pos = l->fuse.add_pos < ypos ? l->fuse.add_pos - 2 : UINT32_MAX;
    l->len = ypos - 2;
    drop(l);
    drop(l);
    uint32_t pos = emit_s(l, (ir_op)(fused + l->checked), 3, p, y, q, yop == load_add);
    if (l->len) {
        at(l, pos + 2)->u32[0] = (uint32_t)imm->offset;
        at(l, pos + 2)->u32[1] = wy.u32[1];
    }
    return true;
}

/* The move in memory (MOVE32...) that a load `load` just computed, then
 * stored by `store`, makes, or IR_OP_COUNT: plain forms of one width. */
static ir_op move_op(ir_op load, ir_op store)
{
    switch (store) {
    case IR_I32_STORE: case IR_F32_STORE:
        return load == IR_I32_LOAD || load == IR_F32_LOAD ? IR_MOVE32 : IR_OP_COUNT;
    case IR_I64_STORE: case IR_F64_STORE:
        return load == IR_I64_LOAD || load == IR_F64_LOAD ? IR_MOVE64 : IR_OP_COUNT;
    case IR_V128_STORE: return load == IR_V128_LOAD ? IR_MOVE128 : IR_OP_COUNT;
    default: return IR_OP_COUNT;
    }
}

/* A store of a value that the load just before read, and nothing else
 * will: one move in memory, which reads then writes as the two did. */
bool lo_fuse_move(lo_ctx *l, const lo_map *map, const wv_imm *imm)
{
    lo_val *v = peek(l, 0), *a = peek(l, 1);
    if (a->kind == LV_CONST || imm->offset > UINT32_MAX || !just_computed(l, v, l->fuse.last_op))
        return false;
    ir_op move = move_op((ir_op)(l->fuse.last_op - l->checked), (ir_op)map->op);
    if (move == IR_OP_COUNT)
        return false;
    ir_word w = *at(l, l->fuse.last_pos + 1);
    uint16_t to = a->slot;
    drop(l);
    drop(l);
    l->len = l->fuse.last_pos;
    uint32_t pos = emit_s(l, (ir_op)(move + l->checked), 3, to, w.u16[1], 0, 0);
    if (l->len) {
        at(l, pos + 2)->u32[0] = (uint32_t)imm->offset;
        at(l, pos + 2)->u32[1] = w.u32[1];
    }
    return true;
}

/* x - (x / c) * c, which clang emits for x % c (where it decomposes the
 * remainder), becomes one remainder by the constant in place of the divide
 * and the multiply just before, both of which computed temporaries that
 * only this subtract reads. A signed divide by -1 could trap where the
 * remainder does not, so that one stays. `op` is the subtract's _RR
 * opcode. */
bool lo_fuse_remainder(lo_ctx *l, ir_op op, const lo_val *a, const lo_val *b, uint16_t dst)
{
    bool wide = op == IR_I64_SUB_RR;
    ir_op mul = wide ? IR_I64_MUL_RI : IR_I32_MUL_RI;
    uint32_t p = l->fuse.prev_pos, m = l->fuse.last_pos;
    if ((!wide && op != IR_I32_SUB_RR) || a->kind == LV_CONST || !just_computed(l, b, mul) ||
        p == UINT32_MAX || p >= m || p < l->fuse.label_at || l->ops[p] != l->fuse.prev_op)
        return false;
    ir_op div = l->fuse.prev_op, rem;
    if (div == (wide ? IR_I64_DIV_U_RI : IR_I32_DIV_U_RI))
        rem = wide ? IR_I64_REM_U_RI : IR_I32_REM_U_RI;
    else if (div == (wide ? IR_I64_DIV_S_RI : IR_I32_DIV_S_RI))
        rem = wide ? IR_I64_REM_S_RI : IR_I32_REM_S_RI;
    else
        return false;
    if (p + ir_ins_words(div, at(l, p)) != m)
        return false;
    ir_word wd = *at(l, p + 1), wm = *at(l, m + 1);
    uint64_t cd = wide ? at(l, p + 2)->u64 : wd.u32[1], cm = wide ? at(l, m + 2)->u64 : wm.u32[1];
    uint64_t minus_one = wide ? UINT64_MAX : UINT32_MAX;
    if (cd != cm || cd == 0 || (rem != (wide ? IR_I64_REM_U_RI : IR_I32_REM_U_RI) && cd == minus_one) ||
        wd.u16[1] != a->slot || wm.u16[1] != wd.u16[0] || wd.u16[0] < l->temp_base ||
        wd.u16[0] == a->slot || wm.u16[0] == a->slot)
        return false;
    l->len = p;
    if (wide) {
        uint32_t pos = emit_s(l, rem, 3, dst, a->slot, 0, 0);
        if (l->len)
            at(l, pos + 2)->u64 = cd;
    } else {
        emit_ssi(l, rem, dst, a->slot, (uint32_t)cd);
    }
    return true;
}

/* A select of two integer values by a compare, just emitted, of the same
 * two (C's MIN and MAX): one min or max in place of the compare, when the
 * condition, the select's operands and the compare's are all in slots.
 * lower_select calls this with the condition on top of the stack, then the
 * second value, then the first; it pushes the result when it fuses. */
bool lo_fuse_min_max(lo_ctx *l, uint8_t t)
{
    lo_val *c = peek(l, 0), *b = peek(l, 1), *a = peek(l, 2);
    if ((t != VT_I32 && t != VT_I64) || c->kind != LV_TEMP || !l->fuse.last_is_compare ||
        !just_wrote(l, c->home) || l->fuse.cmp.with_imm || a->kind == LV_CONST ||
        b->kind == LV_CONST || a->slot == b->slot)
        return false;
    lo_compare k = l->fuse.cmp;
    bool wide = t == VT_I64;
    /* less: the compare holds when its first operand is the lesser. */
    bool less, is_signed;
    switch (k.base) {
    case IR_I32_LT_S_RR: case IR_I32_LE_S_RR: case IR_I64_LT_S_RR: case IR_I64_LE_S_RR:
        less = true; is_signed = true; break;
    case IR_I32_LT_U_RR: case IR_I32_LE_U_RR: case IR_I64_LT_U_RR: case IR_I64_LE_U_RR:
        less = true; is_signed = false; break;
    case IR_I32_GT_S_RR: case IR_I32_GE_S_RR: case IR_I64_GT_S_RR: case IR_I64_GE_S_RR:
        less = false; is_signed = true; break;
    case IR_I32_GT_U_RR: case IR_I32_GE_U_RR: case IR_I64_GT_U_RR: case IR_I64_GE_U_RR:
        less = false; is_signed = false; break;
    default:
        return false;
    }
    if (k.imm64 != wide) /* The compare's operands are as wide as the values. */
        return false;
    bool same = a->slot == k.a && b->slot == k.b, swapped = a->slot == k.b && b->slot == k.a;
    if (!same && !swapped)
        return false;
    /* select(x, y, x < y) is the lesser; select(y, x, x < y) the greater. */
    bool min = less == same;
    ir_op op = wide ? (min ? (is_signed ? IR_I64_MIN_S : IR_I64_MIN_U)
                           : (is_signed ? IR_I64_MAX_S : IR_I64_MAX_U))
                    : (min ? (is_signed ? IR_I32_MIN_S : IR_I32_MIN_U)
                           : (is_signed ? IR_I32_MAX_S : IR_I32_MAX_U));
    uint16_t x = a->slot, y = b->slot;
    l->len = l->fuse.last_pos; /* Drop the compare: the min or max does it. */
    drop(l);
    drop(l);
    drop(l);
    uint16_t dst = push_temp(l, t);
    emit_s(l, op, 2, dst, x, y, 0);
    has_dst(l);
    return true;
}
