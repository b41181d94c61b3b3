/* modules/protocol/p3/ua_bind.c: the MTS-bind of a user agent on
 * mts-access (X.411 8.1.1.1). The UA names itself (initiator-name
 * user-agent: its O/R address) and gives a simple password. Like a P7 bind
 * (DESIGN.md section 10): the address is matched to a mailbox, which must be
 * one of the P3 users of the config, and the password is checked against the
 * mailbox's stored hash on a pool thread; an unknown address, a mailbox that
 * is not a P3 user and a wrong password all get the same
 * authentication-error after the same delay. A second bind for a mailbox
 * that already has a bound UA gets busy (its queue has one reader). */
#define X400MS_LOG_MODULE "p3"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asn1/mts.h"
#include "modules/protocol/p3/metrics.h"
#include "modules/protocol/p3/mtsutil.h"
#include "modules/protocol/p3/p3.h"
#include "modules/protocol/p3/ua_session.h"
#include "x400ms/log.h"

struct ua_bind_task {
    struct ua_session *s;
    struct or_address name;
    uint8_t *arg;                    /* the bind argument (name points into it) */
    char password[MTS_UB_PASSWORD + 1];
    size_t password_len;
    int rc;
    char why[600];
    char mailbox[X400MS_STORE_NAME_MAX + 1];
    char or_address[X400MS_STORE_ADDRESS_MAX];
};

struct hash_copy {
    char hash[X400MS_STORE_PASSWORD_HASH_MAX];
    char or_address[X400MS_STORE_ADDRESS_MAX];
};

static int copy_info(void *arg, const struct x400ms_store_mailbox_info *info)
{
    struct hash_copy *h = arg;
    snprintf(h->hash, sizeof h->hash, "%s", info->password_hash ? info->password_hash : "");
    snprintf(h->or_address, sizeof h->or_address, "%s", info->or_address ? info->or_address : "");
    return 0;
}

/* On a pool thread: the mailbox lookup and the KDF. */
static void bind_verify(void *arg)
{
    struct ua_bind_task *t = arg;
    struct p3_module *m = t->s->ua->m;
    struct x400ms_error err = { 0 };
    struct hash_copy h;
    memset(&h, 0, sizeof h);
    int rc = mtsu_find_mailbox(m->store, m->store_ctx, &t->name, t->mailbox, &err);
    if (rc < 0) {
        snprintf(t->why, sizeof t->why, "%s",
                 rc == X400MS_ENOENT ? "no mailbox has this O/R address" : err.message);
    } else if (!ua_is_account(t->s->ua, t->mailbox)) {
        rc = X400MS_EAUTH;
        snprintf(t->why, sizeof t->why, "mailbox %s is not a P3 user (p3 config ua.accounts)",
                 t->mailbox);
    } else if ((rc = m->store->mailbox_get(m->store_ctx, t->mailbox, NULL, copy_info, &h,
                                           &err)) < 0) {
        snprintf(t->why, sizeof t->why, "mailbox %s: %s", t->mailbox, err.message);
    } else if (h.hash[0] == '\0') {
        rc = X400MS_EAUTH;
        snprintf(t->why, sizeof t->why, "mailbox %s has no password", t->mailbox);
    }
    if (rc < 0) {
        /* spend the time a wrong password costs: names cannot be probed */
        (void)x400ms_password_verify(t->password, t->password_len, m->dummy_hash, &err);
        t->rc = X400MS_EAUTH;
        return;
    }
    t->rc = x400ms_password_verify(t->password, t->password_len, h.hash, &err);
    if (t->rc != 0)
        snprintf(t->why, sizeof t->why, "wrong password for mailbox %s", t->mailbox);
    snprintf(t->or_address, sizeof t->or_address, "%s", h.or_address);
}

static void bind_error_send(struct ua_session *s, int code)
{
    p3_bind_error_send(s->a, code);
    /* bind_error ends the association without aborted(): drop its ref */
    s->dead = true;
    s->a = NULL;
    ua_session_unref(s);
}

static void bind_refuse_now(struct ua_session *s)
{
    s->delay_timer = NULL; /* a fired one-shot timer is freed by the loop */
    if (!s->dead)
        bind_error_send(s, MTS_BIND_AUTHENTICATION_ERROR);
    ua_session_unref(s); /* the timer's */
}

static int bind_accept(struct ua_session *s)
{
    return p3_bind_accept_send(s->a, s->ua->m->cfg.responder_name);
}

