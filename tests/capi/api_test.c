/* api_test.c: what the wasm-c-api examples leave out of weft's wasm.h:
 * failed compiles and links, the types of imports, traps with their frames,
 * values checked by kind, references through tables, globals and
 * externref, serialization's header, and when finalizers run. Takes the
 * paths of api.wasm and start_host.wasm (their .wat assembled). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <wasm.h>

static int failures;

#define CHECK(cond)                                                                          \
    do {                                                                                     \
        if (!(cond)) {                                                                       \
            printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);                           \
            failures++;                                                                      \
        }                                                                                    \
    } while (0)

static void read_file(const char *path, wasm_byte_vec_t *out)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        exit(2);
    }
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    wasm_byte_vec_new_uninitialized(out, (size_t)size);
    if (fread(out->data, 1, (size_t)size, f) != (size_t)size)
        exit(2);
    fclose(f);
}

/* Finalizers count their calls in the ints they are given. */
static void count_finalize(void *data) { ++*(int *)data; }

static wasm_trap_t *fail_callback(void *env, const wasm_val_vec_t *args, wasm_val_vec_t *results)
{
    (void)args, (void)results;
    wasm_name_t text;
    wasm_name_new_from_string_nt(&text, "no start today");
    wasm_trap_t *trap = wasm_trap_new(env, &text);
    wasm_name_delete(&text);
    wasm_trap_set_host_info(trap, env);
    return trap;
}

static wasm_trap_t *add_callback(void *env, const wasm_val_vec_t *args, wasm_val_vec_t *results)
{
    ++*(int *)env;
    results->data[0] = (wasm_val_t)WASM_I32_VAL(args->data[0].of.i32 + args->data[1].of.i32);
    return NULL;
}

/* A trap's message, as a C string the caller frees with the trap. */
static bool trap_says(const wasm_trap_t *trap, const char *text)
{
    wasm_message_t m;
    wasm_trap_message(trap, &m);
    bool same = m.size == strlen(text) + 1 && !memcmp(m.data, text, m.size);
    if (!same)
        printf("trap message: %.*s\n", (int)m.size, m.data);
    wasm_byte_vec_delete(&m);
    return same;
}

static wasm_trap_t *call(const wasm_func_t *f, wasm_val_t *args, size_t nargs, wasm_val_t *results,
                         size_t nresults)
{
    wasm_val_vec_t a = { nargs, args }, r = { nresults, results };
    return wasm_func_call(f, &a, &r);
}

