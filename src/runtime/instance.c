/* instance.c: instantiation (import matching, allocation of memories,
 * tables and globals, constant expressions, segments, the start function)
 * and the bulk memory and table operations the interpreter's handlers call. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exn.h"
#include "gc.h"
#include "interp.h"
#include "lower.h"
#include "reader.h"
#include "wasm_ops.h"
#include "runtime.h"

/* ---- Memories and tables ----------------------------------------------------- */

wx_memory *wx_memory_create(uint64_t min, uint64_t max, bool is64, bool guarded,
                            weft_status *status)
{
    wx_memory_box *box = calloc(1, sizeof *box);
    if (!box) {
        *status = WEFT_ERR_NOMEM;
        return NULL;
    }
    box->has_max = max != UINT64_MAX;
    box->max = max;
    box->is64 = is64;
    *status = mem_init(&box->mem, min, box->has_max ? max : MEM_MAX_PAGES, guarded);
    if (*status) {
        free(box);
        return NULL;
    }
    return &box->mem;
}

/* ---- Totals --------------------------------------------------------------------- */

wx_budget *wx_budget_take(wx_budget *b, uint64_t memory_bytes, uint64_t table_elems)
{
    for (wx_budget *p = b; p; p = p->parent)
        if (memory_bytes > p->max_memory_bytes - p->memory_bytes ||
            table_elems > p->max_table_elems - p->table_elems)
            return p;
    for (wx_budget *p = b; p; p = p->parent) {
        p->memory_bytes += memory_bytes;
        p->table_elems += table_elems;
    }
    return NULL;
}

void wx_budget_give(wx_budget *b, uint64_t memory_bytes, uint64_t table_elems)
{
    for (wx_budget *p = b; p; p = p->parent) {
        p->memory_bytes -= memory_bytes;
        p->table_elems -= table_elems;
    }
}

/* The message of a total that a new memory or table would exceed. */
static weft_status over_total(const wx_budget *over, const char *what, uint64_t amount,
                              bool memory, weft_error *err)
{
    if (err)
        wm_fail(err, WEFT_ERR_LIMIT, -1, -1, -1, "%s of %" PRIu64 " %s would bring the %s's "
                "total to %" PRIu64 ", over its limit of %" PRIu64 " (max_%s_%s)", what, amount,
                memory ? "bytes" : "elements", over->name,
                (memory ? over->memory_bytes : over->table_elems) + amount,
                memory ? over->max_memory_bytes : over->max_table_elems, over->name,
                memory ? "memory_bytes" : "table_elems");
    return WEFT_ERR_LIMIT;
}

weft_status wx_memory_charge(wx_memory *m, wx_budget *b, const char *what, weft_error *err)
{
    wx_budget *over = wx_budget_take(b, m->size, 0);
    if (over)
        return over_total(over, what, m->size, true, err);
    m->budget = b;
    return WEFT_OK;
}

weft_status wx_table_charge(wx_table *t, wx_budget *b, const char *what, weft_error *err)
{
    wx_budget *over = wx_budget_take(b, 0, t->size);
    if (over)
        return over_total(over, what, t->size, false, err);
    t->budget = b;
    return WEFT_OK;
}

void wx_memory_destroy(wx_memory *m)
{
    if (!m)
        return;
    wx_budget_give(m->budget, m->size, 0);
    mem_free(m);
    free((wx_memory_box *)m);
}

wx_table *wx_table_create(wm_valtype type, uint64_t min, uint64_t max, weft_status *status)
{
    if (min > WM_MAX_TABLE || (max != UINT64_MAX && min > max)) {
        *status = WEFT_ERR_LIMIT;
        return NULL;
    }
    wx_table *t = calloc(1, sizeof *t);
    /* All-zero slots are null references. */
    wx_slot *elems = calloc(min ? min : 1, sizeof *elems);
    if (!t || !elems) {
        free(t);
        free(elems);
        *status = WEFT_ERR_NOMEM;
        return NULL;
    }
    t->elems = elems;
    t->size = (uint32_t)min;
    t->has_max = max != UINT64_MAX;
    t->max = t->has_max ? max : UINT32_MAX;
    t->grow_max = t->max < WM_MAX_TABLE ? t->max : WM_MAX_TABLE;
    t->type = type;
    *status = WEFT_OK;
    return t;
}

/* How the messages about an engine's limits name a memory or a table: the
 * external, its unit (made plural with an "s") and the config field. */
typedef struct limit_names {
    const char *what, *unit, *option;
} limit_names;

static const limit_names memory_names = { "memory", "page", "max_memory_pages" };
static const limit_names table_names = { "table", "element", "max_table_elems" };

/* Applies `limit` to an external of `size` units that may grow to
 * `*grow_max`: a size above it fails, a growth bound above it comes down
 * to it. Memories and tables differ only in the fields, so one check
 * serves both. */
static weft_status apply_limit(const limit_names *names, uint64_t size, uint64_t *grow_max,
                               uint32_t limit, weft_error *err)
{
    if (size > limit) {
        wm_fail(err, WEFT_ERR_LIMIT, -1, -1, -1, "%s of %" PRIu64 " %ss exceeds the engine's "
                "limit of %" PRIu32 " %ss (%s)", names->what, size, names->unit, limit,
                names->unit, names->option);
        return WEFT_ERR_LIMIT;
    }
    if (*grow_max > limit)
        *grow_max = limit;
    return WEFT_OK;
}

