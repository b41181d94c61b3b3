/* modules/transport/rfc1006: internal declarations shared by its files.
 *
 * One engine per daemon (the module's state) owns the listeners and counts
 * the connections. A connection (struct r1_conn) lives on one loop thread and
 * stacks: socket -> stream (plain TCP, or a filter such as TLS) -> TPKT
 * reassembly (RFC 1006) -> X.224 class 0 state machine -> transport user. */
#ifndef X400MS_RFC1006_H
#define X400MS_RFC1006_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include "asn1/tpkt.h"
#include "x400ms/core.h"
#include "x400ms/error.h"
#include "x400ms/loop.h"
#include "x400ms/transport.h"

#define R1_NAME "rfc1006"
#define R1_MAX_ADDRS 4

/* The module's configuration (module.c parses it). */
struct r1_config {
    const json_t *listen;
    long long max_tsdu;        /* octets of one reassembled TSDU, either direction */
    long long max_connections; /* inbound + outbound, every filter */
    long long idle_timeout;    /* seconds without input before closing */
    long long connect_timeout; /* seconds for TCP + TLS + CR/CC */
    long long pdu_timeout;     /* seconds a partial TPKT/TSDU may stay incomplete */
    long long tpdu_size;       /* largest TPDU accepted and proposed, 128..65531 */
    long long max_output;      /* output queue bound in octets (flow control) */
};

/* A T-selector: at most 32 octets (X224_TSEL_MAX). */
struct r1_tsel {
    bool present;
    size_t len;
    uint8_t bytes[X224_TSEL_MAX];
};

struct r1_engine;

struct r1_listener {
    struct r1_engine *eng;
    char path[96];      /* "modules[0].config.listen[1]", for messages */
    char address[64];
    int port;
    struct r1_tsel tsel;
    const char *user_name;
    const struct x400ms_tuser_ops *user; /* found in start() */
    void *user_ctx;
    const struct x400ms_tfilter *filter; /* NULL: plain TCP */
    void *filter_ctx;
    int fd;
    struct x400ms_loop *loop;
    struct x400ms_io *io;
    struct x400ms_timer *pause; /* accept paused after EMFILE */
};

struct r1_engine {
    struct x400ms_core *core;
    struct r1_config cfg;
    size_t max_tpkt; /* cfg.tpdu_size + TPKT header */
    struct r1_listener **listeners;
    size_t nlisteners;
    atomic_uint nconns;
    atomic_bool stopping;
    pthread_mutex_t lock; /* conns list and sync waits */
    pthread_cond_t cond;
    struct r1_conn *conns;
};

enum r1_state {
    R1_RESOLVING,  /* outbound: host name lookup on a helper thread */
    R1_CONNECTING, /* outbound: TCP connect in progress */
    R1_HANDSHAKE,  /* stream (TLS) handshake */
    R1_WAIT_CR,    /* inbound: waiting for the CR */
    R1_WAIT_CC,    /* outbound: CR sent, waiting for the CC */
    R1_OPEN,       /* data transfer */
    R1_CLOSING,    /* flushing output, then close */
    R1_DEAD,       /* socket closed, user told; freed when the last ref goes */
};

struct r1_conn {
    struct x400ms_tconn pub; /* first: what the user sees */
    struct r1_engine *eng;
    struct x400ms_loop *loop;
    struct r1_conn *prev, *next; /* engine list, under eng->lock */
    unsigned refs;
    enum r1_state state;
    bool inbound;
    bool user_attached;  /* disconnected() is owed to the user */
    bool out_blocked;    /* a send returned EAGAIN: writable() is owed */
    bool read_paused;    /* output over its bound: not reading */
    bool finish_posted;
    int busy;            /* depth of our own handlers on the stack */
    int user_calls;      /* depth of the user's calls into us (send, close) */

    int fd;
    struct x400ms_io *io;
    unsigned io_events;
    unsigned read_want, write_want, hs_want;
    struct x400ms_timer *timer;
    uint64_t last_input_ms, created_ms;
    /* When the TPKT/TSDU now incomplete began (0: none pending). Input that
     * trickles in resets last_input_ms, so this bounds a slowloris. */
    uint64_t partial_since_ms;
    unsigned establish_ms; /* outbound: the caller's timeout; 0: connect_timeout */

