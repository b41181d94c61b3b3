/* The tls module: TLS (OpenSSL >= 3.0) under RFC 1006.
 *
 * Config:
 *   { "listen": [ { "address": "127.0.0.1", "port": 10103, "tselector": ..., "user": "osi" } ],
 *     "cert": PEM chain, "key": PEM key, "ca": PEM CA bundle,
 *     "verify_client": false, "verify_server": true, "min_version": "TLSv1.2" }
 * Relative paths are relative to the manifest's directory. Listeners take the
 * same entries as rfc1006's and share its limits; outgoing connections go
 * through the transport "tls" (client certificate = cert/key when given). */
#define X400MS_LOG_MODULE TLS_NAME
#include <stdio.h>
#include <stdlib.h>
#include "x400ms/config.h"
#include "x400ms/log.h"
#include "x400ms/module.h"
#include "modules/transport/tls/tls.h"

static const char *const tls_min_versions[] = { "TLSv1.2", "TLSv1.3", NULL };

static const struct x400ms_cfg_spec tls_spec[] = {
    { "listen", X400MS_CFG_ARRAY, 0, offsetof(struct tls_config, listen),
      .help = "TLS listeners: [{address, port, tselector, user}]" },
    { "cert", X400MS_CFG_STRING, X400MS_CFG_NONEMPTY, offsetof(struct tls_config, cert),
      .help = "PEM certificate chain file" },
    { "key", X400MS_CFG_STRING, X400MS_CFG_NONEMPTY, offsetof(struct tls_config, key),
      .help = "PEM private key file" },
    { "ca", X400MS_CFG_STRING, X400MS_CFG_NONEMPTY, offsetof(struct tls_config, ca),
      .help = "PEM file of the CAs that peers' certificates must chain to" },
    { "verify_client", X400MS_CFG_BOOL, 0, offsetof(struct tls_config, verify_client),
      .def_int = 0, .help = "require and verify a client certificate" },
    { "verify_server", X400MS_CFG_BOOL, 0, offsetof(struct tls_config, verify_server),
      .def_int = 1, .help = "verify the server certificate of outgoing connections" },
    { "min_version", X400MS_CFG_ENUM, 0, offsetof(struct tls_config, min_version),
      .enum_values = tls_min_versions, .def_int = 0, .help = "TLSv1.2 or TLSv1.3" },
    X400MS_CFG_END
};

static int tls_transport_connect(void *ctx, const struct x400ms_tconnect_args *args,
                                 struct x400ms_tconn **conn_r, struct x400ms_error *err)
{
    struct tls_state *st = ctx;
    return st->engine->connect(st->engine_ctx, args, &tls_filter, st, conn_r, err);
}

static const struct x400ms_transport_ops tls_transport_ops = {
    .size = sizeof(struct x400ms_transport_ops),
    .connect = tls_transport_connect,
};

static void tls_fini(void *state)
{
    struct tls_state *st = state;

    if (!st)
        return;
    /* Connections still holding an SSL keep their SSL_CTX alive (refcount). */
    tls_contexts_free(st);
    free(st);
}

static int tls_init(struct x400ms_core *core, const json_t *config, void **state,
                    struct x400ms_error *err)
{
    const char *path = x400ms_core_config_path(core);
    struct tls_state *st = calloc(1, sizeof *st);
    char lpath[128];
    int rc;

    if (!path)
        path = "config";
    if (!st)
        return x400ms_error_set(err, X400MS_ENOMEM, "tls: out of memory");
    st->core = core;
    rc = x400ms_config_parse(config, path, tls_spec, &st->cfg, err);
    if (rc)
        goto fail;
    st->engine = x400ms_service_find(core, X400MS_SERVICE_OTHER, X400MS_TENGINE_SERVICE,
                                     &st->engine_ctx);
    if (!st->engine || st->engine->size < sizeof(struct x400ms_tengine_ops)) {
        rc = x400ms_error_set(err, X400MS_EDEP, "tls needs the rfc1006 module: list rfc1006 in "
                              "the manifest's modules");
        goto fail;
    }
    rc = tls_contexts_create(st, path, err);
    if (rc)
        goto fail;
    snprintf(lpath, sizeof lpath, "%s.listen", path);
    rc = st->engine->add_listeners(st->engine_ctx, st->cfg.listen, lpath, &tls_filter, st, err);
    if (rc)
        goto fail;
    rc = x400ms_service_register(core, X400MS_SERVICE_TRANSPORT, TLS_NAME, &tls_transport_ops, st,
                                 err);
    if (rc)
        goto fail;
    *state = st;
    return 0;
fail:
    tls_fini(st);
    return rc;
}

X400MS_MODULE_EXPORT const struct x400ms_module X400MS_MODULE_ENTRY = {
    X400MS_MODULE_HEADER,
    .name = TLS_NAME,
    .version = "1.0",
    .requires = (const char *const[]){ "rfc1006", NULL },
    .init = tls_init,
    .fini = tls_fini,
};
