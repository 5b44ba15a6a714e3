/* weft.h: the one public header of the weft WebAssembly runtime. */
#ifndef WEFT_H
#define WEFT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The outcome of every fallible call. WEFT_OK is zero so `if (status)` reads
 * as "if it failed". */
typedef enum weft_status {
    WEFT_OK = 0,
    WEFT_ERR_MALFORMED,   /* The bytes are not a well-formed binary module. */
    WEFT_ERR_INVALID,     /* The module is well formed but fails validation. */
    WEFT_ERR_LINK,        /* An import could not be resolved or has the wrong type. */
    WEFT_ERR_TRAP,        /* Guest code trapped; the message names the trap. */
    WEFT_ERR_IO,          /* A file could not be read. */
    WEFT_ERR_NOMEM,       /* The host ran out of memory. */
    WEFT_ERR_LIMIT,       /* An implementation limit was exceeded. */
    WEFT_ERR_ARGUMENT,    /* The caller passed a bad argument. */
    WEFT_ERR_FUEL,        /* The call ran out of fuel ("out of fuel"); see weft_resume. */
    WEFT_ERR_INTERRUPTED, /* weft_engine_interrupt stopped the call ("interrupted"). */
    WEFT_ERR_EXCEPTION,   /* Guest code threw a WebAssembly exception nothing caught. */
} weft_status;

/* Where an error happened, in terms of the module's bytes. A field that does
 * not apply is -1. */
typedef struct weft_error {
    weft_status status;
    int32_t section;      /* Section id (0..12), or -1. */
    int64_t func;         /* Function index in the module's function space, or -1. */
    int64_t offset;       /* Byte offset into the module, or -1. */
    char message[256];    /* What went wrong, in the spec's wording where it has one. */
} weft_error;

/* Formats `err` as one line ("section 10, function 3, offset 0x1a2: unexpected
 * end") into `buf` of `size` bytes and returns `buf`. */
const char *weft_error_format(const weft_error *err, char *buf, size_t size);

/* Returns a short name for a status ("malformed", "invalid", ...). */
const char *weft_status_name(weft_status status);

/* A decoded and validated module. Immutable once loaded; may be shared. */
typedef struct weft_module weft_module;

/* Decodes and validates `size` bytes of a binary module. The bytes are copied,
 * so the caller may free them afterwards. On failure *out is NULL and `err`
 * (if not NULL) says why. A code section of a MiB or more is validated on
 * one thread per processor (at most 8), joined before the call returns; the
 * error reported is the same as from one thread, the first in the code. */
weft_status weft_module_load(const uint8_t *bytes, size_t size, weft_module **out,
                             weft_error *err);

/* Reads a whole file and loads it as with weft_module_load. A file that cannot
 * be read gives WEFT_ERR_IO. */
weft_status weft_module_load_file(const char *path, weft_module **out, weft_error *err);

/* The proposals past WebAssembly 2.0 that a module may use (tail calls are
 * always allowed). weft_features_init turns every one on, and that is what
 * weft_module_load allows. With one turned off its modules are rejected as
 * 2.0 rejects them, as the 2.0 test suite expects: a second memory is
 * invalid ("multiple memories"), the limits flag of a 64-bit memory or
 * table is malformed, a memory index byte other than zero is malformed,
 * and a relaxed SIMD opcode is an illegal opcode. */
/* Every proposal that can be switched, as X(field, "name", "description"):
 * the bool field of weft_features, the name tools give it (`weft --enable
 * NAME`) and what it allows. weft_features is made from this list, so a
 * proposal added here is a field and a command-line name at once. */
#define WEFT_FEATURE_LIST(X)                                                   \
    X(multi_memory, "multi-memory", "several memories in one module")         \
    X(memory64, "memory64", "memories and tables indexed by i64")             \
    X(relaxed_simd, "relaxed-simd", "relaxed SIMD instructions (deterministic in weft)") \
    X(function_references, "function-references",                              \
      "typed function references: (ref null? ht), call_ref, br_on_null")     \
    X(exceptions, "exceptions", "tags, throw, throw_ref, try_table, exnref and the legacy try") \
    X(gc, "gc", "garbage collection's types: rec groups, sub types, structs, arrays, i31")

