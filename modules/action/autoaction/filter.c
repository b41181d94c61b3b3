/* The JSON form of an auto-action filter and its translation into the
 * store's filter tree (store.h), so that the store itself evaluates it - the
 * same evaluation P7 List uses for the X.413 Filter (8.2.1.1.1.3).
 *
 *   {"and": [F, ...]}  {"or": [F, ...]}  {"not": F}
 *   {"equal": {"priority": "urgent"}}   {"greater_or_equal": {"content_length": 1000}}
 *   {"less_or_equal": {...}}  {"approx": {"subject": "status report"}}
 *   {"present": "subject"}
 *   {"substrings": {"subject": {"initial": "URGENT", "any": ["x"], "final": "y"}}} */
#define X400MS_LOG_MODULE "autoaction"
#include <stdlib.h>
#include <string.h>

#include "modules/action/autoaction/aa.h"

struct aa_filter_arena {
    struct aa_filter_arena *next;
    max_align_t data[];
};

struct attr_def {
    const char *name;
    enum x400ms_store_attr_id id;
    bool is_string;
    const char *const *names; /* enumerated value names by number, or NULL */
};

static const char *const priority_names[] = { "normal", "non-urgent", "urgent", NULL };
static const char *const status_names[] = { "new", "listed", "processed", NULL };
static const char *const importance_names[] = { "low", "normal", "high", NULL };
static const char *const sensitivity_names[] = { "", "personal", "private", "company-confidential", NULL };
static const char *const entry_type_names[] = { "delivered-message", "delivered-report",
                                                "returned-content", "submitted-message",
                                                "submitted-probe", NULL };

static const struct attr_def attr_defs[] = {
    { "seq", X400MS_ATTR_SEQ, false, NULL },
    { "parent_seq", X400MS_ATTR_PARENT_SEQ, false, NULL },
    { "entry_type", X400MS_ATTR_ENTRY_TYPE, false, entry_type_names },
    { "status", X400MS_ATTR_STATUS, false, status_names },
    { "priority", X400MS_ATTR_PRIORITY, false, priority_names },
    { "importance", X400MS_ATTR_IMPORTANCE, false, importance_names },
    { "sensitivity", X400MS_ATTR_SENSITIVITY, false, sensitivity_names },
    { "precedence", X400MS_ATTR_PRECEDENCE, false, NULL },
    { "content_length", X400MS_ATTR_CONTENT_LENGTH, false, NULL },
    { "creation_time", X400MS_ATTR_CREATION_TIME, false, NULL },
    { "delivery_time", X400MS_ATTR_DELIVERY_TIME, false, NULL },
    { "content_type", X400MS_ATTR_CONTENT_TYPE, true, NULL },
    { "originator", X400MS_ATTR_ORIGINATOR, true, NULL },
    { "this_recipient", X400MS_ATTR_THIS_RECIPIENT, true, NULL },
    { "subject", X400MS_ATTR_SUBJECT, true, NULL },
};

static const struct attr_def *attr_find(const char *name)
{
    for (size_t i = 0; i < sizeof attr_defs / sizeof attr_defs[0]; i++)
        if (strcmp(attr_defs[i].name, name) == 0)
            return &attr_defs[i];
    return NULL;
}

static const struct { const char *key; enum x400ms_store_filter_op op; } value_ops[] = {
    { "equal", X400MS_FILTER_EQUAL },
    { "greater_or_equal", X400MS_FILTER_GREATER_OR_EQUAL },
    { "less_or_equal", X400MS_FILTER_LESS_OR_EQUAL },
    { "approx", X400MS_FILTER_APPROX },
};

static void *arena_alloc(struct aa_filter_arena **arena, size_t size)
{
    struct aa_filter_arena *a = calloc(1, sizeof *a + size);
    if (a == NULL)
        return NULL;
    a->next = *arena;
    *arena = a;
    return a->data;
}

void aa_filter_free(struct aa_filter_arena *arena)
{
    while (arena != NULL) {
        struct aa_filter_arena *next = arena->next;
        free(arena);
        arena = next;
    }
}

static int int_value(const struct attr_def *d, const json_t *v, const char *path, int64_t *out,
                     struct x400ms_error *err)
{
    if (json_is_integer(v)) {
        *out = json_integer_value(v);
        return 0;
    }
    if (json_is_string(v) && d->names != NULL)
        for (int64_t i = 0; d->names[i] != NULL; i++)
            if (d->names[i][0] != '\0' && strcmp(d->names[i], json_string_value(v)) == 0) {
                *out = i;
                return 0;
            }
    return x400ms_error_set(err, X400MS_EINVAL, "%s.%s: expected an integer%s", path, d->name,
                            d->names != NULL ? " or a value name (e.g. \"urgent\")" : "");
}

