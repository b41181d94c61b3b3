/* tools/mta/serve.c: `x400ms-mta serve`. Acts as the upstream MTA of the
 * MS's P3 submission initiator: accepts mts-access associations (X.419:
 * 88 2.6.0.1.0, 94 2.6.0.1.7) whose MTS-bind (X.411 8.1.1) names the
 * configured MTA with its simple password, answers message-submission
 * (X.411 8.2.1.1, opcode 3) with a MessageSubmissionResult carrying its own
 * MTSIdentifier and message-submission-time, probe-submission (8.2.1.2,
 * opcode 4) with a ProbeSubmissionResult, and writes one JSON line per
 * submission taken. Messages are not relayed anywhere: it is a sink for
 * tests and for operators checking a configuration. */
#define X400MS_LOG_MODULE "x400ms-mta"
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "asn1/mts.h"
#include "asn1/orname.h"
#include "modules/protocol/p3/mtsac.h"
#include "tools/mta/mta.h"
#include "x400ms/assoc.h"
#include "x400ms/log.h"

struct serve {
    const char *mta_name, *password, *name;
    char *changed_password;         /* set by change-credentials: later binds need it */
    FILE *out;
    uint64_t seq;
    unsigned long submissions, refused_binds, refused_submissions;
    /* --refuse: bind -> every MTS-bind gets MTSBindError busy (X.411
     * 8.1.1.1.3); submission[=CODE] -> every message/probe-submission gets
     * X.411 error CODE (default recipient-improperly-specified, 8.2.2.5,
     * naming every recipient) */
    bool refuse_bind;
    int64_t refuse_submission;      /* 0: take submissions */
    /* --report-after-submit: after the result of a message-submission,
     * report-delivery (X.411 8.3.1.2, opcode 6) on the same association: a
     * delivery report for every recipient, as if it had been delivered */
    bool report_after_submit;
    unsigned long reports_sent, reports_acknowledged;
};

static const int64_t access_ops[] = { MTS_OP_MESSAGE_SUBMISSION, MTS_OP_PROBE_SUBMISSION,
                                      MTS_OP_SUBMISSION_CONTROL, MTS_OP_REGISTER,
                                      MTS_OP_CHANGE_CREDENTIALS };

static bool slice_is(struct ber_slice s, const char *text)
{
    size_t n = strlen(text);
    return s.len == n && (n == 0 || memcmp(s.ptr, text, n) == 0);
}

/* X.411 8.1.1: the initiator must be the configured MTA (mTA name form) with
 * its simple password; anything else is authentication-error (8.1.1.1.3). */
static int serve_bind(void *ctx, struct x400ms_assoc *a, const struct x400ms_bind_request *req)
{
    struct serve *s = ctx;
    struct mts_bind_arg b;
    struct ber_error berr = { 0 };
    const char *why = NULL;
    if (req->argument.ptr == NULL ||
        mts_bind_arg_decode(ber_slice_make(req->argument.ptr, req->argument.len), &b, &berr) < 0)
        why = "MTS-bind argument does not decode";
    else if (b.initiator_name.kind != MTS_OBJ_MTA ||
             !slice_is(ber_slice_make(b.initiator_name.mta.ptr, b.initiator_name.mta.len),
                       s->mta_name))
        why = "unknown initiator name";
    else if (b.credentials.kind != MTS_CRED_SIMPLE ||
             !slice_is(b.credentials.password, s->changed_password ? s->changed_password : s->password))
        why = "wrong password";
    if (why == NULL && s->refuse_bind) {
        s->refused_binds++;
        fprintf(stderr, "x400ms-mta serve: refused MTS-bind from %s: --refuse bind (busy)\n",
                x400ms_assoc_peer(a));
        struct ber_writer w;
        ber_writer_init(&w);
        int rc = mts_bind_error_encode(&w, MTS_BIND_BUSY);
        if (rc >= 0)
            rc = x400ms_assoc_bind_error(a, X400MS_BYTES(ber_writer_data(&w), ber_writer_len(&w)));
        ber_writer_free(&w);
        return rc < 0 ? rc : 0;
    }
    if (why != NULL) {
        s->refused_binds++;
        fprintf(stderr, "x400ms-mta serve: refused MTS-bind from %s: %s (authentication-error)\n",
                x400ms_assoc_peer(a), why);
        struct ber_writer w;
        ber_writer_init(&w);
        int rc = mts_bind_error_encode(&w, MTS_BIND_AUTHENTICATION_ERROR);
        if (rc >= 0)
            rc = x400ms_assoc_bind_error(a, X400MS_BYTES(ber_writer_data(&w), ber_writer_len(&w)));
        ber_writer_free(&w);
        return rc < 0 ? rc : 0;
    }
    struct mts_bind_result r;
    memset(&r, 0, sizeof r);
    r.responder_name.kind = MTS_OBJ_MTA;
    r.responder_name.mta = mhs_str_make(s->name, strlen(s->name), BER_IA5_STRING);
    struct ber_writer w;
    ber_writer_init(&w);
    int rc = mts_bind_result_encode(&w, &r);
    if (rc >= 0)
        rc = x400ms_assoc_bind_accept(a, X400MS_BYTES(ber_writer_data(&w), ber_writer_len(&w)));
    ber_writer_free(&w);
    fprintf(stderr, "x400ms-mta serve: MTS-bind from %s accepted\n", x400ms_assoc_peer(a));
    return rc < 0 ? rc : 0;
}

