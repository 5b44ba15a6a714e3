/* heap.h: the inside of a garbage-collected heap, shared by its allocator
 * (heap.c) and its collector (gc.c). */
#ifndef WEFT_HEAP_H
#define WEFT_HEAP_H

#include "gc.h"

/* Small objects live in cells of a size class, carved from chunks of
 * WX_CHUNK_BYTES; larger ones have a block each. */
#define WX_CLASSES 9
#define WX_CHUNK_BYTES (64 * 1024)
/* The least a heap allocates between two collections. */
#define WX_GC_MIN_THRESHOLD (1024 * 1024)

typedef struct wx_chunk {
    struct wx_chunk *next;
    uint32_t cls, cell, ncells, pad;
    _Alignas(16) uint8_t cells[];
} wx_chunk;

typedef struct wx_large {
    struct wx_large *next;
    uint64_t bytes;
} wx_large;

/* A set of addresses (open addressing, at most half full); emptied and
 * refilled rather than deleted from. */
typedef struct wx_ptrset {
    void **slots;
    size_t n, cap;
} wx_ptrset;

bool wx_ptrset_add(wx_ptrset *s, void *p);
bool wx_ptrset_has(const wx_ptrset *s, const void *p);

/* A host handle's root: a reference the host holds (weft_ref_root). */
struct wx_heap {
    wx_chunk *chunks;
    wx_obj *free[WX_CLASSES];      /* Free cells of each class. */
    wx_large *large;
    uint64_t chunk_bytes;          /* What the chunks take from the machine. */
    uint64_t live_bytes;           /* What the objects take (cells and blocks). */
    uint64_t nobjects;             /* Objects allocated and not freed. */
    uint64_t max_bytes;            /* The limit of live_bytes. */
    uint64_t since_gc;             /* Bytes allocated since the last collection. */
    uint64_t threshold;            /* since_gc past this collects. */
    uint64_t collections;
    bool stress;                   /* Collect at every allocation. */
    /* The extern boxes (extern.convert_any): a host value must not be
     * taken for one by reading through it. */
    wx_ptrset boxes;
    /* The chunks and the large objects, by address: what tells the
     * collector whether a word is a reference to an object. */
    wx_ptrset chunk_set, large_set;
    /* The collector's stack of objects marked but not yet scanned. */
    wx_obj **gray;
    size_t ngray, gray_cap;
    bool overflow;                 /* The gray stack could not grow. */
    /* References the host holds (rooted handles), with a count each. */
    struct { void *ref; uint32_t count; } *roots;
    size_t nroots, roots_cap;
};

/* A free cell's link to the next one, in its second word. */
static inline wx_obj *wx_cell_next(const wx_obj *o)
{
    wx_obj *n;
    memcpy(&n, (const uint8_t *)o + 8, sizeof n);
    return n;
}

static inline void wx_cell_set_next(wx_obj *o, wx_obj *n) { memcpy((uint8_t *)o + 8, &n, sizeof n); }

/* Under AddressSanitizer, a free cell's bytes past its first 16 (the
 * zero where a run-time type would be, and the free list's link) are
 * poisoned: code that still uses an object the collector freed (a root
 * it missed) fails at once instead of reading whatever took its place. */
#if defined(__SANITIZE_ADDRESS__)
#define WX_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define WX_ASAN 1
#endif
#endif
#ifdef WX_ASAN
#include <sanitizer/asan_interface.h>
static inline void wx_cell_poison(wx_obj *o, uint32_t cell)
{
    ASAN_POISON_MEMORY_REGION((uint8_t *)o + 16, cell - 16);
}
static inline void wx_cell_unpoison(wx_obj *o, uint32_t cell) { ASAN_UNPOISON_MEMORY_REGION(o, cell); }
#else
static inline void wx_cell_poison(wx_obj *o, uint32_t cell) { (void)o; (void)cell; }
static inline void wx_cell_unpoison(wx_obj *o, uint32_t cell) { (void)o; (void)cell; }
#endif

/* The bytes an object of `rtt` with `len` elements takes, header included. */
uint64_t wx_obj_bytes(const wx_rtt *rtt, uint32_t len);

/* The object that word `p` refers to, or NULL when it is none (an i31, a
 * function, a host value, a free cell, anything else). */
wx_obj *wx_heap_find(const wx_heap *h, const void *p);

#endif
