/* options.c: the options of the `weft` commands: one table gives each
 * option's name, its value, the group it belongs to and its help line, so
 * parsing, `weft help COMMAND` and the shell completion agree. Also the
 * WASI set-up those options describe. */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <netdb.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "cli.h"

extern char **environ;

/* One option: its name, the placeholder of its value (NULL for a flag),
 * its group and what it does. */
typedef struct option_row {
    const char *name;
    const char *value;
    unsigned group;
    const char *help;
} option_row;

static const option_row options[] = {
    { "--enable", "NAME", OPT_FEATURES,
      "allow proposal NAME past WebAssembly 2.0, or all of them with 'all'; a\n"
      "comma-separated list is fine; every proposal is on by default" },
    { "--disable", "NAME", OPT_FEATURES,
      "reject modules using proposal NAME ('all': WebAssembly 2.0 only)" },
    { "--invoke", "NAME", OPT_RUN, "call the export NAME with ARGS (one per parameter) instead of\n"
                                   "_start, and print its results one a line" },
    { "--profile", NULL, OPT_RUN,
      "sample the running function about every millisecond and print a\n"
      "table of where the time went to stderr when the guest ends" },
    { "--dir", "HOST[::GUEST]", OPT_WASI,
      "let the guest use directory HOST under the name GUEST (default\n"
      "HOST; '--dir .' gives it the current directory for relative paths)" },
    { "--env", "KEY[=VALUE]", OPT_WASI,
      "set an environment variable for the guest; KEY alone passes the\n"
      "host's value (nothing when the host has none)" },
    { "--inherit-env", NULL, OPT_WASI,
      "give the guest the whole host environment (--env overrides)" },
    { "--listen", "ADDR:PORT", OPT_NET,
      "preopen a TCP socket listening on ADDR:PORT for sock_accept; fds\n"
      "after the preopened directories; port 0 picks a free port and\n"
      "says which on stderr" },
    { "--tcplisten", "ADDR:PORT", OPT_NET, "the same as --listen (wasmtime's name)" },
    { "--dispatch", "STRATEGY", OPT_ENGINE,
      "the interpreter's dispatch: direct (default), indirect, switch,\n"
      "or tail (in clang builds)" },
    { "--bounds", "MODE", OPT_ENGINE,
      "memory bounds by guard pages (guard, default) or by a check on\n"
      "every access (explicit)" },
    { "--max-memory-pages", "N", OPT_LIMITS,
      "no memory may have more than N 64 KiB pages (default 65536)" },
    { "--max-table-elems", "N", OPT_LIMITS,
      "no table may have more than N elements (default 10000000)" },
    { "--max-total-memory", "BYTES", OPT_LIMITS,
      "all linear memory of the instance together (default 4294967296)" },
    { "--max-total-table-elems", "N", OPT_LIMITS,
      "all table elements of the instance together (default 10000000)" },
    { "--max-heap", "BYTES", OPT_LIMITS,
      "the garbage-collected objects together (default 4294967296);\n"
      "an allocation past it traps with 'out of memory'" },
    { "--max-memories", "N", OPT_LIMITS,
      "memories a module may have, imports included (default 100)" },
    { "--max-tables", "N", OPT_LIMITS,
      "tables a module may have, imports included (default 100)" },
    { "--max-module-bytes", "N", OPT_LIMITS,
      "refuse a larger module file (default 1073741824)" },
    { "--max-call-depth", "N", OPT_LIMITS,
      "nested calls before \"call stack exhausted\" (default 100000)" },
    { "--max-stack-slots", "N", OPT_LIMITS,
      "8-byte value-stack slots before \"call stack exhausted\"\n"
      "(default 16777216)" },
    { "--fuel", "N", OPT_METER,
      "stop after about N WebAssembly instructions (exit status 125)" },
    { "--timeout", "SECONDS", OPT_METER,
      "stop after SECONDS of wall time (exit status 124)" },
    { "--runs", "N", OPT_BENCH, "runs of each configuration; the table shows the fastest and\n"
                                "the median (default 3)" },
};

#define NOPTIONS (sizeof options / sizeof options[0])

bool cli_options_init(cli_options *o, int argc)
{
    *o = (cli_options){ .runs = 3 };
    weft_features_init(&o->features);
    weft_config_init(&o->config);
    size_t n = (size_t)argc + 1;
    o->dirs = calloc(n, sizeof *o->dirs);
    o->envs = calloc(n, sizeof *o->envs);
    o->listens = calloc(n, sizeof *o->listens);
    if (o->dirs && o->envs && o->listens)
        return true;
    cli_options_free(o);
    fprintf(stderr, "weft: out of memory\n");
    return false;
}

