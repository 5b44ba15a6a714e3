/* wasm_ops.h: the WebAssembly instruction set as C data, expanded from
 * wasm_ops.def: opcode enum, immediate kinds, simple-instruction signatures
 * and the opcode lookup. */
#ifndef WEFT_WASM_OPS_H
#define WEFT_WASM_OPS_H

#include <stdbool.h>
#include <stdint.h>

#include "module.h"
#include "reader.h"

/* The kinds of immediate operand an instruction carries (see wasm_ops.def). */
typedef enum wasm_imm {
    IMM_NONE, IMM_BLOCKTYPE, IMM_LABEL, IMM_BR_TABLE, IMM_FUNC, IMM_CALL_INDIRECT,
    IMM_LOCAL, IMM_GLOBAL, IMM_TABLE, IMM_MEMARG, IMM_MEMIDX, IMM_I32, IMM_I64,
    IMM_F32, IMM_F64, IMM_V128, IMM_LANE, IMM_MEMARG_LANE, IMM_SHUFFLE,
    IMM_SELECT_T, IMM_REFTYPE, IMM_MEMORY_INIT, IMM_MEMORY_COPY, IMM_TABLE_INIT,
    IMM_TABLE_COPY, IMM_DATA, IMM_ELEM, IMM_TYPE, IMM_TAG, IMM_TRY_TABLE,
    IMM_FIELD, IMM_TYPE_TYPE, IMM_TYPE_N, IMM_TYPE_DATA, IMM_TYPE_ELEM, IMM_HEAPTYPE,
    IMM_BR_ON_CAST,
} wasm_imm;

/* Every instruction, as WOP_<ID>. WOP_ILLEGAL (zero) stands for an opcode
 * that the table does not define, so zero-filled lookup slots mean
 * "illegal opcode". */
typedef enum wasm_op {
    WOP_ILLEGAL,
#define WASM_OP(id, name, prefix, code, imm, sig, width) WOP_##id,
#include "wasm_ops.def"
#undef WASM_OP
    WOP_COUNT
} wasm_op;

/* The signatures that simple instructions use, named as in the SIG column:
 * X(NAME, NPARAMS, PARAM0, PARAM1, PARAM2, RESULT), with 0 for "none". Params
 * are listed bottom of the stack first, as in the spec's [t1 t2] -> [t]. */
