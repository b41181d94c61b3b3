/* x400ms public API: the transport service (DESIGN.md section 1).
 *
 * The session layer sits on a transport connection: RFC 1006 (TPKT) over TCP,
 * X.224 class 0, optionally inside TLS. This header has four parts:
 *
 *   1. struct x400ms_tconn: one established (or establishing) transport
 *      connection, as its user sees it: send a whole TSDU, close, peer text,
 *      T-selectors, its loop, a context pointer for the user.
 *   2. struct x400ms_tuser_ops: a transport user (the OSI stack "osi", a test
 *      echo user ...), a named service that listeners hand connections to.
 *   3. struct x400ms_transport_ops: a transport provider ("rfc1006", "tls"),
 *      a service that opens outgoing connections (the P3 initiator uses it).
 *   4. Stream filters and the RFC 1006 engine: how the tls module puts TLS
 *      under rfc1006's TPKT/X.224 code without copying it (OpenLDAP's
 *      Sockbuf_IO layering: TCP, then TLS, then framing).
 *
 * Threading: a connection lives on one loop thread (loop.h). Every function
 * on a connection, and every callback about it, runs on that thread.
 * Callbacks may call any function on the same connection, including
 * x400ms_tconn_close; the connection object stays valid until the
 * disconnected() callback has returned, and must not be used after it. */
#ifndef X400MS_TRANSPORT_H
#define X400MS_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>
#include <jansson.h>
#include "x400ms/core.h"
#include "x400ms/error.h"
#include "x400ms/loop.h"

struct x400ms_tconn;

/* ---- 1. The transport connection --------------------------------------- */

/* Implemented by the transport provider; users call the inline wrappers. */
struct x400ms_tconn_ops {
    size_t size;
    int (*sendv)(struct x400ms_tconn *c, const struct iovec *iov, int iovcnt);
    void (*close)(struct x400ms_tconn *c, bool flush);
    const char *(*peer)(const struct x400ms_tconn *c);
    const uint8_t *(*tsel)(const struct x400ms_tconn *c, bool local, size_t *len_r);
    struct x400ms_loop *(*loop)(const struct x400ms_tconn *c);
    size_t (*queued)(const struct x400ms_tconn *c);
    size_t (*tpdu_size)(const struct x400ms_tconn *c);
    const char *(*transport)(const struct x400ms_tconn *c);
    bool (*inbound)(const struct x400ms_tconn *c);
};

/* The part of a connection its user may see. The provider embeds it first in
 * its own connection struct. */
struct x400ms_tconn {
    const struct x400ms_tconn_ops *ops;
    void *user_ctx; /* the user's per-connection context (x400ms_tconn_ctx) */
};

/* Sends one TSDU: the provider segments it into DT TPDUs of the negotiated
 * TPDU size, EOT on the last one (X.224 13.7), and queues them. Never blocks:
 * bytes the socket does not take at once are written when it becomes
 * writable. A zero-length TSDU is sent as one empty DT with EOT.
 * Returns 0 (queued; the TSDU is copied, the caller keeps its buffer),
 * X400MS_EAGAIN when the output queue is already at its bound (nothing was
 * queued: wait for the user's writable() callback and send again),
 * X400MS_ECLOSED once the connection is closing or not yet established,
 * X400MS_ELIMIT when len exceeds the provider's max_tsdu. While the output
 * queue is at its bound the provider also stops reading from the peer (an
 * echoing user cannot be made to buffer without limit). */
static inline int x400ms_tconn_send(struct x400ms_tconn *c, const void *tsdu, size_t len)
{
    struct iovec iov = { (void *)tsdu, len };
    return c->ops->sendv(c, &iov, 1);
}

/* The same, for a TSDU given in pieces (e.g. an SPDU header and user data);
 * the pieces are concatenated into one TSDU. */
static inline int x400ms_tconn_sendv(struct x400ms_tconn *c, const struct iovec *iov, int iovcnt)
{
    return c->ops->sendv(c, iov, iovcnt);
}

