/* osic: a small blocking OSI client for tests and the benchmark (osic.h). */
#include "tests/integration/osi/osic.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "asn1/tpkt.h"

static void osic_keep(struct osic *c, bool from_client, const void *p, size_t n)
{
    if (!c->capture || n == 0)
        return;
    if (c->n_chunks == c->cap_chunks) {
        size_t cap = c->cap_chunks ? c->cap_chunks * 2 : 64;
        struct osic_chunk *nc = realloc(c->chunks, cap * sizeof(*nc));
        if (nc == NULL)
            return;
        c->chunks = nc;
        c->cap_chunks = cap;
    }
    struct osic_chunk *k = &c->chunks[c->n_chunks];
    k->data = malloc(n);
    if (k->data == NULL)
        return;
    memcpy(k->data, p, n);
    k->len = n;
    k->from_client = from_client;
    c->n_chunks++;
}

struct osic *osic_open(int port, const char *ca_file, bool capture)
{
    struct osic *c = calloc(1, sizeof(*c));
    if (c == NULL)
        return NULL;
    c->capture = capture;
    c->timeout_ms = 10000;
    c->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (c->fd < 0)
        goto fail;
    struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
        goto fail;
    int one = 1;
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    if (ca_file != NULL) {
        SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
        if (ctx == NULL)
            goto fail;
        SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
        if (SSL_CTX_load_verify_locations(ctx, ca_file, NULL) != 1) {
            SSL_CTX_free(ctx);
            goto fail;
        }
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
        SSL *ssl = SSL_new(ctx);
        SSL_CTX_free(ctx); /* the SSL keeps a reference */
        if (ssl == NULL)
            goto fail;
        SSL_set_fd(ssl, c->fd);
        if (SSL_connect(ssl) != 1) {
            ERR_print_errors_fp(stderr);
            SSL_free(ssl);
            goto fail;
        }
        c->ssl = ssl;
    }
    return c;
fail:
    if (c->fd >= 0)
        close(c->fd);
    free(c);
    return NULL;
}

void osic_free(struct osic *c)
{
    if (c == NULL)
        return;
    if (c->ssl != NULL) {
        SSL_shutdown(c->ssl);
        SSL_free(c->ssl);
    }
    if (c->fd >= 0)
        close(c->fd);
    for (size_t i = 0; i < c->n_chunks; i++)
        free(c->chunks[i].data);
    free(c->chunks);
    free(c->in);
    free(c->tsdu);
    free(c);
}

int osic_send_raw(struct osic *c, const void *p, size_t n)
{
    osic_keep(c, true, p, n);
    const uint8_t *b = p;
    while (n > 0) {
        ssize_t k;
        if (c->ssl != NULL)
            k = SSL_write(c->ssl, b, (int)(n > (1u << 30) ? (1u << 30) : n));
        else
            k = send(c->fd, b, n, MSG_NOSIGNAL);
        if (k <= 0) {
            if (k < 0 && errno == EINTR)
                continue;
            return -1;
        }
        b += k;
        n -= (size_t)k;
    }
    return 0;
}

/* Reads more bytes into c->in; 0, or -1 on EOF/timeout/error. */
static int osic_fill(struct osic *c, int timeout_ms)
{
    if (c->in_cap - c->in_len < 65536) {
        size_t cap = c->in_cap ? c->in_cap * 2 : 131072;
        uint8_t *ni = realloc(c->in, cap);
        if (ni == NULL)
            return -1;
        c->in = ni;
        c->in_cap = cap;
    }
    if (c->ssl == NULL || SSL_pending(c->ssl) == 0) {
        struct pollfd pfd = { .fd = c->fd, .events = POLLIN };
        int pr = poll(&pfd, 1, timeout_ms);
        if (pr <= 0)
            return -1;
    }
    ssize_t k;
    if (c->ssl != NULL)
        k = SSL_read(c->ssl, c->in + c->in_len, (int)(c->in_cap - c->in_len));
    else
        k = recv(c->fd, c->in + c->in_len, c->in_cap - c->in_len, 0);
    if (k <= 0)
        return -1;
    osic_keep(c, false, c->in + c->in_len, (size_t)k);
    c->in_len += (size_t)k;
    return 0;
}

