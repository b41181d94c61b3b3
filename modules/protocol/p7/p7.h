/* modules/protocol/p7: the X.413 Message Store access protocol (P7), the
 * module's internal view. One struct p7_module per daemon, one struct
 * p7_session per association (ms-access-88/94 and their reliable variants).
 *
 * Threading: a session lives on its association's loop thread; every
 * function below runs there, except the password checks and other slow
 * jobs, which run on the module's worker pool (x400ms/worker.h) and post
 * their answer back. */
#ifndef X400MS_P7_H
#define X400MS_P7_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "asn1/ber.h"
#include "asn1/ms.h"
#include "x400ms/assoc.h"
#include "x400ms/core.h"
#include "x400ms/store.h"
#include "x400ms/worker.h"

#define P7_MAX_ATTR_DEFAULTS 32   /* list/fetch attribute defaults kept per mailbox */
#define P7_MAX_AUTO_ACTIONS 32    /* auto-action registrations kept per mailbox */
#define P7_MAX_RESTRICTED_TYPES 16
#define P7_OID_MAX 64             /* contents octets of one OID */

enum p7_context_kind { P7_AC_88 = 0, P7_AC_94 = 1, P7_AC_R88 = 2, P7_AC_R94 = 3 };
#define P7_AC_COUNT 4

struct p7_config {
    const char *store;            /* store backend name; NULL: the first registered */
    const char *mts;              /* MTS provider name (mts.h); NULL: the first registered */
    long long bind_failure_delay_ms; /* wrong password / unknown name answered after this */
    long long max_list;           /* entries per List result when the selector has no limit */
    long long max_fetch_list;     /* sequence numbers in a Fetch result's `list` */
    long long max_delete;         /* entries one Delete may name */
    long long worker_threads;     /* the module's worker pool: bind checks, Out Box puts */
    long long worker_queue;       /* tasks that may wait for it */
};

struct p7_module {
    struct x400ms_core *core;
    struct p7_config cfg;
    const struct x400ms_store_ops *store;
    void *store_ctx;
    struct x400ms_app_context ac[P7_AC_COUNT];
    bool ac_registered[P7_AC_COUNT];
    char *reg_dir;                /* DATA/p7: per-mailbox registrations */
    pthread_mutex_t reg_lock;     /* registration files: read-modify-write */
    struct x400ms_worker_pool *pool; /* slow work off the loops (p7_run_job, verify.c) */
    struct p7_verify *verify;     /* bind checks: gates and cache (verify.c) */
    char dummy_hash[X400MS_STORE_PASSWORD_HASH_MAX]; /* made at start: times one check */
    /* Alert (alert.c): bound sessions and mailboxes with an alert pending. */
    pthread_mutex_t alert_lock;
    struct p7_session *bound_list;  /* pending alert-indications: DATA/p7/alert-pending */
    uint64_t next_serial;
};

/* An auto-action registration (X.413 AutoActionRegistration), persisted. */
struct p7_auto_action {
    char type[128];               /* OID text */
    int64_t id;
    uint8_t *parameter;           /* the registration-parameter value TLV, or NULL */
    size_t parameter_len;
};

/* What Register-MS set for a mailbox (X.413 8.2.7), persisted per mailbox. */
struct p7_registrations {
    int list_defaults[P7_MAX_ATTR_DEFAULTS];  /* attribute table indexes */
    size_t n_list_defaults;
    bool has_list_defaults;
    int fetch_defaults[P7_MAX_ATTR_DEFAULTS];
    size_t n_fetch_defaults;
    bool has_fetch_defaults;
    struct p7_auto_action auto_actions[P7_MAX_AUTO_ACTIONS];
    size_t n_auto_actions;
    uint8_t *ua_registrations;    /* 94 ua-registrations SET, raw */
    size_t ua_registrations_len;
};

/* The bind's fetch-restrictions (X.413 8.1.1.1.1.4). */
struct p7_restrictions {
    bool content_types;           /* allowed-content-types present */
    uint8_t ct[P7_MAX_RESTRICTED_TYPES][P7_OID_MAX];
    size_t ct_len[P7_MAX_RESTRICTED_TYPES];
    size_t n_ct;
    bool eits;                    /* allowed-EITs present (not checked: no EITs in the index) */
    bool has_max_length;
    int64_t max_length;           /* maximum-attribute-length */
};

