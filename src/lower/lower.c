/* lower.c: lowering a function body to the register IR while a walk over
 * the validated body decodes it (decode_instr.h). The operand stack is simulated: an entry
 * is a local, a constant or a temporary in its home slot, so local.get and
 * constants emit no code and most instructions read their operands
 * straight from locals. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "interp.h"
#include "lower.h"
#include "decode_instr.h"

/* ---- Canonical function types ------------------------------------------------ */

typedef struct sig_entry {
    uint32_t nparams, nresults;
    uint8_t *types;
} sig_entry;

static pthread_mutex_t sig_lock = PTHREAD_MUTEX_INITIALIZER;
static sig_entry *sigs;
static uint32_t nsigs, sigs_cap;

uint32_t wx_sig_id(const wm_functype *t)
{
    uint32_t n = t->nparams + t->nresults;
    pthread_mutex_lock(&sig_lock);
    uint32_t id;
    for (id = 0; id < nsigs; id++) {
        sig_entry *e = &sigs[id];
        if (e->nparams == t->nparams && e->nresults == t->nresults &&
            !memcmp(e->types, t->params, t->nparams) &&
            !memcmp(e->types + t->nparams, t->results, t->nresults))
            goto done;
    }
    if (nsigs == sigs_cap) {
        uint32_t cap = sigs_cap ? 2 * sigs_cap : 64;
        sig_entry *grown = realloc(sigs, cap * sizeof *grown);
        if (!grown) {
            id = UINT32_MAX; /* Matches nothing: calls through it trap. */
            goto done;
        }
        sigs = grown;
        sigs_cap = cap;
    }
    uint8_t *types = malloc(n ? n : 1);
    if (!types) {
        id = UINT32_MAX;
        goto done;
    }
    memcpy(types, t->params, t->nparams);
    memcpy(types + t->nparams, t->results, t->nresults);
    sigs[nsigs] = (sig_entry){ t->nparams, t->nresults, types };
    id = nsigs++;
done:
    pthread_mutex_unlock(&sig_lock);
    return id;
}

/* ---- Code caches -------------------------------------------------------------- */

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;

static unsigned variant(wx_dispatch d, bool explicit_bounds, wx_metering metering)
{
    return (d * 2 + explicit_bounds) * METER_COUNT + metering;
}

const ir_word **wl_code_cache(const wm_module *m, wx_dispatch dispatch, bool explicit_bounds,
                              wx_metering metering)
{
    wm_module *mm = (wm_module *)m; /* The caches are the module's only mutable part. */
    unsigned v = variant(dispatch, explicit_bounds, metering);
    pthread_mutex_lock(&cache_lock);
    if (!mm->lowered[v])
        mm->lowered[v] = calloc(m->nfuncs ? m->nfuncs : 1, sizeof(ir_word *));
    void *cache = mm->lowered[v];
    pthread_mutex_unlock(&cache_lock);
    return cache;
}

void wl_free_caches(wm_module *m)
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
}

/* ---- The simulated operand stack --------------------------------------------- */

enum { LV_TEMP, LV_LOCAL, LV_CONST };

typedef struct lw_val {
    uint8_t kind;           /* LV_*. */
    uint8_t type;           /* Value type. */
    uint16_t home;          /* The slot this stack position owns. */
    uint16_t slot;          /* Where the value is: home (temp) or the local's slot. */
    union {
        uint32_t local;     /* LV_LOCAL: the local's index. */
        uint64_t bits;      /* LV_CONST: the value. */
    };
} lw_val;

/* What lowering keeps of each local. */
typedef struct lw_local {
    uint16_t slot;          /* Its slot in the frame. */
    uint8_t type;
    uint32_t refs;          /* Stack entries that refer to it. */
} lw_local;

/* A control frame: where its branches go and what they carry. */
typedef struct lw_frame {
    uint8_t kind;           /* WV_FUNC, WV_BLOCK, WV_LOOP, WV_IF, WV_ELSE. */
    bool dead;              /* The rest of the frame is unreachable. */
    bool dead_frame;        /* The whole frame, else branch included, is unreachable. */
    bool dead_else;         /* If: the condition was a true constant. */
    uint32_t height;        /* Stack height below the frame's parameters. */
    uint16_t base;          /* Home slot of stack position `height`. */
    uint32_t nparams, nresults;
    const uint8_t *params, *results;
    uint32_t start;         /* Loop: code position of the loop head. */
    int32_t patches;        /* Forward jumps to the frame's end (list head). */
    int32_t else_patch;     /* If: the jump to the else branch, or -1. */
    uint32_t outer_check;   /* Loop, metered: the enclosing region's check and count. */
    uint32_t outer_ops;
} lw_frame;

/* A jump whose target is not known yet: code[word].i32[half] gets the offset
 * from the instruction at `from`. */
typedef struct lw_patch {
    uint32_t from, word;
    uint8_t half;
    int32_t next;
} lw_patch;

/* The compare just emitted, kept so a following br_if or if can fuse with it. */
typedef struct lw_compare {
    ir_op base;             /* The compare's _RR opcode. */
    bool with_imm;          /* (slot, constant) form. */
    bool imm64;             /* The constant is 64 bits. */
    uint16_t a, b;
    uint64_t imm;
} lw_compare;

typedef struct lw_ctx {
    const wm_module *m;
    const void *const *words;   /* Word 0 per opcode for the strategy. */
    bool checked;               /* Explicit bounds checks. */
    weft_error *err;
    bool failed;

    ir_word *code;
    uint32_t len, cap;
    uint16_t *ops;              /* The opcode of the instruction at each position. */
    uint32_t ops_cap;
    uint32_t dup_words;         /* Words added by tail duplication so far. */
    uint32_t add_pos;           /* The last i32 add or sub of a constant, or UINT32_MAX. */
    bool in_br_table;           /* A jump table is being filled in. */

    lw_val *vals;
    uint32_t nvals, vals_cap;
    lw_frame *frames;
    uint32_t nframes, frames_cap;
    lw_frame *top;              /* The innermost frame, frames[nframes - 1]: the
                                 * one every instruction looks at. */
    lw_patch *patches;
    uint32_t npatches, patches_cap;

    uint32_t nlocals;           /* Parameters and declared locals. */
    lw_local *locals;           /* Parameters, then declared locals. */
    uint32_t temp_base;         /* First temporary slot. */
    uint32_t free_home;         /* Home of the next stack position: temp_base
                                 * or the top entry's home plus its width. */

    /* The last instruction, for result forwarding and compare fusion. */
    uint32_t last_pos;
    ir_op last_op;
    bool last_valid;            /* Nothing (no label) came after it. */
    bool last_has_dst;          /* Its destination is the u16 at word 1 [0]. */
    bool last_is_compare;
    bool copy_open;             /* It is a one-slot copy that a next copy may join. */
    lw_compare cmp;
    uint32_t label_at;          /* Where the last label is: code from there on runs straight. */

    /* Metering (metered variants only): the check instruction, the open
     * region's check (UINT32_MAX before the first) and the Wasm
     * instructions lowered since. */
    bool metered;
    ir_op check_op;
    uint32_t check_pos;
    uint32_t region_ops;

    /* Declared locals (of the first 64) still known to hold the zero that
     * function entry gave them: not written before in code order, nor
     * since a loop's head. Other labels are only reached by forward jumps
     * from code lowered before them, where no more was known. */
    uint64_t zero_locals;
} lw_ctx;

static inline unsigned width(uint8_t type) { return type == VT_V128 ? 2 : 1; }

static bool fail(lw_ctx *l, weft_status status, const char *msg)
{
    if (!l->failed)
        wm_fail(l->err, status, SEC_CODE, -1, -1, "%s", msg);
    l->failed = true;
    return false;
}

/* Grows *buf (of *cap elements of `size` bytes) to hold `need`. Out of
 * line: the callers test the capacity first, and growing is rare. */
static __attribute__((noinline)) bool grow_slow(lw_ctx *l, void **buf, uint32_t *cap,
                                                uint32_t need, size_t size)
{
    uint32_t n = *cap ? *cap : 64;
    while (n < need)
        n *= 2;
    void *p = realloc(*buf, (size_t)n * size);
    if (!p)
        return fail(l, WEFT_ERR_NOMEM, "out of memory while lowering");
    *buf = p;
    *cap = n;
    return true;
}

static inline bool grow(lw_ctx *l, void **buf, uint32_t *cap, uint32_t need, size_t size)
{
    return need <= *cap || grow_slow(l, buf, cap, need, size);
}

/* ---- Emitting code -------------------------------------------------------------- */

/* Grows the code and the opcodes to hold `need` words. The code's buffer
 * starts one word before it, where the finished code records its length
 * (wl_code_length): the buffer becomes the finished code's. */
static __attribute__((noinline)) bool grow_code(lw_ctx *l, uint32_t need)
{
    uint32_t n = l->cap ? l->cap : 64;
    while (n < need)
        n *= 2;
    ir_word *buf = realloc(l->code ? l->code - 1 : NULL, ((size_t)n + 1) * sizeof *buf);
    if (!buf)
        return fail(l, WEFT_ERR_NOMEM, "out of memory while lowering");
    l->code = buf + 1;
    l->cap = n;
    return grow(l, (void **)&l->ops, &l->ops_cap, need, sizeof *l->ops);
}

/* Appends an instruction of `n` words, zeroed but for word 0, and returns
 * its position. The stacks keep working on failure; `failed` stops the end
 * result. */

static inline uint32_t emit(lw_ctx *l, ir_op op, unsigned n)
{
    /* The opcodes grow with the code, to the same capacity. */
    if (l->len + n > l->cap && !grow_code(l, l->len + n)) {
        l->len = 0;
        return 0;
    }
    uint32_t pos = l->len;
    ir_word *w = l->code + pos;
    w[0].handler = l->words[op];
    for (unsigned i = 1; i < n; i++)
        w[i].u64 = 0;
    l->ops[pos] = (uint16_t)op;
    if (op == IR_I32_ADD_RI || op == IR_I32_SUB_RI)
        l->add_pos = pos;
    l->len += n;
    l->last_pos = pos;
    l->last_op = op;
    l->last_valid = true;
    l->last_has_dst = false;
    l->last_is_compare = false;
    l->copy_open = false;
    return pos;
}

static inline ir_word *at(lw_ctx *l, uint32_t pos) { return &l->code[pos]; }

/* [op][s0 s1 s2 s3] */
static inline uint32_t emit_s(lw_ctx *l, ir_op op, unsigned n, uint16_t s0, uint16_t s1,
                              uint16_t s2, uint16_t s3)
{
    uint32_t pos = emit(l, op, n);
    if (l->len)
        *at(l, pos + 1) = (ir_word){ .u16 = { s0, s1, s2, s3 } };
    return pos;
}

/* [op][s0 s1 imm] */
static inline uint32_t emit_ssi(lw_ctx *l, ir_op op, uint16_t s0, uint16_t s1, uint32_t imm)
{
    uint32_t pos = emit_s(l, op, 2, s0, s1, 0, 0);
    if (l->len)
        at(l, pos + 1)->u32[1] = imm;
    return pos;
}

/* Marks the last instruction as writing its result to word 1's first slot. */
static void has_dst(lw_ctx *l) { l->last_has_dst = true; }

/* A label: code after it can be reached from elsewhere, so nothing may fuse
 * across it. */
static void label(lw_ctx *l)
{
    l->last_valid = l->copy_open = false;
    l->label_at = l->len;
    l->add_pos = UINT32_MAX;
}

static void add_patch(lw_ctx *l, lw_frame *f, uint32_t from, uint32_t word, uint8_t half)
{
    if (!grow(l, (void **)&l->patches, &l->patches_cap, l->npatches + 1, sizeof *l->patches))
        return;
    l->patches[l->npatches] = (lw_patch){ from, word, half, f->patches };
    f->patches = (int32_t)l->npatches++;
}

