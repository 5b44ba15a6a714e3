/* numeric.h: the exact WebAssembly semantics of every scalar numeric
 * instruction that is not a plain C operator, plus little-endian memory
 * access helpers, as static inline functions for the interpreter's handlers.
 *
 * Conventions:
 * - Integers are passed and returned as uint32_t / uint64_t, the way they sit
 *   in the interpreter's slots; functions reinterpret them as signed where
 *   the instruction says so (gcc and clang define the conversion as modulo).
 * - A function that can trap returns a num_trap (NUM_OK, which is zero, when
 *   it did not trap) and writes its result through the last parameter, so a
 *   handler reads `if (num_i32_div_s(a, b, &r)) TRAP(...)`. On a trap the
 *   result is left unwritten.
 * - Floating-point results follow the spec's NaN rules: an operation whose
 *   NaN inputs are all canonical gives a canonical NaN, and any NaN result is
 *   quiet ("arithmetic"). On x86-64 SSE the hardware already does this for
 *   + - * / and sqrt (a NaN operand comes back with its quiet bit set, and a
 *   NaN made from non-NaN inputs is the canonical 0x7fc00000 with the sign
 *   set), so the functions below only take care where C or libm would differ.
 * - abs, neg and copysign are bit operations and never touch a NaN payload.
 * - Nothing here calls libm or libgcc. We build for baseline x86-64 (no
 *   SSE4.1 roundss, no popcnt), where clang calls libm for ceil, floor and
 *   trunc, gcc inlines them but hands a signalling NaN back unquieted, both
 *   call libm for rint/nearbyint, and gcc calls libgcc for popcount. */
#ifndef WEFT_NUMERIC_H
#define WEFT_NUMERIC_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

/* Memory helpers copy bytes in host order, which must be Wasm's order. */
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
               "weft assumes a little-endian host");
_Static_assert(sizeof(float) == 4 && sizeof(double) == 8, "IEEE 754 binary32/64 expected");

/* The numeric traps, with num_trap_message() giving the spec's wording. */
typedef enum num_trap {
    NUM_OK = 0,
    NUM_TRAP_DIV_ZERO,        /* "integer divide by zero" */
    NUM_TRAP_OVERFLOW,        /* "integer overflow" */
    NUM_TRAP_INVALID_CONV,    /* "invalid conversion to integer" */
} num_trap;

/* The spec test suite's message for a trap kind ("" for NUM_OK). */
static inline const char *num_trap_message(num_trap t)
{
    switch (t) {
    case NUM_TRAP_DIV_ZERO: return "integer divide by zero";
    case NUM_TRAP_OVERFLOW: return "integer overflow";
    case NUM_TRAP_INVALID_CONV: return "invalid conversion to integer";
    case NUM_OK: break;
    }
    return "";
}

#define NUM_UNLIKELY(x) __builtin_expect(!!(x), 0)

/* ---- Reinterpretation ------------------------------------------------- */

static inline uint32_t num_f32_bits(float x) { uint32_t u; memcpy(&u, &x, 4); return u; }
static inline uint64_t num_f64_bits(double x) { uint64_t u; memcpy(&u, &x, 8); return u; }
static inline float num_f32_from_bits(uint32_t u) { float x; memcpy(&x, &u, 4); return x; }
static inline double num_f64_from_bits(uint64_t u) { double x; memcpy(&x, &u, 8); return x; }

/* ---- Integer division ------------------------------------------------- */

/* i32.div_s: traps on a zero divisor and on INT32_MIN / -1. */
static inline num_trap num_i32_div_s(uint32_t a, uint32_t b, uint32_t *out)
{
    if (NUM_UNLIKELY(b == 0)) return NUM_TRAP_DIV_ZERO;
    if (NUM_UNLIKELY(a == 0x80000000u && b == 0xffffffffu)) return NUM_TRAP_OVERFLOW;
    *out = (uint32_t)((int32_t)a / (int32_t)b);
    return NUM_OK;
}

static inline num_trap num_i32_div_u(uint32_t a, uint32_t b, uint32_t *out)
{
    if (NUM_UNLIKELY(b == 0)) return NUM_TRAP_DIV_ZERO;
    *out = a / b;
    return NUM_OK;
}

/* i32.rem_s: INT32_MIN rem -1 is 0 in Wasm (no trap); in C it would fault,
 * so divisor -1 is answered without dividing. */
