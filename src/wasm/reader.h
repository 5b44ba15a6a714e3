/* reader.h: a bounds-checked cursor over module bytes, with the LEB128 and
 * UTF-8 rules of the binary format. Every read checks the end of the buffer
 * first, so no input can make the decoder read outside it. */
#ifndef WEFT_READER_H
#define WEFT_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "weft.h"

typedef struct wr_reader {
    const uint8_t *base;   /* Start of the whole module: offsets count from here. */
    const uint8_t *p;      /* Next byte to read. */
    const uint8_t *end;    /* One past the last byte this reader may read. */
    weft_error *err;       /* Filled on the first failure. */
    int section;           /* Current section id for error messages, or -1. */
    int64_t func;          /* Current function index for error messages, or -1. */
    bool typed;            /* Value types may be typed references (0x63 / 0x64 ht). */
    bool no_gc;            /* The abstract heap types of GC (any, eq, ...) are malformed. */
} wr_reader;

/* Starts a reader over [p, end) of a module that begins at `base`. */
static inline wr_reader wr_init(const uint8_t *base, const uint8_t *p, const uint8_t *end,
                                weft_error *err)
{
    return (wr_reader){ .base = base, .p = p, .end = end, .err = err, .section = -1, .func = -1 };
}

/* The offset of the next byte within the module. */
static inline uint32_t wr_offset(const wr_reader *r) { return (uint32_t)(r->p - r->base); }

static inline bool wr_eof(const wr_reader *r) { return r->p >= r->end; }

static inline size_t wr_left(const wr_reader *r) { return (size_t)(r->end - r->p); }

/* Records a malformed-module error at the reader's position; returns false. */
bool wr_error(wr_reader *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Records an error of another status at the reader's position; returns false. */
bool wr_error_status(wr_reader *r, weft_status status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The reads below are inline for their common cases (one byte, which most
 * indices, small constants and opcodes are, and for LEB128s two: function
 * indices and constants below 2^13 or 2^14) and call the out-of-line
 * wr_*_slow for the rest, which handles every longer form and every error. */

bool wr_u8_slow(wr_reader *r, uint8_t *out);
bool wr_u32_slow(wr_reader *r, uint32_t *out);
bool wr_u64_slow(wr_reader *r, uint64_t *out);
bool wr_s32_slow(wr_reader *r, int32_t *out);
bool wr_s33_slow(wr_reader *r, int64_t *out);
bool wr_s64_slow(wr_reader *r, int64_t *out);

/* The value of a one-byte signed LEB128 (its continuation bit clear): bit 6
 * is the sign. */
static inline int64_t wr_sleb_byte(uint8_t b) { return (int64_t)(int8_t)(uint8_t)(b << 1) >> 1; }

/* Whether a LEB128 of exactly two bytes is next (the first has its
 * continuation bit set, else the one-byte case would have taken it). Any
 * two-byte LEB128 is a valid u32, s32, u64 or s64. */
static inline bool wr_two_bytes(const wr_reader *r)
{
    return r->end - r->p >= 2 && r->p[1] < 0x80;
}

/* The 14 bits of the two-byte LEB128 next, unsigned. */
static inline uint32_t wr_uleb2(const wr_reader *r)
{
    return (uint32_t)(r->p[0] & 0x7f) | (uint32_t)r->p[1] << 7;
}

/* The same, signed: bit 13 is the sign. */
static inline int64_t wr_sleb2(const wr_reader *r)
{
    return (int64_t)((int32_t)(wr_uleb2(r) << 18) >> 18);
}

static inline bool wr_u8(wr_reader *r, uint8_t *out)
{
    if (__builtin_expect(r->p < r->end, 1)) {
        *out = *r->p++;
        return true;
    }
    return wr_u8_slow(r, out);
}

/* Unsigned LEB128 of at most 32 bits: at most 5 bytes, unused bits zero. */
static inline bool wr_u32(wr_reader *r, uint32_t *out)
{
    if (__builtin_expect(r->p < r->end && *r->p < 0x80, 1)) {
        *out = *r->p++;
        return true;
    }
    if (wr_two_bytes(r)) {
        *out = wr_uleb2(r);
        r->p += 2;
        return true;
    }
    return wr_u32_slow(r, out);
}

/* Unsigned LEB128 of at most 64 bits: at most 10 bytes. */
static inline bool wr_u64(wr_reader *r, uint64_t *out)
{
    if (__builtin_expect(r->p < r->end && *r->p < 0x80, 1)) {
        *out = *r->p++;
        return true;
    }
    return wr_u64_slow(r, out);
}

/* Signed LEB128 of 32 bits: at most 5 bytes, unused bits a sign extension. */
static inline bool wr_s32(wr_reader *r, int32_t *out)
{
    if (__builtin_expect(r->p < r->end && *r->p < 0x80, 1)) {
        *out = (int32_t)wr_sleb_byte(*r->p++);
        return true;
    }
    if (wr_two_bytes(r)) {
        *out = (int32_t)wr_sleb2(r);
        r->p += 2;
        return true;
    }
    return wr_s32_slow(r, out);
}

/* Signed LEB128 of 33 bits (block types): at most 5 bytes. */
static inline bool wr_s33(wr_reader *r, int64_t *out)
{
    if (__builtin_expect(r->p < r->end && *r->p < 0x80, 1)) {
        *out = wr_sleb_byte(*r->p++);
        return true;
    }
    return wr_s33_slow(r, out);
}

/* Signed LEB128 of 64 bits: at most 10 bytes. */
static inline bool wr_s64(wr_reader *r, int64_t *out)
{
    if (__builtin_expect(r->p < r->end && *r->p < 0x80, 1)) {
        *out = wr_sleb_byte(*r->p++);
        return true;
    }
    if (wr_two_bytes(r)) {
        *out = wr_sleb2(r);
        r->p += 2;
        return true;
    }
    return wr_s64_slow(r, out);
}

/* Reports a fixed-width value cut short by the end: the reader moves to the
 * end. */
void wr_fixed_short(wr_reader *r);

/* The little-endian value of the 4 bytes at `p`. */
static inline uint32_t wr_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Little-endian fixed-width values (floats are read as their bits). */
static inline bool wr_fixed32(wr_reader *r, uint32_t *out)
{
    if (wr_left(r) < 4) {
        wr_fixed_short(r);
        return false;
    }
    *out = wr_le32(r->p);
    r->p += 4;
    return true;
}

static inline bool wr_fixed64(wr_reader *r, uint64_t *out)
{
    if (wr_left(r) < 8) {
        wr_fixed_short(r);
        return false;
    }
    *out = (uint64_t)wr_le32(r->p + 4) << 32 | wr_le32(r->p);
    r->p += 8;
    return true;
}

/* `n` raw bytes: *out points into the buffer. */
bool wr_bytes(wr_reader *r, size_t n, const uint8_t **out);
/* A name: u32 length then that many bytes of valid UTF-8. */
bool wr_name(wr_reader *r, const uint8_t **out, uint32_t *len);

/* True when [s, s+len) is valid UTF-8 as the spec defines it (no overlong
 * forms, no surrogates, nothing above U+10FFFF). */
bool wr_utf8_valid(const uint8_t *s, size_t len);

#endif
