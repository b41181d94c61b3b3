/* asn1/mhs_set.h: decoding the members of a SET type of the MHS protocols
 * (X.411 envelopes, per-recipient fields and results; X.420 Heading and
 * RecipientSpecifier): any order, each member at most once (the bits of
 * *seen, see mhs_seen), the type refuses the tags it does not have. Shared by
 * asn1/mts.c and asn1/ipms.c. */
#ifndef X400MS_ASN1_MHS_SET_H
#define X400MS_ASN1_MHS_SET_H

#include <stdint.h>
#include "asn1/ber.h"
#include "asn1/mhs.h"

/* Decodes one member m of a SET of type `type` into out: 0, a negative code,
 * or 1 for a tag the type does not have (an unexpected member). */
typedef int mhs_set_member_fn(struct ber_ctx *c, const struct ber_tlv *m, uint64_t *seen,
                              const char *type, void *out);

/* t must be a universal SET; calls member() for each member in turn. */
static inline int mhs_decode_set(struct ber_ctx *c, const struct ber_tlv *t, const char *type,
                                 mhs_set_member_fn *member, void *out, uint64_t *seen)
{
    struct ber_iter it;
    struct ber_tlv m;
    int rc;

    if ((rc = mhs_enter(c, t, BER_SET, &it, type)) < 0)
        return rc;
    while ((rc = ber_next(&it, &m)) == 1) {
        if ((rc = member(c, &m, seen, type, out)) < 0)
            return rc;
        if (rc == 1)
            return mhs_unexpected(c, &m, type);
    }
    return rc;
}

#endif