static void bind_verified(void *arg)
{
    struct ua_bind_task *t = arg;
    struct ua_session *s = t->s;
    struct p3_module *m = s->ua->m;
    if (!s->dead) {
        if (t->rc == 0) {
            snprintf(s->mailbox, sizeof s->mailbox, "%s", t->mailbox);
            snprintf(s->or_address, sizeof s->or_address, "%s", t->or_address);
            if (!ua_registry_add(s)) {
                p3_metrics_operation(P3_MOP_BIND, P3_MRES_ERROR);
                X400MS_LOG_W("peer %s: MTS-bind of P3 user %s refused: busy (already bound "
                             "on another association)", s->peer, s->mailbox);
                bind_error_send(s, MTS_BIND_BUSY);
            } else if (bind_accept(s) < 0) {
                p3_metrics_operation(P3_MOP_BIND, P3_MRES_ERROR);
                X400MS_LOG_E("peer %s: MTS-bind result does not encode", s->peer);
                x400ms_assoc_abort(s->a, "bind result does not encode");
            } else {
                s->bound = true;
                p3_metrics_operation(P3_MOP_BIND, P3_MRES_OK);
                X400MS_LOG_I("peer %s: P3 user %s bound (%s)", s->peer, s->mailbox,
                             x400ms_assoc_context(s->a)->name);
                ua_push_kick(s); /* what waited while it was not bound, in order */
            }
        } else {
            p3_metrics_operation(P3_MOP_BIND, P3_MRES_ERROR);
            X400MS_LOG_W("peer %s: MTS-bind of user agent refused: %s (authentication-error in "
                         "%lld ms)", s->peer, t->why, m->cfg.bind_failure_delay_ms);
            ua_session_ref(s);
            s->delay_timer = x400ms_timer_add(s->loop, (uint64_t)m->cfg.bind_failure_delay_ms,
                                              false, bind_refuse_now, s);
            if (s->delay_timer == NULL)
                bind_refuse_now(s);
        }
    }
    ua_session_unref(s);
    explicit_bzero(t->password, sizeof t->password);
    free(t->arg);
    free(t);
}

static void refuse_at_once(struct x400ms_assoc *a, int code, const char *why)
{
    X400MS_LOG_W("peer %s: MTS-bind of user agent refused: %s", x400ms_assoc_peer(a), why);
    p3_metrics_operation(P3_MOP_BIND, P3_MRES_ERROR);
    uint8_t buf[16];
    struct ber_writer w;
    ber_writer_init_fixed(&w, buf, sizeof buf);
    mts_bind_error_encode(&w, code);
    x400ms_assoc_bind_error(a, X400MS_BYTES(ber_writer_data(&w), ber_writer_len(&w)));
}

int ua_bind(void *ctx, struct x400ms_assoc *a, const struct x400ms_bind_request *req)
{
    struct p3_ua *ua = ctx;
    struct p3_module *m = ua->m;
    if (ua->stopping || m->stopping || m->store == NULL || m->pool == NULL)
        return X400MS_ESTATE;
    struct ua_bind_task *t = calloc(1, sizeof *t);
    if (t == NULL || (req->argument.len > 0 && (t->arg = malloc(req->argument.len)) == NULL)) {
        free(t);
        return X400MS_ENOMEM;
    }
    if (req->argument.len > 0)
        memcpy(t->arg, req->argument.ptr, req->argument.len);
    struct mts_bind_arg arg;
    struct ber_error berr = { 0 };
    if (req->argument.len == 0 ||
        mts_bind_arg_decode(ber_slice_make(t->arg, req->argument.len), &arg, &berr) < 0) {
        char msg[160];
        X400MS_LOG_W("peer %s: MTS-bind argument malformed (%s): AARE rejected",
                     x400ms_assoc_peer(a),
                     req->argument.len ? ber_error_format(&berr, msg, sizeof msg) : "absent");
        p3_metrics_operation(P3_MOP_BIND, P3_MRES_REJECT);
        free(t->arg);
        free(t);
        return X400MS_EPROTO;
    }
    /* mts-access: the initiator is an MTS-user (X.411 8.1.1.1.1.1) */
    if (arg.initiator_name.kind != MTS_OBJ_USER_AGENT) {
        refuse_at_once(a, MTS_BIND_AUTHENTICATION_ERROR,
                       "initiator-name is not a user-agent on mts-access");
        free(t->arg);
        free(t);
        return 0;
    }
    if (arg.credentials.kind != MTS_CRED_SIMPLE) {
        refuse_at_once(a, MTS_BIND_UNACCEPTABLE_SECURITY_CONTEXT,
                       "strong/protected credentials are not supported");
        free(t->arg);
        free(t);
        return 0;
    }
    struct ua_session *s = calloc(1, sizeof *s);
    if (s == NULL) {
        free(t->arg);
        free(t);
        return X400MS_ENOMEM;
    }
    s->ua = ua;
    s->a = a;
    s->loop = x400ms_assoc_loop(a);
    s->refs = 1; /* the association's */
    snprintf(s->peer, sizeof s->peer, "%s", x400ms_assoc_peer(a));
    snprintf(s->mailbox, sizeof s->mailbox, "(unbound)");
    ua_session_init_hdr(s);
    /* deliveries go on the context's mdse syntax (88 or 94) */
    s->mdse = x400ms_assoc_context(a)->syntaxes[2].oid;
    ua_controls_reset(&s->dc);
    x400ms_assoc_set_user(a, s);

    t->name = arg.initiator_name.orname;
    t->password_len = arg.credentials.password.len;
    if (t->password_len > MTS_UB_PASSWORD)
        t->password_len = MTS_UB_PASSWORD;
    if (t->password_len)
        memcpy(t->password, arg.credentials.password.ptr, t->password_len);
    t->s = s;
    ua_session_ref(s);
    int rc = p3_pool_submit(m->pool, s->loop, bind_verify, bind_verified, t);
    if (rc < 0) {
        x400ms_assoc_set_user(a, NULL);
        free(t->arg);
        free(t);
        free(s);
        return rc;
    }
    return 0;
}
