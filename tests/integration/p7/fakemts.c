/* A tests-only module "fakemts": an MTS provider (include/x400ms/mts.h) with
 * scripted answers, so P7's indirect submission and its errors can be
 * tested without the local MTA:
 *   - a recipient whose surname is "nobody": REFUSED recipient-improperly-
 *     specified (5) with that recipient as the parameter;
 *   - a recipient whose surname is "down": FAILED (no X.411 answer);
 *   - otherwise ACCEPTED with an MTSIdentifier "fake-N", and the message is
 *     delivered at once into the In Box of every recipient that is a mailbox
 *     of the store (so the entry-delivered hook, auto-alert, runs);
 *   - cancel-deferred-delivery: REFUSED message-submission-identifier-
 *     invalid (6); submission-control: ACCEPTED with an empty Waiting. */
#define X400MS_LOG_MODULE "fakemts"
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "asn1/ipms.h"
#include "asn1/mts.h"
#include "asn1/orname.h"
#include "x400ms/log.h"
#include "x400ms/module.h"
#include "x400ms/mts.h"
#include "x400ms/store.h"

struct fake {
    struct x400ms_core *core;
    const struct x400ms_store_ops *store;
    void *store_ctx;
    pthread_mutex_t lock;
    uint64_t next_op;
    unsigned next_id;
    uint64_t forgotten[64];
    size_t n_forgotten;
};

struct posted {
    struct fake *f;
    x400ms_mts_op_id id;
    x400ms_mts_done_fn *done;
    void *arg;
    struct x400ms_mts_outcome o;
    uint8_t result[256];
    uint8_t mts_id[64];
    uint8_t param[1024];
};

static void deliver_outcome(struct posted *p)
{
    struct fake *f = p->f;
    bool forgotten = false;
    pthread_mutex_lock(&f->lock);
    for (size_t i = 0; i < f->n_forgotten; i++)
        if (f->forgotten[i] == p->id)
            forgotten = true;
    pthread_mutex_unlock(&f->lock);
    if (!forgotten)
        p->done(p->arg, &p->o);
    free(p);
}

static size_t to_start(struct ber_writer *w, uint8_t *buf)
{
    size_t n = ber_writer_len(w);
    memmove(buf, ber_writer_data(w), n);
    return n;
}

static int post(struct fake *f, struct x400ms_loop *loop, x400ms_mts_done_fn *done, void *arg,
                struct posted *p, x400ms_mts_op_id *op_r)
{
    p->f = f;
    p->done = done;
    p->arg = arg;
    pthread_mutex_lock(&f->lock);
    p->id = ++f->next_op;
    pthread_mutex_unlock(&f->lock);
    *op_r = p->id;
    if (loop == NULL)
        loop = x400ms_loop_current();
    if (loop == NULL || x400ms_loop_post(loop, deliver_outcome, p) < 0) {
        free(p);
        return X400MS_ESTATE;
    }
    return 0;
}

struct find_box {
    const struct or_address *who;
    char name[X400MS_STORE_NAME_MAX + 1];
};

static int find_visit(void *arg, const struct x400ms_store_mailbox_info *info)
{
    struct find_box *fb = arg;
    struct or_address a;
    struct x400ms_error err;
    if (info->or_address != NULL &&
        or_address_parse(info->or_address, strlen(info->or_address), &a, &err) == 0 &&
        or_address_match(fb->who, &a)) {
        snprintf(fb->name, sizeof fb->name, "%s", info->name);
        return 1;
    }
    return 0;
}

