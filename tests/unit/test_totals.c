/* test_totals.c: the limits of issue 25: totals of linear memory, table
 * elements, memories, tables and instances per instance and per engine; the
 * cap on a module's size; and fuel and interrupts on bulk instructions. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helpers.h"
#include "weft.h"

#define PAGE 65536u

/* Instantiating `text` on an engine of `c` fails with WEFT_ERR_LIMIT and a
 * message containing `message`. */
static void check_refused(const char *text, const weft_config *c, const char *message)
{
    weft_module *m = wat_flags("--enable-multi-memory", text);
    weft_engine *e = engine_of(c);
    weft_instance *inst = NULL;
    weft_error err;
    cr_assert_eq(weft_instantiate(e, m, NULL, NULL, &inst, &err), WEFT_ERR_LIMIT, "%s",
                 err.message);
    cr_assert_null(inst);
    cr_assert(strstr(err.message, message), "%s", err.message);
    weft_engine_free(e);
    weft_module_free(m);
}

static int32_t call_i32(weft_engine *e, weft_func *f, int32_t a, int32_t b)
{
    weft_value args[2] = { i32(a), i32(b) }, r = { 0 };
    weft_error err;
    cr_assert_eq(weft_call(e, f, args, weft_func_param_count(f), &r, 1, &err), WEFT_OK, "%s",
                 err.message);
    return r.of.i32;
}

/* ---- Totals per instance ------------------------------------------------------ */

/* Eight memories of a page each pass a limit of one page per memory... */
static const char eight_memories[] =
    "(module (memory 1) (memory 1) (memory 1) (memory 1)"
    "        (memory 1) (memory 1) (memory 1) (memory 1))";

Test(totals, memories_together_over_the_instance_total_fail_to_instantiate)
{
    weft_config c = default_config();
    c.max_memory_pages = 1;
    c.max_instance_memory_bytes = 4 * PAGE; /* ...but not four pages in all. */
    check_refused(eight_memories, &c, "max_instance_memory_bytes");
    c.max_instance_memory_bytes = 8 * PAGE;
    weft_module *m = wat_flags("--enable-multi-memory", eight_memories);
    weft_engine *e = engine_of(&c);
    instantiate(e, m);
    weft_engine_free(e);
    weft_module_free(m);
}

static const char two_memories_grow[] =
    "(module (memory 1) (memory $b 1)"
    "  (func (export \"grow0\") (param i32) (result i32) (memory.grow 0 (local.get 0)))"
    "  (func (export \"grow1\") (param i32) (result i32) (memory.grow $b (local.get 0))))";

Test(totals, memory_grow_stops_at_the_instance_total)
{
    weft_config c = default_config();
    c.max_instance_memory_bytes = 3 * PAGE;
    weft_module *m = wat_flags("--enable-multi-memory", two_memories_grow);
    weft_engine *e = engine_of(&c);
    weft_instance *inst = instantiate(e, m);
    cr_assert_eq(call_i32(e, func_of(inst, "grow1"), 2, 0), -1); /* 1 + 1 + 2 > 3 */
    cr_assert_eq(call_i32(e, func_of(inst, "grow0"), 1, 0), 1);  /* 2 + 1 = 3 */
    cr_assert_eq(call_i32(e, func_of(inst, "grow1"), 1, 0), -1); /* the total is reached */
    cr_assert_eq(call_i32(e, func_of(inst, "grow1"), 0, 0), 1);  /* growing by 0 still works */
    weft_engine_free(e);
    weft_module_free(m);
}

static const char two_tables_grow[] =
    "(module (table 10 funcref) (table $b 10 funcref)"
    "  (func (export \"grow1\") (param i32) (result i32)"
    "    (table.grow $b (ref.null func) (local.get 0))))";

Test(totals, tables_together_over_the_instance_total)
{
    weft_config c = default_config();
    c.max_instance_table_elems = 15;
    check_refused(two_tables_grow, &c, "max_instance_table_elems");
    c.max_instance_table_elems = 25;
    weft_module *m = wat(two_tables_grow);
    weft_engine *e = engine_of(&c);
    weft_instance *inst = instantiate(e, m);
    cr_assert_eq(call_i32(e, func_of(inst, "grow1"), 6, 0), -1);
    cr_assert_eq(call_i32(e, func_of(inst, "grow1"), 5, 0), 10);
    cr_assert_eq(call_i32(e, func_of(inst, "grow1"), 1, 0), -1);
    weft_engine_free(e);
    weft_module_free(m);
}

