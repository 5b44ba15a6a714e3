/* helpers.h: what the API-level unit tests share: modules assembled from the
 * text format, engines, instances, exports looked up by name and values
 * made in one expression. Each helper asserts its own success, so a test
 * reads as the steps it checks. */
#ifndef WEFT_TEST_HELPERS_H
#define WEFT_TEST_HELPERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "weft.h"

/* Assembles `text` with wabt's wat2wasm, given extra command-line `flags`,
 * and loads the result. */
weft_module *wat_flags(const char *flags, const char *text);

/* Assembles `text` with wat2wasm and loads the result. */
weft_module *wat(const char *text);

/* The configuration weft_config_init gives, as a value to change fields of. */
weft_config default_config(void);

/* An engine of `config`, or of the defaults when it is NULL. */
weft_engine *engine_of(const weft_config *config);

/* A default engine but for its dispatch strategy and bounds mode. */
weft_engine *engine_with(weft_dispatch dispatch, weft_bounds bounds);
/* The module of `len` bytes at `bytes`, which must load (the test fails
 * with weft's message if not). */
weft_module *load_ok(const uint8_t *bytes, size_t len);

/* A default engine: direct dispatch, guarded bounds. */
weft_engine *engine(void);

/* Instantiates `m` with no imports. */
weft_instance *instantiate(weft_engine *e, const weft_module *m);

/* The export `name` of `inst`, which must be of `kind`. */
weft_extern export_of(const weft_instance *inst, const char *name, weft_extern_kind kind);

/* The exported function `name` of `inst`. */
weft_func *func_of(const weft_instance *inst, const char *name);

/* A resolver that gives every import the weft_extern passed as user data. */
bool resolve_to(void *user, const char *module, size_t module_len, const char *field,
                size_t field_len, weft_extern *out);

/* A dispatch strategy and a bounds mode, for tests that run in each. */
typedef struct mode {
    weft_dispatch dispatch;
    weft_bounds bounds;
} mode;

/* Every strategy in both bounds modes (a test skips the strategies that
 * weft_dispatch_available says this build lacks). */
extern const mode modes[8];
#define NMODES (sizeof modes / sizeof *modes)

/* Runs the statement that follows once for each mode whose strategy this
 * build has (weft_dispatch_available), `md` pointing at the mode. */
#define FOR_EACH_MODE(md)                                                       \
    for (const mode *md = modes; md < modes + NMODES; md++)                     \
        if (!weft_dispatch_available(md->dispatch)) {                           \
        } else

/* The default configuration with mode md's strategy and bounds. */
weft_config mode_config(const mode *md);

/* "direct/guard" and so on, in a buffer the next call reuses. */
const char *mode_name(const mode *md);

/* Calls export `name` of `inst` with `n` arguments; on success its one
 * result (or nothing) is in *result. */
weft_status call(weft_engine *e, weft_instance *inst, const char *name, const weft_value *args,
                 size_t n, weft_value *result, weft_error *err);

/* The i32 or i64 result of a call that must succeed in mode `md`. */
int64_t ok_call(weft_engine *e, weft_instance *inst, const char *name, const weft_value *args,
                size_t n, const mode *md);

/* Values of each kind the tests pass, made in one expression. */
weft_value i32(int32_t v);
weft_value i64(int64_t v);
weft_value ref(weft_valkind kind, void *p);

#endif
