/* arena.c: the bump allocator behind every decoded module. */
#include "arena.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct wm_arena_chunk {
    wm_arena_chunk *next;
    size_t used, cap;
    _Alignas(16) unsigned char data[];
};

enum { CHUNK_SIZE = 64 * 1024 };

void *wm_alloc(wm_arena *a, size_t size)
{
    size = (size + 15) & ~(size_t)15;
    if (size == 0)
        size = 16;
    wm_arena_chunk *c = a->head;
    if (!c || c->cap - c->used < size) {
        /* Big requests get a chunk of their own, placed behind the current one
         * so the current chunk's free space is not wasted. */
        size_t cap = size > CHUNK_SIZE / 4 ? size : CHUNK_SIZE;
        if (cap > SIZE_MAX - sizeof *c)
            return NULL;
        wm_arena_chunk *n = malloc(sizeof *n + cap);
        if (!n)
            return NULL;
        n->used = 0;
        n->cap = cap;
        if (c && cap != CHUNK_SIZE) {
            n->next = c->next;
            c->next = n;
        } else {
            n->next = c;
            a->head = n;
        }
        c = n;
    }
    void *p = c->data + c->used;
    c->used += size;
    memset(p, 0, size);
    return p;
}

void *wm_alloc_array(wm_arena *a, size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size)
        return NULL;
    return wm_alloc(a, n * size);
}

void wm_arena_free(wm_arena *a)
{
    wm_arena_chunk *c = a->head;
    while (c) {
        wm_arena_chunk *next = c->next;
        free(c);
        c = next;
    }
    a->head = NULL;
}