static json_t *orname_json(const struct or_address *o)
{
    char text[1024];
    if (or_address_format(o, OR_TEXT_SLASH, text, sizeof text) < 0)
        return json_string("(unprintable)");
    return json_string(text);
}

static void write_line(struct serve *s, const struct mts_submission_envelope *e, bool probe,
                       size_t content_length, const char *local_id, time_t now)
{
    json_t *rcpts = json_array();
    struct mhs_seq_iter it;
    struct ber_error berr = { 0 };
    struct mts_submission_recipient r;
    mhs_seq_iter_init(&it, &e->recipients, &berr);
    while (mts_submission_recipient_next(&it, &r) > 0)
        json_array_append_new(rcpts, orname_json(&r.recipient_name));
    json_t *ct;
    if (!e->content_type.present)
        ct = json_null();
    else if (e->content_type.builtin)
        ct = json_integer(e->content_type.builtin_value);
    else {
        char oid[256];
        ct = ber_oid_to_text(e->content_type.oid, oid, sizeof oid) < 0
                 ? json_string("(bad OID)")
                 : json_string(oid);
    }
    json_t *line = json_pack("{s:s, s:o, s:o, s:o, s:I, s:s, s:I, s:i}", "kind",
                             probe ? "probe" : "message", "originator",
                             orname_json(&e->originator_name), "recipients", rcpts,
                             "content_type", ct, "content_length", (json_int_t)content_length,
                             "mts_identifier", local_id, "time", (json_int_t)now, "priority",
                             e->priority);
    if (line != NULL && mhs_str_present(&e->content_identifier))
        json_object_set_new(line, "content_identifier",
                            json_stringn((const char *)e->content_identifier.ptr,
                                         e->content_identifier.len));
    char *text = line ? json_dumps(line, JSON_COMPACT) : NULL;
    if (text != NULL) {
        fprintf(s->out, "%s\n", text);
        fflush(s->out);
    }
    free(text);
    json_decref(line);
}

/* --refuse submission[=CODE]: the X.411 error instead of the result. */
static void refuse_submission(struct serve *s, struct x400ms_assoc *a,
                              const struct x400ms_invoke *inv,
                              const struct mts_submission_envelope *e, bool probe)
{
    struct ber_writer w;
    ber_writer_init(&w);
    if (s->refuse_submission == MTS_ERR_RECIPIENT_IMPROPERLY_SPECIFIED) {
        /* ImproperlySpecifiedRecipients ::= SEQUENCE SIZE (1..ub-recipients) OF ORAddressAndOrDirectoryName */
        struct or_address names[32];
        size_t n = 0;
        struct mhs_seq_iter it;
        struct ber_error berr = { 0 };
        struct mts_submission_recipient r;
        mhs_seq_iter_init(&it, &e->recipients, &berr);
        while (n < 32 && mts_submission_recipient_next(&it, &r) > 0)
            names[n++] = r.recipient_name;
        if (n > 0)
            mts_improper_recipients_encode(&w, names, n);
    }
    s->refused_submissions++;
    fprintf(stderr, "x400ms-mta serve: %s from %s refused: --refuse (X.411 error %lld)\n",
            probe ? "probe-submission" : "message-submission", x400ms_assoc_peer(a),
            (long long)s->refuse_submission);
    x400ms_assoc_error(a, inv->invoke_id, s->refuse_submission,
                       ber_writer_len(&w) ? X400MS_BYTES(ber_writer_data(&w), ber_writer_len(&w))
                                          : X400MS_NO_BYTES);
    ber_writer_free(&w);
}

