/* RTSE APDU codec, normal mode. Implements asn1/rtse.asn (X.228). */
#include "config.h"

#include <string.h>

#include "asn1/rtse.h"

const char *rtse_type_name(enum rtse_type type)
{
    switch (type) {
    case RTSE_RTORQ: return "RTORQ";
    case RTSE_RTOAC: return "RTOAC";
    case RTSE_RTORJ: return "RTORJ";
    case RTSE_RTTP: return "RTTP";
    case RTSE_RTTR: return "RTTR";
    case RTSE_RTAB: return "RTAB";
    }
    return "unknown";
}

void rtse_init(struct rtse_apdu *a, enum rtse_type type)
{
    memset(a, 0, sizeof(*a));
    a->type = type;
    a->checkpoint_size = RTSE_DEFAULT_CHECKPOINT_SIZE;
    a->window_size = RTSE_DEFAULT_WINDOW_SIZE;
    a->dialogue_mode = RTSE_MONOLOGUE;
}

static int decode_connection_data(struct ber_ctx *c, const struct ber_tlv *t, struct rtse_apdu *a,
                                  const char *type)
{
    struct ber_tlv choice, v;
    int rc = ber_explicit(c, t, &choice, type); /* [n] ConnectionData: a CHOICE, so explicit */
    if (rc < 0)
        return rc;
    if (choice.tag == BER_CTX(0)) {
        if ((rc = ber_explicit(c, &choice, &v, type)) < 0)
            return rc;
        a->connection_data = ber_tlv_whole(&v);
        return 0;
    }
    if (choice.tag == BER_CTX(1)) {
        if (!choice.constructed)
            return ber_fail(c, choice.start, X400MS_EPROTO, type, "expected constructed");
        a->recover = true;
        a->connection_data = ber_tlv_contents(&choice);
        return 0;
    }
    return ber_fail(c, choice.start, X400MS_EPROTO, type, "wrong tag");
}

int rtse_decode(const uint8_t *buf, size_t len, struct rtse_apdu *a, struct ber_error *err)
{
    struct ber_ctx c;
    struct ber_tlv t, m, v;
    struct ber_iter it;
    int rc;
    bool have_cd = false;

    ber_ctx_init(&c, buf, len, err);
    if ((rc = ber_decode_top(&c, &t, "RTSE-apdus")) < 0)
        return rc;
    if (t.tag == BER_UNIV(BER_INTEGER)) {
        rtse_init(a, RTSE_RTTP);
        return ber_get_int64(&c, &t, "RTTPapdu", &a->priority);
    }
    if (t.tag == BER_UNIV(BER_OCTET_STRING)) {
        struct ber_str s;
        rtse_init(a, RTSE_RTTR);
        if ((rc = ber_get_str(&c, &t, "RTTRapdu", BER_OCTET_STRING, &s)) < 0)
            return rc;
        a->transfer_data = ber_slice_make(s.ptr, s.len);
        return 0;
    }
    unsigned n = BER_TAG_NUMBER(t.tag);
    if (BER_TAG_CLASS(t.tag) != BER_CLASS_CONTEXT || (n != 16 && n != 17 && n != 18 && n != 22))
        return ber_fail(&c, t.start, X400MS_EPROTO, "RTSE-apdus", "wrong tag");
    rtse_init(a, (enum rtse_type)n);
    const char *type = n == 16 ? "RTORQapdu" : n == 17 ? "RTOACapdu" : n == 18 ? "RTORJapdu" : "RTABapdu";
    if ((rc = ber_enter(&c, &t, &it, type)) < 0)
        return rc;
    /* SET: members in any order, told apart by tag. */
    while ((rc = ber_next(&it, &m)) == 1) {
        unsigned k = BER_TAG_CLASS(m.tag) == BER_CLASS_CONTEXT ? BER_TAG_NUMBER(m.tag) : 99;
        if ((a->type == RTSE_RTORQ || a->type == RTSE_RTOAC) && k == 0) {
            rc = ber_get_int64(&c, &m, "checkpointSize", &a->checkpoint_size);
        } else if ((a->type == RTSE_RTORQ || a->type == RTSE_RTOAC) && k == 1) {
            rc = ber_get_int64(&c, &m, "windowSize", &a->window_size);
        } else if (a->type == RTSE_RTORQ && k == 2) {
            rc = ber_get_int64(&c, &m, "dialogueMode", &a->dialogue_mode);
        } else if ((a->type == RTSE_RTORQ && k == 3) || (a->type == RTSE_RTOAC && k == 2)) {
            have_cd = true;
            rc = decode_connection_data(&c, &m, a, "connectionData");
        } else if (a->type == RTSE_RTORQ && k == 4) {
            a->has_application_protocol = true;
            rc = ber_get_int64(&c, &m, "applicationProtocol", &a->application_protocol);
        } else if (a->type == RTSE_RTORJ && k == 0) {
            a->has_refuse_reason = true;
            rc = ber_get_int64(&c, &m, "refuseReason", &a->refuse_reason);
        } else if ((a->type == RTSE_RTORJ && k == 1) || (a->type == RTSE_RTAB && k == 2)) {
            if ((rc = ber_explicit(&c, &m, &v, a->type == RTSE_RTORJ ? "userDataRJ" : "userdataAB")) == 0)
                a->user_data = ber_tlv_whole(&v);
        } else if (a->type == RTSE_RTAB && k == 0) {
            a->has_abort_reason = true;
            rc = ber_get_int64(&c, &m, "abortReason", &a->abort_reason);
        } else if (a->type == RTSE_RTAB && k == 1) {
            if (m.constructed || m.len < 1)
                return ber_fail(&c, m.start, X400MS_EPROTO, "reflectedParameter", "bad BIT STRING");
            a->has_reflected_parameter = true;
            a->reflected_parameter = ber_tlv_contents(&m);
        } else {
            return ber_fail(&c, m.start, X400MS_EPROTO, type, "unexpected member");
        }
        if (rc < 0)
            return rc;
    }
    if (rc < 0)
        return rc;
    if ((a->type == RTSE_RTORQ || a->type == RTSE_RTOAC) && !have_cd)
        return ber_fail(&c, t.start, X400MS_EPROTO, "connectionData", "missing");
    return 0;
}

