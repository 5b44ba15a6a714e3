// example_cxx.cpp: one wasm-c-api C example (WEFT_EXAMPLE_C, the path of its
// .c file, given by meson) compiled as C++, since wasm.h is meant for C++
// programs too: its declarations are extern "C" and its value macros are
// designated initializers, which C++20 has.
#include WEFT_EXAMPLE_C
