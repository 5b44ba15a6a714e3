/* capi_types.c: wasm.h's vectors, value types, extern types and import and
 * export types. These are plain values: each _new or _copy allocates, each
 * _delete frees, and a vector owns its elements. */
#include <stdlib.h>
#include <string.h>

#include "capi.h"

/* ---- Vectors ------------------------------------------------------------------------- */

/* The five functions of a vector of values (byte, val): elements are copied
 * with COPY(dst, src) and released with DROP(elem). */
#define VEC_OF_VALUES(name, COPY, DROP)                                                      \
    void wasm_##name##_vec_new_empty(wasm_##name##_vec_t *out)                                \
    {                                                                                         \
        out->size = 0;                                                                        \
        out->data = NULL;                                                                     \
    }                                                                                         \
    void wasm_##name##_vec_new_uninitialized(wasm_##name##_vec_t *out, size_t size)          \
    {                                                                                         \
        out->data = size ? calloc(size, sizeof *out->data) : NULL;                            \
        out->size = out->data ? size : 0;                                                     \
    }                                                                                         \
    void wasm_##name##_vec_new(wasm_##name##_vec_t *out, size_t size,                         \
                               const wasm_##name##_t data[])                                  \
    {                                                                                         \
        wasm_##name##_vec_new_uninitialized(out, size);                                       \
        if (out->size)                                                                        \
            memcpy(out->data, data, size * sizeof *out->data);                                \
    }                                                                                         \
    void wasm_##name##_vec_copy(wasm_##name##_vec_t *out, const wasm_##name##_vec_t *src)    \
    {                                                                                         \
        wasm_##name##_vec_new_uninitialized(out, src->size);                                  \
        for (size_t i = 0; i < out->size; i++)                                                \
            COPY(&out->data[i], &src->data[i]);                                               \
    }                                                                                         \
    void wasm_##name##_vec_delete(wasm_##name##_vec_t *vec)                                   \
    {                                                                                         \
        for (size_t i = 0; i < vec->size; i++)                                                \
            DROP(&vec->data[i]);                                                              \
        free(vec->data);                                                                      \
        vec->size = 0;                                                                        \
        vec->data = NULL;                                                                     \
    }

/* The same for a vector of owned pointers: wasm_X_copy and wasm_X_delete
 * on each element (NULL elements are allowed and stay NULL). */
#define VEC_OF_POINTERS(name)                                                                 \
    void wasm_##name##_vec_new_empty(wasm_##name##_vec_t *out)                                \
    {                                                                                         \
        out->size = 0;                                                                        \
        out->data = NULL;                                                                     \
    }                                                                                         \
    void wasm_##name##_vec_new_uninitialized(wasm_##name##_vec_t *out, size_t size)          \
    {                                                                                         \
        out->data = size ? calloc(size, sizeof *out->data) : NULL;                            \
        out->size = out->data ? size : 0;                                                     \
    }                                                                                         \
    void wasm_##name##_vec_new(wasm_##name##_vec_t *out, size_t size,                         \
                               wasm_##name##_t *const data[])                                 \
    {                                                                                         \
        wasm_##name##_vec_new_uninitialized(out, size);                                       \
        if (out->size)                                                                        \
            memcpy(out->data, data, size * sizeof *out->data);                                \
    }                                                                                         \
    void wasm_##name##_vec_copy(wasm_##name##_vec_t *out, const wasm_##name##_vec_t *src)    \
    {                                                                                         \
        wasm_##name##_vec_new_uninitialized(out, src->size);                                  \
        for (size_t i = 0; i < out->size; i++)                                                \
            out->data[i] = src->data[i] ? wasm_##name##_copy(src->data[i]) : NULL;            \
    }                                                                                         \
    void wasm_##name##_vec_delete(wasm_##name##_vec_t *vec)                                   \
    {                                                                                         \
        for (size_t i = 0; i < vec->size; i++)                                                \
            if (vec->data[i])                                                                 \
                wasm_##name##_delete(vec->data[i]);                                           \
        free(vec->data);                                                                      \
        vec->size = 0;                                                                        \
        vec->data = NULL;                                                                     \
    }

