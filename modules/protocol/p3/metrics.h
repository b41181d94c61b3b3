/* modules/protocol/p3: the module's operational metrics
 * (include/x400ms/metrics.h): x400ms_operations_total{protocol="p3",op,result}
 * x400ms_deliveries_total{protocol="p3",result} and
 * x400ms_submissions_total{protocol="p3",result} (to the upstream MTA). Open associations are
 * counted by the core for every protocol (core/osi/metrics.c). Relaxed atomic
 * adds on the loop threads; the admin module's scrape reads them.
 * Process-wide: one p3 module per daemon. */
#ifndef X400MS_P3_METRICS_H
#define X400MS_P3_METRICS_H

#include <stdint.h>
#include "x400ms/core.h"
#include "x400ms/error.h"

/* The operations an MTA invokes on mts-forced-access (X.411 8.1, 8.3), and
 * the MTS-bind. */
enum p3_metrics_op {
    P3_MOP_BIND,
    P3_MOP_MESSAGE_DELIVERY,
    P3_MOP_REPORT_DELIVERY,
    P3_MOP_SUBMISSION_CONTROL,
    P3_MOP_UNRECOGNIZED,
    P3_MOP_COUNT
};

/* ok: a result; error: an X.411 error (or a refused bind); reject: a ROSE
 * reject (mistyped argument, unknown operation, resources). */
enum p3_metrics_result { P3_MRES_OK, P3_MRES_ERROR, P3_MRES_REJECT, P3_MRES_COUNT };

/* The operation an X.411 opcode names (P3_MOP_UNRECOGNIZED for others). */
enum p3_metrics_op p3_metrics_op_of(int64_t opcode);
void p3_metrics_operation(enum p3_metrics_op op, enum p3_metrics_result result);
/* A message-delivery or report-delivery answered (also counts the operation). */
void p3_metrics_delivery(int64_t opcode, enum p3_metrics_result result);
/* A message or probe submission the initiator (upstream.c) sent to the
 * upstream MTA, by its outcome: x400ms_submissions_total{protocol="p3",
 * result="ok"|"refused"|"failed"} (kind: X400MS_MTS_ACCEPTED, _REFUSED,
 * _FAILED of include/x400ms/mts.h). */
void p3_metrics_submission(int mts_outcome_kind);
/* Registers the "metrics:p3" source (from the module's init). */
int p3_metrics_register(struct x400ms_core *core, struct x400ms_error *err);

#endif