static void check_imports(const wasm_module_t *module)
{
    wasm_importtype_vec_t imports;
    wasm_module_imports(module, &imports);
    CHECK(imports.size == 4);
    if (imports.size != 4) {
        wasm_importtype_vec_delete(&imports);
        return;
    }
    const wasm_name_t *mod = wasm_importtype_module(imports.data[0]);
    const wasm_name_t *name = wasm_importtype_name(imports.data[0]);
    CHECK(mod->size == 4 && !memcmp(mod->data, "host", 4));
    CHECK(name->size == 3 && !memcmp(name->data, "add", 3));
    const wasm_functype_t *ft = wasm_externtype_as_functype_const(wasm_importtype_type(imports.data[0]));
    CHECK(ft && wasm_functype_params(ft)->size == 2 && wasm_functype_results(ft)->size == 1);
    CHECK(ft && wasm_valtype_kind(wasm_functype_params(ft)->data[1]) == WASM_I32);
    const wasm_globaltype_t *gt = wasm_externtype_as_globaltype_const(wasm_importtype_type(imports.data[1]));
    CHECK(gt && wasm_globaltype_mutability(gt) == WASM_VAR &&
          wasm_valtype_kind(wasm_globaltype_content(gt)) == WASM_I64);
    const wasm_tabletype_t *tt = wasm_externtype_as_tabletype_const(wasm_importtype_type(imports.data[2]));
    CHECK(tt && wasm_tabletype_limits(tt)->min == 2 &&
          wasm_tabletype_limits(tt)->max == wasm_limits_max_default &&
          wasm_valtype_kind(wasm_tabletype_element(tt)) == WASM_FUNCREF);
    const wasm_memorytype_t *mt = wasm_externtype_as_memorytype_const(wasm_importtype_type(imports.data[3]));
    CHECK(mt && wasm_memorytype_limits(mt)->min == 1 && wasm_memorytype_limits(mt)->max == 2);
    CHECK(!wasm_externtype_as_memorytype_const(wasm_importtype_type(imports.data[0])));
    /* A copied vector is a deep copy, deleted on its own. */
    wasm_importtype_vec_t copy;
    wasm_importtype_vec_copy(&copy, &imports);
    wasm_importtype_vec_delete(&imports);
    CHECK(copy.size == 4 && wasm_importtype_name(copy.data[3])->size == 6);
    wasm_importtype_vec_delete(&copy);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: api_test API.wasm START_HOST.wasm\n");
        return 2;
    }
    int env_finalized = 0, foreign_finalized = 0, module_finalized = 0, calls = 0;
    wasm_engine_t *engine = wasm_engine_new_with_config(wasm_config_new());
    wasm_store_t *store = wasm_store_new(engine);
    wasm_byte_vec_t binary;
    read_file(argv[1], &binary);

    /* Compiling: good bytes pass, bad ones fail without a module. */
    CHECK(wasm_module_validate(store, &binary));
    wasm_byte_vec_t junk;
    wasm_byte_vec_new(&junk, 8, "\0asm\2\0\0\0");
    CHECK(!wasm_module_validate(store, &junk));
    CHECK(!wasm_module_new(store, &junk));
    CHECK(!wasm_module_deserialize(store, &junk));
    wasm_byte_vec_delete(&junk);
    wasm_module_t *module = wasm_module_new(store, &binary);
    CHECK(module != NULL);
    if (!module)
        return 1;
    wasm_byte_vec_delete(&binary);
    wasm_module_set_host_info_with_finalizer(module, &module_finalized, count_finalize);
    check_imports(module);

    /* Serialized and back: the same imports; a changed byte in the header
     * is refused. */
    wasm_byte_vec_t serial;
    wasm_module_serialize(module, &serial);
    wasm_module_t *again = wasm_module_deserialize(store, &serial);
    CHECK(again != NULL);
    serial.data[0] ^= 1;
    CHECK(!wasm_module_deserialize(store, &serial));
    wasm_byte_vec_delete(&serial);
    if (again)
        check_imports(again);
    wasm_module_delete(again);

    /* The imports. */
    wasm_functype_t *add_type = wasm_functype_new_2_1(wasm_valtype_new_i32(), wasm_valtype_new_i32(),
                                                      wasm_valtype_new_i32());
    wasm_func_t *add = wasm_func_new_with_env(store, add_type, add_callback, &calls, NULL);
    wasm_func_set_host_info_with_finalizer(add, &env_finalized, count_finalize);
    wasm_functype_delete(add_type);
    wasm_globaltype_t *counter_type = wasm_globaltype_new(wasm_valtype_new_i64(), WASM_VAR);
    wasm_val_t forty = WASM_I64_VAL(40);
    wasm_global_t *counter = wasm_global_new(store, counter_type, &forty);
    wasm_globaltype_delete(counter_type);
    wasm_limits_t table_limits = { 2, 10 };
    wasm_tabletype_t *table_type = wasm_tabletype_new(wasm_valtype_new_funcref(), &table_limits);
    wasm_table_t *table = wasm_table_new(store, table_type, NULL);
    wasm_tabletype_delete(table_type);
    wasm_limits_t memory_limits = { 1, 2 };
    wasm_memorytype_t *memory_type = wasm_memorytype_new(&memory_limits);
    wasm_memory_t *memory = wasm_memory_new(store, memory_type);
    wasm_memorytype_delete(memory_type);
    CHECK(add && counter && table && memory);

    /* Too few imports: no instance, and a trap that says why. */
    wasm_extern_t *some[] = { wasm_func_as_extern(add) };
    wasm_extern_vec_t too_few = WASM_ARRAY_VEC(some);
    wasm_trap_t *trap = NULL;
    CHECK(!wasm_instance_new(store, module, &too_few, &trap));
    CHECK(trap && trap_says(trap, "unknown import: host.counter"));
    wasm_trap_delete(trap);

    wasm_extern_t *all[] = { wasm_func_as_extern(add), wasm_global_as_extern(counter),
                             wasm_table_as_extern(table), wasm_memory_as_extern(memory) };
    wasm_extern_vec_t imports = WASM_ARRAY_VEC(all);
    wasm_instance_t *instance = wasm_instance_new(store, module, &imports, &trap);
    CHECK(instance && !trap);
    if (!instance)
        return 1;
    wasm_module_delete(module);
    CHECK(module_finalized == 0); /* The instance keeps it. */

    wasm_extern_vec_t exports;
    wasm_instance_exports(instance, &exports);
    CHECK(exports.size == 9);
    if (exports.size != 9)
        return 1;
    wasm_global_t *limit = wasm_extern_as_global(exports.data[0]);
    wasm_func_t *call_add = wasm_extern_as_func(exports.data[1]);
    wasm_func_t *div = wasm_extern_as_func(exports.data[2]);
    wasm_func_t *div_twice = wasm_extern_as_func(exports.data[3]);
    wasm_func_t *bump = wasm_extern_as_func(exports.data[4]);
    wasm_func_t *call_table = wasm_extern_as_func(exports.data[5]);
    wasm_func_t *load = wasm_extern_as_func(exports.data[6]);
    wasm_func_t *id = wasm_extern_as_func(exports.data[7]);
    wasm_func_t *div_ref = wasm_extern_as_func(exports.data[8]);
    CHECK(limit && call_add && div && div_twice && bump && call_table && load && id && div_ref);
    CHECK(!wasm_extern_as_func(exports.data[0]));

    /* Calls into the host, counted by its environment. */
    wasm_val_t args[3] = { WASM_I32_VAL(2), WASM_I32_VAL(3), WASM_I32_VAL(0) };
    wasm_val_t r[1] = { WASM_INIT_VAL };
    CHECK(!call(call_add, args, 2, r, 1) && r[0].kind == WASM_I32 && r[0].of.i32 == 5);
    CHECK(calls == 1);

    /* A trap: its message, and its frames innermost first, in this
     * instance, naming the functions (imports count: div is 2). */
    wasm_val_t zero[2] = { WASM_I32_VAL(1), WASM_I32_VAL(0) };
    trap = call(div_twice, zero, 2, r, 1);
    CHECK(trap && trap_says(trap, "integer divide by zero"));
    wasm_frame_vec_t trace;
    wasm_trap_trace(trap, &trace);
    CHECK(trace.size == 2);
    if (trace.size == 2) {
        CHECK(wasm_frame_func_index(trace.data[0]) == 2);
        CHECK(wasm_frame_func_index(trace.data[1]) == 3);
        CHECK(wasm_frame_instance(trace.data[0]) == instance);
    }
    wasm_frame_t *origin = wasm_trap_origin(trap);
    CHECK(origin && wasm_frame_func_index(origin) == 2);
    wasm_frame_delete(origin);
    wasm_frame_vec_delete(&trace);
    wasm_trap_delete(trap);

    /* Wrong number or kind of arguments: a trap, not a call. */
    trap = call(div, args, 1, r, 1);
    CHECK(trap && trap_says(trap, "wrong number of arguments"));
    wasm_trap_delete(trap);
    wasm_val_t wrong[2] = { WASM_I64_VAL(1), WASM_I32_VAL(1) };
    trap = call(div, wrong, 2, r, 1);
    CHECK(trap != NULL);
    wasm_trap_delete(trap);

    /* Globals: set by Wasm, read by the host; an immutable one stays. */
    CHECK(!call(bump, NULL, 0, NULL, 0));
    wasm_val_t v;
    wasm_global_get(counter, &v);
    CHECK(v.kind == WASM_I64 && v.of.i64 == 41);
    wasm_val_t eight = WASM_I32_VAL(8);
    wasm_global_set(limit, &eight);
    wasm_global_get(limit, &v);
    CHECK(v.kind == WASM_I32 && v.of.i32 == 7);
    wasm_globaltype_t *limit_type = wasm_global_type(limit);
    CHECK(wasm_globaltype_mutability(limit_type) == WASM_CONST);
    wasm_globaltype_delete(limit_type);

    /* Tables: a host function and a Wasm one called through the table; a
     * funcref read back is the same function. */
    CHECK(wasm_table_set(table, 0, wasm_func_as_ref(add)));
    CHECK(wasm_table_set(table, 1, wasm_func_as_ref(div)));
    wasm_val_t t_args[3] = { WASM_I32_VAL(9), WASM_I32_VAL(3), WASM_I32_VAL(0) };
    CHECK(!call(call_table, t_args, 3, r, 1) && r[0].of.i32 == 12);
    t_args[2].of.i32 = 1;
    CHECK(!call(call_table, t_args, 3, r, 1) && r[0].of.i32 == 3);
    wasm_ref_t *got = wasm_table_get(table, 0);
    CHECK(got && wasm_ref_same(got, wasm_func_as_ref(add)));
    CHECK(wasm_ref_get_host_info(got) == &env_finalized);
    wasm_ref_delete(got);
    CHECK(!wasm_table_get(table, 2));
    CHECK(!wasm_table_set(table, 2, NULL));
    wasm_foreign_t *foreign = wasm_foreign_new(store);
    CHECK(!wasm_table_set(table, 0, wasm_foreign_as_ref(foreign))); /* Not a function. */
    CHECK(!call(div_ref, NULL, 0, r, 1) && r[0].kind == WASM_FUNCREF &&
          wasm_ref_same(r[0].of.ref, wasm_func_as_ref(div)));
    wasm_val_delete(&r[0]);

    /* Memory: host writes, Wasm reads; growth to the maximum only, and the
     * type follows the size. */
    memcpy(wasm_memory_data(memory) + 16, "\x2a\0\0\0", 4);
    wasm_val_t at[1] = { WASM_I32_VAL(16) };
    CHECK(!call(load, at, 1, r, 1) && r[0].of.i32 == 42);
    at[0].of.i32 = 65536;
    trap = call(load, at, 1, r, 1);
    CHECK(trap && trap_says(trap, "out of bounds memory access"));
    wasm_trap_delete(trap);
    CHECK(wasm_memory_grow(memory, 1) && !wasm_memory_grow(memory, 1));
    CHECK(wasm_memory_size(memory) == 2 && wasm_memory_data_size(memory) == 131072);
    CHECK(!call(load, at, 1, r, 1) && r[0].of.i32 == 0);
    wasm_externtype_t *mt = wasm_extern_type(wasm_memory_as_extern(memory));
    CHECK(wasm_memorytype_limits(wasm_externtype_as_memorytype(mt))->min == 2);
    wasm_externtype_delete(mt);

    /* externref: a foreign object and a trap go through Wasm and come back
     * as themselves, the trap still valid after the host let it go. */
    wasm_foreign_set_host_info_with_finalizer(foreign, &foreign_finalized, count_finalize);
    wasm_val_t ref_arg[1] = { WASM_REF_VAL(wasm_foreign_as_ref(foreign)) };
    CHECK(!call(id, ref_arg, 1, r, 1) && r[0].kind == WASM_EXTERNREF &&
          wasm_ref_same(r[0].of.ref, wasm_foreign_as_ref(foreign)) &&
          wasm_ref_get_host_info(r[0].of.ref) == &foreign_finalized);
    wasm_val_delete(&r[0]);
    wasm_name_t text;
    wasm_name_new_from_string_nt(&text, "carried");
    wasm_trap_t *carried = wasm_trap_new(store, &text);
    wasm_name_delete(&text);
    ref_arg[0].of.ref = wasm_trap_as_ref(carried);
    CHECK(!call(id, ref_arg, 1, r, 1));
    wasm_trap_delete(carried);
    CHECK(wasm_ref_as_trap(r[0].of.ref) && trap_says(wasm_ref_as_trap(r[0].of.ref), "carried"));
    wasm_val_delete(&r[0]);

    /* A host function's trap in a start function is what instantiation
     * returns: the same trap, its host info and all. */
    read_file(argv[2], &binary);
    wasm_module_t *start_module = wasm_module_new(store, &binary);
    wasm_byte_vec_delete(&binary);
    CHECK(start_module != NULL);
    wasm_functype_t *fail_type = wasm_functype_new_0_0();
    wasm_func_t *fail = wasm_func_new_with_env(store, fail_type, fail_callback, store, NULL);
    wasm_functype_delete(fail_type);
    wasm_extern_t *fail_extern[] = { wasm_func_as_extern(fail) };
    wasm_extern_vec_t fail_imports = WASM_ARRAY_VEC(fail_extern);
    trap = NULL;
    CHECK(start_module && !wasm_instance_new(store, start_module, &fail_imports, &trap));
    CHECK(trap && trap_says(trap, "no start today") && wasm_trap_get_host_info(trap) == store);
    wasm_trap_delete(trap);
    wasm_module_delete(start_module);

    /* Handles copied and deleted leave the object; the store's end runs
     * each finalizer once. */
    wasm_func_t *add_copy = wasm_func_copy(add);
    CHECK(wasm_func_same(add, add_copy));
    wasm_func_delete(add_copy);
    wasm_func_delete(add);
    wasm_foreign_delete(foreign);
    wasm_global_delete(counter);
    wasm_table_delete(table);
    wasm_memory_delete(memory);
    wasm_extern_vec_delete(&exports);
    wasm_instance_delete(instance);
    CHECK(env_finalized == 0 && foreign_finalized == 0);
    wasm_store_delete(store);
    CHECK(env_finalized == 1 && foreign_finalized == 1 && module_finalized == 1);
    wasm_engine_delete(engine);

    if (failures)
        printf("%d checks failed\n", failures);
    else
        printf("ok\n");
    return failures != 0;
}
