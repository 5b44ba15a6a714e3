/* values.c: reads, compares and prints the values and actions of spec scripts. */
#include "values.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool fail(char *err, size_t err_size, const char *fmt, ...)
{
    if (err && err_size) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, err_size, fmt, ap);
        va_end(ap);
    }
    return false;
}

/* The scripts' value types; the first name of each type is its own, the
 * others its subtypes (a null of the bottom type is the hierarchy's null). */
static const struct {
    const char *name;
    spec_type type;
    spec_heap heap;
} type_names[] = {
    {"i32", SPEC_I32, SPEC_HEAP_ANY},
    {"i64", SPEC_I64, SPEC_HEAP_ANY},
    {"f32", SPEC_F32, SPEC_HEAP_ANY},
    {"f64", SPEC_F64, SPEC_HEAP_ANY},
    {"v128", SPEC_V128, SPEC_HEAP_ANY},
    {"funcref", SPEC_FUNCREF, SPEC_HEAP_ANY},
    {"externref", SPEC_EXTERNREF, SPEC_HEAP_ANY},
    {"exnref", SPEC_EXNREF, SPEC_HEAP_ANY},
    {"anyref", SPEC_ANYREF, SPEC_HEAP_ANY},
    {"nullfuncref", SPEC_FUNCREF, SPEC_HEAP_ANY},
    {"nullexternref", SPEC_EXTERNREF, SPEC_HEAP_ANY},
    {"nullexnref", SPEC_EXNREF, SPEC_HEAP_ANY},
    {"nullref", SPEC_ANYREF, SPEC_HEAP_ANY},
    {"eqref", SPEC_ANYREF, SPEC_HEAP_EQ},
    {"i31ref", SPEC_ANYREF, SPEC_HEAP_I31},
    {"structref", SPEC_ANYREF, SPEC_HEAP_STRUCT},
    {"arrayref", SPEC_ANYREF, SPEC_HEAP_ARRAY},
    {"ref", SPEC_ANYREF, SPEC_HEAP_ANY}, /* (ref.null): the null of any type */
};

static const struct {
    const char *name;
    spec_lane lane;
    int bits;
} lane_names[] = {
    {"i8", SPEC_LANE_I8, 8},    {"i16", SPEC_LANE_I16, 16}, {"i32", SPEC_LANE_I32, 32},
    {"i64", SPEC_LANE_I64, 64}, {"f32", SPEC_LANE_F32, 32}, {"f64", SPEC_LANE_F64, 64},
};

const char *spec_type_name(spec_type type)
{
    for (size_t i = 0; i < sizeof type_names / sizeof type_names[0]; i++)
        if (type_names[i].type == type)
            return type_names[i].name;
    return "?";
}

static int lane_bits(spec_lane lane)
{
    for (size_t i = 0; i < sizeof lane_names / sizeof lane_names[0]; i++)
        if (lane_names[i].lane == lane)
            return lane_names[i].bits;
    return 0;
}

static const char *lane_name(spec_lane lane)
{
    for (size_t i = 0; i < sizeof lane_names / sizeof lane_names[0]; i++)
        if (lane_names[i].lane == lane)
            return lane_names[i].name;
    return "?";
}

int spec_lane_count(spec_lane lane)
{
    int bits = lane_bits(lane);
    return bits ? 128 / bits : 0;
}

static bool lane_is_float(spec_lane lane)
{
    return lane == SPEC_LANE_F32 || lane == SPEC_LANE_F64;
}

/* Parses a decimal integer of `width` bits. wast2json writes unsigned
 * decimals; a leading '-' is accepted too and wraps as two's complement. */
static bool parse_bits(const char *s, int width, uint64_t *out)
{
    bool negative = *s == '-';
    if (negative)
        s++;
    if (!*s)
        return false;
    uint64_t v = 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return false;
        uint64_t d = (uint64_t)(*s - '0');
        if (v > (UINT64_MAX - d) / 10)
            return false;
        v = v * 10 + d;
    }
    uint64_t mask = width == 64 ? UINT64_MAX : ((uint64_t)1 << width) - 1;
    if (negative) {
        if (v > ((uint64_t)1 << (width - 1)))
            return false;
        v = (0 - v) & mask;
    } else if (v > mask) {
        return false;
    }
    *out = v;
    return true;
}

static spec_nan nan_pattern(const char *s)
{
    if (strcmp(s, "nan:canonical") == 0)
        return SPEC_NAN_CANONICAL;
    if (strcmp(s, "nan:arithmetic") == 0)
        return SPEC_NAN_ARITHMETIC;
    return SPEC_NAN_NONE;
}

