/* lower_stack.c: the lowering's model of the operand stack and of control:
 * stack entries (locals, constants, temporaries in their home slots), the
 * moves that materialise them, control frames and the jumps between them
 * (patches, tail duplication of a loop head), the metered regions, and the
 * lowering of the control instructions. */
#include "lower_internal.h"

bool lo_fail(lo_ctx *l, weft_status status, const char *msg)
{
    if (!l->failed)
        wm_fail(l->err, status, SEC_CODE, -1, -1, "%s", msg);
    l->failed = true;
    return false;
}

/* Grows *buf (of *cap elements of `size` bytes) to hold `need`. Out of
 * line: the callers test the capacity first, and growing is rare. */
bool lo_grow_slow(lo_ctx *l, void **buf, uint32_t *cap,
                                                uint32_t need, size_t size)
{
    uint32_t n = *cap ? *cap : 64;
    while (n < need)
        n *= 2;
    void *p = realloc(*buf, (size_t)n * size);
    if (!p)
        return lo_fail(l, WEFT_ERR_NOMEM, "out of memory while lowering");
    *buf = p;
    *cap = n;
    return true;
}

/* Grows the code and the opcodes to hold `need` words. The code's buffer
 * starts one word before it, where the finished code records its length
 * (lower_code_length): the buffer becomes the finished code's. */
bool lo_grow_code(lo_ctx *l, uint32_t need)
{
    uint32_t n = l->cap ? l->cap : 64;
    while (n < need)
        n *= 2;
    ir_word *buf = realloc(l->code ? l->code - 1 : NULL, ((size_t)n + 1) * sizeof *buf);
    if (!buf)
        return lo_fail(l, WEFT_ERR_NOMEM, "out of memory while lowering");
    l->code = buf + 1;
    l->cap = n;
    return grow(l, (void **)&l->ops, &l->ops_cap, need, sizeof *l->ops);
}

void lo_add_patch(lo_ctx *l, lo_frame *f, uint32_t from, uint32_t word, uint8_t half)
{
    if (!grow(l, (void **)&l->patches, &l->patches_cap, l->npatches + 1, sizeof *l->patches))
        return;
    l->patches[l->npatches] = (lo_patch){ from, word, half, f->patches };
    f->patches = (int32_t)l->npatches++;
}

void lo_set_offset(lo_ctx *l, uint32_t from, uint32_t word, uint8_t half, uint32_t target)
{
    if (from == UINT32_MAX) {
        /* Not a jump: a catch clause waiting for its label (lower_exn.c). */
        lo_exn_set_target(l, word, target);
        return;
    }
    if (l->len)
        l->code[word].i32[half] = (int32_t)(target - from);
}

/* Points every pending jump of frame `f` here. */
static void resolve_patches(lo_ctx *l, lo_frame *f)
{
    for (int32_t i = f->patches; i >= 0; i = l->patches[i].next)
        lo_set_offset(l, l->patches[i].from, l->patches[i].word, l->patches[i].half, l->len);
    f->patches = -1;
}

/* ---- Metering: fuel and interruption checks ------------------------------------- */

/* Metered code has a check at function entry and at every loop header
 * (where every backward branch lands). The function's check charges the
 * Wasm instructions of its body outside any loop, a loop's check those of
 * the loop's body outside nested loops: so each is paid for once per entry
 * or iteration, and code after a nested loop is charged to the region
 * around it, with no check of its own. */
void lo_close_region(lo_ctx *l)
{
    if (l->metered && l->check_pos != UINT32_MAX && l->len)
        at(l, l->check_pos + 1)->u32[1] = l->region_ops;
}

/* Starts a region with its check, which nothing may fuse across. */
void lo_emit_check(lo_ctx *l)
{
    if (!l->metered)
        return;
    l->check_pos = emit(l, l->check_op, 2);
    l->region_ops = 0;
    label(l);
}