/* Class 0 disconnect (X.224 6.6: release of the network connection): writes
 * what is queued (bounded by a few seconds), then closes TCP. The user's
 * disconnected() is called once, with reason 0, from the loop (never from
 * inside this call). Idempotent. */
static inline void x400ms_tconn_close(struct x400ms_tconn *c)
{
    c->ops->close(c, true);
}

/* Closes at once, dropping queued output (an abort). Same callback rule. */
static inline void x400ms_tconn_abort(struct x400ms_tconn *c)
{
    c->ops->close(c, false);
}

/* The peer's address for log lines, e.g. "127.0.0.1:40112" or "[::1]:102". */
static inline const char *x400ms_tconn_peer(const struct x400ms_tconn *c)
{
    return c->ops->peer(c);
}

/* The local (called, for an inbound connection) and remote (calling)
 * T-selectors as they travelled in the CR; NULL with *len_r = 0 when absent. */
static inline const uint8_t *x400ms_tconn_local_tsel(const struct x400ms_tconn *c, size_t *len_r)
{
    return c->ops->tsel(c, true, len_r);
}
static inline const uint8_t *x400ms_tconn_remote_tsel(const struct x400ms_tconn *c, size_t *len_r)
{
    return c->ops->tsel(c, false, len_r);
}

/* The loop whose thread the connection lives on. */
static inline struct x400ms_loop *x400ms_tconn_loop(const struct x400ms_tconn *c)
{
    return c->ops->loop(c);
}

/* Octets queued for output (framing included). */
static inline size_t x400ms_tconn_queued(const struct x400ms_tconn *c)
{
    return c->ops->queued(c);
}

/* The negotiated maximum TPDU size (X.224 13.3.4 b), 128..65531. */
static inline size_t x400ms_tconn_tpdu_size(const struct x400ms_tconn *c)
{
    return c->ops->tpdu_size(c);
}

/* The provider's name: "rfc1006" or "tls". */
static inline const char *x400ms_tconn_transport(const struct x400ms_tconn *c)
{
    return c->ops->transport(c);
}

/* True for a connection a listener accepted, false for an outgoing one. */
static inline bool x400ms_tconn_inbound(const struct x400ms_tconn *c)
{
    return c->ops->inbound(c);
}

/* The user's per-connection context. */
static inline void *x400ms_tconn_ctx(const struct x400ms_tconn *c)
{
    return c->user_ctx;
}
static inline void x400ms_tconn_set_ctx(struct x400ms_tconn *c, void *ctx)
{
    c->user_ctx = ctx;
}

/* ---- 2. Transport users ------------------------------------------------ */

/* A transport user. `user_ctx` is the ctx given at registration (or in the
 * connect arguments); `conn_ctx` is x400ms_tconn_ctx(conn). */
struct x400ms_tuser_ops {
    size_t size; /* sizeof(struct x400ms_tuser_ops) */
    /* The connection is established. Inbound: a valid CR arrived and passed
     * the listener's T-selector check; the CC is sent after this returns 0.
     * Outbound: the CC arrived. Return 0 to accept (and set the conn context
     * with x400ms_tconn_set_ctx), or a negative code to refuse: inbound, the
     * provider answers DR (X400MS_ELIMIT: reason congestion, X400MS_ENOENT:
     * address unknown, else unspecified) and closes; outbound, it closes.
     * Sending from inside connected() is allowed (queued behind the CC). */
    int (*connected)(void *user_ctx, struct x400ms_tconn *conn);
    /* One complete TSDU (DT TPDUs reassembled up to EOT). The bytes are the
     * provider's, valid only during the call. */
    void (*data)(void *conn_ctx, struct x400ms_tconn *conn, const uint8_t *tsdu, size_t len);
    /* Optional: the output queue fell below half its bound after a send
     * returned X400MS_EAGAIN. */
    void (*writable)(void *conn_ctx, struct x400ms_tconn *conn);
    /* The connection is gone; called exactly once per connection whose
     * connected() returned 0, and for an outbound connection that failed
     * before (then conn_ctx is the conn_ctx of the connect arguments).
     * reason: 0 after x400ms_tconn_close/abort, X400MS_ECLOSED peer closed
     * TCP, X400MS_EPROTO protocol error (ER sent or received), X400MS_EPERM
     * the peer refused the CR (DR), X400MS_ELIMIT a limit was exceeded,
     * X400MS_ETIMEDOUT idle or connect timeout, X400MS_EIO socket or TLS
     * failure, X400MS_ESTATE the daemon is stopping. text says more, for logs. */
    void (*disconnected)(void *conn_ctx, struct x400ms_tconn *conn, int reason, const char *text);
};

