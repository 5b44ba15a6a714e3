/* test_exceptions.c: exception handling through the public API: throw,
 * try_table with each kind of catch clause (to a block, a loop and the
 * function's own label), throw_ref, the legacy try with catch, catch_all,
 * delegate and rethrow, exceptions crossing a host function that calls
 * back into Wasm, uncaught exceptions at the embedder boundary, and the
 * feature switch. wabt's wat2wasm reads the legacy instructions but not
 * try_table, so the try_table module is assembled here byte by byte. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "helpers.h"
#include "wasm_builder.h"

#define EXN "--enable-exceptions"

static weft_status call1(weft_engine *e, weft_func *f, int32_t arg, int32_t *result,
                         weft_error *err)
{
    weft_value a = i32(arg), r[1] = { { 0 } };
    weft_status s = weft_call(e, f, &a, 1, r, 1, err);
    if (!s)
        *result = r[0].of.i32;
    return s;
}

static int32_t expect1(weft_engine *e, const weft_instance *inst, const char *name, int32_t arg)
{
    weft_error err;
    int32_t r = 0;
    weft_status s = call1(e, func_of(inst, name), arg, &r, &err);
    cr_assert_eq(s, WEFT_OK, "%s(%d): %s", name, arg, err.message);
    return r;
}

/* Adds one code entry (locals and body) to a code section being built. */
static void code_entry(wb_buf *code, const uint8_t *entry, size_t n)
{
    wb_uleb(code, n);
    wb_put(code, entry, n);
}
#define ENTRY(code, ...) code_entry(code, WB_BYTES(__VA_ARGS__))

/* Tag 0 of type (param i32); every function (param i32) (result i32):
 *   thrower(x)    = x, or throws tag 0 with x when x > 10
 *   catcher(x)    = block $h (try_table (catch 0 $h) thrower(x)) + 1000 return end + 2000
 *   rethrower(x)  = catch_all_ref into a block, throw_ref, caught outside: + 3000
 *   uncaught(x)   = throw 0 x
 *   catch_all(x)  = 1 when thrower(x) returns, 2 when it throws
 *   loop_catch(x) = catches into a loop's parameter, adding 20 until past 100
 *   to_return(x)  = the catch's label is the function's: the payload is the result */
static weft_module *try_table_module(const weft_features *features, weft_error *err)
{
    wb_buf b = wb_module();
    WB_SECTION(&b, WB_TYPE, 0x02, 0x60, 0x01, 0x7f, 0x00, 0x60, 0x01, 0x7f, 0x01, 0x7f);
    WB_SECTION(&b, WB_FUNCTION, 0x07, 1, 1, 1, 1, 1, 1, 1);
    WB_SECTION(&b, 13, 0x01, 0x00, 0x00); /* The tag section. */
    wb_buf ex = { 0 };
    static const char *const names[] = { "thrower", "catcher", "rethrower", "uncaught",
                                         "catch_all", "loop_catch", "to_return" };
    wb_byte(&ex, 7);
    for (int i = 0; i < 7; i++) {
        wb_uleb(&ex, strlen(names[i]));
        wb_put(&ex, (const uint8_t *)names[i], strlen(names[i]));
        wb_byte(&ex, 0);
        wb_byte(&ex, (uint8_t)i);
    }
    wb_section(&b, WB_EXPORT, ex.data, ex.len);
    wb_free(&ex);
    wb_buf code = { 0 };
    wb_byte(&code, 7);
    /* thrower */
    ENTRY(&code, 0x00, 0x20, 0x00, 0x41, 0x0a, 0x4a, 0x04, 0x40, 0x20, 0x00, 0x08, 0x00, 0x0b,
          0x20, 0x00, 0x0b);
    /* catcher */
    ENTRY(&code, 0x00, 0x02, 0x7f, 0x1f, 0x7f, 0x01, 0x00, 0x00, 0x00, 0x20, 0x00, 0x10, 0x00,
          0x0b, 0x41, 0xe8, 0x07, 0x6a, 0x0f, 0x0b, 0x41, 0xd0, 0x0f, 0x6a, 0x0b);
    /* rethrower */
    ENTRY(&code, 0x00, 0x02, 0x7f, 0x1f, 0x7f, 0x01, 0x00, 0x00, 0x00, 0x02, 0x69, 0x1f, 0x40,
          0x01, 0x03, 0x00, 0x20, 0x00, 0x10, 0x00, 0x1a, 0x0b, 0x41, 0x07, 0x0f, 0x0b, 0x0a,
          0x0b, 0x0f, 0x0b, 0x41, 0xb8, 0x17, 0x6a, 0x0b);
    /* uncaught */
    ENTRY(&code, 0x00, 0x20, 0x00, 0x08, 0x00, 0x0b);
    /* catch_all */
    ENTRY(&code, 0x00, 0x02, 0x40, 0x1f, 0x40, 0x01, 0x02, 0x00, 0x20, 0x00, 0x10, 0x00, 0x1a,
          0x0b, 0x41, 0x01, 0x0f, 0x0b, 0x41, 0x02, 0x0b);
    /* loop_catch */
    ENTRY(&code, 0x00, 0x20, 0x00, 0x03, 0x00, 0x21, 0x00, 0x20, 0x00, 0x41, 0xe4, 0x00, 0x4a,
          0x04, 0x40, 0x20, 0x00, 0x0f, 0x0b, 0x1f, 0x40, 0x01, 0x00, 0x00, 0x00, 0x20, 0x00,
          0x41, 0x14, 0x6a, 0x10, 0x00, 0x1a, 0x0b, 0x41, 0x7f, 0x0f, 0x0b, 0x00, 0x0b);
    /* to_return */
    ENTRY(&code, 0x00, 0x1f, 0x7f, 0x01, 0x00, 0x00, 0x00, 0x20, 0x00, 0x10, 0x00, 0x41, 0xe8,
          0x07, 0x6a, 0x0b, 0x0b);
    wb_section(&b, WB_CODE, code.data, code.len);
    wb_free(&code);
    weft_module *m = NULL;
    weft_status s = weft_module_load_with(b.data, b.len, features, &m, err);
    wb_free(&b);
    return s ? NULL : m;
}

