/* lower_pass.c: lowering's pass over a function's finished code: jump
 * threading, the accumulator forms and the pair instructions. It works on
 * the code and the opcode of each position (lower_code, lower.h), after the
 * walk over the body (lower.c) has lowered every instruction. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "lower.h"

/* What the pass asks of each opcode, looked up once per instruction rather
 * than worked out from its format: its size in words (0 for a jump table,
 * whose size is in its words) and where it keeps a jump. Filled in once, by
 * init_tables (below). */
static uint8_t op_words[IR_OP_COUNT], op_jump[IR_OP_COUNT];

/* The size in words of the (non-pair) instruction at `pos`. */
static inline uint32_t words_at(const lower_code *c, uint32_t pos)
{
    uint32_t n = op_words[c->ops[pos]];
    return n ? n : 3 + c->code[pos + 1].u32[1];
}

/* Jump threading: a jump whose target is an unconditional jump goes
 * straight to the final target, and an unconditional jump to a return
 * becomes the return (a return1 of slot 0, the same size, copies slot 0
 * onto itself when the results are already in place). The jump at `pos`
 * keeps its offset in word 1's i32[1]. */
static uint32_t final_target(const lower_code *c, uint32_t target)
{
    for (int hops = 0; hops < 8 && c->ops[target] == IR_JUMP; hops++)
        target += (uint32_t)c->code[target + 1].i32[1];
    return target;
}

static void thread_jump(lower_code *c, uint32_t pos)
{
    uint32_t target = final_target(c, pos + (uint32_t)c->code[pos + 1].i32[1]);
    ir_op t = (ir_op)c->ops[target];
    if (c->ops[pos] == IR_JUMP && (t == IR_RETURN || t == IR_RETURN1)) {
        c->code[pos].handler = c->words[IR_RETURN1];
        c->ops[pos] = IR_RETURN1;
        c->code[pos + 1] = t == IR_RETURN1 ? c->code[target + 1] : (ir_word){ .u64 = 0 };
    } else {
        c->code[pos + 1].i32[1] = (int32_t)(target - pos);
    }
}

/* ---- Accumulator forms ---------------------------------------------------------------- */

/* The accumulators (ir_ops.def): an integer one, which i32 and i64 share
 * (an i32 reads the low half, as from a slot), and one each for f32 and
 * f64. */
enum { ACC_NONE, ACC_INT, ACC_FLOAT32, ACC_FLOAT64 };
#define ACC_CLASS_I32 ACC_INT
#define ACC_CLASS_I64 ACC_INT
#define ACC_CLASS_F32 ACC_FLOAT32
#define ACC_CLASS_F64 ACC_FLOAT64

/* The accumulator each instruction leaves its result (slot s0's new value)
 * in, or ACC_NONE: the value, trap and load forms of ir_forms.h. */
