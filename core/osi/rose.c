/* X.880 ROSE protocol machine for one association, both directions:
 * invokes of the peer go to the module (after the opcode, duplicate and
 * outstanding-limit checks: X.880 10.5 reject problems); the module's
 * invokes are numbered here and their outcome is routed to the completion.
 *
 * ROSE PDUs (X.880, 1988 tags, the form X.400 uses):
 *   invoke [1] { invokeId INTEGER, linkedId [0] INTEGER OPTIONAL, opcode, argument OPTIONAL }
 *   returnResult [2] { invokeId, SEQUENCE { opcode, result } OPTIONAL }
 *   returnError [3] { invokeId, errcode, parameter OPTIONAL }
 *   reject [4] { invokeId (or NULL), problem [0..3] INTEGER }
 * They are small and on the hot path, so they are read and written here
 * directly with the BER runtime. */
#define X400MS_LOG_MODULE "osi"
#include <stdio.h>
#include <string.h>

#include "core/osi/osi.h"
#include "x400ms/log.h"

struct rose_pdu {
    unsigned kind;              /* 1..4 */
    bool has_id;
    int64_t invoke_id;
    bool has_linked;
    int64_t linked_id;
    bool has_code;
    bool code_global;
    int64_t code;               /* opcode (invoke, result) or errcode */
    struct ber_slice value;     /* argument / result / parameter, absent when ptr NULL */
    int problem;                /* reject: (group << 8) | value */
};

/* X.880 Code: local INTEGER or global OBJECT IDENTIFIER (a global code is
 * only flagged: no module of ours defines one). */
static int rose_get_code(struct ber_ctx *c, const struct ber_tlv *t, const char *what,
                         struct rose_pdu *pdu)
{
    if (t->tag == BER_UNIV(BER_INTEGER)) {
        if (ber_get_int64(c, t, what, &pdu->code) < 0)
            return X400MS_EPROTO;
    } else if (t->tag == BER_UNIV(BER_OID)) {
        pdu->code_global = true;
    } else {
        return X400MS_EPROTO;
    }
    pdu->has_code = true;
    return 0;
}

/* Decodes; returns 0, or X400MS_EPROTO with *problem_r the general problem
 * to reject with (and pdu->has_id when the invoke id was read). */
static int rose_decode(struct ber_slice in, struct rose_pdu *pdu, int *problem_r)
{
    struct ber_error e = { 0 };
    struct ber_ctx c;
    struct ber_tlv top, t;
    struct ber_iter it;
    memset(pdu, 0, sizeof(*pdu));
    ber_ctx_init(&c, in.ptr, in.len, &e);
    *problem_r = X400MS_ROSE_GENERAL_BADLY_STRUCTURED_PDU;
    if (ber_decode_top(&c, &top, "ROS") < 0)
        return X400MS_EPROTO;
    if (BER_TAG_CLASS(top.tag) != BER_CLASS_CONTEXT || BER_TAG_NUMBER(top.tag) < 1 ||
        BER_TAG_NUMBER(top.tag) > 4 || !top.constructed) {
        *problem_r = X400MS_ROSE_GENERAL_UNRECOGNIZED_PDU;
        return X400MS_EPROTO;
    }
    pdu->kind = BER_TAG_NUMBER(top.tag);
    if (ber_enter(&c, &top, &it, "ROS") < 0 || ber_next(&it, &t) != 1)
        return X400MS_EPROTO;
    if (t.tag == BER_UNIV(BER_INTEGER)) {
        if (ber_get_int64(&c, &t, "InvokeId", &pdu->invoke_id) < 0)
            return X400MS_EPROTO;
        pdu->has_id = true;
    } else if (t.tag != BER_UNIV(BER_NULL) || pdu->kind != 4) {
        return X400MS_EPROTO;
    }
    *problem_r = X400MS_ROSE_GENERAL_MISTYPED_PDU;
    switch (pdu->kind) {
    case 1: /* invoke */
        if (ber_next(&it, &t) != 1)
            return X400MS_EPROTO;
        if (t.tag == BER_CTX(0)) {
            if (ber_get_int64(&c, &t, "Invoke.linkedId", &pdu->linked_id) < 0)
                return X400MS_EPROTO;
            pdu->has_linked = true;
            if (ber_next(&it, &t) != 1)
                return X400MS_EPROTO;
        }
        /* fall through to the code */
        if (rose_get_code(&c, &t, "Invoke.opcode", pdu) < 0)
            return X400MS_EPROTO;
        if (ber_next(&it, &t) == 1)
            pdu->value = ber_tlv_whole(&t);
        if (!ber_at_end(&it))
            return X400MS_EPROTO;
        return 0;
    case 2: { /* returnResult */
        int k = ber_next(&it, &t);
        if (k == 0)
            return 0;
        struct ber_iter r;
        if (k < 0 || t.tag != BER_UNIV(BER_SEQUENCE) || ber_enter(&c, &t, &r, "ReturnResult.result") < 0 ||
            ber_next(&r, &t) != 1)
            return X400MS_EPROTO;
        if (rose_get_code(&c, &t, "ReturnResult.opcode", pdu) < 0)
            return X400MS_EPROTO;
        if (ber_next(&r, &t) == 1)
            pdu->value = ber_tlv_whole(&t);
        return 0;
    }
    case 3: /* returnError */
        if (ber_next(&it, &t) != 1)
            return X400MS_EPROTO;
        if (rose_get_code(&c, &t, "ReturnError.errcode", pdu) < 0)
            return X400MS_EPROTO;
        if (ber_next(&it, &t) == 1)
            pdu->value = ber_tlv_whole(&t);
        return 0;
    default: { /* reject */
        int64_t v;
        if (ber_next(&it, &t) != 1 || BER_TAG_CLASS(t.tag) != BER_CLASS_CONTEXT ||
            BER_TAG_NUMBER(t.tag) > 3 || ber_get_int64(&c, &t, "Reject.problem", &v) < 0 || v < 0 ||
            v > 255)
            return X400MS_EPROTO;
        pdu->problem = (int)((BER_TAG_NUMBER(t.tag) << 8) | (unsigned)v);
        return 0;
    }
    }
}