weft_status wx_memory_limit(const weft_engine *e, wx_memory *m, weft_error *err)
{
    return apply_limit(&memory_names, m->pages, &m->max_pages, e->config.max_memory_pages, err);
}

weft_status wx_table_limit(const weft_engine *e, wx_table *t, weft_error *err)
{
    return apply_limit(&table_names, t->size, &t->grow_max, e->config.max_table_elems, err);
}

void wx_table_destroy(wx_table *t)
{
    if (!t)
        return;
    wx_budget_give(t->budget, 0, t->size);
    free(t->elems);
    free(t);
}

uint32_t wx_type_slots(const wm_valtype *types, uint32_t n)
{
    uint32_t slots = 0;
    for (uint32_t i = 0; i < n; i++)
        slots += types[i] == VT_V128 ? 2 : 1;
    return slots;
}

/* ---- Bulk memory and table operations ---------------------------------------- */

/* Each checks the whole range before touching anything, so a failing
 * operation writes nothing, and a zero-length one still traps when its
 * offset lies past the end (the 2.0 semantics). In metered code
 * (wx_meter_now.th set) the work goes to wx_bulk_metered, which charges
 * fuel by length and looks at the interrupt flag between chunks; else it
 * is one memset or memmove. */

/* Whether metered code is running on this thread: then a bulk helper hands
 * its work to wx_bulk_metered. */
#define METERED() __builtin_expect(wx_meter_now.th != NULL, 0)

/* Whether [at, at + len) lies inside `size` bytes, for 64-bit operands too:
 * compared so that no sum can wrap. */
static bool in_range(uint64_t at, uint64_t len, uint64_t size)
{
    return len <= size && at <= size - len;
}

uint8_t *wx_memory_at(const wx_memory *m, uint64_t addr, uint64_t offset, uint32_t width)
{
    uint64_t size = m->size;
    if (offset > size || addr > size - offset || width > size - offset - addr)
        return NULL;
    return m->base + offset + addr;
}

wx_trap wx_memory_fill(wx_memory *m, uint64_t dst, uint32_t value, uint64_t len)
{
    if (!in_range(dst, len, m->size))
        return TRAP_MEMORY_OOB;
    if (METERED())
        return wx_bulk_metered(&(wx_bulk){ .kind = BULK_SET, .dst = m->base + dst, .bytes = len,
                                           .value.u32 = value, .obj = m, .dst_at = dst });
    memset(m->base + dst, (int)(uint8_t)value, len);
    return TRAP_NONE;
}

wx_trap wx_memory_copy(wx_memory *dst_mem, wx_memory *src_mem, uint64_t dst, uint64_t src,
                       uint64_t len)
{
    if (!in_range(dst, len, dst_mem->size) || !in_range(src, len, src_mem->size))
        return TRAP_MEMORY_OOB;
    if (METERED())
        return wx_bulk_metered(&(wx_bulk){ .kind = BULK_MOVE, .dst = dst_mem->base + dst,
                                           .src = src_mem->base + src, .bytes = len,
                                           .obj = dst_mem, .dst_at = dst, .src_at = src });
    memmove(dst_mem->base + dst, src_mem->base + src, len);
    return TRAP_NONE;
}

wx_trap wx_memory_init(wx_instance *inst, uint32_t mem, uint32_t data, uint64_t dst,
                       uint32_t src, uint32_t len)
{
    const wm_data *d = &inst->mod->datas[data];
    /* A dropped segment behaves as an empty one. */
    uint64_t seg_len = inst->data_dropped[data] ? 0 : d->len;
    wx_memory *m = inst->memories[mem];
    if ((uint64_t)src + len > seg_len || !in_range(dst, len, m->size))
        return TRAP_MEMORY_OOB;
    if (METERED() && len)
        return wx_bulk_metered(&(wx_bulk){ .kind = BULK_MOVE, .dst = m->base + dst,
                                           .src = d->bytes + src, .bytes = len, .obj = m,
                                           .dst_at = dst, .src_at = src });
    if (len)
        memcpy(m->base + dst, d->bytes + src, len);
    return TRAP_NONE;
}

int64_t wx_table_grow(wx_table *t, uint64_t delta, wx_slot init)
{
    /* grow_max is at most WM_MAX_TABLE, so the sum cannot wrap once the
     * delta is below it. */
    if (delta > t->grow_max)
        return -1;
    uint64_t want = (uint64_t)t->size + delta;
    if (want > t->grow_max || wx_budget_take(t->budget, 0, delta))
        return -1;
    if (delta) {
        wx_slot *grown = realloc(t->elems, want * sizeof *grown);
        if (!grown) {
            wx_budget_give(t->budget, 0, delta);
            return -1;
        }
        for (uint64_t i = t->size; i < want; i++)
            grown[i] = init;
        t->elems = grown;
    }
    uint32_t old = t->size;
    t->size = (uint32_t)want;
    return old;
}

