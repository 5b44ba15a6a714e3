/* test_typed_refs.c: unit tests of typed function references (WebAssembly
 * 3.0): call_ref, return_call_ref, br_on_null, br_on_non_null and
 * ref.as_non_null run in every dispatch strategy; the validator's typing
 * of references (subtyping, structural type equality, local
 * initialisation, tables of non-null references); the feature switch; and
 * what the embedding API shows of typed tables and globals. Wabt's
 * wat2wasm does not know the final text syntax, so modules are bytes. */
#include <criterion/criterion.h>
#include <string.h>

#include "helpers.h"
#include "wasm_builder.h"

/* Opcodes and type bytes, named so the bodies read as code. */
enum {
    UNREACHABLE = 0x00, BLOCK = 0x02, IF = 0x04, END = 0x0b, BR = 0x0c, RETURN = 0x0f,
    CALL_REF = 0x14, RETURN_CALL_REF = 0x15, DROP = 0x1a, LOCAL_GET = 0x20,
    LOCAL_SET = 0x21, TABLE_GET = 0x25, I32_CONST = 0x41, I32_ADD = 0x6a, REF_NULL = 0xd0,
    REF_IS_NULL = 0xd1, REF_FUNC = 0xd2, REF_AS_NON_NULL = 0xd4, BR_ON_NULL = 0xd5,
    BR_ON_NON_NULL = 0xd6, I32 = 0x7f, FUNCREF = 0x70, EXTERNREF = 0x6f, REF_NULLABLE = 0x63,
    REF = 0x64, FUNC_FORM = 0x60, EMPTY = 0x40,
};

/* Loads `b` with every feature on (function references included). */
static weft_status load_typed(wb_buf *b, weft_module **m, weft_error *err)
{
    weft_status s = weft_module_load(b->data, b->len, m, err);
    wb_free(b);
    return s;
}

/* Loads `b` with every feature on, expecting failure with `status` and a
 * message containing `expect`. */
static void expect_rejected(wb_buf *b, weft_status status, const char *expect)
{
    weft_module *m = NULL;
    weft_error err;
    weft_status s = load_typed(b, &m, &err);
    weft_module_free(m);
    cr_assert_eq(s, status, "status %d (%s), expected %d", s, err.message, status);
    cr_assert(strstr(err.message, expect), "message \"%s\" lacks \"%s\"", err.message, expect);
}

static void expect_valid(wb_buf *b)
{
    weft_module *m = NULL;
    weft_error err;
    weft_status s = load_typed(b, &m, &err);
    weft_module_free(m);
    cr_assert_eq(s, WEFT_OK, "expected a valid module: %s", err.message);
}

/* Appends a code section whose entries are the `n` given byte lists. */
static void code_section(wb_buf *b, uint32_t n, const uint8_t *const *entries,
                         const size_t *sizes)
{
    wb_buf c = { 0 };
    wb_uleb(&c, n);
    for (uint32_t i = 0; i < n; i++) {
        wb_uleb(&c, sizes[i]);
        wb_put(&c, entries[i], sizes[i]);
    }
    wb_section(b, WB_CODE, c.data, c.len);
    wb_free(&c);
}

#define ENTRY(...) (const uint8_t[]){ __VA_ARGS__ }
#define ENTRY_SIZE(...) sizeof((const uint8_t[]){ __VA_ARGS__ })

/* ---- Running ------------------------------------------------------------------------- */

/* The module the run tests share. Type 0 is [i32] -> [i32]; function 0
 * ($inc) adds one. The exports, all of type 0:
 *   go(x)      = call_ref of ref.func $inc with x: x + 1
 *   null(x)    = call_ref of (ref.null 0): traps
 *   tail(x)    = return_call_ref of ref.func $inc: x + 1
 *   on_null(s) = br_on_null on a local set to $inc when s != 0: 7 when
 *                null, else $inc(7) = 8
 *   on_value(s) = br_on_non_null on the same: 100 (s32 0xe4 0x00) when null,
 *                else $inc(5)
 *   as_non_null(s) = ref.as_non_null on the same: traps when null, else 1
 * The local is (ref null 0); the block of on_value yields (ref 0). */
