/* modules/protocol/p3/ua_session.h: the state the P3 UA endpoint's files
 * share (ua_endpoint.c: config, contexts, registry of bound UAs, hook;
 * ua_bind.c: the MTS-bind; ua_submit.c: the submission port; ua_push.c: the
 * delivery port). Not used outside ua_*.c. */
#ifndef X400MS_P3_UA_SESSION_H
#define X400MS_P3_UA_SESSION_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "modules/protocol/p3/p3.h"
#include "modules/protocol/p3/ua_endpoint.h"
#include "x400ms/assoc.h"
#include "x400ms/loop.h"
#include "x400ms/mts.h"
#include "x400ms/store.h"

#define UA_WINDOW_MAX 32

/* mts-access-88/94 and mts-reliable-access-88/94 (X.419 / mhs-oids.txt). */
enum { UA_AC_A88, UA_AC_A94, UA_AC_R88, UA_AC_R94, UA_AC_COUNT };

struct ua_session;

struct p3_ua {
    struct p3_module *m;
    char **accounts;                 /* mailbox names of the P3 users */
    size_t n_accounts;
    unsigned window;                 /* deliveries outstanding per UA */
    const char *mts;                 /* provider name, NULL: the active one */
    struct x400ms_app_context ac[UA_AC_COUNT];
    /* The bound UAs, one per mailbox (a second bind is refused busy).
     * Added and removed on the session's loop thread under lock; read by the
     * entry-delivered hook on any thread. */
    pthread_mutex_t lock;
    struct ua_session *bound;
    bool stopping;
};

/* X.411 8.3.1.3 DeliveryControls as the UA set them. */
struct ua_controls {
    bool restrict_;
    uint32_t permitted_ops;          /* Operations bits: 1 reports, 2 messages */
    int64_t max_content_length;      /* -1: no bound */
    int lowest_rank;                 /* 0 non-urgent, 1 normal, 2 urgent */
};
#define UA_OPS_REPORTS (1u << 0)    /* probe-submission-or-report-delivery (0) */
#define UA_OPS_MESSAGES (1u << 1)   /* message-submission-or-message-delivery (1) */

struct ua_submit_op;

/* One association from a UA. Lives on its loop thread; refs held by the
 * association, by pool tasks and timers. */
struct ua_session {
    struct p3_assoc_user hdr;        /* first (p3.h): see ua_session_init_hdr */
    struct p3_ua *ua;
    struct x400ms_assoc *a;
    struct x400ms_loop *loop;
    char peer[64];
    char mailbox[X400MS_STORE_NAME_MAX + 1];
    char or_address[X400MS_STORE_ADDRESS_MAX];
    const char *mdse;                /* abstract syntax the deliveries go on */
    int refs;
    bool dead, bound, registered;
    struct x400ms_timer *delay_timer;
    struct ua_session *next_bound;   /* p3_ua.bound list, under ua->lock */
    /* delivery port (ua_push.c) */
    uint32_t cursor;                 /* In Box entries above it are not yet handed out */
    uint32_t flight[UA_WINDOW_MAX];  /* seqs pushed, waiting for the UA's answer */
    unsigned in_flight;
    bool scanning, rescan, held;
    struct ua_controls dc;
    unsigned dc_gen;                 /* bumped by delivery-control: older scans are void */
    /* submission port (ua_submit.c) */
    struct ua_submit_op *submits;
};

void ua_session_ref(struct ua_session *s);
/* Points s->hdr at s (peer, mailbox) and the session's end (ua_endpoint.c). */
void ua_session_init_hdr(struct ua_session *s);
void ua_session_unref(struct ua_session *s);
/* Log prefix helpers are plain fields: peer and mailbox. */

/* ua_endpoint.c: the registry. Returns false when the mailbox already has
 * a bound UA (the caller answers busy). */
bool ua_registry_add(struct ua_session *s);
void ua_registry_remove(struct ua_session *s);
bool ua_is_account(const struct p3_ua *ua, const char *mailbox);

/* ua_bind.c */
int ua_bind(void *ctx, struct x400ms_assoc *a, const struct x400ms_bind_request *req);

/* ua_submit.c: message-submission, probe-submission, cancel-deferred-delivery. */
void ua_submit_invoke(struct ua_session *s, const struct x400ms_invoke *inv);
/* The association ended: forget the provider's outstanding calls. */
void ua_submit_end(struct ua_session *s);

/* ua_admin.c: change-credentials (8). */
void ua_change_credentials(struct ua_session *s, const struct x400ms_invoke *inv);

/* ua_push.c */
void ua_push_kick(struct ua_session *s);                 /* look for entries to push */
void ua_delivery_control(struct ua_session *s, const struct x400ms_invoke *inv);
void ua_controls_reset(struct ua_controls *dc);

#endif