/* Next TPKT payload (TPDU) into a malloc'd buffer. */
static int osic_recv_tpdu(struct osic *c, uint8_t **tpdu, size_t *len)
{
    for (;;) {
        if (c->in_len >= 4) {
            size_t tl = ((size_t)c->in[2] << 8) | c->in[3];
            if (c->in[0] != 3 || tl < 7)
                return -1;
            if (c->in_len >= tl) {
                *tpdu = malloc(tl - 4);
                if (*tpdu == NULL)
                    return -1;
                memcpy(*tpdu, c->in + 4, tl - 4);
                *len = tl - 4;
                memmove(c->in, c->in + tl, c->in_len - tl);
                c->in_len -= tl;
                return 0;
            }
        }
        if (osic_fill(c, c->timeout_ms) < 0)
            return -1;
    }
}

int osic_cr(struct osic *c, const char *called_tsel)
{
    struct x224_tpdu cr = { .code = X224_CR, .src_ref = 0x4242, .tpdu_size = 8192 };
    cr.pref_tpdu_size = 65408;
    if (called_tsel != NULL) {
        cr.has_called = true;
        cr.called_tsel = (const uint8_t *)called_tsel;
        cr.called_tsel_len = strlen(called_tsel);
    }
    uint8_t buf[128];
    size_t n = x224_encode(buf, sizeof(buf), &cr);
    if (n == 0 || osic_send_raw(c, buf, n) < 0)
        return -1;
    uint8_t *tpdu;
    size_t len;
    if (osic_recv_tpdu(c, &tpdu, &len) < 0)
        return -1;
    int ok = len >= 2 && (tpdu[1] & 0xF0) == X224_CC;
    free(tpdu);
    return ok ? 0 : -1;
}

int osic_send_tsdu(struct osic *c, const void *p, size_t n)
{
    size_t seg = c->seg ? c->seg : 65000;
    const uint8_t *b = p;
    /* One write for the whole TSDU: many TPKTs in one segment when small. */
    size_t ntp = n / seg + 1;
    size_t total = n + ntp * X224_DT_OVERHEAD;
    uint8_t *out = malloc(total);
    if (out == NULL)
        return -1;
    size_t o = 0;
    do {
        size_t k = n > seg ? seg : n;
        x224_put_dt_header(out + o, k, k == n);
        memcpy(out + o + X224_DT_OVERHEAD, b, k);
        o += X224_DT_OVERHEAD + k;
        b += k;
        n -= k;
    } while (n > 0);
    int rc = osic_send_raw(c, out, o);
    free(out);
    return rc;
}

int osic_recv_tsdu(struct osic *c)
{
    c->tsdu_len = 0;
    for (;;) {
        uint8_t *t;
        size_t len;
        if (osic_recv_tpdu(c, &t, &len) < 0)
            return -1;
        if (len < 3 || t[1] != X224_DT) {
            free(t);
            return -1;
        }
        size_t dl = len - 3;
        if (c->tsdu_cap < c->tsdu_len + dl) {
            size_t cap = (c->tsdu_len + dl) * 2;
            uint8_t *nt = realloc(c->tsdu, cap);
            if (nt == NULL) {
                free(t);
                return -1;
            }
            c->tsdu = nt;
            c->tsdu_cap = cap;
        }
        memcpy(c->tsdu + c->tsdu_len, t + 3, dl);
        c->tsdu_len += dl;
        bool eot = (t[2] & 0x80) != 0;
        free(t);
        if (eot)
            return 0;
    }
}

