/* lower_internal.h: what the parts of the lowering share: the state of one
 * function's lowering (the simulated operand stack, the control frames, the
 * code being emitted, what the fusions know of it), the emitters and stack
 * operations small enough to inline, and the functions each part offers
 * the others. The parts: lower.c (caches and the entry point),
 * lower_stack.c (the stack and control model), lower_instr.c (each
 * instruction), lower_fuse.c (peephole fusions), lower_mem.c (multi-memory
 * and memory64 accesses), lower_pass.c (the pass over finished code),
 * lower_fold.c (constant folding), lower_exn.c (exception handling),
 * lower_gc.c (garbage collection's instructions) and lower_maps.c (stack
 * maps). */
#ifndef WEFT_LOWER_INTERNAL_H
#define WEFT_LOWER_INTERNAL_H

#include <stdlib.h>
#include <string.h>

#include "interp.h"
#include "lower.h"
#include "decode_instr.h"

/* ---- The state of one function's lowering -------------------------------------- */

enum { LV_TEMP, LV_LOCAL, LV_CONST };

typedef struct lo_val {
    uint8_t kind;           /* LV_*. */
    uint8_t type;           /* Value type's code (vt_code): all lowering needs. */
    uint16_t home;          /* The slot this stack position owns. */
    uint16_t slot;          /* Where the value is: home (temp) or the local's slot. */
    union {
        uint32_t local;     /* LV_LOCAL: the local's index. */
        uint64_t bits;      /* LV_CONST: the value. */
    };
} lo_val;

/* What lowering keeps of each local. */
typedef struct lo_local {
    uint16_t slot;          /* Its slot in the frame. */
    uint8_t type;
    uint32_t refs;          /* Stack entries that refer to it. */
} lo_local;

/* A control frame: where its branches go and what they carry. */
typedef struct lo_frame {
    uint8_t kind;           /* WV_FUNC, WV_BLOCK, WV_LOOP, WV_IF, WV_ELSE. */
    bool dead;              /* The rest of the frame is unreachable. */
    bool dead_frame;        /* The whole frame, else branch included, is unreachable. */
    bool dead_else;         /* If: the condition was a true constant. */
    uint32_t height;        /* Stack height below the frame's parameters. */
    uint16_t base;          /* Home slot of stack position `height`. */
    uint32_t nparams, nresults;
    const wm_valtype *params, *results;
    uint32_t start;         /* Loop: code position of the loop head. */
    int32_t patches;        /* Forward jumps to the frame's end (list head). */
    int32_t writes;         /* One numeric result: the instructions that write it to
                             * its home (a list of patches, word and half naming the
                             * destination slot; -1 ends it) ... */
    bool writes_unknown;    /* ... and whether some path writes it elsewise. */
    int32_t else_patch;     /* If: the jump to the else branch, or -1. */
    uint32_t outer_check;   /* Loop, metered: the enclosing region's check and count. */
    uint32_t outer_ops;
    uint32_t scope;         /* try_table, try: its handler scope plus one (lower_exn.c). */
    uint8_t below;          /* Legacy catch: entries below `height` that are the frame's
                             * own (the caught exnref, for rethrow). */
} lo_frame;

/* A jump whose target is not known yet: code[word].i32[half] gets the offset
 * from the instruction at `from`. */
typedef struct lo_patch {
    uint32_t from, word;
    uint8_t half;
    int32_t next;
} lo_patch;

/* The compare just emitted, kept so a following br_if or if can fuse with it. */
typedef struct lo_compare {
    ir_op base;             /* The compare's _RR opcode. */
    bool with_imm;          /* (slot, constant) form. */
    bool imm64;             /* The constant is 64 bits. */
    uint16_t a, b;
    uint64_t imm;
} lo_compare;

/* What the fusions know of the code just emitted: the last instruction
 * (for result forwarding and compare fusion), the last label, and the last
 * add of a constant (for add.jump). emit() and label() keep it; the fusions
 * in lower_fuse.c read it. */
typedef struct lo_fuse {
    uint32_t last_pos;
    ir_op last_op;
    bool last_valid;            /* Nothing (no label) came after it. */
    bool last_has_dst;          /* Its destination is the u16 at word 1 [0]. */
    bool last_is_compare;
    bool copy_open;             /* It is a one-slot copy that a next copy may join. */
    lo_compare cmp;
    uint32_t label_at;          /* Where the last label is: code from there on runs straight. */
    uint32_t add_pos;           /* The last i32 add or sub of a constant, or UINT32_MAX. */
    /* The instruction before the last and its opcode, or UINT32_MAX where a
     * label came between (lo_fuse_remainder checks it is still there). */
    uint32_t prev_pos;
    ir_op prev_op;
} lo_fuse;

