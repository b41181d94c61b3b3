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

/* X.420 19 IPMAutoForwardOptions: forward-all-object-types zero
 * ("ipm_only") forwards IPMs only; forwarded-content-prohibited forbids
 * carrying a content that is not an IPM (or IPN) as it is. */
const char *fwd_skip_reason(const json_t *param, const struct x400ms_store_entry *e)
{
    struct ber_error be;
    struct ipms_object obj;
    memset(&be, 0, sizeof be);
    bool p22 = e->content_len > 0 &&
               ipms_object_decode(ber_slice_make(e->content, e->content_len), &obj, &be) == 0;
    if (p22 && obj.kind == IPMS_OBJ_IPM)
        return NULL;
    if (json_is_true(json_object_get(param, "ipm_only")))
        return p22 ? "an IPN, and forward-all-object-types is not set"
                   : "not an IPM, and forward-all-object-types is not set";
    if (!p22 && json_is_true(json_object_get(param, "forwarded_content_prohibited")))
        return "not an IPM, and forwarded-content-prohibited is set";
    return NULL;
}

/* An IPN as a notification body part (X.420 7.4.15: extended body part,
 * parameters MessageParameters id-ep-notification, data IPN
 * id-et-notification), its returned-ipm dropped unless
 * include-returned-ipm (X.420 19). */
static void put_notification_bp(struct ber_writer *w, const struct ipn *in, bool returned_ipm)
{
    struct ipn n = *in;
    if (!returned_ipm)
        memset(&n.returned_ipm, 0, sizeof n.returned_ipm);
    ber_mark_t m = ber_mark(w), x = ber_mark(w), y;
    /* data INSTANCE OF (an EXTERNAL): type-id, value [0] IPN */
    y = ber_mark(w);
    ipms_ipn_encode(w, BER_UNIV(BER_SET), &n);
    ber_wrap(w, y, BER_CTX(0), true);
    ber_put_oid_text(w, BER_UNIV(BER_OID), "2.6.1.4.15");
    ber_wrap(w, x, BER_UNIV(BER_EXTERNAL), true);
    /* parameters [0] INSTANCE OF: id-ep-notification, MessageParameters {} */
    x = ber_mark(w);
    y = ber_mark(w);
    ber_wrap(w, y, BER_UNIV(BER_SET), true);
    ber_wrap(w, y, BER_CTX(0), true);
    ber_put_oid_text(w, BER_UNIV(BER_OID), "2.6.1.11.15");
    ber_wrap(w, x, BER_CTX(0), true);
    ber_wrap(w, m, BER_CTX(15), true);
}

/* The forwarding envelope: the registered one (envelope_ber: every
 * per-message and per-recipient field as the registrant gave it, X.420
 * 19 forwarding-envelope) with our originator, content type P22 and the
 * priority; else one built from the JSON fields. */
static int put_envelope(struct ber_writer *w, const json_t *param, const struct or_address *orig,
                        int priority, const struct mts_submission_recipient *rcpts, uint32_t n,
                        struct x400ms_error *err)
{
    struct fwd_blob b;
    int rc = fwd_hex_get(param, "envelope_ber", &b, err);
    if (rc <= 0)
        return rc < 0 ? rc : fwd_encode_p22_envelope(w, orig, priority, rcpts, n);
    struct mts_submission_envelope env;
    if ((rc = fwd_envelope_decode(&b, &env, err)) == 0) {
        env.originator_name = *orig;
        env.content_type.present = true;
        env.content_type.builtin = true;
        env.content_type.builtin_value = MTS_CONTENT_P22_1988;
        memset(&env.content_type.oid, 0, sizeof env.content_type.oid);
        env.priority = priority;
        env.recipient_array = NULL; /* the registered per-recipient fields, unchanged */
        rc = mts_submission_envelope_encode(w, &env);
    }
    fwd_blob_free(&b);
    return rc < 0 ? x400ms_error_set(err, rc, "cannot encode the forwarding envelope") : 0;
}

