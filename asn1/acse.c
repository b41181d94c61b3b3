/* X.227 ACSE APDU codec. Implements asn1/acse.asn (module ACSE-1,
 * EXPLICIT tags by default: application-context-name [1] wraps the OID,
 * result [2] wraps the INTEGER; the module marks the rest IMPLICIT). */
#include "config.h"

#include <string.h>

#include "asn1/acse.h"

static const char *const type_names[] = { "AARQ-apdu", "AARE-apdu", "RLRQ-apdu", "RLRE-apdu", "ABRT-apdu" };

const char *acse_type_name(enum acse_type type)
{
    static const char *const short_names[] = { "AARQ", "AARE", "RLRQ", "RLRE", "ABRT" };
    return (unsigned)type <= ACSE_ABRT ? short_names[type] : "unknown";
}

void acse_init(struct acse_apdu *a, enum acse_type type)
{
    memset(a, 0, sizeof(*a));
    a->type = type;
    a->protocol_version = ACSE_VERSION_1;
}

/* ---------------- decoding ---------------- */

int acse_decode_external(struct ber_ctx *c, const struct ber_tlv *t, struct acse_external *e)
{
    static const char *type = "EXTERNAL";
    struct ber_iter it;
    struct ber_tlv m;
    int rc;

    memset(e, 0, sizeof(*e));
    if (t->tag != BER_UNIV(BER_EXTERNAL))
        return ber_fail(c, t->start, X400MS_EPROTO, type, "wrong tag");
    if ((rc = ber_enter(c, t, &it, type)) < 0)
        return rc;
    if ((rc = ber_optional(&it, BER_UNIV(BER_OID), &m)) < 0)
        return rc;
    if (rc == 1 && (rc = ber_get_oid(c, &m, "EXTERNAL.direct-reference", &e->direct_reference)) < 0)
        return rc;
    if ((rc = ber_optional(&it, BER_UNIV(BER_INTEGER), &m)) < 0)
        return rc;
    if (rc == 1) {
        e->has_indirect_reference = true;
        if ((rc = ber_get_int64(c, &m, "EXTERNAL.indirect-reference", &e->indirect_reference)) < 0)
            return rc;
    }
    if ((rc = ber_optional(&it, BER_UNIV(BER_OBJECT_DESCRIPTOR), &m)) < 0)
        return rc;
    if (rc == 1)
        e->data_value_descriptor = ber_tlv_contents(&m);
    if ((rc = ber_next(&it, &m)) < 0)
        return rc;
    if (rc == 0)
        return ber_fail(c, it.end, X400MS_EPROTO, "EXTERNAL.encoding", "missing");
    if (m.tag == BER_CTX(0)) {
        struct ber_tlv v;
        e->encoding = ACSE_EXT_SINGLE_ASN1_TYPE;
        if ((rc = ber_explicit(c, &m, &v, "EXTERNAL.single-ASN1-type")) < 0)
            return rc;
        e->value = ber_tlv_whole(&v);
    } else if (m.tag == BER_CTX(1)) {
        struct ber_str s;
        e->encoding = ACSE_EXT_OCTET_ALIGNED;
        if ((rc = ber_get_str(c, &m, "EXTERNAL.octet-aligned", BER_OCTET_STRING, &s)) < 0)
            return rc;
        e->value = ber_slice_make(s.ptr, s.len);
    } else if (m.tag == BER_CTX(2)) {
        e->encoding = ACSE_EXT_ARBITRARY;
        if (m.constructed || m.len < 1)
            return ber_fail(c, m.start, X400MS_EPROTO, "EXTERNAL.arbitrary", "bad BIT STRING");
        e->value = ber_tlv_contents(&m);
    } else {
        return ber_fail(c, m.start, X400MS_EPROTO, "EXTERNAL.encoding", "wrong tag");
    }
    return ber_end(&it, type);
}

