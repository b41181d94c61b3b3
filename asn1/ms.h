/* X.413 Message Store abstract service codec (P7).
 *
 * Implements asn1/ms.asn (X.413 MSAbstractService, EXPLICIT tags: every
 * [n] wraps its value; Fetch precise [2] 3 is A2 03 02 01 03). Serves the
 * 1988 and 1994 forms: 94-only members are optional fields here, and the
 * 94 CHOICE forms of Delete/Register-MS results are told apart from the 88
 * NULL. Types imported from X.411 (ORName, Credentials, submission
 * envelope) keep X.411's IMPLICIT tagging (asn1/mts.h).
 *
 * Decoders allocate nothing; lists are struct mhs_seq iterated lazily with
 * the *_next() functions (a ListResult of N entries costs one header pass
 * until entries are iterated). Attribute values are kept raw (whole TLV):
 * only the server's attribute table knows their syntax. Encoders take
 * either an array (when its pointer is non-NULL) or a raw mhs_seq, omit
 * DEFAULT values and emit SET members in tag order.
 */
#ifndef X400MS_ASN1_MS_H
#define X400MS_ASN1_MS_H

#include <stdbool.h>
#include <stdint.h>

#include "asn1/ber.h"
#include "asn1/mhs.h"
#include "asn1/mts.h"
#include "asn1/orname.h"

/* ROSE operation and error codes (X.413 / MSAccessProtocol). */
enum ms_opcode {
    MS_OP_SUBMISSION_CONTROL = 2, MS_OP_MESSAGE_SUBMISSION = 3, MS_OP_PROBE_SUBMISSION = 4,
    MS_OP_CANCEL_DEFERRED_DELIVERY = 7,
    MS_OP_SUMMARIZE = 20, MS_OP_LIST = 21, MS_OP_FETCH = 22, MS_OP_DELETE = 23,
    MS_OP_REGISTER_MS = 24, MS_OP_ALERT = 25, MS_OP_MODIFY = 26,
};
enum ms_errcode {
    MS_ERR_ATTRIBUTE = 21, MS_ERR_AUTO_ACTION_REQUEST = 22, MS_ERR_DELETE = 23,
    MS_ERR_FETCH_RESTRICTION = 24, MS_ERR_RANGE = 25, MS_ERR_SECURITY = 26, MS_ERR_SERVICE = 27,
    MS_ERR_SEQUENCE_NUMBER = 28, MS_ERR_INVALID_PARAMETERS = 29, MS_ERR_MESSAGE_GROUP = 30,
    MS_ERR_MS_EXTENSION = 31, MS_ERR_REGISTER_MS = 32, MS_ERR_MODIFY = 33, MS_ERR_ENTRY_CLASS = 34,
    MS_ERR_MTS_SECURITY = 12, /* security-error as X.411 numbers it: accept both */
};

enum ms_entry_class { MS_EC_DELIVERY = 0, MS_EC_SUBMISSION = 1, MS_EC_DRAFT = 2 };

#define MS_UB_MESSAGES 2147483647
#define MS_UB_LIST 1000000u        /* our bound on the elements of one list */
#define MS_FILTER_MAX_DEPTH 32

/* A SET OF OBJECT IDENTIFIER (auto-action types, attribute types, ...):
 * arr (encode) when non-NULL, else raw. present says the OPTIONAL member is
 * there (an empty SET may be present). */
struct ms_oid_list {
    bool present;
    struct mhs_seq raw;                  /* elements: OID TLVs */
    const struct ber_slice *arr;         /* encode: OID contents octets */
    uint32_t n;
};
/* 1 and the next OID's contents octets, 0 at the end, < 0 on error. */
int ms_oid_next(struct mhs_seq_iter *i, struct ber_slice *oid);
/* A list of SequenceNumber / INTEGER. */
struct ms_int_list {
    bool present;
    struct mhs_seq raw;
    const int64_t *arr;
    uint32_t n;
};
int ms_int_next(struct mhs_seq_iter *i, int64_t *v);

