/* X.227 ACSE APDUs (module ACSE-1, EXPLICIT tags by default): AARQ, AARE,
 * RLRQ, RLRE, ABRT with user-information as EXTERNALs. The implemented
 * subset is written out in asn1/acse.asn. Decoded values point into the
 * input; AP-titles and AE-qualifiers are kept raw (the TLV inside their
 * explicit tag) with helpers for the common form 2.
 */
#ifndef X400MS_ASN1_ACSE_H
#define X400MS_ASN1_ACSE_H

#include "asn1/ber.h"

#define ACSE_MAX_EXTERNALS 8   /* EXTERNALs in one user-information */
#define ACSE_MAX_UNKNOWN 4     /* unknown (extension) members kept raw */

enum acse_type { ACSE_AARQ = 0, ACSE_AARE = 1, ACSE_RLRQ = 2, ACSE_RLRE = 3, ACSE_ABRT = 4 };

#define ACSE_VERSION_1 (1u << 0)

/* Associate-result */
#define ACSE_ACCEPTED 0
#define ACSE_REJECTED_PERMANENT 1
#define ACSE_REJECTED_TRANSIENT 2
/* Associate-source-diagnostic alternatives */
#define ACSE_DIAG_SERVICE_USER 1
#define ACSE_DIAG_SERVICE_PROVIDER 2
/* service-user reasons (X.227 7.1.4.9) */
#define ACSE_USER_NULL 0
#define ACSE_USER_NO_REASON 1
#define ACSE_USER_CONTEXT_NAME_NOT_SUPPORTED 2
#define ACSE_USER_CALLING_AP_TITLE_NOT_RECOGNIZED 3
#define ACSE_USER_CALLED_AP_TITLE_NOT_RECOGNIZED 7
#define ACSE_USER_AUTHENTICATION_FAILURE 13
#define ACSE_USER_AUTHENTICATION_REQUIRED 14
/* service-provider reasons */
#define ACSE_PROVIDER_NULL 0
#define ACSE_PROVIDER_NO_REASON 1
#define ACSE_PROVIDER_NO_COMMON_VERSION 2
/* Release-request-reason / Release-response-reason */
#define ACSE_RELEASE_NORMAL 0
#define ACSE_RELEASE_URGENT 1          /* RLRQ; RLRE: 1 = not-finished */
#define ACSE_RELEASE_USER_DEFINED 30
/* ABRT-source */
#define ACSE_ABRT_SERVICE_USER 0
#define ACSE_ABRT_SERVICE_PROVIDER 1

enum acse_ext_encoding {
    ACSE_EXT_SINGLE_ASN1_TYPE = 0,   /* [0] value: the whole TLV of the value */
    ACSE_EXT_OCTET_ALIGNED = 1,      /* [1] IMPLICIT OCTET STRING: contents */
    ACSE_EXT_ARBITRARY = 2,          /* [2] IMPLICIT BIT STRING: contents */
};

/* EXTERNAL (X.690 8.18, 1990 form). */
struct acse_external {
    struct ber_slice direct_reference;      /* OID contents, ptr NULL when absent */
    bool has_indirect_reference;
    int64_t indirect_reference;             /* presentation context id */
    struct ber_slice data_value_descriptor; /* ObjectDescriptor contents, ptr NULL when absent */
    enum acse_ext_encoding encoding;
    struct ber_slice value;
};

struct acse_user_info {
    bool present;
    size_t n;
    struct acse_external ext[ACSE_MAX_EXTERNALS];
};

/* One APDU. Slices with ptr NULL and has_* false are absent. */
struct acse_apdu {
    enum acse_type type;
    uint32_t protocol_version;         /* AARQ/AARE: DEFAULT {version1} (omitted on encode) */
    struct ber_slice context_name;     /* application-context-name OID contents */
    /* AP-title / AE-qualifier: the TLV inside the explicit tag
     * (AARQ: called [2]/[3], calling [6]/[7]; AARE: responding [4]/[5]) */
    struct ber_slice called_ap_title, called_ae_qualifier;
    struct ber_slice calling_ap_title, calling_ae_qualifier;
    struct ber_slice responding_ap_title, responding_ae_qualifier;
    bool has_called_ap_invocation_id, has_called_ae_invocation_id;
    bool has_calling_ap_invocation_id, has_calling_ae_invocation_id;
    bool has_responding_ap_invocation_id, has_responding_ae_invocation_id;
    int64_t called_ap_invocation_id, called_ae_invocation_id;
    int64_t calling_ap_invocation_id, calling_ae_invocation_id;
    int64_t responding_ap_invocation_id, responding_ae_invocation_id;
    bool has_acse_requirements;
    uint32_t acse_requirements;        /* bit 0 authentication */
    struct ber_slice mechanism_name;   /* OID contents */
    struct ber_slice authentication_value; /* the CHOICE TLV inside [12] / [10] */
    struct ber_slice implementation_information; /* GraphicString contents */
    /* AARE */
    int64_t result;                    /* ACSE_ACCEPTED ... */
    int64_t diagnostic_source;         /* ACSE_DIAG_SERVICE_USER / _PROVIDER */
    int64_t diagnostic;
    /* RLRQ / RLRE */
    bool has_reason;
    int64_t reason;
    /* ABRT */
    int64_t abort_source;
    bool has_abort_diagnostic;
    int64_t abort_diagnostic;
    /* extension members this codec does not know, whole TLVs, re-emitted
     * unchanged before user-information */
    size_t nunknown;
    struct ber_slice unknown[ACSE_MAX_UNKNOWN];
    struct acse_user_info user_info;
};

void acse_init(struct acse_apdu *a, enum acse_type type);

/* Decodes one ACSE APDU (the whole buffer). */
int acse_decode(const uint8_t *buf, size_t len, struct acse_apdu *a, struct ber_error *err);
/* Prepends the APDU to w. */
int acse_encode(struct ber_writer *w, const struct acse_apdu *a);
/* Same, but user-information is what was pushed since mark (one or more
 * EXTERNALs, e.g. built with acse_wrap_external): the zero-copy path. Any
 * a->user_info is ignored. */
int acse_encode_after(struct ber_writer *w, const struct acse_apdu *a, ber_mark_t mark);
/* Wraps the value pushed since mark into EXTERNAL { indirect-reference,
 * single-ASN1-type [0] value }. */
int acse_wrap_external(struct ber_writer *w, ber_mark_t mark, int64_t indirect_reference);

/* Decodes an EXTERNAL TLV (tag [UNIVERSAL 8]). */
int acse_decode_external(struct ber_ctx *c, const struct ber_tlv *t, struct acse_external *e);

/* AP-title form 2 (OID) out of a raw title: 0 and the OID contents, or
 * X400MS_ENOENT when the title has another form. */
int acse_title_form2(struct ber_slice raw, struct ber_slice *oid);
/* AE-qualifier form 2 (INTEGER): 0, or X400MS_ENOENT for another form. */
int acse_qualifier_form2(struct ber_slice raw, int64_t *v);

const char *acse_type_name(enum acse_type type); /* "AARQ" */

#endif
