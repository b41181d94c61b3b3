/* A test-only MTS provider, module "actions_test_mts" (until mta_local
 * exists): a submission is delivered into the In Box of each recipient
 * that is a local mailbox (found by O/R address), through the store, so
 * the delivery hooks (auto-actions) run as for any delivery. Every other
 * recipient is dropped (logged). The outcome is posted to sub->loop. */
#define X400MS_LOG_MODULE "actions_test_mts"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "asn1/ber.h"
#include "asn1/ipms.h"
#include "asn1/mts.h"
#include "asn1/orname.h"
#include "x400ms/log.h"
#include "x400ms/module.h"
#include "x400ms/mts.h"
#include "x400ms/store.h"

struct tmts {
    struct x400ms_core *core;
    uint64_t next_op;
};

struct tmts_done {
    x400ms_mts_done_fn *done;
    void *arg;
};

static void post_done(struct tmts_done *d)
{
    struct x400ms_mts_outcome o = { .kind = X400MS_MTS_ACCEPTED, .submission_time = time(NULL),
                                    .reason = "delivered locally (test MTS)" };
    d->done(d->arg, &o);
    free(d);
}

static int name_visit(void *arg, const struct x400ms_store_mailbox_info *info)
{
    snprintf(arg, X400MS_STORE_NAME_MAX + 1, "%s", info->name);
    return 0;
}

static int tmts_submit(void *ctx, const struct x400ms_mts_submission *sub, x400ms_mts_op_id *op_r,
                       struct x400ms_error *err)
{
    struct tmts *t = ctx;
    void *sctx;
    const struct x400ms_store_ops *store = x400ms_store_find(t->core, NULL, &sctx);
    struct ber_error be = { 0 };
    struct ber_ctx c;
    struct ber_tlv tlv;
    struct mts_submission_envelope env;
    ber_ctx_init(&c, sub->envelope, sub->envelope_len, &be);
    if (store == NULL || ber_decode_top(&c, &tlv, "MessageSubmissionEnvelope") < 0 ||
        mts_submission_envelope_decode_tlv(&c, &tlv, &env) < 0)
        return x400ms_error_set(err, X400MS_EINVAL, "test MTS: bad envelope");
    char orig[X400MS_STORE_ADDRESS_MAX] = "";
    or_address_format(&env.originator_name, OR_TEXT_SLASH, orig, sizeof orig);
    char subject[X400MS_STORE_SUBJECT_MAX + 1] = "";
    struct ipms_object obj;
    if (ipms_object_decode(ber_slice_make(sub->content, sub->content_len), &obj, &be) == 0 &&
        obj.kind == IPMS_OBJ_IPM && obj.ipm.heading.has_subject) {
        size_t n = obj.ipm.heading.subject.bytes.len;
        if (n > X400MS_STORE_SUBJECT_MAX)
            n = X400MS_STORE_SUBJECT_MAX;
        memcpy(subject, obj.ipm.heading.subject.bytes.ptr, n);
        subject[n] = '\0';
    }
    struct mhs_seq_iter it;
    struct mts_submission_recipient r;
    mhs_seq_iter_init(&it, &env.recipients, &be);
    while (mts_submission_recipient_next(&it, &r) == 1) {
        char addr[X400MS_STORE_ADDRESS_MAX], name[X400MS_STORE_NAME_MAX + 1] = "";
        or_address_format(&r.recipient_name, OR_TEXT_SLASH, addr, sizeof addr);
        struct x400ms_error e2 = { 0 };
        store->mailbox_get(sctx, NULL, addr, name_visit, name, &e2);
        struct x400ms_store_mailbox *mb;
        if (name[0] == '\0' || store->mailbox_open(sctx, name, &mb, &e2) < 0) {
            X400MS_LOG_N("recipient %s is not local: dropped", addr);
            continue;
        }
        struct x400ms_store_entry_in in = {
            .attrs = { .entry_type = X400MS_ENTRY_DELIVERED_MESSAGE, .priority = (uint8_t)env.priority,
                       .importance = X400MS_IPM_ABSENT, .sensitivity = X400MS_IPM_ABSENT,
                       .precedence = X400MS_PRECEDENCE_ABSENT, .content_length = sub->content_len,
                       .content_type = "22", .delivery_time = time(NULL), .originator = orig,
                       .this_recipient = addr, .subject = subject },
            .envelope = sub->envelope, .envelope_len = sub->envelope_len,
            .content = sub->content, .content_len = sub->content_len,
        };
        uint32_t seq;
        if (store->put(mb, X400MS_STORE_INBOX, &in, &seq, &e2) < 0)
            X400MS_LOG_E("delivery to %s failed: %s", name, e2.message);
        else
            X400MS_LOG_N("delivered to %s as entry %u", name, (unsigned)seq);
        store->mailbox_close(mb);
    }
    struct tmts_done *d = calloc(1, sizeof *d);
    if (d == NULL)
        return x400ms_error_set(err, X400MS_ENOMEM, "out of memory");
    d->done = sub->done;
    d->arg = sub->arg;
    *op_r = __atomic_add_fetch(&t->next_op, 1, __ATOMIC_SEQ_CST);
    /* mts.h: loop NULL means the caller's own loop */
    struct x400ms_loop *loop = sub->loop != NULL ? sub->loop : x400ms_loop_current();
    if (loop == NULL) {
        free(d);
        return x400ms_error_set(err, X400MS_EINVAL, "test MTS: no loop to report on");
    }
    if (x400ms_loop_post(loop, post_done, d) < 0) {
        free(d);
        return x400ms_error_set(err, X400MS_ESTATE, "loop stopping");
    }
    return 0;
}

static int tmts_refuse(void *ctx, const struct x400ms_mts_request *req, x400ms_mts_op_id *op_r,
                       struct x400ms_error *err)
{
    (void)ctx, (void)req, (void)op_r;
    return x400ms_error_set(err, X400MS_ENOTSUP, "test MTS: not supported");
}

static void tmts_forget(void *ctx, x400ms_mts_op_id op)
{
    (void)ctx, (void)op;
}

static const struct x400ms_mts_ops tmts_ops = {
    .size = sizeof(struct x400ms_mts_ops),
    .submit = tmts_submit,
    .cancel_deferred = tmts_refuse,
    .submission_control = tmts_refuse,
    .forget = tmts_forget,
};

static int tmts_init(struct x400ms_core *core, const json_t *config, void **state,
                     struct x400ms_error *err)
{
    (void)config;
    struct tmts *t = calloc(1, sizeof *t);
    if (t == NULL)
        return x400ms_error_set(err, X400MS_ENOMEM, "out of memory");
    t->core = core;
    int rc = x400ms_mts_register(core, "test", &tmts_ops, t, err);
    if (rc < 0) {
        free(t);
        return rc;
    }
    *state = t;
    return 0;
}

static void tmts_fini(void *state)
{
    free(state);
}

X400MS_MODULE_EXPORT const struct x400ms_module X400MS_MODULE_ENTRY = {
    X400MS_MODULE_HEADER,
    .name = "actions_test_mts",
    .version = "test",
    .init = tmts_init,
    .fini = tmts_fini,
};
