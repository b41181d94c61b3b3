/* An X.413 Filter (8.2.1.1.1.3) from a Register-MS parameter, turned into
 * the JSON filter form (filter.c) so that BER and admin-API registrations
 * are kept, and evaluated, the same way. Covers and/or/not and, on the
 * attributes the store indexes (X.413 12.2 general attributes, X.420 19
 * IPM heading attributes):
 *   integers     priority, retrieval-status, entry-type, sequence-number,
 *                parent-sequence-number, content-length, importance,
 *                sensitivity, precedence
 *   times        creation-time, message-delivery-time,
 *                message-submission-time (UTCTime or GeneralizedTime, kept
 *                as seconds since 1970)
 *   O/R names    originator-name, this-recipient-name (ORName), ipm-
 *                originator (ORDescriptor: its formal-name), kept in the
 *                O/R address text form the store indexes
 *   strings      subject (any character string type, octets compared)
 *   content-type built-in INTEGER or OBJECT IDENTIFIER (the store keeps
 *                the built-in types 2 and 22 as their number)
 * with equality, greater-or-equal, less-or-equal, approximate-match and
 * present, and substrings on strings. Anything else (another attribute,
 * other-match) is refused with X400MS_ENOTSUP naming the attribute type. */
#define X400MS_LOG_MODULE "autoaction"
#include <stdio.h>
#include <string.h>

#include "asn1/ber.h"
#include "asn1/ms.h"
#include "asn1/orname.h"
#include "modules/action/autoaction/aa.h"

enum syntax { SYN_INT, SYN_TIME, SYN_ORNAME, SYN_ORDESCRIPTOR, SYN_STRING, SYN_CONTENT_TYPE };

static const struct { const char *oid, *name; enum syntax syn; } attrs[] = {
    { "2.6.4.3.31", "priority", SYN_INT },             /* X.413 priority */
    { "2.6.4.3.15", "status", SYN_INT },               /* retrieval-status */
    { "2.6.4.3.16", "entry_type", SYN_INT },           /* entry-type */
    { "2.6.4.3.39", "seq", SYN_INT },                  /* sequence-number */
    { "2.6.4.3.6", "content_length", SYN_INT },        /* content-length */
    { "2.6.4.3.29", "parent_seq", SYN_INT },           /* parent-sequence-number */
    { "2.6.1.7.7", "importance", SYN_INT },            /* X.420 importance */
    { "2.6.1.7.8", "sensitivity", SYN_INT },           /* X.420 sensitivity */
    { "2.6.1.7.37", "precedence", SYN_INT },           /* STANAG 4406 precedence */
    { "2.6.4.3.11", "creation_time", SYN_TIME },       /* creation-time */
    { "2.6.4.3.20", "delivery_time", SYN_TIME },       /* message-delivery-time */
    { "2.6.4.3.23", "delivery_time", SYN_TIME },       /* message-submission-time (same index field) */
    { "2.6.4.3.27", "originator", SYN_ORNAME },        /* originator-name */
    { "2.6.4.3.41", "this_recipient", SYN_ORNAME },    /* this-recipient-name */
    { "2.6.1.7.2", "originator", SYN_ORDESCRIPTOR },   /* X.420 ipm-originator */
    { "2.6.1.7.4", "subject", SYN_STRING },            /* X.420 subject */
    { "2.6.4.3.8", "content_type", SYN_CONTENT_TYPE }, /* content-type */
};

/* Decodes one assertion value (a whole TLV) of an attribute of syntax syn
 * into a JSON value: an integer, or a string. */
