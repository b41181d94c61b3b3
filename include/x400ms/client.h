/* x400ms public API: the P7 client library (a User Agent's side of X.413).
 *
 * A client is one association to a Message Store (ms-access-88 or -94, or
 * their reliable variants over RTSE), bound with a name and a simple
 * password. It runs on the project's own OSI stack (include/x400ms/assoc.h):
 * the library starts a private stack in the process the first time it is
 * needed (one loop thread with the rfc1006, tls and rtse modules loaded from
 * the module path), so a program links libx400ms-client and nothing else.
 *
 *   struct x400ms_client_params p = X400MS_CLIENT_PARAMS_INIT;
 *   p.host = "127.0.0.1"; p.port = 10102;
 *   p.or_address = "/C=XX/A= /P=TEST/O=Org/S=alice/"; p.password = "secret";
 *   struct x400ms_client *c;
 *   if (x400ms_client_bind(&p, &c, NULL, &err) == 0) {
 *       struct x400ms_client_list l;
 *       struct x400ms_client_selector sel = X400MS_CLIENT_SELECTOR_INIT;
 *       sel.status = X400MS_STATUS_NEW; sel.limit = 100;
 *       x400ms_client_list(c, 0, &sel, NULL, &l, &err); ...; x400ms_client_list_free(&l);
 *       x400ms_client_unbind(&c);
 *   }
 *
 * Two ways to use it:
 *  - blocking: every x400ms_client_* call below waits for the answer (any
 *    thread except the client's loop thread);
 *  - loop-driven: x400ms_client_invoke_async() returns at once and calls a
 *    callback on the client's loop thread; x400ms_client_loop() names it so a
 *    program can add its own timers/fds there.
 *
 * The MS may invoke Alert (X.413 8.2.8) on the UA: set a handler with
 * x400ms_client_set_alert_handler(); the library answers AlertResult.
 *
 * Errors: functions return 0 or a negative X400MS_E* code with err filled:
 * X400MS_EAUTH the MS refused the bind (authentication-error),
 * X400MS_ECLOSED the association ended, X400MS_ETIMEDOUT no answer in time,
 * X400MS_EPERM the MS answered with an X.413 abstract error (its code and
 * first problem are in x400ms_client_last_error()), X400MS_EPROTO the MS
 * rejected the operation (ROSE reject) or answered with garbage,
 * X400MS_ENOENT the transport/stack modules were not found. */
#ifndef X400MS_CLIENT_H
#define X400MS_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "x400ms/error.h"
#include "x400ms/loop.h"

struct x400ms_client;

enum x400ms_client_version {
    X400MS_CLIENT_MS_88 = 0, /* ms-access-88 (2.6.0.1.4) */
    X400MS_CLIENT_MS_94 = 1, /* ms-access-94 (2.6.0.1.11) */
};

struct x400ms_client_params {
    size_t size;                  /* sizeof(struct x400ms_client_params) */
    const char *host;             /* default "127.0.0.1" */
    int port;                     /* default 10102 */
    bool tls;                     /* through the "tls" transport */
    const char *tls_ca_file;      /* CA to verify the MS's certificate (tls) */
    const char *tls_server_name;  /* name to verify (default: host) */
    const char *or_address;       /* initiator-name, O/R address text (asn1/orname.h forms) */
    const char *password;         /* simple credentials; NULL: empty */
    enum x400ms_client_version version;
    bool reliable;                /* the reliable context (RTSE) */
    bool configuration_request;   /* ms-configuration-request */
    /* fetch-restrictions (X.413 8.1.1.1.1.4): the BER of a Restrictions SET,
     * or NULL. x400ms_client_restrictions_encode() builds one. */
    const uint8_t *fetch_restrictions;
    size_t fetch_restrictions_len;
    unsigned timeout_ms;          /* bind and each operation; 0: 30000 */
    const char *module_path;      /* where rfc1006/tls/rtse modules are; NULL:
                                     $X400MS_MODULE_PATH then the installed dir */
};
#define X400MS_CLIENT_PARAMS_INIT { .size = sizeof(struct x400ms_client_params) }

/* What the MS said in its MSBindResult. */
#define X400MS_CLIENT_MAX_OIDS 64
struct x400ms_client_bind_info {
    bool alert_indication;
    size_t n_auto_actions, n_attribute_types, n_content_types, n_matching_rules;
    char auto_actions[X400MS_CLIENT_MAX_OIDS][64];    /* OID text */
    char attribute_types[X400MS_CLIENT_MAX_OIDS][64];
    char content_types[8][64];
    char matching_rules[16][64];
    size_t n_entry_classes;
    int entry_classes[8];
};

