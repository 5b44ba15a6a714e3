/* json.h: a small JSON reader for the spec runner (wast2json output and the like). */
#ifndef SPEC_JSON_H
#define SPEC_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum json_kind {
    JSON_NULL,
    JSON_FALSE,
    JSON_TRUE,
    JSON_NUMBER,
    JSON_STRING,
    JSON_ARRAY,
    JSON_OBJECT,
} json_kind;

/* One parsed value. Strings are decoded (escapes resolved, UTF-8) and kept
 * with their length because they may hold NUL bytes; numbers keep their
 * source text so no precision is lost. Arrays and objects hold `count`
 * items; objects also hold one key per item, in source order. */
typedef struct json_value json_value;
struct json_value {
    json_kind kind;
    char *text;            /* String contents or number text, NUL-terminated. */
    size_t len;            /* Length of `text` in bytes. */
    json_value **items;    /* Array elements or object member values. */
    char **keys;           /* Object member names (NUL-terminated). */
    size_t *key_lens;      /* Object member name lengths. */
    size_t count;          /* Number of items. */
};

/* Parses `len` bytes of `text` as one JSON document. On failure returns NULL
 * and writes a message naming the line and column into `err`. */
json_value *json_parse(const char *text, size_t len, char *err, size_t err_size);

/* Frees a parsed value and everything beneath it. NULL is accepted. */
void json_free(json_value *value);

/* Returns the member `key` of an object, or NULL if `obj` is not an object
 * or has no such member. */
const json_value *json_get(const json_value *obj, const char *key);

/* Returns the text of member `key` if it is a string, else NULL. */
const char *json_get_string(const json_value *obj, const char *key);

/* Reads member `key` as an integer (a JSON number or a numeric string).
 * Returns false if it is absent or not an integer. */
bool json_get_i64(const json_value *obj, const char *key, int64_t *out);

/* Returns the name of a kind ("object", "string", ...). */
const char *json_kind_name(json_kind kind);

#endif
