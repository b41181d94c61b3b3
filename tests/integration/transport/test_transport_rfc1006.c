/* Integration tests of modules/transport/rfc1006: the real daemon with the
 * tests-only echo user (tsecho.c), real sockets on 127.0.0.1. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "tests/lib/x4test.h"
#include "tests/lib/x4pcap.h"
#include "tests/integration/transport/tclient.h"

static struct x4t_daemon *daemon_;
static int port_plain, port_tsel, port_closed;

static const char manifest[] =
    "{ \"threads\": 2, \"log\": { \"level\": \"notice\" }, \"modules\": [\n"
    "  { \"name\": \"rfc1006\", \"config\": {\n"
    "      \"listen\": [ { \"address\": \"127.0.0.1\", \"port\": @PORT1@, \"user\": \"echo\" },\n"
    "                  { \"port\": @PORT2@, \"user\": \"echo\", \"tselector\": \"'0080'H\" } ],\n"
    "      \"tpdu_size\": 4096, \"max_tsdu\": 65536, \"idle_timeout\": 3,\n"
    "      \"connect_timeout\": 2, \"max_connections\": 260 } },\n"
    "  { \"name\": \"tsecho\", \"file\": \"@TSECHO@\", \"config\": { \"connect\": [\n"
    "      { \"port\": @PORT1@, \"size\": 20000 },\n"
    "      { \"port\": @PORT3@ },\n"
    "      { \"host\": \"localhost\", \"port\": @PORT2@, \"called\": \"zz\" },\n"
    "      { \"host\": \"localhost\", \"port\": @PORT1@, \"size\": 0 } ] } }\n"
    "] }\n";

static int setup(void **state)
{
    char tsecho[1024];
    char *text;

    (void)state;
    snprintf(tsecho, sizeof tsecho, "%s/tests/integration/transport/tsecho",
             getenv("X400MS_TOP_BUILDDIR"));
    text = x4t_replace(manifest, "@TSECHO@", tsecho);
    daemon_ = x4t_daemon_start(text);
    free(text);
    if (!daemon_)
        return -1;
    port_plain = x4t_daemon_port(daemon_, 1);
    port_tsel = x4t_daemon_port(daemon_, 2);
    port_closed = x4t_daemon_port(daemon_, 3);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    /* The last test stops the daemon itself. */
    return !daemon_ || x4t_daemon_stop(daemon_) == 0 ? 0 : -1;
}

static char peer_of(struct tc *c, char *buf, size_t cap)
{
    snprintf(buf, cap, "peer 127.0.0.1:%d: ", c->local_port);
    return 0;
}

static void expect_log(const char *a, const char *b)
{
    char needle[512];
    snprintf(needle, sizeof needle, "%s%s", a, b);
    if (x4t_daemon_wait_log(daemon_, needle, 5000) != 0) {
        char *log = x4t_daemon_log_text(daemon_);
        fprintf(stderr, "log line not found: %s\n--- log ---\n%s\n", needle, log ? log : "");
        free(log);
        fail();
    }
}

/* ---- connection establishment ------------------------------------------- */

static void test_transport_cr_cc_echo(void **state)
{
    struct tc c;
    uint8_t buf[512], out[100];
    struct x224_tpdu t;
    int ndt;
    (void)state;

    assert_int_equal(tc_open(&c, port_plain, NULL), 0);
    assert_int_equal(tc_connect_request(&c, NULL, NULL, 0, 2048, 0, &t, buf, sizeof buf), X224_CC);
    /* X.224 13.4: CC answers our reference, class 0, TPDU size <= ours. */
    assert_int_equal(t.dst_ref, c.src_ref);
    assert_int_not_equal(t.src_ref, 0);
    assert_int_equal(t.class_option >> 4, 0);
    assert_int_equal(t.tpdu_size, 2048);
    assert_int_equal(tc_send_tsdu(&c, "hello-osi\n", 10, 100), 0);
    assert_int_equal(tc_recv_tsdu(&c, out, sizeof out, &ndt, NULL, 5000), 10);
    assert_memory_equal(out, "hello-osi\n", 10);
    assert_int_equal(ndt, 1);
    /* An empty TSDU is one DT with EOT and no data. */
    assert_int_equal(tc_send_tsdu(&c, "", 0, 100), 0);
    assert_int_equal(tc_recv_tsdu(&c, out, sizeof out, &ndt, NULL, 5000), 0);
    /* CLOSE: the user disconnects; class 0 closes TCP. */
    assert_int_equal(tc_send_tsdu(&c, "CLOSE", 5, 100), 0);
    assert_true(tc_wait_eof(&c, 5000));
    tc_close(&c);
}

