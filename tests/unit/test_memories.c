/* test_memories.c: multi-memory and memory64 through the public API: which
 * proposals a load allows, accesses to every memory in every dispatch
 * strategy and bounds mode, the bounds of 64-bit addresses and offsets
 * (no sum may wrap), 64-bit memory.grow and bulk operations, data segments
 * in other memories, and the memory type in import matching. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "helpers.h"
#include "wasm_builder.h"
#include "weft.h"

#define PROPOSALS "--enable-multi-memory --enable-memory64"

/* A call that must trap with "out of bounds memory access". */
static void oob_call(weft_engine *e, weft_instance *inst, const char *name,
                     const weft_value *args, size_t n, const mode *md)
{
    weft_error err;
    cr_assert_eq(call(e, inst, name, args, n, NULL, &err), WEFT_ERR_TRAP, "%s (%s) did not trap",
                 name, mode_name(md));
    cr_assert_str_eq(err.message, "out of bounds memory access", "%s (%s)", name, mode_name(md));
}

#define ARGS(...) (const weft_value[]){ __VA_ARGS__ }, sizeof((const weft_value[]){ __VA_ARGS__ }) / sizeof(weft_value)

/* ---- Features ------------------------------------------------------------------ */

Test(memories, features_default_on_and_selectable)
{
    weft_features f;
    weft_features_init(&f);
    cr_assert(f.multi_memory && f.memory64);

    /* Two memories: valid by default, invalid without multi-memory. */
    weft_error err;
    wb_buf b = wb_module();
    WB_SECTION(&b, WB_MEMORY, 0x02, 0x00, 0x00, 0x00, 0x01);
    cr_assert_eq(wb_load_with(&b, NULL, &err), WEFT_OK, "%s", err.message);
    b = wb_module();
    WB_SECTION(&b, WB_MEMORY, 0x02, 0x00, 0x00, 0x00, 0x01);
    weft_features no_multi = f;
    no_multi.multi_memory = false;
    cr_assert_eq(wb_load_with(&b, &no_multi, &err), WEFT_ERR_INVALID);
    cr_assert(strstr(err.message, "multiple memories"), "%s", err.message);

    /* A 64-bit memory (limits flag 4): valid by default, malformed without memory64. */
    b = wb_module();
    WB_SECTION(&b, WB_MEMORY, 0x01, 0x04, 0x01);
    cr_assert_eq(wb_load_with(&b, NULL, &err), WEFT_OK, "%s", err.message);
    b = wb_module();
    WB_SECTION(&b, WB_MEMORY, 0x01, 0x04, 0x01);
    weft_features no_64 = f;
    no_64.memory64 = false;
    cr_assert_eq(wb_load_with(&b, &no_64, &err), WEFT_ERR_MALFORMED, "%s", err.message);
}

/* ---- Multi-memory ------------------------------------------------------------------ */

static const char *const two_memories_wat =
    "(module\n"
    "  (memory $a 1)\n"
    "  (memory $b 2)\n"
    "  (data (memory $b) (i32.const 65540) \"\\2a\")\n"
    "  (func (export \"load_b\") (param i32) (result i32) local.get 0 i32.load8_u $b)\n"
    "  (func (export \"store_b\") (param i32 i32)\n"
    "    local.get 0 local.get 1 i32.store $b offset=4)\n"
    "  (func (export \"load_a\") (param i32) (result i32) local.get 0 i32.load $a)\n"
    "  (func (export \"copy_ab\") (param i32 i32 i32)\n"
    "    local.get 0 local.get 1 local.get 2 memory.copy $a $b)\n"
    "  (func (export \"fill_b\") (param i32 i32 i32)\n"
    "    local.get 0 local.get 1 local.get 2 memory.fill $b)\n"
    "  (func (export \"size_b\") (result i32) memory.size $b)\n"
    "  (func (export \"grow_b\") (param i32) (result i32) local.get 0 memory.grow $b)\n"
    "  (func (export \"lane_b\") (param i32) (result i32)\n"
    "    local.get 0 v128.const i32x4 1 2 3 4 v128.store $b\n"
    "    local.get 0 v128.const i32x4 0 0 0 0 v128.load32_lane $b offset=8 0\n"
    "    i32x4.extract_lane 0))\n";

