/* test_reader.c: unit tests of the byte reader (LEB128, fixed-width, names, UTF-8). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reader.h"

/* A byte list as two arguments: pointer and length. */
#define B(...) (const uint8_t[]){ __VA_ARGS__ }, sizeof((const uint8_t[]){ __VA_ARGS__ })

enum kind { K_U32, K_U64, K_S32, K_S33, K_S64, K_FIXED32, K_FIXED64 };

static const char *kind_name(enum kind k)
{
    static const char *const names[] = { "u32", "u64", "s32", "s33", "s64", "fixed32", "fixed64" };
    return names[k];
}

/* The outcome of one read: whether it succeeded, the value (signed kinds
 * sign-extended into 64 bits), how many bytes it consumed and the error. */
typedef struct outcome {
    bool ok;
    uint64_t value;
    size_t used;
    weft_error err;
} outcome;

/* Reads one value of `kind` from a heap copy of exactly `n` bytes (so that
 * AddressSanitizer catches any read past them), preceded by `lead` bytes of
 * padding so that offsets are measured from the module's start. */
static outcome read_one(enum kind kind, const uint8_t *bytes, size_t n, size_t lead)
{
    uint8_t *buf = malloc(lead + n + 1);
    cr_assert_not_null(buf);
    memset(buf, 0xee, lead);
    if (n)
        memcpy(buf + lead, bytes, n);
    outcome o = { 0 };
    o.err = (weft_error){ .status = WEFT_OK, .section = -1, .func = -1, .offset = -1 };
    wr_reader r = wr_init(buf, buf + lead, buf + lead + n, &o.err);
    switch (kind) {
    case K_U32: {
        uint32_t v = 0;
        o.ok = wr_u32(&r, &v);
        o.value = v;
        break;
    }
    case K_U64:
        o.ok = wr_u64(&r, &o.value);
        break;
    case K_S32: {
        int32_t v = 0;
        o.ok = wr_s32(&r, &v);
        o.value = (uint64_t)(int64_t)v;
        break;
    }
    case K_S33: {
        int64_t v = 0;
        o.ok = wr_s33(&r, &v);
        o.value = (uint64_t)v;
        break;
    }
    case K_S64: {
        int64_t v = 0;
        o.ok = wr_s64(&r, &v);
        o.value = (uint64_t)v;
        break;
    }
    case K_FIXED32: {
        uint32_t v = 0;
        o.ok = wr_fixed32(&r, &v);
        o.value = v;
        break;
    }
    case K_FIXED64:
        o.ok = wr_fixed64(&r, &o.value);
        break;
    }
    o.used = (size_t)(r.p - (buf + lead));
    free(buf);
    return o;
}

/* Checks that `bytes` decode to `expect` consuming all `n` bytes, that a
 * following byte is left alone, and that every proper prefix of them fails
 * with "unexpected end" at an offset inside the buffer. */
static void check_ok(enum kind kind, const uint8_t *bytes, size_t n, uint64_t expect)
{
    uint8_t *more = malloc(n + 1);
    cr_assert_not_null(more);
    memcpy(more, bytes, n);
    more[n] = 0x01; /* A trailing byte that must not be consumed. */
    outcome o = read_one(kind, more, n + 1, 3);
    free(more);
    cr_assert(o.ok, "%s read of %zu bytes failed: %s", kind_name(kind), n, o.err.message);
    cr_assert_eq(o.value, expect, "%s: got 0x%llx, expected 0x%llx", kind_name(kind),
                 (unsigned long long)o.value, (unsigned long long)expect);
    cr_assert_eq(o.used, n, "%s: consumed %zu bytes, expected %zu", kind_name(kind), o.used, n);
    for (size_t cut = 0; cut < n; cut++) {
        outcome t = read_one(kind, bytes, cut, 3);
        cr_assert(!t.ok, "%s: prefix of %zu of %zu bytes accepted", kind_name(kind), cut, n);
        cr_assert_eq(t.err.status, WEFT_ERR_MALFORMED);
        cr_assert_str_eq(t.err.message, "unexpected end", "%s prefix %zu", kind_name(kind), cut);
        cr_assert(t.err.offset >= 3 && t.err.offset <= (int64_t)(3 + cut),
                  "%s prefix %zu: offset %lld outside the input", kind_name(kind), cut,
                  (long long)t.err.offset);
    }
}

