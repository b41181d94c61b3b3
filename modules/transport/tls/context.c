/* TLS contexts: TLS 1.2/1.3 only, modern ciphers, certificates from files. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* asprintf */
#endif
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/err.h>
#include <openssl/x509.h>
#include "modules/transport/tls/tls.h"

/* TLS 1.2: forward-secret AEAD suites only (TLS 1.3 suites are all modern). */
#define TLS12_CIPHERS                                                                    \
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"                         \
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"                         \
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305"

const char *tls_last_error(char *buf, size_t cap)
{
    unsigned long e = ERR_peek_last_error();
    const char *reason = e ? ERR_reason_error_string(e) : NULL;

    if (reason)
        snprintf(buf, cap, "%s", reason);
    else if (e)
        ERR_error_string_n(e, buf, cap);
    else
        snprintf(buf, cap, "unknown TLS error");
    ERR_clear_error();
    return buf;
}

/* Relative file names are relative to the manifest's directory. */
static char *resolve(const struct tls_state *st, const char *file)
{
    const char *manifest = x400ms_core_manifest_file(st->core);
    char *copy, *out = NULL;

    if (!file)
        return NULL;
    if (file[0] == '/' || !manifest)
        return strdup(file);
    copy = strdup(manifest);
    if (copy && asprintf(&out, "%s/%s", dirname(copy), file) < 0)
        out = NULL;
    free(copy);
    return out;
}

static int verify_cb(int ok, X509_STORE_CTX *store);

static int ctx_common(SSL_CTX *ctx, const struct tls_state *st)
{
    static const int versions[] = { TLS1_2_VERSION, TLS1_3_VERSION };

    if (!SSL_CTX_set_min_proto_version(ctx, versions[st->cfg.min_version]) ||
        !SSL_CTX_set_cipher_list(ctx, TLS12_CIPHERS))
        return -1;
    SSL_CTX_set_security_level(ctx, 2);
    /* No renegotiation or compression; a TCP close without close_notify is
     * an end of stream (TPKT framing shows a cut PDU by itself). */
    SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION |
                                 SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_IGNORE_UNEXPECTED_EOF);
    SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER |
                              SSL_MODE_RELEASE_BUFFERS);
    return 0;
}

static int load_pair(SSL_CTX *ctx, const struct tls_state *st, const char *path,
                     struct x400ms_error *err)
{
    char why[200];
    char *cert = resolve(st, st->cfg.cert), *key = resolve(st, st->cfg.key);
    int rc = 0;

    if (SSL_CTX_use_certificate_chain_file(ctx, cert) != 1)
        rc = x400ms_error_set(err, X400MS_EINVAL, "%s.cert: cannot load \"%s\": %s", path, cert,
                              tls_last_error(why, sizeof why));
    else if (SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1)
        rc = x400ms_error_set(err, X400MS_EINVAL, "%s.key: cannot load \"%s\": %s", path, key,
                              tls_last_error(why, sizeof why));
    else if (SSL_CTX_check_private_key(ctx) != 1)
        rc = x400ms_error_set(err, X400MS_EINVAL, "%s.key: does not match %s.cert: %s", path, path,
                              tls_last_error(why, sizeof why));
    free(cert);
    free(key);
    return rc;
}

static int load_ca(SSL_CTX *ctx, const struct tls_state *st, const char *path, bool client_list,
                   struct x400ms_error *err)
{
    char why[200];
    char *ca = resolve(st, st->cfg.ca);
    int rc = 0;

    if (SSL_CTX_load_verify_locations(ctx, ca, NULL) != 1) {
        rc = x400ms_error_set(err, X400MS_EINVAL, "%s.ca: cannot load \"%s\": %s", path, ca,
                              tls_last_error(why, sizeof why));
    } else if (client_list) {
        STACK_OF(X509_NAME) *names = SSL_load_client_CA_file(ca);
        if (names)
            SSL_CTX_set_client_CA_list(ctx, names);
    }
    free(ca);
    return rc;
}

int tls_contexts_create(struct tls_state *st, const char *path, struct x400ms_error *err)
{
    static const unsigned char sid_ctx[] = "x400ms-tls";
    bool have_listeners = st->cfg.listen && json_array_size(st->cfg.listen) > 0;
    char why[200];
    int rc;

    if (have_listeners && (!st->cfg.cert || !st->cfg.key))
        return x400ms_error_set(err, X400MS_EINVAL, "%s: \"cert\" and \"key\" are required when "
                                "\"listen\" has entries", path);
    if (!st->cfg.cert != !st->cfg.key)
        return x400ms_error_set(err, X400MS_EINVAL, "%s: give both \"cert\" and \"key\", or "
                                "neither", path);
    if (st->cfg.verify_client && !st->cfg.ca)
        return x400ms_error_set(err, X400MS_EINVAL, "%s.ca: required when verify_client is true",
                                path);

    if (have_listeners) {
        st->server = SSL_CTX_new(TLS_server_method());
        if (!st->server || ctx_common(st->server, st) != 0)
            return x400ms_error_set(err, X400MS_EIO, "%s: cannot create the TLS server context: "
                                    "%s", path, tls_last_error(why, sizeof why));
        rc = load_pair(st->server, st, path, err);
        if (rc)
            return rc;
        SSL_CTX_set_session_id_context(st->server, sid_ctx, sizeof sid_ctx - 1);
        if (st->cfg.ca && (rc = load_ca(st->server, st, path, st->cfg.verify_client, err)) != 0)
            return rc;
        if (st->cfg.verify_client)
            SSL_CTX_set_verify(st->server, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT,
                               verify_cb);
    }

    st->client = SSL_CTX_new(TLS_client_method());
    if (!st->client || ctx_common(st->client, st) != 0)
        return x400ms_error_set(err, X400MS_EIO, "%s: cannot create the TLS client context: %s",
                                path, tls_last_error(why, sizeof why));
    if (st->cfg.cert && (rc = load_pair(st->client, st, path, err)) != 0)
        return rc;
    if (st->cfg.ca) {
        if ((rc = load_ca(st->client, st, path, false, err)) != 0)
            return rc;
    } else if (SSL_CTX_set_default_verify_paths(st->client) != 1) {
        ERR_clear_error();
    }
    SSL_CTX_set_verify(st->client, st->cfg.verify_server ? SSL_VERIFY_PEER : SSL_VERIFY_NONE,
                       verify_cb);
    return 0;
}

void tls_contexts_free(struct tls_state *st)
{
    SSL_CTX_free(st->server);
    SSL_CTX_free(st->client);
    st->server = st->client = NULL;
}

/* Defined in stream.c: records the first verification failure per stream. */
int tls_stream_verify_note(SSL *ssl, int ok, X509_STORE_CTX *store);

static int verify_cb(int ok, X509_STORE_CTX *store)
{
    SSL *ssl = X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx());
    return tls_stream_verify_note(ssl, ok, store);
}
