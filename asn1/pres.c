/* X.226 presentation PPDU codec, normal mode. Implements asn1/pres.asn
 * (module ISO8823-PRESENTATION, EXPLICIT tags by default; most fields are
 * marked IMPLICIT in the module itself). */
#include "config.h"

#include <string.h>

#include "asn1/pres.h"

#define T_SET BER_UNIV(BER_SET)
#define T_SEQ BER_UNIV(BER_SEQUENCE)

void pres_connect_init(struct pres_connect *p)
{
    memset(p, 0, sizeof(*p));
    p->mode = 1;
    p->has_normal = true;
    p->protocol_version = PRES_VERSION_1;
}

const struct pres_pdv *pres_find_pdv(const struct pres_user_data *ud, int64_t context_id)
{
    for (size_t i = 0; i < ud->npdv; i++)
        if (ud->pdv[i].context_id == context_id)
            return &ud->pdv[i];
    return NULL;
}

/* ---------------- decoding ---------------- */

/* An INTEGER that some peers tag implicitly and the module tags explicitly. */
static int get_int_either(struct ber_ctx *c, const struct ber_tlv *t, const char *type, int64_t *v)
{
    struct ber_tlv inner;
    if (!t->constructed)
        return ber_get_int64(c, t, type, v);
    int rc = ber_explicit(c, t, &inner, type);
    return rc < 0 ? rc : ber_get_int64(c, &inner, type, v);
}

static int get_bits_either(struct ber_ctx *c, const struct ber_tlv *t, const char *type, uint32_t *v)
{
    struct ber_tlv inner;
    /* a constructed [n] holding a BIT STRING TLV is the explicit form;
     * otherwise it is the (possibly segmented) implicit one */
    if (t->constructed && t->len > 0 && (t->val[0] & 0xdf) == BER_BIT_STRING) {
        int rc = ber_explicit(c, t, &inner, type);
        return rc < 0 ? rc : ber_get_bits_u32(c, &inner, type, v);
    }
    return ber_get_bits_u32(c, t, type, v);
}

static int decode_pdv(struct ber_ctx *c, const struct ber_tlv *t, struct pres_pdv *pdv)
{
    static const char *type = "PDV-list";
    struct ber_iter it;
    struct ber_tlv m;
    int rc = ber_enter(c, t, &it, type);
    if (rc < 0)
        return rc;
    memset(pdv, 0, sizeof(*pdv));
    if ((rc = ber_optional(&it, BER_UNIV(BER_OID), &m)) < 0)
        return rc;
    if (rc == 1 && (rc = ber_get_oid(c, &m, "PDV-list.transfer-syntax-name", &pdv->transfer_syntax)) < 0)
        return rc;
    if ((rc = ber_expect(&it, BER_UNIV(BER_INTEGER), &m, "PDV-list.presentation-context-identifier")) < 0 ||
        (rc = ber_get_int64(c, &m, "PDV-list.presentation-context-identifier", &pdv->context_id)) < 0)
        return rc;
    rc = ber_next(&it, &m);
    if (rc < 0)
        return rc;
    if (rc == 0)
        return ber_fail(c, it.end, X400MS_EPROTO, "PDV-list.presentation-data-values", "missing");
    if (m.tag == BER_CTX(0)) {
        struct ber_tlv v;
        pdv->encoding = PRES_SINGLE_ASN1_TYPE;
        if ((rc = ber_explicit(c, &m, &v, "PDV-list.single-ASN1-type")) < 0)
            return rc;
        pdv->value = ber_tlv_whole(&v);
    } else if (m.tag == BER_CTX(1)) {
        struct ber_str s;
        pdv->encoding = PRES_OCTET_ALIGNED;
        if ((rc = ber_get_str(c, &m, "PDV-list.octet-aligned", BER_OCTET_STRING, &s)) < 0)
            return rc;
        pdv->value = ber_slice_make(s.ptr, s.len);
        pdv->segmented = s.segmented;
    } else if (m.tag == BER_CTX(2)) {
        pdv->encoding = PRES_ARBITRARY;
        if (m.constructed || m.len < 1)
            return ber_fail(c, m.start, X400MS_EPROTO, "PDV-list.arbitrary", "bad BIT STRING");
        pdv->value = ber_tlv_contents(&m);
    } else {
        return ber_fail(c, m.start, X400MS_EPROTO, "PDV-list.presentation-data-values", "wrong tag");
    }
    return ber_end(&it, type);
}

