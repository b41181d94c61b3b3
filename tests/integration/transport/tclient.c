/* The RFC 1006 test client: see tclient.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <openssl/err.h>
#include "tests/integration/transport/tclient.h"

int tc_open(struct tc *c, int port, SSL_CTX *ctx)
{
    struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
    socklen_t sl = sizeof sa;
    int one = 1;

    memset(c, 0, offsetof(struct tc, in));
    c->in_len = 0;
    c->error[0] = '\0';
    c->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (c->fd < 0)
        return -1;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(c->fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
        close(c->fd);
        c->fd = -1;
        return -1;
    }
    getsockname(c->fd, (struct sockaddr *)&sa, &sl);
    c->local_port = ntohs(sa.sin_port);
    if (ctx) {
        c->ssl = SSL_new(ctx);
        SSL_set_fd(c->ssl, c->fd);
        X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(c->ssl), "127.0.0.1");
        if (SSL_connect(c->ssl) != 1) {
            unsigned long e = ERR_get_error();
            snprintf(c->error, sizeof c->error, "%s",
                     e ? ERR_reason_error_string(e) : "handshake failed");
            ERR_clear_error();
            return -1;
        }
    }
    return 0;
}

void tc_close(struct tc *c)
{
    if (c->ssl) {
        SSL_free(c->ssl);
        c->ssl = NULL;
    }
    if (c->fd >= 0)
        close(c->fd);
    c->fd = -1;
}

int tc_write(struct tc *c, const void *p, size_t n)
{
    const uint8_t *b = p;

    while (n > 0) {
        long w = c->ssl ? SSL_write(c->ssl, b, (int)(n > 1 << 30 ? 1 << 30 : n))
                        : send(c->fd, b, n, MSG_NOSIGNAL);
        if (w <= 0) {
            if (!c->ssl && w < 0 && errno == EINTR)
                continue;
            return -1;
        }
        b += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Reads more bytes into c->in; 1 got some, 0 EOF, -1 error/timeout. */
static int fill(struct tc *c, int timeout_ms)
{
    long n;

    if (!(c->ssl && SSL_pending(c->ssl) > 0)) {
        struct pollfd pfd = { .fd = c->fd, .events = POLLIN };
        int r = poll(&pfd, 1, timeout_ms);
        if (r <= 0)
            return -1;
    }
    if (c->in_len == sizeof c->in)
        return -1;
    n = c->ssl ? SSL_read(c->ssl, c->in + c->in_len, (int)(sizeof c->in - c->in_len))
               : recv(c->fd, c->in + c->in_len, sizeof c->in - c->in_len, 0);
    if (n == 0)
        return 0;
    if (n < 0) {
        if (c->ssl) {
            int e = SSL_get_error(c->ssl, (int)n);
            ERR_clear_error();
            if (e == SSL_ERROR_ZERO_RETURN || e == SSL_ERROR_SYSCALL || e == SSL_ERROR_SSL)
                return 0;
            return -1;
        }
        return errno == ECONNRESET ? 0 : -1;
    }
    c->in_len += (size_t)n;
    return 1;
}

int tc_read_tpkt(struct tc *c, uint8_t *out, size_t cap, int timeout_ms)
{
    for (;;) {
        if (c->in_len >= 4) {
            size_t len = (size_t)c->in[2] << 8 | c->in[3];
            if (c->in[0] != 3 || len < 7 || len > cap)
                return -1;
            if (c->in_len >= len) {
                memcpy(out, c->in, len);
                memmove(c->in, c->in + len, c->in_len - len);
                c->in_len -= len;
                return (int)len;
            }
        }
        int r = fill(c, timeout_ms);
        if (r <= 0)
            return r;
    }
}

bool tc_wait_eof(struct tc *c, int timeout_ms)
{
    for (;;) {
        c->in_len = 0;
        int r = fill(c, timeout_ms);
        if (r == 0)
            return true;
        if (r < 0)
            return false;
    }
}

int tc_connect_request(struct tc *c, const char *calling, const char *called, size_t called_len,
                       unsigned tpdu_size, unsigned pref_size, struct x224_tpdu *t, uint8_t *buf,
                       size_t cap)
{
    uint8_t cr[256];
    struct x224_tpdu req = { .code = X224_CR, .src_ref = 0x4eca, .tpdu_size = tpdu_size,
                             .pref_tpdu_size = pref_size };
    struct x400ms_error err;
    size_t n;
    int len;

    if (calling) {
        req.has_calling = true;
        req.calling_tsel = (const uint8_t *)calling;
        req.calling_tsel_len = strlen(calling);
    }
    if (called) {
        req.has_called = true;
        req.called_tsel = (const uint8_t *)called;
        req.called_tsel_len = called_len;
    }
    c->src_ref = req.src_ref;
    n = x224_encode(cr, sizeof cr, &req);
    if (n == 0 || tc_write(c, cr, n) != 0)
        return -1;
    len = tc_read_tpkt(c, buf, cap, 5000);
    if (len <= 0)
        return -1;
    if (x224_decode(buf + 4, (size_t)len - 4, t, &err) != 0)
        return -1;
    if (t->code == X224_CC)
        c->tpdu_size = t->pref_tpdu_size ? t->pref_tpdu_size
                                         : t->tpdu_size ? t->tpdu_size : X224_DEFAULT_TPDU_SIZE;
    return t->code;
}

int tc_establish(struct tc *c, const char *called)
{
    uint8_t buf[512];
    struct x224_tpdu t;
    int code = tc_connect_request(c, NULL, called, called ? strlen(called) : 0, 8192, 0, &t, buf,
                                  sizeof buf);
    return code == X224_CC && t.dst_ref == c->src_ref ? 0 : -1;
}

int tc_send_tsdu(struct tc *c, const void *p, size_t n, size_t seg)
{
    size_t nseg = n ? (n + seg - 1) / seg : 1, total = n + nseg * X224_DT_OVERHEAD;
    uint8_t *buf = malloc(total), *w = buf;
    const uint8_t *src = p;
    int rc;

    if (!buf)
        return -1;
    for (size_t i = 0; i < nseg; i++) {
        size_t k = i + 1 < nseg ? seg : n - i * seg;
        x224_put_dt_header(w, k, i + 1 == nseg);
        memcpy(w + X224_DT_OVERHEAD, src + i * seg, k);
        w += X224_DT_OVERHEAD + k;
    }
    rc = tc_write(c, buf, total);
    free(buf);
    return rc;
}

long tc_recv_tsdu(struct tc *c, uint8_t *out, size_t cap, int *ndt_r, size_t *max_tpdu_r,
                  int timeout_ms)
{
    static uint8_t tpkt[65536];
    size_t len = 0;
    int ndt = 0;
    size_t max_tpdu = 0;

    for (;;) {
        int n = tc_read_tpkt(c, tpkt, sizeof tpkt, timeout_ms);
        /* Class 0 DT: 03 00 LL LL 02 F0 EOT|NR data (RFC 1006 section 6, X.224 13.7). */
        if (n < 7 || tpkt[4] != 2 || (tpkt[5] & 0xF0) != 0xF0)
            return -1;
        if ((size_t)n - 7 > cap - len)
            return -1;
        memcpy(out + len, tpkt + 7, (size_t)n - 7);
        len += (size_t)n - 7;
        ndt++;
        if ((size_t)n - 4 > max_tpdu)
            max_tpdu = (size_t)n - 4;
        if (tpkt[6] & 0x80)
            break;
    }
    if (ndt_r)
        *ndt_r = ndt;
    if (max_tpdu_r)
        *max_tpdu_r = max_tpdu;
    return (long)len;
}
