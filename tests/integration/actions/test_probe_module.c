/* A test-only module, "actions_test_probe", for the auto-action tests:
 *  - stands in for P7 at the alert boundary: it hooks X400MS_HOOK_AUTO_ALERT
 *    and appends "alert MAILBOX SEQ ID PRIORITY ATTRS" to DATA/alerts.log;
 *  - registers two misbehaving types: 2.999.2.1.90 fails, 2.999.2.1.91 hangs
 *    for 20 s (bound 300 ms);
 *  - adds admin routes to deliver entries (with a priority and an IPM or a
 *    raw content) and to mark an entry fetched (processed):
 *      POST /api/v1/test/actions/deliver {"mailbox", "priority", "subject",
 *           "ipm": {"originator", "recipient", "nrn", "ipm_return", "id"}}
 *           (with "ipm": an X.420 IPM from originator to recipient whose
 *           recipient specifier asks for NRN / ipm-return; with
 *           "ipn": {"originator", "id", "returned_ipm"}: an X.420 NRN about
 *           IPM id; else a raw content)
 *      POST /api/v1/test/actions/fetch   {"mailbox", "seq"}
 *      POST /api/v1/test/actions/decode  {"mailbox", "seq", "box"}: the
 *           entry's content decoded with the X.420 codec, every heading
 *           field and the body parts, and its envelope (as the test MTS
 *           stored the submitted one) with the X.411 codec, as JSON */
#define X400MS_LOG_MODULE "actions_test_probe"
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "asn1/ber.h"
#include "asn1/ipms.h"
#include "asn1/mts.h"
#include "asn1/orname.h"
#include "x400ms/admin.h"
#include "x400ms/autoaction.h"
#include "x400ms/hooks.h"
#include "x400ms/log.h"
#include "x400ms/module.h"
#include "x400ms/store.h"

struct probe {
    struct x400ms_core *core;
};

static int on_alert(void *ctx, const char *hook, void *event)
{
    struct probe *p = ctx;
    (void)hook;
    struct x400ms_alert_event *ev = event;
    char path[4200], line[1024];
    snprintf(path, sizeof path, "%s/alerts.log", x400ms_core_data_dir(p->core));
    int n = snprintf(line, sizeof line, "alert %s %u %lld %d", ev->mailbox, (unsigned)ev->seq,
                     (long long)ev->registration_id, ev->attrs ? ev->attrs->priority : -1);
    for (size_t i = 0; ev->requested_attributes && ev->requested_attributes[i]; i++)
        n += snprintf(line + n, sizeof line - (size_t)n, " %s", ev->requested_attributes[i]);
    n += snprintf(line + n, sizeof line - (size_t)n, "\n");
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd >= 0) {
        if (write(fd, line, (size_t)n) < 0)
            X400MS_LOG_E("cannot write %s", path);
        close(fd);
    }
    ev->alerted++;
    return X400MS_HOOK_CONTINUE;
}

static int failing_run(void *ctx, const struct x400ms_autoaction_run *run, struct x400ms_error *err)
{
    (void)ctx;
    return x400ms_error_set(err, X400MS_EIO, "deliberate failure on entry %u", (unsigned)run->seq);
}

static int hanging_run(void *ctx, const struct x400ms_autoaction_run *run, struct x400ms_error *err)
{
    (void)ctx, (void)run, (void)err;
    sleep(20);
    return 0;
}

static const struct x400ms_autoaction_type_ops failing_type = {
    .size = sizeof(struct x400ms_autoaction_type_ops), .events = X400MS_AUTOACTION_ON_DELIVERY,
    .run = failing_run,
};
static const struct x400ms_autoaction_type_ops hanging_type = {
    .size = sizeof(struct x400ms_autoaction_type_ops), .events = X400MS_AUTOACTION_ON_DELIVERY,
    .timeout_ms = 300, .run = hanging_run,
};

