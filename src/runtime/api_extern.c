/* api_extern.c: the public API on externals once they exist: bounds-checked
 * memory access and growth, table and global access, the enumeration of a
 * module's imports and exports, and traps formatted with their backtrace. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "runtime.h"

/* Fills `err` (which may be NULL) and returns `status`, so that every
 * failure below is one line. */
__attribute__((format(printf, 3, 4)))
static weft_status fail(weft_error *err, weft_status status, const char *fmt, ...)
{
    if (!err)
        return status;
    *err = (weft_error){ .status = status, .section = -1, .func = -1, .offset = -1 };
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    return status;
}

/* Clears `err` for a call that succeeds, so a caller that reuses one error
 * value never reads a stale message. */
static weft_status ok(weft_error *err)
{
    if (err)
        *err = (weft_error){ .status = WEFT_OK, .section = -1, .func = -1, .offset = -1 };
    return WEFT_OK;
}

/* ---- Memories ---------------------------------------------------------------------- */

uint64_t weft_memory_pages(const weft_memory *memory) { return memory->pages; }

uint64_t weft_memory_max_pages(const weft_memory *memory) { return memory->max_pages; }

/* Whether [offset, offset + len) lies inside the memory. Written as two
 * comparisons so that no sum can wrap around, whatever the caller passes. */
static bool in_memory(const weft_memory *memory, uint64_t offset, size_t len)
{
    return offset <= memory->size && (uint64_t)len <= memory->size - offset;
}

weft_status weft_memory_read(const weft_memory *memory, uint64_t offset, void *dst, size_t len,
                             weft_error *err)
{
    if (!memory || (len && !dst))
        return fail(err, WEFT_ERR_ARGUMENT, "no memory or buffer given");
    if (!in_memory(memory, offset, len))
        return fail(err, WEFT_ERR_ARGUMENT,
                    "out of bounds memory access: offset %" PRIu64 ", length %zu, memory size %"
                    PRIu64, offset, len, memory->size);
    /* memcpy wants valid pointers even for no bytes, and dst may be NULL. */
    if (len)
        memcpy(dst, memory->base + offset, len);
    return ok(err);
}

weft_status weft_memory_write(weft_memory *memory, uint64_t offset, const void *src,
                              size_t len, weft_error *err)
{
    if (!memory || (len && !src))
        return fail(err, WEFT_ERR_ARGUMENT, "no memory or buffer given");
    if (!in_memory(memory, offset, len))
        return fail(err, WEFT_ERR_ARGUMENT,
                    "out of bounds memory access: offset %" PRIu64 ", length %zu, memory size %"
                    PRIu64, offset, len, memory->size);
    if (len)
        memcpy(memory->base + offset, src, len);
    return ok(err);
}

weft_status weft_memory_grow(weft_memory *memory, uint64_t delta_pages, uint64_t *old_pages,
                             weft_error *err)
{
    if (!memory)
        return fail(err, WEFT_ERR_ARGUMENT, "no memory given");
    uint64_t pages = memory->pages;
    if (delta_pages > memory->max_pages - pages)
        return fail(err, WEFT_ERR_LIMIT,
                    "cannot grow a memory of %" PRIu64 " pages by %" PRIu64
                    ": its maximum is %" PRIu64 " pages", pages, delta_pages, memory->max_pages);
    uint64_t bytes = delta_pages * MEM_PAGE_SIZE;
    wx_budget *over = wx_budget_take(memory->budget, bytes, 0);
    if (over)
        return fail(err, WEFT_ERR_LIMIT,
                    "cannot grow a memory by %" PRIu64 " pages: the %s's memory would exceed "
                    "its total of %" PRIu64 " bytes", delta_pages, over->name,
                    over->max_memory_bytes);
    wx_budget_give(memory->budget, bytes, 0);
    /* Within the maximum and the totals, mem_grow fails only when the host
     * has no pages. */
    if (mem_grow(memory, delta_pages) < 0)
        return fail(err, WEFT_ERR_NOMEM, "the host cannot provide %" PRIu64 " more pages",
                    delta_pages);
    if (old_pages)
        *old_pages = pages;
    return ok(err);
}

/* ---- Tables ------------------------------------------------------------------------ */

