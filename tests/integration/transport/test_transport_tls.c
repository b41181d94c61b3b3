/* Integration tests of modules/transport/tls: RFC 1006 inside TLS, against
 * the real daemon, with a throwaway PKI made by the test (certs.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <openssl/ssl.h>
#include "tests/lib/x4test.h"
#include "tests/integration/transport/tclient.h"

static struct x4t_daemon *daemon_;
static char *pki;
static int port_tls;

static const char manifest[] =
    "{ \"threads\": 2, \"log\": { \"level\": \"notice\" }, \"modules\": [\n"
    "  { \"name\": \"rfc1006\", \"config\": { \"max_connections\": 300, \"connect_timeout\": 5 } },\n"
    "  { \"name\": \"tls\", \"config\": {\n"
    "      \"listen\": [ { \"address\": \"127.0.0.1\", \"port\": @PORT1@, \"user\": \"echo\" } ],\n"
    "      \"cert\": \"@PKI@/server.pem\", \"key\": \"@PKI@/server.key\", \"ca\": \"@PKI@/ca.pem\",\n"
    "      \"verify_client\": true, \"min_version\": \"TLSv1.2\" } },\n"
    "  { \"name\": \"tsecho\", \"file\": \"@TSECHO@\", \"config\": { \"connect\": [\n"
    "      { \"transport\": \"tls\", \"port\": @PORT1@, \"size\": 30000 } ] } }\n"
    "] }\n";

static int setup(void **state)
{
    char tsecho[1024];
    char *a, *b;

    (void)state;
    pki = x4t_tempdir("pki");
    if (!pki || tc_make_pki(pki) != 0)
        return -1;
    snprintf(tsecho, sizeof tsecho, "%s/tests/integration/transport/tsecho",
             getenv("X400MS_TOP_BUILDDIR"));
    a = x4t_replace(manifest, "@TSECHO@", tsecho);
    b = x4t_replace(a, "@PKI@", pki);
    daemon_ = x4t_daemon_start(b);
    free(a);
    free(b);
    if (!daemon_)
        return -1;
    port_tls = x4t_daemon_port(daemon_, 1);
    return 0;
}

static int teardown(void **state)
{
    int rc = daemon_ && x4t_daemon_stop(daemon_) == 0 ? 0 : -1;
    (void)state;
    x4t_rmtree(pki);
    free(pki);
    return rc;
}

static void expect_log(int local_port, const char *text)
{
    char needle[512];
    if (local_port)
        snprintf(needle, sizeof needle, "[tls] peer 127.0.0.1:%d: %s", local_port, text);
    else
        snprintf(needle, sizeof needle, "%s", text);
    if (x4t_daemon_wait_log(daemon_, needle, 5000) != 0) {
        char *log = x4t_daemon_log_text(daemon_);
        fprintf(stderr, "log line not found: %s\n--- log ---\n%s\n", needle, log ? log : "");
        free(log);
        fail();
    }
}

static void echo_over(SSL_CTX *ctx, int expect_version)
{
    static uint8_t back[60000];
    struct tc c;
    int ndt;

    assert_int_equal(tc_open(&c, port_tls, ctx), 0);
    assert_int_equal(SSL_version(c.ssl), expect_version);
    assert_int_equal(tc_establish(&c, NULL), 0);
    assert_int_equal(tc_send_tsdu(&c, "over TLS", 8, 3), 0);
    assert_int_equal(tc_recv_tsdu(&c, back, sizeof back, &ndt, NULL, 5000), 8);
    assert_memory_equal(back, "over TLS", 8);
    assert_int_equal(tc_send_tsdu(&c, "BIG 50000", 9, 100), 0);
    assert_int_equal(tc_recv_tsdu(&c, back, sizeof back, &ndt, NULL, 5000), 50000);
    for (int i = 0; i < 50000; i++)
        assert_int_equal(back[i], (uint8_t)i);
    assert_int_equal(tc_send_tsdu(&c, "CLOSE", 5, 100), 0);
    assert_true(tc_wait_eof(&c, 5000));
    tc_close(&c);
}

static void test_transport_tls_echo(void **state)
{
    SSL_CTX *ctx = tc_ssl_ctx(pki, "ca.pem", "client.pem", "client.key", 0);
    (void)state;
    assert_non_null(ctx);
    echo_over(ctx, TLS1_3_VERSION);
    SSL_CTX_free(ctx);
}

static void test_transport_tls12_echo(void **state)
{
    SSL_CTX *ctx = tc_ssl_ctx(pki, "ca.pem", "client.pem", "client.key", TLS1_2_VERSION);
    (void)state;
    assert_non_null(ctx);
    echo_over(ctx, TLS1_2_VERSION);
    SSL_CTX_free(ctx);
}

static void test_transport_tls11_neg(void **state)
{
    SSL_CTX *ctx = tc_ssl_ctx(pki, "ca.pem", "client.pem", "client.key", TLS1_1_VERSION);
    struct tc c;
    (void)state;
    assert_non_null(ctx);
    assert_int_not_equal(tc_open(&c, port_tls, ctx), 0);
    expect_log(c.local_port, "tls handshake failed: TLS handshake: unsupported protocol");
    tc_close(&c);
    SSL_CTX_free(ctx);
}

/* A refused client certificate: in TLS 1.3 the client may finish its side of
 * the handshake first and learn of the refusal on its first read. */
