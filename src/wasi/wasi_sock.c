/* wasi_sock.c: preopened listening sockets and the calls on them and on the
 * connections they accept: sock_accept, sock_recv, sock_send and
 * sock_shutdown. WASI preview 1 has no way to make a socket, so a guest
 * only ever has the ones its host preopened and what they accept. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "wasi.h"

/* sock_recv's input flags (riflags) and output flags (roflags). */
#define WASI_RECV_PEEK 1u
#define WASI_RECV_WAITALL 2u
#define WASI_RECV_DATA_TRUNCATED 1u
/* sock_shutdown's sdflags. */
#define WASI_SHUT_RD 1u
#define WASI_SHUT_WR 2u

/* What a connection may do, and so what a listener hands on to the
 * connections it accepts. */
#define R_CONN                                                                          \
    (R_FD_READ | R_FD_WRITE | R_FD_FDSTAT_SET_FLAGS | R_FD_FILESTAT_GET |               \
     R_POLL_FD_READWRITE | R_SOCK_SHUTDOWN)
#define R_LISTENER                                                                      \
    (R_SOCK_ACCEPT | R_FD_FDSTAT_SET_FLAGS | R_FD_FILESTAT_GET | R_POLL_FD_READWRITE)

static bool is_socket(const wasi_fd *f)
{
    return f->type == WASI_FILETYPE_SOCKET_STREAM || f->type == WASI_FILETYPE_SOCKET_DGRAM;
}

/* Looks up a socket fd with `rights`: NULL with *err set when there is no
 * such fd (badf), it is not a socket (notsock) or lacks a right
 * (notcapable). */
static wasi_fd *socket_fd(weft_wasi *w, uint32_t fd, uint64_t rights, wasi_errno *err)
{
    wasi_fd *f = wasi_fd_get(w, fd, 0, err);
    if (!f)
        return NULL;
    if (!is_socket(f)) {
        *err = WASI_ENOTSOCK;
        return NULL;
    }
    return wasi_fd_get(w, fd, rights, err);
}

weft_status weft_wasi_preopen_socket(weft_wasi *wasi, int host_fd, uint32_t *guest_fd,
                                     weft_error *err)
{
    weft_error local;
    if (!err)
        err = &local;
    *err = (weft_error){ .status = WEFT_OK, .section = -1, .func = -1, .offset = -1 };
    int type = 0, listening = 0;
    socklen_t len = sizeof type;
    if (!wasi || getsockopt(host_fd, SOL_SOCKET, SO_TYPE, &type, &len) != 0 ||
        type != SOCK_STREAM ||
        getsockopt(host_fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &(socklen_t){ sizeof listening }) != 0 ||
        !listening) {
        err->status = WEFT_ERR_ARGUMENT;
        snprintf(err->message, sizeof err->message,
                 "host fd %d is not a listening stream socket", host_fd);
        return WEFT_ERR_ARGUMENT;
    }
    uint32_t slot;
    if (!wasi_fd_add(wasi, host_fd, true, WASI_FILETYPE_SOCKET_STREAM, R_LISTENER, R_CONN,
                     &slot)) {
        err->status = WEFT_ERR_NOMEM;
        snprintf(err->message, sizeof err->message, "out of memory");
        return WEFT_ERR_NOMEM;
    }
    if (guest_fd)
        *guest_fd = slot;
    return WEFT_OK;
}