Test(totals, number_of_memories_and_tables_per_instance)
{
    weft_config c = default_config();
    c.max_instance_memories = 7;
    check_refused(eight_memories, &c, "8 memories");
    c = default_config();
    c.max_instance_tables = 1;
    check_refused(two_tables_grow, &c, "max_instance_tables");
}

/* Forty tables of 10000000 elements each pass the per-table limit; the
 * default total stops them, before any is allocated past it. */
Test(totals, default_total_stops_forty_large_tables)
{
    char text[2048] = "(module";
    for (int i = 0; i < 40; i++)
        strcat(text, " (table 10000000 funcref)");
    strcat(text, ")");
    weft_config c = default_config();
    check_refused(text, &c, "max_instance_table_elems");
}

/* ---- Totals per engine -------------------------------------------------------- */

Test(totals, engine_total_spans_instances_and_host_memories)
{
    weft_config c = default_config();
    c.max_engine_memory_bytes = 5 * PAGE;
    weft_module *m = wat("(module (memory 2))");
    weft_engine *e = engine_of(&c);
    instantiate(e, m);
    instantiate(e, m);
    weft_instance *inst = NULL;
    weft_error err;
    cr_assert_eq(weft_instantiate(e, m, NULL, NULL, &inst, &err), WEFT_ERR_LIMIT);
    cr_assert(strstr(err.message, "max_engine_memory_bytes"), "%s", err.message);
    weft_memory *mem;
    cr_assert_eq(weft_memory_new(e, 2, UINT64_MAX, &mem), WEFT_ERR_LIMIT);
    cr_assert_eq(weft_memory_new(e, 1, UINT64_MAX, &mem), WEFT_OK);
    cr_assert_eq(weft_memory_grow(mem, 1, NULL, &err), WEFT_ERR_LIMIT);
    cr_assert(strstr(err.message, "engine"), "%s", err.message);
    weft_engine_free(e);
    weft_module_free(m);
}

Test(totals, failed_instantiation_gives_its_memory_back)
{
    weft_config c = default_config();
    c.max_engine_memory_bytes = 2 * PAGE;
    /* The second memory goes past the total after the first was made: the
     * failed instance must give the first one's pages back. */
    weft_module *big = wat_flags("--enable-multi-memory", "(module (memory 2) (memory 1))");
    weft_module *ok = wat("(module (memory 2))");
    weft_engine *e = engine_of(&c);
    weft_instance *inst = NULL;
    weft_error err;
    cr_assert_eq(weft_instantiate(e, big, NULL, NULL, &inst, &err), WEFT_ERR_LIMIT);
    instantiate(e, ok);
    weft_engine_free(e);
    weft_module_free(big);
    weft_module_free(ok);
}

Test(totals, number_of_instances_per_engine)
{
    weft_config c = default_config();
    c.max_instances = 2;
    weft_module *m = wat("(module)");
    weft_engine *e = engine_of(&c);
    instantiate(e, m);
    instantiate(e, m);
    weft_instance *inst = NULL;
    weft_error err;
    cr_assert_eq(weft_instantiate(e, m, NULL, NULL, &inst, &err), WEFT_ERR_LIMIT);
    cr_assert(strstr(err.message, "max_instances"), "%s", err.message);
    weft_engine_free(e);
    weft_module_free(m);
}

/* ---- The size of a module ------------------------------------------------------ */

static const uint8_t empty_module[] = { 0, 'a', 's', 'm', 1, 0, 0, 0 };

Test(totals, module_bytes_over_the_cap_are_refused)
{
    weft_features f;
    weft_features_init(&f);
    cr_assert_eq(f.max_module_bytes, WEFT_MAX_MODULE_BYTES);
    f.max_module_bytes = 7;
    weft_module *m = NULL;
    weft_error err;
    cr_assert_eq(weft_module_load_with(empty_module, 8, &f, &m, &err), WEFT_ERR_LIMIT);
    cr_assert(strstr(err.message, "max_module_bytes"), "%s", err.message);
    f.max_module_bytes = 8;
    cr_assert_eq(weft_module_load_with(empty_module, 8, &f, &m, &err), WEFT_OK, "%s",
                 err.message);
    weft_module_free(m);
}

/* /dev/zero is no module: it fails on its first 8 bytes, not after reading
 * up to the cap. An endless stream that starts as a module stops at the
 * cap, at once. */
