/* X.420 interpersonal messaging codec: implements asn1/ipms.asn (IMPLICIT
 * tags). See asn1/ipms.h. Clause numbers are X.420 (06/1999). */
#include "asn1/ipms.h"

#include <string.h>

#include "asn1/mhs_set.h"

/* OIDs (contents octets). */
static const uint8_t oid_et_general_text[] = { 0x56, 0x01, 0x04, 0x0b };   /* 2.6.1.4.11 */
static const uint8_t oid_ep_general_text[] = { 0x56, 0x01, 0x0b, 0x0b };   /* 2.6.1.11.11 */
static const uint8_t oid_primary_prec[] = { 0x2b, 0x1a, 0x00, 0xa2, 0x36, 0x00, 0x02, 0x00 }; /* 1.3.26.0.4406.0.2.0 */
static const uint8_t oid_copy_prec[] = { 0x2b, 0x1a, 0x00, 0xa2, 0x36, 0x00, 0x02, 0x01 };    /* 1.3.26.0.4406.0.2.1 */

#define SLICE(a) ber_slice_make(a, sizeof(a))

static int get_enum_range(struct ber_ctx *c, const struct ber_tlv *t, const char *type, int lo, int hi,
                          int *out)
{
    int64_t v;
    int rc = ber_get_enum(c, t, type, &v);

    if (rc < 0)
        return rc;
    if (v < lo || v > hi)
        return ber_fail(c, t->start, X400MS_EPROTO, type, "unknown value");
    *out = (int)v;
    return 0;
}

/* ---- IPMIdentifier, ORDescriptor, RecipientSpecifier (7.1) ---------------------- */

static int decode_identifier(struct ber_ctx *c, const struct ber_tlv *t, void *out)
{
    struct ipm_identifier *id = out;
    static const char type[] = "IPMIdentifier";
    struct ber_iter it;
    struct ber_tlv m;
    bool have_local = false;
    int rc;

    memset(id, 0, sizeof(*id));
    if ((rc = ber_enter(c, t, &it, type)) < 0)
        return rc;
    while ((rc = ber_next(&it, &m)) == 1) {
        if (m.tag == BER_APP(0) && !id->has_user) {
            if ((rc = or_name_decode_tlv(c, &m, &id->user, "IPMIdentifier.user")) < 0)
                return rc;
            id->has_user = true;
        } else if (m.tag == BER_UNIV(BER_PRINTABLE_STRING) && !have_local) {
            if ((rc = mhs_get_str(c, &m, "IPMIdentifier.user-relative-identifier", BER_PRINTABLE_STRING,
                                  0, IPMS_UB_LOCAL_IPM_ID, &id->local_id)) < 0)
                return rc;
            have_local = true;
        } else {
            return mhs_unexpected(c, &m, type);
        }
    }
    if (rc == 0 && !have_local)
        return ber_fail(c, t->start, X400MS_EPROTO, type, "user-relative-identifier missing");
    return rc;
}

static int put_identifier(struct ber_writer *w, ber_tag_t tag, const struct ipm_identifier *id)
{
    ber_mark_t m = ber_mark(w);

    mhs_put_str(w, BER_UNIV(BER_PRINTABLE_STRING), &id->local_id);
    if (id->has_user)
        or_name_encode(w, BER_APP(0), &id->user);
    return ber_wrap(w, m, tag, true);
}

int ipm_identifier_next(struct mhs_seq_iter *i, struct ipm_identifier *id)
{
    return mhs_seq_iter_decode(i, BER_APP(11), "IPMIdentifier", decode_identifier, id);
}

static int decode_descriptor(struct ber_ctx *c, const struct ber_tlv *t, void *out)
{
    struct ipm_or_descriptor *d = out;
    static const char type[] = "ORDescriptor";
    struct ber_iter it;
    struct ber_tlv m;
    uint64_t seen = 0;
    int rc;

    memset(d, 0, sizeof(*d));
    if ((rc = ber_enter(c, t, &it, type)) < 0)
        return rc;
    while ((rc = ber_next(&it, &m)) == 1) {
        if (m.tag == BER_APP(0)) {
            if ((rc = mhs_seen(c, &m, &seen, 0, type)) < 0 ||
                (rc = or_name_decode_tlv(c, &m, &d->formal_name, "ORDescriptor.formal-name")) < 0)
                return rc;
            d->has_formal_name = true;
        } else if (m.tag == BER_CTX(0)) {
            if ((rc = mhs_seen(c, &m, &seen, 1, type)) < 0 ||
                (rc = mhs_get_str(c, &m, "ORDescriptor.free-form-name", BER_TELETEX_STRING, 0,
                                  IPMS_UB_FREE_FORM_NAME, &d->free_form_name)) < 0)
                return rc;
        } else if (m.tag == BER_CTX(1)) {
            if ((rc = mhs_seen(c, &m, &seen, 2, type)) < 0 ||
                (rc = mhs_get_str(c, &m, "ORDescriptor.telephone-number", BER_PRINTABLE_STRING, 0,
                                  IPMS_UB_TELEPHONE, &d->telephone_number)) < 0)
                return rc;
        } else {
            return mhs_unexpected(c, &m, type);
        }
    }
    return rc;
}

