/* modules/protocol/p3/ua_submit.c: the submission port of a bound UA
 * (X.411 8.2): message-submission (3), probe-submission (4) and
 * cancel-deferred-delivery (7) go to the MTS provider (include/x400ms/mts.h:
 * the active one, or p3's "ua.mts"), with the UA's mailbox as the
 * originating mailbox so that delivery and non-delivery reports come back
 * into its In Box - and from there to the UA with report-delivery. The
 * provider's result or X.411 error is returned as it gave it. */
#define X400MS_LOG_MODULE "p3"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asn1/mts.h"
#include "asn1/orname.h"
#include "modules/protocol/p3/p3.h"
#include "modules/protocol/p3/ua_session.h"
#include "x400ms/log.h"

struct ua_submit_op {
    struct ua_submit_op *next;
    struct ua_session *s;
    int64_t invoke_id;
    int64_t opcode;
    const struct x400ms_mts_ops *mts;
    void *mts_ctx;
    x400ms_mts_op_id mts_op;
    uint8_t *arg;                    /* copy of the argument */
    size_t arg_len;
    uint8_t *content;                /* message: the content octets */
    size_t content_len;
};

static void op_unlink(struct ua_submit_op *op)
{
    for (struct ua_submit_op **p = &op->s->submits; *p != NULL; p = &(*p)->next) {
        if (*p == op) {
            *p = op->next;
            break;
        }
    }
}

static void op_free(struct ua_submit_op *op)
{
    free(op->arg);
    free(op->content);
    free(op);
}

static const char *op_name(int64_t opcode)
{
    return opcode == MTS_OP_MESSAGE_SUBMISSION ? "message-submission"
           : opcode == MTS_OP_PROBE_SUBMISSION ? "probe-submission"
                                               : "cancel-deferred-delivery";
}

/* The provider's outcome, on the session's loop. */
static void mts_done(void *arg, const struct x400ms_mts_outcome *o)
{
    struct ua_submit_op *op = arg;
    struct ua_session *s = op->s;
    op_unlink(op);
    if (!s->dead) {
        switch (o->kind) {
        case X400MS_MTS_ACCEPTED:
            X400MS_LOG_I("peer %s: P3 user %s: %s accepted by the MTS", s->peer, s->mailbox,
                         op_name(op->opcode));
            if (op->opcode == MTS_OP_CANCEL_DEFERRED_DELIVERY || o->result == NULL ||
                o->result_len == 0) {
                /* CancelDeferredDeliveryResult ::= NULL (X.411 8.2.1.3.2) */
                static const uint8_t null_result[] = { 0x05, 0x00 };
                x400ms_assoc_reply(s->a, op->invoke_id,
                                   X400MS_BYTES(null_result, sizeof null_result));
            } else {
                x400ms_assoc_reply(s->a, op->invoke_id, X400MS_BYTES(o->result, o->result_len));
            }
            break;
        case X400MS_MTS_REFUSED:
            X400MS_LOG_I("peer %s: P3 user %s: %s refused by the MTS with X.411 error %lld%s%s",
                         s->peer, s->mailbox, op_name(op->opcode), (long long)o->errcode,
                         o->reason ? ": " : "", o->reason ? o->reason : "");
            x400ms_assoc_error(s->a, op->invoke_id, o->errcode,
                               X400MS_BYTES(o->parameter, o->parameter ? o->parameter_len : 0));
            break;
        default:
            /* no X.411 answer could be had: the MS could not reach the MTS
             * on the UA's behalf (remote-bind-error, X.411 8.2.2.10) */
            X400MS_LOG_W("peer %s: P3 user %s: %s failed: %s", s->peer, s->mailbox,
                         op_name(op->opcode), o->reason ? o->reason : "the MTS provider failed");
            x400ms_assoc_error(s->a, op->invoke_id, MTS_ERR_REMOTE_BIND_ERROR, X400MS_NO_BYTES);
            break;
        }
    }
    ua_session_unref(s);
    op_free(op);
}

