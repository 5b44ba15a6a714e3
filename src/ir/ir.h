/* ir.h: the register IR that lowering emits and the interpreter runs: the
 * word type, the operand formats, and the opcode enum expanded from
 * ir_ops.def. */
#ifndef WEFT_IR_H
#define WEFT_IR_H

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

/* Operand formats. The disassembler, the encoder and the tests switch over
 * these, never over individual opcodes. "S" is a slot in word 1's u16[k],
 * "I" a 32-bit immediate in word 1's u32[1] (or word 2's u32[0] for the
 * second one), "L" a 64-bit immediate in the next word, "J" a jump offset in
 * words, relative to the instruction's first word, in word 1's i32[1]. */
typedef enum ir_format {
    FMT_NONE,    /* [op] */
    FMT_S,       /* [op][s0] */
    FMT_SS,      /* [op][s0 s1] */
    FMT_SSS,     /* [op][s0 s1 s2] */
    FMT_SSSS,    /* [op][s0 s1 s2 s3] */
    FMT_I,       /* [op][- - imm] */
    FMT_SI,      /* [op][s0 - imm] */
    FMT_SSI,     /* [op][s0 s1 imm] */
    FMT_SSL,     /* [op][s0 s1 -][imm64] */
    FMT_SIL,     /* [op][s0 - imm][imm64] */
    FMT_SHI,     /* [op][s0 imm16 imm]: a 16-bit and a 32-bit immediate */
    FMT_SSJII,   /* [op][s0 s1 off][imm imm2] */
    FMT_SL,      /* [op][s0][imm64] */
    FMT_SV,      /* [op][s0][lo64][hi64] */
    FMT_SSSV,    /* [op][s0 s1 s2 -][lo64][hi64] */
    FMT_SSSSI,   /* [op][s0 s1 s2 s3][imm -] */
    FMT_SSSI,    /* [op][s0 s1 s2 -][imm -] */
    FMT_SSSII,   /* [op][s0 s1 s2 -][imm imm2] */
    FMT_J,       /* [op][- - off] */
    FMT_SJ,      /* [op][s0 - off] */
    FMT_SSJ,     /* [op][s0 s1 off] */
    FMT_SJL,     /* [op][s0 - off][imm64] */
    FMT_TABLE,   /* [op][s0 - n][off0]...[off n] : n+1 targets, the last the default */
    FMT_TABLE_AT, /* [op][s0 - off]: the FMT_TABLE instruction at offset off holds the targets */
    FMT_CALLI,   /* [op][s0 s1 type][table -] */
    FMT_PAIR,    /* [op][A's word 1][B's words 1...]: see ir_pairs.def */
    FMT_SSIL,    /* [op][s0 s1 imm][imm64] */
    FMT_SSSIIL,  /* [op][s0 s1 s2 -][imm imm2][imm64] */
    FMT_SSSSII,  /* [op][s0 s1 s2 s3][imm imm2] */
} ir_format;

/* Instruction sizes in words, by format (FMT_TABLE and FMT_PAIR sizes
 * depend on the instruction: ir_op_words). */
static inline unsigned ir_format_words(ir_format f)
{
    switch (f) {
    case FMT_NONE: return 1;
    case FMT_SSL: case FMT_SIL: case FMT_SSJII: case FMT_SL: case FMT_SSSI: case FMT_SSSII: case FMT_SJL:
    case FMT_CALLI: case FMT_SSIL: return 3;
    case FMT_SV: case FMT_SSSV: case FMT_SSSIIL: return 4;
    case FMT_SSSSI: case FMT_SSSSII: return 3;
    default: return 2;
    }
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

#endif
