/* The BER form of the ipm-auto-forward registration parameter (X.420
 * clause 19, IPMSAutoActionTypes), as P7 Register-MS carries it (X.413
 * 8.2.7.1.1.3), turned into the canonical JSON parameter (forward.c):
 *
 *   REGISTRATION PARAMETER IS CHOICE {
 *     IPMAutoForwardRegistrationParameter,   -- 1994 application contexts
 *     AutoForwardRegistrationParameter88 }   -- 1988 application contexts
 *
 *   IPMAutoForwardRegistrationParameter ::= SEQUENCE {
 *     filter                   [0] Filter OPTIONAL,              -> "filter"
 *     forwarding-envelope      [1] MessageSubmissionEnvelope,    -> "envelope_ber" (whole), and
 *                                  "originator", "recipients", "priority", "delivery_report"
 *     forwarding-heading       [2] Heading,                      -> "heading_ber" (whole), "subject"
 *     forwarding-cover-note    [3] BodyPart OPTIONAL,            -> "cover_note_ber" (any type),
 *                                                                   "cover_note" (IA5 text)
 *     submission-options       [4] MSSubmissionOptions OPTIONAL, -> "store_submission" (see
 *                                                                   submission_options_json)
 *     nrn-comment              [5] AutoForwardComment OPTIONAL,  -> "nrn_comment"
 *     ipm-auto-forward-options [6] IPMAutoForwardOptions DEFAULT {} }
 *        -- forward-all-object-types(0) unset -> "ipm_only"; include-returned-
 *        -- content(1), include-returned-ipm(2), forwarded-content-prohibited(3),
 *        -- preserve-retrieval-status(4), delete-delivered-object(5) -> the
 *        -- members of the same names; (4) with (5) is refused (X.420 19)
 *
 *   AutoForwardRegistrationParameter88 ::= SET {
 *     filter                       [0] Filter OPTIONAL,
 *     auto-forward-arguments       [1] AutoForwardArguments,     (kept and mirrored as above:
 *        SET { COMPONENTS OF PerMessageAutoForwardFields, per-recipient-fields [1] ... })
 *     delete-after-auto-forwarding [2] BOOLEAN DEFAULT FALSE,    -> "delete_delivered"
 *     forwarding-information       [3] EncodedForwardingInformation }
 *        -- OCTET STRING holding ForwardingInformation1988 ::= SET {
 *        --   auto-forwarding-comment [0] AutoForwardComment OPTIONAL, -> "nrn_comment"
 *        --   ia5-cover-note [1] IA5TextBodyPart OPTIONAL,             -> "cover_note"
 *        --   this-ipm-prefix [2] PrintableString OPTIONAL }           -> "this_ipm_prefix"
 *
 * The module is written with EXPLICIT tags; an encoder that wrote the
 * SET-valued members IMPLICIT is accepted as well (the two cannot be
 * confused: none of those SETs starts with a universal SET). */
#define X400MS_LOG_MODULE "forward"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asn1/ber.h"
#include "asn1/ipms.h"
#include "asn1/mts.h"
#include "asn1/orname.h"
#include "modules/action/forward/forward.h"

#define IPM_AF_FORWARD_ALL_OBJECT_TYPES (1u << 0)
#define IPM_AF_INCLUDE_RETURNED_CONTENT (1u << 1)
#define IPM_AF_INCLUDE_RETURNED_IPM (1u << 2)
#define IPM_AF_FORWARDED_CONTENT_PROHIBITED (1u << 3)
#define IPM_AF_PRESERVE_RETRIEVAL_STATUS (1u << 4)
#define IPM_AF_DELETE_DELIVERED_OBJECT (1u << 5)

/* A new buffer holding TAG LENGTH contents [extra]. */
static uint8_t *tlv_make(uint8_t tag, const uint8_t *contents, size_t n, const uint8_t *extra,
                         size_t n_extra, size_t *len_r)
{
    size_t body = n + n_extra, hdr = 2;
    if (body > 0x7f) /* long form: one octet more per octet of the length (X.690 8.1.3.5) */
        for (size_t v = body; v > 0; v >>= 8)
            hdr++;
    uint8_t *p = malloc(hdr + body + 1);
    if (p == NULL)
        return NULL;
    p[0] = tag;
    if (body <= 0x7f) {
        p[1] = (uint8_t)body;
    } else {
        size_t k = hdr - 2;
        p[1] = (uint8_t)(0x80 | k);
        for (size_t i = 0; i < k; i++)
            p[2 + i] = (uint8_t)(body >> (8 * (k - 1 - i)));
    }
    if (n > 0)
        memcpy(p + hdr, contents, n);
    if (n_extra > 0)
        memcpy(p + hdr + n, extra, n_extra);
    *len_r = hdr + body;
    return p;
}

