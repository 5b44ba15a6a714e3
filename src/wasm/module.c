/* module.c: loading a module (decode, then validate) behind the public API. */
#define _GNU_SOURCE   /* MADV_HUGEPAGE. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lower.h"
#include "module.h"

struct weft_module {
    wm_module m;
    uint8_t *bytes;   /* The module's own copy of its bytes, allocated alone so
                       * that sanitizers see any read past its end. */
};

void weft_features_init(weft_features *features)
{
    *features = (weft_features){ .multi_memory = true, .memory64 = true, .relaxed_simd = true,
                                 .function_references = true, .exceptions = true, .gc = true,
                                 .max_module_bytes = WEFT_MAX_MODULE_BYTES };
}

/* Loads a module from `bytes`, which the module takes over whatever the
 * outcome: everything decoded points into them. */
static weft_status load_owned(uint8_t *bytes, size_t size, const weft_features *features,
                              weft_module **out, weft_error *err)
{
    weft_features defaults;
    if (!features) {
        weft_features_init(&defaults);
        features = &defaults;
    }
    weft_module *mod = calloc(1, sizeof *mod);
    if (!mod) {
        free(bytes);
        wm_fail(err, WEFT_ERR_NOMEM, -1, -1, -1, "out of memory");
        return err->status;
    }
    mod->bytes = bytes;
    mod->m.features = (wm_features){ .multi_memory = features->multi_memory,
                                     .memory64 = features->memory64,
                                     .relaxed_simd = features->relaxed_simd,
                                     .function_references = features->function_references,
                                     .exceptions = features->exceptions,
                                     .gc = features->gc };
    if (!wm_decode(&mod->m, bytes, size, err) || !wm_validate(&mod->m, err)) {
        weft_module_free(mod);
        return err->status;
    }
    *out = mod;
    return WEFT_OK;
}

static void clear_error(weft_error *err)
{
    *err = (weft_error){ .status = WEFT_OK, .section = -1, .func = -1, .offset = -1 };
}

weft_status weft_module_load(const uint8_t *bytes, size_t size, weft_module **out,
                             weft_error *err)
{
    return weft_module_load_with(bytes, size, NULL, out, err);
}

/* The largest module `features` (NULL: the defaults) accepts. */
static uint64_t module_cap(const weft_features *features)
{
    return features && features->max_module_bytes ? features->max_module_bytes
                                                  : WEFT_MAX_MODULE_BYTES;
}

weft_status weft_module_load_with(const uint8_t *bytes, size_t size,
                                  const weft_features *features, weft_module **out,
                                  weft_error *err)
{
    weft_error local;
    if (!err)
        err = &local;
    clear_error(err);
    *out = NULL;
    if (!bytes && size) {
        wm_fail(err, WEFT_ERR_ARGUMENT, -1, -1, -1, "no bytes given");
        return err->status;
    }
    uint64_t cap = module_cap(features);
    if (size > cap) {
        wm_fail(err, WEFT_ERR_LIMIT, -1, -1, -1, "the module is %zu bytes, over the limit of %"
                PRIu64 " bytes (max_module_bytes)", size, cap);
        return err->status;
    }
    /* The module keeps its own copy of the bytes, allocated alone so that
     * sanitizers see any read past its end. */
    uint8_t *copy = malloc(size ? size : 1);
    if (!copy) {
        wm_fail(err, WEFT_ERR_NOMEM, -1, -1, -1, "out of memory");
        return err->status;
    }
    if (size)
        memcpy(copy, bytes, size);
    return load_owned(copy, size, features, out, err);
}

/* Files of at least this many bytes are read into memory backed by huge
 * pages where the kernel offers them: touching a fresh 4 KiB page costs a
 * fault and zeroing it, and for a 10 MB module those faults took longer
 * than the read itself. */
#define HUGE_PAGE_BYTES ((size_t)2 << 20)

/* A buffer of `n` bytes for a file's contents; free() frees it. */
static uint8_t *alloc_file_buffer(size_t n)
{
#ifdef MADV_HUGEPAGE
    if (n >= HUGE_PAGE_BYTES) {
        void *p;
        if (posix_memalign(&p, HUGE_PAGE_BYTES, n) != 0)
            return NULL;
        madvise(p, n, MADV_HUGEPAGE); /* Only advice: failing costs nothing. */
        return p;
    }
#endif
    return malloc(n);
}

/* read(2), retried when a signal interrupts it. */
static ssize_t read_some(int fd, uint8_t *buf, size_t n)
{
    ssize_t k;
    do
        k = read(fd, buf, n);
    while (k < 0 && errno == EINTR);
    return k;
}

/* Reads all of file `fd` into a buffer of exactly its size, so that, as in
 * weft_module_load, sanitizers see any read past the end. A regular file
 * takes one read into a buffer of its size, and one more to see its end;
 * anything else, or a file that grows meanwhile, a buffer that doubles.
 * Nothing past `limit` bytes is read: a file larger than that fails with
 * errno EFBIG, a regular one before any read. NULL on failure, with errno
 * set (ENOMEM when allocating failed). */
