/* X.227 ACSE protocol machine (ACPM), normal mode, plus the X.419 bind and
 * unbind that travel in its user information:
 *  - the AARQ's application-context-name selects the protocol module (the
 *    registered X400MS_SERVICE_APP_CONTEXT of that OID); an unknown one gets
 *    AARE rejected-permanent, acse-service-user application-context-name-
 *    not-supported (X.227 7.1.4.9), in a CPR, in an RF;
 *  - the bind argument is the EXTERNAL whose indirect-reference is the
 *    presentation context of the context's bind syntax, holding a ROS
 *    bind-invoke [16] (explicit: the tag wraps the argument's TLV, X.680
 *    31.2.7 for open types); for reliable contexts the EXTERNAL is on the
 *    RTSE context and holds an RTORQ, which the rtse module opens;
 *  - release: RLRQ in FN, RLRE in DN; abort: ABRT in an ARU in AB. */
#define X400MS_LOG_MODULE "osi"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asn1/acse.h"
#include "core/osi/osi.h"
#include "x400ms/log.h"

/* X.419 / X.880 ROS bind forms (tags of the CHOICE). */
enum {
    ROS_BIND_INVOKE = 16,
    ROS_BIND_RESULT = 17,
    ROS_BIND_ERROR = 18,
    ROS_UNBIND_INVOKE = 19,
    ROS_UNBIND_RESULT = 20,
    ROS_UNBIND_ERROR = 21,
};

/* The value inside a bind form [tag] { value }: 0 and *arg (absent when
 * the tag holds nothing), X400MS_EPROTO for another tag or bad BER. */
static int acse_bind_unwrap(struct ber_slice v, unsigned tag, struct ber_slice *arg)
{
    struct ber_error e = { 0 };
    struct ber_ctx c;
    struct ber_tlv t, inner;
    ber_ctx_init(&c, v.ptr, v.len, &e);
    int rc = ber_decode_top(&c, &t, "ROS bind form");
    if (rc < 0)
        return rc;
    if (t.tag != BER_CTX(tag) || !t.constructed)
        return X400MS_EPROTO;
    if (t.len == 0) {
        *arg = ber_slice_make(NULL, 0);
        return 0;
    }
    rc = ber_explicit(&c, &t, &inner, "ROS bind form");
    if (rc < 0)
        return rc;
    *arg = ber_tlv_whole(&inner);
    return 0;
}

/* Pushes [tag] { value } and wraps it as the EXTERNAL of context pctx. */
static void acse_push_bind_external(struct x400ms_assoc *a, unsigned tag, struct ber_slice value,
                                    uint32_t pctx)
{
    ber_mark_t m = ber_mark(&a->out);
    if (value.len)
        ber_put_slice(&a->out, value);
    ber_wrap(&a->out, m, BER_CTX(tag), true);
    acse_wrap_external(&a->out, m, pctx);
}

static const struct acse_external *acse_find_external(const struct acse_apdu *p, uint32_t pctx)
{
    if (!p->user_info.present)
        return NULL;
    for (size_t i = 0; i < p->user_info.n; i++) {
        const struct acse_external *x = &p->user_info.ext[i];
        if (x->has_indirect_reference && x->indirect_reference == (int64_t)pctx)
            return x;
    }
    return NULL;
}

static void acse_log_error(struct x400ms_assoc *a, const struct ber_error *e, const char *what)
{
    char buf[200];
    X400MS_LOG_N("peer %s: %s: %s", a->peer, what, ber_error_format(e, buf, sizeof(buf)));
}

/* ---- responder: association establishment ---- */

/* Sends the AARE (with the user information pushed since mark, if any)
 * in a CPA (accepted) or a CPR (rejected). */