/* The value a context-tagged member m carries, as a standalone TLV with its
 * universal tag `univ` (one identifier octet): the inner TLV when m is
 * EXPLICIT (constructed, holding one TLV with tag univ), else m's contents
 * under tag univ (IMPLICIT). `extra` is appended to the contents of an
 * implicit or explicit SET (used to add a content-type). */
static uint8_t *member_value(const struct ber_tlv *m, uint8_t univ, const uint8_t *extra,
                             size_t n_extra, size_t *len_r)
{
    if (m->constructed && m->len >= 2 && m->val[0] == univ) {
        struct ber_error be;
        memset(&be, 0, sizeof be);
        struct ber_ctx c;
        struct ber_tlv in;
        ber_ctx_init(&c, m->val, m->len, &be);
        if (ber_decode_top(&c, &in, "member") == 0 && in.total == m->len && !in.indefinite)
            return tlv_make(univ, in.val, in.len, extra, n_extra, len_r);
    }
    if (m->indefinite)
        return NULL;
    return tlv_make(univ, m->val, m->len, extra, n_extra, len_r);
}

static int bad(struct x400ms_error *err, const char *field, const char *what)
{
    return x400ms_error_set(err, X400MS_EINVAL, "parameter.%s: %s", field, what);
}

/* A member's value (member_value) read as one top-level TLV: buf is the
 * copy (free it), be what the reader found wrong. Once member_open
 * returned, v must not move: v->c reports into v->be. */
struct member_tlv {
    uint8_t *buf;
    size_t len;
    struct ber_error be;
    struct ber_ctx c;
    struct ber_tlv t;
};

/* 1 when v->t is the value, 0 when the value is not one TLV (v->be says
 * why; v->buf still to free), X400MS_ENOMEM (err filled, nothing to free). */
static int member_open(const struct ber_tlv *m, uint8_t univ, const uint8_t *extra, size_t n_extra,
                       const char *type, struct member_tlv *v, struct x400ms_error *err)
{
    size_t len;

    memset(v, 0, sizeof *v);
    v->buf = member_value(m, univ, extra, n_extra, &len);
    if (v->buf == NULL)
        return x400ms_error_set(err, X400MS_ENOMEM, "out of memory");
    v->len = len;
    ber_ctx_init(&v->c, v->buf, len, &v->be);
    return ber_decode_top(&v->c, &v->t, type) < 0 ? 0 : 1;
}

/* forwarding-envelope / auto-forward-arguments -> originator, recipients,
 * priority, delivery_report. */
static int envelope_json(const struct ber_tlv *m, bool add_content_type, json_t *out,
                         struct x400ms_error *err)
{
    /* AutoForwardArguments is a MessageSubmissionEnvelope without
     * original-eits and content-type: add content-type [APPLICATION 6] 22
     * so that the X.411 decoder takes it */
    static const uint8_t p22[] = { 0x46, 0x01, MTS_CONTENT_P22_1988 };
    struct member_tlv v;
    struct mts_submission_envelope env;
    const char *field = add_content_type ? "auto-forward-arguments" : "forwarding-envelope";
    int rc = member_open(m, 0x31, add_content_type ? p22 : NULL, add_content_type ? 3 : 0, field, &v, err);
    if (rc < 0)
        return rc;
    if (rc == 0 || mts_submission_envelope_decode_tlv(&v.c, &v.t, &env) < 0) {
        rc = bad(err, field, v.be.what ? v.be.what : "malformed");
        free(v.buf);
        return rc;
    }
    /* kept whole: every per-message and per-recipient field is applied (stored.c) */
    json_object_set_new(out, "envelope_ber", fwd_hex_json(v.buf, v.len));
    char text[X400MS_STORE_ADDRESS_MAX];
    if (!or_address_is_empty(&env.originator_name) &&
        or_address_format(&env.originator_name, OR_TEXT_SLASH, text, sizeof text) >= 0)
        json_object_set_new(out, "originator", json_string(text));
    static const char *const prio[] = { "normal", "non-urgent", "urgent" };
    if (env.priority >= 0 && env.priority <= 2)
        json_object_set_new(out, "priority", json_string(prio[env.priority]));
    json_t *rcpts = json_array();
    json_object_set_new(out, "recipients", rcpts);
    struct mhs_seq_iter it;
    struct mts_submission_recipient r;
    bool dr = false;
    mhs_seq_iter_init(&it, &env.recipients, &v.be);
    rc = 0;
    while ((rc = mts_submission_recipient_next(&it, &r)) == 1) {
        if (or_address_format(&r.recipient_name, OR_TEXT_SLASH, text, sizeof text) < 0) {
            rc = bad(err, field, "recipient O/R name too long");
            break;
        }
        json_array_append_new(rcpts, json_string(text));
        dr = dr || (r.originator_report_request & MTS_ORR_REPORT);
    }
    if (rc == 0 && dr)
        json_object_set_new(out, "delivery_report", json_true());
    if (rc < 0 && err->code == 0)
        rc = bad(err, field, "malformed per-recipient-fields");
    free(v.buf);
    return rc < 0 ? rc : 0;
}