/* ---- output ---- */

static const char *rose_kind_name(unsigned kind)
{
    static const char *const names[] = { "?", "invoke", "returnResult", "returnError", "reject" };
    return kind <= 4 ? names[kind] : "?";
}

int rose_send(struct x400ms_assoc *a, ber_mark_t mark, uint32_t pctx)
{
    if (a->rtse != NULL) {
        /* RT-TRANSFER: the APDU travels inside RTTR (X.228 normal mode). */
        struct ber_slice apdu = { ber_writer_data(&a->out), ber_writer_len(&a->out) - mark };
        int rc = a->rtse->transfer(a->rt, X400MS_BYTES(apdu.ptr, apdu.len));
        ber_writer_reset(&a->out);
        return rc;
    }
    pres_wrap_pdv(a, mark, pctx);
    return ses_send_data(a);
}

static int rose_send_reject(struct x400ms_assoc *a, bool has_id, int64_t id, int problem,
                            uint32_t pctx)
{
    ber_writer_reset(&a->out);
    ber_mark_t m = ber_mark(&a->out);
    ber_put_int64(&a->out, BER_CTX((unsigned)problem >> 8), problem & 0xff);
    if (has_id)
        ber_put_int64(&a->out, BER_UNIV(BER_INTEGER), id);
    else
        ber_put_null(&a->out, BER_UNIV(BER_NULL));
    ber_wrap(&a->out, m, BER_CTX(4), true);
    return rose_send(a, m, pctx);
}

static void rose_reject_peer(struct x400ms_assoc *a, bool has_id, int64_t id, int problem,
                             uint32_t pctx, const char *why)
{
    char ids[32] = "(absent)";
    if (has_id)
        snprintf(ids, sizeof(ids), "%lld", (long long)id);
    X400MS_LOG_N("peer %s: ROSE reject (problem %d/%d) of invoke id %s: %s", a->peer,
                 problem >> 8, problem & 0xff, ids, why);
    rose_send_reject(a, has_id, id, problem, pctx);
}

/* ---- input ---- */

static bool rose_opcode_known(const struct x400ms_app_context *ac, int64_t opcode)
{
    if (ac->opcodes == NULL)
        return true;
    for (size_t i = 0; i < ac->n_opcodes; i++)
        if (ac->opcodes[i] == opcode)
            return true;
    return false;
}

static void rose_complete(struct x400ms_assoc *a, const struct rose_pdu *pdu, uint32_t pctx)
{
    struct rose_slot *s = pdu->has_id ? rose_table_find(&a->own_inv, pdu->invoke_id) : NULL;
    if (s == NULL) {
        if (pdu->kind == 4) {
            X400MS_LOG_N("peer %s: ROSE reject of unknown invoke id %lld (problem %d/%d) ignored",
                         a->peer, (long long)pdu->invoke_id, pdu->problem >> 8, pdu->problem & 0xff);
            return;
        }
        rose_reject_peer(a, pdu->has_id, pdu->invoke_id,
                         pdu->kind == 2 ? X400MS_ROSE_RESULT_UNRECOGNIZED_INVOCATION
                                        : X400MS_ROSE_ERROR_UNRECOGNIZED_INVOCATION,
                         pctx, "no such invoke outstanding");
        return;
    }
    struct rose_slot slot;
    rose_table_remove(&a->own_inv, s, &slot);
    struct x400ms_outcome o = { .invoke_id = slot.invoke_id, .opcode = slot.opcode };
    if (pdu->kind == 2) {
        o.kind = X400MS_OUTCOME_RESULT;
        o.result = X400MS_BYTES(pdu->value.ptr, pdu->value.len);
    } else if (pdu->kind == 3) {
        o.kind = X400MS_OUTCOME_ERROR;
        o.errcode = pdu->code;
        o.parameter = X400MS_BYTES(pdu->value.ptr, pdu->value.len);
    } else {
        o.kind = X400MS_OUTCOME_REJECT;
        o.problem = (enum x400ms_rose_problem)pdu->problem;
    }
    if (slot.done != NULL)
        slot.done(slot.arg, a, &o);
}

