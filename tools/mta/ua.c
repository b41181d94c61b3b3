/* tools/mta/ua.c: `x400ms-mta ua`, a user agent without a message store
 * speaking P3 (X.411 over X.419 mts-access): it binds as an MTS-user
 * (initiator-name user-agent = its O/R address, simple password), submits
 * messages with message-submission (3), and answers the message-delivery
 * (5) and report-delivery (6) the MS invokes on it while it is bound
 * (X.411 8.3: the MTS is the invoker), printing one line per delivery:
 *
 *   bound
 *   submitted 1: accepted
 *   received message-delivery from=/C=XX/.../S=alice/ subject=hello priority=0 length=612
 *   received report-delivery subject-id=... delivered=1 non-delivered=0
 *   submitted=1 accepted=1 received=2 failed=0
 *
 * It stays bound until the submissions are answered and --receive N
 * deliveries arrived, or --wait seconds passed, then releases. Everything
 * OSI runs on the stack's loop thread; the main thread waits for the end. */
#define X400MS_LOG_MODULE "x400ms-mta"
#include <getopt.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "asn1/ipms.h"
#include "asn1/mts.h"
#include "asn1/orname.h"
#include "modules/protocol/p3/mtsac.h"
#include "modules/protocol/p3/mtsutil.h"
#include "tools/mta/mta.h"
#include "x400ms/assoc.h"
#include "x400ms/log.h"

#define UA_MAX_TO 32

struct ua_params {
    char host[256];
    int port;
    const char *bind, *password, *subject, *from, *new_password, *old_password;
    long submit, receive, size, wait_s;
    long max_content_length;         /* delivery-control, -1: none */
    bool reliable, is94, report, refuse, probe;
};

struct ua_run {
    struct ua_params p;
    struct x400ms_core *core;
    struct x400ms_app_context ac;
    struct x400ms_assoc *a;
    struct x400ms_timer *deadline;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool finished, releasing, bound, cred_pending;
    long submitted, accepted, received, failed, answered;
    struct or_address self, from, to[UA_MAX_TO];
    size_t n_to;
    uint8_t *bind_arg;
    size_t bind_arg_len;
    char first_error[400];
};

#define note_error(r, ...) mta_note_error((r)->first_error, sizeof (r)->first_error, __VA_ARGS__)

/* One line per event on stdout, flushed at once: tests wait for them. */
static void say(const char *fmt, ...) X400MS_PRINTF(1, 2);
static void say(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
    fflush(stdout);
}

static void finish(struct ua_run *r)
{
    pthread_mutex_lock(&r->lock);
    r->finished = true;
    pthread_cond_broadcast(&r->cond);
    pthread_mutex_unlock(&r->lock);
}

/* ---- building the PDUs ---- */

static int build_bind(struct ua_run *r)
{
    struct mts_object_name me = { .kind = MTS_OBJ_USER_AGENT, .orname = r->self };
    return mta_encode_bind(&me, r->p.password, &r->bind_arg, &r->bind_arg_len);
}

/* MessageSubmissionArgument (X.411 8.2.1.1.1): the envelope names us as
 * originator and every --to as recipient. */
static int build_submission(const struct ua_run *r, long index, struct ber_writer *w)
{
    char subject[256];
    if (r->p.submit > 1)
        snprintf(subject, sizeof subject, "%s %ld", r->p.subject, index);
    else
        snprintf(subject, sizeof subject, "%s", r->p.subject);
    struct ber_writer cw;
    ber_writer_init(&cw);
    int rc = mta_encode_ipm(&cw, "x400ms-mta-ua", subject, r->p.size);
    struct mts_submission_recipient rcpts[UA_MAX_TO];
    memset(rcpts, 0, sizeof rcpts);
    for (size_t i = 0; i < r->n_to; i++) {
        rcpts[i].recipient_name = r->to[i];
        rcpts[i].originator_report_request =
            MTS_ORR_NON_DELIVERY_REPORT | (r->p.report ? MTS_ORR_REPORT : 0);
    }
    struct mts_submission_arg a;
    memset(&a, 0, sizeof a);
    a.envelope.originator_name = r->from; /* --from, else the bound address */
    a.envelope.content_type.present = true;
    a.envelope.content_type.builtin = true;
    a.envelope.content_type.builtin_value = MTS_CONTENT_P22_1988;
    a.envelope.priority = MTS_PRIORITY_NORMAL;
    a.envelope.recipient_array = rcpts;
    a.envelope.n_recipient_array = (uint32_t)r->n_to;
    a.content.bytes = ber_writer_slice(&cw);
    if (rc >= 0 && r->p.probe) {
        /* ProbeSubmissionArgument (X.411 8.2.1.2.1): the envelope alone,
         * with the content length the message would have */
        a.envelope.has_content_length = true;
        a.envelope.content_length = (int64_t)ber_writer_len(&cw);
        rc = mts_probe_submission_arg_encode(w, &a.envelope);
    } else if (rc >= 0) {
        rc = mts_submission_arg_encode(w, &a);
    }
    if (rc >= 0 && w->error != 0)
        rc = w->error;
    ber_writer_free(&cw);
    return rc;
}

