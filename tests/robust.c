/* robust.c: feeds truncated and mutated copies of real modules to
 * weft_module_load, to be run under AddressSanitizer and UBSan, and checks
 * that every input comes back as a value (no crash, no hang). */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "weft.h"

#if defined(__SANITIZE_ADDRESS__)
#define ROBUST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ROBUST_ASAN 1
#endif
#endif
#ifdef ROBUST_ASAN
#include <sanitizer/common_interface_defs.h>
#endif

/* Seconds one load may take before it is reported as a hang. */
enum { HANG_SECONDS = 20 };

typedef struct options {
    const char *root;
    size_t max_prefix_bytes;   /* Modules up to this size get every prefix. */
    size_t sampled_prefixes;   /* Extra prefix lengths for larger modules. */
    unsigned flips;            /* Mutated copies per module. */
    uint64_t seed;
    bool strict;               /* Exit 1 when an error value looks wrong. */
    bool verbose;
    const char *log;           /* Where to write every input's outcome, or NULL. */
} options;

typedef struct counts {
    uint64_t files, inputs, prefixes, mutants, accepted, rejected, anomalies;
    uint64_t by_status[WEFT_ERR_ARGUMENT + 1];
} counts;

/* What is being loaded right now, kept where a signal handler or the
 * sanitizer's death callback can report it without allocating. */
static struct {
    char what[1024];
    const uint8_t *bytes;
    size_t size;
} current;

/* Writes a string to stderr from a signal handler. */
static void say(const char *s) { (void)!write(2, s, strlen(s)); }

/* Reports the input being loaded and saves it as robust-crash.wasm. Only
 * async-signal-safe calls: it runs from signal handlers. */
static void report_current(const char *why)
{
    say("\nrobust: ");
    say(why);
    say(" while loading ");
    say(current.what);
    say("\nrobust: the input is saved as robust-crash.wasm\n");
    int fd = open("robust-crash.wasm", O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
        size_t done = 0;
        while (current.bytes && done < current.size) {
            ssize_t k = write(fd, current.bytes + done, current.size - done);
            if (k <= 0)
                break;
            done += (size_t)k;
        }
        close(fd);
    }
}

static void on_alarm(int sig)
{
    (void)sig;
    report_current("a hang (no answer within the time limit)");
    _exit(3);
}

#ifndef ROBUST_ASAN
static void on_fatal(int sig)
{
    report_current(sig == SIGSEGV ? "SIGSEGV" : sig == SIGBUS ? "SIGBUS"
                   : sig == SIGFPE ? "SIGFPE" : sig == SIGILL ? "SIGILL" : "SIGABRT");
    signal(sig, SIG_DFL);
    raise(sig);
}
#endif

#ifdef ROBUST_ASAN
static void on_sanitizer_death(void) { report_current("a sanitizer error"); }
#endif

/* With --log, each input's outcome, one line each: comparing the logs of
 * two builds shows whether a change to the decoder or validator altered
 * any verdict, message or error position. */
static FILE *outcome_log;

static void install_handlers(void)
{
    signal(SIGALRM, on_alarm);
#ifdef ROBUST_ASAN
    /* AddressSanitizer reports faults itself; it calls back before dying. */
    __sanitizer_set_death_callback(on_sanitizer_death);
#else
    int sigs[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT };
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        signal(sigs[i], on_fatal);
#endif
}

/* splitmix64: a small deterministic generator, so that a run is repeatable
 * from its seed. */
