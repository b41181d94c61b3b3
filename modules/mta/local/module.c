/* modules/mta/local/module.c: the module "mta_local", the MTS provider
 * "local" (include/x400ms/mts.h) and its worker thread.
 *
 * Config (all optional):
 *   "store": store backend name (default: the first registered);
 *   "country", "admd", "prmd": the MTA's global domain identifier (X.411
 *     GlobalDomainIdentifier), used in every MTSIdentifier it assigns and to
 *     tell a recipient of its own domain (unrecognised-OR-name when no
 *     mailbox has the address) from a foreign one (relayed to p3's
 *     "p3-upstream" when it exists, relay.c; otherwise non-delivery
 *     no-bilateral-agreement); defaults "XX", " " (any ADMD), none;
 *   "retry": seconds before a delivery the store refused is tried again. */
#define X400MS_LOG_MODULE "mta_local"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "modules/mta/local/mta.h"
#include "x400ms/config.h"
#include "x400ms/log.h"
#include "x400ms/module.h"

struct mtal_config {
    const char *store, *country, *admd, *prmd;
    long long retry;
};

static const struct x400ms_cfg_spec mtal_spec[] = {
    { "store", X400MS_CFG_STRING, 0, offsetof(struct mtal_config, store),
      .help = "name of the store backend (default: the first registered)" },
    { "country", X400MS_CFG_STRING, X400MS_CFG_NONEMPTY, offsetof(struct mtal_config, country),
      .def_str = "XX", .help = "country of the MTA's global domain identifier (2 letters or 3 digits)" },
    { "admd", X400MS_CFG_STRING, X400MS_CFG_NONEMPTY, offsetof(struct mtal_config, admd),
      .def_str = " ", .help = "ADMD of the MTA's global domain identifier (\" \": any)" },
    { "prmd", X400MS_CFG_STRING, 0, offsetof(struct mtal_config, prmd),
      .def_str = "", .help = "PRMD of the MTA's global domain identifier (\"\": none)" },
    { "retry", X400MS_CFG_DURATION, 0, offsetof(struct mtal_config, retry), .min = 1,
      .max = 86400, .def_int = 60, .help = "delay before a failed store delivery is retried" },
    X400MS_CFG_END
};

/* ---- outcomes posted to the caller's loop ---- */

struct mtal_outcome_task {
    struct mtal_outcome_task *next;
    struct mtal *m;
    x400ms_mts_op_id op;
    bool forgotten;
    x400ms_mts_done_fn *done;
    void *arg;
    struct x400ms_mts_outcome o;
    uint8_t *result, *mtsid, *param;
    char reason[256];
};

static void outcome_run(struct mtal_outcome_task *t)
{
    struct mtal *m = t->m;
    pthread_mutex_lock(&m->lock);
    for (struct mtal_outcome_task **p = &m->pending; *p; p = &(*p)->next)
        if (*p == t) {
            *p = t->next;
            break;
        }
    bool forgotten = t->forgotten;
    pthread_mutex_unlock(&m->lock);
    if (!forgotten)
        t->done(t->arg, &t->o);
    free(t->result);
    free(t->mtsid);
    free(t->param);
    free(t);
}

static uint8_t *dup_bytes(const uint8_t *p, size_t n)
{
    uint8_t *d = malloc(n ? n : 1);
    if (d && n)
        memcpy(d, p, n);
    return d;
}

/* Posts an outcome; op_r gets its id. X400MS_ENOMEM / ESTATE when it cannot. */
static int post_outcome(struct mtal *m, struct x400ms_loop *loop, x400ms_mts_done_fn *done,
                        void *arg, const struct x400ms_mts_outcome *o, x400ms_mts_op_id *op_r,
                        struct x400ms_error *err)
{
    struct mtal_outcome_task *t = calloc(1, sizeof *t);
    if (t == NULL)
        return x400ms_error_set(err, X400MS_ENOMEM, "out of memory");
    t->m = m;
    t->done = done;
    t->arg = arg;
    t->o = *o;
    if (o->result_len)
        t->o.result = t->result = dup_bytes(o->result, o->result_len);
    if (o->mts_identifier_len)
        t->o.mts_identifier = t->mtsid = dup_bytes(o->mts_identifier, o->mts_identifier_len);
    if (o->parameter_len)
        t->o.parameter = t->param = dup_bytes(o->parameter, o->parameter_len);
    snprintf(t->reason, sizeof t->reason, "%s", o->reason ? o->reason : "");
    t->o.reason = t->reason;
    pthread_mutex_lock(&m->lock);
    t->op = ++m->next_op;
    t->next = m->pending;
    m->pending = t;
    pthread_mutex_unlock(&m->lock);
    if (op_r)
        *op_r = t->op;
    if (x400ms_loop_post(loop, outcome_run, t) < 0) {
        pthread_mutex_lock(&m->lock);
        for (struct mtal_outcome_task **p = &m->pending; *p; p = &(*p)->next)
            if (*p == t) {
                *p = t->next;
                break;
            }
        pthread_mutex_unlock(&m->lock);
        free(t->result);
        free(t->mtsid);
        free(t->param);
        free(t);
        return x400ms_error_set(err, X400MS_ESTATE, "the caller's loop is stopping");
    }
    return 0;
}