static wb_buf run_module(void)
{
    wb_buf b = wb_module();
    WB_SECTION(&b, WB_TYPE, 0x01, FUNC_FORM, 0x01, I32, 0x01, I32);
    WB_SECTION(&b, WB_FUNCTION, 0x07, 0, 0, 0, 0, 0, 0, 0);
    WB_SECTION(&b, WB_EXPORT, 0x06,
               2, 'g', 'o', 0x00, 1,
               4, 'n', 'u', 'l', 'l', 0x00, 2,
               4, 't', 'a', 'i', 'l', 0x00, 3,
               7, 'o', 'n', '_', 'n', 'u', 'l', 'l', 0x00, 4,
               8, 'o', 'n', '_', 'v', 'a', 'l', 'u', 'e', 0x00, 5,
               11, 'a', 's', '_', 'n', 'o', 'n', '_', 'n', 'u', 'l', 'l', 0x00, 6);
    /* A declarative segment declares $inc for ref.func. */
    WB_SECTION(&b, WB_ELEMENT, 0x01, 0x03, 0x00, 0x01, 0x00);
#define SET_LOCAL1_IF_ARG LOCAL_GET, 0, IF, EMPTY, REF_FUNC, 0, LOCAL_SET, 1, END
    const uint8_t *entries[] = {
        ENTRY(0x00, LOCAL_GET, 0, I32_CONST, 1, I32_ADD, END),
        ENTRY(0x00, LOCAL_GET, 0, REF_FUNC, 0, CALL_REF, 0, END),
        ENTRY(0x00, LOCAL_GET, 0, REF_NULL, 0x00, CALL_REF, 0, END),
        ENTRY(0x00, LOCAL_GET, 0, REF_FUNC, 0, RETURN_CALL_REF, 0, END),
        ENTRY(0x01, 0x01, REF_NULLABLE, 0x00, SET_LOCAL1_IF_ARG,
              BLOCK, I32, I32_CONST, 7, LOCAL_GET, 1, BR_ON_NULL, 0, CALL_REF, 0, END, END),
        ENTRY(0x01, 0x02, REF_NULLABLE, 0x00, SET_LOCAL1_IF_ARG,
              BLOCK, REF, 0x00, LOCAL_GET, 1, BR_ON_NON_NULL, 0, I32_CONST, 0xe4, 0x00, RETURN, END,
              LOCAL_SET, 2, I32_CONST, 5, LOCAL_GET, 2, CALL_REF, 0, END),
        ENTRY(0x01, 0x01, REF_NULLABLE, 0x00, SET_LOCAL1_IF_ARG,
              LOCAL_GET, 1, REF_AS_NON_NULL, DROP, I32_CONST, 1, END),
    };
    const size_t sizes[] = {
        ENTRY_SIZE(0x00, LOCAL_GET, 0, I32_CONST, 1, I32_ADD, END),
        ENTRY_SIZE(0x00, LOCAL_GET, 0, REF_FUNC, 0, CALL_REF, 0, END),
        ENTRY_SIZE(0x00, LOCAL_GET, 0, REF_NULL, 0x00, CALL_REF, 0, END),
        ENTRY_SIZE(0x00, LOCAL_GET, 0, REF_FUNC, 0, RETURN_CALL_REF, 0, END),
        ENTRY_SIZE(0x01, 0x01, REF_NULLABLE, 0x00, SET_LOCAL1_IF_ARG,
                   BLOCK, I32, I32_CONST, 7, LOCAL_GET, 1, BR_ON_NULL, 0, CALL_REF, 0, END, END),
        ENTRY_SIZE(0x01, 0x02, REF_NULLABLE, 0x00, SET_LOCAL1_IF_ARG,
                   BLOCK, REF, 0x00, LOCAL_GET, 1, BR_ON_NON_NULL, 0, I32_CONST, 0xe4, 0x00, RETURN,
                   END, LOCAL_SET, 2, I32_CONST, 5, LOCAL_GET, 2, CALL_REF, 0, END),
        ENTRY_SIZE(0x01, 0x01, REF_NULLABLE, 0x00, SET_LOCAL1_IF_ARG,
                   LOCAL_GET, 1, REF_AS_NON_NULL, DROP, I32_CONST, 1, END),
    };
#undef SET_LOCAL1_IF_ARG
    code_section(&b, 7, entries, sizes);
    return b;
}

/* Calls export `name` with `arg`: the status, the result in *out and the
 * error in *err. */