/* Checks that `bytes` are rejected as malformed with message `msg`, at an
 * offset inside the input, without reading past it. */
static void check_bad(enum kind kind, const uint8_t *bytes, size_t n, const char *msg)
{
    outcome o = read_one(kind, bytes, n, 5);
    cr_assert(!o.ok, "%s: malformed input of %zu bytes accepted as 0x%llx", kind_name(kind), n,
              (unsigned long long)o.value);
    cr_assert_eq(o.err.status, WEFT_ERR_MALFORMED);
    cr_assert_str_eq(o.err.message, msg, "%s", kind_name(kind));
    cr_assert(o.err.offset >= 5 && o.err.offset <= (int64_t)(5 + n), "offset %lld",
              (long long)o.err.offset);
}

#define OK(kind, expect, ...) check_ok(kind, B(__VA_ARGS__), (uint64_t)(expect))
#define BAD(kind, msg, ...) check_bad(kind, B(__VA_ARGS__), msg)
#define TOO_LONG "integer representation too long"
#define TOO_LARGE "integer too large"

Test(reader_u32, small_values)
{
    OK(K_U32, 0, 0x00);
    OK(K_U32, 1, 0x01);
    OK(K_U32, 127, 0x7f);
    OK(K_U32, 128, 0x80, 0x01);
    OK(K_U32, 624485, 0xe5, 0x8e, 0x26);
    OK(K_U32, 0x3fff, 0xff, 0x7f);
}

Test(reader_u32, maximum)
{
    OK(K_U32, UINT32_MAX, 0xff, 0xff, 0xff, 0xff, 0x0f);
    OK(K_U32, 0x80000000u, 0x80, 0x80, 0x80, 0x80, 0x08);
}

Test(reader_u32, padded_forms_accepted)
{
    OK(K_U32, 0, 0x80, 0x00);
    OK(K_U32, 0, 0x80, 0x80, 0x80, 0x80, 0x00);
    OK(K_U32, 3, 0x83, 0x80, 0x80, 0x80, 0x00);
    OK(K_U32, 127, 0xff, 0x80, 0x80, 0x80, 0x00);
}

Test(reader_u32, six_bytes_too_long)
{
    BAD(K_U32, TOO_LONG, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00);
    BAD(K_U32, TOO_LONG, 0xff, 0xff, 0xff, 0xff, 0x8f, 0x00);
    /* The fifth byte alone with its continuation bit is already too long. */
    BAD(K_U32, TOO_LONG, 0x80, 0x80, 0x80, 0x80, 0x80);
}

Test(reader_u32, unused_bits_too_large)
{
    BAD(K_U32, TOO_LARGE, 0xff, 0xff, 0xff, 0xff, 0x1f);
    BAD(K_U32, TOO_LARGE, 0x80, 0x80, 0x80, 0x80, 0x10);
    BAD(K_U32, TOO_LARGE, 0x80, 0x80, 0x80, 0x80, 0x40);
    BAD(K_U32, TOO_LARGE, 0xff, 0xff, 0xff, 0xff, 0x7f);
    BAD(K_U32, TOO_LARGE, 0x82, 0x80, 0x80, 0x80, 0x70);
}

Test(reader_u32, truncated)
{
    check_bad(K_U32, NULL, 0, "unexpected end");
    BAD(K_U32, "unexpected end", 0x80);
    BAD(K_U32, "unexpected end", 0xff, 0xff, 0xff, 0xff);
}

Test(reader_s32, small_values)
{
    OK(K_S32, 0, 0x00);
    OK(K_S32, 1, 0x01);
    OK(K_S32, 63, 0x3f);
    OK(K_S32, -1, 0x7f);
    OK(K_S32, -64, 0x40);
    OK(K_S32, 64, 0xc0, 0x00);
    OK(K_S32, -65, 0xbf, 0x7f);
    OK(K_S32, -123456, 0xc0, 0xbb, 0x78);
}

