/* X.228 RTSE APDUs, normal mode (asn1/rtse.asn; module Reliable-Transfer-
 * APDU, EXPLICIT tags by default, most fields marked IMPLICIT). User data
 * (the bind value in connectionData open, userDataRJ, userdataAB) stays a
 * raw slice: the whole TLV of the value.
 */
#ifndef X400MS_ASN1_RTSE_H
#define X400MS_ASN1_RTSE_H

#include "asn1/ber.h"

enum rtse_type {
    RTSE_RTORQ = 16,   /* [16] IMPLICIT RTORQapdu */
    RTSE_RTOAC = 17,
    RTSE_RTORJ = 18,
    RTSE_RTTP = 100,   /* RTTPapdu ::= INTEGER (untagged) */
    RTSE_RTTR = 101,   /* RTTRapdu ::= OCTET STRING (untagged) */
    RTSE_RTAB = 22,
};

#define RTSE_DEFAULT_CHECKPOINT_SIZE 0
#define RTSE_DEFAULT_WINDOW_SIZE 3
#define RTSE_MONOLOGUE 0
#define RTSE_TWA 1
/* RefuseReason */
#define RTSE_REFUSE_BUSY 0
#define RTSE_REFUSE_CANNOT_RECOVER 1
#define RTSE_REFUSE_VALIDATION_FAILURE 2
#define RTSE_REFUSE_UNACCEPTABLE_DIALOGUE_MODE 3
/* AbortReason */
#define RTSE_ABORT_LOCAL_SYSTEM_PROBLEM 0
#define RTSE_ABORT_INVALID_PARAMETER 1
#define RTSE_ABORT_UNRECOGNIZED_ACTIVITY 2
#define RTSE_ABORT_TEMPORARY_PROBLEM 3
#define RTSE_ABORT_PROTOCOL_ERROR 4
#define RTSE_ABORT_PERMANENT_PROBLEM 5
#define RTSE_ABORT_USER_ERROR 6
#define RTSE_ABORT_TRANSFER_COMPLETED 7

struct rtse_apdu {
    enum rtse_type type;
    /* RTORQ / RTOAC: DEFAULTs filled on decode, omitted on encode */
    int64_t checkpoint_size;
    int64_t window_size;
    int64_t dialogue_mode;             /* RTORQ */
    bool has_application_protocol;     /* RTORQ [4] */
    int64_t application_protocol;
    /* ConnectionData CHOICE: open [0] value (whole TLV) or recover [1]
     * SessionConnectionIdentifier (contents kept raw) */
    bool recover;
    struct ber_slice connection_data;
    /* RTORJ */
    bool has_refuse_reason;
    int64_t refuse_reason;
    /* RTAB */
    bool has_abort_reason;
    int64_t abort_reason;
    bool has_reflected_parameter;
    struct ber_slice reflected_parameter;   /* BIT STRING contents */
    /* RTORJ userDataRJ [1] / RTAB userdataAB [2]: whole TLV of the value */
    struct ber_slice user_data;
    /* RTTP priority / RTTR octets */
    int64_t priority;
    struct ber_slice transfer_data;
};

void rtse_init(struct rtse_apdu *a, enum rtse_type type); /* DEFAULTs set */

int rtse_decode(const uint8_t *buf, size_t len, struct rtse_apdu *a, struct ber_error *err);
int rtse_encode(struct ber_writer *w, const struct rtse_apdu *a);

const char *rtse_type_name(enum rtse_type type); /* "RTORQ" */

#endif
