/* test_gc_types.c: the types of garbage collection (issue 27, part A):
 * recursion groups made canonical across modules (iso-recursive: a
 * function imported from another module links exactly when the two rec
 * groups are the same, type by type and in the same order), declared
 * supertypes in import matching, the type section's rules (a sub type must
 * name an earlier, non-final type it matches), malformed type encodings,
 * and the validation of GC instructions and of subtyping in code. Debian's
 * wat2wasm (1.0.32) has no GC, so the modules are assembled byte by byte. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

#include "helpers.h"
#include "wasm_builder.h"
#include "weft.h"

/* The binary encodings used below. */
enum {
    REC = 0x4e, SUB = 0x50, SUB_FINAL = 0x4f, STRUCT = 0x5f, ARRAY = 0x5e, FUNC = 0x60,
    REF_NULL = 0x63, REF = 0x64, I8 = 0x78, CONST = 0x00, VAR = 0x01,
    I32 = 0x7f, I64 = 0x7e, GC = 0xfb, EQREF = 0x6d, FUNCREF = 0x70, ANY = 0x6e, NONE = 0x71,
    STRUCTREF = 0x6b,
};

/* Loads `b` (freed) with every proposal on; the status, `err` saying why. */
static weft_status load(wb_buf *b, weft_module **out, weft_error *err)
{
    weft_status s = weft_module_load(b->data, b->len, out, err);
    wb_free(b);
    return s;
}

/* Whether a module of type section `types` (its content: the group count
 * and the groups) and nothing else loads; `err` says why not. */
static weft_status load_types(const uint8_t *types, size_t n, weft_error *err)
{
    wb_buf b = wb_module();
    wb_section(&b, WB_TYPE, types, n);
    weft_module *m = NULL;
    weft_status s = load(&b, &m, err);
    weft_module_free(m);
    return s;
}
#define LOAD_TYPES(err, ...) load_types(WB_BYTES(__VA_ARGS__), err)

/* A module of type section `types` and one function of type `type`
 * whose code entry (locals, instructions, end) is `entry`. */
static weft_status load_func(const uint8_t *types, size_t tn, uint8_t type, const uint8_t *entry,
                             size_t en, weft_error *err)
{
    wb_buf b = wb_module();
    wb_section(&b, WB_TYPE, types, tn);
    WB_SECTION(&b, WB_FUNCTION, 0x01, type);
    wb_code1(&b, entry, en);
    weft_module *m = NULL;
    weft_status s = load(&b, &m, err);
    weft_module_free(m);
    return s;
}
#define LOAD_FUNC(err, types, type, entry) load_func(WB_LIST(types), type, WB_LIST(entry), err)

/* ---- Rec groups across modules ---------------------------------------------------- */

/* A module exporting "f", a function of type `type` of the type section
 * `types`, with an empty body. */
static weft_module *exporter(const uint8_t *types, size_t n, uint8_t type)
{
    wb_buf b = wb_module();
    wb_section(&b, WB_TYPE, types, n);
    WB_SECTION(&b, WB_FUNCTION, 0x01, type);
    WB_SECTION(&b, WB_EXPORT, 0x01, 0x01, 'f', 0x00, 0x00);
    WB_CODE1(&b, 0x00, 0x0b);
    weft_module *m = NULL;
    weft_error err;
    cr_assert_eq(load(&b, &m, &err), WEFT_OK, "%s", err.message);
    return m;
}

/* A module importing m.f with type `type` of the type section `types`. */
static weft_module *importer(const uint8_t *types, size_t n, uint8_t type)
{
    wb_buf b = wb_module();
    wb_section(&b, WB_TYPE, types, n);
    WB_SECTION(&b, WB_IMPORT, 0x01, 0x01, 'm', 0x01, 'f', 0x00, type);
    weft_module *m = NULL;
    weft_error err;
    cr_assert_eq(load(&b, &m, &err), WEFT_OK, "%s", err.message);
    return m;
}

/* Whether the importer of (types, type) links to the exporter of
 * (etypes, etype)'s "f". */
