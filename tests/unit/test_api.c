/* test_api.c: the execution half of the public API: instantiation and
 * linking, calls, traps, host functions, exports, memories, tables and
 * globals. Modules are written in the text format and assembled with
 * wabt's wat2wasm when the test runs. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "helpers.h"
#include "weft.h"

/* ---- Helpers ---------------------------------------------------------------- */

/* Calls a function of i32 parameters and one i32 result. */
static weft_status call_i32(weft_engine *e, weft_func *f, const int32_t *args, size_t n,
                            int32_t *result, weft_error *err)
{
    weft_value a[8] = { { 0 } }, r[1];
    for (size_t i = 0; i < n; i++)
        a[i] = i32(args[i]);
    weft_status s = weft_call(e, f, a, n, r, 1, err);
    if (!s) {
        cr_assert_eq(r[0].kind, WEFT_I32);
        *result = r[0].of.i32;
    }
    return s;
}

/* A resolver over a small list of names. */
typedef struct binding {
    const char *module, *field;
    weft_extern ext;
} binding;

static bool resolve(void *user, const char *module, size_t module_len, const char *field,
                    size_t field_len, weft_extern *out)
{
    for (const binding *b = user; b->module; b++) {
        if (strlen(b->module) == module_len && !memcmp(b->module, module, module_len) &&
            strlen(b->field) == field_len && !memcmp(b->field, field, field_len)) {
            *out = b->ext;
            return true;
        }
    }
    return false;
}

/* ---- Calls and traps ---------------------------------------------------------- */

static const char *const arith_wat =
    "(module\n"
    "  (func (export \"add\") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)\n"
    "  (func (export \"div\") (param i32 i32) (result i32) local.get 0 local.get 1 i32.div_s)\n"
    "  (func (export \"fac\") (param i64) (result i64)\n"
    "    local.get 0 i64.eqz if (result i64) i64.const 1\n"
    "    else local.get 0 local.get 0 i64.const 1 i64.sub call 2 i64.mul end)\n"
    "  (func (export \"forever\") call 3))\n";

Test(api, add)
{
    weft_module *m = wat(arith_wat);
    weft_engine *e = engine();
    weft_instance *inst = instantiate(e, m);
    weft_func *add = func_of(inst, "add");
    cr_assert_eq(weft_func_param_count(add), 2);
    cr_assert_eq(weft_func_result_count(add), 1);
    cr_assert_eq(weft_func_param_kind(add, 1), WEFT_I32);
    int32_t r;
    weft_error err;
    cr_assert_eq(call_i32(e, add, (int32_t[]){ 2, 3 }, 2, &r, &err), WEFT_OK, "%s", err.message);
    cr_assert_eq(r, 5);
    cr_assert_eq(call_i32(e, add, (int32_t[]){ INT32_MAX, 1 }, 2, &r, &err), WEFT_OK);
    cr_assert_eq(r, INT32_MIN);
    weft_engine_free(e);
    weft_module_free(m);
}

Test(api, ir_size)
{
    weft_module *m = wat(arith_wat);
    size_t bytes = 0;
    weft_error err;
    /* add: i32.add into slot 0 paired with return, two words, at 8 bytes a
     * word. */
    cr_assert_eq(weft_module_ir_size(m, 0, &bytes, &err), WEFT_OK, "%s", err.message);
    cr_expect_eq(bytes, 2 * sizeof(uint64_t), "%zu", bytes);
    /* fac: its listing's last instruction, a return1, is at word 13. */
    cr_assert_eq(weft_module_ir_size(m, 2, &bytes, &err), WEFT_OK, "%s", err.message);
    cr_expect_eq(bytes, 15 * sizeof(uint64_t), "%zu", bytes);
    cr_expect_eq(weft_module_ir_size(m, 4, &bytes, &err), WEFT_ERR_ARGUMENT);
    weft_module_free(m);
}

