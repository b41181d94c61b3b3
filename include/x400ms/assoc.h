/* x400ms public API: OSI associations, as a protocol module (P7, P3, a test
 * echo module) sees them.
 *
 * The core's OSI stack (core/osi: session X.225, presentation X.226, ACSE
 * X.227, ROSE X.880, and RTSE X.228 through the "rtse" module) turns
 * transport connections into associations. A protocol module never sees an
 * SPDU or a PPDU: it registers the application contexts it serves and gets
 * typed events (bind, invoke, unbind, released, aborted); it answers with
 * calls (bind result/error, reply, error, reject, invoke, release, abort).
 *
 * Responder side: a peer connects to a listener whose transport user is
 * "osi"; the AARQ names an application context; the module that registered
 * that context gets the bind; its answer goes into the AARE.
 *
 * Initiator side: x400ms_assoc_connect() connects out through a transport
 * service ("rfc1006", "tls"), sends the AARQ and reports the AARE.
 *
 * Threading: an association lives on one loop thread (DESIGN.md 5). Every
 * callback runs on that thread and every x400ms_assoc_* call below must be
 * made on it (use x400ms_loop_post(x400ms_assoc_loop(a), ...) from elsewhere,
 * e.g. after a store job finished). Calls made after the association ended
 * are impossible by construction: the handle dies after released/aborted.
 *
 * Bytes handed to callbacks (arguments, results, parameters) point into the
 * received PDU and are valid only during the callback: copy what you keep.
 * Bytes handed to the calls are copied (or sent) before the call returns. */
#ifndef X400MS_ASSOC_H
#define X400MS_ASSOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "x400ms/core.h"
#include "x400ms/error.h"
#include "x400ms/loop.h"

struct x400ms_assoc;

/* A run of bytes (a complete BER value unless said otherwise). ptr may be
 * NULL when len is 0: "absent". Same layout as asn1/ber.h's ber_slice. */
struct x400ms_bytes {
    const uint8_t *ptr;
    size_t len;
};
#define X400MS_BYTES(p, n) ((struct x400ms_bytes){ (const uint8_t *)(p), (n) })
#define X400MS_NO_BYTES ((struct x400ms_bytes){ NULL, 0 })

/* ------------------------------------------------------------------ */
/* Application contexts                                                */
/* ------------------------------------------------------------------ */

/* Roles of an abstract syntax inside an application context. */
enum x400ms_as_flags {
    /* Carries the bind and unbind (X.419: the EXTERNAL in the AARQ/AARE and
     * RLRQ/RLRE user information names its presentation context). Exactly
     * one syntax of a context has it (for reliable contexts: the RTSE one). */
    X400MS_AS_BIND = 1u << 0,
    /* Carries the RTSE APDUs (reliable contexts: id-as-ms-rtse,
     * id-as-mts-rtse, 2.999.1.2 for the test echo); ROSE APDUs travel inside
     * its RTTR APDUs (X.228 normal mode). */
    X400MS_AS_RTSE = 1u << 1,
    /* The association is refused (CPR, "no common abstract syntax") when
     * the initiator does not offer it. Syntaxes without the flag are
     * accepted when offered and simply unused otherwise. */
    X400MS_AS_REQUIRED = 1u << 2,
};

/* An abstract syntax of the context, by dotted OID text ("2.6.0.2.5").
 * The ACSE syntax 2.2.1.0.1 is implied and never listed. */
struct x400ms_abstract_syntax {
    const char *oid;
    unsigned flags; /* enum x400ms_as_flags */
};

/* ROSE problem codes (X.880 Reject), grouped as in the standard; the value
 * is (group << 8) | problem. */
