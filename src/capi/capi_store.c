/* capi_store.c: wasm.h's configs, engines and stores, the references every
 * handle converts to (copy, same, host info, finalizers), foreign objects
 * and the conversion of values between wasm.h and weft.h. */
#include <stdlib.h>
#include <string.h>

#include "capi.h"

/* ---- Configs, engines and stores ------------------------------------------------------ */

/* weft's defaults, but with no cap on the instances of one store: wasm.h
 * has no setting for it, and its programs (the finalize example makes
 * 100,001 instances in one store) expect none. Memory and table totals
 * stay as weft_config_init sets them. */
static void capi_config_init(weft_config *config)
{
    weft_config_init(config);
    config->max_instances = UINT32_MAX;
}

wasm_config_t *wasm_config_new(void)
{
    wasm_config_t *c = malloc(sizeof *c);
    if (c)
        capi_config_init(&c->config);
    return c;
}

void wasm_config_delete(wasm_config_t *config) { free(config); }

wasm_engine_t *wasm_engine_new_with_config(wasm_config_t *config)
{
    wasm_engine_t *e = malloc(sizeof *e);
    if (e) {
        if (config)
            e->config = config->config;
        else
            capi_config_init(&e->config);
    }
    wasm_config_delete(config);
    return e;
}

wasm_engine_t *wasm_engine_new(void) { return wasm_engine_new_with_config(NULL); }

void wasm_engine_delete(wasm_engine_t *engine) { free(engine); }

/* A wasm.h engine is only settings, so that stores on several threads may
 * share it; each store is a weft_engine, whose stacks one thread runs on. */
wasm_store_t *wasm_store_new(wasm_engine_t *engine)
{
    wasm_store_t *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    if (weft_engine_new(&engine->config, &s->engine, NULL)) {
        free(s);
        return NULL;
    }
    return s;
}

static bool counted(const wasm_ref_t *ref);

/* Runs a reference's finalizer once. */
static void finalize(wasm_ref_t *ref)
{
    void (*fin)(void *) = ref->finalizer;
    ref->finalizer = NULL;
    if (fin)
        fin(ref->host_info);
}

void wasm_store_delete(wasm_store_t *store)
{
    if (!store)
        return;
    /* Finalizers first, newest last as they were made, while every object
     * still exists; then weft's objects go with the engine, then the
     * records and what they hold. */
    for (size_t i = 0; i < store->nrecords; i++) {
        wasm_ref_t *r = store->records[i];
        if (counted(r))
            continue; /* Pinned: it may outlive the store, finalized with its last reference. */
        finalize(r);
        if (r->kind <= CAPI_MEMORY) {
            wasm_extern_t *e = (wasm_extern_t *)r;
            if (e->env_finalizer)
                e->env_finalizer(e->env);
        }
    }
    weft_engine_free(store->engine);
    for (size_t i = 0; i < store->nrecords; i++) {
        wasm_ref_t *r = store->records[i];
        if (counted(r)) {
            capi_release(r); /* A pinned counted object: the store's reference. */
            continue;
        }
        if (r->kind == CAPI_INSTANCE && ((wasm_instance_t *)r)->module)
            capi_release(&((wasm_instance_t *)r)->module->ref);
        free(r);
    }
    if (store->pending)
        capi_release(&store->pending->ref);
    free(store->records);
    free(store->map.keys);
    free(store->map.values);
    free(store);
}

bool capi_store_adopt(wasm_store_t *store, wasm_ref_t *record)
{
    if (store->nrecords == store->records_cap) {
        size_t cap = store->records_cap ? 2 * store->records_cap : 64;
        wasm_ref_t **grown = realloc(store->records, cap * sizeof *grown);
        if (!grown)
            return false;
        store->records = grown;
        store->records_cap = cap;
    }
    store->records[store->nrecords++] = record;
    return true;
}

/* ---- The map from weft's objects to their records ------------------------------------ */

static size_t slot_of(const capi_map *map, const void *key)
{
    uintptr_t h = (uintptr_t)key;
    h ^= h >> 17;
    h *= 0x9e3779b97f4a7c15u;
    return (size_t)(h >> 7) & (map->cap - 1);
}