Test(totals, endless_input_stops_at_the_cap)
{
    weft_module *m = NULL;
    weft_error err;
    cr_assert_eq(weft_module_load_file_with("/dev/zero", NULL, &m, &err), WEFT_ERR_MALFORMED);
    cr_assert(strstr(err.message, "magic header not detected"), "%s", err.message);
    FILE *endless = popen("printf '\\0asm\\1\\0\\0\\0'; exec cat /dev/zero", "r");
    cr_assert_not_null(endless);
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fileno(endless));
    weft_features f;
    weft_features_init(&f);
    f.max_module_bytes = 1 << 20;
    cr_assert_eq(weft_module_load_file_with(path, &f, &m, &err), WEFT_ERR_LIMIT, "%s",
                 err.message);
    cr_assert(strstr(err.message, "max_module_bytes"), "%s", err.message);
    pclose(endless);
}

Test(totals, regular_file_over_the_cap_is_refused_before_reading)
{
    char path[] = "/tmp/weft-totals-XXXXXX";
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    cr_assert_eq(write(fd, empty_module, 8), 8);
    cr_assert_eq(ftruncate(fd, 4096), 0); /* Past the cap below; never read. */
    close(fd);
    weft_features f;
    weft_features_init(&f);
    f.max_module_bytes = 100;
    weft_module *m = NULL;
    weft_error err;
    weft_status s = weft_module_load_file_with(path, &f, &m, &err);
    unlink(path);
    cr_assert_eq(s, WEFT_ERR_LIMIT, "%s", err.message);
}

/* ---- Bulk instructions under fuel and interrupts -------------------------------- */

/* 64 MiB of memory and a fill, a copy, a table.fill and a table.grow of a
 * given length. */
static const char bulk_module[] =
    "(module (memory (export \"mem\") 1024) (table (export \"tab\") 100000 funcref)"
    "  (func (export \"grow\") (param i32) (result i32)"
    "    (table.grow 0 (ref.null func) (local.get 0)))"
    "  (func (export \"fill\") (param i32) (result i32)"
    "    (memory.fill (i32.const 0) (i32.const 7) (local.get 0)) (i32.const 1))"
    "  (func (export \"copy\") (param i32) (result i32)"
    "    (memory.copy (i32.const 1) (i32.const 0) (local.get 0)) (i32.const 1))"
    "  (func (export \"tfill\") (param i32) (result i32)"
    "    (table.fill 0 (i32.const 0) (ref.null func) (local.get 0)) (i32.const 1)))";

static uint8_t byte_at(weft_instance *inst, uint64_t at)
{
    uint8_t b;
    weft_memory *mem = export_of(inst, "mem", WEFT_EXTERN_MEMORY).of.memory;
    cr_assert_eq(weft_memory_read(mem, at, &b, 1, NULL), WEFT_OK);
    return b;
}

Test(totals, memory_fill_is_charged_by_length)
{
    weft_module *m = wat(bulk_module);
    FOR_EACH_MODE(md) {
        weft_config c = mode_config(md);
        c.fuel = 1000;
        weft_engine *e = engine_of(&c);
        weft_instance *inst = instantiate(e, m);
        weft_value a = i32(64 << 20), r = { 0 };
        weft_error err;
        /* 64 MiB is a million units: 1000 do not pay for it, and nothing
         * is written. */
        cr_assert_eq(weft_call(e, func_of(inst, "fill"), &a, 1, &r, 1, &err), WEFT_ERR_FUEL,
                     "%s: %s", mode_name(md), err.message);
        cr_assert_eq(byte_at(inst, 0), 0);
        uint64_t left;
        weft_engine_fuel(e, &left);
        cr_assert_gt(left, 990, "%s: %llu", mode_name(md), (unsigned long long)left);
        /* With enough, resuming runs it. */
        cr_assert_eq(weft_engine_add_fuel(e, 1 << 20), WEFT_OK);
        cr_assert_eq(weft_resume(e, &r, 1, &err), WEFT_OK, "%s", err.message);
        cr_assert_eq(r.of.i32, 1);
        cr_assert_eq(byte_at(inst, (64 << 20) - 1), 7);
        weft_engine_fuel(e, &left);
        cr_assert_lt(left, 1000); /* the million units went */
        /* A short fill costs little. */
        a = i32(64);
        cr_assert_eq(weft_call(e, func_of(inst, "fill"), &a, 1, &r, 1, &err), WEFT_OK);
        weft_engine_free(e);
    }
    weft_module_free(m);
}