bool osic_wait_closed(struct osic *c, int timeout_ms)
{
    long long end = timeout_ms;
    for (;;) {
        struct pollfd pfd = { .fd = c->fd, .events = POLLIN };
        int pr = poll(&pfd, 1, (int)end);
        if (pr <= 0)
            return false;
        uint8_t buf[4096];
        ssize_t k = c->ssl ? SSL_read(c->ssl, buf, sizeof(buf)) : recv(c->fd, buf, sizeof(buf), 0);
        if (k <= 0)
            return true;
        osic_keep(c, false, buf, (size_t)k);
    }
}

/* ---- builders ---- */

void osic_ses_param(struct ber_writer *w, uint8_t code, size_t len)
{
    if (len < 255) {
        uint8_t h[2] = { code, (uint8_t)len };
        ber_put_raw(w, h, 2);
    } else {
        uint8_t h[4] = { code, 0xFF, (uint8_t)(len >> 8), (uint8_t)len };
        ber_put_raw(w, h, 4);
    }
}

void osic_wrap_pdv(struct ber_writer *w, ber_mark_t mark, int pctx)
{
    ber_wrap(w, mark, BER_CTX(0), true);          /* single-ASN1-type [0] */
    ber_put_int64(w, BER_UNIV(BER_INTEGER), pctx); /* presentation-context-identifier */
    ber_wrap(w, mark, BER_UNIV(BER_SEQUENCE), true);
    ber_wrap(w, mark, BER_APP(1), true);          /* fully-encoded-data */
}

void osic_push_aarq(struct ber_writer *w, const char *context_oid, struct ber_slice bind_arg,
                    int bind_pctx)
{
    ber_mark_t m = ber_mark(w);
    if (bind_arg.ptr != NULL) {
        ber_mark_t ui = ber_mark(w);
        ber_mark_t ext = ber_mark(w);
        ber_put_slice(w, bind_arg);
        ber_wrap(w, ext, BER_CTX(16), true);      /* bind-invoke [16] */
        ber_wrap(w, ext, BER_CTX(0), true);       /* encoding single-ASN1-type [0] */
        ber_put_int64(w, BER_UNIV(BER_INTEGER), bind_pctx); /* indirect-reference */
        ber_wrap(w, ext, BER_UNIV(BER_EXTERNAL), true);
        ber_wrap(w, ui, BER_CTX(30), true);       /* user-information */
    }
    ber_mark_t ac = ber_mark(w);
    ber_put_oid_text(w, BER_UNIV(BER_OID), context_oid);
    ber_wrap(w, ac, BER_CTX(1), true);            /* application-context-name [1] */
    ber_put_bits_u32(w, BER_CTX(0), 1);           /* protocol-version version1 */
    ber_wrap(w, m, BER_APP(0), true);
}

void osic_build_cn(struct ber_writer *w, const struct osic_pctx *ctxs, size_t n, int acse_pctx,
                   const char *context_oid, struct ber_slice bind_arg, int bind_pctx)
{
    ber_mark_t all = ber_mark(w);
    ber_mark_t cp = ber_mark(w);
    /* normal-mode-parameters [2]: user-data last, pushed first. */
    ber_mark_t ud = ber_mark(w);
    osic_push_aarq(w, context_oid, bind_arg, bind_pctx);
    osic_wrap_pdv(w, ud, acse_pctx);
    ber_mark_t list = ber_mark(w);
    for (size_t i = n; i-- > 0;) {
        ber_mark_t item = ber_mark(w);
        ber_mark_t ts = ber_mark(w);
        ber_put_oid_text(w, BER_UNIV(BER_OID), "2.1.1");
        ber_wrap(w, ts, BER_UNIV(BER_SEQUENCE), true);
        ber_put_oid_text(w, BER_UNIV(BER_OID), ctxs[i].abstract_syntax);
        ber_put_int64(w, BER_UNIV(BER_INTEGER), ctxs[i].id);
        ber_wrap(w, item, BER_UNIV(BER_SEQUENCE), true);
    }
    ber_wrap(w, list, BER_CTX(4), true);          /* presentation-context-definition-list */
    ber_wrap(w, cp, BER_CTX(2), true);            /* normal-mode-parameters */
    ber_mark_t ms = ber_mark(w);
    ber_put_int64(w, BER_CTX(0), 1);              /* mode-value normal-mode */
    ber_wrap(w, ms, BER_CTX(0), true);            /* mode-selector */
    ber_wrap(w, cp, BER_UNIV(BER_SET), true);     /* CP-type */
    size_t udlen = ber_writer_len(w) - all;
    /* X.225 8.3.1: CN = PGI 5 {Protocol Options, Version 2}, Session User
     * Requirements (duplex), User Data (193 up to 512, else Extended 194). */
    osic_ses_param(w, udlen <= 512 ? 193 : 194, udlen);
    static const uint8_t head[] = { 0x05, 0x06, 0x13, 0x01, 0x00, 0x16, 0x01, 0x02,
                                    0x14, 0x02, 0x00, 0x02 };
    ber_put_raw(w, head, sizeof(head));
    size_t total = ber_writer_len(w) - all;
    osic_ses_param(w, 13, total);
}

