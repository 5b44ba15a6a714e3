/* ir_forms.h: every IR opcode, in opcode order. A family row of ir_ops.def
 * (simd_ops.def, ir_mem_ops.def) stands for several IR instructions, its
 * forms; this file lists each family's forms, one line per form, and is
 * the only list of them. The opcode enum, the names and formats, each
 * dispatch strategy's handlers and label tables, the bodies, lowering's
 * accumulator tables and the opcode roles that tools/pairs reads all
 * include it, after defining what they need:
 *
 *     #define IR_FORM(id, format, name) IR_##id,
 *     #include "ir_forms.h"
 *
 * A form line is one of the form kinds below. Each kind the includer does
 * not define becomes IR_FORM(ID, FORMAT, "text"), and so does each row of
 * the single-form families (IR_OP, and IR_BODY and IR_TEST, which are
 * IR_OP rows unless defined; most SIMD families);
 * an includer that defines a family macro itself gets its definition
 * instead. Pairs (ir_pairs.def) come last, as IR_FORM(A__B, FMT_PAIR,
 * "A+B"), unless the includer defines IR_PAIR itself (empty to leave them
 * out). Everything defined here is undefined at the end.
 *
 * The form kinds and their columns:
 *
 *   FORM_VALUE(ID, FORMAT, "text", IN, OUT, expr, A, B, OF, W)
 *       a pure operator: s0 = expr, of type OUT, where `a` and `b` are its
 *       operands of type IN, read from A and B (a unary operator's B is
 *       NONE). It leaves its result in the accumulator too.
 *   FORM_TEST(ID, FORMAT, "text", IN, expr, A, B, OF, W)
 *       a compare-and-branch: jumps by its offset when expr holds.
 *   FORM_TRAP(ID, FORMAT, "text", T, fn, A, B)
 *       an operator that may trap: fn(a, b, &result) returns a num_trap.
 *   FORM_LOAD(ID, FORMAT, "text", OUT, M, ADDR, OFFSET, OF, W)
 *       a load of memory type M (a C type) widened to OUT from guarded
 *       memory 0 (no bounds check) at ADDR + OFFSET.
 *   FORM_LOAD_CHK(ID, FORMAT, "text", OUT, M, ADDR, OFFSET)
 *       the same with an explicit bounds check.
 *   FORM_STORE(ID, FORMAT, "text", IN, M, ADDR, OFFSET, V, OF, W)
 *       a store of operand V (of type IN) narrowed to M at ADDR + OFFSET.
 *   FORM_STORE_CHK(ID, FORMAT, "text", IN, M, ADDR, OFFSET, V)
 *       the same with an explicit bounds check.
 *
 * Operands A, B and V: S0, S1, S2 the slot in word 1's u16[k]; K the
 * format's constant (word 1 for 32 bits, word 2 for 64: IMM_I32 ...
 * IMM_F64); J a compare-and-branch's constant (word 2); ACC the
 * accumulator of the type; NONE no operand. Addresses ADDR (i32): S0, S1
 * a slot; IDX base + (index << shift) of slots s1, s2 and s3; ADD the slot
 * s1 plus the constant; ADD_S0 the slot s0 plus the constant; ZERO none,
 * the offset being the whole address; ACC, IDX_ACC, ADD_ACC as S1, IDX
 * and ADD with the accumulator in place of slot s1 (of s2 for IDX).
 * OFFSET: K (word 1's imm), K2 (word 2's) or ZERO. interp_body.h gives
 * each of these names its C expression.
 *
 * OF and W, the accumulator columns: an accumulator form reads operand word
 * 1's u16[W] from the accumulator instead of from that slot, and is form
 * OF otherwise; lowering's accumulator pass puts it in place of an OF that
 * right follows the instruction computing that operand (lower_pass.c). The
 * other forms have NONE, NONE. Accumulator forms lay their words out as
 * OF does: the slot they do not read is still there.
 *
 * The forms of a binary operator: RR (slot, slot), RI (slot, constant), IR
 * (constant, slot) and the accumulator forms AR, RA, AI, IA. A compare adds
 * its fused branches JT (jump when true) and JF (when false). A load reads
 * its address from a slot plus the static offset, from an indexed sum
 * (IDX), from a slot plus a constant (ADD: an i32.add folded in, the static
 * offset zero, as it does not wrap) or from a constant (ABS); a store
 * likewise; each has a checked twin (_CHK) for explicit bounds. */

