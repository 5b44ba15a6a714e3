/* fuzz_run.c: a libFuzzer target that loads any bytes and, when they are a
 * valid module, instantiates it with stub imports and calls every exported
 * function with zero arguments, each on a fuel budget and with small memory
 * and table limits. Traps, running out of fuel and limits are expected
 * outcomes; crashes, sanitizer reports and hangs (libFuzzer's -timeout) are
 * bugs. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "stubs.h"
#include "weft.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Fuel for the start function and for each export call: enough for real
 * work, little enough that an endless loop ends in milliseconds. */
#define FUEL_PER_CALL 100000u

/* The last byte of the input picks the dispatch strategy and bounds mode,
 * so every strategy is fuzzed and a crash reproduces from its input. */
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
    /* Bulk memory and table operations cost one unit of fuel whatever their
     * length, so the sizes they may touch stay small. */
    config->max_memory_pages = 16;
    config->max_table_elems = 10000;
    config->fuel = FUEL_PER_CALL;
}

/* Tops the engine's fuel up to FUEL_PER_CALL. */
static void refuel(weft_engine *engine)
{
    uint64_t left = 0;
    if (weft_engine_fuel(engine, &left) == WEFT_OK && left < FUEL_PER_CALL)
        weft_engine_add_fuel(engine, FUEL_PER_CALL - left);
}

static void call_exports(weft_engine *engine, const wm_module *m, weft_instance *inst)
{
    weft_value args[WM_MAX_PARAMS], results[WM_MAX_PARAMS];
    weft_error err;
    for (uint32_t i = 0; i < m->nexports; i++) {
        const wm_export *e = &m->exports[i];
        weft_extern ext;
        if (e->kind != EXT_FUNC || !weft_instance_export(inst, e->name.str, e->name.len, &ext))
            continue;
        weft_func *f = ext.of.func;
        uint32_t np = weft_func_param_count(f);
        for (uint32_t k = 0; k < np; k++) {
            memset(&args[k], 0, sizeof args[k]);
            args[k].kind = weft_func_param_kind(f, k);
        }
        refuel(engine);
        weft_status s = weft_call(engine, f, args, np, results, WM_MAX_PARAMS, &err);
        if (s != WEFT_OK && s != WEFT_ERR_TRAP && s != WEFT_ERR_LIMIT && s != WEFT_ERR_NOMEM &&
            s != WEFT_ERR_FUEL)
            __builtin_trap();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    weft_module *module;
    weft_error err;
    if (weft_module_load(data, size, &module, &err) != WEFT_OK)
        return 0;
    weft_config config;
    pick_config(data, size, &config);
    weft_engine *engine;
    if (weft_engine_new(&config, &engine, &err) == WEFT_OK) {
        stub_resolver r = { engine, stub_module_of(module), 0 };
        weft_instance *inst;
        if (weft_instantiate(engine, module, stub_resolve, &r, &inst, &err) == WEFT_OK)
            call_exports(engine, r.m, inst);
        weft_engine_free(engine);
    }
    weft_module_free(module);
    return 0;
}