static void set_offset(lw_ctx *l, uint32_t from, uint32_t word, uint8_t half, uint32_t target)
{
    if (l->len)
        l->code[word].i32[half] = (int32_t)(target - from);
}

/* Points every pending jump of frame `f` here. */
static void resolve_patches(lw_ctx *l, lw_frame *f)
{
    for (int32_t i = f->patches; i >= 0; i = l->patches[i].next)
        set_offset(l, l->patches[i].from, l->patches[i].word, l->patches[i].half, l->len);
    f->patches = -1;
}

/* ---- Metering: fuel and interruption checks ------------------------------------- */

/* Metered code has a check at function entry and at every loop header
 * (where every backward branch lands). The function's check charges the
 * Wasm instructions of its body outside any loop, a loop's check those of
 * the loop's body outside nested loops: so each is paid for once per entry
 * or iteration, and code after a nested loop is charged to the region
 * around it, with no check of its own. */
static void close_region(lw_ctx *l)
{
    if (l->metered && l->check_pos != UINT32_MAX && l->len)
        at(l, l->check_pos + 1)->u32[1] = l->region_ops;
}

/* Starts a region with its check, which nothing may fuse across. */
static void emit_check(lw_ctx *l)
{
    if (!l->metered)
        return;
    l->check_pos = emit(l, l->check_op, 2);
    l->region_ops = 0;
    label(l);
}

/* A loop's header: the enclosing region is set aside until its end. */
static void open_loop_region(lw_ctx *l, lw_frame *f)
{
    if (!l->metered || !f)
        return;
    f->outer_check = l->check_pos;
    f->outer_ops = l->region_ops;
    emit_check(l);
}

static void close_loop_region(lw_ctx *l, lw_frame *f)
{
    if (!l->metered)
        return;
    close_region(l);
    l->check_pos = f->outer_check;
    l->region_ops = f->outer_ops;
}

/* ---- Stack entries ---------------------------------------------------------------- */

/* The home slot of the next stack position. (An entry's type may change
 * only to one of the same width, so the top's home and width stay valid.) */
static inline uint16_t next_home(lw_ctx *l) { return (uint16_t)l->free_home; }

/* Stores a new top entry whose home is `home`. */
static inline __attribute__((always_inline)) lw_val *put(lw_ctx *l, uint8_t kind, uint8_t type,
                                                         uint32_t home)
{
    lw_val *v = &l->vals[l->nvals++];
    *v = (lw_val){ .kind = kind, .type = type, .home = (uint16_t)home, .slot = (uint16_t)home };
    l->free_home = home + width(type);
    return v;
}

/* push when the stack is full or the frame would pass 65535 slots. */
static __attribute__((noinline)) lw_val *push_slow(lw_ctx *l, uint8_t kind, uint8_t type,
                                                   uint32_t home)
{
    if (home + width(type) > 0xffff) {
        fail(l, WEFT_ERR_LIMIT, "function needs more than 65535 frame slots");
        home = 0;
    }
    if (!grow(l, (void **)&l->vals, &l->vals_cap, l->nvals + 1, sizeof *l->vals)) {
        static lw_val sink;
        return &sink;
    }
    return put(l, kind, type, home);
}

static inline __attribute__((always_inline)) lw_val *push(lw_ctx *l, uint8_t kind, uint8_t type)
{
    /* Below slot 0xfffe any entry fits; push_slow tells the rest apart. */
    uint32_t home = next_home(l);
    if (__builtin_expect(home >= 0xfffe || l->nvals == l->vals_cap, 0))
        return push_slow(l, kind, type, home);
    return put(l, kind, type, home);
}

/* Pushes a temporary: the result of an instruction, in its home slot. */
static inline uint16_t push_temp(lw_ctx *l, uint8_t type) { return push(l, LV_TEMP, type)->home; }

static inline __attribute__((always_inline)) void push_const(lw_ctx *l, uint8_t type,
                                                             uint64_t bits)
{
    push(l, LV_CONST, type)->bits = bits;
}

static inline __attribute__((always_inline)) void push_local(lw_ctx *l, uint32_t index,
                                                             uint8_t type)
{
    lw_val *v = push(l, LV_LOCAL, type);
    v->local = index;
    v->slot = l->locals[index].slot;
    l->locals[index].refs++;
}

static lw_val pop(lw_ctx *l)
{
    lw_val v = l->vals[--l->nvals];
    l->free_home = v.home;
    if (v.kind == LV_LOCAL)
        l->locals[v.local].refs--;
    return v;
}

/* pop when the entry itself is not needed. */
static inline void drop(lw_ctx *l)
{
    const lw_val *v = &l->vals[--l->nvals];
    l->free_home = v->home;
    if (v->kind == LV_LOCAL)
        l->locals[v->local].refs--;
}

static inline lw_val *peek(lw_ctx *l, uint32_t depth) { return &l->vals[l->nvals - 1 - depth]; }

/* Writes the value of `v` into slot `dst`. */
static void move_to(lw_ctx *l, const lw_val *v, uint16_t dst)
{
    if (v->kind == LV_CONST) {
        if (v->type == VT_V128)
            return; /* v128 constants are always materialised at once. */
        if (v->bits >> 32 == 0)
            emit_ssi(l, IR_CONST32, dst, 0, (uint32_t)v->bits);
        else {
            uint32_t pos = emit_s(l, IR_CONST64, 3, dst, 0, 0, 0);
            if (l->len)
                at(l, pos + 2)->u64 = v->bits;
        }
        has_dst(l);
    } else if (v->slot != dst && v->type != VT_V128 && l->copy_open && l->len) {
        /* Two copies in a row become one copy2, which runs them in order. */
        ir_word *w = at(l, l->last_pos);
        w[0].handler = l->words[IR_COPY2];
        l->ops[l->last_pos] = IR_COPY2;
        w[1].u16[2] = dst;
        w[1].u16[3] = v->slot;
        l->last_op = IR_COPY2;
        l->last_has_dst = false;
        l->copy_open = false;
    } else if (v->slot != dst) {
        emit_s(l, v->type == VT_V128 ? IR_COPY_V128 : IR_COPY, 2, dst, v->slot, 0, 0);
        has_dst(l);
        l->copy_open = v->type != VT_V128;
    }
}

/* Puts stack entry `v` into its home slot, so it no longer depends on a
 * local or a constant. */
static void materialize(lw_ctx *l, lw_val *v)
{
    if (v->kind == LV_TEMP)
        return;
    move_to(l, v, v->home);
    if (v->kind == LV_LOCAL)
        l->locals[v->local].refs--;
    v->kind = LV_TEMP;
    v->slot = v->home;
}

/* The slot holding entry `v`'s value; constants are materialised first. */
static uint16_t slot_of(lw_ctx *l, lw_val *v)
{
    if (v->kind == LV_CONST)
        materialize(l, v);
    return v->slot;
}

/* Before local `index` is written, entries still reading it get their own
 * copy. */
static void preserve_local(lw_ctx *l, uint32_t index)
{
    if (!l->locals[index].refs)
        return;
    for (uint32_t i = 0; i < l->nvals; i++)
        if (l->vals[i].kind == LV_LOCAL && l->vals[i].local == index)
            materialize(l, &l->vals[i]);
}

/* Entering a block: the block may write any local, so no entry may depend
 * on one, and the block's parameters live in their homes. */
static void preserve_all(lw_ctx *l, uint32_t nparams)
{
    for (uint32_t i = 0; i < l->nvals; i++)
        if (l->vals[i].kind == LV_LOCAL || i >= l->nvals - nparams)
            materialize(l, &l->vals[i]);
}

/* ---- Branches ------------------------------------------------------------------------ */

static inline lw_frame *frame_at(lw_ctx *l, uint32_t depth)
{
    return &l->frames[l->nframes - 1 - depth];
}

/* The values a branch to `f` carries: a loop's parameters, else the results. */
static uint32_t label_arity(const lw_frame *f, const uint8_t **types)
{
    if (f->kind == WV_LOOP) {
        *types = f->params;
        return f->nparams;
    }
    *types = f->results;
    return f->nresults;
}

/* Whether the top `n` entries already sit in the homes a branch to `f` needs. */
static bool in_place(lw_ctx *l, const lw_frame *f, uint32_t n)
{
    if (n == 0)
        return true;
    if (l->nvals - n != f->height)
        return false;
    for (uint32_t j = 0; j < n; j++)
        if (peek(l, j)->kind != LV_TEMP)
            return false;
    return true;
}

/* Copies the top `n` entries into the homes starting at `base`. Increasing
 * order is safe: each destination lies at or below its source. */
static void copy_down(lw_ctx *l, uint32_t n, uint16_t base)
{
    uint16_t dst = base;
    for (uint32_t j = 0; j < n; j++) {
        lw_val *v = peek(l, n - 1 - j);
        move_to(l, v, dst);
        dst += width(v->type);
    }
}

/* Returns from the function: results go to slots 0.. of the frame. */
static void emit_return(lw_ctx *l)
{
    lw_frame *f = &l->frames[0];
    uint32_t n = f->nresults;
    if (n == 0) {
        emit(l, IR_RETURN, 1);
        return;
    }
    lw_val *v = peek(l, 0);
    if (n == 1 && v->kind == LV_TEMP && v->type != VT_V128 && l->last_valid && l->last_has_dst &&
        l->len && at(l, l->last_pos + 1)->u16[0] == v->home) {
        /* The result was just computed: it goes to slot 0 directly (only
         * the return runs after it). */
        at(l, l->last_pos + 1)->u16[0] = 0;
        emit(l, IR_RETURN, 1);
        return;
    }
    if (n == 1 && v->kind != LV_CONST && v->type != VT_V128) {
        /* A call's result comes back in its first argument slot: when that
         * is slot 0, the result is in place. */
        if (v->slot == 0)
            emit(l, IR_RETURN, 1);
        else
            emit_s(l, IR_RETURN1, 2, v->slot, 0, 0, 0);
        return;
    }
    if (n == 1) {
        move_to(l, v, 0);
        emit(l, IR_RETURN, 1);
        return;
    }
    /* Sources first into their homes, so no copy overwrites a later source.
     * The stack entries are left as they are: this code may be on one path
     * only (br_if, br_table). */
    for (uint32_t j = 0; j < n; j++)
        move_to(l, peek(l, j), peek(l, j)->home);
    uint16_t dst = 0;
    for (uint32_t j = 0; j < n; j++) {
        lw_val *r = peek(l, n - 1 - j);
        lw_val home = { .kind = LV_TEMP, .type = r->type, .home = r->home, .slot = r->home };
        move_to(l, &home, dst);
        dst += width(r->type);
    }
    emit(l, IR_RETURN, 1);
}

/* Emits the moves of a branch to frame `f` (no jump). */
static void branch_moves(lw_ctx *l, lw_frame *f)
{
    const uint8_t *types;
    uint32_t n = label_arity(f, &types);
    if (!in_place(l, f, n))
        copy_down(l, n, f->base);
}

/* Falling through a frame's end: its results go to their homes. (A loop's
 * label is its start, so this differs from a branch for loops.) */
static void end_moves(lw_ctx *l, lw_frame *f)
{
    if (!in_place(l, f, f->nresults))
        copy_down(l, f->nresults, f->base);
}

/* Tail duplication. A branch back to a loop whose head is a short run of
 * straight-line instructions ending in a jump table (the dispatch loop of an
 * interpreter written as a switch in a loop) gets its own copy of the head
 * instead of a jump to it. The jump's dispatch is gone, and each copy's
 * table jump predicts on its own, as in threaded code. The copy ends in a
 * jump.table.at that uses the head's table, so the table is not copied. */
