/* reader.c: LEB128, fixed-width and UTF-8 reads for the decoder and validator. */
#include "reader.h"

#include <stdarg.h>
#include <stdio.h>

static bool verror(wr_reader *r, weft_status status, const char *fmt, va_list ap)
{
    weft_error *e = r->err;
    if (!e)
        return false;
    e->status = status;
    e->section = r->section;
    e->func = r->func;
    e->offset = r->p - r->base;
    vsnprintf(e->message, sizeof e->message, fmt, ap);
    return false;
}

bool wr_error(wr_reader *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    verror(r, WEFT_ERR_MALFORMED, fmt, ap);
    va_end(ap);
    return false;
}

bool wr_error_status(wr_reader *r, weft_status status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    verror(r, status, fmt, ap);
    va_end(ap);
    return false;
}

bool wr_u8_slow(wr_reader *r, uint8_t *out)
{
    if (r->p >= r->end)
        return wr_error(r, "unexpected end");
    *out = *r->p++;
    return true;
}

/* Reads an unsigned LEB128 of at most `bits` bits. The last permitted byte
 * may only use the bits that remain, and must not have its continuation bit. */
static bool read_uleb(wr_reader *r, unsigned bits, uint64_t *out)
{
    uint64_t result = 0;
    unsigned shift = 0;
    for (;;) {
        if (r->p >= r->end)
            return wr_error(r, "unexpected end");
        uint8_t b = *r->p++;
        if (shift + 7 >= bits) {
            /* Last byte allowed: continuation forbidden, spare bits zero. */
            if (b & 0x80)
                return wr_error(r, "integer representation too long");
            unsigned used = bits - shift;
            if (used < 7 && (b >> used) != 0)
                return wr_error(r, "integer too large");
            result |= (uint64_t)b << shift;
            break;
        }
        result |= (uint64_t)(b & 0x7f) << shift;
        shift += 7;
        if (!(b & 0x80))
            break;
    }
    *out = result;
    return true;
}

/* Reads a signed LEB128 of at most `bits` bits. In the last permitted byte
 * the unused bits must all equal the sign bit. */
static bool read_sleb(wr_reader *r, unsigned bits, int64_t *out)
{
    uint64_t result = 0;
    unsigned shift = 0;
    uint8_t b;
    for (;;) {
        if (r->p >= r->end)
            return wr_error(r, "unexpected end");
        b = *r->p++;
        if (shift + 7 >= bits) {
            if (b & 0x80)
                return wr_error(r, "integer representation too long");
            unsigned used = bits - shift; /* Value bits in this byte, sign included. */
            if (used < 7) {
                /* Bits from used-1 (the sign) to 6 must be all 0 or all 1. */
                int8_t top = (int8_t)(b << 1) >> (used);
                if (top != 0 && top != -1)
                    return wr_error(r, "integer too large");
            }
            result |= (uint64_t)(b & 0x7f) << shift;
            shift += 7;
            break;
        }
        result |= (uint64_t)(b & 0x7f) << shift;
        shift += 7;
        if (!(b & 0x80))
            break;
    }
    if (shift < 64 && (b & 0x40))
        result |= ~(uint64_t)0 << shift;
    *out = (int64_t)result;
    return true;
}

/* Decodes a well-formed LEB128 of at most `bits` bits (signed or not) at
 * `p`, where at least (bits + 6) / 7 bytes, the most it may take, can be
 * read. Returns its length, or 0 when it is not well formed, for read_uleb
 * or read_sleb to say why. With no end to check after each byte, the
 * compiler unrolls it. The value is what those two would give. */
