/* wasi_fs.c: WASI preview 1 files and paths: the fd table, preopened
 * directories, the sandboxed resolution of guest paths (openat2 with
 * RESOLVE_BENEATH where the kernel has it, a component walk otherwise), and
 * every fd_* and path_* call. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#ifdef __linux__
#include <sys/syscall.h>
#if defined(SYS_openat2) && __has_include(<linux/openat2.h>)
#include <linux/openat2.h>
#define HAVE_OPENAT2 1
#endif
#endif

#include "wasi.h"

/* Symbolic links followed while resolving one path, as Linux allows. */
#define MAX_SYMLINKS 40
/* The most guest fds at once. */
#define MAX_FDS 65536u

/* ---- The fd table ------------------------------------------------------------------ */

uint8_t wasi_filetype(unsigned mode)
{
    switch (mode & S_IFMT) {
    case S_IFBLK: return WASI_FILETYPE_BLOCK_DEVICE;
    case S_IFCHR: return WASI_FILETYPE_CHARACTER_DEVICE;
    case S_IFDIR: return WASI_FILETYPE_DIRECTORY;
    case S_IFREG: return WASI_FILETYPE_REGULAR_FILE;
    case S_IFSOCK: return WASI_FILETYPE_SOCKET_STREAM;
    case S_IFLNK: return WASI_FILETYPE_SYMBOLIC_LINK;
    }
    return WASI_FILETYPE_UNKNOWN;
}

wasi_fd *wasi_fd_get(weft_wasi *w, uint32_t fd, uint64_t rights, wasi_errno *err)
{
    if (fd >= w->nfds || !w->fds[fd].used) {
        *err = WASI_EBADF;
        return NULL;
    }
    wasi_fd *f = &w->fds[fd];
    if ((f->base & rights) != rights) {
        *err = WASI_ENOTCAPABLE;
        return NULL;
    }
    *err = WASI_ESUCCESS;
    return f;
}

bool wasi_fd_add(weft_wasi *w, int host, bool own, uint8_t type, uint64_t base,
                 uint64_t inheriting, uint32_t *out)
{
    uint32_t i = 0;
    while (i < w->nfds && w->fds[i].used)
        i++;
    if (i == w->nfds) {
        if (w->nfds >= MAX_FDS)
            return false;
        uint32_t n = w->nfds ? w->nfds * 2 : 16;
        wasi_fd *grown = realloc(w->fds, n * sizeof *grown);
        if (!grown)
            return false;
        memset(grown + w->nfds, 0, (n - w->nfds) * sizeof *grown);
        w->fds = grown;
        w->nfds = n;
    }
    w->fds[i] = (wasi_fd){ .used = true, .own = own, .host = host, .type = type, .base = base,
                           .inheriting = inheriting };
    *out = i;
    return true;
}

void wasi_fd_release(wasi_fd *f)
{
    if (f->dir)
        closedir(f->dir);
    if (f->own)
        close(f->host);
    free(f->preopen);
    *f = (wasi_fd){ 0 };
}

void wasi_fds_free(weft_wasi *w)
{
    for (uint32_t i = 0; i < w->nfds; i++)
        if (w->fds[i].used)
            wasi_fd_release(&w->fds[i]);
    free(w->fds);
    w->fds = NULL;
    w->nfds = 0;
}

weft_status weft_wasi_preopen(weft_wasi *wasi, const char *host_path, const char *guest_path,
                              weft_error *err)
{
    weft_error local;
    if (!err)
        err = &local;
    *err = (weft_error){ .status = WEFT_OK, .section = -1, .func = -1, .offset = -1 };
    if (!guest_path)
        guest_path = host_path;
    int fd = open(host_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        err->status = WEFT_ERR_IO;
        snprintf(err->message, sizeof err->message, "cannot open directory '%s': %s",
                 host_path, strerror(errno));
        return WEFT_ERR_IO;
    }
    char *name = strdup(guest_path);
    uint32_t slot;
    if (!name || !wasi_fd_add(wasi, fd, true, WASI_FILETYPE_DIRECTORY, R_DIR, R_ALL, &slot)) {
        free(name);
        close(fd);
        err->status = WEFT_ERR_NOMEM;
        snprintf(err->message, sizeof err->message, "out of memory");
        return WEFT_ERR_NOMEM;
    }
    wasi->fds[slot].preopen = name;
    return WEFT_OK;
}

/* ---- Sandboxed path resolution ------------------------------------------------------- */

/* Copies a guest path out of memory as a C string. */
static wasi_errno guest_path(weft_wasi *w, uint32_t ptr, uint32_t len, char **out)
{
    const uint8_t *p = wasi_mem(w, ptr, len);
    if (!p)
        return WASI_EFAULT;
    if (len == 0)
        return WASI_ENOENT;
    if (len >= PATH_MAX)
        return WASI_ENAMETOOLONG;
    if (memchr(p, '\0', len))
        return WASI_EILSEQ;
    if (!(*out = malloc(len + 1)))
        return WASI_ENOMEM;
    memcpy(*out, p, len);
    (*out)[len] = '\0';
    return WASI_ESUCCESS;
}

/* Whether openat2 is to be used: unknown (0), yes (1) or no (-1). Setting
 * WEFT_WASI_NO_OPENAT2 in the environment forces the fallback, so tests
 * can check both. */
static int openat2_state;

static bool use_openat2(void)
{
#ifdef HAVE_OPENAT2
    if (openat2_state == 0)
        openat2_state = getenv("WEFT_WASI_NO_OPENAT2") ? -1 : 1;
    return openat2_state > 0;
#else
    return false;
#endif
}

