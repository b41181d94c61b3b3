/* Associations: lifetime, the module-facing calls of include/x400ms/assoc.h
 * that are not tied to one layer, and the registry of application contexts. */
#define X400MS_LOG_MODULE "osi"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/osi/osi.h"
#include "x400ms/log.h"

int x400ms_app_context_register(struct x400ms_core *core, const struct x400ms_app_context *ac,
                                void *ctx, struct x400ms_error *err)
{
    if (ac == NULL || ac->size < offsetof(struct x400ms_app_context, reserved) || ac->oid == NULL)
        return x400ms_error_set(err, X400MS_EINVAL, "application context: size and oid are required");
    uint8_t tmp[128];
    if (ber_oid_from_text(ac->oid, tmp, sizeof(tmp)) < 0)
        return x400ms_error_set(err, X400MS_EINVAL, "application context \"%s\": not an OID", ac->oid);
    unsigned binds = 0, rtses = 0;
    if (ac->n_syntaxes == 0 || ac->n_syntaxes > OSI_MAX_PCTX - 1 || ac->syntaxes == NULL)
        return x400ms_error_set(err, X400MS_EINVAL,
                                "application context %s: 1 to %d abstract syntaxes expected", ac->oid,
                                OSI_MAX_PCTX - 1);
    for (size_t i = 0; i < ac->n_syntaxes; i++) {
        if (ac->syntaxes[i].oid == NULL ||
            ber_oid_from_text(ac->syntaxes[i].oid, tmp, sizeof(tmp)) < 0)
            return x400ms_error_set(err, X400MS_EINVAL,
                                    "application context %s: syntaxes[%zu] is not an OID", ac->oid, i);
        if (ac->syntaxes[i].flags & X400MS_AS_BIND)
            binds++;
        if (ac->syntaxes[i].flags & X400MS_AS_RTSE)
            rtses++;
    }
    if (binds != 1)
        return x400ms_error_set(err, X400MS_EINVAL,
                                "application context %s: exactly one syntax must carry the bind", ac->oid);
    if (ac->reliable && rtses != 1)
        return x400ms_error_set(err, X400MS_EINVAL,
                                "application context %s: a reliable context needs one RTSE syntax", ac->oid);
    return x400ms_service_register(core, X400MS_SERVICE_APP_CONTEXT, ac->oid, ac, ctx, err);
}

const struct x400ms_app_context *(*osi_test_find_context)(const char *oid, void **ctx_r);

const struct x400ms_app_context *osi_find_context(struct x400ms_core *core, const char *oid,
                                                  void **ctx_r)
{
    if (core == NULL)
        return osi_test_find_context ? osi_test_find_context(oid, ctx_r) : NULL;
    return x400ms_service_find(core, X400MS_SERVICE_APP_CONTEXT, oid, ctx_r);
}

struct x400ms_assoc *osi_assoc_new(struct x400ms_core *core, struct x400ms_loop *loop,
                                   const struct osi_lower_ops *ops, void *lower, const char *peer,
                                   bool initiator)
{
    struct x400ms_assoc *a = calloc(1, sizeof(*a));
    if (a == NULL)
        return NULL;
    a->core = core;
    a->loop = loop;
    a->lower_ops = ops;
    a->lower = lower;
    a->initiator = initiator;
    a->next_invoke_id = 1;
    snprintf(a->peer, sizeof(a->peer), "%s", peer ? peer : "?");
    ber_writer_init(&a->out);
    return a;
}

struct osi_pending {
    struct osi_pending *next;
    size_t len;
    uint8_t data[];
};