static wasm_ref_t *map_get(const capi_map *map, const void *key)
{
    if (!map->cap)
        return NULL;
    for (size_t i = slot_of(map, key);; i = (i + 1) & (map->cap - 1)) {
        if (map->keys[i] == key)
            return map->values[i];
        if (!map->keys[i])
            return NULL;
    }
}

static bool map_put(capi_map *map, const void *key, wasm_ref_t *value)
{
    if (2 * (map->count + 1) > map->cap) {
        capi_map grown = { .cap = map->cap ? 2 * map->cap : 64, .count = map->count };
        grown.keys = calloc(grown.cap, sizeof *grown.keys);
        grown.values = calloc(grown.cap, sizeof *grown.values);
        if (!grown.keys || !grown.values) {
            free(grown.keys);
            free(grown.values);
            return false;
        }
        for (size_t i = 0; i < map->cap; i++) {
            if (!map->keys[i])
                continue;
            size_t j = slot_of(&grown, map->keys[i]);
            while (grown.keys[j])
                j = (j + 1) & (grown.cap - 1);
            grown.keys[j] = map->keys[i];
            grown.values[j] = map->values[i];
        }
        free(map->keys);
        free(map->values);
        *map = grown;
    }
    size_t i = slot_of(map, key);
    while (map->keys[i])
        i = (i + 1) & (map->cap - 1);
    map->keys[i] = key;
    map->values[i] = value;
    map->count++;
    return true;
}

/* The weft object an external names, the key of its record. */
static const void *extern_key(const weft_extern *ext)
{
    switch (ext->kind) {
    case WEFT_EXTERN_FUNC: return ext->of.func;
    case WEFT_EXTERN_TABLE: return ext->of.table;
    case WEFT_EXTERN_MEMORY: return ext->of.memory;
    case WEFT_EXTERN_GLOBAL: return ext->of.global;
    case WEFT_EXTERN_TAG: return NULL; /* wasm.h has no tags: not offered. */
    }
    return NULL;
}

/* Records `record` in the store under `key`; frees it and returns NULL
 * when out of memory. */
static wasm_ref_t *adopt_keyed(wasm_store_t *store, const void *key, wasm_ref_t *record)
{
    if (!capi_store_adopt(store, record)) {
        free(record);
        return NULL;
    }
    /* When the map is out of memory, the record is still the store's, only
     * not found again: a later lookup makes another. */
    map_put(&store->map, key, record);
    return record;
}

wasm_extern_t *capi_extern_of(wasm_store_t *store, const weft_extern *ext)
{
    const void *key = extern_key(ext);
    if (!key)
        return NULL;
    wasm_ref_t *found = map_get(&store->map, key);
    if (found)
        return (wasm_extern_t *)found;
    wasm_extern_t *e = calloc(1, sizeof *e);
    if (!e)
        return NULL;
    static const capi_kind kinds[] = { [WEFT_EXTERN_FUNC] = CAPI_FUNC,
                                       [WEFT_EXTERN_TABLE] = CAPI_TABLE,
                                       [WEFT_EXTERN_MEMORY] = CAPI_MEMORY,
                                       [WEFT_EXTERN_GLOBAL] = CAPI_GLOBAL };
    e->ref = (wasm_ref_t){ .kind = kinds[ext->kind], .store = store };
    e->ext = *ext;
    return capi_extern_adopt(store, e);
}

wasm_extern_t *capi_extern_adopt(wasm_store_t *store, wasm_extern_t *e)
{
    return (wasm_extern_t *)adopt_keyed(store, extern_key(&e->ext), &e->ref);
}

wasm_instance_t *capi_instance_of(wasm_store_t *store, weft_instance *inst)
{
    wasm_ref_t *found = map_get(&store->map, inst);
    if (found)
        return (wasm_instance_t *)found;
    wasm_instance_t *i = calloc(1, sizeof *i);
    if (!i)
        return NULL;
    i->ref = (wasm_ref_t){ .kind = CAPI_INSTANCE, .store = store };
    i->inst = inst;
    return (wasm_instance_t *)adopt_keyed(store, inst, &i->ref);
}

/* ---- References ------------------------------------------------------------------------ */

static bool counted(const wasm_ref_t *ref)
{
    return ref->kind == CAPI_MODULE || ref->kind == CAPI_TRAP;
}

wasm_ref_t *capi_retain(const wasm_ref_t *ref)
{
    wasm_ref_t *r = (wasm_ref_t *)ref;
    if (r && counted(r))
        r->refs++;
    return r;
}

