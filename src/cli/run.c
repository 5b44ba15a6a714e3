/* run.c: `weft run`: a WASI command's _start, or one export with
 * --invoke; the --timeout watchdog and the --profile sampler. */
#include <limits.h>
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"

/* ---- Argument values -------------------------------------------------------------- */

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
    case WEFT_EXTERNREF:
    case WEFT_EXNREF:
    case WEFT_ANYREF: printf(v->of.ref ? "ref\n" : "null\n"); break;
    }
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

/* ---- Interrupting threads: the --timeout watchdog and the --profile ticker ---- */

/* A thread that interrupts the engine: once when the deadline passes (the
 * watchdog), or every `period` until stopped (the profiler's ticker). A
 * thread rather than a signal, so no system call of the guest's is cut
 * short by EINTR. */
typedef struct ticker {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    struct timespec deadline;  /* On CLOCK_MONOTONIC. */
    double period;             /* Seconds between ticks; 0 for a one-shot watchdog. */
    bool done;
    atomic_bool fired;         /* The watchdog's deadline passed. */
    weft_engine *engine;
} ticker;

static void add_seconds(struct timespec *t, double seconds)
{
    double whole = (double)(long long)seconds;  /* Positive, so this rounds down. */
    t->tv_sec += (time_t)whole;
    t->tv_nsec += (long)((seconds - whole) * 1e9);
    if (t->tv_nsec >= 1000000000L) {
        t->tv_sec++;
        t->tv_nsec -= 1000000000L;
    }
}

static void *ticker_main(void *arg)
{
    ticker *t = arg;
    pthread_mutex_lock(&t->lock);
    while (!t->done) {
        if (pthread_cond_timedwait(&t->cond, &t->lock, &t->deadline) != ETIMEDOUT || t->done)
            continue;
        if (t->period == 0) {
            atomic_store(&t->fired, true);
            weft_engine_interrupt(t->engine);
            break;
        }
        weft_engine_interrupt(t->engine);
        /* The next tick a period from now, not from the missed deadline:
         * a ticker that fell behind (a loaded machine) does not burst to
         * catch up, since interrupts the guest has not yet seen merge. */
        clock_gettime(CLOCK_MONOTONIC, &t->deadline);
        add_seconds(&t->deadline, t->period);
    }
    pthread_mutex_unlock(&t->lock);
    return NULL;
}

/* Starts a ticker that first fires after `first` seconds, then every
 * `period` (0: only once). */
static bool ticker_start(ticker *t, weft_engine *engine, double first, double period)
{
    pthread_condattr_t attr;
    t->done = false;
    t->period = period;
    atomic_init(&t->fired, false);
    t->engine = engine;
    clock_gettime(CLOCK_MONOTONIC, &t->deadline);
    add_seconds(&t->deadline, first);
    pthread_mutex_init(&t->lock, NULL);
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&t->cond, &attr);
    pthread_condattr_destroy(&attr);
    return pthread_create(&t->thread, NULL, ticker_main, t) == 0;
}

static void ticker_stop(ticker *t)
{
    pthread_mutex_lock(&t->lock);
    t->done = true;
    pthread_cond_signal(&t->cond);
    pthread_mutex_unlock(&t->lock);
    pthread_join(t->thread, NULL);
    pthread_cond_destroy(&t->cond);
    pthread_mutex_destroy(&t->lock);
}

/* ---- --profile -------------------------------------------------------------------- */

/* The profiler's period: a sample about every millisecond. */
#define PROFILE_PERIOD 0.001

/* Samples per function: where the guest was (self) and every function
 * active then (total). */
typedef struct profile {
    const weft_module *mod;
    uint64_t *self, *total;
    uint64_t samples;
    uint32_t nfuncs;
} profile;

/* Takes one sample from the stop an interrupt caused: the backtrace of
 * the stopped call, innermost first. A recursive function counts once
 * in its total. */
static void profile_sample(profile *p, const weft_engine *engine)
{
    weft_frame frames[32];
    size_t n = weft_engine_backtrace(engine, frames, 32);
    if (n > 32)
        n = 32;
    if (n == 0 || frames[0].func >= p->nfuncs)
        return;
    p->samples++;
    p->self[frames[0].func]++;
    for (size_t i = 0; i < n; i++) {
        size_t j = 0;
        while (j < i && frames[j].func != frames[i].func)
            j++;
        if (j == i && frames[i].func < p->nfuncs)
            p->total[frames[i].func]++;
    }
}

