/* admin-api: spec-array validation of JSON bodies and query strings. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "admin-api/jspec.h"

static int field_error(struct admin_field_error *fe, const char *prefix, const char *name,
                       const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int field_error(struct admin_field_error *fe, const char *prefix, const char *name,
                       const char *fmt, ...)
{
    va_list ap;
    snprintf(fe->field, sizeof fe->field, "%s%s", prefix, name);
    va_start(ap, fmt);
    vsnprintf(fe->message, sizeof fe->message, fmt, ap);
    va_end(ap);
    return -1;
}

static const char *json_type_word(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT: return "an object";
    case JSON_ARRAY: return "an array";
    case JSON_STRING: return "a string";
    case JSON_INTEGER: return "an integer";
    case JSON_REAL: return "a number";
    case JSON_TRUE: case JSON_FALSE: return "a boolean";
    case JSON_NULL: return "null";
    }
    return "?";
}

long long admin_parse_duration(const char *text)
{
    char *end;
    if (text == NULL || text[0] < '0' || text[0] > '9')
        return -1;
    errno = 0;
    unsigned long long n = strtoull(text, &end, 10);
    if (errno != 0 || n > (1ull << 40))
        return -1;
    unsigned long long unit = 1;
    switch (*end) {
    case '\0': case 's': break;
    case 'm': unit = 60; break;
    case 'h': unit = 3600; break;
    case 'd': unit = 86400; break;
    default: return -1;
    }
    if (*end != '\0' && end[1] != '\0')
        return -1;
    return (long long)(n * unit);
}

/* A string value that is valid UTF-8 (jansson guarantees it) without NUL. */
static int check_string(const json_t *v, const char *prefix, const char *name, size_t max_len,
                        bool nonempty, struct admin_field_error *fe)
{
    size_t len = json_string_length(v);
    if (strlen(json_string_value(v)) != len)
        return field_error(fe, prefix, name, "must not contain a NUL character");
    if (nonempty && len == 0)
        return field_error(fe, prefix, name, "must not be empty");
    if (max_len != 0 && len > max_len)
        return field_error(fe, prefix, name, "longer than %zu bytes", max_len);
    return 0;
}

static int parse_int_value(const json_t *v, bool from_text, long long *out)
{
    if (json_is_integer(v)) {
        *out = (long long)json_integer_value(v);
        return 0;
    }
    if (from_text && json_is_string(v)) {
        const char *s = json_string_value(v);
        char *end;
        if (*s == '\0' || (*s != '-' && (*s < '0' || *s > '9')))
            return -1;
        errno = 0;
        long long n = strtoll(s, &end, 10);
        if (errno != 0 || *end != '\0')
            return -1;
        *out = n;
        return 0;
    }
    return -1;
}

