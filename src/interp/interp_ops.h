/* interp_ops.h: the instruction handlers, written once. Included by each
 * dispatch strategy (interp.c, interp_tail.c), which first defines:
 *
 *   OP(NAME)      starts the handler of IR_NAME;
 *   DISPATCH()    runs the instruction at ip;
 *   TRAP(kind)    stops the run with a trap (ip names where);
 *
 * and provides the interpreter state as variables: ip (const ir_word *),
 * fp (wx_slot *, the frame), mem and msize (memory 0's base and size), th
 * (wx_thread *), inst (wx_instance *, the running function's instance) and
 * the accumulators acc_i, acc_f64 and acc_f32 (see wx_acc).
 * Handlers are a few lines each; what they share is in the macros below. */

/* ---- Dispatch ------------------------------------------------------------ */

/* Operand access (S0, IMM, SLOT_I32, ...) and the bodies of the pure
 * instructions are in interp_body.h. */

/* Runs body N of interp_body.h, its test or its value, on the
 * accumulators: copied into a wx_acc and back, which costs nothing once the
 * body is inlined (the fields stay in registers). */
#define RUN(N) do { wx_acc a_ = { acc_i, acc_f64, acc_f32 }; body_##N(ip, fp, mem, &a_); \
                    acc_i = a_.i; acc_f64 = a_.f64; acc_f32 = a_.f32; } while (0)
#define TEST(N) ({ wx_acc a_ = { acc_i, acc_f64, acc_f32 }; taken_##N(ip, fp, &a_); })
#define VALUE_OF(N) ({ wx_acc a_ = { acc_i, acc_f64, acc_f32 }; value_##N(ip, fp, mem, &a_); })
/* A handler's result of type T: into slot s0 and the accumulator. */
#define RESULT(T, v) do { IR_CTYPE_##T r_ = (v); SET_##T(S0, r_); HANDLER_ACC_##T(r_); } while (0)
#define HANDLER_ACC_I32(v) (acc_i = (uint32_t)(v))
#define HANDLER_ACC_I64(v) (acc_i = (v))
#define HANDLER_ACC_F32(v) (acc_f32 = (v))
#define HANDLER_ACC_F64(v) (acc_f64 = (v))

/* Advances past an instruction of `n` words. */
#define NEXT(n) do { ip += (n); DISPATCH(); } while (0)
/* Jumps by the instruction's offset. */
#define JUMP() do { ip += OFF; DISPATCH(); } while (0)

/* Memory 0's base and size, reloaded after anything that may move or grow
 * it (calls, returns into another instance, memory.grow). */
#ifndef RELOAD_MEM
#define RELOAD_MEM() do { mem = inst->mem0->base; msize = inst->mem0->size; } while (0)
#endif

/* Runs a runtime helper that returns a trap kind, stopping on a trap. A bulk
 * helper in metered code may return a stop (fuel, interrupted), which can
 * be resumed at this instruction as at a check. */
#define TRAP_IF_FAILS(call)                                                     \
    do {                                                                        \
        wx_trap t_ = (call);                                                    \
        if (t_) { if (t_ >= TRAP_FUEL) th->stop_fp = fp; TRAP(t_); }           \
    } while (0)

/* The effective address of an access to memory 0 in explicit-bounds code,
 * checked here (EA_GUARDED, in interp_body.h, needs no check). */
#define EA_CHECKED(addr, off, width) \
    ({ uint64_t ea_ = (uint64_t)(addr) + (off); \
       if (__builtin_expect(ea_ + (width) > msize, 0)) TRAP(TRAP_MEMORY_OOB); \
       mem + ea_; })

/* ---- Handlers of the forms (ir_forms.h) ------------------------------------- */

/* A form with a body: the body (RUN, on the accumulators), then the next
 * instruction. Each handler is two macros deep above the dispatch
 * primitives (OP, RUN, TEST, NEXT, JUMP): its line in ir_forms.h, then its
 * kind's macro here; an IR_BODY row's, the row and FORM. */