static void test_transport_isode_cr(void **state)
{
    /* ISODE's CR from shared/testdata/isode-loopback.pcap frame 4 (options
     * C6 = expedited, called 0080, size 2048) to the listener serving '0080'H. */
    static const uint8_t cr[] = { 0x03, 0x00, 0x00, 0x15, 0x10, 0xe0, 0x00, 0x00, 0x4e, 0xca, 0x00,
                                  0xc6, 0x01, 0x01, 0xc2, 0x02, 0x00, 0x80, 0xc0, 0x01, 0x0b };
    struct tc c;
    uint8_t buf[512];
    struct x224_tpdu t;
    struct x400ms_error err;
    int n;
    (void)state;

    assert_int_equal(tc_open(&c, port_tsel, NULL), 0);
    assert_int_equal(tc_write(&c, cr, sizeof cr), 0);
    n = tc_read_tpkt(&c, buf, sizeof buf, 5000);
    assert_true(n > 4);
    assert_int_equal(x224_decode(buf + 4, (size_t)n - 4, &t, &err), 0);
    assert_int_equal(t.code, X224_CC);
    assert_int_equal(t.dst_ref, 0x4eca);
    assert_int_equal(t.tpdu_size, 2048);
    /* RFC 1006 section 6: expedited data not taken. */
    assert_true(t.has_options);
    assert_int_equal(t.options & 1, 0);
    tc_close(&c);
}

static void test_transport_tpdu_size_negotiation(void **state)
{
    /* The daemon's tpdu_size is 4096: the CC says the smaller of both. */
    static const struct { unsigned c0, f0, expect_c0, expect_f0; } cases[] = {
        { 8192, 0, 4096, 0 },  /* proposal above ours */
        { 1024, 0, 1024, 0 },  /* proposal below ours */
        { 0, 0, 128, 0 },      /* absent: 128 (X.224 13.3.4 b) */
        { 8192, 65408, 0, 4096 }, /* F0 supersedes C0 */
        { 0, 640, 0, 640 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct tc c;
        uint8_t buf[512];
        static uint8_t big[10000];
        struct x224_tpdu t;
        int ndt;
        size_t max_tpdu, size;
        long n;

        assert_int_equal(tc_open(&c, port_plain, NULL), 0);
        assert_int_equal(tc_connect_request(&c, NULL, NULL, 0, cases[i].c0, cases[i].f0, &t, buf,
                                            sizeof buf), X224_CC);
        assert_int_equal(t.tpdu_size, cases[i].expect_c0);
        assert_int_equal(t.pref_tpdu_size, cases[i].expect_f0);
        size = cases[i].expect_c0 ? cases[i].expect_c0 : cases[i].expect_f0;
        /* The server segments a TSDU into DTs of at most that size. */
        assert_int_equal(tc_send_tsdu(&c, "BIG 10000", 9, 100), 0);
        n = tc_recv_tsdu(&c, big, sizeof big, &ndt, &max_tpdu, 5000);
        assert_int_equal(n, 10000);
        for (size_t k = 0; k < 10000; k++)
            assert_int_equal(big[k], (uint8_t)k);
        assert_int_equal(max_tpdu, size);
        assert_int_equal(ndt, (10000 + size - 3 - 1) / (size - 3));
        tc_close(&c);
    }
}

static void test_transport_split_many_small_dts(void **state)
{
    /* One TSDU of 30000 octets in DTs of 7 octets: 4286 TPKTs in one write,
     * followed by a second TSDU in the same write. */
    static uint8_t data[30000], back[30000];
    struct tc c;
    int ndt;
    (void)state;

    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)(i * 31);
    assert_int_equal(tc_open(&c, port_plain, NULL), 0);
    assert_int_equal(tc_establish(&c, NULL), 0);
    assert_int_equal(tc_send_tsdu(&c, data, sizeof data, 7), 0);
    assert_int_equal(tc_send_tsdu(&c, "second", 6, 2), 0);
    assert_int_equal(tc_recv_tsdu(&c, back, sizeof back, &ndt, NULL, 5000), (long)sizeof data);
    assert_memory_equal(back, data, sizeof data);
    assert_int_equal(tc_recv_tsdu(&c, back, sizeof back, &ndt, NULL, 5000), 6);
    assert_memory_equal(back, "second", 6);
    tc_close(&c);
}

