/* Integration tests of the OSI stack (core/osi) in the real daemon: the
 * rfc1006 (and tls) transport, the "echo" test module, real sockets on
 * 127.0.0.1. The client is tests/integration/osi/osic.c, which encodes its
 * PDUs independently of the server's engines. Every exchange of the
 * association tests is written into a pcap that tshark must dissect with no
 * malformed frame. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/integration/osi/osic.h"
#include "tests/integration/transport/tclient.h"
#include "tests/lib/x4test.h"

static struct x4t_daemon *daemon_;
static int port_plain, port_tls;
static char *pki_dir;
static char ca_file[1024];

static const char manifest[] =
    "{ \"threads\": 2, \"log\": { \"level\": \"info\" }, \"modules\": [\n"
    "  { \"name\": \"rfc1006\", \"config\": {\n"
    "      \"listen\": [ { \"address\": \"127.0.0.1\", \"port\": @PORT1@ } ],\n"
    "      \"max_connections\": 400 } },\n"
    "  { \"name\": \"tls\", \"config\": {\n"
    "      \"listen\": [ { \"address\": \"127.0.0.1\", \"port\": @PORT2@ } ],\n"
    "      \"cert\": \"@PKI@/server.pem\", \"key\": \"@PKI@/server.key\", \"ca\": \"@PKI@/ca.pem\" } },\n"
    "  { \"name\": \"echo\", \"file\": \"@ECHO@\" }\n"
    "] }\n";

static int setup(void **state)
{
    (void)state;
    pki_dir = x4t_tempdir("osi-pki");
    if (pki_dir == NULL || tc_make_pki(pki_dir) < 0)
        return -1;
    snprintf(ca_file, sizeof(ca_file), "%s/ca.pem", pki_dir);
    char echo[1024];
    snprintf(echo, sizeof(echo), "%s/tests/integration/osi/echo", getenv("X400MS_TOP_BUILDDIR"));
    char *t1 = x4t_replace(manifest, "@ECHO@", echo);
    char *t2 = x4t_replace(t1, "@PKI@", pki_dir);
    daemon_ = x4t_daemon_start(t2);
    free(t1);
    free(t2);
    if (daemon_ == NULL)
        return -1;
    port_plain = x4t_daemon_port(daemon_, 1);
    port_tls = x4t_daemon_port(daemon_, 2);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    int rc = daemon_ && x4t_daemon_stop(daemon_) == 0 ? 0 : -1;
    if (pki_dir != NULL) {
        x4t_rmtree(pki_dir);
        free(pki_dir);
    }
    return rc;
}

static void expect_log(const char *needle)
{
    if (x4t_daemon_wait_log(daemon_, needle, 5000) != 0) {
        char *log = x4t_daemon_log_text(daemon_);
        fprintf(stderr, "log line not found: %s\n--- log ---\n%s\n", needle, log ? log : "");
        free(log);
        fail();
    }
}

/* Each exchange goes into its own pcap (one TCP connection each, all
 * written with the plain port as the server port); the last test merges
 * them and runs tshark once, because tshark takes seconds to start. */
static char *pcaps[32];
static int n_pcaps;

static void capture_check(struct osic *c, const char *name, int port)
{
    (void)port;
    char path[1024];
    snprintf(path, sizeof(path), "%s/%s.pcap", x4t_daemon_data_dir(daemon_), name);
    assert_int_equal(osic_capture_write(c, path, port_plain), 0);
    if (n_pcaps < 32)
        pcaps[n_pcaps++] = strdup(path);
}

static void test_osi_assoc_captures_dissect_cleanly(void **state)
{
    (void)state;
    if (getenv("TSHARK") == NULL || !*getenv("TSHARK")) {
        fprintf(stderr, "TSHARK unset: skipping the tshark check of %d captures\n", n_pcaps);
        skip();
    }
    char all[1024];
    snprintf(all, sizeof(all), "%s/all.pcap", x4t_daemon_data_dir(daemon_));
    char *argv[40];
    int k = 0;
    argv[k++] = "/usr/bin/mergecap";
    argv[k++] = "-a";
    argv[k++] = "-w";
    argv[k++] = all;
    for (int i = 0; i < n_pcaps; i++)
        argv[k++] = pcaps[i];
    argv[k] = NULL;
    assert_true(n_pcaps >= 8);
    char *out = NULL;
    int rc = x4t_run(argv, &out, 30000);
    if (rc != 0)
        fprintf(stderr, "mergecap: %s\n", out ? out : "");
    free(out);
    assert_int_equal(rc, 0);
    assert_int_equal(osic_tshark_check(all, port_plain), 0);
    for (int i = 0; i < n_pcaps; i++)
        free(pcaps[i]);
}

