/* test_validate.c: unit tests of the validator's errors (and of valid modules
 * near them), through weft_module_load on hand-assembled modules. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "wasm_builder.h"

/* Function types, as parenthesised byte lists for WB_LIST. */
#define T_VOID (0x60, 0x00, 0x00)
#define T_I32 (0x60, 0x00, 0x01, 0x7f)
#define T_I32_I32 (0x60, 0x01, 0x7f, 0x01, 0x7f)

/* Opcodes used below, named so the bodies read as code. */
enum {
    UNREACHABLE = 0x00, NOP = 0x01, BLOCK = 0x02, LOOP = 0x03, IF = 0x04, ELSE = 0x05,
    END = 0x0b, BR = 0x0c, BR_IF = 0x0d, BR_TABLE = 0x0e, RETURN = 0x0f, CALL = 0x10,
    CALL_INDIRECT = 0x11, DROP = 0x1a, SELECT = 0x1b, SELECT_T = 0x1c, LOCAL_GET = 0x20,
    LOCAL_SET = 0x21, LOCAL_TEE = 0x22, GLOBAL_GET = 0x23, GLOBAL_SET = 0x24,
    TABLE_GET = 0x25, I32_LOAD = 0x28, I64_LOAD = 0x29, I32_LOAD8_S = 0x2c,
    I32_STORE = 0x36, MEMORY_SIZE = 0x3f, I32_CONST = 0x41, I64_CONST = 0x42,
    F32_CONST = 0x43, I32_CTZ = 0x68, I32_ADD = 0x6a, I64_ADD = 0x7c, REF_NULL = 0xd0,
    REF_FUNC = 0xd2, I32 = 0x7f, I64 = 0x7e, F32 = 0x7d, FUNCREF = 0x70, EMPTY = 0x40,
};

/* True when `message` starts with `expect` (the spec's runner matches
 * messages by prefix, so "unknown local 2" passes for "unknown local"). */
static bool starts_with(const char *message, const char *expect)
{
    return strncmp(message, expect, strlen(expect)) == 0;
}

/* Loads `b` (and frees it) expecting an invalid-module error with message
 * `expect`. Returns the error for further checks. */
static weft_error expect_invalid(wb_buf *b, const char *expect)
{
    weft_error err;
    memset(&err, 0x5a, sizeof err);
    weft_status s = wb_load(b, &err);
    char line[400];
    cr_assert_eq(s, WEFT_ERR_INVALID, "expected invalid (%s), got %s: %s", expect,
                 weft_status_name(s), s ? weft_error_format(&err, line, sizeof line) : "loaded");
    cr_assert_eq(err.status, WEFT_ERR_INVALID);
    cr_assert(starts_with(err.message, expect), "expected \"%s\", got \"%s\"", expect,
              err.message);
    return err;
}

/* Expects an invalid module whose error is not inside any function. */
static void expect_module_invalid(wb_buf *b, const char *expect)
{
    size_t len = b->len;
    weft_error err = expect_invalid(b, expect);
    cr_assert_eq(err.func, -1, "a module-level error names function %lld", (long long)err.func);
    cr_assert(err.offset >= -1 && err.offset <= (int64_t)len, "offset %lld",
              (long long)err.offset);
}

static void expect_valid(wb_buf *b)
{
    weft_error err;
    weft_status s = wb_load(b, &err);
    char line[400];
    cr_assert_eq(s, WEFT_OK, "expected a valid module: %s",
                 weft_error_format(&err, line, sizeof line));
}

/* Expects the one-function module of `type` and `entry` to be invalid with
 * `expect`, the error naming function 0, the code section and an offset
 * inside the function's entry (which ends the module). */
static void func_invalid(const uint8_t *type, size_t tn, const uint8_t *entry, size_t en,
                         const char *expect)
{
    wb_buf b = wb_func_module(type, tn, entry, en);
    size_t len = b.len;
    weft_error err = expect_invalid(&b, expect);
    cr_assert_eq(err.func, 0, "func should be 0, got %lld", (long long)err.func);
    cr_assert_eq(err.section, WB_CODE, "section should be the code section, got %d",
                 err.section);
    cr_assert(err.offset >= (int64_t)(len - en) && err.offset <= (int64_t)len,
              "offset %lld outside the body [%zu, %zu]", (long long)err.offset, len - en, len);
}

static void func_valid(const uint8_t *type, size_t tn, const uint8_t *entry, size_t en)
{
    weft_error err;
    char line[400];
    weft_status s = wb_load_func(type, tn, entry, en, &err);
    cr_assert_eq(s, WEFT_OK, "expected a valid function: %s",
                 weft_error_format(&err, line, sizeof line));
}

#define FUNC_INVALID(expect, type, entry) func_invalid(WB_LIST(type), WB_LIST(entry), expect)
#define FUNC_VALID(type, entry) func_valid(WB_LIST(type), WB_LIST(entry))

Test(validate_types, operand_type_mismatch)
{
    /* i32.add on an i32 and an f32. */
    FUNC_INVALID("type mismatch", T_I32,
                 (0x00, I32_CONST, 1, F32_CONST, 0, 0, 0, 0, I32_ADD, END));
    FUNC_INVALID("type mismatch", T_I32,
                 (0x00, F32_CONST, 0, 0, 0x80, 0x3f, I32_CONST, 1, I32_ADD, END));
    FUNC_INVALID("type mismatch", T_VOID, (0x00, I64_CONST, 1, I32_CONST, 1, I64_ADD, DROP, END));
    FUNC_VALID(T_I32, (0x00, I32_CONST, 1, I32_CONST, 2, I32_ADD, END));
}

