/* decode.c: the binary format, section by section, into a wm_module. */
#include <stdlib.h>
#include <string.h>

#include "module.h"
#include "reader.h"
#include "wasm_ops.h"

/* Whether the decoder accepts the limits flag of shared memories. No
 * version weft implements has them, and the spec suite expects the flag to
 * be malformed. (The memory64 flag depends on the module's features.) */
#define WM_ACCEPT_SHARED 0

/* The budget of declared locals (a 4-byte wm_valtype each once decoded): a
 * base that no real module reaches, plus a generous amount per byte of
 * module, 16, so that the decoded locals take at most 64 bytes per byte of
 * module, as when a local's type took one byte and the amount was 64. */
#define LOCALS_BUDGET_BASE (1u << 22)
#define LOCALS_PER_BYTE 16u

/* What the section loop remembers between sections. */
typedef struct decoder {
    wm_module *m;
    int last_order;              /* Order of the last non-custom section read. */
    uint32_t nfunc_decls;        /* Entries of the function section. */
    bool has_code;
    bool has_data;
    uint64_t locals_left;        /* Budget of declared locals for all bodies. */
    const uint8_t *names;        /* Contents of the "name" custom section. */
    const uint8_t *names_end;
} decoder;

static bool nomem(wr_reader *r)
{
    return wr_error_status(r, WEFT_ERR_NOMEM, "out of memory");
}

/* Reads a vector length or byte count. Each element takes at least one byte,
 * so a count beyond what is left cannot be honest: rejecting it here keeps
 * every allocation proportional to the input. */
static bool read_count(wr_reader *r, uint32_t *n)
{
    const uint8_t *start = r->p;
    if (!wr_u32(r, n))
        return false;
    if (*n > wr_left(r)) {
        r->p = start;
        return wr_error(r, "length out of bounds");
    }
    return true;
}

/* Reports `what` at the byte just read, which the caller found malformed. */
static bool reject_byte(wr_reader *r, const char *what)
{
    r->p--;
    return wr_error(r, "%s", what);
}

/* Reads a vector's length into *n and allocates its entries of `size`
 * bytes (at least one, so that an empty vector has storage too). NULL with
 * the error recorded on failure. */
static void *read_vec(wr_reader *r, wm_arena *a, size_t size, uint32_t *n)
{
    if (!read_count(r, n))
        return NULL;
    void *v = wm_alloc_array(a, *n ? *n : 1, size);
    if (!v)
        nomem(r);
    return v;
}

/* Reads a byte that the reference interpreter reads as a one-byte LEB128, so
 * that a continuation bit gives the same message it does. */
static bool read_leb_byte(wr_reader *r, uint8_t *b)
{
    if (!wr_u8(r, b))
        return false;
    if (*b & 0x80)
        return reject_byte(r, "integer representation too long");
    return true;
}

/* Value types, and reference types, with the typed forms of function
 * references when the module's features allow them. A byte with its
 * continuation bit set gives the reference interpreter's LEB128 message. */
static bool read_valtype(wr_reader *r, wm_valtype *t)
{
    if (!wr_eof(r) && (*r->p & 0x80)) {
        r->p++;
        return reject_byte(r, "integer representation too long");
    }
    return wasm_read_valtype(r, r->typed, t);
}

static bool read_reftype(wr_reader *r, wm_valtype *t)
{
    return wasm_read_reftype(r, r->typed, t);
}

/* A name copied into the arena with a terminating NUL, for C callers. */
static bool read_name(wr_reader *r, wm_arena *a, wm_name *out)
{
    const uint8_t *s;
    uint32_t len;
    if (!wr_name(r, &s, &len))
        return false;
    char *copy = wm_alloc(a, (size_t)len + 1);
    if (!copy)
        return nomem(r);
    memcpy(copy, s, len);
    out->str = copy;
    out->len = len;
    return true;
}

/* Limits: a flags byte, then the minimum and, when flag bit 0 says so, the
 * maximum. Bit 1 marks shared memory and bit 2 a 64-bit memory, which
 * `memory64` allows (the module's feature); tables only have bit 0. */
/* `is64_ok`: flag 4 (i64 indices) is allowed, for memory64's memories and
 * tables. */
