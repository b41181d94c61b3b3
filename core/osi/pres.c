/* X.226 presentation protocol machine, normal mode, the kernel functional
 * unit: context negotiation in CP/CPA/CPR (per-context results, the default
 * context), P-DATA as fully-encoded-data, ARU/ARP.
 *
 * Decisions:
 *  - Only the BER transfer syntax (2.1.1) is offered or accepted.
 *  - Contexts are decided once the AARQ inside the CP is read: the ACSE
 *    syntax, and the syntaxes of the application context the AARQ names,
 *    are accepted; any other is provider-rejection abstract-syntax-not-
 *    supported (X.226 8.2.3). So a bind syntax is accepted only for the
 *    context that uses it.
 *  - P-DATA values go to ROSE (or RTSE) by their context id; a value on a
 *    context that was not accepted is a protocol error (ARP). */
#define X400MS_LOG_MODULE "osi"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asn1/oid.h"
#include "asn1/pres.h"
#include "core/osi/osi.h"
#include "x400ms/log.h"

static const char acse_as_text[] = "2.2.1.0.1";

/* X.226 8.2 Result-list provider-reason values (the CPR's own
 * Provider-reason values are PRES_PR_* of asn1/pres.h). */
enum {
    CTX_ABSTRACT_SYNTAX_NOT_SUPPORTED = 1,
    CTX_TRANSFER_SYNTAX_NOT_SUPPORTED = 2,
};

/* A proposed context, as decoded from the CP. */
struct pres_proposal {
    int64_t id;
    struct ber_slice as;       /* abstract syntax OID contents */
    bool ber_ok;               /* 2.1.1 among the transfer syntaxes */
    int result;                /* 0 acceptance, 2 provider-rejection */
    int reason;
};

/* Kept between the CP and the CPA/CPR (the answer may come later). */
struct pres_cp_state {
    struct pres_proposal prop[OSI_MAX_PCTX];
    unsigned n;
    bool version1;
};

static int pres_fail(struct x400ms_assoc *a, const struct ber_error *e, const char *what)
{
    char buf[200];
    X400MS_LOG_N("peer %s: %s: %s", a->peer, what, ber_error_format(e, buf, sizeof(buf)));
    return X400MS_EPROTO;
}

/* The single value of user data on the ACSE context (the form CP/CPA/CPR/
 * ARU and the release PDUs use). */
static int pres_acse_pdv(const struct x400ms_assoc *a, const struct pres_user_data *ud,
                         struct ber_slice *value)
{
    if (!ud->present || ud->simply_encoded || ud->npdv == 0)
        return X400MS_ENOENT;
    const struct pres_pdv *p = a->acse_pctx ? pres_find_pdv(ud, a->acse_pctx) : &ud->pdv[0];
    if (p == NULL || p->encoding != PRES_SINGLE_ASN1_TYPE)
        return X400MS_ENOENT;
    *value = p->value;
    return 0;
}

void pres_wrap_pdv(struct x400ms_assoc *a, ber_mark_t mark, uint32_t pctx)
{
    pres_wrap_single(&a->out, mark, pctx);
}

/* ---- responder: CP ---- */

static struct pres_cp_state *pres_cp(struct x400ms_assoc *a)
{
    return a->cp;
}

static bool pres_as_is(struct ber_slice as, const char *text)
{
    uint8_t buf[64];
    int n = ber_oid_from_text(text, buf, sizeof(buf));
    return n > 0 && as.len == (size_t)n && memcmp(as.ptr, buf, (size_t)n) == 0;
}

/* The context result list, per proposal (X.226 8.2.4). */
static void pres_push_result_list(struct x400ms_assoc *a, ber_tag_t tag)
{
    struct pres_cp_state *cs = pres_cp(a);
    struct ber_writer *w = &a->out;
    ber_mark_t list = ber_mark(w);
    for (unsigned i = cs->n; i-- > 0;) {
        ber_mark_t item = ber_mark(w);
        if (cs->prop[i].result != 0)
            ber_put_int64(w, BER_CTX(2), cs->prop[i].reason);         /* provider-reason */
        else
            ber_put_oid(w, BER_CTX(1), oid_ber);                      /* transfer-syntax-name */
        ber_put_int64(w, BER_CTX(0), cs->prop[i].result);             /* result */
        ber_wrap(w, item, BER_UNIV(BER_SEQUENCE), true);
    }
    ber_wrap(w, list, tag, true);
}