/* forwarding-heading -> subject (through the IPM decoder: SEQUENCE {
 * heading, body {} }). */
static int heading_json(const struct ber_tlv *m, json_t *out, struct x400ms_error *err)
{
    size_t hlen, ilen;
    uint8_t *h = member_value(m, 0x31, NULL, 0, &hlen);
    if (h == NULL)
        return x400ms_error_set(err, X400MS_ENOMEM, "out of memory");
    static const uint8_t empty_body[] = { 0x30, 0x00 };
    uint8_t *ipm = tlv_make(0x30, h, hlen, empty_body, sizeof empty_body, &ilen);
    if (ipm == NULL) {
        free(h);
        return x400ms_error_set(err, X400MS_ENOMEM, "out of memory");
    }
    struct ber_error be;
    memset(&be, 0, sizeof be);
    struct ipm p;
    int rc = 0;
    if (ipms_ipm_decode(ber_slice_make(ipm, ilen), &p, &be) < 0) {
        rc = x400ms_error_set(err, X400MS_EINVAL, "parameter.forwarding-heading: %s",
                              be.what ? be.what : "malformed");
    } else {
        /* kept whole: every heading field goes into the forwarding IPM (build.c) */
        json_object_set_new(out, "heading_ber", fwd_hex_json(h, hlen));
        if (p.heading.has_subject)
            json_object_set_new(out, "subject", json_stringn((const char *)p.heading.subject.bytes.ptr,
                                                             p.heading.subject.bytes.len));
    }
    free(h);
    free(ipm);
    return rc;
}

/* A BodyPart TLV -> cover_note_ber (any body part type: it becomes the
 * forwarding IPM's first body part), and cover_note when it is IA5 text. */
static int cover_json(struct ber_slice body_part, json_t *out, struct x400ms_error *err)
{
    struct ber_error be;
    memset(&be, 0, sizeof be);
    struct mhs_seq seq = mhs_seq_raw(body_part, 1);
    struct mhs_seq_iter it;
    struct ipm_body_part bp;
    mhs_seq_iter_init(&it, &seq, &be);
    if (ipm_body_part_next(&it, &bp) != 1)
        return bad(err, "forwarding-cover-note", "malformed BodyPart");
    if (bp.whole.len != body_part.len)
        return bad(err, "forwarding-cover-note", "expected one BodyPart");
    json_object_set_new(out, "cover_note_ber", fwd_hex_json(body_part.ptr, body_part.len));
    if (bp.kind == IPM_BP_IA5_TEXT)
        json_object_set_new(out, "cover_note",
                            json_stringn((const char *)bp.text.bytes.ptr, bp.text.bytes.len));
    return 0;
}

/* A primitive string member (explicit or implicit) -> JSON string. */
static int string_member(const struct ber_tlv *m, uint8_t univ, const char *field, const char *key,
                         json_t *out, struct x400ms_error *err)
{
    struct member_tlv v;
    struct ber_str s;
    char text[1100];
    size_t n = 0;
    int rc = member_open(m, univ, NULL, 0, field, &v, err);
    if (rc < 0)
        return rc;
    if (rc == 0 ||
        ber_get_str(&v.c, &v.t, field, univ == 0x13 ? BER_PRINTABLE_STRING : BER_OCTET_STRING, &s) < 0 ||
        ber_str_copy(&s, text, sizeof text, &n) < 0) {
        rc = bad(err, field, v.be.what ? v.be.what : "malformed string");
    } else {
        rc = 0;
        json_object_set_new(out, key, json_stringn(text, n));
    }
    free(v.buf);
    return rc;
}

