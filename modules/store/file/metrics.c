/* modules/store/file: x400ms_store_flush_seconds (histogram) and
 * x400ms_store_deliveries_total{box,result}, see metrics.h.
 *
 * Buckets hold NON-cumulative counts, each bumped once per flush; collect()
 * sums them into the cumulative form the exposition format wants and takes
 * the count as that sum, so the +Inf bucket always equals _count and the
 * buckets never decrease, even while the committer records concurrently. */
#include <stdatomic.h>
#include <stddef.h>
#include "modules/store/file/metrics.h"
#include "x400ms/metrics.h"

/* Upper bounds in seconds: a flush (syncfs or directory fsyncs) costs from
 * tens of microseconds (tmpfs, cache) to seconds (a busy disk). */
static const double flush_bounds_s[] = { 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
                                         0.025,  0.05,    0.1,    0.25,  0.5,    1,     2.5,
                                         5,      10 };
#define FLUSH_NBUCKETS (sizeof flush_bounds_s / sizeof flush_bounds_s[0])

static _Atomic uint64_t flush_buckets[FLUSH_NBUCKETS + 1]; /* last: above every bound (+Inf) */
static _Atomic uint64_t flush_sum_ns;
static _Atomic uint64_t committed[X400MS_STORE_BOX_COUNT][2]; /* [box][ok] */

void sf_metrics_flush_observe(uint64_t ns)
{
    double s = (double)ns / 1e9;
    size_t i = 0;
    while (i < FLUSH_NBUCKETS && s > flush_bounds_s[i]) /* le: upper bound inclusive */
        i++;
    atomic_fetch_add_explicit(&flush_buckets[i], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&flush_sum_ns, ns, memory_order_relaxed);
}

void sf_metrics_entry_committed(enum x400ms_store_box box, bool ok)
{
    if ((unsigned)box < X400MS_STORE_BOX_COUNT)
        atomic_fetch_add_explicit(&committed[box][ok ? 1 : 0], 1, memory_order_relaxed);
}

static void sf_metrics_collect(void *ctx, const struct x400ms_metrics_sink *sink)
{
    (void)ctx;
    uint64_t cumulative[FLUSH_NBUCKETS], total = 0;
    for (size_t i = 0; i < FLUSH_NBUCKETS; i++) {
        total += atomic_load_explicit(&flush_buckets[i], memory_order_relaxed);
        cumulative[i] = total;
    }
    total += atomic_load_explicit(&flush_buckets[FLUSH_NBUCKETS], memory_order_relaxed);
    double sum_s = (double)atomic_load_explicit(&flush_sum_ns, memory_order_relaxed) / 1e9;
    sink->family(sink, "x400ms_store_flush_seconds", X400MS_METRIC_HISTOGRAM,
                 "Latency of the store's durable group-commit flushes");
    sink->histogram(sink, "x400ms_store_flush_seconds", NULL, flush_bounds_s, cumulative,
                    FLUSH_NBUCKETS, total, sum_s);

    static const char *const labels[X400MS_STORE_BOX_COUNT][2] = {
        [X400MS_STORE_INBOX] = { "box=\"inbox\",result=\"failed\"", "box=\"inbox\",result=\"ok\"" },
        [X400MS_STORE_OUTBOX] = { "box=\"outbox\",result=\"failed\"", "box=\"outbox\",result=\"ok\"" },
    };
    sink->family(sink, "x400ms_store_deliveries_total", X400MS_METRIC_COUNTER,
                 "Entries the store's group commit made durable (ok) or refused (failed)");
    for (unsigned box = 0; box < X400MS_STORE_BOX_COUNT; box++)
        for (int ok = 1; ok >= 0; ok--)
            if (labels[box][ok] != NULL)
                sink->sample(sink, "x400ms_store_deliveries_total", labels[box][ok],
                             (double)atomic_load_explicit(&committed[box][ok], memory_order_relaxed));
}

static const struct x400ms_metrics_source_ops sf_metrics_ops = {
    .size = sizeof sf_metrics_ops,
    .collect = sf_metrics_collect,
};

int sf_metrics_register(struct x400ms_core *core, struct x400ms_error *err)
{
    return x400ms_metrics_register(core, X400MS_METRICS_NAME("store_file"), &sf_metrics_ops, NULL,
                                   err);
}