static void deliver_to(struct fake *f, const struct or_address *rcpt,
                       const struct mts_submission_envelope *env, const uint8_t *content,
                       size_t content_len, const uint8_t *mts_id, size_t mts_id_len)
{
    struct find_box fb = { rcpt, "" };
    struct x400ms_error err;
    f->store->mailbox_list(f->store_ctx, find_visit, &fb, &err);
    if (fb.name[0] == '\0')
        return;
    struct x400ms_store_mailbox *mb;
    if (f->store->mailbox_open(f->store_ctx, fb.name, &mb, &err) < 0)
        return;
    char orig[X400MS_STORE_ADDRESS_MAX] = "", to[X400MS_STORE_ADDRESS_MAX] = "";
    char subject[X400MS_STORE_SUBJECT_MAX] = "";
    or_address_format(&env->originator_name, OR_TEXT_SLASH, orig, sizeof orig);
    or_address_format(rcpt, OR_TEXT_SLASH, to, sizeof to);
    struct x400ms_store_entry_in in;
    memset(&in, 0, sizeof in);
    in.attrs.entry_type = X400MS_ENTRY_DELIVERED_MESSAGE;
    in.attrs.priority = (uint8_t)env->priority;
    in.attrs.importance = X400MS_IPM_ABSENT;
    in.attrs.sensitivity = X400MS_IPM_ABSENT;
    in.attrs.precedence = X400MS_PRECEDENCE_ABSENT;
    in.attrs.content_type = "22";
    in.attrs.content_length = content_len;
    in.attrs.delivery_time = time(NULL);
    in.attrs.originator = orig;
    in.attrs.this_recipient = to;
    in.attrs.mts_id = mts_id;
    in.attrs.mts_id_len = mts_id_len;
    struct ipms_object obj;
    struct ber_error be = { 0 };
    if (ipms_object_decode(ber_slice_make(content, content_len), &obj, &be) == 0 &&
        obj.kind == IPMS_OBJ_IPM && obj.ipm.heading.has_subject &&
        obj.ipm.heading.subject.bytes.len < sizeof subject) {
        memcpy(subject, obj.ipm.heading.subject.bytes.ptr, obj.ipm.heading.subject.bytes.len);
        in.attrs.subject = subject;
    }
    in.content = content;
    in.content_len = content_len;
    uint32_t seq;
    if (x400ms_store_deliver(f->store, mb, &in, &seq, &err) < 0)
        X400MS_LOG_W("delivery to %s failed: %s", fb.name, err.message);
    f->store->mailbox_close(mb);
}

static int fake_submit(void *ctx, const struct x400ms_mts_submission *sub, x400ms_mts_op_id *op_r,
                       struct x400ms_error *err)
{
    struct fake *f = ctx;
    struct ber_error be = { 0 };
    struct ber_ctx c;
    struct ber_tlv t;
    struct mts_submission_envelope env;
    ber_ctx_init(&c, sub->envelope, sub->envelope_len, &be);
    if (ber_decode_top(&c, &t, "envelope") < 0 || mts_submission_envelope_decode_tlv(&c, &t, &env) < 0)
        return x400ms_error_set(err, X400MS_EINVAL, "fakemts: the envelope does not decode");
    struct posted *p = calloc(1, sizeof *p);
    if (p == NULL)
        return X400MS_ENOMEM;
    struct mhs_seq_iter it;
    struct mts_submission_recipient r;
    struct or_address rcpts[16];
    size_t n = 0;
    mhs_seq_iter_init(&it, &env.recipients, &be);
    while (mts_submission_recipient_next(&it, &r) == 1 && n < 16)
        rcpts[n++] = r.recipient_name;
    for (size_t i = 0; i < n; i++) {
        const struct mhs_str *s = &rcpts[i].surname;
        if (s->len == 6 && memcmp(s->ptr, "nobody", 6) == 0) {
            struct ber_writer w;
            ber_writer_init_fixed(&w, p->param, sizeof p->param);
            mts_improper_recipients_encode(&w, &rcpts[i], 1);
            p->o.kind = X400MS_MTS_REFUSED;
            p->o.errcode = MTS_ERR_RECIPIENT_IMPROPERLY_SPECIFIED;
            p->o.parameter = p->param;
            p->o.parameter_len = to_start(&w, p->param);
            p->o.reason = "no such recipient";
            return post(f, sub->loop, sub->done, sub->arg, p, op_r);
        }
        if (s->len == 4 && memcmp(s->ptr, "down", 4) == 0) {
            p->o.kind = X400MS_MTS_FAILED;
            p->o.status = X400MS_EIO;
            p->o.reason = "the MTS is down (scripted)";
            return post(f, sub->loop, sub->done, sub->arg, p, op_r);
        }
    }
    struct mts_identifier id;
    memset(&id, 0, sizeof id);
    char local[32];
    pthread_mutex_lock(&f->lock);
    snprintf(local, sizeof local, "fake-%u", ++f->next_id);
    pthread_mutex_unlock(&f->lock);
    id.gdi.country = mhs_str_make("XX", 2, BER_PRINTABLE_STRING);
    id.gdi.admd = mhs_str_make(" ", 1, BER_PRINTABLE_STRING);
    id.local = mhs_str_make(local, strlen(local), BER_IA5_STRING);
    struct ber_writer w;
    ber_writer_init_fixed(&w, p->mts_id, sizeof p->mts_id);
    mts_identifier_encode(&w, BER_APP(4), &id);
    p->o.mts_identifier = p->mts_id;
    p->o.mts_identifier_len = to_start(&w, p->mts_id);
    time_t now = time(NULL);
    p->o.submission_time = now;
    struct mts_submission_result res;
    memset(&res, 0, sizeof res);
    res.identifier = id;
    res.time = mhs_time_make(now);
    ber_writer_init_fixed(&w, p->result, sizeof p->result);
    mts_submission_result_encode(&w, &res);
    p->o.result = p->result;
    p->o.result_len = to_start(&w, p->result);
    p->o.kind = X400MS_MTS_ACCEPTED;
    if (!sub->probe)
        for (size_t i = 0; i < n; i++)
            deliver_to(f, &rcpts[i], &env, sub->content, sub->content_len, p->mts_id,
                       p->o.mts_identifier_len);
    return post(f, sub->loop, sub->done, sub->arg, p, op_r);
}