/* Reads symlink `name` in `dir` into a fresh string. */
static wasi_errno read_link(int dir, const char *name, char **out)
{
    char buf[PATH_MAX];
    ssize_t n = readlinkat(dir, name, buf, sizeof buf - 1);
    if (n < 0)
        return wasi_errno_from_host(errno);
    buf[n] = '\0';
    if (buf[0] == '/')
        return WASI_ENOTCAPABLE; /* An absolute target always leaves the sandbox. */
    return (*out = strdup(buf)) ? WASI_ESUCCESS : WASI_ENOMEM;
}

/* The fallback resolver: walks `rel` one component at a time from `root`,
 * opening every directory with O_PATH|O_NOFOLLOW, keeping a stack of them
 * so `..` can never climb above `root`, and expanding symbolic links in
 * place (never absolute ones). The last component is opened with `flags`
 * plus O_NOFOLLOW, so nothing swapped in meanwhile is followed. */
static int walk(int root, const char *rel, int flags, mode_t mode, wasi_errno *err)
{
    char *queue = strdup(rel);
    int *stack = NULL;
    size_t depth = 0, cap = 0;
    int cur = root, result = -1, links = 0;
    *err = WASI_ESUCCESS;
    if (!queue) {
        *err = WASI_ENOMEM;
        return -1;
    }
    char *pos = queue;
    for (;;) {
        while (*pos == '/')
            pos++;
        if (!*pos) {
            /* The path ended on "." or "..": open the directory reached. */
            if ((result = openat(cur, ".", flags | O_CLOEXEC, mode)) < 0)
                *err = wasi_errno_from_host(errno);
            break;
        }
        size_t n = strcspn(pos, "/");
        char *rest = pos + n;
        size_t tail = strspn(rest, "/");
        bool last = rest[tail] == '\0', trailing = last && tail > 0;
        char name[NAME_MAX + 1];
        if (n > NAME_MAX) {
            *err = WASI_ENAMETOOLONG;
            break;
        }
        memcpy(name, pos, n);
        name[n] = '\0';
        if (!strcmp(name, ".")) {
            pos = rest;
            continue;
        }
        if (!strcmp(name, "..")) {
            if (depth == 0) {
                *err = WASI_ENOTCAPABLE;
                break;
            }
            close(stack[--depth]);
            cur = depth ? stack[depth - 1] : root;
            pos = rest;
            continue;
        }
        struct stat st;
        bool exists = fstatat(cur, name, &st, AT_SYMLINK_NOFOLLOW) == 0;
        if (!exists && errno != ENOENT) {
            *err = wasi_errno_from_host(errno);
            break;
        }
        bool follow = !last || trailing || !(flags & O_NOFOLLOW);
        if (exists && S_ISLNK(st.st_mode) && follow) {
            char *target;
            if (++links > MAX_SYMLINKS) {
                *err = WASI_ELOOP;
                break;
            }
            if ((*err = read_link(cur, name, &target)))
                break;
            char *next = malloc(strlen(target) + strlen(rest) + 1);
            if (!next) {
                free(target);
                *err = WASI_ENOMEM;
                break;
            }
            strcpy(next, target);
            strcat(next, rest);
            free(target);
            free(queue);
            pos = queue = next;
            continue;
        }
        if (last) {
            int f = flags | O_NOFOLLOW | O_CLOEXEC;
            if (trailing && (flags & O_CREAT)) {
                /* As open(2) does: "name/" with O_CREAT names a directory,
                 * which open never creates. */
                *err = WASI_EISDIR;
                break;
            }
            if (trailing)
                f |= O_DIRECTORY;
            if ((result = openat(cur, name, f, mode)) < 0)
                *err = wasi_errno_from_host(errno);
            break;
        }
        if (!exists || !S_ISDIR(st.st_mode)) {
            *err = exists ? WASI_ENOTDIR : WASI_ENOENT;
            break;
        }
        if (depth == cap) {
            size_t c = cap ? cap * 2 : 16;
            int *grown = realloc(stack, c * sizeof *grown);
            if (!grown) {
                *err = WASI_ENOMEM;
                break;
            }
            stack = grown;
            cap = c;
        }
        int d = openat(cur, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (d < 0) {
            *err = wasi_errno_from_host(errno);
            break;
        }
        stack[depth++] = cur = d;
        pos = rest;
    }
    while (depth)
        close(stack[--depth]);
    free(stack);
    free(queue);
    return result;
}

/* Opens `rel` beneath directory `root` with `flags`, never leaving it:
 * escapes (by "..", an absolute path or a symbolic link) are notcapable. */
static int open_beneath(int root, const char *rel, int flags, mode_t mode, wasi_errno *err)
{
    if (rel[0] == '/') {
        *err = WASI_ENOTCAPABLE;
        return -1;
    }
#ifdef HAVE_OPENAT2
    if (use_openat2()) {
        struct open_how how = { .flags = (uint64_t)(flags | O_CLOEXEC),
                                .mode = flags & O_CREAT ? mode : 0,
                                .resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS };
        for (int tries = 0; tries < 16; tries++) {
            long fd = syscall(SYS_openat2, root, rel, &how, sizeof how);
            if (fd >= 0) {
                *err = WASI_ESUCCESS;
                return (int)fd;
            }
            if (errno == EAGAIN || errno == EINTR)
                continue; /* A rename raced the lookup; the kernel asks to retry. */
            if (errno == ENOSYS) {
                openat2_state = -1;
                break;
            }
            *err = errno == EXDEV ? WASI_ENOTCAPABLE : wasi_errno_from_host(errno);
            return -1;
        }
        if (openat2_state > 0) {
            *err = WASI_EAGAIN;
            return -1;
        }
    }
#endif
    return walk(root, rel, flags, mode, err);
}

/* A resolved path: the directory holding its last component (an O_PATH fd
 * to close with path_done) and that component's name, which is never "..". */
typedef struct wasi_path {
    int dir;
    const char *name;
    char *buf;
    bool slash;               /* The guest path ended in '/'. */
    char slashed[NAME_MAX + 2];  /* `name` with that '/' put back (see host_name). */
} wasi_path;

/* The name to hand the host for a call that creates or replaces `p`: with
 * the guest's trailing slash put back, so the kernel applies its rules
 * (a link or symlink named "x/" is noent when x does not exist, a rename
 * of a file onto "x/" is notdir) instead of creating "x". */
static const char *host_name(wasi_path *p)
{
    if (!p->slash || strlen(p->name) > NAME_MAX)
        return p->name;
    snprintf(p->slashed, sizeof p->slashed, "%s/", p->name);
    return p->slashed;
}

static void path_done(wasi_path *p)
{
    if (p->dir >= 0)
        close(p->dir);
    free(p->buf);
    p->dir = -1;
    p->buf = NULL;
}

/* Resolves guest path `path` against preopen-derived directory `base`.
 * With `follow` (or a trailing slash) a symbolic link in the last
 * component is expanded, within the sandbox, until it names something
 * else. Takes ownership of `path`. */
static wasi_errno resolve(const wasi_fd *base, char *path, bool follow, wasi_path *out)
{
    *out = (wasi_path){ .dir = -1 };
    int links = 0;
    wasi_errno e;
    for (;;) {
        if (path[0] == '/') {
            free(path);
            return WASI_ENOTCAPABLE;
        }
        size_t n = strlen(path);
        bool slash = false;
        while (n > 1 && path[n - 1] == '/') {
            path[--n] = '\0';
            slash = true;
        }
        char *cut = strrchr(path, '/');
        char *name = cut ? cut + 1 : path;
        if (!strcmp(name, ".") || !strcmp(name, "..")) {
            /* The directory itself: resolve all of it, and act on ".". */
            out->dir = open_beneath(base->host, path, O_PATH | O_DIRECTORY, 0, &e);
            free(path);
            if (out->dir < 0)
                return e;
            out->name = ".";
            return WASI_ESUCCESS;
        }
        if (cut)
            *cut = '\0';
        int dir = open_beneath(base->host, cut ? path : ".", O_PATH | O_DIRECTORY, 0, &e);
        if (dir < 0) {
            free(path);
            return e;
        }
        struct stat st;
        bool exists = fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) == 0;
        if (exists && S_ISLNK(st.st_mode) && (follow || slash)) {
            char *target;
            if (++links > MAX_SYMLINKS)
                e = WASI_ELOOP;
            else
                e = read_link(dir, name, &target);
            close(dir);
            if (e) {
                free(path);
                return e;
            }
            char *next = malloc(strlen(path) + strlen(target) + 3);
            if (!next) {
                free(path);
                free(target);
                return WASI_ENOMEM;
            }
            sprintf(next, "%s%s%s%s", cut ? path : "", cut ? "/" : "", target, slash ? "/" : "");
            free(path);
            free(target);
            path = next;
            continue;
        }
        if (slash && exists && !S_ISDIR(st.st_mode)) {
            close(dir);
            free(path);
            return WASI_ENOTDIR;
        }
        *out = (wasi_path){ .dir = dir, .name = name, .buf = path, .slash = slash };
        return WASI_ESUCCESS;
    }
}