wx_trap wx_table_grow_op(wx_table *t, uint64_t delta, wx_slot init, int64_t *old)
{
    /* Only a grow that can succeed is charged: one past the limits is -1. */
    if (METERED() && delta && delta <= t->grow_max - t->size) {
        wx_trap trap = wx_bulk_charge(delta * sizeof(wx_slot));
        if (trap)
            return trap;
    }
    *old = wx_table_grow(t, delta, init);
    return TRAP_NONE;
}

wx_trap wx_table_fill(wx_table *t, uint64_t dst, wx_slot value, uint64_t len)
{
    if (!in_range(dst, len, t->size))
        return TRAP_TABLE_OOB;
    if (METERED())
        return wx_bulk_metered(&(wx_bulk){ .kind = BULK_FILL_SLOTS,
                                           .dst = (uint8_t *)(t->elems + dst),
                                           .bytes = (uint64_t)len * sizeof(wx_slot),
                                           .value = value, .obj = t, .dst_at = dst });
    for (uint64_t i = 0; i < len; i++)
        t->elems[dst + i] = value;
    return TRAP_NONE;
}

wx_trap wx_table_copy(wx_table *dst_tab, wx_table *src_tab, uint64_t dst, uint64_t src,
                      uint64_t len)
{
    if (!in_range(dst, len, dst_tab->size) || !in_range(src, len, src_tab->size))
        return TRAP_TABLE_OOB;
    if (METERED())
        return wx_bulk_metered(&(wx_bulk){ .kind = BULK_MOVE,
                                           .dst = (uint8_t *)(dst_tab->elems + dst),
                                           .src = (const uint8_t *)(src_tab->elems + src),
                                           .bytes = (uint64_t)len * sizeof(wx_slot),
                                           .obj = dst_tab, .dst_at = dst, .src_at = src });
    memmove(dst_tab->elems + dst, src_tab->elems + src, (size_t)len * sizeof(wx_slot));
    return TRAP_NONE;
}

wx_trap wx_table_init(wx_instance *inst, uint32_t table, uint32_t elem, uint64_t dst,
                      uint32_t src, uint32_t len)
{
    uint64_t seg_len = inst->elem_dropped[elem] ? 0 : inst->mod->elems[elem].count;
    wx_table *t = inst->tables[table];
    if ((uint64_t)src + len > seg_len || !in_range(dst, len, t->size))
        return TRAP_TABLE_OOB;
    if (METERED() && len)
        return wx_bulk_metered(&(wx_bulk){ .kind = BULK_MOVE, .dst = (uint8_t *)(t->elems + dst),
                                           .src = (const uint8_t *)(inst->elem_items[elem] + src),
                                           .bytes = (uint64_t)len * sizeof(wx_slot), .obj = t,
                                           .dst_at = dst, .src_at = src });
    if (len)
        memcpy(t->elems + dst, inst->elem_items[elem] + src, (size_t)len * sizeof(wx_slot));
    return TRAP_NONE;
}

/* ---- Constant expressions ------------------------------------------------------ */

/* A value of a constant expression: one slot, or two for a v128. */
typedef struct const_val {
    wx_slot lo, hi;
} const_val;

/* Applies an extended-const binary operator to the top two values. */
static void const_binary(const_val *a, const_val *b, uint8_t op)
{
    switch (op) {
    case 0x6a: a->lo.u64 = (uint32_t)(a->lo.u32 + b->lo.u32); break;
    case 0x6b: a->lo.u64 = (uint32_t)(a->lo.u32 - b->lo.u32); break;
    case 0x6c: a->lo.u64 = (uint32_t)(a->lo.u32 * b->lo.u32); break;
    case 0x7c: a->lo.u64 = a->lo.u64 + b->lo.u64; break;
    case 0x7d: a->lo.u64 = a->lo.u64 - b->lo.u64; break;
    case 0x7e: a->lo.u64 = a->lo.u64 * b->lo.u64; break;
    }
}

/* Runs garbage collection's constant instructions: ref.i31, the
 * allocations and the extern/any conversions. */
