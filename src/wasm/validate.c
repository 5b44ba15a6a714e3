/* validate.c: the spec's validation algorithm: module-level rules, constant
 * expressions and function bodies (value stack + control stack, one pass
 * over each body). Instructions are decoded by decode_instr.h; the
 * instruction tables it reads are in wasm_ops.c. */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "validate_internal.h"

/* ---- Small helpers (the rest are in validate_internal.h) ------------------- */

const wm_valtype wv_one_type[512] = {
#define T4(n) n, n + 1, n + 2, n + 3
#define T16(n) T4(n), T4(n + 4), T4(n + 8), T4(n + 12)
#define T64(n) T16(n), T16(n + 16), T16(n + 32), T16(n + 48)
    T64(0), T64(64), T64(128), T64(192), T64(256), T64(320), T64(384), T64(448)
#undef T64
#undef T16
#undef T4
};

bool wv_malformed(wv_ctx *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    verr(c, WEFT_ERR_MALFORMED, fmt, ap);
    va_end(ap);
    return false;
}

/* ---- Immediates: validation ---------------------------------------------- */

static bool check_memory(wv_ctx *c, uint32_t index)
{
    if (index >= c->m->nmemories)
        return invalid(c, "unknown memory %u", index);
    return true;
}

static bool check_table(wv_ctx *c, uint32_t index)
{
    if (index >= c->m->ntables)
        return invalid(c, "unknown table %u", index);
    return true;
}

bool wv_check_elem(wv_ctx *c, uint32_t index)
{
    if (index >= c->m->nelems)
        return invalid(c, "unknown elem segment %u", index);
    return true;
}

bool wv_check_data(wv_ctx *c, uint32_t index)
{
    if (index >= c->m->datacount)
        return invalid(c, "unknown data segment %u", index);
    return true;
}

/* `width` is the table's WIDTH column: log2 of the access size. */
static bool check_memarg(wv_ctx *c, uint8_t width, const wv_imm *imm)
{
    if (!check_memory(c, imm->index))
        return false;
    if (imm->align > width)
        return invalid(c, "alignment must not be larger than natural");
    if (imm->offset > UINT32_MAX && !c->m->memories[imm->index].type.limits.is64)
        return invalid(c, "offset out of range");
    return true;
}

/* `width` is the table's WIDTH column: log2 of the lane size. */
static bool check_lane(wv_ctx *c, uint8_t width, const wv_imm *imm)
{
    if (imm->lane >= (16u >> width))
        return invalid(c, "invalid lane index");
    return true;
}

/* A value type's type index, if it has one, must exist. */
bool wv_check_valtype(wv_ctx *c, wm_valtype t)
{
    if (vt_code(t) == VT_REF_INDEX && vt_index(t) >= c->m->ntypes)
        return invalid(c, "unknown type %u", vt_index(t));
    return true;
}

/* A block type, call_indirect or call_ref naming a struct or array type. */
static bool not_func_type(wv_ctx *c, uint32_t index)
{
    return invalid(c, "type mismatch: type %u is not a function type", index);
}

static bool check_blocktype(wv_ctx *c, wv_imm *imm)
{
    if (imm->index == UINT32_MAX) {
        /* Empty or a single value type. */
        if (imm->bt_nresults == 1 && !imm->bt_results) {
            if (!wv_check_valtype(c, imm->type))
                return false;
            imm->bt_results = wm_one_type(c->m, imm->type);
        }
        return true;
    }
    if (imm->index >= c->m->ntypes)
        return invalid(c, "unknown type %u", imm->index);
    const wm_functype *ft = &c->m->types[imm->index];
    if (ft->kind != WM_COMP_FUNC)
        return not_func_type(c, imm->index);
    imm->bt_nparams = ft->nparams;
    imm->bt_params = ft->params;
    imm->bt_nresults = ft->nresults;
    imm->bt_results = ft->results;
    return true;
}

static bool check_table_init(wv_ctx *c, const wv_imm *imm)
{
    wm_module *m = c->m;
    if (!check_table(c, imm->index2) || !wv_check_elem(c, imm->index))
        return false;
    if (!wm_subtype(m, m->elems[imm->index].type, m->tables[imm->index2].type.elem))
        return invalid(c, "type mismatch: element segment of %s, table of %s",
                       wm_type_name(m->elems[imm->index].type),
                       wm_type_name(m->tables[imm->index2].type.elem));
    return true;
}

static bool check_table_copy(wv_ctx *c, const wv_imm *imm)
{
    wm_module *m = c->m;
    if (!check_table(c, imm->index) || !check_table(c, imm->index2))
        return false;
    if (!wm_subtype(m, m->tables[imm->index2].type.elem, m->tables[imm->index].type.elem))
        return invalid(c, "type mismatch: copying %s into a table of %s",
                       wm_type_name(m->tables[imm->index2].type.elem),
                       wm_type_name(m->tables[imm->index].type.elem));
    return true;
}

static bool need_exceptions(wv_ctx *c);

/* The instructions of exception handling, legacy ones included. */
static inline bool is_exception_op(wasm_op op)
{
    switch (op) {
    case WOP_TRY_TABLE: case WOP_THROW: case WOP_THROW_REF: case WOP_TRY: case WOP_CATCH:
    case WOP_CATCH_ALL: case WOP_DELEGATE: case WOP_RETHROW:
        return true;
    default:
        return false;
    }
}

/* Applies the validation rules to the immediates read_imm decoded: indices
 * must exist, alignments and lanes must be in range. Inline, like read_imm. */
static inline __attribute__((always_inline)) bool check_imm(wv_ctx *c, wasm_imm kind,
                                                            uint8_t width, wv_imm *imm)
{
    wm_module *m = c->m;
    switch (kind) {
    case IMM_NONE: case IMM_I32: case IMM_I64: case IMM_F32: case IMM_F64: case IMM_V128:
        return true;
    case IMM_REFTYPE:
        return wv_check_valtype(c, imm->type);
    case IMM_BLOCKTYPE:
        /* The empty type and a value type other than a concrete reference
         * are resolved already (read_blocktype): no call for them. */
        if (imm->index == UINT32_MAX && (imm->bt_nresults == 0 || imm->bt_results))
            return true;
        return check_blocktype(c, imm);
    case IMM_LABEL:
        if (imm->index >= c->nframes)
            return invalid(c, "unknown label %u", imm->index);
        return true;
    case IMM_BR_TABLE:
        if (imm->index2 >= c->nframes)
            return invalid(c, "unknown label %u", imm->index2);
        return true;
    case IMM_FUNC:
        if (imm->index >= m->nfuncs)
            return invalid(c, "unknown function %u", imm->index);
        return true;
    case IMM_CALL_INDIRECT:
        if (imm->index >= m->ntypes)
            return invalid(c, "unknown type %u", imm->index);
        if (m->types[imm->index].kind != WM_COMP_FUNC)
            return not_func_type(c, imm->index);
        return check_table(c, imm->index2);
    case IMM_TYPE:
        if (imm->index >= m->ntypes)
            return invalid(c, "unknown type %u", imm->index);
        return true;
    case IMM_LOCAL:
        if (imm->index >= c->nall)
            return invalid(c, "unknown local %u", imm->index);
        return true;
    case IMM_GLOBAL:
        if (imm->index >= (c->const_expr ? c->const_globals : m->nglobals))
            return invalid(c, "unknown global %u", imm->index);
        return true;
    case IMM_TABLE:
        return check_table(c, imm->index);
    case IMM_MEMARG:
        return check_memarg(c, width, imm);
    case IMM_MEMIDX:
        return check_memory(c, imm->index);
    case IMM_LANE:
        return check_lane(c, width, imm);
    case IMM_MEMARG_LANE:
        return check_memarg(c, width, imm) && check_lane(c, width, imm);
    case IMM_SHUFFLE:
        for (int i = 0; i < 16; i++)
            if (imm->bytes[i] >= 32)
                return invalid(c, "invalid lane index");
        return true;
    case IMM_SELECT_T:
        if (imm->ntargets != 1)
            return invalid(c, "invalid result arity");
        return wv_check_valtype(c, imm->type);
    case IMM_MEMORY_INIT:
        return wv_check_data(c, imm->index) && check_memory(c, imm->index2);
    case IMM_MEMORY_COPY:
        return check_memory(c, imm->index) && check_memory(c, imm->index2);
    case IMM_TABLE_INIT:
        return check_table_init(c, imm);
    case IMM_TABLE_COPY:
        return check_table_copy(c, imm);
    case IMM_DATA:
        return wv_check_data(c, imm->index);
    case IMM_ELEM:
        return wv_check_elem(c, imm->index);
    case IMM_TAG:
        if (!need_exceptions(c))
            return false;
        if (imm->index >= m->ntags)
            return invalid(c, "unknown tag %u", imm->index);
        return true;
    case IMM_TRY_TABLE:
        /* The catch clauses: check_try_table. */
        return need_exceptions(c) && check_blocktype(c, imm);
    case IMM_FIELD: case IMM_TYPE_TYPE: case IMM_TYPE_N: case IMM_TYPE_DATA: case IMM_TYPE_ELEM:
    case IMM_HEAPTYPE: case IMM_BR_ON_CAST:
        /* The indices and types: wv_check_gc, which knows what each must be. */
        if (kind == IMM_BR_ON_CAST && imm->index >= c->nframes)
            return invalid(c, "unknown label %u", imm->index);
        return true;
    }
    return true;
}

