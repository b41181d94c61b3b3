/* The session and presentation services one association offers the "rtse"
 * module (include/x400ms/assoc.h, the x400ms_rts_* calls). The handle is
 * the association itself. */
#define X400MS_LOG_MODULE "osi"
#include "core/osi/osi.h"
#include "x400ms/log.h"

static struct x400ms_assoc *rts_assoc(struct x400ms_rts *s)
{
    return (struct x400ms_assoc *)s;
}

int x400ms_rts_deliver(struct x400ms_rts *s, struct x400ms_bytes apdu)
{
    struct x400ms_assoc *a = rts_assoc(s);
    if (a->state != OSI_S_DATA && a->state != OSI_S_RELEASING)
        return X400MS_ESTATE;
    osi_hold(a);
    rose_input(a, ber_slice_make(apdu.ptr, apdu.len), a->rtse_pctx);
    osi_unhold(a);
    return 0;
}

/* Pushes apdu as a PDV on the RTSE context onto a->out. */
static void rts_push(struct x400ms_assoc *a, struct x400ms_bytes apdu)
{
    ber_writer_reset(&a->out);
    if (apdu.ptr == NULL)
        return;
    ber_put_raw(&a->out, apdu.ptr, apdu.len);
    pres_wrap_pdv(a, 0, a->rtse_pctx);
}

int x400ms_rts_send_data(struct x400ms_rts *s, struct x400ms_bytes apdu)
{
    struct x400ms_assoc *a = rts_assoc(s);
    rts_push(a, apdu);
    return ses_send_data(a);
}

int x400ms_rts_please_tokens(struct x400ms_rts *s, unsigned tokens, struct x400ms_bytes apdu)
{
    struct x400ms_assoc *a = rts_assoc(s);
    rts_push(a, apdu);
    return ses_send_please_tokens(a, tokens);
}

int x400ms_rts_give_control(struct x400ms_rts *s)
{
    return ses_send_give_control(rts_assoc(s));
}

int x400ms_rts_give_tokens(struct x400ms_rts *s, unsigned tokens)
{
    return ses_send_give_tokens(rts_assoc(s), tokens);
}

int x400ms_rts_activity_start(struct x400ms_rts *s) { return ses_send_activity_start(rts_assoc(s)); }
int x400ms_rts_activity_end(struct x400ms_rts *s) { return ses_send_activity_end(rts_assoc(s)); }
int x400ms_rts_activity_end_ack(struct x400ms_rts *s) { return ses_send_activity_end_ack(rts_assoc(s)); }
int x400ms_rts_minor_sync(struct x400ms_rts *s) { return ses_send_minor_sync(rts_assoc(s)); }
int x400ms_rts_minor_sync_ack(struct x400ms_rts *s) { return ses_send_minor_sync_ack(rts_assoc(s)); }

int x400ms_rts_close_ready(struct x400ms_rts *s)
{
    struct x400ms_assoc *a = rts_assoc(s);
    if (!a->release_pending || a->state != OSI_S_DATA)
        return 0;
    return acse_send_rlrq(a);
}

unsigned x400ms_rts_tokens(const struct x400ms_rts *s)
{
    return ((const struct x400ms_assoc *)s)->tokens;
}

const char *x400ms_rts_peer(const struct x400ms_rts *s)
{
    return ((const struct x400ms_assoc *)s)->peer;
}

void x400ms_rts_abort(struct x400ms_rts *s, struct x400ms_bytes rtab, const char *reason)
{
    struct x400ms_assoc *a = rts_assoc(s);
    if (a->state == OSI_S_CLOSED)
        return;
    osi_hold(a);
    X400MS_LOG_N("peer %s: RTSE abort: %s", a->peer, reason ? reason : "");
    if (rtab.ptr != NULL && a->lower != NULL && !a->lower_gone) {
        /* X.228 9.7: the RTAB may ride in the ABRT's user information; we
         * send the ABRT (source service-user) alone, which every peer takes. */
        ber_writer_reset(&a->out);
        ber_mark_t m = ber_mark(&a->out);
        ber_put_int64(&a->out, BER_CTX(0), 0);
        ber_wrap(&a->out, m, BER_APP(4), true);
        pres_send_aru(a, m);
    }
    a->state = OSI_S_CLOSED;
    osi_notify_end(a, false, X400MS_ABORT_LOCAL, reason ? reason : "RTSE abort");
    if (a->lower != NULL && !a->lower_gone)
        a->lower_ops->close(a->lower, false);
    osi_unhold(a);
}