static void report_done(void *arg, struct x400ms_assoc *a, const struct x400ms_outcome *o)
{
    struct serve *s = arg;
    if (o->kind == X400MS_OUTCOME_RESULT) {
        s->reports_acknowledged++;
        fprintf(stderr, "x400ms-mta serve: report-delivery to %s acknowledged\n",
                x400ms_assoc_peer(a));
    } else {
        fprintf(stderr, "x400ms-mta serve: report-delivery to %s not taken (outcome %d, "
                        "error %lld)\n", x400ms_assoc_peer(a), (int)o->kind, (long long)o->errcode);
    }
}

/* The delivery report on the submission `id` (X.411 8.3.1.2.1): subject
 * identifier, content type, one delivered line per recipient. */
static void send_report(struct serve *s, struct x400ms_assoc *a, const struct mts_identifier *id,
                        const struct mts_submission_envelope *e, time_t now)
{
    struct mts_report_recipient lines[32];
    size_t n = 0;
    struct mhs_seq_iter it;
    struct ber_error berr = { 0 };
    struct mts_submission_recipient r;
    mhs_seq_iter_init(&it, &e->recipients, &berr);
    while (n < 32 && mts_submission_recipient_next(&it, &r) > 0) {
        memset(&lines[n], 0, sizeof lines[n]);
        lines[n].actual_recipient = r.recipient_name;
        lines[n].delivered = true;
        lines[n].delivery_time = mhs_time_make(now);
        lines[n].diagnostic_code = -1;
        n++;
    }
    struct mts_report_delivery_arg rd;
    memset(&rd, 0, sizeof rd);
    rd.subject_submission_identifier = *id;
    rd.content_identifier = e->content_identifier;
    rd.content_type = e->content_type;
    rd.recipient_array = lines;
    rd.n_recipient_array = (uint32_t)n;
    struct ber_writer w;
    ber_writer_init(&w);
    int rc = n > 0 ? mts_report_delivery_arg_encode(&w, &rd) : X400MS_EINVAL;
    if (rc >= 0 && w.error == 0) {
        /* X.419: report-delivery goes on the delivery syntax, id-as-mdse-88
         * (2.6.0.2.2) or, on a 94 association, id-as-mdse-94 (2.6.0.2.14) */
        rc = x400ms_assoc_invoke(a, MTS_OP_REPORT_DELIVERY,
                                 X400MS_BYTES(ber_writer_data(&w), ber_writer_len(&w)),
                                 "2.6.0.2.2", report_done, s, NULL);
        if (rc < 0)
            rc = x400ms_assoc_invoke(a, MTS_OP_REPORT_DELIVERY,
                                     X400MS_BYTES(ber_writer_data(&w), ber_writer_len(&w)),
                                     "2.6.0.2.14", report_done, s, NULL);
    }
    if (rc >= 0) {
        s->reports_sent++;
        fprintf(stderr, "x400ms-mta serve: report-delivery (%zu recipient(s)) invoked on %s\n", n,
                x400ms_assoc_peer(a));
    } else {
        fprintf(stderr, "x400ms-mta serve: report-delivery not sent (%d)\n", rc);
    }
    ber_writer_free(&w);
}

