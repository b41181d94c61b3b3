/* ROSE PDU codec. Implements asn1/ros.asn (X.880 Remote-Operations-Generic-
 * ROS-PDUs, IMPLICIT tags, plus the X.419 bind forms of X.881). */
#include "config.h"

#include <string.h>

#include "asn1/ros.h"

const char *ros_type_name(enum ros_type type)
{
    switch (type) {
    case ROS_INVOKE: return "invoke";
    case ROS_RETURN_RESULT: return "returnResult";
    case ROS_RETURN_ERROR: return "returnError";
    case ROS_REJECT: return "reject";
    case ROS_BIND_INVOKE: return "bind-invoke";
    case ROS_BIND_RESULT: return "bind-result";
    case ROS_BIND_ERROR: return "bind-error";
    case ROS_UNBIND_INVOKE: return "unbind-invoke";
    case ROS_UNBIND_RESULT: return "unbind-result";
    case ROS_UNBIND_ERROR: return "unbind-error";
    }
    return "unknown";
}

static bool is_bind_form(unsigned n)
{
    return n >= ROS_BIND_INVOKE && n <= ROS_UNBIND_ERROR;
}

static int decode_invoke_id(struct ber_ctx *c, struct ber_iter *it, struct ros_pdu *p, const char *type)
{
    struct ber_tlv t;
    int rc = ber_next(it, &t);
    if (rc < 0)
        return rc;
    if (rc == 0)
        return ber_fail(c, it->end, X400MS_EPROTO, type, "missing");
    if (t.tag == BER_UNIV(BER_NULL)) {
        p->invoke_id_absent = true;
        return ber_get_null(c, &t, type);
    }
    if (t.tag != BER_UNIV(BER_INTEGER))
        return ber_fail(c, t.start, X400MS_EPROTO, type, "wrong tag");
    return ber_get_int64(c, &t, type, &p->invoke_id);
}

static int decode_code(struct ber_ctx *c, struct ber_iter *it, struct ros_code *code, const char *type)
{
    struct ber_tlv t;
    int rc = ber_next(it, &t);
    if (rc < 0)
        return rc;
    if (rc == 0)
        return ber_fail(c, it->end, X400MS_EPROTO, type, "missing");
    if (t.tag == BER_UNIV(BER_INTEGER)) {
        code->global = false;
        return ber_get_int64(c, &t, type, &code->local);
    }
    if (t.tag == BER_UNIV(BER_OID)) {
        code->global = true;
        return ber_get_oid(c, &t, type, &code->oid);
    }
    return ber_fail(c, t.start, X400MS_EPROTO, type, "wrong tag");
}

/* Optional trailing ANY: the whole TLV. */
static int decode_any(struct ber_iter *it, struct ros_pdu *p, const char *type)
{
    struct ber_tlv t;
    int rc = ber_next(it, &t);
    if (rc <= 0)
        return rc;
    p->has_argument = true;
    p->argument = ber_tlv_whole(&t);
    return ber_end(it, type);
}

int ros_decode_tlv(struct ber_ctx *c, const struct ber_tlv *t, struct ros_pdu *p)
{
    struct ber_iter it;
    struct ber_tlv m;
    int rc;
    unsigned n = BER_TAG_NUMBER(t->tag);

    memset(p, 0, sizeof(*p));
    if (BER_TAG_CLASS(t->tag) != BER_CLASS_CONTEXT || !((n >= 1 && n <= 4) || is_bind_form(n)))
        return ber_fail(c, t->start, X400MS_EPROTO, "ROS", "wrong tag");
    p->type = (enum ros_type)n;
    if (is_bind_form(n)) {
        /* [16]..[21] OPERATION.&ArgumentType ...: explicit around the value */
        struct ber_tlv v;
        if ((rc = ber_explicit(c, t, &v, ros_type_name(p->type))) < 0)
            return rc;
        p->has_argument = true;
        p->argument = ber_tlv_whole(&v);
        return 0;
    }
    if ((rc = ber_enter(c, t, &it, "ROS")) < 0)
        return rc;
    switch (p->type) {
    case ROS_INVOKE:
        if ((rc = decode_invoke_id(c, &it, p, "Invoke.invokeId")) < 0)
            return rc;
        if ((rc = ber_peek(&it, &m)) < 0)
            return rc;
        if (rc == 1 && (m.tag == BER_CTX(0) || m.tag == BER_CTX(1))) {
            ber_next(&it, &m);
            p->has_linked_id = true;
            if (m.tag == BER_CTX(1)) {
                p->linked_id_absent = true;
                rc = ber_get_null(c, &m, "Invoke.linkedId");
            } else {
                rc = ber_get_int64(c, &m, "Invoke.linkedId", &p->linked_id);
            }
            if (rc < 0)
                return rc;
        }
        if ((rc = decode_code(c, &it, &p->opcode, "Invoke.opcode")) < 0)
            return rc;
        return decode_any(&it, p, "Invoke");
    case ROS_RETURN_RESULT: {
        struct ber_iter res;
        if ((rc = decode_invoke_id(c, &it, p, "ReturnResult.invokeId")) < 0)
            return rc;
        if ((rc = ber_optional(&it, BER_UNIV(BER_SEQUENCE), &m)) < 0)
            return rc;
        if (rc == 0)
            return ber_end(&it, "ReturnResult");
        p->has_result = true;
        if ((rc = ber_enter(c, &m, &res, "ReturnResult.result")) < 0 ||
            (rc = decode_code(c, &res, &p->opcode, "ReturnResult.result.opcode")) < 0)
            return rc;
        if ((rc = decode_any(&res, p, "ReturnResult.result")) < 0)
            return rc;
        if (!p->has_argument)
            return ber_fail(c, res.end, X400MS_EPROTO, "ReturnResult.result.result", "missing");
        return ber_end(&it, "ReturnResult");
    }
    case ROS_RETURN_ERROR:
        if ((rc = decode_invoke_id(c, &it, p, "ReturnError.invokeId")) < 0 ||
            (rc = decode_code(c, &it, &p->errcode, "ReturnError.errcode")) < 0)
            return rc;
        return decode_any(&it, p, "ReturnError");
    default: /* ROS_REJECT */
        if ((rc = decode_invoke_id(c, &it, p, "Reject.invokeId")) < 0)
            return rc;
        if ((rc = ber_next(&it, &m)) < 0)
            return rc;
        if (rc == 0)
            return ber_fail(c, it.end, X400MS_EPROTO, "Reject.problem", "missing");
        if (BER_TAG_CLASS(m.tag) != BER_CLASS_CONTEXT || BER_TAG_NUMBER(m.tag) > 3)
            return ber_fail(c, m.start, X400MS_EPROTO, "Reject.problem", "wrong tag");
        p->problem_kind = (enum ros_problem_kind)BER_TAG_NUMBER(m.tag);
        if ((rc = ber_get_int64(c, &m, "Reject.problem", &p->problem)) < 0)
            return rc;
        return ber_end(&it, "Reject");
    }
}

