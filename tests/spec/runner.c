/* runner.c: the spec-suite runner: runs every command of the .wast scripts against libweft. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "convert.h"
#include "json.h"
#include "spectest.h"
#include "values.h"
#include "weft.h"

/* Failure details printed per file unless -v asks for all of them. */
#define FAILURE_LIMIT 20

/* Every command kind a script may hold, with the function that checks it. */
#define COMMAND_KINDS(X)                                                \
    X(MODULE, "module", run_module)                                     \
    X(ASSERT_RETURN, "assert_return", run_assert_return)                \
    X(ASSERT_TRAP, "assert_trap", run_assert_trap)                      \
    X(ASSERT_EXHAUSTION, "assert_exhaustion", run_assert_exhaustion)    \
    X(ASSERT_INVALID, "assert_invalid", run_assert_invalid)             \
    X(ASSERT_MALFORMED, "assert_malformed", run_assert_malformed)       \
    X(ASSERT_UNLINKABLE, "assert_unlinkable", run_assert_unlinkable)    \
    X(ASSERT_UNINSTANTIABLE, "assert_uninstantiable", run_assert_uninstantiable) \
    X(ASSERT_EXCEPTION, "assert_exception", run_assert_exception)       \
    X(MODULE_DEFINITION, "module_definition", run_module_definition)    \
    X(MODULE_INSTANCE, "module_instance", run_module_instance)          \
    X(REGISTER, "register", run_register)                               \
    X(ACTION, "action", run_action)

typedef enum command_kind {
#define X(id, name, fn) KIND_##id,
    COMMAND_KINDS(X)
#undef X
    KIND_UNKNOWN,   /* A command type this runner does not know: always a failure. */
    KIND_FILE,      /* A whole script that could not be converted or read. */
    KIND_COUNT,
} command_kind;

static const char *const kind_names[KIND_COUNT] = {
#define X(id, name, fn) name,
    COMMAND_KINDS(X)
#undef X
    "unknown command",
    "(script file)",
};

typedef enum outcome {
    OUT_PASS,
    OUT_FAIL,
    OUT_SKIP,
    OUT_UNCOUNTED,  /* Text-format assert_malformed: weft reads no text format. */
} outcome;

/* Pass/fail/skip counts per command kind. */
typedef struct tally {
    long counts[KIND_COUNT][3];
} tally;

typedef struct options {
    const char *suite;
    const char *work;
    const char *filter;
    bool list_text_malformed;
    bool verbose;
    bool isolate;            /* Run each script in a child process (default). */
    unsigned timeout;        /* Seconds a script may run in its child; 0 for no limit. */
    weft_dispatch dispatch;
    weft_bounds bounds;
    uint64_t fuel;           /* The engine's fuel budget (0: none), so metered code is tested. */
    bool wasm3;              /* The 3.0 suite: every proposal on. */
    const char *expect_fail; /* A file listing scripts expected to fail for now. */
    bool interruptible;      /* Metered code through interruption checks. */
    const char **parts;
    int part_count;
} options;

/* A module a script defined, and its instance once instantiated. */
typedef struct loaded_module {
    weft_module *module;     /* NULL when loading failed. */
    weft_instance *instance; /* NULL when loading or instantiation failed. */
    bool unsupported;        /* Instantiation needs instructions weft cannot run yet. */
    bool shared;             /* An instance of another entry's module: not freed here. */
    int line;
} loaded_module;

/* A name bound to a loaded module: "$name" from a module command, or the
 * name given by a register command. Points into the file's module list. */
typedef struct binding {
    char *name;
    size_t module_index;
} binding;

/* Everything one script's commands share. */
typedef struct script_state {
    const char *name;        /* "f32.wast" */
    const char *json_dir;    /* Where the .json and its module files are. */
    const options *opts;
    bool simd;               /* A simd_* script: unsupported instructions are skipped. */
    weft_features features;  /* The proposals its modules may use (part_features). */
    weft_engine *engine;     /* Made on first use; freed after the script. */
    bool engine_failed;      /* Creating the engine failed once: do not retry. */
    spectest spectest;       /* Made with the engine. */
    loaded_module *modules;  /* Every module command, in order; owned. */
    size_t module_count, module_cap;
    bool have_current;       /* False until the first module command. */
    size_t current;          /* Index of the most recent module. */
    bool have_definition;    /* A module_definition was seen... */
    size_t last_definition;  /* ...and this is the latest one's index. */
    binding *names;          /* $name bindings of module commands. */
    size_t name_count, name_cap;
    binding *registered;     /* register "as" bindings. */
    size_t registered_count, registered_cap;
    tally counts;
    long text_malformed;
    long invalid_as_malformed;   /* assert_invalid rejected with a decode error. */
    long malformed_as_invalid;   /* binary assert_malformed rejected by validation. */
    long unsupported;            /* Commands skipped for unsupported instructions. */
    FILE *details;           /* Buffered failure lines, printed after the file line. */
    char *details_buf;
    size_t details_len;
    long failures_shown;
} script_state;

/* What a command handler reports besides its outcome. */
typedef struct command_ctx {
    script_state *st;
    const json_value *cmd;
    command_kind kind;
    long line;
    char message[512];       /* Why it failed (or, in -v, what happened). */
} command_ctx;

typedef outcome (*command_fn)(command_ctx *cx);

/* Where a script's run has got to, in memory shared with the parent when
 * each script runs in a child process, so that a crash or a time-out can
 * be placed at a command. */
typedef struct progress {
    long line;
    command_kind kind;
    tally counts;            /* The script's counts before this command. */
} progress;

static progress *shared_progress;

/* In a script's child process, a file that receives each detail line as
 * it is made; -1 elsewhere. */
static int crash_log_fd = -1;

/* ---- small helpers ---------------------------------------------------- */

static void set_message(command_ctx *cx, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cx->message, sizeof cx->message, fmt, ap);
    va_end(ap);
}

static bool grow(void **items, size_t *cap, size_t count, size_t size)
{
    if (count < *cap)
        return true;
    size_t n = *cap ? *cap * 2 : 8;
    void *p = realloc(*items, n * size);
    if (!p)
        return false;
    *items = p;
    *cap = n;
    return true;
}

static bool join_path(char *out, size_t size, const char *a, const char *b)
{
    int n = snprintf(out, size, "%s/%s", a, b);
    return n > 0 && (size_t)n < size;
}

static char *read_whole_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        n += fread(buf + n, 1, cap - n, f);
        if (n < cap)
            break;
        char *bigger = realloc(buf, cap * 2);
        if (!bigger) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = bigger;
        cap *= 2;
    }
    if (buf && ferror(f)) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    *len = n;
    return buf;
}

/* ---- per-file state --------------------------------------------------- */

static const binding *find_binding(const binding *list, size_t count, const char *name,
                                   size_t len)
{
    for (size_t i = count; i-- > 0;)
        if (strlen(list[i].name) == len && memcmp(list[i].name, name, len) == 0)
            return &list[i];
    return NULL;
}

static bool add_binding(binding **list, size_t *count, size_t *cap, const char *name,
                        size_t module_index)
{
    char *copy = strdup(name);
    if (!copy || !grow((void **)list, cap, *count, sizeof **list)) {
        free(copy);
        return false;
    }
    (*list)[(*count)++] = (binding){copy, module_index};
    return true;
}

/* Finds the module an action or register names: NULL means the current one.
 * Returns NULL with a message when there is none. */
static loaded_module *resolve_module(command_ctx *cx, const char *name)
{
    script_state *st = cx->st;
    if (!name) {
        if (st->have_current)
            return &st->modules[st->current];
        set_message(cx, "no module defined yet");
        return NULL;
    }
    const binding *b = find_binding(st->names, st->name_count, name, strlen(name));
    if (b)
        return &st->modules[b->module_index];
    set_message(cx, "no module named %s", name);
    return NULL;
}