void pres_connect_ind(struct x400ms_assoc *a, struct ber_slice cp)
{
    struct ber_error e = { 0 };
    struct pres_cp_state *cs = calloc(1, sizeof(*cs));
    struct pres_connect *p = malloc(sizeof(*p));
    if (cs == NULL || p == NULL) {
        free(cs);
        free(p);
        osi_abort(a, X400MS_ABORT_LOCAL, false, "out of memory");
        return;
    }
    free(a->cp);
    a->cp = cs;
    int rc = pres_decode_cp(cp.ptr, cp.len, p, &e);
    if (rc == 0 && p->mode != 1) {
        e.code = rc = X400MS_ENOTSUP;
        e.type = "CP-type.mode-selector";
        e.what = "X.410-1984 mode not supported";
    }
    if (rc < 0) {
        pres_fail(a, &e, "CP PPDU refused");
        free(p);
        /* A CP we cannot read: CPR user-data-not-readable (X.226 6.2.4). */
        ber_writer_reset(&a->out);
        pres_send_cpr(a, ber_mark(&a->out), PRES_PR_USER_DATA_NOT_READABLE);
        osi_close(a);
        return;
    }
    cs->version1 = (p->protocol_version & PRES_VERSION_1) != 0;
    a->acse_pctx = 0;
    for (size_t i = 0; i < p->ncontexts && cs->n < OSI_MAX_PCTX; i++) {
        struct pres_proposal *pp = &cs->prop[cs->n++];
        const struct pres_context *pc = &p->contexts[i];
        pp->id = pc->id;
        pp->as = pc->abstract_syntax;
        for (size_t k = 0; k < pc->nts; k++)
            if (ber_oid_eq(pc->transfer_syntax[k], oid_ber))
                pp->ber_ok = true;
        pp->result = PRES_PROVIDER_REJECTION;
        pp->reason = pp->ber_ok ? CTX_ABSTRACT_SYNTAX_NOT_SUPPORTED : CTX_TRANSFER_SYNTAX_NOT_SUPPORTED;
        if (pp->ber_ok && pres_as_is(pp->as, acse_as_text) && a->acse_pctx == 0 && pp->id > 0 &&
            pp->id <= 0x7fffffff) {
            pp->result = PRES_ACCEPTANCE;
            a->acse_pctx = (uint32_t)pp->id;
        }
    }
    if (p->ncontexts > OSI_MAX_PCTX)
        X400MS_LOG_N("peer %s: CP proposes %zu contexts, only the first %d are considered", a->peer,
                     p->ncontexts, OSI_MAX_PCTX);
    struct ber_slice aarq = { NULL, 0 };
    bool readable = a->acse_pctx != 0 && pres_acse_pdv(a, &p->user_data, &aarq) == 0;
    free(p);
    if (!cs->version1) {
        X400MS_LOG_N("peer %s: CP refused: presentation version 1 not proposed", a->peer);
        ber_writer_reset(&a->out);
        pres_send_cpr(a, ber_mark(&a->out), PRES_PR_VERSION_NOT_SUPPORTED);
        osi_close(a);
        return;
    }
    if (!readable) {
        X400MS_LOG_N("peer %s: CP refused: no ACSE context (2.2.1.0.1 with BER) carrying an AARQ",
                     a->peer);
        ber_writer_reset(&a->out);
        pres_send_cpr(a, ber_mark(&a->out), PRES_PR_USER_DATA_NOT_READABLE);
        osi_close(a);
        return;
    }
    acse_aarq_ind(a, aarq);
}

