/* A test-only module, "mta_test_submit", for the local MTA integration
 * tests: the P7 client library has no submit call yet, so this module
 * drives the active MTS provider (include/x400ms/mts.h) directly, from admin
 * routes, and reads In Boxes back through store.h, decoding the report
 * entries with asn1/mts.h so the tests check what was stored:
 *
 *   POST /api/v1/test/mts/mailbox {"name": "alice", "address": "/C=XX/.../"}
 *   POST /api/v1/test/mts/submit {"mailbox": "alice", "from": ADDR, "to": [ADDR...],
 *        "priority": "urgent"|"normal"|"non-urgent", "deferred": S, "latest": S
 *        (seconds from now), "deferred_at": epoch, "report": "all"|"ndr"|"none", "probe": false}
 *     -> {"outcome": "accepted"|"refused"|"failed", "errcode": N, "parameter_len": N}
 *   GET /api/v1/test/mts/inbox/{mailbox}
 *     -> {"entries": [{"seq", "type", "priority", "this_recipient", "report":
 *          [{"delivered": b, "reason": N, "diagnostic": N, "recipient": ADDR}]}]} */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "asn1/mts.h"
#include "x400ms/admin.h"
#include "x400ms/module.h"
#include "x400ms/mts.h"
#include "x400ms/store.h"

struct mts_test {
    struct x400ms_core *core;
};

static void mailbox_create(void *ctx, const struct x400ms_admin_request *req,
                           struct x400ms_admin_reply *reply)
{
    struct mts_test *t = ctx;
    void *sctx;
    const struct x400ms_store_ops *store = x400ms_store_find(t->core, NULL, &sctx);
    struct x400ms_store_mailbox_info info;
    memset(&info, 0, sizeof info);
    info.name = json_string_value(json_object_get(req->body, "name"));
    info.or_address = json_string_value(json_object_get(req->body, "address"));
    struct x400ms_error err = { 0 };
    if (store == NULL || info.name == NULL || store->mailbox_create(sctx, &info, &err) < 0) {
        x400ms_admin_reply_error(reply, 400, "invalid_field", "name", "%s", err.message);
        return;
    }
    reply->status = 200;
    reply->body = json_pack("{s:s}", "name", info.name);
}

/* The outcome arrives on loop 0; the HTTP thread waits for it. */
struct waiter {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool done;
    int kind;
    int64_t errcode;
    size_t param_len;
};

static void on_done(void *arg, const struct x400ms_mts_outcome *o)
{
    struct waiter *w = arg;
    pthread_mutex_lock(&w->lock);
    w->kind = o->kind;
    w->errcode = o->errcode;
    w->param_len = o->parameter_len;
    w->done = true;
    pthread_cond_signal(&w->cond);
    pthread_mutex_unlock(&w->lock);
}

