/* fuzz_validate.c: a libFuzzer target that decodes and validates any bytes
 * and lowers every defined function of a valid module, so the decoder, the
 * validator and the lowering all see arbitrary input. */
#include <stddef.h>
#include <stdint.h>

#include "weft.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    weft_module *module;
    weft_error err;
    if (weft_module_load(data, size, &module, &err) != WEFT_OK)
        return 0;
    /* Lowering happens lazily on a function's first call; dump_ir with no
     * output stream lowers without printing. Validation already accepted
     * the module, so lowering must succeed. */
    uint32_t n = weft_module_func_count(module);
    for (uint32_t f = 0; f < n; f++) {
        weft_status s = weft_module_dump_ir(module, f, NULL, &err);
        if (s != WEFT_OK && s != WEFT_ERR_ARGUMENT && s != WEFT_ERR_NOMEM &&
            s != WEFT_ERR_LIMIT)
            __builtin_trap();
    }
    weft_module_free(module);
    return 0;
}
