/* wasm_ops.c: the instruction tables expanded from wasm_ops.def, and the
 * decoding of an instruction's opcode and immediates by the table alone. */
#include "wasm_ops.h"

/* ---- The instruction table, expanded --------------------------------- */

const wasm_op_info wasm_op_infos[WOP_COUNT] = {
    [WOP_ILLEGAL] = { "<illegal>", 0, IMM_NONE, WS_SPECIAL, 0, 0 },
#define WASM_OP(id, name, prefix, code, imm, sig, width) \
    [WOP_##id] = { name, prefix, imm, WS_##sig, width, code },
#include "wasm_ops.def"
#undef WASM_OP
};

const wasm_sig wasm_sigs[WS_COUNT] = {
#define WASM_SIG_INFO(name, n, p0, p1, p2, r) [WS_##name] = { n, { p0, p1, p2 }, r },
    WASM_SIGS(WASM_SIG_INFO)
#undef WASM_SIG_INFO
};

const uint16_t wasm_op_slots[WASM_SLOT_COUNT] = {
#define WASM_OP(id, name, prefix, code, imm, sig, width) [WASM_OP_SLOT(prefix, code)] = WOP_##id,
#include "wasm_ops.def"
#undef WASM_OP
};

/* ---- Stepping over instructions ----------------------------------------- */

bool wasm_read_op(wr_reader *r, wasm_op *op)
{
    const uint8_t *at = r->p;
    uint8_t b;
    uint32_t code = 0;
    if (!wr_u8(r, &b))
        return false;
    bool prefixed = b == 0xFB || b == 0xFC || b == 0xFD;
    if (prefixed && !wr_u32(r, &code))
        return false;
    *op = prefixed ? wasm_op_lookup(b, code) : wasm_op_lookup(0, b);
    if (*op != WOP_ILLEGAL)
        return true;
    /* Point the error at the opcode, not at what follows it. */
    r->p = at;
    if (prefixed)
        return wr_error(r, "illegal opcode 0x%02x %u", b, code);
    return wr_error(r, "illegal opcode 0x%02x", b);
}

/* ---- Value types ------------------------------------------------------------ */

bool wasm_read_heaptype(wr_reader *r, bool nullable, wm_valtype *t)
{
    const uint8_t *at = r->p;
    int64_t x;
    if (!wr_s33(r, &x))
        return false;
    if (x >= 0) {
        if (x > VT_MAX_INDEX) {
            r->p = at;
            return wr_error_status(r, WEFT_ERR_LIMIT, "type index too large");
        }
        *t = vt_ref_index((uint32_t)x, nullable);
        return true;
    }
    /* A one-byte negative s33 is the code 0x40..0x7f. */
    if (x < -64 || !vt_is_heap_code((uint8_t)(x & 0x7f)) ||
        (r->no_gc && vt_heap_code_is_gc((uint8_t)(x & 0x7f)))) {
        r->p = at;
        return wr_error(r, "malformed heap type");
    }
    *t = (uint8_t)(x & 0x7f) | (nullable ? 0 : VT_NONNULL);
    return true;
}

bool wasm_read_reftype(wr_reader *r, bool typed, wm_valtype *t)
{
    uint8_t b;
    if (!wr_u8(r, &b))
        return false;
    if (typed && (b == WASM_REF_NULL_PREFIX || b == WASM_REF_PREFIX))
        return wasm_read_heaptype(r, b == WASM_REF_NULL_PREFIX, t);
    if (!wasm_is_reftype(b) || (r->no_gc && vt_heap_code_is_gc(b))) {
        r->p--;
        return wr_error(r, "malformed reference type");
    }
    *t = b;
    return true;
}

bool wasm_read_valtype(wr_reader *r, bool typed, wm_valtype *t)
{
    uint8_t b;
    if (!wr_u8(r, &b))
        return false;
    if (typed && (b == WASM_REF_NULL_PREFIX || b == WASM_REF_PREFIX))
        return wasm_read_heaptype(r, b == WASM_REF_NULL_PREFIX, t);
    if (!wasm_is_valtype(b) || (r->no_gc && vt_heap_code_is_gc(b))) {
        r->p--;
        return wr_error(r, "malformed value type");
    }
    *t = b;
    return true;
}

/* Reads a byte that must satisfy `ok`; otherwise reports `what` at it. */
static bool expect_byte(wr_reader *r, bool (*ok)(uint8_t), const char *what)
{
    uint8_t b;
    if (!wr_u8(r, &b))
        return false;
    if (ok(b))
        return true;
    r->p--;
    return wr_error(r, "%s", what);
}

static bool is_zero(uint8_t b) { return b == 0; }

/* A memory index: in WebAssembly 2.0, a single zero byte. */
static bool skip_memidx(wr_reader *r) { return expect_byte(r, is_zero, "zero byte expected"); }

static bool skip_u32s(wr_reader *r, uint64_t n)
{
    uint32_t v;
    /* Each u32 takes at least one byte, so a count larger than what is left
     * fails at the end of the buffer rather than looping long. */
    for (uint64_t i = 0; i < n; i++)
        if (!wr_u32(r, &v))
            return false;
    return true;
}

static bool skip_bytes(wr_reader *r, size_t n)
{
    const uint8_t *p;
    return wr_bytes(r, n, &p);
}

/* Block types: 0x40 (none), a value type, or a non-negative s33 type index. */
static bool skip_blocktype(wr_reader *r)
{
    if (!wr_eof(r) && (*r->p & 0xc0) == 0x40) {
        /* A one-byte negative s33: only the empty type and value types. */
        if (*r->p == 0x40) {
            r->p++;
            return true;
        }
        wm_valtype t;
        return wasm_read_valtype(r, true, &t);
    }
    const uint8_t *at = r->p;
    int64_t x;
    if (!wr_s33(r, &x))
        return false;
    if (x >= 0)
        return true;
    r->p = at;
    return wr_error(r, "malformed block type");
}

/* A vector of value types (select with types). */
static bool skip_valtypes(wr_reader *r)
{
    uint32_t n;
    if (!wr_u32(r, &n))
        return false;
    wm_valtype t;
    for (uint64_t i = 0; i < n; i++)
        if (!wasm_read_valtype(r, true, &t))
            return false;
    return true;
}

/* try_table's catch clauses: a kind byte, a tag for kinds 0 and 1, a label. */
static bool skip_catches(wr_reader *r)
{
    uint32_t n;
    if (!wr_u32(r, &n))
        return false;
    for (uint64_t i = 0; i < n; i++) {
        uint8_t kind;
        if (!wr_u8(r, &kind))
            return false;
        if (kind > 3) {
            r->p--;
            return wr_error(r, "malformed catch clause");
        }
        if (!skip_u32s(r, kind < 2 ? 2 : 1))
            return false;
    }
    return true;
}

bool wasm_skip_imm(wr_reader *r, wasm_imm kind)
{
    int32_t i32;
    int64_t i64;
    uint32_t n;
    switch (kind) {
    case IMM_NONE:
        return true;
    case IMM_BLOCKTYPE:
        return skip_blocktype(r);
    case IMM_LABEL: case IMM_FUNC: case IMM_LOCAL: case IMM_GLOBAL: case IMM_TABLE:
    case IMM_DATA: case IMM_ELEM: case IMM_TYPE: case IMM_TAG:
        return skip_u32s(r, 1);
    case IMM_TRY_TABLE:
        return skip_blocktype(r) && skip_catches(r);
    case IMM_BR_TABLE:
        /* A vector of labels, then the default label. */
        return wr_u32(r, &n) && skip_u32s(r, (uint64_t)n + 1);
    case IMM_CALL_INDIRECT: case IMM_TABLE_INIT: case IMM_TABLE_COPY: case IMM_MEMARG:
        return skip_u32s(r, 2);
    case IMM_MEMIDX:
        return skip_memidx(r);
    case IMM_I32:
        return wr_s32(r, &i32);
    case IMM_I64:
        return wr_s64(r, &i64);
    case IMM_F32:
        return skip_bytes(r, 4);
    case IMM_F64:
        return skip_bytes(r, 8);
    case IMM_V128: case IMM_SHUFFLE:
        return skip_bytes(r, 16);
    case IMM_LANE:
        return skip_bytes(r, 1);
    case IMM_MEMARG_LANE:
        return skip_u32s(r, 2) && skip_bytes(r, 1);
    case IMM_SELECT_T:
        return skip_valtypes(r);
    case IMM_REFTYPE: {
        wm_valtype t;
        return wasm_read_heaptype(r, true, &t);
    }
    case IMM_MEMORY_INIT:
        return skip_u32s(r, 1) && skip_memidx(r);
    case IMM_MEMORY_COPY:
        return skip_memidx(r) && skip_memidx(r);
    case IMM_FIELD: case IMM_TYPE_TYPE: case IMM_TYPE_N: case IMM_TYPE_DATA: case IMM_TYPE_ELEM:
        return skip_u32s(r, 2);
    case IMM_HEAPTYPE: {
        wm_valtype t;
        return wasm_read_heaptype(r, true, &t);
    }
    case IMM_BR_ON_CAST: {
        uint8_t flags;
        wm_valtype t;
        if (!wr_u8(r, &flags))
            return false;
        if (flags > 3) {
            r->p--;
            return wr_error(r, "malformed br_on_cast flags");
        }
        return skip_u32s(r, 1) && wasm_read_heaptype(r, true, &t) &&
               wasm_read_heaptype(r, true, &t);
    }
    }
    return wr_error(r, "unknown immediate kind %d", (int)kind);
}