static int put_descriptor(struct ber_writer *w, ber_tag_t tag, const struct ipm_or_descriptor *d)
{
    ber_mark_t m = ber_mark(w);

    if (mhs_str_present(&d->telephone_number))
        mhs_put_str(w, BER_CTX(1), &d->telephone_number);
    if (mhs_str_present(&d->free_form_name))
        mhs_put_str(w, BER_CTX(0), &d->free_form_name);
    if (d->has_formal_name)
        or_name_encode(w, BER_APP(0), &d->formal_name);
    return ber_wrap(w, m, tag, true);
}

int ipm_or_descriptor_next(struct mhs_seq_iter *i, struct ipm_or_descriptor *d)
{
    return mhs_seq_iter_decode(i, BER_UNIV(BER_SET), "ORDescriptor", decode_descriptor, d);
}

static int recipient_member(struct ber_ctx *c, const struct ber_tlv *m, uint64_t *seen,
                            const char *type, void *out)
{
    struct ipm_recipient *r = out;
    int rc = 0;

    if (BER_TAG_CLASS(m->tag) != BER_CLASS_CONTEXT || BER_TAG_NUMBER(m->tag) > 3)
        return 1;
    if ((rc = mhs_seen(c, m, seen, BER_TAG_NUMBER(m->tag), type)) < 0)
        return rc;
    switch (BER_TAG_NUMBER(m->tag)) {
    case 0: rc = decode_descriptor(c, m, &r->recipient); break;
    case 1: rc = ber_get_bits_u32(c, m, "RecipientSpecifier.notification-requests", &r->notification_requests); break;
    case 2: rc = ber_get_bool(c, m, "RecipientSpecifier.reply-requested", &r->reply_requested); break;
    default:
        if (!m->constructed)
            rc = ber_fail(c, m->start, X400MS_EPROTO, type, "expected constructed");
        r->extensions = ber_tlv_whole(m);
        break;
    }
    if (rc < 0)
        return rc;
    return 0;
}

static int decode_recipient(struct ber_ctx *c, const struct ber_tlv *t, void *out)
{
    struct ipm_recipient *r = out;
    static const char type[] = "RecipientSpecifier";
    uint64_t seen = 0;
    int rc;

    memset(r, 0, sizeof(*r));
    if ((rc = mhs_decode_set(c, t, type, recipient_member, r, &seen)) < 0)
        return rc;
    if (!(seen & 1))
        return ber_fail(c, t->start, X400MS_EPROTO, type, "recipient missing");
    return 0;
}

int ipm_recipient_next(struct mhs_seq_iter *i, struct ipm_recipient *r)
{
    return mhs_seq_iter_decode(i, 0, NULL, decode_recipient, r);
}

int ipm_recipient_encode(struct ber_writer *w, const struct ipm_recipient *r)
{
    ber_mark_t m = ber_mark(w);

    if (r->extensions.len)
        mhs_put_slice(w, r->extensions);
    if (r->reply_requested)
        ber_put_bool(w, BER_CTX(2), true);
    if (r->notification_requests)
        ber_put_bits_u32(w, BER_CTX(1), r->notification_requests);
    put_descriptor(w, BER_CTX(0), &r->recipient);
    return ber_wrap(w, m, BER_UNIV(BER_SET), true);
}

/* A SEQUENCE OF validated element by element with fn. */
static int decode_list(struct ber_ctx *c, const struct ber_tlv *t, struct mhs_seq *s, const char *type,
                       ber_tag_t elem_tag, int (*fn)(struct ber_ctx *, const struct ber_tlv *, void *),
                       void *scratch)
{
    struct ber_iter it;
    struct ber_tlv e;
    int rc;

    if ((rc = mhs_seq_from_tlv(c, t, s, type, 1000000u)) < 0 || (rc = ber_enter(c, t, &it, type)) < 0)
        return rc;
    while ((rc = ber_next(&it, &e)) == 1) {
        if (e.tag != elem_tag)
            return mhs_wrong_tag(c, &e, type);
        if ((rc = fn(c, &e, scratch)) < 0)
            return rc;
    }
    return rc;
}

static int decode_extension(struct ber_ctx *c, const struct ber_tlv *t, void *out)
{
    struct ipms_extension *e = out;
    static const char type[] = "IPMSExtension";
    struct ber_iter it;
    struct ber_tlv m;
    int rc;

    memset(e, 0, sizeof(*e));
    if ((rc = mhs_enter(c, t, BER_SEQUENCE, &it, type)) < 0 ||
        (rc = ber_expect(&it, BER_UNIV(BER_OID), &m, "IPMSExtension.type")) < 0 ||
        (rc = ber_get_oid(c, &m, "IPMSExtension.type", &e->type)) < 0 || (rc = ber_next(&it, &m)) < 0)
        return rc;
    if (rc == 1)
        e->value = ber_tlv_whole(&m);
    return ber_end(&it, type);
}

