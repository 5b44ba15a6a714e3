/* nbody.c: a gravitational n-body simulation with symplectic Euler steps;
 * the bodies are generated, not taken from any table. */
#define BENCH_SCALE 120
#define BENCH_QUICK 2
#include "bench.h"

#define BODIES 8
#define STEPS 5000

typedef struct body {
    double x, y, z, vx, vy, vz, mass;
} body;

static body bodies[BODIES];

static double unit(uint32_t *seed)
{
    return (double)(bench_rand(seed) % 100000) / 100000.0;
}

static void setup(uint32_t seed)
{
    bodies[0] = (body){0, 0, 0, 0, 0, 0, 40.0};
    for (int i = 1; i < BODIES; i++) {
        double r = 1.0 + 4.0 * unit(&seed);
        bodies[i].x = r * (unit(&seed) - 0.5);
        bodies[i].y = r * (unit(&seed) - 0.5);
        bodies[i].z = 0.1 * (unit(&seed) - 0.5);
        bodies[i].vx = unit(&seed) - 0.5;
        bodies[i].vy = unit(&seed) - 0.5;
        bodies[i].vz = 0.01 * (unit(&seed) - 0.5);
        bodies[i].mass = 0.01 + 0.05 * unit(&seed);
    }
}

static void advance(double dt)
{
    for (int i = 0; i < BODIES; i++) {
        body *bi = &bodies[i];
        for (int j = i + 1; j < BODIES; j++) {
            body *bj = &bodies[j];
            double dx = bi->x - bj->x, dy = bi->y - bj->y, dz = bi->z - bj->z;
            double d2 = dx * dx + dy * dy + dz * dz + 0.01;
            double mag = dt / (d2 * __builtin_sqrt(d2));
            bi->vx -= dx * bj->mass * mag;
            bi->vy -= dy * bj->mass * mag;
            bi->vz -= dz * bj->mass * mag;
            bj->vx += dx * bi->mass * mag;
            bj->vy += dy * bi->mass * mag;
            bj->vz += dz * bi->mass * mag;
        }
    }
    for (int i = 0; i < BODIES; i++) {
        bodies[i].x += dt * bodies[i].vx;
        bodies[i].y += dt * bodies[i].vy;
        bodies[i].z += dt * bodies[i].vz;
    }
}

static double energy(void)
{
    double e = 0;
    for (int i = 0; i < BODIES; i++) {
        body *bi = &bodies[i];
        e += 0.5 * bi->mass * (bi->vx * bi->vx + bi->vy * bi->vy + bi->vz * bi->vz);
        for (int j = i + 1; j < BODIES; j++) {
            double dx = bi->x - bodies[j].x, dy = bi->y - bodies[j].y;
            double dz = bi->z - bodies[j].z;
            e -= bi->mass * bodies[j].mass / __builtin_sqrt(dx * dx + dy * dy + dz * dz + 0.01);
        }
    }
    return e;
}

static uint32_t kernel(int scale)
{
    uint32_t h = 0;
    for (int it = 0; it < scale; it++) {
        setup(0x5eedu + (uint32_t)it);
        for (int s = 0; s < STEPS; s++)
            advance(0.001);
        h = bench_mix(h, (uint32_t)(int64_t)(energy() * 1e9));
    }
    return h;
}