Test(exceptions, try_table_in_every_strategy)
{
    weft_error err;
    weft_module *m = try_table_module(NULL, &err);
    cr_assert_not_null(m, "%s", err.message);
    FOR_EACH_MODE(md) {
        weft_engine *e = engine_with(md->dispatch, md->bounds);
        weft_instance *inst = instantiate(e, m);
        const char *mode = mode_name(md);
        cr_assert_eq(expect1(e, inst, "thrower", 4), 4, "%s", mode);
        cr_assert_eq(expect1(e, inst, "catcher", 5), 1005, "%s", mode);
        cr_assert_eq(expect1(e, inst, "catcher", 50), 2050, "%s", mode);
        cr_assert_eq(expect1(e, inst, "rethrower", 5), 7, "%s", mode);
        cr_assert_eq(expect1(e, inst, "rethrower", 50), 3050, "%s", mode);
        cr_assert_eq(expect1(e, inst, "catch_all", 5), 1, "%s", mode);
        cr_assert_eq(expect1(e, inst, "catch_all", 50), 2, "%s", mode);
        cr_assert_eq(expect1(e, inst, "loop_catch", 0), 120, "%s", mode);
        cr_assert_eq(expect1(e, inst, "loop_catch", 200), 200, "%s", mode);
        cr_assert_eq(expect1(e, inst, "to_return", 5), 1005, "%s", mode);
        cr_assert_eq(expect1(e, inst, "to_return", 50), 50, "%s", mode);
        /* Many throws in a row: each is caught where it should be. */
        for (int32_t i = 0; i < 1000; i++)
            cr_assert_eq(expect1(e, inst, "catcher", 11 + i), 2011 + i, "%s", mode);
        weft_engine_free(e);
    }
    weft_module_free(m);
}

Test(exceptions, uncaught_at_the_boundary)
{
    weft_error err;
    weft_module *m = try_table_module(NULL, &err);
    cr_assert_not_null(m, "%s", err.message);
    weft_engine *e = engine();
    weft_instance *inst = instantiate(e, m);
    int32_t r;
    cr_assert_eq(call1(e, func_of(inst, "uncaught"), 3, &r, &err), WEFT_ERR_EXCEPTION);
    cr_assert_str_eq(err.message, "uncaught exception (tag 0)");
    cr_assert_eq(call1(e, func_of(inst, "thrower"), 30, &r, &err), WEFT_ERR_EXCEPTION);
    /* The engine goes on running after one. */
    cr_assert_eq(expect1(e, inst, "catcher", 50), 2050);
    /* The backtrace names the function that threw. */
    cr_assert_eq(call1(e, func_of(inst, "uncaught"), 3, &r, &err), WEFT_ERR_EXCEPTION);
    weft_frame frames[4];
    cr_assert_geq(weft_engine_backtrace(e, frames, 4), 1);
    cr_assert_eq(frames[0].func, 3);
    weft_engine_free(e);
    weft_module_free(m);
}

