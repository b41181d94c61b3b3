/* modules/protocol/p3/ua_*: the P3 endpoint for user agents without a
 * message store (X.411 clause 8, X.419 mts-access). A UA binds as an
 * MTS-user on mts-access-88/94 (or the reliable variants over RTSE), submits
 * through the active MTS provider (include/x400ms/mts.h) and has the
 * messages and reports for its O/R address pushed to it with
 * message-delivery / report-delivery while it is bound (X.411 8.3: the MTS
 * invokes them). The durable delivery queue of a P3 user is the In Box of
 * its mailbox: an entry leaves it only once the UA returned the result.
 *
 * A P3 user is a mailbox (admin API) named in p3's config "ua.accounts";
 * the MTS-bind names its O/R address (initiator-name user-agent) and gives
 * the mailbox's password (simple credentials). See docs/p3.md, "P3 user
 * agents". */
#ifndef X400MS_P3_UA_ENDPOINT_H
#define X400MS_P3_UA_ENDPOINT_H

#include <jansson.h>

#include "x400ms/error.h"

struct p3_module;
struct p3_ua;

/* Reads m->cfg.ua (NULL: no UA endpoint, *ua_r = NULL), registers the
 * mts-access contexts and the entry-delivered hook. During p3's init(). */
int p3_ua_new(struct p3_module *m, struct p3_ua **ua_r, struct x400ms_error *err);
/* p3's stop(): no new binds or pushes. NULL-safe. */
void p3_ua_stop(struct p3_ua *ua);
/* p3's fini(). NULL-safe. */
void p3_ua_free(struct p3_ua **ua);

#endif