bool pres_select_contexts(struct x400ms_assoc *a)
{
    struct pres_cp_state *cs = pres_cp(a);
    const struct x400ms_app_context *ac = a->ac;
    bool ok = true;
    a->n_pctx = 0;
    for (unsigned i = 0; i < cs->n; i++) {
        struct pres_proposal *p = &cs->prop[i];
        if (p->id == (int64_t)a->acse_pctx && p->result == 0) {
            a->pctx[a->n_pctx++] = (struct osi_pctx){ .id = (uint32_t)p->id, .as_oid = acse_as_text,
                                                       .accepted = true };
            continue;
        }
        if (!p->ber_ok || p->id <= 0 || p->id > 0x7fffffff || ac == NULL)
            continue;
        for (size_t k = 0; k < ac->n_syntaxes; k++) {
            if (!pres_as_is(p->as, ac->syntaxes[k].oid))
                continue;
            p->result = 0;
            if (a->n_pctx < OSI_MAX_PCTX)
                a->pctx[a->n_pctx++] = (struct osi_pctx){ .id = (uint32_t)p->id,
                                                           .as_oid = ac->syntaxes[k].oid,
                                                           .as = &ac->syntaxes[k], .accepted = true };
            break;
        }
    }
    if (ac == NULL)
        return true;
    a->bind_pctx = a->ops_pctx = a->rtse_pctx = 0;
    for (size_t k = 0; k < ac->n_syntaxes; k++) {
        uint32_t id = 0;
        for (unsigned i = 0; i < a->n_pctx; i++)
            if (a->pctx[i].as == &ac->syntaxes[k]) {
                id = a->pctx[i].id;
                break;
            }
        unsigned f = ac->syntaxes[k].flags;
        if (id == 0 && (f & X400MS_AS_REQUIRED))
            ok = false;
        if (id && (f & X400MS_AS_BIND) && !a->bind_pctx)
            a->bind_pctx = id;
        if (id && (f & X400MS_AS_RTSE) && !a->rtse_pctx)
            a->rtse_pctx = id;
        if (id && !(f & X400MS_AS_BIND) && !(f & X400MS_AS_RTSE) && !a->ops_pctx)
            a->ops_pctx = id;
    }
    if (a->ops_pctx == 0)
        a->ops_pctx = a->rtse_pctx ? a->rtse_pctx : a->bind_pctx;
    if (a->bind_pctx == 0 || (ac->reliable && a->rtse_pctx == 0))
        ok = false;
    return ok;
}

/* The normal-mode-parameters shared by CPA and CPR: [0] version (omitted:
 * DEFAULT), [5] result list, user data (already pushed after mark). */
int pres_send_cpa(struct x400ms_assoc *a, ber_mark_t mark)
{
    struct ber_writer *w = &a->out;
    if (ber_writer_len(w) > mark)
        pres_wrap_pdv(a, mark, a->acse_pctx);
    pres_push_result_list(a, BER_CTX(5));
    ber_wrap(w, mark, BER_CTX(2), true);              /* normal-mode-parameters */
    ber_mark_t ms = ber_mark(w);
    ber_put_int64(w, BER_CTX(0), 1);
    ber_wrap(w, ms, BER_CTX(0), true);                /* mode-selector */
    ber_wrap(w, mark, BER_UNIV(BER_SET), true);       /* CPA-PPDU */
    free(a->cp);
    a->cp = NULL;
    return ses_send_accept(a);
}

int pres_send_cpr(struct x400ms_assoc *a, ber_mark_t mark, int provider_reason)
{
    struct ber_writer *w = &a->out;
    if (ber_writer_len(w) > mark)
        pres_wrap_pdv(a, mark, a->acse_pctx);
    if (provider_reason >= 0)
        ber_put_int64(w, BER_CTX(10), provider_reason); /* provider-reason */
    if (pres_cp(a) != NULL && pres_cp(a)->n > 0)
        pres_push_result_list(a, BER_CTX(5));
    ber_wrap(w, mark, BER_UNIV(BER_SEQUENCE), true);  /* CPR-PPDU normal-mode-parameters */
    free(a->cp);
    a->cp = NULL;
    int rc = ses_send_refuse(a);
    a->state = OSI_S_CLOSED;
    return rc;
}

/* ---- initiator ---- */

