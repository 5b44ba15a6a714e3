/* interp_ops.h: the instruction handlers, written once. Included by each
 * dispatch strategy (interp.c, interp_tail.c), which first defines:
 *
 *   OP(NAME)      starts the handler of IR_NAME;
 *   DISPATCH()    runs the instruction at ip;
 *   TRAP(kind)    stops the run with a trap (ip names where);
 *
 * and provides the interpreter state as variables: ip (const ir_word *),
 * fp (wx_slot *, the frame), mem and msize (memory 0's base and size), th
 * (wx_thread *) and inst (wx_instance *, the running function's instance).
 * Handlers are a few lines each; what they share is in the macros below. */

/* ---- Operand access ------------------------------------------------------ */

/* Slot operands in word 1, and immediates in the positions ir.h gives. */
#define S0 (ip[1].u16[0])
#define S1 (ip[1].u16[1])
#define S2 (ip[1].u16[2])
#define S3 (ip[1].u16[3])
#define IMM (ip[1].u32[1])          /* FMT_SI, FMT_SSI, FMT_I */
#define IMM_W2 (ip[2].u32[0])       /* FMT_SSSI, FMT_SSSII, FMT_CALLI */
#define IMM2_W2 (ip[2].u32[1])      /* FMT_SSSII */
#define OFF (ip[1].i32[1])          /* jump offset of FMT_J, FMT_SJ, FMT_SSJ, FMT_SJL */

/* A slot read or written as one of the scalar types. */
#define SLOT_I32(s) (fp[s].u32)
#define SLOT_I64(s) (fp[s].u64)
#define SLOT_F32(s) (fp[s].f32)
#define SLOT_F64(s) (fp[s].f64)

/* The constant operand of a (slot, constant) form, and the form's size. A
 * 32-bit constant sits in word 1, a 64-bit one in word 2. */
#define IMM_I32 (ip[1].u32[1])
#define IMM_F32 (num_f32_from_bits(ip[1].u32[1]))
#define IMM_I64 (ip[2].u64)
#define IMM_F64 (ip[2].f64)
#define WORDS_RI_I32 2
#define WORDS_RI_F32 2
#define WORDS_RI_I64 3
#define WORDS_RI_F64 3

/* Advances past an instruction of `n` words. */
#define NEXT(n) do { ip += (n); DISPATCH(); } while (0)
/* Jumps by the instruction's offset. */
#define JUMP() do { ip += OFF; DISPATCH(); } while (0)

/* Memory 0's base and size, reloaded after anything that may move or grow
 * it (calls, returns into another instance, memory.grow). */
#define RELOAD_MEM() do { mem = inst->mem0->base; msize = inst->mem0->size; } while (0)

/* Runs a runtime helper that returns a trap kind, stopping on a trap. */
#define TRAP_IF_FAILS(call) do { wx_trap t_ = (call); if (t_) TRAP(t_); } while (0)

/* The effective address of an access to memory 0. Guarded memories need no
 * check: any 32-bit address plus 32-bit offset stays in the reservation and a
 * fault becomes a trap. Explicit memories are checked here. */
#define EA_GUARDED(addr, off, width) (mem + (uint64_t)(addr) + (off))
#define EA_CHECKED(addr, off, width) \
    ({ uint64_t ea_ = (uint64_t)(addr) + (off); \
       if (__builtin_expect(ea_ + (width) > msize, 0)) TRAP(TRAP_MEMORY_OOB); \
       mem + ea_; })

/* ---- Families from ir_ops.def --------------------------------------------- */