static bool read_limits(wr_reader *r, wm_limits *lim, bool memory, bool is64_ok)
{
    uint8_t flags;
    if (!read_leb_byte(r, &flags))
        return false;
    uint8_t allowed = 1;
    if (memory && WM_ACCEPT_SHARED)
        allowed |= 2;
    if (is64_ok)
        allowed |= 4;
    if (flags & ~allowed)
        return reject_byte(r, "integer too large");
    lim->has_max = flags & 1;
    lim->shared = flags & 2;
    lim->is64 = flags & 4;
    if (lim->is64) {
        if (!wr_u64(r, &lim->min) || (lim->has_max && !wr_u64(r, &lim->max)))
            return false;
        return true;
    }
    uint32_t min, max = 0;
    if (!wr_u32(r, &min) || (lim->has_max && !wr_u32(r, &max)))
        return false;
    lim->min = min;
    lim->max = max;
    return true;
}

static bool read_tabletype(wr_reader *r, wm_tabletype *t, bool table64)
{
    return read_reftype(r, &t->elem) && read_limits(r, &t->limits, false, table64);
}

static bool read_globaltype(wr_reader *r, wm_globaltype *g)
{
    uint8_t mut;
    if (!read_valtype(r, &g->type) || !wr_u8(r, &mut))
        return false;
    if (mut > 1)
        return reject_byte(r, "malformed mutability");
    g->mut = mut;
    return true;
}

/* ---- Constant expressions ----
 * The decoder only finds where an expression ends; the validator re-reads
 * its bytes and rejects instructions that are not constant. To find the end
 * reliably every instruction's immediates are skipped by their kind in
 * wasm_ops.def, nested blocks included, and opcodes that do not exist are
 * malformed here, as they would be anywhere else. */

/* Skips one instruction, tracking block nesting in *depth. Sets *done when
 * the instruction is the `end` that closes the expression. */
static bool skip_instr(wr_reader *r, uint32_t *depth, bool *done)
{
    const uint8_t *at = r->p;
    wasm_op op;
    if (!wasm_read_op(r, &op))
        return false;
    switch (op) {
    case WOP_BLOCK: case WOP_LOOP: case WOP_IF: case WOP_TRY: case WOP_TRY_TABLE:
        (*depth)++;
        break;
    case WOP_DELEGATE:
        if (*depth > 0)
            (*depth)--;
        break;
    case WOP_ELSE:
        if (*depth > 0)
            break;
        /* An `else` outside any block cannot end the expression. */
        r->p = at;
        return wr_error(r, "END opcode expected");
    case WOP_END:
        if (*depth == 0)
            *done = true;
        else
            (*depth)--;
        break;
    default:
        break;
    }
    return wasm_skip_imm(r, (wasm_imm)wasm_op_infos[op].imm);
}

/* Records a constant expression: its bytes through the closing `end`. */
static bool read_expr(wr_reader *r, wm_expr *e)
{
    const uint8_t *start = r->p;
    uint32_t depth = 0;
    bool done = false;
    while (!done)
        if (!skip_instr(r, &depth, &done))
            return false;
    e->code = start;
    e->len = (uint32_t)(r->p - start);
    e->offset = (uint32_t)(start - r->base);
    return true;
}

/* ---- Index spaces ---- */

/* Allocates an index space of `imported + ndefined` entries of `size` bytes. */
static void *alloc_space(wr_reader *r, wm_arena *a, uint32_t imported, uint32_t ndefined,
                         size_t size, uint32_t *total)
{
    uint64_t n = (uint64_t)imported + ndefined;
    if (n > UINT32_MAX) {
        wr_error_status(r, WEFT_ERR_LIMIT, "too many definitions");
        return NULL;
    }
    *total = (uint32_t)n;
    void *p = wm_alloc_array(a, n ? n : 1, size);
    if (!p)
        nomem(r);
    return p;
}

/* Builds the index space of one kind: its imports first, then `ndefined`
 * zeroed entries for the module's own definitions. */
