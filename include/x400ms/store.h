/* x400ms public API: the message store (DESIGN.md section 8).
 *
 * A store backend (modules/store/file is the first) keeps mailboxes. A
 * mailbox has a name, an O/R address in text form, a hashed P7 password and
 * settings, and two boxes: the In Box (entries delivered by the MTS: messages,
 * reports, returned contents) and the Out Box (entries the user submitted
 * through the MS, X.413 94 "submission log"). Every entry has a sequence
 * number, unique within the mailbox and never reused (not after a delete, not
 * after a restore), the envelope and content bytes as received (BER, stored
 * and returned unchanged) and index attributes the MS can list and filter on
 * without decoding the content (X.413 12.2, the "general attributes").
 *
 * P7, P3, the admin API and the auto-action modules use only this header:
 *
 *   void *ctx;
 *   const struct x400ms_store_ops *store = x400ms_store_find(core, NULL, &ctx);
 *   struct x400ms_store_mailbox *mb;
 *   if (store->mailbox_open(ctx, "alice", &mb, &err) == 0) { ...; store->mailbox_close(mb); }
 *
 * Threading: every call is thread-safe and may block on disk I/O (a delivery
 * waits for its group commit, a few milliseconds): call the store from a loop
 * thread only where that wait is acceptable (P3 delivery acknowledges after
 * it, DESIGN.md section 5), and run backup/restore/check/rebuild on the core's
 * job thread (x400ms_core_run_job).
 *
 * Errors: X400MS_ENOENT unknown mailbox or sequence number, X400MS_EEXIST
 * duplicate mailbox, X400MS_EINVAL bad argument (the message names it),
 * X400MS_EPERM refused by a setting (deletion prohibited), X400MS_ECORRUPT a
 * stored entry failed its check, X400MS_EIO / X400MS_ENOSPC from the disk. */
#ifndef X400MS_STORE_H
#define X400MS_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "x400ms/core.h"
#include "x400ms/error.h"

/* ---- limits (a backend may store more, callers must not send more) ---- */
#define X400MS_STORE_NAME_MAX 64        /* mailbox name: [A-Za-z0-9._-], not starting with '.' */
#define X400MS_STORE_ADDRESS_MAX 1024   /* O/R address text (originator, this-recipient, mailbox) */
#define X400MS_STORE_SUBJECT_MAX 512    /* UTF-8 bytes of the IPM subject (X.420 ub-subject-field 128 chars) */
#define X400MS_STORE_CONTENT_TYPE_MAX 128
#define X400MS_STORE_MTS_ID_MAX 256     /* encoded MTSIdentifier bytes */
#define X400MS_STORE_CHILDREN_MAX 1024  /* child sequence numbers of one entry */
#define X400MS_STORE_PASSWORD_HASH_MAX 256

/* The two boxes of a mailbox. */
enum x400ms_store_box {
    X400MS_STORE_INBOX = 0,  /* X.413 entry-class delivery */
    X400MS_STORE_OUTBOX = 1, /* X.413 (94) entry-class submission */
};
#define X400MS_STORE_BOX_COUNT 2

/* X.413 12.2.16 entry-type (2.6.4.3.16). */
enum x400ms_store_entry_type {
    X400MS_ENTRY_DELIVERED_MESSAGE = 0,
    X400MS_ENTRY_DELIVERED_REPORT = 1,
    X400MS_ENTRY_RETURNED_CONTENT = 2,
    X400MS_ENTRY_SUBMITTED_MESSAGE = 3,
    X400MS_ENTRY_SUBMITTED_PROBE = 4,
};
#define X400MS_ENTRY_TYPE_COUNT 5

/* X.413 12.2.29 retrieval-status (2.6.4.3.15). It only moves forward:
 * new -> listed -> processed (X.413 8.2.1.4). */
enum x400ms_store_status {
    X400MS_STATUS_NEW = 0,
    X400MS_STATUS_LISTED = 1,
    X400MS_STATUS_PROCESSED = 2,
};
#define X400MS_STATUS_COUNT 3

/* X.411 Priority (2.6.4.3.31): the numbers are NOT an order of urgency. */
enum x400ms_store_priority {
    X400MS_PRIORITY_NORMAL = 0,
    X400MS_PRIORITY_NON_URGENT = 1,
    X400MS_PRIORITY_URGENT = 2,
};
#define X400MS_PRIORITY_COUNT 3

