/* lower_exn.c: lowering exception handling: throw, throw_ref, try_table and
 * the legacy try, catch, catch_all, delegate and rethrow; each function's
 * handler table (exn.h), built as its body is lowered; and the tables of a
 * module's lowered code, which the unwinder looks up.
 *
 * No instruction runs on entering or leaving a try_table: its body's IR
 * range becomes a scope, and each catch clause a handler that names where
 * the catching code continues, which is the clause's label itself (the
 * payload goes straight into the slots a branch there fills). A legacy try
 * is the same with the catch bodies as the targets, each of which begins
 * with the caught exnref in a hidden stack entry below the frame, for
 * rethrow. */
#include <pthread.h>

#include "exn.h"
#include "lower_internal.h"

/* Where a handler's target is the function's return (a catch clause whose
 * label is the function's): resolved at the end of the code. */
#define TARGET_RETURN (UINT32_MAX - 1)
#define TARGET_UNKNOWN UINT32_MAX

typedef struct lo_exn {
    wx_scope *scopes;
    uint32_t nscopes, scopes_cap;
    wx_handler *handlers;
    uint32_t *owner;           /* The scope of each handler. */
    uint32_t nhandlers, handlers_cap, owner_cap;
    uint32_t open;             /* Scopes whose range is still open. */
    bool needs_return;         /* Some handler targets the function's return. */
} lo_exn;

static lo_exn *state(lo_ctx *l)
{
    if (!l->exn && !(l->exn = calloc(1, sizeof *l->exn)))
        lo_fail(l, WEFT_ERR_NOMEM, "out of memory while lowering");
    return l->exn;
}

bool lo_exn_open(const lo_ctx *l) { return l->exn && l->exn->open; }

void lo_exn_free(lo_ctx *l)
{
    if (!l->exn)
        return;
    free(l->exn->scopes);
    free(l->exn->handlers);
    free(l->exn->owner);
    free(l->exn);
    l->exn = NULL;
}

/* Whether frame `f` covers its body with a scope: a try_table, or a legacy
 * try still in its body (its catch bodies are not covered). */
static bool covering(const lo_frame *f)
{
    return f->scope && (f->kind == WV_TRY_TABLE || f->kind == WV_TRY);
}

/* The scope that an exception thrown directly inside the frame at `depth`
 * goes to first: that of the innermost covering frame there or outside. */
static uint32_t scope_at(lo_ctx *l, uint32_t depth)
{
    for (uint32_t d = depth; d < l->nframes; d++) {
        const lo_frame *f = frame_at(l, d);
        if (covering(f))
            return f->scope - 1;
    }
    return UINT32_MAX;
}

/* Opens a scope for the frame just pushed (the innermost). */
static void open_scope(lo_ctx *l)
{
    lo_exn *x = state(l);
    if (!x || !grow(l, (void **)&x->scopes, &x->scopes_cap, x->nscopes + 1, sizeof *x->scopes))
        return;
    uint32_t parent = scope_at(l, 1);
    x->scopes[x->nscopes] = (wx_scope){ .start = l->len, .end = l->len, .parent = parent };
    l->top->scope = ++x->nscopes;
    x->open++;
}

void lo_exn_close(lo_ctx *l, lo_frame *f)
{
    if (!covering(f) || !l->exn)
        return;
    l->exn->scopes[f->scope - 1].end = l->len;
    l->exn->open--;
}

/* Adds a handler to scope `scope`; returns its index or UINT32_MAX. */
static uint32_t add_handler(lo_ctx *l, uint32_t scope, wx_handler h)
{
    lo_exn *x = state(l);
    if (!x || !grow(l, (void **)&x->handlers, &x->handlers_cap, x->nhandlers + 1,
                    sizeof *x->handlers) ||
        !grow(l, (void **)&x->owner, &x->owner_cap, x->nhandlers + 1, sizeof *x->owner))
        return UINT32_MAX;
    x->handlers[x->nhandlers] = h;
    x->owner[x->nhandlers] = scope;
    return x->nhandlers++;
}

void lo_exn_set_target(lo_ctx *l, uint32_t handler, uint32_t target)
{
    if (l->exn && handler < l->exn->nhandlers)
        l->exn->handlers[handler].target = target;
}

/* The slots a tag's payload takes. */
static uint16_t payload_slots(const lo_ctx *l, uint32_t tag)
{
    const wm_functype *t = &l->m->types[l->m->tags[tag].type];
    uint32_t n = 0;
    for (uint32_t i = 0; i < t->nparams; i++)
        n += width(t->params[i]);
    return (uint16_t)n;
}

