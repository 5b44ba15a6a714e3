/* hot.c: a compute-bound WASI command whose time is mostly in one function,
 * for the CLI tests of --profile and bench: hot_loop does about ten times
 * the work of cool_loop. The first argument scales the run. */
#include <stdio.h>
#include <stdlib.h>

static volatile unsigned sink;

__attribute__((noinline)) static unsigned hot_loop(unsigned n)
{
    unsigned h = 2166136261u;
    for (unsigned i = 0; i < n * 10; i++)
        h = (h ^ i) * 16777619u;
    return h;
}

__attribute__((noinline)) static unsigned cool_loop(unsigned n)
{
    unsigned h = 0;
    for (unsigned i = 0; i < n; i++)
        h += i * i;
    return h;
}

int main(int argc, char **argv)
{
    unsigned n = argc > 1 ? (unsigned)atoi(argv[1]) : 1000000;
    for (int round = 0; round < 10; round++)
        sink += hot_loop(n) + cool_loop(n);
    printf("done %u\n", sink != 0);
    return 0;
}