void cli_options_free(cli_options *o)
{
    free(o->dirs);
    free(o->envs);
    free(o->listens);
}

void cli_list_options(const cli_command *cmd, FILE *out)
{
    for (size_t i = 0; i < NOPTIONS; i++)
        if (options[i].group & cmd->groups)
            fprintf(out, "%s\n", options[i].name);
    fprintf(out, "--help\n");
}

/* The width help is wrapped to, and where the help of an option starts. */
#define HELP_WIDTH 79
#define HELP_INDENT 26

/* Prints `text` (words separated by spaces or newlines) from column
 * HELP_INDENT, wrapped at HELP_WIDTH, and ends the line. */
static void print_wrapped(const char *text, FILE *out)
{
    int col = HELP_INDENT;
    while (*text) {
        size_t n = strcspn(text, " \n");
        if (col > HELP_INDENT && col + 1 + (int)n > HELP_WIDTH) {
            fprintf(out, "\n%*s", HELP_INDENT, "");
            col = HELP_INDENT;
        } else if (col > HELP_INDENT) {
            fputc(' ', out);
            col++;
        }
        fwrite(text, 1, n, out);
        col += (int)n;
        text += n;
        text += strspn(text, " \n");
    }
    fputc('\n', out);
}

/* Prints the options of `cmd`, the value after the name and the help
 * beside it, continued lines indented under it. */
void cli_command_help(const cli_command *cmd, FILE *out)
{
    fprintf(out, "usage: %s\n\n%s", cmd->usage, cmd->description);
    if (!cmd->groups)
        return;
    fprintf(out, "\noptions:\n");
    for (size_t i = 0; i < NOPTIONS; i++) {
        const option_row *r = &options[i];
        if (!(r->group & cmd->groups))
            continue;
        char head[64];
        snprintf(head, sizeof head, "%s%s%s", r->name, r->value ? " " : "",
                 r->value ? r->value : "");
        fprintf(out, "  %-24s", head);
        if (strlen(head) > 23)
            fprintf(out, "\n  %-24s", "");
        print_wrapped(r->help, out);
    }
    fprintf(out, "  %-24s%s\n", "-h, --help", "print this help");
    fprintf(out, "  %-24s%s\n", "--", "ends the options");
    if (cmd->groups & OPT_FEATURES) {
        fprintf(out, "\nproposals for --enable and --disable:");
#define FEATURE_HELP(field, name, doc) fprintf(out, "\n  %-24s%s", name, doc);
        WEFT_FEATURE_LIST(FEATURE_HELP)
#undef FEATURE_HELP
        fprintf(out, "\n  %-24s%s\n", "all", "every one of them");
    }
}

int cli_usage_error(const cli_command *cmd)
{
    fprintf(stderr, "usage: %s\n(see 'weft help %s')\n", cmd->usage, cmd->name);
    return USAGE_EXIT_STATUS;
}

int cli_report(const char *what, const weft_error *err)
{
    char buf[512];
    fprintf(stderr, "weft: %s: %s: %s\n", what, weft_status_name(err->status),
            weft_error_format(err, buf, sizeof buf));
    return err->status == WEFT_ERR_IO || err->status == WEFT_ERR_ARGUMENT ? 2 : 1;
}

/* ---- Values of options ------------------------------------------------------------ */

/* Each proposal's flag in weft_features, by name (weft.h makes the struct
 * from the same list, so none can be missing). */
static const struct {
    const char *name;
    size_t offset;
} features[] = {
#define FEATURE_ROW(field, name, doc) { name, offsetof(weft_features, field) },
    WEFT_FEATURE_LIST(FEATURE_ROW)
#undef FEATURE_ROW
};

/* Turns the proposals named in `list` (comma-separated, or "all") on or
 * off. */
static bool set_features(weft_features *f, const char *list, bool on)
{
    char *copy = strdup(list), *save = NULL;
    bool ok = copy != NULL;
    for (char *name = copy ? strtok_r(copy, ",", &save) : NULL; name && ok;
         name = strtok_r(NULL, ",", &save)) {
        size_t n = sizeof features / sizeof features[0], i;
        for (i = 0; i < n; i++)
            if (!strcmp(name, "all") || !strcmp(name, features[i].name))
                *(bool *)((char *)f + features[i].offset) = on;
        for (i = 0; i < n && strcmp(name, features[i].name); i++)
            ;
        if (i == n && strcmp(name, "all")) {
            fprintf(stderr, "weft: unknown proposal '%s' (known:", name);
            for (i = 0; i < n; i++)
                fprintf(stderr, " %s", features[i].name);
            fprintf(stderr, ", all)\n");
            ok = false;
        }
    }
    if (!copy || !*list) {
        fprintf(stderr, "weft: --%s wants a proposal's name\n", on ? "enable" : "disable");
        ok = false;
    }
    free(copy);
    return ok;
}

