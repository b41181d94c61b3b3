/* PDU builders of the hostile-input suite (pdus.h). */
#include "tests/integration/hostile/pdus.h"

#include <string.h>

#include "asn1/acse.h"
#include "asn1/pres.h"
#include "asn1/ros.h"
#include "asn1/spdu.h"
#include "x400ms/error.h"

#define HPDU_MAX_CTX 8

int hpdu_aarq(struct ber_writer *w, const char *context_oid, struct ber_slice bind_arg,
              int64_t bind_pctx)
{
    uint8_t oid[64];
    int olen = ber_oid_from_text(context_oid, oid, sizeof(oid));
    if (olen < 0)
        return olen;
    struct acse_apdu a;
    acse_init(&a, ACSE_AARQ);
    a.context_name = ber_slice_make(oid, (size_t)olen);
    ber_mark_t ui = ber_mark(w);
    if (bind_arg.ptr != NULL) {
        struct ros_pdu bind = { .type = ROS_BIND_INVOKE };
        ber_mark_t v = ber_mark(w);
        ber_put_slice(w, bind_arg);
        int rc = ros_encode_after(w, &bind, v); /* X.419: [16] bind-invoke */
        if (rc == 0)
            rc = acse_wrap_external(w, v, bind_pctx);
        if (rc != 0)
            return rc;
    }
    int rc = acse_encode_after(w, &a, ui);
    return rc != 0 ? rc : w->error;
}

int hpdu_cn(struct ber_writer *w, const struct hpdu_ctx *ctxs, size_t n, int64_t ud_pctx,
            struct ber_slice ud_value)
{
    static const uint8_t ber_ts[] = { 0x51, 0x01 }; /* 2.1.1 */
    uint8_t oids[HPDU_MAX_CTX][64];
    struct pres_connect cp;
    if (n > HPDU_MAX_CTX)
        return X400MS_ELIMIT;
    pres_connect_init(&cp);
    cp.has_context_list = true;
    cp.ncontexts = n;
    for (size_t i = 0; i < n; i++) {
        int l = ber_oid_from_text(ctxs[i].abstract_syntax, oids[i], sizeof(oids[i]));
        if (l < 0)
            return l;
        cp.contexts[i].id = ctxs[i].id;
        cp.contexts[i].abstract_syntax = ber_slice_make(oids[i], (size_t)l);
        cp.contexts[i].nts = 1;
        cp.contexts[i].transfer_syntax[0] = ber_slice_make(ber_ts, sizeof(ber_ts));
    }
    cp.user_data.present = true;
    cp.user_data.npdv = 1;
    cp.user_data.pdv[0].context_id = ud_pctx;
    cp.user_data.pdv[0].encoding = PRES_SINGLE_ASN1_TYPE;
    cp.user_data.pdv[0].value = ud_value;

    struct ber_writer p;
    ber_writer_init(&p);
    int rc = pres_encode_cp(&p, &cp);
    if (rc == 0)
        rc = p.error;
    if (rc == 0) {
        struct spdu s;
        spdu_init(&s, SPDU_CN);
        s.present |= SPDU_P_PROTOCOL_OPTIONS | SPDU_P_VERSION | SPDU_P_SESSION_REQUIREMENTS |
                     SPDU_P_USER_DATA;
        s.version = SPDU_VERSION_2;
        s.session_requirements = SPDU_SUR_DUPLEX;
        s.user_data = ber_writer_slice(&p);
        rc = spdu_encode(w, &s);
        if (rc == 0)
            rc = w->error;
    }
    ber_writer_free(&p);
    return rc;
}

int hpdu_echo_cn(struct ber_writer *w, const char *context_oid, struct ber_slice bind_arg)
{
    static const struct hpdu_ctx ctxs[] = { { 1, "2.2.1.0.1" }, { 3, "2.999.1.2" } };
    struct ber_writer a;
    ber_writer_init(&a);
    int rc = hpdu_aarq(&a, context_oid, bind_arg, 3);
    if (rc == 0)
        rc = hpdu_cn(w, ctxs, 2, 1, ber_writer_slice(&a));
    ber_writer_free(&a);
    return rc;
}

int hpdu_invoke(struct ber_writer *w, int64_t id, int64_t opcode, struct ber_slice arg)
{
    struct ros_pdu r;
    memset(&r, 0, sizeof(r));
    r.type = ROS_INVOKE;
    r.invoke_id = id;
    r.opcode.local = opcode;
    r.has_argument = arg.ptr != NULL;
    r.argument = arg;
    int rc = ros_encode(w, &r);
    return rc != 0 ? rc : w->error;
}
