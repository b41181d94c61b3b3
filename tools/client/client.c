/* The P7 client library: one association per client on the private OSI
 * stack (embed.c), blocking calls built on loop-driven ones. Every touch of
 * the association happens on its loop thread (include/x400ms/assoc.h); the
 * caller's thread waits on a condition variable. */
#define X400MS_LOG_MODULE "client"
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "asn1/ms.h"
#include "asn1/orname.h"
#include "tools/client/client-private.h"
#include "tools/client/client-ops.h"
#include "x400ms/assoc.h"
#include "x400ms/log.h"

static const struct x400ms_abstract_syntax syn_88[] = {
    { "2.6.0.2.9", X400MS_AS_BIND | X400MS_AS_REQUIRED },
    { "2.6.0.2.5", 0 }, { "2.6.0.2.1", 0 }, { "2.6.0.2.6", 0 },
};
static const struct x400ms_abstract_syntax syn_94[] = {
    { "2.6.0.2.17", X400MS_AS_BIND | X400MS_AS_REQUIRED },
    { "2.6.0.2.15", 0 }, { "2.6.0.2.13", 0 }, { "2.6.0.2.16", 0 },
};
static const struct x400ms_abstract_syntax syn_r88[] = {
    { "2.6.0.2.10", X400MS_AS_BIND | X400MS_AS_RTSE | X400MS_AS_REQUIRED },
    { "2.6.0.2.5", 0 }, { "2.6.0.2.1", 0 }, { "2.6.0.2.6", 0 },
};
static const struct x400ms_abstract_syntax syn_r94[] = {
    { "2.6.0.2.10", X400MS_AS_BIND | X400MS_AS_RTSE | X400MS_AS_REQUIRED },
    { "2.6.0.2.15", 0 }, { "2.6.0.2.13", 0 }, { "2.6.0.2.16", 0 },
};
static const int64_t alert_op[] = { MS_OP_ALERT };

/* ---- waiting ---- */

static void deadline_of(unsigned ms, struct timespec *ts)
{
    clock_gettime(CLOCK_REALTIME, ts);
    ts->tv_sec += ms / 1000;
    ts->tv_nsec += (long)(ms % 1000) * 1000000L;
    if (ts->tv_nsec >= 1000000000L) {
        ts->tv_sec++;
        ts->tv_nsec -= 1000000000L;
    }
}

/* ---- association callbacks (loop thread) ---- */

static void client_alert(void *ctx, struct x400ms_assoc *a, const struct x400ms_invoke *inv)
{
    struct x400ms_client *c = ctx;
    static const uint8_t null[] = { 0x05, 0x00 };
    struct ms_alert_arg arg;
    struct ber_error be;
    memset(&be, 0, sizeof be);
    if (ms_alert_arg_decode(ber_slice_make(inv->argument.ptr, inv->argument.len), &arg, &be) < 0) {
        x400ms_assoc_reject(a, inv->invoke_id, X400MS_ROSE_INVOKE_MISTYPED_ARGUMENT);
        return;
    }
    if (c->alert_fn != NULL)
        c->alert_fn(c->alert_ctx, arg.registration_id,
                    arg.has_new_entry ? (uint32_t)arg.new_entry.sequence_number : 0,
                    inv->argument.ptr, inv->argument.len);
    x400ms_assoc_reply(a, inv->invoke_id, X400MS_BYTES(null, sizeof null)); /* AlertResult NULL */
}

static void client_ended(struct x400ms_client *c, const char *why)
{
    pthread_mutex_lock(&c->lock);
    c->a = NULL;
    c->ended = true;
    snprintf(c->end_reason, sizeof c->end_reason, "%s", why);
    pthread_cond_broadcast(&c->cond);
    bool free_it = c->abandoned;
    pthread_mutex_unlock(&c->lock);
    if (free_it)
        x400ms_loop_post(c->loop, client_free_task, c);
}

static void client_released(void *ctx, struct x400ms_assoc *a)
{
    (void)a;
    client_ended(ctx, "released");
}

static void client_aborted(void *ctx, struct x400ms_assoc *a, const struct x400ms_abort_info *why)
{
    (void)a;
    client_ended(ctx, why && why->reason ? why->reason : "aborted");
}

