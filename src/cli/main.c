/* main.c: the `weft` command line: validate, run (WASI commands and --invoke)
 * and ir. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "weft.h"

static const char usage_text[] =
    "usage: weft COMMAND [OPTIONS] FILE.wasm [ARGS...]\n"
    "\n"
    "commands:\n"
    "  validate FILE.wasm          decode and validate a module: silent with exit 0\n"
    "                              when valid; the error on stderr and exit 1 when\n"
    "                              not; exit 2 when the file cannot be read\n"
    "  run --invoke NAME FILE.wasm [ARGS...]\n"
    "                              call the exported function NAME with ARGS (one per\n"
    "                              parameter) and print its results, one a line\n"
    "  ir FILE.wasm [FUNC]         print the register IR of every defined function,\n"
    "                              or of FUNC (an index, an export or a name)\n"
    "  help                        print this text\n"
    "\n"
    "options of run:\n"
    "  --invoke NAME               the export to call instead of _start\n"
    "  --dir HOST[::GUEST]         let the guest use directory HOST, under the name\n"
    "                              GUEST (default HOST); may be repeated\n"
    "  --env KEY=VALUE             set an environment variable for the guest\n"
    "  --dispatch direct|indirect|switch|tail\n"
    "                              the interpreter's dispatch strategy (default direct)\n"
    "  --bounds guard|explicit     memory bounds by guard pages (default) or by a\n"
    "                              check on every access\n"
    "  --max-memory-pages N        no memory may have more than N 64 KiB pages\n"
    "                              (default 65536): a larger minimum fails to\n"
    "                              instantiate, memory.grow past N returns -1\n"
    "  --max-table-elems N         the same for table elements (default 10000000)\n"
    "  --max-total-memory BYTES    all linear memory of the instance together\n"
    "                              (default 4294967296); --max-total-table-elems N\n"
    "                              the same for tables (default 10000000)\n"
    "  --max-memories N, --max-tables N\n"
    "                              memories and tables a module may have (default 100)\n"
    "  --max-module-bytes N        refuse a larger module file (default 1073741824)\n"
    "  --max-call-depth N          nested calls before \"call stack exhausted\"\n"
    "                              (default 100000)\n"
    "  --max-stack-slots N         8-byte value-stack slots before \"call stack\n"
    "                              exhausted\" (default 16777216)\n"
    "  --fuel N                    stop after about N WebAssembly instructions\n"
    "                              (charged per call and loop iteration, ahead)\n"
    "  --timeout SECONDS           stop after SECONDS of wall time (fractions allowed)\n"
    "  --                          ends the options\n"
    "\n"
    "exit status: 0 on success; 1 when the module is invalid or fails to link, or\n"
    "an --invoke call traps; 2 on a usage error or a file that cannot be read. A\n"
    "WASI command exits with the code it gave proc_exit (0 when _start returns),\n"
    "or 134 when it traps (the trap's message goes to stderr). 124 when --timeout\n"
    "stopped the guest, 125 when it ran out of --fuel. Guest output goes\n"
    "straight to the file descriptors, so none is lost on exit or trap.\n";

static int usage(FILE *out)
{
    fputs(usage_text, out);
    return out == stderr ? 2 : 0;
}

/* Prints the functions that were active at a trap, innermost first. */
static void print_backtrace(const weft_engine *engine)
{
    weft_frame frames[32];
    size_t n = weft_engine_backtrace(engine, frames, 32);
    if (n == 0)
        return;
    fprintf(stderr, "backtrace:\n");
    for (size_t i = 0; i < n && i < 32; i++)
        fprintf(stderr, "  #%zu  func %u%s%s\n", i, frames[i].func, frames[i].name ? " " : "",
                frames[i].name ? frames[i].name : "");
    if (n > 32)
        fprintf(stderr, "  ... %zu more\n", n - 32);
}

