/* memory.c: linear memory allocation and growth, the registry of guarded
 * reservations, and the fault handler that turns their faults into traps. */
#define _GNU_SOURCE   /* mremap, MAP_NORESERVE. */
#include "memory.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* The handler reads the registry with plain atomic loads, which are only
 * async-signal-safe if they need no lock. */
_Static_assert(ATOMIC_POINTER_LOCK_FREE == 2 && ATOMIC_INT_LOCK_FREE == 2,
               "the reservation registry needs lock-free atomics");

/* ---- Registry of guarded reservations ---------------------------------- */

/* A fixed array, because the signal handler may neither lock nor follow
 * pointers that another thread could free. 16384 reservations of 8 GiB fill
 * the 128 TiB user address space of x86-64, so the array never limits us
 * before the address space does. A slot is live while `end` is non-zero. */
#define REG_SLOTS 16384

typedef struct reg_slot {
    atomic_uintptr_t start, end;
    atomic_int used;               /* Claimed by a memory (end may lag). */
} reg_slot;

static reg_slot registry[REG_SLOTS];
static atomic_int registry_high;   /* Every live slot index is below this. */

/* Claims a slot for [start, end), or returns -1 when all are taken. */
static int registry_add(uintptr_t start, uintptr_t end)
{
    for (int i = 0; i < REG_SLOTS; i++) {
        int expected = 0;
        if (atomic_load_explicit(&registry[i].used, memory_order_relaxed) ||
            !atomic_compare_exchange_strong(&registry[i].used, &expected, 1))
            continue;
        atomic_store_explicit(&registry[i].start, start, memory_order_relaxed);
        atomic_store_explicit(&registry[i].end, end, memory_order_release);
        int high = atomic_load(&registry_high);
        while (high < i + 1 && !atomic_compare_exchange_weak(&registry_high, &high, i + 1)) {
        }
        return i;
    }
    return -1;
}

/* Makes the slot dead first, so that the handler stops claiming faults in
 * the range before its pages are unmapped and possibly reused. */
static void registry_clear(int slot)
{
    atomic_store_explicit(&registry[slot].end, 0, memory_order_release);
    atomic_store_explicit(&registry[slot].start, 0, memory_order_relaxed);
}

static void registry_release(int slot)
{
    atomic_store_explicit(&registry[slot].used, 0, memory_order_release);
}

/* Async-signal-safe: lock-free loads only. */
static bool registry_contains(uintptr_t addr)
{
    int high = atomic_load_explicit(&registry_high, memory_order_acquire);
    for (int i = 0; i < high; i++) {
        uintptr_t end = atomic_load_explicit(&registry[i].end, memory_order_acquire);
        if (end != 0 && addr < end &&
            addr >= atomic_load_explicit(&registry[i].start, memory_order_relaxed))
            return true;
    }
    return false;
}

/* ---- Per-thread state --------------------------------------------------- */

/* initial-exec TLS is a fixed offset from the thread pointer: reading it in a
 * signal handler never calls into the dynamic loader (which may allocate). */
#define TLS_IE __thread __attribute__((tls_model("initial-exec")))

static TLS_IE sigjmp_buf *landing_pad;
static TLS_IE void *last_fault;
static TLS_IE bool thread_ready;

static pthread_key_t altstack_key;
static pthread_once_t altstack_once = PTHREAD_ONCE_INIT;

static size_t altstack_size(void)
{
    size_t size = 64 * 1024;
#ifdef _SC_SIGSTKSZ
    long min = sysconf(_SC_SIGSTKSZ);
    if (min > 0 && (size_t)min * 4 > size) size = (size_t)min * 4;
#endif
    return size;
}

/* Thread exit: stop using the stack before unmapping it. The mapping has a
 * guard page below the usable stack, hence the page added back here. */
static void altstack_destroy(void *mapping)
{
    stack_t off = { .ss_flags = SS_DISABLE };
    sigaltstack(&off, NULL);
    munmap(mapping, altstack_size() + (size_t)sysconf(_SC_PAGESIZE));
}

static void altstack_key_create(void)
{
    pthread_key_create(&altstack_key, altstack_destroy);
}

