/* Listeners: configuration entries, bind in start(), accept on a loop thread
 * and hand each connection to the next loop (x400ms_core_next_loop). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* accept4 */
#endif
#define X400MS_LOG_MODULE R1_NAME
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "x400ms/config.h"
#include "x400ms/log.h"
#include "modules/transport/rfc1006/rfc1006.h"

#define R1_ACCEPT_BATCH 64
#define R1_ACCEPT_PAUSE_MS 100
#define R1_STOP_WAIT_MS 3000

struct listen_entry {
    const char *address;
    long long port;
    const char *tselector;
    const char *user;
};

static const struct x400ms_cfg_spec listen_spec[] = {
    { "address", X400MS_CFG_STRING, X400MS_CFG_NONEMPTY, offsetof(struct listen_entry, address),
      .def_str = "127.0.0.1", .help = "IPv4 or IPv6 address to listen on" },
    { "port", X400MS_CFG_INT, X400MS_CFG_REQUIRED, offsetof(struct listen_entry, port), .min = 1,
      .max = 65535, .help = "TCP port (RFC 1006 uses 102)" },
    { "tselector", X400MS_CFG_STRING, X400MS_CFG_NONEMPTY, offsetof(struct listen_entry, tselector),
      .help = "T-selector the CR must call: text, 'HEX'H or 0xHEX; absent: any" },
    { "user", X400MS_CFG_STRING, X400MS_CFG_NONEMPTY, offsetof(struct listen_entry, user),
      .def_str = "osi", .help = "transport user the connections go to" },
    X400MS_CFG_END
};

int r1_listeners_add(struct r1_engine *eng, const json_t *listen, const char *path,
                     const struct x400ms_tfilter *filter, void *filter_ctx,
                     struct x400ms_error *err)
{
    size_t i;
    const json_t *item;

    if (!listen)
        return 0;
    if (!json_is_array(listen))
        return x400ms_error_set(err, X400MS_EINVAL, "%s: expected an array of listeners", path);
    json_array_foreach(listen, i, item) {
        struct listen_entry e = { 0 };
        struct r1_listener *l, **grown;
        char epath[96];
        int rc;

        snprintf(epath, sizeof epath, "%s[%zu]", path, i);
        if (!json_is_object(item))
            return x400ms_error_set(err, X400MS_EINVAL, "%s: expected an object with address, "
                                    "port, tselector, user", epath);
        rc = x400ms_config_parse(item, epath, listen_spec, &e, err);
        if (rc)
            return rc;
        l = calloc(1, sizeof *l);
        if (!l)
            return x400ms_error_set(err, X400MS_ENOMEM, "%s: out of memory", epath);
        l->eng = eng;
        l->fd = -1;
        snprintf(l->path, sizeof l->path, "%s", epath);
        if (strlen(e.address) >= sizeof l->address) {
            free(l);
            return x400ms_error_set(err, X400MS_EINVAL, "%s.address: too long", epath);
        }
        snprintf(l->address, sizeof l->address, "%s", e.address);
        l->port = (int)e.port;
        l->user_name = e.user;
        l->filter = filter;
        l->filter_ctx = filter_ctx;
        if (e.tselector) {
            char tpath[120];
            snprintf(tpath, sizeof tpath, "%s.tselector", epath);
            rc = r1_tsel_parse(e.tselector, &l->tsel, tpath, err);
            if (rc) {
                free(l);
                return rc;
            }
        }
        grown = realloc(eng->listeners, (eng->nlisteners + 1) * sizeof *grown);
        if (!grown) {
            free(l);
            return x400ms_error_set(err, X400MS_ENOMEM, "%s: out of memory", epath);
        }
        eng->listeners = grown;
        eng->listeners[eng->nlisteners++] = l;
    }
    return 0;
}

/* ---- running a function on a loop thread and waiting for it ------------ */

struct sync_task {
    struct r1_engine *eng;
    void (*fn)(void *);
    void *arg;
    bool done, abandoned;
};

static void sync_task_run(struct sync_task *t)
{
    struct r1_engine *eng = t->eng;
    bool free_it;

    t->fn(t->arg);
    pthread_mutex_lock(&eng->lock);
    t->done = true;
    free_it = t->abandoned;
    pthread_cond_broadcast(&eng->cond);
    pthread_mutex_unlock(&eng->lock);
    if (free_it)
        free(t);
}

static void deadline_after(struct timespec *ts, unsigned ms)
{
    clock_gettime(CLOCK_REALTIME, ts);
    ts->tv_sec += ms / 1000;
    ts->tv_nsec += (long)(ms % 1000) * 1000000L;
    if (ts->tv_nsec >= 1000000000L) {
        ts->tv_sec++;
        ts->tv_nsec -= 1000000000L;
    }
}

