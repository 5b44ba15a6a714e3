/* test_const_expr.c: unit tests of extended constant expressions (the
 * extended-const proposal: i32/i64 add, sub and mul in global initialisers
 * and segment offsets): the values instantiation gives them, and the
 * validator's and decoder's errors on ill-typed or malformed ones. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "helpers.h"
#include "wasm_builder.h"

/* Opcodes and types used below, named so the expressions read as code. */
enum {
    END = 0x0b, GLOBAL_GET = 0x23, I32_CONST = 0x41, I64_CONST = 0x42, I32_EQ = 0x46,
    I32_ADD = 0x6a, I32_SUB = 0x6b, I32_MUL = 0x6c, I32_DIV_S = 0x6d, I32_DIV_U = 0x6e,
    I32_REM_S = 0x6f, I32_AND = 0x71, I32_OR = 0x72, I32_XOR = 0x73, I32_SHL = 0x74,
    I64_ADD = 0x7c, I64_SUB = 0x7d, I64_MUL = 0x7e, I64_DIV_S = 0x7f, I64_AND = 0x83,
    I32 = 0x7f, FUNCREF = 0x70,
};

/* ---- Evaluation at instantiation ------------------------------------------------ */

/* Assembles `text`, which may use extended constant expressions. */
static weft_module *ec_wat(const char *text)
{
    return wat_flags("--enable-extended-const", text);
}

/* Instantiates `m` with every import bound to a new immutable i32 global
 * of value `base` (the engine owns it). */
static weft_status instantiate_with_base(weft_engine *e, const weft_module *m, int32_t base,
                                         weft_instance **inst, weft_error *err)
{
    weft_extern g = { .kind = WEFT_EXTERN_GLOBAL };
    cr_assert_eq(weft_global_new(e, i32(base), false, &g.of.global), WEFT_OK);
    return weft_instantiate(e, m, resolve_to, &g, inst, err);
}

static weft_value global_value(const weft_instance *inst, const char *name)
{
    return weft_global_get(export_of(inst, name, WEFT_EXTERN_GLOBAL).of.global);
}

Test(const_expr, globals_evaluate_with_wrapping_arithmetic)
{
    weft_module *m = ec_wat(
        "(module\n"
        "  (import \"m\" \"base\" (global $base i32))\n"
        "  (global $a (export \"a\") i32\n"
        "    (i32.add (i32.mul (global.get $base) (i32.const 3)) (i32.const -5)))\n"
        "  (global (export \"sub\") i32 (i32.sub (i32.const 10) (i32.const 3)))\n"
        "  (global (export \"wrap32\") i32 (i32.add (i32.const 0x7fffffff) (i32.const 1)))\n"
        "  (global (export \"mul32\") i32 (i32.mul (i32.const 0x10000) (i32.const 0x10000)))\n"
        "  (global (export \"under32\") i32 (i32.sub (i32.const 0) (i32.const 1)))\n"
        "  (global (export \"b\") i64\n"
        "    (i64.sub (i64.mul (i64.const 0x100000000) (i64.const 3)) (i64.const 1)))\n"
        "  (global (export \"wrap64\") i64\n"
        "    (i64.mul (i64.const 0x7fffffffffffffff) (i64.const 2)))\n"
        "  (global (export \"add64\") i64 (i64.add (i64.const -1) (i64.const -1)))\n"
        "  (func (export \"get-a\") (result i32) global.get $a))\n");
    weft_engine *e = engine();
    weft_instance *inst = NULL;
    weft_error err;
    cr_assert_eq(instantiate_with_base(e, m, 7, &inst, &err), WEFT_OK, "%s", err.message);

    weft_value v = global_value(inst, "a");
    cr_assert_eq(v.kind, WEFT_I32);
    cr_assert_eq(v.of.i32, 7 * 3 - 5);
    /* The first operand is the left one. */
    cr_assert_eq(global_value(inst, "sub").of.i32, 7);
    cr_assert_eq(global_value(inst, "wrap32").of.i32, INT32_MIN);
    cr_assert_eq(global_value(inst, "mul32").of.i32, 0);
    cr_assert_eq(global_value(inst, "under32").of.i32, -1);
    v = global_value(inst, "b");
    cr_assert_eq(v.kind, WEFT_I64);
    cr_assert_eq(v.of.i64, 0x2ffffffffLL);
    cr_assert_eq(global_value(inst, "wrap64").of.i64, -2);
    cr_assert_eq(global_value(inst, "add64").of.i64, -2);

    /* Code reads the same value. */
    weft_value r[1];
    cr_assert_eq(weft_call(e, func_of(inst, "get-a"), NULL, 0, r, 1, &err), WEFT_OK, "%s",
                 err.message);
    cr_assert_eq(r[0].of.i32, 16);
    weft_engine_free(e);
    weft_module_free(m);
}