static void deliver(void *ctx, const struct x400ms_admin_request *req, struct x400ms_admin_reply *reply)
{
    struct probe *p = ctx;
    void *sctx;
    const struct x400ms_store_ops *store = x400ms_store_find(p->core, NULL, &sctx);
    const char *mailbox = json_string_value(json_object_get(req->body, "mailbox"));
    const char *prio = json_string_value(json_object_get(req->body, "priority"));
    const char *subject = json_string_value(json_object_get(req->body, "subject"));
    struct x400ms_error err = { 0 };
    struct x400ms_store_mailbox *mb;
    if (store == NULL || mailbox == NULL || store->mailbox_open(sctx, mailbox, &mb, &err) < 0) {
        x400ms_admin_reply_error(reply, 404, "not_found", "mailbox", "no such mailbox");
        return;
    }
    /* a distinct raw content per call, so that loop keys differ */
    char raw[64];
    int n = snprintf(raw, sizeof raw, "test content %lld %d", (long long)time(NULL), rand());
    const uint8_t *content = (const uint8_t *)raw;
    const char *originator = "/C=XX/A= /P=TEST/O=Org/S=sender/";
    struct ber_writer w;
    ber_writer_init(&w);
    const json_t *ipm = json_object_get(req->body, "ipm");
    const json_t *ipn = json_object_get(req->body, "ipn");
    struct ber_writer rw;
    ber_writer_init(&rw);
    if (ipn != NULL) {
        /* a non-receipt notification (reason ipm-auto-forwarded) from
         * originator about IPM "id", its returned-ipm [3] when asked */
        originator = json_string_value(json_object_get(ipn, "originator"));
        const char *id = json_string_value(json_object_get(ipn, "id"));
        struct or_address from;
        struct ipms_object o;
        memset(&o, 0, sizeof o);
        if (originator == NULL || id == NULL || or_address_parse(originator, strlen(originator), &from, &err) < 0) {
            store->mailbox_close(mb);
            x400ms_admin_reply_error(reply, 400, "bad_request", "ipn", "ipn: originator, id");
            return;
        }
        o.kind = IPMS_OBJ_IPN;
        o.ipn.subject_ipm.local_id = mhs_str_make(id, strlen(id), BER_PRINTABLE_STRING);
        o.ipn.has_ipn_originator = true;
        o.ipn.ipn_originator.has_formal_name = true;
        o.ipn.ipn_originator.formal_name = from;
        o.ipn.kind = IPN_NON_RECEIPT;
        o.ipn.non_receipt_reason = 1;
        o.ipn.discard_reason = -1;
        if (json_is_true(json_object_get(ipn, "returned_ipm"))) {
            struct ipm r;
            memset(&r, 0, sizeof r);
            r.heading.this_ipm.local_id = o.ipn.subject_ipm.local_id;
            r.heading.importance = IPM_IMPORTANCE_NORMAL;
            r.heading.primary_precedence = r.heading.copy_precedence = -1;
            ipms_ipm_encode(&rw, BER_CTX(3), &r); /* returned-ipm [3] IMPLICIT IPM */
            o.ipn.returned_ipm = ber_writer_slice(&rw);
        }
        if (ipms_object_encode(&w, &o) < 0 || w.error || rw.error) {
            ber_writer_free(&w);
            ber_writer_free(&rw);
            store->mailbox_close(mb);
            x400ms_admin_reply_error(reply, 500, "internal", NULL, "cannot encode the IPN");
            return;
        }
        content = ber_writer_data(&w);
        n = (int)w.len;
    } else if (ipm != NULL) {
        originator = json_string_value(json_object_get(ipm, "originator"));
        const char *rcpt = json_string_value(json_object_get(ipm, "recipient"));
        const char *id = json_string_value(json_object_get(ipm, "id"));
        struct ipms_object o;
        struct ipm_recipient r;
        struct ipm_body_part bp;
        memset(&o, 0, sizeof o);
        memset(&r, 0, sizeof r);
        memset(&bp, 0, sizeof bp);
        struct or_address from;
        if (originator == NULL || rcpt == NULL || id == NULL ||
            or_address_parse(originator, strlen(originator), &from, &err) < 0 ||
            or_address_parse(rcpt, strlen(rcpt), &r.recipient.formal_name, &err) < 0) {
            store->mailbox_close(mb);
            x400ms_admin_reply_error(reply, 400, "bad_request", "ipm", "ipm: %s", err.message);
            return;
        }
        r.recipient.has_formal_name = true;
        r.notification_requests = (json_is_true(json_object_get(ipm, "nrn")) ? IPM_NOTIFY_NRN : 0) |
                                  (json_is_true(json_object_get(ipm, "ipm_return")) ? IPM_NOTIFY_IPM_RETURN : 0);
        o.kind = IPMS_OBJ_IPM;
        struct ipm_heading *h = &o.ipm.heading;
        h->this_ipm.has_user = true;
        h->this_ipm.user = from;
        h->this_ipm.local_id = mhs_str_make(id, strlen(id), BER_PRINTABLE_STRING);
        h->has_originator = true;
        h->originator.has_formal_name = true;
        h->originator.formal_name = from;
        h->primary.present = true;
        h->primary.arr = &r;
        h->primary.n = 1;
        if (subject != NULL) {
            h->has_subject = true;
            h->subject.bytes = ber_slice_make(subject, strlen(subject));
        }
        h->importance = IPM_IMPORTANCE_NORMAL;
        h->primary_precedence = h->copy_precedence = -1;
        bp.kind = IPM_BP_IA5_TEXT;
        bp.repertoire = 5;
        bp.text.bytes = ber_slice_make(raw, (size_t)n);
        o.ipm.body_array = &bp;
        o.ipm.n_body_array = 1;
        if (ipms_object_encode(&w, &o) < 0 || w.error) {
            ber_writer_free(&w);
            store->mailbox_close(mb);
            x400ms_admin_reply_error(reply, 500, "internal", NULL, "cannot encode the IPM");
            return;
        }
        content = ber_writer_data(&w);
        n = (int)w.len;
    }
    struct x400ms_store_entry_in in = {
        .attrs = { .entry_type = X400MS_ENTRY_DELIVERED_MESSAGE,
                   .priority = prio && strcmp(prio, "urgent") == 0 ? X400MS_PRIORITY_URGENT
                               : prio && strcmp(prio, "non-urgent") == 0 ? X400MS_PRIORITY_NON_URGENT
                                                                         : X400MS_PRIORITY_NORMAL,
                   .importance = X400MS_IPM_ABSENT, .sensitivity = X400MS_IPM_ABSENT,
                   .precedence = X400MS_PRECEDENCE_ABSENT, .content_length = (uint64_t)n,
                   .content_type = "22", .delivery_time = time(NULL),
                   .originator = originator, .subject = subject },
        .envelope = (const uint8_t *)"\x31\x00", .envelope_len = 2,
        .content = content, .content_len = (size_t)n,
    };
    uint32_t seq = 0;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int rc = store->put(mb, X400MS_STORE_INBOX, &in, &seq, &err);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    store->mailbox_close(mb);
    ber_writer_free(&w);
    ber_writer_free(&rw);
    if (rc < 0) {
        x400ms_admin_reply_error(reply, 500, "internal", NULL, "%s", err.message);
        return;
    }
    long long us = (t1.tv_sec - t0.tv_sec) * 1000000LL + (t1.tv_nsec - t0.tv_nsec) / 1000;
    reply->status = 200;
    reply->body = json_pack("{s:i, s:I}", "seq", (int)seq, "put_us", (json_int_t)us);
}