#define X400MS_TUSER_PREFIX "tsuser:"

/* Registers a transport user under "tsuser:NAME" (X400MS_SERVICE_OTHER).
 * Listeners name their user in the config ("user", default "osi"). During
 * init() only; ops and ctx live until the module's fini(). */
static inline int x400ms_tuser_register(struct x400ms_core *core, const char *name,
                                        const struct x400ms_tuser_ops *ops, void *ctx,
                                        struct x400ms_error *err)
{
    char key[128];
    size_t n = 0;
    for (const char *p = X400MS_TUSER_PREFIX; *p; p++)
        key[n++] = *p;
    for (const char *p = name; *p && n + 1 < sizeof key; p++)
        key[n++] = *p;
    key[n] = '\0';
    return x400ms_service_register(core, X400MS_SERVICE_OTHER, key, ops, ctx, err);
}

/* The transport user registered as NAME, or NULL; *ctx_r gets its ctx. */
static inline const struct x400ms_tuser_ops *x400ms_tuser_find(const struct x400ms_core *core,
                                                               const char *name, void **ctx_r)
{
    char key[128];
    size_t n = 0;
    for (const char *p = X400MS_TUSER_PREFIX; *p; p++)
        key[n++] = *p;
    for (const char *p = name; *p && n + 1 < sizeof key; p++)
        key[n++] = *p;
    key[n] = '\0';
    return (const struct x400ms_tuser_ops *)x400ms_service_find(core, X400MS_SERVICE_OTHER, key,
                                                                ctx_r);
}

/* ---- 3. Transport providers (outgoing connections) --------------------- */

/* What an outgoing connection needs. Zero what you do not use. */
struct x400ms_tconnect_args {
    size_t size;          /* sizeof(struct x400ms_tconnect_args) */
    const char *host;     /* numeric address or host name (resolved off the loop) */
    uint16_t port;
    const uint8_t *calling_tsel, *called_tsel; /* NULL: parameter absent from the CR */
    size_t calling_tsel_len, called_tsel_len;  /* <= 32 each */
    /* The user: the registered user called `user`, or, when user is NULL,
     * user_ops with user_ctx. */
    const char *user;
    const struct x400ms_tuser_ops *user_ops;
    void *user_ctx;
    void *conn_ctx;       /* initial x400ms_tconn_ctx of the connection */
    unsigned timeout_ms;  /* TCP + TLS + CR/CC; 0: 30 s */
    /* TLS only: the name to verify the server certificate against (and to
     * send as SNI); NULL: host. */
    const char *server_name;
};

struct x400ms_transport_ops {
    size_t size; /* sizeof(struct x400ms_transport_ops) */
    /* Opens an outgoing transport connection: TCP (then TLS), then CR, and
     * waits for CC; never blocks. Must be called on a loop thread; the
     * connection lives on that loop. On success returns 0 and (when conn_r is
     * not NULL) the connection, whose user gets connected() when the CC
     * arrives or disconnected() when anything fails; x400ms_tconn_close may
     * cancel it before. Returns a negative code (nothing was started, no
     * callback comes) for bad arguments, an unknown user, a non-loop thread
     * or the connection limit. */
    int (*connect)(void *transport_ctx, const struct x400ms_tconnect_args *args,
                   struct x400ms_tconn **conn_r, struct x400ms_error *err);
};

