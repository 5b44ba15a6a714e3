/* interp_body.h: operand access and the bodies of the pure instructions,
 * shared by every dispatch strategy. A body does what its instruction does
 * to the frame, without moving ip or dispatching: a handler is its body
 * followed by NEXT (interp_ops.h), and a pair instruction (ir_pairs.def) is
 * one body followed by the second instruction's handler. Bodies only read
 * ip and fp; the compiler inlines them, so a handler costs the same as if
 * written out. */
#ifndef WEFT_INTERP_BODY_H
#define WEFT_INTERP_BODY_H

#include "exn.h"
#include "interp.h"
#include "numeric.h"
#include "simd.h"

#include <stdbool.h>
#include <string.h>

/* The trap of a numeric operation that failed. */
static inline wx_trap wx_trap_from_num(num_trap k)
{
    switch (k) {
    case NUM_TRAP_DIV_ZERO: return TRAP_DIV_ZERO;
    case NUM_TRAP_OVERFLOW: return TRAP_OVERFLOW;
    case NUM_TRAP_INVALID_CONV: return TRAP_INVALID_CONV;
    case NUM_OK: break;
    }
    return TRAP_NONE;
}

/* ---- Operand access ------------------------------------------------------ */

/* Slot operands in word 1, and immediates in the positions ir.h gives. */
#define S0 (ip[1].u16[0])
#define S1 (ip[1].u16[1])
#define S2 (ip[1].u16[2])
#define S3 (ip[1].u16[3])
#define IMM (ip[1].u32[1])          /* FMT_SI, FMT_SSI, FMT_I */
#define IMM_W2 (ip[2].u32[0])       /* FMT_SSSI, FMT_SSSII, FMT_SSSSII, FMT_CALLI */
#define IMM2_W2 (ip[2].u32[1])      /* FMT_SSSII, FMT_SSSSII */
#define OFF (ip[1].i32[1])          /* jump offset of FMT_J, FMT_SJ, FMT_SSJ, FMT_SJL */

/* A slot read or written as one of the scalar types. */
#define SLOT_I32(s) (fp[s].u32)
#define SLOT_I64(s) (fp[s].u64)
#define SLOT_F32(s) (fp[s].f32)
#define SLOT_F64(s) (fp[s].f64)
/* A slot written as one of them. A 32-bit value goes in zero-extended, as
 * all eight bytes: a copy of the whole slot that follows closely (a copy, a
 * call's return value) then reads what the store wrote in full, where a
 * narrower store would make the processor wait for it to reach the cache. */
#define SET_I32(s, v) (fp[s].u64 = (uint32_t)(v))
#define SET_I64(s, v) (fp[s].u64 = (v))
#define SET_F32(s, v) (fp[s].u64 = num_f32_bits(v))
#define SET_F64(s, v) (fp[s].f64 = (v))

/* The constant operand of a (slot, constant) form (its size is its format's). A
 * 32-bit constant sits in word 1, a 64-bit one in word 2. */
#define IMM_I32 (ip[1].u32[1])
#define IMM_F32 (num_f32_from_bits(ip[1].u32[1]))
#define IMM_I64 (ip[2].u64)
#define IMM_F64 (ip[2].f64)

/* A v128 operand spans slots s and s + 1; simd.h's functions do the lanes. */
#define SLOT_V128(s) simd_get(fp + (s))
#define SET_V128(s, v) simd_put(fp + (s), (v))

/* The accumulators (see ir_ops.def): the scalar the last instruction
 * computed, in registers. Each strategy keeps one wx_acc in local variables
 * and hands the bodies its address; once the bodies are inlined, its fields
 * are registers. An i32 sits zero-extended in `i`, as in a slot's low half. */
typedef struct wx_acc {
    uint64_t i;
    double f64;
    float f32;
} wx_acc;

#define ACC_I32 ((uint32_t)acc->i)
#define ACC_I64 (acc->i)
#define ACC_F32 (acc->f32)
#define ACC_F64 (acc->f64)
#define SET_ACC_I32(v) (acc->i = (uint32_t)(v))
#define SET_ACC_I64(v) (acc->i = (v))
#define SET_ACC_F32(v) (acc->f32 = (v))
#define SET_ACC_F64(v) (acc->f64 = (v))
/* Puts a result of type T in slot s and in the accumulator. */
#define PUT(T, s, v) do { IR_CTYPE_##T r_ = (v); SET_##T(s, r_); SET_ACC_##T(r_); } while (0)

