/* The auto-action dispatcher (module "autoaction"): private declarations.
 * See include/x400ms/autoaction.h and docs/auto-actions.md. */
#ifndef X400MS_MODULES_ACTION_AUTOACTION_AA_H
#define X400MS_MODULES_ACTION_AUTOACTION_AA_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>
#include "x400ms/autoaction.h"
#include "x400ms/core.h"
#include "x400ms/store.h"

#define AA_MAX_WORKERS 16
#define AA_MAX_ABANDONED 16
#define AA_MAX_TYPE_STATS 64 /* auto-action types counted separately in the metrics */

/* One mailbox's persisted document:
 *   {"registrations": [{"type", "id", "parameter"}...],
 *    "timers": [{"type", "id", "box", "seq", "due", "data"}...]} */
struct aa_mailbox {
    struct aa_mailbox *next;
    char name[X400MS_STORE_NAME_MAX + 1];
    json_t *doc;
};

enum aa_job_kind { AA_JOB_RUN = 1, AA_JOB_TIMER = 2 };

/* A copy of a store attrs struct with its own strings. */
struct aa_attrs {
    struct x400ms_store_attrs a;
    char *content_type, *originator, *this_recipient, *subject;
    uint8_t *mts_id;
};

struct aa_job {
    struct aa_job *next;
    enum aa_job_kind kind;
    unsigned event;
    char mailbox[X400MS_STORE_NAME_MAX + 1];
    char type[128];
    int64_t id;
    json_t *parameter;   /* own reference */
    json_t *timer;       /* AA_JOB_TIMER: the timer object in the doc (own reference) */
    enum x400ms_store_box box;
    uint32_t seq;
    struct aa_attrs attrs; /* AA_JOB_RUN */
};

/* Runs of one type by outcome: x400ms_autoaction_runs_total{type,result}. */
struct aa_type_stats {
    char type[128];
    uint64_t ok, failed, timeout;
};

struct aa_worker {
    struct aa *aa;
    pthread_t thread;
    bool busy, abandoned, joinable;
    uint64_t deadline_ms;
    char plugin[64];
    char type[128];
    char what[400];
    struct aa_worker *left_next; /* in the left-behind list (dispatch.c) */
};

struct aa {
    struct x400ms_core *core;
    const struct x400ms_store_ops *store;
    void *store_ctx;
    char dir[4096];
    long long n_workers, max_registrations;

    pthread_mutex_t lock;
    pthread_cond_t wake;        /* workers: a job was queued / stopping */
    pthread_cond_t tick;        /* watchdog: a timer was scheduled / stopping */
    struct aa_mailbox *mailboxes;
    struct aa_job *head, *tail;
    struct aa_worker *workers[AA_MAX_WORKERS + AA_MAX_ABANDONED];
    size_t n_worker_slots;
    unsigned n_abandoned;
    pthread_t watchdog;
    bool started, stopping;
    uint64_t runs, failures, timeouts;
    struct aa_type_stats stats[AA_MAX_TYPE_STATS];
    size_t n_stats;
};

uint64_t aa_now_ms(void);

/* registry.c (call with aa->lock held unless said otherwise) */
int aa_registry_load_all(struct aa *aa, struct x400ms_error *err);
struct aa_mailbox *aa_mailbox_get(struct aa *aa, const char *name, bool create);
int aa_mailbox_save(struct aa *aa, struct aa_mailbox *m, struct x400ms_error *err);
void aa_registry_free(struct aa *aa);
extern const struct x400ms_autoaction_registry_ops aa_registry_ops;

/* dispatch.c */
int aa_dispatch_start(struct aa *aa, struct x400ms_error *err);
void aa_dispatch_stop(struct aa *aa);
int aa_on_entry_event(void *ctx, const char *hook, void *event);
void aa_job_free(struct aa_job *j);

/* filter.c: the JSON filter form (docs/auto-actions.md). */
struct aa_filter_arena;
int aa_filter_check(const json_t *f, const char *path, struct x400ms_error *err);
/* Builds the store filter; *arena_r collects the allocations (free with aa_filter_free). */
int aa_filter_build(const json_t *f, const struct x400ms_store_filter **filter_r,
                    struct aa_filter_arena **arena_r, struct x400ms_error *err);
void aa_filter_free(struct aa_filter_arena *arena);
int aa_filter_from_ber(const uint8_t *ber, size_t len, json_t **filter_r, struct x400ms_error *err);

/* metrics.c: x400ms_autoaction_runs_total (include/x400ms/metrics.h). */
int aa_metrics_register(struct aa *aa, struct x400ms_error *err);
/* With aa->lock held: the counters of a type (the last slot is shared by
 * the types beyond AA_MAX_TYPE_STATS, labelled "other"). */
struct aa_type_stats *aa_stats_of(struct aa *aa, const char *type);

/* admin.c */
int aa_admin_register(struct aa *aa, struct x400ms_error *err);

#endif