static void mtal_forget(void *ctx, x400ms_mts_op_id op)
{
    struct mtal *m = ctx;
    pthread_mutex_lock(&m->lock);
    for (struct mtal_outcome_task *t = m->pending; t; t = t->next)
        if (t->op == op)
            t->forgotten = true;
    pthread_mutex_unlock(&m->lock);
}

static int refuse(struct mtal *m, struct x400ms_loop *loop, x400ms_mts_done_fn *done, void *arg,
                  int64_t errcode, const struct ber_writer *param, const char *why,
                  x400ms_mts_op_id *op_r, struct x400ms_error *err)
{
    struct x400ms_mts_outcome o = { .kind = X400MS_MTS_REFUSED, .errcode = errcode,
                                    .reason = why };
    if (param != NULL && ber_writer_len(param) > 0) {
        o.parameter = ber_writer_data(param);
        o.parameter_len = ber_writer_len(param);
    }
    X400MS_LOG_N("submission refused (X.411 error %lld): %s", (long long)errcode, why);
    return post_outcome(m, loop, done, arg, &o, op_r, err);
}

/* ---- submission ---- */

static bool known_submission_extension(const struct mts_extension *e, void *arg)
{
    (void)arg;
    return !e->is_private && e->standard == MTAL_EXT_LATEST_DELIVERY_TIME;
}

struct addr_ctx {
    char address[X400MS_STORE_ADDRESS_MAX];
    bool found;
};

static int addr_visit(void *arg, const struct x400ms_store_mailbox_info *info)
{
    struct addr_ctx *ac = arg;
    snprintf(ac->address, sizeof ac->address, "%s", info->or_address ? info->or_address : "");
    ac->found = true;
    return 1;
}

/* X.411 8.2.1.1.3.x originator-invalid: the originator-name must be the
 * submitting mailbox's own O/R address. */
static bool originator_ok(struct mtal *m, const char *mailbox, const struct or_address *orig,
                          char *why, size_t n)
{
    struct addr_ctx ac = { .found = false };
    struct x400ms_error e = { 0 };
    m->store->mailbox_get(m->store_ctx, mailbox, NULL, addr_visit, &ac, &e);
    if (!ac.found) {
        snprintf(why, n, "originating mailbox %s does not exist", mailbox);
        return false;
    }
    struct or_address mine;
    if (or_address_parse(ac.address, strlen(ac.address), &mine, &e) < 0) {
        snprintf(why, n, "mailbox %s has no valid O/R address", mailbox);
        return false;
    }
    if (!or_address_match(&mine, orig)) {
        char text[X400MS_STORE_ADDRESS_MAX];
        if (or_address_format(orig, OR_TEXT_SLASH, text, sizeof text) < 0)
            snprintf(text, sizeof text, "(unprintable)");
        snprintf(why, n, "originator-name %.200s is not the address %.200s of mailbox %s", text,
                 ac.address, mailbox);
        return false;
    }
    return true;
}

