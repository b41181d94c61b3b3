/* X.411 MTS abstract service codec (P3, and the X.411 types P7 imports).
 *
 * Implements asn1/mts.asn (X.411 06/1999 MTSAbstractService, IMPLICIT
 * tags): MTS-bind argument/result/error with simple credentials, message
 * and probe submission (envelope, argument, result), message delivery
 * argument/result, report delivery argument, the per-recipient fields,
 * extension fields (kept raw, criticality decoded and checkable) and the
 * MTS error parameters an MS needs.
 *
 * Decoders fill plain structs that point into the decoded buffer; nothing
 * is allocated. Lists of unbounded length (recipients, extensions, other
 * recipient names) are struct mhs_seq values iterated with the *_next()
 * functions. Encoders push onto a ber_writer (built backwards), omit DEFAULT
 * values and emit SET members in ascending tag order. Where an encoder
 * input has both an array pointer and a raw mhs_seq, the array is used when
 * non-NULL, else the raw list is re-emitted unchanged.
 */
#ifndef X400MS_ASN1_MTS_H
#define X400MS_ASN1_MTS_H

#include <stdbool.h>
#include <stdint.h>

#include "asn1/ber.h"
#include "asn1/mhs.h"
#include "asn1/orname.h"

#define MTS_UB_CONTENT_ID 16
#define MTS_UB_LOCAL_ID 32
#define MTS_UB_MTA_NAME 32
#define MTS_UB_PASSWORD 62
#define MTS_UB_RECIPIENTS 32767
#define MTS_UB_SUPPLEMENTARY_INFO 256
#define MTS_UB_EXTENSIONS 1024   /* our bound for SET OF ExtensionField */

/* BuiltInContentType values (X.411 8.2.1.1.1.7). */
#define MTS_CONTENT_P2_1984 2
#define MTS_CONTENT_P22_1988 22

enum mts_priority { MTS_PRIORITY_NORMAL = 0, MTS_PRIORITY_NON_URGENT = 1, MTS_PRIORITY_URGENT = 2 };

/* Criticality bits (X.411 9.1 ExtensionField). */
#define MTS_CRIT_FOR_SUBMISSION (1u << 0)
#define MTS_CRIT_FOR_TRANSFER (1u << 1)
#define MTS_CRIT_FOR_DELIVERY (1u << 2)

/* OriginatorReportRequest bits. */
#define MTS_ORR_REPORT (1u << 3)
#define MTS_ORR_NON_DELIVERY_REPORT (1u << 4)

/* MTS operation and error codes (X.411 / MTSAccessProtocol). */
enum mts_opcode {
    MTS_OP_REGISTER = 1, MTS_OP_SUBMISSION_CONTROL = 2, /* delivery-control is 2 too */
    MTS_OP_MESSAGE_SUBMISSION = 3, MTS_OP_PROBE_SUBMISSION = 4, MTS_OP_MESSAGE_DELIVERY = 5,
    MTS_OP_REPORT_DELIVERY = 6, MTS_OP_CANCEL_DEFERRED_DELIVERY = 7, MTS_OP_CHANGE_CREDENTIALS = 8,
};
enum mts_errcode {
    MTS_ERR_SUBMISSION_CONTROL_VIOLATED = 1, MTS_ERR_ELEMENT_OF_SERVICE_NOT_SUBSCRIBED = 2,
    MTS_ERR_DEFERRED_DELIVERY_CANCELLATION_REJECTED = 3, MTS_ERR_ORIGINATOR_INVALID = 4,
    MTS_ERR_RECIPIENT_IMPROPERLY_SPECIFIED = 5, MTS_ERR_MESSAGE_SUBMISSION_IDENTIFIER_INVALID = 6,
    MTS_ERR_INCONSISTENT_REQUEST = 7, MTS_ERR_SECURITY_ERROR = 8,
    MTS_ERR_UNSUPPORTED_CRITICAL_FUNCTION = 9, MTS_ERR_REMOTE_BIND_ERROR = 10,
    MTS_ERR_DELIVERY_CONTROL_VIOLATED = 11, MTS_ERR_CONTROL_VIOLATES_REGISTRATION = 12,
    MTS_ERR_REGISTER_REJECTED = 13, MTS_ERR_NEW_CREDENTIALS_UNACCEPTABLE = 14,
    MTS_ERR_OLD_CREDENTIALS_INCORRECTLY_SPECIFIED = 15, MTS_ERR_OPERATION_REFUSED = 16,
};

/* ---- common parameter types -------------------------------------------- */

