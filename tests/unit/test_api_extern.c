/* test_api_extern.c: the public API on externals: bounds-checked memory
 * reads and writes, memory and table growth, table and global access, the
 * enumeration of imports and exports, traps formatted with their backtrace
 * and WASI stdio redirected into pipes. Modules are written in the text
 * format and assembled with wabt's wat2wasm when the test runs. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helpers.h"
#include "weft.h"

/* ---- Helpers ---------------------------------------------------------------- */

/* Calls a function of at most one i32 parameter and one i32 result. */
static int32_t call_i32(weft_engine *e, weft_func *f, const weft_value *arg)
{
    weft_value r;
    weft_error err;
    cr_assert_eq(weft_call(e, f, arg, arg ? 1 : 0, &r, 1, &err), WEFT_OK, "%s", err.message);
    cr_assert_eq(r.kind, WEFT_I32);
    return r.of.i32;
}

/* ---- Memory reads and writes -------------------------------------------------- */

static const char *const memory_wat =
    "(module\n"
    "  (memory (export \"mem\") 1 3)\n"
    "  (data (i32.const 8) \"\\01\\02\\03\\04\")\n"
    "  (func (export \"load\") (param i32) (result i32) local.get 0 i32.load)\n"
    "  (func (export \"size\") (result i32) memory.size))\n";

/* Reads and writes land exactly where the guest sees them, in both bounds
 * modes, right up to the last byte. */
static void read_write_in(weft_bounds bounds)
{
    weft_module *m = wat(memory_wat);
    weft_engine *e = engine_with(WEFT_DISPATCH_DIRECT, bounds);
    weft_instance *inst = instantiate(e, m);
    weft_memory *mem = export_of(inst, "mem", WEFT_EXTERN_MEMORY).of.memory;
    weft_error err;
    uint8_t got[4];
    cr_assert_eq(weft_memory_read(mem, 8, got, 4, &err), WEFT_OK, "%s", err.message);
    cr_assert_eq(err.status, WEFT_OK);
    cr_assert_arr_eq(got, ((uint8_t[]){ 1, 2, 3, 4 }), 4);
    cr_assert_eq(weft_memory_write(mem, 100, "abcd", 4, &err), WEFT_OK, "%s", err.message);
    weft_value at = i32(100);
    cr_assert_eq(call_i32(e, func_of(inst, "load"), &at), 0x64636261);
    /* The very end of the memory, and an empty range just past it. */
    cr_assert_eq(weft_memory_write(mem, 65532, "wxyz", 4, NULL), WEFT_OK);
    at = i32(65532);
    cr_assert_eq(call_i32(e, func_of(inst, "load"), &at), 0x7a797877);
    cr_assert_eq(weft_memory_read(mem, 65535, got, 1, &err), WEFT_OK);
    cr_assert_eq(got[0], 'z');
    cr_assert_eq(weft_memory_read(mem, 65536, NULL, 0, &err), WEFT_OK);
    cr_assert_eq(weft_memory_write(mem, 65536, NULL, 0, &err), WEFT_OK);
    /* The base pointer shows the same bytes. */
    cr_assert_eq(memcmp(weft_memory_data(mem) + 100, "abcd", 4), 0);
    weft_engine_free(e);
    weft_module_free(m);
}

Test(api_extern, memory_read_write_guarded) { read_write_in(WEFT_BOUNDS_GUARD); }
Test(api_extern, memory_read_write_explicit) { read_write_in(WEFT_BOUNDS_EXPLICIT); }

/* Every range that does not lie inside the memory fails with a message and
 * touches nothing, including ranges whose end wraps around. */
Test(api_extern, memory_out_of_range)
{
    weft_module *m = wat(memory_wat);
    weft_engine *e = engine();
    weft_instance *inst = instantiate(e, m);
    weft_memory *mem = export_of(inst, "mem", WEFT_EXTERN_MEMORY).of.memory;
    weft_error err;
    uint8_t buf[8] = { 0xee, 0xee, 0xee, 0xee, 0xee, 0xee, 0xee, 0xee };
    cr_assert_eq(weft_memory_read(mem, 65536, buf, 1, &err), WEFT_ERR_ARGUMENT);
    cr_assert_eq(err.status, WEFT_ERR_ARGUMENT);
    cr_assert_str_eq(err.message,
                     "out of bounds memory access: offset 65536, length 1, memory size 65536");
    cr_assert_eq(weft_memory_read(mem, 65533, buf, 4, &err), WEFT_ERR_ARGUMENT);
    cr_assert_str_eq(err.message,
                     "out of bounds memory access: offset 65533, length 4, memory size 65536");
    cr_assert_eq(buf[0], 0xee, "a failed read wrote into the buffer");
    /* offset + len wraps around to a small number. */
    cr_assert_eq(weft_memory_read(mem, UINT64_MAX, buf, 2, &err), WEFT_ERR_ARGUMENT);
    cr_assert_eq(weft_memory_read(mem, 1, buf, SIZE_MAX, &err), WEFT_ERR_ARGUMENT);
    cr_assert_eq(weft_memory_write(mem, UINT64_MAX - 1, buf, 4, &err), WEFT_ERR_ARGUMENT);
    cr_assert_eq(weft_memory_write(mem, 8, buf, SIZE_MAX - 7, &err), WEFT_ERR_ARGUMENT);
    cr_assert_eq(weft_memory_write(mem, 65536, buf, 1, NULL), WEFT_ERR_ARGUMENT);
    /* A write that would run off the end writes none of its bytes. */
    cr_assert_eq(weft_memory_write(mem, 65534, buf, 4, &err), WEFT_ERR_ARGUMENT);
    cr_assert_str_eq(err.message,
                     "out of bounds memory access: offset 65534, length 4, memory size 65536");
    uint8_t tail[2];
    cr_assert_eq(weft_memory_read(mem, 65534, tail, 2, &err), WEFT_OK);
    cr_assert_arr_eq(tail, ((uint8_t[]){ 0, 0 }), 2);
    /* A buffer is needed whenever there are bytes to copy. */
    cr_assert_eq(weft_memory_read(mem, 0, NULL, 1, &err), WEFT_ERR_ARGUMENT);
    cr_assert_eq(weft_memory_write(mem, 0, NULL, 1, &err), WEFT_ERR_ARGUMENT);
    weft_engine_free(e);
    weft_module_free(m);
}