#ifndef FORM_VALUE
#define FORM_VALUE(id, f, t, IN, OUT, e, A, B, OF, W) IR_FORM(id, f, t)
#endif
#ifndef FORM_TEST
#define FORM_TEST(id, f, t, IN, e, A, B, OF, W) IR_FORM(id, f, t)
#endif
#ifndef FORM_TRAP
#define FORM_TRAP(id, f, t, T, fn, A, B) IR_FORM(id, f, t)
#endif
#ifndef FORM_LOAD
#define FORM_LOAD(id, f, t, OUT, M, ADDR, OFFSET, OF, W) IR_FORM(id, f, t)
#endif
#ifndef FORM_LOAD_CHK
#define FORM_LOAD_CHK(id, f, t, OUT, M, ADDR, OFFSET) IR_FORM(id, f, t)
#endif
#ifndef FORM_STORE
#define FORM_STORE(id, f, t, IN, M, ADDR, OFFSET, V, OF, W) IR_FORM(id, f, t)
#endif
#ifndef FORM_STORE_CHK
#define FORM_STORE_CHK(id, f, t, IN, M, ADDR, OFFSET, V) IR_FORM(id, f, t)
#endif

/* ---- The forms of the scalar families ------------------------------------ */

#ifndef IR_BINARY
#define IR_BINARY(N, t, IN, OUT, e)                                                              \
    FORM_VALUE(N##_RR, FMT_SSS,        t,       IN, OUT, e, S1,  S2,  NONE,   NONE)            \
    FORM_VALUE(N##_RI, IR_FMT_RI_##IN, t "/ri", IN, OUT, e, S1,  K,   NONE,   NONE)            \
    FORM_VALUE(N##_IR, IR_FMT_RI_##IN, t "/ir", IN, OUT, e, K,   S1,  NONE,   NONE)            \
    FORM_VALUE(N##_AR, FMT_SSS,        t "/ar", IN, OUT, e, ACC, S2,  N##_RR, 1)               \
    FORM_VALUE(N##_RA, FMT_SSS,        t "/ra", IN, OUT, e, S1,  ACC, N##_RR, 2)               \
    FORM_VALUE(N##_AI, IR_FMT_RI_##IN, t "/ai", IN, OUT, e, ACC, K,   N##_RI, 1)               \
    FORM_VALUE(N##_IA, IR_FMT_RI_##IN, t "/ia", IN, OUT, e, K,   ACC, N##_IR, 1)
#endif
#ifndef IR_COMPARE
#define IR_COMPARE(N, t, IN, SWAP, NOT, e)                                                       \
    FORM_VALUE(N##_RR, FMT_SSS,        t,       IN, I32, e, S1,  S2,  NONE,   NONE)            \
    FORM_VALUE(N##_RI, IR_FMT_RI_##IN, t "/ri", IN, I32, e, S1,  K,   NONE,   NONE)            \
    FORM_VALUE(N##_IR, IR_FMT_RI_##IN, t "/ir", IN, I32, e, K,   S1,  NONE,   NONE)            \
    FORM_TEST(N##_JT_RR, FMT_SSJ, "jump.if." t,              IN, e,    S0,  S1, NONE, NONE)    \
    FORM_TEST(N##_JT_RI, FMT_SJL, "jump.if." t "/ri",        IN, e,    S0,  J,  NONE, NONE)    \
    FORM_TEST(N##_JF_RR, FMT_SSJ, "jump.unless." t,          IN, !(e), S0,  S1, NONE, NONE)    \
    FORM_TEST(N##_JF_RI, FMT_SJL, "jump.unless." t "/ri",    IN, !(e), S0,  J,  NONE, NONE)    \
    FORM_VALUE(N##_AR, FMT_SSS,        t "/ar", IN, I32, e, ACC, S2,  N##_RR, 1)               \
    FORM_VALUE(N##_RA, FMT_SSS,        t "/ra", IN, I32, e, S1,  ACC, N##_RR, 2)               \
    FORM_VALUE(N##_AI, IR_FMT_RI_##IN, t "/ai", IN, I32, e, ACC, K,   N##_RI, 1)               \
    FORM_VALUE(N##_IA, IR_FMT_RI_##IN, t "/ia", IN, I32, e, K,   ACC, N##_IR, 1)               \
    FORM_TEST(N##_JT_AR, FMT_SSJ, "jump.if." t "/ar",        IN, e,    ACC, S1, N##_JT_RR, 0)  \
    FORM_TEST(N##_JT_AI, FMT_SJL, "jump.if." t "/ai",        IN, e,    ACC, J,  N##_JT_RI, 0)  \
    FORM_TEST(N##_JF_AR, FMT_SSJ, "jump.unless." t "/ar",    IN, !(e), ACC, S1, N##_JF_RR, 0)  \
    FORM_TEST(N##_JF_AI, FMT_SJL, "jump.unless." t "/ai",    IN, !(e), ACC, J,  N##_JF_RI, 0)
#endif
#ifndef IR_BINARY_TRAP
#define IR_BINARY_TRAP(N, t, T, fn)                                                              \
    FORM_TRAP(N##_RR, FMT_SSS,       t,       T, fn, S1, S2)                                    \
    FORM_TRAP(N##_RI, IR_FMT_RI_##T, t "/ri", T, fn, S1, K)                                     \
    FORM_TRAP(N##_IR, IR_FMT_RI_##T, t "/ir", T, fn, K,  S1)
#endif
#ifndef IR_UNARY
#define IR_UNARY(N, t, IN, OUT, e)                                                               \
    FORM_VALUE(N,     FMT_SS, t,      IN, OUT, e, S1,  NONE, NONE, NONE)                        \
    FORM_VALUE(N##_A, FMT_SS, t "/a", IN, OUT, e, ACC, NONE, N,    1)
#endif
#ifndef IR_LOAD
#define IR_LOAD(N, t, OUT, M)                                                                    \
    FORM_LOAD(N,                FMT_SSI,   t,              OUT, M, S1,      K,    NONE,   NONE) \
    FORM_LOAD_CHK(N##_CHK,      FMT_SSI,   t "/chk",       OUT, M, S1,      K)                  \
    FORM_LOAD(N##_IDX,          FMT_SSSSI, t "/idx",       OUT, M, IDX,     K2,   NONE,   NONE) \
    FORM_LOAD_CHK(N##_IDX_CHK,  FMT_SSSSI, t "/idx/chk",   OUT, M, IDX,     K2)                 \
    FORM_LOAD(N##_ADD,          FMT_SSI,   t "/add",       OUT, M, ADD,     ZERO, NONE,   NONE) \
    FORM_LOAD_CHK(N##_ADD_CHK,  FMT_SSI,   t "/add/chk",   OUT, M, ADD,     ZERO)               \
    FORM_LOAD(N##_ABS,          FMT_SI,    t "/abs",       OUT, M, ZERO,    K,    NONE,   NONE) \
    FORM_LOAD_CHK(N##_ABS_CHK,  FMT_SI,    t "/abs/chk",   OUT, M, ZERO,    K)                  \
    FORM_LOAD(N##_ACC,          FMT_SSI,   t "/acc",       OUT, M, ACC,     K,    N,      1)    \
    FORM_LOAD(N##_IDX_ACC,      FMT_SSSSI, t "/idx/acc",   OUT, M, IDX_ACC, K2,   N##_IDX, 2)   \
    FORM_LOAD(N##_ADD_ACC,      FMT_SSI,   t "/add/acc",   OUT, M, ADD_ACC, ZERO, N##_ADD, 1)
#endif
#ifndef IR_STORE
#define IR_STORE(N, t, IN, M)                                                                    \
    FORM_STORE(N,               FMT_SSI, t,            IN, M, S0,     K,    S1,  NONE,   NONE)  \
    FORM_STORE_CHK(N##_CHK,     FMT_SSI, t "/chk",     IN, M, S0,     K,    S1)                 \
    FORM_STORE(N##_ADD,         FMT_SSI, t "/add",     IN, M, ADD_S0, ZERO, S1,  NONE,   NONE)  \
    FORM_STORE_CHK(N##_ADD_CHK, FMT_SSI, t "/add/chk", IN, M, ADD_S0, ZERO, S1)                 \
    FORM_STORE(N##_ABS,         FMT_SI,  t "/abs",     IN, M, ZERO,   K,    S0,  NONE,   NONE)  \
    FORM_STORE_CHK(N##_ABS_CHK, FMT_SI,  t "/abs/chk", IN, M, ZERO,   K,    S0)                 \
    FORM_STORE(N##_VACC,        FMT_SSI, t "/vacc",    IN, M, S0,     K,    ACC, N,      1)     \
    FORM_STORE(N##_ADD_VACC,    FMT_SSI, t "/add/vacc", IN, M, ADD_S0, ZERO, ACC, N##_ADD, 1)
#endif
#ifndef IR_UNARY_TRAP
#define IR_UNARY_TRAP(N, t, IN, OUT, fn) IR_FORM(N, FMT_SS, t)
#endif
#ifndef IR_OP
#define IR_OP(N, F, t) IR_FORM(N, F, t)
#endif

/* ---- The forms of the SIMD families (simd_ops.def) ------------------------- */

#ifndef IR_V_UNARY
#define IR_V_UNARY(N, t, fn) IR_FORM(N, FMT_SS, t)
#endif
#ifndef IR_V_BINARY
#define IR_V_BINARY(N, t, fn) IR_FORM(N, FMT_SSS, t)
#endif
#ifndef IR_V_TERNARY
#define IR_V_TERNARY(N, t, fn) IR_FORM(N, FMT_SSSS, t)
#endif
#ifndef IR_V_SHIFT
#define IR_V_SHIFT(N, t, fn) IR_FORM(N, FMT_SSS, t) IR_FORM(N##_RI, FMT_SSI, t "/ri")
#endif
#ifndef IR_V_SPLAT
#define IR_V_SPLAT(N, t, IN, fn) IR_FORM(N, FMT_SS, t)
#endif
#ifndef IR_V_TEST
#define IR_V_TEST(N, t, fn) IR_FORM(N, FMT_SS, t)
#endif
#ifndef IR_V_EXTRACT
#define IR_V_EXTRACT(N, t, OUT, fn) IR_FORM(N, FMT_SSI, t)
#endif
#ifndef IR_V_REPLACE
#define IR_V_REPLACE(N, t, IN, fn) IR_FORM(N, FMT_SSSI, t)
#endif
#ifndef IR_V_LOAD
#define IR_V_LOAD(N, t, W, fn) IR_FORM(N, FMT_SSI, t) IR_FORM(N##_CHK, FMT_SSI, t "/chk")
#endif
#ifndef IR_V_STORE
#define IR_V_STORE(N, t, W, fn) IR_FORM(N, FMT_SSI, t) IR_FORM(N##_CHK, FMT_SSI, t "/chk")
#endif
#ifndef IR_V_LOAD_LANE
#define IR_V_LOAD_LANE(N, t, W) \
    IR_FORM(N, FMT_SSSII, t) IR_FORM(N##_CHK, FMT_SSSII, t "/chk")
#endif
#ifndef IR_V_STORE_LANE
#define IR_V_STORE_LANE(N, t, W) \
    IR_FORM(N, FMT_SSSII, t) IR_FORM(N##_CHK, FMT_SSSII, t "/chk")
#endif
#include "ir_ops.def"

#ifndef IR_PAIR
#define IR_PAIR(A, B) IR_FORM(A##__##B, FMT_PAIR, #A "+" #B)
#endif
#include "ir_pairs.def"

#undef IR_FORM
#undef FORM_VALUE
#undef FORM_TEST
#undef FORM_TRAP
#undef FORM_LOAD
#undef FORM_LOAD_CHK
#undef FORM_STORE
#undef FORM_STORE_CHK