/* X.411 8.2.1.1.2 / 8.2.1.2.2: the MTS identifier and submission time. */
static void serve_submission(struct serve *s, struct x400ms_assoc *a, const struct x400ms_invoke *inv)
{
    bool probe = inv->opcode == MTS_OP_PROBE_SUBMISSION;
    struct mts_submission_arg arg;
    struct ber_error berr = { 0 };
    struct ber_slice in = ber_slice_make(inv->argument.ptr, inv->argument.len);
    int rc = probe ? mts_probe_submission_arg_decode(in, &arg.envelope, &berr)
                   : mts_submission_arg_decode(in, &arg, &berr);
    if (rc < 0) {
        char why[256];
        fprintf(stderr, "x400ms-mta serve: %s: %s argument does not decode: %s\n",
                x400ms_assoc_peer(a), probe ? "probe-submission" : "message-submission",
                ber_error_format(&berr, why, sizeof why));
        x400ms_assoc_reject(a, inv->invoke_id, X400MS_ROSE_INVOKE_MISTYPED_ARGUMENT);
        return;
    }
    if (s->refuse_submission != 0) {
        refuse_submission(s, a, inv, &arg.envelope, probe);
        return;
    }
    time_t now = time(NULL);
    char local[MTS_UB_LOCAL_ID + 1];
    snprintf(local, sizeof local, "up%lx.%" PRIx64, (unsigned long)getpid(), ++s->seq);
    struct mts_submission_result res;
    memset(&res, 0, sizeof res);
    res.identifier.gdi.country = mhs_str_make("XX", 2, BER_PRINTABLE_STRING);
    res.identifier.gdi.admd = mhs_str_make(" ", 1, BER_PRINTABLE_STRING);
    res.identifier.gdi.prmd = mhs_str_make("UPSTREAM", 8, BER_PRINTABLE_STRING);
    res.identifier.local = mhs_str_make(local, strlen(local), BER_IA5_STRING);
    res.time = mhs_time_make(now);
    res.content_identifier = arg.envelope.content_identifier;
    struct ber_writer w;
    ber_writer_init(&w);
    rc = mts_submission_result_encode(&w, &res);
    if (rc < 0) {
        ber_writer_free(&w);
        x400ms_assoc_error(a, inv->invoke_id, MTS_ERR_OPERATION_REFUSED, X400MS_NO_BYTES);
        return;
    }
    /* the line before the result: the submitter counts a result as taken */
    write_line(s, &arg.envelope, probe, probe ? 0 : arg.content.bytes.len, local, now);
    s->submissions++;
    x400ms_assoc_reply(a, inv->invoke_id, X400MS_BYTES(ber_writer_data(&w), ber_writer_len(&w)));
    ber_writer_free(&w);
    if (s->report_after_submit && !probe)
        send_report(s, a, &res.identifier, &arg.envelope, now);
}

/* X.411 8.4.1.1 register: RegisterArgument ::= SET { user-name UserName
 * OPTIONAL, ... }; logged, answered with RegisterResult empty-result NULL. */
static void serve_register(struct serve *s, struct x400ms_assoc *a, const struct x400ms_invoke *inv)
{
    (void)s;
    struct ber_error berr = { 0 };
    struct ber_ctx c;
    struct ber_tlv top, t;
    struct ber_iter it;
    char name[512] = "(none)";
    ber_ctx_init(&c, inv->argument.ptr, inv->argument.len, &berr);
    int rc = ber_decode_top(&c, &top, "RegisterArgument");
    if (rc >= 0 && top.tag != BER_UNIV(BER_SET))
        rc = -1;
    if (rc >= 0)
        rc = ber_enter(&c, &top, &it, "RegisterArgument");
    while (rc >= 0 && (rc = ber_next(&it, &t)) > 0) {
        struct or_address n;
        if (t.tag == BER_APP(0) && or_name_decode_tlv(&c, &t, &n, "user-name") >= 0)
            or_address_format(&n, OR_TEXT_SLASH, name, sizeof name);
    }
    if (rc < 0) {
        fprintf(stderr, "x400ms-mta serve: register from %s: argument does not decode\n",
                x400ms_assoc_peer(a));
        x400ms_assoc_reject(a, inv->invoke_id, X400MS_ROSE_INVOKE_MISTYPED_ARGUMENT);
        return;
    }
    fprintf(stderr, "x400ms-mta serve: register from %s: user-name %s\n", x400ms_assoc_peer(a),
            name);
    static const uint8_t empty_result[] = { 0x05, 0x00 };
    x400ms_assoc_reply(a, inv->invoke_id, X400MS_BYTES(empty_result, sizeof empty_result));
}

/* X.411 8.4.1.2 change-credentials: SET { old [0], new [1] } simple
 * credentials; the old must be the current password (else
 * old-credentials-incorrectly-specified, 15); later binds need the new. */
