/* X.226 (ISO 8823-1) presentation PPDUs, normal mode: CP, CPA, CPR, ARU,
 * ARP and user data (fully-encoded-data). The subset implemented is written
 * out in asn1/pres.asn. Decoded values point into the input buffer; nothing
 * is allocated. Lists are bounded (PRES_MAX_*): more is X400MS_ELIMIT.
 *
 * Encoders write with the backwards writer (asn1/ber.h): they prepend the
 * PPDU in front of what the writer already holds.
 */
#ifndef X400MS_ASN1_PRES_H
#define X400MS_ASN1_PRES_H

#include "asn1/ber.h"

#define PRES_MAX_CONTEXTS 32        /* contexts in a definition / result list */
#define PRES_MAX_TRANSFER_SYNTAXES 4
#define PRES_MAX_PDV 8              /* PDV-lists in one fully-encoded-data */

/* Bits of BIT STRINGs (bit n -> 1u << n). */
#define PRES_VERSION_1 (1u << 0)                   /* Protocol-version */
#define PRES_REQ_CONTEXT_MANAGEMENT (1u << 0)      /* Presentation-requirements */
#define PRES_REQ_RESTORATION (1u << 1)
/* User-session-requirements bits match SPDU_SUR_* of spdu.h (half-duplex 0, duplex 1 ...). */

enum pres_result {                  /* Result (X.226 8.2) */
    PRES_ACCEPTANCE = 0,
    PRES_USER_REJECTION = 1,
    PRES_PROVIDER_REJECTION = 2,
};

enum pres_pdv_encoding {
    PRES_SINGLE_ASN1_TYPE = 0,      /* [0] value: the ASN.1 value's whole TLV */
    PRES_OCTET_ALIGNED = 1,         /* [1] IMPLICIT OCTET STRING: the contents */
    PRES_ARBITRARY = 2,             /* [2] IMPLICIT BIT STRING: the contents (unused-bits octet first) */
};

/* One PDV-list. */
struct pres_pdv {
    struct ber_slice transfer_syntax;    /* ptr NULL when absent */
    int64_t context_id;
    enum pres_pdv_encoding encoding;
    struct ber_slice value;
    bool segmented;                      /* octet-aligned sent constructed: value = raw segments */
};

/* User-data CHOICE. */
struct pres_user_data {
    bool present;
    bool simply_encoded;                 /* [APPLICATION 0] OCTET STRING */
    struct ber_slice simple;
    size_t npdv;
    struct pres_pdv pdv[PRES_MAX_PDV];
};

/* A context definition (Context-list item). */
struct pres_context {
    int64_t id;
    struct ber_slice abstract_syntax;
    size_t nts;
    struct ber_slice transfer_syntax[PRES_MAX_TRANSFER_SYNTAXES];
};

/* A result-list item. */
struct pres_result_item {
    int64_t result;                      /* enum pres_result */
    struct ber_slice transfer_syntax;    /* ptr NULL when absent */
    bool has_provider_reason;
    int64_t provider_reason;             /* 0 not specified, 1 abstract syntax not supported,
                                            2 transfer syntaxes not supported, 3 local limit */
};

/* Fields shared by CP, CPA and CPR normal-mode parameters. Slices with ptr
 * NULL and has_* false mean absent. */