static inline num_trap num_i32_rem_s(uint32_t a, uint32_t b, uint32_t *out)
{
    if (NUM_UNLIKELY(b == 0)) return NUM_TRAP_DIV_ZERO;
    *out = NUM_UNLIKELY(b == 0xffffffffu) ? 0 : (uint32_t)((int32_t)a % (int32_t)b);
    return NUM_OK;
}

static inline num_trap num_i32_rem_u(uint32_t a, uint32_t b, uint32_t *out)
{
    if (NUM_UNLIKELY(b == 0)) return NUM_TRAP_DIV_ZERO;
    *out = a % b;
    return NUM_OK;
}

static inline num_trap num_i64_div_s(uint64_t a, uint64_t b, uint64_t *out)
{
    if (NUM_UNLIKELY(b == 0)) return NUM_TRAP_DIV_ZERO;
    if (NUM_UNLIKELY(a == 0x8000000000000000u && b == UINT64_MAX)) return NUM_TRAP_OVERFLOW;
    *out = (uint64_t)((int64_t)a / (int64_t)b);
    return NUM_OK;
}

static inline num_trap num_i64_div_u(uint64_t a, uint64_t b, uint64_t *out)
{
    if (NUM_UNLIKELY(b == 0)) return NUM_TRAP_DIV_ZERO;
    *out = a / b;
    return NUM_OK;
}

static inline num_trap num_i64_rem_s(uint64_t a, uint64_t b, uint64_t *out)
{
    if (NUM_UNLIKELY(b == 0)) return NUM_TRAP_DIV_ZERO;
    *out = NUM_UNLIKELY(b == UINT64_MAX) ? 0 : (uint64_t)((int64_t)a % (int64_t)b);
    return NUM_OK;
}

static inline num_trap num_i64_rem_u(uint64_t a, uint64_t b, uint64_t *out)
{
    if (NUM_UNLIKELY(b == 0)) return NUM_TRAP_DIV_ZERO;
    *out = a % b;
    return NUM_OK;
}

/* ---- Shifts and rotates: the count is taken modulo the width ---------- */

static inline uint32_t num_i32_shl(uint32_t a, uint32_t n) { return a << (n & 31); }
static inline uint32_t num_i32_shr_u(uint32_t a, uint32_t n) { return a >> (n & 31); }
static inline uint32_t num_i32_shr_s(uint32_t a, uint32_t n)
{
    return (uint32_t)((int32_t)a >> (n & 31));   /* gcc/clang: arithmetic shift. */
}
/* Written so that gcc and clang recognise a single rol/ror. */
static inline uint32_t num_i32_rotl(uint32_t a, uint32_t n)
{
    return (a << (n & 31)) | (a >> (-n & 31));
}
static inline uint32_t num_i32_rotr(uint32_t a, uint32_t n)
{
    return (a >> (n & 31)) | (a << (-n & 31));
}

static inline uint64_t num_i64_shl(uint64_t a, uint64_t n) { return a << (n & 63); }
static inline uint64_t num_i64_shr_u(uint64_t a, uint64_t n) { return a >> (n & 63); }
static inline uint64_t num_i64_shr_s(uint64_t a, uint64_t n)
{
    return (uint64_t)((int64_t)a >> (n & 63));
}
static inline uint64_t num_i64_rotl(uint64_t a, uint64_t n)
{
    return (a << (n & 63)) | (a >> (-n & 63));
}
static inline uint64_t num_i64_rotr(uint64_t a, uint64_t n)
{
    return (a >> (n & 63)) | (a << (-n & 63));
}

/* ---- Bit counting ----------------------------------------------------- */

/* The builtins are undefined for zero, which Wasm defines as the width. */
static inline uint32_t num_i32_clz(uint32_t a) { return a ? (uint32_t)__builtin_clz(a) : 32; }
static inline uint32_t num_i32_ctz(uint32_t a) { return a ? (uint32_t)__builtin_ctz(a) : 32; }
static inline uint64_t num_i64_clz(uint64_t a) { return a ? (uint64_t)__builtin_clzll(a) : 64; }
static inline uint64_t num_i64_ctz(uint64_t a) { return a ? (uint64_t)__builtin_ctzll(a) : 64; }

