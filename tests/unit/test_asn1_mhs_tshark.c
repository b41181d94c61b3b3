/* Unit test: what the MHS codecs encode, inside complete associations
 * (TPKT/COTP, session, presentation, ACSE, ROSE from the OSI
 * codecs), dissected by tshark with no malformed frame and no error-level
 * expert item. P7 uses the 1988 abstract syntaxes (the only ones
 * Wireshark's P7 dissector registers); P3 the mts-access-88 context.
 * Skipped when $TSHARK is empty. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "asn1/acse.h"
#include "asn1/ms.h"
#include "asn1/mts.h"
#include "asn1/oid.h"
#include "asn1/pres.h"
#include "asn1/ros.h"
#include "asn1/spdu.h"
#include "tests/lib/x4pcap.h"

#define CTX_ACSE 1
#define CTX_BIND 3
#define CTX_OPS 5

static uint8_t frame[80000];

static struct or_address addr(const char *text)
{
    struct or_address a;

    if (or_address_parse(text, strlen(text), &a, NULL) < 0)
        fail_msg("bad test address %s", text);
    return a;
}

static void send_tsdu(struct x4pcap *pc, bool from_client, struct ber_writer *w)
{
    size_t n = x4pcap_tpkt_dt(frame, sizeof(frame), ber_writer_data(w), ber_writer_len(w));

    assert_true(n > 0);
    assert_int_equal(x4pcap_write(pc, from_client, frame, n), 0);
}

/* CN carrying CP { contexts } { AARQ { ctx, EXTERNAL { bind ctx, bind-invoke arg } } }
 * and the AC answer with bind-result. `arg_w` holds the encoded bind value. */
static void associate(struct x4pcap *pc, struct ber_slice app_context, const struct ber_slice *syntaxes,
                      int nsyntax, struct ber_slice bind_arg, struct ber_slice bind_result)
{
    static struct acse_apdu a;
    static struct pres_connect cp;
    struct ros_pdu r;
    struct spdu s;
    struct ber_writer w, w2;
    ber_mark_t m;

    ber_writer_init(&w);
    ber_writer_init(&w2);
    acse_init(&a, ACSE_AARQ);
    a.context_name = app_context;
    m = ber_mark(&w);
    ber_put_raw(&w, bind_arg.ptr, bind_arg.len);
    memset(&r, 0, sizeof(r));
    r.type = ROS_BIND_INVOKE;
    assert_int_equal(ros_encode_after(&w, &r, m), 0);
    assert_int_equal(acse_wrap_external(&w, m, CTX_BIND), 0);
    assert_int_equal(acse_encode_after(&w, &a, m), 0);
    pres_connect_init(&cp);
    cp.calling_selector = ber_slice_make("\x00\x01", 2);
    cp.called_selector = ber_slice_make("\x00\x01", 2);
    cp.has_context_list = true;
    cp.ncontexts = (size_t)nsyntax;
    for (int i = 0; i < nsyntax; i++) {
        cp.contexts[i].id = 1 + 2 * i;
        cp.contexts[i].abstract_syntax = syntaxes[i];
        cp.contexts[i].nts = 1;
        cp.contexts[i].transfer_syntax[0] = oid_ber;
    }
    cp.user_data.present = true;
    cp.user_data.npdv = 1;
    cp.user_data.pdv[0].context_id = CTX_ACSE;
    cp.user_data.pdv[0].value = ber_writer_slice(&w);
    assert_int_equal(pres_encode_cp(&w2, &cp), 0);
    spdu_init(&s, SPDU_CN);
    s.present = SPDU_P_PROTOCOL_OPTIONS | SPDU_P_VERSION | SPDU_P_SESSION_REQUIREMENTS |
                SPDU_P_USER_DATA | SPDU_P_CALLING_SSEL | SPDU_P_CALLED_SSEL;
    s.version = SPDU_VERSION_2;
    s.session_requirements = SPDU_SUR_DUPLEX;
    s.calling_ssel = ber_slice_make("\x00\x01", 2);
    s.called_ssel = ber_slice_make("\x00\x01", 2);
    s.user_data = ber_writer_slice(&w2);
    ber_writer_reset(&w);
    assert_int_equal(spdu_encode(&w, &s), 0);
    send_tsdu(pc, true, &w);

    ber_writer_reset(&w);
    acse_init(&a, ACSE_AARE);
    a.context_name = app_context;
    a.result = ACSE_ACCEPTED;
    a.diagnostic_source = ACSE_DIAG_SERVICE_USER;
    a.diagnostic = ACSE_USER_NULL;
    m = ber_mark(&w);
    ber_put_raw(&w, bind_result.ptr, bind_result.len);
    r.type = ROS_BIND_RESULT;
    assert_int_equal(ros_encode_after(&w, &r, m), 0);
    assert_int_equal(acse_wrap_external(&w, m, CTX_BIND), 0);
    assert_int_equal(acse_encode_after(&w, &a, m), 0);
    pres_connect_init(&cp);
    cp.responding_selector = ber_slice_make("\x00\x01", 2);
    cp.has_result_list = true;
    cp.nresults = (size_t)nsyntax;
    for (int i = 0; i < nsyntax; i++) {
        cp.results[i].result = PRES_ACCEPTANCE;
        cp.results[i].transfer_syntax = oid_ber;
    }
    cp.user_data.present = true;
    cp.user_data.npdv = 1;
    cp.user_data.pdv[0].context_id = CTX_ACSE;
    cp.user_data.pdv[0].value = ber_writer_slice(&w);
    ber_writer_reset(&w2);
    assert_int_equal(pres_encode_cpa(&w2, &cp), 0);
    spdu_init(&s, SPDU_AC);
    s.present = SPDU_P_PROTOCOL_OPTIONS | SPDU_P_VERSION | SPDU_P_SESSION_REQUIREMENTS | SPDU_P_USER_DATA;
    s.version = SPDU_VERSION_2;
    s.session_requirements = SPDU_SUR_DUPLEX;
    s.user_data = ber_writer_slice(&w2);
    ber_writer_reset(&w);
    assert_int_equal(spdu_encode(&w, &s), 0);
    send_tsdu(pc, false, &w);
    ber_writer_free(&w);
    ber_writer_free(&w2);
}

