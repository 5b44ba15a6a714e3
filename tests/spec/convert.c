/* convert.c: keeps the JSON form of each .wast script current, with wabt's wast2json. */
#define _GNU_SOURCE
#include "convert.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* Creates a directory and its parents, like mkdir -p. */
bool convert_make_dirs(const char *path)
{
    char buf[PATH_MAX];
    if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf)
        return false;
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(buf, 0777) != 0 && errno != EEXIST)
            return false;
        *p = '/';
    }
    return mkdir(buf, 0777) == 0 || errno == EEXIST;
}

static bool newer_than(const struct stat *a, const struct stat *b)
{
    if (a->st_mtim.tv_sec != b->st_mtim.tv_sec)
        return a->st_mtim.tv_sec > b->st_mtim.tv_sec;
    return a->st_mtim.tv_nsec > b->st_mtim.tv_nsec;
}

/* Runs wast2json, its output going to `log_path`. Returns false with a
 * message on failure; exits when wast2json is not installed, since then
 * no script can run. */
static bool run_wast2json(const char *wast, const char *json, const char *log_path,
                          char *msg, size_t msg_size)
{
    const char *tool = getenv("WAST2JSON");
    if (!tool || !*tool)
        tool = "wast2json";
    char *argv[] = {(char *)tool, "--enable-all", (char *)wast, "-o", (char *)json, NULL};
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log_path,
                                     O_WRONLY | O_CREAT | O_TRUNC, 0666);
    posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
    pid_t pid;
    int rc = posix_spawnp(&pid, tool, &actions, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc == ENOENT) {
        fprintf(stderr, "spec_runner: %s not found; install wabt (wast2json 1.0.32) or set "
                        "WAST2JSON\n", tool);
        exit(1);
    }
    if (rc != 0) {
        snprintf(msg, msg_size, "cannot run %s: %s", tool, strerror(rc));
        return false;
    }
    int status;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) {
            snprintf(msg, msg_size, "waitpid: %s", strerror(errno));
            return false;
        }
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return true;
    /* A half-written JSON must not look up to date next time. */
    unlink(json);
    if (WIFEXITED(status))
        snprintf(msg, msg_size, "%s exited with status %d; see %s", tool, WEXITSTATUS(status),
                 log_path);
    else
        snprintf(msg, msg_size, "%s was killed by signal %d; see %s", tool,
                 WIFSIGNALED(status) ? WTERMSIG(status) : 0, log_path);
    return false;
}

bool convert_ensure_json(const char *wast, const char *json, const char *log_path, char *msg,
                         size_t msg_size)
{
    struct stat ws, js;
    if (stat(wast, &ws) != 0) {
        snprintf(msg, msg_size, "cannot stat %s: %s", wast, strerror(errno));
        return false;
    }
    if (stat(json, &js) == 0 && newer_than(&js, &ws))
        return true;
    return run_wast2json(wast, json, log_path, msg, msg_size);
}
