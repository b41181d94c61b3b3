/* modules/protocol/p3/upstream.c: the P3 submission initiator, the MTS
 * provider "p3-upstream" (include/x400ms/mts.h).
 *
 * The MS acts as an MTS-user towards an upstream MTA: it initiates
 * mts-access associations (X.419: 88 2.6.0.1.0, 94 2.6.0.1.7), binds with
 * its MTA name and simple password (X.411 8.1.1) and invokes
 * message-submission (8.2.1.1, opcode 3), probe-submission (8.2.1.2, 4),
 * cancel-deferred-delivery (8.2.1.3, 7) and submission-control (8.2.1.4, 2).
 *
 * Every call becomes an `op` in one FIFO queue. A pool of `connections`
 * associations is kept bound on one loop of the core; each takes ops from
 * the queue while it has fewer than `window` invokes outstanding. An
 * association that cannot be set up (upstream down, bind refused) is tried
 * again after min, 2*min, ... max (exponential back-off); ops wait in the
 * queue meanwhile. An op whose association ends before the answer is put
 * back at the head of the queue and sent again on the next association
 * (at least once: the upstream may then see it twice if it had taken it
 * and its answer was lost — X.411 has no submission idempotency key).
 *
 * Outcomes: returnResult -> ACCEPTED (with the upstream's MTSIdentifier and
 * submission time, as mts.h says: acknowledged by the upstream MTA means
 * taken); returnError -> REFUSED with the X.411 error code and parameter;
 * a ROSE reject or the module stopping -> FAILED. Each outcome is posted to
 * the caller's loop, where forget() may have cancelled it. */
#define X400MS_LOG_MODULE "p3"
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "asn1/mts.h"
#include "modules/protocol/p3/metrics.h"
#include "modules/protocol/p3/mtsac.h"
#include "modules/protocol/p3/p3.h"
#include "modules/protocol/p3/upadmin.h"
#include "modules/protocol/p3/upstream.h"
#include "x400ms/assoc.h"
#include "x400ms/config.h"
#include "x400ms/log.h"
#include "x400ms/loop.h"
#include "x400ms/mts.h"

#define UP_MAX_CONNECTIONS 64

struct p3_upstream;

struct up_op {
    struct p3_upstream *u;
    x400ms_mts_op_id id;
    int64_t opcode;
    uint8_t *arg;
    size_t arg_len;
    x400ms_mts_done_fn *done;
    void *done_arg;
    struct x400ms_loop *loop;
    bool forgotten;            /* under u->lock */
    char mailbox[X400MS_STORE_NAME_MAX + 1]; /* originating mailbox, "" when none */
    unsigned sends;
    struct up_op *next;        /* queue (under u->lock) */
    struct up_op *tnext;       /* table of live ops, for forget (under u->lock) */
    /* the outcome, filled on the pool's loop and read on op->loop */
    struct x400ms_mts_outcome out;
    uint8_t *result, *param, *ident;
    char reason[256];
};

enum up_state { UP_DOWN, UP_CONNECTING, UP_BOUND };

struct up_conn {
    struct p3_upstream *u;
    int index;
    enum up_state state;
    struct x400ms_assoc *a;
    unsigned outstanding;
    uint64_t backoff_ms;
    struct x400ms_timer *retry;
    struct p3_session *s;      /* deliveries the upstream invokes (deliver.c), while bound */
};

/* Accepted submissions' MTS identifiers and their mailboxes, newest 4096:
 * the upstream's reports name only the identifier (X.411 8.3.1.2.1.1). */
#define UP_ORIGINS 4096
struct up_origin {
    uint8_t id[X400MS_STORE_MTS_ID_MAX];
    size_t id_len;
    char mailbox[X400MS_STORE_NAME_MAX + 1];
};

struct up_config {
    const char *host;
    long long port;
    const char *tselector;
    const char *mta_name;
    const char *password;
    const char *context;
    long long connections;
    long long window;
    const json_t *retry;
    bool reliable;
    bool direct;
    const char *register_name;
    const char *new_password;
};

struct p3_upstream {
    struct x400ms_core *core;
    struct up_config cfg;
    long long retry_min_ms, retry_max_ms;
    bool is94;
    struct x400ms_app_context ac;
    uint8_t *bind_arg;
    size_t bind_arg_len;
    struct x400ms_mts_ops ops;
    struct x400ms_loop *loop;       /* the pool's loop (set at start) */
    struct up_conn conns[UP_MAX_CONNECTIONS];
    int n_conns;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    struct up_op *qhead, *qtail;    /* waiting to be sent */
    struct up_op *table;            /* every op not yet finished */
    x400ms_mts_op_id next_id;
    bool kick_pending, stopping, stopped_on_loop;
    unsigned long submitted, accepted, refused, resent;
    struct p3_module *m;            /* stores what the upstream delivers (set at start) */
    char *password;                 /* current simple password (new_password once changed) */
    uint8_t *old_bind_arg;          /* the one before change-credentials */
    bool registered, changing, credentials_changed; /* X.411 8.4 done once (loop only) */
    struct up_origin *origins;      /* ring of UP_ORIGINS, under lock */
    size_t n_origins, next_origin;
};

