/* embed.c: embedding weft in a C program. Loads a module, gives it a host
 * function and WASI, calls its exports with typed values, writes and reads
 * its memory, reads and sets a global, calls a function found in its table,
 * shows a trap as a value with its backtrace, and captures the guest's
 * stdout in a pipe; then runs a call on a fuel budget, topping it up and
 * resuming, and interrupts a call that never returns from another thread.
 * Run: embed PATH/embed.wasm */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

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

/* What the resolver hands out: host.scale, and WASI for everything else. */
typedef struct imports {
    weft_func *scale;
    weft_wasi *wasi;
} imports;

static bool resolve(void *user, const char *module, size_t module_len, const char *field,
                    size_t field_len, weft_extern *out)
{
    imports *im = user;
    if (module_len == 4 && !memcmp(module, "host", 4) && field_len == 5 &&
        !memcmp(field, "scale", 5)) {
        *out = (weft_extern){ .kind = WEFT_EXTERN_FUNC, .of.func = im->scale };
        return true;
    }
    return weft_wasi_resolver(im->wasi, module, module_len, field, field_len, out);
}

static int fail(const char *what, const weft_error *err)
{
    char buf[512];
    fprintf(stderr, "embed: %s: %s\n", what, weft_error_format(err, buf, sizeof buf));
    return 1;
}

static weft_value i32(int32_t v) { return (weft_value){ .kind = WEFT_I32, .of.i32 = v }; }

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
    weft_valkind i32_kind = WEFT_I32;
    imports im = { 0 };
    weft_instance *instance;
    weft_extern fill, spin;
    if (weft_engine_new(&config, &engine, &err))
        return fail("engine", &err), -1;
    if (weft_func_new(engine, &i32_kind, 1, &i32_kind, 1, scale, factor, &im.scale) ||
        weft_wasi_new(engine, &im.wasi) ||
        weft_instantiate(engine, module, resolve, &im, &instance, &err) ||
        !weft_instance_export(instance, "fill", 4, &fill) ||
        !weft_instance_export(instance, "spin", 4, &spin)) {
        weft_wasi_free(im.wasi);
        weft_engine_free(engine);
        return -1;
    }
    /* A stopped call keeps its state; weft_resume continues it after a
     * top-up and returns its results as weft_call would have. */
    weft_value arg = i32(10), result;
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
    weft_wasi_free(im.wasi);
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
    weft_valkind i32_kind = WEFT_I32;
    imports im;
    if (weft_func_new(engine, &i32_kind, 1, &i32_kind, 1, scale, &factor, &im.scale) ||
        weft_wasi_new(engine, &im.wasi))
        return fprintf(stderr, "embed: cannot make the imports\n"), 1;

    weft_instance *instance;
    if (weft_instantiate(engine, module, resolve, &im, &instance, &err))
        return fail("instantiate", &err);

    weft_extern fill, print, memory, calls, table;
    if (!weft_instance_export(instance, "fill", 4, &fill) ||
        !weft_instance_export(instance, "print", 5, &print) ||
        !weft_instance_export(instance, "memory", 6, &memory) ||
        !weft_instance_export(instance, "calls", 5, &calls) ||
        !weft_instance_export(instance, "table", 5, &table))
        return fprintf(stderr, "embed: an export is missing\n"), 1;

    /* fill(10): the guest calls scale(i) = 3i for i < 10 and sums them. */
    weft_value arg = i32(10), result;
    if (weft_call(engine, fill.of.func, &arg, 1, &result, 1, &err))
        return fail("fill", &err);
    int64_t sum = result.of.i64;
    /* Memory reads are bounds-checked: a range past the end is an error. */
    int32_t last;
    if (weft_memory_read(memory.of.memory, 9 * 4, &last, sizeof last, &err))
        return fail("read", &err);
    weft_value count = weft_global_get(calls.of.global);
    printf("fill(10) = %lld, memory[9] = %d, calls = %d\n", (long long)sum, last, count.of.i32);
    /* The host may set a mutable global; the guest sees the new value. */
    if (weft_global_set(calls.of.global, i32(100), &err))
        return fail("set calls", &err);

    /* A trap comes back as a value with the spec's message; here it is
     * raised by the function in table slot 0 (divide), called by
     * reference, and printed with its backtrace. */
    weft_value divide;
    if (weft_table_get(table.of.table, 0, &divide, &err))
        return fail("table", &err);
    weft_value args[2] = { i32(1), i32(0) };
    weft_status s = weft_call(engine, divide.of.ref, args, 2, &result, 1, &err);
    char trap[512];
    printf("table[0](1, 0): %s: %s\n", weft_status_name(s),
           weft_trap_format(engine, &err, trap, sizeof trap));
    int trapped = s == WEFT_ERR_TRAP && !strcmp(err.message, "integer divide by zero");

    /* The guest's stdout goes into a pipe: the host writes a message into
     * guest memory and the guest prints it with fd_write. */
    int pipe_fds[2];
    static const char hello[] = "Hello from the guest's stdout\n";
    if (pipe(pipe_fds) || weft_wasi_set_stdio(im.wasi, -1, pipe_fds[1], -1) ||
        weft_wasi_bind(im.wasi, instance, &err) ||
        weft_memory_write(memory.of.memory, 2048, hello, sizeof hello - 1, &err))
        return fprintf(stderr, "embed: cannot redirect stdout\n"), 1;
    weft_value print_args[2] = { i32(2048), i32(sizeof hello - 1) };
    if (weft_call(engine, print.of.func, print_args, 2, &result, 1, &err))
        return fail("print", &err);
    close(pipe_fds[1]);
    char captured[64] = { 0 };
    ssize_t got = read(pipe_fds[0], captured, sizeof captured - 1);
    close(pipe_fds[0]);
    printf("captured from the guest: %s", got > 0 ? captured : "(nothing)\n");

    /* 3 * (0 + 1 + ... + 9) = 135; memory[9] = 3 * 9. */
    int ok = sum == 135 && last == 27 && count.of.i32 == 1 &&
             weft_global_get(calls.of.global).of.i32 == 100 && trapped && result.of.i32 == 0 &&
             got == (ssize_t)sizeof hello - 1 && !strcmp(captured, hello);
    ok = ok && fuel_and_interrupt(module, &factor) > 0;
    weft_wasi_free(im.wasi);
    weft_engine_free(engine);
    weft_module_free(module);
    return ok ? 0 : 1;
}