/* One try_table catch clause, for the scope about to open (index `scope`):
 * the payload goes where a branch to the label puts its values, and the
 * handler continues at the label. */
static void add_catch(lo_ctx *l, uint32_t scope, uint8_t kind, uint32_t tag, uint32_t depth)
{
    lo_frame *f = frame_at(l, depth);
    wx_handler h = { .kind = kind, .tag = tag, .target = TARGET_UNKNOWN };
    uint16_t n = kind < EXN_CATCH_ALL ? payload_slots(l, tag) : 0;
    if (f->kind == WV_FUNC) {
        /* The function's results: slots 0..., then return. */
        h.dst = 0;
        h.target = TARGET_RETURN;
        l->exn->needs_return = true;
    } else {
        h.dst = f->base;
        if (f->kind == WV_LOOP)
            h.target = f->start;
    }
    if (h.dst + n > 0xfffe) {
        lo_fail(l, WEFT_ERR_LIMIT, FRAME_LIMIT_MESSAGE);
        return;
    }
    h.ref = (uint16_t)(h.dst + n);
    uint32_t k = add_handler(l, scope, h);
    if (k != UINT32_MAX && h.target == TARGET_UNKNOWN)
        lo_add_patch(l, f, UINT32_MAX, k, 0);
}

static void lower_try_table(lo_ctx *l, wv_ctx *c, wv_imm *imm)
{
    if (!state(l))
        return;
    uint32_t scope = l->exn->nscopes;
    wr_reader r = wr_init(imm->targets, imm->targets, c->r.p, NULL);
    for (uint32_t i = 0; i < imm->ntargets; i++) {
        uint8_t kind;
        uint32_t tag, label;
        read_catch(&r, &kind, &tag, &label);
        add_catch(l, scope, kind, tag, label);
    }
    lo_block(l, WV_TRY_TABLE, c, imm);
    open_scope(l);
}

/* A legacy catch or catch_all: the body before it ends, and a handler body
 * begins with the exnref in a hidden entry and the payload above it. */
static void lower_catch(lo_ctx *l, uint32_t tag, bool all)
{
    lo_frame *f = frame_at(l, 0);
    if (!f->scope)
        return; /* A try lowered as dead code: its handlers are dead too. */
    lo_exn_close(l, f);
    lo_end_body(l);
    uint32_t scope = f->scope - 1;
    f->kind = all ? WV_CATCH_ALL : WV_CATCH;
    uint16_t ref = push_temp(l, VT_EXNREF);
    f->height++;
    f->below = 1;
    wx_handler h = { .kind = all ? EXN_CATCH_ALL_REF : EXN_CATCH_REF, .tag = tag,
                     .target = l->len, .dst = (uint16_t)(ref + 1), .ref = ref };
    if (!all) {
        const wm_functype *t = &l->m->types[l->m->tags[tag].type];
        for (uint32_t i = 0; i < t->nparams; i++)
            push_temp(l, t->params[i]);
    }
    add_handler(l, scope, h);
}

/* try ... delegate: the search goes on in the scope of the label's frame
 * (the try's own frame is the innermost, so the label counts from one). */
static void lower_delegate(lo_ctx *l, uint32_t depth)
{
    lo_frame *f = frame_at(l, 0);
    if (f->scope) {
        wx_handler h = { .kind = EXN_DELEGATE, .tag = scope_at(l, depth + 1) };
        add_handler(l, f->scope - 1, h);
    }
    lo_end(l);
}

/* throw: the payload in consecutive slots, as a call's arguments. */
static void lower_throw(lo_ctx *l, uint32_t tag)
{
    const wm_functype *t = &l->m->types[l->m->tags[tag].type];
    for (uint32_t j = 0; j < t->nparams; j++)
        lo_materialize(l, peek(l, j));
    uint32_t first = l->nvals - t->nparams;
    uint16_t args = first < l->nvals ? l->vals[first].home : next_home(l);
    emit_ssi(l, IR_THROW, args, 0, tag);
    for (uint32_t j = 0; j < t->nparams; j++)
        drop(l);
    lo_set_dead(l);
}