/* A loop's header: the enclosing region is set aside until its end. */
static void open_loop_region(lo_ctx *l, lo_frame *f)
{
    if (!l->metered || !f)
        return;
    f->outer_check = l->check_pos;
    f->outer_ops = l->region_ops;
    lo_emit_check(l);
}

static void close_loop_region(lo_ctx *l, lo_frame *f)
{
    if (!l->metered)
        return;
    lo_close_region(l);
    l->check_pos = f->outer_check;
    l->region_ops = f->outer_ops;
}

/* ---- Stack entries ---------------------------------------------------------------- */

/* push when the stack is full or the frame would pass 65535 slots. */
lo_val *lo_push_slow(lo_ctx *l, uint8_t kind, uint8_t type,
                                                   uint32_t home)
{
    if (home + width(type) > 0xffff) {
        lo_fail(l, WEFT_ERR_LIMIT, FRAME_LIMIT_MESSAGE);
        home = 0;
    }
    if (!grow(l, (void **)&l->vals, &l->vals_cap, l->nvals + 1, sizeof *l->vals)) {
        static lo_val sink;
        return &sink;
    }
    return put(l, kind, type, home);
}

/* Writes the value of `v` into slot `dst`. */
void lo_move_to(lo_ctx *l, const lo_val *v, uint16_t dst)
{
    if (v->kind == LV_CONST) {
        if (v->type == VT_V128)
            return; /* v128 constants are always materialised at once. */
        if (v->bits >> 32 == 0)
            emit_ssi(l, IR_CONST32, dst, 0, (uint32_t)v->bits);
        else {
            uint32_t pos = emit_s(l, IR_CONST64, 3, dst, 0, 0, 0);
            if (l->len)
                at(l, pos + 2)->u64 = v->bits;
        }
        has_dst(l);
    } else if (v->slot != dst && v->type != VT_V128 && l->fuse.copy_open && l->len) {
        /* Two copies in a row become one copy2, which runs them in order. */
        ir_word *w = at(l, l->fuse.last_pos);
        w[0].handler = l->words[IR_COPY2];
        l->ops[l->fuse.last_pos] = IR_COPY2;
        w[1].u16[2] = dst;
        w[1].u16[3] = v->slot;
        l->fuse.last_op = IR_COPY2;
        l->fuse.last_has_dst = false;
        l->fuse.copy_open = false;
    } else if (v->slot != dst) {
        emit_s(l, v->type == VT_V128 ? IR_COPY_V128 : IR_COPY, 2, dst, v->slot, 0, 0);
        has_dst(l);
        l->fuse.copy_open = v->type != VT_V128;
    }
}

/* Puts stack entry `v` into its home slot, so it no longer depends on a
 * local or a constant. */
void lo_materialize(lo_ctx *l, lo_val *v)
{
    if (v->kind == LV_TEMP)
        return;
    lo_move_to(l, v, v->home);
    if (v->kind == LV_LOCAL)
        l->locals[v->local].refs--;
    v->kind = LV_TEMP;
    v->slot = v->home;
}

/* The slot holding entry `v`'s value; constants are materialised first. */
uint16_t lo_slot_of(lo_ctx *l, lo_val *v)
{
    if (v->kind == LV_CONST)
        lo_materialize(l, v);
    return v->slot;
}

/* Before local `index` is written, entries still reading it get their own
 * copy. */
void lo_preserve_local(lo_ctx *l, uint32_t index)
{
    if (!l->locals[index].refs)
        return;
    for (uint32_t i = 0; i < l->nvals; i++)
        if (l->vals[i].kind == LV_LOCAL && l->vals[i].local == index)
            lo_materialize(l, &l->vals[i]);
}

/* Local `index` is about to receive the result that the instruction just
 * emitted wrote to a temporary, while stack entries still read the local's
 * old value. Their copies go before that instruction, which then writes the
 * local itself: one copy fewer than copying the result in after them. The
 * instruction reads none of the slots the copies write (their homes lie
 * below its operands'), and code jumping to it now runs the copies first,
 * which change nothing it reads. False, with nothing changed, for a
 * safepoint (its stack map names its position) or a long instruction. */
