/* modules/protocol/p3/deliver.c: the operations an MTA invokes on the MS
 * over mts-forced-access (X.411 8.3): message-delivery (5) and
 * report-delivery (6) are stored durably in the recipient's In Box BEFORE
 * the result goes back (the store's put returns after its group commit; the
 * store then runs the entry-delivered hook: auto-actions), and
 * submission-control (2) from the MTS is acknowledged. Every refusal gets
 * the X.411 error with its parameter and a log line naming the peer. */
#define X400MS_LOG_MODULE "p3"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "asn1/mts.h"
#include "modules/protocol/p3/metrics.h"
#include "modules/protocol/p3/mtsutil.h"
#include "modules/protocol/p3/p3.h"
#include "x400ms/log.h"

/* X.411 SecurityProblem unauthorised-recipient-name: the MS has no mailbox
 * for this-recipient-name (message-delivery has no "unknown recipient"
 * error; security-error is the one X.411 lists for a refused recipient). */
#define P3_SECURITY_UNAUTHORISED_RECIPIENT 30

struct delivery_task {
    struct p3_session *s;
    int64_t invoke_id;
    int64_t opcode;
    uint8_t *arg;           /* copy of the argument */
    size_t arg_len;
    /* outcome */
    int64_t errcode;        /* 0: success */
    uint8_t param[64];
    size_t param_len;
    bool reject;            /* mistyped argument */
    char why[600];
    char mailbox[X400MS_STORE_NAME_MAX + 1];
    uint32_t seq;
};

static int urgency_rank(int priority)
{
    /* X.411 Priority: normal 0, non-urgent 1, urgent 2 (not an order) */
    return priority == MTS_PRIORITY_URGENT ? 2 : priority == MTS_PRIORITY_NORMAL ? 1 : 0;
}

static void set_security_error(struct delivery_task *t, int problem)
{
    struct ber_writer w;
    ber_writer_init_fixed(&w, t->param, sizeof t->param);
    mts_security_error_encode(&w, problem);
    t->param_len = ber_writer_len(&w);
    memmove(t->param, ber_writer_data(&w), t->param_len);
    t->errcode = MTS_ERR_SECURITY_ERROR;
}

/* X.411 8.3.1.1.3: delivery-control-violated when the delivery breaks the
 * controls the MS set (config "delivery_control"). */
static bool controls_violated(const struct p3_delivery_controls *dc, int priority,
                              size_t content_len, const char *content_type, char *why, size_t n)
{
    if (dc->max_content_length > 0 && content_len > (size_t)dc->max_content_length) {
        snprintf(why, n, "content length %zu above the permitted %lld", content_len,
                 dc->max_content_length);
        return true;
    }
    if (urgency_rank(priority) < dc->lowest_priority) {
        snprintf(why, n, "priority %d below the permitted lowest", priority);
        return true;
    }
    if (dc->content_types != NULL) {
        for (size_t i = 0; i < dc->n_content_types; i++)
            if (strcmp(dc->content_types[i], content_type) == 0)
                return false;
        snprintf(why, n, "content type %s not permitted", content_type);
        return true;
    }
    return false;
}

static bool no_known_extension(const struct mts_extension *e, void *arg)
{
    (void)e;
    (void)arg;
    return false;
}

static int store_entry(struct delivery_task *t, const struct x400ms_store_entry_in *in,
                       const struct or_address *rcpt)
{
    struct p3_module *m = t->s->m;
    struct x400ms_error err = { 0 };
    int rc = mtsu_mbindex_find(m->mbindex, rcpt, t->mailbox, &err);
    if (rc == X400MS_ENOENT) {
        set_security_error(t, P3_SECURITY_UNAUTHORISED_RECIPIENT);
        snprintf(t->why, sizeof t->why, "%s (security-error unauthorised-recipient-name)",
                 err.message);
        return rc;
    }
    struct x400ms_store_mailbox *mb = NULL;
    if (rc >= 0)
        rc = m->store->mailbox_open(m->store_ctx, t->mailbox, &mb, &err);
    if (rc >= 0) {
        rc = x400ms_store_deliver(m->store, mb, in, &t->seq, &err);
        m->store->mailbox_close(mb);
    }
    if (rc < 0) {
        /* Not stored: the MTA must keep the message and retry. X.411 has no
         * "try later" error for delivery: security-error
         * operation-security-failure... is wrong; delivery-control-violated
         * tells the MTA to hold deliveries, which is what a full disk needs. */
        t->errcode = MTS_ERR_DELIVERY_CONTROL_VIOLATED;
        t->param_len = 0;
        snprintf(t->why, sizeof t->why, "store refused the entry for %s: %s", t->mailbox,
                 err.message);
    }
    return rc;
}