int ipms_extension_next(struct mhs_seq_iter *i, struct ipms_extension *e)
{
    return mhs_seq_iter_decode(i, 0, NULL, decode_extension, e);
}

/* ---- Heading (7.2) ---------------------------------------------------------------- */

/* STANAG 4406 precedences: INTEGER values of two heading extensions. */
static int decode_precedences(struct ber_ctx *c, struct ipm_heading *h)
{
    struct mhs_seq_iter i;
    struct ipms_extension e;
    int rc;

    mhs_seq_iter_init(&i, &h->extensions, c->err);
    while ((rc = ipms_extension_next(&i, &e)) == 1) {
        bool primary = ber_slice_eq(e.type, SLICE(oid_primary_prec));
        bool copy = ber_slice_eq(e.type, SLICE(oid_copy_prec));
        struct ber_ctx vc;
        struct ber_tlv vt;
        int64_t v;

        if (!primary && !copy)
            continue;
        if (!e.value.len)
            return ber_fail(c, NULL, X400MS_EPROTO, "Precedence", "value missing");
        ber_ctx_init(&vc, e.value.ptr, e.value.len, c->err);
        vc.origin = ber_offset_of(c, e.value.ptr);
        if ((rc = ber_decode_top(&vc, &vt, "Precedence")) < 0)
            return rc;
        if (vt.tag != BER_UNIV(BER_INTEGER))
            return mhs_wrong_tag(&vc, &vt, "Precedence");
        if ((rc = ber_get_int64(&vc, &vt, "Precedence", &v)) < 0)
            return rc;
        if (v < 0 || v > 127)
            return ber_fail(&vc, vt.start, X400MS_EPROTO, "Precedence", "out of range");
        if (primary)
            h->primary_precedence = (int)v;
        else
            h->copy_precedence = (int)v;
    }
    return rc;
}

static int decode_rlist(struct ber_ctx *c, const struct ber_tlv *t, struct ipm_recipient_list *l,
                        const char *type)
{
    struct ipm_recipient r;

    l->present = true;
    return decode_list(c, t, &l->raw, type, BER_UNIV(BER_SET), decode_recipient, &r);
}

static int heading_member(struct ber_ctx *c, const struct ber_tlv *m, uint64_t *seen,
                          const char *type, void *out)
{
    struct ipm_heading *h = out;
    struct ber_tlv in;
    union { struct ipm_or_descriptor d; struct ipm_identifier id; struct ipms_extension e; } scratch;
    unsigned n;
    int rc = 0;

    if (m->tag == BER_APP(11)) {
        if ((rc = mhs_seen(c, m, seen, 16, type)) < 0 ||
            (rc = decode_identifier(c, m, &h->this_ipm)) < 0)
            return rc;
        return 0;
    }
    if (BER_TAG_CLASS(m->tag) != BER_CLASS_CONTEXT || BER_TAG_NUMBER(m->tag) > 15)
        return 1;
    n = BER_TAG_NUMBER(m->tag);
    if ((rc = mhs_seen(c, m, seen, n, type)) < 0)
        return rc;
    switch (n) {
    case 0: rc = decode_descriptor(c, m, &h->originator); h->has_originator = true; break;
    case 1:
        rc = decode_list(c, m, &h->authorizing_users, "Heading.authorizing-users", BER_UNIV(BER_SET),
                         decode_descriptor, &scratch);
        h->has_authorizing_users = true;
        break;
    case 2: rc = decode_rlist(c, m, &h->primary, "Heading.primary-recipients"); break;
    case 3: rc = decode_rlist(c, m, &h->copy, "Heading.copy-recipients"); break;
    case 4: rc = decode_rlist(c, m, &h->blind_copy, "Heading.blind-copy-recipients"); break;
    case 5: rc = decode_identifier(c, m, &h->replied_to); h->has_replied_to = true; break;
    case 6: rc = decode_list(c, m, &h->obsoleted, "Heading.obsoleted-IPMs", BER_APP(11), decode_identifier, &scratch); break;
    case 7: rc = decode_list(c, m, &h->related, "Heading.related-IPMs", BER_APP(11), decode_identifier, &scratch); break;
    case 8: /* [8] EXPLICIT SubjectField */
        if ((rc = ber_explicit(c, m, &in, "Heading.subject")) < 0)
            return rc;
        if (in.tag != BER_UNIV(BER_TELETEX_STRING))
            return mhs_wrong_tag(c, &in, "Heading.subject");
        if ((rc = mhs_get_string_octets(c, &in, "Heading.subject", BER_TELETEX_STRING, &h->subject)) < 0)
            return rc;
        if (h->subject.str.nbytes > IPMS_UB_SUBJECT)
            return ber_fail(c, in.start, X400MS_EPROTO, "Heading.subject", "longer than 128 octets");
        h->has_subject = true;
        break;
    case 9: rc = mhs_get_time(c, m, "Heading.expiry-time", &h->expiry_time); break;
    case 10: rc = mhs_get_time(c, m, "Heading.reply-time", &h->reply_time); break;
    case 11:
        rc = decode_list(c, m, &h->reply_recipients, "Heading.reply-recipients", BER_UNIV(BER_SET),
                         decode_descriptor, &scratch);
        h->has_reply_recipients = true;
        break;
    case 12: rc = get_enum_range(c, m, "Heading.importance", 0, 2, &h->importance); break;
    case 13: rc = get_enum_range(c, m, "Heading.sensitivity", 1, 3, &h->sensitivity); break;
    case 14: rc = ber_get_bool(c, m, "Heading.auto-forwarded", &h->auto_forwarded); break;
    default:
        rc = decode_list(c, m, &h->extensions, "Heading.extensions", BER_UNIV(BER_SEQUENCE),
                         decode_extension, &scratch);
        if (rc == 0)
            rc = decode_precedences(c, h);
        break;
    }
    if (rc < 0)
        return rc;
    return 0;
}

