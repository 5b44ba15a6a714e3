/* interp_body.h: operand access and the bodies of the pure instructions,
 * shared by every dispatch strategy. A body does what its instruction does
 * to the frame, without moving ip or dispatching: a handler is its body
 * followed by NEXT (interp_ops.h), and a pair instruction (ir_pairs.def) is
 * one body followed by the second instruction's handler. Bodies only read
 * ip and fp; the compiler inlines them, so a handler costs the same as if
 * written out. */
#ifndef WEFT_INTERP_BODY_H
#define WEFT_INTERP_BODY_H

#include "interp.h"
#include "numeric.h"
#include "simd.h"

#include <stdbool.h>
#include <string.h>

/* ---- Operand access ------------------------------------------------------ */

/* Slot operands in word 1, and immediates in the positions ir.h gives. */
#define S0 (ip[1].u16[0])
#define S1 (ip[1].u16[1])
#define S2 (ip[1].u16[2])
#define S3 (ip[1].u16[3])
#define IMM (ip[1].u32[1])          /* FMT_SI, FMT_SSI, FMT_I */
#define IMM_W2 (ip[2].u32[0])       /* FMT_SSSI, FMT_SSSII, FMT_CALLI */
#define IMM2_W2 (ip[2].u32[1])      /* FMT_SSSII */
#define OFF (ip[1].i32[1])          /* jump offset of FMT_J, FMT_SJ, FMT_SSJ, FMT_SJL */

/* A slot read or written as one of the scalar types. */
#define SLOT_I32(s) (fp[s].u32)
#define SLOT_I64(s) (fp[s].u64)
#define SLOT_F32(s) (fp[s].f32)
#define SLOT_F64(s) (fp[s].f64)

/* The constant operand of a (slot, constant) form, and the form's size. A
 * 32-bit constant sits in word 1, a 64-bit one in word 2. */
#define IMM_I32 (ip[1].u32[1])
#define IMM_F32 (num_f32_from_bits(ip[1].u32[1]))
#define IMM_I64 (ip[2].u64)
#define IMM_F64 (ip[2].f64)
#define WORDS_RI_I32 2
#define WORDS_RI_F32 2
#define WORDS_RI_I64 3
#define WORDS_RI_F64 3

/* A v128 operand spans slots s and s + 1; simd.h's functions do the lanes. */
#define SLOT_V128(s) simd_get(fp + (s))
#define SET_V128(s, v) simd_put(fp + (s), (v))

/* A body: what instruction N does to the frame (and, for a memory access,
 * to guarded memory 0 at `mem`). */
#define BODY(N) static inline __attribute__((always_inline, unused)) void \
    body_##N(const ir_word *ip, wx_slot *fp, __attribute__((unused)) uint8_t *mem)
/* The result of instruction N, of scalar type T, that its body writes to
 * slot s0: a pair that goes on with the result has it in a register. */
#define VALUE(N, T) static inline __attribute__((always_inline, unused)) IR_CTYPE_##T \
    value_##N(const ir_word *ip, __attribute__((unused)) const wx_slot *fp, \
            __attribute__((unused)) uint8_t *mem)
/* A branch's test (and, for add.jump, its add): true when it jumps. */
#define TAKEN(N) static inline __attribute__((always_inline, unused)) bool \
    taken_##N(const ir_word *ip, wx_slot *fp)

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

/* A load of a value of memory type M at `ea` as OUT (M's signedness does
 * the widening), returned or put in slot s0, and a store of slot s1
 * narrowed to M. */