static void do_message_delivery(struct delivery_task *t)
{
    struct p3_module *m = t->s->m;
    struct mts_delivery_arg a;
    struct ber_error berr = { 0 };
    struct ber_slice in = ber_slice_make(t->arg, t->arg_len);
    if (mts_delivery_arg_decode(in, &a, &berr) < 0) {
        char msg[160];
        t->reject = true;
        snprintf(t->why, sizeof t->why, "MessageDeliveryArgument malformed: %s",
                 ber_error_format(&berr, msg, sizeof msg));
        return;
    }
    struct mts_extension bad;
    int rc = mts_extensions_check_critical(&a.extensions, MTS_CRIT_FOR_DELIVERY,
                                           no_known_extension, NULL, &bad, &berr);
    if (rc == X400MS_ENOTSUP) {
        t->errcode = MTS_ERR_UNSUPPORTED_CRITICAL_FUNCTION;
        snprintf(t->why, sizeof t->why, "critical extension %d not supported (unsupported-critical-function)",
                 bad.is_private ? -1 : (int)bad.standard);
        return;
    }
    struct ber_writer env;
    ber_writer_init(&env);
    struct ber_slice content;
    uint8_t *copy = NULL;
    struct x400ms_error err = { 0 };
    if (mtsu_split_delivery(in, &env, &content, &copy, &err) < 0) {
        t->reject = true;
        snprintf(t->why, sizeof t->why, "%s", err.message);
        ber_writer_free(&env);
        return;
    }
    struct mtsu_attr_buf *buf = malloc(sizeof *buf);
    struct x400ms_store_entry_in e;
    memset(&e, 0, sizeof e);
    if (buf == NULL || mtsu_delivery_attrs(&a, content, &e.attrs, buf, &err) < 0) {
        t->reject = true;
        snprintf(t->why, sizeof t->why, "%s", buf ? err.message : "out of memory");
    } else if (controls_violated(&m->dc, a.priority, content.len,
                                 e.attrs.content_type ? e.attrs.content_type : "", t->why,
                                 sizeof t->why)) {
        t->errcode = MTS_ERR_DELIVERY_CONTROL_VIOLATED;
    } else {
        e.envelope = ber_writer_data(&env);
        e.envelope_len = ber_writer_len(&env);
        e.content = content.ptr;
        e.content_len = content.len;
        store_entry(t, &e, &a.this_recipient_name);
    }
    free(buf);
    free(copy);
    ber_writer_free(&env);
}

static void do_report_delivery(struct delivery_task *t)
{
    struct mts_report_delivery_arg a;
    struct ber_error berr = { 0 };
    struct ber_slice in = ber_slice_make(t->arg, t->arg_len);
    if (mts_report_delivery_arg_decode(in, &a, &berr) < 0) {
        char msg[160];
        t->reject = true;
        snprintf(t->why, sizeof t->why, "ReportDeliveryArgument malformed: %s",
                 ber_error_format(&berr, msg, sizeof msg));
        return;
    }
    /* X.411 8.3.1.2: a report is delivered to the MTS-user that submitted
     * the subject message; the argument does not name it (the association
     * does, for a UA). One MTA association serves every mailbox here, so the
     * mailbox is the one whose Out Box (submission log) holds the subject
     * submission identifier. */
    struct x400ms_error err = { 0 };
    struct mtsu_attr_buf *buf = malloc(sizeof *buf);
    struct x400ms_store_entry_in e;
    memset(&e, 0, sizeof e);
    if (buf == NULL || mtsu_report_attrs(&a, (int64_t)time(NULL), &e.attrs, buf, &err) < 0) {
        t->reject = true;
        snprintf(t->why, sizeof t->why, "%s", buf ? err.message : "out of memory");
        free(buf);
        return;
    }
    struct p3_module *m = t->s->m;
    struct x400ms_store_selector sel;
    struct x400ms_store_filter f;
    memset(&sel, 0, sizeof sel);
    memset(&f, 0, sizeof f);
    f.op = X400MS_FILTER_EQUAL;
    f.attr = X400MS_ATTR_MTS_ID;
    f.bytes = e.attrs.mts_id;
    f.bytes_len = e.attrs.mts_id_len;
    sel.filter = &f;
    sel.limit = 1;
    /* reports carry the whole argument as their envelope */
    e.envelope = t->arg;
    e.envelope_len = t->arg_len;
    if (a.has_returned_content && a.returned_content.bytes.len > 0) {
        e.content = a.returned_content.bytes.ptr;
        e.content_len = a.returned_content.bytes.len;
    }
    /* a submission relayed through the upstream MTA: its identifier is the
     * upstream's, which the initiator remembered with the mailbox */
    int rc = p3_upstream_report_mailbox(m->upstream, e.attrs.mts_id, e.attrs.mts_id_len,
                                        t->mailbox)
                 ? 0
                 : mtsu_find_report_mailbox(m->store, m->store_ctx, &sel, t->mailbox, &err);
    if (rc == X400MS_ENOENT) {
        set_security_error(t, P3_SECURITY_UNAUTHORISED_RECIPIENT);
        snprintf(t->why, sizeof t->why,
                 "no mailbox submitted the subject message of this report "
                 "(security-error unauthorised-recipient-name)");
    } else if (rc < 0) {
        t->errcode = MTS_ERR_DELIVERY_CONTROL_VIOLATED;
        snprintf(t->why, sizeof t->why, "%s", err.message);
    } else {
        struct x400ms_store_mailbox *mb = NULL;
        rc = m->store->mailbox_open(m->store_ctx, t->mailbox, &mb, &err);
        if (rc >= 0) {
            rc = x400ms_store_deliver(m->store, mb, &e, &t->seq, &err);
            m->store->mailbox_close(mb);
        }
        if (rc < 0) {
            t->errcode = MTS_ERR_DELIVERY_CONTROL_VIOLATED;
            snprintf(t->why, sizeof t->why, "store refused the report for %s: %s", t->mailbox,
                     err.message);
        }
    }
    free(buf);
}