/* ---- the association (loop thread) ---- */

static void maybe_end(struct ua_run *r)
{
    if (r->a == NULL || r->releasing)
        return;
    bool done_submitting = r->answered >= r->p.submit && !r->cred_pending;
    bool done_receiving = r->p.receive < 0 || r->received >= r->p.receive;
    if (!done_submitting || !done_receiving)
        return;
    r->releasing = true;
    if (x400ms_assoc_release(r->a, X400MS_NO_BYTES) < 0)
        x400ms_assoc_abort(r->a, "release failed");
}

static void submitted(void *arg, struct x400ms_assoc *a, const struct x400ms_outcome *o)
{
    (void)a;
    struct ua_run *r = arg;
    r->answered++;
    if (o->kind == X400MS_OUTCOME_RESULT) {
        r->accepted++;
        struct mts_submission_result res;
        struct ber_error be = { 0 };
        char id[64] = "?";
        if (mts_submission_result_decode(ber_slice_make(o->result.ptr, o->result.len), &res,
                                         &be) >= 0)
            snprintf(id, sizeof id, "%.*s", (int)res.identifier.local.len,
                     (const char *)res.identifier.local.ptr);
        say("submitted %ld: accepted mts-id=%s", r->answered, id);
    } else {
        r->failed++;
        if (o->kind == X400MS_OUTCOME_ERROR) {
            say("submitted %ld: error %" PRId64 "%s", r->answered, o->errcode,
                o->errcode == MTS_ERR_ORIGINATOR_INVALID ? " (originator-invalid)"
                : o->errcode == MTS_ERR_RECIPIENT_IMPROPERLY_SPECIFIED
                    ? " (recipient-improperly-specified)"
                    : "");
            note_error(r, "%s error %" PRId64, r->p.probe ? "probe-submission" : "message-submission",
                       o->errcode);
        } else if (o->kind == X400MS_OUTCOME_REJECT) {
            note_error(r, "message-submission rejected (ROSE problem 0x%x)", (unsigned)o->problem);
        } else {
            note_error(r, "association ended before the submission's answer");
        }
    }
    if (o->kind != X400MS_OUTCOME_ENDED)
        maybe_end(r);
}

static void controlled(void *arg, struct x400ms_assoc *a, const struct x400ms_outcome *o)
{
    (void)a;
    struct ua_run *r = arg;
    if (o->kind != X400MS_OUTCOME_RESULT) {
        note_error(r, "delivery-control refused");
        return;
    }
    /* DeliveryControlResult: Waiting's waiting-operations [0] */
    uint32_t ops = 0, msgs = 0;
    struct ber_error be = { 0 };
    struct ber_ctx c;
    struct ber_tlv top, t;
    struct ber_iter it;
    ber_ctx_init(&c, o->result.ptr, o->result.len, &be);
    if (o->result.len > 0 && ber_decode_top(&c, &top, "DeliveryControlResult") >= 0 &&
        ber_enter(&c, &top, &it, "DeliveryControlResult") >= 0) {
        while (ber_next(&it, &t) > 0) {
            if (t.tag == BER_CTX(0))
                ber_get_bits_u32(&c, &t, "waiting-operations", &ops);
            else if (t.tag == BER_CTX(1))
                ber_get_bits_u32(&c, &t, "waiting-messages", &msgs);
        }
    }
    say("delivery-control: waiting-operations=0x%x waiting-messages=0x%x", (unsigned)ops,
        (unsigned)msgs);
}

