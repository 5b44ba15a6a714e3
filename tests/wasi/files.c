/* files.c: creating, writing, reading, seeking and truncating files in the
 * sandbox; file status, times, append mode and rights. */
// expect-stdout: open new: ok
// expect-stdout: write: 11
// expect-stdout: tell: 11
// expect-stdout: seek set 6: 6
// expect-stdout: read: world
// expect-stdout: pwrite: 5
// expect-stdout: pread: HELLO
// expect-stdout: seek end: 11
// expect-stdout: size: 11
// expect-stdout: regular: yes
// expect-stdout: truncate 4: ok
// expect-stdout: size now: 4
// expect-stdout: fsync: ok
// expect-stdout: fdatasync: ok
// expect-stdout: fallocate: 0
// expect-stdout: fadvise: 0
// expect-stdout: append flag: yes
// expect-stdout: appended: HELLmore
// expect-stdout: write on read-only: EBADF
// expect-stdout: read on write-only: EBADF
// expect-stdout: futimens: ok
// expect-stdout: mtime: 1000000000
// expect-stdout: utimensat: ok
// expect-stdout: atime: 2000000000 mtime: 1500000000
// node-ignore: atime:
// expect-stdout: create exclusive again: EEXIST
// expect-stdout: open missing: ENOENT
// expect-stdout: open dir for writing: EISDIR
// expect-stdout: unlink: ok
// expect-stdout: stat after unlink: ENOENT
// expect-stdout: stdio lines: stdout stderr
#include <fcntl.h>
#include <sys/stat.h>

#include "wasi_test.h"

int main(void)
{
    enter_sandbox();
    char buf[64] = { 0 };
    int fd = open("data.txt", O_RDWR | O_CREAT | O_EXCL, 0644);
    SHOW("open new", fd);
    printf("write: %zd\n", write(fd, "hello world", 11));
    printf("tell: %lld\n", (long long)lseek(fd, 0, SEEK_CUR));
    printf("seek set 6: %lld\n", (long long)lseek(fd, 6, SEEK_SET));
    ssize_t n = read(fd, buf, sizeof buf - 1);
    printf("read: %.*s\n", (int)n, buf);
    printf("pwrite: %zd\n", pwrite(fd, "HELLO", 5, 0));
    n = pread(fd, buf, 5, 0);
    printf("pread: %.*s\n", (int)n, buf);
    printf("seek end: %lld\n", (long long)lseek(fd, 0, SEEK_END));
    struct stat st;
    fstat(fd, &st);
    printf("size: %lld\n", (long long)st.st_size);
    printf("regular: %s\n", S_ISREG(st.st_mode) ? "yes" : "no");
    SHOW("truncate 4", ftruncate(fd, 4));
    fstat(fd, &st);
    printf("size now: %lld\n", (long long)st.st_size);
    SHOW("fsync", fsync(fd));
    SHOW("fdatasync", fdatasync(fd));
    printf("fallocate: %d\n", posix_fallocate(fd, 0, 4));
    printf("fadvise: %d\n", posix_fadvise(fd, 0, 4, POSIX_FADV_SEQUENTIAL));
    close(fd);

    fd = open("data.txt", O_WRONLY | O_APPEND);
    printf("append flag: %s\n", fcntl(fd, F_GETFL) & O_APPEND ? "yes" : "no");
    write(fd, "more", 4);
    close(fd);
    fd = open("data.txt", O_RDONLY);
    n = read(fd, buf, sizeof buf);
    printf("appended: %.*s\n", (int)n, buf);
    SHOW("write on read-only", write(fd, "x", 1));
    close(fd);
    fd = open("data.txt", O_WRONLY);
    SHOW("read on write-only", read(fd, buf, 1));
    struct timespec ts[2] = { { 1, 0 }, { 1, 0 } };
    SHOW("futimens", futimens(fd, ts));
    fstat(fd, &st);
    printf("mtime: %lld\n", (long long)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec);
    close(fd);
    struct timespec ts2[2] = { { 2, 0 }, { 1, 500000000 } };
    SHOW("utimensat", utimensat(AT_FDCWD, "data.txt", ts2, 0));
    stat("data.txt", &st);
    printf("atime: %lld mtime: %lld\n",
           (long long)st.st_atim.tv_sec * 1000000000 + st.st_atim.tv_nsec,
           (long long)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec);
    SHOW("create exclusive again", open("data.txt", O_RDWR | O_CREAT | O_EXCL, 0644));
    SHOW("open missing", open("missing.txt", O_RDONLY));
    mkdir("adir", 0755);
    SHOW("open dir for writing", open("adir", O_WRONLY));
    SHOW("unlink", unlink("data.txt"));
    SHOW("stat after unlink", stat("data.txt", &st));
    fflush(stdout);
    fprintf(stderr, "this goes to stderr\n");
    printf("stdio lines: stdout stderr\n");
    return 0;
}
