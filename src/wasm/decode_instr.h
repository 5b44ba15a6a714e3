/* decode_instr.h: decoding one instruction of a function body, its opcode
 * and its immediates, shared by the validator (validate.c) and the
 * lowering's walk over validated bodies (lower.c). Everything here is
 * inline, so that each instruction loop reads the immediates of its hot
 * instructions with code for their kind alone. Decoding errors are
 * malformed encodings, reported through wv_malformed. */
#ifndef WEFT_DECODE_INSTR_H
#define WEFT_DECODE_INSTR_H

#include "validate.h"

static inline bool is_ref(wm_valtype t) { return vt_is_ref(t); }

/* ---- Immediates: decoding ----------------------------------------------- */

/* read_imm only decodes: every error it reports is a malformed encoding.
 * check_imm then applies the validation rules to what was read. Keeping the
 * two apart lets a body be scanned for malformed encodings alone (see
 * find_malformed), since the spec decodes the whole module before it
 * validates any of it. */

/* Most indices fit in one LEB128 byte: read those inline. */
static inline bool read_u32(wv_ctx *c, uint32_t *out)
{
    wr_reader *r = &c->r;
    if (r->p < r->end && !(*r->p & 0x80)) {
        *out = *r->p++;
        return true;
    }
    return wr_u32(r, out);
}

static inline bool read_u8(wv_ctx *c, uint8_t *out)
{
    wr_reader *r = &c->r;
    if (r->p < r->end) {
        *out = *r->p++;
        return true;
    }
    return wr_u8(r, out);
}

/* A memory index: a single zero byte in 2.0, a u32 with multi-memory. */
static inline bool read_memidx(wv_ctx *c, uint32_t *out)
{
    if (c->features.multi_memory)
        return read_u32(c, out);
    uint8_t b;
    if (!read_u8(c, &b))
        return false;
    if (b != 0)
        return wv_malformed(c, "zero byte expected");
    *out = 0;
    return true;
}

static inline __attribute__((always_inline)) bool read_memarg(wv_ctx *c, wv_imm *imm)
{
    uint32_t align, mem = 0;
    uint64_t offset;
    if (!read_u32(c, &align))
        return false;
    /* Multi-memory: bit 6 of the alignment field says a memory index follows. */
    if (c->features.multi_memory && (align & 0x40)) {
        align &= ~0x40u;
        if (!read_u32(c, &mem))
            return false;
    }
    /* memory64 widens every offset to u64; check_memarg bounds it for
     * 32-bit memories. */
    if (c->features.memory64) {
        if (!wr_u64(&c->r, &offset))
            return false;
    } else {
        uint32_t off32;
        if (!read_u32(c, &off32))
            return false;
        offset = off32;
    }
    imm->align = align;
    imm->offset = offset;
    imm->index = mem;
    return true;
}

/* Block types: 0x40 (none), a value type, or a non-negative s33 type index
 * (resolved by check_blocktype). */
static inline bool read_blocktype(wv_ctx *c, wv_imm *imm)
{
    wr_reader *r = &c->r;
    if (wr_eof(r))
        return wv_malformed(c, "unexpected end");
    uint8_t b = *r->p;
    imm->bt_nparams = 0;
    imm->bt_params = NULL;
    imm->bt_nresults = 0;
    imm->bt_results = NULL;
    imm->index = UINT32_MAX;
    if ((b & 0xc0) == 0x40) {
        /* A one-byte negative s33: the empty type or a value type (a typed
         * reference's prefix byte too). A concrete reference's list is
         * resolved once its index is checked (check_blocktype). */
        if (b == 0x40) {
            r->p++;
            return true;
        }
        if (!wasm_read_valtype(r, c->features.function_references, &imm->type))
            return false;
        imm->bt_nresults = 1;
        imm->bt_results = vt_code(imm->type) == VT_REF_INDEX ? NULL
                                                             : &wv_one_type[imm->type & 0x1ff];
        return true;
    }
    int64_t x;
    if (!wr_s33(r, &x))
        return false;
    if (x < 0)
        return wv_malformed(c, "malformed block type");
    imm->index = x > UINT32_MAX ? UINT32_MAX - 1 : (uint32_t)x;
    return true;
}

static inline bool read_br_table(wv_ctx *c, wv_imm *imm)
{
    uint32_t n, label, max = 0;
    if (!read_u32(c, &n))
        return false;
    imm->ntargets = n;
    imm->targets = c->r.p;
    /* n + 1 labels follow; each takes at least one byte, so this loop is
     * bounded by the body's length. */
    for (uint64_t i = 0; i <= n; i++) {
        if (!read_u32(c, &label))
            return false;
        if (label > max)
            max = label;
    }
    imm->index = label; /* The default target. */
    imm->index2 = max;  /* The deepest target, for check_imm. */
    return true;
}

