/* capi_module.c: wasm.h's modules (compile, validate, reflection of imports
 * and exports, serialization, sharing between threads) and instances. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capi.h"
#include "module.h"

/* ---- Modules --------------------------------------------------------------------------- */

static wasm_module_t *module_wrap(capi_modbox *box)
{
    wasm_module_t *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->ref = (wasm_ref_t){ .kind = CAPI_MODULE, .refs = 1 };
    m->box = box;
    atomic_fetch_add(&box->refs, 1);
    return m;
}

static void box_release(capi_modbox *box)
{
    if (atomic_fetch_sub(&box->refs, 1) == 1) {
        weft_module_free(box->module);
        free(box);
    }
}

/* Loads a module and boxes it for counting; NULL when the bytes are not a
 * valid module. */
static wasm_module_t *module_load(const uint8_t *bytes, size_t size)
{
    capi_modbox *box = calloc(1, sizeof *box);
    if (!box)
        return NULL;
    if (weft_module_load(bytes, size, &box->module, NULL)) {
        free(box);
        return NULL;
    }
    atomic_init(&box->refs, 0);
    wasm_module_t *m = module_wrap(box);
    if (!m) {
        weft_module_free(box->module);
        free(box);
    }
    return m;
}

wasm_module_t *wasm_module_new(wasm_store_t *store, const wasm_byte_vec_t *binary)
{
    (void)store;
    return module_load((const uint8_t *)binary->data, binary->size);
}

bool wasm_module_validate(wasm_store_t *store, const wasm_byte_vec_t *binary)
{
    (void)store;
    weft_module *m;
    if (weft_module_load((const uint8_t *)binary->data, binary->size, &m, NULL))
        return false;
    weft_module_free(m);
    return true;
}

void capi_module_free(wasm_module_t *module)
{
    box_release(module->box);
    free(module);
}

/* A weft_module wraps a wm_module as its first member (module.c): the
 * types of imports and exports are read from there, since weft.h
 * describes only their names and kinds. */
static const wm_module *wm_of(const wasm_module_t *module)
{
    return (const wm_module *)module->box->module;
}

static wasm_valtype_t *valtype_of(wm_valtype type)
{
    /* wasm.h knows funcref and externref only: a typed reference shows as
     * the one of its family, (ref $t) as funcref. */
    if (vt_is_ref(type))
        type = vt_code(type) == VT_EXTERNREF ? VT_EXTERNREF : VT_FUNCREF;
    switch (type) {
    case VT_I32: return wasm_valtype_new(WASM_I32);
    case VT_I64: return wasm_valtype_new(WASM_I64);
    case VT_F32: return wasm_valtype_new(WASM_F32);
    case VT_F64: return wasm_valtype_new(WASM_F64);
    case VT_FUNCREF: return wasm_valtype_new(WASM_FUNCREF);
    case VT_EXTERNREF: return wasm_valtype_new(WASM_EXTERNREF);
    }
    /* v128 has no wasm.h kind: it shows as its binary encoding (0x7b),
     * which no wasm.h enumerator takes. */
    return wasm_valtype_new((wasm_valkind_t)type);
}

static wasm_limits_t limits_of(const wm_limits *l)
{
    return (wasm_limits_t){ l->min > UINT32_MAX ? UINT32_MAX : (uint32_t)l->min,
                            l->has_max && l->max < UINT32_MAX ? (uint32_t)l->max
                                                              : wasm_limits_max_default };
}

static wasm_externtype_t *functype_of(const wm_functype *t)
{
    wasm_valtype_vec_t params, results;
    wasm_valtype_vec_new_uninitialized(&params, t->nparams);
    wasm_valtype_vec_new_uninitialized(&results, t->nresults);
    for (uint32_t i = 0; i < params.size; i++)
        params.data[i] = valtype_of(t->params[i]);
    for (uint32_t i = 0; i < results.size; i++)
        results.data[i] = valtype_of(t->results[i]);
    return wasm_functype_as_externtype(wasm_functype_new(&params, &results));
}

