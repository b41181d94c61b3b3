/* The MS-submission port (X.413 8.3, "indirect submission"): message
 * submission (3), probe submission (4), cancel-deferred-delivery (7) and
 * submission-control (2) are handed to the active MTS provider
 * (include/x400ms/mts.h: the embedded local MTA or an upstream MTA over P3).
 *
 * A submitted message (or probe) the MTS accepted is also kept in the
 * mailbox's Out Box when the mailbox has it enabled (X.413 (1994) 8.3.1.1:
 * entry-class submission, with message-submission-time and
 * message-submission-identifier); the 1994 result then names the created
 * entry in ms-message-result (CommonSubmissionResults created-entry).
 *
 * Errors (X.413 8.3.1.x ERRORS lists, which are X.411's, local codes of
 * X.411 so that a UA sees what an MTA would have said):
 *   originator-invalid (4)      the envelope's originator is not the
 *                               mailbox's O/R address (X.411 8.2.2.4);
 *   any X.411 error the MTS answered, with its parameter, passed through;
 *   remote-bind-error (10)      the MTS could not be reached or stopped
 *                               (X.413 8.3: "the MS could not bind to the MTS");
 *   service-error unavailable   no MTS provider is configured at all. */
#define X400MS_LOG_MODULE "p7"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "asn1/ipms.h"
#include "asn1/mts.h"
#include "asn1/orname.h"
#include "modules/protocol/p7/p7.h"
#include "x400ms/log.h"
#include "x400ms/mts.h"

/* One submission waiting for the MTS, then (accepted) for the Out Box copy. */
struct p7_submit_op {
    struct p7_submit_op *next;    /* the session's list (loop thread only) */
    struct p7_session *s;         /* holds a reference */
    int64_t invoke_id;
    int64_t opcode;
    const struct x400ms_mts_ops *mts;
    void *mts_ctx;
    x400ms_mts_op_id mts_op;
    bool mts_pending;             /* the provider owes us done() */
    /* The argument, copied: the invoke's bytes live only during the call. */
    uint8_t *arg;
    size_t arg_len;
    struct ber_slice envelope;    /* the whole envelope TLV, into arg */
    uint8_t *content;             /* the content octets (malloc: may be segmented) */
    size_t content_len;
    /* Out Box attributes, taken from the envelope at invoke time. */
    int priority;
    char content_type[X400MS_STORE_CONTENT_TYPE_MAX];
    char originator[X400MS_STORE_ADDRESS_MAX];
    char subject[X400MS_STORE_SUBJECT_MAX];
    bool has_subject;
    int importance, sensitivity, precedence;
    /* What the MTS answered (ACCEPTED). */
    uint8_t *result;
    size_t result_len;
    uint8_t mts_id[X400MS_STORE_MTS_ID_MAX];
    size_t mts_id_len;
    int64_t submission_time;
    /* The Out Box copy (job thread). */
    bool stored;
    uint32_t created_seq;
};

static void op_free(struct p7_submit_op *op)
{
    free(op->arg);
    free(op->content);
    free(op->result);
    free(op);
}

static void op_unlink(struct p7_submit_op *op)
{
    struct p7_session *s = op->s;
    for (struct p7_submit_op **pp = &s->submits; *pp != NULL; pp = &(*pp)->next) {
        if (*pp == op) {
            *pp = op->next;
            break;
        }
    }
    op->next = NULL;
}

/* Ends op: unlinks it, drops its session reference and frees it. */
static void op_end(struct p7_submit_op *op)
{
    struct p7_session *s = op->s;
    op_unlink(op);
    op_free(op);
    p7_session_unref(s);
}

void p7_submit_forget_all(struct p7_session *s)
{
    /* On the loop thread, as mts.h requires for forget(). An op whose Out
     * Box job is running stays (the job holds it); its answer is dropped. */
    struct p7_submit_op *op = s->submits;
    while (op != NULL) {
        struct p7_submit_op *next = op->next;
        if (op->mts_pending) {
            op->mts->forget(op->mts_ctx, op->mts_op);
            op->mts_pending = false;
            op_end(op);
        }
        op = next;
    }
}

/* ---- errors ---- */

