/* json.c: a small, strict JSON parser for the spec runner. */
#include "json.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Nesting deeper than this is refused so hostile input cannot exhaust the
 * C stack through recursion. wast2json output nests about six levels. */
#define MAX_DEPTH 256

typedef struct parser {
    const char *p;
    const char *end;
    const char *start;
    char *err;
    size_t err_size;
    bool failed;
} parser;

/* Records the first error with its line and column; later errors are
 * consequences of the first and would only confuse. */
static void fail(parser *ps, const char *fmt, ...)
{
    if (ps->failed)
        return;
    ps->failed = true;
    if (!ps->err || ps->err_size == 0)
        return;
    size_t line = 1, col = 1;
    for (const char *q = ps->start; q < ps->p && q < ps->end; q++) {
        if (*q == '\n') {
            line++;
            col = 1;
        } else {
            col++;
        }
    }
    int n = snprintf(ps->err, ps->err_size, "json %zu:%zu: ", line, col);
    if (n < 0 || (size_t)n >= ps->err_size)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ps->err + n, ps->err_size - (size_t)n, fmt, ap);
    va_end(ap);
}

static void skip_space(parser *ps)
{
    while (ps->p < ps->end &&
           (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r'))
        ps->p++;
}

static json_value *new_value(parser *ps, json_kind kind)
{
    json_value *v = calloc(1, sizeof *v);
    if (!v)
        fail(ps, "out of memory");
    else
        v->kind = kind;
    return v;
}

/* A growable byte buffer for decoding strings. */
typedef struct buffer {
    char *data;
    size_t len, cap;
} buffer;

static bool buffer_put(parser *ps, buffer *b, const char *bytes, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 32;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *data = realloc(b->data, cap);
        if (!data) {
            fail(ps, "out of memory");
            return false;
        }
        b->data = data;
        b->cap = cap;
    }
    memcpy(b->data + b->len, bytes, n);
    b->len += n;
    b->data[b->len] = '\0';
    return true;
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Reads the four hex digits after "\u". */
static bool read_hex4(parser *ps, uint32_t *out)
{
    if (ps->end - ps->p < 4) {
        fail(ps, "truncated \\u escape");
        return false;
    }
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) {
        int d = hex_digit(ps->p[i]);
        if (d < 0) {
            fail(ps, "bad hex digit in \\u escape");
            return false;
        }
        v = v * 16 + (uint32_t)d;
    }
    ps->p += 4;
    *out = v;
    return true;
}

static size_t utf8_encode(uint32_t cp, char out[4])
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xc0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xe0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
        out[2] = (char)(0x80 | (cp & 0x3f));
        return 3;
    }
    out[0] = (char)(0xf0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
    out[3] = (char)(0x80 | (cp & 0x3f));
    return 4;
}

/* Decodes a \u escape, joining a surrogate pair into one code point. A lone
 * surrogate is kept as its three-byte (WTF-8) form rather than rejected,
 * since names in the test suite are arbitrary byte strings. */
static bool read_unicode_escape(parser *ps, buffer *b)
{
    uint32_t cp;
    if (!read_hex4(ps, &cp))
        return false;
    if (cp >= 0xd800 && cp < 0xdc00 && ps->end - ps->p >= 6 && ps->p[0] == '\\' &&
        ps->p[1] == 'u') {
        const char *save = ps->p;
        uint32_t low;
        ps->p += 2;
        if (!read_hex4(ps, &low))
            return false;
        if (low >= 0xdc00 && low < 0xe000)
            cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
        else
            ps->p = save;
    }
    char utf8[4];
    return buffer_put(ps, b, utf8, utf8_encode(cp, utf8));
}

/* Parses a string literal at ps->p (which is at the opening quote) into a
 * fresh NUL-terminated buffer. */
