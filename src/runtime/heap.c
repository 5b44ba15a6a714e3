/* heap.c: the garbage-collected heap's allocator: the run-time types of
 * struct and array types, objects in size classes (small ones in cells of
 * 64 KiB chunks, large ones alone), the host and extern boxes of
 * any.convert_extern and extern.convert_any. Objects never move (see
 * docs/architecture.md): a reference is the object's address wherever it
 * is held. The collector that frees them is gc.c. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "gc.h"
#include "heap.h"

/* ---- Run-time types --------------------------------------------------------------- */

/* Per canonical id, its run-time type: a two-level table, so that a page,
 * once published, never moves and readers need no lock. */
#define RTT_PAGE_BITS 12
#define RTT_PAGES ((VT_MAX_INDEX + 1) >> RTT_PAGE_BITS)
static _Atomic(const wx_rtt *) *rtt_pages[RTT_PAGES];
static pthread_mutex_t rtt_lock = PTHREAD_MUTEX_INITIALIZER;

/* A struct's layout: each field at its natural alignment (at most 8), in
 * order, after the header. */
static wx_rtt *make_rtt(const wm_functype *t, uint32_t id)
{
    uint32_t n = t->kind == WM_COMP_STRUCT ? t->nfields : 0;
    size_t bytes = sizeof(wx_rtt) + (size_t)n * (2 * sizeof(uint32_t) + 1);
    wx_rtt *r = calloc(1, bytes);
    if (!r)
        return NULL;
    uint32_t *offsets = (uint32_t *)(r + 1), *refs = offsets + n;
    uint8_t *sizes = (uint8_t *)(refs + n);
    r->kind = t->kind == WM_COMP_STRUCT ? WX_OBJ_STRUCT : WX_OBJ_ARRAY;
    r->tag = id | (uint32_t)r->kind << WX_TAG_KIND_SHIFT;
    if (t->kind == WM_COMP_ARRAY) {
        r->elem_size = (uint8_t)wx_storage_size(t->fields[0].type);
        r->elem_ref = vt_is_ref(t->fields[0].type);
        return r;
    }
    uint32_t at = WX_OBJ_HEADER;
    for (uint32_t k = 0; k < n; k++) {
        uint32_t size = wx_storage_size(t->fields[k].type);
        uint32_t align = size > 8 ? 8 : size;
        at = (at + align - 1) & ~(align - 1);
        offsets[k] = at;
        sizes[k] = (uint8_t)size;
        if (vt_is_ref(t->fields[k].type))
            refs[r->nrefs++] = at;
        at += size;
    }
    r->size = (at + 7) & ~7u;
    r->nfields = n;
    r->offsets = offsets;
    r->sizes = sizes;
    r->refs = refs;
    return r;
}

const wx_rtt *wx_rtt_of(const wm_module *m, uint32_t type)
{
    const uint32_t *ids = wm_type_ids(m);
    if (!ids || type >= m->ntypes || ids[type] >= VT_MAX_INDEX)
        return NULL;
    uint32_t id = ids[type];
    _Atomic(const wx_rtt *) *page = rtt_pages[id >> RTT_PAGE_BITS];
    const wx_rtt *r = page ? atomic_load_explicit(&page[id & ((1u << RTT_PAGE_BITS) - 1)],
                                                  memory_order_acquire) : NULL;
    if (r)
        return r;
    pthread_mutex_lock(&rtt_lock);
    page = rtt_pages[id >> RTT_PAGE_BITS];
    if (!page) {
        page = calloc((size_t)1 << RTT_PAGE_BITS, sizeof *page);
        rtt_pages[id >> RTT_PAGE_BITS] = page;
    }
    if (page) {
        _Atomic(const wx_rtt *) *cell = &page[id & ((1u << RTT_PAGE_BITS) - 1)];
        r = atomic_load_explicit(cell, memory_order_relaxed);
        if (!r && (r = make_rtt(&m->types[type], id)))
            atomic_store_explicit(cell, r, memory_order_release);
    }
    pthread_mutex_unlock(&rtt_lock);
    return r;
}

