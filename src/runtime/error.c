/* error.c: building and formatting weft_error values. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>

#include "module.h"

bool wm_fail(weft_error *err, weft_status status, int section, int64_t func, int64_t offset,
             const char *fmt, ...)
{
    if (!err)
        return false;
    err->status = status;
    err->section = section;
    err->func = func;
    err->offset = offset;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    return false;
}

const char *weft_status_name(weft_status status)
{
    switch (status) {
    case WEFT_OK: return "ok";
    case WEFT_ERR_MALFORMED: return "malformed";
    case WEFT_ERR_INVALID: return "invalid";
    case WEFT_ERR_LINK: return "link error";
    case WEFT_ERR_TRAP: return "trap";
    case WEFT_ERR_IO: return "i/o error";
    case WEFT_ERR_NOMEM: return "out of memory";
    case WEFT_ERR_LIMIT: return "limit exceeded";
    case WEFT_ERR_ARGUMENT: return "bad argument";
    case WEFT_ERR_FUEL: return "out of fuel";
    case WEFT_ERR_INTERRUPTED: return "interrupted";
    case WEFT_ERR_EXCEPTION: return "uncaught exception";
    }
    return "unknown status";
}

const char *weft_error_format(const weft_error *err, char *buf, size_t size)
{
    static const char *const section_names[] = {
        "custom", "type", "import", "function", "table", "memory", "global",
        "export", "start", "element", "code", "data", "data count",
    };
    size_t n = 0;
    buf[0] = '\0';
#define PUT(...)                                                        \
    do {                                                                \
        int k = snprintf(buf + n, n < size ? size - n : 0, __VA_ARGS__); \
        if (k > 0)                                                      \
            n += (size_t)k;                                             \
    } while (0)
    if (err->section >= 0 && err->section <= 12)
        PUT("%s section, ", section_names[err->section]);
    else if (err->section >= 0)
        PUT("section %d, ", err->section);
    if (err->func >= 0)
        PUT("function %" PRId64 ", ", err->func);
    if (err->offset >= 0)
        PUT("offset 0x%" PRIx64 ", ", err->offset);
    if (n >= 2 && n < size) {
        n -= 2; /* Turn the trailing ", " into ": ". */
        PUT(": ");
    }
    PUT("%s", err->message);
#undef PUT
    return buf;
}
