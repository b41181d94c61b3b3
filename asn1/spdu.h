/* X.225 (ISO 8327-1) session protocol data units: decode a TSDU into the
 * SPDUs it carries, encode SPDUs. Not ASN.1: an SPDU is SI (1 octet), LI (1
 * octet, or 0xFF + 2 octets), then PI / PGI units coded the same way
 * (X.225 8.2). Decoded values point into the input buffer.
 *
 * Concatenation (X.225 6.3.7): a category 0 SPDU (GT SI 1, PT SI 2) may be
 * followed in the same TSDU by one category 2 SPDU (DT SI 1, MAP, AS ...).
 * A DT's user information runs from the end of its parameters to the end of
 * the TSDU, so DT is always last.
 */
#ifndef X400MS_ASN1_SPDU_H
#define X400MS_ASN1_SPDU_H

#include "asn1/ber.h"

/* SPDU identifiers (X.225 8.3, Table 7). Several share an SI. */
enum spdu_si {
    SPDU_SI_DT = 1,   /* also GT (category 0) */
    SPDU_SI_PT = 2,
    SPDU_SI_NF = 8,
    SPDU_SI_FN = 9,
    SPDU_SI_DN = 10,
    SPDU_SI_RF = 12,
    SPDU_SI_CN = 13,
    SPDU_SI_AC = 14,
    SPDU_SI_GTC = 21,
    SPDU_SI_GTA = 22,
    SPDU_SI_AB = 25,  /* also AI */
    SPDU_SI_AA = 26,  /* also AIA */
    SPDU_SI_AR = 29,
    SPDU_SI_MAP = 41, /* also AE */
    SPDU_SI_MAA = 42, /* also AEA */
    SPDU_SI_AS = 45,
    SPDU_SI_AD = 57,
    SPDU_SI_ADA = 58,
};

enum spdu_type {
    SPDU_UNKNOWN = 0,
    SPDU_CN, SPDU_AC, SPDU_RF, SPDU_FN, SPDU_DN, SPDU_NF, SPDU_AB, SPDU_AA,
    SPDU_DT, SPDU_GT, SPDU_PT, SPDU_GTC, SPDU_GTA, SPDU_MAP, SPDU_MAA,
    SPDU_AS, SPDU_AR, SPDU_AD, SPDU_ADA, SPDU_AE, SPDU_AEA, SPDU_AI, SPDU_AIA,
    SPDU_TYPE_COUNT
};

/* PI / PGI codes (X.225 8.3, Tables 9 ff.). */
enum spdu_pi {
    SPDU_PGI_CONNECTION_ID = 1,
    SPDU_PGI_CONNECT_ACCEPT = 5,
    SPDU_PI_CALLING_SS_REF = 10,     /* inside PGI 1 */
    SPDU_PI_COMMON_REF = 11,         /* inside PGI 1 */
    SPDU_PI_ADDITIONAL_REF = 12,     /* inside PGI 1 */
    SPDU_PI_SYNC_TYPE = 15,
    SPDU_PI_TOKEN_ITEM = 16,
    SPDU_PI_TRANSPORT_DISCONNECT = 17,
    SPDU_PI_PROTOCOL_OPTIONS = 19,   /* inside PGI 5 */
    SPDU_PI_SESSION_REQUIREMENTS = 20,
    SPDU_PI_TSDU_MAX = 21,           /* inside PGI 5 */
    SPDU_PI_VERSION = 22,            /* inside PGI 5 (RF: top level) */
    SPDU_PI_INITIAL_SERIAL = 23,     /* inside PGI 5 */
    SPDU_PI_ENCLOSURE = 25,
    SPDU_PI_TOKEN_SETTING = 26,      /* inside PGI 5 */
    SPDU_PGI_LINKING = 33,
    SPDU_PI_ACTIVITY_ID = 41,
    SPDU_PI_SERIAL_NUMBER = 42,
    SPDU_PI_REFLECT = 49,
    SPDU_PI_REASON_CODE = 50,
    SPDU_PI_CALLING_SSEL = 51,
    SPDU_PI_CALLED_SSEL = 52,        /* responding SSEL in AC */
    SPDU_PI_DATA_OVERFLOW = 60,
    SPDU_PGI_USER_DATA = 193,
    SPDU_PGI_EXTENDED_USER_DATA = 194,
};