static bool const_gc(const wx_instance *inst, wr_reader *r, const_val *stack, size_t *n)
{
    uint32_t sub, type = 0, count = 0;
    if (!wr_u32(r, &sub))
        return false;
    if (sub <= 8 && sub != 2 && (!wr_u32(r, &type) || type >= inst->mod->ntypes))
        return false;
    const wm_functype *t = &inst->mod->types[type];
    const wx_rtt *rtt = NULL;
    if (sub <= 8 && !(rtt = wx_rtt_of(inst->mod, type)))
        return false;
    void *ref = NULL;
    bool ok = true;
    switch (sub) {
    case 0: case 1: { /* struct.new, struct.new_default */
        uint32_t nf = sub == 0 ? t->nfields : 0;
        if (*n < nf)
            return false;
        wx_obj *o = wx_heap_alloc(inst->heap, rtt, 0);
        if (!o)
            return false;
        const_val *args = stack + *n - nf;
        for (uint32_t k = 0; k < nf; k++) {
            wx_slot two[2] = { args[k].lo, args[k].hi };
            memcpy((uint8_t *)o + rtt->offsets[k], two, rtt->sizes[k]);
        }
        *n -= nf;
        ref = o;
        break;
    }
    case 6: case 7: { /* array.new, array.new_default */
        uint32_t need = sub == 6 ? 2 : 1;
        if (*n < need)
            return false;
        uint32_t len = stack[*n - 1].lo.u32;
        wx_obj *o = wx_heap_alloc(inst->heap, rtt, len);
        if (!o)
            return false;
        if (sub == 6) {
            wx_slot two[2] = { stack[*n - 2].lo, stack[*n - 2].hi };
            wx_array_fill_slot(o, 0, two, len);
        }
        *n -= need;
        ref = o;
        break;
    }
    case 8: { /* array.new_fixed */
        if (!wr_u32(r, &count) || *n < count)
            return false;
        wx_obj *o = wx_heap_alloc(inst->heap, rtt, count);
        if (!o)
            return false;
        const_val *args = stack + *n - count;
        for (uint32_t k = 0; k < count; k++) {
            wx_slot two[2] = { args[k].lo, args[k].hi };
            wx_array_fill_slot(o, k, two, 1);
        }
        *n -= count;
        ref = o;
        break;
    }
    case 26: case 27: /* any.convert_extern, extern.convert_any */
        if (*n < 1)
            return false;
        (*n)--;
        ref = sub == 26 ? wx_any_convert_extern(inst->heap, stack[*n].lo.ref, &ok)
                        : wx_extern_convert_any(inst->heap, stack[*n].lo.ref, &ok);
        if (!ok)
            return false;
        break;
    case 28: /* ref.i31 */
        if (*n < 1)
            return false;
        (*n)--;
        ref = wx_i31_new(stack[*n].lo.u32);
        break;
    default:
        return false;
    }
    stack[(*n)++] = (const_val){ { .ref = ref }, { 0 } };
    return true;
}

/* Runs one instruction of a constant expression; false at `end` or on
 * bytes it does not know (which validation has ruled out). */
static bool const_step(const wx_instance *inst, wr_reader *r, const_val *stack, size_t *n,
                       bool *done)
{
    uint8_t op;
    if (!wr_u8(r, &op))
        return false;
    const_val v = { { 0 }, { 0 } };
    switch (op) {
    case 0x0b:
        *done = true;
        return *n == 1;
    case 0x41: { int32_t x; if (!wr_s32(r, &x)) return false; v.lo.u64 = (uint32_t)x; break; }
    case 0x42: if (!wr_s64(r, &v.lo.i64)) return false; break;
    case 0x43: { uint32_t x; if (!wr_fixed32(r, &x)) return false; v.lo.u64 = x; break; }
    case 0x44: if (!wr_fixed64(r, &v.lo.u64)) return false; break;
    case 0xd0: { int64_t t; if (!wr_s33(r, &t)) return false; break; }
    case 0xd2: {
        uint32_t i;
        if (!wr_u32(r, &i) || i >= inst->mod->nfuncs) return false;
        v.lo.ref = inst->funcs[i];
        break;
    }
    case 0x23: {
        uint32_t i;
        if (!wr_u32(r, &i) || i >= inst->mod->nglobals || !inst->globals[i]) return false;
        v.lo = inst->globals[i]->value[0];
        v.hi = inst->globals[i]->value[1];
        break;
    }
    case 0xfd: {
        uint32_t sub;
        if (!wr_u32(r, &sub) || sub != 12 || !wr_fixed64(r, &v.lo.u64) ||
            !wr_fixed64(r, &v.hi.u64))
            return false;
        break;
    }
    case 0xfb:
        return const_gc(inst, r, stack, n);
    case 0x6a: case 0x6b: case 0x6c: case 0x7c: case 0x7d: case 0x7e:
        if (*n < 2)
            return false;
        const_binary(&stack[*n - 2], &stack[*n - 1], op);
        (*n)--;
        return true;
    default:
        return false;
    }
    stack[(*n)++] = v;
    return true;
}

/* Evaluates a constant expression of a validated module. Every instruction
 * pushes at most one value, so the expression's length bounds the stack. */
static bool eval_const(const wx_instance *inst, const wm_expr *e, const_val *out)
{
    const_val small[16];
    const_val *stack = e->len <= 16 ? small : malloc(e->len * sizeof *stack);
    if (!stack)
        return false;
    weft_error scratch;
    wr_reader r = wr_init(e->code, e->code, e->code + e->len, &scratch);
    size_t n = 0;
    bool done = false, ok = true;
    while (ok && !done)
        ok = const_step(inst, &r, stack, &n, &done);
    if (ok)
        *out = stack[0];
    if (stack != small)
        free(stack);
    return ok;
}

/* ---- Instantiation ------------------------------------------------------------- */

/* The state of one instantiation. */
typedef struct inst_ctx {
    weft_engine *engine;
    const wm_module *m;
    wx_instance *inst;
    weft_error *err;
} inst_ctx;

static weft_status fail(inst_ctx *c, weft_status status, const char *message)
{
    wm_fail(c->err, status, -1, -1, -1, "%s", message);
    return status;
}

