/* Module "forward": ipm-auto-forward (2.6.4.4.0; auto-copy when the
 * delivered entry is kept) and delayed auto-forward (2.999.2.1.1: forward
 * only if the entry is still new or listed after "delay"), submitted
 * through the active MTS provider (include/x400ms/mts.h).
 *
 * Parameter (JSON, canonical; docs/auto-actions.md):
 *   {"filter": F, "recipients": ["/C=XX/A= /P=TEST/O=Org/S=bob/"],
 *    "originator": "...", "priority": "urgent", "subject": "...",
 *    "cover_note": "...", "delivery_report": false,
 *    "delete_delivered": false,   (false = auto-copy: keep the local copy)
 *    "nrn_comment": "...",        (X.420 auto-forward-comment of the NRN owed to an
 *                                  originator who asked this recipient for one; notify.c)
 *    "preserve_retrieval_status", "ipm_only", "forwarded_content_prohibited",
 *    "include_returned_ipm", "include_returned_content", "store_submission":
 *                                 (booleans: X.420 19 IPMAutoForwardOptions and
 *                                  MSSubmissionOptions object-entry-class submission)
 *    "this_ipm_prefix": "...",    (1988 ForwardingInformation this-ipm-prefix)
 *    "envelope_ber", "heading_ber", "cover_note_ber": "hex"
 *                                 (the clause 19 BER members kept whole; stored.c)
 *    "delay": 7200 }              (delayed type only: seconds or "2h") */
#define X400MS_LOG_MODULE "forward"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "asn1/ipms.h"
#include "asn1/mts.h"
#include "asn1/orname.h"
#include "modules/action/forward/forward.h"
#include "x400ms/config.h"
#include "x400ms/log.h"
#include "x400ms/module.h"
#include "x400ms/mts.h"

static const char *const known_keys[] = { "filter", "recipients", "originator", "priority",
                                          "subject", "cover_note", "delivery_report",
                                          "delete_delivered", "delay", "nrn_comment",
                                          /* X.420 clause 19 (param_ber.c, stored.c) */
                                          "envelope_ber", "heading_ber", "cover_note_ber",
                                          "preserve_retrieval_status", "ipm_only",
                                          "forwarded_content_prohibited", "include_returned_ipm",
                                          "include_returned_content", "store_submission",
                                          "this_ipm_prefix", NULL };

/* The BER members kept as hex must decode as what they stand for. */
static int check_ber_members(const json_t *in, struct x400ms_error *err)
{
    struct fwd_blob b, ipm;
    int rc;
    if ((rc = fwd_hex_get(in, "envelope_ber", &b, err)) > 0) {
        struct mts_submission_envelope env;
        rc = fwd_envelope_decode(&b, &env, err);
        fwd_blob_free(&b);
    }
    if (rc < 0)
        return rc;
    if ((rc = fwd_hex_get(in, "heading_ber", &b, err)) > 0) {
        struct ipm_heading h;
        if ((rc = fwd_heading_decode(&b, &ipm, &h, err)) == 0)
            fwd_blob_free(&ipm);
        fwd_blob_free(&b);
    }
    if (rc < 0)
        return rc;
    if ((rc = fwd_hex_get(in, "cover_note_ber", &b, err)) > 0) {
        struct ipm_body_part bp;
        rc = fwd_body_part_check(&b, &bp, err);
        fwd_blob_free(&b);
    }
    return rc < 0 ? rc : 0;
}

