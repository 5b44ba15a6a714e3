/* fuzz_reentry.c: a libFuzzer target for host functions that re-enter the
 * guest. Every imported function of the fuzzed module is a host function
 * that, picked by a counter seeded from the input, calls an export of the
 * same instance (nested weft_call, up to four deep), grows or writes its
 * memory through the API, asks for an interrupt, adds fuel or traps. The
 * engine is metered (fuel, interruptible) in a strategy and bounds mode
 * picked by the input's last byte, and a call that stops is resumed a few
 * times. Expected outcomes are statuses; crashes, sanitizer reports and
 * hangs are bugs. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "stubs.h"
#include "weft.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUEL_PER_CALL 50000u
#define MAX_DEPTH 4
#define MAX_HOST_CALLS 200

typedef struct reentry {
    weft_engine *engine;
    weft_instance *inst;
    const wm_module *m;
    uint32_t seed, depth, budget;
} reentry;

static reentry ctx;

/* The result kinds of each imported function, as its host function needs. */
typedef struct host_sig {
    uint32_t nresults;
    weft_valkind results[WM_MAX_PARAMS];
} host_sig;

static host_sig sigs[256];

/* An export of the instance that is a function, the k-th found. */
static weft_func *export_func(uint32_t k)
{
    uint32_t n = 0;
    for (uint32_t i = 0; i < ctx.m->nexports; i++)
        if (ctx.m->exports[i].kind == EXT_FUNC)
            n++;
    if (!n)
        return NULL;
    k %= n;
    for (uint32_t i = 0; i < ctx.m->nexports; i++) {
        const wm_export *e = &ctx.m->exports[i];
        weft_extern ext;
        if (e->kind == EXT_FUNC && k-- == 0 &&
            weft_instance_export(ctx.inst, e->name.str, e->name.len, &ext))
            return ext.of.func;
    }
    return NULL;
}

static weft_memory *export_memory(void)
{
    for (uint32_t i = 0; i < ctx.m->nexports; i++) {
        const wm_export *e = &ctx.m->exports[i];
        weft_extern ext;
        if (e->kind == EXT_MEMORY && weft_instance_export(ctx.inst, e->name.str, e->name.len, &ext))
            return ext.of.memory;
    }
    return NULL;
}

static weft_status host(void *user, const weft_value *args, weft_value *results, weft_error *err)
{
    (void)args;
    const host_sig *sig = user;
    for (uint32_t i = 0; i < sig->nresults; i++) {
        memset(&results[i], 0, sizeof results[i]);
        results[i].kind = sig->results[i];
    }
    if (!ctx.inst || ctx.budget == 0)
        return WEFT_OK;
    ctx.budget--;
    uint32_t pick = ctx.seed;
    ctx.seed = ctx.seed * 1103515245u + 12345u;
    switch ((pick >> 16) % 8) {
    case 0:
    case 1: {
        if (ctx.depth >= MAX_DEPTH)
            return WEFT_OK;
        weft_func *f = export_func(pick >> 20);
        if (!f)
            return WEFT_OK;
        weft_value a[WM_MAX_PARAMS], r[WM_MAX_PARAMS];
        uint32_t np = weft_func_param_count(f);
        for (uint32_t k = 0; k < np; k++) {
            memset(&a[k], 0, sizeof a[k]);
            a[k].kind = weft_func_param_kind(f, k);
        }
        ctx.depth++;
        weft_status s = weft_call(ctx.engine, f, a, np, r, WM_MAX_PARAMS, err);
        ctx.depth--;
        /* A stop or a trap below is passed up, or swallowed. */
        return (pick & 1) ? s : WEFT_OK;
    }
    case 2: {
        weft_memory *mem = export_memory();
        if (mem)
            weft_memory_grow(mem, (pick >> 20) % 3, NULL, NULL);
        return WEFT_OK;
    }
    case 3: {
        weft_memory *mem = export_memory();
        uint8_t bytes[16];
        memset(bytes, (int)pick, sizeof bytes);
        if (mem)
            weft_memory_write(mem, (pick >> 8) % (weft_memory_size(mem) + 32), bytes,
                              sizeof bytes, NULL);
        return WEFT_OK;
    }
    case 4: weft_engine_interrupt(ctx.engine); return WEFT_OK;
    case 5: weft_engine_add_fuel(ctx.engine, 1000); return WEFT_OK;
    case 6:
        strcpy(err->message, "host trap");
        return WEFT_ERR_TRAP;
    default: return WEFT_OK;
    }
}