static uint64_t next_random(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static uint64_t below(uint64_t *state, uint64_t n) { return n ? next_random(state) % n : 0; }

/* FNV-1a of a string, to give each file its own stream of mutations that
 * does not depend on which other files are present. */
static uint64_t hash_string(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (; *s; s++)
        h = (h ^ (uint8_t)*s) * 0x100000001b3ull;
    return h;
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Checks that an error value is self-consistent; returns false (after
 * printing why) when it is not. */
static bool error_looks_right(weft_status s, const weft_error *err, size_t size)
{
    const char *problem = NULL;
    if (err->status != s)
        problem = "err.status differs from the returned status";
    else if (!memchr(err->message, '\0', sizeof err->message))
        problem = "message not NUL-terminated";
    else if (err->message[0] == '\0')
        problem = "empty message";
    else if (err->offset < -1 || err->offset > (int64_t)size)
        problem = "offset outside the module";
    else if (err->section < -1 || err->section > 255)
        problem = "section id out of range";
    else if (err->func < -1)
        problem = "negative function index";
    if (!problem)
        return true;
    fprintf(stderr, "robust: %s (%s: offset %" PRId64 ", section %d, func %" PRId64 ", \"%.200s\")"
            " for %s\n", problem, weft_status_name(s), err->offset, err->section, err->func,
            err->message, current.what);
    return false;
}

/* Loads `n` bytes from a buffer of exactly that size and counts the
 * outcome. weft_module_load copies the bytes into the module's arena, so
 * the exact size only guards the copy; reads past the copy's end but inside
 * its arena chunk are invisible to AddressSanitizer. */
static void try_load(uint8_t *buf, size_t n, counts *c)
{
    current.bytes = buf;
    current.size = n;
    weft_module *m = NULL;
    weft_error err;
    memset(&err, 0xa5, sizeof err);
    alarm(HANG_SECONDS);
    weft_status s = weft_module_load(n ? buf : (const uint8_t *)"", n, &m, &err);
    alarm(0);
    c->inputs++;
    if (outcome_log) {
        if (s == WEFT_OK)
            fprintf(outcome_log, "%s\tok\n", current.what);
        else
            fprintf(outcome_log, "%s\t%s offset %" PRId64 " section %d func %" PRId64 ": %s\n",
                    current.what, weft_status_name(s), err.offset, err.section, err.func,
                    err.message);
    }
    if (s == WEFT_OK) {
        c->accepted++;
        if (!m) {
            fprintf(stderr, "robust: WEFT_OK with no module for %s\n", current.what);
            c->anomalies++;
        }
        weft_module_free(m);
    } else {
        c->rejected++;
        if (m) {
            fprintf(stderr, "robust: an error with a module for %s\n", current.what);
            c->anomalies++;
        }
        if (!error_looks_right(s, &err, n))
            c->anomalies++;
        /* Formatting reads every field, so a garbage field shows here too. */
        char line[512];
        weft_error_format(&err, line, sizeof line);
    }
    if ((unsigned)s <= WEFT_ERR_ARGUMENT)
        c->by_status[s]++;
}

/* Loads the first `len` bytes of the module from an exact-size copy. */
static void try_prefix(const char *path, const uint8_t *bytes, size_t len, counts *c)
{
    uint8_t *buf = malloc(len ? len : 1);
    if (!buf) {
        perror("robust");
        exit(2);
    }
    memcpy(buf, bytes, len);
    snprintf(current.what, sizeof current.what, "%s, prefix of %zu bytes", path, len);
    try_load(buf, len, c);
    free(buf);
    c->prefixes++;
}

static int compare_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return x < y ? -1 : x > y;
}

/* Reads an unsigned LEB128 for the section walk; false at the end or on a
 * bad encoding. */
static bool walk_leb(const uint8_t *p, size_t size, size_t *pos, uint64_t *out)
{
    uint64_t v = 0;
    for (unsigned shift = 0; shift < 35; shift += 7) {
        if (*pos >= size)
            return false;
        uint8_t b = p[(*pos)++];
        v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            *out = v;
            return true;
        }
    }
    return false;
}

/* Chooses prefix lengths for a module too large for all of them: the
 * header's bytes, a few bytes either side of each section header and each
 * section's end, and evenly spread lengths. Returns how many. */
static size_t sample_prefixes(const uint8_t *p, size_t size, size_t spread, uint64_t *rng,
                              size_t **out)
{
    size_t cap = 64 + spread + 4096, n = 0;
    size_t *lens = malloc(cap * sizeof *lens);
    if (!lens) {
        perror("robust");
        exit(2);
    }
#define ADD(len)                                      \
    do {                                              \
        size_t l_ = (len);                            \
        if (l_ < size && n < cap)                     \
            lens[n++] = l_;                           \
    } while (0)
    for (size_t i = 0; i < 64; i++)
        ADD(i);
    size_t pos = 8;
    while (pos < size) {
        size_t start = pos;
        uint64_t len;
        pos++;
        if (!walk_leb(p, size, &pos, &len) || len > size - pos)
            break;
        size_t end = pos + (size_t)len;
        for (size_t d = 0; d <= 6; d++) {
            ADD(start + d);
            ADD(end + d);
            if (end >= d)
                ADD(end - d);
        }
        pos = end;
    }
    for (size_t i = 0; i < spread; i++)
        ADD(i * (size / spread) + (size_t)below(rng, size / spread + 1));
#undef ADD
    qsort(lens, n, sizeof *lens, compare_size);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (k == 0 || lens[i] != lens[k - 1])
            lens[k++] = lens[i];
    *out = lens;
    return k;
}

/* Applies 1-4 random mutations to the `*size` bytes of `buf` (which has room
 * for 4 more): bit flips and byte replacements mostly, and now and then a
 * byte inserted or deleted, which shifts everything after it. Describes them
 * in `what`. */
