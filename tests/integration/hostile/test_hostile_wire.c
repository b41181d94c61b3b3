/* Hostile input on the wire, layer by layer, against the real daemon
 * (rfc1006 + the OSI stack + the tests-only echo module): TPKT, X.224,
 * X.225 session, X.226 presentation, X.227 ACSE, BER, X.880 ROSE.
 *
 * Each case sends its attack from a real socket, then checks: the answer the
 * standard gives (ER, RF, AARE reject, ROSE reject ...) or a close; a log
 * line naming the peer and the cause; the daemon's RSS within 64 MiB of its
 * warmed-up baseline; and a healthy association right after. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "asn1/ros.h"
#include "asn1/tpkt.h"
#include "tests/integration/hostile/hostile.h"
#include "tests/integration/hostile/pdus.h"
#include "tests/lib/x4test.h"

static const uint8_t bind_ok[] = { 0x04, 0x02, 'o', 'k' };
#define BIND_OK ber_slice_make(bind_ok, sizeof(bind_ok))

static int setup(void **state)
{
    (void)state;
    return hostile_start(30, 5, 200);
}

static int teardown(void **state)
{
    (void)state;
    return hostile_stop();
}

/* A raw TCP connection; its peer name for the log checks into peer. */
static struct osic *raw_open(char *peer, size_t size)
{
    struct osic *c = osic_open(H.port, NULL, false);
    assert_non_null(c);
    c->timeout_ms = 5000;
    hostile_peer_name(c->fd, peer, size);
    return c;
}

/* ---- TPKT (RFC 1006) ---- */

static void test_hostile_garbage_before_tpkt_neg(void **state)
{
    (void)state;
    char peer[64];
    struct osic *c = raw_open(peer, sizeof(peer));
    static const char http[] = "GET / HTTP/1.1\r\nHost: x400ms\r\n\r\n";
    assert_int_equal(osic_send_raw(c, http, sizeof(http) - 1), 0);
    assert_true(hostile_wait_close(c->fd, 5000, NULL));
    osic_free(c);
    hostile_after(peer, "TPKT: version 0x47");
}

static void tpkt_length_case(uint16_t len, const char *cause)
{
    char peer[64];
    struct osic *c = raw_open(peer, sizeof(peer));
    uint8_t h[4];
    tpkt_put_header(h, len);
    h[2] = (uint8_t)(len >> 8); /* tpkt_put_header may refuse odd lengths: set them by hand */
    h[3] = (uint8_t)len;
    assert_int_equal(osic_send_raw(c, h, 4), 0);
    if (len > 4) {
        /* The body: a DT TPDU (before any CR) padded with zeros. */
        size_t n = (size_t)len - 4;
        uint8_t *body = calloc(1, n);
        assert_non_null(body);
        body[0] = 2;
        body[1] = X224_DT;
        body[2] = 0x80;
        assert_int_equal(osic_send_raw(c, body, n), 0);
        free(body);
    }
    assert_true(hostile_wait_close(c->fd, 5000, NULL));
    osic_free(c);
    hostile_after(peer, cause);
}

static void test_hostile_tpkt_length_0_neg(void **state)
{
    (void)state;
    tpkt_length_case(0, "TPKT: length 0");
}

static void test_hostile_tpkt_length_3_neg(void **state)
{
    (void)state;
    tpkt_length_case(3, "TPKT: length 3");
}

static void test_hostile_tpkt_length_65535_neg(void **state)
{
    (void)state;
    /* The largest TPKT there is, holding a DT before any CR: the answer is
     * an ER (X.224 13.12) or a close. */
    tpkt_length_case(65535, "DT unexpected before the CR");
}

/* ---- X.224 ---- */

static void test_hostile_cotp_unknown_tpdu_neg(void **state)
{
    (void)state;
    char peer[64];
    struct osic *c = hostile_open_cc();
    assert_non_null(c);
    hostile_peer_name(c->fd, peer, sizeof(peer));
    /* TPDU code 0x30 is assigned to nothing in X.224 Table 8. */
    static const uint8_t bad[] = { 0x03, 0x00, 0x00, 0x0B, 0x06, 0x30, 0x00, 0x01, 0x00, 0x02, 0x00 };
    assert_int_equal(osic_send_raw(c, bad, sizeof(bad)), 0);
    uint8_t code = 0;
    assert_true(hostile_wait_close(c->fd, 5000, &code));
    assert_int_equal(code, X224_ER); /* X.224 13.12: an ER, then the close */
    osic_free(c);
    hostile_after(peer, "unknown TPDU type");
}

