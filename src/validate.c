/* validate.c: the validation algorithm (placeholder until written). */
#include "module.h"
bool wm_validate(wm_module *m, weft_error *err)
{
    (void)m;
    return wm_fail(err, WEFT_ERR_INVALID, -1, -1, -1, "validator not written yet");
}