static bool make_space(wr_reader *r, wm_module *m, uint8_t kind, uint32_t ndefined)
{
    wm_arena *a = &m->arena;
    switch (kind) {
    case EXT_FUNC:
        m->funcs = alloc_space(r, a, m->nimported_funcs, ndefined, sizeof *m->funcs, &m->nfuncs);
        if (!m->funcs)
            return false;
        m->func_types = alloc_space(r, a, m->nimported_funcs, ndefined, sizeof *m->func_types,
                                    &m->nfuncs);
        if (!m->func_types)
            return false;
        break;
    case EXT_TABLE:
        m->tables = alloc_space(r, a, m->nimported_tables, ndefined, sizeof *m->tables, &m->ntables);
        if (!m->tables)
            return false;
        break;
    case EXT_MEMORY:
        m->memories = alloc_space(r, a, m->nimported_memories, ndefined, sizeof *m->memories,
                                  &m->nmemories);
        if (!m->memories)
            return false;
        break;
    case EXT_TAG:
        m->tags = alloc_space(r, a, m->nimported_tags, ndefined, sizeof *m->tags, &m->ntags);
        if (!m->tags)
            return false;
        break;
    default:
        m->globals = alloc_space(r, a, m->nimported_globals, ndefined, sizeof *m->globals,
                                 &m->nglobals);
        if (!m->globals)
            return false;
        break;
    }
    uint32_t k = 0;
    for (uint32_t i = 0; i < m->nimports; i++) {
        const wm_import *im = &m->imports[i];
        if (im->kind != kind)
            continue;
        switch (kind) {
        case EXT_FUNC:
            m->funcs[k] = (wm_func){ .type = im->u.type, .imported = true };
            m->func_types[k] = im->u.type;
            break;
        case EXT_TABLE: m->tables[k] = (wm_table){ .type = im->u.table, .imported = true }; break;
        case EXT_MEMORY:
            m->memories[k] = (wm_memory){ .type = im->u.memory, .imported = true };
            break;
        case EXT_TAG: m->tags[k] = (wm_tag){ .type = im->u.tag, .imported = true }; break;
        default: m->globals[k] = (wm_global){ .type = im->u.global, .imported = true }; break;
        }
        k++;
    }
    return true;
}

/* ---- Sections ---- */

/* A field's storage type (a value type, or packed i8 / i16) and its
 * mutability. */
static bool read_field(wr_reader *r, wm_field *f)
{
    if (!wr_eof(r) && (*r->p == VT_I8 || *r->p == VT_I16))
        f->type = *r->p++;
    else if (!read_valtype(r, &f->type))
        return false;
    uint8_t mut;
    if (!wr_u8(r, &mut))
        return false;
    if (mut > 1)
        return reject_byte(r, "malformed mutability");
    f->mut = mut;
    return true;
}

/* A function type's params or results (part 0 or 1). */
static bool read_func_part(wr_reader *r, wm_module *m, wm_functype *t, int part)
{
    uint32_t count;
    if (!read_count(r, &count))
        return false;
    if (count > WM_MAX_PARAMS)
        return wr_error_status(r, WEFT_ERR_LIMIT, "too many parameters or results");
    wm_valtype *types = wm_alloc_array(&m->arena, count ? count : 1, sizeof *types);
    if (!types)
        return nomem(r);
    for (uint32_t k = 0; k < count; k++)
        if (!read_valtype(r, &types[k]))
            return false;
    if (part == 0) {
        t->nparams = count;
        t->params = types;
    } else {
        t->nresults = count;
        t->results = types;
    }
    return true;
}

/* A composite type: 0x60 a function type; with GC, 0x5f a struct's fields
 * or 0x5e an array's element. */
static bool read_comptype(wr_reader *r, wm_module *m, wm_functype *t)
{
    uint8_t form;
    if (!read_leb_byte(r, &form))
        return false;
    if (form == 0x60) {
        t->kind = WM_COMP_FUNC;
        return read_func_part(r, m, t, 0) && read_func_part(r, m, t, 1);
    }
    if (!m->features.gc || (form != 0x5f && form != 0x5e))
        return reject_byte(r, m->features.gc ? "malformed composite type"
                                             : "malformed function type");
    uint32_t count = 1;
    if (form == 0x5f && !read_count(r, &count))
        return false;
    if (count > WM_MAX_FIELDS)
        return wr_error_status(r, WEFT_ERR_LIMIT, "too many fields");
    wm_field *fields = wm_alloc_array(&m->arena, count ? count : 1, sizeof *fields);
    if (!fields)
        return nomem(r);
    for (uint32_t k = 0; k < count; k++)
        if (!read_field(r, &fields[k]))
            return false;
    t->kind = form == 0x5f ? WM_COMP_STRUCT : WM_COMP_ARRAY;
    t->nfields = count;
    t->fields = fields;
    return true;
}

/* A sub type: with GC, 0x50 (open) or 0x4f (final) and the declared
 * supertypes, then a composite type; or a composite type alone, final. */