/* Waits until the daemon's fd count is back to at most `base`. */
static void expect_fds(int base)
{
    int n = -1;
    for (int i = 0; i < 100; i++) {
        n = x4t_daemon_fd_count(daemon_);
        if (n >= 0 && n <= base)
            return;
        usleep(50000);
    }
    fprintf(stderr, "daemon has %d fds, expected at most %d\n", n, base);
    fail();
}

static const uint8_t bind_ok[] = { 0x04, 0x02, 'o', 'k' };
#define BIND_OK ber_slice_make(bind_ok, sizeof(bind_ok))

static void associate_echo_release(int port, const char *ca, const char *pcap_name)
{
    struct osic *c = osic_open(port, ca, true);
    assert_non_null(c);
    assert_int_equal(osic_associate(c, "2.999.1.1", NULL, 0, BIND_OK), 14);
    int64_t res, src, diag;
    assert_int_equal(osic_aare(c, &res, &src, &diag), 0);
    assert_int_equal(res, 0);
    static const uint8_t arg[] = { 0x04, 0x05, 'h', 'e', 'l', 'l', 'o' };
    assert_int_equal(osic_echo(c, 1, ber_slice_make(arg, sizeof(arg))), 0);
    assert_int_equal(osic_echo(c, 2, ber_slice_make(arg, sizeof(arg))), 0);
    assert_int_equal(osic_release(c), 0);
    capture_check(c, pcap_name, port);
    osic_free(c);
}

static void test_osi_assoc_echo_release_plain(void **state)
{
    (void)state;
    associate_echo_release(port_plain, NULL, "plain");
}

static void test_osi_assoc_echo_release_tls(void **state)
{
    (void)state;
    /* The capture holds the TLS records' plaintext, so tshark checks the
     * same OSI stream. */
    associate_echo_release(port_tls, ca_file, "tls");
}

static void test_osi_assoc_unknown_context_neg(void **state)
{
    (void)state;
    struct osic *c = osic_open(port_plain, NULL, true);
    assert_non_null(c);
    assert_int_equal(osic_associate(c, "2.999.5.5", NULL, 0, BIND_OK), 12); /* RF */
    int64_t res, src, diag;
    assert_int_equal(osic_aare(c, &res, &src, &diag), 0);
    assert_int_equal(res, 1);  /* rejected-permanent */
    assert_int_equal(src, 1);  /* acse-service-user */
    assert_int_equal(diag, 2); /* application-context-name-not-supported */
    assert_true(osic_wait_closed(c, 5000));
    expect_log("application context 2.999.5.5 is not served");
    capture_check(c, "unknown-context", port_plain);
    osic_free(c);
}

static void test_osi_assoc_no_common_syntax_neg(void **state)
{
    (void)state;
    static const struct osic_pctx ctxs[] = { { 1, "2.2.1.0.1" }, { 3, "2.999.4.4" } };
    struct osic *c = osic_open(port_plain, NULL, true);
    assert_non_null(c);
    assert_int_equal(osic_associate(c, "2.999.1.1", ctxs, 2, BIND_OK), 12);
    struct osic_spdu s[2];
    assert_true(osic_spdus(c->tsdu, c->tsdu_len, s, 2) >= 1);
    struct ber_slice cpr = osic_user_data(&s[0]);
    assert_true(cpr.len > 0);
    assert_int_equal(cpr.ptr[0], 0x30);
    /* the proposal of 2.999.4.4: provider-rejection, abstract-syntax-not-supported */
    struct ber_tlv list;
    assert_int_equal(osic_path(cpr, &list, BER_CTX(5), (ber_tag_t)0), 1);
    assert_non_null(memmem(list.start, list.total, "\x30\x06\x80\x01\x02\x82\x01\x01", 8));
    assert_true(osic_path_int(cpr, BER_CTX(10), (ber_tag_t)0) >= 0);
    expect_log("no common abstract syntax");
    capture_check(c, "no-common-syntax", port_plain);
    osic_free(c);
}