static const struct x400ms_cfg_spec up_spec[] = {
    { "host", X400MS_CFG_STRING, X400MS_CFG_REQUIRED | X400MS_CFG_NONEMPTY,
      offsetof(struct up_config, host), .help = "the upstream MTA's address" },
    { "port", X400MS_CFG_INT, X400MS_CFG_REQUIRED, offsetof(struct up_config, port), .min = 1,
      .max = 65535, .help = "its RFC 1006 port" },
    { "tselector", X400MS_CFG_STRING, 0, offsetof(struct up_config, tselector),
      .help = "called transport selector (text), if the upstream needs one" },
    { "mta_name", X400MS_CFG_STRING, X400MS_CFG_REQUIRED | X400MS_CFG_NONEMPTY,
      offsetof(struct up_config, mta_name), .help = "our name in the MTS-bind (mTA form)" },
    { "password", X400MS_CFG_STRING, 0, offsetof(struct up_config, password),
      .help = "simple credentials in the MTS-bind" },
    { "context", X400MS_CFG_STRING, 0, offsetof(struct up_config, context), .def_str = "88",
      .help = "mts-access application context: \"88\" (2.6.0.1.0) or \"94\" (2.6.0.1.7)" },
    { "connections", X400MS_CFG_INT, 0, offsetof(struct up_config, connections), .min = 1,
      .max = UP_MAX_CONNECTIONS, .def_int = 1, .help = "associations kept bound" },
    { "window", X400MS_CFG_INT, 0, offsetof(struct up_config, window), .min = 1, .max = 32,
      .def_int = 8, .help = "submissions outstanding per association" },
    { "retry", X400MS_CFG_OBJECT, 0, offsetof(struct up_config, retry),
      .help = "reconnection back-off: {\"min\": \"1s\", \"max\": \"60s\"}" },
    { "register", X400MS_CFG_STRING, 0, offsetof(struct up_config, register_name),
      .help = "O/R name to register as user-name after binding (X.411 8.4.1.1 register)" },
    { "new_password", X400MS_CFG_STRING, 0, offsetof(struct up_config, new_password),
      .help = "change the password to this after the first bind (X.411 8.4.1.2 "
              "change-credentials); later binds use it" },
    { "reliable", X400MS_CFG_BOOL, 0, offsetof(struct up_config, reliable),
      .help = "mts-reliable-access over RTSE (load the rtse module before p3)" },
    { "direct", X400MS_CFG_BOOL, 0, offsetof(struct up_config, direct),
      .help = "also register as an MTS provider (no local MTA)" },
    X400MS_CFG_END
};

/* ---- outcomes (posted to the caller's loop) ---- */

static void op_free(struct up_op *op)
{
    free(op->arg);
    free(op->result);
    free(op->param);
    free(op->ident);
    free(op);
}

static void op_unlink_table(struct p3_upstream *u, struct up_op *op)
{
    for (struct up_op **p = &u->table; *p != NULL; p = &(*p)->tnext)
        if (*p == op) {
            *p = op->tnext;
            break;
        }
}

/* On op->loop: hand the outcome over unless forget() came first. */
static void op_deliver(struct up_op *op)
{
    struct p3_upstream *u = op->u;
    pthread_mutex_lock(&u->lock);
    op_unlink_table(u, op);
    bool forgotten = op->forgotten;
    pthread_mutex_unlock(&u->lock);
    op->out.reason = op->reason[0] ? op->reason : NULL;
    if (!forgotten)
        op->done(op->done_arg, &op->out);
    op_free(op);
}

static void op_finish(struct up_op *op)
{
    if (op->opcode == MTS_OP_MESSAGE_SUBMISSION || op->opcode == MTS_OP_PROBE_SUBMISSION)
        p3_metrics_submission(op->out.kind);
    if (x400ms_loop_post(op->loop, op_deliver, op) < 0) {
        X400MS_LOG_W("submission %llu: the caller's loop is gone: outcome dropped",
                     (unsigned long long)op->id);
        struct p3_upstream *u = op->u;
        pthread_mutex_lock(&u->lock);
        op_unlink_table(u, op);
        pthread_mutex_unlock(&u->lock);
        op_free(op);
    }
}

static void op_fail(struct up_op *op, int status, const char *why)
{
    op->out.kind = X400MS_MTS_FAILED;
    op->out.status = status;
    snprintf(op->reason, sizeof op->reason, "%s", why);
    op_finish(op);
}

static uint8_t *dup_bytes(struct x400ms_bytes b)
{
    if (b.ptr == NULL || b.len == 0)
        return NULL;
    uint8_t *p = malloc(b.len);
    if (p != NULL)
        memcpy(p, b.ptr, b.len);
    return p;
}

/* ---- the queue (any thread, under the lock) ---- */

static void queue_push_front(struct p3_upstream *u, struct up_op *op)
{
    op->next = u->qhead;
    u->qhead = op;
    if (u->qtail == NULL)
        u->qtail = op;
}

static struct up_op *queue_pop(struct p3_upstream *u)
{
    struct up_op *op = u->qhead;
    if (op != NULL) {
        u->qhead = op->next;
        if (u->qhead == NULL)
            u->qtail = NULL;
        op->next = NULL;
    }
    return op;
}

/* ---- the pool (on u->loop) ---- */

static void conn_connect(struct up_conn *c);
static void pump(struct p3_upstream *u);

static void retry_fire(struct up_conn *c)
{
    c->retry = NULL; /* one-shot: the loop frees it */
    conn_connect(c);
}