/* ExtensionField ::= SEQUENCE { type CHOICE { standard-extension [0]
 * INTEGER, private-extension [3] OID }, criticality [1] DEFAULT {}, value
 * [2] DEFAULT NULL }. */
struct mts_extension {
    bool is_private;
    int32_t standard;            /* when !is_private */
    struct ber_slice private_oid;/* contents octets, when is_private */
    uint32_t criticality;        /* MTS_CRIT_* */
    struct ber_slice value;      /* the value TLV inside [2]; empty = NULL default */
    struct ber_slice whole;      /* the whole ExtensionField TLV as received */
};

/* Decodes one ExtensionField TLV. */
int mts_extension_decode_tlv(struct ber_ctx *c, const struct ber_tlv *t, struct mts_extension *e);
/* Iterates a SET OF ExtensionField. */
int mts_extension_next(struct mhs_seq_iter *i, struct mts_extension *e);
/* Pushes one ExtensionField built from e's fields (whole ignored). */
int mts_extension_encode(struct ber_writer *w, const struct mts_extension *e);

/* X.411 9.1 / Table 27: returns 0 when every extension in exts that has
 * crit_bit set is one `known` accepts (known may be NULL: none are), or
 * X400MS_ENOTSUP and the offending one in *bad_r (unsupported critical
 * function). < 0 on malformed input. */
int mts_extensions_check_critical(const struct mhs_seq *exts, uint32_t crit_bit,
                                  bool (*known)(const struct mts_extension *, void *), void *arg,
                                  struct mts_extension *bad_r, struct ber_error *err);

/* GlobalDomainIdentifier [APPLICATION 3] and MTSIdentifier [APPLICATION 4]. */
struct mts_gdi {
    struct mhs_str country, admd, prmd;
};
struct mts_identifier {
    struct mts_gdi gdi;
    struct mhs_str local;        /* IA5String 1..32 */
};
int mts_identifier_decode_tlv(struct ber_ctx *c, const struct ber_tlv *t, struct mts_identifier *id,
                              const char *type);
int mts_identifier_encode(struct ber_writer *w, ber_tag_t tag, const struct mts_identifier *id);

/* ContentType / DeliveredContentType. */
struct mts_content_type {
    bool present;
    bool builtin;
    int32_t builtin_value;       /* e.g. MTS_CONTENT_P22_1988 */
    struct ber_slice oid;        /* extended: OID contents octets */
};

/* Credentials (X.411 8.1.1.1.1.3): simple password decoded, strong and
 * protected kept raw (the whole [0]/[1] TLV). */
enum mts_cred_kind { MTS_CRED_SIMPLE = 0, MTS_CRED_STRONG = 1, MTS_CRED_PROTECTED = 2 };
struct mts_credentials {
    enum mts_cred_kind kind;
    bool octets;                 /* simple: OCTET STRING rather than IA5String */
    struct ber_slice password;   /* simple: the password octets (0..62) */
    struct ber_slice raw;        /* strong / protected: the whole TLV */
};
/* t is the explicit [n] wrapper (e.g. initiator-credentials [2]). */
int mts_credentials_decode_tlv(struct ber_ctx *c, const struct ber_tlv *t, struct mts_credentials *cr,
                               const char *type);
/* Pushes [ctx_num] { Credentials } (the tag on a CHOICE is explicit). */
int mts_credentials_encode(struct ber_writer *w, unsigned ctx_num, const struct mts_credentials *cr);

/* ---- bind (X.411 8.1.1) ---------------------------------------------------- */

enum mts_object_kind { MTS_OBJ_USER_AGENT = 0, MTS_OBJ_MTA = 1, MTS_OBJ_MESSAGE_STORE = 2 };
struct mts_object_name {
    enum mts_object_kind kind;
    struct or_address orname;    /* user-agent / message-store */
    struct mhs_str mta;          /* mTA [0] IA5String */
};

struct mts_bind_arg {
    struct mts_object_name initiator_name;
    struct ber_slice messages_waiting;   /* [1] EXPLICIT MessagesWaiting: inner TLV, raw */
    struct mts_credentials credentials;  /* [2] */
    struct ber_slice security_context;   /* [3]: whole TLV, raw */
    struct mhs_seq extensions;           /* [5] */
};
struct mts_bind_result {
    struct mts_object_name responder_name;
    struct ber_slice messages_waiting;
    struct mts_credentials credentials;
    struct mhs_seq extensions;
};
/* MTSBindError: busy(0), authentication-error(2), unacceptable-dialogue-mode(3),
 * unacceptable-security-context(4), inadequate-association-confidentiality(5). */