/* The forwarding IPM's heading: the registered forwarding-heading
 * (heading_ber: X.420 19, every field carried) or an empty one, with what
 * the MS sets: this-IPM (unique per forward), auto-forwarded TRUE; the
 * originator, the subject, the importance and the primary recipients
 * default to ours, "FW: " + the entry's, the entry's and the envelope's
 * recipients. */
static int make_heading(const json_t *param, const struct or_address *orig, const struct x400ms_store_entry *e,
                        uint32_t seq, struct ipm_recipient *ipm_rcpt, uint32_t n, struct ipm_heading *h,
                        struct fwd_blob *keep, char *local_id, size_t id_size, char *subj, size_t subj_size,
                        struct x400ms_error *err)
{
    struct fwd_blob b;
    memset(h, 0, sizeof *h);
    memset(keep, 0, sizeof *keep);
    h->importance = IPM_IMPORTANCE_NORMAL;
    h->primary_precedence = h->copy_precedence = -1;
    int rc = fwd_hex_get(param, "heading_ber", &b, err);
    if (rc < 0)
        return rc;
    if (rc > 0) {
        bool importance_given = false;
        rc = fwd_heading_decode(&b, keep, h, err);
        /* importance [12] DEFAULT normal: given when the registrant wrote it */
        importance_given = rc == 0 && h->importance != IPM_IMPORTANCE_NORMAL;
        fwd_blob_free(&b);
        if (rc < 0)
            return rc;
        if (!importance_given)
            h->importance = -1;
    } else {
        h->importance = -1;
    }
    const char *prefix = json_string_value(json_object_get(param, "this_ipm_prefix"));
    snprintf(local_id, id_size, "%sAF%u.%lld", prefix ? prefix : "", (unsigned)seq, (long long)time(NULL));
    memset(&h->this_ipm, 0, sizeof h->this_ipm);
    h->this_ipm.has_user = true;
    h->this_ipm.user = *orig;
    h->this_ipm.local_id = mhs_str_make(local_id, strlen(local_id), BER_PRINTABLE_STRING);
    if (!h->has_originator) {
        h->has_originator = true;
        h->originator.has_formal_name = true;
        h->originator.formal_name = *orig;
    }
    if (!h->primary.present && !h->copy.present && !h->blind_copy.present) {
        h->primary.present = true;
        h->primary.arr = ipm_rcpt;
        h->primary.n = n;
    }
    if (!h->has_subject) {
        const char *subject = json_string_value(json_object_get(param, "subject"));
        if (subject == NULL)
            snprintf(subj, subj_size, "FW: %s", e->attrs.subject ? e->attrs.subject : "");
        else
            snprintf(subj, subj_size, "%s", subject);
        h->has_subject = true;
        h->subject.bytes = ber_slice_make(subj, strlen(subj));
    }
    if (h->importance < 0)
        h->importance = e->attrs.importance != X400MS_IPM_ABSENT ? e->attrs.importance
                                                                 : IPM_IMPORTANCE_NORMAL;
    h->auto_forwarded = true; /* X.420 7.2.16 auto-forwarded [14] */
    return 0;
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

