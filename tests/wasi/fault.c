/* fault.c: every pointer and length a guest passes is checked against its
 * linear memory: out of range is errno fault (21), and nothing is read or
 * written outside. */
// expect-stdout: fd_write iovec array out of memory: 21
// expect-stdout: fd_write buffer out of memory: 21
// expect-stdout: fd_write result out of memory: 21
// expect-stdout: fd_read buffer wraps around: 21
// expect-stdout: args_sizes_get out of memory: 21
// expect-stdout: args_get out of memory: 21
// expect-stdout: clock_time_get out of memory: 21
// expect-stdout: random_get past the end: 21
// expect-stdout: path_open path out of memory: 21
// expect-stdout: fd_prestat_dir_name out of memory: 21
// expect-stdout: fd_filestat_get out of memory: 21
// expect-stdout: poll_oneoff out of memory: 21
// expect-stdout: still alive: yes
// node: skip node 20's WASI answers overflow (61), not fault (21), for pointers out of memory
#include <wasi/api.h>

#include "wasi_test.h"

/* Addresses just past the end of memory and at the very top of the 32-bit
 * address space. */
#define END ((uintptr_t)__builtin_wasm_memory_size(0) * 65536)
#define TOP ((uintptr_t)0xfffffff0u)

/* path_open as imported, taking the path's length instead of measuring it. */
__attribute__((import_module("wasi_snapshot_preview1"), import_name("path_open")))
int32_t raw_path_open(int32_t fd, int32_t dirflags, int32_t path, int32_t path_len,
                      int32_t oflags, int64_t base, int64_t inheriting, int32_t fdflags,
                      int32_t out);

int main(void)
{
    __wasi_size_t n;
    char text[] = "x";
    __wasi_ciovec_t good = { (const uint8_t *)text, 1 };
    __wasi_ciovec_t bad = { (const uint8_t *)(END - 4), 100 };
    printf("fd_write iovec array out of memory: %d\n",
           __wasi_fd_write(1, (const __wasi_ciovec_t *)TOP, 1, &n));
    printf("fd_write buffer out of memory: %d\n", __wasi_fd_write(1, &bad, 1, &n));
    printf("fd_write result out of memory: %d\n",
           __wasi_fd_write(1, &good, 1, (__wasi_size_t *)END));
    __wasi_iovec_t wrap = { (uint8_t *)TOP, 0x20 };
    printf("fd_read buffer wraps around: %d\n", __wasi_fd_read(0, &wrap, 1, &n));
    printf("args_sizes_get out of memory: %d\n",
           __wasi_args_sizes_get((__wasi_size_t *)END, &n));
    printf("args_get out of memory: %d\n",
           __wasi_args_get((uint8_t **)(END - 2), (uint8_t *)TOP));
    printf("clock_time_get out of memory: %d\n",
           __wasi_clock_time_get(0, 1, (__wasi_timestamp_t *)(END - 4)));
    printf("random_get past the end: %d\n", __wasi_random_get((uint8_t *)(END - 8), 9));
    __wasi_fd_t fd;
    printf("path_open path out of memory: %d\n",
           (int)raw_path_open(3, 0, (int32_t)(END - 4), 100, 0, 0, 0, 0, (int32_t)&fd));
    printf("fd_prestat_dir_name out of memory: %d\n",
           __wasi_fd_prestat_dir_name(3, (uint8_t *)(END - 2), 8));
    printf("fd_filestat_get out of memory: %d\n",
           __wasi_fd_filestat_get(3, (__wasi_filestat_t *)(END - 63)));
    __wasi_event_t ev;
    printf("poll_oneoff out of memory: %d\n",
           __wasi_poll_oneoff((const __wasi_subscription_t *)(END - 40), &ev, 1, &n));
    printf("still alive: yes\n");
    return 0;
}
