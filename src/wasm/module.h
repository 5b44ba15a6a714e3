/* module.h: the in-memory form of a decoded module, shared by the decoder,
 * the validator and everything after them. */
#ifndef WEFT_MODULE_H
#define WEFT_MODULE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "weft.h"

/* Value types, numbered by their binary encoding. */
enum {
    VT_I32 = 0x7f,
    VT_I64 = 0x7e,
    VT_F32 = 0x7d,
    VT_F64 = 0x7c,
    VT_V128 = 0x7b,
    VT_FUNCREF = 0x70,
    VT_EXTERNREF = 0x6f,
    VT_EXNREF = 0x69,              /* Exception handling: (ref null exn). */
};

/* External kinds, numbered by their binary encoding. */
enum { EXT_FUNC = 0, EXT_TABLE = 1, EXT_MEMORY = 2, EXT_GLOBAL = 3, EXT_TAG = 4 };

/* Section ids. */
enum {
    SEC_CUSTOM = 0, SEC_TYPE, SEC_IMPORT, SEC_FUNCTION, SEC_TABLE, SEC_MEMORY,
    SEC_GLOBAL, SEC_EXPORT, SEC_START, SEC_ELEMENT, SEC_CODE, SEC_DATA,
    SEC_DATACOUNT, SEC_TAG,
};

/* Implementation limits. Each is at least what the spec's test suite and
 * real-world modules need; past them a module is rejected with
 * WEFT_ERR_LIMIT rather than risking unbounded allocation. */
#define WM_MAX_LOCALS 50000u       /* Locals per function, parameters included. */
#define WM_MAX_PARAMS 1000u        /* Parameters or results per function type. */
#define WM_MAX_PAGES32 65536u      /* 64 KiB pages of a 32-bit memory (4 GiB). */
#define WM_MAX_TABLE 10000000u     /* Elements of a table. */

typedef struct wm_functype {
    uint32_t nparams, nresults;
    const uint8_t *params;         /* nparams value types. */
    const uint8_t *results;        /* nresults value types. */
} wm_functype;

typedef struct wm_limits {
    uint64_t min, max;
    bool has_max;
    bool is64;                     /* memory64: indices are i64. */
    bool shared;                   /* threads: decoded and rejected for now. */
} wm_limits;

typedef struct wm_tabletype {
    uint8_t elem;                  /* VT_FUNCREF or VT_EXTERNREF. */
    wm_limits limits;
} wm_tabletype;

typedef struct wm_memtype {
    wm_limits limits;
} wm_memtype;

typedef struct wm_globaltype {
    uint8_t type;
    bool mut;
} wm_globaltype;

/* The bytes of a constant expression, its final `end` (0x0b) included, and
 * where they start in the module. */
typedef struct wm_expr {
    const uint8_t *code;
    uint32_t len;
    uint32_t offset;
} wm_expr;

typedef struct wm_name {
    const char *str;               /* Valid UTF-8, NUL-terminated copy. */
    uint32_t len;
} wm_name;

typedef struct wm_import {
    wm_name module, field;
    uint8_t kind;                  /* EXT_*. */
    union {
        uint32_t type;             /* EXT_FUNC: type index. */
        wm_tabletype table;
        wm_memtype memory;
        wm_globaltype global;
        uint32_t tag;              /* EXT_TAG: the tag's function type index. */
    } u;
} wm_import;

/* A run of locals of one type, as declared in the code section. */
typedef struct wm_localrun {
    uint32_t count;
    uint8_t type;
} wm_localrun;

typedef struct wm_func {
    uint32_t type;                 /* Index into wm_module.types. */
    bool imported;
    /* For defined functions, from the code section: */
    const uint8_t *body;           /* Instruction bytes after the locals, final `end` included. */
    uint32_t body_len;
    uint32_t body_offset;          /* Offset of `body` in the module. */
    uint32_t nlocals;              /* Declared locals, parameters excluded. */
    uint8_t *local_types;          /* nlocals value types. */
    const char *name;              /* From the name section, or NULL. */
} wm_func;

typedef struct wm_global {
    wm_globaltype type;
    bool imported;
    wm_expr init;                  /* Defined globals only. */
} wm_global;

typedef struct wm_table {
    wm_tabletype type;
    bool imported;
} wm_table;

typedef struct wm_memory {
    wm_memtype type;
    bool imported;
} wm_memory;

/* An exception tag: its type is a function type with no results, whose
 * parameters are the exception's payload. */