static int report(const char *what, const weft_error *err)
{
    char buf[512];
    fprintf(stderr, "weft: %s: %s: %s\n", what, weft_status_name(err->status),
            weft_error_format(err, buf, sizeof buf));
    return err->status == WEFT_ERR_IO || err->status == WEFT_ERR_ARGUMENT ? 2 : 1;
}

static int cmd_validate(int argc, char **argv)
{
    if (argc != 1)
        return usage(stderr);
    weft_module *mod;
    weft_error err;
    if (weft_module_load_file(argv[0], &mod, &err))
        return report(argv[0], &err);
    weft_module_free(mod);
    return 0;
}

/* Parses one argument of kind `k` from text. */
static bool parse_value(const char *text, weft_valkind k, weft_value *out)
{
    char *end;
    errno = 0;
    out->kind = k;
    switch (k) {
    case WEFT_I32:
    case WEFT_I64: {
        long long v = strtoll(text, &end, 0);
        if (errno == ERANGE) {
            errno = 0;
            v = (long long)strtoull(text, &end, 0);
        }
        if (k == WEFT_I32)
            out->of.i32 = (int32_t)v;
        else
            out->of.i64 = v;
        break;
    }
    case WEFT_F32: out->of.f32 = strtof(text, &end); break;
    case WEFT_F64: out->of.f64 = strtod(text, &end); break;
    default: return false;
    }
    return end != text && *end == '\0' && errno == 0;
}

static void print_value(const weft_value *v)
{
    switch (v->kind) {
    case WEFT_I32: printf("%" PRId32 "\n", v->of.i32); break;
    case WEFT_I64: printf("%" PRId64 "\n", v->of.i64); break;
    case WEFT_F32: printf("%.9g\n", (double)v->of.f32); break;
    case WEFT_F64: printf("%.17g\n", v->of.f64); break;
    case WEFT_V128:
        for (int i = 15; i >= 0; i--)
            printf("%02x", v->of.v128[i]);
        printf("\n");
        break;
    case WEFT_FUNCREF:
    case WEFT_EXTERNREF: printf(v->of.ref ? "ref\n" : "null\n"); break;
    }
}

/* The exit statuses of a guest stopped by --timeout (as timeout(1) has it)
 * and by --fuel. */
#define TIMEOUT_EXIT_STATUS 124
#define FUEL_EXIT_STATUS 125

/* Everything `run` was told on its command line. */
typedef struct run_options {
    weft_config config;
    weft_features features;
    double timeout;            /* Seconds, or 0 for none. */
    const char *invoke;
    const char **dirs;         /* HOST[::GUEST], in order. */
    const char **envs;         /* KEY=VALUE, in order. */
    int ndirs, nenvs;
} run_options;

/* Parses a decimal count of at least `min` and at most `max` for option
 * `name`. */
static bool parse_count(const char *name, const char *value, uint64_t min, uint64_t max,
                        uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(value, &end, 10);
    if (value[0] < '0' || value[0] > '9' || *end || errno || v < min || v > max) {
        fprintf(stderr, "weft: %s wants a whole number from %" PRIu64 " to %" PRIu64
                        ", not '%s'\n", name, min, max, value);
        return false;
    }
    *out = v;
    return true;
}

