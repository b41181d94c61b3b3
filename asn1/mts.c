/* X.411 MTS abstract service codec: implements asn1/mts.asn (IMPLICIT tags).
 * See asn1/mts.h for the contract. Clause numbers are X.411 (06/1999). */
#include "asn1/mts.h"

#include <string.h>

#include "asn1/mhs_set.h"

static const unsigned num_or_printable[] = { BER_NUMERIC_STRING, BER_PRINTABLE_STRING, 0 };

static int missing(struct ber_ctx *c, const struct ber_tlv *t, const char *type, const char *what)
{
    return ber_fail(c, t->start, X400MS_EPROTO, type, what);
}

/* ---- ExtensionField (9.1 "Extension fields") ------------------------------ */

int mts_extension_decode_tlv(struct ber_ctx *c, const struct ber_tlv *t, struct mts_extension *e)
{
    static const char type[] = "ExtensionField";
    struct ber_iter it;
    struct ber_tlv m;
    int64_t v;
    int rc;

    memset(e, 0, sizeof(*e));
    if (t->tag != BER_UNIV(BER_SEQUENCE))
        return mhs_wrong_tag(c, t, type);
    e->whole = ber_tlv_whole(t);
    if ((rc = ber_enter(c, t, &it, type)) < 0)
        return rc;
    if ((rc = ber_next(&it, &m)) < 0)
        return rc;
    if (rc == 0)
        return missing(c, t, type, "type missing");
    if (m.tag == BER_CTX(0)) {
        if ((rc = ber_get_int64(c, &m, "ExtensionField.type.standard-extension", &v)) < 0)
            return rc;
        if (v < 0 || v > 256)
            return ber_fail(c, m.start, X400MS_EPROTO, "ExtensionField.type", "out of range");
        e->standard = (int32_t)v;
    } else if (m.tag == BER_CTX(3)) {
        e->is_private = true;
        if ((rc = ber_get_oid(c, &m, "ExtensionField.type.private-extension", &e->private_oid)) < 0)
            return rc;
    } else {
        return mhs_wrong_tag(c, &m, "ExtensionField.type");
    }
    if ((rc = ber_optional(&it, BER_CTX(1), &m)) < 0)
        return rc;
    if (rc == 1 && (rc = ber_get_bits_u32(c, &m, "ExtensionField.criticality", &e->criticality)) < 0)
        return rc;
    if ((rc = ber_optional(&it, BER_CTX(2), &m)) < 0)
        return rc;
    if (rc == 1) {
        struct ber_tlv in;

        /* value [2] is an open type: the tag is explicit. */
        if ((rc = ber_explicit(c, &m, &in, "ExtensionField.value")) < 0)
            return rc;
        e->value = ber_tlv_whole(&in);
    }
    return ber_end(&it, type);
}

static int extension_elem(struct ber_ctx *c, const struct ber_tlv *t, void *out)
{
    return mts_extension_decode_tlv(c, t, out);
}

int mts_extension_next(struct mhs_seq_iter *i, struct mts_extension *e)
{
    return mhs_seq_iter_decode(i, 0, NULL, extension_elem, e);
}

int mts_extension_encode(struct ber_writer *w, const struct mts_extension *e)
{
    ber_mark_t m = ber_mark(w), v;

    if (e->value.len) {
        v = ber_mark(w);
        mhs_put_slice(w, e->value);
        ber_wrap(w, v, BER_CTX(2), true);
    }
    if (e->criticality)
        ber_put_bits_u32(w, BER_CTX(1), e->criticality);
    if (e->is_private)
        ber_put_oid(w, BER_CTX(3), e->private_oid);
    else
        ber_put_int64(w, BER_CTX(0), e->standard);
    return ber_wrap(w, m, BER_UNIV(BER_SEQUENCE), true);
}

/* SET OF ExtensionField: every element is decoded once to validate it. */
static int decode_ext_list(struct ber_ctx *c, const struct ber_tlv *t, struct mhs_seq *s,
                           const char *type)
{
    struct ber_iter it;
    struct ber_tlv m;
    struct mts_extension e;
    int rc;

    if ((rc = mhs_seq_from_tlv(c, t, s, type, MTS_UB_EXTENSIONS)) < 0)
        return rc;
    if ((rc = ber_enter(c, t, &it, type)) < 0)
        return rc;
    while ((rc = ber_next(&it, &m)) == 1)
        if ((rc = mts_extension_decode_tlv(c, &m, &e)) < 0)
            return rc;
    return rc;
}

/* extensions (X.411 9.1: SET OF ExtensionField), a member of an envelope or
 * result SET: at most once (bit of *seen). */
static int ext_member(struct ber_ctx *c, const struct ber_tlv *m, uint64_t *seen, unsigned bit,
                      const char *type, struct mhs_seq *exts, const char *field)
{
    int rc = mhs_seen(c, m, seen, bit, type);

    return rc < 0 ? rc : decode_ext_list(c, m, exts, field);
}

/* DEFAULT {}: an empty list is omitted. */
static int put_ext_list(struct ber_writer *w, unsigned ctx_num, const struct mhs_seq *s)
{
    if (!s->raw.len)
        return w->error;
    return mhs_put_seq(w, BER_CTX(ctx_num), s);
}

int mts_extensions_check_critical(const struct mhs_seq *exts, uint32_t crit_bit,
                                  bool (*known)(const struct mts_extension *, void *), void *arg,
                                  struct mts_extension *bad_r, struct ber_error *err)
{
    struct mhs_seq_iter i;
    struct mts_extension e;
    int rc;

    mhs_seq_iter_init(&i, exts, err);
    while ((rc = mts_extension_next(&i, &e)) == 1) {
        if ((e.criticality & crit_bit) && !(known && known(&e, arg))) {
            if (bad_r)
                *bad_r = e;
            return X400MS_ENOTSUP;
        }
    }
    return rc;
}

/* ---- MTSIdentifier, GlobalDomainIdentifier (9.1 "Common parameter types") -- */

static int decode_gdi(struct ber_ctx *c, const struct ber_tlv *t, struct mts_gdi *g)
{
    static const char type[] = "GlobalDomainIdentifier";
    struct ber_iter it;
    struct ber_tlv m, in;
    int rc;

    memset(g, 0, sizeof(*g));
    if ((rc = ber_enter(c, t, &it, type)) < 0 ||
        (rc = ber_expect(&it, BER_APP(1), &m, "GlobalDomainIdentifier.country-name")) < 0 ||
        (rc = ber_explicit(c, &m, &in, "GlobalDomainIdentifier.country-name")) < 0 ||
        (rc = mhs_get_str_choice(c, &in, "GlobalDomainIdentifier.country-name", num_or_printable,
                                 2, 3, &g->country)) < 0 ||
        (rc = ber_expect(&it, BER_APP(2), &m, "GlobalDomainIdentifier.administration-domain-name")) < 0 ||
        (rc = ber_explicit(c, &m, &in, "GlobalDomainIdentifier.administration-domain-name")) < 0 ||
        (rc = mhs_get_str_choice(c, &in, "GlobalDomainIdentifier.administration-domain-name",
                                 num_or_printable, 0, OR_UB_DOMAIN_NAME, &g->admd)) < 0)
        return rc;
    if ((rc = ber_next(&it, &m)) < 0)
        return rc;
    if (rc == 1 && (rc = mhs_get_str_choice(c, &m, "GlobalDomainIdentifier.private-domain-identifier",
                                            num_or_printable, 1, OR_UB_DOMAIN_NAME, &g->prmd)) < 0)
        return rc;
    return ber_end(&it, type);
}

