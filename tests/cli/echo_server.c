/* echo_server.c: a WASI echo server for the CLI test of preopened sockets.
 * It serves the listening socket weft preopened (--listen) as fd 3: for
 * each of N connections (argv[1], default 1) it polls the listener, accepts,
 * receives up to a newline, sends the line back, shuts its sending side
 * down (so the client sees the end) and closes. It says what it did on stdout, and
 * checks that the socket calls refuse fds that are not sockets. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <wasi/api.h>

#define LISTENER 3

static int serve_one(void)
{
    /* poll_oneoff on the listener waits for a client (10 s at most). */
    struct pollfd p = { .fd = LISTENER, .events = POLLIN };
    int ready = poll(&p, 1, 10000);
    printf("poll: %d%s\n", ready, ready == 1 && (p.revents & POLLIN) ? " readable" : "");
    int conn = accept(LISTENER, NULL, NULL);
    if (conn < 0) {
        printf("accept: %s\n", strerror(errno));
        return 1;
    }
    char line[256];
    size_t len = 0;
    while (len < sizeof line && (len == 0 || line[len - 1] != '\n')) {
        ssize_t r = recv(conn, line + len, sizeof line - len, 0);
        if (r < 0) {
            printf("recv: %s\n", strerror(errno));
            return 1;
        }
        if (r == 0)
            break;
        len += (size_t)r;
    }
    printf("received %zu bytes\n", len);
    size_t sent = 0;
    while (sent < len) {
        ssize_t r = send(conn, line + sent, len - sent, 0);
        if (r < 0) {
            printf("send: %s\n", strerror(errno));
            return 1;
        }
        sent += (size_t)r;
    }
    if (shutdown(conn, SHUT_WR) != 0) {
        printf("shutdown: %s\n", strerror(errno));
        return 1;
    }
    /* The client closes after reading; its end reads as 0 bytes here. */
    char rest[16];
    ssize_t r = recv(conn, rest, sizeof rest, 0);
    printf("after shutdown: recv %zd\n", r);
    close(conn);
    return 0;
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 1;
    /* Socket calls on what is not a socket (stdout) or not an fd at all. */
    __wasi_fd_t fd;
    printf("accept on stdout: %s\n",
           __wasi_sock_accept(1, 0, &fd) == __WASI_ERRNO_NOTSOCK ? "notsock" : "wrong");
    printf("shutdown on fd 99: %s\n",
           __wasi_sock_shutdown(99, __WASI_SDFLAGS_WR) == __WASI_ERRNO_BADF ? "badf" : "wrong");
    fflush(stdout);
    for (int i = 0; i < n; i++)
        if (serve_one())
            return 1;
    printf("served %d\n", n);
    return 0;
}