static weft_status fail_import(inst_ctx *c, const wm_import *imp, const char *what)
{
    wm_fail(c->err, WEFT_ERR_LINK, -1, -1, -1, "%s: %.*s.%.*s", what,
            (int)imp->module.len, imp->module.str, (int)imp->field.len, imp->field.str);
    return WEFT_ERR_LINK;
}

/* Limits subtyping (spec 2.0, "Import matching"): the provided minimum is
 * at least the declared one, and a declared maximum bounds the provided
 * one, which must then exist. */
static bool limits_match(uint64_t min, bool has_max, uint64_t max, const wm_limits *want)
{
    if (min < want->min)
        return false;
    return !want->has_max || (has_max && max <= want->max);
}

/* Why a validated constant expression could not be evaluated: garbage
 * collection's instructions (0xFB) found the heap full, or else a bad
 * expression. */
static weft_status const_failure(inst_ctx *c, const wm_expr *e)
{
    wr_reader r = wr_init(e->code, e->code, e->code + e->len, NULL);
    while (!wr_eof(&r)) {
        wasm_op op;
        if (!wasm_read_op(&r, &op) || !wasm_skip_imm(&r, (wasm_imm)wasm_op_infos[op].imm))
            break;
        if (wasm_op_is_gc(op))
            return fail(c, WEFT_ERR_NOMEM, "out of memory: the heap cannot hold the objects "
                                           "of a constant expression");
    }
    return fail(c, WEFT_ERR_INVALID, "bad constant expression");
}

static bool import_matches(const inst_ctx *c, const wm_import *imp, const weft_extern *ext)
{
    if ((int)ext->kind != imp->kind)
        return false;
    switch (imp->kind) {
    case EXT_FUNC:
        return ext->of.func && wx_canon_id_subtype(ext->of.func->sig, c->inst->sigs[imp->u.type]);
    case EXT_TABLE: {
        const wx_table *t = ext->of.table;
        return t && t->type == wm_canon_valtype(c->m, imp->u.table.elem) &&
               t->is64 == imp->u.table.limits.is64 &&
               limits_match(t->size, t->has_max, t->max, &imp->u.table.limits);
    }
    case EXT_MEMORY: {
        const wx_memory_box *box = (const wx_memory_box *)ext->of.memory;
        return box && box->is64 == imp->u.memory.limits.is64 &&
               limits_match(box->mem.pages, box->has_max, box->max, &imp->u.memory.limits);
    }
    case EXT_GLOBAL: {
        const wx_global *g = ext->of.global;
        if (!g || g->mut != imp->u.global.mut)
            return false;
        /* A mutable global's type must be the same; an immutable one's may
         * be a subtype. */
        wm_valtype want = wm_canon_valtype(c->m, imp->u.global.type);
        return g->type == want || (!g->mut && vt_canon_subtype(g->type, want));
    }
    case EXT_TAG:
        return ext->of.tag && ext->of.tag->sig == c->inst->sigs[imp->u.tag];
    }
    return false;
}

/* Resolves and checks every import, filling the index spaces' first
 * entries. */
static weft_status link_imports(inst_ctx *c, weft_resolver resolver, void *user)
{
    wx_instance *inst = c->inst;
    uint32_t nf = 0, nt = 0, nm = 0, ng = 0, nx = 0;
    for (uint32_t i = 0; i < c->m->nimports; i++) {
        const wm_import *imp = &c->m->imports[i];
        weft_extern ext;
        memset(&ext, 0, sizeof ext);
        if (!resolver || !resolver(user, imp->module.str, imp->module.len, imp->field.str,
                                   imp->field.len, &ext))
            return fail_import(c, imp, "unknown import");
        if (!import_matches(c, imp, &ext))
            return fail_import(c, imp, "incompatible import type");
        switch (imp->kind) {
        case EXT_FUNC: inst->funcs[nf++] = ext.of.func; break;
        case EXT_TABLE: inst->tables[nt++] = ext.of.table; break;
        case EXT_MEMORY: inst->memories[nm++] = ext.of.memory; break;
        case EXT_GLOBAL: inst->globals[ng++] = ext.of.global; break;
        case EXT_TAG: inst->tags[nx++] = ext.of.tag; break;
        }
    }
    return WEFT_OK;
}

/* Allocates the index spaces and the per-segment arrays. */
static bool alloc_arrays(wx_instance *inst, const wm_module *m)
{
#define ALLOC(field, n) ((inst->field = calloc((n) ? (n) : 1, sizeof *inst->field)) != NULL)
    return ALLOC(funcs, m->nfuncs) && ALLOC(tables, m->ntables) &&
           ALLOC(memories, m->nmemories) && ALLOC(globals, m->nglobals) &&
           ALLOC(elem_dropped, m->nelems) && ALLOC(data_dropped, m->ndatas) &&
           ALLOC(elem_items, m->nelems) && ALLOC(sigs, m->ntypes) &&
           ALLOC(own_funcs, m->nfuncs - m->nimported_funcs) && ALLOC(tags, m->ntags) &&
           ALLOC(own_tags, m->ntags - m->nimported_tags);
#undef ALLOC
}

/* An instance without memory still has a memory 0 for the interpreter to
 * cache: empty, so every access is out of bounds. */
static uint8_t empty_bytes[8];
static wx_memory empty_memory = { .base = empty_bytes, .size = 0, .slot = -1 };

