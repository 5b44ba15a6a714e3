/* diff_driver.c: runs modules made by binaryen's `wasm-opt --translate-to-fuzz`
 * on weft and prints one canonical line per event, in the same format as
 * diff_node.js prints them for V8, so tools/difftest can compare the two.
 *
 *   == FILE                       a module starts
 *   invalid | link-error          it does not load / link
 *   start trap KIND               instantiation trapped
 *   log-i32 BITS ...              a fuzzing-support logging call
 *   call NAME = R...              an export returned (results as bit patterns)
 *   call NAME trap KIND           an export trapped
 *   call NAME skip                an export with v128 in its signature (JS
 *                                 cannot call it, so neither side does)
 *
 * Every exported function is called in export order with zero arguments,
 * each after a call to `hangLimitInitializer` when the module has it (it
 * resets binaryen's loop and recursion budget). NaNs print as "nan", since
 * engines may differ in NaN payloads; the trap kinds are the canonical names
 * of trap_kind below. */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "weft.h"

static void print_f32(float f)
{
    uint32_t b;
    memcpy(&b, &f, 4);
    if (f != f)
        printf(" f32:nan");
    else
        printf(" f32:%08" PRIx32, b);
}

static void print_f64(double d)
{
    uint64_t b;
    memcpy(&b, &d, 8);
    if (d != d)
        printf(" f64:nan");
    else
        printf(" f64:%016" PRIx64, b);
}

static void print_value(const weft_value *v)
{
    switch (v->kind) {
    case WEFT_I32: printf(" i32:%08" PRIx32, (uint32_t)v->of.i32); break;
    case WEFT_I64: printf(" i64:%016" PRIx64, (uint64_t)v->of.i64); break;
    case WEFT_F32: print_f32(v->of.f32); break;
    case WEFT_F64: print_f64(v->of.f64); break;
    case WEFT_V128: {
        uint32_t lanes[4];
        memcpy(lanes, v->of.v128, 16);
        printf(" v128:%08" PRIx32 ":%08" PRIx32 ":%08" PRIx32 ":%08" PRIx32, lanes[0], lanes[1],
               lanes[2], lanes[3]);
        break;
    }
    case WEFT_FUNCREF: case WEFT_EXTERNREF: case WEFT_EXNREF: case WEFT_ANYREF:
        printf(" %s", v->of.ref ? "ref" : "null");
        break;
    }
}

/* The canonical name of a trap, from weft's spec wording. V8 reports an
 * undefined element of call_indirect as a table index out of bounds, and an
 * uninitialized element and a signature mismatch alike, so those are merged
 * the same way on both sides. */
static const char *trap_kind(const char *message)
{
    static const struct { const char *prefix, *kind; } kinds[] = {
        {"unreachable", "unreachable"},
        {"integer divide by zero", "div-zero"},
        {"integer overflow", "int-overflow"},
        {"invalid conversion to integer", "invalid-conv"},
        {"out of bounds memory access", "memory-oob"},
        {"out of bounds table access", "table-oob"},
        {"undefined element", "table-oob"},
        {"uninitialized element", "indirect-call"},
        {"indirect call type mismatch", "indirect-call"},
        {"call stack exhausted", "stack-exhausted"},
    };
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (!strncmp(message, kinds[i].prefix, strlen(kinds[i].prefix)))
            return kinds[i].kind;
    return message;
}

/* ---- The fuzzing-support imports ------------------------------------------- */

/* Set while start_fuel instantiates a module only to measure its fuel. */
static bool quiet_logs;

static weft_status log_value(void *user, const weft_value *args, weft_value *results,
                             weft_error *err)
{
    (void)results, (void)err;
    if (quiet_logs)
        return WEFT_OK;
    printf("%s", (const char *)user);
    print_value(&args[0]);
    printf("\n");
    return WEFT_OK;
}

/* Newer binaryen's generator also imports "call-export" and
 * "call-export-catch" (which call an export from JS) and "sleep". Both
 * sides give them the same stand-ins, which do not call back into the
 * module (fuzz_reentry tests re-entry): call-export does nothing,
 * call-export-catch returns 0 ("nothing was thrown") and sleep returns its
 * second argument, as binaryen's own does. */