static int decode_user_data_tlv(struct ber_ctx *c, const struct ber_tlv *t, struct pres_user_data *ud)
{
    memset(ud, 0, sizeof(*ud));
    ud->present = true;
    if (t->tag == BER_APP(0)) {
        struct ber_str s;
        int rc = ber_get_str(c, t, "Simply-encoded-data", BER_OCTET_STRING, &s);
        if (rc < 0)
            return rc;
        ud->simply_encoded = true;
        ud->simple = ber_slice_make(s.ptr, s.len);
        return 0;
    }
    if (t->tag != BER_APP(1))
        return ber_fail(c, t->start, X400MS_EPROTO, "User-data", "wrong tag");
    struct ber_iter it;
    struct ber_tlv m;
    int rc = ber_enter(c, t, &it, "Fully-encoded-data");
    while (rc == 0 && (rc = ber_next(&it, &m)) == 1) {
        if (m.tag != T_SEQ)
            return ber_fail(c, m.start, X400MS_EPROTO, "Fully-encoded-data", "wrong tag");
        if (ud->npdv == PRES_MAX_PDV)
            return ber_fail(c, m.start, X400MS_ELIMIT, "Fully-encoded-data", "too many PDV-lists");
        rc = decode_pdv(c, &m, &ud->pdv[ud->npdv++]);
    }
    if (rc < 0)
        return rc;
    if (ud->npdv == 0) /* SIZE (1, ..., 2..MAX) */
        return ber_fail(c, t->start, X400MS_EPROTO, "Fully-encoded-data", "empty");
    return 0;
}

int pres_decode_user_data(const uint8_t *buf, size_t len, struct pres_user_data *ud, struct ber_error *err)
{
    struct ber_ctx c;
    struct ber_tlv t;
    ber_ctx_init(&c, buf, len, err);
    int rc = ber_decode_top(&c, &t, "User-data");
    return rc < 0 ? rc : decode_user_data_tlv(&c, &t, ud);
}

static int decode_context_list(struct ber_ctx *c, const struct ber_tlv *t, struct pres_connect *p)
{
    static const char *type = "Presentation-context-definition-list";
    struct ber_iter it, item, tsl;
    struct ber_tlv m, f;
    int rc = ber_enter(c, t, &it, type);
    p->has_context_list = true;
    while (rc == 0 && (rc = ber_next(&it, &m)) == 1) {
        if (p->ncontexts == PRES_MAX_CONTEXTS)
            return ber_fail(c, m.start, X400MS_ELIMIT, type, "too many contexts");
        struct pres_context *ctx = &p->contexts[p->ncontexts++];
        memset(ctx, 0, sizeof(*ctx));
        if (m.tag != T_SEQ)
            return ber_fail(c, m.start, X400MS_EPROTO, type, "wrong tag");
        if ((rc = ber_enter(c, &m, &item, type)) < 0 ||
            (rc = ber_expect(&item, BER_UNIV(BER_INTEGER), &f, "Context-list.presentation-context-identifier")) < 0 ||
            (rc = ber_get_int64(c, &f, "Context-list.presentation-context-identifier", &ctx->id)) < 0 ||
            (rc = ber_expect(&item, BER_UNIV(BER_OID), &f, "Context-list.abstract-syntax-name")) < 0 ||
            (rc = ber_get_oid(c, &f, "Context-list.abstract-syntax-name", &ctx->abstract_syntax)) < 0 ||
            (rc = ber_expect_enter(&item, T_SEQ, &tsl, NULL, "Context-list.transfer-syntax-name-list")) < 0)
            return rc;
        while ((rc = ber_next(&tsl, &f)) == 1) {
            if (ctx->nts == PRES_MAX_TRANSFER_SYNTAXES)
                return ber_fail(c, f.start, X400MS_ELIMIT, "Context-list.transfer-syntax-name-list",
                                "too many transfer syntaxes");
            if (f.tag != BER_UNIV(BER_OID))
                return ber_fail(c, f.start, X400MS_EPROTO, "Transfer-syntax-name", "wrong tag");
            if ((rc = ber_get_oid(c, &f, "Transfer-syntax-name", &ctx->transfer_syntax[ctx->nts++])) < 0)
                return rc;
        }
        if (rc < 0)
            return rc;
        if (ctx->nts == 0)
            return ber_fail(c, m.start, X400MS_EPROTO, "Context-list.transfer-syntax-name-list", "empty");
        rc = ber_end(&item, type);
    }
    return rc < 0 ? rc : 0;
}

