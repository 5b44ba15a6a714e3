/* ir_opcodes: prints the IR's opcodes, one a line, for tools/pairs: the
 * identifier, the listing name, the size in words (0 for a jump table) and
 * the role in a pair (ir.h's IR_ROLES), tab-separated. Pair instructions
 * are left out: they are what tools/pairs makes. */
#include <stdio.h>

#include "ir.h"

static const char *const ident[IR_OP_COUNT] = {
#define IR_PAIR(A, B)
#define IR_FORM(id, f, t) #id,
#include "ir_forms.h"
};

int main(void)
{
    for (unsigned op = 0; op < IR_OP_COUNT; op++) {
        if (ir_op_format[op] == FMT_PAIR)
            continue;
        printf("%s\t%s\t%u\t%s\n", ident[op], ir_op_name[op],
               ir_format_words((ir_format)ir_op_format[op]), ir_role_name[ir_op_role[op]]);
    }
    return 0;
}
