/* module.h: the in-memory form of a decoded module, shared by the decoder,
 * the validator and everything after them. */
#ifndef WEFT_MODULE_H
#define WEFT_MODULE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "weft.h"

/* Value types. A value type is one 32-bit word: bits 0-7 are its code,
 * bit 8 (VT_NONNULL) marks a reference that cannot be null, and bits 9-31
 * hold the type index of a concrete reference (code VT_REF_INDEX). The
 * numeric types and the nullable abstract references (funcref = (ref null
 * func)) are their one-byte binary encoding, so most code compares words
 * against the VT_ constants as it did bytes. */
typedef uint32_t wm_valtype;

/* The abstract heap types: X(NAME, binary code, text name). Each gives
 * VT_<NAME>REF, the nullable reference (its binary shorthand). Adding an
 * abstract heap type is one line here. */
#define WM_HEAP_TYPES(X) \
    X(FUNC, 0x70, "func") \
    X(EXTERN, 0x6f, "extern") \
    X(EXN, 0x69, "exn") \
    X(ANY, 0x6e, "any") \
    X(EQ, 0x6d, "eq") \
    X(I31, 0x6c, "i31") \
    X(STRUCT, 0x6b, "struct") \
    X(ARRAY, 0x6a, "array") \
    X(NONE, 0x71, "none") \
    X(NOFUNC, 0x73, "nofunc") \
    X(NOEXTERN, 0x72, "noextern") \
    X(NOEXN, 0x74, "noexn")



enum {
    VT_I32 = 0x7f,
    VT_I64 = 0x7e,
    VT_F32 = 0x7d,
    VT_F64 = 0x7c,
    VT_V128 = 0x7b,
#define WM_HEAP_VT(name, code, text) VT_##name##REF = code,
    WM_HEAP_TYPES(WM_HEAP_VT)
#undef WM_HEAP_VT
    VT_REF_INDEX = 0x01,           /* A reference to a concrete type (bits 9-31). */
    VT_REF_BOT = 0x02,             /* The bottom reference: only in unreachable code. */
    /* The packed storage types of struct and array fields (never value
     * types: read, they are i32). */
    VT_I8 = 0x78,
    VT_I16 = 0x77,
};

/* The type of a value-stack entry whose type is not known: what popping an
 * empty stack yields in unreachable code. Not a valid value type encoding. */
#define VT_UNKNOWN 0

#define VT_NONNULL 0x100u
#define VT_INDEX_SHIFT 9
#define VT_MAX_INDEX ((1u << 23) - 1)

static inline uint8_t vt_code(wm_valtype t) { return (uint8_t)t; }
static inline bool vt_nullable(wm_valtype t) { return !(t & VT_NONNULL); }
static inline uint32_t vt_index(wm_valtype t) { return t >> VT_INDEX_SHIFT; }

/* Whether `code` is an abstract heap type's. */
static inline bool vt_is_heap_code(uint8_t code)
{
    switch (code) {
#define WM_HEAP_CASE(name, c, text) case c:
    WM_HEAP_TYPES(WM_HEAP_CASE)
#undef WM_HEAP_CASE
        return true;
    }
    return false;
}

/* Whether `code` is an abstract heap type that came with garbage
 * collection: the others (func, extern, exn) exist without the feature. */
static inline bool vt_heap_code_is_gc(uint8_t code)
{
    return vt_is_heap_code(code) && code != VT_FUNCREF && code != VT_EXTERNREF &&
           code != VT_EXNREF;
}

static inline bool vt_is_ref(wm_valtype t)
{
    uint8_t c = vt_code(t);
    return c == VT_REF_INDEX || c == VT_REF_BOT || vt_is_heap_code(c);
}

/* Whether a value of type `t` can be an object of the garbage-collected
 * heap: any reference but those to functions and exceptions, which live
 * elsewhere (what the collector's frame roots hold). */
static inline bool vt_holds_object(wm_valtype t)
{
    uint8_t c = vt_code(t);
    return vt_is_ref(t) && c != VT_FUNCREF && c != VT_NOFUNCREF && c != VT_EXNREF &&
           c != VT_NOEXNREF;
}

/* The reference (ref null? $index). */
static inline wm_valtype vt_ref_index(uint32_t index, bool nullable)
{
    return VT_REF_INDEX | (nullable ? 0 : VT_NONNULL) | (index << VT_INDEX_SHIFT);
}

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
#define WM_MAX_FIELDS 10000u       /* Fields of a struct type. */
#define WM_MAX_TYPES (1u << 20)    /* Types of a module, over all its rec groups. */

/* The composite types a defined type may be. */
enum { WM_COMP_FUNC, WM_COMP_STRUCT, WM_COMP_ARRAY };

/* A field of a struct, or an array's element: a value type or a packed
 * storage type (VT_I8, VT_I16), and whether it may be set. */
typedef struct wm_field {
    wm_valtype type;
    bool mut;
} wm_field;

/* A defined type: a function type (kind WM_COMP_FUNC), a struct or an
 * array, with its place in the subtyping hierarchy and its recursion group.
 * A zeroed one but for params and results is a final function type that is
 * its own group, as a host function's type is. */
