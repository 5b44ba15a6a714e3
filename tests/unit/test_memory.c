/* test_memory.c: linear memory limits and growth, and the fault-to-trap
 * mechanism of guarded memories. Criterion runs each test in its own
 * process, so the handler each test installs starts from a clean slate. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "memory.h"

/* Reads one byte at `p` with the memory's landing pad in place and says
 * whether the read trapped. `value` receives the byte when it did not. */
static bool read_traps(const volatile uint8_t *p, uint8_t *value)
{
    sigjmp_buf pad;
    sigjmp_buf *saved = mem_trap_landing_get();
    if (sigsetjmp(pad, 0) != 0) {
        mem_trap_landing_set(saved);
        return true;
    }
    mem_trap_landing_set(&pad);
    *value = *p;
    mem_trap_landing_set(saved);
    return false;
}

static bool read32_traps(const uint8_t *p)
{
    sigjmp_buf pad;
    if (sigsetjmp(pad, 0) != 0) {
        mem_trap_landing_set(NULL);
        return true;
    }
    mem_trap_landing_set(&pad);
    uint32_t v;
    memcpy(&v, p, 4);
    __asm__ volatile("" : : "r"(v));   /* Keep the load. */
    mem_trap_landing_set(NULL);
    return false;
}

/* Runs `fn` in a child process and returns its wait status. */
static int in_child(void (*fn)(void))
{
    fflush(NULL);
    pid_t pid = fork();
    cr_assert_neq(pid, -1);
    if (pid == 0) {
        fn();
        _exit(0);
    }
    int status = 0;
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    return status;
}

static bool died_by_sigsegv(int status)
{
    return WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV;
}

/* ---- Limits and growth, both modes ---- */

static void check_basic(bool guarded)
{
    wx_memory m;
    cr_assert_eq(mem_init(&m, 1, 3, guarded), WEFT_OK);
    cr_assert_eq(m.guarded, guarded);
    cr_assert_not_null(m.base);
    cr_expect_eq(m.size, 65536);
    cr_expect_eq(m.pages, 1);
    cr_expect_eq(m.max_pages, 3);
    cr_expect_eq(m.base[0], 0);
    cr_expect_eq(m.base[m.size - 1], 0);
    m.base[m.size - 1] = 0xab;
    m.base[0] = 0xcd;

    cr_expect_eq(mem_grow(&m, 0), 1);
    cr_expect_eq(mem_grow(&m, 3), -1, "past the maximum");
    cr_expect_eq(m.pages, 1, "a failed grow changes nothing");
    cr_expect_eq(mem_grow(&m, 2), 1);
    cr_expect_eq(m.pages, 3);
    cr_expect_eq(m.size, 3 * 65536);
    cr_expect_eq(m.base[65535], 0xab, "contents survive growth");
    cr_expect_eq(m.base[0], 0xcd);
    cr_expect_eq(m.base[65536], 0, "new pages are zeroed");
    cr_expect_eq(m.base[m.size - 1], 0);
    m.base[m.size - 1] = 1;
    cr_expect_eq(mem_grow(&m, 1), -1);
    cr_expect_eq(mem_grow(&m, UINT64_MAX), -1, "no overflow in the limit check");
    mem_free(&m);
    cr_expect_null(m.base);
    mem_free(&m);
}

Test(memory, basic_guarded) { check_basic(true); }
Test(memory, basic_explicit) { check_basic(false); }

static void check_zero_pages(bool guarded)
{
    wx_memory m;
    cr_assert_eq(mem_init(&m, 0, 0, guarded), WEFT_OK);
    cr_expect_not_null(m.base);
    cr_expect_eq(m.size, 0);
    cr_expect_eq(mem_grow(&m, 0), 0);
    cr_expect_eq(mem_grow(&m, 1), -1);
    mem_free(&m);

    cr_assert_eq(mem_init(&m, 0, MEM_MAX_PAGES, guarded), WEFT_OK);
    cr_expect_eq(mem_grow(&m, 2), 0);
    cr_expect_eq(m.size, 2 * 65536);
    m.base[m.size - 1] = 7;
    cr_expect_eq(m.base[m.size - 2], 0);
    mem_free(&m);
}

Test(memory, zero_pages_guarded) { check_zero_pages(true); }
Test(memory, zero_pages_explicit) { check_zero_pages(false); }

