/* test_copies.c: where lowering writes a result straight into the local it
 * is set into, and the hazards of doing so, in every strategy and bounds
 * mode.
 *
 * - A local written while stack entries still read its old value
 *   (lo_preserve_before_last, lower_stack.c): the old value's copies go
 *   before the instruction that computes the new one, which then writes the
 *   local itself. The old value must survive: read after the set, by one
 *   entry or by two, by local.set and by local.tee, in i32, i64, f64 and
 *   v128, where the new value reads the local itself, where the instruction
 *   is the first of a loop's body (a label just before it, reached again
 *   by the branch back), and where the old value is carried out of a block
 *   by a br_if. tests/ir/copies.wat shows the code.
 * - A block's, if's or loop's one numeric result set into a local at once
 *   (lo_end_set, lower_stack.c): every path's write of the
 *   result goes to the local. The local keeps its old value until its path
 *   reaches the end: read by the arms themselves, carried by br, br_if and
 *   br_table (taken or not), with a value already in place on a br_if
 *   (which keeps the copy), an if without else, a loop's result, and a
 *   block whose end no path reaches. */
#include <criterion/criterion.h>
#include <string.h>

#include "helpers.h"
#include "weft.h"

static const char *hazard_wat =
    "(module\n"
    /* old + 100 * (x + 1): the old value under the new one's producer. */
    "  (func (export \"post_inc\") (param $x i32) (result i32)\n"
    "    local.get $x\n"
    "    local.get $x i32.const 1 i32.add local.set $x\n"
    "    local.get $x i32.const 100 i32.mul i32.add)\n"
    /* Two entries read the old value: old - new + old * 7. */
    "  (func (export \"twice\") (param $x i32) (param $y i32) (result i32)\n"
    "    local.get $x local.get $x\n"
    "    local.get $x local.get $y i32.mul local.set $x\n"
    "    i32.const 7 i32.mul i32.add local.get $x i32.sub)\n"
    /* local.tee: old - (old * y), the tee's value read at once. */
    "  (func (export \"tee\") (param $x i32) (param $y i32) (result i32)\n"
    "    local.get $x\n"
    "    local.get $x local.get $y i32.mul local.tee $x\n"
    "    i32.sub local.get $x i32.xor)\n"
    "  (func (export \"wide\") (param $x i64) (result i64)\n"
    "    local.get $x\n"
    "    local.get $x i64.const 0x100000001 i64.mul local.set $x\n"
    "    local.get $x i64.const 3 i64.shl i64.sub)\n"
    "  (func (export \"float\") (param $x f64) (result f64)\n"
    "    local.get $x\n"
    "    local.get $x f64.const 0.5 f64.mul local.set $x\n"
    "    local.get $x f64.const 4 f64.mul f64.sub)\n"
    "  (func (export \"vector\") (param $a i32) (result i32)\n"
    "    (local $v v128)\n"
    "    (local.set $v (i32x4.splat (local.get $a)))\n"
    "    local.get $v\n"
    "    local.get $v local.get $v i32x4.add local.set $v\n"
    "    local.get $v i32x4.mul i32x4.extract_lane 1)\n"
    /* A loop whose body starts with the producer: each turn adds the old
     * x to acc, doubles x (a tee) and counts n down. */
    "  (func (export \"loop\") (param $x i32) (param $n i32) (result i32)\n"
    "    (local $acc i32)\n"
    "    loop $l\n"
    "      local.get $x\n"
    "      local.get $x local.get $x i32.add local.tee $x\n"
    "      local.get $acc i32.add i32.sub local.get $acc i32.add local.set $acc\n"
    "      local.get $n i32.const 1 i32.sub local.tee $n\n"
    "      br_if $l\n"
    "    end\n"
    "    local.get $acc local.get $x i32.const 16 i32.shl i32.add)\n"
    /* The old value carried out of a block by br_if (c != 0), or replaced
     * by the new one (c == 0); x's new value added after the block. */
    "  (func (export \"carried\") (param $x i32) (param $c i32) (result i32)\n"
    "    block (result i32)\n"
    "      local.get $x\n"
    "      local.get $x i32.const 3 i32.mul local.set $x\n"
    "      local.get $c br_if 0\n"
    "      drop local.get $x i32.const 1000 i32.add\n"
    "    end\n"
    "    local.get $x i32.const 65536 i32.mul i32.add))\n";

