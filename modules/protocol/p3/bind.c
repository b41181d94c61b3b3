/* modules/protocol/p3/bind.c: the MTS-bind of an MTA (X.411 8.1.1.1) on
 * mts-forced-access. The MTA names itself (initiator-name mTA) and gives a
 * simple password; both are checked against the MTA accounts of the
 * module's config, then of the "mta-accounts" service (admin API). The KDF
 * runs on a pool thread; a refusal is answered after a delay with
 * authentication-error, the same for an unknown name and a wrong password
 * (DESIGN.md section 10). */
#define X400MS_LOG_MODULE "p3"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asn1/mts.h"
#include "modules/protocol/p3/metrics.h"
#include "modules/protocol/p3/p3.h"
#include "x400ms/log.h"

struct bind_task {
    struct p3_session *s;
    char name[X400MS_MTA_NAME_MAX + 1];
    char password[MTS_UB_PASSWORD + 1];
    size_t password_len;
    int rc;
    char why[160];
};

/* On a pool thread: the account check (tens of milliseconds of PBKDF2). */
static void bind_verify(void *arg)
{
    struct bind_task *t = arg;
    struct p3_module *m = t->s->m;
    struct x400ms_error err = { 0 };
    for (size_t i = 0; i < m->n_accounts; i++) {
        if (strcmp(m->accounts[i].name, t->name) != 0)
            continue;
        t->rc = x400ms_password_verify(t->password, t->password_len, m->accounts[i].hash, &err);
        snprintf(t->why, sizeof t->why, "%s", t->rc == 0 ? "" : "wrong password (config account)");
        return;
    }
    if (m->mtas != NULL) {
        t->rc = m->mtas->verify(m->mtas_ctx, t->name, t->password, t->password_len, &err);
        snprintf(t->why, sizeof t->why, "%s",
                 t->rc == 0 ? "" : "unknown MTA or wrong password (mta-accounts)");
        return;
    }
    /* Unknown name: spend the same time as a wrong password. */
    (void)x400ms_password_verify(t->password, t->password_len, m->dummy_hash, &err);
    t->rc = X400MS_EAUTH;
    snprintf(t->why, sizeof t->why, "unknown MTA name");
}

void p3_bind_error_send(struct x400ms_assoc *a, int code)
{
    uint8_t buf[16];
    struct ber_writer w;
    ber_writer_init_fixed(&w, buf, sizeof buf);
    mts_bind_error_encode(&w, code);
    x400ms_assoc_bind_error(a, X400MS_BYTES(ber_writer_data(&w), ber_writer_len(&w)));
}

/* MTSBindResult (X.411 8.1.1.1.2): responder-name is the MTS (mTA form);
 * responder-credentials are mandatory: an empty simple password, the MS has
 * nothing to prove with simple authentication. */
int p3_bind_accept_send(struct x400ms_assoc *a, const char *responder_name)
{
    struct mts_bind_result r;
    memset(&r, 0, sizeof r);
    r.responder_name.kind = MTS_OBJ_MTA;
    r.responder_name.mta = mhs_str_make(responder_name, strlen(responder_name), BER_IA5_STRING);
    r.credentials.kind = MTS_CRED_SIMPLE;
    r.credentials.password = ber_slice_make("", 0);
    struct ber_writer w;
    ber_writer_init(&w);
    int rc = mts_bind_result_encode(&w, &r);
    if (rc >= 0)
        rc = x400ms_assoc_bind_accept(a, X400MS_BYTES(ber_writer_data(&w), ber_writer_len(&w)));
    ber_writer_free(&w);
    return rc;
}

static void bind_refuse_now(struct p3_session *s)
{
    s->delay_timer = NULL; /* a fired one-shot timer is freed by the loop */
    if (!s->dead) {
        p3_bind_error_send(s->a, MTS_BIND_AUTHENTICATION_ERROR);
        /* bind_error ends the association without aborted(): drop its ref */
        s->dead = true;
        s->a = NULL;
        p3_session_unref(s);
    }
    p3_session_unref(s); /* the timer's */
}

static int bind_accept(struct p3_session *s)
{
    return p3_bind_accept_send(s->a, s->m->cfg.responder_name);
}

