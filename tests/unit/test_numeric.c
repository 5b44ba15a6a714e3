/* test_numeric.c: edge cases of the Wasm numeric semantics in numeric.h. */
#include <criterion/criterion.h>
#include <math.h>

#include "numeric.h"

#define F32(bits) num_f32_from_bits(bits)
#define F64(bits) num_f64_from_bits(bits)
#define B32(x) num_f32_bits(x)
#define B64(x) num_f64_bits(x)

/* Canonical NaN: exponent all ones, only the quiet bit in the payload, any
 * sign. Arithmetic NaN: any NaN with the quiet bit set. */
static bool canon32(float x) { return (B32(x) & 0x7fffffffu) == 0x7fc00000u; }
static bool canon64(double x) { return (B64(x) & 0x7fffffffffffffffu) == 0x7ff8000000000000u; }
static bool arith32(float x) { return x != x && (B32(x) & 0x00400000u); }
static bool arith64(double x) { return x != x && (B64(x) & 0x0008000000000000u); }

/* ---- Integer division ---- */

Test(numeric, div_traps)
{
    uint32_t r = 7;
    uint64_t q = 7;
    cr_expect_eq(num_i32_div_s(1, 0, &r), NUM_TRAP_DIV_ZERO);
    cr_expect_eq(num_i32_div_u(1, 0, &r), NUM_TRAP_DIV_ZERO);
    cr_expect_eq(num_i32_rem_s(1, 0, &r), NUM_TRAP_DIV_ZERO);
    cr_expect_eq(num_i32_rem_u(1, 0, &r), NUM_TRAP_DIV_ZERO);
    cr_expect_eq(num_i32_div_s(0x80000000u, 0xffffffffu, &r), NUM_TRAP_OVERFLOW);
    cr_expect_eq(r, 7, "a trap leaves the result unwritten");
    cr_expect_eq(num_i64_div_s(1, 0, &q), NUM_TRAP_DIV_ZERO);
    cr_expect_eq(num_i64_div_u(1, 0, &q), NUM_TRAP_DIV_ZERO);
    cr_expect_eq(num_i64_rem_s(1, 0, &q), NUM_TRAP_DIV_ZERO);
    cr_expect_eq(num_i64_rem_u(1, 0, &q), NUM_TRAP_DIV_ZERO);
    cr_expect_eq(num_i64_div_s(0x8000000000000000u, UINT64_MAX, &q), NUM_TRAP_OVERFLOW);
    cr_expect_str_eq(num_trap_message(NUM_TRAP_DIV_ZERO), "integer divide by zero");
    cr_expect_str_eq(num_trap_message(NUM_TRAP_OVERFLOW), "integer overflow");
    cr_expect_str_eq(num_trap_message(NUM_TRAP_INVALID_CONV), "invalid conversion to integer");
}

Test(numeric, div_results)
{
    uint32_t r;
    uint64_t q;
    cr_expect_eq(num_i32_div_s((uint32_t)-7, 2, &r), NUM_OK);
    cr_expect_eq(r, (uint32_t)-3, "div_s truncates toward zero");
    cr_expect_eq(num_i32_div_u((uint32_t)-7, 2, &r), NUM_OK);
    cr_expect_eq(r, 0x7ffffffcu);
    cr_expect_eq(num_i32_rem_s((uint32_t)-7, 2, &r), NUM_OK);
    cr_expect_eq(r, (uint32_t)-1, "rem_s takes the dividend's sign");
    cr_expect_eq(num_i32_rem_s(7, (uint32_t)-2, &r), NUM_OK);
    cr_expect_eq(r, 1);
    cr_expect_eq(num_i32_rem_s(0x80000000u, 0xffffffffu, &r), NUM_OK);
    cr_expect_eq(r, 0, "INT32_MIN rem_s -1 is 0, no trap");
    cr_expect_eq(num_i64_rem_s(0x8000000000000000u, UINT64_MAX, &q), NUM_OK);
    cr_expect_eq(q, 0);
    cr_expect_eq(num_i32_div_s(0x80000000u, 1, &r), NUM_OK);
    cr_expect_eq(r, 0x80000000u);
    cr_expect_eq(num_i64_div_s(0x8000000000000001u, UINT64_MAX, &q), NUM_OK);
    cr_expect_eq(q, 0x7fffffffffffffffu);
    cr_expect_eq(num_i64_rem_u(UINT64_MAX, 10, &q), NUM_OK);
    cr_expect_eq(q, 5);
}

