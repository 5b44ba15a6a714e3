/* wasi_test.h: helpers shared by the WASI test programs: entering the
 * preopened sandbox and printing the outcome of a call as one line. */
#ifndef WASI_TEST_H
#define WASI_TEST_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The driver preopens a fresh directory as /sandbox; tests work inside it
 * with relative paths. */
static inline void enter_sandbox(void)
{
    if (chdir("/sandbox") != 0) {
        printf("cannot enter /sandbox: %s\n", strerror(errno));
        exit(99);
    }
}

/* Prints "what: ok" when r is not negative, else "what: <errno name>". */
#define SHOW(what, r)                                                         \
    do {                                                                      \
        errno = 0;                                                            \
        long show_r_ = (long)(r);                                             \
        if (show_r_ >= 0)                                                     \
            printf("%s: ok\n", what);                                         \
        else                                                                  \
            printf("%s: %s\n", what, errno_name(errno));                      \
    } while (0)

/* Prints the name of a WASI errno as returned by the raw __wasi_* calls. */
#define SHOW_WASI(what, e) printf("%s: %s\n", what, (e) ? errno_name(e) : "ok")

static inline const char *errno_name(int e)
{
    switch (e) {
    case 0: return "0";
    case EACCES: return "EACCES";
    case EBADF: return "EBADF";
    case EEXIST: return "EEXIST";
    case EFAULT: return "EFAULT";
    case EINVAL: return "EINVAL";
    case EISDIR: return "EISDIR";
    case ELOOP: return "ELOOP";
    case ENOENT: return "ENOENT";
    case ENOSYS: return "ENOSYS";
    case ENOTDIR: return "ENOTDIR";
    case ENOTEMPTY: return "ENOTEMPTY";
    case ENOTSOCK: return "ENOTSOCK";
    case ENOTCAPABLE: return "ENOTCAPABLE";
    case EPERM: return "EPERM";
    case ESPIPE: return "ESPIPE";
    case EXDEV: return "EXDEV";
    }
    static char buf[32];
    snprintf(buf, sizeof buf, "errno %d", e);
    return buf;
}

#endif
