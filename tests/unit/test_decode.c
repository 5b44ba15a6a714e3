/* test_decode.c: unit tests of the decoder's malformed-module errors and of
 * well-formed modules it must accept, through weft_module_load. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "wasm_builder.h"

/* True when `message` starts with one of the '|'-separated alternatives in
 * `expect` (the spec's runner also matches messages by prefix). */
static bool message_matches(const char *message, const char *expect)
{
    for (;;) {
        const char *bar = strchr(expect, '|');
        size_t n = bar ? (size_t)(bar - expect) : strlen(expect);
        if (strncmp(message, expect, n) == 0)
            return true;
        if (!bar)
            return false;
        expect = bar + 1;
    }
}

/* Loads the module in `b` (and frees it) expecting a malformed-module error
 * whose message matches `expect`, in section `section` (-2: don't check), at
 * an offset no earlier than `min_offset` and inside the module. */
static void expect_malformed_at(wb_buf *b, const char *expect, int section, int64_t min_offset)
{
    size_t len = b->len;
    weft_error err;
    memset(&err, 0x5a, sizeof err);
    weft_status s = wb_load(b, &err);
    char line[400];
    weft_error_format(&err, line, sizeof line);
    cr_assert_eq(s, WEFT_ERR_MALFORMED, "expected malformed (%s), got %s: %s", expect,
                 weft_status_name(s), s ? line : "(loaded)");
    cr_assert_eq(err.status, s);
    cr_assert(message_matches(err.message, expect), "expected \"%s\", got \"%s\"", expect,
              err.message);
    if (section != -2)
        cr_assert_eq(err.section, section, "expected section %d: %s", section, line);
    cr_assert(err.offset >= min_offset && err.offset <= (int64_t)len,
              "offset %lld outside [%lld, %zu]: %s", (long long)err.offset,
              (long long)min_offset, len, line);
}

static void expect_malformed(wb_buf *b, const char *expect, int section)
{
    expect_malformed_at(b, expect, section, 0);
}

/* Loads raw bytes expecting a malformed-module error. */
static void expect_raw_malformed(const uint8_t *bytes, size_t n, const char *expect)
{
    wb_buf b = { 0 };
    wb_put(&b, bytes, n);
    expect_malformed(&b, expect, -2);
}

#define RAW_MALFORMED(expect, ...) expect_raw_malformed(WB_BYTES(__VA_ARGS__), expect)

static void expect_ok(wb_buf *b)
{
    weft_error err;
    weft_status s = wb_load(b, &err);
    char line[400];
    cr_assert_eq(s, WEFT_OK, "expected the module to load: %s",
                 weft_error_format(&err, line, sizeof line));
}

/* The bytes of the header, for raw modules. */
#define HEADER 0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00
/* A type section holding one type () -> (). */
#define TYPE_VOID 0x01, 0x04, 0x01, 0x60, 0x00, 0x00
/* A function section of one function of type 0. */
#define FUNC_ONE 0x03, 0x02, 0x01, 0x00
/* A code section of one empty function. */
#define CODE_EMPTY 0x0a, 0x04, 0x01, 0x02, 0x00, 0x0b

Test(decode_header, empty_input)
{
    weft_module *m = (weft_module *)1;
    weft_error err;
    cr_assert_eq(weft_module_load((const uint8_t *)"", 0, &m, &err), WEFT_ERR_MALFORMED);
    cr_assert_null(m, "a failed load must set *out to NULL");
    cr_assert(message_matches(err.message, "unexpected end"), "got \"%s\"", err.message);
    cr_assert_eq(err.offset, 0);
    cr_assert_eq(err.section, -1);
    cr_assert_eq(err.func, -1);
}

Test(decode_header, truncated)
{
    RAW_MALFORMED("unexpected end", 0x01);
    RAW_MALFORMED("unexpected end", 0x00, 0x61, 0x73);
    RAW_MALFORMED("unexpected end", 0x00, 0x61, 0x73, 0x6d);
    RAW_MALFORMED("unexpected end", 0x00, 0x61, 0x73, 0x6d, 0x01);
    RAW_MALFORMED("unexpected end", 0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00);
}

Test(decode_header, bad_magic)
{
    RAW_MALFORMED("magic header not detected", 'a', 's', 'm', 0x00);
    RAW_MALFORMED("magic header not detected", 'm', 's', 'a', 0x00, 0x01, 0x00, 0x00, 0x00);
    RAW_MALFORMED("magic header not detected", 'w', 'a', 's', 'm', 0x01, 0x00, 0x00, 0x00);
    RAW_MALFORMED("magic header not detected", 0x00, 'A', 'S', 'M', 0x01, 0x00, 0x00, 0x00);
    RAW_MALFORMED("magic header not detected", 0xef, 0xbb, 0xbf, 0x00, 'a', 's', 'm', 0x01,
                  0x00, 0x00, 0x00);
    RAW_MALFORMED("magic header not detected", 0x00, 0x00, 0x00, 0x01, 'm', 's', 'a', 0x00);
}