#define FORM(N, n) OP(N) { RUN(N); NEXT(n); }
#define FORM_VALUE(id, f, t, IN, OUT, e, A, B, OF, W) OP(id) { RUN(id); NEXT(IR_FMT_WORDS(f)); }
#define FORM_LOAD(id, f, t, OUT, M, ADDR, OFFSET, OF, W) OP(id) { RUN(id); NEXT(IR_FMT_WORDS(f)); }
#define FORM_STORE(id, f, t, IN, M, ADDR, OFFSET, V, OF, W) \
    OP(id) { RUN(id); NEXT(IR_FMT_WORDS(f)); }
/* A compare-and-branch: its test, then the jump or the next instruction. */
#define FORM_TEST(id, f, t, IN, e, A, B, OF, W)                                 \
    OP(id) { if (TEST(id)) JUMP(); else NEXT(IR_FMT_WORDS(f)); }
#define FORM_TRAP(id, f, t, T, fn, A, B)                                        \
    OP(id) { IR_CTYPE_##T r; num_trap k = fn(OPERAND_##A(T), OPERAND_##B(T), &r); \
             if (__builtin_expect(k, 0)) TRAP(wx_trap_from_num(k));            \
             RESULT(T, r); NEXT(IR_FMT_WORDS(f)); }