static int decode_result_list(struct ber_ctx *c, const struct ber_tlv *t, struct pres_connect *p)
{
    static const char *type = "Presentation-context-definition-result-list";
    struct ber_iter it, item;
    struct ber_tlv m, f;
    int rc = ber_enter(c, t, &it, type);
    p->has_result_list = true;
    while (rc == 0 && (rc = ber_next(&it, &m)) == 1) {
        if (p->nresults == PRES_MAX_CONTEXTS)
            return ber_fail(c, m.start, X400MS_ELIMIT, type, "too many results");
        struct pres_result_item *r = &p->results[p->nresults++];
        memset(r, 0, sizeof(*r));
        if (m.tag != T_SEQ)
            return ber_fail(c, m.start, X400MS_EPROTO, type, "wrong tag");
        if ((rc = ber_enter(c, &m, &item, type)) < 0 ||
            (rc = ber_expect(&item, BER_CTX(0), &f, "Result-list.result")) < 0 ||
            (rc = ber_get_int64(c, &f, "Result-list.result", &r->result)) < 0)
            return rc;
        if ((rc = ber_optional(&item, BER_CTX(1), &f)) < 0)
            return rc;
        if (rc == 1 && (rc = ber_get_oid(c, &f, "Result-list.transfer-syntax-name", &r->transfer_syntax)) < 0)
            return rc;
        if ((rc = ber_optional(&item, BER_CTX(2), &f)) < 0)
            return rc;
        if (rc == 1) {
            r->has_provider_reason = true;
            if ((rc = ber_get_int64(c, &f, "Result-list.provider-reason", &r->provider_reason)) < 0)
                return rc;
        }
        rc = ber_end(&item, type);
    }
    return rc < 0 ? rc : 0;
}

enum which { W_CP, W_CPA, W_CPR };

/* normal-mode-parameters of CP / CPA / CPR: members identified by tag. */
static int decode_normal(struct ber_ctx *c, const struct ber_tlv *t, struct pres_connect *p, enum which w)
{
    static const char *names[] = { "CP-type.normal-mode-parameters", "CPA-PPDU.normal-mode-parameters",
                                   "CPR-PPDU.normal-mode-parameters" };
    const char *type = names[w];
    struct ber_iter it;
    struct ber_tlv m;
    int rc = ber_enter(c, t, &it, type);
    p->has_normal = true;
    while (rc == 0 && (rc = ber_next(&it, &m)) == 1) {
        switch (m.tag) {
        case BER_CTX(0):
            rc = ber_get_bits_u32(c, &m, "protocol-version", &p->protocol_version);
            break;
        case BER_CTX(1):
            rc = ber_get_str_slice(c, &m, "calling-presentation-selector", BER_OCTET_STRING, &p->calling_selector);
            break;
        case BER_CTX(2):
            rc = ber_get_str_slice(c, &m, "called-presentation-selector", BER_OCTET_STRING, &p->called_selector);
            break;
        case BER_CTX(3):
            rc = ber_get_str_slice(c, &m, "responding-presentation-selector", BER_OCTET_STRING,
                                   &p->responding_selector);
            break;
        case BER_CTX(4):
            rc = decode_context_list(c, &m, p);
            break;
        case BER_CTX(5):
            rc = decode_result_list(c, &m, p);
            break;
        case BER_CTX(6): {
            struct ber_iter dc;
            struct ber_tlv f;
            p->has_default_context = true;
            if ((rc = ber_enter(c, &m, &dc, "default-context-name")) < 0 ||
                (rc = ber_expect(&dc, BER_CTX(0), &f, "default-context-name.abstract-syntax-name")) < 0 ||
                (rc = ber_get_oid(c, &f, "default-context-name.abstract-syntax-name", &p->default_abstract_syntax)) < 0 ||
                (rc = ber_expect(&dc, BER_CTX(1), &f, "default-context-name.transfer-syntax-name")) < 0 ||
                (rc = ber_get_oid(c, &f, "default-context-name.transfer-syntax-name", &p->default_transfer_syntax)) < 0)
                break;
            rc = ber_end(&dc, "default-context-name");
            break;
        }
        case BER_CTX(7):
            p->has_default_context_result = true;
            rc = ber_get_int64(c, &m, "default-context-result", &p->default_context_result);
            break;
        case BER_CTX(8):
            p->has_presentation_requirements = true;
            rc = ber_get_bits_u32(c, &m, "presentation-requirements", &p->presentation_requirements);
            break;
        case BER_CTX(9):
            p->has_user_session_requirements = true;
            rc = ber_get_bits_u32(c, &m, "user-session-requirements", &p->user_session_requirements);
            break;
        case BER_CTX(10):
            p->has_provider_reason = true;
            rc = ber_get_int64(c, &m, "provider-reason", &p->provider_reason);
            break;
        case BER_CTX(11):
            rc = get_bits_either(c, &m, "protocol-options", &p->protocol_options);
            break;
        case BER_CTX(12):
        case BER_CTX(13):
            p->has_nominated_context = true;
            rc = get_int_either(c, &m, "nominated-context", &p->nominated_context);
            break;
        case BER_CTX(14):
            p->extensions = ber_tlv_whole(&m);
            break;
        case BER_APP(0):
        case BER_APP(1):
            rc = decode_user_data_tlv(c, &m, &p->user_data);
            break;
        default:
            /* unknown members of later editions are skipped */
            break;
        }
    }
    return rc < 0 ? rc : 0;
}

