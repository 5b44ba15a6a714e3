/* validate_gc.c: the validation rules of garbage collection: the type
 * section's recursion groups and declared supertypes, and the type rules of
 * ref.eq and the 0xFB instructions, on the value and control stacks that
 * validate_internal.h shares with validate.c. */
#include "validate_internal.h"

/* ---- The type section ---------------------------------------------------- */

/* A storage type may be packed; its value on the stack is then an i32. */
static wm_valtype unpacked(wm_valtype t)
{
    return t == VT_I8 || t == VT_I16 ? VT_I32 : t;
}

/* Whether a value of this storage type has a default (zero or null). */
static bool defaultable(wm_valtype t)
{
    return !vt_is_ref(t) || vt_nullable(t);
}

/* Storage subtyping: packed types match only themselves. */
static bool storage_sub(const wm_module *m, wm_valtype a, wm_valtype b)
{
    if (a == VT_I8 || a == VT_I16 || b == VT_I8 || b == VT_I16)
        return a == b;
    return wm_subtype(m, a, b);
}

/* Whether field `a` of a subtype may stand for field `b` of its supertype:
 * the same mutability; a mutable field's type unchanged (invariant), an
 * immutable one's a subtype (covariant). Packed types match only
 * themselves. */
static bool field_matches(const wm_module *m, const wm_field *a, const wm_field *b)
{
    if (a->mut != b->mut)
        return false;
    if (!storage_sub(m, a->type, b->type))
        return false;
    return !a->mut || storage_sub(m, b->type, a->type);
}

/* Whether composite type `a` matches `b` (a declared supertype): the same
 * kind; functions contravariant in their parameters and covariant in
 * their results; a struct's fields a prefix of the subtype's; an array's
 * element matching. */
static bool comptype_matches(const wm_module *m, const wm_functype *a, const wm_functype *b)
{
    if (a->kind != b->kind)
        return false;
    switch (a->kind) {
    case WM_COMP_FUNC:
        if (a->nparams != b->nparams || a->nresults != b->nresults)
            return false;
        for (uint32_t k = 0; k < a->nparams; k++)
            if (!wm_subtype(m, b->params[k], a->params[k]))
                return false;
        for (uint32_t k = 0; k < a->nresults; k++)
            if (!wm_subtype(m, a->results[k], b->results[k]))
                return false;
        return true;
    default:
        if (a->nfields < b->nfields)
            return false;
        for (uint32_t k = 0; k < b->nfields; k++)
            if (!field_matches(m, &a->fields[k], &b->fields[k]))
                return false;
        return true;
    }
}

/* One type of the group that ends before `limit`: the types it names
 * exist (in its group or an earlier one), it declares at most one
 * supertype, an earlier one that is not final and that it matches. */
static bool check_deftype(wv_ctx *c, uint32_t i, uint32_t limit)
{
    wm_module *m = c->m;
    const wm_functype *t = &m->types[i];
    for (uint32_t k = 0; k < t->nparams; k++)
        if (!wv_module_valtype(c, SEC_TYPE, t->params[k], limit))
            return false;
    for (uint32_t k = 0; k < t->nresults; k++)
        if (!wv_module_valtype(c, SEC_TYPE, t->results[k], limit))
            return false;
    for (uint32_t k = 0; k < t->nfields; k++)
        if (t->fields[k].type != VT_I8 && t->fields[k].type != VT_I16 &&
            !wv_module_valtype(c, SEC_TYPE, t->fields[k].type, limit))
            return false;
    if (t->nsupers == 0)
        return true;
    if (t->nsupers > 1)
        return wv_module_invalid(c, SEC_TYPE, "type %u: multiple supertypes", i);
    if (t->super >= i)
        return wv_module_invalid(c, SEC_TYPE, "unknown type %u: a supertype must come before", t->super);
    const wm_functype *s = &m->types[t->super];
    if (!s->open)
        return wv_module_invalid(c, SEC_TYPE, "type %u: sub type of final type %u", i, t->super);
    if (!comptype_matches(m, t, s))
        return wv_module_invalid(c, SEC_TYPE, "type %u: sub type does not match super type %u", i,
                              t->super);
    return true;
}

/* The type section, group by group: each group's types are checked with
 * the groups before it canonical, then it is made canonical itself. */