/* The mailbox a {"mailbox", "seq"} request names, opened in the store:
 * 0 with *store_r, *mb_r (to close) and *seq_r, or -1 after a 404 reply. */
static int open_request_mailbox(struct probe *p, const struct x400ms_admin_request *req,
                                struct x400ms_admin_reply *reply, const struct x400ms_store_ops **store_r,
                                struct x400ms_store_mailbox **mb_r, uint32_t *seq_r)
{
    void *sctx;
    const struct x400ms_store_ops *store = x400ms_store_find(p->core, NULL, &sctx);
    const char *mailbox = json_string_value(json_object_get(req->body, "mailbox"));
    struct x400ms_error err = { 0 };
    if (store == NULL || mailbox == NULL || store->mailbox_open(sctx, mailbox, mb_r, &err) < 0) {
        x400ms_admin_reply_error(reply, 404, "not_found", "mailbox", "no such mailbox");
        return -1;
    }
    *store_r = store;
    *seq_r = (uint32_t)json_integer_value(json_object_get(req->body, "seq"));
    return 0;
}

static void fetch(void *ctx, const struct x400ms_admin_request *req, struct x400ms_admin_reply *reply)
{
    const struct x400ms_store_ops *store;
    struct x400ms_store_mailbox *mb;
    uint32_t seq;
    struct x400ms_error err = { 0 };
    if (open_request_mailbox(ctx, req, reply, &store, &mb, &seq) < 0)
        return;
    int rc = store->set_status(mb, X400MS_STORE_INBOX, seq, X400MS_STATUS_PROCESSED, &err);
    store->mailbox_close(mb);
    if (rc < 0) {
        x400ms_admin_reply_error(reply, 404, "not_found", "seq", "%s", err.message);
        return;
    }
    reply->status = 204;
}