/* The registry's conversion of the X.413 Filter ([0], explicit: Filter is a CHOICE). */
static int filter_member(struct fwd_state *st, const struct ber_tlv *m, json_t *out,
                         struct x400ms_error *err)
{
    void *rctx;
    const struct x400ms_autoaction_registry_ops *reg = x400ms_autoaction_registry_find(st->core, &rctx);
    if (reg == NULL)
        return x400ms_error_set(err, X400MS_ESTATE, "the autoaction module is not loaded");
    json_t *f = NULL;
    int rc = reg->filter_from_ber(rctx, m->val, m->len, &f, err);
    if (rc < 0)
        return rc;
    json_object_set_new(out, "filter", f);
    return 0;
}

/* X.413 MSSubmissionOptions ::= SET { object-entry-class [0] EntryClass
 * (submission | submission-log | draft) OPTIONAL, disable-auto-modify [1]
 * BOOLEAN DEFAULT FALSE, add-message-group-names [2] SET OF
 * MessageGroupName OPTIONAL, ms-submission-extensions [3] MSExtensions
 * OPTIONAL } (EXPLICIT tags), applied to the forward's submission:
 * submission -> "store_submission" (the forward kept in the Out Box, as a
 * P7 submission is); submission-log and draft, message groups and MS
 * extensions are not supported by this MS and refused; disable-auto-modify
 * holds already (a forward is never modified after it is built). */
static int submission_options_json(const struct ber_tlv *m, json_t *out, struct x400ms_error *err)
{
    static const char field[] = "submission-options";
    struct member_tlv v;
    struct ber_iter it;
    struct ber_tlv f;
    int rc = member_open(m, 0x31, NULL, 0, "MSSubmissionOptions", &v, err);
    if (rc < 0)
        return rc;
    if (rc == 0 || v.t.tag != BER_UNIV(BER_SET) || ber_enter(&v.c, &v.t, &it, "MSSubmissionOptions") < 0) {
        free(v.buf);
        return bad(err, field, "expected an MSSubmissionOptions SET");
    }
    rc = 0;
    int next;
    while (rc == 0 && (next = ber_next(&it, &f)) != 0) {
        if (next < 0) {
            rc = bad(err, field, "malformed");
            break;
        }
        int64_t ec = -1;
        bool flag = false;
        struct ber_tlv in = f;
        if (f.constructed && (f.tag == BER_CTX(0) || f.tag == BER_CTX(1)) &&
            ber_explicit(&v.c, &f, &in, "MSSubmissionOptions") < 0) {
            rc = bad(err, field, "malformed member");
            break;
        }
        if (f.tag == BER_CTX(0)) {
            if (ber_get_int64(&v.c, &in, "object-entry-class", &ec) < 0)
                rc = bad(err, field, "object-entry-class: expected an INTEGER");
            else if (ec == 1)
                json_object_set_new(out, "store_submission", json_true());
            else
                rc = x400ms_error_set(err, X400MS_ENOTSUP,
                                      "parameter.submission-options: object-entry-class %lld is not "
                                      "supported (this MS keeps submissions in entry class submission)",
                                      (long long)ec);
        } else if (f.tag == BER_CTX(1)) {
            if (ber_get_bool(&v.c, &in, "disable-auto-modify", &flag) < 0)
                rc = bad(err, field, "disable-auto-modify: expected a BOOLEAN");
        } else if (f.tag == BER_CTX(2)) {
            rc = x400ms_error_set(err, X400MS_ENOTSUP,
                                  "parameter.submission-options: add-message-group-names: message "
                                  "groups are not supported");
        } else if (f.tag == BER_CTX(3)) {
            rc = x400ms_error_set(err, X400MS_ENOTSUP,
                                  "parameter.submission-options: ms-submission-extensions are not "
                                  "supported");
        } else {
            rc = bad(err, field, "unexpected member");
        }
    }
    free(v.buf);
    return rc;
}

