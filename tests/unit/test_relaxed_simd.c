/* test_relaxed_simd.c: the relaxed SIMD instructions through the public
 * API: the feature that admits them, and weft's one documented result for
 * each (docs/relaxed-simd.md) on the inputs where the spec allows several,
 * the same in every dispatch strategy and bounds mode. */
#include <criterion/criterion.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "helpers.h"
#include "wasm_builder.h"
#include "weft.h"

/* ---- The feature -------------------------------------------------------------- */

/* A function () -> v128 whose body is three v128.const zeros and the
 * three-operand instruction 0xfd with the sub-opcode whose LEB128 is `lo`
 * 0x02 (0x100 + (lo & 0x7f)), as raw bytes so that the decoder, not an
 * assembler, judges it. */
static wb_buf relaxed_module(uint8_t lo)
{
    wb_buf b = wb_module();
    WB_SECTION(&b, WB_TYPE, 0x01, 0x60, 0x00, 0x01, 0x7b);
    WB_SECTION(&b, WB_FUNCTION, 0x01, 0x00);
    wb_buf c = { 0 };
    wb_byte(&c, 0x00); /* No locals. */
    for (int k = 0; k < 3; k++) {
        wb_put(&c, WB_BYTES(0xfd, 0x0c));
        for (int i = 0; i < 16; i++)
            wb_byte(&c, 0);
    }
    wb_put(&c, WB_BYTES(0xfd, lo, 0x02));
    wb_byte(&c, 0x0b);
    wb_code1(&b, c.data, c.len);
    wb_free(&c);
    return b;
}

Test(relaxed_simd, feature_on_by_default_and_selectable)
{
    weft_features f;
    weft_features_init(&f);
    cr_assert(f.relaxed_simd);

    /* 0xfd 0x93 0x02 is sub-opcode 0x113, the three-operand dot product. */
    weft_error err;
    wb_buf b = relaxed_module(0x93);
    cr_assert_eq(wb_load_with(&b, NULL, &err), WEFT_OK, "%s", err.message);

    /* Without the feature the opcode is unknown, as in WebAssembly 2.0. */
    weft_features off = f;
    off.relaxed_simd = false;
    b = relaxed_module(0x93);
    cr_assert_eq(wb_load_with(&b, &off, &err), WEFT_ERR_MALFORMED);
    cr_assert(strstr(err.message, "illegal opcode"), "%s", err.message);

    /* 0x114 is past the proposal's last instruction: unknown either way. */
    b = relaxed_module(0x94);
    cr_assert_eq(wb_load_with(&b, NULL, &err), WEFT_ERR_MALFORMED);
    cr_assert(strstr(err.message, "illegal opcode"), "%s", err.message);

    /* The operands are typed: a two-operand relaxed instruction over an
     * i32 is invalid. (i32.const 0, v128.const 0, f32x4.relaxed_min.) */
    b = wb_module();
    WB_SECTION(&b, WB_TYPE, 0x01, 0x60, 0x00, 0x01, 0x7b);
    WB_SECTION(&b, WB_FUNCTION, 0x01, 0x00);
    WB_CODE1(&b, 0x00, 0x41, 0x00, 0xfd, 0x0c, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
             0xfd, 0x8d, 0x02, 0x0b);
    cr_assert_eq(wb_load_with(&b, NULL, &err), WEFT_ERR_INVALID, "%s", err.message);
}

/* ---- The chosen results --------------------------------------------------------- */

/* Debian's wabt (1.0.32) spells the dot products by their names before the
 * proposal renamed them: i16x8.dot_i8x16_i7x16_s and
 * i32x4.dot_i8x16_i7x16_add_s, with the same opcodes. */