Test(exceptions, feature_switch)
{
    weft_error err;
    weft_features off;
    weft_features_init(&off);
    off.exceptions = false;
    /* Without the feature the tag section is malformed. */
    cr_assert_null(try_table_module(&off, &err));
    cr_assert_eq(err.status, WEFT_ERR_MALFORMED);
    cr_assert(strstr(err.message, "malformed section id"), "%s", err.message);
    /* And so is a throw_ref in a body (no tag needed). */
    wb_buf b = wb_module();
    WB_SECTION(&b, WB_TYPE, 0x01, 0x60, 0x01, 0x69, 0x00);
    WB_SECTION(&b, WB_FUNCTION, 0x01, 0x00);
    WB_CODE1(&b, 0x00, 0x20, 0x00, 0x0a, 0x0b);
    wb_buf copy = { 0 };
    wb_put(&copy, b.data, b.len);
    cr_assert_eq(wb_load_with(&b, &off, &err), WEFT_ERR_MALFORMED);
    cr_assert(strstr(err.message, "illegal opcode"), "%s", err.message);
    weft_features on;
    weft_features_init(&on);
    cr_assert(on.exceptions);
    cr_assert_eq(wb_load_with(&copy, &on, &err), WEFT_OK, "%s", err.message);
}

Test(exceptions, validation)
{
    weft_error err;
    weft_features on;
    weft_features_init(&on);
    /* A tag type with results. */
    wb_buf b = wb_module();
    WB_SECTION(&b, WB_TYPE, 0x01, 0x60, 0x00, 0x01, 0x7f);
    WB_SECTION(&b, 13, 0x01, 0x00, 0x00);
    cr_assert_eq(wb_load_with(&b, &on, &err), WEFT_ERR_INVALID);
    cr_assert(strstr(err.message, "non-empty tag result type"), "%s", err.message);
    /* A catch whose label takes nothing, for a tag with an i32 payload. */
    b = wb_module();
    WB_SECTION(&b, WB_TYPE, 0x01, 0x60, 0x01, 0x7f, 0x00);
    WB_SECTION(&b, WB_FUNCTION, 0x01, 0x00);
    WB_SECTION(&b, 13, 0x01, 0x00, 0x00);
    WB_CODE1(&b, 0x00, 0x02, 0x40, 0x1f, 0x40, 0x01, 0x00, 0x00, 0x00, 0x0b, 0x0b, 0x0b);
    cr_assert_eq(wb_load_with(&b, &on, &err), WEFT_ERR_INVALID);
    cr_assert(strstr(err.message, "type mismatch"), "%s", err.message);
    /* An unknown tag. */
    b = wb_module();
    WB_SECTION(&b, WB_TYPE, 0x01, 0x60, 0x00, 0x00);
    WB_SECTION(&b, WB_FUNCTION, 0x01, 0x00);
    WB_CODE1(&b, 0x00, 0x08, 0x00, 0x0b);
    cr_assert_eq(wb_load_with(&b, &on, &err), WEFT_ERR_INVALID);
    cr_assert(strstr(err.message, "unknown tag"), "%s", err.message);
    /* A catch clause of kind 4. */
    b = wb_module();
    WB_SECTION(&b, WB_TYPE, 0x01, 0x60, 0x00, 0x00);
    WB_SECTION(&b, WB_FUNCTION, 0x01, 0x00);
    WB_CODE1(&b, 0x00, 0x1f, 0x40, 0x01, 0x04, 0x00, 0x0b, 0x0b);
    cr_assert_eq(wb_load_with(&b, &on, &err), WEFT_ERR_MALFORMED);
    /* rethrow outside a catch. */
    weft_module *m = NULL;
    cr_assert_neq(weft_module_load(WB_BYTES(0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01,
                                            0x04, 0x01, 0x60, 0x00, 0x00, 0x03, 0x02, 0x01, 0x00,
                                            0x0a, 0x09, 0x01, 0x07, 0x00, 0x02, 0x40, 0x09, 0x00,
                                            0x0b, 0x0b),
                                   &m, &err),
                  WEFT_OK);
    cr_assert(strstr(err.message, "invalid rethrow label"), "%s", err.message);
}