Test(decode_header, bad_version)
{
    RAW_MALFORMED("unknown binary version", 0x00, 0x61, 0x73, 0x6d, 0x00, 0x00, 0x00, 0x00);
    RAW_MALFORMED("unknown binary version", 0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x00, 0x00);
    RAW_MALFORMED("unknown binary version", 0x00, 0x61, 0x73, 0x6d, 0x00, 0x00, 0x00, 0x01);
    RAW_MALFORMED("unknown binary version", 0x00, 0x61, 0x73, 0x6d, 0x02, 0x00, 0x00, 0x00);
}

Test(decode_module, empty_module_loads)
{
    wb_buf b = wb_module();
    expect_ok(&b);
}

Test(decode_module, concatenated_modules)
{
    /* A second header reads as a custom section whose size runs past the end. */
    RAW_MALFORMED("length out of bounds|unexpected end", HEADER, HEADER);
}

Test(decode_module, one_function_loads)
{
    weft_error err;
    /* (func (result i32) i32.const 42) */
    weft_status s = WB_LOAD_FUNC(&err, (0x60, 0x00, 0x01, 0x7f), (0x00, 0x41, 0x2a, 0x0b));
    cr_assert_eq(s, WEFT_OK, "%s", err.message);
}

Test(decode_module, every_section_loads)
{
    wb_buf b = wb_module();
    WB_SECTION(&b, WB_TYPE, 0x02, 0x60, 0x00, 0x00, 0x60, 0x01, 0x7f, 0x01, 0x7f);
    /* (import "m" "f" (func (type 0))) */
    WB_SECTION(&b, WB_IMPORT, 0x01, 0x01, 'm', 0x01, 'f', 0x00, 0x00);
    WB_SECTION(&b, WB_FUNCTION, 0x02, 0x00, 0x01);
    WB_SECTION(&b, WB_TABLE, 0x01, 0x70, 0x00, 0x02);
    WB_SECTION(&b, WB_MEMORY, 0x01, 0x01, 0x01, 0x02);
    WB_SECTION(&b, WB_GLOBAL, 0x01, 0x7f, 0x01, 0x41, 0x07, 0x0b);
    WB_SECTION(&b, WB_EXPORT, 0x02, 0x03, 'i', 'n', 'c', 0x00, 0x02, 0x03, 'm', 'e', 'm',
               0x02, 0x00);
    WB_SECTION(&b, WB_START, 0x01);
    /* Active element segment at table 0, offset 0: functions 1 and 2. */
    WB_SECTION(&b, WB_ELEMENT, 0x01, 0x00, 0x41, 0x00, 0x0b, 0x02, 0x01, 0x02);
    WB_SECTION(&b, WB_DATACOUNT, 0x02);
    WB_SECTION(&b, WB_CODE, 0x02,
               0x02, 0x00, 0x0b,                    /* func 1: () -> () */
               0x07, 0x00, 0x20, 0x00, 0x41, 0x01, 0x6a, 0x0b); /* func 2: local.get 0 + 1 */
    /* One active segment ("hi" at 8) and one passive ("x"). */
    WB_SECTION(&b, WB_DATA, 0x02, 0x00, 0x41, 0x08, 0x0b, 0x02, 'h', 'i', 0x01, 0x01, 'x');
    expect_ok(&b);
}

Test(decode_module, padded_leb128_accepted)
{
    wb_buf b = wb_module();
    WB_SECTION(&b, WB_MEMORY, 0x01, 0x00, 0x82, 0x80, 0x80, 0x80, 0x00);
    expect_ok(&b);
    b = wb_module();
    /* A section size written in five bytes. */
    wb_put(&b, WB_BYTES(0x05, 0x83, 0x80, 0x80, 0x80, 0x00, 0x01, 0x00, 0x02));
    expect_ok(&b);
}

Test(decode_module, custom_sections_anywhere)
{
    wb_buf b = wb_module();
    wb_custom(&b, "first", WB_BYTES(1, 2, 3));
    wb_put(&b, WB_BYTES(TYPE_VOID));
    wb_custom(&b, "", WB_BYTES(0));
    wb_put(&b, WB_BYTES(FUNC_ONE));
    wb_custom(&b, "\xe2\x82\xac", WB_BYTES(0xff, 0xff));
    wb_put(&b, WB_BYTES(CODE_EMPTY));
    wb_custom(&b, "last", WB_BYTES(0x00));
    expect_ok(&b);
}

Test(decode_section, malformed_section_id)
{
    wb_buf b = wb_module();
    WB_SECTION(&b, 0x0d, 0x00);
    expect_malformed_at(&b, "malformed section id", -2, 8);
    b = wb_module();
    wb_put(&b, WB_BYTES(0x7f, 0x00));
    expect_malformed_at(&b, "malformed section id", -2, 8);
    b = wb_module();
    /* Section ids are single bytes, not LEB128. */
    wb_put(&b, WB_BYTES(0x80, 0x00, 0x01, 0x00));
    expect_malformed_at(&b, "malformed section id", -2, 8);
}