static void submit(void *ctx, const struct x400ms_admin_request *req,
                   struct x400ms_admin_reply *reply)
{
    struct mts_test *t = ctx;
    void *mctx;
    const struct x400ms_mts_ops *mts = x400ms_mts_find(t->core, NULL, &mctx);
    const json_t *b = req->body;
    const char *from = json_string_value(json_object_get(b, "from"));
    const json_t *to = json_object_get(b, "to");
    const char *prio = json_string_value(json_object_get(b, "priority"));
    const char *report = json_string_value(json_object_get(b, "report"));
    bool probe = json_is_true(json_object_get(b, "probe"));
    struct x400ms_error err = { 0 };
    struct mts_submission_envelope e;
    memset(&e, 0, sizeof e);
    if (mts == NULL || from == NULL || !json_is_array(to) || json_array_size(to) > 8 ||
        or_address_parse(from, strlen(from), &e.originator_name, &err) < 0) {
        x400ms_admin_reply_error(reply, 400, "invalid_field", "from", "no provider or bad body %s",
                                 err.message);
        return;
    }
    struct mts_submission_recipient r[8];
    memset(r, 0, sizeof r);
    for (size_t i = 0; i < json_array_size(to); i++) {
        const char *a = json_string_value(json_array_get(to, i));
        if (a == NULL || (a[0] != '\0' && or_address_parse(a, strlen(a), &r[i].recipient_name,
                                                           &err) < 0)) {
            x400ms_admin_reply_error(reply, 400, "invalid_field", "to", "%s", err.message);
            return;
        }
        if (a[0] == '\0')
            or_address_init(&r[i].recipient_name);
        r[i].originator_report_request =
            report && strcmp(report, "none") == 0  ? 0
            : report && strcmp(report, "ndr") == 0 ? MTS_ORR_NON_DELIVERY_REPORT
                                                   : MTS_ORR_REPORT;
    }
    e.recipient_array = r;
    e.n_recipient_array = (uint32_t)json_array_size(to);
    e.content_type.present = true;
    e.content_type.builtin = true;
    e.content_type.builtin_value = MTS_CONTENT_P22_1988;
    e.priority = prio && strcmp(prio, "urgent") == 0       ? MTS_PRIORITY_URGENT
                 : prio && strcmp(prio, "non-urgent") == 0 ? MTS_PRIORITY_NON_URGENT
                                                           : MTS_PRIORITY_NORMAL;
    time_t now = time(NULL);
    if (json_is_integer(json_object_get(b, "deferred")))
        e.deferred_delivery_time =
            mhs_time_make(now + (time_t)json_integer_value(json_object_get(b, "deferred")));
    if (json_is_integer(json_object_get(b, "deferred_at")))
        e.deferred_delivery_time =
            mhs_time_make((time_t)json_integer_value(json_object_get(b, "deferred_at")));
    struct ber_writer xw, w;
    ber_writer_init(&xw);
    ber_writer_init(&w);
    if (json_is_integer(json_object_get(b, "latest"))) {
        /* latest-delivery-time: standard extension 5, value UTCTime */
        struct mhs_time lt =
            mhs_time_make(now + (time_t)json_integer_value(json_object_get(b, "latest")));
        struct ber_writer vw;
        ber_writer_init(&vw);
        mhs_put_time(&vw, BER_UNIV(BER_UTC_TIME), &lt);
        struct mts_extension x;
        memset(&x, 0, sizeof x);
        x.standard = 5;
        x.value = ber_writer_slice(&vw);
        mts_extension_encode(&xw, &x);
        ber_writer_free(&vw);
        e.extensions = mhs_seq_raw(ber_writer_slice(&xw), 1);
    }
    if (probe)
        mts_probe_submission_arg_encode(&w, &e);
    else
        mts_submission_envelope_encode(&w, &e);
    static const uint8_t content[] = { 0x04, 0x05, 'h', 'e', 'l', 'l', 'o' };
    struct waiter wt = { .done = false };
    pthread_mutex_init(&wt.lock, NULL);
    pthread_cond_init(&wt.cond, NULL);
    struct x400ms_mts_submission sub = {
        .size = sizeof sub,
        .mailbox = json_string_value(json_object_get(b, "mailbox")),
        .probe = probe,
        .envelope = ber_writer_data(&w), .envelope_len = ber_writer_len(&w),
        .content = content, .content_len = sizeof content,
        .done = on_done, .arg = &wt, .loop = x400ms_core_loop(t->core, 0),
    };
    x400ms_mts_op_id op = 0;
    int rc = mts->submit(mctx, &sub, &op, &err);
    if (rc == 0) {
        pthread_mutex_lock(&wt.lock);
        while (!wt.done)
            pthread_cond_wait(&wt.cond, &wt.lock);
        pthread_mutex_unlock(&wt.lock);
    }
    ber_writer_free(&w);
    ber_writer_free(&xw);
    pthread_mutex_destroy(&wt.lock);
    pthread_cond_destroy(&wt.cond);
    if (rc < 0) {
        x400ms_admin_reply_error(reply, 400, "invalid_field", "submit", "%s", err.message);
        return;
    }
    reply->status = 200;
    reply->body = json_pack("{s:s,s:I,s:I,s:I}", "outcome",
                            wt.kind == X400MS_MTS_ACCEPTED  ? "accepted"
                            : wt.kind == X400MS_MTS_REFUSED ? "refused" : "failed",
                            "errcode", (json_int_t)wt.errcode, "parameter_len",
                            (json_int_t)wt.param_len, "op", (json_int_t)op);
}

struct seqs {
    uint32_t seq[256];
    size_t n;
};

static int seq_visit(void *arg, const struct x400ms_store_attrs *a)
{
    struct seqs *s = arg;
    if (s->n < 256)
        s->seq[s->n++] = a->seq;
    return 0;
}