    const struct x400ms_tfilter *filter;
    const struct x400ms_tstream_ops *sops;
    void *stream;
    void *filter_ctx;

    const struct r1_listener *listener;       /* inbound */
    const struct x400ms_tuser_ops *user;
    void *user_ctx;
    char peer[64];
    char server_name[256];                    /* outbound: TLS name */
    char host[256];                           /* outbound: for the resolver */
    uint16_t port;
    struct sockaddr_storage addrs[R1_MAX_ADDRS]; /* outbound: tried in order */
    size_t naddrs, addr_next;

    uint16_t local_ref, remote_ref;
    size_t tpdu_size;
    struct r1_tsel local_tsel, remote_tsel;

    uint8_t *in;    size_t in_len, in_cap;
    uint8_t *tsdu;  size_t tsdu_len, tsdu_cap;
    uint8_t *out;   size_t out_head, out_len, out_cap;

    int close_reason;
    char close_text[200];
};

/* conn.c */
struct r1_conn *r1_conn_new(struct r1_engine *eng, struct x400ms_loop *loop, int fd, bool inbound,
                            const struct x400ms_tfilter *filter, void *filter_ctx);
/* Starts an accepted connection (stream handshake or wait for CR). */
void r1_conn_start_inbound(struct r1_conn *c, const struct r1_listener *l);
/* The TCP connection of an outbound conn is up: stream handshake or CR. */
void r1_conn_tcp_connected(struct r1_conn *c);
/* Closes with a reason (0 normal) and a text, telling the user. */
void r1_conn_fail(struct r1_conn *c, int reason, const char *fmt, ...) X400MS_PRINTF(3, 4);
void r1_conn_ref(struct r1_conn *c);
void r1_conn_unref(struct r1_conn *c);
int r1_conn_set_events(struct r1_conn *c, unsigned events);
/* Registers the socket with the loop for the events the state needs. */
int r1_conn_watch(struct r1_conn *c);
/* After a handler: write what is queued, finish a close, update events. */
void r1_conn_settle(struct r1_conn *c);
void r1_conn_arm_timer(struct r1_conn *c);

/* connect.c */
int r1_connect(struct r1_engine *eng, const struct x400ms_tconnect_args *args,
               const struct x400ms_tfilter *filter, void *filter_ctx, struct x400ms_tconn **conn_r,
               struct x400ms_error *err);
void r1_connect_on_writable(struct r1_conn *c);

/* listener.c */
int r1_listeners_add(struct r1_engine *eng, const json_t *listen, const char *path,
                     const struct x400ms_tfilter *filter, void *filter_ctx,
                     struct x400ms_error *err);
int r1_listeners_open(struct r1_engine *eng, struct x400ms_error *err);
void r1_listeners_close(struct r1_engine *eng);
void r1_listeners_free(struct r1_engine *eng);
/* Runs fn(arg) on loop's thread and waits for it (at most timeout_ms). */
int r1_run_on_loop(struct r1_engine *eng, struct x400ms_loop *loop, void (*fn)(void *), void *arg,
                   unsigned timeout_ms);

/* tsel.c */
/* Parses a configured T-selector: 'HEX'H or 0xHEX for octets, else the text. */
int r1_tsel_parse(const char *text, struct r1_tsel *out, const char *path, struct x400ms_error *err);
/* Printable form for log lines: text when printable, else 'HEX'H. */
const char *r1_tsel_format(const uint8_t *bytes, size_t len, char *buf, size_t cap);

/* stream_tcp.c: the plain TCP stream; its state is the fd itself. */
extern const struct x400ms_tstream_ops r1_tcp_stream_ops;
void *r1_tcp_stream(int fd);
/* "127.0.0.1:40112" / "[::1]:102" */
void r1_format_addr(const struct sockaddr *sa, char *buf, size_t cap);
/* Non-blocking, close-on-exec, TCP_NODELAY. */
int r1_socket_tune(int fd);

#endif