Test(const_expr, segment_offsets_evaluate)
{
    weft_module *m = ec_wat(
        "(module\n"
        "  (import \"m\" \"base\" (global $base i32))\n"
        "  (memory (export \"mem\") 1)\n"
        "  (table (export \"tab\") 4 funcref)\n"
        "  (func $f)\n"
        "  (data (i32.add (global.get $base) (i32.const 1)) \"xy\")\n"
        "  (elem (i32.sub (global.get $base) (i32.const 5)) $f))\n");
    weft_engine *e = engine();
    weft_instance *inst = NULL;
    weft_error err;
    cr_assert_eq(instantiate_with_base(e, m, 7, &inst, &err), WEFT_OK, "%s", err.message);

    weft_memory *mem = export_of(inst, "mem", WEFT_EXTERN_MEMORY).of.memory;
    char bytes[4];
    cr_assert_eq(weft_memory_read(mem, 7, bytes, sizeof bytes, &err), WEFT_OK);
    cr_assert(memcmp(bytes, "\0xy\0", 4) == 0, "the data landed elsewhere");

    weft_table *tab = export_of(inst, "tab", WEFT_EXTERN_TABLE).of.table;
    weft_value v;
    for (uint32_t i = 0; i < 4; i++) {
        cr_assert_eq(weft_table_get(tab, i, &v, &err), WEFT_OK);
        cr_assert_eq(v.of.ref != NULL, i == 2, "table element %u", i);
    }
    weft_engine_free(e);
    weft_module_free(m);
}

Test(const_expr, computed_offset_out_of_bounds_fails_instantiation)
{
    /* 2 * 65536 is past the one-page memory. */
    weft_module *m = ec_wat(
        "(module (memory 1) (data (i32.mul (i32.const 65536) (i32.const 2)) \"x\"))");
    weft_engine *e = engine();
    weft_instance *inst = NULL;
    weft_error err;
    cr_assert_eq(weft_instantiate(e, m, NULL, NULL, &inst, &err), WEFT_ERR_TRAP);
    cr_assert(strstr(err.message, "out of bounds memory access"), "%s", err.message);
    weft_engine_free(e);
    weft_module_free(m);
}

/* ---- Validation and decoding errors ----------------------------------------- */

/* A module importing the immutable i32 global m.g (global 0), with a
 * one-page memory and a one-element funcref table, then one entry of
 * `section` whose constant expression is `expr`: a defined i32 global
 * (global 1), or an active data or element segment for memory or table 0
 * with no contents. *expr_at is the module offset of the expression. */
