/* interp_direct.c: the direct dispatch strategy, direct threading: computed goto on the handler address in word 0. */
#define RUN_NAME wx_run_direct
#define STRATEGY_DIRECT
#include "interp_loop.h"
