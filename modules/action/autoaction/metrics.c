/* Auto-action runs counted for GET /api/v1/metrics (include/x400ms/metrics.h):
 *   x400ms_autoaction_runs_total{type="OID",result="ok"|"failed"|"timeout"}
 * A run is a call of a type's run or timer op on an entry the registration
 * selected: "ok" when it returned 0, "failed" when it returned an error,
 * "timeout" when the watchdog abandoned it past its bound (then it is not
 * counted again when it ends). Every registered type is reported, zeros
 * included, so that rates exist from the first scrape on. */
#define X400MS_LOG_MODULE "autoaction"
#include <stdio.h>
#include <string.h>

#include "modules/action/autoaction/aa.h"
#include "x400ms/metrics.h"

#define RUNS "x400ms_autoaction_runs_total"

struct aa_type_stats *aa_stats_of(struct aa *aa, const char *type)
{
    for (size_t i = 0; i < aa->n_stats; i++)
        if (strcmp(aa->stats[i].type, type) == 0)
            return &aa->stats[i];
    if (aa->n_stats < AA_MAX_TYPE_STATS - 1) {
        struct aa_type_stats *s = &aa->stats[aa->n_stats++];
        snprintf(s->type, sizeof s->type, "%s", type);
        return s;
    }
    struct aa_type_stats *other = &aa->stats[AA_MAX_TYPE_STATS - 1];
    if (aa->n_stats < AA_MAX_TYPE_STATS) {
        snprintf(other->type, sizeof other->type, "other");
        aa->n_stats = AA_MAX_TYPE_STATS;
    }
    return other;
}

/* Every registered type gets its (zero) counters before the first scrape. */
static int type_visit(void *arg, const char *name, const char *module, const void *ops, void *ctx)
{
    struct aa *aa = arg;
    (void)module, (void)ops, (void)ctx;
    pthread_mutex_lock(&aa->lock);
    aa_stats_of(aa, name);
    pthread_mutex_unlock(&aa->lock);
    return 0;
}

static void aa_metrics_collect(void *ctx, const struct x400ms_metrics_sink *sink)
{
    struct aa *aa = ctx;
    char labels[256];
    sink->family(sink, RUNS, X400MS_METRIC_COUNTER,
                 "Auto-action handler runs, by type (OID) and result (ok, failed, timeout)");
    x400ms_service_foreach(aa->core, X400MS_SERVICE_AUTOACTION, type_visit, aa);
    pthread_mutex_lock(&aa->lock);
    for (size_t i = 0; i < aa->n_stats; i++) {
        const struct aa_type_stats *s = &aa->stats[i];
        const char *results[] = { "ok", "failed", "timeout" };
        const uint64_t values[] = { s->ok, s->failed, s->timeout };
        for (size_t r = 0; r < 3; r++) {
            /* an OID (or "other") needs no escaping */
            snprintf(labels, sizeof labels, "type=\"%s\",result=\"%s\"", s->type, results[r]);
            sink->sample(sink, RUNS, labels, (double)values[r]);
        }
    }
    pthread_mutex_unlock(&aa->lock);
}

static const struct x400ms_metrics_source_ops aa_metrics_ops = {
    .size = sizeof aa_metrics_ops,
    .collect = aa_metrics_collect,
};

int aa_metrics_register(struct aa *aa, struct x400ms_error *err)
{
    return x400ms_metrics_register(aa->core, X400MS_METRICS_NAME("autoaction"), &aa_metrics_ops, aa, err);
}
