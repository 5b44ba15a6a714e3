/* test_fused.c: instructions that lowering makes of several Wasm
 * instructions, in every strategy and bounds mode.
 *
 * - select.kk: a select of two 32-bit constants picks the right one (i32
 *   and f32 bits alike, a NaN's payload kept).
 * - Moves (move32/64/128): a load whose value only goes to a store of the
 *   same width copies in memory, overlapping or not, and traps on either
 *   address as the two instructions would, the destination untouched when
 *   the source is out of bounds.
 * - Vector updates of memory, mem[p] += y * mem[q], made of a v128.load, a
 *   multiply-add of a second v128.load and a v128.store back
 *   (lo_fuse_update in lower_fuse.c): the results match the instructions'
 *   own, with static offsets, with an added address that wraps, with an
 *   integer step between the loads, and where the address's local is written between
 *   them (nothing is fused then: tests/ir/update.wat shows which are); an
 *   out-of-bounds address on either side traps and leaves memory as it
 *   was. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "helpers.h"
#include "weft.h"

static const char *update_wat =
    "(module\n"
    "  (memory (export \"mem\") 1)\n"
    /* Both of matmul's forms: q's address plain, then added (q + 16). */
    "  (func (export \"f64x2\") (param $p i32) (param $q i32) (param $a f64)\n"
    "    (local $y v128)\n"
    "    (local.set $y (f64x2.splat (local.get $a)))\n"
    "    (v128.store (local.get $p)\n"
    "      (f64x2.add (v128.load (local.get $p))\n"
    "                 (f64x2.mul (local.get $y) (v128.load (local.get $q)))))\n"
    "    (v128.store offset=16 (local.get $p)\n"
    "      (f64x2.add (v128.load offset=16 (local.get $p))\n"
    "                 (f64x2.mul (local.get $y)\n"
    "                            (v128.load (i32.add (local.get $q) (i32.const 16)))))))\n"
    "  (func (export \"f32x4\") (param $p i32) (param $q i32) (param $a f32)\n"
    "    (local $y v128)\n"
    "    (local.set $y (f32x4.splat (local.get $a)))\n"
    "    (v128.store (local.get $p)\n"
    "      (f32x4.add (v128.load (local.get $p))\n"
    "                 (f32x4.mul (local.get $y) (v128.load (local.get $q))))))\n"
    /* q's address computed between the two loads: the first moves past it. */
    "  (func (export \"step\") (param $p i32) (param $q0 i32) (param $a f64)\n"
    "    (local $y v128) (local $q i32)\n"
    "    (local.set $y (f64x2.splat (local.get $a)))\n"
    "    (v128.store (local.get $p)\n"
    "      (f64x2.add (v128.load (local.get $p))\n"
    "                 (f64x2.mul (local.get $y)\n"
    "                   (v128.load (local.tee $q (i32.add (local.get $q0) (i32.const 32))))))))\n"
    /* The address's local is written between the loads: the store's
     * address is copied away first, and there is no update. */
    "  (func (export \"moved\") (param $p i32) (param $q i32) (param $a f64)\n"
    "    (local $y v128)\n"
    "    (local.set $y (f64x2.splat (local.get $a)))\n"
    "    (v128.store (local.get $p)\n"
    "      (f64x2.add (v128.load (local.get $p))\n"
    "                 (f64x2.mul (local.get $y) (v128.load (local.tee $p (local.get $q)))))))\n"
    /* Only the added form, for a sum that wraps. */
    "  (func (export \"wrap\") (param $p i32) (param $q i32) (param $a f64)\n"
    "    (local $y v128)\n"
    "    (local.set $y (f64x2.splat (local.get $a)))\n"
    "    (v128.store (local.get $p)\n"
    "      (f64x2.add (v128.load (local.get $p))\n"
    "                 (f64x2.mul (local.get $y)\n"
    "                            (v128.load (i32.add (local.get $q) (i32.const 16))))))))\n";

/* One instance in one mode, and its memory. */
typedef struct run {
    const mode *md;
    char name[64];
    weft_engine *e;
    weft_instance *inst;
    uint8_t *mem;
} run;