static bool read_subtype(wr_reader *r, wm_module *m, wm_functype *t)
{
    *t = (wm_functype){ 0 };
    if (m->features.gc && !wr_eof(r) && (*r->p == 0x50 || *r->p == 0x4f)) {
        t->open = *r->p++ == 0x50;
        uint32_t n;
        if (!read_count(r, &n))
            return false;
        for (uint32_t k = 0; k < n; k++) {
            uint32_t super;
            if (!wr_u32(r, &super))
                return false;
            if (k == 0)
                t->super = super;
        }
        t->nsupers = n > 2 ? 2 : (uint8_t)n;
    }
    return read_comptype(r, m, t);
}

/* The type section: a vector of recursion groups, each 0x4e and a vector
 * of sub types (GC), or one sub type alone. Types are numbered across the
 * groups. */
static bool decode_types(decoder *d, wr_reader *r)
{
    wm_module *m = d->m;
    uint32_t ngroups, n = 0, cap = 0;
    if (!read_count(r, &ngroups))
        return false;
    wm_functype *types = NULL;
    bool ok = true;
    for (uint32_t g = 0; ok && g < ngroups; g++) {
        uint32_t size = 1;
        if (m->features.gc && !wr_eof(r) && *r->p == 0x4e) {
            r->p++;
            if (!read_count(r, &size)) {
                ok = false;
                break;
            }
        }
        if ((uint64_t)n + size > WM_MAX_TYPES) {
            ok = wr_error_status(r, WEFT_ERR_LIMIT, "too many types");
            break;
        }
        if (n + size > cap) {
            uint32_t grown_cap = cap ? 2 * cap : 16;
            while (grown_cap < n + size)
                grown_cap *= 2;
            wm_functype *grown = realloc(types, grown_cap * sizeof *grown);
            if (!grown) {
                ok = nomem(r);
                break;
            }
            types = grown;
            cap = grown_cap;
        }
        for (uint32_t k = 0; ok && k < size; k++) {
            ok = read_subtype(r, m, &types[n + k]);
            types[n + k].rec = n;
            types[n + k].nrec = size;
        }
        if (ok)
            n += size;
    }
    if (ok) {
        m->types = wm_alloc_array(&m->arena, n ? n : 1, sizeof *m->types);
        if (!m->types)
            ok = nomem(r);
        else if (n)
            memcpy(m->types, types, n * sizeof *types);
    }
    free(types);
    if (!ok)
        return false;
    m->ntypes = n;
    m->ref_types = wm_alloc_array(&m->arena, n ? 2 * (size_t)n : 1, sizeof *m->ref_types);
    if (!m->ref_types)
        return nomem(r);
    for (uint32_t i = 0; i < n; i++) {
        m->ref_types[2 * i] = vt_ref_index(i, true);
        m->ref_types[2 * i + 1] = vt_ref_index(i, false);
    }
    return true;
}

/* A tag type: an attribute byte (0, exception) and a function type index. */
static bool read_tagtype(wr_reader *r, uint32_t *type)
{
    uint8_t attr;
    if (!wr_u8(r, &attr))
        return false;
    if (attr != 0)
        return reject_byte(r, "malformed tag attribute");
    return wr_u32(r, type);
}

static bool read_import_desc(wr_reader *r, wm_module *m, wm_import *im)
{
    if (!wr_u8(r, &im->kind))
        return false;
    switch (im->kind) {
    case EXT_FUNC:
        m->nimported_funcs++;
        return wr_u32(r, &im->u.type);
    case EXT_TABLE:
        m->nimported_tables++;
        return read_tabletype(r, &im->u.table, m->features.memory64);
    case EXT_MEMORY:
        m->nimported_memories++;
        return read_limits(r, &im->u.memory.limits, true, m->features.memory64);
    case EXT_GLOBAL:
        m->nimported_globals++;
        return read_globaltype(r, &im->u.global);
    case EXT_TAG:
        if (!m->features.exceptions)
            return reject_byte(r, "malformed import kind");
        m->nimported_tags++;
        return read_tagtype(r, &im->u.tag);
    default:
        return reject_byte(r, "malformed import kind");
    }
}

static bool decode_imports(decoder *d, wr_reader *r)
{
    wm_module *m = d->m;
    uint32_t n;
    m->imports = read_vec(r, &m->arena, sizeof *m->imports, &n);
    if (!m->imports)
        return false;
    for (uint32_t i = 0; i < n; i++) {
        wm_import *im = &m->imports[i];
        if (!read_name(r, &m->arena, &im->module) || !read_name(r, &m->arena, &im->field) ||
            !read_import_desc(r, m, im))
            return false;
        m->nimports = i + 1;
    }
    return true;
}