static json_t *or_text(const struct or_address *a)
{
    char buf[1024];
    return or_address_format(a, OR_TEXT_SLASH, buf, sizeof buf) < 0 ? json_null() : json_string(buf);
}

static json_t *str_json(const uint8_t *p, size_t n)
{
    return json_stringn((const char *)p, n);
}

static json_t *descriptors_json(const struct mhs_seq *seq)
{
    json_t *a = json_array();
    struct ber_error be = { 0 };
    struct mhs_seq_iter it;
    struct ipm_or_descriptor d;
    mhs_seq_iter_init(&it, seq, &be);
    while (ipm_or_descriptor_next(&it, &d) == 1)
        json_array_append_new(a, d.has_formal_name ? or_text(&d.formal_name)
                                                   : str_json((const uint8_t *)d.free_form_name.ptr,
                                                              d.free_form_name.len));
    return a;
}

static json_t *recipients_json(const struct ipm_recipient_list *l)
{
    if (!l->present)
        return json_null();
    json_t *a = json_array();
    struct ber_error be = { 0 };
    struct mhs_seq_iter it;
    struct ipm_recipient r;
    mhs_seq_iter_init(&it, &l->raw, &be);
    while (ipm_recipient_next(&it, &r) == 1)
        json_array_append_new(a, json_pack("{s:o, s:i, s:b}", "name",
                                           r.recipient.has_formal_name ? or_text(&r.recipient.formal_name)
                                                                       : json_null(),
                                           "notification_requests", (int)r.notification_requests,
                                           "reply_requested", r.reply_requested));
    return a;
}

static json_t *identifiers_json(const struct mhs_seq *seq)
{
    json_t *a = json_array();
    struct ber_error be = { 0 };
    struct mhs_seq_iter it;
    struct ipm_identifier id;
    mhs_seq_iter_init(&it, seq, &be);
    while (ipm_identifier_next(&it, &id) == 1)
        json_array_append_new(a, str_json((const uint8_t *)id.local_id.ptr, id.local_id.len));
    return a;
}

static json_t *time_json(const struct mhs_time *t)
{
    return t->present ? json_integer((json_int_t)t->sec) : json_null();
}

static json_t *ipm_json(const struct ipm *m);

/* An extended body part [15] { parameters [0] { OID, [0] value },
 * data EXTERNAL { OID, [0] value } }: the two OIDs, and for a notification
 * body part (X.420 7.4.15, data id-et-notification 2.6.1.4.15) the IPN. */