static void test_osi_assoc_bind_error_neg(void **state)
{
    (void)state;
    static const uint8_t bad[] = { 0x04, 0x03, 'b', 'a', 'd' };
    struct osic *c = osic_open(port_plain, NULL, true);
    assert_non_null(c);
    long long t0 = x4t_now_ms();
    assert_int_equal(osic_associate(c, "2.999.1.1", NULL, 0, ber_slice_make(bad, sizeof(bad))), 12);
    assert_true(x4t_now_ms() - t0 >= 15); /* answered after the module's delay */
    int64_t res, src, diag;
    assert_int_equal(osic_aare(c, &res, &src, &diag), 0);
    assert_int_equal(res, 1);
    /* bind-error [18] { INTEGER 1 } in the AARE user information */
    assert_non_null(memmem(c->tsdu, c->tsdu_len, "\xb2\x03\x02\x01\x01", 5));
    capture_check(c, "bind-error", port_plain);
    osic_free(c);
}

static void test_osi_assoc_gone_during_bind_neg(void **state)
{
    (void)state;
    /* The module answers "bad" binds after 20 ms: the client leaves first. */
    static const uint8_t bad[] = { 0x04, 0x03, 'b', 'a', 'd' };
    static const struct osic_pctx std[] = { { 1, "2.2.1.0.1" }, { 3, "2.999.1.2" } };
    struct osic *c = osic_open(port_plain, NULL, false);
    assert_non_null(c);
    assert_int_equal(osic_cr(c, NULL), 0);
    struct ber_writer w;
    ber_writer_init(&w);
    osic_build_cn(&w, std, 2, 1, "2.999.1.1", ber_slice_make(bad, sizeof(bad)), 3);
    assert_int_equal(osic_send_tsdu(c, ber_writer_data(&w), ber_writer_len(&w)), 0);
    ber_writer_free(&w);
    osic_free(c);
    expect_log("aborted: transport connection lost");
    usleep(50000); /* past the module's timer */
    /* the daemon still serves */
    c = osic_open(port_plain, NULL, false);
    assert_non_null(c);
    assert_int_equal(osic_associate(c, "2.999.1.1", NULL, 0, BIND_OK), 14);
    assert_int_equal(osic_release(c), 0);
    osic_free(c);
}