Test(reader_s32, extremes)
{
    OK(K_S32, INT32_MAX, 0xff, 0xff, 0xff, 0xff, 0x07);
    OK(K_S32, INT32_MIN, 0x80, 0x80, 0x80, 0x80, 0x78);
}

Test(reader_s32, padded_forms_accepted)
{
    OK(K_S32, 0, 0x80, 0x80, 0x80, 0x80, 0x00);
    OK(K_S32, -1, 0xff, 0xff, 0xff, 0xff, 0x7f);
    OK(K_S32, -1, 0xff, 0x7f);
    OK(K_S32, 0, 0x80, 0x00);
}

Test(reader_s32, bad_sign_extension)
{
    /* In the fifth byte, bits 3..6 must all equal the sign bit (bit 3). */
    BAD(K_S32, TOO_LARGE, 0x80, 0x80, 0x80, 0x80, 0x70);
    BAD(K_S32, TOO_LARGE, 0xff, 0xff, 0xff, 0xff, 0x0f);
    BAD(K_S32, TOO_LARGE, 0x80, 0x80, 0x80, 0x80, 0x08);
    BAD(K_S32, TOO_LARGE, 0xff, 0xff, 0xff, 0xff, 0x4f);
    BAD(K_S32, TOO_LARGE, 0x80, 0x80, 0x80, 0x80, 0x1f);
}

Test(reader_s32, too_long)
{
    BAD(K_S32, TOO_LONG, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00);
    BAD(K_S32, TOO_LONG, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f);
}

Test(reader_s32, truncated)
{
    check_bad(K_S32, NULL, 0, "unexpected end");
    BAD(K_S32, "unexpected end", 0xff);
    BAD(K_S32, "unexpected end", 0x80, 0x80, 0x80, 0x80);
}

Test(reader_s33, block_types)
{
    /* The single-byte block types are negative s33 values. */
    OK(K_S33, -64, 0x40);  /* Empty block type. */
    OK(K_S33, -1, 0x7f);   /* i32. */
    OK(K_S33, -4, 0x7c);   /* f64. */
    OK(K_S33, -16, 0x70);  /* funcref. */
    OK(K_S33, 0, 0x00);    /* Type index 0. */
    OK(K_S33, 63, 0x3f);
    OK(K_S33, 64, 0xc0, 0x00);
}

Test(reader_s33, extremes)
{
    OK(K_S33, 0xffffffffll, 0xff, 0xff, 0xff, 0xff, 0x0f);
    OK(K_S33, -0x100000000ll, 0x80, 0x80, 0x80, 0x80, 0x70);
    OK(K_S33, INT32_MAX, 0xff, 0xff, 0xff, 0xff, 0x07);
    OK(K_S33, 0, 0x80, 0x80, 0x80, 0x80, 0x00);
    OK(K_S33, -1, 0xff, 0xff, 0xff, 0xff, 0x7f);
}

Test(reader_s33, bad_encodings)
{
    /* In the fifth byte, bits 4..6 must all equal the sign bit (bit 4). */
    BAD(K_S33, TOO_LARGE, 0x80, 0x80, 0x80, 0x80, 0x60);
    BAD(K_S33, TOO_LARGE, 0xff, 0xff, 0xff, 0xff, 0x1f);
    BAD(K_S33, TOO_LARGE, 0x80, 0x80, 0x80, 0x80, 0x20);
    BAD(K_S33, TOO_LONG, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00);
    BAD(K_S33, "unexpected end", 0xc0);
}

Test(reader_s64, small_values)
{
    OK(K_S64, 0, 0x00);
    OK(K_S64, -1, 0x7f);
    OK(K_S64, 64, 0xc0, 0x00);
    OK(K_S64, -64, 0x40);
    OK(K_S64, 0x7fffffffll, 0xff, 0xff, 0xff, 0xff, 0x07);
    OK(K_S64, 0x80000000ll, 0x80, 0x80, 0x80, 0x80, 0x08);
}