static void acse_send_aare(struct x400ms_assoc *a, ber_mark_t ui_mark, int result, int diag_source,
                           int diag)
{
    struct acse_apdu r;
    acse_init(&r, ACSE_AARE);
    uint8_t oid[128];
    int n = ber_oid_from_text(a->ac_oid, oid, sizeof(oid));
    r.context_name = ber_slice_make(oid, n > 0 ? (size_t)n : 0);
    r.result = result;
    r.diagnostic_source = diag_source;
    r.diagnostic = diag;
    if (ber_writer_len(&a->out) > ui_mark)
        acse_encode_after(&a->out, &r, ui_mark);
    else
        acse_encode(&a->out, &r);
    if (result == ACSE_ACCEPTED) {
        a->state = OSI_S_DATA;
        pres_send_cpa(a, 0);
    } else {
        pres_send_cpr(a, 0, -1);
        osi_close(a);
    }
}

void acse_aarq_ind(struct x400ms_assoc *a, struct ber_slice aarq)
{
    struct ber_error e = { 0 };
    struct acse_apdu *p = malloc(sizeof(*p));
    if (p == NULL) {
        osi_abort(a, X400MS_ABORT_LOCAL, false, "out of memory");
        return;
    }
    int rc = acse_decode(aarq.ptr, aarq.len, p, &e);
    if (rc == 0 && p->type != ACSE_AARQ)
        rc = X400MS_EPROTO, e.type = "ACSE APDU", e.what = "not an AARQ";
    if (rc < 0) {
        acse_log_error(a, &e, "AARQ refused");
        free(p);
        snprintf(a->ac_oid, sizeof(a->ac_oid), "2.2.1.0.1");
        pres_select_contexts(a);
        ber_writer_reset(&a->out);
        acse_send_aare(a, 0, ACSE_REJECTED_PERMANENT, ACSE_DIAG_SERVICE_PROVIDER,
                       ACSE_PROVIDER_NO_REASON);
        return;
    }
    if (ber_oid_to_text(p->context_name, a->ac_oid, sizeof(a->ac_oid)) < 0)
        snprintf(a->ac_oid, sizeof(a->ac_oid), "?");
    ber_writer_reset(&a->out);
    /* X.227 7.1.5.2: version1 must be common. */
    if (!(p->protocol_version & ACSE_VERSION_1)) {
        X400MS_LOG_N("peer %s: AARQ refused: no common ACSE version", a->peer);
        free(p);
        pres_select_contexts(a);
        acse_send_aare(a, 0, ACSE_REJECTED_PERMANENT, ACSE_DIAG_SERVICE_PROVIDER,
                       ACSE_PROVIDER_NO_COMMON_VERSION);
        return;
    }
    void *ctx = NULL;
    const struct x400ms_app_context *ac = osi_find_context(a->core, a->ac_oid, &ctx);
    if (ac == NULL) {
        X400MS_LOG_N("peer %s: AARQ refused: application context %s is not served "
                     "(no loaded module registers it)", a->peer, a->ac_oid);
        free(p);
        pres_select_contexts(a);
        acse_send_aare(a, 0, ACSE_REJECTED_PERMANENT, ACSE_DIAG_SERVICE_USER,
                       ACSE_USER_CONTEXT_NAME_NOT_SUPPORTED);
        return;
    }
    a->ac = ac;
    a->ac_ctx = ctx;
    if (!pres_select_contexts(a)) {
        /* X.226 6.2.4: a syntax the context needs was not offered: the
         * presentation provider refuses, each context with its reason. */
        X400MS_LOG_N("peer %s: association refused: no common abstract syntax for context %s (%s)",
                     a->peer, a->ac_oid, ac->name ? ac->name : "");
        free(p);
        a->ac = NULL;
        ber_writer_reset(&a->out);
        pres_send_cpr(a, 0, 0 /* reason-not-specified: see the context results */);
        osi_close(a);
        return;
    }
    unsigned peer_max = ac->max_peer_invokes ? ac->max_peer_invokes : OSI_DEFAULT_INVOKES;
    unsigned own_max = ac->max_own_invokes ? ac->max_own_invokes : OSI_DEFAULT_INVOKES;
    if (rose_table_init(&a->peer_inv, peer_max) < 0 || rose_table_init(&a->own_inv, own_max) < 0) {
        free(p);
        osi_abort(a, X400MS_ABORT_LOCAL, false, "out of memory");
        return;
    }
    struct x400ms_bind_request req = {
        .context_oid = a->ac_oid,
        .calling_ap_title = X400MS_BYTES(p->calling_ap_title.ptr, p->calling_ap_title.len),
        .called_ap_title = X400MS_BYTES(p->called_ap_title.ptr, p->called_ap_title.len),
    };
    struct ber_slice arg = { NULL, 0 };
    if (ac->reliable) {
        void *rctx = NULL;
        a->rtse = a->core ? x400ms_service_find(a->core, X400MS_SERVICE_OTHER, X400MS_RTSE_SERVICE, &rctx) : NULL;
        const struct acse_external *x = acse_find_external(p, a->rtse_pctx);
        struct x400ms_bytes rarg = X400MS_NO_BYTES;
        rc = X400MS_EPROTO;
        if (a->rtse == NULL) {
            X400MS_LOG_W("peer %s: context %s runs over RTSE but module rtse is not loaded", a->peer,
                         a->ac_oid);
            rc = X400MS_ENOTSUP;
        } else if (x != NULL && x->encoding == ACSE_EXT_SINGLE_ASN1_TYPE &&
                   (rc = a->rtse->attach(rctx, (struct x400ms_rts *)a, false, &a->rt)) == 0) {
            rc = a->rtse->open_indication(a->rt, X400MS_BYTES(x->value.ptr, x->value.len), &rarg);
        }
        if (rc < 0) {
            X400MS_LOG_N("peer %s: AARQ refused: no valid RTORQ on the RTSE context", a->peer);
            free(p);
            acse_send_aare(a, 0, ACSE_REJECTED_PERMANENT, ACSE_DIAG_SERVICE_USER, ACSE_USER_NO_REASON);
            return;
        }
        req.argument = rarg;
    } else {
        const struct acse_external *x = acse_find_external(p, a->bind_pctx);
        if (x == NULL && p->user_info.present && p->user_info.n == 1 &&
            !p->user_info.ext[0].has_indirect_reference)
            x = &p->user_info.ext[0];
        if (x != NULL) {
            if (x->encoding != ACSE_EXT_SINGLE_ASN1_TYPE ||
                acse_bind_unwrap(x->value, ROS_BIND_INVOKE, &arg) < 0) {
                X400MS_LOG_N("peer %s: AARQ refused: the user information is not a ROS bind-invoke",
                             a->peer);
                free(p);
                acse_send_aare(a, 0, ACSE_REJECTED_PERMANENT, ACSE_DIAG_SERVICE_USER,
                               ACSE_USER_NO_REASON);
                return;
            }
        }
        req.argument = X400MS_BYTES(arg.ptr, arg.len);
    }
    a->state = OSI_S_WAIT_BIND;
    a->bind_answered = false;
    X400MS_LOG_D("peer %s: AARQ for %s (%s)", a->peer, a->ac_oid, ac->name ? ac->name : "");
    if (ac->bind == NULL) {
        free(p);
        x400ms_assoc_bind_accept(a, X400MS_NO_BYTES);
        return;
    }
    /* From here the module owns the association: it gets aborted() if the
     * peer goes away before it answered (e.g. during a password delay). */
    a->user_notified = true;
    rc = ac->bind(a->ac_ctx, a, &req);
    free(p);
    if (rc < 0 && !a->bind_answered && a->state == OSI_S_WAIT_BIND) {
        X400MS_LOG_N("peer %s: bind refused by the %s module: %s", a->peer, ac->name ? ac->name : "?",
                     x400ms_strerror(rc));
        x400ms_assoc_bind_reject(a, ACSE_USER_NO_REASON);
    }
}

