/* Resource attacks against the real daemon: slowloris (one octet a second)
 * at three stages of a connection, 2,000 half-open connections, and a
 * flood of binds with a wrong password. The manifest sets small timeouts
 * (idle_timeout and connect_timeout 2 s) so each case takes seconds.
 *
 * Where the daemon has no defence yet, the case is skipped with a message
 * that starts with "FINDING:" rather than passing. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "asn1/tpkt.h"
#include "tests/integration/hostile/hostile.h"
#include "tests/integration/hostile/pdus.h"
#include "tests/lib/x4test.h"

#define TIMEOUT_S 2
#define HALF_OPEN 2000

static const uint8_t bind_ok[] = { 0x04, 0x02, 'o', 'k' };
static const uint8_t bind_bad[] = { 0x04, 0x03, 'b', 'a', 'd' }; /* echo.c: bind-error */

static int setup(void **state)
{
    (void)state;
    /* The test holds HALF_OPEN sockets and the daemon (our child) as many. */
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < HALF_OPEN + 500) {
        rl.rlim_cur = rl.rlim_max < HALF_OPEN + 500 ? rl.rlim_max : HALF_OPEN + 500;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    return hostile_start(TIMEOUT_S, TIMEOUT_S, HALF_OPEN + 200);
}

static int teardown(void **state)
{
    (void)state;
    return hostile_stop();
}

/* ---- slowloris ---- */

/* A connection that drips `pdu` one octet per second. */
struct drip {
    struct osic *c;
    char peer[64];
    uint8_t *pdu;
    size_t len, sent;
    long long closed_at; /* ms since the drip began; -1 while open */
    const char *stage;
};

static void drip_init(struct drip *d, struct osic *c, const char *stage, const uint8_t *pdu,
                      size_t len)
{
    memset(d, 0, sizeof(*d));
    assert_non_null(c);
    d->c = c;
    d->stage = stage;
    hostile_peer_name(c->fd, d->peer, sizeof(d->peer));
    d->pdu = malloc(len);
    assert_non_null(d->pdu);
    memcpy(d->pdu, pdu, len);
    d->len = len;
    d->closed_at = -1;
}

