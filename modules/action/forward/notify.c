/* The non-receipt notification an auto-forward owes the originator
 * (X.420 IPN, NonReceiptFields with non-receipt-reason ipm-auto-forwarded).
 *
 * X.420: an IPM's originator asks each recipient for notifications in the
 * recipient's RecipientSpecifier (notification-requests: rn, nrn,
 * ipm-return). When the recipient's MS auto-forwards the IPM (ipm-auto-
 * forward, X.420 clause 19) and nrn was requested for that recipient, an
 * NRN is originated to the IPM's originator with
 *   subject-ipm           the forwarded IPM's this-IPM,
 *   ipn-originator        the recipient (this mailbox's O/R address),
 *   non-receipt-reason    ipm-auto-forwarded (1),
 *   auto-forward-comment  the registration's nrn-comment, when given,
 *   returned-ipm          the IPM itself, when ipm-return was requested.
 * It is a P22 content submitted through the MTS provider like the forward
 * itself, and only once the MTS accepted the forward (forward.c). Nothing
 * is owed for a content that is not an IPM, or when the originator did not
 * ask (no recipient specifier of this mailbox with nrn). */
#define X400MS_LOG_MODULE "forward"
#include <stdlib.h>
#include <string.h>

#include "asn1/ber.h"
#include "asn1/ipms.h"
#include "asn1/mts.h"
#include "asn1/orname.h"
#include "modules/action/forward/forward.h"

/* The notification-requests the IPM's heading carries for `me`, searching
 * primary, copy and blind-copy recipients (X.420 RecipientSpecifier). */
static uint32_t requests_for(const struct ipm_heading *h, const struct or_address *me)
{
    const struct ipm_recipient_list *lists[] = { &h->primary, &h->copy, &h->blind_copy };
    struct ber_error be;
    memset(&be, 0, sizeof be);
    for (size_t l = 0; l < 3; l++) {
        if (!lists[l]->present)
            continue;
        struct mhs_seq_iter it;
        struct ipm_recipient r;
        mhs_seq_iter_init(&it, &lists[l]->raw, &be);
        while (ipm_recipient_next(&it, &r) == 1)
            if (r.recipient.has_formal_name && or_address_match(&r.recipient.formal_name, me))
                return r.notification_requests;
    }
    return 0;
}

int fwd_build_nrn(const json_t *param, const char *ms_address, const struct x400ms_store_entry *e,
                  struct fwd_nrn *out, struct x400ms_error *err)
{
    memset(out, 0, sizeof *out);
    struct ber_error be;
    memset(&be, 0, sizeof be);
    struct ipms_object obj;
    if (e->content_len == 0 ||
        ipms_object_decode(ber_slice_make(e->content, e->content_len), &obj, &be) < 0 ||
        obj.kind != IPMS_OBJ_IPM)
        return 0;
    const struct ipm_heading *h = &obj.ipm.heading;
    struct or_address me, to;
    int rc = or_address_parse(ms_address, strlen(ms_address), &me, err);
    if (rc < 0)
        return rc;
    uint32_t req = requests_for(h, &me);
    if (!(req & IPM_NOTIFY_NRN))
        return 0;
    /* the IPN goes to the IPM's originator: its heading's originator, else
     * the originator the MTS delivered it from */
    if (h->has_originator && h->originator.has_formal_name)
        to = h->originator.formal_name;
    else if (e->attrs.originator == NULL ||
             (rc = or_address_parse(e->attrs.originator, strlen(e->attrs.originator), &to, err)) < 0)
        return rc < 0 ? rc : x400ms_error_set(err, X400MS_EINVAL, "the IPM names no originator");
    if (or_address_format(&to, OR_TEXT_SLASH, out->to, sizeof out->to) < 0)
        out->to[0] = '\0';

    struct ber_writer rw, cw, ew;
    ber_writer_init(&rw);
    ber_writer_init(&cw);
    ber_writer_init(&ew);
    struct ipms_object nrn;
    memset(&nrn, 0, sizeof nrn);
    nrn.kind = IPMS_OBJ_IPN;
    struct ipn *n = &nrn.ipn;
    n->subject_ipm = h->this_ipm;
    n->has_ipn_originator = true;
    n->ipn_originator.has_formal_name = true;
    n->ipn_originator.formal_name = me;
    n->kind = IPN_NON_RECEIPT;
    n->non_receipt_reason = 1; /* ipm-auto-forwarded */
    n->discard_reason = -1;
    const char *comment = json_string_value(json_object_get(param, "nrn_comment"));
    if (comment != NULL)
        n->auto_forward_comment = mhs_str_make(comment, strlen(comment), BER_PRINTABLE_STRING);
    if (req & IPM_NOTIFY_IPM_RETURN) {
        /* returned-ipm [3] IMPLICIT IPM */
        ipms_ipm_encode(&rw, BER_CTX(3), &obj.ipm);
        n->returned_ipm = ber_writer_slice(&rw);
        out->returned_ipm = true;
    }
    ipms_object_encode(&cw, &nrn);

    struct mts_submission_recipient rcpt;
    memset(&rcpt, 0, sizeof rcpt);
    rcpt.recipient_name = to;
    rcpt.originator_report_request = MTS_ORR_NON_DELIVERY_REPORT;
    fwd_encode_p22_envelope(&ew, &me, MTS_PRIORITY_NORMAL, &rcpt, 1);

    rc = rw.error ? rw.error : cw.error ? cw.error : ew.error;
    if (rc == 0) {
        out->content = fwd_copy_out(&cw, &out->content_len);
        out->envelope = fwd_copy_out(&ew, &out->envelope_len);
        if (out->content == NULL || out->envelope == NULL) {
            fwd_nrn_free(out);
            rc = X400MS_ENOMEM;
        }
    }
    ber_writer_free(&rw);
    ber_writer_free(&cw);
    ber_writer_free(&ew);
    if (rc < 0)
        return x400ms_error_set(err, rc, "cannot encode the non-receipt notification");
    return 1;
}

void fwd_nrn_free(struct fwd_nrn *n)
{
    free(n->envelope);
    free(n->content);
    n->envelope = n->content = NULL;
}
