/* embed.c: embedding weft in a C program. Loads a module, gives it a host
 * function, calls its exports with typed values, reads its memory and a
 * global, and shows a trap as a value; then runs a call on a fuel budget,
 * topping it up and resuming, and interrupts a call that never returns from
 * another thread. Run: embed PATH/embed.wasm */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "weft.h"

/* The host function the guest imports as host.scale: i32 -> i32. */
static weft_status scale(void *user, const weft_value *args, weft_value *results,
                         weft_error *err)
{
    (void)err;
    int32_t factor = *(const int32_t *)user;
    results[0] = (weft_value){ .kind = WEFT_I32, .of.i32 = args[0].of.i32 * factor };
    return WEFT_OK;
}

/* Resolves the module's imports: only host.scale exists. */
static bool resolve(void *user, const char *module, size_t module_len, const char *field,
                    size_t field_len, weft_extern *out)
{
    if (module_len == 4 && !memcmp(module, "host", 4) && field_len == 5 &&
        !memcmp(field, "scale", 5)) {
        *out = (weft_extern){ .kind = WEFT_EXTERN_FUNC, .of.func = user };
        return true;
    }
    return false;
}

static int fail(const char *what, const weft_error *err)
{
    char buf[512];
    fprintf(stderr, "embed: %s: %s\n", what, weft_error_format(err, buf, sizeof buf));
    return 1;
}

/* Interrupts the engine it is given after 20 ms: a stand-in for a
 * watchdog or a user pressing Ctrl-C. */
static void *interrupt_soon(void *engine)
{
    nanosleep(&(struct timespec){ 0, 20 * 1000 * 1000 }, NULL);
    weft_engine_interrupt(engine);
    return NULL;
}

/* Runs fill(10) on an engine with little fuel, adding some at each stop,
 * then interrupts spin(), which never returns. Returns how many times the
 * fill stopped, or -1 when something went wrong. */
static int fuel_and_interrupt(weft_module *module, int32_t *factor)
{
    weft_config config;
    weft_config_init(&config);
    config.fuel = 100;           /* Fuel: about one unit per Wasm instruction. */
    config.interruptible = true; /* weft_engine_interrupt may stop calls. */
    weft_engine *engine;
    weft_error err;
    weft_valkind i32 = WEFT_I32;
    weft_func *host;
    weft_instance *instance;
    weft_extern fill, spin;
    if (weft_engine_new(&config, &engine, &err))
        return fail("engine", &err), -1;
    if (weft_func_new(engine, &i32, 1, &i32, 1, scale, factor, &host) ||
        weft_instantiate(engine, module, resolve, host, &instance, &err) ||
        !weft_instance_export(instance, "fill", 4, &fill) ||
        !weft_instance_export(instance, "spin", 4, &spin)) {
        weft_engine_free(engine);
        return -1;
    }
    /* A stopped call keeps its state; weft_resume continues it after a
     * top-up and returns its results as weft_call would have. */
    weft_value arg = { .kind = WEFT_I32, .of.i32 = 10 }, result;
    int stops = 0;
    weft_status s = weft_call(engine, fill.of.func, &arg, 1, &result, 1, &err);
    while (s == WEFT_ERR_FUEL) {
        stops++;
        weft_engine_add_fuel(engine, 50);
        s = weft_resume(engine, &result, 1, &err);
    }
    uint64_t left = 0;
    weft_engine_fuel(engine, &left);
    printf("fill(10) on a budget = %lld after %d top-ups, %llu fuel left\n",
           (long long)result.of.i64, stops, (unsigned long long)left);
    if (s || result.of.i64 != 135)
        stops = -1;

    /* Interruption: another thread stops the endless loop, and the engine
     * stays usable (the interrupt is consumed by the check that saw it). */
    weft_engine_add_fuel(engine, UINT64_MAX);
    pthread_t thread;
    if (pthread_create(&thread, NULL, interrupt_soon, engine) == 0) {
        s = weft_call(engine, spin.of.func, NULL, 0, NULL, 0, &err);
        pthread_join(thread, NULL);
        printf("spin(): %s\n", weft_status_name(s));
        if (s != WEFT_ERR_INTERRUPTED || weft_call(engine, fill.of.func, &arg, 1, &result, 1, &err))
            stops = -1;
    }
    weft_engine_free(engine);
    return stops;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: embed embed.wasm\n");
        return 2;
    }
    weft_error err;
    weft_module *module;
    if (weft_module_load_file(argv[1], &module, &err))
        return fail("load", &err);

    weft_config config;
    weft_config_init(&config);
    weft_engine *engine;
    if (weft_engine_new(&config, &engine, &err))
        return fail("engine", &err);

    int32_t factor = 3;
    weft_valkind i32 = WEFT_I32;
    weft_func *host;
    if (weft_func_new(engine, &i32, 1, &i32, 1, scale, &factor, &host))
        return fprintf(stderr, "embed: cannot make the host function\n"), 1;

    weft_instance *instance;
    if (weft_instantiate(engine, module, resolve, host, &instance, &err))
        return fail("instantiate", &err);

    weft_extern fill, divide, memory, calls;
    if (!weft_instance_export(instance, "fill", 4, &fill) ||
        !weft_instance_export(instance, "divide", 6, &divide) ||
        !weft_instance_export(instance, "memory", 6, &memory) ||
        !weft_instance_export(instance, "calls", 5, &calls))
        return fprintf(stderr, "embed: an export is missing\n"), 1;

    /* fill(10): the guest calls scale(i) = 3i for i < 10 and sums them. */
    weft_value arg = { .kind = WEFT_I32, .of.i32 = 10 }, result;
    if (weft_call(engine, fill.of.func, &arg, 1, &result, 1, &err))
        return fail("fill", &err);
    const uint8_t *mem = weft_memory_data(memory.of.memory);
    int32_t last;
    memcpy(&last, mem + 9 * 4, sizeof last);
    weft_value count = weft_global_get(calls.of.global);
    int64_t sum = result.of.i64;
    printf("fill(10) = %lld, memory[9] = %d, calls = %d\n", (long long)sum, last, count.of.i32);

    /* A trap comes back as a value with the spec's message. */
    weft_value args[2] = { { .kind = WEFT_I32, .of.i32 = 1 }, { .kind = WEFT_I32, .of.i32 = 0 } };
    weft_status s = weft_call(engine, divide.of.func, args, 2, &result, 1, &err);
    printf("divide(1, 0): %s: %s\n", weft_status_name(s), err.message);

    /* 3 * (0 + 1 + ... + 9) = 135; memory[9] = 3 * 9. */
    int ok = sum == 135 && last == 27 && count.of.i32 == 1 && s == WEFT_ERR_TRAP &&
             !strcmp(err.message, "integer divide by zero");
    ok = ok && fuel_and_interrupt(module, &factor) > 0;
    weft_engine_free(engine);
    weft_module_free(module);
    return ok ? 0 : 1;
}
