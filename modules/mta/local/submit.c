/* modules/mta/local/submit.c: checking a submission (X.411 8.2.1.1.3 /
 * 8.2.1.2.3 submission errors) and the fields the MTA derives from it. */
#define X400MS_LOG_MODULE "mta_local"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modules/mta/local/mta.h"
#include "x400ms/log.h"

int mtal_urgency_rank(int priority)
{
    /* X.411 Priority: normal 0, non-urgent 1, urgent 2 (not an order) */
    return priority == MTS_PRIORITY_URGENT ? 2 : priority == MTS_PRIORITY_NORMAL ? 1 : 0;
}

int mtal_decode_envelope(const struct mtal_item *it, struct mts_submission_envelope *e,
                         struct x400ms_error *err)
{
    struct ber_error berr = { 0 };
    struct ber_slice in = ber_slice_make(it->envelope, it->envelope_len);
    memset(e, 0, sizeof *e);
    int rc;
    if (it->probe) {
        rc = mts_probe_submission_arg_decode(in, e, &berr);
    } else {
        struct ber_ctx c;
        struct ber_tlv t;
        ber_ctx_init(&c, in.ptr, in.len, &berr);
        rc = ber_decode_top(&c, &t, "MessageSubmissionEnvelope");
        if (rc >= 0)
            rc = mts_submission_envelope_decode_tlv(&c, &t, e);
    }
    if (rc < 0)
        return ber_error_to_x400ms(&berr, err, it->probe ? "ProbeSubmissionEnvelope"
                                                         : "MessageSubmissionEnvelope");
    return 0;
}

int64_t mtal_latest_delivery_time(const struct mts_submission_envelope *e)
{
    struct mhs_seq_iter i;
    struct ber_error berr = { 0 };
    struct mts_extension x;
    mhs_seq_iter_init(&i, &e->extensions, &berr);
    while (mts_extension_next(&i, &x) > 0) {
        if (x.is_private || x.standard != MTAL_EXT_LATEST_DELIVERY_TIME || x.value.len == 0)
            continue;
        /* LatestDeliveryTime ::= Time (UTCTime) */
        struct ber_ctx c;
        struct ber_tlv t;
        struct mhs_time v;
        ber_ctx_init(&c, x.value.ptr, x.value.len, &berr);
        if (ber_decode_top(&c, &t, "LatestDeliveryTime") >= 0 &&
            mhs_get_time(&c, &t, "LatestDeliveryTime", &v) >= 0 && v.present)
            return (int64_t)v.sec;
    }
    return 0;
}

static void gdi_str(struct mhs_str *s, const char *text)
{
    if (text == NULL || text[0] == '\0') {
        *s = mhs_str_make(NULL, 0, 0);
        return;
    }
    bool numeric = strspn(text, "0123456789 ") == strlen(text) && text[0] != ' ';
    *s = mhs_str_make(text, strlen(text), numeric ? BER_NUMERIC_STRING : BER_PRINTABLE_STRING);
}

void mtal_identifier(const struct mtal *m, const struct mtal_item *it, struct mts_identifier *id)
{
    memset(id, 0, sizeof *id);
    gdi_str(&id->gdi.country, m->country);
    gdi_str(&id->gdi.admd, m->admd);
    gdi_str(&id->gdi.prmd, m->prmd);
    id->local = mhs_str_make(it->id, strlen(it->id), BER_IA5_STRING);
}