bool lo_preserve_before_last(lo_ctx *l, uint32_t index, uint16_t slot)
{
    uint32_t pos = l->fuse.last_pos, n = l->len - pos;
    ir_word saved[4];
    if (n > 4 || !l->len)
        return false;
    if (lo_site_at(l, pos))
        return false;
    ir_op op = (ir_op)l->ops[pos];
    memcpy(saved, l->code + pos, n * sizeof *saved);
    l->len = pos;
    l->fuse.last_valid = l->fuse.copy_open = false;
    if (l->fuse.add_pos == pos)
        l->fuse.add_pos = UINT32_MAX;
    lo_preserve_local(l, index);
    uint32_t p = emit(l, op, n);
    if (!l->len)
        return true;
    memcpy(l->code + p + 1, saved + 1, (n - 1) * sizeof *saved);
    at(l, p + 1)->u16[0] = slot;
    has_dst(l);
    return true;
}

/* Entering a block: the block may write any local, so no entry may depend
 * on one, and the block's parameters live in their homes. */
static void preserve_all(lo_ctx *l, uint32_t nparams)
{
    for (uint32_t i = 0; i < l->nvals; i++)
        if (l->vals[i].kind == LV_LOCAL || i >= l->nvals - nparams)
            lo_materialize(l, &l->vals[i]);
}

/* ---- Branches ------------------------------------------------------------------------ */

/* The values a branch to `f` carries: a loop's parameters, else the results. */
static uint32_t label_arity(const lo_frame *f, const wm_valtype **types)
{
    if (f->kind == WV_LOOP) {
        *types = f->params;
        return f->nparams;
    }
    *types = f->results;
    return f->nresults;
}

/* Whether the top `n` entries already sit in the homes a branch to `f` needs. */
static bool in_place(lo_ctx *l, const lo_frame *f, uint32_t n)
{
    if (n == 0)
        return true;
    if (l->nvals - n != f->height || f->below)
        return false;
    for (uint32_t j = 0; j < n; j++)
        if (peek(l, j)->kind != LV_TEMP)
            return false;
    return true;
}

/* Copies the top `n` entries into the homes starting at `base`. Increasing
 * order is safe: each destination lies at or below its source. */
static void copy_down(lo_ctx *l, uint32_t n, uint16_t base)
{
    uint16_t dst = base;
    for (uint32_t j = 0; j < n; j++) {
        lo_val *v = peek(l, n - 1 - j);
        lo_move_to(l, v, dst);
        dst += width(v->type);
    }
}

/* Returns from the function: results go to slots 0.. of the frame. */
void lo_emit_return(lo_ctx *l)
{
    lo_frame *f = &l->frames[0];
    uint32_t n = f->nresults;
    if (n == 0) {
        emit(l, IR_RETURN, 1);
        return;
    }
    lo_val *v = peek(l, 0);
    if (n == 1 && v->kind == LV_TEMP && v->type != VT_V128 && just_wrote(l, v->home)) {
        /* The result was just computed: it goes to slot 0 directly (only
         * the return runs after it). */
        at(l, l->fuse.last_pos + 1)->u16[0] = 0;
        emit(l, IR_RETURN, 1);
        return;
    }
    if (n == 1 && v->kind != LV_CONST && v->type != VT_V128) {
        /* A call's result comes back in its first argument slot: when that
         * is slot 0, the result is in place. */
        if (v->slot == 0)
            emit(l, IR_RETURN, 1);
        else
            emit_s(l, IR_RETURN1, 2, v->slot, 0, 0, 0);
        return;
    }
    if (n == 1) {
        lo_move_to(l, v, 0);
        emit(l, IR_RETURN, 1);
        return;
    }
    /* Sources first into their homes, so no copy overwrites a later source.
     * The stack entries are left as they are: this code may be on one path
     * only (br_if, br_table). */
    for (uint32_t j = 0; j < n; j++)
        lo_move_to(l, peek(l, j), peek(l, j)->home);
    uint16_t dst = 0;
    for (uint32_t j = 0; j < n; j++) {
        lo_val *r = peek(l, n - 1 - j);
        lo_val home = { .kind = LV_TEMP, .type = r->type, .home = r->home, .slot = r->home };
        lo_move_to(l, &home, dst);
        dst += width(r->type);
    }
    emit(l, IR_RETURN, 1);
}

