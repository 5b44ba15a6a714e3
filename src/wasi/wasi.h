/* wasi.h: what wasi.c and wasi_fs.c share: the WASI context, its table of
 * file descriptors, bounds-checked guest memory access and the constants of
 * the wasi_snapshot_preview1 ABI. */
#ifndef WEFT_WASI_INTERNAL_H
#define WEFT_WASI_INTERNAL_H

#include <dirent.h>
#include <stdbool.h>
#include <stdint.h>

#include "weft.h"

/* A WASI errno value (preview1 numbering). */
typedef uint16_t wasi_errno;

enum {
    WASI_ESUCCESS = 0, WASI_E2BIG = 1, WASI_EACCES = 2, WASI_EADDRINUSE = 3,
    WASI_EADDRNOTAVAIL = 4, WASI_EAFNOSUPPORT = 5, WASI_EAGAIN = 6, WASI_EALREADY = 7,
    WASI_EBADF = 8, WASI_EBADMSG = 9, WASI_EBUSY = 10, WASI_ECANCELED = 11, WASI_ECHILD = 12,
    WASI_ECONNABORTED = 13, WASI_ECONNREFUSED = 14, WASI_ECONNRESET = 15, WASI_EDEADLK = 16,
    WASI_EDESTADDRREQ = 17, WASI_EDOM = 18, WASI_EDQUOT = 19, WASI_EEXIST = 20,
    WASI_EFAULT = 21, WASI_EFBIG = 22, WASI_EHOSTUNREACH = 23, WASI_EIDRM = 24,
    WASI_EILSEQ = 25, WASI_EINPROGRESS = 26, WASI_EINTR = 27, WASI_EINVAL = 28, WASI_EIO = 29,
    WASI_EISCONN = 30, WASI_EISDIR = 31, WASI_ELOOP = 32, WASI_EMFILE = 33, WASI_EMLINK = 34,
    WASI_EMSGSIZE = 35, WASI_EMULTIHOP = 36, WASI_ENAMETOOLONG = 37, WASI_ENETDOWN = 38,
    WASI_ENETRESET = 39, WASI_ENETUNREACH = 40, WASI_ENFILE = 41, WASI_ENOBUFS = 42,
    WASI_ENODEV = 43, WASI_ENOENT = 44, WASI_ENOEXEC = 45, WASI_ENOLCK = 46,
    WASI_ENOLINK = 47, WASI_ENOMEM = 48, WASI_ENOMSG = 49, WASI_ENOPROTOOPT = 50,
    WASI_ENOSPC = 51, WASI_ENOSYS = 52, WASI_ENOTCONN = 53, WASI_ENOTDIR = 54,
    WASI_ENOTEMPTY = 55, WASI_ENOTRECOVERABLE = 56, WASI_ENOTSOCK = 57, WASI_ENOTSUP = 58,
    WASI_ENOTTY = 59, WASI_ENXIO = 60, WASI_EOVERFLOW = 61, WASI_EOWNERDEAD = 62,
    WASI_EPERM = 63, WASI_EPIPE = 64, WASI_EPROTO = 65, WASI_EPROTONOSUPPORT = 66,
    WASI_EPROTOTYPE = 67, WASI_ERANGE = 68, WASI_EROFS = 69, WASI_ESPIPE = 70,
    WASI_ESRCH = 71, WASI_ESTALE = 72, WASI_ETIMEDOUT = 73, WASI_ETXTBSY = 74,
    WASI_EXDEV = 75, WASI_ENOTCAPABLE = 76,
};

/* Not an errno: proc_exit's way of telling the dispatcher to unwind. */
#define WASI_EXIT_REQUESTED 0xffffu