/* ---- Instructions typed by hand ---------------------------------------- */

static inline wm_valtype local_type(const wv_ctx *c, uint32_t index) { return c->locals[index]; }

static inline bool check_end(wv_ctx *c)
{
    wv_frame f = { 0 };
    if (!pop_ctrl(c, &f))
        return false;
    /* An `if` without `else` has an implicit empty else branch, which passes
     * its parameters through: they must be its results. */
    if (f.kind == WV_IF && !subtypes(c->m, f.nparams, f.params, f.nresults, f.results))
        return invalid(c, "type mismatch: if without else must leave its parameters as results");
    if (c->nframes == 0) {
        /* The function's (or constant expression's) end: no error, but
         * false, so that the instruction loop stops (validate_body_instrs). */
        c->ended = true;
        return false;
    }
    return push_vals(c, f.nresults, f.results);
}

static bool check_else(wv_ctx *c)
{
    if (top_frame(c)->kind != WV_IF)
        return wv_malformed(c, "else without matching if");
    wv_frame f = { 0 };
    if (!pop_ctrl(c, &f))
        return false;
    return push_ctrl(c, WV_ELSE, f.nparams, f.params, f.nresults, f.results);
}

static bool check_br_table(wv_ctx *c, const wv_imm *imm)
{
    if (!pop_expect(c, VT_I32))
        return false;
    uint32_t arity, n;
    const wm_valtype *want, *types;
    label_types(&c->frames[c->nframes - 1 - imm->index], &arity, &want);
    /* Every target must take the same number of values as the default, and
     * each must accept the operands actually on the stack. */
    wr_reader labels = c->r;
    labels.p = imm->targets;
    wv_frame *f = top_frame(c);
    uint32_t avail = c->nvals - f->height;
    for (uint32_t i = 0; i < imm->ntargets; i++) {
        uint32_t label = 0;
        wr_u32(&labels, &label); /* Read once already, without error. */
        label_types(&c->frames[c->nframes - 1 - label], &n, &types);
        if (n != arity)
            return invalid(c, "type mismatch: br_table targets differ in arity");
        for (uint32_t k = 0; k < n; k++) {
            /* Operand k of n lies at depth n-1-k from the top. */
            uint32_t depth = n - 1 - k;
            if (depth >= avail) {
                if (!f->unreachable)
                    return invalid(c, "type mismatch: br_table needs %u operand(s)", n);
                continue;
            }
            wm_valtype got = c->vals[c->nvals - 1 - depth];
            if (!wm_subtype(c->m, got, types[k]))
                return invalid(c, "type mismatch: expected %s, found %s", wm_type_name(types[k]),
                               wm_type_name(got));
        }
    }
    if (!pop_vals(c, arity, want))
        return false;
    set_unreachable(c);
    return true;
}

static inline bool check_call(wv_ctx *c, const wm_functype *ft)
{
    return pop_vals(c, ft->nparams, ft->params) && push_vals(c, ft->nresults, ft->results);
}

static bool check_call_indirect(wv_ctx *c, const wv_imm *imm, const wm_functype **ft)
{
    if (!wm_subtype(c->m, c->m->tables[imm->index2].type.elem, VT_FUNCREF))
        return invalid(c, "type mismatch: call_indirect needs a table of funcref");
    *ft = &c->m->types[imm->index];
    return pop_expect(c, c->m->tables[imm->index2].type.limits.is64 ? VT_I64 : VT_I32);
}

/* return_call*: the callee's results become the caller's. */
static bool check_return_call(wv_ctx *c, const wm_functype *ft)
{
    if (!c->features.tail_call)
        return wv_malformed(c, "illegal opcode");
    const wv_frame *fn = &c->frames[0];
    if (!subtypes(c->m, ft->nresults, ft->results, fn->nresults, fn->results))
        return invalid(c, "type mismatch: tail call results differ from the caller's");
    if (!pop_vals(c, ft->nparams, ft->params))
        return false;
    set_unreachable(c);
    return true;
}

static bool check_select(wv_ctx *c)
{
    wm_valtype t1 = VT_UNKNOWN, t2 = VT_UNKNOWN;
    if (!pop_expect(c, VT_I32) || !pop_any(c, &t1) || !pop_any(c, &t2))
        return false;
    /* Untyped select only chooses between numbers or vectors. */
    if (is_ref(t1) || is_ref(t2))
        return invalid(c, "type mismatch: select without a type on references");
    if (t1 != t2 && t1 != VT_UNKNOWN && t2 != VT_UNKNOWN)
        return invalid(c, "type mismatch: select between %s and %s", wm_type_name(t2),
                       wm_type_name(t1));
    return push(c, t1 == VT_UNKNOWN ? t2 : t1);
}

/* ---- Typed function references ---- */

/* The instructions of function references are illegal opcodes without the
 * feature, as the 2.0 test suite expects. */
static bool need_typed(wv_ctx *c)
{
    if (!c->features.function_references)
        return wv_malformed(c, "illegal opcode");
    return true;
}

/* ---- Exception handling ---------------------------------------------------- */

static const wm_functype *tag_type(const wv_ctx *c, uint32_t tag)
{
    return &c->m->types[c->m->tags[tag].type];
}

/* The exception instructions are illegal opcodes unless the feature is on. */
static bool need_exceptions(wv_ctx *c)
{
    if (!c->features.exceptions)
        return wv_malformed(c, "illegal opcode");
    return true;
}

/* Pops an operand that must be a reference of any type: *t is its type,
 * VT_UNKNOWN in unreachable code. */