void osic_build_data(struct ber_writer *w, int pctx, struct ber_slice value)
{
    ber_mark_t m = ber_mark(w);
    ber_put_slice(w, value);
    osic_wrap_pdv(w, m, pctx);
    static const uint8_t gtdt[] = { 0x01, 0x00, 0x01, 0x00 };
    ber_put_raw(w, gtdt, sizeof(gtdt));
}

void osic_push_invoke(struct ber_writer *w, int64_t id, int64_t opcode, struct ber_slice arg)
{
    ber_mark_t m = ber_mark(w);
    if (arg.ptr != NULL)
        ber_put_slice(w, arg);
    ber_put_int64(w, BER_UNIV(BER_INTEGER), opcode);
    ber_put_int64(w, BER_UNIV(BER_INTEGER), id);
    ber_wrap(w, m, BER_CTX(1), true);
}

void osic_build_fn(struct ber_writer *w, int acse_pctx)
{
    ber_mark_t all = ber_mark(w);
    ber_mark_t m = ber_mark(w);
    ber_put_int64(w, BER_CTX(0), 0);              /* reason normal */
    ber_wrap(w, m, BER_APP(2), true);             /* RLRQ */
    osic_wrap_pdv(w, m, acse_pctx);
    size_t ud = ber_writer_len(w) - all;
    osic_ses_param(w, 193, ud);
    static const uint8_t td[] = { 0x11, 0x01, 0x01 }; /* Transport Disconnect: released */
    ber_put_raw(w, td, sizeof(td));
    osic_ses_param(w, 9, ber_writer_len(w) - all);
}

void osic_build_abort(struct ber_writer *w, int acse_pctx)
{
    ber_mark_t all = ber_mark(w);
    ber_mark_t m = ber_mark(w);
    ber_put_int64(w, BER_CTX(0), 0);              /* abort-source acse-service-user */
    ber_wrap(w, m, BER_APP(4), true);             /* ABRT */
    osic_wrap_pdv(w, m, acse_pctx);
    ber_wrap(w, m, BER_CTX(0), true);             /* ARU normal-mode-parameters [0] */
    size_t ud = ber_writer_len(w) - all;
    osic_ses_param(w, 193, ud);
    static const uint8_t td[] = { 0x11, 0x01, 0x03 }; /* released + user abort */
    ber_put_raw(w, td, sizeof(td));
    osic_ses_param(w, 25, ber_writer_len(w) - all);
}

/* ---- parsing ---- */

static int osic_ses_len(const uint8_t *p, size_t n, size_t *hdr, size_t *len)
{
    if (n < 2)
        return -1;
    if (p[1] != 0xFF) {
        *hdr = 2;
        *len = p[1];
    } else {
        if (n < 4)
            return -1;
        *hdr = 4;
        *len = ((size_t)p[2] << 8) | p[3];
    }
    return *hdr + *len <= n ? 0 : -1;
}