void ua_submit_end(struct ua_session *s)
{
    while (s->submits != NULL) {
        struct ua_submit_op *op = s->submits;
        s->submits = op->next;
        /* on the call's loop: done() is not called for it afterwards; the
         * submission itself still completes (mts.h) */
        op->mts->forget(op->mts_ctx, op->mts_op);
        ua_session_unref(s);
        op_free(op);
    }
}

static void error_now(struct ua_session *s, const struct x400ms_invoke *inv, int64_t code,
                      const char *why)
{
    X400MS_LOG_I("peer %s: P3 user %s: %s: X.411 error %lld: %s", s->peer, s->mailbox,
                 op_name(inv->opcode), (long long)code, why);
    x400ms_assoc_error(s->a, inv->invoke_id, code, X400MS_NO_BYTES);
}

static void reject_mistyped(struct ua_session *s, const struct x400ms_invoke *inv,
                            const struct ber_error *be)
{
    char msg[200];
    X400MS_LOG_W("peer %s: P3 user %s: %s argument malformed (%s): rejected", s->peer,
                 s->mailbox, op_name(inv->opcode),
                 be && be->what ? ber_error_format(be, msg, sizeof msg) : "no argument");
    x400ms_assoc_reject(s->a, inv->invoke_id, X400MS_ROSE_INVOKE_MISTYPED_ARGUMENT);
}

/* X.411 8.2.2.4 originator-invalid: a UA submits as itself only. */
static bool originator_ok(const struct ua_session *s, const struct or_address *orig)
{
    struct or_address own;
    struct x400ms_error err;
    if (or_address_parse(s->or_address, strlen(s->or_address), &own, &err) < 0)
        return false;
    return or_address_match(orig, &own);
}

/* MessageSubmissionArgument ::= SEQUENCE { envelope SET, content }: the
 * envelope's whole TLV. */
static int first_member(struct ber_slice in, struct ber_slice *env, struct ber_error *be)
{
    struct ber_ctx c;
    struct ber_tlv t, e;
    struct ber_iter it;
    ber_ctx_init(&c, in.ptr, in.len, be);
    int rc = ber_decode_top(&c, &t, "MessageSubmissionArgument");
    if (rc >= 0)
        rc = ber_enter(&c, &t, &it, "MessageSubmissionArgument");
    if (rc >= 0 && (rc = ber_next(&it, &e)) != 1)
        return rc < 0 ? rc : X400MS_EPROTO;
    if (rc < 0)
        return rc;
    *env = ber_tlv_whole(&e);
    return 0;
}

static int copy_content(struct ua_submit_op *op, const struct mhs_octets *o)
{
    size_t n = o->bytes.len > 0 || o->tlv.len == 0 ? o->bytes.len : o->str.nbytes;
    if (n == 0)
        return 0;
    if ((op->content = malloc(n)) == NULL)
        return X400MS_ENOMEM;
    if (o->bytes.len > 0 || o->tlv.len == 0)
        memcpy(op->content, o->bytes.ptr, n);
    else if (ber_str_copy(&o->str, op->content, n, &n) < 0)
        return X400MS_EPROTO;
    op->content_len = n;
    return 0;
}