/* Frees the engine first: instances belong to it, and the modules must
 * outlive their instances. */
static void script_state_free(script_state *st)
{
    weft_engine_free(st->engine);
    for (size_t i = 0; i < st->module_count; i++)
        if (!st->modules[i].shared)
            weft_module_free(st->modules[i].module);
    for (size_t i = 0; i < st->name_count; i++)
        free(st->names[i].name);
    for (size_t i = 0; i < st->registered_count; i++)
        free(st->registered[i].name);
    free(st->modules);
    free(st->names);
    free(st->registered);
}

/* ---- the engine and import resolution --------------------------------- */

/* The script's engine, made with the chosen strategy on first use. */
static weft_engine *script_engine(command_ctx *cx)
{
    script_state *st = cx->st;
    if (st->engine)
        return st->engine;
    if (st->engine_failed) {
        set_message(cx, "no engine (creating it failed earlier)");
        return NULL;
    }
    weft_config config;
    weft_config_init(&config);
    config.dispatch = st->opts->dispatch;
    config.bounds = st->opts->bounds;
    config.fuel = st->opts->fuel;
    config.interruptible = st->opts->interruptible;
    weft_error err;
    memset(&err, 0, sizeof err);
    if (weft_engine_new(&config, &st->engine, &err) != WEFT_OK) {
        st->engine = NULL;
        st->engine_failed = true;
        set_message(cx, "cannot create an engine: %s", err.message);
        return NULL;
    }
    if (!spectest_make(st->engine, &st->spectest)) {
        st->engine_failed = true;
        weft_engine_free(st->engine);
        st->engine = NULL;
        set_message(cx, "cannot create the spectest module");
        return NULL;
    }
    return st->engine;
}

static bool names_equal(const char *a, size_t a_len, const char *b)
{
    return strlen(b) == a_len && memcmp(a, b, a_len) == 0;
}

/* Resolves MODULE.FIELD: a registered name first (a script may register
 * over any name), then spectest. */
static bool resolve_import(void *user, const char *module, size_t module_len, const char *field,
                           size_t field_len, weft_extern *out)
{
    script_state *st = user;
    const binding *b = find_binding(st->registered, st->registered_count, module, module_len);
    if (b) {
        const weft_instance *inst = st->modules[b->module_index].instance;
        return inst && weft_instance_export(inst, field, field_len, out);
    }
    if (!names_equal(module, module_len, "spectest"))
        return false;
    return spectest_lookup(&st->spectest, field, field_len, out);
}

/* The path of a module file named by a command, beside the script's JSON. */
static bool module_path(command_ctx *cx, char *out, size_t size)
{
    const char *file = json_get_string(cx->cmd, "filename");
    if (!file || !*file) {
        set_message(cx, "command has no module filename");
        return false;
    }
    if (!join_path(out, size, cx->st->json_dir, file)) {
        set_message(cx, "module path too long");
        return false;
    }
    return true;
}

/* Loads the command's module file. A file that cannot be read is the test
 * setup's fault, never a rejection by weft, so it is reported apart:
 * returns false with a message, and *status/err hold weft's verdict. */
static bool load_command_module(command_ctx *cx, weft_module **out, weft_error *err)
{
    char path[PATH_MAX];
    *out = NULL;
    memset(err, 0, sizeof *err);
    if (!module_path(cx, path, sizeof path))
        return false;
    if (access(path, R_OK) != 0) {
        set_message(cx, "cannot read module file %s: %s", path, strerror(errno));
        return false;
    }
    err->status = weft_module_load_file_with(path, &cx->st->features, out, err);
    if (err->status == WEFT_ERR_IO) {
        set_message(cx, "weft could not read %s: %s", path, err->message);
        weft_module_free(*out);
        *out = NULL;
        return false;
    }
    if (err->status != WEFT_OK) {
        weft_module_free(*out);
        *out = NULL;
    }
    return true;
}

static const char *format_error(const weft_error *err, char *buf, size_t size)
{
    weft_error_format(err, buf, size);
    return buf;
}

/* Loads the command's module, which must decode and validate, and
 * instantiates it. Returns false with a message when it could not get as
 * far as instantiation; otherwise *status is instantiation's verdict. */
static bool load_and_instantiate(command_ctx *cx, weft_module **module, weft_instance **inst,
                                 weft_error *err)
{
    *inst = NULL;
    if (!load_command_module(cx, module, err))
        return false;
    if (err->status != WEFT_OK) {
        char buf[400];
        set_message(cx, "module does not load: %s: %s", weft_status_name(err->status),
                    format_error(err, buf, sizeof buf));
        return false;
    }
    weft_engine *engine = script_engine(cx);
    if (!engine)
        return false;
    memset(err, 0, sizeof *err);
    err->status = weft_instantiate(engine, *module, resolve_import, cx->st, inst, err);
    if (err->status != WEFT_OK)
        *inst = NULL;
    return true;
}

/* ---- command handlers ------------------------------------------------- */

/* Adds a module to the script's list, which owns it until the script ends.
 * Returns its index, or -1 when out of memory (the module is freed). */
static long keep_module(command_ctx *cx, weft_module *module, weft_instance *inst)
{
    script_state *st = cx->st;
    if (!grow((void **)&st->modules, &st->module_cap, st->module_count, sizeof *st->modules)) {
        set_message(cx, "out of memory");
        weft_module_free(module);
        return -1;
    }
    st->modules[st->module_count] = (loaded_module){module, inst, false, false, (int)cx->line};
    return (long)st->module_count++;
}

static bool is_unsupported(const weft_error *err)
{
    return err->status == WEFT_ERR_TRAP && strncmp(err->message, "unsupported:", 12) == 0;
}

/* Decides what an "unsupported:" trap means: in simd_* scripts the command
 * is skipped and counted; anywhere else it is a failure. */
static outcome unsupported_outcome(command_ctx *cx, const char *what)
{
    if (cx->st->simd) {
        cx->st->unsupported++;
        set_message(cx, "skipped: %s", what);
        return OUT_SKIP;
    }
    set_message(cx, "%s (outside a simd_* script)", what);
    return OUT_FAIL;
}

/* module: decoding, validation and instantiation must succeed. */
static outcome run_module(command_ctx *cx)
{
    script_state *st = cx->st;
    weft_module *module = NULL;
    weft_instance *inst = NULL;
    weft_error err;
    bool loaded = load_and_instantiate(cx, &module, &inst, &err);
    /* The module becomes current even when it fails, so that later
     * commands refer to it (and fail) rather than to an older module. */
    long index = keep_module(cx, module, inst);
    if (index < 0)
        return OUT_FAIL;
    st->current = (size_t)index;
    st->have_current = true;
    const char *name = json_get_string(cx->cmd, "name");
    if (name && !add_binding(&st->names, &st->name_count, &st->name_cap, name, (size_t)index)) {
        set_message(cx, "out of memory");
        return OUT_FAIL;
    }
    if (!loaded)
        return OUT_FAIL;
    if (err.status == WEFT_OK)
        return OUT_PASS;
    if (is_unsupported(&err)) {
        st->modules[index].unsupported = true;
        return unsupported_outcome(cx, err.message);
    }
    char buf[400];
    set_message(cx, "instantiation failed: %s: %s", weft_status_name(err.status),
                format_error(&err, buf, sizeof buf));
    return OUT_FAIL;
}

/* Shared by assert_invalid and binary assert_malformed: loading must fail. */
static outcome expect_rejection(command_ctx *cx, weft_status wrong_status, long *wrong_count)
{
    const char *text = json_get_string(cx->cmd, "text");
    weft_error err;
    weft_module *module;
    if (!load_command_module(cx, &module, &err))
        return OUT_FAIL;
    if (err.status == WEFT_OK) {
        weft_module_free(module);
        set_message(cx, "module loaded, expected failure \"%s\"", text ? text : "");
        return OUT_FAIL;
    }
    if (err.status == wrong_status)
        (*wrong_count)++;
    char buf[400];
    set_message(cx, "expected \"%s\"; weft: %s: %s", text ? text : "",
                weft_status_name(err.status), format_error(&err, buf, sizeof buf));
    return OUT_PASS;
}