int osi_send_tsdu(struct x400ms_assoc *a, const uint8_t *tsdu, size_t len)
{
    if (a->lower == NULL || a->lower_gone)
        return X400MS_ECLOSED;
    int rc = X400MS_EAGAIN;
    if (a->pend_head == NULL)
        rc = a->lower_ops->send(a->lower, tsdu, len);
    if (rc != X400MS_EAGAIN)
        return rc;
    /* The transport's queue is at its bound: keep the TSDU, in order. */
    if (a->pend_bytes + len > OSI_MAX_PENDING) {
        X400MS_LOG_W("peer %s: more than %zu octets wait for the transport", a->peer, OSI_MAX_PENDING);
        return X400MS_ELIMIT;
    }
    struct osi_pending *p = malloc(sizeof(*p) + len);
    if (p == NULL)
        return X400MS_ENOMEM;
    p->next = NULL;
    p->len = len;
    memcpy(p->data, tsdu, len);
    if (a->pend_tail != NULL)
        a->pend_tail->next = p;
    else
        a->pend_head = p;
    a->pend_tail = p;
    a->pend_bytes += len;
    return 0;
}

void osi_writable(struct x400ms_assoc *a)
{
    osi_hold(a);
    while (a->pend_head != NULL && a->lower != NULL && !a->lower_gone) {
        struct osi_pending *p = a->pend_head;
        int rc = a->lower_ops->send(a->lower, p->data, p->len);
        if (rc == X400MS_EAGAIN)
            break;
        a->pend_head = p->next;
        if (a->pend_head == NULL)
            a->pend_tail = NULL;
        a->pend_bytes -= p->len;
        free(p);
        if (rc < 0) {
            osi_abort(a, X400MS_ABORT_LOCAL, false, "transport refused queued output: %s",
                      x400ms_strerror(rc));
            break;
        }
    }
    if (a->pend_head == NULL && a->rtse != NULL && a->rt != NULL && a->state != OSI_S_CLOSED)
        a->rtse->event(a->rt, X400MS_RTS_WRITABLE, X400MS_NO_BYTES);
    osi_unhold(a);
}

static void osi_assoc_free(struct x400ms_assoc *a)
{
    osi_metrics_assoc_down(a); /* ended without osi_notify_end: never leak a count */
    while (a->pend_head != NULL) {
        struct osi_pending *p = a->pend_head;
        a->pend_head = p->next;
        free(p);
    }
    if (a->setup_timer != NULL)
        x400ms_timer_remove(&a->setup_timer);
    if (a->rtse != NULL && a->rt != NULL)
        a->rtse->detach(a->rt);
    rose_table_fini(&a->peer_inv);
    rose_table_fini(&a->own_inv);
    ber_writer_free(&a->out);
    free(a->cp);
    free(a->req_bytes);
    free(a->release_arg);
    free(a);
}

bool osi_unhold(struct x400ms_assoc *a)
{
    if (--a->busy == 0 && a->free_pending) {
        osi_assoc_free(a);
        return true;
    }
    return false;
}

void osi_input(struct x400ms_assoc *a, const uint8_t *tsdu, size_t len)
{
    if (a->state == OSI_S_CLOSED)
        return; /* X.225: after release/abort, nothing more is taken */
    osi_hold(a);
    ses_input(a, tsdu, len);
    osi_unhold(a);
}

/* The initiator's confirm, once. */
static void osi_confirm_failed(struct x400ms_assoc *a, const char *reason)
{
    if (!a->initiator || a->confirmed)
        return;
    a->confirmed = true;
    struct x400ms_connect_result r = { .status = X400MS_CONNECT_FAILED, .provider_reason = -1,
                                       .reason = reason };
    a->req.confirm(a->ac_ctx, NULL, &r);
}

void osi_notify_end(struct x400ms_assoc *a, bool released, enum x400ms_abort_source src,
                    const char *reason)
{
    if (a->ended)
        return;
    a->ended = true;
    osi_metrics_assoc_down(a);
    rose_end(a);
    if (!a->user_notified) {
        osi_confirm_failed(a, reason);
        return;
    }
    if (released) {
        if (a->ac->released != NULL)
            a->ac->released(a->ac_ctx, a);
    } else if (a->ac->aborted != NULL) {
        struct x400ms_abort_info why = { .source = src, .reason = reason ? reason : "" };
        a->ac->aborted(a->ac_ctx, a, &why);
    }
}