static void credentials_changed(void *arg, struct x400ms_assoc *a, const struct x400ms_outcome *o)
{
    (void)a;
    struct ua_run *r = arg;
    if (o->kind == X400MS_OUTCOME_RESULT) {
        say("change-credentials: done");
    } else {
        r->failed++;
        say("change-credentials: error %" PRId64 "%s", o->kind == X400MS_OUTCOME_ERROR ? o->errcode : -1,
            o->errcode == MTS_ERR_OLD_CREDENTIALS_INCORRECTLY_SPECIFIED
                ? " (old-credentials-incorrectly-specified)"
                : "");
        note_error(r, "change-credentials refused");
    }
    r->cred_pending = false;
    if (o->kind != X400MS_OUTCOME_ENDED)
        maybe_end(r);
}

/* ChangeCredentialsArgument (X.411 8.4.1.2.1): old and new simple passwords. */
static void change_credentials(struct ua_run *r)
{
    struct mts_credentials oldc, newc;
    memset(&oldc, 0, sizeof oldc);
    memset(&newc, 0, sizeof newc);
    oldc.kind = newc.kind = MTS_CRED_SIMPLE;
    const char *old = r->p.old_password ? r->p.old_password : r->p.password;
    oldc.password = ber_slice_make(old, strlen(old));
    newc.password = ber_slice_make(r->p.new_password, strlen(r->p.new_password));
    struct ber_writer w;
    ber_writer_init(&w);
    ber_mark_t m = ber_mark(&w);
    mts_credentials_encode(&w, 1, &newc);
    mts_credentials_encode(&w, 0, &oldc);
    ber_wrap(&w, m, BER_UNIV(BER_SET), true);
    if (w.error != 0 ||
        x400ms_assoc_invoke(r->a, MTS_OP_CHANGE_CREDENTIALS,
                            X400MS_BYTES(ber_writer_data(&w), ber_writer_len(&w)),
                            r->ac.syntaxes[3].oid /* mase */, credentials_changed, r, NULL) < 0) {
        note_error(r, "cannot invoke change-credentials");
        r->failed++;
    } else {
        r->cred_pending = true;
    }
    ber_writer_free(&w);
}

static void start_work(struct ua_run *r)
{
    if (r->p.new_password != NULL)
        change_credentials(r);
    if (r->p.max_content_length >= 0) {
        /* DeliveryControlArgument: restrict TRUE (default), maximum length */
        uint8_t buf[32];
        struct ber_writer w;
        ber_writer_init_fixed(&w, buf, sizeof buf);
        ber_mark_t m = ber_mark(&w);
        ber_put_int64(&w, BER_CTX(2), r->p.max_content_length);
        ber_wrap(&w, m, BER_UNIV(BER_SET), true);
        if (x400ms_assoc_invoke(r->a, MTS_OP_SUBMISSION_CONTROL /* delivery-control, 2 */,
                                X400MS_BYTES(ber_writer_data(&w), ber_writer_len(&w)),
                                r->ac.syntaxes[2].oid, controlled, r, NULL) < 0)
            note_error(r, "cannot invoke delivery-control");
    }
    for (long i = 0; i < r->p.submit; i++) {
        struct ber_writer w;
        ber_writer_init(&w);
        int rc = build_submission(r, i + 1, &w);
        if (rc >= 0)
            rc = x400ms_assoc_invoke(r->a,
                                     r->p.probe ? MTS_OP_PROBE_SUBMISSION : MTS_OP_MESSAGE_SUBMISSION,
                                     X400MS_BYTES(ber_writer_data(&w), ber_writer_len(&w)),
                                     "2.6.0.2.1", submitted, r, NULL);
        ber_writer_free(&w);
        if (rc < 0) {
            note_error(r, "cannot invoke message-submission (%d)", rc);
            r->failed++;
            r->answered++;
            continue;
        }
        r->submitted++;
    }
    maybe_end(r);
}