static outcome run_assert_invalid(command_ctx *cx)
{
    return expect_rejection(cx, WEFT_ERR_MALFORMED, &cx->st->invalid_as_malformed);
}

/* Text-format modules are counted apart: weft has no text parser, and
 * most of them test the text syntax only. */
static outcome run_assert_malformed(command_ctx *cx)
{
    const char *type = json_get_string(cx->cmd, "module_type");
    if (type && strcmp(type, "text") == 0) {
        cx->st->text_malformed++;
        const char *file = json_get_string(cx->cmd, "filename");
        const char *text = json_get_string(cx->cmd, "text");
        set_message(cx, "text-format: expected \"%s\" (%s)", text ? text : "",
                    file ? file : "?");
        return OUT_UNCOUNTED;
    }
    if (type && strcmp(type, "binary") != 0) {
        set_message(cx, "unknown module_type \"%s\"", type);
        return OUT_FAIL;
    }
    return expect_rejection(cx, WEFT_ERR_INVALID, &cx->st->malformed_as_invalid);
}

static bool parse_command_action(command_ctx *cx, spec_action *action)
{
    char err[300];
    if (!spec_action_parse(json_get(cx->cmd, "action"), action, err, sizeof err)) {
        set_message(cx, "bad action: %s", err);
        return false;
    }
    return true;
}

/* An expected result written as (either V...): its alternatives, or NULL. */
static const json_value *either_values(const json_value *item)
{
    const char *type = json_get_string(item, "type");
    if (!type || strcmp(type, "either") != 0)
        return NULL;
    const json_value *alts = json_get(item, "values");
    return alts && alts->kind == JSON_ARRAY && alts->count > 0 ? alts : NULL;
}

/* Reads "expected". A result written as (either V...) is read as its first
 * alternative here (for printing); check_results tries every one. */
static bool parse_command_expected(command_ctx *cx, spec_value **values, size_t *count)
{
    char err[300];
    const json_value *expected = json_get(cx->cmd, "expected");
    *values = NULL;
    *count = 0;
    if (!expected)
        return true;
    if (expected->kind != JSON_ARRAY) {
        set_message(cx, "bad expected result: not an array");
        return false;
    }
    spec_value *out = calloc(expected->count + 1, sizeof *out);
    if (!out) {
        set_message(cx, "out of memory");
        return false;
    }
    for (size_t i = 0; i < expected->count; i++) {
        const json_value *item = expected->items[i];
        const json_value *alts = either_values(item);
        if (!spec_value_parse(alts ? alts->items[0] : item, true, &out[i], err, sizeof err)) {
            set_message(cx, "bad expected result %zu: %s", i, err);
            free(out);
            return false;
        }
    }
    *values = out;
    *count = expected->count;
    return true;
}

/* Whether result `i` matches the expected value, or any alternative of an
 * (either ...) result. */
static bool result_matches(command_ctx *cx, size_t i, const spec_value *expected,
                           const spec_value *actual)
{
    const json_value *all = json_get(cx->cmd, "expected");
    const json_value *alts = all && i < all->count ? either_values(all->items[i]) : NULL;
    if (!alts)
        return spec_value_matches(expected, actual);
    for (size_t k = 0; k < alts->count; k++) {
        spec_value v;
        char err[200];
        if (spec_value_parse(alts->items[k], true, &v, err, sizeof err) &&
            spec_value_matches(&v, actual))
            return true;
    }
    return false;
}

/* Formats values as "i32:1 f32:0x3f800000 (1)" for messages. */
static const char *format_values(const spec_value *values, size_t count, char *buf, size_t size)
{
    size_t n = 0;
    buf[0] = '\0';
    if (count == 0)
        snprintf(buf, size, "(nothing)");
    for (size_t i = 0; i < count && n + 1 < size; i++) {
        char one[300];
        int w = snprintf(buf + n, size - n, "%s%s", i ? " " : "",
                         spec_value_format(&values[i], one, sizeof one));
        if (w < 0)
            break;
        n += (size_t)w;
    }
    return buf;
}

/* The results of performing an action. */
typedef struct action_result {
    weft_error err;          /* WEFT_OK, or why the call failed (a trap...). */
    spec_value *values;      /* malloc'ed; `count` of them when err is WEFT_OK. */
    size_t count;
} action_result;

/* The instance an action addresses, or NULL with a message; sets *skip
 * when the module was skipped for unsupported instructions. */
static const weft_instance *action_instance(command_ctx *cx, const spec_action *a, bool *skip)
{
    *skip = false;
    const loaded_module *m = resolve_module(cx, a->module);
    if (!m)
        return NULL;
    if (m->unsupported) {
        *skip = true;
        return NULL;
    }
    if (!m->instance)
        set_message(cx, "module of line %d has no instance (it failed)", m->line);
    return m->instance;
}

static bool convert_args(command_ctx *cx, const spec_action *a, const weft_func *func,
                         weft_value *args)
{
    uint32_t nparams = weft_func_param_count(func);
    if (a->arg_count != nparams) {
        set_message(cx, "%.*s takes %u arguments, the script passes %zu", (int)a->field_len,
                    a->field, nparams, a->arg_count);
        return false;
    }
    for (size_t i = 0; i < a->arg_count; i++) {
        char err[200];
        weft_valkind want = weft_func_param_kind(func, (uint32_t)i);
        if (spec_type_kind(a->args[i].type) != want) {
            set_message(cx, "argument %zu is %s, %.*s wants %s", i,
                        spec_type_name(a->args[i].type), (int)a->field_len, a->field,
                        spec_kind_name(want));
            return false;
        }
        if (!spec_value_to_weft(&a->args[i], &args[i], err, sizeof err)) {
            set_message(cx, "argument %zu: %s", i, err);
            return false;
        }
        if (args[i].kind == WEFT_ANYREF && args[i].of.ref &&
            weft_anyref_from_host(script_engine(cx), args[i].of.ref, &args[i], NULL) != WEFT_OK) {
            set_message(cx, "argument %zu: cannot make a host anyref", i);
            return false;
        }
    }
    return true;
}

/* Calls the exported function. `expected` only lends its lane types to the
 * results for printing. */
static outcome invoke(command_ctx *cx, weft_func *func, const spec_action *a,
                      const spec_value *expected, size_t nexpected, action_result *res)
{
    size_t nparams = weft_func_param_count(func), nresults = weft_func_result_count(func);
    weft_value *args = calloc(nparams + 1, sizeof *args);
    weft_value *results = calloc(nresults + 1, sizeof *results);
    res->values = calloc(nresults + 1, sizeof *res->values);
    outcome out = OUT_FAIL;
    if (!args || !results || !res->values) {
        set_message(cx, "out of memory");
    } else if (convert_args(cx, a, func, args)) {
        res->err.status = weft_call(cx->st->engine, func, args, nparams, results, nresults,
                                    &res->err);
        if (res->err.status == WEFT_OK) {
            for (size_t i = 0; i < nresults; i++)
                spec_value_from_weft(&results[i], i < nexpected ? &expected[i] : NULL,
                                     &res->values[i]);
            res->count = nresults;
        }
        out = OUT_PASS;
    }
    free(args);
    free(results);
    return out;
}

/* Performs an action. OUT_PASS means it was performed: res->err says
 * whether it trapped and res->values holds its results. OUT_FAIL means it
 * could not be performed (unknown export, wrong arguments: message set);
 * OUT_SKIP that its module needs unsupported instructions. */
