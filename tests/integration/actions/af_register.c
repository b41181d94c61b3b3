/* A helper of actions.sh: registers ipm-auto-forward (2.6.4.4.0) over P7
 * Register-MS (X.413 8.2.7) with the client library, the parameter in BER as
 * X.420 clause 19 writes it (IPMSAutoActionTypes, EXPLICIT tags):
 *
 *   af_register PORT MAILBOX_ADDRESS PASSWORD FORM FORWARD_TO FILTER_ORIGINATOR
 *
 * FORM 1994: IPMAutoForwardRegistrationParameter with a filter over
 *   non-integer attributes (and { subject substrings initial "FWD",
 *   originator-name = FILTER_ORIGINATOR (an ORName), creation-time >=
 *   2001-09-09 (a UTCTime) }), an envelope to FORWARD_TO, priority urgent,
 *   report requested, heading subject "Forwarded by P7", an IA5 cover note
 *   "cover from P7", nrn-comment "Auto-forwarded" and the
 *   delete-delivered-object option.
 * FORM 1988: AutoForwardRegistrationParameter88 with the same filter, the
 *   AutoForwardArguments to FORWARD_TO and forwarding-information (an
 *   OCTET STRING holding ForwardingInformation1988: comment, IA5 cover
 *   note "cover 88" and this-ipm-prefix "P88-"), registration identifier 2.
 * FORM conflict: the 1994 form with preserve-retrieval-status and
 *   delete-delivered-object together (X.420 19: refused).
 * FORM full: the 1994 form without a filter, every field set to something
 *   the forward must carry (X.420 19): a forwarding-envelope with
 *   content-identifier "cid-42", priority non-urgent, per-message-indicators
 *   implicit-conversion-prohibited and alternate-recipient-allowed,
 *   deferred-delivery-time 2030-01-01, FORWARD_TO with both report requests
 *   and explicit-conversion 0; a forwarding-heading with originator (the
 *   mailbox), authorizing-users FILTER_ORIGINATOR, primary FORWARD_TO,
 *   copy FILTER_ORIGINATOR, related IPM "rel-1", subject "Full heading",
 *   expiry-time 2031-01-01, reply-time 2030-06-01, reply-recipients the
 *   mailbox, importance high, sensitivity company-confidential and the
 *   STANAG 4406 primary-precedence extension (3); a bilateral body part
 *   "bilateral cover" as cover note; submission-options object-entry-class
 *   submission; ipm-auto-forward-options preserve-retrieval-status.
 * FORM groups: the full form with submission-options
 *   add-message-group-names (not supported here: refused).
 * Exit 0 when the MS accepted, 3 when it refused (error printed), 1 on a
 * local failure. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asn1/ber.h"
#include "asn1/ipms.h"
#include "asn1/mhs.h"
#include "asn1/orname.h"
#include "x400ms/client.h"

static void put_orname(struct ber_writer *w, const char *text)
{
    struct or_address a;
    struct x400ms_error err = { 0 };
    if (or_address_parse(text, strlen(text), &a, &err) < 0) {
        fprintf(stderr, "bad O/R address %s: %s\n", text, err.message);
        exit(1);
    }
    or_name_encode(w, BER_APP(0), &a);
}

/* Filter: and { item substrings, item equality, item greater-or-equal },
 * in the tagging the project's X.413 codec reads (asn1/ms.asn: every tag of
 * Filter and FilterItem explicit). Pushed backwards: the writer prepends. */
static void put_item(struct ber_writer *w, ber_mark_t item, ber_mark_t inner, unsigned kind)
{
    ber_wrap(w, inner, BER_UNIV(BER_SEQUENCE), true); /* AttributeValueAssertion / substrings */
    ber_wrap(w, inner, BER_CTX(kind), true);           /* FilterItem alternative */
    ber_wrap(w, item, BER_CTX(0), true);               /* Filter item [0] */
}