#define P7_INFLIGHT_MAX 32       /* = max_peer_invokes of the contexts (module.c) */

struct p7_session {
    struct p7_module *m;
    struct x400ms_assoc *a;       /* NULL once released/aborted */
    enum p7_context_kind kind;
    bool is94;
    bool bound;
    bool dead;                    /* the association ended: forget it when refs drop */
    int refs;                     /* loop-thread only: 1 for the association + jobs/timers */
    struct x400ms_timer *delay_timer;
    char peer[64];
    char mailbox[X400MS_STORE_NAME_MAX + 1];
    char or_address[X400MS_STORE_ADDRESS_MAX]; /* the mailbox's O/R address (originator check) */
    struct x400ms_store_mailbox *mb;
    struct p7_submit_op *submits; /* indirect submissions waiting for the MTS (submit.c) */
    /* On m->bound_list while bound (alert.c; the list is under m->alert_lock). */
    struct p7_session *bound_next;
    bool on_bound_list;
    uint64_t serial;              /* names the session in posted alerts */
    struct x400ms_loop *loop;     /* the association's loop */
    struct p7_restrictions restrictions;
    struct p7_registrations regs;
    /* invokes not answered yet, for the metrics (metrics.c) */
    struct { int64_t invoke_id; uint8_t op; bool used; } inflight[P7_INFLIGHT_MAX];
};

/* ---- metrics (metrics.c): x400ms_operations_total{protocol="p7"} ---- */
enum p7_metrics_op {
    P7_MOP_BIND, P7_MOP_SUMMARIZE, P7_MOP_LIST, P7_MOP_FETCH, P7_MOP_DELETE,
    P7_MOP_REGISTER_MS, P7_MOP_MODIFY, P7_MOP_MESSAGE_SUBMISSION, P7_MOP_PROBE_SUBMISSION,
    P7_MOP_CANCEL_DEFERRED_DELIVERY, P7_MOP_SUBMISSION_CONTROL,
    P7_MOP_ALERT,                 /* invoked by the MS: the UA's answer */
    P7_MOP_UNRECOGNIZED, P7_MOP_COUNT
};
/* ok: a result; error: an X.413/X.411 error (or a refused bind); reject: a ROSE reject. */
enum p7_metrics_result { P7_MRES_OK, P7_MRES_ERROR, P7_MRES_REJECT, P7_MRES_COUNT };
int p7_metrics_register(struct x400ms_core *core, struct x400ms_error *err);
enum p7_metrics_op p7_metrics_op_of(int64_t opcode);
void p7_metrics_count(enum p7_metrics_op op, enum p7_metrics_result result);
/* An indirect submission's MTS outcome (X400MS_MTS_ACCEPTED, _REFUSED, _FAILED). */
void p7_metrics_submission(int mts_outcome_kind);
/* An invoke arrived (p7_invoke): its answer is counted under its operation. */
void p7_metrics_invoked(struct p7_session *s, int64_t invoke_id, int64_t opcode);
/* Every answer to a UA's invoke goes through these (counted, then sent). */
void p7_send_reply(struct p7_session *s, int64_t invoke_id, struct x400ms_bytes result);
void p7_send_error(struct p7_session *s, int64_t invoke_id, int64_t code,
                   struct x400ms_bytes parameter);
void p7_send_reject(struct p7_session *s, int64_t invoke_id, int problem);

/* ---- session lifetime (module.c) ---- */
void p7_session_ref(struct p7_session *s);
void p7_session_unref(struct p7_session *s);

/* ---- bind (bind.c) ---- */
int p7_bind(void *ctx, struct x400ms_assoc *a, const struct x400ms_bind_request *req);

/* Runs X400MS_HOOK_BIND (bind, success or not) or X400MS_HOOK_UNBIND
 * (unbind true: a bound session ended) with a struct x400ms_bind_event. */
void p7_run_bind_hook(struct p7_session *s, bool unbind, bool success);