enum x400ms_rose_problem {
    X400MS_ROSE_GENERAL_UNRECOGNIZED_PDU = 0x000,
    X400MS_ROSE_GENERAL_MISTYPED_PDU = 0x001,
    X400MS_ROSE_GENERAL_BADLY_STRUCTURED_PDU = 0x002,
    X400MS_ROSE_INVOKE_DUPLICATE_INVOCATION = 0x100,
    X400MS_ROSE_INVOKE_UNRECOGNIZED_OPERATION = 0x101,
    X400MS_ROSE_INVOKE_MISTYPED_ARGUMENT = 0x102,
    X400MS_ROSE_INVOKE_RESOURCE_LIMITATION = 0x103,
    X400MS_ROSE_INVOKE_RELEASE_IN_PROGRESS = 0x104,
    X400MS_ROSE_INVOKE_UNRECOGNIZED_LINKED_ID = 0x105,
    X400MS_ROSE_INVOKE_LINKED_RESPONSE_UNEXPECTED = 0x106,
    X400MS_ROSE_INVOKE_UNEXPECTED_LINKED_OPERATION = 0x107,
    X400MS_ROSE_RESULT_UNRECOGNIZED_INVOCATION = 0x200,
    X400MS_ROSE_RESULT_RESULT_RESPONSE_UNEXPECTED = 0x201,
    X400MS_ROSE_RESULT_MISTYPED_RESULT = 0x202,
    X400MS_ROSE_ERROR_UNRECOGNIZED_INVOCATION = 0x300,
    X400MS_ROSE_ERROR_ERROR_RESPONSE_UNEXPECTED = 0x301,
    X400MS_ROSE_ERROR_UNRECOGNIZED_ERROR = 0x302,
    X400MS_ROSE_ERROR_UNEXPECTED_ERROR = 0x303,
    X400MS_ROSE_ERROR_MISTYPED_PARAMETER = 0x304,
};

/* The bind, as the AARQ carried it (X.419: ROS bind-invoke [16], or for
 * reliable contexts the RTORQ's connectionDataRQ open [0]). */
struct x400ms_bind_request {
    const char *context_oid;        /* the application context, dotted text */
    struct x400ms_bytes argument;   /* BER of the bind argument (e.g. MSBindArgument); may be absent */
    struct x400ms_bytes calling_ap_title; /* raw AARQ fields, may be absent */
    struct x400ms_bytes called_ap_title;
};

/* An operation the peer invoked (X.880 Invoke). */
struct x400ms_invoke {
    int64_t invoke_id;
    bool has_linked_id;
    int64_t linked_id;
    int64_t opcode;                 /* local opcode (X.400 uses local codes only) */
    struct x400ms_bytes argument;   /* BER of the argument; absent if none */
    const char *abstract_syntax;    /* OID text of the presentation context it came on */
};

/* How an operation the module invoked ended. */
enum x400ms_outcome_kind {
    X400MS_OUTCOME_RESULT = 1,  /* returnResult: result (may be absent) */
    X400MS_OUTCOME_ERROR = 2,   /* returnError: errcode + parameter */
    X400MS_OUTCOME_REJECT = 3,  /* the peer rejected the invoke: problem */
    X400MS_OUTCOME_ENDED = 4,   /* the association ended before an answer */
};
struct x400ms_outcome {
    enum x400ms_outcome_kind kind;
    int64_t invoke_id;
    int64_t opcode;
    struct x400ms_bytes result;     /* RESULT */
    int64_t errcode;                /* ERROR */
    struct x400ms_bytes parameter;  /* ERROR */
    enum x400ms_rose_problem problem; /* REJECT */
};

/* Why an association ended without an orderly release. */
enum x400ms_abort_source {
    X400MS_ABORT_PEER_USER = 1,     /* the peer's ACSE user aborted (ABRT, source user) */
    X400MS_ABORT_PEER_PROVIDER = 2, /* the peer's stack aborted (ABRT provider, ARP, session AB) */
    X400MS_ABORT_LOCAL = 3,         /* this side aborted (x400ms_assoc_abort or a protocol error) */
    X400MS_ABORT_TRANSPORT = 4,     /* the transport connection went away */
    X400MS_ABORT_SHUTDOWN = 5,      /* the daemon is stopping */
};
struct x400ms_abort_info {
    enum x400ms_abort_source source;
    const char *reason;             /* one line for logs */
};

/* What a protocol module registers for one application context. The same
 * module registers one struct per context (e.g. ms-access-88 and -94). */