static void conn_schedule_retry(struct up_conn *c)
{
    struct p3_upstream *u = c->u;
    c->state = UP_DOWN;
    c->a = NULL;
    if (u->stopping || c->retry != NULL)
        return;
    uint64_t delay = c->backoff_ms ? c->backoff_ms : (uint64_t)u->retry_min_ms;
    c->backoff_ms = delay * 2 > (uint64_t)u->retry_max_ms ? (uint64_t)u->retry_max_ms : delay * 2;
    X400MS_LOG_I("upstream %s:%lld connection %d: next attempt in %llu ms", u->cfg.host,
                 u->cfg.port, c->index, (unsigned long long)delay);
    c->retry = x400ms_timer_add(u->loop, delay, false, retry_fire, c);
}

/* Under no lock: takes u->lock. */
static void remember_origin(struct p3_upstream *u, const struct up_op *op)
{
    if (op->ident == NULL || op->out.mts_identifier_len == 0 ||
        op->out.mts_identifier_len > X400MS_STORE_MTS_ID_MAX || op->mailbox[0] == '\0')
        return;
    pthread_mutex_lock(&u->lock);
    if (u->origins == NULL)
        u->origins = calloc(UP_ORIGINS, sizeof *u->origins);
    if (u->origins != NULL) {
        struct up_origin *o = &u->origins[u->next_origin];
        memcpy(o->id, op->ident, op->out.mts_identifier_len);
        o->id_len = op->out.mts_identifier_len;
        snprintf(o->mailbox, sizeof o->mailbox, "%s", op->mailbox);
        u->next_origin = (u->next_origin + 1) % UP_ORIGINS;
        if (u->n_origins < UP_ORIGINS)
            u->n_origins++;
    }
    pthread_mutex_unlock(&u->lock);
}

bool p3_upstream_report_mailbox(struct p3_upstream *u, const uint8_t *id, size_t id_len,
                                char *name)
{
    if (u == NULL || id == NULL || id_len == 0)
        return false;
    bool found = false;
    pthread_mutex_lock(&u->lock);
    for (size_t i = 0; i < u->n_origins && !found; i++) {
        /* newest first */
        const struct up_origin *o =
            &u->origins[(u->next_origin + UP_ORIGINS - 1 - i) % UP_ORIGINS];
        if (o->id_len == id_len && memcmp(o->id, id, id_len) == 0) {
            snprintf(name, X400MS_STORE_NAME_MAX + 1, "%s", o->mailbox);
            found = true;
        }
    }
    pthread_mutex_unlock(&u->lock);
    return found;
}

static void on_invoke_done(void *arg, struct x400ms_assoc *a, const struct x400ms_outcome *o)
{
    (void)a;
    struct up_op *op = arg;
    struct p3_upstream *u = op->u;
    struct up_conn *c = x400ms_assoc_user(a);
    if (c != NULL && c->outstanding > 0)
        c->outstanding--;
    switch (o->kind) {
    case X400MS_OUTCOME_RESULT:
        op->out.kind = X400MS_MTS_ACCEPTED;
        op->result = dup_bytes(o->result);
        op->out.result = op->result;
        op->out.result_len = op->result ? o->result.len : 0;
        if (op->opcode == MTS_OP_MESSAGE_SUBMISSION || op->opcode == MTS_OP_PROBE_SUBMISSION) {
            /* X.411 8.2.1.1.2: message-submission-identifier and -time */
            struct mts_submission_result r;
            struct ber_error berr = { 0 };
            if (op->result != NULL &&
                mts_submission_result_decode(ber_slice_make(op->result, o->result.len), &r,
                                             &berr) >= 0) {
                struct ber_writer w;
                ber_writer_init(&w);
                if (mts_identifier_encode(&w, BER_TAG(BER_CLASS_APPLICATION, 4), &r.identifier) >=
                    0)
                    op->ident = ber_writer_take(&w, &op->out.mts_identifier_len);
                ber_writer_free(&w);
                op->out.mts_identifier = op->ident;
                remember_origin(u, op);
                op->out.submission_time = r.time.present ? (int64_t)r.time.sec : time(NULL);
                char local[MTS_UB_LOCAL_ID + 1];
                snprintf(local, sizeof local, "%.*s", (int)r.identifier.local.len,
                         (const char *)r.identifier.local.ptr);
                snprintf(op->reason, sizeof op->reason, "accepted by upstream %s:%lld as %s",
                         u->cfg.host, u->cfg.port, local);
            } else {
                char why[200];
                X400MS_LOG_W("submission %llu: the upstream's result does not decode (%s): "
                             "taken as accepted", (unsigned long long)op->id,
                             ber_error_format(&berr, why, sizeof why));
            }
        }
        u->accepted++;
        X400MS_LOG_I("submission %llu (op %lld): %s", (unsigned long long)op->id,
                     (long long)op->opcode, op->reason[0] ? op->reason : "accepted by upstream");
        op_finish(op);
        break;
    case X400MS_OUTCOME_ERROR:
        op->out.kind = X400MS_MTS_REFUSED;
        op->out.errcode = o->errcode;
        op->param = dup_bytes(o->parameter);
        op->out.parameter = op->param;
        op->out.parameter_len = op->param ? o->parameter.len : 0;
        snprintf(op->reason, sizeof op->reason, "upstream %s:%lld answered X.411 error %lld",
                 u->cfg.host, u->cfg.port, (long long)o->errcode);
        u->refused++;
        X400MS_LOG_N("submission %llu: %s", (unsigned long long)op->id, op->reason);
        op_finish(op);
        break;
    case X400MS_OUTCOME_REJECT: {
        char why[128];
        snprintf(why, sizeof why, "upstream %s:%lld rejected the invoke (ROSE problem 0x%03x)",
                 u->cfg.host, u->cfg.port, (unsigned)o->problem);
        X400MS_LOG_W("submission %llu: %s", (unsigned long long)op->id, why);
        op_fail(op, X400MS_EPROTO, why);
        break;
    }
    case X400MS_OUTCOME_ENDED:
    default:
        /* sent, unanswered: send again on the next association (at least once) */
        pthread_mutex_lock(&u->lock);
        bool stopping = u->stopping;
        if (!stopping) {
            queue_push_front(u, op);
            u->resent++;
        }
        pthread_mutex_unlock(&u->lock);
        if (stopping)
            op_fail(op, X400MS_ESTATE, "p3 is stopping: the upstream association ended");
        else
            X400MS_LOG_N("submission %llu: association ended before the upstream answered: "
                         "sending it again", (unsigned long long)op->id);
        break;
    }
}

