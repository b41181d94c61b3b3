/* x400ms public API: exporting counters to GET /api/v1/metrics.
 *
 * The admin API module renders metrics in the Prometheus text exposition
 * format (version 0.0.4). Modules export theirs by PULL: each registers a
 * metrics source (a service of kind X400MS_SERVICE_OTHER whose name starts
 * with "metrics:") during init(); on every scrape the admin module calls each
 * source's collect() on its HTTP thread, and the source reports its current
 * values through the sink. A module keeps its counters however it likes,
 * typically in _Atomic uint64_t fields it bumps on its own threads; nothing
 * is linked between modules (the sink is a table of function pointers).
 *
 *   static void p7_collect(void *ctx, const struct x400ms_metrics_sink *sink)
 *   {
 *       struct p7 *p7 = ctx;
 *       sink->family(sink, "x400ms_submissions_total", X400MS_METRIC_COUNTER,
 *                    "indirect submissions by result");
 *       sink->sample(sink, "x400ms_submissions_total", "protocol=\"p7\",result=\"ok\"",
 *                    (double)atomic_load(&p7->submissions_ok));
 *   }
 *   static const struct x400ms_metrics_source_ops p7_metrics = {
 *       .size = sizeof p7_metrics, .collect = p7_collect };
 *   x400ms_metrics_register(core, X400MS_METRICS_NAME("p7"), &p7_metrics, p7, err);
 *
 * Names follow Prometheus conventions: x400ms_ prefix, snake_case, _total
 * for counters, base units (_seconds, _bytes). Several sources may report
 * samples of the same family (each with its own labels): the admin module
 * emits a family's HELP/TYPE once and groups its samples. Metric names the
 * in-tree modules use (so that they agree; the admin module documents them
 * in docs/admin-api.md):
 *   x400ms_associations{protocol}                gauge    (the core's OSI stack, for all)
 *   x400ms_operations_total{protocol,op,result}  counter  (p7, p3)
 *   x400ms_deliveries_total{protocol,result}     counter  (p3, mta_local)
 *   x400ms_submissions_total{protocol,result}    counter  (p7)
 *   x400ms_store_flush_seconds                   histogram (store)
 *   x400ms_autoaction_runs_total{type,result}    counter  (auto-action modules)
 * The admin module itself exports x400ms_up, x400ms_uptime_seconds,
 * x400ms_modules_loaded, x400ms_store_entries{status}, x400ms_mailboxes,
 * x400ms_admin_requests_total{code} and x400ms_admin_jobs{kind,state}. */
#ifndef X400MS_METRICS_H
#define X400MS_METRICS_H

#include <stddef.h>
#include <stdint.h>
#include "x400ms/core.h"
#include "x400ms/error.h"

enum x400ms_metric_type {
    X400MS_METRIC_COUNTER,
    X400MS_METRIC_GAUGE,
    X400MS_METRIC_HISTOGRAM,
};

/* Handed to collect(); valid only during that call. */
struct x400ms_metrics_sink {
    size_t size; /* sizeof(struct x400ms_metrics_sink) of the admin module */
    /* Declares a family (name, type, one-line help). Declaring it again with
     * the same type is harmless. */
    void (*family)(const struct x400ms_metrics_sink *sink, const char *name,
                   enum x400ms_metric_type type, const char *help);
    /* One sample of a counter or gauge family. labels: NULL or the text
     * inside the braces, e.g. "protocol=\"p7\",result=\"ok\"" (values
     * escaped by the caller: \\, \" and \n). */
    void (*sample)(const struct x400ms_metrics_sink *sink, const char *name,
                   const char *labels, double value);
    /* A whole histogram: `nbuckets` upper bounds (ascending, +Inf implied)
     * with CUMULATIVE counts, the total count and the sum of observations. */
    void (*histogram)(const struct x400ms_metrics_sink *sink, const char *name,
                      const char *labels, const double *upper_bounds,
                      const uint64_t *cumulative_counts, size_t nbuckets,
                      uint64_t count, double sum);
    void *impl;  /* the admin module's own */
};

/* A metrics source service (kind X400MS_SERVICE_OTHER, name "metrics:..."). */
struct x400ms_metrics_source_ops {
    size_t size; /* sizeof(struct x400ms_metrics_source_ops) */
    /* Reports current values. Runs on an admin HTTP thread, concurrently with
     * the module's own threads: read counters atomically, never block long. */
    void (*collect)(void *ctx, const struct x400ms_metrics_sink *sink);
};

#define X400MS_METRICS_PREFIX "metrics:"
/* The service name for a source: X400MS_METRICS_NAME("p7") is "metrics:p7". */
#define X400MS_METRICS_NAME(module_literal) X400MS_METRICS_PREFIX module_literal

/* Registers a metrics source during init(). `name` must start with
 * "metrics:" (use X400MS_METRICS_NAME); X400MS_EINVAL otherwise. */
static inline int x400ms_metrics_register(struct x400ms_core *core, const char *name,
                                          const struct x400ms_metrics_source_ops *ops,
                                          void *ctx, struct x400ms_error *err)
{
    const char *p = X400MS_METRICS_PREFIX;
    for (size_t i = 0; p[i] != '\0'; i++)
        if (name == NULL || name[i] != p[i])
            return x400ms_error_set(err, X400MS_EINVAL,
                                    "metrics source name must start with \"%s\"", p);
    return x400ms_service_register(core, X400MS_SERVICE_OTHER, name, ops, ctx, err);
}

#endif