/* ---- Bits ---- */

Test(numeric, shifts_and_rotates)
{
    cr_expect_eq(num_i32_shl(1, 33), 2, "count modulo 32");
    cr_expect_eq(num_i32_shr_s(0x80000000u, 31), 0xffffffffu);
    cr_expect_eq(num_i32_shr_s(0x80000000u, 32), 0x80000000u);
    cr_expect_eq(num_i32_shr_u(0x80000000u, 63), 1);
    cr_expect_eq(num_i32_rotl(0x80000001u, 1), 3);
    cr_expect_eq(num_i32_rotl(0x12345678u, 32), 0x12345678u);
    cr_expect_eq(num_i32_rotr(1, 1), 0x80000000u);
    cr_expect_eq(num_i32_rotr(0xabcd0000u, 0xffffffe0u), 0xabcd0000u);
    cr_expect_eq(num_i64_shl(1, 65), 2);
    cr_expect_eq(num_i64_shr_s(0x8000000000000000u, 63), UINT64_MAX);
    cr_expect_eq(num_i64_shr_u(0x8000000000000000u, 127), 1);
    cr_expect_eq(num_i64_rotl(0x8000000000000001u, 1), 3);
    cr_expect_eq(num_i64_rotr(1, 65), 0x8000000000000000u);
    cr_expect_eq(num_i64_rotl(0x0123456789abcdefu, 64), 0x0123456789abcdefu);
}

Test(numeric, bit_counts)
{
    cr_expect_eq(num_i32_clz(0), 32);
    cr_expect_eq(num_i32_ctz(0), 32);
    cr_expect_eq(num_i32_clz(1), 31);
    cr_expect_eq(num_i32_ctz(0x80000000u), 31);
    cr_expect_eq(num_i64_clz(0), 64);
    cr_expect_eq(num_i64_ctz(0), 64);
    cr_expect_eq(num_i64_clz(0x8000u), 48);
    cr_expect_eq(num_i64_ctz(0x8000000000000000u), 63);
    cr_expect_eq(num_i32_popcnt(0), 0);
    cr_expect_eq(num_i32_popcnt(0xffffffffu), 32);
    cr_expect_eq(num_i32_popcnt(0x55555555u), 16);
    cr_expect_eq(num_i64_popcnt(UINT64_MAX), 64);
    cr_expect_eq(num_i64_popcnt(0x8000000000000001u), 2);
    uint64_t x = 0x9e3779b97f4a7c15u;
    for (int i = 0; i < 1000; i++, x = x * 6364136223846793005u + 1442695040888963407u)
        cr_assert_eq(num_i64_popcnt(x), (uint64_t)__builtin_popcountll(x));
}

Test(numeric, sign_extension)
{
    cr_expect_eq(num_i32_extend8_s(0x80), 0xffffff80u);
    cr_expect_eq(num_i32_extend8_s(0x1234567f), 0x7f);
    cr_expect_eq(num_i32_extend16_s(0x8000), 0xffff8000u);
    cr_expect_eq(num_i64_extend8_s(0xff), UINT64_MAX);
    cr_expect_eq(num_i64_extend16_s(0x12347fff), 0x7fff);
    cr_expect_eq(num_i64_extend32_s(0x80000000u), 0xffffffff80000000u);
    cr_expect_eq(num_i64_extend32_s(0xffffffff7fffffffu), 0x7fffffff);
    cr_expect_eq(num_i64_extend_i32_s(0xffffffffu), UINT64_MAX);
    cr_expect_eq(num_i64_extend_i32_u(0xffffffffu), 0xffffffffu);
}