static int decode_user_info(struct ber_ctx *c, const struct ber_tlv *t, struct acse_user_info *ui)
{
    struct ber_iter it;
    struct ber_tlv m;
    int rc = ber_enter(c, t, &it, "user-information");
    ui->present = true;
    while (rc == 0 && (rc = ber_next(&it, &m)) == 1) {
        if (ui->n == ACSE_MAX_EXTERNALS)
            return ber_fail(c, m.start, X400MS_ELIMIT, "user-information", "too many EXTERNALs");
        rc = acse_decode_external(c, &m, &ui->ext[ui->n++]);
    }
    return rc < 0 ? rc : 0;
}

/* [n] EXPLICIT wrapper: the inner TLV kept whole. */
static int explicit_raw(struct ber_ctx *c, const struct ber_tlv *t, const char *type, struct ber_slice *raw)
{
    struct ber_tlv inner;
    int rc = ber_explicit(c, t, &inner, type);
    if (rc == 0)
        *raw = ber_tlv_whole(&inner);
    return rc;
}

static int explicit_int(struct ber_ctx *c, const struct ber_tlv *t, const char *type, int64_t *v)
{
    struct ber_tlv inner;
    int rc = ber_explicit(c, t, &inner, type);
    if (rc == 0 && inner.tag != BER_UNIV(BER_INTEGER))
        rc = ber_fail(c, inner.start, X400MS_EPROTO, type, "wrong tag");
    return rc < 0 ? rc : ber_get_int64(c, &inner, type, v);
}

static int explicit_oid(struct ber_ctx *c, const struct ber_tlv *t, const char *type, struct ber_slice *oid)
{
    struct ber_tlv inner;
    int rc = ber_explicit(c, t, &inner, type);
    if (rc == 0 && inner.tag != BER_UNIV(BER_OID))
        rc = ber_fail(c, inner.start, X400MS_EPROTO, type, "wrong tag");
    return rc < 0 ? rc : ber_get_oid(c, &inner, type, oid);
}

static int keep_unknown(struct ber_ctx *c, const struct ber_tlv *m, struct acse_apdu *a, const char *type)
{
    if (a->nunknown == ACSE_MAX_UNKNOWN)
        return ber_fail(c, m->start, X400MS_ELIMIT, type, "too many unknown members");
    a->unknown[a->nunknown++] = ber_tlv_whole(m);
    return 0;
}

static int decode_aarq(struct ber_ctx *c, struct ber_iter *it, struct acse_apdu *a)
{
    struct ber_tlv m;
    int rc;
    bool have_context = false;
    while ((rc = ber_next(it, &m)) == 1) {
        switch (m.tag) {
        case BER_CTX(0): rc = ber_get_bits_u32(c, &m, "AARQ-apdu.protocol-version", &a->protocol_version); break;
        case BER_CTX(1):
            have_context = true;
            rc = explicit_oid(c, &m, "AARQ-apdu.application-context-name", &a->context_name);
            break;
        case BER_CTX(2): rc = explicit_raw(c, &m, "AARQ-apdu.called-AP-title", &a->called_ap_title); break;
        case BER_CTX(3): rc = explicit_raw(c, &m, "AARQ-apdu.called-AE-qualifier", &a->called_ae_qualifier); break;
        case BER_CTX(4):
            a->has_called_ap_invocation_id = true;
            rc = explicit_int(c, &m, "AARQ-apdu.called-AP-invocation-identifier", &a->called_ap_invocation_id);
            break;
        case BER_CTX(5):
            a->has_called_ae_invocation_id = true;
            rc = explicit_int(c, &m, "AARQ-apdu.called-AE-invocation-identifier", &a->called_ae_invocation_id);
            break;
        case BER_CTX(6): rc = explicit_raw(c, &m, "AARQ-apdu.calling-AP-title", &a->calling_ap_title); break;
        case BER_CTX(7): rc = explicit_raw(c, &m, "AARQ-apdu.calling-AE-qualifier", &a->calling_ae_qualifier); break;
        case BER_CTX(8):
            a->has_calling_ap_invocation_id = true;
            rc = explicit_int(c, &m, "AARQ-apdu.calling-AP-invocation-identifier", &a->calling_ap_invocation_id);
            break;
        case BER_CTX(9):
            a->has_calling_ae_invocation_id = true;
            rc = explicit_int(c, &m, "AARQ-apdu.calling-AE-invocation-identifier", &a->calling_ae_invocation_id);
            break;
        case BER_CTX(10):
            a->has_acse_requirements = true;
            rc = ber_get_bits_u32(c, &m, "AARQ-apdu.sender-acse-requirements", &a->acse_requirements);
            break;
        case BER_CTX(11): rc = ber_get_oid(c, &m, "AARQ-apdu.mechanism-name", &a->mechanism_name); break;
        case BER_CTX(12):
            rc = explicit_raw(c, &m, "AARQ-apdu.calling-authentication-value", &a->authentication_value);
            break;
        case BER_CTX(29): a->implementation_information = ber_tlv_contents(&m); break;
        case BER_CTX(30): rc = decode_user_info(c, &m, &a->user_info); break;
        default: rc = keep_unknown(c, &m, a, "AARQ-apdu"); break; /* extensible: ... */
        }
        if (rc < 0)
            return rc;
    }
    if (rc < 0)
        return rc;
    if (!have_context)
        return ber_fail(c, it->end, X400MS_EPROTO, "AARQ-apdu.application-context-name", "missing");
    return 0;
}

