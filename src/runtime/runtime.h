/* runtime.h: what exists at run time: function, table and global instances,
 * module instances, and the thread state the interpreter runs on. */
#ifndef WEFT_RUNTIME_H
#define WEFT_RUNTIME_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "ir.h"
#include "memory.h"
#include "module.h"

/* One 64-bit cell of a frame, a global or a table. A v128 takes two. A
 * reference is a pointer: a wx_func for funcref, the host's value for
 * externref; NULL is the null reference. */
typedef union wx_slot {
    uint64_t u64;
    int64_t i64;
    uint32_t u32;
    int32_t i32;
    float f32;
    double f64;
    void *ref;
} wx_slot;

/* The runtime structures are the public API's handles: a weft_func is a
 * wx_func, and so on, so references can be handed out as they are. */
typedef struct weft_instance wx_instance;
typedef struct wx_thread wx_thread;
typedef struct weft_func wx_func;

/* Trap kinds, each with the spec's message (wx_trap_message). */
typedef enum wx_trap {
    TRAP_NONE = 0,
    TRAP_UNREACHABLE,
    TRAP_DIV_ZERO,
    TRAP_OVERFLOW,
    TRAP_INVALID_CONV,
    TRAP_MEMORY_OOB,
    TRAP_TABLE_OOB,
    TRAP_UNDEFINED_ELEMENT,
    TRAP_UNINITIALIZED_ELEMENT,
    TRAP_INDIRECT_TYPE,
    TRAP_NULL_FUNC_REF,   /* call_ref of a null reference. */
    TRAP_NULL_REF,        /* ref.as_non_null of a null reference. */
    TRAP_EXHAUSTED,
    TRAP_HOST,            /* A host function failed; its message is in the thread. */
    TRAP_EXIT,            /* The guest asked to exit (WASI proc_exit). */
    TRAP_NOMEM,
    TRAP_UNSUPPORTED,     /* An instruction the interpreter cannot run yet (SIMD). */
    TRAP_LIMIT,           /* A function could not be lowered within an implementation
                           * limit when first called; the message is in the thread. */
    TRAP_NULL_EXNREF,     /* throw_ref of a null exnref. */
    TRAP_NULL_I31,        /* i31.get_s / i31.get_u of a null reference. */
    TRAP_CAST,            /* ref.cast of a reference not of the type. */
    TRAP_NULL_STRUCT,     /* struct.get / struct.set of a null reference. */
    TRAP_NULL_ARRAY,      /* An array instruction on a null reference. */
    TRAP_ARRAY_OOB,       /* An array index or range past its length. */
    TRAP_EXCEPTION,       /* Not a trap: an exception nothing in the run caught
                           * (th->exn); a handler further out may still catch it. */
    /* Not traps but stops, made by the checks of metered code; a stopped
     * call may be resumed (wx_resume). */
    TRAP_FUEL,
    TRAP_INTERRUPTED,
} wx_trap;

const char *wx_trap_message(wx_trap trap);

/* The public status of a run that ended with `trap`: WEFT_ERR_FUEL and
 * WEFT_ERR_INTERRUPTED for the stops, WEFT_ERR_LIMIT for TRAP_LIMIT (a
 * function weft cannot run is not a fault of the guest's), WEFT_ERR_TRAP
 * for the rest. */
weft_status wx_trap_status(wx_trap trap);

/* The full message of the trap that stopped thread `th`: the spec's words
 * plus any detail (the element index, a host function's message). */
const char *wx_trap_describe(const wx_thread *th, wx_trap trap, char *buf, size_t size);

/* A host function: reads its arguments from `slots` and writes its results
 * over them (results start at slots[0]). Returns TRAP_NONE or a trap. */
typedef wx_trap (*wx_host_fn)(wx_thread *th, void *ctx, wx_slot *slots);

/* The code of every host function (weft_func.code): never lowered. */
extern const ir_word *wx_no_code;

/* A function instance. Wasm functions run the IR of their module's
 * function `index`; host functions call `host`. */
struct weft_func {
    const wm_functype *type;
    uint32_t sig;             /* Canonical type id: equal ids, equal types. */
    wx_instance *inst;        /* Owning instance (NULL for host functions). */
    uint32_t index;           /* Index in the owning module. */
    uint32_t nargs;           /* Slots the parameters take (a v128 takes two). */
    uint32_t nslots;          /* Slots of max(parameters, results). */
    uint32_t nlocals;         /* Slots of the declared locals, which entry zeroes. */
    /* Where the lowered code is cached: NULL until the function is first
     * called. A host function's is wx_no_code, which stays NULL, so a
     * call's fast path tests one word for both slow cases. */
    const ir_word **code;
    wx_host_fn host;
    void *host_ctx;
};

