/* Replays the client side of the ISODE associations in the ISODE loopback
 * capture (tests/integration/osi/data/isode-loopback.pcap, a copy of the
 * project's shared test data; $X400MS_ISODE_PCAP overrides) against the
 * daemon: the client payloads are extracted
 * with tshark at run time and sent one TCP segment at a time, with what the
 * server answers drained after each. The server must answer with valid PDUs
 * (tshark dissects the whole replayed exchange with no malformed frame) and
 * follow the association as far as the blind replay allows:
 *  - port 56260: ACSE association of context 1.17.0.1.1 without the RTSE
 *    syntax: refused (RF + CPR: no common abstract syntax);
 *  - port 56276: RTSE association: AC, then turn exchanges (GTC), activities
 *    (AS..AE / AEA) and the release (DN);
 *  - port 56292: RTSE + ROSE: the invokes of operation 0 are answered. */
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

#include "tests/integration/osi/osic.h"
#include "tests/lib/x4test.h"

static struct x4t_daemon *daemon_;
static int port_;
static const char *pcap_;
static char pcap_buf[1024];

static const char manifest[] =
    "{ \"threads\": 2, \"log\": { \"level\": \"info\" }, \"modules\": [\n"
    "  { \"name\": \"rfc1006\", \"config\": {\n"
    "      \"listen\": [ { \"address\": \"127.0.0.1\", \"port\": @PORT1@ } ] } },\n"
    "  { \"name\": \"rtse\" },\n"
    "  { \"name\": \"echo\", \"file\": \"@ECHO@\", \"config\": { \"extra_contexts\": [\n"
    "      { \"oid\": \"1.17.0.1.1\", \"syntax\": \"2.3.0\", \"reliable\": true } ] } }\n"
    "] }\n";

static int setup(void **state)
{
    (void)state;
    const char *ts = getenv("TSHARK");
    pcap_ = getenv("X400MS_ISODE_PCAP");
    if (pcap_ == NULL) {
        snprintf(pcap_buf, sizeof(pcap_buf), "%s/tests/integration/osi/data/isode-loopback.pcap",
                 getenv("X400MS_TOP_SRCDIR"));
        pcap_ = pcap_buf;
    }
    if (ts == NULL || !*ts || access(pcap_, R_OK) != 0) {
        fprintf(stderr, "no tshark or no ISODE capture: the replay is skipped\n");
        return 0;
    }
    char echo[1024];
    snprintf(echo, sizeof(echo), "%s/tests/integration/osi/echo", getenv("X400MS_TOP_BUILDDIR"));
    char *t = x4t_replace(manifest, "@ECHO@", echo);
    daemon_ = x4t_daemon_start(t);
    free(t);
    if (daemon_ == NULL)
        return -1;
    port_ = x4t_daemon_port(daemon_, 1);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    return daemon_ == NULL || x4t_daemon_stop(daemon_) == 0 ? 0 : -1;
}

/* The client's TCP payloads of one connection, as binary chunks. */
struct payloads {
    uint8_t *p[512];
    size_t n[512];
    int count;
};

static int hexval(int c)
{
    return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}

static void extract(int client_port, struct payloads *out)
{
    char filter[128];
    snprintf(filter, sizeof(filter), "tcp.srcport==%d && tcp.len>0", client_port);
    char *argv[] = { (char *)getenv("TSHARK"), "-r", (char *)pcap_, "-Y", filter, "-T", "fields",
                     "-e", "tcp.payload", NULL };
    char *text = NULL;
    assert_int_equal(x4t_run(argv, &text, 30000), 0);
    memset(out, 0, sizeof(*out));
    for (char *line = strtok(text, "\n"); line && out->count < 512; line = strtok(NULL, "\n")) {
        size_t len = strlen(line);
        if (len < 2 || (len % 2) != 0 || line[0] == 'R') /* "Running as user root ..." */
            continue;
        uint8_t *b = malloc(len / 2);
        for (size_t i = 0; i < len / 2; i++)
            b[i] = (uint8_t)(hexval(line[2 * i]) << 4 | hexval(line[2 * i + 1]));
        out->p[out->count] = b;
        out->n[out->count++] = len / 2;
    }
    free(text);
    assert_true(out->count > 2);
}

static void free_payloads(struct payloads *p)
{
    for (int i = 0; i < p->count; i++)
        free(p->p[i]);
}

/* What came back, by session SI of each TSDU's last SPDU. */
struct answers {
    int si_count[64];
    int tsdus;
    bool closed;
};

static void drain(struct osic *c, struct answers *a, int timeout_ms)
{
    c->timeout_ms = timeout_ms;
    for (;;) {
        if (osic_recv_tsdu(c) < 0)
            break;
        a->tsdus++;
        struct osic_spdu s[4];
        int k = osic_spdus(c->tsdu, c->tsdu_len, s, 4);
        for (int i = 0; i < k; i++)
            if (s[i].si < 64)
                a->si_count[s[i].si]++;
    }
}

static void replay(int client_port, const char *name, struct answers *a)
{
    struct payloads p;
    extract(client_port, &p);
    struct osic *c = osic_open(port_, NULL, true);
    assert_non_null(c);
    memset(a, 0, sizeof(*a));
    for (int i = 0; i < p.count; i++) {
        /* a DR (X.224 disconnect request) ends the ISODE connection: we close */
        if (p.n[i] >= 6 && p.p[i][5] == 0x80)
            break;
        if (osic_send_raw(c, p.p[i], p.n[i]) < 0)
            break;
        drain(c, a, 50);
    }
    a->closed = osic_wait_closed(c, 2000);
    char path[1024];
    snprintf(path, sizeof(path), "%s/%s.pcap", x4t_daemon_data_dir(daemon_), name);
    assert_int_equal(osic_capture_check(c, path, port_), 0);
    osic_free(c);
    free_payloads(&p);
}

static void test_osi_replay_isode_acse(void **state)
{
    (void)state;
    if (daemon_ == NULL)
        skip();
    struct answers a;
    replay(56260, "isode-acse", &a);
    /* CC, then RF (CPR: the context requires 2.3.0, which this client does not offer) */
    assert_int_equal(a.si_count[12], 1);
    assert_true(a.closed);
    assert_int_equal(x4t_daemon_wait_log(daemon_, "no common abstract syntax for context 1.17.0.1.1", 2000), 0);
}

static void test_osi_replay_isode_rtse(void **state)
{
    (void)state;
    if (daemon_ == NULL)
        skip();
    struct answers a;
    replay(56276, "isode-rtse", &a);
    assert_int_equal(a.si_count[14], 1);     /* AC */
    assert_true(a.si_count[21] >= 5);        /* GTC: the turn given back again and again */
    assert_true(a.si_count[42] >= 5);        /* AEA: transfers confirmed */
    assert_true(a.si_count[45] >= 1);        /* AS: the server transfers too */
    assert_int_equal(a.si_count[10], 1);     /* DN: released */
}

static void test_osi_replay_isode_rtse_rose(void **state)
{
    (void)state;
    if (daemon_ == NULL)
        skip();
    struct answers a;
    replay(56292, "isode-rtse-rose", &a);
    assert_int_equal(a.si_count[14], 1);
    assert_true(a.si_count[42] >= 5);
    assert_int_equal(a.si_count[10], 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_osi_replay_isode_acse),
        cmocka_unit_test(test_osi_replay_isode_rtse),
        cmocka_unit_test(test_osi_replay_isode_rtse_rose),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
