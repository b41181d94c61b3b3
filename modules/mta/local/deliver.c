/* modules/mta/local/deliver.c: what the worker does with one queued
 * submission: X.411 8.3.1.1 message delivery to each local recipient's In
 * Box (a MessageDeliveryArgument built from the submission; the store keeps
 * the X.413 MessageDeliveryEnvelope and the content, and runs the
 * entry-delivered hook), then one ReportDeliveryArgument (X.411 8.3.1.2)
 * covering the recipients whose originator-report-request asks for a
 * report, into the originator's In Box. Probes (X.411 8.2.1.2) deliver
 * nothing and are answered with the reports a message would have had. */
#define X400MS_LOG_MODULE "mta_local"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "modules/mta/local/mta.h"
#include "modules/protocol/p3/mtsutil.h"
#include "x400ms/log.h"

/* True when the O/R address is in the MTA's own domain (C/ADMD/PRMD of the
 * configured global domain identifier; an ADMD of " " matches any). */
static bool str_eq_loose(const struct mhs_str *s, const char *want)
{
    size_t n = strlen(want);
    if (!mhs_str_present(s))
        return n == 0;
    if (s->len != n)
        return false;
    for (size_t i = 0; i < n; i++) {
        char a = (char)s->ptr[i], b = want[i];
        if (a >= 'A' && a <= 'Z')
            a = (char)(a - 'A' + 'a');
        if (b >= 'A' && b <= 'Z')
            b = (char)(b - 'A' + 'a');
        if (a != b)
            return false;
    }
    return true;
}

static bool in_local_domain(const struct mtal *m, const struct or_address *a)
{
    if (!str_eq_loose(&a->country, m->country))
        return false;
    bool any_admd = strcmp(m->admd, " ") == 0 || (a->admd.len == 1 && a->admd.ptr[0] == ' ');
    if (!any_admd && !str_eq_loose(&a->admd, m->admd))
        return false;
    return m->prmd[0] == '\0' || str_eq_loose(&a->prmd, m->prmd);
}

struct report_line {
    struct mts_report_recipient r;
    const char *why;
};

static int store_put(struct mtal *m, const char *mailbox, const struct x400ms_store_entry_in *e,
                     uint32_t *seq, struct x400ms_error *err)
{
    struct x400ms_store_mailbox *mb = NULL;
    int rc = m->store->mailbox_open(m->store_ctx, mailbox, &mb, err);
    if (rc < 0)
        return rc;
    rc = x400ms_store_deliver(m->store, mb, e, seq, err);
    m->store->mailbox_close(mb);
    return rc;
}

/* Delivers the message to one local mailbox. */
static int deliver_one(struct mtal *m, const struct mtal_item *it,
                       const struct mts_submission_envelope *env, const struct mts_identifier *id,
                       const struct or_address *rcpt, const char *mailbox, int64_t now,
                       struct x400ms_error *err)
{
    struct mts_delivery_arg a;
    memset(&a, 0, sizeof a);
    a.delivery_identifier = *id; /* X.411 8.3.1.1.1.1: equals the submission identifier */
    a.delivery_time = mhs_time_make((time_t)now);
    a.content_type = env->content_type;
    a.originator_name = env->originator_name;
    a.original_eits = env->original_eits;
    a.priority = env->priority;
    a.this_recipient_name = *rcpt;
    a.converted_eits = ber_slice_make(NULL, 0);
    a.submission_time = mhs_time_make((time_t)it->submission_time);
    a.content_identifier = env->content_identifier;
    a.content.bytes = ber_slice_make(it->content, it->content_len);

    struct ber_writer w, envw;
    ber_writer_init(&w);
    ber_writer_init(&envw);
    int rc = mts_delivery_arg_encode(&w, &a);
    struct ber_slice content = { 0 };
    uint8_t *copy = NULL;
    if (rc >= 0 && w.error == 0)
        rc = mtsu_split_delivery(ber_writer_slice(&w), &envw, &content, &copy, err);
    else
        rc = x400ms_error_set(err, X400MS_EINVAL, "MessageDeliveryArgument does not encode");
    struct mtsu_attr_buf *buf = rc >= 0 ? malloc(sizeof *buf) : NULL;
    struct x400ms_store_entry_in e;
    memset(&e, 0, sizeof e);
    if (rc >= 0 && buf == NULL)
        rc = x400ms_error_set(err, X400MS_ENOMEM, "out of memory");
    if (rc >= 0)
        rc = mtsu_delivery_attrs(&a, content, &e.attrs, buf, err);
    if (rc >= 0) {
        e.envelope = ber_writer_data(&envw);
        e.envelope_len = ber_writer_len(&envw);
        e.content = content.ptr;
        e.content_len = content.len;
        uint32_t seq = 0;
        rc = store_put(m, mailbox, &e, &seq, err);
        if (rc >= 0)
            X400MS_LOG_I("message %s delivered to %s as %u", it->id, mailbox, seq);
    }
    free(buf);
    free(copy);
    ber_writer_free(&envw);
    ber_writer_free(&w);
    return rc;
}