/* On a pool thread. */
static void delivery_work(void *arg)
{
    struct delivery_task *t = arg;
    if (t->opcode == MTS_OP_MESSAGE_DELIVERY)
        do_message_delivery(t);
    else
        do_report_delivery(t);
}

/* Back on the association's loop: answer. */
static void delivery_done(void *arg)
{
    struct delivery_task *t = arg;
    struct p3_session *s = t->s;
    const char *op = t->opcode == MTS_OP_MESSAGE_DELIVERY ? "message-delivery" : "report-delivery";
    if (t->reject || t->errcode != 0)
        X400MS_LOG_W("peer %s (MTA %s): %s refused: %s", s->peer, s->mta, op, t->why);
    else
        X400MS_LOG_D("peer %s: %s stored in %s as %u", s->peer, op, t->mailbox, t->seq);
    p3_metrics_delivery(t->opcode, t->reject ? P3_MRES_REJECT
                                   : t->errcode != 0 ? P3_MRES_ERROR : P3_MRES_OK);
    if (!s->dead) {
        if (t->reject) {
            x400ms_assoc_reject(s->a, t->invoke_id, X400MS_ROSE_INVOKE_MISTYPED_ARGUMENT);
        } else if (t->errcode != 0) {
            x400ms_assoc_error(s->a, t->invoke_id, t->errcode,
                               t->param_len ? X400MS_BYTES(t->param, t->param_len) : X400MS_NO_BYTES);
        } else if (t->opcode == MTS_OP_MESSAGE_DELIVERY) {
            /* MessageDeliveryResult ::= SET { ... all OPTIONAL } */
            static const uint8_t empty_set[] = { 0x31, 0x00 };
            x400ms_assoc_reply(s->a, t->invoke_id, X400MS_BYTES(empty_set, sizeof empty_set));
        } else {
            /* ReportDeliveryResult ::= CHOICE { empty-result NULL, ... } */
            static const uint8_t null_result[] = { 0x05, 0x00 };
            x400ms_assoc_reply(s->a, t->invoke_id, X400MS_BYTES(null_result, sizeof null_result));
        }
    }
    p3_session_unref(s);
    free(t->arg);
    free(t);
}

void p3_invoke(void *ctx, struct x400ms_assoc *a, const struct x400ms_invoke *inv)
{
    (void)ctx;
    p3_session_invoke(x400ms_assoc_user(a), a, inv);
}