static uint8_t *read_all(int fd, uint64_t limit, size_t *size)
{
    struct stat st;
    size_t cap = limit < (1 << 16) ? (size_t)limit : 1 << 16, len = 0;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
        if ((uint64_t)st.st_size > limit) {
            errno = EFBIG;
            return NULL;
        }
        cap = (size_t)st.st_size;
    }
    uint8_t *buf = alloc_file_buffer(cap);
    if (!buf)
        return NULL;
    bool looked = false;
    for (;;) {
        uint8_t probe;
        /* When the buffer is full, read one byte aside to see whether the
         * file goes on, rather than grow the buffer for nothing. */
        ssize_t k = len < cap ? read_some(fd, buf + len, cap - len) : read_some(fd, &probe, 1);
        if (k < 0)
            break;
        if (!looked && len < cap && len + (size_t)k >= 8) {
            /* Bytes that do not start as a module are not read on: the
             * decoder's error about the preamble ("magic header not
             * detected") is the same for the first 8 bytes as for all, and
             * /dev/zero then fails at once rather than at the size cap. */
            static const uint8_t preamble[8] = { 0, 'a', 's', 'm', 1, 0, 0, 0 };
            looked = true;
            if (memcmp(buf, preamble, 8) != 0) {
                len = 8;
                k = 0;
            }
        }
        if (k == 0) {
            /* The end: give back what the buffer has to spare. */
            uint8_t *exact = len < cap ? realloc(buf, len ? len : 1) : buf;
            *size = len;
            return exact ? exact : buf;
        }
        if (len == cap) {
            if ((uint64_t)len + 1 > limit) {
                errno = EFBIG;
                break;
            }
            uint64_t want = (uint64_t)cap * 2 > limit ? limit : (uint64_t)cap * 2;
            uint8_t *grown = realloc(buf, want);
            if (!grown) {
                errno = ENOMEM;
                break;
            }
            buf = grown;
            cap = (size_t)want;
            buf[len] = probe;
        }
        len += (size_t)k;
    }
    int saved = errno;
    free(buf);
    errno = saved;
    return NULL;
}

weft_status weft_module_load_file(const char *path, weft_module **out, weft_error *err)
{
    return weft_module_load_file_with(path, NULL, out, err);
}

weft_status weft_module_load_file_with(const char *path, const weft_features *features,
                                       weft_module **out, weft_error *err)
{
    weft_error local;
    if (!err)
        err = &local;
    clear_error(err);
    *out = NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        wm_fail(err, WEFT_ERR_IO, -1, -1, -1, "cannot open %s: %s", path, strerror(errno));
        return err->status;
    }
    size_t size = 0;
    uint64_t cap = module_cap(features);
    uint8_t *bytes = read_all(fd, cap, &size);
    int failure = errno;
    close(fd);
    if (!bytes) {
        if (failure == EFBIG)
            wm_fail(err, WEFT_ERR_LIMIT, -1, -1, -1, "%s is larger than the limit of %" PRIu64
                    " bytes for a module (max_module_bytes)", path, cap);
        else if (failure == ENOMEM)
            wm_fail(err, WEFT_ERR_NOMEM, -1, -1, -1, "out of memory reading %s", path);
        else
            wm_fail(err, WEFT_ERR_IO, -1, -1, -1, "cannot read %s: %s", path,
                    strerror(failure));
        return err->status;
    }
    /* The buffer is the module's own copy already: no second one. */
    return load_owned(bytes, size, features, out, err);
}

uint32_t weft_module_func_count(const weft_module *module) { return module->m.nfuncs; }

const char *weft_module_func_name(const weft_module *module, uint32_t func)
{
    return func < module->m.nfuncs ? module->m.funcs[func].name : NULL;
}

bool weft_module_export_func(const weft_module *module, const char *name, uint32_t *func)
{
    size_t len = strlen(name);
    for (uint32_t i = 0; i < module->m.nexports; i++) {
        const wm_export *e = &module->m.exports[i];
        if (e->kind == EXT_FUNC && e->name.len == len && !memcmp(e->name.str, name, len)) {
            *func = e->index;
            return true;
        }
    }
    return false;
}

/* The switch strategy's code of defined function `func` in `*code` (the
 * same size in every strategy; it holds opcode numbers, which the listing
 * names); `err` may be NULL. */
static weft_status listing_code(const weft_module *module, uint32_t func, const ir_word **code,
                                weft_error *err)
{
    weft_error local;
    if (!err)
        err = &local;
    const wm_module *m = &module->m;
    if (func >= m->nfuncs || m->funcs[func].imported) {
        wm_fail(err, WEFT_ERR_ARGUMENT, -1, func, -1, "function %u is not defined in the module",
                func);
        return err->status;
    }
    *code = lower_function(m, func, DISPATCH_SWITCH, false, METER_NONE, err);
    return *code ? WEFT_OK : err->status;
}

weft_status weft_module_dump_ir(const weft_module *module, uint32_t func, void *out,
                                weft_error *err)
{
    const ir_word *code;
    weft_status st = listing_code(module, func, &code, err);
    if (st == WEFT_OK && out)
        ir_dump(out, code);
    return st;
}

weft_status weft_module_ir_size(const weft_module *module, uint32_t func, size_t *bytes,
                                weft_error *err)
{
    const ir_word *code;
    weft_status st = listing_code(module, func, &code, err);
    if (st == WEFT_OK)
        *bytes = (size_t)lower_code_length(code) * sizeof *code;
    return st;
}

void weft_module_free(weft_module *module)
{
    if (!module)
        return;
    lower_free_caches(&module->m);
    free(module->m.type_ids);
    wm_arena_free(&module->m.arena);
    free(module->bytes);
    free(module);
}