static void test_osi_assoc_errors_and_rejects(void **state)
{
    (void)state;
    struct osic *c = osic_open(port_plain, NULL, true);
    assert_non_null(c);
    assert_int_equal(osic_associate(c, "2.999.1.1", NULL, 0, BIND_OK), 14);
    static const uint8_t arg[] = { 0x02, 0x01, 0x2a };
    struct ber_slice r;
    /* operation 3: returnError code 7 */
    assert_int_equal(osic_send_invoke(c, 5, 3, ber_slice_make(arg, sizeof(arg))), 0);
    assert_int_equal(osic_recv_rose(c, &r), 0);
    assert_int_equal(r.ptr[0], 0xA3);
    /* operation 77: reject unrecognisedOperation */
    assert_int_equal(osic_send_invoke(c, 6, 77, ber_slice_make(arg, sizeof(arg))), 0);
    assert_int_equal(osic_recv_rose(c, &r), 0);
    assert_int_equal(r.ptr[0], 0xA4);
    assert_int_equal(osic_path_int(r, BER_CTX(1), (ber_tag_t)0), 1);
    /* operation 4: the module rejects mistypedArgument */
    assert_int_equal(osic_send_invoke(c, 8, 4, ber_slice_make(arg, sizeof(arg))), 0);
    assert_int_equal(osic_recv_rose(c, &r), 0);
    assert_int_equal(osic_path_int(r, BER_CTX(1), (ber_tag_t)0), 2);
    /* operation 2: the server invokes operation 1 on us first */
    assert_int_equal(osic_send_invoke(c, 9, 2, ber_slice_make(arg, sizeof(arg))), 0);
    assert_int_equal(osic_recv_rose(c, &r), 0);
    assert_int_equal(r.ptr[0], 0xA1);
    int64_t sid = osic_path_int(r, BER_UNIV(BER_INTEGER), (ber_tag_t)0);
    struct ber_writer w, v;
    ber_writer_init(&w);
    ber_writer_init(&v);
    static const uint8_t answer[] = { 0x02, 0x01, 0x63 };
    ber_mark_t m = ber_mark(&v);
    ber_put_raw(&v, answer, sizeof(answer));
    ber_put_int64(&v, BER_UNIV(BER_INTEGER), 1);
    ber_wrap(&v, m, BER_UNIV(BER_SEQUENCE), true);
    ber_put_int64(&v, BER_UNIV(BER_INTEGER), sid);
    ber_wrap(&v, m, BER_CTX(2), true);
    osic_build_data(&w, 3, ber_writer_slice(&v));
    assert_int_equal(osic_send_tsdu(c, ber_writer_data(&w), ber_writer_len(&w)), 0);
    ber_writer_free(&w);
    ber_writer_free(&v);
    assert_int_equal(osic_recv_rose(c, &r), 0);
    assert_int_equal(r.ptr[0], 0xA2);
    assert_int_equal(osic_path_int(r, BER_UNIV(BER_INTEGER), (ber_tag_t)0), 9);
    assert_non_null(memmem(r.ptr, r.len, answer, sizeof(answer)));
    assert_int_equal(osic_release(c), 0);
    capture_check(c, "errors", port_plain);
    osic_free(c);
}

static void test_osi_assoc_abort_by_client(void **state)
{
    (void)state;
    struct osic *c = osic_open(port_plain, NULL, true);
    assert_non_null(c);
    assert_int_equal(osic_associate(c, "2.999.1.1", NULL, 0, BIND_OK), 14);
    struct ber_writer w;
    ber_writer_init(&w);
    osic_build_abort(&w, 1);
    assert_int_equal(osic_send_tsdu(c, ber_writer_data(&w), ber_writer_len(&w)), 0);
    ber_writer_free(&w);
    assert_true(osic_wait_closed(c, 5000));
    expect_log("aborted by the peer (ABRT, source acse-service-user)");
    capture_check(c, "abort-client", port_plain);
    osic_free(c);
}

static void test_osi_assoc_abort_by_server(void **state)
{
    (void)state;
    struct osic *c = osic_open(port_plain, NULL, true);
    assert_non_null(c);
    assert_int_equal(osic_associate(c, "2.999.1.1", NULL, 0, BIND_OK), 14);
    assert_int_equal(osic_send_invoke(c, 1, 6, ber_slice_make(NULL, 0)), 0);
    assert_int_equal(osic_recv_tsdu(c), 0);
    struct osic_spdu s[2];
    assert_int_equal(osic_spdus(c->tsdu, c->tsdu_len, s, 2), 1);
    assert_int_equal(s[0].si, 25); /* AB */
    struct ber_slice aru = osic_user_data(&s[0]);
    assert_true(aru.len > 0);
    assert_int_equal(aru.ptr[0], 0xA0); /* ARU normal mode */
    assert_non_null(memmem(aru.ptr, aru.len, "\x64\x03\x80\x01\x00", 5)); /* ABRT source user */
    assert_true(osic_wait_closed(c, 5000));
    capture_check(c, "abort-server", port_plain);
    osic_free(c);
}

static void test_osi_assoc_peer_closes_mid_pdu(void **state)
{
    (void)state;
    struct osic *c = osic_open(port_plain, NULL, false);
    assert_non_null(c);
    assert_int_equal(osic_associate(c, "2.999.1.1", NULL, 0, BIND_OK), 14);
    /* half of a TPKT of an invoke, then TCP FIN */
    static const uint8_t half[] = { 0x03, 0x00, 0x00, 0x40, 0x02, 0xF0, 0x80, 0x01, 0x00, 0x01 };
    assert_int_equal(osic_send_raw(c, half, sizeof(half)), 0);
    osic_free(c);
    expect_log("transport connection lost");
}