/* Numbers may come as JSON strings (wast2json's way) or as JSON numbers. */
static const char *scalar_text(const json_value *v)
{
    if (v && (v->kind == JSON_STRING || v->kind == JSON_NUMBER))
        return v->text;
    return NULL;
}

/* Reads one number or float pattern of `width` bits. `nan` is NULL where a
 * pattern is not allowed. */
static bool parse_number(const json_value *v, int width, spec_nan *nan, uint64_t *out,
                         char *err, size_t err_size)
{
    const char *s = scalar_text(v);
    if (!s)
        return fail(err, err_size, "value is not a string or number");
    if (nan) {
        *nan = nan_pattern(s);
        if (*nan != SPEC_NAN_NONE) {
            *out = 0;
            return true;
        }
    }
    if (!parse_bits(s, width, out))
        return fail(err, err_size, "bad %d-bit value \"%s\"", width, s);
    return true;
}

static void store_le(uint8_t *p, uint64_t v, int bytes)
{
    for (int i = 0; i < bytes; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t load_le(const uint8_t *p, int bytes)
{
    uint64_t v = 0;
    for (int i = 0; i < bytes; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

static bool parse_v128(const json_value *obj, bool expected, spec_value *out, char *err,
                       size_t err_size)
{
    const char *lane = json_get_string(obj, "lane_type");
    if (!lane)
        return fail(err, err_size, "v128 value without a lane_type");
    out->lane = SPEC_LANE_NONE;
    for (size_t i = 0; i < sizeof lane_names / sizeof lane_names[0]; i++)
        if (strcmp(lane, lane_names[i].name) == 0)
            out->lane = lane_names[i].lane;
    if (out->lane == SPEC_LANE_NONE)
        return fail(err, err_size, "unknown lane_type \"%s\"", lane);
    const json_value *lanes = json_get(obj, "value");
    int count = spec_lane_count(out->lane), bits = lane_bits(out->lane);
    if (!lanes || lanes->kind != JSON_ARRAY || lanes->count != (size_t)count)
        return fail(err, err_size, "v128 %s value needs an array of %d lanes", lane, count);
    for (int i = 0; i < count; i++) {
        spec_nan *nan = expected && lane_is_float(out->lane) ? &out->nan[i] : NULL;
        uint64_t v;
        if (!parse_number(lanes->items[i], bits, nan, &v, err, err_size))
            return false;
        store_le(out->as.v128 + i * (bits / 8), v, bits / 8);
    }
    return true;
}

static bool parse_ref(const json_value *obj, bool expected, spec_value *out, char *err,
                      size_t err_size)
{
    const json_value *v = json_get(obj, "value");
    if (!v) {
        if (!expected)
            return fail(err, err_size, "%s argument without a value", spec_type_name(out->type));
        out->ref = SPEC_REF_ANY;
        return true;
    }
    const char *s = scalar_text(v);
    if (s && strcmp(s, "null") == 0) {
        out->ref = SPEC_REF_NULL;
        return true;
    }
    out->ref = SPEC_REF_HOST;
    if (!s || !parse_bits(s, 64, &out->as.ref))
        return fail(err, err_size, "bad %s value", spec_type_name(out->type));
    return true;
}

bool spec_value_parse(const json_value *obj, bool expected, spec_value *out, char *err,
                      size_t err_size)
{
    memset(out, 0, sizeof *out);
    if (!obj || obj->kind != JSON_OBJECT)
        return fail(err, err_size, "value is not an object");
    const char *type = json_get_string(obj, "type");
    if (!type)
        return fail(err, err_size, "value without a type");
    size_t i = 0, n = sizeof type_names / sizeof type_names[0];
    while (i < n && strcmp(type, type_names[i].name) != 0)
        i++;
    if (i == n)
        return fail(err, err_size, "unknown value type \"%s\"", type);
    out->type = type_names[i].type;
    out->heap = type_names[i].heap;
    out->any_null = strcmp(type, "ref") == 0;
    if (out->any_null && !expected)
        return fail(err, err_size, "(ref.null) without a type is no argument");
    const json_value *value = json_get(obj, "value");
    uint64_t bits = 0;
    switch (out->type) {
    case SPEC_I32:
        if (!parse_number(value, 32, NULL, &bits, err, err_size))
            return false;
        out->as.i32 = (uint32_t)bits;
        return true;
    case SPEC_I64:
        return parse_number(value, 64, NULL, &out->as.i64, err, err_size);
    case SPEC_F32:
        if (!parse_number(value, 32, expected ? &out->nan[0] : NULL, &bits, err, err_size))
            return false;
        out->as.f32 = (uint32_t)bits;
        return true;
    case SPEC_F64:
        return parse_number(value, 64, expected ? &out->nan[0] : NULL, &out->as.f64, err,
                            err_size);
    case SPEC_V128:
        return parse_v128(obj, expected, out, err, err_size);
    case SPEC_FUNCREF:
    case SPEC_EXTERNREF:
    case SPEC_EXNREF:
    case SPEC_ANYREF:
        return parse_ref(obj, expected, out, err, err_size);
    }
    return fail(err, err_size, "unknown value type");
}

bool spec_values_parse(const json_value *array, bool expected, spec_value **out,
                       size_t *count, char *err, size_t err_size)
{
    *out = NULL;
    *count = 0;
    if (!array || array->kind != JSON_ARRAY)
        return fail(err, err_size, "expected an array of values");
    if (array->count == 0)
        return true;
    spec_value *values = calloc(array->count, sizeof *values);
    if (!values)
        return fail(err, err_size, "out of memory");
    for (size_t i = 0; i < array->count; i++) {
        char inner[200];
        if (!spec_value_parse(array->items[i], expected, &values[i], inner, sizeof inner)) {
            free(values);
            return fail(err, err_size, "value %zu: %s", i, inner);
        }
    }
    *out = values;
    *count = array->count;
    return true;
}

bool spec_action_parse(const json_value *obj, spec_action *out, char *err, size_t err_size)
{
    memset(out, 0, sizeof *out);
    if (!obj || obj->kind != JSON_OBJECT)
        return fail(err, err_size, "action is missing or not an object");
    const char *type = json_get_string(obj, "type");
    if (type && strcmp(type, "invoke") == 0)
        out->kind = SPEC_ACTION_INVOKE;
    else if (type && strcmp(type, "get") == 0)
        out->kind = SPEC_ACTION_GET;
    else
        return fail(err, err_size, "unknown action type \"%s\"", type ? type : "(none)");
    const json_value *field = json_get(obj, "field");
    if (!field || field->kind != JSON_STRING)
        return fail(err, err_size, "action without a field name");
    out->field = field->text;
    out->field_len = field->len;
    const json_value *module = json_get(obj, "module");
    if (module && module->kind != JSON_STRING)
        return fail(err, err_size, "action module name is not a string");
    out->module = module ? module->text : NULL;
    const json_value *args = json_get(obj, "args");
    if (out->kind == SPEC_ACTION_GET || !args)
        return true;
    return spec_values_parse(args, false, &out->args, &out->arg_count, err, err_size);
}

void spec_action_free(spec_action *action)
{
    free(action->args);
    action->args = NULL;
    action->arg_count = 0;
}

/* Checks a float's bits against an expected value or NaN pattern. */
static bool float_matches(spec_nan nan, uint64_t expected, uint64_t actual, int bits)
{
    uint64_t sign = (uint64_t)1 << (bits - 1);
    uint64_t quiet = bits == 32 ? 0x00400000u : (uint64_t)1 << 51;
    uint64_t exponent = bits == 32 ? 0x7f800000u : (uint64_t)0x7ff << 52;
    uint64_t magnitude = actual & ~sign;
    switch (nan) {
    case SPEC_NAN_CANONICAL:
        return magnitude == (exponent | quiet);
    case SPEC_NAN_ARITHMETIC:
        return (magnitude & (exponent | quiet)) == (exponent | quiet);
    case SPEC_NAN_NONE:
        break;
    }
    return expected == actual;
}

static bool v128_matches(const spec_value *expected, const spec_value *actual)
{
    if (!lane_is_float(expected->lane))
        return memcmp(expected->as.v128, actual->as.v128, 16) == 0;
    int bits = lane_bits(expected->lane), bytes = bits / 8;
    for (int i = 0; i < 128 / bits; i++) {
        uint64_t e = load_le(expected->as.v128 + i * bytes, bytes);
        uint64_t a = load_le(actual->as.v128 + i * bytes, bytes);
        if (!float_matches(expected->nan[i], e, a, bits))
            return false;
    }
    return true;
}

bool spec_value_matches(const spec_value *expected, const spec_value *actual)
{
    if (expected->any_null)
        return actual->type >= SPEC_FUNCREF && actual->ref == SPEC_REF_NULL;
    if (expected->type != actual->type)
        return false;
    switch (expected->type) {
    case SPEC_I32:
        return expected->as.i32 == actual->as.i32;
    case SPEC_I64:
        return expected->as.i64 == actual->as.i64;
    case SPEC_F32:
        return float_matches(expected->nan[0], expected->as.f32, actual->as.f32, 32);
    case SPEC_F64:
        return float_matches(expected->nan[0], expected->as.f64, actual->as.f64, 64);
    case SPEC_V128:
        return v128_matches(expected, actual);
    case SPEC_FUNCREF:
    case SPEC_EXTERNREF:
    case SPEC_EXNREF:
    case SPEC_ANYREF:
        if (expected->ref == SPEC_REF_ANY && expected->type == SPEC_ANYREF &&
            actual->ref != SPEC_REF_NULL) {
            /* What the anyref holds (spec_value_from_weft); a host value
             * is of none of eq's types. */
            if (expected->heap == SPEC_HEAP_EQ)
                return actual->heap != SPEC_HEAP_ANY;
            return expected->heap == SPEC_HEAP_ANY || expected->heap == actual->heap;
        }
        if (expected->type == SPEC_ANYREF && expected->ref == SPEC_REF_HOST &&
            actual->ref == SPEC_REF_HOST && actual->heap != SPEC_HEAP_ANY)
            return false;
        if (expected->ref == SPEC_REF_ANY)
            return actual->ref != SPEC_REF_NULL;
        if (expected->ref == SPEC_REF_NULL || actual->ref == SPEC_REF_NULL)
            return expected->ref == actual->ref;
        /* Function references carry no comparable identity in the scripts. */
        return expected->type == SPEC_FUNCREF || expected->as.ref == actual->as.ref;
    }
    return false;
}

static const char *nan_name(spec_nan nan)
{
    return nan == SPEC_NAN_CANONICAL ? "nan:canonical" : "nan:arithmetic";
}

static void format_lanes(const spec_value *v, char *buf, size_t size)
{
    int bits = lane_bits(v->lane), bytes = bits / 8;
    size_t n = (size_t)snprintf(buf, size, "v128:%sx%d", lane_name(v->lane), 128 / bits);
    for (int i = 0; i < 128 / bits && n < size; i++) {
        uint64_t lane = load_le(v->as.v128 + i * bytes, bytes);
        if (lane_is_float(v->lane) && v->nan[i] != SPEC_NAN_NONE)
            n += (size_t)snprintf(buf + n, size - n, " %s", nan_name(v->nan[i]));
        else if (lane_is_float(v->lane))
            n += (size_t)snprintf(buf + n, size - n, " 0x%0*" PRIx64, bytes * 2, lane);
        else
            n += (size_t)snprintf(buf + n, size - n, " %" PRIu64, lane);
    }
}

const char *spec_value_format(const spec_value *v, char *buf, size_t size)
{
    if (!size)
        return buf;
    const char *type = spec_type_name(v->type);
    float f;
    double d;
    switch (v->type) {
    case SPEC_I32:
        snprintf(buf, size, "i32:%" PRIu32, v->as.i32);
        break;
    case SPEC_I64:
        snprintf(buf, size, "i64:%" PRIu64, v->as.i64);
        break;
    case SPEC_F32:
        memcpy(&f, &v->as.f32, sizeof f);
        if (v->nan[0] != SPEC_NAN_NONE)
            snprintf(buf, size, "f32:%s", nan_name(v->nan[0]));
        else
            snprintf(buf, size, "f32:0x%08" PRIx32 " (%.9g)", v->as.f32, (double)f);
        break;
    case SPEC_F64:
        memcpy(&d, &v->as.f64, sizeof d);
        if (v->nan[0] != SPEC_NAN_NONE)
            snprintf(buf, size, "f64:%s", nan_name(v->nan[0]));
        else
            snprintf(buf, size, "f64:0x%016" PRIx64 " (%.17g)", v->as.f64, d);
        break;
    case SPEC_V128:
        format_lanes(v, buf, size);
        break;
    case SPEC_FUNCREF:
    case SPEC_EXTERNREF:
    case SPEC_EXNREF:
    case SPEC_ANYREF:
        if (v->ref == SPEC_REF_NULL)
            snprintf(buf, size, "%s:null", type);
        else if (v->ref == SPEC_REF_ANY)
            snprintf(buf, size, "%s:non-null", type);
        else
            snprintf(buf, size, "%s:%" PRIu64, type, v->as.ref);
        break;
    }
    return buf;
}

/* weft_valkind and spec_type list the same kinds; the tables below keep the
 * mapping explicit rather than relying on the order of two enums. */
static const struct {
    weft_valkind kind;
    spec_type type;
} kind_types[] = {
    {WEFT_I32, SPEC_I32},   {WEFT_I64, SPEC_I64},         {WEFT_F32, SPEC_F32},
    {WEFT_F64, SPEC_F64},   {WEFT_V128, SPEC_V128},       {WEFT_FUNCREF, SPEC_FUNCREF},
    {WEFT_EXTERNREF, SPEC_EXTERNREF}, {WEFT_EXNREF, SPEC_EXNREF}, {WEFT_ANYREF, SPEC_ANYREF},
};

#define KIND_TYPE_COUNT (sizeof kind_types / sizeof kind_types[0])

const char *spec_kind_name(weft_valkind kind)
{
    for (size_t i = 0; i < KIND_TYPE_COUNT; i++)
        if (kind_types[i].kind == kind)
            return spec_type_name(kind_types[i].type);
    return "?";
}

weft_valkind spec_type_kind(spec_type type)
{
    for (size_t i = 0; i < KIND_TYPE_COUNT; i++)
        if (kind_types[i].type == type)
            return kind_types[i].kind;
    return WEFT_I32;
}

static spec_type kind_type(weft_valkind kind)
{
    for (size_t i = 0; i < KIND_TYPE_COUNT; i++)
        if (kind_types[i].kind == kind)
            return kind_types[i].type;
    return SPEC_I32;
}

bool spec_value_to_weft(const spec_value *v, weft_value *out, char *err, size_t err_size)
{
    memset(out, 0, sizeof *out);
    out->kind = spec_type_kind(v->type);
    switch (v->type) {
    case SPEC_I32:
        out->of.i32 = (int32_t)v->as.i32;
        return true;
    case SPEC_I64:
        out->of.i64 = (int64_t)v->as.i64;
        return true;
    case SPEC_F32:
        memcpy(&out->of.f32, &v->as.f32, sizeof out->of.f32);
        return true;
    case SPEC_F64:
        memcpy(&out->of.f64, &v->as.f64, sizeof out->of.f64);
        return true;
    case SPEC_V128:
        memcpy(out->of.v128, v->as.v128, 16);
        return true;
    case SPEC_FUNCREF:
    case SPEC_EXTERNREF:
    case SPEC_EXNREF:
    case SPEC_ANYREF:
        if (v->ref == SPEC_REF_NULL)
            return true;
        /* A host value: an externref, or an anyref the caller boxes
         * (weft_anyref_from_host). */
        if ((v->type != SPEC_EXTERNREF && v->type != SPEC_ANYREF) || v->ref != SPEC_REF_HOST)
            return fail(err, err_size, "a non-null %s cannot be passed", spec_type_name(v->type));
        if (v->as.ref >= UINTPTR_MAX)
            return fail(err, err_size, "externref %" PRIu64 " is too large to pass", v->as.ref);
        out->of.ref = (void *)(uintptr_t)(v->as.ref + 1);
        return true;
    }
    return fail(err, err_size, "unknown value type");
}

void spec_value_from_weft(const weft_value *v, const spec_value *like, spec_value *out)
{
    memset(out, 0, sizeof *out);
    out->type = kind_type(v->kind);
    switch (out->type) {
    case SPEC_I32:
        out->as.i32 = (uint32_t)v->of.i32;
        break;
    case SPEC_I64:
        out->as.i64 = (uint64_t)v->of.i64;
        break;
    case SPEC_F32:
        memcpy(&out->as.f32, &v->of.f32, sizeof out->as.f32);
        break;
    case SPEC_F64:
        memcpy(&out->as.f64, &v->of.f64, sizeof out->as.f64);
        break;
    case SPEC_V128:
        memcpy(out->as.v128, v->of.v128, 16);
        out->lane = like && like->type == SPEC_V128 ? like->lane : SPEC_LANE_I32;
        break;
    case SPEC_FUNCREF:
    case SPEC_EXTERNREF:
    case SPEC_EXNREF:
    case SPEC_ANYREF:
        out->ref = v->of.ref ? SPEC_REF_HOST : SPEC_REF_NULL;
        if (v->of.ref)
            out->as.ref = (uint64_t)(uintptr_t)v->of.ref - (out->type == SPEC_EXTERNREF);
        if (out->type == SPEC_ANYREF && v->of.ref) {
            /* What the anyref holds; a host value is numbered as an
             * externref's. */
            void *host;
            switch (weft_anyref_kind_of(v, &host)) {
            case WEFT_ANYREF_I31: out->heap = SPEC_HEAP_I31; break;
            case WEFT_ANYREF_STRUCT: out->heap = SPEC_HEAP_STRUCT; break;
            case WEFT_ANYREF_ARRAY: out->heap = SPEC_HEAP_ARRAY; break;
            default:
                out->heap = SPEC_HEAP_ANY;
                out->as.ref = (uint64_t)(uintptr_t)host - 1;
                break;
            }
        }
        break;
    }
}