bool fwd_printable(const char *c)
{
    static const char printable[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                    "0123456789 '()+,-./:=?";
    for (; *c != '\0'; c++)
        if (strchr(printable, *c) == NULL)
            return false;
    return true;
}

int fwd_decode_param(const json_t *in, bool delayed, json_t **param_r, struct x400ms_error *err)
{
    if (!json_is_object(in))
        return x400ms_error_set(err, X400MS_EINVAL, "parameter: expected an object with recipients");
    const char *key;
    const json_t *v;
    json_object_foreach((json_t *)in, key, v) {
        size_t k;
        for (k = 0; known_keys[k] != NULL; k++)
            if (strcmp(known_keys[k], key) == 0)
                break;
        if (known_keys[k] == NULL || (!delayed && strcmp(key, "delay") == 0))
            return x400ms_error_set(err, X400MS_EINVAL, "parameter.%s: unknown member", key);
    }
    const json_t *r = json_object_get(in, "recipients");
    if (!json_is_array(r) || json_array_size(r) == 0 || json_array_size(r) > FWD_MAX_RECIPIENTS)
        return x400ms_error_set(err, X400MS_EINVAL,
                                "parameter.recipients: expected 1 to %d O/R addresses", FWD_MAX_RECIPIENTS);
    size_t i;
    json_array_foreach(r, i, v) {
        struct or_address a;
        struct x400ms_error e2 = { 0 };
        if (!json_is_string(v) ||
            or_address_parse(json_string_value(v), strlen(json_string_value(v)), &a, &e2) < 0)
            return x400ms_error_set(err, X400MS_EINVAL, "parameter.recipients[%zu]: %s", i,
                                    e2.message[0] ? e2.message : "expected an O/R address text");
    }
    const json_t *o = json_object_get(in, "originator");
    if (o != NULL) {
        struct or_address a;
        if (!json_is_string(o) ||
            or_address_parse(json_string_value(o), strlen(json_string_value(o)), &a, err) < 0)
            return x400ms_error_set(err, X400MS_EINVAL, "parameter.originator: expected an O/R address");
    }
    const char *strs[] = { "subject", "cover_note" };
    for (size_t k = 0; k < 2; k++) {
        v = json_object_get(in, strs[k]);
        if (v != NULL && (!json_is_string(v) || strlen(json_string_value(v)) > 1024))
            return x400ms_error_set(err, X400MS_EINVAL, "parameter.%s: expected a string", strs[k]);
    }
    v = json_object_get(in, "priority");
    if (v != NULL && (!json_is_string(v) || (strcmp(json_string_value(v), "normal") != 0 &&
                                             strcmp(json_string_value(v), "urgent") != 0 &&
                                             strcmp(json_string_value(v), "non-urgent") != 0)))
        return x400ms_error_set(err, X400MS_EINVAL,
                                "parameter.priority: expected normal, urgent or non-urgent");
    /* X.420 AutoForwardComment ::= PrintableString (SIZE (0..256)) */
    v = json_object_get(in, "nrn_comment");
    if (v != NULL) {
        const char *c = json_string_value(v);
        if (c == NULL || !fwd_printable(c) || strlen(c) > 256)
            return x400ms_error_set(err, X400MS_EINVAL,
                                    "parameter.nrn_comment: expected a PrintableString of at most 256 "
                                    "characters");
    }
    const char *bools[] = { "delivery_report", "delete_delivered", "preserve_retrieval_status",
                            "ipm_only", "forwarded_content_prohibited", "include_returned_ipm",
                            "include_returned_content", "store_submission" };
    for (size_t k = 0; k < sizeof bools / sizeof bools[0]; k++) {
        v = json_object_get(in, bools[k]);
        if (v != NULL && !json_is_boolean(v))
            return x400ms_error_set(err, X400MS_EINVAL, "parameter.%s: expected true or false", bools[k]);
    }
    /* X.420 19 (IPMAutoForwardOptions): the two are exclusive */
    if (json_is_true(json_object_get(in, "delete_delivered")) &&
        json_is_true(json_object_get(in, "preserve_retrieval_status")))
        return x400ms_error_set(err, X400MS_EINVAL,
                                "parameter.preserve_retrieval_status: exclusive with delete_delivered");
    /* this-IPM's LocalIPMIdentifier is a PrintableString of at most 64: the
     * prefix leaves room for ours (1988 ForwardingInformation this-ipm-prefix) */
    v = json_object_get(in, "this_ipm_prefix");
    if (v != NULL && (!json_is_string(v) || strlen(json_string_value(v)) > 32 ||
                      !fwd_printable(json_string_value(v))))
        return x400ms_error_set(err, X400MS_EINVAL,
                                "parameter.this_ipm_prefix: expected a PrintableString of at most 32");
    int brc = check_ber_members(in, err);
    if (brc < 0)
        return brc;
    json_t *out = json_deep_copy(in);
    if (delayed) {
        v = json_object_get(in, "delay");
        long long secs = json_is_integer(v)  ? (long long)json_integer_value(v)
                         : json_is_string(v) ? x400ms_config_parse_duration(json_string_value(v))
                                             : -1;
        if (secs < 1 || secs > 366LL * 86400) {
            json_decref(out);
            return x400ms_error_set(err, X400MS_EINVAL,
                                    "parameter.delay: expected seconds or \"15m\", \"2h\", \"2d\" (1 s to 366 d)");
        }
        json_object_set_new(out, "delay", json_integer(secs));
    }
    *param_r = out;
    return 0;
}

static int af_decode_json(void *ctx, const json_t *in, json_t **param_r, struct x400ms_error *err)
{
    (void)ctx;
    return fwd_decode_param(in, false, param_r, err);
}

static int daf_decode_json(void *ctx, const json_t *in, json_t **param_r, struct x400ms_error *err)
{
    (void)ctx;
    return fwd_decode_param(in, true, param_r, err);
}

/* P7 Register-MS: the BER parameter (param_ber.c), then the same checks. */
static int af_decode_ber(void *ctx, const uint8_t *ber, size_t len, json_t **param_r,
                         struct x400ms_error *err)
{
    json_t *in = NULL;
    int rc = fwd_param_from_ber(ctx, ber, len, &in, err);
    if (rc == 0) {
        rc = fwd_decode_param(in, false, param_r, err);
        json_decref(in);
    }
    return rc;
}

/* ---- forwarding ---- */

struct fwd_op {
    struct fwd_state *st;
    char mailbox[X400MS_STORE_NAME_MAX + 1];
    enum x400ms_store_box box;
    uint32_t seq;
    bool delete_delivered;
    bool preserve_status;   /* X.420 19 preserve-retrieval-status */
    bool store_submission;  /* X.413 MSSubmissionOptions object-entry-class submission */
    uint8_t *env, *content;
    size_t env_len, content_len;
    int priority;
    char originator[X400MS_STORE_ADDRESS_MAX];
    char subject[X400MS_STORE_SUBJECT_MAX + 1];
    struct fwd_nrn nrn;  /* content NULL: no notification owed */
};

struct nrn_op {
    char mailbox[X400MS_STORE_NAME_MAX + 1];
    uint32_t seq;
    struct fwd_nrn nrn;
};

static void nrn_done(void *arg, const struct x400ms_mts_outcome *o)
{
    struct nrn_op *op = arg;
    if (o->kind == X400MS_MTS_ACCEPTED)
        X400MS_LOG_I("mailbox %s entry %u: non-receipt notification (ipm-auto-forwarded) sent to %s",
                     op->mailbox, (unsigned)op->seq, op->nrn.to);
    else
        X400MS_LOG_E("mailbox %s entry %u: non-receipt notification to %s %s: %s", op->mailbox,
                     (unsigned)op->seq, op->nrn.to,
                     o->kind == X400MS_MTS_REFUSED ? "refused" : "failed", o->reason ? o->reason : "-");
    fwd_nrn_free(&op->nrn);
    free(op);
}

/* On the loop of the forward's outcome: the forward was accepted, so the
 * originator who asked for NRN is told (X.420, non-receipt-reason
 * ipm-auto-forwarded). */
static void send_nrn(struct fwd_state *st, struct fwd_op *fop)
{
    void *mts_ctx;
    const struct x400ms_mts_ops *mts = x400ms_mts_find(st->core, NULL, &mts_ctx);
    struct nrn_op *op = calloc(1, sizeof *op);
    struct x400ms_error err = { 0 };
    if (mts == NULL || op == NULL) {
        X400MS_LOG_E("mailbox %s entry %u: non-receipt notification not sent: %s", fop->mailbox,
                     (unsigned)fop->seq, op == NULL ? "out of memory" : "no MTS provider");
        free(op);
        return;
    }
    snprintf(op->mailbox, sizeof op->mailbox, "%s", fop->mailbox);
    op->seq = fop->seq;
    op->nrn = fop->nrn;
    memset(&fop->nrn, 0, sizeof fop->nrn);
    struct x400ms_mts_submission sub = {
        .size = sizeof sub, .mailbox = op->mailbox, .envelope = op->nrn.envelope,
        .envelope_len = op->nrn.envelope_len, .content = op->nrn.content,
        .content_len = op->nrn.content_len, .done = nrn_done, .arg = op,
        .loop = x400ms_loop_current(), /* we are on the forward outcome's loop */
    };
    x400ms_mts_op_id id;
    if (mts->submit(mts_ctx, &sub, &id, &err) < 0) {
        X400MS_LOG_E("mailbox %s entry %u: non-receipt notification to %s not submitted: %s",
                     op->mailbox, (unsigned)op->seq, op->nrn.to, err.message);
        fwd_nrn_free(&op->nrn);
        free(op);
    }
}

/* MSSubmissionOptions object-entry-class submission (X.413 8.2.1.1.1.x):
 * the forward is kept in the Out Box as a submitted message, as a P7
 * submission is. */
static void outbox_copy(struct fwd_state *st, struct fwd_op *op, struct x400ms_store_mailbox *mb,
                        time_t submitted)
{
    struct x400ms_store_entry_in in;
    memset(&in, 0, sizeof in);
    in.attrs.entry_type = X400MS_ENTRY_SUBMITTED_MESSAGE;
    in.attrs.priority = (uint8_t)op->priority;
    in.attrs.importance = X400MS_IPM_ABSENT;
    in.attrs.sensitivity = X400MS_IPM_ABSENT;
    in.attrs.precedence = X400MS_PRECEDENCE_ABSENT;
    in.attrs.content_length = op->content_len;
    in.attrs.content_type = "22";
    in.attrs.delivery_time = submitted; /* message-submission-time */
    in.attrs.originator = op->originator;
    in.attrs.subject = op->subject;
    in.envelope = op->env;
    in.envelope_len = op->env_len;
    in.content = op->content;
    in.content_len = op->content_len;
    uint32_t seq;
    struct x400ms_error err = { 0 };
    if (st->store->put(mb, X400MS_STORE_OUTBOX, &in, &seq, &err) < 0)
        X400MS_LOG_W("mailbox %s entry %u: the Out Box copy of the forward failed: %s", op->mailbox,
                     (unsigned)op->seq, err.message);
    else
        X400MS_LOG_I("mailbox %s entry %u: forward kept in the Out Box as entry %u", op->mailbox,
                     (unsigned)op->seq, (unsigned)seq);
}

/* After the MTS took the forward: the Out Box copy, then the delivered
 * object deleted (delete-delivered-object) or, unless
 * preserve-retrieval-status, marked processed (X.420 19). */
static void after_forward(struct fwd_state *st, struct fwd_op *op, time_t submitted)
{
    struct x400ms_store_mailbox *mb;
    struct x400ms_error err = { 0 };
    if (!op->store_submission && !op->delete_delivered && op->preserve_status)
        return;
    if (st->store->mailbox_open(st->store_ctx, op->mailbox, &mb, &err) < 0) {
        X400MS_LOG_W("mailbox %s entry %u: not updated after forwarding: %s", op->mailbox,
                     (unsigned)op->seq, err.message);
        return;
    }
    if (op->store_submission)
        outbox_copy(st, op, mb, submitted);
    if (op->delete_delivered) {
        if (st->store->delete_entry(mb, op->box, op->seq, &err) < 0)
            X400MS_LOG_W("mailbox %s entry %u: not deleted after forwarding: %s", op->mailbox,
                         (unsigned)op->seq, err.message);
    } else if (!op->preserve_status &&
               st->store->set_status(mb, op->box, op->seq, X400MS_STATUS_PROCESSED, &err) < 0) {
        X400MS_LOG_W("mailbox %s entry %u: retrieval-status not set after forwarding: %s",
                     op->mailbox, (unsigned)op->seq, err.message);
    }
    st->store->mailbox_close(mb);
}

static void fwd_done(void *arg, const struct x400ms_mts_outcome *o)
{
    struct fwd_op *op = arg;
    struct fwd_state *st = op->st;
    if (o->kind == X400MS_MTS_ACCEPTED) {
        X400MS_LOG_I("mailbox %s entry %u: auto-forwarded", op->mailbox, (unsigned)op->seq);
        if (op->nrn.content != NULL)
            send_nrn(st, op);
        /* the delivered object changes only once the MTS took the forward */
        after_forward(st, op, o->submission_time ? o->submission_time : time(NULL));
    } else {
        X400MS_LOG_E("mailbox %s entry %u: auto-forward %s: %s (code %lld)", op->mailbox,
                     (unsigned)op->seq, o->kind == X400MS_MTS_REFUSED ? "refused" : "failed",
                     o->reason ? o->reason : "-", (long long)o->errcode);
    }
    fwd_nrn_free(&op->nrn);
    free(op->env);
    free(op->content);
    free(op);
}

static int address_visit(void *arg, const struct x400ms_store_mailbox_info *info)
{
    snprintf(arg, X400MS_STORE_ADDRESS_MAX, "%s", info->or_address ? info->or_address : "");
    return 0;
}

static int do_forward(struct fwd_state *st, const struct x400ms_autoaction_run *run,
                      struct x400ms_error *err)
{
    const json_t *param = run->reg->parameter;
    const char *mailbox = run->reg->mailbox;
    void *mts_ctx;
    const struct x400ms_mts_ops *mts = x400ms_mts_find(st->core, NULL, &mts_ctx);
    if (mts == NULL)
        return x400ms_error_set(err, X400MS_ENOTSUP, "no MTS provider is loaded (mta_local or p3)");
    struct x400ms_store_mailbox *mb;
    int rc = st->store->mailbox_open(st->store_ctx, mailbox, &mb, err);
    if (rc < 0)
        return rc;
    struct x400ms_store_entry *e = NULL;
    rc = st->store->get(mb, run->box, run->seq, X400MS_STORE_GET_CONTENT, &e, err);
    st->store->mailbox_close(mb);
    if (rc < 0)
        return rc;
    const char *skip = fwd_skip_reason(param, e);
    if (skip != NULL) {
        X400MS_LOG_N("mailbox %s entry %u: not forwarded: %s", mailbox, (unsigned)run->seq, skip);
        st->store->entry_free(e);
        return 0;
    }
    unsigned depth;
    uint64_t key = fwd_loop_key(e->content, e->content_len, &depth);
    if (depth >= FWD_MAX_NESTING || fwd_set_contains(st, mailbox, key)) {
        X400MS_LOG_N("mailbox %s entry %u: already forwarded by this mailbox (loop); not forwarded "
                     "again", mailbox, (unsigned)run->seq);
        st->store->entry_free(e);
        return 0;
    }
    char originator[X400MS_STORE_ADDRESS_MAX] = "", ms_address[X400MS_STORE_ADDRESS_MAX] = "";
    st->store->mailbox_get(st->store_ctx, mailbox, NULL, address_visit, ms_address, err);
    const char *o = json_string_value(json_object_get(param, "originator"));
    snprintf(originator, sizeof originator, "%s", o != NULL ? o : ms_address);
    struct fwd_op *op = calloc(1, sizeof *op);
    if (op == NULL) {
        st->store->entry_free(e);
        return x400ms_error_set(err, X400MS_ENOMEM, "out of memory");
    }
    size_t env_len = 0, content_len = 0;
    rc = fwd_build(param, originator, e, run->seq, &op->env, &env_len, &op->content, &content_len, err);
    if (rc == 0 && ms_address[0] != '\0') {
        /* a notification that cannot be built does not stop the forward */
        struct x400ms_error e2 = { 0 };
        if (fwd_build_nrn(param, ms_address, e, &op->nrn, &e2) < 0)
            X400MS_LOG_W("mailbox %s entry %u: no non-receipt notification: %s", mailbox,
                         (unsigned)run->seq, e2.message);
    }
    st->store->entry_free(e);
    if (rc == 0)
        rc = fwd_set_add(st, mailbox, key, err); /* before submitting: a loop never gets a second pass */
    if (rc < 0) {
        fwd_nrn_free(&op->nrn);
        free(op->env);
        free(op->content);
        free(op);
        return rc;
    }
    op->st = st;
    snprintf(op->mailbox, sizeof op->mailbox, "%s", mailbox);
    op->box = run->box;
    op->seq = run->seq;
    op->delete_delivered = json_is_true(json_object_get(param, "delete_delivered"));
    op->preserve_status = json_is_true(json_object_get(param, "preserve_retrieval_status"));
    op->store_submission = json_is_true(json_object_get(param, "store_submission"));
    op->env_len = env_len;
    op->content_len = content_len;
    snprintf(op->originator, sizeof op->originator, "%s", originator);
    fwd_summary(op->content, op->content_len, op->env, op->env_len, &op->priority, op->subject,
                sizeof op->subject);
    struct x400ms_mts_submission sub = {
        .size = sizeof sub, .mailbox = mailbox, .envelope = op->env, .envelope_len = env_len,
        .content = op->content, .content_len = content_len, .done = fwd_done, .arg = op,
        .loop = x400ms_core_next_loop(st->core),
    };
    x400ms_mts_op_id id;
    rc = mts->submit(mts_ctx, &sub, &id, err);
    if (rc < 0) {
        fwd_nrn_free(&op->nrn);
        free(op->env);
        free(op->content);
        free(op);
    }
    return rc;
}

static int af_run(void *ctx, const struct x400ms_autoaction_run *run, struct x400ms_error *err)
{
    return do_forward(ctx, run, err);
}

/* Delayed auto-forward: note the deadline now (persisted by the registry),
 * decide when the timer fires. */
static int daf_run(void *ctx, const struct x400ms_autoaction_run *run, struct x400ms_error *err)
{
    struct fwd_state *st = ctx;
    void *rctx;
    const struct x400ms_autoaction_registry_ops *reg = x400ms_autoaction_registry_find(st->core, &rctx);
    if (reg == NULL)
        return x400ms_error_set(err, X400MS_ESTATE, "the autoaction module is not loaded");
    int64_t delay = json_integer_value(json_object_get(run->reg->parameter, "delay"));
    return reg->schedule(rctx, run->reg->mailbox, run->reg->type, run->reg->id, run->box, run->seq,
                         (int64_t)time(NULL) + delay, NULL, err);
}

static int daf_timer(void *ctx, const struct x400ms_autoaction_run *run, struct x400ms_error *err)
{
    /* forward only what the user has not fetched (X.413 retrieval-status
     * new or listed; processed means fetched) */
    X400MS_LOG_D("mailbox %s entry %u: delayed forward due, status %u", run->reg->mailbox,
                 (unsigned)run->seq, (unsigned)run->attrs->status);
    if (run->attrs->status == X400MS_STATUS_PROCESSED) {
        X400MS_LOG_I("mailbox %s entry %u: fetched in time; delayed forward not needed",
                     run->reg->mailbox, (unsigned)run->seq);
        return 0;
    }
    return do_forward(ctx, run, err);
}

static const struct x400ms_autoaction_type_ops af_type = {
    .size = sizeof(struct x400ms_autoaction_type_ops),
    .events = X400MS_AUTOACTION_ON_DELIVERY,
    .timeout_ms = 5000,
    .decode_ber = af_decode_ber,
    .decode_json = af_decode_json,
    .run = af_run,
};

static const struct x400ms_autoaction_type_ops daf_type = {
    .size = sizeof(struct x400ms_autoaction_type_ops),
    .events = X400MS_AUTOACTION_ON_DELIVERY,
    .timeout_ms = 5000,
    .decode_json = daf_decode_json,
    .run = daf_run,
    .timer = daf_timer,
};

static int fwd_init(struct x400ms_core *core, const json_t *config, void **state,
                    struct x400ms_error *err)
{
    static const struct x400ms_cfg_spec none[] = { X400MS_CFG_END };
    int rc = x400ms_config_parse(config, x400ms_core_config_path(core), none, NULL, err);
    if (rc < 0)
        return rc;
    struct fwd_state *st = calloc(1, sizeof *st);
    if (st == NULL)
        return x400ms_error_set(err, X400MS_ENOMEM, "out of memory");
    st->core = core;
    pthread_mutex_init(&st->lock, NULL);
    if ((rc = x400ms_autoaction_type_register(core, X400MS_AUTOACTION_IPM_AUTO_FORWARD, &af_type, st,
                                              err)) < 0 ||
        (rc = x400ms_autoaction_type_register(core, X400MS_AUTOACTION_DELAYED_FORWARD, &daf_type, st,
                                              err)) < 0) {
        free(st);
        return rc;
    }
    *state = st;
    return 0;
}

static int fwd_start(void *state)
{
    struct fwd_state *st = state;
    st->store = x400ms_store_find(st->core, NULL, &st->store_ctx);
    if (st->store == NULL) {
        X400MS_LOG_E("no store module is loaded");
        return X400MS_EDEP;
    }
    snprintf(st->dir, sizeof st->dir, "%s/forward", x400ms_core_data_dir(st->core));
    if (mkdir(st->dir, 0700) < 0 && errno != EEXIST) {
        X400MS_LOG_E("cannot create %s: %s", st->dir, strerror(errno));
        return X400MS_EIO;
    }
    if (x400ms_mts_find(st->core, NULL, NULL) == NULL)
        X400MS_LOG_W("no MTS provider is loaded: auto-forwards will fail until one is");
    return 0;
}

static void fwd_fini(void *state)
{
    struct fwd_state *st = state;
    pthread_mutex_destroy(&st->lock);
    free(st);
}

X400MS_MODULE_EXPORT const struct x400ms_module X400MS_MODULE_ENTRY = {
    X400MS_MODULE_HEADER,
    .name = "forward",
    .version = "1.0",
    .requires = (const char *const[]){ "autoaction", NULL },
    .init = fwd_init,
    .start = fwd_start,
    .fini = fwd_fini,
};
