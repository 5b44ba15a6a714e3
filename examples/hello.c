/* hello.c: the classic "Hello, World!" as a WASI command, built with
 * clang --target=wasm32-wasi and run with `weft run hello.wasm`. */
#include <stdio.h>

int main(void)
{
    printf("Hello, World!\n");
    return 0;
}
