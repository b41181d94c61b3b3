/* modules/protocol/p3: shared declarations of the P3 module (X.411 MTS
 * access protocol, X.419): the delivery responder an MTA binds to with
 * mts-forced-access, and the module state. */
#ifndef X400MS_P3_H
#define X400MS_P3_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "modules/protocol/p3/mbindex.h"
#include "modules/protocol/p3/pool.h"
#include "modules/protocol/p3/upstream.h"
#include "x400ms/assoc.h"
#include "x400ms/core.h"
#include "x400ms/mta_accounts.h"
#include "x400ms/store.h"

/* An MTA account from the module's config: name + password hash. */
struct p3_account {
    char *name;
    char *hash;
};

struct p3_config {
    const char *store;
    long long bind_failure_delay_ms;
    long long workers;
    const char *responder_name;     /* our mTA name in the MTSBindResult */
    const json_t *accounts;
    const json_t *delivery_control;
    bool forced_access;             /* serve mts-forced-access (MTA delivers) */
    const json_t *upstream;         /* the submission initiator (upstream.c), NULL: none */
    const json_t *ua;               /* "ua": P3 user agents (ua_*.c), NULL: none */
};

/* What the MS accepts for delivery (X.411 8.3.1.1: delivery-control-violated
 * when a delivery breaks the controls the MTS-user set). */
struct p3_delivery_controls {
    long long max_content_length;   /* 0: no bound */
    int lowest_priority;            /* urgency rank 0 non-urgent .. 2 urgent */
    char **content_types;           /* permitted content types (text), NULL: any */
    size_t n_content_types;
};

enum { P3_AC_F88, P3_AC_F94, P3_AC_FR88, P3_AC_FR94, P3_AC_COUNT };

struct p3_module {
    struct x400ms_core *core;
    struct p3_config cfg;
    struct p3_account *accounts;
    size_t n_accounts;
    struct p3_delivery_controls dc;
    char dummy_hash[X400MS_STORE_PASSWORD_HASH_MAX];
    struct x400ms_app_context ac[P3_AC_COUNT];
    bool ac_registered[P3_AC_COUNT];
    const struct x400ms_store_ops *store;
    void *store_ctx;
    struct mtsu_mbindex *mbindex;   /* recipient O/R address -> mailbox (mbindex.h) */
    const struct x400ms_mta_accounts_ops *mtas;
    void *mtas_ctx;
    struct p3_pool *pool;
    struct p3_upstream *upstream;   /* upstream.h, NULL when not configured */
    struct p3_ua *ua;               /* ua_*.c, NULL when "ua" is not configured */
    bool stopping;
};

/* One association from an MTA. Lives on its loop thread; refs held by the
 * association and by each task in the pool. */
/* The head of both P3 session kinds (p3_session below: an MTA on
 * mts-forced-access; ua_session, ua_session.h: a UA on mts-access), the
 * association's user pointer: what the association-end callbacks
 * p3_assoc_unbind/_released/_aborted need of either. */
struct p3_assoc_user {
    const char *peer;               /* the session's peer text */
    const char *role;               /* "MTA" or "P3 user", for log lines */
    const char *name;               /* the MTA name or the mailbox */
    void (*end)(void *session);     /* the association is gone: the session ends */
};
/* The association-end callbacks (x400ms_app_context unbind, released,
 * aborted) of both session kinds (module.c). */
void p3_assoc_unbind(void *ctx, struct x400ms_assoc *a, struct x400ms_bytes argument);
void p3_assoc_released(void *ctx, struct x400ms_assoc *a);
void p3_assoc_aborted(void *ctx, struct x400ms_assoc *a, const struct x400ms_abort_info *why);

struct p3_session {
    struct p3_assoc_user hdr;       /* first: see p3_session_init_hdr */
    struct p3_module *m;
    struct x400ms_assoc *a;
    struct x400ms_loop *loop;
    char peer[64];
    char mta[X400MS_MTA_NAME_MAX + 1];
    int refs;
    bool dead;
    bool bound;
    struct x400ms_timer *delay_timer;
};

void p3_session_ref(struct p3_session *s);
/* Points s->hdr at s (peer, mta) and the session's end. */
void p3_session_init_hdr(struct p3_session *s);
void p3_session_unref(struct p3_session *s);

/* A session for an association the MS initiated (upstream.c: the upstream
 * MTA delivers on mts-access, X.411 8.3), already bound to MTA `mta`. One
 * reference, the association's: p3_session_end when it ends. */
struct p3_session *p3_session_new_bound(struct p3_module *m, struct x400ms_assoc *a,
                                        const char *mta);
void p3_session_end(struct p3_session *s);

/* bind.c */
int p3_bind(void *ctx, struct x400ms_assoc *a, const struct x400ms_bind_request *req);
/* The MTS-bind answers (X.411 8.1.1.1.2/.3), shared by the MTA responder and
 * the UA endpoint: an MTSBindResult naming responder_name, or an MTSBindError. */
int p3_bind_accept_send(struct x400ms_assoc *a, const char *responder_name);
void p3_bind_error_send(struct x400ms_assoc *a, int code);
/* deliver.c */
void p3_invoke(void *ctx, struct x400ms_assoc *a, const struct x400ms_invoke *inv);
/* message-delivery, report-delivery, submission-control invoked by the MTS on s. */
void p3_session_invoke(struct p3_session *s, struct x400ms_assoc *a, const struct x400ms_invoke *inv);
int p3_delivery_controls_parse(struct p3_module *m, struct x400ms_error *err);
void p3_delivery_controls_free(struct p3_delivery_controls *dc);

#endif