static void store_report(struct mtal *m, const struct mtal_item *it,
                         const struct mts_submission_envelope *env, const struct mts_identifier *id,
                         const struct mts_report_recipient *lines, size_t n, int64_t now)
{
    if (n == 0)
        return;
    if (it->mailbox[0] == '\0') {
        X400MS_LOG_W("message %s: %zu report line(s) dropped: the originator has no mailbox",
                     it->id, n);
        return;
    }
    struct mts_report_delivery_arg r;
    memset(&r, 0, sizeof r);
    r.subject_submission_identifier = *id;
    r.content_identifier = env->content_identifier;
    r.content_type = env->content_type;
    r.original_eits = env->original_eits;
    r.recipient_array = lines;
    r.n_recipient_array = (uint32_t)n;
    struct ber_writer w;
    ber_writer_init(&w);
    struct x400ms_error err = { 0 };
    int rc = mts_report_delivery_arg_encode(&w, &r);
    struct mtsu_attr_buf *buf = malloc(sizeof *buf);
    struct x400ms_store_entry_in e;
    memset(&e, 0, sizeof e);
    if (rc < 0 || w.error != 0)
        rc = x400ms_error_set(&err, X400MS_EINVAL, "ReportDeliveryArgument does not encode");
    else if (buf == NULL)
        rc = x400ms_error_set(&err, X400MS_ENOMEM, "out of memory");
    else
        rc = mtsu_report_attrs(&r, now, &e.attrs, buf, &err);
    uint32_t seq = 0;
    if (rc >= 0) {
        /* like p3's report-delivery: the whole argument is the envelope */
        e.envelope = ber_writer_data(&w);
        e.envelope_len = ber_writer_len(&w);
        rc = store_put(m, it->mailbox, &e, &seq, &err);
    }
    mtal_metrics_delivery(rc < 0 ? MTAL_DEL_ERROR : MTAL_DEL_OK);
    if (rc < 0)
        X400MS_LOG_E("message %s: report for %s not stored: %s", it->id, it->mailbox, err.message);
    else
        X400MS_LOG_I("message %s: report (%zu recipient(s)) stored in %s as %u", it->id, n,
                     it->mailbox, seq);
    free(buf);
    ber_writer_free(&w);
}