static void pump(struct p3_upstream *u)
{
    for (int i = 0; i < u->n_conns; i++) {
        struct up_conn *c = &u->conns[i];
        while (c->state == UP_BOUND && c->outstanding < (unsigned)u->cfg.window) {
            pthread_mutex_lock(&u->lock);
            struct up_op *op = queue_pop(u);
            pthread_mutex_unlock(&u->lock);
            if (op == NULL)
                return;
            /* message-submission goes on id-as-msse (X.419) */
            int rc = x400ms_assoc_invoke(c->a, op->opcode, X400MS_BYTES(op->arg, op->arg_len),
                                         "2.6.0.2.1", on_invoke_done, op, NULL);
            if (rc < 0) {
                pthread_mutex_lock(&u->lock);
                queue_push_front(u, op);
                pthread_mutex_unlock(&u->lock);
                break;
            }
            op->sends++;
            c->outstanding++;
        }
    }
}

static void kick(struct p3_upstream *u)
{
    pthread_mutex_lock(&u->lock);
    u->kick_pending = false;
    pthread_mutex_unlock(&u->lock);
    pump(u);
}

static int encode_bind(struct p3_upstream *u, const char *password);

static void register_done(void *arg, struct x400ms_assoc *a, const struct x400ms_outcome *o)
{
    (void)a;
    struct p3_upstream *u = arg;
    if (o->kind == X400MS_OUTCOME_RESULT)
        X400MS_LOG_N("upstream %s:%lld: registered as %s (X.411 register)", u->cfg.host,
                     u->cfg.port, u->cfg.register_name);
    else
        X400MS_LOG_W("upstream %s:%lld: register refused (outcome %d, X.411 error %lld)",
                     u->cfg.host, u->cfg.port, (int)o->kind, (long long)o->errcode);
}

static void change_done(void *arg, struct x400ms_assoc *a, const struct x400ms_outcome *o)
{
    (void)a;
    struct p3_upstream *u = arg;
    u->changing = false;
    if (o->kind == X400MS_OUTCOME_RESULT) {
        u->credentials_changed = true;
        if (encode_bind(u, u->cfg.new_password) == 0)
            X400MS_LOG_N("upstream %s:%lld: password changed (X.411 change-credentials): "
                         "later binds use new_password - make it the configured password",
                         u->cfg.host, u->cfg.port);
    } else {
        /* 14 new-credentials-unacceptable, 15 old-credentials-incorrectly-specified */
        X400MS_LOG_W("upstream %s:%lld: change-credentials refused (outcome %d, X.411 error "
                     "%lld): the old password stays", u->cfg.host, u->cfg.port, (int)o->kind,
                     (long long)o->errcode);
        u->credentials_changed = true; /* not tried again on every bind */
    }
}

/* X.411 8.4 on a fresh association: register and change-credentials, once,
 * on the administration syntax (id-as-mase, X.419). */
static void admin_after_bind(struct p3_upstream *u, struct x400ms_assoc *a)
{
    const char *mase = u->is94 ? "2.6.0.2.16" : "2.6.0.2.6";
    if (u->cfg.register_name != NULL && !u->registered) {
        struct or_address name;
        struct x400ms_error e;
        struct ber_writer w;
        ber_writer_init(&w);
        if (or_address_parse(u->cfg.register_name, strlen(u->cfg.register_name), &name, &e) < 0 ||
            p3_register_arg_encode(&w, &name) < 0 || w.error != 0 ||
            x400ms_assoc_invoke(a, MTS_OP_REGISTER,
                                X400MS_BYTES(ber_writer_data(&w), ber_writer_len(&w)), mase,
                                register_done, u, NULL) < 0)
            X400MS_LOG_W("upstream: register as %s not sent", u->cfg.register_name);
        else
            u->registered = true;
        ber_writer_free(&w);
    }
    if (u->cfg.new_password != NULL && !u->credentials_changed && !u->changing) {
        struct ber_writer w;
        ber_writer_init(&w);
        if (p3_change_credentials_arg_encode(&w, u->password ? u->password : "",
                                             u->cfg.new_password) < 0 || w.error != 0 ||
            x400ms_assoc_invoke(a, MTS_OP_CHANGE_CREDENTIALS,
                                X400MS_BYTES(ber_writer_data(&w), ber_writer_len(&w)), mase,
                                change_done, u, NULL) < 0)
            X400MS_LOG_W("upstream: change-credentials not sent");
        else
            u->changing = true;
        ber_writer_free(&w);
    }
}