static void test_osi_assoc_small_tpdus_and_batched_tpkts(void **state)
{
    (void)state;
    struct osic *c = osic_open(port_plain, NULL, true);
    assert_non_null(c);
    c->seg = 7; /* every TSDU in 7-octet DT TPDUs, all TPKTs in one write */
    assert_int_equal(osic_associate(c, "2.999.1.1", NULL, 0, BIND_OK), 14);
    uint8_t arg[3000];
    arg[0] = 0x04;
    arg[1] = 0x82;
    arg[2] = (uint8_t)((sizeof(arg) - 4) >> 8);
    arg[3] = (uint8_t)(sizeof(arg) - 4);
    for (size_t i = 4; i < sizeof(arg); i++)
        arg[i] = (uint8_t)i;
    assert_int_equal(osic_echo(c, 1, ber_slice_make(arg, sizeof(arg))), 0);
    assert_int_equal(osic_release(c), 0);
    capture_check(c, "small-tpdus", port_plain);
    osic_free(c);
}

static void test_osi_assoc_1000_sequential(void **state)
{
    (void)state;
    int base = x4t_daemon_fd_count(daemon_);
    assert_true(base > 0);
    static const uint8_t arg[] = { 0x04, 0x01, 'x' };
    for (int i = 0; i < 1000; i++) {
        struct osic *c = osic_open(port_plain, NULL, false);
        assert_non_null(c);
        assert_int_equal(osic_associate(c, "2.999.1.1", NULL, 0, BIND_OK), 14);
        assert_int_equal(osic_echo(c, 1, ber_slice_make(arg, sizeof(arg))), 0);
        assert_int_equal(osic_release(c), 0);
        osic_free(c);
    }
    expect_fds(base);
}

static void test_osi_assoc_200_concurrent(void **state)
{
    (void)state;
    enum { N = 200 };
    int base = x4t_daemon_fd_count(daemon_);
    struct osic *c[N];
    static const uint8_t arg[] = { 0x04, 0x01, 'y' };
    for (int i = 0; i < N; i++) {
        c[i] = osic_open(port_plain, NULL, false);
        assert_non_null(c[i]);
        assert_int_equal(osic_associate(c[i], "2.999.1.1", NULL, 0, BIND_OK), 14);
    }
    assert_true(x4t_daemon_fd_count(daemon_) >= base + N);
    for (int i = 0; i < N; i++)
        assert_int_equal(osic_send_invoke(c[i], 1, 1, ber_slice_make(arg, sizeof(arg))), 0);
    for (int i = 0; i < N; i++) {
        struct ber_slice r;
        assert_int_equal(osic_recv_rose(c[i], &r), 0);
        assert_int_equal(r.ptr[0], 0xA2);
    }
    for (int i = 0; i < N; i++) {
        if (i % 2)
            assert_int_equal(osic_release(c[i]), 0);
        osic_free(c[i]); /* the other half just drops the TCP connection */
    }
    expect_fds(base);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_osi_assoc_echo_release_plain),
        cmocka_unit_test(test_osi_assoc_echo_release_tls),
        cmocka_unit_test(test_osi_assoc_unknown_context_neg),
        cmocka_unit_test(test_osi_assoc_no_common_syntax_neg),
        cmocka_unit_test(test_osi_assoc_bind_error_neg),
        cmocka_unit_test(test_osi_assoc_gone_during_bind_neg),
        cmocka_unit_test(test_osi_assoc_errors_and_rejects),
        cmocka_unit_test(test_osi_assoc_abort_by_client),
        cmocka_unit_test(test_osi_assoc_abort_by_server),
        cmocka_unit_test(test_osi_assoc_peer_closes_mid_pdu),
        cmocka_unit_test(test_osi_assoc_small_tpdus_and_batched_tpkts),
        cmocka_unit_test(test_osi_assoc_1000_sequential),
        cmocka_unit_test(test_osi_assoc_200_concurrent),
        cmocka_unit_test(test_osi_assoc_captures_dissect_cleanly),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
