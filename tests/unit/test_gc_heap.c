/* test_gc_heap.c: garbage collection's heap: struct and array round trips
 * in every mode, a collection under a deep call stack keeping what frames
 * hold and freeing the rest, the heap limit's trap, and references the
 * host holds across a collection (rooted handles). */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "wasm_builder.h"

enum { STRUCT = 0x5f, ARRAY = 0x5e, FUNC = 0x60, I32 = 0x7f, I8 = 0x78, REF_NULL = 0x63,
       GC = 0xfb };

/* Appends a code entry: local declarations and instructions (with end). */
static void entry(wb_buf *code, const uint8_t *locals, size_t ln, const uint8_t *body, size_t bn)
{
    wb_uleb(code, ln + bn);
    wb_put(code, locals, ln);
    wb_put(code, body, bn);
}
#define ENTRY(code, locals, body) entry(code, WB_LIST(locals), WB_LIST(body))

static const char *const names[] = { "sum_list", "deep", "alloc", "make", "get", "packed" };

/* Types: 0 (struct (mut i32) (mut (ref null 0))), 1 (array (mut i8)),
 * 2 [i32] -> [i32], 3 [i32] -> [(ref null 0)], 4 [(ref null 0)] -> [i32].
 * Functions, in the order of `names`:
 *   sum_list(n): a list of n nodes 1..n (a garbage node made per step),
 *     then the sum of its values;
 *   deep(d): at depth 0 makes 200 garbage nodes; else keeps a node of d
 *     in a local across the call deep(d - 1) and adds its value;
 *   alloc(n): the length of a new (array i8) of n elements;
 *   make(x): a node of x; get(node): its value;
 *   packed(x): an (array i8) of 5 x's: element 2 read signed times 1000
 *     plus element 3 read unsigned. */
static weft_module *gc_module(void)
{
    wb_buf b = wb_module();
    WB_SECTION(&b, WB_TYPE, 0x05, STRUCT, 0x02, I32, 0x01, REF_NULL, 0x00, 0x01,
               ARRAY, I8, 0x01, FUNC, 0x01, I32, 0x01, I32, FUNC, 0x01, I32, 0x01, REF_NULL, 0x00,
               FUNC, 0x01, REF_NULL, 0x00, 0x01, I32);
    WB_SECTION(&b, WB_FUNCTION, 0x06, 0x02, 0x02, 0x02, 0x03, 0x04, 0x02);
    wb_buf exports = { 0 }, code = { 0 };
    wb_byte(&exports, 6);
    for (uint32_t i = 0; i < 6; i++)
        wb_export_func(&exports, names[i], i);
    wb_byte(&code, 6);
    ENTRY(&code, (0x02, 0x01, REF_NULL, 0x00, 0x01, I32),
          (0x02, 0x40, 0x03, 0x40, 0x20, 0x00, 0x45, 0x0d, 0x01,
           0x41, 0x00, 0xd0, 0x00, GC, 0x00, 0x00, 0x1a,
           0x20, 0x00, 0x20, 0x01, GC, 0x00, 0x00, 0x21, 0x01,
           0x20, 0x00, 0x41, 0x01, 0x6b, 0x21, 0x00, 0x0c, 0x00, 0x0b, 0x0b,
           0x02, 0x40, 0x03, 0x40, 0x20, 0x01, 0xd1, 0x0d, 0x01,
           0x20, 0x02, 0x20, 0x01, GC, 0x02, 0x00, 0x00, 0x6a, 0x21, 0x02,
           0x20, 0x01, GC, 0x02, 0x00, 0x01, 0x21, 0x01, 0x0c, 0x00, 0x0b, 0x0b,
           0x20, 0x02, 0x0b));
    ENTRY(&code, (0x02, 0x01, REF_NULL, 0x00, 0x01, I32),
          (0x20, 0x00, 0x45, 0x04, I32,
           0x41, 0xc8, 0x01, 0x21, 0x02,
           0x02, 0x40, 0x03, 0x40, 0x20, 0x02, 0x45, 0x0d, 0x01, GC, 0x01, 0x00, 0x1a,
           0x20, 0x02, 0x41, 0x01, 0x6b, 0x21, 0x02, 0x0c, 0x00, 0x0b, 0x0b,
           0x41, 0x00,
           0x05,
           0x20, 0x00, 0xd0, 0x00, GC, 0x00, 0x00, 0x21, 0x01,
           0x20, 0x00, 0x41, 0x01, 0x6b, 0x10, 0x01,
           0x20, 0x01, GC, 0x02, 0x00, 0x00, 0x6a,
           0x0b, 0x0b));
    ENTRY(&code, (0x00), (0x20, 0x00, GC, 0x07, 0x01, GC, 0x0f, 0x0b));
    ENTRY(&code, (0x00), (0x20, 0x00, 0xd0, 0x00, GC, 0x00, 0x00, 0x0b));
    ENTRY(&code, (0x00), (0x20, 0x00, GC, 0x02, 0x00, 0x00, 0x0b));
    ENTRY(&code, (0x01, 0x01, REF_NULL, 0x01),
          (0x20, 0x00, 0x41, 0x05, GC, 0x06, 0x01, 0x21, 0x01,
           0x20, 0x01, 0x41, 0x02, GC, 0x0c, 0x01, 0x41, 0xe8, 0x07, 0x6c,
           0x20, 0x01, 0x41, 0x03, GC, 0x0d, 0x01, 0x6a, 0x0b));
    wb_section(&b, WB_EXPORT, exports.data, exports.len);
    wb_section(&b, WB_CODE, code.data, code.len);
    wb_free(&exports);
    wb_free(&code);
    weft_module *m = load_ok(b.data, b.len);
    wb_free(&b);
    return m;
}