static bool pop_ref(wv_ctx *c, wm_valtype *t)
{
    if (!pop_any(c, t))
        return false;
    if (*t != VT_UNKNOWN && !is_ref(*t))
        return invalid(c, "type mismatch: expected a reference, found %s", wm_type_name(*t));
    return true;
}

/* The type of reference `t` once it is known not to be null; of an
 * unknown operand, the bottom reference. */
static wm_valtype non_null(wm_valtype t)
{
    return t == VT_UNKNOWN ? (VT_REF_BOT | VT_NONNULL) : (t | VT_NONNULL);
}

/* call_ref $t and return_call_ref $t take a (ref null $t) on top. */
static bool check_call_ref(wv_ctx *c, const wv_imm *imm, const wm_functype **ft)
{
    *ft = &c->m->types[imm->index];
    if ((*ft)->kind != WM_COMP_FUNC)
        return not_func_type(c, imm->index);
    return need_typed(c) && pop_expect(c, vt_ref_index(imm->index, true));
}

/* What br_on_null and br_on_non_null start with: the reference on top (its
 * type in *t) and the types of label `imm->index` (*n of them). */
static bool pop_ref_for_label(wv_ctx *c, const wv_imm *imm, wm_valtype *t, uint32_t *n,
                              const wm_valtype **types)
{
    *t = VT_UNKNOWN;
    if (!need_typed(c) || !pop_ref(c, t))
        return false;
    label_types(&c->frames[c->nframes - 1 - imm->index], n, types);
    return true;
}

/* br_on_null l: [t* (ref null ht)] -> [t* (ref ht)], branching with t*
 * when the reference is null. */
static bool check_br_on_null(wv_ctx *c, const wv_imm *imm)
{
    wm_valtype t;
    uint32_t n;
    const wm_valtype *types;
    return pop_ref_for_label(c, imm, &t, &n, &types) && pop_vals(c, n, types) &&
           push_vals(c, n, types) && push(c, non_null(t));
}

/* br_on_non_null l: [t* (ref null ht)] -> [t*], branching with t* and the
 * reference, as (ref ht), when it is not null: the label's last type must
 * take it. */
static bool check_br_on_non_null(wv_ctx *c, const wv_imm *imm)
{
    wm_valtype t;
    uint32_t n;
    const wm_valtype *types;
    if (!pop_ref_for_label(c, imm, &t, &n, &types))
        return false;
    if (n == 0)
        return invalid(c, "type mismatch: br_on_non_null needs a label taking a reference");
    if (!wm_subtype(c->m, non_null(t), types[n - 1]))
        return invalid(c, "type mismatch: expected %s, found %s", wm_type_name(types[n - 1]),
                       wm_type_name(non_null(t)));
    return pop_vals(c, n - 1, types) && push_vals(c, n - 1, types);
}

/* local.get of a local that has no default value and was not set yet. */
static bool uninitialized(wv_ctx *c, uint32_t index)
{
    return invalid(c, "uninitialized local %u", index);
}

/* A local set for the first time: readable until its block ends. */
static inline void set_local(wv_ctx *c, uint32_t index)
{
    if (__builtin_expect(c->any_unset, 0) && c->unset[index]) {
        c->unset[index] = 0;
        c->inits[c->ninits++] = index;
    }
}

/* Whether a branch to the label at `depth` may carry a tag's payload (and,
 * with `ref`, an exnref after it). */
static bool catch_label_matches(wv_ctx *c, uint32_t depth, const wm_functype *payload, bool ref)
{
    uint32_t n;
    const wm_valtype *types;
    label_types(&c->frames[c->nframes - 1 - depth], &n, &types);
    uint32_t np = payload ? payload->nparams : 0;
    if (n != np + ref)
        return invalid(c, "type mismatch: catch label takes %u value(s), the handler gives %u", n,
                       np + ref);
    for (uint32_t i = 0; i < np; i++)
        if (!wm_subtype(c->m, payload->params[i], types[i]))
            return invalid(c, "type mismatch: catch label expects %s, the tag gives %s",
                           wm_type_name(types[i]), wm_type_name(payload->params[i]));
    /* catch_ref and catch_all_ref give a (ref exn): never null. */
    if (ref && !wm_subtype(c->m, VT_EXNREF | VT_NONNULL, types[np]))
        return invalid(c, "type mismatch: catch label expects %s, the handler gives (ref exn)",
                       wm_type_name(types[np]));
    return true;
}

/* try_table's catch clauses, each against the labels outside the try_table. */
static bool check_try_table(wv_ctx *c, const wv_imm *imm)
{
    wr_reader r = c->r;
    r.p = imm->targets;
    for (uint32_t i = 0; i < imm->ntargets; i++) {
        uint8_t kind;
        uint32_t tag, label;
        read_catch(&r, &kind, &tag, &label);
        if (kind < 2 && tag >= c->m->ntags)
            return invalid(c, "unknown tag %u", tag);
        if (label >= c->nframes)
            return invalid(c, "unknown label %u", label);
        if (!catch_label_matches(c, label, kind < 2 ? tag_type(c, tag) : NULL, kind & 1))
            return false;
    }
    return pop_vals(c, imm->bt_nparams, imm->bt_params) &&
           push_ctrl(c, WV_TRY_TABLE, imm->bt_nparams, imm->bt_params, imm->bt_nresults,
                     imm->bt_results);
}

/* Legacy catch and catch_all end the try's body (or the catch before) and
 * start a handler's body, which begins with the payload. */
static bool check_catch(wv_ctx *c, const wv_imm *imm, bool all)
{
    uint8_t kind = top_frame(c)->kind;
    if (kind != WV_TRY && kind != WV_CATCH)
        return invalid(c, all ? "catch_all without a try" : "catch without a try");
    wv_frame f = { 0 };
    if (!pop_ctrl(c, &f))
        return false;
    if (all)
        return push_ctrl(c, WV_CATCH_ALL, 0, NULL, f.nresults, f.results);
    const wm_functype *t = tag_type(c, imm->index);
    return push_ctrl(c, WV_CATCH, t->nparams, t->params, f.nresults, f.results);
}

/* try ... delegate l: ends the try; l counts the labels outside it. */
static bool check_delegate(wv_ctx *c, const wv_imm *imm)
{
    if (top_frame(c)->kind != WV_TRY)
        return invalid(c, "delegate without a try");
    wv_frame f = { 0 };
    if (!pop_ctrl(c, &f))
        return false;
    if (imm->index >= c->nframes)
        return invalid(c, "unknown label %u", imm->index);
    return push_vals(c, f.nresults, f.results);
}

static bool check_rethrow(wv_ctx *c, const wv_imm *imm)
{
    uint8_t kind = c->frames[c->nframes - 1 - imm->index].kind;
    if (kind != WV_CATCH && kind != WV_CATCH_ALL)
        return invalid(c, "invalid rethrow label");
    set_unreachable(c);
    return true;
}

static bool check_exception_op(wv_ctx *c, wasm_op op, wv_imm *imm)
{
    if (!need_exceptions(c))
        return false;
    const wm_functype *t;
    switch (op) {
    case WOP_TRY_TABLE:
        return check_try_table(c, imm);
    case WOP_THROW:
        t = tag_type(c, imm->index);
        if (!pop_vals(c, t->nparams, t->params))
            return false;
        set_unreachable(c);
        return true;
    case WOP_THROW_REF:
        if (!pop_expect(c, VT_EXNREF))
            return false;
        set_unreachable(c);
        return true;
    case WOP_TRY:
        return pop_vals(c, imm->bt_nparams, imm->bt_params) &&
               push_ctrl(c, WV_TRY, imm->bt_nparams, imm->bt_params, imm->bt_nresults,
                         imm->bt_results);
    case WOP_CATCH:
        return check_catch(c, imm, false);
    case WOP_CATCH_ALL:
        return check_catch(c, imm, true);
    case WOP_DELEGATE:
        return check_delegate(c, imm);
    case WOP_RETHROW:
        return check_rethrow(c, imm);
    default:
        return wv_malformed(c, "illegal opcode");
    }
}

