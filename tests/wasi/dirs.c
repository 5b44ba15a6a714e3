/* dirs.c: making, listing, renaming and removing directories. */
// expect-stdout: mkdir a: ok
// expect-stdout: mkdir a again: EEXIST
// expect-stdout: mkdir a/b: ok
// expect-stdout: mkdir missing/x: ENOENT
// expect-stdout: list a: b f1 f2 f3
// expect-stdout: types: b=dir f1=file
// expect-stdout: rmdir non-empty: ENOTEMPTY
// expect-stdout: rename f1 -> b/g1: ok
// expect-stdout: list a/b: g1
// expect-stdout: rename dir: ok
// expect-stdout: list a: c f2 f3
// expect-stdout: rename over file: ok
// expect-stdout: list a: c f3
// expect-stdout: unlink dir: EISDIR
// expect-stdout: rmdir file: ENOTDIR
// expect-stdout: many entries: 300
// expect-stdout: rewind: 300
// expect-stdout: cleanup: ok
// expect-stdout: list .:
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "wasi_test.h"

static int cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Prints the sorted names in `path`, without "." and "..". */
static void list(const char *path)
{
    char *names[512];
    int n = 0;
    DIR *d = opendir(path);
    struct dirent *e;
    while (d && (e = readdir(d)) && n < 512)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            names[n++] = strdup(e->d_name);
    if (d)
        closedir(d);
    qsort(names, n, sizeof *names, cmp);
    printf("list %s:", path);
    for (int i = 0; i < n; i++) {
        printf(" %s", names[i]);
        free(names[i]);
    }
    printf("\n");
}

static int count(DIR *d)
{
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        n += e->d_name[0] != '.';
    return n;
}

static void touch(const char *path)
{
    close(open(path, O_WRONLY | O_CREAT, 0644));
}

int main(void)
{
    enter_sandbox();
    SHOW("mkdir a", mkdir("a", 0755));
    SHOW("mkdir a again", mkdir("a", 0755));
    SHOW("mkdir a/b", mkdir("a/b", 0755));
    SHOW("mkdir missing/x", mkdir("missing/x", 0755));
    touch("a/f1");
    touch("a/f2");
    touch("a/f3");
    list("a");
    DIR *d = opendir("a");
    struct dirent *e;
    const char *tb = "?", *tf = "?";
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, "b"))
            tb = e->d_type == DT_DIR ? "dir" : "other";
        if (!strcmp(e->d_name, "f1"))
            tf = e->d_type == DT_REG ? "file" : "other";
    }
    closedir(d);
    printf("types: b=%s f1=%s\n", tb, tf);
    SHOW("rmdir non-empty", rmdir("a"));
    SHOW("rename f1 -> b/g1", rename("a/f1", "a/b/g1"));
    list("a/b");
    SHOW("rename dir", rename("a/b", "a/c"));
    list("a");
    SHOW("rename over file", rename("a/f2", "a/f3"));
    list("a");
    SHOW("unlink dir", unlink("a/c"));
    SHOW("rmdir file", rmdir("a/f3"));

    mkdir("big", 0755);
    char name[64];
    for (int i = 0; i < 300; i++) {
        snprintf(name, sizeof name, "big/file-with-a-longish-name-%03d", i);
        touch(name);
    }
    d = opendir("big");
    printf("many entries: %d\n", count(d));
    rewinddir(d);
    printf("rewind: %d\n", count(d));
    closedir(d);

    int ok = 0;
    for (int i = 0; i < 300; i++) {
        snprintf(name, sizeof name, "big/file-with-a-longish-name-%03d", i);
        ok |= unlink(name);
    }
    ok |= rmdir("big") | unlink("a/c/g1") | rmdir("a/c") | unlink("a/f3") | rmdir("a");
    SHOW("cleanup", ok);
    list(".");
    return 0;
}
