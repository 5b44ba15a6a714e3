/* types.c: value types' names and subtyping, and canonical types. Every
 * recursion group that any module defines gets its types' ids in one
 * registry for the process, equal ids for equivalent types (iso-recursive
 * equivalence: two groups are equal when their types are, type by type,
 * with references inside a group compared by their place in it and
 * references out of it by canonical id). call_indirect and call_ref compare
 * ids, linking compares imports with them, and the validator compares
 * concrete references by them. The registry also keeps each id's kind and
 * declared supertype, for subtyping between canonical types. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "module.h"
/* A registered recursion group: its types' ids are first..first+n-1, and
 * `key` its types in the form group_key writes. */
typedef struct canon_group {
    uint32_t first, n, hash;
    uint32_t len;
    uint32_t *key;
} canon_group;

static pthread_mutex_t sig_lock = PTHREAD_MUTEX_INITIALIZER;
static canon_group *groups;
static uint32_t ngroups, groups_cap;
/* Per canonical id: its composite kind and its supertype's id (NO_ID). */
/* An open-addressed index of the groups by hash: group number + 1, 0 for
 * an empty bucket; a power of two in size, at most half full. Every module
 * of the process adds its groups, so a linear search would grow with all
 * of them. */
static uint32_t *buckets;
static uint32_t nbuckets;
static uint8_t *id_kinds;
static uint32_t *id_supers;
static uint32_t nids, ids_cap;

#define NO_ID UINT32_MAX
/* In a group's key, a reference to the group's k-th type is REC_REF + k;
 * canonical ids stay below it. */
#define REC_REF (1u << 22)
/* The id of a type when the registry ran out of memory: no type has it. */
#define LOST_ID VT_MAX_INDEX

/* The key form of value type `t` of a type in group [rec, rec + n):
 * `ids` gives the canonical ids of the types before the group (NULL: `t`
 * holds canonical ids already). */
static uint32_t key_type(const uint32_t *ids, uint32_t rec, uint32_t n, wm_valtype t)
{
    if (vt_code(t) != VT_REF_INDEX)
        return t;
    uint32_t index = vt_index(t), id;
    if (index - rec < n)
        id = REC_REF + (index - rec);
    else
        id = ids ? ids[index] : index;
    if (id > VT_MAX_INDEX)
        id = LOST_ID;
    return vt_ref_index(id, vt_nullable(t));
}

/* How many words group_key writes for type `t`. */
static size_t key_words(const wm_functype *t)
{
    return 5 + (size_t)t->nparams + t->nresults + 2 * (size_t)t->nfields;
}

/* Writes type `t` of group [rec, rec + n) as words at `w`; returns the end. */
static uint32_t *group_key(uint32_t *w, const uint32_t *ids, uint32_t rec, uint32_t n,
                           const wm_functype *t)
{
    uint32_t super = NO_ID;
    if (t->nsupers == 1)
        super = t->super - rec < n ? REC_REF + (t->super - rec) : ids ? ids[t->super] : t->super;
    *w++ = t->kind | (uint32_t)t->open << 8;
    *w++ = super;
    *w++ = t->nparams;
    *w++ = t->nresults;
    *w++ = t->nfields;
    for (uint32_t k = 0; k < t->nparams; k++)
        *w++ = key_type(ids, rec, n, t->params[k]);
    for (uint32_t k = 0; k < t->nresults; k++)
        *w++ = key_type(ids, rec, n, t->results[k]);
    for (uint32_t k = 0; k < t->nfields; k++) {
        *w++ = key_type(ids, rec, n, t->fields[k].type);
        *w++ = t->fields[k].mut;
    }
    return w;
}

static uint32_t hash_words(const uint32_t *w, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ w[i]) * 16777619u;
    return h;
}

/* Files group `g` in its bucket. */
static void insert_bucket(uint32_t g)
{
    uint32_t b = groups[g].hash & (nbuckets - 1);
    while (buckets[b])
        b = (b + 1) & (nbuckets - 1);
    buckets[b] = g + 1;
}

/* Doubles the buckets and files every group again. */
static bool grow_buckets(void)
{
    uint32_t n = nbuckets ? 2 * nbuckets : 256;
    uint32_t *grown = calloc(n, sizeof *grown);
    if (!grown)
        return false;
    free(buckets);
    buckets = grown;
    nbuckets = n;
    for (uint32_t g = 0; g < ngroups; g++)
        insert_bucket(g);
    return true;
}

/* The first id of the group of `n` types at `types` (its first type's
 * index `rec`), registered if new; NO_ID when out of memory. sig_lock held. */