/* P-DATA { GT DT { fully-encoded-data { ctx, ROS pdu { value } } } }; the
 * value is what encode() pushes. */
static void send_op(struct x4pcap *pc, bool from_client, enum ros_type type, int64_t invoke_id,
                    int64_t opcode, int (*encode)(struct ber_writer *, const void *), const void *val)
{
    struct ber_writer w;
    struct ros_pdu r;
    ber_mark_t m;

    ber_writer_init(&w);
    m = ber_mark(&w);
    assert_int_equal(encode(&w, val), 0);
    memset(&r, 0, sizeof(r));
    r.type = type;
    r.invoke_id = invoke_id;
    r.opcode.local = opcode;
    r.has_result = type == ROS_RETURN_RESULT;
    assert_int_equal(ros_encode_after(&w, &r, m), 0);
    assert_int_equal(pres_wrap_single(&w, m, CTX_OPS), 0);
    assert_int_equal(spdu_encode_gt_dt(&w, ber_slice_make(NULL, 0)), 0);
    send_tsdu(pc, from_client, &w);
    ber_writer_free(&w);
}

static void release(struct x4pcap *pc)
{
    static struct acse_apdu a;
    struct ber_writer w, w2;
    struct spdu s;
    ber_mark_t m;

    ber_writer_init(&w);
    ber_writer_init(&w2);
    for (int k = 0; k < 2; k++) {
        ber_writer_reset(&w);
        acse_init(&a, k == 0 ? ACSE_RLRQ : ACSE_RLRE);
        a.has_reason = true;
        a.reason = ACSE_RELEASE_NORMAL;
        m = ber_mark(&w);
        assert_int_equal(acse_encode(&w, &a), 0);
        assert_int_equal(pres_wrap_single(&w, m, CTX_ACSE), 0);
        ber_writer_reset(&w2);
        ber_put_raw(&w2, ber_writer_data(&w), ber_writer_len(&w));
        spdu_init(&s, k == 0 ? SPDU_FN : SPDU_DN);
        s.present = SPDU_P_USER_DATA | (k == 0 ? SPDU_P_TRANSPORT_DISCONNECT : 0);
        s.transport_disconnect = SPDU_TD_RELEASED;
        s.user_data = ber_writer_slice(&w2);
        ber_writer_reset(&w);
        assert_int_equal(spdu_encode(&w, &s), 0);
        send_tsdu(pc, k == 0, &w);
    }
    ber_writer_free(&w);
    ber_writer_free(&w2);
}

static void check_pcap(const char *path, uint16_t port, const char *const *expect)
{
    char report[4096];
    static char verbose[1 << 20];
    int rc = x4_tshark_check(path, port, report, sizeof(report), verbose, sizeof(verbose));

    if (rc != 0)
        print_message("tshark report for %s:\n%s\n", path, report);
    assert_int_equal(rc, 0);
    for (; *expect; expect++)
        if (!strstr(verbose, *expect))
            fail_msg("tshark output of %s lacks \"%s\"", path, *expect);
    unlink(path);
}

/* ---- the values ----------------------------------------------------------- */

