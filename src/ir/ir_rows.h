/* ir_rows.h: the rows of ir_ops.def that the includer asks for. It defines
 * every family macro the includer has not defined as nothing, then
 * includes ir_ops.def (which undefines them all at its end), so a table
 * that only concerns, say, the binary operators defines IR_BINARY and
 * includes this file. */
#ifndef IR_BINARY
#define IR_BINARY(N, t, IN, OUT, e)
#endif
#ifndef IR_COMPARE
#define IR_COMPARE(N, t, IN, SWAP, NOT, e)
#endif
#ifndef IR_BINARY_TRAP
#define IR_BINARY_TRAP(N, t, T, fn)
#endif
#ifndef IR_UNARY
#define IR_UNARY(N, t, IN, OUT, e)
#endif
#ifndef IR_UNARY_TRAP
#define IR_UNARY_TRAP(N, t, IN, OUT, fn)
#endif
#ifndef IR_LOAD
#define IR_LOAD(N, t, OUT, M)
#endif
#ifndef IR_STORE
#define IR_STORE(N, t, IN, M)
#endif
#ifndef IR_OP
#define IR_OP(N, F, t)
#endif
#ifndef IR_V_UNARY
#define IR_V_UNARY(N, t, fn)
#endif
#ifndef IR_V_BINARY
#define IR_V_BINARY(N, t, fn)
#endif
#ifndef IR_V_TERNARY
#define IR_V_TERNARY(N, t, fn)
#endif
#ifndef IR_V_SHIFT
#define IR_V_SHIFT(N, t, fn)
#endif
#ifndef IR_V_SPLAT
#define IR_V_SPLAT(N, t, IN, fn)
#endif
#ifndef IR_V_TEST
#define IR_V_TEST(N, t, fn)
#endif
#ifndef IR_V_EXTRACT
#define IR_V_EXTRACT(N, t, OUT, fn)
#endif
#ifndef IR_V_REPLACE
#define IR_V_REPLACE(N, t, IN, fn)
#endif
#ifndef IR_V_LOAD
#define IR_V_LOAD(N, t, W, fn)
#endif
#ifndef IR_V_STORE
#define IR_V_STORE(N, t, W, fn)
#endif
#ifndef IR_V_LOAD_LANE
#define IR_V_LOAD_LANE(N, t, W)
#endif
#ifndef IR_V_STORE_LANE
#define IR_V_STORE_LANE(N, t, W)
#endif
#include "ir_ops.def"
