/* X.413 Message Store abstract service codec: implements asn1/ms.asn
 * (EXPLICIT tags). See asn1/ms.h. Clause numbers are X.413 (06/1999). */
#include "asn1/ms.h"

#include <string.h>

/* The value inside an explicit [n], as a raw whole TLV. */
static int inner_raw(struct ber_ctx *c, const struct ber_tlv *t, struct ber_slice *s, const char *type)
{
    struct ber_tlv in;
    int rc = ber_explicit(c, t, &in, type);

    if (rc == 0)
        *s = ber_tlv_whole(&in);
    return rc;
}

static int put_raw_explicit(struct ber_writer *w, unsigned n, struct ber_slice s)
{
    ber_mark_t m;

    if (!s.len)
        return w->error;
    m = ber_mark(w);
    mhs_put_slice(w, s);
    return ber_wrap(w, m, BER_CTX(n), true);
}

static int get_seqnum(struct ber_ctx *c, const struct ber_tlv *t, const char *type, int64_t *v)
{
    int rc = mhs_explicit_int(c, t, type, v);

    if (rc == 0 && (*v < 0 || *v > MS_UB_MESSAGES))
        return ber_fail(c, t->start, X400MS_EPROTO, type, "sequence number out of range");
    return rc;
}

/* Most X.413 arguments and results are a SET whose members are all [n]
 * context-tagged (the module is EXPLICIT): each member at most once, some
 * required. decode_ctx_set() walks such a SET; the caller's member
 * function decodes member [n]. */
struct ctx_set {
    const char *type;
    uint32_t members;  /* bit n: [n] is a member */
    bool extensible;   /* other members are skipped (X.413 1994 extensibility), not refused */
    bool one_of_1_2;   /* [1] and [2] are the alternatives of one CHOICE: they share a slot */
    struct {
        unsigned tag;   /* [tag] must be present, else `missing` (checked in order) */
        const char *missing;
    } required[2];
};

typedef int ctx_member_fn(struct ber_ctx *c, const struct ber_tlv *m, unsigned n, void *out);

static int decode_ctx_set(struct ber_ctx *c, const struct ber_tlv *t, const struct ctx_set *set,
                          ctx_member_fn *member, void *out)
{
    struct ber_iter it;
    struct ber_tlv m;
    uint64_t seen = 0;
    int rc;

    if ((rc = mhs_enter(c, t, BER_SET, &it, set->type)) < 0)
        return rc;
    while ((rc = ber_next(&it, &m)) == 1) {
        unsigned n = BER_TAG_NUMBER(m.tag);

        if (BER_TAG_CLASS(m.tag) != BER_CLASS_CONTEXT || n > 31 || !(set->members & (1u << n))) {
            if (set->extensible)
                continue;
            return mhs_unexpected(c, &m, set->type);
        }
        if ((rc = mhs_seen(c, &m, &seen, set->one_of_1_2 && n == 2 ? 1 : n, set->type)) < 0 ||
            (rc = member(c, &m, n, out)) < 0)
            return rc;
    }
    for (size_t i = 0; rc == 0 && i < 2 && set->required[i].missing != NULL; i++)
        if (!(seen & ((uint64_t)1 << set->required[i].tag)))
            return ber_fail(c, t->start, X400MS_EPROTO, set->type, set->required[i].missing);
    return rc;
}

/* ---- lists of OIDs / INTEGERs -------------------------------------------------- */

static int decode_oid_list(struct ber_ctx *c, const struct ber_tlv *outer, unsigned univ,
                           struct ms_oid_list *l, const char *type)
{
    struct ber_tlv in, e;
    struct ber_iter it;
    struct ber_slice oid;
    int rc;

    memset(l, 0, sizeof(*l));
    if ((rc = ber_explicit(c, outer, &in, type)) < 0 || (rc = mhs_enter(c, &in, univ, &it, type)) < 0 ||
        (rc = mhs_seq_from_tlv(c, &in, &l->raw, type, MS_UB_LIST)) < 0)
        return rc;
    while ((rc = ber_next(&it, &e)) == 1) {
        if (e.tag != BER_UNIV(BER_OID))
            return mhs_wrong_tag(c, &e, type);
        if ((rc = ber_get_oid(c, &e, type, &oid)) < 0)
            return rc;
    }
    l->present = true;
    return rc;
}

static int decode_oid_elem(struct ber_ctx *c, const struct ber_tlv *t, void *oid)
{
    return ber_get_oid(c, t, "OBJECT IDENTIFIER", oid);
}

int ms_oid_next(struct mhs_seq_iter *i, struct ber_slice *oid)
{
    return mhs_seq_iter_decode(i, BER_UNIV(BER_OID), "OBJECT IDENTIFIER", decode_oid_elem, oid);
}

static int put_oid_list(struct ber_writer *w, unsigned n, unsigned univ, const struct ms_oid_list *l)
{
    ber_mark_t m, s;

    if (!l->present)
        return w->error;
    m = ber_mark(w);
    s = ber_mark(w);
    if (l->arr) {
        for (uint32_t i = l->n; i-- > 0;)
            ber_put_oid(w, BER_UNIV(BER_OID), l->arr[i]);
    } else {
        mhs_put_slice(w, l->raw.raw);
    }
    ber_wrap(w, s, BER_UNIV(univ), true);
    return ber_wrap(w, m, BER_CTX(n), true);
}

/* inner is the SET/SEQUENCE OF INTEGER itself (caller unwrapped any tag). */
static int decode_int_list(struct ber_ctx *c, const struct ber_tlv *in, unsigned univ,
                           struct ms_int_list *l, const char *type)
{
    struct ber_tlv e;
    struct ber_iter it;
    int64_t v;
    int rc;

    memset(l, 0, sizeof(*l));
    if ((rc = mhs_enter(c, in, univ, &it, type)) < 0 ||
        (rc = mhs_seq_from_tlv(c, in, &l->raw, type, MS_UB_LIST)) < 0)
        return rc;
    while ((rc = ber_next(&it, &e)) == 1) {
        if (e.tag != BER_UNIV(BER_INTEGER))
            return mhs_wrong_tag(c, &e, type);
        if ((rc = ber_get_int64(c, &e, type, &v)) < 0)
            return rc;
    }
    l->present = true;
    return rc;
}

static int decode_int_list_explicit(struct ber_ctx *c, const struct ber_tlv *outer, unsigned univ,
                                    struct ms_int_list *l, const char *type)
{
    struct ber_tlv in;
    int rc = ber_explicit(c, outer, &in, type);

    return rc < 0 ? rc : decode_int_list(c, &in, univ, l, type);
}

static int decode_int_elem(struct ber_ctx *c, const struct ber_tlv *t, void *v)
{
    return ber_get_int64(c, t, "INTEGER", v);
}

int ms_int_next(struct mhs_seq_iter *i, int64_t *v)
{
    return mhs_seq_iter_decode(i, 0, NULL, decode_int_elem, v);
}

static int put_int_list_bare(struct ber_writer *w, unsigned univ, const struct ms_int_list *l)
{
    ber_mark_t s = ber_mark(w);

    if (l->arr) {
        for (uint32_t i = l->n; i-- > 0;)
            ber_put_int64(w, BER_UNIV(BER_INTEGER), l->arr[i]);
    } else {
        mhs_put_slice(w, l->raw.raw);
    }
    return ber_wrap(w, s, BER_UNIV(univ), true);
}

static int put_int_list(struct ber_writer *w, unsigned n, unsigned univ, const struct ms_int_list *l)
{
    ber_mark_t m;

    if (!l->present)
        return w->error;
    m = ber_mark(w);
    put_int_list_bare(w, univ, l);
    return ber_wrap(w, m, BER_CTX(n), true);
}

/* ---- MS-bind (8.1) ----------------------------------------------------------------- */

static int bind_arg_top(struct ber_ctx *c, const struct ber_tlv *t, void *out)
{
    static const char type[] = "MSBindArgument";
    struct ms_bind_arg *a = out;
    struct ber_iter it;
    struct ber_tlv m, in;
    uint64_t seen = 0;
    int rc;

    memset(a, 0, sizeof(*a));
    if ((rc = mhs_enter(c, t, BER_SET, &it, type)) < 0)
        return rc;
    while ((rc = ber_next(&it, &m)) == 1) {
        if (m.tag == BER_APP(0)) {
            if ((rc = mhs_seen(c, &m, &seen, 0, type)) < 0 ||
                (rc = or_name_decode_tlv(c, &m, &a->initiator_name, "MSBindArgument.initiator-name")) < 0)
                return rc;
            continue;
        }
        if (BER_TAG_CLASS(m.tag) != BER_CLASS_CONTEXT || BER_TAG_NUMBER(m.tag) < 2 ||
            BER_TAG_NUMBER(m.tag) > 7)
            continue; /* X.413 1994 made the bind extensible: unknown members ignored */
        if ((rc = mhs_seen(c, &m, &seen, BER_TAG_NUMBER(m.tag), type)) < 0)
            return rc;
        switch (BER_TAG_NUMBER(m.tag)) {
        case 2:
            rc = mts_credentials_decode_tlv(c, &m, &a->credentials, "MSBindArgument.initiator-credentials");
            break;
        case 3: /* [3] IMPLICIT SecurityContext (SET OF SecurityLabel) */
            if (!m.constructed)
                rc = ber_fail(c, m.start, X400MS_EPROTO, "MSBindArgument.security-context",
                              "expected constructed");
            a->security_context = ber_tlv_whole(&m);
            break;
        case 4:
            rc = inner_raw(c, &m, &a->fetch_restrictions, "MSBindArgument.fetch-restrictions");
            break;
        case 5:
            rc = mhs_explicit_bool(c, &m, "MSBindArgument.ms-configuration-request",
                                   &a->ms_configuration_request);
            break;
        case 6:
            if ((rc = mhs_explicit_inner(c, &m, BER_PRINTABLE_STRING, &in,
                                         "MSBindArgument.ua-registration-identifier")) == 0)
                rc = mhs_get_str(c, &in, "MSBindArgument.ua-registration-identifier",
                                 BER_PRINTABLE_STRING, 1, 16, &a->ua_registration_id);
            break;
        default:
            rc = inner_raw(c, &m, &a->bind_extensions, "MSBindArgument.bind-extensions");
            break;
        }
        if (rc < 0)
            return rc;
    }
    if (rc < 0)
        return rc;
    if (!(seen & 1))
        return ber_fail(c, t->start, X400MS_EPROTO, type, "initiator-name missing");
    if (!(seen & 4))
        return ber_fail(c, t->start, X400MS_EPROTO, type, "initiator-credentials missing");
    return 0;
}

int ms_bind_arg_decode(struct ber_slice in, struct ms_bind_arg *a, struct ber_error *err)
{
    return mhs_decode_top(in, err, "MSBindArgument", bind_arg_top, a);
}

int ms_bind_arg_encode(struct ber_writer *w, const struct ms_bind_arg *a)
{
    ber_mark_t m = ber_mark(w), x;

    put_raw_explicit(w, 7, a->bind_extensions);
    if (mhs_str_present(&a->ua_registration_id)) {
        x = ber_mark(w);
        mhs_put_str(w, BER_UNIV(BER_PRINTABLE_STRING), &a->ua_registration_id);
        ber_wrap(w, x, BER_CTX(6), true);
    }
    if (a->ms_configuration_request)
        mhs_put_explicit_bool(w, 5, true);
    put_raw_explicit(w, 4, a->fetch_restrictions);
    if (a->security_context.len)
        mhs_put_slice(w, a->security_context);
    mts_credentials_encode(w, 2, &a->credentials);
    or_name_encode(w, BER_APP(0), &a->initiator_name);
    return ber_wrap(w, m, BER_UNIV(BER_SET), true);
}