Test(api, every_strategy_and_bounds_mode)
{
    weft_module *m = wat(arith_wat);
    for (int d = WEFT_DISPATCH_DIRECT; d <= WEFT_DISPATCH_TAIL; d++) {
        for (int b = WEFT_BOUNDS_GUARD; b <= WEFT_BOUNDS_EXPLICIT; b++) {
            weft_config config;
            weft_config_init(&config);
            config.dispatch = (weft_dispatch)d;
            config.bounds = (weft_bounds)b;
            weft_engine *e = NULL;
            weft_error err;
            weft_status s = weft_engine_new(&config, &e, &err);
            if (!weft_dispatch_available((weft_dispatch)d)) {
                cr_assert_eq(s, WEFT_ERR_ARGUMENT);
                cr_assert(strstr(err.message, "musttail"), "%s", err.message);
                continue;
            }
            cr_assert_eq(s, WEFT_OK, "%s", err.message);
            weft_instance *inst = instantiate(e, m);
            weft_value arg = i64(10), res;
            cr_assert_eq(weft_call(e, func_of(inst, "fac"), &arg, 1, &res, 1, &err), WEFT_OK,
                         "%s: %s", weft_dispatch_name((weft_dispatch)d), err.message);
            cr_assert_eq(res.of.i64, 3628800);
            weft_engine_free(e);
        }
    }
    weft_module_free(m);
}

Test(api, dispatch_names)
{
    weft_dispatch d;
    cr_assert(weft_dispatch_parse("switch", &d));
    cr_assert_eq(d, WEFT_DISPATCH_SWITCH);
    cr_assert_str_eq(weft_dispatch_name(WEFT_DISPATCH_INDIRECT), "indirect");
    cr_assert_not(weft_dispatch_parse("fast", &d));
    cr_assert(weft_dispatch_available(WEFT_DISPATCH_DIRECT));
}

Test(api, trap_divide_by_zero)
{
    weft_module *m = wat(arith_wat);
    weft_engine *e = engine();
    weft_instance *inst = instantiate(e, m);
    int32_t r;
    weft_error err;
    weft_func *div = func_of(inst, "div");
    cr_assert_eq(call_i32(e, div, (int32_t[]){ 1, 0 }, 2, &r, &err), WEFT_ERR_TRAP);
    cr_assert_str_eq(err.message, "integer divide by zero");
    cr_assert_eq(call_i32(e, div, (int32_t[]){ INT32_MIN, -1 }, 2, &r, &err), WEFT_ERR_TRAP);
    cr_assert_str_eq(err.message, "integer overflow");
    /* The engine is usable after a trap. */
    cr_assert_eq(call_i32(e, div, (int32_t[]){ 7, 2 }, 2, &r, &err), WEFT_OK);
    cr_assert_eq(r, 3);
    weft_engine_free(e);
    weft_module_free(m);
}

Test(api, call_stack_exhausted)
{
    weft_module *m = wat(arith_wat);
    weft_engine *e = engine();
    weft_instance *inst = instantiate(e, m);
    weft_error err;
    cr_assert_eq(weft_call(e, func_of(inst, "forever"), NULL, 0, NULL, 0, &err), WEFT_ERR_TRAP);
    cr_assert_str_eq(err.message, "call stack exhausted");
    weft_engine_free(e);
    weft_module_free(m);
}

Test(api, bad_arguments)
{
    weft_module *m = wat(arith_wat);
    weft_engine *e = engine();
    weft_instance *inst = instantiate(e, m);
    weft_func *add = func_of(inst, "add");
    weft_value args[2] = { i32(1), i64(2) }, res;
    weft_error err;
    cr_assert_eq(weft_call(e, add, args, 1, &res, 1, &err), WEFT_ERR_ARGUMENT);
    cr_assert_eq(weft_call(e, add, args, 2, &res, 1, &err), WEFT_ERR_ARGUMENT);
    args[1] = i32(2);
    cr_assert_eq(weft_call(e, add, args, 2, &res, 0, &err), WEFT_ERR_ARGUMENT);
    weft_extern ext;
    cr_assert_not(weft_instance_export(inst, "addx", 4, &ext));
    cr_assert_not(weft_instance_export(inst, "ad", 2, &ext));
    weft_engine_free(e);
    weft_module_free(m);
}

/* ---- Host functions ------------------------------------------------------------ */

static weft_status host_twice(void *user, const weft_value *args, weft_value *results,
                              weft_error *err)
{
    (void)err;
    (*(int *)user)++;
    results[0].of.i32 = args[0].of.i32 * 2;
    return WEFT_OK;
}

