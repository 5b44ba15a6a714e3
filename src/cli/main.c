/* main.c: the `weft` command line. */
#include <stdio.h>
#include <string.h>

#include "weft.h"

static int usage(FILE *out)
{
    fputs("usage: weft validate FILE.wasm\n"
          "\n"
          "commands:\n"
          "  validate FILE.wasm   decode and validate a module; silent and exit 0 when valid,\n"
          "                       the error on stderr and exit 1 when not, exit 2 when the\n"
          "                       file cannot be read\n"
          "  help                 print this text\n",
          out);
    return out == stderr ? 2 : 0;
}

static int cmd_validate(int argc, char **argv)
{
    if (argc != 1)
        return usage(stderr);
    weft_module *mod;
    weft_error err;
    weft_status s = weft_module_load_file(argv[0], &mod, &err);
    if (s == WEFT_OK) {
        weft_module_free(mod);
        return 0;
    }
    char buf[512];
    fprintf(stderr, "weft: %s: %s: %s\n", argv[0], weft_status_name(s),
            weft_error_format(&err, buf, sizeof buf));
    return s == WEFT_ERR_IO ? 2 : 1;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return usage(stderr);
    const char *cmd = argv[1];
    if (!strcmp(cmd, "validate"))
        return cmd_validate(argc - 2, argv + 2);
    if (!strcmp(cmd, "help") || !strcmp(cmd, "--help") || !strcmp(cmd, "-h"))
        return usage(stdout);
    fprintf(stderr, "weft: unknown command '%s'\n", cmd);
    return usage(stderr);
}
