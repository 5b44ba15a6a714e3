/* profile.c: the counters of a profiling build (see profile.h), written at
 * exit to the file that WEFT_PROFILE names: the most executed instructions,
 * then the most executed pairs, each with its share of all executions. */
#include "profile.h"

#ifdef WEFT_PROFILE
#include <stdio.h>
#include <stdlib.h>

static uint64_t singles[IR_OP_COUNT];
static uint64_t pairs[IR_OP_COUNT][IR_OP_COUNT];
static uint64_t previous = IR_EXIT;
static int registered;

typedef struct { uint64_t n; unsigned a, b; } entry;

static int by_count(const void *x, const void *y)
{
    const entry *p = x, *q = y;
    return p->n < q->n ? 1 : p->n > q->n ? -1 : 0;
}

/* Writes the top `limit` entries of a table of counts. */
static void write_top(FILE *out, entry *e, size_t n, uint64_t total, size_t limit, int pair)
{
    qsort(e, n, sizeof *e, by_count);
    for (size_t i = 0; i < n && i < limit && e[i].n; i++) {
        if (pair)
            fprintf(out, "%14llu %6.2f%%  %s -> %s\n", (unsigned long long)e[i].n,
                    100.0 * e[i].n / total, ir_op_name[e[i].a], ir_op_name[e[i].b]);
        else
            fprintf(out, "%14llu %6.2f%%  %s\n", (unsigned long long)e[i].n,
                    100.0 * e[i].n / total, ir_op_name[e[i].a]);
    }
}

static void write_profile(void)
{
    const char *path = getenv("WEFT_PROFILE");
    FILE *out = path ? fopen(path, "w") : NULL;
    if (!out)
        return;
    static entry e[IR_OP_COUNT * IR_OP_COUNT];
    uint64_t total = 0;
    size_t n = 0;
    for (unsigned a = 0; a < IR_OP_COUNT; a++) {
        total += singles[a];
        e[n++] = (entry){ singles[a], a, 0 };
    }
    if (!total)
        total = 1;
    fprintf(out, "instructions executed: %llu\n", (unsigned long long)total);
    write_top(out, e, n, total, 60, 0);
    n = 0;
    for (unsigned a = 0; a < IR_OP_COUNT; a++)
        for (unsigned b = 0; b < IR_OP_COUNT; b++)
            if (pairs[a][b])
                e[n++] = (entry){ pairs[a][b], a, b };
    fprintf(out, "\npairs:\n");
    write_top(out, e, n, total, 80, 1);
    fclose(out);
}

void wx_profile_count(uint64_t op)
{
    if (!registered) {
        registered = 1;
        atexit(write_profile);
    }
    singles[op]++;
    pairs[previous][op]++;
    previous = op;
}
#endif
