/* test_limits.c: resource limits (memory pages, table elements, call depth,
 * value-stack slots), fuel with top-up and resume, and interruption from
 * another thread or a signal handler. Modules are written in the text
 * format and assembled with wabt's wat2wasm when the test runs. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "weft.h"

/* ---- Helpers ---------------------------------------------------------------- */

/* Assembles `text` with wat2wasm and loads the result. */
static weft_module *wat(const char *text)
{
    char dir[] = "/tmp/weft_test_limits_XXXXXX";
    cr_assert(mkdtemp(dir), "mkdtemp failed");
    char src[96], bin[96], cmd[320];
    snprintf(src, sizeof src, "%s/m.wat", dir);
    snprintf(bin, sizeof bin, "%s/m.wasm", dir);
    FILE *f = fopen(src, "w");
    cr_assert(f);
    fputs(text, f);
    fclose(f);
    snprintf(cmd, sizeof cmd, "wat2wasm %s -o %s", src, bin);
    cr_assert_eq(system(cmd), 0, "wat2wasm failed on:\n%s", text);
    weft_module *m = NULL;
    weft_error err;
    weft_status s = weft_module_load_file(bin, &m, &err);
    unlink(src);
    unlink(bin);
    rmdir(dir);
    cr_assert_eq(s, WEFT_OK, "load failed: %s", err.message);
    return m;
}

static weft_engine *engine_of(const weft_config *config)
{
    weft_engine *e = NULL;
    weft_error err;
    cr_assert_eq(weft_engine_new(config, &e, &err), WEFT_OK, "%s", err.message);
    return e;
}

/* A default engine with a fuel budget, or interruptible. */
static weft_engine *fuel_engine(uint64_t fuel, weft_dispatch d, weft_bounds b)
{
    weft_config c;
    weft_config_init(&c);
    c.fuel = fuel;
    c.dispatch = d;
    c.bounds = b;
    return engine_of(&c);
}

static weft_engine *interruptible_engine(void)
{
    weft_config c;
    weft_config_init(&c);
    c.interruptible = true;
    return engine_of(&c);
}

static weft_instance *instantiate(weft_engine *e, const weft_module *m)
{
    weft_instance *inst = NULL;
    weft_error err;
    cr_assert_eq(weft_instantiate(e, m, NULL, NULL, &inst, &err), WEFT_OK, "%s", err.message);
    return inst;
}

static weft_func *func_of(const weft_instance *inst, const char *name)
{
    weft_extern ext;
    cr_assert(weft_instance_export(inst, name, strlen(name), &ext), "no export %s", name);
    cr_assert_eq(ext.kind, WEFT_EXTERN_FUNC);
    return ext.of.func;
}

static weft_value i32(int32_t v) { return (weft_value){ .kind = WEFT_I32, .of.i32 = v }; }
static weft_value i64(int64_t v) { return (weft_value){ .kind = WEFT_I64, .of.i64 = v }; }

/* Calls f(arg) for one i32 result. */
static weft_status call1(weft_engine *e, weft_func *f, int32_t arg, int32_t *result,
                         weft_error *err)
{
    weft_value a = i32(arg), r = { 0 };
    weft_status s = weft_call(e, f, &a, 1, &r, 1, err);
    if (!s)
        *result = r.of.i32;
    return s;
}

/* ---- Memory pages ------------------------------------------------------------- */

static const char *const grow_memory_wat =
    "(module (memory (export \"mem\") 1 10)\n"
    "  (func (export \"grow\") (param i32) (result i32) local.get 0 memory.grow)\n"
    "  (func (export \"size\") (param i32) (result i32) memory.size))\n";

Test(limits, memory_minimum_above_the_limit_fails_to_instantiate)
{
    weft_module *m = wat("(module (memory 5))");
    weft_config c;
    weft_config_init(&c);
    c.max_memory_pages = 4;
    weft_engine *e = engine_of(&c);
    weft_instance *inst = NULL;
    weft_error err;
    cr_assert_eq(weft_instantiate(e, m, NULL, NULL, &inst, &err), WEFT_ERR_LIMIT);
    cr_assert_null(inst);
    cr_assert(strstr(err.message, "memory 0: minimum of 5 pages exceeds the engine's limit of 4"),
              "%s", err.message);
    weft_engine_free(e);
    weft_module_free(m);
}