int osic_spdus(const uint8_t *p, size_t n, struct osic_spdu *out, int max)
{
    int k = 0;
    while (n > 0 && k < max) {
        size_t hdr, len;
        if (osic_ses_len(p, n, &hdr, &len) < 0)
            return -1;
        out[k].si = p[0];
        out[k].params = ber_slice_make(p + hdr, len);
        /* DT (and the category 0 SPDU in front of it) carry user information
         * after the parameters: it runs to the end of the TSDU for the last. */
        const uint8_t *after = p + hdr + len;
        size_t rest = n - hdr - len;
        out[k].user_info = ber_slice_make(NULL, 0);
        k++;
        if ((p[0] == 1 || p[0] == 2) && k == 1 && rest > 0) {
            /* category 0 first: the next SPDU follows */
            p = after;
            n = rest;
            continue;
        }
        if (rest > 0) {
            out[k - 1].user_info = ber_slice_make(after, rest);
            break;
        }
        break;
    }
    return k;
}

int osic_ses_find(struct ber_slice params, uint8_t code, struct ber_slice *v)
{
    const uint8_t *p = params.ptr;
    size_t n = params.len;
    while (n > 0) {
        size_t hdr, len;
        if (osic_ses_len(p, n, &hdr, &len) < 0)
            return 0;
        if (p[0] == code) {
            *v = ber_slice_make(p + hdr, len);
            return 1;
        }
        if ((p[0] == 1 || p[0] == 5 || p[0] == 33) &&
            osic_ses_find(ber_slice_make(p + hdr, len), code, v) == 1)
            return 1;
        p += hdr + len;
        n -= hdr + len;
    }
    return 0;
}

struct ber_slice osic_user_data(const struct osic_spdu *s)
{
    struct ber_slice v = { NULL, 0 };
    if (s->user_info.len > 0)
        return s->user_info;
    if (osic_ses_find(s->params, 193, &v) == 1 || osic_ses_find(s->params, 194, &v) == 1)
        return v;
    if (s->si == 12 && osic_ses_find(s->params, 50, &v) == 1 && v.len > 1)
        return ber_slice_make(v.ptr + 1, v.len - 1);
    return ber_slice_make(NULL, 0);
}

static int osic_vpath(struct ber_slice in, struct ber_tlv *out, va_list ap)
{
    struct ber_ctx ctx;
    struct ber_error e = { 0 };
    ber_ctx_init(&ctx, in.ptr, in.len, &e);
    struct ber_iter it;
    ber_iter_init(&it, &ctx);
    struct ber_tlv t;
    if (ber_next(&it, &t) != 1)
        return -1;
    for (;;) {
        ber_tag_t tag = va_arg(ap, ber_tag_t);
        if (tag == 0) {
            *out = t;
            return 1;
        }
        struct ber_iter child;
        if (ber_enter(&ctx, &t, &child, "osic") < 0)
            return -1;
        int rc = ber_find(&child, tag, &t);
        if (rc != 1)
            return rc;
    }
}

int osic_path(struct ber_slice in, struct ber_tlv *out, ...)
{
    va_list ap;
    va_start(ap, out);
    int rc = osic_vpath(in, out, ap);
    va_end(ap);
    return rc;
}

int64_t osic_path_int(struct ber_slice in, ...)
{
    va_list ap;
    va_start(ap, in);
    struct ber_tlv t;
    int rc = osic_vpath(in, &t, ap);
    va_end(ap);
    if (rc != 1)
        return -99999;
    struct ber_ctx ctx;
    ber_ctx_init(&ctx, t.start, t.total, NULL);
    int64_t v;
    if (ber_get_int64(&ctx, &t, "osic", &v) < 0)
        return -99999;
    return v;
}