/* Associates and binds (blocking). *c_r gets the client. info may be NULL. */
int x400ms_client_bind(const struct x400ms_client_params *p, struct x400ms_client **c_r,
                       struct x400ms_client_bind_info *info, struct x400ms_error *err);
/* MS-unbind (orderly release), waits for it, frees the client; clears *c. */
int x400ms_client_unbind(struct x400ms_client **c);
/* Aborts the association and frees the client; clears *c. */
void x400ms_client_abort(struct x400ms_client **c);
/* True while the association is up. */
bool x400ms_client_alive(const struct x400ms_client *c);

/* The last X.413 abstract error the MS answered (after X400MS_EPERM):
 * its error code (e.g. 23 delete-error) and the first problem value (-1
 * when the parameter has none). The parameter's BER is kept too. */
void x400ms_client_last_error(const struct x400ms_client *c, int64_t *errcode, int64_t *problem,
                              const uint8_t **param, size_t *param_len);

/* ---- raw operations ---- */

/* An outcome: kind 1 result, 2 error (errcode, parameter), 3 reject
 * (problem), 4 the association ended. Bytes owned by the outcome. */
struct x400ms_client_outcome {
    int kind;
    int64_t errcode;
    int problem;
    uint8_t *data;                /* result or error parameter BER */
    size_t len;
};
void x400ms_client_outcome_free(struct x400ms_client_outcome *o);

/* Invokes opcode with the argument's BER and waits for the outcome. Returns
 * 0 when an outcome came (whatever its kind), < 0 when none could. */
int x400ms_client_invoke(struct x400ms_client *c, int64_t opcode, const uint8_t *arg, size_t len,
                         struct x400ms_client_outcome *out, struct x400ms_error *err);

/* Loop-driven: done(ctx, outcome) on the client's loop thread; the outcome
 * is valid during the call only. Callable from any thread. */
typedef void x400ms_client_done_fn(void *ctx, const struct x400ms_client_outcome *outcome);
int x400ms_client_invoke_async(struct x400ms_client *c, int64_t opcode, const uint8_t *arg,
                               size_t len, x400ms_client_done_fn *done, void *ctx,
                               struct x400ms_error *err);
/* The loop thread the client's association lives on. */
struct x400ms_loop *x400ms_client_loop(const struct x400ms_client *c);

/* Alert (X.413 8.2.8): called on the loop thread with the registration
 * identifier and the new entry's sequence number (0 when absent) and the
 * raw AlertArgument. */
typedef void x400ms_client_alert_fn(void *ctx, int64_t registration_id, uint32_t seq,
                                    const uint8_t *arg, size_t len);
void x400ms_client_set_alert_handler(struct x400ms_client *c, x400ms_client_alert_fn *fn, void *ctx);

/* ---- typed operations ---- */

/* A Selector (X.413 8.2.1.1.1.2), simplified; zero fields are "no bound". */
struct x400ms_client_selector {
    bool child_entries;
    uint32_t seq_from, seq_to;    /* sequence-number-range (both 0: none) */
    int64_t time_from, time_to;   /* creation-time-range, seconds (both 0: none) */
    int status;                   /* retrieval-status equality, -1: none */
    int priority;                 /* priority equality, -1: none */
    /* a Filter of your own (BER), and-ed with status/priority */
    const uint8_t *filter;
    size_t filter_len;
    uint32_t limit;               /* 0: none */
    bool has_override;
    uint32_t override;            /* OverrideRestrictions bits */
};
#define X400MS_CLIENT_SELECTOR_INIT { .status = -1, .priority = -1 }

/* One entry as List/Fetch return it; absent fields are 0/-1/"". */
struct x400ms_client_entry {
    uint32_t seq;
    uint32_t parent_seq;
    int status, priority, entry_type, importance, sensitivity, precedence;
    int64_t content_length;
    int64_t creation_time, delivery_time, submission_time;
    char content_type[64];
    char originator[256];         /* O/R address text (slash form) */
    char this_recipient[256];
    char subject[512];
    uint8_t *content;             /* Fetch: the content octets (malloc), or NULL */
    size_t content_len;
    size_t n_attributes;          /* attributes the MS returned */
};

struct x400ms_client_summary {
    uint64_t count;
    uint32_t lowest, highest;     /* span; 0 when count is 0 */
    uint32_t next;                /* continuation, 0 if none */
    /* counts by value when requested (x400ms_client_summarize asks for
     * retrieval-status and priority) */
    uint64_t by_status[3];
    uint64_t by_priority[3];
};