Test(gc_heap, round_trips_in_every_mode)
{
    weft_module *m = gc_module();
    FOR_EACH_MODE(md) {
        weft_engine *e = engine_with(md->dispatch, md->bounds);
        weft_instance *inst = instantiate(e, m);
        weft_value a = i32(100);
        cr_assert_eq(ok_call(e, inst, "sum_list", &a, 1, md), 5050, "%s", mode_name(md));
        a = i32(200);
        cr_assert_eq(ok_call(e, inst, "packed", &a, 1, md), -56 * 1000 + 200, "%s", mode_name(md));
        a = i32(7);
        cr_assert_eq(ok_call(e, inst, "alloc", &a, 1, md), 7, "%s", mode_name(md));
        weft_engine_free(e);
    }
    weft_module_free(m);
}

/* With the stress mode every allocation collects: at the bottom of a
 * call stack 300 deep, each frame's node must survive 200 collections. */
Test(gc_heap, collection_under_deep_stack_keeps_frames_and_frees_garbage)
{
    weft_module *m = gc_module();
    FOR_EACH_MODE(md) {
        weft_config c = mode_config(md);
        c.gc_stress = true;
        weft_engine *e = engine_of(&c);
        weft_instance *inst = instantiate(e, m);
        weft_value a = i32(300);
        cr_assert_eq(ok_call(e, inst, "deep", &a, 1, md), 300 * 301 / 2, "%s", mode_name(md));
        weft_gc_stats st;
        weft_gc_stats_get(e, &st);
        cr_assert_gt(st.collections, 200, "%s", mode_name(md));
        /* Nothing is reachable once the call is over. */
        weft_gc_collect(e);
        weft_gc_stats_get(e, &st);
        cr_assert_eq(st.objects, 0, "%s: %llu objects left", mode_name(md),
                     (unsigned long long)st.objects);
        a = i32(1000);
        cr_assert_eq(ok_call(e, inst, "sum_list", &a, 1, md), 500500, "%s", mode_name(md));
        weft_engine_free(e);
    }
    weft_module_free(m);
}