/* Looks up directory fd `fd` with `rights`, copies the guest path and
 * resolves it: the common start of every path_* call. */
static wasi_errno path_arg(weft_wasi *w, uint32_t fd, uint64_t rights, uint32_t ptr,
                           uint32_t len, bool follow, wasi_path *out)
{
    wasi_errno e;
    char *path;
    *out = (wasi_path){ .dir = -1 };
    const wasi_fd *f = wasi_fd_get(w, fd, rights, &e);
    if (!f)
        return e;
    if (f->type != WASI_FILETYPE_DIRECTORY)
        return WASI_ENOTDIR;
    if ((e = guest_path(w, ptr, len, &path)))
        return e;
    return resolve(f, path, follow, out);
}

/* ---- Shared helpers -------------------------------------------------------------------- */

/* Turns the guest's iovec array into host iovecs, checking every buffer. */
wasi_errno wasi_gather(weft_wasi *w, uint32_t iovs, uint32_t n, struct iovec *out)
{
    if (n > WASI_MAX_IOVS)
        return WASI_EINVAL;
    const uint8_t *v = wasi_mem(w, iovs, (uint64_t)n * 8);
    if (!v)
        return WASI_EFAULT;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t buf = wasi_load32(v + 8 * i), len = wasi_load32(v + 8 * i + 4);
        uint8_t *p = wasi_mem(w, buf, len);
        if (!p)
            return WASI_EFAULT;
        out[i] = (struct iovec){ p, len };
    }
    return WASI_ESUCCESS;
}

static uint64_t ts_ns(const struct timespec *ts)
{
    return (uint64_t)ts->tv_sec * 1000000000u + (uint64_t)ts->tv_nsec;
}