struct pres_connect {
    int64_t mode;                        /* Mode-selector: 1 normal, 0 x410-1984 */
    struct ber_slice x410_mode_parameters; /* RTORQ / RTOAC / RTORJ kept raw (whole TLV) */
    bool has_normal;                     /* normal-mode-parameters present */
    uint32_t protocol_version;           /* DEFAULT {version-1}: set on decode, omitted on encode */
    struct ber_slice calling_selector;   /* CP [1] */
    struct ber_slice called_selector;    /* CP [2] */
    struct ber_slice responding_selector;/* CPA, CPR [3] */
    bool has_context_list;               /* CP [4] */
    size_t ncontexts;
    struct pres_context contexts[PRES_MAX_CONTEXTS];
    bool has_result_list;                /* CPA, CPR [5] */
    size_t nresults;
    struct pres_result_item results[PRES_MAX_CONTEXTS];
    bool has_default_context;            /* CP [6] */
    struct ber_slice default_abstract_syntax;
    struct ber_slice default_transfer_syntax;
    bool has_default_context_result;     /* CPR [7] */
    int64_t default_context_result;
    bool has_presentation_requirements;  /* [8] */
    uint32_t presentation_requirements;
    bool has_user_session_requirements;  /* [9] */
    uint32_t user_session_requirements;
    bool has_provider_reason;            /* CPR [10] */
    int64_t provider_reason;
    uint32_t protocol_options;           /* [11] DEFAULT {} */
    bool has_nominated_context;          /* CP [12] initiator's / CPA [13] responder's */
    int64_t nominated_context;
    struct ber_slice extensions;         /* CP [14] kept raw (whole TLV) */
    struct pres_user_data user_data;
};

/* CPR reasons (Provider-reason, X.226 8.2). */
#define PRES_PR_NOT_SPECIFIED 0
#define PRES_PR_TEMPORARY_CONGESTION 1
#define PRES_PR_LOCAL_LIMIT 2
#define PRES_PR_CALLED_ADDRESS_UNKNOWN 3
#define PRES_PR_VERSION_NOT_SUPPORTED 4
#define PRES_PR_DEFAULT_CONTEXT_NOT_SUPPORTED 5
#define PRES_PR_USER_DATA_NOT_READABLE 6
#define PRES_PR_NO_PSAP 7

/* Abort (session AB user data): ARU-PPDU or ARP-PPDU. */
struct pres_abort {
    bool provider;                       /* true: ARP-PPDU, false: ARU-PPDU */
    /* ARU */
    struct ber_slice x400_mode_parameters; /* RTABapdu kept raw (whole TLV) */
    size_t ncontext_ids;                 /* presentation-context-identifier-list */
    int64_t context_ids[PRES_MAX_CONTEXTS];
    struct ber_slice context_transfer_syntax[PRES_MAX_CONTEXTS];
    struct pres_user_data user_data;
    /* ARP */
    bool has_provider_reason;
    int64_t provider_reason;             /* Abort-reason 0..6 */
    bool has_event_id;
    int64_t event_id;
};

void pres_connect_init(struct pres_connect *p);  /* normal mode, version-1, nothing else */

/* Decoders: the whole buffer is one PPDU. err names the type and offset. */
int pres_decode_cp(const uint8_t *buf, size_t len, struct pres_connect *cp, struct ber_error *err);
int pres_decode_cpa(const uint8_t *buf, size_t len, struct pres_connect *cpa, struct ber_error *err);
int pres_decode_cpr(const uint8_t *buf, size_t len, struct pres_connect *cpr, struct ber_error *err);
int pres_decode_abort(const uint8_t *buf, size_t len, struct pres_abort *ab, struct ber_error *err);
/* User-data (P-DATA and the user data of every other PPDU). */
int pres_decode_user_data(const uint8_t *buf, size_t len, struct pres_user_data *ud,
                          struct ber_error *err);

/* Encoders (prepend to w). */
int pres_encode_cp(struct ber_writer *w, const struct pres_connect *cp);
int pres_encode_cpa(struct ber_writer *w, const struct pres_connect *cpa);
int pres_encode_cpr(struct ber_writer *w, const struct pres_connect *cpr);
int pres_encode_abort(struct ber_writer *w, const struct pres_abort *ab);
int pres_encode_user_data(struct ber_writer *w, const struct pres_user_data *ud);

/* Zero-copy path: wraps the ASN.1 value pushed since mark into
 * fully-encoded-data { PDV-list { context_id, single-ASN1-type [0] value } }. */
int pres_wrap_single(struct ber_writer *w, ber_mark_t mark, int64_t context_id);

/* The PDV of user data for a given context, NULL if none. */
const struct pres_pdv *pres_find_pdv(const struct pres_user_data *ud, int64_t context_id);

#endif