int mtal_process(struct mtal *m, struct mtal_item *it)
{
    struct mts_submission_envelope env;
    struct x400ms_error err = { 0 };
    if (mtal_decode_envelope(it, &env, &err) < 0) {
        X400MS_LOG_E("message %s: queued envelope does not decode (%s): dropped", it->id,
                     err.message);
        return 0;
    }
    struct mts_identifier id;
    mtal_identifier(m, it, &id);
    int64_t now = (int64_t)time(NULL);
    bool expired = it->latest > 0 && now > it->latest;
    size_t n = env.recipients.count;
    if (it->done_mask == NULL) {
        it->done_mask = calloc(n ? n : 1, 1);
        it->n_recipients = n;
        if (it->done_mask == NULL)
            return X400MS_EAGAIN;
    }
    if (it->relay_mask == NULL && (it->relay_mask = calloc(n ? n : 1, 1)) == NULL)
        return X400MS_EAGAIN;
    /* the outcome of the last relay, if any (relay.c); FAILED: submit again */
    int relayed_kind = it->relay_kind;
    it->relay_kind = 0;
    char refused_info[128];
    snprintf(refused_info, sizeof refused_info, "refused by the upstream MTA: X.411 error %lld",
             (long long)it->relay_errcode);
    void *up_ctx = NULL;
    bool have_upstream = mtal_upstream(m, &up_ctx) != NULL;
    struct mts_submission_recipient *relay = calloc(n ? n : 1, sizeof *relay);
    size_t n_relay = 0;
    if (relay == NULL)
        return X400MS_EAGAIN;
    struct mts_report_recipient *lines = calloc(n ? n : 1, sizeof *lines);
    if (lines == NULL) {
        free(relay);
        return X400MS_EAGAIN;
    }
    size_t nl = 0;
    bool retry = false;
    struct mhs_seq_iter iter;
    struct ber_error berr = { 0 };
    mhs_seq_iter_init(&iter, &env.recipients, &berr);
    struct mts_submission_recipient r;
    for (size_t i = 0; i < n && mts_submission_recipient_next(&iter, &r) > 0; i++) {
        if (it->done_mask[i])
            continue;
        bool was_relayed = it->relay_mask[i] != 0;
        it->relay_mask[i] = 0;
        if (was_relayed && relayed_kind == X400MS_MTS_ACCEPTED) {
            /* the upstream MTA took it and owes its reports (X.411 8.3.1.2) */
            it->done_mask[i] = 1;
            continue;
        }
        bool refused = was_relayed && relayed_kind == X400MS_MTS_REFUSED;
        struct mts_report_recipient *l = &lines[nl];
        memset(l, 0, sizeof *l);
        l->actual_recipient = r.recipient_name;
        l->diagnostic_code = -1;
        char mailbox[X400MS_STORE_NAME_MAX + 1];
        char text[X400MS_STORE_ADDRESS_MAX];
        if (or_address_format(&r.recipient_name, OR_TEXT_SLASH, text, sizeof text) < 0)
            snprintf(text, sizeof text, "(unprintable)");
        int rc = refused ? 0
                         : mtsu_mbindex_find(m->mbindex, &r.recipient_name, mailbox, &err);
        if (refused) {
            int reason, diag;
            mtal_relay_map_refusal(it->relay_errcode, &reason, &diag);
            l->reason_code = reason;
            l->diagnostic_code = diag;
            l->supplementary_info = mhs_str_make(refused_info, strlen(refused_info),
                                                 BER_PRINTABLE_STRING);
            X400MS_LOG_N("message %s: %s not delivered: %s (%s)", it->id, text, refused_info,
                         it->relay_reason);
        } else if (expired) {
            /* X.411 latest-delivery-time passed before delivery */
            l->reason_code = MTAL_REASON_TRANSFER_FAILURE;
            l->diagnostic_code = MTAL_DIAG_MAXIMUM_TIME_EXPIRED;
            X400MS_LOG_N("message %s: %s not delivered: latest-delivery-time passed", it->id, text);
        } else if (rc == X400MS_ENOENT) {
            l->reason_code = MTAL_REASON_UNABLE_TO_TRANSFER;
            if (in_local_domain(m, &r.recipient_name)) {
                l->diagnostic_code = MTAL_DIAG_UNRECOGNISED_OR_NAME;
                X400MS_LOG_N("message %s: %s not delivered: no mailbox has this address", it->id,
                             text);
            } else if (have_upstream) {
                /* another domain: relayed below, done when the upstream answers */
                relay[n_relay++] = r;
                it->relay_mask[i] = 1;
                continue;
            } else {
                static const char info[] = "no upstream MTA is configured for this domain";
                l->diagnostic_code = MTAL_DIAG_NO_BILATERAL_AGREEMENT;
                l->supplementary_info = mhs_str_make(info, sizeof info - 1, BER_PRINTABLE_STRING);
                X400MS_LOG_N("message %s: %s not delivered: not a local domain and no upstream "
                             "MTA", it->id, text);
            }
        } else if (rc < 0) {
            X400MS_LOG_W("message %s: looking up %s failed (%s): will retry", it->id, text,
                         err.message);
            retry = true;
            continue;
        } else if (it->probe) {
            l->delivered = true; /* X.411 8.2.1.2: the message would be delivered */
            l->delivery_time = mhs_time_make((time_t)now);
        } else if ((rc = deliver_one(m, it, &env, &id, &r.recipient_name, mailbox, now, &err)) <
                   0) {
            X400MS_LOG_W("message %s: delivery to %s failed (%s): will retry", it->id, mailbox,
                         err.message);
            mtal_metrics_delivery(MTAL_DEL_ERROR);
            retry = true;
            continue;
        } else {
            l->delivered = true;
            l->delivery_time = mhs_time_make((time_t)now);
            mtal_metrics_delivery(MTAL_DEL_OK);
        }
        if (!l->delivered && !it->probe)
            mtal_metrics_delivery(MTAL_DEL_UNDELIVERABLE);
        it->done_mask[i] = 1;
        /* X.411 8.2.1.1.1.y originator-report-request: report = delivery and
         * non-delivery reports, non-delivery-report = non-delivery only. */
        bool want = l->delivered ? (r.originator_report_request & MTS_ORR_REPORT) != 0
                                 : (r.originator_report_request &
                                    (MTS_ORR_REPORT | MTS_ORR_NON_DELIVERY_REPORT)) != 0;
        if (want)
            nl++;
    }
    store_report(m, it, &env, &id, lines, nl, now);
    free(lines);
    if (n_relay > 0) {
        /* after this returns 0 the item belongs to relay.c until the outcome */
        int rc = mtal_relay_submit(m, it, &env, relay, n_relay);
        free(relay);
        if (rc == 0)
            return MTAL_WAIT_RELAY;
        memset(it->relay_mask, 0, n);
        return X400MS_EAGAIN;
    }
    free(relay);
    return retry ? X400MS_EAGAIN : 0;
}
