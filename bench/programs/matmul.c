/* matmul.c: dense f64 matrix multiplication (i-k-j order) and a trace. */
#define BENCH_SCALE 150
#define BENCH_QUICK 1
#include "bench.h"

#define N 160

static double a[N * N], b[N * N], c[N * N];

static void fill(uint32_t seed)
{
    for (int i = 0; i < N * N; i++) {
        a[i] = (double)(bench_rand(&seed) % 2001) / 1000.0 - 1.0;
        b[i] = (double)(bench_rand(&seed) % 2001) / 1000.0 - 1.0;
    }
}

static void multiply(void)
{
    memset(c, 0, sizeof c);
    for (int i = 0; i < N; i++)
        for (int k = 0; k < N; k++) {
            double aik = a[i * N + k];
            for (int j = 0; j < N; j++)
                c[i * N + j] += aik * b[k * N + j];
        }
}

static uint32_t kernel(int scale)
{
    uint32_t h = 0;
    for (int it = 0; it < scale; it++) {
        fill(0xabcu + (uint32_t)it);
        multiply();
        double sum = 0;
        for (int i = 0; i < N; i++)
            sum += c[i * N + i] + c[i * N + (N - 1 - i)] * 0.5;
        h = bench_mix(h, (uint32_t)(int64_t)(sum * 1e6));
    }
    return h;
}