static void on_confirm(void *ctx, struct x400ms_assoc *a, const struct x400ms_connect_result *r)
{
    struct up_conn *c = ctx;
    struct p3_upstream *u = c->u;
    if (r->status == X400MS_CONNECT_ACCEPTED) {
        if (u->stopping) {
            x400ms_assoc_abort(a, "p3 is stopping");
            return;
        }
        c->state = UP_BOUND;
        c->a = a;
        c->outstanding = 0;
        c->backoff_ms = 0;
        x400ms_assoc_set_user(a, c);
        char who[X400MS_MTA_NAME_MAX + 1];
        snprintf(who, sizeof who, "upstream %s:%lld", u->cfg.host, u->cfg.port);
        c->s = u->m != NULL ? p3_session_new_bound(u->m, a, who) : NULL;
        admin_after_bind(u, a);
        X400MS_LOG_N("upstream %s:%lld connection %d: bound as MTA %s (%s)", u->cfg.host,
                     u->cfg.port, c->index, u->cfg.mta_name, u->ac.name);
        pump(u);
        return;
    }
    if (r->status == X400MS_CONNECT_BIND_ERROR) {
        int code = -1;
        struct ber_error berr = { 0 };
        mts_bind_error_decode(ber_slice_make(r->bind_error.ptr, r->bind_error.len), &code, &berr);
        X400MS_LOG_W("upstream %s:%lld connection %d: MTS-bind refused: %s (MTSBindError %d)",
                     u->cfg.host, u->cfg.port, c->index,
                     code == MTS_BIND_AUTHENTICATION_ERROR ? "authentication-error"
                     : code == MTS_BIND_BUSY              ? "busy"
                                                          : "bind error",
                     code);
    } else {
        X400MS_LOG_W("upstream %s:%lld connection %d: cannot associate: %s", u->cfg.host,
                     u->cfg.port, c->index, r->reason ? r->reason : "no reason");
    }
    conn_schedule_retry(c);
}

static void conn_connect(struct up_conn *c)
{
    struct p3_upstream *u = c->u;
    if (u->stopping || c->state != UP_DOWN)
        return;
    struct x400ms_assoc_request req = {
        .size = sizeof req,
        .transport = "rfc1006",
        .host = u->cfg.host,
        .port = (int)u->cfg.port,
        .context = &u->ac,
        .ctx = c,
        .bind_argument = X400MS_BYTES(u->bind_arg, u->bind_arg_len),
        .timeout_ms = 10000,
        .confirm = on_confirm,
    };
    if (u->cfg.tselector != NULL)
        req.called_tsel = X400MS_BYTES(u->cfg.tselector, strlen(u->cfg.tselector));
    struct x400ms_error err = { 0 };
    c->state = UP_CONNECTING;
    if (x400ms_assoc_connect(u->core, &req, &err) < 0) {
        X400MS_LOG_W("upstream %s:%lld connection %d: %s", u->cfg.host, u->cfg.port, c->index,
                     err.message);
        conn_schedule_retry(c);
    }
}

static void conn_ended(struct up_conn *c, const char *how)
{
    struct p3_upstream *u = c->u;
    X400MS_LOG_N("upstream %s:%lld connection %d: %s", u->cfg.host, u->cfg.port, c->index, how);
    if (c->s != NULL) {
        p3_session_end(c->s); /* deliveries in flight are stored, not answered */
        c->s = NULL;
    }
    c->outstanding = 0;
    c->backoff_ms = 0;
    conn_schedule_retry(c);
}

static void up_released(void *ctx, struct x400ms_assoc *a)
{
    x400ms_assoc_set_user(a, NULL);
    conn_ended(ctx, "released");
}

static void up_aborted(void *ctx, struct x400ms_assoc *a, const struct x400ms_abort_info *why)
{
    x400ms_assoc_set_user(a, NULL);
    char how[200];
    snprintf(how, sizeof how, "aborted (%s)", why && why->reason ? why->reason : "no reason");
    conn_ended(ctx, how);
}

/* X.411 8.3: on mts-access the MTS delivers messages and reports to the
 * MTS-user: the upstream MTA hands back what it has for our recipients
 * (message-delivery 5) and the reports on what we submitted (report-delivery
 * 6), stored by deliver.c as if an MTA had delivered them on
 * mts-forced-access. */
static void up_invoke(void *ctx, struct x400ms_assoc *a, const struct x400ms_invoke *inv)
{
    (void)ctx;
    struct up_conn *c = x400ms_assoc_user(a);
    if (c != NULL && c->s != NULL &&
        (inv->opcode == MTS_OP_MESSAGE_DELIVERY || inv->opcode == MTS_OP_REPORT_DELIVERY)) {
        p3_session_invoke(c->s, a, inv);
        return;
    }
    X400MS_LOG_W("upstream: operation %lld invoked by the upstream MTA not served",
                 (long long)inv->opcode);
    x400ms_assoc_reject(a, inv->invoke_id, X400MS_ROSE_INVOKE_UNRECOGNIZED_OPERATION);
}