/* True when the server has closed d (EOF or reset). */
static bool drip_closed(struct drip *d)
{
    struct pollfd pfd = { .fd = d->c->fd, .events = POLLIN };
    if (poll(&pfd, 1, 0) != 1)
        return false;
    uint8_t b[4096];
    ssize_t k = recv(d->c->fd, b, sizeof(b), MSG_DONTWAIT);
    return k == 0 || (k < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
}

/* Drips one octet a second into each of n connections for up to
 * seconds_max, noting when each is closed. */
static void drip_run(struct drip *d, size_t n, int seconds_max)
{
    long long t0 = x4t_now_ms();
    for (int s = 0; s < seconds_max; s++) {
        size_t open = 0;
        for (size_t i = 0; i < n; i++) {
            if (d[i].closed_at >= 0)
                continue;
            if (drip_closed(&d[i])) {
                d[i].closed_at = x4t_now_ms() - t0;
                continue;
            }
            if (d[i].sent < d[i].len - 1) /* never the last octet: the PDU stays partial */
                send(d[i].c->fd, d[i].pdu + d[i].sent++, 1, MSG_NOSIGNAL);
            open++;
        }
        if (open == 0)
            return;
        sleep(1);
    }
    for (size_t i = 0; i < n; i++)
        if (d[i].closed_at < 0 && drip_closed(&d[i]))
            d[i].closed_at = x4t_now_ms() - t0;
}

static void drip_free(struct drip *d)
{
    osic_free(d->c);
    free(d->pdu);
}

static void test_hostile_slowloris_before_cr_neg(void **state)
{
    (void)state;
    /* The CR dripped octet by octet: connect_timeout bounds the whole
     * establishment (TCP + CR/CC), however slowly the bytes come. */
    struct x224_tpdu cr = { .code = X224_CR, .src_ref = 0x4242 };
    uint8_t buf[64];
    size_t n = x224_encode(buf, sizeof(buf), &cr);
    assert_true(n > 0);
    struct drip d;
    drip_init(&d, osic_open(H.port, NULL, false), "before the CR", buf, n);
    drip_run(&d, 1, TIMEOUT_S + 4);
    fprintf(stderr, "# slowloris before the CR: closed after %lld ms\n", d.closed_at);
    assert_true(d.closed_at >= 0);
    hostile_after(d.peer, "not established within");
    drip_free(&d);
}

static void test_hostile_slowloris_after_cc_and_in_association_neg(void **state)
{
    (void)state;
    /* Two connections drip at once: one between CC and CN (a CN TSDU in
     * one DT), one inside an established association (a P-DATA invoke).
     * Every octet is input, so idle_timeout alone never fires; something
     * must bound how long a partial TPKT/TSDU may take. */
    struct ber_writer w;
    ber_writer_init(&w);
    assert_int_equal(hpdu_echo_cn(&w, "2.999.1.1", ber_slice_make(bind_ok, sizeof(bind_ok))), 0);
    size_t cn_len = ber_writer_len(&w);
    uint8_t *cn = malloc(cn_len + X224_DT_OVERHEAD);
    assert_non_null(cn);
    x224_put_dt_header(cn, cn_len, true);
    memcpy(cn + X224_DT_OVERHEAD, ber_writer_data(&w), cn_len);
    ber_writer_free(&w);

    static const uint8_t arg[] = { 0x04, 0x04, 's', 'l', 'o', 'w' };
    struct ber_writer inv, data;
    ber_writer_init(&inv);
    ber_writer_init(&data);
    assert_int_equal(hpdu_invoke(&inv, 1, 1, ber_slice_make(arg, sizeof(arg))), 0);
    osic_build_data(&data, 3, ber_writer_slice(&inv));
    size_t pd_len = ber_writer_len(&data);
    uint8_t *pd = malloc(pd_len + X224_DT_OVERHEAD);
    assert_non_null(pd);
    x224_put_dt_header(pd, pd_len, true);
    memcpy(pd + X224_DT_OVERHEAD, ber_writer_data(&data), pd_len);
    ber_writer_free(&inv);
    ber_writer_free(&data);

    struct drip d[2];
    drip_init(&d[0], hostile_open_cc(), "between CC and CN", cn, cn_len + X224_DT_OVERHEAD);
    drip_init(&d[1], hostile_open_assoc(), "inside an association", pd, pd_len + X224_DT_OVERHEAD);
    free(cn);
    free(pd);
    int limit = 3 * TIMEOUT_S + 2;
    drip_run(d, 2, limit);
    bool finding = false;
    for (int i = 0; i < 2; i++) {
        if (d[i].closed_at >= 0) {
            fprintf(stderr, "# slowloris %s: closed after %lld ms\n", d[i].stage, d[i].closed_at);
        } else {
            fprintf(stderr,
                    "FINDING: slowloris %s: still open after %d s of one octet a second with "
                    "idle_timeout and connect_timeout %d s: rfc1006 resets its idle timer on "
                    "every octet and nothing bounds the time a partial TPKT/TSDU (or, before "
                    "the CN, the session establishment) may take "
                    "(modules/transport/rfc1006/conn.c conn_on_timer; core/osi)\n",
                    d[i].stage, limit, TIMEOUT_S);
            finding = true;
        }
    }
    /* Whatever happened, the server still serves others and memory is bounded. */
    hostile_check_rss("slowloris", 64 * 1024);
    hostile_expect_healthy();
    for (int i = 0; i < 2; i++) {
        if (d[i].closed_at >= 0)
            hostile_expect_log(d[i].peer, "closing", 5000);
        drip_free(&d[i]);
    }
    /* rfc1006's pdu_timeout bounds a TPKT/TSDU that trickles in. */
    assert_false(finding);
}

/* ---- half-open connections ---- */

static int connect_nb(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 && errno != EINPROGRESS) {
        close(fd);
        return -1;
    }
    return fd;
}