static weft_status link(const uint8_t *etypes, size_t en, uint8_t etype, const uint8_t *itypes,
                        size_t in, uint8_t itype)
{
    weft_engine *e = engine();
    weft_module *exp = exporter(etypes, en, etype), *imp = importer(itypes, in, itype);
    weft_instance *src = instantiate(e, exp), *inst = NULL;
    weft_extern f = export_of(src, "f", WEFT_EXTERN_FUNC);
    weft_error err;
    weft_status s = weft_instantiate(e, imp, resolve_to, &f, &inst, &err);
    weft_engine_free(e);
    weft_module_free(exp);
    weft_module_free(imp);
    return s;
}
#define LINK(etypes, etype, itypes, itype) link(WB_LIST(etypes), etype, WB_LIST(itypes), itype)

/* rec { 0: struct (field (mut (ref null 1))), 1: func (param (ref null 0)) } */
#define GROUP_A (0x01, REC, 0x02, STRUCT, 0x01, REF_NULL, 0x01, VAR, \
                 FUNC, 0x01, REF_NULL, 0x00, 0x00)
/* The same types in the other order: a different group. */
#define GROUP_A_SWAPPED (0x01, REC, 0x02, FUNC, 0x01, REF_NULL, 0x01, 0x00, \
                         STRUCT, 0x01, REF_NULL, 0x00, VAR)
/* GROUP_A but for an immutable field. */
#define GROUP_A_CONST (0x01, REC, 0x02, STRUCT, 0x01, REF_NULL, 0x01, CONST, \
                       FUNC, 0x01, REF_NULL, 0x00, 0x00)
/* GROUP_A after an unrelated type: the same group at other indices. */
#define GROUP_A_LATER (0x02, FUNC, 0x00, 0x01, I64, \
                       REC, 0x02, STRUCT, 0x01, REF_NULL, 0x02, VAR, \
                       FUNC, 0x01, REF_NULL, 0x01, 0x00)

Test(gc_types, rec_groups_are_canonical_across_modules)
{
    cr_assert_eq(LINK(GROUP_A, 1, GROUP_A, 1), WEFT_OK);
    cr_assert_eq(LINK(GROUP_A, 1, GROUP_A_LATER, 2), WEFT_OK);
    cr_assert_eq(LINK(GROUP_A_LATER, 2, GROUP_A, 1), WEFT_OK);
    /* The same types in another order, or a field of another mutability,
     * make another group: its function type is another type. */
    cr_assert_eq(LINK(GROUP_A, 1, GROUP_A_SWAPPED, 0), WEFT_ERR_LINK);
    cr_assert_eq(LINK(GROUP_A, 1, GROUP_A_CONST, 1), WEFT_ERR_LINK);
}

/* 0: (sub (func)), 1: (sub 0 (func)), 2: (func) final. */
#define FUNC_SUBS (0x03, SUB, 0x00, FUNC, 0x00, 0x00, SUB, 0x01, 0x00, FUNC, 0x00, 0x00, \
                   FUNC, 0x00, 0x00)

Test(gc_types, declared_supertypes_in_import_matching)
{
    /* A function of type 1 may be imported as a 0, its declared
     * supertype; not the other way, and not as the final (func), which is
     * another type than (sub (func)). */
    cr_assert_eq(LINK(FUNC_SUBS, 1, FUNC_SUBS, 0), WEFT_OK);
    cr_assert_eq(LINK(FUNC_SUBS, 0, FUNC_SUBS, 1), WEFT_ERR_LINK);
    cr_assert_eq(LINK(FUNC_SUBS, 1, FUNC_SUBS, 2), WEFT_ERR_LINK);
    cr_assert_eq(LINK(FUNC_SUBS, 2, FUNC_SUBS, 2), WEFT_OK);
}

/* ---- The type section's rules ------------------------------------------------------ */

Test(gc_types, valid_sub_types)
{
    weft_error err;
    /* Width and depth subtyping of structs: an immutable field may become
     * a subtype (eqref to (ref null 0)); fields may be added. */
    cr_assert_eq(LOAD_TYPES(&err, 0x02, SUB, 0x00, STRUCT, 0x01, EQREF, CONST,
                            SUB, 0x01, 0x00, STRUCT, 0x02, REF_NULL, 0x00, CONST, I32, VAR),
                 WEFT_OK, "%s", err.message);
    /* Arrays of packed i8; an empty rec group. */
    cr_assert_eq(LOAD_TYPES(&err, 0x02, ARRAY, I8, VAR, REC, 0x00), WEFT_OK, "%s", err.message);
    /* A type naming a later type of its own group. */
    cr_assert_eq(LOAD_TYPES(&err, 0x01, REC, 0x02, STRUCT, 0x01, REF_NULL, 0x01, CONST,
                            ARRAY, REF_NULL, 0x00, CONST),
                 WEFT_OK, "%s", err.message);
}

