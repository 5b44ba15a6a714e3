/* show_env.c: prints what a WASI command was given, for the CLI tests:
 * its arguments, the environment variables whose names start with WEFT_
 * (sorted as the host gave them), how many variables there are in all,
 * and, for an argument "cat:PATH", the first line of the file at PATH
 * (relative paths resolve in the preopened "."). Exits with the status
 * given as "exit:N". */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern char **environ;

int main(int argc, char **argv)
{
    int status = 0, n = 0;
    for (int i = 1; i < argc; i++)
        printf("arg %d: %s\n", i, argv[i]);
    for (char **e = environ; *e; e++, n++)
        if (!strncmp(*e, "WEFT_", 5))
            printf("env: %s\n", *e);
    printf("env count: %s\n", n == 0 ? "0" : n < 3 ? "few" : "many");
    for (int i = 1; i < argc; i++) {
        if (!strncmp(argv[i], "cat:", 4)) {
            FILE *f = fopen(argv[i] + 4, "r");
            char line[256] = "";
            if (!f) {
                printf("open %s: %s\n", argv[i] + 4, strerror(errno));
                continue;
            }
            if (fgets(line, sizeof line, f))
                printf("%s: %s", argv[i] + 4, line);
            fclose(f);
        } else if (!strncmp(argv[i], "exit:", 5)) {
            status = atoi(argv[i] + 5);
        }
    }
    return status;
}
