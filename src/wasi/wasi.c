/* wasi.c: WASI preview 1 (wasi_snapshot_preview1) for weft: the context and
 * its public API, import resolution, the dispatcher that every WASI host
 * function goes through, and the calls that are not about files: arguments,
 * environment, clocks, randomness, poll_oneoff, process exit and sockets.
 * Files and paths live in wasi_fs.c. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "wasi.h"

/* ---- The function table ------------------------------------------------------ */

typedef wasi_errno (*wasi_impl)(weft_wasi *w, const weft_value *a);

typedef struct wasi_entry {
    const char *name;
    const char *params;
    uint32_t nresults;
    wasi_impl impl;
} wasi_entry;

#define WASI_ENTRY(name, params, nresults) { #name, params, nresults, wasi_##name },
static const wasi_entry wasi_table[] = { WASI_FUNCS(WASI_ENTRY) };
#undef WASI_ENTRY

#define WASI_COUNT (sizeof wasi_table / sizeof wasi_table[0])

/* What a host function's user data points at: the context and which WASI
 * function it is. The weft_func is made on first import. */
typedef struct wasi_binding {
    weft_wasi *w;
    uint32_t index;
    weft_func *func;
} wasi_binding;

static const char wasi_module_name[] = "wasi_snapshot_preview1";

/* Every WASI host function lands here: it refreshes the view of linear
 * memory (a memory.grow may have moved it), runs the implementation and
 * returns its errno, or unwinds the guest for proc_exit. */
static weft_status wasi_dispatch(void *user, const weft_value *args, weft_value *results,
                                 weft_error *err)
{
    wasi_binding *b = user;
    weft_wasi *w = b->w;
    if (w->memory) {
        w->mem = weft_memory_data(w->memory);
        w->mem_size = weft_memory_size(w->memory);
    } else {
        w->mem = NULL;
        w->mem_size = 0;
    }
    const wasi_entry *e = &wasi_table[b->index];
    wasi_errno r = e->impl(w, args);
    if (r == WASI_EXIT_REQUESTED) {
        snprintf(err->message, sizeof err->message, "wasi: exit(%d)", (int)w->exit_code);
        return WEFT_ERR_TRAP;
    }
    if (e->nresults)
        results[0].of.i32 = r;
    return WEFT_OK;
}

bool weft_wasi_resolver(void *user, const char *module, size_t module_len, const char *field,
                        size_t field_len, weft_extern *out)
{
    weft_wasi *w = user;
    if (module_len != sizeof wasi_module_name - 1 ||
        memcmp(module, wasi_module_name, module_len) != 0)
        return false;
    for (uint32_t i = 0; i < WASI_COUNT; i++) {
        const wasi_entry *e = &wasi_table[i];
        if (strlen(e->name) != field_len || memcmp(e->name, field, field_len) != 0)
            continue;
        wasi_binding *b = &w->bindings[i];
        if (!b->func) {
            weft_valkind params[16], result = WEFT_I32;
            uint32_t np = (uint32_t)strlen(e->params);
            for (uint32_t k = 0; k < np; k++)
                params[k] = e->params[k] == 'I' ? WEFT_I64 : WEFT_I32;
            if (weft_func_new(w->engine, params, np, &result, e->nresults, wasi_dispatch, b,
                              &b->func))
                return false;
        }
        out->kind = WEFT_EXTERN_FUNC;
        out->of.func = b->func;
        return true;
    }
    return false;
}

/* ---- Context ------------------------------------------------------------------- */

/* Makes guest fd `fd` a standard stream on host fd `host`, which the
 * context does not own: the guest's fd_close never closes it, so weft (or
 * the embedder) can still write to it afterwards. */