static int mtal_submit(void *ctx, const struct x400ms_mts_submission *sub,
                       x400ms_mts_op_id *op_r, struct x400ms_error *err)
{
    struct mtal *m = ctx;
    if (sub == NULL || sub->size < offsetof(struct x400ms_mts_submission, reserved) ||
        sub->done == NULL || sub->envelope == NULL || sub->envelope_len == 0)
        return x400ms_error_set(err, X400MS_EINVAL, "submit: need a done callback and an envelope");
    struct x400ms_loop *loop = sub->loop ? sub->loop : x400ms_loop_current();
    if (loop == NULL)
        return x400ms_error_set(err, X400MS_EINVAL, "submit: no loop to report the outcome on");
    if (m->stopping)
        return x400ms_error_set(err, X400MS_ESTATE, "the local MTA is stopping");
    struct mtal_item *it = calloc(1, sizeof *it);
    if (it == NULL)
        return x400ms_error_set(err, X400MS_ENOMEM, "out of memory");
    it->probe = sub->probe;
    snprintf(it->mailbox, sizeof it->mailbox, "%s", sub->mailbox ? sub->mailbox : "");
    it->envelope = dup_bytes(sub->envelope, sub->envelope_len);
    it->envelope_len = sub->envelope_len;
    it->content_len = sub->probe ? 0 : sub->content_len;
    it->content = dup_bytes(sub->content, it->content_len);
    if (it->envelope == NULL || it->content == NULL) {
        mtal_item_free(it);
        return x400ms_error_set(err, X400MS_ENOMEM, "out of memory");
    }
    struct mts_submission_envelope env;
    int rc = mtal_decode_envelope(it, &env, err);
    if (rc < 0) {
        mtal_item_free(it);
        return X400MS_EINVAL;
    }
    char why[600];
    enum mtal_sub_result counted = MTAL_SUB_FAILED;
    struct ber_writer param;
    ber_writer_init(&param);
    struct ber_error berr = { 0 };
    struct mts_extension bad;
    /* X.411 9.1: a critical-for-submission extension we do not implement */
    rc = mts_extensions_check_critical(&env.extensions, MTS_CRIT_FOR_SUBMISSION,
                                       known_submission_extension, NULL, &bad, &berr);
    if (rc == X400MS_ENOTSUP) {
        snprintf(why, sizeof why, "critical extension %d not supported",
                 bad.is_private ? -1 : (int)bad.standard);
        rc = refuse(m, loop, sub->done, sub->arg, MTS_ERR_UNSUPPORTED_CRITICAL_FUNCTION, NULL, why,
                    op_r, err);
        counted = MTAL_SUB_REFUSED;
        goto out;
    }
    /* X.411 8.2.2.5 recipient-improperly-specified: no recipient, or one
     * whose O/R address is empty */
    struct or_address improper[16];
    size_t n_improper = 0;
    struct mhs_seq_iter iter;
    struct mts_submission_recipient r;
    mhs_seq_iter_init(&iter, &env.recipients, &berr);
    while (mts_submission_recipient_next(&iter, &r) > 0)
        if (or_address_is_empty(&r.recipient_name) && n_improper < 16)
            improper[n_improper++] = r.recipient_name;
    if (env.recipients.count == 0 || n_improper > 0) {
        mts_improper_recipients_encode(&param, improper, n_improper);
        snprintf(why, sizeof why, "%s", env.recipients.count == 0 ? "no recipient"
                                                                   : "empty recipient O/R address");
        rc = refuse(m, loop, sub->done, sub->arg, MTS_ERR_RECIPIENT_IMPROPERLY_SPECIFIED, &param,
                    why, op_r, err);
        counted = MTAL_SUB_REFUSED;
        goto out;
    }
    if (it->mailbox[0] != '\0' &&
        !originator_ok(m, it->mailbox, &env.originator_name, why, sizeof why)) {
        rc = refuse(m, loop, sub->done, sub->arg, MTS_ERR_ORIGINATOR_INVALID, NULL, why, op_r, err);
        counted = MTAL_SUB_REFUSED;
        goto out;
    }

    /* Accepted: identifier, time, durable queue, then the answer. */
    int64_t now = (int64_t)time(NULL);
    pthread_mutex_lock(&m->lock);
    uint32_t counter = ++m->id_counter;
    it->order = m->next_order++;
    pthread_mutex_unlock(&m->lock);
    snprintf(it->id, sizeof it->id, "%llx.%x.%x", (unsigned long long)now, (unsigned)getpid(),
             counter);
    it->submission_time = now;
    it->deferred = !it->probe && env.deferred_delivery_time.present
                       ? (int64_t)env.deferred_delivery_time.sec : 0;
    it->latest = mtal_latest_delivery_time(&env);
    it->rank = mtal_urgency_rank(env.priority);
    struct x400ms_error werr = { 0 };
    if ((rc = mtal_queue_write(m, it, &werr)) < 0) {
        X400MS_LOG_E("submission not taken: %s", werr.message);
        struct x400ms_mts_outcome o = { .kind = X400MS_MTS_FAILED, .status = rc,
                                        .reason = werr.message };
        rc = post_outcome(m, loop, sub->done, sub->arg, &o, op_r, err);
        counted = MTAL_SUB_FAILED;
        goto out;
    }
    struct mts_identifier id;
    mtal_identifier(m, it, &id);
    uint8_t idbuf[X400MS_STORE_MTS_ID_MAX];
    struct ber_writer w;
    ber_writer_init_fixed(&w, idbuf, sizeof idbuf);
    mts_identifier_encode(&w, BER_APP(4), &id);
    /* MessageSubmissionResult / ProbeSubmissionResult (X.411 8.2.1.1.2) */
    struct mts_submission_result res;
    memset(&res, 0, sizeof res);
    res.identifier = id;
    res.time = mhs_time_make((time_t)now);
    res.content_identifier = env.content_identifier;
    struct ber_writer rw;
    ber_writer_init(&rw);
    mts_submission_result_encode(&rw, &res);
    struct x400ms_mts_outcome o = {
        .kind = X400MS_MTS_ACCEPTED,
        .result = ber_writer_data(&rw), .result_len = ber_writer_len(&rw),
        .mts_identifier = ber_writer_data(&w), .mts_identifier_len = ber_writer_len(&w),
        .submission_time = now, .reason = "accepted by the local MTA",
    };
    rc = post_outcome(m, loop, sub->done, sub->arg, &o, op_r, err);
    counted = MTAL_SUB_OK;
    ber_writer_free(&rw);
    X400MS_LOG_I("%s %s accepted from %s%s", it->probe ? "probe" : "message", it->id,
                 it->mailbox[0] ? it->mailbox : "(no mailbox)", it->deferred > now ? " (deferred)" : "");
    /* Queued even if the caller's loop is gone: the message was taken. */
    pthread_mutex_lock(&m->lock);
    it->next = m->items;
    m->items = it;
    it = NULL;
    pthread_cond_broadcast(&m->cond);
    pthread_mutex_unlock(&m->lock);
out:
    /* an outcome that will reach the caller (not a call that failed) */
    if (rc >= 0)
        mtal_metrics_submission(counted);
    ber_writer_free(&param);
    mtal_item_free(it);
    return rc;
}