static int bind_result_member(struct ber_ctx *c, const struct ber_tlv *m, unsigned n, void *out)
{
    struct ms_bind_result *r = out;

    switch (n) {
    case 2: return mts_credentials_decode_tlv(c, m, &r->credentials, "MSBindResult.responder-credentials");
    case 3: return decode_oid_list(c, m, BER_SET, &r->available_auto_actions, "MSBindResult.available-auto-actions");
    case 4: return decode_oid_list(c, m, BER_SET, &r->available_attribute_types, "MSBindResult.available-attribute-types");
    case 5: return mhs_explicit_bool(c, m, "MSBindResult.alert-indication", &r->alert_indication);
    case 6: return decode_oid_list(c, m, BER_SET, &r->content_types_supported, "MSBindResult.content-types-supported");
    case 7: return decode_int_list_explicit(c, m, BER_SET, &r->entry_classes_supported, "MSBindResult.entry-classes-supported");
    case 8: return decode_oid_list(c, m, BER_SET, &r->matching_rules_supported, "MSBindResult.matching-rules-supported");
    case 9: return inner_raw(c, m, &r->bind_result_extensions, "MSBindResult.bind-result-extensions");
    case 10:
        r->has_message_group_depth = true;
        return mhs_explicit_int(c, m, "MSBindResult.message-group-depth", &r->message_group_depth);
    case 11: return inner_raw(c, m, &r->auto_action_error_indication, "MSBindResult.auto-action-error-indication");
    case 12: return decode_oid_list(c, m, BER_SET, &r->unsupported_extensions, "MSBindResult.unsupported-extensions");
    case 13: return mhs_explicit_bool(c, m, "MSBindResult.ua-registration-id-unknown", &r->ua_registration_id_unknown);
    default: return inner_raw(c, m, &r->service_information, "MSBindResult.service-information");
    }
}

static int bind_result_top(struct ber_ctx *c, const struct ber_tlv *t, void *out)
{
    static const struct ctx_set set = {
        .type = "MSBindResult", .members = 0x7ffc /* [2]..[14] */, .extensible = true,
        .required = { { 2, "responder-credentials missing" } },
    };

    memset(out, 0, sizeof(struct ms_bind_result));
    return decode_ctx_set(c, t, &set, bind_result_member, out);
}

int ms_bind_result_decode(struct ber_slice in, struct ms_bind_result *r, struct ber_error *err)
{
    return mhs_decode_top(in, err, "MSBindResult", bind_result_top, r);
}

int ms_bind_result_encode(struct ber_writer *w, const struct ms_bind_result *r)
{
    ber_mark_t m = ber_mark(w);

    put_raw_explicit(w, 14, r->service_information);
    if (r->ua_registration_id_unknown)
        mhs_put_explicit_bool(w, 13, true);
    put_oid_list(w, 12, BER_SET, &r->unsupported_extensions);
    put_raw_explicit(w, 11, r->auto_action_error_indication);
    if (r->has_message_group_depth)
        mhs_put_explicit_int(w, 10, r->message_group_depth);
    put_raw_explicit(w, 9, r->bind_result_extensions);
    put_oid_list(w, 8, BER_SET, &r->matching_rules_supported);
    put_int_list(w, 7, BER_SET, &r->entry_classes_supported);
    put_oid_list(w, 6, BER_SET, &r->content_types_supported);
    if (r->alert_indication)
        mhs_put_explicit_bool(w, 5, true);
    put_oid_list(w, 4, BER_SET, &r->available_attribute_types);
    put_oid_list(w, 3, BER_SET, &r->available_auto_actions);
    mts_credentials_encode(w, 2, &r->credentials);
    return ber_wrap(w, m, BER_UNIV(BER_SET), true);
}

static int bind_error_top(struct ber_ctx *c, const struct ber_tlv *t, void *out)
{
    static const char type[] = "MSBindError";
    struct ms_bind_error *e = out;
    struct ber_iter it;
    struct ber_tlv m, in;
    int64_t v;
    int rc;

    memset(e, 0, sizeof(*e));
    if (t->tag == BER_UNIV(BER_ENUMERATED)) {
        if ((rc = ber_get_enum(c, t, type, &v)) < 0)
            return rc;
        e->problem = (int)v;
        return 0;
    }
    if ((rc = mhs_enter(c, t, BER_SET, &it, type)) < 0)
        return rc;
    e->qualified = true;
    e->problem = -1;
    while ((rc = ber_next(&it, &m)) == 1) {
        if (m.tag == BER_CTX(0)) {
            if ((rc = mhs_explicit_inner(c, &m, BER_ENUMERATED, &in, "MSBindError.bind-problem")) < 0 ||
                (rc = ber_get_enum(c, &in, "MSBindError.bind-problem", &v)) < 0)
                return rc;
            e->problem = (int)v;
        } else if (m.tag == BER_CTX(1)) {
            if ((rc = mhs_explicit_inner(c, &m, BER_GENERAL_STRING, &in,
                                         "MSBindError.supplementary-information")) < 0)
                return rc;
            e->supplementary_information = ber_tlv_contents(&in);
        } else if (m.tag == BER_CTX(2)) {
            if ((rc = inner_raw(c, &m, &e->bind_extension_errors, "MSBindError.bind-extension-errors")) < 0)
                return rc;
        } else {
            return mhs_unexpected(c, &m, type);
        }
    }
    if (rc == 0 && e->problem < 0)
        return ber_fail(c, t->start, X400MS_EPROTO, type, "bind-problem missing");
    return rc;
}

int ms_bind_error_decode(struct ber_slice in, struct ms_bind_error *e, struct ber_error *err)
{
    return mhs_decode_top(in, err, "MSBindError", bind_error_top, e);
}

int ms_bind_error_encode(struct ber_writer *w, const struct ms_bind_error *e)
{
    ber_mark_t m = ber_mark(w), x;

    if (!e->qualified)
        return ber_put_enum(w, BER_UNIV(BER_ENUMERATED), e->problem);
    put_raw_explicit(w, 2, e->bind_extension_errors);
    if (e->supplementary_information.len) {
        x = ber_mark(w);
        ber_put_octets(w, BER_UNIV(BER_GENERAL_STRING), e->supplementary_information.ptr,
                       e->supplementary_information.len);
        ber_wrap(w, x, BER_CTX(1), true);
    }
    x = ber_mark(w);
    ber_put_enum(w, BER_UNIV(BER_ENUMERATED), e->problem);
    ber_wrap(w, x, BER_CTX(0), true);
    return ber_wrap(w, m, BER_UNIV(BER_SET), true);
}

/* ---- Filter (8.2.1.1.1.3) --------------------------------------------------------- */

static int decode_filter_level(struct ber_ctx *c, const struct ber_tlv *t, struct ms_filter *f,
                               const char *type);

/* Validates a whole Filter tree, depth bounded. */
static int check_filter(struct ber_ctx *c, const struct ber_tlv *t, unsigned depth)
{
    static const char type[] = "Filter";
    struct ms_filter f;
    struct ber_iter it;
    struct ber_tlv e;
    int rc;

    if (depth > MS_FILTER_MAX_DEPTH)
        return ber_fail(c, t->start, X400MS_ELIMIT, type, "filter nested too deep");
    if ((rc = decode_filter_level(c, t, &f, type)) < 0)
        return rc;
    if (f.kind == MS_FILTER_AND || f.kind == MS_FILTER_OR) {
        struct ber_tlv in;

        if ((rc = ber_explicit(c, t, &in, type)) < 0 || (rc = ber_enter(c, &in, &it, type)) < 0)
            return rc;
        while ((rc = ber_next(&it, &e)) == 1)
            if ((rc = check_filter(c, &e, depth + 1)) < 0)
                return rc;
        return rc;
    }
    if (f.kind == MS_FILTER_NOT) {
        struct ber_tlv in;

        if ((rc = ber_explicit(c, t, &in, type)) < 0)
            return rc;
        return check_filter(c, &in, depth + 1);
    }
    return 0;
}

static int decode_ava(struct ber_ctx *c, const struct ber_tlv *t, struct ms_filter *f,
                      const char *type)
{
    struct ber_iter it;
    struct ber_tlv m;
    int rc;

    if ((rc = mhs_enter(c, t, BER_SEQUENCE, &it, type)) < 0 ||
        (rc = ber_expect(&it, BER_UNIV(BER_OID), &m, type)) < 0 ||
        (rc = ber_get_oid(c, &m, type, &f->type)) < 0 || (rc = ber_next(&it, &m)) < 0)
        return rc;
    if (rc == 0)
        return ber_fail(c, t->start, X400MS_EPROTO, type, "attribute-value missing");
    f->value = ber_tlv_whole(&m);
    return ber_end(&it, type);
}

static int decode_filter_item(struct ber_ctx *c, const struct ber_tlv *t, struct ms_filter *f)
{
    static const char type[] = "FilterItem";
    struct ber_tlv in, m;
    struct ber_iter it, sit;
    int rc;

    if (BER_TAG_CLASS(t->tag) != BER_CLASS_CONTEXT || BER_TAG_NUMBER(t->tag) > 6)
        return mhs_wrong_tag(c, t, type);
    f->item = (enum ms_filter_item_kind)BER_TAG_NUMBER(t->tag);
    if ((rc = ber_explicit(c, t, &in, type)) < 0)
        return rc;
    switch (f->item) {
    case MS_FI_PRESENT:
        if (in.tag != BER_UNIV(BER_OID))
            return mhs_wrong_tag(c, &in, "FilterItem.present");
        return ber_get_oid(c, &in, "FilterItem.present", &f->type);
    case MS_FI_SUBSTRINGS:
        if ((rc = mhs_enter(c, &in, BER_SEQUENCE, &it, "FilterItem.substrings")) < 0 ||
            (rc = ber_expect(&it, BER_UNIV(BER_OID), &m, "FilterItem.substrings.type")) < 0 ||
            (rc = ber_get_oid(c, &m, "FilterItem.substrings.type", &f->type)) < 0 ||
            (rc = ber_expect(&it, BER_UNIV(BER_SEQUENCE), &m, "FilterItem.substrings.strings")) < 0 ||
            (rc = mhs_seq_from_tlv(c, &m, &f->substrings, "FilterItem.substrings.strings", MS_UB_LIST)) < 0 ||
            (rc = ber_enter(c, &m, &sit, "FilterItem.substrings.strings")) < 0)
            return rc;
        while ((rc = ber_next(&sit, &m)) == 1) {
            struct ber_tlv v;

            if (m.tag != BER_CTX(0) && m.tag != BER_CTX(1) && m.tag != BER_CTX(2))
                return mhs_wrong_tag(c, &m, "FilterItem.substrings.strings");
            if ((rc = ber_explicit(c, &m, &v, "FilterItem.substrings.strings")) < 0)
                return rc;
        }
        return rc < 0 ? rc : ber_end(&it, "FilterItem.substrings");
    case MS_FI_OTHER_MATCH: {
        struct ber_tlv v;

        if ((rc = mhs_enter(c, &in, BER_SEQUENCE, &it, "MatchingRuleAssertion")) < 0 ||
            (rc = ber_expect(&it, BER_CTX(0), &m, "MatchingRuleAssertion.matching-rule")) < 0 ||
            (rc = mhs_explicit_inner(c, &m, BER_OID, &v, "MatchingRuleAssertion.matching-rule")) < 0 ||
            (rc = ber_get_oid(c, &v, "MatchingRuleAssertion.matching-rule", &f->matching_rule)) < 0 ||
            (rc = ber_expect(&it, BER_CTX(1), &m, "MatchingRuleAssertion.attribute-type")) < 0 ||
            (rc = mhs_explicit_inner(c, &m, BER_OID, &v, "MatchingRuleAssertion.attribute-type")) < 0 ||
            (rc = ber_get_oid(c, &v, "MatchingRuleAssertion.attribute-type", &f->type)) < 0 ||
            (rc = ber_expect(&it, BER_CTX(2), &m, "MatchingRuleAssertion.match-value")) < 0 ||
            (rc = ber_explicit(c, &m, &v, "MatchingRuleAssertion.match-value")) < 0)
            return rc;
        f->value = ber_tlv_whole(&v);
        return ber_end(&it, "MatchingRuleAssertion");
    }
    default:
        return decode_ava(c, &in, f, "AttributeValueAssertion");
    }
}

