/* modules/protocol/p3/mtsac: the eight P3 application contexts of X.419
 * (MHSProtocolObjectIdentifiers id-ac 2.6.0.1, id-as 2.6.0.2): mts-access
 * (the MTS-user binds: a UA, or the MS towards its upstream MTA) and
 * mts-forced-access (the MTS binds: an MTA delivering to the MS), each 88 or
 * 94, each plain or reliable (over RTSE, X.228). One table for every P3
 * initiator and responder: the p3 module (MTA responder, UA endpoint,
 * upstream initiator) and x400ms-mta (deliver, ua, serve). Part of
 * libx400ms (not a public API). */
#ifndef X400MS_P3_MTSAC_H
#define X400MS_P3_MTSAC_H

#include <stdbool.h>
#include "x400ms/assoc.h"

enum mtsac_kind {
    MTSAC_ACCESS,           /* mts-access: the MTS-user is the initiator */
    MTSAC_FORCED_ACCESS,    /* mts-forced-access: the MTS is the initiator */
};

/* Sets the identity of ac (oid, name such as "mts-reliable-access-94",
 * its four abstract syntaxes, reliable) for kind, reliable, 88 or 94; the
 * other members (callbacks, windows, operations) are the caller's. */
void mtsac_set(struct x400ms_app_context *ac, enum mtsac_kind kind, bool reliable, bool is94);

#endif
