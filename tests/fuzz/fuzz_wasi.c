/* fuzz_wasi.c: a libFuzzer target for the WASI host functions. Each input
 * is a sequence of calls to wasi_snapshot_preview1 functions with arguments
 * that are mostly useful values (small fds, pointers to path strings and
 * iovecs, lengths, flags, rights) and sometimes raw ones (any pointer), made
 * against a scratch directory preopened as fd 3. Beside that directory lies
 * a secret file: after every input the directory around the sandbox must be
 * as it was, the secret unchanged, and its contents nowhere in guest memory.
 * Calls that could block or fill the disk have their arguments bounded
 * (poll_oneoff is left out: a clock subscription sleeps as asked). */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "wasi.h"
#include "weft.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The WASI functions with their parameter kinds, from wasi.h's table. */
typedef struct wasi_call {
    const char *name;
    const char *params;
} wasi_call;

#define WASI_ENTRY(name, params, nresults) { #name, params },
static const wasi_call calls[] = { WASI_FUNCS(WASI_ENTRY) };
#undef WASI_ENTRY
#define NCALLS (sizeof calls / sizeof *calls)

/* (module (memory (export "memory") 2)) */
static const uint8_t module_bytes[] = {
    0, 'a', 's', 'm', 1, 0, 0, 0,
    5, 3, 1, 0, 2,
    7, 10, 1, 6, 'm', 'e', 'm', 'o', 'r', 'y', 2, 0,
};

#define MEM_BYTES (2 * 65536u)
static const char canary[] = "weft-fuzz-wasi-SECRET-7f3a9c";

/* Paths laid out in guest memory from PATHS_AT, NUL-separated. */
#define PATHS_AT 256u
static const char *const paths[] = {
    "a", "b", "a/", "b/", "d", "d/e", "d/", "l", "l/", "../secret.txt", "..", ".", "/",
    "/etc/passwd", "d/../a", "d/../../secret.txt", "x/y/z", "a//b", "l/../a", "",
};
#define NPATHS (sizeof paths / sizeof *paths)
static uint32_t path_at[NPATHS];

/* Where iovecs and buffers live. */
#define IOVS_AT 1024u
#define BUF_AT 2048u

static char base_dir[64], box_dir[80], secret_path[96];
static weft_module *module;

static void setup_once(void)
{
    if (module)
        return;
    strcpy(base_dir, "/tmp/weft-fuzz-wasi-XXXXXX");
    if (!mkdtemp(base_dir))
        abort();
    snprintf(box_dir, sizeof box_dir, "%s/box", base_dir);
    snprintf(secret_path, sizeof secret_path, "%s/secret.txt", base_dir);
    if (mkdir(box_dir, 0755))
        abort();
    FILE *f = fopen(secret_path, "w");
    if (!f)
        abort();
    fputs(canary, f);
    fclose(f);
    if (weft_module_load(module_bytes, sizeof module_bytes, &module, NULL))
        abort();
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag;
    if (ftw->level > 0)
        remove(path);
    return 0;
}

/* The sandbox's surroundings must be untouched: only box and the secret,
 * which still says what it said. */
static void check_outside(void)
{
    DIR *d = opendir(base_dir);
    struct dirent *e;
    int n = 0;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        if (strcmp(e->d_name, "box") && strcmp(e->d_name, "secret.txt"))
            __builtin_trap();
        n++;
    }
    closedir(d);
    char buf[64] = { 0 };
    int fd = open(secret_path, O_RDONLY);
    if (n != 2 || fd < 0 || read(fd, buf, sizeof buf - 1) != (ssize_t)strlen(canary) ||
        strcmp(buf, canary))
        __builtin_trap();
    close(fd);
}

/* Reads `n` bytes of the input as a little-endian number (zeros past its end). */
static uint64_t take(const uint8_t **p, const uint8_t *end, int n)
{
    uint64_t v = 0;
    for (int i = 0; i < n && *p < end; i++)
        v |= (uint64_t)*(*p)++ << (8 * i);
    return v;
}

/* One i32 argument: a useful value picked by one byte, or four raw bytes. */
static uint32_t arg32(const uint8_t **p, const uint8_t *end)
{
    uint8_t sel = (uint8_t)take(p, end, 1);
    if (sel < 16)
        return sel;                                   /* fds, flags, small lengths */
    if (sel < 16 + NPATHS)
        return path_at[sel - 16];                     /* a path */
    if (sel < 48 + NPATHS)
        return (uint32_t)strlen(paths[(sel - 16 - NPATHS) % NPATHS]);  /* a path's length */
    switch (sel % 12) {
    case 0: return IOVS_AT;
    case 1: return BUF_AT;
    case 2: return MEM_BYTES - 4;
    case 3: return MEM_BYTES;
    case 4: return 0xffffffffu;
    case 5: return 64;
    case 6: return 4096;
    case 7: return IOVS_AT + 8;
    default: return (uint32_t)take(p, end, 4);
    }
}