/* An X.411 error without a parameter (originator-invalid, remote-bind-error ...). */
static void error_mts(struct p7_session *s, int64_t invoke_id, int64_t code, const char *why)
{
    X400MS_LOG_I("peer %s: invoke %lld: X.411 error %lld: %s", s->peer, (long long)invoke_id,
                 (long long)code, why);
    p7_send_error(s, invoke_id, code, X400MS_BYTES(NULL, 0));
}

/* ---- the Out Box copy (job thread) ---- */

static void subject_copy(const struct mhs_octets *o, char *buf, size_t size)
{
    size_t n = 0;
    buf[0] = '\0';
    if (o->bytes.len > 0) {
        n = o->bytes.len < size - 1 ? o->bytes.len : size - 1;
        memcpy(buf, o->bytes.ptr, n);
        buf[n] = '\0';
    } else if (o->str.nbytes > 0 && ber_str_copy(&o->str, buf, size, &n) < 0) {
        buf[0] = '\0';
    }
    /* A TeletexString is not UTF-8: the index keeps printable ASCII only. */
    for (char *p = buf; *p; p++)
        if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e)
            *p = '?';
}

static bool content_is_ipm(const struct mts_content_type *ct)
{
    if (!ct->present)
        return false;
    if (ct->builtin)
        return ct->builtin_value == MTS_CONTENT_P22_1988 || ct->builtin_value == MTS_CONTENT_P2_1984;
    char text[64];
    if (ber_oid_to_text(ct->oid, text, sizeof text) < 0)
        return false;
    /* id-mct-p2-1984 2.6.1.10.0, id-mct-p22-1988 2.6.1.10.1 (X.420 annex A) */
    return strcmp(text, "2.6.1.10.0") == 0 || strcmp(text, "2.6.1.10.1") == 0;
}

/* The index attributes of the submission from its envelope (and the IPM
 * heading, as a delivery gets them: X.413 12.2 / X.420 19). */
static void take_attrs(struct p7_submit_op *op, const struct mts_submission_envelope *env)
{
    op->priority = env->priority;
    op->importance = X400MS_IPM_ABSENT;
    op->sensitivity = X400MS_IPM_ABSENT;
    op->precedence = X400MS_PRECEDENCE_ABSENT;
    const struct mts_content_type *ct = &env->content_type;
    if (ct->present && ct->builtin)
        snprintf(op->content_type, sizeof op->content_type, "%d", (int)ct->builtin_value);
    else if (ct->present && ber_oid_to_text(ct->oid, op->content_type, sizeof op->content_type) < 0)
        op->content_type[0] = '\0';
    if (or_address_format(&env->originator_name, OR_TEXT_SLASH, op->originator,
                          sizeof op->originator) < 0)
        op->originator[0] = '\0';
    if (!content_is_ipm(ct) || op->content_len == 0)
        return;
    struct ipms_object obj;
    struct ber_error be;
    memset(&be, 0, sizeof be);
    if (ipms_object_decode(ber_slice_make(op->content, op->content_len), &obj, &be) < 0 ||
        obj.kind != IPMS_OBJ_IPM)
        return;
    const struct ipm_heading *h = &obj.ipm.heading;
    if (h->has_subject) {
        subject_copy(&h->subject, op->subject, sizeof op->subject);
        op->has_subject = true;
    }
    op->importance = h->importance;
    if (h->sensitivity > 0)
        op->sensitivity = h->sensitivity;
    if (h->primary_precedence >= 0 && h->primary_precedence <= 127)
        op->precedence = h->primary_precedence;
}

static void outbox_put(void *arg)
{
    struct p7_submit_op *op = arg;
    struct p7_session *s = op->s;
    struct x400ms_store_entry_in in;
    memset(&in, 0, sizeof in);
    bool probe = op->opcode == MS_OP_PROBE_SUBMISSION;
    in.attrs.entry_type = probe ? X400MS_ENTRY_SUBMITTED_PROBE : X400MS_ENTRY_SUBMITTED_MESSAGE;
    in.attrs.priority = (uint8_t)op->priority;
    in.attrs.importance = (uint8_t)op->importance;
    in.attrs.sensitivity = (uint8_t)op->sensitivity;
    in.attrs.precedence = (int16_t)op->precedence;
    in.attrs.content_length = op->content_len;
    in.attrs.content_type = op->content_type;
    in.attrs.delivery_time = op->submission_time; /* message-submission-time (2.6.4.3.23) */
    in.attrs.originator = op->originator;
    in.attrs.subject = op->has_subject ? op->subject : NULL;
    in.attrs.mts_id = op->mts_id_len > 0 ? op->mts_id : NULL;
    in.attrs.mts_id_len = op->mts_id_len;
    in.envelope = op->envelope.ptr;
    in.envelope_len = op->envelope.len;
    in.content = op->content;
    in.content_len = op->content_len;
    struct x400ms_error err;
    uint32_t seq = 0;
    int rc = x400ms_store_submitted(s->m->store, s->mb, &in, &seq, &err);
    if (rc == 0) {
        op->stored = true;
        op->created_seq = seq;
    } else if (rc != X400MS_EPERM) {
        /* The MTS has the message: the submission stands, only the copy is lost. */
        X400MS_LOG_W("mailbox %s: the Out Box copy of a submission failed: %s", s->mailbox,
                     err.message);
    }
}