wasi_errno wasi_sock_accept(weft_wasi *w, const weft_value *a)
{
    wasi_errno e;
    wasi_fd *f = socket_fd(w, ARG32(0), R_SOCK_ACCEPT, &e);
    if (!f)
        return e;
    uint32_t flags = ARG32(1);
    if (flags & ~WASI_FDFLAG_NONBLOCK)
        return WASI_EINVAL;
    if (!wasi_mem(w, ARG32(2), 4))
        return WASI_EFAULT;
    int conn;
    do
        conn = accept4(f->host, NULL, NULL,
                       SOCK_CLOEXEC | (flags & WASI_FDFLAG_NONBLOCK ? SOCK_NONBLOCK : 0));
    while (conn < 0 && errno == EINTR);
    if (conn < 0)
        return wasi_errno_from_host(errno);
    /* The table may move when it grows, so the listener's rights are read
     * before the new fd is added. */
    uint64_t rights = f->inheriting;
    uint32_t slot;
    if (!wasi_fd_add(w, conn, true, WASI_FILETYPE_SOCKET_STREAM, rights, rights, &slot)) {
        close(conn);
        return WASI_ENFILE;
    }
    wasi_put32(w, ARG32(2), slot);
    return WASI_ESUCCESS;
}

wasi_errno wasi_sock_recv(weft_wasi *w, const weft_value *a)
{
    wasi_errno e;
    wasi_fd *f = socket_fd(w, ARG32(0), R_FD_READ, &e);
    if (!f)
        return e;
    uint32_t n = ARG32(2), riflags = ARG32(3);
    if (riflags & ~(WASI_RECV_PEEK | WASI_RECV_WAITALL))
        return WASI_EINVAL;
    if (!wasi_mem(w, ARG32(4), 4) || !wasi_mem(w, ARG32(5), 2))
        return WASI_EFAULT;
    struct iovec iov[WASI_MAX_IOVS];
    if ((e = wasi_gather(w, ARG32(1), n, iov)))
        return e;
    struct msghdr msg = { .msg_iov = iov, .msg_iovlen = n };
    int flags = (riflags & WASI_RECV_PEEK ? MSG_PEEK : 0) |
                (riflags & WASI_RECV_WAITALL ? MSG_WAITALL : 0);
    ssize_t r;
    do
        r = recvmsg(f->host, &msg, flags);
    while (r < 0 && errno == EINTR);
    if (r < 0)
        return wasi_errno_from_host(errno);
    wasi_put32(w, ARG32(4), (uint32_t)r);
    wasi_store16(wasi_mem(w, ARG32(5), 2),
                 msg.msg_flags & MSG_TRUNC ? WASI_RECV_DATA_TRUNCATED : 0);
    return WASI_ESUCCESS;
}

wasi_errno wasi_sock_send(weft_wasi *w, const weft_value *a)
{
    wasi_errno e;
    wasi_fd *f = socket_fd(w, ARG32(0), R_FD_WRITE, &e);
    if (!f)
        return e;
    uint32_t n = ARG32(2);
    if (ARG32(3) != 0) /* siflags: none are defined. */
        return WASI_EINVAL;
    if (!wasi_mem(w, ARG32(4), 4))
        return WASI_EFAULT;
    struct iovec iov[WASI_MAX_IOVS];
    if ((e = wasi_gather(w, ARG32(1), n, iov)))
        return e;
    struct msghdr msg = { .msg_iov = iov, .msg_iovlen = n };
    ssize_t r;
    /* MSG_NOSIGNAL: a peer that went away is errno pipe, not a SIGPIPE
     * that would end weft. */
    do
        r = sendmsg(f->host, &msg, MSG_NOSIGNAL);
    while (r < 0 && errno == EINTR);
    if (r < 0)
        return wasi_errno_from_host(errno);
    wasi_put32(w, ARG32(4), (uint32_t)r);
    return WASI_ESUCCESS;
}

wasi_errno wasi_sock_shutdown(weft_wasi *w, const weft_value *a)
{
    wasi_errno e;
    wasi_fd *f = socket_fd(w, ARG32(0), R_SOCK_SHUTDOWN, &e);
    if (!f)
        return e;
    int how;
    switch (ARG32(1)) {
    case WASI_SHUT_RD: how = SHUT_RD; break;
    case WASI_SHUT_WR: how = SHUT_WR; break;
    case WASI_SHUT_RD | WASI_SHUT_WR: how = SHUT_RDWR; break;
    default: return WASI_EINVAL;
    }
    return shutdown(f->host, how) == 0 ? WASI_ESUCCESS : wasi_errno_from_host(errno);
}