/* ---- Memory growth ---------------------------------------------------------------- */

static void grow_in(weft_bounds bounds)
{
    weft_module *m = wat(memory_wat);
    weft_engine *e = engine_with(WEFT_DISPATCH_DIRECT, bounds);
    weft_instance *inst = instantiate(e, m);
    weft_memory *mem = export_of(inst, "mem", WEFT_EXTERN_MEMORY).of.memory;
    weft_error err;
    cr_assert_eq(weft_memory_pages(mem), 1);
    cr_assert_eq(weft_memory_max_pages(mem), 3);
    uint64_t old = 99;
    cr_assert_eq(weft_memory_grow(mem, 1, &old, &err), WEFT_OK, "%s", err.message);
    cr_assert_eq(old, 1);
    cr_assert_eq(weft_memory_pages(mem), 2);
    cr_assert_eq(weft_memory_size(mem), 2 * 65536);
    cr_assert_eq(call_i32(e, func_of(inst, "size"), NULL), 2);
    /* The data before the grow is kept, the new page is zeroed and the
     * guest reaches it. */
    uint8_t got[4];
    cr_assert_eq(weft_memory_read(mem, 8, got, 4, &err), WEFT_OK);
    cr_assert_arr_eq(got, ((uint8_t[]){ 1, 2, 3, 4 }), 4);
    cr_assert_eq(weft_memory_read(mem, 131068, got, 4, &err), WEFT_OK);
    cr_assert_arr_eq(got, ((uint8_t[]){ 0, 0, 0, 0 }), 4);
    cr_assert_eq(weft_memory_write(mem, 131068, "\x11\x22\x33\x44", 4, &err), WEFT_OK);
    weft_value at = i32(131068);
    cr_assert_eq(call_i32(e, func_of(inst, "load"), &at), 0x44332211);
    cr_assert_eq(weft_memory_data(mem)[131068], 0x11);
    cr_assert_eq(weft_memory_grow(mem, 0, &old, &err), WEFT_OK);
    cr_assert_eq(old, 2);
    /* Past the maximum: an error, and the memory as it was. */
    cr_assert_eq(weft_memory_grow(mem, 2, &old, &err), WEFT_ERR_LIMIT);
    cr_assert_eq(err.status, WEFT_ERR_LIMIT);
    cr_assert_str_eq(err.message, "cannot grow a memory of 2 pages by 2: its maximum is 3 pages");
    cr_assert_eq(old, 2, "a failed grow wrote *old_pages");
    cr_assert_eq(weft_memory_grow(mem, UINT64_MAX, NULL, NULL), WEFT_ERR_LIMIT);
    cr_assert_eq(weft_memory_pages(mem), 2);
    cr_assert_eq(call_i32(e, func_of(inst, "size"), NULL), 2);
    cr_assert_eq(weft_memory_grow(mem, 1, NULL, &err), WEFT_OK);
    cr_assert_eq(weft_memory_pages(mem), 3);
    cr_assert_eq(weft_memory_grow(mem, 1, NULL, &err), WEFT_ERR_LIMIT);
    weft_engine_free(e);
    weft_module_free(m);
}

Test(api_extern, memory_grow_guarded) { grow_in(WEFT_BOUNDS_GUARD); }
Test(api_extern, memory_grow_explicit) { grow_in(WEFT_BOUNDS_EXPLICIT); }