static uint64_t arg64(const uint8_t **p, const uint8_t *end)
{
    uint8_t sel = (uint8_t)take(p, end, 1);
    switch (sel % 8) {
    case 0: return 0;
    case 1: return ~0ull;                            /* every right */
    case 2: return sel >> 3;
    case 3: return 1ull << 63;
    case 4: return 0x3ffffffull;                     /* many rights, not all */
    default: return take(p, end, 8);
    }
}

/* Whether the call is left out or has arguments bounded, so that no input
 * blocks or fills the disk. */
static bool tame(const char *name, weft_value *a)
{
    if (!strcmp(name, "poll_oneoff"))
        return false;
    if (!strcmp(name, "fd_allocate")) {
        a[1].of.i64 &= 0xfffff;
        a[2].of.i64 &= 0xfffff;
    }
    if (!strcmp(name, "fd_filestat_set_size"))
        a[1].of.i64 &= 0xfffff;
    if (!strcmp(name, "fd_pwrite") || !strcmp(name, "fd_pread"))
        a[3].of.i64 &= 0xfffff;
    if (!strcmp(name, "fd_seek"))
        a[1].of.i64 = (int64_t)((uint64_t)a[1].of.i64 & 0xfffff);
    return true;
}

/* Lays out the paths, and iovecs pointing at the buffer. */
static void fill_memory(weft_memory *mem)
{
    uint8_t *m = weft_memory_data(mem);
    uint32_t at = PATHS_AT;
    for (size_t i = 0; i < NPATHS; i++) {
        path_at[i] = at;
        size_t n = strlen(paths[i]);
        memcpy(m + at, paths[i], n + 1);
        at += (uint32_t)n + 1;
    }
    for (uint32_t i = 0; i < 4; i++) {
        wasi_store32(m + IOVS_AT + 8 * i, BUF_AT + 256 * i);
        wasi_store32(m + IOVS_AT + 8 * i + 4, i == 3 ? 100000 : 256);
    }
    memcpy(m + BUF_AT, "hello, sandbox\n", 15);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    setup_once();
    weft_engine *engine;
    weft_wasi *wasi;
    weft_instance *inst;
    weft_error err;
    int null_fd = open("/dev/null", O_RDWR);
    if (weft_engine_new(NULL, &engine, &err) || weft_wasi_new(engine, &wasi) ||
        weft_wasi_set_stdio(wasi, null_fd, null_fd, null_fd) ||
        weft_wasi_preopen(wasi, box_dir, "/sandbox", &err) ||
        weft_instantiate(engine, module, NULL, NULL, &inst, &err) ||
        weft_wasi_bind(wasi, inst, &err))
        abort();
    weft_extern mem_ext;
    if (!weft_instance_export(inst, "memory", 6, &mem_ext))
        abort();
    fill_memory(mem_ext.of.memory);

    const uint8_t *p = data, *end = data + size;
    for (int n = 0; n < 64 && p < end; n++) {
        const wasi_call *c = &calls[take(&p, end, 1) % NCALLS];
        weft_value a[16];
        uint32_t np = (uint32_t)strlen(c->params);
        for (uint32_t k = 0; k < np; k++) {
            memset(&a[k], 0, sizeof a[k]);
            if (c->params[k] == 'I') {
                a[k].kind = WEFT_I64;
                a[k].of.i64 = (int64_t)arg64(&p, end);
            } else {
                a[k].kind = WEFT_I32;
                a[k].of.i32 = (int32_t)arg32(&p, end);
            }
        }
        if (!tame(c->name, a))
            continue;
        weft_extern f;
        if (!weft_wasi_resolver(wasi, "wasi_snapshot_preview1", 22, c->name, strlen(c->name),
                                &f))
            abort();
        weft_value r[1];
        weft_status s = weft_call(engine, f.of.func, a, np, r, 1, &err);
        if (s != WEFT_OK && s != WEFT_ERR_TRAP)
            __builtin_trap();
    }

    /* Nothing of the secret may have reached the guest. */
    weft_memory *mem = mem_ext.of.memory;
    if (memmem(weft_memory_data(mem), weft_memory_size(mem), canary, strlen(canary)))
        __builtin_trap();
    weft_wasi_free(wasi);
    weft_engine_free(engine);
    close(null_fd);
    check_outside();
    nftw(box_dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    return 0;
}