static void client_confirm(void *ctx, struct x400ms_assoc *a, const struct x400ms_connect_result *r)
{
    struct x400ms_client *c = ctx;
    pthread_mutex_lock(&c->lock);
    c->confirmed = true;
    c->connect_status = (int)r->status;
    snprintf(c->end_reason, sizeof c->end_reason, "%s", r->reason ? r->reason : "");
    struct x400ms_bytes b = r->status == X400MS_CONNECT_ACCEPTED ? r->bind_result : r->bind_error;
    if (b.len > 0 && (c->bind_bytes = malloc(b.len)) != NULL) {
        memcpy(c->bind_bytes, b.ptr, b.len);
        c->bind_len = b.len;
    }
    c->acse_diag = r->acse_diagnostic;
    if (r->status == X400MS_CONNECT_ACCEPTED)
        c->a = a;
    else
        c->ended = true;
    bool abandoned = c->abandoned;
    pthread_cond_broadcast(&c->cond);
    pthread_mutex_unlock(&c->lock);
    if (abandoned) {
        if (a != NULL)
            x400ms_assoc_abort(a, "client gave up waiting");
        else
            x400ms_loop_post(c->loop, client_free_task, c);
    }
}

void client_free_task(struct x400ms_client *c)
{
    pthread_mutex_destroy(&c->lock);
    pthread_cond_destroy(&c->cond);
    free(c->bind_bytes);
    free(c->last_param);
    free(c);
}

/* ---- bind ---- */

struct connect_task {
    struct x400ms_client *c;
    struct x400ms_assoc_request req;
    uint8_t *bind_arg;
    size_t bind_len;
};

static void connect_start(struct connect_task *t)
{
    struct x400ms_error err;
    struct x400ms_client *c = t->c;
    int rc = x400ms_assoc_connect(c->core, &t->req, &err);
    if (rc < 0) {
        pthread_mutex_lock(&c->lock);
        c->confirmed = true;
        c->ended = true;
        c->connect_status = X400MS_CONNECT_FAILED;
        snprintf(c->end_reason, sizeof c->end_reason, "%s", err.message);
        bool abandoned = c->abandoned;
        pthread_cond_broadcast(&c->cond);
        pthread_mutex_unlock(&c->lock);
        if (abandoned)
            client_free_task(c);
    }
    free(t->bind_arg);
    free(t);
}

static int build_bind_arg(const struct x400ms_client_params *p, struct ber_writer *w,
                          struct x400ms_error *err)
{
    struct ms_bind_arg arg;
    memset(&arg, 0, sizeof arg);
    const char *name = p->or_address ? p->or_address : "";
    if (or_address_parse(name, strlen(name), &arg.initiator_name, err) < 0)
        return X400MS_EINVAL;
    arg.credentials.kind = MTS_CRED_SIMPLE;
    const char *pw = p->password ? p->password : "";
    arg.credentials.password = ber_slice_make(pw, strlen(pw));
    if (p->fetch_restrictions != NULL)
        arg.fetch_restrictions = ber_slice_make(p->fetch_restrictions, p->fetch_restrictions_len);
    arg.ms_configuration_request = p->configuration_request;
    if (ms_bind_arg_encode(w, &arg) < 0 || w->error)
        return x400ms_error_set(err, X400MS_EINVAL, "client: cannot encode the MSBindArgument");
    return 0;
}

static void bind_info_fill(const struct x400ms_client *c, struct x400ms_client_bind_info *info)
{
    memset(info, 0, sizeof *info);
    struct ms_bind_result r;
    struct ber_error be;
    memset(&be, 0, sizeof be);
    if (c->bind_bytes == NULL || ms_bind_result_decode(ber_slice_make(c->bind_bytes, c->bind_len), &r, &be) < 0)
        return;
    info->alert_indication = r.alert_indication;
    struct { const struct ms_oid_list *l; char (*out)[64]; size_t *n; size_t max; } lists[] = {
        { &r.available_auto_actions, info->auto_actions, &info->n_auto_actions, X400MS_CLIENT_MAX_OIDS },
        { &r.available_attribute_types, info->attribute_types, &info->n_attribute_types, X400MS_CLIENT_MAX_OIDS },
        { &r.content_types_supported, info->content_types, &info->n_content_types, 8 },
        { &r.matching_rules_supported, info->matching_rules, &info->n_matching_rules, 16 },
    };
    for (size_t k = 0; k < sizeof lists / sizeof lists[0]; k++) {
        if (!lists[k].l->present)
            continue;
        struct mhs_seq_iter it;
        struct ber_slice oid;
        mhs_seq_iter_init(&it, &lists[k].l->raw, &be);
        while (ms_oid_next(&it, &oid) == 1 && *lists[k].n < lists[k].max)
            if (ber_oid_to_text(oid, lists[k].out[*lists[k].n], 64) > 0)
                (*lists[k].n)++;
    }
    if (r.entry_classes_supported.present) {
        struct mhs_seq_iter it;
        int64_t v;
        mhs_seq_iter_init(&it, &r.entry_classes_supported.raw, &be);
        while (ms_int_next(&it, &v) == 1 && info->n_entry_classes < 8)
            info->entry_classes[info->n_entry_classes++] = (int)v;
    }
}