static void put_connection_data(struct ber_writer *w, const struct rtse_apdu *a, unsigned tag)
{
    ber_mark_t m = ber_mark(w);
    ber_put_slice(w, a->connection_data);
    ber_wrap(w, m, BER_CTX(a->recover ? 1 : 0), true);
    ber_wrap(w, m, BER_CTX(tag), true);
}

static void put_explicit(struct ber_writer *w, unsigned tag, struct ber_slice v)
{
    ber_mark_t m = ber_mark(w);
    ber_put_slice(w, v);
    ber_wrap(w, m, BER_CTX(tag), true);
}

int rtse_encode(struct ber_writer *w, const struct rtse_apdu *a)
{
    ber_mark_t m = ber_mark(w);
    switch (a->type) {
    case RTSE_RTTP:
        return ber_put_int64(w, BER_UNIV(BER_INTEGER), a->priority);
    case RTSE_RTTR:
        return ber_put_octets(w, BER_UNIV(BER_OCTET_STRING), a->transfer_data.ptr, a->transfer_data.len);
    case RTSE_RTORQ: /* SET members in tag order, pushed in reverse; DEFAULTs omitted */
        if (a->has_application_protocol)
            ber_put_int64(w, BER_CTX(4), a->application_protocol);
        put_connection_data(w, a, 3);
        if (a->dialogue_mode != RTSE_MONOLOGUE)
            ber_put_int64(w, BER_CTX(2), a->dialogue_mode);
        if (a->window_size != RTSE_DEFAULT_WINDOW_SIZE)
            ber_put_int64(w, BER_CTX(1), a->window_size);
        if (a->checkpoint_size != RTSE_DEFAULT_CHECKPOINT_SIZE)
            ber_put_int64(w, BER_CTX(0), a->checkpoint_size);
        break;
    case RTSE_RTOAC:
        put_connection_data(w, a, 2);
        if (a->window_size != RTSE_DEFAULT_WINDOW_SIZE)
            ber_put_int64(w, BER_CTX(1), a->window_size);
        if (a->checkpoint_size != RTSE_DEFAULT_CHECKPOINT_SIZE)
            ber_put_int64(w, BER_CTX(0), a->checkpoint_size);
        break;
    case RTSE_RTORJ:
        if (a->user_data.ptr)
            put_explicit(w, 1, a->user_data);
        if (a->has_refuse_reason)
            ber_put_int64(w, BER_CTX(0), a->refuse_reason);
        break;
    case RTSE_RTAB:
        if (a->user_data.ptr)
            put_explicit(w, 2, a->user_data);
        if (a->has_reflected_parameter) {
            ber_put_slice(w, a->reflected_parameter);
            ber_put_header(w, BER_CTX(1), false, a->reflected_parameter.len);
        }
        if (a->has_abort_reason)
            ber_put_int64(w, BER_CTX(0), a->abort_reason);
        break;
    default:
        if (!w->error)
            w->error = X400MS_EINVAL;
        return X400MS_EINVAL;
    }
    return ber_wrap(w, m, BER_CTX(a->type), true);
}