/* The options that set a limit of the engine, and the most each takes. */
static bool parse_limit(const char *name, const char *value, run_options *o, bool *known)
{
    weft_config *config = &o->config;
    uint64_t v;
    *known = true;
    if (!strcmp(name, "--max-memory-pages")) {
        if (!parse_count(name, value, 0, 65536, &v))
            return false;
        config->max_memory_pages = (uint32_t)v;
    } else if (!strcmp(name, "--max-table-elems")) {
        if (!parse_count(name, value, 0, 10000000, &v))
            return false;
        config->max_table_elems = (uint32_t)v;
    } else if (!strcmp(name, "--max-call-depth")) {
        if (!parse_count(name, value, 1, UINT32_MAX, &v))
            return false;
        config->max_call_depth = (uint32_t)v;
    } else if (!strcmp(name, "--max-stack-slots")) {
        if (!parse_count(name, value, 1, UINT32_MAX, &v))
            return false;
        config->max_stack_slots = (uint32_t)v;
    } else if (!strcmp(name, "--max-total-memory") ||
               !strcmp(name, "--max-total-table-elems")) {
        /* One instance: the engine's total is the instance's. */
        if (!parse_count(name, value, 0, UINT64_MAX, &v))
            return false;
        if (name[12] == 'm')
            config->max_instance_memory_bytes = config->max_engine_memory_bytes = v;
        else
            config->max_instance_table_elems = config->max_engine_table_elems = v;
    } else if (!strcmp(name, "--max-memories") || !strcmp(name, "--max-tables")) {
        if (!parse_count(name, value, 0, UINT32_MAX, &v))
            return false;
        *(name[6] == 'm' ? &config->max_instance_memories : &config->max_instance_tables) =
            (uint32_t)v;
    } else if (!strcmp(name, "--max-module-bytes")) {
        if (!parse_count(name, value, 1, UINT64_MAX, &v))
            return false;
        o->features.max_module_bytes = v;
    } else if (!strcmp(name, "--fuel")) {
        if (!parse_count(name, value, 1, UINT64_MAX, &v))
            return false;
        config->fuel = v;
    } else if (!strcmp(name, "--timeout")) {
        char *end;
        double secs = strtod(value, &end);
        if (end == value || *end || !isfinite(secs) || secs <= 0 || secs > 1e9) {
            fprintf(stderr, "weft: --timeout wants a positive number of seconds, not '%s'\n",
                    value);
            return false;
        }
        o->timeout = secs;
        config->interruptible = true;
    } else {
        *known = false;
    }
    return true;
}

static bool parse_option(const char *name, const char *value, run_options *o)
{
    weft_config *config = &o->config;
    bool known;
    bool ok = parse_limit(name, value, o, &known);
    if (known)
        return ok;
    if (!strcmp(name, "--invoke")) {
        o->invoke = value;
        return true;
    }
    if (!strcmp(name, "--dir")) {
        o->dirs[o->ndirs++] = value;
        return true;
    }
    if (!strcmp(name, "--env")) {
        if (!strchr(value, '=') || value[0] == '=') {
            fprintf(stderr, "weft: --env wants KEY=VALUE, not '%s'\n", value);
            return false;
        }
        o->envs[o->nenvs++] = value;
        return true;
    }
    if (!strcmp(name, "--dispatch")) {
        weft_dispatch d;
        if (!weft_dispatch_parse(value, &d)) {
            fprintf(stderr, "weft: unknown dispatch strategy '%s'\n", value);
            return false;
        }
        if (!weft_dispatch_available(d)) {
            fprintf(stderr, "weft: the %s strategy is not in this build (it needs a compiler "
                            "with guaranteed tail calls, such as clang)\n", value);
            return false;
        }
        config->dispatch = d;
        return true;
    }
    if (!strcmp(name, "--bounds")) {
        if (!strcmp(value, "guard"))
            config->bounds = WEFT_BOUNDS_GUARD;
        else if (!strcmp(value, "explicit"))
            config->bounds = WEFT_BOUNDS_EXPLICIT;
        else {
            fprintf(stderr, "weft: unknown bounds mode '%s' (guard or explicit)\n", value);
            return false;
        }
        return true;
    }
    fprintf(stderr, "weft: unknown option '%s'\n", name);
    return false;
}

/* Reads run's options up to FILE; returns the index of FILE, or -1 after
 * printing why the options are wrong. */
static int parse_run_options(int argc, char **argv, run_options *o)
{
    int i = 0;
    while (i < argc && argv[i][0] == '-' && argv[i][1] == '-') {
        if (!strcmp(argv[i], "--")) {
            i++;
            break;
        }
        const char *name = argv[i], *value = strchr(name, '=');
        char buf[64];
        if (value) {
            size_t n = (size_t)(value - name);
            if (n >= sizeof buf)
                n = sizeof buf - 1;
            memcpy(buf, name, n);
            buf[n] = '\0';
            name = buf;
            value++;
        } else if (i + 1 < argc) {
            value = argv[++i];
        } else {
            fprintf(stderr, "weft: option %s needs a value\n", name);
            return -1;
        }
        if (!parse_option(name, value, o))
            return -1;
        i++;
    }
    if (i >= argc) {
        usage(stderr);
        return -1;
    }
    return i;
}