static int32_t loop_of(int32_t x, int32_t n)
{
    uint32_t acc = 0, ux = (uint32_t)x;
    do {
        uint32_t old = ux;
        ux = old + old;
        acc = old - (ux + acc) + acc;
        n--;
    } while (n != 0);
    return (int32_t)(acc + (ux << 16));
}

Test(copies, old_value_of_a_local_written_while_on_the_stack)
{
    weft_module *m = wat(hazard_wat);
    static const int32_t xs[] = { 0, 1, -1, 5, 123456, INT32_MIN, INT32_MAX };
    FOR_EACH_MODE(md) {
        weft_engine *e = engine_with(md->dispatch, md->bounds);
        weft_instance *inst = instantiate(e, m);
        for (size_t i = 0; i < sizeof xs / sizeof *xs; i++) {
            int32_t x = xs[i];
            uint32_t ux = (uint32_t)x, uy = 3u + (uint32_t)i;
            weft_value a = i32(x), xy[2] = { i32(x), i32((int32_t)uy) };
            cr_expect_eq((int32_t)ok_call(e, inst, "post_inc", &a, 1, md),
                         (int32_t)(ux + 100u * (ux + 1u)), "post_inc(%d) (%s)", x, mode_name(md));
            cr_expect_eq((int32_t)ok_call(e, inst, "twice", xy, 2, md),
                         (int32_t)(ux + ux * 7u - ux * uy), "twice(%d) (%s)", x, mode_name(md));
            cr_expect_eq((int32_t)ok_call(e, inst, "tee", xy, 2, md),
                         (int32_t)((ux - ux * uy) ^ (ux * uy)), "tee(%d) (%s)", x, mode_name(md));
            uint64_t w = (uint64_t)(int64_t)x * 0x9e3779b97f4a7c15u;
            weft_value b = i64((int64_t)w);
            uint64_t nw = w * 0x100000001u;
            cr_expect_eq((uint64_t)ok_call(e, inst, "wide", &b, 1, md), w - (nw << 3),
                         "wide(%d) (%s)", x, mode_name(md));
            weft_value c = { .kind = WEFT_F64, .of.f64 = x * 1.25 }, r;
            weft_error err;
            cr_assert_eq(call(e, inst, "float", &c, 1, &r, &err), WEFT_OK, "float (%s): %s",
                         mode_name(md), err.message);
            cr_expect_eq(r.of.f64, x * 1.25 - x * 1.25 * 0.5 * 4, "float(%d) (%s)", x,
                         mode_name(md));
            cr_expect_eq((int32_t)ok_call(e, inst, "vector", &a, 1, md),
                         (int32_t)(ux * (ux + ux)), "vector(%d) (%s)", x, mode_name(md));
            for (int32_t n = 1; n <= 5; n += 2) {
                weft_value xn[2] = { i32(x), i32(n) };
                cr_expect_eq((int32_t)ok_call(e, inst, "loop", xn, 2, md), loop_of(x, n),
                             "loop(%d, %d) (%s)", x, n, mode_name(md));
            }
            for (int32_t k = 0; k <= 1; k++) {
                weft_value xc[2] = { i32(x), i32(k) };
                uint32_t carried = k ? ux : ux * 3u + 1000u;
                cr_expect_eq((int32_t)ok_call(e, inst, "carried", xc, 2, md),
                             (int32_t)(carried + ux * 3u * 65536u), "carried(%d, %d) (%s)", x, k,
                             mode_name(md));
            }
        }
        weft_engine_free(e);
    }
    weft_module_free(m);
}

