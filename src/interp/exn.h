/* exn.h: exception handling at run time: tags, exception objects, the
 * handler tables that lowering builds for each function, and the unwinder
 * that searches them frame by frame when something throws.
 *
 * Nothing here runs until a throw: a try_table or try costs no instruction
 * on the path that does not throw. Lowering records, per function, its
 * handler scopes (the IR ranges of try_table and try bodies, nested as in
 * the source) and their clauses; a throw looks up the scope of the
 * throwing instruction, then of each caller's call instruction, on the
 * call stack of return records, without recursing on the C stack. */
#ifndef WEFT_EXN_H
#define WEFT_EXN_H

#include "runtime.h"

/* A tag instance: a throw names it, a catch matches it by identity. The
 * public weft_tag is a wx_tag. */
typedef struct weft_tag wx_tag;
struct weft_tag {
    const wm_functype *type;  /* Parameters: the payload; no results. */
    uint32_t sig;             /* Canonical type id, for import matching. */
    uint32_t nslots;          /* Slots the payload takes (a v128 takes two). */
    uint32_t index;           /* Its index in the module that defined it. */
};

/* An exception: its tag and payload. An exnref is a pointer to one. They
 * are allocated as they are thrown and live until their engine is freed
 * (a reference may sit anywhere: in locals, globals, tables), on the
 * thread's list `exns`. */
typedef struct wx_exn {
    struct wx_exn *next;
    wx_tag *tag;
    uint32_t tag_index;       /* The tag's index in the instance that threw it. */
    uint32_t nslots;
    wx_slot payload[];
} wx_exn;

/* The kinds of a handler clause: try_table's four (the legacy catch and
 * catch_all are catch_ref and catch_all_ref that keep the exnref in a
 * hidden slot), and delegate, which sends the search to another scope. */
enum { EXN_CATCH, EXN_CATCH_REF, EXN_CATCH_ALL, EXN_CATCH_ALL_REF, EXN_DELEGATE };

typedef struct wx_handler {
    uint8_t kind;             /* EXN_*. */
    uint32_t tag;             /* EXN_CATCH(_REF): the tag index in the function's module;
                               * EXN_DELEGATE: the scope to go on with, or UINT32_MAX
                               * for the caller. */
    uint32_t target;          /* Where the handler continues: an IR position. */
    uint16_t dst;             /* The first slot of the payload. */
    uint16_t ref;             /* The exnref's slot (the _REF kinds). */
} wx_handler;

/* A scope: the instructions at IR positions in (start, end] (a call is
 * found by its return address, a throw by its position plus one), its
 * clauses, tried in order, and the scope around it (UINT32_MAX: none). */
typedef struct wx_scope {
    uint32_t start, end;
    uint32_t parent;
    uint32_t first, count;    /* Its clauses in the table's `handlers`. */
} wx_scope;

/* A function's handler table: its scopes in the order they open (so an
 * inner scope comes after the scopes around it) and their clauses. One
 * allocation. */
typedef struct wx_handlers {
    uint32_t nscopes, nhandlers;
    wx_scope *scopes;
    wx_handler *handlers;
} wx_handlers;

/* Makes an exception of tag `tag` (an index in `inst`) with the payload at
 * `args`, and makes it the thread's current exception (th->exn). False
 * when out of memory. */
bool wx_exn_new(wx_thread *th, wx_instance *inst, uint32_t tag, const wx_slot *args);

/* Where a caught exception's handler continues. */
typedef struct wx_catch {
    const ir_word *ip;        /* NULL: nothing in this run catches it. */
    wx_slot *fp;
    wx_instance *inst;
} wx_catch;

/* Unwinds for th->exn from `pc` (a throw's position plus one, or a call's
 * return address) in frame `fp` of `inst`: finds the innermost handler
 * that catches it, here or in a caller (down to the outermost call of this
 * run), delivers the payload, sets the call depth to the handler's frame
 * and returns where it continues. Returned by value, so that the
 * interpreter's state stays in registers. With nothing to catch it,
 * nothing changes and the result's ip is NULL. */
wx_catch wx_exn_unwind(wx_thread *th, const ir_word *pc, wx_slot *fp, wx_instance *inst);

/* Frees the thread's exceptions. */
void wx_exn_free_all(wx_thread *th);

/* ---- Handler tables (lower_exn.c) ---- */

/* The handler table of the function whose code (lowered for `inst`'s
 * variant) contains `pc`, and that code's start; NULL when it has none. */
const wx_handlers *lower_exn_find(const wx_instance *inst, const ir_word *pc,
                                  const ir_word **code);

#endif