static int acse_bind_check(struct x400ms_assoc *a)
{
    if (a->initiator || a->state != OSI_S_WAIT_BIND || a->bind_answered)
        return X400MS_ESTATE;
    a->bind_answered = true;
    ber_writer_reset(&a->out);
    return 0;
}

int x400ms_assoc_bind_accept(struct x400ms_assoc *a, struct x400ms_bytes result)
{
    int rc = acse_bind_check(a);
    if (rc < 0)
        return rc;
    osi_hold(a);
    struct ber_slice res = ber_slice_make(result.ptr, result.len);
    if (a->rtse != NULL) {
        uint8_t *out = NULL;
        size_t n = 0;
        rc = a->rtse->open_response(a->rt, true, result, &out, &n);
        if (rc == 0) {
            ber_mark_t m = ber_mark(&a->out);
            ber_put_raw(&a->out, out, n);
            acse_wrap_external(&a->out, m, a->rtse_pctx);
        }
        free(out);
    } else {
        acse_push_bind_external(a, ROS_BIND_RESULT, res, a->bind_pctx);
    }
    if (rc == 0) {
        a->user_notified = true;
        osi_metrics_assoc_up(a);
        acse_send_aare(a, 0, ACSE_ACCEPTED, ACSE_DIAG_SERVICE_USER, ACSE_USER_NULL);
        X400MS_LOG_I("peer %s: association established (%s)", a->peer, a->ac->name ? a->ac->name : a->ac_oid);
    } else {
        osi_abort(a, X400MS_ABORT_LOCAL, true, "cannot build the bind result: %s", x400ms_strerror(rc));
    }
    osi_unhold(a);
    return 0;
}