/* X.420 ImportanceField (2.6.1.7.7) and SensitivityField; ABSENT when the
 * content does not carry the field (reports, probes, non-IPM contents). */
#define X400MS_IPM_ABSENT 0xff
enum x400ms_store_importance { X400MS_IMPORTANCE_LOW = 0, X400MS_IMPORTANCE_NORMAL = 1,
                               X400MS_IMPORTANCE_HIGH = 2 };
enum x400ms_store_sensitivity { X400MS_SENSITIVITY_PERSONAL = 1, X400MS_SENSITIVITY_PRIVATE = 2,
                                X400MS_SENSITIVITY_COMPANY_CONFIDENTIAL = 3 };
/* STANAG 4406 precedence (2.6.1.7.37, 0..28 used); -1 when absent. */
#define X400MS_PRECEDENCE_ABSENT (-1)

/* The index attributes of one entry. Strings are NUL-terminated UTF-8;
 * NULL (or "") means absent. In results, the pointers belong to the store
 * and stay valid only for the duration of the callback or until the result
 * is freed, as each call says. */
struct x400ms_store_attrs {
    uint32_t seq;                 /* sequence-number (.39); set by the store */
    uint32_t parent_seq;          /* parent-sequence-number (.29); 0 = none */
    uint8_t entry_type;           /* enum x400ms_store_entry_type */
    uint8_t status;               /* enum x400ms_store_status; set by the store */
    uint8_t priority;             /* enum x400ms_store_priority */
    uint8_t importance;           /* enum x400ms_store_importance or X400MS_IPM_ABSENT */
    uint8_t sensitivity;          /* enum x400ms_store_sensitivity or X400MS_IPM_ABSENT */
    int16_t precedence;           /* 0..127 or X400MS_PRECEDENCE_ABSENT */
    uint64_t content_length;      /* content-length (.6), octets of the content */
    /* content-type (.8), X.411 ContentType: the dotted OID text of an
     * extended content type ("2.6.1.10.1" for P22), or the decimal text of a
     * built-in one ("22"); a text without a dot is a built-in type. */
    const char *content_type;
    int64_t creation_time;        /* creation-time (.11), seconds since 1970 UTC; set by the store when 0 */
    int64_t delivery_time;        /* message-delivery-time (.20) for the In Box,
                                     message-submission-time (.23) for the Out Box */
    const char *originator;       /* originator-name (.27) as O/R address text */
    const char *this_recipient;   /* this-recipient-name (.41) */
    const char *subject;          /* IPM subject (2.6.1.7.4), at most X400MS_STORE_SUBJECT_MAX bytes */
    /* message-delivery-identifier / message-submission-identifier: the
     * encoded MTSIdentifier (X.411), stored as given. */
    const uint8_t *mts_id;
    size_t mts_id_len;
    /* child-sequence-numbers (.0): entries made of this entry's body parts
     * that are messages (X.413 8.2.1.3). */
    const uint32_t *children;
    size_t n_children;
};

/* What to store: the attributes plus the bytes. seq and status of attrs
 * are ignored (a new entry is always "new"). */
struct x400ms_store_entry_in {
    struct x400ms_store_attrs attrs;
    const uint8_t *envelope; /* BER of the delivery/submission envelope, as received */
    size_t envelope_len;
    const uint8_t *content;  /* BER of the content */
    size_t content_len;
};

/* An entry read back by get(); free with ops->entry_free. */
struct x400ms_store_entry {
    struct x400ms_store_attrs attrs; /* strings owned by the entry */
    const uint8_t *envelope;         /* NULL unless X400MS_STORE_GET_ENVELOPE */
    size_t envelope_len;
    const uint8_t *content;          /* NULL unless X400MS_STORE_GET_CONTENT */
    size_t content_len;
};
enum x400ms_store_get_flags {
    X400MS_STORE_GET_ATTRS = 0,           /* attributes only (from the index, no disk access) */
    X400MS_STORE_GET_ENVELOPE = 1u << 0,
    X400MS_STORE_GET_CONTENT = 1u << 1,
};