/* ---- Sign operations keep NaN payloads ---- */

Test(numeric, sign_ops_are_bitwise)
{
    float snan = F32(0x7fa00001u);      /* A signalling NaN with a payload. */
    cr_expect_eq(B32(num_f32_neg(snan)), 0xffa00001u);
    cr_expect_eq(B32(num_f32_abs(F32(0xffa00001u))), 0x7fa00001u);
    cr_expect_eq(B32(num_f32_copysign(snan, -1.0f)), 0xffa00001u);
    cr_expect_eq(B32(num_f32_copysign(-2.0f, F32(0x7f800001u))), B32(2.0f));
    cr_expect_eq(B32(num_f32_neg(0.0f)), 0x80000000u);
    double dnan = F64(0x7ff4000000000001u);
    cr_expect_eq(B64(num_f64_neg(dnan)), 0xfff4000000000001u);
    cr_expect_eq(B64(num_f64_abs(F64(0xfff4000000000001u))), 0x7ff4000000000001u);
    cr_expect_eq(B64(num_f64_copysign(dnan, -0.0)), 0xfff4000000000001u);
    cr_expect_eq(B64(num_f64_abs(-0.0)), 0);
}

/* ---- min and max ---- */

Test(numeric, min_max_zeros_and_nans)
{
    cr_expect_eq(B32(num_f32_min(0.0f, -0.0f)), 0x80000000u);
    cr_expect_eq(B32(num_f32_min(-0.0f, 0.0f)), 0x80000000u);
    cr_expect_eq(B32(num_f32_max(-0.0f, 0.0f)), 0);
    cr_expect_eq(B32(num_f32_max(0.0f, -0.0f)), 0);
    cr_expect_eq(B64(num_f64_min(0.0, -0.0)), 0x8000000000000000u);
    cr_expect_eq(B64(num_f64_max(-0.0, 0.0)), 0);
    cr_expect_eq(num_f32_min(1.0f, -INFINITY), -INFINITY);
    cr_expect_eq(num_f64_max(-1.0, 2.0), 2.0);

    float cnan = F32(0x7fc00000u);
    cr_expect(canon32(num_f32_min(cnan, 1.0f)));
    cr_expect(canon32(num_f32_min(1.0f, cnan)));
    cr_expect(canon32(num_f32_max(cnan, F32(0xffc00000u))));
    cr_expect(arith32(num_f32_max(F32(0x7f800001u), 1.0f)), "a signalling NaN comes back quiet");
    cr_expect(arith32(num_f32_min(-INFINITY, F32(0x7fa00000u))));
    double dcnan = F64(0x7ff8000000000000u);
    cr_expect(canon64(num_f64_min(dcnan, -0.0)));
    cr_expect(canon64(num_f64_max(0.0, dcnan)));
    cr_expect(arith64(num_f64_max(F64(0x7ff0000000000001u), 1.0)));
}

/* ---- Rounding ---- */

Test(numeric, nearest_half_to_even)
{
    cr_expect_eq(B32(num_f32_nearest(0.5f)), B32(0.0f));
    cr_expect_eq(B32(num_f32_nearest(1.5f)), B32(2.0f));
    cr_expect_eq(B32(num_f32_nearest(2.5f)), B32(2.0f));
    cr_expect_eq(B32(num_f32_nearest(-0.5f)), B32(-0.0f), "keeps the sign of zero");
    cr_expect_eq(B32(num_f32_nearest(-1.5f)), B32(-2.0f));
    cr_expect_eq(B32(num_f32_nearest(-0.0f)), B32(-0.0f));
    cr_expect_eq(B32(num_f32_nearest(8388607.5f)), B32(8388608.0f));
    cr_expect_eq(B32(num_f32_nearest(16777215.0f)), B32(16777215.0f));
    cr_expect_eq(B64(num_f64_nearest(0.5)), B64(0.0));
    cr_expect_eq(B64(num_f64_nearest(-0.5)), B64(-0.0));
    cr_expect_eq(B64(num_f64_nearest(2.5)), B64(2.0));
    cr_expect_eq(B64(num_f64_nearest(4503599627370495.5)), B64(4503599627370496.0));
    cr_expect_eq(B64(num_f64_nearest(-4503599627370497.0)), B64(-4503599627370497.0));
    cr_expect_eq(num_f64_nearest(-INFINITY), -INFINITY);
}