static weft_status host_fail(void *user, const weft_value *args, weft_value *results,
                             weft_error *err)
{
    (void)user; (void)args; (void)results;
    snprintf(err->message, sizeof err->message, "the host says no");
    return WEFT_ERR_TRAP;
}

static const char *const host_wat =
    "(module\n"
    "  (import \"env\" \"twice\" (func $twice (param i32) (result i32)))\n"
    "  (func (export \"run\") (param i32) (result i32)\n"
    "    local.get 0 call $twice i32.const 1 i32.add)\n"
    "  (export \"twice\" (func $twice)))\n";

Test(api, host_function_import)
{
    weft_module *m = wat(host_wat);
    weft_engine *e = engine();
    int calls = 0;
    weft_valkind k = WEFT_I32;
    binding b[2] = { { "env", "twice", { .kind = WEFT_EXTERN_FUNC } }, { 0 } };
    cr_assert_eq(weft_func_new(e, &k, 1, &k, 1, host_twice, &calls, &b[0].ext.of.func), WEFT_OK);
    weft_instance *inst = NULL;
    weft_error err;
    cr_assert_eq(weft_instantiate(e, m, resolve, b, &inst, &err), WEFT_OK, "%s", err.message);
    int32_t r;
    cr_assert_eq(call_i32(e, func_of(inst, "run"), (int32_t[]){ 20 }, 1, &r, &err), WEFT_OK,
                 "%s", err.message);
    cr_assert_eq(r, 41);
    cr_assert_eq(calls, 1);
    /* The re-exported import is the host function itself, callable directly. */
    weft_func *twice = func_of(inst, "twice");
    cr_assert_eq(twice, b[0].ext.of.func);
    cr_assert_eq(call_i32(e, twice, (int32_t[]){ 5 }, 1, &r, &err), WEFT_OK);
    cr_assert_eq(r, 10);
    cr_assert_eq(calls, 2);
    weft_engine_free(e);
    weft_module_free(m);
}

Test(api, host_function_trap)
{
    weft_module *m = wat(host_wat);
    weft_engine *e = engine();
    weft_valkind k = WEFT_I32;
    binding b[2] = { { "env", "twice", { .kind = WEFT_EXTERN_FUNC } }, { 0 } };
    cr_assert_eq(weft_func_new(e, &k, 1, &k, 1, host_fail, NULL, &b[0].ext.of.func), WEFT_OK);
    weft_instance *inst = NULL;
    weft_error err;
    cr_assert_eq(weft_instantiate(e, m, resolve, b, &inst, &err), WEFT_OK, "%s", err.message);
    int32_t r;
    cr_assert_eq(call_i32(e, func_of(inst, "run"), (int32_t[]){ 1 }, 1, &r, &err),
                 WEFT_ERR_TRAP);
    cr_assert_str_eq(err.message, "the host says no");
    weft_engine_free(e);
    weft_module_free(m);
}

/* A host function that calls back into the guest. */
typedef struct reentry {
    weft_engine *engine;
    weft_func *target;
} reentry;

static weft_status host_reenter(void *user, const weft_value *args, weft_value *results,
                                weft_error *err)
{
    reentry *r = user;
    weft_value a = args[0];
    a.of.i32 -= 1;
    if (args[0].of.i32 <= 0) {
        results[0].of.i32 = 0;
        return WEFT_OK;
    }
    weft_status s = weft_call(r->engine, r->target, &a, 1, results, 1, err);
    results[0].of.i32 += 1;
    return s;
}

