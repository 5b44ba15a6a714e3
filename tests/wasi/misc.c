/* misc.c: preopens, fd status and rights, renumbering, and the calls that
 * can only fail here: sockets (none is ever open), proc_raise, and
 * sched_yield, which succeeds. */
// expect-stdout: prestat fd 3: dir /sandbox
// expect-stdout: prestat fd 4: EBADF
// expect-stdout: prestat stdout: EBADF
// expect-stdout: preopen is a directory: yes
// expect-stdout: file fdstat: regular file, can read: yes, can write: no
// expect-stdout: drop read right: ok
// expect-stdout: read without the right: ENOTCAPABLE
// expect-stdout: regain the right: ENOTCAPABLE
// expect-stdout: set append: ok
// expect-stdout: append now: yes
// expect-stdout: renumber: ok
// expect-stdout: old fd after renumber: EBADF
// expect-stdout: read via new number: abc
// expect-stdout: renumber to a closed fd: ok
// expect-stdout: close twice: EBADF
// expect-stdout: seek on a directory: ENOTCAPABLE
// expect-stdout: sock_send on stdout: ENOTSOCK
// expect-stdout: sock_recv on a bad fd: EBADF
// expect-stdout: sock_shutdown on a file: ENOTSOCK
// expect-stdout: sock_accept on the preopen: ENOTSOCK
// expect-stdout: proc_raise: ENOSYS
// expect-stdout: sched_yield: ok
// node: skip node 20 dies with SIGSEGV part way through these fd calls
#include <fcntl.h>
#include <wasi/api.h>

#include "wasi_test.h"

/* proc_raise as imported: this wasi-libc no longer declares it. */
__attribute__((import_module("wasi_snapshot_preview1"), import_name("proc_raise")))
int32_t raw_proc_raise(int32_t sig);

int main(void)
{
    enter_sandbox();
    __wasi_prestat_t ps;
    char name[64] = { 0 };
    if (__wasi_fd_prestat_get(3, &ps) == 0 && ps.tag == __WASI_PREOPENTYPE_DIR &&
        ps.u.dir.pr_name_len < sizeof name &&
        __wasi_fd_prestat_dir_name(3, (uint8_t *)name, ps.u.dir.pr_name_len) == 0)
        printf("prestat fd 3: dir %s\n", name);
    SHOW_WASI("prestat fd 4", __wasi_fd_prestat_get(4, &ps));
    SHOW_WASI("prestat stdout", __wasi_fd_prestat_get(1, &ps));
    __wasi_fdstat_t st;
    (void)__wasi_fd_fdstat_get(3, &st);
    printf("preopen is a directory: %s\n",
           st.fs_filetype == __WASI_FILETYPE_DIRECTORY ? "yes" : "no");

    int fd = open("f.txt", O_RDWR | O_CREAT, 0644);
    write(fd, "abc", 3);
    close(fd);
    fd = open("f.txt", O_RDONLY);
    (void)__wasi_fd_fdstat_get(fd, &st);
    printf("file fdstat: %s, can read: %s, can write: %s\n",
           st.fs_filetype == __WASI_FILETYPE_REGULAR_FILE ? "regular file" : "other",
           st.fs_rights_base & __WASI_RIGHTS_FD_READ ? "yes" : "no",
           st.fs_rights_base & __WASI_RIGHTS_FD_WRITE ? "yes" : "no");
    SHOW_WASI("drop read right",
              __wasi_fd_fdstat_set_rights(fd, st.fs_rights_base & ~__WASI_RIGHTS_FD_READ,
                                          st.fs_rights_inheriting));
    char buf[8];
    __wasi_iovec_t iov = { (uint8_t *)buf, sizeof buf };
    __wasi_size_t n;
    SHOW_WASI("read without the right", __wasi_fd_read(fd, &iov, 1, &n));
    SHOW_WASI("regain the right",
              __wasi_fd_fdstat_set_rights(fd, st.fs_rights_base, st.fs_rights_inheriting));
    close(fd);

    fd = open("f.txt", O_RDWR);
    SHOW_WASI("set append", __wasi_fd_fdstat_set_flags(fd, __WASI_FDFLAGS_APPEND));
    (void)__wasi_fd_fdstat_get(fd, &st);
    printf("append now: %s\n", st.fs_flags & __WASI_FDFLAGS_APPEND ? "yes" : "no");
    int other = open("f.txt", O_RDONLY);
    SHOW_WASI("renumber", __wasi_fd_renumber(other, fd));
    SHOW_WASI("old fd after renumber", __wasi_fd_fdstat_get(other, &st));
    n = 0;
    (void)__wasi_fd_read(fd, &iov, 1, &n);
    printf("read via new number: %.*s\n", (int)n, buf);
    SHOW_WASI("renumber to a closed fd", __wasi_fd_renumber(fd, 200));
    (void)__wasi_fd_close(fd);
    SHOW_WASI("close twice", __wasi_fd_close(fd));
    __wasi_filesize_t pos;
    SHOW_WASI("seek on a directory", __wasi_fd_seek(3, 1, __WASI_WHENCE_SET, &pos));

    __wasi_ciovec_t ciov = { (const uint8_t *)"x", 1 };
    __wasi_roflags_t ro;
    fd = open("f.txt", O_RDONLY);
    SHOW_WASI("sock_send on stdout", __wasi_sock_send(1, &ciov, 1, 0, &n));
    SHOW_WASI("sock_recv on a bad fd", __wasi_sock_recv(99, &iov, 1, 0, &n, &ro));
    SHOW_WASI("sock_shutdown on a file", __wasi_sock_shutdown(fd, __WASI_SDFLAGS_WR));
    __wasi_fd_t got;
    SHOW_WASI("sock_accept on the preopen", __wasi_sock_accept(3, 0, &got));
    SHOW_WASI("proc_raise", raw_proc_raise(15));
    SHOW_WASI("sched_yield", __wasi_sched_yield());
    return 0;
}