int r1_run_on_loop(struct r1_engine *eng, struct x400ms_loop *loop, void (*fn)(void *), void *arg,
                   unsigned timeout_ms)
{
    struct sync_task *t;
    struct timespec deadline;
    int rc = 0;

    if (x400ms_loop_current() == loop) {
        fn(arg);
        return 0;
    }
    t = calloc(1, sizeof *t);
    if (!t)
        return X400MS_ENOMEM;
    t->eng = eng;
    t->fn = fn;
    t->arg = arg;
    if (x400ms_loop_post(loop, sync_task_run, t) != 0) {
        free(t);
        return X400MS_ESTATE;
    }
    deadline_after(&deadline, timeout_ms);
    pthread_mutex_lock(&eng->lock);
    while (!t->done && rc == 0)
        if (pthread_cond_timedwait(&eng->cond, &eng->lock, &deadline) == ETIMEDOUT)
            rc = X400MS_ETIMEDOUT;
    if (t->done)
        rc = 0;
    else
        t->abandoned = true;
    pthread_mutex_unlock(&eng->lock);
    if (rc == 0)
        free(t);
    return rc;
}

/* ---- accepting ---------------------------------------------------------- */

struct accept_task {
    struct r1_listener *l;
    int fd;
    char peer[64];
};

static void accept_task_run(struct accept_task *t)
{
    struct r1_listener *l = t->l;
    struct r1_engine *eng = l->eng;
    struct x400ms_loop *loop = x400ms_loop_current();
    struct r1_conn *c = NULL;

    if (!atomic_load(&eng->stopping) && loop)
        c = r1_conn_new(eng, loop, t->fd, true, l->filter, l->filter_ctx);
    if (!c) {
        close(t->fd);
        atomic_fetch_sub(&eng->nconns, 1);
    } else {
        snprintf(c->peer, sizeof c->peer, "%s", t->peer);
        r1_conn_start_inbound(c, l);
    }
    free(t);
}

static void listener_resume(struct r1_listener *l)
{
    l->pause = NULL;
    if (l->io)
        x400ms_io_modify(l->io, X400MS_IO_READ);
}

static void listener_on_accept(struct r1_listener *l, int fd, unsigned events)
{
    struct r1_engine *eng = l->eng;

    (void)fd, (void)events;
    for (int i = 0; i < R1_ACCEPT_BATCH; i++) {
        struct sockaddr_storage ss;
        socklen_t sl = sizeof ss;
        struct accept_task *t;
        struct x400ms_loop *loop;
        char peer[64];
        unsigned n;
        int cfd = accept4(l->fd, (struct sockaddr *)&ss, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);

        if (cfd < 0) {
            if (errno == EINTR || errno == ECONNABORTED || errno == EPROTO)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return;
            /* Out of descriptors or memory: level-triggered readiness would
             * spin, so stop watching for a moment. */
            X400MS_LOG_E("%s:%d: accept: %s; pausing accepts for %d ms", l->address, l->port,
                         strerror(errno), R1_ACCEPT_PAUSE_MS);
            x400ms_io_modify(l->io, 0);
            if (!l->pause)
                l->pause = x400ms_timer_add(l->loop, R1_ACCEPT_PAUSE_MS, false, listener_resume, l);
            return;
        }
        r1_format_addr((struct sockaddr *)&ss, peer, sizeof peer);
        n = atomic_fetch_add(&eng->nconns, 1);
        if (n >= (unsigned)eng->cfg.max_connections || atomic_load(&eng->stopping)) {
            atomic_fetch_sub(&eng->nconns, 1);
            X400MS_LOG_W("peer %s: connection refused: max_connections %lld reached", peer,
                         eng->cfg.max_connections);
            close(cfd);
            continue;
        }
        if (r1_socket_tune(cfd) != 0)
            X400MS_LOG_W("peer %s: cannot set TCP_NODELAY: %s", peer, strerror(errno));
        t = malloc(sizeof *t);
        if (!t) {
            atomic_fetch_sub(&eng->nconns, 1);
            close(cfd);
            continue;
        }
        t->l = l;
        t->fd = cfd;
        memcpy(t->peer, peer, sizeof peer);
        loop = x400ms_core_next_loop(eng->core);
        if (!loop || loop == l->loop) {
            accept_task_run(t);
        } else if (x400ms_loop_post(loop, accept_task_run, t) != 0) {
            atomic_fetch_sub(&eng->nconns, 1);
            close(cfd);
            free(t);
        }
    }
}

static void listener_watch(struct r1_listener *l)
{
    l->io = x400ms_io_add(l->loop, l->fd, X400MS_IO_READ, listener_on_accept, l);
    if (!l->io)
        X400MS_LOG_E("%s: cannot watch the listening socket of %s:%d", l->path, l->address,
                     l->port);
}