static weft_status stub_value(void *user, const weft_value *args, weft_value *results,
                              weft_error *err)
{
    (void)err;
    if (!strcmp((const char *)user, "call-export-catch"))
        results[0] = (weft_value){ .kind = WEFT_I32, .of.i32 = 0 };
    else if (!strcmp((const char *)user, "sleep"))
        results[0] = args[1];
    return WEFT_OK;
}

typedef struct host {
    const char *field;
    weft_valkind params[2];
    uint32_t nparams;
    uint32_t nresults; /* 0 or 1, an i32 */
    weft_host_callback callback;
    weft_func *func;
} host;

static host hosts[] = {
    {"log-i32", {WEFT_I32}, 1, 0, log_value, NULL},
    {"log-i64", {WEFT_I64}, 1, 0, log_value, NULL},
    {"log-f32", {WEFT_F32}, 1, 0, log_value, NULL},
    {"log-f64", {WEFT_F64}, 1, 0, log_value, NULL},
    {"log-v128", {WEFT_V128}, 1, 0, log_value, NULL},
    {"call-export", {WEFT_I32, WEFT_I32}, 2, 0, stub_value, NULL},
    {"call-export-catch", {WEFT_I32}, 1, 1, stub_value, NULL},
    {"sleep", {WEFT_I32, WEFT_I32}, 2, 1, stub_value, NULL},
};
#define NHOSTS (sizeof hosts / sizeof hosts[0])

static bool resolve(void *user, const char *module, size_t module_len, const char *field,
                    size_t field_len, weft_extern *out)
{
    (void)user;
    if (module_len != 15 || memcmp(module, "fuzzing-support", 15))
        return false;
    for (size_t i = 0; i < NHOSTS; i++) {
        if (strlen(hosts[i].field) == field_len && !memcmp(hosts[i].field, field, field_len)) {
            out->kind = WEFT_EXTERN_FUNC;
            out->of.func = hosts[i].func;
            return true;
        }
    }
    return false;
}

/* ---- Running one module ---------------------------------------------------------- */

static bool has_v128(const weft_func *f)
{
    for (uint32_t i = 0; i < weft_func_param_count(f); i++)
        if (weft_func_param_kind(f, i) == WEFT_V128)
            return true;
    for (uint32_t i = 0; i < weft_func_result_count(f); i++)
        if (weft_func_result_kind(f, i) == WEFT_V128)
            return true;
    return false;
}

/* ---- Metered runs: fuel in small top-ups and interrupts, every stop resumed ---- */

/* With --meter N, the engine has a fuel budget and is interruptible: a call
 * that stops for fuel gets N more units and is resumed, and a thread
 * interrupts the running call every 100 microseconds, each interrupt
 * resumed too, so the results must be those of an unmetered run. */
static uint64_t meter_fuel;
static pthread_mutex_t meter_lock = PTHREAD_MUTEX_INITIALIZER;
static weft_engine *meter_engine;   /* The engine calls run on, or NULL (under meter_lock). */
static uint64_t meter_stops;

static void *interrupter(void *arg)
{
    (void)arg;
    for (;;) {
        struct timespec ts = { 0, 100000 };
        nanosleep(&ts, NULL);
        pthread_mutex_lock(&meter_lock);
        if (meter_engine)
            weft_engine_interrupt(meter_engine);
        pthread_mutex_unlock(&meter_lock);
    }
    return NULL;
}

static void meter_on(weft_engine *engine)
{
    pthread_mutex_lock(&meter_lock);
    meter_engine = meter_fuel ? engine : NULL;
    pthread_mutex_unlock(&meter_lock);
}

/* Resumes a call that stopped for fuel or an interrupt until it ends. */
static weft_status finish(weft_engine *engine, weft_status s, weft_value *results, size_t n,
                          weft_error *err)
{
    while (meter_fuel && (s == WEFT_ERR_FUEL || s == WEFT_ERR_INTERRUPTED)) {
        meter_stops++;
        if (s == WEFT_ERR_FUEL)
            weft_engine_add_fuel(engine, meter_fuel);
        s = weft_resume(engine, results, n, err);
    }
    return s;
}