static int decode_filter_level(struct ber_ctx *c, const struct ber_tlv *t, struct ms_filter *f,
                               const char *type)
{
    struct ber_tlv in;
    int rc;

    memset(f, 0, sizeof(*f));
    if (BER_TAG_CLASS(t->tag) != BER_CLASS_CONTEXT || BER_TAG_NUMBER(t->tag) > 3)
        return mhs_wrong_tag(c, t, type);
    f->kind = (enum ms_filter_kind)BER_TAG_NUMBER(t->tag);
    if ((rc = ber_explicit(c, t, &in, type)) < 0)
        return rc;
    switch (f->kind) {
    case MS_FILTER_ITEM:
        return decode_filter_item(c, &in, f);
    case MS_FILTER_AND:
    case MS_FILTER_OR:
        if (in.tag != BER_UNIV(BER_SET))
            return mhs_wrong_tag(c, &in, type);
        return mhs_seq_from_tlv(c, &in, &f->subfilters, type, MS_UB_LIST);
    default:
        f->sub = ber_tlv_whole(&in);
        return 0;
    }
}

static int filter_top(struct ber_ctx *c, const struct ber_tlv *t, void *out)
{
    return decode_filter_level(c, t, out, "Filter");
}

int ms_filter_decode(struct ber_slice filter_tlv, struct ms_filter *f, struct ber_error *err)
{
    return mhs_decode_top(filter_tlv, err, "Filter", filter_top, f);
}

/* ---- Selector (8.2.1.1.1.2) ------------------------------------------------------------ */

static int decode_range(struct ber_ctx *c, const struct ber_tlv *outer, struct ms_selector *s)
{
    static const char type[] = "Range";
    struct ber_tlv in, m, v;
    struct ber_iter it;
    int rc;

    if ((rc = ber_explicit(c, outer, &in, type)) < 0)
        return rc;
    if (in.tag != BER_CTX(0) && in.tag != BER_CTX(1))
        return mhs_wrong_tag(c, &in, type);
    s->range = in.tag == BER_CTX(0) ? MS_RANGE_SEQUENCE_NUMBER : MS_RANGE_CREATION_TIME;
    if ((rc = ber_explicit(c, &in, &v, type)) < 0 || (rc = mhs_enter(c, &v, BER_SEQUENCE, &it, type)) < 0)
        return rc;
    while ((rc = ber_next(&it, &m)) == 1) {
        bool from = m.tag == BER_CTX(0);

        if (m.tag != BER_CTX(0) && m.tag != BER_CTX(1))
            return mhs_unexpected(c, &m, type);
        if ((from && s->has_from) || (!from && s->has_to))
            return ber_fail(c, m.start, X400MS_EPROTO, type, "member appears twice");
        if (s->range == MS_RANGE_SEQUENCE_NUMBER) {
            rc = get_seqnum(c, &m, "Range.sequence-number-range", from ? &s->from_seq : &s->to_seq);
        } else {
            struct ber_tlv tv;

            if ((rc = mhs_explicit_inner(c, &m, BER_UTC_TIME, &tv, "Range.creation-time-range")) == 0)
                rc = mhs_get_time(c, &tv, "Range.creation-time-range", from ? &s->from_time : &s->to_time);
        }
        if (rc < 0)
            return rc;
        if (from)
            s->has_from = true;
        else
            s->has_to = true;
    }
    return rc;
}

/* outer is the explicit tag holding the Selector SET. */
static int decode_selector(struct ber_ctx *c, const struct ber_tlv *outer, struct ms_selector *s)
{
    static const char type[] = "Selector";
    struct ber_tlv in, m, f;
    struct ber_iter it;
    uint64_t seen = 0;
    int rc;

    memset(s, 0, sizeof(*s));
    if ((rc = ber_explicit(c, outer, &in, type)) < 0 || (rc = mhs_enter(c, &in, BER_SET, &it, type)) < 0)
        return rc;
    while ((rc = ber_next(&it, &m)) == 1) {
        if (BER_TAG_CLASS(m.tag) != BER_CLASS_CONTEXT || BER_TAG_NUMBER(m.tag) > 4)
            return mhs_unexpected(c, &m, type);
        if ((rc = mhs_seen(c, &m, &seen, BER_TAG_NUMBER(m.tag), type)) < 0)
            return rc;
        switch (BER_TAG_NUMBER(m.tag)) {
        case 0: rc = mhs_explicit_bool(c, &m, "Selector.child-entries", &s->child_entries); break;
        case 1: rc = decode_range(c, &m, s); break;
        case 2:
            if ((rc = ber_explicit(c, &m, &f, "Selector.filter")) == 0 &&
                (rc = check_filter(c, &f, 0)) == 0)
                s->filter = ber_tlv_whole(&f);
            break;
        case 3:
            rc = mhs_explicit_int(c, &m, "Selector.limit", &s->limit);
            if (rc == 0 && (s->limit < 1 || s->limit > MS_UB_MESSAGES))
                rc = ber_fail(c, m.start, X400MS_EPROTO, "Selector.limit", "out of range");
            s->has_limit = true;
            break;
        default:
            if ((rc = mhs_explicit_inner(c, &m, BER_BIT_STRING, &f, "Selector.override")) == 0)
                rc = ber_get_bits_u32(c, &f, "Selector.override", &s->override);
            s->has_override = true;
            break;
        }
        if (rc < 0)
            return rc;
    }
    return rc;
}

int ms_selector_encode(struct ber_writer *w, const struct ms_selector *s)
{
    ber_mark_t m = ber_mark(w), x, r;

    if (s->has_override) {
        x = ber_mark(w);
        ber_put_bits_u32(w, BER_UNIV(BER_BIT_STRING), s->override);
        ber_wrap(w, x, BER_CTX(4), true);
    }
    if (s->has_limit)
        mhs_put_explicit_int(w, 3, s->limit);
    put_raw_explicit(w, 2, s->filter);
    if (s->range != MS_RANGE_NONE) {
        r = ber_mark(w);
        x = ber_mark(w);
        if (s->range == MS_RANGE_SEQUENCE_NUMBER) {
            if (s->has_to)
                mhs_put_explicit_int(w, 1, s->to_seq);
            if (s->has_from)
                mhs_put_explicit_int(w, 0, s->from_seq);
        } else {
            ber_mark_t y;

            if (s->has_to) {
                y = ber_mark(w);
                mhs_put_time(w, BER_UNIV(BER_UTC_TIME), &s->to_time);
                ber_wrap(w, y, BER_CTX(1), true);
            }
            if (s->has_from) {
                y = ber_mark(w);
                mhs_put_time(w, BER_UNIV(BER_UTC_TIME), &s->from_time);
                ber_wrap(w, y, BER_CTX(0), true);
            }
        }
        ber_wrap(w, x, BER_UNIV(BER_SEQUENCE), true);
        ber_wrap(w, x, BER_CTX(s->range == MS_RANGE_SEQUENCE_NUMBER ? 0 : 1), true);
        ber_wrap(w, r, BER_CTX(1), true);
    }
    if (s->child_entries)
        mhs_put_explicit_bool(w, 0, true);
    return ber_wrap(w, m, BER_UNIV(BER_SET), true);
}

static int put_selector(struct ber_writer *w, unsigned n, const struct ms_selector *s)
{
    ber_mark_t m = ber_mark(w);

    ms_selector_encode(w, s);
    return ber_wrap(w, m, BER_CTX(n), true);
}

/* ---- AttributeSelection, Attribute, EntryInformation ----------------------------------- */

static int decode_attr_selection(struct ber_ctx *c, const struct ber_tlv *t, void *out)
{
    struct ms_attr_selection *s = out;
    static const char type[] = "AttributeSelection";
    struct ber_iter it;
    struct ber_tlv m;
    uint64_t seen = 0;
    int rc;

    memset(s, 0, sizeof(*s));
    if ((rc = mhs_enter(c, t, BER_SET, &it, type)) < 0)
        return rc;
    while ((rc = ber_next(&it, &m)) == 1) {
        if (m.tag == BER_UNIV(BER_OID)) {
            if ((rc = mhs_seen(c, &m, &seen, 0, type)) < 0 ||
                (rc = ber_get_oid(c, &m, "AttributeSelection.type", &s->type)) < 0)
                return rc;
        } else if (m.tag == BER_CTX(0)) {
            if ((rc = mhs_seen(c, &m, &seen, 1, type)) < 0 ||
                (rc = mhs_explicit_int(c, &m, "AttributeSelection.from", &s->from)) < 0)
                return rc;
            s->has_from = true;
        } else if (m.tag == BER_CTX(1)) {
            if ((rc = mhs_seen(c, &m, &seen, 2, type)) < 0 ||
                (rc = mhs_explicit_int(c, &m, "AttributeSelection.count", &s->count)) < 0)
                return rc;
            s->has_count = true;
        } else {
            return mhs_unexpected(c, &m, type);
        }
    }
    if (rc == 0 && !(seen & 1))
        return ber_fail(c, t->start, X400MS_EPROTO, type, "type missing");
    return rc;
}

int ms_attr_selection_next(struct mhs_seq_iter *i, struct ms_attr_selection *s)
{
    return mhs_seq_iter_decode(i, 0, NULL, decode_attr_selection, s);
}

int ms_attr_selection_encode(struct ber_writer *w, const struct ms_attr_selection *s)
{
    ber_mark_t m = ber_mark(w);

    if (s->has_count)
        mhs_put_explicit_int(w, 1, s->count);
    if (s->has_from)
        mhs_put_explicit_int(w, 0, s->from);
    ber_put_oid(w, BER_UNIV(BER_OID), s->type);
    return ber_wrap(w, m, BER_UNIV(BER_SET), true);
}

/* EntryInformationSelection ::= SET OF AttributeSelection, inside explicit [n]. */
static int decode_selection_list(struct ber_ctx *c, const struct ber_tlv *outer, struct mhs_seq *s,
                                 const char *type)
{
    struct ber_tlv in, e;
    struct ber_iter it;
    struct ms_attr_selection sel;
    int rc;

    if ((rc = ber_explicit(c, outer, &in, type)) < 0 || (rc = mhs_enter(c, &in, BER_SET, &it, type)) < 0 ||
        (rc = mhs_seq_from_tlv(c, &in, s, type, MS_UB_LIST)) < 0)
        return rc;
    while ((rc = ber_next(&it, &e)) == 1)
        if ((rc = decode_attr_selection(c, &e, &sel)) < 0)
            return rc;
    return rc;
}