/* Presence bits of struct spdu (field `present`). */
enum spdu_param {
    SPDU_P_CALLING_SS_REF = 1u << 0,
    SPDU_P_COMMON_REF = 1u << 1,
    SPDU_P_ADDITIONAL_REF = 1u << 2,
    SPDU_P_PROTOCOL_OPTIONS = 1u << 3,
    SPDU_P_TSDU_MAX = 1u << 4,
    SPDU_P_VERSION = 1u << 5,
    SPDU_P_INITIAL_SERIAL = 1u << 6,
    SPDU_P_TOKEN_SETTING = 1u << 7,
    SPDU_P_SYNC_TYPE = 1u << 8,
    SPDU_P_TOKEN_ITEM = 1u << 9,
    SPDU_P_TRANSPORT_DISCONNECT = 1u << 10,
    SPDU_P_SESSION_REQUIREMENTS = 1u << 11,
    SPDU_P_ENCLOSURE = 1u << 12,
    SPDU_P_LINKING = 1u << 13,
    SPDU_P_ACTIVITY_ID = 1u << 14,
    SPDU_P_SERIAL_NUMBER = 1u << 15,
    SPDU_P_REFLECT = 1u << 16,
    SPDU_P_REASON_CODE = 1u << 17,
    SPDU_P_CALLING_SSEL = 1u << 18,
    SPDU_P_CALLED_SSEL = 1u << 19,
    SPDU_P_DATA_OVERFLOW = 1u << 20,
    SPDU_P_USER_DATA = 1u << 21,     /* PGI 193, or 194 when extended_user_data */
};

/* Values of some parameters. */
#define SPDU_VERSION_1 0x01u
#define SPDU_VERSION_2 0x02u
#define SPDU_SUR_HALF_DUPLEX 0x0001u   /* X.225 8.3.1.16 Session User Requirements */
#define SPDU_SUR_DUPLEX 0x0002u
#define SPDU_SUR_EXPEDITED 0x0004u
#define SPDU_SUR_MINOR_SYNC 0x0008u
#define SPDU_SUR_MAJOR_SYNC 0x0010u
#define SPDU_SUR_RESYNC 0x0020u
#define SPDU_SUR_ACTIVITY 0x0040u
#define SPDU_SUR_NEGOTIATED_RELEASE 0x0080u
#define SPDU_SUR_CAPABILITY 0x0100u
#define SPDU_SUR_EXCEPTIONS 0x0200u
#define SPDU_SUR_TYPED_DATA 0x0400u
#define SPDU_TD_RELEASED 0x01u         /* Transport Disconnect: transport released */
#define SPDU_TD_USER_ABORT 0x02u       /* AB: user abort */
#define SPDU_TD_PROTOCOL_ERROR 0x04u
#define SPDU_TD_NO_REASON 0x08u
#define SPDU_TD_IMPLEMENTATION_RESTRICTION 0x10u
#define SPDU_ENCLOSURE_BEGIN 0x01u
#define SPDU_ENCLOSURE_END 0x02u
/* RF Reason Codes (X.225 8.3.3.17) */
#define SPDU_RF_REJECTED_BY_USER 0
#define SPDU_RF_CONGESTION 1
#define SPDU_RF_USER_DATA 2
#define SPDU_RF_SSEL_UNKNOWN 129
#define SPDU_RF_NOT_ATTACHED 130
#define SPDU_RF_SPM_CONGESTION 131
#define SPDU_RF_VERSIONS_NOT_SUPPORTED 132
#define SPDU_RF_SPM_UNSPECIFIED 133
#define SPDU_RF_IMPLEMENTATION_RESTRICTION 134