/* A body: what instruction N does to the frame and the accumulator (and,
 * for a memory access, to guarded memory 0 at `mem`). */
#define BODY(N) static inline __attribute__((always_inline, unused)) void \
    body_##N(const ir_word *ip, wx_slot *fp, __attribute__((unused)) uint8_t *mem, \
             __attribute__((unused)) wx_acc *acc)
/* The result of instruction N, of scalar type T, that its body writes to
 * slot s0: a pair that goes on with the result has it in a register. */
#define VALUE(N, T) static inline __attribute__((always_inline, unused)) IR_CTYPE_##T \
    value_##N(const ir_word *ip, __attribute__((unused)) const wx_slot *fp, \
              __attribute__((unused)) uint8_t *mem, __attribute__((unused)) const wx_acc *acc)
/* A branch's test (and, for add.jump, its add): true when it jumps. */
#define TAKEN(N) static inline __attribute__((always_inline, unused)) bool \
    taken_##N(__attribute__((unused)) const ir_word *ip, __attribute__((unused)) wx_slot *fp, \
              __attribute__((unused)) const wx_acc *acc)

/* Guarded memory 0: any 32-bit address plus 32-bit offset stays in the
 * reservation and a fault becomes a trap, so the address needs no check.
 * (interp_ops.h has the checked form, which traps.) */
#define EA_GUARDED(addr, off, width) (mem + (uint64_t)(addr) + (off))

/* Indexed addresses, [op][dst base index shift][offset]: base + (index <<
 * shift). Added addresses, [op][dst base k] for loads and [op][addr value k]
 * for stores: base + k with a zero static offset. The sums wrap at 32 bits
 * exactly as the i32.add they replace. */
#define IDX_ADDR() ((uint32_t)(SLOT_I32(S1) + (SLOT_I32(S2) << S3)))
#define ADD_ADDR() ((uint32_t)(SLOT_I32(S1) + IMM))
#define STORE_ADDR() ((uint32_t)(SLOT_I32(S0) + IMM))
/* The same with the index, or the base, in the accumulator. */
#define IDX_ACC_ADDR() ((uint32_t)(SLOT_I32(S1) + (ACC_I32 << S3)))
#define ADD_ACC_ADDR() ((uint32_t)(ACC_I32 + IMM))

/* A load of a value of memory type M at `ea` as OUT (M's signedness does
 * the widening), returned or put in slot s0, and a store of slot s1
 * narrowed to M. */