/* ---- Block results written straight into a local ---------------------------------- */

/* A block, loop or if whose one numeric result a local.set takes at once
 * gets it written into the local on every path, instead of into the
 * result's home and then copied: each path's last write of the home (a
 * branch's or the end's move, or the instruction computing the value just
 * before an unconditional branch or the end) is noted, and at the end they
 * are all pointed at the local, which then stands on the stack for the
 * result (so the local.set that follows has nothing to do). Each runs just before its path reaches the
 * end, so the local keeps its old value until then on every path. A path
 * whose write is not known (a conditional branch with the value already in
 * place, which the code falling through still reads there; an if without
 * else; a value already in the home) makes the frame's result stay where
 * it is. */
static bool result_tracked(const lo_frame *f)
{
    if (f->nresults != 1 || f->writes_unknown)
        return false;
    uint8_t t = (uint8_t)f->results[0];
    return t == VT_I32 || t == VT_I64 || t == VT_F32 || t == VT_F64;
}

static void note_write(lo_ctx *l, lo_frame *f, uint32_t pos, uint8_t half)
{
    if (!grow(l, (void **)&l->patches, &l->patches_cap, l->npatches + 1, sizeof *l->patches)) {
        f->writes_unknown = true;
        return;
    }
    l->patches[l->npatches] = (lo_patch){ pos, pos + 1, half, f->writes };
    f->writes = (int32_t)l->npatches++;
}

/* The value on top reaches `f`'s label in place, by an unconditional
 * branch or the fallthrough: what wrote it is known if it was the
 * instruction just emitted. */
static void note_in_place(lo_ctx *l, lo_frame *f)
{
    if (!result_tracked(f))
        return;
    if (just_wrote(l, f->base))
        note_write(l, f, l->fuse.last_pos, 0);
    else
        f->writes_unknown = true;
}

/* A conditional branch to `f` carrying values that are already in place:
 * the code falling through reads them there too, so they cannot move. */
static void in_place_conditional(lo_frame *f, uint32_t n)
{
    if (n && f->kind != WV_LOOP)
        f->writes_unknown = true;
}

/* Moves the top entry into `f`'s result home, noting the instruction that
 * writes it: a new one (a copy or a constant), or the copy just before,
 * joined into a copy2 whose second half it becomes. */
static void move_result(lo_ctx *l, lo_frame *f)
{
    uint32_t len = l->len;
    bool open = l->fuse.copy_open;
    copy_down(l, 1, f->base);
    if (!result_tracked(f) || !l->len)
        return;
    ir_word *w = at(l, l->fuse.last_pos + 1);
    if (l->len != len && w->u16[0] == f->base)
        note_write(l, f, l->fuse.last_pos, 0);
    else if (l->len == len && open && l->fuse.last_op == IR_COPY2 && w->u16[2] == f->base &&
             w->u16[0] != f->base)
        note_write(l, f, l->fuse.last_pos, 2);
    else
        f->writes_unknown = true;
}

/* Emits the moves of an unconditional branch to frame `f` (no jump). */
static void branch_moves(lo_ctx *l, lo_frame *f)
{
    const wm_valtype *types;
    uint32_t n = label_arity(f, &types);
    if (in_place(l, f, n)) {
        if (n && f->kind != WV_LOOP)
            note_in_place(l, f);
    } else if (n == 1 && f->kind != WV_LOOP) {
        move_result(l, f);
    } else {
        copy_down(l, n, f->base);
    }
}

/* Falling through a frame's end: its results go to their homes. (A loop's
 * label is its start, so this differs from a branch for loops.) */