static void test_transport_one_tpkt_many_reads(void **state)
{
    /* A TPKT written one octet at a time (TCP_NODELAY: separate segments). */
    static const uint8_t dt[] = { 0x03, 0x00, 0x00, 0x0c, 0x02, 0xf0, 0x80, 's', 'l', 'o', 'w', '!' };
    struct tc c;
    uint8_t back[16];
    (void)state;

    assert_int_equal(tc_open(&c, port_plain, NULL), 0);
    assert_int_equal(tc_establish(&c, NULL), 0);
    for (size_t i = 0; i < sizeof dt; i++) {
        assert_int_equal(tc_write(&c, dt + i, 1), 0);
        usleep(2000);
    }
    assert_int_equal(tc_recv_tsdu(&c, back, sizeof back, NULL, NULL, 5000), 5);
    assert_memory_equal(back, "slow!", 5);
    tc_close(&c);
}

/* ---- refusals and protocol errors ---------------------------------------- */

static void test_transport_unknown_tsel_neg(void **state)
{
    struct tc c;
    uint8_t buf[512];
    struct x224_tpdu t;
    char peer[64];
    (void)state;

    assert_int_equal(tc_open(&c, port_tsel, NULL), 0);
    peer_of(&c, peer, sizeof peer);
    assert_int_equal(tc_connect_request(&c, NULL, "zz", 2, 0, 0, &t, buf, sizeof buf), X224_DR);
    assert_int_equal(t.reason, X224_DR_ADDRESS_UNKNOWN);
    assert_int_equal(t.dst_ref, c.src_ref);
    assert_true(tc_wait_eof(&c, 5000));
    tc_close(&c);
    expect_log(peer, "CR refused (DR reason 3): unknown T-selector \"zz\" (this listener serves '0080'H)");

    /* No called T-selector at all: refused too. The right one: accepted. */
    assert_int_equal(tc_open(&c, port_tsel, NULL), 0);
    assert_int_equal(tc_connect_request(&c, NULL, NULL, 0, 0, 0, &t, buf, sizeof buf), X224_DR);
    tc_close(&c);
    assert_int_equal(tc_open(&c, port_tsel, NULL), 0);
    assert_int_equal(tc_connect_request(&c, NULL, "\x00\x80", 2, 0, 0, &t, buf, sizeof buf),
                     X224_CC);
    assert_int_equal(t.called_tsel_len, 2);
    tc_close(&c);
}

static void test_transport_user_refuses_neg(void **state)
{
    struct tc c;
    uint8_t buf[512];
    struct x224_tpdu t;
    char peer[64];
    (void)state;

    assert_int_equal(tc_open(&c, port_plain, NULL), 0);
    peer_of(&c, peer, sizeof peer);
    assert_int_equal(tc_connect_request(&c, "refuse", NULL, 0, 0, 0, &t, buf, sizeof buf), X224_DR);
    assert_int_equal(t.reason, X224_DR_UNSPECIFIED);
    assert_true(tc_wait_eof(&c, 5000));
    tc_close(&c);
    expect_log(peer, "CR refused (DR reason 0): transport user \"echo\" refused");
}

static void test_transport_garbage_neg(void **state)
{
    static const char http[] = "GET / HTTP/1.0\r\n\r\n";
    struct tc c;
    char peer[64];
    (void)state;

    assert_int_equal(tc_open(&c, port_plain, NULL), 0);
    peer_of(&c, peer, sizeof peer);
    assert_int_equal(tc_write(&c, http, sizeof http - 1), 0);
    assert_true(tc_wait_eof(&c, 5000));
    tc_close(&c);
    expect_log(peer, "TPKT: version 0x47 at offset 0, expected 0x03");
}