/* File types. */
enum {
    WASI_FILETYPE_UNKNOWN = 0, WASI_FILETYPE_BLOCK_DEVICE = 1,
    WASI_FILETYPE_CHARACTER_DEVICE = 2, WASI_FILETYPE_DIRECTORY = 3,
    WASI_FILETYPE_REGULAR_FILE = 4, WASI_FILETYPE_SOCKET_DGRAM = 5,
    WASI_FILETYPE_SOCKET_STREAM = 6, WASI_FILETYPE_SYMBOLIC_LINK = 7,
};

/* Rights, one bit each, in the order of the witx definition. */
#define WASI_RIGHT(n) ((uint64_t)1 << (n))
#define R_FD_DATASYNC WASI_RIGHT(0)
#define R_FD_READ WASI_RIGHT(1)
#define R_FD_SEEK WASI_RIGHT(2)
#define R_FD_FDSTAT_SET_FLAGS WASI_RIGHT(3)
#define R_FD_SYNC WASI_RIGHT(4)
#define R_FD_TELL WASI_RIGHT(5)
#define R_FD_WRITE WASI_RIGHT(6)
#define R_FD_ADVISE WASI_RIGHT(7)
#define R_FD_ALLOCATE WASI_RIGHT(8)
#define R_PATH_CREATE_DIRECTORY WASI_RIGHT(9)
#define R_PATH_CREATE_FILE WASI_RIGHT(10)
#define R_PATH_LINK_SOURCE WASI_RIGHT(11)
#define R_PATH_LINK_TARGET WASI_RIGHT(12)
#define R_PATH_OPEN WASI_RIGHT(13)
#define R_FD_READDIR WASI_RIGHT(14)
#define R_PATH_READLINK WASI_RIGHT(15)
#define R_PATH_RENAME_SOURCE WASI_RIGHT(16)
#define R_PATH_RENAME_TARGET WASI_RIGHT(17)
#define R_PATH_FILESTAT_GET WASI_RIGHT(18)
#define R_PATH_FILESTAT_SET_SIZE WASI_RIGHT(19)
#define R_PATH_FILESTAT_SET_TIMES WASI_RIGHT(20)
#define R_FD_FILESTAT_GET WASI_RIGHT(21)
#define R_FD_FILESTAT_SET_SIZE WASI_RIGHT(22)
#define R_FD_FILESTAT_SET_TIMES WASI_RIGHT(23)
#define R_PATH_SYMLINK WASI_RIGHT(24)
#define R_PATH_REMOVE_DIRECTORY WASI_RIGHT(25)
#define R_PATH_UNLINK_FILE WASI_RIGHT(26)
#define R_POLL_FD_READWRITE WASI_RIGHT(27)
#define R_SOCK_SHUTDOWN WASI_RIGHT(28)
#define R_SOCK_ACCEPT WASI_RIGHT(29)
#define R_ALL (WASI_RIGHT(30) - 1)

/* The rights that make sense on a regular file, and on a directory. */
#define R_FILE                                                                          \
    (R_FD_DATASYNC | R_FD_READ | R_FD_SEEK | R_FD_FDSTAT_SET_FLAGS | R_FD_SYNC |        \
     R_FD_TELL | R_FD_WRITE | R_FD_ADVISE | R_FD_ALLOCATE | R_FD_FILESTAT_GET |         \
     R_FD_FILESTAT_SET_SIZE | R_FD_FILESTAT_SET_TIMES | R_POLL_FD_READWRITE)
#define R_DIR                                                                           \
    (R_FD_FDSTAT_SET_FLAGS | R_FD_SYNC | R_FD_ADVISE | R_PATH_CREATE_DIRECTORY |        \
     R_PATH_CREATE_FILE | R_PATH_LINK_SOURCE | R_PATH_LINK_TARGET | R_PATH_OPEN |       \
     R_FD_READDIR | R_PATH_READLINK | R_PATH_RENAME_SOURCE | R_PATH_RENAME_TARGET |     \
     R_PATH_FILESTAT_GET | R_PATH_FILESTAT_SET_SIZE | R_PATH_FILESTAT_SET_TIMES |       \
     R_FD_FILESTAT_GET | R_FD_FILESTAT_SET_TIMES | R_PATH_SYMLINK |                     \
     R_PATH_REMOVE_DIRECTORY | R_PATH_UNLINK_FILE | R_POLL_FD_READWRITE)

