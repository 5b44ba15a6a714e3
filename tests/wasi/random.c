/* random.c: random_get fills buffers, small and large, unpredictably. */
// expect-stdout: getentropy: ok
// expect-stdout: two draws differ: yes
// expect-stdout: large buffer has every byte value: yes
#include <wasi/api.h>

#include "wasi_test.h"

int main(void)
{
    unsigned char a[32], b[32];
    SHOW("getentropy", getentropy(a, sizeof a));
    getentropy(b, sizeof b);
    printf("two draws differ: %s\n", memcmp(a, b, sizeof a) ? "yes" : "no");
    static unsigned char big[1 << 20];
    __wasi_random_get(big, sizeof big);
    int seen[256] = { 0 }, all = 1;
    for (size_t i = 0; i < sizeof big; i++)
        seen[big[i]] = 1;
    for (int i = 0; i < 256; i++)
        all &= seen[i];
    printf("large buffer has every byte value: %s\n", all ? "yes" : "no");
    return 0;
}