static int decode_diagnostic(struct ber_ctx *c, const struct ber_tlv *t, struct acse_apdu *a)
{
    static const char *type = "AARE-apdu.result-source-diagnostic";
    struct ber_tlv choice;
    int rc = ber_explicit(c, t, &choice, type);
    if (rc < 0)
        return rc;
    if (choice.tag != BER_CTX(1) && choice.tag != BER_CTX(2))
        return ber_fail(c, choice.start, X400MS_EPROTO, type, "wrong tag");
    a->diagnostic_source = BER_TAG_NUMBER(choice.tag);
    return explicit_int(c, &choice, type, &a->diagnostic);
}

static int decode_aare(struct ber_ctx *c, struct ber_iter *it, struct acse_apdu *a)
{
    struct ber_tlv m;
    int rc;
    bool have_context = false, have_result = false, have_diag = false;
    while ((rc = ber_next(it, &m)) == 1) {
        switch (m.tag) {
        case BER_CTX(0): rc = ber_get_bits_u32(c, &m, "AARE-apdu.protocol-version", &a->protocol_version); break;
        case BER_CTX(1):
            have_context = true;
            rc = explicit_oid(c, &m, "AARE-apdu.application-context-name", &a->context_name);
            break;
        case BER_CTX(2):
            have_result = true;
            rc = explicit_int(c, &m, "AARE-apdu.result", &a->result);
            break;
        case BER_CTX(3):
            have_diag = true;
            rc = decode_diagnostic(c, &m, a);
            break;
        case BER_CTX(4): rc = explicit_raw(c, &m, "AARE-apdu.responding-AP-title", &a->responding_ap_title); break;
        case BER_CTX(5):
            rc = explicit_raw(c, &m, "AARE-apdu.responding-AE-qualifier", &a->responding_ae_qualifier);
            break;
        case BER_CTX(6):
            a->has_responding_ap_invocation_id = true;
            rc = explicit_int(c, &m, "AARE-apdu.responding-AP-invocation-identifier", &a->responding_ap_invocation_id);
            break;
        case BER_CTX(7):
            a->has_responding_ae_invocation_id = true;
            rc = explicit_int(c, &m, "AARE-apdu.responding-AE-invocation-identifier", &a->responding_ae_invocation_id);
            break;
        case BER_CTX(8):
            a->has_acse_requirements = true;
            rc = ber_get_bits_u32(c, &m, "AARE-apdu.responder-acse-requirements", &a->acse_requirements);
            break;
        case BER_CTX(9): rc = ber_get_oid(c, &m, "AARE-apdu.mechanism-name", &a->mechanism_name); break;
        case BER_CTX(10):
            rc = explicit_raw(c, &m, "AARE-apdu.responding-authentication-value", &a->authentication_value);
            break;
        case BER_CTX(29): a->implementation_information = ber_tlv_contents(&m); break;
        case BER_CTX(30): rc = decode_user_info(c, &m, &a->user_info); break;
        default: rc = keep_unknown(c, &m, a, "AARE-apdu"); break;
        }
        if (rc < 0)
            return rc;
    }
    if (rc < 0)
        return rc;
    if (!have_context)
        return ber_fail(c, it->end, X400MS_EPROTO, "AARE-apdu.application-context-name", "missing");
    if (!have_result)
        return ber_fail(c, it->end, X400MS_EPROTO, "AARE-apdu.result", "missing");
    if (!have_diag)
        return ber_fail(c, it->end, X400MS_EPROTO, "AARE-apdu.result-source-diagnostic", "missing");
    return 0;
}