/* Checks f and, when out is not NULL, fills *out (allocating from arena). */
static int walk(const json_t *f, const char *path, struct x400ms_store_filter *out,
                struct aa_filter_arena **arena, unsigned depth, struct x400ms_error *err)
{
    if (depth > 16)
        return x400ms_error_set(err, X400MS_ELIMIT, "%s: filter nested too deeply", path);
    if (!json_is_object(f) || json_object_size(f) != 1)
        return x400ms_error_set(err, X400MS_EINVAL, "%s: expected an object with one operator", path);
    const char *key = json_object_iter_key(json_object_iter((json_t *)f));
    const json_t *v = json_object_get(f, key);
    char sub[256];
    if (out != NULL)
        memset(out, 0, sizeof *out);
    if (strcmp(key, "and") == 0 || strcmp(key, "or") == 0) {
        if (!json_is_array(v))
            return x400ms_error_set(err, X400MS_EINVAL, "%s.%s: expected an array", path, key);
        size_t n = json_array_size(v);
        struct x400ms_store_filter *kids = NULL;
        if (out != NULL && n > 0 && (kids = arena_alloc(arena, n * sizeof *kids)) == NULL)
            return x400ms_error_set(err, X400MS_ENOMEM, "out of memory");
        for (size_t i = 0; i < n; i++) {
            snprintf(sub, sizeof sub, "%s.%s[%zu]", path, key, i);
            int rc = walk(json_array_get(v, i), sub, kids ? &kids[i] : NULL, arena, depth + 1, err);
            if (rc < 0)
                return rc;
        }
        if (out != NULL) {
            out->op = key[0] == 'a' ? X400MS_FILTER_AND : X400MS_FILTER_OR;
            out->children = kids;
            out->n_children = n;
        }
        return 0;
    }
    if (strcmp(key, "not") == 0) {
        struct x400ms_store_filter *kid = NULL;
        if (out != NULL && (kid = arena_alloc(arena, sizeof *kid)) == NULL)
            return x400ms_error_set(err, X400MS_ENOMEM, "out of memory");
        snprintf(sub, sizeof sub, "%s.not", path);
        int rc = walk(v, sub, kid, arena, depth + 1, err);
        if (rc < 0)
            return rc;
        if (out != NULL) {
            out->op = X400MS_FILTER_NOT;
            out->children = kid;
            out->n_children = 1;
        }
        return 0;
    }
    if (strcmp(key, "present") == 0) {
        const struct attr_def *d = json_is_string(v) ? attr_find(json_string_value(v)) : NULL;
        if (d == NULL)
            return x400ms_error_set(err, X400MS_EINVAL, "%s.present: expected an attribute name", path);
        if (out != NULL) {
            out->op = X400MS_FILTER_PRESENT;
            out->attr = d->id;
        }
        return 0;
    }
    bool substrings = strcmp(key, "substrings") == 0;
    size_t k;
    for (k = 0; k < sizeof value_ops / sizeof value_ops[0]; k++)
        if (strcmp(value_ops[k].key, key) == 0)
            break;
    if (!substrings && k == sizeof value_ops / sizeof value_ops[0])
        return x400ms_error_set(err, X400MS_EINVAL,
                                "%s: unknown operator \"%s\" (and, or, not, equal, greater_or_equal, "
                                "less_or_equal, approx, present, substrings)", path, key);
    snprintf(sub, sizeof sub, "%s.%s", path, key);
    if (!json_is_object(v) || json_object_size(v) != 1)
        return x400ms_error_set(err, X400MS_EINVAL, "%s: expected {\"attribute\": value}", sub);
    const char *name = json_object_iter_key(json_object_iter((json_t *)v));
    const json_t *val = json_object_get(v, name);
    const struct attr_def *d = attr_find(name);
    if (d == NULL)
        return x400ms_error_set(err, X400MS_EINVAL, "%s: unknown attribute \"%s\"", sub, name);
    if (out != NULL)
        out->attr = d->id;
    if (substrings) {
        if (!d->is_string || !json_is_object(val))
            return x400ms_error_set(err, X400MS_EINVAL,
                                    "%s.%s: substrings need a string attribute and "
                                    "{\"initial\", \"any\", \"final\"}", sub, name);
        const json_t *ini = json_object_get(val, "initial"), *fin = json_object_get(val, "final");
        const json_t *any = json_object_get(val, "any");
        if ((ini && !json_is_string(ini)) || (fin && !json_is_string(fin)) ||
            (any && !json_is_array(any)))
            return x400ms_error_set(err, X400MS_EINVAL, "%s.%s: bad substrings", sub, name);
        size_t n_any = any ? json_array_size(any) : 0;
        const char **anys = NULL;
        if (out != NULL && n_any > 0 && (anys = arena_alloc(arena, n_any * sizeof *anys)) == NULL)
            return x400ms_error_set(err, X400MS_ENOMEM, "out of memory");
        for (size_t i = 0; i < n_any; i++) {
            if (!json_is_string(json_array_get(any, i)))
                return x400ms_error_set(err, X400MS_EINVAL, "%s.%s.any[%zu]: expected a string",
                                        sub, name, i);
            if (anys != NULL)
                anys[i] = json_string_value(json_array_get(any, i));
        }
        if (out != NULL) {
            out->op = X400MS_FILTER_SUBSTRINGS;
            out->initial = ini ? json_string_value(ini) : NULL;
            out->final = fin ? json_string_value(fin) : NULL;
            out->any = anys;
            out->n_any = n_any;
        }
        return 0;
    }
    if (out != NULL)
        out->op = value_ops[k].op;
    if (d->is_string) {
        if (!json_is_string(val))
            return x400ms_error_set(err, X400MS_EINVAL, "%s.%s: expected a string", sub, name);
        if (out != NULL)
            out->str_value = json_string_value(val);
        return 0;
    }
    int64_t iv = 0;
    int rc = int_value(d, val, sub, &iv, err);
    if (rc == 0 && out != NULL)
        out->int_value = iv;
    return rc;
}

int aa_filter_check(const json_t *f, const char *path, struct x400ms_error *err)
{
    return walk(f, path, NULL, NULL, 0, err);
}

int aa_filter_build(const json_t *f, const struct x400ms_store_filter **filter_r,
                    struct aa_filter_arena **arena_r, struct x400ms_error *err)
{
    struct aa_filter_arena *arena = NULL;
    struct x400ms_store_filter *root = arena_alloc(&arena, sizeof *root);
    if (root == NULL)
        return x400ms_error_set(err, X400MS_ENOMEM, "out of memory");
    int rc = walk(f, "filter", root, &arena, 0, err);
    if (rc < 0) {
        aa_filter_free(arena);
        return rc;
    }
    *filter_r = root;
    *arena_r = arena;
    return 0;
}
