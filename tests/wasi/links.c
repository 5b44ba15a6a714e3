/* links.c: symbolic and hard links inside the sandbox. */
// expect-stdout: symlink: ok
// expect-stdout: readlink: target.txt (10)
// expect-stdout: read through link: payload
// expect-stdout: lstat is link: yes
// expect-stdout: stat is file: yes
// expect-stdout: link: ok
// expect-stdout: nlink: 2
// expect-stdout: read hard link: payload
// expect-stdout: symlink to dir: ok
// expect-stdout: through dir link: payload
// expect-stdout: dangling open: ENOENT
// expect-stdout: symlink exists: EEXIST
// expect-stdout: readlink file: EINVAL
// expect-stdout: nofollow open: ELOOP
// expect-stdout: relative up link: payload
// expect-stdout: loop: ELOOP
// expect-stdout: unlink link keeps target: yes
// node-ignore: nofollow open:
// node-ignore: relative up link:
#include <fcntl.h>
#include <sys/stat.h>

#include "wasi_test.h"

static void show_file(const char *what, const char *path)
{
    char buf[64];
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        printf("%s: %s\n", what, errno_name(errno));
        return;
    }
    ssize_t n = read(fd, buf, sizeof buf);
    close(fd);
    printf("%s: %.*s\n", what, (int)n, buf);
}

int main(void)
{
    enter_sandbox();
    int fd = open("target.txt", O_WRONLY | O_CREAT, 0644);
    write(fd, "payload", 7);
    close(fd);
    SHOW("symlink", symlink("target.txt", "link"));
    char buf[64];
    ssize_t n = readlink("link", buf, sizeof buf);
    printf("readlink: %.*s (%zd)\n", (int)n, buf, n);
    show_file("read through link", "link");
    struct stat st;
    lstat("link", &st);
    printf("lstat is link: %s\n", S_ISLNK(st.st_mode) ? "yes" : "no");
    stat("link", &st);
    printf("stat is file: %s\n", S_ISREG(st.st_mode) ? "yes" : "no");
    SHOW("link", link("target.txt", "hard"));
    stat("hard", &st);
    printf("nlink: %d\n", (int)st.st_nlink);
    show_file("read hard link", "hard");
    mkdir("d", 0755);
    rename("hard", "d/inner");
    SHOW("symlink to dir", symlink("d", "dlink"));
    show_file("through dir link", "dlink/inner");
    symlink("nowhere", "dangling");
    show_file("dangling open", "dangling");
    SHOW("symlink exists", symlink("x", "link"));
    SHOW("readlink file", readlink("target.txt", buf, sizeof buf));
    SHOW("nofollow open", open("link", O_RDONLY | O_NOFOLLOW));
    symlink("../target.txt", "d/up");
    show_file("relative up link", "d/up");
    symlink("loop2", "loop1");
    symlink("loop1", "loop2");
    show_file("loop", "loop1");
    unlink("link");
    printf("unlink link keeps target: %s\n", stat("target.txt", &st) == 0 ? "yes" : "no");
    return 0;
}
