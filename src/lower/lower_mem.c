/* lower_mem.c: the lowering of what multi-memory and memory64 add: accesses
 * to any memory but a 32-bit memory 0, and the memory and table
 * instructions of 64-bit memories and tables. lower_instr.c routes those
 * cases here, so that the
 * memory-0 lowering (lower_load, lower_store and their folds) stays as it
 * is. It folds nothing, since every access here is checked against its
 * memory's size anyway. */
#include "lower_internal.h"

/* The general form of each memory-0 access in ir_mem_ops.def (its _M32
 * instruction; _M64 follows it), or 0 for instructions that have none. */
static const uint16_t general_access[IR_OP_COUNT] = {
#define IR_OP(N, F, t)
#define IR_M_LOAD(N, t, OUT, M) [IR_##N] = IR_##N##_M32,
#define IR_M_STORE(N, t, IN, M) [IR_##N] = IR_##N##_M32,
#define IR_M_V_LOAD(N, t, W, fn) [IR_##N] = IR_##N##_M32,
#define IR_M_V_STORE(N, t, W, fn) [IR_##N] = IR_##N##_M32,
#define IR_M_V_LOAD_LANE(N, t, W) [IR_##N] = IR_##N##_M32,
#define IR_M_V_STORE_LANE(N, t, W) [IR_##N] = IR_##N##_M32,
#include "ir_mem_ops.def"
#undef IR_OP
};


/* A load, store, lane load or lane store of memory imm->index, as its
 * general form: [op][s0 s1 mem][offset] or, for lanes, [op][s0 s1 s2 -][mem
 * lane][offset], with the slots the memory-0 form would have. */
bool lo_memory_access(lo_ctx *l, const lo_map *map, const wv_imm *imm,
                                uint8_t result)
{
    if (general_access[map->op] == 0)
        return lo_fail(l, WEFT_ERR_LIMIT, "no general form of a memory access");
    ir_op op = (ir_op)(general_access[map->op] + memory_is64(l, imm->index));
    bool lane = map->kind == MAP_V_LOAD_LANE || map->kind == MAP_V_STORE_LANE;
    uint32_t pos;
    if (map->kind == MAP_LOAD || map->kind == MAP_LOAD_IDX) {
        uint16_t addr = operand(l, 0);
        drop(l);
        uint16_t dst = push_temp(l, result);
        pos = emit_s(l, op, 3, dst, addr, 0, 0);
    } else if (map->kind == MAP_V_LOAD_LANE) {
        uint16_t v = operand(l, 0), addr = operand(l, 1);
        drop(l);
        drop(l);
        uint16_t dst = push_temp(l, VT_V128);
        pos = emit_s(l, op, 4, dst, addr, v, 0);
    } else {
        uint16_t value = operand(l, 0), addr = operand(l, 1);
        drop(l);
        drop(l);
        pos = emit_s(l, op, lane ? 4 : 3, addr, value, 0, 0);
    }
    if (l->len) {
        if (lane) {
            at(l, pos + 2)->u32[0] = imm->index;
            at(l, pos + 2)->u32[1] = imm->lane;
            at(l, pos + 3)->u64 = imm->offset;
        } else {
            at(l, pos + 1)->u32[1] = imm->index;
            at(l, pos + 2)->u64 = imm->offset;
        }
    }
    if (map->kind == MAP_LOAD || map->kind == MAP_LOAD_IDX || map->kind == MAP_V_LOAD_LANE)
        has_dst(l);
    return !l->failed;
}

/* Whether `op` is a memory instruction (not a load or store) on a 64-bit
 * memory, which lo_memory64 lowers: its addresses, lengths or result
 * are i64. memory.copy counts when either memory is; memory.init names its
 * memory second. */
bool lo_memory64_op(const lo_ctx *l, wasm_op op, const wv_imm *imm)
{
    switch (op) {
    case WOP_MEMORY_SIZE: case WOP_MEMORY_GROW: case WOP_MEMORY_FILL:
        return memory_is64(l, imm->index);
    case WOP_MEMORY_COPY:
        return memory_is64(l, imm->index) || memory_is64(l, imm->index2);
    case WOP_MEMORY_INIT:
        return memory_is64(l, imm->index2);
    case WOP_TABLE_GET: case WOP_TABLE_SET: case WOP_TABLE_SIZE: case WOP_TABLE_GROW:
    case WOP_TABLE_FILL:
        return lo_table_is64(l, imm->index);
    case WOP_TABLE_COPY:
        return lo_table_is64(l, imm->index) || lo_table_is64(l, imm->index2);
    case WOP_TABLE_INIT:
        return lo_table_is64(l, imm->index2);
    default:
        return false;
    }
}