/* Writes a 64-byte filestat. */
static void put_filestat(uint8_t *p, const struct stat *st)
{
    memset(p, 0, 64);
    wasi_store64(p, (uint64_t)st->st_dev);
    wasi_store64(p + 8, (uint64_t)st->st_ino);
    p[16] = wasi_filetype(st->st_mode);
    wasi_store64(p + 24, (uint64_t)st->st_nlink);
    wasi_store64(p + 32, (uint64_t)st->st_size);
    wasi_store64(p + 40, ts_ns(&st->st_atim));
    wasi_store64(p + 48, ts_ns(&st->st_mtim));
    wasi_store64(p + 56, ts_ns(&st->st_ctim));
}

/* The two timespecs of utimensat from WASI's times and fstflags. */
static wasi_errno make_times(uint64_t atim, uint64_t mtim, uint32_t fst, struct timespec ts[2])
{
    if (fst & ~15u || ((fst & WASI_FST_ATIM) && (fst & WASI_FST_ATIM_NOW)) ||
        ((fst & WASI_FST_MTIM) && (fst & WASI_FST_MTIM_NOW)))
        return WASI_EINVAL;
    uint64_t t[2] = { atim, mtim };
    uint32_t set[2] = { WASI_FST_ATIM, WASI_FST_MTIM };
    uint32_t now[2] = { WASI_FST_ATIM_NOW, WASI_FST_MTIM_NOW };
    for (int i = 0; i < 2; i++) {
        if (fst & now[i])
            ts[i] = (struct timespec){ 0, UTIME_NOW };
        else if (fst & set[i])
            ts[i] = (struct timespec){ (time_t)(t[i] / 1000000000u), (long)(t[i] % 1000000000u) };
        else
            ts[i] = (struct timespec){ 0, UTIME_OMIT };
    }
    return WASI_ESUCCESS;
}

static wasi_errno host_result(int r)
{
    return r < 0 ? wasi_errno_from_host(errno) : WASI_ESUCCESS;
}

/* ---- fd_* ------------------------------------------------------------------------------ */

/* The common shape of fd_read, fd_write, fd_pread and fd_pwrite. */
static wasi_errno rw(weft_wasi *w, const weft_value *a, uint64_t rights, bool write,
                     bool positioned)
{
    wasi_errno e;
    struct iovec iov[WASI_MAX_IOVS];
    wasi_fd *f = wasi_fd_get(w, ARG32(0), rights, &e);
    if (!f)
        return e;
    uint32_t n = ARG32(2), out = positioned ? ARG32(4) : ARG32(3);
    uint64_t offset = positioned ? ARG64(3) : 0;
    if ((e = wasi_gather(w, ARG32(1), n, iov)))
        return e;
    if (!wasi_mem(w, out, 4))
        return WASI_EFAULT;
    if (offset > INT64_MAX)
        return WASI_EINVAL;
    ssize_t r;
    do {
        if (positioned)
            r = write ? pwritev(f->host, iov, (int)n, (off_t)offset)
                      : preadv(f->host, iov, (int)n, (off_t)offset);
        else
            r = write ? writev(f->host, iov, (int)n) : readv(f->host, iov, (int)n);
    } while (r < 0 && errno == EINTR);
    if (r < 0)
        return wasi_errno_from_host(errno);
    wasi_put32(w, out, (uint32_t)r);
    return WASI_ESUCCESS;
}

wasi_errno wasi_fd_read(weft_wasi *w, const weft_value *a)
{
    return rw(w, a, R_FD_READ, false, false);
}

wasi_errno wasi_fd_write(weft_wasi *w, const weft_value *a)
{
    return rw(w, a, R_FD_WRITE, true, false);
}

wasi_errno wasi_fd_pread(weft_wasi *w, const weft_value *a)
{
    return rw(w, a, R_FD_READ | R_FD_SEEK, false, true);
}

wasi_errno wasi_fd_pwrite(weft_wasi *w, const weft_value *a)
{
    return rw(w, a, R_FD_WRITE | R_FD_SEEK, true, true);
}

wasi_errno wasi_fd_seek(weft_wasi *w, const weft_value *a)
{
    wasi_errno e;
    int64_t offset = (int64_t)ARG64(1);
    uint32_t whence = ARG32(2);
    /* Asking for the position alone needs only the tell right. */
    uint64_t right = whence == 1 && offset == 0 ? R_FD_TELL : R_FD_SEEK;
    wasi_fd *f = wasi_fd_get(w, ARG32(0), right, &e);
    if (!f)
        return e;
    static const int whences[] = { SEEK_SET, SEEK_CUR, SEEK_END };
    if (whence > 2)
        return WASI_EINVAL;
    if (!wasi_mem(w, ARG32(3), 8))
        return WASI_EFAULT;
    off_t r = lseek(f->host, (off_t)offset, whences[whence]);
    if (r < 0)
        return wasi_errno_from_host(errno);
    wasi_put64(w, ARG32(3), (uint64_t)r);
    return WASI_ESUCCESS;
}

wasi_errno wasi_fd_tell(weft_wasi *w, const weft_value *a)
{
    wasi_errno e;
    wasi_fd *f = wasi_fd_get(w, ARG32(0), R_FD_TELL, &e);
    if (!f)
        return e;
    if (!wasi_mem(w, ARG32(1), 8))
        return WASI_EFAULT;
    off_t r = lseek(f->host, 0, SEEK_CUR);
    if (r < 0)
        return wasi_errno_from_host(errno);
    wasi_put64(w, ARG32(1), (uint64_t)r);
    return WASI_ESUCCESS;
}