static wm_valtype table_elem(const wv_ctx *c, uint32_t index)
{
    return c->m->tables[index].type.elem;
}

/* A table's index type: i64 for a 64-bit table (memory64), else i32. */
static uint8_t table_index(const wv_ctx *c, uint32_t index)
{
    return c->m->tables[index].type.limits.is64 ? VT_I64 : VT_I32;
}

/* The instructions whose SIG is SPECIAL. */
static inline __attribute__((always_inline)) bool check_special(wv_ctx *c, wasm_op op,
                                                                const wv_imm *imm)
{
    wm_module *m = c->m;
    const wm_functype *ft = NULL;
    wm_valtype t = VT_UNKNOWN;
    uint32_t n;
    const wm_valtype *types;
    switch (op) {
    case WOP_UNREACHABLE:
        set_unreachable(c);
        return true;
    case WOP_NOP:
        return true;
    case WOP_BLOCK:
    case WOP_LOOP:
        return pop_vals(c, imm->bt_nparams, imm->bt_params) &&
               push_ctrl(c, op == WOP_BLOCK ? WV_BLOCK : WV_LOOP, imm->bt_nparams,
                         imm->bt_params, imm->bt_nresults, imm->bt_results);
    case WOP_IF:
        return pop_expect(c, VT_I32) && pop_vals(c, imm->bt_nparams, imm->bt_params) &&
               push_ctrl(c, WV_IF, imm->bt_nparams, imm->bt_params, imm->bt_nresults,
                         imm->bt_results);
    case WOP_ELSE:
        return check_else(c);
    case WOP_END:
        return check_end(c);
    case WOP_BR:
        label_types(&c->frames[c->nframes - 1 - imm->index], &n, &types);
        if (!pop_vals(c, n, types))
            return false;
        set_unreachable(c);
        return true;
    case WOP_BR_IF:
        label_types(&c->frames[c->nframes - 1 - imm->index], &n, &types);
        return pop_expect(c, VT_I32) && pop_vals(c, n, types) && push_vals(c, n, types);
    case WOP_BR_TABLE:
        return check_br_table(c, imm);
    case WOP_RETURN:
        if (!pop_vals(c, c->frames[0].nresults, c->frames[0].results))
            return false;
        set_unreachable(c);
        return true;
    case WOP_CALL:
        return check_call(c, wm_func_type(m, imm->index));
    case WOP_CALL_INDIRECT:
        return check_call_indirect(c, imm, &ft) && check_call(c, ft);
    case WOP_RETURN_CALL:
        return check_return_call(c, wm_func_type(m, imm->index));
    case WOP_RETURN_CALL_INDIRECT:
        return check_call_indirect(c, imm, &ft) && check_return_call(c, ft);
    case WOP_CALL_REF:
        return check_call_ref(c, imm, &ft) && check_call(c, ft);
    case WOP_RETURN_CALL_REF:
        return check_call_ref(c, imm, &ft) && check_return_call(c, ft);
    case WOP_REF_AS_NON_NULL:
        return need_typed(c) && pop_ref(c, &t) && push(c, non_null(t));
    case WOP_BR_ON_NULL:
        return check_br_on_null(c, imm);
    case WOP_BR_ON_NON_NULL:
        return check_br_on_non_null(c, imm);
    case WOP_DROP:
        return pop_any(c, &t);
    case WOP_SELECT:
        return check_select(c);
    case WOP_SELECT_T:
        return pop_expect(c, VT_I32) && pop_expect(c, imm->type) &&
               pop_expect(c, imm->type) && push(c, imm->type);
    case WOP_LOCAL_GET:
        if (__builtin_expect(c->any_unset, 0) && c->unset[imm->index])
            return uninitialized(c, imm->index);
        return push(c, local_type(c, imm->index));
    case WOP_LOCAL_SET:
        set_local(c, imm->index);
        return pop_expect(c, local_type(c, imm->index));
    case WOP_LOCAL_TEE:
        set_local(c, imm->index);
        t = local_type(c, imm->index);
        return pop_expect(c, t) && push(c, t);
    case WOP_GLOBAL_GET:
        if (c->const_expr && m->globals[imm->index].type.mut)
            return invalid(c, "constant expression required: global %u is mutable",
                           imm->index);
        return push(c, m->globals[imm->index].type.type);
    case WOP_GLOBAL_SET:
        if (!m->globals[imm->index].type.mut)
            return invalid(c, "global is immutable");
        return pop_expect(c, m->globals[imm->index].type.type);
    case WOP_TABLE_GET:
        return pop_expect(c, table_index(c, imm->index)) && push(c, table_elem(c, imm->index));
    case WOP_TABLE_SET:
        return pop_expect(c, table_elem(c, imm->index)) &&
               pop_expect(c, table_index(c, imm->index));
    case WOP_TABLE_GROW:
        t = table_index(c, imm->index);
        return pop_expect(c, t) && pop_expect(c, table_elem(c, imm->index)) && push(c, t);
    case WOP_TABLE_FILL:
        t = table_index(c, imm->index);
        return pop_expect(c, t) && pop_expect(c, table_elem(c, imm->index)) && pop_expect(c, t);
    case WOP_REF_NULL:
        return push(c, imm->type);
    case WOP_REF_IS_NULL:
        return pop_ref(c, &t) && push(c, VT_I32);
    case WOP_REF_FUNC:
        /* Outside function bodies ref.func declares the reference; inside,
         * the function must have been declared (C.refs). */
        if (c->const_expr)
            c->declared[imm->index] = 1;
        else if (!c->declared[imm->index])
            return invalid(c, "undeclared function reference %u", imm->index);
        /* With function references, its type: (ref $t), never null. */
        if (c->features.function_references)
            return push(c, vt_ref_index(m->func_types[imm->index], false));
        return push(c, VT_FUNCREF);
    case WOP_TRY_TABLE: case WOP_THROW: case WOP_THROW_REF: case WOP_TRY: case WOP_CATCH:
    case WOP_CATCH_ALL: case WOP_DELEGATE: case WOP_RETHROW:
        return check_exception_op(c, op, (wv_imm *)imm);
    default:
        if (wasm_op_is_gc(op))
            return wv_check_gc(c, op, imm);
        return wv_malformed(c, "instruction %s has no type rule", wasm_op_infos[op].name);
    }
}

static wm_valtype address_type(const wv_ctx *c, uint32_t memory)
{
    return c->m->memories[memory].type.limits.is64 ? VT_I64 : VT_I32;
}

/* memory.copy's and table.copy's operands: the destination's and the
 * source's index types, and a length that is i64 only when both are. */
static const wasm_sig *copy_operands(wasm_sig *wide, wm_valtype dst, wm_valtype src)
{
    wide->params[0] = dst;
    wide->params[1] = src;
    wide->params[2] = dst == VT_I64 && src == VT_I64 ? VT_I64 : VT_I32;
    return wide;
}

/* The SIG column writes memory addresses and sizes as i32. For a 64-bit
 * memory they are i64: returns `sig` with those operands widened. */