/* copy's s3 for the 64-bit bulk forms: which operands are i64 (bit 0 the
 * destination's, bit 1 the source's, bit 2 the length's, i64 only when both
 * are; ir_mem_ops.def). */
static uint16_t wide_operands(bool dst64, bool src64)
{
    return (uint16_t)(dst64 | src64 << 1 | (dst64 && src64) << 2);
}

/* fill, copy and init of a memory or table with 64-bit operands:
 * [op][s0 s1 s2 wide][a b], a and b the indices in the order the row reads
 * them. */
static void emit_bulk64(lo_ctx *l, ir_op iop, uint16_t wide, uint32_t a, uint32_t b)
{
    uint16_t s2 = operand(l, 0), s1 = operand(l, 1), s0 = operand(l, 2);
    drop(l);
    drop(l);
    drop(l);
    uint32_t pos = emit_s(l, iop, 3, s0, s1, s2, wide);
    if (l->len) {
        at(l, pos + 2)->u32[0] = a;
        at(l, pos + 2)->u32[1] = b;
    }
}

/* The table instructions of 64-bit tables: the 32-bit forms' operands,
 * with i64 indices, sizes and lengths (ir_mem_ops.def). */
static void lower_table64(lo_ctx *l, wasm_op op, const wv_imm *imm)
{
    switch (op) {
    case WOP_TABLE_GET: {
        uint16_t i = operand(l, 0);
        drop(l);
        uint16_t dst = push_temp(l, l->m->tables[imm->index].type.elem);
        emit_ssi(l, IR_TABLE_GET64, dst, i, imm->index);
        has_dst(l);
        break;
    }
    case WOP_TABLE_SET: {
        uint16_t v = operand(l, 0), i = operand(l, 1);
        drop(l);
        drop(l);
        emit_ssi(l, IR_TABLE_SET64, i, v, imm->index);
        break;
    }
    case WOP_TABLE_SIZE: {
        /* The 32-bit form already writes the size as 64 bits. */
        uint16_t dst = push_temp(l, VT_I64);
        emit_ssi(l, IR_TABLE_SIZE, dst, 0, imm->index);
        has_dst(l);
        break;
    }
    case WOP_TABLE_GROW: {
        uint16_t delta = operand(l, 0), init = operand(l, 1);
        drop(l);
        drop(l);
        uint16_t dst = push_temp(l, VT_I64);
        uint32_t pos = emit_s(l, IR_TABLE_GROW64, 3, dst, init, delta, 0);
        if (l->len)
            at(l, pos + 2)->u32[0] = imm->index;
        has_dst(l);
        break;
    }
    case WOP_TABLE_COPY:
        emit_bulk64(l, IR_TABLE_COPY64,
                    wide_operands(lo_table_is64(l, imm->index), lo_table_is64(l, imm->index2)),
                    imm->index, imm->index2);
        break;
    case WOP_TABLE_INIT:
        emit_bulk64(l, IR_TABLE_INIT64, 0, imm->index2, imm->index); /* The table first. */
        break;
    default:
        emit_bulk64(l, IR_TABLE_FILL64, 0, imm->index, 0);
        break;
    }
}

bool lo_memory64(lo_ctx *l, wasm_op op, const wv_imm *imm)
{
    switch (op) {
    case WOP_TABLE_GET: case WOP_TABLE_SET: case WOP_TABLE_SIZE: case WOP_TABLE_GROW:
    case WOP_TABLE_FILL: case WOP_TABLE_COPY: case WOP_TABLE_INIT:
        lower_table64(l, op, imm);
        break;
    case WOP_MEMORY_SIZE: {
        /* The 32-bit form already writes the page count as 64 bits. */
        uint16_t dst = push_temp(l, VT_I64);
        emit_ssi(l, IR_MEMORY_SIZE, dst, 0, imm->index);
        has_dst(l);
        break;
    }
    case WOP_MEMORY_GROW: {
        uint16_t delta = operand(l, 0);
        drop(l);
        uint16_t dst = push_temp(l, VT_I64);
        emit_ssi(l, IR_MEMORY_GROW64, dst, delta, imm->index);
        has_dst(l);
        break;
    }
    case WOP_MEMORY_COPY:
        emit_bulk64(l, IR_MEMORY_COPY64,
                    wide_operands(memory_is64(l, imm->index), memory_is64(l, imm->index2)),
                    imm->index, imm->index2);
        break;
    case WOP_MEMORY_INIT:
        emit_bulk64(l, IR_MEMORY_INIT64, 0, imm->index2, imm->index); /* The memory first. */
        break;
    default:
        emit_bulk64(l, IR_MEMORY_FILL64, 0, imm->index, 0);
        break;
    }
    return !l->failed;
}