Test(validate_types, stack_underflow)
{
    FUNC_INVALID("type mismatch", T_I32, (0x00, I32_CONST, 1, I32_ADD, END));
    FUNC_INVALID("type mismatch", T_VOID, (0x00, DROP, END));
    FUNC_INVALID("type mismatch", T_I32, (0x00, END));
    /* A block's operands are not visible inside it. */
    FUNC_INVALID("type mismatch", T_VOID,
                 (0x00, I32_CONST, 1, BLOCK, EMPTY, DROP, END, DROP, END));
}

Test(validate_types, leftover_values)
{
    FUNC_INVALID("type mismatch", T_VOID, (0x00, I32_CONST, 1, END));
    FUNC_INVALID("type mismatch", T_I32, (0x00, I32_CONST, 1, I32_CONST, 2, END));
    FUNC_INVALID("type mismatch", T_VOID, (0x00, BLOCK, EMPTY, I32_CONST, 1, END, END));
}

Test(validate_types, result_type_mismatch)
{
    FUNC_INVALID("type mismatch", T_I32, (0x00, I64_CONST, 1, END));
    FUNC_INVALID("type mismatch", T_I32, (0x00, I64_CONST, 1, RETURN, END));
    FUNC_INVALID("type mismatch", T_I32_I32, (0x00, LOCAL_GET, 0, LOCAL_SET, 0, END));
    FUNC_VALID(T_I32_I32, (0x00, LOCAL_GET, 0, RETURN, END));
}

Test(validate_locals, unknown_local)
{
    FUNC_INVALID("unknown local", T_VOID, (0x00, LOCAL_GET, 0, DROP, END));
    FUNC_INVALID("unknown local", T_I32_I32, (0x00, LOCAL_GET, 1, END));
    FUNC_INVALID("unknown local", T_I32_I32, (0x01, 0x02, I64, I32_CONST, 0, LOCAL_SET, 3, END));
    FUNC_INVALID("unknown local", T_I32_I32, (0x00, I32_CONST, 0, LOCAL_TEE, 0x80, 0x01, END));
    /* Parameters come first, then the declared locals in order. */
    FUNC_VALID(T_I32_I32, (0x01, 0x02, I64, LOCAL_GET, 2, DROP, LOCAL_GET, 0, END));
    FUNC_INVALID("type mismatch", T_I32_I32, (0x01, 0x02, I64, LOCAL_GET, 2, END));
}

Test(validate_index, unknown_global)
{
    FUNC_INVALID("unknown global", T_I32, (0x00, GLOBAL_GET, 0, END));
    FUNC_INVALID("unknown global", T_VOID, (0x00, I32_CONST, 0, GLOBAL_SET, 0, END));
}

Test(validate_index, unknown_function)
{
    FUNC_INVALID("unknown function", T_VOID, (0x00, CALL, 1, END));
    FUNC_INVALID("unknown function", T_VOID, (0x00, REF_FUNC, 7, DROP, END));
    FUNC_VALID(T_VOID, (0x00, CALL, 0, END));
    /* An export of a function that does not exist. */
    wb_buf b = wb_module();
    WB_SECTION(&b, WB_EXPORT, 0x01, 0x01, 'f', 0x00, 0x00);
    expect_module_invalid(&b, "unknown function");
    /* A start function that does not exist. */
    b = wb_module();
    WB_SECTION(&b, WB_START, 0x00);
    expect_module_invalid(&b, "unknown function");
}

Test(validate_index, unknown_type)
{
    /* A function section naming a type that does not exist. */
    wb_buf b = wb_module();
    WB_SECTION(&b, WB_TYPE, 0x01, 0x60, 0x00, 0x00);
    WB_SECTION(&b, WB_FUNCTION, 0x01, 0x01);
    WB_CODE1(&b, 0x00, END);
    expect_invalid(&b, "unknown type");
    /* An imported function of an unknown type. */
    b = wb_module();
    WB_SECTION(&b, WB_IMPORT, 0x01, 0x01, 'm', 0x01, 'f', 0x00, 0x00);
    expect_module_invalid(&b, "unknown type");
    /* A block type naming an unknown type. */
    FUNC_INVALID("unknown type", T_VOID, (0x00, BLOCK, 0x05, END, END));
}

Test(validate_index, unknown_table)
{
    FUNC_INVALID("unknown table", T_VOID, (0x00, I32_CONST, 0, CALL_INDIRECT, 0, 0, END));
    FUNC_INVALID("unknown table", T_VOID, (0x00, I32_CONST, 0, TABLE_GET, 0, DROP, END));
    wb_buf b = wb_module();
    WB_SECTION(&b, WB_EXPORT, 0x01, 0x01, 't', 0x01, 0x00);
    expect_module_invalid(&b, "unknown table");
}

