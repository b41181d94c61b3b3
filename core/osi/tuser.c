/* The OSI stack as the transport user "osi" (inbound connections from the
 * listeners), and the initiator's way out through a transport provider. */
#define X400MS_LOG_MODULE "osi"
#include <stdlib.h>
#include <string.h>

#include "core/osi/osi.h"
#include "x400ms/log.h"
#include "x400ms/transport.h"

static int tuser_lower_send(void *lower, const uint8_t *tsdu, size_t len)
{
    return x400ms_tconn_send(lower, tsdu, len);
}

static void tuser_lower_close(void *lower, bool abort)
{
    if (abort)
        x400ms_tconn_abort(lower);
    else
        x400ms_tconn_close(lower);
}

static const struct osi_lower_ops tuser_lower_ops = {
    .send = tuser_lower_send,
    .close = tuser_lower_close,
};

/* Inbound: a listener accepted a connection (CR passed); we are the responder. */
static int tuser_connected(void *user_ctx, struct x400ms_tconn *conn)
{
    struct x400ms_core *core = user_ctx;
    if (!x400ms_tconn_inbound(conn)) {
        /* Outbound: the assoc was created by x400ms_assoc_connect. */
        struct x400ms_assoc *a = x400ms_tconn_ctx(conn);
        if (a == NULL)
            return X400MS_ESTATE;
        a->lower = conn;
        snprintf(a->peer, sizeof(a->peer), "%s", x400ms_tconn_peer(conn));
        osi_hold(a);
        int rc = acse_send_aarq(a);
        if (rc < 0)
            osi_abort(a, X400MS_ABORT_LOCAL, false, "cannot send the AARQ: %s", x400ms_strerror(rc));
        osi_unhold(a);
        return 0;
    }
    struct x400ms_assoc *a = osi_assoc_new(core, x400ms_tconn_loop(conn), &tuser_lower_ops, conn,
                                           x400ms_tconn_peer(conn), false);
    if (a == NULL)
        return X400MS_ELIMIT;
    x400ms_tconn_set_ctx(conn, a);
    return 0;
}

static void tuser_data(void *conn_ctx, struct x400ms_tconn *conn, const uint8_t *tsdu, size_t len)
{
    (void)conn;
    struct x400ms_assoc *a = conn_ctx;
    if (a != NULL)
        osi_input(a, tsdu, len);
}

static void tuser_writable(void *conn_ctx, struct x400ms_tconn *conn)
{
    (void)conn;
    struct x400ms_assoc *a = conn_ctx;
    if (a != NULL)
        osi_writable(a);
}

static void tuser_disconnected(void *conn_ctx, struct x400ms_tconn *conn, int reason, const char *text)
{
    (void)conn;
    struct x400ms_assoc *a = conn_ctx;
    if (a != NULL)
        osi_lower_gone(a, reason, text);
}

static const struct x400ms_tuser_ops osi_tuser_ops = {
    .size = sizeof(struct x400ms_tuser_ops),
    .connected = tuser_connected,
    .data = tuser_data,
    .writable = tuser_writable,
    .disconnected = tuser_disconnected,
};

int x400ms_osi_register(struct x400ms_core *core, struct x400ms_error *err)
{
    return x400ms_tuser_register(core, "osi", &osi_tuser_ops, core, err);
}

/* ---- initiator ---- */

static void assoc_setup_timeout(struct x400ms_assoc *a)
{
    a->setup_timer = NULL; /* one-shot: the loop freed it */
    osi_hold(a);
    osi_abort(a, X400MS_ABORT_LOCAL, true, "association set-up timed out");
    osi_unhold(a);
}

static size_t req_bytes_len(const struct x400ms_assoc_request *r)
{
    return r->called_tsel.len + r->calling_tsel.len + r->called_ssel.len + r->calling_ssel.len +
           r->called_psel.len + r->calling_psel.len + r->bind_argument.len +
           r->called_ap_title.len;
}