bool lo_exn_op(lo_ctx *l, wv_ctx *c, wasm_op op, wv_imm *imm)
{
    if (l->top->dead) {
        /* Unreachable code: only the block structure matters, except that
         * the catch bodies of a reachable try are reachable. */
        switch (op) {
        case WOP_CATCH: case WOP_CATCH_ALL:
            lower_catch(l, imm->index, op == WOP_CATCH_ALL);
            break;
        case WOP_DELEGATE:
            lower_delegate(l, imm->index);
            break;
        default:
            break;
        }
        return !l->failed;
    }
    switch (op) {
    case WOP_TRY_TABLE:
        lower_try_table(l, c, imm);
        break;
    case WOP_TRY:
        lo_block(l, WV_TRY, c, imm);
        open_scope(l);
        break;
    case WOP_CATCH: case WOP_CATCH_ALL:
        lower_catch(l, imm->index, op == WOP_CATCH_ALL);
        break;
    case WOP_DELEGATE:
        lower_delegate(l, imm->index);
        break;
    case WOP_THROW:
        lower_throw(l, imm->index);
        break;
    case WOP_THROW_REF: {
        uint16_t s = operand(l, 0);
        drop(l);
        emit_s(l, IR_THROW_REF, 2, s, 0, 0, 0);
        lo_set_dead(l);
        break;
    }
    case WOP_RETHROW:
        /* The catch's exnref sits in its frame's hidden entry, at its base. */
        emit_s(l, IR_THROW_REF, 2, frame_at(l, imm->index)->base, 0, 0, 0);
        lo_set_dead(l);
        break;
    default:
        return lo_fail(l, WEFT_ERR_INVALID, "not an exception instruction");
    }
    return !l->failed;
}

/* ---- The table ---------------------------------------------------------------- */

bool lo_exn_finish(lo_ctx *l, uint32_t **labels, uint32_t *nlabels)
{
    *labels = NULL;
    *nlabels = 0;
    lo_exn *x = l->exn;
    if (!x || (!x->nscopes && !x->nhandlers))
        return true;
    uint32_t ret = UINT32_MAX;
    if (x->needs_return) {
        label(l);
        ret = emit(l, IR_RETURN, 1);
    }
    uint32_t n = 2 * x->nscopes + x->nhandlers;
    uint32_t *p = malloc((n ? n : 1) * sizeof *p);
    if (!p)
        return lo_fail(l, WEFT_ERR_NOMEM, "out of memory while lowering");
    uint32_t k = 0;
    for (uint32_t i = 0; i < x->nscopes; i++) {
        p[k++] = x->scopes[i].start;
        p[k++] = x->scopes[i].end;
    }
    for (uint32_t i = 0; i < x->nhandlers; i++) {
        wx_handler *h = &x->handlers[i];
        if (h->target == TARGET_RETURN)
            h->target = ret;
        /* A label never reached (its frame's end lowered as dead code)
         * still has a position: the end of the code. */
        if (h->kind == EXN_DELEGATE || h->target > l->len)
            h->target = l->len;
        p[k++] = h->target;
    }
    *labels = p;
    *nlabels = n;
    return true;
}

wx_handlers *lo_exn_table(lo_ctx *l, const uint32_t *labels)
{
    lo_exn *x = l->exn;
    if (!x || (!x->nscopes && !x->nhandlers))
        return NULL;
    size_t size = sizeof(wx_handlers) + x->nscopes * sizeof(wx_scope) +
                  x->nhandlers * sizeof(wx_handler);
    wx_handlers *t = calloc(1, size);
    if (!t) {
        lo_fail(l, WEFT_ERR_NOMEM, "out of memory while lowering");
        return NULL;
    }
    t->nscopes = x->nscopes;
    t->nhandlers = x->nhandlers;
    t->scopes = (wx_scope *)(t + 1);
    t->handlers = (wx_handler *)(t->scopes + x->nscopes);
    uint32_t k = 0;
    for (uint32_t i = 0; i < x->nscopes; i++) {
        t->scopes[i] = x->scopes[i];
        t->scopes[i].start = labels[k++];
        t->scopes[i].end = labels[k++];
        t->scopes[i].count = 0;
    }
    /* Each scope's handlers side by side, in the order they were added. */
    for (uint32_t i = 0; i < x->nhandlers; i++)
        t->scopes[x->owner[i]].count++;
    uint32_t first = 0;
    for (uint32_t i = 0; i < x->nscopes; i++) {
        t->scopes[i].first = first;
        first += t->scopes[i].count;
        t->scopes[i].count = 0;
    }
    for (uint32_t i = 0; i < x->nhandlers; i++) {
        wx_scope *s = &t->scopes[x->owner[i]];
        wx_handler h = x->handlers[i];
        if (h.kind != EXN_DELEGATE)
            h.target = labels[k];
        k++;
        t->handlers[s->first + s->count++] = h;
    }
    return t;
}