/* A memory or table whose declared minimum is above the engine's limit. */
static weft_status fail_min(inst_ctx *c, const limit_names *names, uint32_t index, uint64_t min,
                            uint32_t limit)
{
    wm_fail(c->err, WEFT_ERR_LIMIT, -1, -1, -1, "%s %" PRIu32 ": minimum of %" PRIu64 " %s%s "
            "exceeds the engine's limit of %" PRIu32 " (%s)", names->what, index, min,
            names->unit, min == 1 ? "" : "s", limit, names->option);
    return WEFT_ERR_LIMIT;
}

/* Creates the module's own memories and tables, and picks the bounds mode:
 * if any memory fell back to explicit checks, the code must check. */
static weft_status create_storage(inst_ctx *c)
{
    const wm_module *m = c->m;
    wx_instance *inst = c->inst;
    bool guarded = c->engine->config.bounds == WEFT_BOUNDS_GUARD;
    weft_status s = WEFT_OK;
    for (uint32_t i = m->nimported_memories; i < m->nmemories; i++) {
        const wm_limits *l = &m->memories[i].type.limits;
        /* The engine's limit is checked first, so that a minimum above it
         * says so rather than failing to reserve. */
        if (l->min > c->engine->config.max_memory_pages)
            return fail_min(c, &memory_names, i, l->min, c->engine->config.max_memory_pages);
        inst->memories[i] = wx_memory_create(l->min, l->has_max ? l->max : UINT64_MAX,
                                             l->is64, guarded, &s);
        if (!inst->memories[i])
            return fail(c, s, "cannot create memory");
        char what[32];
        snprintf(what, sizeof what, "memory %" PRIu32, i);
        if ((s = wx_memory_limit(c->engine, inst->memories[i], c->err)) ||
            (s = wx_memory_charge(inst->memories[i], &inst->budget, what, c->err)))
            return s;
    }
    for (uint32_t i = m->nimported_tables; i < m->ntables; i++) {
        const wm_tabletype *t = &m->tables[i].type;
        if (t->limits.min > c->engine->config.max_table_elems)
            return fail_min(c, &table_names, i, t->limits.min, c->engine->config.max_table_elems);
        inst->tables[i] = wx_table_create(wm_canon_valtype(m, t->elem), t->limits.min,
                                          t->limits.has_max ? t->limits.max : UINT64_MAX, &s);
        if (!inst->tables[i])
            return fail(c, s, "cannot create table");
        inst->tables[i]->is64 = t->limits.is64;
        if (t->limits.has_max && t->limits.max == UINT64_MAX) {
            /* A 64-bit table's largest maximum, which wx_table_create
             * reads as none. */
            inst->tables[i]->has_max = true;
            inst->tables[i]->max = UINT64_MAX;
        }
        char what[32];
        snprintf(what, sizeof what, "table %" PRIu32, i);
        if ((s = wx_table_limit(c->engine, inst->tables[i], c->err)) ||
            (s = wx_table_charge(inst->tables[i], &inst->budget, what, c->err)))
            return s;
    }
    for (uint32_t i = 0; i < m->nmemories; i++)
        if (!inst->memories[i]->guarded)
            inst->explicit_bounds = true;
    inst->mem0 = m->nmemories ? inst->memories[0] : &empty_memory;
    return WEFT_OK;
}

/* Makes the function instances of the module's own functions. */
static weft_status create_funcs(inst_ctx *c)
{
    const wm_module *m = c->m;
    wx_instance *inst = c->inst;
    inst->code = lower_code_cache(m, inst->dispatch, inst->explicit_bounds, inst->metering);
    if (!inst->code)
        return fail(c, WEFT_ERR_NOMEM, "out of memory");
    for (uint32_t i = m->nimported_funcs; i < m->nfuncs; i++) {
        wx_func *f = &inst->own_funcs[i - m->nimported_funcs];
        const wm_functype *t = wm_func_type(m, i);
        uint32_t np = wx_type_slots(t->params, t->nparams);
        uint32_t nr = wx_type_slots(t->results, t->nresults);
        const wm_func *fn = &m->funcs[i];
        *f = (wx_func){ .type = t, .sig = inst->sigs[fn->type], .inst = inst,
                        .index = i, .nargs = np, .nslots = np > nr ? np : nr,
                        .nlocals = wx_type_slots(fn->local_types, fn->nlocals),
                        .code = &inst->code[i] };
        inst->funcs[i] = f;
    }
    /* The module's own tags: each instantiation makes new ones. */
    for (uint32_t i = m->nimported_tags; i < m->ntags; i++) {
        wx_tag *t = &inst->own_tags[i - m->nimported_tags];
        const wm_functype *type = &m->types[m->tags[i].type];
        *t = (wx_tag){ .type = type, .sig = inst->sigs[m->tags[i].type],
                       .nslots = wx_type_slots(type->params, type->nparams), .index = i };
        inst->tags[i] = t;
    }
    return WEFT_OK;
}

/* Evaluates the module's own globals' initialisers, in order, so each may
 * read the ones before it. */