Test(decode_section, out_of_order)
{
    wb_buf b = wb_module();
    wb_put(&b, WB_BYTES(FUNC_ONE, TYPE_VOID, CODE_EMPTY));
    expect_malformed_at(&b, "unexpected content after last section", -2, 12);
    b = wb_module();
    /* The data count section belongs before the code section. */
    wb_put(&b, WB_BYTES(TYPE_VOID, FUNC_ONE, CODE_EMPTY));
    WB_SECTION(&b, WB_DATACOUNT, 0x00);
    expect_malformed_at(&b, "unexpected content after last section", -2, 24);
    b = wb_module();
    WB_SECTION(&b, WB_MEMORY, 0x00);
    WB_SECTION(&b, WB_TABLE, 0x00);
    expect_malformed_at(&b, "unexpected content after last section", -2, 11);
}

Test(decode_section, duplicated)
{
    wb_buf b = wb_module();
    wb_put(&b, WB_BYTES(TYPE_VOID, TYPE_VOID));
    expect_malformed_at(&b, "unexpected content after last section", -2, 14);
    b = wb_module();
    wb_put(&b, WB_BYTES(TYPE_VOID, FUNC_ONE, 0x08, 0x01, 0x00, 0x08, 0x01, 0x00, CODE_EMPTY));
    expect_malformed_at(&b, "unexpected content after last section", -2, 21);
}

Test(decode_section, junk_after_last_section)
{
    wb_buf b = wb_module();
    wb_put(&b, WB_BYTES(TYPE_VOID, FUNC_ONE, CODE_EMPTY));
    WB_SECTION(&b, WB_DATA, 0x00);
    /* A stray byte that reads as an earlier section's id. */
    wb_byte(&b, 0x01);
    expect_malformed_at(&b, "unexpected content after last section|unexpected end", -2, 27);
    b = wb_module();
    wb_put(&b, WB_BYTES(TYPE_VOID));
    WB_SECTION(&b, WB_TYPE, 0x00);
    expect_malformed_at(&b, "unexpected content after last section", -2, 14);
    b = wb_module();
    wb_put(&b, WB_BYTES(TYPE_VOID, 0xff));
    expect_malformed_at(&b, "malformed section id", -2, 14);
}

Test(decode_section, section_size_too_big_for_contents)
{
    /* One type declared and given, but the section claims a spare byte. */
    wb_buf b = wb_module();
    WB_SECTION(&b, WB_TYPE, 0x01, 0x60, 0x00, 0x00, 0x00);
    expect_malformed(&b, "section size mismatch", WB_TYPE);
    /* One type declared, two given. */
    b = wb_module();
    WB_SECTION(&b, WB_TYPE, 0x01, 0x60, 0x00, 0x00, 0x60, 0x00, 0x00);
    expect_malformed(&b, "section size mismatch", WB_TYPE);
    b = wb_module();
    WB_SECTION(&b, WB_MEMORY, 0x01, 0x00, 0x01, 0x00);
    expect_malformed(&b, "section size mismatch", WB_MEMORY);
}

Test(decode_section, section_size_too_small_for_contents)
{
    /* Two types declared, one given: the read runs off the section's end. */
    wb_buf b = wb_module();
    WB_SECTION(&b, WB_TYPE, 0x02, 0x60, 0x00, 0x00);
    expect_malformed(&b, "unexpected end|length out of bounds", WB_TYPE);
    /* The section ends inside a memory's limits though the module goes on. */
    b = wb_module();
    wb_put(&b, WB_BYTES(0x05, 0x02, 0x01, 0x01, 0x00, 0x00));
    expect_malformed(&b, "unexpected end|section size mismatch", WB_MEMORY);
    /* A code body that misses its end runs into the next section. */
    b = wb_module();
    wb_put(&b, WB_BYTES(TYPE_VOID, FUNC_ONE, 0x0a, 0x06, 0x01, 0x04, 0x00, 0x41, 0x01, 0x1a));
    WB_SECTION(&b, WB_DATA, 0x01, 0x01, 0x00);
    expect_malformed(&b, "section size mismatch|unexpected end|END opcode expected", WB_CODE);
}

Test(decode_section, section_size_past_module_end)
{
    wb_buf b = wb_module();
    wb_put(&b, WB_BYTES(0x01, 0x10, 0x01, 0x60, 0x00, 0x00));
    expect_malformed(&b, "length out of bounds|unexpected end", -2);
    b = wb_module();
    wb_put(&b, WB_BYTES(0x01));
    expect_malformed_at(&b, "unexpected end", -2, 8);
    b = wb_module();
    wb_put(&b, WB_BYTES(0x01, 0xff, 0xff, 0xff, 0xff, 0x0f));
    expect_malformed(&b, "length out of bounds|unexpected end", -2);
}

Test(decode_section, custom_section_errors)
{
    RAW_MALFORMED("unexpected end", HEADER, 0x00);
    RAW_MALFORMED("unexpected end", HEADER, 0x00, 0x00);
    RAW_MALFORMED("unexpected end|length out of bounds", HEADER, 0x00, 0x02, 0x05, 'a');
    wb_buf b = wb_module();
    wb_custom(&b, "\xc0\x80", WB_BYTES(1));
    expect_malformed(&b, "malformed UTF-8 encoding", WB_CUSTOM);
}

