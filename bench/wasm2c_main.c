/* wasm2c_main.c: runs a benchmark's import-free module translated by wabt's
 * wasm2c: `prog [--quick]` prints the checksum like the native build. The
 * module name arrives as BENCH_MODULE and its header through -include. */
#include <stdio.h>
#include <string.h>

#include "wasm-rt.h"

#define PASTE3(a, b, c) a##b##c
#define SYMBOL(prefix, mod, suffix) PASTE3(prefix, mod, suffix)
#define INSTANCE_T SYMBOL(Z_, BENCH_MODULE, _instance_t)
#define INIT_MODULE SYMBOL(Z_, BENCH_MODULE, _init_module)
#define INSTANTIATE SYMBOL(Z_, BENCH_MODULE, _instantiate)
#define FREE_INSTANCE SYMBOL(Z_, BENCH_MODULE, _free)
#define RUN SYMBOL(Z_, BENCH_MODULE, Z_run)
#define RUN_QUICK SYMBOL(Z_, BENCH_MODULE, Z_run_quick)

int main(int argc, char **argv)
{
    int quick = argc > 1 && strcmp(argv[1], "--quick") == 0;
    INSTANCE_T instance;
    wasm_rt_init();
    INIT_MODULE();
    INSTANTIATE(&instance);
    unsigned sum = quick ? RUN_QUICK(&instance) : RUN(&instance);
    printf("checksum: %u\n", sum);
    FREE_INSTANCE(&instance);
    wasm_rt_free();
    return 0;
}
