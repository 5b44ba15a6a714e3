/* interp_mem.h: the handlers of ir_mem_ops.def, accesses to any memory
 * (multi-memory, memory64). Included by interp_ops.h, once per dispatch
 * strategy, with its macros (OP, NEXT, TRAP, ...) and state in scope.
 *
 * These instructions find their memory through the instance on every
 * access and check the access against the memory's current size, so they
 * need no cached base: a memory that grows or moves (explicit mode) is
 * seen at once. Memory 0's cached base and size (mem, msize) are untouched
 * except by memory.grow64, which reloads them as memory.grow does (memory
 * 0 and the memory grown may be the same memory, imported twice). */

/* The host address of an access of `width` bytes at `addr` plus static
 * `offset` in memory `index`; traps unless all of it lies inside the
 * memory (wx_memory_at, out of line so that these handlers stay small in
 * the strategies that build all handlers into one function). */
#define EA_MEMORY(index, addr, offset, width)                                   \
    ({ uint8_t *p_ = wx_memory_at(inst->memories[index], (addr), (offset), (width)); \
       if (__builtin_expect(!p_, 0)) TRAP(TRAP_MEMORY_OOB);                     \
       p_; })
/* The same for FMT_SSIL ([op][s0 s1 mem][offset]) and FMT_SSSIIL ([op][s0
 * s1 s2 -][mem lane][offset]). */
#define EA_SSIL(addr, width) EA_MEMORY(IMM, (addr), ip[2].u64, (width))
#define EA_SSSIIL(addr, width) EA_MEMORY(IMM_W2, (addr), ip[3].u64, (width))

#define IR_M_LOAD(N, t, OUT, M)                                                 \
    OP(N##_M32) { LOAD_INTO(OUT, M, EA_SSIL(SLOT_I32(S1), sizeof(M))); NEXT(3); } \
    OP(N##_M64) { LOAD_INTO(OUT, M, EA_SSIL(SLOT_I64(S1), sizeof(M))); NEXT(3); }
#define IR_M_STORE(N, t, IN, M)                                                 \
    OP(N##_M32) { STORE_FROM(IN, M, EA_SSIL(SLOT_I32(S0), sizeof(M))); NEXT(3); } \
    OP(N##_M64) { STORE_FROM(IN, M, EA_SSIL(SLOT_I64(S0), sizeof(M))); NEXT(3); }
#define IR_M_V_LOAD(N, t, W, fn)                                                \
    OP(N##_M32) { SET_V128(S0, fn(EA_SSIL(SLOT_I32(S1), W))); NEXT(3); }        \
    OP(N##_M64) { SET_V128(S0, fn(EA_SSIL(SLOT_I64(S1), W))); NEXT(3); }
#define IR_M_V_STORE(N, t, W, fn)                                               \
    OP(N##_M32) { fn(EA_SSIL(SLOT_I32(S0), W), SLOT_V128(S1)); NEXT(3); }       \
    OP(N##_M64) { fn(EA_SSIL(SLOT_I64(S0), W), SLOT_V128(S1)); NEXT(3); }
#define IR_M_V_LOAD_LANE(N, t, W)                                               \
    OP(N##_M32) { SET_V128(S0, simd_load_lane(SLOT_V128(S2),                   \
                  EA_SSSIIL(SLOT_I32(S1), W), IMM2_W2, W)); NEXT(4); }          \
    OP(N##_M64) { SET_V128(S0, simd_load_lane(SLOT_V128(S2),                   \
                  EA_SSSIIL(SLOT_I64(S1), W), IMM2_W2, W)); NEXT(4); }
#define IR_M_V_STORE_LANE(N, t, W)                                              \
    OP(N##_M32) { simd_store_lane(EA_SSSIIL(SLOT_I32(S0), W), SLOT_V128(S1), IMM2_W2, W); \
                  NEXT(4); }                                                    \
    OP(N##_M64) { simd_store_lane(EA_SSSIIL(SLOT_I64(S0), W), SLOT_V128(S1), IMM2_W2, W); \
                  NEXT(4); }
#define IR_OP(N, F, t)
#include "ir_mem_ops.def"
#undef IR_OP

/* memory.grow on a 64-bit memory: an i64 delta, and -1 as an i64. */
OP(MEMORY_GROW64) {
    fp[S0].i64 = mem_grow(inst->memories[IMM], fp[S1].u64);
    RELOAD_MEM(); NEXT(2);
}
OP(MEMORY_FILL64) {
    TRAP_IF_FAILS(wx_memory_fill(inst->memories[IMM_W2], fp[S0].u64, fp[S1].u32, fp[S2].u64));
    NEXT(3);
}
/* An operand of memory.copy64: i64 when bit `bit` of s3 says so. */
#define COPY_OPERAND(s, bit) ((S3 >> (bit)) & 1 ? fp[s].u64 : fp[s].u32)
OP(MEMORY_COPY64) {
    TRAP_IF_FAILS(wx_memory_copy(inst->memories[IMM_W2], inst->memories[IMM2_W2],
                                 COPY_OPERAND(S0, 0), COPY_OPERAND(S1, 1), COPY_OPERAND(S2, 2)));
    NEXT(3);
}

/* 64-bit tables: an i64 index is compared whole with the size, so one
 * past 2^32 does not wrap into the table. */
OP(TABLE_GET64) {
    wx_table *tab = inst->tables[IMM];
    uint64_t i = fp[S1].u64;
    if (i >= tab->size) TRAP(TRAP_TABLE_OOB);
    fp[S0] = tab->elems[i]; NEXT(2);
}
OP(TABLE_SET64) {
    wx_table *tab = inst->tables[IMM];
    uint64_t i = fp[S0].u64;
    if (i >= tab->size) TRAP(TRAP_TABLE_OOB);
    tab->elems[i] = fp[S1]; NEXT(2);
}
OP(TABLE_GROW64) {
    int64_t old;
    TRAP_IF_FAILS(wx_table_grow_op(inst->tables[IMM_W2], fp[S2].u64, fp[S1], &old));
    fp[S0].i64 = old;
    NEXT(3);
}
OP(TABLE_FILL64) {
    TRAP_IF_FAILS(wx_table_fill(inst->tables[IMM_W2], fp[S0].u64, fp[S1], fp[S2].u64));
    NEXT(3);
}
OP(TABLE_COPY64) {
    TRAP_IF_FAILS(wx_table_copy(inst->tables[IMM_W2], inst->tables[IMM2_W2],
                                COPY_OPERAND(S0, 0), COPY_OPERAND(S1, 1), COPY_OPERAND(S2, 2)));
    NEXT(3);
}
#undef COPY_OPERAND
OP(TABLE_INIT64) {
    TRAP_IF_FAILS(wx_table_init(inst, IMM_W2, IMM2_W2, fp[S0].u64, fp[S1].u32, fp[S2].u32));
    NEXT(3);
}
OP(MEMORY_INIT64) {
    TRAP_IF_FAILS(wx_memory_init(inst, IMM_W2, IMM2_W2, fp[S0].u64, fp[S1].u32, fp[S2].u32));
    NEXT(3);
}

#undef EA_MEMORY
#undef EA_SSIL
#undef EA_SSSIIL
