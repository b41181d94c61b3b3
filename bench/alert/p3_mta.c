/* bench/alert/p3_mta.c: see p3_mta.h. The child's main thread reads one
 * request octet at a time from a pipe; the deliveries themselves run on the
 * child's loop thread (everything OSI does), which writes each answer
 * (struct reply) back on a second pipe. */
#define X400MS_LOG_MODULE "bench-p3-mta"
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "asn1/ipms.h"
#include "asn1/mts.h"
#include "asn1/orname.h"
#include "bench/alert/p3_mta.h"
#include "tools/mta/mta.h"
#include "x400ms/assoc.h"
#include "x400ms/embedded.h"
#include "x400ms/log.h"
#include "x400ms/loop.h"

struct p3_mta {
    pid_t pid;
    int req_fd, reply_fd;
};

struct reply {
    long long t_invoke, t_ack;
    int ok;
};

/* The child's state; lives until the child exits. */
struct child {
    struct x400ms_core *core;
    struct x400ms_app_context ac;
    struct x400ms_assoc *a;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int state;                  /* 0 connecting, 1 bound, -1 failed or ended */
    int port;
    uint8_t *bind_arg, *content;
    size_t bind_arg_len, content_len;
    struct or_address to, from;
    int reply_fd;
    long seq;
};

static long long now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

/* mts-forced-access 1988 (2.6.0.1.1, X.419 A.1): an MTA's P1-style access to the MS. */
static const struct x400ms_abstract_syntax syntaxes[] = {
    { "2.6.0.2.11", X400MS_AS_BIND | X400MS_AS_REQUIRED }, /* id-as-mts */
    { "2.6.0.2.2", 0 },                                    /* id-as-mdse-88 */
    { "2.6.0.2.1", 0 },                                    /* id-as-msse */
    { "2.6.0.2.6", 0 },                                    /* id-as-mase-88 */
};

static void set_state(struct child *c, int state)
{
    pthread_mutex_lock(&c->lock);
    c->state = state;
    pthread_cond_broadcast(&c->cond);
    pthread_mutex_unlock(&c->lock);
}

static void send_reply(struct child *c, const struct reply *r)
{
    if (write(c->reply_fd, r, sizeof *r) != (ssize_t)sizeof *r)
        _exit(3);
}

static void on_confirm(void *ctx, struct x400ms_assoc *a, const struct x400ms_connect_result *res)
{
    struct child *c = ctx;
    if (res->status != X400MS_CONNECT_ACCEPTED) {
        fprintf(stderr, "p3 mta: MTS-bind failed (status %d): %s\n", (int)res->status,
                res->reason ? res->reason : "no reason");
        set_state(c, -1);
        return;
    }
    c->a = a;
    set_state(c, 1);
}

static void on_released(void *ctx, struct x400ms_assoc *a)
{
    (void)a;
    struct child *c = ctx;
    c->a = NULL;
    set_state(c, -1);
}

static void on_aborted(void *ctx, struct x400ms_assoc *a, const struct x400ms_abort_info *why)
{
    (void)a;
    (void)why;
    struct child *c = ctx;
    c->a = NULL;
    set_state(c, -1);
}

static void on_invoke(void *ctx, struct x400ms_assoc *a, const struct x400ms_invoke *inv)
{
    (void)ctx;
    x400ms_assoc_reject(a, inv->invoke_id, X400MS_ROSE_INVOKE_UNRECOGNIZED_OPERATION);
}

static void connect_task(struct child *c)
{
    struct x400ms_assoc_request req;
    memset(&req, 0, sizeof req);
    req.size = sizeof req;
    req.host = "127.0.0.1";
    req.port = c->port;
    req.context = &c->ac;
    req.ctx = c;
    req.bind_argument = X400MS_BYTES(c->bind_arg, c->bind_arg_len);
    req.timeout_ms = 30000;
    req.confirm = on_confirm;
    struct x400ms_error err = { 0 };
    if (x400ms_assoc_connect(c->core, &req, &err) < 0) {
        fprintf(stderr, "p3 mta: connect: %s\n", err.message);
        set_state(c, -1);
    }
}

struct pending {
    struct child *c;
    long long t_invoke;
};

