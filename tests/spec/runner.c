/* runner.c: the spec-suite runner: converts .wast scripts with wast2json and checks each command against libweft. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "json.h"
#include "values.h"
#include "weft.h"

extern char **environ;

/* Failure details printed per file unless -v asks for all of them. */
#define FAILURE_LIMIT 20

/* Every command kind a script may hold, with the function that checks it.
 * Adding execution means filling in these functions, nothing else. */
#define COMMAND_KINDS(X)                                                \
    X(MODULE, "module", run_module)                                     \
    X(ASSERT_RETURN, "assert_return", run_assert_return)                \
    X(ASSERT_TRAP, "assert_trap", run_assert_trap)                      \
    X(ASSERT_EXHAUSTION, "assert_exhaustion", run_assert_exhaustion)    \
    X(ASSERT_INVALID, "assert_invalid", run_assert_invalid)             \
    X(ASSERT_MALFORMED, "assert_malformed", run_assert_malformed)       \
    X(ASSERT_UNLINKABLE, "assert_unlinkable", run_assert_unlinkable)    \
    X(ASSERT_UNINSTANTIABLE, "assert_uninstantiable", run_assert_uninstantiable) \
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
    const char **parts;
    int part_count;
} options;

/* A module a script defined. Execution will add the instance here. */
typedef struct loaded_module {
    weft_module *module;   /* NULL when loading failed. */
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
    loaded_module *modules;  /* Every module command, in order; owned. */
    size_t module_count, module_cap;
    bool have_current;       /* False until the first module command. */
    size_t current;          /* Index of the most recent module. */
    binding *names;          /* $name bindings of module commands. */
    size_t name_count, name_cap;
    binding *registered;     /* register "as" bindings. */
    size_t registered_count, registered_cap;
    tally counts;
    long text_malformed;
    long invalid_as_malformed;   /* assert_invalid rejected with a decode error. */
    long malformed_as_invalid;   /* binary assert_malformed rejected by validation. */
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

/* Creates a directory and its parents, like mkdir -p. */
static bool make_dirs(const char *path)
{
    char buf[PATH_MAX];
    if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf)
        return false;
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(buf, 0777) != 0 && errno != EEXIST)
            return false;
        *p = '/';
    }
    return mkdir(buf, 0777) == 0 || errno == EEXIST;
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

