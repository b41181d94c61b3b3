/* Indirect submission from the client library (X.413 8.3.1.1): an X.420
 * IPM with one IA5 text body part, wrapped in an X.411
 * MessageSubmissionEnvelope, sent as ms-message-submission (3). */
#define X400MS_LOG_MODULE "client"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "asn1/ipms.h"
#include "asn1/ms.h"
#include "asn1/mts.h"
#include "asn1/orname.h"
#include "tools/client/client-ops.h"

#define SEND_MAX_RECIPIENTS 64

static size_t count_list(const char *const *l)
{
    size_t n = 0;
    while (l != NULL && l[n] != NULL)
        n++;
    return n;
}

/* IPMIdentifier user-relative-identifier (PrintableString, X.420 7.1):
 * unique enough for one originator. */
static void make_ipm_id(char *buf, size_t size)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    static unsigned counter;
    snprintf(buf, size, "%lx.%lx.%x.%u", (unsigned long)ts.tv_sec, (unsigned long)ts.tv_nsec,
             (unsigned)getpid(), __atomic_add_fetch(&counter, 1, __ATOMIC_RELAXED));
}

/* The IPM content (InformationObject ipm [0]) into w. */
static int build_ipm(struct ber_writer *w, const struct x400ms_client_message *m,
                     const struct or_address *orig, const struct or_address *rcpt, size_t n_to,
                     size_t n_cc, char *ipm_id, size_t ipm_id_size)
{
    struct ipm_recipient r[SEND_MAX_RECIPIENTS];
    memset(r, 0, sizeof r);
    for (size_t i = 0; i < n_to + n_cc; i++) {
        r[i].recipient.has_formal_name = true;
        r[i].recipient.formal_name = rcpt[i];
        if (m->receipt)
            r[i].notification_requests = IPM_NOTIFY_RN;
    }
    struct ipms_object obj;
    memset(&obj, 0, sizeof obj);
    obj.kind = IPMS_OBJ_IPM;
    struct ipm_heading *h = &obj.ipm.heading;
    make_ipm_id(ipm_id, ipm_id_size);
    h->this_ipm.has_user = true;
    h->this_ipm.user = *orig;
    h->this_ipm.local_id = mhs_str_make(ipm_id, strlen(ipm_id), BER_PRINTABLE_STRING);
    h->has_originator = true;
    h->originator.has_formal_name = true;
    h->originator.formal_name = *orig;
    h->primary.present = n_to > 0;
    h->primary.arr = r;
    h->primary.n = (uint32_t)n_to;
    h->copy.present = n_cc > 0;
    h->copy.arr = r + n_to;
    h->copy.n = (uint32_t)n_cc;
    if (m->subject != NULL) {
        h->has_subject = true;
        h->subject.bytes = ber_slice_make(m->subject, strlen(m->subject));
    }
    h->importance = 1; /* normal: the DEFAULT, not encoded */
    h->primary_precedence = -1;
    h->copy_precedence = -1;
    struct ipm_body_part bp;
    memset(&bp, 0, sizeof bp);
    bp.kind = IPM_BP_IA5_TEXT;
    bp.repertoire = 5; /* ia5 */
    bp.text.bytes = ber_slice_make(m->body ? (const void *)m->body : "", m->body ? m->body_len : 0);
    obj.ipm.body_array = &bp;
    obj.ipm.n_body_array = 1;
    return ipms_object_encode(w, &obj);
}

static void identifier_text(const struct mts_identifier *id, char *buf, size_t size)
{
    snprintf(buf, size, "%.*s/%.*s/%.*s;%.*s", (int)id->gdi.country.len,
             (const char *)id->gdi.country.ptr, (int)id->gdi.admd.len, (const char *)id->gdi.admd.ptr,
             (int)id->gdi.prmd.len, (const char *)id->gdi.prmd.ptr, (int)id->local.len,
             (const char *)id->local.ptr);
}

/* CommonSubmissionResults in ms-message-result [4]: created-entry [0]. */
static void created_entry(struct ber_slice ms_result, struct x400ms_client_submitted *out)
{
    struct ber_error be;
    memset(&be, 0, sizeof be);
    struct ber_ctx c;
    struct ber_tlv t, set, mbr;
    struct ber_iter it;
    ber_ctx_init(&c, ms_result.ptr, ms_result.len, &be);
    if (ber_decode_top(&c, &t, "ms-message-result") < 0 ||
        ber_explicit(&c, &t, &set, "ms-message-result") < 0 ||
        ber_enter(&c, &set, &it, "CommonSubmissionResults") < 0)
        return;
    while (ber_next(&it, &mbr) == 1) {
        int64_t v;
        if (mbr.tag == BER_CTX(0) && mhs_explicit_int(&c, &mbr, "created-entry", &v) == 0 && v > 0) {
            out->has_created_entry = true;
            out->created_entry = (uint32_t)v;
        }
    }
}