Test(limits, memory_at_the_limit_instantiates)
{
    weft_module *m = wat("(module (memory 4))");
    weft_config c;
    weft_config_init(&c);
    c.max_memory_pages = 4;
    weft_engine *e = engine_of(&c);
    instantiate(e, m);
    weft_engine_free(e);
    weft_module_free(m);
}

Test(limits, memory_grow_stops_at_the_limit)
{
    weft_module *m = wat(grow_memory_wat);
    weft_config c;
    weft_config_init(&c);
    c.max_memory_pages = 3;
    weft_engine *e = engine_of(&c);
    weft_instance *inst = instantiate(e, m);
    weft_func *grow = func_of(inst, "grow"), *size = func_of(inst, "size");
    int32_t r;
    weft_error err;
    cr_assert_eq(call1(e, grow, 2, &r, &err), WEFT_OK, "%s", err.message);
    cr_assert_eq(r, 1);
    /* The declared maximum (10) would allow it; the engine's limit does not. */
    cr_assert_eq(call1(e, grow, 1, &r, &err), WEFT_OK);
    cr_assert_eq(r, -1);
    cr_assert_eq(call1(e, size, 0, &r, &err), WEFT_OK);
    cr_assert_eq(r, 3);
    weft_engine_free(e);
    weft_module_free(m);
}

Test(limits, memory_grow_without_a_limit_reaches_the_declared_maximum)
{
    weft_module *m = wat(grow_memory_wat);
    weft_engine *e = engine_of(NULL);
    weft_instance *inst = instantiate(e, m);
    weft_func *grow = func_of(inst, "grow");
    int32_t r;
    weft_error err;
    cr_assert_eq(call1(e, grow, 9, &r, &err), WEFT_OK);
    cr_assert_eq(r, 1);
    cr_assert_eq(call1(e, grow, 1, &r, &err), WEFT_OK);
    cr_assert_eq(r, -1);
    weft_engine_free(e);
    weft_module_free(m);
}

Test(limits, host_made_memory_obeys_the_limit)
{
    weft_config c;
    weft_config_init(&c);
    c.max_memory_pages = 2;
    weft_engine *e = engine_of(&c);
    weft_memory *mem = NULL;
    cr_assert_eq(weft_memory_new(e, 3, UINT64_MAX, &mem), WEFT_ERR_LIMIT);
    cr_assert_eq(weft_memory_new(e, 2, UINT64_MAX, &mem), WEFT_OK);
    weft_engine_free(e);
}

Test(limits, limits_above_the_implementation_maximum_are_rejected)
{
    weft_config c;
    weft_config_init(&c);
    c.max_memory_pages = 65537;
    weft_engine *e = NULL;
    weft_error err;
    cr_assert_eq(weft_engine_new(&c, &e, &err), WEFT_ERR_ARGUMENT);
}

/* ---- Table elements ----------------------------------------------------------- */

static const char *const grow_table_wat =
    "(module (table 1 funcref)\n"
    "  (func (export \"grow\") (param i32) (result i32) ref.null func local.get 0 table.grow 0)\n"
    "  (func (export \"size\") (param i32) (result i32) table.size 0))\n";

Test(limits, table_minimum_above_the_limit_fails_to_instantiate)
{
    weft_module *m = wat("(module (table 5 funcref))");
    weft_config c;
    weft_config_init(&c);
    c.max_table_elems = 4;
    weft_engine *e = engine_of(&c);
    weft_instance *inst = NULL;
    weft_error err;
    cr_assert_eq(weft_instantiate(e, m, NULL, NULL, &inst, &err), WEFT_ERR_LIMIT);
    cr_assert(strstr(err.message, "table 0: minimum of 5 elements exceeds the engine's limit of 4"),
              "%s", err.message);
    weft_engine_free(e);
    weft_module_free(m);
}

Test(limits, table_grow_stops_at_the_limit)
{
    weft_module *m = wat(grow_table_wat);
    weft_config c;
    weft_config_init(&c);
    c.max_table_elems = 3;
    weft_engine *e = engine_of(&c);
    weft_instance *inst = instantiate(e, m);
    weft_func *grow = func_of(inst, "grow"), *size = func_of(inst, "size");
    int32_t r;
    weft_error err;
    cr_assert_eq(call1(e, grow, 2, &r, &err), WEFT_OK, "%s", err.message);
    cr_assert_eq(r, 1);
    cr_assert_eq(call1(e, grow, 1, &r, &err), WEFT_OK);
    cr_assert_eq(r, -1);
    cr_assert_eq(call1(e, size, 0, &r, &err), WEFT_OK);
    cr_assert_eq(r, 3);
    weft_engine_free(e);
    weft_module_free(m);
}

