/* module.c: loading a module (decode, then validate) behind the public API. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lower.h"
#include "module.h"

struct weft_module {
    wm_module m;
    uint8_t *bytes;   /* The module's own copy of its bytes, allocated alone so
                       * that sanitizers see any read past its end. */
};

weft_status weft_module_load(const uint8_t *bytes, size_t size, weft_module **out,
                             weft_error *err)
{
    weft_error local;
    if (!err)
        err = &local;
    *err = (weft_error){ .status = WEFT_OK, .section = -1, .func = -1, .offset = -1 };
    *out = NULL;
    if (!bytes && size) {
        wm_fail(err, WEFT_ERR_ARGUMENT, -1, -1, -1, "no bytes given");
        return err->status;
    }
    weft_module *mod = calloc(1, sizeof *mod);
    if (!mod) {
        wm_fail(err, WEFT_ERR_NOMEM, -1, -1, -1, "out of memory");
        return err->status;
    }
    /* The module keeps its own copy of the bytes: everything decoded points
     * into it. */
    uint8_t *copy = mod->bytes = malloc(size ? size : 1);
    if (!copy) {
        free(mod);
        wm_fail(err, WEFT_ERR_NOMEM, -1, -1, -1, "out of memory");
        return err->status;
    }
    if (size)
        memcpy(copy, bytes, size);
    if (!wm_decode(&mod->m, copy, size, err) || !wm_validate(&mod->m, err)) {
        weft_module_free(mod);
        return err->status;
    }
    *out = mod;
    return WEFT_OK;
}

weft_status weft_module_load_file(const char *path, weft_module **out, weft_error *err)
{
    weft_error local;
    if (!err)
        err = &local;
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f) {
        wm_fail(err, WEFT_ERR_IO, -1, -1, -1, "cannot open %s: %s", path, strerror(errno));
        return err->status;
    }
    size_t cap = 1 << 16, len = 0;
    uint8_t *buf = malloc(cap);
    for (;;) {
        if (!buf) {
            fclose(f);
            wm_fail(err, WEFT_ERR_NOMEM, -1, -1, -1, "out of memory reading %s", path);
            return err->status;
        }
        len += fread(buf + len, 1, cap - len, f);
        if (len < cap)
            break;
        cap *= 2;
        uint8_t *grown = realloc(buf, cap);
        if (!grown)
            free(buf);
        buf = grown;
    }
    bool failed = ferror(f);
    fclose(f);
    if (failed) {
        free(buf);
        wm_fail(err, WEFT_ERR_IO, -1, -1, -1, "cannot read %s", path);
        return err->status;
    }
    weft_status s = weft_module_load(buf, len, out, err);
    free(buf);
    return s;
}

uint32_t weft_module_func_count(const weft_module *module) { return module->m.nfuncs; }

const char *weft_module_func_name(const weft_module *module, uint32_t func)
{
    return func < module->m.nfuncs ? module->m.funcs[func].name : NULL;
}

bool weft_module_export_func(const weft_module *module, const char *name, uint32_t *func)
{
    size_t len = strlen(name);
    for (uint32_t i = 0; i < module->m.nexports; i++) {
        const wm_export *e = &module->m.exports[i];
        if (e->kind == EXT_FUNC && e->name.len == len && !memcmp(e->name.str, name, len)) {
            *func = e->index;
            return true;
        }
    }
    return false;
}

weft_status weft_module_dump_ir(const weft_module *module, uint32_t func, void *out,
                                weft_error *err)
{
    weft_error local;
    if (!err)
        err = &local;
    const wm_module *m = &module->m;
    if (func >= m->nfuncs || m->funcs[func].imported) {
        wm_fail(err, WEFT_ERR_ARGUMENT, -1, func, -1, "function %u is not defined in the module",
                func);
        return err->status;
    }
    /* The switch strategy's code holds opcode numbers, which the listing
     * names. */
    const ir_word *code = wl_lower(m, func, DISPATCH_SWITCH, false, METER_NONE, err);
    if (!code)
        return err->status;
    if (out)
        ir_dump(out, code);
    return WEFT_OK;
}

void weft_module_free(weft_module *module)
{
    if (!module)
        return;
    wl_free_caches(&module->m);
    wm_arena_free(&module->m.arena);
    free(module->bytes);
    free(module);
}