/* A host-made memory without a maximum may grow to 65536 pages, no further. */
Test(api_extern, host_memory_grow)
{
    weft_engine *e = engine();
    weft_memory *mem;
    cr_assert_eq(weft_memory_new(e, 0, UINT64_MAX, &mem), WEFT_OK);
    cr_assert_eq(weft_memory_pages(mem), 0);
    cr_assert_eq(weft_memory_max_pages(mem), 65536);
    uint8_t byte;
    cr_assert_eq(weft_memory_read(mem, 0, &byte, 1, NULL), WEFT_ERR_ARGUMENT);
    uint64_t old = 7;
    cr_assert_eq(weft_memory_grow(mem, 65537, &old, NULL), WEFT_ERR_LIMIT);
    cr_assert_eq(weft_memory_grow(mem, 1, &old, NULL), WEFT_OK);
    cr_assert_eq(old, 0);
    cr_assert_eq(weft_memory_write(mem, 65535, "q", 1, NULL), WEFT_OK);
    cr_assert_eq(weft_memory_read(mem, 65535, &byte, 1, NULL), WEFT_OK);
    cr_assert_eq(byte, 'q');
    weft_engine_free(e);
}

/* A host function that grows the memory of the guest calling it: the guest
 * sees the new pages as soon as the call returns, even when growing moved
 * the memory (explicit bounds). */
static weft_status grow_host(void *user, const weft_value *args, weft_value *results,
                             weft_error *err)
{
    (void)args;
    weft_memory **mem = user;
    uint64_t old;
    weft_status s = weft_memory_grow(*mem, 1, &old, err);
    if (s)
        return s;
    uint32_t value = 0xabcd1234;
    s = weft_memory_write(*mem, old * 65536, &value, 4, err);
    results[0] = i32((int32_t)old);
    return s;
}

static void grow_from_host_in(weft_bounds bounds)
{
    weft_module *m = wat("(module\n"
                         "  (import \"host\" \"grow\" (func $grow (result i32)))\n"
                         "  (memory (export \"mem\") 1)\n"
                         "  (func (export \"run\") (result i32)\n"
                         "    call $grow i32.const 65536 i32.mul i32.load))\n");
    weft_engine *e = engine_with(WEFT_DISPATCH_DIRECT, bounds);
    weft_memory *mem = NULL;
    weft_valkind k = WEFT_I32;
    weft_extern host = { .kind = WEFT_EXTERN_FUNC };
    cr_assert_eq(weft_func_new(e, NULL, 0, &k, 1, grow_host, &mem, &host.of.func), WEFT_OK);
    weft_instance *inst;
    weft_error err;
    cr_assert_eq(weft_instantiate(e, m, resolve_to, &host, &inst, &err), WEFT_OK, "%s",
                 err.message);
    mem = export_of(inst, "mem", WEFT_EXTERN_MEMORY).of.memory;
    cr_assert_eq((uint32_t)call_i32(e, func_of(inst, "run"), NULL), 0xabcd1234);
    cr_assert_eq(weft_memory_pages(mem), 2);
    weft_engine_free(e);
    weft_module_free(m);
}

Test(api_extern, memory_grow_from_host_guarded) { grow_from_host_in(WEFT_BOUNDS_GUARD); }
Test(api_extern, memory_grow_from_host_explicit) { grow_from_host_in(WEFT_BOUNDS_EXPLICIT); }

/* ---- Tables ------------------------------------------------------------------------ */

static const char *const table_wat =
    "(module\n"
    "  (type $r (func (result i32)))\n"
    "  (table $funcs (export \"funcs\") 2 4 funcref)\n"
    "  (table $refs (export \"refs\") 1 externref)\n"
    "  (func $f (result i32) i32.const 42)\n"
    "  (elem (table $funcs) (i32.const 0) func $f)\n"
    "  (func (export \"call\") (param i32) (result i32) local.get 0 call_indirect $funcs (type $r))\n"
    "  (func (export \"ref\") (param i32) (result externref) local.get 0 table.get $refs))\n";

static weft_status seven(void *user, const weft_value *args, weft_value *results,
                         weft_error *err)
{
    (void)user;
    (void)args;
    (void)err;
    results[0] = i32(7);
    return WEFT_OK;
}