enum { DUP_MAX_INSNS = 8, DUP_MAX_WORDS = 96, DUP_BUDGET = 8192 };

/* Instructions a copied head may hold: no jumps, no function exit. A call
 * returns to the instruction after it wherever it sits. */
static bool straight_line(ir_op op)
{
    switch (ir_op_format[op]) {
    case FMT_SS: case FMT_SSS: case FMT_SSSS: case FMT_SSI: case FMT_SSL: case FMT_SL:
    case FMT_SSSSI: case FMT_SSSI: case FMT_SSSII: case FMT_SIL: case FMT_SHI: case FMT_SSSSII:
        return true;
    case FMT_SI:
        return op != IR_RETURN_CALL;
    default:
        return false;
    }
}

static bool duplicate_head(lw_ctx *l, uint32_t start)
{
    if (l->in_br_table || l->dup_words > DUP_BUDGET || !l->len)
        return false;
    uint32_t t = start;
    for (unsigned n = 0; t < l->len && l->ops[t] != IR_JUMP_TABLE; n++) {
        if (n == DUP_MAX_INSNS || !straight_line((ir_op)l->ops[t]))
            return false;
        t += ir_format_words((ir_format)ir_op_format[l->ops[t]]);
    }
    if (t >= l->len)
        return false;
    uint32_t straight = t - start, words = straight + 2;
    if (words > DUP_MAX_WORDS)
        return false;
    uint32_t p = emit(l, IR_JUMP_TABLE_AT, words);
    if (!l->len)
        return false;
    memcpy(l->code + p, l->code + start, straight * sizeof *l->code);
    memcpy(l->ops + p, l->ops + start, straight * sizeof *l->ops);
    uint32_t t2 = p + straight;
    at(l, t2)->handler = l->words[IR_JUMP_TABLE_AT];
    l->ops[t2] = IR_JUMP_TABLE_AT;
    at(l, t2 + 1)->u16[0] = at(l, t + 1)->u16[0];
    at(l, t2 + 1)->i32[1] = (int32_t)(t - t2);
    l->dup_words += words;
    l->last_pos = t2;
    l->last_op = IR_JUMP_TABLE_AT;
    l->last_valid = false;
    return true;
}

/* An unconditional jump to frame `f`'s label. */
static void emit_jump_to(lw_ctx *l, lw_frame *f)
{
    if (f->kind == WV_LOOP && duplicate_head(l, f->start))
        return;
    uint32_t pos = emit(l, IR_JUMP, 2);
    if (f->kind == WV_LOOP)
        set_offset(l, pos, pos + 1, 1, f->start);
    else
        add_patch(l, f, pos, pos + 1, 1);
}

/* br: moves, then jump (or the return sequence for the function frame). */
static void emit_br(lw_ctx *l, uint32_t depth)
{
    lw_frame *f = frame_at(l, depth);
    if (f->kind == WV_FUNC) {
        emit_return(l);
        return;
    }
    branch_moves(l, f);
    emit_jump_to(l, f);
}

/* Points a conditional jump at `f`'s label. */
static void target_label(lw_ctx *l, lw_frame *f, uint32_t pos)
{
    if (f->kind == WV_LOOP)
        set_offset(l, pos, pos + 1, 1, f->start);
    else
        add_patch(l, f, pos, pos + 1, 1);
}

static bool just_computed(lw_ctx *l, const lw_val *v, ir_op op);

/* A conditional jump on the popped condition `c`: jump when it is true
 * (`when`) or false. A compare emitted just before fuses into the jump.
 * Returns the jump's position; its offset is word 1's i32[1]. */
/* A loop's step and test: when the instruction just before the end of the
 * code is an i32 add (or sub) of a constant into `slot`, a jump when that
 * slot compares true with constant `n` (`base` an _RR compare) replaces it
 * with an add.jump. Returns the jump's position, or UINT32_MAX. */
static uint32_t fuse_add_jump(lw_ctx *l, ir_op base, uint16_t slot, uint32_t n)
{
    ir_op op = base == IR_I32_NE_RR ? IR_ADD_JUMP_NE : base == IR_I32_LT_U_RR ? IR_ADD_JUMP_LT_U
             : base == IR_I32_LT_S_RR ? IR_ADD_JUMP_LT_S : IR_OP_COUNT;
    uint32_t p = l->add_pos;
    if (op == IR_OP_COUNT || p == UINT32_MAX || p + 2 != l->len ||
        (l->ops[p] != IR_I32_ADD_RI && l->ops[p] != IR_I32_SUB_RI))
        return UINT32_MAX;
    ir_word w = *at(l, p + 1);
    if (w.u16[0] != slot)
        return UINT32_MAX;
    uint32_t k = l->ops[p] == IR_I32_SUB_RI ? 0u - w.u32[1] : w.u32[1];
    l->len = p;
    uint32_t pos = emit_s(l, op, 3, slot, w.u16[1], 0, 0);
    if (l->len) {
        at(l, pos + 2)->u32[0] = k;
        at(l, pos + 2)->u32[1] = n;
    }
    return pos;
}

static uint32_t emit_cond_jump(lw_ctx *l, lw_val *c, bool when)
{
    if (c->kind == LV_TEMP && l->last_valid && l->last_is_compare && l->last_has_dst &&
        at(l, l->last_pos + 1)->u16[0] == c->home) {
        lw_compare k = l->cmp;
        l->len = l->last_pos; /* Drop the compare: the jump does it. */
        uint32_t fused;
        if (when && k.with_imm && !k.imm64 &&
            (fused = fuse_add_jump(l, k.base, k.a, (uint32_t)k.imm)) != UINT32_MAX)
            return fused;
        ir_op op = (ir_op)(k.base + (when ? 3 : 5) + k.with_imm);
        if (!k.with_imm)
            return emit_s(l, op, 2, k.a, k.b, 0, 0);
        uint32_t pos = emit_s(l, op, 3, k.a, 0, 0, 0);
        if (l->len)
            at(l, pos + 2)->u64 = k.imm;
        return pos;
    }
    /* An eqz just emitted folds in too: the jump tests its operand with the
     * opposite sense. */
    bool wide = false;
    if (just_computed(l, c, IR_I32_EQZ) || just_computed(l, c, IR_I64_EQZ)) {
        wide = l->last_op == IR_I64_EQZ;
        uint16_t s = at(l, l->last_pos + 1)->u16[1];
        l->len = l->last_pos;
        when = !when;
        ir_op op = when ? (wide ? IR_JUMP_NZ64 : IR_JUMP_NZ) : (wide ? IR_JUMP_Z64 : IR_JUMP_Z);
        return emit_s(l, op, 2, s, 0, 0, 0);
    }
    /* So does an i32.and: the jump tests the bits. */
    if (just_computed(l, c, IR_I32_AND_RR) || just_computed(l, c, IR_I32_AND_RI)) {
        bool with_imm = l->last_op == IR_I32_AND_RI;
        ir_word w = *at(l, l->last_pos + 1);
        l->len = l->last_pos;
        ir_op op = (ir_op)((when ? IR_JUMP_AND_NZ : IR_JUMP_AND_Z) + with_imm);
        if (!with_imm)
            return emit_s(l, op, 2, w.u16[1], w.u16[2], 0, 0);
        uint32_t pos = emit_s(l, op, 3, w.u16[1], 0, 0, 0);
        if (l->len)
            at(l, pos + 2)->u32[0] = w.u32[1];
        return pos;
    }
    if (when && c->kind != LV_CONST) {
        uint32_t fused = fuse_add_jump(l, IR_I32_NE_RR, c->slot, 0);
        if (fused != UINT32_MAX)
            return fused;
    }
    ir_op op = when ? IR_JUMP_NZ : IR_JUMP_Z;
    return emit_s(l, op, 2, slot_of(l, c), 0, 0, 0);
}

/* ---- Blocks ------------------------------------------------------------------------------- */

static inline lw_frame *push_frame(lw_ctx *l, uint8_t kind, uint32_t nparams, const uint8_t *params,
                            uint32_t nresults, const uint8_t *results)
{
    if (!grow(l, (void **)&l->frames, &l->frames_cap, l->nframes + 1, sizeof *l->frames))
        return NULL;
    lw_frame *f = &l->frames[l->nframes++];
    l->top = f;
    uint32_t height = l->nvals - nparams;
    *f = (lw_frame){ .kind = kind, .height = height, .nparams = nparams, .params = params,
                     .nresults = nresults, .results = results, .patches = -1,
                     .else_patch = -1 };
    f->base = height < l->nvals ? l->vals[height].home : next_home(l);
    return f;
}

/* Resets the stack to the frame's height and pushes `n` temporaries of
 * `types` in their homes: the state where a label is reached. */
static void reset_stack(lw_ctx *l, lw_frame *f, uint32_t n, const uint8_t *types)
{
    while (l->nvals > f->height)
        drop(l);
    for (uint32_t j = 0; j < n; j++)
        push_temp(l, types[j]);
}

/* Marks the rest of the innermost frame as unreachable. */
static void set_dead(lw_ctx *l)
{
    lw_frame *f = frame_at(l, 0);
    f->dead = true;
}

/* ---- The lowering of each instruction ------------------------------------------------ */

/* How each Wasm instruction maps to IR: its family and first opcode. */
enum {
    MAP_NONE, MAP_BINARY, MAP_COMPARE, MAP_BINARY_TRAP, MAP_UNARY, MAP_LOAD, MAP_LOAD_IDX, MAP_STORE,
    MAP_STORE_ADD,
    MAP_V_BINARY, MAP_V_SHIFT, MAP_V_TERNARY, MAP_V_EXTRACT, MAP_V_REPLACE, MAP_V_LOAD_LANE,
    MAP_V_STORE_LANE,
};

typedef struct lw_map {
    uint8_t kind;
    uint16_t op;
} lw_map;

static const lw_map op_map[WOP_COUNT] = {
#define IR_BINARY(N, t, IN, OUT, e) [WOP_##N] = { MAP_BINARY, IR_##N##_RR },
#define IR_COMPARE(N, t, IN, e) [WOP_##N] = { MAP_COMPARE, IR_##N##_RR },
#define IR_BINARY_TRAP(N, t, T, fn) [WOP_##N] = { MAP_BINARY_TRAP, IR_##N##_RR },
#define IR_UNARY(N, t, IN, OUT, e) [WOP_##N] = { MAP_UNARY, IR_##N },
#define IR_UNARY_TRAP(N, t, IN, OUT, fn) [WOP_##N] = { MAP_UNARY, IR_##N },
#define IR_LOAD(N, t, OUT, M) [WOP_##N] = { MAP_LOAD_IDX, IR_##N },
#define IR_STORE(N, t, IN, M) [WOP_##N] = { MAP_STORE_ADD, IR_##N },
#define IR_OP(N, F, t)
/* SIMD: one-operand forms lower like scalar unary operators, the v128 loads
 * and stores like scalar ones; the rest have their own kinds. */
#define IR_V_UNARY(N, t, fn) [WOP_##N] = { MAP_UNARY, IR_##N },
#define IR_V_BINARY(N, t, fn) [WOP_##N] = { MAP_V_BINARY, IR_##N },
#define IR_V_TERNARY(N, t, fn) [WOP_##N] = { MAP_V_TERNARY, IR_##N },
#define IR_V_SHIFT(N, t, fn) [WOP_##N] = { MAP_V_SHIFT, IR_##N },
#define IR_V_SPLAT(N, t, IN, fn) [WOP_##N] = { MAP_UNARY, IR_##N },
#define IR_V_TEST(N, t, fn) [WOP_##N] = { MAP_UNARY, IR_##N },
#define IR_V_EXTRACT(N, t, OUT, fn) [WOP_##N] = { MAP_V_EXTRACT, IR_##N },
#define IR_V_REPLACE(N, t, IN, fn) [WOP_##N] = { MAP_V_REPLACE, IR_##N },
#define IR_V_LOAD(N, t, W, fn) [WOP_##N] = { MAP_LOAD, IR_##N },
#define IR_V_STORE(N, t, W, fn) [WOP_##N] = { MAP_STORE, IR_##N },
#define IR_V_LOAD_LANE(N, t, W) [WOP_##N] = { MAP_V_LOAD_LANE, IR_##N },
#define IR_V_STORE_LANE(N, t, W) [WOP_##N] = { MAP_V_STORE_LANE, IR_##N },
#include "ir_ops.def"
};