bool wv_check_type_section(wv_ctx *c)
{
    wm_module *m = c->m;
    for (uint32_t rec = 0; rec < m->ntypes;) {
        uint32_t n = m->types[rec].nrec ? m->types[rec].nrec : 1;
        for (uint32_t i = rec; i < rec + n; i++)
            if (!check_deftype(c, i, rec + n))
                return false;
        rec += n;
        wm_canon_types(m, rec);
        if (m->ncanon < rec)
            return wv_module_invalid(c, SEC_TYPE, "out of memory");
    }
    return true;
}

/* ---- Instructions ----------------------------------------------------------- */

/* The GC instructions are illegal opcodes without the feature. */
static bool need_gc(wv_ctx *c)
{
    if (!c->features.gc)
        return wv_malformed(c, "illegal opcode");
    return true;
}

/* Type `index` must be of composite kind `kind`; *t is it. */
static bool gc_type(wv_ctx *c, uint32_t index, uint8_t kind, const wm_functype **t)
{
    static const char *const names[] = { "function", "struct", "array" };
    if (index >= c->m->ntypes)
        return invalid(c, "unknown type %u", index);
    *t = &c->m->types[index];
    if ((*t)->kind != kind)
        return invalid(c, "type mismatch: type %u is not a %s type", index, names[kind]);
    return true;
}

/* Field `field` of struct type `index`, which must exist. */
static bool struct_field(wv_ctx *c, uint32_t index, uint32_t field, const wm_field **f)
{
    const wm_functype *t = NULL;
    if (!gc_type(c, index, WM_COMP_STRUCT, &t))
        return false;
    if (field >= t->nfields)
        return invalid(c, "unknown field %u", field);
    *f = &t->fields[field];
    return true;
}

/* The element of array type `index`. */
static bool array_elem(wv_ctx *c, uint32_t index, const wm_field **f)
{
    const wm_functype *t = NULL;
    if (!gc_type(c, index, WM_COMP_ARRAY, &t))
        return false;
    *f = &t->fields[0];
    return true;
}

/* A read of a field or element: get for an unpacked type, get_s / get_u
 * for a packed one. */
static bool check_packing(wv_ctx *c, const wm_field *f, bool signed_or_unsigned)
{
    bool packed = f->type == VT_I8 || f->type == VT_I16;
    if (packed != signed_or_unsigned)
        return invalid(c, packed ? "type mismatch: field is packed" : "type mismatch: field is not packed");
    return true;
}

static bool need_mutable(wv_ctx *c, const wm_field *f)
{
    if (!f->mut)
        return invalid(c, "immutable field");
    return true;
}

/* array.new_data and array.init_data copy bytes: numbers and vectors only. */
static bool check_array_data(wv_ctx *c, const wm_field *f, uint32_t data)
{
    if (vt_is_ref(f->type))
        return invalid(c, "type mismatch: array of references from a data segment");
    return wv_check_data(c, data);
}

/* array.new_elem and array.init_elem: the segment's references must fit. */
static bool check_array_elem(wv_ctx *c, const wm_field *f, uint32_t elem)
{
    if (!wv_check_elem(c, elem))
        return false;
    if (!wm_subtype(c->m, c->m->elems[elem].type, f->type))
        return invalid(c, "type mismatch: element segment of %s, array of %s",
                       wm_type_name(c->m->elems[elem].type), wm_type_name(f->type));
    return true;
}

/* array.new_fixed $t n: n operands of the element type. In unreachable
 * code only those on the stack are checked (the rest are of any type). */
static bool check_array_new_fixed(wv_ctx *c, const wm_field *f, uint32_t n)
{
    wv_frame *fr = top_frame(c);
    uint32_t avail = c->nvals - fr->height;
    if (n > avail && !fr->unreachable)
        return invalid(c, "type mismatch: array.new_fixed of %u elements, %u on the stack", n,
                       avail);
    for (uint32_t i = 0, k = n < avail ? n : avail; i < k; i++)
        if (!pop_expect(c, unpacked(f->type)))
            return false;
    if (n > avail)
        c->nvals = fr->height;
    return true;
}

/* A cast's target type must exist. */
static bool check_cast_type(wv_ctx *c, wm_valtype t)
{
    return wv_check_valtype(c, t);
}

/* The top of `t`'s hierarchy as a nullable reference: what ref.test and
 * ref.cast accept. */
static wm_valtype top_of(const wv_ctx *c, wm_valtype t)
{
    return wm_heap_top(c->m, t);
}

/* The type of reference `a` with the values of `b` removed: non-null
 * when `b` takes null. */