static int decode_mode_selector(struct ber_ctx *c, const struct ber_tlv *t, struct pres_connect *p)
{
    struct ber_iter it;
    struct ber_tlv m;
    int rc = ber_enter(c, t, &it, "Mode-selector");
    if (rc < 0 || (rc = ber_expect(&it, BER_CTX(0), &m, "Mode-selector.mode-value")) < 0 ||
        (rc = ber_get_int64(c, &m, "Mode-selector.mode-value", &p->mode)) < 0)
        return rc;
    if (p->mode != 0 && p->mode != 1)
        return ber_fail(c, m.start, X400MS_EPROTO, "Mode-selector.mode-value", "unknown mode");
    return ber_end(&it, "Mode-selector");
}

/* CP-type and CPA-PPDU: SET { [0] mode-selector, [1] x410, [2] normal } */
static int decode_connect_set(const uint8_t *buf, size_t len, struct pres_connect *p, enum which w,
                              struct ber_error *err)
{
    const char *type = w == W_CP ? "CP-type" : "CPA-PPDU";
    struct ber_ctx c;
    struct ber_tlv t, m;
    struct ber_iter it;
    bool have_mode = false;

    memset(p, 0, sizeof(*p));
    p->protocol_version = PRES_VERSION_1;
    ber_ctx_init(&c, buf, len, err);
    int rc = ber_decode_top(&c, &t, type);
    if (rc < 0)
        return rc;
    if (t.tag != T_SET)
        return ber_fail(&c, t.start, X400MS_EPROTO, type, "wrong tag");
    if ((rc = ber_enter(&c, &t, &it, type)) < 0)
        return rc;
    while ((rc = ber_next(&it, &m)) == 1) {
        if (m.tag == BER_CTX(0)) {
            rc = decode_mode_selector(&c, &m, p);
            have_mode = true;
        } else if (m.tag == BER_CTX(1)) {
            p->x410_mode_parameters = ber_tlv_whole(&m);
        } else if (m.tag == BER_CTX(2)) {
            rc = decode_normal(&c, &m, p, w);
        } /* else: unknown SET member, skipped */
        if (rc < 0)
            return rc;
    }
    if (rc < 0)
        return rc;
    if (!have_mode)
        return ber_fail(&c, t.start, X400MS_EPROTO, "Mode-selector", "missing");
    return 0;
}

int pres_decode_cp(const uint8_t *buf, size_t len, struct pres_connect *cp, struct ber_error *err)
{
    return decode_connect_set(buf, len, cp, W_CP, err);
}

int pres_decode_cpa(const uint8_t *buf, size_t len, struct pres_connect *cpa, struct ber_error *err)
{
    return decode_connect_set(buf, len, cpa, W_CPA, err);
}

