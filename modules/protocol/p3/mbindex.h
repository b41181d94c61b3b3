/* modules/protocol/p3/mbindex: finding the mailbox of an O/R address in
 * O(1) for every delivery (p3's delivery responder, mta_local's worker).
 *
 * A hash table built from the store's mailbox list: each mailbox's O/R
 * address parsed once, keyed by a hash of the attributes X.411 matching
 * compares, normalised more coarsely than the matching rule (case folded,
 * every space dropped, the ADMD left out since " " matches any ADMD, empty
 * taken as absent), so two addresses that match always share a bucket; the
 * bucket's entries are then compared with or_address_match.
 *
 * The store has no "mailbox changed" event, so the index checks itself:
 *   - a hit is confirmed by mailbox_get(name): the mailbox still exists with
 *     the same address text (else the index is rebuilt and asked again);
 *   - a miss compares a signature of the mailbox list (names and address
 *     texts, no parsing) with the one the index was built from, and
 *     rebuilds when it differs (a mailbox created or re-addressed since).
 * A miss thus costs one pass over the list without parsing, a hit one
 * mailbox_get. Thread-safe (a rwlock: lookups share, a rebuild excludes). */
#ifndef X400MS_P3_MBINDEX_H
#define X400MS_P3_MBINDEX_H

#include "asn1/orname.h"
#include "x400ms/error.h"
#include "x400ms/store.h"

struct mtsu_mbindex;

/* An empty index over the store (built on first use). 0 or X400MS_ENOMEM. */
int mtsu_mbindex_new(const struct x400ms_store_ops *store, void *store_ctx,
                     struct mtsu_mbindex **ix_r, struct x400ms_error *err);
void mtsu_mbindex_free(struct mtsu_mbindex **ix);

/* As mtsu_find_mailbox (mtsutil.h): 0 with the name in name
 * (X400MS_STORE_NAME_MAX + 1 bytes), X400MS_ENOENT when no mailbox has that
 * address, another negative code when the store could not be read. */
int mtsu_mbindex_find(struct mtsu_mbindex *ix, const struct or_address *addr, char *name,
                      struct x400ms_error *err);

/* Forget everything: the next lookup rebuilds (e.g. after an admin change
 * the caller learnt about). */
void mtsu_mbindex_invalidate(struct mtsu_mbindex *ix);

/* Lookups and rebuilds so far (for tests and logs). */
struct mtsu_mbindex_stats {
    unsigned long lookups, hits, rebuilds;
};
void mtsu_mbindex_stats(struct mtsu_mbindex *ix, struct mtsu_mbindex_stats *st);

#endif