static void refused_client(const char *cert, const char *key, const char *why)
{
    SSL_CTX *ctx = tc_ssl_ctx(pki, "ca.pem", cert, key, 0);
    struct tc c;
    char text[300];

    assert_non_null(ctx);
    if (tc_open(&c, port_tls, ctx) == 0)
        assert_int_not_equal(tc_establish(&c, NULL), 0);
    snprintf(text, sizeof text, "tls handshake failed: certificate verify failed: %s", why);
    expect_log(c.local_port, text);
    tc_close(&c);
    SSL_CTX_free(ctx);
}

static void test_transport_tls_wrong_ca_neg(void **state)
{
    (void)state;
    refused_client("wrong-client.pem", "wrong-client.key", "unable to get local issuer certificate");
}

static void test_transport_tls_expired_neg(void **state)
{
    (void)state;
    refused_client("expired.pem", "expired.key", "certificate has expired (depth 0, "
                   "subject /O=x400ms tests/CN=expired client)");
}

static void test_transport_tls_no_client_cert_neg(void **state)
{
    SSL_CTX *ctx = tc_ssl_ctx(pki, "ca.pem", NULL, NULL, 0);
    struct tc c;
    (void)state;

    if (tc_open(&c, port_tls, ctx) == 0)
        assert_int_not_equal(tc_establish(&c, NULL), 0);
    expect_log(c.local_port, "tls handshake failed: TLS handshake: peer did not return a certificate");
    tc_close(&c);
    SSL_CTX_free(ctx);
}

static void test_transport_tls_client_distrusts_server_neg(void **state)
{
    /* The client trusts another CA: it aborts with an alert the server logs. */
    SSL_CTX *ctx = tc_ssl_ctx(pki, "wrongca.pem", "client.pem", "client.key", 0);
    struct tc c;
    (void)state;

    assert_int_not_equal(tc_open(&c, port_tls, ctx), 0);
    expect_log(c.local_port, "tls handshake failed: TLS handshake: tlsv1 alert unknown ca");
    tc_close(&c);
    SSL_CTX_free(ctx);
}

static void test_transport_tls_outbound(void **state)
{
    (void)state;
    /* tsecho connected through the transport "tls" to the daemon's own
     * listener (client certificate: the server's, from the same CA). */
    expect_log(0, "[tsecho] outbound 0 echo ok (30000 octets, transport tls, TPDU size 65408)");
}

static void test_transport_tls_200_sequential(void **state)
{
    SSL_CTX *ctx = tc_ssl_ctx(pki, "ca.pem", "client.pem", "client.key", 0);
    int before = x4t_daemon_fd_count(daemon_), after = -1;
    (void)state;

    assert_true(before > 0);
    for (int i = 0; i < 200; i++) {
        struct tc c;
        uint8_t back[16];
        assert_int_equal(tc_open(&c, port_tls, ctx), 0);
        assert_int_equal(tc_establish(&c, NULL), 0);
        assert_int_equal(tc_send_tsdu(&c, "ping", 4, 100), 0);
        assert_int_equal(tc_recv_tsdu(&c, back, sizeof back, NULL, NULL, 5000), 4);
        tc_close(&c);
    }
    for (int i = 0; i < 100; i++) {
        after = x4t_daemon_fd_count(daemon_);
        if (after <= before)
            break;
        usleep(20000);
    }
    assert_int_equal(after, before);
    SSL_CTX_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_transport_tls_echo),
        cmocka_unit_test(test_transport_tls12_echo),
        cmocka_unit_test(test_transport_tls11_neg),
        cmocka_unit_test(test_transport_tls_wrong_ca_neg),
        cmocka_unit_test(test_transport_tls_expired_neg),
        cmocka_unit_test(test_transport_tls_no_client_cert_neg),
        cmocka_unit_test(test_transport_tls_client_distrusts_server_neg),
        cmocka_unit_test(test_transport_tls_outbound),
        cmocka_unit_test(test_transport_tls_200_sequential),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
