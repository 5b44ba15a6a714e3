/* main.c: the `weft` command line: the commands, their help, the version
 * and the shorthand `weft FILE.wasm` for `weft run FILE.wasm`; validate
 * and ir, which are short, live here too. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "weft_version.h"

static int cmd_validate(int argc, char **argv);
static int cmd_ir(int argc, char **argv);
static int cmd_help(int argc, char **argv);
static int cmd_version(int argc, char **argv);

static const cli_command commands[] = {
    { "run", "run a WASI command, or call one export with --invoke",
      "weft run [OPTIONS] FILE.wasm [--] [ARGS...]",
      "Runs a WASI command (its _start, or _initialize for a reactor) with ARGS as\n"
      "its arguments (argv[0] is FILE.wasm), or with --invoke calls one export with\n"
      "ARGS as its parameters and prints its results. 'weft FILE.wasm ARGS' is short\n"
      "for 'weft run FILE.wasm ARGS'. Options go before FILE.wasm; everything after\n"
      "it belongs to the guest.\n"
      "\n"
      "Exit status: the guest's proc_exit code (0 when _start returns); 134 after a\n"
      "trap (its message and a backtrace on stderr); 1 after a trap in an --invoke\n"
      "call, or when the module is malformed, invalid or fails to link; 124 when\n"
      "--timeout stopped the guest; 125 when it ran out of --fuel; 2 for a usage\n"
      "error or a file that cannot be read.\n",
      OPT_FEATURES | OPT_ENGINE | OPT_LIMITS | OPT_METER | OPT_WASI | OPT_NET | OPT_RUN,
      cli_run },
    { "validate", "decode and validate a module",
      "weft validate [OPTIONS] FILE.wasm",
      "Decodes and validates FILE.wasm: silent with exit status 0 when it is valid;\n"
      "the error (malformed or invalid, with section, function and offset) on\n"
      "stderr and status 1 when not; status 2 when the file cannot be read.\n"
      "'--disable all' validates as WebAssembly 2.0 does.\n",
      OPT_FEATURES, cmd_validate },
    { "ir", "print the register IR that functions lower to",
      "weft ir [OPTIONS] FILE.wasm [FUNC]",
      "Prints the register IR of every defined function of FILE.wasm, or of FUNC\n"
      "(an index, an export's name or a name from the name section).\n",
      OPT_FEATURES, cmd_ir },
    { "bench", "time one WASI command in every dispatch strategy and bounds mode",
      "weft bench [OPTIONS] FILE.wasm [--] [ARGS...]",
      "Runs the WASI command FILE.wasm with ARGS in every dispatch strategy built\n"
      "in and both bounds modes, --runs times each (round-robin), and prints a table\n"
      "of the times (instantiation, lowering and the run): best and median wall\n"
      "time, best CPU time, and the CPU time against the fastest configuration's\n"
      "(CPU time, which a busy machine disturbs less). The guest's output goes to\n"
      "/dev/null and its stdin reads nothing. Exit status 1 when a run fails or\n"
      "the exit status differs between configurations.\n",
      OPT_FEATURES | OPT_LIMITS | OPT_WASI | OPT_BENCH, cli_bench },
    { "help", "print help for weft or for one command", "weft help [COMMAND]",
      "Prints the list of commands, or the usage and options of COMMAND.\n", 0, cmd_help },
    { "version", "print the version, commit, compiler and strategies",
      "weft version  (or weft --version)",
      "Prints weft's version, the commit it was built from, the compiler, and the\n"
      "dispatch strategies, bounds modes and proposals built in.\n", 0, cmd_version },
};

#define NCOMMANDS (sizeof commands / sizeof commands[0])

const cli_command *cli_find_command(const char *name)
{
    for (size_t i = 0; i < NCOMMANDS; i++)
        if (!strcmp(commands[i].name, name))
            return &commands[i];
    return NULL;
}

static void print_overview(FILE *out)
{
    fprintf(out, "usage: weft COMMAND [OPTIONS] FILE.wasm [ARGS...]\n"
                 "       weft FILE.wasm [ARGS...]     (short for weft run)\n"
                 "       weft --version | --help\n\ncommands:\n");
    for (size_t i = 0; i < NCOMMANDS; i++)
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\n'weft help COMMAND' or 'weft COMMAND --help' shows a command's options.\n");
}

static int cmd_validate(int argc, char **argv)
{
    cli_options o;
    int status, i = cli_command_options("validate", argc, argv, &o, 1, 1, &status);
    if (i < 0)
        return status;
    weft_module *mod;
    weft_error err;
    status = 0;
    if (weft_module_load_file_with(argv[i], &o.features, &mod, &err))
        status = cli_report(argv[i], &err);
    else
        weft_module_free(mod);
    cli_options_free(&o);
    return status;
}

/* Finds FUNC given as an index, an export name or a name-section name. */
static bool find_func(const weft_module *mod, const char *spec, uint32_t *out)
{
    char *end;
    unsigned long v = strtoul(spec, &end, 10);
    if (*spec && !*end && v < weft_module_func_count(mod)) {
        *out = (uint32_t)v;
        return true;
    }
    if (weft_module_export_func(mod, spec, out))
        return true;
    for (uint32_t i = 0; i < weft_module_func_count(mod); i++) {
        const char *name = weft_module_func_name(mod, i);
        if (name && !strcmp(name, spec)) {
            *out = i;
            return true;
        }
    }
    return false;
}

