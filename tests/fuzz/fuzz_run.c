/* fuzz_run.c: a libFuzzer target that loads any bytes and, when they are a
 * valid module, instantiates it with stub imports and calls every exported
 * function, first with zero arguments and then with edge values (0, -1,
 * INT_MIN, INT_MAX, NaNs, infinities, addresses just below 2^32), each on a
 * fuel budget and with small memory, table and total limits. When every call
 * of that metered run finished within its fuel, the module runs again on
 * unmetered code (the default, which no fuel can stop: the metered run
 * proved that it ends) and every outcome must be the same. Traps, running
 * out of fuel and limits are expected outcomes; crashes, sanitizer
 * reports, hangs (libFuzzer's -timeout) and a metered/unmetered difference
 * are bugs. */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "stubs.h"
#include "weft.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Fuel for the start function and for each export call: enough for real
 * work, little enough that an endless loop ends in milliseconds. */
#define FUEL_PER_CALL 100000u
/* What one run records per call, to compare the two runs. */
#define MAX_CALLS 64

/* The outcome of one call: its status and its results' bits. */
typedef struct outcome {
    weft_status status;
    uint32_t n;
    uint64_t bits[WM_MAX_PARAMS][2];
} outcome;

typedef struct run_log {
    weft_status inst_status;
    uint32_t ncalls;
    bool all_finished;        /* No call ran out of fuel. */
    outcome calls[MAX_CALLS];
} run_log;

/* The last byte of the input picks the dispatch strategy, bounds mode and
 * small totals, so every strategy is fuzzed and a crash reproduces from
 * its input. */
static void pick_config(const uint8_t *data, size_t size, weft_config *config)
{
    weft_config_init(config);
    uint8_t b = size ? data[size - 1] : 0;
    config->dispatch = (weft_dispatch)(b & 3);
    if (!weft_dispatch_available(config->dispatch))
        config->dispatch = WEFT_DISPATCH_DIRECT;
    config->bounds = (b & 4) ? WEFT_BOUNDS_EXPLICIT : WEFT_BOUNDS_GUARD;
    /* Small stacks keep deep recursion quick to exhaust. */
    config->max_call_depth = 2000;
    config->max_stack_slots = 1u << 16;
    /* Bulk instructions are charged by length, so these may be larger than
     * they were; the totals are small in one input of two, so instantiation
     * and growth meet them. */
    config->max_memory_pages = 256;
    config->max_table_elems = 100000;
    if (b & 8) {
        config->max_instance_memory_bytes = 24 * 65536;
        config->max_instance_table_elems = 20000;
        config->max_instance_memories = 4;
        config->max_instance_tables = 4;
        config->max_engine_memory_bytes = 32 * 65536;
    }
    config->fuel = FUEL_PER_CALL;
}

/* Tops the engine's fuel up to FUEL_PER_CALL. */
static void refuel(weft_engine *engine)
{
    uint64_t left = 0;
    if (weft_engine_fuel(engine, &left) == WEFT_OK && left < FUEL_PER_CALL)
        weft_engine_add_fuel(engine, FUEL_PER_CALL - left);
}

/* Argument `k` of vector `v`: vector 0 is all zeros, the others cycle
 * through edge values from a different start. */
static void edge_arg(weft_valkind kind, uint32_t v, uint32_t k, weft_value *out)
{
    static const uint32_t i32s[] = { 0, 0xffffffffu, 0x80000000u, 0x7fffffffu, 1,
                                     0xfffffff0u, 0xffff0000u, 65536, 0xfffffffcu };
    static const uint64_t i64s[] = { 0, ~0ull, 1ull << 63, (1ull << 63) - 1, 1,
                                     0xfffffff0ull, 0xfffffffffffffff8ull, 1ull << 32, 65536 };
    static const uint32_t f32s[] = { 0, 0x80000000u, 0x7fc00000u, 0xffc00001u, 0x7f800000u,
                                     0xff800000u, 0x00000001u, 0x4f000000u, 0xcf000000u };
    static const uint64_t f64s[] = { 0, 1ull << 63, 0x7ff8000000000000ull,
                                     0xfff0000000000001ull, 0x7ff0000000000000ull,
                                     0xfff0000000000000ull, 1, 0x41e0000000000000ull,
                                     0xc3e0000000000000ull };
    uint32_t i = v ? (v * 3 + k) % 9 : 0;
    memset(out, 0, sizeof *out);
    out->kind = kind;
    switch (kind) {
    case WEFT_I32: out->of.i32 = (int32_t)i32s[i]; break;
    case WEFT_I64: out->of.i64 = (int64_t)i64s[i]; break;
    case WEFT_F32: memcpy(&out->of.f32, &f32s[i], 4); break;
    case WEFT_F64: memcpy(&out->of.f64, &f64s[i], 8); break;
    case WEFT_V128: memcpy(out->of.v128, &i64s[i], 8); memcpy(out->of.v128 + 8, &f64s[i], 8); break;
    default: break; /* References stay null. */
    }
}

