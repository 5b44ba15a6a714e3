/* lz.c: an LZ77-style compressor (hash-chain match finder, literal runs and
 * back-references) and its decompressor, checked by a round trip. */
#define BENCH_SCALE 45
#define BENCH_QUICK 1
#include "bench.h"

#define INPUT_LEN (192 * 1024)
#define HASH_BITS 14
#define WINDOW 65535
#define MIN_MATCH 4
#define MAX_CHAIN 16

static uint8_t input[INPUT_LEN];
static uint8_t packed[INPUT_LEN + INPUT_LEN / 64 + 16];
static uint8_t unpacked[INPUT_LEN];
static int32_t head[1 << HASH_BITS];
static int32_t chain[INPUT_LEN];

static uint32_t hash4(const uint8_t *p)
{
    uint32_t v = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
    return (v * 2654435761u) >> (32 - HASH_BITS);
}

/* A token is a control byte: 0..127 = that many + 1 literals follow;
 * 128..255 = a match of (c - 128 + MIN_MATCH) bytes at a 16-bit distance. */
static uint32_t flush_literals(const uint8_t *src, uint32_t n, uint8_t *dst)
{
    uint32_t out = 0;
    while (n > 0) {
        uint32_t run = n > 128 ? 128 : n;
        dst[out++] = (uint8_t)(run - 1);
        memcpy(dst + out, src, run);
        out += run;
        src += run;
        n -= run;
    }
    return out;
}

static uint32_t compress(uint32_t len)
{
    for (int i = 0; i < 1 << HASH_BITS; i++)
        head[i] = -1;
    uint32_t out = 0, lit_start = 0, pos = 0;
    while (pos + MIN_MATCH <= len) {
        uint32_t h = hash4(input + pos);
        uint32_t best_len = 0, best_dist = 0;
        int32_t cand = head[h];
        for (int tries = 0; cand >= 0 && tries < MAX_CHAIN; tries++, cand = chain[cand]) {
            uint32_t dist = pos - (uint32_t)cand;
            if (dist > WINDOW)
                break;
            uint32_t n = 0, limit = len - pos < 127 + MIN_MATCH ? len - pos : 127 + MIN_MATCH;
            while (n < limit && input[cand + n] == input[pos + n])
                n++;
            if (n > best_len) {
                best_len = n;
                best_dist = dist;
            }
        }
        chain[pos] = head[h];
        head[h] = (int32_t)pos;
        if (best_len >= MIN_MATCH) {
            out += flush_literals(input + lit_start, pos - lit_start, packed + out);
            packed[out++] = (uint8_t)(128 + best_len - MIN_MATCH);
            packed[out++] = (uint8_t)best_dist;
            packed[out++] = (uint8_t)(best_dist >> 8);
            for (uint32_t k = 1; k < best_len && pos + k + MIN_MATCH <= len; k++) {
                uint32_t hk = hash4(input + pos + k);
                chain[pos + k] = head[hk];
                head[hk] = (int32_t)(pos + k);
            }
            pos += best_len;
            lit_start = pos;
        } else {
            pos++;
        }
    }
    out += flush_literals(input + lit_start, len - lit_start, packed + out);
    return out;
}

static uint32_t decompress(uint32_t packed_len)
{
    uint32_t in = 0, out = 0;
    while (in < packed_len) {
        uint8_t c = packed[in++];
        if (c < 128) {
            memcpy(unpacked + out, packed + in, (uint32_t)c + 1);
            in += (uint32_t)c + 1;
            out += (uint32_t)c + 1;
        } else {
            uint32_t n = (uint32_t)c - 128 + MIN_MATCH;
            uint32_t dist = packed[in] | (uint32_t)packed[in + 1] << 8;
            in += 2;
            /* Byte by byte: a match may overlap its own output. */
            for (uint32_t k = 0; k < n; k++, out++)
                unpacked[out] = unpacked[out - dist];
        }
    }
    return out;
}

/* Text-like input: words from a small vocabulary with occasional noise. */
static void make_input(uint32_t seed)
{
    static const char *const vocab[] = {"the ", "quick ", "brown ", "fox ", "jumps ", "over ",
                                        "lazy ", "dog ", "and ", "then ", "sleeps ", "\n"};
    uint32_t len = 0;
    while (len < INPUT_LEN) {
        uint32_t r = bench_rand(&seed);
        if (r % 17 == 0) {
            input[len++] = (uint8_t)(r >> 8);
            continue;
        }
        for (const char *w = vocab[r % 12]; *w && len < INPUT_LEN; w++)
            input[len++] = (uint8_t)*w;
    }
}

static uint32_t kernel(int scale)
{
    uint32_t h = 0;
    for (int it = 0; it < scale; it++) {
        make_input(5u + (uint32_t)it);
        uint32_t plen = compress(INPUT_LEN);
        uint32_t ulen = decompress(plen);
        int same = ulen == INPUT_LEN && memcmp(unpacked, input, INPUT_LEN) == 0;
        h = bench_mix(h, plen);
        h = bench_mix(h, same ? ulen : 0xbadu);
        h = bench_mix(h, packed[plen / 2]);
    }
    return h;
}