static const profile *sort_profile;

static int by_self(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    uint64_t sx = sort_profile->self[x], sy = sort_profile->self[y];
    if (sx != sy)
        return sx < sy ? 1 : -1;
    uint64_t tx = sort_profile->total[x], ty = sort_profile->total[y];
    if (tx != ty)
        return tx < ty ? 1 : -1;
    return x < y ? -1 : x > y;
}

/* The rows the table shows at most. */
#define PROFILE_ROWS 30

/* Prints the profile to stderr, functions by their self samples. */
static void profile_print(const profile *p, double seconds)
{
    uint32_t *order = calloc(p->nfuncs + 1, sizeof *order), n = 0;
    if (!order)
        return;
    for (uint32_t f = 0; f < p->nfuncs; f++)
        if (p->total[f])
            order[n++] = f;
    sort_profile = p;
    qsort(order, n, sizeof *order, by_self);
    fprintf(stderr, "\nweft profile: %" PRIu64 " samples in %.3f s of wall time (at most one "
                    "every %g ms)\n", p->samples, seconds, PROFILE_PERIOD * 1e3);
    fprintf(stderr, "%8s %7s %8s %7s  %s\n", "self", "self%", "total", "total%", "function");
    double all = p->samples ? (double)p->samples : 1;
    for (uint32_t i = 0; i < n && i < PROFILE_ROWS; i++) {
        uint32_t f = order[i];
        const char *name = weft_module_func_name(p->mod, f);
        fprintf(stderr, "%8" PRIu64 " %6.1f%% %8" PRIu64 " %6.1f%%  func %u%s%s\n", p->self[f],
                100.0 * (double)p->self[f] / all, p->total[f], 100.0 * (double)p->total[f] / all,
                f, name ? " " : "", name ? name : "");
    }
    if (n > PROFILE_ROWS)
        fprintf(stderr, "(%u more functions with samples)\n", n - PROFILE_ROWS);
    free(order);
}

/* ---- Running -------------------------------------------------------------------------- */

/* What one run needs besides its options. */
typedef struct run_state {
    const cli_options *o;
    weft_engine *engine;
    weft_wasi *wasi;
    ticker dog, tick;
    bool watching, ticking;
    profile prof;
} run_state;

/* When `err` says the guest was stopped by --timeout or --fuel: says so
 * on stderr and gives the exit status; otherwise -1. */
static int stop_status(const run_state *r, const weft_error *err)
{
    if (err->status == WEFT_ERR_INTERRUPTED) {
        fprintf(stderr, "weft: timed out after %g s\n", r->o->timeout);
        return TIMEOUT_EXIT_STATUS;
    }
    if (err->status == WEFT_ERR_FUEL) {
        fprintf(stderr, "weft: out of fuel\n");
        return FUEL_EXIT_STATUS;
    }
    return -1;
}

/* Continues a call that the profiler's ticker stopped, sampling at each
 * stop, until it ends some other way (or the watchdog's deadline passed). */
static weft_status profile_resume(run_state *r, weft_status s, weft_value *results,
                                  size_t nresults, weft_error *err)
{
    while (r->ticking && s == WEFT_ERR_INTERRUPTED &&
           !(r->watching && atomic_load(&r->dog.fired))) {
        profile_sample(&r->prof, r->engine);
        s = weft_resume(r->engine, results, nresults, err);
    }
    return s;
}

/* Calls the export named by --invoke with arguments parsed from text and
 * prints its results. */