static uint32_t group_id_locked(const wm_functype *types, uint32_t rec, uint32_t n,
                                const uint32_t *ids)
{
    size_t len = 0;
    for (uint32_t k = 0; k < n; k++)
        len += key_words(&types[k]);
    uint32_t *key = malloc((len ? len : 1) * sizeof *key);
    if (!key)
        return NO_ID;
    uint32_t *w = key;
    for (uint32_t k = 0; k < n; k++)
        w = group_key(w, ids, rec, n, &types[k]);
    uint32_t hash = hash_words(key, len) ^ n;
    uint32_t b = nbuckets ? hash & (nbuckets - 1) : 0;
    for (; nbuckets && buckets[b]; b = (b + 1) & (nbuckets - 1)) {
        canon_group *e = &groups[buckets[b] - 1];
        if (e->hash == hash && e->n == n && e->len == len &&
            !memcmp(e->key, key, len * sizeof *key)) {
            free(key);
            return e->first;
        }
    }
    if (2 * (ngroups + 1) > nbuckets && !grow_buckets())
        goto fail;
    if (ngroups == groups_cap) {
        uint32_t cap = groups_cap ? 2 * groups_cap : 64;
        canon_group *grown = realloc(groups, cap * sizeof *grown);
        if (!grown)
            goto fail;
        groups = grown;
        groups_cap = cap;
    }
    if (nids + n >= REC_REF)
        goto fail;
    if (nids + n > ids_cap) {
        uint32_t cap = ids_cap ? 2 * ids_cap : 256;
        while (cap < nids + n)
            cap *= 2;
        uint8_t *kinds = realloc(id_kinds, cap);
        if (kinds)
            id_kinds = kinds;
        uint32_t *supers = realloc(id_supers, cap * sizeof *supers);
        if (supers)
            id_supers = supers;
        if (!kinds || !supers)
            goto fail;
        ids_cap = cap;
    }
    uint32_t first = nids;
    for (uint32_t k = 0; k < n; k++) {
        const wm_functype *t = &types[k];
        id_kinds[first + k] = t->kind;
        uint32_t super = NO_ID;
        if (t->nsupers == 1)
            super = t->super - rec < n ? first + (t->super - rec) : ids ? ids[t->super] : t->super;
        id_supers[first + k] = super;
    }
    nids += n;
    groups[ngroups++] = (canon_group){ first, n, hash, (uint32_t)len, key };
    insert_bucket(ngroups - 1);
    return first;
fail:
    free(key);
    return NO_ID;
}

uint32_t wx_sig_id(const wm_functype *t)
{
    pthread_mutex_lock(&sig_lock);
    uint32_t id = group_id_locked(t, UINT32_MAX, 1, NULL);
    pthread_mutex_unlock(&sig_lock);
    return id;
}

/* Gives canonical ids to m's types from m->ncanon up to `upto` (a group
 * boundary), group by group. sig_lock held. */
static void canon_upto_locked(wm_module *m, uint32_t upto)
{
    if (!m->type_ids) {
        m->type_ids = malloc((m->ntypes ? m->ntypes : 1) * sizeof *m->type_ids);
        if (!m->type_ids)
            return;
    }
    uint32_t *ids = m->type_ids;
    while (m->ncanon < upto) {
        const wm_functype *t = &m->types[m->ncanon];
        uint32_t rec = m->ncanon, n = t->nrec ? t->nrec : 1;
        uint32_t first = group_id_locked(t, rec, n, ids);
        for (uint32_t k = 0; k < n; k++)
            ids[rec + k] = first == NO_ID ? LOST_ID : first + k;
        m->ncanon += n;
    }
}

void wm_canon_types(wm_module *m, uint32_t upto)
{
    pthread_mutex_lock(&sig_lock);
    canon_upto_locked(m, upto);
    pthread_mutex_unlock(&sig_lock);
}

const uint32_t *wm_type_ids(const wm_module *m)
{
    wm_module *mm = (wm_module *)m; /* The ids are a cache, like the lowered code. */
    if (m->ntypes == 0)
        return NULL;
    pthread_mutex_lock(&sig_lock);
    if (mm->ncanon < m->ntypes)
        canon_upto_locked(mm, m->ntypes);
    pthread_mutex_unlock(&sig_lock);
    return mm->ncanon == m->ntypes ? mm->type_ids : NULL;
}