/* ---- answers ---- */

/* X.413 (1994) CommonSubmissionResults ::= SET { created-entry [0]
 * SequenceNumber OPTIONAL, ... }, as ms-message-result / ms-probe-result
 * [4] (EXPLICIT: the module has EXPLICIT TAGS). */
static size_t common_results(uint8_t *buf, size_t size, uint32_t seq)
{
    struct ber_writer w;
    ber_writer_init_fixed(&w, buf, size);
    ber_mark_t m = ber_mark(&w);
    mhs_put_explicit_int(&w, 0, seq);
    ber_wrap(&w, m, BER_UNIV(BER_SET), true);
    ber_wrap(&w, m, BER_CTX(4), true);
    if (w.error)
        return 0;
    size_t n = ber_writer_len(&w);
    memmove(buf, ber_writer_data(&w), n); /* the fixed writer builds at the end */
    return n;
}

static void reply_accepted(struct p7_submit_op *op)
{
    struct p7_session *s = op->s;
    if (op->opcode == MS_OP_CANCEL_DEFERRED_DELIVERY || op->result == NULL) {
        p7_reply_null(s, op->invoke_id); /* CancelDeferredDeliveryResult ::= NULL */
        return;
    }
    if (!(s->is94 && op->stored && op->opcode == MS_OP_MESSAGE_SUBMISSION)) {
        p7_send_reply(s, op->invoke_id, X400MS_BYTES(op->result, op->result_len));
        return;
    }
    /* MSMessageSubmissionResult mts-result SET { COMPONENTS OF
     * MessageSubmissionResult, ms-message-result [4] } (X.413 8.3.1.1.2) */
    struct mts_submission_result r;
    struct ber_error be;
    memset(&be, 0, sizeof be);
    if (mts_submission_result_decode(ber_slice_make(op->result, op->result_len), &r, &be) < 0) {
        X400MS_LOG_W("peer %s: the MTS's MessageSubmissionResult does not decode (%s): passed on",
                     s->peer, be.what ? be.what : "?");
        p7_send_reply(s, op->invoke_id, X400MS_BYTES(op->result, op->result_len));
        return;
    }
    uint8_t cr[32];
    size_t n = common_results(cr, sizeof cr, op->created_seq);
    r.ms_result = ber_slice_make(cr, n);
    struct ber_writer w;
    ber_writer_init(&w);
    mts_submission_result_encode(&w, &r);
    p7_reply_writer(s, op->invoke_id, &w);
    ber_writer_free(&w);
}

static void outbox_done(struct p7_session *s, void *arg)
{
    struct p7_submit_op *op = arg;
    if (s != NULL) {
        if (op->stored)
            X400MS_LOG_I("peer %s: mailbox %s: submission kept as Out Box entry %u", s->peer,
                         s->mailbox, op->created_seq);
        reply_accepted(op);
    }
    op_end(op);
}