static int put_gdi(struct ber_writer *w, const struct mts_gdi *g)
{
    ber_mark_t m = ber_mark(w), x;

    if (mhs_str_present(&g->prmd))
        mhs_put_str(w, 0, &g->prmd);
    x = ber_mark(w);
    mhs_put_str(w, 0, &g->admd);
    ber_wrap(w, x, BER_APP(2), true);
    x = ber_mark(w);
    mhs_put_str(w, 0, &g->country);
    ber_wrap(w, x, BER_APP(1), true);
    return ber_wrap(w, m, BER_APP(3), true);
}

int mts_identifier_decode_tlv(struct ber_ctx *c, const struct ber_tlv *t, struct mts_identifier *id,
                              const char *type)
{
    struct ber_iter it;
    struct ber_tlv m;
    int rc;

    if ((rc = ber_enter(c, t, &it, type)) < 0 ||
        (rc = ber_expect(&it, BER_APP(3), &m, "MTSIdentifier.global-domain-identifier")) < 0 ||
        (rc = decode_gdi(c, &m, &id->gdi)) < 0 ||
        (rc = ber_expect(&it, BER_UNIV(BER_IA5_STRING), &m, "MTSIdentifier.local-identifier")) < 0 ||
        (rc = mhs_get_str(c, &m, "MTSIdentifier.local-identifier", BER_IA5_STRING, 1,
                          MTS_UB_LOCAL_ID, &id->local)) < 0)
        return rc;
    return ber_end(&it, type);
}

int mts_identifier_encode(struct ber_writer *w, ber_tag_t tag, const struct mts_identifier *id)
{
    ber_mark_t m = ber_mark(w);

    mhs_put_str(w, BER_UNIV(BER_IA5_STRING), &id->local);
    put_gdi(w, &id->gdi);
    return ber_wrap(w, m, tag ? tag : BER_APP(4), true);
}

/* ---- ContentType ---------------------------------------------------------- */

static int decode_content_type(struct ber_ctx *c, const struct ber_tlv *t, ber_tag_t builtin_tag,
                               struct mts_content_type *ct, const char *type)
{
    int64_t v;
    int rc;

    memset(ct, 0, sizeof(*ct));
    ct->present = true;
    if (t->tag == BER_UNIV(BER_OID))
        return ber_get_oid(c, t, type, &ct->oid);
    if (t->tag != builtin_tag)
        return mhs_wrong_tag(c, t, type);
    if ((rc = ber_get_int64(c, t, type, &v)) < 0)
        return rc;
    if (v < 0 || v > 32767)
        return ber_fail(c, t->start, X400MS_EPROTO, type, "built-in content type out of range");
    ct->builtin = true;
    ct->builtin_value = (int32_t)v;
    return 0;
}

static int put_content_type(struct ber_writer *w, ber_tag_t builtin_tag,
                            const struct mts_content_type *ct)
{
    if (ct->builtin)
        return ber_put_int64(w, builtin_tag, ct->builtin_value);
    return ber_put_oid(w, BER_UNIV(BER_OID), ct->oid);
}

static bool is_content_type_tag(ber_tag_t tag, ber_tag_t builtin_tag)
{
    return tag == builtin_tag || tag == BER_UNIV(BER_OID);
}

/* ---- Credentials (8.1.1.1.1.3) -------------------------------------------- */

int mts_credentials_decode_tlv(struct ber_ctx *c, const struct ber_tlv *t, struct mts_credentials *cr,
                               const char *type)
{
    struct ber_tlv in;
    struct ber_slice s;
    int rc;

    memset(cr, 0, sizeof(*cr));
    if ((rc = ber_explicit(c, t, &in, type)) < 0)
        return rc;
    if (in.tag == BER_UNIV(BER_IA5_STRING) || in.tag == BER_UNIV(BER_OCTET_STRING)) {
        cr->kind = MTS_CRED_SIMPLE;
        cr->octets = in.tag == BER_UNIV(BER_OCTET_STRING);
        if ((rc = ber_get_str_slice(c, &in, type, cr->octets ? BER_OCTET_STRING : BER_IA5_STRING,
                                    &s)) < 0)
            return rc;
        if (s.len > MTS_UB_PASSWORD)
            return ber_fail(c, in.start, X400MS_EPROTO, type, "password longer than 62 octets");
        cr->password = s;
        return 0;
    }
    if (in.tag == BER_CTX(0) || in.tag == BER_CTX(1)) {
        if (!in.constructed)
            return ber_fail(c, in.start, X400MS_EPROTO, type, "expected constructed");
        cr->kind = in.tag == BER_CTX(0) ? MTS_CRED_STRONG : MTS_CRED_PROTECTED;
        cr->raw = ber_tlv_whole(&in);
        return 0;
    }
    return ber_fail(c, in.start, X400MS_EPROTO, type, "unknown credentials alternative");
}

int mts_credentials_encode(struct ber_writer *w, unsigned ctx_num, const struct mts_credentials *cr)
{
    ber_mark_t m = ber_mark(w);

    if (cr->kind == MTS_CRED_SIMPLE)
        ber_put_octets(w, BER_UNIV(cr->octets ? BER_OCTET_STRING : BER_IA5_STRING),
                       cr->password.ptr, cr->password.len);
    else
        mhs_put_slice(w, cr->raw);
    return ber_wrap(w, m, BER_CTX(ctx_num), true);
}

/* ---- MTS-bind (8.1.1) ------------------------------------------------------- */

static int decode_object_name(struct ber_ctx *c, const struct ber_tlv *t,
                              struct mts_object_name *n, const char *type)
{
    memset(n, 0, sizeof(*n));
    if (t->tag == BER_APP(0)) {
        n->kind = MTS_OBJ_USER_AGENT;
        return or_name_decode_tlv(c, t, &n->orname, type);
    }
    if (t->tag == BER_CTX(4)) {
        n->kind = MTS_OBJ_MESSAGE_STORE;
        return or_name_decode_tlv(c, t, &n->orname, type);
    }
    n->kind = MTS_OBJ_MTA;
    or_address_init(&n->orname);
    return mhs_get_str(c, t, type, BER_IA5_STRING, 1, MTS_UB_MTA_NAME, &n->mta);
}

static bool is_object_name_tag(ber_tag_t tag)
{
    return tag == BER_APP(0) || tag == BER_CTX(4) || tag == BER_CTX(0);
}

static int put_object_name(struct ber_writer *w, const struct mts_object_name *n)
{
    switch (n->kind) {
    case MTS_OBJ_MTA:
        return mhs_put_str(w, BER_CTX(0), &n->mta);
    case MTS_OBJ_MESSAGE_STORE:
        return or_name_encode(w, BER_CTX(4), &n->orname);
    default:
        return or_name_encode(w, BER_APP(0), &n->orname);
    }
}

/* MTSBindArgument and MTSBindResult share their shape (the result has no
 * security-context). */
static int decode_bind(struct ber_ctx *c, const struct ber_tlv *t, struct mts_object_name *name,
                       struct ber_slice *waiting, struct mts_credentials *cred,
                       struct ber_slice *secctx, struct mhs_seq *exts, const char *type)
{
    struct ber_iter it;
    struct ber_tlv m, in;
    uint64_t seen = 0;
    int rc;