static void delivered(void *arg, struct x400ms_assoc *a, const struct x400ms_outcome *o)
{
    (void)a;
    struct pending *p = arg;
    struct reply r = { p->t_invoke, now_us(), o->kind == X400MS_OUTCOME_RESULT };
    if (!r.ok)
        fprintf(stderr, "p3 mta: message-delivery answered with outcome %d (error %lld)\n",
                (int)o->kind, (long long)o->errcode);
    send_reply(p->c, &r);
    free(p);
}

/* X.411 8.3.1.1: MessageDeliveryArgument for the next message. */
static void deliver_task(struct child *c)
{
    struct reply fail = { now_us(), now_us(), 0 };
    struct pending *p = malloc(sizeof *p);
    if (c->a == NULL || p == NULL) {
        free(p);
        send_reply(c, &fail);
        return;
    }
    struct mts_delivery_arg d;
    memset(&d, 0, sizeof d);
    char local[64];
    snprintf(local, sizeof local, "bench%ld-%ld", (long)getpid(), ++c->seq);
    d.delivery_identifier.gdi.country = mhs_str_make("XX", 2, BER_PRINTABLE_STRING);
    d.delivery_identifier.gdi.admd = mhs_str_make(" ", 1, BER_PRINTABLE_STRING);
    d.delivery_identifier.gdi.prmd = mhs_str_make("BENCH", 5, BER_PRINTABLE_STRING);
    d.delivery_identifier.local = mhs_str_make(local, strlen(local), BER_IA5_STRING);
    d.delivery_time = mhs_time_make(time(NULL));
    d.submission_time = mhs_time_make(time(NULL));
    d.content_type.present = true;
    d.content_type.builtin = true;
    d.content_type.builtin_value = MTS_CONTENT_P22_1988;
    d.originator_name = c->from;
    d.this_recipient_name = c->to;
    d.priority = MTS_PRIORITY_NORMAL;
    d.content.bytes = ber_slice_make(c->content, c->content_len);
    struct ber_writer w;
    ber_writer_init(&w);
    int rc = mts_delivery_arg_encode(&w, &d);
    p->c = c;
    p->t_invoke = now_us();
    if (rc >= 0 && !w.error)
        rc = x400ms_assoc_invoke(c->a, MTS_OP_MESSAGE_DELIVERY,
                                 X400MS_BYTES(ber_writer_data(&w), ber_writer_len(&w)), NULL,
                                 delivered, p, NULL);
    ber_writer_free(&w);
    if (rc < 0) {
        fprintf(stderr, "p3 mta: cannot invoke message-delivery (%d)\n", rc);
        free(p);
        send_reply(c, &fail);
    }
}

static void release_task(struct child *c)
{
    if (c->a != NULL && x400ms_assoc_release(c->a, X400MS_NO_BYTES) < 0)
        x400ms_assoc_abort(c->a, "release failed");
}

/* The MTS-bind argument and the IPM, with the x400ms-mta tool's encoders
 * (tools/mta/common.c). */
static int build_pdus(struct child *c, const char *mta_name, const char *password, long size)
{
    struct mts_object_name me;
    memset(&me, 0, sizeof me);
    me.kind = MTS_OBJ_MTA;
    me.mta = mhs_str_make(mta_name, strlen(mta_name), BER_IA5_STRING);
    if (mta_encode_bind(&me, password, &c->bind_arg, &c->bind_arg_len) < 0)
        return -1;

    /* X.420: an IPM with a subject and one IA5 text body part */
    struct ber_writer w;
    ber_writer_init(&w);
    if (mta_encode_ipm(&w, "bench-alert", "bench", size) >= 0 && !w.error)
        c->content = ber_writer_take(&w, &c->content_len);
    ber_writer_free(&w);
    return c->content != NULL ? 0 : -1;
}

static int wait_state(struct child *c)
{
    pthread_mutex_lock(&c->lock);
    while (c->state == 0)
        pthread_cond_wait(&c->cond, &c->lock);
    int s = c->state;
    pthread_mutex_unlock(&c->lock);
    return s;
}