Test(decode_counts, function_without_code)
{
    wb_buf b = wb_module();
    wb_put(&b, WB_BYTES(TYPE_VOID, FUNC_ONE));
    expect_malformed(&b, "function and code section have inconsistent lengths", -2);
}

Test(decode_counts, code_without_function)
{
    wb_buf b = wb_module();
    wb_put(&b, WB_BYTES(TYPE_VOID, CODE_EMPTY));
    expect_malformed(&b, "function and code section have inconsistent lengths", -2);
}

Test(decode_counts, function_code_count_mismatch)
{
    wb_buf b = wb_module();
    wb_put(&b, WB_BYTES(TYPE_VOID, 0x03, 0x03, 0x02, 0x00, 0x00, CODE_EMPTY));
    expect_malformed(&b, "function and code section have inconsistent lengths", -2);
    b = wb_module();
    wb_put(&b, WB_BYTES(TYPE_VOID, FUNC_ONE, 0x0a, 0x07, 0x02, 0x02, 0x00, 0x0b, 0x02, 0x00,
                        0x0b));
    expect_malformed(&b, "function and code section have inconsistent lengths", -2);
    /* Empty function and code sections agree. */
    b = wb_module();
    wb_put(&b, WB_BYTES(TYPE_VOID, 0x03, 0x01, 0x00, 0x0a, 0x01, 0x00));
    expect_ok(&b);
}

Test(decode_locals, too_many_locals)
{
    /* 0xffffffff i32 and 2 i64: more than 2^32 - 1 in total. */
    wb_buf b = wb_module();
    wb_put(&b, WB_BYTES(TYPE_VOID, FUNC_ONE));
    WB_CODE1(&b, 0x02, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x7f, 0x02, 0x7e, 0x0b);
    expect_malformed(&b, "too many locals", WB_CODE);
    /* Four runs of 2^30. */
    b = wb_module();
    wb_put(&b, WB_BYTES(0x01, 0x06, 0x01, 0x60, 0x02, 0x7f, 0x7f, 0x00, FUNC_ONE));
    WB_CODE1(&b, 0x04, 0x80, 0x80, 0x80, 0x80, 0x04, 0x7f, 0x80, 0x80, 0x80, 0x80, 0x04, 0x7e,
             0x80, 0x80, 0x80, 0x80, 0x04, 0x7d, 0x80, 0x80, 0x80, 0x80, 0x04, 0x7c, 0x0b);
    expect_malformed(&b, "too many locals", WB_CODE);
}

Test(decode_locals, limit_on_locals)
{
    /* Fewer than 2^32 locals but far past the implementation's limit: the
     * module is refused without allocating them. */
    wb_buf b = wb_module();
    wb_put(&b, WB_BYTES(TYPE_VOID, FUNC_ONE));
    WB_CODE1(&b, 0x01, 0xff, 0xff, 0xff, 0xff, 0x07, 0x7f, 0x0b);
    weft_error err;
    weft_status s = wb_load(&b, &err);
    cr_assert(s == WEFT_ERR_LIMIT || s == WEFT_ERR_MALFORMED, "got %s: %s", weft_status_name(s),
              err.message);
    cr_assert_eq(err.section, WB_CODE);
}

Test(decode_locals, many_locals_accepted)
{
    /* 1000 locals in runs of several types. */
    wb_buf b = wb_module();
    wb_put(&b, WB_BYTES(TYPE_VOID, FUNC_ONE));
    WB_CODE1(&b, 0x03, 0xe8, 0x07, 0x7f, 0x05, 0x7c, 0x00, 0x7e,
             0x20, 0xe7, 0x07, 0x1a, 0x0b); /* local.get 999; drop */
    expect_ok(&b);
}

Test(decode_locals, bad_local_type)
{
    wb_buf b = wb_module();
    wb_put(&b, WB_BYTES(TYPE_VOID, FUNC_ONE));
    WB_CODE1(&b, 0x01, 0x01, 0x40, 0x0b);
    weft_error err;
    cr_assert_neq(wb_load(&b, &err), WEFT_OK, "local type 0x40 accepted");
}

Test(decode_locals, body_errors_name_the_function)
{
    /* Two functions; the second one's locals are truncated inside its body. */
    wb_buf b = wb_module();
    wb_put(&b, WB_BYTES(TYPE_VOID, 0x03, 0x03, 0x02, 0x00, 0x00));
    WB_SECTION(&b, WB_CODE, 0x02, 0x02, 0x00, 0x0b, 0x02, 0x01, 0x80);
    size_t len = b.len;
    weft_error err;
    cr_assert_eq(wb_load(&b, &err), WEFT_ERR_MALFORMED);
    cr_assert(message_matches(err.message, "unexpected end"), "got \"%s\"", err.message);
    cr_assert_eq(err.section, WB_CODE);
    cr_assert_eq(err.func, 1, "func should be 1, got %lld", (long long)err.func);
    cr_assert(err.offset >= (int64_t)len - 2 && err.offset <= (int64_t)len, "offset %lld",
              (long long)err.offset);
}