static void test_transport_bad_tpkt_length_neg(void **state)
{
    static const uint8_t zero[] = { 3, 0, 0, 0 };
    static const uint8_t over[] = { 3, 0, 0x20, 0x00, 2, 0xf0, 0x80 };
    struct tc c;
    char peer[64];
    (void)state;

    assert_int_equal(tc_open(&c, port_plain, NULL), 0);
    peer_of(&c, peer, sizeof peer);
    assert_int_equal(tc_write(&c, zero, sizeof zero), 0);
    assert_true(tc_wait_eof(&c, 5000));
    tc_close(&c);
    expect_log(peer, "TPKT: length 0 at offset 2, below the minimum 7");

    /* 8192 > tpdu_size 4096 + 4 */
    assert_int_equal(tc_open(&c, port_plain, NULL), 0);
    assert_int_equal(tc_establish(&c, NULL), 0);
    peer_of(&c, peer, sizeof peer);
    assert_int_equal(tc_write(&c, over, sizeof over), 0);
    assert_true(tc_wait_eof(&c, 5000));
    tc_close(&c);
    expect_log(peer, "TPKT: length 8192 at offset 2 exceeds the limit 4100");
}

static void test_transport_unknown_tpdu_er_neg(void **state)
{
    static const uint8_t bad[] = { 0x03, 0x00, 0x00, 0x08, 0x03, 0x30, 0x00, 0x00 };
    struct tc c;
    uint8_t buf[512];
    struct x224_tpdu t;
    struct x400ms_error err;
    char peer[64];
    int n;
    (void)state;

    assert_int_equal(tc_open(&c, port_plain, NULL), 0);
    assert_int_equal(tc_establish(&c, NULL), 0);
    peer_of(&c, peer, sizeof peer);
    assert_int_equal(tc_write(&c, bad, sizeof bad), 0);
    /* X.224 13.12: ER with cause "invalid TPDU type" and the bad header. */
    n = tc_read_tpkt(&c, buf, sizeof buf, 5000);
    assert_true(n > 4);
    assert_int_equal(x224_decode(buf + 4, (size_t)n - 4, &t, &err), 0);
    assert_int_equal(t.code, X224_ER);
    assert_int_equal(t.cause, X224_ER_INVALID_TPDU_TYPE);
    assert_int_equal(t.info_len, 4);
    assert_memory_equal(t.info, bad + 4, 4);
    assert_true(tc_wait_eof(&c, 5000));
    tc_close(&c);
    expect_log(peer, "X.224 unknown: unknown TPDU type at offset 1; sending ER and closing");
}

static void test_transport_dt_before_cr_neg(void **state)
{
    struct tc c;
    uint8_t buf[512];
    char peer[64];
    int n;
    (void)state;

    assert_int_equal(tc_open(&c, port_plain, NULL), 0);
    peer_of(&c, peer, sizeof peer);
    assert_int_equal(tc_send_tsdu(&c, "early", 5, 100), 0);
    n = tc_read_tpkt(&c, buf, sizeof buf, 5000);
    assert_true(n >= 9);
    assert_int_equal(buf[5], X224_ER);
    assert_true(tc_wait_eof(&c, 5000));
    tc_close(&c);
    expect_log(peer, "X.224 DT unexpected before the CR; sending ER and closing");
}

static void test_transport_max_tsdu_neg(void **state)
{
    /* max_tsdu is 65536: 70000 octets in DTs without EOT exceed it. */
    static uint8_t chunk[4000];
    struct tc c;
    char peer[64];
    uint8_t hdr[X224_DT_OVERHEAD];
    (void)state;

    assert_int_equal(tc_open(&c, port_plain, NULL), 0);
    assert_int_equal(tc_establish(&c, NULL), 0);
    peer_of(&c, peer, sizeof peer);
    for (int i = 0; i < 18; i++) {
        x224_put_dt_header(hdr, sizeof chunk, false);
        if (tc_write(&c, hdr, sizeof hdr) != 0 || tc_write(&c, chunk, sizeof chunk) != 0)
            break; /* the server may close before we are done */
    }
    assert_true(tc_wait_eof(&c, 5000));
    tc_close(&c);
    expect_log(peer, "TSDU exceeds max_tsdu 65536 octets");
}