weft_valkind weft_table_kind(const weft_table *table) { return wx_valkind_of(table->type); }

uint32_t weft_table_size(const weft_table *table) { return table->size; }

bool weft_table_is64(const weft_table *table) { return table->is64; }
static weft_reftype reftype_of(wm_valtype t)
{
    return (weft_reftype){ wx_valkind_of(t), vt_nullable(t), vt_code(t) == VT_REF_INDEX };
}

weft_reftype weft_table_reftype(const weft_table *table) { return reftype_of(table->type); }

/* Whether reference `ref` fits canonical reference type `type`: null only
 * when it is nullable, and for a typed one a function of that very type
 * (whose canonical id the type holds). */
static bool ref_fits(wm_valtype type, const void *ref)
{
    if (!ref)
        return vt_nullable(type);
    if (vt_code(type) == VT_REF_INDEX)
        return ((const wx_func *)ref)->sig == vt_index(type);
    return true;
}

/* Checks that `value` may be stored in `table`; fills `err` when not. */
static weft_status check_elem(const weft_table *table, const weft_value *value, weft_error *err)
{
    weft_valkind want = wx_valkind_of(table->type);
    if (value->kind != want)
        return fail(err, WEFT_ERR_ARGUMENT, "a table of %s cannot hold a value of another kind",
                    want == WEFT_FUNCREF ? "funcref" : "externref");
    if (!ref_fits(table->type, value->of.ref))
        return fail(err, WEFT_ERR_ARGUMENT, "the table's reference type does not take this %s",
                    value->of.ref ? "function" : "null reference");
    return WEFT_OK;
}

weft_status weft_table_get(const weft_table *table, uint32_t index, weft_value *out,
                           weft_error *err)
{
    if (!table || !out)
        return fail(err, WEFT_ERR_ARGUMENT, "no table or result given");
    if (index >= table->size)
        return fail(err, WEFT_ERR_ARGUMENT, "table index %" PRIu32 " out of range (size %" PRIu32
                    ")", index, table->size);
    memset(out, 0, sizeof *out);
    out->kind = wx_valkind_of(table->type);
    out->of.ref = table->elems[index].ref;
    return ok(err);
}

weft_status weft_table_set(weft_table *table, uint32_t index, weft_value value,
                           weft_error *err)
{
    if (!table)
        return fail(err, WEFT_ERR_ARGUMENT, "no table given");
    weft_status s = check_elem(table, &value, err);
    if (s)
        return s;
    if (index >= table->size)
        return fail(err, WEFT_ERR_ARGUMENT, "table index %" PRIu32 " out of range (size %" PRIu32
                    ")", index, table->size);
    table->elems[index].ref = value.of.ref;
    return ok(err);
}

weft_status weft_table_grow(weft_table *table, uint32_t delta, weft_value init,
                            uint32_t *old_size, weft_error *err)
{
    if (!table)
        return fail(err, WEFT_ERR_ARGUMENT, "no table given");
    weft_status s = check_elem(table, &init, err);
    if (s)
        return s;
    /* The same limit as table.grow: the declared maximum, and weft's own. */
    uint64_t limit = table->max < WM_MAX_TABLE ? table->max : WM_MAX_TABLE;
    uint32_t size = table->size;
    if ((uint64_t)size + delta > limit)
        return fail(err, WEFT_ERR_LIMIT,
                    "cannot grow a table of %" PRIu32 " elements by %" PRIu32
                    ": its maximum is %" PRIu64 " elements", size, delta, limit);
    wx_budget *over = wx_budget_take(table->budget, 0, delta);
    if (over)
        return fail(err, WEFT_ERR_LIMIT,
                    "cannot grow a table by %" PRIu32 " elements: the %s's tables would exceed "
                    "their total of %" PRIu64 " elements", delta, over->name,
                    over->max_table_elems);
    wx_budget_give(table->budget, 0, delta);
    if (wx_table_grow(table, delta, (wx_slot){ .ref = init.of.ref }) < 0)
        return fail(err, WEFT_ERR_NOMEM, "out of memory");
    if (old_size)
        *old_size = size;
    return ok(err);
}

/* ---- Globals ----------------------------------------------------------------------- */

weft_valkind weft_global_kind(const weft_global *global) { return wx_valkind_of(global->type); }