static bool decode_functions(decoder *d, wr_reader *r)
{
    wm_module *m = d->m;
    uint32_t n;
    if (!read_count(r, &n) || !make_space(r, m, EXT_FUNC, n))
        return false;
    d->nfunc_decls = n;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t k = m->nimported_funcs + i;
        if (!wr_u32(r, &m->funcs[k].type))
            return false;
        m->func_types[k] = m->funcs[k].type;
    }
    return true;
}

static bool decode_tables(decoder *d, wr_reader *r)
{
    wm_module *m = d->m;
    uint32_t n;
    if (!read_count(r, &n) || !make_space(r, m, EXT_TABLE, n))
        return false;
    for (uint32_t i = 0; i < n; i++) {
        wm_table *t = &m->tables[m->nimported_tables + i];
        /* Function references: 0x40 0x00, then the table type and the
         * expression its elements start as. */
        if (r->typed && !wr_eof(r) && *r->p == 0x40) {
            r->p++;
            uint8_t zero;
            if (!wr_u8(r, &zero))
                return false;
            if (zero != 0)
                return reject_byte(r, "malformed table");
            t->has_init = true;
            if (!read_tabletype(r, &t->type, m->features.memory64) || !read_expr(r, &t->init))
                return false;
            continue;
        }
        if (!read_tabletype(r, &t->type, m->features.memory64))
            return false;
    }
    return true;
}

static bool decode_memories(decoder *d, wr_reader *r)
{
    wm_module *m = d->m;
    uint32_t n;
    if (!read_count(r, &n) || !make_space(r, m, EXT_MEMORY, n))
        return false;
    for (uint32_t i = 0; i < n; i++)
        if (!read_limits(r, &m->memories[m->nimported_memories + i].type.limits, true,
                         m->features.memory64))
            return false;
    return true;
}

static bool decode_globals(decoder *d, wr_reader *r)
{
    wm_module *m = d->m;
    uint32_t n;
    if (!read_count(r, &n) || !make_space(r, m, EXT_GLOBAL, n))
        return false;
    for (uint32_t i = 0; i < n; i++) {
        wm_global *g = &m->globals[m->nimported_globals + i];
        if (!read_globaltype(r, &g->type) || !read_expr(r, &g->init))
            return false;
    }
    return true;
}

static bool decode_tags(decoder *d, wr_reader *r)
{
    wm_module *m = d->m;
    uint32_t n;
    if (!read_count(r, &n) || !make_space(r, m, EXT_TAG, n))
        return false;
    for (uint32_t i = 0; i < n; i++)
        if (!read_tagtype(r, &m->tags[m->nimported_tags + i].type))
            return false;
    return true;
}

static bool decode_exports(decoder *d, wr_reader *r)
{
    wm_module *m = d->m;
    uint32_t n;
    m->exports = read_vec(r, &m->arena, sizeof *m->exports, &n);
    if (!m->exports)
        return false;
    for (uint32_t i = 0; i < n; i++) {
        wm_export *e = &m->exports[i];
        if (!read_name(r, &m->arena, &e->name) || !wr_u8(r, &e->kind))
            return false;
        if (e->kind > (m->features.exceptions ? EXT_TAG : EXT_GLOBAL))
            return reject_byte(r, "malformed export kind");
        if (!wr_u32(r, &e->index))
            return false;
        m->nexports = i + 1;
    }
    return true;
}

static bool decode_start(decoder *d, wr_reader *r)
{
    d->m->has_start = true;
    return wr_u32(r, &d->m->start);
}

/* The element kind of binary forms 1..3: only 0x00 (funcref) exists. */
static bool read_elemkind(wr_reader *r, wm_valtype *type)
{
    uint8_t kind;
    if (!wr_u8(r, &kind))
        return false;
    if (kind != 0)
        return reject_byte(r, "malformed element kind");
    *type = r->typed ? VT_FUNCREF | VT_NONNULL : VT_FUNCREF;
    return true;
}