static int decode_heading(struct ber_ctx *c, const struct ber_tlv *t, struct ipm_heading *h)
{
    static const char type[] = "Heading";
    uint64_t seen = 0;
    int rc;

    memset(h, 0, sizeof(*h));
    h->importance = IPM_IMPORTANCE_NORMAL;
    h->primary_precedence = h->copy_precedence = -1;
    if ((rc = mhs_decode_set(c, t, type, heading_member, h, &seen)) < 0)
        return rc;
    if (!(seen & (1u << 16)))
        return ber_fail(c, t->start, X400MS_EPROTO, type, "this-IPM missing");
    return 0;
}

static int put_rlist(struct ber_writer *w, unsigned n, const struct ipm_recipient_list *l)
{
    ber_mark_t m;

    if (!l->arr && (!l->present || !l->raw.raw.len))
        return w->error; /* DEFAULT {} */
    if (l->arr && l->n == 0)
        return w->error;
    m = ber_mark(w);
    if (l->arr) {
        for (uint32_t i = l->n; i-- > 0;)
            ipm_recipient_encode(w, &l->arr[i]);
    } else {
        mhs_put_slice(w, l->raw.raw);
    }
    return ber_wrap(w, m, BER_CTX(n), true);
}

static int put_heading(struct ber_writer *w, const struct ipm_heading *h)
{
    ber_mark_t m = ber_mark(w), x;

    /* Tag order: APPLICATION 11 then CONTEXT 0..15; pushed backwards. */
    if (h->extensions.raw.len)
        mhs_put_seq(w, BER_CTX(15), &h->extensions);
    if (h->auto_forwarded)
        ber_put_bool(w, BER_CTX(14), true);
    if (h->sensitivity)
        ber_put_enum(w, BER_CTX(13), h->sensitivity);
    if (h->importance != IPM_IMPORTANCE_NORMAL)
        ber_put_enum(w, BER_CTX(12), h->importance);
    if (h->has_reply_recipients)
        mhs_put_seq(w, BER_CTX(11), &h->reply_recipients);
    if (h->reply_time.present)
        mhs_put_time(w, BER_CTX(10), &h->reply_time);
    if (h->expiry_time.present)
        mhs_put_time(w, BER_CTX(9), &h->expiry_time);
    if (h->has_subject) {
        x = ber_mark(w);
        mhs_put_octets(w, BER_UNIV(BER_TELETEX_STRING), &h->subject);
        ber_wrap(w, x, BER_CTX(8), true);
    }
    if (h->related.raw.len)
        mhs_put_seq(w, BER_CTX(7), &h->related);
    if (h->obsoleted.raw.len)
        mhs_put_seq(w, BER_CTX(6), &h->obsoleted);
    if (h->has_replied_to)
        put_identifier(w, BER_CTX(5), &h->replied_to);
    if (h->blind_copy.present || h->blind_copy.arr) {
        /* OPTIONAL (not DEFAULT): an empty present list is kept */
        x = ber_mark(w);
        if (h->blind_copy.arr)
            for (uint32_t i = h->blind_copy.n; i-- > 0;)
                ipm_recipient_encode(w, &h->blind_copy.arr[i]);
        else
            mhs_put_slice(w, h->blind_copy.raw.raw);
        ber_wrap(w, x, BER_CTX(4), true);
    }
    put_rlist(w, 3, &h->copy);
    put_rlist(w, 2, &h->primary);
    if (h->has_authorizing_users)
        mhs_put_seq(w, BER_CTX(1), &h->authorizing_users);
    if (h->has_originator)
        put_descriptor(w, BER_CTX(0), &h->originator);
    put_identifier(w, BER_APP(11), &h->this_ipm);
    return ber_wrap(w, m, BER_UNIV(BER_SET), true);
}

/* ---- Body parts (7.3) ------------------------------------------------------------ */