static int enc_ms_bind_arg(struct ber_writer *w, const void *v) { return ms_bind_arg_encode(w, v); }
static int enc_ms_bind_result(struct ber_writer *w, const void *v) { return ms_bind_result_encode(w, v); }
static int enc_list_arg(struct ber_writer *w, const void *v) { return ms_list_arg_encode(w, v); }
static int enc_list_result(struct ber_writer *w, const void *v) { return ms_list_result_encode(w, v); }
static int enc_fetch_arg(struct ber_writer *w, const void *v) { return ms_fetch_arg_encode(w, v); }
static int enc_fetch_result(struct ber_writer *w, const void *v) { return ms_fetch_result_encode(w, v); }
static int enc_delivery_arg(struct ber_writer *w, const void *v) { return mts_delivery_arg_encode(w, v); }
static int enc_delivery_result(struct ber_writer *w, const void *v) { return mts_delivery_result_encode(w, v); }
static int enc_mts_bind_arg(struct ber_writer *w, const void *v) { return mts_bind_arg_encode(w, v); }
static int enc_mts_bind_result(struct ber_writer *w, const void *v) { return mts_bind_result_encode(w, v); }

static struct ber_slice encoded(int (*enc)(struct ber_writer *, const void *), const void *v,
                                struct ber_writer *w)
{
    ber_writer_init(w);
    assert_int_equal(enc(w, v), 0);
    return ber_writer_slice(w);
}

static const uint8_t oid_att_subject[] = { 0x56, 0x01, 0x07, 0x04 }; /* 2.6.1.7.4 */
static const uint8_t oid_att_status[] = { 0x56, 0x04, 0x03, 0x0f };  /* 2.6.4.3.15 */

static void test_mhs_tshark_p7_association(void **state)
{
    const struct ber_slice syntaxes[3] = { oid_acse_as, oid_as_ms_88, oid_as_mrse_88 };
    char path[] = "/tmp/x400ms-p7-XXXXXX";
    struct ms_bind_arg ba;
    struct ms_bind_result br;
    struct ms_list_arg la;
    struct ms_list_result lr;
    struct ms_fetch_arg fa;
    struct ms_fetch_result fr;
    struct ms_attr_selection sel[2];
    struct ms_entry_info ents[2];
    struct ms_attribute attrs[2];
    struct ber_slice v_status[1], v_subject[1];
    struct ber_writer wa, wb;
    struct x4pcap *pc;
    int fd;
    static const char *const expect[] = { "aarq", "aare", "bind-invoke", "bind-result",
                                          "initiator-name", "initiator-credentials",
                                          "ListArgument", "ListResult", "FetchArgument", "FetchResult",
                                          "precise: 3", NULL };

    (void)state;
    if (!x4_tshark_path()) {
        print_message("TSHARK not set: skipping the tshark check\n");
        skip();
    }
    fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    pc = x4pcap_open(path, 40001, 10103);
    assert_non_null(pc);

    memset(&ba, 0, sizeof(ba));
    ba.initiator_name = addr("/C=XX/A= /P=TEST/O=Org/OU1=Sales/S=alice/G=Ann/");
    ba.credentials.password = ber_slice_make("secret", 6);
    memset(&br, 0, sizeof(br));
    br.credentials.password = ber_slice_make("ms", 2);
    associate(pc, oid_ac_ms_access_88, syntaxes, 3, encoded(enc_ms_bind_arg, &ba, &wa),
              encoded(enc_ms_bind_result, &br, &wb));
    ber_writer_free(&wa);
    ber_writer_free(&wb);

    /* List: sequence numbers 1..100, limit 10, two requested attributes */
    memset(&la, 0, sizeof(la));
    la.selector.range = MS_RANGE_SEQUENCE_NUMBER;
    la.selector.has_from = la.selector.has_to = true;
    la.selector.from_seq = 1;
    la.selector.to_seq = 100;
    la.selector.has_limit = true;
    la.selector.limit = 10;
    memset(sel, 0, sizeof(sel));
    sel[0].type = ber_slice_make(oid_att_status, 4);
    sel[1].type = ber_slice_make(oid_att_subject, 4);
    la.requested_array = sel;
    la.n_requested_array = 2;
    send_op(pc, true, ROS_INVOKE, 1, MS_OP_LIST, enc_list_arg, &la);
    v_status[0] = ber_slice_make("\x02\x01\x00", 3);
    v_subject[0] = ber_slice_make("\x14\x05Hello", 7);
    memset(attrs, 0, sizeof(attrs));
    attrs[0].type = ber_slice_make(oid_att_status, 4);
    attrs[0].value_array = v_status;
    attrs[0].n_value_array = 1;
    attrs[1].type = ber_slice_make(oid_att_subject, 4);
    attrs[1].value_array = v_subject;
    attrs[1].n_value_array = 1;
    memset(ents, 0, sizeof(ents));
    for (int i = 0; i < 2; i++) {
        ents[i].sequence_number = 3 + i;
        ents[i].has_attributes = true;
        ents[i].attribute_array = attrs;
        ents[i].n_attribute_array = 2;
    }
    memset(&lr, 0, sizeof(lr));
    lr.requested_array = ents;
    lr.n_requested_array = 2;
    send_op(pc, false, ROS_RETURN_RESULT, 1, MS_OP_LIST, enc_list_result, &lr);

    /* Fetch precise 3 */
    memset(&fa, 0, sizeof(fa));
    fa.precise = true;
    fa.sequence_number = 3;
    fa.requested_array = sel;
    fa.n_requested_array = 1;
    send_op(pc, true, ROS_INVOKE, 2, MS_OP_FETCH, enc_fetch_arg, &fa);
    memset(&fr, 0, sizeof(fr));
    fr.has_entry = true;
    fr.entry = ents[0];
    send_op(pc, false, ROS_RETURN_RESULT, 2, MS_OP_FETCH, enc_fetch_result, &fr);
    release(pc);
    assert_int_equal(x4pcap_close(pc), 0);
    check_pcap(path, 10103, expect);
}

