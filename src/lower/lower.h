/* lower.h: lowering Wasm function bodies to the register IR, lazily, and the
 * per-module caches of lowered code. */
#ifndef WEFT_LOWER_H
#define WEFT_LOWER_H

#include <stdio.h>

#include "runtime.h"

/* The cache of lowered code of module `m` for one interpreter variant
 * (dispatch strategy + bounds mode + metering): an array indexed by
 * function index (imported functions' entries stay NULL), allocated on
 * first use and freed with the module. Returns NULL when out of memory.
 * Metered code has fuel or interruption checks (IR_CHECK and its forms). */
const ir_word **lower_code_cache(const wm_module *m, wx_dispatch dispatch, bool explicit_bounds,
                                 wx_metering metering);

/* Frees every cache of module `m` (called when the module is freed). */
void lower_free_caches(wm_module *m);

/* The number of a lowered-code variant, as lower_code_cache numbers them. */
unsigned lower_variant(wx_dispatch dispatch, bool explicit_bounds, wx_metering metering);

/* Frees the handler tables of module `m` (lower_exn.c). */
void lower_exn_free_all(wm_module *m);

/* Lowers defined function `index` of `m` for a variant. Returns the code
 * (owned by the cache) or NULL with `err` filled. */
const ir_word *lower_function(const wm_module *m, uint32_t index, wx_dispatch dispatch,
                              bool explicit_bounds, wx_metering metering, weft_error *err);

/* A function's code while lowering finishes it: its words, the opcode of
 * the instruction at each position, its length in words, and word 0 of
 * each opcode for the strategy it is lowered for. */
typedef struct lower_code {
    ir_word *code;
    uint16_t *ops;
    uint32_t len;
    const void *const *words;
    /* Positions that tables outside the code refer to (exception
     * handlers): kept as labels, where nothing fuses, and remapped. */
    uint32_t *labels;
    uint32_t nlabels;
    /* Positions of instructions that tables outside the code refer to
     * without being jump targets (stack maps' safepoints): remapped, and
     * free to fuse. */
    uint32_t *sites;
    uint32_t nsites;
} lower_code;

/* The pass over finished code (lower_pass.c), which changes c's code and
 * opcodes in place: jumps to jumps go to the final target; operands just
 * computed are read from the accumulator; frequent adjacent pairs become
 * pair instructions, which shortens the code (c->len becomes its new
 * length; c->ops is left as it was). Returns false when out of memory. */
bool lower_finish(lower_code *c);

/* Constant folding (lower_fold.c): the bits of operator `op` (a binary
 * operator's or compare's _RR form, or a unary operator) applied to
 * constants, false when it has no folding or would trap. Constants are
 * bits, an i32's and an f32's zero-extended. */
bool lower_fold_binary(ir_op op, uint64_t a, uint64_t b, uint64_t *out);
bool lower_fold_unary(ir_op op, uint64_t a, uint64_t *out);

/* A function's stack maps: for each safepoint, the frame slots that hold
 * references there, which the collector marks (its precise roots). Keys
 * are code offsets, doubled, plus one for a call's return address (a
 * frame suspended below the call's arguments) and zero for an allocating
 * instruction's own position (the innermost frame, operands live).
 * Sorted by key; site k's slots are slots[first[k]] to slots[first[k + 1]]. */
typedef struct wx_stackmap {
    uint32_t nsites;
    uint32_t *keys;
    uint32_t *first;
    uint16_t *slots;
} wx_stackmap;

/* The slots holding references in the frame of `inst`'s code suspended at
 * `pc` (a call's return address when `call`, else an allocating
 * instruction), and their number in *count; NULL (count 0) when it has
 * none. Takes the tables' lock. */
const uint16_t *lower_stackmap_slots(const wx_instance *inst, const ir_word *pc, bool call,
                                     uint32_t *count);

/* The length in words of code returned by lower_function. */
static inline uint64_t lower_code_length(const ir_word *code) { return code[-1].u64; }

/* Writes a readable listing of lowered code (lowered for DISPATCH_SWITCH or
 * DISPATCH_INDIRECT, whose word 0 is the opcode number) to `out`. */
void ir_dump(FILE *out, const ir_word *code);

#endif