#define WASM_SIGS(X) \
    X(SPECIAL, 0, 0, 0, 0, 0) \
    X(_, 0, 0, 0, 0, 0) \
    X(_i, 0, 0, 0, 0, VT_I32) \
    X(_I, 0, 0, 0, 0, VT_I64) \
    X(_f, 0, 0, 0, 0, VT_F32) \
    X(_F, 0, 0, 0, 0, VT_F64) \
    X(_v, 0, 0, 0, 0, VT_V128) \
    X(i_i, 1, VT_I32, 0, 0, VT_I32) \
    X(i_I, 1, VT_I32, 0, 0, VT_I64) \
    X(i_f, 1, VT_I32, 0, 0, VT_F32) \
    X(i_F, 1, VT_I32, 0, 0, VT_F64) \
    X(i_v, 1, VT_I32, 0, 0, VT_V128) \
    X(I_i, 1, VT_I64, 0, 0, VT_I32) \
    X(I_I, 1, VT_I64, 0, 0, VT_I64) \
    X(I_f, 1, VT_I64, 0, 0, VT_F32) \
    X(I_F, 1, VT_I64, 0, 0, VT_F64) \
    X(I_v, 1, VT_I64, 0, 0, VT_V128) \
    X(f_i, 1, VT_F32, 0, 0, VT_I32) \
    X(f_I, 1, VT_F32, 0, 0, VT_I64) \
    X(f_f, 1, VT_F32, 0, 0, VT_F32) \
    X(f_F, 1, VT_F32, 0, 0, VT_F64) \
    X(f_v, 1, VT_F32, 0, 0, VT_V128) \
    X(F_i, 1, VT_F64, 0, 0, VT_I32) \
    X(F_I, 1, VT_F64, 0, 0, VT_I64) \
    X(F_f, 1, VT_F64, 0, 0, VT_F32) \
    X(F_F, 1, VT_F64, 0, 0, VT_F64) \
    X(F_v, 1, VT_F64, 0, 0, VT_V128) \
    X(ii_i, 2, VT_I32, VT_I32, 0, VT_I32) \
    X(II_i, 2, VT_I64, VT_I64, 0, VT_I32) \
    X(II_I, 2, VT_I64, VT_I64, 0, VT_I64) \
    X(ff_i, 2, VT_F32, VT_F32, 0, VT_I32) \
    X(ff_f, 2, VT_F32, VT_F32, 0, VT_F32) \
    X(FF_i, 2, VT_F64, VT_F64, 0, VT_I32) \
    X(FF_F, 2, VT_F64, VT_F64, 0, VT_F64) \
    X(ii_, 2, VT_I32, VT_I32, 0, 0) \
    X(iI_, 2, VT_I32, VT_I64, 0, 0) \
    X(if_, 2, VT_I32, VT_F32, 0, 0) \
    X(iF_, 2, VT_I32, VT_F64, 0, 0) \
    X(iv_, 2, VT_I32, VT_V128, 0, 0) \
    X(iii_, 3, VT_I32, VT_I32, VT_I32, 0) \
    X(v_i, 1, VT_V128, 0, 0, VT_I32) \
    X(v_I, 1, VT_V128, 0, 0, VT_I64) \
    X(v_f, 1, VT_V128, 0, 0, VT_F32) \
    X(v_F, 1, VT_V128, 0, 0, VT_F64) \
    X(v_v, 1, VT_V128, 0, 0, VT_V128) \
    X(vi_v, 2, VT_V128, VT_I32, 0, VT_V128) \
    X(vI_v, 2, VT_V128, VT_I64, 0, VT_V128) \
    X(vf_v, 2, VT_V128, VT_F32, 0, VT_V128) \
    X(vF_v, 2, VT_V128, VT_F64, 0, VT_V128) \
    X(iv_v, 2, VT_I32, VT_V128, 0, VT_V128) \
    X(vv_v, 2, VT_V128, VT_V128, 0, VT_V128) \
    X(vvv_v, 3, VT_V128, VT_V128, VT_V128, VT_V128) \

typedef enum wasm_sig_id {
#define WASM_SIG_ENUM(name, n, p0, p1, p2, r) WS_##name,
    WASM_SIGS(WASM_SIG_ENUM)
#undef WASM_SIG_ENUM
    WS_COUNT
} wasm_sig_id;

typedef struct wasm_sig {
    uint8_t nparams;
    wm_valtype params[3];
    wm_valtype result;             /* A value type, or 0 when nothing is pushed. */
} wasm_sig;

/* What the table says about one instruction. */
typedef struct wasm_op_info {
    const char *name;
    uint8_t prefix;
    uint8_t imm;                   /* wasm_imm. */
    uint8_t sig;                   /* wasm_sig_id; WS_SPECIAL for hand-typed ones. */
    uint8_t width;                 /* log2 of access or lane size in bytes. */
    uint32_t code;
} wasm_op_info;

/* Opcode lookup slots: one-byte opcodes first, then the 0xFC, 0xFD and
 * 0xFB sub-opcodes. The 0xFD range leaves room for relaxed SIMD (0x100..). */
#define WASM_SLOTS_FC 256u
#define WASM_SLOTS_FD (WASM_SLOTS_FC + 64u)
#define WASM_SLOTS_FB (WASM_SLOTS_FD + 512u)
#define WASM_SLOT_COUNT (WASM_SLOTS_FB + 32u)
#define WASM_OP_SLOT(prefix, code)                                                         \
    ((prefix) == 0xFC ? WASM_SLOTS_FC + (code) : (prefix) == 0xFD ? WASM_SLOTS_FD + (code) \
     : (prefix) == 0xFB ? WASM_SLOTS_FB + (code) : (code))