Test(api_extern, table_get_set_grow)
{
    weft_module *m = wat(table_wat);
    weft_engine *e = engine();
    weft_instance *inst = instantiate(e, m);
    weft_table *funcs = export_of(inst, "funcs", WEFT_EXTERN_TABLE).of.table;
    weft_table *refs = export_of(inst, "refs", WEFT_EXTERN_TABLE).of.table;
    weft_error err;
    cr_assert_eq(weft_table_kind(funcs), WEFT_FUNCREF);
    cr_assert_eq(weft_table_kind(refs), WEFT_EXTERNREF);
    cr_assert_eq(weft_table_size(funcs), 2);
    cr_assert_eq(weft_table_size(refs), 1);

    /* Element 0 is $f, which the host can call; element 1 is null. */
    weft_value v;
    cr_assert_eq(weft_table_get(funcs, 0, &v, &err), WEFT_OK, "%s", err.message);
    cr_assert_eq(v.kind, WEFT_FUNCREF);
    cr_assert_not_null(v.of.ref);
    cr_assert_eq(call_i32(e, v.of.ref, NULL), 42);
    weft_value null;
    cr_assert_eq(weft_table_get(funcs, 1, &null, &err), WEFT_OK);
    cr_assert_eq(null.kind, WEFT_FUNCREF);
    cr_assert_null(null.of.ref);

    /* The guest calls what the host stores: a copy of $f, then a host
     * function. */
    cr_assert_eq(weft_table_set(funcs, 1, v, &err), WEFT_OK, "%s", err.message);
    weft_value at = i32(1);
    cr_assert_eq(call_i32(e, func_of(inst, "call"), &at), 42);
    weft_valkind k = WEFT_I32;
    weft_func *host;
    cr_assert_eq(weft_func_new(e, NULL, 0, &k, 1, seven, NULL, &host), WEFT_OK);
    cr_assert_eq(weft_table_set(funcs, 1, ref(WEFT_FUNCREF, host), &err), WEFT_OK);
    cr_assert_eq(call_i32(e, func_of(inst, "call"), &at), 7);

    /* An externref the host stores comes back to it from the guest. */
    static int token;
    cr_assert_eq(weft_table_set(refs, 0, ref(WEFT_EXTERNREF, &token), &err), WEFT_OK);
    weft_value r, zero = i32(0);
    cr_assert_eq(weft_call(e, func_of(inst, "ref"), &zero, 1, &r, 1, &err), WEFT_OK);
    cr_assert_eq(r.kind, WEFT_EXTERNREF);
    cr_assert_eq(r.of.ref, &token);
    cr_assert_eq(weft_table_get(refs, 0, &r, NULL), WEFT_OK);
    cr_assert_eq(r.of.ref, &token);

    /* Growing fills the new elements with the value given. */
    uint32_t old = 99;
    cr_assert_eq(weft_table_grow(funcs, 1, ref(WEFT_FUNCREF, host), &old, &err), WEFT_OK,
                 "%s", err.message);
    cr_assert_eq(old, 2);
    cr_assert_eq(weft_table_size(funcs), 3);
    at = i32(2);
    cr_assert_eq(call_i32(e, func_of(inst, "call"), &at), 7);
    cr_assert_eq(weft_table_grow(funcs, 0, null, &old, &err), WEFT_OK);
    cr_assert_eq(old, 3);
    cr_assert_eq(weft_table_grow(refs, 2, ref(WEFT_EXTERNREF, NULL), &old, &err), WEFT_OK);
    cr_assert_eq(old, 1);
    cr_assert_eq(weft_table_size(refs), 3);
    cr_assert_eq(weft_table_get(refs, 2, &r, &err), WEFT_OK);
    cr_assert_null(r.of.ref);
    weft_engine_free(e);
    weft_module_free(m);
}

Test(api_extern, table_errors)
{
    weft_module *m = wat(table_wat);
    weft_engine *e = engine();
    weft_instance *inst = instantiate(e, m);
    weft_table *funcs = export_of(inst, "funcs", WEFT_EXTERN_TABLE).of.table;
    weft_table *refs = export_of(inst, "refs", WEFT_EXTERN_TABLE).of.table;
    weft_error err;
    weft_value v = i32(123);
    cr_assert_eq(weft_table_get(funcs, 2, &v, &err), WEFT_ERR_ARGUMENT);
    cr_assert_str_eq(err.message, "table index 2 out of range (size 2)");
    cr_assert_eq(v.of.i32, 123, "a failed get wrote its result");
    cr_assert_eq(weft_table_get(funcs, UINT32_MAX, &v, NULL), WEFT_ERR_ARGUMENT);
    cr_assert_eq(weft_table_set(funcs, 2, ref(WEFT_FUNCREF, NULL), &err), WEFT_ERR_ARGUMENT);
    cr_assert_str_eq(err.message, "table index 2 out of range (size 2)");
    /* Kinds are checked: funcref and externref do not mix, nor do numbers. */
    static int token;
    cr_assert_eq(weft_table_set(funcs, 0, ref(WEFT_EXTERNREF, &token), &err), WEFT_ERR_ARGUMENT);
    cr_assert_str_eq(err.message, "a table of funcref cannot hold a value of another kind");
    cr_assert_eq(weft_table_set(refs, 0, ref(WEFT_FUNCREF, NULL), &err), WEFT_ERR_ARGUMENT);
    cr_assert_str_eq(err.message, "a table of externref cannot hold a value of another kind");
    cr_assert_eq(weft_table_set(refs, 0, i64(1), &err), WEFT_ERR_ARGUMENT);
    weft_value f0;
    cr_assert_eq(weft_table_get(funcs, 0, &f0, &err), WEFT_OK);
    cr_assert_not_null(f0.of.ref, "a failed set changed the element");
    /* Past the maximum of 4 elements, and a mistyped initial value. */
    uint32_t old = 99;
    cr_assert_eq(weft_table_grow(funcs, 3, ref(WEFT_FUNCREF, NULL), &old, &err), WEFT_ERR_LIMIT);
    cr_assert_str_eq(err.message, "cannot grow a table of 2 elements by 3: its maximum is 4 elements");
    cr_assert_eq(weft_table_grow(funcs, UINT32_MAX, ref(WEFT_FUNCREF, NULL), &old, NULL),
                 WEFT_ERR_LIMIT);
    cr_assert_eq(weft_table_grow(funcs, 1, ref(WEFT_EXTERNREF, NULL), &old, &err),
                 WEFT_ERR_ARGUMENT);
    cr_assert_eq(old, 99, "a failed grow wrote *old_size");
    cr_assert_eq(weft_table_size(funcs), 2);
    cr_assert_eq(weft_table_grow(funcs, 2, ref(WEFT_FUNCREF, NULL), &old, &err), WEFT_OK);
    cr_assert_eq(weft_table_size(funcs), 4);
    weft_engine_free(e);
    weft_module_free(m);
}