static int invoke_export(run_state *r, weft_instance *inst, const char *path, int argc,
                         char **argv)
{
    const char *invoke = r->o->invoke;
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
    if (!status && weft_wasi_bind(r->wasi, inst, &err))
        status = cli_report(path, &err);
    if (!status) {
        int32_t code;
        weft_status s = weft_call(r->engine, fn, args, np, results, nr, &err);
        if ((s = profile_resume(r, s, results, nr, &err))) {
            if (weft_wasi_exited(r->wasi, &code)) {
                status = code & 0xff;
            } else if ((status = stop_status(r, &err)) < 0) {
                status = cli_report(invoke, &err);
                print_backtrace(r->engine);
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

/* Runs a WASI command's entry point. */
static int run_command(run_state *r, weft_instance *inst, const char *path)
{
    int32_t code;
    weft_error err;
    weft_status s = weft_wasi_run(r->wasi, inst, &code, &err);
    if (s == WEFT_ERR_INTERRUPTED && r->ticking) {
        s = profile_resume(r, s, NULL, 0, &err);
        /* proc_exit unwinds as a trap, which weft_wasi_run would have
         * turned into an exit code had it not been interrupted first. */
        if (s == WEFT_ERR_TRAP && weft_wasi_exited(r->wasi, &code))
            s = WEFT_OK;
        else if (!s)
            code = 0;
    }
    if (!s)
        return code & 0xff;
    int status = stop_status(r, &err);
    if (status >= 0)
        return status;
    if (err.status == WEFT_ERR_EXCEPTION) {
        /* The message says it all: "uncaught exception (tag N)". */
        fprintf(stderr, "weft: %s: %s\n", path, err.message);
        print_backtrace(r->engine);
        return TRAP_EXIT_STATUS;
    }
    cli_report(path, &err);
    if (err.status == WEFT_ERR_TRAP)
        print_backtrace(r->engine);
    return err.status == WEFT_ERR_TRAP ? TRAP_EXIT_STATUS : 1;
}

static double now_seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

int cli_run(int argc, char **argv)
{
    cli_options o;
    int status;
    int i = cli_command_options("run", argc, argv, &o, 1, INT_MAX, &status);
    if (i < 0)
        return status;
    status = USAGE_EXIT_STATUS;
    const char *path = argv[i];
    /* A guest writing to a closed pipe gets errno pipe, as a native
     * program that ignores SIGPIPE would, instead of killing weft. */
    signal(SIGPIPE, SIG_IGN);
    /* A "--" right after FILE separates the guest's arguments. */
    int first = i + 1;
    if (first < argc && !strcmp(argv[first], "--")) {
        argv[first] = argv[i];
        i = first++;
    }
    if (o.profile)
        o.config.interruptible = true;

    weft_error err;
    weft_module *mod = NULL;
    weft_instance *inst = NULL;
    run_state r = { .o = &o };
    status = 1;
    if (weft_module_load_file_with(path, &o.features, &mod, &err)) {
        status = cli_report(path, &err);
        goto out;
    }
    if (weft_engine_new(&o.config, &r.engine, &err)) {
        status = cli_report("engine", &err);
        goto out;
    }
    if (weft_wasi_new(r.engine, &r.wasi)) {
        fprintf(stderr, "weft: out of memory\n");
        goto out;
    }
    /* The guest's argv[0] is the module's path. */
    if ((status = cli_setup_wasi(r.wasi, &o, o.invoke ? 1 : argc - i, argv + i)))
        goto out;
    status = 1;
    /* The watchdog covers the start function as well as the call. */
    if (o.timeout > 0 && !(r.watching = ticker_start(&r.dog, r.engine, o.timeout, 0))) {
        fprintf(stderr, "weft: cannot start the --timeout thread\n");
        goto out;
    }
    if (weft_instantiate(r.engine, mod, weft_wasi_resolver, r.wasi, &inst, &err)) {
        if ((status = stop_status(&r, &err)) < 0)
            status = cli_report(path, &err);
        goto out;
    }
    double start = now_seconds();
    if (o.profile) {
        r.prof.mod = mod;
        r.prof.nfuncs = weft_module_func_count(mod);
        r.prof.self = calloc(r.prof.nfuncs + 1, sizeof *r.prof.self);
        r.prof.total = calloc(r.prof.nfuncs + 1, sizeof *r.prof.total);
        if (!r.prof.self || !r.prof.total ||
            !(r.ticking = ticker_start(&r.tick, r.engine, PROFILE_PERIOD, PROFILE_PERIOD))) {
            fprintf(stderr, "weft: cannot start the --profile thread\n");
            goto out;
        }
    }
    if (o.invoke)
        status = invoke_export(&r, inst, path, argc - first, argv + first);
    else
        status = run_command(&r, inst, path);
    if (r.ticking) {
        ticker_stop(&r.tick);
        r.ticking = false;
        fflush(stdout);
        profile_print(&r.prof, now_seconds() - start);
    }
out:
    if (r.ticking)
        ticker_stop(&r.tick);
    if (r.watching)
        ticker_stop(&r.dog);
    fflush(stdout);
    free(r.prof.self);
    free(r.prof.total);
    weft_wasi_free(r.wasi);
    weft_engine_free(r.engine);
    weft_module_free(mod);
    cli_options_free(&o);
    return status;
}