int pres_decode_cpr(const uint8_t *buf, size_t len, struct pres_connect *cpr, struct ber_error *err)
{
    struct ber_ctx c;
    struct ber_tlv t;

    memset(cpr, 0, sizeof(*cpr));
    cpr->protocol_version = PRES_VERSION_1;
    cpr->mode = 1;
    ber_ctx_init(&c, buf, len, err);
    int rc = ber_decode_top(&c, &t, "CPR-PPDU");
    if (rc < 0)
        return rc;
    if (t.tag == T_SET) { /* x400-mode-parameters RTORJapdu */
        cpr->mode = 0;
        cpr->x410_mode_parameters = ber_tlv_whole(&t);
        return 0;
    }
    if (t.tag != T_SEQ)
        return ber_fail(&c, t.start, X400MS_EPROTO, "CPR-PPDU", "wrong tag");
    return decode_normal(&c, &t, cpr, W_CPR);
}

int pres_decode_abort(const uint8_t *buf, size_t len, struct pres_abort *ab, struct ber_error *err)
{
    struct ber_ctx c;
    struct ber_tlv t, m;
    struct ber_iter it;

    memset(ab, 0, sizeof(*ab));
    ber_ctx_init(&c, buf, len, err);
    int rc = ber_decode_top(&c, &t, "Abort-type");
    if (rc < 0)
        return rc;
    if (t.tag == T_SET) { /* ARU x400-mode-parameters RTABapdu */
        ab->x400_mode_parameters = ber_tlv_whole(&t);
        return 0;
    }
    if (t.tag == BER_CTX(0)) { /* ARU normal-mode-parameters */
        if ((rc = ber_enter(&c, &t, &it, "ARU-PPDU")) < 0)
            return rc;
        while ((rc = ber_next(&it, &m)) == 1) {
            if (m.tag == BER_CTX(0)) {
                struct ber_iter list, item;
                struct ber_tlv e, f;
                if ((rc = ber_enter(&c, &m, &list, "presentation-context-identifier-list")) < 0)
                    return rc;
                while ((rc = ber_next(&list, &e)) == 1) {
                    if (ab->ncontext_ids == PRES_MAX_CONTEXTS)
                        return ber_fail(&c, e.start, X400MS_ELIMIT, "presentation-context-identifier-list",
                                        "too many contexts");
                    size_t i = ab->ncontext_ids++;
                    if ((rc = ber_enter(&c, &e, &item, "presentation-context-identifier-list")) < 0 ||
                        (rc = ber_expect(&item, BER_UNIV(BER_INTEGER), &f, "presentation-context-identifier")) < 0 ||
                        (rc = ber_get_int64(&c, &f, "presentation-context-identifier", &ab->context_ids[i])) < 0 ||
                        (rc = ber_expect(&item, BER_UNIV(BER_OID), &f, "transfer-syntax-name")) < 0 ||
                        (rc = ber_get_oid(&c, &f, "transfer-syntax-name", &ab->context_transfer_syntax[i])) < 0)
                        return rc;
                }
            } else if (m.tag == BER_APP(0) || m.tag == BER_APP(1)) {
                rc = decode_user_data_tlv(&c, &m, &ab->user_data);
            }
            if (rc < 0)
                return rc;
        }
        return rc < 0 ? rc : 0;
    }
    if (t.tag != T_SEQ)
        return ber_fail(&c, t.start, X400MS_EPROTO, "Abort-type", "wrong tag");
    ab->provider = true; /* ARP-PPDU */
    if ((rc = ber_enter(&c, &t, &it, "ARP-PPDU")) < 0)
        return rc;
    if ((rc = ber_optional(&it, BER_CTX(0), &m)) < 0)
        return rc;
    if (rc == 1) {
        ab->has_provider_reason = true;
        if ((rc = ber_get_int64(&c, &m, "ARP-PPDU.provider-reason", &ab->provider_reason)) < 0)
            return rc;
    }
    if ((rc = ber_optional(&it, BER_CTX(1), &m)) < 0)
        return rc;
    if (rc == 1) {
        ab->has_event_id = true;
        if ((rc = ber_get_int64(&c, &m, "ARP-PPDU.event-identifier", &ab->event_id)) < 0)
            return rc;
    }
    return ber_end(&it, "ARP-PPDU");
}

/* ---------------- encoding (backwards: last member first) ---------------- */