Test(totals, table_fill_and_memory_copy_are_charged_by_length)
{
    weft_module *m = wat(bulk_module);
    weft_config c = default_config();
    c.fuel = 1000;
    weft_engine *e = engine_of(&c);
    weft_instance *inst = instantiate(e, m);
    weft_value a = i32(100000), r = { 0 };
    weft_error err;
    cr_assert_eq(weft_call(e, func_of(inst, "tfill"), &a, 1, &r, 1, &err), WEFT_ERR_FUEL);
    a = i32(1 << 20);
    cr_assert_eq(weft_call(e, func_of(inst, "copy"), &a, 1, &r, 1, &err), WEFT_ERR_FUEL);
    weft_engine_free(e);
    weft_module_free(m);
}

Test(totals, table_grow_is_charged_by_length)
{
    weft_module *m = wat(bulk_module);
    FOR_EACH_MODE(md) {
        const char *mode = mode_name(md);
        weft_config c = mode_config(md);
        c.fuel = 1000;
        weft_engine *e = engine_of(&c);
        weft_instance *inst = instantiate(e, m);
        weft_table *tab = export_of(inst, "tab", WEFT_EXTERN_TABLE).of.table;
        weft_value a = i32(1000000), r = { 0 };
        weft_error err;
        /* A million new elements are 8 MB to initialise, 125,000 units:
         * 1000 do not pay for them, and the table stays as it was. */
        cr_assert_eq(weft_call(e, func_of(inst, "grow"), &a, 1, &r, 1, &err), WEFT_ERR_FUEL,
                     "%s: %s", mode, err.message);
        cr_assert_eq(weft_table_size(tab), 100000, "%s", mode);
        /* With enough, resuming grows it. */
        cr_assert_eq(weft_engine_add_fuel(e, 1 << 20), WEFT_OK);
        cr_assert_eq(weft_resume(e, &r, 1, &err), WEFT_OK, "%s: %s", mode, err.message);
        cr_assert_eq(r.of.i32, 100000, "%s", mode);
        cr_assert_eq(weft_table_size(tab), 1100000, "%s", mode);
        uint64_t left;
        weft_engine_fuel(e, &left);
        cr_assert_lt(left, (1 << 20) + 1000 - 125000 + 10, "%s: %llu", mode,
                     (unsigned long long)left);
        /* A grow past every limit fails with -1 and is not a stop for fuel. */
        a = i32(-1);
        cr_assert_eq(weft_call(e, func_of(inst, "grow"), &a, 1, &r, 1, &err), WEFT_OK, "%s: %s",
                     mode, err.message);
        cr_assert_eq(r.of.i32, -1, "%s", mode);
        weft_engine_free(e);
    }
    weft_module_free(m);
}

/* A host function that asks for an interrupt: the bulk instruction right
 * after it, with no check between, is where the call stops. */
static weft_status poke(void *user, const weft_value *args, weft_value *results,
                        weft_error *err)
{
    (void)args, (void)results, (void)err;
    weft_engine_interrupt(user);
    return WEFT_OK;
}