static weft_status call1(weft_engine *e, const weft_instance *inst, const char *name, int32_t arg,
                         int32_t *out, weft_error *err)
{
    weft_value a = i32(arg), r;
    weft_status s = weft_call(e, func_of(inst, name), &a, 1, &r, 1, err);
    if (s == WEFT_OK)
        *out = r.of.i32;
    return s;
}

/* Runs `name` with `arg` and expects `want`. */
static void expect_result(weft_engine *e, const weft_instance *inst, const char *name,
                          int32_t arg, int32_t want, const char *mode)
{
    weft_error err;
    int32_t got = 0;
    cr_assert_eq(call1(e, inst, name, arg, &got, &err), WEFT_OK, "%s: %s(%d): %s", mode, name,
                 arg, err.message);
    cr_assert_eq(got, want, "%s: %s(%d) = %d, expected %d", mode, name, arg, got, want);
}

/* Runs `name` with `arg` and expects a trap whose message has `expect`. */
static void expect_trap(weft_engine *e, const weft_instance *inst, const char *name, int32_t arg,
                        const char *expect, const char *mode)
{
    weft_error err;
    int32_t got = 0;
    cr_assert_eq(call1(e, inst, name, arg, &got, &err), WEFT_ERR_TRAP, "%s: %s(%d) did not trap",
                 mode, name, arg);
    cr_assert(strstr(err.message, expect), "%s: trap \"%s\" lacks \"%s\"", mode, err.message,
              expect);
}

Test(typed_refs, instructions_run_in_every_strategy)
{
    FOR_EACH_MODE(md) {
        const char *name = mode_name(md);
        wb_buf b = run_module();
        weft_module *m = NULL;
        weft_error err;
        cr_assert_eq(load_typed(&b, &m, &err), WEFT_OK, "%s", err.message);
        weft_engine *e = engine_with(md->dispatch, md->bounds);
        weft_instance *inst = instantiate(e, m);
        expect_result(e, inst, "go", 41, 42, name);
        expect_trap(e, inst, "null", 1, "null function reference", name);
        expect_result(e, inst, "tail", -1, 0, name);
        expect_result(e, inst, "on_null", 0, 7, name);
        expect_result(e, inst, "on_null", 1, 8, name);
        expect_result(e, inst, "on_value", 0, 100, name);
        expect_result(e, inst, "on_value", 1, 6, name);
        expect_result(e, inst, "as_non_null", 1, 1, name);
        expect_trap(e, inst, "as_non_null", 0, "null reference", name);
        weft_engine_free(e);
        weft_module_free(m);
    }
}

/* ---- Validation ------------------------------------------------------------------------ */

/* A module of one function of type [] -> [] (type 0, with type 1 being
 * [i32] -> [i32]) whose entry is `entry`; function 1 of type 1 exists for
 * ref.func, declared by an element segment. */
static wb_buf body_module(const uint8_t *entry, size_t n)
{
    wb_buf b = wb_module();
    WB_SECTION(&b, WB_TYPE, 0x02, FUNC_FORM, 0x00, 0x00, FUNC_FORM, 0x01, I32, 0x01, I32);
    WB_SECTION(&b, WB_FUNCTION, 0x02, 0, 1);
    WB_SECTION(&b, WB_ELEMENT, 0x01, 0x03, 0x00, 0x01, 0x01);
    const uint8_t *entries[] = { entry, ENTRY(0x00, LOCAL_GET, 0, END) };
    const size_t sizes[] = { n, ENTRY_SIZE(0x00, LOCAL_GET, 0, END) };
    code_section(&b, 2, entries, sizes);
    return b;
}

#define BODY(...) body_module(WB_BYTES(__VA_ARGS__))

Test(typed_refs, non_null_locals_must_be_set_before_use)
{
    /* (local (ref 1)) read before any set. */
    wb_buf b = BODY(0x01, 0x01, REF, 0x01, LOCAL_GET, 0, DROP, END);
    expect_rejected(&b, WEFT_ERR_INVALID, "uninitialized local");
    /* Set, then read: valid. */
    b = BODY(0x01, 0x01, REF, 0x01, REF_FUNC, 1, LOCAL_SET, 0, LOCAL_GET, 0, DROP, END);
    expect_valid(&b);
    /* Set inside a block: unset again after its end. */
    b = BODY(0x01, 0x01, REF, 0x01, BLOCK, EMPTY, REF_FUNC, 1, LOCAL_SET, 0, END,
             LOCAL_GET, 0, DROP, END);
    expect_rejected(&b, WEFT_ERR_INVALID, "uninitialized local");
    /* A nullable local has a default (null): always readable. */
    b = BODY(0x01, 0x01, REF_NULLABLE, 0x01, LOCAL_GET, 0, DROP, END);
    expect_valid(&b);
}

