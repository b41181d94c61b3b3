/* Configuration from spec tables (include/x400ms/config.h): one place that
 * checks types, bounds, required fields and unknown keys, and names the JSON
 * path of every bad field. */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "x400ms/config.h"

long long x400ms_config_parse_duration(const char *text)
{
    if (!text || *text < '0' || *text > '9')
        return -1;
    errno = 0;
    char *end;
    unsigned long long value = strtoull(text, &end, 10);
    if (errno != 0)
        return -1;
    unsigned long long unit;
    if (*end == '\0' || strcmp(end, "s") == 0)
        unit = 1;
    else if (strcmp(end, "m") == 0)
        unit = 60;
    else if (strcmp(end, "h") == 0)
        unit = 3600;
    else if (strcmp(end, "d") == 0)
        unit = 86400;
    else
        return -1;
    if (value > (unsigned long long)LLONG_MAX / unit)
        return -1;
    return (long long)(value * unit);
}

/* "got ..." text for messages: the value itself when short. */
static void describe_value(const json_t *v, char *buf, size_t len)
{
    switch (json_typeof(v)) {
    case JSON_STRING: {
        const char *s = json_string_value(v);
        size_t n = strlen(s);
        snprintf(buf, len, "\"%.*s%s\"", (int)(n > 40 ? 40 : n), s, n > 40 ? "..." : "");
        break;
    }
    case JSON_INTEGER: snprintf(buf, len, "%" JSON_INTEGER_FORMAT, json_integer_value(v)); break;
    case JSON_REAL: snprintf(buf, len, "%g", json_real_value(v)); break;
    case JSON_TRUE: snprintf(buf, len, "true"); break;
    case JSON_FALSE: snprintf(buf, len, "false"); break;
    case JSON_NULL: snprintf(buf, len, "null"); break;
    case JSON_OBJECT: snprintf(buf, len, "an object"); break;
    case JSON_ARRAY: snprintf(buf, len, "an array"); break;
    }
}

static void join_path(char *buf, size_t len, const char *path, const char *name)
{
    if (path && *path)
        snprintf(buf, len, "%s.%s", path, name);
    else
        snprintf(buf, len, "%s", name);
}

/* What a spec entry expects, in words: "an integer from 1 to 65535". */
static void describe_expected(const struct x400ms_cfg_spec *s, char *buf, size_t len)
{
    bool bounded = s->min < s->max;
    switch (s->type) {
    case X400MS_CFG_STRING:
        snprintf(buf, len, "%s", (s->flags & X400MS_CFG_NONEMPTY) ? "a non-empty string" : "a string");
        break;
    case X400MS_CFG_INT:
        if (bounded)
            snprintf(buf, len, "an integer from %lld to %lld", s->min, s->max);
        else
            snprintf(buf, len, "an integer");
        break;
    case X400MS_CFG_BOOL: snprintf(buf, len, "true or false"); break;
    case X400MS_CFG_DOUBLE:
        if (bounded)
            snprintf(buf, len, "a number from %lld to %lld", s->min, s->max);
        else
            snprintf(buf, len, "a number");
        break;
    case X400MS_CFG_ENUM: {
        size_t n = (size_t)snprintf(buf, len, "one of");
        for (size_t i = 0; s->enum_values && s->enum_values[i] && n < len; i++)
            n += (size_t)snprintf(buf + n, len - n, "%s \"%s\"", i ? "," : "", s->enum_values[i]);
        break;
    }
    case X400MS_CFG_OBJECT: snprintf(buf, len, "an object"); break;
    case X400MS_CFG_ARRAY:
        snprintf(buf, len, "%s", (s->flags & X400MS_CFG_NONEMPTY) ? "a non-empty array" : "an array");
        break;
    case X400MS_CFG_DURATION:
        if (bounded)
            snprintf(buf, len, "a duration from %llds to %llds (seconds, or \"30s\", \"15m\", \"2h\", \"2d\")",
                     s->min, s->max);
        else
            snprintf(buf, len, "a duration (seconds, or \"30s\", \"15m\", \"2h\", \"2d\")");
        break;
    case X400MS_CFG_ANY: snprintf(buf, len, "any value"); break;
    }
}

static int field_error(struct x400ms_error *err, const char *field, const struct x400ms_cfg_spec *s,
                       const json_t *got)
{
    char expected[256], value[64];
    describe_expected(s, expected, sizeof expected);
    describe_value(got, value, sizeof value);
    return x400ms_error_set(err, X400MS_EINVAL, "%s: expected %s%s%s%s, got %s", field, expected,
                            s->help ? " (" : "", s->help ? s->help : "", s->help ? ")" : "", value);
}

static void store_default(const struct x400ms_cfg_spec *s, char *dst)
{
    switch (s->type) {
    case X400MS_CFG_STRING: *(const char **)dst = s->def_str; break;
    case X400MS_CFG_INT:
    case X400MS_CFG_DURATION: *(long long *)dst = s->def_int; break;
    case X400MS_CFG_BOOL: *(bool *)dst = s->def_int != 0; break;
    case X400MS_CFG_DOUBLE: *(double *)dst = s->def_double; break;
    case X400MS_CFG_ENUM: *(int *)dst = (int)s->def_int; break;
    case X400MS_CFG_OBJECT:
    case X400MS_CFG_ARRAY:
    case X400MS_CFG_ANY: *(const json_t **)dst = NULL; break;
    }
}