typedef struct weft_features {
#define WEFT_FEATURE_FIELD(field, name, doc) bool field;
    WEFT_FEATURE_LIST(WEFT_FEATURE_FIELD)
#undef WEFT_FEATURE_FIELD
    /* Not a proposal but a limit of loading: the largest module accepted,
     * in bytes (0: the default, WEFT_MAX_MODULE_BYTES). A larger one is
     * WEFT_ERR_LIMIT, and a file is not read past it: a regular file is
     * refused from its size, anything else (a pipe, /dev/zero) when it goes
     * on past the limit. */
    uint64_t max_module_bytes;
} weft_features;

/* The default largest module: 1 GiB. */
#define WEFT_MAX_MODULE_BYTES ((uint64_t)1 << 30)

/* Fills `features` with the defaults: everything on. */
void weft_features_init(weft_features *features);

/* weft_module_load and weft_module_load_file allowing only the proposals
 * `features` turns on (NULL: the defaults). */
weft_status weft_module_load_with(const uint8_t *bytes, size_t size,
                                  const weft_features *features, weft_module **out,
                                  weft_error *err);
weft_status weft_module_load_file_with(const char *path, const weft_features *features,
                                       weft_module **out, weft_error *err);

/* Frees a module. NULL is accepted. */
void weft_module_free(weft_module *module);

/* The number of functions in the module's function space (imports first). */
uint32_t weft_module_func_count(const weft_module *module);

/* A function's name from the name section, or NULL. */
const char *weft_module_func_name(const weft_module *module, uint32_t func);

/* The index of the function exported as `name`; false when there is none. */
bool weft_module_export_func(const weft_module *module, const char *name, uint32_t *func);

/* Writes the register IR that defined function `func` lowers to, one
 * instruction a line, to `out` (a FILE *). For `weft ir` and the golden
 * tests. An imported function is WEFT_ERR_ARGUMENT. With `out` NULL the
 * function is only lowered. */
weft_status weft_module_dump_ir(const weft_module *module, uint32_t func, void *out,
                                weft_error *err);

/* The size in bytes of the register IR that defined function `func` lowers
 * to (lowering it if it was not yet), in `*bytes`: for comparing the IR with
 * the code it comes from. An imported function is WEFT_ERR_ARGUMENT. */
weft_status weft_module_ir_size(const weft_module *module, uint32_t func, size_t *bytes,
                                weft_error *err);

/* ---- Values ---------------------------------------------------------------- */

/* The kinds of WebAssembly values. */
typedef enum weft_valkind {
    WEFT_I32, WEFT_I64, WEFT_F32, WEFT_F64, WEFT_V128, WEFT_FUNCREF, WEFT_EXTERNREF,
    WEFT_EXNREF,                   /* Exception handling's exnref. */
    WEFT_ANYREF,                   /* Garbage collection's anyref and its subtypes. */
} weft_valkind;

/* A typed value. A reference is a pointer: for funcref an opaque function
 * handle (a weft_func), for externref whatever the host passed in, for
 * exnref an opaque exception that Wasm code caught with catch_ref or
 * catch_all_ref (the host may pass it back, to throw_ref it, while the
 * engine lives), for anyref (any, eq, i31, struct, array, none and the
 * struct and array types) an opaque reference that the host may only pass
 * back (an i31 is a word with bit 0 set: its value shifted left by one);
 * NULL is the null reference. */
typedef struct weft_value {
    weft_valkind kind;
    union {
        int32_t i32;
        int64_t i64;
        float f32;
        double f64;
        uint8_t v128[16];
        void *ref;
    } of;
} weft_value;

/* What an anyref holds: null, an i31, a struct, an array, or a host value
 * (a host box: weft_anyref_from_host, or any.convert_extern of an
 * externref). */
typedef enum weft_anyref_kind {
    WEFT_ANYREF_NULL, WEFT_ANYREF_I31, WEFT_ANYREF_STRUCT, WEFT_ANYREF_ARRAY, WEFT_ANYREF_HOST,
} weft_anyref_kind;

/* The kind of anyref `v` (a value of kind WEFT_ANYREF that weft made),
 * and for a host value the host's pointer in *host (may be NULL). */
weft_anyref_kind weft_anyref_kind_of(const weft_value *v, void **host);

/* ---- Engine ----------------------------------------------------------------- */