static struct x400ms_bytes req_copy(uint8_t **p, struct x400ms_bytes b)
{
    if (b.len == 0)
        return X400MS_NO_BYTES;
    memcpy(*p, b.ptr, b.len);
    struct x400ms_bytes out = { *p, b.len };
    *p += b.len;
    return out;
}

int x400ms_assoc_connect(struct x400ms_core *core, const struct x400ms_assoc_request *req,
                         struct x400ms_error *err)
{
    if (req == NULL || req->size < offsetof(struct x400ms_assoc_request, reserved) ||
        req->context == NULL || req->confirm == NULL || req->host == NULL || req->port <= 0 ||
        req->port > 65535)
        return x400ms_error_set(err, X400MS_EINVAL,
                                "association request: host, port, context and confirm are required");
    struct x400ms_loop *loop = x400ms_loop_current();
    if (loop == NULL)
        return x400ms_error_set(err, X400MS_ESTATE, "x400ms_assoc_connect: not on a loop thread");
    const char *tname = req->transport ? req->transport : "rfc1006";
    void *tctx = NULL;
    const struct x400ms_transport_ops *t = x400ms_transport_find(core, tname, &tctx);
    if (t == NULL)
        return x400ms_error_set(err, X400MS_ENOENT,
                                "no transport \"%s\": load module %s in the manifest", tname, tname);
    if (req->context->reliable &&
        x400ms_service_find(core, X400MS_SERVICE_OTHER, X400MS_RTSE_SERVICE, NULL) == NULL)
        return x400ms_error_set(err, X400MS_EDEP,
                                "context %s runs over RTSE: load module rtse in the manifest",
                                req->context->oid);

    char peer[96];
    snprintf(peer, sizeof(peer), "%s:%d", req->host, req->port);
    struct x400ms_assoc *a = osi_assoc_new(core, loop, &tuser_lower_ops, NULL, peer, true);
    if (a == NULL)
        return x400ms_error_set(err, X400MS_ENOMEM, "out of memory");
    a->req = *req;
    a->ac = req->context;
    a->ac_ctx = req->ctx;
    snprintf(a->ac_oid, sizeof(a->ac_oid), "%s", req->context->oid);
    size_t n = req_bytes_len(req);
    a->req_bytes = malloc(n ? n : 1);
    if (a->req_bytes == NULL) {
        a->lower_gone = true;
        osi_lower_gone(a, 0, NULL);
        return x400ms_error_set(err, X400MS_ENOMEM, "out of memory");
    }
    uint8_t *p = a->req_bytes;
    a->req.called_tsel = req_copy(&p, req->called_tsel);
    a->req.calling_tsel = req_copy(&p, req->calling_tsel);
    a->req.called_ssel = req_copy(&p, req->called_ssel);
    a->req.calling_ssel = req_copy(&p, req->calling_ssel);
    a->req.called_psel = req_copy(&p, req->called_psel);
    a->req.calling_psel = req_copy(&p, req->calling_psel);
    a->req.bind_argument = req_copy(&p, req->bind_argument);
    a->req.called_ap_title = req_copy(&p, req->called_ap_title);

    struct x400ms_tconnect_args args = {
        .size = sizeof(args),
        .host = req->host,
        .port = (uint16_t)req->port,
        .calling_tsel = a->req.calling_tsel.ptr,
        .calling_tsel_len = a->req.calling_tsel.len,
        .called_tsel = a->req.called_tsel.ptr,
        .called_tsel_len = a->req.called_tsel.len,
        .user_ops = &osi_tuser_ops,
        .user_ctx = core,
        .conn_ctx = a,
        .timeout_ms = req->timeout_ms ? req->timeout_ms : 30000,
    };
    struct x400ms_tconn *conn = NULL;
    int rc = t->connect(tctx, &args, &conn, err);
    if (rc < 0) {
        a->confirmed = true; /* the caller learns it from the return code */
        osi_lower_gone(a, rc, NULL);
        return rc;
    }
    a->lower = conn;
    a->setup_timer = x400ms_timer_add(loop, args.timeout_ms + 1000, false, assoc_setup_timeout, a);
    return 0;
}