/* Calls `f` with zero arguments; prints nothing when `quiet`. */
static void call(weft_engine *engine, const char *name, weft_func *f, bool quiet)
{
    enum { MAX = 1000 };
    static weft_value args[MAX], results[MAX];
    uint32_t np = weft_func_param_count(f), nr = weft_func_result_count(f);
    if (np > MAX || nr > MAX)
        return;
    for (uint32_t i = 0; i < np; i++) {
        memset(&args[i], 0, sizeof args[i]);
        args[i].kind = weft_func_param_kind(f, i);
    }
    weft_error err;
    meter_on(engine);
    weft_status s = finish(engine, weft_call(engine, f, args, np, results, MAX, &err), results,
                           MAX, &err);
    meter_on(NULL);
    if (quiet)
        return;
    printf("call %s", name);
    if (s == WEFT_ERR_TRAP) {
        printf(" trap %s\n", trap_kind(err.message));
        return;
    }
    if (s) {
        printf(" error %s\n", err.message);
        return;
    }
    printf(" =");
    for (uint32_t i = 0; i < nr; i++)
        print_value(&results[i]);
    printf("\n");
}

/* The export names of a module, read from the binary itself: the public
 * API looks exports up by name but does not list them. */
typedef struct export_list {
    char **names;
    size_t count;
} export_list;

static bool read_uleb(const uint8_t **p, const uint8_t *end, uint64_t *out)
{
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        if (*p >= end)
            return false;
        uint8_t b = *(*p)++;
        v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            *out = v;
            return true;
        }
    }
    return false;
}

/* Only called on modules weft loaded, so the section layout is sound. */
static export_list function_exports(const uint8_t *bytes, size_t size)
{
    export_list list = { NULL, 0 };
    const uint8_t *p = bytes + 8, *end = bytes + size;
    uint64_t len, n;
    while (p < end) {
        uint8_t id = *p++;
        if (!read_uleb(&p, end, &len) || len > (uint64_t)(end - p))
            break;
        const uint8_t *sec_end = p + len;
        if (id != 7) {
            p = sec_end;
            continue;
        }
        if (!read_uleb(&p, sec_end, &n))
            break;
        list.names = calloc(n ? n : 1, sizeof *list.names);
        for (uint64_t i = 0; i < n && list.names; i++) {
            uint64_t nl, index;
            if (!read_uleb(&p, sec_end, &nl) || nl > (uint64_t)(sec_end - p))
                break;
            const uint8_t *name = p;
            p += nl;
            if (p >= sec_end)
                break;
            uint8_t kind = *p++;
            if (!read_uleb(&p, sec_end, &index))
                break;
            if (kind == 0) {
                char *s = malloc(nl + 1);
                memcpy(s, name, nl);
                s[nl] = 0;
                list.names[list.count++] = s;
            }
        }
        break;
    }
    return list;
}

static uint8_t *read_file(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *buf = malloc(n > 0 ? (size_t)n : 1);
    *size = buf ? fread(buf, 1, (size_t)(n > 0 ? n : 0), f) : 0;
    fclose(f);
    return buf;
}

/* Makes the fuzzing-support host functions in `engine`. */
static void make_hosts(weft_engine *engine)
{
    static const weft_valkind i32 = WEFT_I32;
    for (size_t i = 0; i < NHOSTS; i++)
        weft_func_new(engine, hosts[i].params, hosts[i].nparams, &i32, hosts[i].nresults,
                      hosts[i].callback, (void *)hosts[i].field, &hosts[i].func);
}

/* The fuel instantiating `module` takes (its start function and segments),
 * measured on a throwaway engine with its logs silenced. A start function
 * that runs out of fuel cannot be resumed, so a metered run gives
 * instantiation this much on top of its first allotment. */