Test(limits, table_grow_without_a_limit)
{
    weft_module *m = wat(grow_table_wat);
    weft_engine *e = engine_of(NULL);
    weft_instance *inst = instantiate(e, m);
    int32_t r;
    weft_error err;
    cr_assert_eq(call1(e, func_of(inst, "grow"), 1000, &r, &err), WEFT_OK);
    cr_assert_eq(r, 1);
    weft_engine_free(e);
    weft_module_free(m);
}

/* ---- Call depth and value-stack slots ---------------------------------------------- */

/* depth(n) = n == 0 ? 0 : depth(n - 1) + 1, one call per level. */
static const char *const depth_wat =
    "(module (func $d (export \"depth\") (param i32) (result i32)\n"
    "  local.get 0 i32.eqz if (result i32) i32.const 0\n"
    "  else local.get 0 i32.const 1 i32.sub call $d i32.const 1 i32.add end))\n";

static void check_depth(const weft_config *c, int32_t ok_n, int32_t bad_n)
{
    weft_module *m = wat(depth_wat);
    weft_engine *e = engine_of(c);
    weft_func *depth = func_of(instantiate(e, m), "depth");
    int32_t r;
    weft_error err;
    cr_assert_eq(call1(e, depth, ok_n, &r, &err), WEFT_OK, "%s", err.message);
    cr_assert_eq(r, ok_n);
    cr_assert_eq(call1(e, depth, bad_n, &r, &err), WEFT_ERR_TRAP);
    cr_assert_str_eq(err.message, "call stack exhausted");
    /* The engine is still usable. */
    cr_assert_eq(call1(e, depth, ok_n, &r, &err), WEFT_OK, "%s", err.message);
    weft_engine_free(e);
    weft_module_free(m);
}

Test(limits, call_depth)
{
    weft_config c;
    weft_config_init(&c);
    c.max_call_depth = 100;
    check_depth(&c, 90, 200);
}

Test(limits, value_stack_slots)
{
    weft_config c;
    weft_config_init(&c);
    c.max_stack_slots = 1000;
    check_depth(&c, 50, 2000);
}

/* ---- Fuel ------------------------------------------------------------------------ */

/* sum(n) = 1 + 2 + ... + n as an i64, in a loop. */
static const char *const sum_wat =
    "(module (func (export \"sum\") (param $n i64) (result i64) (local $s i64)\n"
    "  (block $done (loop $next\n"
    "    local.get $n i64.eqz br_if $done\n"
    "    local.get $s local.get $n i64.add local.set $s\n"
    "    local.get $n i64.const 1 i64.sub local.set $n\n"
    "    br $next))\n"
    "  local.get $s)\n"
    " (func (export \"three\") (result i32) i32.const 1 i32.const 2 i32.add))\n";

/* Runs sum(n) on `e` with `step` fuel added at each stop; returns how many
 * stops there were. */
static int sum_with_top_ups(weft_engine *e, weft_func *sum, int64_t n, uint64_t step)
{
    weft_value a = i64(n), r = { 0 };
    weft_error err;
    weft_status s = weft_call(e, sum, &a, 1, &r, 1, &err);
    int stops = 0;
    while (s == WEFT_ERR_FUEL) {
        cr_assert_str_eq(err.message, "out of fuel");
        stops++;
        cr_assert_eq(weft_engine_add_fuel(e, step), WEFT_OK);
        s = weft_resume(e, &r, 1, &err);
    }
    cr_assert_eq(s, WEFT_OK, "%s", err.message);
    cr_assert_eq(r.kind, WEFT_I64);
    cr_assert_eq(r.of.i64, n * (n + 1) / 2, "sum(%lld) = %lld", (long long)n,
                 (long long)r.of.i64);
    return stops;
}

Test(fuel, exhaustion_top_up_and_resume_give_the_exact_sum)
{
    weft_module *m = wat(sum_wat);
    weft_engine *e = fuel_engine(1000, WEFT_DISPATCH_DIRECT, WEFT_BOUNDS_GUARD);
    weft_func *sum = func_of(instantiate(e, m), "sum");
    int stops = sum_with_top_ups(e, sum, 100000, 5000);
    /* About 16 instructions an iteration: a million and a half in all. */
    cr_assert_gt(stops, 100, "only %d stops", stops);
    weft_engine_free(e);
    weft_module_free(m);
}