    if ((rc = mhs_enter(c, t, BER_SET, &it, type)) < 0)
        return rc;
    while ((rc = ber_next(&it, &m)) == 1) {
        if (is_object_name_tag(m.tag)) {
            if ((rc = mhs_seen(c, &m, &seen, 0, type)) < 0 ||
                (rc = decode_object_name(c, &m, name, type)) < 0)
                return rc;
        } else if (m.tag == BER_CTX(1)) {
            if ((rc = mhs_seen(c, &m, &seen, 1, type)) < 0 ||
                (rc = ber_explicit(c, &m, &in, "MTSBind.messages-waiting")) < 0)
                return rc;
            *waiting = ber_tlv_whole(&in);
        } else if (m.tag == BER_CTX(2)) {
            if ((rc = mhs_seen(c, &m, &seen, 2, type)) < 0 ||
                (rc = mts_credentials_decode_tlv(c, &m, cred, "MTSBind.credentials")) < 0)
                return rc;
        } else if (m.tag == BER_CTX(3) && secctx) {
            if ((rc = mhs_seen(c, &m, &seen, 3, type)) < 0)
                return rc;
            *secctx = ber_tlv_whole(&m);
        } else if (m.tag == BER_CTX(5)) {
            if ((rc = ext_member(c, &m, &seen, 5, type, exts, "MTSBind.extensions")) < 0)
                return rc;
        }
        /* else: the SET is extensible ("..."): unknown members are ignored. */
    }
    if (rc < 0)
        return rc;
    if (!(seen & 1))
        return missing(c, t, type, "name missing");
    if (!(seen & 4))
        return missing(c, t, type, "credentials missing");
    return 0;
}

static int bind_arg_top(struct ber_ctx *c, const struct ber_tlv *t, void *out)
{
    struct mts_bind_arg *a = out;

    memset(a, 0, sizeof(*a));
    return decode_bind(c, t, &a->initiator_name, &a->messages_waiting, &a->credentials,
                       &a->security_context, &a->extensions, "MTSBindArgument");
}

int mts_bind_arg_decode(struct ber_slice in, struct mts_bind_arg *a, struct ber_error *err)
{
    return mhs_decode_top(in, err, "MTSBindArgument", bind_arg_top, a);
}

static int put_bind(struct ber_writer *w, const struct mts_object_name *name,
                    struct ber_slice waiting, const struct mts_credentials *cred,
                    struct ber_slice secctx, const struct mhs_seq *exts)
{
    ber_mark_t m = ber_mark(w), x;

    /* SET members in tag order: [APPLICATION 0] (or [0]/[4]) first, then
     * [1], [2], [3], [5]; pushed backwards. A [0]/[4] name would sort
     * differently, but DER order is a SHOULD for us, BER accepts any. */
    put_ext_list(w, 5, exts);
    if (secctx.len)
        mhs_put_slice(w, secctx);
    mts_credentials_encode(w, 2, cred);
    if (waiting.len) {
        x = ber_mark(w);
        mhs_put_slice(w, waiting);
        ber_wrap(w, x, BER_CTX(1), true);
    }
    put_object_name(w, name);
    return ber_wrap(w, m, BER_UNIV(BER_SET), true);
}

int mts_bind_arg_encode(struct ber_writer *w, const struct mts_bind_arg *a)
{
    return put_bind(w, &a->initiator_name, a->messages_waiting, &a->credentials,
                    a->security_context, &a->extensions);
}

static int bind_result_top(struct ber_ctx *c, const struct ber_tlv *t, void *out)
{
    struct mts_bind_result *r = out;

    memset(r, 0, sizeof(*r));
    return decode_bind(c, t, &r->responder_name, &r->messages_waiting, &r->credentials, NULL,
                       &r->extensions, "MTSBindResult");
}

int mts_bind_result_decode(struct ber_slice in, struct mts_bind_result *r, struct ber_error *err)
{
    return mhs_decode_top(in, err, "MTSBindResult", bind_result_top, r);
}

int mts_bind_result_encode(struct ber_writer *w, const struct mts_bind_result *r)
{
    return put_bind(w, &r->responder_name, r->messages_waiting, &r->credentials,
                    ber_slice_make(NULL, 0), &r->extensions);
}

/* MTSBindError (X.411 8.1.1.1.3) and SecurityProblem (X.411 8.2.2.8): an
 * INTEGER parameter of an error, at most 256 here. */
struct int_param {
    int *value;
    const char *type;
};

static int int_param_top(struct ber_ctx *c, const struct ber_tlv *t, void *out)
{
    const struct int_param *p = out;
    int64_t v;
    int rc;

    if (t->tag != BER_UNIV(BER_INTEGER))
        return mhs_wrong_tag(c, t, p->type);
    if ((rc = ber_get_int64(c, t, p->type, &v)) < 0)
        return rc;
    if (v < 0 || v > 256)
        return ber_fail(c, t->start, X400MS_EPROTO, p->type, "value out of range");
    *p->value = (int)v;
    return 0;
}

static int decode_int_param(struct ber_slice in, const char *type, int *value,
                            struct ber_error *err)
{
    struct int_param p = { value, type };

    return mhs_decode_top(in, err, type, int_param_top, &p);
}

int mts_bind_error_decode(struct ber_slice in, int *code, struct ber_error *err)
{
    return decode_int_param(in, "MTSBindError", code, err);
}

int mts_bind_error_encode(struct ber_writer *w, int code)
{
    return ber_put_int64(w, BER_UNIV(BER_INTEGER), code);
}

/* ---- submission (8.2) ------------------------------------------------------ */

static int submission_recipient_member(struct ber_ctx *c, const struct ber_tlv *m, uint64_t *seen,
                                       const char *type, void *out)
{
    struct mts_submission_recipient *r = out;
    int64_t v;
    int rc;

    switch (m->tag) {
    case BER_APP(0):
        if ((rc = mhs_seen(c, m, seen, 0, type)) < 0 ||
            (rc = or_name_decode_tlv(c, m, &r->recipient_name, "PerRecipientSubmissionFields.recipient-name")) < 0)
            return rc;
        break;
    case BER_CTX(0):
        if ((rc = mhs_seen(c, m, seen, 1, type)) < 0 ||
            (rc = ber_get_bits_u32(c, m, "PerRecipientSubmissionFields.originator-report-request",
                                   &r->originator_report_request)) < 0)
            return rc;
        break;
    case BER_CTX(1):
        if ((rc = mhs_seen(c, m, seen, 2, type)) < 0 ||
            (rc = ber_get_int64(c, m, "PerRecipientSubmissionFields.explicit-conversion", &v)) < 0)
            return rc;
        if (v < 0 || v > 256)
            return ber_fail(c, m->start, X400MS_EPROTO, type, "explicit-conversion out of range");
        r->has_explicit_conversion = true;
        r->explicit_conversion = (int32_t)v;
        break;
    case BER_CTX(2):
        if ((rc = ext_member(c, m, seen, 3, type, &r->extensions, "PerRecipientSubmissionFields.extensions")) < 0)
            return rc;
        break;
    default:
        return 1;
    }
    return 0;
}

static int decode_submission_recipient(struct ber_ctx *c, const struct ber_tlv *t, void *out)
{
    struct mts_submission_recipient *r = out;
    static const char type[] = "PerRecipientSubmissionFields";
    uint64_t seen = 0;
    int rc;

    memset(r, 0, sizeof(*r));
    if ((rc = mhs_decode_set(c, t, type, submission_recipient_member, r, &seen)) < 0)
        return rc;
    if ((seen & 3) != 3)
        return missing(c, t, type, (seen & 1) ? "originator-report-request missing"
                                              : "recipient-name missing");
    return 0;
}