static wm_valtype ref_diff(wm_valtype a, wm_valtype b)
{
    return vt_nullable(b) ? (a | VT_NONNULL) : a;
}

/* br_on_cast l rt1 rt2 and br_on_cast_fail: rt2 <: rt1, the operand an
 * rt1; the branch takes rt2 (br_on_cast) or rt1 \ rt2 (br_on_cast_fail)
 * as the label's last value, and the other stays on the stack. */
static bool check_br_on_cast(wv_ctx *c, const wv_imm *imm, bool on_fail)
{
    wm_valtype rt1 = imm->type, rt2 = imm->type2;
    if (!wv_check_valtype(c, rt1) || !wv_check_valtype(c, rt2))
        return false;
    if (!wm_subtype(c->m, rt2, rt1))
        return invalid(c, "type mismatch: cast to %s is not below %s", wm_type_name(rt2),
                       wm_type_name(rt1));
    uint32_t n;
    const wm_valtype *types;
    label_types(&c->frames[c->nframes - 1 - imm->index], &n, &types);
    if (n == 0)
        return invalid(c, "type mismatch: %s needs a label taking a reference",
                       on_fail ? "br_on_cast_fail" : "br_on_cast");
    wm_valtype branch = on_fail ? ref_diff(rt1, rt2) : rt2;
    wm_valtype stay = on_fail ? rt2 : ref_diff(rt1, rt2);
    if (!wm_subtype(c->m, branch, types[n - 1]))
        return invalid(c, "type mismatch: expected %s, found %s", wm_type_name(types[n - 1]),
                       wm_type_name(branch));
    return pop_expect(c, rt1) && pop_vals(c, n - 1, types) && push_vals(c, n - 1, types) &&
           push(c, stay);
}

/* any.convert_extern and extern.convert_any: a reference of one hierarchy
 * to the other's top, null or not as it was. */
static bool check_convert(wv_ctx *c, uint8_t from, uint8_t to)
{
    wm_valtype t = VT_UNKNOWN;
    if (!pop_any(c, &t))
        return false;
    if (!wm_subtype(c->m, t, from))
        return invalid(c, "type mismatch: expected %s, found %s", wm_type_name(from),
                       wm_type_name(t));
    return push(c, t != VT_UNKNOWN && !vt_nullable(t) ? (to | VT_NONNULL) : to);
}