/* Population count. With -mpopcnt the builtin is one instruction; without
 * it gcc calls libgcc, so count bits in parallel instead (about a dozen
 * ALU operations, no branch, no table). */
static inline uint64_t num_i64_popcnt(uint64_t a)
{
#ifdef __POPCNT__
    return (uint64_t)__builtin_popcountll(a);
#else
    a = a - ((a >> 1) & 0x5555555555555555u);
    a = (a & 0x3333333333333333u) + ((a >> 2) & 0x3333333333333333u);
    a = (a + (a >> 4)) & 0x0f0f0f0f0f0f0f0fu;
    return (a * 0x0101010101010101u) >> 56;
#endif
}
static inline uint32_t num_i32_popcnt(uint32_t a) { return (uint32_t)num_i64_popcnt(a); }

/* ---- Sign extension (the sign-extension-ops proposal, in 2.0) --------- */

static inline uint32_t num_i32_extend8_s(uint32_t a) { return (uint32_t)(int32_t)(int8_t)a; }
static inline uint32_t num_i32_extend16_s(uint32_t a) { return (uint32_t)(int32_t)(int16_t)a; }
static inline uint64_t num_i64_extend8_s(uint64_t a) { return (uint64_t)(int64_t)(int8_t)a; }
static inline uint64_t num_i64_extend16_s(uint64_t a) { return (uint64_t)(int64_t)(int16_t)a; }
static inline uint64_t num_i64_extend32_s(uint64_t a) { return (uint64_t)(int64_t)(int32_t)a; }
/* i64.extend_i32_s and i64.extend_i32_u (the conversions). */
static inline uint64_t num_i64_extend_i32_s(uint32_t a) { return (uint64_t)(int64_t)(int32_t)a; }
static inline uint64_t num_i64_extend_i32_u(uint32_t a) { return a; }
static inline uint32_t num_i32_wrap_i64(uint64_t a) { return (uint32_t)a; }

/* ---- Sign operations: pure bit manipulation, NaN payloads kept -------- */

static inline float num_f32_abs(float x) { return num_f32_from_bits(num_f32_bits(x) & 0x7fffffffu); }
static inline float num_f32_neg(float x) { return num_f32_from_bits(num_f32_bits(x) ^ 0x80000000u); }
static inline float num_f32_copysign(float x, float y)
{
    return num_f32_from_bits((num_f32_bits(x) & 0x7fffffffu) | (num_f32_bits(y) & 0x80000000u));
}
static inline double num_f64_abs(double x)
{
    return num_f64_from_bits(num_f64_bits(x) & 0x7fffffffffffffffu);
}
static inline double num_f64_neg(double x)
{
    return num_f64_from_bits(num_f64_bits(x) ^ 0x8000000000000000u);
}
static inline double num_f64_copysign(double x, double y)
{
    return num_f64_from_bits((num_f64_bits(x) & 0x7fffffffffffffffu) |
                             (num_f64_bits(y) & 0x8000000000000000u));
}

/* ---- min and max ------------------------------------------------------ */

/* Wasm's min/max differ from C's fmin/fmax: any NaN operand gives a NaN, and
 * -0 is less than +0. Equal operands differ at most in the sign of zero, so
 * OR-ing their bits picks -0 for min and AND-ing picks +0 for max. When an
 * operand is NaN, a + b returns a quiet NaN carrying an input's payload, which
 * is canonical when the inputs are. */
static inline float num_f32_min(float a, float b)
{
    if (a < b) return a;
    if (b < a) return b;
    if (a == b) return num_f32_from_bits(num_f32_bits(a) | num_f32_bits(b));
    return a + b;
}
static inline float num_f32_max(float a, float b)
{
    if (a > b) return a;
    if (b > a) return b;
    if (a == b) return num_f32_from_bits(num_f32_bits(a) & num_f32_bits(b));
    return a + b;
}
static inline double num_f64_min(double a, double b)
{
    if (a < b) return a;
    if (b < a) return b;
    if (a == b) return num_f64_from_bits(num_f64_bits(a) | num_f64_bits(b));
    return a + b;
}
static inline double num_f64_max(double a, double b)
{
    if (a > b) return a;
    if (b > a) return b;
    if (a == b) return num_f64_from_bits(num_f64_bits(a) & num_f64_bits(b));
    return a + b;
}

/* ---- Rounding to integral values -------------------------------------- */

