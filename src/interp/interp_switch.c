/* interp_switch.c: the switch dispatch strategy, a switch on the opcode number in word 0, in a loop. */
#define RUN_NAME wx_run_switch
#define STRATEGY_SWITCH
#include "interp_loop.h"