#define LOAD_VALUE(OUT, M, ea)                                                  \
    do { M v_; memcpy(&v_, (ea), sizeof v_); return (IR_CTYPE_##OUT)v_; } while (0)
#define LOAD_INTO(OUT, M, ea)                                                   \
    do { M v_; memcpy(&v_, (ea), sizeof v_); SET_##OUT(S0, (IR_CTYPE_##OUT)v_); } while (0)
#define STORE_VALUE(M, v, ea) do { M v_ = (M)(v); memcpy((ea), &v_, sizeof v_); } while (0)
#define STORE_FROM(IN, M, ea) STORE_VALUE(M, SLOT_##IN(S1), ea)

/* The constant of a compare-and-branch lives in word 2 (FMT_SJL). */
#define IMM_JUMP_I32 (ip[2].u32[0])
#define IMM_JUMP_I64 (ip[2].u64)
#define IMM_JUMP_F32 (num_f32_from_bits(ip[2].u32[0]))
#define IMM_JUMP_F64 (ip[2].f64)

/* ---- The forms' operands, by their names in ir_forms.h ---------------------- */

/* Operand A, B or V of type T. */
#define OPERAND_S0(T) SLOT_##T(S0)
#define OPERAND_S1(T) SLOT_##T(S1)
#define OPERAND_S2(T) SLOT_##T(S2)
#define OPERAND_K(T) IMM_##T
#define OPERAND_J(T) IMM_JUMP_##T
#define OPERAND_ACC(T) ACC_##T
#define OPERAND_NONE(T) ((IR_CTYPE_##T)0)
/* Address ADDR and offset OFFSET of a memory access. */
#define ADDRESS_S0 SLOT_I32(S0)
#define ADDRESS_S1 SLOT_I32(S1)
#define ADDRESS_IDX IDX_ADDR()
#define ADDRESS_ADD ADD_ADDR()
#define ADDRESS_ADD_S0 STORE_ADDR()
#define ADDRESS_ZERO 0
#define ADDRESS_ACC ACC_I32
#define ADDRESS_IDX_ACC IDX_ACC_ADDR()
#define ADDRESS_ADD_ACC ADD_ACC_ADDR()
#define OFFSET_K IMM
#define OFFSET_K2 IMM_W2
#define OFFSET_ZERO 0

/* ---- Bodies of the forms (ir_forms.h) and the SIMD families ----------------- */

#define FORM_VALUE(id, f, t, IN, OUT, e, A, B, OF, W)                           \
    BODY(id) {                                                                  \
        IR_CTYPE_##IN a = OPERAND_##A(IN), b = OPERAND_##B(IN);                 \
        (void)b;                                                                \
        PUT(OUT, S0, (e));                                                      \
    }
#define FORM_TEST(id, f, t, IN, e, A, B, OF, W)                                 \
    TAKEN(id) { IR_CTYPE_##IN a = OPERAND_##A(IN), b = OPERAND_##B(IN); return (e); }
/* A load's value, and its body that puts it in s0 and the accumulator. */
#define FORM_LOAD(id, f, t, OUT, M, ADDR, OFFSET, OF, W)                        \
    VALUE(id, OUT) { LOAD_VALUE(OUT, M, EA_GUARDED(ADDRESS_##ADDR, OFFSET_##OFFSET, sizeof(M))); } \
    BODY(id) { PUT(OUT, S0, value_##id(ip, fp, mem, acc)); }
#define FORM_STORE(id, f, t, IN, M, ADDR, OFFSET, V, OF, W)                     \
    BODY(id) { STORE_VALUE(M, OPERAND_##V(IN), EA_GUARDED(ADDRESS_##ADDR, OFFSET_##OFFSET, sizeof(M))); }
/* The other kinds have handlers only (interp_ops.h). */
#define FORM_TRAP(id, f, t, T, fn, A, B)
#define FORM_LOAD_CHK(id, f, t, OUT, M, ADDR, OFFSET)
#define FORM_STORE_CHK(id, f, t, IN, M, ADDR, OFFSET, V)
#define IR_V_BINARY(N, t, fn) BODY(N) { SET_V128(S0, fn(SLOT_V128(S1), SLOT_V128(S2))); }
#define IR_V_EXTRACT(N, t, OUT, fn) BODY(N) { SET_##OUT(S0, fn(SLOT_V128(S1), IMM)); }
#define IR_V_LOAD(N, t, W, fn) BODY(N) { SET_V128(S0, fn(EA_GUARDED(SLOT_I32(S1), IMM, W))); }
#define IR_V_STORE(N, t, W, fn) BODY(N) { fn(EA_GUARDED(SLOT_I32(S0), IMM, W), SLOT_V128(S1)); }
#define IR_FORM(id, f, t)
#define IR_PAIR(A, B)
#include "ir_forms.h"
#undef IR_PAIR

/* ---- Hand-written instructions ---------------------------------------------- */

BODY(I32_ADD_SHL) { PUT(I32, S0, SLOT_I32(S1) + (SLOT_I32(S2) << S3)); }
BODY(I32_ADD3) { PUT(I32, S0, SLOT_I32(S1) + SLOT_I32(S2) + SLOT_I32(S3)); }
BODY(I32_XOR_ROTL) { PUT(I32, S0, SLOT_I32(S1) ^ num_i32_rotl(SLOT_I32(S2), S3)); }
BODY(I32_SHR_U_AND) { PUT(I32, S0, (SLOT_I32(S1) >> S2) & S3); }
BODY(I32_MIN_S) { int32_t a = (int32_t)SLOT_I32(S1), b = (int32_t)SLOT_I32(S2); PUT(I32, S0, a < b ? a : b); }
BODY(I32_MIN_U) { uint32_t a = SLOT_I32(S1), b = SLOT_I32(S2); PUT(I32, S0, a < b ? a : b); }
BODY(I32_MAX_S) { int32_t a = (int32_t)SLOT_I32(S1), b = (int32_t)SLOT_I32(S2); PUT(I32, S0, a > b ? a : b); }
BODY(I32_MAX_U) { uint32_t a = SLOT_I32(S1), b = SLOT_I32(S2); PUT(I32, S0, a > b ? a : b); }
BODY(I64_MIN_S) { int64_t a = (int64_t)SLOT_I64(S1), b = (int64_t)SLOT_I64(S2); PUT(I64, S0, a < b ? a : b); }
BODY(I64_MIN_U) { uint64_t a = SLOT_I64(S1), b = SLOT_I64(S2); PUT(I64, S0, a < b ? a : b); }
BODY(I64_MAX_S) { int64_t a = (int64_t)SLOT_I64(S1), b = (int64_t)SLOT_I64(S2); PUT(I64, S0, a > b ? a : b); }
BODY(I64_MAX_U) { uint64_t a = SLOT_I64(S1), b = SLOT_I64(S2); PUT(I64, S0, a > b ? a : b); }
BODY(I32_ADD_SHL_A) { PUT(I32, S0, ACC_I32 + (SLOT_I32(S2) << S3)); }
BODY(I32_ADD_SHL_X) { PUT(I32, S0, SLOT_I32(S1) + (ACC_I32 << S3)); }
BODY(I32_ADD3_A) { PUT(I32, S0, ACC_I32 + SLOT_I32(S2) + SLOT_I32(S3)); }
BODY(I32_XOR_ROTL_A) { PUT(I32, S0, ACC_I32 ^ num_i32_rotl(SLOT_I32(S2), S3)); }
/* A multiply feeding an add: two IEEE operations, each rounded (the build
 * forbids contracting them into one fused multiply-add). */
BODY(F32_MUL_ADD) { float p = SLOT_F32(S2) * SLOT_F32(S3); PUT(F32, S0, SLOT_F32(S1) + p); }
BODY(F64_MUL_ADD) { double p = SLOT_F64(S2) * SLOT_F64(S3); PUT(F64, S0, SLOT_F64(S1) + p); }
BODY(F32_MUL_SUB) { float p = SLOT_F32(S2) * SLOT_F32(S3); PUT(F32, S0, SLOT_F32(S1) - p); }
BODY(F64_MUL_SUB) { double p = SLOT_F64(S2) * SLOT_F64(S3); PUT(F64, S0, SLOT_F64(S1) - p); }
BODY(F32X4_MUL_ADD) {
    SET_V128(S0, simd_f32x4_add(SLOT_V128(S1), simd_f32x4_mul(SLOT_V128(S2), SLOT_V128(S3))));
}
BODY(F64X2_MUL_ADD) {
    SET_V128(S0, simd_f64x2_add(SLOT_V128(S1), simd_f64x2_mul(SLOT_V128(S2), SLOT_V128(S3))));
}
BODY(F32X4_MUL_SUB) {
    SET_V128(S0, simd_f32x4_sub(SLOT_V128(S1), simd_f32x4_mul(SLOT_V128(S2), SLOT_V128(S3))));
}
BODY(F64X2_MUL_SUB) {
    SET_V128(S0, simd_f64x2_sub(SLOT_V128(S1), simd_f64x2_mul(SLOT_V128(S2), SLOT_V128(S3))));
}
/* Copies, constants and selects move untyped slots: the integer
 * accumulator gets all 64 bits. */
BODY(COPY) { wx_slot v = fp[S1]; fp[S0] = v; acc->i = v.u64; }
BODY(COPY2) { fp[S0] = fp[S1]; fp[S2] = fp[S3]; }
BODY(CONST32) { fp[S0].u64 = IMM; acc->i = IMM; }
BODY(SELECT) { wx_slot v = fp[S3].u32 ? fp[S1] : fp[S2]; fp[S0] = v; acc->i = v.u64; }
BODY(SELECT_KK) { uint32_t v = SLOT_I32(S1) ? IMM_W2 : IMM2_W2; fp[S0].u64 = v; acc->i = v; }
BODY(V128_LOAD_ADD) { SET_V128(S0, simd_get(EA_GUARDED(ADD_ADDR(), 0, 16))); }
/* Moves in memory: [op][to from -][offset_to offset_from]. */
#define MOVE(M, ea_to, ea_from) do { M v_; memcpy(&v_, (ea_from), sizeof v_); memcpy((ea_to), &v_, sizeof v_); } while (0)
BODY(MOVE32) { MOVE(uint32_t, EA_GUARDED(SLOT_I32(S0), IMM_W2, 4), EA_GUARDED(SLOT_I32(S1), IMM2_W2, 4)); }
BODY(MOVE64) { MOVE(uint64_t, EA_GUARDED(SLOT_I32(S0), IMM_W2, 8), EA_GUARDED(SLOT_I32(S1), IMM2_W2, 8)); }
BODY(MOVE128) { MOVE(simd_v, EA_GUARDED(SLOT_I32(S0), IMM_W2, 16), EA_GUARDED(SLOT_I32(S1), IMM2_W2, 16)); }
/* mem[p] += y * mem[q] (ir_ops.def): [op][p y q added][offset_p k_q]. */
#define UPDATE_Q_ADDR()                                                          \
    (S3 ? (uint64_t)(uint32_t)(SLOT_I32(S2) + IMM2_W2) : (uint64_t)SLOT_I32(S2) + IMM2_W2)
#define MUL_ADD_MEM(SHAPE, ea_p, ea_q)                                           \
    do {                                                                        \
        uint8_t *p_ = (ea_p);                                                   \
        simd_v x_ = simd_get(p_), b_ = simd_get(ea_q);                       \
        simd_put(p_, simd_##SHAPE##_add(x_, simd_##SHAPE##_mul(SLOT_V128(S1), b_))); \
    } while (0)
BODY(F32X4_MUL_ADD_MEM) {
    MUL_ADD_MEM(f32x4, EA_GUARDED(SLOT_I32(S0), IMM_W2, 16), mem + UPDATE_Q_ADDR());
}
BODY(F64X2_MUL_ADD_MEM) {
    MUL_ADD_MEM(f64x2, EA_GUARDED(SLOT_I32(S0), IMM_W2, 16), mem + UPDATE_Q_ADDR());
}
/* Stores of a constant: [op][addr - offset][value]. */
#define STORE_K(M) do { M v_ = (M)ip[2].u64; memcpy(EA_GUARDED(SLOT_I32(S0), IMM, sizeof v_), &v_, sizeof v_); } while (0)
BODY(STORE8_K) { STORE_K(uint8_t); }
BODY(STORE16_K) { STORE_K(uint16_t); }
BODY(STORE32_K) { STORE_K(uint32_t); }
BODY(STORE64_K) { STORE_K(uint64_t); }
#undef STORE_K
#define STORE_KS(M) do { M v_ = (M)IMM; memcpy(EA_GUARDED(SLOT_I32(S0), S1, sizeof v_), &v_, sizeof v_); } while (0)
BODY(STORE8_KS) { STORE_KS(uint8_t); }
BODY(STORE16_KS) { STORE_KS(uint16_t); }
BODY(STORE32_KS) { STORE_KS(uint32_t); }
#undef STORE_KS

TAKEN(JUMP) { return true; }
/* The offset of jump table [op][s0 - n][off0]...[off n] for index i: the
 * last entry, the default, for any index past the others. */
static inline __attribute__((always_inline, unused)) int32_t table_offset(const ir_word *ip,
                                                                          uint32_t i)
{
    uint32_t n = IMM;
    return ip[2 + (i < n ? i : n)].i32[0];
}
/* Where table jump N at ip goes for index i: jump.table by its own table,
 * jump.table.at (a copy of a loop head's table jump) by the original's. */
static inline __attribute__((always_inline, unused)) const ir_word *
table_jump_JUMP_TABLE(const ir_word *ip, uint32_t i)
{
    return ip + table_offset(ip, i);
}
static inline __attribute__((always_inline, unused)) const ir_word *
table_jump_JUMP_TABLE_AT(const ir_word *ip, uint32_t i)
{
    const ir_word *table = ip + OFF;
    return table + table_offset(table, i);
}
TAKEN(JUMP_NZ) { return fp[S0].u32 != 0; }
TAKEN(JUMP_Z) { return fp[S0].u32 == 0; }
TAKEN(JUMP_NZ_ACC) { return ACC_I32 != 0; }
TAKEN(JUMP_Z_ACC) { return ACC_I32 == 0; }
/* A loop's step and test: an i32 add of a constant, then a compare of the
 * sum with a constant. */
#define ADD_JUMP(cond)                                                          \
    uint32_t a = fp[S1].u32 + ip[2].u32[0], b = ip[2].u32[1];                   \
    SET_I32(S0, a);                                                             \
    return cond
TAKEN(ADD_JUMP_NE) { ADD_JUMP(a != b); }
TAKEN(ADD_JUMP_LT_U) { ADD_JUMP(a < b); }
TAKEN(ADD_JUMP_LT_S) { ADD_JUMP((int32_t)a < (int32_t)b); }
#undef ADD_JUMP

/* ---- Sizes ------------------------------------------------------------------ */

/* IR_WORDS_N: the size in words of instruction N, as a constant (0 for a
 * jump table, whose size varies), from its format's row in ir.h. */
enum {
#define IR_PAIR(A, B)
#define IR_FORM(id, f, t) IR_WORDS_##id = IR_FMT_WORDS(f),
#include "ir_forms.h"
};

#undef BODY
#undef VALUE
#undef TAKEN

#endif