static void serve_change_credentials(struct serve *s, struct x400ms_assoc *a,
                                     const struct x400ms_invoke *inv)
{
    struct ber_error berr = { 0 };
    struct ber_ctx c;
    struct ber_tlv top, t;
    struct ber_iter it;
    struct mts_credentials oldc, newc;
    bool have_old = false, have_new = false;
    ber_ctx_init(&c, inv->argument.ptr, inv->argument.len, &berr);
    int rc = ber_decode_top(&c, &top, "ChangeCredentialsArgument");
    if (rc >= 0)
        rc = ber_enter(&c, &top, &it, "ChangeCredentialsArgument");
    while (rc >= 0 && (rc = ber_next(&it, &t)) > 0) {
        if (t.tag == BER_CTX(0))
            have_old = mts_credentials_decode_tlv(&c, &t, &oldc, "old-credentials") >= 0;
        else if (t.tag == BER_CTX(1))
            have_new = mts_credentials_decode_tlv(&c, &t, &newc, "new-credentials") >= 0;
    }
    if (rc < 0 || !have_old || !have_new || oldc.kind != MTS_CRED_SIMPLE ||
        newc.kind != MTS_CRED_SIMPLE) {
        fprintf(stderr, "x400ms-mta serve: change-credentials from %s: argument does not "
                        "decode\n", x400ms_assoc_peer(a));
        x400ms_assoc_reject(a, inv->invoke_id, X400MS_ROSE_INVOKE_MISTYPED_ARGUMENT);
        return;
    }
    const char *current = s->changed_password ? s->changed_password : s->password;
    if (!slice_is(oldc.password, current)) {
        fprintf(stderr, "x400ms-mta serve: change-credentials from %s refused: "
                        "old-credentials-incorrectly-specified\n", x400ms_assoc_peer(a));
        x400ms_assoc_error(a, inv->invoke_id, MTS_ERR_OLD_CREDENTIALS_INCORRECTLY_SPECIFIED,
                           X400MS_NO_BYTES);
        return;
    }
    char *pw = strndup((const char *)newc.password.ptr, newc.password.len);
    if (pw == NULL) {
        x400ms_assoc_error(a, inv->invoke_id, MTS_ERR_NEW_CREDENTIALS_UNACCEPTABLE,
                           X400MS_NO_BYTES);
        return;
    }
    free(s->changed_password);
    s->changed_password = pw;
    fprintf(stderr, "x400ms-mta serve: change-credentials from %s accepted: later binds need "
                    "the new password\n", x400ms_assoc_peer(a));
    static const uint8_t null_result[] = { 0x05, 0x00 }; /* RESULT NULL */
    x400ms_assoc_reply(a, inv->invoke_id, X400MS_BYTES(null_result, sizeof null_result));
}

static void serve_invoke(void *ctx, struct x400ms_assoc *a, const struct x400ms_invoke *inv)
{
    struct serve *s = ctx;
    switch (inv->opcode) {
    case MTS_OP_MESSAGE_SUBMISSION:
    case MTS_OP_PROBE_SUBMISSION:
        serve_submission(s, a, inv);
        break;
    case MTS_OP_REGISTER:
        serve_register(s, a, inv);
        break;
    case MTS_OP_CHANGE_CREDENTIALS:
        serve_change_credentials(s, a, inv);
        break;
    case MTS_OP_SUBMISSION_CONTROL: {
        /* X.411 8.2.1.4.2: Waiting, all absent (nothing waits here) */
        static const uint8_t waiting[] = { 0x30, 0x00 };
        x400ms_assoc_reply(a, inv->invoke_id, X400MS_BYTES(waiting, sizeof waiting));
        break;
    }
    default:
        x400ms_assoc_reject(a, inv->invoke_id, X400MS_ROSE_INVOKE_UNRECOGNIZED_OPERATION);
    }
}

static void serve_released(void *ctx, struct x400ms_assoc *a)
{
    (void)ctx;
    fprintf(stderr, "x400ms-mta serve: %s released\n", x400ms_assoc_peer(a));
}

static void serve_aborted(void *ctx, struct x400ms_assoc *a, const struct x400ms_abort_info *why)
{
    (void)ctx;
    fprintf(stderr, "x400ms-mta serve: %s aborted (%s)\n", x400ms_assoc_peer(a),
            why && why->reason ? why->reason : "no reason");
}

static void ac_fill(struct x400ms_app_context *ac, bool reliable, bool is94)
{
    memset(ac, 0, sizeof *ac);
    mtsac_set(ac, MTSAC_ACCESS, reliable, is94);
    ac->opcodes = access_ops;
    ac->n_opcodes = sizeof access_ops / sizeof access_ops[0];
    ac->max_peer_invokes = 64;
    ac->max_own_invokes = 16; /* --report-after-submit */
    ac->bind = serve_bind;
    ac->invoke = serve_invoke;
    ac->released = serve_released;
    ac->aborted = serve_aborted;
}