/* Without the stress mode, the threshold collects as garbage piles up: a
 * long run stays within a heap much smaller than what it allocates. */
Test(gc_heap, threshold_collects_garbage)
{
    weft_module *m = gc_module();
    weft_config c = default_config();
    c.max_heap_bytes = 4 << 20;
    weft_engine *e = engine_of(&c);
    weft_instance *inst = instantiate(e, m);
    weft_value a = i32(10);
    weft_value r;
    weft_error err;
    for (int i = 0; i < 200; i++) {
        a = i32(2000);
        cr_assert_eq(call(e, inst, "deep", &a, 1, &r, &err), WEFT_OK, "%s", err.message);
        cr_assert_eq(r.of.i32, 2000 * 2001 / 2);
    }
    weft_gc_stats st;
    weft_gc_stats_get(e, &st);
    cr_assert_gt(st.collections, 0);
    cr_assert_lt(st.bytes, 4 << 20);
    weft_engine_free(e);
    weft_module_free(m);
}

Test(gc_heap, heap_limit_traps_out_of_memory)
{
    weft_module *m = gc_module();
    FOR_EACH_MODE(md) {
        weft_config c = mode_config(md);
        c.max_heap_bytes = 1 << 20;
        weft_engine *e = engine_of(&c);
        weft_instance *inst = instantiate(e, m);
        weft_value a = i32(2 << 20), r;
        weft_error err;
        cr_assert_eq(call(e, inst, "alloc", &a, 1, &r, &err), WEFT_ERR_TRAP, "%s", mode_name(md));
        cr_assert(strstr(err.message, "out of memory"), "%s: %s", mode_name(md), err.message);
        /* A smaller one still fits, the failed one having taken nothing. */
        a = i32(1000);
        cr_assert_eq(ok_call(e, inst, "alloc", &a, 1, md), 1000, "%s", mode_name(md));
        /* Many small ones that stay live run out too, and trap as cleanly. */
        a = i32(1 << 20);
        cr_assert_eq(call(e, inst, "sum_list", &a, 1, &r, &err), WEFT_ERR_TRAP, "%s",
                     mode_name(md));
        cr_assert(strstr(err.message, "out of memory"), "%s: %s", mode_name(md), err.message);
        weft_engine_free(e);
    }
    weft_module_free(m);
}

/* A struct made in Wasm, returned to the host, rooted, kept across
 * collections and calls that make garbage, then passed back and read. */
Test(gc_heap, host_holds_a_rooted_reference)
{
    weft_module *m = gc_module();
    weft_engine *e = engine();
    weft_instance *inst = instantiate(e, m);
    weft_value a = i32(42), node, r;
    weft_error err;
    cr_assert_eq(call(e, inst, "make", &a, 1, &node, &err), WEFT_OK, "%s", err.message);
    cr_assert_eq(node.kind, WEFT_ANYREF);
    cr_assert_eq(weft_anyref_kind_of(&node, NULL), WEFT_ANYREF_STRUCT);
    cr_assert_eq(weft_ref_root(e, &node), WEFT_OK);
    /* The stack slot the result came back in is overwritten by garbage. */
    a = i32(500);
    cr_assert_eq(call(e, inst, "deep", &a, 1, &r, &err), WEFT_OK, "%s", err.message);
    weft_gc_collect(e);
    weft_gc_stats st;
    weft_gc_stats_get(e, &st);
    cr_assert_eq(st.objects, 1);
    cr_assert_eq(call(e, inst, "get", &node, 1, &r, &err), WEFT_OK, "%s", err.message);
    cr_assert_eq(r.of.i32, 42);
    weft_ref_release(e, &node);
    weft_gc_collect(e);
    weft_gc_stats_get(e, &st);
    cr_assert_eq(st.objects, 0);
    /* A host value as an anyref, and its kind. */
    weft_value h;
    cr_assert_eq(weft_anyref_from_host(e, (void *)(uintptr_t)0x1234, &h, &err), WEFT_OK);
    void *host;
    cr_assert_eq(weft_anyref_kind_of(&h, &host), WEFT_ANYREF_HOST);
    cr_assert_eq(host, (void *)(uintptr_t)0x1234);
    weft_engine_free(e);
    weft_module_free(m);
}