static void on_confirm(void *ctx, struct x400ms_assoc *a, const struct x400ms_connect_result *res)
{
    struct ua_run *r = ctx;
    if (res->status == X400MS_CONNECT_ACCEPTED) {
        r->a = a;
        r->bound = true;
        say("bound");
        start_work(r);
        return;
    }
    mta_note_refusal(r->first_error, sizeof r->first_error, res);
    finish(r);
}

static void on_released(void *ctx, struct x400ms_assoc *a)
{
    (void)a;
    struct ua_run *r = ctx;
    r->a = NULL;
    finish(r);
}

static void on_aborted(void *ctx, struct x400ms_assoc *a, const struct x400ms_abort_info *why)
{
    (void)a;
    struct ua_run *r = ctx;
    r->a = NULL;
    if (!r->releasing)
        note_error(r, "association aborted: %s", why && why->reason ? why->reason : "no reason");
    finish(r);
}

static void print_message(const struct x400ms_invoke *inv)
{
    struct mts_delivery_arg d;
    struct ber_error be = { 0 };
    if (mts_delivery_arg_decode(ber_slice_make(inv->argument.ptr, inv->argument.len), &d, &be) < 0) {
        say("received message-delivery (argument does not decode)");
        return;
    }
    struct x400ms_store_attrs attrs;
    struct mtsu_attr_buf *buf = calloc(1, sizeof *buf);
    struct x400ms_error err = { 0 };
    memset(&attrs, 0, sizeof attrs);
    struct ber_slice content = d.content.bytes;
    if (buf != NULL && mtsu_delivery_attrs(&d, content, &attrs, buf, &err) >= 0)
        say("received message-delivery from=%s to=%s subject=%s priority=%d length=%" PRIu64,
            attrs.originator ? attrs.originator : "", attrs.this_recipient ? attrs.this_recipient : "",
            attrs.subject ? attrs.subject : "", d.priority, attrs.content_length);
    else
        say("received message-delivery (attributes: %s)", buf ? err.message : "out of memory");
    free(buf);
}

static void print_report(const struct x400ms_invoke *inv)
{
    struct mts_report_delivery_arg rd;
    struct ber_error be = { 0 };
    if (mts_report_delivery_arg_decode(ber_slice_make(inv->argument.ptr, inv->argument.len), &rd,
                                       &be) < 0) {
        say("received report-delivery (argument does not decode)");
        return;
    }
    long delivered = 0, non_delivered = 0;
    struct mhs_seq_iter i;
    struct mts_report_recipient rr;
    mhs_seq_iter_init(&i, &rd.recipients, &be);
    while (mts_report_recipient_next(&i, &rr) > 0) {
        if (rr.delivered)
            delivered++;
        else
            non_delivered++;
    }
    say("received report-delivery subject-id=%.*s delivered=%ld non-delivered=%ld",
        (int)rd.subject_submission_identifier.local.len,
        (const char *)rd.subject_submission_identifier.local.ptr, delivered, non_delivered);
}