static const wasm_sig *widen_addresses(const wv_ctx *c, wasm_op op, wasm_imm kind,
                                       const wv_imm *imm, const wasm_sig *sig, wasm_sig *wide)
{
    *wide = *sig;
    switch (kind) {
    case IMM_MEMARG: case IMM_MEMARG_LANE:
        wide->params[0] = address_type(c, imm->index);
        return wide;
    case IMM_MEMIDX: {
        wm_valtype t = address_type(c, imm->index);
        if (op == WOP_MEMORY_SIZE || op == WOP_MEMORY_GROW)
            wide->result = t;
        if (op == WOP_MEMORY_GROW || op == WOP_MEMORY_FILL)
            wide->params[0] = t;
        if (op == WOP_MEMORY_FILL)
            wide->params[2] = t;
        return wide;
    }
    case IMM_MEMORY_COPY:
        return copy_operands(wide, address_type(c, imm->index), address_type(c, imm->index2));
    case IMM_MEMORY_INIT:
        wide->params[0] = address_type(c, imm->index2);
        return wide;
    /* The table instructions typed by SIG: 64-bit tables (memory64) take
     * i64 indices and sizes; table.copy's length is i64 only when both
     * tables are 64-bit. */
    case IMM_TABLE:
        if (op == WOP_TABLE_SIZE)
            wide->result = table_index(c, imm->index);
        return wide;
    case IMM_TABLE_COPY:
        return copy_operands(wide, table_index(c, imm->index), table_index(c, imm->index2));
    case IMM_TABLE_INIT:
        wide->params[0] = table_index(c, imm->index2);
        return wide;
    default:
        return sig;
    }
}

/* The signatures of wasm_ops.h, expanded here too so that, indexed by a
 * constant, the compiler reads them at compile time. */
static const wasm_sig sigs[WS_COUNT] = {
#define WASM_SIG_INFO(name, n, p0, p1, p2, r) [WS_##name] = { n, { p0, p1, p2 }, r },
    WASM_SIGS(WASM_SIG_INFO)
#undef WASM_SIG_INFO
};

/* A simple instruction: pop the SIG's params, push its result. */
static inline __attribute__((always_inline)) bool check_sig(wv_ctx *c, const wasm_sig *s)
{
    if (!pop_vals(c, s->nparams, s->params))
        return false;
    return s->result == 0 || push(c, s->result);
}

/* ---- The instruction loop ----------------------------------------------- */

/* The instructions allowed in constant expressions. */
static bool is_const_op(const wv_ctx *c, wasm_op op)
{
    switch (op) {
    case WOP_I32_CONST: case WOP_I64_CONST: case WOP_F32_CONST: case WOP_F64_CONST:
    case WOP_V128_CONST: case WOP_REF_NULL: case WOP_REF_FUNC: case WOP_GLOBAL_GET:
    case WOP_END:
        return true;
    case WOP_I32_ADD: case WOP_I32_SUB: case WOP_I32_MUL:
    case WOP_I64_ADD: case WOP_I64_SUB: case WOP_I64_MUL:
        return c->features.extended_const;
    case WOP_STRUCT_NEW: case WOP_STRUCT_NEW_DEFAULT: case WOP_ARRAY_NEW:
    case WOP_ARRAY_NEW_DEFAULT: case WOP_ARRAY_NEW_FIXED: case WOP_REF_I31:
    case WOP_ANY_CONVERT_EXTERN: case WOP_EXTERN_CONVERT_ANY:
        return c->features.gc;
    default:
        return false;
    }
}

/* One instruction after its opcode: read its immediates by IMM kind, check
 * them, then type it by SIG or by hand. The callers pass the instruction's
 * columns of wasm_ops.def as constants, so that only that instruction's
 * code remains. */
static inline __attribute__((always_inline)) bool
validate_instr(wv_ctx *c, wasm_op op, wasm_imm kind, wasm_sig_id sig, uint8_t width,
               wv_imm *imm)
{
    /* Without the feature, the exception instructions are illegal opcodes
     * (before their immediates are read). `op` is a constant here. */
    if (is_exception_op(op) && !need_exceptions(c))
        return false;
    if (!read_imm(c, kind, imm) || !check_imm(c, kind, width, imm))
        return false;
    if (sig == WS_SPECIAL)
        return check_special(c, op, imm);
    if (c->any_memory64) {
        wasm_sig wide;
        return check_sig(c, widen_addresses(c, op, kind, imm, &sigs[sig], &wide));
    }
    return check_sig(c, &sigs[sig]);
}

