/* test_pairs.c: the pair instructions of ir_pairs.def are well formed: each
 * runs a first instruction of fixed size with operands that can fall
 * through (not itself a pair, an unconditional jump, a table jump or a
 * call), every pair is listed once, and the word counts the handlers step
 * by match the formats. */
#include <criterion/criterion.h>
#include <string.h>

#include "interp_body.h"
#include "ir.h"

/* interp_body.h's IR_WORDS_N constants, in opcode order (pairs excluded). */
static const unsigned words_const[] = {
#define IR_PAIR(A, B)
#define IR_FORM(id, f, t) IR_WORDS_##id,
#include "ir_forms.h"
};

Test(pairs, word_constants_match_the_formats)
{
    unsigned n = sizeof words_const / sizeof *words_const;
    cr_assert_lt(n, IR_OP_COUNT);
    cr_expect_eq(ir_op_format[n], FMT_PAIR, "the first pair follows the last instruction");
    for (unsigned op = 0; op < n; op++) {
        ir_format f = (ir_format)ir_op_format[op];
        unsigned expect = f == FMT_TABLE ? 0 : ir_format_words(f);
        cr_expect_eq(words_const[op], expect, "%s: IR_WORDS %u, format says %u", ir_op_name[op],
                     words_const[op], expect);
    }
}

Test(pairs, first_instruction_falls_through)
{
    unsigned pairs = 0;
    for (unsigned op = 0; op < IR_OP_COUNT; op++) {
        if (ir_op_format[op] != FMT_PAIR)
            continue;
        pairs++;
        ir_op a = (ir_op)ir_pair_parts[op][0], b = (ir_op)ir_pair_parts[op][1];
        cr_expect_neq(ir_op_format[a], FMT_PAIR, "%s", ir_op_name[op]);
        cr_expect_neq(ir_op_format[b], FMT_PAIR, "%s", ir_op_name[op]);
        cr_expect_geq(ir_format_words((ir_format)ir_op_format[a]), 2, "%s: first part has no operands",
                      ir_op_name[op]);
        cr_expect_neq(ir_op_format[a], FMT_TABLE, "%s", ir_op_name[op]);
        cr_expect_neq(ir_op_format[a], FMT_TABLE_AT, "%s", ir_op_name[op]);
        cr_expect(a != IR_JUMP, "%s: first part always jumps", ir_op_name[op]);
        cr_expect(a != IR_CALL && a != IR_RETURN1, "%s", ir_op_name[op]);
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

/* Lowering picks an explicit-bounds form as the guarded form's opcode plus
 * one: each "/chk" instruction directly follows its guarded twin, with the
 * same format. */
Test(ir_ops, checked_form_follows_the_guarded_one)
{
    unsigned checked = 0;
    for (unsigned op = 1; op < IR_OP_COUNT; op++) {
        const char *name = ir_op_name[op];
        size_t len = strlen(name);
        if (len < 4 || strcmp(name + len - 4, "/chk"))
            continue;
        checked++;
        cr_expect(strlen(ir_op_name[op - 1]) == len - 4 && !strncmp(ir_op_name[op - 1], name, len - 4),
                  "%s follows %s", name, ir_op_name[op - 1]);
        cr_expect_eq(ir_op_format[op], ir_op_format[op - 1], "%s", name);
    }
    cr_expect_gt(checked, 0);
}
