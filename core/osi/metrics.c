/* core/osi: open associations by protocol, counted once for every protocol
 * module (include/x400ms/metrics.h: x400ms_associations{protocol}).
 *
 * An association counts from the moment it is established (the responder
 * accepted the bind, or the initiator's AARE accepted) until released() or
 * aborted() ends it. The protocol comes from the application-context-name:
 * X.419's id-ac arc (2.6.0.1) names P3 (MTS access), P7 (MS access) and P1
 * (MTS transfer) contexts; any other context counts as "other". Counters are
 * process-wide atomics: associations live on loop threads, the scrape runs
 * on an admin HTTP thread. */
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/osi/osi.h"
#include "x400ms/metrics.h"

enum osi_metrics_protocol { OSI_PROTO_P3, OSI_PROTO_P7, OSI_PROTO_P1, OSI_PROTO_OTHER, OSI_PROTO_COUNT };

static const char *const protocol_labels[OSI_PROTO_COUNT] = {
    [OSI_PROTO_P3] = "protocol=\"p3\"",
    [OSI_PROTO_P7] = "protocol=\"p7\"",
    [OSI_PROTO_P1] = "protocol=\"p1\"",
    [OSI_PROTO_OTHER] = "protocol=\"other\"",
};

static _Atomic int64_t open_associations[OSI_PROTO_COUNT];

/* X.419 Annex A (MHSProtocolObjectIdentifiers): id-ac 2.6.0.1.n. */
static enum osi_metrics_protocol protocol_of(const char *ac_oid)
{
    static const char id_ac[] = "2.6.0.1.";
    if (ac_oid == NULL || strncmp(ac_oid, id_ac, sizeof id_ac - 1) != 0)
        return OSI_PROTO_OTHER;
    const char *n = ac_oid + sizeof id_ac - 1;
    if (n[0] == '\0' || strchr(n, '.') != NULL)
        return OSI_PROTO_OTHER;
    switch (atoi(n)) {
    case 0: case 1: case 2: case 3:   /* mts-(forced-)(reliable-)access-88 */
    case 7: case 8: case 9: case 10:  /* mts-(forced-)(reliable-)access-94 */
        return OSI_PROTO_P3;
    case 4: case 5: case 11: case 12: /* ms-(reliable-)access-88/94 */
        return OSI_PROTO_P7;
    case 6:                           /* mts-transfer */
        return OSI_PROTO_P1;
    default:
        return OSI_PROTO_OTHER;
    }
}

void osi_metrics_assoc_up(struct x400ms_assoc *a)
{
    if (a->metrics_slot != 0)
        return;
    enum osi_metrics_protocol p = protocol_of(a->ac != NULL ? a->ac->oid : a->ac_oid);
    a->metrics_slot = (unsigned char)(p + 1);
    atomic_fetch_add_explicit(&open_associations[p], 1, memory_order_relaxed);
}

void osi_metrics_assoc_down(struct x400ms_assoc *a)
{
    if (a->metrics_slot == 0)
        return;
    atomic_fetch_sub_explicit(&open_associations[a->metrics_slot - 1], 1, memory_order_relaxed);
    a->metrics_slot = 0;
}

static void osi_metrics_collect(void *ctx, const struct x400ms_metrics_sink *sink)
{
    (void)ctx;
    sink->family(sink, "x400ms_associations", X400MS_METRIC_GAUGE,
                 "Established associations by protocol (P3, P7, P1 from the application context)");
    for (int p = 0; p < OSI_PROTO_COUNT; p++)
        sink->sample(sink, "x400ms_associations", protocol_labels[p],
                     (double)atomic_load_explicit(&open_associations[p], memory_order_relaxed));
}

static const struct x400ms_metrics_source_ops osi_metrics_ops = {
    .size = sizeof osi_metrics_ops,
    .collect = osi_metrics_collect,
};

int osi_metrics_register(struct x400ms_core *core, struct x400ms_error *err)
{
    return x400ms_metrics_register(core, X400MS_METRICS_NAME("osi"), &osi_metrics_ops, NULL, err);
}