/* Each rounding first sets aside values that are already integral: NaN (made
 * quiet by x + x), infinities and anything with |x| >= 2^23 (f32) or 2^52
 * (f64), which has no fraction bits. The rest fits an int64, so truncation
 * is one cvttss2si, and the result takes x's sign so that -0.5 rounds to -0.
 * With SSE4.1 the compiler's builtins are single roundss/roundsd. */
#define NUM_F32_EXACT 8388608.0f                 /* 2^23 */
#define NUM_F64_EXACT 4503599627370496.0         /* 2^52 */

static inline float num_f32_trunc(float x)
{
#ifdef __SSE4_1__
    return __builtin_truncf(x);
#else
    if (x != x) return x + x;
    if (!(num_f32_abs(x) < NUM_F32_EXACT)) return x;
    return num_f32_copysign((float)(int64_t)x, x);
#endif
}
static inline double num_f64_trunc(double x)
{
#ifdef __SSE4_1__
    return __builtin_trunc(x);
#else
    if (x != x) return x + x;
    if (!(num_f64_abs(x) < NUM_F64_EXACT)) return x;
    return num_f64_copysign((double)(int64_t)x, x);
#endif
}

static inline float num_f32_floor(float x)
{
#ifdef __SSE4_1__
    return __builtin_floorf(x);
#else
    if (x != x) return x + x;
    if (!(num_f32_abs(x) < NUM_F32_EXACT)) return x;
    float t = (float)(int64_t)x;
    if (t > x) t -= 1.0f;
    return num_f32_copysign(t, x);
#endif
}
static inline double num_f64_floor(double x)
{
#ifdef __SSE4_1__
    return __builtin_floor(x);
#else
    if (x != x) return x + x;
    if (!(num_f64_abs(x) < NUM_F64_EXACT)) return x;
    double t = (double)(int64_t)x;
    if (t > x) t -= 1.0;
    return num_f64_copysign(t, x);
#endif
}

static inline float num_f32_ceil(float x)
{
#ifdef __SSE4_1__
    return __builtin_ceilf(x);
#else
    if (x != x) return x + x;
    if (!(num_f32_abs(x) < NUM_F32_EXACT)) return x;
    float t = (float)(int64_t)x;
    if (t < x) t += 1.0f;
    return num_f32_copysign(t, x);
#endif
}
static inline double num_f64_ceil(double x)
{
#ifdef __SSE4_1__
    return __builtin_ceil(x);
#else
    if (x != x) return x + x;
    if (!(num_f64_abs(x) < NUM_F64_EXACT)) return x;
    double t = (double)(int64_t)x;
    if (t < x) t += 1.0;
    return num_f64_copysign(t, x);
#endif
}

/* nearest rounds half to even. Adding and subtracting 2^23 (2^52) to |x|
 * below that bound leaves an integer, rounded by the FPU's default mode,
 * which is round-half-to-even; the compiler may not fold the pair away
 * because we do not build with -ffast-math. */
static inline float num_f32_nearest(float x)
{
#ifdef __SSE4_1__
    return __builtin_nearbyintf(x);
#else
    if (x != x) return x + x;
    float a = num_f32_abs(x);
    if (!(a < NUM_F32_EXACT)) return x;
    return num_f32_copysign((a + NUM_F32_EXACT) - NUM_F32_EXACT, x);
#endif
}
static inline double num_f64_nearest(double x)
{
#ifdef __SSE4_1__
    return __builtin_nearbyint(x);
#else
    if (x != x) return x + x;
    double a = num_f64_abs(x);
    if (!(a < NUM_F64_EXACT)) return x;
    return num_f64_copysign((a + NUM_F64_EXACT) - NUM_F64_EXACT, x);
#endif
}

/* sqrt: __builtin_sqrt would keep a call to libm's sqrt for setting errno on
 * negative input unless -fno-math-errno; the asm is the bare instruction,
 * which returns the quieted input NaN or the canonical NaN for x < 0. */
static inline float num_f32_sqrt(float x)
{
#if defined(__x86_64__) && defined(__SSE__)
    __asm__("sqrtss %1, %0" : "=x"(x) : "x"(x));
    return x;
#else
    return __builtin_sqrtf(x);
#endif
}
static inline double num_f64_sqrt(double x)
{
#if defined(__x86_64__) && defined(__SSE2__)
    __asm__("sqrtsd %1, %0" : "=x"(x) : "x"(x));
    return x;
#else
    return __builtin_sqrt(x);
#endif
}