static void put_filter(struct ber_writer *w, const char *originator)
{
    ber_mark_t and = ber_mark(w), m, x;
    /* item greater-or-equal [2] { creation-time, UTCTime } */
    m = ber_mark(w);
    x = ber_mark(w);
    ber_put_utctime(w, BER_UNIV(BER_UTC_TIME), 1000000000);
    ber_put_oid_text(w, BER_UNIV(BER_OID), "2.6.4.3.11");
    put_item(w, m, x, 2);
    /* item equality [0] { originator-name, ORName } */
    m = ber_mark(w);
    x = ber_mark(w);
    put_orname(w, originator);
    ber_put_oid_text(w, BER_UNIV(BER_OID), "2.6.4.3.27");
    put_item(w, m, x, 0);
    /* item substrings [1] { subject, strings { initial [0] "FWD" } } */
    m = ber_mark(w);
    x = ber_mark(w);
    ber_mark_t strings = ber_mark(w), initial = ber_mark(w);
    ber_put_str(w, BER_UNIV(BER_TELETEX_STRING), "FWD", 3);
    ber_wrap(w, initial, BER_CTX(0), true);
    ber_wrap(w, strings, BER_UNIV(BER_SEQUENCE), true);
    ber_put_oid_text(w, BER_UNIV(BER_OID), "2.6.1.7.4");
    put_item(w, m, x, 1);
    ber_wrap(w, and, BER_UNIV(BER_SET), true);
    ber_wrap(w, and, BER_CTX(1), true);
    ber_wrap(w, and, BER_CTX(0), true); /* the parameter's filter [0] (both forms) */
}

/* The per-recipient fields [1] SEQUENCE OF SET { ORName, [0] report request }. */
static void put_recipients(struct ber_writer *w, const char *to)
{
    ber_mark_t list = ber_mark(w), r = ber_mark(w);
    ber_put_bits_u32(w, BER_CTX(0), (1u << 3) | (1u << 4)); /* report, non-delivery-report */
    put_orname(w, to);
    ber_wrap(w, r, BER_UNIV(BER_SET), true);
    ber_wrap(w, list, BER_CTX(1), true);
}

/* Member [1] of both forms: SET { per-recipient-fields, originator-name },
 * with priority urgent and content-type p22 in between for the 1994
 * forwarding-envelope (a MessageSubmissionEnvelope); the 1988
 * AutoForwardArguments carry neither. */
static void put_envelope(struct ber_writer *w, const char *self, const char *to, bool submission_envelope)
{
    ber_mark_t m = ber_mark(w), x = ber_mark(w);
    put_recipients(w, to);
    if (submission_envelope) {
        ber_put_int64(w, BER_APP(7), 2);  /* priority urgent */
        ber_put_int64(w, BER_APP(6), 22); /* content-type p22 */
    }
    put_orname(w, self);
    ber_wrap(w, x, BER_UNIV(BER_SET), true);
    ber_wrap(w, m, BER_CTX(1), true);
}

/* An IA5 text body part: ia5-text [0] SEQUENCE { parameters SET {}, data }. */
static void put_ia5(struct ber_writer *w, ber_tag_t tag, const char *text)
{
    ber_mark_t m = ber_mark(w);
    ber_put_str(w, BER_UNIV(BER_IA5_STRING), text, strlen(text));
    ber_mark_t params = ber_mark(w);
    ber_wrap(w, params, BER_UNIV(BER_SET), true);
    ber_wrap(w, m, tag, true);
}