Test(decode_names, bad_utf8_in_export_name)
{
    wb_buf b = wb_module();
    wb_put(&b, WB_BYTES(TYPE_VOID, FUNC_ONE));
    WB_SECTION(&b, WB_EXPORT, 0x01, 0x02, 0xc0, 0x80, 0x00, 0x00);
    wb_put(&b, WB_BYTES(CODE_EMPTY));
    expect_malformed(&b, "malformed UTF-8 encoding", WB_EXPORT);
}

Test(decode_names, bad_utf8_in_import_names)
{
    wb_buf b = wb_module();
    wb_put(&b, WB_BYTES(TYPE_VOID));
    WB_SECTION(&b, WB_IMPORT, 0x01, 0x03, 0xed, 0xa0, 0x80, 0x01, 'f', 0x00, 0x00);
    expect_malformed(&b, "malformed UTF-8 encoding", WB_IMPORT);
    b = wb_module();
    wb_put(&b, WB_BYTES(TYPE_VOID));
    WB_SECTION(&b, WB_IMPORT, 0x01, 0x01, 'm', 0x04, 0xf4, 0x90, 0x80, 0x80, 0x00, 0x00);
    expect_malformed(&b, "malformed UTF-8 encoding", WB_IMPORT);
    b = wb_module();
    wb_put(&b, WB_BYTES(TYPE_VOID));
    WB_SECTION(&b, WB_IMPORT, 0x01, 0x01, 'm', 0x01, 0x80, 0x00, 0x00);
    expect_malformed(&b, "malformed UTF-8 encoding", WB_IMPORT);
}

Test(decode_names, name_section_accepted)
{
    /* A name section naming the module "mod" and function 0 "main". */
    wb_buf b = wb_module();
    wb_put(&b, WB_BYTES(TYPE_VOID, FUNC_ONE, CODE_EMPTY));
    wb_custom(&b, "name", WB_BYTES(0x00, 0x04, 0x03, 'm', 'o', 'd',
                                   0x01, 0x07, 0x01, 0x00, 0x04, 'm', 'a', 'i', 'n'));
    expect_ok(&b);
}

Test(decode_names, malformed_name_section_ignored)
{
    /* The spec: errors in a custom section's data must not invalidate the
     * module, the name section included. */
    wb_buf b = wb_module();
    wb_put(&b, WB_BYTES(TYPE_VOID, FUNC_ONE, CODE_EMPTY));
    wb_custom(&b, "name", WB_BYTES(0x01, 0x7f, 0x01, 0x00));
    expect_ok(&b);
    b = wb_module();
    wb_put(&b, WB_BYTES(TYPE_VOID, FUNC_ONE, CODE_EMPTY));
    wb_custom(&b, "name", WB_BYTES(0x01, 0x05, 0x01, 0x00, 0x02, 0xc0, 0x80));
    expect_ok(&b);
    b = wb_module();
    wb_put(&b, WB_BYTES(TYPE_VOID, FUNC_ONE, CODE_EMPTY));
    /* Names a function that does not exist. */
    wb_custom(&b, "name", WB_BYTES(0x01, 0x04, 0x01, 0x09, 0x01, 'x'));
    expect_ok(&b);
}

Test(decode_limits, bad_memory_flags)
{
    wb_buf b = wb_module();
    WB_SECTION(&b, WB_MEMORY, 0x01, 0x02);
    expect_malformed(&b, "integer too large", WB_MEMORY);
    b = wb_module();
    WB_SECTION(&b, WB_MEMORY, 0x01, 0x02, 0x00);
    expect_malformed(&b, "integer too large", WB_MEMORY);
    b = wb_module();
    WB_SECTION(&b, WB_MEMORY, 0x01, 0x81, 0x00, 0x00, 0x00);
    expect_malformed(&b, "integer representation too long", WB_MEMORY);
}

Test(decode_limits, bad_table_flags)
{
    wb_buf b = wb_module();
    WB_SECTION(&b, WB_TABLE, 0x01, 0x70, 0x02);
    expect_malformed(&b, "integer too large", WB_TABLE);
    b = wb_module();
    WB_SECTION(&b, WB_TABLE, 0x01, 0x70, 0x81, 0x00, 0x00, 0x00);
    expect_malformed(&b, "integer representation too long", WB_TABLE);
}

Test(decode_limits, overlong_limits)
{
    wb_buf b = wb_module();
    WB_SECTION(&b, WB_MEMORY, 0x01, 0x00, 0x82, 0x80, 0x80, 0x80, 0x80, 0x00);
    expect_malformed(&b, "integer representation too long", WB_MEMORY);
    b = wb_module();
    WB_SECTION(&b, WB_MEMORY, 0x01, 0x00, 0x82, 0x80, 0x80, 0x80, 0x70);
    expect_malformed(&b, "integer too large", WB_MEMORY);
}