/* ---- filters: X.413 Filter / FilterItem (12.x, MSGeneralAttributeTypes) so
 * P7 translates its Selector directly ---- */
enum x400ms_store_attr_id {
    X400MS_ATTR_SEQ = 1,            /* integer */
    X400MS_ATTR_PARENT_SEQ,         /* integer */
    X400MS_ATTR_ENTRY_TYPE,         /* integer */
    X400MS_ATTR_STATUS,             /* integer */
    X400MS_ATTR_PRIORITY,           /* integer (equality makes sense; order is not urgency) */
    X400MS_ATTR_IMPORTANCE,         /* integer, absent when X400MS_IPM_ABSENT */
    X400MS_ATTR_SENSITIVITY,        /* integer, absent when X400MS_IPM_ABSENT */
    X400MS_ATTR_PRECEDENCE,         /* integer, absent when -1 */
    X400MS_ATTR_CONTENT_LENGTH,     /* integer */
    X400MS_ATTR_CREATION_TIME,      /* integer (seconds) */
    X400MS_ATTR_DELIVERY_TIME,      /* integer (seconds) */
    X400MS_ATTR_CONTENT_TYPE,       /* string */
    X400MS_ATTR_ORIGINATOR,         /* string */
    X400MS_ATTR_THIS_RECIPIENT,     /* string */
    X400MS_ATTR_SUBJECT,            /* string */
    X400MS_ATTR_MTS_ID,             /* bytes (value.bytes / value_len) */
    X400MS_ATTR_CHILDREN,           /* present / equality: has a child with that number */
};

enum x400ms_store_filter_op {
    X400MS_FILTER_AND,        /* all of children[0..n_children) (none: true) */
    X400MS_FILTER_OR,         /* any of children (none: false) */
    X400MS_FILTER_NOT,        /* not children[0] */
    X400MS_FILTER_EQUAL,      /* attr == value; strings compare ignoring ASCII case */
    X400MS_FILTER_GREATER_OR_EQUAL,
    X400MS_FILTER_LESS_OR_EQUAL,
    X400MS_FILTER_SUBSTRINGS, /* strings: initial, any[] in order, final; ignoring ASCII case */
    X400MS_FILTER_PRESENT,    /* the attribute has a value */
    X400MS_FILTER_APPROX,     /* approximate-match: equality ignoring case and spaces */
};

/* One node of a filter tree. A FilterItem on an attribute the entry does not
 * have evaluates to false (X.413 11.2.x, "undefined" taken as false, also
 * under NOT for simplicity: NOT of an undefined item is true). */
struct x400ms_store_filter {
    enum x400ms_store_filter_op op;
    enum x400ms_store_attr_id attr;
    int64_t int_value;          /* integer attributes */
    const char *str_value;      /* string attributes (EQUAL, GE, LE, APPROX) */
    const uint8_t *bytes;       /* X400MS_ATTR_MTS_ID */
    size_t bytes_len;
    /* SUBSTRINGS: each NULL when absent. */
    const char *initial;
    const char *const *any;
    size_t n_any;
    const char *final;
    /* AND / OR / NOT */
    const struct x400ms_store_filter *children;
    size_t n_children;
};

/* X.413 Selector, reduced to what the index answers. Unset fields (zero)
 * mean "no bound". */
struct x400ms_store_selector {
    uint32_t seq_from, seq_to;       /* inclusive range of sequence numbers */
    int64_t time_from, time_to;      /* inclusive range of creation-time */
    const struct x400ms_store_filter *filter; /* NULL: every entry */
    /* Continuation: start at the first entry whose seq >= next (0: from the
     * range start). The call returns the next value to pass, or 0 when done. */
    uint32_t next;
    size_t limit;                    /* 0: no limit */
    bool include_children;           /* X.413 child-entries: false skips entries with parent_seq != 0 */
};

/* Called for each selected entry, in increasing sequence number, with the
 * mailbox's index held for reading: do not call the store from inside the
 * callback. attrs is valid only during the call. Return 0 to go on, non-zero
 * to stop (the select then returns that value, and *next_r the next seq). */
typedef int x400ms_store_entry_visit_fn(void *arg, const struct x400ms_store_attrs *attrs);

