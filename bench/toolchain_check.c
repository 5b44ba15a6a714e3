/* toolchain_check.c: compiled at configure time to see whether clang can
 * target wasm32-wasi with wasi-libc, compiler-rt and wasm-ld. */
#include <stdio.h>
#include <stdlib.h>

int main(void)
{
    char *p = malloc(16);
    printf("%p\n", (void *)p);
    free(p);
    return 0;
}