/* ---- X.225 session ---- */

static void session_case(const uint8_t *tsdu, size_t n, const char *cause)
{
    char peer[64];
    struct osic *c = hostile_open_cc();
    assert_non_null(c);
    hostile_peer_name(c->fd, peer, sizeof(peer));
    assert_int_equal(osic_send_tsdu(c, tsdu, n), 0);
    int si = hostile_recv_si(c, 5000);
    fprintf(stderr, "# answer: SI %d (0: closed)\n", si);
    /* X.225: a refusal (RF 12) or an abort (AB 25), or the transport released. */
    if (si != 0 && si != 12 && si != 25)
        fprintf(stderr, "unexpected answer SI %d\n", si);
    assert_true(si == 0 || si == 12 || si == 25);
    assert_true(osic_wait_closed(c, 5000));
    osic_free(c);
    hostile_after(peer, cause);
}

static void test_hostile_session_pi_overruns_spdu_neg(void **state)
{
    (void)state;
    /* CN, LI 8: PGI 5 of 6 octets holding Protocol Options (1 octet) and a
     * Version Number PI that claims 9 octets: past the PGI and the SPDU. */
    static const uint8_t cn[] = { 0x0D, 0x08, 0x05, 0x06, 0x13, 0x01, 0x00, 0x16, 0x09, 0x02 };
    session_case(cn, sizeof(cn), "parameter runs past its SPDU");
}

static void test_hostile_session_li_overruns_tsdu_neg(void **state)
{
    (void)state;
    /* CN claiming 0xFFFF octets (3-octet LI form) in a 12-octet TSDU. */
    static const uint8_t cn[] = { 0x0D, 0xFF, 0xFF, 0xFF, 0x05, 0x06, 0x13, 0x01, 0x00, 0x16, 0x01, 0x02 };
    session_case(cn, sizeof(cn), "length past end of TSDU");
}

static void test_hostile_session_user_data_pi_zero_neg(void **state)
{
    (void)state;
    /* CN whose User Data PGI 193 is empty and Session User Requirements PI
     * has a 3-octet long-form length 0x0000: degenerate lengths. */
    static const uint8_t cn[] = { 0x0D, 0x0A, 0x14, 0xFF, 0x00, 0x00, 0xC1, 0x00, 0x05, 0x02, 0x16, 0x00 };
    session_case(cn, sizeof(cn), "bad parameter length");
}

/* ---- X.226 presentation and X.227 ACSE ---- */

static void test_hostile_presentation_no_acse_context_neg(void **state)
{
    (void)state;
    char peer[64];
    struct osic *c = hostile_open_cc();
    assert_non_null(c);
    hostile_peer_name(c->fd, peer, sizeof(peer));
    /* CP proposing only the echo syntax: the AARQ rides on it. */
    static const struct hpdu_ctx only_echo[] = { { 3, "2.999.1.2" } };
    struct ber_writer a, w;
    ber_writer_init(&a);
    ber_writer_init(&w);
    assert_int_equal(hpdu_aarq(&a, "2.999.1.1", BIND_OK, 3), 0);
    assert_int_equal(hpdu_cn(&w, only_echo, 1, 3, ber_writer_slice(&a)), 0);
    assert_int_equal(osic_send_tsdu(c, ber_writer_data(&w), ber_writer_len(&w)), 0);
    ber_writer_free(&a);
    ber_writer_free(&w);
    /* X.226 6.2.2.6: a CPR (in the RF's user data), or the session refuses. */
    assert_int_equal(hostile_recv_si(c, 5000), 12);
    struct osic_spdu s[1];
    assert_int_equal(osic_spdus(c->tsdu, c->tsdu_len, s, 1), 1);
    struct ber_slice ud = osic_user_data(&s[0]);
    assert_true(ud.len > 0);
    assert_int_equal(ud.ptr[0], 0x30); /* CPR-PPDU normal-mode-parameters: a SEQUENCE */
    assert_true(osic_wait_closed(c, 5000));
    osic_free(c);
    hostile_after(peer, "no ACSE context");
}