/* Parses a decimal count from `min` to `max` for option `name`. */
static bool parse_count(const char *name, const char *value, uint64_t min, uint64_t max,
                        uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(value, &end, 10);
    if (value[0] < '0' || value[0] > '9' || *end || errno || v < min || v > max) {
        fprintf(stderr, "weft: %s wants a whole number from %" PRIu64 " to %" PRIu64
                        ", not '%s'\n", name, min, max, value);
        return false;
    }
    *out = v;
    return true;
}

/* The options whose value is a number. */
static bool parse_number(const char *name, const char *value, cli_options *o)
{
    weft_config *c = &o->config;
    uint64_t v;
    if (!strcmp(name, "--timeout")) {
        char *end;
        double secs = strtod(value, &end);
        if (end == value || *end || !isfinite(secs) || secs <= 0 || secs > 1e9) {
            fprintf(stderr, "weft: --timeout wants a positive number of seconds, not '%s'\n",
                    value);
            return false;
        }
        o->timeout = secs;
        c->interruptible = true;
        return true;
    }
    static const struct { const char *name; uint64_t min, max; } ranges[] = {
        { "--max-memory-pages", 0, 65536 }, { "--max-table-elems", 0, 10000000 },
        { "--max-call-depth", 1, UINT32_MAX }, { "--max-stack-slots", 1, UINT32_MAX },
        { "--fuel", 1, UINT64_MAX }, { "--runs", 1, 1000 },
        { "--max-total-memory", 0, UINT64_MAX }, { "--max-total-table-elems", 0, UINT64_MAX },
        { "--max-memories", 0, UINT32_MAX }, { "--max-tables", 0, UINT32_MAX },
        { "--max-module-bytes", 1, UINT64_MAX }, { "--max-heap", 0, UINT64_MAX },
    };
    size_t i = 0;
    while (strcmp(ranges[i].name, name))
        i++;
    if (!parse_count(name, value, ranges[i].min, ranges[i].max, &v))
        return false;
    switch (i) {
    case 0: c->max_memory_pages = (uint32_t)v; break;
    case 1: c->max_table_elems = (uint32_t)v; break;
    case 2: c->max_call_depth = (uint32_t)v; break;
    case 3: c->max_stack_slots = (uint32_t)v; break;
    case 4: c->fuel = v; break;
    case 5: o->runs = (unsigned)v; break;
    /* One instance per run: the engine's totals are the instance's. */
    case 6: c->max_instance_memory_bytes = c->max_engine_memory_bytes = v; break;
    case 7: c->max_instance_table_elems = c->max_engine_table_elems = v; break;
    case 8: c->max_instance_memories = (uint32_t)v; break;
    case 9: c->max_instance_tables = (uint32_t)v; break;
    case 10: o->features.max_module_bytes = v; break;
    default: c->max_heap_bytes = v; break;
    }
    return true;
}

/* Sets option `r` to `value` (NULL for a flag). */
static bool set_option(const option_row *r, const char *value, cli_options *o)
{
    const char *name = r->name;
    if (!strcmp(name, "--enable") || !strcmp(name, "--disable"))
        return set_features(&o->features, value, name[2] == 'e');
    if (!strcmp(name, "--invoke"))
        o->invoke = value;
    else if (!strcmp(name, "--profile"))
        o->profile = true;
    else if (!strcmp(name, "--inherit-env"))
        o->inherit_env = true;
    else if (!strcmp(name, "--dir"))
        o->dirs[o->ndirs++] = value;
    else if (!strcmp(name, "--listen") || !strcmp(name, "--tcplisten"))
        o->listens[o->nlistens++] = value;
    else if (!strcmp(name, "--env")) {
        if (!value[0] || value[0] == '=') {
            fprintf(stderr, "weft: --env wants KEY=VALUE or KEY, not '%s'\n", value);
            return false;
        }
        o->envs[o->nenvs++] = value;
    } else if (!strcmp(name, "--dispatch")) {
        weft_dispatch d;
        if (!weft_dispatch_parse(value, &d)) {
            fprintf(stderr, "weft: unknown dispatch strategy '%s' (direct, indirect, switch "
                            "or tail)\n", value);
            return false;
        }
        if (!weft_dispatch_available(d)) {
            fprintf(stderr, "weft: the %s strategy is not in this build (it needs a compiler "
                            "with guaranteed tail calls, such as clang)\n", value);
            return false;
        }
        o->config.dispatch = d;
    } else if (!strcmp(name, "--bounds")) {
        if (!strcmp(value, "guard"))
            o->config.bounds = WEFT_BOUNDS_GUARD;
        else if (!strcmp(value, "explicit"))
            o->config.bounds = WEFT_BOUNDS_EXPLICIT;
        else {
            fprintf(stderr, "weft: unknown bounds mode '%s' (guard or explicit)\n", value);
            return false;
        }
    } else {
        return parse_number(name, value, o);
    }
    return true;
}