bool mem_thread_init(void)
{
    if (thread_ready) return true;
    stack_t cur;
    if (sigaltstack(NULL, &cur) == 0 && !(cur.ss_flags & SS_DISABLE)) {
        thread_ready = true;   /* Someone (the embedder) already gave us one. */
        return true;
    }
    size_t page = (size_t)sysconf(_SC_PAGESIZE), size = altstack_size();
    uint8_t *mapping = mmap(NULL, size + page, PROT_READ | PROT_WRITE,
                            MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (mapping == MAP_FAILED) return false;
    /* A guard page below the stack, so an overflow of the handler faults
     * instead of overwriting whatever lies beneath. */
    mprotect(mapping, page, PROT_NONE);
    stack_t st = { .ss_sp = mapping + page, .ss_size = size, .ss_flags = 0 };
    if (sigaltstack(&st, NULL) != 0) {
        munmap(mapping, size + page);
        return false;
    }
    pthread_once(&altstack_once, altstack_key_create);
    pthread_setspecific(altstack_key, mapping);
    thread_ready = true;
    return true;
}

void mem_trap_landing_set(sigjmp_buf *pad)
{
    if (pad && !thread_ready) mem_thread_init();
    landing_pad = pad;
}

sigjmp_buf *mem_trap_landing_get(void) { return landing_pad; }

void *mem_trap_fault_address(void) { return last_fault; }

/* ---- The fault handler ------------------------------------------------- */

static struct sigaction old_segv, old_bus;
static pthread_once_t signals_once = PTHREAD_ONCE_INIT;
static bool signals_ok;

/* Hands a fault that is not ours to whoever had the signal before us. For
 * the default action, restore it and let the fault happen again: returning
 * re-executes the faulting instruction, which now kills the process the
 * usual way (core dump included). A signal sent with kill() would not
 * recur, so it is raised again; SA_NODEFER lets it through at once. */
static void chain(int sig, siginfo_t *info, void *ctx)
{
    const struct sigaction *old = sig == SIGSEGV ? &old_segv : &old_bus;
    if (old->sa_flags & SA_SIGINFO) {
        old->sa_sigaction(sig, info, ctx);
        return;
    }
    if (old->sa_handler == SIG_IGN && info->si_code <= 0) return;
    if (old->sa_handler != SIG_DFL && old->sa_handler != SIG_IGN) {
        old->sa_handler(sig);
        return;
    }
    /* SIG_DFL, or SIG_IGN for a real fault (which cannot be ignored). */
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    sigemptyset(&dfl.sa_mask);
    sigaction(sig, &dfl, NULL);
    if (info->si_code <= 0) raise(sig);
}

static void on_fault(int sig, siginfo_t *info, void *ctx)
{
    int saved_errno = errno;
    sigjmp_buf *pad = landing_pad;
    /* si_code > 0: raised by the kernel for this access, not sent by kill. */
    if (pad && info->si_code > 0 && registry_contains((uintptr_t)info->si_addr)) {
        last_fault = info->si_addr;
        siglongjmp(*pad, 1);
    }
    chain(sig, info, ctx);
    errno = saved_errno;
}

static void install_once(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_fault;
    /* Empty mask and SA_NODEFER: the handler blocks nothing, so jumping out
     * of it with siglongjmp (which the interpreter's sigsetjmp(buf, 0) does
     * not follow with a mask restore) leaves the thread's mask unchanged. */
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
    signals_ok = sigaction(SIGSEGV, &sa, &old_segv) == 0 &&
                 sigaction(SIGBUS, &sa, &old_bus) == 0;
}

bool mem_signals_install(void)
{
    pthread_once(&signals_once, install_once);
    return signals_ok;
}

/* ---- Memories ---------------------------------------------------------- */

bool mem_guard_supported(void)
{
#if defined(__linux__) && UINTPTR_MAX == UINT64_MAX
    return true;
#else
    return false;
#endif
}

/* The base of an explicit memory of zero bytes: valid, never dereferenced. */
static uint64_t empty_memory[2];

static weft_status init_guarded(wx_memory *m, uint64_t size)
{
    if (!mem_signals_install() || !mem_thread_init()) return WEFT_ERR_LIMIT;
    uint8_t *p = mmap(NULL, MEM_GUARD_RESERVE, PROT_NONE,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) return WEFT_ERR_LIMIT;
    int slot = registry_add((uintptr_t)p, (uintptr_t)p + MEM_GUARD_RESERVE);
    if (slot < 0) {
        munmap(p, MEM_GUARD_RESERVE);
        return WEFT_ERR_LIMIT;
    }
    if (size != 0 && mprotect(p, size, PROT_READ | PROT_WRITE) != 0) {
        registry_clear(slot);
        munmap(p, MEM_GUARD_RESERVE);
        registry_release(slot);
        return WEFT_ERR_NOMEM;
    }
    m->base = p;
    m->reserved = MEM_GUARD_RESERVE;
    m->guarded = true;
    m->slot = slot;
    return WEFT_OK;
}

static weft_status init_explicit(wx_memory *m, uint64_t size)
{
    m->guarded = false;
    m->slot = -1;
    if (size == 0) {
        m->base = (uint8_t *)empty_memory;
        m->reserved = 0;
        return WEFT_OK;
    }
    uint8_t *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) return WEFT_ERR_NOMEM;
    m->base = p;
    m->reserved = size;
    return WEFT_OK;
}