enum mts_bind_error {
    MTS_BIND_BUSY = 0, MTS_BIND_AUTHENTICATION_ERROR = 2, MTS_BIND_UNACCEPTABLE_DIALOGUE_MODE = 3,
    MTS_BIND_UNACCEPTABLE_SECURITY_CONTEXT = 4, MTS_BIND_INADEQUATE_ASSOCIATION_CONFIDENTIALITY = 5,
};

int mts_bind_arg_decode(struct ber_slice in, struct mts_bind_arg *a, struct ber_error *err);
int mts_bind_arg_encode(struct ber_writer *w, const struct mts_bind_arg *a);
int mts_bind_result_decode(struct ber_slice in, struct mts_bind_result *r, struct ber_error *err);
int mts_bind_result_encode(struct ber_writer *w, const struct mts_bind_result *r);
int mts_bind_error_decode(struct ber_slice in, int *code, struct ber_error *err);
int mts_bind_error_encode(struct ber_writer *w, int code);

/* ---- submission (X.411 8.2) ------------------------------------------------- */

/* PerRecipientMessageSubmissionFields and PerRecipientProbeSubmissionFields
 * (same shape). */
struct mts_submission_recipient {
    struct or_address recipient_name;
    uint32_t originator_report_request;  /* [0] MTS_ORR_* */
    bool has_explicit_conversion;
    int32_t explicit_conversion;         /* [1] */
    struct mhs_seq extensions;           /* [2] */
};
int mts_submission_recipient_next(struct mhs_seq_iter *i, struct mts_submission_recipient *r);
int mts_submission_recipient_encode(struct ber_writer *w, const struct mts_submission_recipient *r);

/* MessageSubmissionEnvelope / ProbeSubmissionEnvelope (= argument). */
struct mts_submission_envelope {
    struct or_address originator_name;
    struct ber_slice original_eits;      /* [APPLICATION 5]: whole TLV, raw */
    struct mts_content_type content_type;
    struct mhs_str content_identifier;   /* [APPLICATION 10] */
    int priority;                        /* message only; DEFAULT normal */
    uint32_t per_message_indicators;     /* [APPLICATION 8] DEFAULT {} */
    struct mhs_time deferred_delivery_time; /* message only, [0] */
    bool has_content_length;             /* probe only, [0] */
    int64_t content_length;
    struct mhs_seq extensions;           /* [2] */
    struct mhs_seq recipients;           /* message [1], probe [3] */
    const struct mts_submission_recipient *recipient_array; /* encode: used when non-NULL */
    uint32_t n_recipient_array;
};
int mts_submission_envelope_decode_tlv(struct ber_ctx *c, const struct ber_tlv *t,
                                       struct mts_submission_envelope *e);
int mts_submission_envelope_encode(struct ber_writer *w, const struct mts_submission_envelope *e);

/* MessageSubmissionArgument ::= SEQUENCE { envelope, content }. */
struct mts_submission_arg {
    struct mts_submission_envelope envelope;
    struct mhs_octets content;
};
int mts_submission_arg_decode(struct ber_slice in, struct mts_submission_arg *a, struct ber_error *err);
/* Decodes the members of an entered MessageSubmissionArgument SEQUENCE (used
 * by the X.413 MSMessageSubmissionArgument, which adds a member). */
int mts_submission_arg_decode_members(struct ber_ctx *c, struct ber_iter *it,
                                      struct mts_submission_arg *a);
int mts_submission_arg_encode(struct ber_writer *w, const struct mts_submission_arg *a);

/* ProbeSubmissionArgument ::= ProbeSubmissionEnvelope. */
int mts_probe_submission_arg_decode(struct ber_slice in, struct mts_submission_envelope *e,
                                    struct ber_error *err);
int mts_probe_submission_arg_encode(struct ber_writer *w, const struct mts_submission_envelope *e);

/* MessageSubmissionResult / ProbeSubmissionResult. ms_result is X.413's
 * 94 addition ms-message-result / ms-probe-result [4] (whole TLV, raw). */
struct mts_submission_result {
    struct mts_identifier identifier;
    struct mhs_time time;                /* [0] */
    struct mhs_str content_identifier;
    struct mhs_seq extensions;           /* [1] */
    struct ber_slice ms_result;          /* [4], X.413 1994 only */
};
int mts_submission_result_decode(struct ber_slice in, struct mts_submission_result *r,
                                 struct ber_error *err);