Test(validate_index, unknown_type_in_call_indirect)
{
    wb_buf b = wb_module();
    WB_SECTION(&b, WB_TYPE, 0x01, 0x60, 0x00, 0x00);
    WB_SECTION(&b, WB_FUNCTION, 0x01, 0x00);
    WB_SECTION(&b, WB_TABLE, 0x01, FUNCREF, 0x00, 0x01);
    WB_CODE1(&b, 0x00, I32_CONST, 0, CALL_INDIRECT, 0x03, 0x00, END);
    weft_error err = expect_invalid(&b, "unknown type");
    cr_assert_eq(err.func, 0);
}

Test(validate_index, unknown_memory)
{
    FUNC_INVALID("unknown memory", T_I32, (0x00, I32_CONST, 0, I32_LOAD, 2, 0, END));
    FUNC_INVALID("unknown memory", T_VOID,
                 (0x00, I32_CONST, 0, I32_CONST, 0, I32_STORE, 2, 0, END));
    FUNC_INVALID("unknown memory", T_I32, (0x00, MEMORY_SIZE, 0, END));
    wb_buf b = wb_module();
    WB_SECTION(&b, WB_DATA, 0x01, 0x00, I32_CONST, 0, END, 0x01, 'a');
    expect_module_invalid(&b, "unknown memory");
}

Test(validate_control, unknown_label)
{
    FUNC_INVALID("unknown label", T_VOID, (0x00, BR, 1, END));
    FUNC_INVALID("unknown label", T_VOID, (0x00, BLOCK, EMPTY, BR, 2, END, END));
    FUNC_INVALID("unknown label", T_VOID, (0x00, I32_CONST, 0, BR_IF, 1, END));
    FUNC_INVALID("unknown label", T_VOID, (0x00, I32_CONST, 0, BR_TABLE, 1, 0, 5, END));
    FUNC_INVALID("unknown label", T_VOID, (0x00, I32_CONST, 0, BR_TABLE, 1, 5, 0, END));
    FUNC_VALID(T_VOID, (0x00, BLOCK, EMPTY, BR, 1, END, END));
    FUNC_VALID(T_VOID, (0x00, BR, 0, END));
}

Test(validate_control, if_without_else)
{
    /* Without an else, the (implicit, empty) else branch must turn the
     * block's parameters into its results, so a result is a mismatch. */
    FUNC_INVALID("type mismatch", T_I32,
                 (0x00, I32_CONST, 1, IF, I32, I32_CONST, 2, END, END));
    FUNC_VALID(T_I32, (0x00, I32_CONST, 1, IF, I32, I32_CONST, 2, ELSE, I32_CONST, 3, END, END));
    FUNC_VALID(T_VOID, (0x00, I32_CONST, 1, IF, EMPTY, NOP, END, END));
    /* The condition must be an i32. */
    FUNC_INVALID("type mismatch", T_VOID, (0x00, I64_CONST, 1, IF, EMPTY, END, END));
    /* Branch results disagree. */
    FUNC_INVALID("type mismatch", T_I32,
                 (0x00, I32_CONST, 1, IF, I32, I32_CONST, 2, ELSE, I64_CONST, 3, END, END));
}

Test(validate_control, branch_values)
{
    /* br to a block of result i32 carries an i32. */
    FUNC_VALID(T_I32, (0x00, BLOCK, I32, I32_CONST, 1, BR, 0, END, END));
    FUNC_INVALID("type mismatch", T_I32, (0x00, BLOCK, I32, BR, 0, END, END));
    FUNC_INVALID("type mismatch", T_I32, (0x00, BLOCK, I32, I64_CONST, 1, BR, 0, END, END));
    /* A loop's label takes the loop's parameters, not its results. */
    FUNC_VALID(T_I32, (0x00, LOOP, I32, I32_CONST, 0, BR_IF, 0, I32_CONST, 1, END, END));
    FUNC_INVALID("type mismatch", T_I32,
                 (0x00, BLOCK, I32, I32_CONST, 0, BR_IF, 0, I32_CONST, 1, END, END));
    /* br_table targets must agree in arity. */
    FUNC_INVALID("type mismatch", T_I32,
                 (0x00, BLOCK, EMPTY, BLOCK, I32, I32_CONST, 1, I32_CONST, 0, BR_TABLE, 1, 0,
                  1, END, DROP, END, I32_CONST, 0, END));
}

Test(validate_control, unreachable_polymorphism)
{
    FUNC_VALID(T_VOID, (0x00, UNREACHABLE, I32_ADD, DROP, END));
    FUNC_VALID(T_I32, (0x00, UNREACHABLE, END));
    FUNC_VALID(T_I32, (0x00, UNREACHABLE, I32_ADD, END));
    FUNC_VALID(T_VOID, (0x00, BR, 0, I32_ADD, DROP, END));
    FUNC_VALID(T_I32, (0x00, I32_CONST, 1, RETURN, I64_CONST, 1, DROP, END));
    FUNC_INVALID("type mismatch", T_I32, (0x00, RETURN, END));
    FUNC_VALID(T_VOID, (0x00, UNREACHABLE, SELECT, DROP, END));
    FUNC_VALID(T_I32, (0x00, BLOCK, I32, UNREACHABLE, END, END));
    /* Known operand types are still checked after unreachable. */
    FUNC_INVALID("type mismatch", T_VOID, (0x00, UNREACHABLE, I32_CONST, 0, I64_ADD, DROP, END));
    FUNC_INVALID("type mismatch", T_I32, (0x00, UNREACHABLE, I64_CONST, 0, END));
    /* Unreachability ends with the block. */
    FUNC_INVALID("type mismatch", T_VOID,
                 (0x00, BLOCK, EMPTY, UNREACHABLE, END, I32_ADD, DROP, END));
}

