/* edges.c: path calls with a trailing slash, symbolic links with absolute
 * targets, and fd_renumber onto a closed descriptor (issue 25, defects 5-7). */
// expect-stdout: symlink to "t/" where t is missing: ENOENT
// expect-stdout: t after it: ENOENT
// expect-stdout: link to "l/": ENOENT
// expect-stdout: l after it: ENOENT
// expect-stdout: rename a file to "r/": ENOTDIR
// expect-stdout: file still there: yes
// expect-stdout: open creat "n/": EISDIR
// expect-stdout: n after it: ENOENT
// expect-stdout: symlink to "/": EPERM
// expect-stdout: symlink to "/etc/passwd": EPERM
// expect-stdout: abs after it: ENOENT
// expect-stdout: relative symlink still works: ok
// expect-stdout: rename a dir to "d2/": ok
// expect-stdout: move stdout away: ok
// expect-stdout: renumber a file onto closed fd 1: ok
// expect-stdout: renumber onto fd 1000000: EBADF
// expect-stdout: captured: captured line
// node: skip node's WASI differs on trailing slashes and renumbering
#include <fcntl.h>
#include <sys/stat.h>
#include <wasi/api.h>

#include "wasi_test.h"

/* The raw calls, which take (pointer, length) for each path, so a path can
 * be passed exactly as written. */
#define IMPORT(name) __attribute__((import_module("wasi_snapshot_preview1"), import_name(name)))
IMPORT("path_symlink") int32_t raw_symlink(const char *, size_t, int32_t, const char *, size_t);
IMPORT("path_link") int32_t raw_link(int32_t, int32_t, const char *, size_t, int32_t,
                                     const char *, size_t);
IMPORT("path_rename") int32_t raw_rename(int32_t, const char *, size_t, int32_t, const char *,
                                         size_t);
#define P(s) s, strlen(s)

static void show_exists(const char *what, const char *path)
{
    struct stat st;
    SHOW(what, lstat(path, &st));
}

int main(void)
{
    enter_sandbox();
    int fd = open("file.txt", O_RDWR | O_CREAT, 0644);
    write(fd, "x", 1);
    close(fd);

    SHOW_WASI("symlink to \"t/\" where t is missing", raw_symlink(P("file.txt"), 3, P("t/")));
    show_exists("t after it", "t");
    SHOW_WASI("link to \"l/\"", raw_link(3, 0, P("file.txt"), 3, P("l/")));
    show_exists("l after it", "l");
    SHOW_WASI("rename a file to \"r/\"", raw_rename(3, P("file.txt"), 3, P("r/")));
    struct stat st;
    printf("file still there: %s\n", stat("file.txt", &st) == 0 ? "yes" : "no");
    __wasi_fd_t got;
    SHOW_WASI("open creat \"n/\"",
              __wasi_path_open(3, 0, "n/", __WASI_OFLAGS_CREAT,
                               __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE, 0, 0, &got));
    show_exists("n after it", "n");

    SHOW_WASI("symlink to \"/\"", raw_symlink(P("/"), 3, P("abs")));
    SHOW_WASI("symlink to \"/etc/passwd\"", raw_symlink(P("/etc/passwd"), 3, P("abs")));
    show_exists("abs after it", "abs");
    SHOW_WASI("relative symlink still works", raw_symlink(P("file.txt"), 3, P("rel")));
    mkdir("d", 0755);
    SHOW_WASI("rename a dir to \"d2/\"", raw_rename(3, P("d"), 3, P("d2/")));

    /* Yosys captures ABC's output so: stdout moved away, a file renumbered
     * onto fd 1, and written through fd 1. */
    fflush(stdout);
    int saved = -1;
    __wasi_fd_t out = 0;
    if (__wasi_path_open(3, 0, "out.txt", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_TRUNC,
                         __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE, 0, 0, &out))
        return 2;
    /* Keep the real stdout at a free number to come back to: renumber
     * moves fd 1 there. */
    if (__wasi_path_open(3, 0, "spare.txt", __WASI_OFLAGS_CREAT, __WASI_RIGHTS_FD_WRITE, 0,
                         0, &got))
        return 2;
    saved = got;
    int e_move = __wasi_fd_renumber(1, saved);
    int e_onto = __wasi_fd_renumber(out, 1);
    __wasi_ciovec_t line = { (const uint8_t *)"captured line\n", 14 };
    __wasi_size_t n;
    (void)__wasi_fd_write(1, &line, 1, &n);
    int e_far = __wasi_fd_renumber(1, 1000000);
    if (__wasi_fd_renumber(saved, 1))
        return 3;
    SHOW_WASI("move stdout away", e_move);
    SHOW_WASI("renumber a file onto closed fd 1", e_onto);
    SHOW_WASI("renumber onto fd 1000000", e_far);
    char buf[32] = { 0 };
    fd = open("out.txt", O_RDONLY);
    read(fd, buf, sizeof buf - 1);
    printf("captured: %s", buf);
    return 0;
}