/* Sets up the WASI context: arguments (argv[0] is the module's path),
 * environment and preopened directories. */
static int setup_wasi(weft_wasi *wasi, const run_options *o, const char *path, int argc,
                      char **argv)
{
    const char **args = calloc((size_t)argc + 1, sizeof *args);
    if (!args) {
        fprintf(stderr, "weft: out of memory\n");
        return 1;
    }
    args[0] = path;
    for (int k = 0; k < argc; k++)
        args[k + 1] = argv[k];
    weft_status s = weft_wasi_set_args(wasi, (size_t)argc + 1, args);
    free(args);
    for (int k = 0; k < o->nenvs && !s; k++)
        s = weft_wasi_add_env(wasi, o->envs[k]);
    if (s) {
        fprintf(stderr, "weft: out of memory\n");
        return 1;
    }
    for (int k = 0; k < o->ndirs; k++) {
        /* HOST::GUEST, or HOST alone for the same name in the guest. */
        const char *spec = o->dirs[k], *sep = strstr(spec, "::");
        char *host = sep ? strndup(spec, (size_t)(sep - spec)) : strdup(spec);
        weft_error err;
        if (!host) {
            fprintf(stderr, "weft: out of memory\n");
            return 1;
        }
        s = weft_wasi_preopen(wasi, host, sep ? sep + 2 : spec, &err);
        free(host);
        if (s)
            return report("--dir", &err);
    }
    return 0;
}

/* ---- --timeout: a watchdog thread ---------------------------------------------- */

/* Interrupts the engine when the deadline passes, unless it is stopped
 * first. A thread rather than a signal, so no system call of the guest's
 * is cut short by EINTR. */
typedef struct watchdog {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    struct timespec deadline;  /* On CLOCK_MONOTONIC. */
    bool done;
    weft_engine *engine;
} watchdog;

static void *watchdog_main(void *arg)
{
    watchdog *w = arg;
    pthread_mutex_lock(&w->lock);
    while (!w->done) {
        if (pthread_cond_timedwait(&w->cond, &w->lock, &w->deadline) == ETIMEDOUT) {
            if (!w->done)
                weft_engine_interrupt(w->engine);
            break;
        }
    }
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

static bool watchdog_start(watchdog *w, weft_engine *engine, double seconds)
{
    pthread_condattr_t attr;
    w->done = false;
    w->engine = engine;
    clock_gettime(CLOCK_MONOTONIC, &w->deadline);
    double whole = (double)(long long)seconds;  /* Positive, so this rounds down. */
    w->deadline.tv_sec += (time_t)whole;
    w->deadline.tv_nsec += (long)((seconds - whole) * 1e9);
    if (w->deadline.tv_nsec >= 1000000000L) {
        w->deadline.tv_sec++;
        w->deadline.tv_nsec -= 1000000000L;
    }
    pthread_mutex_init(&w->lock, NULL);
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&w->cond, &attr);
    pthread_condattr_destroy(&attr);
    return pthread_create(&w->thread, NULL, watchdog_main, w) == 0;
}

static void watchdog_stop(watchdog *w)
{
    pthread_mutex_lock(&w->lock);
    w->done = true;
    pthread_cond_signal(&w->cond);
    pthread_mutex_unlock(&w->lock);
    pthread_join(w->thread, NULL);
    pthread_cond_destroy(&w->cond);
    pthread_mutex_destroy(&w->lock);
}

/* When `err` says the guest was stopped by --timeout or --fuel: says so
 * on stderr and gives the exit status; otherwise -1. */