/* ---- bind (X.413 8.1) ---------------------------------------------------- */

struct ms_bind_arg {
    struct or_address initiator_name;
    struct mts_credentials credentials;       /* [2] */
    struct ber_slice security_context;        /* [3] IMPLICIT: whole TLV, raw */
    struct ber_slice fetch_restrictions;      /* [4]: the Restrictions TLV inside, raw */
    bool ms_configuration_request;            /* [5] DEFAULT FALSE */
    struct mhs_str ua_registration_id;        /* [6] 94 */
    struct ber_slice bind_extensions;         /* [7] 94: MSExtensions TLV inside, raw */
};
int ms_bind_arg_decode(struct ber_slice in, struct ms_bind_arg *a, struct ber_error *err);
int ms_bind_arg_encode(struct ber_writer *w, const struct ms_bind_arg *a);

struct ms_bind_result {
    struct mts_credentials credentials;       /* [2] */
    struct ms_oid_list available_auto_actions;   /* [3] */
    struct ms_oid_list available_attribute_types;/* [4] */
    bool alert_indication;                    /* [5] DEFAULT FALSE */
    struct ms_oid_list content_types_supported;  /* [6] */
    struct ms_int_list entry_classes_supported;  /* [7] 94 */
    struct ms_oid_list matching_rules_supported; /* [8] 94 */
    struct ber_slice bind_result_extensions;  /* [9] 94, inner TLV raw */
    bool has_message_group_depth;
    int64_t message_group_depth;              /* [10] 94 */
    struct ber_slice auto_action_error_indication; /* [11] 94, inner TLV raw */
    struct ms_oid_list unsupported_extensions;/* [12] 94 */
    bool ua_registration_id_unknown;          /* [13] 94, DEFAULT FALSE */
    struct ber_slice service_information;     /* [14] 94, inner GeneralString TLV raw */
};
int ms_bind_result_decode(struct ber_slice in, struct ms_bind_result *r, struct ber_error *err);
int ms_bind_result_encode(struct ber_writer *w, const struct ms_bind_result *r);

enum ms_bind_problem {
    MS_BIND_AUTHENTICATION_ERROR = 0, MS_BIND_UNACCEPTABLE_SECURITY_CONTEXT = 1,
    MS_BIND_UNABLE_TO_ESTABLISH_ASSOCIATION = 2, MS_BIND_EXTENSION_PROBLEM = 3,
    MS_BIND_INADEQUATE_ASSOCIATION_CONFIDENTIALITY = 4,
};
struct ms_bind_error {
    bool qualified;                           /* 94 qualified-error SET */
    int problem;
    struct ber_slice supplementary_information; /* [1] GeneralString contents */
    struct ber_slice bind_extension_errors;   /* [2] inner TLV raw */
};
int ms_bind_error_decode(struct ber_slice in, struct ms_bind_error *e, struct ber_error *err);
int ms_bind_error_encode(struct ber_writer *w, const struct ms_bind_error *e);

/* ---- common data types ------------------------------------------------------ */

enum ms_range_kind { MS_RANGE_NONE = 0, MS_RANGE_SEQUENCE_NUMBER = 1, MS_RANGE_CREATION_TIME = 2 };
struct ms_selector {
    bool child_entries;                       /* [0] DEFAULT FALSE */
    enum ms_range_kind range;                 /* [1] */
    bool has_from, has_to;
    int64_t from_seq, to_seq;                 /* sequence-number-range */
    struct mhs_time from_time, to_time;       /* creation-time-range */
    struct ber_slice filter;                  /* [2]: the Filter TLV inside, raw (validated) */
    bool has_limit;
    int64_t limit;                            /* [3] */
    bool has_override;
    uint32_t override;                        /* [4] bits */
};
int ms_selector_encode(struct ber_writer *w, const struct ms_selector *s);