struct x400ms_app_context {
    size_t size;                    /* sizeof(struct x400ms_app_context) */
    const char *oid;                /* application-context-name, dotted text */
    const char *name;               /* for logs: "ms-access-88" */
    const struct x400ms_abstract_syntax *syntaxes; /* its abstract syntaxes ... */
    size_t n_syntaxes;              /* ... and their number */
    bool reliable;                  /* runs over RTSE (needs module "rtse") */
    /* Operation codes the module serves; an invoke of any other gets a ROSE
     * reject unrecognisedOperation from the core. NULL: every opcode goes to
     * invoke(). */
    const int64_t *opcodes;
    size_t n_opcodes;
    /* Invokes the peer may have outstanding at once; more get a reject
     * resourceLimitation. 0: 32. */
    unsigned max_peer_invokes;
    /* Invokes this side may have outstanding at once; x400ms_assoc_invoke
     * fails with X400MS_ELIMIT beyond. 0: 32. */
    unsigned max_own_invokes;

    /* Responder: the AARQ arrived. Return 0 and answer later (even from a
     * timer, e.g. a failed-password delay) with exactly one of
     * x400ms_assoc_bind_accept / _bind_error / _bind_reject; or return a
     * negative code to refuse at once (AARE rejected-permanent, no reason).
     * NULL: every bind is accepted with an absent result. */
    int (*bind)(void *ctx, struct x400ms_assoc *a, const struct x400ms_bind_request *req);
    /* The peer invoked an operation. Answer (now or later) with exactly one
     * of x400ms_assoc_reply / _error / _reject for inv->invoke_id. */
    void (*invoke)(void *ctx, struct x400ms_assoc *a, const struct x400ms_invoke *inv);
    /* The peer asks for an orderly release (RLRQ; argument: the unbind
     * argument if an unbind-invoke came with it). The core answers with an
     * RLRE (with unbind-result when an unbind-invoke came) after this
     * returns; released() follows. Optional. */
    void (*unbind)(void *ctx, struct x400ms_assoc *a, struct x400ms_bytes argument);
    /* The association ended in an orderly release (either side asked).
     * Exactly one of released/aborted is called, once, for every association
     * that got bind() (responder) or a confirmed connect (initiator); the
     * handle is invalid after it returns. Outstanding own invokes get an
     * ENDED outcome before. */
    void (*released)(void *ctx, struct x400ms_assoc *a);
    void (*aborted)(void *ctx, struct x400ms_assoc *a, const struct x400ms_abort_info *why);

    void *reserved[4];              /* zero */
};

/* Registers ac (which must live until the module's fini) under its OID
 * (x400ms_service_register(X400MS_SERVICE_APP_CONTEXT, ac->oid, ...)); ctx
 * is passed to every callback. Only during init(). Fails with
 * X400MS_EINVAL for a malformed struct (no OID, no bind syntax, a reliable
 * context without an RTSE syntax), X400MS_EEXIST for a context already
 * registered. */
int x400ms_app_context_register(struct x400ms_core *core, const struct x400ms_app_context *ac,
                                void *ctx, struct x400ms_error *err);

/* ------------------------------------------------------------------ */
/* The association handle                                              */
/* ------------------------------------------------------------------ */

/* "127.0.0.1:40112" (the transport peer), for log lines. */
const char *x400ms_assoc_peer(const struct x400ms_assoc *a);
/* The negotiated application context. */
const struct x400ms_app_context *x400ms_assoc_context(const struct x400ms_assoc *a);
/* The loop the association lives on. */
struct x400ms_loop *x400ms_assoc_loop(const struct x400ms_assoc *a);
/* True on the side that sent the AARQ. */
bool x400ms_assoc_is_initiator(const struct x400ms_assoc *a);
/* The module's per-association pointer (NULL until set). */
void x400ms_assoc_set_user(struct x400ms_assoc *a, void *user);
void *x400ms_assoc_user(const struct x400ms_assoc *a);

/* Responder's answers to bind(). Each returns 0, or X400MS_ESTATE when the
 * bind was already answered (or the association is gone: impossible while
 * the module keeps to the released/aborted contract).
 *  accept: AARE accepted with bind-result (result may be absent);
 *  error:  AARE rejected-permanent (acse-service-user null) with bind-error
 *          carrying parameter (e.g. an X.413 AuthenticationError value); the
 *          association ends: aborted() is NOT called (bind() had no success);
 *  reject: AARE rejected-permanent with the acse-service-user diagnostic
 *          `diagnostic` (X.227: 1 no-reason-given, 2 application-context-
 *          name-not-supported, 3 calling-AP-title-not-recognized ...). */