/* X.411 8.2.1.3 cancel-deferred-delivery. */
static int mtal_cancel_deferred(void *ctx, const struct x400ms_mts_request *req,
                                x400ms_mts_op_id *op_r, struct x400ms_error *err)
{
    struct mtal *m = ctx;
    if (req == NULL || req->done == NULL || req->argument == NULL)
        return x400ms_error_set(err, X400MS_EINVAL, "cancel: need a done callback and an identifier");
    struct x400ms_loop *loop = req->loop ? req->loop : x400ms_loop_current();
    if (loop == NULL)
        return x400ms_error_set(err, X400MS_EINVAL, "cancel: no loop to report the outcome on");
    struct ber_error berr = { 0 };
    struct ber_ctx c;
    struct ber_tlv t;
    struct mts_identifier id;
    ber_ctx_init(&c, req->argument, req->argument_len, &berr);
    if (ber_decode_top(&c, &t, "MessageSubmissionIdentifier") < 0 ||
        mts_identifier_decode_tlv(&c, &t, &id, "MessageSubmissionIdentifier") < 0)
        return ber_error_to_x400ms(&berr, err, "MessageSubmissionIdentifier");
    char local[MTS_UB_LOCAL_ID + 1];
    snprintf(local, sizeof local, "%.*s", (int)id.local.len, (const char *)id.local.ptr);
    const char *mailbox = req->mailbox ? req->mailbox : "";
    int64_t errcode = MTS_ERR_MESSAGE_SUBMISSION_IDENTIFIER_INVALID;
    struct mtal_item *gone = NULL;
    int64_t now = (int64_t)time(NULL);
    pthread_mutex_lock(&m->lock);
    for (struct mtal_item **p = &m->items; *p; p = &(*p)->next) {
        struct mtal_item *it = *p;
        if (strcmp(it->id, local) != 0 || strcmp(it->mailbox, mailbox) != 0)
            continue;
        if (it->busy || it->deferred <= now || it->probe) {
            errcode = MTS_ERR_DEFERRED_DELIVERY_CANCELLATION_REJECTED;
        } else {
            *p = it->next;
            gone = it;
            errcode = 0;
        }
        break;
    }
    pthread_mutex_unlock(&m->lock);
    if (gone != NULL) {
        mtal_queue_remove(m, gone);
        X400MS_LOG_I("deferred message %s cancelled by %s", gone->id, mailbox);
        mtal_item_free(gone);
        struct x400ms_mts_outcome o = { .kind = X400MS_MTS_ACCEPTED, .reason = "cancelled" };
        return post_outcome(m, loop, req->done, req->arg, &o, op_r, err);
    }
    return refuse(m, loop, req->done, req->arg, errcode, NULL,
                  errcode == MTS_ERR_DEFERRED_DELIVERY_CANCELLATION_REJECTED
                      ? "the message is no longer waiting for its deferred-delivery-time"
                      : "no deferred message of this mailbox has that identifier",
                  op_r, err);
}