static int stop_status(const run_options *o, const weft_error *err)
{
    if (err->status == WEFT_ERR_INTERRUPTED) {
        fprintf(stderr, "weft: timed out after %g s\n", o->timeout);
        return TIMEOUT_EXIT_STATUS;
    }
    if (err->status == WEFT_ERR_FUEL) {
        fprintf(stderr, "weft: out of fuel\n");
        return FUEL_EXIT_STATUS;
    }
    return -1;
}

/* Calls the export named by --invoke with arguments parsed from text and
 * prints its results. */
static int invoke_export(weft_engine *engine, weft_instance *inst, weft_wasi *wasi,
                         const char *path, const run_options *o, int argc, char **argv)
{
    const char *invoke = o->invoke;
    weft_extern ext;
    weft_error err;
    if (!weft_instance_export(inst, invoke, strlen(invoke), &ext) ||
        ext.kind != WEFT_EXTERN_FUNC) {
        fprintf(stderr, "weft: %s: no exported function '%s'\n", path, invoke);
        return 2;
    }
    weft_func *fn = ext.of.func;
    uint32_t np = weft_func_param_count(fn), nr = weft_func_result_count(fn);
    if ((uint32_t)argc != np) {
        fprintf(stderr, "weft: %s takes %u argument%s, %d given\n", invoke, np,
                np == 1 ? "" : "s", argc);
        return 2;
    }
    weft_value *args = calloc(np + 1, sizeof *args), *results = calloc(nr + 1, sizeof *results);
    int status = 0;
    if (!args || !results) {
        fprintf(stderr, "weft: out of memory\n");
        status = 1;
    }
    for (uint32_t k = 0; k < np && !status; k++) {
        if (!parse_value(argv[k], weft_func_param_kind(fn, k), &args[k])) {
            fprintf(stderr, "weft: argument %u ('%s') is not a valid value of its type\n", k + 1,
                    argv[k]);
            status = 2;
        }
    }
    if (!status && weft_wasi_bind(wasi, inst, &err))
        status = report(path, &err);
    if (!status) {
        int32_t code;
        if (weft_call(engine, fn, args, np, results, nr, &err)) {
            if (weft_wasi_exited(wasi, &code)) {
                status = code & 0xff;
            } else if ((status = stop_status(o, &err)) < 0) {
                status = report(invoke, &err);
                print_backtrace(engine);
            }
        } else {
            for (uint32_t k = 0; k < nr; k++)
                print_value(&results[k]);
        }
    }
    free(args);
    free(results);
    return status;
}

/* The exit status of a WASI command that trapped, as a shell shows a
 * process killed by SIGABRT. */
#define TRAP_EXIT_STATUS 134