static void usage(FILE *f)
{
    fprintf(f, "usage: x400ms-mta serve --listen HOST:PORT --mta-name NAME --password PW\n"
               "                        [--out FILE] [--name OURNAME]\n"
               "                        [--refuse bind|submission[=X.411-ERROR-CODE]]\n"
               "                        [--report-after-submit] [--reliable]\n");
}

int mta_serve_main(int argc, char **argv)
{
    static const struct option opts[] = {
        { "listen", required_argument, NULL, 'l' }, { "mta-name", required_argument, NULL, 'm' },
        { "password", required_argument, NULL, 'p' }, { "out", required_argument, NULL, 'o' },
        { "name", required_argument, NULL, 'n' },   { "help", no_argument, NULL, 'h' },
        { "refuse", required_argument, NULL, 'r' },
        { "report-after-submit", no_argument, NULL, 'R' },
        { "reliable", no_argument, NULL, 'L' },
        { NULL, 0, NULL, 0 },
    };
    struct serve s = { .name = "x400ms-mta", .out = stdout };
    char host[256] = "";
    int port = 0;
    const char *out_path = NULL;
    bool reliable = false;
    int c;
    while ((c = getopt_long(argc, argv, "l:m:p:o:n:h", opts, NULL)) != -1) {
        switch (c) {
        case 'l': {
            const char *colon = strrchr(optarg, ':');
            if (colon == NULL || (size_t)(colon - optarg) >= sizeof host ||
                (port = atoi(colon + 1)) <= 0 || port > 65535) {
                fprintf(stderr, "x400ms-mta serve: --listen expects HOST:PORT\n");
                return 2;
            }
            memcpy(host, optarg, (size_t)(colon - optarg));
            host[colon - optarg] = '\0';
            break;
        }
        case 'm': s.mta_name = optarg; break;
        case 'p': s.password = optarg; break;
        case 'o': out_path = optarg; break;
        case 'n': s.name = optarg; break;
        case 'R': s.report_after_submit = true; break;
        case 'L': reliable = true; break;
        case 'r':
            if (strcmp(optarg, "bind") == 0) {
                s.refuse_bind = true;
            } else if (strcmp(optarg, "submission") == 0) {
                s.refuse_submission = MTS_ERR_RECIPIENT_IMPROPERLY_SPECIFIED;
            } else if (strncmp(optarg, "submission=", 11) == 0 && atoi(optarg + 11) > 0) {
                s.refuse_submission = atoi(optarg + 11);
            } else {
                fprintf(stderr, "x400ms-mta serve: --refuse expects bind, submission or "
                                "submission=CODE (an X.411 error code, e.g. 5)\n");
                return 2;
            }
            break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (host[0] == '\0' || s.mta_name == NULL || s.password == NULL) {
        usage(stderr);
        return 2;
    }
    if (out_path != NULL && (s.out = fopen(out_path, "a")) == NULL) {
        fprintf(stderr, "x400ms-mta serve: %s: %s\n", out_path, strerror(errno));
        return 1;
    }
    /* the loop thread inherits the mask: only this thread takes the signals */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    static struct x400ms_app_context ac88, ac94, acr88, acr94;
    ac_fill(&ac88, false, false);
    ac_fill(&ac94, false, true);
    ac_fill(&acr88, true, false);
    ac_fill(&acr94, true, true);
    const struct x400ms_app_context *const acs[] = { &ac88, &ac94, &acr88, &acr94 };
    struct mta_stack_opts o = { .rtse = reliable, .listen_host = host, .listen_port = port,
                                .contexts = acs, .n_contexts = reliable ? 4 : 2, .ctx = &s };
    struct x400ms_core *core = NULL;
    struct x400ms_error err = { 0 };
    int rc = mta_stack_start_opts(&o, &core, &err);
    if (rc < 0) {
        fprintf(stderr, "x400ms-mta serve: cannot start: %s\n", err.message);
        if (out_path != NULL)
            fclose(s.out);
        return 1;
    }
    fprintf(stderr, "x400ms-mta serve: listening on %s:%d as MTA %s\n", host, port, s.name);
    int sig = 0;
    sigwait(&set, &sig);
    mta_stack_stop(&core);
    fprintf(stderr, "x400ms-mta serve: stopped (signal %d): submissions=%lu refused_binds=%lu "
                    "refused_submissions=%lu reports=%lu/%lu\n", sig, s.submissions,
            s.refused_binds, s.refused_submissions, s.reports_acknowledged, s.reports_sent);
    if (out_path != NULL)
        fclose(s.out);
    free(s.changed_password);
    return 0;
}