static json_t *report_json(const struct x400ms_store_entry *en)
{
    json_t *arr = json_array();
    struct mts_report_delivery_arg ra;
    struct ber_error berr = { 0 };
    if (mts_report_delivery_arg_decode(ber_slice_make(en->envelope, en->envelope_len), &ra,
                                       &berr) < 0)
        return arr;
    struct mhs_seq_iter i;
    struct mts_report_recipient rr;
    mhs_seq_iter_init(&i, &ra.recipients, &berr);
    while (mts_report_recipient_next(&i, &rr) > 0) {
        char text[1024] = "";
        or_address_format(&rr.actual_recipient, OR_TEXT_SLASH, text, sizeof text);
        json_array_append_new(arr, json_pack("{s:b,s:i,s:i,s:s}", "delivered", rr.delivered,
                                             "reason", rr.delivered ? -1 : (int)rr.reason_code,
                                             "diagnostic", (int)rr.diagnostic_code, "recipient",
                                             text));
    }
    return arr;
}

static void inbox(void *ctx, const struct x400ms_admin_request *req,
                  struct x400ms_admin_reply *reply)
{
    struct mts_test *t = ctx;
    void *sctx;
    const struct x400ms_store_ops *store = x400ms_store_find(t->core, NULL, &sctx);
    const char *name = x400ms_admin_capture(req, "mailbox");
    struct x400ms_error err = { 0 };
    struct x400ms_store_mailbox *mb;
    if (store == NULL || name == NULL || store->mailbox_open(sctx, name, &mb, &err) < 0) {
        x400ms_admin_reply_error(reply, 404, "not_found", NULL, "%s", err.message);
        return;
    }
    struct seqs s = { .n = 0 };
    struct x400ms_store_selector sel;
    memset(&sel, 0, sizeof sel);
    store->select(mb, X400MS_STORE_INBOX, &sel, seq_visit, &s, NULL, &err);
    json_t *entries = json_array();
    for (size_t i = 0; i < s.n; i++) {
        struct x400ms_store_entry *en = NULL;
        if (store->get(mb, X400MS_STORE_INBOX, s.seq[i], X400MS_STORE_GET_ENVELOPE, &en, &err) < 0)
            continue;
        json_t *o = json_pack("{s:i,s:i,s:i,s:s}", "seq", (int)en->attrs.seq, "type",
                              (int)en->attrs.entry_type, "priority", (int)en->attrs.priority,
                              "this_recipient",
                              en->attrs.this_recipient ? en->attrs.this_recipient : "");
        if (en->attrs.entry_type == X400MS_ENTRY_DELIVERED_REPORT)
            json_object_set_new(o, "report", report_json(en));
        json_array_append_new(entries, o);
        store->entry_free(en);
    }
    store->mailbox_close(mb);
    reply->status = 200;
    reply->body = json_pack("{s:o}", "entries", entries);
}

static const struct x400ms_admin_route_ops routes[] = {
    { sizeof(struct x400ms_admin_route_ops), "POST", "/api/v1/test/mts/mailbox", mailbox_create,
      "test only: create a mailbox" },
    { sizeof(struct x400ms_admin_route_ops), "POST", "/api/v1/test/mts/submit", submit,
      "test only: submit through the active MTS provider" },
    { sizeof(struct x400ms_admin_route_ops), "GET", "/api/v1/test/mts/inbox/{mailbox}", inbox,
      "test only: In Box entries with decoded reports" },
};

static int mts_test_init(struct x400ms_core *core, const json_t *config, void **state,
                         struct x400ms_error *err)
{
    (void)config;
    struct mts_test *t = calloc(1, sizeof *t);
    if (t == NULL)
        return x400ms_error_set(err, X400MS_ENOMEM, "out of memory");
    t->core = core;
    static const char *const names[] = { "mta_test_submit.mailbox", "mta_test_submit.submit",
                                         "mta_test_submit.inbox" };
    for (size_t i = 0; i < 3; i++) {
        int rc = x400ms_admin_route_register(core, names[i], &routes[i], t, err);
        if (rc < 0) {
            free(t);
            return rc;
        }
    }
    *state = t;
    return 0;
}

static void mts_test_fini(void *state)
{
    free(state);
}

X400MS_MODULE_EXPORT const struct x400ms_module X400MS_MODULE_ENTRY = {
    X400MS_MODULE_HEADER,
    .name = "mta_test_submit",
    .version = "test",
    .init = mts_test_init,
    .fini = mts_test_fini,
};