Test(decode_misc, malformed_import_kind_and_mutability)
{
    wb_buf b = wb_module();
    wb_put(&b, WB_BYTES(TYPE_VOID));
    WB_SECTION(&b, WB_IMPORT, 0x01, 0x01, 'm', 0x01, 'f', 0x04, 0x00);
    expect_malformed(&b, "malformed import kind", WB_IMPORT);
    b = wb_module();
    WB_SECTION(&b, WB_GLOBAL, 0x01, 0x7f, 0x02, 0x41, 0x00, 0x0b);
    expect_malformed(&b, "malformed mutability", WB_GLOBAL);
}

Test(decode_data, data_count_mismatch)
{
    wb_buf b = wb_module();
    WB_SECTION(&b, WB_MEMORY, 0x01, 0x00, 0x01);
    WB_SECTION(&b, WB_DATACOUNT, 0x02);
    WB_SECTION(&b, WB_DATA, 0x01, 0x01, 0x00);
    expect_malformed(&b, "data count and data section have inconsistent lengths", -2);
    b = wb_module();
    WB_SECTION(&b, WB_DATACOUNT, 0x01);
    expect_malformed(&b, "data count and data section have inconsistent lengths", -2);
    b = wb_module();
    WB_SECTION(&b, WB_MEMORY, 0x01, 0x00, 0x01);
    WB_SECTION(&b, WB_DATACOUNT, 0x01);
    WB_SECTION(&b, WB_DATA, 0x01, 0x01, 0x00);
    expect_ok(&b);
}

Test(decode_data, data_count_required)
{
    /* memory.init and data.drop need the data count section. */
    wb_buf b = wb_module();
    wb_put(&b, WB_BYTES(TYPE_VOID, FUNC_ONE));
    WB_SECTION(&b, WB_MEMORY, 0x01, 0x00, 0x00);
    WB_CODE1(&b, 0x00, 0x41, 0x00, 0x41, 0x00, 0x41, 0x00, 0xfc, 0x08, 0x00, 0x00, 0x0b);
    WB_SECTION(&b, WB_DATA, 0x01, 0x01, 0x00);
    expect_malformed(&b, "data count section required", -2);
    b = wb_module();
    wb_put(&b, WB_BYTES(TYPE_VOID, FUNC_ONE));
    WB_SECTION(&b, WB_MEMORY, 0x01, 0x00, 0x00);
    WB_CODE1(&b, 0x00, 0xfc, 0x09, 0x00, 0x0b);
    WB_SECTION(&b, WB_DATA, 0x01, 0x01, 0x00);
    expect_malformed(&b, "data count section required", -2);
}

Test(decode_body, truncated_body_and_missing_end)
{
    /* The body's size ends before its final end. */
    wb_buf b = wb_module();
    wb_put(&b, WB_BYTES(TYPE_VOID, FUNC_ONE));
    WB_CODE1(&b, 0x00, 0x41, 0x01, 0x1a);
    expect_malformed(&b, "unexpected end|END opcode expected|section size mismatch", -2);
    /* A body with bytes after its final end. */
    b = wb_module();
    wb_put(&b, WB_BYTES(TYPE_VOID, FUNC_ONE));
    WB_CODE1(&b, 0x00, 0x0b, 0x01);
    expect_malformed(&b, "END opcode expected|section size mismatch|unexpected end", -2);
}

Test(decode_body, illegal_opcode)
{
    wb_buf b = wb_module();
    wb_put(&b, WB_BYTES(TYPE_VOID, FUNC_ONE));
    WB_CODE1(&b, 0x00, 0x06, 0x0b);
    expect_malformed(&b, "illegal opcode", WB_CODE);
    b = wb_module();
    wb_put(&b, WB_BYTES(TYPE_VOID, FUNC_ONE));
    WB_CODE1(&b, 0x00, 0xfc, 0x7f, 0x0b);
    expect_malformed(&b, "illegal opcode", WB_CODE);
}

Test(decode_body, zero_byte_expected)
{
    /* memory.size's reserved byte must be zero (in WebAssembly 2.0). */
    wb_buf b = wb_module();
    wb_put(&b, WB_BYTES(TYPE_VOID, FUNC_ONE));
    WB_SECTION(&b, WB_MEMORY, 0x01, 0x00, 0x00);
    WB_CODE1(&b, 0x00, 0x3f, 0x01, 0x1a, 0x0b);
    expect_malformed(&b, "zero byte expected|unknown memory", WB_CODE);
}