wasi_errno wasi_fd_close(weft_wasi *w, const weft_value *a)
{
    wasi_errno e;
    wasi_fd *f = wasi_fd_get(w, ARG32(0), 0, &e);
    if (!f)
        return e;
    wasi_fd_release(f);
    return WASI_ESUCCESS;
}

/* Renumbers `from` onto `to`, closing what `to` held. As in wasmtime and
 * wasmer, `to` need not be open: programs close fd 1 and then renumber a
 * file onto it to capture their own output (Yosys does, around ABC). The
 * descriptor keeps its rights, so nothing widens; only numbers below
 * MAX_FDS are taken, so a guest cannot make the table huge. */
wasi_errno wasi_fd_renumber(weft_wasi *w, const weft_value *a)
{
    wasi_errno e;
    uint32_t from = ARG32(0), to = ARG32(1);
    wasi_fd *f = wasi_fd_get(w, from, 0, &e);
    if (!f)
        return e;
    if (from == to)
        return WASI_ESUCCESS;
    if (to >= MAX_FDS)
        return WASI_EBADF;
    if (to >= w->nfds) {
        uint32_t n = w->nfds ? w->nfds : 16;
        while (n <= to)
            n *= 2;
        wasi_fd *grown = realloc(w->fds, n * sizeof *grown);
        if (!grown)
            return WASI_ENOMEM;
        memset(grown + w->nfds, 0, (n - w->nfds) * sizeof *grown);
        w->fds = grown;
        w->nfds = n;
        f = &w->fds[from];
    }
    wasi_fd *t = &w->fds[to];
    if (t->used)
        wasi_fd_release(t);
    *t = *f;
    *f = (wasi_fd){ 0 };
    return WASI_ESUCCESS;
}

wasi_errno wasi_fd_sync(weft_wasi *w, const weft_value *a)
{
    wasi_errno e;
    wasi_fd *f = wasi_fd_get(w, ARG32(0), R_FD_SYNC, &e);
    return f ? host_result(fsync(f->host)) : e;
}

wasi_errno wasi_fd_datasync(weft_wasi *w, const weft_value *a)
{
    wasi_errno e;
    wasi_fd *f = wasi_fd_get(w, ARG32(0), R_FD_DATASYNC, &e);
    return f ? host_result(fdatasync(f->host)) : e;
}

wasi_errno wasi_fd_fdstat_get(weft_wasi *w, const weft_value *a)
{
    wasi_errno e;
    wasi_fd *f = wasi_fd_get(w, ARG32(0), 0, &e);
    if (!f)
        return e;
    uint8_t *p = wasi_mem(w, ARG32(1), 24);
    if (!p)
        return WASI_EFAULT;
    int fl = fcntl(f->host, F_GETFL);
    uint16_t flags = 0;
    if (fl >= 0) {
        if (fl & O_APPEND)
            flags |= WASI_FDFLAG_APPEND;
        if (fl & O_NONBLOCK)
            flags |= WASI_FDFLAG_NONBLOCK;
        if ((fl & O_SYNC) == O_SYNC)
            flags |= WASI_FDFLAG_SYNC;
        else if (fl & O_DSYNC)
            flags |= WASI_FDFLAG_DSYNC;
    }
    memset(p, 0, 24);
    p[0] = f->type;
    wasi_store16(p + 2, flags);
    wasi_store64(p + 8, f->base);
    wasi_store64(p + 16, f->inheriting);
    return WASI_ESUCCESS;
}

wasi_errno wasi_fd_fdstat_set_flags(weft_wasi *w, const weft_value *a)
{
    wasi_errno e;
    wasi_fd *f = wasi_fd_get(w, ARG32(0), R_FD_FDSTAT_SET_FLAGS, &e);
    if (!f)
        return e;
    uint32_t flags = ARG32(1) & 0xffff;
    /* Linux cannot change the sync flags of an open file. */
    if (flags & ~(WASI_FDFLAG_APPEND | WASI_FDFLAG_NONBLOCK))
        return WASI_ENOTSUP;
    int fl = fcntl(f->host, F_GETFL);
    if (fl < 0)
        return wasi_errno_from_host(errno);
    fl &= ~(O_APPEND | O_NONBLOCK);
    if (flags & WASI_FDFLAG_APPEND)
        fl |= O_APPEND;
    if (flags & WASI_FDFLAG_NONBLOCK)
        fl |= O_NONBLOCK;
    return host_result(fcntl(f->host, F_SETFL, fl));
}

wasi_errno wasi_fd_fdstat_set_rights(weft_wasi *w, const weft_value *a)
{
    wasi_errno e;
    wasi_fd *f = wasi_fd_get(w, ARG32(0), 0, &e);
    if (!f)
        return e;
    uint64_t base = ARG64(1), inheriting = ARG64(2);
    /* Rights can only be dropped, never gained. */
    if ((base & ~f->base) || (inheriting & ~f->inheriting))
        return WASI_ENOTCAPABLE;
    f->base = base;
    f->inheriting = inheriting;
    return WASI_ESUCCESS;
}

wasi_errno wasi_fd_filestat_get(weft_wasi *w, const weft_value *a)
{
    wasi_errno e;
    wasi_fd *f = wasi_fd_get(w, ARG32(0), R_FD_FILESTAT_GET, &e);
    if (!f)
        return e;
    uint8_t *p = wasi_mem(w, ARG32(1), 64);
    if (!p)
        return WASI_EFAULT;
    struct stat st;
    if (fstat(f->host, &st))
        return wasi_errno_from_host(errno);
    put_filestat(p, &st);
    return WASI_ESUCCESS;
}