/* Whether the value in temporary `v` was computed by the instruction just
 * emitted, with nothing (no label) after it: then that instruction may be
 * folded into the one that consumes `v`. */
static bool just_computed(lw_ctx *l, const lw_val *v, ir_op op)
{
    return v->kind == LV_TEMP && l->last_valid && l->last_has_dst && l->last_op == op &&
           l->len && at(l, l->last_pos + 1)->u16[0] == v->home;
}

/* i32.add of a value and another just shifted left by a constant becomes one
 * i32.add_shl, replacing the shift. The add's destination is the result's
 * home, pushed by the caller. */
static bool fuse_shift(lw_ctx *l, const lw_val *a, const lw_val *b)
{
    const lw_val *shifted = just_computed(l, b, IR_I32_SHL_RI) ? b
                          : just_computed(l, a, IR_I32_SHL_RI) ? a : NULL;
    if (!shifted)
        return false;
    const lw_val *base = shifted == b ? a : b;
    ir_word w = *at(l, l->last_pos + 1);
    uint16_t index = w.u16[1], shift = (uint16_t)(w.u32[1] & 31);
    if (base->slot == shifted->home)
        return false; /* Cannot happen (homes differ), but stay safe. */
    uint16_t dst = peek(l, 0)->home;
    l->len = l->last_pos;
    emit_s(l, IR_I32_ADD_SHL, 2, dst, base->slot, index, shift);
    return true;
}

/* f32/f64.add of a product just computed becomes one mul_add, replacing the
 * multiply; the rounding of each operation stays. */
/* The multiply and the fused instruction of each add or subtract that a
 * product just computed may fold into (a subtraction only as its second
 * operand: a - b * c). */
static inline __attribute__((always_inline)) bool multiply_fusion(ir_op op, ir_op *mul,
                                                                  ir_op *fused)
{
    switch (op) {
    case IR_F32_ADD_RR: *mul = IR_F32_MUL_RR; *fused = IR_F32_MUL_ADD; return true;
    case IR_F64_ADD_RR: *mul = IR_F64_MUL_RR; *fused = IR_F64_MUL_ADD; return true;
    case IR_F32_SUB_RR: *mul = IR_F32_MUL_RR; *fused = IR_F32_MUL_SUB; return true;
    case IR_F64_SUB_RR: *mul = IR_F64_MUL_RR; *fused = IR_F64_MUL_SUB; return true;
    case IR_F32X4_ADD: *mul = IR_F32X4_MUL; *fused = IR_F32X4_MUL_ADD; return true;
    case IR_F64X2_ADD: *mul = IR_F64X2_MUL; *fused = IR_F64X2_MUL_ADD; return true;
    case IR_F32X4_SUB: *mul = IR_F32X4_MUL; *fused = IR_F32X4_MUL_SUB; return true;
    case IR_F64X2_SUB: *mul = IR_F64X2_MUL; *fused = IR_F64X2_MUL_SUB; return true;
    default: return false;
    }
}

static __attribute__((noinline)) bool fold_multiply(lw_ctx *l, ir_op mul, ir_op fused,
                                                   const lw_val *a, const lw_val *b,
                                                   uint16_t dst)
{
    bool add = fused == IR_F32_MUL_ADD || fused == IR_F64_MUL_ADD || fused == IR_F32X4_MUL_ADD ||
               fused == IR_F64X2_MUL_ADD;
    const lw_val *product = just_computed(l, b, mul) ? b
                          : add && just_computed(l, a, mul) ? a : NULL;
    const lw_val *acc = product == b ? a : b;
    if (!product || acc->kind == LV_CONST)
        return false;
    ir_word w = *at(l, l->last_pos + 1);
    l->len = l->last_pos;
    emit_s(l, fused, 2, dst, acc->slot, w.u16[1], w.u16[2]);
    return true;
}

/* Whether `op` folds the product just computed (see multiply_fusion), and
 * then emits the fused instruction. Most operators do not, which the inline
 * test tells without a call. */
static inline __attribute__((always_inline)) bool fuse_multiply(lw_ctx *l, ir_op op,
                                                               const lw_val *a, const lw_val *b,
                                                               uint16_t dst)
{
    ir_op mul, fused;
    return multiply_fusion(op, &mul, &fused) && fold_multiply(l, mul, fused, a, b, dst);
}

/* i32.add of a sum just computed becomes one i32.add3, and i32.xor of a
 * value just rotated by a constant one i32.xor_rotl, replacing the inner
 * instruction. Both operands are in slots. */
static bool fuse_pair(lw_ctx *l, ir_op op, const lw_val *a, const lw_val *b)
{
    ir_op inner = op == IR_I32_ADD_RR ? IR_I32_ADD_RR : IR_I32_ROTL_RI;
    const lw_val *x = just_computed(l, b, inner) ? b : just_computed(l, a, inner) ? a : NULL;
    if (!x)
        return false;
    const lw_val *other = x == b ? a : b;
    ir_word w = *at(l, l->last_pos + 1);
    uint16_t dst = peek(l, 0)->home;
    l->len = l->last_pos;
    if (op == IR_I32_ADD_RR)
        emit_s(l, IR_I32_ADD3, 2, dst, other->slot, w.u16[1], w.u16[2]);
    else
        emit_s(l, IR_I32_XOR_ROTL, 2, dst, other->slot, w.u16[1], (uint16_t)(w.u32[1] & 31));
    return true;
}

/* Binary operators, compares included: (slot, slot), (slot, constant) or
 * (constant, slot) forms. Two constants: the first is materialised. */
static void lower_binary(lw_ctx *l, const lw_map *map, uint8_t result)
{
    lw_val b = pop(l), a = pop(l);
    bool wide = a.type == VT_I64 || a.type == VT_F64;
    ir_op op = (ir_op)map->op;
    uint16_t dst;
    uint32_t pos;
    lw_compare k = { .base = op };
    uint64_t folded;
    if (b.kind == LV_CONST && a.kind == LV_CONST && wl_fold_binary(op, a.bits, b.bits, &folded)) {
        push_const(l, result, folded);
        return;
    }
    if (b.kind == LV_CONST && a.kind == LV_CONST) {
        /* An operation that traps: a goes to its home, which is also where
         * the result goes. */
        move_to(l, &a, a.home);
        a.kind = LV_TEMP;
        a.slot = a.home;
    }
    dst = push_temp(l, result);
    if (b.kind == LV_CONST || a.kind == LV_CONST) {
        bool imm_first = a.kind == LV_CONST;
        uint64_t imm = imm_first ? a.bits : b.bits;
        uint16_t s = imm_first ? b.slot : a.slot;
        op = (ir_op)(op + (imm_first ? 2 : 1));
        if (wide) {
            pos = emit_s(l, op, 3, dst, s, 0, 0);
            if (l->len)
                at(l, pos + 2)->u64 = imm;
        } else {
            emit_ssi(l, op, dst, s, (uint32_t)imm);
        }
        k.with_imm = true;
        k.a = s;
        k.imm = imm;
        if (imm_first)
            map = NULL; /* (constant, slot) compares do not fuse. */
    } else if (op == IR_I32_ADD_RR && fuse_shift(l, &a, &b)) {
        /* i32.shl by a constant folded into this add: address arithmetic. */
    } else if ((op == IR_I32_ADD_RR || op == IR_I32_XOR_RR) && fuse_pair(l, op, &a, &b)) {
        /* A three-operand add or a xor of a rotation. */
    } else if (fuse_multiply(l, op, &a, &b, dst)) {
        /* The multiply just before folded into this add or subtract. */
    } else {
        emit_s(l, op, 2, dst, a.slot, b.slot, 0);
        k.a = a.slot;
        k.b = b.slot;
    }
    has_dst(l);
    if (map && map->kind == MAP_COMPARE) {
        l->last_is_compare = true;
        k.imm64 = wide;
        l->cmp = k;
    }
}

/* The integer compare whose result is the negation of `op`'s (an _RR
 * opcode), or IR_OP_COUNT. Float compares have none: NaN is unordered. */
static ir_op inverse_compare(ir_op op)
{
#define INVERSE(a, b) case IR_##a##_RR: return IR_##b##_RR; case IR_##b##_RR: return IR_##a##_RR;
    switch (op) {
    INVERSE(I32_EQ, I32_NE) INVERSE(I32_LT_S, I32_GE_S) INVERSE(I32_LT_U, I32_GE_U)
    INVERSE(I32_GT_S, I32_LE_S) INVERSE(I32_GT_U, I32_LE_U)
    INVERSE(I64_EQ, I64_NE) INVERSE(I64_LT_S, I64_GE_S) INVERSE(I64_LT_U, I64_GE_U)
    INVERSE(I64_GT_S, I64_LE_S) INVERSE(I64_GT_U, I64_LE_U)
    default: return IR_OP_COUNT;
    }
#undef INVERSE
}

/* i32.eqz of an integer compare just emitted: the compare is replaced by
 * its inverse, which can still fuse with a following branch. */
static bool negate_compare(lw_ctx *l)
{
    lw_val *v = peek(l, 0);
    if (!l->last_is_compare || !just_computed(l, v, l->last_op))
        return false;
    ir_op inverse = inverse_compare(l->cmp.base);
    if (inverse == IR_OP_COUNT)
        return false;
    ir_op op = (ir_op)(inverse + (l->last_op - l->cmp.base));
    at(l, l->last_pos)->handler = l->words[op];
    l->ops[l->last_pos] = (uint16_t)op;
    l->last_op = op;
    l->cmp.base = inverse;
    return true;
}

static void lower_unary(lw_ctx *l, const lw_map *map, uint8_t result)
{
    uint64_t folded;
    if (peek(l, 0)->kind == LV_CONST && wl_fold_unary((ir_op)map->op, peek(l, 0)->bits, &folded)) {
        drop(l);
        push_const(l, result, folded);
        return;
    }
    uint16_t s = slot_of(l, peek(l, 0));
    drop(l);
    uint16_t dst = push_temp(l, result);
    emit_s(l, (ir_op)map->op, 2, dst, s, 0, 0);
    has_dst(l);
}

/* The slot of the entry `depth` from the top, materialising a constant. */
static uint16_t operand(lw_ctx *l, uint32_t depth) { return slot_of(l, peek(l, depth)); }

/* Whether address `a` was just computed as a slot plus or minus a constant;
 * then the add is dropped and its slot and constant (a subtraction's
 * negated: both wrap alike) are returned. */
static bool added_address(lw_ctx *l, const lw_val *a, uint16_t *base, uint32_t *k)
{
    bool sub = just_computed(l, a, IR_I32_SUB_RI);
    if (!sub && !just_computed(l, a, IR_I32_ADD_RI))
        return false;
    ir_word w = *at(l, l->last_pos + 1);
    *base = w.u16[1];
    *k = sub ? 0u - w.u32[1] : w.u32[1];
    l->len = l->last_pos;
    return true;
}

/* Whether address `a` is a constant whose sum with the static offset is
 * below 2^32; then that sum is the absolute form's address. (A larger sum
 * is out of bounds, which the general form traps on.) */
