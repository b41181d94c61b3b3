/* modules/protocol/p7: the module descriptor, its configuration, the four
 * application contexts (X.419 / DESIGN.md section 7) and the life of a
 * session. */
#define X400MS_LOG_MODULE "p7"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "modules/protocol/p7/p7.h"
#include "x400ms/bind_event.h"
#include "x400ms/config.h"
#include "x400ms/hooks.h"
#include "x400ms/log.h"
#include "x400ms/loop.h"
#include "x400ms/module.h"
#include "x400ms/transport.h"

/* X.419 application contexts of the MS and their abstract syntaxes. The
 * operations may come on any of the non-bind syntaxes; Alert goes out on the
 * first one (retrieval). */
static const struct x400ms_abstract_syntax syn_88[] = {
    { "2.6.0.2.9", X400MS_AS_BIND | X400MS_AS_REQUIRED }, /* id-as-ms-88 (bind) */
    { "2.6.0.2.5", 0 },                                   /* id-as-mrse-88 retrieval */
    { "2.6.0.2.1", 0 },                                   /* id-as-msse submission */
    { "2.6.0.2.6", 0 },                                   /* id-as-mase-88 administration */
};
static const struct x400ms_abstract_syntax syn_94[] = {
    { "2.6.0.2.17", X400MS_AS_BIND | X400MS_AS_REQUIRED }, /* id-as-ms-94 */
    { "2.6.0.2.15", 0 },                                   /* id-as-mrse-94 */
    { "2.6.0.2.13", 0 },                                   /* id-as-ms-msse */
    { "2.6.0.2.16", 0 },                                   /* id-as-mase-94 */
};
/* Reliable contexts: the bind travels in the RTORQ on id-as-ms-rtse. */
static const struct x400ms_abstract_syntax syn_r88[] = {
    { "2.6.0.2.10", X400MS_AS_BIND | X400MS_AS_RTSE | X400MS_AS_REQUIRED },
    { "2.6.0.2.5", 0 },
    { "2.6.0.2.1", 0 },
    { "2.6.0.2.6", 0 },
};
static const struct x400ms_abstract_syntax syn_r94[] = {
    { "2.6.0.2.10", X400MS_AS_BIND | X400MS_AS_RTSE | X400MS_AS_REQUIRED },
    { "2.6.0.2.15", 0 },
    { "2.6.0.2.13", 0 },
    { "2.6.0.2.16", 0 },
};

/* Operations a UA invokes (X.413 MSAccessProtocol); Modify is 1994 only,
 * Alert is invoked by the MS and so never accepted from the UA. */
static const int64_t ops_88[] = { MS_OP_SUBMISSION_CONTROL, MS_OP_MESSAGE_SUBMISSION,
                                  MS_OP_PROBE_SUBMISSION, MS_OP_CANCEL_DEFERRED_DELIVERY,
                                  MS_OP_SUMMARIZE, MS_OP_LIST, MS_OP_FETCH, MS_OP_DELETE,
                                  MS_OP_REGISTER_MS };
static const int64_t ops_94[] = { MS_OP_SUBMISSION_CONTROL, MS_OP_MESSAGE_SUBMISSION,
                                  MS_OP_PROBE_SUBMISSION, MS_OP_CANCEL_DEFERRED_DELIVERY,
                                  MS_OP_SUMMARIZE, MS_OP_LIST, MS_OP_FETCH, MS_OP_DELETE,
                                  MS_OP_REGISTER_MS, MS_OP_MODIFY };

