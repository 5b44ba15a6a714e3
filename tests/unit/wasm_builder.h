/* wasm_builder.h: a tiny assembler of module bytes for the unit tests, so that
 * tests spell out section contents and the builder fills in the sizes. */
#ifndef WEFT_TEST_WASM_BUILDER_H
#define WEFT_TEST_WASM_BUILDER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "weft.h"

/* A byte list as two arguments: pointer and length. */
#define WB_BYTES(...) (const uint8_t[]){ __VA_ARGS__ }, sizeof((const uint8_t[]){ __VA_ARGS__ })
/* The same from a parenthesised list, so one macro can take several lists. */
#define WB_LIST(list) WB_BYTES list

/* Section ids, as the binary format numbers them. */
enum {
    WB_CUSTOM, WB_TYPE, WB_IMPORT, WB_FUNCTION, WB_TABLE, WB_MEMORY, WB_GLOBAL,
    WB_EXPORT, WB_START, WB_ELEMENT, WB_CODE, WB_DATA, WB_DATACOUNT,
};

/* A growing byte buffer. A zeroed one is empty and ready. */
typedef struct wb_buf {
    uint8_t *data;
    size_t len, cap;
} wb_buf;

static inline void wb_put(wb_buf *b, const uint8_t *p, size_t n)
{
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n)
            cap *= 2;
        uint8_t *grown = realloc(b->data, cap);
        if (!grown)
            abort(); /* A test helper: running out of memory ends the test. */
        b->data = grown;
        b->cap = cap;
    }
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
}

static inline void wb_byte(wb_buf *b, uint8_t v) { wb_put(b, &v, 1); }

/* Appends `v` as a minimal unsigned LEB128. */
static inline void wb_uleb(wb_buf *b, uint64_t v)
{
    do {
        uint8_t byte = v & 0x7f;
        v >>= 7;
        wb_byte(b, byte | (v ? 0x80 : 0));
    } while (v);
}

/* Appends `v` as a minimal signed LEB128. */
static inline void wb_sleb(wb_buf *b, int64_t v)
{
    for (;;) {
        uint8_t byte = (uint8_t)v & 0x7f;
        v >>= 7; /* Arithmetic shift: gcc and clang both sign-extend. */
        bool done = (v == 0 && !(byte & 0x40)) || (v == -1 && (byte & 0x40));
        wb_byte(b, byte | (done ? 0 : 0x80));
        if (done)
            return;
    }
}

/* Appends the magic number and version 1. */
static inline void wb_header(wb_buf *b)
{
    wb_put(b, WB_BYTES(0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00));
}

/* Starts a module: a fresh buffer holding the header. */
static inline wb_buf wb_module(void)
{
    wb_buf b = { 0 };
    wb_header(&b);
    return b;
}

/* Appends a section: its id, the size of `content` and the content. */
static inline void wb_section(wb_buf *b, uint8_t id, const uint8_t *content, size_t n)
{
    wb_byte(b, id);
    wb_uleb(b, n);
    wb_put(b, content, n);
}

#define WB_SECTION(b, id, ...) wb_section(b, id, WB_BYTES(__VA_ARGS__))

/* Appends a code section of one function whose entry (local declarations,
 * instructions and final end) is `entry`; the entry's size is filled in. */
static inline void wb_code1(wb_buf *b, const uint8_t *entry, size_t n)
{
    wb_buf c = { 0 };
    wb_byte(&c, 1);
    wb_uleb(&c, n);
    wb_put(&c, entry, n);
    wb_section(b, WB_CODE, c.data, c.len);
    free(c.data);
}

#define WB_CODE1(b, ...) wb_code1(b, WB_BYTES(__VA_ARGS__))

/* Appends one code entry (no locals) of `n` instruction bytes and `end`,
 * for a code section of several functions. */
static inline void wb_body(wb_buf *code, const uint8_t *instrs, size_t n)
{
    wb_uleb(code, n + 2);
    wb_byte(code, 0x00);
    wb_put(code, instrs, n);
    wb_byte(code, 0x0b);
}
#define WB_BODY(code, ...) wb_body(code, WB_BYTES(__VA_ARGS__))

/* Appends an export of function `index` named `name`. */
static inline void wb_export_func(wb_buf *exports, const char *name, uint32_t index)
{
    wb_uleb(exports, strlen(name));
    wb_put(exports, (const uint8_t *)name, strlen(name));
    wb_byte(exports, 0x00);
    wb_uleb(exports, index);
}

/* Appends a custom section named `name` with `content` after the name. */
static inline void wb_custom(wb_buf *b, const char *name, const uint8_t *content, size_t n)
{
    wb_buf c = { 0 };
    size_t len = strlen(name);
    wb_uleb(&c, len);
    wb_put(&c, (const uint8_t *)name, len);
    wb_put(&c, content, n);
    wb_section(b, WB_CUSTOM, c.data, c.len);
    free(c.data);
}

static inline void wb_free(wb_buf *b)
{
    free(b->data);
    *b = (wb_buf){ 0 };
}

/* Loads the buffer's bytes as a module, frees the module if it loaded, frees
 * the buffer, and returns the status; `err` says why it failed. */
static inline weft_status wb_load_with(wb_buf *b, const weft_features *features,
                                       weft_error *err)
{
    weft_module *m = NULL;
    weft_status s = weft_module_load_with(b->data, b->len, features, &m, err);
    weft_module_free(m);
    wb_free(b);
    return s;
}

/* The decoder and validator tests check the rules of WebAssembly 2.0, so
 * wb_load turns off the proposals that change them (multi-memory and
 * memory64); wb_load_with takes any features. */
static inline weft_status wb_load(wb_buf *b, weft_error *err)
{
    weft_features v2 = { .multi_memory = false, .memory64 = false };
    return wb_load_with(b, &v2, err);
}

/* Builds a module of one function: `type` is one function type's encoding
 * (0x60, params vector, results vector) and `entry` the code entry (locals,
 * instructions, end). The function is at index 0 and its entry ends the
 * module. */
static inline wb_buf wb_func_module(const uint8_t *type, size_t tn, const uint8_t *entry,
                                    size_t en)
{
    wb_buf b = wb_module();
    wb_buf t = { 0 };
    wb_byte(&t, 1);
    wb_put(&t, type, tn);
    wb_section(&b, WB_TYPE, t.data, t.len);
    wb_free(&t);
    WB_SECTION(&b, WB_FUNCTION, 0x01, 0x00);
    wb_code1(&b, entry, en);
    return b;
}

/* Loads a module built as by wb_func_module and returns the status. */
static inline weft_status wb_load_func(const uint8_t *type, size_t tn, const uint8_t *entry,
                                       size_t en, weft_error *err)
{
    wb_buf b = wb_func_module(type, tn, entry, en);
    return wb_load(&b, err);
}

/* WB_LOAD_FUNC(&err, (type bytes), (entry bytes)). */
#define WB_LOAD_FUNC(err, type, entry) wb_load_func(WB_LIST(type), WB_LIST(entry), err)

#endif
