/* types.c: value types' names and subtyping, and canonical function types. Every function type that any module
 * uses gets an id in one registry for the process, equal ids for equal
 * types: call_indirect and call_ref compare ids, linking compares imports
 * with them, and the validator compares concrete references by them. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "module.h"

typedef struct sig_entry {
    uint32_t nparams, nresults;
    wm_valtype *types;
} sig_entry;

static pthread_mutex_t sig_lock = PTHREAD_MUTEX_INITIALIZER;
static sig_entry *sigs;
static uint32_t nsigs, sigs_cap;

/* The index a type uses for a reference to itself in the registry (a type
 * may name itself: it is its own recursion group). */
#define SELF_INDEX VT_MAX_INDEX

/* wx_sig_id with sig_lock held. */
static uint32_t sig_id_locked(const wm_functype *t)
{
    size_t np = t->nparams * sizeof *t->params, nr = t->nresults * sizeof *t->results;
    for (uint32_t id = 0; id < nsigs; id++) {
        sig_entry *e = &sigs[id];
        if (e->nparams == t->nparams && e->nresults == t->nresults &&
            !memcmp(e->types, t->params, np) && !memcmp(e->types + t->nparams, t->results, nr))
            return id;
    }
    if (nsigs == sigs_cap) {
        uint32_t cap = sigs_cap ? 2 * sigs_cap : 64;
        sig_entry *grown = realloc(sigs, cap * sizeof *grown);
        if (!grown)
            return UINT32_MAX; /* Matches nothing: calls through it trap. */
        sigs = grown;
        sigs_cap = cap;
    }
    wm_valtype *types = malloc(np + nr ? np + nr : 1);
    if (!types)
        return UINT32_MAX;
    if (np)
        memcpy(types, t->params, np);
    if (nr)
        memcpy(types + t->nparams, t->results, nr);
    sigs[nsigs] = (sig_entry){ t->nparams, t->nresults, types };
    return nsigs++;
}

uint32_t wx_sig_id(const wm_functype *t)
{
    pthread_mutex_lock(&sig_lock);
    uint32_t id = sig_id_locked(t);
    pthread_mutex_unlock(&sig_lock);
    return id;
}

/* A value type of type `self` with its concrete reference made canonical:
 * to an earlier type, that type's id; to itself, SELF_INDEX. */
static wm_valtype canon(const uint32_t *ids, uint32_t self, wm_valtype t)
{
    if (vt_code(t) != VT_REF_INDEX)
        return t;
    uint32_t index = vt_index(t);
    uint32_t id = index == self ? SELF_INDEX : ids[index];
    if (id > VT_MAX_INDEX)
        id = SELF_INDEX - 1; /* Out of memory: a type nothing else has. */
    return vt_ref_index(id, vt_nullable(t));
}

const uint32_t *wm_type_ids(const wm_module *m)
{
    wm_module *mm = (wm_module *)m; /* The ids are a cache, like the lowered code. */
    pthread_mutex_lock(&sig_lock);
    if (mm->type_ids || m->ntypes == 0)
        goto done;
    uint32_t *ids = malloc(m->ntypes * sizeof *ids);
    uint32_t most = 0;
    for (uint32_t i = 0; i < m->ntypes; i++) {
        uint32_t n = m->types[i].nparams + m->types[i].nresults;
        most = n > most ? n : most;
    }
    wm_valtype *scratch = malloc((most ? most : 1) * sizeof *scratch);
    if (!ids || !scratch) {
        free(ids);
        free(scratch);
        goto done;
    }
    /* A type names only itself or earlier types (validation), so ids are
     * made in order. */
    for (uint32_t i = 0; i < m->ntypes; i++) {
        const wm_functype *t = &m->types[i];
        for (uint32_t k = 0; k < t->nparams; k++)
            scratch[k] = canon(ids, i, t->params[k]);
        for (uint32_t k = 0; k < t->nresults; k++)
            scratch[t->nparams + k] = canon(ids, i, t->results[k]);
        wm_functype c = { t->nparams, t->nresults, scratch, scratch + t->nparams };
        ids[i] = sig_id_locked(&c);
    }
    free(scratch);
    mm->type_ids = ids;
done:
    pthread_mutex_unlock(&sig_lock);
    return mm->type_ids;
}

wm_valtype wm_canon_valtype(const wm_module *m, wm_valtype t)
{
    if (vt_code(t) != VT_REF_INDEX)
        return t;
    const uint32_t *ids = wm_type_ids(m);
    uint32_t index = vt_index(t);
    uint32_t id = ids && index < m->ntypes ? ids[index] : SELF_INDEX - 1;
    return vt_ref_index(id > VT_MAX_INDEX ? SELF_INDEX - 1 : id, vt_nullable(t));
}

/* ---- Names and subtyping ---------------------------------------------------------- */

/* Several names may appear in one message, so the names of references go
 * to a few rotating buffers. */
const char *wm_type_name(wm_valtype t)
{
    switch (t) {
    case VT_I32: return "i32";
    case VT_I64: return "i64";
    case VT_F32: return "f32";
    case VT_F64: return "f64";
    case VT_V128: return "v128";
    case VT_FUNCREF: return "funcref";
    case VT_EXTERNREF: return "externref";
    case VT_UNKNOWN: return "unknown";
    }
    if (!vt_is_ref(t))
        return "invalid type";
    static _Thread_local char bufs[4][40];
    static _Thread_local unsigned next;
    char *b = bufs[next++ % 4];
    const char *null = vt_nullable(t) ? "null " : "";
    switch (vt_code(t)) {
    case VT_REF_INDEX: snprintf(b, sizeof bufs[0], "(ref %s%u)", null, vt_index(t)); break;
    case VT_REF_BOT: snprintf(b, sizeof bufs[0], "(ref %sbot)", null); break;
#define HEAP_NAME(name, code, text) \
    case code: snprintf(b, sizeof bufs[0], "(ref %s%s)", null, text); break;
    WM_HEAP_TYPES(HEAP_NAME)
#undef HEAP_NAME
    }
    return b;
}

/* Whether concrete types `a` and `b` of the module are equal: the same
 * index, or equal by structure (their canonical ids). */
static bool same_type_index(const wm_module *m, uint32_t a, uint32_t b)
{
    if (a == b)
        return true;
    const uint32_t *ids = wm_type_ids(m);
    return ids && ids[a] == ids[b];
}

bool wm_subtype(const wm_module *m, wm_valtype a, wm_valtype b)
{
    if (a == b || a == VT_UNKNOWN || b == VT_UNKNOWN)
        return true;
    if (!vt_is_ref(a) || !vt_is_ref(b))
        return false;
    if (vt_nullable(a) && !vt_nullable(b))
        return false;
    uint8_t ha = vt_code(a), hb = vt_code(b);
    if (ha == VT_REF_BOT)
        return true;
    if (ha == VT_REF_INDEX) {
        if (hb == VT_REF_INDEX)
            return same_type_index(m, vt_index(a), vt_index(b));
        return hb == VT_FUNCREF;
    }
    return ha == hb;
}