static int decode_ia5(struct ber_ctx *c, const struct ber_tlv *t, struct ipm_body_part *b)
{
    static const char type[] = "IA5TextBodyPart";
    struct ber_iter it, pi;
    struct ber_tlv m, p;
    int rc;

    b->kind = IPM_BP_IA5_TEXT;
    b->repertoire = 5;
    if ((rc = ber_enter(c, t, &it, type)) < 0 ||
        (rc = ber_expect(&it, BER_UNIV(BER_SET), &m, "IA5TextBodyPart.parameters")) < 0 ||
        (rc = ber_enter(c, &m, &pi, "IA5TextBodyPart.parameters")) < 0)
        return rc;
    while ((rc = ber_next(&pi, &p)) == 1) {
        if (p.tag != BER_CTX(0))
            return mhs_unexpected(c, &p, "IA5TextParameters");
        if ((rc = get_enum_range(c, &p, "IA5TextParameters.repertoire", 2, 5, &b->repertoire)) < 0)
            return rc;
    }
    if (rc < 0 || (rc = ber_expect(&it, BER_UNIV(BER_IA5_STRING), &m, "IA5TextBodyPart.data")) < 0 ||
        (rc = mhs_get_string_octets(c, &m, "IA5TextBodyPart.data", BER_IA5_STRING, &b->text)) < 0)
        return rc;
    return ber_end(&it, type);
}

static int decode_message_bp(struct ber_ctx *c, const struct ber_tlv *t, struct ipm_body_part *b)
{
    static const char type[] = "MessageBodyPart";
    struct ber_iter it, pi;
    struct ber_tlv m, p;
    int rc;

    b->kind = IPM_BP_MESSAGE;
    if ((rc = ber_enter(c, t, &it, type)) < 0 ||
        (rc = ber_expect(&it, BER_UNIV(BER_SET), &m, "MessageBodyPart.parameters")) < 0 ||
        (rc = ber_enter(c, &m, &pi, "MessageBodyPart.parameters")) < 0)
        return rc;
    while ((rc = ber_next(&pi, &p)) == 1) {
        if (p.tag == BER_CTX(0)) {
            if ((rc = mhs_get_time(c, &p, "MessageParameters.delivery-time", &b->delivery_time)) < 0)
                return rc;
        } else if (p.tag == BER_CTX(1) && p.constructed) {
            b->delivery_envelope = ber_tlv_whole(&p);
        } else {
            return mhs_unexpected(c, &p, "MessageParameters");
        }
    }
    if (rc < 0 || (rc = ber_expect(&it, BER_UNIV(BER_SEQUENCE), &m, "MessageBodyPart.data")) < 0)
        return rc;
    b->ipm = ber_tlv_whole(&m);
    return ber_end(&it, type);
}

/* ExtendedBodyPart ::= SEQUENCE { parameters [0] INSTANCE OF OPTIONAL,
 * data INSTANCE OF } where INSTANCE OF is [UNIVERSAL 8] SEQUENCE { type-id
 * OID, value [0] EXPLICIT ANY }. General text (X.420 Annex ?, extended body
 * part types 2) is decoded; other types stay OTHER. */
static int decode_instance_of(struct ber_ctx *c, const struct ber_tlv *t, struct ber_slice *oid,
                              struct ber_tlv *value, const char *type)
{
    struct ber_iter it;
    struct ber_tlv m;
    int rc;

    if ((rc = ber_enter(c, t, &it, type)) < 0 || (rc = ber_expect(&it, BER_UNIV(BER_OID), &m, type)) < 0 ||
        (rc = ber_get_oid(c, &m, type, oid)) < 0 || (rc = ber_expect(&it, BER_CTX(0), &m, type)) < 0 ||
        (rc = ber_explicit(c, &m, value, type)) < 0)
        return rc;
    return ber_end(&it, type);
}

static int decode_extended(struct ber_ctx *c, const struct ber_tlv *t, struct ipm_body_part *b)
{
    static const char type[] = "ExtendedBodyPart";
    struct ber_iter it;
    struct ber_tlv m, pv, dv;
    struct ber_slice poid = { NULL, 0 }, doid;
    bool has_params = false;
    int rc;

    b->kind = IPM_BP_OTHER;
    if ((rc = ber_enter(c, t, &it, type)) < 0 || (rc = ber_optional(&it, BER_CTX(0), &m)) < 0)
        return rc;
    if (rc == 1) {
        has_params = true;
        if ((rc = decode_instance_of(c, &m, &poid, &pv, "ExtendedBodyPart.parameters")) < 0)
            return rc;
    }
    if ((rc = ber_expect(&it, BER_UNIV(BER_EXTERNAL), &m, "ExtendedBodyPart.data")) < 0 ||
        (rc = decode_instance_of(c, &m, &doid, &dv, "ExtendedBodyPart.data")) < 0 ||
        (rc = ber_end(&it, type)) < 0)
        return rc;
    if (ber_slice_eq(doid, SLICE(oid_et_general_text)) && dv.tag == BER_UNIV(BER_GENERAL_STRING)) {
        if (has_params) {
            if (!ber_slice_eq(poid, SLICE(oid_ep_general_text)) || pv.tag != BER_UNIV(BER_SET))
                return ber_fail(c, t->start, X400MS_EPROTO, "GeneralTextBodyPart", "bad parameters");
            b->charsets = ber_tlv_whole(&pv);
        }
        b->kind = IPM_BP_GENERAL_TEXT;
        return mhs_get_string_octets(c, &dv, "GeneralTextBodyPart.data", BER_GENERAL_STRING, &b->text);
    }
    return 0;
}