typedef struct wm_functype {
    uint32_t nparams, nresults;
    const wm_valtype *params;      /* nparams value types. */
    const wm_valtype *results;     /* nresults value types. */
    uint8_t kind;                  /* WM_COMP_*. */
    bool open;                     /* `sub` without `final`: subtypes may name it. */
    uint8_t nsupers;               /* Declared supertypes: 0, 1, or 2 for more
                                    * than one (which validation refuses). */
    uint32_t super;                /* The supertype's index, if nsupers is 1. */
    uint32_t rec, nrec;            /* Its recursion group: the first type's
                                    * index and the count (0: a group alone). */
    uint32_t nfields;              /* Struct: its fields; array: 1, the element. */
    const wm_field *fields;
} wm_functype;

typedef struct wm_limits {
    uint64_t min, max;
    bool has_max;
    bool is64;                     /* memory64: indices are i64. */
    bool shared;                   /* threads: decoded and rejected for now. */
} wm_limits;

typedef struct wm_tabletype {
    wm_valtype elem;               /* A reference type. */
    wm_limits limits;
} wm_tabletype;

typedef struct wm_memtype {
    wm_limits limits;
} wm_memtype;

typedef struct wm_globaltype {
    wm_valtype type;
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
    wm_valtype type;
} wm_localrun;

typedef struct wm_func {
    uint32_t type;                 /* Index into wm_module.types. */
    bool imported;
    /* For defined functions, from the code section: */
    const uint8_t *body;           /* Instruction bytes after the locals, final `end` included. */
    uint32_t body_len;
    uint32_t body_offset;          /* Offset of `body` in the module. */
    uint32_t nlocals;              /* Declared locals, parameters excluded. */
    wm_valtype *local_types;       /* nlocals value types. */
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
    bool has_init;                 /* Defined tables: an initial value (0x40 0x00 form). */
    wm_expr init;                  /* What each element starts as, if has_init. */
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
    wm_valtype type;               /* A reference type. */
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
    bool relaxed_simd;             /* The relaxed SIMD instructions (0xFD 0x100 on). */
    bool function_references;      /* Typed references (ref null? ht), call_ref, ... */
    bool exceptions;               /* Tags, throw, try_table, exnref (and the legacy try). */
    bool gc;                       /* Rec groups, sub types, structs, arrays, i31, casts. */
} wm_features;

/* A decoded module. Index spaces (funcs, tables, memories, globals) hold the
 * imports first, then the module's own definitions, as in the spec. */
typedef struct wm_module {
    wm_arena arena;                /* Owns everything below, the bytes included. */
    const uint8_t *bytes;
    size_t size;
    wm_features features;          /* Set by the loader before decoding. */

    wm_functype *types;     uint32_t ntypes;
    /* (ref null $i) and (ref $i) for each type i, as one-element lists
     * (block types, wm_one_type). */
    wm_valtype *ref_types;
    /* The canonical id of each type (wm_type_ids), made on first use. */
    uint32_t *type_ids;
    uint32_t ncanon;        /* How many of the types have their id yet. */
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

/* The canonical id of a function type whose concrete references hold
 * canonical ids already (as wm_type_ids makes them): two types get the same
 * id exactly when they are equal, across modules. Thread-safe. */
uint32_t wx_sig_id(const wm_functype *type);

/* The canonical ids of m's types, made on first use (thread-safe): types
 * equal by structure, in this module or another, have equal ids. The
 * module must have passed the type section's validation rules. NULL when
 * out of memory. */
const uint32_t *wm_type_ids(const wm_module *m);

/* Value type `t` of module `m` with a concrete reference's type index
 * replaced by its canonical id, so that types of two modules compare as
 * words. */
wm_valtype wm_canon_valtype(const wm_module *m, wm_valtype t);

/* Subtyping of canonical value types (wm_canon_valtype), whose concrete
 * references are equal exactly when their ids are: the declared supertypes
 * and the abstract hierarchy, as wm_subtype. Thread-safe. */
bool vt_canon_subtype(wm_valtype a, wm_valtype b);

/* Whether canonical type id `a` is `b` or below it by declared supertypes
 * (a function of type a may be called as a b). Thread-safe. */
bool wx_canon_id_subtype(uint32_t a, uint32_t b);

/* Gives canonical ids to m's types below index `upto`, which must end a
 * recursion group, once the groups up to it have passed validation. The
 * validator calls it group by group, so that a group's checks can compare
 * the types of the groups before it by id. */
void wm_canon_types(wm_module *m, uint32_t upto);

/* The top of the hierarchy heap type of reference `t` belongs to, as a
 * nullable abstract reference code: VT_ANYREF, VT_FUNCREF, VT_EXTERNREF or
 * VT_EXNREF (VT_REF_BOT for the bottom reference). */
uint8_t wm_heap_top(const wm_module *m, wm_valtype t);

/* wm_heap_top of a canonical value type. Thread-safe. */
uint8_t wx_canon_heap_top(wm_valtype t);

/* A value type's name for messages ("i32", "(ref null 3)"): a static
 * string, or one of a few buffers of the calling thread that later calls
 * reuse. VT_UNKNOWN is "unknown". */
const char *wm_type_name(wm_valtype t);

/* Whether value type `a` of module `m` is a subtype of `b`: t <: t; (ref
 * ht) <: (ref null ht); the abstract hierarchy (none <: i31, struct, array
 * <: eq <: any; nofunc <: func; noextern <: extern; noexn <: exn); a
 * concrete type <: its declared supertypes, and a function type <: func, a
 * struct type <: struct, an array type <: array; the bottom reference <:
 * every reference; VT_UNKNOWN (an operand of unreachable code) matches
 * everything. Concrete types are equal when their canonical ids are (while
 * the type section is validated, a type of the group being checked equals
 * only itself). */
bool wm_subtype(const wm_module *m, wm_valtype a, wm_valtype b);

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
