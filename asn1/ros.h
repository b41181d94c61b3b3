/* X.880 ROSE PDUs and the X.419 bind / unbind forms (asn1/ros.asn; module
 * Remote-Operations-Generic-ROS-PDUs, IMPLICIT tags; the bind alternatives
 * [16]..[21] hold open types and so are explicit). Arguments, results and
 * error parameters stay raw slices (the whole TLV of the value) for the
 * protocol codecs (asn1/ms.h, asn1/mts.h) to decode.
 */
#ifndef X400MS_ASN1_ROS_H
#define X400MS_ASN1_ROS_H

#include "asn1/ber.h"

enum ros_type {
    ROS_INVOKE = 1,
    ROS_RETURN_RESULT = 2,
    ROS_RETURN_ERROR = 3,
    ROS_REJECT = 4,
    ROS_BIND_INVOKE = 16,      /* X.419 / X.881 Bind and Unbind */
    ROS_BIND_RESULT = 17,
    ROS_BIND_ERROR = 18,
    ROS_UNBIND_INVOKE = 19,
    ROS_UNBIND_RESULT = 20,
    ROS_UNBIND_ERROR = 21,
};

/* Code ::= CHOICE { local INTEGER, global OBJECT IDENTIFIER } */
struct ros_code {
    bool global;
    int64_t local;
    struct ber_slice oid;      /* contents, when global */
};

/* Reject problem kinds (Reject.problem alternatives, X.880 11.3). */
enum ros_problem_kind {
    ROS_PROBLEM_GENERAL = 0,
    ROS_PROBLEM_INVOKE = 1,
    ROS_PROBLEM_RETURN_RESULT = 2,
    ROS_PROBLEM_RETURN_ERROR = 3,
};
/* GeneralProblem */
#define ROS_GP_UNRECOGNIZED_PDU 0
#define ROS_GP_MISTYPED_PDU 1
#define ROS_GP_BADLY_STRUCTURED_PDU 2
/* InvokeProblem */
#define ROS_IP_DUPLICATE_INVOCATION 0
#define ROS_IP_UNRECOGNIZED_OPERATION 1
#define ROS_IP_MISTYPED_ARGUMENT 2
#define ROS_IP_RESOURCE_LIMITATION 3
#define ROS_IP_RELEASE_IN_PROGRESS 4
#define ROS_IP_UNRECOGNIZED_LINKED_ID 5
#define ROS_IP_LINKED_RESPONSE_UNEXPECTED 6
#define ROS_IP_UNEXPECTED_LINKED_OPERATION 7
/* ReturnResultProblem / ReturnErrorProblem */
#define ROS_RRP_UNRECOGNIZED_INVOCATION 0
#define ROS_RRP_RESULT_RESPONSE_UNEXPECTED 1
#define ROS_RRP_MISTYPED_RESULT 2
#define ROS_REP_UNRECOGNIZED_INVOCATION 0
#define ROS_REP_ERROR_RESPONSE_UNEXPECTED 1
#define ROS_REP_UNRECOGNIZED_ERROR 2
#define ROS_REP_UNEXPECTED_ERROR 3
#define ROS_REP_MISTYPED_PARAMETER 4

struct ros_pdu {
    enum ros_type type;
    /* InvokeId ::= CHOICE { present INTEGER, absent NULL } */
    bool invoke_id_absent;
    int64_t invoke_id;
    /* Invoke.linkedId [0] present (or [1] absent NULL) */
    bool has_linked_id;
    bool linked_id_absent;
    int64_t linked_id;
    /* Invoke opcode; ReturnResult result.opcode (when has_result) */
    struct ros_code opcode;
    bool has_result;                   /* ReturnResult: result SEQUENCE present */
    struct ros_code errcode;           /* ReturnError */
    /* Invoke argument, ReturnResult result, ReturnError parameter, or the
     * value of a bind/unbind alternative: the whole TLV. */
    bool has_argument;
    struct ber_slice argument;
    /* Reject */
    enum ros_problem_kind problem_kind;
    int64_t problem;
};

/* Decodes one ROS PDU (the whole buffer). */
int ros_decode(const uint8_t *buf, size_t len, struct ros_pdu *pdu, struct ber_error *err);
/* Same over a TLV already located by the caller (e.g. inside an EXTERNAL). */
int ros_decode_tlv(struct ber_ctx *c, const struct ber_tlv *t, struct ros_pdu *pdu);

/* Prepends the PDU (argument copied from pdu->argument when has_argument). */
int ros_encode(struct ber_writer *w, const struct ros_pdu *pdu);
/* Zero-copy: the argument / result / parameter / bind value is what was
 * pushed since mark (nothing pushed = absent where it is optional). */
int ros_encode_after(struct ber_writer *w, const struct ros_pdu *pdu, ber_mark_t mark);

const char *ros_type_name(enum ros_type type); /* "invoke", "bind-invoke" ... */

#endif