static const char *const relaxed_wat =
    "(module\n"
    "  (func (export \"swizzle\") (param v128 v128 v128) (result v128)\n"
    "    (i8x16.relaxed_swizzle (local.get 0) (local.get 1)))\n"
    "  (func (export \"trunc_f32_s\") (param v128 v128 v128) (result v128)\n"
    "    (i32x4.relaxed_trunc_f32x4_s (local.get 0)))\n"
    "  (func (export \"trunc_f32_u\") (param v128 v128 v128) (result v128)\n"
    "    (i32x4.relaxed_trunc_f32x4_u (local.get 0)))\n"
    "  (func (export \"trunc_f64_s\") (param v128 v128 v128) (result v128)\n"
    "    (i32x4.relaxed_trunc_f64x2_s_zero (local.get 0)))\n"
    "  (func (export \"trunc_f64_u\") (param v128 v128 v128) (result v128)\n"
    "    (i32x4.relaxed_trunc_f64x2_u_zero (local.get 0)))\n"
    "  (func (export \"madd_f32\") (param v128 v128 v128) (result v128)\n"
    "    (f32x4.relaxed_madd (local.get 0) (local.get 1) (local.get 2)))\n"
    "  (func (export \"nmadd_f32\") (param v128 v128 v128) (result v128)\n"
    "    (f32x4.relaxed_nmadd (local.get 0) (local.get 1) (local.get 2)))\n"
    "  (func (export \"madd_f64\") (param v128 v128 v128) (result v128)\n"
    "    (f64x2.relaxed_madd (local.get 0) (local.get 1) (local.get 2)))\n"
    "  (func (export \"nmadd_f64\") (param v128 v128 v128) (result v128)\n"
    "    (f64x2.relaxed_nmadd (local.get 0) (local.get 1) (local.get 2)))\n"
    "  (func (export \"laneselect8\") (param v128 v128 v128) (result v128)\n"
    "    (i8x16.relaxed_laneselect (local.get 0) (local.get 1) (local.get 2)))\n"
    "  (func (export \"laneselect16\") (param v128 v128 v128) (result v128)\n"
    "    (i16x8.relaxed_laneselect (local.get 0) (local.get 1) (local.get 2)))\n"
    "  (func (export \"laneselect32\") (param v128 v128 v128) (result v128)\n"
    "    (i32x4.relaxed_laneselect (local.get 0) (local.get 1) (local.get 2)))\n"
    "  (func (export \"laneselect64\") (param v128 v128 v128) (result v128)\n"
    "    (i64x2.relaxed_laneselect (local.get 0) (local.get 1) (local.get 2)))\n"
    "  (func (export \"min_f32\") (param v128 v128 v128) (result v128)\n"
    "    (f32x4.relaxed_min (local.get 0) (local.get 1)))\n"
    "  (func (export \"max_f32\") (param v128 v128 v128) (result v128)\n"
    "    (f32x4.relaxed_max (local.get 0) (local.get 1)))\n"
    "  (func (export \"min_f64\") (param v128 v128 v128) (result v128)\n"
    "    (f64x2.relaxed_min (local.get 0) (local.get 1)))\n"
    "  (func (export \"max_f64\") (param v128 v128 v128) (result v128)\n"
    "    (f64x2.relaxed_max (local.get 0) (local.get 1)))\n"
    "  (func (export \"q15mulr\") (param v128 v128 v128) (result v128)\n"
    "    (i16x8.relaxed_q15mulr_s (local.get 0) (local.get 1)))\n"
    "  (func (export \"dot\") (param v128 v128 v128) (result v128)\n"
    "    (i16x8.dot_i8x16_i7x16_s (local.get 0) (local.get 1)))\n"
    "  (func (export \"dot_add\") (param v128 v128 v128) (result v128)\n"
    "    (i32x4.dot_i8x16_i7x16_add_s (local.get 0) (local.get 1) (local.get 2))))\n";

/* A v128 argument or result, viewed as any lane shape. */
typedef union lanes {
    int8_t i8[16];
    uint8_t u8[16];
    int16_t i16[8];
    int32_t i32[4];
    uint32_t u32[4];
    int64_t i64[2];
    uint64_t u64[2];
    float f32[4];
    double f64[2];
} lanes;

static lanes zeros(void) { return (lanes){ .u64 = { 0, 0 } }; }
static lanes f32s(float a, float b, float c, float d) { return (lanes){ .f32 = { a, b, c, d } }; }
static lanes f64s(double a, double b) { return (lanes){ .f64 = { a, b } }; }

static weft_value v128(lanes l)
{
    weft_value v = { .kind = WEFT_V128 };
    memcpy(v.of.v128, &l, 16);
    return v;
}

/* Calls export `name` with three v128 arguments and returns its v128. */
static lanes run(weft_engine *e, weft_instance *inst, const char *name, lanes a, lanes b,
                 lanes c, const mode *md)
{
    weft_value args[3] = { v128(a), v128(b), v128(c) }, r;
    weft_error err;
    cr_assert_eq(weft_call(e, func_of(inst, name), args, 3, &r, 1, &err), WEFT_OK, "%s (%s): %s",
                 name, mode_name(md), err.message);
    cr_assert_eq(r.kind, WEFT_V128);
    lanes out;
    memcpy(&out, r.of.v128, 16);
    return out;
}

