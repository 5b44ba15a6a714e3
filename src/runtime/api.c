/* api.c: the execution half of the public API: engines and their stacks,
 * exports, calls with typed values, host functions, and host-made memories,
 * tables and globals. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "exn.h"
#include "gc.h"
#include "interp.h"
#include "lower.h"
#include "runtime.h"

/* ---- Configuration and dispatch names ---------------------------------------- */

/* WEFT_GC_STRESS=1 turns the GC's stress mode on by default. */
static bool gc_stress_from_env(void)
{
    const char *v = getenv("WEFT_GC_STRESS");
    return v && strcmp(v, "1") == 0;
}

void weft_config_init(weft_config *config)
{
    *config = (weft_config){
        .dispatch = WEFT_DISPATCH_DIRECT,
        .bounds = WEFT_BOUNDS_GUARD,
        .max_call_depth = 100000,
        .max_stack_slots = 1u << 24,
        .max_memory_pages = MEM_MAX_PAGES,
        .max_table_elems = WM_MAX_TABLE,
        .fuel = 0,
        .interruptible = false,
        .max_instance_memory_bytes = (uint64_t)MEM_MAX_PAGES * MEM_PAGE_SIZE,
        .max_instance_table_elems = WM_MAX_TABLE,
        .max_instance_memories = 100,
        .max_instance_tables = 100,
        .max_engine_memory_bytes = (uint64_t)16 << 30,
        .max_engine_table_elems = 10 * (uint64_t)WM_MAX_TABLE,
        .max_instances = 10000,
        .max_heap_bytes = (uint64_t)4 << 30,
        .gc_stress = gc_stress_from_env(),
    };
}

/* weft_dispatch and wx_dispatch number the strategies alike. */
_Static_assert((int)WEFT_DISPATCH_TAIL == (int)DISPATCH_TAIL, "dispatch numbering");

bool weft_dispatch_parse(const char *name, weft_dispatch *out)
{
    if (!name)
        return false;
    for (int d = 0; d < DISPATCH_COUNT; d++) {
        if (!strcmp(name, wx_dispatch_name((wx_dispatch)d))) {
            *out = (weft_dispatch)d;
            return true;
        }
    }
    return false;
}

const char *weft_dispatch_name(weft_dispatch dispatch)
{
    return wx_dispatch_name((wx_dispatch)dispatch);
}

bool weft_dispatch_available(weft_dispatch dispatch)
{
    return (unsigned)dispatch < DISPATCH_COUNT && wx_dispatch_available((wx_dispatch)dispatch);
}

/* ---- Engines ------------------------------------------------------------------- */

static weft_status fail(weft_error *err, weft_status status, const char *message)
{
    wm_fail(err, status, -1, -1, -1, "%s", message);
    return status;
}

