/* test_fold.c: constant folding (lower_fold.c) computes what the
 * instructions compute when they run. For each scalar operator and each
 * pair of operands from a set of edge values, a function applies the
 * operator to constants (folded while lowering) and another to its
 * parameters (computed by the handler); the two must give the same bits, or
 * both trap. Floats travel as their bits (reinterpreted), so that NaN
 * payloads and signed zeros are compared too; a NaN result only has to be
 * a NaN, as the spec lets an operation pick any NaN payload. */
#include <criterion/criterion.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"

typedef enum { T_I32, T_I64, T_F32, T_F64 } type;

typedef struct op {
    const char *name; /* "i32.add" */
    type in, out;
    int arity;
} op;

static const op ops[] = {
    { "i32.add", T_I32, T_I32, 2 }, { "i32.sub", T_I32, T_I32, 2 }, { "i32.mul", T_I32, T_I32, 2 },
    { "i32.div_s", T_I32, T_I32, 2 }, { "i32.div_u", T_I32, T_I32, 2 },
    { "i32.rem_s", T_I32, T_I32, 2 }, { "i32.rem_u", T_I32, T_I32, 2 },
    { "i32.and", T_I32, T_I32, 2 }, { "i32.or", T_I32, T_I32, 2 }, { "i32.xor", T_I32, T_I32, 2 },
    { "i32.shl", T_I32, T_I32, 2 }, { "i32.shr_s", T_I32, T_I32, 2 },
    { "i32.shr_u", T_I32, T_I32, 2 }, { "i32.rotl", T_I32, T_I32, 2 },
    { "i32.rotr", T_I32, T_I32, 2 }, { "i32.eq", T_I32, T_I32, 2 }, { "i32.ne", T_I32, T_I32, 2 },
    { "i32.lt_s", T_I32, T_I32, 2 }, { "i32.lt_u", T_I32, T_I32, 2 },
    { "i32.gt_s", T_I32, T_I32, 2 }, { "i32.ge_u", T_I32, T_I32, 2 },
    { "i64.add", T_I64, T_I64, 2 }, { "i64.sub", T_I64, T_I64, 2 }, { "i64.mul", T_I64, T_I64, 2 },
    { "i64.div_s", T_I64, T_I64, 2 }, { "i64.div_u", T_I64, T_I64, 2 },
    { "i64.rem_s", T_I64, T_I64, 2 }, { "i64.rem_u", T_I64, T_I64, 2 },
    { "i64.and", T_I64, T_I64, 2 }, { "i64.xor", T_I64, T_I64, 2 },
    { "i64.shl", T_I64, T_I64, 2 }, { "i64.shr_s", T_I64, T_I64, 2 },
    { "i64.shr_u", T_I64, T_I64, 2 }, { "i64.rotl", T_I64, T_I64, 2 },
    { "i64.rotr", T_I64, T_I64, 2 }, { "i64.eq", T_I64, T_I32, 2 },
    { "i64.lt_s", T_I64, T_I32, 2 }, { "i64.le_u", T_I64, T_I32, 2 },
    { "f32.add", T_F32, T_F32, 2 }, { "f32.sub", T_F32, T_F32, 2 }, { "f32.mul", T_F32, T_F32, 2 },
    { "f32.div", T_F32, T_F32, 2 }, { "f32.min", T_F32, T_F32, 2 }, { "f32.max", T_F32, T_F32, 2 },
    { "f32.copysign", T_F32, T_F32, 2 }, { "f32.eq", T_F32, T_I32, 2 },
    { "f32.lt", T_F32, T_I32, 2 }, { "f32.ge", T_F32, T_I32, 2 },
    { "f64.add", T_F64, T_F64, 2 }, { "f64.sub", T_F64, T_F64, 2 }, { "f64.mul", T_F64, T_F64, 2 },
    { "f64.div", T_F64, T_F64, 2 }, { "f64.min", T_F64, T_F64, 2 }, { "f64.max", T_F64, T_F64, 2 },
    { "f64.copysign", T_F64, T_F64, 2 }, { "f64.ne", T_F64, T_I32, 2 },
    { "f64.gt", T_F64, T_I32, 2 }, { "f64.le", T_F64, T_I32, 2 },
    { "i32.clz", T_I32, T_I32, 1 }, { "i32.ctz", T_I32, T_I32, 1 },
    { "i32.popcnt", T_I32, T_I32, 1 }, { "i32.eqz", T_I32, T_I32, 1 },
    { "i32.extend8_s", T_I32, T_I32, 1 }, { "i32.extend16_s", T_I32, T_I32, 1 },
    { "i64.clz", T_I64, T_I64, 1 }, { "i64.popcnt", T_I64, T_I64, 1 },
    { "i64.eqz", T_I64, T_I32, 1 }, { "i64.extend32_s", T_I64, T_I64, 1 },
    { "f32.abs", T_F32, T_F32, 1 }, { "f32.neg", T_F32, T_F32, 1 },
    { "f32.ceil", T_F32, T_F32, 1 }, { "f32.floor", T_F32, T_F32, 1 },
    { "f32.trunc", T_F32, T_F32, 1 }, { "f32.nearest", T_F32, T_F32, 1 },
    { "f32.sqrt", T_F32, T_F32, 1 }, { "f64.abs", T_F64, T_F64, 1 },
    { "f64.neg", T_F64, T_F64, 1 }, { "f64.ceil", T_F64, T_F64, 1 },
    { "f64.nearest", T_F64, T_F64, 1 }, { "f64.sqrt", T_F64, T_F64, 1 },
    { "i64.extend_i32_s", T_I32, T_I64, 1 }, { "i64.extend_i32_u", T_I32, T_I64, 1 },
    { "i32.trunc_f32_s", T_F32, T_I32, 1 }, { "i32.trunc_f64_u", T_F64, T_I32, 1 },
    { "i64.trunc_f64_s", T_F64, T_I64, 1 }, { "i64.trunc_f32_u", T_F32, T_I64, 1 },
    { "i32.trunc_sat_f64_s", T_F64, T_I32, 1 }, { "i64.trunc_sat_f32_u", T_F32, T_I64, 1 },
    { "f32.convert_i32_s", T_I32, T_F32, 1 }, { "f32.convert_i64_u", T_I64, T_F32, 1 },
    { "f64.convert_i64_s", T_I64, T_F64, 1 }, { "f64.convert_i32_u", T_I32, T_F64, 1 },
    { "f32.demote_f64", T_F64, T_F32, 1 }, { "f64.promote_f32", T_F32, T_F64, 1 },
};

