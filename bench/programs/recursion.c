/* recursion.c: deep and wide recursion: naive Fibonacci, Ackermann and the
 * Takeuchi function, all call-bound. */
#define BENCH_SCALE 270
#define BENCH_QUICK 10
#include "bench.h"

static uint32_t fib(uint32_t n)
{
    return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

static uint32_t ack(uint32_t m, uint32_t n)
{
    if (m == 0)
        return n + 1;
    if (n == 0)
        return ack(m - 1, 1);
    return ack(m - 1, ack(m, n - 1));
}

static int tak(int x, int y, int z)
{
    if (y >= x)
        return z;
    return tak(tak(x - 1, y, z), tak(y - 1, z, x), tak(z - 1, x, y));
}

static uint32_t kernel(int scale)
{
    uint32_t h = 0;
    for (int it = 0; it < scale; it++) {
        h = bench_mix(h, fib(25 + (uint32_t)(it % 2)));
        h = bench_mix(h, ack(2 + (uint32_t)(it % 2), 7));
        h = bench_mix(h, (uint32_t)tak(18, 12, 6 + it % 3));
    }
    return h;
}
