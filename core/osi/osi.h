/* core/osi internal: one association's state across the upper layers.
 *
 * The layers are state machines over one struct x400ms_assoc:
 *   session.c   X.225 SPM: SPDUs in and out of TSDUs, tokens, activities
 *   pres.c      X.226 PPM: CP/CPA/CPR/ARU/ARP, P-DATA (fully-encoded-data)
 *   acse.c      X.227 ACPM: AARQ/AARE/RLRQ/RLRE/ABRT, picks the module
 *   rose.c      X.880 ROPM: invoke ids, dispatch, rejects
 *   assoc.c     the public API of include/x400ms/assoc.h, lifetime
 *   tuser.c     the transport user "osi" and the initiator's connect
 *   rts.c       the services the rtse module sees (x400ms_rts_*)
 * Input runs bottom-up (osi_input: a TSDU), output top-down (each layer
 * wraps its PDU around the one above, in one backwards BER writer, and the
 * session hands the TSDU to the lower sender).
 *
 * The lower sender is an interface so that unit tests feed TSDUs and
 * collect what the stack sends without sockets. */
#ifndef X400MS_CORE_OSI_H
#define X400MS_CORE_OSI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "asn1/ber.h"
#include "core/osi/rose_table.h"
#include "x400ms/assoc.h"
#include "x400ms/core.h"

#define OSI_MAX_PCTX 16          /* presentation contexts per association (X.226 allows more; nobody uses more) */
#define OSI_DEFAULT_INVOKES 32
#define OSI_MAX_TSDU (64u << 20) /* largest TSDU the stack builds */

/* Where TSDUs go: the transport connection, or a unit test's collector. */
struct osi_lower_ops {
    /* Sends one TSDU. 0 or a negative code. */
    int (*send)(void *lower, const uint8_t *tsdu, size_t len);
    /* Disconnects (abort: drop queued output). The stack calls
     * osi_lower_gone() later, never from inside this call... except that a
     * unit test's lower may call it at once: the stack copes with both. */
    void (*close)(void *lower, bool abort);
};

enum osi_state {
    OSI_S_IDLE = 0,      /* responder: waiting for CN; initiator: transport not up */
    OSI_S_WAIT_AC,       /* initiator: CN sent */
    OSI_S_WAIT_BIND,     /* responder: the module has the bind */
    OSI_S_DATA,          /* association established */
    OSI_S_RELEASING,     /* initiator: FN(RLRQ) sent, waiting for DN */
    OSI_S_CLOSED,        /* released/refused/aborted: waiting for the transport to go */
};

/* Session functional units (X.225 8.3.1.16 Session User Requirements bits). */
enum osi_fu {
    OSI_FU_HALF_DUPLEX = 0x0001,
    OSI_FU_DUPLEX = 0x0002,
    OSI_FU_EXPEDITED = 0x0004,
    OSI_FU_MINOR_SYNC = 0x0008,
    OSI_FU_MAJOR_SYNC = 0x0010,
    OSI_FU_RESYNC = 0x0020,
    OSI_FU_ACTIVITY = 0x0040,
    OSI_FU_NEGOTIATED_RELEASE = 0x0080,
    OSI_FU_CAPABILITY_DATA = 0x0100,
    OSI_FU_EXCEPTIONS = 0x0200,
    OSI_FU_TYPED_DATA = 0x0400,
};
/* What this implementation offers and accepts. */
#define OSI_FU_SUPPORTED (OSI_FU_HALF_DUPLEX | OSI_FU_DUPLEX | OSI_FU_MINOR_SYNC | \
                          OSI_FU_MAJOR_SYNC | OSI_FU_ACTIVITY | OSI_FU_EXCEPTIONS)

struct osi_pctx {
    uint32_t id;
    const char *as_oid;                       /* points into the app context's syntax, or "2.2.1.0.1" */
    const struct x400ms_abstract_syntax *as;  /* NULL for ACSE */
    bool accepted;
};

struct pres_cp_state;
struct osi_pending;

struct x400ms_assoc {
    struct x400ms_core *core;
    struct x400ms_loop *loop;
    const struct osi_lower_ops *lower_ops;
    void *lower;
    char peer[96];
    bool initiator;
    enum osi_state state;

    /* session */
    unsigned ses_version;          /* 1 or 2 */
    unsigned ses_fu;               /* negotiated functional units */
    unsigned tokens;               /* X400MS_RTS_TOKEN_* held by this side */
    uint32_t ses_serial;           /* V(M): next serial number */
    bool in_activity;

