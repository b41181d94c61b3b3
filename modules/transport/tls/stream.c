/* The TLS stream filter: OpenSSL on a non-blocking socket. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>
#include "modules/transport/tls/tls.h"

struct tls_stream {
    SSL *ssl;
    bool established;
    int verify_err;   /* first certificate error, X509_V_OK if none */
    int verify_depth;
    char subject[200];
    char desc[96];
};

int tls_stream_verify_note(SSL *ssl, int ok, X509_STORE_CTX *store);
int tls_stream_verify_note(SSL *ssl, int ok, X509_STORE_CTX *store)
{
    struct tls_stream *s = ssl ? SSL_get_app_data(ssl) : NULL;

    if (!ok && s && s->verify_err == X509_V_OK) {
        X509 *cert = X509_STORE_CTX_get_current_cert(store);
        s->verify_err = X509_STORE_CTX_get_error(store);
        s->verify_depth = X509_STORE_CTX_get_error_depth(store);
        if (cert)
            X509_NAME_oneline(X509_get_subject_name(cert), s->subject, sizeof s->subject);
    }
    return ok;
}

/* Turns an OpenSSL failure into EAGAIN (with the socket event it waits for)
 * or an error whose text says why, certificate errors first. */
static int tls_fail(struct tls_stream *s, int ret, unsigned *want, const char *op,
                    struct x400ms_error *err)
{
    int e = SSL_get_error(s->ssl, ret);
    char why[200];

    switch (e) {
    case SSL_ERROR_WANT_READ:
        *want = X400MS_IO_READ;
        return X400MS_EAGAIN;
    case SSL_ERROR_WANT_WRITE:
        *want = X400MS_IO_WRITE;
        return X400MS_EAGAIN;
    case SSL_ERROR_ZERO_RETURN:
        return 0;
    default:
        break;
    }
    if (s->verify_err != X509_V_OK)
        return x400ms_error_set(err, X400MS_EAUTH,
                                "certificate verify failed: %s (depth %d, subject %s)",
                                X509_verify_cert_error_string(s->verify_err), s->verify_depth,
                                s->subject[0] ? s->subject : "?");
    if (e == SSL_ERROR_SYSCALL && ERR_peek_error() == 0) {
        if (errno == 0 || errno == ECONNRESET || errno == EPIPE)
            return x400ms_error_set(err, X400MS_ECLOSED, "TLS %s: peer closed the connection",
                                    op);
        return x400ms_error_set(err, X400MS_EIO, "TLS %s: %s", op, strerror(errno));
    }
    return x400ms_error_set(err, X400MS_EIO, "TLS %s: %s", op, tls_last_error(why, sizeof why));
}

static int tls_handshake(void *stream, unsigned *want, struct x400ms_error *err)
{
    struct tls_stream *s = stream;
    int ret, rc;

    ERR_clear_error();
    errno = 0;
    ret = SSL_do_handshake(s->ssl);
    if (ret == 1) {
        s->established = true;
        return 0;
    }
    rc = tls_fail(s, ret, want, "handshake", err);
    if (rc == 0) /* close_notify during the handshake */
        rc = x400ms_error_set(err, X400MS_ECLOSED, "peer closed the connection in the handshake");
    return rc;
}

static long tls_read(void *stream, void *buf, size_t len, unsigned *want, struct x400ms_error *err)
{
    struct tls_stream *s = stream;
    int n, cap = len > (size_t)INT32_MAX ? INT32_MAX : (int)len;

    ERR_clear_error();
    errno = 0;
    n = SSL_read(s->ssl, buf, cap);
    if (n > 0)
        return n;
    return tls_fail(s, n, want, "read", err);
}

static long tls_write(void *stream, const void *buf, size_t len, unsigned *want,
                      struct x400ms_error *err)
{
    struct tls_stream *s = stream;
    int n, cap = len > (size_t)INT32_MAX ? INT32_MAX : (int)len, rc;

    ERR_clear_error();
    errno = 0;
    n = SSL_write(s->ssl, buf, cap);
    if (n > 0)
        return n;
    rc = tls_fail(s, n, want, "write", err);
    if (rc == 0)
        rc = x400ms_error_set(err, X400MS_ECLOSED, "TLS write: peer sent close_notify");
    return rc;
}

static size_t tls_pending(void *stream)
{
    struct tls_stream *s = stream;
    int n = SSL_pending(s->ssl);
    return n > 0 ? (size_t)n : 0;
}

static void tls_close(void *stream)
{
    struct tls_stream *s = stream;

    if (s->established) {
        ERR_clear_error();
        SSL_shutdown(s->ssl); /* one non-blocking attempt at close_notify */
    }
    ERR_clear_error();
    SSL_free(s->ssl);
    free(s);
}

static const char *tls_describe(void *stream)
{
    struct tls_stream *s = stream;

    snprintf(s->desc, sizeof s->desc, "%s %s", SSL_get_version(s->ssl),
             SSL_get_cipher_name(s->ssl));
    return s->desc;
}

static const struct x400ms_tstream_ops tls_stream_ops = {
    .size = sizeof(struct x400ms_tstream_ops),
    .handshake = tls_handshake,
    .read = tls_read,
    .write = tls_write,
    .pending = tls_pending,
    .close = tls_close,
    .describe = tls_describe,
};

static bool is_ip_address(const char *name)
{
    unsigned char buf[sizeof(struct in6_addr)];
    return inet_pton(AF_INET, name, buf) == 1 || inet_pton(AF_INET6, name, buf) == 1;
}

static int tls_open(void *filter_ctx, int fd, bool server, const char *server_name,
                    void **stream_r, struct x400ms_error *err)
{
    struct tls_state *st = filter_ctx;
    SSL_CTX *ctx = server ? st->server : st->client;
    struct tls_stream *s;
    char why[200];

    if (!ctx)
        return x400ms_error_set(err, X400MS_ESTATE, "TLS: no %s context configured",
                                server ? "server" : "client");
    s = calloc(1, sizeof *s);
    if (!s)
        return x400ms_error_set(err, X400MS_ENOMEM, "TLS: out of memory");
    s->verify_err = X509_V_OK;
    s->ssl = SSL_new(ctx);
    if (!s->ssl || SSL_set_fd(s->ssl, fd) != 1) {
        if (s->ssl)
            SSL_free(s->ssl);
        free(s);
        return x400ms_error_set(err, X400MS_EIO, "TLS: %s", tls_last_error(why, sizeof why));
    }
    SSL_set_app_data(s->ssl, s);
    if (server) {
        SSL_set_accept_state(s->ssl);
    } else {
        SSL_set_connect_state(s->ssl);
        if (server_name && server_name[0]) {
            if (is_ip_address(server_name)) {
                X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(s->ssl), server_name);
            } else {
                SSL_set_tlsext_host_name(s->ssl, server_name);
                SSL_set1_host(s->ssl, server_name);
            }
        }
    }
    *stream_r = s;
    return 0;
}

const struct x400ms_tfilter tls_filter = {
    .size = sizeof(struct x400ms_tfilter),
    .name = TLS_NAME,
    .stream_ops = &tls_stream_ops,
    .open = tls_open,
};