int cli_parse_options(const cli_command *cmd, int argc, char **argv, cli_options *o)
{
    int i = 0;
    while (i < argc && argv[i][0] == '-' && argv[i][1]) {
        const char *arg = argv[i];
        if (!strcmp(arg, "--")) {
            i++;
            break;
        }
        if (!strcmp(arg, "-h") || !strcmp(arg, "--help")) {
            cli_command_help(cmd, stdout);
            return -1;
        }
        const char *eq = strchr(arg, '=');
        size_t len = eq ? (size_t)(eq - arg) : strlen(arg);
        const option_row *r = NULL;
        for (size_t k = 0; k < NOPTIONS && !r; k++)
            if ((options[k].group & cmd->groups) && strlen(options[k].name) == len &&
                !strncmp(options[k].name, arg, len))
                r = &options[k];
        if (!r) {
            fprintf(stderr, "weft %s: unknown option '%.*s'\n", cmd->name, (int)len, arg);
            cli_usage_error(cmd);
            return -2;
        }
        const char *value = NULL;
        if (r->value) {
            if (eq)
                value = eq + 1;
            else if (i + 1 < argc)
                value = argv[++i];
            else {
                fprintf(stderr, "weft %s: option %s needs a value (%s)\n", cmd->name, r->name,
                        r->value);
                return -2;
            }
        } else if (eq) {
            fprintf(stderr, "weft %s: option %s takes no value\n", cmd->name, r->name);
            return -2;
        }
        if (!set_option(r, value, o))
            return -2;
        i++;
    }
    return i;
}

int cli_command_options(const char *name, int argc, char **argv, cli_options *o, int min,
                        int max, int *status)
{
    const cli_command *cmd = cli_find_command(name);
    if (!cli_options_init(o, argc)) {
        *status = 1;
        return -1;
    }
    int i = cli_parse_options(cmd, argc, argv, o);
    if (i >= 0 && (argc - i < min || argc - i > max)) {
        *status = cli_usage_error(cmd);
        i = -2;
    } else if (i < 0) {
        *status = i == -1 ? 0 : USAGE_EXIT_STATUS;
    }
    if (i < 0)
        cli_options_free(o);
    return i < 0 ? -1 : i;
}

/* ---- WASI set-up ------------------------------------------------------------------ */

/* Adds KEY=VALUE to `env` (of *n entries), replacing an entry of the same
 * KEY, so a later --env wins over an earlier one and over --inherit-env. */
static void put_env(const char **env, int *n, const char *kv)
{
    size_t klen = strcspn(kv, "=");
    for (int k = 0; k < *n; k++) {
        if (!strncmp(env[k], kv, klen) && env[k][klen] == '=') {
            env[k] = kv;
            return;
        }
    }
    env[(*n)++] = kv;
}

/* The guest's environment: the host's with --inherit-env, then each
 * --env, KEY alone taking the host's value. Entries point into environ or
 * argv, or into `owned` (freed by the caller). */
static const char **guest_env(const cli_options *o, int *n, char ***owned)
{
    int host = 0;
    while (o->inherit_env && environ[host])
        host++;
    const char **env = calloc((size_t)(host + o->nenvs) + 1, sizeof *env);
    *owned = calloc((size_t)o->nenvs + 1, sizeof **owned);
    if (!env || !*owned) {
        free(env);
        free(*owned);
        *owned = NULL;
        return NULL;
    }
    *n = 0;
    for (int k = 0; k < host; k++)
        if (strchr(environ[k], '=') && environ[k][0] != '=')
            put_env(env, n, environ[k]);
    for (int k = 0, nowned = 0; k < o->nenvs; k++) {
        const char *e = o->envs[k];
        if (strchr(e, '=')) {
            put_env(env, n, e);
            continue;
        }
        const char *v = getenv(e);
        if (!v)
            continue;
        char *kv = malloc(strlen(e) + strlen(v) + 2);
        if (!kv)
            continue;
        sprintf(kv, "%s=%s", e, v);
        (*owned)[nowned++] = kv;
        put_env(env, n, kv);
    }
    return env;
}