Test(gc_types, invalid_sub_types_are_rejected)
{
    weft_error err;
    /* A sub type of a final type. */
    cr_assert_eq(LOAD_TYPES(&err, 0x02, FUNC, 0x00, 0x00, SUB, 0x01, 0x00, FUNC, 0x00, 0x00),
                 WEFT_ERR_INVALID);
    cr_assert_eq(LOAD_TYPES(&err, 0x02, SUB_FINAL, 0x00, FUNC, 0x00, 0x00,
                            SUB, 0x01, 0x00, FUNC, 0x00, 0x00),
                 WEFT_ERR_INVALID);
    /* A field that does not match: i64 for i32. */
    cr_assert_eq(LOAD_TYPES(&err, 0x02, SUB, 0x00, STRUCT, 0x01, I32, CONST,
                            SUB, 0x01, 0x00, STRUCT, 0x01, I64, CONST),
                 WEFT_ERR_INVALID);
    /* A mutable field may not change its type, even to a subtype. */
    cr_assert_eq(LOAD_TYPES(&err, 0x02, SUB, 0x00, STRUCT, 0x01, EQREF, VAR,
                            SUB, 0x01, 0x00, STRUCT, 0x01, REF_NULL, 0x00, VAR),
                 WEFT_ERR_INVALID);
    /* Fewer fields than the supertype; another kind (array of a struct). */
    cr_assert_eq(LOAD_TYPES(&err, 0x02, SUB, 0x00, STRUCT, 0x01, I32, CONST,
                            SUB, 0x01, 0x00, STRUCT, 0x00),
                 WEFT_ERR_INVALID);
    cr_assert_eq(LOAD_TYPES(&err, 0x02, SUB, 0x00, STRUCT, 0x00,
                            SUB, 0x01, 0x00, ARRAY, I32, CONST),
                 WEFT_ERR_INVALID);
    /* A supertype that comes later, or is the type itself. */
    cr_assert_eq(LOAD_TYPES(&err, 0x01, REC, 0x02, SUB, 0x01, 0x01, FUNC, 0x00, 0x00,
                            SUB, 0x00, FUNC, 0x00, 0x00),
                 WEFT_ERR_INVALID);
    cr_assert_eq(LOAD_TYPES(&err, 0x01, SUB, 0x01, 0x00, FUNC, 0x00, 0x00), WEFT_ERR_INVALID);
    /* Two supertypes. */
    cr_assert_eq(LOAD_TYPES(&err, 0x03, SUB, 0x00, FUNC, 0x00, 0x00, SUB, 0x00, FUNC, 0x00, 0x00,
                            SUB, 0x02, 0x00, 0x01, FUNC, 0x00, 0x00),
                 WEFT_ERR_INVALID);
    /* A reference to a type of a later group. */
    cr_assert_eq(LOAD_TYPES(&err, 0x02, STRUCT, 0x01, REF_NULL, 0x01, CONST, STRUCT, 0x00),
                 WEFT_ERR_INVALID);
    cr_assert(strstr(err.message, "unknown type"), "%s", err.message);
}

Test(gc_types, malformed_types_are_rejected)
{
    weft_error err;
    /* An unknown composite type form, a mutability byte of 2, a packed
     * type where a value type must be, a cut-short group. */
    cr_assert_eq(LOAD_TYPES(&err, 0x01, 0x5d, 0x00), WEFT_ERR_MALFORMED);
    cr_assert_eq(LOAD_TYPES(&err, 0x01, STRUCT, 0x01, I32, 0x02), WEFT_ERR_MALFORMED);
    cr_assert_eq(LOAD_TYPES(&err, 0x01, FUNC, 0x01, I8, 0x00), WEFT_ERR_MALFORMED);
    cr_assert_eq(LOAD_TYPES(&err, 0x01, REC, 0x02, STRUCT, 0x00), WEFT_ERR_MALFORMED);
    cr_assert_eq(LOAD_TYPES(&err, 0x01, SUB, 0x05, 0x00), WEFT_ERR_MALFORMED);
    /* Without the feature a rec group, a struct and (ref null any) are
     * malformed, as in WebAssembly 2.0. */
    weft_features f;
    weft_features_init(&f);
    f.gc = false;
    wb_buf b = wb_module();
    WB_SECTION(&b, WB_TYPE, 0x01, REC, 0x01, FUNC, 0x00, 0x00);
    cr_assert_eq(wb_load_with(&b, &f, &err), WEFT_ERR_MALFORMED);
    b = wb_module();
    WB_SECTION(&b, WB_TYPE, 0x01, STRUCT, 0x00);
    cr_assert_eq(wb_load_with(&b, &f, &err), WEFT_ERR_MALFORMED);
    b = wb_module();
    WB_SECTION(&b, WB_TYPE, 0x01, FUNC, 0x01, REF_NULL, ANY, 0x00);
    cr_assert_eq(wb_load_with(&b, &f, &err), WEFT_ERR_MALFORMED);
    /* With it, all three are fine. */
    cr_assert_eq(LOAD_TYPES(&err, 0x01, FUNC, 0x01, REF_NULL, ANY, 0x00), WEFT_OK, "%s",
                 err.message);
}