static int put_selection_list(struct ber_writer *w, unsigned n, const struct mhs_seq *raw,
                              const struct ms_attr_selection *arr, uint32_t count)
{
    ber_mark_t m = ber_mark(w), s = ber_mark(w);

    if (arr) {
        for (uint32_t i = count; i-- > 0;)
            ms_attr_selection_encode(w, &arr[i]);
    } else {
        mhs_put_slice(w, raw->raw);
    }
    ber_wrap(w, s, BER_UNIV(BER_SET), true);
    return ber_wrap(w, m, BER_CTX(n), true);
}

static int decode_attribute(struct ber_ctx *c, const struct ber_tlv *t, void *out)
{
    struct ms_attribute *a = out;
    static const char type[] = "Attribute";
    struct ber_iter it;
    struct ber_tlv m;
    int rc;

    memset(a, 0, sizeof(*a));
    if ((rc = mhs_enter(c, t, BER_SEQUENCE, &it, type)) < 0 ||
        (rc = ber_expect(&it, BER_UNIV(BER_OID), &m, "Attribute.attribute-type")) < 0 ||
        (rc = ber_get_oid(c, &m, "Attribute.attribute-type", &a->type)) < 0 ||
        (rc = ber_expect(&it, BER_UNIV(BER_SEQUENCE), &m, "Attribute.attribute-values")) < 0 ||
        (rc = mhs_seq_from_tlv(c, &m, &a->values, "Attribute.attribute-values", MS_UB_LIST)) < 0)
        return rc;
    if (a->values.count == 0)
        return ber_fail(c, m.start, X400MS_EPROTO, "Attribute.attribute-values", "no values");
    return ber_end(&it, type);
}

int ms_attribute_next(struct mhs_seq_iter *i, struct ms_attribute *a)
{
    return mhs_seq_iter_decode(i, 0, NULL, decode_attribute, a);
}

int ms_attribute_encode(struct ber_writer *w, const struct ms_attribute *a)
{
    ber_mark_t m = ber_mark(w), v = ber_mark(w);

    if (a->value_array) {
        for (uint32_t i = a->n_value_array; i-- > 0;)
            mhs_put_slice(w, a->value_array[i]);
    } else {
        mhs_put_slice(w, a->values.raw);
    }
    ber_wrap(w, v, BER_UNIV(BER_SEQUENCE), true);
    ber_put_oid(w, BER_UNIV(BER_OID), a->type);
    return ber_wrap(w, m, BER_UNIV(BER_SEQUENCE), true);
}

int ms_entry_info_decode_tlv(struct ber_ctx *c, const struct ber_tlv *t, struct ms_entry_info *e)
{
    static const char type[] = "EntryInformation";
    struct ber_iter it;
    struct ber_tlv m;
    int rc;

    memset(e, 0, sizeof(*e));
    if ((rc = mhs_enter(c, t, BER_SEQUENCE, &it, type)) < 0 ||
        (rc = ber_expect(&it, BER_UNIV(BER_INTEGER), &m, "EntryInformation.sequence-number")) < 0 ||
        (rc = ber_get_int64(c, &m, "EntryInformation.sequence-number", &e->sequence_number)) < 0)
        return rc;
    if (e->sequence_number < 0 || e->sequence_number > MS_UB_MESSAGES)
        return ber_fail(c, m.start, X400MS_EPROTO, "EntryInformation.sequence-number", "out of range");
    if ((rc = ber_optional(&it, BER_UNIV(BER_SET), &m)) < 0)
        return rc;
    if (rc == 1) {
        /* Attributes are checked when iterated (ms_attribute_next), like
         * the entries of a ListResult: one header pass here. */
        e->has_attributes = true;
        if ((rc = mhs_seq_from_tlv(c, &m, &e->attributes, "EntryInformation.attributes", MS_UB_LIST)) < 0)
            return rc;
    }
    if ((rc = ber_optional(&it, BER_CTX(0), &m)) < 0)
        return rc;
    if (rc == 1 && (rc = inner_raw(c, &m, &e->value_count_exceeded, "EntryInformation.value-count-exceeded")) < 0)
        return rc;
    return ber_end(&it, type);
}

static int entry_info_elem(struct ber_ctx *c, const struct ber_tlv *t, void *e)
{
    return ms_entry_info_decode_tlv(c, t, e);
}

int ms_entry_info_next(struct mhs_seq_iter *i, struct ms_entry_info *e)
{
    return mhs_seq_iter_decode(i, 0, NULL, entry_info_elem, e);
}

int ms_entry_info_encode(struct ber_writer *w, const struct ms_entry_info *e)
{
    ber_mark_t m = ber_mark(w);

    put_raw_explicit(w, 0, e->value_count_exceeded);
    if (e->has_attributes) {
        ber_mark_t s = ber_mark(w);

        if (e->attribute_array) {
            for (uint32_t i = e->n_attribute_array; i-- > 0;)
                ms_attribute_encode(w, &e->attribute_array[i]);
        } else {
            mhs_put_slice(w, e->attributes.raw);
        }
        ber_wrap(w, s, BER_UNIV(BER_SET), true);
    }
    ber_put_int64(w, BER_UNIV(BER_INTEGER), e->sequence_number);
    return ber_wrap(w, m, BER_UNIV(BER_SEQUENCE), true);
}

/* ---- entry-class, shared by the arguments ------------------------------------------------ */

static int decode_entry_class(struct ber_ctx *c, const struct ber_tlv *m, int64_t *ec, const char *type)
{
    int rc = mhs_explicit_int(c, m, type, ec);

    if (rc == 0 && (*ec < 0 || *ec > 1024))
        return ber_fail(c, m->start, X400MS_EPROTO, type, "entry class out of range");
    return rc;
}

static int put_entry_class(struct ber_writer *w, int64_t ec)
{
    return ec != MS_EC_DELIVERY ? mhs_put_explicit_int(w, 0, ec) : w->error; /* DEFAULT delivery */
}

/* ---- Summarize (8.2.3) ---------------------------------------------------------------- */

static int summarize_arg_member(struct ber_ctx *c, const struct ber_tlv *m, unsigned n, void *out)
{
    struct ms_summarize_arg *a = out;

    switch (n) {
    case 0: return decode_entry_class(c, m, &a->entry_class, "SummarizeArgument.entry-class");
    case 1: return decode_selector(c, m, &a->selector);
    case 2: return decode_oid_list(c, m, BER_SEQUENCE, &a->summary_requests, "SummarizeArgument.summary-requests");
    default: return inner_raw(c, m, &a->extensions, "SummarizeArgument.summarize-extensions");
    }
}

static int summarize_arg_top(struct ber_ctx *c, const struct ber_tlv *t, void *out)
{
    static const struct ctx_set set = {
        .type = "SummarizeArgument", .members = 0xf, .required = { { 1, "selector missing" } },
    };

    memset(out, 0, sizeof(struct ms_summarize_arg));
    return decode_ctx_set(c, t, &set, summarize_arg_member, out);
}

int ms_summarize_arg_decode(struct ber_slice in, struct ms_summarize_arg *a, struct ber_error *err)
{
    return mhs_decode_top(in, err, "SummarizeArgument", summarize_arg_top, a);
}

int ms_summarize_arg_encode(struct ber_writer *w, const struct ms_summarize_arg *a)
{
    ber_mark_t m = ber_mark(w);

    put_raw_explicit(w, 3, a->extensions);
    put_oid_list(w, 2, BER_SEQUENCE, &a->summary_requests);
    put_selector(w, 1, &a->selector);
    put_entry_class(w, a->entry_class);
    return ber_wrap(w, m, BER_UNIV(BER_SET), true);
}

static int summarize_result_member(struct ber_ctx *c, const struct ber_tlv *m, unsigned n, void *out)
{
    struct ms_summarize_result *r = out;
    struct ber_iter si;
    struct ber_tlv in, s;
    int rc;

    switch (n) {
    case 0: r->has_next = true; return get_seqnum(c, m, "SummarizeResult.next", &r->next);
    case 1: return mhs_explicit_int(c, m, "SummarizeResult.count", &r->count);
    case 2:
        r->has_span = true;
        if ((rc = ber_explicit(c, m, &in, "SummarizeResult.span")) < 0 ||
            (rc = mhs_enter(c, &in, BER_SEQUENCE, &si, "Span")) < 0 ||
            (rc = ber_expect(&si, BER_CTX(0), &s, "Span.lowest")) < 0 ||
            (rc = get_seqnum(c, &s, "Span.lowest", &r->lowest)) < 0 ||
            (rc = ber_expect(&si, BER_CTX(1), &s, "Span.highest")) < 0 ||
            (rc = get_seqnum(c, &s, "Span.highest", &r->highest)) < 0)
            return rc;
        return ber_end(&si, "Span");
    case 3: return inner_raw(c, m, &r->summaries, "SummarizeResult.summaries");
    default: return inner_raw(c, m, &r->extensions, "SummarizeResult.summarize-result-extensions");
    }
}

static int summarize_result_top(struct ber_ctx *c, const struct ber_tlv *t, void *out)
{
    static const struct ctx_set set = {
        .type = "SummarizeResult", .members = 0x1f, .required = { { 1, "count missing" } },
    };

    memset(out, 0, sizeof(struct ms_summarize_result));
    return decode_ctx_set(c, t, &set, summarize_result_member, out);
}

int ms_summarize_result_decode(struct ber_slice in, struct ms_summarize_result *r, struct ber_error *err)
{
    return mhs_decode_top(in, err, "SummarizeResult", summarize_result_top, r);
}

int ms_summarize_result_encode(struct ber_writer *w, const struct ms_summarize_result *r)
{
    ber_mark_t m = ber_mark(w);

    put_raw_explicit(w, 4, r->extensions);
    put_raw_explicit(w, 3, r->summaries);
    if (r->has_span) {
        ber_mark_t x = ber_mark(w);

        mhs_put_explicit_int(w, 1, r->highest);
        mhs_put_explicit_int(w, 0, r->lowest);
        ber_wrap(w, x, BER_UNIV(BER_SEQUENCE), true);
        ber_wrap(w, x, BER_CTX(2), true);
    }
    mhs_put_explicit_int(w, 1, r->count);
    if (r->has_next)
        mhs_put_explicit_int(w, 0, r->next);
    return ber_wrap(w, m, BER_UNIV(BER_SET), true);
}

/* ---- List (8.2.4) ------------------------------------------------------------------------- */

static int list_arg_member(struct ber_ctx *c, const struct ber_tlv *m, unsigned n, void *out)
{
    struct ms_list_arg *a = out;

    switch (n) {
    case 0: return decode_entry_class(c, m, &a->entry_class, "ListArgument.entry-class");
    case 1: return decode_selector(c, m, &a->selector);
    case 3:
        a->has_requested_attributes = true;
        return decode_selection_list(c, m, &a->requested_attributes, "ListArgument.requested-attributes");
    default: return inner_raw(c, m, &a->extensions, "ListArgument.list-extensions");
    }
}

static int list_arg_top(struct ber_ctx *c, const struct ber_tlv *t, void *out)
{
    static const struct ctx_set set = {
        .type = "ListArgument", .members = 0x1b /* [0] [1] [3] [4] */, .required = { { 1, "selector missing" } },
    };

    memset(out, 0, sizeof(struct ms_list_arg));
    return decode_ctx_set(c, t, &set, list_arg_member, out);
}

int ms_list_arg_decode(struct ber_slice in, struct ms_list_arg *a, struct ber_error *err)
{
    return mhs_decode_top(in, err, "ListArgument", list_arg_top, a);
}

