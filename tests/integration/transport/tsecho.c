/* tsecho: a tests-only module, the transport user "echo".
 *
 * Inbound connections (listeners with "user": "echo"):
 *   - a CR whose calling T-selector is "refuse" is refused (DR);
 *   - a TSDU "CLOSE" closes the connection (class 0 disconnect);
 *   - a TSDU "BIG n" is answered with one TSDU of n octets (i & 0xff);
 *   - any other TSDU is echoed back unchanged.
 * Outgoing connections (config "connect": [{transport, host, port, called,
 * size}]): at start each one connects, sends a TSDU of `size` octets, checks
 * the echo and logs "tsecho: outbound N echo ok ..." or the failure. */
#define X400MS_LOG_MODULE "tsecho"
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "x400ms/config.h"
#include "x400ms/log.h"
#include "x400ms/module.h"
#include "x400ms/transport.h"

struct pending {
    struct pending *next;
    size_t len;
    uint8_t data[];
};

struct echo_conn {
    struct pending *head, *tail; /* TSDUs waiting for room in the output queue */
    bool told_full;
};

struct outbound {
    struct tsecho *te;
    int index;
    const char *transport, *host, *called;
    long long port, size;
    uint8_t *payload;
};

struct tsecho {
    struct x400ms_core *core;
    const json_t *connect;
    struct outbound *out;
    size_t nout;
};

/* ---- inbound: the echo user --------------------------------------------- */

static int echo_connected(void *user_ctx, struct x400ms_tconn *conn)
{
    size_t len;
    const uint8_t *calling = x400ms_tconn_remote_tsel(conn, &len);
    struct echo_conn *ec;

    (void)user_ctx;
    if (calling && len == 6 && memcmp(calling, "refuse", 6) == 0)
        return X400MS_EPERM;
    ec = calloc(1, sizeof *ec);
    if (!ec)
        return X400MS_ENOMEM;
    x400ms_tconn_set_ctx(conn, ec);
    return 0;
}

static void echo_flush(struct echo_conn *ec, struct x400ms_tconn *conn)
{
    while (ec->head) {
        struct pending *p = ec->head;
        if (x400ms_tconn_send(conn, p->data, p->len) == X400MS_EAGAIN)
            return;
        ec->head = p->next;
        if (!ec->head)
            ec->tail = NULL;
        free(p);
    }
}

static void echo_send(struct echo_conn *ec, struct x400ms_tconn *conn, const uint8_t *p, size_t n)
{
    struct pending *q;
    int rc = ec->head ? X400MS_EAGAIN : x400ms_tconn_send(conn, p, n);

    if (rc != X400MS_EAGAIN) {
        if (rc != 0)
            X400MS_LOG_W("peer %s: send: %s", x400ms_tconn_peer(conn), x400ms_strerror(rc));
        return;
    }
    if (!ec->told_full) {
        ec->told_full = true;
        X400MS_LOG_N("peer %s: output queue full (%zu octets): waiting for writable",
                     x400ms_tconn_peer(conn), x400ms_tconn_queued(conn));
    }
    q = malloc(sizeof *q + n);
    if (!q) {
        x400ms_tconn_abort(conn);
        return;
    }
    q->next = NULL;
    q->len = n;
    memcpy(q->data, p, n);
    if (ec->tail)
        ec->tail->next = q;
    else
        ec->head = q;
    ec->tail = q;
}

static void echo_data(void *conn_ctx, struct x400ms_tconn *conn, const uint8_t *tsdu, size_t len)
{
    struct echo_conn *ec = conn_ctx;

    if (len == 5 && memcmp(tsdu, "CLOSE", 5) == 0) {
        x400ms_tconn_close(conn);
        return;
    }
    if (len > 4 && len < 16 && memcmp(tsdu, "BIG ", 4) == 0) {
        char num[16];
        size_t n;
        uint8_t *big;
        memcpy(num, tsdu + 4, len - 4);
        num[len - 4] = '\0';
        n = strtoul(num, NULL, 10);
        big = malloc(n ? n : 1);
        if (!big)
            return;
        for (size_t i = 0; i < n; i++)
            big[i] = (uint8_t)i;
        echo_send(ec, conn, big, n);
        free(big);
        return;
    }
    echo_send(ec, conn, tsdu, len);
}

static void echo_writable(void *conn_ctx, struct x400ms_tconn *conn)
{
    struct echo_conn *ec = conn_ctx;

    if (ec->told_full && ec->head)
        X400MS_LOG_N("peer %s: writable again (%zu octets queued)", x400ms_tconn_peer(conn),
                     x400ms_tconn_queued(conn));
    echo_flush(ec, conn);
}

static void echo_disconnected(void *conn_ctx, struct x400ms_tconn *conn, int reason,
                              const char *text)
{
    struct echo_conn *ec = conn_ctx;

    X400MS_LOG_D("peer %s: disconnected (%d: %s)", x400ms_tconn_peer(conn), reason, text);
    while (ec && ec->head) {
        struct pending *p = ec->head;
        ec->head = p->next;
        free(p);
    }
    free(ec);
}

static const struct x400ms_tuser_ops echo_ops = {
    .size = sizeof(struct x400ms_tuser_ops),
    .connected = echo_connected,
    .data = echo_data,
    .writable = echo_writable,
    .disconnected = echo_disconnected,
};

/* ---- outbound: connect, send, check the echo ----------------------------- */

static int out_connected(void *user_ctx, struct x400ms_tconn *conn)
{
    struct outbound *o = x400ms_tconn_ctx(conn);
    int rc;

    (void)user_ctx;
    rc = x400ms_tconn_send(conn, o->payload, (size_t)o->size);
    if (rc != 0)
        X400MS_LOG_W("outbound %d: send: %s", o->index, x400ms_strerror(rc));
    return rc;
}

