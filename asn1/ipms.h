/* X.420 interpersonal messaging content codec (P22, and the STANAG 4406 /
 * P772 heading extensions carried in it).
 *
 * Implements asn1/ipms.asn (X.420 IPMSInformationObjects, IMPLICIT tags;
 * subject [8] is marked EXPLICIT in the module). Decodes the IPM heading
 * (this-IPM, originator, recipients, subject, importance, sensitivity,
 * times, auto-forwarded, heading extensions kept raw with the STANAG 4406
 * primary/copy precedence decoded), body parts (IA5 text, general text,
 * bilaterally defined, message body part; any other kept raw) and IPNs
 * (receipt and non-receipt notifications).
 *
 * Nothing is allocated: recipient lists, body parts and extensions are
 * iterated lazily from raw slices of the content.
 */
#ifndef X400MS_ASN1_IPMS_H
#define X400MS_ASN1_IPMS_H

#include <stdbool.h>
#include <stdint.h>

#include "asn1/ber.h"
#include "asn1/mhs.h"
#include "asn1/orname.h"

#define IPMS_UB_LOCAL_IPM_ID 64
#define IPMS_UB_SUBJECT 128
#define IPMS_UB_FREE_FORM_NAME 64
#define IPMS_UB_TELEPHONE 32
#define IPMS_UB_AUTO_FORWARD_COMMENT 256

enum ipm_importance { IPM_IMPORTANCE_LOW = 0, IPM_IMPORTANCE_NORMAL = 1, IPM_IMPORTANCE_HIGH = 2 };
enum ipm_sensitivity { IPM_SENSITIVITY_NONE = 0, IPM_SENSITIVITY_PERSONAL = 1,
                       IPM_SENSITIVITY_PRIVATE = 2, IPM_SENSITIVITY_COMPANY_CONFIDENTIAL = 3 };
/* NotificationRequests bits. */
#define IPM_NOTIFY_RN (1u << 0)
#define IPM_NOTIFY_NRN (1u << 1)
#define IPM_NOTIFY_IPM_RETURN (1u << 2)

/* IPMIdentifier ::= [APPLICATION 11] SET { user ORName OPTIONAL,
 * user-relative-identifier PrintableString }. */
struct ipm_identifier {
    bool has_user;
    struct or_address user;
    struct mhs_str local_id;
};

/* ORDescriptor ::= SET { formal-name ORName OPTIONAL, free-form-name [0]
 * TeletexString OPTIONAL, telephone-number [1] PrintableString OPTIONAL }. */
struct ipm_or_descriptor {
    bool has_formal_name;
    struct or_address formal_name;
    struct mhs_str free_form_name;       /* TeletexString */
    struct mhs_str telephone_number;
};

/* RecipientSpecifier. */
struct ipm_recipient {
    struct ipm_or_descriptor recipient;  /* [0] */
    uint32_t notification_requests;      /* [1] IPM_NOTIFY_*, DEFAULT {} */
    bool reply_requested;                /* [2] DEFAULT FALSE */
    struct ber_slice extensions;         /* [3]: whole TLV, raw */
};
int ipm_recipient_next(struct mhs_seq_iter *i, struct ipm_recipient *r);
int ipm_recipient_encode(struct ber_writer *w, const struct ipm_recipient *r);
int ipm_or_descriptor_next(struct mhs_seq_iter *i, struct ipm_or_descriptor *d);
int ipm_identifier_next(struct mhs_seq_iter *i, struct ipm_identifier *id);

/* IPMSExtension ::= SEQUENCE { type OID, value ANY DEFAULT NULL }. */
struct ipms_extension {
    struct ber_slice type;               /* OID contents octets */
    struct ber_slice value;              /* value TLV; empty = NULL default */
};
int ipms_extension_next(struct mhs_seq_iter *i, struct ipms_extension *e);

struct ipm_recipient_list {
    bool present;
    struct mhs_seq raw;                  /* RecipientSpecifier TLVs */
    const struct ipm_recipient *arr;     /* encode, when non-NULL */
    uint32_t n;
};

