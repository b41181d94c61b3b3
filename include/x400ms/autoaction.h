/* x400ms public API: auto-actions (X.413 8.2.7 Register-MS, clause 12.3
 * "auto-actions"; X.420 ipm-auto-forward; see docs/auto-actions.md).
 *
 * An auto-action TYPE is identified by an OID in text form and provided by a
 * module (a "plugin": modules/action/alert, modules/action/forward, or a
 * third-party module such as examples/autoaction-log). A REGISTRATION is one
 * use of a type by one mailbox: (mailbox, type, registration-identifier,
 * parameter). Registrations arrive from P7 Register-MS (the parameter as BER)
 * or from the admin API (as JSON); both are turned by the type's decode op
 * into one canonical JSON parameter, which is what is persisted and what the
 * type's run op sees.
 *
 * The dispatcher is the module "autoaction" (modules/action/autoaction). It
 * keeps the registrations per mailbox in DATA/autoaction/<mailbox>.json
 * (written atomically: temporary file, fsync, rename, directory fsync), so
 * they survive restarts; it listens on X400MS_HOOK_ENTRY_DELIVERED and
 * X400MS_HOOK_ENTRY_SUBMITTED, and for each registration of the mailbox
 * whose type wants that event and whose filter (the "filter" member of the
 * canonical parameter, evaluated by the store itself) selects the entry,
 * calls the type's run op on one of its worker threads - never on the
 * delivery path: the hook only queues the work. A handler is bounded by
 * its type's timeout: one that runs longer is logged with the plugin's name
 * and abandoned (its worker is replaced), one that fails is logged with the
 * plugin's name; the entry itself is untouched either way.
 *
 * A plugin in five lines:
 *
 *   static int log_run(void *ctx, const struct x400ms_autoaction_run *run,
 *                      struct x400ms_error *err) { ...; return 0; }
 *   static const struct x400ms_autoaction_type_ops log_type = {
 *       .size = sizeof log_type, .events = X400MS_AUTOACTION_ON_DELIVERY,
 *       .run = log_run };
 *   // in init():
 *   rc = x400ms_autoaction_type_register(core, "2.999.2.1.99", &log_type, state, err);
 *
 * and a manifest that lists "autoaction" and the plugin. */
#ifndef X400MS_AUTOACTION_H
#define X400MS_AUTOACTION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include "x400ms/core.h"
#include "x400ms/error.h"
#include "x400ms/store.h"

/* ---- auto-action types (OID text) ---- */
#define X400MS_AUTOACTION_AUTO_ALERT "2.6.4.4.1"       /* X.413 auto-alert */
#define X400MS_AUTOACTION_IPM_AUTO_FORWARD "2.6.4.4.0" /* X.420 ipm-auto-forward */
/* Delayed auto-forward: not in the standard (Isode offers it as an
 * extension). Our own type, under the X.660 example arc 2.999 (2.999.2.1 =
 * x400ms auto-action types): a real deployment should replace it with an OID
 * under an arc it has registered. */
#define X400MS_AUTOACTION_DELAYED_FORWARD "2.999.2.1.1"

/* The service name the dispatcher registers under X400MS_SERVICE_OTHER. */
#define X400MS_AUTOACTION_REGISTRY "autoaction-registry"

/* The hook the alert module runs to ask P7 to alert (X.413 8.2.8); the
 * event is struct x400ms_alert_event. */
#define X400MS_HOOK_AUTO_ALERT "auto-alert"

/* When a type runs (X.413 12.3: auto-actions are triggered by delivery;
 * a few, like auto-correlation, also by submission). */
enum x400ms_autoaction_events {
    X400MS_AUTOACTION_ON_DELIVERY = 1u << 0,   /* entry-delivered (In Box) */
    X400MS_AUTOACTION_ON_SUBMISSION = 1u << 1, /* entry-submitted (Out Box) */
};

/* How a type wants its run op called (x400ms_autoaction_type_ops.flags). */
enum x400ms_autoaction_flags {
    /* run() on the delivering thread, right after the entry is durable,
     * instead of on a dispatcher worker: only for a handler that never
     * blocks (no disk or network I/O, no waiting; it posts its work to the
     * loops), where the worker's wake-up would be most of its latency - the
     * project's auto-alert (issue 8: delivery -> Alert p99 < 5 ms). Such a
     * run is not bounded by timeout_ms. Delivery only: submission events and
     * timers still go to a worker. */
    X400MS_AUTOACTION_RUNS_INLINE = 1u << 0,
};

