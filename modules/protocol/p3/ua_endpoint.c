/* modules/protocol/p3/ua_endpoint.c: the P3 endpoint for user agents (see
 * ua_endpoint.h): its config, the mts-access application contexts it
 * serves (X.419), the life of a UA's association, the registry of bound
 * UAs and the entry-delivered hook that wakes a bound UA's push.
 *
 * Config (p3's "ua" object):
 *   "accounts": [ "mailbox", ... ]  the mailboxes that are P3 users (required)
 *   "window": deliveries outstanding per UA (default 4)
 *   "mts": the MTS provider to submit through (default: the active one) */
#define X400MS_LOG_MODULE "p3"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asn1/mts.h"
#include "modules/protocol/p3/mtsac.h"
#include "modules/protocol/p3/p3.h"
#include "modules/protocol/p3/ua_session.h"
#include "x400ms/config.h"
#include "x400ms/hooks.h"
#include "x400ms/log.h"

/* What a UA invokes on the MTS (X.411 MTSAccessProtocol): the submission
 * port, delivery-control (2) of the delivery port and change-credentials
 * (8) of the administration port. register (1) is not served: the core
 * rejects it. */
static const int64_t ua_ops[] = { MTS_OP_MESSAGE_SUBMISSION, MTS_OP_PROBE_SUBMISSION,
                                  MTS_OP_CANCEL_DEFERRED_DELIVERY, MTS_OP_SUBMISSION_CONTROL,
                                  MTS_OP_CHANGE_CREDENTIALS };

struct ua_config {
    const json_t *accounts;
    long long window;
    const char *mts;
};

static const struct x400ms_cfg_spec ua_spec[] = {
    { "accounts", X400MS_CFG_ARRAY, X400MS_CFG_REQUIRED, offsetof(struct ua_config, accounts),
      .help = "mailbox names of the P3 users: [\"alice\", ...]" },
    { "window", X400MS_CFG_INT, 0, offsetof(struct ua_config, window), .min = 1,
      .max = UA_WINDOW_MAX, .def_int = 4,
      .help = "message-delivery invokes outstanding per UA" },
    { "mts", X400MS_CFG_STRING, 0, offsetof(struct ua_config, mts),
      .help = "MTS provider to submit through (default: the active one)" },
    X400MS_CFG_END
};

void ua_session_ref(struct ua_session *s)
{
    s->refs++;
}

void ua_session_unref(struct ua_session *s)
{
    if (--s->refs > 0)
        return;
    free(s);
}

bool ua_is_account(const struct p3_ua *ua, const char *mailbox)
{
    for (size_t i = 0; i < ua->n_accounts; i++)
        if (strcmp(ua->accounts[i], mailbox) == 0)
            return true;
    return false;
}

bool ua_registry_add(struct ua_session *s)
{
    struct p3_ua *ua = s->ua;
    pthread_mutex_lock(&ua->lock);
    for (struct ua_session *o = ua->bound; o != NULL; o = o->next_bound) {
        if (strcmp(o->mailbox, s->mailbox) == 0) {
            pthread_mutex_unlock(&ua->lock);
            return false;
        }
    }
    s->next_bound = ua->bound;
    ua->bound = s;
    s->registered = true;
    pthread_mutex_unlock(&ua->lock);
    return true;
}

void ua_registry_remove(struct ua_session *s)
{
    if (!s->registered)
        return;
    struct p3_ua *ua = s->ua;
    pthread_mutex_lock(&ua->lock);
    for (struct ua_session **p = &ua->bound; *p != NULL; p = &(*p)->next_bound) {
        if (*p == s) {
            *p = s->next_bound;
            break;
        }
    }
    s->registered = false;
    pthread_mutex_unlock(&ua->lock);
}

/* ---- waking a bound UA when its In Box grows ---- */

struct kick {
    struct p3_ua *ua;
    char mailbox[X400MS_STORE_NAME_MAX + 1];
};