/* Summary of one box (X.413 Summarize; counts over the whole box). */
struct x400ms_store_summary {
    uint64_t total;
    uint64_t by_status[X400MS_STATUS_COUNT];
    uint64_t by_priority[X400MS_PRIORITY_COUNT];
    uint32_t lowest_seq, highest_seq; /* 0 when the box is empty */
};

/* ---- mailboxes ---- */
/* A max_age value: this box is never aged out, whatever default_max_age says. */
#define X400MS_STORE_MAX_AGE_NEVER (-1)

struct x400ms_store_settings {
    bool deletion_prohibited;     /* delete() refused with X400MS_EPERM (besides the deployment switch) */
    bool delete_new_prohibited;   /* deleting an entry still "new" is refused (X.413 delete-error) */
    bool outbox_enabled;          /* store-submitted entries kept in the Out Box */
    /* Seconds; entries older (creation-time) are aged out. 0 = none of its own (the
     * deployment's default_max_age applies; without one, never);
     * X400MS_STORE_MAX_AGE_NEVER = never, even where a default is set. */
    int64_t max_age[X400MS_STORE_BOX_COUNT];
};

struct x400ms_store_mailbox_info {
    const char *name;             /* X400MS_STORE_NAME_MAX, [A-Za-z0-9._-] */
    const char *or_address;       /* the mailbox's O/R address, text form */
    const char *password_hash;    /* from x400ms_password_hash; NULL or "" = no password */
    struct x400ms_store_settings settings;
    uint32_t next_seq;            /* read only: the next sequence number to be given out */
};
/* attrs of mailbox_list/mailbox_get results are valid for the callback only. */
typedef int x400ms_store_mailbox_visit_fn(void *arg, const struct x400ms_store_mailbox_info *info);

/* An open mailbox; opaque, defined by the backend. */
struct x400ms_store_mailbox;

enum x400ms_store_restore_mode {
    X400MS_RESTORE_MERGE = 0,   /* add the backup's entries; keep what is there */
    X400MS_RESTORE_REPLACE = 1, /* the mailbox becomes the backup (sequence numbers still never go back) */
};

struct x400ms_store_check_report {
    uint64_t entries;          /* entry files seen */
    uint64_t corrupt;          /* entry files skipped because they failed their check */
    uint64_t missing;          /* in the index but no file: removed from the index */
    uint64_t unindexed;        /* file but not in the index: added */
    uint64_t status_fixed;     /* index status differed from the file name: fixed */
    uint64_t temp_removed;     /* leftover temporary / deleted files removed */
    bool consistent;           /* nothing had to be fixed and nothing is corrupt */
};

/* The vtable of a store backend (OpenLDAP's BackendInfo in spirit). Every
 * function returns 0 or a negative X400MS_E* code with err filled. `ctx` is
 * the backend's context given at registration. */
struct x400ms_store_ops {
    size_t size; /* sizeof(struct x400ms_store_ops) the backend was built with */

    /* -- mailbox administration (the admin API) -- */
    /* Creates an empty mailbox; durable on return. X400MS_EEXIST when the name
     * or the O/R address is taken. */
    int (*mailbox_create)(void *ctx, const struct x400ms_store_mailbox_info *info,
                          struct x400ms_error *err);
    /* Replaces the O/R address, password hash and settings of `name` (info->name ignored). */
    int (*mailbox_update)(void *ctx, const char *name, const struct x400ms_store_mailbox_info *info,
                          struct x400ms_error *err);
    /* Deletes the mailbox and every entry. Waits for open handles' operations to finish. */
    int (*mailbox_delete)(void *ctx, const char *name, struct x400ms_error *err);
    /* Visits every mailbox in name order. */
    int (*mailbox_list)(void *ctx, x400ms_store_mailbox_visit_fn *fn, void *arg,
                        struct x400ms_error *err);
    /* Visits one mailbox found by name (or, when name is NULL, by O/R address,
     * compared ignoring ASCII case) - P7 bind uses the address. */
    int (*mailbox_get)(void *ctx, const char *name, const char *or_address,
                       x400ms_store_mailbox_visit_fn *fn, void *arg, struct x400ms_error *err);