Test(api, host_reentry)
{
    /* down(n) = n > 0 ? host(n) + 100 : 0, host(n) = down(n - 1) + 1. */
    weft_module *m = wat(
        "(module\n"
        "  (import \"env\" \"host\" (func $host (param i32) (result i32)))\n"
        "  (func (export \"down\") (param i32) (result i32) (local i32 i32)\n"
        "    i32.const 7 local.set 1\n"
        "    local.get 0 call $host i32.const 100 i32.add local.get 1 i32.add i32.const 7 i32.sub))\n");
    weft_engine *e = engine();
    reentry r = { e, NULL };
    weft_valkind k = WEFT_I32;
    binding b[2] = { { "env", "host", { .kind = WEFT_EXTERN_FUNC } }, { 0 } };
    cr_assert_eq(weft_func_new(e, &k, 1, &k, 1, host_reenter, &r, &b[0].ext.of.func), WEFT_OK);
    weft_instance *inst = NULL;
    weft_error err;
    cr_assert_eq(weft_instantiate(e, m, resolve, b, &inst, &err), WEFT_OK, "%s", err.message);
    r.target = func_of(inst, "down");
    int32_t res;
    cr_assert_eq(call_i32(e, r.target, (int32_t[]){ 3 }, 1, &res, &err), WEFT_OK, "%s",
                 err.message);
    /* Three levels of host(+1) and down(+100), then host(0) = 0 at the bottom. */
    cr_assert_eq(res, 3 * 101 + 100);
    weft_engine_free(e);
    weft_module_free(m);
}

/* ---- Linking -------------------------------------------------------------------- */

Test(api, unresolved_import)
{
    weft_module *m = wat("(module (import \"env\" \"missing\" (func)))");
    weft_engine *e = engine();
    weft_instance *inst = NULL;
    weft_error err;
    binding none[1] = { { 0 } };
    cr_assert_eq(weft_instantiate(e, m, resolve, none, &inst, &err), WEFT_ERR_LINK);
    cr_assert_null(inst);
    cr_assert(strstr(err.message, "unknown import"), "%s", err.message);
    cr_assert(strstr(err.message, "env.missing"), "%s", err.message);
    cr_assert_eq(weft_instantiate(e, m, NULL, NULL, &inst, &err), WEFT_ERR_LINK);
    weft_engine_free(e);
    weft_module_free(m);
}

Test(api, incompatible_imports)
{
    weft_engine *e = engine();
    weft_valkind k = WEFT_I32;
    weft_func *f;
    weft_memory *mem;
    weft_table *tab;
    weft_global *g;
    cr_assert_eq(weft_func_new(e, &k, 1, NULL, 0, host_twice, NULL, &f), WEFT_OK);
    cr_assert_eq(weft_memory_new(e, 1, 2, &mem), WEFT_OK);
    cr_assert_eq(weft_table_new(e, WEFT_FUNCREF, 10, 20, &tab), WEFT_OK);
    cr_assert_eq(weft_global_new(e, i32(1), false, &g), WEFT_OK);
    binding b[5] = {
        { "m", "f", { .kind = WEFT_EXTERN_FUNC, .of.func = f } },
        { "m", "mem", { .kind = WEFT_EXTERN_MEMORY, .of.memory = mem } },
        { "m", "tab", { .kind = WEFT_EXTERN_TABLE, .of.table = tab } },
        { "m", "g", { .kind = WEFT_EXTERN_GLOBAL, .of.global = g } },
        { 0 },
    };
    static const struct { const char *wat; bool ok; } cases[] = {
        { "(module (import \"m\" \"f\" (func (param i32))))", true },
        { "(module (import \"m\" \"f\" (func (param i64))))", false },
        { "(module (import \"m\" \"f\" (func (param i32) (result i32))))", false },
        { "(module (import \"m\" \"f\" (memory 1)))", false },
        { "(module (import \"m\" \"mem\" (memory 1)))", true },
        { "(module (import \"m\" \"mem\" (memory 1 2)))", true },
        { "(module (import \"m\" \"mem\" (memory 1 3)))", true },
        { "(module (import \"m\" \"mem\" (memory 2)))", false },
        { "(module (import \"m\" \"mem\" (memory 0 1)))", false },
        { "(module (import \"m\" \"tab\" (table 10 funcref)))", true },
        { "(module (import \"m\" \"tab\" (table 5 20 funcref)))", true },
        { "(module (import \"m\" \"tab\" (table 11 funcref)))", false },
        { "(module (import \"m\" \"tab\" (table 10 15 funcref)))", false },
        { "(module (import \"m\" \"tab\" (table 10 externref)))", false },
        { "(module (import \"m\" \"g\" (global i32)))", true },
        { "(module (import \"m\" \"g\" (global (mut i32))))", false },
        { "(module (import \"m\" \"g\" (global i64)))", false },
    };
    enum { NCASES = sizeof cases / sizeof cases[0] };
    weft_module *mods[NCASES];
    for (size_t i = 0; i < NCASES; i++) {
        weft_module *m = mods[i] = wat(cases[i].wat);
        weft_instance *inst = NULL;
        weft_error err;
        weft_status s = weft_instantiate(e, m, resolve, b, &inst, &err);
        cr_assert_eq(s, cases[i].ok ? WEFT_OK : WEFT_ERR_LINK, "%s: %s", cases[i].wat,
                     err.message);
        if (!cases[i].ok)
            cr_assert(strstr(err.message, "incompatible import type"), "%s", err.message);
    }
    /* The instances belong to the engine and refer to their modules, so the
     * modules go after it. */
    weft_engine_free(e);
    for (size_t i = 0; i < NCASES; i++)
        weft_module_free(mods[i]);
}

