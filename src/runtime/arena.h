/* arena.h: a bump allocator that owns a module's memory and frees it at once. */
#ifndef WEFT_ARENA_H
#define WEFT_ARENA_H

#include <stddef.h>

typedef struct wm_arena_chunk wm_arena_chunk;

typedef struct wm_arena {
    wm_arena_chunk *head;
} wm_arena;

/* Returns `size` zeroed bytes aligned for any type, or NULL when out of memory. */
void *wm_alloc(wm_arena *a, size_t size);

/* Returns zeroed space for `n` objects of `size` bytes, or NULL on overflow or
 * when out of memory. */
void *wm_alloc_array(wm_arena *a, size_t n, size_t size);

/* Frees everything the arena handed out. The arena may be used again. */
void wm_arena_free(wm_arena *a);

#endif