static inline bool read_select_t(wv_ctx *c, wv_imm *imm)
{
    uint32_t n;
    if (!read_u32(c, &n))
        return false;
    imm->ntargets = n; /* The arity, which check_imm requires to be 1. */
    imm->type = VT_UNKNOWN;
    for (uint64_t i = 0; i < n; i++) {
        wm_valtype t;
        if (!wasm_read_valtype(&c->r, c->features.function_references, &t))
            return false;
        if (i == 0)
            imm->type = t;
    }
    return true;
}

/* try_table: its block type, then its catch clauses, which are read
 * here only to check their encoding; the validator and the lowering
 * re-read them from `targets` (read_catch). */
static inline bool read_try_table(wv_ctx *c, wv_imm *imm)
{
    if (!read_blocktype(c, imm))
        return false;
    uint32_t n, index;
    if (!read_u32(c, &n))
        return false;
    imm->ntargets = n;
    imm->targets = c->r.p;
    for (uint64_t i = 0; i < n; i++) {
        uint8_t kind;
        if (!read_u8(c, &kind))
            return false;
        if (kind > 3)
            return wv_malformed(c, "malformed catch clause");
        if ((kind < 2 && !read_u32(c, &index)) || !read_u32(c, &index))
            return false;
    }
    return true;
}

/* One catch clause of a try_table, from a reader over what read_try_table
 * checked: its kind (0 catch, 1 catch_ref, 2 catch_all, 3 catch_all_ref),
 * tag (UINT32_MAX for the catch_all kinds) and label. */
static inline void read_catch(wr_reader *r, uint8_t *kind, uint32_t *tag, uint32_t *label)
{
    *kind = 0;
    *tag = UINT32_MAX;
    *label = 0;
    wr_u8(r, kind);
    if (*kind < 2)
        wr_u32(r, tag);
    wr_u32(r, label);
}

/* Without a data count section, a body cannot refer to data segments: the
 * binary format requires it so that bodies can be validated in one pass
 * before the data section is read. */
static inline bool need_datacount(wv_ctx *c)
{
    if (!c->m->has_datacount)
        return wv_malformed(c, "data count section required");
    return true;
}

/* Decodes the immediates of one instruction, of kind `kind`, into `imm`.
 * Inline everywhere: the instruction loop calls it with a constant kind,
 * leaving only that kind's code. */
static inline __attribute__((always_inline)) bool read_imm(wv_ctx *c, wasm_imm kind, wv_imm *imm)
{
    wr_reader *r = &c->r;
    switch (kind) {
    case IMM_NONE:
        return true;
    case IMM_BLOCKTYPE:
        return read_blocktype(c, imm);
    case IMM_LABEL: case IMM_FUNC: case IMM_LOCAL: case IMM_GLOBAL: case IMM_TABLE:
    case IMM_ELEM: case IMM_TYPE: case IMM_TAG:
        return read_u32(c, &imm->index);
    case IMM_TRY_TABLE:
        return read_try_table(c, imm);
    case IMM_BR_TABLE:
        return read_br_table(c, imm);
    case IMM_CALL_INDIRECT: case IMM_TABLE_INIT: case IMM_TABLE_COPY:
        return read_u32(c, &imm->index) && read_u32(c, &imm->index2);
    case IMM_MEMARG:
        return read_memarg(c, imm);
    case IMM_MEMIDX:
        return read_memidx(c, &imm->index);
    case IMM_I32: {
        int32_t v;
        if (!wr_s32(r, &v))
            return false;
        imm->bits = (uint64_t)(int64_t)v;
        return true;
    }
    case IMM_I64:
        return wr_s64(r, (int64_t *)&imm->bits);
    case IMM_F32: {
        uint32_t v;
        if (!wr_fixed32(r, &v))
            return false;
        imm->bits = v;
        return true;
    }
    case IMM_F64:
        return wr_fixed64(r, &imm->bits);
    case IMM_V128: case IMM_SHUFFLE:
        return wr_bytes(r, 16, &imm->bytes);
    case IMM_LANE:
        return read_u8(c, &imm->lane);
    case IMM_MEMARG_LANE:
        return read_memarg(c, imm) && read_u8(c, &imm->lane);
    case IMM_SELECT_T:
        return read_select_t(c, imm);
    case IMM_REFTYPE:
        /* ref.null's heap type: a one-byte shorthand in 2.0. */
        if (!c->features.function_references)
            return wasm_read_reftype(r, false, &imm->type);
        return wasm_read_heaptype(r, true, &imm->type);
    case IMM_MEMORY_INIT:
        return read_u32(c, &imm->index) && read_memidx(c, &imm->index2) &&
               need_datacount(c);
    case IMM_MEMORY_COPY:
        return read_memidx(c, &imm->index) && read_memidx(c, &imm->index2);
    case IMM_DATA:
        return read_u32(c, &imm->index) && need_datacount(c);
    case IMM_FIELD: case IMM_TYPE_TYPE: case IMM_TYPE_N: case IMM_TYPE_ELEM:
        return read_u32(c, &imm->index) && read_u32(c, &imm->index2);
    case IMM_TYPE_DATA:
        return read_u32(c, &imm->index) && read_u32(c, &imm->index2) && need_datacount(c);
    case IMM_HEAPTYPE:
        /* Nullable here; the opcode says what the target is (check_gc). */
        return wasm_read_heaptype(r, true, &imm->type);
    case IMM_BR_ON_CAST: {
        uint8_t flags;
        if (!read_u8(c, &flags))
            return false;
        if (flags > 3)
            return wv_malformed(c, "malformed br_on_cast flags");
        return read_u32(c, &imm->index) && wasm_read_heaptype(r, flags & 1, &imm->type) &&
               wasm_read_heaptype(r, flags & 2, &imm->type2);
    }
    }
    return wv_malformed(c, "unknown immediate kind");
}