/* entry_class: 0 delivery (In Box), 1 submission (Out Box, 94 only). */
int x400ms_client_summarize(struct x400ms_client *c, int entry_class,
                            const struct x400ms_client_selector *sel,
                            struct x400ms_client_summary *out, struct x400ms_error *err);

struct x400ms_client_list {
    struct x400ms_client_entry *entries;
    size_t n;
    uint32_t next;                /* continuation: list again with seq_from = next */
};
/* attrs: NULL-terminated OID texts to request; NULL: the usual summary set
 * (sequence number, status, priority, type, length, times, originator,
 * subject, content type). */
int x400ms_client_list(struct x400ms_client *c, int entry_class,
                       const struct x400ms_client_selector *sel, const char *const *attrs,
                       struct x400ms_client_list *out, struct x400ms_error *err);
void x400ms_client_list_free(struct x400ms_client_list *l);

/* Fetch precise (attrs NULL: every attribute, content included). */
int x400ms_client_fetch(struct x400ms_client *c, int entry_class, uint32_t seq,
                        const char *const *attrs, struct x400ms_client_entry *out,
                        struct x400ms_error *err);
void x400ms_client_entry_free(struct x400ms_client_entry *e);

/* Delete by sequence numbers. deleted_r (may be NULL): the 94 result's count. */
int x400ms_client_delete(struct x400ms_client *c, int entry_class, const uint32_t *seqs, size_t n,
                         size_t *deleted_r, struct x400ms_error *err);

/* Register-MS (X.413 8.2.7). Any field NULL/0 is left out. */
struct x400ms_client_register {
    const char *const *list_defaults;   /* NULL-terminated OID texts; an empty list clears */
    const char *const *fetch_defaults;
    const char *old_password, *new_password; /* change-credentials when both set */
    const char *auto_action_type;       /* register one auto-action (OID text) */
    int64_t auto_action_id;             /* its registration identifier (0: 1) */
    const uint8_t *auto_action_parameter; /* BER, may be NULL */
    size_t auto_action_parameter_len;
    const char *deregister_type;        /* deregister one (with deregister_id, 0: 1) */
    int64_t deregister_id;
};
int x400ms_client_register_ms(struct x400ms_client *c, const struct x400ms_client_register *r,
                              struct x400ms_error *err);

/* Modify (94): sets the retrieval-status of entries. */
int x400ms_client_modify_status(struct x400ms_client *c, int entry_class, const uint32_t *seqs,
                                size_t n, int status, struct x400ms_error *err);

/* ---- indirect submission (X.413 8.3, through the MS to the MTS) ---- */

/* An interpersonal message (X.420 IPM, content type 22) to submit. */
struct x400ms_client_message {
    const char *originator;             /* O/R address text: the bound mailbox's own */
    const char *const *to;              /* NULL-terminated O/R address texts (primary) */
    const char *const *cc;              /* copy recipients, may be NULL */
    const char *subject;                /* may be NULL */
    const uint8_t *body;                /* one IA5 text body part (may be NULL) */
    size_t body_len;
    int priority;                       /* X.411 priority: 0 normal, 1 non-urgent, 2 urgent */
    /* receipt notification requested of each recipient (X.420 7.2.17.2
     * notification-requests rn) and a delivery report (X.411 report) */
    bool receipt;
};

/* What MessageSubmission answered. */
struct x400ms_client_submitted {
    char mts_identifier[96];            /* message-submission-identifier, "C/ADMD/PRMD;local" */
    int64_t submission_time;            /* seconds since 1970 */
    bool has_created_entry;             /* 94: the Out Box entry the MS kept */
    uint32_t created_entry;
};

/* Builds the IPM and its MessageSubmissionEnvelope and invokes
 * ms-message-submission (3). X400MS_EINVAL for a bad address (err names
 * it); X400MS_EPERM when the MS (or the MTS through it) answered an
 * abstract error: x400ms_client_last_error() gives the X.411/X.413 code. */
int x400ms_client_send(struct x400ms_client *c, const struct x400ms_client_message *m,
                       struct x400ms_client_submitted *out, struct x400ms_error *err);

/* Builds a Restrictions SET (for params.fetch_restrictions) into buf:
 * allowed content types (OID texts, NULL-terminated, or NULL) and a maximum
 * attribute length (< 0: none). Returns its length or < 0. */
int x400ms_client_restrictions_encode(const char *const *content_types, long long max_length,
                                      uint8_t *buf, size_t size);

/* Human-readable names for errors and values. */
const char *x400ms_client_error_name(int64_t errcode);   /* "delete-error" */

#endif
