/* An X.413 Filter (8.2.1.1.1.3) from a Register-MS parameter, turned into
 * the JSON filter form (filter.c) so that BER and admin-API registrations
 * are kept, and evaluated, the same way. Covers and/or/not, present, and
 * equality/ordering on the integer general attributes (X.413 12.2):
 * priority, retrieval-status, entry-type, sequence-number, content-length;
 * other items are refused with X400MS_ENOTSUP naming the attribute type. */
#define X400MS_LOG_MODULE "autoaction"
#include <stdio.h>
#include <string.h>

#include "asn1/ber.h"
#include "asn1/ms.h"
#include "modules/action/autoaction/aa.h"

static const struct { const char *oid, *name; } int_attrs[] = {
    { "2.6.4.3.31", "priority" },       /* X.413 12.2.x priority */
    { "2.6.4.3.15", "status" },         /* retrieval-status */
    { "2.6.4.3.16", "entry_type" },     /* entry-type */
    { "2.6.4.3.39", "seq" },            /* sequence-number */
    { "2.6.4.3.6", "content_length" },  /* content-length */
    { "2.6.4.3.29", "parent_seq" },     /* parent-sequence-number */
};

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
    const char *name = NULL;
    for (size_t i = 0; i < sizeof int_attrs / sizeof int_attrs[0]; i++)
        if (strcmp(int_attrs[i].oid, oid) == 0)
            name = int_attrs[i].name;
    if (name == NULL)
        return x400ms_error_set(err, X400MS_ENOTSUP, "filter: attribute type %s is not supported "
                                "in auto-action filters", oid);
    if (f.item == MS_FI_PRESENT) {
        *out = json_pack("{s:s}", "present", name);
        return 0;
    }
    const char *op = f.item == MS_FI_EQUALITY           ? "equal"
                     : f.item == MS_FI_GREATER_OR_EQUAL ? "greater_or_equal"
                     : f.item == MS_FI_LESS_OR_EQUAL    ? "less_or_equal"
                                                        : NULL;
    if (op == NULL)
        return x400ms_error_set(err, X400MS_ENOTSUP, "filter: this match on %s is not supported", oid);
    struct ber_ctx c;
    struct ber_tlv t;
    int64_t v;
    ber_ctx_init(&c, f.value.ptr, f.value.len, &be);
    if (ber_decode_top(&c, &t, "FilterItem.value") < 0)
        return ber_error_to_x400ms(&be, err, "filter");
    int rc = t.tag == BER_UNIV(10) ? ber_get_enum(&c, &t, "FilterItem.value", &v)
                                   : ber_get_int64(&c, &t, "FilterItem.value", &v);
    if (rc < 0)
        return ber_error_to_x400ms(&be, err, "filter");
    *out = json_pack("{s:{s:I}}", op, name, (json_int_t)v);
    return 0;
}

int aa_filter_from_ber(const uint8_t *ber, size_t len, json_t **filter_r, struct x400ms_error *err)
{
    *filter_r = NULL;
    return convert(ber_slice_make(ber, len), filter_r, 0, err);
}
