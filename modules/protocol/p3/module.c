/* modules/protocol/p3: the module descriptor, its configuration, the
 * application contexts it serves (X.419 / DESIGN.md section 7) and the life
 * of an association from an MTA.
 *
 * Config (all optional):
 *   "store": backend name; "workers": pool threads (deliveries in flight at
 *   once share the store's group commit); "bind_failure_delay_ms";
 *   "responder_name": our mTA name in the MTSBindResult;
 *   "accounts": [ { "name": "mta1", "password_hash": "pbkdf2-sha256$..." }
 *                 | { "name": "mta1", "password": "clear text, hashed at start" } ];
 *   "delivery_control": { "max_content_length", "lowest_priority", "content_types" };
 *   "upstream": { "host", "port", "tselector", "mta_name", "password", "context": "88|94",
 *                 "connections", "window", "retry": {"min", "max"}, "direct" }
 *     (the submission initiator, upstream.c: the provider "p3-upstream"). */
#define X400MS_LOG_MODULE "p3"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asn1/mts.h"
#include "modules/protocol/p3/metrics.h"
#include "modules/protocol/p3/mtsac.h"
#include "modules/protocol/p3/p3.h"
#include "modules/protocol/p3/ua_endpoint.h"
#include "x400ms/config.h"
#include "x400ms/log.h"
#include "x400ms/module.h"
#include "x400ms/transport.h"

/* What an MTA invokes on an MTS-user (X.411 MTSForcedAccessProtocol). */
static const int64_t forced_ops[] = { MTS_OP_MESSAGE_DELIVERY, MTS_OP_REPORT_DELIVERY,
                                      MTS_OP_SUBMISSION_CONTROL };

static const struct x400ms_cfg_spec p3_spec[] = {
    { "store", X400MS_CFG_STRING, 0, offsetof(struct p3_config, store),
      .help = "name of the store backend (default: the first registered)" },
    { "bind_failure_delay_ms", X400MS_CFG_INT, 0, offsetof(struct p3_config, bind_failure_delay_ms),
      .min = 0, .max = 60000, .def_int = 1000,
      .help = "a refused MTS-bind is answered after this many milliseconds" },
    { "workers", X400MS_CFG_INT, 0, offsetof(struct p3_config, workers), .min = 1, .max = 256,
      .def_int = 16, .help = "threads storing deliveries (deliveries in flight at once)" },
    { "responder_name", X400MS_CFG_STRING, 0, offsetof(struct p3_config, responder_name),
      .def_str = "x400ms",
      .help = "the MS's name (mTA form) in the MTS-bind result" },
    { "accounts", X400MS_CFG_ARRAY, 0, offsetof(struct p3_config, accounts),
      .help = "MTA accounts: [{\"name\": ..., \"password_hash\": ...}]" },
    { "delivery_control", X400MS_CFG_OBJECT, 0, offsetof(struct p3_config, delivery_control),
      .help = "controls on deliveries (max_content_length, lowest_priority, content_types)" },
    { "forced_access", X400MS_CFG_BOOL, 0, offsetof(struct p3_config, forced_access),
      .def_int = 1, .help = "serve mts-forced-access (MTAs deliver to the MS)" },
    { "upstream", X400MS_CFG_OBJECT, 0, offsetof(struct p3_config, upstream),
      .help = "submit to an upstream MTA: {host, port, mta_name, password, context, "
              "connections, retry: {min, max}, direct}" },
    { "ua", X400MS_CFG_OBJECT, 0, offsetof(struct p3_config, ua),
      .help = "P3 user agents (mts-access): {accounts: [mailbox, ...], window, mts}" },
    X400MS_CFG_END
};

void p3_session_ref(struct p3_session *s)
{
    s->refs++;
}

void p3_session_unref(struct p3_session *s)
{
    if (--s->refs > 0)
        return;
    free(s);
}

static void session_end(struct p3_session *s);

struct p3_session *p3_session_new_bound(struct p3_module *m, struct x400ms_assoc *a,
                                        const char *mta)
{
    struct p3_session *s = calloc(1, sizeof *s);
    if (s == NULL)
        return NULL;
    s->m = m;
    s->a = a;
    s->loop = x400ms_assoc_loop(a);
    s->refs = 1;
    s->bound = true;
    snprintf(s->peer, sizeof s->peer, "%s", x400ms_assoc_peer(a));
    snprintf(s->mta, sizeof s->mta, "%s", mta);
    p3_session_init_hdr(s);
    return s;
}

void p3_session_end(struct p3_session *s)
{
    session_end(s);
}

static void session_end(struct p3_session *s)
{
    s->dead = true;
    s->a = NULL;
    if (s->delay_timer != NULL) {
        x400ms_timer_remove(&s->delay_timer);
        p3_session_unref(s); /* the timer's */
    }
    p3_session_unref(s);
}

static void session_end_cb(void *session)
{
    session_end(session);
}