/* ---- password checks (verify.c) ---- */
int p7_verify_init(struct p7_module *m, struct x400ms_error *err);
void p7_verify_fini(struct p7_module *m);
/* Called on s's loop with the outcome (s NULL when the association died
 * meanwhile: free arg only). */
typedef void p7_verify_done_fn(struct p7_session *s, bool ok, void *arg);
/* Checks password against the mailbox's stored hash on the worker pool (one
 * check per mailbox at a time, recent outcomes cached); done follows on
 * s's loop. 0, or < 0 when it cannot be queued (done is not called). */
int p7_verify_check(struct p7_session *s, const char *mailbox, const char *stored_hash,
                    const char *password, size_t password_len, p7_verify_done_fn *done,
                    void *arg);
/* The average time of one PBKDF2 check so far (0 before the first), so an
 * unknown name can be answered as late as a wrong password. */
uint64_t p7_verify_estimate_ms(struct p7_module *m);
void p7_verify_seed_estimate(struct p7_module *m, uint64_t ms);

/* ---- Alert (alert.c, X.413 8.2.8) ---- */
/* During init(): listens on X400MS_HOOK_AUTO_ALERT (autoaction.h). */
int p7_alert_init(struct p7_module *m, struct x400ms_error *err);
void p7_alert_fini(struct p7_module *m);
/* During start(), once reg_dir is known: the pending-indication directory. */
int p7_alert_start(struct p7_module *m);
/* The session is bound: alerts may go to it. True when an alert was
 * recorded for its mailbox while no UA was bound (alert-indication; cleared). */
bool p7_alert_session_bound(struct p7_session *s);
/* The session ends (loop thread). */
void p7_alert_session_end(struct p7_session *s);

/* ---- operations (retrieval.c, admin.c) ---- */
void p7_invoke(void *ctx, struct x400ms_assoc *a, const struct x400ms_invoke *inv);
void p7_op_summarize(struct p7_session *s, const struct x400ms_invoke *inv);
void p7_op_list(struct p7_session *s, const struct x400ms_invoke *inv);
void p7_op_fetch(struct p7_session *s, const struct x400ms_invoke *inv);
void p7_op_delete(struct p7_session *s, const struct x400ms_invoke *inv);
void p7_op_register(struct p7_session *s, const struct x400ms_invoke *inv);
void p7_op_modify(struct p7_session *s, const struct x400ms_invoke *inv);
void p7_op_submission(struct p7_session *s, const struct x400ms_invoke *inv);
/* The association ended: the MTS outcomes still awaited are not wanted (submit.c). */
void p7_submit_forget_all(struct p7_session *s);

/* ---- answers (reply.c) ---- */
/* Sends the writer's contents as the result of inv (or, when w->error, a
 * service-error) and frees nothing: the caller owns w. */
void p7_reply_writer(struct p7_session *s, int64_t invoke_id, struct ber_writer *w);
void p7_reply_null(struct p7_session *s, int64_t invoke_id);
void p7_error_service(struct p7_session *s, int64_t invoke_id, int problem, const char *info);
void p7_error_invalid_parameters(struct p7_session *s, int64_t invoke_id, const char *why);
void p7_error_range(struct p7_session *s, int64_t invoke_id);
void p7_error_security(struct p7_session *s, int64_t invoke_id, int problem);
void p7_error_entry_class(struct p7_session *s, int64_t invoke_id, int64_t entry_class);
void p7_error_seqnum(struct p7_session *s, int64_t invoke_id, const uint32_t *seqs, size_t n);
void p7_error_attribute(struct p7_session *s, int64_t invoke_id, int problem,
                        struct ber_slice type_oid);
void p7_error_problems(struct p7_session *s, int64_t invoke_id, const struct ms_problem_error *e);
void p7_error_simple(struct p7_session *s, int64_t invoke_id, const struct ms_simple_error *e);
/* A decode failure of an argument: ROSE reject mistyped-argument + a log line. */
void p7_reject_mistyped(struct p7_session *s, int64_t invoke_id, const char *op,
                        const struct ber_error *be);

