/* main.c: the `weft` command line: validate, run and ir. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "weft.h"

static const char usage_text[] =
    "usage: weft COMMAND [OPTIONS] FILE.wasm [ARGS...]\n"
    "\n"
    "commands:\n"
    "  validate FILE.wasm          decode and validate a module: silent with exit 0\n"
    "                              when valid; the error on stderr and exit 1 when\n"
    "                              not; exit 2 when the file cannot be read\n"
    "  run --invoke NAME FILE.wasm [ARGS...]\n"
    "                              call the exported function NAME with ARGS (one per\n"
    "                              parameter) and print its results, one a line\n"
    "  ir FILE.wasm [FUNC]         print the register IR of every defined function,\n"
    "                              or of FUNC (an index, an export or a name)\n"
    "  help                        print this text\n"
    "\n"
    "options of run:\n"
    "  --invoke NAME               the export to call\n"
    "  --dispatch direct|indirect|switch|tail\n"
    "                              the interpreter's dispatch strategy (default direct)\n"
    "  --bounds guard|explicit     memory bounds by guard pages (default) or by a\n"
    "                              check on every access\n"
    "  --                          ends the options\n"
    "\n"
    "exit status: 0 on success; 1 when the module is invalid, fails to link or traps;\n"
    "2 on a usage error or a file that cannot be read.\n";

static int usage(FILE *out)
{
    fputs(usage_text, out);
    return out == stderr ? 2 : 0;
}

static int report(const char *what, const weft_error *err)
{
    char buf[512];
    fprintf(stderr, "weft: %s: %s: %s\n", what, weft_status_name(err->status),
            weft_error_format(err, buf, sizeof buf));
    return err->status == WEFT_ERR_IO || err->status == WEFT_ERR_ARGUMENT ? 2 : 1;
}

static int cmd_validate(int argc, char **argv)
{
    if (argc != 1)
        return usage(stderr);
    weft_module *mod;
    weft_error err;
    if (weft_module_load_file(argv[0], &mod, &err))
        return report(argv[0], &err);
    weft_module_free(mod);
    return 0;
}

/* Parses one argument of kind `k` from text. */
static bool parse_value(const char *text, weft_valkind k, weft_value *out)
{
    char *end;
    errno = 0;
    out->kind = k;
    switch (k) {
    case WEFT_I32:
    case WEFT_I64: {
        long long v = strtoll(text, &end, 0);
        if (errno == ERANGE) {
            errno = 0;
            v = (long long)strtoull(text, &end, 0);
        }
        if (k == WEFT_I32)
            out->of.i32 = (int32_t)v;
        else
            out->of.i64 = v;
        break;
    }
    case WEFT_F32: out->of.f32 = strtof(text, &end); break;
    case WEFT_F64: out->of.f64 = strtod(text, &end); break;
    default: return false;
    }
    return end != text && *end == '\0' && errno == 0;
}

static void print_value(const weft_value *v)
{
    switch (v->kind) {
    case WEFT_I32: printf("%" PRId32 "\n", v->of.i32); break;
    case WEFT_I64: printf("%" PRId64 "\n", v->of.i64); break;
    case WEFT_F32: printf("%.9g\n", (double)v->of.f32); break;
    case WEFT_F64: printf("%.17g\n", v->of.f64); break;
    case WEFT_V128:
        for (int i = 15; i >= 0; i--)
            printf("%02x", v->of.v128[i]);
        printf("\n");
        break;
    case WEFT_FUNCREF:
    case WEFT_EXTERNREF: printf(v->of.ref ? "ref\n" : "null\n"); break;
    }
}

static bool parse_option(const char *name, const char *value, weft_config *config,
                         const char **invoke)
{
    if (!strcmp(name, "--invoke")) {
        *invoke = value;
        return true;
    }
    if (!strcmp(name, "--dispatch")) {
        weft_dispatch d;
        if (!weft_dispatch_parse(value, &d)) {
            fprintf(stderr, "weft: unknown dispatch strategy '%s'\n", value);
            return false;
        }
        if (!weft_dispatch_available(d)) {
            fprintf(stderr, "weft: the %s strategy is not in this build (it needs a compiler "
                            "with guaranteed tail calls, such as clang)\n", value);
            return false;
        }
        config->dispatch = d;
        return true;
    }
    if (!strcmp(name, "--bounds")) {
        if (!strcmp(value, "guard"))
            config->bounds = WEFT_BOUNDS_GUARD;
        else if (!strcmp(value, "explicit"))
            config->bounds = WEFT_BOUNDS_EXPLICIT;
        else {
            fprintf(stderr, "weft: unknown bounds mode '%s' (guard or explicit)\n", value);
            return false;
        }
        return true;
    }
    fprintf(stderr, "weft: unknown option '%s'\n", name);
    return false;
}