static const struct x400ms_cfg_spec p7_spec[] = {
    { "store", X400MS_CFG_STRING, 0, offsetof(struct p7_config, store),
      .help = "name of the store backend (default: the first registered)" },
    { "mts", X400MS_CFG_STRING, 0, offsetof(struct p7_config, mts),
      .help = "name of the MTS provider for indirect submission (default: the first registered)" },
    { "bind_failure_delay_ms", X400MS_CFG_INT, 0, offsetof(struct p7_config, bind_failure_delay_ms),
      .min = 0, .max = 60000, .def_int = 1000,
      .help = "a failed MS-bind is answered after this many milliseconds" },
    { "max_list", X400MS_CFG_INT, 0, offsetof(struct p7_config, max_list), .min = 1,
      .max = 1000000, .def_int = 1000,
      .help = "entries in one List result when the selector sets no limit (then `next`)" },
    { "max_fetch_list", X400MS_CFG_INT, 0, offsetof(struct p7_config, max_fetch_list), .min = 1,
      .max = 1000000, .def_int = 1000, .help = "sequence numbers in a Fetch result's list" },
    { "max_delete", X400MS_CFG_INT, 0, offsetof(struct p7_config, max_delete), .min = 1,
      .max = 1000000, .def_int = 100000, .help = "entries one Delete may remove" },
    { "worker_threads", X400MS_CFG_INT, 0, offsetof(struct p7_config, worker_threads), .min = 1,
      .max = 64, .def_int = 2,
      .help = "threads of the module's worker pool (password checks, Out Box copies)" },
    { "worker_queue", X400MS_CFG_INT, 0, offsetof(struct p7_config, worker_queue), .min = 1,
      .max = 1000000, .def_int = 1024,
      .help = "tasks that may wait for the worker pool; more are refused (bind: authentication-error)" },
    X400MS_CFG_END
};

/* ---- sessions ---- */

void p7_session_ref(struct p7_session *s)
{
    s->refs++;
}

void p7_session_unref(struct p7_session *s)
{
    if (--s->refs > 0)
        return;
    if (s->mb != NULL)
        s->m->store->mailbox_close(s->mb);
    p7_regs_free(&s->regs);
    free(s);
}

void p7_run_bind_hook(struct p7_session *s, bool unbind, bool success)
{
    struct x400ms_bind_event ev = {
        .size = sizeof ev, .mailbox = s->mailbox[0] ? s->mailbox : NULL, .peer = s->peer,
        .protocol = "p7", .context = s->m->ac[s->kind].oid, .success = success };
    x400ms_hook_run(s->m->core, unbind ? X400MS_HOOK_UNBIND : X400MS_HOOK_BIND, &ev);
}

/* The association is gone: drop it, keep the memory while jobs run. */
static void session_end(struct p7_session *s)
{
    if (s->bound && !s->dead)
        p7_run_bind_hook(s, true, true);
    s->dead = true;
    p7_alert_session_end(s);
    p7_submit_forget_all(s);
    s->a = NULL;
    if (s->delay_timer != NULL) {
        x400ms_timer_remove(&s->delay_timer);
        p7_session_unref(s); /* the timer's reference */
    }
    p7_session_unref(s);
}

static void p7_unbind(void *ctx, struct x400ms_assoc *a, struct x400ms_bytes argument)
{
    (void)ctx;
    (void)argument;
    struct p7_session *s = x400ms_assoc_user(a);
    if (s != NULL)
        X400MS_LOG_I("peer %s: MS-unbind from mailbox %s", s->peer, s->mailbox);
}

static void p7_released(void *ctx, struct x400ms_assoc *a)
{
    (void)ctx;
    struct p7_session *s = x400ms_assoc_user(a);
    x400ms_assoc_set_user(a, NULL);
    if (s != NULL)
        session_end(s);
}

static void p7_aborted(void *ctx, struct x400ms_assoc *a, const struct x400ms_abort_info *why)
{
    (void)ctx;
    struct p7_session *s = x400ms_assoc_user(a);
    x400ms_assoc_set_user(a, NULL);
    if (s != NULL) {
        X400MS_LOG_I("peer %s: association aborted (%s)", s->peer,
                     why && why->reason ? why->reason : "no reason");
        session_end(s);
    }
}

/* ---- jobs: slow work off the loop ---- */

struct p7_job {
    struct p7_session *s;
    struct x400ms_loop *loop;
    p7_job_fn *fn;
    p7_job_done_fn *done;
    void *arg;
};