static void extended_json(json_t *o, struct ber_slice whole)
{
    struct ber_error be = { 0 };
    struct ber_ctx c;
    struct ber_tlv t, m, x, v;
    struct ber_iter it, ix;
    char text[128];
    ber_ctx_init(&c, whole.ptr, whole.len, &be);
    if (ber_decode_top(&c, &t, "ExtendedBodyPart") < 0 || ber_enter(&c, &t, &it, "ExtendedBodyPart") < 0)
        return;
    while (ber_next(&it, &m) == 1) {
        struct ber_slice oid;
        if (ber_enter(&c, &m, &ix, "INSTANCE OF") < 0 || ber_next(&ix, &x) != 1 ||
            ber_get_oid(&c, &x, "type-id", &oid) < 0 || ber_oid_to_text(oid, text, sizeof text) < 0 ||
            ber_next(&ix, &v) != 1)
            return;
        bool data = m.tag != BER_CTX(0);
        json_object_set_new(o, data ? "data_type" : "parameters_type", json_string(text));
        struct ber_tlv in;
        struct ipms_object ipn;
        if (data && strcmp(text, "2.6.1.4.15") == 0 && ber_explicit(&c, &v, &in, "value") == 0) {
            /* IPN ::= SET: decode it as InformationObject ipn [1] (IMPLICIT) */
            struct ber_writer w;
            ber_writer_init(&w);
            ber_mark_t mk = ber_mark(&w);
            ber_put_raw(&w, in.val, in.len);
            ber_wrap(&w, mk, BER_CTX(1), true);
            if (ipms_object_decode(ber_writer_slice(&w), &ipn, &be) == 0 && ipn.kind == IPMS_OBJ_IPN)
                json_object_set_new(o, "ipn", json_pack("{s:o, s:i, s:b}", "subject_ipm",
                                                        str_json((const uint8_t *)ipn.ipn.subject_ipm.local_id.ptr,
                                                                 ipn.ipn.subject_ipm.local_id.len),
                                                        "non_receipt_reason", ipn.ipn.non_receipt_reason,
                                                        "returned_ipm", ipn.ipn.returned_ipm.len > 0));
            ber_writer_free(&w);
        }
    }
}

/* The body parts: kind, and what each carries (a forwarded IPM decoded). */
static json_t *body_json(const struct mhs_seq *body)
{
    json_t *a = json_array();
    struct ber_error be = { 0 };
    struct mhs_seq_iter it;
    struct ipm_body_part bp;
    mhs_seq_iter_init(&it, body, &be);
    while (ipm_body_part_next(&it, &bp) == 1) {
        json_t *o = json_object();
        static const char *const kinds[] = { "ia5", "general-text", "bilateral", "message", "other" };
        json_object_set_new(o, "kind", json_string(kinds[bp.kind]));
        json_object_set_new(o, "tag", json_integer(bp.whole.len ? (bp.whole.ptr[0] & 0x1f) : -1));
        if (bp.kind == IPM_BP_IA5_TEXT || bp.kind == IPM_BP_BILATERAL || bp.kind == IPM_BP_GENERAL_TEXT)
            json_object_set_new(o, "text", str_json(bp.text.bytes.ptr, bp.text.bytes.len));
        if (bp.kind == IPM_BP_OTHER && bp.whole.len > 0 && bp.whole.ptr[0] == 0xAF)
            extended_json(o, bp.whole);
        if (bp.kind == IPM_BP_MESSAGE) {
            struct ipm inner;
            json_object_set_new(o, "ipm", ipms_ipm_decode(bp.ipm, &inner, &be) == 0 ? ipm_json(&inner)
                                                                                     : json_null());
        }
        json_array_append_new(a, o);
    }
    return a;
}

static json_t *ipm_json(const struct ipm *m)
{
    const struct ipm_heading *h = &m->heading;
    json_t *o = json_pack("{s:o, s:o, s:o, s:b}", "this_ipm",
                          str_json((const uint8_t *)h->this_ipm.local_id.ptr, h->this_ipm.local_id.len),
                          "originator", h->has_originator && h->originator.has_formal_name
                                            ? or_text(&h->originator.formal_name) : json_null(),
                          "subject", h->has_subject ? str_json(h->subject.bytes.ptr, h->subject.bytes.len)
                                                    : json_null(),
                          "auto_forwarded", h->auto_forwarded);
    /* every heading field (X.420 7.2), for the auto-forward checks */
    json_object_set_new(o, "authorizing_users",
                        h->has_authorizing_users ? descriptors_json(&h->authorizing_users) : json_null());
    json_object_set_new(o, "primary", recipients_json(&h->primary));
    json_object_set_new(o, "copy", recipients_json(&h->copy));
    json_object_set_new(o, "blind_copy", recipients_json(&h->blind_copy));
    json_object_set_new(o, "replied_to", h->has_replied_to
                                             ? str_json((const uint8_t *)h->replied_to.local_id.ptr,
                                                        h->replied_to.local_id.len)
                                             : json_null());
    json_object_set_new(o, "obsoleted", identifiers_json(&h->obsoleted));
    json_object_set_new(o, "related", identifiers_json(&h->related));
    json_object_set_new(o, "expiry_time", time_json(&h->expiry_time));
    json_object_set_new(o, "reply_time", time_json(&h->reply_time));
    json_object_set_new(o, "reply_recipients",
                        h->has_reply_recipients ? descriptors_json(&h->reply_recipients) : json_null());
    json_object_set_new(o, "importance", json_integer(h->importance));
    json_object_set_new(o, "sensitivity", json_integer(h->sensitivity));
    json_object_set_new(o, "primary_precedence", json_integer(h->primary_precedence));
    json_object_set_new(o, "body", body_json(&m->body));
    return o;
}

