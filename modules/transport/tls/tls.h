/* modules/transport/tls: internal declarations.
 *
 * The tls module is a stream filter (include/x400ms/transport.h part 4) that
 * the rfc1006 engine puts between the socket and TPKT: on its own listeners
 * and for outgoing connections through the transport "tls". */
#ifndef X400MS_TLS_H
#define X400MS_TLS_H

#include <stdbool.h>
#include <openssl/ssl.h>
#include "x400ms/transport.h"

#define TLS_NAME "tls"

struct tls_config {
    const json_t *listen;
    const char *cert, *key, *ca;
    bool verify_client;
    bool verify_server;
    int min_version; /* index into tls_min_versions */
};

struct tls_state {
    struct x400ms_core *core;
    struct tls_config cfg;
    SSL_CTX *server; /* NULL when there is no listener */
    SSL_CTX *client;
    const struct x400ms_tengine_ops *engine;
    void *engine_ctx;
};

/* stream.c */
extern const struct x400ms_tfilter tls_filter;

/* context.c: builds the SSL_CTX objects from the configuration; errors name
 * the config field and the OpenSSL reason. */
int tls_contexts_create(struct tls_state *st, const char *path, struct x400ms_error *err);
void tls_contexts_free(struct tls_state *st);
/* The reason of the last OpenSSL error, for messages ("no such file"). */
const char *tls_last_error(char *buf, size_t cap);

#endif