int mts_submission_result_decode_tlv(struct ber_ctx *c, const struct ber_tlv *t,
                                     struct mts_submission_result *r);
int mts_submission_result_encode(struct ber_writer *w, const struct mts_submission_result *r);

/* ---- delivery (X.411 8.3) ---------------------------------------------------- */

struct mts_delivery_arg {
    struct mts_identifier delivery_identifier;
    struct mhs_time delivery_time;
    /* OtherMessageDeliveryFields */
    struct mts_content_type content_type;   /* built-in [0] or OID */
    struct or_address originator_name;
    struct ber_slice original_eits;         /* [1]: whole TLV, raw */
    int priority;                           /* DEFAULT normal */
    bool has_delivery_flags;
    uint32_t delivery_flags;                /* [2] */
    struct mhs_seq other_recipients;        /* [3] SEQUENCE OF ORName */
    bool has_other_recipients;
    struct or_address this_recipient_name;  /* [4] */
    bool has_originally_intended;
    struct or_address originally_intended;  /* [5] */
    struct ber_slice converted_eits;        /* [6]: whole TLV, raw */
    struct mhs_time submission_time;        /* [7] */
    struct mhs_str content_identifier;      /* [8] */
    struct mhs_seq extensions;              /* [9] */
    struct mhs_octets content;
};
int mts_delivery_arg_decode(struct ber_slice in, struct mts_delivery_arg *a, struct ber_error *err);
int mts_delivery_arg_encode(struct ber_writer *w, const struct mts_delivery_arg *a);
/* Iterates other-recipient-names (each an [APPLICATION 0] ORName). */
int mts_orname_next(struct mhs_seq_iter *i, struct or_address *a);

struct mts_delivery_result {
    struct ber_slice recipient_certificate; /* [0]: whole TLV, raw */
    struct ber_slice proof_of_delivery;     /* [1]: whole TLV, raw */
    struct mhs_seq extensions;              /* [2] */
};
int mts_delivery_result_decode(struct ber_slice in, struct mts_delivery_result *r,
                               struct ber_error *err);
int mts_delivery_result_encode(struct ber_writer *w, const struct mts_delivery_result *r);

/* PerRecipientReportDeliveryFields. */
struct mts_report_recipient {
    struct or_address actual_recipient;     /* [0] */
    bool delivered;                         /* report-type [1]: delivery [0] / non-delivery [1] */
    struct mhs_time delivery_time;          /* delivery */
    int32_t type_of_mts_user;               /* delivery, DEFAULT public(0) */
    int32_t reason_code;                    /* non-delivery */
    int32_t diagnostic_code;                /* non-delivery, -1 absent */
    struct ber_slice converted_eits;        /* [APPLICATION 5]: raw */
    bool has_originally_intended;
    struct or_address originally_intended;  /* [2] */
    struct mhs_str supplementary_info;      /* [3] */
    struct mhs_seq extensions;              /* [4] */
};
int mts_report_recipient_next(struct mhs_seq_iter *i, struct mts_report_recipient *r);
int mts_report_recipient_encode(struct ber_writer *w, const struct mts_report_recipient *r);

struct mts_report_delivery_arg {
    struct mts_identifier subject_submission_identifier;
    struct mhs_str content_identifier;
    struct mts_content_type content_type;   /* OPTIONAL here */
    struct ber_slice original_eits;         /* raw */
    struct mhs_seq extensions;              /* [1] */
    struct mhs_seq recipients;              /* SEQUENCE OF PerRecipientReportDeliveryFields */
    const struct mts_report_recipient *recipient_array; /* encode: used when non-NULL */
    uint32_t n_recipient_array;
    bool has_returned_content;
    struct mhs_octets returned_content;     /* [0] */
};
int mts_report_delivery_arg_decode(struct ber_slice in, struct mts_report_delivery_arg *a,
                                   struct ber_error *err);
int mts_report_delivery_arg_encode(struct ber_writer *w, const struct mts_report_delivery_arg *a);

/* ---- error parameters ---------------------------------------------------------- */

/* security-error: SecurityProblem INTEGER. */
int mts_security_error_decode(struct ber_slice in, int *problem, struct ber_error *err);
int mts_security_error_encode(struct ber_writer *w, int problem);
/* recipient-improperly-specified: SEQUENCE OF ORName (iterate with mts_orname_next). */
int mts_improper_recipients_decode(struct ber_slice in, struct mhs_seq *names, struct ber_error *err);
int mts_improper_recipients_encode(struct ber_writer *w, const struct or_address *names, size_t n);

#endif
