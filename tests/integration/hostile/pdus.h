/* PDU builders of the hostile-input suite: well-formed PDUs from the
 * project's own encoders (asn1/spdu.h, pres.h, acse.h, ros.h), into which a
 * test splices hand-made malformed parts. */
#ifndef X400MS_TEST_HOSTILE_PDUS_H
#define X400MS_TEST_HOSTILE_PDUS_H

#include <stddef.h>
#include <stdint.h>

#include "asn1/ber.h"

struct hpdu_ctx {
    int64_t id;
    const char *abstract_syntax; /* dotted text; transfer syntax is BER 2.1.1 */
};

/* AARQ for context_oid with user-information EXTERNAL { indirect-reference
 * bind_pctx, [16] bind-invoke { bind_arg } } (bind_arg.ptr NULL: none).
 * Prepends it to w. 0 or a negative code. */
int hpdu_aarq(struct ber_writer *w, const char *context_oid, struct ber_slice bind_arg,
              int64_t bind_pctx);
/* CN { PGI 5 (version 2), SUR duplex, user data CP { contexts, user-data
 * PDV on ud_pctx holding ud_value } } built with spdu_encode and
 * pres_encode_cp. Prepends it to w. */
int hpdu_cn(struct ber_writer *w, const struct hpdu_ctx *ctxs, size_t n, int64_t ud_pctx,
            struct ber_slice ud_value);
/* The usual CN of the echo context: ACSE on 1, 2.999.1.2 on 3, AARQ with
 * bind_arg on 3. */
int hpdu_echo_cn(struct ber_writer *w, const char *context_oid, struct ber_slice bind_arg);
/* ROSE invoke {id, opcode, argument} with ros_encode. */
int hpdu_invoke(struct ber_writer *w, int64_t id, int64_t opcode, struct ber_slice arg);

#endif