int x400ms_assoc_bind_error(struct x400ms_assoc *a, struct x400ms_bytes parameter)
{
    int rc = acse_bind_check(a);
    if (rc < 0)
        return rc;
    osi_hold(a);
    if (a->rtse != NULL) {
        uint8_t *out = NULL;
        size_t n = 0;
        if (a->rtse->open_response(a->rt, false, parameter, &out, &n) == 0) {
            ber_mark_t m = ber_mark(&a->out);
            ber_put_raw(&a->out, out, n);
            acse_wrap_external(&a->out, m, a->rtse_pctx);
        }
        free(out);
    } else {
        acse_push_bind_external(a, ROS_BIND_ERROR, ber_slice_make(parameter.ptr, parameter.len),
                                a->bind_pctx);
    }
    X400MS_LOG_N("peer %s: bind refused by the %s module (bind-error)", a->peer,
                 a->ac->name ? a->ac->name : a->ac_oid);
    a->ended = true; /* no released/aborted: bind() did not succeed */
    acse_send_aare(a, 0, ACSE_REJECTED_PERMANENT, ACSE_DIAG_SERVICE_USER, ACSE_USER_NULL);
    osi_unhold(a);
    return 0;
}

int x400ms_assoc_bind_reject(struct x400ms_assoc *a, int diagnostic)
{
    int rc = acse_bind_check(a);
    if (rc < 0)
        return rc;
    osi_hold(a);
    a->ended = true;
    acse_send_aare(a, 0, ACSE_REJECTED_PERMANENT, ACSE_DIAG_SERVICE_USER, diagnostic);
    osi_unhold(a);
    return 0;
}

/* ---- release ---- */

