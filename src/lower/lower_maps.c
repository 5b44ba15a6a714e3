/* lower_maps.c: stack maps. Lowering knows the type of every local and of
 * every entry of the operand stack it simulates, so at each point where a
 * collection can run (a call, an allocating instruction) it knows which
 * frame slots hold references: the collector reads those and no other
 * word of the frame (lower.h, wx_stackmap). Sites are recorded in the
 * order the code is emitted, with positions in the code as emitted;
 * lower_finish remaps the positions and lo_stackmap sorts the keys. */
#include "lower_internal.h"

typedef struct lo_site {
    uint32_t pos;       /* The instruction, UINT32_MAX until closed. */
    uint32_t first;     /* Its slots: site_slots[first], `count` of them. */
    uint32_t count;
    bool call;
} lo_site;

static void add_slot(lo_ctx *l, uint16_t slot)
{
    if (!grow(l, (void **)&l->site_slots, &l->site_slots_cap, l->nsite_slots + 1,
              sizeof *l->site_slots))
        return;
    l->site_slots[l->nsite_slots++] = slot;
}

/* The locals' slots that may hold objects: the same at every site. */
static void find_ref_locals(lo_ctx *l)
{
    l->ref_locals_known = true;
    uint32_t n = 0;
    for (uint32_t i = 0; i < l->nlocals; i++)
        n += vt_holds_object(l->locals[i].type);
    if (!n)
        return;
    l->ref_locals = malloc(n * sizeof *l->ref_locals);
    if (!l->ref_locals) {
        lo_fail(l, WEFT_ERR_NOMEM, "out of memory while lowering");
        return;
    }
    for (uint32_t i = 0; i < l->nlocals; i++)
        if (vt_holds_object(l->locals[i].type))
            l->ref_locals[l->nref_locals++] = l->locals[i].slot;
}

uint32_t lo_site_open(lo_ctx *l, uint32_t upto)
{
    if (!l->ref_locals_known)
        find_ref_locals(l);
    uint32_t first = l->nsite_slots;
    for (uint32_t i = 0; i < l->nref_locals; i++)
        add_slot(l, l->ref_locals[i]);
    for (uint32_t i = 0; i < upto && i < l->nvals; i++)
        if (l->vals[i].kind == LV_TEMP && vt_holds_object(l->vals[i].type))
            add_slot(l, l->vals[i].home);
    if (l->nsite_slots == first || l->failed)
        return UINT32_MAX;
    if (!grow(l, (void **)&l->sites, &l->sites_cap, l->nsites + 1, sizeof *l->sites))
        return UINT32_MAX;
    l->sites[l->nsites] = (lo_site){ UINT32_MAX, first, l->nsite_slots - first, false };
    return l->nsites++;
}

void lo_site_close(lo_ctx *l, uint32_t site, uint32_t pos, bool call)
{
    if (site == UINT32_MAX || !l->len)
        return;
    l->sites[site].pos = pos;
    l->sites[site].call = call;
}

bool lo_site_at(const lo_ctx *l, uint32_t pos)
{
    /* Sites close in code order: the search stops at the first before pos
     * (a site still open has no position yet). */
    for (uint32_t k = l->nsites; k-- > 0 && l->sites[k].pos >= pos;)
        if (l->sites[k].pos == pos)
            return true;
    return false;
}

void lo_sites_copy(lo_ctx *l, uint32_t from, uint32_t to, uint32_t at)
{
    for (uint32_t k = 0, n = l->nsites; k < n; k++) {
        lo_site s = l->sites[k];
        if (s.pos < from || s.pos >= to)
            continue;
        if (!grow(l, (void **)&l->sites, &l->sites_cap, l->nsites + 1, sizeof *l->sites))
            return;
        s.pos = at + (s.pos - from);
        l->sites[l->nsites++] = s;
    }
}

uint32_t *lo_site_positions(lo_ctx *l)
{
    uint32_t *p = malloc((l->nsites + 1) * sizeof *p);
    if (!p) {
        lo_fail(l, WEFT_ERR_NOMEM, "out of memory while lowering");
        return NULL;
    }
    for (uint32_t k = 0; k < l->nsites; k++)
        p[k] = l->sites[k].pos;
    return p;
}

static int by_key(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

wx_stackmap *lo_stackmap(lo_ctx *l, const uint32_t *positions)
{
    /* Sorted by key, each key with its site's index in the low bits. */
    uint32_t n = 0;
    uint64_t *order = malloc((l->nsites + 1) * sizeof *order);
    if (!order) {
        lo_fail(l, WEFT_ERR_NOMEM, "out of memory while lowering");
        return NULL;
    }
    size_t nslots = 0;
    for (uint32_t k = 0; k < l->nsites; k++) {
        const lo_site *s = &l->sites[k];
        if (s->pos == UINT32_MAX)
            continue; /* Opened, its instruction never emitted (lowering failed). */
        uint32_t at = positions[k];
        if (s->call) /* The return address: the instruction after the call. */
            at += ir_format_words((ir_format)ir_op_format[l->ops[s->pos]]);
        order[n++] = (uint64_t)(at * 2u + s->call) << 32 | k;
        nslots += s->count;
    }
    wx_stackmap *m = NULL;
    if (n) {
        qsort(order, n, sizeof *order, by_key);
        m = malloc(sizeof *m + n * sizeof *m->keys + (n + 1) * sizeof *m->first +
                   nslots * sizeof *m->slots);
        if (!m) {
            free(order);
            lo_fail(l, WEFT_ERR_NOMEM, "out of memory while lowering");
            return NULL;
        }
        m->nsites = n;
        m->keys = (uint32_t *)(m + 1);
        m->first = m->keys + n;
        m->slots = (uint16_t *)(m->first + n + 1);
        uint32_t used = 0;
        for (uint32_t j = 0; j < n; j++) {
            const lo_site *s = &l->sites[(uint32_t)order[j]];
            m->keys[j] = (uint32_t)(order[j] >> 32);
            m->first[j] = used;
            memcpy(m->slots + used, l->site_slots + s->first, s->count * sizeof *m->slots);
            used += s->count;
        }
        m->first[n] = used;
    }
    free(order);
    return m;
}

void lo_sites_free(lo_ctx *l)
{
    free(l->ref_locals);
    free(l->sites);
    free(l->site_slots);
}
