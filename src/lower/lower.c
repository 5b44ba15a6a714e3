/* lower.c: lowering's entry points: the per-module caches of lowered code,
 * and lowering one function (lazily, on its first call) by the parts that
 * lower_internal.h ties together. */
#include <pthread.h>

#include "lower_internal.h"

/* ---- Code caches -------------------------------------------------------------- */

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;

unsigned lower_variant(wx_dispatch d, bool explicit_bounds, wx_metering metering)
{
    return (d * 2 + explicit_bounds) * METER_COUNT + metering;
}

const ir_word **lower_code_cache(const wm_module *m, wx_dispatch dispatch, bool explicit_bounds,
                                 wx_metering metering)
{
    wm_module *mm = (wm_module *)m; /* The caches are the module's only mutable part. */
    unsigned v = lower_variant(dispatch, explicit_bounds, metering);
    pthread_mutex_lock(&cache_lock);
    if (!mm->lowered[v])
        mm->lowered[v] = calloc(m->nfuncs ? m->nfuncs : 1, sizeof(ir_word *));
    void *cache = mm->lowered[v];
    pthread_mutex_unlock(&cache_lock);
    return cache;
}

void lower_free_caches(wm_module *m)
{
    for (unsigned v = 0; v < WM_LOWERED_VARIANTS; v++) {
        ir_word **cache = m->lowered[v];
        if (!cache)
            continue;
        for (uint32_t i = 0; i < m->nfuncs; i++)
            if (cache[i])
                free(cache[i] - 1);
        free(cache);
        m->lowered[v] = NULL;
    }
    lower_exn_free_all(m);
}