void capi_release(wasm_ref_t *ref)
{
    if (!ref || !counted(ref) || --ref->refs)
        return;
    finalize(ref);
    if (ref->kind == CAPI_MODULE)
        capi_module_free((wasm_module_t *)ref);
    else
        capi_trap_free((wasm_trap_t *)ref);
}

/* A counted object stored into a Wasm value may be read back at any time
 * while the store lives: each store that sees it takes a reference, once
 * (the map says whether it has). */
bool capi_store_keep(wasm_store_t *store, wasm_ref_t *ref)
{
    if (!counted(ref) || map_get(&store->map, ref))
        return true;
    if (!capi_store_adopt(store, ref) || !map_put(&store->map, ref, ref)) {
        if (store->nrecords && store->records[store->nrecords - 1] == ref)
            store->nrecords--;
        return false;
    }
    capi_retain(ref);
    return true;
}

static void set_host_info(wasm_ref_t *ref, void *info, void (*finalizer)(void *))
{
    finalize(ref);
    ref->host_info = info;
    ref->finalizer = finalizer;
}

/* The functions every reference type has: delete, copy, same and host
 * info. Identity is the record's: one per object in a store, and a counted
 * object's copies are the same pointer. */
#define REF_BASE(name)                                                                        \
    void wasm_##name##_delete(wasm_##name##_t *x) { capi_release((wasm_ref_t *)x); }         \
    wasm_##name##_t *wasm_##name##_copy(const wasm_##name##_t *x)                             \
    {                                                                                         \
        return (wasm_##name##_t *)capi_retain((const wasm_ref_t *)x);                         \
    }                                                                                         \
    bool wasm_##name##_same(const wasm_##name##_t *a, const wasm_##name##_t *b)               \
    {                                                                                         \
        return a == b;                                                                        \
    }                                                                                         \
    void *wasm_##name##_get_host_info(const wasm_##name##_t *x)                               \
    {                                                                                         \
        return ((const wasm_ref_t *)x)->host_info;                                            \
    }                                                                                         \
    void wasm_##name##_set_host_info(wasm_##name##_t *x, void *info)                          \
    {                                                                                         \
        set_host_info((wasm_ref_t *)x, info, NULL);                                           \
    }                                                                                         \
    void wasm_##name##_set_host_info_with_finalizer(wasm_##name##_t *x, void *info,           \
                                                    void (*finalizer)(void *))                \
    {                                                                                         \
        set_host_info((wasm_ref_t *)x, info, finalizer);                                      \
    }