/* The checked memory forms check the address first. */
#define FORM_LOAD_CHK(id, f, t, OUT, M, ADDR, OFFSET)                           \
    OP(id) { M v_; memcpy(&v_, EA_CHECKED(ADDRESS_##ADDR, OFFSET_##OFFSET, sizeof(M)), sizeof v_); \
             RESULT(OUT, (IR_CTYPE_##OUT)v_); NEXT(IR_FMT_WORDS(f)); }
#define FORM_STORE_CHK(id, f, t, IN, M, ADDR, OFFSET, V)                        \
    OP(id) { STORE_VALUE(M, OPERAND_##V(IN), EA_CHECKED(ADDRESS_##ADDR, OFFSET_##OFFSET, sizeof(M))); \
             NEXT(IR_FMT_WORDS(f)); }

#define IR_UNARY_TRAP(N, t, IN, OUT, fn)                                        \
    OP(N) { IR_CTYPE_##OUT r; num_trap k = fn(SLOT_##IN(S1), &r);              \
            if (__builtin_expect(k, 0)) TRAP(wx_trap_from_num(k));             \
            RESULT(OUT, r); NEXT(2); }

/* ---- SIMD families from simd_ops.def ---------------------------------------- */

#define IR_V_UNARY(N, t, fn) OP(N) { SET_V128(S0, fn(SLOT_V128(S1))); NEXT(2); }
#define IR_V_BINARY(N, t, fn) FORM(N, 2)
#define IR_V_TERNARY(N, t, fn)                                                  \
    OP(N) { SET_V128(S0, fn(SLOT_V128(S1), SLOT_V128(S2), SLOT_V128(S3))); NEXT(2); }
#define IR_V_SHIFT(N, t, fn)                                                    \
    OP(N) { SET_V128(S0, fn(SLOT_V128(S1), SLOT_I32(S2))); NEXT(2); }          \
    OP(N##_RI) { SET_V128(S0, fn(SLOT_V128(S1), IMM)); NEXT(2); }
#define IR_V_SPLAT(N, t, IN, fn) OP(N) { SET_V128(S0, fn(SLOT_##IN(S1))); NEXT(2); }
#define IR_V_TEST(N, t, fn) OP(N) { SET_I32(S0, fn(SLOT_V128(S1))); NEXT(2); }
#define IR_V_EXTRACT(N, t, OUT, fn) FORM(N, 2)
#define IR_V_REPLACE(N, t, IN, fn)                                              \
    OP(N) { SET_V128(S0, fn(SLOT_V128(S1), IMM_W2, SLOT_##IN(S2))); NEXT(3); }

/* Memory forms as for scalars: [op][dst addr offset] and [op][addr value
 * offset]; the lane forms carry the offset and the lane in word 2. The
 * checked forms check the access width W. */
#define IR_V_LOAD(N, t, W, fn)                                                  \
    FORM(N, 2)                                  \
    OP(N##_CHK) { SET_V128(S0, fn(EA_CHECKED(SLOT_I32(S1), IMM, W))); NEXT(2); }
#define IR_V_STORE(N, t, W, fn)                                                 \
    FORM(N, 2)                                  \
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

/* Hand-written handlers are declared by IR_OP rows and defined below; an
 * IR_BODY row's handler is its body (interp_body.h), then the next
 * instruction. */
#define IR_OP(N, F, t)
#define IR_BODY(N, F, t) FORM(N, IR_WORDS_##N)
#define IR_TEST(N, F, t) OP(N) { if (TEST(N)) JUMP(); else NEXT(IR_WORDS_##N); }
#define IR_FORM(id, f, t)
#define IR_PAIR(A, B)
#include "ir_forms.h"
#undef IR_PAIR

/* ---- Moves, constants, selection ------------------------------------------ */

/* Stores of a constant: [op][addr - offset][value]. The store's width, not
 * the value's type, picks the handler. */
#define STORE_K(M, ea) do { M v_ = (M)ip[2].u64; memcpy((ea), &v_, sizeof v_); NEXT(3); } while (0)
OP(STORE8_K_CHK) { STORE_K(uint8_t, EA_CHECKED(SLOT_I32(S0), IMM, 1)); }
OP(STORE16_K_CHK) { STORE_K(uint16_t, EA_CHECKED(SLOT_I32(S0), IMM, 2)); }
OP(STORE32_K_CHK) { STORE_K(uint32_t, EA_CHECKED(SLOT_I32(S0), IMM, 4)); }
OP(STORE64_K_CHK) { STORE_K(uint64_t, EA_CHECKED(SLOT_I32(S0), IMM, 8)); }
#define STORE_KS(M, ea) do { M v_ = (M)IMM; memcpy((ea), &v_, sizeof v_); NEXT(2); } while (0)
OP(STORE8_KS_CHK) { STORE_KS(uint8_t, EA_CHECKED(SLOT_I32(S0), S1, 1)); }
OP(STORE16_KS_CHK) { STORE_KS(uint16_t, EA_CHECKED(SLOT_I32(S0), S1, 2)); }
OP(STORE32_KS_CHK) { STORE_KS(uint32_t, EA_CHECKED(SLOT_I32(S0), S1, 4)); }
#undef STORE_KS
/* v128.load and v128.store at slot + constant, as the scalar added forms. */
OP(V128_LOAD_ADD_CHK) { SET_V128(S0, simd_get(EA_CHECKED(ADD_ADDR(), 0, 16))); NEXT(2); }
OP(V128_STORE_ADD) { simd_put(EA_GUARDED(STORE_ADDR(), 0, 16), SLOT_V128(S1)); NEXT(2); }
OP(V128_STORE_ADD_CHK) { simd_put(EA_CHECKED(STORE_ADDR(), 0, 16), SLOT_V128(S1)); NEXT(2); }
/* Moves in memory: the checked forms check the source, then the
 * destination, as the load and the store would. */
#define MOVE_CHK(M, W)                                                          \
    do {                                                                        \
        uint8_t *from_ = EA_CHECKED(SLOT_I32(S1), IMM2_W2, W);                  \
        MOVE(M, EA_CHECKED(SLOT_I32(S0), IMM_W2, W), from_);                    \
        NEXT(3);                                                                \
    } while (0)
OP(MOVE32_CHK) { MOVE_CHK(uint32_t, 4); }
OP(MOVE64_CHK) { MOVE_CHK(uint64_t, 8); }
OP(MOVE128_CHK) { MOVE_CHK(simd_v, 16); }
/* mem[p] += y * mem[q]: the checked forms check p's address, then q's. */
OP(F32X4_MUL_ADD_MEM_CHK) {
    MUL_ADD_MEM(f32x4, EA_CHECKED(SLOT_I32(S0), IMM_W2, 16), EA_CHECKED(UPDATE_Q_ADDR(), 0, 16));
    NEXT(3);
}
OP(F64X2_MUL_ADD_MEM_CHK) {
    MUL_ADD_MEM(f64x2, EA_CHECKED(SLOT_I32(S0), IMM_W2, 16), EA_CHECKED(UPDATE_Q_ADDR(), 0, 16));
    NEXT(3);
}
OP(COPY_V128) { wx_slot lo = fp[S1], hi = fp[S1 + 1]; fp[S0] = lo; fp[S0 + 1] = hi; NEXT(2); }
OP(CONST64) { fp[S0].u64 = acc_i = ip[2].u64; NEXT(3); }
OP(CONST_V128) { fp[S0].u64 = ip[2].u64; fp[S0 + 1].u64 = ip[3].u64; NEXT(4); }
OP(SELECT_V128) {
    uint16_t from = fp[S3].u32 ? S1 : S2;
    wx_slot lo = fp[from], hi = fp[from + 1];
    fp[S0] = lo; fp[S0 + 1] = hi; NEXT(2);
}
OP(GLOBAL_GET) { wx_slot v = inst->globals[IMM]->value[0]; fp[S0] = v; acc_i = v.u64; NEXT(2); }
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

/* Accesses to any memory: multi-memory and memory64. */
#include "interp_mem.h"

/* ---- References and tables ------------------------------------------------ */

OP(REF_FUNC) { fp[S0].ref = inst->funcs[IMM]; NEXT(2); }
OP(REF_IS_NULL) { fp[S0].u64 = fp[S1].ref == NULL; NEXT(2); }
OP(REF_AS_NON_NULL) { if (!fp[S0].ref) TRAP(TRAP_NULL_REF); NEXT(2); }
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
    int64_t old;
    TRAP_IF_FAILS(wx_table_grow_op(inst->tables[IMM_W2], fp[S2].u32, fp[S1], &old));
    fp[S0].u64 = (uint32_t)old;
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

/* Function entry, which calls do as they make the frame: check that the
 * frame base leaves room for a whole frame (stack_limit), and zero the
 * declared locals. The first four slots past the parameters are zeroed
 * with plain stores whatever the locals (those past them are the frame's
 * temporaries, not live yet, or free stack); ENTER_REST zeroes any more,
 * in a handler of its own like the other slow paths of a call: the fast
 * path then calls no function, so a tail-call handler needs no stack
 * frame. Entered with fp and ip the callee's. */
#define ENTER_FRAME(f)                                                          \
    do {                                                                        \
        if (__builtin_expect(fp > th->stack_limit, 0)) TRAP(TRAP_EXHAUSTED);    \
        wx_slot *z_ = fp + (f)->nargs;                                          \
        z_[0].u64 = 0;                                                          \
        z_[1].u64 = 0;                                                          \
        z_[2].u64 = 0;                                                          \
        z_[3].u64 = 0;                                                          \
        if (__builtin_expect((f)->nlocals > 4, 0)) {                            \
            th->call_func = (f);                                                \
            CONTINUE(ENTER_REST);                                               \
        }                                                                       \
        DISPATCH();                                                             \
    } while (0)
OP(ENTER_REST) {
    wx_func *f = th->call_func;
    memset(fp + f->nargs + 4, 0, (size_t)(f->nlocals - 4) * sizeof *fp);
    DISPATCH();
}
/* Unwinding for a thrown exception (exn.h), from the instruction before
 * ip: what throw, throw_ref and a call that an exception came out of go on
 * with. (Before them, so that the tail-call strategy has it declared.) */
OP(UNWIND) {
    wx_catch c_ = wx_exn_unwind(th, ip, fp, inst);
    if (!c_.ip) TRAP(TRAP_EXCEPTION);
    ip = c_.ip;
    fp = c_.fp;
    inst = c_.inst;
    RELOAD_MEM();
    DISPATCH();
}
OP(JUMP) { JUMP(); }
OP(JUMP_NZ64) { if (fp[S0].u64) JUMP(); else NEXT(2); }
OP(JUMP_Z64) { if (!fp[S0].u64) JUMP(); else NEXT(2); }
/* A bit test and branch: an i32.and that only feeds the branch. */
OP(JUMP_AND_NZ) { if (fp[S0].u32 & fp[S1].u32) JUMP(); else NEXT(2); }
OP(JUMP_AND_NZ_RI) { if (fp[S0].u32 & IMM_JUMP_I32) JUMP(); else NEXT(3); }
OP(JUMP_AND_Z) { if (!(fp[S0].u32 & fp[S1].u32)) JUMP(); else NEXT(2); }
OP(JUMP_AND_Z_RI) { if (!(fp[S0].u32 & IMM_JUMP_I32)) JUMP(); else NEXT(3); }
/* A loop's step and test (interp_body.h). */
OP(JUMP_TABLE) { ip = table_jump_JUMP_TABLE(ip, SLOT_I32(S0)); DISPATCH(); }
OP(JUMP_TABLE_AT) { ip = table_jump_JUMP_TABLE_AT(ip, SLOT_I32(S0)); DISPATCH(); }
OP(UNREACHABLE) { TRAP(TRAP_UNREACHABLE); }
OP(UNSUPPORTED) { TRAP(TRAP_UNSUPPORTED); }

/* Calls push a return record and make the argument slots the callee's
 * first locals: nothing is copied. A host function gets the same slots.
 * The fast path is a Wasm function already lowered; a host function or
 * code not lowered yet (both have no code: weft_func.code) goes to
 * CALL_SLOW, with the call in the thread. */
#define PUSH_RECORD(ret)                                                        \
    do {                                                                        \
        if (__builtin_expect(th->depth >= th->max_depth, 0)) TRAP(TRAP_EXHAUSTED); \
        th->calls[th->depth++] = (wx_callrec){ (ret), fp, inst };               \
    } while (0)
#define PUSH_FRAME(f, code, args, ret)                                          \
    do {                                                                        \
        PUSH_RECORD(ret);                                                       \
        fp = (args);                                                            \
        if (inst != (f)->inst) { inst = (f)->inst; RELOAD_MEM(); }              \
        ip = (code);                                                            \
        ENTER_FRAME(f);                                                         \
    } while (0)
/* The slow path of a call: the call goes in the thread. */
#define CALL_SLOW_PATH(f, args, ret)                                            \
    do {                                                                        \
        th->call_func = (f);                                                    \
        th->call_args = (args);                                                 \
        th->call_ret = (ret);                                                   \
        CONTINUE(CALL_SLOW);                                                    \
    } while (0)
#define CALL_FUNC(f, args, ret)                                                 \
    do {                                                                        \
        wx_func *f_ = (f);                                                      \
        const ir_word *code_ = *f_->code;                                       \
        if (__builtin_expect(!code_, 0)) CALL_SLOW_PATH(f_, args, ret);         \
        PUSH_FRAME(f_, code_, args, ret);                                       \
    } while (0)
/* A call of a function defined in the module: the same instance, and never
 * a host function. */
#define CALL_DEFINED(f, args, ret)                                              \
    do {                                                                        \
        wx_func *f_ = (f);                                                      \
        const ir_word *code_ = *f_->code;                                       \
        if (__builtin_expect(!code_, 0)) CALL_SLOW_PATH(f_, args, ret);         \
        PUSH_RECORD(ret);                                                       \
        fp = (args);                                                            \
        ip = code_;                                                             \
        ENTER_FRAME(f_);                                                        \
    } while (0)

OP(CALL_SLOW) {
    wx_func *f = th->call_func;
    wx_slot *args = th->call_args;
    if (f->host) {
        th->sp = args + f->nslots;
        wx_host_frame hf = { th->host_frames, f, args, { th->call_ret, fp, inst } };
        th->host_frames = &hf;
        wx_trap t = f->host(th, f->host_ctx, args);
        th->host_frames = hf.prev;
        /* An exception out of Wasm code the host called: unwind from the call. */
        if (t == TRAP_EXCEPTION) { ip = th->call_ret; CONTINUE(UNWIND); }
        if (t) TRAP(t);
        RELOAD_MEM();
        ip = th->call_ret;
        DISPATCH();
    }
    const ir_word *code;
    wx_trap t = wx_lower_lazy(th, f, &code);
    if (t) TRAP(t);
    PUSH_FRAME(f, code, args, th->call_ret);
}

/* The function a call_indirect names: [op][args index type][table -]. */
#define INDIRECT_TARGET()                                                       \
    ({ wx_table *tab_ = inst->tables[IMM_W2];                                   \
       uint32_t i_ = fp[S1].u32;                                                \
       th->trap_index = i_;                                                     \
       if (i_ >= tab_->size) TRAP(TRAP_UNDEFINED_ELEMENT);                      \
       wx_func *g_ = tab_->elems[i_].ref;                                       \
       if (!g_) TRAP(TRAP_UNINITIALIZED_ELEMENT);                               \
       if (__builtin_expect(g_->sig != IMM, 0) && !wx_canon_id_subtype(g_->sig, IMM)) \
           TRAP(TRAP_INDIRECT_TYPE);                                            \
       g_; })

/* The function a call_ref names: [op][args ref -][- -]. */
#define REF_TARGET()                                                            \
    ({ wx_func *g_ = fp[S1].ref;                                                \
       if (!g_) TRAP(TRAP_NULL_FUNC_REF);                                       \
       g_; })

OP(CALL) { CALL_DEFINED(inst->funcs[IMM], fp + S0, ip + 2); }
OP(CALL_IMPORT) { CALL_FUNC(inst->funcs[IMM], fp + S0, ip + 2); }
OP(CALL_REF) { wx_func *g = REF_TARGET(); CALL_FUNC(g, fp + S0, ip + 3); }
OP(CALL_INDIRECT) { wx_func *g = INDIRECT_TARGET(); CALL_FUNC(g, fp + S0, ip + 3); }

/* The function a call_indirect through a 64-bit table names: the same
 * with an i64 index (an index past 2^32 - 1 is reported as that). */
#define INDIRECT_TARGET64()                                                     \
    ({ wx_table *tab_ = inst->tables[IMM_W2];                                   \
       uint64_t i_ = fp[S1].u64;                                                \
       th->trap_index = i_ < UINT32_MAX ? (uint32_t)i_ : UINT32_MAX;            \
       if (i_ >= tab_->size) TRAP(TRAP_UNDEFINED_ELEMENT);                      \
       wx_func *g_ = tab_->elems[i_].ref;                                       \
       if (!g_) TRAP(TRAP_UNINITIALIZED_ELEMENT);                               \
       if (__builtin_expect(g_->sig != IMM, 0) && !wx_canon_id_subtype(g_->sig, IMM)) \
           TRAP(TRAP_INDIRECT_TYPE);                                            \
       g_; })

OP(CALL_INDIRECT64) { wx_func *g = INDIRECT_TARGET64(); CALL_FUNC(g, fp + S0, ip + 3); }

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
            wx_host_frame hf_ = { th->host_frames, tf_, fp, { 0 } };            \
            th->host_frames = &hf_;                                             \
            wx_trap t_ = tf_->host(th, tf_->host_ctx, fp);                      \
            th->host_frames = hf_.prev;                                         \
            if (t_ == TRAP_EXCEPTION && th->calls[th->depth - 1].fp) {          \
                /* The caller's frame is gone: unwind from its caller. */       \
                wx_callrec *u_ = &th->calls[--th->depth];                       \
                ip = u_->ip; fp = u_->fp; inst = u_->inst;                      \
                CONTINUE(UNWIND);                                               \
            }                                                                   \
            if (t_) TRAP(t_);                                                   \
            RETURN_TO_CALLER();                                                 \
        }                                                                       \
        const ir_word *code_ = *tf_->code;                                      \
        if (!code_) {                                                           \
            wx_trap lt_ = wx_lower_lazy(th, tf_, &code_);                       \
            if (lt_) TRAP(lt_);                                                 \
        }                                                                       \
        if (inst != tf_->inst) { inst = tf_->inst; RELOAD_MEM(); }              \
        ip = code_;                                                             \
        ENTER_FRAME(tf_);                                                       \
    } while (0)

OP(RETURN_CALL) { TAIL_CALL_FUNC(inst->funcs[IMM], fp + S0); }
OP(RETURN_CALL_INDIRECT) { wx_func *g = INDIRECT_TARGET(); TAIL_CALL_FUNC(g, fp + S0); }
OP(RETURN_CALL_INDIRECT64) { wx_func *g = INDIRECT_TARGET64(); TAIL_CALL_FUNC(g, fp + S0); }
OP(RETURN_CALL_REF) { wx_func *g = REF_TARGET(); TAIL_CALL_FUNC(g, fp + S0); }

/* Exceptions (exn.h). A throw unwinds from its position plus one, as a
 * call does from its return address. */
OP(THROW) {
    if (!wx_exn_new(th, inst, IMM, fp + S0)) TRAP(TRAP_NOMEM);
    ip += 1;
    CONTINUE(UNWIND);
}
OP(THROW_REF) {
    if (!fp[S0].ref) TRAP(TRAP_NULL_EXNREF);
    th->exn = fp[S0].ref;
    ip += 1;
    CONTINUE(UNWIND);
}

#undef CALL_FUNC
#undef CALL_DEFINED
#undef CALL_SLOW_PATH
#undef PUSH_RECORD
#undef PUSH_FRAME
#undef ENTER_FRAME
#undef INDIRECT_TARGET
#undef INDIRECT_TARGET64
#undef REF_TARGET
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

/* ---- Pairs from ir_pairs.def ------------------------------------------------ */

/* A's body, then B on B's operands, which start at A's last word: B's body and
 * the pair's own dispatch, B's test and jump, B's table jump on A's result
 * (kept in a register, as well as written to its slot), or B's handler (for
 * calls, returns and the checked memory forms, which have no body). A test
 * pair's A is a conditional branch, which jumps or goes on with B. */
#define PAIR_A(A) do { RUN(A); ip += IR_WORDS_##A - 1; } while (0)
#define IR_PAIR(A, B) OP(A##__##B) { PAIR_A(A); RUN(B); NEXT(IR_WORDS_##B); }
#define IR_PAIR_BRANCH(A, B)                                                    \
    OP(A##__##B) { PAIR_A(A); if (TEST(B)) JUMP(); else NEXT(IR_WORDS_##B); }
#define IR_PAIR_CONT(A, B) OP(A##__##B) { PAIR_A(A); CONTINUE(B); }
#define IR_PAIR_TEST(A, B)                                                      \
    OP(A##__##B) { if (TEST(A)) JUMP(); ip += IR_WORDS_##A - 1; RUN(B); NEXT(IR_WORDS_##B); }
#define IR_PAIR_TEST_BRANCH(A, B)                                               \
    OP(A##__##B) {                                                              \
        if (TEST(A)) JUMP();                                                    \
        ip += IR_WORDS_##A - 1;                                                 \
        if (TEST(B)) JUMP(); else NEXT(IR_WORDS_##B);                           \
    }
#define IR_PAIR_TABLE(A, B)                                                     \
    OP(A##__##B) {                                                              \
        uint32_t index_ = VALUE_OF(A);                                          \
        SET_I32(S0, index_);                                                    \
        ip = table_jump_##B(ip + IR_WORDS_##A - 1, index_);                     \
        DISPATCH();                                                             \
    }
#include "ir_pairs.def"