static outcome perform(command_ctx *cx, const spec_action *a, const spec_value *expected,
                       size_t nexpected, action_result *res)
{
    memset(res, 0, sizeof *res);
    bool skip;
    const weft_instance *inst = action_instance(cx, a, &skip);
    if (skip)
        return unsupported_outcome(cx, "its module needs unsupported instructions");
    if (!inst)
        return OUT_FAIL;
    weft_extern ext;
    if (!weft_instance_export(inst, a->field, a->field_len, &ext)) {
        set_message(cx, "no export \"%.*s\"", (int)a->field_len, a->field);
        return OUT_FAIL;
    }
    if (a->kind == SPEC_ACTION_GET) {
        if (ext.kind != WEFT_EXTERN_GLOBAL) {
            set_message(cx, "export \"%.*s\" is not a global", (int)a->field_len, a->field);
            return OUT_FAIL;
        }
        res->values = calloc(1, sizeof *res->values);
        if (!res->values) {
            set_message(cx, "out of memory");
            return OUT_FAIL;
        }
        weft_value v = weft_global_get(ext.of.global);
        spec_value_from_weft(&v, nexpected ? expected : NULL, &res->values[0]);
        res->count = 1;
        return OUT_PASS;
    }
    if (ext.kind != WEFT_EXTERN_FUNC) {
        set_message(cx, "export \"%.*s\" is not a function", (int)a->field_len, a->field);
        return OUT_FAIL;
    }
    return invoke(cx, ext.of.func, a, expected, nexpected, res);
}

/* Describes a failed call that should have succeeded. */
static outcome unexpected_failure(command_ctx *cx, const weft_error *err, const char *wanted)
{
    if (is_unsupported(err))
        return unsupported_outcome(cx, err->message);
    char buf[400];
    set_message(cx, "expected %s, got %s: %s", wanted,
                err->status == WEFT_ERR_TRAP ? "trap" : weft_status_name(err->status),
                format_error(err, buf, sizeof buf));
    return OUT_FAIL;
}

/* Checks results against the expected values, count and each value. */
static outcome check_results(command_ctx *cx, const action_result *res,
                             const spec_value *expected, size_t nexpected)
{
    bool ok = res->count == nexpected;
    for (size_t i = 0; ok && i < nexpected; i++)
        ok = result_matches(cx, i, &expected[i], &res->values[i]);
    char want[600], got[600];
    format_values(expected, nexpected, want, sizeof want);
    format_values(res->values, res->count, got, sizeof got);
    if (!ok) {
        set_message(cx, "expected %s, got %s", want, got);
        return OUT_FAIL;
    }
    set_message(cx, "%s", got);
    return OUT_PASS;
}

/* assert_return and action: the action must complete and its results
 * match "expected". wast2json gives a bare action an empty "expected"
 * whatever the function returns, so an action's results are compared only
 * when the script lists some. */
static outcome expect_results(command_ctx *cx)
{
    spec_action action;
    spec_value *expected = NULL;
    size_t count = 0;
    if (!parse_command_action(cx, &action))
        return OUT_FAIL;
    if (!parse_command_expected(cx, &expected, &count)) {
        spec_action_free(&action);
        return OUT_FAIL;
    }
    action_result res;
    outcome out = perform(cx, &action, expected, count, &res);
    if (out == OUT_PASS && res.err.status != WEFT_OK) {
        char want[600];
        out = unexpected_failure(cx, &res.err, format_values(expected, count, want, sizeof want));
    } else if (out == OUT_PASS && (cx->kind != KIND_ACTION || count > 0)) {
        out = check_results(cx, &res, expected, count);
    }
    free(res.values);
    free(expected);
    spec_action_free(&action);
    return out;
}

static outcome run_assert_return(command_ctx *cx)
{
    return expect_results(cx);
}

static outcome run_action(command_ctx *cx)
{
    return expect_results(cx);
}

/* Checks that `err` is a trap whose message starts with `text`. */
static outcome check_trap(command_ctx *cx, const weft_error *err, const char *text,
                          const action_result *res)
{
    char buf[400];
    if (err->status == WEFT_OK) {
        char got[600] = "";
        if (res)
            format_values(res->values, res->count, got, sizeof got);
        set_message(cx, "expected trap \"%s\", %s %s", text, res ? "returned" : "instantiated",
                    got);
        return OUT_FAIL;
    }
    if (is_unsupported(err))
        return unsupported_outcome(cx, err->message);
    if (err->status != WEFT_ERR_TRAP) {
        set_message(cx, "expected trap \"%s\", got %s: %s", text, weft_status_name(err->status),
                    format_error(err, buf, sizeof buf));
        return OUT_FAIL;
    }
    if (strncmp(err->message, text, strlen(text)) != 0) {
        set_message(cx, "expected trap \"%s\", trapped with \"%s\"", text, err->message);
        return OUT_FAIL;
    }
    set_message(cx, "trapped: %s", err->message);
    return OUT_PASS;
}

/* Loads and instantiates the command's module, which must not become
 * current, and checks that instantiation fails with `want`. The module is
 * kept to the end of the script all the same: a failed instantiation may
 * already have put its functions into imported tables. */
static outcome expect_instantiation_failure(command_ctx *cx, weft_status want, const char *text)
{
    weft_module *module = NULL;
    weft_instance *inst = NULL;
    weft_error err;
    bool loaded = load_and_instantiate(cx, &module, &inst, &err);
    if (module && keep_module(cx, module, inst) < 0)
        return OUT_FAIL;
    if (!loaded)
        return OUT_FAIL;
    if (want == WEFT_ERR_TRAP)
        return check_trap(cx, &err, text, NULL);
    char buf[400];
    if (err.status != want) {
        set_message(cx, "expected a %s (\"%s\"), got %s%s%s", weft_status_name(want), text,
                    err.status == WEFT_OK ? "success" : weft_status_name(err.status),
                    err.status == WEFT_OK ? "" : ": ", err.status == WEFT_OK ? "" :
                    format_error(&err, buf, sizeof buf));
        return OUT_FAIL;
    }
    set_message(cx, "%s", format_error(&err, buf, sizeof buf));
    return OUT_PASS;
}

/* assert_trap and assert_exhaustion: the action (or, with a module file,
 * instantiation) must trap with a message starting with "text". */
static outcome expect_trap(command_ctx *cx)
{
    const char *text = json_get_string(cx->cmd, "text");
    if (!text) {
        set_message(cx, "no expected trap text");
        return OUT_FAIL;
    }
    if (!json_get(cx->cmd, "action") && json_get_string(cx->cmd, "filename"))
        return expect_instantiation_failure(cx, WEFT_ERR_TRAP, text);
    spec_action action;
    if (!parse_command_action(cx, &action))
        return OUT_FAIL;
    action_result res;
    outcome out = perform(cx, &action, NULL, 0, &res);
    if (out == OUT_PASS)
        out = check_trap(cx, &res.err, text, &res);
    free(res.values);
    spec_action_free(&action);
    return out;
}

static outcome run_assert_trap(command_ctx *cx)
{
    return expect_trap(cx);
}

static outcome run_assert_exhaustion(command_ctx *cx)
{
    return expect_trap(cx);
}

/* assert_unlinkable: the module loads but an import cannot be satisfied. */
static outcome run_assert_unlinkable(command_ctx *cx)
{
    const char *text = json_get_string(cx->cmd, "text");
    return expect_instantiation_failure(cx, WEFT_ERR_LINK, text ? text : "");
}

/* assert_uninstantiable: the module links but traps while instantiating. */
static outcome run_assert_uninstantiable(command_ctx *cx)
{
    const char *text = json_get_string(cx->cmd, "text");
    return expect_instantiation_failure(cx, WEFT_ERR_TRAP, text ? text : "");
}

