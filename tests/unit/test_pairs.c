/* test_pairs.c: the pair instructions of ir_pairs.def are well formed: each
 * runs a two-word first instruction (the handler steps ip by one word past
 * it) that is not itself a pair or a jump, and every pair is listed once. */
#include <criterion/criterion.h>

#include "ir.h"

static bool jumps(ir_op op)
{
    switch (ir_op_format[op]) {
    case FMT_J: case FMT_SJ: case FMT_SSJ: case FMT_SJL: case FMT_SSJII: case FMT_TABLE:
        return true;
    default:
        return false;
    }
}

Test(pairs, first_instruction_is_two_words_and_falls_through)
{
    unsigned pairs = 0;
    for (unsigned op = 0; op < IR_OP_COUNT; op++) {
        if (ir_op_format[op] != FMT_PAIR)
            continue;
        pairs++;
        ir_op a = (ir_op)ir_pair_parts[op][0], b = (ir_op)ir_pair_parts[op][1];
        cr_expect_neq(ir_op_format[a], FMT_PAIR, "%s", ir_op_name[op]);
        cr_expect_neq(ir_op_format[b], FMT_PAIR, "%s", ir_op_name[op]);
        cr_expect_eq(ir_format_words((ir_format)ir_op_format[a]), 2, "%s: first part is not two words",
                     ir_op_name[op]);
        cr_expect(!jumps(a), "%s: first part jumps", ir_op_name[op]);
        cr_expect(a != IR_ENTER && a != IR_CALL && a != IR_RETURN1, "%s", ir_op_name[op]);
    }
    cr_expect_gt(pairs, 0);
}

Test(pairs, each_pair_is_listed_once)
{
    for (unsigned p = 0; p < IR_OP_COUNT; p++)
        for (unsigned q = p + 1; q < IR_OP_COUNT; q++)
            if (ir_op_format[p] == FMT_PAIR && ir_op_format[q] == FMT_PAIR)
                cr_expect(ir_pair_parts[p][0] != ir_pair_parts[q][0] ||
                          ir_pair_parts[p][1] != ir_pair_parts[q][1],
                          "%s and %s run the same two instructions", ir_op_name[p], ir_op_name[q]);
}