void p3_session_invoke(struct p3_session *s, struct x400ms_assoc *a, const struct x400ms_invoke *inv)
{
    if (s == NULL || !s->bound) {
        p3_metrics_operation(p3_metrics_op_of(inv->opcode), P3_MRES_REJECT);
        x400ms_assoc_reject(a, inv->invoke_id, X400MS_ROSE_INVOKE_UNRECOGNIZED_OPERATION);
        return;
    }
    switch (inv->opcode) {
    case MTS_OP_SUBMISSION_CONTROL: {
        /* X.411 8.3.1.? submission-control from the MTS: the MS submits
         * through its own provider, so nothing waits here: Waiting is an
         * empty SET (every member has a DEFAULT). */
        static const uint8_t waiting[] = { 0x31, 0x00 };
        X400MS_LOG_I("peer %s (MTA %s): submission-control acknowledged", s->peer, s->mta);
        p3_metrics_operation(P3_MOP_SUBMISSION_CONTROL, P3_MRES_OK);
        x400ms_assoc_reply(a, inv->invoke_id, X400MS_BYTES(waiting, sizeof waiting));
        return;
    }
    case MTS_OP_MESSAGE_DELIVERY:
    case MTS_OP_REPORT_DELIVERY:
        break;
    default:
        X400MS_LOG_W("peer %s (MTA %s): operation %lld not served here",
                     s->peer, s->mta, (long long)inv->opcode);
        p3_metrics_operation(P3_MOP_UNRECOGNIZED, P3_MRES_REJECT);
        x400ms_assoc_reject(a, inv->invoke_id, X400MS_ROSE_INVOKE_UNRECOGNIZED_OPERATION);
        return;
    }
    struct delivery_task *t = calloc(1, sizeof *t);
    uint8_t *copy = inv->argument.len ? malloc(inv->argument.len) : NULL;
    if (t == NULL || (inv->argument.len && copy == NULL)) {
        free(t);
        free(copy);
        X400MS_LOG_W("peer %s: out of memory for a delivery", s->peer);
        p3_metrics_delivery(inv->opcode, P3_MRES_REJECT);
        x400ms_assoc_reject(a, inv->invoke_id, X400MS_ROSE_INVOKE_RESOURCE_LIMITATION);
        return;
    }
    if (inv->argument.len)
        memcpy(copy, inv->argument.ptr, inv->argument.len);
    t->s = s;
    t->invoke_id = inv->invoke_id;
    t->opcode = inv->opcode;
    t->arg = copy;
    t->arg_len = inv->argument.len;
    p3_session_ref(s);
    if (p3_pool_submit(s->m->pool, s->loop, delivery_work, delivery_done, t) < 0) {
        p3_session_unref(s);
        free(copy);
        free(t);
        X400MS_LOG_W("peer %s: delivery refused, the module is stopping", s->peer);
        p3_metrics_delivery(inv->opcode, P3_MRES_REJECT);
        x400ms_assoc_reject(a, inv->invoke_id, X400MS_ROSE_INVOKE_RESOURCE_LIMITATION);
    }
}

/* ---- delivery controls from the config ---- */

int p3_delivery_controls_parse(struct p3_module *m, struct x400ms_error *err)
{
    struct p3_delivery_controls *dc = &m->dc;
    memset(dc, 0, sizeof *dc);
    const json_t *o = m->cfg.delivery_control;
    if (o == NULL)
        return 0;
    if (!json_is_object(o))
        return x400ms_error_set(err, X400MS_EINVAL, "%s.delivery_control: expected an object",
                                x400ms_core_config_path(m->core));
    const json_t *v;
    if ((v = json_object_get(o, "max_content_length")) != NULL) {
        if (!json_is_integer(v) || json_integer_value(v) < 0)
            return x400ms_error_set(err, X400MS_EINVAL,
                                    "%s.delivery_control.max_content_length: expected a number >= 0",
                                    x400ms_core_config_path(m->core));
        dc->max_content_length = json_integer_value(v);
    }
    if ((v = json_object_get(o, "lowest_priority")) != NULL) {
        const char *p = json_string_value(v);
        if (p && strcmp(p, "non-urgent") == 0)
            dc->lowest_priority = 0;
        else if (p && strcmp(p, "normal") == 0)
            dc->lowest_priority = 1;
        else if (p && strcmp(p, "urgent") == 0)
            dc->lowest_priority = 2;
        else
            return x400ms_error_set(err, X400MS_EINVAL,
                                    "%s.delivery_control.lowest_priority: expected "
                                    "\"non-urgent\", \"normal\" or \"urgent\"",
                                    x400ms_core_config_path(m->core));
    }
    if ((v = json_object_get(o, "content_types")) != NULL) {
        if (!json_is_array(v))
            return x400ms_error_set(err, X400MS_EINVAL,
                                    "%s.delivery_control.content_types: expected an array of "
                                    "strings (\"22\", \"2.6.1.10.1\")",
                                    x400ms_core_config_path(m->core));
        dc->content_types = calloc(json_array_size(v) + 1, sizeof *dc->content_types);
        if (dc->content_types == NULL)
            return x400ms_error_set(err, X400MS_ENOMEM, "out of memory");
        size_t i;
        const json_t *e;
        json_array_foreach(v, i, e) {
            if (!json_is_string(e))
                return x400ms_error_set(err, X400MS_EINVAL,
                                        "%s.delivery_control.content_types[%zu]: expected a string",
                                        x400ms_core_config_path(m->core), i);
            dc->content_types[dc->n_content_types++] = strdup(json_string_value(e));
        }
    }
    return 0;
}

void p3_delivery_controls_free(struct p3_delivery_controls *dc)
{
    for (size_t i = 0; i < dc->n_content_types; i++)
        free(dc->content_types[i]);
    free(dc->content_types);
    memset(dc, 0, sizeof *dc);
}