static int cmd_run(int argc, char **argv)
{
    run_options o = { .invoke = NULL };
    weft_config_init(&o.config);
    weft_features_init(&o.features);
    o.dirs = calloc((size_t)argc + 1, sizeof *o.dirs);
    o.envs = calloc((size_t)argc + 1, sizeof *o.envs);
    if (!o.dirs || !o.envs) {
        free(o.dirs);
        free(o.envs);
        fprintf(stderr, "weft: out of memory\n");
        return 1;
    }
    int status = 2;
    int i = parse_run_options(argc, argv, &o);
    if (i < 0)
        goto done;
    const char *path = argv[i++];
    /* A guest writing to a closed pipe gets errno pipe, as a native
     * program that ignores SIGPIPE would, instead of killing weft. */
    signal(SIGPIPE, SIG_IGN);
    /* A "--" right after FILE separates the guest's arguments. */
    if (i < argc && !strcmp(argv[i], "--"))
        i++;

    weft_error err;
    weft_module *mod = NULL;
    weft_engine *engine = NULL;
    weft_instance *inst = NULL;
    weft_wasi *wasi = NULL;
    watchdog dog;
    bool watching = false;
    status = 1;
    if (weft_module_load_file_with(path, &o.features, &mod, &err)) {
        status = report(path, &err);
        goto out;
    }
    if (weft_engine_new(&o.config, &engine, &err)) {
        status = report("engine", &err);
        goto out;
    }
    if (weft_wasi_new(engine, &wasi)) {
        fprintf(stderr, "weft: out of memory\n");
        goto out;
    }
    if ((status = setup_wasi(wasi, &o, path, o.invoke ? 0 : argc - i, argv + i)))
        goto out;
    status = 1;
    /* The watchdog covers the start function as well as the call. */
    if (o.timeout > 0 && !(watching = watchdog_start(&dog, engine, o.timeout))) {
        fprintf(stderr, "weft: cannot start the --timeout thread\n");
        goto out;
    }
    if (weft_instantiate(engine, mod, weft_wasi_resolver, wasi, &inst, &err)) {
        if ((status = stop_status(&o, &err)) < 0)
            status = report(path, &err);
        goto out;
    }
    if (o.invoke) {
        status = invoke_export(engine, inst, wasi, path, &o, argc - i, argv + i);
        goto out;
    }
    int32_t code;
    if (weft_wasi_run(wasi, inst, &code, &err)) {
        if ((status = stop_status(&o, &err)) >= 0)
            goto out;
        report(path, &err);
        if (err.status == WEFT_ERR_TRAP)
            print_backtrace(engine);
        status = err.status == WEFT_ERR_TRAP ? TRAP_EXIT_STATUS : 1;
    } else {
        status = code & 0xff;
    }
out:
    if (watching)
        watchdog_stop(&dog);
    fflush(stdout);
    weft_wasi_free(wasi);
    weft_engine_free(engine);
    weft_module_free(mod);
done:
    free(o.dirs);
    free(o.envs);
    return status;
}

/* Finds FUNC given as an index, an export name or a name-section name. */
static bool find_func(const weft_module *mod, const char *spec, uint32_t *out)
{
    char *end;
    unsigned long v = strtoul(spec, &end, 10);
    if (*spec && !*end && v < weft_module_func_count(mod)) {
        *out = (uint32_t)v;
        return true;
    }
    if (weft_module_export_func(mod, spec, out))
        return true;
    for (uint32_t i = 0; i < weft_module_func_count(mod); i++) {
        const char *name = weft_module_func_name(mod, i);
        if (name && !strcmp(name, spec)) {
            *out = i;
            return true;
        }
    }
    return false;
}

static int cmd_ir(int argc, char **argv)
{
    if (argc < 1 || argc > 2)
        return usage(stderr);
    weft_module *mod;
    weft_error err;
    if (weft_module_load_file(argv[0], &mod, &err))
        return report(argv[0], &err);
    int status = 0;
    uint32_t first = 0, last = weft_module_func_count(mod);
    if (argc == 2) {
        if (!find_func(mod, argv[1], &first)) {
            fprintf(stderr, "weft: %s: no function '%s'\n", argv[0], argv[1]);
            weft_module_free(mod);
            return 2;
        }
        last = first + 1;
    }
    for (uint32_t f = first; f < last; f++) {
        const char *name = weft_module_func_name(mod, f);
        weft_error e;
        if (argc == 1 && weft_module_dump_ir(mod, f, NULL, &e) == WEFT_ERR_ARGUMENT)
            continue; /* Imported: nothing to show. */
        printf("func %u%s%s:\n", f, name ? " " : "", name ? name : "");
        if (weft_module_dump_ir(mod, f, stdout, &err))
            status = report(argv[0], &err);
    }
    weft_module_free(mod);
    return status;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return usage(stderr);
    const char *cmd = argv[1];
    if (!strcmp(cmd, "validate"))
        return cmd_validate(argc - 2, argv + 2);
    if (!strcmp(cmd, "run"))
        return cmd_run(argc - 2, argv + 2);
    if (!strcmp(cmd, "ir"))
        return cmd_ir(argc - 2, argv + 2);
    if (!strcmp(cmd, "help") || !strcmp(cmd, "--help") || !strcmp(cmd, "-h"))
        return usage(stdout);
    fprintf(stderr, "weft: unknown command '%s'\n", cmd);
    return usage(stderr);
}