Test(typed_refs, subtyping_of_references)
{
    /* ref.func gives (ref 1), which is a funcref. */
    wb_buf b = BODY(0x01, 0x01, FUNCREF, REF_FUNC, 1, LOCAL_SET, 0, END);
    expect_valid(&b);
    /* A funcref is no (ref null 1). */
    b = BODY(0x02, 0x01, FUNCREF, 0x01, REF_NULLABLE, 0x01, LOCAL_GET, 0, LOCAL_SET, 1, END);
    expect_rejected(&b, WEFT_ERR_INVALID, "type mismatch");
    /* A nullable reference is no (ref 1): call_ref takes (ref null 1)
     * though. */
    b = BODY(0x01, 0x01, REF_NULLABLE, 0x01, I32_CONST, 1, LOCAL_GET, 0, CALL_REF, 1, DROP,
             END);
    expect_valid(&b);
    /* call_ref of another type's reference. */
    b = BODY(0x00, REF_FUNC, 1, CALL_REF, 0, END);
    expect_rejected(&b, WEFT_ERR_INVALID, "type mismatch");
    /* An externref is no function reference. */
    b = BODY(0x00, I32_CONST, 1, REF_NULL, EXTERNREF, CALL_REF, 1, DROP, END);
    expect_rejected(&b, WEFT_ERR_INVALID, "type mismatch");
    /* br_on_non_null needs a label that takes the reference. */
    b = BODY(0x00, REF_FUNC, 1, BR_ON_NON_NULL, 0, END);
    expect_rejected(&b, WEFT_ERR_INVALID, "br_on_non_null");
    /* After unreachable the operand is of the bottom type: ref.as_non_null
     * and br_on_null accept it, and i32.add does not take a reference. */
    b = BODY(0x00, UNREACHABLE, REF_AS_NON_NULL, DROP, END);
    expect_valid(&b);
    b = BODY(0x00, UNREACHABLE, BR_ON_NULL, 0, I32_CONST, 1, I32_ADD, DROP, END);
    expect_rejected(&b, WEFT_ERR_INVALID, "type mismatch");
}

Test(typed_refs, equal_function_types_are_one_type)
{
    /* Types 0 and 1 are both [] -> [i32], type 2 takes (ref 0) and type 3
     * (ref 1): they are equal as well, so a (ref 2) is a (ref null 3). */
    wb_buf b = wb_module();
    WB_SECTION(&b, WB_TYPE, 0x05,
               FUNC_FORM, 0x00, 0x01, I32,
               FUNC_FORM, 0x00, 0x01, I32,
               FUNC_FORM, 0x01, REF, 0x00, 0x00,
               FUNC_FORM, 0x01, REF, 0x01, 0x00,
               FUNC_FORM, 0x00, 0x00);
    WB_SECTION(&b, WB_FUNCTION, 0x02, 2, 4);
    WB_SECTION(&b, WB_ELEMENT, 0x01, 0x03, 0x00, 0x01, 0x00);
    const uint8_t *entries[] = {
        ENTRY(0x00, END),
        ENTRY(0x01, 0x01, REF_NULLABLE, 0x03, REF_FUNC, 0, LOCAL_SET, 0, END),
    };
    const size_t sizes[] = {
        ENTRY_SIZE(0x00, END),
        ENTRY_SIZE(0x01, 0x01, REF_NULLABLE, 0x03, REF_FUNC, 0, LOCAL_SET, 0, END),
    };
    code_section(&b, 2, entries, sizes);
    expect_valid(&b);
}

Test(typed_refs, types_name_only_earlier_types)
{
    /* Type 0 refers to type 1, which comes after it. */
    wb_buf b = wb_module();
    WB_SECTION(&b, WB_TYPE, 0x02, FUNC_FORM, 0x01, REF, 0x01, 0x00, FUNC_FORM, 0x00, 0x00);
    expect_rejected(&b, WEFT_ERR_INVALID, "unknown type 1");
    /* A type index past the types in a local. */
    b = BODY(0x01, 0x01, REF_NULLABLE, 0x09, END);
    expect_rejected(&b, WEFT_ERR_INVALID, "unknown type 9");
    /* A heap type byte that is none. */
    b = BODY(0x01, 0x01, REF_NULLABLE, 0x7f, END);
    expect_rejected(&b, WEFT_ERR_MALFORMED, "heap type");
}