Test(numeric, ceil_floor_trunc)
{
    cr_expect_eq(B32(num_f32_ceil(-0.5f)), B32(-0.0f));
    cr_expect_eq(B32(num_f32_ceil(0.5f)), B32(1.0f));
    cr_expect_eq(B32(num_f32_floor(-0.5f)), B32(-1.0f));
    cr_expect_eq(B32(num_f32_floor(0.5f)), B32(0.0f));
    cr_expect_eq(B32(num_f32_trunc(-0.9f)), B32(-0.0f));
    cr_expect_eq(B32(num_f32_trunc(1e30f)), B32(1e30f));
    cr_expect_eq(B32(num_f32_floor(F32(0x00000001u))), 0, "smallest subnormal floors to +0");
    cr_expect_eq(B32(num_f32_ceil(F32(0x80000001u))), 0x80000000u);
    cr_expect_eq(B64(num_f64_ceil(-0.5)), B64(-0.0));
    cr_expect_eq(B64(num_f64_floor(-0.5)), B64(-1.0));
    cr_expect_eq(B64(num_f64_trunc(-4503599627370495.5)), B64(-4503599627370495.0));
    cr_expect_eq(B64(num_f64_floor(-4503599627370495.5)), B64(-4503599627370496.0));
    cr_expect_eq(B64(num_f64_ceil(4503599627370495.5)), B64(4503599627370496.0));
    cr_expect_eq(num_f64_floor(INFINITY), INFINITY);

    /* A sample of every binade against libm. */
    uint64_t s = 0x2545f4914f6cdd1du;
    for (int i = 0; i < 200000; i++) {
        s ^= s << 13; s ^= s >> 7; s ^= s << 17;
        double d = F64(s);
        float f = F32((uint32_t)s);
        if (d == d) {
            cr_assert_eq(B64(num_f64_trunc(d)), B64(trunc(d)), "%a", d);
            cr_assert_eq(B64(num_f64_floor(d)), B64(floor(d)), "%a", d);
            cr_assert_eq(B64(num_f64_ceil(d)), B64(ceil(d)), "%a", d);
            cr_assert_eq(B64(num_f64_nearest(d)), B64(nearbyint(d)), "%a", d);
            cr_assert_eq(B64(num_f64_sqrt(d)), B64(sqrt(d)), "%a", d);
        }
        if (f == f) {
            cr_assert_eq(B32(num_f32_trunc(f)), B32(truncf(f)), "%a", (double)f);
            cr_assert_eq(B32(num_f32_floor(f)), B32(floorf(f)), "%a", (double)f);
            cr_assert_eq(B32(num_f32_ceil(f)), B32(ceilf(f)), "%a", (double)f);
            cr_assert_eq(B32(num_f32_nearest(f)), B32(nearbyintf(f)), "%a", (double)f);
        }
    }
}