/* How the interpreter dispatches from one instruction to the next. */
typedef enum weft_dispatch {
    WEFT_DISPATCH_DIRECT,   /* Direct threading: handler addresses in the code (default). */
    WEFT_DISPATCH_INDIRECT, /* Indirect threading: opcode numbers and a table of handlers. */
    WEFT_DISPATCH_SWITCH,   /* A switch over opcode numbers in a loop. */
    WEFT_DISPATCH_TAIL,     /* One function per handler, each tail-calling the next (clang only). */
} weft_dispatch;

/* How loads and stores are kept inside linear memory. */
typedef enum weft_bounds {
    WEFT_BOUNDS_GUARD,      /* Guard pages and a signal handler: no check per access (default). */
    WEFT_BOUNDS_EXPLICIT,   /* A compare and branch on every access; no signal handler. */
} weft_bounds;

/* Engine settings. Always start from weft_config_init.
 *
 * Fuel and interruption. An engine with a fuel budget or with
 * `interruptible` set runs "metered" code: its functions are lowered with a
 * check at function entry and at every loop header (so on every call and
 * every backward branch). Engines with neither run code without any check,
 * so these features cost nothing unless they are asked for.
 *
 * One unit of fuel is one WebAssembly instruction, charged ahead, a region
 * at a time. A function's entry check charges every instruction of its
 * body that lies outside all loops (its final `end` included); a loop's
 * check, run on entry and on every iteration, charges every instruction
 * of the loop's body outside nested loops (the `loop` instruction itself
 * belongs to the enclosing region, its `end` to the loop). Unreachable
 * instructions (after a `br`, `return` or `unreachable`) cost nothing. A
 * region is charged whole, whether or not all of it runs: an `if` arm that is
 * skipped, or the rest of a block that a `br` leaves, still costs. So the
 * count is exact for straight-line code and an upper bound elsewhere. A
 * check whose region costs more than the fuel left stops the call with
 * WEFT_ERR_FUEL before charging anything, so a stopped call may leave some
 * fuel unused. Host functions cost no fuel. A bulk instruction
 * (memory.fill, memory.copy, memory.init, table.fill, table.copy,
 * table.init, and the array instructions that make, fill, copy or
 * initialise arrays of a length given at run time: array.new,
 * array.new_default, array.new_data, array.new_elem, array.fill,
 * array.copy, array.init_data, array.init_elem) costs one unit more per 64
 * bytes it writes (a table element or a reference counting as 8), charged
 * when it starts; with too little fuel left it stops before writing
 * anything, and resuming runs it. (Array instructions are not split for
 * interrupts.) An interrupt waits
 * for the next check, or for the next MiB of a bulk instruction, which
 * resuming then finishes; a host function runs to its end first. Memory
 * and table segments applied by instantiation cost nothing. */
typedef struct weft_config {
    weft_dispatch dispatch;
    weft_bounds bounds;
    uint32_t max_call_depth;      /* Nested calls before "call stack exhausted". */
    /* 8-byte value-stack slots a frame may start within before "call stack
     * exhausted" (the stack holds one largest frame, 65540 slots, more). */
    uint32_t max_stack_slots;
    /* The most 64 KiB pages any memory made through the engine may have
     * (default 65536, the 4 GiB of a 32-bit memory). A memory whose minimum
     * is larger fails to instantiate with WEFT_ERR_LIMIT; memory.grow past
     * it returns -1. */
    uint32_t max_memory_pages;
    /* The most elements any table made through the engine may have
     * (default 10000000). As for memories: a larger minimum is
     * WEFT_ERR_LIMIT, table.grow past it returns -1. */
    uint32_t max_table_elems;
    /* The engine's initial fuel (see above); 0, the default, means no fuel
     * budget at all. Fuel is the engine's, not a call's: what one call uses
     * is gone for the next. */
    uint64_t fuel;
    /* Whether weft_engine_interrupt may stop calls (default false). */
    bool interruptible;
    /* Totals, on top of the limits per memory and per table above. Per
     * instance: the bytes of all its own linear memories together (default
     * 4 GiB), its own table elements together (default 10000000), and how
     * many memories and tables it may have, imports included (default 100
     * each). Per engine: the bytes and elements of every memory and table
     * made through it, by instances or by the host (default 16 GiB and
     * 100000000), and how many instances it may make (default 10000).
     * Instantiating past a total is WEFT_ERR_LIMIT naming it; memory.grow
     * and table.grow past one return -1, weft_memory_grow and
     * weft_table_grow WEFT_ERR_LIMIT. As for the limits above, zero allows
     * nothing; UINT64_MAX (UINT32_MAX for the counts) means no limit. */
    uint64_t max_instance_memory_bytes;
    uint64_t max_instance_table_elems;
    uint32_t max_instance_memories;
    uint32_t max_instance_tables;
    uint64_t max_engine_memory_bytes;
    uint64_t max_engine_table_elems;
    uint32_t max_instances;
    /* The most bytes the engine's garbage-collected objects (structs,
     * arrays, boxes) may take together (default 4 GiB). An allocation that
     * would pass it, after a collection, traps with "out of memory". */
    uint64_t max_heap_bytes;
    /* Collect at every allocation (default false, or true when the
     * environment variable WEFT_GC_STRESS is 1): slow, for testing that
     * every reference is found. */
    bool gc_stress;
} weft_config;