static void set_stdio(weft_wasi *w, uint32_t fd, int host)
{
    struct stat st;
    uint8_t type = fstat(host, &st) == 0 ? wasi_filetype(st.st_mode) : WASI_FILETYPE_UNKNOWN;
    /* wasi-libc's isatty is "a character device that cannot seek", so a
     * terminal loses the seek rights and stdout is line-buffered. */
    uint64_t rights = R_FILE;
    if (type == WASI_FILETYPE_CHARACTER_DEVICE)
        rights &= ~(R_FD_SEEK | R_FD_TELL);
    w->fds[fd] = (wasi_fd){ .used = true, .own = false, .host = host, .type = type,
                            .base = rights };
}

weft_status weft_wasi_new(weft_engine *engine, weft_wasi **out)
{
    *out = NULL;
    if (!engine)
        return WEFT_ERR_ARGUMENT;
    weft_wasi *w = calloc(1, sizeof *w);
    if (!w || !(w->bindings = calloc(WASI_COUNT, sizeof *w->bindings))) {
        free(w);
        return WEFT_ERR_NOMEM;
    }
    w->engine = engine;
    for (uint32_t i = 0; i < WASI_COUNT; i++)
        w->bindings[i] = (wasi_binding){ .w = w, .index = i };
    /* Standard input, output and error are the host's own until
     * weft_wasi_set_stdio says otherwise. */
    for (int fd = 0; fd < 3; fd++) {
        uint32_t got;
        if (!wasi_fd_add(w, fd, false, WASI_FILETYPE_UNKNOWN, 0, 0, &got)) {
            weft_wasi_free(w);
            return WEFT_ERR_NOMEM;
        }
        set_stdio(w, got, fd);
    }
    *out = w;
    return WEFT_OK;
}

weft_status weft_wasi_set_stdio(weft_wasi *wasi, int stdin_fd, int stdout_fd, int stderr_fd)
{
    int hosts[3] = { stdin_fd, stdout_fd, stderr_fd };
    if (!wasi)
        return WEFT_ERR_ARGUMENT;
    /* All three are checked before any is taken, so a bad one changes
     * nothing. */
    for (int i = 0; i < 3; i++)
        if (hosts[i] >= 0 && fcntl(hosts[i], F_GETFD) < 0)
            return WEFT_ERR_ARGUMENT;
    for (uint32_t i = 0; i < 3; i++) {
        if (hosts[i] < 0)
            continue;
        /* A guest may have closed the stream or renumbered a file onto its
         * number; what it held there is released first. */
        if (wasi->fds[i].used)
            wasi_fd_release(&wasi->fds[i]);
        set_stdio(wasi, i, hosts[i]);
    }
    return WEFT_OK;
}