static void test_transport_peer_closes_mid_pdu(void **state)
{
    static const uint8_t half_tpkt[] = { 0x03, 0x00, 0x00, 0x20, 0x02, 0xf0, 0x80, 'a', 'b' };
    struct tc c;
    char peer[64];
    (void)state;

    /* Half a TPKT, then close. */
    assert_int_equal(tc_open(&c, port_plain, NULL), 0);
    assert_int_equal(tc_establish(&c, NULL), 0);
    peer_of(&c, peer, sizeof peer);
    assert_int_equal(tc_write(&c, half_tpkt, sizeof half_tpkt), 0);
    usleep(50000);
    tc_close(&c);
    expect_log(peer, "peer closed TCP mid-PDU (9 octets of a TPKT and 0 of a TSDU pending)");

    /* A TSDU cut between its DTs. */
    assert_int_equal(tc_open(&c, port_plain, NULL), 0);
    assert_int_equal(tc_establish(&c, NULL), 0);
    peer_of(&c, peer, sizeof peer);
    {
        uint8_t dt[X224_DT_OVERHEAD + 3];
        x224_put_dt_header(dt, 3, false);
        memcpy(dt + X224_DT_OVERHEAD, "abc", 3);
        assert_int_equal(tc_write(&c, dt, sizeof dt), 0);
    }
    usleep(50000);
    tc_close(&c);
    expect_log(peer, "peer closed TCP mid-PDU (0 octets of a TPKT and 3 of a TSDU pending)");
}

static void test_transport_timeouts(void **state)
{
    struct tc c;
    char peer[64];
    long long t0;
    (void)state;

    /* No CR within connect_timeout (2 s). */
    assert_int_equal(tc_open(&c, port_plain, NULL), 0);
    peer_of(&c, peer, sizeof peer);
    t0 = x4t_now_ms();
    assert_true(tc_wait_eof(&c, 6000));
    assert_true(x4t_now_ms() - t0 >= 1500);
    tc_close(&c);
    expect_log(peer, "connection not established within 2000 ms");

    /* Nothing after the CC within idle_timeout (3 s). */
    assert_int_equal(tc_open(&c, port_plain, NULL), 0);
    assert_int_equal(tc_establish(&c, NULL), 0);
    peer_of(&c, peer, sizeof peer);
    t0 = x4t_now_ms();
    assert_true(tc_wait_eof(&c, 8000));
    assert_true(x4t_now_ms() - t0 >= 2500);
    tc_close(&c);
    expect_log(peer, "idle for 3 s (idle_timeout)");
}

/* ---- outgoing connections (tsecho's "connect" entries) -------------------- */

static void test_transport_outbound(void **state)
{
    char port[32];
    (void)state;

    /* 0: to our own listener, 20000 octets through TPDUs of 4096. */
    expect_log("[tsecho] outbound 0 echo ok (20000 octets, transport rfc1006, TPDU size 4096)", "");
    /* 1: nobody listens there. */
    snprintf(port, sizeof port, "%d: Connection refused", port_closed);
    expect_log("[tsecho] outbound 1 disconnected: reason -15: connect to 127.0.0.1:", port);
    /* 2: by host name, to the listener that wants '0080'H: DR. */
    expect_log("[tsecho] outbound 2 disconnected: reason -9: connection refused by the peer: "
               "DR reason 3", "");
    /* 3: by host name, an empty TSDU. */
    expect_log("[tsecho] outbound 3 echo ok (0 octets, transport rfc1006", "");
}

/* ---- many connections, no leaked descriptor ----------------------------- */

static int settled_fd_count(int baseline)
{
    int n = -1;
    for (int i = 0; i < 100; i++) {
        n = x4t_daemon_fd_count(daemon_);
        if (n <= baseline)
            break;
        usleep(20000);
    }
    return n;
}