/* ---- Globals ----------------------------------------------------------------------- */

Test(api_extern, globals)
{
    weft_module *m = wat("(module\n"
                         "  (global $g (export \"g\") (mut i64) (i64.const 5))\n"
                         "  (global (export \"c\") i32 (i32.const 7))\n"
                         "  (global (export \"f\") (mut f32) (f32.const 1.5))\n"
                         "  (func (export \"get\") (result i64) global.get $g))\n");
    weft_engine *e = engine();
    weft_instance *inst = instantiate(e, m);
    weft_global *g = export_of(inst, "g", WEFT_EXTERN_GLOBAL).of.global;
    weft_global *c = export_of(inst, "c", WEFT_EXTERN_GLOBAL).of.global;
    weft_global *f = export_of(inst, "f", WEFT_EXTERN_GLOBAL).of.global;
    weft_error err;
    cr_assert_eq(weft_global_kind(g), WEFT_I64);
    cr_assert_eq(weft_global_kind(c), WEFT_I32);
    cr_assert_eq(weft_global_kind(f), WEFT_F32);
    cr_assert(weft_global_mutable(g));
    cr_assert_not(weft_global_mutable(c));

    /* The guest reads what the host wrote. */
    cr_assert_eq(weft_global_set(g, i64(-99), &err), WEFT_OK, "%s", err.message);
    cr_assert_eq(weft_global_get(g).of.i64, -99);
    weft_value r;
    cr_assert_eq(weft_call(e, func_of(inst, "get"), NULL, 0, &r, 1, &err), WEFT_OK);
    cr_assert_eq(r.kind, WEFT_I64);
    cr_assert_eq(r.of.i64, -99);
    weft_value x = { .kind = WEFT_F32, .of.f32 = -0.25f };
    cr_assert_eq(weft_global_set(f, x, NULL), WEFT_OK);
    cr_assert_eq(weft_global_get(f).of.f32, -0.25f);

    /* Immutable globals and values of another kind are refused. */
    cr_assert_eq(weft_global_set(c, i32(8), &err), WEFT_ERR_ARGUMENT);
    cr_assert_str_eq(err.message, "global is immutable");
    cr_assert_eq(weft_global_get(c).of.i32, 7);
    cr_assert_eq(weft_global_set(g, i32(1), &err), WEFT_ERR_ARGUMENT);
    cr_assert_str_eq(err.message, "value of the wrong kind for the global");
    cr_assert_eq(weft_global_get(g).of.i64, -99);
    cr_assert_eq(weft_global_set(f, (weft_value){ .kind = WEFT_F64, .of.f64 = 1 }, NULL),
                 WEFT_ERR_ARGUMENT);
    weft_engine_free(e);
    weft_module_free(m);
}

Test(api_extern, host_globals)
{
    weft_engine *e = engine();
    weft_global *g, *c;
    cr_assert_eq(weft_global_new(e, (weft_value){ .kind = WEFT_F64, .of.f64 = 2.5 }, true, &g),
                 WEFT_OK);
    cr_assert_eq(weft_global_new(e, ref(WEFT_EXTERNREF, NULL), false, &c), WEFT_OK);
    cr_assert_eq(weft_global_kind(g), WEFT_F64);
    cr_assert_eq(weft_global_kind(c), WEFT_EXTERNREF);
    cr_assert(weft_global_mutable(g));
    cr_assert_not(weft_global_mutable(c));
    cr_assert_eq(weft_global_set(g, (weft_value){ .kind = WEFT_F64, .of.f64 = -1e300 }, NULL),
                 WEFT_OK);
    cr_assert_eq(weft_global_get(g).of.f64, -1e300);
    static int token;
    cr_assert_eq(weft_global_set(c, ref(WEFT_EXTERNREF, &token), NULL), WEFT_ERR_ARGUMENT);
    cr_assert_null(weft_global_get(c).of.ref);
    /* A v128 takes all 16 bytes. */
    weft_global *v;
    weft_value v128 = { .kind = WEFT_V128 };
    cr_assert_eq(weft_global_new(e, v128, true, &v), WEFT_OK);
    for (int i = 0; i < 16; i++)
        v128.of.v128[i] = (uint8_t)(0xf0 + i);
    cr_assert_eq(weft_global_set(v, v128, NULL), WEFT_OK);
    weft_value back = weft_global_get(v);
    cr_assert_eq(back.kind, WEFT_V128);
    cr_assert_arr_eq(back.of.v128, v128.of.v128, 16);
    weft_engine_free(e);
}