/* ---- Tables and globals ------------------------------------------------------------------- */

/* A host function giving 7 (of any type with one i32 result). */
static weft_status host_i32(void *user, const weft_value *args, weft_value *results,
                            weft_error *err)
{
    (void)user, (void)args, (void)err;
    results[0] = i32(7);
    return WEFT_OK;
}

/* A module with type 0 = [] -> [i32], function 0 of it returning 7, and an
 * exported table "t" of 2 (ref 0) elements starting as ref.func 0
 * (the 0x40 0x00 table form), plus export "first": (table.get 0) called. */
static wb_buf table_module(void)
{
    wb_buf b = wb_module();
    WB_SECTION(&b, WB_TYPE, 0x01, FUNC_FORM, 0x00, 0x01, I32);
    WB_SECTION(&b, WB_FUNCTION, 0x02, 0, 0);
    WB_SECTION(&b, WB_TABLE, 0x01, 0x40, 0x00, REF, 0x00, 0x00, 0x02, REF_FUNC, 0, END);
    WB_SECTION(&b, WB_EXPORT, 0x02, 1, 't', 0x01, 0, 5, 'f', 'i', 'r', 's', 't', 0x00, 1);
    const uint8_t *entries[] = {
        ENTRY(0x00, I32_CONST, 7, END),
        ENTRY(0x00, I32_CONST, 0, TABLE_GET, 0, CALL_REF, 0, END),
    };
    const size_t sizes[] = {
        ENTRY_SIZE(0x00, I32_CONST, 7, END),
        ENTRY_SIZE(0x00, I32_CONST, 0, TABLE_GET, 0, CALL_REF, 0, END),
    };
    code_section(&b, 2, entries, sizes);
    return b;
}

Test(typed_refs, table_of_non_null_references)
{
    wb_buf b = table_module();
    weft_module *m = NULL;
    weft_error err;
    cr_assert_eq(load_typed(&b, &m, &err), WEFT_OK, "%s", err.message);
    weft_engine *e = engine();
    weft_instance *inst = instantiate(e, m);
    weft_value r;
    cr_assert_eq(weft_call(e, func_of(inst, "first"), NULL, 0, &r, 1, &err), WEFT_OK, "%s",
                 err.message);
    cr_assert_eq(r.of.i32, 7);
    /* What the API shows of the table, and what it refuses to put in. */
    weft_table *t = export_of(inst, "t", WEFT_EXTERN_TABLE).of.table;
    cr_assert_eq(weft_table_kind(t), WEFT_FUNCREF);
    weft_reftype rt = weft_table_reftype(t);
    cr_assert(rt.kind == WEFT_FUNCREF && !rt.nullable && rt.typed);
    cr_assert_eq(weft_table_set(t, 0, ref(WEFT_FUNCREF, NULL), &err), WEFT_ERR_ARGUMENT);
    /* A host function of another type does not fit; one of the same type,
     * [] -> [i32], does, and so does the module's own. */
    weft_func *other = NULL, *same = NULL;
    weft_valkind k = WEFT_I32;
    cr_assert_eq(weft_func_new(e, &k, 1, &k, 1, host_i32, NULL, &other), WEFT_OK);
    cr_assert_eq(weft_table_set(t, 0, ref(WEFT_FUNCREF, other), &err), WEFT_ERR_ARGUMENT);
    cr_assert_eq(weft_func_new(e, NULL, 0, &k, 1, host_i32, NULL, &same), WEFT_OK);
    cr_assert_eq(weft_table_set(t, 0, ref(WEFT_FUNCREF, same), &err), WEFT_OK, "%s",
                 err.message);
    cr_assert_eq(weft_call(e, func_of(inst, "first"), NULL, 0, &r, 1, &err), WEFT_OK, "%s",
                 err.message);
    cr_assert_eq(r.of.i32, 7);
    weft_value own;
    cr_assert_eq(weft_table_get(t, 1, &own, &err), WEFT_OK);
    cr_assert_neq(own.of.ref, NULL);
    cr_assert_eq(weft_table_set(t, 0, own, &err), WEFT_OK, "%s", err.message);
    cr_assert_eq(weft_table_set(t, 0, ref(WEFT_FUNCREF, func_of(inst, "first")), &err),
                 WEFT_OK, "%s", err.message);
    weft_engine_free(e);
    weft_module_free(m);

    /* Without an initial value a table of (ref 0) is invalid. */
    b = wb_module();
    WB_SECTION(&b, WB_TYPE, 0x01, FUNC_FORM, 0x00, 0x01, I32);
    WB_SECTION(&b, WB_TABLE, 0x01, REF, 0x00, 0x00, 0x02);
    expect_rejected(&b, WEFT_ERR_INVALID, "initial value");
}