int x400ms_assoc_bind_accept(struct x400ms_assoc *a, struct x400ms_bytes result);
int x400ms_assoc_bind_error(struct x400ms_assoc *a, struct x400ms_bytes parameter);
int x400ms_assoc_bind_reject(struct x400ms_assoc *a, int diagnostic);

/* Answers to an invoke of the peer (returnResult / returnError / Reject).
 * X400MS_ENOENT: no such invoke outstanding (already answered). */
int x400ms_assoc_reply(struct x400ms_assoc *a, int64_t invoke_id, struct x400ms_bytes result);
int x400ms_assoc_error(struct x400ms_assoc *a, int64_t invoke_id, int64_t errcode,
                       struct x400ms_bytes parameter);
int x400ms_assoc_reject(struct x400ms_assoc *a, int64_t invoke_id, enum x400ms_rose_problem problem);

/* Invokes `opcode` on the peer (e.g. the MS's Alert on a UA): the argument
 * goes on the context of abstract syntax `syntax` (OID text; NULL: the first
 * syntax of the context that is neither bind-only nor RTSE). done(arg, a,
 * outcome) is called exactly once: result, error, reject, or ENDED when the
 * association ends first. *invoke_id_r (may be NULL) gets the invoke id.
 * X400MS_ELIMIT past max_own_invokes; X400MS_ESTATE before the bind
 * completed or during release. */
typedef void x400ms_invoke_done_fn(void *arg, struct x400ms_assoc *a,
                                   const struct x400ms_outcome *outcome);
int x400ms_assoc_invoke(struct x400ms_assoc *a, int64_t opcode, struct x400ms_bytes argument,
                        const char *syntax, x400ms_invoke_done_fn *done, void *arg,
                        int64_t *invoke_id_r);

/* Orderly release (initiator; X.419 lets only the initiator release): RLRQ
 * in a session FN; released() once the RLRE came, aborted() if the peer
 * aborts instead. `unbind`: send an unbind-invoke with this argument (absent:
 * an RLRQ without user information, what MS-unbind usually is). */
int x400ms_assoc_release(struct x400ms_assoc *a, struct x400ms_bytes unbind);

/* Abort (ACSE ABRT, source service-user, in an ARU in a session AB), then
 * the transport is closed. aborted() is called (source LOCAL) before this
 * returns. */
void x400ms_assoc_abort(struct x400ms_assoc *a, const char *reason);

/* ------------------------------------------------------------------ */
/* Initiator                                                           */
/* ------------------------------------------------------------------ */

enum x400ms_connect_status {
    X400MS_CONNECT_ACCEPTED = 0,     /* AARE accepted: the association is usable */
    X400MS_CONNECT_BIND_ERROR = 1,   /* AARE rejected with a bind-error (parameter) */
    X400MS_CONNECT_REJECTED = 2,     /* AARE rejected (diagnostic) or presentation CPR */
    X400MS_CONNECT_FAILED = 3,       /* transport/session failure, RF, timeout */
};
struct x400ms_connect_result {
    enum x400ms_connect_status status;
    struct x400ms_bytes bind_result;    /* ACCEPTED: the bind-result value, may be absent */
    struct x400ms_bytes bind_error;     /* BIND_ERROR: the bind-error parameter */
    int acse_result;                    /* AARE result: 0 accepted, 1 rejected-permanent, 2 transient */
    int acse_diagnostic_source;         /* 1 acse-service-user, 2 acse-service-provider, 0 none */
    int acse_diagnostic;                /* its value */
    int provider_reason;                /* CPR provider-reason, -1 if none */
    const char *reason;                 /* one line for logs */
};

