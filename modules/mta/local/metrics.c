/* modules/mta/local/metrics.c: the local MTA's counters for GET
 * /api/v1/metrics (include/x400ms/metrics.h):
 *   x400ms_submissions_total{protocol="local",result="ok"|"refused"|"failed"}
 *     every submit() answered: ACCEPTED, REFUSED (an X.411 error), FAILED
 *     (not taken, e.g. the queue could not be written);
 *   x400ms_deliveries_total{protocol="local",result="ok"|"error"|"undeliverable"}
 *     per recipient of a queued message: stored in its In Box, refused by
 *     the store (tried again later), or given a non-delivery (unknown
 *     address, expired, refused upstream); reports stored into the
 *     originator's In Box count as deliveries too.
 * Every combination is reported, zeros included. Process-wide: one mta_local
 * per daemon. */
#include <stdatomic.h>
#include <stdio.h>

#include "modules/mta/local/mta.h"
#include "x400ms/metrics.h"

static const char *const submission_results[MTAL_SUB_COUNT] = {
    [MTAL_SUB_OK] = "ok", [MTAL_SUB_REFUSED] = "refused", [MTAL_SUB_FAILED] = "failed",
};
static const char *const delivery_results[MTAL_DEL_COUNT] = {
    [MTAL_DEL_OK] = "ok", [MTAL_DEL_ERROR] = "error", [MTAL_DEL_UNDELIVERABLE] = "undeliverable",
};

static _Atomic uint64_t submissions[MTAL_SUB_COUNT];
static _Atomic uint64_t deliveries[MTAL_DEL_COUNT];

void mtal_metrics_submission(enum mtal_sub_result r)
{
    if ((unsigned)r < MTAL_SUB_COUNT)
        atomic_fetch_add_explicit(&submissions[r], 1, memory_order_relaxed);
}

void mtal_metrics_delivery(enum mtal_del_result r)
{
    if ((unsigned)r < MTAL_DEL_COUNT)
        atomic_fetch_add_explicit(&deliveries[r], 1, memory_order_relaxed);
}

static void mtal_metrics_collect(void *ctx, const struct x400ms_metrics_sink *sink)
{
    (void)ctx;
    char labels[96];
    sink->family(sink, "x400ms_submissions_total", X400MS_METRIC_COUNTER,
                 "Submissions answered, by protocol and result");
    for (int i = 0; i < MTAL_SUB_COUNT; i++) {
        snprintf(labels, sizeof labels, "protocol=\"local\",result=\"%s\"", submission_results[i]);
        sink->sample(sink, "x400ms_submissions_total", labels,
                     (double)atomic_load_explicit(&submissions[i], memory_order_relaxed));
    }
    sink->family(sink, "x400ms_deliveries_total", X400MS_METRIC_COUNTER,
                 "Deliveries (messages and reports) answered, by protocol and result");
    for (int i = 0; i < MTAL_DEL_COUNT; i++) {
        snprintf(labels, sizeof labels, "protocol=\"local\",result=\"%s\"", delivery_results[i]);
        sink->sample(sink, "x400ms_deliveries_total", labels,
                     (double)atomic_load_explicit(&deliveries[i], memory_order_relaxed));
    }
}

static const struct x400ms_metrics_source_ops mtal_metrics_ops = {
    .size = sizeof mtal_metrics_ops,
    .collect = mtal_metrics_collect,
};

int mtal_metrics_register(struct x400ms_core *core, struct x400ms_error *err)
{
    return x400ms_metrics_register(core, X400MS_METRICS_NAME("mta_local"), &mtal_metrics_ops, NULL,
                                   err);
}
