/* modules/mta/local: the embedded local MTA, the default MTS provider
 * (include/x400ms/mts.h, DESIGN.md section 9, docs/mta-local.md).
 *
 * submit() validates the X.411 submission envelope, writes the message to a
 * durable queue in DATA/mta_local/queue and only then answers ACCEPTED; one
 * worker thread takes ready queue items (deferred-delivery-time reached)
 * most urgent first, delivers to the local recipients' In Boxes through the
 * store, relays recipients of other domains to p3's upstream MTA when one
 * is configured (relay.c) and puts delivery / non-delivery reports into the
 * originator's In Box. */
#ifndef X400MS_MTA_LOCAL_H
#define X400MS_MTA_LOCAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "asn1/mts.h"
#include "modules/protocol/p3/mbindex.h"
#include "x400ms/core.h"
#include "x400ms/mts.h"
#include "x400ms/store.h"

/* X.411 NonDeliveryReasonCode (8.3.1.2.1.6). */
#define MTAL_REASON_TRANSFER_FAILURE 0
#define MTAL_REASON_UNABLE_TO_TRANSFER 1
/* X.411 NonDeliveryDiagnosticCode (8.3.1.2.1.7). */
#define MTAL_DIAG_UNRECOGNISED_OR_NAME 0
#define MTAL_DIAG_MAXIMUM_TIME_EXPIRED 5
#define MTAL_DIAG_NO_BILATERAL_AGREEMENT 17
/* X.411 standard extension latest-delivery-time (9.2). */
#define MTAL_EXT_LATEST_DELIVERY_TIME 5

/* One accepted submission waiting in the queue. */
struct mtal_item {
    struct mtal_item *next;
    char id[MTS_UB_LOCAL_ID + 1];            /* local identifier, also the file name */
    char mailbox[X400MS_STORE_NAME_MAX + 1]; /* originating mailbox, "" when none */
    bool probe;
    int64_t submission_time;
    int64_t deferred;                        /* 0: none */
    int64_t latest;                          /* latest-delivery-time, 0: none */
    int rank;                                /* urgency: urgent 2, normal 1, non-urgent 0 */
    uint64_t order;                          /* FIFO among equal rank */
    bool busy;                               /* taken by the worker */
    uint8_t *envelope;
    size_t envelope_len;
    uint8_t *content;
    size_t content_len;
    uint8_t *done_mask;                      /* recipients already handled (retry after a store error) */
    size_t n_recipients;
    /* relay to the upstream MTA (relay.c): relay_mask marks the recipients
     * of the last relayed envelope; relay_kind is its outcome
     * (X400MS_MTS_*, 0: none yet / already handled), set on a loop thread
     * under mtal.lock while the item is busy */
    uint8_t *relay_mask;
    int relay_kind;
    int64_t relay_errcode;
    char relay_reason[200];
};

struct mtal_outcome_task;

struct mtal {
    struct x400ms_core *core;
    const struct x400ms_store_ops *store;
    void *store_ctx;
    struct mtsu_mbindex *mbindex;   /* recipient O/R address -> mailbox */
    /* config */
    const char *store_name;
    char country[8], admd[20], prmd[20];
    long long retry_s;
    char queue_dir[4096];
    /* queue */
    pthread_mutex_t lock;
    pthread_cond_t cond;
    struct mtal_item *items;
    uint64_t next_order;
    uint32_t id_counter;
    bool stopping, started;
    pthread_t worker;
    /* outcomes waiting to run on a caller's loop (for forget) */
    struct mtal_outcome_task *pending;
    x400ms_mts_op_id next_op;
    /* relayed envelopes whose outcome has not come back (relay.c) */
    unsigned relays_outstanding;
};

/* metrics.c: x400ms_submissions_total / x400ms_deliveries_total{protocol="local"}. */
enum mtal_sub_result { MTAL_SUB_OK, MTAL_SUB_REFUSED, MTAL_SUB_FAILED, MTAL_SUB_COUNT };
enum mtal_del_result { MTAL_DEL_OK, MTAL_DEL_ERROR, MTAL_DEL_UNDELIVERABLE, MTAL_DEL_COUNT };
void mtal_metrics_submission(enum mtal_sub_result r);
void mtal_metrics_delivery(enum mtal_del_result r);
int mtal_metrics_register(struct x400ms_core *core, struct x400ms_error *err);

int mtal_urgency_rank(int priority);
/* Decodes a queued envelope (message or probe). */
int mtal_decode_envelope(const struct mtal_item *it, struct mts_submission_envelope *e,
                         struct x400ms_error *err);
/* latest-delivery-time from the envelope's extensions, 0 when absent. */
int64_t mtal_latest_delivery_time(const struct mts_submission_envelope *e);
/* The MTSIdentifier of an item (strings point into m and it). */
void mtal_identifier(const struct mtal *m, const struct mtal_item *it, struct mts_identifier *id);

/* queue.c: durable queue files. */
int mtal_queue_open(struct mtal *m, struct x400ms_error *err);
int mtal_queue_write(struct mtal *m, const struct mtal_item *it, struct x400ms_error *err);
void mtal_queue_remove(struct mtal *m, const struct mtal_item *it);
/* Loads every queued file into m->items (at start). */
int mtal_queue_load(struct mtal *m, struct x400ms_error *err);
void mtal_item_free(struct mtal_item *it);

/* deliver.c: handles one item on the worker thread. Returns 0 when done
 * (remove it), X400MS_EAGAIN when some recipients must be retried,
 * MTAL_WAIT_RELAY when recipients were relayed to the upstream MTA: the
 * item stays busy until relay.c records the outcome. */
#define MTAL_WAIT_RELAY 1
int mtal_process(struct mtal *m, struct mtal_item *it);

/* relay.c: p3's submission initiator, NULL when not configured. */
const struct x400ms_mts_ops *mtal_upstream(const struct mtal *m, void **ctx_r);
/* Submits an envelope with only rcpts (n of them) to the upstream MTA; 0:
 * the outcome will be recorded in it (see struct mtal_item). */
int mtal_relay_submit(struct mtal *m, struct mtal_item *it,
                      const struct mts_submission_envelope *env,
                      const struct mts_submission_recipient *rcpts, size_t n);
/* The NonDeliveryReasonCode / -DiagnosticCode (X.411 8.3.1.2.1.6/7) for
 * recipients the upstream MTA refused with X.411 error errcode (8.2.2). */
void mtal_relay_map_refusal(int64_t errcode, int *reason_r, int *diagnostic_r);

#endif