static int parse_member(const json_t *v, const struct admin_jspec *s, const char *prefix,
                        bool from_text, struct admin_field_error *fe)
{
    bool nonempty = (s->flags & ADMIN_J_NONEMPTY) != 0;
    switch (s->type) {
    case ADMIN_J_STRING:
        if (!json_is_string(v))
            return field_error(fe, prefix, s->name, "expected a string, got %s",
                               json_type_word(v));
        if (check_string(v, prefix, s->name, s->max_len, nonempty, fe) < 0)
            return -1;
        *(const char **)s->out = json_string_value(v);
        return 0;
    case ADMIN_J_BOOL:
        if (json_is_boolean(v)) {
            *(bool *)s->out = json_is_true(v);
            return 0;
        }
        if (from_text && json_is_string(v)) {
            const char *t = json_string_value(v);
            if (strcmp(t, "true") == 0 || strcmp(t, "false") == 0) {
                *(bool *)s->out = t[0] == 't';
                return 0;
            }
        }
        return field_error(fe, prefix, s->name, "expected a boolean (true or false), got %s",
                           json_type_word(v));
    case ADMIN_J_INT: {
        long long n;
        if (parse_int_value(v, from_text, &n) < 0)
            return field_error(fe, prefix, s->name, "expected an integer, got %s",
                               from_text ? "\"text\"" : json_type_word(v));
        if (s->min < s->max && (n < s->min || n > s->max))
            return field_error(fe, prefix, s->name, "expected an integer from %lld to %lld, got %lld",
                               s->min, s->max, n);
        *(long long *)s->out = n;
        return 0;
    }
    case ADMIN_J_DURATION: {
        /* A spec with a negative min also takes "never" (or that number) as that value. */
        bool never_ok = s->min < 0, valid = false;
        long long n = -1;
        if (json_is_string(v) && never_ok && strcmp(json_string_value(v), "never") == 0)
            n = s->min, valid = true;
        else if (json_is_string(v))
            n = admin_parse_duration(json_string_value(v)), valid = n >= 0;
        else if (json_is_integer(v))
            n = (long long)json_integer_value(v), valid = n >= 0 || (never_ok && n == s->min);
        if (!valid)
            return field_error(fe, prefix, s->name,
                               never_ok ? "expected a duration: seconds, a number followed by s, m, h or d, "
                                          "or \"never\""
                                        : "expected a duration: seconds, or a number followed by s, m, h or d");
        if (s->min < s->max && (n < s->min || n > s->max))
            return field_error(fe, prefix, s->name, "expected a duration from %lld to %lld seconds",
                               s->min, s->max);
        *(long long *)s->out = n;
        return 0;
    }
    case ADMIN_J_ENUM: {
        char expected[256] = "";
        if (json_is_string(v)) {
            for (int i = 0; s->values[i] != NULL; i++)
                if (strcmp(json_string_value(v), s->values[i]) == 0) {
                    *(int *)s->out = i;
                    return 0;
                }
        }
        for (int i = 0; s->values[i] != NULL; i++) {
            size_t used = strlen(expected);
            snprintf(expected + used, sizeof expected - used, "%s\"%s\"", i != 0 ? ", " : "",
                     s->values[i]);
        }
        return field_error(fe, prefix, s->name, "expected one of %s", expected);
    }
    case ADMIN_J_STRING_ARRAY: {
        if (!json_is_array(v))
            return field_error(fe, prefix, s->name, "expected an array of strings, got %s",
                               json_type_word(v));
        if (nonempty && json_array_size(v) == 0)
            return field_error(fe, prefix, s->name, "must not be empty");
        size_t i;
        const json_t *item;
        json_array_foreach(v, i, item) {
            char item_name[96];
            snprintf(item_name, sizeof item_name, "%s[%zu]", s->name, i);
            if (!json_is_string(item))
                return field_error(fe, prefix, item_name, "expected a string, got %s",
                                   json_type_word(item));
            if (check_string(item, prefix, item_name, s->max_len, true, fe) < 0)
                return -1;
        }
        *(const json_t **)s->out = v;
        return 0;
    }
    }
    return field_error(fe, prefix, s->name, "internal error: unknown spec type");
}

int admin_jspec_parse(const json_t *obj, const struct admin_jspec *spec, const char *prefix,
                      bool from_text, struct admin_field_error *fe)
{
    if (obj != NULL && !json_is_object(obj)) {
        snprintf(fe->field, sizeof fe->field, "%s", prefix[0] != '\0' ? prefix : "body");
        size_t n = strlen(fe->field);
        if (n > 0 && fe->field[n - 1] == '.')
            fe->field[n - 1] = '\0';
        snprintf(fe->message, sizeof fe->message, "expected a JSON object, got %s",
                 json_type_word(obj));
        return -1;
    }
    if (obj != NULL) {
        const char *key;
        const json_t *value;
        json_object_foreach((json_t *)obj, key, value) {
            bool known = false;
            for (const struct admin_jspec *s = spec; s->name != NULL && !known; s++)
                known = strcmp(s->name, key) == 0;
            if (!known)
                return field_error(fe, prefix, key, "unknown member");
        }
    }
    for (const struct admin_jspec *s = spec; s->name != NULL; s++) {
        const json_t *v = obj != NULL ? json_object_get(obj, s->name) : NULL;
        if (s->present != NULL)
            *s->present = v != NULL;
        if (v == NULL) {
            if (s->flags & ADMIN_J_REQUIRED)
                return field_error(fe, prefix, s->name, "is required");
            continue;
        }
        if (parse_member(v, s, prefix, from_text, fe) < 0)
            return -1;
    }
    return 0;
}