static void mts_done(void *arg, const struct x400ms_mts_outcome *o)
{
    struct p7_submit_op *op = arg;
    struct p7_session *s = op->s;
    op->mts_pending = false;
    if (s->dead) { /* forget() came too late to stop a posted outcome */
        op_end(op);
        return;
    }
    p7_metrics_submission(o->kind);
    switch (o->kind) {
    case X400MS_MTS_ACCEPTED:
        if (o->result != NULL && o->result_len > 0 && (op->result = malloc(o->result_len)) != NULL) {
            memcpy(op->result, o->result, o->result_len);
            op->result_len = o->result_len;
        }
        if (o->mts_identifier_len > 0 && o->mts_identifier_len <= sizeof op->mts_id) {
            memcpy(op->mts_id, o->mts_identifier, o->mts_identifier_len);
            op->mts_id_len = o->mts_identifier_len;
        }
        op->submission_time = o->submission_time > 0 ? o->submission_time : (int64_t)time(NULL);
        X400MS_LOG_I("peer %s: mailbox %s: %s accepted by the MTS", s->peer, s->mailbox,
                     op->opcode == MS_OP_PROBE_SUBMISSION ? "probe" : "submission");
        if (op->opcode == MS_OP_MESSAGE_SUBMISSION || op->opcode == MS_OP_PROBE_SUBMISSION) {
            /* the Out Box copy: a durable put, so off the loop */
            if (p7_run_job(s, outbox_put, outbox_done, op) == 0)
                return;
        }
        reply_accepted(op);
        break;
    case X400MS_MTS_REFUSED:
        X400MS_LOG_I("peer %s: invoke %lld: the MTS refused with X.411 error %lld%s%s", s->peer,
                     (long long)op->invoke_id, (long long)o->errcode, o->reason ? ": " : "",
                     o->reason ? o->reason : "");
        p7_send_error(s, op->invoke_id, o->errcode,
                           X400MS_BYTES(o->parameter, o->parameter ? o->parameter_len : 0));
        break;
    default:
        error_mts(s, op->invoke_id, MTS_ERR_REMOTE_BIND_ERROR,
                  o->reason ? o->reason : "the MTS provider failed");
        break;
    }
    op_end(op);
}

/* ---- invocation ---- */

/* Splits a (MS)MessageSubmissionArgument SEQUENCE { envelope SET, content
 * OCTET STRING, [4] options (94) } into the envelope's TLV (into op->arg). */
static int split_envelope(struct p7_submit_op *op, struct ber_error *be)
{
    struct ber_ctx c;
    struct ber_tlv t, env;
    struct ber_iter it;
    ber_ctx_init(&c, op->arg, op->arg_len, be);
    int rc = ber_decode_top(&c, &t, "MSMessageSubmissionArgument");
    if (rc < 0)
        return rc;
    if ((rc = ber_enter(&c, &t, &it, "MSMessageSubmissionArgument")) < 0)
        return rc;
    if ((rc = ber_next(&it, &env)) != 1)
        return rc < 0 ? rc : X400MS_EPROTO;
    op->envelope = ber_tlv_whole(&env);
    return 0;
}

static int copy_content(struct p7_submit_op *op, const struct mhs_octets *o)
{
    size_t n = o->bytes.len > 0 || o->tlv.len == 0 ? o->bytes.len : o->str.nbytes;
    if (n == 0)
        return 0;
    if ((op->content = malloc(n)) == NULL)
        return X400MS_ENOMEM;
    if (o->bytes.len > 0 || o->tlv.len == 0) {
        memcpy(op->content, o->bytes.ptr, n);
    } else if (ber_str_copy(&o->str, op->content, n, &n) < 0) {
        return X400MS_EPROTO;
    }
    op->content_len = n;
    return 0;
}

/* X.411 8.2.2.4: the originator must be the submitting user (the mailbox). */
static bool originator_ok(const struct p7_session *s, const struct or_address *orig)
{
    struct or_address own;
    struct x400ms_error err;
    if (or_address_parse(s->or_address, strlen(s->or_address), &own, &err) < 0)
        return false;
    return or_address_match(orig, &own);
}

