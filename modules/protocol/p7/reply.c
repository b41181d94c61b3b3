/* P7 answers: results and the X.413 abstract errors (X.413 8.4) with their
 * parameters. Every error is logged with the peer and the cause. */
#define X400MS_LOG_MODULE "p7"
#include <string.h>

#include "modules/protocol/p7/p7.h"
#include "x400ms/log.h"

static struct x400ms_bytes bytes_of(const struct ber_writer *w)
{
    return X400MS_BYTES(ber_writer_data(w), ber_writer_len(w));
}

void p7_reply_writer(struct p7_session *s, int64_t invoke_id, struct ber_writer *w)
{
    if (w->error) {
        X400MS_LOG_W("peer %s: invoke %lld: cannot encode the result: %s", s->peer,
                     (long long)invoke_id, x400ms_strerror(w->error));
        p7_error_service(s, invoke_id, 2, "result too large or not encodable");
        return;
    }
    p7_send_reply(s, invoke_id, bytes_of(w));
}

void p7_reply_null(struct p7_session *s, int64_t invoke_id)
{
    static const uint8_t null[] = { 0x05, 0x00 };
    p7_send_reply(s, invoke_id, X400MS_BYTES(null, sizeof null));
}

static void send_error(struct p7_session *s, int64_t invoke_id, int64_t code, struct ber_writer *w)
{
    if (w->error) {
        X400MS_LOG_W("peer %s: invoke %lld: cannot encode error %lld", s->peer,
                     (long long)invoke_id, (long long)code);
        p7_send_reject(s, invoke_id, X400MS_ROSE_INVOKE_RESOURCE_LIMITATION);
        return;
    }
    p7_send_error(s, invoke_id, code, bytes_of(w));
}

void p7_error_simple(struct p7_session *s, int64_t invoke_id, const struct ms_simple_error *e)
{
    uint8_t buf[512];
    struct ber_writer w;
    ber_writer_init_fixed(&w, buf, sizeof buf);
    ms_simple_error_encode(&w, e);
    send_error(s, invoke_id, e->code, &w);
}

void p7_error_problems(struct p7_session *s, int64_t invoke_id, const struct ms_problem_error *e)
{
    struct ber_writer w;
    ber_writer_init(&w);
    ms_problem_error_encode(&w, e);
    send_error(s, invoke_id, e->code, &w);
    ber_writer_free(&w);
}

/* X.413 8.4.x ServiceProblem: busy(0), unavailable(1), unwilling-to-perform(2). */
void p7_error_service(struct p7_session *s, int64_t invoke_id, int problem, const char *info)
{
    X400MS_LOG_I("peer %s: invoke %lld: service-error %d: %s", s->peer, (long long)invoke_id,
                 problem, info ? info : "");
    struct ms_simple_error e;
    memset(&e, 0, sizeof e);
    e.code = MS_ERR_SERVICE;
    e.problem = problem;
    /* supplementary-information is a 1994 extension (X.413 8.4.12) */
    if (info != NULL && s->is94)
        e.supplementary_information = ber_slice_make(info, strlen(info));
    p7_error_simple(s, invoke_id, &e);
}

void p7_error_invalid_parameters(struct p7_session *s, int64_t invoke_id, const char *why)
{
    X400MS_LOG_I("peer %s: invoke %lld: invalid-parameters-error: %s", s->peer,
                 (long long)invoke_id, why);
    struct ms_simple_error e;
    memset(&e, 0, sizeof e);
    e.code = MS_ERR_INVALID_PARAMETERS;
    p7_error_simple(s, invoke_id, &e);
}

/* X.413 8.4.8 RangeProblem reversed(0): from after to. */
void p7_error_range(struct p7_session *s, int64_t invoke_id)
{
    X400MS_LOG_I("peer %s: invoke %lld: range-error reversed", s->peer, (long long)invoke_id);
    struct ms_simple_error e;
    memset(&e, 0, sizeof e);
    e.code = MS_ERR_RANGE;
    e.problem = 0;
    p7_error_simple(s, invoke_id, &e);
}