int osic_pdv(struct ber_slice fed, int *pctx_r, struct ber_slice *value_r)
{
    struct ber_tlv pdv;
    if (osic_path(fed, &pdv, BER_UNIV(BER_SEQUENCE), (ber_tag_t)0) != 1)
        return -1;
    struct ber_slice ps = ber_tlv_whole(&pdv);
    int64_t id = osic_path_int(ps, BER_UNIV(BER_INTEGER), (ber_tag_t)0);
    struct ber_tlv v;
    if (osic_path(ps, &v, BER_CTX(0), (ber_tag_t)0) != 1 || v.len == 0)
        return -1;
    *pctx_r = (int)id;
    *value_r = ber_tlv_contents(&v);
    return 0;
}

/* ---- capture ---- */

#include "tests/lib/x4pcap.h"

int osic_capture_write(struct osic *c, const char *path, int server_port)
{
    struct sockaddr_in sa;
    socklen_t sl = sizeof(sa);
    uint16_t cport = 40000;
    if (getsockname(c->fd, (struct sockaddr *)&sa, &sl) == 0)
        cport = ntohs(sa.sin_port);
    struct x4pcap *p = x4pcap_open(path, cport, (uint16_t)server_port);
    if (p == NULL) {
        fprintf(stderr, "osic: cannot write %s\n", path);
        return -1;
    }
    for (size_t i = 0; i < c->n_chunks; i++) {
        const struct osic_chunk *k = &c->chunks[i];
        for (size_t off = 0; off < k->len; off += 60000) {
            size_t n = k->len - off > 60000 ? 60000 : k->len - off;
            x4pcap_write(p, k->from_client, k->data + off, n);
        }
    }
    return x4pcap_close(p);
}

int osic_tshark_check(const char *path, int server_port)
{
    if (x4_tshark_path() == NULL)
        return 0;
    static char report[8192];
    int rc = x4_tshark_check(path, (uint16_t)server_port, report, sizeof(report), NULL, 0);
    if (rc != 0) {
        fprintf(stderr, "osic: tshark on %s: %s\n", path, rc < 0 ? "could not run" : report);
        return -1;
    }
    return 0;
}

int osic_capture_check(struct osic *c, const char *path, int server_port)
{
    if (x4_tshark_path() == NULL)
        return 0;
    if (osic_capture_write(c, path, server_port) < 0)
        return -1;
    return osic_tshark_check(path, server_port);
}

/* ---- whole exchanges ---- */

int osic_associate(struct osic *c, const char *context_oid, const struct osic_pctx *ctxs, size_t n,
                   struct ber_slice bind_arg)
{
    static const struct osic_pctx std[] = { { 1, "2.2.1.0.1" }, { 3, "2.999.1.2" } };
    if (ctxs == NULL) {
        ctxs = std;
        n = 2;
    }
    if (osic_cr(c, NULL) < 0)
        return -1;
    struct ber_writer w;
    ber_writer_init(&w);
    osic_build_cn(&w, ctxs, n, 1, context_oid, bind_arg, 3);
    int rc = w.error ? -1 : osic_send_tsdu(c, ber_writer_data(&w), ber_writer_len(&w));
    ber_writer_free(&w);
    if (rc < 0 || osic_recv_tsdu(c) < 0 || c->tsdu_len < 2)
        return -1;
    return c->tsdu[0];
}

