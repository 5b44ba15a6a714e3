/* wordfreq.c: a larger program run end to end. It writes a generated text
 * of some 200 KB into the sandbox, reads it back to count word frequencies
 * with a hash table, writes a report, then compresses the text with a small
 * LZ77 coder, decompresses it into a third file and checks the round trip.
 * The expected numbers are those of the same program built natively. */
// expect-stdout: corpus: 204800 bytes, 50785 words
// expect-stdout: distinct words: 41
// expect-stdout: top: the 4516
// expect-stdout: top: and 2322
// expect-stdout: top: of 2189
// expect-stdout: top: as 1183
// expect-stdout: top: one 1183
// expect-stdout: report lines: 41
// expect-stdout: compressed: smaller
// expect-stdout: round trip: identical
// expect-stdout: files: corpus.lz corpus.out corpus.txt report.txt
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/stat.h>

#include "wasi_test.h"

static const char *words[] = {
    "the", "the", "the", "the", "of", "of", "and", "and", "to", "a", "in", "is", "it",
    "you", "that", "he", "was", "for", "on", "are", "with", "as", "his", "they", "be",
    "at", "one", "have", "this", "from", "or", "had", "by", "hot", "word", "but", "what",
    "some", "we", "can", "out", "other", "were", "all", "there",
};
#define NWORDS (sizeof words / sizeof words[0])
#define CORPUS 204800

static uint32_t seed = 12345;

static uint32_t next_random(void)
{
    seed = seed * 1103515245u + 12345u;
    return (seed >> 16) & 0x7fff;
}

/* Writes the generated corpus in chunks of up to 4 KB. */
static void write_corpus(void)
{
    FILE *f = fopen("corpus.txt", "w");
    size_t size = 0;
    int col = 0;
    while (size < CORPUS) {
        const char *w = words[next_random() % NWORDS];
        char piece[32];
        int n = snprintf(piece, sizeof piece, "%s%s", w, ++col % 12 ? " " : ".\n");
        if (size + (size_t)n > CORPUS)
            n = (int)(CORPUS - size);
        fwrite(piece, 1, (size_t)n, f);
        size += (size_t)n;
    }
    fclose(f);
}

static char *read_file(const char *path, size_t *size)
{
    struct stat st;
    if (stat(path, &st))
        return NULL;
    char *buf = malloc((size_t)st.st_size + 1);
    int fd = open(path, O_RDONLY);
    size_t got = 0;
    ssize_t n;
    while ((n = read(fd, buf + got, (size_t)st.st_size - got)) > 0)
        got += (size_t)n;
    close(fd);
    buf[got] = '\0';
    *size = got;
    return buf;
}

typedef struct entry {
    char word[24];
    int count;
} entry;

static entry table[256];

static entry *lookup(const char *w, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (uint8_t)w[i]) * 16777619u;
    for (uint32_t i = h % 256;; i = (i + 1) % 256) {
        if (!table[i].count) {
            memcpy(table[i].word, w, n);
            table[i].word[n] = '\0';
            return &table[i];
        }
        if (strlen(table[i].word) == n && !memcmp(table[i].word, w, n))
            return &table[i];
    }
}

static int by_count(const void *a, const void *b)
{
    const entry *x = a, *y = b;
    if (x->count != y->count)
        return y->count - x->count;
    return strcmp(x->word, y->word);
}

/* LZ77: a literal byte is 0x00 then the byte; a match is 0x01, a 16-bit
 * distance and an 8-bit length. Matches are found through a hash of the
 * next three bytes. */
static size_t compress(const uint8_t *in, size_t n, uint8_t *out)
{
    static int32_t head[1 << 14];
    memset(head, -1, sizeof head);
    size_t o = 0, i = 0;
    while (i < n) {
        size_t best = 0, dist = 0;
        if (i + 3 <= n) {
            uint32_t h = ((in[i] << 10) ^ (in[i + 1] << 5) ^ in[i + 2]) & ((1 << 14) - 1);
            int32_t c = head[h];
            head[h] = (int32_t)i;
            if (c >= 0 && i - (size_t)c < 65535) {
                size_t l = 0;
                while (i + l < n && l < 255 && in[c + l] == in[i + l])
                    l++;
                if (l >= 4) {
                    best = l;
                    dist = i - (size_t)c;
                }
            }
        }
        if (best) {
            out[o++] = 1;
            out[o++] = (uint8_t)dist;
            out[o++] = (uint8_t)(dist >> 8);
            out[o++] = (uint8_t)best;
            i += best;
        } else {
            out[o++] = 0;
            out[o++] = in[i++];
        }
    }
    return o;
}

static size_t decompress(const uint8_t *in, size_t n, uint8_t *out)
{
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        if (in[i] == 0) {
            out[o++] = in[i + 1];
            i += 2;
        } else {
            size_t dist = in[i + 1] | in[i + 2] << 8, len = in[i + 3];
            for (size_t k = 0; k < len; k++, o++)
                out[o] = out[o - dist];
            i += 4;
        }
    }
    return o;
}

static void write_file(const char *path, const void *data, size_t n)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    write(fd, data, n);
    close(fd);
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(void)
{
    enter_sandbox();
    write_corpus();
    size_t size;
    char *text = read_file("corpus.txt", &size);
    int nwords = 0, distinct = 0;
    for (size_t i = 0; i < size;) {
        while (i < size && !(text[i] >= 'a' && text[i] <= 'z'))
            i++;
        size_t start = i;
        while (i < size && text[i] >= 'a' && text[i] <= 'z')
            i++;
        if (i > start) {
            entry *e = lookup(text + start, i - start);
            distinct += e->count++ == 0;
            nwords++;
        }
    }
    printf("corpus: %zu bytes, %d words\n", size, nwords);
    printf("distinct words: %d\n", distinct);
    qsort(table, 256, sizeof *table, by_count);
    for (int i = 0; i < 5; i++)
        printf("top: %s %d\n", table[i].word, table[i].count);
    FILE *r = fopen("report.txt", "w");
    for (int i = 0; i < distinct; i++)
        fprintf(r, "%s %d\n", table[i].word, table[i].count);
    fclose(r);
    size_t rsize;
    char *report = read_file("report.txt", &rsize);
    int lines = 0;
    for (size_t i = 0; i < rsize; i++)
        lines += report[i] == '\n';
    printf("report lines: %d\n", lines);

    uint8_t *packed = malloc(size * 2 + 16);
    size_t psize = compress((const uint8_t *)text, size, packed);
    write_file("corpus.lz", packed, psize);
    printf("compressed: %s\n", psize < size ? "smaller" : "larger");
    size_t lsize;
    char *lz = read_file("corpus.lz", &lsize);
    uint8_t *unpacked = malloc(size + 256);
    size_t usize = decompress((const uint8_t *)lz, lsize, unpacked);
    write_file("corpus.out", unpacked, usize);
    size_t osize;
    char *back = read_file("corpus.out", &osize);
    printf("round trip: %s\n", osize == size && !memcmp(back, text, size) ? "identical" : "different");

    char *names[16];
    int n = 0;
    DIR *d = opendir(".");
    struct dirent *e;
    while ((e = readdir(d)) && n < 16)
        if (e->d_name[0] != '.')
            names[n++] = strdup(e->d_name);
    closedir(d);
    qsort(names, n, sizeof *names, cmp_names);
    printf("files:");
    for (int i = 0; i < n; i++)
        printf(" %s", names[i]);
    printf("\n");
    return 0;
}
