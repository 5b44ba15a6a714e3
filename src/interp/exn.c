/* exn.c: exceptions at run time: making exception objects and unwinding
 * the call stack to the handler that catches one (exn.h). */
#include <stdlib.h>
#include <string.h>

#include "exn.h"

bool wx_exn_new(wx_thread *th, wx_instance *inst, uint32_t tag, const wx_slot *args)
{
    wx_tag *t = inst->tags[tag];
    wx_exn *e = malloc(sizeof *e + (size_t)t->nslots * sizeof *e->payload);
    if (!e)
        return false;
    e->tag = t;
    e->tag_index = tag;
    e->nslots = t->nslots;
    if (t->nslots)
        memcpy(e->payload, args, (size_t)t->nslots * sizeof *args);
    e->next = th->exns;
    th->exns = e;
    th->exn = e;
    return true;
}

void wx_exn_free_all(wx_thread *th)
{
    for (wx_exn *e = th->exns, *next; e; e = next) {
        next = e->next;
        free(e);
    }
    th->exns = th->exn = NULL;
}

/* Whether clause `h` of a function of `inst` catches `e`. */
static bool catches(const wx_handler *h, const wx_instance *inst, const wx_exn *e)
{
    switch (h->kind) {
    case EXN_CATCH: case EXN_CATCH_REF: return inst->tags[h->tag] == e->tag;
    case EXN_CATCH_ALL: case EXN_CATCH_ALL_REF: return true;
    default: return false;
    }
}

/* The handler of the function running at `pc` in frame `fp` of `inst` that
 * catches `e`, after delivering the payload into the frame; NULL when
 * there is none. */
static const ir_word *find_handler(const wx_instance *inst, const ir_word *pc, wx_slot *fp,
                                   wx_exn *e)
{
    const ir_word *code;
    const wx_handlers *t = lower_exn_find(inst, pc, &code);
    if (!t)
        return NULL;
    uint32_t at = (uint32_t)(pc - code);
    /* The innermost scope holding pc is the last one in opening order. */
    uint32_t s = UINT32_MAX;
    for (uint32_t i = 0; i < t->nscopes; i++)
        if (t->scopes[i].start < at && at <= t->scopes[i].end)
            s = i;
    while (s != UINT32_MAX) {
        const wx_scope *scope = &t->scopes[s];
        uint32_t next = scope->parent;
        for (uint32_t k = 0; k < scope->count; k++) {
            const wx_handler *h = &t->handlers[scope->first + k];
            if (h->kind == EXN_DELEGATE) {
                next = h->tag;
                break;
            }
            if (!catches(h, inst, e))
                continue;
            if (h->kind == EXN_CATCH || h->kind == EXN_CATCH_REF)
                memcpy(fp + h->dst, e->payload, (size_t)e->nslots * sizeof *fp);
            if (h->kind == EXN_CATCH_REF || h->kind == EXN_CATCH_ALL_REF)
                fp[h->ref].ref = e;
            return code + h->target;
        }
        s = next;
    }
    return NULL;
}

wx_catch wx_exn_unwind(wx_thread *th, const ir_word *pc, wx_slot *fp, wx_instance *inst)
{
    uint32_t depth = th->depth;
    for (;;) {
        const ir_word *target = find_handler(inst, pc, fp, th->exn);
        if (target) {
            th->depth = depth;
            return (wx_catch){ target, fp, inst };
        }
        /* On to the caller, unless this is the run's outermost call, whose
         * return record leads out of the interpreter (it has no frame). */
        if (depth == 0 || !th->calls[depth - 1].fp)
            return (wx_catch){ NULL, NULL, NULL };
        const wx_callrec *r = &th->calls[--depth];
        pc = r->ip;
        fp = r->fp;
        inst = r->inst;
    }
}