static int put_pdv(struct ber_writer *w, const struct pres_pdv *pdv)
{
    ber_mark_t m = ber_mark(w);
    switch (pdv->encoding) {
    case PRES_SINGLE_ASN1_TYPE: {
        ber_mark_t v = ber_mark(w);
        ber_put_slice(w, pdv->value);
        ber_wrap(w, v, BER_CTX(0), true);
        break;
    }
    case PRES_OCTET_ALIGNED:
        ber_put_slice(w, pdv->value);
        ber_put_header(w, BER_CTX(1), pdv->segmented, pdv->value.len);
        break;
    case PRES_ARBITRARY:
        ber_put_slice(w, pdv->value);
        ber_put_header(w, BER_CTX(2), false, pdv->value.len);
        break;
    default:
        if (!w->error)
            w->error = X400MS_EINVAL;
        return w->error;
    }
    ber_put_int64(w, BER_UNIV(BER_INTEGER), pdv->context_id);
    if (pdv->transfer_syntax.ptr)
        ber_put_oid(w, BER_UNIV(BER_OID), pdv->transfer_syntax);
    return ber_wrap(w, m, T_SEQ, true);
}

int pres_encode_user_data(struct ber_writer *w, const struct pres_user_data *ud)
{
    if (ud->simply_encoded)
        return ber_put_octets(w, BER_APP(0), ud->simple.ptr, ud->simple.len);
    if (ud->npdv == 0 || ud->npdv > PRES_MAX_PDV) {
        if (!w->error)
            w->error = X400MS_EINVAL;
        return w->error;
    }
    ber_mark_t m = ber_mark(w);
    for (size_t i = ud->npdv; i-- > 0;)
        put_pdv(w, &ud->pdv[i]);
    return ber_wrap(w, m, BER_APP(1), true);
}

int pres_wrap_single(struct ber_writer *w, ber_mark_t mark, int64_t context_id)
{
    ber_wrap(w, mark, BER_CTX(0), true);
    ber_put_int64(w, BER_UNIV(BER_INTEGER), context_id);
    ber_wrap(w, mark, T_SEQ, true);
    return ber_wrap(w, mark, BER_APP(1), true);
}

static void put_context_list(struct ber_writer *w, const struct pres_connect *p)
{
    ber_mark_t list = ber_mark(w);
    for (size_t i = p->ncontexts; i-- > 0;) {
        const struct pres_context *ctx = &p->contexts[i];
        ber_mark_t item = ber_mark(w);
        ber_mark_t ts = ber_mark(w);
        for (size_t k = ctx->nts; k-- > 0;)
            ber_put_oid(w, BER_UNIV(BER_OID), ctx->transfer_syntax[k]);
        ber_wrap(w, ts, T_SEQ, true);
        ber_put_oid(w, BER_UNIV(BER_OID), ctx->abstract_syntax);
        ber_put_int64(w, BER_UNIV(BER_INTEGER), ctx->id);
        ber_wrap(w, item, T_SEQ, true);
    }
    ber_wrap(w, list, BER_CTX(4), true);
}

static void put_result_list(struct ber_writer *w, const struct pres_connect *p)
{
    ber_mark_t list = ber_mark(w);
    for (size_t i = p->nresults; i-- > 0;) {
        const struct pres_result_item *r = &p->results[i];
        ber_mark_t item = ber_mark(w);
        if (r->has_provider_reason)
            ber_put_int64(w, BER_CTX(2), r->provider_reason);
        if (r->transfer_syntax.ptr)
            ber_put_oid(w, BER_CTX(1), r->transfer_syntax);
        ber_put_int64(w, BER_CTX(0), r->result);
        ber_wrap(w, item, T_SEQ, true);
    }
    ber_wrap(w, list, BER_CTX(5), true);
}