static bool resolve(void *user, const char *module, size_t module_len, const char *field,
                    size_t field_len, weft_extern *out)
{
    stub_resolver *r = user;
    if (r->next >= r->m->nimports)
        return false;
    const wm_import *imp = &r->m->imports[r->next];
    if (imp->kind != EXT_FUNC || r->next >= sizeof sigs / sizeof *sigs)
        return stub_resolve(user, module, module_len, field, field_len, out);
    host_sig *sig = &sigs[r->next++];
    const wm_functype *t = &r->m->types[imp->u.type];
    weft_valkind p[WM_MAX_PARAMS];
    for (uint32_t i = 0; i < t->nparams; i++)
        p[i] = wx_valkind_of(t->params[i]);
    sig->nresults = t->nresults;
    for (uint32_t i = 0; i < t->nresults; i++)
        sig->results[i] = wx_valkind_of(t->results[i]);
    out->kind = WEFT_EXTERN_FUNC;
    return weft_func_new(r->engine, p, t->nparams, sig->results, t->nresults, host, sig,
                         &out->of.func) == WEFT_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    weft_module *module;
    weft_error err;
    if (weft_module_load(data, size, &module, &err) != WEFT_OK)
        return 0;
    uint8_t b = size ? data[size - 1] : 0;
    weft_config config;
    weft_config_init(&config);
    config.dispatch = (weft_dispatch)(b & 3);
    if (!weft_dispatch_available(config.dispatch))
        config.dispatch = WEFT_DISPATCH_DIRECT;
    config.bounds = (b & 4) ? WEFT_BOUNDS_EXPLICIT : WEFT_BOUNDS_GUARD;
    config.max_call_depth = 2000;
    config.max_stack_slots = 1u << 16;
    config.max_memory_pages = 64;
    config.max_table_elems = 10000;
    config.fuel = FUEL_PER_CALL;
    config.interruptible = true;
    weft_engine *engine;
    if (weft_engine_new(&config, &engine, &err) == WEFT_OK) {
        memset(&ctx, 0, sizeof ctx);
        ctx.engine = engine;
        ctx.m = stub_module_of(module);
        ctx.seed = size >= 5 ? (uint32_t)data[size - 2] << 24 | (uint32_t)data[size - 3] << 16 |
                                   (uint32_t)data[size - 4] << 8 | data[size - 5]
                             : 1;
        ctx.budget = MAX_HOST_CALLS;
        stub_resolver r = { engine, ctx.m, 0 };
        weft_instance *inst;
        if (weft_instantiate(engine, module, resolve, &r, &inst, &err) == WEFT_OK) {
            ctx.inst = inst;
            for (uint32_t k = 0; k < 4; k++) {
                weft_func *f = export_func(k);
                if (!f)
                    break;
                weft_value a[WM_MAX_PARAMS], res[WM_MAX_PARAMS];
                uint32_t np = weft_func_param_count(f);
                for (uint32_t i = 0; i < np; i++) {
                    memset(&a[i], 0, sizeof a[i]);
                    a[i].kind = weft_func_param_kind(f, i);
                }
                weft_engine_add_fuel(engine, FUEL_PER_CALL);
                weft_status s = weft_call(engine, f, a, np, res, WM_MAX_PARAMS, &err);
                for (int tries = 0; tries < 3 && (s == WEFT_ERR_FUEL || s == WEFT_ERR_INTERRUPTED);
                     tries++) {
                    weft_engine_add_fuel(engine, FUEL_PER_CALL / 4);
                    s = weft_resume(engine, res, WM_MAX_PARAMS, &err);
                    /* A stop passed up by a host function cannot be resumed. */
                    if (s == WEFT_ERR_ARGUMENT)
                        break;
                }
                if (s != WEFT_OK && s != WEFT_ERR_TRAP && s != WEFT_ERR_LIMIT &&
                    s != WEFT_ERR_NOMEM && s != WEFT_ERR_FUEL && s != WEFT_ERR_INTERRUPTED &&
                    s != WEFT_ERR_ARGUMENT)
                    __builtin_trap();
            }
        }
        ctx.inst = NULL;
        weft_engine_free(engine);
    }
    weft_module_free(module);
    return 0;
}