static void mutate(uint8_t *buf, size_t *size, uint64_t *rng, char *what, size_t what_size)
{
    static const uint8_t interesting[] = { 0x00, 0x01, 0x7f, 0x80, 0xff, 0x40, 0x0b, 0x41, 0x10 };
    unsigned count = 1 + (unsigned)below(rng, 4);
    size_t w = strlen(what);
#define DESCRIBE(...)                                                                    \
    (w += (size_t)snprintf(what + w, w < what_size ? what_size - w : 0, __VA_ARGS__))
    for (unsigned i = 0; i < count && *size; i++) {
        size_t at = (size_t)below(rng, *size);
        uint64_t how = below(rng, 16);
        const char *sep = i ? ";" : "";
        if (how < 7) {
            unsigned bit = (unsigned)below(rng, 8);
            buf[at] ^= (uint8_t)(1u << bit);
            DESCRIBE("%s flip bit %u at 0x%zx", sep, bit, at);
        } else if (how < 14) {
            uint8_t v = how < 10 ? (uint8_t)below(rng, 256)
                                 : interesting[below(rng, sizeof interesting)];
            buf[at] = v;
            DESCRIBE("%s set byte 0x%zx = 0x%02x", sep, at, v);
        } else if (how == 14) {
            uint8_t v = interesting[below(rng, sizeof interesting)];
            memmove(buf + at + 1, buf + at, *size - at);
            buf[at] = v;
            (*size)++;
            DESCRIBE("%s insert 0x%02x at 0x%zx", sep, v, at);
        } else {
            memmove(buf + at, buf + at + 1, *size - at - 1);
            (*size)--;
            DESCRIBE("%s delete byte 0x%zx", sep, at);
        }
    }
#undef DESCRIBE
}

static void run_file(const char *path, const char *name, const options *o, counts *c)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "robust: cannot open %s: %s\n", path, strerror(errno));
        return;
    }
    size_t cap = 1 << 16, size = 0;
    uint8_t *bytes = malloc(cap);
    for (;;) {
        if (!bytes) {
            perror("robust");
            exit(2);
        }
        size += fread(bytes + size, 1, cap - size, f);
        if (size < cap)
            break;
        cap *= 2;
        uint8_t *grown = realloc(bytes, cap);
        if (!grown)
            free(bytes);
        bytes = grown;
    }
    fclose(f);
    c->files++;
    uint64_t rng = o->seed ^ hash_string(name);

    /* The whole module, then its prefixes. */
    uint8_t *whole = malloc(size ? size : 1);
    if (!whole) {
        perror("robust");
        exit(2);
    }
    memcpy(whole, bytes, size);
    snprintf(current.what, sizeof current.what, "%s, whole module", path);
    try_load(whole, size, c);
    free(whole);
    if (size <= o->max_prefix_bytes) {
        for (size_t len = 0; len < size; len++)
            try_prefix(path, bytes, len, c);
    } else {
        size_t *lens;
        size_t n = sample_prefixes(bytes, size, o->sampled_prefixes, &rng, &lens);
        for (size_t i = 0; i < n; i++)
            try_prefix(path, bytes, lens[i], c);
        free(lens);
    }

    /* Mutated copies, each loaded from an exact-size buffer. */
    uint8_t *scratch = malloc(size + 8);
    if (!scratch) {
        perror("robust");
        exit(2);
    }
    for (unsigned k = 0; size && k < o->flips; k++) {
        memcpy(scratch, bytes, size);
        size_t n = size;
        snprintf(current.what, sizeof current.what, "%s, mutation %u:", path, k);
        mutate(scratch, &n, &rng, current.what, sizeof current.what);
        uint8_t *buf = malloc(n ? n : 1);
        if (!buf) {
            perror("robust");
            exit(2);
        }
        memcpy(buf, scratch, n);
        try_load(buf, n, c);
        free(buf);
        c->mutants++;
    }
    free(scratch);
    free(bytes);
    if (o->verbose)
        fprintf(stderr, "robust: %s done\n", path);
}

typedef struct path_list {
    char **items;
    size_t n, cap;
} path_list;

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* Collects the .wasm files under `dir`, recursively. */
static void collect(const char *dir, path_list *out)
{
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "robust: cannot open directory %s: %s\n", dir, strerror(errno));
        return;
    }
    struct dirent *e;
    while ((e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char *path;
        if (asprintf(&path, "%s/%s", dir, e->d_name) < 0) {
            perror("robust");
            exit(2);
        }
        struct stat st;
        /* lstat: symbolic links are not followed, so a link cannot loop. */
        if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
            collect(path, out);
            free(path);
        } else if (lstat(path, &st) == 0 && S_ISREG(st.st_mode) && ends_with(path, ".wasm")) {
            if (out->n == out->cap) {
                out->cap = out->cap ? 2 * out->cap : 256;
                out->items = realloc(out->items, out->cap * sizeof *out->items);
                if (!out->items) {
                    perror("robust");
                    exit(2);
                }
            }
            out->items[out->n++] = path;
        } else {
            free(path);
        }
    }
    closedir(d);
}