#define COPY_BYTE(dst, src) (*(dst) = *(src))
#define DROP_NOTHING(elem) ((void)(elem))
VEC_OF_VALUES(byte, COPY_BYTE, DROP_NOTHING)
VEC_OF_VALUES(val, wasm_val_copy, wasm_val_delete)

VEC_OF_POINTERS(valtype)
VEC_OF_POINTERS(functype)
VEC_OF_POINTERS(globaltype)
VEC_OF_POINTERS(tabletype)
VEC_OF_POINTERS(memorytype)
VEC_OF_POINTERS(externtype)
VEC_OF_POINTERS(importtype)
VEC_OF_POINTERS(exporttype)
VEC_OF_POINTERS(frame)
VEC_OF_POINTERS(extern)

/* ---- Value types ------------------------------------------------------------------------ */

struct wasm_valtype_t { wasm_valkind_t kind; };

wasm_valtype_t *wasm_valtype_new(wasm_valkind_t kind)
{
    wasm_valtype_t *t = malloc(sizeof *t);
    if (t)
        t->kind = kind;
    return t;
}

wasm_valkind_t wasm_valtype_kind(const wasm_valtype_t *type) { return type->kind; }
wasm_valtype_t *wasm_valtype_copy(const wasm_valtype_t *type) { return wasm_valtype_new(type->kind); }
void wasm_valtype_delete(wasm_valtype_t *type) { free(type); }

/* ---- Extern types ------------------------------------------------------------------------ */

/* Each extern type starts with its kind, so wasm_externtype_t is the common
 * head and the conversions are casts checked by kind. */
struct wasm_externtype_t { wasm_externkind_t kind; };

struct wasm_functype_t {
    wasm_externtype_t head;
    wasm_valtype_vec_t params, results;
};

struct wasm_globaltype_t {
    wasm_externtype_t head;
    wasm_valtype_t *content;
    wasm_mutability_t mutability;
};

struct wasm_tabletype_t {
    wasm_externtype_t head;
    wasm_valtype_t *element;
    wasm_limits_t limits;
};

struct wasm_memorytype_t {
    wasm_externtype_t head;
    wasm_limits_t limits;
};

wasm_functype_t *wasm_functype_new(wasm_valtype_vec_t *params, wasm_valtype_vec_t *results)
{
    wasm_functype_t *t = malloc(sizeof *t);
    if (!t) {
        wasm_valtype_vec_delete(params);
        wasm_valtype_vec_delete(results);
        return NULL;
    }
    t->head.kind = WASM_EXTERN_FUNC;
    t->params = *params;
    t->results = *results;
    /* The vectors now belong to the type. */
    wasm_valtype_vec_new_empty(params);
    wasm_valtype_vec_new_empty(results);
    return t;
}

const wasm_valtype_vec_t *wasm_functype_params(const wasm_functype_t *t) { return &t->params; }
const wasm_valtype_vec_t *wasm_functype_results(const wasm_functype_t *t) { return &t->results; }

wasm_functype_t *wasm_functype_copy(const wasm_functype_t *t)
{
    wasm_valtype_vec_t params, results;
    wasm_valtype_vec_copy(&params, &t->params);
    wasm_valtype_vec_copy(&results, &t->results);
    return wasm_functype_new(&params, &results);
}

void wasm_functype_delete(wasm_functype_t *t)
{
    if (!t)
        return;
    wasm_valtype_vec_delete(&t->params);
    wasm_valtype_vec_delete(&t->results);
    free(t);
}

wasm_globaltype_t *wasm_globaltype_new(wasm_valtype_t *content, wasm_mutability_t mutability)
{
    wasm_globaltype_t *t = malloc(sizeof *t);
    if (!t) {
        wasm_valtype_delete(content);
        return NULL;
    }
    *t = (wasm_globaltype_t){ { WASM_EXTERN_GLOBAL }, content, mutability };
    return t;
}