/* normal-mode-parameters contents, members in tag order (pushed in reverse). */
static void put_normal(struct ber_writer *w, const struct pres_connect *p, enum which wh)
{
    if (p->user_data.present)
        pres_encode_user_data(w, &p->user_data);
    if (wh == W_CP && p->extensions.ptr)
        ber_put_slice(w, p->extensions);
    if (wh != W_CPR && p->has_nominated_context) {
        ber_mark_t m = ber_mark(w);
        ber_put_int64(w, BER_UNIV(BER_INTEGER), p->nominated_context);
        ber_wrap(w, m, BER_CTX(wh == W_CP ? 12 : 13), true);
    }
    if (wh != W_CPR && p->protocol_options) { /* DEFAULT {} omitted */
        ber_mark_t m = ber_mark(w);
        ber_put_bits_u32(w, BER_UNIV(BER_BIT_STRING), p->protocol_options);
        ber_wrap(w, m, BER_CTX(11), true);
    }
    if (wh == W_CPR && p->has_provider_reason)
        ber_put_int64(w, BER_CTX(10), p->provider_reason);
    if (wh != W_CPR && p->has_user_session_requirements)
        ber_put_bits_u32(w, BER_CTX(9), p->user_session_requirements);
    if (wh != W_CPR && p->has_presentation_requirements)
        ber_put_bits_u32(w, BER_CTX(8), p->presentation_requirements);
    if (wh == W_CPR && p->has_default_context_result)
        ber_put_int64(w, BER_CTX(7), p->default_context_result);
    if (wh == W_CP && p->has_default_context) {
        ber_mark_t m = ber_mark(w);
        ber_put_oid(w, BER_CTX(1), p->default_transfer_syntax);
        ber_put_oid(w, BER_CTX(0), p->default_abstract_syntax);
        ber_wrap(w, m, BER_CTX(6), true);
    }
    if (wh != W_CP && p->has_result_list)
        put_result_list(w, p);
    if (wh == W_CP && p->has_context_list)
        put_context_list(w, p);
    if (wh != W_CP && p->responding_selector.ptr)
        ber_put_octets(w, BER_CTX(3), p->responding_selector.ptr, p->responding_selector.len);
    if (wh == W_CP && p->called_selector.ptr)
        ber_put_octets(w, BER_CTX(2), p->called_selector.ptr, p->called_selector.len);
    if (wh == W_CP && p->calling_selector.ptr)
        ber_put_octets(w, BER_CTX(1), p->calling_selector.ptr, p->calling_selector.len);
    if (p->protocol_version != PRES_VERSION_1) /* DEFAULT {version-1} omitted */
        ber_put_bits_u32(w, BER_CTX(0), p->protocol_version);
}

static int encode_connect_set(struct ber_writer *w, const struct pres_connect *p, enum which wh)
{
    ber_mark_t set = ber_mark(w);
    if (p->has_normal) {
        ber_mark_t m = ber_mark(w);
        put_normal(w, p, wh);
        ber_wrap(w, m, BER_CTX(2), true);
    }
    if (p->x410_mode_parameters.ptr)
        ber_put_slice(w, p->x410_mode_parameters); /* already tagged [1] by the caller */
    ber_mark_t ms = ber_mark(w);
    ber_put_int64(w, BER_CTX(0), p->mode);
    ber_wrap(w, ms, BER_CTX(0), true);
    return ber_wrap(w, set, T_SET, true);
}

int pres_encode_cp(struct ber_writer *w, const struct pres_connect *cp)
{
    return encode_connect_set(w, cp, W_CP);
}

int pres_encode_cpa(struct ber_writer *w, const struct pres_connect *cpa)
{
    return encode_connect_set(w, cpa, W_CPA);
}

int pres_encode_cpr(struct ber_writer *w, const struct pres_connect *cpr)
{
    if (cpr->mode == 0 && cpr->x410_mode_parameters.ptr)
        return ber_put_slice(w, cpr->x410_mode_parameters);
    ber_mark_t m = ber_mark(w);
    put_normal(w, cpr, W_CPR);
    return ber_wrap(w, m, T_SEQ, true);
}

int pres_encode_abort(struct ber_writer *w, const struct pres_abort *ab)
{
    ber_mark_t m = ber_mark(w);
    if (ab->provider) {
        if (ab->has_event_id)
            ber_put_int64(w, BER_CTX(1), ab->event_id);
        if (ab->has_provider_reason)
            ber_put_int64(w, BER_CTX(0), ab->provider_reason);
        return ber_wrap(w, m, T_SEQ, true);
    }
    if (ab->x400_mode_parameters.ptr)
        return ber_put_slice(w, ab->x400_mode_parameters);
    if (ab->user_data.present)
        pres_encode_user_data(w, &ab->user_data);
    if (ab->ncontext_ids) {
        ber_mark_t list = ber_mark(w);
        for (size_t i = ab->ncontext_ids; i-- > 0;) {
            ber_mark_t item = ber_mark(w);
            ber_put_oid(w, BER_UNIV(BER_OID), ab->context_transfer_syntax[i]);
            ber_put_int64(w, BER_UNIV(BER_INTEGER), ab->context_ids[i]);
            ber_wrap(w, item, T_SEQ, true);
        }
        ber_wrap(w, list, BER_CTX(0), true);
    }
    return ber_wrap(w, m, BER_CTX(0), true);
}