static void test_mhs_tshark_p3_delivery(void **state)
{
    const struct ber_slice syntaxes[3] = { oid_acse_as, oid_as_mts, oid_as_mdse_88 };
    char path[] = "/tmp/x400ms-p3-XXXXXX";
    static uint8_t content[4000];
    struct mts_bind_arg ba;
    struct mts_bind_result br;
    struct mts_delivery_arg d;
    struct mts_delivery_result dr;
    struct ber_writer wa, wb;
    struct x4pcap *pc;
    int fd;
    static const char *const expect[] = { "aarq", "bind-invoke", "MTSBindArgument",
                                          "MessageDeliveryArgument", "this-recipient-name",
                                          "MessageDeliveryResult", NULL };

    (void)state;
    if (!x4_tshark_path()) {
        print_message("TSHARK not set: skipping the tshark check\n");
        skip();
    }
    fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    pc = x4pcap_open(path, 40002, 10104);
    assert_non_null(pc);

    /* The MTA initiates to deliver (mts-forced-access would be the
     * strict choice; tshark decodes both as P3). */
    memset(&ba, 0, sizeof(ba));
    ba.initiator_name.kind = MTS_OBJ_MTA;
    ba.initiator_name.mta = mhs_str_make("mta.example", 11, BER_IA5_STRING);
    ba.credentials.password = ber_slice_make("secret", 6);
    memset(&br, 0, sizeof(br));
    br.responder_name.kind = MTS_OBJ_MESSAGE_STORE;
    br.responder_name.orname = addr("/C=XX/A= /P=TEST/O=Org/CN=ms/");
    br.credentials.password = ber_slice_make("ms", 2);
    associate(pc, oid_ac_mts_access_88, syntaxes, 3, encoded(enc_mts_bind_arg, &ba, &wa),
              encoded(enc_mts_bind_result, &br, &wb));
    ber_writer_free(&wa);
    ber_writer_free(&wb);

    for (size_t i = 0; i < sizeof(content); i++)
        content[i] = (uint8_t)i;
    memset(&d, 0, sizeof(d));
    d.delivery_identifier.gdi.country = mhs_str_make("XX", 2, BER_PRINTABLE_STRING);
    d.delivery_identifier.gdi.admd = mhs_str_make(" ", 1, BER_PRINTABLE_STRING);
    d.delivery_identifier.gdi.prmd = mhs_str_make("TEST", 4, BER_PRINTABLE_STRING);
    d.delivery_identifier.local = mhs_str_make("dlv-1", 5, BER_IA5_STRING);
    d.delivery_time = mhs_time_make(1795332761);
    d.content_type.present = d.content_type.builtin = true;
    d.content_type.builtin_value = MTS_CONTENT_P22_1988;
    d.originator_name = addr("/C=XX/A= /P=TEST/O=Org/S=alice/");
    d.priority = MTS_PRIORITY_URGENT;
    d.this_recipient_name = addr("/C=XX/A= /P=TEST/O=Org/S=bob/");
    d.submission_time = mhs_time_make(1795332700);
    d.content_identifier = mhs_str_make("cid-1", 5, BER_PRINTABLE_STRING);
    d.content.bytes = ber_slice_make(content, sizeof(content));
    send_op(pc, false, ROS_INVOKE, 1, MTS_OP_MESSAGE_DELIVERY, enc_delivery_arg, &d);
    memset(&dr, 0, sizeof(dr));
    send_op(pc, true, ROS_RETURN_RESULT, 1, MTS_OP_MESSAGE_DELIVERY, enc_delivery_result, &dr);
    release(pc);
    assert_int_equal(x4pcap_close(pc), 0);
    check_pcap(path, 10104, expect);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mhs_tshark_p7_association),
        cmocka_unit_test(test_mhs_tshark_p3_delivery),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