static int decode_1994(struct fwd_state *st, struct ber_ctx *c, const struct ber_tlv *top, json_t *out,
                       struct x400ms_error *err)
{
    struct ber_iter it;
    struct ber_tlv m;
    int rc, last = -1;
    bool have_env = false, have_heading = false;
    uint32_t options = 0;
    if (ber_enter(c, top, &it, "IPMAutoForwardRegistrationParameter") < 0)
        return bad(err, "ipm-auto-forward", "malformed SEQUENCE");
    while ((rc = ber_next(&it, &m)) == 1) {
        unsigned k = BER_TAG_NUMBER(m.tag);
        if (BER_TAG_CLASS(m.tag) != BER_CLASS_CONTEXT || k > 6 || (int)k <= last)
            return bad(err, "ipm-auto-forward", "unexpected or out-of-order member");
        last = (int)k;
        switch (k) {
        case 0: rc = filter_member(st, &m, out, err); break;
        case 1: rc = envelope_json(&m, false, out, err); have_env = rc == 0; break;
        case 2: rc = heading_json(&m, out, err); have_heading = rc == 0; break;
        case 3:
            rc = m.constructed ? cover_json(ber_slice_make(m.val, m.len), out, err)
                               : bad(err, "forwarding-cover-note", "expected a BodyPart");
            break;
        case 4: rc = submission_options_json(&m, out, err); break;
        case 5: rc = string_member(&m, 0x13, "nrn-comment", "nrn_comment", out, err); break;
        case 6: {
            struct member_tlv v;
            if ((rc = member_open(&m, 0x03, NULL, 0, "IPMAutoForwardOptions", &v, err)) < 0)
                return rc;
            if (rc == 0 || ber_get_bits_u32(&v.c, &v.t, "IPMAutoForwardOptions", &options) < 0)
                rc = bad(err, "ipm-auto-forward-options", "malformed BIT STRING");
            free(v.buf);
            break;
        }
        }
        if (rc < 0)
            return rc;
    }
    if (rc < 0)
        return bad(err, "ipm-auto-forward", "malformed member");
    if (!have_env)
        return bad(err, "forwarding-envelope", "missing");
    if (!have_heading)
        return bad(err, "forwarding-heading", "missing");
    /* X.420 19: both options together are refused */
    if ((options & IPM_AF_DELETE_DELIVERED_OBJECT) && (options & IPM_AF_PRESERVE_RETRIEVAL_STATUS))
        return bad(err, "ipm-auto-forward-options",
                   "preserve-retrieval-status and delete-delivered-object are exclusive");
    if (options & IPM_AF_DELETE_DELIVERED_OBJECT)
        json_object_set_new(out, "delete_delivered", json_true());
    /* the other IPMAutoForwardOptions (X.420 19), applied by build.c / forward.c */
    if (!(options & IPM_AF_FORWARD_ALL_OBJECT_TYPES))
        json_object_set_new(out, "ipm_only", json_true());
    if (options & IPM_AF_INCLUDE_RETURNED_CONTENT)
        json_object_set_new(out, "include_returned_content", json_true());
    if (options & IPM_AF_INCLUDE_RETURNED_IPM)
        json_object_set_new(out, "include_returned_ipm", json_true());
    if (options & IPM_AF_FORWARDED_CONTENT_PROHIBITED)
        json_object_set_new(out, "forwarded_content_prohibited", json_true());
    if (options & IPM_AF_PRESERVE_RETRIEVAL_STATUS)
        json_object_set_new(out, "preserve_retrieval_status", json_true());
    return 0;
}