/* The transport provider NAME ("rfc1006", "tls"), or NULL; *ctx_r gets the
 * ctx to pass to its connect. */
static inline const struct x400ms_transport_ops *x400ms_transport_find(
    const struct x400ms_core *core, const char *name, void **ctx_r)
{
    return (const struct x400ms_transport_ops *)x400ms_service_find(
        core, X400MS_SERVICE_TRANSPORT, name, ctx_r);
}

/* ---- 4. Stream filters and the RFC 1006 engine ------------------------- */

/* A byte stream under TPKT on a connected, non-blocking socket (the plain
 * TCP stream is built into rfc1006; tls provides another). Every call is
 * non-blocking: when a call cannot proceed it returns X400MS_EAGAIN and sets
 * *want to X400MS_IO_READ or X400MS_IO_WRITE, the socket readiness to wait
 * for (a TLS read may need the socket writable, and a write readable). */
struct x400ms_tstream_ops {
    size_t size;
    /* Drives the stream's own handshake. 0 when done, X400MS_EAGAIN, or a
     * negative code with err saying why (e.g. the certificate error). */
    int (*handshake)(void *stream, unsigned *want, struct x400ms_error *err);
    /* > 0: octets read; 0: orderly end of stream; X400MS_EAGAIN; < 0 error. */
    long (*read)(void *stream, void *buf, size_t len, unsigned *want, struct x400ms_error *err);
    /* > 0: octets written (may be fewer than len); X400MS_EAGAIN; < 0 error. */
    long (*write)(void *stream, const void *buf, size_t len, unsigned *want,
                  struct x400ms_error *err);
    /* Octets the stream holds already decoded, readable without the socket
     * becoming readable (TLS records); 0 if none. */
    size_t (*pending)(void *stream);
    /* Best-effort non-blocking end of stream (TLS close_notify) and free. The
     * engine closes the socket afterwards. */
    void (*close)(void *stream);
    /* Optional: a short description for log lines ("TLSv1.3 TLS_AES_256_GCM_SHA384"). */
    const char *(*describe)(void *stream);
};

/* A stream filter: wraps a connected socket into a stream. */
struct x400ms_tfilter {
    size_t size;
    const char *name; /* transport name reported by x400ms_tconn_transport: "tls" */
    const struct x400ms_tstream_ops *stream_ops;
    /* Creates the stream state for fd. server: the engine accepted fd;
     * otherwise server_name is the name to verify the peer against. */
    int (*open)(void *filter_ctx, int fd, bool server, const char *server_name, void **stream_r,
                struct x400ms_error *err);
};

#define X400MS_TENGINE_SERVICE "rfc1006:engine"

/* The RFC 1006 engine, registered by the rfc1006 module as
 * (X400MS_SERVICE_OTHER, X400MS_TENGINE_SERVICE). Limits (max_tsdu,
 * max_connections, idle_timeout, tpdu_size) are rfc1006's configuration and
 * hold for the connections of every filter. */
struct x400ms_tengine_ops {
    size_t size;
    /* During init(): validates a "listen" array (the same entries rfc1006's
     * config takes: address, port, tselector, user) at JSON path `path`, and
     * records the listeners, opened with the filter by rfc1006's start().
     * filter NULL: plain TCP. */
    int (*add_listeners)(void *engine, const json_t *listen, const char *path,
                         const struct x400ms_tfilter *filter, void *filter_ctx,
                         struct x400ms_error *err);
    /* x400ms_transport_ops.connect through the filter (NULL: plain TCP). */
    int (*connect)(void *engine, const struct x400ms_tconnect_args *args,
                   const struct x400ms_tfilter *filter, void *filter_ctx,
                   struct x400ms_tconn **conn_r, struct x400ms_error *err);
};

#endif