static void out_data(void *conn_ctx, struct x400ms_tconn *conn, const uint8_t *tsdu, size_t len)
{
    struct outbound *o = conn_ctx;

    if (len == (size_t)o->size && memcmp(tsdu, o->payload, len) == 0)
        X400MS_LOG_N("outbound %d echo ok (%zu octets, transport %s, TPDU size %zu)", o->index,
                     len, x400ms_tconn_transport(conn), x400ms_tconn_tpdu_size(conn));
    else
        X400MS_LOG_W("outbound %d echo mismatch (%zu octets, expected %lld)", o->index, len,
                     o->size);
    x400ms_tconn_close(conn);
}

static void out_disconnected(void *conn_ctx, struct x400ms_tconn *conn, int reason,
                             const char *text)
{
    struct outbound *o = conn_ctx;

    (void)conn;
    X400MS_LOG_N("outbound %d disconnected: reason %d: %s", o->index, reason, text);
}

static const struct x400ms_tuser_ops out_ops = {
    .size = sizeof(struct x400ms_tuser_ops),
    .connected = out_connected,
    .data = out_data,
    .disconnected = out_disconnected,
};

static void out_start(struct outbound *o)
{
    void *tctx = NULL;
    const struct x400ms_transport_ops *t = x400ms_transport_find(o->te->core, o->transport, &tctx);
    struct x400ms_tconnect_args a = {
        .size = sizeof a, .host = o->host, .port = (uint16_t)o->port,
        .called_tsel = (const uint8_t *)o->called, .called_tsel_len = o->called ? strlen(o->called) : 0,
        .user_ops = &out_ops, .conn_ctx = o,
    };
    struct x400ms_error err = { 0 };

    if (!t) {
        X400MS_LOG_E("outbound %d: no transport \"%s\"", o->index, o->transport);
        return;
    }
    if (t->connect(tctx, &a, NULL, &err) != 0)
        X400MS_LOG_E("outbound %d: connect refused at once: %s", o->index, err.message);
}

struct out_entry {
    const char *transport, *host, *called;
    long long port, size;
};

static const struct x400ms_cfg_spec out_spec[] = {
    { "transport", X400MS_CFG_STRING, 0, offsetof(struct out_entry, transport), .def_str = "rfc1006" },
    { "host", X400MS_CFG_STRING, 0, offsetof(struct out_entry, host), .def_str = "127.0.0.1" },
    { "port", X400MS_CFG_INT, X400MS_CFG_REQUIRED, offsetof(struct out_entry, port), .min = 1, .max = 65535 },
    { "called", X400MS_CFG_STRING, 0, offsetof(struct out_entry, called), .help = "called T-selector" },
    { "size", X400MS_CFG_INT, 0, offsetof(struct out_entry, size), .min = 0, .max = 1 << 24, .def_int = 1000 },
    X400MS_CFG_END
};

static const struct x400ms_cfg_spec tsecho_spec[] = {
    { "connect", X400MS_CFG_ARRAY, 0, offsetof(struct tsecho, connect), .help = "outgoing connections" },
    X400MS_CFG_END
};

static void tsecho_fini(void *state)
{
    struct tsecho *te = state;

    if (!te)
        return;
    for (size_t i = 0; i < te->nout; i++)
        free(te->out[i].payload);
    free(te->out);
    free(te);
}

static int tsecho_init(struct x400ms_core *core, const json_t *config, void **state,
                       struct x400ms_error *err)
{
    struct tsecho *te = calloc(1, sizeof *te);
    const char *path = x400ms_core_config_path(core);
    const json_t *item;
    size_t i;
    int rc;

    if (!te)
        return X400MS_ENOMEM;
    te->core = core;
    rc = x400ms_config_parse(config, path, tsecho_spec, te, err);
    if (rc == 0)
        rc = x400ms_tuser_register(core, "echo", &echo_ops, te, err);
    if (rc == 0 && te->connect) {
        te->out = calloc(json_array_size(te->connect) + 1, sizeof *te->out);
        json_array_foreach(te->connect, i, item) {
            struct out_entry e = { 0 };
            char epath[128];
            struct outbound *o = &te->out[te->nout];
            snprintf(epath, sizeof epath, "%s.connect[%zu]", path, i);
            rc = x400ms_config_parse(item, epath, out_spec, &e, err);
            if (rc)
                break;
            te->nout++;
            *o = (struct outbound){ .te = te, .index = (int)i, .transport = e.transport,
                                    .host = e.host, .called = e.called, .port = e.port,
                                    .size = e.size };
            o->payload = malloc((size_t)e.size + 1);
            for (long long k = 0; k < e.size; k++)
                o->payload[k] = (uint8_t)(k * 7 + 3);
        }
    }
    if (rc) {
        tsecho_fini(te);
        return rc;
    }
    *state = te;
    return 0;
}

static int tsecho_start(void *state)
{
    struct tsecho *te = state;

    /* Connections are made on a loop thread (transport.h): post there. */
    for (size_t i = 0; i < te->nout; i++)
        x400ms_loop_post(x400ms_core_loop(te->core, 0), out_start, &te->out[i]);
    return 0;
}

X400MS_MODULE_EXPORT const struct x400ms_module X400MS_MODULE_ENTRY = {
    X400MS_MODULE_HEADER,
    .name = "tsecho",
    .version = "test",
    .requires = (const char *const[]){ "rfc1006", NULL },
    .init = tsecho_init,
    .start = tsecho_start,
    .fini = tsecho_fini,
};