    /* -- access to one mailbox -- */
    int (*mailbox_open)(void *ctx, const char *name, struct x400ms_store_mailbox **mb_r,
                        struct x400ms_error *err);
    void (*mailbox_close)(struct x400ms_store_mailbox *mb);

    /* Stores an entry in `box` and sets *seq_r to its new sequence number
     * ONLY once the entry is durable (group commit: concurrent puts share one
     * flush). Out Box puts are refused with X400MS_EPERM when the mailbox's
     * outbox is disabled. Runs the hook entry-delivered (In Box) or
     * entry-submitted (Out Box) after it is durable. */
    int (*put)(struct x400ms_store_mailbox *mb, enum x400ms_store_box box,
               const struct x400ms_store_entry_in *in, uint32_t *seq_r, struct x400ms_error *err);
    /* Reads one entry; flags: enum x400ms_store_get_flags. */
    int (*get)(struct x400ms_store_mailbox *mb, enum x400ms_store_box box, uint32_t seq,
               unsigned flags, struct x400ms_store_entry **entry_r, struct x400ms_error *err);
    void (*entry_free)(struct x400ms_store_entry *entry);
    /* Visits the entries the selector selects (see x400ms_store_entry_visit_fn);
     * *next_r (may be NULL) gets the continuation or 0 when the box was exhausted. */
    int (*select)(struct x400ms_store_mailbox *mb, enum x400ms_store_box box,
                  const struct x400ms_store_selector *sel, x400ms_store_entry_visit_fn *fn,
                  void *arg, uint32_t *next_r, struct x400ms_error *err);
    /* Moves an entry's retrieval status forward (a lower status is ignored:
     * returns 0 and leaves it). */
    int (*set_status)(struct x400ms_store_mailbox *mb, enum x400ms_store_box box, uint32_t seq,
                      enum x400ms_store_status status, struct x400ms_error *err);
    /* Deletes an entry (and not its children). X400MS_EPERM when deletion is
     * prohibited (deployment or mailbox) or the entry is new and
     * delete_new_prohibited. Runs the hook entry-deleted. */
    int (*delete_entry)(struct x400ms_store_mailbox *mb, enum x400ms_store_box box, uint32_t seq,
                        struct x400ms_error *err);
    int (*summary)(struct x400ms_store_mailbox *mb, enum x400ms_store_box box,
                   struct x400ms_store_summary *sum_r, struct x400ms_error *err);
    /* Up to `max` child sequence numbers of `seq` into seqs; *n_r the total count. */
    int (*children)(struct x400ms_store_mailbox *mb, enum x400ms_store_box box, uint32_t seq,
                    uint32_t *seqs, size_t max, size_t *n_r, struct x400ms_error *err);

    /* -- long jobs: run them on the job thread -- */
    /* Copies one mailbox (name) or all (NULL) into dir (created if needed),
     * consistently per mailbox while deliveries continue. */
    int (*backup)(void *ctx, const char *name, const char *dir, struct x400ms_error *err);
    /* Restores one mailbox (name) or all (NULL) from a backup dir, creating
     * missing mailboxes, and recreates the index. */
    int (*restore)(void *ctx, const char *name, const char *dir,
                   enum x400ms_store_restore_mode mode, struct x400ms_error *err);
    /* Checks the index of a mailbox against its files and fixes it (report may be NULL). */
    int (*check)(void *ctx, const char *name, struct x400ms_store_check_report *report,
                 struct x400ms_error *err);
    /* Throws the index away and rebuilds it from the entry files. */
    int (*rebuild)(void *ctx, const char *name, struct x400ms_error *err);

    /* -- added later: a caller must check `size` before using these (use
     *    the wrappers below, which fall back when a backend lacks them) -- */
    /* set_status for n entries of one box in one call (P7 List marks the
     * entries it returns listed). Every entry found is moved forward (a lower
     * status is ignored, as in set_status); X400MS_ENOENT names the first
     * sequence number not found, after the others were applied. Like
     * set_status it returns once the change is in the index: the file store
     * makes it durable later (docs/store-format.md "Status changes"). */
    int (*set_status_many)(struct x400ms_store_mailbox *mb, enum x400ms_store_box box,
                           const uint32_t *seqs, size_t n, enum x400ms_store_status status,
                           struct x400ms_error *err);
};