static void start_all(struct p3_upstream *u)
{
    for (int i = 0; i < u->n_conns; i++)
        conn_connect(&u->conns[i]);
}

/* ---- the provider ops (any thread) ---- */

static int enqueue(struct p3_upstream *u, int64_t opcode, uint8_t *arg, size_t arg_len,
                   const char *mailbox, x400ms_mts_done_fn *done, void *done_arg, struct x400ms_loop *loop,
                   x400ms_mts_op_id *op_r, struct x400ms_error *err)
{
    if (loop == NULL)
        loop = x400ms_loop_current();
    if (done == NULL || loop == NULL) {
        free(arg);
        return x400ms_error_set(err, X400MS_EINVAL, "p3-upstream: no done callback or no loop");
    }
    struct up_op *op = calloc(1, sizeof *op);
    if (op == NULL) {
        free(arg);
        return x400ms_error_set(err, X400MS_ENOMEM, "p3-upstream: out of memory");
    }
    op->u = u;
    op->opcode = opcode;
    snprintf(op->mailbox, sizeof op->mailbox, "%s", mailbox ? mailbox : "");
    op->arg = arg;
    op->arg_len = arg_len;
    op->done = done;
    op->done_arg = done_arg;
    op->loop = loop;
    pthread_mutex_lock(&u->lock);
    if (u->stopping || u->loop == NULL) {
        pthread_mutex_unlock(&u->lock);
        op_free(op);
        return x400ms_error_set(err, X400MS_ESTATE, "p3-upstream: not running");
    }
    op->id = ++u->next_id;
    /* Read before the unlock: once queued, the loop may complete and free op. */
    x400ms_mts_op_id id = op->id;
    op->tnext = u->table;
    u->table = op;
    if (u->qtail != NULL)
        u->qtail->next = op;
    else
        u->qhead = op;
    u->qtail = op;
    u->submitted++;
    bool post = !u->kick_pending;
    u->kick_pending = true;
    pthread_mutex_unlock(&u->lock);
    if (post)
        x400ms_loop_post(u->loop, kick, u);
    if (op_r != NULL)
        *op_r = id;
    return 0;
}

static int up_submit(void *ctx, const struct x400ms_mts_submission *sub, x400ms_mts_op_id *op_r,
                     struct x400ms_error *err)
{
    struct p3_upstream *u = ctx;
    if (sub == NULL || sub->size < offsetof(struct x400ms_mts_submission, reserved) ||
        sub->envelope == NULL || sub->envelope_len == 0)
        return x400ms_error_set(err, X400MS_EINVAL, "p3-upstream: no envelope");
    struct ber_writer w;
    ber_writer_init(&w);
    struct ber_error berr = { 0 };
    int rc;
    if (sub->probe) {
        /* ProbeSubmissionArgument ::= ProbeSubmissionEnvelope */
        struct mts_submission_envelope e;
        rc = mts_probe_submission_arg_decode(ber_slice_make(sub->envelope, sub->envelope_len), &e,
                                             &berr);
        if (rc >= 0)
            rc = ber_put_raw(&w, sub->envelope, sub->envelope_len);
    } else {
        /* MessageSubmissionArgument ::= SEQUENCE { envelope, content OCTET STRING } */
        struct ber_writer cw;
        ber_writer_init(&cw);
        rc = ber_put_octets(&cw, BER_UNIV(BER_OCTET_STRING), sub->content, sub->content_len);
        /* the writer builds back to front (asn1/ber.h): content, envelope, header */
        if (rc >= 0)
            rc = ber_put_raw(&w, ber_writer_data(&cw), ber_writer_len(&cw));
        if (rc >= 0)
            rc = ber_put_raw(&w, sub->envelope, sub->envelope_len);
        if (rc >= 0)
            rc = ber_put_header(&w, BER_UNIV(BER_SEQUENCE), true,
                                sub->envelope_len + ber_writer_len(&cw));
        ber_writer_free(&cw);
        struct mts_submission_arg a;
        if (rc >= 0)
            rc = mts_submission_arg_decode(ber_writer_slice(&w), &a, &berr);
    }
    if (rc < 0) {
        ber_writer_free(&w);
        char why[200];
        return x400ms_error_set(err, X400MS_EINVAL, "p3-upstream: the %s does not decode: %s",
                                sub->probe ? "probe envelope" : "submission",
                                berr.code ? ber_error_format(&berr, why, sizeof why)
                                          : "encoding failed");
    }
    size_t len;
    uint8_t *arg = ber_writer_take(&w, &len);
    ber_writer_free(&w);
    if (arg == NULL)
        return x400ms_error_set(err, X400MS_ENOMEM, "p3-upstream: out of memory");
    return enqueue(u, sub->probe ? MTS_OP_PROBE_SUBMISSION : MTS_OP_MESSAGE_SUBMISSION, arg, len,
                   sub->mailbox, sub->done, sub->arg, sub->loop, op_r, err);
}