/* ---- Precise roots: stack maps ------------------------------------------------ */

/* Types: 0 (struct), 1 [anyref] -> [], 2 [] -> []. Imports env.hold (type
 * 1); a global (mut (ref null 0)). Functions:
 *   stale(): makes a struct and drops it, then makes another into the
 *     global (the dropped one's slot still holds its address when the
 *     second allocation collects);
 *   args(): a struct in a local, another passed to hold, then the local
 *     into the global. */
static weft_module *roots_module(void)
{
    wb_buf b = wb_module();
    WB_SECTION(&b, WB_TYPE, 0x03, STRUCT, 0x00, FUNC, 0x01, 0x6e, 0x00, FUNC, 0x00, 0x00);
    WB_SECTION(&b, WB_IMPORT, 0x01, 0x03, 'e', 'n', 'v', 0x04, 'h', 'o', 'l', 'd', 0x00, 0x01);
    WB_SECTION(&b, WB_FUNCTION, 0x02, 0x02, 0x02);
    WB_SECTION(&b, WB_GLOBAL, 0x01, REF_NULL, 0x00, 0x01, 0xd0, 0x00, 0x0b);
    wb_buf exports = { 0 }, code = { 0 };
    wb_byte(&exports, 2);
    wb_export_func(&exports, "stale", 1);
    wb_export_func(&exports, "args", 2);
    wb_byte(&code, 2);
    ENTRY(&code, (0x00), (GC, 0x01, 0x00, 0x1a, GC, 0x01, 0x00, 0x24, 0x00, 0x0b));
    ENTRY(&code, (0x01, 0x01, REF_NULL, 0x00),
          (GC, 0x01, 0x00, 0x21, 0x00, GC, 0x01, 0x00, 0x10, 0x00, 0x20, 0x00, 0x24, 0x00, 0x0b));
    wb_section(&b, WB_EXPORT, exports.data, exports.len);
    wb_section(&b, WB_CODE, code.data, code.len);
    wb_free(&exports);
    wb_free(&code);
    weft_module *m = load_ok(b.data, b.len);
    wb_free(&b);
    return m;
}

/* What env.hold saw: after a collection of its own, the live objects, and
 * the kind of its argument. */
typedef struct hold_seen {
    weft_engine *e;
    uint64_t objects;
    weft_anyref_kind kind;
} hold_seen;

static weft_status hold(void *user, const weft_value *args, weft_value *results, weft_error *err)
{
    (void)results;
    (void)err;
    hold_seen *seen = user;
    weft_gc_collect(seen->e);
    weft_gc_stats st;
    weft_gc_stats_get(seen->e, &st);
    seen->objects = st.objects;
    seen->kind = weft_anyref_kind_of(&args[0], NULL);
    return WEFT_OK;
}

static weft_instance *roots_instance(weft_engine *e, const weft_module *m, hold_seen *seen)
{
    weft_valkind any = WEFT_ANYREF;
    weft_extern f = { .kind = WEFT_EXTERN_FUNC };
    cr_assert_eq(weft_func_new(e, &any, 1, NULL, 0, hold, seen, &f.of.func), WEFT_OK);
    weft_instance *inst = NULL;
    weft_error err;
    cr_assert_eq(weft_instantiate(e, m, resolve_to, &f, &inst, &err), WEFT_OK, "%s", err.message);
    return inst;
}

/* Only the slots a stack map names are roots: a dropped reference whose
 * address is still in its slot does not keep its object alive (a scan of
 * every word of the frame would). */