int mts_submission_recipient_next(struct mhs_seq_iter *i, struct mts_submission_recipient *r)
{
    return mhs_seq_iter_decode(i, 0, NULL, decode_submission_recipient, r);
}

int mts_submission_recipient_encode(struct ber_writer *w, const struct mts_submission_recipient *r)
{
    ber_mark_t m = ber_mark(w);

    put_ext_list(w, 2, &r->extensions);
    if (r->has_explicit_conversion)
        ber_put_int64(w, BER_CTX(1), r->explicit_conversion);
    ber_put_bits_u32(w, BER_CTX(0), r->originator_report_request);
    or_name_encode(w, BER_APP(0), &r->recipient_name);
    return ber_wrap(w, m, BER_UNIV(BER_SET), true);
}

/* Validates every recipient of the list once. */
static int decode_recipient_list(struct ber_ctx *c, const struct ber_tlv *t, struct mhs_seq *s,
                                 const char *type)
{
    struct ber_iter it;
    struct ber_tlv m;
    struct mts_submission_recipient r;
    int rc;

    if ((rc = mhs_seq_from_tlv(c, t, s, type, MTS_UB_RECIPIENTS)) < 0)
        return rc;
    if (s->count == 0)
        return ber_fail(c, t->start, X400MS_EPROTO, type, "no recipients");
    if ((rc = ber_enter(c, t, &it, type)) < 0)
        return rc;
    while ((rc = ber_next(&it, &m)) == 1)
        if ((rc = decode_submission_recipient(c, &m, &r)) < 0)
            return rc;
    return rc;
}

static int decode_envelope(struct ber_ctx *c, const struct ber_tlv *t,
                           struct mts_submission_envelope *e, bool probe)
{
    const char *type = probe ? "ProbeSubmissionEnvelope" : "MessageSubmissionEnvelope";
    struct ber_iter it;
    struct ber_tlv m;
    uint64_t seen = 0;
    int64_t v;
    int rc;

    memset(e, 0, sizeof(*e));
    if ((rc = mhs_enter(c, t, BER_SET, &it, type)) < 0)
        return rc;
    while ((rc = ber_next(&it, &m)) == 1) {
        if (m.tag == BER_APP(0)) {
            if ((rc = mhs_seen(c, &m, &seen, 0, type)) < 0 ||
                (rc = or_name_decode_tlv(c, &m, &e->originator_name, "SubmissionEnvelope.originator-name")) < 0)
                return rc;
        } else if (m.tag == BER_APP(5)) {
            if ((rc = mhs_seen(c, &m, &seen, 1, type)) < 0)
                return rc;
            if (!m.constructed)
                return ber_fail(c, m.start, X400MS_EPROTO, "SubmissionEnvelope.original-encoded-information-types",
                                "expected constructed");
            e->original_eits = ber_tlv_whole(&m);
        } else if (is_content_type_tag(m.tag, BER_APP(6))) {
            if ((rc = mhs_seen(c, &m, &seen, 2, type)) < 0 ||
                (rc = decode_content_type(c, &m, BER_APP(6), &e->content_type,
                                          "SubmissionEnvelope.content-type")) < 0)
                return rc;
        } else if (m.tag == BER_APP(10)) {
            if ((rc = mhs_seen(c, &m, &seen, 3, type)) < 0 ||
                (rc = mhs_get_str(c, &m, "SubmissionEnvelope.content-identifier", BER_PRINTABLE_STRING,
                                  1, MTS_UB_CONTENT_ID, &e->content_identifier)) < 0)
                return rc;
        } else if (m.tag == BER_APP(7) && !probe) {
            if ((rc = mhs_seen(c, &m, &seen, 4, type)) < 0 ||
                (rc = ber_get_enum(c, &m, "SubmissionEnvelope.priority", &v)) < 0)
                return rc;
            if (v < 0 || v > 2)
                return ber_fail(c, m.start, X400MS_EPROTO, "SubmissionEnvelope.priority", "unknown value");
            e->priority = (int)v;
        } else if (m.tag == BER_APP(8)) {
            if ((rc = mhs_seen(c, &m, &seen, 5, type)) < 0 ||
                (rc = ber_get_bits_u32(c, &m, "SubmissionEnvelope.per-message-indicators",
                                       &e->per_message_indicators)) < 0)
                return rc;
        } else if (m.tag == BER_CTX(0)) {
            if ((rc = mhs_seen(c, &m, &seen, 6, type)) < 0)
                return rc;
            if (probe) {
                if ((rc = ber_get_int64(c, &m, "ProbeSubmissionEnvelope.content-length", &v)) < 0)
                    return rc;
                if (v < 0 || v > 2147483647)
                    return ber_fail(c, m.start, X400MS_EPROTO, "ProbeSubmissionEnvelope.content-length",
                                    "out of range");
                e->has_content_length = true;
                e->content_length = v;
            } else if ((rc = mhs_get_time(c, &m, "MessageSubmissionEnvelope.deferred-delivery-time",
                                          &e->deferred_delivery_time)) < 0) {
                return rc;
            }
        } else if (m.tag == BER_CTX(2)) {
            if ((rc = ext_member(c, &m, &seen, 7, type, &e->extensions, "SubmissionEnvelope.extensions")) < 0)
                return rc;
        } else if (m.tag == BER_CTX(probe ? 3 : 1)) {
            if ((rc = mhs_seen(c, &m, &seen, 8, type)) < 0 ||
                (rc = decode_recipient_list(c, &m, &e->recipients, "SubmissionEnvelope.per-recipient-fields")) < 0)
                return rc;
        } else {
            return mhs_unexpected(c, &m, type);
        }
    }
    if (rc < 0)
        return rc;
    if (!(seen & 1))
        return missing(c, t, type, "originator-name missing");
    if (!(seen & 4))
        return missing(c, t, type, "content-type missing");
    if (!(seen & (1u << 8)))
        return missing(c, t, type, "per-recipient-fields missing");
    return 0;
}

int mts_submission_envelope_decode_tlv(struct ber_ctx *c, const struct ber_tlv *t,
                                       struct mts_submission_envelope *e)
{
    return decode_envelope(c, t, e, false);
}

static int put_recipients(struct ber_writer *w, ber_tag_t tag, const struct mhs_seq *raw,
                          const struct mts_submission_recipient *arr, uint32_t n)
{
    ber_mark_t m;

    if (!arr)
        return mhs_put_seq(w, tag, raw);
    m = ber_mark(w);
    for (uint32_t i = n; i-- > 0;)
        mts_submission_recipient_encode(w, &arr[i]);
    return ber_wrap(w, m, tag, true);
}

static int put_envelope(struct ber_writer *w, const struct mts_submission_envelope *e, bool probe)
{
    ber_mark_t m = ber_mark(w);

    /* Tag order: APPLICATION 0,5,6,7,8,10, then CONTEXT 0,1/3,2 (UNIVERSAL
     * OID content type first when extended); pushed backwards. */
    if (probe)
        put_recipients(w, BER_CTX(3), &e->recipients, e->recipient_array, e->n_recipient_array);
    put_ext_list(w, 2, &e->extensions);
    if (!probe)
        put_recipients(w, BER_CTX(1), &e->recipients, e->recipient_array, e->n_recipient_array);
    if (probe && e->has_content_length)
        ber_put_int64(w, BER_CTX(0), e->content_length);
    if (!probe && e->deferred_delivery_time.present)
        mhs_put_time(w, BER_CTX(0), &e->deferred_delivery_time);
    if (mhs_str_present(&e->content_identifier))
        mhs_put_str(w, BER_APP(10), &e->content_identifier);
    if (e->per_message_indicators)
        ber_put_bits_u32(w, BER_APP(8), e->per_message_indicators);
    if (!probe && e->priority != MTS_PRIORITY_NORMAL)
        ber_put_enum(w, BER_APP(7), e->priority);
    if (e->content_type.builtin)
        put_content_type(w, BER_APP(6), &e->content_type);
    if (e->original_eits.len)
        mhs_put_slice(w, e->original_eits);
    or_name_encode(w, BER_APP(0), &e->originator_name);
    if (!e->content_type.builtin)
        put_content_type(w, BER_APP(6), &e->content_type);
    return ber_wrap(w, m, BER_UNIV(BER_SET), true);
}