/* ---- Imports and exports ------------------------------------------------------------ */

Test(api_extern, module_imports_and_exports)
{
    weft_module *m = wat("(module\n"
                         "  (import \"env\" \"f\" (func (param i32)))\n"
                         "  (import \"env\" \"mem\" (memory 1))\n"
                         "  (import \"other\" \"tab\" (table 1 funcref))\n"
                         "  (import \"env\" \"g\" (global i32))\n"
                         "  (func (export \"run\"))\n"
                         "  (export \"m\" (memory 0))\n"
                         "  (export \"t\" (table 0))\n"
                         "  (export \"gg\" (global 0)))\n");
    cr_assert_eq(weft_module_import_count(m), 4);
    static const struct { const char *module, *field; weft_extern_kind kind; } imports[] = {
        { "env", "f", WEFT_EXTERN_FUNC }, { "env", "mem", WEFT_EXTERN_MEMORY },
        { "other", "tab", WEFT_EXTERN_TABLE }, { "env", "g", WEFT_EXTERN_GLOBAL },
    };
    for (uint32_t i = 0; i < 4; i++) {
        weft_import_desc d;
        cr_assert_eq(weft_module_import(m, i, &d), WEFT_OK);
        cr_assert_str_eq(d.module, imports[i].module);
        cr_assert_eq(d.module_len, strlen(imports[i].module));
        cr_assert_str_eq(d.field, imports[i].field);
        cr_assert_eq(d.field_len, strlen(imports[i].field));
        cr_assert_eq(d.kind, imports[i].kind);
    }
    weft_import_desc d;
    cr_assert_eq(weft_module_import(m, 4, &d), WEFT_ERR_ARGUMENT);
    cr_assert_eq(weft_module_import(m, 0, NULL), WEFT_ERR_ARGUMENT);

    cr_assert_eq(weft_module_export_count(m), 4);
    static const struct { const char *name; weft_extern_kind kind; } exports[] = {
        { "run", WEFT_EXTERN_FUNC }, { "m", WEFT_EXTERN_MEMORY },
        { "t", WEFT_EXTERN_TABLE }, { "gg", WEFT_EXTERN_GLOBAL },
    };
    for (uint32_t i = 0; i < 4; i++) {
        weft_export_desc x;
        cr_assert_eq(weft_module_export(m, i, &x), WEFT_OK);
        cr_assert_str_eq(x.name, exports[i].name);
        cr_assert_eq(x.name_len, strlen(exports[i].name));
        cr_assert_eq(x.kind, exports[i].kind);
    }
    weft_export_desc x;
    cr_assert_eq(weft_module_export(m, 4, &x), WEFT_ERR_ARGUMENT);
    cr_assert_eq(weft_module_export(m, UINT32_MAX, &x), WEFT_ERR_ARGUMENT);
    weft_module_free(m);
}

/* An instance's i-th export is the external weft_instance_export finds by
 * its name. */
Test(api_extern, instance_export_at)
{
    weft_module *m = wat("(module\n"
                         "  (func (export \"one\") (result i32) i32.const 1)\n"
                         "  (memory (export \"mem\") 1)\n"
                         "  (table (export \"tab\") 1 funcref)\n"
                         "  (global (export \"glob\") i32 (i32.const 3))\n"
                         "  (func (export \"two\") (result i32) i32.const 2))\n");
    weft_module *none = wat("(module)");
    weft_engine *e = engine();
    weft_instance *inst = instantiate(e, m);
    uint32_t n = weft_module_export_count(m);
    cr_assert_eq(n, 5);
    for (uint32_t i = 0; i < n; i++) {
        weft_export_desc d;
        weft_extern ext, by_name;
        cr_assert_eq(weft_instance_export_at(inst, i, &d, &ext), WEFT_OK);
        cr_assert(weft_instance_export(inst, d.name, d.name_len, &by_name));
        cr_assert_eq(ext.kind, d.kind);
        cr_assert_eq(ext.kind, by_name.kind);
        cr_assert_eq(ext.of.func, by_name.of.func, "export %s", d.name);
    }
    weft_extern ext;
    cr_assert_eq(weft_instance_export_at(inst, 4, NULL, &ext), WEFT_OK);
    cr_assert_eq(call_i32(e, ext.of.func, NULL), 2);
    cr_assert_eq(weft_instance_export_at(inst, 5, NULL, &ext), WEFT_ERR_ARGUMENT);
    weft_instance *empty = instantiate(e, none);
    cr_assert_eq(weft_module_export_count(none), 0);
    cr_assert_eq(weft_module_import_count(none), 0);
    cr_assert_eq(weft_instance_export_at(empty, 0, NULL, NULL), WEFT_ERR_ARGUMENT);
    weft_engine_free(e);
    weft_module_free(m);
    weft_module_free(none);
}

/* ---- Traps with their backtrace ----------------------------------------------------- */