/* ---- Globals, memories, tables --------------------------------------------------- */

Test(api, exported_globals)
{
    weft_module *m = wat(
        "(module\n"
        "  (import \"m\" \"base\" (global $base i32))\n"
        "  (global (export \"g\") i32 (i32.const 42))\n"
        "  (global (export \"h\") (mut i64) (i64.const -7))\n"
        "  (global (export \"f\") f64 (f64.const 2.5))\n"
        "  (global (export \"b\") i32 (global.get $base))\n"
        "  (global (export \"r\") funcref (ref.func $inc))\n"
        "  (func $inc (export \"inc\") global.get 2 i64.const 1 i64.add global.set 2))\n");
    weft_engine *e = engine();
    binding b[2] = { { "m", "base", { .kind = WEFT_EXTERN_GLOBAL } }, { 0 } };
    cr_assert_eq(weft_global_new(e, i32(99), false, &b[0].ext.of.global), WEFT_OK);
    weft_instance *inst = NULL;
    weft_error err;
    cr_assert_eq(weft_instantiate(e, m, resolve, b, &inst, &err), WEFT_OK, "%s", err.message);
    weft_value v = weft_global_get(export_of(inst, "g", WEFT_EXTERN_GLOBAL).of.global);
    cr_assert_eq(v.kind, WEFT_I32);
    cr_assert_eq(v.of.i32, 42);
    weft_global *h = export_of(inst, "h", WEFT_EXTERN_GLOBAL).of.global;
    cr_assert_eq(weft_global_get(h).of.i64, -7);
    cr_assert_eq(weft_call(e, func_of(inst, "inc"), NULL, 0, NULL, 0, &err), WEFT_OK, "%s",
                 err.message);
    cr_assert_eq(weft_global_get(h).of.i64, -6);
    v = weft_global_get(export_of(inst, "f", WEFT_EXTERN_GLOBAL).of.global);
    cr_assert_eq(v.kind, WEFT_F64);
    cr_assert_eq(v.of.f64, 2.5);
    cr_assert_eq(weft_global_get(export_of(inst, "b", WEFT_EXTERN_GLOBAL).of.global).of.i32, 99);
    v = weft_global_get(export_of(inst, "r", WEFT_EXTERN_GLOBAL).of.global);
    cr_assert_eq(v.kind, WEFT_FUNCREF);
    cr_assert_eq(v.of.ref, func_of(inst, "inc"));
    weft_engine_free(e);
    weft_module_free(m);
}