typedef struct lo_ctx {
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
    bool in_br_table;           /* A jump table is being filled in. */

    lo_val *vals;
    uint32_t nvals, vals_cap;
    lo_frame *frames;
    uint32_t nframes, frames_cap;
    lo_frame *top;              /* The innermost frame, frames[nframes - 1]: the
                                 * one every instruction looks at. */
    lo_patch *patches;
    uint32_t npatches, patches_cap;

    uint32_t nlocals;           /* Parameters and declared locals. */
    lo_local *locals;           /* Parameters, then declared locals. */
    uint32_t temp_base;         /* First temporary slot. */
    uint32_t free_home;         /* Home of the next stack position: temp_base
                                 * or the top entry's home plus its width. */

    /* What the peephole fusions (lower_fuse.c) and result forwarding know
     * of the code just emitted. */
    lo_fuse fuse;

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

    /* Exception handlers (lower_exn.c), NULL until the first try. */
    struct lo_exn *exn;

    /* Stack maps (lower_maps.c): the safepoints so far, each with its
     * slots that hold references, in `site_slots`. */
    struct lo_site *sites;
    uint32_t nsites, sites_cap;
    uint16_t *site_slots;
    uint32_t nsite_slots, site_slots_cap;
    uint16_t *ref_locals;       /* The slots of locals that may hold objects, */
    uint32_t nref_locals;       /* found at the first site (ref_locals_known). */
    bool ref_locals_known;
} lo_ctx;

/* How each Wasm instruction maps to IR: its family and first opcode. */
enum {
    MAP_NONE, MAP_BINARY, MAP_COMPARE, MAP_BINARY_TRAP, MAP_UNARY, MAP_LOAD, MAP_LOAD_IDX,
    MAP_STORE, MAP_STORE_ADD,
    MAP_V_BINARY, MAP_V_SHIFT, MAP_V_TERNARY, MAP_V_EXTRACT, MAP_V_REPLACE, MAP_V_LOAD_LANE,
    MAP_V_STORE_LANE,
};

typedef struct lo_map {
    uint8_t kind;
    uint16_t op;
} lo_map;

/* The error of a function whose locals, temporaries or results need more
 * frame slots than an IR operand (16 bits) can name. */
#define FRAME_LIMIT_MESSAGE "needs more than 65535 frame slots (an implementation limit)"

/* ---- Offered by the parts (lo_ prefix) ------------------------------------------ */

/* lower_stack.c: failure, growth, jumps and metering. */
bool lo_fail(lo_ctx *l, weft_status status, const char *msg);
bool lo_grow_slow(lo_ctx *l, void **buf, uint32_t *cap, uint32_t need, size_t size);
bool lo_grow_code(lo_ctx *l, uint32_t need);
void lo_add_patch(lo_ctx *l, lo_frame *f, uint32_t from, uint32_t word, uint8_t half);
void lo_set_offset(lo_ctx *l, uint32_t from, uint32_t word, uint8_t half, uint32_t target);
void lo_close_region(lo_ctx *l);
void lo_emit_check(lo_ctx *l);

/* lower_stack.c: the simulated stack. */
lo_val *lo_push_slow(lo_ctx *l, uint8_t kind, uint8_t type, uint32_t home);
void lo_move_to(lo_ctx *l, const lo_val *v, uint16_t dst);
void lo_materialize(lo_ctx *l, lo_val *v);
uint16_t lo_slot_of(lo_ctx *l, lo_val *v);
void lo_preserve_local(lo_ctx *l, uint32_t index);
bool lo_preserve_before_last(lo_ctx *l, uint32_t index, uint16_t slot);

/* lower_stack.c: control frames and the control instructions. */
lo_frame *lo_push_frame(lo_ctx *l, uint8_t kind, uint32_t nparams, const wm_valtype *params,
                        uint32_t nresults, const wm_valtype *results);
void lo_set_dead(lo_ctx *l);
void lo_emit_return(lo_ctx *l);
void lo_emit_br(lo_ctx *l, uint32_t depth);
void lo_block(lo_ctx *l, uint8_t kind, const wv_ctx *c, wv_imm *imm);
void lo_else(lo_ctx *l);
void lo_end(lo_ctx *l);
/* lo_end where a local.set or local.tee of local `set` follows at once
 * (UINT32_MAX: none): the frame's result may be written into the local. */
