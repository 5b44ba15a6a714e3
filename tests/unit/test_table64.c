/* test_table64.c: 64-bit tables (memory64's i64 table indices) through the
 * public API: the limits flags 0x04 and 0x05 and the feature that admits
 * them, the i64 operands of the table instructions and call_indirect in
 * every dispatch strategy (an index past 2^32 traps and never wraps into
 * the table), table.copy between a 32-bit and a 64-bit table, and
 * weft_table_new64 with import matching. Debian's wat2wasm (1.0.32) has no
 * 64-bit tables, so the modules are assembled here byte by byte. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

#include "helpers.h"
#include "wasm_builder.h"
#include "weft.h"

#define ARGS(...) (const weft_value[]){ __VA_ARGS__ }, sizeof((const weft_value[]){ __VA_ARGS__ }) / sizeof(weft_value)

/* ---- Assembling the modules ----------------------------------------------------- */

/* Function names, indices 1 up (0 is $dbl, i32 -> i32, doubling). */
static const char *const names[] = { "call", "size", "grow", "is_null", "set", "fill",
                                     "copy_to32", "is_null32", "tail" };
#define NNAMES (sizeof names / sizeof *names)

/* (table $t64 i64 4 10 funcref) exported as "t64", (table $t32 4 funcref),
 * an active segment putting $dbl at i64 index 1 of $t64, and one function
 * per instruction (names[] and the bodies below, in order). */
static weft_module *table64_module(void)
{
    wb_buf b = wb_module();
    WB_SECTION(&b, WB_TYPE, 0x08,
               0x60, 0x01, 0x7f, 0x01, 0x7f,         /* 0: i32 -> i32 */
               0x60, 0x02, 0x7e, 0x7f, 0x01, 0x7f,   /* 1: i64 i32 -> i32 */
               0x60, 0x00, 0x01, 0x7e,               /* 2: -> i64 */
               0x60, 0x01, 0x7e, 0x01, 0x7e,         /* 3: i64 -> i64 */
               0x60, 0x01, 0x7e, 0x01, 0x7f,         /* 4: i64 -> i32 */
               0x60, 0x01, 0x7e, 0x00,               /* 5: i64 -> */
               0x60, 0x02, 0x7e, 0x7e, 0x00,         /* 6: i64 i64 -> */
               0x60, 0x03, 0x7f, 0x7e, 0x7f, 0x00);  /* 7: i32 i64 i32 -> */
    WB_SECTION(&b, WB_FUNCTION, 0x0a, 0, 1, 2, 3, 4, 5, 6, 7, 0, 1);
    /* Flags 0x05: i64 indices with a maximum; 0x00: a plain table. */
    WB_SECTION(&b, WB_TABLE, 0x02, 0x70, 0x05, 0x04, 0x0a, 0x70, 0x00, 0x04);
    wb_buf ex = { 0 };
    wb_uleb(&ex, NNAMES + 1);
    wb_put(&ex, WB_BYTES(0x03, 't', '6', '4', 0x01, 0x00));
    for (uint32_t i = 0; i < NNAMES; i++)
        wb_export_func(&ex, names[i], i + 1);
    wb_section(&b, WB_EXPORT, ex.data, ex.len);
    wb_free(&ex);
    /* Flags 2: table 0, offset (i64.const 1), elemkind funcref, [$dbl]. */
    WB_SECTION(&b, WB_ELEMENT, 0x01, 0x02, 0x00, 0x42, 0x01, 0x0b, 0x00, 0x01, 0x00);
    wb_buf code = { 0 };
    wb_uleb(&code, NNAMES + 1);
    WB_BODY(&code, 0x20, 0x00, 0x41, 0x02, 0x6c);                    /* $dbl */
    WB_BODY(&code, 0x20, 0x01, 0x20, 0x00, 0x11, 0x00, 0x00);        /* call_indirect $t64 */
    WB_BODY(&code, 0xfc, 0x10, 0x00);                                /* table.size $t64 */
    WB_BODY(&code, 0xd0, 0x70, 0x20, 0x00, 0xfc, 0x0f, 0x00);        /* table.grow $t64 null */
    WB_BODY(&code, 0x20, 0x00, 0x25, 0x00, 0xd1);                    /* table.get, ref.is_null */
    WB_BODY(&code, 0x20, 0x00, 0xd2, 0x00, 0x26, 0x00);              /* table.set $dbl */
    WB_BODY(&code, 0x20, 0x00, 0xd2, 0x00, 0x20, 0x01, 0xfc, 0x11, 0x00); /* table.fill $dbl */
    WB_BODY(&code, 0x20, 0x00, 0x20, 0x01, 0x20, 0x02, 0xfc, 0x0e, 0x01, 0x00); /* copy $t32 $t64 */
    WB_BODY(&code, 0x20, 0x00, 0x25, 0x01, 0xd1);                    /* $t32: get, is_null */
    WB_BODY(&code, 0x20, 0x01, 0x20, 0x00, 0x13, 0x00, 0x00);        /* return_call_indirect */
    wb_section(&b, WB_CODE, code.data, code.len);
    wb_free(&code);
    weft_module *m = load_ok(b.data, b.len);
    wb_free(&b);
    return m;
}