Test(memories, accesses_to_another_memory)
{
    weft_module *m = wat_flags(PROPOSALS, two_memories_wat);
    FOR_EACH_MODE(md) {
        weft_engine *e = engine_with(md->dispatch, md->bounds);
        weft_instance *inst = instantiate(e, m);
        /* The data segment went into memory 1. */
        cr_assert_eq(ok_call(e, inst, "load_b", ARGS(i32(65540)), md), 42);
        cr_assert_eq(ok_call(e, inst, "load_b", ARGS(i32(131071)), md), 0);
        oob_call(e, inst, "load_b", ARGS(i32(131072)), md);
        oob_call(e, inst, "load_b", ARGS(i32(-1)), md);
        /* Memory 1's bounds, not memory 0's: the offset counts. */
        ok_call(e, inst, "store_b", ARGS(i32(131064), i32(7)), md);
        oob_call(e, inst, "store_b", ARGS(i32(131065), i32(7)), md);
        oob_call(e, inst, "load_a", ARGS(i32(65536)), md);
        /* memory.copy from memory 1 into memory 0, memory.fill of memory 1. */
        ok_call(e, inst, "copy_ab", ARGS(i32(16), i32(131068), i32(4)), md);
        cr_assert_eq(ok_call(e, inst, "load_a", ARGS(i32(16)), md), 7);
        oob_call(e, inst, "copy_ab", ARGS(i32(0), i32(131069), i32(4)), md);
        oob_call(e, inst, "fill_b", ARGS(i32(131070), i32(1), i32(3)), md);
        /* Growing memory 1 leaves memory 0 as it was. */
        cr_assert_eq(ok_call(e, inst, "grow_b", ARGS(i32(1)), md), 2);
        cr_assert_eq(ok_call(e, inst, "size_b", NULL, 0, md), 3);
        cr_assert_eq(ok_call(e, inst, "load_b", ARGS(i32(196607)), md), 0);
        oob_call(e, inst, "load_a", ARGS(i32(65536)), md);
        /* SIMD stores and lane loads in memory 1. */
        cr_assert_eq(ok_call(e, inst, "lane_b", ARGS(i32(100)), md), 3);
        oob_call(e, inst, "lane_b", ARGS(i32(196600)), md);
        weft_engine_free(e);
    }
    weft_module_free(m);
}

/* One memory imported as both memory 0 and memory 1: growing it through
 * memory 1 must be seen by memory 0's accesses, whose base and size the
 * interpreter keeps in registers (with explicit bounds, growing may move
 * the memory). */
Test(memories, one_memory_imported_twice)
{
    weft_module *exporter = wat("(module (memory (export \"mem\") 1))");
    weft_module *m = wat_flags(PROPOSALS,
        "(module\n"
        "  (import \"m\" \"mem\" (memory $x 1))\n"
        "  (import \"m\" \"mem\" (memory $y 1))\n"
        "  (func (export \"grow_then_load\") (param i32) (result i32)\n"
        "    i32.const 40 memory.grow $y drop\n"
        "    local.get 0 i32.const 5 i32.store $y\n"
        "    local.get 0 i32.load $x))\n");
    FOR_EACH_MODE(md) {
        weft_engine *e = engine_with(md->dispatch, md->bounds);
        weft_instance *src = instantiate(e, exporter);
        weft_extern mem = export_of(src, "mem", WEFT_EXTERN_MEMORY);
        weft_instance *inst = NULL;
        weft_error err;
        cr_assert_eq(weft_instantiate(e, m, resolve_to, &mem, &inst, &err), WEFT_OK, "%s",
                     err.message);
        cr_assert_eq(ok_call(e, inst, "grow_then_load", ARGS(i32(40 * 65536)), md), 5);
        cr_assert_eq(weft_memory_pages(mem.of.memory), 41);
        weft_engine_free(e);
    }
    weft_module_free(m);
    weft_module_free(exporter);
}

/* ---- memory64 -------------------------------------------------------------------- */

static const char *const memory64_wat =
    "(module\n"
    "  (memory i64 2 4)\n"
    "  (data (i64.const 8) \"\\01\\02\\03\\04\")\n"
    "  (func (export \"load\") (param i64) (result i32) local.get 0 i32.load)\n"
    "  (func (export \"load_far\") (param i64) (result i32)\n"
    "    local.get 0 i32.load offset=0xffffffff)\n"
    "  (func (export \"store\") (param i64 i32) local.get 0 local.get 1 i32.store)\n"
    "  (func (export \"size\") (result i64) memory.size)\n"
    "  (func (export \"grow\") (param i64) (result i64) local.get 0 memory.grow)\n"
    "  (func (export \"fill\") (param i64 i32 i64)\n"
    "    local.get 0 local.get 1 local.get 2 memory.fill))\n";