static void test_hostile_aarq_unknown_context_neg(void **state)
{
    (void)state;
    char peer[64];
    struct osic *c = hostile_open_cc();
    assert_non_null(c);
    hostile_peer_name(c->fd, peer, sizeof(peer));
    struct ber_writer w;
    ber_writer_init(&w);
    assert_int_equal(hpdu_echo_cn(&w, "2.999.77.1", BIND_OK), 0);
    assert_int_equal(osic_send_tsdu(c, ber_writer_data(&w), ber_writer_len(&w)), 0);
    ber_writer_free(&w);
    assert_int_equal(hostile_recv_si(c, 5000), 12);
    int64_t res, src, diag;
    assert_int_equal(osic_aare(c, &res, &src, &diag), 0);
    assert_int_equal(res, 1);  /* rejected-permanent */
    assert_int_equal(src, 1);  /* acse-service-user */
    assert_int_equal(diag, 2); /* application-context-name-not-supported */
    assert_true(osic_wait_closed(c, 5000));
    osic_free(c);
    hostile_after(peer, "2.999.77.1");
}

static void test_hostile_aarq_not_ber_neg(void **state)
{
    (void)state;
    char peer[64];
    struct osic *c = hostile_open_cc();
    assert_non_null(c);
    hostile_peer_name(c->fd, peer, sizeof(peer));
    /* The AARQ [APPLICATION 0] claims 0x7F octets and holds 3. */
    static const uint8_t aarq[] = { 0x60, 0x7F, 0x80, 0x02, 0x07 };
    static const struct hpdu_ctx ctxs[] = { { 1, "2.2.1.0.1" }, { 3, "2.999.1.2" } };
    struct ber_writer w;
    ber_writer_init(&w);
    assert_int_equal(hpdu_cn(&w, ctxs, 2, 1, ber_slice_make(aarq, sizeof(aarq))), 0);
    assert_int_equal(osic_send_tsdu(c, ber_writer_data(&w), ber_writer_len(&w)), 0);
    ber_writer_free(&w);
    int si = hostile_recv_si(c, 5000);
    fprintf(stderr, "# answer: SI %d (0: closed)\n", si);
    assert_true(si == 0 || si == 12 || si == 25);
    assert_true(osic_wait_closed(c, 5000));
    osic_free(c);
    hostile_after(peer, "CP PPDU refused");
}

/* ---- BER ---- */

static void test_hostile_ber_depth_bomb_in_aarq_neg(void **state)
{
    (void)state;
    char peer[64];
    struct osic *c = hostile_open_cc();
    assert_non_null(c);
    hostile_peer_name(c->fd, peer, sizeof(peer));
    /* 2,400 levels of [0] indefinite as the bind argument: 9.6 kB, within
     * Extended User Data (X.225: 10,240 octets). */
    size_t n;
    uint8_t *bomb = hostile_depth_bomb(2400, &n);
    assert_non_null(bomb);
    struct ber_writer w;
    ber_writer_init(&w);
    assert_int_equal(hpdu_echo_cn(&w, "2.999.1.1", ber_slice_make(bomb, n)), 0);
    free(bomb);
    assert_int_equal(osic_send_tsdu(c, ber_writer_data(&w), ber_writer_len(&w)), 0);
    ber_writer_free(&w);
    int si = hostile_recv_si(c, 5000);
    /* Refused (RF with an AARE reject or a CPR) or aborted: never accepted. */
    assert_true(si == 0 || si == 12 || si == 25);
    assert_true(osic_wait_closed(c, 5000));
    osic_free(c);
    hostile_after(peer, "AARQ refused");
}

static void test_hostile_ber_depth_bomb_in_invoke_neg(void **state)
{
    (void)state;
    char peer[64];
    struct osic *c = hostile_open_assoc();
    assert_non_null(c);
    hostile_peer_name(c->fd, peer, sizeof(peer));
    /* 200,000 levels (800 kB, under max_tsdu 4 MiB) as an invoke argument. */
    size_t n;
    uint8_t *bomb = hostile_depth_bomb(200000, &n);
    assert_non_null(bomb);
    struct ber_writer w;
    ber_writer_init(&w);
    assert_int_equal(hpdu_invoke(&w, 1, 1, ber_slice_make(bomb, n)), 0);
    free(bomb);
    assert_int_equal(hostile_send_rose(c, ber_writer_slice(&w)), 0);
    ber_writer_free(&w);
    int si = hostile_recv_si(c, 10000);
    /* A ROSE reject in a DT (1), or an abort (AB 25), or a close. */
    fprintf(stderr, "# answer: SI %d (0: closed)\n", si);
    assert_true(si == 0 || si == 1 || si == 25);
    if (si == 1) {
        struct ber_slice r;
        struct osic_spdu s[2];
        assert_int_equal(osic_spdus(c->tsdu, c->tsdu_len, s, 2), 2);
        int pctx;
        assert_int_equal(osic_pdv(osic_user_data(&s[1]), &pctx, &r), 0);
        assert_int_equal(r.ptr[0], 0xA4); /* reject */
        assert_int_equal(osic_release(c), 0);
    }
    osic_free(c);
    hostile_after(peer, "undecodable ROSE APDU");
}