static wb_buf expr_module(uint8_t section, const uint8_t *expr, size_t n, size_t *expr_at)
{
    wb_buf b = wb_module();
    WB_SECTION(&b, WB_IMPORT, 0x01, 0x01, 'm', 0x01, 'g', 0x03, I32, 0x00);
    WB_SECTION(&b, WB_TABLE, 0x01, FUNCREF, 0x00, 0x01);
    WB_SECTION(&b, WB_MEMORY, 0x01, 0x00, 0x01);
    wb_buf s = { 0 };
    wb_byte(&s, 0x01); /* One entry. */
    if (section == WB_GLOBAL) {
        wb_byte(&s, I32);
        wb_byte(&s, 0x00); /* Immutable. */
    } else {
        wb_byte(&s, 0x00); /* Segment flags 0: active, for index 0. */
    }
    size_t at = s.len;
    wb_put(&s, expr, n);
    if (section != WB_GLOBAL)
        wb_byte(&s, 0x00); /* No bytes, or no functions. */
    cr_assert_lt(s.len, 128, "the offsets below assume a one-byte section size");
    *expr_at = b.len + 2 + at;
    wb_section(&b, section, s.data, s.len);
    wb_free(&s);
    return b;
}

/* Loads `b` (and frees it), expecting `status` with a message starting
 * with `expect`, in `section`, outside any function. */
static weft_error expect_error(wb_buf *b, weft_status status, const char *expect, int section)
{
    weft_error err;
    memset(&err, 0x5a, sizeof err);
    weft_status s = wb_load(b, &err);
    char line[400];
    cr_assert_eq(s, status, "expected %s (%s), got %s: %s", weft_status_name(status), expect,
                 weft_status_name(s), s ? weft_error_format(&err, line, sizeof line) : "loaded");
    cr_assert_eq(err.status, status);
    cr_assert(strncmp(err.message, expect, strlen(expect)) == 0, "expected \"%s\", got \"%s\"",
              expect, err.message);
    cr_assert_eq(err.section, section, "section %d, expected %d", err.section, section);
    cr_assert_eq(err.func, -1, "a constant expression's error names function %lld",
                 (long long)err.func);
    return err;
}

/* Expects the expression `expr` in `section` to be invalid with `expect`,
 * reported at byte `at` of the expression. */
static void expr_invalid(uint8_t section, const uint8_t *expr, size_t n, size_t at,
                         const char *expect)
{
    size_t start;
    wb_buf b = expr_module(section, expr, n, &start);
    weft_error err = expect_error(&b, WEFT_ERR_INVALID, expect, section);
    cr_assert_eq(err.offset, (int64_t)(start + at), "offset %lld, expected %zu",
                 (long long)err.offset, start + at);
}

static void expr_valid(uint8_t section, const uint8_t *expr, size_t n)
{
    size_t start;
    wb_buf b = expr_module(section, expr, n, &start);
    weft_error err;
    char line[400];
    cr_assert_eq(wb_load(&b, &err), WEFT_OK, "expected a valid module: %s",
                 weft_error_format(&err, line, sizeof line));
}

#define EXPR_INVALID(section, at, expect, ...) \
    expr_invalid(section, WB_BYTES(__VA_ARGS__), at, expect)
#define EXPR_VALID(section, ...) expr_valid(section, WB_BYTES(__VA_ARGS__))

Test(const_expr, arithmetic_is_constant_everywhere)
{
    static const uint8_t sections[] = { WB_GLOBAL, WB_DATA, WB_ELEMENT };
    for (size_t i = 0; i < sizeof sections; i++) {
        EXPR_VALID(sections[i], I32_CONST, 2, GLOBAL_GET, 0, I32_MUL, I32_CONST, 1, I32_SUB,
                   I32_CONST, 3, I32_ADD, END);
        /* Operands may themselves be sums. */
        EXPR_VALID(sections[i], GLOBAL_GET, 0, GLOBAL_GET, 0, I32_ADD, GLOBAL_GET, 0,
                   I32_CONST, 4, I32_SUB, I32_MUL, END);
    }
}