/* The MessageSubmissionEnvelope an entry was stored with (the test MTS
 * keeps the submitted one), field by field (X.411 8.2.1.1.1). */
static json_t *envelope_json(const uint8_t *p, size_t n)
{
    struct ber_error be = { 0 };
    struct ber_ctx c;
    struct ber_tlv t;
    struct mts_submission_envelope env;
    ber_ctx_init(&c, p, n, &be);
    if (n == 0 || ber_decode_top(&c, &t, "MessageSubmissionEnvelope") < 0 ||
        mts_submission_envelope_decode_tlv(&c, &t, &env) < 0)
        return json_null();
    json_t *rcpts = json_array();
    struct mhs_seq_iter it;
    struct mts_submission_recipient r;
    mhs_seq_iter_init(&it, &env.recipients, &be);
    while (mts_submission_recipient_next(&it, &r) == 1)
        json_array_append_new(rcpts, json_pack("{s:o, s:i, s:i}", "name", or_text(&r.recipient_name),
                                               "originator_report_request", (int)r.originator_report_request,
                                               "explicit_conversion",
                                               r.has_explicit_conversion ? (int)r.explicit_conversion : -1));
    return json_pack("{s:o, s:i, s:o, s:i, s:i, s:o, s:i, s:o}", "originator", or_text(&env.originator_name),
                     "content_type", env.content_type.builtin ? (int)env.content_type.builtin_value : -1,
                     "content_identifier",
                     mhs_str_present(&env.content_identifier)
                         ? str_json((const uint8_t *)env.content_identifier.ptr, env.content_identifier.len)
                         : json_null(),
                     "priority", env.priority, "per_message_indicators", (int)env.per_message_indicators,
                     "deferred_delivery_time", time_json(&env.deferred_delivery_time),
                     "extensions", (int)env.extensions.raw.len, "recipients", rcpts);
}