static const char *block_wat =
    "(module\n"
    /* The arms read x, the destination, before their paths end. */
    "  (func (export \"arms\") (param $c i32) (param $x i32) (param $y i32) (result i32)\n"
    "    (if (result i32) (local.get $c)\n"
    "      (then (i32.add (local.get $x) (local.get $y)))\n"
    "      (else (i32.sub (local.get $y) (local.get $x))))\n"
    "    local.set $x\n"
    "    (i32.add (local.get $x) (i32.mul (local.get $y) (i32.const 1000))))\n"
    /* else: x itself, a copy of x into x. */
    "  (func (export \"self\") (param $c i32) (param $x i32) (result i32)\n"
    "    (if (result i32) (local.get $c)\n"
    "      (then (i32.add (local.get $x) (i32.const 100)))\n"
    "      (else (local.get $x)))\n"
    "    local.tee $x\n"
    "    (local.get $x) (i32.mul))\n"
    /* br_if taken with a constant, br_if taken with x (c == 2), fallthrough:
     * x is read after the br_ifs that were not taken. */
    "  (func (export \"branches\") (param $c i32) (param $x i32) (result i32)\n"
    "    (block (result i32)\n"
    "      (drop (br_if 0 (i32.const 7) (i32.eq (local.get $c) (i32.const 1))))\n"
    "      (drop (br_if 0 (local.get $x) (i32.eq (local.get $c) (i32.const 2))))\n"
    "      (i32.add (local.get $x) (i32.const 9)))\n"
    "    local.set $x\n"
    "    (i32.mul (local.get $x) (i32.const 3)))\n"
    /* A value already in place on a br_if: the fallthrough reads it. */
    "  (func (export \"in_place\") (param $c i32) (param $x i32) (result i32)\n"
    "    (block (result i32)\n"
    "      (i32.add (local.get $x) (i32.const 1))\n"
    "      (br_if 0 (local.get $c))\n"
    "      (i32.mul (local.get $x) (i32.const 10))\n"
    "      (i32.add))\n"
    "    local.set $x\n"
    "    (local.get $x))\n"
    /* br_table to the inner block (i == 0), the outer (i == 1 and past). */
    "  (func (export \"table\") (param $i i32) (param $x i32) (result i32)\n"
    "    (block (result i32)\n"
    "      (block (result i32)\n"
    "        (br_table 0 1 (i32.add (local.get $x) (i32.const 5)) (local.get $i)))\n"
    "      (i32.mul (local.get $x) (i32.const 6))\n"
    "      (i32.add))\n"
    "    local.set $x\n"
    "    (i32.sub (local.get $x) (i32.const 1)))\n"
    /* An if without else: its parameter is its result when c == 0. */
    "  (func (export \"no_else\") (param $c i32) (param $x i32) (result i32)\n"
    "    (i32.add (local.get $x) (i32.const 2))\n"
    "    (if (param i32) (result i32) (local.get $c)\n"
    "      (then (i32.mul (local.get $x))))\n"
    "    local.set $x\n"
    "    (local.get $x))\n"
    /* A loop's result: the sum x + (x-1) + ... + 1, x counting down. */
    "  (func (export \"loop\") (param $x i32) (result i32)\n"
    "    (local $s i32)\n"
    "    (loop $l (result i32)\n"
    "      (local.set $s (i32.add (local.get $s) (local.get $x)))\n"
    "      (local.tee $x (i32.sub (local.get $x) (i32.const 1)))\n"
    "      (br_if $l)\n"
    "      (local.get $s))\n"
    "    local.set $x\n"
    "    (local.get $x))\n"
    /* No path reaches the inner block's end but the first br. */
    "  (func (export \"unreached\") (param $x i32) (result i32)\n"
    "    (block (result i32)\n"
    "      (br 0 (i32.add (local.get $x) (i32.const 4)))\n"
    "      (unreachable))\n"
    "    local.set $x\n"
    "    (local.get $x))\n"
    "  (func (export \"wide\") (param $c i32) (param $x i64) (result i64)\n"
    "    (if (result i64) (local.get $c)\n"
    "      (then (i64.shl (local.get $x) (i64.const 33)))\n"
    "      (else (i64.const 0x123456789)))\n"
    "    local.set $x\n"
    "    (i64.sub (local.get $x) (i64.const 1)))\n"
    "  (func (export \"float\") (param $c i32) (param $x f64) (result f64)\n"
    "    (if (result f64) (local.get $c)\n"
    "      (then (f64.mul (local.get $x) (local.get $x)))\n"
    "      (else (f64.neg (local.get $x))))\n"
    "    local.set $x\n"
    "    (f64.add (local.get $x) (f64.const 0.5))))\n";