Test(memories, memory64_bounds_never_wrap)
{
    weft_module *m = wat_flags(PROPOSALS, memory64_wat);
    FOR_EACH_MODE(md) {
        weft_engine *e = engine_with(md->dispatch, md->bounds);
        weft_instance *inst = instantiate(e, m);
        cr_assert_eq(ok_call(e, inst, "load", ARGS(i64(8)), md), 0x04030201);
        cr_assert_eq(ok_call(e, inst, "load", ARGS(i64(131068)), md), 0);
        oob_call(e, inst, "load", ARGS(i64(131069)), md);
        oob_call(e, inst, "load", ARGS(i64(-1)), md);
        oob_call(e, inst, "load", ARGS(i64(INT64_MIN)), md);
        /* Only the low 32 bits of these addresses lie in the memory. */
        oob_call(e, inst, "load", ARGS(i64(((int64_t)1 << 32) + 8)), md);
        oob_call(e, inst, "store", ARGS(i64(((int64_t)1 << 40)), i32(1)), md);
        /* Address plus offset is 2^64 + 8, which wraps to 8 in 64 bits:
         * it must trap, not read byte 8. */
        oob_call(e, inst, "load_far", ARGS(i64(-(int64_t)0xffffffff + 8)), md);
        oob_call(e, inst, "load_far", ARGS(i64(0)), md);
        /* memory.size and memory.grow in pages, as i64; -1 past the maximum. */
        cr_assert_eq(ok_call(e, inst, "size", NULL, 0, md), 2);
        cr_assert_eq(ok_call(e, inst, "grow", ARGS(i64(1)), md), 2);
        cr_assert_eq(ok_call(e, inst, "grow", ARGS(i64(2)), md), -1);
        cr_assert_eq(ok_call(e, inst, "grow", ARGS(i64(INT64_MIN)), md), -1);
        cr_assert_eq(ok_call(e, inst, "grow", ARGS(i64(-1)), md), -1);
        cr_assert_eq(ok_call(e, inst, "size", NULL, 0, md), 3);
        ok_call(e, inst, "store", ARGS(i64(3 * 65536 - 4), i32(9)), md);
        cr_assert_eq(ok_call(e, inst, "load", ARGS(i64(3 * 65536 - 4)), md), 9);
        /* memory.fill with i64 operands: a length that would wrap the sum. */
        ok_call(e, inst, "fill", ARGS(i64(3 * 65536 - 2), i32(0xab), i64(2)), md);
        oob_call(e, inst, "fill", ARGS(i64(16), i32(0), i64(-8)), md);
        oob_call(e, inst, "fill", ARGS(i64(-8), i32(0), i64(16)), md);
        weft_engine_free(e);
    }
    weft_module_free(m);
}

/* A static offset past 32 bits, which only a 64-bit memory may have (the
 * text format of the wabt the tests use cannot write one). */
Test(memories, memory64_offset_past_32_bits)
{
    /* (func (param i64) (result i32) local.get 0 i32.load offset=2^32),
     * exported as "f", on memory `limits`. */
    for (int wide = 0; wide < 2; wide++) {
        wb_buf b = wb_module();
        if (wide)
            WB_SECTION(&b, WB_TYPE, 0x01, 0x60, 0x01, 0x7e, 0x01, 0x7f);
        else
            WB_SECTION(&b, WB_TYPE, 0x01, 0x60, 0x01, 0x7f, 0x01, 0x7f);
        WB_SECTION(&b, WB_FUNCTION, 0x01, 0x00);
        if (wide)
            WB_SECTION(&b, WB_MEMORY, 0x01, 0x04, 0x01);
        else
            WB_SECTION(&b, WB_MEMORY, 0x01, 0x00, 0x01);
        WB_SECTION(&b, WB_EXPORT, 0x01, 0x01, 'f', 0x00, 0x00);
        WB_CODE1(&b, 0x00, 0x20, 0x00, 0x28, 0x02, 0x80, 0x80, 0x80, 0x80, 0x10, 0x0b);
        weft_module *m = NULL;
        weft_error err;
        weft_status s = weft_module_load(b.data, b.len, &m, &err);
        wb_free(&b);
        if (!wide) {
            cr_assert_eq(s, WEFT_ERR_INVALID, "a 32-bit memory took a 33-bit offset");
            cr_assert(strstr(err.message, "offset out of range"), "%s", err.message);
            continue;
        }
        cr_assert_eq(s, WEFT_OK, "%s", err.message);
        FOR_EACH_MODE(md) {
            weft_engine *e = engine_with(md->dispatch, md->bounds);
            weft_instance *inst = instantiate(e, m);
            oob_call(e, inst, "f", ARGS(i64(0)), md);
            /* 2^64 - 2^32 + 2^32 wraps to 0. */
            oob_call(e, inst, "f", ARGS(i64(-((int64_t)1 << 32))), md);
            weft_engine_free(e);
        }
        weft_module_free(m);
    }
}