static void free_strings(char **v, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

void weft_wasi_free(weft_wasi *wasi)
{
    if (!wasi)
        return;
    free_strings(wasi->args, wasi->nargs);
    free_strings(wasi->env, wasi->nenv);
    wasi_fds_free(wasi);
    free(wasi->bindings);
    free(wasi);
}

/* Appends a copy of `s` to the vector *v of *n strings. */
static weft_status push_string(char ***v, uint32_t *n, const char *s)
{
    char **grown = realloc(*v, (*n + 1) * sizeof **v);
    if (!grown)
        return WEFT_ERR_NOMEM;
    *v = grown;
    if (!(grown[*n] = strdup(s)))
        return WEFT_ERR_NOMEM;
    (*n)++;
    return WEFT_OK;
}

weft_status weft_wasi_set_args(weft_wasi *wasi, size_t argc, const char *const *argv)
{
    free_strings(wasi->args, wasi->nargs);
    wasi->args = NULL;
    wasi->nargs = 0;
    for (size_t i = 0; i < argc; i++)
        if (push_string(&wasi->args, &wasi->nargs, argv[i]))
            return WEFT_ERR_NOMEM;
    return WEFT_OK;
}

weft_status weft_wasi_add_env(weft_wasi *wasi, const char *key_value)
{
    if (!key_value || !strchr(key_value, '=') || key_value[0] == '=')
        return WEFT_ERR_ARGUMENT;
    return push_string(&wasi->env, &wasi->nenv, key_value);
}

weft_status weft_wasi_bind(weft_wasi *wasi, weft_instance *instance, weft_error *err)
{
    weft_extern ext;
    wasi->memory = NULL;
    if (weft_instance_export(instance, "memory", 6, &ext)) {
        if (ext.kind != WEFT_EXTERN_MEMORY) {
            if (err)
                *err = (weft_error){ .status = WEFT_ERR_LINK, .section = -1, .func = -1,
                                     .offset = -1, .message = "wasi: export 'memory' is not a memory" };
            return WEFT_ERR_LINK;
        }
        wasi->memory = ext.of.memory;
    }
    return WEFT_OK;
}

bool weft_wasi_exited(const weft_wasi *wasi, int32_t *code)
{
    if (wasi->exited && code)
        *code = wasi->exit_code;
    return wasi->exited;
}

weft_status weft_wasi_run(weft_wasi *wasi, weft_instance *instance, int32_t *exit_code,
                          weft_error *err)
{
    weft_error local;
    if (!err)
        err = &local;
    *err = (weft_error){ .status = WEFT_OK, .section = -1, .func = -1, .offset = -1 };
    *exit_code = 0;
    weft_status s = weft_wasi_bind(wasi, instance, err);
    if (s)
        return s;
    weft_extern ext;
    if (!weft_instance_export(instance, "_start", 6, &ext) &&
        !weft_instance_export(instance, "_initialize", 11, &ext)) {
        err->status = WEFT_ERR_LINK;
        snprintf(err->message, sizeof err->message,
                 "wasi: the module exports neither _start nor _initialize");
        return WEFT_ERR_LINK;
    }
    if (ext.kind != WEFT_EXTERN_FUNC || weft_func_param_count(ext.of.func) != 0 ||
        weft_func_result_count(ext.of.func) != 0) {
        err->status = WEFT_ERR_LINK;
        snprintf(err->message, sizeof err->message,
                 "wasi: the entry point is not a function of type [] -> []");
        return WEFT_ERR_LINK;
    }
    s = weft_call(wasi->engine, ext.of.func, NULL, 0, NULL, 0, err);
    if (s == WEFT_ERR_TRAP && wasi->exited) {
        /* proc_exit unwinds the guest as a trap; it is a normal end. */
        *err = (weft_error){ .status = WEFT_OK, .section = -1, .func = -1, .offset = -1 };
        *exit_code = wasi->exit_code;
        return WEFT_OK;
    }
    return s;
}

/* ---- Errors and memory helpers ------------------------------------------------------ */

wasi_errno wasi_errno_from_host(int err)
{
    switch (err) {
    case 0: return WASI_ESUCCESS;
    case E2BIG: return WASI_E2BIG;
    case EACCES: return WASI_EACCES;
    case EADDRINUSE: return WASI_EADDRINUSE;
    case EADDRNOTAVAIL: return WASI_EADDRNOTAVAIL;
    case EAFNOSUPPORT: return WASI_EAFNOSUPPORT;
    case EAGAIN: return WASI_EAGAIN;
    case EALREADY: return WASI_EALREADY;
    case EBADF: return WASI_EBADF;
    case EBADMSG: return WASI_EBADMSG;
    case EBUSY: return WASI_EBUSY;
    case ECANCELED: return WASI_ECANCELED;
    case ECHILD: return WASI_ECHILD;
    case ECONNABORTED: return WASI_ECONNABORTED;
    case ECONNREFUSED: return WASI_ECONNREFUSED;
    case ECONNRESET: return WASI_ECONNRESET;
    case EDEADLK: return WASI_EDEADLK;
    case EDESTADDRREQ: return WASI_EDESTADDRREQ;
    case EDOM: return WASI_EDOM;
    case EDQUOT: return WASI_EDQUOT;
    case EEXIST: return WASI_EEXIST;
    case EFAULT: return WASI_EFAULT;
    case EFBIG: return WASI_EFBIG;
    case EHOSTUNREACH: return WASI_EHOSTUNREACH;
    case EIDRM: return WASI_EIDRM;
    case EILSEQ: return WASI_EILSEQ;
    case EINPROGRESS: return WASI_EINPROGRESS;
    case EINTR: return WASI_EINTR;
    case EINVAL: return WASI_EINVAL;
    case EIO: return WASI_EIO;
    case EISCONN: return WASI_EISCONN;
    case EISDIR: return WASI_EISDIR;
    case ELOOP: return WASI_ELOOP;
    case EMFILE: return WASI_EMFILE;
    case EMLINK: return WASI_EMLINK;
    case EMSGSIZE: return WASI_EMSGSIZE;
    case EMULTIHOP: return WASI_EMULTIHOP;
    case ENAMETOOLONG: return WASI_ENAMETOOLONG;
    case ENETDOWN: return WASI_ENETDOWN;
    case ENETRESET: return WASI_ENETRESET;
    case ENETUNREACH: return WASI_ENETUNREACH;
    case ENFILE: return WASI_ENFILE;
    case ENOBUFS: return WASI_ENOBUFS;
    case ENODEV: return WASI_ENODEV;
    case ENOENT: return WASI_ENOENT;
    case ENOEXEC: return WASI_ENOEXEC;
    case ENOLCK: return WASI_ENOLCK;
    case ENOLINK: return WASI_ENOLINK;
    case ENOMEM: return WASI_ENOMEM;
    case ENOMSG: return WASI_ENOMSG;
    case ENOPROTOOPT: return WASI_ENOPROTOOPT;
    case ENOSPC: return WASI_ENOSPC;
    case ENOSYS: return WASI_ENOSYS;
    case ENOTCONN: return WASI_ENOTCONN;
    case ENOTDIR: return WASI_ENOTDIR;
    case ENOTEMPTY: return WASI_ENOTEMPTY;
    case ENOTRECOVERABLE: return WASI_ENOTRECOVERABLE;
    case ENOTSOCK: return WASI_ENOTSOCK;
    case ENOTSUP: return WASI_ENOTSUP;
    case ENOTTY: return WASI_ENOTTY;
    case ENXIO: return WASI_ENXIO;
    case EOVERFLOW: return WASI_EOVERFLOW;
    case EOWNERDEAD: return WASI_EOWNERDEAD;
    case EPERM: return WASI_EPERM;
    case EPIPE: return WASI_EPIPE;
    case EPROTO: return WASI_EPROTO;
    case EPROTONOSUPPORT: return WASI_EPROTONOSUPPORT;
    case EPROTOTYPE: return WASI_EPROTOTYPE;
    case ERANGE: return WASI_ERANGE;
    case EROFS: return WASI_EROFS;
    case ESPIPE: return WASI_ESPIPE;
    case ESRCH: return WASI_ESRCH;
    case ESTALE: return WASI_ESTALE;
    case ETIMEDOUT: return WASI_ETIMEDOUT;
    case ETXTBSY: return WASI_ETXTBSY;
    case EXDEV: return WASI_EXDEV;
    }
    return WASI_EIO; /* A host error WASI has no name for. */
}

bool wasi_put32(weft_wasi *w, uint32_t ptr, uint32_t v)
{
    uint8_t *p = wasi_mem(w, ptr, 4);
    if (p)
        wasi_store32(p, v);
    return p != NULL;
}

bool wasi_put64(weft_wasi *w, uint32_t ptr, uint64_t v)
{
    uint8_t *p = wasi_mem(w, ptr, 8);
    if (p)
        wasi_store64(p, v);
    return p != NULL;
}

/* ---- Arguments and environment ---------------------------------------------------- */

/* The count and total size (NULs included) of a string vector. */
static wasi_errno vec_sizes(weft_wasi *w, char **v, uint32_t n, uint32_t count_ptr,
                            uint32_t size_ptr)
{
    uint64_t size = 0;
    for (uint32_t i = 0; i < n; i++)
        size += strlen(v[i]) + 1;
    if (size > UINT32_MAX)
        return WASI_E2BIG;
    if (!wasi_mem(w, count_ptr, 4) || !wasi_mem(w, size_ptr, 4))
        return WASI_EFAULT;
    wasi_put32(w, count_ptr, n);
    wasi_put32(w, size_ptr, (uint32_t)size);
    return WASI_ESUCCESS;
}

/* Writes the pointers to `ptrs` and the NUL-terminated strings to `buf`,
 * after checking that both areas lie inside memory. */
static wasi_errno vec_get(weft_wasi *w, char **v, uint32_t n, uint32_t ptrs, uint32_t buf)
{
    uint64_t size = 0;
    for (uint32_t i = 0; i < n; i++)
        size += strlen(v[i]) + 1;
    if (!wasi_mem(w, ptrs, (uint64_t)n * 4) || !wasi_mem(w, buf, size))
        return WASI_EFAULT;
    uint32_t at = buf;
    for (uint32_t i = 0; i < n; i++) {
        size_t len = strlen(v[i]) + 1;
        wasi_put32(w, ptrs + 4 * i, at);
        memcpy(w->mem + at, v[i], len);
        at += (uint32_t)len;
    }
    return WASI_ESUCCESS;
}

wasi_errno wasi_args_sizes_get(weft_wasi *w, const weft_value *a)
{
    return vec_sizes(w, w->args, w->nargs, ARG32(0), ARG32(1));
}

wasi_errno wasi_args_get(weft_wasi *w, const weft_value *a)
{
    return vec_get(w, w->args, w->nargs, ARG32(0), ARG32(1));
}

wasi_errno wasi_environ_sizes_get(weft_wasi *w, const weft_value *a)
{
    return vec_sizes(w, w->env, w->nenv, ARG32(0), ARG32(1));
}

wasi_errno wasi_environ_get(weft_wasi *w, const weft_value *a)
{
    return vec_get(w, w->env, w->nenv, ARG32(0), ARG32(1));
}

/* ---- Clocks and randomness ----------------------------------------------------------- */

/* The host clock for a WASI clock id; false for an unknown id. */
static bool host_clock(uint32_t id, clockid_t *out)
{
    switch (id) {
    case 0: *out = CLOCK_REALTIME; return true;
    case 1: *out = CLOCK_MONOTONIC; return true;
    case 2: *out = CLOCK_PROCESS_CPUTIME_ID; return true;
    case 3: *out = CLOCK_THREAD_CPUTIME_ID; return true;
    }
    return false;
}

static uint64_t timespec_ns(const struct timespec *ts)
{
    return (uint64_t)ts->tv_sec * 1000000000u + (uint64_t)ts->tv_nsec;
}

wasi_errno wasi_clock_res_get(weft_wasi *w, const weft_value *a)
{
    clockid_t c;
    struct timespec ts;
    if (!host_clock(ARG32(0), &c))
        return WASI_EINVAL;
    if (clock_getres(c, &ts))
        return wasi_errno_from_host(errno);
    return wasi_put64(w, ARG32(1), timespec_ns(&ts)) ? WASI_ESUCCESS : WASI_EFAULT;
}

wasi_errno wasi_clock_time_get(weft_wasi *w, const weft_value *a)
{
    clockid_t c;
    struct timespec ts;
    if (!host_clock(ARG32(0), &c))
        return WASI_EINVAL;
    if (clock_gettime(c, &ts))
        return wasi_errno_from_host(errno);
    return wasi_put64(w, ARG32(2), timespec_ns(&ts)) ? WASI_ESUCCESS : WASI_EFAULT;
}

wasi_errno wasi_random_get(weft_wasi *w, const weft_value *a)
{
    uint32_t len = ARG32(1);
    uint8_t *p = wasi_mem(w, ARG32(0), len);
    if (!p)
        return WASI_EFAULT;
    while (len) {
        ssize_t n = getrandom(p, len, 0);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return wasi_errno_from_host(errno);
        }
        p += n;
        len -= (uint32_t)n;
    }
    return WASI_ESUCCESS;
}

