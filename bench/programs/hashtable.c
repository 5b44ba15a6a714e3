/* hashtable.c: a chained hash table of malloc'ed entries with string keys:
 * inserts, lookups, deletes with free, and a rehash as it grows. */
#define BENCH_SCALE 150
#define BENCH_QUICK 1
#include "bench.h"

typedef struct entry {
    struct entry *next;
    uint32_t hash;
    uint32_t value;
    char key[];
} entry;

typedef struct table {
    entry **buckets;
    uint32_t mask;
    uint32_t count;
} table;

static uint32_t hash_str(const char *s, uint32_t len)
{
    uint32_t h = 2166136261u;
    for (uint32_t i = 0; i < len; i++)
        h = (h ^ (uint8_t)s[i]) * 16777619u;
    return h;
}

static void grow(table *t)
{
    uint32_t size = (t->mask + 1) * 2;
    entry **nb = calloc(size, sizeof *nb);
    for (uint32_t i = 0; i <= t->mask; i++)
        for (entry *e = t->buckets[i], *next; e; e = next) {
            next = e->next;
            e->next = nb[e->hash & (size - 1)];
            nb[e->hash & (size - 1)] = e;
        }
    free(t->buckets);
    t->buckets = nb;
    t->mask = size - 1;
}

static entry **find(table *t, const char *key, uint32_t len, uint32_t h)
{
    entry **slot = &t->buckets[h & t->mask];
    while (*slot && ((*slot)->hash != h || strcmp((*slot)->key, key) != 0))
        slot = &(*slot)->next;
    (void)len;
    return slot;
}

static void put(table *t, const char *key, uint32_t len, uint32_t value)
{
    uint32_t h = hash_str(key, len);
    entry **slot = find(t, key, len, h);
    if (*slot) {
        (*slot)->value += value;
        return;
    }
    entry *e = malloc(sizeof *e + len + 1);
    memcpy(e->key, key, len + 1);
    e->hash = h;
    e->value = value;
    e->next = NULL;
    *slot = e;
    if (++t->count > t->mask)
        grow(t);
}

static int del(table *t, const char *key, uint32_t len)
{
    entry **slot = find(t, key, len, hash_str(key, len));
    if (!*slot)
        return 0;
    entry *e = *slot;
    *slot = e->next;
    free(e);
    t->count--;
    return 1;
}

static uint32_t make_key(char *buf, uint32_t n)
{
    uint32_t len = 0;
    buf[len++] = 'k';
    do {
        buf[len++] = (char)('a' + n % 26);
        n /= 26;
    } while (n);
    buf[len] = 0;
    return len;
}

static uint32_t round_trip(uint32_t seed)
{
    table t = {calloc(16, sizeof(entry *)), 15, 0};
    char key[32];
    uint32_t h = 0;
    for (int i = 0; i < 20000; i++) {
        uint32_t n = bench_rand(&seed) % 12000;
        put(&t, key, make_key(key, n), n);
    }
    for (int i = 0; i < 20000; i++) {
        uint32_t n = bench_rand(&seed) % 16000;
        uint32_t len = make_key(key, n);
        entry *e = *find(&t, key, len, hash_str(key, len));
        h = bench_mix(h, e ? e->value : 0xffffffffu);
        if (i % 3 == 0)
            h += (uint32_t)del(&t, key, len);
    }
    h = bench_mix(h, t.count);
    for (uint32_t i = 0; i <= t.mask; i++)
        for (entry *e = t.buckets[i], *next; e; e = next) {
            next = e->next;
            free(e);
        }
    free(t.buckets);
    return h;
}

static uint32_t kernel(int scale)
{
    uint32_t h = 0;
    for (int it = 0; it < scale; it++)
        h = bench_mix(h, round_trip(1000u + (uint32_t)it));
    return h;
}