/* Filter (X.413 8.2.1.1.1.3): one level, for the store's matcher to walk. */
enum ms_filter_kind { MS_FILTER_ITEM = 0, MS_FILTER_AND = 1, MS_FILTER_OR = 2, MS_FILTER_NOT = 3 };
enum ms_filter_item_kind {
    MS_FI_EQUALITY = 0, MS_FI_SUBSTRINGS = 1, MS_FI_GREATER_OR_EQUAL = 2, MS_FI_LESS_OR_EQUAL = 3,
    MS_FI_PRESENT = 4, MS_FI_APPROXIMATE_MATCH = 5, MS_FI_OTHER_MATCH = 6,
};
struct ms_filter {
    enum ms_filter_kind kind;
    struct mhs_seq subfilters;                /* and / or: Filter TLVs */
    struct ber_slice sub;                     /* not: the Filter TLV */
    enum ms_filter_item_kind item;
    struct ber_slice type;                    /* attribute type OID */
    struct ber_slice value;                   /* value TLV (equality, ordering, approximate, other) */
    struct mhs_seq substrings;                /* substrings: [0]/[1]/[2] wrappers, value inside */
    struct ber_slice matching_rule;           /* other-match */
};
/* Decodes one Filter level from its TLV (e.g. ms_selector.filter). */
int ms_filter_decode(struct ber_slice filter_tlv, struct ms_filter *f, struct ber_error *err);

struct ms_attr_selection {
    struct ber_slice type;
    bool has_from, has_count;
    int64_t from, count;
};
int ms_attr_selection_next(struct mhs_seq_iter *i, struct ms_attr_selection *s);
int ms_attr_selection_encode(struct ber_writer *w, const struct ms_attr_selection *s);

/* Attribute ::= SEQUENCE { type, values SEQUENCE OF value } (values raw). */
struct ms_attribute {
    struct ber_slice type;
    struct mhs_seq values;                    /* decode: value TLVs */
    const struct ber_slice *value_array;      /* encode: whole value TLVs, when non-NULL */
    uint32_t n_value_array;
};
int ms_attribute_next(struct mhs_seq_iter *i, struct ms_attribute *a);
int ms_attribute_encode(struct ber_writer *w, const struct ms_attribute *a);

struct ms_entry_info {
    int64_t sequence_number;
    bool has_attributes;
    struct mhs_seq attributes;                /* Attribute TLVs */
    const struct ms_attribute *attribute_array; /* encode, when non-NULL */
    uint32_t n_attribute_array;
    struct ber_slice value_count_exceeded;    /* [0] 94: inner TLV raw */
};
int ms_entry_info_next(struct mhs_seq_iter *i, struct ms_entry_info *e);
int ms_entry_info_decode_tlv(struct ber_ctx *c, const struct ber_tlv *t, struct ms_entry_info *e);
int ms_entry_info_encode(struct ber_writer *w, const struct ms_entry_info *e);

/* ---- retrieval operations (X.413 8.2) ----------------------------------------- */

struct ms_summarize_arg {
    int64_t entry_class;                      /* [0] DEFAULT delivery */
    struct ms_selector selector;              /* [1] */
    struct ms_oid_list summary_requests;      /* [2] SEQUENCE OF */
    struct ber_slice extensions;              /* [3] 94, raw */
};
int ms_summarize_arg_decode(struct ber_slice in, struct ms_summarize_arg *a, struct ber_error *err);
int ms_summarize_arg_encode(struct ber_writer *w, const struct ms_summarize_arg *a);