/* An import of a memory matches only a memory of the same index type. */
Test(memories, import_matches_the_index_type)
{
    weft_module *exp32 = wat("(module (memory (export \"mem\") 1))");
    weft_module *exp64 = wat_flags(PROPOSALS, "(module (memory (export \"mem\") i64 1))");
    weft_module *imp32 = wat("(module (import \"m\" \"mem\" (memory 1)))");
    weft_module *imp64 = wat_flags(PROPOSALS, "(module (import \"m\" \"mem\" (memory i64 1)))");
    weft_engine *e = engine();
    weft_extern mem32 = export_of(instantiate(e, exp32), "mem", WEFT_EXTERN_MEMORY);
    weft_extern mem64 = export_of(instantiate(e, exp64), "mem", WEFT_EXTERN_MEMORY);
    weft_instance *inst;
    weft_error err;
    cr_assert_eq(weft_instantiate(e, imp32, resolve_to, &mem32, &inst, &err), WEFT_OK);
    cr_assert_eq(weft_instantiate(e, imp64, resolve_to, &mem64, &inst, &err), WEFT_OK);
    cr_assert_eq(weft_instantiate(e, imp32, resolve_to, &mem64, &inst, &err), WEFT_ERR_LINK);
    cr_assert(strstr(err.message, "incompatible import type"), "%s", err.message);
    cr_assert_eq(weft_instantiate(e, imp64, resolve_to, &mem32, &inst, &err), WEFT_ERR_LINK);
    weft_engine_free(e);
    weft_module_free(imp64);
    weft_module_free(imp32);
    weft_module_free(exp64);
    weft_module_free(exp32);
}

/* memory.copy between a 32-bit and a 64-bit memory takes each address in
 * its memory's type and the length as i32; memory.init and data segments
 * reach a 64-bit memory at i64 offsets. */
Test(memories, bulk_between_index_types)
{
    weft_module *m = wat_flags(PROPOSALS,
        "(module\n"
        "  (memory $a 1)\n"
        "  (memory $w i64 1)\n"
        "  (data (memory $w) (i64.const 65532) \"\\11\\22\\33\\44\")\n"
        "  (data $p \"\\55\\66\")\n"
        "  (func (export \"to_a\") (param i32 i64 i32)\n"
        "    local.get 0 local.get 1 local.get 2 memory.copy $a $w)\n"
        "  (func (export \"to_w\") (param i64 i32 i32)\n"
        "    local.get 0 local.get 1 local.get 2 memory.copy $w $a)\n"
        "  (func (export \"init_w\") (param i64 i32 i32)\n"
        "    local.get 0 local.get 1 local.get 2 memory.init $w $p)\n"
        "  (func (export \"load_a\") (param i32) (result i32) local.get 0 i32.load $a)\n"
        "  (func (export \"load_w\") (param i64) (result i32) local.get 0 i32.load $w))\n");
    FOR_EACH_MODE(md) {
        weft_engine *e = engine_with(md->dispatch, md->bounds);
        weft_instance *inst = instantiate(e, m);
        cr_assert_eq(ok_call(e, inst, "load_w", ARGS(i64(65532)), md), 0x44332211);
        ok_call(e, inst, "to_a", ARGS(i32(100), i64(65532), i32(4)), md);
        cr_assert_eq(ok_call(e, inst, "load_a", ARGS(i32(100)), md), 0x44332211);
        oob_call(e, inst, "to_a", ARGS(i32(0), i64(-4), i32(4)), md);
        oob_call(e, inst, "to_a", ARGS(i32(0), i64(65533), i32(4)), md);
        ok_call(e, inst, "to_w", ARGS(i64(8), i32(100), i32(4)), md);
        cr_assert_eq(ok_call(e, inst, "load_w", ARGS(i64(8)), md), 0x44332211);
        oob_call(e, inst, "to_w", ARGS(i64((int64_t)1 << 32), i32(0), i32(1)), md);
        ok_call(e, inst, "init_w", ARGS(i64(65534), i32(0), i32(2)), md);
        cr_assert_eq(ok_call(e, inst, "load_w", ARGS(i64(65532)), md), 0x66552211);
        oob_call(e, inst, "init_w", ARGS(i64(65535), i32(0), i32(2)), md);
        oob_call(e, inst, "init_w", ARGS(i64(-1), i32(0), i32(0)), md);
        weft_engine_free(e);
    }
    weft_module_free(m);
}