typedef struct weft_table {
    wx_slot *elems;
    uint32_t size;
    uint64_t max;             /* Declared maximum, or UINT32_MAX. */
    uint64_t grow_max;        /* What table.grow may reach: max clamped by the engine's limit. */
    wm_valtype type;          /* A reference type, canonical (wm_canon_valtype). */
    bool has_max;             /* Whether a maximum was declared (import matching). */
    bool is64;                /* A 64-bit table (memory64): imports must say so too. */
    wx_budget *budget;        /* What its elements count against (NULL: nothing). */
} wx_table;

typedef struct weft_global {
    wx_slot value[2];         /* Two cells so a v128 fits. */
    wm_valtype type;          /* Canonical (wm_canon_valtype). */
    bool mut;
} wx_global;

/* The interpreter variants: a dispatch strategy and a bounds mode. */
typedef enum wx_dispatch {
    DISPATCH_DIRECT,
    DISPATCH_INDIRECT,
    DISPATCH_SWITCH,
    DISPATCH_TAIL,
    DISPATCH_COUNT
} wx_dispatch;

/* What the checks of metered code look at: lowering emits the one check
 * instruction that does no more than the engine asked for. Numbered so
 * that METER_FUEL | METER_INTERRUPT is METER_BOTH. */
typedef enum wx_metering {
    METER_NONE,               /* No checks at all. */
    METER_FUEL,               /* IR_CHECK_FUEL: a fuel budget. */
    METER_INTERRUPT,          /* IR_CHECK_INTERRUPT: interruptible. */
    METER_BOTH,               /* IR_CHECK: both. */
    METER_COUNT
} wx_metering;

/* A module instance. Memory 0's base is cached here for the interpreter. */
struct weft_instance {
    const wm_module *mod;
    wx_dispatch dispatch;
    bool explicit_bounds;     /* This instance's code checks every access. */
    wx_metering metering;     /* The checks its code has. */
    wx_func **funcs;          /* Function index space. */
    wx_table **tables;
    wx_memory **memories;
    wx_memory *mem0;          /* memories[0], or an empty memory when there is none. */
    wx_global **globals;
    bool *elem_dropped;       /* Per element segment. */
    bool *data_dropped;       /* Per data segment. */
    const ir_word **code;     /* Lowered code per defined function, or NULL until first call. */
    wx_func *own_funcs;       /* Storage of the defined functions' instances. */
    wx_slot **elem_items;     /* Per element segment: its references, evaluated once. */
    uint32_t *sigs;           /* Canonical id of each of the module's types. */
    struct weft_tag **tags;   /* Tag index space (exception handling). */
    struct weft_tag *own_tags; /* Storage of the defined tags. */
    struct wx_heap *heap;     /* Its engine's heap: constant expressions allocate. */
    /* What the instance's own memories and tables take, within the
     * config's per-instance totals; draws on the engine's budget too. */
    wx_budget budget;
};

/* The most slots a frame can reach: 65536 (lowering refuses a function
 * that needs more), and four more that entry zeroes past the parameters
 * whatever the locals. */
#define WX_FRAME_MAX (65536 + 4)

/* A return record: where a call returns to. */
typedef struct wx_callrec {
    const ir_word *ip;
    wx_slot *fp;
    wx_instance *inst;
} wx_callrec;

/* A host function called from Wasm code, while it runs: its arguments
 * and the frame that called it (fp NULL: a tail call replaced that one). */
typedef struct wx_host_frame {
    struct wx_host_frame *prev;
    const struct weft_func *f;
    const wx_slot *args;
    wx_callrec caller;
} wx_host_frame;

/* One bulk instruction as bulk.c runs it in metered code: memset, memmove
 * or a fill with 8-byte slots, of `bytes` bytes at host addresses `dst`
 * (and `src`). `obj` (the memory or table written), `dst_at` and `src_at`
 * (the guest's operands) tell the instruction resumed after an interrupt
 * from any other. */
typedef enum wx_bulk_kind { BULK_SET, BULK_MOVE, BULK_FILL_SLOTS } wx_bulk_kind;

typedef struct wx_bulk {
    wx_bulk_kind kind;
    uint8_t *dst;
    const uint8_t *src;
    uint64_t bytes;
    wx_slot value;            /* The byte of BULK_SET, the slot of BULK_FILL_SLOTS. */
    const void *obj;
    uint64_t dst_at, src_at;
} wx_bulk;