Test(fuel, every_strategy_and_bounds_mode)
{
    weft_module *m = wat(sum_wat);
    for (int d = WEFT_DISPATCH_DIRECT; d <= WEFT_DISPATCH_TAIL; d++) {
        if (!weft_dispatch_available((weft_dispatch)d))
            continue;
        for (int b = WEFT_BOUNDS_GUARD; b <= WEFT_BOUNDS_EXPLICIT; b++) {
            weft_engine *e = fuel_engine(300, (weft_dispatch)d, (weft_bounds)b);
            weft_func *sum = func_of(instantiate(e, m), "sum");
            cr_assert_gt(sum_with_top_ups(e, sum, 5000, 700), 10);
            weft_engine_free(e);
        }
    }
    weft_module_free(m);
}

Test(fuel, a_unit_is_one_wasm_instruction)
{
    weft_module *m = wat(sum_wat);
    weft_engine *e = fuel_engine(1000, WEFT_DISPATCH_DIRECT, WEFT_BOUNDS_GUARD);
    weft_func *three = func_of(instantiate(e, m), "three");
    weft_value r;
    weft_error err;
    cr_assert_eq(weft_call(e, three, NULL, 0, &r, 1, &err), WEFT_OK, "%s", err.message);
    uint64_t left;
    cr_assert_eq(weft_engine_fuel(e, &left), WEFT_OK);
    /* i32.const, i32.const, i32.add and the function's end. */
    cr_assert_eq(left, 1000 - 4);
    weft_engine_free(e);
    weft_module_free(m);
}

Test(fuel, a_loop_charges_its_body_per_iteration)
{
    weft_module *m = wat(sum_wat);
    weft_engine *e = fuel_engine(1000, WEFT_DISPATCH_DIRECT, WEFT_BOUNDS_GUARD);
    weft_func *sum = func_of(instantiate(e, m), "sum");
    weft_value a = i64(10), r;
    weft_error err;
    cr_assert_eq(weft_call(e, sum, &a, 1, &r, 1, &err), WEFT_OK, "%s", err.message);
    cr_assert_eq(r.of.i64, 55);
    uint64_t left;
    cr_assert_eq(weft_engine_fuel(e, &left), WEFT_OK);
    /* Outside the loop: block, loop, the block's end, local.get and the
     * function's end (5). The loop body is 12 instructions (its end, after
     * the br, is unreachable and free), charged at each of the 11 times
     * the header runs: 10 iterations and the one that leaves. */
    cr_assert_eq(left, 1000 - (5 + 12 * 11), "used %llu", (unsigned long long)(1000 - left));
    weft_engine_free(e);
    weft_module_free(m);
}

Test(fuel, too_little_for_the_entry_region_stops_before_it)
{
    weft_module *m = wat(sum_wat);
    weft_engine *e = fuel_engine(3, WEFT_DISPATCH_DIRECT, WEFT_BOUNDS_GUARD);
    weft_func *three = func_of(instantiate(e, m), "three");
    weft_value r;
    weft_error err;
    cr_assert_eq(weft_call(e, three, NULL, 0, &r, 1, &err), WEFT_ERR_FUEL);
    uint64_t left;
    cr_assert_eq(weft_engine_fuel(e, &left), WEFT_OK);
    cr_assert_eq(left, 3, "nothing is charged when a region does not fit");
    cr_assert_eq(weft_engine_add_fuel(e, 1), WEFT_OK);
    cr_assert_eq(weft_resume(e, &r, 1, &err), WEFT_OK, "%s", err.message);
    cr_assert_eq(r.of.i32, 3);
    cr_assert_eq(weft_engine_fuel(e, &left), WEFT_OK);
    cr_assert_eq(left, 0);
    weft_engine_free(e);
    weft_module_free(m);
}

/* outer(n) = sum over i < n of inner(i), inner(i) = 0 + 1 + ... + i, and
 * fib(n) by double recursion: stops land inside nested calls. */