static int listener_open(struct r1_engine *eng, struct r1_listener *l, struct x400ms_error *err)
{
    struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
                              .ai_flags = AI_PASSIVE | AI_NUMERICSERV };
    struct addrinfo *ai = NULL;
    char port[8];
    int one = 1, rc;

    l->user = x400ms_tuser_find(eng->core, l->user_name, &l->user_ctx);
    if (!l->user)
        return x400ms_error_set(err, X400MS_ENOENT, "%s.user: no transport user \"%s\" is "
                                "registered (load the module that provides it)", l->path,
                                l->user_name);
    if (l->user->size < sizeof(struct x400ms_tuser_ops) || !l->user->connected ||
        !l->user->data || !l->user->disconnected)
        return x400ms_error_set(err, X400MS_EINVAL, "%s.user: transport user \"%s\" lacks "
                                "connected/data/disconnected", l->path, l->user_name);
    snprintf(port, sizeof port, "%d", l->port);
    rc = getaddrinfo(l->address, port, &hints, &ai);
    if (rc != 0)
        return x400ms_error_set(err, X400MS_EINVAL, "%s.address: cannot resolve \"%s\": %s",
                                l->path, l->address, gai_strerror(rc));
    l->fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (l->fd < 0 || setsockopt(l->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
        bind(l->fd, ai->ai_addr, ai->ai_addrlen) < 0 || listen(l->fd, 1024) < 0) {
        rc = errno;
        freeaddrinfo(ai);
        if (l->fd >= 0)
            close(l->fd);
        l->fd = -1;
        return x400ms_error_set(err, X400MS_EIO, "%s: cannot listen on %s:%d: %s", l->path,
                                l->address, l->port, strerror(rc));
    }
    freeaddrinfo(ai);
    /* Accept on the first loop; connections spread over all of them. */
    l->loop = x400ms_core_loop(eng->core, 0);
    if (!l->loop || x400ms_loop_post(l->loop, listener_watch, l) != 0) {
        close(l->fd);
        l->fd = -1;
        return x400ms_error_set(err, X400MS_ESTATE, "%s: no loop to accept on", l->path);
    }
    X400MS_LOG_N("listening on %s:%d%s%s (user %s)", l->address, l->port,
                 l->filter ? " with " : "", l->filter ? l->filter->name : "", l->user_name);
    return 0;
}

int r1_listeners_open(struct r1_engine *eng, struct x400ms_error *err)
{
    for (size_t i = 0; i < eng->nlisteners; i++) {
        int rc = listener_open(eng, eng->listeners[i], err);
        if (rc)
            return rc;
    }
    return 0;
}

static void listener_unwatch(void *arg)
{
    struct r1_listener *l = arg;

    x400ms_io_remove(&l->io);
    x400ms_timer_remove(&l->pause);
    if (l->fd >= 0)
        close(l->fd);
    l->fd = -1;
}

/* Closes every connection of the calling loop: the daemon is stopping. */
static void close_loop_conns(void *arg)
{
    struct r1_engine *eng = arg;
    struct x400ms_loop *loop = x400ms_loop_current();
    struct r1_conn **mine = NULL, *c;
    size_t n = 0, cap = 0;

    pthread_mutex_lock(&eng->lock);
    for (c = eng->conns; c; c = c->next) {
        if (c->loop != loop)
            continue;
        if (n == cap) {
            struct r1_conn **grown = realloc(mine, (cap = cap ? cap * 2 : 64) * sizeof *grown);
            if (!grown)
                break;
            mine = grown;
        }
        r1_conn_ref(c);
        mine[n++] = c;
    }
    pthread_mutex_unlock(&eng->lock);
    for (size_t i = 0; i < n; i++) {
        mine[i]->busy++;
        r1_conn_fail(mine[i], X400MS_ESTATE, "the daemon is stopping");
        mine[i]->busy--;
        r1_conn_unref(mine[i]);
    }
    free(mine);
}

void r1_listeners_close(struct r1_engine *eng)
{
    struct timespec deadline;

    atomic_store(&eng->stopping, true);
    for (size_t i = 0; i < eng->nlisteners; i++) {
        struct r1_listener *l = eng->listeners[i];
        if (l->loop && l->fd >= 0 &&
            r1_run_on_loop(eng, l->loop, listener_unwatch, l, R1_STOP_WAIT_MS) != 0)
            X400MS_LOG_W("%s: listener on %s:%d did not stop in time", l->path, l->address,
                         l->port);
    }
    for (unsigned i = 0; i < x400ms_core_loop_count(eng->core); i++)
        r1_run_on_loop(eng, x400ms_core_loop(eng->core, i), close_loop_conns, eng,
                       R1_STOP_WAIT_MS);
    deadline_after(&deadline, R1_STOP_WAIT_MS);
    pthread_mutex_lock(&eng->lock);
    while (atomic_load(&eng->nconns) > 0)
        if (pthread_cond_timedwait(&eng->cond, &eng->lock, &deadline) == ETIMEDOUT)
            break;
    pthread_mutex_unlock(&eng->lock);
    if (atomic_load(&eng->nconns) > 0)
        X400MS_LOG_W("%u connection(s) still open at stop", atomic_load(&eng->nconns));
}

void r1_listeners_free(struct r1_engine *eng)
{
    for (size_t i = 0; i < eng->nlisteners; i++) {
        struct r1_listener *l = eng->listeners[i];
        if (l->fd >= 0 && !l->io)
            close(l->fd); /* never watched: no loop holds it */
        free(l);
    }
    free(eng->listeners);
    eng->listeners = NULL;
    eng->nlisteners = 0;
}