static int cmd_ir(int argc, char **argv)
{
    cli_options o;
    int status, i = cli_command_options("ir", argc, argv, &o, 1, 2, &status);
    if (i < 0)
        return status;
    const char *path = argv[i], *func = i + 1 < argc ? argv[i + 1] : NULL;
    weft_module *mod;
    weft_error err;
    status = 0;
    if (weft_module_load_file_with(path, &o.features, &mod, &err)) {
        cli_options_free(&o);
        return cli_report(path, &err);
    }
    uint32_t first = 0, last = weft_module_func_count(mod);
    if (func) {
        if (!find_func(mod, func, &first)) {
            fprintf(stderr, "weft: %s: no function '%s'\n", path, func);
            status = 2;
            last = 0;
        } else {
            last = first + 1;
        }
    }
    for (uint32_t f = first; f < last; f++) {
        const char *name = weft_module_func_name(mod, f);
        weft_error e;
        if (!func && weft_module_dump_ir(mod, f, NULL, &e) == WEFT_ERR_ARGUMENT)
            continue; /* Imported: nothing to show. */
        printf("func %u%s%s:\n", f, name ? " " : "", name ? name : "");
        if (weft_module_dump_ir(mod, f, stdout, &err))
            status = cli_report(path, &err);
    }
    weft_module_free(mod);
    cli_options_free(&o);
    return status;
}

/* `weft help [COMMAND]`; with --commands or --options COMMAND it lists
 * names one a line, for the shell completion. */
static int cmd_help(int argc, char **argv)
{
    if (argc == 0) {
        print_overview(stdout);
        return 0;
    }
    if (argc == 1 && (!strcmp(argv[0], "-h") || !strcmp(argv[0], "--help"))) {
        cli_command_help(cli_find_command("help"), stdout);
        return 0;
    }
    if (argc == 1 && !strcmp(argv[0], "--commands")) {
        for (size_t i = 0; i < NCOMMANDS; i++)
            printf("%s\n", commands[i].name);
        return 0;
    }
    bool list = argc == 2 && !strcmp(argv[0], "--options");
    const char *name = list ? argv[1] : argv[0];
    const cli_command *cmd = cli_find_command(name);
    if ((argc != 1 && !list) || !cmd) {
        if (argc == 1 || list)
            fprintf(stderr, "weft: unknown command '%s'\n", name);
        fprintf(stderr, "usage: weft help [COMMAND]\n");
        return USAGE_EXIT_STATUS;
    }
    if (list)
        cli_list_options(cmd, stdout);
    else
        cli_command_help(cmd, stdout);
    return 0;
}

void cli_version(FILE *out)
{
    fprintf(out, "weft %s (commit %s)\n", WEFT_VERSION, WEFT_COMMIT);
    fprintf(out, "compiler: %s\n", WEFT_COMPILER);
    fprintf(out, "dispatch strategies:");
    for (int d = WEFT_DISPATCH_DIRECT; d <= WEFT_DISPATCH_TAIL; d++)
        if (weft_dispatch_available((weft_dispatch)d))
            fprintf(out, " %s", weft_dispatch_name((weft_dispatch)d));
    for (int d = WEFT_DISPATCH_DIRECT; d <= WEFT_DISPATCH_TAIL; d++)
        if (!weft_dispatch_available((weft_dispatch)d))
            fprintf(out, " (not built: %s)", weft_dispatch_name((weft_dispatch)d));
    fprintf(out, "\nbounds modes: guard explicit\n");
    /* The completion reads the names after "switchable: ". */
    fprintf(out, "proposals past 2.0, always on: tail-call extended-const\n");
    fprintf(out, "proposals past 2.0, on by default, switchable:");
#define FEATURE_NAME(field, name, doc) fprintf(out, " %s", name);
    WEFT_FEATURE_LIST(FEATURE_NAME)
#undef FEATURE_NAME
    fprintf(out, "\nWASI: wasi_snapshot_preview1 (sockets: preopened listeners)\n");
}

static int cmd_version(int argc, char **argv)
{
    (void)argv;
    if (argc && strcmp(argv[0], "-h") && strcmp(argv[0], "--help"))
        return cli_usage_error(cli_find_command("version"));
    if (argc)
        cli_command_help(cli_find_command("version"), stdout);
    else
        cli_version(stdout);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        print_overview(stderr);
        return USAGE_EXIT_STATUS;
    }
    const char *arg = argv[1];
    if (!strcmp(arg, "--version") || !strcmp(arg, "-V"))
        return cmd_version(argc - 2, argv + 2);
    /* `weft --help` is `weft help`, and `weft --help COMMAND` its help. */
    if (!strcmp(arg, "--help") || !strcmp(arg, "-h"))
        return cmd_help(argc - 2, argv + 2);
    const cli_command *cmd = cli_find_command(arg);
    if (cmd)
        return cmd->run(argc - 2, argv + 2);
    /* As wasmtime: anything else that is an option or looks like or names
     * a file starts `weft run`, so `weft prog.wasm ARGS` and
     * `weft --dir . prog.wasm` work. */
    if (arg[0] == '-' || strchr(arg, '.') || strchr(arg, '/') || access(arg, F_OK) == 0)
        return cli_run(argc - 1, argv + 1);
    fprintf(stderr, "weft: unknown command '%s'\n", arg);
    print_overview(stderr);
    return USAGE_EXIT_STATUS;
}