/* ---- Instructions and subtyping in code ------------------------------------------------ */

/* 0: (sub (struct (field i32))), 1: (sub 0 (struct (field i32) (field (mut i8)))),
 * 2: (array (mut i32)), then function types: 3: [] -> [i32],
 * 4: [(ref 1)] -> [(ref null 0)], 5: [(ref null 0)] -> [(ref 1)],
 * 6: [(ref 1)] -> [eqref], 7: [(ref 1)] -> [funcref], 8: [] -> [(ref null 1)],
 * 9: [anyref] -> [i32]. */
#define CODE_TYPES (0x0a, SUB, 0x00, STRUCT, 0x01, I32, CONST, \
                    SUB, 0x01, 0x00, STRUCT, 0x02, I32, CONST, I8, VAR, \
                    ARRAY, I32, VAR, \
                    FUNC, 0x00, 0x01, I32, \
                    FUNC, 0x01, REF, 0x01, 0x01, REF_NULL, 0x00, \
                    FUNC, 0x01, REF_NULL, 0x00, 0x01, REF, 0x01, \
                    FUNC, 0x01, REF, 0x01, 0x01, EQREF, \
                    FUNC, 0x01, REF, 0x01, 0x01, FUNCREF, \
                    FUNC, 0x00, 0x01, REF_NULL, 0x01, \
                    FUNC, 0x01, ANY, 0x01, I32)

Test(gc_types, subtyping_in_code)
{
    weft_error err;
    /* (ref 1) <: (ref null 0) by the declared supertype; not the reverse. */
    cr_assert_eq(LOAD_FUNC(&err, CODE_TYPES, 4, (0x00, 0x20, 0x00, 0x0b)), WEFT_OK, "%s",
                 err.message);
    cr_assert_eq(LOAD_FUNC(&err, CODE_TYPES, 5, (0x00, 0x20, 0x00, 0x0b)), WEFT_ERR_INVALID);
    /* A struct type is below eq, not below func. */
    cr_assert_eq(LOAD_FUNC(&err, CODE_TYPES, 6, (0x00, 0x20, 0x00, 0x0b)), WEFT_OK, "%s",
                 err.message);
    cr_assert_eq(LOAD_FUNC(&err, CODE_TYPES, 7, (0x00, 0x20, 0x00, 0x0b)), WEFT_ERR_INVALID);
    /* (ref.null none) is a (ref null 1). */
    cr_assert_eq(LOAD_FUNC(&err, CODE_TYPES, 8, (0x00, 0xd0, NONE, 0x0b)), WEFT_OK, "%s",
                 err.message);
}