void acse_rlrq_ind(struct x400ms_assoc *a, struct ber_slice rlrq)
{
    struct ber_error e = { 0 };
    struct acse_apdu *p = malloc(sizeof(*p));
    if (p == NULL) {
        osi_abort(a, X400MS_ABORT_LOCAL, true, "out of memory");
        return;
    }
    int rc = acse_decode(rlrq.ptr, rlrq.len, p, &e);
    if (rc == 0 && p->type != ACSE_RLRQ) {
        const char *name = acse_type_name(p->type);
        free(p);
        osi_abort(a, X400MS_ABORT_LOCAL, true, "FN carries an ACSE %s, not an RLRQ", name);
        return;
    }
    if (rc < 0) {
        acse_log_error(a, &e, "unreadable RLRQ");
        free(p);
        osi_abort(a, X400MS_ABORT_LOCAL, true, "unreadable RLRQ");
        return;
    }
    struct ber_slice arg = { NULL, 0 };
    const struct acse_external *x = acse_find_external(p, a->bind_pctx);
    a->unbind_invoked = x != NULL && x->encoding == ACSE_EXT_SINGLE_ASN1_TYPE &&
                        acse_bind_unwrap(x->value, ROS_UNBIND_INVOKE, &arg) == 0;
    free(p);
    if (a->ac->unbind != NULL)
        a->ac->unbind(a->ac_ctx, a, X400MS_BYTES(arg.ptr, arg.len));
    if (a->state == OSI_S_CLOSED)
        return; /* the module aborted instead */
    /* RLRE reason normal, with unbind-result when an unbind-invoke came. */
    ber_writer_reset(&a->out);
    struct acse_apdu r;
    acse_init(&r, ACSE_RLRE);
    r.has_reason = true;
    r.reason = ACSE_RELEASE_NORMAL;
    if (a->unbind_invoked) {
        acse_push_bind_external(a, ROS_UNBIND_RESULT, ber_slice_make(NULL, 0), a->bind_pctx);
        acse_encode_after(&a->out, &r, 0);
    } else {
        acse_encode(&a->out, &r);
    }
    pres_wrap_pdv(a, 0, a->acse_pctx);
    ses_send_disconnect(a);
    X400MS_LOG_I("peer %s: association released", a->peer);
    a->state = OSI_S_CLOSED;
    osi_notify_end(a, true, 0, NULL);
    osi_close(a);
}

int acse_send_rlrq(struct x400ms_assoc *a)
{
    ber_writer_reset(&a->out);
    struct acse_apdu r;
    acse_init(&r, ACSE_RLRQ);
    r.has_reason = true;
    r.reason = ACSE_RELEASE_NORMAL;
    if (a->release_arg != NULL) {
        acse_push_bind_external(a, ROS_UNBIND_INVOKE,
                                ber_slice_make(a->release_arg, a->release_arg_len), a->bind_pctx);
        acse_encode_after(&a->out, &r, 0);
    } else {
        acse_encode(&a->out, &r);
    }
    pres_wrap_pdv(a, 0, a->acse_pctx);
    a->state = OSI_S_RELEASING;
    a->release_pending = false;
    return ses_send_finish(a);
}

int x400ms_assoc_release(struct x400ms_assoc *a, struct x400ms_bytes unbind)
{
    if (!a->initiator || a->state != OSI_S_DATA || a->release_pending)
        return X400MS_ESTATE;
    if (unbind.ptr != NULL) {
        a->release_arg = malloc(unbind.len ? unbind.len : 1);
        if (a->release_arg == NULL)
            return X400MS_ENOMEM;
        memcpy(a->release_arg, unbind.ptr, unbind.len);
        a->release_arg_len = unbind.len;
    }
    osi_hold(a);
    int rc = 1;
    if (a->rtse != NULL && a->rtse->close_request != NULL)
        rc = a->rtse->close_request(a->rt);
    if (rc == 0)
        a->release_pending = true; /* RTSE fetches the turn first */
    else if (rc > 0)
        rc = acse_send_rlrq(a);
    osi_unhold(a);
    return rc < 0 ? rc : 0;
}