weft_status mem_init(wx_memory *m, uint64_t min_pages, uint64_t max_pages, bool guarded)
{
    memset(m, 0, sizeof *m);
    m->slot = -1;
    if (max_pages > MEM_MAX_PAGES) max_pages = MEM_MAX_PAGES;
    if (min_pages > max_pages) return WEFT_ERR_LIMIT;
    uint64_t size = min_pages * MEM_PAGE_SIZE;
    weft_status st = WEFT_ERR_LIMIT;
    if (guarded && mem_guard_supported()) st = init_guarded(m, size);
    /* A failed mprotect means the host is out of memory: explicit mode
     * would fail too. Running out of address space or slots is what the
     * fallback is for. */
    if (st == WEFT_ERR_NOMEM) return st;
    if (st != WEFT_OK) st = init_explicit(m, size);
    if (st != WEFT_OK) {
        memset(m, 0, sizeof *m);
        m->slot = -1;
        return st;
    }
    m->size = size;
    m->pages = min_pages;
    m->max_pages = max_pages;
    return WEFT_OK;
}

int64_t mem_grow(wx_memory *m, uint64_t delta_pages)
{
    uint64_t old = m->pages;
    if (delta_pages > m->max_pages - old) return -1;
    if (delta_pages == 0) return (int64_t)old;
    uint64_t new_size = (old + delta_pages) * MEM_PAGE_SIZE;
    if (wx_budget_take(m->budget, new_size - m->size, 0)) return -1;
    if (m->guarded) {
        if (mprotect(m->base + m->size, new_size - m->size, PROT_READ | PROT_WRITE) != 0) {
            wx_budget_give(m->budget, new_size - m->size, 0);
            return -1;
        }
    } else {
        /* mremap moves pages by remapping, without copying, and the new
         * tail comes zeroed like any fresh anonymous memory. */
        void *p = m->reserved == 0
                      ? mmap(NULL, new_size, PROT_READ | PROT_WRITE,
                             MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0)
                      : mremap(m->base, m->reserved, new_size, MREMAP_MAYMOVE);
        if (p == MAP_FAILED) {
            wx_budget_give(m->budget, new_size - m->size, 0);
            return -1;
        }
        m->base = p;
        m->reserved = new_size;
    }
    m->size = new_size;
    m->pages = old + delta_pages;
    return (int64_t)old;
}

void mem_free(wx_memory *m)
{
    if (m->base == NULL) return;
    if (m->guarded) {
        registry_clear(m->slot);
        munmap(m->base, m->reserved);
        registry_release(m->slot);
    } else if (m->reserved != 0) {
        munmap(m->base, m->reserved);
    }
    memset(m, 0, sizeof *m);
    m->slot = -1;
}
