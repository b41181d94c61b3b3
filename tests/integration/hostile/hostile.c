/* Helpers of the hostile-input suite (hostile.h). */
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
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tests/integration/hostile/hostile.h"
#include "tests/lib/x4test.h"

struct hostile H;

static const char manifest_template[] =
    "{ \"threads\": 2, \"log\": { \"level\": \"info\" }, \"modules\": [\n"
    "  { \"name\": \"rfc1006\", \"config\": {\n"
    "      \"listen\": [ { \"address\": \"127.0.0.1\", \"port\": @PORT1@ } ],\n"
    "      \"max_connections\": @MAXCONN@, \"idle_timeout\": \"@IDLE@s\",\n"
    "      \"connect_timeout\": \"@CONNECT@s\", \"pdu_timeout\": \"@CONNECT@s\" } },\n"
    "  { \"name\": \"echo\", \"file\": \"@ECHO@\" }\n"
    "] }\n";

static const uint8_t bind_ok[] = { 0x04, 0x02, 'o', 'k' };

static char *subst_int(char *text, const char *key, long v)
{
    char num[32];
    snprintf(num, sizeof(num), "%ld", v);
    char *out = x4t_replace(text, key, num);
    free(text);
    return out;
}

int hostile_start(int idle_timeout_s, int connect_timeout_s, int max_connections)
{
    const char *top = getenv("X400MS_TOP_BUILDDIR");
    if (top == NULL) {
        fprintf(stderr, "X400MS_TOP_BUILDDIR is not set (run through make check)\n");
        return -1;
    }
    char echo[1024];
    snprintf(echo, sizeof(echo), "%s/tests/integration/osi/echo", top);
    char *m = x4t_replace(manifest_template, "@ECHO@", echo);
    m = subst_int(m, "@MAXCONN@", max_connections);
    m = subst_int(m, "@IDLE@", idle_timeout_s);
    m = subst_int(m, "@CONNECT@", connect_timeout_s);
    memset(&H, 0, sizeof(H));
    H.idle_timeout_s = idle_timeout_s;
    H.connect_timeout_s = connect_timeout_s;
    H.d = x4t_daemon_start(m);
    free(m);
    if (H.d == NULL)
        return -1;
    H.port = x4t_daemon_port(H.d, 1);
    /* Warm-up: the first associations allocate the loops' buffers. */
    for (int i = 0; i < 20; i++) {
        struct osic *c = hostile_open_assoc();
        if (c == NULL || osic_release(c) != 0) {
            fprintf(stderr, "warm-up association %d failed\n", i);
            osic_free(c);
            return -1;
        }
        osic_free(c);
    }
    H.rss_base_kb = H.rss_peak_kb = hostile_rss_kb();
    for (int i = 0; i < 50; i++) { /* the released connections close asynchronously */
        H.fds_base = x4t_daemon_fd_count(H.d);
        usleep(20000);
        if (x4t_daemon_fd_count(H.d) == H.fds_base)
            break;
    }
    fprintf(stderr, "# daemon pid %ld: RSS %ld KiB, %d fds after warm-up\n",
            (long)x4t_daemon_pid(H.d), H.rss_base_kb, H.fds_base);
    return H.rss_base_kb > 0 ? 0 : -1;
}

int hostile_stop(void)
{
    if (H.d == NULL)
        return -1;
    fprintf(stderr, "# RSS: %ld KiB after warm-up, peak seen %ld KiB, now %ld KiB\n",
            H.rss_base_kb, H.rss_peak_kb, hostile_rss_kb());
    int rc = x4t_daemon_stop(H.d);
    H.d = NULL;
    if (rc != 0)
        fprintf(stderr, "daemon exit status %d\n", rc);
    return rc == 0 ? 0 : -1;
}

long hostile_rss_kb(void)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/%ld/status", (long)x4t_daemon_pid(H.d));
    char *text = x4t_read_file(path);
    if (text == NULL)
        return -1;
    long kb = -1;
    char *p = strstr(text, "\nVmRSS:");
    if (p != NULL)
        kb = strtol(p + 7, NULL, 10);
    free(text);
    return kb;
}