static weft_status create_globals(inst_ctx *c)
{
    const wm_module *m = c->m;
    for (uint32_t i = m->nimported_globals; i < m->nglobals; i++) {
        wx_global *g = calloc(1, sizeof *g);
        if (!g)
            return fail(c, WEFT_ERR_NOMEM, "out of memory");
        c->inst->globals[i] = g;
        g->type = wm_canon_valtype(m, m->globals[i].type.type);
        g->mut = m->globals[i].type.mut;
        const_val v;
        if (!eval_const(c->inst, &m->globals[i].init, &v))
            return const_failure(c, &m->globals[i].init);
        g->value[0] = v.lo;
        g->value[1] = v.hi;
    }
    return WEFT_OK;
}

/* Fills the module's own tables that have an initial value with it. */
static weft_status init_tables(inst_ctx *c)
{
    const wm_module *m = c->m;
    for (uint32_t i = m->nimported_tables; i < m->ntables; i++) {
        if (!m->tables[i].has_init)
            continue;
        const_val v;
        if (!eval_const(c->inst, &m->tables[i].init, &v))
            return const_failure(c, &m->tables[i].init);
        wx_table *t = c->inst->tables[i];
        for (uint32_t k = 0; k < t->size; k++)
            t->elems[k] = v.lo;
    }
    return WEFT_OK;
}

/* Evaluates every element segment's references once, so applying a segment
 * (at instantiation or by table.init) is a copy. */
static weft_status eval_elems(inst_ctx *c)
{
    const wm_module *m = c->m;
    for (uint32_t i = 0; i < m->nelems; i++) {
        const wm_elem *e = &m->elems[i];
        wx_slot *items = calloc(e->count ? e->count : 1, sizeof *items);
        if (!items)
            return fail(c, WEFT_ERR_NOMEM, "out of memory");
        c->inst->elem_items[i] = items;
        for (uint32_t k = 0; k < e->count; k++) {
            if (e->funcs) {
                items[k].ref = c->inst->funcs[e->funcs[k]];
                continue;
            }
            const_val v;
            if (!eval_const(c->inst, &e->exprs[k], &v))
                return const_failure(c, &e->exprs[k]);
            items[k] = v.lo;
        }
    }
    return WEFT_OK;
}

static weft_status trap_status(inst_ctx *c, wx_trap t)
{
    char msg[256];
    weft_status s = wx_trap_status(t);
    wm_fail(c->err, s, -1, -1, -1, "%s",
            wx_trap_describe(&c->engine->thread, t, msg, sizeof msg));
    return s;
}

/* Applies the active segments in order, element segments first (spec 2.0:
 * table.init then elem.drop, memory.init then data.drop). A segment out of
 * bounds traps, and the ones before it keep their effects. */
static weft_status apply_segments_unmetered(inst_ctx *c);

/* Segments are applied unmetered, even by an instantiation that a host
 * function makes from metered code: they are not guest instructions. */
static weft_status apply_segments(inst_ctx *c)
{
    wx_meter saved = wx_meter_swap((wx_meter){ .th = NULL });
    weft_status s = apply_segments_unmetered(c);
    wx_meter_swap(saved);
    return s;
}

static weft_status apply_segments_unmetered(inst_ctx *c)
{
    const wm_module *m = c->m;
    wx_instance *inst = c->inst;
    for (uint32_t i = 0; i < m->nelems; i++) {
        const wm_elem *e = &m->elems[i];
        if (e->mode == SEG_ACTIVE) {
            const_val off;
            if (!eval_const(inst, &e->offset, &off))
                return fail(c, WEFT_ERR_INVALID, "bad constant expression");
            uint64_t at = m->tables[e->table].type.limits.is64 ? off.lo.u64 : off.lo.u32;
            wx_trap t = wx_table_init(inst, e->table, i, at, 0, e->count);
            if (t)
                return trap_status(c, t);
        }
        if (e->mode != SEG_PASSIVE)
            inst->elem_dropped[i] = true;
    }
    for (uint32_t i = 0; i < m->ndatas; i++) {
        const wm_data *d = &m->datas[i];
        if (d->mode != SEG_ACTIVE)
            continue;
        const_val off;
        if (!eval_const(inst, &d->offset, &off))
            return fail(c, WEFT_ERR_INVALID, "bad constant expression");
        uint64_t at = m->memories[d->memory].type.limits.is64 ? off.lo.u64 : off.lo.u32;
        wx_trap t = wx_memory_init(inst, d->memory, i, at, 0, d->len);
        if (t)
            return trap_status(c, t);
        inst->data_dropped[i] = true;
    }
    return WEFT_OK;
}

static weft_status run_start(inst_ctx *c)
{
    if (!c->m->has_start)
        return WEFT_OK;
    wx_thread *th = &c->engine->thread;
    wx_func *f = c->inst->funcs[c->m->start];
    if (th->sp + f->nslots > th->stack_end)
        return trap_status(c, TRAP_EXHAUSTED);
    wx_trap t = wx_invoke(th, f, th->sp);
    /* A stopped start function cannot be resumed: instantiation has failed. */
    th->stopped.active = false;
    return t ? trap_status(c, t) : WEFT_OK;
}

/* Builds the instance up to the point where it can have effects outside
 * itself: until then a failure frees it entirely. */