static bool absolute_address(const lw_val *a, const wv_imm *imm, uint32_t *ea)
{
    if (a->kind != LV_CONST)
        return false;
    uint64_t sum = (uint64_t)(uint32_t)a->bits + imm->offset;
    *ea = (uint32_t)sum;
    return sum <= UINT32_MAX;
}

static void lower_load(lw_ctx *l, const lw_map *map, const wv_imm *imm, uint8_t result)
{
    lw_val *a = peek(l, 0);
    /* An address just computed by i32.add or i32.add_shl folds into an
     * indexed load. */
    if (map->kind == MAP_LOAD_IDX && (just_computed(l, a, IR_I32_ADD_RR) ||
                         just_computed(l, a, IR_I32_ADD_SHL))) {
        ir_word w = *at(l, l->last_pos + 1);
        uint16_t shift = l->last_op == IR_I32_ADD_SHL ? w.u16[3] : 0;
        l->len = l->last_pos;
        drop(l);
        uint16_t dst = push_temp(l, result);
        uint32_t pos = emit_s(l, (ir_op)(map->op + 2 + l->checked), 3, dst, w.u16[1], w.u16[2],
                              shift);
        if (l->len)
            at(l, pos + 2)->u32[0] = (uint32_t)imm->offset;
        has_dst(l);
        return;
    }
    /* An address just computed as a slot plus a constant, with no static
     * offset, folds into an added load. */
    uint16_t base;
    uint32_t k;
    bool v128 = map->op == IR_V128_LOAD;
    if ((map->kind == MAP_LOAD_IDX || v128) && imm->offset == 0 && added_address(l, a, &base, &k)) {
        drop(l);
        uint16_t dst = push_temp(l, result);
        ir_op op = v128 ? IR_V128_LOAD_ADD : (ir_op)(map->op + 4);
        emit_ssi(l, (ir_op)(op + l->checked), dst, base, k);
        has_dst(l);
        return;
    }
    uint32_t ea;
    if (map->kind == MAP_LOAD_IDX && absolute_address(a, imm, &ea)) {
        drop(l);
        uint16_t dst = push_temp(l, result);
        emit_ssi(l, (ir_op)(map->op + 6 + l->checked), dst, 0, ea);
        has_dst(l);
        return;
    }
    uint16_t addr = operand(l, 0);
    drop(l);
    uint16_t dst = push_temp(l, result);
    emit_ssi(l, (ir_op)(map->op + l->checked), dst, addr, (uint32_t)imm->offset);
    has_dst(l);
}

/* The constant-value store of the width that scalar store `op` writes, or
 * IR_OP_COUNT: its two-word form for a static offset below 65536 and a
 * value of at most 32 bits, else its three-word one. */
static ir_op store_k_op(ir_op op, bool small)
{
    switch (op) {
    case IR_I32_STORE8: case IR_I64_STORE8: return small ? IR_STORE8_KS : IR_STORE8_K;
    case IR_I32_STORE16: case IR_I64_STORE16: return small ? IR_STORE16_KS : IR_STORE16_K;
    case IR_I32_STORE: case IR_I64_STORE32: case IR_F32_STORE:
        return small ? IR_STORE32_KS : IR_STORE32_K;
    case IR_I64_STORE: case IR_F64_STORE: return IR_STORE64_K;
    default: return IR_OP_COUNT;
    }
}

/* Instructions that an update may move a load past (fuse_update): they
 * only compute integers from slots, cannot trap, and touch no memory. The
 * destination is word 1's first slot; `reads` gets how many slots after it
 * are read. */
static bool plain_integer_op(ir_op op, unsigned *reads)
{
    switch (op) {
    case IR_CONST32: *reads = 0; return true;
    case IR_COPY: case IR_I32_ADD_RI: case IR_I32_SUB_RI: case IR_I32_SHL_RI:
    case IR_I32_MUL_RI: *reads = 1; return true;
    case IR_I32_ADD_RR: case IR_I32_SUB_RR: case IR_I32_ADD_SHL: *reads = 2; return true;
    default: return false;
    }
}

/* A v128.store of x + y * b to the address x was loaded from, where b was
 * loaded just before the multiply-add (c[j] += a * b[j], vectorised):
 *
 *     X  v128.load        t1, p, offset       (plain form)
 *        ...              integer steps that neither read t1 nor write p
 *     Y  v128.load(/add)  t2, q, k
 *     Z  f32x4/f64x2.mul_add t1, t1, y, t2
 *        v128.store       p, t1, offset
 *
 * becomes one mem[p] += y * mem[q] (ir_ops.def), X moving down past the
 * integer steps: nothing between X and the store writes memory, traps or is
 * a label, and the temporaries t1 and t2 are read by nothing else. */
static bool fuse_update(lw_ctx *l, const wv_imm *imm)
{
    lw_val *v = peek(l, 0), *a = peek(l, 1);
    ir_op fused;
    if (just_computed(l, v, IR_F64X2_MUL_ADD))
        fused = IR_F64X2_MUL_ADD_MEM;
    else if (just_computed(l, v, IR_F32X4_MUL_ADD))
        fused = IR_F32X4_MUL_ADD_MEM;
    else
        return false;
    /* The instructions since the label, the last 16 of them kept (after
     * a long straight run, none: the walk must stay short). */
    if (a->kind == LV_CONST || imm->offset > UINT32_MAX || l->last_pos - l->label_at > 256)
        return false;
    enum { KEEP = 16 };
    uint32_t start[KEEP], n = 0, z = l->last_pos;
    for (uint32_t pos = l->label_at; pos < z; pos += ir_ins_words((ir_op)l->ops[pos], at(l, pos)))
        start[n++ % KEEP] = pos;
    if (n < 2)
        return false;
    ir_word wz = *at(l, z + 1);
    uint16_t t1 = wz.u16[0], y = wz.u16[2], t2 = wz.u16[3], p = a->slot;
    uint32_t ypos = start[(n - 1) % KEEP];
    ir_op yop = (ir_op)l->ops[ypos], load = (ir_op)(IR_V128_LOAD + l->checked),
          load_add = (ir_op)(IR_V128_LOAD_ADD + l->checked);
    ir_word wy = *at(l, ypos + 1);
    uint16_t q = wy.u16[1];
    if (wz.u16[1] != t1 || wy.u16[0] != t2 || t1 < l->temp_base || t2 < l->temp_base ||
        (yop != load && yop != load_add) ||
        t2 == t1 || y == t1 || y == t2 || q == t1 || p == t1 || p == t2 || p == t2 + 1)
        return false;
    /* Back from Y to X over the integer steps. */
    uint32_t xpos = UINT32_MAX;
    for (uint32_t k = n - 1; k-- > 0 && n - k <= KEEP;) {
        uint32_t pos = start[k % KEEP];
        ir_word w = *at(l, pos + 1);
        unsigned reads;
        if (l->ops[pos] == load && w.u16[0] == t1) {
            if (w.u16[1] == p && w.u32[1] == imm->offset)
                xpos = pos;
            break;
        }
        if (!plain_integer_op((ir_op)l->ops[pos], &reads) || w.u16[0] == p || w.u16[0] == t1 ||
            w.u16[0] == t1 + 1 || (reads > 0 && w.u16[1] == t1) || (reads > 1 && w.u16[2] == t1))
            break;
    }
    if (xpos == UINT32_MAX)
        return false;
    /* X goes; the steps after it move up. */
    memmove(at(l, xpos), at(l, xpos + 2), (ypos - xpos - 2) * sizeof *l->code);
    memmove(l->ops + xpos, l->ops + xpos + 2, (ypos - xpos - 2) * sizeof *l->ops);
    if (l->add_pos != UINT32_MAX && l->add_pos > xpos)
        l->add_pos = l->add_pos < ypos ? l->add_pos - 2 : UINT32_MAX;
    l->len = ypos - 2;
    drop(l);
    drop(l);
    uint32_t pos = emit_s(l, (ir_op)(fused + l->checked), 3, p, y, q, yop == load_add);
    if (l->len) {
        at(l, pos + 2)->u32[0] = (uint32_t)imm->offset;
        at(l, pos + 2)->u32[1] = wy.u32[1];
    }
    return true;
}

/* The move in memory (MOVE32...) that a load `load` just computed, then
 * stored by `store`, makes, or IR_OP_COUNT: plain forms of one width. */
static ir_op move_op(ir_op load, ir_op store)
{
    switch (store) {
    case IR_I32_STORE: case IR_F32_STORE:
        return load == IR_I32_LOAD || load == IR_F32_LOAD ? IR_MOVE32 : IR_OP_COUNT;
    case IR_I64_STORE: case IR_F64_STORE:
        return load == IR_I64_LOAD || load == IR_F64_LOAD ? IR_MOVE64 : IR_OP_COUNT;
    case IR_V128_STORE: return load == IR_V128_LOAD ? IR_MOVE128 : IR_OP_COUNT;
    default: return IR_OP_COUNT;
    }
}

/* A store of a value that the load just before read, and nothing else
 * will: one move in memory, which reads then writes as the two did. */
static bool fuse_move(lw_ctx *l, const lw_map *map, const wv_imm *imm)
{
    lw_val *v = peek(l, 0), *a = peek(l, 1);
    if (a->kind == LV_CONST || imm->offset > UINT32_MAX || !just_computed(l, v, l->last_op))
        return false;
    ir_op move = move_op((ir_op)(l->last_op - l->checked), (ir_op)map->op);
    if (move == IR_OP_COUNT)
        return false;
    ir_word w = *at(l, l->last_pos + 1);
    uint16_t to = a->slot;
    drop(l);
    drop(l);
    l->len = l->last_pos;
    uint32_t pos = emit_s(l, (ir_op)(move + l->checked), 3, to, w.u16[1], 0, 0);
    if (l->len) {
        at(l, pos + 2)->u32[0] = (uint32_t)imm->offset;
        at(l, pos + 2)->u32[1] = w.u32[1];
    }
    return true;
}

static void lower_store(lw_ctx *l, const lw_map *map, const wv_imm *imm)
{
    if (fuse_move(l, map, imm))
        return;
    /* As for loads: slot + constant, just computed, with no static offset.
     * The value must already sit in a slot (a constant would be
     * materialised after the add). */
    uint16_t base;
    uint32_t k;
    bool v128 = map->op == IR_V128_STORE;
    if (v128 && fuse_update(l, imm))
        return;
    if ((map->kind == MAP_STORE_ADD || v128) && imm->offset == 0 && peek(l, 0)->kind != LV_CONST &&
        added_address(l, peek(l, 1), &base, &k)) {
        uint16_t value = peek(l, 0)->slot;
        drop(l);
        drop(l);
        ir_op op = v128 ? IR_V128_STORE_ADD : (ir_op)(map->op + 2);
        emit_ssi(l, (ir_op)(op + l->checked), base, value, k);
        return;
    }
    /* A constant value goes in the instruction instead of a slot. */
    ir_op k_op = store_k_op((ir_op)map->op, imm->offset <= UINT16_MAX);
    if (peek(l, 0)->kind == LV_CONST && k_op != IR_OP_COUNT) {
        uint64_t bits = peek(l, 0)->bits;
        uint16_t addr = operand(l, 1);
        drop(l);
        drop(l);
        if (ir_op_format[k_op] == FMT_SHI) {
            emit_ssi(l, (ir_op)(k_op + l->checked), addr, (uint16_t)imm->offset, (uint32_t)bits);
            return;
        }
        uint32_t pos = emit_s(l, (ir_op)(k_op + l->checked), 3, addr, 0, 0, 0);
        if (l->len) {
            at(l, pos + 1)->u32[1] = (uint32_t)imm->offset;
            at(l, pos + 2)->u64 = bits;
        }
        return;
    }
    uint32_t ea;
    if (map->kind == MAP_STORE_ADD && absolute_address(peek(l, 1), imm, &ea)) {
        uint16_t value = operand(l, 0);
        drop(l);
        drop(l);
        emit_ssi(l, (ir_op)(map->op + 4 + l->checked), value, 0, ea);
        return;
    }
    uint16_t value = operand(l, 0), addr = operand(l, 1);
    drop(l);
    drop(l);
    emit_ssi(l, (ir_op)(map->op + l->checked), addr, value, (uint32_t)imm->offset);
}

