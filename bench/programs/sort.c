/* sort.c: sorting records through function pointers (call_indirect): a
 * hand-written quicksort, an insertion sort for small ranges, and libc's qsort. */
#define BENCH_SCALE 9
#define BENCH_QUICK 1
#include "bench.h"

#define COUNT 40000

typedef struct record {
    int32_t key;
    uint32_t tag;
    double weight;
    char name[8];
} record;

typedef int (*compare_fn)(const void *, const void *);

static record recs[COUNT];

static int by_key(const void *a, const void *b)
{
    const record *x = a, *y = b;
    /* Every order is total (ties broken by tag) so any correct sort, libc's
     * included, gives the same permutation on every runtime. */
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return (x->tag > y->tag) - (x->tag < y->tag);
}

static int by_weight(const void *a, const void *b)
{
    const record *x = a, *y = b;
    if (x->weight != y->weight)
        return x->weight < y->weight ? -1 : 1;
    return (x->tag > y->tag) - (x->tag < y->tag);
}

static int by_name(const void *a, const void *b)
{
    const record *x = a, *y = b;
    int c = memcmp(x->name, y->name, sizeof x->name);
    return c ? c : (x->tag > y->tag) - (x->tag < y->tag);
}

static void swap(record *a, record *b)
{
    record t = *a;
    *a = *b;
    *b = t;
}

static void insertion(record *r, int n, compare_fn cmp)
{
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && cmp(&r[j - 1], &r[j]) > 0; j--)
            swap(&r[j - 1], &r[j]);
}

static void quick(record *r, int n, compare_fn cmp)
{
    while (n > 12) {
        int mid = n / 2;
        if (cmp(&r[mid], &r[0]) < 0) swap(&r[mid], &r[0]);
        if (cmp(&r[n - 1], &r[0]) < 0) swap(&r[n - 1], &r[0]);
        if (cmp(&r[n - 1], &r[mid]) < 0) swap(&r[n - 1], &r[mid]);
        swap(&r[mid], &r[n - 2]);
        record *pivot = &r[n - 2];
        int i = 0, j = n - 2;
        for (;;) {
            while (cmp(&r[++i], pivot) < 0) {}
            while (cmp(&r[--j], pivot) > 0) {}
            if (i >= j)
                break;
            swap(&r[i], &r[j]);
        }
        swap(&r[i], &r[n - 2]);
        /* Recurse into the smaller side to bound the depth. */
        if (i < n - i - 1) {
            quick(r, i, cmp);
            r += i + 1;
            n -= i + 1;
        } else {
            quick(r + i + 1, n - i - 1, cmp);
            n = i;
        }
    }
    insertion(r, n, cmp);
}

static uint32_t digest(void)
{
    uint32_t h = 0;
    for (int i = 0; i < COUNT; i += 97)
        h = bench_mix(h, recs[i].tag);
    return h;
}

static uint32_t kernel(int scale)
{
    static const compare_fn cmps[3] = {by_key, by_weight, by_name};
    uint32_t h = 0;
    for (int it = 0; it < scale; it++) {
        uint32_t seed = 99u + (uint32_t)it;
        for (int i = 0; i < COUNT; i++) {
            recs[i].key = (int32_t)(bench_rand(&seed) % 100000) - 50000;
            recs[i].tag = (uint32_t)i;
            recs[i].weight = (double)(bench_rand(&seed) % 5000) * 0.25;
            for (int k = 0; k < 8; k++)
                recs[i].name[k] = (char)('a' + bench_rand(&seed) % 4);
        }
        for (int pass = 0; pass < 3; pass++) {
            compare_fn cmp = cmps[(pass + it) % 3];
            if (pass == 2)
                qsort(recs, COUNT, sizeof recs[0], cmp);
            else
                quick(recs, COUNT, cmp);
            h = bench_mix(h, digest());
        }
    }
    return h;
}