static int value_json(enum syntax syn, struct ber_slice value, const char *oid, json_t **out,
                      struct x400ms_error *err)
{
    struct ber_error be;
    memset(&be, 0, sizeof be);
    struct ber_ctx c;
    struct ber_tlv t;
    ber_ctx_init(&c, value.ptr, value.len, &be);
    if (ber_decode_top(&c, &t, "FilterItem.value") < 0)
        return ber_error_to_x400ms(&be, err, "filter");
    int rc = 0;
    switch (syn) {
    case SYN_INT: {
        int64_t v;
        rc = t.tag == BER_UNIV(10) ? ber_get_enum(&c, &t, "FilterItem.value", &v)
                                   : ber_get_int64(&c, &t, "FilterItem.value", &v);
        if (rc == 0)
            *out = json_integer((json_int_t)v);
        break;
    }
    case SYN_TIME: {
        struct ber_time bt;
        rc = t.tag == BER_UNIV(BER_GENERALIZED_TIME) ? ber_get_gentime(&c, &t, "FilterItem.value", &bt)
                                                      : ber_get_utctime(&c, &t, "FilterItem.value", &bt);
        if (rc == 0)
            *out = json_integer((json_int_t)bt.sec);
        break;
    }
    case SYN_ORNAME:
    case SYN_ORDESCRIPTOR: {
        struct ber_tlv name = t;
        if (syn == SYN_ORDESCRIPTOR) {
            /* ORDescriptor ::= SET { formal-name ORName OPTIONAL, ... }: the
             * store indexes the formal name only */
            struct ber_iter it;
            if ((rc = ber_enter(&c, &t, &it, "ORDescriptor")) < 0)
                break;
            if (ber_optional(&it, BER_APP(0), &name) != 1)
                return x400ms_error_set(err, X400MS_ENOTSUP,
                                        "filter: %s without a formal-name is not supported", oid);
        }
        struct or_address a;
        char text[X400MS_STORE_ADDRESS_MAX];
        if ((rc = or_name_decode_tlv(&c, &name, &a, "ORName")) < 0)
            break;
        if (or_address_format(&a, OR_TEXT_SLASH, text, sizeof text) < 0)
            return x400ms_error_set(err, X400MS_ELIMIT, "filter: %s: O/R name too long", oid);
        *out = json_string(text);
        break;
    }
    case SYN_CONTENT_TYPE: {
        char text[128];
        if (t.tag == BER_UNIV(BER_OID)) {
            struct ber_slice o;
            if ((rc = ber_get_oid(&c, &t, "ContentType", &o)) < 0)
                break;
            ber_oid_to_text(o, text, sizeof text);
            if (strcmp(text, "2.6.1.10.0") == 0) /* X.420 id-cont-p2 / p22 */
                snprintf(text, sizeof text, "2");
            else if (strcmp(text, "2.6.1.10.1") == 0)
                snprintf(text, sizeof text, "22");
        } else {
            int64_t v;
            if ((rc = ber_get_int64(&c, &t, "ContentType", &v)) < 0)
                break;
            snprintf(text, sizeof text, "%lld", (long long)v);
        }
        *out = json_string(text);
        break;
    }
    case SYN_STRING: {
        /* any character string (X.420 subject is a TeletexString in 1988,
         * a UniversalOrBMPString later): the store compares octets */
        struct ber_str s;
        char text[X400MS_STORE_SUBJECT_MAX + 1];
        size_t n;
        unsigned univ = BER_TAG_CLASS(t.tag) == BER_CLASS_UNIVERSAL ? BER_TAG_NUMBER(t.tag)
                                                                    : BER_OCTET_STRING;
        if (univ == BER_PRINTABLE_STRING || univ == BER_IA5_STRING || univ == BER_NUMERIC_STRING)
            univ = BER_OCTET_STRING; /* lenient on the character set: text is compared */
        if ((rc = ber_get_str(&c, &t, "FilterItem.value", univ, &s)) < 0)
            break;
        if (ber_str_copy(&s, text, sizeof text, &n) < 0)
            return x400ms_error_set(err, X400MS_ELIMIT, "filter: %s: value longer than %d", oid,
                                    X400MS_STORE_SUBJECT_MAX);
        *out = json_stringn(text, n);
        break;
    }
    }
    if (rc < 0)
        return ber_error_to_x400ms(&be, err, "filter");
    return 0;
}

/* FilterItem substrings: strings SEQUENCE OF CHOICE { initial [0], any [1],
 * final [2] } (tags on an open type: explicit). */
static int substrings_json(enum syntax syn, const struct ms_filter *f, const char *oid, json_t **out,
                           struct x400ms_error *err)
{
    if (syn != SYN_STRING && syn != SYN_ORNAME && syn != SYN_ORDESCRIPTOR && syn != SYN_CONTENT_TYPE)
        return x400ms_error_set(err, X400MS_ENOTSUP, "filter: substrings on %s (not a string)", oid);
    struct ber_error be;
    memset(&be, 0, sizeof be);
    json_t *o = json_object(), *any = json_array();
    struct mhs_seq_iter it;
    struct ber_tlv t;
    int rc;
    mhs_seq_iter_init(&it, &f->substrings, &be);
    while ((rc = mhs_seq_iter_next(&it, &t)) == 1) {
        unsigned k = BER_TAG_NUMBER(t.tag);
        struct ber_ctx c;
        struct ber_tlv in;
        ber_ctx_init(&c, t.val, t.len, &be);
        if (BER_TAG_CLASS(t.tag) != BER_CLASS_CONTEXT || k > 2 || !t.constructed ||
            (rc = ber_decode_top(&c, &in, "FilterItem.substrings")) < 0) {
            rc = x400ms_error_set(err, X400MS_EINVAL, "filter: bad substrings element on %s", oid);
            break;
        }
        json_t *v = NULL;
        /* a piece of an O/R name or content type is text, whatever the syntax */
        if ((rc = value_json(SYN_STRING, ber_tlv_whole(&in), oid, &v, err)) < 0)
            break;
        if (k == 1)
            json_array_append_new(any, v);
        else
            json_object_set_new(o, k == 0 ? "initial" : "final", v);
    }
    if (rc < 0) {
        json_decref(o);
        json_decref(any);
        return err->code ? err->code : ber_error_to_x400ms(&be, err, "filter");
    }
    if (json_array_size(any) > 0)
        json_object_set_new(o, "any", any);
    else
        json_decref(any);
    *out = o;
    return 0;
}