/* On the loop of the session that was bound when the hook ran. A session is
 * removed from the registry and freed only on its own loop thread, so one
 * found here with this loop is alive for the duration of the call. */
static void kick_on_loop(struct kick *k)
{
    struct p3_ua *ua = k->ua;
    struct x400ms_loop *here = x400ms_loop_current();
    struct ua_session *found = NULL;
    pthread_mutex_lock(&ua->lock);
    for (struct ua_session *s = ua->bound; s != NULL; s = s->next_bound)
        if (s->loop == here && strcmp(s->mailbox, k->mailbox) == 0)
            found = s;
    pthread_mutex_unlock(&ua->lock);
    if (found != NULL)
        ua_push_kick(found);
    free(k);
}

/* entry-delivered (any thread, after the entry is durable). */
static int on_entry_delivered(void *ctx, const char *hook, void *event)
{
    (void)hook;
    struct p3_ua *ua = ctx;
    const struct x400ms_store_event *ev = event;
    if (ev->box != X400MS_STORE_INBOX || ev->mailbox == NULL)
        return X400MS_HOOK_CONTINUE;
    struct x400ms_loop *loop = NULL;
    pthread_mutex_lock(&ua->lock);
    for (struct ua_session *s = ua->bound; s != NULL; s = s->next_bound)
        if (strcmp(s->mailbox, ev->mailbox) == 0)
            loop = s->loop;
    pthread_mutex_unlock(&ua->lock);
    if (loop == NULL)
        return X400MS_HOOK_CONTINUE; /* not bound: it waits in the In Box */
    struct kick *k = malloc(sizeof *k);
    if (k == NULL)
        return X400MS_HOOK_CONTINUE; /* pushed at the next delivery or bind */
    k->ua = ua;
    snprintf(k->mailbox, sizeof k->mailbox, "%s", ev->mailbox);
    if (x400ms_loop_post(loop, kick_on_loop, k) < 0)
        free(k);
    return X400MS_HOOK_CONTINUE;
}

/* ---- the association ---- */

static void session_end(struct ua_session *s)
{
    s->dead = true;
    s->a = NULL;
    ua_registry_remove(s);
    ua_submit_end(s);
    if (s->delay_timer != NULL) {
        x400ms_timer_remove(&s->delay_timer);
        ua_session_unref(s); /* the timer's */
    }
    ua_session_unref(s);
}

static void ua_invoke(void *ctx, struct x400ms_assoc *a, const struct x400ms_invoke *inv)
{
    (void)ctx;
    struct ua_session *s = x400ms_assoc_user(a);
    if (s == NULL || !s->bound) {
        x400ms_assoc_reject(a, inv->invoke_id, X400MS_ROSE_INVOKE_UNRECOGNIZED_OPERATION);
        return;
    }
    if (inv->opcode == MTS_OP_SUBMISSION_CONTROL) {
        /* opcode 2 from the MTS-user is delivery-control (X.411 8.3.1.3);
         * submission-control is the MTS's, invoked on the UA */
        ua_delivery_control(s, inv);
        return;
    }
    if (inv->opcode == MTS_OP_CHANGE_CREDENTIALS) {
        ua_change_credentials(s, inv);
        return;
    }
    ua_submit_invoke(s, inv);
}

static void session_end_cb(void *session)
{
    session_end(session);
}

void ua_session_init_hdr(struct ua_session *s)
{
    s->hdr.peer = s->peer;
    s->hdr.role = "P3 user";
    s->hdr.name = s->mailbox;
    s->hdr.end = session_end_cb;
}

static void ac_fill(struct x400ms_app_context *ac, bool reliable, bool is94, unsigned window)
{
    memset(ac, 0, sizeof *ac);
    mtsac_set(ac, MTSAC_ACCESS, reliable, is94);
    ac->opcodes = ua_ops;
    ac->n_opcodes = sizeof ua_ops / sizeof ua_ops[0];
    ac->max_peer_invokes = 16;
    ac->max_own_invokes = window;
    ac->bind = ua_bind;
    ac->invoke = ua_invoke;
    ac->unbind = p3_assoc_unbind;
    ac->released = p3_assoc_released;
    ac->aborted = p3_assoc_aborted;
}

