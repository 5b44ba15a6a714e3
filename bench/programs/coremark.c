/* coremark.c: a CoreMark-style mixed workload: linked lists, small integer
 * matrices, a number-parsing state machine and a CRC over all results. */
#define BENCH_SCALE 7000
#define BENCH_QUICK 40
#include "bench.h"

#define LIST_LEN 96
#define MAT_N 12
#define TEXT_LEN 400

typedef struct node {
    struct node *next;
    int16_t data;
    int16_t idx;
} node;

static node pool[LIST_LEN];
static int16_t mat_a[MAT_N * MAT_N], mat_b[MAT_N * MAT_N];
static int32_t mat_c[MAT_N * MAT_N];
static char text[TEXT_LEN + 1];

/* CRC-16 (CCITT polynomial, reflected) one byte at a time, as CoreMark does. */
static uint16_t crc16_byte(uint8_t v, uint16_t crc)
{
    for (int i = 0; i < 8; i++) {
        uint16_t carry = (uint16_t)((v ^ crc) & 1);
        v >>= 1;
        crc >>= 1;
        if (carry)
            crc ^= 0x8408;
    }
    return crc;
}

static uint16_t crc16_u32(uint32_t v, uint16_t crc)
{
    for (int i = 0; i < 4; i++)
        crc = crc16_byte((uint8_t)(v >> (8 * i)), crc);
    return crc;
}

static int cmp_data(const node *a, const node *b) { return a->data - b->data; }
static int cmp_idx(const node *a, const node *b) { return a->idx - b->idx; }

/* Bottom-up merge sort of a singly linked list; the comparison is called
 * through a pointer. */
static node *list_sort(node *list, int (*cmp)(const node *, const node *))
{
    for (int width = 1;; width *= 2) {
        node *p = list, *tail = NULL;
        int merges = 0;
        list = NULL;
        while (p) {
            node *q = p;
            int plen = 0, qlen = width;
            merges++;
            while (plen < width && q) {
                plen++;
                q = q->next;
            }
            while (plen > 0 || (qlen > 0 && q)) {
                node *e;
                if (plen == 0 || (qlen > 0 && q && cmp(q, p) < 0)) {
                    e = q;
                    q = q->next;
                    qlen--;
                } else {
                    e = p;
                    p = p->next;
                    plen--;
                }
                if (tail)
                    tail->next = e;
                else
                    list = e;
                tail = e;
            }
            p = q;
        }
        tail->next = NULL;
        if (merges <= 1)
            return list;
    }
}

static node *list_reverse(node *l)
{
    node *prev = NULL;
    while (l) {
        node *next = l->next;
        l->next = prev;
        prev = l;
        l = next;
    }
    return prev;
}

static uint16_t bench_list(uint32_t seed, uint16_t crc)
{
    for (int i = 0; i < LIST_LEN; i++) {
        pool[i].idx = (int16_t)i;
        pool[i].data = (int16_t)(bench_rand(&seed) & 0x3fff);
        pool[i].next = i + 1 < LIST_LEN ? &pool[i + 1] : NULL;
    }
    node *list = &pool[0];
    for (int round = 0; round < 4; round++) {
        int16_t want = pool[(seed >> 3) % LIST_LEN].data;
        int pos = 0;
        for (node *n = list; n && n->data != want; n = n->next)
            pos++;
        crc = crc16_u32((uint32_t)pos, crc);
        list = list_sort(list, cmp_data);
        crc = crc16_u32((uint32_t)(uint16_t)list->data, crc);
        list = list_reverse(list);
        list = list_sort(list, cmp_idx);
        for (node *n = list; n; n = n->next)
            n->data = (int16_t)((n->data * 7 + round) & 0x3fff);
        seed += 17;
    }
    return crc;
}

static uint16_t bench_matrix(uint32_t seed, uint16_t crc)
{
    for (int i = 0; i < MAT_N * MAT_N; i++) {
        mat_a[i] = (int16_t)((bench_rand(&seed) & 0xff) - 128);
        mat_b[i] = (int16_t)(bench_rand(&seed) & 0xff);
    }
    for (int i = 0; i < MAT_N; i++)
        for (int j = 0; j < MAT_N; j++) {
            int32_t s = 0;
            for (int k = 0; k < MAT_N; k++)
                s += mat_a[i * MAT_N + k] * mat_b[k * MAT_N + j];
            mat_c[i * MAT_N + j] = s;
        }
    int32_t acc = 0;
    for (int i = 0; i < MAT_N * MAT_N; i++) {
        int32_t v = mat_c[i] + 3 * mat_a[i];
        acc += (v >> 2) & 0x7f;
        if (v > 1000)
            acc ^= v;
    }
    return crc16_u32((uint32_t)acc, crc);
}

enum { S_START, S_INT, S_FRAC, S_EXP, S_EXP_DIGIT, S_INVALID };

/* Classifies comma-separated tokens as integers, decimals, numbers with an
 * exponent or invalid ones, counting each state's visits. */
static uint16_t bench_state(uint32_t seed, uint16_t crc)
{
    static const char alphabet[] = "0123456789012345.e-+,,x";
    for (int i = 0; i < TEXT_LEN; i++)
        text[i] = alphabet[bench_rand(&seed) % (sizeof alphabet - 1)];
    text[TEXT_LEN] = 0;
    uint32_t counts[6] = {0};
    int state = S_START;
    for (const char *p = text; *p; p++) {
        char c = *p;
        if (c == ',') {
            counts[state]++;
            state = S_START;
            continue;
        }
        int digit = c >= '0' && c <= '9';
        switch (state) {
        case S_START: state = digit || c == '-' || c == '+' ? S_INT : c == '.' ? S_FRAC : S_INVALID; break;
        case S_INT: state = digit ? S_INT : c == '.' ? S_FRAC : c == 'e' ? S_EXP : S_INVALID; break;
        case S_FRAC: state = digit ? S_FRAC : c == 'e' ? S_EXP : S_INVALID; break;
        case S_EXP: state = digit || c == '-' || c == '+' ? S_EXP_DIGIT : S_INVALID; break;
        case S_EXP_DIGIT: state = digit ? S_EXP_DIGIT : S_INVALID; break;
        default: break;
        }
    }
    for (int i = 0; i < 6; i++)
        crc = crc16_u32(counts[i], crc);
    return crc;
}

static uint32_t kernel(int scale)
{
    uint32_t h = 0;
    uint16_t crc = 0;
    for (int it = 0; it < scale; it++) {
        uint32_t seed = 0x1234u + (uint32_t)it * 7919u;
        crc = bench_list(seed, crc);
        crc = bench_matrix(seed, crc);
        crc = bench_state(seed, crc);
        h = bench_mix(h, crc);
    }
    return h;
}