static void end_moves(lo_ctx *l, lo_frame *f)
{
    if (in_place(l, f, f->nresults)) {
        if (f->nresults)
            note_in_place(l, f);
    } else if (f->nresults == 1) {
        move_result(l, f);
    } else {
        copy_down(l, f->nresults, f->base);
    }
}


/* Tail duplication. A branch back to a loop whose head is a short run of
 * straight-line instructions ending in a jump table (the dispatch loop of an
 * interpreter written as a switch in a loop) gets its own copy of the head
 * instead of a jump to it. The jump's dispatch is gone, and each copy's
 * table jump predicts on its own, as in threaded code. The copy ends in a
 * jump.table.at that uses the head's table, so the table is not copied. */
enum { DUP_MAX_INSNS = 8, DUP_MAX_WORDS = 96, DUP_BUDGET = 8192 };

/* Instructions a copied head may hold: no jumps, no function exit. A call
 * returns to the instruction after it wherever it sits. */
static bool straight_line(ir_op op)
{
    return ir_format_straight((ir_format)ir_op_format[op]) && op != IR_RETURN_CALL;
}

static bool duplicate_head(lo_ctx *l, uint32_t start)
{
    if (l->in_br_table || l->dup_words > DUP_BUDGET || !l->len)
        return false;
    /* A copy must lie in the handler scopes of its original: not so if a
     * scope opened since the loop's head. */
    if (lo_exn_open(l))
        return false;
    uint32_t t = start;
    for (unsigned n = 0; t < l->len && l->ops[t] != IR_JUMP_TABLE; n++) {
        if (n == DUP_MAX_INSNS || !straight_line((ir_op)l->ops[t]))
            return false;
        t += ir_format_words((ir_format)ir_op_format[l->ops[t]]);
    }
    if (t >= l->len)
        return false;
    uint32_t straight = t - start, words = straight + 2;
    if (words > DUP_MAX_WORDS)
        return false;
    uint32_t p = emit(l, IR_JUMP_TABLE_AT, words);
    if (!l->len)
        return false;
    memcpy(l->code + p, l->code + start, straight * sizeof *l->code);
    memcpy(l->ops + p, l->ops + start, straight * sizeof *l->ops);
    lo_sites_copy(l, start, t, p); /* A call in the head: the copy's too. */
    uint32_t t2 = p + straight;
    at(l, t2)->handler = l->words[IR_JUMP_TABLE_AT];
    l->ops[t2] = IR_JUMP_TABLE_AT;
    at(l, t2 + 1)->u16[0] = at(l, t + 1)->u16[0];
    at(l, t2 + 1)->i32[1] = (int32_t)(t - t2);
    l->dup_words += words;
    l->fuse.last_pos = t2;
    l->fuse.last_op = IR_JUMP_TABLE_AT;
    l->fuse.last_valid = false;
    return true;
}

/* An unconditional jump to frame `f`'s label. */
static void emit_jump_to(lo_ctx *l, lo_frame *f)
{
    if (f->kind == WV_LOOP && duplicate_head(l, f->start))
        return;
    uint32_t pos = emit(l, IR_JUMP, 2);
    if (f->kind == WV_LOOP)
        lo_set_offset(l, pos, pos + 1, 1, f->start);
    else
        lo_add_patch(l, f, pos, pos + 1, 1);
}

/* br: moves, then jump (or the return sequence for the function frame). */
void lo_emit_br(lo_ctx *l, uint32_t depth)
{
    lo_frame *f = frame_at(l, depth);
    if (f->kind == WV_FUNC) {
        lo_emit_return(l);
        return;
    }
    branch_moves(l, f);
    emit_jump_to(l, f);
}

/* Points a conditional jump at `f`'s label. */
static void target_label(lo_ctx *l, lo_frame *f, uint32_t pos)
{
    if (f->kind == WV_LOOP)
        lo_set_offset(l, pos, pos + 1, 1, f->start);
    else
        lo_add_patch(l, f, pos, pos + 1, 1);
}