/* Fills `config` with the defaults. */
void weft_config_init(weft_config *config);

/* Parses a strategy name ("direct", "indirect", "switch", "tail"). */
bool weft_dispatch_parse(const char *name, weft_dispatch *out);

/* The name of a strategy, and whether this build has it. */
const char *weft_dispatch_name(weft_dispatch dispatch);
bool weft_dispatch_available(weft_dispatch dispatch);

/* An engine: settings plus the stacks that guest code runs on. One engine
 * runs on one thread at a time. Everything made through an engine belongs to
 * it and is freed with it. */
typedef struct weft_engine weft_engine;

weft_status weft_engine_new(const weft_config *config, weft_engine **out, weft_error *err);
void weft_engine_free(weft_engine *engine);

/* An anyref holding host value `host` (non-NULL), as any.convert_extern
 * makes it: Wasm code sees a reference of the any hierarchy that is no
 * i31, struct or array, and extern.convert_any gives `host` back. */
weft_status weft_anyref_from_host(weft_engine *engine, void *host, weft_value *out,
                                  weft_error *err);

/* Garbage-collected references held by the host. A reference of the any
 * hierarchy (WEFT_ANYREF) or an externref that Wasm made (extern.convert_any)
 * lives while Wasm code can reach it; a copy the host keeps across a call
 * must be rooted, or a collection during the call may free it. A root is
 * counted: each weft_ref_root wants one weft_ref_release. Rooting null, an
 * i31 or a value that is no heap object does nothing and succeeds. */
weft_status weft_ref_root(weft_engine *engine, const weft_value *v);
void weft_ref_release(weft_engine *engine, const weft_value *v);

/* Collects the engine's heap now: what the host's roots, the instances'
 * globals, tables and element segments, and (from a host function that
 * Wasm code called) the active Wasm frames reach stays, the rest is freed. */
void weft_gc_collect(weft_engine *engine);

/* The engine's heap: objects and bytes live now, collections so far. */
typedef struct weft_gc_stats {
    uint64_t objects, bytes, collections;
} weft_gc_stats;
void weft_gc_stats_get(const weft_engine *engine, weft_gc_stats *out);

/* Adds `amount` units of fuel to an engine made with a fuel budget
 * (saturating at UINT64_MAX). An engine without one is WEFT_ERR_ARGUMENT.
 * Call it between calls or from a host function, on the engine's thread. */
weft_status weft_engine_add_fuel(weft_engine *engine, uint64_t amount);

/* Reads the fuel left into *remaining. An engine without a fuel budget is
 * WEFT_ERR_ARGUMENT. */
weft_status weft_engine_fuel(const weft_engine *engine, uint64_t *remaining);

/* Asks the call running on an interruptible engine to stop: it does, at
 * its next check (function entry or loop header, see weft_config), with
 * WEFT_ERR_INTERRUPTED. Safe from any thread and from a signal handler (it
 * only sets an atomic flag). The check that sees the request clears it, so
 * the engine runs the next call normally. A request made while no call
 * runs stays pending and stops the next call at its first check (which
 * weft_resume can then continue). An engine that is not interruptible is
 * WEFT_ERR_ARGUMENT and nothing happens. */
weft_status weft_engine_interrupt(weft_engine *engine);

/* ---- Instances and externals ----------------------------------------------- */

typedef struct weft_instance weft_instance;
typedef struct weft_func weft_func;
typedef struct weft_table weft_table;
typedef struct weft_memory weft_memory;
typedef struct weft_global weft_global;
/* An exception tag (exception handling): what a throw names and a catch
 * matches, by identity. */