/* ---- SIMD ---------------------------------------------------------------------- */

/* Two operands in slots: v128s (their constants are always materialised),
 * or a v128 and a shift count that is not a constant. */
static void lower_v_binary(lw_ctx *l, const lw_map *map, uint8_t result)
{
    /* f32x4/f64x2 add and subtract fold a product just computed, as scalars
     * do. */
    if (fuse_multiply(l, (ir_op)map->op, peek(l, 1), peek(l, 0), peek(l, 1)->home)) {
        drop(l);
        drop(l);
        push_temp(l, VT_V128);
        has_dst(l);
        return;
    }
    uint16_t b = operand(l, 0), a = operand(l, 1);
    drop(l);
    drop(l);
    uint16_t dst = push_temp(l, result);
    emit_s(l, (ir_op)map->op, 2, dst, a, b, 0);
    has_dst(l);
}

/* Shifts: a constant count (the usual case) goes in the _RI form's
 * immediate; the handler reduces it modulo the lane width. */
static void lower_v_shift(lw_ctx *l, const lw_map *map)
{
    lw_val *n = peek(l, 0);
    if (n->kind != LV_CONST) {
        lower_v_binary(l, map, VT_V128);
        return;
    }
    uint32_t count = (uint32_t)n->bits;
    drop(l);
    uint16_t a = operand(l, 0);
    drop(l);
    uint16_t dst = push_temp(l, VT_V128);
    emit_ssi(l, (ir_op)(map->op + 1), dst, a, count);
    has_dst(l);
}

/* v128.bitselect: three v128 operands. */
static void lower_v_ternary(lw_ctx *l, const lw_map *map)
{
    uint16_t c = operand(l, 0), b = operand(l, 1), a = operand(l, 2);
    drop(l);
    drop(l);
    drop(l);
    uint16_t dst = push_temp(l, VT_V128);
    emit_s(l, (ir_op)map->op, 2, dst, a, b, c);
    has_dst(l);
}

static void lower_v_extract(lw_ctx *l, const lw_map *map, const wv_imm *imm, uint8_t result)
{
    uint16_t v = operand(l, 0);
    drop(l);
    uint16_t dst = push_temp(l, result);
    emit_ssi(l, (ir_op)map->op, dst, v, imm->lane);
    has_dst(l);
}

/* replace_lane: [op][dst v x -][lane -]. */
static void lower_v_replace(lw_ctx *l, const lw_map *map, const wv_imm *imm)
{
    uint16_t x = operand(l, 0), v = operand(l, 1);
    drop(l);
    drop(l);
    uint16_t dst = push_temp(l, VT_V128);
    uint32_t pos = emit_s(l, (ir_op)map->op, 3, dst, v, x, 0);
    if (l->len)
        at(l, pos + 2)->u32[0] = imm->lane;
    has_dst(l);
}

/* Lane loads and stores: [op][dst addr v -][offset lane] and
 * [op][addr v - -][offset lane]; the checked form follows the guarded one. */
static void lower_v_lane(lw_ctx *l, const lw_map *map, const wv_imm *imm, bool load)
{
    uint16_t v = operand(l, 0), addr = operand(l, 1);
    drop(l);
    drop(l);
    ir_op op = (ir_op)(map->op + l->checked);
    uint32_t pos;
    if (load) {
        uint16_t dst = push_temp(l, VT_V128);
        pos = emit_s(l, op, 3, dst, addr, v, 0);
    } else {
        pos = emit_s(l, op, 3, addr, v, 0, 0);
    }
    if (l->len) {
        at(l, pos + 2)->u32[0] = (uint32_t)imm->offset;
        at(l, pos + 2)->u32[1] = imm->lane;
    }
    if (load)
        has_dst(l);
}

/* i8x16.shuffle: [op][dst a b -][16 lane-index bytes]. */
static void lower_v_shuffle(lw_ctx *l, const wv_imm *imm)
{
    uint16_t b = operand(l, 0), a = operand(l, 1);
    drop(l);
    drop(l);
    uint16_t dst = push_temp(l, VT_V128);
    uint32_t pos = emit_s(l, IR_I8X16_SHUFFLE, 4, dst, a, b, 0);
    if (l->len)
        memcpy(&at(l, pos + 2)->u64, imm->bytes, 16);
    has_dst(l);
}

/* Calls: the arguments go to consecutive homes, which become the callee's
 * first locals; the results come back in the same place. */
static void lower_call(lw_ctx *l, ir_op op, const wm_functype *ft, uint32_t func, bool indirect,
                       uint32_t type_sig, uint32_t table)
{
    uint32_t extra = indirect ? 1 : 0; /* call_indirect's index is on top. */
    for (uint32_t j = 0; j < ft->nparams; j++)
        materialize(l, peek(l, extra + j));
    uint16_t index = indirect ? operand(l, 0) : 0;
    if (indirect)
        drop(l);
    uint32_t first = l->nvals - ft->nparams;
    uint16_t args = first < l->nvals ? l->vals[first].home : next_home(l);
    uint32_t pos;
    if (indirect) {
        pos = emit_s(l, op, 3, args, index, 0, 0);
        if (l->len) {
            at(l, pos + 1)->u32[1] = type_sig;
            at(l, pos + 2)->u32[0] = table;
        }
    } else {
        emit_ssi(l, op, args, 0, func);
    }
    for (uint32_t j = 0; j < ft->nparams; j++)
        drop(l);
    for (uint32_t j = 0; j < ft->nresults; j++)
        push_temp(l, ft->results[j]);
}

/* local.set / local.tee: forward the last result straight into the local
 * when it was just computed into a temporary, else copy. */
static inline __attribute__((always_inline)) void lower_local_set(lw_ctx *l, uint32_t index,
                                                                 bool tee)
{
    uint16_t slot = l->locals[index].slot;
    lw_val *v = peek(l, 0);
    bool still_zero = index < 64 && (l->zero_locals >> index & 1);
    bool same = (v->kind == LV_LOCAL && v->local == index) || /* its own value */
                (still_zero && v->kind == LV_CONST && v->bits == 0); /* zero, as entry left it */
    if (!same && index < 64)
        l->zero_locals &= ~(UINT64_C(1) << index);
    if (same) {
        /* The local keeps the value it has: nothing to do. */
    } else if (v->kind == LV_TEMP && l->last_valid && l->last_has_dst && !l->locals[index].refs &&
        l->len && at(l, l->last_pos + 1)->u16[0] == v->home) {
        at(l, l->last_pos + 1)->u16[0] = slot;
        l->last_valid = false;
    } else {
        preserve_local(l, index);
        v = peek(l, 0);
        move_to(l, v, slot);
        l->last_valid = false;
    }
    lw_val old = pop(l);
    if (tee) {
        if (old.kind == LV_CONST)
            push_const(l, old.type, old.bits);
        else
            push_local(l, index, old.type);
    }
}

/* Control instructions. A block type names its type by index until
 * resolved here. */
static inline __attribute__((always_inline)) void lower_block(lw_ctx *l, uint8_t kind,
                                                             const wv_ctx *c, wv_imm *imm)
{
    resolve_blocktype(c, imm);
    if (kind == WV_IF) {
        /* The condition leaves the stack, but the jump still reads it: no
         * local is written in between. A constant condition needs no jump:
         * one of the branches is dead. */
        lw_val c = pop(l);
        preserve_all(l, imm->bt_nparams);
        uint32_t pos = c.kind == LV_CONST ? UINT32_MAX : emit_cond_jump(l, &c, false);
        lw_frame *f = push_frame(l, WV_IF, imm->bt_nparams, imm->bt_params, imm->bt_nresults,
                                 imm->bt_results);
        if (f && pos != UINT32_MAX)
            f->else_patch = (int32_t)pos;
        if (f && c.kind == LV_CONST) {
            f->dead = c.bits == 0;
            f->dead_else = c.bits != 0;
        }
        label(l);
        return;
    }
    preserve_all(l, imm->bt_nparams);
    label(l);
    if (kind == WV_LOOP)
        l->zero_locals = 0; /* Reached again from code lowered later. */
    lw_frame *f = push_frame(l, kind, imm->bt_nparams, imm->bt_params, imm->bt_nresults,
                             imm->bt_results);
    if (f)
        f->start = l->len;
    if (kind == WV_LOOP)
        open_loop_region(l, f);
}

static void lower_else(lw_ctx *l)
{
    lw_frame *f = frame_at(l, 0);
    if (!f->dead) {
        end_moves(l, f);
        if (!f->dead_else)
            emit_jump_to(l, f);
    }
    /* The else branch starts from the if's parameters, still in their homes:
     * the then branch did not run. */
    if (f->else_patch >= 0)
        set_offset(l, (uint32_t)f->else_patch, (uint32_t)f->else_patch + 1, 1, l->len);
    f->else_patch = -1;
    f->kind = WV_ELSE;
    f->dead = f->dead_frame || f->dead_else;
    label(l);
    reset_stack(l, f, f->nparams, f->params);
}

/* Removes the innermost frame (its storage stays valid until the next
 * push_frame). */
static void pop_frame(lw_ctx *l)
{
    l->nframes--;
    l->top = l->nframes ? &l->frames[l->nframes - 1] : NULL;
}

static inline __attribute__((always_inline)) void lower_end(lw_ctx *l)
{
    lw_frame *f = frame_at(l, 0);
    if (f->kind == WV_FUNC) {
        if (!f->dead)
            emit_return(l);
        pop_frame(l);
        return;
    }
    if (!f->dead)
        end_moves(l, f);
    /* An if without else falls through to the end with its parameters,
     * which are then its results. */
    if (f->else_patch >= 0)
        set_offset(l, (uint32_t)f->else_patch, (uint32_t)f->else_patch + 1, 1, l->len);
    resolve_patches(l, f);
    label(l);
    reset_stack(l, f, f->nresults, f->results);
    pop_frame(l);
    if (f->kind == WV_LOOP)
        close_loop_region(l, f);
}

static void lower_br_if(lw_ctx *l, uint32_t depth)
{
    lw_val c = pop(l);
    if (c.kind == LV_CONST) {
        /* Always or never taken. */
        if (c.bits) {
            emit_br(l, depth);
            set_dead(l);
        }
        return;
    }
    lw_frame *f = frame_at(l, depth);
    const uint8_t *types;
    uint32_t n = label_arity(f, &types);
    if (f->kind != WV_FUNC && in_place(l, f, n)) {
        target_label(l, f, emit_cond_jump(l, &c, true));
        return;
    }
    /* Moves needed: skip them when the condition is false. */
    uint32_t skip = emit_cond_jump(l, &c, false);
    emit_br(l, depth);
    set_offset(l, skip, skip + 1, 1, l->len);
    label(l);
}