/* The legacy instructions, as wat2wasm writes them. */
static const char *const legacy_wat =
    "(module\n"
    "  (tag $e (param i32))\n"
    "  (tag $f)\n"
    "  (func $thrower (param i32) (result i32)\n"
    "    local.get 0 i32.const 10 i32.gt_s if local.get 0 throw $e end local.get 0)\n"
    "  (func (export \"catch\") (param i32) (result i32)\n"
    "    try (result i32) local.get 0 call $thrower\n"
    "    catch $e i32.const 1000 i32.add\n"
    "    catch_all i32.const -1 end)\n"
    /* The exception goes past the inner try (delegate 0: to the outer). */
    "  (func (export \"delegate\") (param i32) (result i32)\n"
    "    try (result i32)\n"
    "      try (result i32) local.get 0 call $thrower delegate 0\n"
    "    catch $e i32.const 2000 i32.add end)\n"
    /* Caught, rethrown from the catch body through a call, caught again. */
    "  (func $rethrow_inner (param i32) (result i32)\n"
    "    try (result i32) local.get 0 call $thrower\n"
    "    catch $e drop rethrow 0 end)\n"
    "  (func (export \"rethrow\") (param i32) (result i32)\n"
    "    try (result i32) local.get 0 call $rethrow_inner\n"
    "    catch $e i32.const 3000 i32.add end)\n"
    /* A nested try in a catch body: the outer catch's exception stays
     * rethrowable after the inner one is caught. */
    "  (func (export \"nested\") (param i32) (result i32)\n"
    "    try (result i32)\n"
    "      try (result i32) local.get 0 call $thrower\n"
    "      catch $e drop\n"
    "        try throw $f catch $f end\n"
    "        rethrow 0 end\n"
    "    catch $e i32.const 4000 i32.add end)\n"
    "  (func (export \"uncaught_f\") (param i32) (result i32) throw $f))\n";

Test(exceptions, legacy_instructions)
{
    weft_module *m = wat_flags(EXN, legacy_wat);
    FOR_EACH_MODE(md) {
        weft_engine *e = engine_with(md->dispatch, md->bounds);
        weft_instance *inst = instantiate(e, m);
        const char *mode = mode_name(md);
        cr_assert_eq(expect1(e, inst, "catch", 4), 4, "%s", mode);
        cr_assert_eq(expect1(e, inst, "catch", 40), 1040, "%s", mode);
        cr_assert_eq(expect1(e, inst, "delegate", 40), 2040, "%s", mode);
        cr_assert_eq(expect1(e, inst, "delegate", 4), 4, "%s", mode);
        cr_assert_eq(expect1(e, inst, "rethrow", 40), 3040, "%s", mode);
        cr_assert_eq(expect1(e, inst, "nested", 40), 4040, "%s", mode);
        weft_error err;
        int32_t r;
        cr_assert_eq(call1(e, func_of(inst, "uncaught_f"), 0, &r, &err), WEFT_ERR_EXCEPTION);
        cr_assert_str_eq(err.message, "uncaught exception (tag 1)");
        weft_engine_free(e);
    }
    weft_module_free(m);
}

/* An exception thrown by Wasm code that a host function called, passed on
 * by the host, unwinds on into the Wasm code that called the host. */
typedef struct reentry {
    weft_engine *engine;
    weft_func *target;
    weft_status seen;
} reentry;

static weft_status host_call_back(void *user, const weft_value *args, weft_value *results,
                                  weft_error *err)
{
    reentry *r = user;
    r->seen = weft_call(r->engine, r->target, args, 1, results, 1, err);
    return r->seen;
}

static bool resolve_host(void *user, const char *module, size_t module_len, const char *field,
                         size_t field_len, weft_extern *out)
{
    (void)module; (void)module_len; (void)field; (void)field_len;
    *out = (weft_extern){ .kind = WEFT_EXTERN_FUNC, .of.func = user };
    return true;
}