Test(copies, block_results_set_into_a_local)
{
    weft_module *m = wat(block_wat);
    static const int32_t xs[] = { 0, 1, -1, 5, 123456, INT32_MIN, INT32_MAX };
    FOR_EACH_MODE(md) {
        weft_engine *e = engine_with(md->dispatch, md->bounds);
        weft_instance *inst = instantiate(e, m);
        for (size_t i = 0; i < sizeof xs / sizeof *xs; i++) {
            int32_t x = xs[i];
            uint32_t ux = (uint32_t)x, uy = 7u * (uint32_t)i + 1u;
            for (int32_t c = 0; c <= 3; c++) {
                uint32_t uc = (uint32_t)c;
                weft_value cxy[3] = { i32(c), i32(x), i32((int32_t)uy) }, cx[2] = { i32(c), i32(x) };
                uint32_t arm = c ? ux + uy : uy - ux;
                cr_expect_eq((int32_t)ok_call(e, inst, "arms", cxy, 3, md),
                             (int32_t)(arm + uy * 1000u), "arms(%d, %d) (%s)", c, x, mode_name(md));
                uint32_t self = c ? ux + 100u : ux;
                cr_expect_eq((int32_t)ok_call(e, inst, "self", cx, 2, md), (int32_t)(self * self),
                             "self(%d, %d) (%s)", c, x, mode_name(md));
                uint32_t br = c == 1 ? 7u : c == 2 ? ux : ux + 9u;
                cr_expect_eq((int32_t)ok_call(e, inst, "branches", cx, 2, md), (int32_t)(br * 3u),
                             "branches(%d, %d) (%s)", c, x, mode_name(md));
                uint32_t in_place = c ? ux + 1u : ux + 1u + ux * 10u;
                cr_expect_eq((int32_t)ok_call(e, inst, "in_place", cx, 2, md), (int32_t)in_place,
                             "in_place(%d, %d) (%s)", c, x, mode_name(md));
                uint32_t table = uc == 0 ? ux + 5u + ux * 6u : ux + 5u;
                cr_expect_eq((int32_t)ok_call(e, inst, "table", cx, 2, md),
                             (int32_t)(table - 1u), "table(%d, %d) (%s)", c, x, mode_name(md));
                uint32_t no_else = c ? (ux + 2u) * ux : ux + 2u;
                cr_expect_eq((int32_t)ok_call(e, inst, "no_else", cx, 2, md), (int32_t)no_else,
                             "no_else(%d, %d) (%s)", c, x, mode_name(md));
                weft_value cw[2] = { i32(c), i64((int64_t)x * 3) };
                uint64_t w = (uint64_t)((int64_t)x * 3);
                cr_expect_eq((uint64_t)ok_call(e, inst, "wide", cw, 2, md),
                             (c ? w << 33 : 0x123456789u) - 1u, "wide(%d, %d) (%s)", c, x,
                             mode_name(md));
                weft_value cf[2] = { i32(c), { .kind = WEFT_F64, .of.f64 = x * 0.25 } }, r;
                weft_error err;
                cr_assert_eq(call(e, inst, "float", cf, 2, &r, &err), WEFT_OK, "float (%s): %s",
                             mode_name(md), err.message);
                double fx = x * 0.25;
                cr_expect_eq(r.of.f64, (c ? fx * fx : -fx) + 0.5, "float(%d, %d) (%s)", c, x,
                             mode_name(md));
            }
            weft_value a = i32(x);
            cr_expect_eq((int32_t)ok_call(e, inst, "unreached", &a, 1, md), (int32_t)(ux + 4u),
                         "unreached(%d) (%s)", x, mode_name(md));
            if (x > 0 && x <= 1000) /* x turns of the loop */
                cr_expect_eq((int32_t)ok_call(e, inst, "loop", &a, 1, md),
                             (int32_t)(ux * (ux + 1u) / 2u), "loop(%d) (%s)", x, mode_name(md));
        }
        weft_engine_free(e);
    }
    weft_module_free(m);
}