struct ipm_heading {
    struct ipm_identifier this_ipm;
    bool has_originator;
    struct ipm_or_descriptor originator;         /* [0] */
    bool has_authorizing_users;
    struct mhs_seq authorizing_users;            /* [1] ORDescriptor TLVs */
    struct ipm_recipient_list primary;           /* [2] */
    struct ipm_recipient_list copy;              /* [3] */
    struct ipm_recipient_list blind_copy;        /* [4] */
    bool has_replied_to;
    struct ipm_identifier replied_to;            /* [5] */
    struct mhs_seq obsoleted;                    /* [6] IPMIdentifier TLVs */
    struct mhs_seq related;                      /* [7] IPMIdentifier TLVs */
    bool has_subject;
    struct mhs_octets subject;                   /* [8] EXPLICIT TeletexString */
    struct mhs_time expiry_time;                 /* [9] */
    struct mhs_time reply_time;                  /* [10] */
    bool has_reply_recipients;
    struct mhs_seq reply_recipients;             /* [11] ORDescriptor TLVs */
    int importance;                              /* [12] DEFAULT normal */
    int sensitivity;                             /* [13] 0 = absent */
    bool auto_forwarded;                         /* [14] DEFAULT FALSE */
    struct mhs_seq extensions;                   /* [15] IPMSExtension TLVs */
    /* STANAG 4406 (P772) heading extensions, decoded from extensions:
     * primary-precedence 1.3.26.0.4406.0.2.0, copy-precedence ...2.1;
     * -1 when absent. (deferred 0, routine 1, priority 2, immediate 3,
     * flash 4, override 5.) */
    int primary_precedence;
    int copy_precedence;
};

/* The body-part kinds decoded; everything else is IPM_BP_OTHER (raw). */
enum ipm_body_part_kind {
    IPM_BP_IA5_TEXT, IPM_BP_GENERAL_TEXT, IPM_BP_BILATERAL, IPM_BP_MESSAGE, IPM_BP_OTHER,
};
struct ipm_body_part {
    enum ipm_body_part_kind kind;
    struct ber_slice whole;              /* the whole BodyPart TLV */
    int repertoire;                      /* IA5: ita2(2) / ia5(5, DEFAULT) */
    struct mhs_octets text;              /* IA5 / general text data, bilateral octets */
    struct ber_slice charsets;           /* general text parameters: SET OF INTEGER TLV, raw */
    struct mhs_time delivery_time;       /* message: parameters [0] */
    struct ber_slice delivery_envelope;  /* message: parameters [1] (OtherMessageDeliveryFields TLV) */
    struct ber_slice ipm;                /* message: the forwarded IPM (SEQUENCE TLV): ipms_ipm_decode() it */
};
int ipm_body_part_next(struct mhs_seq_iter *i, struct ipm_body_part *b);
/* Encodes IA5 text, general text, bilateral and message body parts from the
 * fields; IPM_BP_OTHER re-emits whole. */
int ipm_body_part_encode(struct ber_writer *w, const struct ipm_body_part *b);

struct ipm {
    struct ipm_heading heading;
    struct mhs_seq body;                 /* BodyPart TLVs */
    const struct ipm_body_part *body_array; /* encode, when non-NULL */
    uint32_t n_body_array;
};

enum ipn_kind { IPN_NON_RECEIPT = 0, IPN_RECEIPT = 1, IPN_OTHER = 2 };
struct ipn {
    struct ipm_identifier subject_ipm;
    bool has_ipn_originator;
    struct ipm_or_descriptor ipn_originator;     /* [1] */
    bool has_intended_recipient;
    struct ipm_or_descriptor intended_recipient; /* [2] */
    struct ber_slice conversion_eits;            /* [APPLICATION 5]: raw */
    struct ber_slice notification_extensions;    /* [3]: whole TLV, raw */
    enum ipn_kind kind;
    /* non-receipt */
    int non_receipt_reason;                      /* ipm-discarded 0, ipm-auto-forwarded 1 */
    int discard_reason;                          /* -1 absent */
    struct mhs_str auto_forward_comment;
    struct ber_slice returned_ipm;               /* [3]: whole TLV (implicit IPM), raw */
    struct ber_slice nrn_extensions;             /* [4]: raw */
    /* receipt */
    struct mhs_time receipt_time;
    int acknowledgment_mode;                     /* manual 0 (DEFAULT), automatic 1 */
    struct mhs_str suppl_receipt_info;
    struct ber_slice rn_extensions;              /* [3]: raw */
    /* other-notification-type-fields */
    struct ber_slice other_fields;               /* whole TLV, raw */
};

enum ipms_object_kind { IPMS_OBJ_IPM = 0, IPMS_OBJ_IPN = 1 };
struct ipms_object {
    enum ipms_object_kind kind;
    struct ipm ipm;
    struct ipn ipn;
};

/* InformationObject ::= CHOICE { ipm [0] IPM, ipn [1] IPN }: the P22
 * content of a message (the content octets of a delivery or submission). */
int ipms_object_decode(struct ber_slice in, struct ipms_object *o, struct ber_error *err);
int ipms_object_encode(struct ber_writer *w, const struct ipms_object *o);
/* An IPM alone (SEQUENCE), e.g. a message body part's data. */
int ipms_ipm_decode(struct ber_slice in, struct ipm *m, struct ber_error *err);
/* Pushes IPM with the given tag (BER_UNIV(BER_SEQUENCE) or BER_CTX(0)). */
int ipms_ipm_encode(struct ber_writer *w, ber_tag_t tag, const struct ipm *m);
int ipms_ipn_encode(struct ber_writer *w, ber_tag_t tag, const struct ipn *n);

#endif