static void build_1994(struct ber_writer *w, const char *self, const char *to, const char *filter_orig,
                       uint32_t options)
{
    ber_mark_t top = ber_mark(w), m, x;
    /* [6] IPMAutoForwardOptions */
    m = ber_mark(w);
    ber_put_bits_u32(w, BER_UNIV(BER_BIT_STRING), options);
    ber_wrap(w, m, BER_CTX(6), true);
    /* [5] nrn-comment */
    m = ber_mark(w);
    ber_put_str(w, BER_UNIV(BER_PRINTABLE_STRING), "Auto-forwarded", 14);
    ber_wrap(w, m, BER_CTX(5), true);
    /* [3] forwarding-cover-note BodyPart */
    m = ber_mark(w);
    put_ia5(w, BER_CTX(0), "cover from P7");
    ber_wrap(w, m, BER_CTX(3), true);
    /* [2] forwarding-heading Heading SET { this-IPM, subject [8] } */
    m = ber_mark(w);
    x = ber_mark(w);
    ber_mark_t subj = ber_mark(w);
    ber_put_str(w, BER_UNIV(BER_TELETEX_STRING), "Forwarded by P7", 15);
    ber_wrap(w, subj, BER_CTX(8), true);
    ber_mark_t id = ber_mark(w);
    ber_put_str(w, BER_UNIV(BER_PRINTABLE_STRING), "af-reg", 6);
    ber_wrap(w, id, BER_APP(11), true);
    ber_wrap(w, x, BER_UNIV(BER_SET), true);
    ber_wrap(w, m, BER_CTX(2), true);
    put_envelope(w, self, to, true); /* [1] forwarding-envelope */
    put_filter(w, filter_orig);      /* [0] filter */
    ber_wrap(w, top, BER_UNIV(BER_SEQUENCE), true);
}

static void build_1988(struct ber_writer *w, const char *self, const char *to, const char *filter_orig)
{
    /* forwarding-information: ForwardingInformation1988 in its own buffer */
    struct ber_writer fi;
    ber_writer_init(&fi);
    ber_mark_t set = ber_mark(&fi);
    ber_put_str(&fi, BER_CTX(2), "P88-", 4); /* this-ipm-prefix [2] */
    put_ia5(&fi, BER_CTX(1), "cover 88"); /* ia5-cover-note [1] IMPLICIT IA5TextBodyPart */
    ber_put_str(&fi, BER_CTX(0), "Forwarded 88", 12); /* auto-forwarding-comment [0] */
    ber_wrap(&fi, set, BER_UNIV(BER_SET), true);

    ber_mark_t top = ber_mark(w), m;
    m = ber_mark(w);
    ber_put_octets(w, BER_UNIV(BER_OCTET_STRING), ber_writer_data(&fi), fi.len);
    ber_wrap(w, m, BER_CTX(3), true);
    ber_writer_free(&fi);
    /* [1] auto-forward-arguments: PerMessageAutoForwardFields + per-recipient-fields */
    put_envelope(w, self, to, false);
    put_filter(w, filter_orig); /* [0] filter */
    ber_wrap(w, top, BER_UNIV(BER_SET), true);
}

#define T_DEFERRED 1893456000 /* 2030-01-01 */
#define T_EXPIRY 1924992000   /* 2031-01-01 */
#define T_REPLY 1906588800    /* 2030-06-01 */

/* ORDescriptor ::= SET { formal-name ORName } (X.420 7.1.3, IMPLICIT tags). */
static void put_descriptor(struct ber_writer *w, ber_tag_t tag, const char *who)
{
    ber_mark_t m = ber_mark(w);
    put_orname(w, who);
    ber_wrap(w, m, tag, true);
}