Test(memory, limits)
{
    wx_memory m;
    cr_expect_eq(mem_init(&m, 2, 1, true), WEFT_ERR_LIMIT);
    cr_expect_null(m.base);
    cr_expect_eq(mem_init(&m, MEM_MAX_PAGES + 1, UINT64_MAX, false), WEFT_ERR_LIMIT);
    cr_assert_eq(mem_init(&m, 1, UINT64_MAX, false), WEFT_OK);
    cr_expect_eq(m.max_pages, MEM_MAX_PAGES, "the maximum is clamped to 4 GiB");
    cr_expect_eq(mem_grow(&m, MEM_MAX_PAGES), -1);
    mem_free(&m);
}

/* 4 GiB works in both modes: only touched pages cost real memory. */
static void check_max_size(bool guarded)
{
    wx_memory m;
    cr_assert_eq(mem_init(&m, MEM_MAX_PAGES, MEM_MAX_PAGES, guarded), WEFT_OK);
    cr_expect_eq(m.size, (uint64_t)4 << 30);
    m.base[m.size - 1] = 9;
    m.base[(uint64_t)2 << 30] = 8;
    cr_expect_eq(m.base[m.size - 1], 9);
    cr_expect_eq(mem_grow(&m, 1), -1);
    cr_expect_eq(mem_grow(&m, 0), MEM_MAX_PAGES);
    mem_free(&m);

    cr_assert_eq(mem_init(&m, 1, MEM_MAX_PAGES, guarded), WEFT_OK);
    cr_expect_eq(mem_grow(&m, MEM_MAX_PAGES - 1), 1);
    m.base[m.size - 1] = 1;
    cr_expect_eq(m.base[m.size - 2], 0);
    mem_free(&m);
}

Test(memory, max_size_guarded) { check_max_size(true); }
Test(memory, max_size_explicit) { check_max_size(false); }

Test(memory, explicit_bounds_helper)
{
    wx_memory m;
    cr_assert_eq(mem_init(&m, 1, 1, false), WEFT_OK);
    cr_expect(mem_in_bounds32(&m, 65532, 0, 4));
    cr_expect_not(mem_in_bounds32(&m, 65533, 0, 4));
    cr_expect(mem_in_bounds32(&m, 0, 65535, 1));
    cr_expect_not(mem_in_bounds32(&m, 1, 65535, 1));
    cr_expect_not(mem_in_bounds32(&m, UINT32_MAX, UINT32_MAX, 8));
    mem_free(&m);
}

/* ---- Faults become traps ---- */

Test(memory, guarded_out_of_bounds_traps)
{
    wx_memory m;
    cr_assert_eq(mem_init(&m, 1, 2, true), WEFT_OK);
    cr_assert(m.guarded);
    uint8_t v = 0xff;
    m.base[m.size - 1] = 5;
    cr_expect_not(read_traps(m.base + m.size - 1, &v));
    cr_expect_eq(v, 5);
    cr_expect(read_traps(m.base + m.size, &v), "base[size] lands in the landing pad");
    cr_expect_eq(mem_trap_fault_address(), m.base + m.size);
    cr_expect_null(mem_trap_landing_get(), "the test restored the outer (absent) pad");
    /* Again: SA_NODEFER must have left SIGSEGV unblocked. */
    cr_expect(read_traps(m.base + m.size + 12345, &v));
    sigset_t mask;
    sigprocmask(SIG_SETMASK, NULL, &mask);
    cr_expect_not(sigismember(&mask, SIGSEGV), "SIGSEGV is not left blocked");
    /* The highest address a 32-bit access can reach: 2^32-1 + 2^32-1 + 7. */
    uint64_t top = 0xffffffffull + 0xffffffffull + 7;
    cr_expect(read_traps(m.base + top, &v));
    cr_expect(read32_traps(m.base + m.size - 2), "an access straddling the end traps");
    cr_expect_not(read32_traps(m.base + m.size - 4));

    cr_expect_eq(mem_grow(&m, 1), 1);
    cr_expect_not(read_traps(m.base + 65536, &v), "grown pages are accessible");
    cr_expect_eq(v, 0);
    cr_expect(read_traps(m.base + m.size, &v));
    mem_free(&m);
}

Test(memory, zero_page_memory_traps)
{
    wx_memory m;
    cr_assert_eq(mem_init(&m, 0, 1, true), WEFT_OK);
    uint8_t v;
    cr_expect(read_traps(m.base, &v));
    mem_free(&m);
}