/* X.411 8.2.1.4 submission-control: this MTA sets no restriction. */
static int mtal_submission_control(void *ctx, const struct x400ms_mts_request *req,
                                   x400ms_mts_op_id *op_r, struct x400ms_error *err)
{
    struct mtal *m = ctx;
    if (req == NULL || req->done == NULL)
        return x400ms_error_set(err, X400MS_EINVAL, "submission-control: need a done callback");
    struct x400ms_loop *loop = req->loop ? req->loop : x400ms_loop_current();
    if (loop == NULL)
        return x400ms_error_set(err, X400MS_EINVAL, "submission-control: no loop");
    static const uint8_t waiting[] = { 0x31, 0x00 }; /* Waiting: every member DEFAULT */
    struct x400ms_mts_outcome o = { .kind = X400MS_MTS_ACCEPTED, .result = waiting,
                                    .result_len = sizeof waiting, .reason = "no controls" };
    return post_outcome(m, loop, req->done, req->arg, &o, op_r, err);
}

static const struct x400ms_mts_ops mtal_ops = {
    .size = sizeof(struct x400ms_mts_ops),
    .submit = mtal_submit,
    .cancel_deferred = mtal_cancel_deferred,
    .submission_control = mtal_submission_control,
    .forget = mtal_forget,
};

/* ---- the worker ---- */

/* The ready item to do next: most urgent first (X.411 priority), then in
 * submission order; *wake_r the earliest deferred time still to come. */
static struct mtal_item *pick(struct mtal *m, int64_t now, int64_t *wake_r)
{
    struct mtal_item *best = NULL;
    *wake_r = 0;
    for (struct mtal_item *it = m->items; it; it = it->next) {
        if (it->busy)
            continue;
        if (it->deferred > now) {
            if (*wake_r == 0 || it->deferred < *wake_r)
                *wake_r = it->deferred;
            continue;
        }
        if (best == NULL || it->rank > best->rank ||
            (it->rank == best->rank && it->order < best->order))
            best = it;
    }
    return best;
}

static void *worker_main(void *arg)
{
    struct mtal *m = arg;
    pthread_mutex_lock(&m->lock);
    while (!m->stopping) {
        int64_t wake;
        struct mtal_item *it = pick(m, (int64_t)time(NULL), &wake);
        if (it == NULL) {
            if (wake == 0) {
                pthread_cond_wait(&m->cond, &m->lock);
            } else {
                struct timespec ts = { .tv_sec = (time_t)wake, .tv_nsec = 0 };
                pthread_cond_timedwait(&m->cond, &m->lock, &ts);
            }
            continue;
        }
        it->busy = true;
        pthread_mutex_unlock(&m->lock);
        int rc = mtal_process(m, it);
        if (rc == 0)
            mtal_queue_remove(m, it);
        pthread_mutex_lock(&m->lock);
        if (rc == 0) {
            for (struct mtal_item **p = &m->items; *p; p = &(*p)->next)
                if (*p == it) {
                    *p = it->next;
                    break;
                }
            mtal_item_free(it);
        } else if (rc == MTAL_WAIT_RELAY) {
            /* stays busy: relay.c gives it back when the upstream answers */
        } else {
            it->busy = false;
            it->deferred = (int64_t)time(NULL) + m->retry_s;
        }
    }
    pthread_mutex_unlock(&m->lock);
    return NULL;
}

/* ---- module ---- */