/* The state one thread of guest execution runs on. */
struct wx_thread {
    wx_slot *stack;           /* The value stack: frames of slots. */
    wx_slot *stack_end;
    /* The highest frame base a call may make: the stack holds a frame of
     * the most slots a function can have (WX_FRAME_MAX) past it, so that
     * entering a function needs no frame size. */
    wx_slot *stack_limit;
    wx_callrec *calls;        /* The call stack of return records. */
    uint32_t depth, max_depth;
    wx_slot *sp;              /* First free slot above the running frames (host re-entry). */
    wx_trap trap;             /* Why the last run stopped. */
    const ir_word *trap_ip;   /* The instruction that trapped, when known. */
    uint32_t trap_index;      /* The table index of an element trap. */
    wx_instance *trap_inst;   /* The instance running when it trapped. */
    /* The Wasm functions active at the last trap, innermost first (at most
     * WX_BACKTRACE_MAX of them), and how many there were in all. */
#define WX_BACKTRACE_MAX 32
    struct { wx_instance *inst; uint32_t func; } backtrace[WX_BACKTRACE_MAX];
    uint32_t nbacktrace, backtrace_depth;
    int32_t exit_code;        /* For TRAP_EXIT. */
    /* A call handed to the interpreter's slow path (a host function, or
     * code not lowered yet): the function, its arguments and where it
     * returns to. */
    wx_func *call_func;
    wx_slot *call_args;
    const ir_word *call_ret;
    char message[256];        /* Detail for TRAP_HOST and TRAP_LIMIT. */
    /* Exception handling (exn.h): the exception being thrown, or the one
     * that ended the last run uncaught (TRAP_EXCEPTION); and every
     * exception made on this thread, freed with it. */
    struct wx_exn *exn;
    struct wx_exn *exns;
    /* Garbage collection: the engine's heap; where the running code is
     * when it allocates (the innermost frame, for the collector); the
     * host functions Wasm code has called and that have not returned,
     * innermost first (their callers' frames and their arguments are
     * roots). */
    struct wx_heap *heap;
    wx_callrec gc_at;
    struct wx_host_frame *host_frames;

    /* Metering. `fuel` is what is left (UINT64_MAX, never read, without a
     * fuel budget). `interrupt` is set by weft_engine_interrupt (from any
     * thread or a signal handler) and cleared by the check that sees it. */
    uint64_t fuel;
    atomic_bool interrupt;
    wx_slot *stop_fp;         /* Set by a check that stopped the run, with trap_ip and trap_inst. */
    /* The stopped outermost call that wx_resume continues: where it stopped,
     * its call depth then, and the depth and stack top it was entered at.
     * The return records and frames stay where they are on the stacks. */
    struct {
        bool active;
        const ir_word *ip;
        wx_slot *fp;
        wx_instance *inst;
        uint32_t depth, base;
        wx_slot *sp;
    } stopped;
    /* A bulk instruction an interrupt stopped part way: the resumed run
     * starts with it again, and it goes on from `done` bytes. */
    struct {
        bool pending;
        wx_bulk op;
        uint64_t done;
    } bulk;
};

/* The metering of the code running on this host thread, for the bulk
 * helpers, which the interpreter calls without its thread: `th` is NULL
 * while no metered code runs. run_guarded sets it around a run. */
typedef struct wx_meter {
    wx_thread *th;
    wx_metering kind;
} wx_meter;

extern _Thread_local wx_meter wx_meter_now;

/* Sets this host thread's metering and returns what it was. */
wx_meter wx_meter_swap(wx_meter meter);

/* Runs `op` in metered code (bulk.c): charges its fuel ahead (TRAP_FUEL,
 * with nothing done, when there is too little) and does it in chunks,
 * stopping with TRAP_INTERRUPTED between two when asked. The range must
 * have been checked. */
wx_trap wx_bulk_metered(const wx_bulk *op);
/* Charges the fuel of a bulk instruction writing `bytes` (nothing unless the
 * running code is metered for fuel): TRAP_FUEL, nothing charged, when there
 * is too little. */
wx_trap wx_bulk_charge(uint64_t bytes);

/* ---- Called by the interpreter's handlers (instance.c, lower.c) ---- */

/* Lowers function `f` for its instance's variant on first call and stores
 * its code in *code. Returns TRAP_NONE, TRAP_NOMEM, or TRAP_LIMIT with the
 * lowering's message (naming the function) in th->message, so that the
 * caller learns why, not only that, the call could not start. */
wx_trap wx_lower_lazy(wx_thread *th, wx_func *f, const ir_word **code);

/* The host address of `width` bytes at `addr` plus `offset` in memory `m`,
 * or NULL unless they all lie inside it (no sum wraps, whatever the
 * values): the check of the general memory accesses (interp_mem.h). */
uint8_t *wx_memory_at(const wx_memory *m, uint64_t addr, uint64_t offset, uint32_t width);

/* The bulk memory instructions. Addresses and lengths are 64 bits wide for
 * memory64; 32-bit memories pass theirs zero-extended. */
wx_trap wx_memory_fill(wx_memory *m, uint64_t dst, uint32_t value, uint64_t len);
wx_trap wx_memory_copy(wx_memory *dst_mem, wx_memory *src_mem, uint64_t dst, uint64_t src,
                       uint64_t len);