void ua_submit_invoke(struct ua_session *s, const struct x400ms_invoke *inv)
{
    struct p3_ua *ua = s->ua;
    void *mts_ctx = NULL;
    const struct x400ms_mts_ops *mts = x400ms_mts_find(ua->m->core, ua->mts, &mts_ctx);
    if (mts == NULL) {
        error_now(s, inv, MTS_ERR_REMOTE_BIND_ERROR, "no MTS provider is configured");
        return;
    }
    struct ua_submit_op *op = calloc(1, sizeof *op);
    if (op == NULL || (inv->argument.len > 0 && (op->arg = malloc(inv->argument.len)) == NULL)) {
        free(op);
        x400ms_assoc_reject(s->a, inv->invoke_id, X400MS_ROSE_INVOKE_RESOURCE_LIMITATION);
        return;
    }
    if (inv->argument.len > 0)
        memcpy(op->arg, inv->argument.ptr, inv->argument.len);
    op->arg_len = inv->argument.len;
    op->s = s;
    op->invoke_id = inv->invoke_id;
    op->opcode = inv->opcode;
    op->mts = mts;
    op->mts_ctx = mts_ctx;
    struct ber_slice in = ber_slice_make(op->arg, op->arg_len);
    struct ber_error be;
    memset(&be, 0, sizeof be);
    struct x400ms_error err = { 0 };
    int rc;

    switch (inv->opcode) {
    case MTS_OP_MESSAGE_SUBMISSION: {
        struct mts_submission_arg a;
        struct ber_slice env;
        if (op->arg_len == 0 || mts_submission_arg_decode(in, &a, &be) < 0 ||
            first_member(in, &env, &be) < 0 || copy_content(op, &a.content) < 0)
            goto mistyped;
        if (!originator_ok(s, &a.envelope.originator_name)) {
            error_now(s, inv, MTS_ERR_ORIGINATOR_INVALID,
                      "the originator-name is not the bound UA's O/R address");
            op_free(op);
            return;
        }
        struct x400ms_mts_submission sub = {
            .size = sizeof sub, .mailbox = s->mailbox,
            .envelope = env.ptr, .envelope_len = env.len,
            .content = op->content, .content_len = op->content_len,
            .done = mts_done, .arg = op, .loop = s->loop };
        rc = mts->submit(mts_ctx, &sub, &op->mts_op, &err);
        break;
    }
    case MTS_OP_PROBE_SUBMISSION: {
        struct mts_submission_envelope e;
        if (op->arg_len == 0 || mts_probe_submission_arg_decode(in, &e, &be) < 0)
            goto mistyped;
        if (!originator_ok(s, &e.originator_name)) {
            error_now(s, inv, MTS_ERR_ORIGINATOR_INVALID,
                      "the originator-name is not the bound UA's O/R address");
            op_free(op);
            return;
        }
        struct x400ms_mts_submission sub = {
            .size = sizeof sub, .mailbox = s->mailbox, .probe = true,
            .envelope = op->arg, .envelope_len = op->arg_len,
            .done = mts_done, .arg = op, .loop = s->loop };
        rc = mts->submit(mts_ctx, &sub, &op->mts_op, &err);
        break;
    }
    case MTS_OP_CANCEL_DEFERRED_DELIVERY: {
        /* CancelDeferredDeliveryArgument ::= MessageSubmissionIdentifier
         * ([APPLICATION 4] MTSIdentifier, X.411 8.2.1.3.1.1): framing only,
         * the provider decodes it */
        struct ber_ctx c;
        struct ber_tlv t;
        ber_ctx_init(&c, op->arg, op->arg_len, &be);
        if (op->arg_len == 0 || ber_decode_top(&c, &t, "MessageSubmissionIdentifier") < 0 ||
            t.tag != BER_APP(4))
            goto mistyped;
        struct x400ms_mts_request req = {
            .size = sizeof req, .mailbox = s->mailbox,
            .argument = op->arg, .argument_len = op->arg_len,
            .done = mts_done, .arg = op, .loop = s->loop };
        rc = mts->cancel_deferred(mts_ctx, &req, &op->mts_op, &err);
        break;
    }
    default:
        op_free(op);
        x400ms_assoc_reject(s->a, inv->invoke_id, X400MS_ROSE_INVOKE_UNRECOGNIZED_OPERATION);
        return;
    }
    if (rc < 0) {
        error_now(s, inv,
                  rc == X400MS_EINVAL ? MTS_ERR_INCONSISTENT_REQUEST : MTS_ERR_REMOTE_BIND_ERROR,
                  err.message);
        op_free(op);
        return;
    }
    ua_session_ref(s);
    op->next = s->submits;
    s->submits = op;
    return;

mistyped:
    op_free(op);
    reject_mistyped(s, inv, &be);
}
