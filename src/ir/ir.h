/* ir.h: the register IR that lowering emits and the interpreter runs: the
 * word type, the operand formats, and the opcode enum expanded from
 * ir_ops.def. */
#ifndef WEFT_IR_H
#define WEFT_IR_H

#include <stdbool.h>
#include <stdint.h>

/* One word of IR code. An instruction is one or more words: word 0 holds the
 * handler address (direct threading) or the opcode number; word 1 usually
 * packs up to four 16-bit slot indices, or two slots and a 32-bit immediate;
 * further words hold 64-bit immediates or jump tables. */
typedef union ir_word {
    const void *handler;
    uint64_t op;
    uint64_t u64;
    int64_t i64;
    double f64;
    uint32_t u32[2];
    int32_t i32[2];
    uint16_t u16[4];
} ir_word;

/* Operand formats, one row each: X(NAME, WORDS, JUMP, STRAIGHT), the layout
 * in a comment. The disassembler, the encoder and the tests switch over
 * these, never over individual opcodes; every fact about a format is a
 * column here and nowhere else. "S" is a slot in word 1's u16[k], "I" a
 * 32-bit immediate in word 1's u32[1] (or word 2's u32[0] for the second
 * one), "L" a 64-bit immediate in the next word, "J" a jump offset in
 * words, relative to the instruction's first word, in word 1's i32[1].
 *
 * WORDS: the size in words (0 for a jump table, whose size is in its
 * words: ir_ins_words; a pair's real size is its parts', which the pass
 * that makes pairs adds up). JUMP: where an instruction
 * keeps a jump (ir_jump). STRAIGHT: 1 when an instruction of the format
 * runs straight on to the next (no jump, no exit), so that a copy of a
 * loop head may hold it (lower_stack.c's tail duplication): a call returns
 * to the instruction after it wherever it sits, but a tail call does not,
 * which the lowering tells apart by opcode. */
#define IR_FORMATS(X)                                                                          \
    X(NONE, 1, NONE, 0)       /* [op] */                                                       \
    X(S, 2, NONE, 0)          /* [op][s0] */                                                   \
    X(SS, 2, NONE, 1)         /* [op][s0 s1] */                                                \
    X(SSS, 2, NONE, 1)        /* [op][s0 s1 s2] */                                             \
    X(SSSS, 2, NONE, 1)       /* [op][s0 s1 s2 s3] */                                          \
    X(I, 2, NONE, 0)          /* [op][- - imm] */                                              \
    X(SI, 2, NONE, 1)         /* [op][s0 - imm] */                                             \
    X(SSI, 2, NONE, 1)        /* [op][s0 s1 imm] */                                            \
    X(SSL, 3, NONE, 1)        /* [op][s0 s1 -][imm64] */                                       \
    X(SIL, 3, NONE, 1)        /* [op][s0 - imm][imm64] */                                      \
    X(SHI, 2, NONE, 1)        /* [op][s0 imm16 imm]: a 16-bit and a 32-bit immediate */        \
    X(SSJII, 3, OFFSET, 0)    /* [op][s0 s1 off][imm imm2] */                                  \
    X(SL, 3, NONE, 1)         /* [op][s0][imm64] */                                            \
    X(SV, 4, NONE, 0)         /* [op][s0][lo64][hi64] */                                       \
    X(SSSV, 4, NONE, 0)       /* [op][s0 s1 s2 -][lo64][hi64] */                               \
    X(SSSSI, 3, NONE, 1)      /* [op][s0 s1 s2 s3][imm -] */                                   \
    X(SSSI, 3, NONE, 1)       /* [op][s0 s1 s2 -][imm -] */                                    \
    X(SSSII, 3, NONE, 1)      /* [op][s0 s1 s2 -][imm imm2] */                                 \
    X(J, 2, OFFSET, 0)        /* [op][- - off] */                                              \
    X(SJ, 2, OFFSET, 0)       /* [op][s0 - off] */                                             \
    X(SSJ, 2, OFFSET, 0)      /* [op][s0 s1 off] */                                            \
    X(SJL, 3, OFFSET, 0)      /* [op][s0 - off][imm64] */                                      \
    X(TABLE, 0, TABLE, 0)     /* [op][s0 - n][off0]...[off n]: n+1 targets, the default last */ \
    X(TABLE_AT, 2, TABLE_AT, 0) /* [op][s0 - off]: the FMT_TABLE at off has the targets */ \
    X(CALLI, 3, NONE, 0)      /* [op][s0 s1 type][table -] */                                  \
    X(PAIR, 2, NONE, 0)       /* [op][A's word 1][B's words 1...]: see ir_pairs.def */         \
    X(SSIL, 3, NONE, 0)       /* [op][s0 s1 imm][imm64] */                                     \
    X(SSSIIL, 4, NONE, 0)     /* [op][s0 s1 s2 -][imm imm2][imm64] */                          \
    X(SSSSII, 3, NONE, 1)     /* [op][s0 s1 s2 s3][imm imm2] */