static wasm_externtype_t *globaltype_of(const wm_globaltype *t)
{
    return wasm_globaltype_as_externtype(
        wasm_globaltype_new(valtype_of(t->type), t->mut ? WASM_VAR : WASM_CONST));
}

static wasm_externtype_t *tabletype_of(const wm_tabletype *t)
{
    wasm_limits_t limits = limits_of(&t->limits);
    return wasm_tabletype_as_externtype(wasm_tabletype_new(valtype_of(t->elem), &limits));
}

static wasm_externtype_t *memorytype_of(const wm_memtype *t)
{
    wasm_limits_t limits = limits_of(&t->limits);
    return wasm_memorytype_as_externtype(wasm_memorytype_new(&limits));
}

static void name_of(wasm_name_t *out, const wm_name *name)
{
    wasm_name_new(out, name->len, name->str);
}

void wasm_module_imports(const wasm_module_t *module, wasm_importtype_vec_t *out)
{
    const wm_module *m = wm_of(module);
    wasm_importtype_vec_new_uninitialized(out, m->nimports);
    for (size_t i = 0; i < out->size; i++) {
        const wm_import *imp = &m->imports[i];
        wasm_externtype_t *type = NULL;
        switch (imp->kind) {
        case EXT_FUNC: type = functype_of(&m->types[imp->u.type]); break;
        case EXT_TABLE: type = tabletype_of(&imp->u.table); break;
        case EXT_MEMORY: type = memorytype_of(&imp->u.memory); break;
        case EXT_GLOBAL: type = globaltype_of(&imp->u.global); break;
        }
        wasm_name_t mod, field;
        name_of(&mod, &imp->module);
        name_of(&field, &imp->field);
        out->data[i] = wasm_importtype_new(&mod, &field, type);
    }
}

void wasm_module_exports(const wasm_module_t *module, wasm_exporttype_vec_t *out)
{
    const wm_module *m = wm_of(module);
    wasm_exporttype_vec_new_uninitialized(out, m->nexports);
    for (size_t i = 0; i < out->size; i++) {
        const wm_export *e = &m->exports[i];
        wasm_externtype_t *type = NULL;
        switch (e->kind) {
        case EXT_FUNC: type = functype_of(&m->types[m->funcs[e->index].type]); break;
        case EXT_TABLE: type = tabletype_of(&m->tables[e->index].type); break;
        case EXT_MEMORY: type = memorytype_of(&m->memories[e->index].type); break;
        case EXT_GLOBAL: type = globaltype_of(&m->globals[e->index].type); break;
        }
        wasm_name_t name;
        name_of(&name, &e->name);
        out->data[i] = wasm_exporttype_new(&name, type);
    }
}

/* weft's serialized module: a header, then the module's own bytes. weft
 * lowers each function lazily, on its first call, into code that holds
 * this process's handler addresses, so there is no compiled form worth
 * keeping; deserializing validates the bytes again. */
static const uint8_t serial_magic[8] = { 'w', 'e', 'f', 't', '-', 'm', 'o', 'd' };
#define SERIAL_VERSION 1u
#define SERIAL_HEADER 20 /* Magic, version (4 bytes), size (8 bytes), little-endian. */

void wasm_module_serialize(const wasm_module_t *module, wasm_byte_vec_t *out)
{
    const wm_module *m = wm_of(module);
    wasm_byte_vec_new_uninitialized(out, SERIAL_HEADER + m->size);
    if (out->size != SERIAL_HEADER + m->size)
        return;
    uint8_t *p = (uint8_t *)out->data;
    memcpy(p, serial_magic, 8);
    for (int i = 0; i < 4; i++)
        p[8 + i] = (uint8_t)(SERIAL_VERSION >> (8 * i));
    for (int i = 0; i < 8; i++)
        p[12 + i] = (uint8_t)((uint64_t)m->size >> (8 * i));
    memcpy(p + SERIAL_HEADER, m->bytes, m->size);
}

