/* link_error.c: an import weft does not provide is a link error naming
 * its module and field, reported before anything runs. */
// expect-exit: 1
// expect-stderr: unknown import: env.not_provided
// node: skip node reports the missing import as a JavaScript exception
#include "wasi_test.h"

__attribute__((import_module("env"), import_name("not_provided"))) void not_provided(void);

int main(void)
{
    printf("this must not run\n");
    not_provided();
    return 0;
}