static int fake_cancel(void *ctx, const struct x400ms_mts_request *req, x400ms_mts_op_id *op_r,
                       struct x400ms_error *err)
{
    (void)err;
    struct posted *p = calloc(1, sizeof *p);
    if (p == NULL)
        return X400MS_ENOMEM;
    p->o.kind = X400MS_MTS_REFUSED;
    p->o.errcode = MTS_ERR_MESSAGE_SUBMISSION_IDENTIFIER_INVALID;
    return post(ctx, req->loop, req->done, req->arg, p, op_r);
}

static int fake_control(void *ctx, const struct x400ms_mts_request *req, x400ms_mts_op_id *op_r,
                        struct x400ms_error *err)
{
    (void)err;
    struct posted *p = calloc(1, sizeof *p);
    if (p == NULL)
        return X400MS_ENOMEM;
    p->result[0] = 0x31; /* Waiting ::= SET { ... }: nothing waits */
    p->result[1] = 0x00;
    p->o.kind = X400MS_MTS_ACCEPTED;
    p->o.result = p->result;
    p->o.result_len = 2;
    return post(ctx, req->loop, req->done, req->arg, p, op_r);
}

static void fake_forget(void *ctx, x400ms_mts_op_id op)
{
    struct fake *f = ctx;
    pthread_mutex_lock(&f->lock);
    if (f->n_forgotten < 64)
        f->forgotten[f->n_forgotten++] = op;
    pthread_mutex_unlock(&f->lock);
}

static const struct x400ms_mts_ops fake_ops = {
    .size = sizeof fake_ops,
    .submit = fake_submit,
    .cancel_deferred = fake_cancel,
    .submission_control = fake_control,
    .forget = fake_forget,
};

static int fake_init(struct x400ms_core *core, const json_t *config, void **state,
                     struct x400ms_error *err)
{
    (void)config;
    struct fake *f = calloc(1, sizeof *f);
    if (f == NULL)
        return X400MS_ENOMEM;
    f->core = core;
    pthread_mutex_init(&f->lock, NULL);
    *state = f;
    return x400ms_mts_register(core, "fake", &fake_ops, f, err);
}

static int fake_start(void *state)
{
    struct fake *f = state;
    f->store = x400ms_store_find(f->core, NULL, &f->store_ctx);
    return f->store ? 0 : X400MS_EDEP;
}

static void fake_fini(void *state)
{
    struct fake *f = state;
    if (f == NULL)
        return;
    pthread_mutex_destroy(&f->lock);
    free(f);
}

X400MS_MODULE_EXPORT const struct x400ms_module X400MS_MODULE_ENTRY = {
    X400MS_MODULE_HEADER,
    .name = "fakemts",
    .version = "test",
    .init = fake_init,
    .start = fake_start,
    .fini = fake_fini,
};
