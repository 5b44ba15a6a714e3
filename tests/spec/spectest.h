/* spectest.h: the `spectest` host module that the spec scripts import from. */
#ifndef SPEC_SPECTEST_H
#define SPEC_SPECTEST_H

#include <stdbool.h>
#include <stddef.h>

#include "weft.h"

/* print, six typed print_* functions, four globals, a table, a 64-bit
 * table and a memory. */
#define SPECTEST_COUNT 14

/* One export of the module. */
typedef struct spectest_entry {
    const char *field;
    weft_extern ext;
} spectest_entry;

typedef struct spectest {
    spectest_entry entries[SPECTEST_COUNT];
} spectest;

/* Makes the module's functions, globals, table and memory in `engine`, as
 * the reference interpreter defines them. They belong to the engine. */
bool spectest_make(weft_engine *engine, spectest *out);

/* Looks up one export by name (`field` need not be NUL-terminated). */
bool spectest_lookup(const spectest *module, const char *field, size_t field_len,
                     weft_extern *out);

#endif