    /* presentation */
    struct pres_cp_state *cp;      /* the CP's proposals until the CPA/CPR went out */
    struct osi_pctx pctx[OSI_MAX_PCTX];
    unsigned n_pctx;
    uint32_t acse_pctx, bind_pctx, ops_pctx, rtse_pctx; /* 0: none (ids are odd) */

    /* ACSE and the protocol module */
    const struct x400ms_app_context *ac;
    void *ac_ctx;
    char ac_oid[96];
    bool bind_answered;
    bool user_notified;            /* bind() succeeded: released/aborted owed */
    bool ended;                    /* released/aborted delivered */
    bool unbind_invoked;           /* the RLRQ carried an unbind-invoke */
    bool release_pending;          /* RT-CLOSE waits for the turn */
    uint8_t *release_arg;          /* its unbind argument (copy), NULL: none */
    size_t release_arg_len;

    /* ROSE */
    struct rose_table peer_inv, own_inv;
    int64_t next_invoke_id;

    /* RTSE */
    const struct x400ms_rtse_ops *rtse;
    void *rt;

    /* initiator */
    struct x400ms_assoc_request req;   /* copy; byte fields point into req_bytes */
    uint8_t *req_bytes;
    struct x400ms_timer *setup_timer;
    bool confirmed;

    /* output the transport could not take yet (X400MS_EAGAIN), in order */
    struct osi_pending *pend_head, *pend_tail;
    size_t pend_bytes;

    /* lifetime */
    unsigned busy;                 /* > 0 while the stack is on the call stack */
    bool lower_gone;               /* the transport told us it is gone */
    bool free_pending;
    void *user;
    unsigned char metrics_slot;    /* metrics.c: 1 + protocol counted as open, 0: not counted */

    struct ber_writer out;         /* reused for every PDU we build */
};

/* ---- assoc.c ---- */
struct x400ms_assoc *osi_assoc_new(struct x400ms_core *core, struct x400ms_loop *loop,
                                   const struct osi_lower_ops *ops, void *lower, const char *peer,
                                   bool initiator);
/* Hands a TSDU to the transport. When the transport's output queue is full
 * the TSDU waits in the association (bounded by OSI_MAX_PENDING) and goes
 * out on osi_writable(); order is kept. */
#define OSI_MAX_PENDING ((size_t)64 << 20)
int osi_send_tsdu(struct x400ms_assoc *a, const uint8_t *tsdu, size_t len);
/* The transport can take more: flush what waits. */
void osi_writable(struct x400ms_assoc *a);
/* One TSDU from the transport. */
void osi_input(struct x400ms_assoc *a, const uint8_t *tsdu, size_t len);
/* The transport is gone (reason for the log); frees a when not busy. */
void osi_lower_gone(struct x400ms_assoc *a, int reason, const char *text);
/* Ends the association with an abort: a log line naming the peer and the
 * cause, a provider AB (protocol-error flag, no PPDU) when send_ab and the
 * session connection exists, aborted() to the module, the transport closed. */
void osi_abort(struct x400ms_assoc *a, enum x400ms_abort_source src, bool send_ab,
               const char *fmt, ...) X400MS_PRINTF(4, 5);
/* Delivers released/aborted to the module once. */
void osi_notify_end(struct x400ms_assoc *a, bool released, enum x400ms_abort_source src,
                    const char *reason);
/* Closes the transport after a release or refusal (flushing). */
void osi_close(struct x400ms_assoc *a);
/* Guards for re-entrancy: osi_hold before calling out, osi_release after
 * (may free a: do not touch it afterwards when it returns true). */
static inline void osi_hold(struct x400ms_assoc *a) { a->busy++; }
bool osi_unhold(struct x400ms_assoc *a);

/* The registered context for an OID text, or NULL. */
const struct x400ms_app_context *osi_find_context(struct x400ms_core *core, const char *oid,
                                                  void **ctx_r);
/* Unit tests run associations without a core (core == NULL): this resolves
 * contexts then. */
extern const struct x400ms_app_context *(*osi_test_find_context)(const char *oid, void **ctx_r);

/* ---- metrics.c ---- */
/* x400ms_associations{protocol}: up when the association is established,
 * down when it ends (each at most once per association). */
void osi_metrics_assoc_up(struct x400ms_assoc *a);
void osi_metrics_assoc_down(struct x400ms_assoc *a);
/* Registers the "metrics:osi" source (core/builtin-services.c). */
int osi_metrics_register(struct x400ms_core *core, struct x400ms_error *err);