static run start(weft_module *m, const mode *md)
{
    run r = { .md = md };
    snprintf(r.name, sizeof r.name, "%s", mode_name(md));
    r.e = engine_with(md->dispatch, md->bounds);
    r.inst = instantiate(r.e, m);
    r.mem = weft_memory_data(export_of(r.inst, "mem", WEFT_EXTERN_MEMORY).of.memory);
    return r;
}

static weft_value f64(double v) { return (weft_value){ .kind = WEFT_F64, .of.f64 = v }; }
static weft_value f32(float v) { return (weft_value){ .kind = WEFT_F32, .of.f32 = v }; }

/* Calls `name` with `n` arguments: it must return, or (`trap`) trap with
 * "out of bounds memory access". */
static void expect_call(run *r, const char *name, const weft_value *args, size_t n, bool trap)
{
    weft_error err;
    weft_status s = weft_call(r->e, func_of(r->inst, name), args, n, NULL, 0, &err);
    if (!trap) {
        cr_assert_eq(s, WEFT_OK, "%s (%s): %s", name, r->name, err.message);
        return;
    }
    cr_assert_eq(s, WEFT_ERR_TRAP, "%s (%s) did not trap", name, r->name);
    cr_assert_str_eq(err.message, "out of bounds memory access", "%s (%s)", name, r->name);
}

/* `name`(p, q, a) of the update functions returns, or traps. */
static void ok(run *r, const char *name, int32_t p, int32_t q, weft_value a)
{
    expect_call(r, name, (const weft_value[]){ i32(p), i32(q), a }, 3, false);
}

static void traps(run *r, const char *name, int32_t p, int32_t q, weft_value a)
{
    expect_call(r, name, (const weft_value[]){ i32(p), i32(q), a }, 3, true);
}

static void put_f64s(run *r, uint32_t at, const double *v, size_t n)
{
    memcpy(r->mem + at, v, n * sizeof *v);
}

static void expect_f64s(run *r, const char *what, uint32_t at, const double *want, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        double got;
        memcpy(&got, r->mem + at + 8 * k, sizeof got);
        cr_expect_eq(got, want[k], "%s (%s): lane %zu is %g, not %g", what, r->name, k, got,
                     want[k]);
    }
}

static const double xs[4] = { 1.5, 2.5, 3.5, 4.5 }, bs[4] = { 10, 20, 30, 40 };