static void test_transport_1000_sequential(void **state)
{
    int before = x4t_daemon_fd_count(daemon_);
    (void)state;

    assert_true(before > 0);
    for (int i = 0; i < 1000; i++) {
        struct tc c;
        uint8_t back[16];
        assert_int_equal(tc_open(&c, port_plain, NULL), 0);
        assert_int_equal(tc_establish(&c, NULL), 0);
        assert_int_equal(tc_send_tsdu(&c, "ping", 4, 100), 0);
        assert_int_equal(tc_recv_tsdu(&c, back, sizeof back, NULL, NULL, 5000), 4);
        tc_close(&c);
    }
    assert_int_equal(settled_fd_count(before), before);
}

static void test_transport_200_concurrent(void **state)
{
    static struct tc cs[200];
    int before = x4t_daemon_fd_count(daemon_), during;
    (void)state;

    for (int i = 0; i < 200; i++) {
        assert_int_equal(tc_open(&cs[i], port_plain, NULL), 0);
        assert_int_equal(tc_establish(&cs[i], NULL), 0);
    }
    for (int i = 0; i < 200; i++) {
        char msg[16];
        snprintf(msg, sizeof msg, "conn %d", i);
        assert_int_equal(tc_send_tsdu(&cs[i], msg, strlen(msg), 3), 0);
    }
    for (int i = 0; i < 200; i++) {
        char msg[16];
        uint8_t back[16];
        snprintf(msg, sizeof msg, "conn %d", i);
        assert_int_equal(tc_recv_tsdu(&cs[i], back, sizeof back, NULL, NULL, 5000),
                         (long)strlen(msg));
        assert_memory_equal(back, msg, strlen(msg));
    }
    during = x4t_daemon_fd_count(daemon_);
    assert_true(during >= before + 200);
    for (int i = 0; i < 200; i++)
        tc_close(&cs[i]);
    assert_int_equal(settled_fd_count(before), before);
}

static void test_transport_max_connections_neg(void **state)
{
    /* max_connections is 260: the 261st is closed at once, with a log line. */
    static struct tc cs[260];
    struct tc extra;
    (void)state;

    for (int i = 0; i < 260; i++) {
        assert_int_equal(tc_open(&cs[i], port_plain, NULL), 0);
        assert_int_equal(tc_establish(&cs[i], NULL), 0);
    }
    assert_int_equal(tc_open(&extra, port_plain, NULL), 0);
    assert_true(tc_wait_eof(&extra, 5000));
    tc_close(&extra);
    expect_log("connection refused: max_connections 260 reached", "");
    for (int i = 0; i < 260; i++)
        tc_close(&cs[i]);
}

static void test_transport_flow_control(void **state)
{
    /* 400 requests for 60000 octets each, written before reading anything:
     * 24 MB overflow the socket buffers and max_output (4 MiB), so sends get
     * EAGAIN and the user waits for writable(); every answer arrives intact. */
    static uint8_t back[60000];
    struct tc c;
    char peer[64];
    (void)state;

    assert_int_equal(tc_open(&c, port_plain, NULL), 0);
    assert_int_equal(tc_establish(&c, NULL), 0);
    peer_of(&c, peer, sizeof peer);
    for (int i = 0; i < 400; i++)
        assert_int_equal(tc_send_tsdu(&c, "BIG 60000", 9, 100), 0);
    expect_log(peer, "output queue full");
    for (int i = 0; i < 400; i++) {
        assert_int_equal(tc_recv_tsdu(&c, back, sizeof back, NULL, NULL, 10000), 60000);
        assert_int_equal(back[59999], (uint8_t)59999);
        assert_int_equal(back[i], (uint8_t)i);
    }
    expect_log(peer, "writable again");
    tc_close(&c);
}

static void test_transport_stop_with_open_connections(void **state)
{
    /* SIGTERM with connections open: they are closed, the daemon exits 0. */
    struct tc cs[10];
    (void)state;

    for (int i = 0; i < 10; i++) {
        assert_int_equal(tc_open(&cs[i], port_plain, NULL), 0);
        assert_int_equal(tc_establish(&cs[i], NULL), 0);
    }
    assert_int_equal(x4t_daemon_stop(daemon_), 0);
    daemon_ = NULL;
    for (int i = 0; i < 10; i++) {
        assert_true(tc_wait_eof(&cs[i], 5000));
        tc_close(&cs[i]);
    }
}