/* ---- Calls ---------------------------------------------------------------------- */

static void trap_call(weft_engine *e, weft_instance *inst, const char *name,
                      const weft_value *args, size_t n, const char *message, const mode *md)
{
    weft_error err;
    cr_assert_eq(call(e, inst, name, args, n, NULL, &err), WEFT_ERR_TRAP, "%s (%s) did not trap",
                 name, mode_name(md));
    cr_assert(strstr(err.message, message), "%s (%s): %s", name, mode_name(md), err.message);
}

#define BIG INT64_C(0x100000000) /* 2^32: index 1 if it wrapped to 32 bits */

/* ---- Tests ---------------------------------------------------------------------- */

Test(table64, flags_and_feature)
{
    weft_error err;
    /* Flag 0x04 (i64, no maximum) loads by default; memory64 off makes
     * it malformed, as in 2.0. */
    wb_buf b = wb_module();
    WB_SECTION(&b, WB_TABLE, 0x01, 0x70, 0x04, 0x01);
    cr_assert_eq(wb_load_with(&b, NULL, &err), WEFT_OK, "%s", err.message);
    weft_features no_64;
    weft_features_init(&no_64);
    no_64.memory64 = false;
    b = wb_module();
    WB_SECTION(&b, WB_TABLE, 0x01, 0x70, 0x04, 0x01);
    cr_assert_eq(wb_load_with(&b, &no_64, &err), WEFT_ERR_MALFORMED, "%s", err.message);

    /* A 64-bit table may declare a maximum past 2^32. */
    b = wb_module();
    WB_SECTION(&b, WB_TABLE, 0x01, 0x70, 0x05, 0x00, 0x80, 0x80, 0x80, 0x80, 0x10);
    cr_assert_eq(wb_load_with(&b, NULL, &err), WEFT_OK, "%s", err.message);
    b = wb_module();
    WB_SECTION(&b, WB_TABLE, 0x01, 0x70, 0x01, 0x00, 0x80, 0x80, 0x80, 0x80, 0x10);
    cr_assert_neq(wb_load_with(&b, NULL, &err), WEFT_OK);

    /* table.get of a 64-bit table takes an i64: an i32 is a type mismatch. */
    b = wb_module();
    WB_SECTION(&b, WB_TYPE, 0x01, 0x60, 0x00, 0x00);
    WB_SECTION(&b, WB_FUNCTION, 0x01, 0x00);
    WB_SECTION(&b, WB_TABLE, 0x01, 0x70, 0x04, 0x01);
    WB_CODE1(&b, 0x00, 0x41, 0x00, 0x25, 0x00, 0x1a, 0x0b);
    cr_assert_eq(wb_load_with(&b, NULL, &err), WEFT_ERR_INVALID);
    cr_assert(strstr(err.message, "type mismatch"), "%s", err.message);
    /* ... and so is an i32 offset for its element segment. */
    b = wb_module();
    WB_SECTION(&b, WB_TABLE, 0x01, 0x70, 0x04, 0x01);
    WB_SECTION(&b, WB_ELEMENT, 0x01, 0x02, 0x00, 0x41, 0x00, 0x0b, 0x00, 0x00);
    cr_assert_eq(wb_load_with(&b, NULL, &err), WEFT_ERR_INVALID, "%s", err.message);
}