/* ---- The tables of a module's lowered code -------------------------------------- */

/* A function's code and the tables that refer to it: its handler table
 * and its stack maps. A module keeps them per variant; sorted by code
 * address, a position in code finds its function by bisection. */
typedef struct code_entry {
    const ir_word *code;
    uint64_t len;
    wx_handlers *table;
    wx_stackmap *maps;
} code_entry;

typedef struct code_list {
    code_entry *entries;
    size_t n, cap;
    bool sorted;        /* Entries are added as functions are lowered, sorted when looked up. */
} code_list;

static int by_code(const void *a, const void *b)
{
    const ir_word *x = ((const code_entry *)a)->code, *y = ((const code_entry *)b)->code;
    return (x > y) - (x < y);
}

static pthread_mutex_t tables_lock = PTHREAD_MUTEX_INITIALIZER;

void lower_tables_register(const wm_module *m, unsigned variant, const ir_word *code,
                           uint64_t len, wx_handlers *table, wx_stackmap *maps)
{
    wm_module *mm = (wm_module *)m; /* As the code caches: the module's mutable part. */
    pthread_mutex_lock(&tables_lock);
    code_list *list = mm->handlers[variant];
    if (!list)
        list = mm->handlers[variant] = calloc(1, sizeof *list);
    if (list && list->n == list->cap) {
        size_t cap = list->cap ? 2 * list->cap : 16;
        code_entry *grown = realloc(list->entries, cap * sizeof *grown);
        if (grown) {
            list->entries = grown;
            list->cap = cap;
        }
    }
    if (list && list->n < list->cap) {
        list->entries[list->n++] = (code_entry){ code, len, table, maps };
        list->sorted = false;
    } else {
        /* Out of memory: the function's handlers and maps are lost. */
        free(table);
        free(maps);
    }
    pthread_mutex_unlock(&tables_lock);
}

/* The entry of the code containing `pc` (its end included: a call's
 * return address may be there), or NULL. Under the lock. */
static const code_entry *entry_at(const wx_instance *inst, const ir_word *pc)
{
    unsigned v = lower_variant(inst->dispatch, inst->explicit_bounds, inst->metering);
    code_list *list = inst->mod->handlers[v];
    if (!list)
        return NULL;
    if (!list->sorted) {
        qsort(list->entries, list->n, sizeof *list->entries, by_code);
        list->sorted = true;
    }
    size_t lo = 0, hi = list->n; /* The last entry starting at or before pc is below hi. */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (list->entries[mid].code <= pc)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0)
        return NULL;
    const code_entry *e = &list->entries[lo - 1];
    return pc <= e->code + e->len ? e : NULL;
}

const wx_handlers *lower_exn_find(const wx_instance *inst, const ir_word *pc,
                                  const ir_word **code)
{
    pthread_mutex_lock(&tables_lock);
    const code_entry *e = entry_at(inst, pc);
    const wx_handlers *found = e ? e->table : NULL;
    if (found)
        *code = e->code;
    pthread_mutex_unlock(&tables_lock);
    return found;
}

const uint16_t *lower_stackmap_slots(const wx_instance *inst, const ir_word *pc, bool call,
                                     uint32_t *count)
{
    const uint16_t *slots = NULL;
    *count = 0;
    pthread_mutex_lock(&tables_lock);
    const code_entry *e = entry_at(inst, pc);
    const wx_stackmap *m = e ? e->maps : NULL;
    if (m) {
        uint32_t key = (uint32_t)(pc - e->code) * 2u + call;
        uint32_t lo = 0, hi = m->nsites;
        while (lo < hi) {
            uint32_t mid = lo + (hi - lo) / 2;
            if (m->keys[mid] < key)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo < m->nsites && m->keys[lo] == key) {
            slots = m->slots + m->first[lo];
            *count = m->first[lo + 1] - m->first[lo];
        }
    }
    pthread_mutex_unlock(&tables_lock);
    return slots;
}

void lower_exn_free_all(wm_module *m)
{
    for (unsigned v = 0; v < WM_LOWERED_VARIANTS; v++) {
        code_list *list = m->handlers[v];
        if (!list)
            continue;
        for (size_t i = 0; i < list->n; i++) {
            free(list->entries[i].table);
            free(list->entries[i].maps);
        }
        free(list->entries);
        free(list);
        m->handlers[v] = NULL;
    }
}