bool weft_global_mutable(const weft_global *global) { return global->mut; }

bool weft_global_reftype(const weft_global *global, weft_reftype *out)
{
    if (!vt_is_ref(global->type))
        return false;
    *out = reftype_of(global->type);
    return true;
}

weft_status weft_global_set(weft_global *global, weft_value value, weft_error *err)
{
    if (!global)
        return fail(err, WEFT_ERR_ARGUMENT, "no global given");
    if (!global->mut)
        return fail(err, WEFT_ERR_ARGUMENT, "global is immutable");
    if (value.kind != wx_valkind_of(global->type))
        return fail(err, WEFT_ERR_ARGUMENT, "value of the wrong kind for the global");
    if (vt_is_ref(global->type) && !ref_fits(global->type, value.of.ref))
        return fail(err, WEFT_ERR_ARGUMENT, "the global's reference type does not take this %s",
                    value.of.ref ? "function" : "null reference");
    wx_value_to_slots(&value, global->value);
    return ok(err);
}

/* ---- Imports and exports ------------------------------------------------------------ */

/* A weft_module wraps a wm_module as its first member (module.c). */
static const wm_module *module_of(const weft_module *module)
{
    return (const wm_module *)module;
}

uint32_t weft_module_import_count(const weft_module *module)
{
    return module_of(module)->nimports;
}

weft_status weft_module_import(const weft_module *module, uint32_t i, weft_import_desc *out)
{
    const wm_module *m = module_of(module);
    if (!out || i >= m->nimports)
        return WEFT_ERR_ARGUMENT;
    const wm_import *imp = &m->imports[i];
    *out = (weft_import_desc){ imp->module.str, imp->module.len, imp->field.str,
                               imp->field.len, (weft_extern_kind)imp->kind };
    return WEFT_OK;
}

/* The public description of export `e`, for the module's list and the
 * instance's alike. */
static weft_export_desc describe_export(const wm_export *e)
{
    return (weft_export_desc){ e->name.str, e->name.len, (weft_extern_kind)e->kind };
}

uint32_t weft_module_export_count(const weft_module *module)
{
    return module_of(module)->nexports;
}

weft_status weft_module_export(const weft_module *module, uint32_t i, weft_export_desc *out)
{
    const wm_module *m = module_of(module);
    if (!out || i >= m->nexports)
        return WEFT_ERR_ARGUMENT;
    *out = describe_export(&m->exports[i]);
    return WEFT_OK;
}

weft_status weft_instance_export_at(const weft_instance *instance, uint32_t i,
                                    weft_export_desc *desc, weft_extern *out)
{
    const wm_module *m = instance->mod;
    if (i >= m->nexports)
        return WEFT_ERR_ARGUMENT;
    const wm_export *e = &m->exports[i];
    if (desc)
        *desc = describe_export(e);
    if (out)
        wx_export_extern(instance, e, out);
    return WEFT_OK;
}

/* ---- Traps with their backtrace ----------------------------------------------------- */

const char *weft_trap_format(const weft_engine *engine, const weft_error *err, char *buf,
                             size_t size)
{
    if (!size)
        return buf;
    weft_error_format(err, buf, size);
    if (!engine || err->status != WEFT_ERR_TRAP)
        return buf;
    weft_frame frames[WX_BACKTRACE_MAX];
    size_t total = weft_engine_backtrace(engine, frames, WX_BACKTRACE_MAX);
    size_t kept = total < WX_BACKTRACE_MAX ? total : WX_BACKTRACE_MAX;
    size_t n = strlen(buf);
    /* Each line goes on only while there is room, so the text is cut at
     * the end of the buffer and stays NUL-terminated. */
    for (size_t i = 0; i < kept && n + 1 < size; i++) {
        int k = snprintf(buf + n, size - n, "\n  #%zu  func %" PRIu32 "%s%s", i, frames[i].func,
                         frames[i].name ? " " : "", frames[i].name ? frames[i].name : "");
        if (k > 0)
            n += (size_t)k < size - n ? (size_t)k : size - n - 1;
    }
    if (total > kept && n + 1 < size)
        snprintf(buf + n, size - n, "\n  ... %zu more", total - kept);
    return buf;
}