Test(api, memory_export_and_data)
{
    weft_module *m = wat(
        "(module\n"
        "  (memory (export \"mem\") 1 3)\n"
        "  (data (i32.const 8) \"hello\")\n"
        "  (func (export \"load\") (param i32) (result i32) local.get 0 i32.load8_u)\n"
        "  (func (export \"grow\") (param i32) (result i32) local.get 0 memory.grow)\n"
        "  (func (export \"fill\") (param i32 i32 i32) local.get 0 local.get 1 local.get 2 "
        "memory.fill))\n");
    for (int b = WEFT_BOUNDS_GUARD; b <= WEFT_BOUNDS_EXPLICIT; b++) {
        weft_engine *e = engine_with(WEFT_DISPATCH_DIRECT, (weft_bounds)b);
        weft_instance *inst = instantiate(e, m);
        weft_memory *mem = export_of(inst, "mem", WEFT_EXTERN_MEMORY).of.memory;
        cr_assert_eq(weft_memory_size(mem), 65536);
        cr_assert_eq(memcmp(weft_memory_data(mem) + 8, "hello", 5), 0);
        weft_memory_data(mem)[100] = 0xab;
        int32_t r;
        weft_error err;
        cr_assert_eq(call_i32(e, func_of(inst, "load"), (int32_t[]){ 100 }, 1, &r, &err), WEFT_OK);
        cr_assert_eq(r, 0xab);
        cr_assert_eq(call_i32(e, func_of(inst, "load"), (int32_t[]){ 65536 }, 1, &r, &err),
                     WEFT_ERR_TRAP);
        cr_assert_str_eq(err.message, "out of bounds memory access");
        cr_assert_eq(call_i32(e, func_of(inst, "grow"), (int32_t[]){ 2 }, 1, &r, &err), WEFT_OK);
        cr_assert_eq(r, 1);
        cr_assert_eq(weft_memory_size(mem), 3 * 65536);
        cr_assert_eq(call_i32(e, func_of(inst, "grow"), (int32_t[]){ 1 }, 1, &r, &err), WEFT_OK);
        cr_assert_eq(r, -1);
        cr_assert_eq(call_i32(e, func_of(inst, "load"), (int32_t[]){ 65536 }, 1, &r, &err),
                     WEFT_OK, "%s", err.message);
        weft_value fill[3] = { i32(3 * 65536 - 2), i32(7), i32(2) };
        cr_assert_eq(weft_call(e, func_of(inst, "fill"), fill, 3, NULL, 0, &err), WEFT_OK);
        cr_assert_eq(weft_memory_data(mem)[3 * 65536 - 1], 7);
        /* Out of bounds by one byte: nothing is written. */
        fill[0] = i32(3 * 65536 - 1);
        fill[1] = i32(9);
        cr_assert_eq(weft_call(e, func_of(inst, "fill"), fill, 3, NULL, 0, &err), WEFT_ERR_TRAP);
        cr_assert_eq(weft_memory_data(mem)[3 * 65536 - 1], 7);
        weft_engine_free(e);
    }
    weft_module_free(m);
}

Test(api, data_segment_out_of_bounds)
{
    weft_module *m = wat("(module (memory 1) (data (i32.const 65534) \"abc\"))");
    weft_engine *e = engine();
    weft_instance *inst = NULL;
    weft_error err;
    cr_assert_eq(weft_instantiate(e, m, NULL, NULL, &inst, &err), WEFT_ERR_TRAP);
    cr_assert_null(inst);
    cr_assert_str_eq(err.message, "out of bounds memory access");
    weft_engine_free(e);
    weft_module_free(m);
}

Test(api, segments_before_a_failing_one_stay_applied)
{
    /* As in the spec's linking tests: the first data segment writes into an
     * imported memory, the second is out of bounds. */
    weft_module *m = wat(
        "(module (import \"m\" \"mem\" (memory 1))\n"
        "  (data (i32.const 0) \"ok\") (data (i32.const 65536) \"x\"))");
    weft_engine *e = engine();
    binding b[2] = { { "m", "mem", { .kind = WEFT_EXTERN_MEMORY } }, { 0 } };
    cr_assert_eq(weft_memory_new(e, 1, UINT64_MAX, &b[0].ext.of.memory), WEFT_OK);
    weft_instance *inst = NULL;
    weft_error err;
    cr_assert_eq(weft_instantiate(e, m, resolve, b, &inst, &err), WEFT_ERR_TRAP);
    cr_assert_eq(memcmp(weft_memory_data(b[0].ext.of.memory), "ok", 2), 0);
    weft_engine_free(e);
    weft_module_free(m);
}

