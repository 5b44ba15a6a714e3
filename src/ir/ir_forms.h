/* ir_forms.h: every IR opcode, in opcode order, as one IR_FORM(ID, FORMAT,
 * NAME) each: the forms each family row of ir_ops.def expands into are
 * listed here and nowhere else. The enum, the format and name tables, the
 * label and handler tables of every dispatch strategy and the word counts
 * all include this file after defining IR_FORM:
 *
 *     #define IR_FORM(id, format, name) IR_##id,
 *     #include "ir_forms.h"
 *
 * Pairs (ir_pairs.def) come last, as IR_FORM(A__B, FMT_PAIR, "A+B"),
 * unless the includer defines IR_PAIR itself (empty to leave them out).
 * IR_FORM and the family macros are undefined at the end.
 *
 * Forms of a binary operator: RR (slot, slot), RI (slot, constant), IR
 * (constant, slot), and the accumulator forms, which read one operand from
 * the accumulator instead of its slot (lowering's accumulator pass puts them
 * where the operand was computed by the instruction just before): AR and AI
 * (the first operand), RA and IA (the second). A compare adds its fused
 * branches JT (jump when true) and JF (when false) on (slot, slot) and
 * (slot, constant), and the same reading the first operand from the
 * accumulator. A load's accumulator forms take the address (ACC), the index
 * (IDX_ACC) or the base (ADD_ACC) from it; a store's take the value (VACC,
 * ADD_VACC). Accumulator forms lay their words out as the forms they come
 * from: the slot of the operand they do not read is still there. */