void osi_close(struct x400ms_assoc *a)
{
    a->state = OSI_S_CLOSED;
    if (a->lower != NULL && !a->lower_gone)
        a->lower_ops->close(a->lower, false);
}

void osi_abort(struct x400ms_assoc *a, enum x400ms_abort_source src, bool send_ab, const char *fmt, ...)
{
    char reason[300];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof(reason), fmt, ap);
    va_end(ap);
    if (a->state == OSI_S_CLOSED && a->ended)
        return;
    X400MS_LOG_N("peer %s: association aborted: %s", a->peer, reason);
    bool was_open = a->state != OSI_S_CLOSED && a->state != OSI_S_IDLE;
    if (send_ab && was_open && a->lower != NULL && !a->lower_gone) {
        /* A provider abort: AB with the protocol-error flag, no user data
         * (X.225 8.3.9; the presentation ARP is optional). */
        ber_writer_reset(&a->out);
        ses_send_abort(a, src == X400MS_ABORT_LOCAL ? true : false, false);
    }
    a->state = OSI_S_CLOSED;
    osi_notify_end(a, false, src, reason);
    if (a->lower != NULL && !a->lower_gone)
        a->lower_ops->close(a->lower, false);
}

void osi_lower_gone(struct x400ms_assoc *a, int reason, const char *text)
{
    a->lower_gone = true;
    if (!a->ended) {
        char why[300];
        snprintf(why, sizeof(why), "transport connection lost: %s",
                 text ? text : (reason ? x400ms_strerror(reason) : "closed"));
        if (a->state != OSI_S_CLOSED && a->state != OSI_S_IDLE)
            X400MS_LOG_N("peer %s: %s", a->peer, why);
        a->state = OSI_S_CLOSED;
        osi_hold(a);
        osi_notify_end(a, false, reason == X400MS_ESTATE ? X400MS_ABORT_SHUTDOWN : X400MS_ABORT_TRANSPORT,
                       why);
        a->busy--;
    }
    a->state = OSI_S_CLOSED;
    if (a->busy > 0)
        a->free_pending = true;
    else
        osi_assoc_free(a);
}

/* ---- accessors ---- */

const char *x400ms_assoc_peer(const struct x400ms_assoc *a) { return a->peer; }
const struct x400ms_app_context *x400ms_assoc_context(const struct x400ms_assoc *a) { return a->ac; }
struct x400ms_loop *x400ms_assoc_loop(const struct x400ms_assoc *a) { return a->loop; }
bool x400ms_assoc_is_initiator(const struct x400ms_assoc *a) { return a->initiator; }
void x400ms_assoc_set_user(struct x400ms_assoc *a, void *user) { a->user = user; }
void *x400ms_assoc_user(const struct x400ms_assoc *a) { return a->user; }

void x400ms_assoc_abort(struct x400ms_assoc *a, const char *reason)
{
    if (a->state == OSI_S_CLOSED)
        return;
    osi_hold(a);
    X400MS_LOG_N("peer %s: association aborted by the %s module: %s", a->peer,
                 a->ac ? a->ac->name : "?", reason ? reason : "");
    if (a->lower != NULL && !a->lower_gone && a->state != OSI_S_IDLE && a->acse_pctx != 0) {
        /* X.227 7.3: ABRT source acse-service-user, in an ARU, in an AB. */
        ber_writer_reset(&a->out);
        ber_mark_t m = ber_mark(&a->out);
        ber_put_int64(&a->out, BER_CTX(0), 0);
        ber_wrap(&a->out, m, BER_APP(4), true);
        pres_send_aru(a, m);
    }
    a->state = OSI_S_CLOSED;
    osi_notify_end(a, false, X400MS_ABORT_LOCAL, reason ? reason : "aborted");
    if (a->lower != NULL && !a->lower_gone)
        a->lower_ops->close(a->lower, false);
    osi_unhold(a);
}