/* Edge values of each type, as bits. */
#define NVALUES 8
static const uint64_t values[4][NVALUES] = {
    [T_I32] = { 0, 1, 0xffffffff, 0x80000000, 0x7fffffff, 31, 33, 123456789 },
    [T_I64] = { 0, 1, UINT64_MAX, UINT64_C(0x8000000000000000), UINT64_C(0x7fffffffffffffff),
                63, 65, UINT64_C(0x123456789abcdef0) },
    /* 0, -0, 1.5, -2.75, infinity, 3e9, a quiet NaN, a signalling NaN */
    [T_F32] = { 0, 0x80000000, 0x3fc00000, 0xc0300000, 0x7f800000, 0x4f32d05e, 0x7fc00000,
                0x7fa00001 },
    [T_F64] = { 0, UINT64_C(0x8000000000000000), UINT64_C(0x3ff8000000000000),
                UINT64_C(0xc006000000000000), UINT64_C(0x7ff0000000000000),
                UINT64_C(0x41e65a0bc0000000), UINT64_C(0x7ff8000000000000),
                UINT64_C(0x7ff4000000000001) },
};

static const char *const int_name[4] = { "i32", "i64", "i32", "i64" };

/* Appends a value of type t from integer bits `src` (an expression) to s. */
static void typed(char **s, type t, const char *src)
{
    static const char *const wrap[4] = { "%s", "%s", "(f32.reinterpret_i32 %s)",
                                         "(f64.reinterpret_i64 %s)" };
    *s += sprintf(*s, wrap[t], src);
}

/* Appends `body`'s result of type t as integer bits. */
static void bits_of(char **s, type t, const char *body)
{
    static const char *const wrap[4] = { "%s", "%s", "(i32.reinterpret_f32 %s)",
                                         "(i64.reinterpret_f64 %s)" };
    *s += sprintf(*s, wrap[t], body);
}

static bool is_nan(type t, uint64_t bits)
{
    if (t == T_F32)
        return (bits & 0x7f800000) == 0x7f800000 && (bits & 0x7fffff);
    if (t == T_F64)
        return (bits & UINT64_C(0x7ff0000000000000)) == UINT64_C(0x7ff0000000000000) &&
               (bits & UINT64_C(0xfffffffffffff));
    return false;
}