static void child_main(int req_fd, int reply_fd, const char *mta_name, const char *password,
                       const char *originator, const char *recipient, long size)
{
    static struct child c;
    struct x400ms_error err = { 0 };
    pthread_mutex_init(&c.lock, NULL);
    pthread_cond_init(&c.cond, NULL);
    if (read(req_fd, &c.port, sizeof c.port) != (ssize_t)sizeof c.port)
        _exit(0); /* the benchmark ended without a P3 run */
    c.reply_fd = reply_fd;
    if (or_address_parse(recipient, strlen(recipient), &c.to, &err) < 0 ||
        or_address_parse(originator, strlen(originator), &c.from, &err) < 0 ||
        build_pdus(&c, mta_name, password, size) < 0) {
        fprintf(stderr, "p3 mta: cannot build the PDUs: %s\n", err.message);
        _exit(2);
    }
    c.ac.size = sizeof c.ac;
    c.ac.oid = "2.6.0.1.1"; /* mts-forced-access-88 */
    c.ac.name = "mts-forced-access";
    c.ac.syntaxes = syntaxes;
    c.ac.n_syntaxes = sizeof syntaxes / sizeof syntaxes[0];
    c.ac.max_own_invokes = 4;
    c.ac.max_peer_invokes = 4;
    c.ac.invoke = on_invoke;
    c.ac.released = on_released;
    c.ac.aborted = on_aborted;
    const char *module_path = getenv("X400MS_MODULE_PATH");
    x400ms_log_set_level(X400MS_LOG_WARNING);
    c.core = x400ms_core_embedded_new("{ \"modules\": [ { \"name\": \"rfc1006\", \"config\": {} } ] }",
                                      module_path, &err);
    if (c.core == NULL || x400ms_core_embedded_start(c.core, &err) < 0) {
        fprintf(stderr, "p3 mta: cannot start the OSI stack: %s\n", err.message);
        _exit(2);
    }
    struct x400ms_loop *loop = x400ms_core_loop(c.core, 0);
    char ready = 0;
    if (x400ms_loop_post(loop, connect_task, &c) < 0 || wait_state(&c) != 1)
        ready = 1;
    if (write(reply_fd, &ready, 1) != 1 || ready != 0)
        _exit(2);
    char cmd;
    while (read(req_fd, &cmd, 1) == 1 && cmd == 'd')
        if (x400ms_loop_post(loop, deliver_task, &c) < 0)
            _exit(3);
    if (x400ms_loop_post(loop, release_task, &c) == 0) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += 5;
        pthread_mutex_lock(&c.lock);
        while (c.state == 1 && pthread_cond_timedwait(&c.cond, &c.lock, &until) == 0)
            ;
        pthread_mutex_unlock(&c.lock);
    }
    x400ms_core_embedded_free(&c.core);
    _exit(0);
}

struct p3_mta *p3_mta_start(const char *mta_name, const char *password, const char *originator,
                            const char *recipient, long content_size)
{
    int req[2], rep[2];
    if (pipe(req) < 0)
        return NULL;
    if (pipe(rep) < 0) {
        close(req[0]);
        close(req[1]);
        return NULL;
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0)
        return NULL;
    if (pid == 0) {
        close(req[1]);
        close(rep[0]);
        child_main(req[0], rep[1], mta_name, password, originator, recipient, content_size);
    }
    close(req[0]);
    close(rep[1]);
    struct p3_mta *m = calloc(1, sizeof *m);
    if (m == NULL) {
        close(req[1]);
        close(rep[0]);
        waitpid(pid, NULL, 0);
        return NULL;
    }
    m->pid = pid;
    m->req_fd = req[1];
    m->reply_fd = rep[0];
    return m;
}

int p3_mta_bind(struct p3_mta *m, int port)
{
    char ready = 1;
    if (write(m->req_fd, &port, sizeof port) != (ssize_t)sizeof port ||
        read(m->reply_fd, &ready, 1) != 1 || ready != 0) {
        fprintf(stderr, "p3 mta: the MTA did not bind\n");
        return -1;
    }
    return 0;
}

int p3_mta_deliver(struct p3_mta *m, long long *t_invoke_us, long long *t_ack_us)
{
    struct reply r;
    if (write(m->req_fd, "d", 1) != 1 || read(m->reply_fd, &r, sizeof r) != (ssize_t)sizeof r)
        return -1;
    *t_invoke_us = r.t_invoke;
    *t_ack_us = r.t_ack;
    return r.ok ? 0 : -1;
}

void p3_mta_stop(struct p3_mta *m)
{
    if (m == NULL)
        return;
    if (write(m->req_fd, "q", 1) != 1)
        kill(m->pid, SIGTERM);
    close(m->req_fd);
    close(m->reply_fd);
    waitpid(m->pid, NULL, 0);
    free(m);
}
