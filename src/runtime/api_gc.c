/* api_gc.c: the public API of garbage-collected references: what an anyref
 * holds, host values as anyrefs. */
#include "gc.h"
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
    out->of.ref = wx_any_convert_extern(engine->thread.heap, host, &ok);
    if (!ok) {
        if (err)
            wm_fail(err, WEFT_ERR_NOMEM, -1, -1, -1, "out of memory");
        return WEFT_ERR_NOMEM;
    }
    return WEFT_OK;
}
