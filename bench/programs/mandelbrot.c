/* mandelbrot.c: the Mandelbrot set on a grid (f64), packed into bits. */
#define BENCH_SCALE 10
#define BENCH_QUICK 1
#include "bench.h"

#define SIZE 600
#define MAX_ITER 50

static uint32_t render(double zoom, double cx, double cy)
{
    uint32_t h = 0;
    for (int y = 0; y < SIZE; y++) {
        uint32_t bits = 0;
        for (int x = 0; x < SIZE; x++) {
            double cr = cx + ((double)x / SIZE - 0.5) * zoom;
            double ci = cy + ((double)y / SIZE - 0.5) * zoom;
            double zr = 0, zi = 0;
            int i = 0;
            while (i < MAX_ITER && zr * zr + zi * zi <= 4.0) {
                double t = zr * zr - zi * zi + cr;
                zi = 2.0 * zr * zi + ci;
                zr = t;
                i++;
            }
            bits = bits << 1 | (i == MAX_ITER);
            if ((x & 31) == 31) {
                h = bench_mix(h, bits);
                bits = 0;
            }
        }
        h = bench_mix(h, bits);
    }
    return h;
}

static uint32_t kernel(int scale)
{
    uint32_t h = 0;
    for (int it = 0; it < scale; it++)
        h = bench_mix(h, render(3.0 / (1.0 + it), -0.6 + 0.01 * it, 0.05 * it));
    return h;
}
