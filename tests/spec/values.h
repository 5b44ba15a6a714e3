/* values.h: typed values, expected results and actions as the spec scripts write them. */
#ifndef SPEC_VALUES_H
#define SPEC_VALUES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "json.h"
#include "weft.h"

typedef enum spec_type {
    SPEC_I32,
    SPEC_I64,
    SPEC_F32,
    SPEC_F64,
    SPEC_V128,
    SPEC_FUNCREF,
    SPEC_EXTERNREF,
    SPEC_EXNREF,
    SPEC_ANYREF,          /* Garbage collection's any hierarchy (any, eq, i31, struct, array). */
} spec_type;

/* Which part of the any hierarchy an expected non-null anyref must be in. */
typedef enum spec_heap {
    SPEC_HEAP_ANY,
    SPEC_HEAP_EQ,
    SPEC_HEAP_I31,
    SPEC_HEAP_STRUCT,
    SPEC_HEAP_ARRAY,
} spec_heap;

/* How the lanes of a v128 constant are written ("lane_type" in the JSON). */
typedef enum spec_lane {
    SPEC_LANE_NONE,
    SPEC_LANE_I8,
    SPEC_LANE_I16,
    SPEC_LANE_I32,
    SPEC_LANE_I64,
    SPEC_LANE_F32,
    SPEC_LANE_F64,
} spec_lane;

/* An expected float may be a NaN pattern instead of exact bits. */
typedef enum spec_nan {
    SPEC_NAN_NONE,        /* Compare the bits exactly. */
    SPEC_NAN_CANONICAL,   /* Any canonical NaN: payload exactly the quiet bit, either sign. */
    SPEC_NAN_ARITHMETIC,  /* Any arithmetic NaN: quiet bit set, any payload, either sign. */
} spec_nan;

/* What a reference value holds. */
typedef enum spec_ref {
    SPEC_REF_NULL,        /* ref.null. */
    SPEC_REF_HOST,        /* A host value (ref.extern N) or function reference N. */
    SPEC_REF_ANY,         /* Expected results only: any non-null reference. */
} spec_ref;

/* One argument or expected result. Floats are held as their bits; a v128 is
 * held as 16 little-endian bytes whatever its lane type. */
typedef struct spec_value {
    spec_type type;
    spec_lane lane;       /* SPEC_V128 only. */
    union {
        uint32_t i32;
        uint64_t i64;
        uint32_t f32;
        uint64_t f64;
        uint8_t v128[16];
        uint64_t ref;     /* The host value of SPEC_REF_HOST. */
    } as;
    spec_ref ref;         /* The references only. */
    spec_heap heap;       /* SPEC_ANYREF only. */
    bool any_null;        /* Expected results only: the null of any reference type. */
    spec_nan nan[4];      /* Scalars use nan[0]; f32x4/f64x2 lanes use one each. */
} spec_value;

/* Where an action goes: a function call or a global read. */
typedef enum spec_action_kind {
    SPEC_ACTION_INVOKE,
    SPEC_ACTION_GET,
} spec_action_kind;

/* An "action" object. `module` is NULL for the current module; `field` may
 * hold NUL bytes, so its length is kept. The strings point into the JSON
 * document and live as long as it does. */
typedef struct spec_action {
    spec_action_kind kind;
    const char *module;
    const char *field;
    size_t field_len;
    spec_value *args;
    size_t arg_count;
} spec_action;

/* Converts a JSON value object ({"type": "i32", "value": "..."}) into a typed
 * value. With `expected`, NaN patterns and value-less references are
 * accepted too. Returns false with a message in `err` on bad input. */
bool spec_value_parse(const json_value *obj, bool expected, spec_value *out, char *err,
                      size_t err_size);

/* Converts a JSON array of value objects; *out is malloc'ed (NULL when the
 * array is empty) and the caller frees it. */
bool spec_values_parse(const json_value *array, bool expected, spec_value **out,
                       size_t *count, char *err, size_t err_size);

/* Reads an "action" object. spec_action_free releases its arguments. */
bool spec_action_parse(const json_value *obj, spec_action *out, char *err, size_t err_size);
void spec_action_free(spec_action *action);

/* Says whether `actual` (a concrete result) satisfies `expected`, honouring
 * NaN patterns and "any non-null reference". */
bool spec_value_matches(const spec_value *expected, const spec_value *actual);

/* Formats a value for messages ("i32:42", "f32:nan:canonical",
 * "v128:i32x4 1 2 3 4") into `buf` and returns `buf`. */
const char *spec_value_format(const spec_value *value, char *buf, size_t size);

/* The script's name of a type ("i32", "funcref", ...). */
const char *spec_type_name(spec_type type);

/* How many lanes a v128 lane type has (0 for SPEC_LANE_NONE). */
int spec_lane_count(spec_lane lane);

/* The script's name of a weft value kind ("i32", "funcref", ...). */
const char *spec_kind_name(weft_valkind kind);

/* The weft value kind of a script type. */
weft_valkind spec_type_kind(spec_type type);

/* Converts a script argument into a weft value. The script's host value
 * `ref.extern N` travels as the pointer N + 1, so that NULL stays the null
 * reference and spec_value_from_weft can recover N. Returns false with a
 * message when the value cannot be passed (a non-null funcref, which a
 * script cannot name). */
bool spec_value_to_weft(const spec_value *value, weft_value *out, char *err, size_t err_size);

/* Converts a weft result back into a script value. `like` (may be NULL) is
 * the expected value, whose v128 lane type is kept for printing. A non-null
 * funcref becomes SPEC_REF_HOST with the handle's address. */
void spec_value_from_weft(const weft_value *value, const spec_value *like, spec_value *out);

#endif
