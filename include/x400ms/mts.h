/* x400ms public API: the MTS provider (X.411 MTS access, as the MS uses it).
 *
 * A provider is whatever carries a message the MS submits on a user's behalf
 * (X.413 indirect submission) into the Message Transfer System: the embedded
 * local MTA (module "mta_local", DESIGN.md section 9) or an upstream MTA
 * reached over P3 (module "p3"). P7 never knows which: it calls the ops
 * below with the X.411 envelope and content the UA sent, and gets the X.411
 * result or error back asynchronously.
 *
 * Exactly one provider is active: the one named by the caller's
 * configuration (e.g. p7's "mts" field) or, when none is named, the first
 * registered under X400MS_SERVICE_MTS (x400ms_mts_find(core, NULL, &ctx)).
 * "mta_local" registers as X400MS_MTS_LOCAL; "p3" registers its upstream
 * submission initiator as X400MS_MTS_P3_UPSTREAM under the kind
 * X400MS_SERVICE_OTHER (so the local MTA relays non-local recipients through
 * it without it becoming the active provider), and also under
 * X400MS_SERVICE_MTS only when its config says "upstream": {"direct": true}
 * (a deployment without the local MTA).
 *
 *   void *mts_ctx;
 *   const struct x400ms_mts_ops *mts = x400ms_mts_find(core, NULL, &mts_ctx);
 *   struct x400ms_mts_submission sub = { .size = sizeof sub, .mailbox = "alice",
 *       .envelope = env, .envelope_len = env_len, .content = c, .content_len = c_len,
 *       .done = on_submitted, .arg = op, .loop = x400ms_assoc_loop(a) };
 *   rc = mts->submit(mts_ctx, &sub, &op->mts_op, &err);
 *   ...
 *   static void on_submitted(void *arg, const struct x400ms_mts_outcome *o)
 *   {   // on sub.loop's thread
 *       if (o->kind == X400MS_MTS_ACCEPTED) reply with o->result ...
 *       else if (o->kind == X400MS_MTS_REFUSED) error o->errcode, o->parameter ...
 *       else  // X400MS_MTS_FAILED: no X.411 answer (provider down); o->reason
 *   }
 *   // the association died first: make sure on_submitted never runs
 *   mts->forget(mts_ctx, op->mts_op);
 *
 * Reports. A delivery or non-delivery report for a submitted message (X.411
 * 8.3.1.2) is delivered by the provider into the In Box of the originating
 * mailbox (the `mailbox` of the submission) as an entry of type
 * X400MS_ENTRY_DELIVERED_REPORT, through the store, so the entry-delivered
 * hook (auto-actions, P3 UA push) runs as for any delivery. The caller does
 * not wait for reports.
 *
 * Durability: when done() reports ACCEPTED, the provider has taken
 * responsibility for the message (written to its queue on disk, or
 * acknowledged by the upstream MTA): it is never lost after that, also not
 * across a restart.
 *
 * Threading: every op may be called from any thread and never blocks on the
 * network (it may wait for a disk flush). done() is called exactly once per
 * accepted call, never before the call returned, on the thread of `loop`
 * (posted with x400ms_loop_post), unless forget() was called first on that
 * same thread. When the call itself returns a negative code, done() is never
 * called. */
#ifndef X400MS_MTS_H
#define X400MS_MTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "x400ms/core.h"
#include "x400ms/error.h"
#include "x400ms/loop.h"

/* Names the in-tree providers register under. */
#define X400MS_MTS_LOCAL "local"             /* X400MS_SERVICE_MTS, module mta_local */
#define X400MS_MTS_P3_UPSTREAM "p3-upstream" /* X400MS_SERVICE_OTHER (and MTS when direct), module p3 */

/* Identifies an outstanding call for forget(); 0 is never used. */
typedef uint64_t x400ms_mts_op_id;

/* How a call ended. */
enum x400ms_mts_outcome_kind {
    /* The MTS accepted it. result is the BER of the X.411 result:
     * MessageSubmissionResult (8.2.1.1.2), ProbeSubmissionResult (8.2.1.2.2),
     * CancelDeferredDeliveryResult (NULL: absent) or SubmissionControlResult
     * (8.2.1.4.2, Waiting). For submissions mts_identifier and
     * submission_time are filled too. */
    X400MS_MTS_ACCEPTED = 1,
    /* The MTS refused it with an X.411 abstract error (8.2.2): errcode is
     * the error's local code (asn1/mts.h MTS_ERR_*: 4 originator-invalid, 5
     * recipient-improperly-specified, 7 inconsistent-request, 9
     * unsupported-critical-function, 1 submission-control-violated, 3
     * deferred-delivery-cancellation-rejected, 6
     * message-submission-identifier-invalid, 8 security-error, 10
     * remote-bind-error, ...) and parameter the BER of its parameter
     * (absent for the errors without one). */
    X400MS_MTS_REFUSED = 2,
    /* No X.411 answer could be had (the provider is stopping, a local I/O
     * error): status is a negative X400MS_E* code and reason says why. The
     * message was NOT taken; the caller may answer remote-bind-error or
     * operation refused as its protocol allows. */
    X400MS_MTS_FAILED = 3,
};

