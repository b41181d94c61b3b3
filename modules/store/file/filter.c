/* Evaluating a store filter (store.h) against index attributes: the X.413
 * Filter / FilterItem semantics reduced to the general attributes. */
#include <ctype.h>
#include <string.h>
#include <strings.h>
#include "index.h"

enum kind { K_INT, K_STR, K_BYTES, K_CHILDREN };

static enum kind attr_kind(enum x400ms_store_attr_id id)
{
    switch (id) {
    case X400MS_ATTR_CONTENT_TYPE: case X400MS_ATTR_ORIGINATOR:
    case X400MS_ATTR_THIS_RECIPIENT: case X400MS_ATTR_SUBJECT:
        return K_STR;
    case X400MS_ATTR_MTS_ID:
        return K_BYTES;
    case X400MS_ATTR_CHILDREN:
        return K_CHILDREN;
    default:
        return K_INT;
    }
}

/* false when the attribute is absent from the entry */
static bool get_int(const struct x400ms_store_attrs *a, enum x400ms_store_attr_id id, int64_t *v)
{
    switch (id) {
    case X400MS_ATTR_SEQ: *v = a->seq; return true;
    case X400MS_ATTR_PARENT_SEQ: *v = a->parent_seq; return a->parent_seq != 0;
    case X400MS_ATTR_ENTRY_TYPE: *v = a->entry_type; return true;
    case X400MS_ATTR_STATUS: *v = a->status; return true;
    case X400MS_ATTR_PRIORITY: *v = a->priority; return true;
    case X400MS_ATTR_IMPORTANCE: *v = a->importance; return a->importance != X400MS_IPM_ABSENT;
    case X400MS_ATTR_SENSITIVITY: *v = a->sensitivity; return a->sensitivity != X400MS_IPM_ABSENT;
    case X400MS_ATTR_PRECEDENCE: *v = a->precedence; return a->precedence != X400MS_PRECEDENCE_ABSENT;
    case X400MS_ATTR_CONTENT_LENGTH: *v = (int64_t)a->content_length; return true;
    case X400MS_ATTR_CREATION_TIME: *v = a->creation_time; return true;
    case X400MS_ATTR_DELIVERY_TIME: *v = a->delivery_time; return a->delivery_time != 0;
    default: return false;
    }
}

static const char *get_str(const struct x400ms_store_attrs *a, enum x400ms_store_attr_id id)
{
    const char *s = NULL;
    switch (id) {
    case X400MS_ATTR_CONTENT_TYPE: s = a->content_type; break;
    case X400MS_ATTR_ORIGINATOR: s = a->originator; break;
    case X400MS_ATTR_THIS_RECIPIENT: s = a->this_recipient; break;
    case X400MS_ATTR_SUBJECT: s = a->subject; break;
    default: break;
    }
    return s && *s ? s : NULL;
}

/* Case-insensitive (ASCII) search of needle in hay from *pos; advances *pos. */
static bool find_ci(const char *hay, size_t *pos, const char *needle, bool anchored)
{
    size_t hn = strlen(hay), nn = strlen(needle);
    for (size_t i = *pos; i + nn <= hn; i++) {
        if (strncasecmp(hay + i, needle, nn) == 0) {
            *pos = i + nn;
            return true;
        }
        if (anchored)
            break;
    }
    return false;
}

static bool substrings(const struct x400ms_store_filter *f, const char *s)
{
    size_t pos = 0, len = strlen(s);
    if (f->initial && !find_ci(s, &pos, f->initial, true))
        return false;
    for (size_t i = 0; i < f->n_any; i++)
        if (f->any[i] && !find_ci(s, &pos, f->any[i], false))
            return false;
    if (f->final) {
        size_t fl = strlen(f->final);
        if (fl > len - pos || strcasecmp(s + len - fl, f->final) != 0)
            return false;
    }
    return true;
}

/* approximate-match: equal ignoring ASCII case and white space */
static bool approx_equal(const char *a, const char *b)
{
    for (;;) {
        while (isspace((unsigned char)*a)) a++;
        while (isspace((unsigned char)*b)) b++;
        if (!*a || !*b)
            return !*a && !*b;
        if (tolower((unsigned char)*a++) != tolower((unsigned char)*b++))
            return false;
    }
}

static bool item_match(const struct x400ms_store_filter *f, const struct x400ms_store_attrs *a)
{
    int64_t v;
    const char *s;

    switch (attr_kind(f->attr)) {
    case K_INT:
        if (!get_int(a, f->attr, &v))
            return false;
        switch (f->op) {
        case X400MS_FILTER_EQUAL: case X400MS_FILTER_APPROX: return v == f->int_value;
        case X400MS_FILTER_GREATER_OR_EQUAL: return v >= f->int_value;
        case X400MS_FILTER_LESS_OR_EQUAL: return v <= f->int_value;
        case X400MS_FILTER_PRESENT: return true;
        default: return false;
        }
    case K_STR:
        if (!(s = get_str(a, f->attr)))
            return false;
        switch (f->op) {
        case X400MS_FILTER_EQUAL: return strcasecmp(s, f->str_value) == 0;
        case X400MS_FILTER_APPROX: return approx_equal(s, f->str_value);
        case X400MS_FILTER_GREATER_OR_EQUAL: return strcasecmp(s, f->str_value) >= 0;
        case X400MS_FILTER_LESS_OR_EQUAL: return strcasecmp(s, f->str_value) <= 0;
        case X400MS_FILTER_SUBSTRINGS: return substrings(f, s);
        case X400MS_FILTER_PRESENT: return true;
        default: return false;
        }
    case K_BYTES:
        if (!a->mts_id_len)
            return false;
        if (f->op == X400MS_FILTER_PRESENT)
            return true;
        return f->op == X400MS_FILTER_EQUAL && f->bytes_len == a->mts_id_len &&
               memcmp(f->bytes, a->mts_id, a->mts_id_len) == 0;
    case K_CHILDREN:
        if (!a->n_children)
            return false;
        if (f->op == X400MS_FILTER_PRESENT)
            return true;
        for (size_t i = 0; f->op == X400MS_FILTER_EQUAL && i < a->n_children; i++)
            if (a->children[i] == f->int_value)
                return true;
        return false;
    }
    return false;
}

