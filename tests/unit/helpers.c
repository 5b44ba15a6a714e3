/* helpers.c: the shared helpers of the API-level unit tests (helpers.h). */
#include "helpers.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

weft_module *wat_flags(const char *flags, const char *text)
{
    char dir[] = "/tmp/weft_test_XXXXXX";
    cr_assert(mkdtemp(dir), "mkdtemp failed");
    char src[96], bin[96], cmd[384];
    snprintf(src, sizeof src, "%s/m.wat", dir);
    snprintf(bin, sizeof bin, "%s/m.wasm", dir);
    FILE *f = fopen(src, "w");
    cr_assert(f);
    fputs(text, f);
    fclose(f);
    snprintf(cmd, sizeof cmd, "wat2wasm %s %s -o %s", flags, src, bin);
    cr_assert_eq(system(cmd), 0, "wat2wasm failed on:\n%s", text);
    weft_module *m = NULL;
    weft_error err;
    weft_status s = weft_module_load_file(bin, &m, &err);
    unlink(src);
    unlink(bin);
    rmdir(dir);
    cr_assert_eq(s, WEFT_OK, "load failed: %s", err.message);
    return m;
}

weft_module *wat(const char *text)
{
    return wat_flags("", text);
}

weft_config default_config(void)
{
    weft_config config;
    weft_config_init(&config);
    return config;
}

weft_config mode_config(const mode *md)
{
    weft_config config = default_config();
    config.dispatch = md->dispatch;
    config.bounds = md->bounds;
    return config;
}

weft_engine *engine_of(const weft_config *config)
{
    weft_engine *e = NULL;
    weft_error err;
    cr_assert_eq(weft_engine_new(config, &e, &err), WEFT_OK, "%s", err.message);
    return e;
}

weft_module *load_ok(const uint8_t *bytes, size_t len)
{
    weft_module *m = NULL;
    weft_error err;
    cr_assert_eq(weft_module_load(bytes, len, &m, &err), WEFT_OK, "%s", err.message);
    return m;
}

weft_engine *engine_with(weft_dispatch dispatch, weft_bounds bounds)
{
    weft_config config = default_config();
    config.dispatch = dispatch;
    config.bounds = bounds;
    return engine_of(&config);
}

weft_engine *engine(void)
{
    return engine_with(WEFT_DISPATCH_DIRECT, WEFT_BOUNDS_GUARD);
}

weft_instance *instantiate(weft_engine *e, const weft_module *m)
{
    weft_instance *inst = NULL;
    weft_error err;
    cr_assert_eq(weft_instantiate(e, m, NULL, NULL, &inst, &err), WEFT_OK, "%s", err.message);
    return inst;
}

weft_extern export_of(const weft_instance *inst, const char *name, weft_extern_kind kind)
{
    weft_extern ext;
    cr_assert(weft_instance_export(inst, name, strlen(name), &ext), "no export %s", name);
    cr_assert_eq(ext.kind, kind);
    return ext;
}

weft_func *func_of(const weft_instance *inst, const char *name)
{
    return export_of(inst, name, WEFT_EXTERN_FUNC).of.func;
}

bool resolve_to(void *user, const char *module, size_t module_len, const char *field,
                size_t field_len, weft_extern *out)
{
    (void)module;
    (void)module_len;
    (void)field;
    (void)field_len;
    *out = *(const weft_extern *)user;
    return true;
}

weft_value i32(int32_t v)
{
    return (weft_value){ .kind = WEFT_I32, .of.i32 = v };
}

weft_value i64(int64_t v)
{
    return (weft_value){ .kind = WEFT_I64, .of.i64 = v };
}

weft_value ref(weft_valkind kind, void *p)
{
    return (weft_value){ .kind = kind, .of.ref = p };
}

const mode modes[8] = {
    { WEFT_DISPATCH_DIRECT, WEFT_BOUNDS_GUARD }, { WEFT_DISPATCH_DIRECT, WEFT_BOUNDS_EXPLICIT },
    { WEFT_DISPATCH_INDIRECT, WEFT_BOUNDS_GUARD }, { WEFT_DISPATCH_INDIRECT, WEFT_BOUNDS_EXPLICIT },
    { WEFT_DISPATCH_SWITCH, WEFT_BOUNDS_GUARD }, { WEFT_DISPATCH_SWITCH, WEFT_BOUNDS_EXPLICIT },
    { WEFT_DISPATCH_TAIL, WEFT_BOUNDS_GUARD }, { WEFT_DISPATCH_TAIL, WEFT_BOUNDS_EXPLICIT },
};

const char *mode_name(const mode *md)
{
    static char buf[64];
    snprintf(buf, sizeof buf, "%s/%s", weft_dispatch_name(md->dispatch),
             md->bounds == WEFT_BOUNDS_GUARD ? "guard" : "explicit");
    return buf;
}

weft_status call(weft_engine *e, weft_instance *inst, const char *name, const weft_value *args,
                 size_t n, weft_value *result, weft_error *err)
{
    weft_func *f = func_of(inst, name);
    weft_value r[1];
    weft_status s = weft_call(e, f, args, n, r, weft_func_result_count(f), err);
    if (!s && result && weft_func_result_count(f))
        *result = r[0];
    return s;
}

int64_t ok_call(weft_engine *e, weft_instance *inst, const char *name, const weft_value *args,
                size_t n, const mode *md)
{
    weft_value r = { .kind = WEFT_I32 };
    weft_error err;
    cr_assert_eq(call(e, inst, name, args, n, &r, &err), WEFT_OK, "%s (%s): %s", name,
                 mode_name(md), err.message);
    return r.kind == WEFT_I64 ? r.of.i64 : r.of.i32;
}