/* ---- poll_oneoff ------------------------------------------------------------------------ */

#define SUB_SIZE 48
#define EVENT_SIZE 32
#define EVENTTYPE_CLOCK 0
#define EVENTTYPE_FD_READ 1
#define EVENTTYPE_FD_WRITE 2
#define SUBCLOCK_ABSTIME 1u
#define EVENTRW_HANGUP 1u

/* Writes one event at `ev`. */
static void put_event(uint8_t *ev, uint64_t userdata, wasi_errno error, uint8_t type,
                      uint64_t nbytes, uint16_t flags)
{
    memset(ev, 0, EVENT_SIZE);
    wasi_store64(ev, userdata);
    wasi_store16(ev + 8, error);
    ev[10] = type;
    wasi_store64(ev + 16, nbytes);
    wasi_store16(ev + 24, flags);
}

/* The bytes ready to read on `fd` (for a regular file, what is left
 * before its end), or 0 when the host cannot tell. */
static uint64_t readable_bytes(int fd)
{
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
        off_t pos = lseek(fd, 0, SEEK_CUR);
        return pos >= 0 && st.st_size > pos ? (uint64_t)(st.st_size - pos) : 0;
    }
    int n = 0;
    return ioctl(fd, FIONREAD, &n) == 0 && n > 0 ? (uint64_t)n : 0;
}

