/* bytecode.c: a small stack-machine interpreter written in C (a switch in a
 * loop), running programs that count Collatz steps and sum primes. */
#define BENCH_SCALE 30
#define BENCH_QUICK 1
#include "bench.h"

enum op {
    OP_PUSH, OP_LOAD, OP_STORE, OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_MOD, OP_LT, OP_EQ,
    OP_JMP, OP_JZ, OP_JNZ, OP_DUP, OP_POP, OP_AND, OP_SHR, OP_INC, OP_HALT,
};

/* Runs `code` with `vars` as its variables; returns variable 0. */
static int32_t vm_run(const int32_t *code, int32_t *vars)
{
    int32_t stack[64];
    int sp = 0, pc = 0;
    for (;;) {
        int32_t a, b;
        switch ((enum op)code[pc++]) {
        case OP_PUSH: stack[sp++] = code[pc++]; break;
        case OP_LOAD: stack[sp++] = vars[code[pc++]]; break;
        case OP_STORE: vars[code[pc++]] = stack[--sp]; break;
        case OP_ADD: b = stack[--sp]; a = stack[--sp]; stack[sp++] = (int32_t)((uint32_t)a + (uint32_t)b); break;
        case OP_SUB: b = stack[--sp]; a = stack[--sp]; stack[sp++] = (int32_t)((uint32_t)a - (uint32_t)b); break;
        case OP_MUL: b = stack[--sp]; a = stack[--sp]; stack[sp++] = (int32_t)((uint32_t)a * (uint32_t)b); break;
        case OP_DIV: b = stack[--sp]; a = stack[--sp]; stack[sp++] = b && !(a == INT32_MIN && b == -1) ? a / b : 0; break;
        case OP_MOD: b = stack[--sp]; a = stack[--sp]; stack[sp++] = b && b != -1 ? a % b : 0; break;
        case OP_LT: b = stack[--sp]; a = stack[--sp]; stack[sp++] = a < b; break;
        case OP_EQ: b = stack[--sp]; a = stack[--sp]; stack[sp++] = a == b; break;
        case OP_AND: b = stack[--sp]; a = stack[--sp]; stack[sp++] = a & b; break;
        case OP_SHR: b = stack[--sp]; a = stack[--sp]; stack[sp++] = (int32_t)((uint32_t)a >> b); break;
        case OP_JMP: pc = code[pc]; break;
        case OP_JZ: pc = stack[--sp] == 0 ? code[pc] : pc + 1; break;
        case OP_JNZ: pc = stack[--sp] != 0 ? code[pc] : pc + 1; break;
        case OP_DUP: stack[sp] = stack[sp - 1]; sp++; break;
        case OP_POP: sp--; break;
        case OP_INC: vars[code[pc]]++; pc++; break;
        case OP_HALT: return vars[0];
        }
    }
}

/* A tiny assembler: emits words and patches forward jumps to labels. */
typedef struct assembler {
    int32_t code[256];
    int len;
} assembler;

static void emit(assembler *as, int32_t word) { as->code[as->len++] = word; }
static void emit2(assembler *as, enum op op, int32_t arg) { emit(as, op); emit(as, arg); }
static int here(const assembler *as) { return as->len; }
/* Emits a jump whose target is patched later; returns the operand's index. */
static int jump(assembler *as, enum op op) { emit2(as, op, -1); return as->len - 1; }
static void patch(assembler *as, int at) { as->code[at] = as->len; }

enum { V_ACC, V_N, V_X, V_LIMIT };

/* For n in 1..limit-1: count the Collatz steps from n down to 1. */
static void build_collatz(assembler *as)
{
    emit2(as, OP_PUSH, 1); emit2(as, OP_STORE, V_N);
    int loop_n = here(as);
    emit2(as, OP_LOAD, V_N); emit2(as, OP_LOAD, V_LIMIT); emit(as, OP_LT);
    int to_end = jump(as, OP_JZ);
    emit2(as, OP_LOAD, V_N); emit2(as, OP_STORE, V_X);
    int loop_x = here(as);
    emit2(as, OP_LOAD, V_X); emit2(as, OP_PUSH, 1); emit(as, OP_EQ);
    int to_next = jump(as, OP_JNZ);
    emit2(as, OP_INC, V_ACC);
    emit2(as, OP_LOAD, V_X); emit2(as, OP_PUSH, 1); emit(as, OP_AND);
    int to_even = jump(as, OP_JZ);
    emit2(as, OP_LOAD, V_X); emit2(as, OP_PUSH, 3); emit(as, OP_MUL);
    emit2(as, OP_PUSH, 1); emit(as, OP_ADD); emit2(as, OP_STORE, V_X);
    emit2(as, OP_JMP, loop_x);
    patch(as, to_even);
    emit2(as, OP_LOAD, V_X); emit2(as, OP_PUSH, 1); emit(as, OP_SHR); emit2(as, OP_STORE, V_X);
    emit2(as, OP_JMP, loop_x);
    patch(as, to_next);
    emit2(as, OP_INC, V_N); emit2(as, OP_JMP, loop_n);
    patch(as, to_end);
    emit(as, OP_HALT);
}

/* For n in 2..limit-1: trial division; sums the primes (X is the divisor). */
static void build_primes(assembler *as)
{
    emit2(as, OP_PUSH, 2); emit2(as, OP_STORE, V_N);
    int loop_n = here(as);
    emit2(as, OP_LOAD, V_N); emit2(as, OP_LOAD, V_LIMIT); emit(as, OP_LT);
    int to_end = jump(as, OP_JZ);
    emit2(as, OP_PUSH, 2); emit2(as, OP_STORE, V_X);
    int loop_d = here(as);
    emit2(as, OP_LOAD, V_N); emit2(as, OP_LOAD, V_X); emit(as, OP_DUP); emit(as, OP_MUL);
    emit(as, OP_LT);
    int to_prime = jump(as, OP_JNZ);
    emit2(as, OP_LOAD, V_N); emit2(as, OP_LOAD, V_X); emit(as, OP_MOD);
    int to_next = jump(as, OP_JZ);
    emit2(as, OP_INC, V_X); emit2(as, OP_JMP, loop_d);
    patch(as, to_prime);
    emit2(as, OP_LOAD, V_ACC); emit2(as, OP_LOAD, V_N); emit(as, OP_ADD); emit2(as, OP_STORE, V_ACC);
    patch(as, to_next);
    emit2(as, OP_INC, V_N); emit2(as, OP_JMP, loop_n);
    patch(as, to_end);
    emit(as, OP_HALT);
}

static uint32_t kernel(int scale)
{
    uint32_t h = 0;
    for (int it = 0; it < scale; it++) {
        assembler collatz = {{0}, 0}, primes = {{0}, 0};
        build_collatz(&collatz);
        build_primes(&primes);
        int32_t v1[4] = {0, 0, 0, 3000 + it};
        h = bench_mix(h, (uint32_t)vm_run(collatz.code, v1));
        int32_t v2[4] = {0, 0, 0, 6000 + it};
        h = bench_mix(h, (uint32_t)vm_run(primes.code, v2));
    }
    return h;
}