/* The MS (as the MTS) invokes message-delivery / report-delivery. */
static void on_invoke(void *ctx, struct x400ms_assoc *a, const struct x400ms_invoke *inv)
{
    struct ua_run *r = ctx;
    if (inv->opcode != MTS_OP_MESSAGE_DELIVERY && inv->opcode != MTS_OP_REPORT_DELIVERY) {
        x400ms_assoc_reject(a, inv->invoke_id, X400MS_ROSE_INVOKE_UNRECOGNIZED_OPERATION);
        return;
    }
    if (r->p.refuse) {
        /* --refuse: this UA cannot take deliveries now */
        say("refused %s", inv->opcode == MTS_OP_MESSAGE_DELIVERY ? "message-delivery"
                                                                 : "report-delivery");
        x400ms_assoc_error(a, inv->invoke_id, MTS_ERR_DELIVERY_CONTROL_VIOLATED, X400MS_NO_BYTES);
        r->received++;
        maybe_end(r);
        return;
    }
    if (inv->opcode == MTS_OP_MESSAGE_DELIVERY && r->p.max_content_length >= 0) {
        /* the MS may push before our delivery-control reached it: what breaks
         * the controls gets delivery-control-violated (X.411 8.3.1.1.3) */
        struct mts_delivery_arg d;
        struct ber_error be = { 0 };
        if (mts_delivery_arg_decode(ber_slice_make(inv->argument.ptr, inv->argument.len), &d,
                                    &be) >= 0) {
            size_t n = d.content.bytes.len > 0 || d.content.tlv.len == 0 ? d.content.bytes.len
                                                                          : d.content.str.nbytes;
            if (n > (size_t)r->p.max_content_length) {
                say("refused message-delivery (content length %zu above %ld)", n,
                    r->p.max_content_length);
                x400ms_assoc_error(a, inv->invoke_id, MTS_ERR_DELIVERY_CONTROL_VIOLATED,
                                   X400MS_NO_BYTES);
                return;
            }
        }
    }
    if (inv->opcode == MTS_OP_MESSAGE_DELIVERY) {
        print_message(inv);
        /* MessageDeliveryResult ::= SET { all OPTIONAL } */
        static const uint8_t empty_set[] = { 0x31, 0x00 };
        x400ms_assoc_reply(a, inv->invoke_id, X400MS_BYTES(empty_set, sizeof empty_set));
    } else {
        print_report(inv);
        /* ReportDeliveryResult ::= CHOICE { empty-result NULL, ... } */
        static const uint8_t null_result[] = { 0x05, 0x00 };
        x400ms_assoc_reply(a, inv->invoke_id, X400MS_BYTES(null_result, sizeof null_result));
    }
    r->received++;
    maybe_end(r);
}

static void on_deadline(struct ua_run *r)
{
    r->deadline = NULL;
    if (r->a != NULL && !r->releasing) {
        r->releasing = true;
        if (x400ms_assoc_release(r->a, X400MS_NO_BYTES) < 0)
            x400ms_assoc_abort(r->a, "release failed");
    } else if (r->a == NULL && !r->bound) {
        note_error(r, "no answer to the bind within --wait");
        finish(r);
    }
}

/* finish() was called (under r->lock). */
static bool finished(void *arg)
{
    const struct ua_run *r = arg;
    return r->finished;
}

static void start(void *arg)
{
    struct ua_run *r = arg;
    struct x400ms_assoc_request req;
    memset(&req, 0, sizeof req);
    req.size = sizeof req;
    req.host = r->p.host;
    req.port = r->p.port;
    req.context = &r->ac;
    req.ctx = r;
    req.bind_argument = X400MS_BYTES(r->bind_arg, r->bind_arg_len);
    req.timeout_ms = 30000;
    req.confirm = on_confirm;
    struct x400ms_error err = { 0 };
    if (x400ms_assoc_connect(r->core, &req, &err) < 0) {
        note_error(r, "connect: %s", err.message);
        finish(r);
        return;
    }
    r->deadline = x400ms_timer_add(x400ms_core_loop(r->core, 0), (uint64_t)r->p.wait_s * 1000,
                                   false, on_deadline, r);
}