Test(typed_refs, global_imports_match_by_subtyping)
{
    weft_engine *e = engine();
    weft_extern g = { .kind = WEFT_EXTERN_GLOBAL };
    cr_assert_eq(weft_global_new(e, ref(WEFT_FUNCREF, NULL), false, &g.of.global), WEFT_OK);
    weft_reftype rt;
    cr_assert(weft_global_reftype(g.of.global, &rt));
    cr_assert(rt.kind == WEFT_FUNCREF && rt.nullable && !rt.typed);
    /* An immutable funcref global fits an import of (ref null func)... */
    wb_buf b = wb_module();
    WB_SECTION(&b, WB_IMPORT, 0x01, 1, 'm', 1, 'g', 0x03, REF_NULLABLE, FUNCREF, 0x00);
    weft_module *m = NULL;
    weft_error err;
    cr_assert_eq(load_typed(&b, &m, &err), WEFT_OK, "%s", err.message);
    weft_instance *inst = NULL;
    cr_assert_eq(weft_instantiate(e, m, resolve_to, &g, &inst, &err), WEFT_OK, "%s",
                 err.message);
    /* ...but not one of (ref func), which cannot be null. (The first
     * module outlives its instance, as weft_instantiate asks.) */
    weft_module *m_non_null = NULL;
    b = wb_module();
    WB_SECTION(&b, WB_IMPORT, 0x01, 1, 'm', 1, 'g', 0x03, REF, FUNCREF, 0x00);
    cr_assert_eq(load_typed(&b, &m_non_null, &err), WEFT_OK, "%s", err.message);
    weft_instance *refused = NULL;
    cr_assert_eq(weft_instantiate(e, m_non_null, resolve_to, &g, &refused, &err),
                 WEFT_ERR_LINK);
    weft_module_free(m_non_null);
    /* A host function is a funcref: a mutable global of funcref takes it,
     * and no null goes into a global of a number. */
    weft_func *f = NULL;
    weft_valkind res = WEFT_I32;
    cr_assert_eq(weft_func_new(e, NULL, 0, &res, 1, host_i32, NULL, &f), WEFT_OK);
    weft_global *mut = NULL;
    cr_assert_eq(weft_global_new(e, ref(WEFT_FUNCREF, NULL), true, &mut), WEFT_OK);
    cr_assert_eq(weft_global_set(mut, ref(WEFT_FUNCREF, f), &err), WEFT_OK, "%s", err.message);
    weft_global *num = NULL;
    cr_assert_eq(weft_global_new(e, i32(1), false, &num), WEFT_OK);
    cr_assert(!weft_global_reftype(num, &rt));
    weft_engine_free(e);
    weft_module_free(m);
}

/* ---- The feature switch ------------------------------------------------------------------ */

Test(typed_refs, disabled_feature_rejects_typed_references)
{
    weft_features off;
    weft_features_init(&off);
    off.function_references = false;
    /* A typed reference in a type is a malformed value type... */
    wb_buf b = wb_module();
    WB_SECTION(&b, WB_TYPE, 0x01, FUNC_FORM, 0x01, REF_NULLABLE, FUNCREF, 0x00);
    weft_error err;
    cr_assert_eq(wb_load_with(&b, &off, &err), WEFT_ERR_MALFORMED);
    /* ...and call_ref an illegal opcode. */
    b = BODY(0x00, I32_CONST, 1, REF_FUNC, 1, CALL_REF, 1, DROP, END);
    cr_assert_eq(wb_load_with(&b, &off, &err), WEFT_ERR_MALFORMED);
    cr_assert(strstr(err.message, "illegal opcode"), "%s", err.message);
    /* With it on, both load. */
    b = BODY(0x00, I32_CONST, 1, REF_FUNC, 1, CALL_REF, 1, DROP, END);
    expect_valid(&b);
}