/* ---- attributes (attrs.c) ---- */
enum p7_attr_syntax {
    P7_SYN_INTEGER,       /* INTEGER */
    P7_SYN_ENUM,          /* ENUMERATED */
    P7_SYN_PRIORITY,      /* X.411 Priority [APPLICATION 7] ENUMERATED */
    P7_SYN_UTCTIME,       /* UTCTime */
    P7_SYN_ORNAME,        /* X.411 ORName [APPLICATION 0] */
    P7_SYN_ORDESCRIPTOR,  /* X.420 ORDescriptor SET { ORName } */
    P7_SYN_CONTENT_TYPE,  /* X.411 ContentType */
    P7_SYN_TELETEX,       /* TeletexString (X.420 1988 SubjectField) */
    P7_SYN_MTS_ID,        /* X.411 MTSIdentifier, stored encoded */
    P7_SYN_CONTENT,       /* Content: OCTET STRING of the stored content */
    P7_SYN_ENVELOPE,      /* the stored envelope, as received */
};

struct p7_attr {
    const char *name;     /* X.413 name, for logs and docs */
    const char *oid;      /* dotted text */
    enum x400ms_store_attr_id id; /* store index attribute; 0 when not in the index */
    enum p7_attr_syntax syntax;
    bool multi;           /* multi-valued (child-sequence-numbers) */
    bool summarizable;    /* small integer domain: Summarize counts it */
    bool in_list;         /* returned in the default attribute set (all) */
    uint8_t enc[P7_OID_MAX]; /* the OID's contents octets (filled at init) */
    size_t enc_len;
};

extern struct p7_attr p7_attrs[];
extern const size_t p7_attr_count;

int p7_attrs_init(void);
/* Index of the attribute with OID contents octets oid, or -1. */
int p7_attr_find(struct ber_slice oid);
/* Pushes Attribute { type, values } for attrs of an entry in box (content and
 * envelope from entry when not NULL). Returns 1 pushed, 0 absent, < 0 error. */
int p7_attr_push(struct ber_writer *w, int idx, enum x400ms_store_box box,
                 const struct x400ms_store_attrs *attrs, const struct x400ms_store_entry *entry);
/* Pushes just the value of an attribute (for Summary). Same returns. */
int p7_attr_push_value(struct ber_writer *w, int idx, enum x400ms_store_box box,
                       const struct x400ms_store_attrs *attrs, const struct x400ms_store_entry *entry);

/* A filter translated into the store's tree; nodes and strings live in it. */
#define P7_FILTER_NODES 128
#define P7_FILTER_TEXT 8192
struct p7_filter_arena {
    struct x400ms_store_filter nodes[P7_FILTER_NODES];
    size_t n_nodes;
    char text[P7_FILTER_TEXT];
    size_t n_text;
    const char *anys[P7_FILTER_NODES];
    size_t n_anys;
    /* what went wrong, for the X.413 error */
    int bad_attr;             /* -1, or 1: an unknown attribute type (attribute-error) */
    struct ber_slice bad_type;
    int problem;              /* AttributeProblem */
};

/* Translates the X.413 Selector into the store's selector for box. Returns 0,
 * or < 0 with *kind_r telling the error to answer: 1 attribute-error (arena
 * says which), 2 range-error, 3 invalid-parameters. */
int p7_selector_translate(const struct ms_selector *in, enum x400ms_store_box box,
                          struct p7_filter_arena *arena, struct x400ms_store_selector *out,
                          int *kind_r);

/* ---- registrations (regs.c) ---- */
int p7_regs_load(struct p7_module *m, const char *mailbox, struct p7_registrations *r);
int p7_regs_save(struct p7_module *m, const char *mailbox, const struct p7_registrations *r);
void p7_regs_free(struct p7_registrations *r);

/* ---- helpers ---- */
/* The entry class of an argument as the store's box; false when unsupported. */
bool p7_box_of(const struct p7_session *s, int64_t entry_class, enum x400ms_store_box *box_r);
/* Runs fn(arg) on the worker pool, then done(s, arg) on the session's loop; the
 * session is kept alive meanwhile (done is not called when it died). */
typedef void p7_job_fn(void *arg);
typedef void p7_job_done_fn(struct p7_session *s, void *arg);
int p7_run_job(struct p7_session *s, p7_job_fn *fn, p7_job_done_fn *done, void *arg);

#endif