/* ---- Float to integer: trapping truncation ---------------------------- */

/* The bounds are the first values outside the target range that the source
 * type can hold, so each check is exact: for f32 -> i32 the valid inputs are
 * -2^31 <= x < 2^31 (no float lies strictly between -2^31-1 and -2^31), for
 * f64 -> i32 they are -2^31-1 < x < 2^31, and for unsigned targets
 * -1 < x < 2^N. NaN fails every comparison, so it is tested first. */
#define NUM_TRUNC_CHECK(x, lo_ok, hi_ok) \
    do { \
        if (NUM_UNLIKELY((x) != (x))) return NUM_TRAP_INVALID_CONV; \
        if (NUM_UNLIKELY(!((lo_ok) && (hi_ok)))) return NUM_TRAP_OVERFLOW; \
    } while (0)

static inline num_trap num_i32_trunc_f32_s(float x, uint32_t *out)
{
    NUM_TRUNC_CHECK(x, x >= -2147483648.0f, x < 2147483648.0f);
    *out = (uint32_t)(int32_t)x;
    return NUM_OK;
}
static inline num_trap num_i32_trunc_f32_u(float x, uint32_t *out)
{
    NUM_TRUNC_CHECK(x, x > -1.0f, x < 4294967296.0f);
    *out = (uint32_t)x;
    return NUM_OK;
}
static inline num_trap num_i32_trunc_f64_s(double x, uint32_t *out)
{
    NUM_TRUNC_CHECK(x, x > -2147483649.0, x < 2147483648.0);
    *out = (uint32_t)(int32_t)x;
    return NUM_OK;
}
static inline num_trap num_i32_trunc_f64_u(double x, uint32_t *out)
{
    NUM_TRUNC_CHECK(x, x > -1.0, x < 4294967296.0);
    *out = (uint32_t)x;
    return NUM_OK;
}
static inline num_trap num_i64_trunc_f32_s(float x, uint64_t *out)
{
    NUM_TRUNC_CHECK(x, x >= -9223372036854775808.0f, x < 9223372036854775808.0f);
    *out = (uint64_t)(int64_t)x;
    return NUM_OK;
}
static inline num_trap num_i64_trunc_f32_u(float x, uint64_t *out)
{
    NUM_TRUNC_CHECK(x, x > -1.0f, x < 18446744073709551616.0f);
    *out = (uint64_t)x;
    return NUM_OK;
}
static inline num_trap num_i64_trunc_f64_s(double x, uint64_t *out)
{
    NUM_TRUNC_CHECK(x, x >= -9223372036854775808.0, x < 9223372036854775808.0);
    *out = (uint64_t)(int64_t)x;
    return NUM_OK;
}
static inline num_trap num_i64_trunc_f64_u(double x, uint64_t *out)
{
    NUM_TRUNC_CHECK(x, x > -1.0, x < 18446744073709551616.0);
    *out = (uint64_t)x;
    return NUM_OK;
}

/* ---- Float to integer: saturating truncation -------------------------- */

/* Same bounds as above; NaN gives 0 and out-of-range values the nearest
 * representable integer. */