Test(memory, landing_pad_gets_an_alt_stack)
{
    sigjmp_buf pad;
    mem_trap_landing_set(&pad);
    stack_t st;
    cr_assert_eq(sigaltstack(NULL, &st), 0);
    cr_expect_not(st.ss_flags & SS_DISABLE);
    cr_expect_eq(mem_trap_landing_get(), &pad);
    mem_trap_landing_set(NULL);
}

static void *thread_body(void *arg)
{
    wx_memory *m = arg;
    uint8_t v;
    bool trapped = read_traps(m->base + m->size, &v);
    return trapped ? m : NULL;
}

Test(memory, traps_on_another_thread)
{
    wx_memory m;
    cr_assert_eq(mem_init(&m, 1, 1, true), WEFT_OK);
    pthread_t t;
    void *result = NULL;
    cr_assert_eq(pthread_create(&t, NULL, thread_body, &m), 0);
    cr_assert_eq(pthread_join(t, &result), 0);
    cr_expect_eq(result, &m);
    mem_free(&m);
}

/* ---- Faults that are not ours still crash ---- */

static wx_memory child_mem;

static void fault_without_pad(void)
{
    volatile uint8_t *p = child_mem.base + child_mem.size;
    (void)*p;
}

static void fault_outside_reservation(void)
{
    uint8_t *page = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    sigjmp_buf pad;
    if (sigsetjmp(pad, 0) != 0) _exit(3);   /* Swallowed: wrong. */
    mem_trap_landing_set(&pad);
    (void)*(volatile uint8_t *)page;
}

static void fault_in_freed_memory(void)
{
    uint8_t *stale = child_mem.base;
    mem_free(&child_mem);
    sigjmp_buf pad;
    if (sigsetjmp(pad, 0) != 0) _exit(3);
    mem_trap_landing_set(&pad);
    (void)*(volatile uint8_t *)stale;
}

static void fault_null(void)
{
    sigjmp_buf pad;
    if (sigsetjmp(pad, 0) != 0) _exit(3);
    mem_trap_landing_set(&pad);
    volatile uint8_t *volatile null_ish = (volatile uint8_t *)(uintptr_t)8;
    (void)*null_ish;
}

Test(memory, real_faults_still_crash)
{
    cr_assert_eq(mem_init(&child_mem, 1, 1, true), WEFT_OK);
    cr_expect(died_by_sigsegv(in_child(fault_without_pad)),
              "a fault in a reservation with no landing pad crashes");
    cr_expect(died_by_sigsegv(in_child(fault_outside_reservation)),
              "a fault outside every reservation crashes");
    cr_expect(died_by_sigsegv(in_child(fault_null)));
    cr_expect(died_by_sigsegv(in_child(fault_in_freed_memory)),
              "a freed reservation no longer traps");
    mem_free(&child_mem);
}

static void kill_self(void)
{
    sigjmp_buf pad;
    if (sigsetjmp(pad, 0) != 0) _exit(3);
    mem_trap_landing_set(&pad);
    kill(getpid(), SIGSEGV);
    _exit(4);
}

Test(memory, sent_sigsegv_is_not_a_trap)
{
    wx_memory m;
    cr_assert_eq(mem_init(&m, 1, 1, true), WEFT_OK);
    cr_expect(died_by_sigsegv(in_child(kill_self)));
    mem_free(&m);
}

/* A handler installed before ours gets the faults that are not ours. */
static sigjmp_buf previous_pad;
static volatile sig_atomic_t previous_called;

static void previous_handler(int sig, siginfo_t *info, void *ctx)
{
    (void)sig, (void)info, (void)ctx;
    previous_called = 1;
    siglongjmp(previous_pad, 1);
}

Test(memory, chains_to_previous_handler)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = previous_handler;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    cr_assert_eq(sigaction(SIGSEGV, &sa, NULL), 0);

    wx_memory m;
    cr_assert_eq(mem_init(&m, 1, 1, true), WEFT_OK);
    uint8_t *page = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    cr_assert_neq(page, MAP_FAILED);
    if (sigsetjmp(previous_pad, 0) == 0)
        (void)*(volatile uint8_t *)page;
    cr_expect(previous_called, "the earlier handler saw the foreign fault");

    previous_called = 0;
    uint8_t v;
    cr_expect(read_traps(m.base + m.size, &v));
    cr_expect_not(previous_called, "our own faults are not passed on");
    munmap(page, 4096);
    mem_free(&m);
}