struct x400ms_assoc_request {
    size_t size;                        /* sizeof(struct x400ms_assoc_request) */
    const char *transport;              /* "rfc1006" (default when NULL) or "tls" */
    const char *host;                   /* numeric address or name */
    int port;
    struct x400ms_bytes called_tsel, calling_tsel; /* may be absent */
    struct x400ms_bytes called_ssel, calling_ssel;
    struct x400ms_bytes called_psel, calling_psel;
    /* The context to propose, with the callbacks for what the peer does on
     * the association (invoke, released, aborted; bind is not used). It need
     * not be registered; it must outlive the association. */
    const struct x400ms_app_context *context;
    void *ctx;                          /* passed to context's callbacks */
    struct x400ms_bytes bind_argument;  /* the bind argument (e.g. MSBindArgument) */
    struct x400ms_bytes called_ap_title;/* BER of an AP-title (e.g. 06 ... form 2), may be absent */
    unsigned timeout_ms;                /* whole set-up; 0: 30000 */
    /* Called once: with a usable association (ACCEPTED) or with a = NULL
     * and why it failed. For ACCEPTED, released/aborted follow later. */
    void (*confirm)(void *ctx, struct x400ms_assoc *a, const struct x400ms_connect_result *r);
    void *reserved[4];
};

/* Starts an association on the calling loop thread (a loop thread of the
 * daemon, or a client's own loop that the core drives). Returns 0 (confirm
 * will be called, never before this returns) or a negative code with err
 * filled (no transport service of that name, bad request). */
int x400ms_assoc_connect(struct x400ms_core *core, const struct x400ms_assoc_request *req,
                         struct x400ms_error *err);

/* The OSI stack registers the transport user "osi" (called by the core at
 * start-up from core/builtin-services.c). */
int x400ms_osi_register(struct x400ms_core *core, struct x400ms_error *err);

/* ------------------------------------------------------------------ */
/* For the "rtse" module only: the reliable-transfer provider           */
/* ------------------------------------------------------------------ */

/* RTSE (X.228) sits between ACSE/presentation and ROSE for the reliable
 * contexts. The core finds the provider as the service
 * (X400MS_SERVICE_OTHER, X400MS_RTSE_SERVICE) and drives it with the events
 * below; the provider uses the session services through the x400ms_rts_*
 * calls. One provider instance state (void *rt) per association. */
#define X400MS_RTSE_SERVICE "osi-rtse"

struct x400ms_rts; /* the session/presentation services one association offers RTSE */

/* Session tokens (X.225 Token Item bits), as RTSE uses them. */
enum x400ms_rts_token {
    X400MS_RTS_TOKEN_DATA = 1u << 0,
    X400MS_RTS_TOKEN_MINOR = 1u << 2,
    X400MS_RTS_TOKEN_MAJOR = 1u << 4, /* major/activity */
    X400MS_RTS_TOKEN_RELEASE = 1u << 6,
};

/* Session events RTSE receives (X.225 indications and confirmations). */
enum x400ms_rts_event {
    X400MS_RTS_DATA = 1,          /* S-DATA: data = one presentation-data value of the RTSE syntax */
    X400MS_RTS_TOKEN_PLEASE = 2,  /* S-TOKEN-PLEASE (PT): data = its user data (RTTP) */
    X400MS_RTS_CONTROL_GIVE = 3,  /* S-CONTROL-GIVE (GTC): all tokens are ours now */
    X400MS_RTS_TOKEN_GIVE = 4,    /* S-TOKEN-GIVE (GT with tokens) */
    X400MS_RTS_ACTIVITY_START = 5,/* AS */
    X400MS_RTS_ACTIVITY_END = 6,  /* AE: the APDU is complete; RTSE confirms with x400ms_rts_activity_end_ack */
    X400MS_RTS_ACTIVITY_END_ACK = 7, /* AEA: our transfer is confirmed */
    X400MS_RTS_MINOR_SYNC = 8,    /* MIP: checkpoint (serial) */
    X400MS_RTS_MINOR_SYNC_ACK = 9,/* MIA */
    X400MS_RTS_ACTIVITY_INTERRUPT = 10, /* AI / AD: transfer cancelled */
    X400MS_RTS_ACTIVITY_INTERRUPT_ACK = 11,
    X400MS_RTS_WRITABLE = 12,     /* the transport drained what waited: send more */
};