/* register: makes a module instance's exports importable under a name. */
static outcome run_register(command_ctx *cx)
{
    script_state *st = cx->st;
    const char *as = json_get_string(cx->cmd, "as");
    const char *name = json_get_string(cx->cmd, "name");
    if (!as) {
        set_message(cx, "register without \"as\"");
        return OUT_FAIL;
    }
    const loaded_module *m = resolve_module(cx, name);
    if (!m)
        return OUT_FAIL;
    size_t index = (size_t)(m - st->modules);
    if (!add_binding(&st->registered, &st->registered_count, &st->registered_cap, as, index)) {
        set_message(cx, "out of memory");
        return OUT_FAIL;
    }
    if (m->unsupported)
        return unsupported_outcome(cx, "its module needs unsupported instructions");
    if (!m->instance) {
        set_message(cx, "module of line %d has no instance (it failed)", m->line);
        return OUT_FAIL;
    }
    return OUT_PASS;
}

/* assert_exception: the action must end with an uncaught exception. */
static outcome run_assert_exception(command_ctx *cx)
{
    spec_action action;
    if (!parse_command_action(cx, &action))
        return OUT_FAIL;
    action_result res;
    outcome out = perform(cx, &action, NULL, 0, &res);
    if (out == OUT_PASS && res.err.status != WEFT_ERR_EXCEPTION) {
        char buf[400];
        set_message(cx, "expected an uncaught exception, got %s%s%s",
                    res.err.status == WEFT_OK ? "a return" : weft_status_name(res.err.status),
                    res.err.status == WEFT_OK ? "" : ": ",
                    res.err.status == WEFT_OK ? "" : format_error(&res.err, buf, sizeof buf));
        out = OUT_FAIL;
    }
    free(res.values);
    spec_action_free(&action);
    return out;
}

/* module_definition: the module must decode and validate; it is named but
 * not instantiated (module_instance does that). */
static outcome run_module_definition(command_ctx *cx)
{
    script_state *st = cx->st;
    weft_module *module = NULL;
    weft_error err;
    bool loaded = load_command_module(cx, &module, &err);
    long index = keep_module(cx, module, NULL);
    if (index < 0)
        return OUT_FAIL;
    const char *name = json_get_string(cx->cmd, "name");
    if (name && !add_binding(&st->names, &st->name_count, &st->name_cap, name, (size_t)index)) {
        set_message(cx, "out of memory");
        return OUT_FAIL;
    }
    st->last_definition = (size_t)index;
    st->have_definition = true;
    if (!loaded)
        return OUT_FAIL;
    if (err.status != WEFT_OK) {
        char buf[400];
        set_message(cx, "module does not load: %s: %s", weft_status_name(err.status),
                    format_error(&err, buf, sizeof buf));
        return OUT_FAIL;
    }
    return OUT_PASS;
}

/* module_instance: a new instance of a defined module becomes current. */
static outcome run_module_instance(command_ctx *cx)
{
    script_state *st = cx->st;
    const char *of = json_get_string(cx->cmd, "module");
    const loaded_module *def = NULL;
    if (of)
        def = resolve_module(cx, of);
    else if (st->have_definition)
        def = &st->modules[st->last_definition];
    else
        set_message(cx, "no module definition yet");
    if (!def)
        return OUT_FAIL;
    weft_module *module = def->module;
    weft_instance *inst = NULL;
    weft_error err;
    memset(&err, 0, sizeof err);
    weft_engine *engine = module ? script_engine(cx) : NULL;
    if (engine)
        err.status = weft_instantiate(engine, module, resolve_import, st, &inst, &err);
    if (!grow((void **)&st->modules, &st->module_cap, st->module_count, sizeof *st->modules)) {
        set_message(cx, "out of memory");
        return OUT_FAIL;
    }
    size_t index = st->module_count++;
    st->modules[index] = (loaded_module){module, err.status == WEFT_OK ? inst : NULL, false,
                                         true, (int)cx->line};
    st->current = index;
    st->have_current = true;
    const char *name = json_get_string(cx->cmd, "instance");
    if (name && !add_binding(&st->names, &st->name_count, &st->name_cap, name, index)) {
        set_message(cx, "out of memory");
        return OUT_FAIL;
    }
    if (!module) {
        set_message(cx, "the module of line %d did not load", def->line);
        return OUT_FAIL;
    }
    if (!engine)
        return OUT_FAIL;
    if (err.status != WEFT_OK) {
        char buf[400];
        set_message(cx, "instantiation failed: %s: %s", weft_status_name(err.status),
                    format_error(&err, buf, sizeof buf));
        return OUT_FAIL;
    }
    return OUT_PASS;
}

static const struct {
    const char *name;
    command_fn run;
} handlers[] = {
#define X(id, name, fn) {name, fn},
    COMMAND_KINDS(X)
#undef X
};

/* ---- running a script ------------------------------------------------- */

/* Writes one detail line for the file: failures up to the limit (all with
 * -v) and, with -v, what happened on passes. */
static void add_detail(script_state *st, long line, const char *kind, const char *what,
                       const char *message, bool is_failure)
{
    if (!st->details)
        return;
    if (is_failure && !st->opts->verbose && ++st->failures_shown > FAILURE_LIMIT)
        return;
    char text[1024];
    if (line > 0)
        snprintf(text, sizeof text, "  %s:%ld: %s: %s%s%s\n", st->name, line, kind, what,
                 *message ? ": " : "", message);
    else
        snprintf(text, sizeof text, "  %s: %s: %s%s%s\n", st->name, kind, what,
                 *message ? ": " : "", message);
    fputs(text, st->details);
    /* Unbuffered, so that the parent can show it if this process dies. */
    if (crash_log_fd >= 0 && write(crash_log_fd, text, strlen(text)) < 0)
        crash_log_fd = -1;
}

static void record(script_state *st, command_kind kind, outcome out)
{
    if (out != OUT_UNCOUNTED)
        st->counts.counts[kind][out]++;
}

static void run_command(script_state *st, const json_value *cmd)
{
    command_ctx cx = {.st = st, .cmd = cmd, .kind = KIND_UNKNOWN, .line = 0};
    cx.message[0] = '\0';
    int64_t line;
    if (json_get_i64(cmd, "line", &line))
        cx.line = (long)line;
    const char *type = json_get_string(cmd, "type");
    for (size_t i = 0; type && i < sizeof handlers / sizeof handlers[0]; i++)
        if (strcmp(type, handlers[i].name) == 0)
            cx.kind = (command_kind)i;
    outcome out;
    if (cx.kind == KIND_UNKNOWN) {
        set_message(&cx, "unknown command \"%s\"", type ? type : "(no type)");
        out = OUT_FAIL;
    } else {
        shared_progress->line = cx.line;
        shared_progress->kind = cx.kind;
        out = handlers[cx.kind].run(&cx);
    }
    record(st, cx.kind, out);
    shared_progress->counts = st->counts;
    const char *kind = kind_names[cx.kind];
    if (out == OUT_FAIL)
        add_detail(st, cx.line, kind, "FAILED", cx.message, true);
    else if (out == OUT_UNCOUNTED && st->opts->list_text_malformed)
        add_detail(st, cx.line, kind, "not counted", cx.message, false);
    else if (out == OUT_PASS && st->opts->verbose && cx.message[0])
        add_detail(st, cx.line, kind, "passed", cx.message, false);
}