/* The items of a segment: function indices or constant expressions. */
static bool read_elem_items(wr_reader *r, wm_arena *a, wm_elem *e, bool exprs)
{
    if (!read_count(r, &e->count))
        return false;
    if (exprs) {
        e->exprs = wm_alloc_array(a, e->count ? e->count : 1, sizeof *e->exprs);
        if (!e->exprs)
            return nomem(r);
        for (uint32_t i = 0; i < e->count; i++)
            if (!read_expr(r, &e->exprs[i]))
                return false;
        return true;
    }
    e->funcs = wm_alloc_array(a, e->count ? e->count : 1, sizeof *e->funcs);
    if (!e->funcs)
        return nomem(r);
    for (uint32_t i = 0; i < e->count; i++)
        if (!wr_u32(r, &e->funcs[i]))
            return false;
    return true;
}

/* One element segment. Flag bit 0 marks a passive or declarative segment
 * (bit 1 then tells which), bit 1 of an active one an explicit table index,
 * and bit 2 expressions in place of function indices. */
static bool read_elem(wr_reader *r, wm_arena *a, wm_elem *e)
{
    uint32_t flags;
    const uint8_t *at = r->p;
    if (!wr_u32(r, &flags))
        return false;
    if (flags > 7) {
        r->p = at;
        return wr_error(r, "malformed elements segment kind");
    }
    bool exprs = flags & 4;
    /* Function indices are references that cannot be null: with function
     * references their segment's type is (ref func). */
    e->type = r->typed && !exprs ? VT_FUNCREF | VT_NONNULL : VT_FUNCREF;
    if (flags & 1) {
        e->mode = (flags & 2) ? SEG_DECLARATIVE : SEG_PASSIVE;
    } else {
        e->mode = SEG_ACTIVE;
        if ((flags & 2) && !wr_u32(r, &e->table))
            return false;
        if (!read_expr(r, &e->offset))
            return false;
    }
    /* Forms 0 and 4 imply funcref; the others name their kind or type. */
    if (flags & 3) {
        if (!(exprs ? read_reftype(r, &e->type) : read_elemkind(r, &e->type)))
            return false;
    }
    return read_elem_items(r, a, e, exprs);
}

static bool decode_elems(decoder *d, wr_reader *r)
{
    wm_module *m = d->m;
    uint32_t n;
    m->elems = read_vec(r, &m->arena, sizeof *m->elems, &n);
    if (!m->elems)
        return false;
    for (uint32_t i = 0; i < n; i++) {
        if (!read_elem(r, &m->arena, &m->elems[i]))
            return false;
        m->nelems = i + 1;
    }
    return true;
}

static bool decode_datacount(decoder *d, wr_reader *r)
{
    d->m->has_datacount = true;
    return wr_u32(r, &d->m->datacount);
}

/* The locals of one body: runs of (count, type). The runs are read twice,
 * first to total and bound them, then to fill the array, so a huge declared
 * count is refused before anything is allocated. Since a few bytes can
 * declare thousands of locals, the whole module also has a budget of
 * locals proportional to its size, so that no input makes the decoder
 * allocate more than a fixed multiple of it. */
static bool read_locals(wr_reader *r, decoder *d, wm_func *f)
{
    wm_module *m = d->m;
    uint32_t nruns;
    if (!read_count(r, &nruns))
        return false;
    const uint8_t *runs = r->p;
    uint64_t total = 0;
    for (uint32_t i = 0; i < nruns; i++) {
        uint32_t count;
        wm_valtype type;
        if (!wr_u32(r, &count) || !read_valtype(r, &type))
            return false;
        total += count;
        if (total > UINT32_MAX)
            return wr_error(r, "too many locals");
    }
    uint64_t nparams = f->type < m->ntypes ? m->types[f->type].nparams : 0;
    if (total + nparams > WM_MAX_LOCALS)
        return wr_error_status(r, WEFT_ERR_LIMIT, "too many locals");
    if (total > d->locals_left)
        return wr_error_status(r, WEFT_ERR_LIMIT, "too many locals in the module");
    d->locals_left -= total;
    f->nlocals = (uint32_t)total;
    f->local_types = wm_alloc_array(&m->arena, total ? total : 1, sizeof *f->local_types);
    if (!f->local_types)
        return nomem(r);
    const uint8_t *after = r->p;
    r->p = runs;
    uint32_t k = 0;
    for (uint32_t i = 0; i < nruns; i++) {
        uint32_t count;
        wm_valtype type = 0;
        wr_u32(r, &count);
        read_valtype(r, &type);
        for (uint32_t j = 0; j < count; j++)
            f->local_types[k++] = type;
    }
    r->p = after;
    return true;
}