void hostile_check_rss(const char *after, long limit_kb)
{
    long kb = hostile_rss_kb();
    if (kb > H.rss_peak_kb)
        H.rss_peak_kb = kb;
    fprintf(stderr, "# RSS after %s: %ld KiB (baseline %ld KiB)\n", after, kb, H.rss_base_kb);
    if (kb < 0 || kb - H.rss_base_kb > limit_kb) {
        fprintf(stderr, "daemon RSS %ld KiB after %s: more than %ld KiB over the baseline %ld\n",
                kb, after, limit_kb, H.rss_base_kb);
        fail();
    }
}

void hostile_peer_name(int fd, char *buf, size_t size)
{
    struct sockaddr_in sa;
    socklen_t len = sizeof(sa);
    if (getsockname(fd, (struct sockaddr *)&sa, &len) != 0) {
        snprintf(buf, size, "?");
        return;
    }
    /* A trailing space or ':' would make "…:4242" match "…:42421"; the
     * daemon writes "peer 127.0.0.1:PORT: cause", so match the colon. */
    snprintf(buf, size, "127.0.0.1:%u:", (unsigned)ntohs(sa.sin_port));
}

static bool log_has_line(const char *log, const char *a, const char *b)
{
    for (const char *line = log; line && *line;) {
        const char *end = strchr(line, '\n');
        size_t n = end ? (size_t)(end - line) : strlen(line);
        const char *pa = memmem(line, n, a, strlen(a));
        const char *pb = memmem(line, n, b, strlen(b));
        if (pa != NULL && pb != NULL)
            return true;
        line = end ? end + 1 : NULL;
    }
    return false;
}

void hostile_expect_log(const char *peer, const char *cause, int timeout_ms)
{
    long long end = x4t_now_ms() + timeout_ms;
    char *log = NULL;
    for (;;) {
        free(log);
        log = x4t_daemon_log_text(H.d);
        if (log != NULL && log_has_line(log, peer, cause)) {
            free(log);
            return;
        }
        if (x4t_now_ms() >= end)
            break;
        usleep(20000);
    }
    fprintf(stderr, "no log line with \"%s\" and \"%s\"\n--- log (tail) ---\n%s\n", peer, cause,
            log ? (strlen(log) > 6000 ? log + strlen(log) - 6000 : log) : "");
    free(log);
    fail();
}

void hostile_expect_healthy(void)
{
    struct osic *c = hostile_open_assoc();
    assert_non_null(c);
    static const uint8_t arg[] = { 0x04, 0x07, 'h', 'e', 'a', 'l', 't', 'h', 'y' };
    assert_int_equal(osic_echo(c, 1, ber_slice_make(arg, sizeof(arg))), 0);
    assert_int_equal(osic_release(c), 0);
    osic_free(c);
}

void hostile_after(const char *peer, const char *cause)
{
    hostile_expect_log(peer, cause, 5000);
    hostile_check_rss(cause, 64 * 1024);
    hostile_expect_healthy();
}

/* ---- raw transport ---- */

static int read_exact(int fd, uint8_t *p, size_t n, long long deadline)
{
    while (n > 0) {
        long long left = deadline - x4t_now_ms();
        if (left <= 0)
            return -1;
        struct pollfd pfd = { .fd = fd, .events = POLLIN };
        int pr = poll(&pfd, 1, (int)left);
        if (pr < 0 && errno == EINTR)
            continue;
        if (pr <= 0)
            return -1;
        ssize_t k = recv(fd, p, n, 0);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0 && errno == ECONNRESET)
            return 0;
        if (k <= 0)
            return (int)k;
        p += k;
        n -= (size_t)k;
    }
    return 1;
}