Test(fold, constants_fold_to_what_the_handlers_compute)
{
    size_t nops = sizeof ops / sizeof *ops, cap = 4 << 20;
    char *text = malloc(cap), *s = text;
    cr_assert(text);
    s += sprintf(s, "(module\n");
    for (size_t k = 0; k < nops; k++) {
        const op *o = &ops[k];
        char expr[256], a[64], b[64], body[320];
        /* p_K: the operator on its parameters. */
        char *e = expr;
        typed(&e, o->in, "(local.get 0)");
        if (o->arity == 2) {
            *e++ = ' ';
            typed(&e, o->in, "(local.get 1)");
        }
        snprintf(body, sizeof body, "(%s %s)", o->name, expr);
        s += sprintf(s, "(func (export \"p%zu\") (param %s%s%s) (result %s) ", k,
                     int_name[o->in], o->arity == 2 ? " " : "", o->arity == 2 ? int_name[o->in] : "",
                     int_name[o->out]);
        bits_of(&s, o->out, body);
        s += sprintf(s, ")\n");
        /* c_K_I_J: the same on constants. */
        for (int i = 0; i < NVALUES; i++)
            for (int j = 0; j < (o->arity == 2 ? NVALUES : 1); j++) {
                snprintf(a, sizeof a, "(%s.const %" PRIu64 ")", int_name[o->in], values[o->in][i]);
                snprintf(b, sizeof b, "(%s.const %" PRIu64 ")", int_name[o->in], values[o->in][j]);
                e = expr;
                typed(&e, o->in, a);
                if (o->arity == 2) {
                    *e++ = ' ';
                    typed(&e, o->in, b);
                }
                snprintf(body, sizeof body, "(%s %s)", o->name, expr);
                s += sprintf(s, "(func (export \"c%zu_%d_%d\") (result %s) ", k, i, j,
                             int_name[o->out]);
                bits_of(&s, o->out, body);
                s += sprintf(s, ")\n");
                cr_assert_lt((size_t)(s - text), cap - 4096);
            }
    }
    s += sprintf(s, ")\n");
    weft_module *m = wat(text);
    free(text);
    weft_engine *eng = engine();
    weft_instance *inst = instantiate(eng, m);
    unsigned checked = 0, expected = 0;
    for (size_t k = 0; k < nops; k++) {
        const op *o = &ops[k];
        char name[32];
        snprintf(name, sizeof name, "p%zu", k);
        weft_func *p = func_of(inst, name);
        for (int i = 0; i < NVALUES; i++)
            for (int j = 0; j < (o->arity == 2 ? NVALUES : 1); j++) {
                snprintf(name, sizeof name, "c%zu_%d_%d", k, i, j);
                weft_func *c = func_of(inst, name);
                bool wide = o->in == T_I64 || o->in == T_F64;
                weft_value args[2] = {
                    wide ? i64((int64_t)values[o->in][i]) : i32((int32_t)values[o->in][i]),
                    wide ? i64((int64_t)values[o->in][j]) : i32((int32_t)values[o->in][j]),
                };
                weft_value rp, rc;
                weft_error ep, ec;
                weft_status sp = weft_call(eng, p, args, (size_t)o->arity, &rp, 1, &ep);
                weft_status sc = weft_call(eng, c, NULL, 0, &rc, 1, &ec);
                cr_assert_eq(sc, sp, "%s on values %d, %d: folded %s, run %s", o->name, i, j,
                             weft_status_name(sc), weft_status_name(sp));
                checked++;
                if (sp != WEFT_OK) {
                    cr_assert_str_eq(ec.message, ep.message, "%s on values %d, %d", o->name, i, j);
                    continue;
                }
                bool wide_out = o->out == T_I64 || o->out == T_F64;
                uint64_t bp = wide_out ? (uint64_t)rp.of.i64 : (uint32_t)rp.of.i32;
                uint64_t bc = wide_out ? (uint64_t)rc.of.i64 : (uint32_t)rc.of.i32;
                if (!(is_nan(o->out, bp) && is_nan(o->out, bc)))
                    cr_assert_eq(bc, bp, "%s on values %d, %d: folded %#" PRIx64 ", run %#" PRIx64,
                                 o->name, i, j, bc, bp);
            }
        expected += o->arity == 2 ? NVALUES * NVALUES : NVALUES;
    }
    cr_expect_eq(checked, expected);
    weft_engine_free(eng);
    weft_module_free(m);
}
