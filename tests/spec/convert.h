/* convert.h: keeps the JSON form of each .wast script current, with wabt's wast2json. */
#ifndef SPEC_CONVERT_H
#define SPEC_CONVERT_H

#include <stdbool.h>
#include <stddef.h>

/* Creates a directory and its parents, like mkdir -p. */
bool convert_make_dirs(const char *path);

/* Makes sure `json` is newer than `wast`, running wast2json (or $WAST2JSON)
 * with its output going to `log_path` when it is not. Returns false with a
 * message on failure; exits when wast2json is not installed, since then no
 * script can run. */
bool convert_ensure_json(const char *wast, const char *json, const char *log_path, char *msg,
                         size_t msg_size);

#endif