static int decode_release_or_abort(struct ber_ctx *c, struct ber_iter *it, struct acse_apdu *a)
{
    const char *type = type_names[a->type];
    struct ber_tlv m;
    int rc;
    bool have_source = false;
    while ((rc = ber_next(it, &m)) == 1) {
        if (m.tag == BER_CTX(30)) {
            rc = decode_user_info(c, &m, &a->user_info);
        } else if (a->type != ACSE_ABRT && m.tag == BER_CTX(0)) {
            a->has_reason = true;
            rc = ber_get_int64(c, &m, type, &a->reason);
        } else if (a->type == ACSE_ABRT && m.tag == BER_CTX(0)) {
            have_source = true;
            rc = ber_get_int64(c, &m, "ABRT-apdu.abort-source", &a->abort_source);
        } else if (a->type == ACSE_ABRT && m.tag == BER_CTX(1)) {
            a->has_abort_diagnostic = true;
            rc = ber_get_enum(c, &m, "ABRT-apdu.abort-diagnostic", &a->abort_diagnostic);
        } else {
            rc = keep_unknown(c, &m, a, type);
        }
        if (rc < 0)
            return rc;
    }
    if (rc < 0)
        return rc;
    if (a->type == ACSE_ABRT && !have_source)
        return ber_fail(c, it->end, X400MS_EPROTO, "ABRT-apdu.abort-source", "missing");
    return 0;
}

int acse_decode(const uint8_t *buf, size_t len, struct acse_apdu *a, struct ber_error *err)
{
    struct ber_ctx c;
    struct ber_tlv t;
    struct ber_iter it;

    ber_ctx_init(&c, buf, len, err);
    int rc = ber_decode_top(&c, &t, "ACSE-apdu");
    if (rc < 0)
        return rc;
    if (BER_TAG_CLASS(t.tag) != BER_CLASS_APPLICATION || BER_TAG_NUMBER(t.tag) > ACSE_ABRT)
        return ber_fail(&c, t.start, X400MS_EPROTO, "ACSE-apdu", "wrong tag");
    acse_init(a, (enum acse_type)BER_TAG_NUMBER(t.tag));
    if ((rc = ber_enter(&c, &t, &it, type_names[a->type])) < 0)
        return rc;
    switch (a->type) {
    case ACSE_AARQ: return decode_aarq(&c, &it, a);
    case ACSE_AARE: return decode_aare(&c, &it, a);
    default: return decode_release_or_abort(&c, &it, a);
    }
}

int acse_title_form2(struct ber_slice raw, struct ber_slice *oid)
{
    struct ber_ctx c;
    struct ber_tlv t;
    ber_ctx_init(&c, raw.ptr, raw.len, NULL);
    if (raw.len == 0 || ber_decode_top(&c, &t, NULL) < 0 || t.tag != BER_UNIV(BER_OID))
        return X400MS_ENOENT;
    return ber_get_oid(&c, &t, NULL, oid) < 0 ? X400MS_ENOENT : 0;
}