/* The type rules of ref.eq and the 0xFB instructions. */
bool wv_check_gc(wv_ctx *c, wasm_op op, const wv_imm *imm)
{
    const wm_field *f = NULL;
    const wm_functype *t = NULL;
    wm_valtype ref = vt_ref_index(imm->index, true), made = vt_ref_index(imm->index, false);
    if (!need_gc(c))
        return false;
    switch (op) {
    case WOP_REF_EQ:
        return pop_expect(c, VT_EQREF) && pop_expect(c, VT_EQREF) && push(c, VT_I32);
    case WOP_STRUCT_NEW:
        if (!gc_type(c, imm->index, WM_COMP_STRUCT, &t))
            return false;
        for (uint32_t k = t->nfields; k-- > 0;)
            if (!pop_expect(c, unpacked(t->fields[k].type)))
                return false;
        return push(c, made);
    case WOP_STRUCT_NEW_DEFAULT:
        if (!gc_type(c, imm->index, WM_COMP_STRUCT, &t))
            return false;
        for (uint32_t k = 0; k < t->nfields; k++)
            if (!defaultable(t->fields[k].type))
                return invalid(c, "type mismatch: field %u has no default value", k);
        return push(c, made);
    case WOP_STRUCT_GET: case WOP_STRUCT_GET_S: case WOP_STRUCT_GET_U:
        return struct_field(c, imm->index, imm->index2, &f) &&
               check_packing(c, f, op != WOP_STRUCT_GET) && pop_expect(c, ref) &&
               push(c, unpacked(f->type));
    case WOP_STRUCT_SET:
        return struct_field(c, imm->index, imm->index2, &f) && need_mutable(c, f) &&
               pop_expect(c, unpacked(f->type)) && pop_expect(c, ref);
    case WOP_ARRAY_NEW:
        return array_elem(c, imm->index, &f) && pop_expect(c, VT_I32) &&
               pop_expect(c, unpacked(f->type)) && push(c, made);
    case WOP_ARRAY_NEW_DEFAULT:
        if (!array_elem(c, imm->index, &f))
            return false;
        if (!defaultable(f->type))
            return invalid(c, "type mismatch: array element has no default value");
        return pop_expect(c, VT_I32) && push(c, made);
    case WOP_ARRAY_NEW_FIXED:
        return array_elem(c, imm->index, &f) && check_array_new_fixed(c, f, imm->index2) &&
               push(c, made);
    case WOP_ARRAY_NEW_DATA:
        return array_elem(c, imm->index, &f) && check_array_data(c, f, imm->index2) &&
               pop_expect(c, VT_I32) && pop_expect(c, VT_I32) && push(c, made);
    case WOP_ARRAY_NEW_ELEM:
        return array_elem(c, imm->index, &f) && check_array_elem(c, f, imm->index2) &&
               pop_expect(c, VT_I32) && pop_expect(c, VT_I32) && push(c, made);
    case WOP_ARRAY_GET: case WOP_ARRAY_GET_S: case WOP_ARRAY_GET_U:
        return array_elem(c, imm->index, &f) && check_packing(c, f, op != WOP_ARRAY_GET) &&
               pop_expect(c, VT_I32) && pop_expect(c, ref) && push(c, unpacked(f->type));
    case WOP_ARRAY_SET:
        return array_elem(c, imm->index, &f) && need_mutable(c, f) &&
               pop_expect(c, unpacked(f->type)) && pop_expect(c, VT_I32) && pop_expect(c, ref);
    case WOP_ARRAY_LEN:
        return pop_expect(c, VT_ARRAYREF) && push(c, VT_I32);
    case WOP_ARRAY_FILL:
        return array_elem(c, imm->index, &f) && need_mutable(c, f) && pop_expect(c, VT_I32) &&
               pop_expect(c, unpacked(f->type)) && pop_expect(c, VT_I32) && pop_expect(c, ref);
    case WOP_ARRAY_COPY: {
        const wm_field *src;
        if (!array_elem(c, imm->index, &f) || !array_elem(c, imm->index2, &src) ||
            !need_mutable(c, f))
            return false;
        if (!storage_sub(c->m, src->type, f->type))
            return invalid(c, "type mismatch: array.copy from %s into %s",
                           wm_type_name(src->type), wm_type_name(f->type));
        return pop_expect(c, VT_I32) && pop_expect(c, VT_I32) &&
               pop_expect(c, vt_ref_index(imm->index2, true)) && pop_expect(c, VT_I32) &&
               pop_expect(c, ref);
    }
    case WOP_ARRAY_INIT_DATA: case WOP_ARRAY_INIT_ELEM:
        if (!array_elem(c, imm->index, &f) || !need_mutable(c, f))
            return false;
        if (!(op == WOP_ARRAY_INIT_DATA ? check_array_data(c, f, imm->index2)
                                        : check_array_elem(c, f, imm->index2)))
            return false;
        return pop_expect(c, VT_I32) && pop_expect(c, VT_I32) && pop_expect(c, VT_I32) &&
               pop_expect(c, ref);
    case WOP_REF_TEST: case WOP_REF_TEST_NULL: case WOP_REF_CAST: case WOP_REF_CAST_NULL: {
        bool nullable = op == WOP_REF_TEST_NULL || op == WOP_REF_CAST_NULL;
        wm_valtype target = nullable ? imm->type : (imm->type | VT_NONNULL);
        if (!check_cast_type(c, target) || !pop_expect(c, top_of(c, target)))
            return false;
        return push(c, op == WOP_REF_TEST || op == WOP_REF_TEST_NULL ? VT_I32 : target);
    }
    case WOP_BR_ON_CAST: case WOP_BR_ON_CAST_FAIL:
        return check_br_on_cast(c, imm, op == WOP_BR_ON_CAST_FAIL);
    case WOP_ANY_CONVERT_EXTERN:
        return check_convert(c, VT_EXTERNREF, VT_ANYREF);
    case WOP_EXTERN_CONVERT_ANY:
        return check_convert(c, VT_ANYREF, VT_EXTERNREF);
    case WOP_REF_I31:
        return pop_expect(c, VT_I32) && push(c, VT_I31REF | VT_NONNULL);
    case WOP_I31_GET_S: case WOP_I31_GET_U:
        return pop_expect(c, VT_I31REF) && push(c, VT_I32);
    default:
        return wv_malformed(c, "instruction %s has no type rule", wasm_op_infos[op].name);
    }
}