/* Version 1 user data bound on CN / AC (X.225 8.3.1.19); larger needs
 * version 2 and Extended User Data (up to 10240 octets). */
#define SPDU_MAX_USER_DATA_V1 512u
#define SPDU_MAX_EXTENDED_USER_DATA 10240u

/* One SPDU. Fields are meaningful when their SPDU_P_* bit is in `present`. */
struct spdu {
    enum spdu_type type;
    uint8_t si;
    struct ber_slice raw;             /* the whole SPDU as received (decode only) */
    uint32_t present;

    /* Connection Identifier PGI 1 */
    struct ber_slice calling_ss_ref;
    struct ber_slice common_ref;
    struct ber_slice additional_ref;
    /* Connect/Accept Item PGI 5 */
    uint8_t protocol_options;
    uint16_t tsdu_max_to_responder;   /* initiator -> responder, 0 = unlimited */
    uint16_t tsdu_max_to_initiator;
    uint8_t version;                  /* SPDU_VERSION_* bits */
    struct ber_slice initial_serial;  /* decimal digits */
    uint8_t token_setting;
    /* other parameters */
    uint8_t sync_type;
    uint8_t token_item;
    uint8_t transport_disconnect;     /* SPDU_TD_* bits */
    uint16_t session_requirements;    /* SPDU_SUR_* bits */
    uint8_t enclosure;
    struct ber_slice linking;         /* PGI 33 kept raw (its contents) */
    struct ber_slice activity_id;
    struct ber_slice serial_number;   /* decimal digits */
    struct ber_slice reflect;
    uint8_t reason_code;
    struct ber_slice reason_data;     /* octets after the reason code (RF reason 2: user data) */
    struct ber_slice calling_ssel;
    struct ber_slice called_ssel;     /* responding SSEL in AC */
    uint8_t data_overflow;
    /* user data: PGI 193 / 194, or DT user information (no PGI, after the
     * parameters; present bit set when not empty) */
    struct ber_slice user_data;
    bool extended_user_data;          /* decoded from / to be encoded as PGI 194 */
};

/* Decode options. */
#define SPDU_F_ACTIVITY 0x1u  /* activity FU in use: SI 41/42 decode as AE/AEA,
                                 SI 25 without Transport Disconnect as AI, 26 as AIA */

/* Decodes the SPDUs of one TSDU into out[0..max). Returns 0 and *count_r,
 * or X400MS_EPROTO (bad LI, parameter overrun, bad concatenation, empty
 * TSDU), X400MS_ELIMIT (more than max SPDUs), with err naming the SPDU
 * ("CN SPDU", "CN SPDU.Session User Requirements") and the offset. */
int spdu_decode_tsdu(const uint8_t *buf, size_t len, unsigned flags, struct spdu *out, size_t max,
                     size_t *count_r, struct ber_error *err);

/* Encodes one SPDU in front of what w holds (backwards writer: encode the
 * category 2 SPDU of a concatenated TSDU first, then the category 0 one).
 * Parameters are written in ascending code order, which is the order X.225
 * 8.3 gives for every SPDU; parameters X.225 does not allow in that SPDU
 * are X400MS_EINVAL. For DT, user_data is the user information. CN / AC
 * user data above 512 octets goes out as Extended User Data (PGI 194). */
int spdu_encode(struct ber_writer *w, const struct spdu *s);

/* Convenience: GT + DT carrying user_info (basic concatenation, the form of
 * every P-DATA): 01 00 01 00 + user_info. */
int spdu_encode_gt_dt(struct ber_writer *w, struct ber_slice user_info);

/* Initialises s as an SPDU of that type with nothing present. */
void spdu_init(struct spdu *s, enum spdu_type type);

const char *spdu_type_name(enum spdu_type type); /* "CN" */
uint8_t spdu_type_si(enum spdu_type type);
/* Category 0 (GT, PT) types may precede one category 2 SPDU in a TSDU. */
bool spdu_is_category0(enum spdu_type type);

#endif