static void decode(void *ctx, const struct x400ms_admin_request *req, struct x400ms_admin_reply *reply)
{
    const struct x400ms_store_ops *store;
    struct x400ms_store_mailbox *mb;
    uint32_t seq;
    struct x400ms_error err = { 0 };
    struct x400ms_store_entry *e = NULL;
    if (open_request_mailbox(ctx, req, reply, &store, &mb, &seq) < 0)
        return;
    const char *box = json_string_value(json_object_get(req->body, "box"));
    int rc = store->get(mb, box && strcmp(box, "outbox") == 0 ? X400MS_STORE_OUTBOX : X400MS_STORE_INBOX, seq,
                        X400MS_STORE_GET_CONTENT | X400MS_STORE_GET_ENVELOPE, &e, &err);
    store->mailbox_close(mb);
    if (rc < 0) {
        x400ms_admin_reply_error(reply, 404, "not_found", "seq", "%s", err.message);
        return;
    }
    struct ber_error be = { 0 };
    struct ipms_object o;
    if (ipms_object_decode(ber_slice_make(e->content, e->content_len), &o, &be) < 0) {
        store->entry_free(e);
        x400ms_admin_reply_error(reply, 422, "undecodable", "content", "not an X.420 object");
        return;
    }
    json_t *out;
    if (o.kind == IPMS_OBJ_IPM) {
        out = ipm_json(&o.ipm);
        json_object_set_new(out, "kind", json_string("ipm"));
    } else {
        const struct ipn *n = &o.ipn;
        out = json_pack("{s:s, s:o, s:o, s:o, s:i, s:i, s:o}", "kind",
                        n->kind == IPN_NON_RECEIPT ? "nrn" : n->kind == IPN_RECEIPT ? "rn" : "other",
                        "subject_ipm", str_json((const uint8_t *)n->subject_ipm.local_id.ptr,
                                                n->subject_ipm.local_id.len),
                        "subject_ipm_user", n->subject_ipm.has_user ? or_text(&n->subject_ipm.user)
                                                                    : json_null(),
                        "ipn_originator", n->has_ipn_originator && n->ipn_originator.has_formal_name
                                              ? or_text(&n->ipn_originator.formal_name) : json_null(),
                        "non_receipt_reason", n->non_receipt_reason, "discard_reason",
                        n->discard_reason, "auto_forward_comment",
                        mhs_str_present(&n->auto_forward_comment)
                            ? str_json((const uint8_t *)n->auto_forward_comment.ptr,
                                       n->auto_forward_comment.len)
                            : json_null());
        if (n->returned_ipm.len > 0) {
            /* returned-ipm [3] IMPLICIT IPM: decode it with the SEQUENCE tag back */
            uint8_t *copy = malloc(n->returned_ipm.len);
            struct ipm m;
            if (copy != NULL) {
                memcpy(copy, n->returned_ipm.ptr, n->returned_ipm.len);
                copy[0] = 0x30;
                if (ipms_ipm_decode(ber_slice_make(copy, n->returned_ipm.len), &m, &be) == 0)
                    json_object_set_new(out, "returned_ipm", ipm_json(&m));
                else
                    json_object_set_new(out, "returned_ipm", json_string("undecodable"));
                free(copy);
            }
        }
    }
    json_object_set_new(out, "envelope", envelope_json(e->envelope, e->envelope_len));
    store->entry_free(e);
    reply->status = 200;
    reply->body = out;
}

static const struct x400ms_admin_route_ops routes[] = {
    { .size = sizeof(struct x400ms_admin_route_ops), .method = "POST",
      .pattern = "/api/v1/test/actions/deliver", .handler = deliver, .summary = "test only" },
    { .size = sizeof(struct x400ms_admin_route_ops), .method = "POST",
      .pattern = "/api/v1/test/actions/fetch", .handler = fetch, .summary = "test only" },
    { .size = sizeof(struct x400ms_admin_route_ops), .method = "POST",
      .pattern = "/api/v1/test/actions/decode", .handler = decode, .summary = "test only" },
};

static int probe_init(struct x400ms_core *core, const json_t *config, void **state,
                      struct x400ms_error *err)
{
    (void)config;
    struct probe *p = calloc(1, sizeof *p);
    if (p == NULL)
        return x400ms_error_set(err, X400MS_ENOMEM, "out of memory");
    p->core = core;
    int rc;
    if ((rc = x400ms_hook_add(core, X400MS_HOOK_AUTO_ALERT, 0, on_alert, p, err)) < 0 ||
        (rc = x400ms_autoaction_type_register(core, "2.999.2.1.90", &failing_type, p, err)) < 0 ||
        (rc = x400ms_autoaction_type_register(core, "2.999.2.1.91", &hanging_type, p, err)) < 0 ||
        (rc = x400ms_admin_route_register(core, "actions_test_probe.deliver", &routes[0], p, err)) < 0 ||
        (rc = x400ms_admin_route_register(core, "actions_test_probe.fetch", &routes[1], p, err)) < 0 ||
        (rc = x400ms_admin_route_register(core, "actions_test_probe.decode", &routes[2], p, err)) < 0) {
        free(p);
        return rc;
    }
    *state = p;
    return 0;
}

static void probe_fini(void *state)
{
    free(state);
}

X400MS_MODULE_EXPORT const struct x400ms_module X400MS_MODULE_ENTRY = {
    X400MS_MODULE_HEADER,
    .name = "actions_test_probe",
    .version = "test",
    .init = probe_init,
    .fini = probe_fini,
};
