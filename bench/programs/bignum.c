/* bignum.c: i64 big-number arithmetic: a factorial in 32-bit limbs with
 * 64-bit products, then its conversion to decimal by repeated long division. */
#define BENCH_SCALE 150
#define BENCH_QUICK 1
#include "bench.h"

#define MAX_LIMBS 4096

static uint32_t limbs[MAX_LIMBS];
static uint32_t work[MAX_LIMBS];

/* Multiplies the number in limbs[0..n) by m and returns the new length. */
static uint32_t mul_small(uint32_t n, uint32_t m)
{
    uint64_t carry = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint64_t p = (uint64_t)limbs[i] * m + carry;
        limbs[i] = (uint32_t)p;
        carry = p >> 32;
    }
    if (carry && n < MAX_LIMBS)
        limbs[n++] = (uint32_t)carry;
    return n;
}

/* Divides work[0..n) by d in place, returning the remainder. */
static uint32_t div_small(uint32_t n, uint32_t d)
{
    uint64_t rem = 0;
    for (uint32_t i = n; i-- > 0;) {
        uint64_t cur = rem << 32 | work[i];
        work[i] = (uint32_t)(cur / d);
        rem = cur % d;
    }
    return (uint32_t)rem;
}

static uint32_t factorial_digits(uint32_t k)
{
    uint32_t n = 1;
    limbs[0] = 1;
    for (uint32_t i = 2; i <= k; i++)
        n = mul_small(n, i);
    memcpy(work, limbs, n * sizeof limbs[0]);
    uint32_t h = n, digit_sum = 0;
    while (n > 0) {
        uint32_t chunk = div_small(n, 1000000000u);
        while (n > 0 && work[n - 1] == 0)
            n--;
        h = bench_mix(h, chunk);
        for (; chunk; chunk /= 10)
            digit_sum += chunk % 10;
    }
    /* Mix in a 64-bit polynomial hash of the limbs as well. */
    uint64_t poly = 0;
    for (uint32_t i = 0; i < MAX_LIMBS && limbs[i]; i++)
        poly = poly * 0x100000001b3ull + limbs[i];
    return bench_mix(bench_mix(h, digit_sum), (uint32_t)(poly ^ (poly >> 32)));
}

static uint32_t kernel(int scale)
{
    uint32_t h = 0;
    for (int it = 0; it < scale; it++) {
        memset(limbs, 0, sizeof limbs);
        h = bench_mix(h, factorial_digits(2500 + (uint32_t)(it % 20) * 50u));
    }
    return h;
}
