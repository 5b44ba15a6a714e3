/* capi_trap.c: wasm.h's traps, with their messages and the frames of the
 * Wasm functions active when they happened. */
#include <stdlib.h>
#include <string.h>

#include "capi.h"
#include "runtime.h"

/* ---- Frames --------------------------------------------------------------------------- */

wasm_frame_t *wasm_frame_copy(const wasm_frame_t *frame)
{
    wasm_frame_t *f = malloc(sizeof *f);
    if (f)
        *f = *frame;
    return f;
}

void wasm_frame_delete(wasm_frame_t *frame) { free(frame); }

wasm_instance_t *wasm_frame_instance(const wasm_frame_t *frame) { return frame->instance; }
uint32_t wasm_frame_func_index(const wasm_frame_t *frame) { return frame->func; }
size_t wasm_frame_func_offset(const wasm_frame_t *frame) { return frame->func_offset; }
size_t wasm_frame_module_offset(const wasm_frame_t *frame) { return frame->module_offset; }

/* ---- Traps ---------------------------------------------------------------------------- */

/* A trap with a copy of `len` bytes of message, NUL-terminated. */
static wasm_trap_t *trap_new(const char *message, size_t len)
{
    wasm_trap_t *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->ref = (wasm_ref_t){ .kind = CAPI_TRAP, .refs = 1 };
    bool terminated = len && message[len - 1] == '\0';
    wasm_byte_vec_new_uninitialized(&t->message, len + !terminated);
    if (t->message.size) {
        memcpy(t->message.data, message, len);
        t->message.data[t->message.size - 1] = '\0';
    }
    return t;
}

wasm_trap_t *wasm_trap_new(wasm_store_t *store, const wasm_message_t *message)
{
    (void)store;
    return trap_new(message->data, message->size);
}

void capi_trap_add_trace(wasm_store_t *store, wasm_trap_t *trap)
{
    if (!trap || trap->trace.size)
        return;
    /* weft keeps the backtrace of the engine's last trap in its thread
     * state: the instance of each frame as well as its function, which
     * weft_engine_backtrace does not give. */
    const wx_thread *th = &store->engine->thread;
    uint32_t n = th->nbacktrace;
    wasm_frame_vec_new_uninitialized(&trap->trace, n);
    for (uint32_t i = 0; i < trap->trace.size; i++) {
        wx_instance *inst = th->backtrace[i].inst;
        uint32_t func = th->backtrace[i].func;
        wasm_frame_t *f = malloc(sizeof *f);
        if (!f)
            break;
        /* weft does not map its IR back to bytecode offsets: a frame gives
         * where its function's code starts, and offset 0 in it. */
        *f = (wasm_frame_t){ .instance = capi_instance_of(store, inst), .func = func,
                             .func_offset = 0,
                             .module_offset = func < inst->mod->nfuncs
                                                  ? inst->mod->funcs[func].body_offset : 0 };
        trap->trace.data[i] = f;
    }
}

wasm_trap_t *capi_trap_make(wasm_store_t *store, const char *message, bool with_trace)
{
    wasm_trap_t *t = trap_new(message, strlen(message));
    if (t && with_trace)
        capi_trap_add_trace(store, t);
    return t;
}

void capi_trap_free(wasm_trap_t *trap)
{
    wasm_byte_vec_delete(&trap->message);
    wasm_frame_vec_delete(&trap->trace);
    free(trap);
}

void wasm_trap_message(const wasm_trap_t *trap, wasm_message_t *out)
{
    wasm_byte_vec_copy(out, &trap->message);
}

wasm_frame_t *wasm_trap_origin(const wasm_trap_t *trap)
{
    return trap->trace.size && trap->trace.data[0] ? wasm_frame_copy(trap->trace.data[0]) : NULL;
}

void wasm_trap_trace(const wasm_trap_t *trap, wasm_frame_vec_t *out)
{
    wasm_frame_vec_copy(out, &trap->trace);
}