wasm_module_t *wasm_module_deserialize(wasm_store_t *store, const wasm_byte_vec_t *bytes)
{
    (void)store;
    const uint8_t *p = (const uint8_t *)bytes->data;
    if (bytes->size < SERIAL_HEADER || memcmp(p, serial_magic, 8))
        return NULL;
    uint32_t version = 0;
    uint64_t size = 0;
    for (int i = 0; i < 4; i++)
        version |= (uint32_t)p[8 + i] << (8 * i);
    for (int i = 0; i < 8; i++)
        size |= (uint64_t)p[12 + i] << (8 * i);
    if (version != SERIAL_VERSION || size != bytes->size - SERIAL_HEADER)
        return NULL;
    return module_load(p + SERIAL_HEADER, size);
}

/* A weft_module is immutable once loaded (its lazily lowered code is
 * guarded by a lock), so threads share it as it is. */
wasm_shared_module_t *wasm_module_share(const wasm_module_t *module)
{
    wasm_shared_module_t *s = malloc(sizeof *s);
    if (!s)
        return NULL;
    s->box = module->box;
    atomic_fetch_add(&s->box->refs, 1);
    return s;
}

wasm_module_t *wasm_module_obtain(wasm_store_t *store, const wasm_shared_module_t *shared)
{
    (void)store;
    return module_wrap(shared->box);
}

void wasm_shared_module_delete(wasm_shared_module_t *shared)
{
    if (!shared)
        return;
    box_release(shared->box);
    free(shared);
}

/* ---- Instances ------------------------------------------------------------------------- */

/* wasm.h gives imports by position; weft asks for each by name, in the
 * module's order, once each, so the resolver hands them out in turn. */
typedef struct import_list {
    wasm_store_t *store;
    const wasm_extern_vec_t *imports;
    size_t next;
} import_list;

static bool resolve_in_turn(void *user, const char *module, size_t module_len,
                            const char *field, size_t field_len, weft_extern *out)
{
    (void)module, (void)module_len, (void)field, (void)field_len;
    import_list *list = user;
    if (!list->imports || list->next >= list->imports->size)
        return false;
    const wasm_extern_t *e = list->imports->data[list->next++];
    if (!e || e->ref.store != list->store)
        return false;
    *out = e->ext;
    return true;
}

wasm_instance_t *wasm_instance_new(wasm_store_t *store, const wasm_module_t *module,
                                   const wasm_extern_vec_t *imports, wasm_trap_t **trap)
{
    if (trap)
        *trap = NULL;
    import_list list = { store, imports, 0 };
    weft_instance *inst;
    weft_error err;
    weft_status s = weft_instantiate(store->engine, module->box->module, resolve_in_turn, &list,
                                     &inst, &err);
    if (s) {
        /* An instance that failed after it could have effects (in its
         * segments or start function) stays in the engine, as the spec
         * leaves it in the store, and needs its module until the end. */
        capi_store_keep(store, (wasm_ref_t *)&module->ref);
        /* A trap in the start function has a backtrace; a link error is
         * reported as a trap too, for its message. */
        wasm_trap_t *t = store->pending;
        store->pending = NULL;
        if (t && trap) {
            /* A host function's own trap, from the start function. */
            capi_trap_add_trace(store, t);
            *trap = t;
        } else {
            capi_release(t ? &t->ref : NULL);
            if (trap)
                *trap = capi_trap_make(store, err.message, s == WEFT_ERR_TRAP);
        }
        return NULL;
    }
    wasm_instance_t *i = capi_instance_of(store, inst);
    if (i && !i->module)
        i->module = (wasm_module_t *)capi_retain(&module->ref);
    return i;
}

void wasm_instance_exports(const wasm_instance_t *instance, wasm_extern_vec_t *out)
{
    uint32_t n = weft_module_export_count(instance->module->box->module);
    wasm_extern_vec_new_uninitialized(out, n);
    for (uint32_t i = 0; i < out->size; i++) {
        weft_extern ext;
        weft_instance_export_at(instance->inst, i, NULL, &ext);
        out->data[i] = capi_extern_of(instance->ref.store, &ext);
    }
}