Test(reader_s64, extremes)
{
    OK(K_S64, INT64_MAX, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00);
    OK(K_S64, INT64_MIN, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7f);
    OK(K_S64, 0, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00);
    OK(K_S64, -1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f);
    /* 2^62 needs nine bytes, its sign in the ninth byte's bit 6 clear. */
    OK(K_S64, 0x4000000000000000ll, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0xc0, 0x00);
}

Test(reader_s64, bad_tenth_byte)
{
    /* The tenth byte holds only the sign: 0x00 or 0x7f. */
    BAD(K_S64, TOO_LARGE, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01);
    BAD(K_S64, TOO_LARGE, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7e);
    BAD(K_S64, TOO_LARGE, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x40);
    BAD(K_S64, TOO_LARGE, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x3f);
    BAD(K_S64, TOO_LONG, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00);
    BAD(K_S64, TOO_LONG, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f);
}

Test(reader_s64, truncated)
{
    BAD(K_S64, "unexpected end", 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80);
    check_bad(K_S64, NULL, 0, "unexpected end");
}

Test(reader_u64, values)
{
    OK(K_U64, 0, 0x00);
    OK(K_U64, 128, 0x80, 0x01);
    OK(K_U64, 0xffffffffull, 0xff, 0xff, 0xff, 0xff, 0x0f);
    OK(K_U64, 0x100000000ull, 0x80, 0x80, 0x80, 0x80, 0x10);
    OK(K_U64, UINT64_MAX, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01);
    OK(K_U64, 0x8000000000000000ull, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01);
    OK(K_U64, 0, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00);
}

Test(reader_u64, bad_encodings)
{
    BAD(K_U64, TOO_LARGE, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02);
    BAD(K_U64, TOO_LARGE, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7f);
    BAD(K_U64, TOO_LONG, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00);
    BAD(K_U64, "unexpected end", 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff);
}

Test(reader_fixed, little_endian)
{
    OK(K_FIXED32, 0x04030201u, 0x01, 0x02, 0x03, 0x04);
    OK(K_FIXED32, 0x7fc00000u, 0x00, 0x00, 0xc0, 0x7f);
    OK(K_FIXED64, 0x0807060504030201ull, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08);
    OK(K_FIXED64, 0xfff8000000000000ull, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xf8, 0xff);
}