wasi_errno wasi_fd_filestat_set_size(weft_wasi *w, const weft_value *a)
{
    wasi_errno e;
    wasi_fd *f = wasi_fd_get(w, ARG32(0), R_FD_FILESTAT_SET_SIZE, &e);
    if (!f)
        return e;
    if (ARG64(1) > INT64_MAX)
        return WASI_EINVAL;
    return host_result(ftruncate(f->host, (off_t)ARG64(1)));
}

wasi_errno wasi_fd_filestat_set_times(weft_wasi *w, const weft_value *a)
{
    wasi_errno e;
    struct timespec ts[2];
    wasi_fd *f = wasi_fd_get(w, ARG32(0), R_FD_FILESTAT_SET_TIMES, &e);
    if (!f)
        return e;
    if ((e = make_times(ARG64(1), ARG64(2), ARG32(3), ts)))
        return e;
    return host_result(futimens(f->host, ts));
}

wasi_errno wasi_fd_advise(weft_wasi *w, const weft_value *a)
{
    wasi_errno e;
    static const int advice[] = { POSIX_FADV_NORMAL, POSIX_FADV_SEQUENTIAL, POSIX_FADV_RANDOM,
                                  POSIX_FADV_WILLNEED, POSIX_FADV_DONTNEED, POSIX_FADV_NOREUSE };
    wasi_fd *f = wasi_fd_get(w, ARG32(0), R_FD_ADVISE, &e);
    if (!f)
        return e;
    if (ARG32(3) > 5 || ARG64(1) > INT64_MAX || ARG64(2) > INT64_MAX)
        return WASI_EINVAL;
    if (f->type == WASI_FILETYPE_DIRECTORY)
        return WASI_EBADF;
    int r = posix_fadvise(f->host, (off_t)ARG64(1), (off_t)ARG64(2), advice[ARG32(3)]);
    return r ? wasi_errno_from_host(r) : WASI_ESUCCESS;
}

wasi_errno wasi_fd_allocate(weft_wasi *w, const weft_value *a)
{
    wasi_errno e;
    wasi_fd *f = wasi_fd_get(w, ARG32(0), R_FD_ALLOCATE, &e);
    if (!f)
        return e;
    if (ARG64(1) > INT64_MAX || ARG64(2) > INT64_MAX || ARG64(2) == 0)
        return WASI_EINVAL;
    int r = posix_fallocate(f->host, (off_t)ARG64(1), (off_t)ARG64(2));
    return r ? wasi_errno_from_host(r) : WASI_ESUCCESS;
}

wasi_errno wasi_fd_prestat_get(weft_wasi *w, const weft_value *a)
{
    wasi_errno e;
    wasi_fd *f = wasi_fd_get(w, ARG32(0), 0, &e);
    if (!f)
        return e;
    if (!f->preopen)
        return WASI_EBADF;
    uint8_t *p = wasi_mem(w, ARG32(1), 8);
    if (!p)
        return WASI_EFAULT;
    memset(p, 0, 8); /* Tag 0: a directory. */
    wasi_store32(p + 4, (uint32_t)strlen(f->preopen));
    return WASI_ESUCCESS;
}

wasi_errno wasi_fd_prestat_dir_name(weft_wasi *w, const weft_value *a)
{
    wasi_errno e;
    wasi_fd *f = wasi_fd_get(w, ARG32(0), 0, &e);
    if (!f)
        return e;
    if (!f->preopen)
        return WASI_EBADF;
    size_t n = strlen(f->preopen);
    uint8_t *p = wasi_mem(w, ARG32(1), ARG32(2));
    if (!p)
        return WASI_EFAULT;
    if (ARG32(2) < n)
        return WASI_ENAMETOOLONG;
    memcpy(p, f->preopen, n);
    return WASI_ESUCCESS;
}

/* The WASI file type of a directory entry, asking the file system when
 * the entry does not say. */
