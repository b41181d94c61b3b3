/* modules/protocol/p3: the submission initiator — the MTS provider
 * "p3-upstream" (include/x400ms/mts.h) that submits to an upstream MTA over
 * mts-access (X.419 88 2.6.0.1.0 / 94 2.6.0.1.7), with a pool of bound
 * associations, reconnection with exponential back-off and the outcome
 * posted back to each caller's loop. See docs/p3.md. */
#ifndef X400MS_P3_UPSTREAM_H
#define X400MS_P3_UPSTREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include "x400ms/core.h"
#include "x400ms/error.h"

struct p3_upstream;

/* Parses the "upstream" object (cfg non-NULL) and registers the provider
 * (during init). */
int p3_upstream_new(struct x400ms_core *core, const json_t *cfg, struct p3_upstream **u_r,
                    struct x400ms_error *err);
/* Starts binding the pool on a loop of the core. Deliveries the upstream
 * MTA invokes on those associations (X.411 8.3.1.1 message-delivery,
 * 8.3.1.2 report-delivery) are stored like the delivery responder's, by m. */
struct p3_module;
int p3_upstream_start(struct p3_upstream *u, struct p3_module *m);
/* The originating mailbox of a submission the upstream MTA accepted with
 * MTSIdentifier `id` (BER, [APPLICATION 4]) - where its reports go (X.411
 * 8.3.1.2) - copied into name (X400MS_STORE_NAME_MAX + 1 bytes). False when
 * unknown (not submitted here, or too long ago: the newest 4096 are kept) or
 * u is NULL. Thread-safe. */
bool p3_upstream_report_mailbox(struct p3_upstream *u, const uint8_t *id, size_t id_len,
                                char *name);
/* Fails what is still queued (FAILED, X400MS_ESTATE), aborts the
 * associations; waits for the loop to have done it. */
void p3_upstream_stop(struct p3_upstream *u);
void p3_upstream_free(struct p3_upstream **u);

#endif