Test(api, tables_and_elements)
{
    weft_module *m = wat(
        "(module\n"
        "  (type $t (func (result i32)))\n"
        "  (table $tab (export \"tab\") 4 8 funcref)\n"
        "  (elem (i32.const 1) $one $two)\n"
        "  (elem $pass funcref (ref.func $two) (ref.null func))\n"
        "  (func $one (result i32) i32.const 1)\n"
        "  (func $two (result i32) i32.const 2)\n"
        "  (func (export \"call\") (param i32) (result i32) local.get 0 call_indirect (type $t))\n"
        "  (func (export \"init_at\") (param i32) local.get 0 i32.const 0 i32.const 2 "
        "table.init $tab $pass)\n"
        "  (func (export \"drop\") elem.drop $pass)\n"
        "  (func (export \"grow\") (param i32) (result i32) ref.null func local.get 0 table.grow $tab))\n");
    weft_engine *e = engine();
    weft_instance *inst = instantiate(e, m);
    weft_func *call = func_of(inst, "call");
    int32_t r;
    weft_error err;
    cr_assert_eq(call_i32(e, call, (int32_t[]){ 1 }, 1, &r, &err), WEFT_OK, "%s", err.message);
    cr_assert_eq(r, 1);
    cr_assert_eq(call_i32(e, call, (int32_t[]){ 2 }, 1, &r, &err), WEFT_OK);
    cr_assert_eq(r, 2);
    cr_assert_eq(call_i32(e, call, (int32_t[]){ 0 }, 1, &r, &err), WEFT_ERR_TRAP);
    cr_assert_str_eq(err.message, "uninitialized element 0");
    cr_assert_eq(call_i32(e, call, (int32_t[]){ 4 }, 1, &r, &err), WEFT_ERR_TRAP);
    cr_assert_str_eq(err.message, "undefined element 4");
    weft_value at = i32(3);
    cr_assert_eq(weft_call(e, func_of(inst, "init_at"), &at, 1, NULL, 0, &err), WEFT_ERR_TRAP);
    cr_assert_str_eq(err.message, "out of bounds table access");
    at = i32(2);
    cr_assert_eq(weft_call(e, func_of(inst, "init_at"), &at, 1, NULL, 0, &err), WEFT_OK, "%s",
                 err.message);
    cr_assert_eq(call_i32(e, call, (int32_t[]){ 2 }, 1, &r, &err), WEFT_OK);
    cr_assert_eq(r, 2);
    cr_assert_eq(call_i32(e, call, (int32_t[]){ 3 }, 1, &r, &err), WEFT_ERR_TRAP);
    cr_assert_str_eq(err.message, "uninitialized element 3");
    cr_assert_eq(weft_call(e, func_of(inst, "drop"), NULL, 0, NULL, 0, &err), WEFT_OK);
    cr_assert_eq(weft_call(e, func_of(inst, "init_at"), &at, 1, NULL, 0, &err), WEFT_ERR_TRAP);
    cr_assert_eq(call_i32(e, func_of(inst, "grow"), (int32_t[]){ 4 }, 1, &r, &err), WEFT_OK);
    cr_assert_eq(r, 4);
    cr_assert_eq(call_i32(e, func_of(inst, "grow"), (int32_t[]){ 1 }, 1, &r, &err), WEFT_OK);
    cr_assert_eq(r, -1);
    cr_assert_eq(call_i32(e, call, (int32_t[]){ 7 }, 1, &r, &err), WEFT_ERR_TRAP);
    cr_assert_str_eq(err.message, "uninitialized element 7");
    weft_engine_free(e);
    weft_module_free(m);
}

Test(api, element_segment_out_of_bounds_keeps_earlier_writes)
{
    weft_engine *e = engine();
    weft_table *tab;
    cr_assert_eq(weft_table_new(e, WEFT_FUNCREF, 10, UINT64_MAX, &tab), WEFT_OK);
    binding b[2] = { { "m", "tab", { .kind = WEFT_EXTERN_TABLE, .of.table = tab } }, { 0 } };
    weft_module *m = wat(
        "(module (import \"m\" \"tab\" (table 10 funcref))\n"
        "  (func $f (result i32) i32.const 77)\n"
        "  (elem (i32.const 7) $f) (elem (i32.const 9) $f $f))");
    weft_instance *inst = NULL;
    weft_error err;
    cr_assert_eq(weft_instantiate(e, m, resolve, b, &inst, &err), WEFT_ERR_TRAP);
    cr_assert_str_eq(err.message, "out of bounds table access");
    /* The function the failed instance wrote into the table still runs. */
    weft_module *user = wat(
        "(module (import \"m\" \"tab\" (table 10 funcref))\n"
        "  (func (export \"call\") (param i32) (result i32) local.get 0 "
        "call_indirect (result i32)))");
    inst = NULL;
    cr_assert_eq(weft_instantiate(e, user, resolve, b, &inst, &err), WEFT_OK, "%s", err.message);
    int32_t r;
    cr_assert_eq(call_i32(e, func_of(inst, "call"), (int32_t[]){ 7 }, 1, &r, &err), WEFT_OK,
                 "%s", err.message);
    cr_assert_eq(r, 77);
    weft_engine_free(e);
    weft_module_free(m);
    weft_module_free(user);
}