Test(numeric, nan_results_are_quiet)
{
    float cnan = F32(0x7fc00000u), snan = F32(0x7f800001u);
    cr_expect(canon32(num_f32_trunc(cnan)));
    cr_expect(canon32(num_f32_floor(cnan)));
    cr_expect(canon32(num_f32_ceil(cnan)));
    cr_expect(canon32(num_f32_nearest(cnan)));
    cr_expect(canon32(num_f32_sqrt(cnan)));
    cr_expect(canon32(num_f32_sqrt(-1.0f)), "sqrt of a negative gives the canonical NaN");
    cr_expect(arith32(num_f32_trunc(snan)));
    cr_expect(arith32(num_f32_floor(snan)));
    cr_expect(arith32(num_f32_ceil(snan)));
    cr_expect(arith32(num_f32_nearest(snan)));
    cr_expect(arith32(num_f32_sqrt(snan)));
    double dcnan = F64(0x7ff8000000000000u), dsnan = F64(0x7ff0000000000001u);
    cr_expect(canon64(num_f64_trunc(dcnan)));
    cr_expect(canon64(num_f64_nearest(dcnan)));
    cr_expect(canon64(num_f64_sqrt(-INFINITY)));
    cr_expect(arith64(num_f64_floor(dsnan)));
    cr_expect(arith64(num_f64_ceil(dsnan)));
    cr_expect(arith64(num_f64_sqrt(dsnan)));

    /* Plain C arithmetic, as the interpreter will use it for add and the
     * rest: canonical in, canonical out; signalling in, quiet out. */
    volatile float a = cnan, b = cnan, c = snan, one = 1.0f;
    cr_expect(canon32(a + b));
    cr_expect(canon32(a * one));
    cr_expect(arith32(c - one));
    volatile float inf = INFINITY;
    cr_expect(canon32(inf - inf), "a NaN made from numbers is canonical");
    volatile double x = dcnan, y = dsnan;
    cr_expect(canon64(x / 2.0));
    cr_expect(arith64(y + 1.0));

    cr_expect(canon32(num_f32_demote_f64(dcnan)));
    cr_expect(arith32(num_f32_demote_f64(dsnan)));
    cr_expect(canon64(num_f64_promote_f32(cnan)));
    cr_expect(arith64(num_f64_promote_f32(snan)));
    cr_expect_eq(num_f32_demote_f64(1e300), INFINITY);
    cr_expect_eq(B32(num_f32_demote_f64(-0.0)), 0x80000000u);
}

/* ---- Float to integer ---- */

Test(numeric, trunc_i32_boundaries)
{
    uint32_t r;
    cr_expect_eq(num_i32_trunc_f32_s(2147483520.0f, &r), NUM_OK);   /* Largest f32 below 2^31. */
    cr_expect_eq(r, 2147483520u);
    cr_expect_eq(num_i32_trunc_f32_s(2147483647.0f, &r), NUM_TRAP_OVERFLOW,
                 "2147483647.0f rounds to 2^31");
    cr_expect_eq(num_i32_trunc_f32_s(2147483648.0f, &r), NUM_TRAP_OVERFLOW);
    cr_expect_eq(num_i32_trunc_f32_s(-2147483648.0f, &r), NUM_OK);
    cr_expect_eq(r, 0x80000000u);
    cr_expect_eq(num_i32_trunc_f32_s(-2147483904.0f, &r), NUM_TRAP_OVERFLOW);
    cr_expect_eq(num_i32_trunc_f32_s(F32(0x7fc00000u), &r), NUM_TRAP_INVALID_CONV);
    cr_expect_eq(num_i32_trunc_f32_s(INFINITY, &r), NUM_TRAP_OVERFLOW);
    cr_expect_eq(num_i32_trunc_f32_s(-1.9f, &r), NUM_OK);
    cr_expect_eq(r, (uint32_t)-1);

    cr_expect_eq(num_i32_trunc_f32_u(-0.9f, &r), NUM_OK);
    cr_expect_eq(r, 0, "-0.9 truncates to 0, which is in range");
    cr_expect_eq(num_i32_trunc_f32_u(-1.0f, &r), NUM_TRAP_OVERFLOW);
    cr_expect_eq(num_i32_trunc_f32_u(4294967040.0f, &r), NUM_OK);
    cr_expect_eq(r, 4294967040u);
    cr_expect_eq(num_i32_trunc_f32_u(4294967296.0f, &r), NUM_TRAP_OVERFLOW);
    cr_expect_eq(num_i32_trunc_f32_u(-F32(0x7fc00000u), &r), NUM_TRAP_INVALID_CONV);

    cr_expect_eq(num_i32_trunc_f64_s(2147483647.9, &r), NUM_OK);
    cr_expect_eq(r, 2147483647u);
    cr_expect_eq(num_i32_trunc_f64_s(2147483648.0, &r), NUM_TRAP_OVERFLOW);
    cr_expect_eq(num_i32_trunc_f64_s(-2147483648.9, &r), NUM_OK);
    cr_expect_eq(r, 0x80000000u);
    cr_expect_eq(num_i32_trunc_f64_s(-2147483649.0, &r), NUM_TRAP_OVERFLOW);
    cr_expect_eq(num_i32_trunc_f64_u(4294967295.9, &r), NUM_OK);
    cr_expect_eq(r, 4294967295u);
    cr_expect_eq(num_i32_trunc_f64_u(4294967296.0, &r), NUM_TRAP_OVERFLOW);
    cr_expect_eq(num_i32_trunc_f64_u(-0.99999, &r), NUM_OK);
    cr_expect_eq(num_i32_trunc_f64_u(F64(0x7ff0000000000001u), &r), NUM_TRAP_INVALID_CONV);
}