void p3_session_init_hdr(struct p3_session *s)
{
    s->hdr.peer = s->peer;
    s->hdr.role = "MTA";
    s->hdr.name = s->mta;
    s->hdr.end = session_end_cb;
}

/* X.411 8.1.2 MTS-unbind: the core answers it; here it is only logged. */
void p3_assoc_unbind(void *ctx, struct x400ms_assoc *a, struct x400ms_bytes argument)
{
    (void)ctx;
    (void)argument;
    const struct p3_assoc_user *u = x400ms_assoc_user(a);
    if (u != NULL)
        X400MS_LOG_I("peer %s: MTS-unbind from %s %s", u->peer, u->role, u->name);
}

void p3_assoc_released(void *ctx, struct x400ms_assoc *a)
{
    (void)ctx;
    struct p3_assoc_user *u = x400ms_assoc_user(a);
    x400ms_assoc_set_user(a, NULL);
    if (u != NULL)
        u->end(u);
}

void p3_assoc_aborted(void *ctx, struct x400ms_assoc *a, const struct x400ms_abort_info *why)
{
    (void)ctx;
    struct p3_assoc_user *u = x400ms_assoc_user(a);
    x400ms_assoc_set_user(a, NULL);
    if (u != NULL) {
        X400MS_LOG_I("peer %s: %s %s: association aborted (%s)", u->peer, u->role, u->name,
                     why && why->reason ? why->reason : "no reason");
        u->end(u);
    }
}

static void ac_fill(struct x400ms_app_context *ac, bool reliable, bool is94)
{
    memset(ac, 0, sizeof *ac);
    mtsac_set(ac, MTSAC_FORCED_ACCESS, reliable, is94);
    ac->opcodes = forced_ops;
    ac->n_opcodes = sizeof forced_ops / sizeof forced_ops[0];
    ac->max_peer_invokes = 64; /* the MTA pipelines deliveries */
    ac->max_own_invokes = 8;
    ac->bind = p3_bind;
    ac->invoke = p3_invoke;
    ac->unbind = p3_assoc_unbind;
    ac->released = p3_assoc_released;
    ac->aborted = p3_assoc_aborted;
}

static void accounts_free(struct p3_module *m)
{
    for (size_t i = 0; i < m->n_accounts; i++) {
        free(m->accounts[i].name);
        free(m->accounts[i].hash);
    }
    free(m->accounts);
    m->accounts = NULL;
    m->n_accounts = 0;
}

static int accounts_parse(struct p3_module *m, struct x400ms_error *err)
{
    const json_t *arr = m->cfg.accounts;
    const char *path = x400ms_core_config_path(m->core);
    if (arr == NULL || json_array_size(arr) == 0)
        return 0;
    m->accounts = calloc(json_array_size(arr), sizeof *m->accounts);
    if (m->accounts == NULL)
        return x400ms_error_set(err, X400MS_ENOMEM, "p3: out of memory");
    size_t i;
    const json_t *e;
    json_array_foreach(arr, i, e) {
        const char *name = json_string_value(json_object_get(e, "name"));
        const char *hash = json_string_value(json_object_get(e, "password_hash"));
        const char *pw = json_string_value(json_object_get(e, "password"));
        if (name == NULL || name[0] == '\0' || strlen(name) > X400MS_MTA_NAME_MAX)
            return x400ms_error_set(err, X400MS_EINVAL,
                                    "%s.accounts[%zu].name: expected the MTA name (1..%d characters)",
                                    path, i, X400MS_MTA_NAME_MAX);
        if ((hash == NULL) == (pw == NULL))
            return x400ms_error_set(err, X400MS_EINVAL,
                                    "%s.accounts[%zu]: give exactly one of \"password_hash\" "
                                    "(from x400ms-admin) or \"password\"", path, i);
        struct p3_account *a = &m->accounts[m->n_accounts++];
        a->name = strdup(name);
        a->hash = malloc(X400MS_STORE_PASSWORD_HASH_MAX);
        if (a->name == NULL || a->hash == NULL)
            return x400ms_error_set(err, X400MS_ENOMEM, "p3: out of memory");
        if (hash != NULL) {
            if (strncmp(hash, "pbkdf2-sha256$", 14) != 0)
                return x400ms_error_set(err, X400MS_EINVAL,
                                        "%s.accounts[%zu].password_hash: expected "
                                        "\"pbkdf2-sha256$...\"", path, i);
            snprintf(a->hash, X400MS_STORE_PASSWORD_HASH_MAX, "%s", hash);
        } else {
            /* a clear-text password in the manifest: hashed once here, so the
             * bind compares like for every other account */
            int rc = x400ms_password_hash(pw, strlen(pw), 10000, a->hash,
                                          X400MS_STORE_PASSWORD_HASH_MAX, err);
            if (rc < 0)
                return rc;
        }
    }
    return 0;
}