void lo_end_set(lo_ctx *l, uint32_t set);
void lo_br_if(lo_ctx *l, uint32_t depth);
/* Garbage collection's instructions (lower_gc.c); false, emitting
 * nothing, for any other. */
bool lo_gc_op(lo_ctx *l, wasm_op op, const wv_imm *imm);
void lo_br_on_null(lo_ctx *l, uint32_t depth, bool on_null);
void lo_br_table(lo_ctx *l, const wv_imm *imm, const uint8_t *imm_end);
bool lo_dead(lo_ctx *l, wv_ctx *c, wasm_op op, wv_imm *imm);
void lo_end_body(lo_ctx *l);

/* lower_exn.c: exception handling. lo_exn_op lowers the exception
 * instructions (reachable or not); the rest serve the other parts. */
bool lo_exn_op(lo_ctx *l, wv_ctx *c, wasm_op op, wv_imm *imm);
void lo_exn_close(lo_ctx *l, lo_frame *f);
void lo_exn_set_target(lo_ctx *l, uint32_t handler, uint32_t target);
bool lo_exn_open(const lo_ctx *l);
/* After the walk: emits what handlers need at the end of the code and
 * lists the positions lower_finish must keep as labels and remap. */
bool lo_exn_finish(lo_ctx *l, uint32_t **labels, uint32_t *nlabels);
/* After lower_finish: the handler table, from the remapped positions, and
 * its registration with the code (under the cache's lock). */
struct wx_handlers *lo_exn_table(lo_ctx *l, const uint32_t *labels);
void lo_exn_free(lo_ctx *l);
/* Registers a function's handler table and stack maps (either may be
 * NULL) with its code, which then owns them. */
void lower_tables_register(const wm_module *m, unsigned variant, const ir_word *code,
                           uint64_t len, struct wx_handlers *table, wx_stackmap *maps);

/* lower_maps.c: stack maps, for the collector's precise roots. A
 * safepoint is where a frame can be when a collection runs: an
 * allocating instruction (its operands still live) or a call (the frame
 * suspended below the arguments). lo_site_open records the reference
 * slots of the locals and of the stack's bottom `upto` entries, and
 * returns the site (UINT32_MAX when it holds none); lo_site_close gives it
 * the position of the instruction emitted for it. lo_sites_copy copies
 * the sites in code [from, to) to the copy of that code at `at`
 * (duplicate_head). lo_stackmap makes the function's table from the
 * positions lower_finish remapped (NULL when no site holds a reference,
 * and on failure). */
uint32_t lo_site_open(lo_ctx *l, uint32_t upto);
void lo_site_close(lo_ctx *l, uint32_t site, uint32_t pos, bool call);
void lo_sites_copy(lo_ctx *l, uint32_t from, uint32_t to, uint32_t at);
/* Whether the instruction at `pos` is a safepoint (it must not move). */
bool lo_site_at(const lo_ctx *l, uint32_t pos);
uint32_t *lo_site_positions(lo_ctx *l);
struct wx_stackmap *lo_stackmap(lo_ctx *l, const uint32_t *positions);
void lo_sites_free(lo_ctx *l);

/* lower_fuse.c: the peephole fusions, each of which replaces the
 * instruction just emitted (and sometimes more) with one that does both. */
uint32_t lo_cond_jump(lo_ctx *l, lo_val *c, bool when);
bool lo_fuse_shift(lo_ctx *l, const lo_val *a, const lo_val *b);
bool lo_fuse_bit_field(lo_ctx *l, const lo_val *x, uint64_t mask, uint16_t dst);
bool lo_fold_multiply(lo_ctx *l, ir_op mul, ir_op fused, const lo_val *a, const lo_val *b,
                      uint16_t dst);
bool lo_fuse_pair(lo_ctx *l, ir_op op, const lo_val *a, const lo_val *b);
bool lo_fuse_remainder(lo_ctx *l, ir_op op, const lo_val *a, const lo_val *b, uint16_t dst);
bool lo_fuse_min_max(lo_ctx *l, uint8_t t);
bool lo_negate_compare(lo_ctx *l);
bool lo_added_address(lo_ctx *l, const lo_val *a, uint16_t *base, uint32_t *k);
bool lo_fuse_update(lo_ctx *l, const wv_imm *imm);
bool lo_fuse_move(lo_ctx *l, const lo_map *map, const wv_imm *imm);