int x400ms_client_bind(const struct x400ms_client_params *p, struct x400ms_client **c_r,
                       struct x400ms_client_bind_info *info, struct x400ms_error *err)
{
    *c_r = NULL;
    struct x400ms_core *core;
    int rc = client_env_get(p, &core, err);
    if (rc < 0)
        return rc;
    struct x400ms_client *c = calloc(1, sizeof *c);
    struct connect_task *t = calloc(1, sizeof *t);
    if (c == NULL || t == NULL) {
        free(c);
        free(t);
        return x400ms_error_set(err, X400MS_ENOMEM, "client: out of memory");
    }
    pthread_mutex_init(&c->lock, NULL);
    pthread_cond_init(&c->cond, NULL);
    c->core = core;
    c->loop = x400ms_core_loop(core, 0);
    c->timeout_ms = p->timeout_ms ? p->timeout_ms : 30000;
    c->is94 = p->version == X400MS_CLIENT_MS_94;
    c->last_problem = -1;

    struct x400ms_app_context *ac = &c->ac;
    ac->size = sizeof *ac;
    ac->oid = c->is94 ? (p->reliable ? "2.6.0.1.12" : "2.6.0.1.11") : (p->reliable ? "2.6.0.1.5" : "2.6.0.1.4");
    ac->name = "p7-client";
    ac->syntaxes = c->is94 ? (p->reliable ? syn_r94 : syn_94) : (p->reliable ? syn_r88 : syn_88);
    ac->n_syntaxes = 4;
    ac->reliable = p->reliable;
    ac->opcodes = alert_op;
    ac->n_opcodes = 1;
    ac->invoke = client_alert;
    ac->released = client_released;
    ac->aborted = client_aborted;

    struct ber_writer w;
    ber_writer_init(&w);
    if ((rc = build_bind_arg(p, &w, err)) < 0) {
        ber_writer_free(&w);
        client_free_task(c);
        free(t);
        return rc;
    }
    t->c = c;
    t->bind_arg = ber_writer_take(&w, &t->bind_len);
    ber_writer_free(&w);
    struct x400ms_assoc_request *req = &t->req;
    req->size = sizeof *req;
    req->transport = p->tls ? "tls" : "rfc1006";
    req->host = p->host ? p->host : "127.0.0.1";
    req->port = p->port ? p->port : 10102;
    req->context = ac;
    req->ctx = c;
    req->bind_argument = X400MS_BYTES(t->bind_arg, t->bind_len);
    req->timeout_ms = c->timeout_ms;
    req->confirm = client_confirm;
    /* t (and req inside it) belongs to the loop once posted: connect_start
     * frees it, so the messages below name the peer from these copies. */
    const char *host = req->host;
    int port = req->port;
    if (x400ms_loop_post(c->loop, connect_start, t) < 0) {
        free(t->bind_arg);
        free(t);
        client_free_task(c);
        return x400ms_error_set(err, X400MS_ESTATE, "client: the OSI stack is stopping");
    }

    struct timespec ts;
    deadline_of(c->timeout_ms + 2000, &ts);
    pthread_mutex_lock(&c->lock);
    while (!c->confirmed && rc == 0)
        if (pthread_cond_timedwait(&c->cond, &c->lock, &ts) == ETIMEDOUT)
            rc = X400MS_ETIMEDOUT;
    if (rc != 0) {
        c->abandoned = true; /* the loop frees it when the confirm comes */
        pthread_mutex_unlock(&c->lock);
        return x400ms_error_set(err, rc, "client: no answer to the bind from %s:%d", host,
                                port);
    }
    pthread_mutex_unlock(&c->lock);
    switch (c->connect_status) {
    case X400MS_CONNECT_ACCEPTED:
        break;
    case X400MS_CONNECT_BIND_ERROR: {
        struct ms_bind_error be_;
        struct ber_error be;
        memset(&be, 0, sizeof be);
        int problem = -1;
        if (c->bind_bytes != NULL &&
            ms_bind_error_decode(ber_slice_make(c->bind_bytes, c->bind_len), &be_, &be) == 0)
            problem = be_.problem;
        c->last_errcode = -1;
        c->last_problem = problem;
        rc = x400ms_error_set(err, problem == 0 ? X400MS_EAUTH : X400MS_EPERM,
                              "MS-bind refused: %s",
                              problem == 0 ? "authentication-error"
                              : problem == 1 ? "unacceptable-security-context"
                              : problem == 2 ? "unable-to-establish-association"
                                             : "bind error");
        client_free_task(c);
        return rc;
    }
    case X400MS_CONNECT_REJECTED:
        rc = x400ms_error_set(err, X400MS_EPERM, "association rejected by %s:%d (diagnostic %d): %s",
                              host, port, c->acse_diag, c->end_reason);
        client_free_task(c);
        return rc;
    default:
        rc = x400ms_error_set(err, X400MS_ECLOSED, "cannot associate with %s:%d: %s", host,
                              port, c->end_reason);
        client_free_task(c);
        return rc;
    }
    if (info != NULL)
        bind_info_fill(c, info);
    *c_r = c;
    return 0;
}