struct ms_summarize_result {
    bool has_next;
    int64_t next;                             /* [0] */
    int64_t count;                            /* [1] */
    bool has_span;
    int64_t lowest, highest;                  /* [2] */
    struct ber_slice summaries;               /* [3]: SEQUENCE OF Summary TLV inside, raw */
    struct ber_slice extensions;              /* [4] 94, raw */
};
int ms_summarize_result_decode(struct ber_slice in, struct ms_summarize_result *r, struct ber_error *err);
int ms_summarize_result_encode(struct ber_writer *w, const struct ms_summarize_result *r);

struct ms_list_arg {
    int64_t entry_class;                      /* [0] DEFAULT delivery */
    struct ms_selector selector;              /* [1] */
    bool has_requested_attributes;
    struct mhs_seq requested_attributes;      /* [3] AttributeSelection TLVs */
    const struct ms_attr_selection *requested_array; /* encode, when non-NULL */
    uint32_t n_requested_array;
    struct ber_slice extensions;              /* [4] 94, raw */
};
int ms_list_arg_decode(struct ber_slice in, struct ms_list_arg *a, struct ber_error *err);
int ms_list_arg_encode(struct ber_writer *w, const struct ms_list_arg *a);

struct ms_list_result {
    bool has_next;
    int64_t next;                             /* [0] */
    bool has_requested;
    struct mhs_seq requested;                 /* [1] EntryInformation TLVs */
    const struct ms_entry_info *requested_array; /* encode, when non-NULL */
    uint32_t n_requested_array;
    struct ber_slice extensions;              /* [2] 94, raw */
};
int ms_list_result_decode(struct ber_slice in, struct ms_list_result *r, struct ber_error *err);
int ms_list_result_encode(struct ber_writer *w, const struct ms_list_result *r);

struct ms_fetch_arg {
    int64_t entry_class;                      /* [0] DEFAULT delivery */
    bool precise;                             /* item: precise [2] / search [1] */
    int64_t sequence_number;
    struct ms_selector search;
    bool has_requested_attributes;
    struct mhs_seq requested_attributes;      /* [3] */
    const struct ms_attr_selection *requested_array;
    uint32_t n_requested_array;
    struct ber_slice extensions;              /* [4] 94, raw */
};
int ms_fetch_arg_decode(struct ber_slice in, struct ms_fetch_arg *a, struct ber_error *err);
int ms_fetch_arg_encode(struct ber_writer *w, const struct ms_fetch_arg *a);

struct ms_fetch_result {
    bool has_entry;
    struct ms_entry_info entry;               /* [0] */
    struct ms_int_list list;                  /* [1] SEQUENCE OF SequenceNumber */
    bool has_next;
    int64_t next;                             /* [2] */
    struct ber_slice extensions;              /* [3] 94, raw */
};
int ms_fetch_result_decode(struct ber_slice in, struct ms_fetch_result *r, struct ber_error *err);
int ms_fetch_result_encode(struct ber_writer *w, const struct ms_fetch_result *r);

struct ms_delete_arg {
    int64_t entry_class;                      /* [0] DEFAULT delivery */
    bool by_selector;                         /* items: selector [1] / sequence-numbers [2] */
    struct ms_selector selector;
    struct ms_int_list sequence_numbers;      /* SET OF */
    struct ber_slice extensions;              /* [3] 94, raw */
};
int ms_delete_arg_decode(struct ber_slice in, struct ms_delete_arg *a, struct ber_error *err);
int ms_delete_arg_encode(struct ber_writer *w, const struct ms_delete_arg *a);

struct ms_delete_result {
    bool is_94;                               /* false: delete-result-88 NULL */
    struct ms_int_list entries_deleted;       /* [0] */
    struct ber_slice extensions;              /* [1], raw */
};
int ms_delete_result_decode(struct ber_slice in, struct ms_delete_result *r, struct ber_error *err);
int ms_delete_result_encode(struct ber_writer *w, const struct ms_delete_result *r);