/* One P-DATA whose ROSE invoke argument is `arg` (raw octets, malformed). */
static int rose_case(const uint8_t *invoke, size_t n, const char *cause)
{
    char peer[64];
    struct osic *c = hostile_open_assoc();
    assert_non_null(c);
    hostile_peer_name(c->fd, peer, sizeof(peer));
    assert_int_equal(hostile_send_rose(c, ber_slice_make(invoke, n)), 0);
    int si = hostile_recv_si(c, 5000);
    fprintf(stderr, "# answer: SI %d (0: closed)\n", si);
    assert_true(si == 0 || si == 1 || si == 25);
    if (si == 1)
        assert_int_equal(osic_release(c), 0);
    else
        assert_true(osic_wait_closed(c, 5000));
    osic_free(c);
    hostile_after(peer, cause);
    return si;
}

static void test_hostile_ber_length_2_31_neg(void **state)
{
    (void)state;
    /* invoke [1] { id 1, opcode 1, OCTET STRING of length 2^31 } with 2
     * octets of content: the length is four octets 80 00 00 00. */
    static const uint8_t inv[] = { 0xA1, 0x0E, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01,
                                   0x04, 0x84, 0x80, 0x00, 0x00, 0x00, 'h', 'i' };
    rose_case(inv, sizeof(inv), "undecodable ROSE APDU");
}

static void test_hostile_ber_length_2_64_minus_1_neg(void **state)
{
    (void)state;
    /* The same with an 8-octet length FF..FF (size_t overflow bait), and an
     * outer length that claims it too. */
    static const uint8_t inv[] = { 0xA1, 0x88, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xF0,
                                   0x02, 0x01, 0x01, 0x02, 0x01, 0x01, 0x04, 0x88, 0xFF, 0xFF,
                                   0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 'h', 'i' };
    rose_case(inv, sizeof(inv), "length too large");
}

/* ---- ROSE ---- */

static void test_hostile_invoke_unknown_opcode_neg(void **state)
{
    (void)state;
    char peer[64];
    struct osic *c = hostile_open_assoc();
    assert_non_null(c);
    hostile_peer_name(c->fd, peer, sizeof(peer));
    static const uint8_t arg[] = { 0x05, 0x00 };
    struct ber_writer w;
    ber_writer_init(&w);
    assert_int_equal(hpdu_invoke(&w, 41, 9999, ber_slice_make(arg, sizeof(arg))), 0);
    assert_int_equal(hostile_send_rose(c, ber_writer_slice(&w)), 0);
    ber_writer_free(&w);
    struct ber_slice r;
    assert_int_equal(osic_recv_rose(c, &r), 0);
    struct ros_pdu pdu;
    struct ber_error e;
    assert_int_equal(ros_decode(r.ptr, r.len, &pdu, &e), 0);
    assert_int_equal(pdu.type, ROS_REJECT);
    assert_int_equal(pdu.invoke_id, 41);
    assert_int_equal(pdu.problem_kind, ROS_PROBLEM_INVOKE);
    assert_int_equal(pdu.problem, ROS_IP_UNRECOGNIZED_OPERATION);
    assert_int_equal(osic_release(c), 0);
    osic_free(c);
    hostile_after(peer, "operation not served");
}