Test(table64, instructions_in_every_mode)
{
    weft_module *m = table64_module();
    FOR_EACH_MODE(md) {
        weft_engine *e = engine_with(md->dispatch, md->bounds);
        weft_instance *inst = instantiate(e, m);
        weft_table *t64 = export_of(inst, "t64", WEFT_EXTERN_TABLE).of.table;
        cr_assert(weft_table_is64(t64));

        /* The segment's i64 offset put $dbl at 1. */
        cr_assert_eq(ok_call(e, inst, "size", NULL, 0, md), 4);
        cr_assert_eq(ok_call(e, inst, "is_null", ARGS(i64(1)), md), 0);
        cr_assert_eq(ok_call(e, inst, "is_null", ARGS(i64(0)), md), 1);
        cr_assert_eq(ok_call(e, inst, "call", ARGS(i64(1), i32(21)), md), 42);
        cr_assert_eq(ok_call(e, inst, "tail", ARGS(i64(1), i32(5)), md), 10);
        trap_call(e, inst, "call", ARGS(i64(0), i32(1)), "uninitialized element", md);
        /* 2^32 + 1 is no alias of 1. */
        trap_call(e, inst, "call", ARGS(i64(BIG + 1), i32(1)), "undefined element", md);
        trap_call(e, inst, "tail", ARGS(i64(BIG + 1), i32(1)), "undefined element", md);
        trap_call(e, inst, "is_null", ARGS(i64(BIG + 1)), "out of bounds table access", md);
        trap_call(e, inst, "set", ARGS(i64(BIG)), "out of bounds table access", md);

        /* table.grow returns the old size as an i64, or -1. */
        cr_assert_eq(ok_call(e, inst, "grow", ARGS(i64(2)), md), 4);
        cr_assert_eq(ok_call(e, inst, "size", NULL, 0, md), 6);
        cr_assert_eq(ok_call(e, inst, "grow", ARGS(i64(BIG)), md), -1);
        cr_assert_eq(ok_call(e, inst, "grow", ARGS(i64(-1)), md), -1);
        cr_assert_eq(ok_call(e, inst, "grow", ARGS(i64(5)), md), -1); /* past the max of 10 */
        cr_assert_eq(ok_call(e, inst, "grow", ARGS(i64(4)), md), 6);
        cr_assert_eq(weft_table_size(t64), 10);

        ok_call(e, inst, "set", ARGS(i64(9)), md);
        cr_assert_eq(ok_call(e, inst, "is_null", ARGS(i64(9)), md), 0);
        ok_call(e, inst, "fill", ARGS(i64(4), i64(2)), md);
        cr_assert_eq(ok_call(e, inst, "is_null", ARGS(i64(5)), md), 0);
        cr_assert_eq(ok_call(e, inst, "is_null", ARGS(i64(6)), md), 1);
        ok_call(e, inst, "fill", ARGS(i64(10), i64(0)), md);
        trap_call(e, inst, "fill", ARGS(i64(9), i64(2)), "out of bounds table access", md);
        trap_call(e, inst, "fill", ARGS(i64(BIG), i64(0)), "out of bounds table access", md);
        trap_call(e, inst, "fill", ARGS(i64(0), i64(BIG + 1)), "out of bounds table access", md);

        /* table.copy $t32 $t64: i32 destination and length, i64 source. */
        cr_assert_eq(ok_call(e, inst, "is_null32", ARGS(i32(0)), md), 1);
        ok_call(e, inst, "copy_to32", ARGS(i32(0), i64(1), i32(1)), md);
        cr_assert_eq(ok_call(e, inst, "is_null32", ARGS(i32(0)), md), 0);
        trap_call(e, inst, "copy_to32", ARGS(i32(2), i64(BIG + 1), i32(1)),
                  "out of bounds table access", md);
        cr_assert_eq(ok_call(e, inst, "is_null32", ARGS(i32(2)), md), 1);
        weft_engine_free(e);
    }
    weft_module_free(m);
}

/* A module importing table m.t, 64-bit (flags 0x04) or not, minimum 2. */
static weft_module *importer(bool is64)
{
    wb_buf b = wb_module();
    WB_SECTION(&b, WB_IMPORT, 0x01, 0x01, 'm', 0x01, 't', 0x01, 0x70, is64 ? 0x04 : 0x00, 0x02);
    weft_module *m = load_ok(b.data, b.len);
    wb_free(&b);
    return m;
}

Test(table64, host_tables_and_import_matching)
{
    weft_engine *e = engine();
    weft_extern t64 = { .kind = WEFT_EXTERN_TABLE }, t32 = { .kind = WEFT_EXTERN_TABLE };
    cr_assert_eq(weft_table_new64(e, WEFT_FUNCREF, 3, UINT64_MAX, &t64.of.table), WEFT_OK);
    cr_assert_eq(weft_table_new(e, WEFT_FUNCREF, 3, UINT64_MAX, &t32.of.table), WEFT_OK);
    cr_assert(weft_table_is64(t64.of.table));
    cr_assert(!weft_table_is64(t32.of.table));
    cr_assert_eq(weft_table_size(t64.of.table), 3);
    /* A 64-bit table's maximum may pass 2^32 (a 32-bit one's may not). */
    weft_table *big;
    cr_assert_eq(weft_table_new64(e, WEFT_EXTERNREF, 0, UINT64_C(1) << 40, &big), WEFT_OK);
    cr_assert_eq(weft_table_new(e, WEFT_EXTERNREF, 0, UINT64_C(1) << 40, &big), WEFT_ERR_ARGUMENT);

    /* The index type must match, both ways. */
    weft_module *m64 = importer(true), *m32 = importer(false);
    weft_instance *inst;
    weft_error err;
    cr_assert_eq(weft_instantiate(e, m64, resolve_to, &t64, &inst, &err), WEFT_OK, "%s",
                 err.message);
    cr_assert_eq(weft_instantiate(e, m64, resolve_to, &t32, &inst, &err), WEFT_ERR_LINK);
    cr_assert_eq(weft_instantiate(e, m32, resolve_to, &t64, &inst, &err), WEFT_ERR_LINK);
    cr_assert_eq(weft_instantiate(e, m32, resolve_to, &t32, &inst, &err), WEFT_OK, "%s",
                 err.message);
    weft_engine_free(e);
    weft_module_free(m64);
    weft_module_free(m32);
}
