/* capi_extern.c: wasm.h's functions (host functions, calls), globals,
 * tables and memories, and the externals they convert to; each is one of
 * weft's, reached through weft.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capi.h"
#include "runtime.h"

/* ---- Externals ---------------------------------------------------------------------- */

#define EXTERN_CASTS(name, KIND)                                                              \
    wasm_extern_t *wasm_##name##_as_extern(wasm_##name##_t *x) { return x ? &x->e : NULL; }   \
    const wasm_extern_t *wasm_##name##_as_extern_const(const wasm_##name##_t *x)              \
    {                                                                                         \
        return x ? &x->e : NULL;                                                              \
    }                                                                                         \
    wasm_##name##_t *wasm_extern_as_##name(wasm_extern_t *e)                                  \
    {                                                                                         \
        return e && e->ref.kind == KIND ? (wasm_##name##_t *)e : NULL;                        \
    }                                                                                         \
    const wasm_##name##_t *wasm_extern_as_##name##_const(const wasm_extern_t *e)              \
    {                                                                                         \
        return e && e->ref.kind == KIND ? (const wasm_##name##_t *)e : NULL;                  \
    }

EXTERN_CASTS(func, CAPI_FUNC)
EXTERN_CASTS(global, CAPI_GLOBAL)
EXTERN_CASTS(table, CAPI_TABLE)
EXTERN_CASTS(memory, CAPI_MEMORY)

wasm_externkind_t wasm_extern_kind(const wasm_extern_t *e)
{
    switch (e->ref.kind) {
    case CAPI_GLOBAL: return WASM_EXTERN_GLOBAL;
    case CAPI_TABLE: return WASM_EXTERN_TABLE;
    case CAPI_MEMORY: return WASM_EXTERN_MEMORY;
    default: return WASM_EXTERN_FUNC;
    }
}

wasm_externtype_t *wasm_extern_type(const wasm_extern_t *e)
{
    switch (e->ref.kind) {
    case CAPI_GLOBAL: return wasm_globaltype_as_externtype(wasm_global_type((const wasm_global_t *)e));
    case CAPI_TABLE: return wasm_tabletype_as_externtype(wasm_table_type((const wasm_table_t *)e));
    case CAPI_MEMORY: return wasm_memorytype_as_externtype(wasm_memory_type((const wasm_memory_t *)e));
    default: return wasm_functype_as_externtype(wasm_func_type((const wasm_func_t *)e));
    }
}

/* The record of a new host-made external. */
static wasm_extern_t *extern_new(wasm_store_t *store, weft_extern ext)
{
    return capi_extern_of(store, &ext);
}

/* ---- Functions ------------------------------------------------------------------------- */

static wasm_valtype_t *valtype_from_weft(weft_valkind kind)
{
    wasm_valkind_t k;
    return wasm_valtype_new(capi_kind_from_weft(kind, &k) ? k : 0x7b /* v128 */);
}

wasm_functype_t *wasm_func_type(const wasm_func_t *func)
{
    const weft_func *f = func->e.ext.of.func;
    wasm_valtype_vec_t params, results;
    wasm_valtype_vec_new_uninitialized(&params, weft_func_param_count(f));
    wasm_valtype_vec_new_uninitialized(&results, weft_func_result_count(f));
    for (uint32_t i = 0; i < params.size; i++)
        params.data[i] = valtype_from_weft(weft_func_param_kind(f, i));
    for (uint32_t i = 0; i < results.size; i++)
        results.data[i] = valtype_from_weft(weft_func_result_kind(f, i));
    return wasm_functype_new(&params, &results);
}

size_t wasm_func_param_arity(const wasm_func_t *func)
{
    return weft_func_param_count(func->e.ext.of.func);
}

size_t wasm_func_result_arity(const wasm_func_t *func)
{
    return weft_func_result_count(func->e.ext.of.func);
}

/* Values held for a call: small signatures stay on the C stack. */
#define INLINE_VALUES 16

/* The weft host callback behind every wasm.h host function: converts the
 * arguments, calls the embedder's callback and converts its results or
 * turns its trap into weft's. */
static weft_status host_call(void *user, const weft_value *args, weft_value *results,
                             weft_error *err)
{
    wasm_extern_t *e = user;
    wasm_store_t *store = e->ref.store;
    const weft_func *f = e->ext.of.func;
    size_t np = weft_func_param_count(f), nr = weft_func_result_count(f);
    wasm_val_t inline_values[INLINE_VALUES];
    wasm_val_t *vals = inline_values;
    if (np + nr > INLINE_VALUES && !(vals = calloc(np + nr, sizeof *vals))) {
        snprintf(err->message, sizeof err->message, "out of memory");
        return WEFT_ERR_TRAP;
    }
    weft_status status = WEFT_OK;
    for (size_t i = 0; i < np; i++)
        if (!capi_from_weft(store, &args[i], &vals[i])) {
            snprintf(err->message, sizeof err->message, "a v128 argument cannot pass to wasm.h");
            np = i;
            status = WEFT_ERR_TRAP;
            goto done;
        }
    for (size_t i = 0; i < nr; i++) {
        wasm_valkind_t k = WASM_I32;
        capi_kind_from_weft(weft_func_result_kind(f, i), &k);
        vals[np + i] = (wasm_val_t){ .kind = k };
    }
    wasm_val_vec_t arg_vec = { np, vals }, result_vec = { nr, vals + np };
    wasm_trap_t *trap = e->callback ? e->callback(&arg_vec, &result_vec)
                                    : e->callback_env(e->env, &arg_vec, &result_vec);
    if (trap) {
        /* The trap itself goes back to the wasm_func_call it ends, which
         * gives it the backtrace; weft carries its message meanwhile. */
        snprintf(err->message, sizeof err->message, "%s",
                 trap->message.size ? trap->message.data : "trap");
        if (store->pending)
            capi_release(&store->pending->ref);
        store->pending = trap;
        status = WEFT_ERR_TRAP;
    } else {
        for (size_t i = 0; i < nr && !status; i++) {
            const char *why = NULL;
            if (!capi_to_weft(store, &vals[np + i], &results[i], &why)) {
                snprintf(err->message, sizeof err->message, "host function result: %s", why);
                status = WEFT_ERR_TRAP;
            } else if (results[i].kind != weft_func_result_kind(f, i)) {
                snprintf(err->message, sizeof err->message,
                         "host function result %zu has the wrong kind", i);
                status = WEFT_ERR_TRAP;
            }
        }
    }
    /* The results were the callback's to give: drop what they own. */
    for (size_t i = 0; i < nr; i++)
        wasm_val_delete(&vals[np + i]);
done:
    for (size_t i = 0; i < np; i++)
        wasm_val_delete(&vals[i]);
    if (vals != inline_values)
        free(vals);
    return status;
}

static wasm_func_t *func_new(wasm_store_t *store, const wasm_functype_t *type,
                             wasm_func_callback_t callback,
                             wasm_func_callback_with_env_t callback_env, void *env,
                             void (*finalizer)(void *))
{
    const wasm_valtype_vec_t *ps = wasm_functype_params(type), *rs = wasm_functype_results(type);
    weft_valkind inline_kinds[INLINE_VALUES];
    weft_valkind *kinds = inline_kinds;
    if (ps->size + rs->size > INLINE_VALUES &&
        !(kinds = calloc(ps->size + rs->size, sizeof *kinds)))
        return NULL;
    wasm_extern_t *e = NULL;
    for (size_t i = 0; i < ps->size + rs->size; i++) {
        const wasm_valtype_t *t = i < ps->size ? ps->data[i] : rs->data[i - ps->size];
        if (!capi_kind_to_weft(wasm_valtype_kind(t), &kinds[i]))
            goto done;
    }
    /* The record is made first, since it is the callback's user data, and
     * joins the store once the weft function exists. */
    e = calloc(1, sizeof *e);
    if (!e)
        goto done;
    weft_func *f;
    if (weft_func_new(store->engine, kinds, (uint32_t)ps->size, kinds + ps->size,
                      (uint32_t)rs->size, host_call, e, &f)) {
        free(e);
        e = NULL;
        goto done;
    }
    e->ref = (wasm_ref_t){ .kind = CAPI_FUNC, .store = store };
    e->ext = (weft_extern){ .kind = WEFT_EXTERN_FUNC, .of.func = f };
    e->callback = callback;
    e->callback_env = callback_env;
    e->env = env;
    e->env_finalizer = finalizer;
    e = capi_extern_adopt(store, e);
done:
    if (kinds != inline_kinds)
        free(kinds);
    return (wasm_func_t *)e;
}

wasm_func_t *wasm_func_new(wasm_store_t *store, const wasm_functype_t *type,
                           wasm_func_callback_t callback)
{
    return func_new(store, type, callback, NULL, NULL, NULL);
}

wasm_func_t *wasm_func_new_with_env(wasm_store_t *store, const wasm_functype_t *type,
                                    wasm_func_callback_with_env_t callback, void *env,
                                    void (*finalizer)(void *))
{
    return func_new(store, type, NULL, callback, env, finalizer);
}

wasm_trap_t *wasm_func_call(const wasm_func_t *func, const wasm_val_vec_t *args,
                            wasm_val_vec_t *results)
{
    wasm_store_t *store = func->e.ref.store;
    weft_func *f = func->e.ext.of.func;
    size_t np = weft_func_param_count(f), nr = weft_func_result_count(f);
    if (args->size != np)
        return capi_trap_make(store, "wrong number of arguments", false);
    weft_value inline_values[INLINE_VALUES];
    weft_value *vals = inline_values;
    if (np + nr > INLINE_VALUES && !(vals = calloc(np + nr, sizeof *vals)))
        return capi_trap_make(store, "out of memory", false);
    wasm_trap_t *trap = NULL;
    for (size_t i = 0; i < np && !trap; i++) {
        const char *why = NULL;
        if (!capi_to_weft(store, &args->data[i], &vals[i], &why))
            trap = capi_trap_make(store, why, false);
    }
    weft_error err;
    if (!trap && weft_call(store->engine, f, vals, np, vals + np, nr, &err)) {
        if (store->pending) {
            /* A host function's own trap ends the call as it was made. */
            trap = store->pending;
            store->pending = NULL;
            capi_trap_add_trace(store, trap);
        } else {
            trap = capi_trap_make(store, err.message, err.status == WEFT_ERR_TRAP);
        }
    }
    /* Results past the room given are dropped (the trap example passes
     * none for a function that would return one, expecting its trap). */
    for (size_t i = 0; i < nr && i < results->size && !trap; i++)
        if (!capi_from_weft(store, &vals[np + i], &results->data[i]))
            trap = capi_trap_make(store, "a v128 result cannot pass to wasm.h", false);
    if (vals != inline_values)
        free(vals);
    return trap;
}

/* ---- Globals ---------------------------------------------------------------------------- */

wasm_global_t *wasm_global_new(wasm_store_t *store, const wasm_globaltype_t *type,
                               const wasm_val_t *val)
{
    weft_value v;
    const char *why;
    if (wasm_valtype_kind(wasm_globaltype_content(type)) != val->kind ||
        !capi_to_weft(store, val, &v, &why))
        return NULL;
    weft_global *g;
    if (weft_global_new(store->engine, v, wasm_globaltype_mutability(type) == WASM_VAR, &g))
        return NULL;
    return (wasm_global_t *)extern_new(store, (weft_extern){ .kind = WEFT_EXTERN_GLOBAL, .of.global = g });
}

wasm_globaltype_t *wasm_global_type(const wasm_global_t *global)
{
    const weft_global *g = global->e.ext.of.global;
    return wasm_globaltype_new(valtype_from_weft(weft_global_kind(g)),
                               weft_global_mutable(g) ? WASM_VAR : WASM_CONST);
}

void wasm_global_get(const wasm_global_t *global, wasm_val_t *out)
{
    weft_value v = weft_global_get(global->e.ext.of.global);
    if (!capi_from_weft(global->e.ref.store, &v, out))
        *out = (wasm_val_t)WASM_INIT_VAL;
}

void wasm_global_set(wasm_global_t *global, const wasm_val_t *val)
{
    weft_value v;
    const char *why;
    if (capi_to_weft(global->e.ref.store, val, &v, &why))
        weft_global_set(global->e.ext.of.global, v, NULL);
}

/* ---- Tables ----------------------------------------------------------------------------- */

/* A reference as the value of a table of `kind`; false when it cannot be
 * one (a funcref table takes only functions). */
static bool ref_value(wasm_store_t *store, weft_valkind kind, wasm_ref_t *ref, weft_value *out)
{
    wasm_val_t v = { .kind = kind == WEFT_FUNCREF ? WASM_FUNCREF : WASM_EXTERNREF,
                     .of.ref = ref };
    const char *why;
    return capi_to_weft(store, &v, out, &why);
}

wasm_table_t *wasm_table_new(wasm_store_t *store, const wasm_tabletype_t *type, wasm_ref_t *init)
{
    weft_valkind kind;
    if (!capi_kind_to_weft(wasm_valtype_kind(wasm_tabletype_element(type)), &kind) ||
        (kind != WEFT_FUNCREF && kind != WEFT_EXTERNREF))
        return NULL;
    const wasm_limits_t *l = wasm_tabletype_limits(type);
    weft_value v;
    if (!ref_value(store, kind, init, &v))
        return NULL;
    weft_table *t;
    if (weft_table_new(store->engine, kind, l->min,
                       l->max == wasm_limits_max_default ? UINT64_MAX : l->max, &t))
        return NULL;
    for (uint32_t i = 0; v.of.ref && i < l->min; i++)
        weft_table_set(t, i, v, NULL);
    return (wasm_table_t *)extern_new(store, (weft_extern){ .kind = WEFT_EXTERN_TABLE, .of.table = t });
}

wasm_tabletype_t *wasm_table_type(const wasm_table_t *table)
{
    const wx_table *t = table->e.ext.of.table;
    wasm_limits_t limits = { t->size, t->has_max && t->max < UINT32_MAX ? (uint32_t)t->max
                                                                        : wasm_limits_max_default };
    return wasm_tabletype_new(valtype_from_weft(weft_table_kind(t)), &limits);
}

wasm_ref_t *wasm_table_get(const wasm_table_t *table, wasm_table_size_t index)
{
    weft_value v;
    wasm_val_t out;
    if (weft_table_get(table->e.ext.of.table, index, &v, NULL) ||
        !capi_from_weft(table->e.ref.store, &v, &out))
        return NULL;
    return out.of.ref;
}

bool wasm_table_set(wasm_table_t *table, wasm_table_size_t index, wasm_ref_t *ref)
{
    weft_table *t = table->e.ext.of.table;
    weft_value v;
    return ref_value(table->e.ref.store, weft_table_kind(t), ref, &v) &&
           !weft_table_set(t, index, v, NULL);
}

wasm_table_size_t wasm_table_size(const wasm_table_t *table)
{
    return weft_table_size(table->e.ext.of.table);
}

bool wasm_table_grow(wasm_table_t *table, wasm_table_size_t delta, wasm_ref_t *init)
{
    weft_table *t = table->e.ext.of.table;
    weft_value v;
    return ref_value(table->e.ref.store, weft_table_kind(t), init, &v) &&
           !weft_table_grow(t, delta, v, NULL, NULL);
}

/* ---- Memories --------------------------------------------------------------------------- */

wasm_memory_t *wasm_memory_new(wasm_store_t *store, const wasm_memorytype_t *type)
{
    const wasm_limits_t *l = wasm_memorytype_limits(type);
    weft_memory *m;
    if (weft_memory_new(store->engine, l->min,
                        l->max == wasm_limits_max_default ? UINT64_MAX : l->max, &m))
        return NULL;
    return (wasm_memory_t *)extern_new(store, (weft_extern){ .kind = WEFT_EXTERN_MEMORY, .of.memory = m });
}

wasm_memorytype_t *wasm_memory_type(const wasm_memory_t *memory)
{
    /* Every memory weft makes is a wx_memory_box, which keeps whether a
     * maximum was declared (weft.h reports 65536 pages when none was). */
    const wx_memory_box *box = (const wx_memory_box *)memory->e.ext.of.memory;
    uint64_t pages = weft_memory_pages(memory->e.ext.of.memory);
    wasm_limits_t limits = { pages > UINT32_MAX ? UINT32_MAX : (uint32_t)pages,
                             box->has_max && box->max < UINT32_MAX ? (uint32_t)box->max
                                                                   : wasm_limits_max_default };
    return wasm_memorytype_new(&limits);
}

byte_t *wasm_memory_data(wasm_memory_t *memory)
{
    return (byte_t *)weft_memory_data(memory->e.ext.of.memory);
}

size_t wasm_memory_data_size(const wasm_memory_t *memory)
{
    return (size_t)weft_memory_size(memory->e.ext.of.memory);
}

wasm_memory_pages_t wasm_memory_size(const wasm_memory_t *memory)
{
    return (wasm_memory_pages_t)weft_memory_pages(memory->e.ext.of.memory);
}

bool wasm_memory_grow(wasm_memory_t *memory, wasm_memory_pages_t delta)
{
    return !weft_memory_grow(memory->e.ext.of.memory, delta, NULL, NULL);
}