int hostile_read_tpkt(int fd, uint8_t *buf, size_t cap, int timeout_ms)
{
    long long deadline = x4t_now_ms() + timeout_ms;
    if (cap < 4)
        return -1;
    int rc = read_exact(fd, buf, 4, deadline);
    if (rc <= 0)
        return rc;
    size_t len = ((size_t)buf[2] << 8) | buf[3];
    if (buf[0] != 3 || len < 4 || len > cap)
        return -1;
    rc = read_exact(fd, buf + 4, len - 4, deadline);
    if (rc <= 0)
        return rc == 0 ? 0 : -1;
    return (int)len;
}

bool hostile_wait_close(int fd, int timeout_ms, uint8_t *saw_code)
{
    static uint8_t buf[70000];
    long long deadline = x4t_now_ms() + timeout_ms;
    if (saw_code != NULL)
        *saw_code = 0;
    for (;;) {
        long long left = deadline - x4t_now_ms();
        if (left <= 0)
            return false;
        int n = hostile_read_tpkt(fd, buf, sizeof(buf), (int)left);
        if (n == 0)
            return true;
        if (n < 0) {
            /* Not a TPKT (or a timeout): drain whatever comes until EOF. */
            for (;;) {
                left = deadline - x4t_now_ms();
                if (left <= 0)
                    return false;
                struct pollfd pfd = { .fd = fd, .events = POLLIN };
                if (poll(&pfd, 1, (int)left) <= 0)
                    return false;
                ssize_t k = recv(fd, buf, sizeof(buf), 0);
                if (k <= 0)
                    return true;
            }
        }
        if (saw_code != NULL && *saw_code == 0 && n >= 6)
            *saw_code = buf[5] & 0xF0;
    }
}

struct osic *hostile_open_cc(void)
{
    struct osic *c = osic_open(H.port, NULL, false);
    if (c == NULL)
        return NULL;
    c->timeout_ms = 5000;
    if (osic_cr(c, NULL) != 0) {
        osic_free(c);
        return NULL;
    }
    return c;
}

struct osic *hostile_open_assoc(void)
{
    struct osic *c = osic_open(H.port, NULL, false);
    if (c == NULL)
        return NULL;
    c->timeout_ms = 5000;
    if (osic_associate(c, "2.999.1.1", NULL, 0, ber_slice_make(bind_ok, sizeof(bind_ok))) != 14) {
        osic_free(c);
        return NULL;
    }
    return c;
}

int hostile_send_rose(struct osic *c, struct ber_slice rose)
{
    struct ber_writer w;
    ber_writer_init(&w);
    osic_build_data(&w, 3, rose);
    int rc = w.error ? -1 : osic_send_tsdu(c, ber_writer_data(&w), ber_writer_len(&w));
    ber_writer_free(&w);
    return rc;
}

int hostile_recv_si(struct osic *c, int timeout_ms)
{
    int saved = c->timeout_ms;
    c->timeout_ms = timeout_ms;
    int rc = osic_recv_tsdu(c);
    c->timeout_ms = saved;
    if (rc != 0) {
        /* EOF, a DR/ER, or a timeout: tell a close from a timeout. */
        struct pollfd pfd = { .fd = c->fd, .events = POLLIN };
        if (poll(&pfd, 1, 0) == 1) {
            uint8_t b[256];
            ssize_t k = recv(c->fd, b, sizeof(b), MSG_DONTWAIT);
            if (k <= 0)
                return 0;
        }
        return osic_wait_closed(c, 100) ? 0 : -1;
    }
    struct osic_spdu s[2];
    int n = osic_spdus(c->tsdu, c->tsdu_len, s, 2);
    if (n < 1)
        return -1;
    /* GT + DT: the DT (category 2) is the one that counts. */
    return n == 2 ? s[1].si : s[0].si;
}

uint8_t *hostile_depth_bomb(size_t depth, size_t *len_r)
{
    uint8_t *p = malloc(depth * 4);
    if (p == NULL)
        return NULL;
    for (size_t i = 0; i < depth; i++) {
        p[2 * i] = 0xA0;
        p[2 * i + 1] = 0x80;
    }
    memset(p + 2 * depth, 0, 2 * depth);
    *len_r = depth * 4;
    return p;
}