static void job_back(struct p7_job *j)
{
    struct p7_session *s = j->s;
    if (!s->dead)
        j->done(s, j->arg);
    else
        j->done(NULL, j->arg); /* lets done free arg */
    p7_session_unref(s);
    free(j);
}

static void job_main(struct p7_job *j)
{
    j->fn(j->arg);
}

int p7_run_job(struct p7_session *s, p7_job_fn *fn, p7_job_done_fn *done, void *arg)
{
    struct p7_job *j = calloc(1, sizeof *j);
    if (j == NULL)
        return X400MS_ENOMEM;
    j->s = s;
    j->loop = x400ms_assoc_loop(s->a);
    j->fn = fn;
    j->done = done;
    j->arg = arg;
    p7_session_ref(s);
    int rc = x400ms_worker_submit_on(s->m->pool, j->loop, job_main, job_back, j);
    if (rc < 0) {
        X400MS_LOG_W("cannot queue a job: %s", x400ms_strerror(rc));
        p7_session_unref(s);
        free(j);
    }
    return rc;
}

bool p7_box_of(const struct p7_session *s, int64_t entry_class, enum x400ms_store_box *box_r)
{
    if (entry_class == MS_EC_DELIVERY) {
        *box_r = X400MS_STORE_INBOX;
        return true;
    }
    /* X.413 (1994) submission entries: the Out Box; the 88 context has none. */
    if (entry_class == MS_EC_SUBMISSION && s->is94) {
        *box_r = X400MS_STORE_OUTBOX;
        return true;
    }
    return false;
}

/* ---- module lifecycle ---- */

static void ac_fill(struct x400ms_app_context *ac, const char *oid, const char *name,
                    const struct x400ms_abstract_syntax *syn, size_t n, bool reliable, bool is94)
{
    memset(ac, 0, sizeof *ac);
    ac->size = sizeof *ac;
    ac->oid = oid;
    ac->name = name;
    ac->syntaxes = syn;
    ac->n_syntaxes = n;
    ac->reliable = reliable;
    ac->opcodes = is94 ? ops_94 : ops_88;
    ac->n_opcodes = is94 ? sizeof ops_94 / sizeof ops_94[0] : sizeof ops_88 / sizeof ops_88[0];
    ac->max_peer_invokes = 32;
    ac->max_own_invokes = 8;
    ac->bind = p7_bind;
    ac->invoke = p7_invoke;
    ac->unbind = p7_unbind;
    ac->released = p7_released;
    ac->aborted = p7_aborted;
}

static void p7_fini(void *state)
{
    struct p7_module *m = state;
    if (m == NULL)
        return;
    x400ms_worker_pool_free(&m->pool); /* drains: its tasks use what follows */
    p7_verify_fini(m);
    pthread_mutex_destroy(&m->reg_lock);
    p7_alert_fini(m);
    free(m->reg_dir);
    free(m);
}

static int p7_init(struct x400ms_core *core, const json_t *config, void **state,
                   struct x400ms_error *err)
{
    struct p7_config cfg;
    memset(&cfg, 0, sizeof cfg);
    int rc = x400ms_config_parse(config, x400ms_core_config_path(core), p7_spec, &cfg, err);
    if (rc < 0)
        return rc;
    if ((rc = p7_attrs_init()) < 0)
        return x400ms_error_set(err, rc, "p7: attribute table: bad OID text");
    struct p7_module *m = calloc(1, sizeof *m);
    if (m == NULL)
        return x400ms_error_set(err, X400MS_ENOMEM, "p7: out of memory");
    m->core = core;
    m->cfg = cfg;
    pthread_mutex_init(&m->reg_lock, NULL);
    if ((rc = p7_alert_init(m, err)) < 0) {
        pthread_mutex_destroy(&m->reg_lock);
        free(m);
        return rc;
    }
    if ((rc = p7_metrics_register(core, err)) < 0 || (rc = p7_verify_init(m, err)) < 0 ||
        (m->pool = x400ms_worker_pool_new("p7-worker", (unsigned)cfg.worker_threads,
                                          (size_t)cfg.worker_queue, err)) == NULL) {
        p7_fini(m);
        return rc < 0 ? rc : err->code;
    }