int ms_list_arg_encode(struct ber_writer *w, const struct ms_list_arg *a)
{
    ber_mark_t m = ber_mark(w);

    put_raw_explicit(w, 4, a->extensions);
    if (a->has_requested_attributes || a->requested_array)
        put_selection_list(w, 3, &a->requested_attributes, a->requested_array, a->n_requested_array);
    put_selector(w, 1, &a->selector);
    put_entry_class(w, a->entry_class);
    return ber_wrap(w, m, BER_UNIV(BER_SET), true);
}

static int decode_entry_list(struct ber_ctx *c, const struct ber_tlv *outer, struct mhs_seq *s,
                             const char *type)
{
    struct ber_tlv in;
    int rc;

    if ((rc = ber_explicit(c, outer, &in, type)) < 0)
        return rc;
    if (in.tag != BER_UNIV(BER_SEQUENCE))
        return mhs_wrong_tag(c, &in, type);
    /* Entries are validated when iterated (ms_entry_info_next): a ListResult
     * of thousands of entries is decoded in one pass over the headers. */
    return mhs_seq_from_tlv(c, &in, s, type, MS_UB_LIST);
}

static int list_result_member(struct ber_ctx *c, const struct ber_tlv *m, unsigned n, void *out)
{
    struct ms_list_result *r = out;

    switch (n) {
    case 0: r->has_next = true; return get_seqnum(c, m, "ListResult.next", &r->next);
    case 1:
        r->has_requested = true;
        return decode_entry_list(c, m, &r->requested, "ListResult.requested");
    default: return inner_raw(c, m, &r->extensions, "ListResult.list-result-extensions");
    }
}

static int list_result_top(struct ber_ctx *c, const struct ber_tlv *t, void *out)
{
    static const struct ctx_set set = { .type = "ListResult", .members = 0x7 };

    memset(out, 0, sizeof(struct ms_list_result));
    return decode_ctx_set(c, t, &set, list_result_member, out);
}

int ms_list_result_decode(struct ber_slice in, struct ms_list_result *r, struct ber_error *err)
{
    return mhs_decode_top(in, err, "ListResult", list_result_top, r);
}

static int put_entry_list(struct ber_writer *w, unsigned n, const struct mhs_seq *raw,
                          const struct ms_entry_info *arr, uint32_t count)
{
    ber_mark_t m = ber_mark(w), s = ber_mark(w);

    if (arr) {
        for (uint32_t i = count; i-- > 0;)
            ms_entry_info_encode(w, &arr[i]);
    } else {
        mhs_put_slice(w, raw->raw);
    }
    ber_wrap(w, s, BER_UNIV(BER_SEQUENCE), true);
    return ber_wrap(w, m, BER_CTX(n), true);
}

int ms_list_result_encode(struct ber_writer *w, const struct ms_list_result *r)
{
    ber_mark_t m = ber_mark(w);

    put_raw_explicit(w, 2, r->extensions);
    if (r->requested_array ? r->n_requested_array > 0 : r->has_requested)
        put_entry_list(w, 1, &r->requested, r->requested_array, r->n_requested_array);
    if (r->has_next)
        mhs_put_explicit_int(w, 0, r->next);
    return ber_wrap(w, m, BER_UNIV(BER_SET), true);
}

/* ---- Fetch (8.2.5) ------------------------------------------------------------------------ */

static int fetch_arg_member(struct ber_ctx *c, const struct ber_tlv *m, unsigned n, void *out)
{
    struct ms_fetch_arg *a = out;

    switch (n) {
    case 0: return decode_entry_class(c, m, &a->entry_class, "FetchArgument.entry-class");
    case 1: return decode_selector(c, m, &a->search);
    case 2:
        a->precise = true;
        return get_seqnum(c, m, "FetchArgument.item.precise", &a->sequence_number);
    case 3:
        a->has_requested_attributes = true;
        return decode_selection_list(c, m, &a->requested_attributes, "FetchArgument.requested-attributes");
    default: return inner_raw(c, m, &a->extensions, "FetchArgument.fetch-extensions");
    }
}

static int fetch_arg_top(struct ber_ctx *c, const struct ber_tlv *t, void *out)
{
    /* item is a CHOICE of [1] search and [2] precise */
    static const struct ctx_set set = {
        .type = "FetchArgument", .members = 0x1f, .one_of_1_2 = true, .required = { { 1, "item missing" } },
    };

    memset(out, 0, sizeof(struct ms_fetch_arg));
    return decode_ctx_set(c, t, &set, fetch_arg_member, out);
}

int ms_fetch_arg_decode(struct ber_slice in, struct ms_fetch_arg *a, struct ber_error *err)
{
    return mhs_decode_top(in, err, "FetchArgument", fetch_arg_top, a);
}

int ms_fetch_arg_encode(struct ber_writer *w, const struct ms_fetch_arg *a)
{
    ber_mark_t m = ber_mark(w);

    put_raw_explicit(w, 4, a->extensions);
    if (a->has_requested_attributes || a->requested_array)
        put_selection_list(w, 3, &a->requested_attributes, a->requested_array, a->n_requested_array);
    if (a->precise)
        mhs_put_explicit_int(w, 2, a->sequence_number);
    else
        put_selector(w, 1, &a->search);
    put_entry_class(w, a->entry_class);
    return ber_wrap(w, m, BER_UNIV(BER_SET), true);
}

static int fetch_result_member(struct ber_ctx *c, const struct ber_tlv *m, unsigned n, void *out)
{
    struct ms_fetch_result *r = out;
    struct ber_tlv in;
    int rc;

    switch (n) {
    case 0:
        r->has_entry = true;
        if ((rc = ber_explicit(c, m, &in, "FetchResult.entry-information")) == 0)
            rc = ms_entry_info_decode_tlv(c, &in, &r->entry);
        return rc;
    case 1: return decode_int_list_explicit(c, m, BER_SEQUENCE, &r->list, "FetchResult.list");
    case 2: r->has_next = true; return get_seqnum(c, m, "FetchResult.next", &r->next);
    default: return inner_raw(c, m, &r->extensions, "FetchResult.fetch-result-extensions");
    }
}

static int fetch_result_top(struct ber_ctx *c, const struct ber_tlv *t, void *out)
{
    static const struct ctx_set set = { .type = "FetchResult", .members = 0xf };

    memset(out, 0, sizeof(struct ms_fetch_result));
    return decode_ctx_set(c, t, &set, fetch_result_member, out);
}

int ms_fetch_result_decode(struct ber_slice in, struct ms_fetch_result *r, struct ber_error *err)
{
    return mhs_decode_top(in, err, "FetchResult", fetch_result_top, r);
}

int ms_fetch_result_encode(struct ber_writer *w, const struct ms_fetch_result *r)
{
    ber_mark_t m = ber_mark(w);

    put_raw_explicit(w, 3, r->extensions);
    if (r->has_next)
        mhs_put_explicit_int(w, 2, r->next);
    put_int_list(w, 1, BER_SEQUENCE, &r->list);
    if (r->has_entry) {
        ber_mark_t x = ber_mark(w);

        ms_entry_info_encode(w, &r->entry);
        ber_wrap(w, x, BER_CTX(0), true);
    }
    return ber_wrap(w, m, BER_UNIV(BER_SET), true);
}

/* ---- Delete (8.2.6) ----------------------------------------------------------------------- */

static int delete_arg_member(struct ber_ctx *c, const struct ber_tlv *m, unsigned n, void *out)
{
    struct ms_delete_arg *a = out;

    switch (n) {
    case 0: return decode_entry_class(c, m, &a->entry_class, "DeleteArgument.entry-class");
    case 1: a->by_selector = true; return decode_selector(c, m, &a->selector);
    case 2: return decode_int_list_explicit(c, m, BER_SET, &a->sequence_numbers, "DeleteArgument.sequence-numbers");
    default: return inner_raw(c, m, &a->extensions, "DeleteArgument.delete-extensions");
    }
}

static int delete_arg_top(struct ber_ctx *c, const struct ber_tlv *t, void *out)
{
    /* items is a CHOICE of [1] selector and [2] sequence-numbers */
    static const struct ctx_set set = {
        .type = "DeleteArgument", .members = 0xf, .one_of_1_2 = true, .required = { { 1, "items missing" } },
    };

    memset(out, 0, sizeof(struct ms_delete_arg));
    return decode_ctx_set(c, t, &set, delete_arg_member, out);
}

int ms_delete_arg_decode(struct ber_slice in, struct ms_delete_arg *a, struct ber_error *err)
{
    return mhs_decode_top(in, err, "DeleteArgument", delete_arg_top, a);
}

int ms_delete_arg_encode(struct ber_writer *w, const struct ms_delete_arg *a)
{
    ber_mark_t m = ber_mark(w);
    struct ms_int_list l = a->sequence_numbers;

    put_raw_explicit(w, 3, a->extensions);
    if (a->by_selector) {
        put_selector(w, 1, &a->selector);
    } else {
        l.present = true;
        put_int_list(w, 2, BER_SET, &l);
    }
    put_entry_class(w, a->entry_class);
    return ber_wrap(w, m, BER_UNIV(BER_SET), true);
}

static int delete_result_member(struct ber_ctx *c, const struct ber_tlv *m, unsigned n, void *out)
{
    struct ms_delete_result *r = out;

    if (n == 0)
        return decode_int_list_explicit(c, m, BER_SEQUENCE, &r->entries_deleted, "DeleteResult.entries-deleted");
    return inner_raw(c, m, &r->extensions, "DeleteResult.delete-result-extensions");
}

static int delete_result_top(struct ber_ctx *c, const struct ber_tlv *t, void *out)
{
    static const struct ctx_set set = { .type = "DeleteResult", .members = 0x3 };
    struct ms_delete_result *r = out;

    memset(r, 0, sizeof(*r));
    /* X.413 1988 answered NULL; the 1994 SET is told apart by is_94 */
    if (t->tag == BER_UNIV(BER_NULL))
        return ber_get_null(c, t, set.type);
    r->is_94 = t->tag == BER_UNIV(BER_SET);
    return decode_ctx_set(c, t, &set, delete_result_member, out);
}

int ms_delete_result_decode(struct ber_slice in, struct ms_delete_result *r, struct ber_error *err)
{
    return mhs_decode_top(in, err, "DeleteResult", delete_result_top, r);
}

int ms_delete_result_encode(struct ber_writer *w, const struct ms_delete_result *r)
{
    ber_mark_t m = ber_mark(w);

    if (!r->is_94)
        return ber_put_null(w, BER_UNIV(BER_NULL));
    put_raw_explicit(w, 1, r->extensions);
    put_int_list(w, 0, BER_SEQUENCE, &r->entries_deleted);
    return ber_wrap(w, m, BER_UNIV(BER_SET), true);
}

/* ---- Register-MS (8.2.7) --------------------------------------------------------------------- */

static int decode_registration(struct ber_ctx *c, const struct ber_tlv *t, void *out)
{
    struct ms_auto_action_registration *r = out;
    static const char type[] = "AutoActionRegistration";
    struct ber_iter it;
    struct ber_tlv m;
    int rc;

    memset(r, 0, sizeof(*r));
    r->registration_id = 1;
    if ((rc = mhs_enter(c, t, BER_SEQUENCE, &it, type)) < 0 ||
        (rc = ber_expect(&it, BER_UNIV(BER_OID), &m, "AutoActionRegistration.auto-action-type")) < 0 ||
        (rc = ber_get_oid(c, &m, "AutoActionRegistration.auto-action-type", &r->type)) < 0 ||
        (rc = ber_optional(&it, BER_CTX(0), &m)) < 0)
        return rc;
    if (rc == 1 && (rc = mhs_explicit_int(c, &m, "AutoActionRegistration.registration-identifier",
                                          &r->registration_id)) < 0)
        return rc;
    if ((rc = ber_optional(&it, BER_CTX(1), &m)) < 0)
        return rc;
    if (rc == 1 && (rc = inner_raw(c, &m, &r->parameter, "AutoActionRegistration.registration-parameter")) < 0)
        return rc;
    return ber_end(&it, type);
}

