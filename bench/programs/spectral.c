/* spectral.c: the spectral norm of an infinite matrix's finite section, by
 * power iteration (f64, division-heavy). */
#define BENCH_SCALE 18
#define BENCH_QUICK 1
#include "bench.h"

#define N 400

static double u[N], v[N], tmp[N];

static double entry(int i, int j)
{
    return 1.0 / ((i + j) * (i + j + 1) / 2 + i + 1);
}

static void mul_av(const double *x, double *y)
{
    for (int i = 0; i < N; i++) {
        double s = 0;
        for (int j = 0; j < N; j++)
            s += entry(i, j) * x[j];
        y[i] = s;
    }
}

static void mul_atv(const double *x, double *y)
{
    for (int i = 0; i < N; i++) {
        double s = 0;
        for (int j = 0; j < N; j++)
            s += entry(j, i) * x[j];
        y[i] = s;
    }
}

static void mul_atav(const double *x, double *y)
{
    mul_av(x, tmp);
    mul_atv(tmp, y);
}

static uint32_t kernel(int scale)
{
    uint32_t h = 0;
    for (int it = 0; it < scale; it++) {
        for (int i = 0; i < N; i++)
            u[i] = 1.0 + 0.001 * it;
        for (int k = 0; k < 10; k++) {
            mul_atav(u, v);
            mul_atav(v, u);
        }
        double uv = 0, vv = 0;
        for (int i = 0; i < N; i++) {
            uv += u[i] * v[i];
            vv += v[i] * v[i];
        }
        h = bench_mix(h, (uint32_t)(int64_t)(__builtin_sqrt(uv / vv) * 1e12));
    }
    return h;
}