static void p3_fini(void *state)
{
    struct p3_module *m = state;
    if (m == NULL)
        return;
    p3_pool_free(&m->pool);
    mtsu_mbindex_free(&m->mbindex);
    p3_ua_free(&m->ua);
    p3_upstream_free(&m->upstream);
    accounts_free(m);
    p3_delivery_controls_free(&m->dc);
    free(m);
}

static int p3_init(struct x400ms_core *core, const json_t *config, void **state,
                   struct x400ms_error *err)
{
    struct p3_config cfg;
    memset(&cfg, 0, sizeof cfg);
    int rc = x400ms_config_parse(config, x400ms_core_config_path(core), p3_spec, &cfg, err);
    if (rc < 0)
        return rc;
    if (cfg.responder_name == NULL)
        cfg.responder_name = "x400ms";
    struct p3_module *m = calloc(1, sizeof *m);
    if (m == NULL)
        return x400ms_error_set(err, X400MS_ENOMEM, "p3: out of memory");
    m->core = core;
    m->cfg = cfg;
    if ((rc = accounts_parse(m, err)) < 0 || (rc = p3_delivery_controls_parse(m, err)) < 0 ||
        (rc = p3_ua_new(m, &m->ua, err)) < 0 ||
        (rc = p3_metrics_register(core, err)) < 0 ||
        (cfg.upstream != NULL && (rc = p3_upstream_new(core, cfg.upstream, &m->upstream, err)) < 0)) {
        p3_fini(m);
        return rc;
    }
    /* Until the core registers the OSI stack itself (core/builtin-services.c). */
    if (x400ms_tuser_find(core, "osi", NULL) == NULL && (rc = x400ms_osi_register(core, err)) < 0) {
        p3_fini(m);
        return rc;
    }
    ac_fill(&m->ac[P3_AC_F88], false, false);
    ac_fill(&m->ac[P3_AC_F94], false, true);
    ac_fill(&m->ac[P3_AC_FR88], true, false);
    ac_fill(&m->ac[P3_AC_FR94], true, true);
    bool rtse = x400ms_service_find(core, X400MS_SERVICE_OTHER, X400MS_RTSE_SERVICE, NULL) != NULL;
    for (int k = 0; cfg.forced_access && k < P3_AC_COUNT; k++) {
        if (m->ac[k].reliable && !rtse)
            continue;
        if ((rc = x400ms_app_context_register(core, &m->ac[k], m, err)) < 0) {
            p3_fini(m);
            return rc;
        }
        m->ac_registered[k] = true;
    }
    if (!rtse)
        X400MS_LOG_I("no rtse module before p3 in the manifest: reliable contexts not served");
    *state = m;
    return 0;
}

static int p3_start(void *state)
{
    struct p3_module *m = state;
    m->store = x400ms_store_find(m->core, m->cfg.store, &m->store_ctx);
    if (m->store == NULL) {
        X400MS_LOG_E("no store backend%s%s registered: load a store module (e.g. store_file) "
                     "before p3", m->cfg.store ? " named " : "", m->cfg.store ? m->cfg.store : "");
        return X400MS_EDEP;
    }
    m->mtas = x400ms_mta_accounts_find(m->core, &m->mtas_ctx);
    struct x400ms_error err;
    if (mtsu_mbindex_new(m->store, m->store_ctx, &m->mbindex, &err) < 0) {
        X400MS_LOG_E("%s", err.message);
        return err.code;
    }
    if (x400ms_password_hash("x", 1, 0, m->dummy_hash, sizeof m->dummy_hash, &err) < 0) {
        X400MS_LOG_E("cannot make the dummy password hash: %s", err.message);
        return X400MS_EIO;
    }
    int rc = p3_pool_new((unsigned)m->cfg.workers, &m->pool);
    if (rc < 0) {
        X400MS_LOG_E("cannot start the delivery threads");
        return rc;
    }
    if (m->upstream != NULL && (rc = p3_upstream_start(m->upstream, m)) < 0) {
        X400MS_LOG_E("cannot start the submission initiator");
        return rc;
    }
    X400MS_LOG_N("delivery responder: mts-forced-access-88/94%s; MTA accounts: %zu in config%s",
                 m->ac_registered[P3_AC_FR88] ? " and the reliable variants" : "", m->n_accounts,
                 m->mtas ? " + the mta-accounts service" : "");
    return 0;
}

static void p3_stop(void *state)
{
    struct p3_module *m = state;
    p3_ua_stop(m->ua);
    m->stopping = true;
    p3_upstream_stop(m->upstream);
    /* finish the deliveries in flight; their answers are posted to the
     * loops, which still run */
    p3_pool_drain(m->pool);
}

X400MS_MODULE_EXPORT const struct x400ms_module X400MS_MODULE_ENTRY = {
    X400MS_MODULE_HEADER,
    .name = "p3",
    .version = "0.1",
    .requires = NULL,
    .init = p3_init,
    .start = p3_start,
    .stop = p3_stop,
    .fini = p3_fini,
};