struct ms_auto_action_registration {
    struct ber_slice type;                    /* auto-action-type OID */
    int64_t registration_id;                  /* [0] DEFAULT 1 */
    struct ber_slice parameter;               /* [1]: the parameter TLV inside, raw */
};
int ms_auto_action_registration_next(struct mhs_seq_iter *i, struct ms_auto_action_registration *r);
int ms_auto_action_registration_encode(struct ber_writer *w, const struct ms_auto_action_registration *r);

struct ms_register_arg {
    bool has_registrations;
    struct mhs_seq registrations;             /* [0] AutoActionRegistration TLVs */
    const struct ms_auto_action_registration *registration_array;
    uint32_t n_registration_array;
    bool has_deregistrations;
    struct mhs_seq deregistrations;           /* [1] SEQUENCE { type, [0] id } TLVs */
    struct ms_oid_list list_attribute_defaults;   /* [2] */
    struct ms_oid_list fetch_attribute_defaults;  /* [3] */
    bool has_change_credentials;
    struct mts_credentials old_credentials, new_credentials; /* [4] { [0], [1] } */
    struct ber_slice user_security_labels;    /* [5] inner, raw */
    struct ber_slice ua_registrations;        /* [6] 94, raw */
    struct ber_slice submission_defaults;     /* [7] 94, raw */
    struct ber_slice message_group_registrations; /* [8] 94, raw */
    struct ber_slice registration_status_request; /* [9] 94, raw */
    struct ber_slice extensions;              /* [10] 94, raw */
};
int ms_register_arg_decode(struct ber_slice in, struct ms_register_arg *a, struct ber_error *err);
int ms_register_arg_encode(struct ber_writer *w, const struct ms_register_arg *a);
/* AutoActionDeregistration: type and [0] registration-identifier DEFAULT 1. */
int ms_deregistration_next(struct mhs_seq_iter *i, struct ber_slice *type, int64_t *registration_id);

struct ms_register_result {
    bool is_94;                               /* false: no-status-information NULL */
    struct ber_slice registered_information;  /* 94: the SET TLV, raw */
};
int ms_register_result_decode(struct ber_slice in, struct ms_register_result *r, struct ber_error *err);
int ms_register_result_encode(struct ber_writer *w, const struct ms_register_result *r);

struct ms_alert_arg {
    int64_t registration_id;                  /* [0] */
    bool has_new_entry;
    struct ms_entry_info new_entry;           /* [2] */
};
int ms_alert_arg_decode(struct ber_slice in, struct ms_alert_arg *a, struct ber_error *err);
int ms_alert_arg_encode(struct ber_writer *w, const struct ms_alert_arg *a);
/* AlertResult, and any other NULL result/parameter. */
int ms_null_decode(struct ber_slice in, struct ber_error *err);
int ms_null_encode(struct ber_writer *w);

enum ms_modification_kind {
    MS_MOD_ADD_ATTRIBUTE = 1, MS_MOD_REMOVE_ATTRIBUTE = 2, MS_MOD_ADD_VALUES = 3,
    MS_MOD_REMOVE_VALUES = 4,
};
struct ms_modification {
    bool strict;                              /* [0] DEFAULT FALSE */
    enum ms_modification_kind kind;
    struct ms_attribute attribute;            /* add-attribute */
    struct ber_slice type;                    /* remove-attribute OID */
    struct ber_slice ordered_attribute;       /* add/remove-values: OrderedAttribute TLV, raw */
};
int ms_modification_next(struct mhs_seq_iter *i, struct ms_modification *m);
int ms_modification_encode(struct ber_writer *w, const struct ms_modification *m);

struct ms_modify_arg {                        /* 94 only */
    int64_t entry_class;                      /* [0] DEFAULT delivery */
    bool by_selector;                         /* entries: selector [1] / specific-entries [2] */
    struct ms_selector selector;
    struct ms_int_list specific_entries;
    struct mhs_seq modifications;             /* [3] EntryModification TLVs */
    const struct ms_modification *modification_array;
    uint32_t n_modification_array;
    struct ber_slice extensions;              /* [4], raw */
};
int ms_modify_arg_decode(struct ber_slice in, struct ms_modify_arg *a, struct ber_error *err);
int ms_modify_arg_encode(struct ber_writer *w, const struct ms_modify_arg *a);