wx_trap wx_memory_init(wx_instance *inst, uint32_t mem, uint32_t data, uint64_t dst,
                       uint32_t src, uint32_t len);
/* table.grow: returns the old size, or -1 when the table cannot grow.
 * The table instructions take 64-bit indices and lengths for 64-bit tables
 * (memory64); 32-bit tables pass theirs zero-extended. */
int64_t wx_table_grow(wx_table *t, uint64_t delta, wx_slot init);
/* table.grow as an instruction: wx_table_grow, its result in *old, after
 * charging in metered code the elements it would initialise as table.fill
 * charges them (TRAP_FUEL, the table unchanged, when the fuel is short). */
wx_trap wx_table_grow_op(wx_table *t, uint64_t delta, wx_slot init, int64_t *old);
wx_trap wx_table_fill(wx_table *t, uint64_t dst, wx_slot value, uint64_t len);
wx_trap wx_table_copy(wx_table *dst_tab, wx_table *src_tab, uint64_t dst, uint64_t src,
                      uint64_t len);
wx_trap wx_table_init(wx_instance *inst, uint32_t table, uint32_t elem, uint64_t dst,
                      uint32_t src, uint32_t len);

/* ---- Engines, instances and host-made externals (instance.c, api.c) ---- */

/* A memory as weft allocates it: the memory first, so a wx_memory pointer
 * is a pointer to its box, then what import matching needs and memory.h
 * does not keep (whether a maximum was declared, and which). */
typedef struct wx_memory_box {
    wx_memory mem;
    bool has_max;
    uint64_t max;
    bool is64;                /* A 64-bit memory (memory64): imports must say so too. */
} wx_memory_box;

/* What an engine owns and frees with itself. */
typedef enum wx_owned_kind { OWN_INSTANCE, OWN_FUNC, OWN_MEMORY, OWN_TABLE, OWN_GLOBAL } wx_owned_kind;

typedef struct wx_owned {
    wx_owned_kind kind;
    void *ptr;
} wx_owned;

struct weft_engine {
    weft_config config;
    wx_thread thread;
    /* The outermost call last made through weft_call, for weft_resume: the
     * function and the slots its results land in. */
    wx_func *call_func;
    wx_slot *call_slots;
    size_t stack_bytes, calls_bytes;  /* The sizes of the two mappings. */
    wx_owned *owned;
    size_t nowned, owned_cap;
    /* The engine's totals: every memory and table made through it. */
    wx_budget budget;
    uint32_t ninstances;
};

/* Records that the engine owns `ptr`; false when out of memory (the
 * caller then frees it itself). */
bool wx_engine_own(weft_engine *e, wx_owned_kind kind, void *ptr);

/* Makes a zeroed memory (maximum UINT64_MAX: none), 64-bit when `is64`, or
 * a table of null references; NULL with *status set on failure. */
wx_memory *wx_memory_create(uint64_t min, uint64_t max, bool is64, bool guarded,
                            weft_status *status);
wx_table *wx_table_create(wm_valtype type, uint64_t min, uint64_t max, weft_status *status);

/* Applies the engine's max_memory_pages or max_table_elems to a memory or
 * table made through it: growth stops at the limit. A minimum above it is
 * WEFT_ERR_LIMIT, with `err` saying so. */
weft_status wx_memory_limit(const weft_engine *e, wx_memory *m, weft_error *err);
weft_status wx_table_limit(const weft_engine *e, wx_table *t, weft_error *err);
/* Charges a new memory's or table's initial size to `b` (instantiation
 * and the host's weft_memory_new / weft_table_new) and records `b` for its
 * growth; WEFT_ERR_LIMIT with `err` (may be NULL) naming the total that
 * would be exceeded. `what` names the external in that message. */
weft_status wx_memory_charge(wx_memory *m, wx_budget *b, const char *what, weft_error *err);
weft_status wx_table_charge(wx_table *t, wx_budget *b, const char *what, weft_error *err);
void wx_memory_destroy(wx_memory *m);
void wx_table_destroy(wx_table *t);
void wx_instance_free(wx_instance *inst);

/* The number of slots values of these types take (a v128 takes two). */
uint32_t wx_type_slots(const wm_valtype *types, uint32_t n);

/* Conversions between the API's values and the runtime's (api.c): the
 * kind of a value type, and `v` written into slots at `s`, returning how
 * many it took. */
weft_valkind wx_valkind_of(wm_valtype type);
uint32_t wx_value_to_slots(const weft_value *v, wx_slot *s);

/* Writes to `out` the external that export `e` of `inst` names (api.c),
 * for the lookups by name and by position alike. */
void wx_export_extern(const wx_instance *inst, const wm_export *e, weft_extern *out);

#endif