int ms_auto_action_registration_next(struct mhs_seq_iter *i, struct ms_auto_action_registration *r)
{
    return mhs_seq_iter_decode(i, 0, NULL, decode_registration, r);
}

int ms_auto_action_registration_encode(struct ber_writer *w, const struct ms_auto_action_registration *r)
{
    ber_mark_t m = ber_mark(w);

    put_raw_explicit(w, 1, r->parameter);
    if (r->registration_id != 1)
        mhs_put_explicit_int(w, 0, r->registration_id);
    ber_put_oid(w, BER_UNIV(BER_OID), r->type);
    return ber_wrap(w, m, BER_UNIV(BER_SEQUENCE), true);
}

/* AutoActionDeregistration: the two fields ms_deregistration_next fills. */
struct deregistration_out {
    struct ber_slice *type_oid;
    int64_t *id;
};

static int decode_deregistration(struct ber_ctx *c, const struct ber_tlv *t, void *out)
{
    static const char type[] = "AutoActionDeregistration";
    struct ber_slice *type_oid = ((struct deregistration_out *)out)->type_oid;
    int64_t *id = ((struct deregistration_out *)out)->id;
    struct ber_iter it;
    struct ber_tlv m;
    int rc;

    *id = 1;
    if ((rc = mhs_enter(c, t, BER_SEQUENCE, &it, type)) < 0 ||
        (rc = ber_expect(&it, BER_UNIV(BER_OID), &m, type)) < 0 ||
        (rc = ber_get_oid(c, &m, type, type_oid)) < 0 || (rc = ber_optional(&it, BER_CTX(0), &m)) < 0)
        return rc;
    if (rc == 1 && (rc = mhs_explicit_int(c, &m, type, id)) < 0)
        return rc;
    return ber_end(&it, type);
}

int ms_deregistration_next(struct mhs_seq_iter *i, struct ber_slice *type, int64_t *registration_id)
{
    struct deregistration_out out = { type, registration_id };

    return mhs_seq_iter_decode(i, 0, NULL, decode_deregistration, &out);
}

static int decode_change_credentials(struct ber_ctx *c, const struct ber_tlv *outer,
                                     struct ms_register_arg *a)
{
    static const char type[] = "Register-MSArgument.change-credentials";
    struct ber_iter it;
    struct ber_tlv in, m;
    int rc;

    if ((rc = ber_explicit(c, outer, &in, type)) < 0 || (rc = mhs_enter(c, &in, BER_SEQUENCE, &it, type)) < 0 ||
        (rc = ber_expect(&it, BER_CTX(0), &m, "change-credentials.old-credentials")) < 0 ||
        (rc = mts_credentials_decode_tlv(c, &m, &a->old_credentials, "change-credentials.old-credentials")) < 0 ||
        (rc = ber_expect(&it, BER_CTX(1), &m, "change-credentials.new-credentials")) < 0 ||
        (rc = mts_credentials_decode_tlv(c, &m, &a->new_credentials, "change-credentials.new-credentials")) < 0)
        return rc;
    a->has_change_credentials = true;
    return ber_end(&it, type);
}

static int register_arg_member(struct ber_ctx *c, const struct ber_tlv *m, unsigned n, void *out)
{
    static const char type[] = "Register-MSArgument";
    struct ms_register_arg *a = out;
    struct ber_iter ri;
    struct ber_tlv in, e;
    int rc;

    switch (n) {
    case 0:
    case 1:
        if ((rc = ber_explicit(c, m, &in, type)) < 0 || (rc = mhs_enter(c, &in, BER_SET, &ri, type)) < 0 ||
            (rc = mhs_seq_from_tlv(c, &in, n == 0 ? &a->registrations : &a->deregistrations, type,
                                   MS_UB_LIST)) < 0)
            return rc;
        while ((rc = ber_next(&ri, &e)) == 1) {
            struct ms_auto_action_registration r;
            int64_t id;
            struct deregistration_out d = { &r.type, &id };

            rc = n == 0 ? decode_registration(c, &e, &r) : decode_deregistration(c, &e, &d);
            if (rc < 0)
                return rc;
        }
        if (n == 0)
            a->has_registrations = true;
        else
            a->has_deregistrations = true;
        return rc;
    case 2: return decode_oid_list(c, m, BER_SET, &a->list_attribute_defaults, "Register-MSArgument.list-attribute-defaults");
    case 3: return decode_oid_list(c, m, BER_SET, &a->fetch_attribute_defaults, "Register-MSArgument.fetch-attribute-defaults");
    case 4: return decode_change_credentials(c, m, a);
    case 5: return inner_raw(c, m, &a->user_security_labels, "Register-MSArgument.user-security-labels");
    case 6: return inner_raw(c, m, &a->ua_registrations, "Register-MSArgument.ua-registrations");
    case 7: return inner_raw(c, m, &a->submission_defaults, "Register-MSArgument.submission-defaults");
    case 8: return inner_raw(c, m, &a->message_group_registrations, "Register-MSArgument.message-group-registrations");
    case 9: return inner_raw(c, m, &a->registration_status_request, "Register-MSArgument.registration-status-request");
    default: return inner_raw(c, m, &a->extensions, "Register-MSArgument.register-ms-extensions");
    }
}

static int register_arg_top(struct ber_ctx *c, const struct ber_tlv *t, void *out)
{
    static const struct ctx_set set = { .type = "Register-MSArgument", .members = 0x7ff /* [0]..[10] */ };

    memset(out, 0, sizeof(struct ms_register_arg));
    return decode_ctx_set(c, t, &set, register_arg_member, out);
}

int ms_register_arg_decode(struct ber_slice in, struct ms_register_arg *a, struct ber_error *err)
{
    return mhs_decode_top(in, err, "Register-MSArgument", register_arg_top, a);
}

int ms_register_arg_encode(struct ber_writer *w, const struct ms_register_arg *a)
{
    ber_mark_t m = ber_mark(w), x, s;

    put_raw_explicit(w, 10, a->extensions);
    put_raw_explicit(w, 9, a->registration_status_request);
    put_raw_explicit(w, 8, a->message_group_registrations);
    put_raw_explicit(w, 7, a->submission_defaults);
    put_raw_explicit(w, 6, a->ua_registrations);
    put_raw_explicit(w, 5, a->user_security_labels);
    if (a->has_change_credentials) {
        x = ber_mark(w);
        mts_credentials_encode(w, 1, &a->new_credentials);
        mts_credentials_encode(w, 0, &a->old_credentials);
        ber_wrap(w, x, BER_UNIV(BER_SEQUENCE), true);
        ber_wrap(w, x, BER_CTX(4), true);
    }
    put_oid_list(w, 3, BER_SET, &a->fetch_attribute_defaults);
    put_oid_list(w, 2, BER_SET, &a->list_attribute_defaults);
    if (a->has_deregistrations) {
        x = ber_mark(w);
        mhs_put_slice(w, a->deregistrations.raw);
        ber_wrap(w, x, BER_UNIV(BER_SET), true);
        ber_wrap(w, x, BER_CTX(1), true);
    }
    if (a->has_registrations || a->registration_array) {
        x = ber_mark(w);
        s = ber_mark(w);
        if (a->registration_array) {
            for (uint32_t i = a->n_registration_array; i-- > 0;)
                ms_auto_action_registration_encode(w, &a->registration_array[i]);
        } else {
            mhs_put_slice(w, a->registrations.raw);
        }
        ber_wrap(w, s, BER_UNIV(BER_SET), true);
        ber_wrap(w, x, BER_CTX(0), true);
    }
    return ber_wrap(w, m, BER_UNIV(BER_SET), true);
}

static int register_result_top(struct ber_ctx *c, const struct ber_tlv *t, void *out)
{
    struct ms_register_result *r = out;

    memset(r, 0, sizeof(*r));
    if (t->tag == BER_UNIV(BER_NULL))
        return ber_get_null(c, t, "Register-MSResult");
    if (t->tag != BER_UNIV(BER_SET) || !t->constructed)
        return mhs_wrong_tag(c, t, "Register-MSResult");
    r->is_94 = true;
    r->registered_information = ber_tlv_whole(t);
    return 0;
}

int ms_register_result_decode(struct ber_slice in, struct ms_register_result *r, struct ber_error *err)
{
    return mhs_decode_top(in, err, "Register-MSResult", register_result_top, r);
}

int ms_register_result_encode(struct ber_writer *w, const struct ms_register_result *r)
{
    if (!r->is_94)
        return ber_put_null(w, BER_UNIV(BER_NULL));
    return mhs_put_slice(w, r->registered_information);
}

/* ---- Alert (8.2.8) ---------------------------------------------------------------------------- */

static int alert_arg_member(struct ber_ctx *c, const struct ber_tlv *m, unsigned n, void *out)
{
    struct ms_alert_arg *a = out;
    struct ber_tlv in;
    int rc;

    if (n == 0)
        return mhs_explicit_int(c, m, "AlertArgument.alert-registration-identifier", &a->registration_id);
    if ((rc = ber_explicit(c, m, &in, "AlertArgument.new-entry")) < 0 ||
        (rc = ms_entry_info_decode_tlv(c, &in, &a->new_entry)) < 0)
        return rc;
    a->has_new_entry = true;
    return 0;
}

static int alert_arg_top(struct ber_ctx *c, const struct ber_tlv *t, void *out)
{
    static const struct ctx_set set = {
        .type = "AlertArgument", .members = 0x5 /* [0] [2] */,
        .required = { { 0, "alert-registration-identifier missing" } },
    };

    memset(out, 0, sizeof(struct ms_alert_arg));
    return decode_ctx_set(c, t, &set, alert_arg_member, out);
}

int ms_alert_arg_decode(struct ber_slice in, struct ms_alert_arg *a, struct ber_error *err)
{
    return mhs_decode_top(in, err, "AlertArgument", alert_arg_top, a);
}

int ms_alert_arg_encode(struct ber_writer *w, const struct ms_alert_arg *a)
{
    ber_mark_t m = ber_mark(w);

    if (a->has_new_entry) {
        ber_mark_t x = ber_mark(w);

        ms_entry_info_encode(w, &a->new_entry);
        ber_wrap(w, x, BER_CTX(2), true);
    }
    mhs_put_explicit_int(w, 0, a->registration_id);
    return ber_wrap(w, m, BER_UNIV(BER_SET), true);
}

static int null_top(struct ber_ctx *c, const struct ber_tlv *t, void *out)
{
    (void)out;
    if (t->tag != BER_UNIV(BER_NULL))
        return mhs_wrong_tag(c, t, "NULL");
    return ber_get_null(c, t, "NULL");
}

int ms_null_decode(struct ber_slice in, struct ber_error *err)
{
    return mhs_decode_top(in, err, "NULL", null_top, NULL);
}

int ms_null_encode(struct ber_writer *w)
{
    return ber_put_null(w, BER_UNIV(BER_NULL));
}

/* ---- Modify (8.2.9, 1994) ----------------------------------------------------------------------- */