bool x400ms_client_alive(const struct x400ms_client *c)
{
    struct x400ms_client *m = (struct x400ms_client *)c;
    pthread_mutex_lock(&m->lock);
    bool up = !c->ended;
    pthread_mutex_unlock(&m->lock);
    return up;
}

struct x400ms_loop *x400ms_client_loop(const struct x400ms_client *c)
{
    return c->loop;
}

void x400ms_client_set_alert_handler(struct x400ms_client *c, x400ms_client_alert_fn *fn, void *ctx)
{
    pthread_mutex_lock(&c->lock);
    c->alert_fn = fn;
    c->alert_ctx = ctx;
    pthread_mutex_unlock(&c->lock);
}

/* ---- release / abort ---- */

static void release_task(struct x400ms_client *c)
{
    if (c->a != NULL && x400ms_assoc_release(c->a, X400MS_NO_BYTES) < 0)
        x400ms_assoc_abort(c->a, "release refused");
}

static void abort_task(struct x400ms_client *c)
{
    if (c->a != NULL)
        x400ms_assoc_abort(c->a, "client abort");
}

static int end_and_free(struct x400ms_client *c, void (*task)(struct x400ms_client *))
{
    int rc = 0;
    struct timespec ts;
    deadline_of(c->timeout_ms, &ts);
    pthread_mutex_lock(&c->lock);
    if (!c->ended) {
        pthread_mutex_unlock(&c->lock);
        x400ms_loop_post(c->loop, task, c);
        pthread_mutex_lock(&c->lock);
        while (!c->ended && rc == 0)
            if (pthread_cond_timedwait(&c->cond, &c->lock, &ts) == ETIMEDOUT)
                rc = X400MS_ETIMEDOUT;
    }
    if (!c->ended) {
        c->abandoned = true; /* freed by the loop once it ends */
        pthread_mutex_unlock(&c->lock);
        x400ms_loop_post(c->loop, abort_task, c);
        return rc;
    }
    bool released = strcmp(c->end_reason, "released") == 0;
    pthread_mutex_unlock(&c->lock);
    /* free on the loop, after the callback that ended it has returned */
    x400ms_loop_post(c->loop, client_free_task, c);
    return released ? 0 : X400MS_ECLOSED;
}

int x400ms_client_unbind(struct x400ms_client **cp)
{
    struct x400ms_client *c = *cp;
    *cp = NULL;
    return c ? end_and_free(c, release_task) : 0;
}

void x400ms_client_abort(struct x400ms_client **cp)
{
    struct x400ms_client *c = *cp;
    *cp = NULL;
    if (c)
        end_and_free(c, abort_task);
}

/* ---- invokes ---- */

void x400ms_client_outcome_free(struct x400ms_client_outcome *o)
{
    free(o->data);
    memset(o, 0, sizeof *o);
}

struct invoke_task {
    struct x400ms_client *c;
    int64_t opcode;
    uint8_t *arg;
    size_t len;
    /* async */
    x400ms_client_done_fn *done_fn;
    void *done_ctx;
    /* blocking */
    bool blocking, finished, abandoned;
    struct x400ms_client_outcome out;
};

static void outcome_copy(struct x400ms_client_outcome *dst, const struct x400ms_outcome *o)
{
    memset(dst, 0, sizeof *dst);
    dst->kind = (int)o->kind;
    dst->errcode = o->errcode;
    dst->problem = (int)o->problem;
    struct x400ms_bytes b = o->kind == X400MS_OUTCOME_RESULT ? o->result : o->parameter;
    if (o->kind != X400MS_OUTCOME_REJECT && o->kind != X400MS_OUTCOME_ENDED && b.len > 0 &&
        (dst->data = malloc(b.len)) != NULL) {
        memcpy(dst->data, b.ptr, b.len);
        dst->len = b.len;
    }
}

