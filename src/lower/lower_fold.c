/* lower_fold.c: constant folding for lowering. An operator whose operands
 * are all constants is computed while lowering, with the same C expressions
 * as its handler, and its result is a constant on the simulated stack: no
 * code. An operation that would trap is left to trap at run time. */
#include "lower.h"
#include "numeric.h"

/* Constants as the stack keeps them (the value's bits, an i32's and an
 * f32's zero-extended) and as C values of each type. */
#define FROM_I32(x) ((uint32_t)(x))
#define FROM_I64(x) ((uint64_t)(x))
#define FROM_F32(x) num_f32_from_bits((uint32_t)(x))
#define FROM_F64(x) num_f64_from_bits(x)
#define BITS_I32(v) ((uint64_t)(uint32_t)(v))
#define BITS_I64(v) ((uint64_t)(v))
#define BITS_F32(v) ((uint64_t)num_f32_bits(v))
#define BITS_F64(v) num_f64_bits(v)

bool lower_fold_binary(ir_op op, uint64_t x, uint64_t y, uint64_t *out)
{
    switch (op) {
#define IR_BINARY(N, t, IN, OUT, e)                                             \
    case IR_##N##_RR: {                                                         \
        IR_CTYPE_##IN a = FROM_##IN(x), b = FROM_##IN(y);                       \
        *out = BITS_##OUT(e);                                                   \
        return true;                                                            \
    }
#define IR_COMPARE(N, t, IN, SWAP, NOT, e) IR_BINARY(N, t, IN, I32, e)
#define IR_BINARY_TRAP(N, t, T, fn)                                             \
    case IR_##N##_RR: {                                                         \
        IR_CTYPE_##T r;                                                         \
        if (fn(FROM_##T(x), FROM_##T(y), &r) != NUM_OK)                         \
            return false;                                                       \
        *out = BITS_##T(r);                                                     \
        return true;                                                            \
    }
#include "ir_rows.h"
    default:
        return false;
    }
}

bool lower_fold_unary(ir_op op, uint64_t x, uint64_t *out)
{
    switch (op) {
#define IR_UNARY(N, t, IN, OUT, e)                                              \
    case IR_##N: {                                                              \
        IR_CTYPE_##IN a = FROM_##IN(x);                                         \
        *out = BITS_##OUT(e);                                                   \
        return true;                                                            \
    }
#define IR_UNARY_TRAP(N, t, IN, OUT, fn)                                        \
    case IR_##N: {                                                              \
        IR_CTYPE_##OUT r;                                                       \
        if (fn(FROM_##IN(x), &r) != NUM_OK)                                     \
            return false;                                                       \
        *out = BITS_##OUT(r);                                                   \
        return true;                                                            \
    }
#include "ir_rows.h"
    default:
        return false;
    }
}