static int decode_modification(struct ber_ctx *c, const struct ber_tlv *t, void *out)
{
    struct ms_modification *md = out;
    static const char type[] = "EntryModification";
    struct ber_iter it;
    struct ber_tlv m, in;
    uint64_t seen = 0;
    int rc;

    memset(md, 0, sizeof(*md));
    if ((rc = mhs_enter(c, t, BER_SET, &it, type)) < 0)
        return rc;
    while ((rc = ber_next(&it, &m)) == 1) {
        unsigned n = BER_TAG_NUMBER(m.tag);

        if (BER_TAG_CLASS(m.tag) != BER_CLASS_CONTEXT || n > 4)
            return mhs_unexpected(c, &m, type);
        if ((rc = mhs_seen(c, &m, &seen, n ? 1 : 0, type)) < 0)
            return rc;
        if (n == 0) {
            rc = mhs_explicit_bool(c, &m, "EntryModification.strict", &md->strict);
        } else {
            md->kind = (enum ms_modification_kind)n;
            if ((rc = ber_explicit(c, &m, &in, type)) < 0)
                return rc;
            if (n == 1)
                rc = decode_attribute(c, &in, &md->attribute);
            else if (n == 2)
                rc = in.tag == BER_UNIV(BER_OID) ? ber_get_oid(c, &in, "EntryModification.remove-attribute", &md->type)
                                                 : mhs_wrong_tag(c, &in, "EntryModification.remove-attribute");
            else if (in.tag != BER_UNIV(BER_SEQUENCE) || !in.constructed)
                rc = mhs_wrong_tag(c, &in, "OrderedAttribute");
            else
                md->ordered_attribute = ber_tlv_whole(&in);
        }
        if (rc < 0)
            return rc;
    }
    if (rc == 0 && !(seen & 2))
        return ber_fail(c, t->start, X400MS_EPROTO, type, "modification missing");
    return rc;
}

int ms_modification_next(struct mhs_seq_iter *i, struct ms_modification *md)
{
    return mhs_seq_iter_decode(i, 0, NULL, decode_modification, md);
}

int ms_modification_encode(struct ber_writer *w, const struct ms_modification *md)
{
    ber_mark_t m = ber_mark(w), x = ber_mark(w);

    switch (md->kind) {
    case MS_MOD_ADD_ATTRIBUTE: ms_attribute_encode(w, &md->attribute); break;
    case MS_MOD_REMOVE_ATTRIBUTE: ber_put_oid(w, BER_UNIV(BER_OID), md->type); break;
    default: mhs_put_slice(w, md->ordered_attribute); break;
    }
    ber_wrap(w, x, BER_CTX(md->kind), true);
    if (md->strict)
        mhs_put_explicit_bool(w, 0, true);
    return ber_wrap(w, m, BER_UNIV(BER_SET), true);
}

static int modify_arg_member(struct ber_ctx *c, const struct ber_tlv *m, unsigned n, void *out)
{
    struct ms_modify_arg *a = out;
    struct ber_iter mi;
    struct ber_tlv in, e;
    struct ms_modification md;
    int rc;

    switch (n) {
    case 0: return decode_entry_class(c, m, &a->entry_class, "ModifyArgument.entry-class");
    case 1: a->by_selector = true; return decode_selector(c, m, &a->selector);
    case 2: return decode_int_list_explicit(c, m, BER_SEQUENCE, &a->specific_entries, "ModifyArgument.specific-entries");
    case 3:
        if ((rc = ber_explicit(c, m, &in, "ModifyArgument.modifications")) < 0 ||
            (rc = mhs_enter(c, &in, BER_SEQUENCE, &mi, "ModifyArgument.modifications")) < 0 ||
            (rc = mhs_seq_from_tlv(c, &in, &a->modifications, "ModifyArgument.modifications", MS_UB_LIST)) < 0)
            return rc;
        while ((rc = ber_next(&mi, &e)) == 1)
            if ((rc = decode_modification(c, &e, &md)) < 0)
                return rc;
        return rc;
    default: return inner_raw(c, m, &a->extensions, "ModifyArgument.modify-extensions");
    }
}

static int modify_arg_top(struct ber_ctx *c, const struct ber_tlv *t, void *out)
{
    /* entries is a CHOICE of [1] selector and [2] specific-entries */
    static const struct ctx_set set = {
        .type = "ModifyArgument", .members = 0x1f, .one_of_1_2 = true,
        .required = { { 1, "entries missing" }, { 3, "modifications missing" } },
    };

    memset(out, 0, sizeof(struct ms_modify_arg));
    return decode_ctx_set(c, t, &set, modify_arg_member, out);
}

int ms_modify_arg_decode(struct ber_slice in, struct ms_modify_arg *a, struct ber_error *err)
{
    return mhs_decode_top(in, err, "ModifyArgument", modify_arg_top, a);
}

int ms_modify_arg_encode(struct ber_writer *w, const struct ms_modify_arg *a)
{
    ber_mark_t m = ber_mark(w), x, s;
    struct ms_int_list l = a->specific_entries;

    put_raw_explicit(w, 4, a->extensions);
    x = ber_mark(w);
    s = ber_mark(w);
    if (a->modification_array) {
        for (uint32_t i = a->n_modification_array; i-- > 0;)
            ms_modification_encode(w, &a->modification_array[i]);
    } else {
        mhs_put_slice(w, a->modifications.raw);
    }
    ber_wrap(w, s, BER_UNIV(BER_SEQUENCE), true);
    ber_wrap(w, x, BER_CTX(3), true);
    if (a->by_selector) {
        put_selector(w, 1, &a->selector);
    } else {
        l.present = true;
        put_int_list(w, 2, BER_SEQUENCE, &l);
    }
    put_entry_class(w, a->entry_class);
    return ber_wrap(w, m, BER_UNIV(BER_SET), true);
}

static int modify_result_member(struct ber_ctx *c, const struct ber_tlv *m, unsigned n, void *out)
{
    struct ms_modify_result *r = out;

    if (n == 0)
        return decode_int_list_explicit(c, m, BER_SEQUENCE, &r->entries_modified, "ModifyResult.entries-modified");
    return inner_raw(c, m, &r->extensions, "ModifyResult.modify-result-extensions");
}

static int modify_result_top(struct ber_ctx *c, const struct ber_tlv *t, void *out)
{
    static const struct ctx_set set = { .type = "ModifyResult", .members = 0x3 };

    memset(out, 0, sizeof(struct ms_modify_result));
    return decode_ctx_set(c, t, &set, modify_result_member, out);
}

int ms_modify_result_decode(struct ber_slice in, struct ms_modify_result *r, struct ber_error *err)
{
    return mhs_decode_top(in, err, "ModifyResult", modify_result_top, r);
}

int ms_modify_result_encode(struct ber_writer *w, const struct ms_modify_result *r)
{
    ber_mark_t m = ber_mark(w);

    put_raw_explicit(w, 1, r->extensions);
    put_int_list(w, 0, BER_SEQUENCE, &r->entries_modified);
    return ber_wrap(w, m, BER_UNIV(BER_SET), true);
}

/* ---- MS submission (8.3) ------------------------------------------------------------------------- */

static int submission_arg_top(struct ber_ctx *c, const struct ber_tlv *t, void *out)
{
    static const char type[] = "MSMessageSubmissionArgument";
    struct ms_submission_arg *a = out;
    struct ber_iter it;
    struct ber_tlv m;
    int rc;

    memset(a, 0, sizeof(*a));
    if ((rc = mhs_enter(c, t, BER_SEQUENCE, &it, type)) < 0 ||
        (rc = mts_submission_arg_decode_members(c, &it, &a->mts)) < 0 ||
        (rc = ber_optional(&it, BER_CTX(4), &m)) < 0)
        return rc;
    if (rc == 1 && (rc = inner_raw(c, &m, &a->submission_options, "MSMessageSubmissionArgument.submission-options")) < 0)
        return rc;
    return ber_end(&it, type);
}

int ms_submission_arg_decode(struct ber_slice in, struct ms_submission_arg *a, struct ber_error *err)
{
    return mhs_decode_top(in, err, "MSMessageSubmissionArgument", submission_arg_top, a);
}

int ms_submission_arg_encode(struct ber_writer *w, const struct ms_submission_arg *a)
{
    ber_mark_t m = ber_mark(w);

    put_raw_explicit(w, 4, a->submission_options);
    mhs_put_octets(w, BER_UNIV(BER_OCTET_STRING), &a->mts.content);
    mts_submission_envelope_encode(w, &a->mts.envelope);
    return ber_wrap(w, m, BER_UNIV(BER_SEQUENCE), true);
}

static int submission_result_top(struct ber_ctx *c, const struct ber_tlv *t, void *out)
{
    struct ms_submission_result *r = out;

    memset(r, 0, sizeof(*r));
    if (t->tag == BER_CTX(4)) {
        r->store_draft = true;
        return inner_raw(c, t, &r->draft_result, "MSMessageSubmissionResult.store-draft-result");
    }
    return mts_submission_result_decode_tlv(c, t, &r->mts);
}

int ms_submission_result_decode(struct ber_slice in, struct ms_submission_result *r,
                                struct ber_error *err)
{
    return mhs_decode_top(in, err, "MSMessageSubmissionResult", submission_result_top, r);
}

int ms_submission_result_encode(struct ber_writer *w, const struct ms_submission_result *r)
{
    if (r->store_draft)
        return put_raw_explicit(w, 4, r->draft_result);
    return mts_submission_result_encode(w, &r->mts);
}

/* ---- error parameters (8.4) ------------------------------------------------------------------------ */

/* One problem SET; the member tags differ per error (X.413 8.4.x). */
static int decode_problem(struct ber_ctx *c, const struct ber_tlv *t, int code, struct ms_problem *p)
{
    static const char type[] = "ErrorProblem";
    struct ber_iter it;
    struct ber_tlv m, in;
    unsigned problem_tag = code == MS_ERR_FETCH_RESTRICTION ? 3 : 0;
    bool have_problem = false, have_second = false;
    int rc;

    memset(p, 0, sizeof(*p));
    p->sequence_number = -1;
    if ((rc = mhs_enter(c, t, BER_SET, &it, type)) < 0)
        return rc;
    while ((rc = ber_next(&it, &m)) == 1) {
        if (m.tag == BER_CTX(problem_tag)) {
            if ((rc = mhs_explicit_int(c, &m, "ErrorProblem.problem", &p->problem)) < 0)
                return rc;
            have_problem = true;
        } else if (code == MS_ERR_FETCH_RESTRICTION && BER_TAG_CLASS(m.tag) == BER_CLASS_CONTEXT &&
                   BER_TAG_NUMBER(m.tag) <= 2) {
            p->value = ber_tlv_whole(&m); /* restriction CHOICE, kept raw */
            have_second = true;
        } else if ((code == MS_ERR_DELETE || code == MS_ERR_SEQUENCE_NUMBER) && m.tag == BER_CTX(1)) {
            if ((rc = get_seqnum(c, &m, "ErrorProblem.sequence-number", &p->sequence_number)) < 0)
                return rc;
            have_second = true;
        } else if ((code == MS_ERR_ATTRIBUTE || code == MS_ERR_AUTO_ACTION_REQUEST) && m.tag == BER_CTX(1)) {
            if ((rc = mhs_explicit_inner(c, &m, BER_OID, &in, "ErrorProblem.type")) < 0 ||
                (rc = ber_get_oid(c, &in, "ErrorProblem.type", &p->type)) < 0)
                return rc;
            have_second = true;
        } else if (code == MS_ERR_ATTRIBUTE && m.tag == BER_CTX(2)) {
            if ((rc = inner_raw(c, &m, &p->value, "ErrorProblem.value")) < 0)
                return rc;
        } else {
            return mhs_unexpected(c, &m, type);
        }
    }
    if (rc == 0 && !have_problem)
        return ber_fail(c, t->start, X400MS_EPROTO, type, "problem missing");
    /* The member beside the problem is mandatory in every problem item
     * (X.413 8.4, each error's ParameterType): attribute-error and auto-action-request-error
     * type [1], delete-error and sequence-number-error sequence-number [1],
     * fetch-restriction-error the restriction CHOICE; only attribute-error's
     * value [2] is OPTIONAL. */
    if (rc == 0 && !have_second)
        return ber_fail(c, t->start, X400MS_EPROTO, type,
                        code == MS_ERR_FETCH_RESTRICTION                          ? "restriction missing"
                        : code == MS_ERR_DELETE || code == MS_ERR_SEQUENCE_NUMBER ? "sequence-number missing"
                                                                                  : "type missing");
    return rc;
}

