/* crc32.c: CRC-32 (IEEE, reflected) computed bit by bit, with a byte table
 * and with slicing-by-4, all of which must agree. */
#define BENCH_SCALE 600
#define BENCH_QUICK 10
#include "bench.h"

#define BUF_LEN (128 * 1024)

static uint8_t buf[BUF_LEN];
static uint32_t table[4][256];

static void make_tables(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
        table[0][i] = c;
    }
    for (uint32_t i = 0; i < 256; i++)
        for (int t = 1; t < 4; t++)
            table[t][i] = (table[t - 1][i] >> 8) ^ table[0][table[t - 1][i] & 0xff];
}

static uint32_t crc_bitwise(const uint8_t *p, uint32_t n)
{
    uint32_t c = 0xffffffffu;
    while (n--) {
        c ^= *p++;
        for (int k = 0; k < 8; k++)
            c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1)));
    }
    return ~c;
}

static uint32_t crc_table(const uint8_t *p, uint32_t n)
{
    uint32_t c = 0xffffffffu;
    while (n--)
        c = table[0][(c ^ *p++) & 0xff] ^ (c >> 8);
    return ~c;
}

static uint32_t crc_slice4(const uint8_t *p, uint32_t n)
{
    uint32_t c = 0xffffffffu;
    while (n >= 4) {
        c ^= (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
        c = table[3][c & 0xff] ^ table[2][(c >> 8) & 0xff] ^ table[1][(c >> 16) & 0xff] ^
            table[0][c >> 24];
        p += 4;
        n -= 4;
    }
    while (n--)
        c = table[0][(c ^ *p++) & 0xff] ^ (c >> 8);
    return ~c;
}

static uint32_t kernel(int scale)
{
    uint32_t seed = 7, h = 0;
    make_tables();
    for (int i = 0; i < BUF_LEN; i++)
        buf[i] = (uint8_t)bench_rand(&seed);
    for (int it = 0; it < scale; it++) {
        uint32_t len = BUF_LEN - (uint32_t)it * 13u % 1024u;
        uint32_t a = crc_table(buf, len), b = crc_slice4(buf, len);
        uint32_t c = crc_bitwise(buf, len / 16);
        /* A disagreement between methods changes the checksum visibly. */
        h = bench_mix(h, a ^ (a == b ? 0 : 0xdeadbeefu));
        h = bench_mix(h, c);
        buf[it % BUF_LEN] ^= (uint8_t)a;
    }
    return h;
}
