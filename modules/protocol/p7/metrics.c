/* P7 operations counted for GET /api/v1/metrics (include/x400ms/metrics.h):
 * x400ms_operations_total{protocol="p7",op,result} and
 * x400ms_submissions_total{protocol="p7",result}. Open associations are
 * counted by the core for every protocol (x400ms_associations). Every answer
 * leaves through the p7_send_* functions below, which count it by the
 * operation its invoke id was recorded with; every combination is reported,
 * zeros included, so that rates exist from the first scrape on. Relaxed
 * atomic adds on the loop threads; the admin module's scrape reads them. */
#include <stdatomic.h>
#include <stdio.h>

#include "modules/protocol/p7/p7.h"
#include "x400ms/metrics.h"
#include "x400ms/mts.h"

static const char *const op_names[P7_MOP_COUNT] = {
    [P7_MOP_BIND] = "bind",
    [P7_MOP_SUMMARIZE] = "summarize",
    [P7_MOP_LIST] = "list",
    [P7_MOP_FETCH] = "fetch",
    [P7_MOP_DELETE] = "delete",
    [P7_MOP_REGISTER_MS] = "register-ms",
    [P7_MOP_MODIFY] = "modify",
    [P7_MOP_MESSAGE_SUBMISSION] = "message-submission",
    [P7_MOP_PROBE_SUBMISSION] = "probe-submission",
    [P7_MOP_CANCEL_DEFERRED_DELIVERY] = "cancel-deferred-delivery",
    [P7_MOP_SUBMISSION_CONTROL] = "submission-control",
    [P7_MOP_ALERT] = "alert",
    [P7_MOP_UNRECOGNIZED] = "unrecognized",
};
static const char *const result_names[P7_MRES_COUNT] = {
    [P7_MRES_OK] = "ok", [P7_MRES_ERROR] = "error", [P7_MRES_REJECT] = "reject",
};
static const char *const submission_results[3] = { "ok", "refused", "failed" };

static _Atomic uint64_t operations[P7_MOP_COUNT][P7_MRES_COUNT];
static _Atomic uint64_t submissions[3];

enum p7_metrics_op p7_metrics_op_of(int64_t opcode)
{
    switch (opcode) {
    case MS_OP_SUMMARIZE: return P7_MOP_SUMMARIZE;
    case MS_OP_LIST: return P7_MOP_LIST;
    case MS_OP_FETCH: return P7_MOP_FETCH;
    case MS_OP_DELETE: return P7_MOP_DELETE;
    case MS_OP_REGISTER_MS: return P7_MOP_REGISTER_MS;
    case MS_OP_MODIFY: return P7_MOP_MODIFY;
    case MS_OP_MESSAGE_SUBMISSION: return P7_MOP_MESSAGE_SUBMISSION;
    case MS_OP_PROBE_SUBMISSION: return P7_MOP_PROBE_SUBMISSION;
    case MS_OP_CANCEL_DEFERRED_DELIVERY: return P7_MOP_CANCEL_DEFERRED_DELIVERY;
    case MS_OP_SUBMISSION_CONTROL: return P7_MOP_SUBMISSION_CONTROL;
    case MS_OP_ALERT: return P7_MOP_ALERT;
    default: return P7_MOP_UNRECOGNIZED;
    }
}

void p7_metrics_count(enum p7_metrics_op op, enum p7_metrics_result result)
{
    if ((unsigned)op < P7_MOP_COUNT && (unsigned)result < P7_MRES_COUNT)
        atomic_fetch_add_explicit(&operations[op][result], 1, memory_order_relaxed);
}

void p7_metrics_submission(int kind)
{
    int i = kind == X400MS_MTS_ACCEPTED ? 0 : kind == X400MS_MTS_REFUSED ? 1 : 2;
    atomic_fetch_add_explicit(&submissions[i], 1, memory_order_relaxed);
}

/* ---- the invokes a session has not answered yet ---- */

void p7_metrics_invoked(struct p7_session *s, int64_t invoke_id, int64_t opcode)
{
    for (size_t i = 0; i < P7_INFLIGHT_MAX; i++) {
        if (!s->inflight[i].used) {
            s->inflight[i].used = true;
            s->inflight[i].invoke_id = invoke_id;
            s->inflight[i].op = (uint8_t)p7_metrics_op_of(opcode);
            return;
        }
    }
    /* more than the context allows in flight: the answer is counted as unrecognized */
}

static void answered(struct p7_session *s, int64_t invoke_id, enum p7_metrics_result result)
{
    enum p7_metrics_op op = P7_MOP_UNRECOGNIZED;
    for (size_t i = 0; i < P7_INFLIGHT_MAX; i++) {
        if (s->inflight[i].used && s->inflight[i].invoke_id == invoke_id) {
            s->inflight[i].used = false;
            op = (enum p7_metrics_op)s->inflight[i].op;
            break;
        }
    }
    p7_metrics_count(op, result);
}

void p7_send_reply(struct p7_session *s, int64_t invoke_id, struct x400ms_bytes result)
{
    answered(s, invoke_id, P7_MRES_OK);
    x400ms_assoc_reply(s->a, invoke_id, result);
}

void p7_send_error(struct p7_session *s, int64_t invoke_id, int64_t code,
                   struct x400ms_bytes parameter)
{
    answered(s, invoke_id, P7_MRES_ERROR);
    x400ms_assoc_error(s->a, invoke_id, code, parameter);
}

void p7_send_reject(struct p7_session *s, int64_t invoke_id, int problem)
{
    answered(s, invoke_id, P7_MRES_REJECT);
    x400ms_assoc_reject(s->a, invoke_id, problem);
}

/* ---- the scrape ---- */

static void p7_metrics_collect(void *ctx, const struct x400ms_metrics_sink *sink)
{
    (void)ctx;
    char labels[160];
    sink->family(sink, "x400ms_operations_total", X400MS_METRIC_COUNTER,
                 "Operations answered, by protocol, operation and result");
    for (int op = 0; op < P7_MOP_COUNT; op++)
        for (int res = 0; res < P7_MRES_COUNT; res++) {
            if ((op == P7_MOP_UNRECOGNIZED && res != P7_MRES_REJECT) ||
                (op == P7_MOP_BIND && res == P7_MRES_REJECT))
                continue; /* never happen */
            snprintf(labels, sizeof labels, "protocol=\"p7\",op=\"%s\",result=\"%s\"",
                     op_names[op], result_names[res]);
            sink->sample(sink, "x400ms_operations_total", labels,
                         (double)atomic_load_explicit(&operations[op][res], memory_order_relaxed));
        }
    sink->family(sink, "x400ms_submissions_total", X400MS_METRIC_COUNTER,
                 "Submissions answered, by protocol and result");
    for (int i = 0; i < 3; i++) {
        snprintf(labels, sizeof labels, "protocol=\"p7\",result=\"%s\"", submission_results[i]);
        sink->sample(sink, "x400ms_submissions_total", labels,
                     (double)atomic_load_explicit(&submissions[i], memory_order_relaxed));
    }
}

static const struct x400ms_metrics_source_ops p7_metrics_ops = {
    .size = sizeof p7_metrics_ops,
    .collect = p7_metrics_collect,
};

int p7_metrics_register(struct x400ms_core *core, struct x400ms_error *err)
{
    return x400ms_metrics_register(core, X400MS_METRICS_NAME("p7"), &p7_metrics_ops, NULL, err);
}