int acse_qualifier_form2(struct ber_slice raw, int64_t *v)
{
    struct ber_ctx c;
    struct ber_tlv t;
    ber_ctx_init(&c, raw.ptr, raw.len, NULL);
    if (raw.len == 0 || ber_decode_top(&c, &t, NULL) < 0 || t.tag != BER_UNIV(BER_INTEGER))
        return X400MS_ENOENT;
    return ber_get_int64(&c, &t, NULL, v) < 0 ? X400MS_ENOENT : 0;
}

/* ---------------- encoding (backwards) ---------------- */

int acse_wrap_external(struct ber_writer *w, ber_mark_t mark, int64_t indirect_reference)
{
    ber_wrap(w, mark, BER_CTX(0), true);
    ber_put_int64(w, BER_UNIV(BER_INTEGER), indirect_reference);
    return ber_wrap(w, mark, BER_UNIV(BER_EXTERNAL), true);
}

static void put_external(struct ber_writer *w, const struct acse_external *e)
{
    ber_mark_t m = ber_mark(w);
    switch (e->encoding) {
    case ACSE_EXT_SINGLE_ASN1_TYPE: {
        ber_mark_t v = ber_mark(w);
        ber_put_slice(w, e->value);
        ber_wrap(w, v, BER_CTX(0), true);
        break;
    }
    case ACSE_EXT_OCTET_ALIGNED:
        ber_put_octets(w, BER_CTX(1), e->value.ptr, e->value.len);
        break;
    default:
        ber_put_slice(w, e->value);
        ber_put_header(w, BER_CTX(2), false, e->value.len);
        break;
    }
    if (e->data_value_descriptor.ptr)
        ber_put_octets(w, BER_UNIV(BER_OBJECT_DESCRIPTOR), e->data_value_descriptor.ptr,
                       e->data_value_descriptor.len);
    if (e->has_indirect_reference)
        ber_put_int64(w, BER_UNIV(BER_INTEGER), e->indirect_reference);
    if (e->direct_reference.ptr)
        ber_put_oid(w, BER_UNIV(BER_OID), e->direct_reference);
    ber_wrap(w, m, BER_UNIV(BER_EXTERNAL), true);
}

static void put_explicit_raw(struct ber_writer *w, unsigned tag, struct ber_slice raw)
{
    if (!raw.ptr)
        return;
    ber_mark_t m = ber_mark(w);
    ber_put_slice(w, raw);
    ber_wrap(w, m, BER_CTX(tag), true);
}

static void put_explicit_int(struct ber_writer *w, unsigned tag, bool present, int64_t v)
{
    if (!present)
        return;
    ber_mark_t m = ber_mark(w);
    ber_put_int64(w, BER_UNIV(BER_INTEGER), v);
    ber_wrap(w, m, BER_CTX(tag), true);
}

static void put_explicit_oid(struct ber_writer *w, unsigned tag, struct ber_slice oid)
{
    ber_mark_t m = ber_mark(w);
    ber_put_oid(w, BER_UNIV(BER_OID), oid);
    ber_wrap(w, m, BER_CTX(tag), true);
}