struct x400ms_mts_outcome {
    enum x400ms_mts_outcome_kind kind;
    /* ACCEPTED */
    const uint8_t *result;            /* BER, may be NULL (absent result) */
    size_t result_len;
    const uint8_t *mts_identifier;    /* BER of the MTSIdentifier ([APPLICATION 4]) given to the submission */
    size_t mts_identifier_len;
    int64_t submission_time;          /* seconds since 1970 UTC, the message-submission-time */
    /* REFUSED */
    int64_t errcode;
    const uint8_t *parameter;         /* BER, may be NULL */
    size_t parameter_len;
    /* FAILED */
    int status;
    /* Any kind: one line for logs (may be NULL). */
    const char *reason;
};
/* The pointers of the outcome are valid only during done(). */
typedef void x400ms_mts_done_fn(void *arg, const struct x400ms_mts_outcome *outcome);

/* A message or probe submission (X.411 8.2.1.1 / 8.2.1.2). */
struct x400ms_mts_submission {
    size_t size;                      /* sizeof(struct x400ms_mts_submission) */
    /* The originating mailbox (store name): reports for this submission are
     * delivered into its In Box. NULL: an originator without a mailbox (the
     * provider then has nowhere to put reports and drops them, logged). */
    const char *mailbox;
    bool probe;                       /* a probe: envelope is a ProbeSubmissionEnvelope, no content */
    /* BER of the whole MessageSubmissionEnvelope (or ProbeSubmissionEnvelope)
     * TLV, exactly as the UA sent it (a SET, X.411 8.2.1.1.1). */
    const uint8_t *envelope;
    size_t envelope_len;
    /* The content octets (the value of the Content OCTET STRING, e.g. the BER
     * of an IPM for content type 22), not the OCTET STRING's own TLV. */
    const uint8_t *content;
    size_t content_len;
    /* Where the outcome goes. loop NULL: the caller's own loop
     * (x400ms_loop_current()); a call from a thread without a loop and
     * without `loop` fails with X400MS_EINVAL. */
    x400ms_mts_done_fn *done;
    void *arg;
    struct x400ms_loop *loop;
    void *reserved[4];                /* zero */
};

/* Cancel-deferred-delivery (X.411 8.2.1.3) and submission-control (8.2.1.4). */
struct x400ms_mts_request {
    size_t size;                      /* sizeof(struct x400ms_mts_request) */
    const char *mailbox;              /* the originating mailbox (as for submit) */
    /* cancel_deferred: BER of the MessageSubmissionIdentifier (MTSIdentifier
     * [APPLICATION 4]) the submission's result gave.
     * submission_control: BER of the SubmissionControls (X.411 8.2.1.4.1.1,
     * the argument of operation 2; may be absent: "no restriction"). */
    const uint8_t *argument;
    size_t argument_len;
    x400ms_mts_done_fn *done;
    void *arg;
    struct x400ms_loop *loop;
    void *reserved[4];
};

/* The provider's vtable. Every function returns 0 (done() will follow) or a
 * negative X400MS_E* code with err filled (done() will not be called):
 * X400MS_EINVAL for a malformed request (no done, envelope that does not
 * decode - a caller should have decoded it already), X400MS_ESTATE when the
 * provider is stopping, X400MS_ENOMEM. */
struct x400ms_mts_ops {
    size_t size; /* sizeof(struct x400ms_mts_ops) the provider was built with */

    /* Message or probe submission. The provider assigns the MTS identifier
     * and submission time (or the upstream MTA does) and reports them in the
     * ACCEPTED outcome; per-recipient errors that X.411 reports at submission
     * (recipient-improperly-specified, originator-invalid) come back as
     * REFUSED; recipients that cannot be reached later get a non-delivery
     * report in the originator's In Box (when the submission asked for one). */
    int (*submit)(void *ctx, const struct x400ms_mts_submission *sub, x400ms_mts_op_id *op_r,
                  struct x400ms_error *err);
    /* Cancels the deferred delivery of a message still waiting for its
     * deferred-delivery-time. REFUSED with
     * deferred-delivery-cancellation-rejected (3) when it was already sent,
     * message-submission-identifier-invalid (6) when unknown or not of this
     * mailbox. */
    int (*cancel_deferred)(void *ctx, const struct x400ms_mts_request *req, x400ms_mts_op_id *op_r,
                           struct x400ms_error *err);
    /* Submission control: the MTS's restrictions on what this mailbox may
     * submit. ACCEPTED with a SubmissionControlResult (Waiting). */
    int (*submission_control)(void *ctx, const struct x400ms_mts_request *req,
                              x400ms_mts_op_id *op_r, struct x400ms_error *err);
    /* The caller no longer wants the outcome of op (its association ended).
     * Must be called on the thread of the call's `loop`; afterwards done()
     * is not called for op. The operation itself still completes (a
     * submitted message is still sent). Unknown or finished ops are ignored. */
    void (*forget)(void *ctx, x400ms_mts_op_id op);

    void *reserved[4];
};

/* ---- typed service wrappers (core.h) ---- */
static inline int x400ms_mts_register(struct x400ms_core *core, const char *name,
                                      const struct x400ms_mts_ops *ops, void *ctx,
                                      struct x400ms_error *err)
{
    return x400ms_service_register(core, X400MS_SERVICE_MTS, name, ops, ctx, err);
}

/* The provider registered as `name`, or the first one (the active provider)
 * when name is NULL; NULL when none or when it was built with an ops struct
 * too small for this header. */
static inline const struct x400ms_mts_ops *x400ms_mts_find(const struct x400ms_core *core,
                                                           const char *name, void **ctx_r)
{
    const struct x400ms_mts_ops *ops =
        (const struct x400ms_mts_ops *)x400ms_service_find(core, X400MS_SERVICE_MTS, name, ctx_r);
    if (ops != NULL && ops->size < offsetof(struct x400ms_mts_ops, forget) + sizeof ops->forget)
        return NULL;
    return ops;
}

#endif