Test(reader_fixed, truncated_moves_to_end)
{
    /* A short fixed-width read fails and leaves the reader at the end. */
    for (size_t n = 0; n < 8; n++) {
        static const uint8_t bytes[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
        if (n < 4) {
            outcome o = read_one(K_FIXED32, bytes, n, 0);
            cr_assert(!o.ok);
            cr_assert_str_eq(o.err.message, "unexpected end");
        }
        outcome o = read_one(K_FIXED64, bytes, n, 0);
        cr_assert(!o.ok);
        cr_assert_str_eq(o.err.message, "unexpected end");
        cr_assert_eq(o.used, n);
    }
}

Test(reader, u8_and_bytes)
{
    static const uint8_t buf[] = { 0xaa, 0xbb, 0xcc };
    weft_error err = { 0 };
    wr_reader r = wr_init(buf, buf, buf + sizeof buf, &err);
    uint8_t b;
    const uint8_t *p;
    cr_assert(wr_u8(&r, &b));
    cr_assert_eq(b, 0xaa);
    cr_assert_eq(wr_offset(&r), 1);
    cr_assert_eq(wr_left(&r), 2);
    cr_assert(!wr_bytes(&r, 3, &p));
    cr_assert_str_eq(err.message, "unexpected end");
    cr_assert_eq(wr_offset(&r), 1, "a failed wr_bytes must not move the reader");
    cr_assert(!wr_bytes(&r, SIZE_MAX, &p));
    cr_assert(wr_bytes(&r, 2, &p));
    cr_assert_eq(p, buf + 1);
    cr_assert(wr_eof(&r));
    cr_assert(!wr_u8(&r, &b));
    cr_assert_eq(err.status, WEFT_ERR_MALFORMED);
    cr_assert_eq(err.offset, 3);
}

Test(reader, error_carries_section_and_function)
{
    static const uint8_t buf[] = { 0x00, 0x00, 0xff, 0xff };
    weft_error err = { 0 };
    wr_reader r = wr_init(buf, buf + 2, buf + sizeof buf, &err);
    r.section = 10;
    r.func = 7;
    uint32_t v;
    cr_assert(!wr_u32(&r, &v));
    cr_assert_eq(err.status, WEFT_ERR_MALFORMED);
    cr_assert_eq(err.section, 10);
    cr_assert_eq(err.func, 7);
    cr_assert_eq(err.offset, 4);
    cr_assert_str_eq(err.message, "unexpected end");
}

Test(reader, error_status_and_null_error)
{
    static const uint8_t buf[] = { 0x01 };
    weft_error err = { 0 };
    wr_reader r = wr_init(buf, buf, buf + 1, &err);
    cr_assert(!wr_error_status(&r, WEFT_ERR_LIMIT, "too many %s", "things"));
    cr_assert_eq(err.status, WEFT_ERR_LIMIT);
    cr_assert_str_eq(err.message, "too many things");
    cr_assert_eq(err.offset, 0);
    /* A reader without an error record still fails cleanly. */
    wr_reader quiet = wr_init(buf, buf + 1, buf + 1, NULL);
    uint8_t b;
    cr_assert(!wr_u8(&quiet, &b));
    cr_assert(!wr_error(&quiet, "x"));
}

/* Reads a name from `bytes` (length prefix included). */
static bool read_name(const uint8_t *bytes, size_t n, weft_error *err, const uint8_t **s,
                      uint32_t *len)
{
    uint8_t *buf = malloc(n ? n : 1);
    cr_assert_not_null(buf);
    memcpy(buf, bytes, n);
    *err = (weft_error){ .section = -1, .func = -1, .offset = -1 };
    wr_reader r = wr_init(buf, buf, buf + n, err);
    bool ok = wr_name(&r, s, len);
    if (ok)
        cr_assert_eq(*s, buf + (n - *len), "the name should point into the buffer");
    free(buf);
    return ok;
}

Test(reader_name, valid_names)
{
    weft_error err;
    const uint8_t *s;
    uint32_t len = 99;
    cr_assert(read_name(B(0x00), &err, &s, &len));
    cr_assert_eq(len, 0);
    cr_assert(read_name(B(0x03, 'a', 'b', 'c'), &err, &s, &len));
    cr_assert_eq(len, 3);
    cr_assert(read_name(B(0x04, 0xf0, 0x9f, 0x98, 0x80), &err, &s, &len));
    cr_assert_eq(len, 4);
}

Test(reader_name, bad_names)
{
    weft_error err;
    const uint8_t *s;
    uint32_t len;
    cr_assert(!read_name(B(0x02, 0xc0, 0x80), &err, &s, &len));
    cr_assert_eq(err.status, WEFT_ERR_MALFORMED);
    cr_assert_str_eq(err.message, "malformed UTF-8 encoding");
    cr_assert_eq(err.offset, 1, "the error should point at the name's bytes");
    cr_assert(!read_name(B(0x04, 'a', 'b'), &err, &s, &len));
    cr_assert_str_eq(err.message, "unexpected end");
    cr_assert(!read_name(B(0xff, 0xff, 0xff, 0xff, 0x0f, 'a'), &err, &s, &len));
    cr_assert_str_eq(err.message, "unexpected end");
    cr_assert(!read_name(B(0x80), &err, &s, &len));
    cr_assert_str_eq(err.message, "unexpected end");
}

/* Checks wr_utf8_valid on a heap copy of exactly the given bytes. */
static void check_utf8(const uint8_t *bytes, size_t n, bool expect)
{
    uint8_t *buf = malloc(n ? n : 1);
    cr_assert_not_null(buf);
    memcpy(buf, bytes, n);
    bool got = wr_utf8_valid(buf, n);
    char hex[64] = "";
    for (size_t i = 0; i < n && i < 16; i++)
        snprintf(hex + 3 * i, sizeof hex - 3 * i, "%02x ", bytes[i]);
    free(buf);
    cr_assert_eq(got, expect, "utf-8 [%s] should be %s", hex, expect ? "valid" : "invalid");
}

#define UTF8_OK(...) check_utf8(B(__VA_ARGS__), true)
#define UTF8_BAD(...) check_utf8(B(__VA_ARGS__), false)

Test(reader_utf8, valid)
{
    check_utf8((const uint8_t *)"", 0, true);
    UTF8_OK('h', 'e', 'l', 'l', 'o');
    UTF8_OK(0x00);
    UTF8_OK(0x7f);
    UTF8_OK(0xc2, 0x80);             /* U+0080 */
    UTF8_OK(0xdf, 0xbf);             /* U+07FF */
    UTF8_OK(0xe0, 0xa0, 0x80);       /* U+0800 */
    UTF8_OK(0xed, 0x9f, 0xbf);       /* U+D7FF */
    UTF8_OK(0xee, 0x80, 0x80);       /* U+E000 */
    UTF8_OK(0xef, 0xbf, 0xbf);       /* U+FFFF */
    UTF8_OK(0xf0, 0x90, 0x80, 0x80); /* U+10000 */
    UTF8_OK(0xf4, 0x8f, 0xbf, 0xbf); /* U+10FFFF */
    UTF8_OK('a', 0xc3, 0xa9, 'b', 0xe2, 0x82, 0xac, 0xf0, 0x9f, 0x8e, 0x89, 'z');
}

Test(reader_utf8, overlong)
{
    UTF8_BAD(0xc0, 0x80);
    UTF8_BAD(0xc1, 0xbf);
    UTF8_BAD(0xe0, 0x80, 0x80);
    UTF8_BAD(0xe0, 0x9f, 0xbf);
    UTF8_BAD(0xf0, 0x80, 0x80, 0x80);
    UTF8_BAD(0xf0, 0x8f, 0xbf, 0xbf);
}

Test(reader_utf8, surrogates_and_range)
{
    UTF8_BAD(0xed, 0xa0, 0x80);       /* U+D800 */
    UTF8_BAD(0xed, 0xad, 0xbf);       /* U+DB7F */
    UTF8_BAD(0xed, 0xbf, 0xbf);       /* U+DFFF */
    UTF8_BAD(0xf4, 0x90, 0x80, 0x80); /* U+110000 */
    UTF8_BAD(0xf7, 0xbf, 0xbf, 0xbf); /* U+1FFFFF */
    UTF8_BAD(0xf5, 0x80, 0x80, 0x80);
    UTF8_BAD(0xf8, 0x88, 0x80, 0x80, 0x80);       /* Five-byte form. */
    UTF8_BAD(0xfc, 0x84, 0x80, 0x80, 0x80, 0x80); /* Six-byte form. */
    UTF8_BAD(0xfe);
    UTF8_BAD(0xff);
}

Test(reader_utf8, truncated_sequences)
{
    UTF8_BAD(0xc2);
    UTF8_BAD(0xe0, 0xa0);
    UTF8_BAD(0xe2);
    UTF8_BAD(0xf0, 0x90, 0x80);
    UTF8_BAD(0xf0);
    UTF8_BAD('a', 'b', 0xe2, 0x82);
}

Test(reader_utf8, bad_continuations)
{
    UTF8_BAD(0x80);
    UTF8_BAD(0xbf);
    UTF8_BAD('a', 0x80, 'b');
    UTF8_BAD(0xc2, 0x80, 0x80);
    UTF8_BAD(0xc2, 0x41);
    UTF8_BAD(0xc2, 0xc2, 0x80);
    UTF8_BAD(0xe0, 0xa0, 0xc0);
    UTF8_BAD(0xe2, 0x28, 0xa1);
    UTF8_BAD(0xf0, 0x90, 0x80, 0x7f);
    UTF8_BAD(0xf0, 0x90, 0x80, 0xc0);
}