Test(api, start_function)
{
    weft_module *m = wat(
        "(module (global $g (export \"g\") (mut i32) (i32.const 1))\n"
        "  (func $start global.get $g i32.const 10 i32.mul global.set $g) (start $start))");
    weft_engine *e = engine();
    weft_instance *inst = instantiate(e, m);
    cr_assert_eq(weft_global_get(export_of(inst, "g", WEFT_EXTERN_GLOBAL).of.global).of.i32, 10);
    weft_engine_free(e);
    weft_module_free(m);

    m = wat("(module (func $start unreachable) (start $start))");
    e = engine();
    weft_error err;
    inst = NULL;
    cr_assert_eq(weft_instantiate(e, m, NULL, NULL, &inst, &err), WEFT_ERR_TRAP);
    cr_assert_str_eq(err.message, "unreachable");
    weft_engine_free(e);
    weft_module_free(m);
}

Test(api, module_shared_by_instances)
{
    weft_module *m = wat(
        "(module (global $n (mut i32) (i32.const 0))\n"
        "  (func (export \"next\") (result i32) global.get $n i32.const 1 i32.add global.set $n "
        "global.get $n))");
    weft_engine *e = engine();
    weft_instance *a = instantiate(e, m), *b = instantiate(e, m);
    int32_t r;
    weft_error err;
    cr_assert_eq(call_i32(e, func_of(a, "next"), NULL, 0, &r, &err), WEFT_OK);
    cr_assert_eq(call_i32(e, func_of(a, "next"), NULL, 0, &r, &err), WEFT_OK);
    cr_assert_eq(r, 2);
    cr_assert_eq(call_i32(e, func_of(b, "next"), NULL, 0, &r, &err), WEFT_OK);
    cr_assert_eq(r, 1);
    weft_engine_free(e);
    weft_module_free(m);
}

/* A trap records the active functions, innermost first; a fault in guarded
 * memory knows only the callers of the function that faulted. */
Test(api, trap_backtrace)
{
    weft_module *m = wat("(module (memory 1)\n"
                         "  (func $inner (param i32) (result i32) local.get 0 i32.const 0 i32.div_s)\n"
                         "  (func $middle (param i32) (result i32) local.get 0 call $inner)\n"
                         "  (func (export \"run\") (param i32) (result i32) local.get 0 call $middle)\n"
                         "  (func $load (result i32) i32.const -1 i32.load)\n"
                         "  (func (export \"oob\") (result i32) call $load))\n");
    weft_engine *e = engine();
    weft_instance *inst = instantiate(e, m);
    int32_t r;
    weft_error err;
    weft_frame frames[8];
    cr_assert_eq(call_i32(e, func_of(inst, "run"), (int32_t[]){ 3 }, 1, &r, &err), WEFT_ERR_TRAP);
    cr_assert_eq(weft_engine_backtrace(e, frames, 8), 3);
    cr_assert_eq(frames[0].func, 0);
    cr_assert_eq(frames[1].func, 1);
    cr_assert_eq(frames[2].func, 2);
    cr_assert_eq(call_i32(e, func_of(inst, "oob"), NULL, 0, &r, &err), WEFT_ERR_TRAP);
    cr_assert_str_eq(err.message, "out of bounds memory access");
    cr_assert_eq(weft_engine_backtrace(e, frames, 8), 1);
    cr_assert_eq(frames[0].func, 4);
    weft_engine_free(e);
    weft_module_free(m);
}