static int convert(struct ber_slice tlv, json_t **out, unsigned depth, struct x400ms_error *err)
{
    struct ber_error be;
    memset(&be, 0, sizeof be);
    struct ms_filter f;
    if (depth > 16)
        return x400ms_error_set(err, X400MS_ELIMIT, "filter nested too deeply");
    if (ms_filter_decode(tlv, &f, &be) < 0)
        return ber_error_to_x400ms(&be, err, "filter");
    if (f.kind == MS_FILTER_AND || f.kind == MS_FILTER_OR) {
        json_t *arr = json_array();
        struct mhs_seq_iter it;
        struct ber_tlv t;
        int rc;
        mhs_seq_iter_init(&it, &f.subfilters, &be);
        while ((rc = mhs_seq_iter_next(&it, &t)) == 1) {
            json_t *kid = NULL;
            if ((rc = convert(ber_tlv_whole(&t), &kid, depth + 1, err)) < 0)
                break;
            json_array_append_new(arr, kid);
        }
        if (rc < 0) {
            json_decref(arr);
            return err->code ? err->code : ber_error_to_x400ms(&be, err, "filter");
        }
        *out = json_pack("{s:o}", f.kind == MS_FILTER_AND ? "and" : "or", arr);
        return 0;
    }
    if (f.kind == MS_FILTER_NOT) {
        json_t *kid = NULL;
        int rc = convert(f.sub, &kid, depth + 1, err);
        if (rc < 0)
            return rc;
        *out = json_pack("{s:o}", "not", kid);
        return 0;
    }
    char oid[128] = "?";
    ber_oid_to_text(f.type, oid, sizeof oid);
    size_t i;
    for (i = 0; i < sizeof attrs / sizeof attrs[0]; i++)
        if (strcmp(attrs[i].oid, oid) == 0)
            break;
    if (i == sizeof attrs / sizeof attrs[0])
        return x400ms_error_set(err, X400MS_ENOTSUP, "filter: attribute type %s is not supported "
                                "in auto-action filters", oid);
    const char *name = attrs[i].name;
    json_t *v = NULL;
    int rc;
    switch (f.item) {
    case MS_FI_PRESENT:
        *out = json_pack("{s:s}", "present", name);
        return 0;
    case MS_FI_SUBSTRINGS:
        if ((rc = substrings_json(attrs[i].syn, &f, oid, &v, err)) < 0)
            return rc;
        *out = json_pack("{s:{s:o}}", "substrings", name, v);
        return 0;
    case MS_FI_EQUALITY:
    case MS_FI_GREATER_OR_EQUAL:
    case MS_FI_LESS_OR_EQUAL:
    case MS_FI_APPROXIMATE_MATCH: {
        const char *op = f.item == MS_FI_EQUALITY           ? "equal"
                         : f.item == MS_FI_GREATER_OR_EQUAL ? "greater_or_equal"
                         : f.item == MS_FI_LESS_OR_EQUAL    ? "less_or_equal"
                                                            : "approx";
        if ((rc = value_json(attrs[i].syn, f.value, oid, &v, err)) < 0)
            return rc;
        *out = json_pack("{s:{s:o}}", op, name, v);
        return 0;
    }
    default:
        return x400ms_error_set(err, X400MS_ENOTSUP, "filter: this match on %s is not supported", oid);
    }
}

int aa_filter_from_ber(const uint8_t *ber, size_t len, json_t **filter_r, struct x400ms_error *err)
{
    *filter_r = NULL;
    return convert(ber_slice_make(ber, len), filter_r, 0, err);
}