Test(exceptions, across_a_host_function)
{
    weft_module *m = wat_flags(EXN,
        "(module\n"
        "  (import \"env\" \"host\" (func $host (param i32) (result i32)))\n"
        "  (tag $e (param i32))\n"
        "  (func (export \"inner\") (param i32) (result i32)\n"
        "    local.get 0 i32.const 10 i32.gt_s if local.get 0 throw $e end local.get 0)\n"
        "  (func (export \"outer\") (param i32) (result i32)\n"
        "    try (result i32) local.get 0 call $host i32.const 1 i32.add\n"
        "    catch $e i32.const 1000 i32.add end)\n"
        "  (func (export \"bare\") (param i32) (result i32) local.get 0 call $host))\n");
    FOR_EACH_MODE(md) {
        weft_engine *e = engine_with(md->dispatch, md->bounds);
        reentry r = { e, NULL, WEFT_OK };
        weft_valkind kind = WEFT_I32;
        weft_func *host;
        cr_assert_eq(weft_func_new(e, &kind, 1, &kind, 1, host_call_back, &r, &host), WEFT_OK);
        weft_instance *inst = NULL;
        weft_error err;
        cr_assert_eq(weft_instantiate(e, m, resolve_host, host, &inst, &err), WEFT_OK, "%s",
                     err.message);
        r.target = func_of(inst, "inner");
        const char *mode = mode_name(md);
        cr_assert_eq(expect1(e, inst, "outer", 5), 6, "%s", mode);
        cr_assert_eq(r.seen, WEFT_OK);
        cr_assert_eq(expect1(e, inst, "outer", 50), 1050, "%s", mode);
        cr_assert_eq(r.seen, WEFT_ERR_EXCEPTION, "%s", mode);
        /* Nothing catches it: the outermost call reports it. */
        int32_t res;
        cr_assert_eq(call1(e, func_of(inst, "bare"), 50, &res, &err), WEFT_ERR_EXCEPTION);
        cr_assert_str_eq(err.message, "uncaught exception (tag 0)");
        weft_engine_free(e);
    }
    weft_module_free(m);
}

Test(exceptions, null_exnref_traps)
{
    /* (func (export "f") (param i32) (result i32) ref.null exn throw_ref) */
    wb_buf b = wb_module();
    WB_SECTION(&b, WB_TYPE, 0x01, 0x60, 0x01, 0x7f, 0x01, 0x7f);
    WB_SECTION(&b, WB_FUNCTION, 0x01, 0x00);
    WB_SECTION(&b, WB_EXPORT, 0x01, 0x01, 'f', 0x00, 0x00);
    WB_CODE1(&b, 0x00, 0xd0, 0x69, 0x0a, 0x0b);
    weft_module *m = NULL;
    weft_error lerr;
    cr_assert_eq(weft_module_load(b.data, b.len, &m, &lerr), WEFT_OK, "%s", lerr.message);
    wb_free(&b);
    weft_engine *e = engine();
    weft_instance *inst = instantiate(e, m);
    weft_error err;
    int32_t r;
    cr_assert_eq(call1(e, func_of(inst, "f"), 0, &r, &err), WEFT_ERR_TRAP);
    cr_assert_str_eq(err.message, "null exception reference");
    weft_engine_free(e);
    weft_module_free(m);
}

Test(exceptions, exnref_through_the_api)
{
    /* (tag (param i32))
     * (func (export "catch_it") (result exnref)
     *   (block (result exnref)
     *     (try_table (catch_all_ref 0) (throw 0 (i32.const 7))) unreachable))
     * (func (export "rethrow_it") (param exnref) (throw_ref (local.get 0))) */
    wb_buf b = wb_module();
    WB_SECTION(&b, WB_TYPE, 0x03, 0x60, 0x01, 0x7f, 0x00, 0x60, 0x00, 0x01, 0x69, 0x60, 0x01,
               0x69, 0x00);
    WB_SECTION(&b, WB_FUNCTION, 0x02, 0x01, 0x02);
    WB_SECTION(&b, 13, 0x01, 0x00, 0x00);
    WB_SECTION(&b, WB_EXPORT, 0x02, 0x08, 'c', 'a', 't', 'c', 'h', '_', 'i', 't', 0x00, 0x00,
               0x0a, 'r', 'e', 't', 'h', 'r', 'o', 'w', '_', 'i', 't', 0x00, 0x01);
    wb_buf code = { 0 };
    wb_byte(&code, 2);
    ENTRY(&code, 0x00, 0x02, 0x69, 0x1f, 0x40, 0x01, 0x03, 0x00, 0x41, 0x07, 0x08, 0x00, 0x0b,
          0x00, 0x0b, 0x0b);
    ENTRY(&code, 0x00, 0x20, 0x00, 0x0a, 0x0b);
    wb_section(&b, WB_CODE, code.data, code.len);
    wb_free(&code);
    weft_module *m = load_ok(b.data, b.len);
    wb_free(&b);
    weft_error err;
    FOR_EACH_MODE(md) {
        const char *mode = mode_name(md);
        weft_engine *e = engine_with(md->dispatch, md->bounds);
        weft_instance *inst = instantiate(e, m);
        weft_func *catch_it = func_of(inst, "catch_it"), *rethrow_it = func_of(inst, "rethrow_it");
        cr_assert_eq(weft_func_result_kind(catch_it, 0), WEFT_EXNREF, "%s", mode);
        cr_assert_eq(weft_func_param_kind(rethrow_it, 0), WEFT_EXNREF, "%s", mode);
        weft_value exn = { 0 };
        cr_assert_eq(weft_call(e, catch_it, NULL, 0, &exn, 1, &err), WEFT_OK, "%s: %s", mode,
                     err.message);
        cr_assert_eq(exn.kind, WEFT_EXNREF, "%s", mode);
        cr_assert_not_null(exn.of.ref, "%s", mode);
        /* Passed back, the exception is thrown again, and nothing catches it. */
        cr_assert_eq(weft_call(e, rethrow_it, &exn, 1, NULL, 0, &err), WEFT_ERR_EXCEPTION,
                     "%s", mode);
        cr_assert(strstr(err.message, "uncaught exception (tag 0)"), "%s: %s", mode,
                  err.message);
        /* A null exnref is a trap, and a value of another kind is refused. */
        weft_value null_exn = { .kind = WEFT_EXNREF };
        cr_assert_eq(weft_call(e, rethrow_it, &null_exn, 1, NULL, 0, &err), WEFT_ERR_TRAP,
                     "%s", mode);
        cr_assert_str_eq(err.message, "null exception reference");
        weft_value not_exn = { .kind = WEFT_EXTERNREF };
        cr_assert_neq(weft_call(e, rethrow_it, &not_exn, 1, NULL, 0, &err), WEFT_OK, "%s",
                      mode);
        weft_engine_free(e);
    }
    weft_module_free(m);
}

