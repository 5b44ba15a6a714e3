/* trap.c: a trap ends the run with status 134 and a message on stderr;
 * what was written before it is kept. */
// expect-stdout: written before the trap
// expect-exit: 134
// node: skip node reports a trap as an uncaught exception with status 1
#include "wasi_test.h"

int main(void)
{
    printf("written before the trap\n");
    fflush(stdout);
    __builtin_trap();
}