static int decode_body_part(struct ber_ctx *c, const struct ber_tlv *t, void *out)
{
    struct ipm_body_part *b = out;
    static const char type[] = "BodyPart";

    memset(b, 0, sizeof(*b));
    b->whole = ber_tlv_whole(t);
    if (BER_TAG_CLASS(t->tag) != BER_CLASS_CONTEXT)
        return mhs_wrong_tag(c, t, type);
    switch (BER_TAG_NUMBER(t->tag)) {
    case 0:
        return decode_ia5(c, t, b);
    case 9:
        return decode_message_bp(c, t, b);
    case 14:
        b->kind = IPM_BP_BILATERAL;
        return mhs_get_octets(c, t, "BilaterallyDefinedBodyPart", &b->text);
    case 15:
        return decode_extended(c, t, b);
    case 3: case 4: case 5: case 6: case 7: case 8: case 11:
        b->kind = IPM_BP_OTHER;
        return 0;
    default:
        return mhs_wrong_tag(c, t, type);
    }
}

int ipm_body_part_next(struct mhs_seq_iter *i, struct ipm_body_part *b)
{
    return mhs_seq_iter_decode(i, 0, NULL, decode_body_part, b);
}

int ipm_body_part_encode(struct ber_writer *w, const struct ipm_body_part *b)
{
    ber_mark_t m = ber_mark(w), x, y;

    switch (b->kind) {
    case IPM_BP_IA5_TEXT:
        mhs_put_octets(w, BER_UNIV(BER_IA5_STRING), &b->text);
        x = ber_mark(w);
        if (b->repertoire && b->repertoire != 5)
            ber_put_enum(w, BER_CTX(0), b->repertoire);
        ber_wrap(w, x, BER_UNIV(BER_SET), true);
        return ber_wrap(w, m, BER_CTX(0), true);
    case IPM_BP_GENERAL_TEXT:
        x = ber_mark(w);
        mhs_put_octets(w, BER_UNIV(BER_GENERAL_STRING), &b->text);
        ber_wrap(w, x, BER_CTX(0), true);
        ber_put_oid(w, BER_UNIV(BER_OID), SLICE(oid_et_general_text));
        ber_wrap(w, x, BER_UNIV(BER_EXTERNAL), true);
        if (b->charsets.len) {
            x = ber_mark(w);
            y = ber_mark(w);
            mhs_put_slice(w, b->charsets);
            ber_wrap(w, y, BER_CTX(0), true);
            ber_put_oid(w, BER_UNIV(BER_OID), SLICE(oid_ep_general_text));
            ber_wrap(w, x, BER_CTX(0), true);
        }
        return ber_wrap(w, m, BER_CTX(15), true);
    case IPM_BP_BILATERAL:
        return mhs_put_octets(w, BER_CTX(14), &b->text);
    case IPM_BP_MESSAGE:
        mhs_put_slice(w, b->ipm);
        x = ber_mark(w);
        if (b->delivery_envelope.len)
            mhs_put_slice(w, b->delivery_envelope);
        if (b->delivery_time.present)
            mhs_put_time(w, BER_CTX(0), &b->delivery_time);
        ber_wrap(w, x, BER_UNIV(BER_SET), true);
        return ber_wrap(w, m, BER_CTX(9), true);
    default:
        return mhs_put_slice(w, b->whole);
    }
}

/* ---- IPM, IPN, InformationObject (7, 8) --------------------------------------------- */

static int decode_ipm(struct ber_ctx *c, const struct ber_tlv *t, struct ipm *p)
{
    static const char type[] = "IPM";
    struct ber_iter it;
    struct ber_tlv m;
    struct ipm_body_part bp;
    int rc;

    memset(p, 0, sizeof(*p));
    if ((rc = ber_enter(c, t, &it, type)) < 0 ||
        (rc = ber_expect(&it, BER_UNIV(BER_SET), &m, "IPM.heading")) < 0 ||
        (rc = decode_heading(c, &m, &p->heading)) < 0 ||
        (rc = ber_expect(&it, BER_UNIV(BER_SEQUENCE), &m, "IPM.body")) < 0)
        return rc;
    if ((rc = mhs_seq_from_tlv(c, &m, &p->body, "IPM.body", 100000u)) < 0)
        return rc;
    {
        /* validate the body parts (each BodyPart is any context tag) */
        struct ber_iter bi;
        struct ber_tlv e;

        if ((rc = ber_enter(c, &m, &bi, "IPM.body")) < 0)
            return rc;
        while ((rc = ber_next(&bi, &e)) == 1)
            if ((rc = decode_body_part(c, &e, &bp)) < 0)
                return rc;
        if (rc < 0)
            return rc;
    }
    return ber_end(&it, type);
}