/* True when the backend's ops struct has the member (it may still be NULL). */
#define X400MS_STORE_OPS_HAS(ops, member) \
    ((ops)->size >= offsetof(struct x400ms_store_ops, member) + sizeof((ops)->member))

/* The event of the hooks entry-delivered / -submitted / -fetched / -deleted
 * (hooks.h). For deleted, attrs is the entry as it was. Valid during the hook
 * only. A hook may use the store (the mailbox is not locked while it runs). */
struct x400ms_store_event {
    const char *mailbox;               /* mailbox name */
    const struct x400ms_store_mailbox_info *info; /* may be NULL */
    struct x400ms_store_mailbox *mb;   /* open handle, valid during the hook */
    enum x400ms_store_box box;
    uint32_t seq;
    const struct x400ms_store_attrs *attrs;
};

/* ---- typed service wrappers (core.h) ---- */
static inline int x400ms_store_register(struct x400ms_core *core, const char *name,
                                        const struct x400ms_store_ops *ops, void *ctx,
                                        struct x400ms_error *err)
{
    return x400ms_service_register(core, X400MS_SERVICE_STORE, name, ops, ctx, err);
}

/* The backend registered as `name`, or the first one when name is NULL; NULL
 * when none or when it was built with an ops struct too small for this header
 * (callers built against a newer header must check size before using new members). */
static inline const struct x400ms_store_ops *x400ms_store_find(const struct x400ms_core *core,
                                                               const char *name, void **ctx_r)
{
    const struct x400ms_store_ops *ops =
        (const struct x400ms_store_ops *)x400ms_service_find(core, X400MS_SERVICE_STORE, name, ctx_r);
    if (ops && ops->size < offsetof(struct x400ms_store_ops, rebuild) + sizeof ops->rebuild)
        return NULL;
    return ops;
}

static inline int x400ms_store_deliver(const struct x400ms_store_ops *ops,
                                       struct x400ms_store_mailbox *mb,
                                       const struct x400ms_store_entry_in *in, uint32_t *seq_r,
                                       struct x400ms_error *err)
{
    return ops->put(mb, X400MS_STORE_INBOX, in, seq_r, err);
}

static inline int x400ms_store_submitted(const struct x400ms_store_ops *ops,
                                         struct x400ms_store_mailbox *mb,
                                         const struct x400ms_store_entry_in *in, uint32_t *seq_r,
                                         struct x400ms_error *err)
{
    return ops->put(mb, X400MS_STORE_OUTBOX, in, seq_r, err);
}

/* ops->set_status_many, or set_status once per entry when the backend lacks
 * it (same result: every entry found is changed, the first error is returned). */
static inline int x400ms_store_set_status_many(const struct x400ms_store_ops *ops,
                                               struct x400ms_store_mailbox *mb,
                                               enum x400ms_store_box box, const uint32_t *seqs,
                                               size_t n, enum x400ms_store_status status,
                                               struct x400ms_error *err)
{
    int rc = 0;
    if (X400MS_STORE_OPS_HAS(ops, set_status_many) && ops->set_status_many)
        return ops->set_status_many(mb, box, seqs, n, status, err);
    for (size_t i = 0; i < n; i++) {
        int r = ops->set_status(mb, box, seqs[i], status, rc ? NULL : err);
        if (r && !rc)
            rc = r;
    }
    return rc;
}

/* ---- P7 credentials (DESIGN.md section 10), in libx400ms ----
 * x400ms_password_hash writes a self-describing string
 *   "pbkdf2-sha256$<iterations>$<salt base64>$<hash base64>"
 * (PBKDF2-HMAC-SHA256, 16-byte random salt, 32-byte key) into out (at least
 * X400MS_STORE_PASSWORD_HASH_MAX bytes). iterations 0 picks the default. */
#define X400MS_PASSWORD_DEFAULT_ITERATIONS 100000
int x400ms_password_hash(const char *password, size_t password_len, unsigned iterations,
                         char *out, size_t out_size, struct x400ms_error *err);
/* 0 when password matches the stored hash (compared in constant time),
 * X400MS_EAUTH when not, X400MS_EINVAL when the stored string is malformed. */
int x400ms_password_verify(const char *password, size_t password_len, const char *stored,
                           struct x400ms_error *err);

#endif