Test(numeric, trunc_i64_boundaries)
{
    uint64_t r;
    cr_expect_eq(num_i64_trunc_f32_s(9223371487098961920.0f, &r), NUM_OK);
    cr_expect_eq(r, 9223371487098961920u);
    cr_expect_eq(num_i64_trunc_f32_s(9223372036854775808.0f, &r), NUM_TRAP_OVERFLOW);
    cr_expect_eq(num_i64_trunc_f32_s(-9223372036854775808.0f, &r), NUM_OK);
    cr_expect_eq(r, 0x8000000000000000u);
    cr_expect_eq(num_i64_trunc_f32_u(18446742974197923840.0f, &r), NUM_OK);
    cr_expect_eq(r, 18446742974197923840u);
    cr_expect_eq(num_i64_trunc_f32_u(18446744073709551616.0f, &r), NUM_TRAP_OVERFLOW);
    cr_expect_eq(num_i64_trunc_f64_s(9223372036854774784.0, &r), NUM_OK);
    cr_expect_eq(r, 9223372036854774784u);
    cr_expect_eq(num_i64_trunc_f64_s(9223372036854775808.0, &r), NUM_TRAP_OVERFLOW);
    cr_expect_eq(num_i64_trunc_f64_s(-9223372036854775808.0, &r), NUM_OK);
    cr_expect_eq(r, 0x8000000000000000u);
    cr_expect_eq(num_i64_trunc_f64_s(-9223372036854777856.0, &r), NUM_TRAP_OVERFLOW);
    cr_expect_eq(num_i64_trunc_f64_u(18446744073709549568.0, &r), NUM_OK);
    cr_expect_eq(r, 18446744073709549568u);
    cr_expect_eq(num_i64_trunc_f64_u(9223372036854775808.0, &r), NUM_OK);
    cr_expect_eq(r, 0x8000000000000000u);
    cr_expect_eq(num_i64_trunc_f64_u(18446744073709551616.0, &r), NUM_TRAP_OVERFLOW);
    cr_expect_eq(num_i64_trunc_f64_u(-1.0, &r), NUM_TRAP_OVERFLOW);
    cr_expect_eq(num_i64_trunc_f64_u(-0.5, &r), NUM_OK);
    cr_expect_eq(r, 0);
    cr_expect_eq(num_i64_trunc_f64_s(F64(0xfff8000000000000u), &r), NUM_TRAP_INVALID_CONV);
}

