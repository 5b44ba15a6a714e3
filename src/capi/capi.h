/* capi.h: the objects behind the standard wasm.h handles and what the
 * files of src/capi share. The C API is a thin layer over weft.h: a store
 * is a weft_engine, and every function, global, table, memory, instance and
 * foreign object made in a store lives, as weft's own objects do, until the
 * store is deleted. */
#ifndef WEFT_CAPI_H
#define WEFT_CAPI_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <wasm.h>

#include "weft.h"

/* Every reference (wasm_ref_t and the handles that convert to it) starts
 * with this header. Store-lived objects (externals, instances, foreign
 * objects) have one canonical record each, so wasm_X_copy hands out the
 * same pointer and wasm_X_delete does nothing before the store goes;
 * modules and traps are counted and freed with their last reference. */
typedef enum capi_kind {
    CAPI_FUNC, CAPI_GLOBAL, CAPI_TABLE, CAPI_MEMORY,   /* Externals, as weft_extern_kind's order is not. */
    CAPI_FOREIGN, CAPI_INSTANCE, CAPI_MODULE, CAPI_TRAP,
} capi_kind;

struct wasm_ref_t {
    capi_kind kind;
    wasm_store_t *store;        /* NULL for modules and traps. */
    uint32_t refs;              /* Modules and traps only. */
    void *host_info;
    void (*finalizer)(void *);
};

/* A function, global, table or memory. The four handle types are this
 * struct under other names, told apart by ref.kind. */
struct wasm_extern_t {
    wasm_ref_t ref;
    weft_extern ext;
    /* Host functions made through wasm_func_new(_with_env). */
    wasm_func_callback_t callback;
    wasm_func_callback_with_env_t callback_env;
    void *env;
    void (*env_finalizer)(void *);
};

struct wasm_func_t { wasm_extern_t e; };
struct wasm_global_t { wasm_extern_t e; };
struct wasm_table_t { wasm_extern_t e; };
struct wasm_memory_t { wasm_extern_t e; };

struct wasm_foreign_t { wasm_ref_t ref; };

/* A module and its shared form hold a counted weft_module, since a shared
 * module may be obtained by stores on other threads. */
typedef struct capi_modbox {
    atomic_uint refs;
    weft_module *module;
} capi_modbox;

struct wasm_module_t {
    wasm_ref_t ref;
    capi_modbox *box;
};

struct wasm_shared_module_t { capi_modbox *box; };

struct wasm_instance_t {
    wasm_ref_t ref;
    weft_instance *inst;
    wasm_module_t *module;      /* Kept alive for the instance (NULL for one that trapped in start). */
};

struct wasm_frame_t {
    wasm_instance_t *instance;
    uint32_t func;
    size_t func_offset, module_offset;
};

struct wasm_trap_t {
    wasm_ref_t ref;
    wasm_message_t message;     /* NUL-terminated, the NUL counted in its size. */
    wasm_frame_vec_t trace;     /* Innermost first; empty for a trap the host made. */
};

struct wasm_config_t { weft_config config; };
struct wasm_engine_t { weft_config config; };

/* A map from weft's objects (weft_func, weft_table, ..., weft_instance) to
 * their canonical records, and from the counted objects a store keeps
 * (pinned as externref values) to themselves; open addressing with linear
 * probing. */
typedef struct capi_map {
    const void **keys;
    wasm_ref_t **values;
    size_t cap, count;
} capi_map;

struct wasm_store_t {
    weft_engine *engine;
    wasm_ref_t **records;       /* Every store-lived record, in order of creation. */
    size_t nrecords, records_cap;
    capi_map map;
    /* The trap a host function returned, passed from the callback to the
     * wasm_func_call that the trap ends. */
    wasm_trap_t *pending;
};

/* ---- capi_store.c ---- */

/* Adds a store-lived record to its store; false when out of memory. */
bool capi_store_adopt(wasm_store_t *store, wasm_ref_t *record);

/* The canonical record of a weft external (made on first sight) or
 * instance; NULL when out of memory. */
wasm_extern_t *capi_extern_of(wasm_store_t *store, const weft_extern *ext);
wasm_instance_t *capi_instance_of(wasm_store_t *store, weft_instance *inst);

/* Adds a new external's record (ref and ext filled in) to its store as the
 * canonical one; frees it and returns NULL when out of memory. */
wasm_extern_t *capi_extern_adopt(wasm_store_t *store, wasm_extern_t *e);

/* Counted references: a retain that takes a reference, a release that
 * drops one. Both do nothing to store-lived records and accept NULL. */
wasm_ref_t *capi_retain(const wasm_ref_t *ref);
void capi_release(wasm_ref_t *ref);

/* Makes the store keep a counted object (a module, a trap) until it is
 * deleted, once per store; false when out of memory. */
bool capi_store_keep(wasm_store_t *store, wasm_ref_t *ref);

/* Value conversions. To weft: false (with `why` set) for a value weft
 * cannot take. From weft: the result owns its reference. */
bool capi_to_weft(wasm_store_t *store, const wasm_val_t *v, weft_value *out, const char **why);
bool capi_from_weft(wasm_store_t *store, const weft_value *v, wasm_val_t *out);

/* The kinds of the two APIs; false for a kind the other does not have. */
bool capi_kind_to_weft(wasm_valkind_t kind, weft_valkind *out);
bool capi_kind_from_weft(weft_valkind kind, wasm_valkind_t *out);

/* ---- capi_trap.c ---- */

/* A trap with `message`, and the backtrace of the store's last trap when
 * `with_trace`. */
wasm_trap_t *capi_trap_make(wasm_store_t *store, const char *message, bool with_trace);

/* Gives a host-made trap the backtrace of the store's last trap. */
void capi_trap_add_trace(wasm_store_t *store, wasm_trap_t *trap);

void capi_trap_free(wasm_trap_t *trap);
void capi_module_free(wasm_module_t *module);

#endif