/* ---- session.c ---- */
/* Handles one TSDU. */
void ses_input(struct x400ms_assoc *a, const uint8_t *tsdu, size_t len);
/* Sends the bytes pushed on a->out as the user data of the named SPDU. */
int ses_send_connect(struct x400ms_assoc *a);   /* CN, user data = CP */
int ses_send_accept(struct x400ms_assoc *a);    /* AC, user data = CPA */
int ses_send_refuse(struct x400ms_assoc *a);    /* RF (reason 2 + user data = CPR) */
int ses_send_data(struct x400ms_assoc *a);      /* GT + DT */
int ses_send_finish(struct x400ms_assoc *a);    /* FN */
int ses_send_disconnect(struct x400ms_assoc *a);/* DN */
int ses_send_abort(struct x400ms_assoc *a, bool user, bool with_data); /* AB */
/* Token / activity services for RTSE (user data on a->out for PT). */
int ses_send_please_tokens(struct x400ms_assoc *a, unsigned tokens);
int ses_send_give_tokens(struct x400ms_assoc *a, unsigned tokens);
int ses_send_give_control(struct x400ms_assoc *a);
int ses_send_activity_start(struct x400ms_assoc *a);
int ses_send_activity_end(struct x400ms_assoc *a);
int ses_send_activity_end_ack(struct x400ms_assoc *a);
int ses_send_minor_sync(struct x400ms_assoc *a);
int ses_send_minor_sync_ack(struct x400ms_assoc *a);

/* ---- pres.c ---- */
/* S-CONNECT indication: the CP (user data of the CN). */
void pres_connect_ind(struct x400ms_assoc *a, struct ber_slice cp);
/* S-CONNECT confirm: AC (accepted, CPA) or RF (CPR, may be empty). */
void pres_connect_cnf(struct x400ms_assoc *a, bool accepted, struct ber_slice ppdu);
/* S-DATA: the user information of a DT, fully-encoded-data. */
void pres_data_ind(struct x400ms_assoc *a, struct ber_slice ud);
/* S-RELEASE indication / confirm: the user data of FN / DN. */
void pres_release_ind(struct x400ms_assoc *a, struct ber_slice ud);
void pres_release_cnf(struct x400ms_assoc *a, struct ber_slice ud);
/* S-U-ABORT / S-P-ABORT indication: the user data of AB (ARU/ARP) or empty. */
void pres_abort_ind(struct x400ms_assoc *a, struct ber_slice ud, bool user);
/* Wrap what was pushed on a->out since mark as fully-encoded-data on pctx. */
void pres_wrap_pdv(struct x400ms_assoc *a, ber_mark_t mark, uint32_t pctx);
/* Called by ACSE once it knows the context: accepts the proposals whose
 * abstract syntax the context uses and records the bind, operations and RTSE
 * contexts. False when a syntax the context requires was not offered. */
bool pres_select_contexts(struct x400ms_assoc *a);
/* Responder answers (ACSE pushed the AARE on a->out after mark). */
int pres_send_cpa(struct x400ms_assoc *a, ber_mark_t mark);
int pres_send_cpr(struct x400ms_assoc *a, ber_mark_t mark, int provider_reason);
/* Initiator: the CP around the AARQ pushed since mark. */
int pres_send_cp(struct x400ms_assoc *a, ber_mark_t mark);
/* ARU around the ABRT pushed since mark (mark == len: no user data). */
int pres_send_aru(struct x400ms_assoc *a, ber_mark_t mark);

/* ---- acse.c ---- */
/* The AARQ arrived (the value of the ACSE PDV of the CP); the proposed
 * presentation contexts are known. Answers (now or after the module's bind)
 * with a CPA or a CPR. */
void acse_aarq_ind(struct x400ms_assoc *a, struct ber_slice aarq);
void acse_aare_cnf(struct x400ms_assoc *a, struct ber_slice aare, bool pres_accepted,
                   int provider_reason);
void acse_rlrq_ind(struct x400ms_assoc *a, struct ber_slice rlrq);
void acse_rlre_cnf(struct x400ms_assoc *a, struct ber_slice rlre);
void acse_abrt_ind(struct x400ms_assoc *a, struct ber_slice abrt);
/* Initiator: AARQ + CP + CN. */
int acse_send_aarq(struct x400ms_assoc *a);
/* Initiator: RLRQ (with the pending unbind argument) + FN. */
int acse_send_rlrq(struct x400ms_assoc *a);

/* ---- rose.c ---- */
/* One ROSE APDU from the peer (on pctx, or from RTSE). */
void rose_input(struct x400ms_assoc *a, struct ber_slice apdu, uint32_t pctx);
/* Sends the APDU pushed on a->out since mark (P-DATA, or via RTSE). */
int rose_send(struct x400ms_assoc *a, ber_mark_t mark, uint32_t pctx);
/* Every own invoke gets an ENDED outcome. */
void rose_end(struct x400ms_assoc *a);

#endif