static weft_status build(inst_ctx *c, weft_resolver resolver, void *user)
{
    const wm_module *m = c->m;
    const weft_config *cfg = &c->engine->config;
    if (m->nmemories > cfg->max_instance_memories || m->ntables > cfg->max_instance_tables) {
        bool mems = m->nmemories > cfg->max_instance_memories;
        wm_fail(c->err, WEFT_ERR_LIMIT, -1, -1, -1, "the module has %" PRIu32 " %s, over the "
                "limit of %" PRIu32 " per instance (max_instance_%s)",
                mems ? m->nmemories : m->ntables, mems ? "memories" : "tables",
                mems ? cfg->max_instance_memories : cfg->max_instance_tables,
                mems ? "memories" : "tables");
        return WEFT_ERR_LIMIT;
    }
    if (c->engine->ninstances >= cfg->max_instances) {
        wm_fail(c->err, WEFT_ERR_LIMIT, -1, -1, -1, "the engine has made %" PRIu32 " instances, "
                "its limit (max_instances)", c->engine->ninstances);
        return WEFT_ERR_LIMIT;
    }
    c->inst->budget = (wx_budget){ .max_memory_bytes = cfg->max_instance_memory_bytes,
                                   .max_table_elems = cfg->max_instance_table_elems,
                                   .name = "instance", .parent = &c->engine->budget };
    if (!alloc_arrays(c->inst, m))
        return fail(c, WEFT_ERR_NOMEM, "out of memory");
    const uint32_t *ids = wm_type_ids(m);
    if (m->ntypes && !ids)
        return fail(c, WEFT_ERR_NOMEM, "out of memory");
    for (uint32_t i = 0; i < m->ntypes; i++)
        c->inst->sigs[i] = ids[i];
    weft_status s;
    if ((s = link_imports(c, resolver, user)) || (s = create_storage(c)) ||
        (s = create_funcs(c)) || (s = create_globals(c)) || (s = init_tables(c)) ||
        (s = eval_elems(c)))
        return s;
    return WEFT_OK;
}

weft_status weft_instantiate(weft_engine *engine, const weft_module *module,
                             weft_resolver resolver, void *resolver_user,
                             weft_instance **out, weft_error *err)
{
    weft_error local;
    if (!err)
        err = &local;
    *err = (weft_error){ .status = WEFT_OK, .section = -1, .func = -1, .offset = -1 };
    *out = NULL;
    if (!engine || !module) {
        wm_fail(err, WEFT_ERR_ARGUMENT, -1, -1, -1, "no engine or module given");
        return err->status;
    }
    /* A weft_module wraps a wm_module as its first member (module.c). */
    const wm_module *m = (const wm_module *)module;
    inst_ctx c = { .engine = engine, .m = m, .err = err };
    c.inst = calloc(1, sizeof *c.inst);
    if (!c.inst) {
        wm_fail(err, WEFT_ERR_NOMEM, -1, -1, -1, "out of memory");
        return err->status;
    }
    c.inst->mod = m;
    c.inst->heap = engine->thread.heap;
    /* Constant expressions allocate without collecting (what they make is
     * no root until the instance is the engine's): a collection that is
     * due comes first. */
    wx_gc_collect_due(&engine->thread);
    c.inst->dispatch = (wx_dispatch)engine->config.dispatch;
    c.inst->metering = (engine->config.fuel ? METER_FUEL : METER_NONE) |
                       (engine->config.interruptible ? METER_INTERRUPT : METER_NONE);
    weft_status s = build(&c, resolver, resolver_user);
    if (!s && !wx_engine_own(engine, OWN_INSTANCE, c.inst))
        s = fail(&c, WEFT_ERR_NOMEM, "out of memory");
    if (!s)
        engine->ninstances++;
    if (s) {
        wx_instance_free(c.inst);
        return s;
    }
    /* From here on the instance may have written its functions into
     * imported tables, so a failure leaves it alive, owned by the engine, as
     * the spec leaves it in the store. */
    if ((s = apply_segments(&c)) || (s = run_start(&c)))
        return s;
    *out = c.inst;
    return WEFT_OK;
}

void wx_instance_free(wx_instance *inst)
{
    if (!inst)
        return;
    const wm_module *m = inst->mod;
    if (inst->memories)
        for (uint32_t i = m->nimported_memories; i < m->nmemories; i++)
            wx_memory_destroy(inst->memories[i]);
    if (inst->tables)
        for (uint32_t i = m->nimported_tables; i < m->ntables; i++)
            wx_table_destroy(inst->tables[i]);
    if (inst->globals)
        for (uint32_t i = m->nimported_globals; i < m->nglobals; i++)
            free(inst->globals[i]);
    if (inst->elem_items)
        for (uint32_t i = 0; i < m->nelems; i++)
            free(inst->elem_items[i]);
    free(inst->funcs);
    free(inst->tables);
    free(inst->memories);
    free(inst->globals);
    free(inst->elem_dropped);
    free(inst->data_dropped);
    free(inst->elem_items);
    free(inst->sigs);
    free(inst->own_funcs);
    free(inst->tags);
    free(inst->own_tags);
    free(inst);
}