int mts_submission_envelope_encode(struct ber_writer *w, const struct mts_submission_envelope *e)
{
    return put_envelope(w, e, false);
}

int mts_submission_arg_decode_members(struct ber_ctx *c, struct ber_iter *it,
                                      struct mts_submission_arg *a)
{
    struct ber_tlv m;
    int rc;

    memset(a, 0, sizeof(*a));
    if ((rc = ber_expect(it, BER_UNIV(BER_SET), &m, "MessageSubmissionArgument.envelope")) < 0 ||
        (rc = decode_envelope(c, &m, &a->envelope, false)) < 0 ||
        (rc = ber_expect(it, BER_UNIV(BER_OCTET_STRING), &m, "MessageSubmissionArgument.content")) < 0)
        return rc;
    return mhs_get_octets(c, &m, "MessageSubmissionArgument.content", &a->content);
}

static int submission_arg_top(struct ber_ctx *c, const struct ber_tlv *t, void *out)
{
    static const char type[] = "MessageSubmissionArgument";
    struct ber_iter it;
    int rc;

    if ((rc = mhs_enter(c, t, BER_SEQUENCE, &it, type)) < 0 ||
        (rc = mts_submission_arg_decode_members(c, &it, out)) < 0)
        return rc;
    return ber_end(&it, type);
}

int mts_submission_arg_decode(struct ber_slice in, struct mts_submission_arg *a, struct ber_error *err)
{
    return mhs_decode_top(in, err, "MessageSubmissionArgument", submission_arg_top, a);
}

int mts_submission_arg_encode(struct ber_writer *w, const struct mts_submission_arg *a)
{
    ber_mark_t m = ber_mark(w);

    mhs_put_octets(w, BER_UNIV(BER_OCTET_STRING), &a->content);
    put_envelope(w, &a->envelope, false);
    return ber_wrap(w, m, BER_UNIV(BER_SEQUENCE), true);
}

static int probe_top(struct ber_ctx *c, const struct ber_tlv *t, void *out)
{
    return decode_envelope(c, t, out, true);
}

int mts_probe_submission_arg_decode(struct ber_slice in, struct mts_submission_envelope *e,
                                    struct ber_error *err)
{
    return mhs_decode_top(in, err, "ProbeSubmissionArgument", probe_top, e);
}

int mts_probe_submission_arg_encode(struct ber_writer *w, const struct mts_submission_envelope *e)
{
    return put_envelope(w, e, true);
}

static int submission_result_member(struct ber_ctx *c, const struct ber_tlv *m, uint64_t *seen,
                                    const char *type, void *out)
{
    struct mts_submission_result *r = out;
    int rc;

    switch (m->tag) {
    case BER_APP(4):
        if ((rc = mhs_seen(c, m, seen, 0, type)) < 0 ||
            (rc = mts_identifier_decode_tlv(c, m, &r->identifier, "SubmissionResult.identifier")) < 0)
            return rc;
        break;
    case BER_CTX(0):
        if ((rc = mhs_seen(c, m, seen, 1, type)) < 0 ||
            (rc = mhs_get_time(c, m, "SubmissionResult.time", &r->time)) < 0)
            return rc;
        break;
    case BER_APP(10):
        if ((rc = mhs_seen(c, m, seen, 2, type)) < 0 ||
            (rc = mhs_get_str(c, m, "SubmissionResult.content-identifier", BER_PRINTABLE_STRING,
                              1, MTS_UB_CONTENT_ID, &r->content_identifier)) < 0)
            return rc;
        break;
    case BER_CTX(1):
        if ((rc = ext_member(c, m, seen, 3, type, &r->extensions, "SubmissionResult.extensions")) < 0)
            return rc;
        break;
    case BER_CTX(4):
        if ((rc = mhs_seen(c, m, seen, 4, type)) < 0)
            return rc;
        r->ms_result = ber_tlv_whole(m);
        break;
    default:
        return 1;
    }
    return 0;
}

int mts_submission_result_decode_tlv(struct ber_ctx *c, const struct ber_tlv *t,
                                     struct mts_submission_result *r)
{
    static const char type[] = "SubmissionResult";
    uint64_t seen = 0;
    int rc;

    memset(r, 0, sizeof(*r));
    if ((rc = mhs_decode_set(c, t, type, submission_result_member, r, &seen)) < 0)
        return rc;
    if ((seen & 3) != 3)
        return missing(c, t, type, (seen & 1) ? "time missing" : "identifier missing");
    return 0;
}

static int submission_result_top(struct ber_ctx *c, const struct ber_tlv *t, void *out)
{
    return mts_submission_result_decode_tlv(c, t, out);
}

int mts_submission_result_decode(struct ber_slice in, struct mts_submission_result *r,
                                 struct ber_error *err)
{
    return mhs_decode_top(in, err, "SubmissionResult", submission_result_top, r);
}

int mts_submission_result_encode(struct ber_writer *w, const struct mts_submission_result *r)
{
    ber_mark_t m = ber_mark(w);

    if (r->ms_result.len)
        mhs_put_slice(w, r->ms_result);
    put_ext_list(w, 1, &r->extensions);
    mhs_put_time(w, BER_CTX(0), &r->time);
    if (mhs_str_present(&r->content_identifier))
        mhs_put_str(w, BER_APP(10), &r->content_identifier);
    mts_identifier_encode(w, BER_APP(4), &r->identifier);
    return ber_wrap(w, m, BER_UNIV(BER_SET), true);
}

/* ---- delivery (8.3) ---------------------------------------------------------- */

static int decode_orname_list(struct ber_ctx *c, const struct ber_tlv *t, struct mhs_seq *s,
                              const char *type)
{
    struct ber_iter it;
    struct ber_tlv m;
    struct or_address a;
    int rc;

    if ((rc = mhs_seq_from_tlv(c, t, s, type, MTS_UB_RECIPIENTS)) < 0)
        return rc;
    if ((rc = ber_enter(c, t, &it, type)) < 0)
        return rc;
    while ((rc = ber_next(&it, &m)) == 1) {
        if (m.tag != BER_APP(0))
            return mhs_wrong_tag(c, &m, type);
        if ((rc = or_name_decode_tlv(c, &m, &a, type)) < 0)
            return rc;
    }
    return rc;
}

static int orname_elem(struct ber_ctx *c, const struct ber_tlv *t, void *out)
{
    return or_name_decode_tlv(c, t, out, "ORName");
}

int mts_orname_next(struct mhs_seq_iter *i, struct or_address *a)
{
    return mhs_seq_iter_decode(i, BER_APP(0), "ORName", orname_elem, a);
}