static int up_request(struct p3_upstream *u, int64_t opcode, const struct x400ms_mts_request *req,
                      x400ms_mts_op_id *op_r, struct x400ms_error *err)
{
    if (req == NULL || req->size < offsetof(struct x400ms_mts_request, reserved))
        return x400ms_error_set(err, X400MS_EINVAL, "p3-upstream: bad request");
    uint8_t *arg = NULL;
    size_t len = 0;
    if (req->argument != NULL && req->argument_len > 0) {
        if ((arg = malloc(req->argument_len)) == NULL)
            return x400ms_error_set(err, X400MS_ENOMEM, "p3-upstream: out of memory");
        memcpy(arg, req->argument, req->argument_len);
        len = req->argument_len;
    } else if (opcode == MTS_OP_SUBMISSION_CONTROL) {
        /* SubmissionControls ::= Controls, a SET: empty = no restriction */
        if ((arg = malloc(2)) == NULL)
            return x400ms_error_set(err, X400MS_ENOMEM, "p3-upstream: out of memory");
        arg[0] = 0x31;
        arg[1] = 0x00;
        len = 2;
    } else {
        return x400ms_error_set(err, X400MS_EINVAL, "p3-upstream: no argument");
    }
    return enqueue(u, opcode, arg, len, req->mailbox, req->done, req->arg, req->loop, op_r, err);
}

static int up_cancel_deferred(void *ctx, const struct x400ms_mts_request *req,
                              x400ms_mts_op_id *op_r, struct x400ms_error *err)
{
    return up_request(ctx, MTS_OP_CANCEL_DEFERRED_DELIVERY, req, op_r, err);
}

static int up_submission_control(void *ctx, const struct x400ms_mts_request *req,
                                 x400ms_mts_op_id *op_r, struct x400ms_error *err)
{
    return up_request(ctx, MTS_OP_SUBMISSION_CONTROL, req, op_r, err);
}

static void up_forget(void *ctx, x400ms_mts_op_id id)
{
    struct p3_upstream *u = ctx;
    pthread_mutex_lock(&u->lock);
    for (struct up_op *op = u->table; op != NULL; op = op->tnext)
        if (op->id == id) {
            op->forgotten = true;
            break;
        }
    pthread_mutex_unlock(&u->lock);
}

/* ---- life ---- */

static long long duration_ms(const json_t *v, long long def_ms)
{
    if (v == NULL)
        return def_ms;
    if (json_is_integer(v))
        return json_integer_value(v) * 1000;
    const char *t = json_string_value(v);
    if (t == NULL)
        return -1;
    size_t n = strlen(t);
    if (n > 2 && strcmp(t + n - 2, "ms") == 0)
        return atoll(t);
    long long s = x400ms_config_parse_duration(t);
    return s < 0 ? -1 : s * 1000;
}

/* X.411 8.1.1.1.1: initiator-name (mTA) and initiator-credentials (simple).
 * On the pool's loop (or in init): replaces the bind argument. */
static int encode_bind(struct p3_upstream *u, const char *password)
{
    struct mts_bind_arg b;
    memset(&b, 0, sizeof b);
    b.initiator_name.kind = MTS_OBJ_MTA;
    b.initiator_name.mta = mhs_str_make(u->cfg.mta_name, strlen(u->cfg.mta_name), BER_IA5_STRING);
    b.credentials.kind = MTS_CRED_SIMPLE;
    b.credentials.password = ber_slice_make(password, strlen(password));
    struct ber_writer w;
    ber_writer_init(&w);
    int rc = mts_bind_arg_encode(&w, &b);
    size_t len = 0;
    uint8_t *arg = rc >= 0 ? ber_writer_take(&w, &len) : NULL;
    ber_writer_free(&w);
    char *pw = strdup(password);
    if (arg == NULL || pw == NULL) {
        free(arg);
        free(pw);
        return rc < 0 ? rc : X400MS_ENOMEM;
    }
    /* a connect in progress may still read the old argument: kept until free */
    free(u->old_bind_arg);
    u->old_bind_arg = u->bind_arg;
    free(u->password);
    u->bind_arg = arg;
    u->bind_arg_len = len;
    u->password = pw;
    return 0;
}

int p3_upstream_new(struct x400ms_core *core, const json_t *cfg, struct p3_upstream **u_r,
                    struct x400ms_error *err)
{
    char path[256];
    snprintf(path, sizeof path, "%s.upstream", x400ms_core_config_path(core));
    struct p3_upstream *u = calloc(1, sizeof *u);
    if (u == NULL)
        return x400ms_error_set(err, X400MS_ENOMEM, "p3: out of memory");
    pthread_mutex_init(&u->lock, NULL);
    pthread_cond_init(&u->cond, NULL);
    u->core = core;
    *u_r = u;
    int rc = x400ms_config_parse(cfg, path, up_spec, &u->cfg, err);
    if (rc < 0)
        return rc;
    if (u->cfg.context == NULL || strcmp(u->cfg.context, "88") == 0)
        u->is94 = false;
    else if (strcmp(u->cfg.context, "94") == 0)
        u->is94 = true;
    else
        return x400ms_error_set(err, X400MS_EINVAL, "%s.context: expected \"88\" or \"94\"", path);
    if (strlen(u->cfg.mta_name) > MTS_UB_MTA_NAME ||
        (u->cfg.password && strlen(u->cfg.password) > MTS_UB_PASSWORD))
        return x400ms_error_set(err, X400MS_EINVAL,
                                "%s: mta_name is at most %d and password %d characters", path,
                                MTS_UB_MTA_NAME, MTS_UB_PASSWORD);
    const json_t *retry = u->cfg.retry;
    u->retry_min_ms = duration_ms(retry ? json_object_get(retry, "min") : NULL, 1000);
    u->retry_max_ms = duration_ms(retry ? json_object_get(retry, "max") : NULL, 60000);
    if (u->retry_min_ms <= 0 || u->retry_max_ms < u->retry_min_ms)
        return x400ms_error_set(err, X400MS_EINVAL,
                                "%s.retry: expected {\"min\": \"1s\", \"max\": \"60s\"} with "
                                "0 < min <= max", path);
    u->n_conns = (int)u->cfg.connections;
    for (int i = 0; i < u->n_conns; i++) {
        u->conns[i].u = u;
        u->conns[i].index = i;
    }
    if (u->cfg.new_password != NULL && strlen(u->cfg.new_password) > MTS_UB_PASSWORD)
        return x400ms_error_set(err, X400MS_EINVAL, "%s.new_password: at most %d characters",
                                path, MTS_UB_PASSWORD);
    if ((rc = encode_bind(u, u->cfg.password ? u->cfg.password : "")) < 0)
        return x400ms_error_set(err, rc, "p3: cannot encode the MTS-bind");