Test(fused, results_and_traps_in_every_mode)
{
    weft_module *m = wat(update_wat);
    FOR_EACH_MODE(md) {
        run r = start(m, md);

        /* Both forms: 32 bytes updated from 32 bytes. */
        put_f64s(&r, 1024, xs, 4);
        put_f64s(&r, 2048, bs, 4);
        ok(&r, "f64x2", 1024, 2048, f64(0.5));
        expect_f64s(&r, "f64x2", 1024, (const double[]){ 6.5, 12.5, 18.5, 24.5 }, 4);
        expect_f64s(&r, "f64x2 leaves q", 2048, bs, 4);

        /* p and q the same vector: both loads before the store. */
        put_f64s(&r, 1024, xs, 4);
        ok(&r, "f64x2", 1024, 1024, f64(2));
        expect_f64s(&r, "f64x2 in place", 1024, (const double[]){ 4.5, 7.5, 10.5, 13.5 }, 4);

        /* Four f32 lanes. */
        const float fx[4] = { 1, 2, 3, 4 }, fb[4] = { 8, 16, 24, 32 };
        memcpy(r.mem + 512, fx, sizeof fx);
        memcpy(r.mem + 768, fb, sizeof fb);
        ok(&r, "f32x4", 512, 768, f32(0.25f));
        float fr[4];
        memcpy(fr, r.mem + 512, sizeof fr);
        for (int i = 0; i < 4; i++)
            cr_expect_eq(fr[i], fx[i] + 0.25f * fb[i], "f32x4 (%s): lane %d is %g", r.name, i,
                         fr[i]);

        /* q computed between the loads. */
        put_f64s(&r, 1024, xs, 2);
        put_f64s(&r, 2048 + 32, bs + 2, 2);
        ok(&r, "step", 1024, 2048, f64(1));
        expect_f64s(&r, "step", 1024, (const double[]){ 31.5, 42.5 }, 2);

        /* The local changes, the store keeps the address it read first. */
        put_f64s(&r, 1024, xs, 2);
        put_f64s(&r, 2048, bs, 2);
        ok(&r, "moved", 1024, 2048, f64(1));
        expect_f64s(&r, "moved, p", 1024, (const double[]){ 11.5, 22.5 }, 2);
        expect_f64s(&r, "moved, q", 2048, bs, 2);

        /* q + 16 wraps to address 8. */
        put_f64s(&r, 1024, xs, 2);
        put_f64s(&r, 8, bs, 2);
        ok(&r, "wrap", 1024, -8, f64(1));
        expect_f64s(&r, "wrap", 1024, (const double[]){ 11.5, 22.5 }, 2);

        /* Out of bounds on either side: a trap, memory unchanged. */
        put_f64s(&r, 1024, xs, 4);
        traps(&r, "f64x2", 1024, 65536 - 8, f64(1));
        traps(&r, "f64x2", 1024, -1, f64(1));
        expect_f64s(&r, "f64x2 after q's trap", 1024, xs, 4);
        traps(&r, "f64x2", 65536 - 8, 2048, f64(1));
        traps(&r, "f32x4", 512, 65536 - 15, f32(1));
        traps(&r, "wrap", 65536 - 15, 0, f64(1));
        /* The first update done, the second's q out of bounds. */
        put_f64s(&r, 1024, xs, 4);
        put_f64s(&r, 65536 - 16, bs, 2);
        traps(&r, "f64x2", 1024, 65536 - 16, f64(1));
        expect_f64s(&r, "f64x2, first half", 1024, (const double[]){ 11.5, 22.5, 3.5, 4.5 }, 4);
        weft_engine_free(r.e);
    }
    weft_module_free(m);
}

static const char *move_wat =
    "(module\n"
    "  (memory (export \"mem\") 1)\n"
    "  (func (export \"i32\") (param $to i32) (param $from i32)\n"
    "    (i32.store offset=4 (local.get $to) (i32.load offset=8 (local.get $from))))\n"
    "  (func (export \"f32\") (param $to i32) (param $from i32)\n"
    "    (f32.store (local.get $to) (f32.load (local.get $from))))\n"
    "  (func (export \"i64\") (param $to i32) (param $from i32)\n"
    "    (i64.store (local.get $to) (i64.load (local.get $from))))\n"
    "  (func (export \"f64\") (param $to i32) (param $from i32)\n"
    "    (f64.store offset=8 (local.get $to) (f64.load (local.get $from))))\n"
    "  (func (export \"v128\") (param $to i32) (param $from i32)\n"
    "    (v128.store (local.get $to) (v128.load offset=16 (local.get $from)))))\n";

/* `name`(to, from) of the move functions returns, or traps. */
static void move_ok(run *r, const char *name, int32_t to, int32_t from)
{
    expect_call(r, name, (const weft_value[]){ i32(to), i32(from) }, 2, false);
}

static void move_traps(run *r, const char *name, int32_t to, int32_t from)
{
    expect_call(r, name, (const weft_value[]){ i32(to), i32(from) }, 2, true);
}

/* The 32 bytes at `at` are 0, 1, ..., 31 plus `base`. */
static void fill(run *r, uint32_t at, uint8_t base)
{
    for (int k = 0; k < 32; k++)
        r->mem[at + k] = (uint8_t)(base + k);
}

static void expect_bytes(run *r, const char *what, uint32_t at, uint8_t base, int n)
{
    for (int k = 0; k < n; k++)
        cr_expect_eq(r->mem[at + k], (uint8_t)(base + k), "%s (%s): byte %d is %u, not %u", what,
                     r->name, k, r->mem[at + k], (uint8_t)(base + k));
}