/* ForwardingInformation1988, inside the forwarding-information OCTET STRING. */
static int forwarding_info_json(const struct ber_tlv *m, json_t *out, struct x400ms_error *err)
{
    struct member_tlv v;
    struct ber_ctx ic;
    struct ber_tlv set, f;
    struct ber_slice octets;
    struct ber_iter it;
    int rc = member_open(m, 0x04, NULL, 0, "EncodedForwardingInformation", &v, err);
    if (rc < 0)
        return rc;
    if (rc == 0 ||
        ber_get_str_slice(&v.c, &v.t, "EncodedForwardingInformation", BER_OCTET_STRING, &octets) < 0) {
        free(v.buf);
        return bad(err, "forwarding-information", "expected an OCTET STRING");
    }
    if (octets.len == 0) {
        free(v.buf);
        return 0;
    }
    ber_ctx_init(&ic, octets.ptr, octets.len, &v.be);
    if (ber_decode_top(&ic, &set, "ForwardingInformation1988") < 0 || set.tag != BER_UNIV(BER_SET) ||
        ber_enter(&ic, &set, &it, "ForwardingInformation1988") < 0) {
        free(v.buf);
        return bad(err, "forwarding-information", "expected a ForwardingInformation1988 SET");
    }
    rc = 0;
    while (rc == 0 && (rc = ber_next(&it, &f)) == 1) {
        rc = 0;
        if (f.tag == BER_CTX(0)) {
            rc = string_member(&f, 0x13, "forwarding-information.auto-forwarding-comment", "nrn_comment",
                               out, err);
        } else if (f.tag == BER_CTX(1)) {
            /* IA5TextBodyPart ::= SEQUENCE { parameters, data }, [1] IMPLICIT:
             * present it to the body part decoder as ia5-text [0] */
            size_t blen;
            uint8_t *bp = tlv_make(0xA0, f.val, f.len, NULL, 0, &blen);
            if (bp == NULL) {
                rc = x400ms_error_set(err, X400MS_ENOMEM, "out of memory");
            } else {
                rc = cover_json(ber_slice_make(bp, blen), out, err);
                free(bp);
            }
        } else if (f.tag == BER_CTX(2)) {
            /* this-ipm-prefix: the start of each forward's this-IPM local identifier */
            rc = string_member(&f, 0x13, "forwarding-information.this-ipm-prefix", "this_ipm_prefix", out,
                               err);
        }
    }
    free(v.buf);
    if (rc < 0)
        return err->code ? rc : bad(err, "forwarding-information", "malformed");
    return 0;
}

static int decode_1988(struct fwd_state *st, struct ber_ctx *c, const struct ber_tlv *top, json_t *out,
                       struct x400ms_error *err)
{
    struct ber_iter it;
    struct ber_tlv m;
    int rc;
    uint32_t seen = 0;
    if (ber_enter(c, top, &it, "AutoForwardRegistrationParameter88") < 0)
        return bad(err, "ipm-auto-forward", "malformed SET");
    while ((rc = ber_next(&it, &m)) == 1) {
        unsigned k = BER_TAG_NUMBER(m.tag);
        if (BER_TAG_CLASS(m.tag) != BER_CLASS_CONTEXT || k > 3 || (seen & (1u << k)))
            return bad(err, "ipm-auto-forward", "unexpected or repeated member");
        seen |= 1u << k;
        switch (k) {
        case 0: rc = filter_member(st, &m, out, err); break;
        case 1: rc = envelope_json(&m, true, out, err); break;
        case 2: {
            struct member_tlv v;
            bool del = false;
            if ((rc = member_open(&m, 0x01, NULL, 0, "delete-after-auto-forwarding", &v, err)) < 0)
                return rc;
            if (rc == 0 || ber_get_bool(&v.c, &v.t, "delete-after-auto-forwarding", &del) < 0)
                rc = bad(err, "delete-after-auto-forwarding", "expected a BOOLEAN");
            else if (del)
                json_object_set_new(out, "delete_delivered", json_true());
            free(v.buf);
            break;
        }
        case 3: rc = forwarding_info_json(&m, out, err); break;
        }
        if (rc < 0)
            return rc;
    }
    if (rc < 0)
        return bad(err, "ipm-auto-forward", "malformed member");
    if (!(seen & 2))
        return bad(err, "auto-forward-arguments", "missing");
    if (!(seen & 8))
        return bad(err, "forwarding-information", "missing");
    return 0;
}

int fwd_param_from_ber(struct fwd_state *st, const uint8_t *ber, size_t len, json_t **param_r,
                       struct x400ms_error *err)
{
    *param_r = NULL;
    if (len == 0)
        return bad(err, "ipm-auto-forward", "the registration parameter is required");
    struct ber_error be;
    memset(&be, 0, sizeof be);
    struct ber_ctx c;
    struct ber_tlv top;
    ber_ctx_init(&c, ber, len, &be);
    if (ber_decode_top(&c, &top, "ipm-auto-forward parameter") < 0)
        return bad(err, "ipm-auto-forward", be.what ? be.what : "malformed BER");
    json_t *out = json_object();
    int rc = top.tag == BER_UNIV(BER_SEQUENCE) ? decode_1994(st, &c, &top, out, err)
             : top.tag == BER_UNIV(BER_SET)    ? decode_1988(st, &c, &top, out, err)
                                               : bad(err, "ipm-auto-forward",
                                                     "expected IPMAutoForwardRegistrationParameter "
                                                     "(SEQUENCE) or AutoForwardRegistrationParameter88 (SET)");
    if (rc < 0) {
        json_decref(out);
        return rc;
    }
    *param_r = out;
    return 0;
}