/* Records a failure that concerns the whole script. */
static void file_failure(script_state *st, const char *fmt, ...)
{
    char msg[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    record(st, KIND_FILE, OUT_FAIL);
    add_detail(st, 0, kind_names[KIND_FILE], "FAILED", msg, true);
}

static void run_json(script_state *st, const char *json_path)
{
    size_t len;
    char *text = read_whole_file(json_path, &len);
    if (!text) {
        file_failure(st, "cannot read %s: %s", json_path, strerror(errno));
        return;
    }
    char err[300];
    json_value *doc = json_parse(text, len, err, sizeof err);
    free(text);
    if (!doc) {
        file_failure(st, "%s: %s", json_path, err);
        return;
    }
    const json_value *commands = json_get(doc, "commands");
    if (!commands || commands->kind != JSON_ARRAY) {
        file_failure(st, "%s: no \"commands\" array", json_path);
    } else {
        for (size_t i = 0; i < commands->count; i++)
            run_command(st, commands->items[i]);
    }
    json_free(doc);
}

/* ---- the suite -------------------------------------------------------- */

typedef struct totals {
    tally all;
    tally expected;          /* Scripts listed as expected to fail (--expect-fail). */
    long expected_files;
    long expected_clean;     /* Listed scripts that had no failure after all. */
    tally simd;              /* simd_*.wast only, to compare with known counts. */
    long text_malformed;
    long simd_text_malformed;
    long invalid_as_malformed;
    long malformed_as_invalid;
    long unsupported;
    long files;
} totals;

static long tally_sum(const tally *t, outcome out)
{
    long n = 0;
    for (int k = 0; k < KIND_COUNT; k++)
        n += t->counts[k][out];
    return n;
}

static void tally_add(tally *into, const tally *from)
{
    for (int k = 0; k < KIND_COUNT; k++)
        for (int o = 0; o < 3; o++)
            into->counts[k][o] += from->counts[k][o];
}

static void totals_add(totals *into, const totals *from)
{
    tally_add(&into->all, &from->all);
    tally_add(&into->simd, &from->simd);
    into->text_malformed += from->text_malformed;
    into->simd_text_malformed += from->simd_text_malformed;
    into->invalid_as_malformed += from->invalid_as_malformed;
    into->malformed_as_invalid += from->malformed_as_invalid;
    into->unsupported += from->unsupported;
    into->files += from->files;
    tally_add(&into->expected, &from->expected);
    into->expected_files += from->expected_files;
    into->expected_clean += from->expected_clean;
}

/* The proposals the modules of a suite part may use. The 2.0 suite (core)
 * and each proposal's own suite test that the other proposals are absent
 * (two memories are "multiple memories" there), so a part gets 2.0 plus
 * the proposal its folder is named for. */
static weft_features part_features(const options *opts, const char *part)
{
    weft_features f;
    weft_features_init(&f);
    if (opts->wasm3)
        return f;
    f.multi_memory = strstr(part, "multi-memory") != NULL;
    f.memory64 = strstr(part, "memory64") != NULL;
    f.relaxed_simd = strstr(part, "relaxed-simd") != NULL;
    f.function_references = strstr(part, "function-references") != NULL;
    f.gc = strstr(part, "gc") != NULL;
    return f;
}

/* Whether PART/FILE is listed in the --expect-fail file: one "part/file"
 * (or "file" for the part ".") a line; '#' starts a comment. */
static bool is_expected_failure(const options *opts, const char *part, const char *file)
{
    if (!opts->expect_fail)
        return false;
    FILE *f = fopen(opts->expect_fail, "r");
    if (!f) {
        fprintf(stderr, "spec_runner: cannot read %s: %s\n", opts->expect_fail, strerror(errno));
        exit(2);
    }
    char want[PATH_MAX], line[PATH_MAX];
    if (strcmp(part, ".") == 0)
        snprintf(want, sizeof want, "%s", file);
    else
        snprintf(want, sizeof want, "%s/%s", part, file);
    bool found = false;
    while (!found && fgets(line, sizeof line, f)) {
        char *hash = strchr(line, '#');
        if (hash)
            *hash = '\0';
        char *start = line;
        while (*start == ' ' || *start == '\t')
            start++;
        size_t n = strcspn(start, " \t\r\n");
        start[n] = '\0';
        found = n > 0 && strcmp(start, want) == 0;
    }
    fclose(f);
    return found;
}

static void run_script(const options *opts, const char *part, const char *dir,
                       const char *file, totals *tot)
{
    char wast[PATH_MAX], work_dir[PATH_MAX], json[PATH_MAX], log_path[PATH_MAX];
    char base[NAME_MAX + 1];
    snprintf(base, sizeof base, "%.*s", (int)(strlen(file) - 5), file);
    bool simd = strncmp(file, "simd_", 5) == 0;
    bool expected_fail = is_expected_failure(opts, part, file);
    script_state st = {.name = file, .json_dir = work_dir, .opts = opts, .simd = simd,
                       .features = part_features(opts, part)};
    st.details = open_memstream(&st.details_buf, &st.details_len);
    char msg[PATH_MAX + 200];
    bool paths_ok = join_path(wast, sizeof wast, dir, file) &&
                    join_path(work_dir, sizeof work_dir, opts->work, part) &&
                    snprintf(json, sizeof json, "%s/%s.json", work_dir, base) < (int)sizeof json &&
                    snprintf(log_path, sizeof log_path, "%s/%s.log", work_dir, base) <
                        (int)sizeof log_path;
    if (!paths_ok)
        file_failure(&st, "path too long");
    else if (!convert_make_dirs(work_dir))
        file_failure(&st, "cannot create %s: %s", work_dir, strerror(errno));
    else if (!convert_ensure_json(wast, json, log_path, msg, sizeof msg))
        file_failure(&st, "%s", msg);
    else {
        run_json(&st, json);
    }

    if (st.details)
        fclose(st.details);
    long shown_limit = st.failures_shown - FAILURE_LIMIT;
    printf("%s: %ld passed, %ld failed, %ld skipped", file, tally_sum(&st.counts, OUT_PASS),
           tally_sum(&st.counts, OUT_FAIL), tally_sum(&st.counts, OUT_SKIP));
    if (st.unsupported)
        printf(" (%ld unsupported SIMD)", st.unsupported);
    if (expected_fail)
        printf(" (expected to fail for now: listed in %s)", opts->expect_fail);
    putchar('\n');
    if (st.details_buf)
        fputs(st.details_buf, stdout);
    if (shown_limit > 0)
        printf("  ... %ld more failures (use -v to see all)\n", shown_limit);
    fflush(stdout);
    free(st.details_buf);

    if (expected_fail) {
        tally_add(&tot->expected, &st.counts);
        tot->expected_files++;
        if (tally_sum(&st.counts, OUT_FAIL) == 0) {
            tot->expected_clean++;
            printf("  %s: listed as expected to fail, but nothing failed: take it off the list\n",
                   file);
        }
        tot->files++;
        script_state_free(&st);
        return;
    }
    tally_add(&tot->all, &st.counts);
    if (simd) {
        tally_add(&tot->simd, &st.counts);
        tot->simd_text_malformed += st.text_malformed;
    }
    tot->text_malformed += st.text_malformed;
    tot->invalid_as_malformed += st.invalid_as_malformed;
    tot->malformed_as_invalid += st.malformed_as_invalid;
    tot->unsupported += st.unsupported;
    tot->files++;
    script_state_free(&st);
}

/* Reads the child's totals; returns how many bytes arrived. */
static size_t read_totals(int fd, totals *out)
{
    size_t got = 0;
    while (got < sizeof *out) {
        ssize_t n = read(fd, (char *)out + got, sizeof *out - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    return got;
}

/* Counts a script whose child died as one failed script, saying where,
 * and keeps the counts of the commands that ran before. */
static void report_lost_script(const char *part, const char *file, int status,
                               const options *opts, FILE *log, totals *tot)
{
    const progress *p = shared_progress;
    const char *kind = p->kind < KIND_COUNT ? kind_names[p->kind] : "?";
    char why[200];
    if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM)
        snprintf(why, sizeof why, "timed out after %u s", opts->timeout);
    else if (WIFSIGNALED(status))
        snprintf(why, sizeof why, "crashed with signal %d (%s)", WTERMSIG(status),
                 strsignal(WTERMSIG(status)));
    else
        snprintf(why, sizeof why, "its process exited with status %d",
                 WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    printf("%s: FAILED: %s at line %ld (%s); before it: %ld passed, %ld failed, %ld skipped\n",
           file, why, p->line, kind, tally_sum(&p->counts, OUT_PASS),
           tally_sum(&p->counts, OUT_FAIL), tally_sum(&p->counts, OUT_SKIP));
    rewind(log);
    char line[1024];
    while (fgets(line, sizeof line, log))
        fputs(line, stdout);
    fflush(stdout);
    if (is_expected_failure(opts, part, file)) {
        printf("  (expected to fail for now: listed in %s)\n", opts->expect_fail);
        tally_add(&tot->expected, &p->counts);
        tot->expected.counts[KIND_FILE][OUT_FAIL]++;
        tot->expected_files++;
        tot->files++;
        return;
    }
    tally_add(&tot->all, &p->counts);
    if (strncmp(file, "simd_", 5) == 0)
        tally_add(&tot->simd, &p->counts);
    tot->all.counts[KIND_FILE][OUT_FAIL]++;
    tot->files++;
}

/* Runs one script in a child process, so that a crash or a hang in the
 * engine costs that script only and the summary still comes out. The
 * child sends its totals back through a pipe. */
static void run_script_isolated(const options *opts, const char *part, const char *dir,
                                const char *file, totals *tot)
{
    int fds[2];
    fflush(stdout);
    fflush(stderr);
    FILE *log = tmpfile();
    if (!log || pipe(fds) != 0) {
        if (log)
            fclose(log);
        run_script(opts, part, dir, file, tot);
        return;
    }
    memset(shared_progress, 0, sizeof *shared_progress);
    shared_progress->kind = KIND_FILE;
    pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        fclose(log);
        run_script(opts, part, dir, file, tot);
        return;
    }
    if (pid == 0) {
        close(fds[0]);
        crash_log_fd = fileno(log);
        alarm(opts->timeout);
        totals mine = {0};
        run_script(opts, part, dir, file, &mine);
        ssize_t n = write(fds[1], &mine, sizeof mine);
        /* exit, not _exit: sanitizers report leaks at exit. */
        exit(n == (ssize_t)sizeof mine ? 0 : 1);
    }
    close(fds[1]);
    totals theirs = {0};
    size_t got = read_totals(fds[0], &theirs);
    close(fds[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    bool clean = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    if (got != sizeof theirs) {
        report_lost_script(part, file, status, opts, log, tot);
        fclose(log);
        return;
    }
    fclose(log);
    totals_add(tot, &theirs);
    if (!clean) {
        /* The commands ran, but the process failed at exit (a sanitizer's
         * leak report, say): that is a failure of the script. */
        printf("%s: FAILED: its process ended with %s %d after its commands\n", file,
               WIFSIGNALED(status) ? "signal" : "status",
               WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
        tot->all.counts[KIND_FILE][OUT_FAIL]++;
    }
}


static bool is_wast(const char *name)
{
    size_t n = strlen(name);
    return n > 5 && strcmp(name + n - 5, ".wast") == 0 && name[0] != '.';
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Lists DIR's .wast files sorted by name (byte order, so it never depends
 * on the locale). Returns the count, or -1 when DIR cannot be read. */
/* Whether script `name` matches `filter`: contains one of its
 * comma-separated substrings. */
static bool filter_matches(const char *filter, const char *name)
{
    while (filter) {
        const char *comma = strchr(filter, ',');
        size_t len = comma ? (size_t)(comma - filter) : strlen(filter);
        for (const char *p = name; len && *p; p++)
            if (strncmp(p, filter, len) == 0)
                return true;
        filter = comma ? comma + 1 : NULL;
    }
    return false;
}

static long list_scripts(const char *dir, const char *filter, char ***out)
{
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    char **names = NULL;
    size_t count = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!is_wast(e->d_name) || (filter && !filter_matches(filter, e->d_name)))
            continue;
        char *copy = strdup(e->d_name);
        if (!copy || !grow((void **)&names, &cap, count, sizeof *names)) {
            free(copy);
            break;
        }
        names[count++] = copy;
    }
    closedir(d);
    if (count)
        qsort(names, count, sizeof *names, compare_names);
    *out = names;
    return (long)count;
}

/* Runs every script of one part; returns how many scripts there were, or -1
 * when the part's folder is missing. */
static long run_part(const options *opts, const char *part, totals *tot)
{
    char dir[PATH_MAX];
    if (!join_path(dir, sizeof dir, opts->suite, part)) {
        fprintf(stderr, "spec_runner: path too long: %s/%s\n", opts->suite, part);
        return -1;
    }
    char **names;
    long count = list_scripts(dir, opts->filter, &names);
    if (count < 0) {
        fprintf(stderr, "spec_runner: cannot read suite folder %s: %s\n", dir, strerror(errno));
        return -1;
    }
    for (long i = 0; i < count; i++) {
        if (opts->isolate)
            run_script_isolated(opts, part, dir, names[i], tot);
        else
            run_script(opts, part, dir, names[i], tot);
        free(names[i]);
    }
    free(names);
    if (count == 0)
        fprintf(stderr, "spec_runner: no .wast file%s in %s\n",
                opts->filter ? " matches the filter" : "", dir);
    return count;
}

static void print_summary_row(const char *name, const long *all, const long *simd)
{
    long counted = all[OUT_PASS] + all[OUT_FAIL] + all[OUT_SKIP];
    long in_simd = simd[OUT_PASS] + simd[OUT_FAIL] + simd[OUT_SKIP];
    printf("  %-24s %8ld %8ld %8ld %8ld %8ld %8ld\n", name, all[OUT_PASS], all[OUT_FAIL],
           all[OUT_SKIP], counted, counted - in_simd, in_simd);
}

static void tally_total(const tally *t, long out[3])
{
    for (int o = 0; o < 3; o++)
        out[o] = tally_sum(t, (outcome)o);
}

/* Prints the per-kind totals, split between simd_* scripts and the rest so
 * they can be compared with the suite's known command counts. */
static void print_summary(const totals *tot)
{
    printf("\n  %-24s %8s %8s %8s %8s %8s %8s\n", "by command kind", "passed", "failed",
           "skipped", "counted", "non-simd", "simd_*");
    for (int k = 0; k < KIND_COUNT; k++) {
        const long *c = tot->all.counts[k];
        /* Rows for pseudo-kinds appear only when something went wrong. */
        if (k >= KIND_UNKNOWN && !c[0] && !c[1] && !c[2])
            continue;
        print_summary_row(kind_names[k], c, tot->simd.counts[k]);
    }
    long all[3], simd[3];
    tally_total(&tot->all, all);
    tally_total(&tot->simd, simd);
    print_summary_row("total", all, simd);
    printf("text-format assert_malformed (not counted): %ld (non-simd %ld, simd_* %ld)\n",
           tot->text_malformed, tot->text_malformed - tot->simd_text_malformed,
           tot->simd_text_malformed);
    printf("skipped for unsupported SIMD instructions (simd_* scripts only): %ld\n",
           tot->unsupported);
    printf("rejected with the other status (passed; for information): assert_invalid as "
           "malformed %ld, binary assert_malformed as invalid %ld\n",
           tot->invalid_as_malformed, tot->malformed_as_invalid);
    printf("%ld script file%s\n", tot->files, tot->files == 1 ? "" : "s");
    if (tot->expected_files) {
        long e[3];
        tally_total(&tot->expected, e);
        printf("expected to fail for now (listed scripts, not in the totals below): %ld "
               "script%s, %ld passed, %ld failed, %ld skipped; %ld of them had no failure\n",
               tot->expected_files, tot->expected_files == 1 ? "" : "s", e[OUT_PASS],
               e[OUT_FAIL], e[OUT_SKIP], tot->expected_clean);
    }
}

static void usage(FILE *out)
{
    fprintf(out,
            "usage: spec_runner [--suite DIR] [--work DIR] [--filter SUBSTR]\n"
            "                   [--dispatch NAME] [--bounds guard|explicit]\n"
            "                   [--fuel N] [--interruptible]\n"
            "                   [--no-fork] [--timeout SEC] [--list-text-malformed] [-v]\n"
            "                   [--wasm3] [--expect-fail FILE]\n"
            "                   [PART...]\n"
            "  --suite DIR   the test suite (default: $WEFT_TESTSUITE, else\n"
            "                ../shared/testsuite beside the source tree)\n"
            "  --work DIR    where converted scripts go (default: spec-work)\n"
            "  --filter S    only scripts whose name contains S (or one of S's\n"
            "                comma-separated parts)\n"
            "  --dispatch NAME  direct, indirect, switch or tail (default direct);\n"
            "                exit status 2 when this build lacks the strategy\n"
            "  --bounds B    guard (default) or explicit memory bounds checks\n"
            "  --fuel N      give each script's engine N units of fuel, so the metered\n"
            "                code (fuel checks) runs the suite; pick N too large to run\n"
            "                out (running out is a failure of the command)\n"
            "  --interruptible  make the engines interruptible (metered code too)\n"
            "  --no-fork     run every script in this process (for debuggers); by\n"
            "                default each runs in a child, so a crash costs one script\n"
            "  --timeout S   seconds one script may take in its child (default 60;\n"
            "                0 for no limit)\n"
            "  --list-text-malformed  list the text-format assert_malformed commands\n"
            "  --wasm3       the WebAssembly 3.0 suite: every proposal weft has is on\n"
            "  --expect-fail FILE  scripts listed in FILE (\"part/name.wast\" a line, or\n"
            "                \"name.wast\" for the part .) are run and reported apart, as\n"
            "                expected to fail for now: in no total, nor the exit status\n"
            "  -v            show every failure and what weft said on rejections\n"
            "  PART          a suite folder such as core or proposals/tail-call (default: core)\n");
}

static const char *default_suite(void)
{
    const char *env = getenv("WEFT_TESTSUITE");
    if (env && *env)
        return env;
#ifdef WEFT_SOURCE_ROOT
    return WEFT_SOURCE_ROOT "/../shared/testsuite";
#else
    return "../shared/testsuite";
#endif
}

/* Reads the option's value from "--opt VALUE" or "--opt=VALUE". */
static bool option_value(int argc, char **argv, int *i, const char *name, const char **out)
{
    size_t n = strlen(name);
    if (strncmp(argv[*i], name, n) != 0)
        return false;
    if (argv[*i][n] == '=') {
        *out = argv[*i] + n + 1;
        return true;
    }
    if (argv[*i][n] != '\0')
        return false;
    if (*i + 1 >= argc) {
        fprintf(stderr, "spec_runner: %s needs a value\n", name);
        exit(2);
    }
    *out = argv[++*i];
    return true;
}

/* Reads --dispatch, --bounds, --timeout and --fuel. A strategy this build lacks
 * is exit status 2, so that tools/test can tell it from a failed run. */
static void parse_engine_options(const char *dispatch, const char *bounds, const char *timeout,
                                 const char *fuel, options *opts)
{
    if (fuel) {
        char *end;
        errno = 0;
        opts->fuel = strtoull(fuel, &end, 10);
        if (errno || end == fuel || *end || fuel[0] == '-' || opts->fuel == 0) {
            fprintf(stderr, "spec_runner: --fuel takes a positive count, not \"%s\"\n", fuel);
            exit(2);
        }
    }
    if (!weft_dispatch_parse(dispatch, &opts->dispatch)) {
        fprintf(stderr, "spec_runner: unknown dispatch strategy \"%s\" (direct, indirect, "
                        "switch or tail)\n", dispatch);
        exit(2);
    }
    if (!weft_dispatch_available(opts->dispatch)) {
        fprintf(stderr, "spec_runner: dispatch strategy \"%s\" is not available in this "
                        "build\n", dispatch);
        exit(2);
    }
    if (strcmp(bounds, "guard") == 0) {
        opts->bounds = WEFT_BOUNDS_GUARD;
    } else if (strcmp(bounds, "explicit") == 0) {
        opts->bounds = WEFT_BOUNDS_EXPLICIT;
    } else {
        fprintf(stderr, "spec_runner: --bounds takes guard or explicit, not \"%s\"\n", bounds);
        exit(2);
    }
    char *end;
    errno = 0;
    unsigned long secs = strtoul(timeout, &end, 10);
    if (errno || end == timeout || *end || secs > 86400) {
        fprintf(stderr, "spec_runner: --timeout takes seconds (0..86400), not \"%s\"\n",
                timeout);
        exit(2);
    }
    opts->timeout = (unsigned)secs;
}

static void parse_options(int argc, char **argv, options *opts)
{
    opts->isolate = true;
    opts->parts = calloc((size_t)argc + 1, sizeof *opts->parts);
    if (!opts->parts)
        exit(2);
    const char *dispatch = "direct", *bounds = "guard", *timeout = "60", *fuel = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (option_value(argc, argv, &i, "--suite", &opts->suite) ||
            option_value(argc, argv, &i, "--work", &opts->work) ||
            option_value(argc, argv, &i, "--filter", &opts->filter) ||
            option_value(argc, argv, &i, "--dispatch", &dispatch) ||
            option_value(argc, argv, &i, "--bounds", &bounds) ||
            option_value(argc, argv, &i, "--timeout", &timeout) ||
            option_value(argc, argv, &i, "--fuel", &fuel) ||
            option_value(argc, argv, &i, "--expect-fail", &opts->expect_fail))
            continue;
        if (strcmp(a, "--no-fork") == 0) {
            opts->isolate = false;
        } else if (strcmp(a, "--wasm3") == 0) {
            opts->wasm3 = true;
        } else if (strcmp(a, "--interruptible") == 0) {
            opts->interruptible = true;
        } else if (strcmp(a, "--list-text-malformed") == 0) {
            opts->list_text_malformed = true;
        } else if (strcmp(a, "-v") == 0 || strcmp(a, "--verbose") == 0) {
            opts->verbose = true;
        } else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage(stdout);
            exit(0);
        } else if (a[0] == '-') {
            fprintf(stderr, "spec_runner: unknown option %s\n", a);
            usage(stderr);
            exit(2);
        } else {
            opts->parts[opts->part_count++] = a;
        }
    }
    if (opts->part_count == 0)
        opts->parts[opts->part_count++] = "core";
    parse_engine_options(dispatch, bounds, timeout, fuel, opts);
    if (!opts->suite)
        opts->suite = default_suite();
    if (!opts->work)
        opts->work = "spec-work";
}

int main(int argc, char **argv)
{
    options opts = {0};
    parse_options(argc, argv, &opts);
    struct stat sb;
    if (stat(opts.suite, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
        fprintf(stderr, "spec_runner: test suite not found at %s (use --suite or "
                        "WEFT_TESTSUITE)\n", opts.suite);
        free(opts.parts);
        return 1;
    }
    /* The progress record is shared with the children that run scripts;
     * without a shared mapping, scripts run in this process. */
    static progress local_progress;
    shared_progress = mmap(NULL, sizeof *shared_progress, PROT_READ | PROT_WRITE,
                           MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (shared_progress == MAP_FAILED) {
        shared_progress = &local_progress;
        opts.isolate = false;
    }
    totals tot = {0};
    /* A part that is missing or empty counts as a failed script, so that a
     * wrong path can never look like a clean run. */
    for (int i = 0; i < opts.part_count; i++)
        if (run_part(&opts, opts.parts[i], &tot) <= 0)
            tot.all.counts[KIND_FILE][OUT_FAIL]++;
    print_summary(&tot);
    long passed = tally_sum(&tot.all, OUT_PASS), failed = tally_sum(&tot.all, OUT_FAIL);
    long skipped = tally_sum(&tot.all, OUT_SKIP);
    printf("spec: %ld passed, %ld failed, %ld skipped\n", passed, failed, skipped);
    free(opts.parts);
    return failed == 0 && passed > 0 ? 0 : 1;
}
