/* Outgoing transport connections: resolve (off the loop), TCP connect
 * (non-blocking), then the stream handshake and CR/CC in conn.c. */
#define X400MS_LOG_MODULE R1_NAME
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "x400ms/log.h"
#include "modules/transport/rfc1006/rfc1006.h"

/* Connects to c->addrs[c->addr_next++]; on failure tries the next one. */
static void start_tcp(struct r1_conn *c)
{
    const struct sockaddr *sa = (const struct sockaddr *)&c->addrs[c->addr_next];
    socklen_t salen = sa->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6)
                                                : sizeof(struct sockaddr_in);
    int fd;

    c->addr_next++;
    r1_format_addr(sa, c->peer, sizeof c->peer);
    fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        r1_conn_fail(c, X400MS_EIO, "socket: %s", strerror(errno));
        return;
    }
    c->fd = fd;
    if (c->filter == NULL)
        c->stream = r1_tcp_stream(fd);
    r1_socket_tune(fd);
    if (connect(fd, sa, salen) == 0) {
        r1_conn_tcp_connected(c);
        return;
    }
    if (errno != EINPROGRESS) {
        r1_conn_fail(c, X400MS_EIO, "connect to %s: %s", c->peer, strerror(errno));
        return;
    }
    c->state = R1_CONNECTING;
    if (r1_conn_watch(c) != 0)
        r1_conn_fail(c, X400MS_EIO, "cannot watch the socket");
}

void r1_connect_on_writable(struct r1_conn *c)
{
    int soerr = 0;
    socklen_t len = sizeof soerr;

    if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &soerr, &len) < 0)
        soerr = errno;
    if (soerr == EINPROGRESS || soerr == EALREADY)
        return;
    if (soerr != 0 && c->addr_next < c->naddrs) {
        /* A name with several addresses (localhost: ::1 and 127.0.0.1): next. */
        x400ms_io_remove(&c->io);
        close(c->fd);
        c->fd = -1;
        c->stream = NULL;
        start_tcp(c);
        return;
    }
    if (soerr != 0) {
        r1_conn_fail(c, soerr == ECONNREFUSED ? X400MS_ECLOSED : X400MS_EIO, "connect to %s: %s",
                     c->peer, strerror(soerr));
        return;
    }
    r1_conn_tcp_connected(c);
}

struct resolve_job {
    struct r1_conn *c;
    char host[256];
    char port[8];
    struct sockaddr_storage addrs[R1_MAX_ADDRS];
    size_t naddrs;
    int rc;
};

static void resolve_done(struct resolve_job *job)
{
    struct r1_conn *c = job->c;

    c->busy++;
    if (c->state == R1_RESOLVING) {
        if (job->rc != 0)
            r1_conn_fail(c, X400MS_EIO, "cannot resolve \"%s\": %s", job->host,
                         gai_strerror(job->rc));
        else {
            memcpy(c->addrs, job->addrs, sizeof c->addrs);
            c->naddrs = job->naddrs;
            start_tcp(c);
        }
    }
    c->busy--;
    r1_conn_settle(c);
    r1_conn_unref(c);
    free(job);
}

static void *resolve_thread(void *arg)
{
    struct resolve_job *job = arg;
    struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
                              .ai_flags = AI_ADDRCONFIG | AI_NUMERICSERV };
    struct addrinfo *ai = NULL;

    job->rc = getaddrinfo(job->host, job->port, &hints, &ai);
    if (job->rc == 0) {
        for (struct addrinfo *a = ai; a && job->naddrs < R1_MAX_ADDRS; a = a->ai_next)
            if (a->ai_addrlen <= sizeof job->addrs[0])
                memcpy(&job->addrs[job->naddrs++], a->ai_addr, a->ai_addrlen);
        freeaddrinfo(ai);
        if (job->naddrs == 0)
            job->rc = EAI_NONAME;
    }
    /* If the loop is gone the daemon is exiting: the job is dropped. */
    if (x400ms_loop_post(job->c->loop, resolve_done, job) != 0)
        free(job);
    return NULL;
}

static int parse_numeric(const char *host, uint16_t port, struct sockaddr_storage *ss)
{
    struct sockaddr_in *in = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

    memset(ss, 0, sizeof *ss);
    if (inet_pton(AF_INET, host, &in->sin_addr) == 1) {
        in->sin_family = AF_INET;
        in->sin_port = htons(port);
        return 0;
    }
    if (inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons(port);
        return 0;
    }
    return -1;
}