Test(const_expr, operand_types_checked)
{
    const char *msg = "type mismatch";
    /* An i64 operand of i32.add, an i32 one of i64.mul. */
    EXPR_INVALID(WB_GLOBAL, 4, msg, I32_CONST, 1, I64_CONST, 2, I32_ADD, END);
    EXPR_INVALID(WB_GLOBAL, 4, msg, I64_CONST, 1, I32_CONST, 2, I64_MUL, END);
    EXPR_INVALID(WB_GLOBAL, 4, msg, I64_CONST, 1, GLOBAL_GET, 0, I64_SUB, END);
    /* Too few operands: none, then one. */
    EXPR_INVALID(WB_GLOBAL, 0, msg, I32_ADD, END);
    EXPR_INVALID(WB_GLOBAL, 2, msg, I32_CONST, 1, I32_SUB, END);
    EXPR_INVALID(WB_DATA, 2, msg, GLOBAL_GET, 0, I32_MUL, END);
    /* The result must be the one value the context expects. */
    EXPR_INVALID(WB_GLOBAL, 5, msg, I64_CONST, 1, I64_CONST, 2, I64_MUL, END);
    EXPR_INVALID(WB_GLOBAL, 7, msg, I32_CONST, 1, I32_CONST, 2, I32_CONST, 3, I32_ADD, END);
    EXPR_INVALID(WB_DATA, 5, msg, I64_CONST, 1, I64_CONST, 2, I64_ADD, END);
    EXPR_INVALID(WB_ELEMENT, 5, msg, I64_CONST, 1, I64_CONST, 2, I64_SUB, END);
}

Test(const_expr, other_numeric_instructions_are_not_constant)
{
    static const uint8_t i32_ops[] = { I32_DIV_S, I32_DIV_U, I32_REM_S, I32_AND, I32_OR,
                                       I32_XOR, I32_SHL, I32_EQ };
    for (size_t i = 0; i < sizeof i32_ops; i++)
        EXPR_INVALID(WB_GLOBAL, 4, "constant expression required", I32_CONST, 6, I32_CONST, 3,
                     i32_ops[i], END);
    EXPR_INVALID(WB_DATA, 4, "constant expression required", I64_CONST, 6, I64_CONST, 3,
                 I64_DIV_S, END);
    EXPR_INVALID(WB_ELEMENT, 4, "constant expression required", I64_CONST, 6, I64_CONST, 3,
                 I64_AND, END);
}

Test(const_expr, global_get_reads_imports_only)
{
    /* Global 1 is the one being defined, not an import. */
    EXPR_INVALID(WB_GLOBAL, 2, "unknown global", I32_CONST, 1, GLOBAL_GET, 1, I32_ADD, END);
    EXPR_INVALID(WB_DATA, 0, "unknown global", GLOBAL_GET, 1, I32_CONST, 1, I32_ADD, END);
}

Test(const_expr, truncated_expressions_are_malformed)
{
    /* The global section ends before the expression's end. */
    size_t start;
    wb_buf b = expr_module(WB_GLOBAL, WB_BYTES(I32_CONST, 1, I32_CONST, 2, I32_ADD), &start);
    expect_error(&b, WEFT_ERR_MALFORMED, "", WB_GLOBAL);
    /* An immediate cut off by the end of the section. */
    b = expr_module(WB_GLOBAL, WB_BYTES(I32_CONST, 1, I64_CONST, 0x80), &start);
    expect_error(&b, WEFT_ERR_MALFORMED, "", WB_GLOBAL);

    /* Every prefix of a module cut inside its global section is malformed. */
    b = expr_module(WB_GLOBAL,
                    WB_BYTES(GLOBAL_GET, 0, I32_CONST, 0x80, 0x01, I32_MUL, I32_CONST, 1,
                             I32_SUB, END),
                    &start);
    size_t section_at = start - 5;
    for (size_t len = section_at + 1; len < b.len; len++) {
        weft_module *m = NULL;
        weft_error err;
        weft_status s = weft_module_load(b.data, len, &m, &err);
        weft_module_free(m);
        cr_assert_eq(s, WEFT_ERR_MALFORMED, "prefix of %zu bytes: %s", len,
                     weft_status_name(s));
    }
    weft_module *m = load_ok(b.data, b.len);
    weft_module_free(m);
    wb_free(&b);
}