static const char *const nested_wat =
    "(module\n"
    "  (func $inner (param $i i32) (result i32) (local $s i32)\n"
    "    (block $done (loop $next\n"
    "      local.get $i i32.eqz br_if $done\n"
    "      local.get $s local.get $i i32.add local.set $s\n"
    "      local.get $i i32.const 1 i32.sub local.set $i\n"
    "      br $next))\n"
    "    local.get $s)\n"
    "  (func (export \"outer\") (param $n i32) (result i32) (local $i i32) (local $s i32)\n"
    "    (block $done (loop $next\n"
    "      local.get $i local.get $n i32.ge_u br_if $done\n"
    "      local.get $s local.get $i call $inner i32.add local.set $s\n"
    "      local.get $i i32.const 1 i32.add local.set $i\n"
    "      br $next))\n"
    "    local.get $s)\n"
    "  (func $fib (export \"fib\") (param i32) (result i32)\n"
    "    local.get 0 i32.const 2 i32.lt_u if (result i32) local.get 0\n"
    "    else local.get 0 i32.const 1 i32.sub call $fib\n"
    "         local.get 0 i32.const 2 i32.sub call $fib i32.add end))\n";

/* Calls f(arg) with `step` fuel added at each stop; returns the result and
 * counts the stops. */
static int32_t call_with_top_ups(weft_engine *e, weft_func *f, int32_t arg, uint64_t step,
                                 int *stops)
{
    weft_value a = i32(arg), r = { 0 };
    weft_error err;
    weft_status s = weft_call(e, f, &a, 1, &r, 1, &err);
    *stops = 0;
    while (s == WEFT_ERR_FUEL) {
        ++*stops;
        cr_assert_eq(weft_engine_add_fuel(e, step), WEFT_OK);
        s = weft_resume(e, &r, 1, &err);
    }
    cr_assert_eq(s, WEFT_OK, "%s", err.message);
    return r.of.i32;
}

Test(fuel, exhausted_inside_nested_calls_then_resumed)
{
    weft_module *m = wat(nested_wat);
    for (int d = WEFT_DISPATCH_DIRECT; d <= WEFT_DISPATCH_TAIL; d++) {
        if (!weft_dispatch_available((weft_dispatch)d))
            continue;
        weft_engine *e = fuel_engine(50, (weft_dispatch)d, WEFT_BOUNDS_GUARD);
        weft_instance *inst = instantiate(e, m);
        int stops;
        /* outer(300) = sum of i(i+1)/2 for i < 300 = 299 * 300 * 301 / 6. */
        cr_assert_eq(call_with_top_ups(e, func_of(inst, "outer"), 300, 97, &stops),
                     299 * 300 * 301 / 6);
        cr_assert_gt(stops, 100);
        cr_assert_eq(call_with_top_ups(e, func_of(inst, "fib"), 20, 61, &stops), 6765);
        cr_assert_gt(stops, 100);
        weft_engine_free(e);
    }
    weft_module_free(m);
}

Test(fuel, a_new_call_abandons_a_stopped_one)
{
    weft_module *m = wat(sum_wat);
    weft_engine *e = fuel_engine(100, WEFT_DISPATCH_DIRECT, WEFT_BOUNDS_GUARD);
    weft_instance *inst = instantiate(e, m);
    weft_value a = i64(1000000), r;
    weft_error err;
    cr_assert_eq(weft_call(e, func_of(inst, "sum"), &a, 1, &r, 1, &err), WEFT_ERR_FUEL);
    cr_assert_eq(weft_engine_add_fuel(e, 100), WEFT_OK);
    cr_assert_eq(weft_call(e, func_of(inst, "three"), NULL, 0, &r, 1, &err), WEFT_OK, "%s",
                 err.message);
    cr_assert_eq(r.of.i32, 3);
    cr_assert_eq(weft_resume(e, &r, 1, &err), WEFT_ERR_ARGUMENT);
    weft_engine_free(e);
    weft_module_free(m);
}

Test(fuel, resume_without_a_stopped_call_is_an_argument_error)
{
    weft_engine *e = fuel_engine(100, WEFT_DISPATCH_DIRECT, WEFT_BOUNDS_GUARD);
    weft_error err;
    cr_assert_eq(weft_resume(e, NULL, 0, &err), WEFT_ERR_ARGUMENT);
    cr_assert_str_eq(err.message, "no stopped call to resume");
    weft_engine_free(e);
}