/* ---- a capture of the loopback, dissected by tshark ---------------------- */

static void test_transport_capture_clean(void **state)
{
    char *dir, pcap[600], filter[64], report[4096];
    struct tc c;
    uint8_t back[10000];
    pid_t pid;
    int status;
    (void)state;

    if (!x4_tshark_path() || geteuid() != 0 || access("/usr/bin/dumpcap", X_OK) != 0) {
        fprintf(stderr, "capture skipped: needs tshark, dumpcap and root\n");
        skip();
    }
    dir = x4t_tempdir("tcap");
    assert_non_null(dir);
    snprintf(pcap, sizeof pcap, "%s/lo.pcap", dir);
    snprintf(filter, sizeof filter, "tcp port %d", port_plain);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int null = open("/dev/null", 0);
        dup2(null, 1);
        dup2(null, 2);
        execl("/usr/bin/dumpcap", "dumpcap", "-q", "-i", "lo", "-f", filter, "-P", "-a",
              "duration:30", "-w", pcap, (char *)NULL);
        _exit(127);
    }
    /* dumpcap creates the file once it captures. */
    for (int i = 0; i < 100 && access(pcap, F_OK) != 0; i++)
        usleep(20000);
    usleep(200000);

    assert_int_equal(tc_open(&c, port_plain, NULL), 0);
    assert_int_equal(tc_establish(&c, NULL), 0);
    assert_int_equal(tc_send_tsdu(&c, "captured", 8, 3), 0);
    assert_int_equal(tc_recv_tsdu(&c, back, sizeof back, NULL, NULL, 5000), 8);
    assert_int_equal(tc_send_tsdu(&c, "BIG 9000", 8, 100), 0);
    assert_int_equal(tc_recv_tsdu(&c, back, sizeof back, NULL, NULL, 5000), 9000);
    assert_int_equal(tc_send_tsdu(&c, "CLOSE", 5, 100), 0);
    assert_true(tc_wait_eof(&c, 5000));
    tc_close(&c);

    usleep(300000);
    kill(pid, SIGINT);
    waitpid(pid, &status, 0);
    {
        static char verbose[1 << 20];
        int rc = x4_tshark_check(pcap, (uint16_t)port_plain, report, sizeof report, verbose,
                                 sizeof verbose);
        if (rc != 0)
            fprintf(stderr, "tshark: %s\n", report);
        assert_int_equal(rc, 0);
        /* The capture holds the exchange, dissected as TPKT/COTP. */
        assert_non_null(strstr(verbose, "CR Connect Request"));
        assert_non_null(strstr(verbose, "CC Connect Confirm"));
        assert_non_null(strstr(verbose, "DT Data"));
    }
    x4t_rmtree(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_transport_cr_cc_echo),
        cmocka_unit_test(test_transport_isode_cr),
        cmocka_unit_test(test_transport_tpdu_size_negotiation),
        cmocka_unit_test(test_transport_split_many_small_dts),
        cmocka_unit_test(test_transport_one_tpkt_many_reads),
        cmocka_unit_test(test_transport_unknown_tsel_neg),
        cmocka_unit_test(test_transport_user_refuses_neg),
        cmocka_unit_test(test_transport_garbage_neg),
        cmocka_unit_test(test_transport_bad_tpkt_length_neg),
        cmocka_unit_test(test_transport_unknown_tpdu_er_neg),
        cmocka_unit_test(test_transport_dt_before_cr_neg),
        cmocka_unit_test(test_transport_max_tsdu_neg),
        cmocka_unit_test(test_transport_peer_closes_mid_pdu),
        cmocka_unit_test(test_transport_outbound),
        cmocka_unit_test(test_transport_1000_sequential),
        cmocka_unit_test(test_transport_200_concurrent),
        cmocka_unit_test(test_transport_max_connections_neg),
        cmocka_unit_test(test_transport_capture_clean),
        cmocka_unit_test(test_transport_flow_control),
        cmocka_unit_test(test_transport_timeouts),
        cmocka_unit_test(test_transport_stop_with_open_connections),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