static bool decode_code(decoder *d, wr_reader *r)
{
    wm_module *m = d->m;
    uint32_t n;
    if (!read_count(r, &n))
        return false;
    if (n != d->nfunc_decls)
        return wr_error(r, "function and code section have inconsistent lengths");
    d->has_code = true;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t index = m->nimported_funcs + i;
        wm_func *f = &m->funcs[index];
        uint32_t size;
        r->func = index;
        if (!read_count(r, &size))
            return false;
        wr_reader body = *r;
        body.end = r->p + size;
        if (!read_locals(&body, d, f))
            return false;
        f->body = body.p;
        f->body_len = (uint32_t)(body.end - body.p);
        f->body_offset = wr_offset(&body);
        r->p = body.end;
    }
    r->func = -1;
    return true;
}

static bool read_data(wr_reader *r, wm_data *s)
{
    uint32_t flags;
    const uint8_t *at = r->p;
    if (!wr_u32(r, &flags))
        return false;
    if (flags > 2) {
        r->p = at;
        return wr_error(r, "malformed data segment kind");
    }
    s->mode = flags == 1 ? SEG_PASSIVE : SEG_ACTIVE;
    if (flags == 2 && !wr_u32(r, &s->memory))
        return false;
    if (flags != 1 && !read_expr(r, &s->offset))
        return false;
    return read_count(r, &s->len) && wr_bytes(r, s->len, &s->bytes);
}

static bool decode_datas(decoder *d, wr_reader *r)
{
    wm_module *m = d->m;
    uint32_t n;
    m->datas = read_vec(r, &m->arena, sizeof *m->datas, &n);
    if (!m->datas)
        return false;
    if (m->has_datacount && n != m->datacount)
        return wr_error(r, "data count and data section have inconsistent lengths");
    d->has_data = true;
    for (uint32_t i = 0; i < n; i++) {
        if (!read_data(r, &m->datas[i]))
            return false;
        m->ndatas = i + 1;
    }
    return true;
}

/* A custom section: its name must be well formed; its contents are not
 * checked, except that the "name" section is kept for later. */
static bool decode_custom(decoder *d, wr_reader *r)
{
    const uint8_t *name;
    uint32_t len;
    if (!wr_name(r, &name, &len))
        return false;
    if (len == 4 && memcmp(name, "name", 4) == 0 && !d->names) {
        d->names = r->p;
        d->names_end = r->end;
    }
    r->p = r->end;
    return true;
}

/* ---- The name section ----
 * Custom sections are never validated, so a damaged name section only means
 * names are missing: its reader reports to no one and parsing just stops. */

static const char *copy_name(wm_arena *a, const uint8_t *s, uint32_t len)
{
    char *copy = wm_alloc(a, (size_t)len + 1);
    if (copy)
        memcpy(copy, s, len);
    return copy;
}

static void read_function_names(wr_reader *r, wm_module *m)
{
    uint32_t n;
    if (!wr_u32(r, &n))
        return;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t index, len;
        const uint8_t *s;
        if (!wr_u32(r, &index) || !wr_name(r, &s, &len))
            return;
        if (index < m->nfuncs && !m->funcs[index].name)
            m->funcs[index].name = copy_name(&m->arena, s, len);
    }
}

static void decode_names(decoder *d)
{
    wm_module *m = d->m;
    wr_reader r = wr_init(m->bytes, d->names, d->names_end, NULL);
    while (!wr_eof(&r)) {
        uint8_t id;
        uint32_t size;
        if (!wr_u8(&r, &id) || !wr_u32(&r, &size) || size > wr_left(&r))
            return;
        wr_reader sub = r;
        sub.end = r.p + size;
        if (id == 0) {
            const uint8_t *s;
            uint32_t len;
            if (wr_name(&sub, &s, &len))
                m->name = copy_name(&m->arena, s, len);
        } else if (id == 1) {
            read_function_names(&sub, m);
        }
        r.p = sub.end;
    }
}

/* ---- The module ---- */

/* The position of each section id in the required order; custom sections
 * (0) may appear anywhere and have none. */
static int section_order(uint8_t id)
{
    static const int8_t order[] = {
        [SEC_TYPE] = 1, [SEC_IMPORT] = 2, [SEC_FUNCTION] = 3, [SEC_TABLE] = 4,
        [SEC_MEMORY] = 5, [SEC_TAG] = 6, [SEC_GLOBAL] = 7, [SEC_EXPORT] = 8, [SEC_START] = 9,
        [SEC_ELEMENT] = 10, [SEC_DATACOUNT] = 11, [SEC_CODE] = 12, [SEC_DATA] = 13,
    };
    return order[id];
}

