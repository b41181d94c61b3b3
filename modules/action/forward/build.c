/* Building an auto-forwarded message (X.420 7.x, ipm-auto-forward): a new
 * IPM whose heading says auto-forwarded TRUE and whose body is an optional
 * cover note (IA5 text) followed by the delivered message as a forwarded
 * IPM body part (MessageBodyPart); a content that is not an IPM is carried
 * in a bilaterally-defined body part. The forwarding envelope is an X.411
 * MessageSubmissionEnvelope (8.2.1.1.1) for the parameter's recipients. */
#define X400MS_LOG_MODULE "forward"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "asn1/ber.h"
#include "asn1/ipms.h"
#include "asn1/mts.h"
#include "asn1/orname.h"
#include "modules/action/forward/forward.h"

int fwd_encode_p22_envelope(struct ber_writer *w, const struct or_address *originator, int priority,
                            const struct mts_submission_recipient *rcpts, uint32_t n)
{
    struct mts_submission_envelope env;
    memset(&env, 0, sizeof env);
    env.originator_name = *originator;
    env.content_type.present = true;
    env.content_type.builtin = true;
    env.content_type.builtin_value = MTS_CONTENT_P22_1988;
    env.priority = priority;
    env.recipient_array = rcpts;
    env.n_recipient_array = n;
    return mts_submission_envelope_encode(w, &env);
}

uint8_t *fwd_copy_out(const struct ber_writer *w, size_t *len_r)
{
    uint8_t *p = malloc(w->len ? w->len : 1);
    if (p != NULL) {
        memcpy(p, ber_writer_data(w), w->len);
        *len_r = w->len;
    }
    return p;
}

static int priority_of(const json_t *param, const struct x400ms_store_entry *e)
{
    const char *p = json_string_value(json_object_get(param, "priority"));
    if (p == NULL)
        return e->attrs.priority;
    return strcmp(p, "urgent") == 0 ? MTS_PRIORITY_URGENT
           : strcmp(p, "non-urgent") == 0 ? MTS_PRIORITY_NON_URGENT : MTS_PRIORITY_NORMAL;
}

