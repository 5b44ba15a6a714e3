/* exit_code.c: proc_exit ends the run with its code, and output written
 * before it is not lost (printf's buffer is flushed by exit). */
// expect-stdout: before exit
// expect-stdout: buffered line
// expect-exit: 42
#include "wasi_test.h"

int main(void)
{
    write(1, "before exit\n", 12);
    printf("buffered line\n");
    exit(42);
    printf("never printed\n");
}