#define LOAD_VALUE(OUT, M, ea)                                                  \
    do { M v_; memcpy(&v_, (ea), sizeof v_); return (IR_CTYPE_##OUT)v_; } while (0)
#define LOAD_INTO(OUT, M, ea)                                                   \
    do { M v_; memcpy(&v_, (ea), sizeof v_); SLOT_##OUT(S0) = (IR_CTYPE_##OUT)v_; } while (0)
#define STORE_FROM(IN, M, ea)                                                   \
    do { M v_ = (M)SLOT_##IN(S1); memcpy((ea), &v_, sizeof v_); } while (0)
/* Absolute forms, [op][dst - addr] and [op][value - addr]: a constant
 * address with the static offset added in (lowering keeps the sum below
 * 2^32); the store's value is in slot s0. */
#define STORE_ABS_FROM(IN, M, ea)                                               \
    do { M v_ = (M)SLOT_##IN(S0); memcpy((ea), &v_, sizeof v_); } while (0)

/* The constant of a compare-and-branch lives in word 2 (FMT_SJL). */
#define IMM_JUMP_I32 (ip[2].u32[0])
#define IMM_JUMP_I64 (ip[2].u64)
#define IMM_JUMP_F32 (num_f32_from_bits(ip[2].u32[0]))
#define IMM_JUMP_F64 (ip[2].f64)

/* ---- Families from ir_ops.def ---------------------------------------------- */

#define IR_BINARY(N, t, IN, OUT, e)                                             \
    BODY(N##_RR) { IR_CTYPE_##IN a = SLOT_##IN(S1), b = SLOT_##IN(S2); SLOT_##OUT(S0) = (e); } \
    BODY(N##_RI) { IR_CTYPE_##IN a = SLOT_##IN(S1), b = IMM_##IN; SLOT_##OUT(S0) = (e); } \
    BODY(N##_IR) { IR_CTYPE_##IN a = IMM_##IN, b = SLOT_##IN(S1); SLOT_##OUT(S0) = (e); }
#define IR_COMPARE(N, t, IN, e)                                                 \
    IR_BINARY(N, t, IN, I32, e)                                                 \
    TAKEN(N##_JT_RR) { IR_CTYPE_##IN a = SLOT_##IN(S0), b = SLOT_##IN(S1); return e; } \
    TAKEN(N##_JT_RI) { IR_CTYPE_##IN a = SLOT_##IN(S0), b = IMM_JUMP_##IN; return e; } \
    TAKEN(N##_JF_RR) { IR_CTYPE_##IN a = SLOT_##IN(S0), b = SLOT_##IN(S1); return !(e); } \
    TAKEN(N##_JF_RI) { IR_CTYPE_##IN a = SLOT_##IN(S0), b = IMM_JUMP_##IN; return !(e); }
#define IR_BINARY_TRAP(N, t, T, fn)
#define IR_UNARY(N, t, IN, OUT, e)                                              \
    BODY(N) { IR_CTYPE_##IN a = SLOT_##IN(S1); SLOT_##OUT(S0) = (e); }
#define IR_UNARY_TRAP(N, t, IN, OUT, fn)
#define IR_LOAD(N, t, OUT, M)                                                   \
    VALUE(N, OUT) { LOAD_VALUE(OUT, M, EA_GUARDED(SLOT_I32(S1), IMM, sizeof(M))); } \
    VALUE(N##_IDX, OUT) { LOAD_VALUE(OUT, M, EA_GUARDED(IDX_ADDR(), IMM_W2, sizeof(M))); } \
    VALUE(N##_ADD, OUT) { LOAD_VALUE(OUT, M, EA_GUARDED(ADD_ADDR(), 0, sizeof(M))); } \
    VALUE(N##_ABS, OUT) { LOAD_VALUE(OUT, M, EA_GUARDED(0, IMM, sizeof(M))); }    \
    BODY(N) { SLOT_##OUT(S0) = value_##N(ip, fp, mem); }                        \
    BODY(N##_IDX) { SLOT_##OUT(S0) = value_##N##_IDX(ip, fp, mem); }            \
    BODY(N##_ADD) { SLOT_##OUT(S0) = value_##N##_ADD(ip, fp, mem); }            \
    BODY(N##_ABS) { SLOT_##OUT(S0) = value_##N##_ABS(ip, fp, mem); }
#define IR_STORE(N, t, IN, M)                                                   \
    BODY(N) { STORE_FROM(IN, M, EA_GUARDED(SLOT_I32(S0), IMM, sizeof(M))); }  \
    BODY(N##_ADD) { STORE_FROM(IN, M, EA_GUARDED(STORE_ADDR(), 0, sizeof(M))); } \
    BODY(N##_ABS) { STORE_ABS_FROM(IN, M, EA_GUARDED(0, IMM, sizeof(M))); }
#define IR_OP(N, F, t)
#define IR_V_UNARY(N, t, fn)
#define IR_V_BINARY(N, t, fn) BODY(N) { SET_V128(S0, fn(SLOT_V128(S1), SLOT_V128(S2))); }
#define IR_V_TERNARY(N, t, fn)
#define IR_V_SHIFT(N, t, fn)
#define IR_V_SPLAT(N, t, IN, fn)
#define IR_V_TEST(N, t, fn)
#define IR_V_EXTRACT(N, t, OUT, fn) BODY(N) { SLOT_##OUT(S0) = fn(SLOT_V128(S1), IMM); }
#define IR_V_REPLACE(N, t, IN, fn)
#define IR_V_LOAD(N, t, W, fn) BODY(N) { SET_V128(S0, fn(EA_GUARDED(SLOT_I32(S1), IMM, W))); }
#define IR_V_STORE(N, t, W, fn) BODY(N) { fn(EA_GUARDED(SLOT_I32(S0), IMM, W), SLOT_V128(S1)); }
#define IR_V_LOAD_LANE(N, t, W)
#define IR_V_STORE_LANE(N, t, W)
#include "ir_ops.def"

/* ---- Hand-written instructions ---------------------------------------------- */

BODY(I32_ADD_SHL) { fp[S0].u32 = fp[S1].u32 + (fp[S2].u32 << S3); }
BODY(I32_ADD3) { fp[S0].u32 = fp[S1].u32 + fp[S2].u32 + fp[S3].u32; }
BODY(I32_XOR_ROTL) { fp[S0].u32 = fp[S1].u32 ^ num_i32_rotl(fp[S2].u32, S3); }
/* A multiply feeding an add: two IEEE operations, each rounded (the build
 * forbids contracting them into one fused multiply-add). */
BODY(F32_MUL_ADD) { float p = fp[S2].f32 * fp[S3].f32; fp[S0].f32 = fp[S1].f32 + p; }
BODY(F64_MUL_ADD) { double p = fp[S2].f64 * fp[S3].f64; fp[S0].f64 = fp[S1].f64 + p; }
BODY(F32_MUL_SUB) { float p = fp[S2].f32 * fp[S3].f32; fp[S0].f32 = fp[S1].f32 - p; }
BODY(F64_MUL_SUB) { double p = fp[S2].f64 * fp[S3].f64; fp[S0].f64 = fp[S1].f64 - p; }
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
BODY(COPY) { fp[S0] = fp[S1]; }
BODY(COPY2) { fp[S0] = fp[S1]; fp[S2] = fp[S3]; }
BODY(CONST32) { fp[S0].u64 = IMM; }
BODY(SELECT) { fp[S0] = fp[S3].u32 ? fp[S1] : fp[S2]; }
BODY(V128_LOAD_ADD) { SET_V128(S0, simd_get(EA_GUARDED(ADD_ADDR(), 0, 16))); }
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

TAKEN(JUMP) { (void)ip; (void)fp; return true; }
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
/* A loop's step and test: an i32 add of a constant, then a compare of the
 * sum with a constant. */
#define ADD_JUMP(cond)                                                          \
    uint32_t a = fp[S1].u32 + ip[2].u32[0], b = ip[2].u32[1];                   \
    fp[S0].u32 = a;                                                             \
    return cond
TAKEN(ADD_JUMP_NE) { ADD_JUMP(a != b); }
TAKEN(ADD_JUMP_LT_U) { ADD_JUMP(a < b); }
TAKEN(ADD_JUMP_LT_S) { ADD_JUMP((int32_t)a < (int32_t)b); }
#undef ADD_JUMP

/* ---- Sizes ------------------------------------------------------------------ */

/* IR_WORDS_N: the size in words of instruction N, as a constant (0 for a
 * jump table, whose size varies). */
#define IR_FMT_WORDS_FMT_NONE 1
#define IR_FMT_WORDS_FMT_S 2
#define IR_FMT_WORDS_FMT_SS 2
#define IR_FMT_WORDS_FMT_SSS 2
#define IR_FMT_WORDS_FMT_SSSS 2
#define IR_FMT_WORDS_FMT_I 2
#define IR_FMT_WORDS_FMT_SI 2
#define IR_FMT_WORDS_FMT_SSI 2
#define IR_FMT_WORDS_FMT_SSL 3
#define IR_FMT_WORDS_FMT_SIL 3
#define IR_FMT_WORDS_FMT_SHI 2
#define IR_FMT_WORDS_FMT_SSJII 3
#define IR_FMT_WORDS_FMT_SL 3
#define IR_FMT_WORDS_FMT_SV 4
#define IR_FMT_WORDS_FMT_SSSV 4
#define IR_FMT_WORDS_FMT_SSSSI 3
#define IR_FMT_WORDS_FMT_SSSI 3
#define IR_FMT_WORDS_FMT_SSSII 3
#define IR_FMT_WORDS_FMT_J 2
#define IR_FMT_WORDS_FMT_SJ 2
#define IR_FMT_WORDS_FMT_SSJ 2
#define IR_FMT_WORDS_FMT_SJL 3
#define IR_FMT_WORDS_FMT_TABLE 0
#define IR_FMT_WORDS_FMT_TABLE_AT 2
#define IR_FMT_WORDS_FMT_CALLI 3
#define IR_FMT_WORDS_FMT_SSIL 3
#define IR_FMT_WORDS_FMT_SSSIIL 4
enum {
#define IR_BINARY(N, t, IN, OUT, e) \
    IR_WORDS_##N##_RR = 2, IR_WORDS_##N##_RI = WORDS_RI_##IN, IR_WORDS_##N##_IR = WORDS_RI_##IN,
#define IR_COMPARE(N, t, IN, e) IR_BINARY(N, t, IN, I32, e) \
    IR_WORDS_##N##_JT_RR = 2, IR_WORDS_##N##_JT_RI = 3, IR_WORDS_##N##_JF_RR = 2, \
    IR_WORDS_##N##_JF_RI = 3,
#define IR_BINARY_TRAP(N, t, T, fn) \
    IR_WORDS_##N##_RR = 2, IR_WORDS_##N##_RI = WORDS_RI_##T, IR_WORDS_##N##_IR = WORDS_RI_##T,
#define IR_UNARY(N, t, IN, OUT, e) IR_WORDS_##N = 2,
#define IR_UNARY_TRAP(N, t, IN, OUT, fn) IR_WORDS_##N = 2,
#define IR_LOAD(N, t, OUT, M) IR_WORDS_##N = 2, IR_WORDS_##N##_CHK = 2, IR_WORDS_##N##_IDX = 3, \
    IR_WORDS_##N##_IDX_CHK = 3, IR_WORDS_##N##_ADD = 2, IR_WORDS_##N##_ADD_CHK = 2, \
    IR_WORDS_##N##_ABS = 2, IR_WORDS_##N##_ABS_CHK = 2,
#define IR_STORE(N, t, IN, M) IR_WORDS_##N = 2, IR_WORDS_##N##_CHK = 2, IR_WORDS_##N##_ADD = 2, \
    IR_WORDS_##N##_ADD_CHK = 2, IR_WORDS_##N##_ABS = 2, IR_WORDS_##N##_ABS_CHK = 2,
#define IR_OP(N, F, t) IR_WORDS_##N = IR_FMT_WORDS_##F,
#define IR_V_UNARY(N, t, fn) IR_WORDS_##N = 2,
#define IR_V_BINARY(N, t, fn) IR_WORDS_##N = 2,
#define IR_V_TERNARY(N, t, fn) IR_WORDS_##N = 2,
#define IR_V_SHIFT(N, t, fn) IR_WORDS_##N = 2, IR_WORDS_##N##_RI = 2,
#define IR_V_SPLAT(N, t, IN, fn) IR_WORDS_##N = 2,
#define IR_V_TEST(N, t, fn) IR_WORDS_##N = 2,
#define IR_V_EXTRACT(N, t, OUT, fn) IR_WORDS_##N = 2,
#define IR_V_REPLACE(N, t, IN, fn) IR_WORDS_##N = 3,
#define IR_V_LOAD(N, t, W, fn) IR_WORDS_##N = 2, IR_WORDS_##N##_CHK = 2,
#define IR_V_STORE(N, t, W, fn) IR_WORDS_##N = 2, IR_WORDS_##N##_CHK = 2,
#define IR_V_LOAD_LANE(N, t, W) IR_WORDS_##N = 3, IR_WORDS_##N##_CHK = 3,
#define IR_V_STORE_LANE(N, t, W) IR_WORDS_##N = 3, IR_WORDS_##N##_CHK = 3,
#include "ir_ops.def"
};

#undef BODY
#undef VALUE
#undef TAKEN

#endif
