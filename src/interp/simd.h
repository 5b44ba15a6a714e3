/* simd.h: the semantics of WebAssembly's 128-bit SIMD instructions, as
 * static inline functions on a v128 value, for the interpreter's handlers.
 *
 * A v128 is a union of GCC/clang vector types, one per lane shape, so an
 * operation reads the lanes the way its instruction names them. Lane i of
 * every shape sits at byte i * lane size (little-endian), which is also the
 * order of a v128 in memory and in a pair of frame slots. Plain vector
 * operators are used where their lane semantics are exactly Wasm's (wrapping
 * unsigned arithmetic, bitwise operators, IEEE float arithmetic, compares);
 * everything with saturation, widening or Wasm-specific NaN rules is a loop
 * over the lanes reusing numeric.h's scalar definitions. We build for
 * baseline x86-64 (SSE2), so no intrinsics: the compiler picks instructions. */
#ifndef WEFT_SIMD_H
#define WEFT_SIMD_H

#include <stdint.h>
#include <string.h>

#include "numeric.h"

typedef int8_t simd_i8 __attribute__((vector_size(16)));
typedef uint8_t simd_u8 __attribute__((vector_size(16)));
typedef int16_t simd_i16 __attribute__((vector_size(16)));
typedef uint16_t simd_u16 __attribute__((vector_size(16)));
typedef int32_t simd_i32 __attribute__((vector_size(16)));
typedef uint32_t simd_u32 __attribute__((vector_size(16)));
typedef int64_t simd_i64 __attribute__((vector_size(16)));
typedef uint64_t simd_u64 __attribute__((vector_size(16)));
typedef float simd_f32 __attribute__((vector_size(16)));
typedef double simd_f64 __attribute__((vector_size(16)));

/* One v128 value, viewed as any lane shape. */
typedef union simd_v {
    simd_i8 i8;
    simd_u8 u8;
    simd_i16 i16;
    simd_u16 u16;
    simd_i32 i32;
    simd_u32 u32;
    simd_i64 i64;
    simd_u64 u64;
    simd_f32 f32;
    simd_f64 f64;
} simd_v;

/* ---- Moving v128 values ------------------------------------------------ */

/* Frame slots and linear memory are only 8- or 1-byte aligned, so every
 * access goes through memcpy, which compiles to one unaligned move. */
static inline simd_v simd_get(const void *p) { simd_v v; memcpy(&v, p, 16); return v; }
static inline void simd_put(void *p, simd_v v) { memcpy(p, &v, 16); }
static inline simd_v simd_zero(void) { simd_v v; v.u64 = (simd_u64){ 0, 0 }; return v; }

/* Lanes where mask `m` is set come from x, the others from y. */
static inline simd_v simd_blend(simd_v m, simd_v x, simd_v y)
{
    simd_v r;
    r.u64 = (x.u64 & m.u64) | (y.u64 & ~m.u64);
    return r;
}