/* The boxes: one word each, a host value (not traced) or a reference. */
static const wx_rtt host_rtt = { .tag = WX_NO_TYPE | (uint32_t)WX_OBJ_HOST << WX_TAG_KIND_SHIFT,
                                 .kind = WX_OBJ_HOST, .size = WX_OBJ_HEADER + 8 };
static const uint32_t box_refs[1] = { WX_OBJ_HEADER };
static const wx_rtt extern_rtt = { .tag = WX_NO_TYPE | (uint32_t)WX_OBJ_EXTERN << WX_TAG_KIND_SHIFT,
                                   .kind = WX_OBJ_EXTERN, .size = WX_OBJ_HEADER + 8,
                                   .nrefs = 1, .refs = box_refs };

/* ---- Allocation -------------------------------------------------------------------- */

static const uint32_t class_bytes[WX_CLASSES] = { 16, 24, 32, 48, 64, 96, 128, 192, 256 };

/* The smallest class of cells of at least `bytes`, or WX_CLASSES. */
static unsigned class_of(uint64_t bytes)
{
    unsigned c = 0;
    while (c < WX_CLASSES && class_bytes[c] < bytes)
        c++;
    return c;
}

/* A new chunk of cells of class `c`, every cell on the free list. Chunks
 * are aligned to their size, so a word's chunk is the word rounded down. */
static bool add_chunk(wx_heap *h, unsigned c)
{
    wx_chunk *k = aligned_alloc(WX_CHUNK_BYTES, WX_CHUNK_BYTES);
    if (!k)
        return false;
    if (!wx_ptrset_add(&h->chunk_set, k)) {
        free(k);
        return false;
    }
    k->next = h->chunks;
    k->cls = c;
    k->cell = class_bytes[c];
    k->ncells = (uint32_t)((WX_CHUNK_BYTES - sizeof *k) / k->cell);
    h->chunks = k;
    h->chunk_bytes += WX_CHUNK_BYTES;
    for (uint32_t i = k->ncells; i-- > 0;) {
        wx_obj *o = (wx_obj *)(k->cells + (size_t)i * k->cell);
        o->rtt = 0;
        wx_cell_set_next(o, h->free[c]);
        wx_cell_poison(o, k->cell);
        h->free[c] = o;
    }
    return true;
}

wx_obj *wx_heap_find(const wx_heap *h, const void *p)
{
    uintptr_t a = (uintptr_t)p;
    if (!a || (a & 7))
        return NULL;
    const wx_chunk *k = (const wx_chunk *)(a & ~(uintptr_t)(WX_CHUNK_BYTES - 1));
    if (wx_ptrset_has(&h->chunk_set, k)) {
        uintptr_t off = a - (uintptr_t)k->cells;
        if (a < (uintptr_t)k->cells || off % k->cell || off / k->cell >= k->ncells)
            return NULL;
        wx_obj *o = (wx_obj *)a;
        return o->rtt ? o : NULL;
    }
    return wx_ptrset_has(&h->large_set, p) ? (wx_obj *)a : NULL;
}

uint64_t wx_obj_bytes(const wx_rtt *rtt, uint32_t len)
{
    if (rtt->kind == WX_OBJ_ARRAY)
        return WX_OBJ_HEADER + (uint64_t)len * rtt->elem_size;
    return rtt->size;
}