/* And the conversions to and from wasm_ref_t, down ones checked by `IS`. */
#define REF(name, IS)                                                                         \
    REF_BASE(name)                                                                            \
    wasm_ref_t *wasm_##name##_as_ref(wasm_##name##_t *x) { return (wasm_ref_t *)x; }          \
    const wasm_ref_t *wasm_##name##_as_ref_const(const wasm_##name##_t *x)                    \
    {                                                                                         \
        return (const wasm_ref_t *)x;                                                         \
    }                                                                                         \
    wasm_##name##_t *wasm_ref_as_##name(wasm_ref_t *r)                                        \
    {                                                                                         \
        return r && (IS) ? (wasm_##name##_t *)r : NULL;                                       \
    }                                                                                         \
    const wasm_##name##_t *wasm_ref_as_##name##_const(const wasm_ref_t *r)                    \
    {                                                                                         \
        return r && (IS) ? (const wasm_##name##_t *)r : NULL;                                 \
    }

REF_BASE(ref)
REF(trap, r->kind == CAPI_TRAP)
REF(foreign, r->kind == CAPI_FOREIGN)
REF(module, r->kind == CAPI_MODULE)
REF(instance, r->kind == CAPI_INSTANCE)
REF(func, r->kind == CAPI_FUNC)
REF(global, r->kind == CAPI_GLOBAL)
REF(table, r->kind == CAPI_TABLE)
REF(memory, r->kind == CAPI_MEMORY)
REF(extern, r->kind <= CAPI_MEMORY)

/* ---- Foreign objects ---------------------------------------------------------------- */

wasm_foreign_t *wasm_foreign_new(wasm_store_t *store)
{
    wasm_foreign_t *f = calloc(1, sizeof *f);
    if (!f)
        return NULL;
    f->ref = (wasm_ref_t){ .kind = CAPI_FOREIGN, .store = store };
    if (!capi_store_adopt(store, &f->ref)) {
        free(f);
        return NULL;
    }
    return f;
}

/* ---- Values ------------------------------------------------------------------------- */

void wasm_val_delete(wasm_val_t *v)
{
    if (wasm_valkind_is_ref(v->kind))
        capi_release(v->of.ref);
}

void wasm_val_copy(wasm_val_t *out, const wasm_val_t *v)
{
    *out = *v;
    if (wasm_valkind_is_ref(v->kind))
        capi_retain(v->of.ref);
}

bool capi_kind_to_weft(wasm_valkind_t kind, weft_valkind *out)
{
    switch (kind) {
    case WASM_I32: *out = WEFT_I32; return true;
    case WASM_I64: *out = WEFT_I64; return true;
    case WASM_F32: *out = WEFT_F32; return true;
    case WASM_F64: *out = WEFT_F64; return true;
    case WASM_EXTERNREF: *out = WEFT_EXTERNREF; return true;
    case WASM_FUNCREF: *out = WEFT_FUNCREF; return true;
    }
    return false;
}

bool capi_kind_from_weft(weft_valkind kind, wasm_valkind_t *out)
{
    switch (kind) {
    case WEFT_I32: *out = WASM_I32; return true;
    case WEFT_I64: *out = WASM_I64; return true;
    case WEFT_F32: *out = WASM_F32; return true;
    case WEFT_F64: *out = WASM_F64; return true;
    case WEFT_EXTERNREF: *out = WASM_EXTERNREF; return true;
    case WEFT_FUNCREF: *out = WASM_FUNCREF; return true;
    case WEFT_V128: return false; /* wasm.h has no v128 */
    case WEFT_EXNREF: case WEFT_ANYREF: return false; /* nor exnref and anyref. */
    }
    return false;
}

bool capi_to_weft(wasm_store_t *store, const wasm_val_t *v, weft_value *out, const char **why)
{
    memset(out, 0, sizeof *out);
    if (!capi_kind_to_weft(v->kind, &out->kind)) {
        *why = "a value of an unknown kind";
        return false;
    }
    switch (v->kind) {
    case WASM_I32: out->of.i32 = v->of.i32; break;
    case WASM_I64: out->of.i64 = v->of.i64; break;
    case WASM_F32: out->of.f32 = v->of.f32; break;
    case WASM_F64: out->of.f64 = v->of.f64; break;
    case WASM_FUNCREF:
        /* A funcref is weft's function itself, so Wasm code can call it. */
        if (v->of.ref && v->of.ref->kind != CAPI_FUNC) {
            *why = "a funcref that is not a function";
            return false;
        }
        out->of.ref = v->of.ref ? ((wasm_extern_t *)v->of.ref)->ext.of.func : NULL;
        break;
    case WASM_EXTERNREF:
        /* An externref is the record itself, so it comes back as the same
         * reference, host info and all. */
        if (v->of.ref && !capi_store_keep(store, v->of.ref)) {
            *why = "out of memory";
            return false;
        }
        out->of.ref = v->of.ref;
        break;
    }
    return true;
}

bool capi_from_weft(wasm_store_t *store, const weft_value *v, wasm_val_t *out)
{
    memset(out, 0, sizeof *out);
    if (!capi_kind_from_weft(v->kind, &out->kind))
        return false;
    switch (v->kind) {
    case WEFT_I32: out->of.i32 = v->of.i32; break;
    case WEFT_I64: out->of.i64 = v->of.i64; break;
    case WEFT_F32: out->of.f32 = v->of.f32; break;
    case WEFT_F64: out->of.f64 = v->of.f64; break;
    case WEFT_FUNCREF:
        if (v->of.ref) {
            weft_extern ext = { .kind = WEFT_EXTERN_FUNC, .of.func = v->of.ref };
            wasm_extern_t *e = capi_extern_of(store, &ext);
            if (!e)
                return false;
            out->of.ref = &e->ref;
        }
        break;
    case WEFT_EXTERNREF: out->of.ref = capi_retain(v->of.ref); break;
    case WEFT_V128: case WEFT_EXNREF: case WEFT_ANYREF: return false;
    }
    return true;
}