int pres_send_cp(struct x400ms_assoc *a, ber_mark_t mark)
{
    struct ber_writer *w = &a->out;
    const struct x400ms_app_context *ac = a->ac;
    /* Contexts: ACSE as 1, then the context's syntaxes as 3, 5, ... */
    a->n_pctx = 0;
    a->acse_pctx = 1;
    a->pctx[a->n_pctx++] = (struct osi_pctx){ .id = 1, .as_oid = acse_as_text };
    for (size_t k = 0; k < ac->n_syntaxes && a->n_pctx < OSI_MAX_PCTX; k++) {
        uint32_t id = (uint32_t)(2 * a->n_pctx + 1);
        a->pctx[a->n_pctx++] = (struct osi_pctx){ .id = id, .as_oid = ac->syntaxes[k].oid,
                                                   .as = &ac->syntaxes[k] };
        unsigned f = ac->syntaxes[k].flags;
        if ((f & X400MS_AS_BIND) && !a->bind_pctx)
            a->bind_pctx = id;
        if ((f & X400MS_AS_RTSE) && !a->rtse_pctx)
            a->rtse_pctx = id;
        if (!(f & (X400MS_AS_BIND | X400MS_AS_RTSE)) && !a->ops_pctx)
            a->ops_pctx = id;
    }
    if (a->ops_pctx == 0)
        a->ops_pctx = a->rtse_pctx ? a->rtse_pctx : a->bind_pctx;
    pres_wrap_pdv(a, mark, a->acse_pctx);
    ber_mark_t list = ber_mark(w);
    for (unsigned i = a->n_pctx; i-- > 0;) {
        ber_mark_t item = ber_mark(w);
        ber_mark_t ts = ber_mark(w);
        ber_put_oid(w, BER_UNIV(BER_OID), oid_ber);
        ber_wrap(w, ts, BER_UNIV(BER_SEQUENCE), true);
        ber_put_oid_text(w, BER_UNIV(BER_OID), a->pctx[i].as_oid);
        ber_put_int64(w, BER_UNIV(BER_INTEGER), a->pctx[i].id);
        ber_wrap(w, item, BER_UNIV(BER_SEQUENCE), true);
    }
    ber_wrap(w, list, BER_CTX(4), true);
    if (a->req.called_psel.len)
        ber_put_octets(w, BER_CTX(2), a->req.called_psel.ptr, a->req.called_psel.len);
    if (a->req.calling_psel.len)
        ber_put_octets(w, BER_CTX(1), a->req.calling_psel.ptr, a->req.calling_psel.len);
    ber_wrap(w, mark, BER_CTX(2), true);
    ber_mark_t ms = ber_mark(w);
    ber_put_int64(w, BER_CTX(0), 1);
    ber_wrap(w, ms, BER_CTX(0), true);
    ber_wrap(w, mark, BER_UNIV(BER_SET), true);
    return ses_send_connect(a);
}

void pres_connect_cnf(struct x400ms_assoc *a, bool accepted, struct ber_slice ppdu)
{
    struct ber_error e = { 0 };
    struct ber_slice aare = { NULL, 0 };
    int provider_reason = -1;
    bool ctx_ok = true;
    if (ppdu.len > 0) {
        struct pres_connect *p = malloc(sizeof(*p));
        if (p == NULL) {
            osi_abort(a, X400MS_ABORT_LOCAL, accepted, "out of memory");
            return;
        }
        int rc = accepted ? pres_decode_cpa(ppdu.ptr, ppdu.len, p, &e)
                          : pres_decode_cpr(ppdu.ptr, ppdu.len, p, &e);
        if (rc < 0) {
            free(p);
            pres_fail(a, &e, accepted ? "CPA PPDU unreadable" : "CPR PPDU unreadable");
            osi_abort(a, X400MS_ABORT_PEER_PROVIDER, accepted, "unreadable presentation answer");
            return;
        }
        for (size_t i = 0; i < p->nresults && i < a->n_pctx; i++) {
            a->pctx[i].accepted = p->results[i].result == PRES_ACCEPTANCE;
            if (!a->pctx[i].accepted &&
                (a->pctx[i].as == NULL || (a->pctx[i].as->flags & X400MS_AS_REQUIRED)))
                ctx_ok = false;
        }
        if (!p->has_result_list && accepted)
            for (unsigned i = 0; i < a->n_pctx; i++)
                a->pctx[i].accepted = true;
        if (p->has_provider_reason)
            provider_reason = (int)p->provider_reason;
        pres_acse_pdv(a, &p->user_data, &aare);
        free(p);
    }
    acse_aare_cnf(a, aare, accepted && ctx_ok, provider_reason);
}

/* ---- data transfer ---- */

static const struct osi_pctx *pres_ctx(const struct x400ms_assoc *a, int64_t id)
{
    for (unsigned i = 0; i < a->n_pctx; i++)
        if (a->pctx[i].id == id)
            return a->pctx[i].accepted || !a->initiator ? &a->pctx[i] : NULL;
    return NULL;
}

static void pres_provider_abort(struct x400ms_assoc *a, const char *what)
{
    osi_abort(a, X400MS_ABORT_LOCAL, true, "presentation protocol error: %s", what);
}

