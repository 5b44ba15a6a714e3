/* test_lowering_errors.c: errors that lowering finds when a function is
 * first called (lazily, not when the module loads) reach the caller as
 * themselves, with their own status and message, in every strategy. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "weft.h"

/* A function whose frame needs more slots than the IR can name (its
 * slot operands are 16 bits), called directly and from another function:
 * the first is the entry path, the second the interpreter's call path.
 * Its 40,001 locals pass the decoder's limit on locals (50,000), but the
 * v128s take two slots each: 80,001 slots. The text format has no repeat
 * count for locals, so they are spelled out (wat2wasm writes one run). */
static char *too_large_frame(void)
{
    static const char head[] = "(module (func $big (export \"big\") (result i32) (local i32";
    static const char tail[] = ") local.get 0) (func (export \"caller\") (result i32) call $big))";
    enum { EXTRA = 40000 };
    char *text = malloc(sizeof head + EXTRA * 5 + sizeof tail);
    cr_assert_not_null(text);
    char *p = stpcpy(text, head);
    for (int i = 0; i < EXTRA; i++)
        p = stpcpy(p, " v128");
    strcpy(p, tail);
    return text;
}

static void check_limit(weft_engine *e, weft_func *f, const char *where)
{
    weft_value r = { 0 };
    weft_error err;
    weft_status s = weft_call(e, f, NULL, 0, &r, 1, &err);
    cr_expect_eq(s, WEFT_ERR_LIMIT, "%s: status %s (%s)", where, weft_status_name(s),
                 err.message);
    cr_expect(strstr(err.message, "frame slots"), "%s: %s", where, err.message);
    cr_expect(strstr(err.message, "function 0"), "%s: %s", where, err.message);
    cr_expect_null(strstr(err.message, "out of memory"), "%s: %s", where, err.message);
}

Test(lowering_errors, too_large_frame_is_a_limit_error_naming_the_function)
{
    char *text = too_large_frame();
    weft_module *m = wat(text);
    free(text);
    FOR_EACH_MODE(md) {
        weft_engine *e = engine_with(md->dispatch, md->bounds);
        weft_instance *inst = instantiate(e, m);
        char where[64];
        snprintf(where, sizeof where, "%s, entry", mode_name(md));
        check_limit(e, func_of(inst, "big"), where);
        snprintf(where, sizeof where, "%s, call", mode_name(md));
        check_limit(e, func_of(inst, "caller"), where);
        weft_engine_free(e);
    }
    weft_module_free(m);
}