static void bind_verified(void *arg)
{
    struct bind_task *t = arg;
    struct p3_session *s = t->s;
    if (!s->dead) {
        if (t->rc == 0) {
            if (bind_accept(s) < 0) {
                p3_metrics_operation(P3_MOP_BIND, P3_MRES_ERROR);
                X400MS_LOG_E("peer %s: MTS-bind result does not encode", s->peer);
                x400ms_assoc_abort(s->a, "bind result does not encode");
            } else {
                s->bound = true;
                p3_metrics_operation(P3_MOP_BIND, P3_MRES_OK);
                X400MS_LOG_I("peer %s: MTA %s bound", s->peer, s->mta);
            }
        } else {
            p3_metrics_operation(P3_MOP_BIND, P3_MRES_ERROR);
            X400MS_LOG_W("peer %s: MTS-bind of MTA \"%s\" refused: %s (authentication-error in %lld ms)",
                         s->peer, t->name, t->why, s->m->cfg.bind_failure_delay_ms);
            p3_session_ref(s);
            s->delay_timer = x400ms_timer_add(s->loop, (uint64_t)s->m->cfg.bind_failure_delay_ms,
                                              false, bind_refuse_now, s);
            if (s->delay_timer == NULL)
                bind_refuse_now(s);
        }
    }
    p3_session_unref(s);
    explicit_bzero(t->password, sizeof t->password);
    free(t);
}

static void bind_refuse_at_once(struct p3_session *s, int bind_error, const char *why)
{
    X400MS_LOG_W("peer %s: MTS-bind refused: %s", s->peer, why);
    p3_metrics_operation(P3_MOP_BIND, P3_MRES_ERROR);
    uint8_t buf[16];
    struct ber_writer w;
    ber_writer_init_fixed(&w, buf, sizeof buf);
    mts_bind_error_encode(&w, bind_error);
    x400ms_assoc_bind_error(s->a, X400MS_BYTES(ber_writer_data(&w), ber_writer_len(&w)));
}

int p3_bind(void *ctx, struct x400ms_assoc *a, const struct x400ms_bind_request *req)
{
    struct p3_module *m = ctx;
    if (m->stopping || m->store == NULL)
        return X400MS_ESTATE;
    struct p3_session *s = calloc(1, sizeof *s);
    if (s == NULL)
        return X400MS_ENOMEM;
    s->m = m;
    s->a = a;
    s->loop = x400ms_assoc_loop(a);
    s->refs = 1; /* the association's */
    snprintf(s->peer, sizeof s->peer, "%s", x400ms_assoc_peer(a));
    p3_session_init_hdr(s);

    struct mts_bind_arg arg;
    struct ber_error berr = { 0 };
    if (req->argument.len == 0 ||
        mts_bind_arg_decode(ber_slice_make(req->argument.ptr, req->argument.len), &arg, &berr) < 0) {
        char msg[160];
        X400MS_LOG_W("peer %s: MTS-bind argument malformed (%s): AARE rejected", s->peer,
                     req->argument.len ? ber_error_format(&berr, msg, sizeof msg) : "absent");
        p3_metrics_operation(P3_MOP_BIND, P3_MRES_REJECT);
        free(s);
        return X400MS_EPROTO;
    }
    x400ms_assoc_set_user(a, s);
    /* mts-forced-access: the initiator is the MTA (X.419 forced access) */
    if (arg.initiator_name.kind != MTS_OBJ_MTA) {
        bind_refuse_at_once(s, MTS_BIND_AUTHENTICATION_ERROR,
                            "initiator-name is not an MTA on mts-forced-access");
        x400ms_assoc_set_user(a, NULL);
        free(s);
        return 0;
    }
    if (arg.credentials.kind != MTS_CRED_SIMPLE) {
        bind_refuse_at_once(s, MTS_BIND_UNACCEPTABLE_SECURITY_CONTEXT,
                            "strong/protected credentials are not supported");
        x400ms_assoc_set_user(a, NULL);
        free(s);
        return 0;
    }
    struct bind_task *t = calloc(1, sizeof *t);
    if (t == NULL) {
        x400ms_assoc_set_user(a, NULL);
        free(s);
        return X400MS_ENOMEM;
    }
    size_t nl = arg.initiator_name.mta.len;
    if (nl > X400MS_MTA_NAME_MAX)
        nl = X400MS_MTA_NAME_MAX; /* cannot match any account: verify still runs */
    memcpy(t->name, arg.initiator_name.mta.ptr, nl);
    memcpy(s->mta, t->name, nl + 1);
    t->password_len = arg.credentials.password.len;
    if (t->password_len > MTS_UB_PASSWORD)
        t->password_len = MTS_UB_PASSWORD;
    if (t->password_len)
        memcpy(t->password, arg.credentials.password.ptr, t->password_len);
    t->s = s;
    p3_session_ref(s);
    int rc = p3_pool_submit(m->pool, s->loop, bind_verify, bind_verified, t);
    if (rc < 0) {
        x400ms_assoc_set_user(a, NULL);
        free(t);
        free(s);
        return rc;
    }
    return 0;
}