/* ---- Blocks ------------------------------------------------------------------------------- */

lo_frame *lo_push_frame(lo_ctx *l, uint8_t kind, uint32_t nparams, const wm_valtype *params,
                            uint32_t nresults, const wm_valtype *results)
{
    if (!grow(l, (void **)&l->frames, &l->frames_cap, l->nframes + 1, sizeof *l->frames))
        return NULL;
    lo_frame *f = &l->frames[l->nframes++];
    l->top = f;
    uint32_t height = l->nvals - nparams;
    *f = (lo_frame){ .kind = kind, .height = height, .nparams = nparams, .params = params,
                     .nresults = nresults, .results = results, .patches = -1,
                     .else_patch = -1, .writes = -1 };
    f->base = height < l->nvals ? l->vals[height].home : next_home(l);
    return f;
}

/* Resets the stack to the frame's height and pushes `n` temporaries of
 * `types` in their homes: the state where a label is reached. */
static void reset_stack(lo_ctx *l, lo_frame *f, uint32_t n, const wm_valtype *types)
{
    while (l->nvals > f->height)
        drop(l);
    for (uint32_t j = 0; j < n; j++)
        push_temp(l, types[j]);
}

/* Marks the rest of the innermost frame as unreachable. */
void lo_set_dead(lo_ctx *l)
{
    lo_frame *f = frame_at(l, 0);
    f->dead = true;
}

/* Control instructions. A block type names its type by index until
 * resolved here. */
void lo_block(lo_ctx *l, uint8_t kind,
                                                             const wv_ctx *c, wv_imm *imm)
{
    resolve_blocktype(c, imm);
    if (kind == WV_IF) {
        /* The condition leaves the stack, but the jump still reads it: no
         * local is written in between. A constant condition needs no jump:
         * one of the branches is dead. */
        lo_val c = pop(l);
        preserve_all(l, imm->bt_nparams);
        uint32_t pos = c.kind == LV_CONST ? UINT32_MAX : lo_cond_jump(l, &c, false);
        lo_frame *f = lo_push_frame(l, WV_IF, imm->bt_nparams, imm->bt_params, imm->bt_nresults,
                                 imm->bt_results);
        if (f && pos != UINT32_MAX)
            f->else_patch = (int32_t)pos;
        if (f && c.kind == LV_CONST) {
            f->dead = c.bits == 0;
            f->dead_else = c.bits != 0;
        }
        label(l);
        return;
    }
    preserve_all(l, imm->bt_nparams);
    label(l);
    if (kind == WV_LOOP)
        l->zero_locals = 0; /* Reached again from code lowered later. */
    lo_frame *f = lo_push_frame(l, kind, imm->bt_nparams, imm->bt_params, imm->bt_nresults,
                             imm->bt_results);
    if (f)
        f->start = l->len;
    if (kind == WV_LOOP)
        open_loop_region(l, f);
}

void lo_else(lo_ctx *l)
{
    lo_frame *f = frame_at(l, 0);
    if (!f->dead) {
        end_moves(l, f);
        if (!f->dead_else)
            emit_jump_to(l, f);
    }
    /* The else branch starts from the if's parameters, still in their homes:
     * the then branch did not run. */
    if (f->else_patch >= 0)
        lo_set_offset(l, (uint32_t)f->else_patch, (uint32_t)f->else_patch + 1, 1, l->len);
    f->else_patch = -1;
    f->kind = WV_ELSE;
    f->dead = f->dead_frame || f->dead_else;
    label(l);
    reset_stack(l, f, f->nparams, f->params);
}

/* Ends the body of the innermost frame where another body of it follows
 * (a legacy try's catch): the fallthrough goes to the frame's end, as at
 * else, and the stack is back at the frame's height, its own entries below
 * it included. */
void lo_end_body(lo_ctx *l)
{
    lo_frame *f = frame_at(l, 0);
    if (!f->dead) {
        end_moves(l, f);
        emit_jump_to(l, f);
    }
    label(l);
    f->height -= f->below;
    f->below = 0;
    reset_stack(l, f, 0, NULL);
    f->dead = false;
}

