/* args_env.c: arguments, environment variables and standard input. */
// args: one two three
// env: GREETING=hello there
// env: EMPTY=
// stdin: a line from stdin
// expect-stdout: argc=4
// expect-stdout: argv[1]=one
// expect-stdout: argv[2]=two
// expect-stdout: argv[3]=three
// expect-stdout: GREETING=hello there
// expect-stdout: EMPTY=
// expect-stdout: MISSING unset
// expect-stdout: environ has GREETING and EMPTY
// expect-stdout: stdin: a line from stdin
#include "wasi_test.h"

extern char **environ;

int main(int argc, char **argv)
{
    printf("argc=%d\n", argc);
    for (int i = 1; i < argc; i++)
        printf("argv[%d]=%s\n", i, argv[i]);
    printf("GREETING=%s\n", getenv("GREETING"));
    printf("EMPTY=%s\n", getenv("EMPTY"));
    printf("MISSING %s\n", getenv("MISSING") ? "set" : "unset");
    int seen = 0;
    for (char **e = environ; *e; e++)
        seen += !strncmp(*e, "GREETING=", 9) || !strncmp(*e, "EMPTY=", 6);
    printf("environ has %s\n", seen == 2 ? "GREETING and EMPTY" : "something else");
    char line[100];
    if (fgets(line, sizeof line, stdin))
        printf("stdin: %s", line);
    return 0;
}