static bool decode_section(decoder *d, wr_reader *r, uint8_t id)
{
    switch (id) {
    case SEC_CUSTOM: return decode_custom(d, r);
    case SEC_TYPE: return decode_types(d, r);
    case SEC_IMPORT: return decode_imports(d, r);
    case SEC_FUNCTION: return decode_functions(d, r);
    case SEC_TABLE: return decode_tables(d, r);
    case SEC_MEMORY: return decode_memories(d, r);
    case SEC_GLOBAL: return decode_globals(d, r);
    case SEC_EXPORT: return decode_exports(d, r);
    case SEC_START: return decode_start(d, r);
    case SEC_ELEMENT: return decode_elems(d, r);
    case SEC_CODE: return decode_code(d, r);
    case SEC_DATA: return decode_datas(d, r);
    case SEC_TAG: return decode_tags(d, r);
    default: return decode_datacount(d, r);
    }
}

/* Reads one section header and its contents, which must fill it exactly. */
static bool read_section(decoder *d, wr_reader *r)
{
    uint8_t id;
    uint32_t size;
    if (!wr_u8(r, &id))
        return false;
    if (id > (d->m->features.exceptions ? SEC_TAG : SEC_DATACOUNT))
        return reject_byte(r, "malformed section id");
    if (id != SEC_CUSTOM) {
        int order = section_order(id);
        if (order <= d->last_order)
            return reject_byte(r, "unexpected content after last section");
        d->last_order = order;
    }
    if (!read_count(r, &size))
        return false;
    wr_reader s = *r;
    s.section = id;
    s.end = r->p + size;
    if (!decode_section(d, &s, id))
        return false;
    if (s.p != s.end)
        return wr_error(&s, "section size mismatch");
    r->p = s.end;
    return true;
}

/* Checks what only the whole module shows and builds the index spaces that
 * no section defined. */
static bool finish(decoder *d, wr_reader *r)
{
    wm_module *m = d->m;
    if (!d->has_code && d->nfunc_decls != 0)
        return wr_error(r, "function and code section have inconsistent lengths");
    if (m->has_datacount && !d->has_data && m->datacount != 0)
        return wr_error(r, "data count and data section have inconsistent lengths");
    if (!m->funcs && m->nimported_funcs && !make_space(r, m, EXT_FUNC, 0))
        return false;
    if (!m->tables && m->nimported_tables && !make_space(r, m, EXT_TABLE, 0))
        return false;
    if (!m->memories && m->nimported_memories && !make_space(r, m, EXT_MEMORY, 0))
        return false;
    if (!m->globals && m->nimported_globals && !make_space(r, m, EXT_GLOBAL, 0))
        return false;
    if (!m->tags && m->nimported_tags && !make_space(r, m, EXT_TAG, 0))
        return false;
    if (d->names)
        decode_names(d);
    return true;
}

static bool read_header(wr_reader *r)
{
    static const uint8_t magic[4] = { 0x00, 'a', 's', 'm' };
    static const uint8_t version[4] = { 0x01, 0x00, 0x00, 0x00 };
    const uint8_t *p;
    if (!wr_bytes(r, 4, &p))
        return false;
    if (memcmp(p, magic, 4) != 0) {
        r->p = p;
        return wr_error(r, "magic header not detected");
    }
    if (!wr_bytes(r, 4, &p))
        return false;
    if (memcmp(p, version, 4) != 0) {
        r->p = p;
        return wr_error(r, "unknown binary version");
    }
    return true;
}

bool wm_decode(wm_module *m, const uint8_t *bytes, size_t size, weft_error *err)
{
    if (size > UINT32_MAX)
        return wm_fail(err, WEFT_ERR_LIMIT, -1, -1, -1, "module larger than 4 GiB");
    m->bytes = bytes;
    m->size = size;
    decoder d = { .m = m, .locals_left = LOCALS_BUDGET_BASE + LOCALS_PER_BYTE * (uint64_t)size };
    wr_reader r = wr_init(bytes, bytes, bytes + size, err);
    r.typed = m->features.function_references;
    r.no_gc = !m->features.gc;
    if (!read_header(&r))
        return false;
    while (!wr_eof(&r))
        if (!read_section(&d, &r))
            return false;
    return finish(&d, &r);
}