bool sf_filter_match(const struct x400ms_store_filter *f, const struct x400ms_store_attrs *a)
{
    switch (f->op) {
    case X400MS_FILTER_AND:
        for (size_t i = 0; i < f->n_children; i++)
            if (!sf_filter_match(&f->children[i], a))
                return false;
        return true;
    case X400MS_FILTER_OR:
        for (size_t i = 0; i < f->n_children; i++)
            if (sf_filter_match(&f->children[i], a))
                return true;
        return false;
    case X400MS_FILTER_NOT:
        return !sf_filter_match(&f->children[0], a);
    default:
        return item_match(f, a);
    }
}

unsigned sf_filter_status_mask(const struct x400ms_store_filter *f)
{
    const unsigned all = (1u << X400MS_STATUS_COUNT) - 1;
    unsigned m;

    switch (f->op) {
    case X400MS_FILTER_AND:
        m = all;
        for (size_t i = 0; i < f->n_children; i++)
            m &= sf_filter_status_mask(&f->children[i]);
        return m;
    case X400MS_FILTER_OR:
        m = 0;
        for (size_t i = 0; i < f->n_children; i++)
            m |= sf_filter_status_mask(&f->children[i]);
        return m;
    case X400MS_FILTER_EQUAL:
    case X400MS_FILTER_APPROX:
        if (f->attr == X400MS_ATTR_STATUS)
            return (f->int_value >= 0 && f->int_value < X400MS_STATUS_COUNT) ? 1u << f->int_value : 0;
        return all;
    case X400MS_FILTER_LESS_OR_EQUAL:
        if (f->attr == X400MS_ATTR_STATUS)
            return f->int_value < 0 ? 0 : f->int_value >= X400MS_STATUS_COUNT - 1 ? all
                   : (1u << (f->int_value + 1)) - 1;
        return all;
    case X400MS_FILTER_GREATER_OR_EQUAL:
        if (f->attr == X400MS_ATTR_STATUS)
            return f->int_value <= 0 ? all : f->int_value >= X400MS_STATUS_COUNT ? 0
                   : all & ~((1u << f->int_value) - 1);
        return all;
    default:
        return all;
    }
}

static int validate(const struct x400ms_store_filter *f, int depth, struct x400ms_error *err)
{
    if (depth > 32)
        return x400ms_error_set(err, X400MS_ELIMIT, "filter: nested deeper than 32");
    switch (f->op) {
    case X400MS_FILTER_AND:
    case X400MS_FILTER_OR:
    case X400MS_FILTER_NOT:
        if (f->op == X400MS_FILTER_NOT && f->n_children != 1)
            return x400ms_error_set(err, X400MS_EINVAL, "filter: not needs exactly one operand");
        if (f->n_children && !f->children)
            return x400ms_error_set(err, X400MS_EINVAL, "filter: operands missing");
        for (size_t i = 0; i < f->n_children; i++) {
            int rc = validate(&f->children[i], depth + 1, err);
            if (rc)
                return rc;
        }
        return 0;
    case X400MS_FILTER_EQUAL:
    case X400MS_FILTER_GREATER_OR_EQUAL:
    case X400MS_FILTER_LESS_OR_EQUAL:
    case X400MS_FILTER_SUBSTRINGS:
    case X400MS_FILTER_PRESENT:
    case X400MS_FILTER_APPROX:
        break;
    default:
        return x400ms_error_set(err, X400MS_EINVAL, "filter: unknown operator %d", (int)f->op);
    }
    if (f->attr < X400MS_ATTR_SEQ || f->attr > X400MS_ATTR_CHILDREN)
        return x400ms_error_set(err, X400MS_EINVAL, "filter: unknown attribute %d", (int)f->attr);
    if (f->op == X400MS_FILTER_PRESENT)
        return 0;
    switch (attr_kind(f->attr)) {
    case K_STR:
        if (f->op == X400MS_FILTER_SUBSTRINGS) {
            if (!f->initial && !f->final && !f->n_any)
                return x400ms_error_set(err, X400MS_EINVAL, "filter: substrings without a substring");
            if (f->n_any && !f->any)
                return x400ms_error_set(err, X400MS_EINVAL, "filter: substrings any[] missing");
        } else if (!f->str_value) {
            return x400ms_error_set(err, X400MS_EINVAL, "filter: string value missing for attribute %d",
                                    (int)f->attr);
        }
        return 0;
    case K_BYTES:
        if (f->op != X400MS_FILTER_EQUAL || (f->bytes_len && !f->bytes))
            return x400ms_error_set(err, X400MS_EINVAL, "filter: mts-identifier supports equality only");
        return 0;
    default:
        if (f->op == X400MS_FILTER_SUBSTRINGS)
            return x400ms_error_set(err, X400MS_EINVAL, "filter: substrings on an integer attribute %d",
                                    (int)f->attr);
        return 0;
    }
}

int sf_filter_validate(const struct x400ms_store_filter *f, struct x400ms_error *err)
{
    return f ? validate(f, 0, err) : 0;
}
