/* ir_dump.c: the IR's names, formats and disassembler, from ir_ops.def. */
#include <inttypes.h>

#include "lower.h"

const uint8_t ir_op_format[IR_OP_COUNT] = {
#define IR_FORM(id, f, t) f,
#include "ir_forms.h"
};

const uint16_t ir_pair_parts[IR_OP_COUNT][2] = {
#define IR_PAIR(A, B) [IR_##A##__##B] = { IR_##A, IR_##B },
#include "ir_pairs.def"
};

const char *const ir_op_name[IR_OP_COUNT] = {
#define IR_FORM(id, f, t) t,
#include "ir_forms.h"
};

const uint8_t ir_op_role[IR_OP_COUNT] = {
#define FORM_VALUE(id, ...) [IR_##id] = IR_ROLE_BODY,
#define FORM_TEST(id, ...) [IR_##id] = IR_ROLE_TEST,
#define FORM_LOAD(id, ...) [IR_##id] = IR_ROLE_VALUE,
#define FORM_STORE(id, ...) [IR_##id] = IR_ROLE_BODY,
#define FORM_TRAP(id, ...)
#define FORM_LOAD_CHK(id, ...)
#define FORM_STORE_CHK(id, ...)
#define IR_BODY(N, F, t) [IR_##N] = IR_ROLE_BODY,
#define IR_TEST(N, F, t) [IR_##N] = IR_ROLE_TEST,
#define IR_V_BINARY(N, t, fn) [IR_##N] = IR_ROLE_BODY,
#define IR_V_EXTRACT(N, t, OUT, fn) [IR_##N] = IR_ROLE_BODY,
#define IR_V_LOAD(N, t, W, fn) [IR_##N] = IR_ROLE_BODY,
#define IR_V_STORE(N, t, W, fn) [IR_##N] = IR_ROLE_BODY,
#define IR_FORM(id, f, t)
#define IR_PAIR(A, B)
#include "ir_forms.h"
#undef IR_PAIR
    /* Hand-written handlers that a pair may end with. */
    [IR_JUMP] = IR_ROLE_JUMP, [IR_JUMP_TABLE] = IR_ROLE_TABLE, [IR_JUMP_TABLE_AT] = IR_ROLE_TABLE,
    [IR_CALL] = IR_ROLE_CALL, [IR_CALL_INDIRECT] = IR_ROLE_CALL, [IR_RETURN] = IR_ROLE_CALL,
    [IR_RETURN1] = IR_ROLE_CALL,
};

const char *const ir_role_name[] = {
#define IR_ROLE_NAME(N, t) t,
    IR_ROLES(IR_ROLE_NAME)
#undef IR_ROLE_NAME
};

/* Prints instruction `op` whose words are at `ip` (word 0 unread), at
 * position `pos`, marked with `mark`; returns its size in words. */
