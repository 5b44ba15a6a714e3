/* interp_indirect.c: the indirect dispatch strategy, indirect threading: computed goto through the label table, on the opcode number in word 0. */
#define RUN_NAME wx_run_indirect
#define STRATEGY_INDIRECT
#include "interp_loop.h"