/* The same bits, lane for lane (a NaN or -0.0 compares exactly). */
#define SAME(got, want, md, what)                                                            \
    cr_assert(memcmp(&(got), &(want), 16) == 0, "%s (%s)", what, mode_name(md))

static void check_all(weft_engine *e, weft_instance *inst, const mode *md)
{
    lanes z = zeros();
    lanes got, want;

    /* swizzle: indices 16 and up give 0, including those of 128 and up
     * (some hardware would take them modulo 16). */
    lanes bytes, idx;
    for (int i = 0; i < 16; i++) {
        bytes.u8[i] = (uint8_t)(0xa0 + i);
        idx.u8[i] = (uint8_t)(i < 4 ? 15 - i : i < 8 ? 16 + i : i < 12 ? 128 + i : 255);
    }
    got = run(e, inst, "swizzle", bytes, idx, z, md);
    want = zeros();
    for (int i = 0; i < 4; i++)
        want.u8[i] = (uint8_t)(0xa0 + 15 - i);
    SAME(got, want, md, "relaxed_swizzle");

    /* trunc: saturating, NaN to 0, as trunc_sat. */
    got = run(e, inst, "trunc_f32_s", f32s(NAN, 3e9f, -3e9f, -1.5f), z, z, md);
    want = (lanes){ .i32 = { 0, INT32_MAX, INT32_MIN, -1 } };
    SAME(got, want, md, "relaxed_trunc_f32x4_s");
    got = run(e, inst, "trunc_f32_u", f32s(NAN, -1.0f, 5e9f, 2.5f), z, z, md);
    want = (lanes){ .u32 = { 0, 0, UINT32_MAX, 2 } };
    SAME(got, want, md, "relaxed_trunc_f32x4_u");
    got = run(e, inst, "trunc_f64_s", f64s(NAN, 1e10), z, z, md);
    want = (lanes){ .i32 = { 0, INT32_MAX, 0, 0 } };
    SAME(got, want, md, "relaxed_trunc_f64x2_s_zero");
    got = run(e, inst, "trunc_f64_u", f64s(-1.0, 4294967296.0), z, z, md);
    want = (lanes){ .u32 = { 0, UINT32_MAX, 0, 0 } };
    SAME(got, want, md, "relaxed_trunc_f64x2_u_zero");

    /* madd and nmadd are unfused: the rounded product loses the low bits
     * that a fused multiply-add keeps (it would give 0x1p-37 here), and an
     * overflowing product stays infinite (fused would give FLT_MAX). */
    float fa = 0x1.000004p+0f, fb = 0x1.0002p+0f, fc = -0x1.000204p+0f;
    got = run(e, inst, "madd_f32", f32s(fa, FLT_MAX, fa, 2.0f), f32s(fb, 2.0f, fb, 3.0f),
              f32s(fc, -FLT_MAX, fc, 1.0f), md);
    want = f32s(0.0f, INFINITY, 0.0f, 7.0f);
    SAME(got, want, md, "f32x4.relaxed_madd");
    got = run(e, inst, "nmadd_f32", f32s(-fa, fa, 2.0f, 1.0f), f32s(fb, -fb, 3.0f, 1.0f),
              f32s(fc, fc, 1.0f, 1.0f), md);
    want = f32s(0.0f, 0.0f, -5.0f, 0.0f);
    SAME(got, want, md, "f32x4.relaxed_nmadd");
    double da = 0x1.00000004p+0, db = 0x1.000002p+0, dc = -0x1.00000204p+0;
    got = run(e, inst, "madd_f64", f64s(da, DBL_MAX), f64s(db, 2.0), f64s(dc, -DBL_MAX), md);
    want = f64s(0.0, INFINITY);
    SAME(got, want, md, "f64x2.relaxed_madd");
    got = run(e, inst, "nmadd_f64", f64s(-da, 2.0), f64s(db, 3.0), f64s(dc, 1.0), md);
    want = f64s(0.0, -5.0);
    SAME(got, want, md, "f64x2.relaxed_nmadd");

    /* laneselect is bitselect at every lane size: a mask lane that is not
     * all ones or all zeros mixes bits (0x0080 takes only bit 7 of a). */
    lanes a16 = { .i16 = { 0, 1, 0x1234, 0x1234, 0x12f4, 5, 6, 7 } };
    lanes b16 = { .i16 = { 8, 9, 0x5678, 0x5678, 0x5678, 13, 14, 15 } };
    lanes m16 = { .u64 = { 0 } };
    m16.i16[0] = -1;
    m16.i16[2] = (int16_t)0xff00;
    m16.i16[3] = 0x00ff;
    m16.i16[4] = 0x0080;
    want = (lanes){ .i16 = { 0, 9, 0x1278, 0x5634, 0x56f8, 13, 14, 15 } };
    static const char *const selects[] = { "laneselect8", "laneselect16", "laneselect32",
                                           "laneselect64" };
    for (int k = 0; k < 4; k++) {
        got = run(e, inst, selects[k], a16, b16, m16, md);
        SAME(got, want, md, selects[k]);
    }

    /* min and max are the non-relaxed ones: -0.0 below +0.0 either way
     * round, and a NaN operand gives a canonical NaN. */
    got = run(e, inst, "min_f32", f32s(0.0f, -0.0f, NAN, 1.0f), f32s(-0.0f, 0.0f, 1.0f, NAN), z, md);
    cr_assert(signbit(got.f32[0]) && signbit(got.f32[1]), "f32x4.relaxed_min zeros (%s)",
              mode_name(md));
    for (int i = 2; i < 4; i++)
        cr_assert_eq(got.u32[i] & 0x7fffffffu, 0x7fc00000u, "f32x4.relaxed_min NaN (%s)",
                     mode_name(md));
    got = run(e, inst, "max_f32", f32s(0.0f, -0.0f, -1.0f, 3.0f), f32s(-0.0f, 0.0f, -2.0f, 4.0f), z,
              md);
    want = f32s(0.0f, 0.0f, -1.0f, 4.0f);
    SAME(got, want, md, "f32x4.relaxed_max");
    got = run(e, inst, "min_f64", f64s(0.0, NAN), f64s(-0.0, 1.0), z, md);
    cr_assert(signbit(got.f64[0]), "f64x2.relaxed_min zero (%s)", mode_name(md));
    cr_assert_eq(got.u64[1] & 0x7fffffffffffffffu, 0x7ff8000000000000u,
                 "f64x2.relaxed_min NaN (%s)", mode_name(md));
    got = run(e, inst, "max_f64", f64s(-0.0, -3.0), f64s(0.0, -4.0), z, md);
    want = f64s(0.0, -3.0);
    SAME(got, want, md, "f64x2.relaxed_max");

    /* q15mulr saturates -1 * -1 to INT16_MAX. */
    lanes qa = { .i16 = { INT16_MIN, -32767, 32767, 0x4000, 0, 0, 0, 0 } };
    lanes qb = { .i16 = { INT16_MIN, INT16_MIN, 32767, 0x4000, 0, 0, 0, 0 } };
    got = run(e, inst, "q15mulr", qa, qb, z, md);
    want = (lanes){ .i16 = { INT16_MAX, 32767, 32766, 0x2000, 0, 0, 0, 0 } };
    SAME(got, want, md, "i16x8.relaxed_q15mulr_s");

    /* dot: signed bytes both sides, the 16-bit pair sums saturated. */
    lanes da8 = zeros(), db8 = zeros();
    int8_t xs[8] = { -128, -128, -128, -128, 127, 127, 3, -4 };
    int8_t ys[8] = { -128, -128, -127, -127, 127, 127, 5, 6 };
    memcpy(da8.i8, xs, 8);
    memcpy(db8.i8, ys, 8);
    got = run(e, inst, "dot", da8, db8, z, md);
    want = (lanes){ .i16 = { 32767, 32512, 32258, -9, 0, 0, 0, 0 } };
    SAME(got, want, md, "i16x8.relaxed_dot_i8x16_i7x16_s");
    lanes acc = { .i32 = { 1, INT32_MAX, 10, -10 } };
    got = run(e, inst, "dot_add", da8, db8, acc, md);
    want = (lanes){ .i32 = { 32767 + 32512 + 1, (int32_t)(32258u - 9u + (uint32_t)INT32_MAX), 10,
                             -10 } };
    SAME(got, want, md, "i32x4.relaxed_dot_i8x16_i7x16_add_s");
}

Test(relaxed_simd, one_result_in_every_mode)
{
    weft_module *m = wat_flags("--enable-relaxed-simd", relaxed_wat);
    FOR_EACH_MODE(md) {
        weft_engine *e = engine_with(md->dispatch, md->bounds);
        weft_instance *inst = instantiate(e, m);
        check_all(e, inst, md);
        weft_engine_free(e);
    }
    weft_module_free(m);
}
