/* bench/osi: association set-up + release per second, and ROSE round trips
 * per second on one association and on 100, against a real daemon (rfc1006
 * + the tests-only echo module) on 127.0.0.1.
 *
 *   make bench && X400MS_TOP_BUILDDIR=$PWD X400MS_MODULE_PATH=$PWD/modules bench/bench_osi [seconds]
 *
 * The client is the blocking test client (tests/integration/osi/osic.c);
 * the 100-association run multiplexes with poll(). Figures, never asserts. */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tests/integration/osi/osic.h"
#include "tests/lib/x4test.h"

static const char manifest[] =
    "{ \"threads\": 2, \"log\": { \"level\": \"notice\" }, \"modules\": [\n"
    "  { \"name\": \"rfc1006\", \"config\": {\n"
    "      \"listen\": [ { \"address\": \"127.0.0.1\", \"port\": @PORT1@ } ],\n"
    "      \"max_connections\": 1000 } },\n"
    "  { \"name\": \"tls\", \"config\": {\n"
    "      \"listen\": [ { \"address\": \"127.0.0.1\", \"port\": @PORT2@ } ],\n"
    "      \"cert\": \"@PKI@/server.pem\", \"key\": \"@PKI@/server.key\", \"ca\": \"@PKI@/ca.pem\" } },\n"
    "  { \"name\": \"echo\", \"file\": \"@ECHO@\" }\n"
    "] }\n";

int tc_make_pki(const char *dir);

static const uint8_t bind_ok[] = { 0x04, 0x02, 'o', 'k' };
static const uint8_t arg[] = { 0x04, 0x10, '0', '1', '2', '3', '4', '5', '6', '7',
                               '8', '9', 'a', 'b', 'c', 'd', 'e', 'f' };

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int one_association(int port, const char *ca)
{
    struct osic *c = osic_open(port, ca, false);
    if (c == NULL)
        return -1;
    int rc = osic_associate(c, "2.999.1.1", NULL, 0, ber_slice_make(bind_ok, sizeof(bind_ok))) == 14 &&
                     osic_release(c) == 0
                 ? 0
                 : -1;
    osic_free(c);
    return rc;
}

static void bench_assoc(int port, const char *ca, const char *label, double secs)
{
    double t0 = now_s(), t;
    long n = 0;
    while ((t = now_s()) - t0 < secs) {
        if (one_association(port, ca) < 0) {
            fprintf(stderr, "association failed\n");
            return;
        }
        n++;
    }
    printf("associations (set-up + release), %s: %ld in %.2f s = %.0f/s\n", label, n, t - t0,
           n / (t - t0));
}

/* Round trips on one association, `window` invokes in flight. */
static void bench_rt_one(int port, int window, double secs)
{
    struct osic *c = osic_open(port, NULL, false);
    if (c == NULL || osic_associate(c, "2.999.1.1", NULL, 0, ber_slice_make(bind_ok, sizeof(bind_ok))) != 14) {
        fprintf(stderr, "association failed\n");
        return;
    }
    long sent = 0, got = 0;
    double t0 = now_s(), t = t0;
    while (sent < window)
        osic_send_invoke(c, ++sent, 1, ber_slice_make(arg, sizeof(arg)));
    while ((t = now_s()) - t0 < secs) {
        struct ber_slice r;
        if (osic_recv_rose(c, &r) < 0 || r.ptr[0] != 0xA2) {
            fprintf(stderr, "bad answer\n");
            return;
        }
        got++;
        osic_send_invoke(c, ++sent % 1000000, 1, ber_slice_make(arg, sizeof(arg)));
    }
    printf("ROSE round trips, 1 association, window %d: %ld in %.2f s = %.0f/s\n", window, got,
           t - t0, got / (t - t0));
    while (got < sent) {
        struct ber_slice r;
        if (osic_recv_rose(c, &r) < 0)
            break;
        got++;
    }
    osic_release(c);
    osic_free(c);
}

/* Round trips on n associations, one invoke in flight on each. */
static void bench_rt_many(int port, int n, double secs)
{
    struct osic **c = calloc((size_t)n, sizeof(*c));
    struct pollfd *p = calloc((size_t)n, sizeof(*p));
    for (int i = 0; i < n; i++) {
        c[i] = osic_open(port, NULL, false);
        if (c[i] == NULL ||
            osic_associate(c[i], "2.999.1.1", NULL, 0, ber_slice_make(bind_ok, sizeof(bind_ok))) != 14) {
            fprintf(stderr, "association %d failed\n", i);
            return;
        }
        p[i].fd = c[i]->fd;
        p[i].events = POLLIN;
        osic_send_invoke(c[i], 1, 1, ber_slice_make(arg, sizeof(arg)));
    }
    long got = 0;
    double t0 = now_s(), t = t0;
    while ((t = now_s()) - t0 < secs) {
        if (poll(p, (nfds_t)n, 1000) <= 0)
            break;
        for (int i = 0; i < n; i++) {
            if (!(p[i].revents & POLLIN))
                continue;
            struct ber_slice r;
            if (osic_recv_rose(c[i], &r) < 0 || r.ptr[0] != 0xA2) {
                fprintf(stderr, "bad answer on %d\n", i);
                return;
            }
            got++;
            osic_send_invoke(c[i], 1 + got % 1000, 1, ber_slice_make(arg, sizeof(arg)));
        }
    }
    printf("ROSE round trips, %d associations, 1 in flight each: %ld in %.2f s = %.0f/s\n", n, got,
           t - t0, got / (t - t0));
    for (int i = 0; i < n; i++) {
        struct ber_slice r;
        osic_recv_rose(c[i], &r);
        osic_release(c[i]);
        osic_free(c[i]);
    }
    free(c);
    free(p);
}

int main(int argc, char **argv)
{
    double secs = argc > 1 ? atof(argv[1]) : 3.0;
    const char *top = getenv("X400MS_TOP_BUILDDIR");
    if (top == NULL) {
        fprintf(stderr, "set X400MS_TOP_BUILDDIR and X400MS_MODULE_PATH\n");
        return 2;
    }
    char *pki = x4t_tempdir("bench-osi-pki");
    if (pki == NULL || tc_make_pki(pki) < 0)
        return 1;
    char echo[1024], ca[1024];
    snprintf(echo, sizeof(echo), "%s/tests/integration/osi/echo", top);
    snprintf(ca, sizeof(ca), "%s/ca.pem", pki);
    char *t1 = x4t_replace(manifest, "@ECHO@", echo);
    char *t2 = x4t_replace(t1, "@PKI@", pki);
    struct x4t_daemon *d = x4t_daemon_start(t2);
    free(t1);
    free(t2);
    if (d == NULL)
        return 1;
    int port = x4t_daemon_port(d, 1), tport = x4t_daemon_port(d, 2);
    bench_assoc(port, NULL, "plain", secs);
    bench_assoc(tport, ca, "TLS", secs);
    bench_rt_one(port, 1, secs);
    bench_rt_one(port, 16, secs);
    bench_rt_many(port, 100, secs);
    x4t_daemon_stop(d);
    x4t_rmtree(pki);
    free(pki);
    return 0;
}