/* Members before user-information, pushed in reverse tag order. */
static void put_body(struct ber_writer *w, const struct acse_apdu *a)
{
    for (size_t i = a->nunknown; i-- > 0;)
        ber_put_slice(w, a->unknown[i]);
    if ((a->type == ACSE_AARQ || a->type == ACSE_AARE) && a->implementation_information.ptr)
        ber_put_octets(w, BER_CTX(29), a->implementation_information.ptr, a->implementation_information.len);
    switch (a->type) {
    case ACSE_AARQ:
        put_explicit_raw(w, 12, a->authentication_value);
        if (a->mechanism_name.ptr)
            ber_put_oid(w, BER_CTX(11), a->mechanism_name);
        if (a->has_acse_requirements)
            ber_put_bits_u32(w, BER_CTX(10), a->acse_requirements);
        put_explicit_int(w, 9, a->has_calling_ae_invocation_id, a->calling_ae_invocation_id);
        put_explicit_int(w, 8, a->has_calling_ap_invocation_id, a->calling_ap_invocation_id);
        put_explicit_raw(w, 7, a->calling_ae_qualifier);
        put_explicit_raw(w, 6, a->calling_ap_title);
        put_explicit_int(w, 5, a->has_called_ae_invocation_id, a->called_ae_invocation_id);
        put_explicit_int(w, 4, a->has_called_ap_invocation_id, a->called_ap_invocation_id);
        put_explicit_raw(w, 3, a->called_ae_qualifier);
        put_explicit_raw(w, 2, a->called_ap_title);
        put_explicit_oid(w, 1, a->context_name);
        if (a->protocol_version != ACSE_VERSION_1)
            ber_put_bits_u32(w, BER_CTX(0), a->protocol_version);
        break;
    case ACSE_AARE: {
        put_explicit_raw(w, 10, a->authentication_value);
        if (a->mechanism_name.ptr)
            ber_put_oid(w, BER_CTX(9), a->mechanism_name);
        if (a->has_acse_requirements)
            ber_put_bits_u32(w, BER_CTX(8), a->acse_requirements);
        put_explicit_int(w, 7, a->has_responding_ae_invocation_id, a->responding_ae_invocation_id);
        put_explicit_int(w, 6, a->has_responding_ap_invocation_id, a->responding_ap_invocation_id);
        put_explicit_raw(w, 5, a->responding_ae_qualifier);
        put_explicit_raw(w, 4, a->responding_ap_title);
        ber_mark_t d = ber_mark(w);
        put_explicit_int(w, (unsigned)a->diagnostic_source, true, a->diagnostic);
        ber_wrap(w, d, BER_CTX(3), true);
        put_explicit_int(w, 2, true, a->result);
        put_explicit_oid(w, 1, a->context_name);
        if (a->protocol_version != ACSE_VERSION_1)
            ber_put_bits_u32(w, BER_CTX(0), a->protocol_version);
        break;
    }
    case ACSE_RLRQ:
    case ACSE_RLRE:
        if (a->has_reason)
            ber_put_int64(w, BER_CTX(0), a->reason);
        break;
    case ACSE_ABRT:
        if (a->has_abort_diagnostic)
            ber_put_enum(w, BER_CTX(1), a->abort_diagnostic);
        ber_put_int64(w, BER_CTX(0), a->abort_source);
        break;
    }
}

static bool valid(struct ber_writer *w, const struct acse_apdu *a)
{
    bool ok = (unsigned)a->type <= ACSE_ABRT &&
              ((a->type != ACSE_AARQ && a->type != ACSE_AARE) || a->context_name.ptr) &&
              (a->type != ACSE_AARE ||
               a->diagnostic_source == ACSE_DIAG_SERVICE_USER || a->diagnostic_source == ACSE_DIAG_SERVICE_PROVIDER);
    if (!ok && !w->error)
        w->error = X400MS_EINVAL;
    return ok;
}

int acse_encode(struct ber_writer *w, const struct acse_apdu *a)
{
    if (!valid(w, a))
        return X400MS_EINVAL;
    ber_mark_t top = ber_mark(w);
    if (a->user_info.present) {
        ber_mark_t ui = ber_mark(w);
        for (size_t i = a->user_info.n; i-- > 0;)
            put_external(w, &a->user_info.ext[i]);
        ber_wrap(w, ui, BER_CTX(30), true);
    }
    put_body(w, a);
    return ber_wrap(w, top, BER_APP(a->type), true);
}

int acse_encode_after(struct ber_writer *w, const struct acse_apdu *a, ber_mark_t mark)
{
    if (!valid(w, a))
        return X400MS_EINVAL;
    ber_wrap(w, mark, BER_CTX(30), true);
    put_body(w, a);
    return ber_wrap(w, mark, BER_APP(a->type), true);
}