int ipms_ipm_encode(struct ber_writer *w, ber_tag_t tag, const struct ipm *p)
{
    ber_mark_t m = ber_mark(w), b = ber_mark(w);

    if (p->body_array) {
        for (uint32_t i = p->n_body_array; i-- > 0;)
            ipm_body_part_encode(w, &p->body_array[i]);
    } else {
        mhs_put_slice(w, p->body.raw);
    }
    ber_wrap(w, b, BER_UNIV(BER_SEQUENCE), true);
    put_heading(w, &p->heading);
    return ber_wrap(w, m, tag, true);
}

static int decode_ipn_choice(struct ber_ctx *c, const struct ber_tlv *outer, struct ipn *n)
{
    static const char type[] = "IPN.choice";
    struct ber_tlv in, m;
    struct ber_iter it;
    uint64_t seen = 0;
    int rc;

    if ((rc = ber_explicit(c, outer, &in, type)) < 0)
        return rc;
    if (in.tag == BER_CTX(2)) {
        n->kind = IPN_OTHER;
        n->other_fields = ber_tlv_whole(&in);
        return in.constructed ? 0 : ber_fail(c, in.start, X400MS_EPROTO, type, "expected constructed");
    }
    if (in.tag != BER_CTX(0) && in.tag != BER_CTX(1))
        return mhs_wrong_tag(c, &in, type);
    n->kind = in.tag == BER_CTX(0) ? IPN_NON_RECEIPT : IPN_RECEIPT;
    if ((rc = ber_enter(c, &in, &it, type)) < 0)
        return rc;
    while ((rc = ber_next(&it, &m)) == 1) {
        unsigned k = BER_TAG_NUMBER(m.tag);

        if (BER_TAG_CLASS(m.tag) != BER_CLASS_CONTEXT || k > (n->kind == IPN_RECEIPT ? 3u : 4u))
            return mhs_unexpected(c, &m, type);
        if ((rc = mhs_seen(c, &m, &seen, k, type)) < 0)
            return rc;
        if (n->kind == IPN_NON_RECEIPT) {
            switch (k) {
            case 0: rc = get_enum_range(c, &m, "NonReceiptFields.non-receipt-reason", 0, 1, &n->non_receipt_reason); break;
            case 1: rc = get_enum_range(c, &m, "NonReceiptFields.discard-reason", 0, 3, &n->discard_reason); break;
            case 2: rc = mhs_get_str(c, &m, "NonReceiptFields.auto-forward-comment", BER_PRINTABLE_STRING, 0,
                                     IPMS_UB_AUTO_FORWARD_COMMENT, &n->auto_forward_comment); break;
            case 3: n->returned_ipm = ber_tlv_whole(&m); break;
            default: n->nrn_extensions = ber_tlv_whole(&m); break;
            }
        } else {
            switch (k) {
            case 0: rc = mhs_get_time(c, &m, "ReceiptFields.receipt-time", &n->receipt_time); break;
            case 1: rc = get_enum_range(c, &m, "ReceiptFields.acknowledgment-mode", 0, 1, &n->acknowledgment_mode); break;
            case 2: rc = mhs_get_str(c, &m, "ReceiptFields.suppl-receipt-info", BER_PRINTABLE_STRING, 1, 256,
                                     &n->suppl_receipt_info); break;
            default: n->rn_extensions = ber_tlv_whole(&m); break;
            }
        }
        if (rc < 0)
            return rc;
    }
    if (rc == 0 && !(seen & 1))
        return ber_fail(c, in.start, X400MS_EPROTO, type,
                        n->kind == IPN_RECEIPT ? "receipt-time missing" : "non-receipt-reason missing");
    return rc;
}