/* Default bound on one run/timer call when the type sets no timeout_ms. */
#define X400MS_AUTOACTION_DEFAULT_TIMEOUT_MS 2000

/* One registration, as the dispatcher keeps it. Valid during the call only. */
struct x400ms_autoaction_registration {
    const char *mailbox;      /* store mailbox name */
    const char *type;         /* OID text */
    int64_t id;               /* registration-identifier (X.413 8.2.7.1.1.3, default 1) */
    const json_t *parameter;  /* canonical JSON parameter (an object; may be empty) */
};

/* What a run or timer call gets. Valid during the call only. */
struct x400ms_autoaction_run {
    size_t size;                  /* sizeof(struct x400ms_autoaction_run) of the dispatcher */
    struct x400ms_core *core;
    const struct x400ms_autoaction_registration *reg;
    unsigned event;               /* X400MS_AUTOACTION_ON_DELIVERY / _ON_SUBMISSION, 0 for a timer */
    enum x400ms_store_box box;
    uint32_t seq;
    /* The entry's index attributes: as at delivery for a run, as they are
     * now (read from the store) for a timer; status is then current. */
    const struct x400ms_store_attrs *attrs;
    /* For a timer: the data given to schedule(), else NULL. */
    const json_t *timer_data;
    /* Monotonic milliseconds (CLOCK_MONOTONIC) after which the dispatcher
     * gives up on this call: work that can check it should. */
    uint64_t deadline_ms;
    void *reserved[4];
};

/* The vtable of an auto-action type (X400MS_SERVICE_AUTOACTION). Every
 * function returns 0 or a negative X400MS_E* code with err filled. */
struct x400ms_autoaction_type_ops {
    size_t size;                  /* sizeof(struct x400ms_autoaction_type_ops) */
    unsigned events;              /* enum x400ms_autoaction_events */
    unsigned timeout_ms;          /* bound of one run/timer call; 0: the default */
    /* Validates a parameter from P7 Register-MS (the BER of the
     * registration's parameter, len 0 when absent) and turns it into the
     * canonical JSON (*param_r, a new reference). NULL: BER parameters are
     * refused (auto-action-request-error, invalid-parameter). */
    int (*decode_ber)(void *ctx, const uint8_t *ber, size_t len, json_t **param_r,
                      struct x400ms_error *err);
    /* The same for a JSON parameter from the admin API (in may be NULL).
     * NULL: the JSON is taken as it is (an object, or null for none). An
     * error message should start with the bad field's name. */
    int (*decode_json)(void *ctx, const json_t *in, json_t **param_r, struct x400ms_error *err);
    /* An entry the registration's filter selected. On a dispatcher worker
     * thread; may block briefly (store, file I/O) but must respect
     * run->deadline_ms. */
    int (*run)(void *ctx, const struct x400ms_autoaction_run *run, struct x400ms_error *err);
    /* A timer set with the registry's schedule() fired (also after a restart). */
    int (*timer)(void *ctx, const struct x400ms_autoaction_run *run, struct x400ms_error *err);
    void *reserved[4];
    /* enum x400ms_autoaction_flags. Added after the first release: read
     * only when size covers it (a module built before has none). */
    unsigned flags;
};