Test(decode_errors, error_struct_fields)
{
    weft_error err;
    memset(&err, 0x77, sizeof err);
    weft_module *m = NULL;
    static const uint8_t bytes[] = { HEADER, 0x01, 0x05, 0x01, 0x60, 0x00, 0x00, 0x00 };
    cr_assert_eq(weft_module_load(bytes, sizeof bytes, &m, &err), WEFT_ERR_MALFORMED);
    cr_assert_null(m);
    cr_assert_eq(err.status, WEFT_ERR_MALFORMED);
    cr_assert_eq(err.section, 1);
    cr_assert_eq(err.func, -1);
    cr_assert(err.offset >= 8 && err.offset <= (int64_t)sizeof bytes);
    cr_assert(memchr(err.message, 0, sizeof err.message), "message not terminated");
    char line[400];
    weft_error_format(&err, line, sizeof line);
    cr_assert(strstr(line, "section size mismatch"), "formatted: %s", line);
    cr_assert(strncmp(line, "type section", 12) == 0, "formatted: %s", line);
    /* A NULL error pointer is allowed. */
    cr_assert_eq(weft_module_load(bytes, sizeof bytes, &m, NULL), WEFT_ERR_MALFORMED);
}

Test(decode_errors, load_file_io_error)
{
    weft_module *m = (weft_module *)1;
    weft_error err;
    cr_assert_eq(weft_module_load_file("/nonexistent/weft/test.wasm", &m, &err), WEFT_ERR_IO);
    cr_assert_null(m);
    cr_assert_eq(err.status, WEFT_ERR_IO);
}

Test(decode_body, zero_bytes_of_memory_instructions)
{
    /* memory.grow, memory.fill and memory.copy carry reserved zero bytes,
     * and a reserved byte is one byte, not a LEB128 that happens to be 0. */
    static const uint8_t bodies[][16] = {
        { 7, 0x00, 0x41, 0x00, 0x40, 0x01, 0x1a, 0x0b },
        { 11, 0x00, 0x41, 0x00, 0x41, 0x00, 0x41, 0x00, 0xfc, 0x0b, 0x01, 0x0b },
        { 12, 0x00, 0x41, 0x00, 0x41, 0x00, 0x41, 0x00, 0xfc, 0x0a, 0x00, 0x01, 0x0b },
        { 6, 0x00, 0x3f, 0x80, 0x00, 0x1a, 0x0b },
        { 5, 0x00, 0x3f, 0x01, 0x1a, 0x0b },
    };
    for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
        wb_buf b = wb_module();
        wb_put(&b, WB_BYTES(TYPE_VOID, FUNC_ONE));
        WB_SECTION(&b, WB_MEMORY, 0x01, 0x00, 0x01);
        /* The first byte of each row is the body's length. */
        wb_code1(&b, bodies[i] + 1, bodies[i][0]);
        expect_malformed(&b, "zero byte expected", WB_CODE);
    }
}

Test(decode_body, prefixed_opcodes_are_leb128)
{
    /* The 0xfc sub-opcode is a u32 LEB128, so padded forms are fine:
     * f32.const 0; i32.trunc_sat_f32_s (0xfc 0). */
    wb_buf b = wb_module();
    wb_put(&b, WB_BYTES(0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7f, FUNC_ONE));
    WB_CODE1(&b, 0x00, 0x43, 0, 0, 0, 0, 0xfc, 0x80, 0x80, 0x80, 0x80, 0x00, 0x0b);
    expect_ok(&b);
    b = wb_module();
    wb_put(&b, WB_BYTES(0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7f, FUNC_ONE));
    WB_CODE1(&b, 0x00, 0x43, 0, 0, 0, 0, 0xfc, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00, 0x0b);
    expect_malformed(&b, "integer representation too long", WB_CODE);
}

Test(decode_body, structure_errors)
{
    /* else outside an if, a second else, and an unclosed block. */
    static const uint8_t bodies[][10] = {
        { 3, 0x00, 0x05, 0x0b },
        { 8, 0x00, 0x41, 0x00, 0x04, 0x40, 0x05, 0x05, 0x0b },
        { 4, 0x00, 0x02, 0x40, 0x0b },
    };
    for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
        wb_buf b = wb_module();
        wb_put(&b, WB_BYTES(TYPE_VOID, FUNC_ONE));
        wb_code1(&b, bodies[i] + 1, bodies[i][0]);
        weft_error err;
        weft_status s = wb_load(&b, &err);
        cr_assert_eq(s, WEFT_ERR_MALFORMED, "body %zu: got %s: %s", i, weft_status_name(s),
                     err.message);
        cr_assert_eq(err.func, 0);
        cr_assert_eq(err.section, WB_CODE);
    }
}

Test(decode_body, deep_nesting_is_not_recursion)
{
    /* 100,000 nested blocks: accepted or refused by a limit, never a crash. */
    enum { DEPTH = 100000 };
    wb_buf entry = { 0 };
    wb_byte(&entry, 0x00);
    for (int i = 0; i < DEPTH; i++)
        wb_put(&entry, WB_BYTES(0x02, 0x40));
    for (int i = 0; i <= DEPTH; i++)
        wb_byte(&entry, 0x0b);
    wb_buf b = wb_module();
    wb_put(&b, WB_BYTES(TYPE_VOID, FUNC_ONE));
    wb_code1(&b, entry.data, entry.len);
    wb_free(&entry);
    weft_error err;
    weft_status s = wb_load(&b, &err);
    cr_assert(s == WEFT_OK || s == WEFT_ERR_LIMIT, "got %s: %s", weft_status_name(s),
              err.message);
}