static int other_fields_member(struct ber_ctx *c, const struct ber_tlv *m, uint64_t *seen,
                               const char *type, void *out)
{
    struct mts_delivery_arg *a = out;
    int64_t v;
    int rc;

    if (is_content_type_tag(m->tag, BER_CTX(0))) {
        if ((rc = mhs_seen(c, m, seen, 0, type)) < 0 ||
            (rc = decode_content_type(c, m, BER_CTX(0), &a->content_type,
                                      "OtherMessageDeliveryFields.content-type")) < 0)
            return rc;
        return 0;
    }
    switch (m->tag) {
    case BER_APP(0):
        if ((rc = mhs_seen(c, m, seen, 1, type)) < 0 ||
            (rc = or_name_decode_tlv(c, m, &a->originator_name, "OtherMessageDeliveryFields.originator-name")) < 0)
            return rc;
        break;
    case BER_CTX(1):
        if ((rc = mhs_seen(c, m, seen, 2, type)) < 0)
            return rc;
        a->original_eits = ber_tlv_whole(m);
        break;
    case BER_APP(7):
        if ((rc = mhs_seen(c, m, seen, 3, type)) < 0 ||
            (rc = ber_get_enum(c, m, "OtherMessageDeliveryFields.priority", &v)) < 0)
            return rc;
        if (v < 0 || v > 2)
            return ber_fail(c, m->start, X400MS_EPROTO, "OtherMessageDeliveryFields.priority", "unknown value");
        a->priority = (int)v;
        break;
    case BER_CTX(2):
        if ((rc = mhs_seen(c, m, seen, 4, type)) < 0 ||
            (rc = ber_get_bits_u32(c, m, "OtherMessageDeliveryFields.delivery-flags", &a->delivery_flags)) < 0)
            return rc;
        a->has_delivery_flags = true;
        break;
    case BER_CTX(3):
        if ((rc = mhs_seen(c, m, seen, 5, type)) < 0 ||
            (rc = decode_orname_list(c, m, &a->other_recipients, "OtherMessageDeliveryFields.other-recipient-names")) < 0)
            return rc;
        a->has_other_recipients = true;
        break;
    case BER_CTX(4):
        if ((rc = mhs_seen(c, m, seen, 6, type)) < 0 ||
            (rc = or_name_decode_tlv(c, m, &a->this_recipient_name, "OtherMessageDeliveryFields.this-recipient-name")) < 0)
            return rc;
        break;
    case BER_CTX(5):
        if ((rc = mhs_seen(c, m, seen, 7, type)) < 0 ||
            (rc = or_name_decode_tlv(c, m, &a->originally_intended, "OtherMessageDeliveryFields.originally-intended-recipient-name")) < 0)
            return rc;
        a->has_originally_intended = true;
        break;
    case BER_CTX(6):
        if ((rc = mhs_seen(c, m, seen, 8, type)) < 0)
            return rc;
        a->converted_eits = ber_tlv_whole(m);
        break;
    case BER_CTX(7):
        if ((rc = mhs_seen(c, m, seen, 9, type)) < 0 ||
            (rc = mhs_get_time(c, m, "OtherMessageDeliveryFields.message-submission-time", &a->submission_time)) < 0)
            return rc;
        break;
    case BER_CTX(8):
        if ((rc = mhs_seen(c, m, seen, 10, type)) < 0 ||
            (rc = mhs_get_str(c, m, "OtherMessageDeliveryFields.content-identifier", BER_PRINTABLE_STRING,
                              1, MTS_UB_CONTENT_ID, &a->content_identifier)) < 0)
            return rc;
        break;
    case BER_CTX(9):
        if ((rc = ext_member(c, m, seen, 11, type, &a->extensions, "OtherMessageDeliveryFields.extensions")) < 0)
            return rc;
        break;
    default:
        return 1;
    }
    return 0;
}

static int decode_other_fields(struct ber_ctx *c, const struct ber_tlv *t, struct mts_delivery_arg *a)
{
    static const char type[] = "OtherMessageDeliveryFields";
    uint64_t seen = 0;
    int rc;

    if ((rc = mhs_decode_set(c, t, type, other_fields_member, a, &seen)) < 0)
        return rc;
    if (!(seen & 1))
        return missing(c, t, type, "content-type missing");
    if (!(seen & 2))
        return missing(c, t, type, "originator-name missing");
    if (!(seen & (1u << 6)))
        return missing(c, t, type, "this-recipient-name missing");
    if (!(seen & (1u << 9)))
        return missing(c, t, type, "message-submission-time missing");
    return 0;
}

static int delivery_arg_top(struct ber_ctx *c, const struct ber_tlv *t, void *out)
{
    static const char type[] = "MessageDeliveryArgument";
    struct mts_delivery_arg *a = out;
    struct ber_iter it;
    struct ber_tlv m;
    int rc;

    memset(a, 0, sizeof(*a));
    if ((rc = mhs_enter(c, t, BER_SEQUENCE, &it, type)) < 0 ||
        (rc = ber_expect(&it, BER_APP(4), &m, "MessageDeliveryArgument.message-delivery-identifier")) < 0 ||
        (rc = mts_identifier_decode_tlv(c, &m, &a->delivery_identifier,
                                        "MessageDeliveryArgument.message-delivery-identifier")) < 0 ||
        (rc = ber_expect(&it, BER_UNIV(BER_UTC_TIME), &m, "MessageDeliveryArgument.message-delivery-time")) < 0 ||
        (rc = mhs_get_time(c, &m, "MessageDeliveryArgument.message-delivery-time", &a->delivery_time)) < 0 ||
        (rc = ber_expect(&it, BER_UNIV(BER_SET), &m, "MessageDeliveryArgument.other-fields")) < 0 ||
        (rc = decode_other_fields(c, &m, a)) < 0 ||
        (rc = ber_expect(&it, BER_UNIV(BER_OCTET_STRING), &m, "MessageDeliveryArgument.content")) < 0 ||
        (rc = mhs_get_octets(c, &m, "MessageDeliveryArgument.content", &a->content)) < 0)
        return rc;
    return ber_end(&it, type);
}

int mts_delivery_arg_decode(struct ber_slice in, struct mts_delivery_arg *a, struct ber_error *err)
{
    return mhs_decode_top(in, err, "MessageDeliveryArgument", delivery_arg_top, a);
}

int mts_delivery_arg_encode(struct ber_writer *w, const struct mts_delivery_arg *a)
{
    ber_mark_t m = ber_mark(w), set;

    mhs_put_octets(w, BER_UNIV(BER_OCTET_STRING), &a->content);
    set = ber_mark(w);
    /* OtherMessageDeliveryFields, tag order backwards: CONTEXT 9..0, then
     * APPLICATION 7, 0 (and UNIVERSAL OID content type first). */
    put_ext_list(w, 9, &a->extensions);
    if (mhs_str_present(&a->content_identifier))
        mhs_put_str(w, BER_CTX(8), &a->content_identifier);
    mhs_put_time(w, BER_CTX(7), &a->submission_time);
    if (a->converted_eits.len)
        mhs_put_slice(w, a->converted_eits);
    if (a->has_originally_intended)
        or_name_encode(w, BER_CTX(5), &a->originally_intended);
    or_name_encode(w, BER_CTX(4), &a->this_recipient_name);
    if (a->has_other_recipients)
        mhs_put_seq(w, BER_CTX(3), &a->other_recipients);
    if (a->has_delivery_flags)
        ber_put_bits_u32(w, BER_CTX(2), a->delivery_flags);
    if (a->original_eits.len)
        mhs_put_slice(w, a->original_eits);
    if (a->content_type.builtin)
        put_content_type(w, BER_CTX(0), &a->content_type);
    if (a->priority != MTS_PRIORITY_NORMAL)
        ber_put_enum(w, BER_APP(7), a->priority);
    or_name_encode(w, BER_APP(0), &a->originator_name);
    if (!a->content_type.builtin)
        put_content_type(w, BER_CTX(0), &a->content_type);
    ber_wrap(w, set, BER_UNIV(BER_SET), true);
    mhs_put_time(w, BER_UNIV(BER_UTC_TIME), &a->delivery_time);
    mts_identifier_encode(w, BER_APP(4), &a->delivery_identifier);
    return ber_wrap(w, m, BER_UNIV(BER_SEQUENCE), true);
}