int mta_ua_main(int argc, char **argv)
{
    static const struct option opts[] = {
        { "host", required_argument, NULL, 'H' },     { "bind", required_argument, NULL, 'b' },
        { "password", required_argument, NULL, 'p' }, { "to", required_argument, NULL, 't' },
        { "submit", required_argument, NULL, 'n' },   { "receive", required_argument, NULL, 'r' },
        { "size", required_argument, NULL, 's' },     { "subject", required_argument, NULL, 'S' },
        { "wait", required_argument, NULL, 'w' },     { "context", required_argument, NULL, 'x' },
        { "reliable", no_argument, NULL, 'R' },       { "report", no_argument, NULL, 'D' },
        { "refuse", no_argument, NULL, 'F' },         { "from", required_argument, NULL, 'f' },
        { "probe", no_argument, NULL, 'P' },
        { "new-password", required_argument, NULL, 'N' },
        { "old-password", required_argument, NULL, 'O' },
        { "max-content-length", required_argument, NULL, 'M' },
        { NULL, 0, NULL, 0 },
    };
    static struct ua_run run; /* lives until exit: late callbacks never see freed memory */
    struct ua_run *r = &run;
    struct ua_params *p = &r->p;
    p->size = 500;
    p->receive = -1;
    p->wait_s = 30;
    p->max_content_length = -1;
    p->subject = "x400ms-mta ua message";
    const char *hostport = NULL;
    struct x400ms_error err = { 0 };
    int ch;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "H:", opts, NULL)) != -1) {
        switch (ch) {
        case 'H': hostport = optarg; break;
        case 'b': p->bind = optarg; break;
        case 'p': p->password = optarg; break;
        case 't':
            if (r->n_to == UA_MAX_TO ||
                or_address_parse(optarg, strlen(optarg), &r->to[r->n_to++], &err) < 0) {
                fprintf(stderr, "x400ms-mta ua: --to %s: %s\n", optarg,
                        err.message[0] ? err.message : "too many recipients");
                return 2;
            }
            break;
        case 'n': p->submit = atol(optarg); break;
        case 'r': p->receive = atol(optarg); break;
        case 's': p->size = atol(optarg); break;
        case 'S': p->subject = optarg; break;
        case 'w': p->wait_s = atol(optarg); break;
        case 'x': p->is94 = strcmp(optarg, "94") == 0; break;
        case 'R': p->reliable = true; break;
        case 'D': p->report = true; break;
        case 'F': p->refuse = true; break;
        case 'f': p->from = optarg; break;
        case 'P': p->probe = true; break;
        case 'N': p->new_password = optarg; break;
        case 'O': p->old_password = optarg; break;
        case 'M': p->max_content_length = atol(optarg); break;
        default: return 2;
        }
    }
    if (mta_parse_hostport(hostport, p->host, sizeof p->host, &p->port) < 0 ||
        p->bind == NULL || p->password == NULL) {
        fprintf(stderr, "x400ms-mta ua: -H HOST:PORT, --bind ORADDR and --password are required\n");
        return 2;
    }
    if (p->submit > 0 && r->n_to == 0) {
        fprintf(stderr, "x400ms-mta ua: --submit needs at least one --to\n");
        return 2;
    }
    if (p->port <= 0 || p->submit < 0 || p->wait_s < 1) {
        fprintf(stderr, "x400ms-mta ua: bad port, --submit or --wait\n");
        return 2;
    }
    if (or_address_parse(p->bind, strlen(p->bind), &r->self, &err) < 0) {
        fprintf(stderr, "x400ms-mta ua: --bind: %s\n", err.message);
        return 2;
    }
    r->from = r->self;
    if (p->from != NULL && or_address_parse(p->from, strlen(p->from), &r->from, &err) < 0) {
        fprintf(stderr, "x400ms-mta ua: --from: %s\n", err.message);
        return 2;
    }
    if (build_bind(r) < 0) {
        fprintf(stderr, "x400ms-mta ua: cannot build the MTS-bind argument\n");
        return 2;
    }

    memset(&r->ac, 0, sizeof r->ac);
    mtsac_set(&r->ac, MTSAC_ACCESS, p->reliable, p->is94);
    r->ac.max_own_invokes = 64;
    r->ac.max_peer_invokes = 32;
    r->ac.invoke = on_invoke;
    r->ac.released = on_released;
    r->ac.aborted = on_aborted;
    pthread_mutex_init(&r->lock, NULL);
    pthread_cond_init(&r->cond, NULL);

    if (mta_stack_start(p->reliable, &r->core, &err) < 0) {
        fprintf(stderr, "x400ms-mta: cannot start the OSI stack: %s\n", err.message);
        return 1;
    }
    if (mta_loop_run(r->core, start, r, &r->lock, &r->cond, finished) < 0)
        return 1;
    mta_stack_stop(&r->core);

    if (r->first_error[0] != '\0')
        fprintf(stderr, "x400ms-mta: %s\n", r->first_error);
    printf("submitted=%ld accepted=%ld received=%ld failed=%ld\n", r->submitted, r->accepted,
           r->received, r->failed);
    fflush(stdout);
    bool ok = r->bound && r->failed == 0 && r->accepted == p->submit &&
              (p->receive < 0 || r->received >= p->receive);
    return ok ? 0 : 1;
}