static bool parse_string_raw(parser *ps, char **out, size_t *out_len)
{
    buffer b = {0};
    ps->p++;
    if (!buffer_put(ps, &b, "", 0))
        return false;
    for (;;) {
        if (ps->p >= ps->end) {
            fail(ps, "unterminated string");
            break;
        }
        char c = *ps->p++;
        if (c == '"') {
            *out = b.data;
            *out_len = b.len;
            return true;
        }
        if ((unsigned char)c < 0x20) {
            fail(ps, "control character in string");
            break;
        }
        if (c != '\\') {
            if (!buffer_put(ps, &b, &c, 1))
                break;
            continue;
        }
        if (ps->p >= ps->end) {
            fail(ps, "unterminated escape");
            break;
        }
        char e = *ps->p++, r;
        switch (e) {
        case '"': r = '"'; break;
        case '\\': r = '\\'; break;
        case '/': r = '/'; break;
        case 'b': r = '\b'; break;
        case 'f': r = '\f'; break;
        case 'n': r = '\n'; break;
        case 'r': r = '\r'; break;
        case 't': r = '\t'; break;
        case 'u':
            if (!read_unicode_escape(ps, &b))
                goto error;
            continue;
        default:
            ps->p--;
            fail(ps, "bad escape '\\%c'", e);
            goto error;
        }
        if (!buffer_put(ps, &b, &r, 1))
            break;
    }
error:
    free(b.data);
    return false;
}

/* Accepts the JSON number grammar exactly and keeps its text. */
static json_value *parse_number(parser *ps)
{
    const char *s = ps->p, *q = ps->p;
    if (q < ps->end && *q == '-')
        q++;
    if (q < ps->end && *q == '0') {
        q++;
    } else if (q < ps->end && *q >= '1' && *q <= '9') {
        while (q < ps->end && *q >= '0' && *q <= '9')
            q++;
    } else {
        fail(ps, "bad number");
        return NULL;
    }
    if (q < ps->end && *q == '.') {
        q++;
        if (q >= ps->end || *q < '0' || *q > '9') {
            ps->p = q;
            fail(ps, "bad fraction");
            return NULL;
        }
        while (q < ps->end && *q >= '0' && *q <= '9')
            q++;
    }
    if (q < ps->end && (*q == 'e' || *q == 'E')) {
        q++;
        if (q < ps->end && (*q == '+' || *q == '-'))
            q++;
        if (q >= ps->end || *q < '0' || *q > '9') {
            ps->p = q;
            fail(ps, "bad exponent");
            return NULL;
        }
        while (q < ps->end && *q >= '0' && *q <= '9')
            q++;
    }
    json_value *v = new_value(ps, JSON_NUMBER);
    if (!v)
        return NULL;
    v->len = (size_t)(q - s);
    v->text = malloc(v->len + 1);
    if (!v->text) {
        free(v);
        fail(ps, "out of memory");
        return NULL;
    }
    memcpy(v->text, s, v->len);
    v->text[v->len] = '\0';
    ps->p = q;
    return v;
}

static bool match_word(parser *ps, const char *word)
{
    size_t n = strlen(word);
    if ((size_t)(ps->end - ps->p) >= n && memcmp(ps->p, word, n) == 0) {
        ps->p += n;
        return true;
    }
    return false;
}

/* Appends an item (and for objects, its key) to a container, growing it. */
static bool append_item(parser *ps, json_value *v, size_t *cap, json_value *item, char *key,
                        size_t key_len)
{
    if (v->count == *cap) {
        size_t n = *cap ? *cap * 2 : 4;
        json_value **items = realloc(v->items, n * sizeof *items);
        if (!items)
            goto nomem;
        v->items = items;
        if (v->kind == JSON_OBJECT) {
            char **keys = realloc(v->keys, n * sizeof *keys);
            if (!keys)
                goto nomem;
            v->keys = keys;
            size_t *lens = realloc(v->key_lens, n * sizeof *lens);
            if (!lens)
                goto nomem;
            v->key_lens = lens;
        }
        *cap = n;
    }
    v->items[v->count] = item;
    if (v->kind == JSON_OBJECT) {
        v->keys[v->count] = key;
        v->key_lens[v->count] = key_len;
    }
    v->count++;
    return true;
nomem:
    fail(ps, "out of memory");
    return false;
}

static json_value *parse_value(parser *ps, int depth);

