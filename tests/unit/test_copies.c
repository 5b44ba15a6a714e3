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
 *   by a br_if. tests/ir/copies.wat shows the code. */
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