static void test_hostile_half_open_2000_neg(void **state)
{
    (void)state;
    int *fds = malloc(HALF_OPEN * sizeof(int));
    assert_non_null(fds);
    long rss0 = hostile_rss_kb();
    long long t0 = x4t_now_ms();
    int opened = 0;
    for (int i = 0; i < HALF_OPEN; i++) {
        fds[i] = connect_nb(H.port);
        if (fds[i] >= 0)
            opened++;
    }
    assert_int_equal(opened, HALF_OPEN);
    /* Until the daemon has accepted them all (each is a socket fd). */
    int nfd = 0;
    for (int i = 0; i < 500; i++) { /* up to 10 s on a loaded machine */
        nfd = x4t_daemon_fd_count(H.d);
        if (nfd >= H.fds_base + HALF_OPEN)
            break;
        usleep(20000);
    }
    long rss1 = hostile_rss_kb();
    fprintf(stderr, "# %d half-open connections accepted in %lld ms: daemon %d fds, RSS %ld KiB "
            "(+%ld KiB, %.2f KiB per connection)\n", HALF_OPEN, x4t_now_ms() - t0, nfd, rss1,
            rss1 - rss0, (double)(rss1 - rss0) / HALF_OPEN);
    assert_true(nfd >= H.fds_base + HALF_OPEN);
    /* The server still serves a real association meanwhile. */
    hostile_expect_healthy();
    hostile_check_rss("2000 half-open connections", 64 * 1024);
    /* connect_timeout closes every one of them. */
    long long deadline = x4t_now_ms() + (TIMEOUT_S + 8) * 1000;
    int closed = 0;
    for (int i = 0; i < HALF_OPEN; i++) {
        for (;;) {
            long long left = deadline - x4t_now_ms();
            struct pollfd pfd = { .fd = fds[i], .events = POLLIN };
            if (left <= 0 || poll(&pfd, 1, (int)left) != 1)
                break;
            uint8_t b[64];
            ssize_t k = recv(fds[i], b, sizeof(b), 0);
            if (k == 0 || (k < 0 && errno != EAGAIN && errno != EINTR)) {
                closed++;
                break;
            }
        }
    }
    fprintf(stderr, "# %d of %d half-open connections closed by the daemon within %lld ms\n",
            closed, HALF_OPEN, x4t_now_ms() - t0);
    char peer[64];
    hostile_peer_name(fds[0], peer, sizeof(peer));
    for (int i = 0; i < HALF_OPEN; i++)
        close(fds[i]);
    free(fds);
    assert_int_equal(closed, HALF_OPEN);
    hostile_expect_log(peer, "not established within", 5000);
    /* Back to the baseline of descriptors. */
    for (int i = 0; i < 100 && x4t_daemon_fd_count(H.d) > H.fds_base; i++)
        usleep(50000);
    assert_true(x4t_daemon_fd_count(H.d) <= H.fds_base);
    hostile_check_rss("2000 half-open connections closed", 64 * 1024);
    hostile_expect_healthy();
}

/* ---- bind flood ---- */

static void test_hostile_bind_flood_wrong_password_neg(void **state)
{
    (void)state;
    enum { N = 100 };
    struct osic *c[N];
    struct ber_writer w;
    ber_writer_init(&w);
    assert_int_equal(hpdu_echo_cn(&w, "2.999.1.1", ber_slice_make(bind_bad, sizeof(bind_bad))), 0);
    long long t0 = x4t_now_ms();
    for (int i = 0; i < N; i++) {
        c[i] = hostile_open_cc();
        assert_non_null(c[i]);
        assert_int_equal(osic_send_tsdu(c[i], ber_writer_data(&w), ber_writer_len(&w)), 0);
    }
    ber_writer_free(&w);
    /* Meanwhile a right password still binds. */
    hostile_expect_healthy();
    for (int i = 0; i < N; i++) {
        assert_int_equal(hostile_recv_si(c[i], 10000), 12); /* RF */
        int64_t res, src, diag;
        assert_int_equal(osic_aare(c[i], &res, &src, &diag), 0);
        assert_int_equal(res, 1); /* rejected-permanent */
        assert_true(osic_wait_closed(c[i], 5000));
    }
    fprintf(stderr, "# %d wrong-password binds refused in %lld ms\n", N, x4t_now_ms() - t0);
    char peer[64];
    hostile_peer_name(c[N - 1]->fd, peer, sizeof(peer));
    for (int i = 0; i < N; i++)
        osic_free(c[i]);
    hostile_after(peer, "bind refused");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hostile_slowloris_before_cr_neg),
        cmocka_unit_test(test_hostile_slowloris_after_cc_and_in_association_neg),
        cmocka_unit_test(test_hostile_half_open_2000_neg),
        cmocka_unit_test(test_hostile_bind_flood_wrong_password_neg),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