/* Indexed by wasm_op. */
extern const wasm_op_info wasm_op_infos[WOP_COUNT];
/* Indexed by wasm_sig_id. */
extern const wasm_sig wasm_sigs[WS_COUNT];
/* Indexed by WASM_OP_SLOT: the wasm_op, or WOP_ILLEGAL. */
extern const uint16_t wasm_op_slots[WASM_SLOT_COUNT];

/* Whether `op` is one of the relaxed SIMD instructions, which wasm_ops.def
 * lists together from i8x16.relaxed_swizzle to the add_s dot product. */
static inline bool wasm_op_is_relaxed_simd(wasm_op op)
{
    return op >= WOP_I8X16_RELAXED_SWIZZLE && op <= WOP_I32X4_RELAXED_DOT_I8X16_I7X16_ADD_S;
}

/* Whether `op` is ref.eq or one of the 0xFB instructions of garbage
 * collection, which wasm_ops.def lists together at its end. */
static inline bool wasm_op_is_gc(wasm_op op) { return op >= WOP_REF_EQ && op <= WOP_I31_GET_U; }

/* The instruction with this prefix (0 for none) and code, or WOP_ILLEGAL. */
static inline wasm_op wasm_op_lookup(uint8_t prefix, uint32_t code)
{
    if (prefix == 0)
        return (wasm_op)wasm_op_slots[code & 0xff];
    if (prefix == 0xFC)
        return code < WASM_SLOTS_FD - WASM_SLOTS_FC ? (wasm_op)wasm_op_slots[WASM_SLOTS_FC + code]
                                                    : WOP_ILLEGAL;
    if (prefix == 0xFD)
        return code < WASM_SLOTS_FB - WASM_SLOTS_FD ? (wasm_op)wasm_op_slots[WASM_SLOTS_FD + code]
                                                    : WOP_ILLEGAL;
    if (prefix == 0xFB)
        return code < WASM_SLOT_COUNT - WASM_SLOTS_FB ? (wasm_op)wasm_op_slots[WASM_SLOTS_FB + code]
                                                      : WOP_ILLEGAL;
    return WOP_ILLEGAL;
}

/* The one-byte value types: the numeric types, v128 and the abstract
 * nullable references (funcref, externref, ...), as their binary encodings. */
static inline bool wasm_is_reftype(uint8_t t) { return vt_is_heap_code(t); }

static inline bool wasm_is_valtype(uint8_t t)
{
    return t == VT_I32 || t == VT_I64 || t == VT_F32 || t == VT_F64 || t == VT_V128 ||
           wasm_is_reftype(t);
}

/* The reference type prefixes of typed function references:
 * 0x63 ht is (ref null ht), 0x64 ht is (ref ht). */
enum { WASM_REF_NULL_PREFIX = 0x63, WASM_REF_PREFIX = 0x64 };

/* Reads a heap type (an abstract one's code, or a type index as a
 * non-negative s33) and makes it the reference type (ref null? ht). A type
 * index is not resolved: validation checks it. */
bool wasm_read_heaptype(wr_reader *r, bool nullable, wm_valtype *t);

/* Reads a reference type: a one-byte shorthand (funcref, externref), or,
 * when `typed` (function references), 0x63 / 0x64 and a heap type. */
bool wasm_read_reftype(wr_reader *r, bool typed, wm_valtype *t);

/* Reads a value type: a one-byte code, or a typed reference as
 * wasm_read_reftype reads it. */
bool wasm_read_valtype(wr_reader *r, bool typed, wm_valtype *t);

/* Reads an opcode (with its sub-opcode after a prefix byte) into *op.
 * An opcode the table does not define is malformed ("illegal opcode"),
 * reported at its first byte. */
bool wasm_read_op(wr_reader *r, wasm_op *op);

/* Steps over the immediates of one instruction, checking what the binary
 * format of WebAssembly 2.0 fixes without context: LEB128 forms, lengths,
 * value and reference type bytes, zero memory-index bytes. Indices are not
 * resolved and the data count rule is not applied: that is validation. The
 * validator decodes immediates itself (read_imm), as it needs their values
 * and the post-2.0 encodings its features enable. */
bool wasm_skip_imm(wr_reader *r, wasm_imm kind);

#endif