Test(validate_control, multi_value_blocks)
{
    /* Types: 0 () -> (), 1 () -> (i32 i64), 2 (i32) -> (i32), 3 (i32 i32) -> (i32). */
    static const uint8_t types[] = { 0x04, 0x60, 0x00, 0x00, 0x60, 0x00, 0x02, I32, I64,
                                     0x60, 0x01, I32, 0x01, I32, 0x60, 0x02, I32, I32, 0x01, I32 };
    struct { bool valid; uint8_t body[16]; size_t n; } cases[] = {
        /* block (type 1) i32.const 1 i64.const 2 end drop drop */
        { true, { 0x00, BLOCK, 1, I32_CONST, 1, I64_CONST, 2, END, DROP, DROP, END }, 11 },
        /* The results in the wrong order. */
        { false, { 0x00, BLOCK, 1, I64_CONST, 2, I32_CONST, 1, END, DROP, DROP, END }, 11 },
        /* i32.const 1 block (type 2) i32.const 1 i32.add end drop: params flow in. */
        { true, { 0x00, I32_CONST, 1, BLOCK, 2, I32_CONST, 1, I32_ADD, END, DROP, END }, 11 },
        /* block (type 2) with no parameter on the stack. */
        { false, { 0x00, BLOCK, 2, I32_CONST, 1, I32_ADD, END, DROP, END }, 9 },
        /* i32.const 1 i32.const 2 block (type 3) i32.add end drop */
        { true, { 0x00, I32_CONST, 1, I32_CONST, 2, BLOCK, 3, I32_ADD, END, DROP, END }, 11 },
        /* loop (type 2) br_if 0 branches with the loop's parameter. */
        { true, { 0x00, I32_CONST, 1, LOOP, 2, I32_CONST, 0, BR_IF, 0, END, DROP, END }, 12 },
        /* if (type 3) takes two params plus the condition. */
        { true, { 0x00, I32_CONST, 1, I32_CONST, 2, I32_CONST, 0, IF, 3, I32_ADD, ELSE, DROP,
                  END, DROP, END }, 15 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        wb_buf b = wb_module();
        wb_section(&b, WB_TYPE, types, sizeof types);
        WB_SECTION(&b, WB_FUNCTION, 0x01, 0x00);
        wb_code1(&b, cases[i].body, cases[i].n);
        weft_error err;
        weft_status s = wb_load(&b, &err);
        if (cases[i].valid) {
            cr_assert_eq(s, WEFT_OK, "case %zu should be valid: %s", i, err.message);
        } else {
            cr_assert_eq(s, WEFT_ERR_INVALID, "case %zu should be invalid", i);
            cr_assert(starts_with(err.message, "type mismatch"), "case %zu: %s", i, err.message);
            cr_assert_eq(err.func, 0);
        }
    }
}

Test(validate_control, multi_value_function)
{
    /* (func (result i32 i64) i32.const 1 i64.const 2) */
    FUNC_VALID((0x60, 0x00, 0x02, I32, I64), (0x00, I32_CONST, 1, I64_CONST, 2, END));
    FUNC_INVALID("type mismatch", (0x60, 0x00, 0x02, I32, I64), (0x00, I32_CONST, 1, END));
}

Test(validate_instr, select)
{
    FUNC_VALID(T_I32, (0x00, I32_CONST, 1, I32_CONST, 2, I32_CONST, 0, SELECT, END));
    FUNC_INVALID("type mismatch", T_I32,
                 (0x00, I32_CONST, 1, I64_CONST, 2, I32_CONST, 0, SELECT, END));
    /* The typed select with two result types. */
    FUNC_INVALID("invalid result arity", T_I32,
                 (0x00, I32_CONST, 1, I32_CONST, 2, I32_CONST, 0, SELECT_T, 2, I32, I32, END));
    /* The untyped select does not take references. */
    FUNC_INVALID("type mismatch", T_VOID, (0x00, REF_NULL, FUNCREF, REF_NULL, FUNCREF,
                                           I32_CONST, 0, SELECT, DROP, END));
}

Test(validate_module, duplicate_export)
{
    wb_buf b = wb_module();
    WB_SECTION(&b, WB_TYPE, 0x01, 0x60, 0x00, 0x00);
    WB_SECTION(&b, WB_FUNCTION, 0x01, 0x00);
    WB_SECTION(&b, WB_MEMORY, 0x01, 0x00, 0x00);
    WB_SECTION(&b, WB_EXPORT, 0x02, 0x01, 'a', 0x00, 0x00, 0x01, 'a', 0x02, 0x00);
    WB_CODE1(&b, 0x00, END);
    expect_module_invalid(&b, "duplicate export name");
    /* Distinct names for the same item are fine. */
    b = wb_module();
    WB_SECTION(&b, WB_TYPE, 0x01, 0x60, 0x00, 0x00);
    WB_SECTION(&b, WB_FUNCTION, 0x01, 0x00);
    WB_SECTION(&b, WB_EXPORT, 0x02, 0x01, 'a', 0x00, 0x00, 0x01, 'b', 0x00, 0x00);
    WB_CODE1(&b, 0x00, END);
    expect_valid(&b);
}

Test(validate_module, start_function_type)
{
    static const uint8_t types[][5] = {
        { 0x60, 0x01, I32, 0x00 },       /* A parameter. */
        { 0x60, 0x00, 0x01, I32 },       /* A result. */
    };
    for (int i = 0; i < 2; i++) {
        wb_buf b = wb_module();
        wb_buf t = { 0 };
        wb_byte(&t, 1);
        wb_put(&t, types[i], 4);
        wb_section(&b, WB_TYPE, t.data, t.len);
        wb_free(&t);
        WB_SECTION(&b, WB_FUNCTION, 0x01, 0x00);
        WB_SECTION(&b, WB_START, 0x00);
        if (i == 0)
            WB_CODE1(&b, 0x00, END);
        else
            WB_CODE1(&b, 0x00, I32_CONST, 0, END);
        expect_module_invalid(&b, "start function");
    }
}

Test(validate_module, memory_limits)
{
    wb_buf b = wb_module();
    WB_SECTION(&b, WB_MEMORY, 0x01, 0x01, 0x02, 0x01);
    expect_module_invalid(&b, "size minimum must not be greater than maximum");
    b = wb_module();
    WB_SECTION(&b, WB_TABLE, 0x01, FUNCREF, 0x01, 0x02, 0x01);
    expect_module_invalid(&b, "size minimum must not be greater than maximum");
    b = wb_module();
    WB_SECTION(&b, WB_MEMORY, 0x01, 0x01, 0x00, 0x00);
    expect_valid(&b);
}

Test(validate_module, memory_too_large)
{
    const char *msg = "memory size must be at most 65536 pages (4GiB)";
    wb_buf b = wb_module();
    WB_SECTION(&b, WB_MEMORY, 0x01, 0x00, 0x81, 0x80, 0x04); /* min 65537 */
    expect_module_invalid(&b, msg);
    b = wb_module();
    WB_SECTION(&b, WB_MEMORY, 0x01, 0x01, 0x00, 0x81, 0x80, 0x04); /* max 65537 */
    expect_module_invalid(&b, msg);
    b = wb_module();
    WB_SECTION(&b, WB_MEMORY, 0x01, 0x00, 0xff, 0xff, 0xff, 0xff, 0x0f); /* min 2^32-1 */
    expect_module_invalid(&b, msg);
    b = wb_module();
    WB_SECTION(&b, WB_MEMORY, 0x01, 0x01, 0x00, 0x80, 0x80, 0x04); /* max 65536 */
    expect_valid(&b);
    /* An imported memory obeys the same bound. */
    b = wb_module();
    WB_SECTION(&b, WB_IMPORT, 0x01, 0x01, 'm', 0x01, 'm', 0x02, 0x00, 0x81, 0x80, 0x04);
    expect_module_invalid(&b, msg);
}

Test(validate_module, multiple_memories)
{
    wb_buf b = wb_module();
    WB_SECTION(&b, WB_MEMORY, 0x02, 0x00, 0x00, 0x00, 0x01);
    expect_module_invalid(&b, "multiple memories");
    b = wb_module();
    WB_SECTION(&b, WB_IMPORT, 0x01, 0x01, 'm', 0x01, 'm', 0x02, 0x00, 0x00);
    WB_SECTION(&b, WB_MEMORY, 0x01, 0x00, 0x00);
    expect_module_invalid(&b, "multiple memories");
    /* Several tables are fine in 2.0. */
    b = wb_module();
    WB_SECTION(&b, WB_TABLE, 0x02, FUNCREF, 0x00, 0x00, 0x6f, 0x00, 0x01);
    expect_valid(&b);
}

/* A one-function module with a memory, for load/store tests. */
static void mem_func(bool valid, const char *expect, const uint8_t *entry, size_t n)
{
    wb_buf b = wb_module();
    WB_SECTION(&b, WB_TYPE, 0x01, 0x60, 0x00, 0x00);
    WB_SECTION(&b, WB_FUNCTION, 0x01, 0x00);
    WB_SECTION(&b, WB_MEMORY, 0x01, 0x00, 0x01);
    wb_code1(&b, entry, n);
    if (valid) {
        expect_valid(&b);
        return;
    }
    weft_error err = expect_invalid(&b, expect);
    cr_assert_eq(err.func, 0);
}

#define MEM_VALID(...) mem_func(true, NULL, WB_BYTES(__VA_ARGS__))
#define MEM_INVALID(expect, ...) mem_func(false, expect, WB_BYTES(__VA_ARGS__))

Test(validate_instr, alignment)
{
    const char *msg = "alignment must not be larger than natural";
    MEM_VALID(0x00, I32_CONST, 0, I32_LOAD, 2, 0, DROP, END);
    MEM_VALID(0x00, I32_CONST, 0, I32_LOAD, 0, 0, DROP, END);
    MEM_VALID(0x00, I32_CONST, 0, I64_LOAD, 3, 0, DROP, END);
    MEM_INVALID(msg, 0x00, I32_CONST, 0, I32_LOAD, 3, 0, DROP, END);
    MEM_INVALID(msg, 0x00, I32_CONST, 0, I64_LOAD, 4, 0, DROP, END);
    MEM_INVALID(msg, 0x00, I32_CONST, 0, I32_LOAD8_S, 1, 0, DROP, END);
    MEM_INVALID(msg, 0x00, I32_CONST, 0, I32_CONST, 0, I32_STORE, 3, 0, END);
    /* The address must be an i32. */
    MEM_INVALID("type mismatch", 0x00, I64_CONST, 0, I32_LOAD, 2, 0, DROP, END);
}

/* A module with globals and one function whose body is `entry`. */
static wb_buf globals_module(const uint8_t *globals, size_t gn, const uint8_t *entry, size_t en)
{
    wb_buf b = wb_module();
    WB_SECTION(&b, WB_TYPE, 0x01, 0x60, 0x00, 0x00);
    WB_SECTION(&b, WB_IMPORT, 0x01, 0x01, 'm', 0x01, 'g', 0x03, I32, 0x00);
    WB_SECTION(&b, WB_FUNCTION, 0x01, 0x00);
    wb_section(&b, WB_GLOBAL, globals, gn);
    wb_code1(&b, entry, en);
    return b;
}

Test(validate_globals, set_immutable)
{
    /* Global 0 is an immutable import, global 1 immutable, global 2 mutable. */
    static const uint8_t globals[] = { 0x02, I32, 0x00, I32_CONST, 1, END,
                                       I32, 0x01, I32_CONST, 2, END };
    wb_buf b = globals_module(globals, sizeof globals,
                              WB_BYTES(0x00, I32_CONST, 5, GLOBAL_SET, 1, END));
    weft_error err = expect_invalid(&b, "global is immutable");
    cr_assert_eq(err.func, 0);
    b = globals_module(globals, sizeof globals, WB_BYTES(0x00, I32_CONST, 5, GLOBAL_SET, 0, END));
    expect_invalid(&b, "global is immutable");
    b = globals_module(globals, sizeof globals, WB_BYTES(0x00, I32_CONST, 5, GLOBAL_SET, 2, END));
    expect_valid(&b);
    b = globals_module(globals, sizeof globals,
                       WB_BYTES(0x00, I64_CONST, 5, GLOBAL_SET, 2, END));
    expect_invalid(&b, "type mismatch");
}

Test(validate_globals, constant_initialisers)
{
    const char *msg = "constant expression required";
    /* i32.ctz is not a constant instruction. */
    wb_buf b = globals_module(WB_BYTES(0x01, I32, 0x00, I32_CONST, 0, I32_CTZ, END),
                              WB_BYTES(0x00, END));
    expect_module_invalid(&b, msg);
    b = globals_module(WB_BYTES(0x01, I32, 0x00, NOP, I32_CONST, 0, END), WB_BYTES(0x00, END));
    expect_module_invalid(&b, msg);
    /* A mutable imported global is not constant. */
    b = wb_module();
    WB_SECTION(&b, WB_IMPORT, 0x01, 0x01, 'm', 0x01, 'g', 0x03, I32, 0x01);
    WB_SECTION(&b, WB_GLOBAL, 0x01, I32, 0x00, GLOBAL_GET, 0, END);
    expect_module_invalid(&b, msg);
    /* An immutable imported global is. */
    b = globals_module(WB_BYTES(0x01, I32, 0x00, GLOBAL_GET, 0, END), WB_BYTES(0x00, END));
    expect_valid(&b);
    /* The initialiser's type must match the global's. */
    b = globals_module(WB_BYTES(0x01, I32, 0x00, I64_CONST, 0, END), WB_BYTES(0x00, END));
    expect_module_invalid(&b, "type mismatch");
    b = globals_module(WB_BYTES(0x01, I32, 0x00, END), WB_BYTES(0x00, END));
    expect_module_invalid(&b, "type mismatch");
    b = globals_module(WB_BYTES(0x01, I32, 0x00, I32_CONST, 0, I32_CONST, 0, END),
                       WB_BYTES(0x00, END));
    expect_module_invalid(&b, "type mismatch");
}

Test(validate_refs, undeclared_function_reference)
{
    /* ref.func 0 in a body with function 0 never declared. */
    FUNC_INVALID("undeclared function reference", T_VOID, (0x00, REF_FUNC, 0, DROP, END));
    /* Declared by an export. */
    wb_buf b = wb_module();
    WB_SECTION(&b, WB_TYPE, 0x01, 0x60, 0x00, 0x00);
    WB_SECTION(&b, WB_FUNCTION, 0x01, 0x00);
    WB_SECTION(&b, WB_EXPORT, 0x01, 0x01, 'f', 0x00, 0x00);
    WB_CODE1(&b, 0x00, REF_FUNC, 0, DROP, END);
    expect_valid(&b);
    /* Declared by a declarative element segment (flags 3: elemkind, funcs). */
    b = wb_module();
    WB_SECTION(&b, WB_TYPE, 0x01, 0x60, 0x00, 0x00);
    WB_SECTION(&b, WB_FUNCTION, 0x01, 0x00);
    WB_SECTION(&b, WB_ELEMENT, 0x01, 0x03, 0x00, 0x01, 0x00);
    WB_CODE1(&b, 0x00, REF_FUNC, 0, DROP, END);
    expect_valid(&b);
    /* Declared by a global's initialiser. */
    b = wb_module();
    WB_SECTION(&b, WB_TYPE, 0x01, 0x60, 0x00, 0x00);
    WB_SECTION(&b, WB_FUNCTION, 0x01, 0x00);
    WB_SECTION(&b, WB_GLOBAL, 0x01, FUNCREF, 0x00, REF_FUNC, 0, END);
    WB_CODE1(&b, 0x00, REF_FUNC, 0, DROP, END);
    expect_valid(&b);
}

Test(validate_errors, func_index_counts_imports)
{
    /* One imported function, then two defined ones; the second is bad, so
     * the error names function 2 in the function index space. */
    wb_buf b = wb_module();
    WB_SECTION(&b, WB_TYPE, 0x01, 0x60, 0x00, 0x00);
    WB_SECTION(&b, WB_IMPORT, 0x01, 0x01, 'm', 0x01, 'f', 0x00, 0x00);
    WB_SECTION(&b, WB_FUNCTION, 0x02, 0x00, 0x00);
    WB_SECTION(&b, WB_CODE, 0x02, 0x02, 0x00, END, 0x04, 0x00, I32_CONST, 0, END);
    size_t len = b.len;
    weft_error err = expect_invalid(&b, "type mismatch");
    cr_assert_eq(err.func, 2, "func should be 2, got %lld", (long long)err.func);
    cr_assert(err.offset >= (int64_t)len - 4 && err.offset <= (int64_t)len, "offset %lld",
              (long long)err.offset);
    char line[400];
    weft_error_format(&err, line, sizeof line);
    cr_assert(strstr(line, "function 2"), "formatted: %s", line);
}

Test(validate_errors, unknown_data_and_elem_segments)
{
    wb_buf b = wb_module();
    WB_SECTION(&b, WB_TYPE, 0x01, 0x60, 0x00, 0x00);
    WB_SECTION(&b, WB_FUNCTION, 0x01, 0x00);
    WB_SECTION(&b, WB_MEMORY, 0x01, 0x00, 0x01);
    WB_SECTION(&b, WB_DATACOUNT, 0x00);
    WB_CODE1(&b, 0x00, 0xfc, 0x09, 0x00, END); /* data.drop 0 */
    expect_invalid(&b, "unknown data segment");
    b = wb_module();
    WB_SECTION(&b, WB_TYPE, 0x01, 0x60, 0x00, 0x00);
    WB_SECTION(&b, WB_FUNCTION, 0x01, 0x00);
    WB_CODE1(&b, 0x00, 0xfc, 0x0d, 0x00, END); /* elem.drop 0 */
    expect_invalid(&b, "unknown elem segment");
}

Test(validate_instr, select_arity_checked_first)
{
    /* select (result) and select (result i32 i32) are invalid whatever the
     * stack holds. */
    FUNC_INVALID("invalid result arity", T_VOID, (0x00, I32_CONST, 1, SELECT_T, 0, END));
    FUNC_INVALID("invalid result arity", T_VOID, (0x00, SELECT_T, 2, I32, I32, END));
    FUNC_VALID(T_VOID, (0x00, REF_NULL, FUNCREF, REF_NULL, FUNCREF, I32_CONST, 0, SELECT_T, 1,
                        FUNCREF, DROP, END));
}

Test(validate_instr, reference_and_table_types)
{
    /* ref.is_null wants a reference. */
    FUNC_INVALID("type mismatch", T_VOID, (0x00, I32_CONST, 0, 0xd1, DROP, END));
    FUNC_VALID(T_VOID, (0x00, UNREACHABLE, 0xd1, DROP, END));
    /* table.get of an externref table yields externref, not funcref. */
    wb_buf b = wb_module();
    WB_SECTION(&b, WB_TYPE, 0x01, 0x60, 0x00, 0x01, FUNCREF);
    WB_SECTION(&b, WB_FUNCTION, 0x01, 0x00);
    WB_SECTION(&b, WB_TABLE, 0x01, 0x6f, 0x00, 0x00);
    WB_CODE1(&b, 0x00, I32_CONST, 0, TABLE_GET, 0, END);
    expect_invalid(&b, "type mismatch");
    /* call_indirect through an externref table. */
    b = wb_module();
    WB_SECTION(&b, WB_TYPE, 0x01, 0x60, 0x00, 0x00);
    WB_SECTION(&b, WB_FUNCTION, 0x01, 0x00);
    WB_SECTION(&b, WB_TABLE, 0x01, 0x6f, 0x00, 0x00);
    WB_CODE1(&b, 0x00, I32_CONST, 0, CALL_INDIRECT, 0, 0, END);
    expect_invalid(&b, "type mismatch");
}

Test(validate_control, br_if_and_br_table_types)
{
    /* br_if to a block of i32 with an i64 value. */
    FUNC_INVALID("type mismatch", T_I32,
                 (0x00, BLOCK, I32, I64_CONST, 0, I32_CONST, 0, BR_IF, 0, END, END));
    /* br_if leaves its value on the stack. */
    FUNC_VALID(T_I32, (0x00, BLOCK, I32, I32_CONST, 7, I32_CONST, 0, BR_IF, 0, END, END));
    /* br_table's operand must be an i32. */
    FUNC_INVALID("type mismatch", T_VOID, (0x00, I64_CONST, 0, BR_TABLE, 0, 0, END));
}

Test(validate_segments, segment_types)
{
    /* A passive externref segment holding ref.null func. */
    wb_buf b = wb_module();
    WB_SECTION(&b, WB_ELEMENT, 0x01, 0x05, 0x6f, 0x01, REF_NULL, FUNCREF, END);
    expect_module_invalid(&b, "type mismatch");
    /* A funcref segment into an externref table. */
    b = wb_module();
    WB_SECTION(&b, WB_TABLE, 0x01, 0x6f, 0x00, 0x01);
    WB_SECTION(&b, WB_ELEMENT, 0x01, 0x04, I32_CONST, 0, END, 0x00);
    expect_module_invalid(&b, "type mismatch");
    /* An active segment for a table that does not exist. */
    b = wb_module();
    WB_SECTION(&b, WB_TABLE, 0x01, FUNCREF, 0x00, 0x01);
    WB_SECTION(&b, WB_ELEMENT, 0x01, 0x02, 0x01, I32_CONST, 0, END, 0x00, 0x00);
    expect_module_invalid(&b, "unknown table");
    /* A data segment for memory 1, and one whose offset is an i64. */
    b = wb_module();
    WB_SECTION(&b, WB_MEMORY, 0x01, 0x00, 0x01);
    WB_SECTION(&b, WB_DATA, 0x01, 0x02, 0x01, I32_CONST, 0, END, 0x00);
    expect_module_invalid(&b, "unknown memory");
    b = wb_module();
    WB_SECTION(&b, WB_MEMORY, 0x01, 0x00, 0x01);
    WB_SECTION(&b, WB_DATA, 0x01, 0x00, I64_CONST, 0, END, 0x00);
    expect_module_invalid(&b, "type mismatch");
    /* A global of funcref initialised with ref.null extern. */
    b = wb_module();
    WB_SECTION(&b, WB_GLOBAL, 0x01, FUNCREF, 0x00, REF_NULL, 0x6f, END);
    expect_module_invalid(&b, "type mismatch");
}

Test(validate_module, imported_table_limits)
{
    wb_buf b = wb_module();
    WB_SECTION(&b, WB_IMPORT, 0x01, 0x01, 'm', 0x01, 't', 0x01, FUNCREF, 0x01, 0x02, 0x01);
    expect_module_invalid(&b, "size minimum must not be greater than maximum");
    /* Table sizes may go up to 2^32 - 1. */
    b = wb_module();
    WB_SECTION(&b, WB_TABLE, 0x01, FUNCREF, 0x01, 0x00, 0xff, 0xff, 0xff, 0xff, 0x0f);
    expect_valid(&b);
}

/* ---- A code section big enough to be validated on several threads ---- */

#define BIG_FUNCS 1200   /* of about 1000 bytes each: over a MiB of code */

/* A module of BIG_FUNCS functions of type [] -> [], each 333 times
 * `i32.const 1; drop`; the functions in `bad` (ascending, ending with
 * UINT32_MAX) leave an i32 on the stack instead, so end is a type mismatch. */
static wb_buf big_module(const uint32_t *bad)
{
    wb_buf b = wb_module();
    WB_SECTION(&b, WB_TYPE, 0x01, 0x60, 0x00, 0x00);
    wb_buf s = { 0 };
    wb_uleb(&s, BIG_FUNCS);
    for (uint32_t i = 0; i < BIG_FUNCS; i++)
        wb_byte(&s, 0);
    wb_section(&b, WB_FUNCTION, s.data, s.len);
    wb_free(&s);
    wb_uleb(&s, BIG_FUNCS);
    for (uint32_t i = 0; i < BIG_FUNCS; i++) {
        bool invalid = *bad == i;
        bad += invalid;
        wb_uleb(&s, 1 + 333 * 3 + (invalid ? 2 : 0) + 1);
        wb_byte(&s, 0x00);
        for (int k = 0; k < 333; k++)
            wb_put(&s, WB_BYTES(I32_CONST, 1, DROP));
        if (invalid)
            wb_put(&s, WB_BYTES(I32_CONST, 1));
        wb_byte(&s, END);
    }
    cr_assert_gt(s.len, 1u << 20, "the code section must be over a MiB: %zu", s.len);
    wb_section(&b, WB_CODE, s.data, s.len);
    wb_free(&s);
    return b;
}

/* The invalid function reported is the first one in the section, wherever
 * the others are. */
static void expect_big_invalid(const uint32_t *bad)
{
    wb_buf b = big_module(bad);
    weft_error err = expect_invalid(&b, "type mismatch");
    cr_assert_eq(err.func, bad[0], "reported function %lld, the first invalid one is %u",
                 (long long)err.func, bad[0]);
    cr_assert_eq(err.section, WB_CODE);
}

Test(validate_bodies, big_code_section)
{
    wb_buf b = big_module((const uint32_t[]){ UINT32_MAX });
    expect_valid(&b);
    expect_big_invalid((const uint32_t[]){ 0, UINT32_MAX });
    expect_big_invalid((const uint32_t[]){ BIG_FUNCS - 1, UINT32_MAX });
    expect_big_invalid((const uint32_t[]){ BIG_FUNCS / 2, UINT32_MAX });
    expect_big_invalid((const uint32_t[]){ 3, BIG_FUNCS / 2, BIG_FUNCS - 1, UINT32_MAX });
    expect_big_invalid((const uint32_t[]){ BIG_FUNCS / 3, 2 * BIG_FUNCS / 3, UINT32_MAX });
}
