/* poll.c: poll_oneoff with clock subscriptions (relative and absolute),
 * fd_read and fd_write subscriptions, and bad subscriptions. */
// expect-stdout: clock only: 1 event, userdata 7, type clock, waited: yes
// expect-stdout: absolute clock: 1 event, userdata 8
// expect-stdout: file readable: 2 events first, read ready with 5 bytes
// expect-stdout: stdout writable: yes
// expect-stdout: bad fd: error EBADF
// expect-stdout: no subscriptions: EINVAL
// node: skip node 20 waits for an absolute clock deadline as if it were a relative one
#include <fcntl.h>
#include <time.h>
#include <wasi/api.h>

#include "wasi_test.h"

static long long now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static __wasi_subscription_t clock_sub(__wasi_userdata_t ud, __wasi_timestamp_t t, int abs)
{
    __wasi_subscription_t s;
    memset(&s, 0, sizeof s);
    s.userdata = ud;
    s.u.tag = __WASI_EVENTTYPE_CLOCK;
    s.u.u.clock.id = __WASI_CLOCKID_MONOTONIC;
    s.u.u.clock.timeout = t;
    s.u.u.clock.flags = abs ? __WASI_SUBCLOCKFLAGS_SUBSCRIPTION_CLOCK_ABSTIME : 0;
    return s;
}

static __wasi_subscription_t fd_sub(__wasi_userdata_t ud, __wasi_fd_t fd, int write)
{
    __wasi_subscription_t s;
    memset(&s, 0, sizeof s);
    s.userdata = ud;
    s.u.tag = write ? __WASI_EVENTTYPE_FD_WRITE : __WASI_EVENTTYPE_FD_READ;
    s.u.u.fd_read.file_descriptor = fd;
    return s;
}

int main(void)
{
    enter_sandbox();
    __wasi_event_t ev[4];
    __wasi_size_t n = 0;
    __wasi_subscription_t subs[4];

    subs[0] = clock_sub(7, 30000000, 0);
    long long start = now_ns();
    __wasi_poll_oneoff(subs, ev, 1, &n);
    printf("clock only: %u event, userdata %llu, type %s, waited: %s\n", (unsigned)n,
           (unsigned long long)ev[0].userdata, ev[0].type == __WASI_EVENTTYPE_CLOCK ? "clock" : "?",
           now_ns() - start >= 30000000 ? "yes" : "no");

    __wasi_timestamp_t t;
    __wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 1, &t);
    subs[0] = clock_sub(8, t + 10000000, 1);
    __wasi_poll_oneoff(subs, ev, 1, &n);
    printf("absolute clock: %u event, userdata %llu\n", (unsigned)n,
           (unsigned long long)ev[0].userdata);

    int fd = open("f.txt", O_RDWR | O_CREAT, 0644);
    write(fd, "12345", 5);
    lseek(fd, 0, SEEK_SET);
    subs[0] = fd_sub(1, fd, 0);
    subs[1] = fd_sub(2, fd, 1);
    subs[2] = clock_sub(3, 5000000000LL, 0);
    __wasi_poll_oneoff(subs, ev, 3, &n);
    int read_ok = 0;
    unsigned long long bytes = 0;
    for (unsigned i = 0; i < n; i++)
        if (ev[i].userdata == 1 && ev[i].type == __WASI_EVENTTYPE_FD_READ && !ev[i].error) {
            read_ok = 1;
            bytes = ev[i].fd_readwrite.nbytes;
        }
    printf("file readable: %u events first, read %s with %llu bytes\n", (unsigned)n,
           read_ok ? "ready" : "not ready", bytes);

    subs[0] = fd_sub(4, 1, 1);
    __wasi_poll_oneoff(subs, ev, 1, &n);
    printf("stdout writable: %s\n",
           n == 1 && ev[0].userdata == 4 && !ev[0].error ? "yes" : "no");

    subs[0] = fd_sub(5, 77, 0);
    __wasi_poll_oneoff(subs, ev, 1, &n);
    printf("bad fd: error %s\n", n == 1 ? errno_name(ev[0].error) : "none");

    SHOW_WASI("no subscriptions", __wasi_poll_oneoff(subs, ev, 0, &n));
    return 0;
}