int ros_decode(const uint8_t *buf, size_t len, struct ros_pdu *pdu, struct ber_error *err)
{
    struct ber_ctx c;
    struct ber_tlv t;
    ber_ctx_init(&c, buf, len, err);
    int rc = ber_decode_top(&c, &t, "ROS");
    return rc < 0 ? rc : ros_decode_tlv(&c, &t, pdu);
}

static void put_code(struct ber_writer *w, const struct ros_code *code)
{
    if (code->global)
        ber_put_oid(w, BER_UNIV(BER_OID), code->oid);
    else
        ber_put_int64(w, BER_UNIV(BER_INTEGER), code->local);
}

static void put_invoke_id(struct ber_writer *w, const struct ros_pdu *p)
{
    if (p->invoke_id_absent)
        ber_put_null(w, BER_UNIV(BER_NULL));
    else
        ber_put_int64(w, BER_UNIV(BER_INTEGER), p->invoke_id);
}

/* Everything pushed since mark is the argument (possibly empty). */
static int encode_around(struct ber_writer *w, const struct ros_pdu *p, ber_mark_t mark)
{
    bool has_arg = ber_mark(w) > mark;
    unsigned n = (unsigned)p->type;

    if (is_bind_form(n)) {
        if (!has_arg) { /* the bind value is mandatory (NULL for an empty unbind) */
            if (!w->error)
                w->error = X400MS_EINVAL;
            return X400MS_EINVAL;
        }
        return ber_wrap(w, mark, BER_CTX(n), true);
    }
    switch (p->type) {
    case ROS_INVOKE:
        put_code(w, &p->opcode);
        if (p->has_linked_id) {
            if (p->linked_id_absent)
                ber_put_null(w, BER_CTX(1));
            else
                ber_put_int64(w, BER_CTX(0), p->linked_id);
        }
        put_invoke_id(w, p);
        break;
    case ROS_RETURN_RESULT:
        if (has_arg) {
            put_code(w, &p->opcode);
            ber_wrap(w, mark, BER_UNIV(BER_SEQUENCE), true);
        }
        put_invoke_id(w, p);
        break;
    case ROS_RETURN_ERROR:
        put_code(w, &p->errcode);
        put_invoke_id(w, p);
        break;
    case ROS_REJECT:
        if (has_arg || (unsigned)p->problem_kind > 3) {
            if (!w->error)
                w->error = X400MS_EINVAL;
            return X400MS_EINVAL;
        }
        ber_put_int64(w, BER_CTX(p->problem_kind), p->problem);
        put_invoke_id(w, p);
        break;
    default:
        if (!w->error)
            w->error = X400MS_EINVAL;
        return X400MS_EINVAL;
    }
    return ber_wrap(w, mark, BER_CTX(n), true);
}

int ros_encode_after(struct ber_writer *w, const struct ros_pdu *pdu, ber_mark_t mark)
{
    return encode_around(w, pdu, mark);
}

int ros_encode(struct ber_writer *w, const struct ros_pdu *pdu)
{
    ber_mark_t mark = ber_mark(w);
    if (pdu->has_argument)
        ber_put_slice(w, pdu->argument);
    return encode_around(w, pdu, mark);
}
