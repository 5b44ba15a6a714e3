/* strings.c: string processing: building lines with memcpy and memset,
 * strlen, strchr, memcmp-based search, word counting and case folding. */
#define BENCH_SCALE 75
#define BENCH_QUICK 1
#include "bench.h"

#define TEXT_CAP (256 * 1024)

static char text[TEXT_CAP];
static char scratch[TEXT_CAP];

static const char *const words[] = {
    "weft", "warp", "loom", "shuttle", "bobbin", "heddle", "reed", "treadle",
    "spindle", "skein", "thread", "fabric", "pattern", "twill", "satin", "tabby",
};

/* Fills `text` with lines of words padded by memset to varied widths. */
static uint32_t build(uint32_t seed)
{
    uint32_t len = 0;
    while (len + 128 < TEXT_CAP) {
        int nwords = 3 + (int)(bench_rand(&seed) % 8);
        for (int w = 0; w < nwords; w++) {
            const char *word = words[bench_rand(&seed) % 16];
            size_t n = strlen(word);
            memcpy(text + len, word, n);
            len += (uint32_t)n;
            uint32_t pad = 1 + bench_rand(&seed) % 3;
            memset(text + len, ' ', pad);
            len += pad;
        }
        text[len++] = '\n';
    }
    text[len] = 0;
    return len;
}

static uint32_t count_matches(const char *hay, uint32_t len, const char *needle)
{
    size_t n = strlen(needle);
    uint32_t count = 0;
    const char *end = hay + len - n;
    for (const char *p = hay; p <= end; p++) {
        p = memchr(p, needle[0], (size_t)(end - p) + 1);
        if (!p)
            break;
        if (memcmp(p, needle, n) == 0)
            count++;
    }
    return count;
}

/* Copies each line reversed and upper-cased into scratch, squeezing runs of
 * spaces; returns the new length. */
static uint32_t transform(uint32_t len)
{
    uint32_t out = 0;
    const char *line = text;
    while (line < text + len) {
        const char *nl = strchr(line, '\n');
        uint32_t n = (uint32_t)(nl - line);
        for (uint32_t i = n; i-- > 0;) {
            char c = line[i];
            if (c == ' ' && out > 0 && scratch[out - 1] == ' ')
                continue;
            scratch[out++] = c >= 'a' && c <= 'z' ? (char)(c - 32) : c;
        }
        scratch[out++] = '\n';
        line = nl + 1;
    }
    return out;
}

static uint32_t kernel(int scale)
{
    uint32_t h = 0;
    for (int it = 0; it < scale; it++) {
        uint32_t len = build(31u + (uint32_t)it);
        h = bench_mix(h, len);
        h = bench_mix(h, count_matches(text, len, "twill"));
        h = bench_mix(h, count_matches(text, len, "reed  s"));
        uint32_t out = transform(len);
        uint32_t words_seen = 0;
        for (uint32_t i = 1; i < out; i++)
            words_seen += scratch[i] == ' ' && scratch[i - 1] != ' ';
        h = bench_mix(h, words_seen);
        memmove(scratch + 1, scratch, out / 2);
        h = bench_mix(h, (uint32_t)(uint8_t)scratch[out / 3] + out);
    }
    return h;
}