static int delivery_result_member(struct ber_ctx *c, const struct ber_tlv *m, uint64_t *seen,
                                  const char *type, void *out)
{
    struct mts_delivery_result *r = out;
    int rc;

    if (m->tag == BER_CTX(0) || m->tag == BER_CTX(1) || m->tag == BER_CTX(2)) {
        if ((rc = mhs_seen(c, m, seen, BER_TAG_NUMBER(m->tag), type)) < 0)
            return rc;
        if (m->tag == BER_CTX(0))
            r->recipient_certificate = ber_tlv_whole(m);
        else if (m->tag == BER_CTX(1))
            r->proof_of_delivery = ber_tlv_whole(m);
        else if ((rc = decode_ext_list(c, m, &r->extensions, "MessageDeliveryResult.extensions")) < 0)
            return rc;
    }
    /* extensible SET: unknown members ignored */
    return 0;
}

static int delivery_result_top(struct ber_ctx *c, const struct ber_tlv *t, void *out)
{
    static const char type[] = "MessageDeliveryResult";
    struct mts_delivery_result *r = out;
    uint64_t seen = 0;

    memset(r, 0, sizeof(*r));
    return mhs_decode_set(c, t, type, delivery_result_member, r, &seen);
}

int mts_delivery_result_decode(struct ber_slice in, struct mts_delivery_result *r,
                               struct ber_error *err)
{
    return mhs_decode_top(in, err, "MessageDeliveryResult", delivery_result_top, r);
}

int mts_delivery_result_encode(struct ber_writer *w, const struct mts_delivery_result *r)
{
    ber_mark_t m = ber_mark(w);

    put_ext_list(w, 2, &r->extensions);
    if (r->proof_of_delivery.len)
        mhs_put_slice(w, r->proof_of_delivery);
    if (r->recipient_certificate.len)
        mhs_put_slice(w, r->recipient_certificate);
    return ber_wrap(w, m, BER_UNIV(BER_SET), true);
}

/* ---- report delivery (8.3.1.2) --------------------------------------------- */

static int decode_report_type(struct ber_ctx *c, const struct ber_tlv *t, struct mts_report_recipient *r)
{
    static const char type[] = "PerRecipientReportDeliveryFields.report-type";
    struct ber_tlv in, m;
    struct ber_iter it;
    uint64_t seen = 0;
    int64_t v;
    int rc;

    if ((rc = ber_explicit(c, t, &in, type)) < 0)
        return rc;
    if (in.tag != BER_CTX(0) && in.tag != BER_CTX(1))
        return ber_fail(c, in.start, X400MS_EPROTO, type, "unknown alternative");
    r->delivered = in.tag == BER_CTX(0);
    if ((rc = ber_enter(c, &in, &it, type)) < 0)
        return rc;
    while ((rc = ber_next(&it, &m)) == 1) {
        if (m.tag != BER_CTX(0) && m.tag != BER_CTX(1))
            return mhs_unexpected(c, &m, type);
        if ((rc = mhs_seen(c, &m, &seen, BER_TAG_NUMBER(m.tag), type)) < 0)
            return rc;
        if (r->delivered && m.tag == BER_CTX(0)) {
            rc = mhs_get_time(c, &m, "DeliveryReport.message-delivery-time", &r->delivery_time);
        } else {
            rc = ber_get_int64(c, &m, type, &v);
            if (rc == 0 && (v < 0 || v > 32767))
                rc = ber_fail(c, m.start, X400MS_EPROTO, type, "value out of range");
            if (rc == 0) {
                if (r->delivered)
                    r->type_of_mts_user = (int32_t)v;
                else if (m.tag == BER_CTX(0))
                    r->reason_code = (int32_t)v;
                else
                    r->diagnostic_code = (int32_t)v;
            }
        }
        if (rc < 0)
            return rc;
    }
    if (rc < 0)
        return rc;
    if (!(seen & 1))
        return missing(c, &in, type, r->delivered ? "message-delivery-time missing"
                                                  : "non-delivery-reason-code missing");
    return 0;
}

static int report_recipient_member(struct ber_ctx *c, const struct ber_tlv *m, uint64_t *seen,
                                   const char *type, void *out)
{
    struct mts_report_recipient *r = out;
    int rc;

    switch (m->tag) {
    case BER_CTX(0):
        if ((rc = mhs_seen(c, m, seen, 0, type)) < 0 ||
            (rc = or_name_decode_tlv(c, m, &r->actual_recipient, "PerRecipientReportDeliveryFields.actual-recipient-name")) < 0)
            return rc;
        break;
    case BER_CTX(1):
        if ((rc = mhs_seen(c, m, seen, 1, type)) < 0 || (rc = decode_report_type(c, m, r)) < 0)
            return rc;
        break;
    case BER_APP(5):
        if ((rc = mhs_seen(c, m, seen, 2, type)) < 0)
            return rc;
        r->converted_eits = ber_tlv_whole(m);
        break;
    case BER_CTX(2):
        if ((rc = mhs_seen(c, m, seen, 3, type)) < 0 ||
            (rc = or_name_decode_tlv(c, m, &r->originally_intended, "PerRecipientReportDeliveryFields.originally-intended-recipient-name")) < 0)
            return rc;
        r->has_originally_intended = true;
        break;
    case BER_CTX(3):
        if ((rc = mhs_seen(c, m, seen, 4, type)) < 0 ||
            (rc = mhs_get_str(c, m, "PerRecipientReportDeliveryFields.supplementary-information",
                              BER_PRINTABLE_STRING, 1, MTS_UB_SUPPLEMENTARY_INFO, &r->supplementary_info)) < 0)
            return rc;
        break;
    case BER_CTX(4):
        if ((rc = ext_member(c, m, seen, 5, type, &r->extensions, "PerRecipientReportDeliveryFields.extensions")) < 0)
            return rc;
        break;
    default:
        return 1;
    }
    return 0;
}

static int decode_report_recipient(struct ber_ctx *c, const struct ber_tlv *t, void *out)
{
    struct mts_report_recipient *r = out;
    static const char type[] = "PerRecipientReportDeliveryFields";
    uint64_t seen = 0;
    int rc;

    memset(r, 0, sizeof(*r));
    r->diagnostic_code = -1;
    if ((rc = mhs_decode_set(c, t, type, report_recipient_member, r, &seen)) < 0)
        return rc;
    if ((seen & 3) != 3)
        return missing(c, t, type, (seen & 1) ? "report-type missing" : "actual-recipient-name missing");
    return 0;
}

int mts_report_recipient_next(struct mhs_seq_iter *i, struct mts_report_recipient *r)
{
    return mhs_seq_iter_decode(i, 0, NULL, decode_report_recipient, r);
}