static int problem_error_top(struct ber_ctx *c, const struct ber_tlv *t, void *out)
{
    static const char type[] = "ErrorParameter";
    struct ms_problem_error *e = out;
    struct ber_iter it, pi;
    struct ber_tlv m, in, p;
    unsigned list_tag = e->code == MS_ERR_SEQUENCE_NUMBER ? 1 : 0;
    int rc;

    e->n_problems = 0;
    memset(&e->entries_deleted, 0, sizeof(e->entries_deleted));
    if ((rc = mhs_enter(c, t, BER_SET, &it, type)) < 0)
        return rc;
    while ((rc = ber_next(&it, &m)) == 1) {
        if (m.tag == BER_CTX(list_tag)) {
            if ((rc = ber_explicit(c, &m, &in, type)) < 0 || (rc = mhs_enter(c, &in, BER_SET, &pi, type)) < 0)
                return rc;
            while ((rc = ber_next(&pi, &p)) == 1) {
                if (e->n_problems >= e->max_problems)
                    return ber_fail(c, p.start, X400MS_ELIMIT, type, "more problems than the caller's array holds");
                if ((rc = decode_problem(c, &p, e->code, &e->problems[e->n_problems])) < 0)
                    return rc;
                e->n_problems++;
            }
            if (rc < 0)
                return rc;
        } else if (e->code == MS_ERR_DELETE && m.tag == BER_CTX(1)) {
            if ((rc = decode_int_list_explicit(c, &m, BER_SET, &e->entries_deleted, "delete-error.entries-deleted")) < 0)
                return rc;
        } else {
            return mhs_unexpected(c, &m, type);
        }
    }
    return rc;
}

int ms_problem_error_decode(struct ber_slice in, struct ms_problem_error *e, struct ber_error *err)
{
    if (e->code != MS_ERR_ATTRIBUTE && e->code != MS_ERR_AUTO_ACTION_REQUEST &&
        e->code != MS_ERR_DELETE && e->code != MS_ERR_FETCH_RESTRICTION &&
        e->code != MS_ERR_SEQUENCE_NUMBER)
        return X400MS_EINVAL;
    return mhs_decode_top(in, err, "ErrorParameter", problem_error_top, e);
}

int ms_problem_error_encode(struct ber_writer *w, const struct ms_problem_error *e)
{
    ber_mark_t m = ber_mark(w), x, s;
    unsigned list_tag = e->code == MS_ERR_SEQUENCE_NUMBER ? 1 : 0;
    unsigned problem_tag = e->code == MS_ERR_FETCH_RESTRICTION ? 3 : 0;

    if (e->code == MS_ERR_DELETE)
        put_int_list(w, 1, BER_SET, &e->entries_deleted);
    x = ber_mark(w);
    s = ber_mark(w);
    for (uint32_t i = e->n_problems; i-- > 0;) {
        const struct ms_problem *p = &e->problems[i];
        ber_mark_t pm = ber_mark(w), y;

        /* members in tag order, pushed backwards */
        if (e->code == MS_ERR_FETCH_RESTRICTION)
            mhs_put_explicit_int(w, problem_tag, p->problem);
        if (e->code == MS_ERR_ATTRIBUTE)
            put_raw_explicit(w, 2, p->value);
        if (e->code == MS_ERR_ATTRIBUTE || e->code == MS_ERR_AUTO_ACTION_REQUEST) {
            y = ber_mark(w);
            ber_put_oid(w, BER_UNIV(BER_OID), p->type);
            ber_wrap(w, y, BER_CTX(1), true);
        }
        if (e->code == MS_ERR_DELETE || e->code == MS_ERR_SEQUENCE_NUMBER)
            mhs_put_explicit_int(w, 1, p->sequence_number);
        if (e->code == MS_ERR_FETCH_RESTRICTION)
            mhs_put_slice(w, p->value);
        else
            mhs_put_explicit_int(w, problem_tag, p->problem);
        ber_wrap(w, pm, BER_UNIV(BER_SET), true);
    }
    ber_wrap(w, s, BER_UNIV(BER_SET), true);
    ber_wrap(w, x, BER_CTX(list_tag), true);
    return ber_wrap(w, m, BER_UNIV(BER_SET), true);
}

static int simple_error_top(struct ber_ctx *c, const struct ber_tlv *t, void *out)
{
    static const char type[] = "ErrorParameter";
    struct ms_simple_error *e = out;
    struct ber_iter it;
    struct ber_tlv m, in;
    int code = e->code;
    int rc;

    memset(e, 0, sizeof(*e));
    e->code = code;
    if (code == MS_ERR_INVALID_PARAMETERS)
        return t->tag == BER_UNIV(BER_NULL) ? ber_get_null(c, t, type) : mhs_wrong_tag(c, t, type);
    if (code == MS_ERR_MS_EXTENSION) {
        if (t->tag != BER_CTX(0) && t->tag != BER_CTX(1))
            return mhs_wrong_tag(c, t, "MSExtensionErrorParameter");
        return inner_raw(c, t, &e->raw, "MSExtensionErrorParameter");
    }
    if ((rc = mhs_enter(c, t, BER_SET, &it, type)) < 0)
        return rc;
    while ((rc = ber_next(&it, &m)) == 1) {
        unsigned n = BER_TAG_NUMBER(m.tag);

        if (BER_TAG_CLASS(m.tag) != BER_CLASS_CONTEXT)
            return mhs_unexpected(c, &m, type);
        switch (code) {
        case MS_ERR_RANGE:
            rc = n == 0 ? mhs_explicit_int(c, &m, "range-error.problem", &e->problem) : mhs_unexpected(c, &m, type);
            break;
        case MS_ERR_SERVICE:
            if (n == 0)
                rc = mhs_explicit_int(c, &m, "service-error.problem", &e->problem);
            else if (n == 1 && (rc = mhs_explicit_inner(c, &m, BER_GENERAL_STRING, &in,
                                                        "service-error.supplementary-information")) == 0)
                e->supplementary_information = ber_tlv_contents(&in);
            else if (n != 1)
                rc = mhs_unexpected(c, &m, type);
            break;
        case MS_ERR_ENTRY_CLASS:
            if (n == 0)
                rc = mhs_explicit_int(c, &m, "entry-class-error.entry-class", &e->entry_class);
            else if (n == 1 && (rc = mhs_explicit_inner(c, &m, BER_BIT_STRING, &in, "entry-class-error.problem")) == 0)
                rc = ber_get_bits_u32(c, &in, "entry-class-error.problem", &e->problem_bits);
            else if (n != 1)
                rc = mhs_unexpected(c, &m, type);
            break;
        case MS_ERR_MODIFY:
            if (n == 0)
                rc = decode_int_list_explicit(c, &m, BER_SEQUENCE, &e->entries_modified, "modify-error.entries-modified");
            else if (n == 1)
                rc = get_seqnum(c, &m, "modify-error.failing-entry", &e->failing_entry);
            else if (n == 2)
                rc = mhs_explicit_int(c, &m, "modify-error.modification-number", &e->modification_number);
            else if (n == 3)
                rc = mhs_explicit_int(c, &m, "modify-error.problem", &e->problem);
            else
                rc = mhs_unexpected(c, &m, type);
            break;
        case MS_ERR_MESSAGE_GROUP:
        case MS_ERR_REGISTER_MS:
            if (n == 0) {
                if ((rc = ber_explicit(c, &m, &in, "ErrorParameter.problem")) == 0) {
                    if (in.tag != BER_UNIV(BER_INTEGER) && in.tag != BER_UNIV(BER_ENUMERATED))
                        rc = mhs_wrong_tag(c, &in, "ErrorParameter.problem");
                    else
                        rc = ber_get_int64(c, &in, "ErrorParameter.problem", &e->problem);
                }
            } else if (n == 1) {
                rc = inner_raw(c, &m, &e->raw, "ErrorParameter");
            } else {
                rc = mhs_unexpected(c, &m, type);
            }
            break;
        default:
            return X400MS_EINVAL;
        }
        if (rc < 0)
            return rc;
    }
    return rc;
}

int ms_simple_error_decode(struct ber_slice in, struct ms_simple_error *e, struct ber_error *err)
{
    return mhs_decode_top(in, err, "ErrorParameter", simple_error_top, e);
}

int ms_simple_error_encode(struct ber_writer *w, const struct ms_simple_error *e)
{
    ber_mark_t m = ber_mark(w), x;

    switch (e->code) {
    case MS_ERR_INVALID_PARAMETERS:
        return ber_put_null(w, BER_UNIV(BER_NULL));
    case MS_ERR_MS_EXTENSION:
        /* the raw CHOICE alternative: unknown-ms-extension [1] by default */
        return put_raw_explicit(w, 1, e->raw);
    case MS_ERR_RANGE:
        mhs_put_explicit_int(w, 0, e->problem);
        break;
    case MS_ERR_SERVICE:
        if (e->supplementary_information.len) {
            x = ber_mark(w);
            ber_put_octets(w, BER_UNIV(BER_GENERAL_STRING), e->supplementary_information.ptr,
                           e->supplementary_information.len);
            ber_wrap(w, x, BER_CTX(1), true);
        }
        mhs_put_explicit_int(w, 0, e->problem);
        break;
    case MS_ERR_ENTRY_CLASS:
        x = ber_mark(w);
        ber_put_bits_u32(w, BER_UNIV(BER_BIT_STRING), e->problem_bits);
        ber_wrap(w, x, BER_CTX(1), true);
        mhs_put_explicit_int(w, 0, e->entry_class);
        break;
    case MS_ERR_MODIFY:
        mhs_put_explicit_int(w, 3, e->problem);
        mhs_put_explicit_int(w, 2, e->modification_number);
        mhs_put_explicit_int(w, 1, e->failing_entry);
        put_int_list(w, 0, BER_SEQUENCE, &e->entries_modified);
        break;
    case MS_ERR_MESSAGE_GROUP:
    case MS_ERR_REGISTER_MS:
        put_raw_explicit(w, 1, e->raw);
        x = ber_mark(w);
        if (e->code == MS_ERR_REGISTER_MS)
            ber_put_enum(w, BER_UNIV(BER_ENUMERATED), e->problem);
        else
            ber_put_int64(w, BER_UNIV(BER_INTEGER), e->problem);
        ber_wrap(w, x, BER_CTX(0), true);
        break;
    default:
        return w->error ? w->error : (w->error = X400MS_EINVAL);
    }
    return ber_wrap(w, m, BER_UNIV(BER_SET), true);
}
