/* api_gc.c: the public API of garbage-collected references: what an anyref
 * holds, host values as anyrefs, the host's roots, collections on demand. */
#include <stdlib.h>

#include "gc.h"
#include "heap.h"
#include "runtime.h"

weft_anyref_kind weft_anyref_kind_of(const weft_value *v, void **host)
{
    void *r = v->of.ref;
    if (host)
        *host = NULL;
    if (v->kind != WEFT_ANYREF || !r)
        return WEFT_ANYREF_NULL;
    if (wx_is_i31(r))
        return WEFT_ANYREF_I31;
    switch (wx_obj_kind(r)) {
    case WX_OBJ_STRUCT: return WEFT_ANYREF_STRUCT;
    case WX_OBJ_ARRAY: return WEFT_ANYREF_ARRAY;
    default:
        if (host)
            *host = wx_host_box_value(r);
        return WEFT_ANYREF_HOST;
    }
}

weft_status weft_anyref_from_host(weft_engine *engine, void *host, weft_value *out,
                                  weft_error *err)
{
    *out = (weft_value){ .kind = WEFT_ANYREF };
    if (!engine || !host) {
        if (err)
            wm_fail(err, WEFT_ERR_ARGUMENT, -1, -1, -1, "a host value must be non-NULL");
        return WEFT_ERR_ARGUMENT;
    }
    bool ok;
    wx_gc_collect_due(&engine->thread);
    out->of.ref = wx_any_convert_extern(engine->thread.heap, host, &ok);
    if (!ok) {
        if (err)
            wm_fail(err, WEFT_ERR_NOMEM, -1, -1, -1, "out of memory");
        return WEFT_ERR_NOMEM;
    }
    return WEFT_OK;
}

/* The heap object a value holds, or NULL. */
static void *object_of(const weft_engine *engine, const weft_value *v)
{
    if (v->kind != WEFT_ANYREF && v->kind != WEFT_EXTERNREF)
        return NULL;
    return wx_heap_find(engine->thread.heap, v->of.ref);
}

weft_status weft_ref_root(weft_engine *engine, const weft_value *v)
{
    void *o = object_of(engine, v);
    if (!o)
        return WEFT_OK;
    wx_heap *h = engine->thread.heap;
    for (size_t i = 0; i < h->nroots; i++)
        if (h->roots[i].ref == o) {
            h->roots[i].count++;
            return WEFT_OK;
        }
    if (h->nroots == h->roots_cap) {
        size_t cap = h->roots_cap ? 2 * h->roots_cap : 16;
        void *grown = realloc(h->roots, cap * sizeof *h->roots);
        if (!grown)
            return WEFT_ERR_NOMEM;
        h->roots = grown;
        h->roots_cap = cap;
    }
    h->roots[h->nroots].ref = o;
    h->roots[h->nroots].count = 1;
    h->nroots++;
    return WEFT_OK;
}

void weft_ref_release(weft_engine *engine, const weft_value *v)
{
    void *o = object_of(engine, v);
    wx_heap *h = engine->thread.heap;
    for (size_t i = 0; o && i < h->nroots; i++)
        if (h->roots[i].ref == o) {
            if (--h->roots[i].count == 0)
                h->roots[i] = h->roots[--h->nroots];
            return;
        }
}

void weft_gc_collect(weft_engine *engine)
{
    /* From a host function that Wasm code called, the frames below it
     * are in the return records and host frames. A call stopped by fuel or
     * an interrupt keeps frames that no record describes any more while
     * it waits to be resumed: no collection until it ends. */
    wx_thread *th = &engine->thread;
    if (!th->stopped.active)
        wx_gc_collect(th, NULL);
}

void weft_gc_stats_get(const weft_engine *engine, weft_gc_stats *out)
{
    wx_heap_stats(engine->thread.heap, &out->objects, &out->bytes, &out->collections);
}