wm_valtype wm_canon_valtype(const wm_module *m, wm_valtype t)
{
    if (vt_code(t) != VT_REF_INDEX)
        return t;
    const uint32_t *ids = wm_type_ids(m);
    uint32_t index = vt_index(t);
    uint32_t id = ids && index < m->ntypes ? ids[index] : LOST_ID;
    return vt_ref_index(id > VT_MAX_INDEX ? LOST_ID : id, vt_nullable(t));
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
 * index, or the same canonical id. While the type section is validated,
 * only the groups before the current one have ids (m->ncanon): a type of
 * the current group equals only itself. */
static bool same_type_index(const wm_module *m, uint32_t a, uint32_t b)
{
    if (a == b)
        return true;
    if (a >= m->ncanon || b >= m->ncanon)
        return false;
    return m->type_ids[a] == m->type_ids[b];
}

/* The kind (WM_COMP_*) and declared supertype (NO_ID) of concrete heap
 * type `index`: of module `m`'s types, or of canonical ids when `m` is NULL
 * (sig_lock held). */
static uint8_t index_kind(const wm_module *m, uint32_t index)
{
    if (m)
        return index < m->ntypes ? m->types[index].kind : WM_COMP_FUNC;
    return index < nids ? id_kinds[index] : 0xff;
}

static uint32_t index_super(const wm_module *m, uint32_t index)
{
    if (m)
        return index < m->ntypes && m->types[index].nsupers == 1 ? m->types[index].super : NO_ID;
    return index < nids ? id_supers[index] : NO_ID;
}

uint8_t wm_heap_top(const wm_module *m, wm_valtype t)
{
    switch (vt_code(t)) {
    case VT_FUNCREF: case VT_NOFUNCREF: return VT_FUNCREF;
    case VT_EXTERNREF: case VT_NOEXTERNREF: return VT_EXTERNREF;
    case VT_EXNREF: case VT_NOEXNREF: return VT_EXNREF;
    case VT_REF_INDEX: return index_kind(m, vt_index(t)) == WM_COMP_FUNC ? VT_FUNCREF : VT_ANYREF;
    case VT_REF_BOT: return VT_REF_BOT;
    default: return VT_ANYREF;
    }
}

/* Whether abstract heap type `a` is below abstract `b`. */
static bool abstract_sub(uint8_t a, uint8_t b)
{
    if (a == b)
        return true;
    switch (a) {
    case VT_NONEREF: return b == VT_ANYREF || b == VT_EQREF || b == VT_I31REF ||
                            b == VT_STRUCTREF || b == VT_ARRAYREF;
    case VT_I31REF: case VT_STRUCTREF: case VT_ARRAYREF: return b == VT_EQREF || b == VT_ANYREF;
    case VT_EQREF: return b == VT_ANYREF;
    case VT_NOFUNCREF: return b == VT_FUNCREF;
    case VT_NOEXTERNREF: return b == VT_EXTERNREF;
    case VT_NOEXNREF: return b == VT_EXNREF;
    default: return false;
    }
}

/* Whether the heap type of reference `a` is below that of `b`: of module
 * `m`'s types, or canonical ones when `m` is NULL (sig_lock held). */
static bool heap_sub(const wm_module *m, wm_valtype a, wm_valtype b)
{
    uint8_t ha = vt_code(a), hb = vt_code(b);
    if (ha == VT_REF_BOT)
        return true;
    if (ha != VT_REF_INDEX && hb != VT_REF_INDEX)
        return abstract_sub(ha, hb);
    if (ha != VT_REF_INDEX) {
        /* An abstract type is below a concrete one only as its bottom. */
        uint8_t kind = index_kind(m, vt_index(b));
        return kind == WM_COMP_FUNC ? ha == VT_NOFUNCREF
                                    : ha == VT_NONEREF && kind != 0xff;
    }
    uint32_t ia = vt_index(a);
    if (hb != VT_REF_INDEX) {
        switch (index_kind(m, ia)) {
        case WM_COMP_FUNC: return hb == VT_FUNCREF;
        case WM_COMP_STRUCT: return hb == VT_STRUCTREF || hb == VT_EQREF || hb == VT_ANYREF;
        case WM_COMP_ARRAY: return hb == VT_ARRAYREF || hb == VT_EQREF || hb == VT_ANYREF;
        default: return false;
        }
    }
    uint32_t ib = vt_index(b);
    /* Up the declared supertypes, each of a smaller index (or id). */
    for (uint32_t i = ia, steps = 0; i != NO_ID && steps <= VT_MAX_INDEX; steps++) {
        if (m ? same_type_index(m, i, ib) : i == ib)
            return true;
        uint32_t super = index_super(m, i);
        if (super != NO_ID && super >= i)
            break; /* Not validated yet: no cycle is followed. */
        i = super;
    }
    return false;
}

bool wm_subtype(const wm_module *m, wm_valtype a, wm_valtype b)
{
    if (a == b || a == VT_UNKNOWN || b == VT_UNKNOWN)
        return true;
    if (!vt_is_ref(a) || !vt_is_ref(b))
        return false;
    if (vt_nullable(a) && !vt_nullable(b))
        return false;
    return heap_sub(m, a, b);
}

bool vt_canon_subtype(wm_valtype a, wm_valtype b)
{
    if (a == b)
        return true;
    if (!vt_is_ref(a) || !vt_is_ref(b) || (vt_nullable(a) && !vt_nullable(b)))
        return false;
    pthread_mutex_lock(&sig_lock);
    bool sub = heap_sub(NULL, a, b);
    pthread_mutex_unlock(&sig_lock);
    return sub;
}

bool wx_canon_id_subtype(uint32_t a, uint32_t b)
{
    if (a == b)
        return true;
    if (a > VT_MAX_INDEX || b > VT_MAX_INDEX)
        return false;
    return vt_canon_subtype(vt_ref_index(a, false), vt_ref_index(b, false));
}

uint8_t wx_canon_heap_top(wm_valtype t)
{
    pthread_mutex_lock(&sig_lock);
    uint8_t top = wm_heap_top(NULL, t);
    pthread_mutex_unlock(&sig_lock);
    return top;
}