    struct x400ms_app_context *ac = &u->ac;
    mtsac_set(ac, MTSAC_ACCESS, u->cfg.reliable, u->is94);
    ac->max_peer_invokes = 8;
    ac->max_own_invokes = (unsigned)u->cfg.window;
    ac->invoke = up_invoke;
    ac->released = up_released;
    ac->aborted = up_aborted;

    u->ops.size = sizeof u->ops;
    u->ops.submit = up_submit;
    u->ops.cancel_deferred = up_cancel_deferred;
    u->ops.submission_control = up_submission_control;
    u->ops.forget = up_forget;
    rc = x400ms_service_register(core, X400MS_SERVICE_OTHER, X400MS_MTS_P3_UPSTREAM, &u->ops, u,
                                 err);
    if (rc == 0 && u->cfg.direct)
        rc = x400ms_mts_register(core, X400MS_MTS_P3_UPSTREAM, &u->ops, u, err);
    return rc;
}

int p3_upstream_start(struct p3_upstream *u, struct p3_module *m)
{
    u->m = m;
    struct x400ms_loop *loop = x400ms_core_next_loop(u->core);
    if (loop == NULL)
        return X400MS_ESTATE;
    pthread_mutex_lock(&u->lock);
    u->loop = loop;
    pthread_mutex_unlock(&u->lock);
    X400MS_LOG_N("submission initiator: upstream MTA %s:%lld (%s, %d association%s, back-off "
                 "%lld..%lld ms)%s", u->cfg.host, u->cfg.port, u->ac.name, u->n_conns,
                 u->n_conns == 1 ? "" : "s", u->retry_min_ms, u->retry_max_ms,
                 u->cfg.direct ? ", also the active MTS provider" : "");
    return x400ms_loop_post(loop, start_all, u);
}

static void stop_on_loop(struct p3_upstream *u)
{
    for (int i = 0; i < u->n_conns; i++) {
        struct up_conn *c = &u->conns[i];
        if (c->retry != NULL)
            x400ms_timer_remove(&c->retry);
        if (c->state == UP_BOUND && c->a != NULL)
            x400ms_assoc_abort(c->a, "p3 is stopping"); /* ENDED outcomes fail their ops */
    }
    for (;;) {
        pthread_mutex_lock(&u->lock);
        struct up_op *op = queue_pop(u);
        pthread_mutex_unlock(&u->lock);
        if (op == NULL)
            break;
        op_fail(op, X400MS_ESTATE, "p3 is stopping: not submitted to the upstream MTA");
    }
    pthread_mutex_lock(&u->lock);
    u->stopped_on_loop = true;
    pthread_cond_broadcast(&u->cond);
    pthread_mutex_unlock(&u->lock);
}

void p3_upstream_stop(struct p3_upstream *u)
{
    if (u == NULL)
        return;
    pthread_mutex_lock(&u->lock);
    u->stopping = true;
    struct x400ms_loop *loop = u->loop;
    pthread_mutex_unlock(&u->lock);
    if (loop == NULL || x400ms_loop_post(loop, stop_on_loop, u) < 0)
        return;
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += 5;
    pthread_mutex_lock(&u->lock);
    while (!u->stopped_on_loop)
        if (pthread_cond_timedwait(&u->cond, &u->lock, &until) == ETIMEDOUT)
            break;
    pthread_mutex_unlock(&u->lock);
    X400MS_LOG_I("submission initiator stopped: submitted=%lu accepted=%lu refused=%lu resent=%lu",
                 u->submitted, u->accepted, u->refused, u->resent);
}

void p3_upstream_free(struct p3_upstream **up)
{
    struct p3_upstream *u = *up;
    if (u == NULL)
        return;
    *up = NULL;
    for (int i = 0; i < u->n_conns; i++)
        if (u->conns[i].state == UP_CONNECTING || u->conns[i].state == UP_BOUND) {
            /* a confirm or an end may still come on a loop: keep the memory */
            X400MS_LOG_D("upstream state kept: an association is still being set up");
            return;
        }
    free(u->bind_arg);
    free(u->old_bind_arg);
    free(u->password);
    free(u->origins);
    pthread_mutex_destroy(&u->lock);
    pthread_cond_destroy(&u->cond);
    free(u);
}