static int decode_ipn(struct ber_ctx *c, const struct ber_tlv *t, struct ipn *n)
{
    static const char type[] = "IPN";
    struct ber_iter it;
    struct ber_tlv m;
    uint64_t seen = 0;
    int rc;

    memset(n, 0, sizeof(*n));
    n->discard_reason = -1;
    if ((rc = ber_enter(c, t, &it, type)) < 0)
        return rc;
    while ((rc = ber_next(&it, &m)) == 1) {
        if (m.tag == BER_APP(11)) {
            if ((rc = mhs_seen(c, &m, &seen, 8, type)) < 0 || (rc = decode_identifier(c, &m, &n->subject_ipm)) < 0)
                return rc;
        } else if (m.tag == BER_APP(5)) {
            if ((rc = mhs_seen(c, &m, &seen, 9, type)) < 0)
                return rc;
            n->conversion_eits = ber_tlv_whole(&m);
        } else if (m.tag == BER_CTX(0)) {
            if ((rc = mhs_seen(c, &m, &seen, 0, type)) < 0 || (rc = decode_ipn_choice(c, &m, n)) < 0)
                return rc;
        } else if (m.tag == BER_CTX(1)) {
            if ((rc = mhs_seen(c, &m, &seen, 1, type)) < 0 || (rc = decode_descriptor(c, &m, &n->ipn_originator)) < 0)
                return rc;
            n->has_ipn_originator = true;
        } else if (m.tag == BER_CTX(2)) {
            if ((rc = mhs_seen(c, &m, &seen, 2, type)) < 0 ||
                (rc = decode_descriptor(c, &m, &n->intended_recipient)) < 0)
                return rc;
            n->has_intended_recipient = true;
        } else if (m.tag == BER_CTX(3)) {
            if ((rc = mhs_seen(c, &m, &seen, 3, type)) < 0)
                return rc;
            n->notification_extensions = ber_tlv_whole(&m);
        } else {
            return mhs_unexpected(c, &m, type);
        }
    }
    if (rc < 0)
        return rc;
    if (!(seen & (1u << 8)))
        return ber_fail(c, t->start, X400MS_EPROTO, type, "subject-ipm missing");
    if (!(seen & 1))
        return ber_fail(c, t->start, X400MS_EPROTO, type, "choice missing");
    return 0;
}

int ipms_ipn_encode(struct ber_writer *w, ber_tag_t tag, const struct ipn *n)
{
    ber_mark_t m = ber_mark(w), x, y;

    if (n->notification_extensions.len)
        mhs_put_slice(w, n->notification_extensions);
    if (n->has_intended_recipient)
        put_descriptor(w, BER_CTX(2), &n->intended_recipient);
    if (n->has_ipn_originator)
        put_descriptor(w, BER_CTX(1), &n->ipn_originator);
    x = ber_mark(w);
    if (n->kind == IPN_OTHER) {
        mhs_put_slice(w, n->other_fields);
    } else {
        y = ber_mark(w);
        if (n->kind == IPN_NON_RECEIPT) {
            if (n->nrn_extensions.len)
                mhs_put_slice(w, n->nrn_extensions);
            if (n->returned_ipm.len)
                mhs_put_slice(w, n->returned_ipm);
            if (mhs_str_present(&n->auto_forward_comment))
                mhs_put_str(w, BER_CTX(2), &n->auto_forward_comment);
            if (n->discard_reason >= 0)
                ber_put_enum(w, BER_CTX(1), n->discard_reason);
            ber_put_enum(w, BER_CTX(0), n->non_receipt_reason);
        } else {
            if (n->rn_extensions.len)
                mhs_put_slice(w, n->rn_extensions);
            if (mhs_str_present(&n->suppl_receipt_info))
                mhs_put_str(w, BER_CTX(2), &n->suppl_receipt_info);
            if (n->acknowledgment_mode != 0)
                ber_put_enum(w, BER_CTX(1), n->acknowledgment_mode);
            mhs_put_time(w, BER_CTX(0), &n->receipt_time);
        }
        ber_wrap(w, y, BER_CTX(n->kind == IPN_NON_RECEIPT ? 0 : 1), true);
    }
    ber_wrap(w, x, BER_CTX(0), true);
    if (n->conversion_eits.len)
        mhs_put_slice(w, n->conversion_eits);
    put_identifier(w, BER_APP(11), &n->subject_ipm);
    return ber_wrap(w, m, tag, true);
}

static int object_top(struct ber_ctx *c, const struct ber_tlv *t, void *out)
{
    struct ipms_object *o = out;

    memset(o, 0, sizeof(*o));
    if (t->tag == BER_CTX(0)) {
        o->kind = IPMS_OBJ_IPM;
        return decode_ipm(c, t, &o->ipm);
    }
    if (t->tag == BER_CTX(1)) {
        o->kind = IPMS_OBJ_IPN;
        return decode_ipn(c, t, &o->ipn);
    }
    return mhs_wrong_tag(c, t, "InformationObject");
}

int ipms_object_decode(struct ber_slice in, struct ipms_object *o, struct ber_error *err)
{
    return mhs_decode_top(in, err, "InformationObject", object_top, o);
}

int ipms_object_encode(struct ber_writer *w, const struct ipms_object *o)
{
    if (o->kind == IPMS_OBJ_IPN)
        return ipms_ipn_encode(w, BER_CTX(1), &o->ipn);
    return ipms_ipm_encode(w, BER_CTX(0), &o->ipm);
}

static int ipm_top(struct ber_ctx *c, const struct ber_tlv *t, void *out)
{
    if (t->tag != BER_UNIV(BER_SEQUENCE))
        return mhs_wrong_tag(c, t, "IPM");
    return decode_ipm(c, t, out);
}

int ipms_ipm_decode(struct ber_slice in, struct ipm *m, struct ber_error *err)
{
    return mhs_decode_top(in, err, "IPM", ipm_top, m);
}