const ir_word *lower_function(const wm_module *m, uint32_t index, wx_dispatch dispatch,
                              bool explicit_bounds, wx_metering metering, weft_error *err)
{
    static const ir_op check_ops[METER_COUNT] = {
        [METER_FUEL] = IR_CHECK_FUEL, [METER_INTERRUPT] = IR_CHECK_INTERRUPT,
        [METER_BOTH] = IR_CHECK,
    };
    const ir_word **cache = lower_code_cache(m, dispatch, explicit_bounds, metering);
    if (!cache) {
        wm_fail(err, WEFT_ERR_NOMEM, SEC_CODE, index, -1, "out of memory");
        return NULL;
    }
    if (cache[index])
        return cache[index];

    const wm_func *fn = &m->funcs[index];
    const wm_functype *ft = wm_func_type(m, index);
    uint32_t *labels = NULL, nlabels = 0, *sites = NULL;
    struct wx_handlers *table = NULL;
    wx_stackmap *maps = NULL;
    lo_ctx l = { .m = m, .words = wx_handler_words(dispatch), .checked = explicit_bounds,
                 .err = err, .metered = metering != METER_NONE,
                 .check_op = check_ops[metering], .check_pos = UINT32_MAX,
                 .fuse = { .add_pos = UINT32_MAX } };
    l.nlocals = ft->nparams + fn->nlocals;
    l.locals = malloc((l.nlocals + 1) * sizeof *l.locals);
    if (!l.locals) {
        lo_fail(&l, WEFT_ERR_NOMEM, "out of memory while lowering");
        goto out;
    }
    uint32_t slot = 0;
    for (uint32_t i = 0; i < l.nlocals; i++) {
        uint8_t type = i < ft->nparams ? ft->params[i] : fn->local_types[i - ft->nparams];
        l.locals[i] = (lo_local){ .slot = (uint16_t)slot, .type = type, .refs = 0 };
        slot += width(type);
        if (slot > 0xffff) {
            lo_fail(&l, WEFT_ERR_LIMIT, FRAME_LIMIT_MESSAGE);
            goto out;
        }
    }
    /* Every slot a frame uses (WX_FRAME_MAX): its locals and temporaries
     * (push_slow checks those) and its results. */
    uint32_t result_slots = 0;
    for (uint32_t i = 0; i < ft->nresults; i++)
        result_slots += width(ft->results[i]);
    if (result_slots > 0xffff) {
        lo_fail(&l, WEFT_ERR_LIMIT, FRAME_LIMIT_MESSAGE);
        goto out;
    }
    l.temp_base = l.free_home = slot;

    /* Room for the code at once: bodies lower to under half a word per
     * byte (a third in the benchmark programs), so the buffers seldom grow.
     * (Capped, so that doubling up to it cannot overflow: a larger body
     * grows the buffers as it goes.) */
    uint32_t expected = (fn->body_len < (1u << 30) ? fn->body_len : 1u << 30) / 2 + 64;
    if (!lo_grow_code(&l, expected))
        goto out;

    /* Calls zero the declared locals (ENTER_FRAME in interp_ops.h): the
     * code starts with the body, or with the metered check. */
    lo_emit_check(&l);
    lo_push_frame(&l, WV_FUNC, 0, NULL, ft->nresults, ft->results);
    label(&l);
    for (uint32_t i = ft->nparams; i < l.nlocals && i < 64; i++)
        l.zero_locals |= UINT64_C(1) << i;

    /* The module was validated when it loaded: the walk that drives the
     * lowering only decodes the body. */
    wv_ctx c;
    wv_init(&c, (wm_module *)m, err);
    c.func = index;
    c.section = SEC_CODE;
    bool ok = lo_walk_body(&l, &c, fn);
    wv_free(&c);
    if (!ok || l.failed) {
        if (!l.failed && err && err->status == WEFT_OK)
            lo_fail(&l, WEFT_ERR_INVALID, "function failed validation while lowering");
        l.failed = true;
        goto out;
    }
    /* Exception handlers: what their targets need at the end of the
     * code, and the positions the pass must keep and remap. */
    if (!lo_exn_finish(&l, &labels, &nlabels))
        goto out;
    lo_close_region(&l);
    sites = lo_site_positions(&l);
    if (!sites)
        goto out;
    lower_code wc = { l.code, l.ops, l.len, l.words, labels, nlabels, sites, l.nsites };
    if (!lower_finish(&wc)) {
        lo_fail(&l, WEFT_ERR_NOMEM, "out of memory while lowering");
        goto out;
    }
    table = lo_exn_table(&l, labels);
    maps = lo_stackmap(&l, sites);
    if (l.failed)
        goto out;
    /* The code keeps its buffer, cut to its length; the word before it
     * records the length, for the disassembler. */
    ir_word *buf = realloc(l.code - 1, ((size_t)wc.len + 1) * sizeof *buf);
    ir_word *code = buf ? buf + 1 : l.code;
    l.code = NULL;
    code[-1].u64 = wc.len;
    pthread_mutex_lock(&cache_lock);
    if (cache[index]) {
        free(code - 1); /* Another thread won the race. */
    } else {
        cache[index] = code;
        if (table || maps)
            lower_tables_register(m, lower_variant(dispatch, explicit_bounds, metering), code,
                                  wc.len, table, maps);
        table = NULL;
        maps = NULL;
    }
    pthread_mutex_unlock(&cache_lock);
out:
    free(table);
    free(maps);
    free(sites);
    lo_sites_free(&l);
    free(labels);
    lo_exn_free(&l);
    free(l.code ? l.code - 1 : NULL);
    free(l.ops);
    free(l.vals);
    free(l.frames);
    free(l.patches);
    free(l.locals);
    if (l.failed) {
        if (err && err->func < 0)
            err->func = index;
        return NULL;
    }
    return cache[index];
}

wx_trap wx_lower_lazy(wx_thread *th, wx_func *f, const ir_word **code)
{
    wx_instance *inst = f->inst;
    weft_error err = { .status = WEFT_OK, .func = -1 };
    *code = lower_function(inst->mod, f->index, inst->dispatch, inst->explicit_bounds,
                           inst->metering, &err);
    if (*code) {
        *f->code = *code;
        return TRAP_NONE;
    }
    if (err.status != WEFT_ERR_LIMIT)
        return TRAP_NOMEM;
    snprintf(th->message, sizeof th->message, "function %lld: %.200s", (long long)err.func,
             err.message);
    return TRAP_LIMIT;
}