static const uint8_t acc_out[IR_OP_COUNT] = {
#define FORM_VALUE(id, f, t, IN, OUT, e, A, B, OF, W) [IR_##id] = ACC_CLASS_##OUT,
#define FORM_TRAP(id, f, t, T, fn, A, B) [IR_##id] = ACC_CLASS_##T,
#define FORM_LOAD(id, f, t, OUT, M, ADDR, OFFSET, OF, W) [IR_##id] = ACC_CLASS_##OUT,
#define FORM_LOAD_CHK(id, f, t, OUT, M, ADDR, OFFSET) [IR_##id] = ACC_CLASS_##OUT,
#define FORM_TEST(id, f, t, IN, e, A, B, OF, W)
#define FORM_STORE(id, f, t, IN, M, ADDR, OFFSET, V, OF, W)
#define FORM_STORE_CHK(id, f, t, IN, M, ADDR, OFFSET, V)
#define IR_UNARY_TRAP(N, t, IN, OUT, fn) [IR_##N] = ACC_CLASS_##OUT,
#define IR_FORM(id, f, t)
#define IR_PAIR(A, B)
#include "ir_forms.h"
#undef IR_PAIR
    /* The hand-written handlers that say so (interp_ops.h, interp_body.h).
     * Copies, constants, selects and globals are untyped: they fill the
     * integer accumulator, which only integer forms then read. */
    [IR_I32_ADD_SHL] = ACC_INT, [IR_I32_ADD_SHL_A] = ACC_INT, [IR_I32_ADD_SHL_X] = ACC_INT,
    [IR_I32_ADD3] = ACC_INT, [IR_I32_ADD3_A] = ACC_INT,
    [IR_I32_XOR_ROTL] = ACC_INT, [IR_I32_XOR_ROTL_A] = ACC_INT, [IR_I32_SHR_U_AND] = ACC_INT,
    [IR_I32_MIN_S] = ACC_INT, [IR_I32_MIN_U] = ACC_INT, [IR_I32_MAX_S] = ACC_INT,
    [IR_I32_MAX_U] = ACC_INT, [IR_I64_MIN_S] = ACC_INT, [IR_I64_MIN_U] = ACC_INT,
    [IR_I64_MAX_S] = ACC_INT, [IR_I64_MAX_U] = ACC_INT,
    [IR_F32_MUL_ADD] = ACC_FLOAT32, [IR_F32_MUL_SUB] = ACC_FLOAT32,
    [IR_F64_MUL_ADD] = ACC_FLOAT64, [IR_F64_MUL_SUB] = ACC_FLOAT64,
    [IR_COPY] = ACC_INT, [IR_CONST32] = ACC_INT, [IR_CONST64] = ACC_INT, [IR_SELECT] = ACC_INT,
    [IR_SELECT_KK] = ACC_INT,
    [IR_GLOBAL_GET] = ACC_INT,
};

/* An accumulator form of an instruction: opcode `to` reads the operand in
 * word 1's u16[pos] from accumulator `acc` instead of from that slot. */
typedef struct acc_form {
    uint16_t to;
    uint8_t pos, acc;
} acc_form;

/* Every accumulator form, as { the form, the instruction it stands for,
 * its form }: the forms of ir_forms.h whose W column is a word (those with
 * NONE give no row), then the hand-written ones. A load's accumulator forms
 * read an address, from the integer accumulator. */
static const struct { uint16_t of; acc_form form; } acc_rows[] = {
#define ACC_ROW_NONE(id, of, acc)
#define ACC_ROW_0(id, of, acc) { IR_##of, { IR_##id, 0, acc } },
#define ACC_ROW_1(id, of, acc) { IR_##of, { IR_##id, 1, acc } },
#define ACC_ROW_2(id, of, acc) { IR_##of, { IR_##id, 2, acc } },
#define FORM_VALUE(id, f, t, IN, OUT, e, A, B, OF, W) ACC_ROW_##W(id, OF, ACC_CLASS_##IN)
#define FORM_TEST(id, f, t, IN, e, A, B, OF, W) ACC_ROW_##W(id, OF, ACC_CLASS_##IN)
#define FORM_LOAD(id, f, t, OUT, M, ADDR, OFFSET, OF, W) ACC_ROW_##W(id, OF, ACC_INT)
#define FORM_STORE(id, f, t, IN, M, ADDR, OFFSET, V, OF, W) ACC_ROW_##W(id, OF, ACC_CLASS_##IN)
#define IR_FORM(id, f, t)
#define IR_PAIR(A, B)
#include "ir_forms.h"
#undef IR_PAIR
#undef ACC_ROW_NONE
#undef ACC_ROW_0
#undef ACC_ROW_1
#undef ACC_ROW_2
    { IR_I32_ADD_SHL, { IR_I32_ADD_SHL_A, 1, ACC_INT } },
    { IR_I32_ADD_SHL, { IR_I32_ADD_SHL_X, 2, ACC_INT } },
    { IR_I32_ADD3, { IR_I32_ADD3_A, 1, ACC_INT } },
    { IR_I32_XOR_ROTL, { IR_I32_XOR_ROTL_A, 1, ACC_INT } },
    { IR_JUMP_NZ, { IR_JUMP_NZ_ACC, 0, ACC_INT } },
    { IR_JUMP_Z, { IR_JUMP_Z_ACC, 0, ACC_INT } },
};

/* The accumulator forms of each instruction, from acc_rows, in their order
 * (none where `to` is 0: opcode 0 is no accumulator form). Filled in by
 * init_tables. */
static acc_form acc_forms[IR_OP_COUNT][2];