static inline __attribute__((always_inline)) unsigned
decode_leb(const uint8_t *p, unsigned bits, bool is_signed, uint64_t *out)
{
    unsigned max = (bits + 6) / 7;
    uint64_t result = 0;
    for (unsigned i = 0; i < max; i++) {
        uint8_t b = p[i];
        unsigned shift = 7 * i;
        bool last = i == max - 1;
        if (last) {
            /* As in read_uleb and read_sleb: no continuation, and the bits
             * beyond the `used` value bits zero (unsigned) or all copies of
             * the sign bit (signed). */
            unsigned used = bits - shift;
            if (b & 0x80)
                return 0;
            if (used < 7 && !is_signed && (b >> used) != 0)
                return 0;
            if (used < 7 && is_signed) {
                int8_t top = (int8_t)(uint8_t)(b << 1) >> used;
                if (top != 0 && top != -1)
                    return 0;
            }
        }
        result |= (uint64_t)(b & 0x7f) << shift;
        if (last || !(b & 0x80)) {
            shift += 7;
            if (is_signed && shift < 64 && (b & 0x40))
                result |= ~(uint64_t)0 << shift;
            *out = result;
            return i + 1;
        }
    }
    return 0; /* Not reached: the last byte returns. */
}

/* The longer LEB128 forms: decode_leb when the buffer holds the longest
 * form, else (near the end, or when it is malformed) the careful loop. */
bool wr_u32_slow(wr_reader *r, uint32_t *out)
{
    uint64_t v = 0;
    unsigned n = wr_left(r) >= 5 ? decode_leb(r->p, 32, false, &v) : 0;
    if (n)
        r->p += n;
    else if (!read_uleb(r, 32, &v))
        return false;
    *out = (uint32_t)v;
    return true;
}

bool wr_u64_slow(wr_reader *r, uint64_t *out)
{
    unsigned n = wr_left(r) >= 10 ? decode_leb(r->p, 64, false, out) : 0;
    if (!n)
        return read_uleb(r, 64, out);
    r->p += n;
    return true;
}

/* A signed LEB128 of `bits` bits, decode_leb's way when it can be. */
static inline __attribute__((always_inline)) bool read_sleb_fast(wr_reader *r, unsigned bits,
                                                                 int64_t *out)
{
    uint64_t v;
    unsigned n = wr_left(r) >= (bits + 6) / 7 ? decode_leb(r->p, bits, true, &v) : 0;
    if (!n)
        return read_sleb(r, bits, out);
    r->p += n;
    *out = (int64_t)v;
    return true;
}

bool wr_s32_slow(wr_reader *r, int32_t *out)
{
    int64_t v = 0;
    if (!read_sleb_fast(r, 32, &v))
        return false;
    *out = (int32_t)v;
    return true;
}

bool wr_s33_slow(wr_reader *r, int64_t *out) { return read_sleb_fast(r, 33, out); }

bool wr_s64_slow(wr_reader *r, int64_t *out) { return read_sleb_fast(r, 64, out); }

void wr_fixed_short(wr_reader *r)
{
    r->p = r->end;
    wr_error(r, "unexpected end");
}

bool wr_bytes(wr_reader *r, size_t n, const uint8_t **out)
{
    if (wr_left(r) < n)
        return wr_error(r, "unexpected end");
    *out = r->p;
    r->p += n;
    return true;
}

bool wr_utf8_valid(const uint8_t *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        uint8_t c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        uint32_t cp;
        size_t n;
        if (c >= 0xc2 && c <= 0xdf) {
            n = 2;
            cp = c & 0x1f;
        } else if (c >= 0xe0 && c <= 0xef) {
            n = 3;
            cp = c & 0x0f;
        } else if (c >= 0xf0 && c <= 0xf4) {
            n = 4;
            cp = c & 0x07;
        } else {
            return false; /* Continuation byte, overlong lead (c0, c1) or > f4. */
        }
        if (len - i < n)
            return false;
        for (size_t k = 1; k < n; k++) {
            if ((s[i + k] & 0xc0) != 0x80)
                return false;
            cp = cp << 6 | (s[i + k] & 0x3f);
        }
        if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10ffff ||
            (cp >= 0xd800 && cp <= 0xdfff))
            return false;
        i += n;
    }
    return true;
}

bool wr_name(wr_reader *r, const uint8_t **out, uint32_t *len)
{
    uint32_t n;
    if (!wr_u32(r, &n))
        return false;
    const uint8_t *start = r->p;
    if (!wr_bytes(r, n, out))
        return false;
    if (!wr_utf8_valid(start, n)) {
        r->p = start;
        return wr_error(r, "malformed UTF-8 encoding");
    }
    *len = n;
    return true;
}