Test(gc_types, gc_instructions_are_validated)
{
    weft_error err;
    /* struct.get 1 0 of struct.new 1 (i32.const 7) (i32.const 1). */
    cr_assert_eq(LOAD_FUNC(&err, CODE_TYPES, 3,
                           (0x00, 0x41, 0x07, 0x41, 0x01, GC, 0x00, 0x01, GC, 0x02, 0x01, 0x00, 0x0b)),
                 WEFT_OK, "%s", err.message);
    /* A missing operand of struct.new. */
    cr_assert_eq(LOAD_FUNC(&err, CODE_TYPES, 3,
                           (0x00, 0x41, 0x07, GC, 0x00, 0x01, GC, 0x02, 0x01, 0x00, 0x0b)),
                 WEFT_ERR_INVALID);
    /* The packed field 1 read by struct.get_u, not by struct.get. */
    cr_assert_eq(LOAD_FUNC(&err, CODE_TYPES, 3,
                           (0x00, GC, 0x01, 0x01, GC, 0x04, 0x01, 0x01, 0x0b)),
                 WEFT_OK, "%s", err.message);
    cr_assert_eq(LOAD_FUNC(&err, CODE_TYPES, 3,
                           (0x00, GC, 0x01, 0x01, GC, 0x02, 0x01, 0x01, 0x0b)),
                 WEFT_ERR_INVALID);
    /* struct.set of the immutable field 0; of a field that does not exist. */
    cr_assert_eq(LOAD_FUNC(&err, CODE_TYPES, 3,
                           (0x00, GC, 0x01, 0x01, 0x41, 0x00, GC, 0x05, 0x01, 0x00, 0x41, 0x00, 0x0b)),
                 WEFT_ERR_INVALID);
    cr_assert_eq(LOAD_FUNC(&err, CODE_TYPES, 3,
                           (0x00, GC, 0x01, 0x01, GC, 0x02, 0x01, 0x05, 0x0b)),
                 WEFT_ERR_INVALID);
    /* array.len of array.new_fixed 2 3 (three i32). */
    cr_assert_eq(LOAD_FUNC(&err, CODE_TYPES, 3,
                           (0x00, 0x41, 0x01, 0x41, 0x02, 0x41, 0x03, GC, 0x08, 0x02, 0x03,
                            GC, 0x0f, 0x0b)),
                 WEFT_OK, "%s", err.message);
    /* struct.new of an array type. */
    cr_assert_eq(LOAD_FUNC(&err, CODE_TYPES, 3, (0x00, GC, 0x00, 0x02, 0x1a, 0x41, 0x00, 0x0b)),
                 WEFT_ERR_INVALID);
    /* ref.test (ref 0) of an anyref; ref.test of a funcref against a
     * struct type is of another hierarchy. */
    cr_assert_eq(LOAD_FUNC(&err, CODE_TYPES, 9, (0x00, 0x20, 0x00, GC, 0x14, 0x00, 0x0b)),
                 WEFT_OK, "%s", err.message);
    cr_assert_eq(LOAD_FUNC(&err, CODE_TYPES, 3, (0x00, 0xd0, FUNCREF, GC, 0x14, 0x00, 0x0b)),
                 WEFT_ERR_INVALID);
    /* ref.eq of two i31 references; i31.get_s. */
    cr_assert_eq(LOAD_FUNC(&err, CODE_TYPES, 3,
                           (0x00, 0x41, 0x01, GC, 0x1c, 0x41, 0x02, GC, 0x1c, 0xd3, 0x0b)),
                 WEFT_OK, "%s", err.message);
    cr_assert_eq(LOAD_FUNC(&err, CODE_TYPES, 3, (0x00, 0x41, 0x01, GC, 0x1c, GC, 0x1d, 0x0b)),
                 WEFT_OK, "%s", err.message);
    /* br_on_cast from funcref to structref: the target is not below the
     * source (another hierarchy). */
    cr_assert_eq(LOAD_FUNC(&err, CODE_TYPES, 9,
                           (0x00, 0x02, 0x40, 0x20, 0x00, GC, 0x18, 0x03, 0x00, FUNCREF, STRUCTREF,
                            0x1a, 0x0b, 0x41, 0x00, 0x0b)),
                 WEFT_ERR_INVALID);
    /* Without the feature, 0xfb is an illegal opcode. */
    weft_features f;
    weft_features_init(&f);
    f.gc = false;
    wb_buf b = wb_module();
    WB_SECTION(&b, WB_TYPE, 0x01, FUNC, 0x00, 0x01, I32);
    WB_SECTION(&b, WB_FUNCTION, 0x01, 0x00);
    WB_CODE1(&b, 0x00, 0x41, 0x01, GC, 0x1c, GC, 0x1d, 0x0b);
    cr_assert_eq(wb_load_with(&b, &f, &err), WEFT_ERR_MALFORMED);
}