void rose_input(struct x400ms_assoc *a, struct ber_slice apdu, uint32_t pctx)
{
    if (a->state != OSI_S_DATA && a->state != OSI_S_RELEASING) {
        osi_abort(a, X400MS_ABORT_LOCAL, true, "ROSE APDU before the bind completed");
        return;
    }
    struct rose_pdu pdu;
    int problem;
    if (rose_decode(apdu, &pdu, &problem) < 0) {
        rose_reject_peer(a, pdu.has_id, pdu.invoke_id, problem, pctx, "undecodable ROSE APDU");
        return;
    }
    if (pdu.kind != 1) {
        rose_complete(a, &pdu, pctx);
        return;
    }
    /* invoke */
    if (pdu.code_global || !rose_opcode_known(a->ac, pdu.code)) {
        rose_reject_peer(a, true, pdu.invoke_id, X400MS_ROSE_INVOKE_UNRECOGNIZED_OPERATION, pctx,
                         "operation not served by this application context");
        return;
    }
    if (a->state == OSI_S_RELEASING) {
        rose_reject_peer(a, true, pdu.invoke_id, X400MS_ROSE_INVOKE_RELEASE_IN_PROGRESS, pctx,
                         "release in progress");
        return;
    }
    bool full;
    struct rose_slot *s = rose_table_add(&a->peer_inv, pdu.invoke_id, &full);
    if (s == NULL) {
        rose_reject_peer(a, true, pdu.invoke_id,
                         full ? X400MS_ROSE_INVOKE_RESOURCE_LIMITATION
                              : X400MS_ROSE_INVOKE_DUPLICATE_INVOCATION,
                         pctx, full ? "too many invokes outstanding" : "invoke id already outstanding");
        return;
    }
    s->opcode = pdu.code;
    s->pctx_id = pctx;
    if (a->ac->invoke == NULL) {
        x400ms_assoc_reject(a, pdu.invoke_id, X400MS_ROSE_INVOKE_UNRECOGNIZED_OPERATION);
        return;
    }
    const char *as = "?";
    for (unsigned i = 0; i < a->n_pctx; i++)
        if (a->pctx[i].id == pctx)
            as = a->pctx[i].as_oid;
    struct x400ms_invoke inv = {
        .invoke_id = pdu.invoke_id,
        .has_linked_id = pdu.has_linked,
        .linked_id = pdu.linked_id,
        .opcode = pdu.code,
        .argument = X400MS_BYTES(pdu.value.ptr, pdu.value.len),
        .abstract_syntax = as,
    };
    a->ac->invoke(a->ac_ctx, a, &inv);
}

void rose_end(struct x400ms_assoc *a)
{
    while (a->own_inv.count > 0) {
        struct rose_slot slot;
        rose_table_remove(&a->own_inv, &a->own_inv.slots[a->own_inv.count - 1], &slot);
        struct x400ms_outcome o = { .kind = X400MS_OUTCOME_ENDED, .invoke_id = slot.invoke_id,
                                    .opcode = slot.opcode };
        if (slot.done != NULL)
            slot.done(slot.arg, a, &o);
    }
    a->peer_inv.count = 0;
}

/* ---- the module's calls ---- */

static int rose_answer_prepare(struct x400ms_assoc *a, int64_t invoke_id, struct rose_slot *out)
{
    if (a->state != OSI_S_DATA && a->state != OSI_S_RELEASING)
        return X400MS_ESTATE;
    struct rose_slot *s = rose_table_find(&a->peer_inv, invoke_id);
    if (s == NULL)
        return X400MS_ENOENT;
    rose_table_remove(&a->peer_inv, s, out);
    ber_writer_reset(&a->out);
    return 0;
}

