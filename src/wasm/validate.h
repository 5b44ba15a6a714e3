/* validate.h: the validator's state, shared with the lowering, whose walk
 * over a validated body decodes it with the same code (decode_instr.h). */
#ifndef WEFT_VALIDATE_H
#define WEFT_VALIDATE_H

#include <stdbool.h>
#include <stdint.h>

#include "module.h"
#include "reader.h"
#include "wasm_ops.h"

/* Which post-2.0 features the validator accepts. The defaults follow the
 * WebAssembly 2.0 test suite; each proposal lifts one restriction. */
typedef struct wv_features {
    bool tail_call;                /* return_call, return_call_indirect. */
    bool extended_const;           /* i32/i64 add, sub, mul in constant expressions. */
    bool multi_memory;             /* More than one memory, memory index immediates. */
    bool memory64;                 /* 64-bit memories: i64 addresses, u64 offsets. */
    bool relaxed_simd;             /* The relaxed SIMD instructions (0xFD 0x100 on). */
    bool function_references;      /* Typed references, call_ref, br_on_null, ... */
    bool exceptions;               /* Tags, throw, throw_ref, try_table; legacy try. */
    bool gc;                       /* Rec groups, sub types, structs, arrays, casts. */
} wv_features;

/* What kind of construct opened a control frame. */
enum { WV_FUNC, WV_BLOCK, WV_LOOP, WV_IF, WV_ELSE,
       WV_TRY_TABLE,                /* try_table: a block whose body has handlers. */
       WV_TRY, WV_CATCH, WV_CATCH_ALL };  /* The legacy try, and its handlers' bodies. */

/* One entry of the control stack (the spec's ctrl_frame). */
typedef struct wv_frame {
    uint8_t kind;                  /* WV_*. */
    bool unreachable;              /* The rest of the block is dead code. */
    uint32_t height;               /* Value-stack height when the block began. */
    uint32_t inits;                /* Height of the initialised-locals stack then. */
    uint32_t nparams, nresults;    /* The block type [params] -> [results]. */
    const wm_valtype *params;
    const wm_valtype *results;
    uint32_t offset;               /* Module offset of the opening instruction. */
} wv_frame;

/* Immediates of the instruction being validated, decoded by IMM kind. */
typedef struct wv_imm {
    uint32_t index;                /* Label (br_table: the default), function,
                                    * local, global, table, type, data, element or
                                    * memory index; block type's type index or
                                    * UINT32_MAX. */
    uint32_t index2;               /* The second index of two-index immediates:
                                    * table of call_indirect, table.init, table.copy
                                    * (source), memory of memory.init / memory.copy
                                    * (source); br_table: the deepest label. */
    uint32_t align;                /* Memarg alignment exponent. */
    uint64_t offset;               /* Memarg offset. */
    uint64_t bits;                 /* Integer constant, or float constant's bits. */
    uint8_t lane;                  /* Lane index. */
    wm_valtype type;               /* select t's type, ref.null's type, a block
                                    * type's single result; ref.test's and
                                    * ref.cast's target; br_on_cast's source. */
    wm_valtype type2;              /* br_on_cast's target. */
    const uint8_t *bytes;          /* v128.const / i8x16.shuffle: 16 bytes in the module. */
    uint32_t ntargets;             /* br_table: label count (default excluded);
                                    * select t: the number of types. */
    const uint8_t *targets;        /* br_table: the label vector's bytes, to re-read. */
    /* Block type as [params] -> [results]. */
    uint32_t bt_nparams, bt_nresults;
    const wm_valtype *bt_params, *bt_results;
} wv_imm;

typedef struct wv_ctx wv_ctx;

/* The validator's working state. One context validates a whole module; its
 * stacks are heap buffers reused from function to function, grown when a
 * function needs more, so validating costs no allocation per instruction. */
struct wv_ctx {
    wm_module *m;
    weft_error *err;
    wv_features features;
    wr_reader r;                   /* Over the code being validated. */
    uint32_t func;                 /* Function index, or UINT32_MAX for a constant expression. */
    int section;                   /* For error positions. */
    const uint8_t *op_start;       /* Where the current instruction begins. */

    /* The value stack: a type per entry (VT_UNKNOWN allowed). */
    wm_valtype *vals;
    uint32_t nvals, vals_cap;
    /* The control stack. */
    wv_frame *frames;
    uint32_t nframes, frames_cap;
    /* The innermost frame's height (frames[nframes - 1].height), kept here
     * so that a pop compares with it without finding the frame. */
    uint32_t height;
    /* Set by the `end` that closes the outermost frame: the instruction
     * loop then stops (it does not test the frame count per instruction). */
    bool ended;

    /* Locals of the current function: `nparams` parameters, then `nlocals`
     * declared locals, their types side by side in one buffer (reused from
     * function to function) so that a local's type is one load; `nall` is
     * both counts added, the bound of a local index. */
    uint32_t nparams, nlocals, nall;
    wm_valtype *locals;
    uint32_t locals_cap;
    /* Locals of non-defaultable types (non-null references) must be set
     * before they are read: `unset` has a byte per local, 1 while it may
     * not be read, and `inits` the locals set since, which the end of the
     * block that set them unsets again. */
    uint8_t *unset;
    uint32_t *inits;
    uint32_t ninits;
    bool any_unset;                /* Some declared local has no default: `unset`
                                    * needs reading (never in 2.0 code). */

    /* Constant-expression mode: only constant instructions are allowed, and
     * global.get may only name the first `const_globals` globals. */
    bool const_expr;
    uint32_t const_globals;

    /* Some memory or table is 64-bit, so memory and table instructions'
     * types need adjusting. */
    bool any_memory64;

    /* C.refs: functions that ref.func may name inside function bodies
     * (NULL when the context only walks bodies for lowering). */
    uint8_t *declared;             /* One byte per function. */
};

/* Prepares `c` to validate module `m`; errors go to `err`. */
void wv_init(wv_ctx *c, wm_module *m, weft_error *err);

/* Frees the context's buffers. */
void wv_free(wv_ctx *c);

/* Validates the body of defined function `index` (in the function index
 * space). The module-level checks must have been done. */
bool wm_validate_func(wv_ctx *c, uint32_t index);

/* Reports a malformed encoding at the current instruction (c->op_start):
 * fills the error and returns false. */
__attribute__((format(printf, 2, 3))) bool wv_malformed(wv_ctx *c, const char *fmt, ...);

/* wv_one_type[t] == t for every value type but concrete references: lets a
 * single value type serve as a one-element type list without storage of its
 * own (block types). A concrete reference's list is in the module
 * (wm_one_type). */
extern const wm_valtype wv_one_type[512];

/* A one-element list holding value type `t`, which must be valid in `m`. */
static inline const wm_valtype *wm_one_type(const wm_module *m, wm_valtype t)
{
    if (vt_code(t) == VT_REF_INDEX)
        return &m->ref_types[2 * vt_index(t) + !vt_nullable(t)];
    return &wv_one_type[t & 0x1ff];
}

#endif
