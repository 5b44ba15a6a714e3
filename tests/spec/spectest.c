/* spectest.c: the `spectest` host module that the spec scripts import from. */
#include "spectest.h"

#include <string.h>

/* spectest's print functions: the suite only needs them to exist with the
 * right types, so they print nothing. */
static weft_status print_nothing(void *user, const weft_value *args, weft_value *results,
                                 weft_error *err)
{
    (void)user, (void)args, (void)results, (void)err;
    return WEFT_OK;
}

static bool make_funcs(weft_engine *engine, spectest *out, size_t *n)
{
    static const struct {
        const char *field;
        weft_valkind params[2];
        uint32_t count;
    } funcs[] = {
        {"print", {WEFT_I32, WEFT_I32}, 0},
        {"print_i32", {WEFT_I32, WEFT_I32}, 1},
        {"print_i64", {WEFT_I64, WEFT_I64}, 1},
        {"print_f32", {WEFT_F32, WEFT_F32}, 1},
        {"print_f64", {WEFT_F64, WEFT_F64}, 1},
        {"print_i32_f32", {WEFT_I32, WEFT_F32}, 2},
        {"print_f64_f64", {WEFT_F64, WEFT_F64}, 2},
    };
    for (size_t i = 0; i < sizeof funcs / sizeof funcs[0]; i++) {
        spectest_entry *e = &out->entries[(*n)++];
        e->field = funcs[i].field;
        e->ext.kind = WEFT_EXTERN_FUNC;
        if (weft_func_new(engine, funcs[i].params, funcs[i].count, NULL, 0, print_nothing, NULL,
                          &e->ext.of.func) != WEFT_OK)
            return false;
    }
    return true;
}

/* The globals are immutable and hold 666 or 666.6 in each type. */
static bool make_globals(weft_engine *engine, spectest *out, size_t *n)
{
    const weft_value values[4] = {
        {.kind = WEFT_I32, .of.i32 = 666},
        {.kind = WEFT_I64, .of.i64 = 666},
        {.kind = WEFT_F32, .of.f32 = 666.6f},
        {.kind = WEFT_F64, .of.f64 = 666.6},
    };
    static const char *const fields[4] = {"global_i32", "global_i64", "global_f32",
                                          "global_f64"};
    for (size_t i = 0; i < 4; i++) {
        spectest_entry *e = &out->entries[(*n)++];
        e->field = fields[i];
        e->ext.kind = WEFT_EXTERN_GLOBAL;
        if (weft_global_new(engine, values[i], false, &e->ext.of.global) != WEFT_OK)
            return false;
    }
    return true;
}

bool spectest_make(weft_engine *engine, spectest *out)
{
    memset(out, 0, sizeof *out);
    size_t n = 0;
    if (!make_funcs(engine, out, &n) || !make_globals(engine, out, &n))
        return false;
    spectest_entry *table = &out->entries[n++], *memory = &out->entries[n++];
    spectest_entry *table64 = &out->entries[n++];
    table->field = "table";
    table->ext.kind = WEFT_EXTERN_TABLE;
    table64->field = "table64"; /* The 3.0 suite's: i64 indices (memory64). */
    table64->ext.kind = WEFT_EXTERN_TABLE;
    memory->field = "memory";
    memory->ext.kind = WEFT_EXTERN_MEMORY;
    return weft_table_new(engine, WEFT_FUNCREF, 10, 20, &table->ext.of.table) == WEFT_OK &&
           weft_table_new64(engine, WEFT_FUNCREF, 10, 20, &table64->ext.of.table) == WEFT_OK &&
           weft_memory_new(engine, 1, 2, &memory->ext.of.memory) == WEFT_OK;
}

bool spectest_lookup(const spectest *module, const char *field, size_t field_len,
                     weft_extern *out)
{
    for (size_t i = 0; i < SPECTEST_COUNT; i++) {
        const char *name = module->entries[i].field;
        if (name && strlen(name) == field_len && memcmp(name, field, field_len) == 0) {
            *out = module->entries[i].ext;
            return true;
        }
    }
    return false;
}
