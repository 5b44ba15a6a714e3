/* weft.h: the one public header of the weft WebAssembly runtime. */
#ifndef WEFT_H
#define WEFT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The outcome of every fallible call. WEFT_OK is zero so `if (status)` reads
 * as "if it failed". */
typedef enum weft_status {
    WEFT_OK = 0,
    WEFT_ERR_MALFORMED,   /* The bytes are not a well-formed binary module. */
    WEFT_ERR_INVALID,     /* The module is well formed but fails validation. */
    WEFT_ERR_LINK,        /* An import could not be resolved or has the wrong type. */
    WEFT_ERR_TRAP,        /* Guest code trapped; the message names the trap. */
    WEFT_ERR_IO,          /* A file could not be read. */
    WEFT_ERR_NOMEM,       /* The host ran out of memory. */
    WEFT_ERR_LIMIT,       /* An implementation limit was exceeded. */
    WEFT_ERR_ARGUMENT,    /* The caller passed a bad argument. */
} weft_status;

/* Where an error happened, in terms of the module's bytes. A field that does
 * not apply is -1. */
typedef struct weft_error {
    weft_status status;
    int32_t section;      /* Section id (0..12), or -1. */
    int64_t func;         /* Function index in the module's function space, or -1. */
    int64_t offset;       /* Byte offset into the module, or -1. */
    char message[256];    /* What went wrong, in the spec's wording where it has one. */
} weft_error;

/* Formats `err` as one line ("section 10, function 3, offset 0x1a2: unexpected
 * end") into `buf` of `size` bytes and returns `buf`. */
const char *weft_error_format(const weft_error *err, char *buf, size_t size);

/* Returns a short name for a status ("malformed", "invalid", ...). */
const char *weft_status_name(weft_status status);

/* A decoded and validated module. Immutable once loaded; may be shared. */
typedef struct weft_module weft_module;

/* Decodes and validates `size` bytes of a binary module. The bytes are copied,
 * so the caller may free them afterwards. On failure *out is NULL and `err`
 * (if not NULL) says why. */
weft_status weft_module_load(const uint8_t *bytes, size_t size, weft_module **out,
                             weft_error *err);

/* Reads a whole file and loads it as with weft_module_load. A file that cannot
 * be read gives WEFT_ERR_IO. */
weft_status weft_module_load_file(const char *path, weft_module **out, weft_error *err);

/* Frees a module. NULL is accepted. */
void weft_module_free(weft_module *module);

#ifdef __cplusplus
}
#endif

#endif