typedef struct wm_tag {
    uint32_t type;
    bool imported;
} wm_tag;

typedef struct wm_export {
    wm_name name;
    uint8_t kind;
    uint32_t index;
} wm_export;

enum { SEG_ACTIVE, SEG_PASSIVE, SEG_DECLARATIVE };

typedef struct wm_elem {
    uint8_t mode;                  /* SEG_*. */
    uint8_t type;                  /* VT_FUNCREF or VT_EXTERNREF. */
    uint32_t table;                /* Active only. */
    wm_expr offset;                /* Active only. */
    uint32_t count;
    /* Exactly one of these is set: function indices (binary flags 0..3) or
     * constant expressions (flags 4..7). */
    uint32_t *funcs;
    wm_expr *exprs;
} wm_elem;

typedef struct wm_data {
    uint8_t mode;                  /* SEG_ACTIVE or SEG_PASSIVE. */
    uint32_t memory;               /* Active only. */
    wm_expr offset;                /* Active only. */
    const uint8_t *bytes;
    uint32_t len;
} wm_data;

/* The proposals past 2.0 that a module may use, as weft_features says
 * (tail calls are always allowed). A zeroed module allows neither. */
typedef struct wm_features {
    bool multi_memory;             /* More than one memory, memory index immediates. */
    bool memory64;                 /* 64-bit memories: i64 addresses, u64 offsets. */
    bool exceptions;               /* Tags, throw, try_table, exnref (and the legacy try). */
} wm_features;

/* A decoded module. Index spaces (funcs, tables, memories, globals) hold the
 * imports first, then the module's own definitions, as in the spec. */
typedef struct wm_module {
    wm_arena arena;                /* Owns everything below, the bytes included. */
    const uint8_t *bytes;
    size_t size;
    wm_features features;          /* Set by the loader before decoding. */

    wm_functype *types;     uint32_t ntypes;
    wm_import *imports;     uint32_t nimports;
    wm_func *funcs;         uint32_t nfuncs, nimported_funcs;
    /* funcs[i].type again, packed: what a call looks up. Lowering a call
     * in a large module would otherwise miss the cache on funcs[i]. */
    uint32_t *func_types;
    wm_table *tables;       uint32_t ntables, nimported_tables;
    wm_memory *memories;    uint32_t nmemories, nimported_memories;
    wm_global *globals;     uint32_t nglobals, nimported_globals;
    wm_tag *tags;           uint32_t ntags, nimported_tags;
    wm_export *exports;     uint32_t nexports;
    wm_elem *elems;         uint32_t nelems;
    wm_data *datas;         uint32_t ndatas;
    bool has_start;         uint32_t start;
    bool has_datacount;     uint32_t datacount;
    const char *name;       /* Module name from the name section, or NULL. */

    /* Lowered code, per interpreter variant (lower.c owns these caches). */
#define WM_LOWERED_VARIANTS 32  /* 4 strategies x 2 bounds modes x 4 meterings. */
    void *lowered[WM_LOWERED_VARIANTS];
    /* Per variant, the exception handler tables of its lowered functions
     * (lower_exn.c owns these). */
    void *handlers[WM_LOWERED_VARIANTS];
} wm_module;

/* Decodes the binary format into `m` (zeroed by the caller, arena ready).
 * Checks everything the binary format itself requires (the spec's
 * "malformed" errors) but not validation rules. On failure fills `err` with
 * status WEFT_ERR_MALFORMED (or WEFT_ERR_LIMIT / WEFT_ERR_NOMEM) and returns
 * false. Function bodies are located and their locals decoded; their
 * instructions are left to the validator. */
bool wm_decode(wm_module *m, const uint8_t *bytes, size_t size, weft_error *err);

/* Validates a decoded module: every rule of the spec's validation chapter,
 * function bodies included. Malformed instruction encodings found inside
 * bodies are reported as WEFT_ERR_MALFORMED, the rest as WEFT_ERR_INVALID. */
bool wm_validate(wm_module *m, weft_error *err);

/* The function type of function `index`. */
static inline const wm_functype *wm_func_type(const wm_module *m, uint32_t index)
{
    return &m->types[m->func_types[index]];
}

/* Fills `err` with the given status and position and a printf-style message.
 * Always returns false, so callers can `return wm_fail(...)`. */
bool wm_fail(weft_error *err, weft_status status, int section, int64_t func,
             int64_t offset, const char *fmt, ...) __attribute__((format(printf, 6, 7)));

#endif