static void test_hostile_duplicate_invoke_id_neg(void **state)
{
    (void)state;
    char peer[64];
    struct osic *c = hostile_open_assoc();
    assert_non_null(c);
    hostile_peer_name(c->fd, peer, sizeof(peer));
    static const uint8_t arg[] = { 0x02, 0x01, 0x2a };
    struct ber_writer w;
    /* Operation 2 stays outstanding: the echo module first invokes
     * operation 1 on us and waits for our answer. */
    ber_writer_init(&w);
    assert_int_equal(hpdu_invoke(&w, 7, 2, ber_slice_make(arg, sizeof(arg))), 0);
    assert_int_equal(hostile_send_rose(c, ber_writer_slice(&w)), 0);
    struct ber_slice r;
    assert_int_equal(osic_recv_rose(c, &r), 0);
    struct ros_pdu pdu;
    struct ber_error e;
    assert_int_equal(ros_decode(r.ptr, r.len, &pdu, &e), 0);
    assert_int_equal(pdu.type, ROS_INVOKE);
    int64_t server_id = pdu.invoke_id;
    /* The same invoke id again while the first is outstanding: X.880 says
     * reject, invoke problem duplicate-invocation. */
    assert_int_equal(hostile_send_rose(c, ber_writer_slice(&w)), 0);
    ber_writer_free(&w);
    assert_int_equal(osic_recv_rose(c, &r), 0);
    assert_int_equal(ros_decode(r.ptr, r.len, &pdu, &e), 0);
    assert_int_equal(pdu.type, ROS_REJECT);
    assert_int_equal(pdu.invoke_id, 7);
    assert_int_equal(pdu.problem_kind, ROS_PROBLEM_INVOKE);
    assert_int_equal(pdu.problem, ROS_IP_DUPLICATE_INVOCATION);
    /* Answer the server's invoke; the first operation 2 then completes. */
    struct ros_pdu rr;
    memset(&rr, 0, sizeof(rr));
    rr.type = ROS_RETURN_RESULT;
    rr.invoke_id = server_id;
    rr.has_result = true;
    rr.opcode.local = 1;
    rr.has_argument = true;
    rr.argument = ber_slice_make(arg, sizeof(arg));
    ber_writer_init(&w);
    assert_int_equal(ros_encode(&w, &rr), 0);
    assert_int_equal(hostile_send_rose(c, ber_writer_slice(&w)), 0);
    ber_writer_free(&w);
    assert_int_equal(osic_recv_rose(c, &r), 0);
    assert_int_equal(ros_decode(r.ptr, r.len, &pdu, &e), 0);
    assert_int_equal(pdu.type, ROS_RETURN_RESULT);
    assert_int_equal(pdu.invoke_id, 7);
    assert_int_equal(osic_release(c), 0);
    osic_free(c);
    hostile_after(peer, "invoke id already outstanding");
}

static void test_hostile_rose_garbage_pdu_neg(void **state)
{
    (void)state;
    /* [9] is no ROSE PDU: X.880 reject general problem unrecognized-PDU, or an abort. */
    static const uint8_t junk[] = { 0xA9, 0x03, 0x02, 0x01, 0x05 };
    rose_case(junk, sizeof(junk), "undecodable ROSE APDU");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hostile_garbage_before_tpkt_neg),
        cmocka_unit_test(test_hostile_tpkt_length_0_neg),
        cmocka_unit_test(test_hostile_tpkt_length_3_neg),
        cmocka_unit_test(test_hostile_tpkt_length_65535_neg),
        cmocka_unit_test(test_hostile_cotp_unknown_tpdu_neg),
        cmocka_unit_test(test_hostile_session_pi_overruns_spdu_neg),
        cmocka_unit_test(test_hostile_session_li_overruns_tsdu_neg),
        cmocka_unit_test(test_hostile_session_user_data_pi_zero_neg),
        cmocka_unit_test(test_hostile_presentation_no_acse_context_neg),
        cmocka_unit_test(test_hostile_aarq_unknown_context_neg),
        cmocka_unit_test(test_hostile_aarq_not_ber_neg),
        cmocka_unit_test(test_hostile_ber_depth_bomb_in_aarq_neg),
        cmocka_unit_test(test_hostile_ber_depth_bomb_in_invoke_neg),
        cmocka_unit_test(test_hostile_ber_length_2_31_neg),
        cmocka_unit_test(test_hostile_ber_length_2_64_minus_1_neg),
        cmocka_unit_test(test_hostile_invoke_unknown_opcode_neg),
        cmocka_unit_test(test_hostile_duplicate_invoke_id_neg),
        cmocka_unit_test(test_hostile_rose_garbage_pdu_neg),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