typedef struct weft_tag weft_tag;

/* The kinds of imports and exports, numbered as in the binary format. */
typedef enum weft_extern_kind {
    WEFT_EXTERN_FUNC = 0, WEFT_EXTERN_TABLE = 1, WEFT_EXTERN_MEMORY = 2, WEFT_EXTERN_GLOBAL = 3,
    WEFT_EXTERN_TAG = 4,
} weft_extern_kind;

/* A function, table, memory or global, as exported or to be imported. */
typedef struct weft_extern {
    weft_extern_kind kind;
    union {
        weft_func *func;
        weft_table *table;
        weft_memory *memory;
        weft_global *global;
        weft_tag *tag;
    } of;
} weft_extern;

/* Resolves an import: returns true and fills *out when the host provides
 * module.field. `module` and `field` are not NUL-terminated. */
typedef bool (*weft_resolver)(void *user, const char *module, size_t module_len,
                              const char *field, size_t field_len, weft_extern *out);

/* Instantiates `module`: resolves every import through `resolver` (may be
 * NULL when there are none), checks import types, creates memories, tables
 * and globals, applies element and data segments and runs the start
 * function. An unresolved or mistyped import is WEFT_ERR_LINK naming module
 * and field; a trap during instantiation is WEFT_ERR_TRAP. The module must
 * outlive the instance. */
weft_status weft_instantiate(weft_engine *engine, const weft_module *module,
                             weft_resolver resolver, void *resolver_user,
                             weft_instance **out, weft_error *err);

/* Looks up an export by name; false when there is none. */
bool weft_instance_export(const weft_instance *instance, const char *name, size_t name_len,
                          weft_extern *out);

/* One import of a module: the names the host must provide it under and what
 * kind of external it must be. The names point into the module, are
 * NUL-terminated and live as long as it; `module_len` and `field_len` count
 * their bytes, since a Wasm name may itself contain a NUL. */
typedef struct weft_import_desc {
    const char *module;
    size_t module_len;
    const char *field;
    size_t field_len;
    weft_extern_kind kind;
} weft_import_desc;

/* One export of a module: its name (as for weft_import_desc) and kind. */
typedef struct weft_export_desc {
    const char *name;
    size_t name_len;
    weft_extern_kind kind;
} weft_export_desc;

/* The number of imports of a module, so a host can see what it needs
 * before instantiating it. */
uint32_t weft_module_import_count(const weft_module *module);

/* Describes import `i` (in the module's order) in *out. An index past the
 * last import is WEFT_ERR_ARGUMENT. */
weft_status weft_module_import(const weft_module *module, uint32_t i, weft_import_desc *out);

/* The number of exports of a module (and of each of its instances). */
uint32_t weft_module_export_count(const weft_module *module);

/* Describes export `i` (in the module's order) in *out. An index past the
 * last export is WEFT_ERR_ARGUMENT. */
weft_status weft_module_export(const weft_module *module, uint32_t i, weft_export_desc *out);

/* Export `i` of an instance, in its module's order: its description in
 * *desc and the external itself in *out (either may be NULL). An index
 * past the last export is WEFT_ERR_ARGUMENT. */
weft_status weft_instance_export_at(const weft_instance *instance, uint32_t i,
                                    weft_export_desc *desc, weft_extern *out);

/* ---- Calling ---------------------------------------------------------------- */

/* The number of parameters and results of a function, and their kinds. */
uint32_t weft_func_param_count(const weft_func *func);
uint32_t weft_func_result_count(const weft_func *func);
weft_valkind weft_func_param_kind(const weft_func *func, uint32_t i);
weft_valkind weft_func_result_kind(const weft_func *func, uint32_t i);

/* Calls `func` with `nargs` arguments, which must match its parameters in
 * number and kind, and stores its results in `results` (room for
 * `nresults`, at least the function's result count). A trap gives
 * WEFT_ERR_TRAP with the spec's message ("integer divide by zero", "call
 * stack exhausted", ...). A WebAssembly exception that nothing caught gives
 * WEFT_ERR_EXCEPTION, "uncaught exception (tag N)" with N the tag's index in
 * the module that threw it. On a metered engine the call may instead stop
 * with WEFT_ERR_FUEL or WEFT_ERR_INTERRUPTED, and weft_resume continues it. */