int x400ms_assoc_reply(struct x400ms_assoc *a, int64_t invoke_id, struct x400ms_bytes result)
{
    struct rose_slot s;
    int rc = rose_answer_prepare(a, invoke_id, &s);
    if (rc < 0)
        return rc;
    struct ber_writer *w = &a->out;
    ber_mark_t m = ber_mark(w);
    if (result.ptr != NULL) {
        ber_put_raw(w, result.ptr, result.len);
        ber_put_int64(w, BER_UNIV(BER_INTEGER), s.opcode);
        ber_wrap(w, m, BER_UNIV(BER_SEQUENCE), true);
    }
    ber_put_int64(w, BER_UNIV(BER_INTEGER), invoke_id);
    ber_wrap(w, m, BER_CTX(2), true);
    osi_hold(a);
    rc = rose_send(a, m, s.pctx_id);
    osi_unhold(a);
    return rc;
}

int x400ms_assoc_error(struct x400ms_assoc *a, int64_t invoke_id, int64_t errcode,
                       struct x400ms_bytes parameter)
{
    struct rose_slot s;
    int rc = rose_answer_prepare(a, invoke_id, &s);
    if (rc < 0)
        return rc;
    struct ber_writer *w = &a->out;
    ber_mark_t m = ber_mark(w);
    if (parameter.ptr != NULL)
        ber_put_raw(w, parameter.ptr, parameter.len);
    ber_put_int64(w, BER_UNIV(BER_INTEGER), errcode);
    ber_put_int64(w, BER_UNIV(BER_INTEGER), invoke_id);
    ber_wrap(w, m, BER_CTX(3), true);
    osi_hold(a);
    rc = rose_send(a, m, s.pctx_id);
    osi_unhold(a);
    return rc;
}

int x400ms_assoc_reject(struct x400ms_assoc *a, int64_t invoke_id, enum x400ms_rose_problem problem)
{
    struct rose_slot s;
    int rc = rose_answer_prepare(a, invoke_id, &s);
    if (rc < 0)
        return rc;
    X400MS_LOG_N("peer %s: invoke id %lld (operation %lld) rejected by the module, problem %d/%d",
                 a->peer, (long long)invoke_id, (long long)s.opcode, (int)problem >> 8,
                 (int)problem & 0xff);
    osi_hold(a);
    rc = rose_send_reject(a, true, invoke_id, (int)problem, s.pctx_id);
    osi_unhold(a);
    return rc;
}

int x400ms_assoc_invoke(struct x400ms_assoc *a, int64_t opcode, struct x400ms_bytes argument,
                        const char *syntax, x400ms_invoke_done_fn *done, void *arg,
                        int64_t *invoke_id_r)
{
    if (a->state != OSI_S_DATA)
        return X400MS_ESTATE;
    uint32_t pctx = a->ops_pctx;
    if (syntax != NULL) {
        pctx = 0;
        for (unsigned i = 0; i < a->n_pctx; i++)
            if (strcmp(a->pctx[i].as_oid, syntax) == 0 && a->pctx[i].accepted)
                pctx = a->pctx[i].id;
        if (pctx == 0)
            return X400MS_ENOENT;
    }
    /* Invoke ids: a counter that skips ids still outstanding (X.880 9.2). */
    int64_t id = a->next_invoke_id;
    while (rose_table_find(&a->own_inv, id) != NULL)
        id = id >= 0x7fffffff ? 1 : id + 1;
    bool full;
    struct rose_slot *s = rose_table_add(&a->own_inv, id, &full);
    if (s == NULL)
        return X400MS_ELIMIT;
    a->next_invoke_id = id >= 0x7fffffff ? 1 : id + 1;
    s->opcode = opcode;
    s->pctx_id = pctx;
    s->done = done;
    s->arg = arg;
    ber_writer_reset(&a->out);
    struct ber_writer *w = &a->out;
    ber_mark_t m = ber_mark(w);
    if (argument.ptr != NULL)
        ber_put_raw(w, argument.ptr, argument.len);
    ber_put_int64(w, BER_UNIV(BER_INTEGER), opcode);
    ber_put_int64(w, BER_UNIV(BER_INTEGER), id);
    ber_wrap(w, m, BER_CTX(1), true);
    if (invoke_id_r != NULL)
        *invoke_id_r = id;
    osi_hold(a);
    int rc = rose_send(a, m, pctx);
    if (rc < 0) {
        /* Not sent: forget the invoke, unless the association ended on the
         * way and done() already got its ENDED outcome. */
        struct rose_slot *again = rose_table_find(&a->own_inv, id);
        if (again != NULL) {
            rose_table_remove(&a->own_inv, again, NULL);
            X400MS_LOG_W("peer %s: %s of operation %lld not sent: %s", a->peer, rose_kind_name(1),
                         (long long)opcode, x400ms_strerror(rc));
        } else {
            rc = 0;
        }
    }
    osi_unhold(a);
    return rc < 0 ? rc : 0;
}