    /* Until the core registers the OSI stack itself (core/builtin-services.c). */
    if (x400ms_tuser_find(core, "osi", NULL) == NULL &&
        (rc = x400ms_osi_register(core, err)) < 0) {
        p7_fini(m);
        return rc;
    }
    ac_fill(&m->ac[P7_AC_88], "2.6.0.1.4", "ms-access-88", syn_88, 4, false, false);
    ac_fill(&m->ac[P7_AC_94], "2.6.0.1.11", "ms-access-94", syn_94, 4, false, true);
    ac_fill(&m->ac[P7_AC_R88], "2.6.0.1.5", "ms-reliable-access-88", syn_r88, 4, true, false);
    ac_fill(&m->ac[P7_AC_R94], "2.6.0.1.12", "ms-reliable-access-94", syn_r94, 4, true, true);
    /* The reliable variants only when the "rtse" module provides RTSE. */
    bool rtse = x400ms_service_find(core, X400MS_SERVICE_OTHER, X400MS_RTSE_SERVICE, NULL) != NULL;
    for (int k = 0; k < P7_AC_COUNT; k++) {
        if (m->ac[k].reliable && !rtse)
            continue;
        rc = x400ms_app_context_register(core, &m->ac[k], m, err);
        if (rc < 0) {
            p7_fini(m);
            return rc;
        }
        m->ac_registered[k] = true;
    }
    if (!rtse)
        X400MS_LOG_I("no rtse module before p7 in the manifest: reliable contexts not served");
    *state = m;
    return 0;
}

static int p7_start(void *state)
{
    struct p7_module *m = state;
    m->store = x400ms_store_find(m->core, m->cfg.store, &m->store_ctx);
    if (m->store == NULL) {
        X400MS_LOG_E("no store backend%s%s registered: load a store module (e.g. store_file) "
                     "before p7", m->cfg.store ? " named " : "", m->cfg.store ? m->cfg.store : "");
        return X400MS_EDEP;
    }
    const char *data = x400ms_core_data_dir(m->core);
    size_t n = strlen(data) + 8;
    m->reg_dir = malloc(n);
    if (m->reg_dir == NULL)
        return X400MS_ENOMEM;
    snprintf(m->reg_dir, n, "%s/p7", data);
    if (mkdir(m->reg_dir, 0700) < 0 && errno != EEXIST) {
        X400MS_LOG_E("cannot create %s: %s", m->reg_dir, strerror(errno));
        return X400MS_EIO;
    }
    int rc = p7_alert_start(m);
    if (rc < 0)
        return rc;
    /* A hash to verify against for unknown names, so that they cost the
     * same time as a wrong password (names cannot be probed). */
    struct x400ms_error err;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (x400ms_password_hash("x", 1, 0, m->dummy_hash, sizeof m->dummy_hash, &err) < 0) {
        X400MS_LOG_E("cannot make the dummy password hash: %s", err.message);
        return X400MS_EIO;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    /* the first estimate of one check, before any bind has been verified */
    p7_verify_seed_estimate(m, (uint64_t)((t1.tv_sec - t0.tv_sec) * 1000 +
                                          (t1.tv_nsec - t0.tv_nsec) / 1000000));
    X400MS_LOG_N("serving ms-access-88, ms-access-94%s",
                 m->ac_registered[P7_AC_R88] ? " and the reliable variants" : "");
    return 0;
}

/* Shutdown, while the loops still run: the pool finishes its tasks and
 * their answers reach the loops; later submissions are refused. */
static void p7_stop(void *state)
{
    struct p7_module *m = state;
    if (m != NULL)
        x400ms_worker_pool_stop(m->pool);
}

X400MS_MODULE_EXPORT const struct x400ms_module X400MS_MODULE_ENTRY = {
    X400MS_MODULE_HEADER,
    .name = "p7",
    .version = "0.1",
    .requires = NULL,
    .init = p7_init,
    .start = p7_start,
    .stop = p7_stop,
    .fini = p7_fini,
};