static const binding *find_binding(const binding *list, size_t count, const char *name)
{
    for (size_t i = count; i-- > 0;)
        if (strcmp(list[i].name, name) == 0)
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
 * Returns NULL when there is none. Execution will use this. */
static const loaded_module *resolve_module(const script_state *st, const char *name)
{
    if (!name)
        return st->have_current ? &st->modules[st->current] : NULL;
    const binding *b = find_binding(st->names, st->name_count, name);
    return b ? &st->modules[b->module_index] : NULL;
}

static void script_state_free(script_state *st)
{
    for (size_t i = 0; i < st->module_count; i++)
        weft_module_free(st->modules[i].module);
    for (size_t i = 0; i < st->name_count; i++)
        free(st->names[i].name);
    for (size_t i = 0; i < st->registered_count; i++)
        free(st->registered[i].name);
    free(st->modules);
    free(st->names);
    free(st->registered);
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
    err->status = weft_module_load_file(path, out, err);
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

/* ---- command handlers ------------------------------------------------- */

/* module: decoding and validation must succeed. */
static outcome run_module(command_ctx *cx)
{
    script_state *st = cx->st;
    if (!grow((void **)&st->modules, &st->module_cap, st->module_count, sizeof *st->modules)) {
        set_message(cx, "out of memory");
        return OUT_FAIL;
    }
    /* The module becomes current even when it fails to load, so that later
     * commands refer to it (and fail) rather than to an older module. */
    size_t index = st->module_count++;
    st->modules[index] = (loaded_module){NULL, (int)cx->line};
    st->current = index;
    st->have_current = true;
    const char *name = json_get_string(cx->cmd, "name");
    if (name && !add_binding(&st->names, &st->name_count, &st->name_cap, name, index)) {
        set_message(cx, "out of memory");
        return OUT_FAIL;
    }
    weft_error err;
    weft_module *module;
    if (!load_command_module(cx, &module, &err))
        return OUT_FAIL;
    if (err.status != WEFT_OK) {
        char buf[400];
        set_message(cx, "%s: %s", weft_status_name(err.status),
                    format_error(&err, buf, sizeof buf));
        return OUT_FAIL;
    }
    st->modules[index].module = module;
    return OUT_PASS;
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

/* Reads and checks the command's action so that a broken script shows up
 * now; the call itself waits for execution. */
static bool parse_command_action(command_ctx *cx, spec_action *action)
{
    char err[300];
    if (!spec_action_parse(json_get(cx->cmd, "action"), action, err, sizeof err)) {
        set_message(cx, "bad action: %s", err);
        return false;
    }
    return true;
}

static bool parse_command_expected(command_ctx *cx, spec_value **values, size_t *count)
{
    char err[300];
    const json_value *expected = json_get(cx->cmd, "expected");
    if (!expected) {
        *values = NULL;
        *count = 0;
        return true;
    }
    if (!spec_values_parse(expected, true, values, count, err, sizeof err)) {
        set_message(cx, "bad expected result: %s", err);
        return false;
    }
    return true;
}

/* assert_return: needs execution. Until then its action and expected
 * results are parsed (a bad script fails) and the command is skipped. */
static outcome run_assert_return(command_ctx *cx)
{
    spec_action action;
    spec_value *expected;
    size_t count;
    if (!parse_command_action(cx, &action))
        return OUT_FAIL;
    bool ok = parse_command_expected(cx, &expected, &count);
    spec_action_free(&action);
    free(expected);
    if (!ok)
        return OUT_FAIL;
    set_message(cx, "needs execution");
    return OUT_SKIP;
}

/* assert_trap and assert_exhaustion: the action must trap with `text`. */
static outcome expect_trap(command_ctx *cx)
{
    spec_action action;
    if (!parse_command_action(cx, &action))
        return OUT_FAIL;
    spec_action_free(&action);
    if (!json_get_string(cx->cmd, "text")) {
        set_message(cx, "no expected trap text");
        return OUT_FAIL;
    }
    set_message(cx, "needs execution");
    return OUT_SKIP;
}

static outcome run_assert_trap(command_ctx *cx)
{
    return expect_trap(cx);
}

static outcome run_assert_exhaustion(command_ctx *cx)
{
    return expect_trap(cx);
}

/* action: a bare invoke or get whose results are not checked. */
static outcome run_action(command_ctx *cx)
{
    spec_action action;
    if (!parse_command_action(cx, &action))
        return OUT_FAIL;
    spec_action_free(&action);
    set_message(cx, "needs execution");
    return OUT_SKIP;
}

/* assert_unlinkable / assert_uninstantiable: instantiation must fail. */
static outcome expect_instantiation_failure(command_ctx *cx)
{
    char path[PATH_MAX];
    if (!module_path(cx, path, sizeof path))
        return OUT_FAIL;
    set_message(cx, "needs instantiation");
    return OUT_SKIP;
}

static outcome run_assert_unlinkable(command_ctx *cx)
{
    return expect_instantiation_failure(cx);
}

static outcome run_assert_uninstantiable(command_ctx *cx)
{
    return expect_instantiation_failure(cx);
}

/* register: makes a module's exports importable under a name. The binding
 * is recorded now; it is counted as skipped until instances exist. */
static outcome run_register(command_ctx *cx)
{
    script_state *st = cx->st;
    const char *as = json_get_string(cx->cmd, "as");
    const char *name = json_get_string(cx->cmd, "name");
    if (!as) {
        set_message(cx, "register without \"as\"");
        return OUT_FAIL;
    }
    const loaded_module *m = resolve_module(st, name);
    if (!m) {
        set_message(cx, "register: no module %s", name ? name : "defined yet");
        return OUT_FAIL;
    }
    size_t index = (size_t)(m - st->modules);
    if (!add_binding(&st->registered, &st->registered_count, &st->registered_cap, as, index)) {
        set_message(cx, "out of memory");
        return OUT_FAIL;
    }
    set_message(cx, "needs instantiation");
    return OUT_SKIP;
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
    if (line > 0)
        fprintf(st->details, "  line %ld: ", line);
    else
        fputs("  ", st->details);
    fprintf(st->details, "%s: %s%s%s\n", kind, what, *message ? ": " : "", message);
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
        out = handlers[cx.kind].run(&cx);
    }
    record(st, cx.kind, out);
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

/* ---- conversion with wast2json ---------------------------------------- */

static bool newer_than(const struct stat *a, const struct stat *b)
{
    if (a->st_mtim.tv_sec != b->st_mtim.tv_sec)
        return a->st_mtim.tv_sec > b->st_mtim.tv_sec;
    return a->st_mtim.tv_nsec > b->st_mtim.tv_nsec;
}

/* Runs wast2json, its output going to `log_path`. Returns false with a
 * message on failure; exits when wast2json is not installed, since then
 * no script can run. */
static bool convert(const char *wast, const char *json, const char *log_path, char *msg,
                    size_t msg_size)
{
    const char *tool = getenv("WAST2JSON");
    if (!tool || !*tool)
        tool = "wast2json";
    char *argv[] = {(char *)tool, "--enable-all", (char *)wast, "-o", (char *)json, NULL};
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log_path,
                                     O_WRONLY | O_CREAT | O_TRUNC, 0666);
    posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
    pid_t pid;
    int rc = posix_spawnp(&pid, tool, &actions, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc == ENOENT) {
        fprintf(stderr, "spec_runner: %s not found; install wabt (wast2json 1.0.32) or set "
                        "WAST2JSON\n", tool);
        exit(1);
    }
    if (rc != 0) {
        snprintf(msg, msg_size, "cannot run %s: %s", tool, strerror(rc));
        return false;
    }
    int status;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) {
            snprintf(msg, msg_size, "waitpid: %s", strerror(errno));
            return false;
        }
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return true;
    /* A half-written JSON must not look up to date next time. */
    unlink(json);
    if (WIFEXITED(status))
        snprintf(msg, msg_size, "%s exited with status %d; see %s", tool, WEXITSTATUS(status),
                 log_path);
    else
        snprintf(msg, msg_size, "%s was killed by signal %d; see %s", tool,
                 WIFSIGNALED(status) ? WTERMSIG(status) : 0, log_path);
    return false;
}

/* Makes sure WORK/PART/NAME.json is current. */
static bool ensure_json(const char *wast, const char *json, const char *log_path, char *msg,
                        size_t msg_size)
{
    struct stat ws, js;
    if (stat(wast, &ws) != 0) {
        snprintf(msg, msg_size, "cannot stat %s: %s", wast, strerror(errno));
        return false;
    }
    if (stat(json, &js) == 0 && newer_than(&js, &ws))
        return true;
    return convert(wast, json, log_path, msg, msg_size);
}

/* ---- the suite -------------------------------------------------------- */

typedef struct totals {
    tally all;
    tally simd;              /* simd_*.wast only, to compare with known counts. */
    long text_malformed;
    long simd_text_malformed;
    long invalid_as_malformed;
    long malformed_as_invalid;
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

static void run_script(const options *opts, const char *part, const char *dir,
                       const char *file, totals *tot)
{
    char wast[PATH_MAX], work_dir[PATH_MAX], json[PATH_MAX], log_path[PATH_MAX];
    char base[NAME_MAX + 1];
    snprintf(base, sizeof base, "%.*s", (int)(strlen(file) - 5), file);
    script_state st = {.name = file, .json_dir = work_dir, .opts = opts};
    st.details = open_memstream(&st.details_buf, &st.details_len);
    char msg[PATH_MAX + 200];
    bool paths_ok = join_path(wast, sizeof wast, dir, file) &&
                    join_path(work_dir, sizeof work_dir, opts->work, part) &&
                    snprintf(json, sizeof json, "%s/%s.json", work_dir, base) < (int)sizeof json &&
                    snprintf(log_path, sizeof log_path, "%s/%s.log", work_dir, base) <
                        (int)sizeof log_path;
    if (!paths_ok)
        file_failure(&st, "path too long");
    else if (!make_dirs(work_dir))
        file_failure(&st, "cannot create %s: %s", work_dir, strerror(errno));
    else if (!ensure_json(wast, json, log_path, msg, sizeof msg))
        file_failure(&st, "%s", msg);
    else
        run_json(&st, json);

    if (st.details)
        fclose(st.details);
    long shown_limit = st.failures_shown - FAILURE_LIMIT;
    printf("%s: %ld passed, %ld failed, %ld skipped\n", file, tally_sum(&st.counts, OUT_PASS),
           tally_sum(&st.counts, OUT_FAIL), tally_sum(&st.counts, OUT_SKIP));
    if (st.details_buf)
        fputs(st.details_buf, stdout);
    if (shown_limit > 0)
        printf("  ... %ld more failures (use -v to see all)\n", shown_limit);
    fflush(stdout);
    free(st.details_buf);

    tally_add(&tot->all, &st.counts);
    if (strncmp(file, "simd_", 5) == 0) {
        tally_add(&tot->simd, &st.counts);
        tot->simd_text_malformed += st.text_malformed;
    }
    tot->text_malformed += st.text_malformed;
    tot->invalid_as_malformed += st.invalid_as_malformed;
    tot->malformed_as_invalid += st.malformed_as_invalid;
    tot->files++;
    script_state_free(&st);
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
static long list_scripts(const char *dir, const char *filter, char ***out)
{
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    char **names = NULL;
    size_t count = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!is_wast(e->d_name) || (filter && !strstr(e->d_name, filter)))
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
    printf("rejected with the other status (passed; for information): assert_invalid as "
           "malformed %ld, binary assert_malformed as invalid %ld\n",
           tot->invalid_as_malformed, tot->malformed_as_invalid);
    printf("%ld script file%s\n", tot->files, tot->files == 1 ? "" : "s");
}

static void usage(FILE *out)
{
    fprintf(out,
            "usage: spec_runner [--suite DIR] [--work DIR] [--filter SUBSTR]\n"
            "                   [--list-text-malformed] [-v] [PART...]\n"
            "  --suite DIR   the test suite (default: $WEFT_TESTSUITE, else\n"
            "                ../shared/testsuite beside the source tree)\n"
            "  --work DIR    where converted scripts go (default: spec-work)\n"
            "  --filter S    only scripts whose name contains S\n"
            "  --list-text-malformed  list the text-format assert_malformed commands\n"
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

static void parse_options(int argc, char **argv, options *opts)
{
    static const char *default_parts[] = {"core"};
    opts->parts = calloc((size_t)argc, sizeof *opts->parts);
    if (!opts->parts)
        exit(2);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (option_value(argc, argv, &i, "--suite", &opts->suite) ||
            option_value(argc, argv, &i, "--work", &opts->work) ||
            option_value(argc, argv, &i, "--filter", &opts->filter))
            continue;
        if (strcmp(a, "--list-text-malformed") == 0) {
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
    if (opts->part_count == 0) {
        free(opts->parts);
        opts->parts = default_parts;
        opts->part_count = 1;
    }
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
        return 1;
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
    return failed == 0 && passed > 0 ? 0 : 1;
}