static int cmd_run(int argc, char **argv)
{
    weft_config config;
    weft_config_init(&config);
    const char *invoke = NULL;
    int i = 0;
    while (i < argc && argv[i][0] == '-' && argv[i][1] == '-') {
        if (!strcmp(argv[i], "--")) {
            i++;
            break;
        }
        const char *name = argv[i], *value = strchr(name, '=');
        char buf[64];
        if (value) {
            size_t n = (size_t)(value - name);
            if (n >= sizeof buf)
                n = sizeof buf - 1;
            memcpy(buf, name, n);
            buf[n] = '\0';
            name = buf;
            value++;
        } else if (i + 1 < argc) {
            value = argv[++i];
        } else {
            fprintf(stderr, "weft: option %s needs a value\n", name);
            return 2;
        }
        if (!parse_option(name, value, &config, &invoke))
            return 2;
        i++;
    }
    if (i >= argc)
        return usage(stderr);
    const char *path = argv[i++];
    if (!invoke) {
        fprintf(stderr, "weft: run needs --invoke NAME: running WASI commands is not "
                        "supported yet\n");
        return 2;
    }

    weft_error err;
    weft_module *mod = NULL;
    weft_engine *engine = NULL;
    weft_instance *inst = NULL;
    int status = 1;
    if (weft_module_load_file(path, &mod, &err)) {
        status = report(path, &err);
        goto out;
    }
    if (weft_engine_new(&config, &engine, &err)) {
        status = report("engine", &err);
        goto out;
    }
    if (weft_instantiate(engine, mod, NULL, NULL, &inst, &err)) {
        status = report(path, &err);
        goto out;
    }
    weft_extern ext;
    if (!weft_instance_export(inst, invoke, strlen(invoke), &ext) ||
        ext.kind != WEFT_EXTERN_FUNC) {
        fprintf(stderr, "weft: %s: no exported function '%s'\n", path, invoke);
        status = 2;
        goto out;
    }
    weft_func *fn = ext.of.func;
    uint32_t np = weft_func_param_count(fn), nr = weft_func_result_count(fn);
    if ((uint32_t)(argc - i) != np) {
        fprintf(stderr, "weft: %s takes %u argument%s, %d given\n", invoke, np,
                np == 1 ? "" : "s", argc - i);
        status = 2;
        goto out;
    }
    weft_value *args = calloc(np + 1, sizeof *args), *results = calloc(nr + 1, sizeof *results);
    if (!args || !results) {
        fprintf(stderr, "weft: out of memory\n");
        free(args);
        free(results);
        goto out;
    }
    status = 0;
    for (uint32_t k = 0; k < np && !status; k++) {
        if (!parse_value(argv[i + k], weft_func_param_kind(fn, k), &args[k])) {
            fprintf(stderr, "weft: argument %u ('%s') is not a valid value of its type\n", k + 1,
                    argv[i + k]);
            status = 2;
        }
    }
    if (!status) {
        if (weft_call(engine, fn, args, np, results, nr, &err)) {
            status = report(invoke, &err);
        } else {
            for (uint32_t k = 0; k < nr; k++)
                print_value(&results[k]);
        }
    }
    free(args);
    free(results);
out:
    fflush(stdout);
    weft_engine_free(engine);
    weft_module_free(mod);
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
    if (argc < 1 || argc > 2)
        return usage(stderr);
    weft_module *mod;
    weft_error err;
    if (weft_module_load_file(argv[0], &mod, &err))
        return report(argv[0], &err);
    int status = 0;
    uint32_t first = 0, last = weft_module_func_count(mod);
    if (argc == 2) {
        if (!find_func(mod, argv[1], &first)) {
            fprintf(stderr, "weft: %s: no function '%s'\n", argv[0], argv[1]);
            weft_module_free(mod);
            return 2;
        }
        last = first + 1;
    }
    for (uint32_t f = first; f < last; f++) {
        const char *name = weft_module_func_name(mod, f);
        weft_error e;
        if (argc == 1 && weft_module_dump_ir(mod, f, NULL, &e) == WEFT_ERR_ARGUMENT)
            continue; /* Imported: nothing to show. */
        printf("func %u%s%s:\n", f, name ? " " : "", name ? name : "");
        if (weft_module_dump_ir(mod, f, stdout, &err))
            status = report(argv[0], &err);
    }
    weft_module_free(mod);
    return status;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return usage(stderr);
    const char *cmd = argv[1];
    if (!strcmp(cmd, "validate"))
        return cmd_validate(argc - 2, argv + 2);
    if (!strcmp(cmd, "run"))
        return cmd_run(argc - 2, argv + 2);
    if (!strcmp(cmd, "ir"))
        return cmd_ir(argc - 2, argv + 2);
    if (!strcmp(cmd, "help") || !strcmp(cmd, "--help") || !strcmp(cmd, "-h"))
        return usage(stdout);
    fprintf(stderr, "weft: unknown command '%s'\n", cmd);
    return usage(stderr);
}