void acse_rlre_cnf(struct x400ms_assoc *a, struct ber_slice rlre)
{
    struct ber_error e = { 0 };
    struct acse_apdu *p = malloc(sizeof(*p));
    int rc = p ? acse_decode(rlre.ptr, rlre.len, p, &e) : X400MS_ENOMEM;
    bool ok = rc == 0 && p->type == ACSE_RLRE;
    free(p);
    if (!ok) {
        if (rc < 0)
            acse_log_error(a, &e, "unreadable RLRE");
        osi_abort(a, X400MS_ABORT_PEER_PROVIDER, true, "DN without an RLRE");
        return;
    }
    a->state = OSI_S_CLOSED;
    osi_notify_end(a, true, 0, NULL);
    osi_close(a);
}

void acse_abrt_ind(struct x400ms_assoc *a, struct ber_slice abrt)
{
    struct ber_error e = { 0 };
    struct acse_apdu *p = malloc(sizeof(*p));
    int rc = p ? acse_decode(abrt.ptr, abrt.len, p, &e) : X400MS_ENOMEM;
    bool user = rc == 0 && p->type == ACSE_ABRT && p->abort_source == ACSE_ABRT_SERVICE_USER;
    free(p);
    a->state = OSI_S_CLOSED;
    X400MS_LOG_N("peer %s: association aborted by the peer (ABRT, source %s)", a->peer,
                 user ? "acse-service-user" : "acse-service-provider");
    osi_notify_end(a, false, user ? X400MS_ABORT_PEER_USER : X400MS_ABORT_PEER_PROVIDER,
                   user ? "ABRT from the peer's user" : "ABRT from the peer's provider");
    osi_close(a);
}

/* ---- initiator ---- */

int acse_send_aarq(struct x400ms_assoc *a)
{
    const struct x400ms_app_context *ac = a->ac;
    unsigned own_max = ac->max_own_invokes ? ac->max_own_invokes : OSI_DEFAULT_INVOKES;
    unsigned peer_max = ac->max_peer_invokes ? ac->max_peer_invokes : OSI_DEFAULT_INVOKES;
    if (a->own_inv.slots == NULL && (rose_table_init(&a->peer_inv, peer_max) < 0 ||
                                     rose_table_init(&a->own_inv, own_max) < 0))
        return X400MS_ENOMEM;
    /* Context ids are assigned by pres_send_cp; they are fixed: ACSE 1,
     * then 3, 5 ... in the order of ac->syntaxes. */
    uint32_t id = 3;
    for (size_t k = 0; k < ac->n_syntaxes; k++, id += 2) {
        if ((ac->syntaxes[k].flags & X400MS_AS_BIND) && !a->bind_pctx)
            a->bind_pctx = id;
        if ((ac->syntaxes[k].flags & X400MS_AS_RTSE) && !a->rtse_pctx)
            a->rtse_pctx = id;
    }
    ber_writer_reset(&a->out);
    if (ac->reliable) {
        void *rctx = NULL;
        a->rtse = a->core ? x400ms_service_find(a->core, X400MS_SERVICE_OTHER, X400MS_RTSE_SERVICE, &rctx) : NULL;
        if (a->rtse == NULL)
            return X400MS_EDEP;
        int rc = a->rtse->attach(rctx, (struct x400ms_rts *)a, true, &a->rt);
        uint8_t *out = NULL;
        size_t n = 0;
        if (rc == 0)
            rc = a->rtse->open_request(a->rt, a->req.bind_argument, &out, &n);
        if (rc < 0)
            return rc;
        ber_put_raw(&a->out, out, n);
        free(out);
        acse_wrap_external(&a->out, 0, a->rtse_pctx);
    } else {
        acse_push_bind_external(a, ROS_BIND_INVOKE,
                                ber_slice_make(a->req.bind_argument.ptr, a->req.bind_argument.len),
                                a->bind_pctx);
    }
    struct acse_apdu r;
    acse_init(&r, ACSE_AARQ);
    uint8_t oid[128];
    int n = ber_oid_from_text(ac->oid, oid, sizeof(oid));
    if (n < 0)
        return X400MS_EINVAL;
    r.context_name = ber_slice_make(oid, (size_t)n);
    if (a->req.called_ap_title.len)
        r.called_ap_title = ber_slice_make(a->req.called_ap_title.ptr, a->req.called_ap_title.len);
    acse_encode_after(&a->out, &r, 0);
    return pres_send_cp(a, 0);
}