/* Where an instruction keeps a jump: nowhere; an offset in word 1's i32[1];
 * a table of offsets (FMT_TABLE); an offset in word 1's i32[1] to a table,
 * which is no label (FMT_TABLE_AT). */
typedef enum ir_jump { JK_NONE, JK_OFFSET, JK_TABLE, JK_TABLE_AT } ir_jump;

typedef enum ir_format {
#define IR_FORMAT_ENUM(N, words, jump, straight) FMT_##N,
    IR_FORMATS(IR_FORMAT_ENUM)
#undef IR_FORMAT_ENUM
    FMT_COUNT
} ir_format;

/* IR_FMT_WORDS_FMT_N: format N's size as a constant, for tables and
 * handlers that need it at compile time (a handler's NEXT). */
enum {
#define IR_FORMAT_WORDS(N, words, jump, straight) IR_FMT_WORDS_FMT_##N = words,
    IR_FORMATS(IR_FORMAT_WORDS)
#undef IR_FORMAT_WORDS
};
#define IR_FMT_WORDS(f) IR_FMT_WORDS_(f)
#define IR_FMT_WORDS_(f) IR_FMT_WORDS_##f

/* A format's size in words (its WORDS column). */
static inline unsigned ir_format_words(ir_format f)
{
    static const uint8_t words[FMT_COUNT] = {
#define IR_FORMAT_COLUMN(N, words, jump, straight) words,
        IR_FORMATS(IR_FORMAT_COLUMN)
#undef IR_FORMAT_COLUMN
    };
    return words[f];
}

/* Where a format keeps a jump (its JUMP column). */
static inline ir_jump ir_format_jump(ir_format f)
{
    static const uint8_t jumps[FMT_COUNT] = {
#define IR_FORMAT_COLUMN(N, words, jump, straight) JK_##jump,
        IR_FORMATS(IR_FORMAT_COLUMN)
#undef IR_FORMAT_COLUMN
    };
    return (ir_jump)jumps[f];
}

/* Whether a format runs straight on (its STRAIGHT column). */
static inline bool ir_format_straight(ir_format f)
{
    static const bool straight[FMT_COUNT] = {
#define IR_FORMAT_COLUMN(N, words, jump, s) s,
        IR_FORMATS(IR_FORMAT_COLUMN)
#undef IR_FORMAT_COLUMN
    };
    return straight[f];
}

/* The scalar types' C representation in slots and immediates. */
#define IR_CTYPE_I32 uint32_t
#define IR_CTYPE_I64 uint64_t
#define IR_CTYPE_F32 float
#define IR_CTYPE_F64 double

/* The format of a binary operator's (slot, constant) form: 32-bit constants
 * fit in word 1, 64-bit ones need a word of their own. */
#define IR_FMT_RI_I32 FMT_SSI
#define IR_FMT_RI_F32 FMT_SSI
#define IR_FMT_RI_I64 FMT_SSL
#define IR_FMT_RI_F64 FMT_SSL

/* Every IR opcode, expanded from ir_forms.h. */
typedef enum ir_op {
#define IR_FORM(id, f, t) IR_##id,
#include "ir_forms.h"
    IR_OP_COUNT
} ir_op;

/* The two instructions each pair instruction runs, A then B (zeros for the
 * other instructions). */
extern const uint16_t ir_pair_parts[IR_OP_COUNT][2];

/* The format of each opcode. */
extern const uint8_t ir_op_format[IR_OP_COUNT];

/* The size in words of instruction `op` (not a pair) whose words start at
 * `w`: a jump table's depends on its entry count. */
static inline uint32_t ir_ins_words(ir_op op, const ir_word *w)
{
    ir_format f = (ir_format)ir_op_format[op];
    return f == FMT_TABLE ? 3 + w[1].u32[1] : ir_format_words(f);
}

/* The text name of each opcode, with its form ("i32.add/rr"). */
extern const char *const ir_op_name[IR_OP_COUNT];

/* What part an instruction can play in a pair (ir_pairs.def), from the
 * kind of its rows in ir_forms.h and ir_ops.def: BODY has a body (the
 * value, store and IR_BODY forms, and some SIMD ones); VALUE a body and a
 * value (loads: a jump table may follow on it); TEST a test (the
 * compare-and-branch forms and IR_TEST rows); JUMP the unconditional jump,
 * a test that never falls through; TABLE a jump table; CALL a call or
 * return, whose handler a pair may continue in; NONE none of these. */
#define IR_ROLES(X) X(NONE, "none") X(BODY, "body") X(VALUE, "value") X(TEST, "test") \
    X(JUMP, "jump") X(TABLE, "table") X(CALL, "call")
typedef enum ir_role {
#define IR_ROLE_ENUM(N, t) IR_ROLE_##N,
    IR_ROLES(IR_ROLE_ENUM)
#undef IR_ROLE_ENUM
} ir_role;
extern const uint8_t ir_op_role[IR_OP_COUNT];
extern const char *const ir_role_name[];

#endif