Test(decode_body, bad_immediates)
{
    /* ref.null of a non-reference type; a block type that is a function
     * form byte; a 33-bit memory offset. */
    wb_buf b = wb_module();
    wb_put(&b, WB_BYTES(TYPE_VOID, FUNC_ONE));
    WB_CODE1(&b, 0x00, 0xd0, 0x7f, 0x1a, 0x0b);
    expect_malformed(&b, "malformed reference type", WB_CODE);
    b = wb_module();
    wb_put(&b, WB_BYTES(TYPE_VOID, FUNC_ONE));
    WB_CODE1(&b, 0x00, 0x02, 0x60, 0x0b, 0x0b);
    expect_malformed(&b, "malformed", WB_CODE);
    b = wb_module();
    wb_put(&b, WB_BYTES(TYPE_VOID, FUNC_ONE));
    WB_SECTION(&b, WB_MEMORY, 0x01, 0x00, 0x01);
    WB_CODE1(&b, 0x00, 0x41, 0x00, 0x28, 0x02, 0x80, 0x80, 0x80, 0x80, 0x10, 0x1a, 0x0b);
    expect_malformed(&b, "integer too large", WB_CODE);
    /* f32.const cut short by the end of the body. */
    b = wb_module();
    wb_put(&b, WB_BYTES(TYPE_VOID, FUNC_ONE));
    WB_CODE1(&b, 0x00, 0x43, 0x00, 0x00);
    expect_malformed(&b, "unexpected end", WB_CODE);
}

Test(decode_counts, huge_vector_counts)
{
    /* A count of 2^32 - 1 in a tiny section must fail as malformed, without
     * trying to allocate room for that many items first. */
    static const uint8_t ids[] = { WB_TYPE, WB_IMPORT, WB_FUNCTION, WB_TABLE, WB_MEMORY,
                                   WB_GLOBAL, WB_EXPORT, WB_ELEMENT, WB_CODE, WB_DATA };
    for (size_t i = 0; i < sizeof ids; i++) {
        wb_buf b = wb_module();
        WB_SECTION(&b, ids[i], 0xff, 0xff, 0xff, 0xff, 0x0f, 0x00);
        weft_error err;
        weft_status s = wb_load(&b, &err);
        cr_assert_eq(s, WEFT_ERR_MALFORMED, "section %d: got %s: %s", ids[i],
                     weft_status_name(s), err.message);
        cr_assert(message_matches(err.message, "length out of bounds|unexpected end"),
                  "section %d: %s", ids[i], err.message);
        cr_assert_eq(err.section, ids[i]);
    }
    /* A br_table with 2^32 - 1 targets. */
    wb_buf b = wb_module();
    wb_put(&b, WB_BYTES(TYPE_VOID, FUNC_ONE));
    WB_CODE1(&b, 0x00, 0x41, 0x00, 0x0e, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x0b);
    expect_malformed(&b, "unexpected end|length out of bounds", WB_CODE);
}

Test(decode_segments, bad_segment_kinds)
{
    wb_buf b = wb_module();
    WB_SECTION(&b, WB_ELEMENT, 0x01, 0x08);
    expect_malformed(&b, "malformed", WB_ELEMENT);
    b = wb_module();
    WB_SECTION(&b, WB_MEMORY, 0x01, 0x00, 0x01);
    WB_SECTION(&b, WB_DATA, 0x01, 0x03, 0x00);
    expect_malformed(&b, "malformed", WB_DATA);
    /* Element kind 0x01 (only 0x00, funcref, exists). */
    b = wb_module();
    WB_SECTION(&b, WB_TABLE, 0x01, 0x70, 0x00, 0x01);
    WB_SECTION(&b, WB_ELEMENT, 0x01, 0x02, 0x00, 0x41, 0x00, 0x0b, 0x01, 0x00, 0x00);
    expect_malformed(&b, "malformed", WB_ELEMENT);
}

Test(decode_types, bad_types)
{
    wb_buf b = wb_module();
    WB_SECTION(&b, WB_TYPE, 0x01, 0x60, 0x01, 0x7a, 0x00);
    expect_malformed(&b, "malformed value type", WB_TYPE);
    b = wb_module();
    WB_SECTION(&b, WB_TYPE, 0x01, 0x61, 0x00, 0x00);
    expect_malformed(&b, "malformed", WB_TYPE);
    b = wb_module();
    WB_SECTION(&b, WB_EXPORT, 0x01, 0x01, 'a', 0x04, 0x00);
    expect_malformed(&b, "malformed", WB_EXPORT);
}

Test(decode_errors, null_bytes)
{
    weft_module *m = (weft_module *)1;
    weft_error err;
    cr_assert_eq(weft_module_load(NULL, 8, &m, &err), WEFT_ERR_ARGUMENT);
    cr_assert_null(m);
    m = (weft_module *)1;
    cr_assert_eq(weft_module_load(NULL, 0, &m, &err), WEFT_ERR_MALFORMED);
    cr_assert_null(m);
    cr_assert(message_matches(err.message, "unexpected end"), "got \"%s\"", err.message);
}