/* A resolver by field name over a list of exports. */
typedef struct named_extern {
    const char *field;
    weft_extern ext;
} named_extern;

static bool by_field(void *user, const char *module, size_t module_len, const char *field,
                     size_t field_len, weft_extern *out)
{
    (void)module; (void)module_len;
    const named_extern *imports = user;
    for (int i = 0; i < 2; i++)
        if (strlen(imports[i].field) == field_len && !memcmp(imports[i].field, field, field_len)) {
            *out = imports[i].ext;
            return true;
        }
    return false;
}

Test(exceptions, tags_link_by_identity)
{
    /* Module A exports its tag; B imports it and catches A's throws by it,
     * while a tag of B's own with the same type does not match. */
    weft_module *a = wat_flags(EXN,
        "(module (tag $e (export \"e\") (param i32))\n"
        "  (func (export \"throw\") (param i32) (result i32) local.get 0 throw $e))\n");
    weft_module *b = wat_flags(EXN,
        "(module\n"
        "  (import \"a\" \"e\" (tag $e (param i32)))\n"
        "  (import \"a\" \"throw\" (func $throw (param i32) (result i32)))\n"
        "  (tag $mine (param i32))\n"
        "  (func (export \"by_import\") (param i32) (result i32)\n"
        "    try (result i32) local.get 0 call $throw catch $e i32.const 1 i32.add end)\n"
        "  (func (export \"by_own\") (param i32) (result i32)\n"
        "    try (result i32) local.get 0 call $throw catch $mine i32.const 1 i32.add\n"
        "    catch_all i32.const -5 end))\n");
    weft_engine *e = engine();
    weft_instance *ia = instantiate(e, a);
    weft_extern tag = export_of(ia, "e", WEFT_EXTERN_TAG);
    cr_assert_not_null(tag.of.tag);
    weft_extern thrower = export_of(ia, "throw", WEFT_EXTERN_FUNC);
    named_extern imports[2] = { { "e", tag }, { "throw", thrower } };
    weft_instance *ib = NULL;
    weft_error err;
    cr_assert_eq(weft_instantiate(e, b, by_field, imports, &ib, &err), WEFT_OK, "%s",
                 err.message);
    cr_assert_eq(expect1(e, ib, "by_import", 41), 42);
    cr_assert_eq(expect1(e, ib, "by_own", 41), -5);
    /* A tag of another type does not link. */
    weft_module *c = wat_flags(EXN, "(module (import \"a\" \"e\" (tag (param i64))))");
    weft_instance *ic = NULL;
    cr_assert_eq(weft_instantiate(e, c, by_field, imports, &ic, &err), WEFT_ERR_LINK);
    cr_assert(strstr(err.message, "incompatible import type"), "%s", err.message);
    weft_engine_free(e);
    weft_module_free(a);
    weft_module_free(b);
    weft_module_free(c);
}