/* lower_mem.c: accesses to any memory but a 32-bit memory 0, and the
 * memory and table instructions of 64-bit memories and tables. */
bool lo_memory_access(lo_ctx *l, const lo_map *map, const wv_imm *imm, uint8_t result);
bool lo_memory64_op(const lo_ctx *l, wasm_op op, const wv_imm *imm);
bool lo_memory64(lo_ctx *l, wasm_op op, const wv_imm *imm);

/* lower_instr.c: the walk over a validated body, lowering each instruction. */
bool lo_walk_body(lo_ctx *l, wv_ctx *c, const wm_func *fn);

/* ---- Small enough to inline everywhere ------------------------------------------- */

static inline unsigned width(uint8_t type) { return type == VT_V128 ? 2 : 1; }

static inline bool grow(lo_ctx *l, void **buf, uint32_t *cap, uint32_t need, size_t size)
{
    return need <= *cap || lo_grow_slow(l, buf, cap, need, size);
}

/* ---- Emitting code -------------------------------------------------------------- */

/* Appends an instruction of `n` words, zeroed but for word 0, and returns
 * its position. The stacks keep working on failure; `failed` stops the end
 * result. */

static inline uint32_t emit(lo_ctx *l, ir_op op, unsigned n)
{
    /* The opcodes grow with the code, to the same capacity. */
    if (l->len + n > l->cap && !lo_grow_code(l, l->len + n)) {
        l->len = 0;
        return 0;
    }
    uint32_t pos = l->len;
    ir_word *w = l->code + pos;
    l->fuse.prev_pos = l->fuse.last_valid ? l->fuse.last_pos : UINT32_MAX;
    l->fuse.prev_op = l->fuse.last_op;
    w[0].handler = l->words[op];
    for (unsigned i = 1; i < n; i++)
        w[i].u64 = 0;
    l->ops[pos] = (uint16_t)op;
    if (op == IR_I32_ADD_RI || op == IR_I32_SUB_RI)
        l->fuse.add_pos = pos;
    l->len += n;
    l->fuse.last_pos = pos;
    l->fuse.last_op = op;
    l->fuse.last_valid = true;
    l->fuse.last_has_dst = false;
    l->fuse.last_is_compare = false;
    l->fuse.copy_open = false;
    return pos;
}

static inline ir_word *at(lo_ctx *l, uint32_t pos) { return &l->code[pos]; }

/* [op][s0 s1 s2 s3] */
static inline uint32_t emit_s(lo_ctx *l, ir_op op, unsigned n, uint16_t s0, uint16_t s1,
                              uint16_t s2, uint16_t s3)
{
    uint32_t pos = emit(l, op, n);
    if (l->len)
        *at(l, pos + 1) = (ir_word){ .u16 = { s0, s1, s2, s3 } };
    return pos;
}

/* [op][s0 s1 imm] */
static inline uint32_t emit_ssi(lo_ctx *l, ir_op op, uint16_t s0, uint16_t s1, uint32_t imm)
{
    uint32_t pos = emit_s(l, op, 2, s0, s1, 0, 0);
    if (l->len)
        at(l, pos + 1)->u32[1] = imm;
    return pos;
}

/* Marks the last instruction as writing its result to word 1's first slot. */
static inline void has_dst(lo_ctx *l) { l->fuse.last_has_dst = true; }

/* A label: code after it can be reached from elsewhere, so nothing may fuse
 * across it. */
static inline void label(lo_ctx *l)
{
    l->fuse.last_valid = l->fuse.copy_open = false;
    l->fuse.label_at = l->len;
    l->fuse.add_pos = UINT32_MAX;
}

/* The home slot of the next stack position. (An entry's type may change
 * only to one of the same width, so the top's home and width stay valid.) */
static inline uint16_t next_home(lo_ctx *l) { return (uint16_t)l->free_home; }

/* Stores a new top entry whose home is `home`. */
static inline __attribute__((always_inline)) lo_val *put(lo_ctx *l, uint8_t kind, uint8_t type,
                                                         uint32_t home)
{
    lo_val *v = &l->vals[l->nvals++];
    *v = (lo_val){ .kind = kind, .type = type, .home = (uint16_t)home, .slot = (uint16_t)home };
    l->free_home = home + width(type);
    return v;
}