/* fdflags, oflags, lookupflags and fstflags. */
#define WASI_FDFLAG_APPEND 1u
#define WASI_FDFLAG_DSYNC 2u
#define WASI_FDFLAG_NONBLOCK 4u
#define WASI_FDFLAG_RSYNC 8u
#define WASI_FDFLAG_SYNC 16u
#define WASI_O_CREAT 1u
#define WASI_O_DIRECTORY 2u
#define WASI_O_EXCL 4u
#define WASI_O_TRUNC 8u
#define WASI_LOOKUP_SYMLINK_FOLLOW 1u
#define WASI_FST_ATIM 1u
#define WASI_FST_ATIM_NOW 2u
#define WASI_FST_MTIM 4u
#define WASI_FST_MTIM_NOW 8u

/* One guest file descriptor. */
typedef struct wasi_fd {
    bool used;
    bool own;                 /* Close the host fd with this one (not for stdio). */
    int host;                 /* The host file descriptor. */
    uint8_t type;             /* A WASI_FILETYPE_*. */
    uint64_t base, inheriting;  /* Rights. */
    char *preopen;            /* The guest name of a preopened directory, or NULL. */
    DIR *dir;                 /* fd_readdir's stream, opened on first use. */
} wasi_fd;

struct weft_wasi {
    weft_engine *engine;
    weft_memory *memory;      /* The instance's "memory" export, once bound. */
    uint8_t *mem;             /* Its base and size, refreshed on every call. */
    uint64_t mem_size;
    char **args, **env;
    uint32_t nargs, nenv;
    wasi_fd *fds;
    uint32_t nfds;
    struct wasi_binding *bindings;  /* Host functions made so far, per WASI function. */
    bool exited;
    int32_t exit_code;
};

/* Every function of wasi_snapshot_preview1: name, parameter kinds ('i' for
 * i32, 'I' for i64) and number of results (one errno, or none). */
#define WASI_FUNCS(X)                                       \
    X(args_get, "ii", 1)                                    \
    X(args_sizes_get, "ii", 1)                              \
    X(environ_get, "ii", 1)                                 \
    X(environ_sizes_get, "ii", 1)                           \
    X(clock_res_get, "ii", 1)                               \
    X(clock_time_get, "iIi", 1)                             \
    X(fd_advise, "iIIi", 1)                                 \
    X(fd_allocate, "iII", 1)                                \
    X(fd_close, "i", 1)                                     \
    X(fd_datasync, "i", 1)                                  \
    X(fd_fdstat_get, "ii", 1)                               \
    X(fd_fdstat_set_flags, "ii", 1)                         \
    X(fd_fdstat_set_rights, "iII", 1)                       \
    X(fd_filestat_get, "ii", 1)                             \
    X(fd_filestat_set_size, "iI", 1)                        \
    X(fd_filestat_set_times, "iIIi", 1)                     \
    X(fd_pread, "iiiIi", 1)                                 \
    X(fd_prestat_get, "ii", 1)                              \
    X(fd_prestat_dir_name, "iii", 1)                        \
    X(fd_pwrite, "iiiIi", 1)                                \
    X(fd_read, "iiii", 1)                                   \
    X(fd_readdir, "iiiIi", 1)                               \
    X(fd_renumber, "ii", 1)                                 \
    X(fd_seek, "iIii", 1)                                   \
    X(fd_sync, "i", 1)                                      \
    X(fd_tell, "ii", 1)                                     \
    X(fd_write, "iiii", 1)                                  \
    X(path_create_directory, "iii", 1)                      \
    X(path_filestat_get, "iiiii", 1)                        \
    X(path_filestat_set_times, "iiiiIIi", 1)                \
    X(path_link, "iiiiiii", 1)                              \
    X(path_open, "iiiiiIIii", 1)                            \
    X(path_readlink, "iiiiii", 1)                           \
    X(path_remove_directory, "iii", 1)                      \
    X(path_rename, "iiiiii", 1)                             \
    X(path_symlink, "iiiii", 1)                             \
    X(path_unlink_file, "iii", 1)                           \
    X(poll_oneoff, "iiii", 1)                               \
    X(proc_exit, "i", 0)                                    \
    X(proc_raise, "i", 1)                                   \
    X(sched_yield, "", 1)                                   \
    X(random_get, "ii", 1)                                  \
    X(sock_accept, "iii", 1)                                \
    X(sock_recv, "iiiiii", 1)                               \
    X(sock_send, "iiiii", 1)                                \
    X(sock_shutdown, "ii", 1)