Test(fuel, start_function_out_of_fuel_fails_instantiation)
{
    weft_module *m = wat("(module (func $s (loop br 0)) (start $s))");
    weft_engine *e = fuel_engine(1000, WEFT_DISPATCH_DIRECT, WEFT_BOUNDS_GUARD);
    weft_instance *inst = NULL;
    weft_error err;
    cr_assert_eq(weft_instantiate(e, m, NULL, NULL, &inst, &err), WEFT_ERR_FUEL);
    cr_assert_str_eq(err.message, "out of fuel");
    cr_assert_eq(weft_resume(e, NULL, 0, &err), WEFT_ERR_ARGUMENT);
    weft_engine_free(e);
    weft_module_free(m);
}

/* A host function that runs the guest's `spin` again (nested), and passes
 * on whatever stops it. */
typedef struct nested {
    weft_engine *engine;
    weft_func *spin;
    weft_status inner;
} nested;

static weft_status host_nested(void *user, const weft_value *args, weft_value *results,
                               weft_error *err)
{
    (void)args;
    (void)results;
    nested *n = user;
    weft_value a = i32(0);
    n->inner = weft_call(n->engine, n->spin, &a, 1, NULL, 0, err);
    return n->inner;
}

/* Resolves every import to the function passed as user data. */
static bool resolve_host(void *user, const char *module, size_t module_len, const char *field,
                         size_t field_len, weft_extern *out)
{
    (void)module;
    (void)module_len;
    (void)field;
    (void)field_len;
    *out = (weft_extern){ .kind = WEFT_EXTERN_FUNC, .of.func = user };
    return true;
}

Test(fuel, stop_inside_a_host_functions_call_is_not_resumable)
{
    weft_module *m = wat(
        "(module (import \"env\" \"host\" (func $host))\n"
        "  (func (export \"spin\") (param i32) (loop br 0))\n"
        "  (func (export \"outer\") call $host))\n");
    weft_engine *e = fuel_engine(1000, WEFT_DISPATCH_DIRECT, WEFT_BOUNDS_GUARD);
    nested n = { e, NULL, WEFT_OK };
    weft_func *host;
    cr_assert_eq(weft_func_new(e, NULL, 0, NULL, 0, host_nested, &n, &host), WEFT_OK);
    weft_instance *inst = NULL;
    weft_error err;
    cr_assert_eq(weft_instantiate(e, m, resolve_host, host, &inst, &err), WEFT_OK, "%s",
                 err.message);
    n.spin = func_of(inst, "spin");
    cr_assert_eq(weft_call(e, func_of(inst, "outer"), NULL, 0, NULL, 0, &err), WEFT_ERR_FUEL);
    cr_assert_eq(n.inner, WEFT_ERR_FUEL);
    cr_assert(strstr(err.message, "not resumable"), "%s", err.message);
    cr_assert_eq(weft_engine_add_fuel(e, 1000), WEFT_OK);
    cr_assert_eq(weft_resume(e, NULL, 0, &err), WEFT_ERR_ARGUMENT);
    weft_engine_free(e);
    weft_module_free(m);
}

/* ---- Interruption ------------------------------------------------------------------ */

static const char *const spin_wat =
    "(module\n"
    "  (func (export \"forever\") (loop br 0))\n"
    "  (func (export \"add\") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add))\n";

/* Interrupts the engine after a short sleep. */
static void *interrupter(void *engine)
{
    struct timespec ts = { 0, 50 * 1000 * 1000 };
    nanosleep(&ts, NULL);
    cr_assert_eq(weft_engine_interrupt(engine), WEFT_OK);
    return NULL;
}

Test(interrupt, an_infinite_loop_from_another_thread)
{
    weft_module *m = wat(spin_wat);
    for (int d = WEFT_DISPATCH_DIRECT; d <= WEFT_DISPATCH_TAIL; d++) {
        if (!weft_dispatch_available((weft_dispatch)d))
            continue;
        weft_config c;
        weft_config_init(&c);
        c.interruptible = true;
        c.dispatch = (weft_dispatch)d;
        weft_engine *e = engine_of(&c);
        weft_instance *inst = instantiate(e, m);
        pthread_t t;
        cr_assert_eq(pthread_create(&t, NULL, interrupter, e), 0);
        weft_error err;
        cr_assert_eq(weft_call(e, func_of(inst, "forever"), NULL, 0, NULL, 0, &err),
                     WEFT_ERR_INTERRUPTED);
        cr_assert_str_eq(err.message, "interrupted");
        pthread_join(t, NULL);
        /* Reusable: the request was consumed by the check that stopped. */
        weft_value a[2] = { i32(2), i32(3) }, r;
        cr_assert_eq(weft_call(e, func_of(inst, "add"), a, 2, &r, 1, &err), WEFT_OK, "%s",
                     err.message);
        cr_assert_eq(r.of.i32, 5);
        weft_engine_free(e);
    }
    weft_module_free(m);
}

