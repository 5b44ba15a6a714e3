/* bench.h: the entry points and helpers shared by every benchmark program. */
#ifndef WEFT_BENCH_H
#define WEFT_BENCH_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Every program defines its kernel: work proportional to `scale`, returning a
 * checksum that must be the same on every runtime. BENCH_SCALE (the default
 * size) and BENCH_QUICK (the small size for correctness runs) are defined by
 * the program before including this header. */
static uint32_t kernel(int scale);

/* A small deterministic generator, so inputs are identical everywhere. */
static inline uint32_t bench_rand(uint32_t *state)
{
    *state = *state * 1664525u + 1013904223u;
    return *state ^ (*state >> 15);
}

/* Folds a value into a running checksum (order-sensitive). */
static inline uint32_t bench_mix(uint32_t h, uint32_t v)
{
    h ^= v + 0x9e3779b9u + (h << 6) + (h >> 2);
    return h;
}

/* The scale is read through a volatile so the compiler cannot evaluate a
 * kernel at build time from a constant argument. */
static volatile int bench_scale_default = BENCH_SCALE;
static volatile int bench_scale_quick = BENCH_QUICK;

#ifdef BENCH_IMPORT_FREE
/* The import-free build: no stdio, no WASI; the host calls run() (default
 * size) or run_quick() (small size) and reads the checksum it returns. */
__attribute__((export_name("run"))) uint32_t run(void)
{
    return kernel(bench_scale_default);
}

__attribute__((export_name("run_quick"))) uint32_t run_quick(void)
{
    return kernel(bench_scale_quick);
}
#else
#include <stdio.h>

/* The WASI and native build: `prog [--quick | SCALE]` prints the checksum. */
int main(int argc, char **argv)
{
    int scale = bench_scale_default;
    if (argc > 1) {
        if (strcmp(argv[1], "--quick") == 0)
            scale = bench_scale_quick;
        else
            scale = atoi(argv[1]);
    }
    if (scale <= 0) {
        fprintf(stderr, "usage: %s [--quick | SCALE]\n", argv[0]);
        return 2;
    }
    printf("checksum: %u\n", (unsigned)kernel(scale));
    return 0;
}
#endif

#endif