void p7_op_submission(struct p7_session *s, const struct x400ms_invoke *inv)
{
    void *mts_ctx = NULL;
    const struct x400ms_mts_ops *mts = x400ms_mts_find(s->m->core, s->m->cfg.mts, &mts_ctx);
    if (mts == NULL) {
        p7_error_service(s, inv->invoke_id, 1, "no MTS provider is configured");
        return;
    }
    struct p7_submit_op *op = calloc(1, sizeof *op);
    if (op == NULL || (inv->argument.len > 0 && (op->arg = malloc(inv->argument.len)) == NULL)) {
        free(op);
        p7_error_service(s, inv->invoke_id, 0, "out of memory");
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
    struct x400ms_error err;
    int rc = 0;
    const char *what = "";

    switch (inv->opcode) {
    case MS_OP_MESSAGE_SUBMISSION: {
        struct ms_submission_arg a;
        what = "MessageSubmission";
        if (ms_submission_arg_decode(in, &a, &be) < 0 || split_envelope(op, &be) < 0)
            goto mistyped;
        if ((rc = copy_content(op, &a.mts.content)) < 0)
            goto mistyped;
        if (!originator_ok(s, &a.mts.envelope.originator_name)) {
            error_mts(s, inv->invoke_id, MTS_ERR_ORIGINATOR_INVALID,
                      "the originator-name is not the mailbox's O/R address");
            op_free(op);
            return;
        }
        take_attrs(op, &a.mts.envelope);
        struct x400ms_mts_submission sub = {
            .size = sizeof sub, .mailbox = s->mailbox,
            .envelope = op->envelope.ptr, .envelope_len = op->envelope.len,
            .content = op->content, .content_len = op->content_len,
            .done = mts_done, .arg = op, .loop = x400ms_assoc_loop(s->a) };
        rc = mts->submit(mts_ctx, &sub, &op->mts_op, &err);
        break;
    }
    case MS_OP_PROBE_SUBMISSION: {
        struct mts_submission_envelope e;
        what = "ProbeSubmission";
        if (mts_probe_submission_arg_decode(in, &e, &be) < 0)
            goto mistyped;
        if (!originator_ok(s, &e.originator_name)) {
            error_mts(s, inv->invoke_id, MTS_ERR_ORIGINATOR_INVALID,
                      "the originator-name is not the mailbox's O/R address");
            op_free(op);
            return;
        }
        op->envelope = in;
        take_attrs(op, &e);
        op->priority = X400MS_PRIORITY_NORMAL; /* a probe has no priority */
        struct x400ms_mts_submission sub = {
            .size = sizeof sub, .mailbox = s->mailbox, .probe = true,
            .envelope = op->envelope.ptr, .envelope_len = op->envelope.len,
            .done = mts_done, .arg = op, .loop = x400ms_assoc_loop(s->a) };
        rc = mts->submit(mts_ctx, &sub, &op->mts_op, &err);
        break;
    }
    case MS_OP_CANCEL_DEFERRED_DELIVERY:
    case MS_OP_SUBMISSION_CONTROL: {
        bool cancel = inv->opcode == MS_OP_CANCEL_DEFERRED_DELIVERY;
        what = cancel ? "CancelDeferredDelivery" : "SubmissionControl";
        /* Only framing is checked here: the provider decodes the argument
         * (an MTSIdentifier, X.411 8.2.1.3.1.1 / SubmissionControls 8.2.1.4.1). */
        if (op->arg_len > 0) {
            struct ber_ctx c;
            struct ber_tlv t;
            ber_ctx_init(&c, op->arg, op->arg_len, &be);
            if (ber_decode_top(&c, &t, what) < 0 ||
                (cancel && t.tag != BER_APP(4)))
                goto mistyped;
        } else if (cancel) {
            goto mistyped;
        }
        struct x400ms_mts_request req = {
            .size = sizeof req, .mailbox = s->mailbox,
            .argument = op->arg, .argument_len = op->arg_len,
            .done = mts_done, .arg = op, .loop = x400ms_assoc_loop(s->a) };
        rc = cancel ? mts->cancel_deferred(mts_ctx, &req, &op->mts_op, &err)
                    : mts->submission_control(mts_ctx, &req, &op->mts_op, &err);
        break;
    }
    default:
        op_free(op);
        p7_send_reject(s, inv->invoke_id, X400MS_ROSE_INVOKE_UNRECOGNIZED_OPERATION);
        return;
    }
    if (rc < 0) {
        X400MS_LOG_W("peer %s: %s: the MTS provider refused the call: %s", s->peer, what,
                     err.message);
        if (rc == X400MS_EINVAL)
            error_mts(s, inv->invoke_id, MTS_ERR_INCONSISTENT_REQUEST, err.message);
        else
            error_mts(s, inv->invoke_id, MTS_ERR_REMOTE_BIND_ERROR, err.message);
        op_free(op);
        return;
    }
    op->mts_pending = true;
    p7_session_ref(s);
    op->next = s->submits;
    s->submits = op;
    return;

mistyped:
    if (be.what == NULL)
        be.what = "malformed argument";
    p7_reject_mistyped(s, inv->invoke_id, what, &be);
    op_free(op);
}
