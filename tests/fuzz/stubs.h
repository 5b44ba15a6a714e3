/* stubs.h: an import resolver that satisfies every import of a module with a
 * stub of the right type (functions that return zeros, fresh memories,
 * tables and globals), shared by the fuzz targets. */
#ifndef WEFT_FUZZ_STUBS_H
#define WEFT_FUZZ_STUBS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "module.h"
#include "runtime.h"
#include "weft.h"

/* Past these sizes an import is left unresolved (a link error), so that
 * one input cannot make the fuzzer allocate without bound. */
#define STUB_MAX_PAGES 16u
#define STUB_MAX_TABLE 10000u

typedef struct stub_resolver {
    weft_engine *engine;
    const wm_module *m;
    uint32_t next;          /* The import being resolved: they come in order. */
} stub_resolver;

/* Host functions made through the API start with zeroed results. */
static weft_status stub_zeros(void *user, const weft_value *args, weft_value *results,
                              weft_error *err)
{
    (void)user, (void)args, (void)results, (void)err;
    return WEFT_OK;
}

static bool stub_resolve(void *user, const char *module, size_t module_len, const char *field,
                         size_t field_len, weft_extern *out)
{
    (void)module, (void)module_len, (void)field, (void)field_len;
    stub_resolver *r = user;
    if (r->next >= r->m->nimports)
        return false;
    const wm_import *imp = &r->m->imports[r->next++];
    out->kind = (weft_extern_kind)imp->kind;
    switch (imp->kind) {
    case EXT_FUNC: {
        const wm_functype *t = &r->m->types[imp->u.type];
        weft_valkind p[WM_MAX_PARAMS], q[WM_MAX_PARAMS];
        for (uint32_t i = 0; i < t->nparams; i++)
            p[i] = wx_valkind_of(t->params[i]);
        for (uint32_t i = 0; i < t->nresults; i++)
            q[i] = wx_valkind_of(t->results[i]);
        return weft_func_new(r->engine, p, t->nparams, q, t->nresults, stub_zeros, NULL,
                             &out->of.func) == WEFT_OK;
    }
    case EXT_MEMORY: {
        const wm_limits *l = &imp->u.memory.limits;
        if (l->is64 || l->shared || l->min > STUB_MAX_PAGES)
            return false;
        return weft_memory_new(r->engine, l->min, l->has_max ? l->max : UINT64_MAX,
                               &out->of.memory) == WEFT_OK;
    }
    case EXT_TABLE: {
        const wm_limits *l = &imp->u.table.limits;
        if (l->min > STUB_MAX_TABLE)
            return false;
        return weft_table_new(r->engine, wx_valkind_of(imp->u.table.elem), (uint32_t)l->min,
                              l->has_max ? l->max : UINT64_MAX, &out->of.table) == WEFT_OK;
    }
    case EXT_GLOBAL: {
        weft_value v;
        memset(&v, 0, sizeof v);
        v.kind = wx_valkind_of(imp->u.global.type);
        return weft_global_new(r->engine, v, imp->u.global.mut, &out->of.global) == WEFT_OK;
    }
    }
    return false;
}

/* A weft_module wraps its wm_module as its first member (module.c; the
 * instantiation code relies on it too): the public API has no import
 * listing yet. */
static inline const wm_module *stub_module_of(const weft_module *module)
{
    return (const wm_module *)module;
}

#endif