int r1_connect(struct r1_engine *eng, const struct x400ms_tconnect_args *args,
               const struct x400ms_tfilter *filter, void *filter_ctx, struct x400ms_tconn **conn_r,
               struct x400ms_error *err)
{
    struct x400ms_loop *loop = x400ms_loop_current();
    const struct x400ms_tuser_ops *user = args->user_ops;
    void *user_ctx = args->user_ctx;
    struct r1_conn *c;

    if (!loop)
        return x400ms_error_set(err, X400MS_ESTATE, "connect: call it on a loop thread");
    if (args->size < sizeof(struct x400ms_tconnect_args) || !args->host || !args->port ||
        strlen(args->host) >= sizeof c->host)
        return x400ms_error_set(err, X400MS_EINVAL, "connect: host and port are required");
    if ((args->calling_tsel && args->calling_tsel_len > X224_TSEL_MAX) ||
        (args->called_tsel && args->called_tsel_len > X224_TSEL_MAX))
        return x400ms_error_set(err, X400MS_EINVAL, "connect: a T-selector is longer than %d "
                                "octets", X224_TSEL_MAX);
    if (args->user) {
        user = x400ms_tuser_find(eng->core, args->user, &user_ctx);
        if (!user)
            return x400ms_error_set(err, X400MS_ENOENT, "connect: no transport user \"%s\"",
                                    args->user);
    }
    if (!user || !user->connected || !user->data || !user->disconnected)
        return x400ms_error_set(err, X400MS_EINVAL, "connect: a transport user with connected, "
                                "data and disconnected is required");
    if (atomic_load(&eng->stopping))
        return x400ms_error_set(err, X400MS_ESTATE, "connect: the daemon is stopping");
    if (atomic_fetch_add(&eng->nconns, 1) >= (unsigned)eng->cfg.max_connections) {
        atomic_fetch_sub(&eng->nconns, 1);
        return x400ms_error_set(err, X400MS_ELIMIT, "connect: max_connections %lld reached",
                                eng->cfg.max_connections);
    }
    c = r1_conn_new(eng, loop, -1, false, filter, filter_ctx);
    if (!c) {
        atomic_fetch_sub(&eng->nconns, 1);
        return x400ms_error_set(err, X400MS_ENOMEM, "connect: out of memory");
    }
    c->user = user;
    c->user_ctx = user_ctx;
    c->pub.user_ctx = args->conn_ctx;
    c->user_attached = true; /* from now on, failure is told by disconnected() */
    c->local_tsel.present = args->calling_tsel != NULL;
    c->local_tsel.len = args->calling_tsel ? args->calling_tsel_len : 0;
    if (c->local_tsel.len)
        memcpy(c->local_tsel.bytes, args->calling_tsel, c->local_tsel.len);
    c->remote_tsel.present = args->called_tsel != NULL;
    c->remote_tsel.len = args->called_tsel ? args->called_tsel_len : 0;
    if (c->remote_tsel.len)
        memcpy(c->remote_tsel.bytes, args->called_tsel, c->remote_tsel.len);
    snprintf(c->host, sizeof c->host, "%s", args->host);
    snprintf(c->server_name, sizeof c->server_name, "%s",
             args->server_name ? args->server_name : "");
    c->port = args->port;
    c->establish_ms = args->timeout_ms;
    snprintf(c->peer, sizeof c->peer, "%.40s:%u", args->host, args->port);
    c->state = R1_RESOLVING;
    if (conn_r)
        *conn_r = &c->pub;

    /* Failures from here on reach the user through disconnected(), later. */
    c->user_calls++;
    r1_conn_arm_timer(c);
    if (parse_numeric(args->host, args->port, &c->addrs[0]) == 0) {
        c->naddrs = 1;
        start_tcp(c);
    } else {
        struct resolve_job *job = calloc(1, sizeof *job);
        pthread_t tid;
        pthread_attr_t attr;

        if (!job) {
            r1_conn_fail(c, X400MS_ENOMEM, "out of memory");
        } else {
            job->c = c;
            snprintf(job->host, sizeof job->host, "%s", args->host);
            snprintf(job->port, sizeof job->port, "%u", args->port);
            r1_conn_ref(c);
            pthread_attr_init(&attr);
            pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
            if (pthread_create(&tid, &attr, resolve_thread, job) != 0) {
                r1_conn_unref(c);
                free(job);
                r1_conn_fail(c, X400MS_EIO, "cannot start the resolver thread");
            }
            pthread_attr_destroy(&attr);
        }
    }
    r1_conn_settle(c);
    c->user_calls--;
    return 0;
}
