/* bench.c: `weft bench`: runs one WASI command in every dispatch strategy
 * built in and both bounds modes, and prints how long each took. */
#include <limits.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

/* One configuration's runs: wall and CPU times in seconds, and the exit
 * status. */
typedef struct bench_row {
    weft_dispatch dispatch;
    weft_bounds bounds;
    double *times, *cpu;
    double best, median, best_cpu;
    int status;
    bool failed;
} bench_row;

static double clock_seconds(clockid_t clock)
{
    struct timespec t;
    clock_gettime(clock, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* Runs the module once in `row`'s configuration with the guest's output
 * on `sink`, timing instantiation and the run (lowering, which happens on
 * a function's first call, included). Returns the wall time, with the CPU
 * time of this thread (the guest runs on it) in *cpu, or a negative
 * number after saying on stderr what failed. */
static double run_once(const cli_options *o, const weft_module *mod, bench_row *row,
                       int argc, char **argv, int sink, double *cpu)
{
    weft_config config = o->config;
    config.dispatch = row->dispatch;
    config.bounds = row->bounds;
    weft_engine *engine = NULL;
    weft_wasi *wasi = NULL;
    weft_instance *inst;
    weft_error err;
    double t = -1;
    int32_t code;
    if (weft_engine_new(&config, &engine, &err)) {
        cli_report("engine", &err);
        return -1;
    }
    if (weft_wasi_new(engine, &wasi) || weft_wasi_set_stdio(wasi, sink, sink, sink) ||
        cli_setup_wasi(wasi, o, argc, argv))
        goto out;
    double start = clock_seconds(CLOCK_MONOTONIC);
    double start_cpu = clock_seconds(CLOCK_THREAD_CPUTIME_ID);
    if (weft_instantiate(engine, mod, weft_wasi_resolver, wasi, &inst, &err)) {
        cli_report(argv[0], &err);
        goto out;
    }
    if (weft_wasi_run(wasi, inst, &code, &err)) {
        cli_report(argv[0], &err);
        goto out;
    }
    t = clock_seconds(CLOCK_MONOTONIC) - start;
    *cpu = clock_seconds(CLOCK_THREAD_CPUTIME_ID) - start_cpu;
    row->status = code & 0xff;
out:
    weft_wasi_free(wasi);
    weft_engine_free(engine);
    return t;
}

static int by_time(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Prints the table: one row per configuration, times in milliseconds and
 * against the fastest. The ratio is of CPU times, which other processes
 * on a busy machine disturb far less than wall times. */
static void print_table(const char *path, const bench_row *rows, int n, unsigned runs)
{
    double fastest = 0;
    for (int k = 0; k < n; k++)
        if (!rows[k].failed && (fastest == 0 || rows[k].best_cpu < fastest))
            fastest = rows[k].best_cpu;
    printf("%s: %u run%s of each configuration, guest output discarded\n", path, runs,
           runs == 1 ? "" : "s");
    printf("wall: best and median; cpu: best; vs best: cpu against the fastest\n\n");
    printf("%-10s %-9s %11s %11s %11s %8s %5s\n", "dispatch", "bounds", "wall ms", "median ms",
           "cpu ms", "vs best", "exit");
    for (int k = 0; k < n; k++) {
        const bench_row *r = &rows[k];
        const char *bounds = r->bounds == WEFT_BOUNDS_GUARD ? "guard" : "explicit";
        if (r->failed) {
            printf("%-10s %-9s %12s\n", weft_dispatch_name(r->dispatch), bounds, "failed");
            continue;
        }
        printf("%-10s %-9s %11.2f %11.2f %11.2f %7.2fx %5d\n", weft_dispatch_name(r->dispatch),
               bounds, r->best * 1e3, r->median * 1e3, r->best_cpu * 1e3,
               fastest > 0 ? r->best_cpu / fastest : 1.0, r->status);
    }
    for (int d = WEFT_DISPATCH_DIRECT; d <= WEFT_DISPATCH_TAIL; d++)
        if (!weft_dispatch_available((weft_dispatch)d))
            printf("(%s: not in this build)\n", weft_dispatch_name((weft_dispatch)d));
}

int cli_bench(int argc, char **argv)
{
    cli_options o;
    int status;
    int i = cli_command_options("bench", argc, argv, &o, 1, INT_MAX, &status);
    if (i < 0)
        return status;
    status = USAGE_EXIT_STATUS;
    const char *path = argv[i];
    if (i + 1 < argc && !strcmp(argv[i + 1], "--")) {
        argv[i + 1] = argv[i];
        i++;
    }
    weft_module *mod;
    weft_error err;
    if (weft_module_load_file_with(path, &o.features, &mod, &err)) {
        status = cli_report(path, &err);
        goto done;
    }
    int sink = open("/dev/null", O_RDWR | O_CLOEXEC);
    bench_row rows[8];
    int n = 0;
    for (int d = WEFT_DISPATCH_DIRECT; d <= WEFT_DISPATCH_TAIL; d++)
        for (int b = WEFT_BOUNDS_GUARD; b <= WEFT_BOUNDS_EXPLICIT; b++)
            if (weft_dispatch_available((weft_dispatch)d))
                rows[n++] = (bench_row){ .dispatch = (weft_dispatch)d, .bounds = (weft_bounds)b };
    bool ready = sink >= 0;
    for (int k = 0; k < n && ready; k++)
        if (!(rows[k].times = calloc(o.runs, sizeof *rows[k].times)) ||
            !(rows[k].cpu = calloc(o.runs, sizeof *rows[k].cpu)))
            ready = false;
    status = ready ? 0 : 1;
    /* Round-robin over the configurations, so a change in the machine's
     * load during the bench touches them all alike. A configuration that
     * fails once is left out from then on; the others run on. */
    for (unsigned run = 0; run < o.runs && ready; run++) {
        for (int k = 0; k < n; k++) {
            if (rows[k].failed)
                continue;
            double t = run_once(&o, mod, &rows[k], argc - i, argv + i, sink,
                                &rows[k].cpu[run]);
            if (t < 0) {
                rows[k].failed = true;
                status = 1;
            }
            rows[k].times[run] = t;
        }
    }
    if (ready) {
        for (int k = 0; k < n; k++) {
            if (rows[k].failed || !rows[k].times)
                continue;
            qsort(rows[k].times, o.runs, sizeof *rows[k].times, by_time);
            rows[k].best = rows[k].times[0];
            rows[k].median = rows[k].times[o.runs / 2];
            qsort(rows[k].cpu, o.runs, sizeof *rows[k].cpu, by_time);
            rows[k].best_cpu = rows[k].cpu[0];
        }
        print_table(path, rows, n, o.runs);
        for (int k = 1; k < n; k++)
            if (!rows[k].failed && !rows[0].failed && rows[k].status != rows[0].status) {
                fprintf(stderr, "weft: the exit status differs between configurations\n");
                status = 1;
                break;
            }
    }
    if (sink < 0)
        fprintf(stderr, "weft: cannot open /dev/null\n");
    else if (!ready)
        fprintf(stderr, "weft: out of memory\n");
    for (int k = 0; k < n; k++) {
        free(rows[k].times);
        free(rows[k].cpu);
    }
    if (sink >= 0)
        close(sink);
    weft_module_free(mod);
done:
    cli_options_free(&o);
    return status;
}