struct x400ms_rtse_ops {
    size_t size;
    /* A new association of a reliable context. initiator: this side sends
     * the RTORQ. Returns the per-association state in *rt_r. */
    int (*attach)(void *pctx, struct x400ms_rts *s, bool initiator, void **rt_r);
    /* Responder: the user information of the AARQ on the RTSE syntax
     * (an RTORQ). Sets *bind_argument_r to the open [0] value. On a
     * malformed RTORQ returns < 0 (the core answers AARE rejected). */
    int (*open_indication)(void *rt, struct x400ms_bytes rtorq,
                           struct x400ms_bytes *bind_argument_r);
    /* Responder: builds the AARE user information: RTOAC carrying the bind
     * result (accepted) or RTORJ carrying the bind error (rejected). The
     * core frees *out_r with free(). */
    int (*open_response)(void *rt, bool accepted, struct x400ms_bytes user_data,
                         uint8_t **out_r, size_t *out_len_r);
    /* Initiator: builds the RTORQ carrying the bind argument. */
    int (*open_request)(void *rt, struct x400ms_bytes bind_argument, uint8_t **out_r,
                        size_t *out_len_r);
    /* Initiator: decodes the RTOAC/RTORJ of the AARE; *user_data_r gets the
     * open [0] / userDataRJ value. Returns 0 accepted, 1 rejected, < 0 bad. */
    int (*open_confirm)(void *rt, struct x400ms_bytes rtoac, struct x400ms_bytes *user_data_r);
    /* A ROSE APDU to transfer (RT-TRANSFER.request): queue it; it goes out
     * when RTSE holds the turn (asking for it with RTTP if needed). */
    int (*transfer)(void *rt, struct x400ms_bytes apdu);
    /* A session event (see enum); data may be absent. Returns < 0 on a
     * protocol error (the core aborts the association with a log line). */
    int (*event)(void *rt, enum x400ms_rts_event ev, struct x400ms_bytes data);
    /* The association ended; free rt. */
    void (*detach)(void *rt);
    /* RT-CLOSE (X.228 7.4: only the turn holder releases): 1 when the turn
     * is here and nothing is in flight (the core sends the FN at once); 0
     * when the provider went to get the turn: it calls
     * x400ms_rts_close_ready() once it has it and its queue is empty. */
    int (*close_request)(void *rt);
    void *reserved[3];
};

/* Services for the provider (all on the association's loop thread). */
/* Hands a received, complete APDU (the RTTR contents) up to ROSE. */
int x400ms_rts_deliver(struct x400ms_rts *s, struct x400ms_bytes apdu);
/* Sends an RTSE APDU as P-DATA on the RTSE presentation context, inside an
 * S-DATA (DT), an S-TOKEN-PLEASE (PT; tokens = X400MS_RTS_TOKEN_*) or, for
 * give_control, a GTC (data must then be absent). */
int x400ms_rts_send_data(struct x400ms_rts *s, struct x400ms_bytes apdu);
int x400ms_rts_please_tokens(struct x400ms_rts *s, unsigned tokens, struct x400ms_bytes apdu);
int x400ms_rts_give_control(struct x400ms_rts *s);
int x400ms_rts_give_tokens(struct x400ms_rts *s, unsigned tokens);
/* Activities and checkpoints (X.225 AS/AE/AEA, MIP/MIA). serial: V(M). */
int x400ms_rts_activity_start(struct x400ms_rts *s);
int x400ms_rts_activity_end(struct x400ms_rts *s);
int x400ms_rts_activity_end_ack(struct x400ms_rts *s);
int x400ms_rts_minor_sync(struct x400ms_rts *s);
int x400ms_rts_minor_sync_ack(struct x400ms_rts *s);
/* The turn is here and the provider is idle: the core sends the pending
 * release (FN with the RLRQ) now. */
int x400ms_rts_close_ready(struct x400ms_rts *s);
/* Tokens this side holds now (X400MS_RTS_TOKEN_* bits). */
unsigned x400ms_rts_tokens(const struct x400ms_rts *s);
/* Peer text, for logs. */
const char *x400ms_rts_peer(const struct x400ms_rts *s);
/* Aborts the association with an RTAB (apdu, may be absent) as ABRT user information. */
void x400ms_rts_abort(struct x400ms_rts *s, struct x400ms_bytes rtab, const char *reason);

#endif
