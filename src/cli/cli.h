/* cli.h: what the files of the `weft` command share: the table of options,
 * what they were set to, and the commands. */
#ifndef WEFT_CLI_H
#define WEFT_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "weft.h"

/* The groups of options; each command takes some of them. */
enum {
    OPT_FEATURES = 1 << 0,  /* --enable, --disable: every command that loads a module. */
    OPT_ENGINE = 1 << 1,    /* --dispatch, --bounds. */
    OPT_LIMITS = 1 << 2,    /* --max-*: memory, table and stack limits. */
    OPT_METER = 1 << 3,     /* --fuel, --timeout. */
    OPT_WASI = 1 << 4,      /* --dir, --env, --inherit-env. */
    OPT_NET = 1 << 5,       /* --listen, --tcplisten. */
    OPT_RUN = 1 << 6,       /* --invoke, --profile. */
    OPT_BENCH = 1 << 7,     /* --runs. */
};

/* Everything a command was told on its command line. */
typedef struct cli_options {
    weft_features features;
    weft_config config;
    double timeout;            /* Seconds, or 0 for none. */
    const char *invoke;
    bool profile;
    bool inherit_env;
    unsigned runs;             /* weft bench: runs per configuration. */
    const char **dirs;         /* HOST[::GUEST], in order. */
    const char **envs;         /* KEY=VALUE or KEY, in order. */
    const char **listens;      /* ADDR:PORT, in order. */
    int ndirs, nenvs, nlistens;
} cli_options;

/* A command: its name, a line for the list, its usage, what it does, the
 * option groups it takes and its function (given the arguments after the
 * command's name). */
typedef struct cli_command {
    const char *name;
    const char *summary;
    const char *usage;
    const char *description;
    unsigned groups;
    int (*run)(int argc, char **argv);
} cli_command;

/* The exit statuses of a usage error, and of a guest stopped by --timeout
 * (as timeout(1) has it), by --fuel, or by a trap (as a shell shows a
 * process killed by SIGABRT). */
#define USAGE_EXIT_STATUS 2
#define TIMEOUT_EXIT_STATUS 124
#define FUEL_EXIT_STATUS 125
#define TRAP_EXIT_STATUS 134

/* The command named `name`, or NULL. */
const cli_command *cli_find_command(const char *name);

/* Prints the help of `cmd` (its usage, description and options) to `out`. */
void cli_command_help(const cli_command *cmd, FILE *out);

/* Says on stderr how to get help for `cmd` and returns the usage status. */
int cli_usage_error(const cli_command *cmd);

/* Fills `o` with the defaults; room for `argc` repeated options. False
 * when memory runs out. */
bool cli_options_init(cli_options *o, int argc);
void cli_options_free(cli_options *o);

/* Reads the options of `cmd` from the front of argv up to its first
 * operand and returns that operand's index. Returns -1 after printing the
 * help (for -h or --help), or -2 after saying on stderr what is wrong. */
int cli_parse_options(const cli_command *cmd, int argc, char **argv, cli_options *o);

/* Fills `o` and reads the options of command `name` (as
 * cli_parse_options), then checks that from `min` to `max` operands
 * (FILE and what follows it) are left. Returns the index of FILE; or -1
 * with `o` freed and *status the exit status (0 after the help, 1 when
 * memory runs out, the usage status otherwise). */
int cli_command_options(const char *name, int argc, char **argv, cli_options *o, int min,
                        int max, int *status);

/* Prints the names of the options `cmd` takes, one a line (for the shell
 * completion). */
void cli_list_options(const cli_command *cmd, FILE *out);

/* Prints an error as "weft: WHAT: STATUS: MESSAGE" and returns the exit
 * status it deserves: 2 for a file that cannot be read or a bad argument,
 * 1 otherwise. */
int cli_report(const char *what, const weft_error *err);

/* Sets up a WASI context for a command run with `argc` arguments
 * (argv[0], the module's path, first): arguments, environment, preopened
 * directories and sockets. Returns 0, or the exit status after saying
 * what failed. */
int cli_setup_wasi(weft_wasi *wasi, const cli_options *o, int argc, char **argv);

/* The commands' functions. */
int cli_run(int argc, char **argv);
int cli_bench(int argc, char **argv);

/* Prints `weft --version`'s text. */
void cli_version(FILE *out);

#endif