static uint64_t start_fuel(const weft_config *config, const weft_module *module)
{
    weft_config c = *config;
    c.fuel = (uint64_t)1 << 62;
    weft_engine *engine;
    weft_instance *inst;
    weft_error err;
    uint64_t left = c.fuel;
    if (weft_engine_new(&c, &engine, &err) != WEFT_OK)
        return 0;
    make_hosts(engine);
    quiet_logs = true;
    weft_instantiate(engine, module, resolve, NULL, &inst, &err);
    quiet_logs = false;
    weft_engine_fuel(engine, &left);
    weft_engine_free(engine);
    return c.fuel - left;
}

static void run_module(const weft_config *config, const char *path)
{
    printf("== %s\n", path);
    size_t size = 0;
    uint8_t *bytes = read_file(path, &size);
    weft_module *module = NULL;
    weft_error err;
    if (!bytes || weft_module_load(bytes, size, &module, &err) != WEFT_OK) {
        printf("invalid\n");
        free(bytes);
        return;
    }
    weft_config metered = *config;
    if (meter_fuel)
        metered.fuel = meter_fuel + start_fuel(config, module);
    weft_engine *engine;
    if (weft_engine_new(&metered, &engine, &err) != WEFT_OK) {
        fprintf(stderr, "diff_driver: %s\n", err.message);
        exit(2);
    }
    make_hosts(engine);
    weft_instance *inst;
    weft_status s = weft_instantiate(engine, module, resolve, NULL, &inst, &err);
    if (s == WEFT_ERR_LINK) {
        printf("link-error\n");
    } else if (s == WEFT_ERR_TRAP) {
        printf("start trap %s\n", trap_kind(err.message));
    } else if (s) {
        printf("instantiate error %s\n", err.message);
    } else {
        export_list list = function_exports(bytes, size);
        weft_extern reset;
        bool has_reset = weft_instance_export(inst, "hangLimitInitializer", 20, &reset) &&
                         reset.kind == WEFT_EXTERN_FUNC;
        for (size_t i = 0; i < list.count; i++) {
            weft_extern ext;
            if (!weft_instance_export(inst, list.names[i], strlen(list.names[i]), &ext))
                continue;
            if (has_v128(ext.of.func)) {
                printf("call %s skip\n", list.names[i]);
                continue;
            }
            if (has_reset)
                call(engine, "hangLimitInitializer", reset.of.func, true);
            call(engine, list.names[i], ext.of.func, false);
        }
        for (size_t i = 0; i < list.count; i++)
            free(list.names[i]);
        free(list.names);
    }
    fflush(stdout);
    weft_engine_free(engine);
    weft_module_free(module);
    free(bytes);
}

int main(int argc, char **argv)
{
    weft_config config;
    weft_config_init(&config);
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i += 2) {
        if (i + 1 >= argc)
            goto usage;
        if (!strcmp(argv[i], "--dispatch")) {
            if (!weft_dispatch_parse(argv[i + 1], &config.dispatch))
                goto usage;
        } else if (!strcmp(argv[i], "--meter")) {
            meter_fuel = strtoull(argv[i + 1], NULL, 10);
            if (!meter_fuel)
                goto usage;
            /* Calls stop every meter_fuel units; instantiation gets what
             * it needs on top (start_fuel), since a start function that
             * runs out cannot be resumed. */
            config.fuel = meter_fuel;
            config.interruptible = true;
        } else if (!strcmp(argv[i], "--bounds")) {
            if (!strcmp(argv[i + 1], "explicit"))
                config.bounds = WEFT_BOUNDS_EXPLICIT;
            else if (strcmp(argv[i + 1], "guard"))
                goto usage;
        } else {
            goto usage;
        }
    }
    pthread_t tid;
    if (meter_fuel && pthread_create(&tid, NULL, interrupter, NULL) != 0)
        return 2;
    for (; i < argc; i++)
        run_module(&config, argv[i]);
    if (meter_fuel)
        fprintf(stderr, "diff_driver: %llu stops resumed\n", (unsigned long long)meter_stops);
    return 0;
usage:
    fprintf(stderr, "usage: diff_driver [--dispatch NAME] [--bounds guard|explicit] "
                    "[--meter FUEL] FILE.wasm...\n");
    return 2;
}