#define IR_BINARY(N, t, IN, OUT, e)                                             \
    IR_FORM(N##_RR, FMT_SSS, t) IR_FORM(N##_RI, IR_FMT_RI_##IN, t "/ri")        \
    IR_FORM(N##_IR, IR_FMT_RI_##IN, t "/ir") IR_FORM(N##_AR, FMT_SSS, t "/ar")  \
    IR_FORM(N##_RA, FMT_SSS, t "/ra") IR_FORM(N##_AI, IR_FMT_RI_##IN, t "/ai")  \
    IR_FORM(N##_IA, IR_FMT_RI_##IN, t "/ia")
#define IR_COMPARE(N, t, IN, SWAP, NOT, e)                                               \
    IR_FORM(N##_RR, FMT_SSS, t) IR_FORM(N##_RI, IR_FMT_RI_##IN, t "/ri")        \
    IR_FORM(N##_IR, IR_FMT_RI_##IN, t "/ir")                                    \
    IR_FORM(N##_JT_RR, FMT_SSJ, "jump.if." t)                                   \
    IR_FORM(N##_JT_RI, FMT_SJL, "jump.if." t "/ri")                             \
    IR_FORM(N##_JF_RR, FMT_SSJ, "jump.unless." t)                               \
    IR_FORM(N##_JF_RI, FMT_SJL, "jump.unless." t "/ri")                         \
    IR_FORM(N##_AR, FMT_SSS, t "/ar") IR_FORM(N##_RA, FMT_SSS, t "/ra")         \
    IR_FORM(N##_AI, IR_FMT_RI_##IN, t "/ai") IR_FORM(N##_IA, IR_FMT_RI_##IN, t "/ia") \
    IR_FORM(N##_JT_AR, FMT_SSJ, "jump.if." t "/ar")                             \
    IR_FORM(N##_JT_AI, FMT_SJL, "jump.if." t "/ai")                             \
    IR_FORM(N##_JF_AR, FMT_SSJ, "jump.unless." t "/ar")                         \
    IR_FORM(N##_JF_AI, FMT_SJL, "jump.unless." t "/ai")
#define IR_BINARY_TRAP(N, t, T, fn)                                             \
    IR_FORM(N##_RR, FMT_SSS, t) IR_FORM(N##_RI, IR_FMT_RI_##T, t "/ri")         \
    IR_FORM(N##_IR, IR_FMT_RI_##T, t "/ir")
#define IR_UNARY(N, t, IN, OUT, e) IR_FORM(N, FMT_SS, t) IR_FORM(N##_A, FMT_SS, t "/a")
#define IR_UNARY_TRAP(N, t, IN, OUT, fn) IR_FORM(N, FMT_SS, t)
#define IR_LOAD(N, t, OUT, M)                                                   \
    IR_FORM(N, FMT_SSI, t) IR_FORM(N##_CHK, FMT_SSI, t "/chk")                  \
    IR_FORM(N##_IDX, FMT_SSSSI, t "/idx") IR_FORM(N##_IDX_CHK, FMT_SSSSI, t "/idx/chk") \
    IR_FORM(N##_ADD, FMT_SSI, t "/add") IR_FORM(N##_ADD_CHK, FMT_SSI, t "/add/chk") \
    IR_FORM(N##_ABS, FMT_SI, t "/abs") IR_FORM(N##_ABS_CHK, FMT_SI, t "/abs/chk") \
    IR_FORM(N##_ACC, FMT_SSI, t "/acc") IR_FORM(N##_IDX_ACC, FMT_SSSSI, t "/idx/acc") \
    IR_FORM(N##_ADD_ACC, FMT_SSI, t "/add/acc")
#define IR_STORE(N, t, IN, M)                                                   \
    IR_FORM(N, FMT_SSI, t) IR_FORM(N##_CHK, FMT_SSI, t "/chk")                  \
    IR_FORM(N##_ADD, FMT_SSI, t "/add") IR_FORM(N##_ADD_CHK, FMT_SSI, t "/add/chk") \
    IR_FORM(N##_ABS, FMT_SI, t "/abs") IR_FORM(N##_ABS_CHK, FMT_SI, t "/abs/chk") \
    IR_FORM(N##_VACC, FMT_SSI, t "/vacc") IR_FORM(N##_ADD_VACC, FMT_SSI, t "/add/vacc")
#define IR_OP(N, F, t) IR_FORM(N, F, t)
#define IR_V_UNARY(N, t, fn) IR_FORM(N, FMT_SS, t)
#define IR_V_BINARY(N, t, fn) IR_FORM(N, FMT_SSS, t)
#define IR_V_TERNARY(N, t, fn) IR_FORM(N, FMT_SSSS, t)
#define IR_V_SHIFT(N, t, fn) IR_FORM(N, FMT_SSS, t) IR_FORM(N##_RI, FMT_SSI, t "/ri")
#define IR_V_SPLAT(N, t, IN, fn) IR_FORM(N, FMT_SS, t)
#define IR_V_TEST(N, t, fn) IR_FORM(N, FMT_SS, t)
#define IR_V_EXTRACT(N, t, OUT, fn) IR_FORM(N, FMT_SSI, t)
#define IR_V_REPLACE(N, t, IN, fn) IR_FORM(N, FMT_SSSI, t)
#define IR_V_LOAD(N, t, W, fn) IR_FORM(N, FMT_SSI, t) IR_FORM(N##_CHK, FMT_SSI, t "/chk")
#define IR_V_STORE(N, t, W, fn) IR_FORM(N, FMT_SSI, t) IR_FORM(N##_CHK, FMT_SSI, t "/chk")
#define IR_V_LOAD_LANE(N, t, W) \
    IR_FORM(N, FMT_SSSII, t) IR_FORM(N##_CHK, FMT_SSSII, t "/chk")
#define IR_V_STORE_LANE(N, t, W) \
    IR_FORM(N, FMT_SSSII, t) IR_FORM(N##_CHK, FMT_SSSII, t "/chk")
#include "ir_ops.def"

#ifndef IR_PAIR
#define IR_PAIR(A, B) IR_FORM(A##__##B, FMT_PAIR, #A "+" #B)
#endif
#include "ir_pairs.def"

#undef IR_FORM