weft_status weft_call(weft_engine *engine, weft_func *func, const weft_value *args,
                      size_t nargs, weft_value *results, size_t nresults, weft_error *err);

/* Continues the call that stopped with WEFT_ERR_FUEL or
 * WEFT_ERR_INTERRUPTED exactly where it stopped (add fuel first, or it
 * stops again at once), and returns as weft_call would have: its results
 * in `results` (room for `nresults`), or another stop, or a trap. Only the
 * last call made on the engine can be resumed, and only until another
 * call is made: weft_call abandons a stopped call. A stop inside a Wasm
 * call that a host function made (a nested weft_call) cannot be resumed:
 * the nested call returns the status to the host function, and if that
 * returns it, the outer call ends with it, not resumable either. Nor can a
 * start function's, since weft_instantiate has failed. With nothing to
 * resume, WEFT_ERR_ARGUMENT. */
weft_status weft_resume(weft_engine *engine, weft_value *results, size_t nresults,
                        weft_error *err);

/* One active function at a trap. */
typedef struct weft_frame {
    uint32_t func;          /* Index in its module's function space. */
    const char *name;       /* From the module's name section, or NULL. */
} weft_frame;

/* After a call on `engine` trapped: the Wasm functions that were active,
 * innermost first. Fills at most `max` frames and returns how many there
 * were in all (only the innermost 32 are kept). When the trap was a fault
 * in guarded memory, the trapping function itself is not known and the
 * list starts with its caller. */
size_t weft_engine_backtrace(const weft_engine *engine, weft_frame *frames, size_t max);

/* Formats a failed call's error with the backtrace of `engine` into `buf`
 * of `size` bytes (always NUL-terminated when size > 0, cut short when it
 * does not fit) and returns `buf`: the message on the first line, then for
 * a trap one line per active function, innermost first, as
 * "  #0  func 3 name". Call it before the engine runs anything else, since
 * the next trap replaces the backtrace. For an error that is not a trap
 * only the message is written: whatever backtrace the engine holds then
 * belongs to an earlier trap. */
const char *weft_trap_format(const weft_engine *engine, const weft_error *err, char *buf,
                             size_t size);

/* A host function: reads `args`, writes `results` (kinds as declared) and
 * returns WEFT_OK, or returns WEFT_ERR_TRAP after filling `err`->message.
 * Returning WEFT_ERR_FUEL or WEFT_ERR_INTERRUPTED (say, passing on what a
 * nested weft_call returned) ends the calling Wasm code with that status,
 * not resumable. Returning WEFT_ERR_EXCEPTION, passing on a nested call's
 * uncaught exception, throws that exception on into the calling Wasm code,
 * where a handler may catch it. (A host function cannot throw one of its
 * own yet.) */
typedef weft_status (*weft_host_callback)(void *user, const weft_value *args,
                                          weft_value *results, weft_error *err);

/* Makes a host function with the given signature, owned by the engine. */
weft_status weft_func_new(weft_engine *engine, const weft_valkind *params, uint32_t nparams,
                          const weft_valkind *results, uint32_t nresults,
                          weft_host_callback callback, void *user, weft_func **out);

/* ---- Memories, tables, globals ---------------------------------------------- */

/* Host-made externals, owned by the engine, for importing into modules. A
 * maximum of UINT64_MAX means none. The engine's max_memory_pages and
 * max_table_elems apply as to a module's own: a minimum above them is
 * WEFT_ERR_LIMIT, and growth stops at them. */
weft_status weft_memory_new(weft_engine *engine, uint64_t min_pages, uint64_t max_pages,
                            weft_memory **out);
weft_status weft_table_new(weft_engine *engine, weft_valkind elem, uint32_t min, uint64_t max,
                           weft_table **out);
/* A 64-bit table (memory64: the guest indexes it with i64), which only
 * imports declaring a 64-bit table match. Its minimum and maximum may be
 * any u64 (UINT64_MAX: no maximum); max_table_elems still bounds what it
 * holds. */
weft_status weft_table_new64(weft_engine *engine, weft_valkind elem, uint64_t min, uint64_t max,
                             weft_table **out);
weft_status weft_global_new(weft_engine *engine, weft_value value, bool mutable_,
                            weft_global **out);

/* Memory access: the base pointer (valid until the memory grows) and size. */
uint8_t *weft_memory_data(weft_memory *memory);
uint64_t weft_memory_size(const weft_memory *memory);