Test(fused, moves_in_every_mode)
{
    weft_module *m = wat(move_wat);
    FOR_EACH_MODE(md) {
        run r = start(m, md);
        /* Each width, with the offsets of both sides. */
        fill(&r, 1000, 100);
        fill(&r, 2000, 0);
        move_ok(&r, "i32", 2000, 1000);
        expect_bytes(&r, "i32", 2004, 108, 4);
        expect_bytes(&r, "i32 leaves the rest", 2008, 8, 24);
        move_ok(&r, "f32", 2000, 1000);
        expect_bytes(&r, "f32", 2000, 100, 4);
        move_ok(&r, "i64", 2000, 1008);
        expect_bytes(&r, "i64", 2000, 108, 8);
        move_ok(&r, "f64", 2000, 1000);
        expect_bytes(&r, "f64", 2008, 100, 8);
        move_ok(&r, "v128", 2000, 1000);
        expect_bytes(&r, "v128", 2000, 116, 16);
        /* Overlapping: the whole source is read before the store. */
        fill(&r, 3000, 0);
        move_ok(&r, "i64", 3002, 3000);
        expect_bytes(&r, "i64 overlapping", 3002, 0, 8);
        fill(&r, 3000, 0);
        move_ok(&r, "v128", 3004, 2992);
        expect_bytes(&r, "v128 overlapping", 3004, 8, 16);
        /* Out of bounds: the source (nothing written), or the destination. */
        fill(&r, 2000, 50);
        move_traps(&r, "i64", 2000, 65536 - 7);
        move_traps(&r, "v128", 2000, 65536 - 31);
        move_traps(&r, "i32", 2000, -8);
        expect_bytes(&r, "after the source's traps", 2000, 50, 32);
        move_traps(&r, "i64", 65536 - 4, 1000);
        move_traps(&r, "f64", 65536 - 15, 1000);
        move_traps(&r, "v128", -1, 1000);
        weft_engine_free(r.e);
    }
    weft_module_free(m);
}

static const char *select_wat =
    "(module\n"
    "  (func (export \"sign\") (param $a i32) (param $b i32) (result i32)\n"
    "    (select (i32.const -1) (i32.const 1) (i32.lt_s (local.get $a) (local.get $b))))\n"
    "  (func (export \"bits\") (param $c i32) (result i32)\n"
    "    (i32.reinterpret_f32 (select (f32.const -0.0) (f32.const nan:0x123) (local.get $c)))))\n";

Test(fused, select_of_two_constants)
{
    weft_module *m = wat(select_wat);
    FOR_EACH_MODE(md) {
        run r = { .md = md };
        r.e = engine_with(md->dispatch, md->bounds);
        r.inst = instantiate(r.e, m);
        const char *name = weft_dispatch_name(md->dispatch);
        struct { const char *f; int32_t a, b, want; } cases[] = {
            { "sign", 1, 2, -1 }, { "sign", 2, 1, 1 }, { "sign", -5, -5, 1 },
            { "bits", 1, 0, (int32_t)0x80000000u }, { "bits", 0, 0, 0x7f800123 },
            { "bits", -7, 0, (int32_t)0x80000000u },
        };
        for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
            weft_value args[2] = { i32(cases[c].a), i32(cases[c].b) }, res;
            weft_error err;
            weft_func *f = func_of(r.inst, cases[c].f);
            size_t n = weft_func_param_count(f);
            cr_assert_eq(weft_call(r.e, f, args, n, &res, 1, &err), WEFT_OK, "%s (%s): %s",
                         cases[c].f, name, err.message);
            cr_expect_eq(res.of.i32, cases[c].want, "%s(%d, %d) (%s) is 0x%x, not 0x%x",
                         cases[c].f, cases[c].a, cases[c].b, name, (unsigned)res.of.i32,
                         (unsigned)cases[c].want);
        }
        weft_engine_free(r.e);
    }
    weft_module_free(m);
}