/* security-error: PARAMETER SecurityProblem (X.411 8.2.2.8), an INTEGER. */
void p7_error_security(struct p7_session *s, int64_t invoke_id, int problem)
{
    X400MS_LOG_I("peer %s: invoke %lld: security-error %d", s->peer, (long long)invoke_id, problem);
    uint8_t buf[8];
    struct ber_writer w;
    ber_writer_init_fixed(&w, buf, sizeof buf);
    ber_put_int64(&w, BER_UNIV(BER_INTEGER), problem);
    send_error(s, invoke_id, MS_ERR_SECURITY, &w);
}

/* X.413 8.4.14 entry-class-error, unsupported-entry-class(0). In the 1988
 * context (no such error) invalid-parameters-error says the same. */
void p7_error_entry_class(struct p7_session *s, int64_t invoke_id, int64_t entry_class)
{
    if (!s->is94) {
        p7_error_invalid_parameters(s, invoke_id, "entry class other than delivery");
        return;
    }
    X400MS_LOG_I("peer %s: invoke %lld: entry-class-error for class %lld", s->peer,
                 (long long)invoke_id, (long long)entry_class);
    struct ms_simple_error e;
    memset(&e, 0, sizeof e);
    e.code = MS_ERR_ENTRY_CLASS;
    e.entry_class = entry_class;
    e.problem_bits = 1u << 0;
    p7_error_simple(s, invoke_id, &e);
}

/* X.413 8.4.10 sequence-number-error, no-such-entry(0) for each. */
void p7_error_seqnum(struct p7_session *s, int64_t invoke_id, const uint32_t *seqs, size_t n)
{
    struct ms_problem probs[16];
    if (n > 16)
        n = 16;
    for (size_t i = 0; i < n; i++) {
        memset(&probs[i], 0, sizeof probs[i]);
        probs[i].problem = 0;
        probs[i].sequence_number = seqs[i];
    }
    X400MS_LOG_I("peer %s: invoke %lld: sequence-number-error no-such-entry %u%s", s->peer,
                 (long long)invoke_id, n ? seqs[0] : 0, n > 1 ? " ..." : "");
    struct ms_problem_error e;
    memset(&e, 0, sizeof e);
    e.code = MS_ERR_SEQUENCE_NUMBER;
    e.problems = probs;
    e.n_problems = e.max_problems = (uint32_t)n;
    p7_error_problems(s, invoke_id, &e);
}

/* X.413 8.4.1 attribute-error with one problem. */
void p7_error_attribute(struct p7_session *s, int64_t invoke_id, int problem,
                        struct ber_slice type_oid)
{
    char text[128] = "?";
    ber_oid_to_text(type_oid, text, sizeof text);
    X400MS_LOG_I("peer %s: invoke %lld: attribute-error %d for %s", s->peer, (long long)invoke_id,
                 problem, text);
    struct ms_problem p;
    memset(&p, 0, sizeof p);
    p.problem = problem;
    p.type = type_oid;
    p.sequence_number = -1;
    struct ms_problem_error e;
    memset(&e, 0, sizeof e);
    e.code = MS_ERR_ATTRIBUTE;
    e.problems = &p;
    e.n_problems = e.max_problems = 1;
    p7_error_problems(s, invoke_id, &e);
}

void p7_reject_mistyped(struct p7_session *s, int64_t invoke_id, const char *op,
                        const struct ber_error *be)
{
    char text[200];
    ber_error_format(be, text, sizeof text);
    X400MS_LOG_I("peer %s: invoke %lld: %s argument malformed (%s): reject mistyped-argument",
                 s->peer, (long long)invoke_id, op, text);
    p7_send_reject(s, invoke_id, X400MS_ROSE_INVOKE_MISTYPED_ARGUMENT);
}