/* The memory's current size in 64 KiB pages. */
uint64_t weft_memory_pages(const weft_memory *memory);

/* The most pages the memory may grow to: its declared maximum, or 65536
 * (4 GiB, the limit of a 32-bit memory) when it declares none. */
uint64_t weft_memory_max_pages(const weft_memory *memory);

/* Copies `len` bytes from the memory at `offset` to `dst`. The whole range
 * is checked before anything is copied, without wrapping arithmetic, so a
 * range that does not lie inside the memory copies nothing and gives
 * WEFT_ERR_ARGUMENT with a message naming offset, length and size. `err`
 * may be NULL here and in every call below that takes one. */
weft_status weft_memory_read(const weft_memory *memory, uint64_t offset, void *dst, size_t len,
                             weft_error *err);

/* Copies `len` bytes from `src` into the memory at `offset`, checked as
 * weft_memory_read checks. */
weft_status weft_memory_write(weft_memory *memory, uint64_t offset, const void *src,
                              size_t len, weft_error *err);

/* Grows the memory by `delta_pages` zeroed pages, as memory.grow does, and
 * stores the old size in pages in *old_pages (may be NULL). Growing past
 * the maximum is WEFT_ERR_LIMIT, and a host that cannot provide the pages
 * WEFT_ERR_NOMEM; either way the memory is unchanged. With explicit bounds
 * checks the base pointer may move: fetch weft_memory_data again after a
 * grow. A host function may grow the memory of the guest calling it. */
weft_status weft_memory_grow(weft_memory *memory, uint64_t delta_pages, uint64_t *old_pages,
                             weft_error *err);

/* The kind of a table's elements: WEFT_FUNCREF or WEFT_EXTERNREF. A table
 * of a typed function reference ((ref $t), (ref null func), ...) is of
 * kind WEFT_FUNCREF; weft_table_reftype says more. */
weft_valkind weft_table_kind(const weft_table *table);

/* A reference type in full, as typed function references write it:
 * (ref null? heap-type). funcref is { WEFT_FUNCREF, true, false }. */
typedef struct weft_reftype {
    weft_valkind kind;     /* WEFT_FUNCREF or WEFT_EXTERNREF: the heap type's family. */
    bool nullable;         /* Whether it holds the null reference. */
    bool typed;            /* A function type ((ref null? $t)), not func itself:
                            * only functions of that type fit. */
} weft_reftype;

/* The reference type of a table's elements. */
weft_reftype weft_table_reftype(const weft_table *table);

/* The number of elements of a table. */
uint32_t weft_table_size(const weft_table *table);

/* Whether a table is a 64-bit table (weft_table_new64, or a module's table
 * declared with i64 indices). */
bool weft_table_is64(const weft_table *table);

/* Reads element `index` into *out, whose kind is then the table's. An
 * index past the end is WEFT_ERR_ARGUMENT. */
weft_status weft_table_get(const weft_table *table, uint32_t index, weft_value *out,
                           weft_error *err);

/* Sets element `index` to `value`. The value's kind must be the table's
 * element kind; a funcref must be NULL or a weft_func of the same engine,
 * which the guest may then call through the table. A wrong kind, a NULL
 * for a table that cannot hold null, a function of another type than a
 * typed table's, or an index past the end is WEFT_ERR_ARGUMENT and
 * changes nothing. */
weft_status weft_table_set(weft_table *table, uint32_t index, weft_value value,
                           weft_error *err);

/* Grows a table by `delta` elements set to `init` (of the table's element
 * kind), as table.grow does, and stores the old size in *old_size (may be
 * NULL). A wrong kind is WEFT_ERR_ARGUMENT; growing past the maximum is
 * WEFT_ERR_LIMIT and changes nothing. */
weft_status weft_table_grow(weft_table *table, uint32_t delta, weft_value init,
                            uint32_t *old_size, weft_error *err);

/* A global's current value. */
weft_value weft_global_get(const weft_global *global);

/* The kind of a global's value, and whether the guest and host may set it. */
weft_valkind weft_global_kind(const weft_global *global);
bool weft_global_mutable(const weft_global *global);

/* The reference type of a global holding a reference in *out; false (and
 * *out untouched) for a global of a number or a vector. */
bool weft_global_reftype(const weft_global *global, weft_reftype *out);

