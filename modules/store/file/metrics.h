/* modules/store/file: the store's operational metrics (include/x400ms/metrics.h):
 * the group commit's durable-flush latency histogram and the entries it made
 * durable. The committer records with relaxed atomic adds (no lock on the
 * delivery path); the admin module's scrape reads them. Process-wide: one
 * store_file module per daemon. */
#ifndef X400MS_STORE_FILE_METRICS_H
#define X400MS_STORE_FILE_METRICS_H

#include <stdbool.h>
#include <stdint.h>
#include "x400ms/core.h"
#include "x400ms/error.h"
#include "x400ms/store.h"

/* One group commit took `ns` nanoseconds to make its batch durable. */
void sf_metrics_flush_observe(uint64_t ns);
/* One entry of a batch was made durable (ok) or refused by the commit. */
void sf_metrics_entry_committed(enum x400ms_store_box box, bool ok);
/* Registers the "metrics:store_file" source (from the module's init). */
int sf_metrics_register(struct x400ms_core *core, struct x400ms_error *err);

#endif