static const char *const trap_wat =
    "(module\n"
    "  (func $inner (param i32) (result i32) local.get 0 i32.const 0 i32.div_s)\n"
    "  (func $middle (param i32) (result i32) local.get 0 call $inner)\n"
    "  (func $run (export \"run\") (param i32) (result i32) local.get 0 call $middle))\n";

Test(api_extern, trap_format)
{
    weft_module *m = wat_flags("--debug-names", trap_wat);
    weft_engine *e = engine();
    weft_instance *inst = instantiate(e, m);
    weft_value arg = i32(1), r;
    weft_error err;
    cr_assert_eq(weft_call(e, func_of(inst, "run"), &arg, 1, &r, 1, &err), WEFT_ERR_TRAP);
    static const char full[] = "integer divide by zero\n"
                               "  #0  func 0 inner\n"
                               "  #1  func 1 middle\n"
                               "  #2  func 2 run";
    char buf[256];
    cr_assert_eq(weft_trap_format(e, &err, buf, sizeof buf), buf);
    cr_assert_str_eq(buf, full);
    /* A short buffer holds the start of the text, NUL-terminated, at every
     * size. */
    for (size_t size = 1; size <= sizeof full; size++) {
        char small[sizeof full];
        memset(small, 'x', sizeof small);
        weft_trap_format(e, &err, small, size);
        cr_assert_eq(strlen(small), size - 1, "size %zu", size);
        cr_assert_eq(memcmp(small, full, size - 1), 0, "size %zu: %s", size, small);
    }
    char untouched = 'u';
    weft_trap_format(e, &err, &untouched, 0);
    cr_assert_eq(untouched, 'u');
    /* An error that is not a trap is its message alone. */
    cr_assert_eq(weft_call(e, func_of(inst, "run"), NULL, 0, &r, 1, &err), WEFT_ERR_ARGUMENT);
    cr_assert_str_eq(weft_trap_format(e, &err, buf, sizeof buf), "wrong number of arguments");
    weft_engine_free(e);
    weft_module_free(m);
}

/* Without a name section, frames are numbered only; past 32 frames the
 * rest are counted. */
Test(api_extern, trap_format_without_names_and_deep)
{
    weft_module *m = wat("(module\n"
                         "  (func $down (export \"down\") (param i32) (result i32)\n"
                         "    local.get 0 i32.eqz if unreachable end\n"
                         "    local.get 0 i32.const 1 i32.sub call $down))\n");
    weft_engine *e = engine();
    weft_instance *inst = instantiate(e, m);
    weft_value arg = i32(1), r;
    weft_error err;
    cr_assert_eq(weft_call(e, func_of(inst, "down"), &arg, 1, &r, 1, &err), WEFT_ERR_TRAP);
    char buf[4096];
    cr_assert_str_eq(weft_trap_format(e, &err, buf, sizeof buf),
                     "unreachable\n  #0  func 0\n  #1  func 0");
    arg = i32(39);
    cr_assert_eq(weft_call(e, func_of(inst, "down"), &arg, 1, &r, 1, &err), WEFT_ERR_TRAP);
    weft_trap_format(e, &err, buf, sizeof buf);
    cr_assert(strstr(buf, "\n  #31  func 0\n  ... 8 more"), "%s", buf);
    cr_assert_null(strstr(buf, "#32"));
    weft_engine_free(e);
    weft_module_free(m);
}

/* ---- WASI stdio --------------------------------------------------------------------- */

/* Reads stdin into memory, writes what it read to stdout and a fixed line
 * to stderr. */
static const char *const echo_wat =
    "(module\n"
    "  (import \"wasi_snapshot_preview1\" \"fd_read\" (func $read (param i32 i32 i32 i32) (result i32)))\n"
    "  (import \"wasi_snapshot_preview1\" \"fd_write\" (func $write (param i32 i32 i32 i32) (result i32)))\n"
    "  (memory (export \"memory\") 1)\n"
    "  (data (i32.const 200) \"to stderr\\n\")\n"
    "  (func (export \"_start\")\n"
    "    ;; iovec at 0: buffer 100, 64 bytes; the count read goes to 8.\n"
    "    (i32.store (i32.const 0) (i32.const 100))\n"
    "    (i32.store (i32.const 4) (i32.const 64))\n"
    "    (if (call $read (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 8)) (then unreachable))\n"
    "    (i32.store (i32.const 4) (i32.load (i32.const 8)))\n"
    "    (if (call $write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 12)) (then unreachable))\n"
    "    (i32.store (i32.const 16) (i32.const 200))\n"
    "    (i32.store (i32.const 20) (i32.const 10))\n"
    "    (if (call $write (i32.const 2) (i32.const 16) (i32.const 1) (i32.const 12)) (then unreachable))))\n";

/* Everything left in a pipe's read end, after its write end is closed. */
static size_t drain(int fd, char *buf, size_t size)
{
    size_t n = 0;
    ssize_t k;
    while (n < size && (k = read(fd, buf + n, size - n)) > 0)
        n += (size_t)k;
    return n;
}