Test(gc_types, gc_constant_expressions)
{
    weft_error err;
    /* (global (ref 0) (struct.new 0 (i32.const 5))) and a global of
     * (ref i31) made by ref.i31 validate; i32.add of an i31 does not. */
    wb_buf b = wb_module();
    WB_SECTION(&b, WB_TYPE, 0x01, STRUCT, 0x01, I32, CONST);
    WB_SECTION(&b, WB_GLOBAL, 0x02, REF, 0x00, 0x00, 0x41, 0x05, GC, 0x00, 0x00, 0x0b,
               REF, 0x6c, 0x00, 0x41, 0x05, GC, 0x1c, 0x0b);
    weft_module *m = NULL;
    cr_assert_eq(load(&b, &m, &err), WEFT_OK, "%s", err.message);
    weft_module_free(m);
    b = wb_module();
    WB_SECTION(&b, WB_GLOBAL, 0x01, I32, 0x00, 0x41, 0x05, GC, 0x1c, 0x0b);
    cr_assert_eq(load(&b, &m, &err), WEFT_ERR_INVALID);
}

/* ---- What runs without a heap: i31, ref.eq, casts ---------------------------------- */

/* Adds `code` after the sections of `b`, with `exports` before it (both
 * freed), and loads the module, which must load. */
static weft_module *finish(wb_buf *b, wb_buf *exports, wb_buf *code)
{
    wb_section(b, WB_EXPORT, exports->data, exports->len);
    wb_section(b, WB_CODE, code->data, code->len);
    wb_free(exports);
    wb_free(code);
    weft_module *m = NULL;
    weft_error err;
    cr_assert_eq(load(b, &m, &err), WEFT_OK, "%s", err.message);
    return m;
}

static const char *const i31_names[] = { "get_s", "get_u", "eq", "null_get", "test_null",
                                         "cast_fail", "br_on_cast" };

/* Types 0: [i32] -> [i32], 1: [i32 i32] -> [i32], 2: [] -> [i32]; one
 * function per name of i31_names, in order. */
static weft_module *i31_module(void)
{
    wb_buf b = wb_module();
    WB_SECTION(&b, WB_TYPE, 0x03, FUNC, 0x01, I32, 0x01, I32, FUNC, 0x02, I32, I32, 0x01, I32,
               FUNC, 0x00, 0x01, I32);
    WB_SECTION(&b, WB_FUNCTION, 0x07, 0, 0, 1, 2, 2, 2, 0);
    wb_buf exports = { 0 }, code = { 0 };
    wb_byte(&exports, 7);
    for (uint32_t i = 0; i < 7; i++)
        wb_export_func(&exports, i31_names[i], i);
    wb_byte(&code, 7);
    WB_BODY(&code, 0x20, 0x00, GC, 0x1c, GC, 0x1d);                   /* i31.get_s (ref.i31 x) */
    WB_BODY(&code, 0x20, 0x00, GC, 0x1c, GC, 0x1e);                   /* i31.get_u (ref.i31 x) */
    WB_BODY(&code, 0x20, 0x00, GC, 0x1c, 0x20, 0x01, GC, 0x1c, 0xd3); /* ref.eq */
    WB_BODY(&code, 0xd0, 0x6c, GC, 0x1d);                             /* i31.get_s of null */
    WB_BODY(&code, 0xd0, NONE, GC, 0x15, 0x6c);                       /* ref.test (ref null i31) */
    WB_BODY(&code, 0xd0, ANY, GC, 0x16, 0x6c, 0x1a, 0x41, 0x00);      /* ref.cast (ref i31) null */
    /* (block (result i31ref) (br_on_cast 0 anyref (ref i31) (ref.i31 x)) drop
     *  (ref.null i31)) then i31.get_u. */
    WB_BODY(&code, 0x02, 0x6c, 0x20, 0x00, GC, 0x1c, GC, 0x18, 0x01, 0x00, ANY, 0x6c, 0x1a,
         0xd0, 0x6c, 0x0b, GC, 0x1e);
    return finish(&b, &exports, &code);
}

#define ARGS(...) (const weft_value[]){ __VA_ARGS__ }, sizeof((const weft_value[]){ __VA_ARGS__ }) / sizeof(weft_value)

static void trap_call(weft_engine *e, weft_instance *inst, const char *name, const char *message,
                      const mode *md)
{
    weft_error err;
    cr_assert_eq(call(e, inst, name, NULL, 0, NULL, &err), WEFT_ERR_TRAP, "%s (%s) did not trap",
                 name, mode_name(md));
    cr_assert(strstr(err.message, message), "%s (%s): %s", name, mode_name(md), err.message);
}