Test(numeric, trunc_sat)
{
    cr_expect_eq(num_i32_trunc_sat_f32_s(F32(0x7fc00000u)), 0);
    cr_expect_eq(num_i32_trunc_sat_f32_s(2147483648.0f), 0x7fffffffu);
    cr_expect_eq(num_i32_trunc_sat_f32_s(-INFINITY), 0x80000000u);
    cr_expect_eq(num_i32_trunc_sat_f32_s(-2147483648.0f), 0x80000000u);
    cr_expect_eq(num_i32_trunc_sat_f32_s(-1.5f), (uint32_t)-1);
    cr_expect_eq(num_i32_trunc_sat_f32_u(-1.0f), 0);
    cr_expect_eq(num_i32_trunc_sat_f32_u(4294967296.0f), UINT32_MAX);
    cr_expect_eq(num_i32_trunc_sat_f32_u(F32(0xffc00000u)), 0);
    cr_expect_eq(num_i32_trunc_sat_f64_s(-2147483649.0), 0x80000000u);
    cr_expect_eq(num_i32_trunc_sat_f64_s(-2147483648.5), 0x80000000u);
    cr_expect_eq(num_i32_trunc_sat_f64_s(2147483647.5), 0x7fffffffu);
    cr_expect_eq(num_i32_trunc_sat_f64_s(1e300), 0x7fffffffu);
    cr_expect_eq(num_i32_trunc_sat_f64_u(4294967295.5), UINT32_MAX);
    cr_expect_eq(num_i32_trunc_sat_f64_u(F64(0x7ff8000000000000u)), 0);
    cr_expect_eq(num_i64_trunc_sat_f32_s(INFINITY), 0x7fffffffffffffffu);
    cr_expect_eq(num_i64_trunc_sat_f32_s(-9223372036854775808.0f), 0x8000000000000000u);
    cr_expect_eq(num_i64_trunc_sat_f32_s(-1e30f), 0x8000000000000000u);
    cr_expect_eq(num_i64_trunc_sat_f32_u(1e30f), UINT64_MAX);
    cr_expect_eq(num_i64_trunc_sat_f32_u(-0.5f), 0);
    cr_expect_eq(num_i64_trunc_sat_f64_s(9223372036854775808.0), 0x7fffffffffffffffu);
    cr_expect_eq(num_i64_trunc_sat_f64_s(F64(0x7ff8000000000000u)), 0);
    cr_expect_eq(num_i64_trunc_sat_f64_u(18446744073709549568.0), 18446744073709549568u);
    cr_expect_eq(num_i64_trunc_sat_f64_u(18446744073709551616.0), UINT64_MAX);
    cr_expect_eq(num_i64_trunc_sat_f64_u(-INFINITY), 0);
}

/* ---- Integer to float ---- */

