/* admin-api: request bodies and query strings validated by spec arrays.
 *
 * In the manner of GNU Taler's JSON specs: a handler describes the object it
 * expects as a table and gets either every value in its variables or one
 * error naming the field at fault:
 *
 *   const char *name, *password;
 *   const struct admin_jspec spec[] = {
 *       ADMIN_JSPEC_STRING("name", &name, ADMIN_J_REQUIRED | ADMIN_J_NONEMPTY, 64),
 *       ADMIN_JSPEC_STRING("password", &password, ADMIN_J_REQUIRED, 1024),
 *       ADMIN_JSPEC_END,
 *   };
 *   if (admin_jspec_parse(body, spec, "", &fe) < 0) -> 400 naming fe.field
 *
 * Unknown members are errors (a typo in "pasword" must not be silently
 * ignored). Query strings are validated with the same tables after being
 * collected into an object of strings (from_text: numbers and booleans are
 * parsed from their text). */
#ifndef ADMIN_JSPEC_H
#define ADMIN_JSPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>

enum admin_jtype {
    ADMIN_J_STRING,       /* const char ** (points into the JSON value) */
    ADMIN_J_BOOL,         /* bool * */
    ADMIN_J_INT,          /* long long *, within [min, max] when min < max */
    ADMIN_J_ENUM,         /* int *: index into `values` */
    ADMIN_J_STRING_ARRAY, /* const json_t **: an array whose items are strings of <= max_len */
    ADMIN_J_DURATION,     /* long long * seconds: an integer or "30s", "15m", "2h", "7d" */
};

enum admin_jflags {
    ADMIN_J_REQUIRED = 1u << 0,
    ADMIN_J_NONEMPTY = 1u << 1, /* strings and arrays */
};

struct admin_jspec {
    const char *name;
    enum admin_jtype type;
    unsigned flags;
    void *out;
    bool *present;      /* optional: set to whether the member was given */
    long long min, max; /* INT, DURATION */
    size_t max_len;     /* STRING, STRING_ARRAY items (0: no limit) */
    const char *const *values; /* ENUM: NULL-terminated */
};

#define ADMIN_JSPEC_STRING(n, o, f, len) \
    { .name = (n), .type = ADMIN_J_STRING, .flags = (f), .out = (o), .max_len = (len) }
#define ADMIN_JSPEC_BOOL(n, o, f) { .name = (n), .type = ADMIN_J_BOOL, .flags = (f), .out = (o) }
#define ADMIN_JSPEC_INT(n, o, f, lo, hi) \
    { .name = (n), .type = ADMIN_J_INT, .flags = (f), .out = (o), .min = (lo), .max = (hi) }
#define ADMIN_JSPEC_ENUM(n, o, f, vals) \
    { .name = (n), .type = ADMIN_J_ENUM, .flags = (f), .out = (o), .values = (vals) }
#define ADMIN_JSPEC_STRING_ARRAY(n, o, f, len) \
    { .name = (n), .type = ADMIN_J_STRING_ARRAY, .flags = (f), .out = (o), .max_len = (len) }
#define ADMIN_JSPEC_DURATION(n, o, f, lo, hi) \
    { .name = (n), .type = ADMIN_J_DURATION, .flags = (f), .out = (o), .min = (lo), .max = (hi) }
#define ADMIN_JSPEC_END { .name = NULL }

/* Which field is wrong and why, for the 400 body. */
struct admin_field_error {
    char field[160];   /* "password", "mailboxes[2]", "query.limit" */
    char message[320];
};

/* Validates obj against spec. `prefix` is prepended to field names ("" for
 * a body, "query." for a query string). obj NULL is taken as {} (then only
 * REQUIRED members fail). Returns 0, or -1 with fe filled. */
int admin_jspec_parse(const json_t *obj, const struct admin_jspec *spec, const char *prefix,
                      bool from_text, struct admin_field_error *fe);

/* "30", "30s", "15m", "2h", "7d" -> seconds; -1 when malformed. */
long long admin_parse_duration(const char *text);

#endif