/* Reads an opcode: one byte, or a prefix byte and a u32 sub-opcode. The
 * caller has checked that a byte is left. */
static inline __attribute__((always_inline)) bool read_opcode(wv_ctx *c, wasm_op *op)
{
    uint8_t b = *c->r.p++;
    *op = (wasm_op)wasm_op_slots[b];
    if (__builtin_expect(*op != WOP_ILLEGAL, 1))
        return true;
    /* The prefix bytes have no slot of their own. */
    if (b == 0xFC || b == 0xFD || (b == 0xFB && c->features.gc)) {
        uint32_t code;
        if (!wr_u32(&c->r, &code))
            return false;
        *op = wasm_op_lookup(b, code);
        /* Without the relaxed SIMD feature its opcodes are as unknown as in 2.0. */
        if (*op == WOP_ILLEGAL || (!c->features.relaxed_simd && wasm_op_is_relaxed_simd(*op)))
            return wv_malformed(c, "illegal opcode 0x%02x %u", b, code);
        return true;
    }
    return wv_malformed(c, "illegal opcode 0x%02x", b);
}

/* Every instruction's columns of wasm_ops.def by name, as constants:
 * PREFIX_OF_<ID>, CODE_OF_<ID>, IMM_OF_<ID>, SIG_OF_<ID>, WIDTH_OF_<ID>. */
enum {
#define WASM_OP(id, name, prefix, code, imm, sig, width)                                  \
    PREFIX_OF_##id = prefix, CODE_OF_##id = code, IMM_OF_##id = imm, SIG_OF_##id = WS_##sig, \
    WIDTH_OF_##id = width,
#include "wasm_ops.def"
#undef WASM_OP
};

/* The instructions that make up most code, which the loop validates inline:
 * in the function bodies compilers emit, locals, constants, blocks,
 * branches, calls, plain loads and stores and i32 address arithmetic are
 * well over half of all instructions (i32.add alone is one in twelve in the
 * benchmark programs). All are one-byte opcodes. More is not better: with
 * f64.const, else, i32.and and i32.eqz too, lowering the 10 MiB module took
 * more instructions, not fewer. */
#define HOT_INSTRUCTIONS(X)                                                    \
    X(LOCAL_GET) X(LOCAL_SET) X(LOCAL_TEE) X(GLOBAL_GET) X(GLOBAL_SET)         \
    X(I32_CONST) X(I64_CONST) X(BLOCK) X(LOOP) X(IF) X(END) X(BR) X(BR_IF)     \
    X(CALL) X(DROP) X(I32_LOAD) X(I32_STORE) X(I32_ADD) X(I32_SUB)

#define HOT_IS_ONE_BYTE(id) _Static_assert(PREFIX_OF_##id == 0, #id " must be a one-byte opcode");
HOT_INSTRUCTIONS(HOT_IS_ONE_BYTE)
#undef HOT_IS_ONE_BYTE

/* ---- Block types ------------------------------------------------------- */

/* Block types name their type by index: the types themselves. (The
 * lowering's walk resolves them; the validator checks the index first, in
 * check_blocktype.) */
static inline void resolve_blocktype(const wv_ctx *c, wv_imm *imm)
{
    if (imm->index == UINT32_MAX) {
        /* Empty or a single value type. */
        if (imm->bt_nresults == 1 && !imm->bt_results)
            imm->bt_results = wm_one_type(c->m, imm->type);
        return;
    }
    const wm_functype *ft = &c->m->types[imm->index];
    imm->bt_nparams = ft->nparams;
    imm->bt_params = ft->params;
    imm->bt_nresults = ft->nresults;
    imm->bt_results = ft->results;
}

#endif