static inline uint32_t num_i32_trunc_sat_f32_s(float x)
{
    if (x != x) return 0;
    if (x < -2147483648.0f) return 0x80000000u;
    if (x >= 2147483648.0f) return 0x7fffffffu;
    return (uint32_t)(int32_t)x;
}
static inline uint32_t num_i32_trunc_sat_f32_u(float x)
{
    if (!(x > -1.0f)) return 0;                     /* NaN too. */
    if (x >= 4294967296.0f) return UINT32_MAX;
    return (uint32_t)x;
}
static inline uint32_t num_i32_trunc_sat_f64_s(double x)
{
    if (x != x) return 0;
    if (x <= -2147483649.0) return 0x80000000u;
    if (x >= 2147483648.0) return 0x7fffffffu;
    return (uint32_t)(int32_t)x;
}
static inline uint32_t num_i32_trunc_sat_f64_u(double x)
{
    if (!(x > -1.0)) return 0;
    if (x >= 4294967296.0) return UINT32_MAX;
    return (uint32_t)x;
}
static inline uint64_t num_i64_trunc_sat_f32_s(float x)
{
    if (x != x) return 0;
    if (x < -9223372036854775808.0f) return 0x8000000000000000u;
    if (x >= 9223372036854775808.0f) return 0x7fffffffffffffffu;
    return (uint64_t)(int64_t)x;
}
static inline uint64_t num_i64_trunc_sat_f32_u(float x)
{
    if (!(x > -1.0f)) return 0;
    if (x >= 18446744073709551616.0f) return UINT64_MAX;
    return (uint64_t)x;
}
static inline uint64_t num_i64_trunc_sat_f64_s(double x)
{
    if (x != x) return 0;
    if (x < -9223372036854775808.0) return 0x8000000000000000u;
    if (x >= 9223372036854775808.0) return 0x7fffffffffffffffu;
    return (uint64_t)(int64_t)x;
}
static inline uint64_t num_i64_trunc_sat_f64_u(double x)
{
    if (!(x > -1.0)) return 0;
    if (x >= 18446744073709551616.0) return UINT64_MAX;
    return (uint64_t)x;
}

/* ---- Integer to float ------------------------------------------------- */

/* All of these round to nearest, ties to even, once. The signed ones are
 * single cvtsi2ss/sd instructions. For unsigned 64-bit sources gcc and clang
 * emit the halve-with-sticky-bit sequence, which rounds correctly (the unit
 * tests check values just around the rounding boundaries). u32 goes through
 * i64, which holds it exactly. */
static inline float num_f32_convert_i32_s(uint32_t a) { return (float)(int32_t)a; }
static inline float num_f32_convert_i32_u(uint32_t a) { return (float)(int64_t)a; }
static inline float num_f32_convert_i64_s(uint64_t a) { return (float)(int64_t)a; }
static inline float num_f32_convert_i64_u(uint64_t a) { return (float)a; }
static inline double num_f64_convert_i32_s(uint32_t a) { return (double)(int32_t)a; }
static inline double num_f64_convert_i32_u(uint32_t a) { return (double)(int64_t)a; }
static inline double num_f64_convert_i64_s(uint64_t a) { return (double)(int64_t)a; }
static inline double num_f64_convert_i64_u(uint64_t a) { return (double)a; }

/* ---- Float to float --------------------------------------------------- */

/* cvtsd2ss / cvtss2sd quiet a NaN and keep the top of its payload, so a
 * canonical NaN stays canonical and any other NaN comes out arithmetic. */
static inline float num_f32_demote_f64(double x) { return (float)x; }
static inline double num_f64_promote_f32(float x) { return (double)x; }

/* ---- Reinterpret instructions ----------------------------------------- */

static inline uint32_t num_i32_reinterpret_f32(float x) { return num_f32_bits(x); }
static inline uint64_t num_i64_reinterpret_f64(double x) { return num_f64_bits(x); }
static inline float num_f32_reinterpret_i32(uint32_t a) { return num_f32_from_bits(a); }
static inline double num_f64_reinterpret_i64(uint64_t a) { return num_f64_from_bits(a); }

/* ---- Little-endian memory access -------------------------------------- */

/* memcpy with a constant size compiles to one unaligned mov; Wasm addresses
 * carry no alignment guarantee, so a plain pointer cast would be wrong. */
static inline uint8_t num_load_u8(const uint8_t *p) { return *p; }
static inline uint16_t num_load_u16(const uint8_t *p) { uint16_t v; memcpy(&v, p, 2); return v; }
static inline uint32_t num_load_u32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static inline uint64_t num_load_u64(const uint8_t *p) { uint64_t v; memcpy(&v, p, 8); return v; }
static inline float num_load_f32(const uint8_t *p) { float v; memcpy(&v, p, 4); return v; }
static inline double num_load_f64(const uint8_t *p) { double v; memcpy(&v, p, 8); return v; }

static inline void num_store_u8(uint8_t *p, uint8_t v) { *p = v; }
static inline void num_store_u16(uint8_t *p, uint16_t v) { memcpy(p, &v, 2); }
static inline void num_store_u32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static inline void num_store_u64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }
static inline void num_store_f32(uint8_t *p, float v) { memcpy(p, &v, 4); }
static inline void num_store_f64(uint8_t *p, double v) { memcpy(p, &v, 8); }

#endif