int mts_report_recipient_encode(struct ber_writer *w, const struct mts_report_recipient *r)
{
    ber_mark_t m = ber_mark(w), rt, alt;

    put_ext_list(w, 4, &r->extensions);
    if (mhs_str_present(&r->supplementary_info))
        mhs_put_str(w, BER_CTX(3), &r->supplementary_info);
    if (r->has_originally_intended)
        or_name_encode(w, BER_CTX(2), &r->originally_intended);
    rt = ber_mark(w);
    alt = ber_mark(w);
    if (r->delivered) {
        if (r->type_of_mts_user != 0)
            ber_put_int64(w, BER_CTX(1), r->type_of_mts_user);
        mhs_put_time(w, BER_CTX(0), &r->delivery_time);
        ber_wrap(w, alt, BER_CTX(0), true);
    } else {
        if (r->diagnostic_code >= 0)
            ber_put_int64(w, BER_CTX(1), r->diagnostic_code);
        ber_put_int64(w, BER_CTX(0), r->reason_code);
        ber_wrap(w, alt, BER_CTX(1), true);
    }
    ber_wrap(w, rt, BER_CTX(1), true);
    or_name_encode(w, BER_CTX(0), &r->actual_recipient);
    if (r->converted_eits.len)
        mhs_put_slice(w, r->converted_eits);
    return ber_wrap(w, m, BER_UNIV(BER_SET), true);
}

static int report_arg_member(struct ber_ctx *c, const struct ber_tlv *m, uint64_t *seen,
                             const char *type, void *out)
{
    struct mts_report_delivery_arg *a = out;
    struct ber_iter rl;
    struct ber_tlv e;
    struct mts_report_recipient r;
    int rc;

    if (is_content_type_tag(m->tag, BER_APP(6))) {
        if ((rc = mhs_seen(c, m, seen, 0, type)) < 0 ||
            (rc = decode_content_type(c, m, BER_APP(6), &a->content_type, "ReportDeliveryArgument.content-type")) < 0)
            return rc;
        return 0;
    }
    switch (m->tag) {
    case BER_APP(4):
        if ((rc = mhs_seen(c, m, seen, 1, type)) < 0 ||
            (rc = mts_identifier_decode_tlv(c, m, &a->subject_submission_identifier,
                                            "ReportDeliveryArgument.subject-submission-identifier")) < 0)
            return rc;
        break;
    case BER_APP(10):
        if ((rc = mhs_seen(c, m, seen, 2, type)) < 0 ||
            (rc = mhs_get_str(c, m, "ReportDeliveryArgument.content-identifier", BER_PRINTABLE_STRING,
                              1, MTS_UB_CONTENT_ID, &a->content_identifier)) < 0)
            return rc;
        break;
    case BER_APP(5):
        if ((rc = mhs_seen(c, m, seen, 3, type)) < 0)
            return rc;
        a->original_eits = ber_tlv_whole(m);
        break;
    case BER_CTX(1):
        if ((rc = ext_member(c, m, seen, 4, type, &a->extensions, "ReportDeliveryArgument.extensions")) < 0)
            return rc;
        break;
    case BER_UNIV(BER_SEQUENCE):
        if ((rc = mhs_seen(c, m, seen, 5, type)) < 0 ||
            (rc = mhs_seq_from_tlv(c, m, &a->recipients, "ReportDeliveryArgument.per-recipient-fields",
                                   MTS_UB_RECIPIENTS)) < 0 ||
            (rc = ber_enter(c, m, &rl, type)) < 0)
            return rc;
        while ((rc = ber_next(&rl, &e)) == 1)
            if ((rc = decode_report_recipient(c, &e, &r)) < 0)
                return rc;
        if (rc < 0)
            return rc;
        if (a->recipients.count == 0)
            return missing(c, m, type, "no recipients");
        break;
    case BER_CTX(0):
        if ((rc = mhs_seen(c, m, seen, 6, type)) < 0 ||
            (rc = mhs_get_octets(c, m, "ReportDeliveryArgument.returned-content", &a->returned_content)) < 0)
            return rc;
        a->has_returned_content = true;
        break;
    default:
        return 1;
    }
    return 0;
}

static int report_arg_top(struct ber_ctx *c, const struct ber_tlv *t, void *out)
{
    static const char type[] = "ReportDeliveryArgument";
    struct mts_report_delivery_arg *a = out;
    uint64_t seen = 0;
    int rc;

    memset(a, 0, sizeof(*a));
    if ((rc = mhs_decode_set(c, t, type, report_arg_member, a, &seen)) < 0)
        return rc;
    if (!(seen & 2))
        return missing(c, t, type, "subject-submission-identifier missing");
    if (!(seen & (1u << 5)))
        return missing(c, t, type, "per-recipient-fields missing");
    return 0;
}

int mts_report_delivery_arg_decode(struct ber_slice in, struct mts_report_delivery_arg *a,
                                   struct ber_error *err)
{
    return mhs_decode_top(in, err, "ReportDeliveryArgument", report_arg_top, a);
}

int mts_report_delivery_arg_encode(struct ber_writer *w, const struct mts_report_delivery_arg *a)
{
    ber_mark_t m = ber_mark(w);

    /* Tag order: UNIVERSAL (OID, SEQUENCE), APPLICATION 4,5,6,10, CONTEXT 0,1. */
    put_ext_list(w, 1, &a->extensions);
    if (a->has_returned_content)
        mhs_put_octets(w, BER_CTX(0), &a->returned_content);
    if (mhs_str_present(&a->content_identifier))
        mhs_put_str(w, BER_APP(10), &a->content_identifier);
    if (a->content_type.present && a->content_type.builtin)
        put_content_type(w, BER_APP(6), &a->content_type);
    if (a->original_eits.len)
        mhs_put_slice(w, a->original_eits);
    mts_identifier_encode(w, BER_APP(4), &a->subject_submission_identifier);
    if (a->recipient_array) {
        ber_mark_t s = ber_mark(w);

        for (uint32_t i = a->n_recipient_array; i-- > 0;)
            mts_report_recipient_encode(w, &a->recipient_array[i]);
        ber_wrap(w, s, BER_UNIV(BER_SEQUENCE), true);
    } else {
        mhs_put_seq(w, BER_UNIV(BER_SEQUENCE), &a->recipients);
    }
    if (a->content_type.present && !a->content_type.builtin)
        put_content_type(w, BER_APP(6), &a->content_type);
    return ber_wrap(w, m, BER_UNIV(BER_SET), true);
}

/* ---- error parameters ---------------------------------------------------------- */

int mts_security_error_decode(struct ber_slice in, int *problem, struct ber_error *err)
{
    return decode_int_param(in, "SecurityProblem", problem, err);
}

int mts_security_error_encode(struct ber_writer *w, int problem)
{
    return ber_put_int64(w, BER_UNIV(BER_INTEGER), problem);
}

static int improper_top(struct ber_ctx *c, const struct ber_tlv *t, void *out)
{
    if (t->tag != BER_UNIV(BER_SEQUENCE))
        return mhs_wrong_tag(c, t, "ImproperlySpecifiedRecipients");
    return decode_orname_list(c, t, out, "ImproperlySpecifiedRecipients");
}

int mts_improper_recipients_decode(struct ber_slice in, struct mhs_seq *names, struct ber_error *err)
{
    return mhs_decode_top(in, err, "ImproperlySpecifiedRecipients", improper_top, names);
}

int mts_improper_recipients_encode(struct ber_writer *w, const struct or_address *names, size_t n)
{
    ber_mark_t m = ber_mark(w);

    for (size_t i = n; i-- > 0;)
        or_name_encode(w, BER_APP(0), &names[i]);
    return ber_wrap(w, m, BER_UNIV(BER_SEQUENCE), true);
}