static void put_full_heading(struct ber_writer *w, const char *self, const char *to, const char *other)
{
    ber_mark_t h = ber_mark(w), m, x;
    /* extensions [15] SET OF IPMSExtension { primary-precedence, INTEGER 3 } */
    m = ber_mark(w);
    x = ber_mark(w);
    ber_put_int64(w, BER_UNIV(BER_INTEGER), 3);
    ber_put_oid_text(w, BER_UNIV(BER_OID), "1.3.26.0.4406.0.2.0");
    ber_wrap(w, x, BER_UNIV(BER_SEQUENCE), true);
    ber_wrap(w, m, BER_CTX(15), true);
    ber_put_enum(w, BER_CTX(13), 3); /* sensitivity company-confidential */
    ber_put_enum(w, BER_CTX(12), 2); /* importance high */
    m = ber_mark(w);                 /* reply-recipients [11] */
    put_descriptor(w, BER_UNIV(BER_SET), self);
    ber_wrap(w, m, BER_CTX(11), true);
    ber_put_utctime(w, BER_CTX(10), T_REPLY);
    ber_put_utctime(w, BER_CTX(9), T_EXPIRY);
    m = ber_mark(w); /* subject [8] EXPLICIT */
    ber_put_str(w, BER_UNIV(BER_TELETEX_STRING), "Full heading", 12);
    ber_wrap(w, m, BER_CTX(8), true);
    m = ber_mark(w); /* related-IPMs [7] */
    x = ber_mark(w);
    ber_put_str(w, BER_UNIV(BER_PRINTABLE_STRING), "rel-1", 5);
    ber_wrap(w, x, BER_APP(11), true);
    ber_wrap(w, m, BER_CTX(7), true);
    struct ipm_recipient r;
    struct x400ms_error err = { 0 };
    m = ber_mark(w); /* copy-recipients [3] */
    memset(&r, 0, sizeof r);
    r.recipient.has_formal_name = true;
    if (or_address_parse(other, strlen(other), &r.recipient.formal_name, &err) < 0)
        exit(1);
    ipm_recipient_encode(w, &r);
    ber_wrap(w, m, BER_CTX(3), true);
    m = ber_mark(w); /* primary-recipients [2] */
    memset(&r, 0, sizeof r);
    r.recipient.has_formal_name = true;
    if (or_address_parse(to, strlen(to), &r.recipient.formal_name, &err) < 0)
        exit(1);
    ipm_recipient_encode(w, &r);
    ber_wrap(w, m, BER_CTX(2), true);
    m = ber_mark(w); /* authorizing-users [1] */
    put_descriptor(w, BER_UNIV(BER_SET), other);
    ber_wrap(w, m, BER_CTX(1), true);
    put_descriptor(w, BER_CTX(0), self); /* originator [0] */
    m = ber_mark(w);
    ber_put_str(w, BER_UNIV(BER_PRINTABLE_STRING), "tmpl", 4);
    ber_wrap(w, m, BER_APP(11), true);
    ber_wrap(w, h, BER_UNIV(BER_SET), true);
}

/* MessageSubmissionEnvelope (X.411 8.2.1.1.1, IMPLICIT tags), SET members in tag order. */
static void put_full_envelope(struct ber_writer *w, const char *self, const char *to)
{
    ber_mark_t m = ber_mark(w), list = ber_mark(w), r = ber_mark(w);
    ber_put_int64(w, BER_CTX(1), 0);                        /* explicit-conversion */
    ber_put_bits_u32(w, BER_CTX(0), (1u << 3) | (1u << 4)); /* report, non-delivery-report */
    put_orname(w, to);
    ber_wrap(w, r, BER_UNIV(BER_SET), true);
    ber_wrap(w, list, BER_CTX(1), true);
    ber_put_utctime(w, BER_CTX(0), T_DEFERRED);             /* deferred-delivery-time */
    ber_put_str(w, BER_APP(10), "cid-42", 6);               /* content-identifier */
    ber_put_bits_u32(w, BER_APP(8), (1u << 1) | (1u << 2)); /* per-message-indicators */
    ber_put_int64(w, BER_APP(7), 1);                        /* priority non-urgent */
    ber_put_int64(w, BER_APP(6), 22);                       /* content-type p22 */
    put_orname(w, self);
    ber_wrap(w, m, BER_UNIV(BER_SET), true);
}