#define IR_BINARY(N, t, IN, OUT, e)                                             \
    OP(N##_RR) { IR_CTYPE_##IN a = SLOT_##IN(S1), b = SLOT_##IN(S2);           \
                 SLOT_##OUT(S0) = (e); NEXT(2); }                              \
    OP(N##_RI) { IR_CTYPE_##IN a = SLOT_##IN(S1), b = IMM_##IN;                \
                 SLOT_##OUT(S0) = (e); NEXT(WORDS_RI_##IN); }                  \
    OP(N##_IR) { IR_CTYPE_##IN a = IMM_##IN, b = SLOT_##IN(S1);                \
                 SLOT_##OUT(S0) = (e); NEXT(WORDS_RI_##IN); }

/* Fused compare-and-branch: [op][a b off] or [op][a - off][imm64]. */
#define IR_COMPARE(N, t, IN, e)                                                 \
    IR_BINARY(N, t, IN, I32, e)                                                 \
    OP(N##_JT_RR) { IR_CTYPE_##IN a = SLOT_##IN(S0), b = SLOT_##IN(S1);        \
                    if (e) JUMP(); else NEXT(2); }                                  \
    OP(N##_JT_RI) { IR_CTYPE_##IN a = SLOT_##IN(S0), b = IMM_JUMP_##IN;        \
                    if (e) JUMP(); else NEXT(3); }                                  \
    OP(N##_JF_RR) { IR_CTYPE_##IN a = SLOT_##IN(S0), b = SLOT_##IN(S1);        \
                    if (!(e)) JUMP(); else NEXT(2); }                               \
    OP(N##_JF_RI) { IR_CTYPE_##IN a = SLOT_##IN(S0), b = IMM_JUMP_##IN;        \
                    if (!(e)) JUMP(); else NEXT(3); }

/* The constant of a compare-and-branch lives in word 2 (FMT_SJL). */
#define IMM_JUMP_I32 (ip[2].u32[0])
#define IMM_JUMP_I64 (ip[2].u64)
#define IMM_JUMP_F32 (num_f32_from_bits(ip[2].u32[0]))
#define IMM_JUMP_F64 (ip[2].f64)

#define IR_BINARY_TRAP(N, t, T, fn)                                             \
    OP(N##_RR) { IR_CTYPE_##T r; num_trap k = fn(SLOT_##T(S1), SLOT_##T(S2), &r); \
                 if (__builtin_expect(k, 0)) TRAP(wx_trap_from_num(k));        \
                 SLOT_##T(S0) = r; NEXT(2); }                                  \
    OP(N##_RI) { IR_CTYPE_##T r; num_trap k = fn(SLOT_##T(S1), IMM_##T, &r);   \
                 if (__builtin_expect(k, 0)) TRAP(wx_trap_from_num(k));        \
                 SLOT_##T(S0) = r; NEXT(WORDS_RI_##T); }                       \
    OP(N##_IR) { IR_CTYPE_##T r; num_trap k = fn(IMM_##T, SLOT_##T(S1), &r);   \
                 if (__builtin_expect(k, 0)) TRAP(wx_trap_from_num(k));        \
                 SLOT_##T(S0) = r; NEXT(WORDS_RI_##T); }

#define IR_UNARY(N, t, IN, OUT, e)                                              \
    OP(N) { IR_CTYPE_##IN a = SLOT_##IN(S1); SLOT_##OUT(S0) = (e); NEXT(2); }

#define IR_UNARY_TRAP(N, t, IN, OUT, fn)                                        \
    OP(N) { IR_CTYPE_##OUT r; num_trap k = fn(SLOT_##IN(S1), &r);              \
            if (__builtin_expect(k, 0)) TRAP(wx_trap_from_num(k));             \
            SLOT_##OUT(S0) = r; NEXT(2); }

/* Loads: [op][dst addr offset]. The memory type's signedness does the
 * widening. */
#define IR_LOAD(N, t, OUT, M)                                                   \
    OP(N) { M v; memcpy(&v, EA_GUARDED(SLOT_I32(S1), IMM, sizeof v), sizeof v); \
            SLOT_##OUT(S0) = (IR_CTYPE_##OUT)v; NEXT(2); }                     \
    OP(N##_CHK) { M v; memcpy(&v, EA_CHECKED(SLOT_I32(S1), IMM, sizeof v), sizeof v); \
                  SLOT_##OUT(S0) = (IR_CTYPE_##OUT)v; NEXT(2); }                \
    IR_LOAD_IDX(N, OUT, M)

/* Indexed loads: [op][dst base index shift][offset]. The sum wraps at 32
 * bits exactly as the i32.add it replaces. */
#define IDX_ADDR() ((uint32_t)(SLOT_I32(S1) + (SLOT_I32(S2) << S3)))
#define IR_LOAD_IDX(N, OUT, M)                                                  \
    OP(N##_IDX) { M v; memcpy(&v, EA_GUARDED(IDX_ADDR(), IMM_W2, sizeof v), sizeof v); \
                  SLOT_##OUT(S0) = (IR_CTYPE_##OUT)v; NEXT(3); }               \
    OP(N##_IDX_CHK) { M v; memcpy(&v, EA_CHECKED(IDX_ADDR(), IMM_W2, sizeof v), sizeof v); \
                      SLOT_##OUT(S0) = (IR_CTYPE_##OUT)v; NEXT(3); }

/* Stores: [op][addr value offset]. */
#define IR_STORE(N, t, IN, M)                                                   \
    OP(N) { M v = (M)SLOT_##IN(S1);                                            \
            memcpy(EA_GUARDED(SLOT_I32(S0), IMM, sizeof v), &v, sizeof v); NEXT(2); } \
    OP(N##_CHK) { M v = (M)SLOT_##IN(S1);                                      \
                  memcpy(EA_CHECKED(SLOT_I32(S0), IMM, sizeof v), &v, sizeof v); NEXT(2); }

/* ---- SIMD families from simd_ops.def ---------------------------------------- */

/* A v128 operand spans slots s and s + 1; simd.h's functions do the lanes. */
#define SLOT_V128(s) simd_get(fp + (s))
#define SET_V128(s, v) simd_put(fp + (s), (v))

#define IR_V_UNARY(N, t, fn) OP(N) { SET_V128(S0, fn(SLOT_V128(S1))); NEXT(2); }
#define IR_V_BINARY(N, t, fn)                                                   \
    OP(N) { SET_V128(S0, fn(SLOT_V128(S1), SLOT_V128(S2))); NEXT(2); }
#define IR_V_TERNARY(N, t, fn)                                                  \
    OP(N) { SET_V128(S0, fn(SLOT_V128(S1), SLOT_V128(S2), SLOT_V128(S3))); NEXT(2); }
#define IR_V_SHIFT(N, t, fn)                                                    \
    OP(N) { SET_V128(S0, fn(SLOT_V128(S1), SLOT_I32(S2))); NEXT(2); }          \
    OP(N##_RI) { SET_V128(S0, fn(SLOT_V128(S1), IMM)); NEXT(2); }
#define IR_V_SPLAT(N, t, IN, fn) OP(N) { SET_V128(S0, fn(SLOT_##IN(S1))); NEXT(2); }
#define IR_V_TEST(N, t, fn) OP(N) { SLOT_I32(S0) = fn(SLOT_V128(S1)); NEXT(2); }
#define IR_V_EXTRACT(N, t, OUT, fn)                                             \
    OP(N) { SLOT_##OUT(S0) = fn(SLOT_V128(S1), IMM); NEXT(2); }
#define IR_V_REPLACE(N, t, IN, fn)                                              \
    OP(N) { SET_V128(S0, fn(SLOT_V128(S1), IMM_W2, SLOT_##IN(S2))); NEXT(3); }

/* Memory forms as for scalars: [op][dst addr offset] and [op][addr value
 * offset]; the lane forms carry the offset and the lane in word 2. The
 * checked forms check the access width W. */
#define IR_V_LOAD(N, t, W, fn)                                                  \
    OP(N) { SET_V128(S0, fn(EA_GUARDED(SLOT_I32(S1), IMM, W))); NEXT(2); }     \
    OP(N##_CHK) { SET_V128(S0, fn(EA_CHECKED(SLOT_I32(S1), IMM, W))); NEXT(2); }
#define IR_V_STORE(N, t, W, fn)                                                 \
    OP(N) { fn(EA_GUARDED(SLOT_I32(S0), IMM, W), SLOT_V128(S1)); NEXT(2); }    \
    OP(N##_CHK) { fn(EA_CHECKED(SLOT_I32(S0), IMM, W), SLOT_V128(S1)); NEXT(2); }
#define IR_V_LOAD_LANE(N, t, W)                                                 \
    OP(N) { SET_V128(S0, simd_load_lane(SLOT_V128(S2),                         \
                EA_GUARDED(SLOT_I32(S1), IMM_W2, W), IMM2_W2, W)); NEXT(3); }  \
    OP(N##_CHK) { SET_V128(S0, simd_load_lane(SLOT_V128(S2),                   \
                EA_CHECKED(SLOT_I32(S1), IMM_W2, W), IMM2_W2, W)); NEXT(3); }
#define IR_V_STORE_LANE(N, t, W)                                                \
    OP(N) { simd_store_lane(EA_GUARDED(SLOT_I32(S0), IMM_W2, W), SLOT_V128(S1), IMM2_W2, W); \
            NEXT(3); }                                                          \
    OP(N##_CHK) { simd_store_lane(EA_CHECKED(SLOT_I32(S0), IMM_W2, W), SLOT_V128(S1),       \
                                  IMM2_W2, W); NEXT(3); }

/* Hand-written handlers are declared by IR_OP rows and defined below. */
#define IR_OP(N, F, t)

#include "ir_ops.def"

/* ---- Moves, constants, selection ------------------------------------------ */

OP(I32_ADD_SHL) { fp[S0].u32 = fp[S1].u32 + (fp[S2].u32 << S3); NEXT(2); }
/* A multiply feeding an add: two IEEE operations, each rounded (the build
 * forbids contracting them into one fused multiply-add). */
OP(F32_MUL_ADD) { float p = fp[S2].f32 * fp[S3].f32; fp[S0].f32 = fp[S1].f32 + p; NEXT(2); }
OP(F64_MUL_ADD) { double p = fp[S2].f64 * fp[S3].f64; fp[S0].f64 = fp[S1].f64 + p; NEXT(2); }
OP(COPY) { fp[S0] = fp[S1]; NEXT(2); }
OP(COPY2) { fp[S0] = fp[S1]; fp[S2] = fp[S3]; NEXT(2); }
OP(COPY_V128) { wx_slot lo = fp[S1], hi = fp[S1 + 1]; fp[S0] = lo; fp[S0 + 1] = hi; NEXT(2); }
OP(CONST32) { fp[S0].u64 = IMM; NEXT(2); }
OP(CONST64) { fp[S0].u64 = ip[2].u64; NEXT(3); }
OP(CONST_V128) { fp[S0].u64 = ip[2].u64; fp[S0 + 1].u64 = ip[3].u64; NEXT(4); }
OP(SELECT) { fp[S0] = fp[S3].u32 ? fp[S1] : fp[S2]; NEXT(2); }
OP(SELECT_V128) {
    uint16_t from = fp[S3].u32 ? S1 : S2;
    wx_slot lo = fp[from], hi = fp[from + 1];
    fp[S0] = lo; fp[S0 + 1] = hi; NEXT(2);
}
OP(GLOBAL_GET) { fp[S0] = inst->globals[IMM]->value[0]; NEXT(2); }
OP(GLOBAL_SET) { inst->globals[IMM]->value[0] = fp[S0]; NEXT(2); }
OP(GLOBAL_GET_V128) {
    wx_global *g = inst->globals[IMM];
    fp[S0] = g->value[0]; fp[S0 + 1] = g->value[1]; NEXT(2);
}
OP(GLOBAL_SET_V128) {
    wx_global *g = inst->globals[IMM];
    g->value[0] = fp[S0]; g->value[1] = fp[S0 + 1]; NEXT(2);
}

/* ---- SIMD instructions with their own format ------------------------------- */

/* i8x16.shuffle: [op][dst a b -][16 lane-index bytes]. */
OP(I8X16_SHUFFLE) {
    SET_V128(S0, simd_i8x16_shuffle(SLOT_V128(S1), SLOT_V128(S2), (const uint8_t *)&ip[2]));
    NEXT(4);
}

/* ---- Memory instructions that are not loads or stores --------------------- */

OP(MEMORY_SIZE) { fp[S0].u64 = inst->memories[IMM]->pages; NEXT(2); }
OP(MEMORY_GROW) {
    int64_t old = mem_grow(inst->memories[IMM], fp[S1].u32);
    fp[S0].u64 = (uint32_t)old;
    RELOAD_MEM(); NEXT(2);
}
OP(MEMORY_FILL) {
    TRAP_IF_FAILS(wx_memory_fill(inst->memories[IMM_W2], fp[S0].u32, fp[S1].u32, fp[S2].u32));
    NEXT(3);
}
OP(MEMORY_COPY) {
    TRAP_IF_FAILS(wx_memory_copy(inst->memories[IMM_W2], inst->memories[IMM2_W2],
                                 fp[S0].u32, fp[S1].u32, fp[S2].u32));
    NEXT(3);
}
OP(MEMORY_INIT) {
    TRAP_IF_FAILS(wx_memory_init(inst, IMM_W2, IMM2_W2, fp[S0].u32, fp[S1].u32, fp[S2].u32));
    NEXT(3);
}
OP(DATA_DROP) { inst->data_dropped[IMM] = true; NEXT(2); }

/* ---- References and tables ------------------------------------------------ */

OP(REF_FUNC) { fp[S0].ref = inst->funcs[IMM]; NEXT(2); }
OP(REF_IS_NULL) { fp[S0].u64 = fp[S1].ref == NULL; NEXT(2); }
OP(TABLE_GET) {
    wx_table *tab = inst->tables[IMM];
    uint32_t i = fp[S1].u32;
    if (i >= tab->size) TRAP(TRAP_TABLE_OOB);
    fp[S0] = tab->elems[i]; NEXT(2);
}
OP(TABLE_SET) {
    wx_table *tab = inst->tables[IMM];
    uint32_t i = fp[S0].u32;
    if (i >= tab->size) TRAP(TRAP_TABLE_OOB);
    tab->elems[i] = fp[S1]; NEXT(2);
}
OP(TABLE_SIZE) { fp[S0].u64 = inst->tables[IMM]->size; NEXT(2); }
OP(TABLE_GROW) {
    fp[S0].u64 = (uint32_t)wx_table_grow(inst->tables[IMM_W2], fp[S2].u32, fp[S1]);
    NEXT(3);
}
OP(TABLE_FILL) {
    TRAP_IF_FAILS(wx_table_fill(inst->tables[IMM_W2], fp[S0].u32, fp[S1], fp[S2].u32));
    NEXT(3);
}
OP(TABLE_COPY) {
    TRAP_IF_FAILS(wx_table_copy(inst->tables[IMM_W2], inst->tables[IMM2_W2],
                                fp[S0].u32, fp[S1].u32, fp[S2].u32));
    NEXT(3);
}
OP(TABLE_INIT) {
    TRAP_IF_FAILS(wx_table_init(inst, IMM_W2, IMM2_W2, fp[S0].u32, fp[S1].u32, fp[S2].u32));
    NEXT(3);
}
OP(ELEM_DROP) { inst->elem_dropped[IMM] = true; NEXT(2); }

/* ---- Control -------------------------------------------------------------- */

/* Function entry: check the frame fits on the value stack, zero the
 * declared locals. */
OP(ENTER) {
    if (__builtin_expect(fp + IMM > th->stack_end, 0)) TRAP(TRAP_EXHAUSTED);
    memset(fp + S0, 0, (size_t)S1 * sizeof *fp);
    NEXT(2);
}
OP(JUMP) { JUMP(); }
OP(JUMP_NZ) { if (fp[S0].u32) JUMP(); else NEXT(2); }
OP(JUMP_Z) { if (!fp[S0].u32) JUMP(); else NEXT(2); }
OP(JUMP_NZ64) { if (fp[S0].u64) JUMP(); else NEXT(2); }
OP(JUMP_Z64) { if (!fp[S0].u64) JUMP(); else NEXT(2); }
OP(JUMP_TABLE) {
    uint32_t i = fp[S0].u32, n = IMM;
    ip += ip[2 + (i < n ? i : n)].i32[0];
    DISPATCH();
}
OP(UNREACHABLE) { TRAP(TRAP_UNREACHABLE); }
OP(UNSUPPORTED) { TRAP(TRAP_UNSUPPORTED); }

/* Calls push a return record and make the argument slots the callee's
 * first locals: nothing is copied. A host function gets the same slots. */
#define CALL_FUNC(f, args, ret)                                                 \
    do {                                                                        \
        wx_func *f_ = (f);                                                      \
        if (f_->host) {                                                         \
            th->sp = (args) + f_->nslots;                                       \
            wx_trap t_ = f_->host(th, f_->host_ctx, (args));                    \
            if (t_) TRAP(t_);                                                   \
            RELOAD_MEM();                                                       \
            ip = (ret);                                                         \
            DISPATCH();                                                         \
        }                                                                       \
        if (__builtin_expect(th->depth >= th->max_depth, 0)) TRAP(TRAP_EXHAUSTED); \
        const ir_word *code_ = *f_->code;                                       \
        if (!code_ && !(code_ = wx_lower_lazy(f_))) TRAP(TRAP_NOMEM);           \
        th->calls[th->depth++] = (wx_callrec){ (ret), fp, inst };               \
        fp = (args);                                                            \
        if (inst != f_->inst) { inst = f_->inst; RELOAD_MEM(); }                \
        ip = code_;                                                             \
        DISPATCH();                                                             \
    } while (0)

/* The function a call_indirect names: [op][args index type][table -]. */
#define INDIRECT_TARGET()                                                       \
    ({ wx_table *tab_ = inst->tables[IMM_W2];                                   \
       uint32_t i_ = fp[S1].u32;                                                \
       th->trap_index = i_;                                                     \
       if (i_ >= tab_->size) TRAP(TRAP_UNDEFINED_ELEMENT);                      \
       wx_func *g_ = tab_->elems[i_].ref;                                       \
       if (!g_) TRAP(TRAP_UNINITIALIZED_ELEMENT);                               \
       if (g_->sig != IMM) TRAP(TRAP_INDIRECT_TYPE);                            \
       g_; })

OP(CALL) { CALL_FUNC(inst->funcs[IMM], fp + S0, ip + 2); }
OP(CALL_INDIRECT) { wx_func *g = INDIRECT_TARGET(); CALL_FUNC(g, fp + S0, ip + 3); }

/* Returns pop the return record; the results are already in the frame's
 * first slots, which are the caller's argument slots. */
#define RETURN_TO_CALLER()                                                      \
    do {                                                                        \
        wx_callrec *r_ = &th->calls[--th->depth];                               \
        ip = r_->ip;                                                            \
        fp = r_->fp;                                                            \
        if (inst != r_->inst) { inst = r_->inst; RELOAD_MEM(); }                \
        DISPATCH();                                                             \
    } while (0)

OP(RETURN) { RETURN_TO_CALLER(); }
OP(RETURN1) { fp[0] = fp[S0]; RETURN_TO_CALLER(); }

/* Tail calls move the arguments down to the frame's base and replace the
 * running function instead of pushing a record. */
#define TAIL_CALL_FUNC(f, args)                                                 \
    do {                                                                        \
        wx_func *tf_ = (f);                                                     \
        memmove(fp, (args), tf_->nargs * sizeof *fp);                           \
        if (tf_->host) {                                                        \
            th->sp = fp + tf_->nslots;                                          \
            wx_trap t_ = tf_->host(th, tf_->host_ctx, fp);                      \
            if (t_) TRAP(t_);                                                   \
            RETURN_TO_CALLER();                                                 \
        }                                                                       \
        const ir_word *code_ = *tf_->code;                                      \
        if (!code_ && !(code_ = wx_lower_lazy(tf_))) TRAP(TRAP_NOMEM);          \
        if (inst != tf_->inst) { inst = tf_->inst; RELOAD_MEM(); }              \
        ip = code_;                                                             \
        DISPATCH();                                                             \
    } while (0)

OP(RETURN_CALL) { TAIL_CALL_FUNC(inst->funcs[IMM], fp + S0); }
OP(RETURN_CALL_INDIRECT) { wx_func *g = INDIRECT_TARGET(); TAIL_CALL_FUNC(g, fp + S0); }

#undef CALL_FUNC
#undef INDIRECT_TARGET
#undef RETURN_TO_CALLER
#undef TAIL_CALL_FUNC

/* ---- Metering: fuel and interruption --------------------------------------- */

/* Stops the run so that it can be continued: the check's own ip (so the
 * resumed run checks again), its frame and instance stay in the thread,
 * and the return records stay on th->calls. */
#define STOP(kind) do { th->stop_fp = fp; TRAP(kind); } while (0)

/* Whether an interrupt is pending (a plain load: wx_check_stop clears it). */
#define INTERRUPT_PENDING() atomic_load_explicit(&th->interrupt, memory_order_relaxed)

/* Each engine's code has one of the three checks, doing only what it asked
 * for: fuel and interruption, fuel alone, interruption alone. */
OP(CHECK) {
    if (__builtin_expect(th->fuel < IMM || INTERRUPT_PENDING(), 0)) {
        wx_trap k_ = wx_check_stop(th, IMM);
        if (k_) STOP(k_);
    }
    th->fuel -= IMM; NEXT(2);
}
OP(CHECK_FUEL) {
    if (__builtin_expect(th->fuel < IMM, 0)) STOP(TRAP_FUEL);
    th->fuel -= IMM; NEXT(2);
}
OP(CHECK_INTERRUPT) {
    if (__builtin_expect(INTERRUPT_PENDING(), 0) && wx_check_stop(th, 0)) STOP(TRAP_INTERRUPTED);
    NEXT(2);
}

#undef STOP
#undef INTERRUPT_PENDING
