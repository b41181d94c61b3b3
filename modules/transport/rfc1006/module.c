/* The rfc1006 module: RFC 1006 (TPKT) + X.224 class 0 transport.
 *
 * Config (DESIGN.md section 4):
 *   { "listen": [ { "address": "127.0.0.1", "port": 10102,
 *                   "tselector": "text | 'HEX'H | 0xHEX", "user": "osi" } ],
 *     "max_tsdu": 4194304, "max_connections": 1024, "idle_timeout": "10m",
 *     "connect_timeout": "30s", "pdu_timeout": "60s", "tpdu_size": 65531,
 *     "max_output": 4194304 }
 * Registers the transport "rfc1006" (outgoing connections) and the engine
 * service X400MS_TENGINE_SERVICE that stream filters (tls) build on. */
#define X400MS_LOG_MODULE R1_NAME
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "x400ms/config.h"
#include "x400ms/log.h"
#include "x400ms/module.h"
#include "modules/transport/rfc1006/rfc1006.h"

static const struct x400ms_cfg_spec r1_spec[] = {
    { "listen", X400MS_CFG_ARRAY, 0, offsetof(struct r1_config, listen),
      .help = "listeners: [{address, port, tselector, user}]" },
    { "max_tsdu", X400MS_CFG_INT, 0, offsetof(struct r1_config, max_tsdu), .min = 1024,
      .max = 1LL << 30, .def_int = 4 * 1024 * 1024,
      .help = "largest TSDU in octets, either direction" },
    { "max_connections", X400MS_CFG_INT, 0, offsetof(struct r1_config, max_connections), .min = 1,
      .max = 1000000, .def_int = 1024, .help = "transport connections at once" },
    { "idle_timeout", X400MS_CFG_DURATION, 0, offsetof(struct r1_config, idle_timeout), .min = 0,
      .max = 7 * 86400, .def_int = 600, .help = "close after this long without input; 0: never" },
    { "connect_timeout", X400MS_CFG_DURATION, 0, offsetof(struct r1_config, connect_timeout),
      .min = 1, .max = 3600, .def_int = 30, .help = "TCP + TLS + CR/CC must complete within" },
    { "pdu_timeout", X400MS_CFG_DURATION, 0, offsetof(struct r1_config, pdu_timeout),
      .min = 1, .max = 3600, .def_int = 60,
      .help = "a TPKT or TSDU begun must be complete within this, however slowly it trickles" },
    { "tpdu_size", X400MS_CFG_INT, 0, offsetof(struct r1_config, tpdu_size), .min = 128,
      .max = X224_MAX_TPDU_SIZE, .def_int = X224_MAX_TPDU_SIZE,
      .help = "largest TPDU accepted and proposed (X.224 13.3.4 b)" },
    { "max_output", X400MS_CFG_INT, 0, offsetof(struct r1_config, max_output), .min = 65536,
      .max = 1LL << 30, .def_int = 4 * 1024 * 1024,
      .help = "output queued per connection before sends return EAGAIN" },
    X400MS_CFG_END
};

static int r1_transport_connect(void *ctx, const struct x400ms_tconnect_args *args,
                                struct x400ms_tconn **conn_r, struct x400ms_error *err)
{
    return r1_connect(ctx, args, NULL, NULL, conn_r, err);
}

static const struct x400ms_transport_ops r1_transport_ops = {
    .size = sizeof(struct x400ms_transport_ops),
    .connect = r1_transport_connect,
};

static int engine_add_listeners(void *engine, const json_t *listen, const char *path,
                                const struct x400ms_tfilter *filter, void *filter_ctx,
                                struct x400ms_error *err)
{
    if (filter && (filter->size < sizeof(struct x400ms_tfilter) || !filter->stream_ops ||
                   !filter->open || !filter->name))
        return x400ms_error_set(err, X400MS_EINVAL, "%s: incomplete stream filter", path);
    return r1_listeners_add(engine, listen, path, filter, filter_ctx, err);
}

static int engine_connect(void *engine, const struct x400ms_tconnect_args *args,
                          const struct x400ms_tfilter *filter, void *filter_ctx,
                          struct x400ms_tconn **conn_r, struct x400ms_error *err)
{
    return r1_connect(engine, args, filter, filter_ctx, conn_r, err);
}

static const struct x400ms_tengine_ops r1_engine_ops = {
    .size = sizeof(struct x400ms_tengine_ops),
    .add_listeners = engine_add_listeners,
    .connect = engine_connect,
};

static void r1_fini(void *state)
{
    struct r1_engine *eng = state;

    if (!eng)
        return;
    r1_listeners_free(eng);
    pthread_cond_destroy(&eng->cond);
    pthread_mutex_destroy(&eng->lock);
    free(eng);
}

static int r1_init(struct x400ms_core *core, const json_t *config, void **state,
                   struct x400ms_error *err)
{
    const char *path = x400ms_core_config_path(core);
    struct r1_engine *eng = calloc(1, sizeof *eng);
    char lpath[128];
    int rc;

    if (!eng)
        return x400ms_error_set(err, X400MS_ENOMEM, "rfc1006: out of memory");
    eng->core = core;
    pthread_mutex_init(&eng->lock, NULL);
    pthread_cond_init(&eng->cond, NULL);
    rc = x400ms_config_parse(config, path ? path : "config", r1_spec, &eng->cfg, err);
    if (rc)
        goto fail;
    eng->max_tpkt = (size_t)eng->cfg.tpdu_size + TPKT_HEADER_LEN;
    snprintf(lpath, sizeof lpath, "%s.listen", path ? path : "config");
    rc = r1_listeners_add(eng, eng->cfg.listen, lpath, NULL, NULL, err);
    if (rc)
        goto fail;
    rc = x400ms_service_register(core, X400MS_SERVICE_TRANSPORT, R1_NAME, &r1_transport_ops, eng,
                                 err);
    if (rc)
        goto fail;
    rc = x400ms_service_register(core, X400MS_SERVICE_OTHER, X400MS_TENGINE_SERVICE,
                                 &r1_engine_ops, eng, err);
    if (rc)
        goto fail;
    *state = eng;
    return 0;
fail:
    r1_fini(eng);
    return rc;
}

static int r1_start(void *state)
{
    struct r1_engine *eng = state;
    struct x400ms_error err = { 0 };
    int rc = r1_listeners_open(eng, &err);

    if (rc)
        X400MS_LOG_E("%s", err.message);
    return rc;
}

static void r1_stop(void *state)
{
    r1_listeners_close(state);
}

X400MS_MODULE_EXPORT const struct x400ms_module X400MS_MODULE_ENTRY = {
    X400MS_MODULE_HEADER,
    .name = R1_NAME,
    .version = "1.0",
    .requires = NULL,
    .init = r1_init,
    .start = r1_start,
    .stop = r1_stop,
    .fini = r1_fini,
};