/* ---- life cycle ---- */

void p3_ua_free(struct p3_ua **uap)
{
    struct p3_ua *ua = *uap;
    if (ua == NULL)
        return;
    for (size_t i = 0; i < ua->n_accounts; i++)
        free(ua->accounts[i]);
    free(ua->accounts);
    pthread_mutex_destroy(&ua->lock);
    free(ua);
    *uap = NULL;
}

void p3_ua_stop(struct p3_ua *ua)
{
    if (ua == NULL)
        return;
    pthread_mutex_lock(&ua->lock);
    ua->stopping = true;
    pthread_mutex_unlock(&ua->lock);
}

int p3_ua_new(struct p3_module *m, struct p3_ua **ua_r, struct x400ms_error *err)
{
    *ua_r = NULL;
    if (m->cfg.ua == NULL)
        return 0;
    char path[256];
    snprintf(path, sizeof path, "%s.ua", x400ms_core_config_path(m->core));
    struct ua_config cfg;
    memset(&cfg, 0, sizeof cfg);
    int rc = x400ms_config_parse(m->cfg.ua, path, ua_spec, &cfg, err);
    if (rc < 0)
        return rc;
    struct p3_ua *ua = calloc(1, sizeof *ua);
    if (ua == NULL)
        return x400ms_error_set(err, X400MS_ENOMEM, "p3: out of memory");
    pthread_mutex_init(&ua->lock, NULL);
    ua->m = m;
    ua->window = (unsigned)cfg.window;
    ua->mts = cfg.mts;
    ua->accounts = calloc(json_array_size(cfg.accounts) + 1, sizeof *ua->accounts);
    if (ua->accounts == NULL) {
        p3_ua_free(&ua);
        return x400ms_error_set(err, X400MS_ENOMEM, "p3: out of memory");
    }
    size_t i;
    const json_t *e;
    json_array_foreach(cfg.accounts, i, e) {
        const char *name = json_string_value(e);
        if (name == NULL || name[0] == '\0' || strlen(name) > X400MS_STORE_NAME_MAX) {
            p3_ua_free(&ua);
            return x400ms_error_set(err, X400MS_EINVAL,
                                    "%s.accounts[%zu]: expected a mailbox name (1..%d characters)",
                                    path, i, X400MS_STORE_NAME_MAX);
        }
        if ((ua->accounts[ua->n_accounts++] = strdup(name)) == NULL) {
            p3_ua_free(&ua);
            return x400ms_error_set(err, X400MS_ENOMEM, "p3: out of memory");
        }
    }
    ac_fill(&ua->ac[UA_AC_A88], false, false, ua->window);
    ac_fill(&ua->ac[UA_AC_A94], false, true, ua->window);
    ac_fill(&ua->ac[UA_AC_R88], true, false, ua->window);
    ac_fill(&ua->ac[UA_AC_R94], true, true, ua->window);
    bool rtse = x400ms_service_find(m->core, X400MS_SERVICE_OTHER, X400MS_RTSE_SERVICE, NULL) != NULL;
    for (int k = 0; k < UA_AC_COUNT; k++) {
        if (ua->ac[k].reliable && !rtse)
            continue;
        if ((rc = x400ms_app_context_register(m->core, &ua->ac[k], ua, err)) < 0) {
            p3_ua_free(&ua);
            return rc;
        }
    }
    if ((rc = x400ms_hook_add(m->core, X400MS_HOOK_ENTRY_DELIVERED, 200, on_entry_delivered, ua,
                              err)) < 0) {
        p3_ua_free(&ua);
        return rc;
    }
    X400MS_LOG_I("P3 user agents: mts-access-88/94%s for %zu mailbox(es)",
                 rtse ? " and the reliable variants" : "", ua->n_accounts);
    *ua_r = ua;
    return 0;
}