    /* ---- content: the cover note, then the delivered object ---- */
    struct ber_error be;
    memset(&be, 0, sizeof be);
    struct ipms_object orig_obj;
    memset(&orig_obj, 0, sizeof orig_obj);
    bool p22 = e->content_len > 0 &&
               ipms_object_decode(ber_slice_make(e->content, e->content_len), &orig_obj, &be) == 0;
    struct ber_writer inner;
    ber_writer_init(&inner);
    struct ipm_body_part parts[2];
    memset(parts, 0, sizeof parts);
    uint32_t n_parts = 0;
    /* forwarding-cover-note: the registered BodyPart, whatever its type */
    struct fwd_blob cover_ber;
    if ((rc = fwd_hex_get(param, "cover_note_ber", &cover_ber, err)) < 0)
        return rc;
    const char *cover = json_string_value(json_object_get(param, "cover_note"));
    if (rc > 0) {
        parts[n_parts].kind = IPM_BP_OTHER; /* re-emitted whole */
        parts[n_parts].whole = ber_slice_make(cover_ber.p, cover_ber.len);
        n_parts++;
    } else if (cover != NULL && cover[0] != '\0') {
        parts[n_parts].kind = IPM_BP_IA5_TEXT;
        parts[n_parts].repertoire = 5;
        parts[n_parts].text.bytes = ber_slice_make(cover, strlen(cover));
        n_parts++;
    }
    if (p22 && orig_obj.kind == IPMS_OBJ_IPM) {
        ipms_ipm_encode(&inner, BER_UNIV(BER_SEQUENCE), &orig_obj.ipm);
        parts[n_parts].kind = IPM_BP_MESSAGE;
        parts[n_parts].ipm = ber_writer_slice(&inner);
    } else if (p22) {
        put_notification_bp(&inner, &orig_obj.ipn,
                            json_is_true(json_object_get(param, "include_returned_ipm")));
        parts[n_parts].kind = IPM_BP_OTHER;
        parts[n_parts].whole = ber_writer_slice(&inner);
    } else {
        parts[n_parts].kind = IPM_BP_BILATERAL;
        parts[n_parts].text.bytes = ber_slice_make(e->content, e->content_len);
    }
    n_parts++;
    if (inner.error) {
        ber_writer_free(&inner);
        fwd_blob_free(&cover_ber);
        return x400ms_error_set(err, inner.error, "cannot re-encode the forwarded object");
    }

    char local_id[128], subj[IPMS_UB_SUBJECT + 1];
    struct fwd_blob heading_keep;
    struct ipms_object out;
    memset(&out, 0, sizeof out);
    out.kind = IPMS_OBJ_IPM;
    rc = make_heading(param, &orig, e, seq, ipm_rcpt, (uint32_t)n, &out.ipm.heading, &heading_keep,
                      local_id, sizeof local_id, subj, sizeof subj, err);
    if (rc < 0) {
        ber_writer_free(&inner);
        fwd_blob_free(&cover_ber);
        return rc;
    }
    out.ipm.body_array = parts;
    out.ipm.n_body_array = n_parts;

    struct ber_writer cw, ew;
    ber_writer_init(&cw);
    ber_writer_init(&ew);
    ipms_object_encode(&cw, &out);
    int erc = put_envelope(&ew, param, &orig, priority_of(param, e), env_rcpt, (uint32_t)n, err);
    rc = erc < 0 ? erc : cw.error ? cw.error : ew.error;
    if (rc == 0) {
        *content_r = fwd_copy_out(&cw, content_len_r);
        *env_r = fwd_copy_out(&ew, env_len_r);
        if (*content_r == NULL || *env_r == NULL) {
            free(*content_r);
            free(*env_r);
            rc = X400MS_ENOMEM;
        }
    }
    if (rc < 0 && erc == 0)
        x400ms_error_set(err, rc, "cannot encode the forwarded message");
    fwd_blob_free(&heading_keep);
    fwd_blob_free(&cover_ber);
    ber_writer_free(&inner);
    ber_writer_free(&cw);
    ber_writer_free(&ew);
    return rc;
}

void fwd_summary(const uint8_t *content, size_t content_len, const uint8_t *env, size_t env_len,
                 int *priority_r, char *subject, size_t subject_size)
{
    struct ber_error be;
    struct ber_ctx c;
    struct ber_tlv t;
    struct mts_submission_envelope me;
    struct ipms_object o;
    memset(&be, 0, sizeof be);
    *priority_r = MTS_PRIORITY_NORMAL;
    subject[0] = '\0';
    ber_ctx_init(&c, env, env_len, &be);
    if (ber_decode_top(&c, &t, "MessageSubmissionEnvelope") == 0 &&
        mts_submission_envelope_decode_tlv(&c, &t, &me) == 0)
        *priority_r = me.priority;
    if (ipms_object_decode(ber_slice_make(content, content_len), &o, &be) == 0 &&
        o.kind == IPMS_OBJ_IPM && o.ipm.heading.has_subject) {
        size_t n = o.ipm.heading.subject.bytes.len < subject_size - 1 ? o.ipm.heading.subject.bytes.len
                                                                      : subject_size - 1;
        memcpy(subject, o.ipm.heading.subject.bytes.ptr, n);
        subject[n] = '\0';
    }
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
