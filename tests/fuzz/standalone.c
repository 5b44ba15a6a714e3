/* standalone.c: runs a fuzz target without libFuzzer, so that any compiler
 * builds it (the libFuzzer build needs clang and takes long): each FILE
 * argument is one input, and `--random N SEED` adds N inputs of random
 * bytes, or of random byte changes to the FILEs when there are some (a
 * blind mutator, no coverage guidance). A crash, sanitizer report or
 * __builtin_trap ends the process as it would under libFuzzer; the input
 * being run is named on stderr first with --verbose. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t *read_file(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *buf = malloc(n > 0 ? (size_t)n : 1);
    *size = buf ? fread(buf, 1, (size_t)(n > 0 ? n : 0), f) : 0;
    fclose(f);
    return buf;
}

static uint64_t rng_state;

static uint32_t rnd(void)
{
    rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)(rng_state >> 33);
}

int main(int argc, char **argv)
{
    unsigned long long random_n = 0;
    bool verbose = false;
    int nfiles = 0;
    char **files = calloc((size_t)argc, sizeof *files);
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--random") && i + 2 < argc) {
            random_n = strtoull(argv[i + 1], NULL, 10);
            rng_state = strtoull(argv[i + 2], NULL, 10);
            i += 2;
        } else if (!strcmp(argv[i], "--verbose")) {
            verbose = true;
        } else {
            files[nfiles++] = argv[i];
        }
    }
    unsigned long long runs = 0;
    for (int i = 0; i < nfiles; i++) {
        size_t size;
        uint8_t *data = read_file(files[i], &size);
        if (!data)
            continue;
        if (verbose)
            fprintf(stderr, "input %s\n", files[i]);
        LLVMFuzzerTestOneInput(data, size);
        runs++;
        free(data);
    }
    for (unsigned long long k = 0; k < random_n; k++) {
        size_t size;
        uint8_t *data;
        if (nfiles) {
            data = read_file(files[rnd() % (uint32_t)nfiles], &size);
            if (!data)
                continue;
            uint32_t changes = 1 + rnd() % 8;
            for (uint32_t c = 0; c < changes && size; c++)
                data[rnd() % size] = (uint8_t)rnd();
            /* Sometimes a different last byte: the targets read their
             * configuration from it. */
            if (size && rnd() % 2)
                data[size - 1] = (uint8_t)rnd();
        } else {
            size = rnd() % 512;
            data = malloc(size ? size : 1);
            for (size_t j = 0; j < size; j++)
                data[j] = (uint8_t)rnd();
        }
        if (verbose)
            fprintf(stderr, "input random %llu\n", k);
        LLVMFuzzerTestOneInput(data, size);
        runs++;
        free(data);
    }
    fprintf(stderr, "standalone: %llu inputs run\n", runs);
    free(files);
    return 0;
}