static inline __attribute__((always_inline)) lo_val *push(lo_ctx *l, uint8_t kind, uint8_t type)
{
    /* Below slot 0xfffe any entry fits; push_slow tells the rest apart. */
    uint32_t home = next_home(l);
    if (__builtin_expect(home >= 0xfffe || l->nvals == l->vals_cap, 0))
        return lo_push_slow(l, kind, type, home);
    return put(l, kind, type, home);
}

/* Pushes a temporary: the result of an instruction, in its home slot. */
static inline uint16_t push_temp(lo_ctx *l, uint8_t type) { return push(l, LV_TEMP, type)->home; }

static inline __attribute__((always_inline)) void push_const(lo_ctx *l, uint8_t type,
                                                             uint64_t bits)
{
    push(l, LV_CONST, type)->bits = bits;
}

static inline __attribute__((always_inline)) void push_local(lo_ctx *l, uint32_t index,
                                                             uint8_t type)
{
    lo_val *v = push(l, LV_LOCAL, type);
    v->local = index;
    v->slot = l->locals[index].slot;
    l->locals[index].refs++;
}

/* The multiply and the fused instruction of each add or subtract that a
 * product just computed may fold into (a subtraction only as its second
 * operand: a - b * c): f32/f64.add of a product just computed becomes one
 * mul_add, replacing the multiply; the rounding of each operation stays. */
static inline bool multiply_fusion(ir_op op, ir_op *mul, ir_op *fused)
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

/* Whether `op` folds the product just computed (multiply_fusion), and then
 * emits the fused instruction. Most operators do not, which this inline test
 * tells without a call. */
static inline bool fuse_multiply(lo_ctx *l, ir_op op, const lo_val *a, const lo_val *b,
                                 uint16_t dst)
{
    ir_op mul, fused;
    return multiply_fusion(op, &mul, &fused) && lo_fold_multiply(l, mul, fused, a, b, dst);
}

/* Removes the top entry and returns it. */
static inline lo_val pop(lo_ctx *l)
{
    lo_val v = l->vals[--l->nvals];
    l->free_home = v.home;
    if (v.kind == LV_LOCAL)
        l->locals[v.local].refs--;
    return v;
}

/* pop when the entry itself is not needed. */
static inline void drop(lo_ctx *l)
{
    const lo_val *v = &l->vals[--l->nvals];
    l->free_home = v->home;
    if (v->kind == LV_LOCAL)
        l->locals[v->local].refs--;
}

static inline lo_val *peek(lo_ctx *l, uint32_t depth) { return &l->vals[l->nvals - 1 - depth]; }

static inline lo_frame *frame_at(lo_ctx *l, uint32_t depth)
{
    return &l->frames[l->nframes - 1 - depth];
}

/* Whether the instruction just emitted, with nothing (no label) after it,
 * wrote its result to slot `home`: then it may write elsewhere instead
 * (result forwarding) or fold into the instruction that reads it. */
static inline bool just_wrote(lo_ctx *l, uint16_t home)
{
    return l->fuse.last_valid && l->fuse.last_has_dst && l->len &&
           at(l, l->fuse.last_pos + 1)->u16[0] == home;
}

/* Whether the value in temporary `v` was computed by the instruction just
 * emitted, with nothing (no label) after it: then that instruction may be
 * folded into the one that consumes `v`. */
static inline bool just_computed(lo_ctx *l, const lo_val *v, ir_op op)
{
    return v->kind == LV_TEMP && l->fuse.last_op == op && just_wrote(l, v->home);
}

/* The slot of the entry `depth` from the top, materialising a constant. */
static inline uint16_t operand(lo_ctx *l, uint32_t depth) { return lo_slot_of(l, peek(l, depth)); }

/* The type sitting `depth` entries below the top, for untyped instructions. */
static inline uint8_t type_at(lo_ctx *l, uint32_t depth) { return peek(l, depth)->type; }

static inline bool memory_is64(const lo_ctx *l, uint32_t index)
{
    return l->m->memories[index].type.limits.is64;
}

/* Whether table `index` is a 64-bit table (memory64): i64 indices. */
static inline bool lo_table_is64(const lo_ctx *l, uint32_t index)
{
    return l->m->tables[index].type.limits.is64;
}

/* Whether an access to memory `index` needs the general form: it is not
 * memory 0, or memory 0 is 64-bit. */
static inline bool general_memory(const lo_ctx *l, uint32_t index)
{
    return index != 0 || memory_is64(l, 0);
}

#endif