static void record(run_log *log, weft_status s, const weft_value *results, uint32_t n)
{
    if (s == WEFT_ERR_FUEL)
        log->all_finished = false;
    if (log->ncalls >= MAX_CALLS)
        return;
    outcome *o = &log->calls[log->ncalls++];
    memset(o, 0, sizeof *o);
    o->status = s;
    if (s != WEFT_OK)
        return;
    o->n = n;
    for (uint32_t k = 0; k < n; k++) {
        switch (results[k].kind) {
        case WEFT_I32: o->bits[k][0] = (uint32_t)results[k].of.i32; break;
        case WEFT_I64: o->bits[k][0] = (uint64_t)results[k].of.i64; break;
        case WEFT_F32: memcpy(&o->bits[k][0], &results[k].of.f32, 4); break;
        case WEFT_F64: memcpy(&o->bits[k][0], &results[k].of.f64, 8); break;
        case WEFT_V128: memcpy(o->bits[k], results[k].of.v128, 16); break;
        default: o->bits[k][0] = results[k].of.ref != NULL; break;
        }
    }
}

/* Whether function `index` has a parameter of a non-null reference type:
 * weft_call refuses the null references edge_arg gives. */
static bool takes_non_null(const wm_module *m, uint32_t index)
{
    const wm_functype *t = wm_func_type(m, index);
    for (uint32_t k = 0; k < t->nparams; k++)
        if (vt_is_ref(t->params[k]) && !vt_nullable(t->params[k]))
            return true;
    return false;
}

static void call_exports(weft_engine *engine, const wm_module *m, weft_instance *inst,
                         bool metered, run_log *log)
{
    weft_value args[WM_MAX_PARAMS], results[WM_MAX_PARAMS];
    weft_error err;
    for (uint32_t v = 0; v < 2; v++) {
        for (uint32_t i = 0; i < m->nexports; i++) {
            const wm_export *e = &m->exports[i];
            weft_extern ext;
            if (e->kind != EXT_FUNC ||
                !weft_instance_export(inst, e->name.str, e->name.len, &ext))
                continue;
            weft_func *f = ext.of.func;
            if (takes_non_null(m, e->index))
                continue; /* Its arguments are null references, which it refuses. */
            uint32_t np = weft_func_param_count(f), nr = weft_func_result_count(f);
            for (uint32_t k = 0; k < np; k++)
                edge_arg(weft_func_param_kind(f, k), v, k, &args[k]);
            if (metered)
                refuel(engine);
            weft_status s = weft_call(engine, f, args, np, results, WM_MAX_PARAMS, &err);
            if (s != WEFT_OK && s != WEFT_ERR_TRAP && s != WEFT_ERR_LIMIT &&
                s != WEFT_ERR_NOMEM && s != WEFT_ERR_FUEL)
                __builtin_trap();
            if (s == WEFT_ERR_FUEL && !metered)
                __builtin_trap();
            record(log, s, results, nr);
            if (s == WEFT_ERR_FUEL)
                return; /* No unmetered run follows: stop here. */
        }
    }
}

/* One run of the module on an engine of `config`, logged. */
static void run_once(const weft_module *module, const weft_config *config, run_log *log)
{
    weft_engine *engine;
    weft_error err;
    memset(log, 0, sizeof *log);
    log->all_finished = true;
    if (weft_engine_new(config, &engine, &err) != WEFT_OK) {
        log->inst_status = err.status;
        return;
    }
    stub_resolver r = { engine, stub_module_of(module), 0 };
    weft_instance *inst;
    log->inst_status = weft_instantiate(engine, module, stub_resolve, &r, &inst, &err);
    if (log->inst_status == WEFT_ERR_FUEL)
        log->all_finished = false;
    if (log->inst_status == WEFT_OK)
        call_exports(engine, r.m, inst, config->fuel != 0, log);
    weft_engine_free(engine);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    weft_module *module;
    weft_error err;
    if (weft_module_load(data, size, &module, &err) != WEFT_OK)
        return 0;
    weft_config config;
    pick_config(data, size, &config);
    static run_log metered, unmetered;
    run_once(module, &config, &metered);
    if (metered.all_finished) {
        config.fuel = 0;
        run_once(module, &config, &unmetered);
        /* The same code, with and without checks, must do the same. A
         * NOMEM may differ (the host's memory), so it ends the comparison. */
        if (metered.inst_status != unmetered.inst_status || metered.ncalls != unmetered.ncalls)
            __builtin_trap();
        for (uint32_t i = 0; i < metered.ncalls; i++) {
            const outcome *a = &metered.calls[i], *b = &unmetered.calls[i];
            if (a->status == WEFT_ERR_NOMEM || b->status == WEFT_ERR_NOMEM)
                break;
            if (a->status != b->status || a->n != b->n ||
                memcmp(a->bits, b->bits, sizeof a->bits) != 0)
                __builtin_trap();
        }
    }
    weft_module_free(module);
    return 0;
}