/* validate_instr for instruction ID, with its columns. */
#define VALIDATE_INSTR(id)                                                             \
    validate_instr(c, WOP_##id, (wasm_imm)IMM_OF_##id, (wasm_sig_id)SIG_OF_##id,       \
                   WIDTH_OF_##id, imm)

/* The case of instruction ID. */
#define VALIDATE_CASE(id) case WOP_##id: return VALIDATE_INSTR(id);

/* Any instruction: a case for every row of wasm_ops.def. Out of line: the
 * instruction loop comes here only for what it does not handle itself. */
static __attribute__((noinline)) bool validate_any(wv_ctx *c, wasm_op op, wv_imm *imm)
{
    switch (op) {
#define WASM_OP(id, name, prefix, code, imm_kind, sig, width) VALIDATE_CASE(id)
#include "wasm_ops.def"
#undef WASM_OP
    default:
        return wv_malformed(c, "illegal opcode");
    }
}

/* Any instruction but a hot one: the simple ones (no immediate, typed by
 * SIG alone) by their signature, the rest in validate_any. */
static inline bool validate_cold(wv_ctx *c, wasm_op op, wv_imm *imm)
{
    const wasm_op_info *info = &wasm_op_infos[op];
    if (info->imm == IMM_NONE && info->sig != WS_SPECIAL)
        return check_sig(c, &sigs[info->sig]);
    return validate_any(c, op, imm);
}

/* Validates the instructions of a constant expression from c->r until its
 * outermost frame (pushed by the caller) is closed by its `end` (check_end
 * sets c->ended), which must be the last byte. Every instruction takes the
 * table's way, so that a non-constant one is refused before its
 * immediates are read. */
static bool validate_const_instrs(wv_ctx *c)
{
    wr_reader *r = &c->r;
    for (;;) {
        c->op_start = r->p;
        if (wr_eof(r))
            return wv_malformed(c, "END opcode expected");
        wasm_op op;
        wv_imm imm;
        if (!read_opcode(c, &op))
            return false;
        if (!is_const_op(c, op))
            return invalid(c, "constant expression required");
        if (!validate_cold(c, op, &imm)) {
            if (!c->ended)
                return false;
            break;
        }
    }
    if (!wr_eof(r)) {
        c->op_start = r->p;
        return wv_malformed(c, "section size mismatch: bytes after the final end");
    }
    return true;
}

/* The same for a function body. The hot instructions are told apart by
 * their opcode byte alone, read straight from the code rather than after
 * a table lookup (successive instructions differ, so this jump is often
 * mispredicted, and the sooner the processor knows its target the less
 * that costs), by a computed goto through a table of 256 labels: unlike a
 * switch, no range check and no offset arithmetic (five machine
 * instructions fewer per instruction). A byte that is no hot opcode goes
 * through read_opcode and the table of instructions. Not inline: its
 * table of labels is its own. */
static bool validate_body_instrs(wv_ctx *c)
{
    /* Every byte goes to `other`, then the hot opcodes' entries are set
     * again: an override that is the point here. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Woverride-init"
    static const void *const hot[256] = {
        [0 ... 255] = &&other,
#define HOT_LABEL(id) [CODE_OF_##id] = &&hot_##id,
        HOT_INSTRUCTIONS(HOT_LABEL)
#undef HOT_LABEL
    };
#pragma GCC diagnostic pop
    wr_reader *r = &c->r;
    wasm_op op;
    wv_imm imm_, *imm = &imm_;
next:
    c->op_start = r->p;
    if (wr_eof(r))
        return wv_malformed(c, "END opcode expected");
    goto *hot[*r->p];
#define HOT_BODY(id)                                                                   \
hot_##id:                                                                              \
    r->p++;                                                                            \
    if (!VALIDATE_INSTR(id))                                                           \
        goto stop;                                                                     \
    goto next;
    HOT_INSTRUCTIONS(HOT_BODY)
#undef HOT_BODY
other:
    if (!read_opcode(c, &op) || !validate_cold(c, op, imm))
        goto stop;
    goto next;
stop:
    if (!c->ended)
        return false;
    if (!wr_eof(r)) {
        c->op_start = r->p;
        return wv_malformed(c, "section size mismatch: bytes after the final end");
    }
    return true;
}

static bool validate_code(wv_ctx *c)
{
    return c->const_expr ? validate_const_instrs(c) : validate_body_instrs(c);
}

/* ---- Entry points --------------------------------------------------------- */

void wv_init(wv_ctx *c, wm_module *m, weft_error *err)
{
    *c = (wv_ctx){ .m = m, .err = err, .func = UINT32_MAX, .section = -1 };
    /* The proposals weft implements are always on. Each only admits modules
     * that 2.0 rejects, so 2.0's valid modules stay valid; an invalid one
     * may fail for another reason (core elem.wast's `i32.add` in a funcref
     * item is a type mismatch, no longer "constant expression required"). */
    c->features.tail_call = true;
    c->features.extended_const = true;
    c->features.multi_memory = m->features.multi_memory;
    c->features.memory64 = m->features.memory64;
    c->features.relaxed_simd = m->features.relaxed_simd;
    c->features.function_references = m->features.function_references;
    c->features.exceptions = m->features.exceptions;
    c->features.gc = m->features.gc;
}

void wv_free(wv_ctx *c)
{
    free(c->vals);
    free(c->frames);
    free(c->declared);
    free(c->locals);
    free(c->unset);
    free(c->inits);
    c->locals = NULL;
    c->unset = NULL;
    c->inits = NULL;
    c->vals = NULL;
    c->frames = NULL;
    c->declared = NULL;
}

static void start_code(wv_ctx *c, const uint8_t *code, uint32_t len, int section, uint32_t func)
{
    c->r = wr_init(c->m->bytes, code, code + len, c->err);
    c->r.no_gc = !c->features.gc;
    c->r.section = section;
    c->r.func = func == UINT32_MAX ? -1 : (int64_t)func;
    c->section = section;
    c->func = func;
    c->op_start = code;
    c->nvals = 0;
    c->nframes = 0;
    c->height = 0;
    c->ended = false;
}

bool wm_validate_func(wv_ctx *c, uint32_t index)
{
    wm_module *m = c->m;
    const wm_func *fn = &m->funcs[index];
    const wm_functype *ft = wm_func_type(m, index);
    start_code(c, fn->body, fn->body_len, SEC_CODE, index);
    c->const_expr = false;
    uint64_t n = (uint64_t)ft->nparams + fn->nlocals;
    if (n > c->locals_cap) {
        /* The decoder bounds the locals of a function (WM_MAX_LOCALS). */
        wm_valtype *grown = realloc(c->locals, n * sizeof *grown);
        uint8_t *unset = realloc(c->unset, n);
        uint32_t *inits = realloc(c->inits, n * sizeof *inits);
        if (grown)
            c->locals = grown;
        if (unset)
            c->unset = unset;
        if (inits)
            c->inits = inits;
        if (!grown || !unset || !inits)
            return nomem(c);
        c->locals_cap = (uint32_t)n;
    }
    if (ft->nparams)
        memcpy(c->locals, ft->params, ft->nparams * sizeof *c->locals);
    if (fn->nlocals)
        memcpy(c->locals + ft->nparams, fn->local_types, fn->nlocals * sizeof *c->locals);
    /* Parameters are set; a declared local of a type without a default
     * (a reference that cannot be null) is not, until local.set. */
    c->ninits = 0;
    c->any_unset = false;
    for (uint32_t i = 0; i < n; i++) {
        c->unset[i] = i >= ft->nparams && vt_is_ref(c->locals[i]) && !vt_nullable(c->locals[i]);
        c->any_unset |= c->unset[i];
    }
    c->nparams = ft->nparams;
    c->nlocals = fn->nlocals;
    c->nall = (uint32_t)n;
    if (!push_ctrl(c, WV_FUNC, 0, NULL, ft->nresults, ft->results))
        return false;
    return validate_code(c);
}

/* Validates a constant expression whose value must have type `*type`.
 * `globals` is how many globals it may read: in WebAssembly 2.0 the
 * imported ones; with function references every global defined before. */
static bool validate_const(wv_ctx *c, const wm_expr *e, const wm_valtype *type, int section,
                           uint32_t globals)
{
    start_code(c, e->code, e->len, section, UINT32_MAX);
    c->const_expr = true;
    c->const_globals = c->features.function_references ? globals : c->m->nimported_globals;
    c->nparams = c->nlocals = c->nall = 0;
    c->any_unset = false;
    c->ninits = 0;
    if (!push_ctrl(c, WV_FUNC, 0, NULL, 1, type))
        return false;
    return validate_code(c);
}

/* ---- Module-level rules --------------------------------------------------- */

bool wv_module_invalid(wv_ctx *c, int section, const char *fmt, ...)
{
    weft_error *e = c->err;
    if (!e)
        return false;
    e->status = WEFT_ERR_INVALID;
    e->section = section;
    e->func = -1;
    e->offset = -1;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->message, sizeof e->message, fmt, ap);
    va_end(ap);
    return false;
}

/* Limits valid within `range`: both bounds at most `range`, min <= max. */
static bool check_limits(wv_ctx *c, int section, const wm_limits *l, uint64_t range,
                         const char *too_big)
{
    if (l->min > range || (l->has_max && l->max > range))
        return wv_module_invalid(c, section, "%s", too_big);
    if (l->has_max && l->min > l->max)
        return wv_module_invalid(c, section, "size minimum must not be greater than maximum");
    return true;
}

/* A value type of the module outside code: a type index it holds must
 * exist, and within the type section be below `limit`, the end of the
 * recursion group of the type being checked. */
bool wv_module_valtype(wv_ctx *c, int section, wm_valtype t, uint32_t limit)
{
    if (vt_code(t) == VT_REF_INDEX && vt_index(t) >= limit)
        return wv_module_invalid(c, section, "unknown type %u", vt_index(t));
    return true;
}

/* Every value type outside code: in types, imports, tables, globals,
 * elements and locals. */
static bool check_valtypes(wv_ctx *c)
{
    wm_module *m = c->m;
    if (!wv_check_type_section(c))
        return false;
    for (uint32_t i = 0; i < m->ntables; i++)
        if (!wv_module_valtype(c, m->tables[i].imported ? SEC_IMPORT : SEC_TABLE,
                            m->tables[i].type.elem, m->ntypes))
            return false;
    for (uint32_t i = 0; i < m->nglobals; i++)
        if (!wv_module_valtype(c, m->globals[i].imported ? SEC_IMPORT : SEC_GLOBAL,
                            m->globals[i].type.type, m->ntypes))
            return false;
    for (uint32_t i = 0; i < m->nelems; i++)
        if (!wv_module_valtype(c, SEC_ELEMENT, m->elems[i].type, m->ntypes))
            return false;
    for (uint32_t i = m->nimported_funcs; i < m->nfuncs; i++)
        for (uint32_t k = 0; k < m->funcs[i].nlocals; k++)
            if (!wv_module_valtype(c, SEC_CODE, m->funcs[i].local_types[k], m->ntypes))
                return false;
    return true;
}

static bool check_types_of_funcs(wv_ctx *c)
{
    for (uint32_t i = 0; i < c->m->nfuncs; i++)
        if (c->m->funcs[i].type >= c->m->ntypes)
            return wv_module_invalid(c, c->m->funcs[i].imported ? SEC_IMPORT : SEC_FUNCTION,
                                  "unknown type %u", c->m->funcs[i].type);
        else if (c->m->types[c->m->funcs[i].type].kind != WM_COMP_FUNC)
            return wv_module_invalid(c, c->m->funcs[i].imported ? SEC_IMPORT : SEC_FUNCTION,
                                  "type mismatch: type %u is not a function type",
                                  c->m->funcs[i].type);
    return true;
}

/* Tag types: function types without results. */
static bool check_tags(wv_ctx *c)
{
    wm_module *m = c->m;
    for (uint32_t i = 0; i < m->ntags; i++) {
        int sec = m->tags[i].imported ? SEC_IMPORT : SEC_TAG;
        if (m->tags[i].type >= m->ntypes)
            return wv_module_invalid(c, sec, "unknown type %u", m->tags[i].type);
        if (m->types[m->tags[i].type].kind != WM_COMP_FUNC)
            return wv_module_invalid(c, sec, "type mismatch: type %u is not a function type",
                                  m->tags[i].type);
        if (m->types[m->tags[i].type].nresults)
            return wv_module_invalid(c, sec, "non-empty tag result type");
    }
    return true;
}

static bool check_tables_and_memories(wv_ctx *c)
{
    wm_module *m = c->m;
    for (uint32_t i = 0; i < m->ntables; i++) {
        const wm_table *t = &m->tables[i];
        int sec = t->imported ? SEC_IMPORT : SEC_TABLE;
        const wm_limits *l = &t->type.limits;
        /* A 64-bit table (memory64) may declare any u64 size; the
         * engine's limits bound what it gets when instantiated. */
        if (l->is64)
            c->any_memory64 = true;
        if (!check_limits(c, sec, l, l->is64 ? UINT64_MAX : UINT32_MAX,
                          "table size must be at most 2^32-1"))
            return false;
        /* Without an initial value a table's elements start null, which a
         * table of non-null references cannot hold. */
        if (t->has_init) {
            /* As globals', a table's initial value may read imported globals
             * only. */
            if (!validate_const(c, &t->init, &t->type.elem, SEC_TABLE, m->nimported_globals))
                return false;
        } else if (!t->imported && !vt_nullable(t->type.elem)) {
            return wv_module_invalid(c, sec, "type mismatch: table of %s needs an initial value",
                                  wm_type_name(t->type.elem));
        }
    }
    if (m->nmemories > 1 && !c->features.multi_memory)
        return wv_module_invalid(c, SEC_MEMORY, "multiple memories");
    for (uint32_t i = 0; i < m->nmemories; i++) {
        const wm_limits *l = &m->memories[i].type.limits;
        int sec = m->memories[i].imported ? SEC_IMPORT : SEC_MEMORY;
        if (l->shared)
            return wv_module_invalid(c, sec, "shared memories are not supported");
        if (l->is64) {
            if (!c->features.memory64)
                return wv_module_invalid(c, sec, "64-bit memories are not enabled");
            c->any_memory64 = true;
            if (!check_limits(c, sec, l, (uint64_t)1 << 48,
                              "memory size must be at most 2^48 pages"))
                return false;
        } else if (!check_limits(c, sec, l, WM_MAX_PAGES32,
                                 "memory size must be at most 65536 pages (4GiB)")) {
            return false;
        }
    }
    return true;
}

static bool check_globals(wv_ctx *c)
{
    wm_module *m = c->m;
    for (uint32_t i = m->nimported_globals; i < m->nglobals; i++)
        if (!validate_const(c, &m->globals[i].init, &m->globals[i].type.type, SEC_GLOBAL, i))
            return false;
    return true;
}

static bool check_elems(wv_ctx *c)
{
    wm_module *m = c->m;
    for (uint32_t i = 0; i < m->nelems; i++) {
        const wm_elem *e = &m->elems[i];
        if (e->mode == SEG_ACTIVE) {
            if (e->table >= m->ntables)
                return wv_module_invalid(c, SEC_ELEMENT, "unknown table %u", e->table);
            if (!wm_subtype(m, e->type, m->tables[e->table].type.elem))
                return wv_module_invalid(c, SEC_ELEMENT,
                                      "type mismatch: segment of %s for a table of %s",
                                      wm_type_name(e->type),
                                      wm_type_name(m->tables[e->table].type.elem));
            if (!validate_const(c, &e->offset,
                                &wv_one_type[m->tables[e->table].type.limits.is64 ? VT_I64 : VT_I32],
                                SEC_ELEMENT, m->nglobals))
                return false;
        }
        for (uint32_t k = 0; k < e->count; k++) {
            if (e->funcs) {
                if (e->funcs[k] >= m->nfuncs)
                    return wv_module_invalid(c, SEC_ELEMENT, "unknown function %u", e->funcs[k]);
                c->declared[e->funcs[k]] = 1;
            } else if (!validate_const(c, &e->exprs[k], &e->type, SEC_ELEMENT, m->nglobals)) {
                return false;
            }
        }
    }
    return true;
}

static bool check_datas(wv_ctx *c)
{
    wm_module *m = c->m;
    for (uint32_t i = 0; i < m->ndatas; i++) {
        const wm_data *d = &m->datas[i];
        if (d->mode != SEG_ACTIVE)
            continue;
        if (d->memory >= m->nmemories)
            return wv_module_invalid(c, SEC_DATA, "unknown memory %u", d->memory);
        if (!validate_const(c, &d->offset, &wv_one_type[address_type(c, d->memory)], SEC_DATA,
                            m->nglobals))
            return false;
    }
    return true;
}

static int compare_names(const void *a, const void *b)
{
    const wm_name *x = *(const wm_name *const *)a, *y = *(const wm_name *const *)b;
    if (x->len != y->len)
        return x->len < y->len ? -1 : 1;
    return memcmp(x->str, y->str, x->len);
}

static bool check_exports(wv_ctx *c)
{
    wm_module *m = c->m;
    for (uint32_t i = 0; i < m->nexports; i++) {
        const wm_export *e = &m->exports[i];
        uint32_t limit = e->kind == EXT_FUNC ? m->nfuncs
                       : e->kind == EXT_TABLE ? m->ntables
                       : e->kind == EXT_MEMORY ? m->nmemories
                       : e->kind == EXT_TAG ? m->ntags
                                               : m->nglobals;
        static const char *const kinds[] = { "function", "table", "memory", "global", "tag" };
        if (e->kind > EXT_TAG || e->index >= limit)
            return wv_module_invalid(c, SEC_EXPORT, "unknown %s %u",
                                  kinds[e->kind > EXT_TAG ? 0 : e->kind], e->index);
        if (e->kind == EXT_FUNC)
            c->declared[e->index] = 1;
    }
    if (m->nexports < 2)
        return true;
    /* Sort pointers to the names so duplicates sit side by side. */
    const wm_name **names = malloc((size_t)m->nexports * sizeof *names);
    if (!names)
        return nomem(c);
    for (uint32_t i = 0; i < m->nexports; i++)
        names[i] = &m->exports[i].name;
    qsort(names, m->nexports, sizeof *names, compare_names);
    bool ok = true;
    for (uint32_t i = 1; i < m->nexports && ok; i++)
        if (compare_names(&names[i - 1], &names[i]) == 0)
            ok = wv_module_invalid(c, SEC_EXPORT, "duplicate export name \"%.*s\"",
                                (int)(names[i]->len > 64 ? 64 : names[i]->len), names[i]->str);
    free(names);
    return ok;
}

static bool check_start(wv_ctx *c)
{
    wm_module *m = c->m;
    if (!m->has_start)
        return true;
    if (m->start >= m->nfuncs)
        return wv_module_invalid(c, SEC_START, "unknown function %u", m->start);
    const wm_functype *ft = wm_func_type(m, m->start);
    if (ft->nparams || ft->nresults)
        return wv_module_invalid(c, SEC_START, "start function must have type [] -> []");
    return true;
}

/* ---- Function bodies, on several threads ------------------------------ */

/* Once the module-level rules hold, bodies are independent: each reads the
 * module and C.refs and writes only its own stacks. A code section of at
 * least WV_PARALLEL_BYTES is split into runs of consecutive functions of
 * about equal size, one per processor (at most WV_MAX_THREADS); each run is
 * validated with a context of its own and stops at its first error. The
 * error reported is the first one of the lowest run that failed: the one
 * validating the functions in order would meet first. */
#define WV_PARALLEL_BYTES (1u << 20)
#define WV_MAX_THREADS 8

typedef struct wv_run {
    wv_ctx ctx;                    /* Shares m and declared with the module's context. */
    weft_error err;
    uint32_t first, end;           /* Functions [first, end). */
    bool ok;
} wv_run;

static void *validate_run(void *arg)
{
    wv_run *run = arg;
    run->ok = true;
    for (uint32_t i = run->first; i < run->end && run->ok; i++)
        run->ok = wm_validate_func(&run->ctx, i);
    return NULL;
}

static bool validate_bodies(wv_ctx *c)
{
    wm_module *m = c->m;
    uint64_t bytes = 0;
    for (uint32_t i = m->nimported_funcs; i < m->nfuncs; i++)
        bytes += m->funcs[i].body_len;
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    uint32_t nruns = cpus < 1 ? 1 : cpus > WV_MAX_THREADS ? WV_MAX_THREADS : (uint32_t)cpus;
    if (bytes < WV_PARALLEL_BYTES || nruns == 1) {
        for (uint32_t i = m->nimported_funcs; i < m->nfuncs; i++)
            if (!wm_validate_func(c, i))
                return false;
        return true;
    }
    wv_run runs[WV_MAX_THREADS];
    pthread_t threads[WV_MAX_THREADS];
    bool started[WV_MAX_THREADS] = { false };
    uint32_t next = m->nimported_funcs;
    uint64_t done = 0;
    for (uint32_t k = 0; k < nruns; k++) {
        /* Run k ends where the bytes so far reach k + 1 shares of the whole. */
        uint64_t goal = bytes * (k + 1) / nruns;
        uint32_t end = next;
        while (end < m->nfuncs && (done < goal || k + 1 == nruns))
            done += m->funcs[end++].body_len;
        runs[k] = (wv_run){ .ctx = *c, .first = next, .end = end };
        runs[k].ctx.err = &runs[k].err;
        runs[k].ctx.vals = NULL;
        runs[k].ctx.frames = NULL;
        runs[k].ctx.locals = NULL;
        runs[k].ctx.unset = NULL;
        runs[k].ctx.inits = NULL;
        runs[k].ctx.vals_cap = runs[k].ctx.frames_cap = runs[k].ctx.locals_cap = 0;
        next = end;
    }
    /* The calling thread takes run 0; a thread that cannot start leaves its
     * run to the calling thread too. */
    for (uint32_t k = 1; k < nruns; k++)
        started[k] = pthread_create(&threads[k], NULL, validate_run, &runs[k]) == 0;
    validate_run(&runs[0]);
    bool ok = true;
    for (uint32_t k = 0; k < nruns; k++) {
        if (started[k])
            pthread_join(threads[k], NULL);
        else if (k > 0)
            validate_run(&runs[k]);
        if (!runs[k].ok && ok) {
            if (c->err)
                *c->err = runs[k].err;
            ok = false;
        }
        free(runs[k].ctx.vals);
        free(runs[k].ctx.frames);
        free(runs[k].ctx.locals);
        free(runs[k].ctx.unset);
        free(runs[k].ctx.inits);
    }
    return ok;
}

static bool validate_module(wv_ctx *c)
{
    wm_module *m = c->m;
    c->declared = calloc(m->nfuncs ? m->nfuncs : 1, 1);
    if (!c->declared)
        return nomem(c);
    /* Module-level rules first: they also collect C.refs (exports, element
     * segments, ref.func in constant expressions), which bodies need. */
    if (!check_types_of_funcs(c) || !check_valtypes(c) || !check_tags(c) ||
        !check_globals(c) || !check_tables_and_memories(c) ||
        !check_elems(c) || !check_datas(c) || !check_exports(c) || !check_start(c))
        return false;
    return validate_bodies(c);
}

/* Decodes one body without validating it, tracking only block nesting:
 * reports a malformed encoding if there is one. */
static bool decode_body(wv_ctx *c, uint32_t index)
{
    const wm_func *fn = &c->m->funcs[index];
    start_code(c, fn->body, fn->body_len, SEC_CODE, index);
    wr_reader *r = &c->r;
    uint64_t depth = 1;
    while (depth > 0) {
        c->op_start = r->p;
        if (wr_eof(r))
            return wv_malformed(c, "END opcode expected");
        wasm_op op;
        wv_imm imm;
        if (!read_opcode(c, &op) || !read_imm(c, (wasm_imm)wasm_op_infos[op].imm, &imm))
            return false;
        if (op == WOP_BLOCK || op == WOP_LOOP || op == WOP_IF || op == WOP_TRY ||
            op == WOP_TRY_TABLE)
            depth++;
        else if (op == WOP_END || op == WOP_DELEGATE)
            depth--;
    }
    if (!wr_eof(r)) {
        c->op_start = r->p;
        return wv_malformed(c, "section size mismatch: bytes after the final end");
    }
    return true;
}

/* The spec decodes a whole module before validating it, so a malformed
 * body anywhere outranks a validation error found first by our single
 * pass. On a validation error, look for one and report it instead. */
static void prefer_malformed(wv_ctx *c)
{
    if (!c->err || c->err->status != WEFT_ERR_INVALID)
        return;
    weft_error saved = *c->err;
    for (uint32_t i = c->m->nimported_funcs; i < c->m->nfuncs; i++)
        if (!decode_body(c, i))
            return;
    *c->err = saved;
}

bool wm_validate(wm_module *m, weft_error *err)
{
    wv_ctx c;
    wv_init(&c, m, err);
    bool ok = validate_module(&c);
    if (!ok)
        prefer_malformed(&c);
    wv_free(&c);
    return ok;
}