int osic_aare(struct osic *c, int64_t *result, int64_t *diag_source, int64_t *diag)
{
    struct osic_spdu s[2];
    if (osic_spdus(c->tsdu, c->tsdu_len, s, 2) < 1)
        return -1;
    struct ber_slice ppdu = osic_user_data(&s[0]);
    struct ber_tlv ud;
    /* CPA: SET { [2] { ... [APPLICATION 1] } }; CPR: SEQUENCE { ... [APPLICATION 1] } */
    if (osic_path(ppdu, &ud, BER_CTX(2), BER_APP(1), (ber_tag_t)0) != 1 &&
        osic_path(ppdu, &ud, BER_APP(1), (ber_tag_t)0) != 1)
        return -1;
    int pctx;
    struct ber_slice aare;
    if (osic_pdv(ber_tlv_whole(&ud), &pctx, &aare) < 0 || aare.len == 0 || aare.ptr[0] != 0x61)
        return -1;
    *result = osic_path_int(aare, BER_CTX(2), BER_UNIV(BER_INTEGER), (ber_tag_t)0);
    *diag_source = -1;
    *diag = osic_path_int(aare, BER_CTX(3), BER_CTX(1), BER_UNIV(BER_INTEGER), (ber_tag_t)0);
    if (*diag != -99999)
        *diag_source = 1;
    else if ((*diag = osic_path_int(aare, BER_CTX(3), BER_CTX(2), BER_UNIV(BER_INTEGER),
                                    (ber_tag_t)0)) != -99999)
        *diag_source = 2;
    return 0;
}

int osic_send_invoke(struct osic *c, int64_t id, int64_t opcode, struct ber_slice arg)
{
    struct ber_writer w, v;
    ber_writer_init(&w);
    ber_writer_init(&v);
    osic_push_invoke(&v, id, opcode, arg);
    osic_build_data(&w, 3, ber_writer_slice(&v));
    int rc = w.error || v.error ? -1 : osic_send_tsdu(c, ber_writer_data(&w), ber_writer_len(&w));
    ber_writer_free(&w);
    ber_writer_free(&v);
    return rc;
}

int osic_recv_rose(struct osic *c, struct ber_slice *rose)
{
    if (osic_recv_tsdu(c) < 0)
        return -1;
    struct osic_spdu s[2];
    int k = osic_spdus(c->tsdu, c->tsdu_len, s, 2);
    if (k < 1 || s[k - 1].si != 1)
        return -1;
    int pctx;
    return osic_pdv(osic_user_data(&s[k - 1]), &pctx, rose);
}

int osic_echo(struct osic *c, int64_t id, struct ber_slice arg)
{
    struct ber_slice r;
    if (osic_send_invoke(c, id, 1, arg) < 0 || osic_recv_rose(c, &r) < 0)
        return -1;
    if (r.len < 2 || r.ptr[0] != 0xA2 || osic_path_int(r, BER_UNIV(BER_INTEGER), (ber_tag_t)0) != id)
        return -1;
    struct ber_tlv res;
    if (osic_path(r, &res, BER_UNIV(BER_SEQUENCE), (ber_tag_t)0) != 1)
        return -1;
    /* SEQUENCE { opcode, result }: the result is the TLV after the opcode */
    struct ber_ctx ctx;
    ber_ctx_init(&ctx, res.start, res.total, NULL);
    struct ber_iter it;
    struct ber_tlv t;
    if (ber_enter(&ctx, &res, &it, "r") < 0 || ber_next(&it, &t) != 1 || ber_next(&it, &t) != 1)
        return -1;
    return t.total == arg.len && memcmp(t.start, arg.ptr, arg.len) == 0 ? 0 : -1;
}

int osic_release(struct osic *c)
{
    struct ber_writer w;
    ber_writer_init(&w);
    osic_build_fn(&w, 1);
    int rc = w.error ? -1 : osic_send_tsdu(c, ber_writer_data(&w), ber_writer_len(&w));
    ber_writer_free(&w);
    if (rc < 0 || osic_recv_tsdu(c) < 0)
        return -1;
    struct osic_spdu s[2];
    if (osic_spdus(c->tsdu, c->tsdu_len, s, 2) < 1 || s[0].si != 10)
        return -1;
    int pctx;
    struct ber_slice rlre;
    if (osic_pdv(osic_user_data(&s[0]), &pctx, &rlre) < 0 || rlre.len == 0 || rlre.ptr[0] != 0x63)
        return -1;
    return osic_wait_closed(c, 5000) ? 0 : -1;
}