static bool in_bounds(const struct x400ms_cfg_spec *s, long long v)
{
    return !(s->min < s->max) || (v >= s->min && v <= s->max);
}

static int store_value(const struct x400ms_cfg_spec *s, const json_t *v, char *dst,
                       const char *field, struct x400ms_error *err)
{
    switch (s->type) {
    case X400MS_CFG_STRING:
        if (!json_is_string(v) || ((s->flags & X400MS_CFG_NONEMPTY) && json_string_length(v) == 0))
            return field_error(err, field, s, v);
        *(const char **)dst = json_string_value(v);
        return 0;
    case X400MS_CFG_INT:
        if (!json_is_integer(v) || !in_bounds(s, json_integer_value(v)))
            return field_error(err, field, s, v);
        *(long long *)dst = json_integer_value(v);
        return 0;
    case X400MS_CFG_BOOL:
        if (!json_is_boolean(v))
            return field_error(err, field, s, v);
        *(bool *)dst = json_is_true(v);
        return 0;
    case X400MS_CFG_DOUBLE: {
        double d = json_number_value(v);
        if (!json_is_number(v) || (s->min < s->max && (d < (double)s->min || d > (double)s->max)))
            return field_error(err, field, s, v);
        *(double *)dst = d;
        return 0;
    }
    case X400MS_CFG_ENUM:
        for (int i = 0; json_is_string(v) && s->enum_values && s->enum_values[i]; i++)
            if (strcmp(json_string_value(v), s->enum_values[i]) == 0) {
                *(int *)dst = i;
                return 0;
            }
        return field_error(err, field, s, v);
    case X400MS_CFG_OBJECT:
        if (!json_is_object(v))
            return field_error(err, field, s, v);
        *(const json_t **)dst = v;
        return 0;
    case X400MS_CFG_ARRAY:
        if (!json_is_array(v) || ((s->flags & X400MS_CFG_NONEMPTY) && json_array_size(v) == 0))
            return field_error(err, field, s, v);
        *(const json_t **)dst = v;
        return 0;
    case X400MS_CFG_DURATION: {
        long long secs = -1;
        if (json_is_integer(v))
            secs = json_integer_value(v);
        else if (json_is_string(v))
            secs = x400ms_config_parse_duration(json_string_value(v));
        if (secs < 0 || !in_bounds(s, secs))
            return field_error(err, field, s, v);
        *(long long *)dst = secs;
        return 0;
    }
    case X400MS_CFG_ANY:
        *(const json_t **)dst = v;
        return 0;
    }
    return x400ms_error_set(err, X400MS_EINVAL, "%s: the spec has an unknown type %d", field, (int)s->type);
}

int x400ms_config_parse(const json_t *obj, const char *path, const struct x400ms_cfg_spec *spec,
                        void *out, struct x400ms_error *err)
{
    char field[512];

    if (obj && !json_is_object(obj)) {
        char value[64];
        describe_value(obj, value, sizeof value);
        return x400ms_error_set(err, X400MS_EINVAL, "%s: expected an object, got %s",
                                path && *path ? path : "(top level)", value);
    }

    /* Unknown keys first: a misspelt key is the likeliest mistake, and
     * "unknown key" explains it better than a "required" error would. */
    const char *key;
    json_t *value;
    json_object_foreach((json_t *)obj, key, value) {
        const struct x400ms_cfg_spec *s = spec;
        while (s->name && strcmp(s->name, key) != 0)
            s++;
        if (s->name)
            continue;
        char known[256];
        size_t n = 0;
        known[0] = '\0';
        for (s = spec; s->name && n < sizeof known; s++)
            n += (size_t)snprintf(known + n, sizeof known - n, "%s%s", s == spec ? "" : ", ", s->name);
        join_path(field, sizeof field, path, key);
        return x400ms_error_set(err, X400MS_EINVAL, "%s: unknown key (known keys: %s)", field,
                                spec->name ? known : "none");
    }

    for (const struct x400ms_cfg_spec *s = spec; s->name; s++) {
        char *dst = (char *)out + s->offset;
        const json_t *v = obj ? json_object_get(obj, s->name) : NULL;
        join_path(field, sizeof field, path, s->name);
        if (!v) {
            if (s->flags & X400MS_CFG_REQUIRED) {
                char expected[256];
                describe_expected(s, expected, sizeof expected);
                return x400ms_error_set(err, X400MS_EINVAL, "%s: missing; required: %s%s%s%s", field,
                                        expected, s->help ? " (" : "", s->help ? s->help : "",
                                        s->help ? ")" : "");
            }
            store_default(s, dst);
            continue;
        }
        int rc = store_value(s, v, dst, field, err);
        if (rc != 0)
            return rc;
    }
    return 0;
}