/* Sets a mutable global. An immutable global, or a value of another kind
 * than the global's, is WEFT_ERR_ARGUMENT and leaves the global as it was. */
weft_status weft_global_set(weft_global *global, weft_value value, weft_error *err);

/* ---- WASI (wasi_snapshot_preview1) ------------------------------------------ */

/* A WASI context: arguments, environment, preopened directories and the
 * guest's file descriptors. Stdin, stdout and stderr are fds 0-2 and write
 * straight to the host's (or those given to weft_wasi_set_stdio),
 * unbuffered; preopens follow from fd 3. A guest reaches no host path
 * outside its preopened directories. */
typedef struct weft_wasi weft_wasi;

/* Makes a context whose host functions will belong to `engine`. */
weft_status weft_wasi_new(weft_engine *engine, weft_wasi **out);

/* Frees a context and closes the files it opened. NULL is accepted. */
void weft_wasi_free(weft_wasi *wasi);

/* Sets the guest's arguments (argv[0] included); the strings are copied. */
weft_status weft_wasi_set_args(weft_wasi *wasi, size_t argc, const char *const *argv);

/* Adds one environment variable, "KEY=VALUE"; copied. */
weft_status weft_wasi_add_env(weft_wasi *wasi, const char *key_value);

/* Redirects the guest's stdin, stdout and stderr (its fds 0, 1 and 2) to
 * the given host file descriptors, so an embedder can feed the guest's
 * input from, or capture its output into, a pipe or a file. A negative fd
 * keeps what that stream had. The fds stay the caller's: the context never
 * closes them (a guest's fd_close only forgets them), and they must stay
 * open while the guest runs. Call it before the guest runs; an fd that is
 * not open is WEFT_ERR_ARGUMENT and changes nothing. */
weft_status weft_wasi_set_stdio(weft_wasi *wasi, int stdin_fd, int stdout_fd, int stderr_fd);

/* Preopens host directory `host_path` for the guest under the name
 * `guest_path` (NULL: the same as host_path). A directory that cannot be
 * opened is WEFT_ERR_IO. */
weft_status weft_wasi_preopen(weft_wasi *wasi, const char *host_path, const char *guest_path,
                              weft_error *err);

/* Preopens `host_fd`, a bound and listening stream socket (TCP or Unix),
 * for the guest as its lowest free fd, stored in *guest_fd (may be NULL).
 * The guest accepts connections on it with sock_accept and talks on them
 * with sock_recv, sock_send, sock_shutdown, fd_read, fd_write and
 * poll_oneoff. The context owns the fd from then on and closes it when it
 * is freed. An fd that is not a listening stream socket is
 * WEFT_ERR_ARGUMENT. wasi-libc finds preopened directories by scanning
 * fds from 3 up to the first that is not one, so preopen sockets after
 * directories. */
weft_status weft_wasi_preopen_socket(weft_wasi *wasi, int host_fd, uint32_t *guest_fd,
                                     weft_error *err);

/* A weft_resolver (pass the context as its user data) that provides every
 * function of wasi_snapshot_preview1 and nothing else, so any other import
 * fails to link with its module and field named. */
bool weft_wasi_resolver(void *wasi, const char *module, size_t module_len, const char *field,
                        size_t field_len, weft_extern *out);

/* Gives the context the instance's "memory" export, which every call that
 * takes a pointer reads and writes (bounds-checked: out of range is errno
 * fault). weft_wasi_run does this itself. */
weft_status weft_wasi_bind(weft_wasi *wasi, weft_instance *instance, weft_error *err);

/* Runs a WASI command: binds the memory and calls _start (or, for a reactor
 * without one, _initialize). Returns WEFT_OK with *exit_code the code given
 * to proc_exit, or 0 when the entry point returned; a trap is WEFT_ERR_TRAP. */
weft_status weft_wasi_run(weft_wasi *wasi, weft_instance *instance, int32_t *exit_code,
                          weft_error *err);

/* Whether the guest called proc_exit, and with which code. proc_exit
 * unwinds the guest as a trap whose message is "wasi: exit(N)"; after a
 * weft_call that failed with WEFT_ERR_TRAP, this tells an exit from a
 * real trap. */
bool weft_wasi_exited(const weft_wasi *wasi, int32_t *code);

#ifdef __cplusplus
}
#endif

#endif