/* A WASI context on `e`, asserted to be made. */
static weft_wasi *wasi_of(weft_engine *e)
{
    weft_wasi *w;
    cr_assert_eq(weft_wasi_new(e, &w), WEFT_OK);
    return w;
}

/* Instantiates `m` with its imports from `w`, runs its _start and returns
 * the exit code, asserting that both steps succeed. */
static int32_t run_wasi(weft_engine *e, const weft_module *m, weft_wasi *w)
{
    weft_instance *inst;
    weft_error err;
    cr_assert_eq(weft_instantiate(e, m, weft_wasi_resolver, w, &inst, &err), WEFT_OK, "%s",
                 err.message);
    int32_t code = -1;
    cr_assert_eq(weft_wasi_run(w, inst, &code, &err), WEFT_OK, "%s", err.message);
    return code;
}

/* A pipe whose read end holds `text`, with its write end already closed. */
static void pipe_holding(int fds[2], const char *text)
{
    size_t len = strlen(text);
    cr_assert_eq(pipe(fds), 0);
    cr_assert_eq(write(fds[1], text, len), (ssize_t)len);
    close(fds[1]);
}

/* What is left in the read end `fd` is exactly `want`. */
static void check_drained(int fd, const char *want)
{
    char buf[64];
    size_t len = strlen(want);
    cr_assert_eq(drain(fd, buf, sizeof buf), len);
    cr_assert_eq(memcmp(buf, want, len), 0);
}

Test(api_extern, wasi_stdio_into_pipes)
{
    weft_module *m = wat(echo_wat);
    weft_engine *e = engine();
    weft_wasi *w = wasi_of(e);
    int in[2], out[2], errp[2];
    pipe_holding(in, "ping 123\n");
    cr_assert_eq(pipe(out), 0);
    cr_assert_eq(pipe(errp), 0);
    cr_assert_eq(weft_wasi_set_stdio(w, in[0], out[1], errp[1]), WEFT_OK);
    cr_assert_eq(run_wasi(e, m, w), 0);
    /* The context does not own the fds: closing ours ends the streams. */
    close(out[1]);
    close(errp[1]);
    check_drained(out[0], "ping 123\n");
    check_drained(errp[0], "to stderr\n");
    weft_wasi_free(w);
    /* Still open after the context is gone: it never closed them. */
    cr_assert_neq(fcntl(in[0], F_GETFD), -1);
    close(in[0]);
    close(out[0]);
    close(errp[0]);
    weft_engine_free(e);
    weft_module_free(m);
}

/* A negative fd keeps a stream; a closed fd is refused and changes none of
 * the three. */
Test(api_extern, wasi_stdio_partial_and_bad_fds)
{
    weft_module *m = wat(echo_wat);
    weft_engine *e = engine();
    weft_wasi *w = wasi_of(e);
    int in[2], out[2], first[2], dead[2];
    pipe_holding(in, "abc");
    cr_assert_eq(pipe(out), 0);
    cr_assert_eq(pipe(first), 0);
    cr_assert_eq(pipe(dead), 0);
    close(dead[0]);
    close(dead[1]);
    cr_assert_eq(weft_wasi_set_stdio(w, -1, first[1], -1), WEFT_OK);
    /* The bad stderr fd leaves stdin and stdout as they were. */
    cr_assert_eq(weft_wasi_set_stdio(w, in[0], out[1], dead[1]), WEFT_ERR_ARGUMENT);
    cr_assert_eq(weft_wasi_set_stdio(NULL, -1, -1, -1), WEFT_ERR_ARGUMENT);
    /* Now stdin and stdout move; stderr goes to the stdout pipe too. */
    cr_assert_eq(weft_wasi_set_stdio(w, in[0], out[1], out[1]), WEFT_OK);
    run_wasi(e, m, w);
    close(out[1]);
    close(first[1]);
    check_drained(out[0], "abcto stderr\n");
    char buf[64];
    cr_assert_eq(drain(first[0], buf, sizeof buf), 0, "the replaced stdout got output");
    weft_wasi_free(w);
    close(in[0]);
    close(out[0]);
    close(first[0]);
    weft_engine_free(e);
    weft_module_free(m);
}

/* Output can go to a regular file as well as to a pipe. */
Test(api_extern, wasi_stdio_into_a_file)
{
    weft_module *m = wat(echo_wat);
    weft_engine *e = engine();
    weft_wasi *w = wasi_of(e);
    char path[] = "/tmp/weft_test_stdio_XXXXXX";
    int file = mkstemp(path);
    cr_assert_geq(file, 0);
    unlink(path);
    int in[2];
    pipe_holding(in, "to a file\n");
    cr_assert_eq(weft_wasi_set_stdio(w, in[0], file, file), WEFT_OK);
    run_wasi(e, m, w);
    char buf[64];
    cr_assert_eq(pread(file, buf, sizeof buf, 0), 20);
    cr_assert_eq(memcmp(buf, "to a file\nto stderr\n", 20), 0);
    weft_wasi_free(w);
    close(in[0]);
    close(file);
    weft_engine_free(e);
    weft_module_free(m);
}