int x400ms_client_send(struct x400ms_client *c, const struct x400ms_client_message *m,
                       struct x400ms_client_submitted *out, struct x400ms_error *err)
{
    size_t n_to = count_list(m->to), n_cc = count_list(m->cc);
    if (n_to + n_cc == 0)
        return x400ms_error_set(err, X400MS_EINVAL, "send: no recipient");
    if (n_to + n_cc > SEND_MAX_RECIPIENTS)
        return x400ms_error_set(err, X400MS_ELIMIT, "send: more than %d recipients",
                                SEND_MAX_RECIPIENTS);
    if (m->originator == NULL)
        return x400ms_error_set(err, X400MS_EINVAL, "send: no originator");
    if (m->priority < 0 || m->priority > 2)
        return x400ms_error_set(err, X400MS_EINVAL, "send: priority must be 0, 1 or 2");
    struct or_address orig;
    struct or_address rcpt[SEND_MAX_RECIPIENTS];
    int rc = or_address_parse(m->originator, strlen(m->originator), &orig, err);
    if (rc < 0)
        return rc;
    for (size_t i = 0; i < n_to + n_cc; i++) {
        const char *text = i < n_to ? m->to[i] : m->cc[i - n_to];
        if ((rc = or_address_parse(text, strlen(text), &rcpt[i], err)) < 0)
            return x400ms_error_set(err, rc, "recipient %s: %s", text, err->message);
    }

    /* the content first: the envelope's argument holds it as an OCTET STRING */
    struct ber_writer cw;
    ber_writer_init(&cw);
    char ipm_id[64];
    build_ipm(&cw, m, &orig, rcpt, n_to, n_cc, ipm_id, sizeof ipm_id);
    if (cw.error) {
        rc = x400ms_error_set(err, X400MS_EINVAL, "send: cannot encode the IPM: %s",
                              x400ms_strerror(cw.error));
        ber_writer_free(&cw);
        return rc;
    }

    struct mts_submission_recipient er[SEND_MAX_RECIPIENTS];
    memset(er, 0, sizeof er);
    for (size_t i = 0; i < n_to + n_cc; i++) {
        er[i].recipient_name = rcpt[i];
        /* X.411 8.2.1.1.1.x originator-report-request: always a
         * non-delivery report, a delivery report with --receipt */
        er[i].originator_report_request = MTS_ORR_NON_DELIVERY_REPORT |
                                          (m->receipt ? MTS_ORR_REPORT : 0);
    }
    struct ms_submission_arg arg;
    memset(&arg, 0, sizeof arg);
    struct mts_submission_envelope *e = &arg.mts.envelope;
    e->originator_name = orig;
    e->content_type.present = true;
    e->content_type.builtin = true;
    e->content_type.builtin_value = MTS_CONTENT_P22_1988;
    e->priority = m->priority;
    e->recipient_array = er;
    e->n_recipient_array = (uint32_t)(n_to + n_cc);
    arg.mts.content.bytes = ber_writer_slice(&cw);

    struct ber_writer w;
    ber_writer_init(&w);
    ms_submission_arg_encode(&w, &arg);
    ber_writer_free(&cw);
    struct x400ms_client_outcome o;
    if ((rc = client_run(c, MS_OP_MESSAGE_SUBMISSION, &w, &o, err)) < 0)
        return rc;
    if (out != NULL) {
        memset(out, 0, sizeof *out);
        struct ms_submission_result r;
        struct ber_error be;
        memset(&be, 0, sizeof be);
        if (ms_submission_result_decode(ber_slice_make(o.data, o.len), &r, &be) == 0 &&
            !r.store_draft) {
            identifier_text(&r.mts.identifier, out->mts_identifier, sizeof out->mts_identifier);
            out->submission_time = r.mts.time.present ? (int64_t)r.mts.time.sec : 0;
            if (r.mts.ms_result.len > 0)
                created_entry(r.mts.ms_result, out);
        } else {
            rc = x400ms_error_set(err, X400MS_EPROTO, "the MessageSubmissionResult does not decode");
        }
    }
    x400ms_client_outcome_free(&o);
    return rc;
}