const wasm_valtype_t *wasm_globaltype_content(const wasm_globaltype_t *t) { return t->content; }
wasm_mutability_t wasm_globaltype_mutability(const wasm_globaltype_t *t) { return t->mutability; }

wasm_globaltype_t *wasm_globaltype_copy(const wasm_globaltype_t *t)
{
    return wasm_globaltype_new(wasm_valtype_copy(t->content), t->mutability);
}

void wasm_globaltype_delete(wasm_globaltype_t *t)
{
    if (!t)
        return;
    wasm_valtype_delete(t->content);
    free(t);
}

wasm_tabletype_t *wasm_tabletype_new(wasm_valtype_t *element, const wasm_limits_t *limits)
{
    wasm_tabletype_t *t = malloc(sizeof *t);
    if (!t) {
        wasm_valtype_delete(element);
        return NULL;
    }
    *t = (wasm_tabletype_t){ { WASM_EXTERN_TABLE }, element, *limits };
    return t;
}

const wasm_valtype_t *wasm_tabletype_element(const wasm_tabletype_t *t) { return t->element; }
const wasm_limits_t *wasm_tabletype_limits(const wasm_tabletype_t *t) { return &t->limits; }

wasm_tabletype_t *wasm_tabletype_copy(const wasm_tabletype_t *t)
{
    return wasm_tabletype_new(wasm_valtype_copy(t->element), &t->limits);
}

void wasm_tabletype_delete(wasm_tabletype_t *t)
{
    if (!t)
        return;
    wasm_valtype_delete(t->element);
    free(t);
}

wasm_memorytype_t *wasm_memorytype_new(const wasm_limits_t *limits)
{
    wasm_memorytype_t *t = malloc(sizeof *t);
    if (t)
        *t = (wasm_memorytype_t){ { WASM_EXTERN_MEMORY }, *limits };
    return t;
}

const wasm_limits_t *wasm_memorytype_limits(const wasm_memorytype_t *t) { return &t->limits; }

wasm_memorytype_t *wasm_memorytype_copy(const wasm_memorytype_t *t)
{
    return wasm_memorytype_new(&t->limits);
}

void wasm_memorytype_delete(wasm_memorytype_t *t) { free(t); }

wasm_externkind_t wasm_externtype_kind(const wasm_externtype_t *t) { return t->kind; }

/* The conversions between an extern type and the type of one kind: up is
 * a cast, down checks the kind and is NULL for another. */