struct ms_modify_result {
    struct ms_int_list entries_modified;      /* [0] */
    struct ber_slice extensions;              /* [1], raw */
};
int ms_modify_result_decode(struct ber_slice in, struct ms_modify_result *r, struct ber_error *err);
int ms_modify_result_encode(struct ber_writer *w, const struct ms_modify_result *r);

/* ---- MS submission (X.413 8.3) ------------------------------------------------ */

struct ms_submission_arg {
    struct mts_submission_arg mts;            /* envelope + content (X.411, IMPLICIT) */
    struct ber_slice submission_options;      /* [4] 94: MSSubmissionOptions TLV inside, raw */
};
int ms_submission_arg_decode(struct ber_slice in, struct ms_submission_arg *a, struct ber_error *err);
int ms_submission_arg_encode(struct ber_writer *w, const struct ms_submission_arg *a);

struct ms_submission_result {
    bool store_draft;                         /* 94 store-draft-result [4] */
    struct mts_submission_result mts;         /* mts-result (ms_result = 94 [4] raw) */
    struct ber_slice draft_result;            /* store-draft: CommonSubmissionResults TLV inside */
};
int ms_submission_result_decode(struct ber_slice in, struct ms_submission_result *r,
                                struct ber_error *err);
int ms_submission_result_encode(struct ber_writer *w, const struct ms_submission_result *r);

/* ---- abstract-error parameters (X.413 8.4) ------------------------------------- */

/* One element of the problem lists of attribute-error, auto-action-request-
 * error, delete-error, fetch-restriction-error and sequence-number-error. */
struct ms_problem {
    int64_t problem;
    struct ber_slice type;                    /* attribute / auto-action type OID */
    struct ber_slice value;                   /* attribute-error value TLV, fetch-restriction TLV */
    int64_t sequence_number;                  /* delete / sequence-number errors, -1 absent */
};
/* Problem-list errors: decoded into the caller's array of `max` problems
 * (X400MS_ELIMIT past it). code selects the parameter type. */
struct ms_problem_error {
    int code;                                 /* MS_ERR_ATTRIBUTE ... */
    struct ms_problem *problems;
    uint32_t n_problems, max_problems;
    struct ms_int_list entries_deleted;       /* delete-error [1] 94 */
};
int ms_problem_error_decode(struct ber_slice in, struct ms_problem_error *e, struct ber_error *err);
int ms_problem_error_encode(struct ber_writer *w, const struct ms_problem_error *e);

/* The single-problem errors. */
struct ms_simple_error {
    int code;              /* MS_ERR_RANGE, MS_ERR_SERVICE, MS_ERR_ENTRY_CLASS, MS_ERR_MODIFY,
                              MS_ERR_MESSAGE_GROUP, MS_ERR_REGISTER_MS, MS_ERR_MS_EXTENSION,
                              MS_ERR_INVALID_PARAMETERS */
    int64_t problem;       /* range, service, modify, message-group, register-ms */
    uint32_t problem_bits; /* entry-class-error BIT STRING */
    int64_t entry_class;   /* entry-class-error */
    struct ber_slice supplementary_information; /* service-error [1] GeneralString contents */
    int64_t failing_entry, modification_number;  /* modify-error */
    struct ms_int_list entries_modified;         /* modify-error [0] */
    struct ber_slice raw;  /* message-group name, registration-type, ms-extension-error:
                              the inner TLV, raw */
};
int ms_simple_error_decode(struct ber_slice in, struct ms_simple_error *e, struct ber_error *err);
int ms_simple_error_encode(struct ber_writer *w, const struct ms_simple_error *e);

#endif
