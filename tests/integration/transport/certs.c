/* A throwaway PKI for the TLS tests, made with the OpenSSL API (the openssl
 * command of OpenSSL 3.0 cannot backdate a certificate to make it expired). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include "tests/integration/transport/tclient.h"

struct id {
    EVP_PKEY *key;
    X509 *cert;
};

static int add_ext(X509 *cert, X509 *issuer, int nid, const char *value)
{
    X509V3_CTX ctx;
    X509_EXTENSION *ext;

    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer, cert, NULL, NULL, 0);
    ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
    if (!ext)
        return -1;
    X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
    return 0;
}

/* issuer NULL: self-signed. Validity from now+from_s to now+to_s. */
static int make_id(struct id *out, const char *cn, const struct id *issuer, bool ca, long from_s,
                   long to_s, long serial)
{
    X509_NAME *name;

    out->key = EVP_EC_gen("P-256");
    out->cert = X509_new();
    if (!out->key || !out->cert)
        return -1;
    X509_set_version(out->cert, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(out->cert), serial);
    X509_gmtime_adj(X509_getm_notBefore(out->cert), from_s);
    X509_gmtime_adj(X509_getm_notAfter(out->cert), to_s);
    X509_set_pubkey(out->cert, out->key);
    name = X509_get_subject_name(out->cert);
    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, (const unsigned char *)"x400ms tests", -1,
                               -1, 0);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
    X509_set_issuer_name(out->cert, issuer ? X509_get_subject_name(issuer->cert) : name);
    if (ca) {
        add_ext(out->cert, issuer ? issuer->cert : out->cert, NID_basic_constraints,
                "critical,CA:TRUE");
        add_ext(out->cert, issuer ? issuer->cert : out->cert, NID_key_usage,
                "critical,keyCertSign,cRLSign");
    } else {
        add_ext(out->cert, issuer->cert, NID_basic_constraints, "CA:FALSE");
        add_ext(out->cert, issuer->cert, NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1");
    }
    add_ext(out->cert, issuer ? issuer->cert : out->cert, NID_subject_key_identifier, "hash");
    return X509_sign(out->cert, issuer ? issuer->key : out->key, EVP_sha256()) > 0 ? 0 : -1;
}

static int save(const char *dir, const char *base, const struct id *id, bool with_key)
{
    char path[512];
    FILE *f;
    int ok;

    snprintf(path, sizeof path, "%s/%s.pem", dir, base);
    f = fopen(path, "w");
    if (!f)
        return -1;
    ok = PEM_write_X509(f, id->cert);
    fclose(f);
    if (!ok || !with_key)
        return ok ? 0 : -1;
    snprintf(path, sizeof path, "%s/%s.key", dir, base);
    f = fopen(path, "w");
    if (!f)
        return -1;
    ok = PEM_write_PrivateKey(f, id->key, NULL, NULL, 0, NULL, NULL);
    fclose(f);
    return ok ? 0 : -1;
}

static void drop(struct id *id)
{
    EVP_PKEY_free(id->key);
    X509_free(id->cert);
}

int tc_make_pki(const char *dir)
{
    const long day = 86400;
    struct id ca = { 0 }, wrongca = { 0 }, server = { 0 }, client = { 0 }, wrong = { 0 },
              expired = { 0 };
    int rc = 0;

    rc |= make_id(&ca, "x400ms test CA", NULL, true, -day, 30 * day, 1);
    rc |= make_id(&wrongca, "some other CA", NULL, true, -day, 30 * day, 2);
    if (rc == 0) {
        rc |= make_id(&server, "localhost", &ca, false, -day, 30 * day, 10);
        rc |= make_id(&client, "test client", &ca, false, -day, 30 * day, 11);
        rc |= make_id(&wrong, "wrong client", &wrongca, false, -day, 30 * day, 12);
        rc |= make_id(&expired, "expired client", &ca, false, -30 * day, -day, 13);
    }
    if (rc == 0)
        rc = save(dir, "ca", &ca, false) | save(dir, "wrongca", &wrongca, false) |
             save(dir, "server", &server, true) | save(dir, "client", &client, true) |
             save(dir, "wrong-client", &wrong, true) | save(dir, "expired", &expired, true);
    drop(&ca);
    drop(&wrongca);
    drop(&server);
    drop(&client);
    drop(&wrong);
    drop(&expired);
    return rc ? -1 : 0;
}

SSL_CTX *tc_ssl_ctx(const char *dir, const char *ca, const char *cert, const char *key,
                    int max_version)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    char path[512];

    if (!ctx)
        return NULL;
    if (max_version) {
        SSL_CTX_set_max_proto_version(ctx, max_version);
        if (max_version < TLS1_2_VERSION) {
            SSL_CTX_set_security_level(ctx, 0);
            SSL_CTX_set_cipher_list(ctx, "DEFAULT:@SECLEVEL=0");
        }
        SSL_CTX_set_min_proto_version(ctx, max_version);
    }
    if (ca) {
        snprintf(path, sizeof path, "%s/%s", dir, ca);
        if (SSL_CTX_load_verify_locations(ctx, path, NULL) != 1)
            goto fail;
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
    }
    if (cert) {
        snprintf(path, sizeof path, "%s/%s", dir, cert);
        if (SSL_CTX_use_certificate_file(ctx, path, SSL_FILETYPE_PEM) != 1)
            goto fail;
        snprintf(path, sizeof path, "%s/%s", dir, key);
        if (SSL_CTX_use_PrivateKey_file(ctx, path, SSL_FILETYPE_PEM) != 1)
            goto fail;
    }
    return ctx;
fail:
    SSL_CTX_free(ctx);
    return NULL;
}