/* Removes the innermost frame (its storage stays valid until the next
 * push_frame). */
static void pop_frame(lo_ctx *l)
{
    l->nframes--;
    l->top = l->nframes ? &l->frames[l->nframes - 1] : NULL;
}

/* After frame `f`'s end: its result, on top, written into local `set`
 * instead, where every path's write is known. */
static void result_into_local(lo_ctx *l, const lo_frame *f, uint32_t set)
{
    if (set >= l->nlocals || !result_tracked(f) || l->exn || l->locals[set].refs || !l->len ||
        l->locals[set].type != peek(l, 0)->type)
        return;
    uint16_t slot = l->locals[set].slot;
    for (int32_t i = f->writes; i >= 0; i = l->patches[i].next)
        at(l, l->patches[i].word)->u16[l->patches[i].half] = slot;
    lo_val *v = peek(l, 0);
    v->kind = LV_LOCAL;
    v->local = set;
    v->slot = slot;
    l->locals[set].refs++;
    if (set < 64)
        l->zero_locals &= ~(UINT64_C(1) << set);
}

void lo_end(lo_ctx *l) { lo_end_set(l, UINT32_MAX); }

void lo_end_set(lo_ctx *l, uint32_t set)
{
    lo_frame *f = frame_at(l, 0);
    if (f->kind == WV_FUNC) {
        if (!f->dead)
            lo_emit_return(l);
        pop_frame(l);
        return;
    }
    if (f->scope)
        lo_exn_close(l, f);
    if (!f->dead)
        end_moves(l, f);
    /* An if without else falls through to the end with its parameters,
     * which are then its results. */
    if (f->else_patch >= 0) {
        lo_set_offset(l, (uint32_t)f->else_patch, (uint32_t)f->else_patch + 1, 1, l->len);
        f->writes_unknown = true;
    }
    resolve_patches(l, f);
    label(l);
    f->height -= f->below;
    f->below = 0;
    reset_stack(l, f, f->nresults, f->results);
    if (set != UINT32_MAX)
        result_into_local(l, f, set);
    pop_frame(l);
    if (f->kind == WV_LOOP)
        close_loop_region(l, f);
}

void lo_br_if(lo_ctx *l, uint32_t depth)
{
    lo_val c = pop(l);
    if (c.kind == LV_CONST) {
        /* Always or never taken. */
        if (c.bits) {
            lo_emit_br(l, depth);
            lo_set_dead(l);
        }
        return;
    }
    lo_frame *f = frame_at(l, depth);
    const wm_valtype *types;
    uint32_t n = label_arity(f, &types);
    if (f->kind != WV_FUNC && in_place(l, f, n)) {
        in_place_conditional(f, n);
        target_label(l, f, lo_cond_jump(l, &c, true));
        return;
    }
    /* Moves needed: skip them when the condition is false. */
    uint32_t skip = lo_cond_jump(l, &c, false);
    lo_emit_br(l, depth);
    lo_set_offset(l, skip, skip + 1, 1, l->len);
    label(l);
}

/* br_on_null (on_null) and br_on_non_null: a branch on whether the
 * reference on top is null, which is a zero slot. br_on_null's branch
 * leaves the reference behind, and the reference stays when it is not
 * taken; br_on_non_null's branch carries it, and it is dropped when not
 * taken. */