Test(totals, interrupt_stops_a_bulk_instruction_and_resume_finishes_it)
{
    weft_module *m = wat(
        "(module (import \"env\" \"poke\" (func $poke)) (memory (export \"mem\") 1024)"
        "  (func (export \"fill\") (param i32) (result i32)"
        "    (call $poke) (memory.fill (i32.const 0) (i32.const 9) (local.get 0)) (i32.const 1))"
        "  (func (export \"copy\") (param i32) (result i32)"
        "    (i32.store8 (i32.const 0) (i32.const 5))"
        "    (call $poke) (memory.copy (i32.const 1) (i32.const 0) (local.get 0)) (i32.const 1)))");
    FOR_EACH_MODE(md) {
        weft_config c = mode_config(md);
        c.interruptible = true;
        weft_engine *e = engine_of(&c);
        weft_extern host = { .kind = WEFT_EXTERN_FUNC };
        cr_assert_eq(weft_func_new(e, NULL, 0, NULL, 0, poke, e, &host.of.func), WEFT_OK);
        weft_instance *inst = NULL;
        weft_error err;
        cr_assert_eq(weft_instantiate(e, m, resolve_to, &host, &inst, &err), WEFT_OK, "%s",
                     err.message);
        weft_value a = i32(32 << 20), r = { 0 };
        cr_assert_eq(weft_call(e, func_of(inst, "fill"), &a, 1, &r, 1, &err),
                     WEFT_ERR_INTERRUPTED, "%s: %s", mode_name(md), err.message);
        cr_assert_eq(byte_at(inst, (32 << 20) - 1), 0);
        cr_assert_eq(weft_resume(e, &r, 1, &err), WEFT_OK, "%s", err.message);
        cr_assert_eq(byte_at(inst, (32 << 20) - 1), 9);
        /* An overlapping copy, stopped and resumed, moves each byte once. */
        a = i32(3 << 20);
        cr_assert_eq(weft_call(e, func_of(inst, "copy"), &a, 1, &r, 1, &err),
                     WEFT_ERR_INTERRUPTED);
        cr_assert_eq(weft_resume(e, &r, 1, &err), WEFT_OK, "%s", err.message);
        cr_assert_eq(byte_at(inst, 0), 5);
        cr_assert_eq(byte_at(inst, 1), 5);
        cr_assert_eq(byte_at(inst, 2), 9);
        cr_assert_eq(byte_at(inst, 3 << 20), 9);
        weft_engine_free(e);
    }
    weft_module_free(m);
}

/* Overlapping copies both ways over 5 MB, twenty times, then a hash of
 * memory: stopped by interrupts every 100 microseconds, most of them in the
 * middle of a copy, and resumed each time, it must hash as when run whole. */
static const char overlap_module[] =
    "(module (memory 128)"
    "  (func $hash (result i32) (local i32 i32)"
    "    (loop $l"
    "      (local.set 1 (i32.add (i32.mul (local.get 1) (i32.const 31)) (i32.load (local.get 0))))"
    "      (br_if $l (i32.lt_u (local.tee 0 (i32.add (local.get 0) (i32.const 4)))"
    "                          (i32.const 8388608))))"
    "    (local.get 1))"
    "  (func (export \"run\") (result i32) (local i32)"
    "    (loop $f"
    "      (i32.store (local.get 0) (i32.mul (local.get 0) (i32.const 2654435761)))"
    "      (br_if $f (i32.lt_u (local.tee 0 (i32.add (local.get 0) (i32.const 4)))"
    "                          (i32.const 8388608))))"
    "    (local.set 0 (i32.const 0))"
    "    (loop $c"
    "      (memory.copy (i32.const 1000) (i32.const 3) (i32.const 5000000))"
    "      (memory.copy (i32.const 7) (i32.const 2000) (i32.const 5000000))"
    "      (br_if $c (i32.lt_u (local.tee 0 (i32.add (local.get 0) (i32.const 1)))"
    "                          (i32.const 20))))"
    "    (call $hash)))";

static atomic_bool poking;

static void *interrupter(void *e)
{
    while (atomic_load(&poking)) {
        struct timespec ts = { 0, 100000 };
        nanosleep(&ts, NULL);
        weft_engine_interrupt(e);
    }
    return NULL;
}

Test(totals, copies_stopped_by_interrupts_midway_end_as_when_run_whole)
{
    weft_module *m = wat(overlap_module);
    weft_engine *plain = engine_of(NULL);
    weft_value r = { 0 }, want = { 0 };
    weft_error err;
    cr_assert_eq(weft_call(plain, func_of(instantiate(plain, m), "run"), NULL, 0, &want, 1, &err),
                 WEFT_OK);
    weft_config c = default_config();
    c.interruptible = true;
    c.bounds = WEFT_BOUNDS_EXPLICIT;
    weft_engine *e = engine_of(&c);
    weft_func *run = func_of(instantiate(e, m), "run");
    atomic_store(&poking, true);
    pthread_t tid;
    cr_assert_eq(pthread_create(&tid, NULL, interrupter, e), 0);
    int stops = 0;
    weft_status s = weft_call(e, run, NULL, 0, &r, 1, &err);
    while (s == WEFT_ERR_INTERRUPTED) {
        stops++;
        s = weft_resume(e, &r, 1, &err);
    }
    atomic_store(&poking, false);
    pthread_join(tid, NULL);
    cr_assert_eq(s, WEFT_OK, "%s", err.message);
    cr_assert_eq(r.of.i32, want.of.i32, "after %d stops", stops);
    weft_engine_free(e);
    weft_engine_free(plain);
    weft_module_free(m);
}