/* Reserves `bytes` of zeroed memory that costs nothing until touched. */
static void *reserve(size_t bytes)
{
    void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                   -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

weft_status weft_engine_new(const weft_config *config, weft_engine **out, weft_error *err)
{
    weft_error local;
    if (!err)
        err = &local;
    *err = (weft_error){ .status = WEFT_OK, .section = -1, .func = -1, .offset = -1 };
    *out = NULL;
    weft_config defaults;
    if (!config) {
        weft_config_init(&defaults);
        config = &defaults;
    }
    if ((unsigned)config->dispatch >= DISPATCH_COUNT ||
        (unsigned)config->bounds > WEFT_BOUNDS_EXPLICIT)
        return fail(err, WEFT_ERR_ARGUMENT, "unknown dispatch strategy or bounds mode");
    if (!wx_dispatch_available((wx_dispatch)config->dispatch))
        return fail(err, WEFT_ERR_ARGUMENT, "the tail dispatch strategy needs a compiler with "
                                            "musttail (build weft with clang)");
    if (!config->max_call_depth || !config->max_stack_slots)
        return fail(err, WEFT_ERR_ARGUMENT, "max_call_depth and max_stack_slots must be positive");
    if (config->max_memory_pages > MEM_MAX_PAGES || config->max_table_elems > WM_MAX_TABLE)
        return fail(err, WEFT_ERR_ARGUMENT, "max_memory_pages is at most 65536 and "
                                            "max_table_elems at most 10000000");
    weft_engine *e = calloc(1, sizeof *e);
    if (!e)
        return fail(err, WEFT_ERR_NOMEM, "out of memory");
    e->config = *config;
    e->stack_bytes = ((size_t)config->max_stack_slots + WX_FRAME_MAX) * sizeof(wx_slot);
    e->calls_bytes = (size_t)config->max_call_depth * sizeof(wx_callrec);
    wx_thread *th = &e->thread;
    th->stack = reserve(e->stack_bytes);
    th->calls = reserve(e->calls_bytes);
    if (!th->stack || !th->calls) {
        weft_engine_free(e);
        return fail(err, WEFT_ERR_NOMEM, "cannot reserve the engine's stacks");
    }
    th->stack_limit = th->stack + config->max_stack_slots;
    th->stack_end = th->stack_limit + WX_FRAME_MAX;
    th->sp = th->stack;
    th->max_depth = config->max_call_depth;
    th->fuel = config->fuel ? config->fuel : UINT64_MAX;
    th->heap = wx_heap_new(config->max_heap_bytes, config->gc_stress);
    if (!th->heap) {
        weft_engine_free(e);
        return fail(err, WEFT_ERR_NOMEM, "out of memory");
    }
    atomic_init(&th->interrupt, false);
    e->budget = (wx_budget){ .max_memory_bytes = config->max_engine_memory_bytes,
                             .max_table_elems = config->max_engine_table_elems,
                             .name = "engine" };
    *out = e;
    return WEFT_OK;
}

/* ---- Fuel and interruption ------------------------------------------------------ */

/* The signal-handler promise of weft_engine_interrupt needs a flag that is
 * set without a lock. */
_Static_assert(ATOMIC_BOOL_LOCK_FREE == 2, "weft_engine_interrupt needs a lock-free flag");

weft_status weft_engine_add_fuel(weft_engine *engine, uint64_t amount)
{
    if (!engine || !engine->config.fuel)
        return WEFT_ERR_ARGUMENT;
    uint64_t *fuel = &engine->thread.fuel;
    *fuel = amount > UINT64_MAX - *fuel ? UINT64_MAX : *fuel + amount;
    return WEFT_OK;
}

weft_status weft_engine_fuel(const weft_engine *engine, uint64_t *remaining)
{
    if (!engine || !engine->config.fuel || !remaining)
        return WEFT_ERR_ARGUMENT;
    *remaining = engine->thread.fuel;
    return WEFT_OK;
}

weft_status weft_engine_interrupt(weft_engine *engine)
{
    if (!engine || !engine->config.interruptible)
        return WEFT_ERR_ARGUMENT;
    atomic_store_explicit(&engine->thread.interrupt, true, memory_order_relaxed);
    return WEFT_OK;
}

bool wx_engine_own(weft_engine *e, wx_owned_kind kind, void *ptr)
{
    if (e->nowned == e->owned_cap) {
        size_t cap = e->owned_cap ? 2 * e->owned_cap : 16;
        wx_owned *grown = realloc(e->owned, cap * sizeof *grown);
        if (!grown)
            return false;
        e->owned = grown;
        e->owned_cap = cap;
    }
    e->owned[e->nowned++] = (wx_owned){ kind, ptr };
    return true;
}

void weft_engine_free(weft_engine *engine)
{
    if (!engine)
        return;
    for (size_t i = 0; i < engine->nowned; i++) {
        void *p = engine->owned[i].ptr;
        switch (engine->owned[i].kind) {
        case OWN_INSTANCE: wx_instance_free(p); break;
        case OWN_FUNC: free(p); break;
        case OWN_MEMORY: wx_memory_destroy(p); break;
        case OWN_TABLE: wx_table_destroy(p); break;
        case OWN_GLOBAL: free(p); break;
        }
    }
    free(engine->owned);
    wx_exn_free_all(&engine->thread);
    wx_heap_free(engine->thread.heap);
    if (engine->thread.stack)
        munmap(engine->thread.stack, engine->stack_bytes);
    if (engine->thread.calls)
        munmap(engine->thread.calls, engine->calls_bytes);
    free(engine);
}

/* ---- Exports ----------------------------------------------------------------------- */

void wx_export_extern(const wx_instance *inst, const wm_export *e, weft_extern *out)
{
    out->kind = (weft_extern_kind)e->kind;
    switch (e->kind) {
    case EXT_FUNC: out->of.func = inst->funcs[e->index]; break;
    case EXT_TABLE: out->of.table = inst->tables[e->index]; break;
    case EXT_MEMORY: out->of.memory = inst->memories[e->index]; break;
    case EXT_GLOBAL: out->of.global = inst->globals[e->index]; break;
    case EXT_TAG: out->of.tag = inst->tags[e->index]; break;
    }
}

bool weft_instance_export(const weft_instance *instance, const char *name, size_t name_len,
                          weft_extern *out)
{
    const wm_module *m = instance->mod;
    for (uint32_t i = 0; i < m->nexports; i++) {
        const wm_export *e = &m->exports[i];
        if (e->name.len != name_len || memcmp(e->name.str, name, name_len))
            continue;
        wx_export_extern(instance, e, out);
        return true;
    }
    return false;
}

/* ---- Values and slots -------------------------------------------------------------- */

static weft_valkind kind_of(wm_valtype type)
{
    switch (vt_code(type)) {
    case VT_I32: return WEFT_I32;
    case VT_I64: return WEFT_I64;
    case VT_F32: return WEFT_F32;
    case VT_F64: return WEFT_F64;
    case VT_V128: return WEFT_V128;
    /* A concrete type (canonical): a function type's, or a struct's or
     * array's of the any hierarchy. */
    case VT_REF_INDEX: return wx_canon_heap_top(type) == VT_FUNCREF ? WEFT_FUNCREF : WEFT_ANYREF;
    case VT_FUNCREF: case VT_NOFUNCREF: return WEFT_FUNCREF;
    case VT_EXNREF: case VT_NOEXNREF: return WEFT_EXNREF;
    case VT_ANYREF: case VT_EQREF: case VT_I31REF: case VT_STRUCTREF: case VT_ARRAYREF:
    case VT_NONEREF: return WEFT_ANYREF;
    default: return WEFT_EXTERNREF;
    }
}

/* Type `t` of function `f`'s type, whose concrete references name its
 * module's types, made canonical; and its kind. */
static wm_valtype func_canon(const wx_func *f, wm_valtype t)
{
    return f->inst && vt_code(t) == VT_REF_INDEX ? wm_canon_valtype(f->inst->mod, t) : t;
}

static weft_valkind func_kind(const wx_func *f, wm_valtype t) { return kind_of(func_canon(f, t)); }

static bool type_of(weft_valkind kind, wm_valtype *out)
{
    static const wm_valtype types[] = { VT_I32, VT_I64, VT_F32, VT_F64, VT_V128, VT_FUNCREF,
                                        VT_EXTERNREF, VT_EXNREF, VT_ANYREF };
    if ((unsigned)kind >= sizeof types / sizeof types[0])
        return false;
    *out = types[kind];
    return true;
}

/* Writes `v` into slots at `s` and returns how many it took. Scalars narrower
 * than a slot are zero-extended, as the interpreter's constants are. */
static uint32_t value_to_slots(const weft_value *v, wx_slot *s)
{
    s[0].u64 = 0;
    switch (v->kind) {
    case WEFT_I32: s[0].u64 = (uint32_t)v->of.i32; return 1;
    case WEFT_I64: s[0].i64 = v->of.i64; return 1;
    case WEFT_F32: s[0].f32 = v->of.f32; return 1;
    case WEFT_F64: s[0].f64 = v->of.f64; return 1;
    case WEFT_V128: memcpy(s, v->of.v128, 16); return 2;
    case WEFT_FUNCREF: case WEFT_EXTERNREF: case WEFT_EXNREF: case WEFT_ANYREF:
        s[0].ref = v->of.ref;
        return 1;
    }
    return 1;
}

static uint32_t slots_to_value(const wx_slot *s, wm_valtype type, weft_value *v)
{
    memset(v, 0, sizeof *v);
    v->kind = kind_of(type);
    switch (v->kind) {
    case WEFT_I32: v->of.i32 = s[0].i32; return 1;
    case WEFT_I64: v->of.i64 = s[0].i64; return 1;
    case WEFT_F32: v->of.f32 = s[0].f32; return 1;
    case WEFT_F64: v->of.f64 = s[0].f64; return 1;
    case WEFT_V128: memcpy(v->of.v128, s, 16); return 2;
    case WEFT_FUNCREF: case WEFT_EXTERNREF: case WEFT_EXNREF: case WEFT_ANYREF:
        v->of.ref = s[0].ref;
        return 1;
    }
    return 1;
}

/* api_extern.c converts values exactly as the calls here do; these give it
 * the conversions above under cross-file names. */
weft_valkind wx_valkind_of(wm_valtype type) { return kind_of(type); }
uint32_t wx_value_to_slots(const weft_value *v, wx_slot *s) { return value_to_slots(v, s); }

/* ---- Calling ----------------------------------------------------------------------- */

uint32_t weft_func_param_count(const weft_func *func) { return func->type->nparams; }
uint32_t weft_func_result_count(const weft_func *func) { return func->type->nresults; }

weft_valkind weft_func_param_kind(const weft_func *func, uint32_t i)
{
    return i < func->type->nparams ? func_kind(func, func->type->params[i]) : WEFT_I32;
}

weft_valkind weft_func_result_kind(const weft_func *func, uint32_t i)
{
    return i < func->type->nresults ? func_kind(func, func->type->results[i]) : WEFT_I32;
}

/* Turns the end of a run of `func`, whose frame is at `slots`, into the
 * public status and results. */
static weft_status finish_call(wx_thread *th, wx_func *func, wx_slot *slots, wx_trap trap,
                               weft_value *results, weft_error *err)
{
    if (trap) {
        char msg[256];
        weft_status s = wx_trap_status(trap);
        wx_trap_describe(th, trap, msg, sizeof msg);
        if ((s == WEFT_ERR_FUEL || s == WEFT_ERR_INTERRUPTED) && !th->stopped.active)
            wm_fail(err, s, -1, -1, -1, "%s (not resumable: it stopped inside a call that a "
                    "host function made)", msg);
        else
            wm_fail(err, s, -1, -1, -1, "%s", msg);
        return s;
    }
    const wm_functype *t = func->type;
    uint32_t k = 0;
    for (uint32_t i = 0; i < t->nresults; i++)
        k += slots_to_value(slots + k, func_canon(func, t->results[i]), &results[i]);
    return WEFT_OK;
}

weft_status weft_call(weft_engine *engine, weft_func *func, const weft_value *args,
                      size_t nargs, weft_value *results, size_t nresults, weft_error *err)
{
    weft_error local;
    if (!err)
        err = &local;
    *err = (weft_error){ .status = WEFT_OK, .section = -1, .func = -1, .offset = -1 };
    if (!engine || !func)
        return fail(err, WEFT_ERR_ARGUMENT, "no engine or function given");
    const wm_functype *t = func->type;
    if (nargs != t->nparams)
        return fail(err, WEFT_ERR_ARGUMENT, "wrong number of arguments");
    if (nresults < t->nresults || (t->nresults && !results))
        return fail(err, WEFT_ERR_ARGUMENT, "too little room for the results");
    if (t->nparams && !args)
        return fail(err, WEFT_ERR_ARGUMENT, "no arguments given");
    for (uint32_t i = 0; i < t->nparams; i++) {
        if (args[i].kind != func_kind(func, t->params[i]))
            return fail(err, WEFT_ERR_ARGUMENT, "argument of the wrong kind");
        /* A parameter of type (ref ...) cannot take null. */
        if (vt_is_ref(t->params[i]) && !vt_nullable(t->params[i]) && !args[i].of.ref)
            return fail(err, WEFT_ERR_ARGUMENT, "null argument for a non-null reference");
    }
    wx_thread *th = &engine->thread;
    /* The arguments go above whatever frames are running, so a host
     * function may call back into the guest. */
    wx_slot *slots = th->sp;
    if ((size_t)(th->stack_end - slots) < func->nslots) {
        wm_fail(err, WEFT_ERR_TRAP, -1, -1, -1, "%s", wx_trap_message(TRAP_EXHAUSTED));
        return WEFT_ERR_TRAP;
    }
    uint32_t k = 0;
    for (uint32_t i = 0; i < t->nparams; i++)
        k += value_to_slots(&args[i], slots + k);
    /* An outermost call is the one weft_resume may continue. */
    if (th->depth == 0) {
        engine->call_func = func;
        engine->call_slots = slots;
    }
    return finish_call(th, func, slots, wx_invoke(th, func, slots), results, err);
}

weft_status weft_resume(weft_engine *engine, weft_value *results, size_t nresults,
                        weft_error *err)
{
    weft_error local;
    if (!err)
        err = &local;
    *err = (weft_error){ .status = WEFT_OK, .section = -1, .func = -1, .offset = -1 };
    if (!engine || !engine->thread.stopped.active)
        return fail(err, WEFT_ERR_ARGUMENT, "no stopped call to resume");
    wx_func *func = engine->call_func;
    if (nresults < func->type->nresults || (func->type->nresults && !results))
        return fail(err, WEFT_ERR_ARGUMENT, "too little room for the results");
    wx_thread *th = &engine->thread;
    return finish_call(th, func, engine->call_slots, wx_resume(th), results, err);
}

/* ---- Host functions ------------------------------------------------------------------ */

/* A host function made through the API: the function instance first (so
 * the weft_func pointer is the allocation), then the callback and its type,
 * whose value types follow in the same allocation. */
typedef struct host_func {
    wx_func f;
    weft_host_callback callback;
    void *user;
    wm_functype type;
    wm_valtype types[];
} host_func;

/* Values held for a call: small signatures stay on the C stack. */
#define HOST_INLINE_VALUES 8

/* Converts the slots to the declared kinds, calls the callback and writes
 * its results back over the slots. */
const ir_word *wx_no_code = NULL;

static wx_trap host_adapter(wx_thread *th, void *ctx, wx_slot *slots)
{
    host_func *h = ctx;
    const wm_functype *t = &h->type;
    weft_value inline_values[HOST_INLINE_VALUES];
    weft_value *args = inline_values;
    size_t n = (size_t)t->nparams + t->nresults;
    if (n > HOST_INLINE_VALUES && !(args = calloc(n, sizeof *args)))
        return TRAP_NOMEM;
    weft_value *results = args + t->nparams;
    uint32_t k = 0;
    for (uint32_t i = 0; i < t->nparams; i++)
        k += slots_to_value(slots + k, t->params[i], &args[i]);
    for (uint32_t i = 0; i < t->nresults; i++) {
        memset(&results[i], 0, sizeof results[i]);
        results[i].kind = kind_of(t->results[i]);
    }
    weft_error err = { .status = WEFT_OK, .section = -1, .func = -1, .offset = -1 };
    weft_status s = h->callback(h->user, args, results, &err);
    wx_trap trap = TRAP_NONE;
    if (s == WEFT_ERR_FUEL || s == WEFT_ERR_INTERRUPTED) {
        /* A stop passed on by the host ends the guest with the same status. */
        trap = s == WEFT_ERR_FUEL ? TRAP_FUEL : TRAP_INTERRUPTED;
    } else if (s == WEFT_ERR_EXCEPTION && th->exn) {
        /* An exception passed on from a nested call goes on unwinding in
         * the calling Wasm code, which may catch it. */
        trap = TRAP_EXCEPTION;
    } else if (s) {
        snprintf(th->message, sizeof th->message, "%s",
                 err.message[0] ? err.message : weft_status_name(s));
        trap = TRAP_HOST;
    } else {
        k = 0;
        for (uint32_t i = 0; i < t->nresults; i++) {
            results[i].kind = kind_of(t->results[i]); /* The declared kind wins. */
            k += value_to_slots(&results[i], slots + k);
        }
    }
    if (args != inline_values)
        free(args);
    return trap;
}

weft_status weft_func_new(weft_engine *engine, const weft_valkind *params, uint32_t nparams,
                          const weft_valkind *results, uint32_t nresults,
                          weft_host_callback callback, void *user, weft_func **out)
{
    *out = NULL;
    if (!engine || !callback || nparams > WM_MAX_PARAMS || nresults > WM_MAX_PARAMS ||
        (nparams && !params) || (nresults && !results))
        return WEFT_ERR_ARGUMENT;
    host_func *h = calloc(1, sizeof *h + (nparams + nresults) * sizeof h->types[0]);
    if (!h)
        return WEFT_ERR_NOMEM;
    for (uint32_t i = 0; i < nparams; i++)
        if (!type_of(params[i], &h->types[i]))
            goto bad;
    for (uint32_t i = 0; i < nresults; i++)
        if (!type_of(results[i], &h->types[nparams + i]))
            goto bad;
    h->type = (wm_functype){ .nparams = nparams, .nresults = nresults, .params = h->types,
                             .results = h->types + nparams };
    h->callback = callback;
    h->user = user;
    uint32_t np = wx_type_slots(h->type.params, nparams);
    uint32_t nr = wx_type_slots(h->type.results, nresults);
    h->f = (wx_func){ .type = &h->type, .sig = wx_sig_id(&h->type), .nargs = np,
                      .nslots = np > nr ? np : nr, .code = &wx_no_code,
                      .host = host_adapter, .host_ctx = h };
    if (!wx_engine_own(engine, OWN_FUNC, h)) {
        free(h);
        return WEFT_ERR_NOMEM;
    }
    *out = &h->f;
    return WEFT_OK;
bad:
    free(h);
    return WEFT_ERR_ARGUMENT;
}

/* ---- Memories, tables, globals -------------------------------------------------------- */

weft_status weft_memory_new(weft_engine *engine, uint64_t min_pages, uint64_t max_pages,
                            weft_memory **out)
{
    *out = NULL;
    if (!engine || (max_pages != UINT64_MAX && max_pages > MEM_MAX_PAGES))
        return WEFT_ERR_ARGUMENT;
    weft_status s;
    if (min_pages > engine->config.max_memory_pages)
        return WEFT_ERR_LIMIT;
    wx_memory *m = wx_memory_create(min_pages, max_pages, false,
                                    engine->config.bounds == WEFT_BOUNDS_GUARD, &s);
    if (!m)
        return s;
    if ((s = wx_memory_limit(engine, m, NULL)) ||
        (s = wx_memory_charge(m, &engine->budget, "memory", NULL))) {
        wx_memory_destroy(m);
        return s;
    }
    if (!wx_engine_own(engine, OWN_MEMORY, m)) {
        wx_memory_destroy(m);
        return WEFT_ERR_NOMEM;
    }
    *out = m;
    return WEFT_OK;
}

/* weft_table_new and weft_table_new64: a table of 32-bit or 64-bit index
 * type. A 64-bit table's maximum may be any u64 (UINT64_MAX: none). */
static weft_status table_new(weft_engine *engine, weft_valkind elem, uint64_t min, uint64_t max,
                             bool is64, weft_table **out)
{
    *out = NULL;
    if (!engine || (elem != WEFT_FUNCREF && elem != WEFT_EXTERNREF) ||
        (!is64 && max != UINT64_MAX && max > UINT32_MAX))
        return WEFT_ERR_ARGUMENT;
    weft_status s;
    wx_table *t = wx_table_create(elem == WEFT_FUNCREF ? VT_FUNCREF : VT_EXTERNREF, min, max, &s);
    if (!t)
        return s;
    t->is64 = is64;
    if ((s = wx_table_limit(engine, t, NULL)) ||
        (s = wx_table_charge(t, &engine->budget, "table", NULL))) {
        wx_table_destroy(t);
        return s;
    }
    if (!wx_engine_own(engine, OWN_TABLE, t)) {
        wx_table_destroy(t);
        return WEFT_ERR_NOMEM;
    }
    *out = t;
    return WEFT_OK;
}

weft_status weft_table_new(weft_engine *engine, weft_valkind elem, uint32_t min, uint64_t max,
                           weft_table **out)
{
    return table_new(engine, elem, min, max, false, out);
}

weft_status weft_table_new64(weft_engine *engine, weft_valkind elem, uint64_t min, uint64_t max,
                             weft_table **out)
{
    return table_new(engine, elem, min, max, true, out);
}

weft_status weft_global_new(weft_engine *engine, weft_value value, bool mutable_,
                            weft_global **out)
{
    *out = NULL;
    wm_valtype type;
    if (!engine || !type_of(value.kind, &type))
        return WEFT_ERR_ARGUMENT;
    wx_global *g = calloc(1, sizeof *g);
    if (!g)
        return WEFT_ERR_NOMEM;
    g->type = type;
    g->mut = mutable_;
    value_to_slots(&value, g->value);
    if (!wx_engine_own(engine, OWN_GLOBAL, g)) {
        free(g);
        return WEFT_ERR_NOMEM;
    }
    *out = g;
    return WEFT_OK;
}

uint8_t *weft_memory_data(weft_memory *memory) { return memory->base; }

uint64_t weft_memory_size(const weft_memory *memory) { return memory->size; }

weft_value weft_global_get(const weft_global *global)
{
    weft_value v;
    slots_to_value(global->value, global->type, &v);
    return v;
}

size_t weft_engine_backtrace(const weft_engine *engine, weft_frame *frames, size_t max)
{
    const wx_thread *th = &engine->thread;
    for (uint32_t i = 0; i < th->nbacktrace && i < max; i++) {
        const wm_module *m = th->backtrace[i].inst->mod;
        uint32_t func = th->backtrace[i].func;
        frames[i] = (weft_frame){ func, func < m->nfuncs ? m->funcs[func].name : NULL };
    }
    return th->backtrace_depth;
}
