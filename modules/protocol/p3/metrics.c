/* modules/protocol/p3: operations and deliveries counted for GET
 * /api/v1/metrics (see metrics.h). Every combination is reported, zeros
 * included, so that rates exist from the first scrape on. */
#include <stdatomic.h>
#include <stdio.h>
#include "asn1/mts.h"
#include "modules/protocol/p3/metrics.h"
#include "x400ms/metrics.h"
#include "x400ms/mts.h"

static const char *const op_names[P3_MOP_COUNT] = {
    [P3_MOP_BIND] = "bind",
    [P3_MOP_MESSAGE_DELIVERY] = "message-delivery",
    [P3_MOP_REPORT_DELIVERY] = "report-delivery",
    [P3_MOP_SUBMISSION_CONTROL] = "submission-control",
    [P3_MOP_UNRECOGNIZED] = "unrecognized",
};
static const char *const result_names[P3_MRES_COUNT] = {
    [P3_MRES_OK] = "ok", [P3_MRES_ERROR] = "error", [P3_MRES_REJECT] = "reject",
};

static _Atomic uint64_t operations[P3_MOP_COUNT][P3_MRES_COUNT];
static _Atomic uint64_t deliveries[P3_MRES_COUNT];
/* ok, refused, failed */
static const char *const submission_results[3] = { "ok", "refused", "failed" };
static _Atomic uint64_t submissions[3];

void p3_metrics_submission(int kind)
{
    int i = kind == X400MS_MTS_ACCEPTED ? 0 : kind == X400MS_MTS_REFUSED ? 1 : 2;
    atomic_fetch_add_explicit(&submissions[i], 1, memory_order_relaxed);
}

enum p3_metrics_op p3_metrics_op_of(int64_t opcode)
{
    switch (opcode) {
    case MTS_OP_MESSAGE_DELIVERY: return P3_MOP_MESSAGE_DELIVERY;
    case MTS_OP_REPORT_DELIVERY: return P3_MOP_REPORT_DELIVERY;
    case MTS_OP_SUBMISSION_CONTROL: return P3_MOP_SUBMISSION_CONTROL;
    default: return P3_MOP_UNRECOGNIZED;
    }
}

void p3_metrics_operation(enum p3_metrics_op op, enum p3_metrics_result result)
{
    if ((unsigned)op < P3_MOP_COUNT && (unsigned)result < P3_MRES_COUNT)
        atomic_fetch_add_explicit(&operations[op][result], 1, memory_order_relaxed);
}

void p3_metrics_delivery(int64_t opcode, enum p3_metrics_result result)
{
    p3_metrics_operation(p3_metrics_op_of(opcode), result);
    if ((unsigned)result < P3_MRES_COUNT)
        atomic_fetch_add_explicit(&deliveries[result], 1, memory_order_relaxed);
}

static void p3_metrics_collect(void *ctx, const struct x400ms_metrics_sink *sink)
{
    (void)ctx;
    char labels[128];
    sink->family(sink, "x400ms_operations_total", X400MS_METRIC_COUNTER,
                 "Operations answered, by protocol, operation and result");
    for (int op = 0; op < P3_MOP_COUNT; op++)
        for (int res = 0; res < P3_MRES_COUNT; res++) {
            if (op == P3_MOP_UNRECOGNIZED && res != P3_MRES_REJECT)
                continue; /* an unknown operation is only ever rejected */
            snprintf(labels, sizeof labels, "protocol=\"p3\",op=\"%s\",result=\"%s\"", op_names[op],
                     result_names[res]);
            sink->sample(sink, "x400ms_operations_total", labels,
                         (double)atomic_load_explicit(&operations[op][res], memory_order_relaxed));
        }
    sink->family(sink, "x400ms_deliveries_total", X400MS_METRIC_COUNTER,
                 "Deliveries (messages and reports) answered, by protocol and result");
    for (int res = 0; res < P3_MRES_COUNT; res++) {
        snprintf(labels, sizeof labels, "protocol=\"p3\",result=\"%s\"", result_names[res]);
        sink->sample(sink, "x400ms_deliveries_total", labels,
                     (double)atomic_load_explicit(&deliveries[res], memory_order_relaxed));
    }
    sink->family(sink, "x400ms_submissions_total", X400MS_METRIC_COUNTER,
                 "Submissions answered, by protocol and result");
    for (int i = 0; i < 3; i++) {
        snprintf(labels, sizeof labels, "protocol=\"p3\",result=\"%s\"", submission_results[i]);
        sink->sample(sink, "x400ms_submissions_total", labels,
                     (double)atomic_load_explicit(&submissions[i], memory_order_relaxed));
    }
}

static const struct x400ms_metrics_source_ops p3_metrics_ops = {
    .size = sizeof p3_metrics_ops,
    .collect = p3_metrics_collect,
};

int p3_metrics_register(struct x400ms_core *core, struct x400ms_error *err)
{
    return x400ms_metrics_register(core, X400MS_METRICS_NAME("p3"), &p3_metrics_ops, NULL, err);
}