wx_obj *wx_heap_alloc(wx_heap *h, const wx_rtt *rtt, uint32_t len)
{
    uint64_t bytes = wx_obj_bytes(rtt, len);
    if (bytes > h->max_bytes || h->live_bytes > h->max_bytes - bytes)
        return NULL;
    unsigned c = class_of(bytes);
    wx_obj *o;
    if (c < WX_CLASSES) {
        if (!h->free[c] && !add_chunk(h, c))
            return NULL;
        o = h->free[c];
        h->free[c] = wx_cell_next(o);
        wx_cell_unpoison(o, class_bytes[c]);
        memset(o, 0, class_bytes[c]);
        bytes = class_bytes[c];
    } else {
        if (bytes > SIZE_MAX - sizeof(wx_large))
            return NULL;
        wx_large *b = calloc(1, sizeof *b + bytes);
        if (!b)
            return NULL;
        if (!wx_ptrset_add(&h->large_set, b + 1)) {
            free(b);
            return NULL;
        }
        b->bytes = bytes;
        b->next = h->large;
        h->large = b;
        o = (wx_obj *)(b + 1);
    }
    o->rtt = (uintptr_t)rtt;
    o->tag = rtt->tag;
    o->len = len;
    h->live_bytes += bytes;
    h->since_gc += bytes;
    h->nobjects++;
    return o;
}

wx_heap *wx_heap_new(uint64_t max_bytes, bool stress)
{
    wx_heap *h = calloc(1, sizeof *h);
    if (!h)
        return NULL;
    h->max_bytes = max_bytes;
    h->stress = stress;
    h->threshold = WX_GC_MIN_THRESHOLD;
    return h;
}

void wx_heap_free(wx_heap *h)
{
    if (!h)
        return;
    for (wx_chunk *k = h->chunks, *next; k; k = next) {
        next = k->next;
        free(k);
    }
    for (wx_large *b = h->large, *next; b; b = next) {
        next = b->next;
        free(b);
    }
    free(h->boxes.slots);
    free(h->chunk_set.slots);
    free(h->large_set.slots);
    free(h->gray);
    free(h->roots);
    free(h);
}

/* ---- Host and extern boxes --------------------------------------------------------- */

static size_t ptr_hash(const void *p, size_t cap)
{
    uint64_t x = (uint64_t)(uintptr_t)p;
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    return (size_t)x & (cap - 1);
}

bool wx_ptrset_has(const wx_ptrset *s, const void *p)
{
    if (!s->cap)
        return false;
    for (size_t i = ptr_hash(p, s->cap); s->slots[i]; i = (i + 1) & (s->cap - 1))
        if (s->slots[i] == p)
            return true;
    return false;
}

bool wx_ptrset_add(wx_ptrset *s, void *p)
{
    if (2 * (s->n + 1) > s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 64;
        void **grown = calloc(cap, sizeof *grown);
        if (!grown)
            return false;
        for (size_t i = 0; i < s->cap; i++)
            if (s->slots[i]) {
                size_t j = ptr_hash(s->slots[i], cap);
                while (grown[j])
                    j = (j + 1) & (cap - 1);
                grown[j] = s->slots[i];
            }
        free(s->slots);
        s->slots = grown;
        s->cap = cap;
    }
    size_t j = ptr_hash(p, s->cap);
    while (s->slots[j])
        j = (j + 1) & (s->cap - 1);
    s->slots[j] = p;
    s->n++;
    return true;
}

void *wx_any_convert_extern(wx_heap *h, void *ref, bool *ok)
{
    *ok = true;
    if (!ref)
        return NULL;
    if (wx_ptrset_has(&h->boxes, ref)) {
        void *v;
        memcpy(&v, wx_obj_data(ref), sizeof v);
        return v;
    }
    wx_obj *o = wx_heap_alloc(h, &host_rtt, 0);
    if (!o) {
        *ok = false;
        return NULL;
    }
    memcpy(wx_obj_data(o), &ref, sizeof ref);
    return o;
}

void *wx_extern_convert_any(wx_heap *h, void *ref, bool *ok)
{
    *ok = true;
    if (!ref)
        return NULL;
    if (!wx_is_i31(ref) && wx_obj_kind(ref) == WX_OBJ_HOST)
        return wx_host_box_value(ref);
    wx_obj *o = wx_heap_alloc(h, &extern_rtt, 0);
    if (!o || !wx_ptrset_add(&h->boxes, o)) {
        *ok = false;
        return NULL;
    }
    memcpy(wx_obj_data(o), &ref, sizeof ref);
    return o;
}
