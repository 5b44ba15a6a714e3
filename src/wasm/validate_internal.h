/* validate_internal.h: what the parts of validation share: the error
 * helpers and the value and control stacks of the validation algorithm,
 * used by validate.c (the instruction loop, module-level rules) and
 * validate_gc.c (the rules of garbage collection). */
#ifndef WEFT_VALIDATE_INTERNAL_H
#define WEFT_VALIDATE_INTERNAL_H

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode_instr.h"

/* ---- Small helpers --------------------------------------------------------- */

/* Whether [t1] <: [t2], type by type. */
static inline bool subtypes(const wm_module *m, uint32_t n1, const wm_valtype *t1, uint32_t n2,
                     const wm_valtype *t2)
{
    if (n1 != n2)
        return false;
    for (uint32_t i = 0; i < n1; i++)
        if (!wm_subtype(m, t1[i], t2[i]))
            return false;
    return true;
}

static inline int64_t err_func(const wv_ctx *c) { return c->func == UINT32_MAX ? -1 : (int64_t)c->func; }

static inline bool verr(wv_ctx *c, weft_status status, const char *fmt, va_list ap)
{
    weft_error *e = c->err;
    if (!e)
        return false;
    e->status = status;
    e->section = c->section;
    e->func = err_func(c);
    e->offset = c->op_start ? c->op_start - c->m->bytes : -1;
    vsnprintf(e->message, sizeof e->message, fmt, ap);
    return false;
}

/* A validation error at the current instruction. */
__attribute__((format(printf, 2, 3))) static bool invalid(wv_ctx *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    verr(c, WEFT_ERR_INVALID, fmt, ap);
    va_end(ap);
    return false;
}

/* A malformed encoding at the current instruction. */
static inline bool nomem(wv_ctx *c)
{
    return wm_fail(c->err, WEFT_ERR_NOMEM, c->section, err_func(c), -1, "out of memory");
}

/* ---- The value stack and the control stack ---------------------------- */

/* Bounds on the stacks, far above what real code needs (compilers keep
 * operand stacks shallow), so that a hostile body cannot make the validator
 * allocate without limit: a two-byte call can push a thousand results.
 * WV_MAX_VALUES bounds what push_vals pushes; what push pushes, one value
 * per instruction, is bounded by the body's length (see reserve_vals). */
#define WV_MAX_VALUES (1u << 24)
#define WV_MAX_FRAMES (1u << 20)

/* The stack operations are inline for their common case, with what is
 * rare (growing a stack, unreachable code, type errors) out of line in a
 * function named *_slow, so that the instruction loop stays tight. */

/* The value stack always has room for one more value per byte of code
 * left to validate, and one more: so push, which pushes one value for an
 * instruction of at least one byte (never more than one push per
 * instruction, after any push_vals), needs no test of its own. push_vals
 * keeps that room above what it pushes. The room is address space more
 * than memory: a large buffer is mapped, and only the pages the stack
 * reaches are touched. */

/* Grows the value stack to take `n` more values, and `room` entries in
 * all above the current ones (the limit counts values, not room). */
static __attribute__((noinline, unused)) bool reserve_vals_slow(wv_ctx *c, uint32_t n,
                                                                uint64_t room)
{
    if ((uint64_t)c->nvals + n > WV_MAX_VALUES)
        return wm_fail(c->err, WEFT_ERR_LIMIT, c->section, err_func(c), -1,
                       "value stack deeper than %u entries", WV_MAX_VALUES);
    uint64_t want = (uint64_t)c->nvals + room;
    if (c->vals_cap >= want)
        return true;
    uint64_t cap = c->vals_cap ? c->vals_cap : 256;
    while (cap < want)
        cap *= 2;
    if (cap > UINT32_MAX)
        return nomem(c);
    wm_valtype *grown = realloc(c->vals, cap * sizeof *grown);
    if (!grown)
        return nomem(c);
    c->vals = grown;
    c->vals_cap = (uint32_t)cap;
    return true;
}

/* Makes room for `n` more values, and the room push needs after them. */
static inline bool reserve_vals(wv_ctx *c, uint32_t n)
{
    uint64_t room = (uint64_t)n + wr_left(&c->r) + 1;
    /* Only a stack grown past the limit (for its room) can take values
     * past it: then the slow way checks. */
    return (c->vals_cap - c->nvals >= room && c->vals_cap <= WV_MAX_VALUES) ||
           reserve_vals_slow(c, n, room);
}

/* Pushes one value: room for it is always there (reserve_vals). */
static inline bool push(wv_ctx *c, wm_valtype t)
{
    assert(c->nvals < c->vals_cap);
    c->vals[c->nvals++] = t;
    return true;
}

static inline bool push_vals(wv_ctx *c, uint32_t n, const wm_valtype *types)
{
    if (!reserve_vals(c, n))
        return false;
    for (uint32_t i = 0; i < n; i++)
        c->vals[c->nvals + i] = types[i];
    c->nvals += n;
    return true;
}

static inline wv_frame *top_frame(wv_ctx *c) { return &c->frames[c->nframes - 1]; }

/* Pops one value of any type; in unreachable code an empty stack yields
 * VT_UNKNOWN. */
static inline bool pop_any(wv_ctx *c, wm_valtype *out)
{
    if (c->nvals == c->height) {
        if (top_frame(c)->unreachable) {
            *out = VT_UNKNOWN;
            return true;
        }
        return invalid(c, "type mismatch: expected a value, the stack is empty");
    }
    *out = c->vals[--c->nvals];
    return true;
}