/* Bit `acc` of acc_reads[op] is set when one of op's accumulator forms
 * reads accumulator `acc` (never ACC_NONE). Filled in by init_tables. */
static uint8_t acc_reads[IR_OP_COUNT];

/* The compare-and-branch forms on two slots, and their compares' _RR
 * opcodes plus one (zero for the other instructions). */
static const uint16_t compare_of[IR_OP_COUNT] = {
#define IR_COMPARE(N, t, IN, SWAP, NOT, e) \
    [IR_##N##_JT_RR] = IR_##N##_RR + 1, [IR_##N##_JF_RR] = IR_##N##_RR + 1,
#include "ir_rows.h"
};

/* The compare (an _RR opcode) that gives `op`'s result with its operands
 * swapped: the SWAPPED column of its row in ir_ops.def. */
static const uint16_t swapped_of[IR_OP_COUNT] = {
#define IR_COMPARE(N, t, IN, SWAP, NOT, e) [IR_##N##_RR] = IR_##SWAP##_RR,
#include "ir_rows.h"
};

static ir_op swapped_compare(ir_op op) { return swapped_of[op] ? (ir_op)swapped_of[op] : op; }

/* Where an instruction reads an operand that the instruction just before
 * it computed, and nothing else jumps in between, it reads it from the
 * accumulator: each dependent step saves the wait for a store to reach the
 * next load. The words stay as they are (an accumulator form keeps the
 * operand's slot, which still holds the value), so this only changes
 * opcodes; and an instruction's accumulator form leaves what its own form
 * would, so the instructions can be taken in any order. The instruction
 * at `pos` follows the one at `prev`, whose opcode is `prev_op`; returns
 * the opcode at `pos`. */
static inline ir_op use_accumulator(lower_code *c, ir_op prev_op, uint32_t prev, uint32_t pos)
{
    ir_op op = (ir_op)c->ops[pos];
    uint8_t acc = acc_out[prev_op];
    /* Most instructions have no form that reads this accumulator. */
    if (!(acc_reads[op] >> acc & 1))
        return op;
    uint16_t slot = c->code[prev + 1].u16[0];
    ir_word *w = &c->code[pos + 1];
    /* i32.add3 adds in any order: the operand comes first. */
    if (op == IR_I32_ADD3 && acc == ACC_INT && w->u16[1] != slot &&
        (w->u16[2] == slot || w->u16[3] == slot)) {
        unsigned k = w->u16[2] == slot ? 2 : 3;
        w->u16[k] = w->u16[1];
        w->u16[1] = slot;
    }
    /* A compare-and-branch on (slot, just computed) swaps its operands, so
     * that the second is read from the accumulator. */
    if (compare_of[op] && acc_forms[op][0].acc == acc && w->u16[0] != slot &&
        w->u16[1] == slot) {
        ir_op base = (ir_op)(compare_of[op] - 1);
        op = (ir_op)(swapped_compare(base) + (op - base));
        w->u16[1] = w->u16[0];
        w->u16[0] = slot;
    }
    for (unsigned k = 0; k < 2; k++) {
        acc_form f = acc_forms[op][k];
        if (f.to && f.acc == acc && w->u16[f.pos] == slot) {
            op = (ir_op)f.to;
            break;
        }
    }
    c->ops[pos] = (uint16_t)op;
    c->code[pos].handler = c->words[op];
    return op;
}

/* ---- Pair instructions ------------------------------------------------------------ */

/* The pairs of ir_pairs.def in a hash table keyed by their two parts (open
 * addressing; an entry whose op is 0 is free, as opcode 0 is no pair), and
 * a filter in front of it: bit b % 64 of pair_seconds[a] is set when some
 * pair is a then b, so that most instructions need one test to tell that
 * they pair with nothing. */
enum { PAIR_SLOTS = 512 };
static struct { uint16_t a, b, op; } pair_slots[PAIR_SLOTS];
enum {
    PAIR_COUNT = 0
#define IR_PAIR(A, B) + 1
#include "ir_pairs.def"
};
_Static_assert(PAIR_COUNT <= PAIR_SLOTS / 2, "the pair table must stay at most half full");
static uint64_t pair_seconds[IR_OP_COUNT];

static unsigned pair_hash(unsigned a, unsigned b) { return (a * 977u + b) & (PAIR_SLOTS - 1); }

static void index_pairs(void)
{
    for (unsigned op = 0; op < IR_OP_COUNT; op++) {
        if (ir_op_format[op] != FMT_PAIR)
            continue;
        unsigned a = ir_pair_parts[op][0], b = ir_pair_parts[op][1], h = pair_hash(a, b);
        while (pair_slots[h].op)
            h = (h + 1) & (PAIR_SLOTS - 1);
        pair_slots[h].a = (uint16_t)a;
        pair_slots[h].b = (uint16_t)b;
        pair_slots[h].op = (uint16_t)op;
        pair_seconds[a] |= UINT64_C(1) << (b & 63);
    }
}

static void init_tables(void)
{
    for (unsigned op = 0; op < IR_OP_COUNT; op++) {
        ir_format f = (ir_format)ir_op_format[op];
        op_words[op] = (uint8_t)ir_format_words(f);
        op_jump[op] = (uint8_t)ir_format_jump(f);
    }
    for (size_t r = 0; r < sizeof acc_rows / sizeof acc_rows[0]; r++) {
        acc_form *slot = acc_forms[acc_rows[r].of];
        slot[slot[0].to ? 1 : 0] = acc_rows[r].form;
        acc_reads[acc_rows[r].of] |= (uint8_t)(1u << acc_rows[r].form.acc);
    }
    index_pairs();
}

/* The pair instruction that runs a then b, or IR_OP_COUNT. */
static ir_op pair_op(ir_op a, ir_op b)
{
    for (unsigned h = pair_hash(a, b); pair_slots[h].op; h = (h + 1) & (PAIR_SLOTS - 1))
        if (pair_slots[h].a == a && pair_slots[h].b == b)
            return (ir_op)pair_slots[h].op;
    return IR_OP_COUNT;
}

/* Re-aims the jumps of instruction `op`, whose words now start at `w` at
 * position `pos` and started at `old` before: `map` gives each old
 * instruction start its new position. */
static void relocate(ir_word *w, ir_op op, uint32_t pos, uint32_t old, const uint32_t *map)
{
    if (op_jump[op] == JK_TABLE)
        for (uint32_t k = 0; k <= w[1].u32[1]; k++)
            w[2 + k].i32[0] = (int32_t)(map[old + (uint32_t)w[2 + k].i32[0]] - pos);
    else
        w[1].i32[1] = (int32_t)(map[old + (uint32_t)w[1].i32[1]] - pos);
}

static bool is_table_jump(ir_op op) { return op == IR_JUMP_TABLE || op == IR_JUMP_TABLE_AT; }

/* The pair that runs the instruction at `a` then the one at `b`, or
 * IR_OP_COUNT: a table pair also needs the table on the first's result.
 * Inline: join_pairs asks it for every instruction that passes the filter. */
static inline __attribute__((always_inline)) ir_op pair_at(lower_code *c, uint32_t a, uint32_t b)
{
    ir_op op = pair_op((ir_op)c->ops[a], (ir_op)c->ops[b]);
    if (op != IR_OP_COUNT && is_table_jump((ir_op)c->ops[b]) &&
        c->code[b + 1].u16[0] != c->code[a + 1].u16[0])
        return IR_OP_COUNT;
    return op;
}

/* ---- The pass ------------------------------------------------------------------------ */

/* The pass's working memory, one block per function: per instruction
 * (`count` of them, at most `len`) or per position of the old code. */
typedef struct pass_mem {
    uint32_t *start;   /* Old position of instruction k; start[count] = len. */
    uint32_t *gain;    /* The most the pairs among instructions k... of a chain can save. */
    uint32_t *map;     /* New position of each old instruction start (and len). */
    uint32_t *jumps;   /* Old positions of the instructions that jump. */
    uint16_t *pair;    /* Per old position marked PAIR_CAN: the pair it makes with the next. */
    uint8_t *mark;     /* PAIR_* flags per old position. */
} pass_mem;
_Static_assert(IR_OP_COUNT <= UINT16_MAX, "pass_mem.pair holds an ir_op in 16 bits");

enum { PAIR_TARGET = 1, PAIR_CAN = 2, PAIR_TABLE = 4 };

/* Forwards: threads each jump, lists the instruction starts and the jumps,
 * and marks the labels (jump targets). Returns the instruction count. */
static uint32_t scan(lower_code *code, pass_mem *p, uint32_t *njumps)
{
    /* Copies the compiler knows nothing else writes (a byte store to a mark
     * could otherwise change the pointers, for all it knows). */
    lower_code copy = *code, *c = &copy;
    uint32_t *start = p->start, *jumps = p->jumps, len = c->len;
    uint8_t *mark = p->mark;
    uint32_t count = 0, nj = 0;
    for (uint32_t pos = 0; pos < len;) {
        start[count++] = pos;
        ir_op op = (ir_op)c->ops[pos];
        uint8_t jump = op_jump[op];
        if (jump == JK_NONE) {
            pos += op_words[op]; /* Never 0: a jump table is a jump. */
            continue;
        }
        if (jump == JK_OFFSET) {
            thread_jump(c, pos);
            if (c->ops[pos] == IR_RETURN1) {
                pos += op_words[IR_RETURN1];
                continue; /* A jump to a return became the return. */
            }
            mark[pos + (uint32_t)c->code[pos + 1].i32[1]] |= PAIR_TARGET;
        } else if (jump == JK_TABLE) {
            for (uint32_t k = 0; k <= c->code[pos + 1].u32[1]; k++)
                mark[pos + (uint32_t)c->code[pos + 2 + k].i32[0]] |= PAIR_TARGET;
        }
        jumps[nj++] = pos;
        pos += words_at(c, pos);
    }
    start[count] = len;
    *njumps = nj;
    return count;
}

/* The pairs the pass joins. Where pairs overlap (A+B and B+C both exist)
 * it picks the pairs that save the most: a pair saves one dispatch, a table
 * pair (which also keeps the index in a register) counts double, and of
 * equal choices the earlier pair wins. Overlapping pairs make chains
 * (instructions k...j where each pairs with the next), and what is best in
 * one chain does not depend on the code around it, so each chain is
 * settled as soon as its end is known. */
static inline unsigned pair_weight(uint8_t mark) { return mark & PAIR_TABLE ? 2 : 1; }

/* Moves `n` words down to `to` (at or below `from`) one at a time, which
 * for the few words of one instruction costs less than a call to memmove. */
static inline void move_down(ir_word *to, const ir_word *from, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        to[i] = from[i];
}

/* Settles the chain of instructions r0...k (k, its last, pairs with nothing
 * after it): gain[j] is the most the pairs among instructions j...k can
 * save, worked out backwards; then, forwards, a pair is taken wherever it
 * is part of the best. Moves the code up to the chain's end into place with
 * the taken pairs joined (a pair is one word shorter than its parts: its B
 * part keeps B's words, from the word before A's last), and maps old
 * positions to new. Unpaired instructions move in runs, from old position
 * *run, up by *shift words, the pairs joined before. (Code only moves up,
 * into words already moved, so it can move in place.) */
static void join_chain(lower_code *c, pass_mem *p, uint32_t r0, uint32_t k, uint32_t *run,
                       uint32_t *shift)
{
    ir_word *code = c->code;
    uint32_t *start = p->start, *gain = p->gain, *map = p->map;
    uint8_t *mark = p->mark;
    gain[k] = gain[k + 1] = 0;
    for (uint32_t j = k; j-- > r0;) {
        uint32_t with = pair_weight(mark[start[j]]) + gain[j + 2];
        gain[j] = with > gain[j + 1] ? with : gain[j + 1];
    }
    for (uint32_t j = r0; j <= k;) {
        uint32_t pos = start[j], n = pos - *shift;
        map[pos] = n;
        if (j == k || pair_weight(mark[pos]) + gain[j + 2] < gain[j + 1]) {
            j++;
            continue;
        }
        uint32_t next = start[j + 1], wa = next - pos, wb = start[j + 2] - next;
        const void *handler = c->words[p->pair[pos]];
        if (*shift)
            memmove(code + *run - *shift, code + *run, (pos - *run) * sizeof *code);
        code[n].handler = handler;
        move_down(code + n + 1, code + pos + 1, wa - 1);
        move_down(code + n + wa, code + next + 1, wb - 1);
        map[next] = n + wa - 1;
        *shift += 1;
        j += 2;
        *run = start[j];
    }
}

/* Forwards: each instruction's accumulator form, then whether it pairs
 * with the one before; each chain of pairs is joined when it ends (see
 * join_chain), and the code moved into place. Returns the new length. */
static uint32_t join_pairs(lower_code *code, pass_mem *p, uint32_t count, bool pairs)
{
    lower_code copy = *code, *c = &copy; /* As in scan. */
    uint32_t *start = p->start, *map = p->map, len = c->len;
    uint8_t *mark = p->mark;
    const uint16_t *ops = c->ops;
    uint32_t run = 0, shift = 0, r0 = UINT32_MAX;
    ir_op op_a = count ? (ir_op)ops[0] : IR_OP_COUNT; /* The opcode at a, final. */
    mark[len] |= PAIR_TARGET; /* The end pairs with nothing, as a label does not. */
    for (uint32_t k = 0; k < count; k++) {
        uint32_t a = start[k], b = start[k + 1];
        ir_op op = op_a;
        if (mark[b] & PAIR_TARGET) {
            op_a = b != len ? (ir_op)ops[b] : IR_OP_COUNT;
        } else {
            op_a = use_accumulator(c, op, a, b);
            ir_op pair = pairs && (pair_seconds[op] >> (op_a & 63) & 1) ? pair_at(c, a, b)
                                                                         : IR_OP_COUNT;
            if (pair != IR_OP_COUNT) {
                /* Kept for join_chain, which would otherwise look it up again. */
                p->pair[a] = (uint16_t)pair;
                mark[a] |= PAIR_CAN | (is_table_jump((ir_op)ops[b]) ? PAIR_TABLE : 0);
                if (r0 == UINT32_MAX)
                    r0 = k;
                continue;
            }
        }
        if (r0 == UINT32_MAX) {
            map[a] = a - shift;
            continue;
        }
        join_chain(c, p, r0, k, &run, &shift);
        r0 = UINT32_MAX;
    }
    if (shift)
        memmove(c->code + run - shift, c->code + run, (len - run) * sizeof *c->code);
    map[len] = len - shift;
    return len - shift;
}

/* The whole pass (lower.h). Jumps are re-aimed last, through the map; a
 * pair's parts are re-aimed each from its own start (B's is one word before
 * its words 1...). */
bool lower_finish(lower_code *c)
{
    bool pairs = true;
#ifdef WEFT_PROFILE
    /* A profiling build counts the instructions unpaired when asked to,
     * which shows the pairs worth having (ir_pairs.def). */
    pairs = !getenv("WEFT_PROFILE_UNPAIRED");
#endif
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, init_tables);
    uint32_t len = c->len;
    pass_mem p;
    uint32_t *block = malloc((4 * (size_t)len + 4) * sizeof *block + len * sizeof *p.pair + len + 1);
    if (!block)
        return false;
    p.start = block;
    p.gain = p.start + len + 1;
    p.map = p.gain + len + 2;
    p.jumps = p.map + len + 1;
    p.pair = (uint16_t *)(p.jumps + len);
    p.mark = (uint8_t *)(p.pair + len);
    memset(p.mark, 0, len + 1);
    for (uint32_t k = 0; k < c->nlabels; k++)
        p.mark[c->labels[k]] |= PAIR_TARGET;
    uint32_t njumps, count = scan(c, &p, &njumps);
    uint32_t n = join_pairs(c, &p, count, pairs);
    for (uint32_t k = 0; k < c->nlabels; k++)
        c->labels[k] = p.map[c->labels[k]];
    for (uint32_t k = 0; k < c->nsites; k++)
        c->sites[k] = p.map[c->sites[k]];
    /* With no pairs, nothing moved. */
    for (uint32_t j = 0; n < len && j < njumps; j++) {
        uint32_t old = p.jumps[j], pos = p.map[old];
        relocate(c->code + pos, (ir_op)c->ops[old], pos, old, p.map);
    }
    free(block);
    c->len = n;
    return true;
}
