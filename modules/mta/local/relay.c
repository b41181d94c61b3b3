/* modules/mta/local/relay.c: relaying the recipients of another domain to
 * the upstream MTA through p3's submission initiator ("p3-upstream",
 * include/x400ms/mts.h, registered under X400MS_SERVICE_OTHER).
 *
 * The worker collects the foreign recipients of a queue item that are not
 * done yet, submits one envelope holding only them (X.411 8.2.1.1 message
 * submission, 8.2.1.2 probe submission: the same per-message fields, the
 * per-recipient fields of those recipients only) and leaves the item busy in
 * the queue, its file on disk, until the outcome comes back on a loop
 * thread. The outcome is recorded in the item and the worker takes it again
 * (deliver.c): ACCEPTED -> those recipients are done (the upstream MTA now
 * owes the reports, X.411 8.3.1.2, so we make none); REFUSED -> non-delivery
 * lines mapped from the X.411 error (mtal_relay_map_refusal); FAILED -> the
 * item waits the queue's retry delay and they are submitted again. */
#define X400MS_LOG_MODULE "mta_local"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "modules/mta/local/mta.h"
#include "x400ms/log.h"

/* X.411 NonDeliveryDiagnosticCode values used by the mapping (8.3.1.2.1.7). */
#define DIAG_INVALID_ARGUMENTS 11
#define DIAG_UNSUPPORTED_CRITICAL_FUNCTION 18

const struct x400ms_mts_ops *mtal_upstream(const struct mtal *m, void **ctx_r)
{
    const struct x400ms_mts_ops *ops = (const struct x400ms_mts_ops *)x400ms_service_find(
        m->core, X400MS_SERVICE_OTHER, X400MS_MTS_P3_UPSTREAM, ctx_r);
    if (ops != NULL && ops->size < offsetof(struct x400ms_mts_ops, forget) + sizeof ops->forget)
        return NULL;
    return ops;
}

void mtal_relay_map_refusal(int64_t errcode, int *reason_r, int *diagnostic_r)
{
    /* The recipients were not transferred: unable-to-transfer (1) in every
     * case; the diagnostic says why when X.411 has a matching one. */
    *reason_r = MTAL_REASON_UNABLE_TO_TRANSFER;
    switch (errcode) {
    case MTS_ERR_RECIPIENT_IMPROPERLY_SPECIFIED:
        *diagnostic_r = MTAL_DIAG_UNRECOGNISED_OR_NAME;
        break;
    case MTS_ERR_UNSUPPORTED_CRITICAL_FUNCTION:
        *diagnostic_r = DIAG_UNSUPPORTED_CRITICAL_FUNCTION;
        break;
    case MTS_ERR_ORIGINATOR_INVALID:
    case MTS_ERR_INCONSISTENT_REQUEST:
        *diagnostic_r = DIAG_INVALID_ARGUMENTS;
        break;
    default:
        /* submission-control-violated, security-error, remote-bind-error,
         * element-of-service-not-subscribed, ...: the upstream will not take
         * it from us, i.e. no agreement to transfer it */
        *diagnostic_r = MTAL_DIAG_NO_BILATERAL_AGREEMENT;
        break;
    }
}

struct relay_call {
    struct mtal *m;
    struct mtal_item *it;
};

/* On a loop thread: record the outcome and give the item back to the worker. */
static void relay_done(void *arg, const struct x400ms_mts_outcome *o)
{
    struct relay_call *rc = arg;
    struct mtal *m = rc->m;
    pthread_mutex_lock(&m->lock);
    m->relays_outstanding--;
    struct mtal_item *it = NULL;
    char id[sizeof rc->it->id] = "";
    for (struct mtal_item *p = m->items; p; p = p->next)
        if (p == rc->it)
            it = p;
    if (it != NULL) {
        memcpy(id, it->id, sizeof id);
        it->relay_kind = (int)o->kind;
        it->relay_errcode = o->errcode;
        snprintf(it->relay_reason, sizeof it->relay_reason, "%s", o->reason ? o->reason : "");
        it->busy = false;
        it->deferred = o->kind == X400MS_MTS_FAILED ? (int64_t)time(NULL) + m->retry_s : 0;
        pthread_cond_broadcast(&m->cond);
    }
    pthread_mutex_unlock(&m->lock);
    if (it != NULL)
        X400MS_LOG_I("message %s: upstream MTA %s (%s)", id,
                     o->kind == X400MS_MTS_ACCEPTED  ? "accepted the relayed recipients"
                     : o->kind == X400MS_MTS_REFUSED ? "refused the relayed recipients"
                                                     : "could not be reached: will retry",
                     o->reason ? o->reason : "");
    free(rc);
}

int mtal_relay_submit(struct mtal *m, struct mtal_item *it,
                      const struct mts_submission_envelope *env,
                      const struct mts_submission_recipient *rcpts, size_t n)
{
    void *up_ctx = NULL;
    const struct x400ms_mts_ops *up = mtal_upstream(m, &up_ctx);
    if (up == NULL)
        return X400MS_EDEP;
    struct mts_submission_envelope e = *env;
    e.recipient_array = rcpts;
    e.n_recipient_array = (uint32_t)n;
    struct ber_writer w;
    ber_writer_init(&w);
    int rc = it->probe ? mts_probe_submission_arg_encode(&w, &e)
                       : mts_submission_envelope_encode(&w, &e);
    if (rc < 0 || w.error != 0) {
        ber_writer_free(&w);
        X400MS_LOG_E("message %s: the relay envelope does not encode", it->id);
        return X400MS_EINVAL;
    }
    struct relay_call *call = calloc(1, sizeof *call);
    struct x400ms_loop *loop = x400ms_core_next_loop(m->core);
    if (call == NULL || loop == NULL) {
        free(call);
        ber_writer_free(&w);
        return call == NULL ? X400MS_ENOMEM : X400MS_ESTATE;
    }
    call->m = m;
    call->it = it;
    struct x400ms_mts_submission sub = {
        .size = sizeof sub,
        .mailbox = it->mailbox[0] ? it->mailbox : NULL,
        .probe = it->probe,
        .envelope = ber_writer_data(&w),
        .envelope_len = ber_writer_len(&w),
        .content = it->content,
        .content_len = it->content_len,
        .done = relay_done,
        .arg = call,
        .loop = loop,
    };
    /* counted before the call: relay_done may run as soon as it returns */
    pthread_mutex_lock(&m->lock);
    m->relays_outstanding++;
    pthread_mutex_unlock(&m->lock);
    x400ms_mts_op_id op = 0;
    struct x400ms_error err = { 0 };
    rc = up->submit(up_ctx, &sub, &op, &err);
    ber_writer_free(&w);
    if (rc < 0) {
        pthread_mutex_lock(&m->lock);
        m->relays_outstanding--;
        pthread_mutex_unlock(&m->lock);
        free(call);
        X400MS_LOG_W("message %s: relay to the upstream MTA not taken (%s): will retry", it->id,
                     err.message);
        return rc;
    }
    X400MS_LOG_I("message %s: %zu recipient(s) of other domains relayed to the upstream MTA",
                 it->id, n);
    return 0;
}