static void invoke_finish(struct invoke_task *t)
{
    if (!t->blocking) {
        t->done_fn(t->done_ctx, &t->out);
        x400ms_client_outcome_free(&t->out);
        free(t->arg);
        free(t);
        return;
    }
    struct x400ms_client *c = t->c;
    pthread_mutex_lock(&c->lock);
    t->finished = true;
    bool abandoned = t->abandoned;
    pthread_cond_broadcast(&c->cond);
    pthread_mutex_unlock(&c->lock);
    if (abandoned) {
        x400ms_client_outcome_free(&t->out);
        free(t->arg);
        free(t);
    }
}

static void invoke_done(void *arg, struct x400ms_assoc *a, const struct x400ms_outcome *o)
{
    (void)a;
    struct invoke_task *t = arg;
    outcome_copy(&t->out, o);
    invoke_finish(t);
}

static void invoke_start(struct invoke_task *t)
{
    struct x400ms_client *c = t->c;
    int rc = c->a == NULL ? X400MS_ECLOSED
                          : x400ms_assoc_invoke(c->a, t->opcode, X400MS_BYTES(t->arg, t->len), NULL,
                                                invoke_done, t, NULL);
    if (rc < 0) {
        memset(&t->out, 0, sizeof t->out);
        t->out.kind = X400MS_OUTCOME_ENDED;
        invoke_finish(t);
    }
}

static struct invoke_task *task_new(struct x400ms_client *c, int64_t opcode, const uint8_t *arg,
                                    size_t len)
{
    struct invoke_task *t = calloc(1, sizeof *t);
    if (t == NULL || (t->arg = malloc(len ? len : 1)) == NULL) {
        free(t);
        return NULL;
    }
    memcpy(t->arg, arg, len);
    t->len = len;
    t->c = c;
    t->opcode = opcode;
    return t;
}

int x400ms_client_invoke_async(struct x400ms_client *c, int64_t opcode, const uint8_t *arg,
                               size_t len, x400ms_client_done_fn *done, void *ctx,
                               struct x400ms_error *err)
{
    struct invoke_task *t = task_new(c, opcode, arg, len);
    if (t == NULL)
        return x400ms_error_set(err, X400MS_ENOMEM, "client: out of memory");
    t->done_fn = done;
    t->done_ctx = ctx;
    if (x400ms_loop_current() == c->loop) {
        invoke_start(t);
        return 0;
    }
    if (x400ms_loop_post(c->loop, invoke_start, t) < 0) {
        free(t->arg);
        free(t);
        return x400ms_error_set(err, X400MS_ESTATE, "client: the OSI stack is stopping");
    }
    return 0;
}

int x400ms_client_invoke(struct x400ms_client *c, int64_t opcode, const uint8_t *arg, size_t len,
                         struct x400ms_client_outcome *out, struct x400ms_error *err)
{
    memset(out, 0, sizeof *out);
    struct invoke_task *t = task_new(c, opcode, arg, len);
    if (t == NULL)
        return x400ms_error_set(err, X400MS_ENOMEM, "client: out of memory");
    t->blocking = true;
    if (x400ms_loop_post(c->loop, invoke_start, t) < 0) {
        free(t->arg);
        free(t);
        return x400ms_error_set(err, X400MS_ESTATE, "client: the OSI stack is stopping");
    }
    int rc = 0;
    struct timespec ts;
    deadline_of(c->timeout_ms, &ts);
    pthread_mutex_lock(&c->lock);
    while (!t->finished && rc == 0)
        if (pthread_cond_timedwait(&c->cond, &c->lock, &ts) == ETIMEDOUT)
            rc = X400MS_ETIMEDOUT;
    if (rc != 0) {
        t->abandoned = true;
        pthread_mutex_unlock(&c->lock);
        return x400ms_error_set(err, rc, "client: no answer to operation %lld within %u ms",
                                (long long)opcode, c->timeout_ms);
    }
    pthread_mutex_unlock(&c->lock);
    *out = t->out;
    free(t->arg);
    free(t);
    if (out->kind == X400MS_OUTCOME_ENDED)
        return x400ms_error_set(err, X400MS_ECLOSED, "client: the association ended");
    return 0;
}

void x400ms_client_last_error(const struct x400ms_client *c, int64_t *errcode, int64_t *problem,
                              const uint8_t **param, size_t *param_len)
{
    if (errcode)
        *errcode = c->last_errcode;
    if (problem)
        *problem = c->last_problem;
    if (param)
        *param = c->last_param;
    if (param_len)
        *param_len = c->last_param_len;
}