/* ---- the registry (the dispatcher module's service) ---- */
struct x400ms_autoaction_registry_ops {
    size_t size;                  /* sizeof(struct x400ms_autoaction_registry_ops) */
    /* Adds or replaces (same mailbox, type and id) a registration, decoding
     * the parameter with the type's decode op; durable on return.
     * X400MS_ENOENT unknown type, X400MS_EINVAL bad parameter (err names
     * the field), X400MS_ELIMIT too many registrations for the mailbox. */
    int (*register_ber)(void *ctx, const char *mailbox, const char *type, int64_t id,
                        const uint8_t *parameter, size_t len, struct x400ms_error *err);
    int (*register_json)(void *ctx, const char *mailbox, const char *type, int64_t id,
                         const json_t *parameter, struct x400ms_error *err);
    /* Removes a registration and its pending timers. X400MS_ENOENT if none. */
    int (*deregister)(void *ctx, const char *mailbox, const char *type, int64_t id,
                      struct x400ms_error *err);
    /* A new JSON array of {"type", "id", "parameter"} of the mailbox. */
    json_t *(*list)(void *ctx, const char *mailbox);
    /* Asks for the type's timer op to be called at due_time (seconds since
     * 1970) for (mailbox, type, id, box, seq) with data (may be NULL; the
     * call takes its own reference). Persisted with the registration:
     * survives restart; a timer whose time passed while the daemon was down
     * fires at start. */
    int (*schedule)(void *ctx, const char *mailbox, const char *type, int64_t id,
                    enum x400ms_store_box box, uint32_t seq, int64_t due_time,
                    const json_t *data, struct x400ms_error *err);
    /* Converts an X.413 Filter (BER TLV) into the JSON filter form
     * (docs/auto-actions.md) for a decode_ber op. */
    int (*filter_from_ber)(void *ctx, const uint8_t *ber, size_t len, json_t **filter_r,
                           struct x400ms_error *err);
    void *reserved[4];
};

/* ---- the alert boundary between modules/action/alert and P7 ---- */
/* Run by the alert module as the hook X400MS_HOOK_AUTO_ALERT, on the
 * delivering thread (the alert type is X400MS_AUTOACTION_RUNS_INLINE): a
 * handler must not block (no disk or network I/O, no waiting). P7 answers by invoking Alert (X.413 8.2.8:
 * AlertArgument { alert-registration-identifier, new-entry
 * EntryInformation with requested_attributes }) on every UA bound to
 * `mailbox` that registered auto-alert with registration_id, posting to each
 * association's loop, and sets alerted to the number of UAs alerted; when
 * none is bound it records alert-indication for the mailbox so that the
 * next MS-bind result says alert-indication TRUE (X.413 8.1.1.1.2.5). */
struct x400ms_alert_event {
    size_t size;                  /* sizeof(struct x400ms_alert_event) */
    const char *mailbox;
    int64_t registration_id;
    enum x400ms_store_box box;
    uint32_t seq;
    const struct x400ms_store_attrs *attrs;
    /* OID texts of the attributes to put into new-entry, NULL-terminated;
     * NULL: P7's default (sequence-number, priority, originator-name, subject). */
    const char *const *requested_attributes;
    /* out: UAs alerted (P7 adds), and whether alert-indication was recorded. */
    unsigned alerted;
    bool indication_recorded;
};

/* ---- typed service wrappers (core.h) ---- */
static inline int x400ms_autoaction_type_register(struct x400ms_core *core, const char *oid,
                                                  const struct x400ms_autoaction_type_ops *ops,
                                                  void *ctx, struct x400ms_error *err)
{
    return x400ms_service_register(core, X400MS_SERVICE_AUTOACTION, oid, ops, ctx, err);
}

static inline const struct x400ms_autoaction_type_ops *
x400ms_autoaction_type_find(const struct x400ms_core *core, const char *oid, void **ctx_r)
{
    const struct x400ms_autoaction_type_ops *ops = (const struct x400ms_autoaction_type_ops *)
        x400ms_service_find(core, X400MS_SERVICE_AUTOACTION, oid, ctx_r);
    if (ops != NULL && ops->size < offsetof(struct x400ms_autoaction_type_ops, timer) + sizeof ops->timer)
        return NULL;
    return ops;
}

/* The registry, from start() on; NULL when the "autoaction" module is not loaded. */
static inline const struct x400ms_autoaction_registry_ops *
x400ms_autoaction_registry_find(const struct x400ms_core *core, void **ctx_r)
{
    const struct x400ms_autoaction_registry_ops *ops = (const struct x400ms_autoaction_registry_ops *)
        x400ms_service_find(core, X400MS_SERVICE_OTHER, X400MS_AUTOACTION_REGISTRY, ctx_r);
    if (ops != NULL &&
        ops->size < offsetof(struct x400ms_autoaction_registry_ops, filter_from_ber) + sizeof ops->filter_from_ber)
        return NULL;
    return ops;
}

#endif