Test(gc_types, i31_and_casts_in_every_mode)
{
    weft_module *m = i31_module();
    FOR_EACH_MODE(md) {
        weft_engine *e = engine_with(md->dispatch, md->bounds);
        weft_instance *inst = instantiate(e, m);
        /* The low 31 bits, sign- or zero-extended. */
        cr_assert_eq((int32_t)ok_call(e, inst, "get_s", ARGS(i32(0x7fffffff)), md), -1);
        cr_assert_eq((int32_t)ok_call(e, inst, "get_s", ARGS(i32(0x40000000)), md), -0x40000000);
        cr_assert_eq((int32_t)ok_call(e, inst, "get_s", ARGS(i32(-5)), md), -5);
        cr_assert_eq((int32_t)ok_call(e, inst, "get_u", ARGS(i32(-1)), md), 0x7fffffff);
        cr_assert_eq((int32_t)ok_call(e, inst, "get_u", ARGS(i32(0x80000001)), md), 1);
        /* Equal values, equal references; bit 31 is not part of the value. */
        cr_assert_eq(ok_call(e, inst, "eq", ARGS(i32(7), i32(7)), md), 1);
        cr_assert_eq(ok_call(e, inst, "eq", ARGS(i32(7), i32(8)), md), 0);
        cr_assert_eq(ok_call(e, inst, "eq", ARGS(i32(1), i32(0x80000001)), md), 1);
        trap_call(e, inst, "null_get", "null i31 reference", md);
        cr_assert_eq(ok_call(e, inst, "test_null", NULL, 0, md), 1);
        trap_call(e, inst, "cast_fail", "cast failure", md);
        cr_assert_eq(ok_call(e, inst, "br_on_cast", ARGS(i32(42)), md), 42);
        weft_engine_free(e);
    }
    weft_module_free(m);
}

/* References of the any hierarchy reach the host as WEFT_ANYREF (an i31 a
 * word with bit 0 set), and a null of a bottom type as its hierarchy's
 * kind: nofunc as funcref, none as anyref. */
Test(gc_types, any_references_at_the_api)
{
    wb_buf b = wb_module();
    /* Types 0: [i32] -> [anyref], 1: [] -> [nullfuncref], 2: [] -> [nullref]. */
    WB_SECTION(&b, WB_TYPE, 0x03, FUNC, 0x01, I32, 0x01, ANY, FUNC, 0x00, 0x01, 0x73,
               FUNC, 0x00, 0x01, NONE);
    WB_SECTION(&b, WB_FUNCTION, 0x03, 0, 1, 2);
    wb_buf exports = { 0 }, code = { 0 };
    wb_byte(&exports, 3);
    wb_export_func(&exports, "i31", 0);
    wb_export_func(&exports, "nofunc", 1);
    wb_export_func(&exports, "none", 2);
    wb_byte(&code, 3);
    WB_BODY(&code, 0x20, 0x00, GC, 0x1c); /* ref.i31 x */
    WB_BODY(&code, 0xd0, 0x73);           /* ref.null nofunc */
    WB_BODY(&code, 0xd0, NONE);           /* ref.null none */
    weft_module *m = finish(&b, &exports, &code);
    weft_error err;
    weft_engine *e = engine_with(WEFT_DISPATCH_DIRECT, WEFT_BOUNDS_GUARD);
    weft_instance *inst = instantiate(e, m);
    weft_value r;
    cr_assert_eq(call(e, inst, "i31", ARGS(i32(21)), &r, &err), WEFT_OK, "%s", err.message);
    cr_assert_eq(r.kind, WEFT_ANYREF);
    cr_assert_eq((uintptr_t)r.of.ref, (21u << 1) | 1u);
    cr_assert_eq(call(e, inst, "nofunc", NULL, 0, &r, &err), WEFT_OK, "%s", err.message);
    cr_assert_eq(r.kind, WEFT_FUNCREF);
    cr_assert_null(r.of.ref);
    cr_assert_eq(call(e, inst, "none", NULL, 0, &r, &err), WEFT_OK, "%s", err.message);
    cr_assert_eq(r.kind, WEFT_ANYREF);
    cr_assert_null(r.of.ref);
    weft_engine_free(e);
    weft_module_free(m);
}