/* Saturates a wide intermediate to [lo, hi]. */
static inline int32_t simd_sat(int32_t v, int32_t lo, int32_t hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

/* ---- Generators for the regular families ------------------------------- */

/* A binary operator written as one vector expression over field F. */
#define SIMD_BIN(name, F, expr)                                                 \
    static inline simd_v name(simd_v a, simd_v b) { simd_v r; r.F = (expr); return r; }

/* A ternary operator written as one vector expression over field F. */
#define SIMD_TERN(name, F, expr)                                                \
    static inline simd_v name(simd_v a, simd_v b, simd_v c) { simd_v r; r.F = (expr); return r; }

/* A unary operator written as one vector expression over field F. */
#define SIMD_UN(name, F, expr)                                                  \
    static inline simd_v name(simd_v a) { simd_v r; r.F = (expr); return r; }

/* A binary operator computed lane by lane: r.F[i] = expr over a.G[i], b.G[i]. */
#define SIMD_BIN_LANES(name, F, n, expr)                                        \
    static inline simd_v name(simd_v a, simd_v b)                               \
    { simd_v r; for (int i = 0; i < (n); i++) r.F[i] = (expr); return r; }

/* A unary operator computed lane by lane. */
#define SIMD_UN_LANES(name, F, n, expr)                                         \
    static inline simd_v name(simd_v a)                                         \
    { simd_v r; for (int i = 0; i < (n); i++) r.F[i] = (expr); return r; }

/* Compares give all-ones or all-zeros lanes; the vector compare's result is
 * a signed integer vector of the lane size, cast to the field's shape. */
#define SIMD_CMP(name, F, T, op)                                                \
    static inline simd_v name(simd_v a, simd_v b)                               \
    { simd_v r; r.F = (T)(a.F op b.F); return r; }
#define SIMD_CMP_F32(name, op)                                                  \
    static inline simd_v name(simd_v a, simd_v b)                               \
    { simd_v r; r.i32 = (simd_i32)(a.f32 op b.f32); return r; }
#define SIMD_CMP_F64(name, op)                                                  \
    static inline simd_v name(simd_v a, simd_v b)                               \
    { simd_v r; r.i64 = (simd_i64)(a.f64 op b.f64); return r; }

/* Integer min and max pick whole lanes by a compare mask. */
#define SIMD_PICK(name, F, T, op)                                               \
    static inline simd_v name(simd_v a, simd_v b)                               \
    { simd_v m; m.F = (T)(a.F op b.F); return simd_blend(m, a, b); }

/* ---- Bitwise ------------------------------------------------------------ */

SIMD_UN(simd_v128_not, u64, ~a.u64)
SIMD_BIN(simd_v128_and, u64, a.u64 & b.u64)
SIMD_BIN(simd_v128_andnot, u64, a.u64 & ~b.u64)
SIMD_BIN(simd_v128_or, u64, a.u64 | b.u64)
SIMD_BIN(simd_v128_xor, u64, a.u64 ^ b.u64)

/* bitselect(a, b, c): bits of a where c is 1, of b where c is 0. */
static inline simd_v simd_v128_bitselect(simd_v a, simd_v b, simd_v c)
{
    return simd_blend(c, a, b);
}

static inline uint32_t simd_v128_any_true(simd_v a) { return (a.u64[0] | a.u64[1]) != 0; }

/* ---- Integer compares ---------------------------------------------------- */

SIMD_CMP(simd_i8x16_eq, i8, simd_i8, ==)
SIMD_CMP(simd_i8x16_ne, i8, simd_i8, !=)
SIMD_CMP(simd_i8x16_lt_s, i8, simd_i8, <)
SIMD_CMP(simd_i8x16_gt_s, i8, simd_i8, >)
SIMD_CMP(simd_i8x16_le_s, i8, simd_i8, <=)
SIMD_CMP(simd_i8x16_ge_s, i8, simd_i8, >=)
SIMD_CMP(simd_i8x16_lt_u, u8, simd_u8, <)
SIMD_CMP(simd_i8x16_gt_u, u8, simd_u8, >)
SIMD_CMP(simd_i8x16_le_u, u8, simd_u8, <=)
SIMD_CMP(simd_i8x16_ge_u, u8, simd_u8, >=)
SIMD_CMP(simd_i16x8_eq, i16, simd_i16, ==)
SIMD_CMP(simd_i16x8_ne, i16, simd_i16, !=)
SIMD_CMP(simd_i16x8_lt_s, i16, simd_i16, <)
SIMD_CMP(simd_i16x8_gt_s, i16, simd_i16, >)
SIMD_CMP(simd_i16x8_le_s, i16, simd_i16, <=)
SIMD_CMP(simd_i16x8_ge_s, i16, simd_i16, >=)
SIMD_CMP(simd_i16x8_lt_u, u16, simd_u16, <)
SIMD_CMP(simd_i16x8_gt_u, u16, simd_u16, >)
SIMD_CMP(simd_i16x8_le_u, u16, simd_u16, <=)
SIMD_CMP(simd_i16x8_ge_u, u16, simd_u16, >=)
SIMD_CMP(simd_i32x4_eq, i32, simd_i32, ==)
SIMD_CMP(simd_i32x4_ne, i32, simd_i32, !=)
SIMD_CMP(simd_i32x4_lt_s, i32, simd_i32, <)
SIMD_CMP(simd_i32x4_gt_s, i32, simd_i32, >)
SIMD_CMP(simd_i32x4_le_s, i32, simd_i32, <=)
SIMD_CMP(simd_i32x4_ge_s, i32, simd_i32, >=)
SIMD_CMP(simd_i32x4_lt_u, u32, simd_u32, <)
SIMD_CMP(simd_i32x4_gt_u, u32, simd_u32, >)
SIMD_CMP(simd_i32x4_le_u, u32, simd_u32, <=)
SIMD_CMP(simd_i32x4_ge_u, u32, simd_u32, >=)
SIMD_CMP(simd_i64x2_eq, i64, simd_i64, ==)
SIMD_CMP(simd_i64x2_ne, i64, simd_i64, !=)
SIMD_CMP(simd_i64x2_lt_s, i64, simd_i64, <)
SIMD_CMP(simd_i64x2_gt_s, i64, simd_i64, >)
SIMD_CMP(simd_i64x2_le_s, i64, simd_i64, <=)
SIMD_CMP(simd_i64x2_ge_s, i64, simd_i64, >=)

/* ---- Float compares: ordered except ne, as in C ---------------------------- */

SIMD_CMP_F32(simd_f32x4_eq, ==)
SIMD_CMP_F32(simd_f32x4_ne, !=)
SIMD_CMP_F32(simd_f32x4_lt, <)
SIMD_CMP_F32(simd_f32x4_gt, >)
SIMD_CMP_F32(simd_f32x4_le, <=)
SIMD_CMP_F32(simd_f32x4_ge, >=)
SIMD_CMP_F64(simd_f64x2_eq, ==)
SIMD_CMP_F64(simd_f64x2_ne, !=)
SIMD_CMP_F64(simd_f64x2_lt, <)
SIMD_CMP_F64(simd_f64x2_gt, >)
SIMD_CMP_F64(simd_f64x2_le, <=)
SIMD_CMP_F64(simd_f64x2_ge, >=)

/* ---- Integer arithmetic: unsigned lanes, so overflow wraps ------------------ */

SIMD_BIN(simd_i8x16_add, u8, a.u8 + b.u8)
SIMD_BIN(simd_i8x16_sub, u8, a.u8 - b.u8)
SIMD_BIN(simd_i16x8_add, u16, a.u16 + b.u16)
SIMD_BIN(simd_i16x8_sub, u16, a.u16 - b.u16)
SIMD_BIN(simd_i16x8_mul, u16, a.u16 * b.u16)
SIMD_BIN(simd_i32x4_add, u32, a.u32 + b.u32)
SIMD_BIN(simd_i32x4_sub, u32, a.u32 - b.u32)
SIMD_BIN(simd_i32x4_mul, u32, a.u32 * b.u32)
SIMD_BIN(simd_i64x2_add, u64, a.u64 + b.u64)
SIMD_BIN(simd_i64x2_sub, u64, a.u64 - b.u64)
SIMD_BIN(simd_i64x2_mul, u64, a.u64 * b.u64)

SIMD_UN(simd_i8x16_neg, u8, 0 - a.u8)
SIMD_UN(simd_i16x8_neg, u16, 0 - a.u16)
SIMD_UN(simd_i32x4_neg, u32, 0 - a.u32)
SIMD_UN(simd_i64x2_neg, u64, 0 - a.u64)

/* abs: the arithmetic shift gives all-ones on negative lanes, and
 * (x ^ m) - m negates exactly those; the minimum stays itself (wraps). */
SIMD_UN(simd_i8x16_abs, u8, (a.u8 ^ (simd_u8)(a.i8 >> 7)) - (simd_u8)(a.i8 >> 7))
SIMD_UN(simd_i16x8_abs, u16, (a.u16 ^ (simd_u16)(a.i16 >> 15)) - (simd_u16)(a.i16 >> 15))
SIMD_UN(simd_i32x4_abs, u32, (a.u32 ^ (simd_u32)(a.i32 >> 31)) - (simd_u32)(a.i32 >> 31))
SIMD_UN(simd_i64x2_abs, u64, (a.u64 ^ (simd_u64)(a.i64 >> 63)) - (simd_u64)(a.i64 >> 63))

SIMD_UN_LANES(simd_i8x16_popcnt, u8, 16, (uint8_t)__builtin_popcount(a.u8[i]))

SIMD_BIN_LANES(simd_i8x16_add_sat_s, i8, 16, (int8_t)simd_sat(a.i8[i] + b.i8[i], INT8_MIN, INT8_MAX))
SIMD_BIN_LANES(simd_i8x16_add_sat_u, u8, 16, (uint8_t)simd_sat(a.u8[i] + b.u8[i], 0, UINT8_MAX))
SIMD_BIN_LANES(simd_i8x16_sub_sat_s, i8, 16, (int8_t)simd_sat(a.i8[i] - b.i8[i], INT8_MIN, INT8_MAX))
SIMD_BIN_LANES(simd_i8x16_sub_sat_u, u8, 16, (uint8_t)simd_sat(a.u8[i] - b.u8[i], 0, UINT8_MAX))
SIMD_BIN_LANES(simd_i16x8_add_sat_s, i16, 8, (int16_t)simd_sat(a.i16[i] + b.i16[i], INT16_MIN, INT16_MAX))
SIMD_BIN_LANES(simd_i16x8_add_sat_u, u16, 8, (uint16_t)simd_sat(a.u16[i] + b.u16[i], 0, UINT16_MAX))
SIMD_BIN_LANES(simd_i16x8_sub_sat_s, i16, 8, (int16_t)simd_sat(a.i16[i] - b.i16[i], INT16_MIN, INT16_MAX))
SIMD_BIN_LANES(simd_i16x8_sub_sat_u, u16, 8, (uint16_t)simd_sat(a.u16[i] - b.u16[i], 0, UINT16_MAX))

SIMD_PICK(simd_i8x16_min_s, i8, simd_i8, <)
SIMD_PICK(simd_i8x16_min_u, u8, simd_u8, <)
SIMD_PICK(simd_i8x16_max_s, i8, simd_i8, >)
SIMD_PICK(simd_i8x16_max_u, u8, simd_u8, >)
SIMD_PICK(simd_i16x8_min_s, i16, simd_i16, <)
SIMD_PICK(simd_i16x8_min_u, u16, simd_u16, <)
SIMD_PICK(simd_i16x8_max_s, i16, simd_i16, >)
SIMD_PICK(simd_i16x8_max_u, u16, simd_u16, >)
SIMD_PICK(simd_i32x4_min_s, i32, simd_i32, <)
SIMD_PICK(simd_i32x4_min_u, u32, simd_u32, <)
SIMD_PICK(simd_i32x4_max_s, i32, simd_i32, >)
SIMD_PICK(simd_i32x4_max_u, u32, simd_u32, >)

/* avgr_u rounds up: (a + b + 1) / 2 without overflow in int. */
SIMD_BIN_LANES(simd_i8x16_avgr_u, u8, 16, (uint8_t)((a.u8[i] + b.u8[i] + 1) >> 1))
SIMD_BIN_LANES(simd_i16x8_avgr_u, u16, 8, (uint16_t)((a.u16[i] + b.u16[i] + 1) >> 1))

/* q15mulr_sat_s: the rounded Q15 product; only -1 * -1 leaves the range. */
SIMD_BIN_LANES(simd_i16x8_q15mulr_sat_s, i16, 8,
               (int16_t)simd_sat((a.i16[i] * b.i16[i] + 0x4000) >> 15, INT16_MIN, INT16_MAX))

/* dot: sums of adjacent signed products; the one overflowing case,
 * 2 * (-32768)^2, wraps to INT32_MIN. */
SIMD_BIN_LANES(simd_i32x4_dot_i16x8_s, u32, 4,
               (uint32_t)((int64_t)a.i16[2 * i] * b.i16[2 * i] +
                          (int64_t)a.i16[2 * i + 1] * b.i16[2 * i + 1]))

/* ---- Shifts: the count is taken modulo the lane width ---------------------- */

#define SIMD_SHIFT(name, F, bits, op)                                           \
    static inline simd_v name(simd_v a, uint32_t n)                             \
    { simd_v r; r.F = a.F op (int)(n & ((bits) - 1)); return r; }

SIMD_SHIFT(simd_i8x16_shl, u8, 8, <<)
SIMD_SHIFT(simd_i8x16_shr_s, i8, 8, >>)
SIMD_SHIFT(simd_i8x16_shr_u, u8, 8, >>)
SIMD_SHIFT(simd_i16x8_shl, u16, 16, <<)
SIMD_SHIFT(simd_i16x8_shr_s, i16, 16, >>)
SIMD_SHIFT(simd_i16x8_shr_u, u16, 16, >>)
SIMD_SHIFT(simd_i32x4_shl, u32, 32, <<)
SIMD_SHIFT(simd_i32x4_shr_s, i32, 32, >>)
SIMD_SHIFT(simd_i32x4_shr_u, u32, 32, >>)
SIMD_SHIFT(simd_i64x2_shl, u64, 64, <<)
SIMD_SHIFT(simd_i64x2_shr_s, i64, 64, >>)
SIMD_SHIFT(simd_i64x2_shr_u, u64, 64, >>)

/* ---- Lane tests ------------------------------------------------------------ */

#define SIMD_ALL_TRUE(name, F, n)                                               \
    static inline uint32_t name(simd_v a)                                       \
    { for (int i = 0; i < (n); i++) if (!a.F[i]) return 0; return 1; }
#define SIMD_BITMASK(name, F, n)                                                \
    static inline uint32_t name(simd_v a)                                       \
    { uint32_t m = 0; for (int i = 0; i < (n); i++) m |= (uint32_t)(a.F[i] < 0) << i; return m; }

SIMD_ALL_TRUE(simd_i8x16_all_true, u8, 16)
SIMD_ALL_TRUE(simd_i16x8_all_true, u16, 8)
SIMD_ALL_TRUE(simd_i32x4_all_true, u32, 4)
SIMD_ALL_TRUE(simd_i64x2_all_true, u64, 2)
SIMD_BITMASK(simd_i8x16_bitmask, i8, 16)
SIMD_BITMASK(simd_i16x8_bitmask, i16, 8)
SIMD_BITMASK(simd_i32x4_bitmask, i32, 4)
SIMD_BITMASK(simd_i64x2_bitmask, i64, 2)

/* ---- Narrowing, widening, pairwise ------------------------------------------ */

/* narrow: a's lanes saturated into the low half, b's into the high half. */
#define SIMD_NARROW(name, F, G, n, lo, hi)                                      \
    static inline simd_v name(simd_v a, simd_v b)                               \
    {                                                                           \
        simd_v r;                                                               \
        for (int i = 0; i < (n); i++) {                                         \
            r.F[i] = simd_sat(a.G[i], lo, hi);                                  \
            r.F[i + (n)] = simd_sat(b.G[i], lo, hi);                            \
        }                                                                       \
        return r;                                                               \
    }

SIMD_NARROW(simd_i8x16_narrow_i16x8_s, i8, i16, 8, INT8_MIN, INT8_MAX)
SIMD_NARROW(simd_i8x16_narrow_i16x8_u, u8, i16, 8, 0, UINT8_MAX)
SIMD_NARROW(simd_i16x8_narrow_i32x4_s, i16, i32, 4, INT16_MIN, INT16_MAX)
SIMD_NARROW(simd_i16x8_narrow_i32x4_u, u16, i32, 4, 0, UINT16_MAX)

/* extend: lanes from the low (first) or high half, sign- or zero-extended. */
#define SIMD_EXTEND(name, F, G, n, first)                                       \
    SIMD_UN_LANES(name, F, n, a.G[i + (first)])

SIMD_EXTEND(simd_i16x8_extend_low_i8x16_s, i16, i8, 8, 0)
SIMD_EXTEND(simd_i16x8_extend_high_i8x16_s, i16, i8, 8, 8)
SIMD_EXTEND(simd_i16x8_extend_low_i8x16_u, u16, u8, 8, 0)
SIMD_EXTEND(simd_i16x8_extend_high_i8x16_u, u16, u8, 8, 8)
SIMD_EXTEND(simd_i32x4_extend_low_i16x8_s, i32, i16, 4, 0)
SIMD_EXTEND(simd_i32x4_extend_high_i16x8_s, i32, i16, 4, 4)
SIMD_EXTEND(simd_i32x4_extend_low_i16x8_u, u32, u16, 4, 0)
SIMD_EXTEND(simd_i32x4_extend_high_i16x8_u, u32, u16, 4, 4)
SIMD_EXTEND(simd_i64x2_extend_low_i32x4_s, i64, i32, 2, 0)
SIMD_EXTEND(simd_i64x2_extend_high_i32x4_s, i64, i32, 2, 2)
SIMD_EXTEND(simd_i64x2_extend_low_i32x4_u, u64, u32, 2, 0)
SIMD_EXTEND(simd_i64x2_extend_high_i32x4_u, u64, u32, 2, 2)

/* extmul: the widened product, computed in the wide type W so that
 * unsigned 16-bit products do not overflow int. */
#define SIMD_EXTMUL(name, F, G, W, n, first)                                    \
    SIMD_BIN_LANES(name, F, n, (W)a.G[i + (first)] * (W)b.G[i + (first)])

SIMD_EXTMUL(simd_i16x8_extmul_low_i8x16_s, i16, i8, int16_t, 8, 0)
SIMD_EXTMUL(simd_i16x8_extmul_high_i8x16_s, i16, i8, int16_t, 8, 8)
SIMD_EXTMUL(simd_i16x8_extmul_low_i8x16_u, u16, u8, uint16_t, 8, 0)
SIMD_EXTMUL(simd_i16x8_extmul_high_i8x16_u, u16, u8, uint16_t, 8, 8)
SIMD_EXTMUL(simd_i32x4_extmul_low_i16x8_s, i32, i16, int32_t, 4, 0)
SIMD_EXTMUL(simd_i32x4_extmul_high_i16x8_s, i32, i16, int32_t, 4, 4)
SIMD_EXTMUL(simd_i32x4_extmul_low_i16x8_u, u32, u16, uint32_t, 4, 0)
SIMD_EXTMUL(simd_i32x4_extmul_high_i16x8_u, u32, u16, uint32_t, 4, 4)
SIMD_EXTMUL(simd_i64x2_extmul_low_i32x4_s, i64, i32, int64_t, 2, 0)
SIMD_EXTMUL(simd_i64x2_extmul_high_i32x4_s, i64, i32, int64_t, 2, 2)
SIMD_EXTMUL(simd_i64x2_extmul_low_i32x4_u, u64, u32, uint64_t, 2, 0)
SIMD_EXTMUL(simd_i64x2_extmul_high_i32x4_u, u64, u32, uint64_t, 2, 2)

/* extadd_pairwise: each wide lane is the sum of two adjacent narrow ones. */
#define SIMD_PAIRWISE(name, F, G, n)                                            \
    SIMD_UN_LANES(name, F, n, a.G[2 * i] + a.G[2 * i + 1])

SIMD_PAIRWISE(simd_i16x8_extadd_pairwise_i8x16_s, i16, i8, 8)
SIMD_PAIRWISE(simd_i16x8_extadd_pairwise_i8x16_u, u16, u8, 8)
SIMD_PAIRWISE(simd_i32x4_extadd_pairwise_i16x8_s, i32, i16, 4)
SIMD_PAIRWISE(simd_i32x4_extadd_pairwise_i16x8_u, u32, u16, 4)

/* ---- Float arithmetic ---------------------------------------------------------- */

/* The vector operators are IEEE operations on each lane, which produce the
 * same NaNs as the scalar instructions (numeric.h relies on the same). */
SIMD_BIN(simd_f32x4_add, f32, a.f32 + b.f32)
SIMD_BIN(simd_f32x4_sub, f32, a.f32 - b.f32)
SIMD_BIN(simd_f32x4_mul, f32, a.f32 * b.f32)
SIMD_BIN(simd_f32x4_div, f32, a.f32 / b.f32)
SIMD_BIN(simd_f64x2_add, f64, a.f64 + b.f64)
SIMD_BIN(simd_f64x2_sub, f64, a.f64 - b.f64)
SIMD_BIN(simd_f64x2_mul, f64, a.f64 * b.f64)
SIMD_BIN(simd_f64x2_div, f64, a.f64 / b.f64)

/* abs and neg touch only the sign bit, keeping NaN payloads. */
SIMD_UN(simd_f32x4_abs, u32, a.u32 & 0x7fffffffu)
SIMD_UN(simd_f32x4_neg, u32, a.u32 ^ 0x80000000u)
SIMD_UN(simd_f64x2_abs, u64, a.u64 & 0x7fffffffffffffffu)
SIMD_UN(simd_f64x2_neg, u64, a.u64 ^ 0x8000000000000000u)

SIMD_BIN_LANES(simd_f32x4_min, f32, 4, num_f32_min(a.f32[i], b.f32[i]))
SIMD_BIN_LANES(simd_f32x4_max, f32, 4, num_f32_max(a.f32[i], b.f32[i]))
SIMD_BIN_LANES(simd_f64x2_min, f64, 2, num_f64_min(a.f64[i], b.f64[i]))
SIMD_BIN_LANES(simd_f64x2_max, f64, 2, num_f64_max(a.f64[i], b.f64[i]))

/* pmin is b < a ? b : a and pmax is a < b ? b : a, lane by lane, with no NaN
 * canonicalisation: a NaN operand loses the compare and a is kept. */
static inline simd_v simd_f32x4_pmin(simd_v a, simd_v b)
{
    simd_v m;
    m.i32 = (simd_i32)(b.f32 < a.f32);
    return simd_blend(m, b, a);
}
static inline simd_v simd_f32x4_pmax(simd_v a, simd_v b)
{
    simd_v m;
    m.i32 = (simd_i32)(a.f32 < b.f32);
    return simd_blend(m, b, a);
}
static inline simd_v simd_f64x2_pmin(simd_v a, simd_v b)
{
    simd_v m;
    m.i64 = (simd_i64)(b.f64 < a.f64);
    return simd_blend(m, b, a);
}
static inline simd_v simd_f64x2_pmax(simd_v a, simd_v b)
{
    simd_v m;
    m.i64 = (simd_i64)(a.f64 < b.f64);
    return simd_blend(m, b, a);
}

SIMD_UN_LANES(simd_f32x4_sqrt, f32, 4, num_f32_sqrt(a.f32[i]))
SIMD_UN_LANES(simd_f32x4_ceil, f32, 4, num_f32_ceil(a.f32[i]))
SIMD_UN_LANES(simd_f32x4_floor, f32, 4, num_f32_floor(a.f32[i]))
SIMD_UN_LANES(simd_f32x4_trunc, f32, 4, num_f32_trunc(a.f32[i]))
SIMD_UN_LANES(simd_f32x4_nearest, f32, 4, num_f32_nearest(a.f32[i]))
SIMD_UN_LANES(simd_f64x2_sqrt, f64, 2, num_f64_sqrt(a.f64[i]))
SIMD_UN_LANES(simd_f64x2_ceil, f64, 2, num_f64_ceil(a.f64[i]))
SIMD_UN_LANES(simd_f64x2_floor, f64, 2, num_f64_floor(a.f64[i]))
SIMD_UN_LANES(simd_f64x2_trunc, f64, 2, num_f64_trunc(a.f64[i]))
SIMD_UN_LANES(simd_f64x2_nearest, f64, 2, num_f64_nearest(a.f64[i]))

/* ---- Conversions ------------------------------------------------------------------ */

SIMD_UN_LANES(simd_f32x4_convert_i32x4_s, f32, 4, num_f32_convert_i32_s(a.u32[i]))
SIMD_UN_LANES(simd_f32x4_convert_i32x4_u, f32, 4, num_f32_convert_i32_u(a.u32[i]))
SIMD_UN_LANES(simd_i32x4_trunc_sat_f32x4_s, u32, 4, num_i32_trunc_sat_f32_s(a.f32[i]))
SIMD_UN_LANES(simd_i32x4_trunc_sat_f32x4_u, u32, 4, num_i32_trunc_sat_f32_u(a.f32[i]))
SIMD_UN_LANES(simd_f64x2_convert_low_i32x4_s, f64, 2, num_f64_convert_i32_s(a.u32[i]))
SIMD_UN_LANES(simd_f64x2_convert_low_i32x4_u, f64, 2, num_f64_convert_i32_u(a.u32[i]))
SIMD_UN_LANES(simd_f64x2_promote_low_f32x4, f64, 2, num_f64_promote_f32(a.f32[i]))

/* The _zero conversions fill the two low lanes and zero the high ones. */
static inline simd_v simd_i32x4_trunc_sat_f64x2_s_zero(simd_v a)
{
    simd_v r = simd_zero();
    for (int i = 0; i < 2; i++)
        r.u32[i] = num_i32_trunc_sat_f64_s(a.f64[i]);
    return r;
}
static inline simd_v simd_i32x4_trunc_sat_f64x2_u_zero(simd_v a)
{
    simd_v r = simd_zero();
    for (int i = 0; i < 2; i++)
        r.u32[i] = num_i32_trunc_sat_f64_u(a.f64[i]);
    return r;
}
static inline simd_v simd_f32x4_demote_f64x2_zero(simd_v a)
{
    simd_v r = simd_zero();
    for (int i = 0; i < 2; i++)
        r.f32[i] = num_f32_demote_f64(a.f64[i]);
    return r;
}

/* ---- Splats, lanes, swizzle and shuffle -------------------------------------------- */

/* Lane indices are validated; masking them only keeps a corrupt index
 * inside the value. */
#define SIMD_SPLAT(name, F, T, IN, n)                                           \
    static inline simd_v name(IN x)                                             \
    { simd_v r; for (int i = 0; i < (n); i++) r.F[i] = (T)x; return r; }
#define SIMD_EXTRACT(name, F, n, OUT, T)                                        \
    static inline OUT name(simd_v a, uint32_t lane) { return (OUT)(T)a.F[lane & ((n) - 1)]; }
#define SIMD_REPLACE(name, F, n, IN, T)                                         \
    static inline simd_v name(simd_v a, uint32_t lane, IN x)                    \
    { a.F[lane & ((n) - 1)] = (T)x; return a; }

SIMD_SPLAT(simd_i8x16_splat, u8, uint8_t, uint32_t, 16)
SIMD_SPLAT(simd_i16x8_splat, u16, uint16_t, uint32_t, 8)
SIMD_SPLAT(simd_i32x4_splat, u32, uint32_t, uint32_t, 4)
SIMD_SPLAT(simd_i64x2_splat, u64, uint64_t, uint64_t, 2)
SIMD_SPLAT(simd_f32x4_splat, f32, float, float, 4)
SIMD_SPLAT(simd_f64x2_splat, f64, double, double, 2)

SIMD_EXTRACT(simd_i8x16_extract_lane_s, i8, 16, uint32_t, int32_t)
SIMD_EXTRACT(simd_i8x16_extract_lane_u, u8, 16, uint32_t, uint32_t)
SIMD_EXTRACT(simd_i16x8_extract_lane_s, i16, 8, uint32_t, int32_t)
SIMD_EXTRACT(simd_i16x8_extract_lane_u, u16, 8, uint32_t, uint32_t)
SIMD_EXTRACT(simd_i32x4_extract_lane, u32, 4, uint32_t, uint32_t)
SIMD_EXTRACT(simd_i64x2_extract_lane, u64, 2, uint64_t, uint64_t)
SIMD_EXTRACT(simd_f32x4_extract_lane, f32, 4, float, float)
SIMD_EXTRACT(simd_f64x2_extract_lane, f64, 2, double, double)

SIMD_REPLACE(simd_i8x16_replace_lane, u8, 16, uint32_t, uint8_t)
SIMD_REPLACE(simd_i16x8_replace_lane, u16, 8, uint32_t, uint16_t)
SIMD_REPLACE(simd_i32x4_replace_lane, u32, 4, uint32_t, uint32_t)
SIMD_REPLACE(simd_i64x2_replace_lane, u64, 2, uint64_t, uint64_t)
SIMD_REPLACE(simd_f32x4_replace_lane, f32, 4, float, float)
SIMD_REPLACE(simd_f64x2_replace_lane, f64, 2, double, double)

/* swizzle: lane i is a[s[i]], or 0 when the index is 16 or more. */
SIMD_BIN_LANES(simd_i8x16_swizzle, u8, 16, b.u8[i] < 16 ? a.u8[b.u8[i]] : 0)

/* shuffle: lane i is byte lanes[i] (below 32) of a then b. */
static inline simd_v simd_i8x16_shuffle(simd_v a, simd_v b, const uint8_t *lanes)
{
    uint8_t both[32];
    memcpy(both, &a, 16);
    memcpy(both + 16, &b, 16);
    simd_v r;
    for (int i = 0; i < 16; i++)
        r.u8[i] = both[lanes[i] & 31];
    return r;
}

/* ---- Memory ---------------------------------------------------------------------- */

static inline simd_v simd_v128_load(const uint8_t *p) { return simd_get(p); }
static inline void simd_v128_store(uint8_t *p, simd_v v) { simd_put(p, v); }

/* Extending loads: 8 bytes, each lane widened. */
#define SIMD_LOAD_EXTEND(name, F, T, n)                                         \
    static inline simd_v name(const uint8_t *p)                                 \
    {                                                                           \
        T x[n];                                                                 \
        memcpy(x, p, sizeof x);                                                 \
        simd_v r;                                                               \
        for (int i = 0; i < (n); i++)                                           \
            r.F[i] = x[i];                                                      \
        return r;                                                               \
    }

SIMD_LOAD_EXTEND(simd_v128_load8x8_s, i16, int8_t, 8)
SIMD_LOAD_EXTEND(simd_v128_load8x8_u, u16, uint8_t, 8)
SIMD_LOAD_EXTEND(simd_v128_load16x4_s, i32, int16_t, 4)
SIMD_LOAD_EXTEND(simd_v128_load16x4_u, u32, uint16_t, 4)
SIMD_LOAD_EXTEND(simd_v128_load32x2_s, i64, int32_t, 2)
SIMD_LOAD_EXTEND(simd_v128_load32x2_u, u64, uint32_t, 2)

/* Splatting loads read one lane's worth and copy it to every lane. */
#define SIMD_LOAD_SPLAT(name, F, T, n)                                          \
    static inline simd_v name(const uint8_t *p)                                 \
    {                                                                           \
        T x;                                                                    \
        memcpy(&x, p, sizeof x);                                                \
        simd_v r;                                                               \
        for (int i = 0; i < (n); i++)                                           \
            r.F[i] = x;                                                         \
        return r;                                                               \
    }

SIMD_LOAD_SPLAT(simd_v128_load8_splat, u8, uint8_t, 16)
SIMD_LOAD_SPLAT(simd_v128_load16_splat, u16, uint16_t, 8)
SIMD_LOAD_SPLAT(simd_v128_load32_splat, u32, uint32_t, 4)
SIMD_LOAD_SPLAT(simd_v128_load64_splat, u64, uint64_t, 2)

/* Zero-extending loads fill the low lane and zero the rest. */
static inline simd_v simd_v128_load32_zero(const uint8_t *p)
{
    simd_v r = simd_zero();
    memcpy(&r, p, 4);
    return r;
}
static inline simd_v simd_v128_load64_zero(const uint8_t *p)
{
    simd_v r = simd_zero();
    memcpy(&r, p, 8);
    return r;
}

/* Lane loads and stores move `w` bytes between memory and lane `lane`,
 * which starts at byte lane * w of the value. */
static inline simd_v simd_load_lane(simd_v v, const uint8_t *p, uint32_t lane, unsigned w)
{
    memcpy((uint8_t *)&v + (lane & (16 / w - 1)) * w, p, w);
    return v;
}
static inline void simd_store_lane(uint8_t *p, simd_v v, uint32_t lane, unsigned w)
{
    memcpy(p, (const uint8_t *)&v + (lane & (16 / w - 1)) * w, w);
}

/* ---- Relaxed SIMD ------------------------------------------------------------------ */

/* The relaxed instructions let an engine pick among a few results; weft
 * picks one per instruction, the same in every dispatch strategy and on
 * every host, and where there is a non-relaxed instruction its result is
 * that instruction's. docs/relaxed-simd.md lists the choices. */

/* relaxed_swizzle is swizzle: an index of 16 or more gives 0. */
static inline simd_v simd_i8x16_relaxed_swizzle(simd_v a, simd_v s) { return simd_i8x16_swizzle(a, s); }

/* relaxed_trunc is trunc_sat: NaN gives 0, out-of-range values saturate. */
static inline simd_v simd_i32x4_relaxed_trunc_f32x4_s(simd_v a) { return simd_i32x4_trunc_sat_f32x4_s(a); }
static inline simd_v simd_i32x4_relaxed_trunc_f32x4_u(simd_v a) { return simd_i32x4_trunc_sat_f32x4_u(a); }
static inline simd_v simd_i32x4_relaxed_trunc_f64x2_s_zero(simd_v a) { return simd_i32x4_trunc_sat_f64x2_s_zero(a); }
static inline simd_v simd_i32x4_relaxed_trunc_f64x2_u_zero(simd_v a) { return simd_i32x4_trunc_sat_f64x2_u_zero(a); }

/* madd(a, b, c) is a * b + c and nmadd is -(a * b) + c, unfused: the
 * product is rounded, then the sum, exactly as mul then add. The build's
 * -ffp-contract=off keeps the compiler from fusing them on hosts with FMA. */
SIMD_TERN(simd_f32x4_relaxed_madd, f32, a.f32 * b.f32 + c.f32)
SIMD_TERN(simd_f32x4_relaxed_nmadd, f32, -(a.f32 * b.f32) + c.f32)
SIMD_TERN(simd_f64x2_relaxed_madd, f64, a.f64 * b.f64 + c.f64)
SIMD_TERN(simd_f64x2_relaxed_nmadd, f64, -(a.f64 * b.f64) + c.f64)

/* relaxed_laneselect(a, b, m) is bitselect for every lane size: each bit
 * of a where m's bit is 1, of b where it is 0. */
static inline simd_v simd_relaxed_laneselect(simd_v a, simd_v b, simd_v m) { return simd_blend(m, a, b); }

/* relaxed_min and relaxed_max are min and max: NaN in gives a canonical
 * NaN out, and -0 is below +0. */
static inline simd_v simd_f32x4_relaxed_min(simd_v a, simd_v b) { return simd_f32x4_min(a, b); }
static inline simd_v simd_f32x4_relaxed_max(simd_v a, simd_v b) { return simd_f32x4_max(a, b); }
static inline simd_v simd_f64x2_relaxed_min(simd_v a, simd_v b) { return simd_f64x2_min(a, b); }
static inline simd_v simd_f64x2_relaxed_max(simd_v a, simd_v b) { return simd_f64x2_max(a, b); }

/* relaxed_q15mulr_s is q15mulr_sat_s: -1 * -1 saturates to INT16_MAX. */
static inline simd_v simd_i16x8_relaxed_q15mulr_s(simd_v a, simd_v b) { return simd_i16x8_q15mulr_sat_s(a, b); }

/* relaxed_dot_i8x16_i7x16_s: both operands are read as signed bytes (the
 * second is meant to be below 128, where signed and unsigned agree), and
 * each 16-bit lane is the saturated sum of two adjacent products; only
 * 2 * (-128 * -128) = 32768 saturates, to 32767. */
static inline int16_t simd_dot_i8_pair(simd_v a, simd_v b, int i)
{
    return (int16_t)simd_sat(a.i8[2 * i] * b.i8[2 * i] + a.i8[2 * i + 1] * b.i8[2 * i + 1],
                             INT16_MIN, INT16_MAX);
}
SIMD_BIN_LANES(simd_i16x8_relaxed_dot_i8x16_i7x16_s, i16, 8, simd_dot_i8_pair(a, b, i))

/* relaxed_dot_i8x16_i7x16_add_s: the 16-bit dot above, adjacent pairs of
 * it added into 32 bits, plus c's lane, wrapping. */
static inline simd_v simd_i32x4_relaxed_dot_i8x16_i7x16_add_s(simd_v a, simd_v b, simd_v c)
{
    simd_v r;
    for (int i = 0; i < 4; i++)
        r.u32[i] = (uint32_t)(simd_dot_i8_pair(a, b, 2 * i) + simd_dot_i8_pair(a, b, 2 * i + 1)) +
                   c.u32[i];
    return r;
}

#undef SIMD_BIN
#undef SIMD_UN
#undef SIMD_TERN
#undef SIMD_BIN_LANES
#undef SIMD_UN_LANES
#undef SIMD_CMP
#undef SIMD_CMP_F32
#undef SIMD_CMP_F64
#undef SIMD_PICK
#undef SIMD_SHIFT
#undef SIMD_ALL_TRUE
#undef SIMD_BITMASK
#undef SIMD_NARROW
#undef SIMD_EXTEND
#undef SIMD_EXTMUL
#undef SIMD_PAIRWISE
#undef SIMD_SPLAT
#undef SIMD_EXTRACT
#undef SIMD_REPLACE
#undef SIMD_LOAD_EXTEND
#undef SIMD_LOAD_SPLAT

#endif