Test(numeric, convert_rounding)
{
    /* 2^63 - 1 rounds up to 2^63 in both widths. */
    cr_expect_eq(num_f32_convert_i64_u(0x7fffffffffffffffu), 9223372036854775808.0f);
    cr_expect_eq(num_f64_convert_i64_u(0x7fffffffffffffffu), 9223372036854775808.0);
    cr_expect_eq(num_f32_convert_i64_s(0x7fffffffffffffffu), 9223372036854775808.0f);
    /* Just above a tie rounds up; exactly a tie rounds to even. For u64 with
     * the top bit set, the f32 spacing is 2^40: the halving trick must keep
     * the sticky bit for these to come out right. */
    cr_expect_eq(num_f32_convert_i64_u(0x8000008000000001u), F32(0x5f000001u));
    cr_expect_eq(num_f32_convert_i64_u(0x8000008000000000u), F32(0x5f000000u));
    cr_expect_eq(num_f32_convert_i64_u(0x8000018000000000u), F32(0x5f000002u));
    cr_expect_eq(num_f32_convert_i64_u(0xffffff7fffffffffu), F32(0x5f7fffffu));
    cr_expect_eq(num_f32_convert_i64_u(0xffffff8000000000u), 18446744073709551616.0f);
    cr_expect_eq(num_f32_convert_i64_u(UINT64_MAX), 18446744073709551616.0f);
    cr_expect_eq(num_f64_convert_i64_u(0x8000000000000401u), F64(0x43e0000000000001u));
    cr_expect_eq(num_f64_convert_i64_u(0x8000000000000400u), F64(0x43e0000000000000u));
    cr_expect_eq(num_f64_convert_i64_u(UINT64_MAX), 18446744073709551616.0);
    /* 2^53 + 2^29 + 1 lies just above a tie and must round up; rounding
     * through f64 first would lose the final 1 and then round to even. */
    cr_expect_eq(num_f32_convert_i64_s(0x0020000020000001u), F32(0x5a000001u));
    cr_expect_eq(num_f32_convert_i64_s((uint64_t)-0x0020000020000001), F32(0xda000001u));
    cr_expect_eq(num_f32_convert_i32_u(0xffffffffu), 4294967296.0f);
    cr_expect_eq(num_f32_convert_i32_u(0x80000080u), 2147483648.0f);
    cr_expect_eq(num_f32_convert_i32_u(0x80000081u), F32(0x4f000001u));
    cr_expect_eq(num_f32_convert_i32_s(0x80000000u), -2147483648.0f);
    cr_expect_eq(num_f32_convert_i32_s(16777217), 16777216.0f);
    cr_expect_eq(num_f64_convert_i32_u(0xffffffffu), 4294967295.0);
    cr_expect_eq(num_f64_convert_i32_s(0xffffffffu), -1.0);
    cr_expect_eq(num_f64_convert_i64_s(0x8000000000000000u), -9223372036854775808.0);

    /* Random values against an exact long double reference (64-bit
     * mantissa on x86-64, so converting to it is exact and rounding from it
     * is a single rounding). */
    uint64_t s = 0x853c49e6748fea9bu;
    for (int i = 0; i < 100000; i++) {
        s ^= s << 13; s ^= s >> 7; s ^= s << 17;
        uint64_t v = s >> (s & 63);
        cr_assert_eq(B32(num_f32_convert_i64_u(v)), B32((float)(long double)v), "%llx",
                     (unsigned long long)v);
        cr_assert_eq(B64(num_f64_convert_i64_u(v)), B64((double)(long double)v));
        cr_assert_eq(B32(num_f32_convert_i64_s(v)), B32((float)(long double)(int64_t)v));
    }
}

Test(numeric, reinterpret_and_memory_helpers)
{
    cr_expect_eq(num_i32_reinterpret_f32(-0.0f), 0x80000000u);
    cr_expect_eq(B32(num_f32_reinterpret_i32(0x7fa00001u)), 0x7fa00001u, "payload kept");
    cr_expect_eq(B64(num_f64_reinterpret_i64(0x7ff0000000000001u)), 0x7ff0000000000001u);
    cr_expect_eq(num_i64_reinterpret_f64(1.0), 0x3ff0000000000000u);

    uint8_t buf[16] = { 0 };
    num_store_u32(buf + 1, 0x11223344u);
    cr_expect_eq(buf[1], 0x44, "little-endian");
    cr_expect_eq(buf[4], 0x11);
    cr_expect_eq(num_load_u32(buf + 1), 0x11223344u);
    cr_expect_eq(num_load_u16(buf + 2), 0x2233);
    num_store_u64(buf + 3, 0x0102030405060708u);
    cr_expect_eq(num_load_u64(buf + 3), 0x0102030405060708u);
    cr_expect_eq(num_load_u8(buf + 3), 0x08);
    num_store_u16(buf, 0xbeef);
    cr_expect_eq(buf[0], 0xef);
    num_store_f32(buf + 5, F32(0x7fa00001u));
    cr_expect_eq(B32(num_load_f32(buf + 5)), 0x7fa00001u, "no NaN quieting through memory");
    num_store_f64(buf + 7, F64(0x7ff0000000000001u));
    cr_expect_eq(B64(num_load_f64(buf + 7)), 0x7ff0000000000001u);
}