Test(gc_heap, stack_maps_ignore_dead_slots)
{
    weft_module *m = roots_module();
    FOR_EACH_MODE(md) {
        weft_config c = mode_config(md);
        c.gc_stress = true;
        weft_engine *e = engine_of(&c);
        hold_seen seen = { .e = e };
        weft_instance *inst = roots_instance(e, m, &seen);
        weft_value r;
        weft_error err;
        weft_gc_stats st;
        weft_gc_stats_get(e, &st);
        uint64_t before = st.collections;
        cr_assert_eq(call(e, inst, "stale", NULL, 0, &r, &err), WEFT_OK, "%s", err.message);
        weft_gc_stats_get(e, &st);
        cr_assert_eq(st.collections, before + 2, "%s", mode_name(md));
        cr_assert_eq(st.objects, 1, "%s: %llu objects", mode_name(md),
                     (unsigned long long)st.objects);
        weft_engine_free(e);
    }
    weft_module_free(m);
}

/* A collection the host starts while Wasm code calls it keeps the calling
 * frame's references (its stack map at the call) and the host function's
 * arguments. */
Test(gc_heap, host_call_keeps_caller_frame_and_arguments)
{
    weft_module *m = roots_module();
    FOR_EACH_MODE(md) {
        weft_engine *e = engine_with(md->dispatch, md->bounds);
        hold_seen seen = { .e = e };
        weft_instance *inst = roots_instance(e, m, &seen);
        weft_value r;
        weft_error err;
        cr_assert_eq(call(e, inst, "args", NULL, 0, &r, &err), WEFT_OK, "%s", err.message);
        cr_assert_eq(seen.objects, 2, "%s: %llu objects", mode_name(md),
                     (unsigned long long)seen.objects);
        cr_assert_eq(seen.kind, WEFT_ANYREF_STRUCT, "%s", mode_name(md));
        /* The argument was garbage once hold returned; the local is in the global. */
        weft_gc_collect(e);
        weft_gc_stats st;
        weft_gc_stats_get(e, &st);
        cr_assert_eq(st.objects, 1, "%s", mode_name(md));
        weft_engine_free(e);
    }
    weft_module_free(m);
}

/* In metered code an array made at run time costs fuel by its length (one
 * unit per 64 bytes, as the bulk memory instructions): too little stops
 * the call before the allocation, and resuming with more finishes it. */
Test(gc_heap, array_allocation_charges_fuel_by_length)
{
    weft_module *m = gc_module();
    FOR_EACH_MODE(md) {
        weft_config c = mode_config(md);
        c.fuel = 10000;
        weft_engine *e = engine_of(&c);
        weft_func *alloc = func_of(instantiate(e, m), "alloc");
        weft_value a = i32(64000), r;
        weft_error err;
        cr_assert_eq(weft_call(e, alloc, &a, 1, &r, 1, &err), WEFT_OK, "%s", err.message);
        cr_assert_eq(r.of.i32, 64000);
        uint64_t left;
        cr_assert_eq(weft_engine_fuel(e, &left), WEFT_OK);
        /* local.get, array.new_default, array.len, end; 64000 bytes. */
        cr_assert_eq(left, 10000 - 4 - 1000, "%s: used %llu", mode_name(md),
                     (unsigned long long)(10000 - left));
        a = i32(1000000);
        cr_assert_eq(weft_call(e, alloc, &a, 1, &r, 1, &err), WEFT_ERR_FUEL, "%s", mode_name(md));
        weft_gc_stats st;
        weft_gc_stats_get(e, &st);
        cr_assert_eq(st.objects, 1, "%s: the stopped allocation made nothing", mode_name(md));
        cr_assert_eq(weft_engine_add_fuel(e, 20000), WEFT_OK);
        cr_assert_eq(weft_resume(e, &r, 1, &err), WEFT_OK, "%s", err.message);
        cr_assert_eq(r.of.i32, 1000000, "%s", mode_name(md));
        weft_engine_free(e);
    }
    weft_module_free(m);
}