void acse_aare_cnf(struct x400ms_assoc *a, struct ber_slice aare, bool pres_accepted,
                   int provider_reason)
{
    struct x400ms_connect_result res = { .status = X400MS_CONNECT_FAILED,
                                         .provider_reason = provider_reason };
    char why[200] = "";
    struct ber_error e = { 0 };
    struct acse_apdu *p = aare.len ? malloc(sizeof(*p)) : NULL;
    int rc = p ? acse_decode(aare.ptr, aare.len, p, &e) : X400MS_ENOENT;
    if (rc == 0 && p->type != ACSE_AARE)
        rc = X400MS_EPROTO;
    if (rc < 0) {
        if (rc != X400MS_ENOENT)
            acse_log_error(a, &e, "unreadable AARE");
        res.status = X400MS_CONNECT_REJECTED;
        snprintf(why, sizeof(why), "presentation connection %s (provider reason %d), no AARE",
                 pres_accepted ? "accepted" : "refused", provider_reason);
    } else {
        res.acse_result = (int)p->result;
        res.acse_diagnostic_source = (int)p->diagnostic_source;
        res.acse_diagnostic = (int)p->diagnostic;
        struct ber_slice arg = { NULL, 0 };
        bool bind_error = false;
        if (a->rtse != NULL) {
            const struct acse_external *x = acse_find_external(p, a->rtse_pctx);
            struct x400ms_bytes ud = X400MS_NO_BYTES;
            if (x != NULL) {
                int r = a->rtse->open_confirm(a->rt, X400MS_BYTES(x->value.ptr, x->value.len), &ud);
                bind_error = r == 1 && ud.len > 0;
            }
            arg = ber_slice_make(ud.ptr, ud.len);
        } else {
            const struct acse_external *x = acse_find_external(p, a->bind_pctx);
            if (x != NULL && acse_bind_unwrap(x->value, ROS_BIND_RESULT, &arg) < 0) {
                bind_error = acse_bind_unwrap(x->value, ROS_BIND_ERROR, &arg) == 0;
            }
        }
        if (p->result == ACSE_ACCEPTED && pres_accepted) {
            res.status = X400MS_CONNECT_ACCEPTED;
            res.bind_result = X400MS_BYTES(arg.ptr, arg.len);
            snprintf(why, sizeof(why), "accepted");
        } else if (bind_error) {
            res.status = X400MS_CONNECT_BIND_ERROR;
            res.bind_error = X400MS_BYTES(arg.ptr, arg.len);
            snprintf(why, sizeof(why), "bind error");
        } else {
            res.status = X400MS_CONNECT_REJECTED;
            snprintf(why, sizeof(why), "AARE result %lld, diagnostic %s %lld", (long long)p->result,
                     p->diagnostic_source == ACSE_DIAG_SERVICE_PROVIDER ? "acse-service-provider"
                                                                        : "acse-service-user",
                     (long long)p->diagnostic);
        }
    }
    res.reason = why;
    if (a->setup_timer != NULL)
        x400ms_timer_remove(&a->setup_timer);
    a->confirmed = true;
    if (res.status == X400MS_CONNECT_ACCEPTED) {
        a->state = OSI_S_DATA;
        a->user_notified = true;
        osi_metrics_assoc_up(a);
        a->req.confirm(a->ac_ctx, a, &res);
    } else {
        a->state = OSI_S_CLOSED;
        a->ended = true;
        a->req.confirm(a->ac_ctx, NULL, &res);
        osi_close(a);
    }
    free(p);
}
