/* admin-api: rendering the Prometheus text exposition format (0.0.4). */
#ifndef ADMIN_METRICS_H
#define ADMIN_METRICS_H

#include "x400ms/metrics.h"

struct admin_metrics_text;

/* A sink that groups samples by family (HELP/TYPE once per family, samples
 * of a family together even when several sources report them). */
struct admin_metrics_text *admin_metrics_text_new(void);
const struct x400ms_metrics_sink *admin_metrics_text_sink(struct admin_metrics_text *mt);
/* The whole document (malloc'd, caller frees) and its length; frees mt. */
char *admin_metrics_text_finish(struct admin_metrics_text *mt, size_t *len_r);

#endif