static uint8_t dirent_type(int dirfd, const struct dirent *d)
{
    switch (d->d_type) {
    case DT_BLK: return WASI_FILETYPE_BLOCK_DEVICE;
    case DT_CHR: return WASI_FILETYPE_CHARACTER_DEVICE;
    case DT_DIR: return WASI_FILETYPE_DIRECTORY;
    case DT_REG: return WASI_FILETYPE_REGULAR_FILE;
    case DT_SOCK: return WASI_FILETYPE_SOCKET_STREAM;
    case DT_LNK: return WASI_FILETYPE_SYMBOLIC_LINK;
    case DT_FIFO: return WASI_FILETYPE_UNKNOWN;
    }
    struct stat st;
    return fstatat(dirfd, d->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 ? wasi_filetype(st.st_mode)
                                                                   : WASI_FILETYPE_UNKNOWN;
}

wasi_errno wasi_fd_readdir(weft_wasi *w, const weft_value *a)
{
    wasi_errno e;
    wasi_fd *f = wasi_fd_get(w, ARG32(0), R_FD_READDIR, &e);
    if (!f)
        return e;
    uint32_t buf_len = ARG32(2);
    uint64_t cookie = ARG64(3);
    uint8_t *buf = wasi_mem(w, ARG32(1), buf_len);
    if (!buf || !wasi_mem(w, ARG32(4), 4))
        return WASI_EFAULT;
    if (f->type != WASI_FILETYPE_DIRECTORY)
        return WASI_ENOTDIR;
    if (!f->dir) {
        /* A stream of its own, so the guest fd's offset is left alone. */
        int d = openat(f->host, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (d < 0)
            return wasi_errno_from_host(errno);
        if (!(f->dir = fdopendir(d))) {
            close(d);
            return wasi_errno_from_host(errno);
        }
    }
    /* Cookies are telldir positions; 0 is the start. */
    if (cookie == 0)
        rewinddir(f->dir);
    else if (cookie > LONG_MAX)
        return WASI_EINVAL;
    else
        seekdir(f->dir, (long)cookie);
    uint32_t used = 0;
    while (used < buf_len) {
        errno = 0;
        struct dirent *d = readdir(f->dir);
        if (!d) {
            if (errno)
                return wasi_errno_from_host(errno);
            break;
        }
        size_t namelen = strlen(d->d_name);
        uint8_t entry[24 + NAME_MAX + 1];
        memset(entry, 0, 24);
        wasi_store64(entry, (uint64_t)telldir(f->dir));
        wasi_store64(entry + 8, (uint64_t)d->d_ino);
        wasi_store32(entry + 16, (uint32_t)namelen);
        entry[20] = dirent_type(dirfd(f->dir), d);
        memcpy(entry + 24, d->d_name, namelen);
        /* An entry that does not fit is cut short; the guest sees a full
         * buffer and asks again with a bigger one. */
        size_t n = 24 + namelen;
        if (n > buf_len - used)
            n = buf_len - used;
        memcpy(buf + used, entry, n);
        used += (uint32_t)n;
    }
    wasi_put32(w, ARG32(4), used);
    return WASI_ESUCCESS;
}

/* ---- path_* ------------------------------------------------------------------------------ */

wasi_errno wasi_path_open(weft_wasi *w, const weft_value *a)
{
    wasi_errno e;
    uint32_t dirflags = ARG32(1), oflags = ARG32(4) & 0xffff, fdflags = ARG32(7) & 0xffff;
    uint64_t base = ARG64(5), inheriting = ARG64(6);
    uint64_t need = R_PATH_OPEN;
    if (oflags & WASI_O_CREAT)
        need |= R_PATH_CREATE_FILE;
    if (oflags & WASI_O_TRUNC)
        need |= R_PATH_FILESTAT_SET_SIZE;
    wasi_fd *dir = wasi_fd_get(w, ARG32(0), need, &e);
    if (!dir)
        return e;
    if (dir->type != WASI_FILETYPE_DIRECTORY)
        return WASI_ENOTDIR;
    if (!wasi_mem(w, ARG32(8), 4))
        return WASI_EFAULT;
    /* A new fd gets no right its directory could not pass on. */
    if ((base | inheriting) & ~dir->inheriting)
        return WASI_ENOTCAPABLE;
    bool rd = base & (R_FD_READ | R_FD_READDIR);
    bool wr = base & (R_FD_WRITE | R_FD_DATASYNC | R_FD_ALLOCATE | R_FD_FILESTAT_SET_SIZE);
    int flags = (rd && wr ? O_RDWR : wr ? O_WRONLY : O_RDONLY) | O_NOCTTY;
    if (oflags & WASI_O_CREAT)
        flags |= O_CREAT;
    if (oflags & WASI_O_DIRECTORY)
        flags |= O_DIRECTORY;
    if (oflags & WASI_O_EXCL)
        flags |= O_EXCL;
    if (oflags & WASI_O_TRUNC)
        flags |= O_TRUNC;
    if (fdflags & WASI_FDFLAG_APPEND)
        flags |= O_APPEND;
    if (fdflags & WASI_FDFLAG_DSYNC)
        flags |= O_DSYNC;
    if (fdflags & WASI_FDFLAG_NONBLOCK)
        flags |= O_NONBLOCK;
    if (fdflags & (WASI_FDFLAG_RSYNC | WASI_FDFLAG_SYNC))
        flags |= O_SYNC;
    if (!(dirflags & WASI_LOOKUP_SYMLINK_FOLLOW))
        flags |= O_NOFOLLOW;
    char *path;
    if ((e = guest_path(w, ARG32(2), ARG32(3), &path)))
        return e;
    int host = open_beneath(dir->host, path, flags, 0666, &e);
    free(path);
    if (host < 0)
        return e;
    struct stat st;
    if (fstat(host, &st)) {
        e = wasi_errno_from_host(errno);
        close(host);
        return e;
    }
    uint8_t type = wasi_filetype(st.st_mode);
    base &= type == WASI_FILETYPE_DIRECTORY ? R_DIR : R_FILE;
    uint32_t fd;
    if (!wasi_fd_add(w, host, true, type, base, inheriting, &fd)) {
        close(host);
        return WASI_EMFILE;
    }
    wasi_put32(w, ARG32(8), fd);
    return WASI_ESUCCESS;
}

/* The calls that act on one name beneath a directory fd: resolve the path
 * (never following a final symlink), then run `op` on it. */
static wasi_errno on_path(weft_wasi *w, const weft_value *a, uint64_t right,
                          int (*op)(int dir, const char *name))
{
    wasi_path p;
    wasi_errno e = path_arg(w, ARG32(0), right, ARG32(1), ARG32(2), false, &p);
    if (!e)
        e = host_result(op(p.dir, p.name));
    path_done(&p);
    return e;
}

static int make_dir(int dir, const char *name) { return mkdirat(dir, name, 0777); }
static int remove_dir(int dir, const char *name) { return unlinkat(dir, name, AT_REMOVEDIR); }
static int unlink_file(int dir, const char *name) { return unlinkat(dir, name, 0); }

wasi_errno wasi_path_create_directory(weft_wasi *w, const weft_value *a)
{
    return on_path(w, a, R_PATH_CREATE_DIRECTORY, make_dir);
}

wasi_errno wasi_path_remove_directory(weft_wasi *w, const weft_value *a)
{
    return on_path(w, a, R_PATH_REMOVE_DIRECTORY, remove_dir);
}

wasi_errno wasi_path_unlink_file(weft_wasi *w, const weft_value *a)
{
    return on_path(w, a, R_PATH_UNLINK_FILE, unlink_file);
}

wasi_errno wasi_path_filestat_get(weft_wasi *w, const weft_value *a)
{
    wasi_path p;
    bool follow = ARG32(1) & WASI_LOOKUP_SYMLINK_FOLLOW;
    uint8_t *out = wasi_mem(w, ARG32(4), 64);
    if (!out)
        return WASI_EFAULT;
    wasi_errno e = path_arg(w, ARG32(0), R_PATH_FILESTAT_GET, ARG32(2), ARG32(3), follow, &p);
    struct stat st;
    if (!e && !(e = host_result(fstatat(p.dir, p.name, &st, AT_SYMLINK_NOFOLLOW))))
        put_filestat(out, &st);
    path_done(&p);
    return e;
}

wasi_errno wasi_path_filestat_set_times(weft_wasi *w, const weft_value *a)
{
    wasi_path p;
    struct timespec ts[2];
    bool follow = ARG32(1) & WASI_LOOKUP_SYMLINK_FOLLOW;
    wasi_errno e = make_times(ARG64(4), ARG64(5), ARG32(6), ts);
    if (e)
        return e;
    e = path_arg(w, ARG32(0), R_PATH_FILESTAT_SET_TIMES, ARG32(2), ARG32(3), follow, &p);
    if (!e)
        e = host_result(utimensat(p.dir, p.name, ts, AT_SYMLINK_NOFOLLOW));
    path_done(&p);
    return e;
}

wasi_errno wasi_path_readlink(weft_wasi *w, const weft_value *a)
{
    wasi_path p;
    uint32_t buf_len = ARG32(4);
    uint8_t *buf = wasi_mem(w, ARG32(3), buf_len);
    if (!buf || !wasi_mem(w, ARG32(5), 4))
        return WASI_EFAULT;
    wasi_errno e = path_arg(w, ARG32(0), R_PATH_READLINK, ARG32(1), ARG32(2), false, &p);
    if (!e) {
        char tmp[PATH_MAX];
        ssize_t n = readlinkat(p.dir, p.name, tmp, sizeof tmp);
        if (n < 0) {
            e = wasi_errno_from_host(errno);
        } else {
            /* Like readlink(2), a target longer than the buffer is cut. */
            uint32_t k = (uint64_t)n < buf_len ? (uint32_t)n : buf_len;
            memcpy(buf, tmp, k);
            wasi_put32(w, ARG32(5), k);
        }
    }
    path_done(&p);
    return e;
}

wasi_errno wasi_path_symlink(weft_wasi *w, const weft_value *a)
{
    wasi_path p;
    char *target;
    wasi_errno e = guest_path(w, ARG32(0), ARG32(1), &target);
    if (e)
        return e;
    /* An absolute target is refused: weft never follows one, but other
     * software walking the directory would, out of the sandbox. The errno
     * is perm: wasi-filesystem's documentation gives not-permitted for a
     * path that reaches an absolute symlink, and wasmtime's cap-std refuses
     * such links as an escape (PermissionDenied, which its preview 1 layer
     * reports as perm). A relative target is stored as given; resolution
     * later refuses any that leads outside the sandbox. */
    if (target[0] == '/') {
        free(target);
        return WASI_EPERM;
    }
    if (!(e = path_arg(w, ARG32(2), R_PATH_SYMLINK, ARG32(3), ARG32(4), false, &p)))
        e = host_result(symlinkat(target, p.dir, host_name(&p)));
    path_done(&p);
    free(target);
    return e;
}

wasi_errno wasi_path_rename(weft_wasi *w, const weft_value *a)
{
    wasi_path from, to = { .dir = -1 };
    wasi_errno e = path_arg(w, ARG32(0), R_PATH_RENAME_SOURCE, ARG32(1), ARG32(2), false, &from);
    if (!e)
        e = path_arg(w, ARG32(3), R_PATH_RENAME_TARGET, ARG32(4), ARG32(5), false, &to);
    if (!e)
        e = host_result(renameat(from.dir, host_name(&from), to.dir, host_name(&to)));
    path_done(&from);
    path_done(&to);
    return e;
}

wasi_errno wasi_path_link(weft_wasi *w, const weft_value *a)
{
    wasi_path from, to = { .dir = -1 };
    bool follow = ARG32(1) & WASI_LOOKUP_SYMLINK_FOLLOW;
    wasi_errno e = path_arg(w, ARG32(0), R_PATH_LINK_SOURCE, ARG32(2), ARG32(3), follow, &from);
    if (!e)
        e = path_arg(w, ARG32(4), R_PATH_LINK_TARGET, ARG32(5), ARG32(6), false, &to);
    if (!e)
        e = host_result(linkat(from.dir, from.name, to.dir, host_name(&to), 0));
    path_done(&from);
    path_done(&to);
    return e;
}
