/* return_code.c: main's return value is the exit status (wasi-libc calls
 * proc_exit with it), and a plain return of 0 exits with 0 too. */
// expect-stdout: returning 3
// expect-exit: 3
#include "wasi_test.h"

int main(void)
{
    printf("returning 3\n");
    return 3;
}