static int compare_strings(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void usage(void)
{
    fprintf(stderr,
            "usage: robust DIR|FILE.wasm [--max-prefix-bytes N] [--sampled-prefixes N]\n"
            "              [--flips N] [--seed S] [--strict] [--verbose] [--log FILE]\n"
            "Loads every .wasm under DIR, all its prefixes (sampled ones for modules\n"
            "larger than --max-prefix-bytes) and --flips mutated copies of it, and\n"
            "checks that each load returns. A crash or hang is reported with the input,\n"
            "which is saved as robust-crash.wasm. --log writes each input's outcome\n"
            "(status, error position and message) to FILE, one line each.\n");
    exit(2);
}

static uint64_t parse_number(const char *flag, const char *s)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 0);
    if (errno || *end || end == s) {
        fprintf(stderr, "robust: bad number for %s: %s\n", flag, s);
        exit(2);
    }
    return v;
}

static options parse_options(int argc, char **argv)
{
    options o = {
        .max_prefix_bytes = 16384,
        .sampled_prefixes = 512,
        .flips = 300,
        .seed = 1,
    };
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        bool has_value = i + 1 < argc;
        if (strcmp(a, "--max-prefix-bytes") == 0 && has_value)
            o.max_prefix_bytes = parse_number(a, argv[++i]);
        else if (strcmp(a, "--sampled-prefixes") == 0 && has_value)
            o.sampled_prefixes = parse_number(a, argv[++i]);
        else if (strcmp(a, "--flips") == 0 && has_value)
            o.flips = (unsigned)parse_number(a, argv[++i]);
        else if (strcmp(a, "--seed") == 0 && has_value)
            o.seed = parse_number(a, argv[++i]);
        else if (strcmp(a, "--strict") == 0)
            o.strict = true;
        else if (strcmp(a, "--verbose") == 0)
            o.verbose = true;
        else if (strcmp(a, "--log") == 0 && has_value)
            o.log = argv[++i];
        else if (a[0] == '-' || o.root)
            usage();
        else
            o.root = a;
    }
    if (!o.root)
        usage();
    if (o.sampled_prefixes == 0)
        o.sampled_prefixes = 1;
    return o;
}

int main(int argc, char **argv)
{
    options o = parse_options(argc, argv);
    install_handlers();
    if (o.log && !(outcome_log = fopen(o.log, "w"))) {
        fprintf(stderr, "robust: cannot write %s: %s\n", o.log, strerror(errno));
        return 2;
    }
    double start = now_seconds();
    path_list files = { 0 };
    struct stat st;
    if (stat(o.root, &st) == 0 && S_ISREG(st.st_mode)) {
        files.items = malloc(sizeof *files.items);
        files.items[0] = strdup(o.root);
        files.n = 1;
    } else {
        collect(o.root, &files);
    }
    if (files.n)
        qsort(files.items, files.n, sizeof *files.items, compare_strings);
    counts c = { 0 };
    size_t root_len = strlen(o.root);
    for (size_t i = 0; i < files.n; i++) {
        const char *name = files.items[i];
        /* Seed by the path below the root, so a file's mutations are the same
         * however the directory is named or what else it holds. */
        if (strncmp(name, o.root, root_len) == 0 && name[root_len] == '/')
            name += root_len + 1;
        run_file(files.items[i], name, &o, &c);
        free(files.items[i]);
    }
    free(files.items);
    if (outcome_log)
        fclose(outcome_log);
    double elapsed = now_seconds() - start;
    printf("robust: %" PRIu64 " files, %" PRIu64 " inputs (%" PRIu64 " prefixes, %" PRIu64
           " mutants, %" PRIu64 " whole): %" PRIu64 " accepted, %" PRIu64 " rejected\n",
           c.files, c.inputs, c.prefixes, c.mutants, c.files, c.accepted, c.rejected);
    printf("robust: rejected as");
    for (int s = 1; s <= WEFT_ERR_ARGUMENT; s++)
        if (c.by_status[s])
            printf(" %s %" PRIu64, weft_status_name((weft_status)s), c.by_status[s]);
    printf("; %" PRIu64 " suspicious error values; seed %" PRIu64 "; %.1f s\n", c.anomalies,
           o.seed, elapsed);
    if (c.files == 0) {
        /* Most likely a wrong path: failing says so louder than a pass. */
        fprintf(stderr, "robust: no .wasm files under %s\n", o.root);
        return 1;
    }
    return o.strict && c.anomalies ? 1 : 0;
}