void lo_br_on_null(lo_ctx *l, uint32_t depth, bool on_null)
{
    lo_val *r = peek(l, 0);
    if (r->kind == LV_CONST) {
        /* ref.null: always or never taken. */
        bool taken = on_null == (r->bits == 0);
        if (on_null && taken)
            drop(l);
        if (taken) {
            lo_emit_br(l, depth);
            lo_set_dead(l);
        } else if (!on_null) {
            drop(l);
        }
        return;
    }
    uint16_t slot = operand(l, 0);
    lo_frame *f = frame_at(l, depth);
    const wm_valtype *types;
    /* br_on_null's branch does not carry the reference: hidden from its
     * moves, its slot stays above all of theirs. */
    if (on_null)
        l->nvals--;
    uint32_t n = label_arity(f, &types);
    if (f->kind != WV_FUNC && in_place(l, f, n)) {
        in_place_conditional(f, n);
        target_label(l, f, emit_s(l, on_null ? IR_JUMP_Z64 : IR_JUMP_NZ64, 2, slot, 0, 0, 0));
    } else {
        /* Moves needed: skip them when the branch is not taken. */
        uint32_t skip = emit_s(l, on_null ? IR_JUMP_NZ64 : IR_JUMP_Z64, 2, slot, 0, 0, 0);
        lo_emit_br(l, depth);
        lo_set_offset(l, skip, skip + 1, 1, l->len);
        label(l);
    }
    if (on_null)
        l->nvals++;
    else
        drop(l);
}

void lo_br_table(lo_ctx *l, const wv_imm *imm, const uint8_t *imm_end)
{
    if (peek(l, 0)->kind == LV_CONST) {
        /* A constant index: a br to its target (the last, the default, for
         * any index past the others). */
        uint64_t index = peek(l, 0)->bits;
        drop(l);
        wr_reader r = wr_init(imm->targets, imm->targets, imm_end, NULL);
        uint32_t depth = 0;
        for (uint32_t k = 0; k <= imm->ntargets && k <= index; k++)
            if (!wr_u32(&r, &depth))
                depth = 0;
        lo_emit_br(l, depth);
        return;
    }
    uint16_t index = operand(l, 0);
    drop(l);
    uint32_t n = imm->ntargets;
    uint32_t pos = emit(l, IR_JUMP_TABLE, 2 + n + 1);
    l->in_br_table = true;
    if (l->len) {
        at(l, pos + 1)->u16[0] = index;
        at(l, pos + 1)->u32[1] = n;
    }
    wr_reader r = wr_init(imm->targets, imm->targets, imm_end, NULL);
    for (uint32_t k = 0; k <= n; k++) {
        uint32_t depth;
        if (!wr_u32(&r, &depth))
            depth = 0;
        lo_frame *f = frame_at(l, depth);
        const wm_valtype *types;
        uint32_t arity = label_arity(f, &types);
        if (f->kind != WV_FUNC && in_place(l, f, arity)) {
            in_place_conditional(f, arity);
            if (f->kind == WV_LOOP)
                lo_set_offset(l, pos, pos + 2 + k, 0, f->start);
            else
                lo_add_patch(l, f, pos, pos + 2 + k, 0);
            continue;
        }
        /* A stub after the table does the moves, then jumps. */
        lo_set_offset(l, pos, pos + 2 + k, 0, l->len);
        lo_emit_br(l, depth);
    }
    l->in_br_table = false;
}

/* An instruction in unreachable code, where only the block structure
 * matters. Inline: for the walk's hot instructions, whose opcodes are
 * constants there, all but one case of the switch fold away. */
bool lo_dead(lo_ctx *l, wv_ctx *c, wasm_op op, wv_imm *imm)
{
    switch (op) {
    case WOP_CATCH: case WOP_CATCH_ALL: case WOP_DELEGATE:
        return lo_exn_op(l, c, op, imm);
    case WOP_BLOCK: case WOP_LOOP: case WOP_IF: case WOP_TRY: case WOP_TRY_TABLE: {
        /* Nothing in it is reached; only its end matters, after which the
         * enclosing frame is still dead. */
        lo_frame *f = lo_push_frame(l, WV_BLOCK, 0, NULL, 0, NULL);
        if (f)
            f->dead = f->dead_frame = true;
        return !l->failed;
    }
    case WOP_ELSE:
        lo_else(l);
        return !l->failed;
    case WOP_END:
        lo_end(l);
        return !l->failed;
    default:
        return true;
    }
}