/* x - x / c * c, as clang writes x % c: one remainder by the constant
 * (lo_fuse_remainder), unsigned and signed, 32 and 64 bits; a signed
 * divide by -1 stays as it is (it traps on the least integer, the
 * remainder would not), and so do a divide and multiply by different
 * constants. tests/ir/fusion.wat shows which fuse. */
static const char *remainder_wat =
    "(module\n"
    "  (func (export \"rem_u\") (param i32) (result i32)\n"
    "    (i32.sub (local.get 0) (i32.mul (i32.div_u (local.get 0) (i32.const 7)) (i32.const 7))))\n"
    "  (func (export \"rem_s\") (param i32) (result i32)\n"
    "    (i32.sub (local.get 0) (i32.mul (i32.div_s (local.get 0) (i32.const -5)) (i32.const -5))))\n"
    "  (func (export \"minus_one\") (param i32) (result i32)\n"
    "    (i32.sub (local.get 0) (i32.mul (i32.div_s (local.get 0) (i32.const -1)) (i32.const -1))))\n"
    "  (func (export \"other\") (param i32) (result i32)\n"
    "    (i32.sub (local.get 0) (i32.mul (i32.div_u (local.get 0) (i32.const 8)) (i32.const 3))))\n"
    "  (func (export \"rem_u64\") (param i64) (result i64)\n"
    "    (i64.sub (local.get 0) (i64.mul (i64.div_u (local.get 0) (i64.const 1000000007))\n"
    "                                    (i64.const 1000000007))))\n"
    "  (func (export \"rem_s64\") (param i64) (result i64)\n"
    "    (i64.sub (local.get 0) (i64.mul (i64.div_s (local.get 0) (i64.const 10)) (i64.const 10)))))\n";

Test(fused, remainder_by_a_constant)
{
    weft_module *m = wat(remainder_wat);
    static const int32_t xs32[] = { 0, 1, 6, 7, 100, -1, -100, INT32_MIN, INT32_MAX };
    static const int64_t xs64[] = { 0, 5, 1000000007, -12345678901234, INT64_MIN, INT64_MAX };
    FOR_EACH_MODE(md) {
        weft_engine *e = engine_with(md->dispatch, md->bounds);
        weft_instance *inst = instantiate(e, m);
        for (size_t k = 0; k < sizeof xs32 / sizeof *xs32; k++) {
            int32_t x = xs32[k];
            weft_value a = i32(x);
            cr_expect_eq((int32_t)ok_call(e, inst, "rem_u", &a, 1, md), (int32_t)((uint32_t)x % 7u),
                         "rem_u(%d)", x);
            cr_expect_eq((int32_t)ok_call(e, inst, "rem_s", &a, 1, md), x % -5, "rem_s(%d)", x);
            cr_expect_eq((int32_t)ok_call(e, inst, "other", &a, 1, md),
                         (int32_t)((uint32_t)x - (uint32_t)x / 8u * 3u), "other(%d)", x);
            if (x != INT32_MIN)
                cr_expect_eq((int32_t)ok_call(e, inst, "minus_one", &a, 1, md), 0, "minus_one(%d)",
                             x);
        }
        weft_value least = i32(INT32_MIN), r;
        weft_error err;
        cr_expect_eq(call(e, inst, "minus_one", &least, 1, &r, &err), WEFT_ERR_TRAP,
                     "minus_one(INT32_MIN) (%s) did not trap", mode_name(md));
        for (size_t k = 0; k < sizeof xs64 / sizeof *xs64; k++) {
            int64_t x = xs64[k];
            weft_value a = i64(x);
            cr_expect_eq(ok_call(e, inst, "rem_u64", &a, 1, md),
                         (int64_t)((uint64_t)x % 1000000007u), "rem_u64(%lld)", (long long)x);
            cr_expect_eq(ok_call(e, inst, "rem_s64", &a, 1, md), x % 10, "rem_s64(%lld)",
                         (long long)x);
        }
        weft_engine_free(e);
    }
    weft_module_free(m);
}

/* A select of two values by a compare of the same two, C's MIN and MAX, is
 * one min or max (lo_fuse_min_max): every compare that orders, signed and
 * unsigned, either way round, 32 and 64 bits; the result matches the
 * select's on values where signed and unsigned orders differ. */
