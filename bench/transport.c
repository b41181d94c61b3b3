/* bench/transport: the transport part of the association benchmark.
 *
 * Starts the real daemon (rfc1006 + tls + the tests-only echo user) and
 * measures over loopback, plain RFC 1006 and RFC 1006 inside TLS:
 *   - transport connections per second (TCP [+ TLS] + CR/CC + close);
 *   - TSDU echo round trips per second on 1 connection and on 100.
 * Run from the build tree (make bench; then bench/transport), or with the
 * same environment as make check (X400MS_TOP_BUILDDIR, X400MS_MODULE_PATH).
 * Options: -n SECONDS per figure (default 3), -s TSDU size (default 100). */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <openssl/ssl.h>
#include "tests/lib/x4test.h"
#include "tests/integration/transport/tclient.h"

#define NCONC 100

static int seconds = 3;
static size_t tsdu_size = 100;

static const char manifest[] =
    "{ \"log\": { \"level\": \"notice\" }, \"modules\": [\n"
    "  { \"name\": \"rfc1006\", \"config\": { \"max_connections\": 4096,\n"
    "      \"listen\": [ { \"port\": @PORT1@, \"user\": \"echo\" } ] } },\n"
    "  { \"name\": \"tls\", \"config\": {\n"
    "      \"listen\": [ { \"port\": @PORT2@, \"user\": \"echo\" } ],\n"
    "      \"cert\": \"@PKI@/server.pem\", \"key\": \"@PKI@/server.key\" } },\n"
    "  { \"name\": \"tsecho\", \"file\": \"@TSECHO@\" }\n"
    "] }\n";

static double now_s(void)
{
    return (double)x4t_now_ms() / 1000.0;
}

static double bench_connections(int port, SSL_CTX *ctx)
{
    double t0 = now_s(), t;
    long n = 0;

    do {
        struct tc c;
        if (tc_open(&c, port, ctx) != 0 || tc_establish(&c, NULL) != 0) {
            fprintf(stderr, "connection %ld failed\n", n);
            exit(1);
        }
        tc_close(&c);
        n++;
    } while ((t = now_s() - t0) < seconds);
    return (double)n / t;
}

static double bench_round_trips(int port, SSL_CTX *ctx, int nconn)
{
    static struct tc cs[NCONC];
    static uint8_t back[1 << 20];
    struct pollfd pfd[NCONC];
    uint8_t *payload = malloc(tsdu_size);
    double t0, t;
    long n = 0;

    memset(payload, 'x', tsdu_size);
    for (int i = 0; i < nconn; i++) {
        if (tc_open(&cs[i], port, ctx) != 0 || tc_establish(&cs[i], NULL) != 0) {
            fprintf(stderr, "connection %d failed\n", i);
            exit(1);
        }
        pfd[i] = (struct pollfd){ .fd = cs[i].fd, .events = POLLIN };
        tc_send_tsdu(&cs[i], payload, tsdu_size, 65531 - 3);
    }
    t0 = now_s();
    do {
        if (poll(pfd, (nfds_t)nconn, 1000) <= 0)
            break;
        for (int i = 0; i < nconn; i++) {
            if (!(pfd[i].revents & POLLIN))
                continue;
            if (tc_recv_tsdu(&cs[i], back, sizeof back, NULL, NULL, 5000) != (long)tsdu_size) {
                fprintf(stderr, "echo failed on connection %d\n", i);
                exit(1);
            }
            n++;
            tc_send_tsdu(&cs[i], payload, tsdu_size, 65531 - 3);
        }
    } while ((t = now_s() - t0) < seconds);
    t = now_s() - t0;
    for (int i = 0; i < nconn; i++)
        tc_close(&cs[i]);
    free(payload);
    return (double)n / t;
}

int main(int argc, char **argv)
{
    char tsecho[1024], *pki, *a, *b;
    struct x4t_daemon *d;
    SSL_CTX *ctx;
    int opt;

    while ((opt = getopt(argc, argv, "n:s:")) != -1) {
        if (opt == 'n')
            seconds = atoi(optarg);
        else if (opt == 's')
            tsdu_size = (size_t)atol(optarg);
        else {
            fprintf(stderr, "usage: %s [-n seconds] [-s tsdu-size]\n", argv[0]);
            return 2;
        }
    }
    if (!getenv("X400MS_TOP_BUILDDIR"))
        setenv("X400MS_TOP_BUILDDIR", ".", 1);
    if (!getenv("X400MS_MODULE_PATH")) {
        char mp[1024];
        snprintf(mp, sizeof mp, "%s/modules", getenv("X400MS_TOP_BUILDDIR"));
        setenv("X400MS_MODULE_PATH", mp, 1);
    }
    pki = x4t_tempdir("bench-pki");
    if (!pki || tc_make_pki(pki) != 0)
        return 1;
    snprintf(tsecho, sizeof tsecho, "%s/tests/integration/transport/tsecho",
             getenv("X400MS_TOP_BUILDDIR"));
    a = x4t_replace(manifest, "@TSECHO@", tsecho);
    b = x4t_replace(a, "@PKI@", pki);
    d = x4t_daemon_start(b);
    free(a);
    free(b);
    if (!d) {
        x4t_rmtree(pki);
        return 1;
    }
    ctx = tc_ssl_ctx(pki, "ca.pem", NULL, NULL, 0);

    printf("transport benchmark: %d s per figure, TSDU %zu octets, client and daemon on this "
           "machine (%ld cores)\n", seconds, tsdu_size, sysconf(_SC_NPROCESSORS_ONLN));
    printf("plain connections/s (TCP + CR/CC + close):        %10.0f\n",
           bench_connections(x4t_daemon_port(d, 1), NULL));
    printf("TLS connections/s (TCP + TLS 1.3 + CR/CC + close): %10.0f\n",
           bench_connections(x4t_daemon_port(d, 2), ctx));
    printf("plain TSDU round trips/s, 1 connection:           %10.0f\n",
           bench_round_trips(x4t_daemon_port(d, 1), NULL, 1));
    printf("plain TSDU round trips/s, %d connections:        %10.0f\n", NCONC,
           bench_round_trips(x4t_daemon_port(d, 1), NULL, NCONC));
    printf("TLS TSDU round trips/s, 1 connection:             %10.0f\n",
           bench_round_trips(x4t_daemon_port(d, 2), ctx, 1));
    printf("TLS TSDU round trips/s, %d connections:          %10.0f\n", NCONC,
           bench_round_trips(x4t_daemon_port(d, 2), ctx, NCONC));

    SSL_CTX_free(ctx);
    x4t_daemon_stop(d);
    x4t_rmtree(pki);
    free(pki);
    return 0;
}