static unsigned dump_ins(FILE *out, uint64_t op, const ir_word *ip, uint64_t pos, char mark)
{
    ir_format f = (ir_format)ir_op_format[op];
    fprintf(out, "%5" PRIu64 "%c %-24s", pos, mark, ir_op_name[op]);
    if (f == FMT_NONE) {
        fputc('\n', out);
        return 1;
    }
    const uint16_t *s = ip[1].u16;
    uint32_t imm = ip[1].u32[1];
    int64_t target = (int64_t)pos + ip[1].i32[1];
    if (op == IR_I32_ADD_SHL) {
        fprintf(out, " r%u, r%u + r%u << %u\n", ip[1].u16[0], ip[1].u16[1], ip[1].u16[2],
                ip[1].u16[3]);
        return 2;
    }
    if (op == IR_I32_XOR_ROTL) {
        fprintf(out, " r%u, r%u ^ rotl(r%u, %u)\n", s[0], s[1], s[2], s[3]);
        return 2;
    }
    if (op == IR_MEMORY_COPY64) {
        /* s3's bits: which of destination, source and length are i64. */
        fprintf(out, " r%u%s, r%u%s, r%u%s, %u, %u\n", s[0], s[3] & 1 ? ":i64" : "", s[1],
                s[3] & 2 ? ":i64" : "", s[2], s[3] & 4 ? ":i64" : "", ip[2].u32[0], ip[2].u32[1]);
        return 3;
    }
    if (op == IR_MOVE32 || op == IR_MOVE32_CHK || op == IR_MOVE64 || op == IR_MOVE64_CHK ||
        op == IR_MOVE128 || op == IR_MOVE128_CHK) {
        fprintf(out, " [r%u + %u] = [r%u + %u]\n", s[0], ip[2].u32[0], s[1], ip[2].u32[1]);
        return 3;
    }
    if (op == IR_SELECT_KK) {
        fprintf(out, " r%u, r%u ? %u : %u\n", s[0], s[1], ip[2].u32[0], ip[2].u32[1]);
        return 3;
    }
    if (f == FMT_SSSSII) { /* The vector updates: mem[p] += y * mem[q]. */
        fprintf(out, " [r%u + %u] += r%u * [r%u + %u%s]\n", s[0], ip[2].u32[0], s[1], s[2],
                ip[2].u32[1], s[3] ? ", wrapping" : "");
        return 3;
    }
    switch (f) {
    case FMT_NONE: break;
    case FMT_S: fprintf(out, " r%u", s[0]); break;
    case FMT_SS: fprintf(out, " r%u, r%u", s[0], s[1]); break;
    case FMT_SSS: fprintf(out, " r%u, r%u, r%u", s[0], s[1], s[2]); break;
    case FMT_SSSS: fprintf(out, " r%u, r%u, r%u, r%u", s[0], s[1], s[2], s[3]); break;
    case FMT_I: fprintf(out, " %u", imm); break;
    case FMT_SI: fprintf(out, " r%u, %u", s[0], imm); break;
    case FMT_SSI: fprintf(out, " r%u, r%u, %u", s[0], s[1], imm); break;
    case FMT_SSL: fprintf(out, " r%u, r%u, 0x%" PRIx64, s[0], s[1], ip[2].u64); break;
    case FMT_SSJII:
        fprintf(out, " r%u, r%u + %d, 0x%x, @%" PRId64, s[0], s[1], ip[2].i32[0], ip[2].u32[1],
                target);
        break;
    case FMT_SIL: fprintf(out, " r%u, %u, 0x%" PRIx64, s[0], imm, ip[2].u64); break;
    case FMT_SHI: fprintf(out, " r%u, %u, 0x%x", s[0], s[1], imm); break;
    case FMT_SL: fprintf(out, " r%u, 0x%" PRIx64, s[0], ip[2].u64); break;
    case FMT_SV: fprintf(out, " r%u, 0x%016" PRIx64 "%016" PRIx64, s[0], ip[3].u64, ip[2].u64); break;
    case FMT_SSSSI:
        fprintf(out, " r%u, [r%u + r%u << %u], %u", s[0], s[1], s[2], s[3], ip[2].u32[0]);
        break;
    case FMT_SSSV: {
        const uint8_t *b = (const uint8_t *)&ip[2];
        fprintf(out, " r%u, r%u, r%u, [", s[0], s[1], s[2]);
        for (int k = 0; k < 16; k++)
            fprintf(out, "%s%u", k ? " " : "", b[k]);
        fputc(']', out);
        break;
    }
    case FMT_SSSI: fprintf(out, " r%u, r%u, r%u, %u", s[0], s[1], s[2], ip[2].u32[0]); break;
    case FMT_SSSII:
        fprintf(out, " r%u, r%u, r%u, %u, %u", s[0], s[1], s[2], ip[2].u32[0], ip[2].u32[1]);
        break;
    case FMT_J: fprintf(out, " @%" PRId64, target); break;
    case FMT_SJ: fprintf(out, " r%u, @%" PRId64, s[0], target); break;
    case FMT_SSJ: fprintf(out, " r%u, r%u, @%" PRId64, s[0], s[1], target); break;
    case FMT_SJL: fprintf(out, " r%u, 0x%" PRIx64 ", @%" PRId64, s[0], ip[2].u64, target); break;
    case FMT_TABLE:
        fprintf(out, " r%u, [", s[0]);
        for (uint32_t k = 0; k <= imm; k++)
            fprintf(out, "%s@%" PRId64, k ? " " : "", (int64_t)pos + ip[2 + k].i32[0]);
        fprintf(out, "]");
        fputc('\n', out);
        return 2 + imm + 1;
    case FMT_TABLE_AT: fprintf(out, " r%u, [table of @%" PRId64 "]", s[0], target); break;
    case FMT_CALLI:
        fprintf(out, " r%u, r%u, sig %u, table %u", s[0], s[1], imm, ip[2].u32[0]);
        break;
    case FMT_SSIL:
        fprintf(out, " r%u, r%u, mem %u, 0x%" PRIx64, s[0], s[1], imm, ip[2].u64);
        break;
    case FMT_SSSIIL:
        fprintf(out, " r%u, r%u, r%u, mem %u, lane %u, 0x%" PRIx64, s[0], s[1], s[2],
                ip[2].u32[0], ip[2].u32[1], ip[3].u64);
        break;
    case FMT_PAIR: case FMT_SSSSII: case FMT_COUNT: break; /* Split by dump_one; above. */
    }
    fputc('\n', out);
    return ir_format_words(f);
}

/* Prints the instruction at `pos`; returns its size in words. A pair shows
 * as its two instructions, the second marked '+' at the word its operands
 * (and jump offsets) count from. */
static unsigned dump_one(FILE *out, const ir_word *code, uint64_t pos)
{
    const ir_word *ip = code + pos;
    uint64_t op = ip->op;
    if (op >= IR_OP_COUNT) {
        fprintf(out, "%5" PRIu64 "  ??? %" PRIu64 "\n", pos, op);
        return 1;
    }
    if (ir_op_format[op] != FMT_PAIR)
        return dump_ins(out, op, ip, pos, ' ');
    unsigned a = dump_ins(out, ir_pair_parts[op][0], ip, pos, ' ');
    return a - 1 + dump_ins(out, ir_pair_parts[op][1], ip + a - 1, pos + a - 1, '+');
}

void ir_dump(FILE *out, const ir_word *code)
{
    uint64_t len = lower_code_length(code);
    for (uint64_t pos = 0; pos < len;)
        pos += dump_one(out, code, pos);
}