static void lower_br_table(lw_ctx *l, const wv_imm *imm, const uint8_t *imm_end)
{
    if (peek(l, 0)->kind == LV_CONST) {
        /* A constant index: a br to its target (the last, the default, for
         * any index past the others). */
        uint64_t index = peek(l, 0)->bits;
        drop(l);
        wr_reader r = wr_init(imm->targets, imm->targets, imm_end, NULL);
        uint32_t depth = 0;
        for (uint32_t k = 0; k <= imm->ntargets && k <= index; k++)
            if (!wr_u32(&r, &depth))
                depth = 0;
        emit_br(l, depth);
        return;
    }
    uint16_t index = operand(l, 0);
    drop(l);
    uint32_t n = imm->ntargets;
    uint32_t pos = emit(l, IR_JUMP_TABLE, 2 + n + 1);
    l->in_br_table = true;
    if (l->len) {
        at(l, pos + 1)->u16[0] = index;
        at(l, pos + 1)->u32[1] = n;
    }
    wr_reader r = wr_init(imm->targets, imm->targets, imm_end, NULL);
    for (uint32_t k = 0; k <= n; k++) {
        uint32_t depth;
        if (!wr_u32(&r, &depth))
            depth = 0;
        lw_frame *f = frame_at(l, depth);
        const uint8_t *types;
        uint32_t arity = label_arity(f, &types);
        if (f->kind != WV_FUNC && in_place(l, f, arity)) {
            if (f->kind == WV_LOOP)
                set_offset(l, pos, pos + 2 + k, 0, f->start);
            else
                add_patch(l, f, pos, pos + 2 + k, 0);
            continue;
        }
        /* A stub after the table does the moves, then jumps. */
        set_offset(l, pos, pos + 2 + k, 0, l->len);
        emit_br(l, depth);
    }
    l->in_br_table = false;
}

/* The type sitting `depth` entries below the top, for untyped instructions. */
static uint8_t type_at(lw_ctx *l, uint32_t depth) { return peek(l, depth)->type; }

/* An instruction in unreachable code, where only the block structure
 * matters. Inline: for the walk's hot instructions, whose opcodes are
 * constants there, all but one case of the switch fold away. */
static inline __attribute__((always_inline)) bool lower_dead(lw_ctx *l, wasm_op op)
{
    switch (op) {
    case WOP_BLOCK: case WOP_LOOP: case WOP_IF: {
        /* Nothing in it is reached; only its end matters, after which the
         * enclosing frame is still dead. */
        lw_frame *f = push_frame(l, WV_BLOCK, 0, NULL, 0, NULL);
        if (f)
            f->dead = f->dead_frame = true;
        return !l->failed;
    }
    case WOP_ELSE:
        lower_else(l);
        return !l->failed;
    case WOP_END:
        lower_end(l);
        return !l->failed;
    default:
        return true;
    }
}

#include "lower_mem.h"

/* The result type of each instruction typed by its SIG column (0 for none
 * and for the hand-typed ones), as one table read. */
enum {
#define WASM_SIG_INFO(name, n, p0, p1, p2, r) RESULT_OF_SIG_##name = r,
    WASM_SIGS(WASM_SIG_INFO)
#undef WASM_SIG_INFO
};
static const uint8_t op_result[WOP_COUNT] = {
#define WASM_OP(id, name, prefix, code, imm, sig, width) [WOP_##id] = RESULT_OF_SIG_##sig,
#include "wasm_ops.def"
#undef WASM_OP
};

/* Any reachable instruction but those lower_op handles itself. */
static inline __attribute__((always_inline)) bool lower_instr(lw_ctx *l, wasm_op op,
                                                              const wv_imm *imm)
{
    const wasm_op_info *info = &wasm_op_infos[op];
    const lw_map *map = &op_map[op];
    uint8_t result = op_result[op];
    switch (map->kind) {
    case MAP_BINARY: case MAP_COMPARE: case MAP_BINARY_TRAP:
        lower_binary(l, map, result);
        return !l->failed;
    case MAP_UNARY:
        if (op == WOP_I32_EQZ && negate_compare(l))
            return true;
        lower_unary(l, map, result);
        return !l->failed;
    case MAP_LOAD: case MAP_LOAD_IDX:
        if (general_memory(l, imm->index))
            return lower_memory_access(l, map, imm, result);
        lower_load(l, map, imm, result);
        return !l->failed;
    case MAP_STORE: case MAP_STORE_ADD:
        if (general_memory(l, imm->index))
            return lower_memory_access(l, map, imm, result);
        lower_store(l, map, imm);
        return !l->failed;
    case MAP_V_BINARY:
        lower_v_binary(l, map, result);
        return !l->failed;
    case MAP_V_SHIFT:
        lower_v_shift(l, map);
        return !l->failed;
    case MAP_V_TERNARY:
        lower_v_ternary(l, map);
        return !l->failed;
    case MAP_V_EXTRACT:
        lower_v_extract(l, map, imm, result);
        return !l->failed;
    case MAP_V_REPLACE:
        lower_v_replace(l, map, imm);
        return !l->failed;
    case MAP_V_LOAD_LANE: case MAP_V_STORE_LANE:
        if (general_memory(l, imm->index))
            return lower_memory_access(l, map, imm, result);
        lower_v_lane(l, map, imm, map->kind == MAP_V_LOAD_LANE);
        return !l->failed;
    default:
        break;
    }
    if (memory64_op(l, op, imm))
        return lower_memory64(l, op, imm);
    switch (op) {
    case WOP_CALL_INDIRECT:
        lower_call(l, IR_CALL_INDIRECT, &l->m->types[imm->index], 0, true,
                   wx_sig_id(&l->m->types[imm->index]), imm->index2);
        break;
    case WOP_RETURN_CALL:
        lower_call(l, IR_RETURN_CALL, wm_func_type(l->m, imm->index), imm->index, false, 0, 0);
        set_dead(l);
        break;
    case WOP_RETURN_CALL_INDIRECT:
        lower_call(l, IR_RETURN_CALL_INDIRECT, &l->m->types[imm->index], 0, true,
                   wx_sig_id(&l->m->types[imm->index]), imm->index2);
        set_dead(l);
        break;
    case WOP_SELECT: case WOP_SELECT_T: {
        uint8_t t = type_at(l, 1);
        if (peek(l, 0)->kind == LV_CONST) {
            /* A constant condition picks an operand: it takes the first's
             * place on the stack, moved there if it is the second's
             * temporary. */
            bool first = peek(l, 0)->bits != 0;
            drop(l);
            lw_val b = pop(l), a = pop(l);
            lw_val v = first ? a : b;
            if (v.kind == LV_TEMP && v.home != a.home) {
                move_to(l, &v, a.home);
                push_temp(l, t);
            } else if (v.kind == LV_LOCAL) {
                push_local(l, v.local, t);
            } else if (v.kind == LV_CONST) {
                push_const(l, t, v.bits);
            } else {
                push_temp(l, t);
            }
            break;
        }
        lw_val *ka = peek(l, 2), *kb = peek(l, 1);
        if (ka->kind == LV_CONST && kb->kind == LV_CONST && (t == VT_I32 || t == VT_F32)) {
            /* Two 32-bit constants (x < y ? -1 : 1) go in the instruction. */
            uint32_t va = (uint32_t)ka->bits, vb = (uint32_t)kb->bits;
            uint16_t cond = operand(l, 0);
            drop(l); drop(l); drop(l);
            uint16_t dst = push_temp(l, t);
            uint32_t pos = emit_s(l, IR_SELECT_KK, 3, dst, cond, 0, 0);
            if (l->len) {
                at(l, pos + 2)->u32[0] = va;
                at(l, pos + 2)->u32[1] = vb;
            }
            has_dst(l);
            break;
        }
        uint16_t cond = operand(l, 0), b = operand(l, 1), a = operand(l, 2);
        drop(l); drop(l); drop(l);
        uint16_t dst = push_temp(l, t);
        emit_s(l, t == VT_V128 ? IR_SELECT_V128 : IR_SELECT, 2, dst, a, b, cond);
        has_dst(l);
        break;
    }
    case WOP_GLOBAL_SET: {
        uint8_t t = type_at(l, 0);
        uint16_t s = operand(l, 0);
        drop(l);
        emit_ssi(l, t == VT_V128 ? IR_GLOBAL_SET_V128 : IR_GLOBAL_SET, s, 0, imm->index);
        break;
    }
    case WOP_I8X16_SHUFFLE: lower_v_shuffle(l, imm); break;
    case WOP_V128_CONST: {
        uint16_t dst = push_temp(l, VT_V128);
        uint32_t pos = emit_s(l, IR_CONST_V128, 4, dst, 0, 0, 0);
        if (l->len)
            memcpy(&at(l, pos + 2)->u64, imm->bytes, 16);
        has_dst(l);
        break;
    }
    /* Reinterpretations and wrapping change only how the bits are read. */
    case WOP_I32_REINTERPRET_F32: peek(l, 0)->type = VT_I32; break;
    case WOP_F32_REINTERPRET_I32: peek(l, 0)->type = VT_F32; break;
    case WOP_I64_REINTERPRET_F64: peek(l, 0)->type = VT_I64; break;
    case WOP_F64_REINTERPRET_I64: peek(l, 0)->type = VT_F64; break;
    case WOP_MEMORY_SIZE: {
        uint16_t dst = push_temp(l, VT_I32);
        emit_ssi(l, IR_MEMORY_SIZE, dst, 0, imm->index);
        has_dst(l);
        break;
    }
    case WOP_MEMORY_GROW: {
        uint16_t delta = operand(l, 0);
        drop(l);
        uint16_t dst = push_temp(l, VT_I32);
        emit_ssi(l, IR_MEMORY_GROW, dst, delta, imm->index);
        has_dst(l);
        break;
    }
    case WOP_MEMORY_FILL: case WOP_MEMORY_COPY: case WOP_MEMORY_INIT:
    case WOP_TABLE_COPY: case WOP_TABLE_INIT: case WOP_TABLE_FILL: {
        uint16_t s2 = operand(l, 0), s1 = operand(l, 1), s0 = operand(l, 2);
        drop(l); drop(l); drop(l);
        ir_op iop = op == WOP_MEMORY_FILL ? IR_MEMORY_FILL : op == WOP_MEMORY_COPY ? IR_MEMORY_COPY
                  : op == WOP_MEMORY_INIT ? IR_MEMORY_INIT : op == WOP_TABLE_COPY ? IR_TABLE_COPY
                  : op == WOP_TABLE_INIT ? IR_TABLE_INIT : IR_TABLE_FILL;
        uint32_t pos = emit_s(l, iop, 3, s0, s1, s2, 0);
        /* The fills have one index; the second word half stays zero. */
        bool fill = op == WOP_MEMORY_FILL || op == WOP_TABLE_FILL;
        uint32_t a = imm->index, b = fill ? 0 : imm->index2;
        if (op == WOP_MEMORY_INIT || op == WOP_TABLE_INIT) {
            a = imm->index2; /* Memory or table first, then the segment. */
            b = imm->index;
        }
        if (l->len) {
            at(l, pos + 2)->u32[0] = a;
            at(l, pos + 2)->u32[1] = b;
        }
        break;
    }
    case WOP_DATA_DROP: emit_ssi(l, IR_DATA_DROP, 0, 0, imm->index); break;
    case WOP_ELEM_DROP: emit_ssi(l, IR_ELEM_DROP, 0, 0, imm->index); break;
    case WOP_TABLE_GET: {
        uint16_t i = operand(l, 0);
        drop(l);
        uint16_t dst = push_temp(l, l->m->tables[imm->index].type.elem);
        emit_ssi(l, IR_TABLE_GET, dst, i, imm->index);
        has_dst(l);
        break;
    }
    case WOP_TABLE_SET: {
        uint16_t v = operand(l, 0), i = operand(l, 1);
        drop(l); drop(l);
        emit_ssi(l, IR_TABLE_SET, i, v, imm->index);
        break;
    }
    case WOP_TABLE_SIZE: {
        uint16_t dst = push_temp(l, VT_I32);
        emit_ssi(l, IR_TABLE_SIZE, dst, 0, imm->index);
        has_dst(l);
        break;
    }
    case WOP_TABLE_GROW: {
        uint16_t delta = operand(l, 0), init = operand(l, 1);
        drop(l); drop(l);
        uint16_t dst = push_temp(l, VT_I32);
        uint32_t pos = emit_s(l, IR_TABLE_GROW, 3, dst, init, delta, 0);
        if (l->len)
            at(l, pos + 2)->u32[0] = imm->index;
        has_dst(l);
        break;
    }
    case WOP_REF_NULL: push_const(l, imm->type, 0); break;
    case WOP_REF_IS_NULL: {
        uint16_t s = operand(l, 0);
        drop(l);
        uint16_t dst = push_temp(l, VT_I32);
        emit_s(l, IR_REF_IS_NULL, 2, dst, s, 0, 0);
        has_dst(l);
        break;
    }
    case WOP_REF_FUNC: {
        uint16_t dst = push_temp(l, VT_FUNCREF);
        emit_ssi(l, IR_REF_FUNC, dst, 0, imm->index);
        has_dst(l);
        break;
    }
    default: {
        /* Instructions the interpreter cannot run yet (none of 2.0 since
         * SIMD is lowered): a trap that says so, with the stack effect the
         * validator expects. */
        emit_ssi(l, IR_UNSUPPORTED, 0, 0, (uint32_t)op);
        if (info->sig != WS_SPECIAL) {
            const wasm_sig *s = &wasm_sigs[info->sig];
            for (unsigned j = 0; j < s->nparams; j++)
                drop(l);
            if (s->result)
                push_temp(l, s->result);
        } else {
            return fail(l, WEFT_ERR_LIMIT, "instruction not supported by the interpreter");
        }
        break;
    }
    }
    return !l->failed;
}

