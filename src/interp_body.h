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

#define BODY(N) static inline __attribute__((always_inline, unused)) void \
    body_##N(const ir_word *ip, wx_slot *fp)

/* ---- Families from ir_ops.def ---------------------------------------------- */

#define IR_BINARY(N, t, IN, OUT, e)                                             \
    BODY(N##_RR) { IR_CTYPE_##IN a = SLOT_##IN(S1), b = SLOT_##IN(S2); SLOT_##OUT(S0) = (e); } \
    BODY(N##_RI) { IR_CTYPE_##IN a = SLOT_##IN(S1), b = IMM_##IN; SLOT_##OUT(S0) = (e); } \
    BODY(N##_IR) { IR_CTYPE_##IN a = IMM_##IN, b = SLOT_##IN(S1); SLOT_##OUT(S0) = (e); }
#define IR_COMPARE(N, t, IN, e) IR_BINARY(N, t, IN, I32, e)
#define IR_BINARY_TRAP(N, t, T, fn)
#define IR_UNARY(N, t, IN, OUT, e)                                              \
    BODY(N) { IR_CTYPE_##IN a = SLOT_##IN(S1); SLOT_##OUT(S0) = (e); }
#define IR_UNARY_TRAP(N, t, IN, OUT, fn)
#define IR_LOAD(N, t, OUT, M)
#define IR_STORE(N, t, IN, M)
#define IR_OP(N, F, t)
#define IR_V_UNARY(N, t, fn)
#define IR_V_BINARY(N, t, fn) BODY(N) { SET_V128(S0, fn(SLOT_V128(S1), SLOT_V128(S2))); }
#define IR_V_TERNARY(N, t, fn)
#define IR_V_SHIFT(N, t, fn)
#define IR_V_SPLAT(N, t, IN, fn)
#define IR_V_TEST(N, t, fn)
#define IR_V_EXTRACT(N, t, OUT, fn)
#define IR_V_REPLACE(N, t, IN, fn)
#define IR_V_LOAD(N, t, W, fn)
#define IR_V_STORE(N, t, W, fn)
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

#undef BODY

#endif