#define EXTERNTYPE_CASTS(name, KIND)                                                          \
    wasm_externtype_t *wasm_##name##_as_externtype(wasm_##name##_t *t)                        \
    {                                                                                         \
        return t ? &t->head : NULL;                                                           \
    }                                                                                         \
    const wasm_externtype_t *wasm_##name##_as_externtype_const(const wasm_##name##_t *t)     \
    {                                                                                         \
        return t ? &t->head : NULL;                                                           \
    }                                                                                         \
    wasm_##name##_t *wasm_externtype_as_##name(wasm_externtype_t *t)                          \
    {                                                                                         \
        return t && t->kind == KIND ? (wasm_##name##_t *)t : NULL;                            \
    }                                                                                         \
    const wasm_##name##_t *wasm_externtype_as_##name##_const(const wasm_externtype_t *t)     \
    {                                                                                         \
        return t && t->kind == KIND ? (const wasm_##name##_t *)t : NULL;                      \
    }

EXTERNTYPE_CASTS(functype, WASM_EXTERN_FUNC)
EXTERNTYPE_CASTS(globaltype, WASM_EXTERN_GLOBAL)
EXTERNTYPE_CASTS(tabletype, WASM_EXTERN_TABLE)
EXTERNTYPE_CASTS(memorytype, WASM_EXTERN_MEMORY)

wasm_externtype_t *wasm_externtype_copy(const wasm_externtype_t *t)
{
    switch (t->kind) {
    case WASM_EXTERN_FUNC: return &wasm_functype_copy((const wasm_functype_t *)t)->head;
    case WASM_EXTERN_GLOBAL: return &wasm_globaltype_copy((const wasm_globaltype_t *)t)->head;
    case WASM_EXTERN_TABLE: return &wasm_tabletype_copy((const wasm_tabletype_t *)t)->head;
    case WASM_EXTERN_MEMORY: return &wasm_memorytype_copy((const wasm_memorytype_t *)t)->head;
    }
    return NULL;
}

void wasm_externtype_delete(wasm_externtype_t *t)
{
    if (!t)
        return;
    switch (t->kind) {
    case WASM_EXTERN_FUNC: wasm_functype_delete((wasm_functype_t *)t); break;
    case WASM_EXTERN_GLOBAL: wasm_globaltype_delete((wasm_globaltype_t *)t); break;
    case WASM_EXTERN_TABLE: wasm_tabletype_delete((wasm_tabletype_t *)t); break;
    case WASM_EXTERN_MEMORY: wasm_memorytype_delete((wasm_memorytype_t *)t); break;
    }
}

/* ---- Import and export types ------------------------------------------------------------ */

struct wasm_importtype_t {
    wasm_name_t module, name;
    wasm_externtype_t *type;
};

struct wasm_exporttype_t {
    wasm_name_t name;
    wasm_externtype_t *type;
};

wasm_importtype_t *wasm_importtype_new(wasm_name_t *module, wasm_name_t *name,
                                       wasm_externtype_t *type)
{
    wasm_importtype_t *t = malloc(sizeof *t);
    if (!t) {
        wasm_name_delete(module);
        wasm_name_delete(name);
        wasm_externtype_delete(type);
        return NULL;
    }
    *t = (wasm_importtype_t){ *module, *name, type };
    wasm_name_new_empty(module);
    wasm_name_new_empty(name);
    return t;
}

const wasm_name_t *wasm_importtype_module(const wasm_importtype_t *t) { return &t->module; }
const wasm_name_t *wasm_importtype_name(const wasm_importtype_t *t) { return &t->name; }
const wasm_externtype_t *wasm_importtype_type(const wasm_importtype_t *t) { return t->type; }

wasm_importtype_t *wasm_importtype_copy(const wasm_importtype_t *t)
{
    wasm_name_t module, name;
    wasm_name_copy(&module, &t->module);
    wasm_name_copy(&name, &t->name);
    return wasm_importtype_new(&module, &name, wasm_externtype_copy(t->type));
}

void wasm_importtype_delete(wasm_importtype_t *t)
{
    if (!t)
        return;
    wasm_name_delete(&t->module);
    wasm_name_delete(&t->name);
    wasm_externtype_delete(t->type);
    free(t);
}

wasm_exporttype_t *wasm_exporttype_new(wasm_name_t *name, wasm_externtype_t *type)
{
    wasm_exporttype_t *t = malloc(sizeof *t);
    if (!t) {
        wasm_name_delete(name);
        wasm_externtype_delete(type);
        return NULL;
    }
    *t = (wasm_exporttype_t){ *name, type };
    wasm_name_new_empty(name);
    return t;
}

const wasm_name_t *wasm_exporttype_name(const wasm_exporttype_t *t) { return &t->name; }
const wasm_externtype_t *wasm_exporttype_type(const wasm_exporttype_t *t) { return t->type; }

wasm_exporttype_t *wasm_exporttype_copy(const wasm_exporttype_t *t)
{
    wasm_name_t name;
    wasm_name_copy(&name, &t->name);
    return wasm_exporttype_new(&name, wasm_externtype_copy(t->type));
}

void wasm_exporttype_delete(wasm_exporttype_t *t)
{
    if (!t)
        return;
    wasm_name_delete(&t->name);
    wasm_externtype_delete(t->type);
    free(t);
}