/* The control instructions, calls, local.set and global.get, each in a
 * function of its own for lower_op, inline: the walk (below) that lower_op
 * is inline into has one stack frame per body, where a call per
 * instruction would set one up each time. */
#define LOWER_CASE(name, body)                                                         \
    static inline __attribute__((always_inline)) bool name(lw_ctx *l, wv_ctx *c, wv_imm *imm) \
    {                                                                                  \
        (void)c, (void)imm;                                                            \
        body;                                                                          \
        return !l->failed;                                                             \
    }
LOWER_CASE(op_local_set, lower_local_set(l, imm->index, false))
LOWER_CASE(op_local_tee, lower_local_set(l, imm->index, true))
LOWER_CASE(op_global_get, {
    uint8_t t = l->m->globals[imm->index].type.type;
    uint16_t dst = push_temp(l, t);
    emit_ssi(l, t == VT_V128 ? IR_GLOBAL_GET_V128 : IR_GLOBAL_GET, dst, 0, imm->index);
    has_dst(l);
})
LOWER_CASE(op_unreachable, {
    emit(l, IR_UNREACHABLE, 1);
    set_dead(l);
})
LOWER_CASE(op_block, lower_block(l, WV_BLOCK, c, imm))
LOWER_CASE(op_loop, lower_block(l, WV_LOOP, c, imm))
LOWER_CASE(op_if, lower_block(l, WV_IF, c, imm))
LOWER_CASE(op_else, lower_else(l))
LOWER_CASE(op_end, lower_end(l))
LOWER_CASE(op_br, {
    emit_br(l, imm->index);
    set_dead(l);
})
LOWER_CASE(op_br_if, lower_br_if(l, imm->index))
LOWER_CASE(op_br_table, {
    lower_br_table(l, imm, c->r.p);
    set_dead(l);
})
LOWER_CASE(op_return, {
    emit_return(l);
    set_dead(l);
})
LOWER_CASE(op_call,
           lower_call(l, IR_CALL, wm_func_type(l->m, imm->index), imm->index, false, 0, 0))
#undef LOWER_CASE

/* One instruction. The most frequent instructions, those that only change
 * the simulated stack, are handled here; the others jump to their
 * functions above or to lower_instr. Inline into the walk (below), where
 * the hot instructions' opcodes are constants: each of them keeps only its
 * own case. */
static inline __attribute__((always_inline)) bool lower_op(lw_ctx *l, wv_ctx *c, wasm_op op,
                                                           wv_imm *imm)
{
    if (l->top->dead)
        return lower_dead(l, op);
    l->region_ops++;
    switch (op) {
    case WOP_LOCAL_GET:
        push_local(l, imm->index, l->locals[imm->index].type);
        break;
    case WOP_I32_CONST: push_const(l, VT_I32, (uint32_t)imm->bits); break;
    case WOP_I64_CONST: push_const(l, VT_I64, imm->bits); break;
    case WOP_F32_CONST: push_const(l, VT_F32, (uint32_t)imm->bits); break;
    case WOP_F64_CONST: push_const(l, VT_F64, imm->bits); break;
    case WOP_DROP: drop(l); break;
    case WOP_I32_WRAP_I64: {
        /* An i32 reads the low half of a slot, so wrapping costs nothing:
         * the entry is only read as an i32 from now on. */
        lw_val *v = peek(l, 0);
        v->type = VT_I32;
        if (v->kind == LV_CONST)
            v->bits &= 0xffffffffu;
        break;
    }
    case WOP_NOP: break;
    case WOP_LOCAL_SET: return op_local_set(l, c, imm);
    case WOP_LOCAL_TEE: return op_local_tee(l, c, imm);
    case WOP_GLOBAL_GET: return op_global_get(l, c, imm);
    case WOP_UNREACHABLE: return op_unreachable(l, c, imm);
    case WOP_BLOCK: return op_block(l, c, imm);
    case WOP_LOOP: return op_loop(l, c, imm);
    case WOP_IF: return op_if(l, c, imm);
    case WOP_ELSE: return op_else(l, c, imm);
    case WOP_END: return op_end(l, c, imm);
    case WOP_BR: return op_br(l, c, imm);
    case WOP_BR_IF: return op_br_if(l, c, imm);
    case WOP_BR_TABLE: return op_br_table(l, c, imm);
    case WOP_RETURN: return op_return(l, c, imm);
    case WOP_CALL: return op_call(l, c, imm);
    default: return lower_instr(l, op, imm);
    }
    return !l->failed;
}

/* ---- Lowering a function ---------------------------------------------------------- */

/* The walk over a body that wm_validate accepted when the module loaded: it
 * only decodes, each instruction's opcode and immediates, and lowers them.
 * Nothing in such a body can fail to decode, and the `end` that closes the
 * function is its last byte, so the walk ends with the bytes. As in the
 * validator's loop, the hot instructions are told apart by their opcode
 * byte, so that their immediates are read, and they are lowered, by code
 * for them alone. */
static bool walk_body(lw_ctx *l, wv_ctx *c, const wm_func *fn)
{
    c->r = wr_init(c->m->bytes, fn->body, fn->body + fn->body_len, c->err);
    c->op_start = fn->body; /* No error is expected: any would point here. */
    wr_reader *r = &c->r;
    while (!wr_eof(r)) {
        wv_imm imm;
        bool ok;
        switch (*r->p) {
#define WALK_CASE(id)                                                                  \
        case CODE_OF_##id:                                                             \
            r->p++;                                                                    \
            ok = read_imm(c, (wasm_imm)IMM_OF_##id, &imm) && lower_op(l, c, WOP_##id, &imm); \
            break;
        HOT_INSTRUCTIONS(WALK_CASE)
#undef WALK_CASE
        default: {
            wasm_op op;
            ok = read_opcode(c, &op) && read_imm(c, (wasm_imm)wasm_op_infos[op].imm, &imm) &&
                 lower_op(l, c, op, &imm);
            break;
        }
        }
        if (!ok)
            return false;
    }
    return true;
}

const ir_word *wl_lower(const wm_module *m, uint32_t index, wx_dispatch dispatch,
                        bool explicit_bounds, wx_metering metering, weft_error *err)
{
    static const ir_op check_ops[METER_COUNT] = {
        [METER_FUEL] = IR_CHECK_FUEL, [METER_INTERRUPT] = IR_CHECK_INTERRUPT,
        [METER_BOTH] = IR_CHECK,
    };
    const ir_word **cache = wl_code_cache(m, dispatch, explicit_bounds, metering);
    if (!cache) {
        wm_fail(err, WEFT_ERR_NOMEM, SEC_CODE, index, -1, "out of memory");
        return NULL;
    }
    if (cache[index])
        return cache[index];

    const wm_func *fn = &m->funcs[index];
    const wm_functype *ft = wm_func_type(m, index);
    lw_ctx l = { .m = m, .words = wx_handler_words(dispatch), .checked = explicit_bounds,
                 .err = err, .metered = metering != METER_NONE,
                 .check_op = check_ops[metering], .check_pos = UINT32_MAX,
                 .add_pos = UINT32_MAX };
    l.nlocals = ft->nparams + fn->nlocals;
    l.locals = malloc((l.nlocals + 1) * sizeof *l.locals);
    if (!l.locals) {
        fail(&l, WEFT_ERR_NOMEM, "out of memory while lowering");
        goto out;
    }
    uint32_t slot = 0;
    for (uint32_t i = 0; i < l.nlocals; i++) {
        uint8_t type = i < ft->nparams ? ft->params[i] : fn->local_types[i - ft->nparams];
        l.locals[i] = (lw_local){ .slot = (uint16_t)slot, .type = type, .refs = 0 };
        slot += width(type);
        if (slot > 0xffff) {
            fail(&l, WEFT_ERR_LIMIT, "function needs more than 65535 frame slots");
            goto out;
        }
    }
    /* Every slot a frame uses (WX_FRAME_MAX): its locals and temporaries
     * (push_slow checks those) and its results. */
    uint32_t result_slots = 0;
    for (uint32_t i = 0; i < ft->nresults; i++)
        result_slots += width(ft->results[i]);
    if (result_slots > 0xffff) {
        fail(&l, WEFT_ERR_LIMIT, "function needs more than 65535 frame slots");
        goto out;
    }
    l.temp_base = l.free_home = slot;

    /* Room for the code at once: bodies lower to under half a word per
     * byte (a third in the benchmark programs), so the buffers seldom grow.
     * (Capped, so that doubling up to it cannot overflow: a larger body
     * grows the buffers as it goes.) */
    uint32_t expected = (fn->body_len < (1u << 30) ? fn->body_len : 1u << 30) / 2 + 64;
    if (!grow_code(&l, expected))
        goto out;

    /* Calls zero the declared locals (ENTER_FRAME in interp_ops.h): the
     * code starts with the body, or with the metered check. */
    emit_check(&l);
    push_frame(&l, WV_FUNC, 0, NULL, ft->nresults, ft->results);
    label(&l);
    for (uint32_t i = ft->nparams; i < l.nlocals && i < 64; i++)
        l.zero_locals |= UINT64_C(1) << i;

    /* The module was validated when it loaded: the walk that drives the
     * lowering only decodes the body. */
    wv_ctx c;
    wv_init(&c, (wm_module *)m, err);
    c.func = index;
    c.section = SEC_CODE;
    bool ok = walk_body(&l, &c, fn);
    wv_free(&c);
    if (!ok || l.failed) {
        if (!l.failed && err && err->status == WEFT_OK)
            fail(&l, WEFT_ERR_INVALID, "function failed validation while lowering");
        l.failed = true;
        goto out;
    }
    close_region(&l);
    wl_code wc = { l.code, l.ops, l.len, l.words };
    if (!wl_finish(&wc)) {
        fail(&l, WEFT_ERR_NOMEM, "out of memory while lowering");
        goto out;
    }
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
    }
    pthread_mutex_unlock(&cache_lock);
out:
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

const ir_word *wx_lower_lazy(wx_func *f)
{
    wx_instance *inst = f->inst;
    weft_error err;
    const ir_word *code = wl_lower(inst->mod, f->index, inst->dispatch, inst->explicit_bounds,
                                   inst->metering, &err);
    if (code)
        *f->code = code;
    return code;
}