/* The nanoseconds from now until a clock subscription fires (0 when it
 * already has), or an errno through *err. */
static uint64_t clock_wait(const uint8_t *sub, wasi_errno *err)
{
    clockid_t c;
    struct timespec now;
    uint64_t timeout = wasi_load64(sub + 24);
    if (!host_clock(wasi_load32(sub + 16), &c)) {
        *err = WASI_EINVAL;
        return 0;
    }
    *err = WASI_ESUCCESS;
    if (!(wasi_load16(sub + 40) & SUBCLOCK_ABSTIME))
        return timeout;
    clock_gettime(c, &now);
    uint64_t t = timespec_ns(&now);
    return timeout > t ? timeout - t : 0;
}

wasi_errno wasi_poll_oneoff(weft_wasi *w, const weft_value *a)
{
    uint32_t nsubs = ARG32(2);
    if (nsubs == 0)
        return WASI_EINVAL;
    const uint8_t *in = wasi_mem(w, ARG32(0), (uint64_t)nsubs * SUB_SIZE);
    uint8_t *out = wasi_mem(w, ARG32(1), (uint64_t)nsubs * EVENT_SIZE);
    if (!in || !out || !wasi_mem(w, ARG32(3), 4))
        return WASI_EFAULT;
    struct pollfd *pfds = calloc(nsubs, sizeof *pfds);
    uint32_t *which = calloc(nsubs, sizeof *which);
    if (!pfds || !which) {
        free(pfds);
        free(which);
        return WASI_ENOMEM;
    }
    /* Subscriptions that fail at once (a bad fd, an unknown clock) become
     * events straight away, and poll then does not wait. */
    uint32_t nev = 0, npfd = 0;
    uint64_t wait = UINT64_MAX;
    uint32_t first_clock = UINT32_MAX;  /* The subscription that fires first. */
    bool any_clock = false;
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (uint32_t i = 0; i < nsubs; i++) {
        const uint8_t *sub = in + (size_t)i * SUB_SIZE;
        uint64_t userdata = wasi_load64(sub);
        uint8_t type = sub[8];
        wasi_errno e;
        if (type == EVENTTYPE_CLOCK) {
            uint64_t ns = clock_wait(sub, &e);
            if (e)
                put_event(out + (size_t)nev++ * EVENT_SIZE, userdata, e, type, 0, 0);
            else if (ns < wait) {
                wait = ns;
                first_clock = i;
            }
            any_clock = true;
        } else if (type == EVENTTYPE_FD_READ || type == EVENTTYPE_FD_WRITE) {
            wasi_fd *f = wasi_fd_get(w, wasi_load32(sub + 16), R_POLL_FD_READWRITE, &e);
            if (!f) {
                put_event(out + (size_t)nev++ * EVENT_SIZE, userdata, e, type, 0, 0);
                continue;
            }
            pfds[npfd] = (struct pollfd){ f->host, type == EVENTTYPE_FD_READ ? POLLIN : POLLOUT,
                                          0 };
            which[npfd++] = i;
        } else {
            put_event(out + (size_t)nev++ * EVENT_SIZE, userdata, WASI_EINVAL, type, 0, 0);
        }
    }
    int ready = 0;
    if (nev == 0) {
        for (;;) {
            struct timespec ts, now, *tp = NULL;
            if (wait != UINT64_MAX) {
                clock_gettime(CLOCK_MONOTONIC, &now);
                uint64_t spent = timespec_ns(&now) - timespec_ns(&start);
                uint64_t left = wait > spent ? wait - spent : 0;
                ts = (struct timespec){ (time_t)(left / 1000000000u), (long)(left % 1000000000u) };
                tp = &ts;
            }
            ready = ppoll(pfds, npfd, tp, NULL);
            if (ready >= 0 || errno != EINTR)
                break;
        }
        if (ready < 0) {
            wasi_errno e = wasi_errno_from_host(errno);
            free(pfds);
            free(which);
            return e;
        }
    } else if (npfd) {
        ready = poll(pfds, npfd, 0);
        if (ready < 0)
            ready = 0;
    }
    for (uint32_t k = 0; k < npfd && ready > 0; k++) {
        if (!pfds[k].revents)
            continue;
        const uint8_t *sub = in + (size_t)which[k] * SUB_SIZE;
        uint8_t type = sub[8];
        uint16_t flags = pfds[k].revents & POLLHUP ? EVENTRW_HANGUP : 0;
        wasi_errno e = pfds[k].revents & POLLNVAL ? WASI_EBADF : WASI_ESUCCESS;
        uint64_t nbytes = type == EVENTTYPE_FD_READ && !e ? readable_bytes(pfds[k].fd) : 0;
        put_event(out + (size_t)nev++ * EVENT_SIZE, wasi_load64(sub), e, type, nbytes, flags);
    }
    /* Clocks fire when nothing else did, or when their time has come. */
    if (any_clock) {
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        uint64_t spent = timespec_ns(&now) - timespec_ns(&start);
        for (uint32_t i = 0; i < nsubs; i++) {
            const uint8_t *sub = in + (size_t)i * SUB_SIZE;
            wasi_errno e;
            if (sub[8] != EVENTTYPE_CLOCK)
                continue;
            uint64_t ns = clock_wait(sub, &e);
            bool abs = wasi_load16(sub + 40) & SUBCLOCK_ABSTIME;
            if (!e && (abs ? ns == 0 : ns <= spent))
                put_event(out + (size_t)nev++ * EVENT_SIZE, wasi_load64(sub), 0,
                          EVENTTYPE_CLOCK, 0, 0);
        }
        /* The wait ended at the earliest deadline, so that one has fired
         * even when the two clocks disagree by a tick. */
        if (nev == 0 && first_clock != UINT32_MAX)
            put_event(out, wasi_load64(in + (size_t)first_clock * SUB_SIZE), 0,
                      EVENTTYPE_CLOCK, 0, 0);
    }
    free(pfds);
    free(which);
    wasi_put32(w, ARG32(3), nev);
    return WASI_ESUCCESS;
}

/* ---- Process --------------------------------------------------------------------------- */

wasi_errno wasi_proc_exit(weft_wasi *w, const weft_value *a)
{
    w->exited = true;
    w->exit_code = (int32_t)ARG32(0);
    return WASI_EXIT_REQUESTED;
}

/* Raising signals is not offered: a sandboxed guest has no signal
 * handlers, and killing the host process is not its to do. */
wasi_errno wasi_proc_raise(weft_wasi *w, const weft_value *a)
{
    (void)w;
    (void)a;
    return WASI_ENOSYS;
}

wasi_errno wasi_sched_yield(weft_wasi *w, const weft_value *a)
{
    (void)w;
    (void)a;
    sched_yield();
    return WASI_ESUCCESS;
}