/* Opens a TCP socket listening on `spec` (ADDR:PORT, [IPV6]:PORT). Returns
 * the fd, or -1 after saying why. */
static int listen_on(const char *spec)
{
    const char *colon = strrchr(spec, ':');
    if (!colon || colon == spec || !colon[1]) {
        fprintf(stderr, "weft: --listen wants ADDR:PORT, not '%s'\n", spec);
        return -1;
    }
    char host[256];
    size_t hlen = (size_t)(colon - spec);
    if (spec[0] == '[' && colon[-1] == ']') {
        spec++;
        hlen -= 2;
    }
    if (hlen >= sizeof host) {
        fprintf(stderr, "weft: --listen: address too long\n");
        return -1;
    }
    memcpy(host, spec, hlen);
    host[hlen] = '\0';
    struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
                              .ai_flags = AI_PASSIVE | AI_NUMERICSERV }, *res;
    int e = getaddrinfo(host, colon + 1, &hints, &res);
    if (e) {
        fprintf(stderr, "weft: --listen %s: %s\n", spec, gai_strerror(e));
        return -1;
    }
    int fd = socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;
    if (fd >= 0)
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (fd < 0 || bind(fd, res->ai_addr, res->ai_addrlen) || listen(fd, 128)) {
        fprintf(stderr, "weft: --listen %s: %s\n", spec, strerror(errno));
        if (fd >= 0)
            close(fd);
        freeaddrinfo(res);
        return -1;
    }
    freeaddrinfo(res);
    /* With port 0 the kernel picked one: say which, so the user (or a
     * test) can connect. */
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    if (!strcmp(colon + 1, "0") && !getsockname(fd, (struct sockaddr *)&ss, &sl)) {
        char text[INET6_ADDRSTRLEN] = "?";
        unsigned port = 0;
        if (ss.ss_family == AF_INET) {
            struct sockaddr_in *in = (struct sockaddr_in *)&ss;
            inet_ntop(AF_INET, &in->sin_addr, text, sizeof text);
            port = ntohs(in->sin_port);
        } else if (ss.ss_family == AF_INET6) {
            struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
            inet_ntop(AF_INET6, &in6->sin6_addr, text, sizeof text);
            port = ntohs(in6->sin6_port);
        }
        bool v6 = ss.ss_family == AF_INET6;
        fprintf(stderr, "weft: listening on %s%s%s:%u\n", v6 ? "[" : "", text, v6 ? "]" : "",
                port);
    }
    return fd;
}

int cli_setup_wasi(weft_wasi *wasi, const cli_options *o, int argc, char **argv)
{
    weft_status s = weft_wasi_set_args(wasi, (size_t)argc, (const char *const *)argv);
    int nenv = 0;
    char **owned = NULL;
    const char **env = s ? NULL : guest_env(o, &nenv, &owned);
    if (!env)
        s = WEFT_ERR_NOMEM;
    for (int k = 0; k < nenv && !s; k++)
        s = weft_wasi_add_env(wasi, env[k]);
    for (int k = 0; owned && owned[k]; k++)
        free(owned[k]);
    free(owned);
    free(env);
    if (s) {
        fprintf(stderr, "weft: out of memory\n");
        return 1;
    }
    for (int k = 0; k < o->ndirs; k++) {
        /* HOST::GUEST, or HOST alone for the same name in the guest. */
        const char *spec = o->dirs[k], *sep = strstr(spec, "::");
        char *host = sep ? strndup(spec, (size_t)(sep - spec)) : strdup(spec);
        weft_error err;
        if (!host) {
            fprintf(stderr, "weft: out of memory\n");
            return 1;
        }
        s = weft_wasi_preopen(wasi, host, sep ? sep + 2 : spec, &err);
        free(host);
        if (s)
            return cli_report("--dir", &err);
    }
    /* Sockets after the directories: wasi-libc stops looking for preopened
     * directories at the first fd that is not one. */
    for (int k = 0; k < o->nlistens; k++) {
        int fd = listen_on(o->listens[k]);
        weft_error err;
        if (fd < 0)
            return USAGE_EXIT_STATUS;
        if (weft_wasi_preopen_socket(wasi, fd, NULL, &err)) {
            close(fd);
            return cli_report("--listen", &err);
        }
    }
    return 0;
}