static int mtal_init(struct x400ms_core *core, const json_t *config, void **state,
                     struct x400ms_error *err)
{
    struct mtal_config cfg;
    memset(&cfg, 0, sizeof cfg);
    int rc = x400ms_config_parse(config, x400ms_core_config_path(core), mtal_spec, &cfg, err);
    if (rc < 0)
        return rc;
    struct mtal *m = calloc(1, sizeof *m);
    if (m == NULL)
        return x400ms_error_set(err, X400MS_ENOMEM, "out of memory");
    m->core = core;
    m->store_name = cfg.store;
    snprintf(m->country, sizeof m->country, "%s", cfg.country);
    snprintf(m->admd, sizeof m->admd, "%s", cfg.admd);
    snprintf(m->prmd, sizeof m->prmd, "%s", cfg.prmd ? cfg.prmd : "");
    m->retry_s = cfg.retry;
    pthread_mutex_init(&m->lock, NULL);
    pthread_cond_init(&m->cond, NULL);
    if ((rc = x400ms_mts_register(core, X400MS_MTS_LOCAL, &mtal_ops, m, err)) < 0 ||
        (rc = mtal_metrics_register(core, err)) < 0) {
        pthread_mutex_destroy(&m->lock);
        pthread_cond_destroy(&m->cond);
        free(m);
        return rc;
    }
    *state = m;
    return 0;
}

static int mtal_start(void *state)
{
    struct mtal *m = state;
    struct x400ms_error err = { 0 };
    m->store = x400ms_store_find(m->core, m->store_name, &m->store_ctx);
    if (m->store == NULL) {
        X400MS_LOG_E("no store backend%s%s registered: load a store module (e.g. store_file) "
                     "before mta_local", m->store_name ? " named " : "",
                     m->store_name ? m->store_name : "");
        return X400MS_EDEP;
    }
    if (mtsu_mbindex_new(m->store, m->store_ctx, &m->mbindex, &err) < 0) {
        X400MS_LOG_E("%s", err.message);
        return err.code;
    }
    if (mtal_queue_open(m, &err) < 0 || mtal_queue_load(m, &err) < 0) {
        X400MS_LOG_E("queue: %s", err.message);
        return err.code ? err.code : X400MS_EIO;
    }
    if (pthread_create(&m->worker, NULL, worker_main, m) != 0) {
        X400MS_LOG_E("cannot start the worker thread: %s", strerror(errno));
        return X400MS_ENOMEM;
    }
    m->started = true;
    X400MS_LOG_N("local MTA ready (domain C=%s;ADMD=%s;PRMD=%s), queue %s", m->country, m->admd,
                 m->prmd, m->queue_dir);
    return 0;
}

static void mtal_stop(void *state)
{
    struct mtal *m = state;
    pthread_mutex_lock(&m->lock);
    m->stopping = true;
    pthread_cond_broadcast(&m->cond);
    pthread_mutex_unlock(&m->lock);
    if (m->started) {
        pthread_join(m->worker, NULL);
        m->started = false;
    }
}

static void mtal_fini(void *state)
{
    struct mtal *m = state;
    mtal_stop(m);
    mtsu_mbindex_free(&m->mbindex); /* only the worker used it */
    /* detached under the lock: a relay outcome (relay.c) may still look */
    pthread_mutex_lock(&m->lock);
    struct mtal_item *items = m->items;
    m->items = NULL;
    pthread_mutex_unlock(&m->lock);
    while (items) {
        struct mtal_item *it = items;
        items = it->next;
        mtal_item_free(it); /* still on disk: delivered after the restart */
    }
    pthread_mutex_lock(&m->lock);
    /* a relay outcome (relay.c) still to come holds m too */
    bool pending = m->pending != NULL || m->relays_outstanding > 0;
    pthread_mutex_unlock(&m->lock);
    if (pending)
        return; /* an outcome is still posted to a loop that never ran it: keep m alive */
    pthread_mutex_destroy(&m->lock);
    pthread_cond_destroy(&m->cond);
    free(m);
}

X400MS_MODULE_EXPORT const struct x400ms_module X400MS_MODULE_ENTRY = {
    X400MS_MODULE_HEADER,
    .name = "mta_local",
    .version = "0.1",
    .requires = NULL,
    .init = mtal_init,
    .start = mtal_start,
    .stop = mtal_stop,
    .fini = mtal_fini,
};
