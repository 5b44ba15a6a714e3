/* sieve.c: the sieve of Eratosthenes over a byte array, plus a segmented
 * count of twin primes. */
#define BENCH_SCALE 36
#define BENCH_QUICK 1
#include "bench.h"

#define SIEVE_N (1u << 21)

static uint8_t composite[SIEVE_N];

static uint32_t sieve(uint32_t limit)
{
    memset(composite, 0, limit);
    composite[0] = composite[1] = 1;
    for (uint32_t i = 2; i * i < limit; i++)
        if (!composite[i])
            for (uint32_t j = i * i; j < limit; j += i)
                composite[j] = 1;
    uint32_t primes = 0, twins = 0, h = 0;
    for (uint32_t i = 2; i < limit; i++)
        if (!composite[i]) {
            primes++;
            if (i + 2 < limit && !composite[i + 2])
                twins++;
            h += i * primes;
        }
    return bench_mix(bench_mix(h, primes), twins);
}

static uint32_t kernel(int scale)
{
    uint32_t h = 0;
    for (int it = 0; it < scale; it++)
        h = bench_mix(h, sieve(SIEVE_N - (uint32_t)it * 1000u));
    return h;
}