static void build_full(struct ber_writer *w, const char *self, const char *to, const char *other, bool groups)
{
    ber_mark_t top = ber_mark(w), m, x;
    m = ber_mark(w); /* [6] preserve-retrieval-status */
    ber_put_bits_u32(w, BER_UNIV(BER_BIT_STRING), 1u << 4);
    ber_wrap(w, m, BER_CTX(6), true);
    m = ber_mark(w); /* [4] MSSubmissionOptions { object-entry-class [0] submission } */
    x = ber_mark(w);
    if (groups) {
        ber_mark_t g = ber_mark(w), n = ber_mark(w);
        ber_put_str(w, BER_UNIV(BER_GENERAL_STRING), "grp", 3);
        ber_wrap(w, n, BER_UNIV(BER_SEQUENCE), true);
        ber_wrap(w, g, BER_UNIV(BER_SET), true);
        ber_wrap(w, g, BER_CTX(2), true);
    }
    mhs_put_explicit_int(w, 0, 1);
    ber_wrap(w, x, BER_UNIV(BER_SET), true);
    ber_wrap(w, m, BER_CTX(4), true);
    m = ber_mark(w); /* [3] cover note: a bilaterally-defined body part [14] */
    ber_put_octets(w, BER_CTX(14), "bilateral cover", 15);
    ber_wrap(w, m, BER_CTX(3), true);
    m = ber_mark(w);
    put_full_heading(w, self, to, other);
    ber_wrap(w, m, BER_CTX(2), true);
    m = ber_mark(w);
    put_full_envelope(w, self, to);
    ber_wrap(w, m, BER_CTX(1), true);
    ber_wrap(w, top, BER_UNIV(BER_SEQUENCE), true);
}

int main(int argc, char **argv)
{
    if (argc != 7) {
        fprintf(stderr, "usage: %s PORT MAILBOX_ADDRESS PASSWORD 1994|1988|conflict|full|groups TO FILTER_ORIGINATOR\n",
                argv[0]);
        return 1;
    }
    struct ber_writer w;
    ber_writer_init(&w);
    const char *form = argv[4];
    int64_t id = 1;
    if (strcmp(form, "1994") == 0)
        build_1994(&w, argv[2], argv[5], argv[6], 1u << 5);
    else if (strcmp(form, "conflict") == 0)
        build_1994(&w, argv[2], argv[5], argv[6], (1u << 4) | (1u << 5));
    else if (strcmp(form, "full") == 0 || strcmp(form, "groups") == 0)
        build_full(&w, argv[2], argv[5], argv[6], form[0] == 'g');
    else if (strcmp(form, "1988") == 0)
        build_1988(&w, argv[2], argv[5], argv[6]), id = 2;
    else
        return 1;
    if (w.error) {
        fprintf(stderr, "cannot encode the parameter\n");
        return 1;
    }
    if (getenv("AF_REGISTER_DUMP") != NULL) { /* the parameter as hex, for debugging */
        for (size_t i = 0; i < w.len; i++)
            printf("%02x", ber_writer_data(&w)[i]);
        printf("\n");
        ber_writer_free(&w);
        return 0;
    }
    struct x400ms_client_params p;
    memset(&p, 0, sizeof p);
    p.size = sizeof p;
    p.host = "127.0.0.1";
    p.port = atoi(argv[1]);
    p.or_address = argv[2];
    p.password = argv[3];
    p.version = id == 2 ? X400MS_CLIENT_MS_88 : X400MS_CLIENT_MS_94; /* the 88 form belongs to ms-access-88 */
    p.timeout_ms = 10000;
    struct x400ms_client *c = NULL;
    struct x400ms_error err = { 0 };
    if (x400ms_client_bind(&p, &c, NULL, &err) < 0) {
        fprintf(stderr, "bind: %s\n", err.message);
        ber_writer_free(&w);
        return 1;
    }
    struct x400ms_client_register r = {
        .auto_action_type = "2.6.4.4.0", .auto_action_id = id,
        .auto_action_parameter = ber_writer_data(&w), .auto_action_parameter_len = w.len,
    };
    int rc = x400ms_client_register_ms(c, &r, &err);
    ber_writer_free(&w);
    if (rc < 0) {
        int64_t code = 0, problem = 0;
        x400ms_client_last_error(c, &code, &problem, NULL, NULL);
        printf("refused: %s (error %lld problem %lld)\n", err.message, (long long)code, (long long)problem);
        x400ms_client_unbind(&c);
        return 3;
    }
    x400ms_client_unbind(&c);
    printf("registered %s id %lld\n", form, (long long)id);
    return 0;
}