/* Parses "[...]" or "{...}"; `close` is the closing bracket. */
static json_value *parse_container(parser *ps, json_kind kind, int depth)
{
    const char close = kind == JSON_ARRAY ? ']' : '}';
    json_value *v = new_value(ps, kind);
    if (!v)
        return NULL;
    size_t cap = 0;
    ps->p++;
    skip_space(ps);
    if (ps->p < ps->end && *ps->p == close) {
        ps->p++;
        return v;
    }
    for (;;) {
        char *key = NULL;
        size_t key_len = 0;
        if (kind == JSON_OBJECT) {
            skip_space(ps);
            if (ps->p >= ps->end || *ps->p != '"') {
                fail(ps, "expected a member name");
                goto error;
            }
            if (!parse_string_raw(ps, &key, &key_len))
                goto error;
            skip_space(ps);
            if (ps->p >= ps->end || *ps->p != ':') {
                free(key);
                fail(ps, "expected ':'");
                goto error;
            }
            ps->p++;
        }
        json_value *item = parse_value(ps, depth + 1);
        if (!item || !append_item(ps, v, &cap, item, key, key_len)) {
            free(key);
            json_free(item);
            goto error;
        }
        skip_space(ps);
        if (ps->p < ps->end && *ps->p == ',') {
            ps->p++;
            continue;
        }
        if (ps->p < ps->end && *ps->p == close) {
            ps->p++;
            return v;
        }
        fail(ps, "expected ',' or '%c'", close);
        goto error;
    }
error:
    json_free(v);
    return NULL;
}

static json_value *parse_value(parser *ps, int depth)
{
    if (depth > MAX_DEPTH) {
        fail(ps, "nesting deeper than %d", MAX_DEPTH);
        return NULL;
    }
    skip_space(ps);
    if (ps->p >= ps->end) {
        fail(ps, "unexpected end of input");
        return NULL;
    }
    switch (*ps->p) {
    case '{':
        return parse_container(ps, JSON_OBJECT, depth);
    case '[':
        return parse_container(ps, JSON_ARRAY, depth);
    case '"': {
        json_value *v = new_value(ps, JSON_STRING);
        if (v && !parse_string_raw(ps, &v->text, &v->len)) {
            free(v);
            return NULL;
        }
        return v;
    }
    default:
        break;
    }
    if (match_word(ps, "null"))
        return new_value(ps, JSON_NULL);
    if (match_word(ps, "true"))
        return new_value(ps, JSON_TRUE);
    if (match_word(ps, "false"))
        return new_value(ps, JSON_FALSE);
    if (*ps->p == '-' || (*ps->p >= '0' && *ps->p <= '9'))
        return parse_number(ps);
    unsigned char c = (unsigned char)*ps->p;
    if (c > 0x20 && c < 0x7f)
        fail(ps, "unexpected character '%c'", c);
    else
        fail(ps, "unexpected byte 0x%02x", c);
    return NULL;
}

json_value *json_parse(const char *text, size_t len, char *err, size_t err_size)
{
    parser ps = {text, text + len, text, err, err_size, false};
    if (err && err_size)
        err[0] = '\0';
    json_value *v = parse_value(&ps, 0);
    if (!v)
        return NULL;
    skip_space(&ps);
    if (ps.p != ps.end) {
        fail(&ps, "trailing characters after the document");
        json_free(v);
        return NULL;
    }
    return v;
}

void json_free(json_value *value)
{
    if (!value)
        return;
    for (size_t i = 0; i < value->count; i++) {
        json_free(value->items[i]);
        if (value->keys)
            free(value->keys[i]);
    }
    free(value->items);
    free(value->keys);
    free(value->key_lens);
    free(value->text);
    free(value);
}

const json_value *json_get(const json_value *obj, const char *key)
{
    if (!obj || obj->kind != JSON_OBJECT)
        return NULL;
    size_t n = strlen(key);
    for (size_t i = 0; i < obj->count; i++)
        if (obj->key_lens[i] == n && memcmp(obj->keys[i], key, n) == 0)
            return obj->items[i];
    return NULL;
}

const char *json_get_string(const json_value *obj, const char *key)
{
    const json_value *v = json_get(obj, key);
    return v && v->kind == JSON_STRING ? v->text : NULL;
}

bool json_get_i64(const json_value *obj, const char *key, int64_t *out)
{
    const json_value *v = json_get(obj, key);
    if (!v || (v->kind != JSON_NUMBER && v->kind != JSON_STRING) || v->len == 0)
        return false;
    char *end;
    errno = 0;
    long long n = strtoll(v->text, &end, 10);
    if (errno || end != v->text + v->len)
        return false;
    *out = (int64_t)n;
    return true;
}

const char *json_kind_name(json_kind kind)
{
    switch (kind) {
    case JSON_NULL: return "null";
    case JSON_FALSE: return "false";
    case JSON_TRUE: return "true";
    case JSON_NUMBER: return "number";
    case JSON_STRING: return "string";
    case JSON_ARRAY: return "array";
    case JSON_OBJECT: return "object";
    }
    return "unknown";
}