Test(interrupt, an_interrupted_call_resumes_to_its_result)
{
    weft_module *m = wat(sum_wat);
    weft_engine *e = interruptible_engine();
    weft_func *sum = func_of(instantiate(e, m), "sum");
    /* A request made before the call stops it at its first check. */
    cr_assert_eq(weft_engine_interrupt(e), WEFT_OK);
    weft_value a = i64(100000), r;
    weft_error err;
    cr_assert_eq(weft_call(e, sum, &a, 1, &r, 1, &err), WEFT_ERR_INTERRUPTED);
    cr_assert_eq(weft_engine_interrupt(e), WEFT_OK);
    cr_assert_eq(weft_resume(e, &r, 1, &err), WEFT_ERR_INTERRUPTED);
    cr_assert_eq(weft_resume(e, &r, 1, &err), WEFT_OK, "%s", err.message);
    cr_assert_eq(r.of.i64, (int64_t)100000 * 100001 / 2);
    weft_engine_free(e);
    weft_module_free(m);
}

static weft_engine *alarm_engine;

static void on_alarm(int sig)
{
    (void)sig;
    weft_engine_interrupt(alarm_engine);
}

Test(interrupt, from_a_signal_handler)
{
    weft_module *m = wat(spin_wat);
    alarm_engine = interruptible_engine();
    weft_instance *inst = instantiate(alarm_engine, m);
    struct sigaction sa = { .sa_handler = on_alarm };
    sigemptyset(&sa.sa_mask);
    cr_assert_eq(sigaction(SIGALRM, &sa, NULL), 0);
    struct itimerval it = { .it_value = { 0, 50000 } };
    cr_assert_eq(setitimer(ITIMER_REAL, &it, NULL), 0);
    weft_error err;
    cr_assert_eq(weft_call(alarm_engine, func_of(inst, "forever"), NULL, 0, NULL, 0, &err),
                 WEFT_ERR_INTERRUPTED);
    weft_engine_free(alarm_engine);
    weft_module_free(m);
}

Test(interrupt, fuel_and_interruption_together)
{
    weft_module *m = wat(spin_wat);
    weft_config c;
    weft_config_init(&c);
    c.interruptible = true;
    c.fuel = 1000000;
    weft_engine *e = engine_of(&c);
    weft_instance *inst = instantiate(e, m);
    weft_error err;
    cr_assert_eq(weft_call(e, func_of(inst, "forever"), NULL, 0, NULL, 0, &err), WEFT_ERR_FUEL);
    cr_assert_eq(weft_engine_interrupt(e), WEFT_OK);
    cr_assert_eq(weft_engine_add_fuel(e, 1000), WEFT_OK);
    cr_assert_eq(weft_resume(e, NULL, 0, &err), WEFT_ERR_INTERRUPTED);
    weft_engine_free(e);
    weft_module_free(m);
}

/* ---- Unmetered engines ----------------------------------------------------------- */

Test(unmetered, fuel_and_interruption_are_argument_errors_and_change_nothing)
{
    weft_module *m = wat(sum_wat);
    weft_engine *e = engine_of(NULL);
    weft_func *sum = func_of(instantiate(e, m), "sum");
    uint64_t left;
    cr_assert_eq(weft_engine_fuel(e, &left), WEFT_ERR_ARGUMENT);
    cr_assert_eq(weft_engine_add_fuel(e, 10), WEFT_ERR_ARGUMENT);
    cr_assert_eq(weft_engine_interrupt(e), WEFT_ERR_ARGUMENT);
    weft_value a = i64(1000000), r;
    weft_error err;
    cr_assert_eq(weft_call(e, sum, &a, 1, &r, 1, &err), WEFT_OK, "%s", err.message);
    cr_assert_eq(r.of.i64, (int64_t)1000000 * 1000001 / 2);
    cr_assert_eq(weft_resume(e, &r, 1, &err), WEFT_ERR_ARGUMENT);
    weft_engine_free(e);
    weft_module_free(m);
}

Test(unmetered, status_names)
{
    cr_assert_str_eq(weft_status_name(WEFT_ERR_FUEL), "out of fuel");
    cr_assert_str_eq(weft_status_name(WEFT_ERR_INTERRUPTED), "interrupted");
}