/* Each function's implementation: reads its arguments and returns an errno. */
#define WASI_DECLARE(name, params, nresults) \
    wasi_errno wasi_##name(weft_wasi *w, const weft_value *a);
WASI_FUNCS(WASI_DECLARE)
#undef WASI_DECLARE

/* Argument access: an i32 argument as unsigned, an i64 one as unsigned. */
#define ARG32(i) ((uint32_t)a[i].of.i32)
#define ARG64(i) ((uint64_t)a[i].of.i64)

/* Maps a host errno value to WASI's numbering. */
wasi_errno wasi_errno_from_host(int err);

/* The `len` bytes of guest memory at `ptr`, or NULL when any of them lies
 * outside the linear memory. */
static inline uint8_t *wasi_mem(weft_wasi *w, uint32_t ptr, uint64_t len)
{
    return (uint64_t)ptr + len <= w->mem_size ? w->mem + ptr : NULL;
}

/* Little-endian stores and loads, whatever the host's byte order. */
static inline void wasi_store16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static inline void wasi_store32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static inline void wasi_store64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static inline uint16_t wasi_load16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }

static inline uint32_t wasi_load32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t wasi_load64(const uint8_t *p)
{
    return (uint64_t)wasi_load32(p) | (uint64_t)wasi_load32(p + 4) << 32;
}

/* Stores a u32 or u64 result at guest address `ptr`; false when it does
 * not fit in memory. */
bool wasi_put32(weft_wasi *w, uint32_t ptr, uint32_t v);
bool wasi_put64(weft_wasi *w, uint32_t ptr, uint64_t v);

/* Looks up guest fd `fd` and checks that it has all of `rights`: NULL with
 * *err set (badf, or notcapable) otherwise. */
wasi_fd *wasi_fd_get(weft_wasi *w, uint32_t fd, uint64_t rights, wasi_errno *err);

/* Adds a guest fd for host fd `host` at the lowest free number; false when
 * the table cannot grow. */
bool wasi_fd_add(weft_wasi *w, int host, bool own, uint8_t type, uint64_t base,
                 uint64_t inheriting, uint32_t *out);

/* The WASI file type of a host st_mode (and fd, to tell socket kinds). */
uint8_t wasi_filetype(unsigned mode);

/* Releases what a guest fd holds (closing its host fd if it owns it) and
 * marks its slot free. */
void wasi_fd_release(wasi_fd *f);

/* The most iovecs one read, write, recv or send takes, as POSIX's IOV_MAX. */
#define WASI_MAX_IOVS 1024

/* Turns the guest's array of `n` iovecs at `iovs` into host iovecs in
 * `out` (room for WASI_MAX_IOVS), checking that every buffer lies in
 * memory: fault when one does not, inval when there are too many. */
struct iovec;
wasi_errno wasi_gather(weft_wasi *w, uint32_t iovs, uint32_t n, struct iovec *out);

/* Frees the fd table, closing what it owns. */
void wasi_fds_free(weft_wasi *w);

#endif