int fwd_build(const json_t *param, const char *originator, const struct x400ms_store_entry *e,
              uint32_t seq, uint8_t **env_r, size_t *env_len_r, uint8_t **content_r,
              size_t *content_len_r, struct x400ms_error *err)
{
    const json_t *rcpts = json_object_get(param, "recipients");
    size_t n = json_array_size(rcpts);
    if (n == 0 || n > FWD_MAX_RECIPIENTS)
        return x400ms_error_set(err, X400MS_EINVAL, "recipients: 1 to %d needed", FWD_MAX_RECIPIENTS);
    struct or_address orig;
    int rc = or_address_parse(originator, strlen(originator), &orig, err);
    if (rc < 0)
        return rc;
    struct mts_submission_recipient env_rcpt[FWD_MAX_RECIPIENTS];
    struct ipm_recipient ipm_rcpt[FWD_MAX_RECIPIENTS];
    memset(env_rcpt, 0, sizeof env_rcpt);
    memset(ipm_rcpt, 0, sizeof ipm_rcpt);
    bool dr = json_is_true(json_object_get(param, "delivery_report"));
    for (size_t i = 0; i < n; i++) {
        const char *text = json_string_value(json_array_get(rcpts, i));
        if ((rc = or_address_parse(text, strlen(text), &env_rcpt[i].recipient_name, err)) < 0)
            return rc;
        /* X.411 8.2.1.1.1.x originator-report-request: non-delivery always */
        env_rcpt[i].originator_report_request =
            MTS_ORR_NON_DELIVERY_REPORT | (dr ? MTS_ORR_REPORT : 0);
        ipm_rcpt[i].recipient.has_formal_name = true;
        ipm_rcpt[i].recipient.formal_name = env_rcpt[i].recipient_name;
    }

    /* ---- content ---- */
    struct ber_error be;
    memset(&be, 0, sizeof be);
    struct ipms_object orig_obj;
    memset(&orig_obj, 0, sizeof orig_obj);
    bool is_ipm = e->content_len > 0 &&
                  ipms_object_decode(ber_slice_make(e->content, e->content_len), &orig_obj, &be) == 0 &&
                  orig_obj.kind == IPMS_OBJ_IPM;
    struct ber_writer inner;
    ber_writer_init(&inner);
    struct ipm_body_part parts[2];
    memset(parts, 0, sizeof parts);
    uint32_t n_parts = 0;
    const char *cover = json_string_value(json_object_get(param, "cover_note"));
    if (cover != NULL && cover[0] != '\0') {
        parts[n_parts].kind = IPM_BP_IA5_TEXT;
        parts[n_parts].repertoire = 5;
        parts[n_parts].text.bytes = ber_slice_make(cover, strlen(cover));
        n_parts++;
    }
    if (is_ipm) {
        ipms_ipm_encode(&inner, BER_UNIV(BER_SEQUENCE), &orig_obj.ipm);
        parts[n_parts].kind = IPM_BP_MESSAGE;
        parts[n_parts].ipm = ber_writer_slice(&inner);
    } else {
        parts[n_parts].kind = IPM_BP_BILATERAL;
        parts[n_parts].text.bytes = ber_slice_make(e->content, e->content_len);
    }
    n_parts++;
    if (inner.error) {
        ber_writer_free(&inner);
        return x400ms_error_set(err, inner.error, "cannot re-encode the forwarded IPM");
    }

    char local_id[64];
    snprintf(local_id, sizeof local_id, "AF%u.%lld", (unsigned)seq, (long long)time(NULL));
    struct ipms_object out;
    memset(&out, 0, sizeof out);
    out.kind = IPMS_OBJ_IPM;
    struct ipm_heading *h = &out.ipm.heading;
    h->this_ipm.has_user = true;
    h->this_ipm.user = orig;
    h->this_ipm.local_id = mhs_str_make(local_id, strlen(local_id), BER_PRINTABLE_STRING);
    h->has_originator = true;
    h->originator.has_formal_name = true;
    h->originator.formal_name = orig;
    h->primary.present = true;
    h->primary.arr = ipm_rcpt;
    h->primary.n = (uint32_t)n;
    const char *subject = json_string_value(json_object_get(param, "subject"));
    char subj[IPMS_UB_SUBJECT + 1];
    if (subject == NULL)
        snprintf(subj, sizeof subj, "FW: %s", e->attrs.subject ? e->attrs.subject : "");
    else
        snprintf(subj, sizeof subj, "%s", subject);
    h->has_subject = true;
    h->subject.bytes = ber_slice_make(subj, strlen(subj));
    h->importance = e->attrs.importance != X400MS_IPM_ABSENT ? e->attrs.importance : IPM_IMPORTANCE_NORMAL;
    h->auto_forwarded = true; /* X.420 auto-forwarded [14] */
    h->primary_precedence = h->copy_precedence = -1;
    out.ipm.body_array = parts;
    out.ipm.n_body_array = n_parts;

    struct ber_writer cw, ew;
    ber_writer_init(&cw);
    ber_writer_init(&ew);
    ipms_object_encode(&cw, &out);

    fwd_encode_p22_envelope(&ew, &orig, priority_of(param, e), env_rcpt, (uint32_t)n);

    rc = cw.error ? cw.error : ew.error;
    if (rc == 0) {
        *content_r = fwd_copy_out(&cw, content_len_r);
        *env_r = fwd_copy_out(&ew, env_len_r);
        if (*content_r == NULL || *env_r == NULL) {
            free(*content_r);
            free(*env_r);
            rc = X400MS_ENOMEM;
        }
    }
    if (rc < 0)
        x400ms_error_set(err, rc, "cannot encode the forwarded message");
    ber_writer_free(&inner);
    ber_writer_free(&cw);
    ber_writer_free(&ew);
    return rc;
}

static uint64_t fnv(uint64_t h, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 0x100000001b3ull;
    }
    return h;
}

uint64_t fwd_loop_key(const uint8_t *content, size_t len, unsigned *depth_r)
{
    const uint64_t basis = 0xcbf29ce484222325ull;
    struct ber_error be;
    struct ipms_object obj;
    memset(&be, 0, sizeof be);
    *depth_r = 0;
    if (ipms_object_decode(ber_slice_make(content, len), &obj, &be) < 0 || obj.kind != IPMS_OBJ_IPM)
        return fnv(basis, content, len);
    struct ipm m = obj.ipm;
    for (unsigned depth = 0; depth <= FWD_MAX_NESTING; depth++) {
        *depth_r = depth;
        if (!m.heading.auto_forwarded)
            break;
        /* descend into the forwarded message of an auto-forwarded IPM */
        struct mhs_seq_iter it;
        struct ipm_body_part bp;
        bool down = false;
        mhs_seq_iter_init(&it, &m.body, &be);
        while (!down && ipm_body_part_next(&it, &bp) == 1) {
            if (bp.kind == IPM_BP_MESSAGE) {
                struct ipm inner;
                if (ipms_ipm_decode(bp.ipm, &inner, &be) == 0) {
                    m = inner;
                    down = true;
                }
            } else if (bp.kind == IPM_BP_BILATERAL) {
                *depth_r = depth + 1;
                return fnv(basis, bp.text.bytes.ptr, bp.text.bytes.len);
            }
        }
        if (!down)
            break;
    }
    /* the original IPM: its this-IPM identifier and body identify it */
    uint64_t h = fnv(basis, m.heading.this_ipm.local_id.ptr, m.heading.this_ipm.local_id.len);
    return fnv(h, m.body.raw.ptr, m.body.raw.len);
}