void pres_data_ind(struct x400ms_assoc *a, struct ber_slice ud)
{
    if (a->state != OSI_S_DATA && a->state != OSI_S_RELEASING) {
        pres_provider_abort(a, "P-DATA before the association is established");
        return;
    }
    struct ber_error e = { 0 };
    struct pres_user_data d;
    int rc = pres_decode_user_data(ud.ptr, ud.len, &d, &e);
    if (rc < 0) {
        char buf[200];
        pres_provider_abort(a, ber_error_format(&e, buf, sizeof(buf)));
        return;
    }
    if (d.simply_encoded || d.npdv == 0) {
        pres_provider_abort(a, "P-DATA user data is not fully-encoded-data");
        return;
    }
    /* X.226 8.4: several PDV-lists may travel in one P-DATA. */
    for (size_t i = 0; i < d.npdv && a->state != OSI_S_CLOSED; i++) {
        const struct pres_pdv *v = &d.pdv[i];
        const struct osi_pctx *pc = pres_ctx(a, v->context_id);
        if (pc == NULL || v->context_id == (int64_t)a->acse_pctx) {
            char what[120];
            snprintf(what, sizeof(what), "P-DATA on presentation context %lld, which is not in use",
                     (long long)v->context_id);
            pres_provider_abort(a, what);
            return;
        }
        if (v->encoding == PRES_ARBITRARY || v->segmented) {
            pres_provider_abort(a, "P-DATA value neither single-ASN1-type nor plain octet-aligned");
            return;
        }
        if (pc->id == a->rtse_pctx && a->rtse != NULL) {
            int r = a->rtse->event(a->rt, X400MS_RTS_DATA, X400MS_BYTES(v->value.ptr, v->value.len));
            if (r < 0 && a->state != OSI_S_CLOSED)
                osi_abort(a, X400MS_ABORT_LOCAL, true, "RTSE refused the data: %s", x400ms_strerror(r));
        } else {
            rose_input(a, v->value, pc->id);
        }
    }
}

/* ---- release and abort ---- */

/* The ACSE APDU in the user data of FN/DN (on the ACSE context). */
static int pres_acse_value(struct x400ms_assoc *a, struct ber_slice ud, struct ber_slice *apdu,
                           const char *what)
{
    struct ber_error e = { 0 };
    struct pres_user_data d;
    int rc = pres_decode_user_data(ud.ptr, ud.len, &d, &e);
    if (rc < 0)
        return pres_fail(a, &e, what);
    if (pres_acse_pdv(a, &d, apdu) < 0) {
        X400MS_LOG_N("peer %s: %s: no value on the ACSE context", a->peer, what);
        return X400MS_EPROTO;
    }
    return 0;
}

void pres_release_ind(struct x400ms_assoc *a, struct ber_slice ud)
{
    struct ber_slice apdu = { NULL, 0 };
    if (ud.len == 0 || pres_acse_value(a, ud, &apdu, "FN user data") < 0) {
        pres_provider_abort(a, "FN without a readable RLRQ");
        return;
    }
    acse_rlrq_ind(a, apdu);
}

void pres_release_cnf(struct x400ms_assoc *a, struct ber_slice ud)
{
    struct ber_slice apdu = { NULL, 0 };
    if (ud.len == 0 || pres_acse_value(a, ud, &apdu, "DN user data") < 0) {
        pres_provider_abort(a, "DN without a readable RLRE");
        return;
    }
    acse_rlre_cnf(a, apdu);
}

void pres_abort_ind(struct x400ms_assoc *a, struct ber_slice ud, bool user)
{
    struct ber_slice apdu = { NULL, 0 };
    if (ud.len > 0) {
        struct ber_error e = { 0 };
        struct pres_abort *ab = malloc(sizeof(*ab));
        if (ab != NULL && pres_decode_abort(ud.ptr, ud.len, ab, &e) == 0) {
            if (ab->provider)
                user = false;
            else
                pres_acse_pdv(a, &ab->user_data, &apdu);
        } else if (ab != NULL) {
            pres_fail(a, &e, "unreadable ARU/ARP in AB");
        }
        free(ab);
    }
    if (apdu.len > 0) {
        acse_abrt_ind(a, apdu);
        return;
    }
    a->state = OSI_S_CLOSED;
    X400MS_LOG_N("peer %s: association aborted by the peer (%s abort)", a->peer,
                 user ? "user" : "provider");
    osi_notify_end(a, false, user ? X400MS_ABORT_PEER_USER : X400MS_ABORT_PEER_PROVIDER,
                   user ? "aborted by the peer" : "aborted by the peer's provider");
    osi_close(a);
}

int pres_send_aru(struct x400ms_assoc *a, ber_mark_t mark)
{
    if (ber_writer_len(&a->out) > mark) {
        pres_wrap_pdv(a, mark, a->acse_pctx);
        ber_wrap(&a->out, mark, BER_CTX(0), true); /* ARU normal-mode-parameters */
    }
    return ses_send_abort(a, true, ber_writer_len(&a->out) > 0);
}