static const char *min_max_wat =
    "(module\n"
    "  (func (export \"lt_s\") (param i32 i32) (result i32)\n"
    "    (select (local.get 0) (local.get 1) (i32.lt_s (local.get 0) (local.get 1))))\n"
    "  (func (export \"lt_u_swapped\") (param i32 i32) (result i32)\n"
    "    (select (local.get 1) (local.get 0) (i32.lt_u (local.get 0) (local.get 1))))\n"
    "  (func (export \"ge_s\") (param i32 i32) (result i32)\n"
    "    (select (local.get 0) (local.get 1) (i32.ge_s (local.get 0) (local.get 1))))\n"
    "  (func (export \"le_u\") (param i32 i32) (result i32)\n"
    "    (select (local.get 0) (local.get 1) (i32.le_u (local.get 0) (local.get 1))))\n"
    "  (func (export \"gt_s_swapped\") (param i32 i32) (result i32)\n"
    "    (select (local.get 1) (local.get 0) (i32.gt_s (local.get 0) (local.get 1))))\n"
    "  (func (export \"lt_s64\") (param i64 i64) (result i64)\n"
    "    (select (local.get 0) (local.get 1) (i64.lt_s (local.get 0) (local.get 1))))\n"
    "  (func (export \"gt_u64_swapped\") (param i64 i64) (result i64)\n"
    "    (select (local.get 1) (local.get 0) (i64.gt_u (local.get 0) (local.get 1)))))\n";

static int64_t select_of(bool c, int64_t a, int64_t b) { return c ? a : b; }

Test(fused, min_and_max)
{
    weft_module *m = wat(min_max_wat);
    static const int32_t vs[] = { 0, 1, -1, 7, -7, INT32_MIN, INT32_MAX };
    static const int64_t ws[] = { 0, 3, -3, INT64_MIN, INT64_MAX, (int64_t)1 << 40 };
    FOR_EACH_MODE(md) {
        weft_engine *e = engine_with(md->dispatch, md->bounds);
        weft_instance *inst = instantiate(e, m);
        for (size_t i = 0; i < sizeof vs / sizeof *vs; i++)
            for (size_t j = 0; j < sizeof vs / sizeof *vs; j++) {
                int32_t x = vs[i], y = vs[j];
                uint32_t ux = (uint32_t)x, uy = (uint32_t)y;
                weft_value args[2] = { i32(x), i32(y) };
                struct { const char *f; int32_t want; } cases[] = {
                    { "lt_s", (int32_t)select_of(x < y, x, y) },
                    { "lt_u_swapped", (int32_t)select_of(ux < uy, y, x) },
                    { "ge_s", (int32_t)select_of(x >= y, x, y) },
                    { "le_u", (int32_t)select_of(ux <= uy, x, y) },
                    { "gt_s_swapped", (int32_t)select_of(x > y, y, x) },
                };
                for (size_t k = 0; k < sizeof cases / sizeof *cases; k++)
                    cr_expect_eq((int32_t)ok_call(e, inst, cases[k].f, args, 2, md), cases[k].want,
                                 "%s(%d, %d) (%s)", cases[k].f, x, y, mode_name(md));
            }
        for (size_t i = 0; i < sizeof ws / sizeof *ws; i++)
            for (size_t j = 0; j < sizeof ws / sizeof *ws; j++) {
                int64_t x = ws[i], y = ws[j];
                weft_value args[2] = { i64(x), i64(y) };
                cr_expect_eq(ok_call(e, inst, "lt_s64", args, 2, md), x < y ? x : y,
                             "lt_s64(%lld, %lld)", (long long)x, (long long)y);
                cr_expect_eq(ok_call(e, inst, "gt_u64_swapped", args, 2, md),
                             (uint64_t)x > (uint64_t)y ? y : x, "gt_u64_swapped(%lld, %lld)",
                             (long long)x, (long long)y);
            }
        weft_engine_free(e);
    }
    weft_module_free(m);
}
