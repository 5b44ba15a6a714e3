/* decode.c: the binary format, section by section (placeholder until written). */
#include "module.h"
bool wm_decode(wm_module *m, const uint8_t *bytes, size_t size, weft_error *err)
{
    (void)m; (void)bytes; (void)size;
    return wm_fail(err, WEFT_ERR_MALFORMED, -1, -1, 0, "decoder not written yet");
}