static __attribute__((noinline, unused)) bool pop_expect_slow(wv_ctx *c, wm_valtype want)
{
    wm_valtype got = VT_UNKNOWN;
    if (!pop_any(c, &got))
        return false;
    if (!wm_subtype(c->m, got, want))
        return invalid(c, "type mismatch: expected %s, found %s", wm_type_name(want),
                       wm_type_name(got));
    return true;
}

/* Pops a value of type `want` or a subtype (VT_UNKNOWN: of any type). */
static inline bool pop_expect(wv_ctx *c, wm_valtype want)
{
    if (c->nvals > c->height && c->vals[c->nvals - 1] == want) {
        c->nvals--;
        return true;
    }
    return pop_expect_slow(c, want);
}

/* pop_vals when a value is missing or of another type: one at a time,
 * the top first, so the error names the first mismatch from the top. */
static __attribute__((noinline, unused)) bool pop_vals_slow(wv_ctx *c, uint32_t n,
                                                    const wm_valtype *types)
{
    for (uint32_t i = n; i-- > 0;)
        if (!pop_expect(c, types[i]))
            return false;
    return true;
}

/* Pops `n` values whose types must be `types` (bottom first). */
static inline bool pop_vals(wv_ctx *c, uint32_t n, const wm_valtype *types)
{
    if (n == 0)
        return true;
    /* Fast path: all values present and of exactly the wanted types. */
    if (c->nvals - c->height >= n) {
        const wm_valtype *v = c->vals + c->nvals - n;
        uint32_t i = 0;
        while (i < n && v[i] == types[i])
            i++;
        if (i == n) {
            c->nvals -= n;
            return true;
        }
    }
    return pop_vals_slow(c, n, types);
}

/* Grows the control stack by one frame or more. */
static __attribute__((noinline, unused)) bool reserve_frame_slow(wv_ctx *c)
{
    if (c->nframes >= WV_MAX_FRAMES)
        return wm_fail(c->err, WEFT_ERR_LIMIT, c->section, err_func(c), -1,
                       "blocks nested deeper than %u", WV_MAX_FRAMES);
    uint32_t cap = c->frames_cap ? c->frames_cap * 2 : 64;
    wv_frame *grown = realloc(c->frames, (size_t)cap * sizeof *grown);
    if (!grown)
        return nomem(c);
    c->frames = grown;
    c->frames_cap = cap;
    return true;
}

static inline bool push_ctrl(wv_ctx *c, uint8_t kind, uint32_t nparams,
                             const wm_valtype *params, uint32_t nresults,
                             const wm_valtype *results)
{
    if (c->nframes == c->frames_cap && !reserve_frame_slow(c))
        return false;
    c->frames[c->nframes++] = (wv_frame){
        .kind = kind, .unreachable = false, .height = c->nvals, .inits = c->ninits,
        .nparams = nparams, .nresults = nresults, .params = params, .results = results,
        .offset = c->op_start ? (uint32_t)(c->op_start - c->m->bytes) : 0,
    };
    c->height = c->nvals;
    return push_vals(c, nparams, params);
}

/* Checks the end of the innermost block (its results and nothing more on
 * the stack) and removes its frame. */
static inline bool pop_ctrl(wv_ctx *c, wv_frame *out)
{
    wv_frame *f = top_frame(c);
    if (!pop_vals(c, f->nresults, f->results))
        return false;
    if (c->nvals != f->height)
        return invalid(c, "type mismatch: %u extra value(s) at the end of the block",
                       c->nvals - f->height);
    /* Locals first set inside the block are unset again after it. */
    while (c->ninits > f->inits)
        c->unset[c->inits[--c->ninits]] = 1;
    *out = *f;
    c->nframes--;
    c->height = c->nframes ? c->frames[c->nframes - 1].height : 0;
    return true;
}

/* A branch to a loop passes the loop's parameters; to anything else, its
 * results. */
static inline void label_types(const wv_frame *f, uint32_t *n, const wm_valtype **types)
{
    if (f->kind == WV_LOOP) {
        *n = f->nparams;
        *types = f->params;
    } else {
        *n = f->nresults;
        *types = f->results;
    }
}

/* After an unconditional branch the rest of the block is dead: its stack is
 * polymorphic. */
static inline void set_unreachable(wv_ctx *c)
{
    wv_frame *f = top_frame(c);
    c->nvals = f->height;
    f->unreachable = true;
}

/* ---- Rules of validate.c that validate_gc.c uses too ----------------------- */

/* An index of an element or data segment must exist (false and an error
 * if not), and so must a value type's type index. */
bool wv_check_elem(wv_ctx *c, uint32_t index);
bool wv_check_data(wv_ctx *c, uint32_t index);
bool wv_check_valtype(wv_ctx *c, wm_valtype t);
/* A module-level rule broken in `section`: false, with the error. */
__attribute__((format(printf, 3, 4))) bool wv_module_invalid(wv_ctx *c, int section,
                                                             const char *fmt, ...);
/* A value type outside code, in `section`, whose type index must be below
 * `limit`. */
bool wv_module_valtype(wv_ctx *c, int section, wm_valtype t, uint32_t limit);

/* ---- validate_gc.c ----------------------------------------------------------- */

/* The type section's recursion groups and declared supertypes. */
bool wv_check_type_section(wv_ctx *c);
/* The type rules of ref.eq and the 0xFB instructions. */
bool wv_check_gc(wv_ctx *c, wasm_op op, const wv_imm *imm);

#endif
